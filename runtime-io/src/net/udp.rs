//! `UdpSocket`: a UDP socket.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::task::{Context, Poll};

use nix::sys::socket::{self, SockType, SockaddrStorage, sockopt};

use crate::net::addr::{self, ToSocketAddrs};
use crate::net::sys;
use crate::reactor::{Direction, IoSource};

/// A UDP socket (asyncio's datagram endpoint).
///
/// All methods take `&self`, so one socket can serve several tasks (e.g.
/// in an `Arc`); each datagram is received by exactly one of them.
///
/// ```
/// # runtime_core::run(async {
/// use runtime_io::net::UdpSocket;
///
/// let a = UdpSocket::bind("127.0.0.1:0").await?;
/// let b = UdpSocket::bind("127.0.0.1:0").await?;
/// a.send_to(b"ping", b.local_addr()?).await?;
/// let mut buf = [0u8; 16];
/// let (n, from) = b.recv_from(&mut buf).await?;
/// assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct UdpSocket {
    io: IoSource<std::net::UdpSocket>,
}

impl UdpSocket {
    /// A socket bound to `addr` (port 0 picks a free port), trying each
    /// address `addr` resolves to in turn.
    ///
    /// # Errors
    /// Resolution errors; the last address's bind error (e.g.
    /// `AddrInUse`); an error outside a runtime.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        addr::try_each(addr, |addr| async move {
            let fd = sys::socket(sys::family(&addr), SockType::Datagram)?;
            socket::bind(fd.as_raw_fd(), &SockaddrStorage::from(addr))?;
            Ok(UdpSocket {
                io: IoSource::new(std::net::UdpSocket::from(fd))?,
            })
        })
        .await
    }

    /// Sets the default destination for [`send`](UdpSocket::send) and
    /// receives only from it from now on. With several addresses, the
    /// first one the kernel accepts wins (UDP connect sends nothing, so a
    /// peer that is not listening shows up later, as `ConnectionRefused`
    /// from `recv`).
    ///
    /// # Errors
    /// Resolution errors; the last address's error (e.g. an address of the
    /// wrong family).
    pub async fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        // std's connect with a literal address makes no lookup: it cannot
        // block.
        addr::try_each(addr, |addr| async move { self.io.get_ref().connect(addr) }).await
    }

    /// Sends one datagram to the connected peer; returns the bytes sent.
    ///
    /// Cancel-safe: if the future is dropped, nothing was sent.
    ///
    /// # Errors
    /// `NotConnected` without [`connect`](UdpSocket::connect);
    /// `ConnectionRefused` after an ICMP "port unreachable" from the peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_send(cx, buf)).await
    }

    /// Polls to send one datagram to the connected peer.
    ///
    /// # Errors
    /// As [`send`](UdpSocket::send).
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.io.poll_io(Direction::Write, cx, |s| s.send(buf))
    }

    /// Sends one datagram to the connected peer now, without waiting.
    ///
    /// # Errors
    /// `WouldBlock` if the send buffer is full; as [`send`](UdpSocket::send).
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Direction::Write, |s| s.send(buf))
    }

    /// Receives one datagram from the connected peer (a longer datagram is
    /// truncated to `buf`).
    ///
    /// Cancel-safe: if the future is dropped, no datagram was taken.
    ///
    /// # Errors
    /// `ConnectionRefused` if an earlier datagram to the peer bounced.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_recv(cx, buf)).await
    }

    /// Polls to receive one datagram.
    ///
    /// # Errors
    /// As [`recv`](UdpSocket::recv).
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io.poll_io(Direction::Read, cx, |s| s.recv(buf))
    }

    /// Receives one datagram now, without waiting.
    ///
    /// # Errors
    /// `WouldBlock` if none is queued.
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Direction::Read, |s| s.recv(buf))
    }

    /// Sends one datagram to `target` (the first address it resolves to).
    ///
    /// Cancel-safe: if the future is dropped, nothing was sent.
    ///
    /// # Errors
    /// Resolution errors; `InvalidInput` if `target` names no address;
    /// the socket's error (e.g. an address of the wrong family).
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        let target = addr::resolve(target)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "no addresses to send data to")
            })?;
        poll_fn(|cx| self.poll_send_to(cx, buf, target)).await
    }

    /// Polls to send one datagram to `target`.
    ///
    /// # Errors
    /// As [`send_to`](UdpSocket::send_to).
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(Direction::Write, cx, |s| s.send_to(buf, target))
    }

    /// Sends one datagram to `target` now, without waiting.
    ///
    /// # Errors
    /// `WouldBlock` if the send buffer is full; the socket's error.
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.io.try_io(Direction::Write, |s| s.send_to(buf, target))
    }

    /// Receives one datagram and its sender's address.
    ///
    /// Cancel-safe: if the future is dropped, no datagram was taken.
    ///
    /// # Errors
    /// The socket's error.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        poll_fn(|cx| self.poll_recv_from(cx, buf)).await
    }

    /// Polls to receive one datagram and its sender.
    ///
    /// # Errors
    /// As [`recv_from`](UdpSocket::recv_from).
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

    /// Like [`recv_from`](UdpSocket::recv_from), but the datagram stays
    /// queued for the next receive.
    ///
    /// Cancel-safe.
    ///
    /// # Errors
    /// The socket's error.
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.io(Direction::Read, |s| s.peek_from(buf)).await
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

    /// The local address.
    ///
    /// # Errors
    /// `getsockname`'s error (rare).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The connected peer's address.
    ///
    /// # Errors
    /// `NotConnected` without [`connect`](UdpSocket::connect).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// `SO_BROADCAST`: allow sending to broadcast addresses.
    ///
    /// # Errors
    /// `setsockopt`'s error.
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        Ok(socket::setsockopt(self, sockopt::Broadcast, &on)?)
    }

    /// Whether `SO_BROADCAST` is on.
    ///
    /// # Errors
    /// `getsockopt`'s error.
    pub fn broadcast(&self) -> io::Result<bool> {
        Ok(socket::getsockopt(self, sockopt::Broadcast)?)
    }

    /// Sets the IP time-to-live of outgoing datagrams.
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

    /// The pending socket error (`SO_ERROR`), clearing it.
    ///
    /// # Errors
    /// `getsockopt`'s error.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

    /// Takes a bound std socket, puts it in non-blocking mode and
    /// registers it with the current runtime.
    ///
    /// # Errors
    /// Outside a runtime; if it cannot be made non-blocking or registered.
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        Ok(UdpSocket {
            io: IoSource::new(socket)?,
        })
    }

    /// Deregisters the socket and gives back the std one (still
    /// non-blocking).
    ///
    /// # Errors
    /// None today; `io::Result` leaves room for platforms where leaving
    /// the poller can fail.
    pub fn into_std(self) -> io::Result<std::net::UdpSocket> {
        Ok(self.io.into_inner())
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("fd", &self.as_raw_fd())
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .finish()
    }
}

impl AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UdpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
