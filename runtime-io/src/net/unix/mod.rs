//! Unix-domain sockets: [`UnixListener`], [`UnixStream`] (and its halves),
//! [`UnixDatagram`]. Addresses are filesystem paths; the std
//! [`SocketAddr`](std::os::unix::net::SocketAddr) describes the other end.

mod datagram;
mod listener;
mod split;
mod stream;

pub use datagram::UnixDatagram;
pub use listener::UnixListener;
pub use split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
pub use stream::UnixStream;
