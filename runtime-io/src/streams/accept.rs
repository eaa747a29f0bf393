//! The accept loop of a [`Server`](super::Server): accepts connections,
//! runs each handler as its own task, and rides out accept faults.
//!
//! # Accept faults
//! - Out of descriptors or memory (`EMFILE`, `ENFILE`, `ENOBUFS`,
//!   `ENOMEM`): the connection stays queued in the kernel. The loop backs
//!   off — 10 ms, doubling up to 1 s — and tries again early when one of the
//!   server's connections finishes (which probably freed a descriptor). It
//!   never spins, and nothing is lost: the queued client is served once
//!   descriptors are available.
//! - Errors of one connection (`ECONNABORTED`, and the network errors
//!   Linux's `accept(2)` says to treat like `EAGAIN`: `EPROTO`, `ENETDOWN`,
//!   `ENOPROTOOPT`, `EHOSTDOWN`, `ENONET`, `EHOSTUNREACH`, `EOPNOTSUPP`,
//!   `ENETUNREACH`, plus `EPERM` from firewalls and `EINTR`): skipped.
//! - Anything else (the listener is broken, the runtime shut down): the
//!   loop stops and [`serve_forever`](super::Server::serve_forever) returns
//!   the error.

use std::future::{Future, poll_fn};
use std::io;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_io::{AsyncRead, AsyncWrite};
use nix::errno::Errno;
use parking_lot::Mutex;

use super::reader::StreamReader;
use super::state::{CountGuard, ServerState};
use super::writer::StreamWriter;
use crate::net::{TcpListener, UnixListener, tcp, unix};

/// The first back-off after a resource error.
const MIN_BACKOFF: Duration = Duration::from_millis(10);
/// The longest back-off.
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// Accepts in a row before the loop yields to other tasks, so a flood of
/// connections does not keep the worker from running their handlers.
const ACCEPT_BURST: u32 = 64;

/// A listening socket whose connections split into a read and a write half.
pub(crate) trait Listener: Send + Sync + 'static {
    /// The read half of an accepted connection.
    type Read: AsyncRead + Unpin + Send + 'static;
    /// The write half of an accepted connection.
    type Write: AsyncWrite + Unpin + Send + 'static;

    /// Accepts one connection, ready for a handler.
    fn poll_accept_split(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<(Self::Read, Self::Write)>>;
}

impl Listener for TcpListener {
    type Read = tcp::OwnedReadHalf;
    type Write = tcp::OwnedWriteHalf;

    fn poll_accept_split(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<(Self::Read, Self::Write)>> {
        self.poll_accept(cx).map_ok(|(stream, _peer)| {
            // asyncio sets TCP_NODELAY on every TCP transport; the
            // StreamWriter already coalesces writes until `drain`. A
            // failure only costs latency.
            let _ = stream.set_nodelay(true);
            stream.into_split()
        })
    }
}

impl Listener for UnixListener {
    type Read = unix::OwnedReadHalf;
    type Write = unix::OwnedWriteHalf;

