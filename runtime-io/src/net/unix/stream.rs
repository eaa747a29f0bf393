//! `UnixStream`: a connected Unix stream socket.

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;

use nix::sys::socket::{AddressFamily, SockType, UnixAddr};

use crate::net::stream_methods::{async_read, async_write, read_methods, write_methods};
use crate::net::sys;
use crate::reactor::{Direction, IoSource};

use super::split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};

/// A connected Unix stream socket, with the same reading and writing API
/// as [`TcpStream`](crate::net::TcpStream): inherent async `read`,
/// `read_exact`, `read_to_end`, `write`, `write_all`, `flush`, `peek`,
/// `try_read`/`try_write`, `readable`/`writable`; `futures_io::AsyncRead`
/// and `AsyncWrite` (also for `&UnixStream`); halves from
/// [`split`](UnixStream::split) and [`into_split`](UnixStream::into_split).
/// Writes never raise `SIGPIPE`.
pub struct UnixStream {
    pub(super) io: IoSource<std::os::unix::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket at `path`.
    ///
    /// Cancel-safe: dropping the future closes the socket being connected.
    ///
    /// # Errors
    /// `NotFound` if nothing is at `path`, `ConnectionRefused` if nothing
    /// listens there, `WouldBlock` if the listener's backlog is full
    /// (Linux reports that instead of waiting); an error outside a runtime.
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let addr = UnixAddr::new(path.as_ref())?;
        let fd = sys::socket(AddressFamily::Unix, SockType::Stream)?;
        let stream = UnixStream::from_connected(std::os::unix::net::UnixStream::from(fd))?;
        if sys::start_connect(stream.as_fd(), &addr)? {
            stream
                .io
                .io(Direction::Write, |s| sys::finish_connect(s.as_fd()))
                .await?;
        }
        Ok(stream)
    }

    /// A connected pair of unnamed sockets (`socketpair`).
    ///
    /// # Errors
    /// `socketpair`'s error (e.g. out of descriptors); outside a runtime.
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = sys::socketpair(SockType::Stream)?;
        Ok((
            UnixStream::from_connected(a.into())?,
            UnixStream::from_connected(b.into())?,
        ))
    }

    /// Registers a non-blocking, connected (or connecting) socket.
    pub(crate) fn from_connected(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream {
            io: IoSource::new(stream)?,
        })
    }

    /// Takes a connected std stream, puts it in non-blocking mode and
    /// registers it with the current runtime.
    ///
    /// # Errors
    /// Outside a runtime; if it cannot be made non-blocking or registered.
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        UnixStream::from_connected(stream)
    }

    /// Deregisters the stream and gives back the std one (still
    /// non-blocking).
    ///
    /// # Errors
    /// None today; `io::Result` leaves room for platforms where leaving
    /// the poller can fail.
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
        Ok(self.io.into_inner())
    }

    /// The address of the other end.
    ///
    /// # Errors
    /// `NotConnected` once the connection is gone.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// The local address (unnamed unless bound).
    ///
    /// # Errors
    /// `getsockname`'s error (rare).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Shuts down the read side, the write side (the peer reads end of
    /// stream; we can still read), or both.
    ///
    /// # Errors
    /// `NotConnected` if the connection is already gone.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Splits into halves that borrow the stream (free).
    ///
    /// With `futures::io::AsyncReadExt` in scope, `stream.split()` resolves
    /// to that trait's by-value `split`; write `Self::split(&mut stream)`.
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        ReadHalf::pair(self)
    }

    /// Splits into owned halves that can move to two tasks. Dropping the
    /// write half shuts the write side down; [`OwnedReadHalf::reunite`]
    /// puts the stream back together.
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

read_methods!(UnixStream, io);
write_methods!(UnixStream, io);
async_read!(UnixStream, io);
async_write!(UnixStream, io);
async_read!(&UnixStream, io);
async_write!(&UnixStream, io);

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixStream")
            .field("fd", &self.as_raw_fd())
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .finish()
    }
}

impl AsRawFd for UnixStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UnixStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}
