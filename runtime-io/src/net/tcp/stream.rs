//! `TcpStream`: a connected TCP socket.

use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use nix::sys::socket::{SockType, SockaddrStorage};

use crate::net::addr::{self, ToSocketAddrs};
use crate::net::stream_methods::{async_read, async_write, read_methods, write_methods};
use crate::net::sys;
use crate::reactor::{Direction, IoSource};

use super::split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};

/// A TCP connection (asyncio's transport for a TCP socket).
///
/// Made by [`connect`](TcpStream::connect) or [`TcpListener::accept`]
/// (non-blocking and close-on-exec either way). Reading and writing need
/// only `&self`, so one task may read while another writes through a
/// shared reference, [`split`](TcpStream::split), or the owned halves of
/// [`into_split`](TcpStream::into_split). Writes never raise `SIGPIPE`: a
/// dead peer is a `BrokenPipe` or `ConnectionReset` error.
///
/// Implements `futures_io::AsyncRead` and `AsyncWrite` (also for
/// `&TcpStream`), and has the same operations as inherent async methods
/// (`read`, `read_exact`, `read_to_end`, `write`, `write_all`, `flush`) so
/// that no trait import is needed.
///
/// Dropping the stream closes the connection.
///
/// [`TcpListener::accept`]: super::TcpListener::accept
pub struct TcpStream {
    pub(super) io: IoSource<std::net::TcpStream>,
}

impl TcpStream {
    /// Connects to `addr`, trying each address it resolves to in turn
    /// (host names are resolved on the blocking pool) and returning the
    /// first connection made.
    ///
    /// For a deadline, wrap it: `runtime_core::time::timeout(d,
    /// TcpStream::connect(addr))`.
    ///
    /// Cancel-safe: dropping the future closes the socket being connected.
    ///
    /// # Errors
    /// Resolution errors; the last address's connect error (e.g.
    /// `ConnectionRefused`, `TimedOut`, `NetworkUnreachable`);
    /// `InvalidInput` if the name resolved to no address; an error outside
    /// a runtime.
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        addr::try_each(addr, TcpStream::connect_addr).await
    }

    async fn connect_addr(addr: SocketAddr) -> io::Result<TcpStream> {
        let fd = sys::socket(sys::family(&addr), SockType::Stream)?;
        // Registered before the connect starts, so the edge that reports
        // its completion cannot be missed.
        let stream = TcpStream::from_connected(std::net::TcpStream::from(fd))?;
        if sys::start_connect(stream.as_fd(), &SockaddrStorage::from(addr))? {
            // The cached readiness starts optimistic, so the first check can
            // come too early: finish_connect says WouldBlock and io() waits
            // for the real edge.
            stream
                .io
                .io(Direction::Write, |s| sys::finish_connect(s.as_fd()))
                .await?;
        }
        Ok(stream)
    }

    /// Registers a non-blocking, connected (or connecting) socket.
    pub(crate) fn from_connected(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            io: IoSource::new(stream)?,
        })
    }

    /// Takes a connected std stream, puts it in non-blocking mode and
    /// registers it with the current runtime.
    ///
    /// # Errors
    /// Outside a runtime; if it cannot be made non-blocking or registered.
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        TcpStream::from_connected(stream)
    }

    /// Deregisters the stream and gives back the std one (still
    /// non-blocking: call `set_nonblocking(false)` to use it blocking).
    ///
    /// # Errors
    /// None today; `io::Result` leaves room for platforms where leaving
    /// the poller can fail.
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        Ok(self.io.into_inner())
    }

    /// The remote address.
    ///
    /// # Errors
    /// `NotConnected` once the connection is gone.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// The local address.
    ///
    /// # Errors
    /// `getsockname`'s error (rare).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Shuts down the read side, the write side (the peer then reads end
    /// of stream; we can still read), or both. The descriptor stays open
    /// until the stream is dropped.
    ///
    /// # Errors
    /// `NotConnected` if the connection is already gone.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Splits into a read half and a write half that borrow the stream:
    /// free (no reference count), for use within one task or scope.
    ///
    /// With `futures::io::AsyncReadExt` in scope, `stream.split()` resolves
    /// to that trait's by-value `split`; write `Self::split(&mut stream)`.
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        ReadHalf::pair(self)
    }

    /// Splits into owned halves that can move to two tasks (they share the
    /// stream through an `Arc`). Dropping the write half shuts the write
    /// side down; [`OwnedReadHalf::reunite`] puts the stream back together.
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        OwnedReadHalf::pair(self)
    }

    /// The pending socket error (`SO_ERROR`), clearing it.
    ///
    /// # Errors
    /// `getsockopt`'s error.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }
}

read_methods!(TcpStream, io);
write_methods!(TcpStream, io);
async_read!(TcpStream, io);
async_write!(TcpStream, io);
async_read!(&TcpStream, io);
async_write!(&TcpStream, io);

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("fd", &self.as_raw_fd())
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .finish()
    }
}

impl AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for TcpStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
