//! `runtime-io`: the epoll/kqueue reactor, sockets, and asyncio streams.
//!
//! The reactor waits in epoll directly on Linux (through `nix`, so it can
//! register a source once, edge-triggered, for both directions) and in the
//! `polling` crate's poller elsewhere; it plugs into
//! `runtime-core`'s driver seam: the worker that parks is the one that polls
//! I/O, so there is no dedicated I/O thread. It is installed into a runtime
//! the first time that runtime creates a socket.

#![warn(missing_docs)]

mod async_fd;
pub mod net;
pub(crate) mod reactor;
pub mod streams;

pub use async_fd::AsyncFd;

pub use streams::{
    Server, StreamReader, StreamWriter, open_connection, open_unix_connection, start_server,
    start_unix_server,
};

#[cfg(test)]
mod reactor_tests;
