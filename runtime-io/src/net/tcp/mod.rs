//! TCP: [`TcpListener`], [`TcpStream`] and the stream's halves.

mod builder;
mod listener;
mod options;
mod split;
mod stream;

pub use builder::{DEFAULT_BACKLOG, TcpListenerBuilder};
pub use listener::TcpListener;
pub use split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
pub use stream::TcpStream;
