//! Non-blocking sockets driven by the runtime's reactor: TCP, UDP and Unix.
//!
//! Every socket here is non-blocking and close-on-exec from the moment it
//! is created, is registered with the current runtime's reactor on
//! creation (so it must be made inside a runtime), and is deregistered
//! before its descriptor closes. Writes never raise `SIGPIPE`: a dead peer
//! shows up as a `BrokenPipe` or `ConnectionReset` error.
//!
//! Host names are resolved on the blocking pool, never on a worker; literal
//! addresses are parsed in place (see [`ToSocketAddrs`]).
//!
//! Byte streams ([`TcpStream`], [`UnixStream`] and their halves) implement
//! `futures_io::AsyncRead`/`AsyncWrite` and also carry the same operations
//! as inherent async methods, so no trait import is needed:
//!
//! ```
//! use runtime_io::net::{TcpListener, TcpStream};
//!
//! runtime_core::run(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!
//!     // An echo server for one connection.
//!     let server = runtime_core::spawn(async move {
//!         let (stream, _peer) = listener.accept().await?;
//!         let mut buf = [0u8; 1024];
//!         loop {
//!             let n = stream.read(&mut buf).await?;
//!             if n == 0 {
//!                 return Ok::<_, std::io::Error>(());
//!             }
//!             stream.write_all(&buf[..n]).await?;
//!         }
//!     });
//!
//!     let client = TcpStream::connect(addr).await?;
//!     client.write_all(b"hello").await?;
//!     let mut reply = [0u8; 5];
//!     client.read_exact(&mut reply).await?;
//!     assert_eq!(&reply, b"hello");
//!
//!     drop(client); // the server reads end of stream and returns
//!     server.await.unwrap()?;
//!     Ok::<(), std::io::Error>(())
//! })
//! .unwrap();
//! ```
//!
//! Cancellation: each async method documents whether dropping its future
//! part-way loses anything. In short, `accept`, `connect`, `read`, `peek`,
//! `write`, `readable`, `writable`, `recv*` and `send*` are cancel-safe;
//! `read_exact` and `write_all` are not (they may have moved part of the
//! buffer).

mod addr;
mod split;
mod stream_io;
mod stream_methods;
pub(crate) mod sys;
pub mod tcp;
mod udp;
pub mod unix;

pub use addr::ToSocketAddrs;
pub(crate) use addr::resolve;
pub use tcp::{TcpListener, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixDatagram, UnixListener, UnixStream};
