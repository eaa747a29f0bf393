//! asyncio's high-level streams: [`open_connection`] and [`start_server`]
//! (and their Unix variants) give a connection as a [`StreamReader`] and a
//! [`StreamWriter`].
//!
//! ```
//! use runtime_io::streams::{open_connection, start_server, StreamReader, StreamWriter};
//!
//! // asyncio's echo server: read a line, send it back, close.
//! async fn handle_echo(mut reader: StreamReader, mut writer: StreamWriter) {
//!     let Ok(line) = reader.readline().await else { return };
//!     writer.write(&line);
//!     if writer.drain().await.is_ok() {
//!         writer.close();
//!         let _ = writer.wait_closed().await;
//!     }
//! }
//!
//! runtime_core::run(async {
//!     let server = start_server(handle_echo, "127.0.0.1:0").await?;
//!     let addr = server.local_addr().unwrap();
//!
//!     let (mut reader, mut writer) = open_connection(addr).await?;
//!     writer.write(b"Hello World!\n");
//!     writer.drain().await?;
//!     assert_eq!(reader.readline().await?, b"Hello World!\n");
//!     assert_eq!(reader.read_to_end().await?, b""); // the server closed
//!     writer.close();
//!     writer.wait_closed().await?;
//!
//!     server.close();
//!     server.wait_closed().await;
//!     Ok::<(), std::io::Error>(())
//! })
//! .unwrap();
//! ```
//!
//! # Types and errors
//! [`StreamReader`] and [`StreamWriter`] are generic over any
//! `futures-io` reader and writer (subprocess pipes, in-memory streams);
//! the type parameters default to a TCP connection's owned halves. Reader
//! methods that can fail for more than an I/O reason return
//! [`StreamError`] (with [`IncompleteRead`] and [`LimitOverrun`] inside);
//! `?` turns it into an [`std::io::Error`] when that is all you need.
//!
//! # Cancellation
//! Every `StreamReader` method and [`StreamWriter::drain`],
//! [`write_eof`](StreamWriter::write_eof) and
//! [`wait_closed`](StreamWriter::wait_closed) are cancel-safe: a dropped
//! call loses no data, which stays in the reader's or the writer's buffer
//! for the next call. Bytes still in a writer's buffer when the writer is
//! dropped are lost (drain first).
//!
//! # Where this differs from asyncio
//! - There is no background writer: `write` buffers, `drain` sends the
//!   whole buffer (see [`StreamWriter`]). `write_eof` is `async`.
//! - `read(-1)` is [`StreamReader::read_to_end`].
//! - [`start_server`] listens on every address `addr` resolves to, each
//!   once, with IPv6 sockets IPv6-only when there are several (as asyncio).
//! - Handlers are `Fn(StreamReader, StreamWriter) -> impl Future<Output = ()>`;
//!   each connection runs as its own task.
//!
//! # Accept faults
//! A server whose accept fails for lack of descriptors or memory
//! (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`) keeps running: the pending
//! connection stays queued in the kernel, the accept loop sleeps (10 ms,
//! doubling up to 1 s, or until one of the server's connections finishes)
//! without spinning, then accepts again. Per-connection errors
//! (`ECONNABORTED`, `EPROTO`, ...) are skipped. Other errors stop the
//! accept loop and come out of [`Server::serve_forever`].

mod accept;
mod addr;
mod connect;
mod error;
mod reader;
mod server;
mod state;
mod writer;

pub use addr::SocketAddress;
pub use connect::{ConnectOptions, open_connection, open_unix_connection};
pub use error::{IncompleteRead, LimitOverrun, StreamError};
pub use reader::{DEFAULT_LIMIT, READ_CHUNK, StreamReader};
pub use server::{Server, ServerOptions, start_server, start_unix_server};
pub use writer::{DEFAULT_HIGH_WATER, DEFAULT_LOW_WATER, StreamWriter};

#[cfg(test)]
mod reader_tests;
#[cfg(test)]
mod test_pipe;
#[cfg(test)]
mod writer_tests;