    fn poll_accept_split(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<(Self::Read, Self::Write)>> {
        self.poll_accept(cx)
            .map_ok(|(stream, _peer)| stream.into_split())
    }
}

/// What an accept error means for the loop.
enum Fault {
    /// Out of a resource: wait, then accept again.
    Exhausted,
    /// One connection failed: accept the next.
    Skip,
    /// The listener cannot go on.
    Fatal,
}

fn classify(e: &io::Error) -> Fault {
    let Some(code) = e.raw_os_error() else {
        return Fault::Fatal;
    };
    match Errno::from_raw(code) {
        // ENOSPC: registering the accepted socket hit epoll's
        // max_user_watches, a resource limit like the others.
        Errno::EMFILE | Errno::ENFILE | Errno::ENOBUFS | Errno::ENOMEM | Errno::ENOSPC => {
            Fault::Exhausted
        }
        Errno::ECONNABORTED
        | Errno::EINTR
        | Errno::EAGAIN
        | Errno::EPROTO
        | Errno::EPERM
        | Errno::ENETDOWN
        | Errno::ENOPROTOOPT
        | Errno::EHOSTDOWN
        | Errno::ENONET
        | Errno::EHOSTUNREACH
        | Errno::EOPNOTSUPP
        | Errno::ENETUNREACH
        | Errno::ECONNRESET
        | Errno::ETIMEDOUT => Fault::Skip,
        _ => Fault::Fatal,
    }
}

/// The listener of one accept loop, shared with the [`Server`](super::Server)
/// so that `close()` can close it at once (asyncio closes the listening
/// sockets in `close()`), not whenever the cancelled loop is dropped.
pub(crate) struct ListenerSlot<L>(Mutex<Option<L>>);

impl<L> ListenerSlot<L> {
    pub(crate) fn new(listener: L) -> ListenerSlot<L> {
        ListenerSlot(Mutex::new(Some(listener)))
    }
}

/// The type-erased side of a [`ListenerSlot`] that the server keeps.
pub(crate) trait CloseListener: Send + Sync {
    /// Drops the listener (deregistering and closing its socket).
    fn close(&self);
}

impl<L: Send> CloseListener for ListenerSlot<L> {
    fn close(&self) {
        // Taken under the lock, then dropped outside it.
        let listener = self.0.lock().take();
        drop(listener);
    }
}

/// Accepts connections on `slot`'s listener until it is closed, the task is
/// cancelled, or a fatal error, spawning `handler` for each. `_running`
/// counts this loop in `state` until the loop ends or is dropped.
pub(crate) async fn accept_loop<L, H, F>(
    slot: Arc<ListenerSlot<L>>,
    handler: Arc<H>,
    limit: usize,
    state: Arc<ServerState>,
    _running: CountGuard,
) where
    L: Listener,
    H: Fn(StreamReader<L::Read>, StreamWriter<L::Write>) -> F + Send + Sync + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    // However the loop ends — closed, a fatal error, a panic, cancelled —
    // the listening socket goes with it: a listener nobody accepts on would
    // let clients connect and hang (found in review).
    struct CloseOnExit<'a>(&'a dyn CloseListener);
    impl Drop for CloseOnExit<'_> {
        fn drop(&mut self) {
            self.0.close();
        }
    }
    let _close_on_exit = CloseOnExit(&*slot);
    let mut backoff = MIN_BACKOFF;
    let mut burst = 0;
    loop {
        // The lock is held for one accept attempt only: once `close()` has
        // taken the listener, no connection is accepted any more.
        let accepted = poll_fn(|cx| match &*slot.0.lock() {
            Some(listener) => listener.poll_accept_split(cx).map(Some),
            None => Poll::Ready(None),
        })
        .await;
        let Some(accepted) = accepted else {
            return; // closed
        };
        match accepted {
            Ok((read, write)) => {
                backoff = MIN_BACKOFF;
                let guard = state.connection_guard();
                let handler = handler.clone();
                // The handler is *called* inside the connection's task too:
                // a panic in its synchronous part (before it returns its
                // future) must lose only this connection, not the accept
                // loop (found in review).
                runtime_core::spawn(async move {
                    let _guard = guard;
                    handler(
                        StreamReader::with_limit(read, limit),
                        StreamWriter::new(write),
                    )
                    .await;
                })
                .detach();
                burst += 1;
                if burst == ACCEPT_BURST {
                    burst = 0;
                    runtime_core::yield_now().await;
                }
            }
            Err(e) => match classify(&e) {
                Fault::Skip => {}
                Fault::Exhausted => {
                    let seen = state.read(|c| c.finished);
                    let freed = state.wait_until(|c| (c.finished != seen).then_some(()));
                    // Whichever comes first: the back-off, or a connection
                    // of ours closing.
                    let _ = runtime_core::select(runtime_core::time::sleep(backoff), freed).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
                Fault::Fatal => {
                    state.update(|c| {
                        c.error.get_or_insert(e);
                    });
                    return;
                }
            },
        }
    }
}
