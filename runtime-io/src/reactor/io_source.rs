//! `IoSource<T>`: a non-blocking OS object registered with the reactor; the
//! building block of every socket type.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use super::poller::{SHORT_READ_DRAINS, SHORT_WRITE_FILLS};
use super::source::Source;
use super::{Direction, Reactor, ReadyEvent};

/// The most one `read`/`write`/`send`/`recv` moves on Linux (`MAX_RW_COUNT`,
/// `INT_MAX` rounded down to a page): a call asked for more stops there
/// with the buffer neither drained nor full, so that is not a short count.
const MAX_RW_COUNT: usize = 0x7fff_f000;

/// A non-blocking `T` (a socket, a pipe) registered with the current
/// runtime's reactor. Deregisters before `T` (and its fd) is dropped.
pub(crate) struct IoSource<T: AsRawFd> {
    source: Arc<Source>,
    reactor: Arc<Reactor>,
    /// `None` only after `into_inner`.
    io: Option<T>,
}

impl<T: AsRawFd> IoSource<T> {
    /// Registers `io`, which must already be in non-blocking mode, with the
    /// current runtime's reactor.
    ///
    /// # Errors
    /// Outside a runtime, or if the poller refuses the fd.
    pub(crate) fn new(io: T) -> io::Result<IoSource<T>> {
        let reactor = Reactor::current()?;
        let source = reactor.register(io.as_raw_fd())?;
        Ok(IoSource {
            source,
            reactor,
            io: Some(io),
        })
    }

    /// The wrapped object.
    pub(crate) fn get_ref(&self) -> &T {
        self.io.as_ref().expect("IoSource used after into_inner")
    }

    /// Ready in `direction` (cached), or Pending with the waker registered.
    pub(crate) fn poll_ready(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<ReadyEvent>> {
        self.source.poll_ready(direction, cx)
    }

    /// The syscall behind `event` said `WouldBlock`.
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        self.source.clear_readiness(event);
    }

    /// Runs the non-blocking operation `op` once the source is ready in
    /// `direction`, retrying each time `op` reports `WouldBlock`.
    pub(crate) fn poll_io<R>(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_until_ready(direction, cx, op, |_| false)
    }

    /// The loop behind `poll_io` and the `_stream` variants: wait for
    /// readiness, run `op`, forget the readiness on `WouldBlock` and retry.
    /// `short` says whether a successful result also proves the kernel
    /// buffer drained (a read) or full (a write).
    fn poll_until_ready<R>(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
        short: impl Fn(&R) -> bool,
    ) -> Poll<io::Result<R>> {
        loop {
            let event = ready!(self.poll_ready(direction, cx))?;
            match op(self.get_ref()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_readiness(event),
                Ok(value) => {
                    if short(&value) {
                        self.source.clear_after_short_io(event);
                    }
                    return Poll::Ready(Ok(value));
                }
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    /// Runs `op` once, now, for the `try_*` methods: never waits and never
    /// leaves a waker behind for the caller.
    ///
    /// The cached readiness is read first so that a `WouldBlock` can clear
    /// it with the tick it was read at (the lost-wake-up rule). When the
    /// cache already says "not ready" the syscall is tried anyway: the
    /// kernel may know better than the last poll round.
    pub(crate) fn try_io<R>(
        &self,
        direction: Direction,
        op: impl FnOnce(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        let event = match self.source.ready_now(direction) {
            Some(Ok(event)) => Some(event),
            Some(Err(e)) => return Err(e),
            None => None,
        };
        let result = op(self.get_ref());
        if let (Err(e), Some(event)) = (&result, event) {
            if e.kind() == io::ErrorKind::WouldBlock {
                self.clear_readiness(event);
            }
        }
        result
    }

    /// [`poll_io`](IoSource::poll_io) for reads from a byte stream into a
    /// buffer of `requested` bytes. A read that returns fewer bytes than
    /// asked for drained the kernel's buffer, so the cached readiness is
    /// cleared at once (with the tick check): the next read waits for the
    /// next edge instead of paying a syscall to learn `WouldBlock`. (Not for
    /// datagrams, where a short read says nothing about what is queued.)
    pub(crate) fn poll_read_stream(
        &self,
        cx: &mut Context<'_>,
        requested: usize,
        op: impl FnMut(&T) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        self.poll_until_ready(Direction::Read, cx, op, |&n| {
            SHORT_READ_DRAINS && n > 0 && n < requested.min(MAX_RW_COUNT)
        })
    }

    /// [`poll_io`](IoSource::poll_io) for writes of `offered` bytes to a
    /// byte stream. A write that takes fewer bytes filled the kernel's
    /// buffer, so the cached readiness is cleared at once (with the tick
    /// check) and the rest waits for the next edge instead of paying a
    /// syscall to learn `WouldBlock` (a pipe fed in 64 KiB chunks made
    /// about 2,800 such syscalls per 256 MiB).
    pub(crate) fn poll_write_stream(
        &self,
        cx: &mut Context<'_>,
        offered: usize,
        op: impl FnMut(&T) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        self.poll_until_ready(Direction::Write, cx, op, |&n| {
            SHORT_WRITE_FILLS && n > 0 && n < offered.min(MAX_RW_COUNT)
        })
    }

    /// [`poll_io`](IoSource::poll_io) as a future.
    pub(crate) async fn io<R>(
        &self,
        direction: Direction,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        poll_fn(|cx| self.poll_io(direction, cx, &mut op)).await
    }

    /// Waits until the source is ready in `direction` (it may still turn out
    /// to block: readiness is a hint).
    pub(crate) async fn ready(&self, direction: Direction) -> io::Result<()> {
        poll_fn(|cx| self.poll_ready(direction, cx).map_ok(|_| ())).await
    }

    /// Deregisters and gives the object back (still non-blocking).
    pub(crate) fn into_inner(mut self) -> T {
        self.reactor.deregister(&self.source);
        self.io.take().expect("IoSource used after into_inner")
    }
}

impl<T: AsRawFd> Drop for IoSource<T> {
    fn drop(&mut self) {
        if let Some(io) = self.io.take() {
            // Out of the poller first, then close the fd (dropping `io`).
            self.reactor.deregister(&self.source);
            drop(io);
        }
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for IoSource<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IoSource").field(&self.io).finish()
    }
}
