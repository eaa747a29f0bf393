//! `AsyncFd<T>`: any non-blocking file descriptor, driven by the reactor.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::task::{Context, Poll};

use crate::reactor::{Direction, IoSource};

/// Wraps an object that owns a file descriptor (a pipe, a pidfd, a device,
/// a socket type this crate does not have) so tasks can wait for it to be
/// readable or writable. This is how `runtime-process` drives child pipes
/// and pidfds.
///
/// The fd must be in non-blocking mode (`new` sets `O_NONBLOCK`); it stays
/// registered with the reactor of the runtime it was created in until the
/// `AsyncFd` is dropped (which closes it) or [`into_inner`](AsyncFd::into_inner)
/// gives it back.
///
/// ```
/// use std::io::{Read, Write};
/// use std::os::unix::net::UnixStream;
/// use runtime_io::AsyncFd;
///
/// runtime_core::run(async {
///     let (a, mut b) = UnixStream::pair().unwrap();
///     let a = AsyncFd::new(a).unwrap();
///     b.write_all(b"hi").unwrap();
///     let mut buf = [0u8; 2];
///     // Runs the closure when `a` is readable, again after each WouldBlock.
///     let n = a.read_with(|s| (&*s).read(&mut buf)).await.unwrap();
///     assert_eq!(&buf[..n], b"hi");
/// });
/// ```
pub struct AsyncFd<T: AsRawFd> {
    source: IoSource<T>,
}

impl<T: AsRawFd> AsyncFd<T> {
    /// Puts `io`'s fd in non-blocking mode and registers it with the current
    /// runtime's reactor.
    ///
    /// # Errors
    /// Outside a runtime; if `fcntl` fails; if the poller refuses the fd
    /// (e.g. a regular file, which epoll does not support).
    pub fn new(io: T) -> io::Result<AsyncFd<T>> {
        set_nonblocking(io.as_raw_fd(), true)?;
        Ok(AsyncFd {
            source: IoSource::new(io)?,
        })
    }

    /// The wrapped object.
    pub fn get_ref(&self) -> &T {
        self.source.get_ref()
    }

    /// Deregisters the fd and gives the object back (still non-blocking).
    pub fn into_inner(self) -> T {
        self.source.into_inner()
    }

    /// Deregisters the fd and gives the object back in *blocking* mode,
    /// ready to be handed to another process or to blocking code.
    ///
    /// # Errors
    /// If `fcntl` fails (the object is dropped, and its fd closed, then).
    pub fn into_blocking(self) -> io::Result<T> {
        let io = self.into_inner();
        set_nonblocking(io.as_raw_fd(), false)?;
        Ok(io)
    }

    /// Waits until the fd is readable. Readiness is a hint: the next read
    /// may still say `WouldBlock` (use [`read_with`](AsyncFd::read_with),
    /// which retries). Cancel-safe.
    ///
    /// # Errors
    /// If the runtime that owns the reactor has shut down.
    pub async fn readable(&self) -> io::Result<()> {
        self.source.ready(Direction::Read).await
    }

    /// Waits until the fd is writable. As [`readable`](AsyncFd::readable).
    ///
    /// # Errors
    /// If the runtime that owns the reactor has shut down.
    pub async fn writable(&self) -> io::Result<()> {
        self.source.ready(Direction::Write).await
    }

    /// Runs the non-blocking read `op` until it does not say `WouldBlock`,
    /// waiting for readability in between. Cancel-safe if `op` is (it only
    /// runs while this future is polled).
    ///
    /// # Errors
    /// `op`'s error, or the reactor's (runtime shut down).
    pub async fn read_with<R>(&self, op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        self.source.io(Direction::Read, op).await
    }

    /// [`read_with`](AsyncFd::read_with) for writes.
    ///
    /// # Errors
    /// `op`'s error, or the reactor's (runtime shut down).
    pub async fn write_with<R>(&self, op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        self.source.io(Direction::Write, op).await
    }

    /// The poll form of [`read_with`](AsyncFd::read_with), for `AsyncRead`
    /// implementations.
    ///
    /// # Errors
    /// `op`'s error, or the reactor's (runtime shut down).
    pub fn poll_read_with<R>(
        &self,
        cx: &mut Context<'_>,
        op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.source.poll_io(Direction::Read, cx, op)
    }

    /// [`poll_read_with`](AsyncFd::poll_read_with) for a pipe or a stream
    /// socket (TCP, Unix stream) read into a buffer of `requested` bytes: a
    /// read that returns fewer bytes drained the kernel's buffer, so the
    /// next read waits for readiness instead of first paying a syscall to
    /// learn `WouldBlock`. Only for those: a datagram socket, or a tty in
    /// canonical mode (one line per read), can return short with more
    /// queued, and the rest would wait for an edge that may never come.
    ///
    /// # Errors
    /// `op`'s error, or the reactor's (runtime shut down).
    pub fn poll_read_stream(
        &self,
        cx: &mut Context<'_>,
        requested: usize,
        op: impl FnMut(&T) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        self.source.poll_read_stream(cx, requested, op)
    }

    /// [`poll_write_with`](AsyncFd::poll_write_with) for a pipe or a stream
    /// socket (TCP, Unix stream) written from a buffer of `offered` bytes: a
    /// write that takes fewer bytes filled the kernel's buffer, so the rest
    /// waits for readiness instead of first paying a syscall to learn
    /// `WouldBlock`. Only for those: a tty writes in chunks and can stop
    /// short with room left (a pending signal), and so can other devices.
    ///
    /// # Errors
    /// `op`'s error, or the reactor's (runtime shut down).
    pub fn poll_write_stream(
        &self,
        cx: &mut Context<'_>,
        offered: usize,
        op: impl FnMut(&T) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        self.source.poll_write_stream(cx, offered, op)
    }

    /// The poll form of [`write_with`](AsyncFd::write_with).
    ///
    /// # Errors
    /// `op`'s error, or the reactor's (runtime shut down).
    pub fn poll_write_with<R>(
        &self,
        cx: &mut Context<'_>,
        op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.source.poll_io(Direction::Write, cx, op)
    }
}

fn set_nonblocking(fd: RawFd, on: bool) -> io::Result<()> {
    use nix::fcntl::{FcntlArg, OFlag, fcntl};
    // SAFETY: the caller's object owns `fd` and keeps it open for this call.
    let fd = unsafe { BorrowedFd::borrow_raw(fd) };
    let flags = OFlag::from_bits_truncate(fcntl(fd, FcntlArg::F_GETFL)?);
    if flags.contains(OFlag::O_NONBLOCK) != on {
        fcntl(fd, FcntlArg::F_SETFL(flags ^ OFlag::O_NONBLOCK))?;
    }
    Ok(())
}

impl<T: AsRawFd> AsRawFd for AsyncFd<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.get_ref().as_raw_fd()
    }
}

impl<T: AsRawFd + AsFd> AsFd for AsyncFd<T> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.get_ref().as_fd()
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for AsyncFd<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AsyncFd").field(self.get_ref()).finish()
    }
}
