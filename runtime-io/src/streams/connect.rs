//! [`open_connection`] / [`open_unix_connection`] (asyncio's), their
//! options, and the address accessors of the socket-backed writers.

use std::io;
use std::path::Path;

use super::reader::{DEFAULT_LIMIT, StreamReader};
use super::writer::StreamWriter;
use crate::net::{TcpStream, ToSocketAddrs, UnixStream, tcp, unix};

/// Options for [`open_connection`] and [`open_unix_connection`] (asyncio's
/// `limit` keyword argument).
///
/// ```
/// use runtime_io::streams::{ConnectOptions, start_server};
///
/// runtime_core::run(async {
///     let server = start_server(|_r, _w| async {}, "127.0.0.1:0").await?;
///     let (reader, _writer) = ConnectOptions::new()
///         .limit(1024)
///         .open_connection(server.local_addr().unwrap())
///         .await?;
///     assert_eq!(reader.limit(), 1024);
///     Ok::<(), std::io::Error>(())
/// })
/// .unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    limit: usize,
}

impl Default for ConnectOptions {
    fn default() -> ConnectOptions {
        ConnectOptions::new()
    }
}

impl ConnectOptions {
    /// The defaults: reader limit 64 KiB.
    pub fn new() -> ConnectOptions {
        ConnectOptions {
            limit: DEFAULT_LIMIT,
        }
    }

    /// The reader's [`limit`](StreamReader::limit).
    ///
    /// # Panics
    /// If `limit` is 0.
    pub fn limit(mut self, limit: usize) -> ConnectOptions {
        assert!(limit > 0, "StreamReader limit cannot be 0");
        self.limit = limit;
        self
    }

    /// [`open_connection`] with these options.
    ///
    /// # Errors
    /// As [`open_connection`].
    pub async fn open_connection<A: ToSocketAddrs>(
        self,
        addr: A,
    ) -> io::Result<(StreamReader, StreamWriter)> {
        let stream = TcpStream::connect(addr).await?;
        // asyncio sets TCP_NODELAY on TCP transports; the writer coalesces
        // until `drain` anyway. A failure only costs latency.
        let _ = stream.set_nodelay(true);
        let (read, write) = stream.into_split();
        Ok((
            StreamReader::with_limit(read, self.limit),
            StreamWriter::new(write),
        ))
    }

    /// [`open_unix_connection`] with these options.
    ///
    /// # Errors
    /// As [`open_unix_connection`].
    pub async fn open_unix_connection(
        self,
        path: impl AsRef<Path>,
    ) -> io::Result<(
        StreamReader<unix::OwnedReadHalf>,
        StreamWriter<unix::OwnedWriteHalf>,
    )> {
        let (read, write) = UnixStream::connect(path).await?.into_split();
        Ok((
            StreamReader::with_limit(read, self.limit),
            StreamWriter::new(write),
        ))
    }
}

/// Connects to `addr` over TCP and returns the connection as a reader and
/// a writer (asyncio `open_connection`). Host names are resolved off the
/// workers; each resolved address is tried in turn. The socket gets
/// `TCP_NODELAY`, as in asyncio. For a connect timeout, wrap the call in
/// `runtime_core::time::timeout`; for the reader's limit, [`ConnectOptions`].
///
/// Cancel-safe: dropping the future closes a half-made connection.
///
/// # Errors
/// Resolution and connect errors (`ConnectionRefused`, ...), from the last
/// address tried; an error outside a runtime.
pub async fn open_connection<A: ToSocketAddrs>(
    addr: A,
) -> io::Result<(StreamReader, StreamWriter)> {
    ConnectOptions::new().open_connection(addr).await
}

/// Connects to the Unix-domain socket at `path` (asyncio
/// `open_unix_connection`).
///
/// # Errors
/// Connect errors (`NotFound`, `ConnectionRefused`, ...); an error outside
/// a runtime.
pub async fn open_unix_connection(
    path: impl AsRef<Path>,
) -> io::Result<(
    StreamReader<unix::OwnedReadHalf>,
    StreamWriter<unix::OwnedWriteHalf>,
)> {
    ConnectOptions::new().open_unix_connection(path).await
}

impl StreamWriter<tcp::OwnedWriteHalf> {
    /// The remote address (asyncio `get_extra_info("peername")`).
    ///
    /// # Errors
    /// `NotConnected` once the connection is gone.
    pub fn peer_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.get_ref().peer_addr()
    }

    /// The local address (asyncio `get_extra_info("sockname")`).
    ///
    /// # Errors
    /// `getsockname`'s error (rare).
    pub fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.get_ref().local_addr()
    }
}

impl StreamWriter<unix::OwnedWriteHalf> {
    /// The remote address (asyncio `get_extra_info("peername")`; usually
    /// unnamed for an accepted connection).
    ///
    /// # Errors
    /// `NotConnected` once the connection is gone.
    pub fn peer_addr(&self) -> io::Result<std::os::unix::net::SocketAddr> {
        self.get_ref().peer_addr()
    }

    /// The local address (asyncio `get_extra_info("sockname")`).
    ///
    /// # Errors
    /// `getsockname`'s error (rare).
    pub fn local_addr(&self) -> io::Result<std::os::unix::net::SocketAddr> {
        self.get_ref().local_addr()
    }
}
