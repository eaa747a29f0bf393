//! `runtime-io`: the epoll/kqueue reactor, sockets, and asyncio streams.
//!
//! Coming with its issue: a reactor on the `polling` crate that plugs into
//! `runtime-core`'s driver seam (the worker that parks is the one that polls
//! I/O), `TcpListener` / `TcpStream` / `UdpSocket` / Unix sockets, and
//! asyncio's `open_connection` / `start_server` with `StreamReader` /
//! `StreamWriter`.
