//! `UnixListener`: a bound, listening Unix stream socket.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::task::{Context, Poll};

use nix::sys::socket::{self, AddressFamily, Backlog, SockType, UnixAddr};

use crate::net::sys;
use crate::net::tcp::DEFAULT_BACKLOG;
use crate::reactor::{Direction, IoSource};

use super::UnixStream;

/// A Unix stream socket listening on a filesystem path.
///
/// The socket file is *not* removed when the listener is dropped (as with
/// std and asyncio); remove it yourself, and remove a stale one before
/// binding again (`AddrInUse` otherwise).
///
/// ```
/// # runtime_core::run(async {
/// use runtime_io::net::{UnixListener, UnixStream};
///
/// let path = std::env::temp_dir().join(format!("doc-unix-listener-{}.sock", std::process::id()));
/// let _ = std::fs::remove_file(&path);
/// let listener = UnixListener::bind(&path)?;
/// let client = UnixStream::connect(&path).await?;
/// let (server_side, _peer) = listener.accept().await?;
/// client.write_all(b"hi").await?;
/// let mut buf = [0u8; 2];
/// server_side.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"hi");
/// std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct UnixListener {
    io: IoSource<std::os::unix::net::UnixListener>,
}

impl UnixListener {
    /// Creates the socket file at `path` and listens on it with a backlog
    /// of 1024.
    ///
    /// # Errors
    /// `AddrInUse` if `path` exists; the path's filesystem errors; an
    /// error outside a runtime.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        UnixListener::bind_with_backlog(path, DEFAULT_BACKLOG)
    }

    /// [`bind`](UnixListener::bind) with another backlog (capped at the
    /// system's `SOMAXCONN`).
    ///
    /// # Errors
    /// As [`bind`](UnixListener::bind).
    pub fn bind_with_backlog(path: impl AsRef<Path>, backlog: u32) -> io::Result<UnixListener> {
        let addr = UnixAddr::new(path.as_ref())?;
        let fd = sys::socket(AddressFamily::Unix, SockType::Stream)?;
        socket::bind(fd.as_raw_fd(), &addr)?;
        let max = i32::from(Backlog::MAXCONN);
        let backlog = Backlog::new(i32::try_from(backlog).unwrap_or(max).min(max))?;
        socket::listen(&fd, backlog)?;
        Ok(UnixListener {
            io: IoSource::new(std::os::unix::net::UnixListener::from(fd))?,
        })
    }

    /// Waits for a connection and returns it with the peer's address
    /// (usually unnamed: clients rarely bind).
    ///
    /// Cancel-safe: if the future is dropped, no connection was taken.
    ///
    /// # Errors
    /// `accept4`'s errors as they are (e.g. `EMFILE`: back off and retry);
    /// an error once the runtime has shut down.
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// Polls for a connection: `Pending` registers the waker.
    ///
    /// # Errors
    /// As [`accept`](UnixListener::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        let (fd, _) = match self
            .io
            .poll_io(Direction::Read, cx, |l| sys::accept(l.as_fd()))
        {
            Poll::Ready(Ok(accepted)) => accepted,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        };
        // std's SocketAddr can only be had from std: one getpeername.
        let stream = std::os::unix::net::UnixStream::from(fd);
        let addr = stream.peer_addr()?;
        Poll::Ready(Ok((UnixStream::from_connected(stream)?, addr)))
    }

    /// The address the listener is bound to.
    ///
    /// # Errors
    /// `getsockname`'s error (rare).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Takes a std listener, puts it in non-blocking mode and registers it
    /// with the current runtime.
    ///
    /// # Errors
    /// Outside a runtime; if it cannot be made non-blocking or registered.
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        Ok(UnixListener {
            io: IoSource::new(listener)?,
        })
    }

    /// Deregisters the listener and gives back the std one (still
    /// non-blocking).
    ///
    /// # Errors
    /// None today; `io::Result` leaves room for platforms where leaving
    /// the poller can fail.
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixListener> {
        Ok(self.io.into_inner())
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixListener")
            .field("fd", &self.as_raw_fd())
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}

impl AsRawFd for UnixListener {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UnixListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
