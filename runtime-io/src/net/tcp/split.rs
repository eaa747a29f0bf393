//! `TcpStream`'s halves: see `net/split.rs`, which generates them.

use std::net::SocketAddr;

use super::TcpStream;

crate::net::split::split_halves!(TcpStream, SocketAddr);
