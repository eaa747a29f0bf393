//! `UnixDatagram`: a Unix datagram socket.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::task::{Context, Poll};

use nix::sys::socket::{self, AddressFamily, SockType, UnixAddr};

use crate::net::sys;
use crate::reactor::{Direction, IoSource};

/// A Unix datagram socket: message boundaries are kept, delivery on one
/// host is reliable and ordered.
///
/// All methods take `&self`, so one socket can be shared between tasks
/// (e.g. in an `Arc`); each datagram goes to exactly one receiver.
///
/// ```
/// # runtime_core::run(async {
/// use runtime_io::net::UnixDatagram;
///
/// let (a, b) = UnixDatagram::pair()?;
/// a.send(b"ping").await?;
/// let mut buf = [0u8; 16];
/// let n = b.recv(&mut buf).await?;
/// assert_eq!(&buf[..n], b"ping");
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct UnixDatagram {
    io: IoSource<std::os::unix::net::UnixDatagram>,
}

impl UnixDatagram {
    /// A socket bound to the filesystem path `path` (which must not exist).
    ///
    /// # Errors
    /// `AddrInUse` if `path` exists; the path's filesystem errors; an
    /// error outside a runtime.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        let addr = UnixAddr::new(path.as_ref())?;
        let fd = sys::socket(AddressFamily::Unix, SockType::Datagram)?;
        socket::bind(fd.as_raw_fd(), &addr)?;
        UnixDatagram::register(fd.into())
    }

    /// A socket with no name: it can send (with
    /// [`send_to`](UnixDatagram::send_to), or after
    /// [`connect`](UnixDatagram::connect)) but nobody can address replies
    /// to it.
    ///
    /// # Errors
    /// `socket`'s error; outside a runtime.
    pub fn unbound() -> io::Result<UnixDatagram> {
        let fd = sys::socket(AddressFamily::Unix, SockType::Datagram)?;
        UnixDatagram::register(fd.into())
    }

    /// A connected pair of unnamed sockets (`socketpair`).
    ///
    /// # Errors
    /// `socketpair`'s error; outside a runtime.
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = sys::socketpair(SockType::Datagram)?;
        Ok((
            UnixDatagram::register(a.into())?,
            UnixDatagram::register(b.into())?,
        ))
    }

    fn register(socket: std::os::unix::net::UnixDatagram) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            io: IoSource::new(socket)?,
        })
    }

    /// Sets the default destination (for [`send`](UnixDatagram::send)) and
    /// receives only from it.
    ///
    /// # Errors
    /// `NotFound`/`ConnectionRefused` if no socket is bound at `path`.
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.io.get_ref().connect(path)
    }

    /// Sends one datagram to the connected peer.
    ///
    /// Cancel-safe: if the future is dropped, nothing was sent.
    ///
    /// # Errors
    /// `NotConnected` if not connected; `ConnectionRefused` if the peer is
    /// gone; `WouldBlock` never (waits instead).
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_send(cx, buf)).await
    }

    /// Polls to send one datagram to the connected peer.
    ///
    /// # Errors
    /// As [`send`](UnixDatagram::send).
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(Direction::Write, cx, |s| sys::send(s.as_fd(), buf))
    }

    /// Sends one datagram now, without waiting.
    ///
    /// # Errors
    /// `WouldBlock` if the socket's buffer is full; as
    /// [`send`](UnixDatagram::send).
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .try_io(Direction::Write, |s| sys::send(s.as_fd(), buf))
    }

    /// Receives one datagram from the connected peer (a datagram longer
    /// than `buf` is truncated).
    ///
    /// Cancel-safe: if the future is dropped, no datagram was taken.
    ///
    /// # Errors
    /// The socket's error.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_recv(cx, buf)).await
    }

    /// Polls to receive one datagram.
    ///
    /// # Errors
    /// As [`recv`](UnixDatagram::recv).
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(Direction::Read, cx, |s| sys::recv(s.as_fd(), buf))
    }

    /// Receives one datagram now, without waiting.
    ///
    /// # Errors
    /// `WouldBlock` if none is queued.
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .try_io(Direction::Read, |s| sys::recv(s.as_fd(), buf))
    }

    /// Sends one datagram to the socket bound at `path`.
    ///
    /// Cancel-safe: if the future is dropped, nothing was sent.
    ///
    /// # Errors
    /// `NotFound`/`ConnectionRefused` if no socket is bound at `path`.
    pub async fn send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let path = path.as_ref();
        self.io.io(Direction::Write, |s| s.send_to(buf, path)).await
    }

    /// Sends one datagram to `path` now, without waiting.
    ///
    /// # Errors
    /// `WouldBlock` if the buffer is full; as
    /// [`send_to`](UnixDatagram::send_to).
    pub fn try_send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let path = path.as_ref();
        self.io.try_io(Direction::Write, |s| s.send_to(buf, path))
    }

    /// Receives one datagram and the sender's address.
    ///
    /// Cancel-safe: if the future is dropped, no datagram was taken.
    ///
    /// # Errors
    /// The socket's error.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        poll_fn(|cx| self.poll_recv_from(cx, buf)).await
    }

    /// Polls to receive one datagram and the sender's address.
    ///
    /// # Errors
    /// As [`recv_from`](UnixDatagram::recv_from).
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.io.poll_io(Direction::Read, cx, |s| s.recv_from(buf))
    }

    /// Receives one datagram and its sender now, without waiting.
    ///
    /// # Errors
    /// `WouldBlock` if none is queued.
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.try_io(Direction::Read, |s| s.recv_from(buf))
    }

    /// Waits until the socket may be readable (a hint). Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn readable(&self) -> io::Result<()> {
        self.io.ready(Direction::Read).await
    }

    /// Waits until the socket may be writable (a hint). Cancel-safe.
    ///
    /// # Errors
    /// Once the runtime has shut down.
    pub async fn writable(&self) -> io::Result<()> {
        self.io.ready(Direction::Write).await
    }

    /// The local address (unnamed unless bound).
    ///
    /// # Errors
    /// `getsockname`'s error (rare).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The connected peer's address.
    ///
    /// # Errors
    /// `NotConnected` if not connected.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Shuts down reading, writing, or both.
    ///
    /// # Errors
    /// `shutdown`'s error.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// The pending socket error (`SO_ERROR`), clearing it.
    ///
    /// # Errors
    /// `getsockopt`'s error.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

    /// Takes a std socket, puts it in non-blocking mode and registers it.
    ///
    /// # Errors
    /// Outside a runtime; if it cannot be made non-blocking or registered.
    pub fn from_std(socket: std::os::unix::net::UnixDatagram) -> io::Result<UnixDatagram> {
        socket.set_nonblocking(true)?;
        UnixDatagram::register(socket)
    }

    /// Deregisters the socket and gives back the std one (still
    /// non-blocking).
    ///
    /// # Errors
    /// None today; `io::Result` leaves room for platforms where leaving
    /// the poller can fail.
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixDatagram> {
        Ok(self.io.into_inner())
    }
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixDatagram")
            .field("fd", &self.as_raw_fd())
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .finish()
    }
}

impl AsRawFd for UnixDatagram {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UnixDatagram {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
