//! `TcpListener`: a bound, listening TCP socket that accepts connections.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::task::{Context, Poll};

use crate::net::sys;
use crate::reactor::{Direction, IoSource};

use super::TcpStream;
use super::builder::TcpListenerBuilder;
use crate::net::addr::ToSocketAddrs;

/// A TCP socket listening for connections (asyncio's server socket).
///
/// Created with [`bind`](TcpListener::bind) (`SO_REUSEADDR` on, backlog
/// 1024) or, for other backlogs and `SO_REUSEPORT`, with
/// [`builder`](TcpListener::builder). Its descriptor is non-blocking and
/// close-on-exec; so is every accepted stream's.
///
/// ```
/// # runtime_core::run(async {
/// use runtime_io::net::{TcpListener, TcpStream};
///
/// let listener = TcpListener::bind("127.0.0.1:0").await?;
/// let addr = listener.local_addr()?;
/// let client = runtime_core::spawn(async move { TcpStream::connect(addr).await });
/// let (server_side, peer) = listener.accept().await?;
/// let client_side = client.await.unwrap()?;
/// assert_eq!(peer, client_side.local_addr()?);
/// # drop(server_side);
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct TcpListener {
    io: IoSource<std::net::TcpListener>,
}

impl TcpListener {
    /// Binds a listener to `addr` with `SO_REUSEADDR` and a backlog of 1024.
    /// Each address `addr` resolves to is tried in turn; the first that
    /// binds wins. Port 0 picks a free port ([`local_addr`] tells which).
    ///
    /// Cancel-safe (dropping it closes any half-made socket).
    ///
    /// [`local_addr`]: TcpListener::local_addr
    ///
    /// # Errors
    /// Resolution errors; the last address's bind or listen error (e.g.
    /// `AddrInUse`, `PermissionDenied`); an error outside a runtime.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        TcpListener::builder(addr).bind().await
    }

    /// A builder to set the backlog, `SO_REUSEADDR` and `SO_REUSEPORT`
    /// before binding to `addr`.
    ///
    /// ```
    /// # runtime_core::run(async {
    /// use runtime_io::net::TcpListener;
    ///
    /// let listener = TcpListener::builder("127.0.0.1:0")
    ///     .backlog(4096)
    ///     .reuse_port(true)
    ///     .bind()
    ///     .await?;
    /// # drop(listener);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn builder<A: ToSocketAddrs>(addr: A) -> TcpListenerBuilder<A> {
        TcpListenerBuilder::new(addr)
    }

    /// Wraps a listening socket that is already non-blocking (the builder
    /// makes one).
    pub(crate) fn from_listening(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            io: IoSource::new(listener)?,
        })
    }

    /// Waits for a connection and returns it with the peer's address.
    ///
    /// Cancel-safe: if the future is dropped, no connection was taken off
    /// the queue.
    ///
    /// # Errors
    /// `accept4`'s errors are returned as they are, never retried or
    /// panicked on: e.g. `EMFILE`/`ENFILE` (out of descriptors; a server
    /// should back off and try again), `ECONNABORTED` (the peer gave up
    /// while queued; just accept again). Also an error once the runtime has
    /// shut down.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// Polls for a connection: `Pending` registers the waker until one is
    /// queued.
    ///
    /// # Errors
    /// As [`accept`](TcpListener::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let (fd, addr) = match self
            .io
            .poll_io(Direction::Read, cx, |l| sys::accept(l.as_fd()))
        {
            Poll::Ready(Ok(accepted)) => accepted,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        };
        let addr = sys::to_socket_addr(addr.as_ref())?;
        let stream = TcpStream::from_connected(std::net::TcpStream::from(fd))?;
        Poll::Ready(Ok((stream, addr)))
    }

    /// The address the listener is bound to.
    ///
    /// # Errors
    /// `getsockname`'s error (rare).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Takes a std listener (already bound and listening), puts it in
    /// non-blocking mode and registers it with the current runtime.
    ///
    /// # Errors
    /// Outside a runtime; if the descriptor cannot be made non-blocking or
    /// registered.
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        TcpListener::from_listening(listener)
    }

    /// Deregisters the listener and gives back the std one (still
    /// non-blocking: call `set_nonblocking(false)` to use it blocking).
    ///
    /// # Errors
    /// None today; `io::Result` leaves room for platforms where leaving
    /// the poller can fail.
    pub fn into_std(self) -> io::Result<std::net::TcpListener> {
        Ok(self.io.into_inner())
    }

    /// Sets the IP time-to-live of the listener's accepted sockets.
    ///
    /// # Errors
    /// `setsockopt`'s error.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live.
    ///
    /// # Errors
    /// `getsockopt`'s error.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("fd", &self.as_raw_fd())
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}

impl AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for TcpListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
