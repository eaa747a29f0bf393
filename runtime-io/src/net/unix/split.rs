//! `UnixStream`'s halves: see `net/split.rs`, which generates them.

use std::os::unix::net::SocketAddr;

use super::UnixStream;

crate::net::split::split_halves!(UnixStream, SocketAddr);
