//! `TcpListenerBuilder`: listener options that must be set before `bind`
//! (backlog, `SO_REUSEADDR`, `SO_REUSEPORT`).

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, OwnedFd};

use nix::sys::socket::{self, Backlog, SockType, SockaddrStorage, sockopt};

use crate::net::addr::{self, ToSocketAddrs};
use crate::net::sys;

use super::TcpListener;

/// The backlog [`TcpListener::bind`] uses: deep enough for bursts of
/// connections on a busy server; the kernel caps it at `somaxconn`.
pub const DEFAULT_BACKLOG: u32 = 1024;

/// Options for a [`TcpListener`], made with [`TcpListener::builder`].
///
/// Defaults: backlog 1024, `SO_REUSEADDR` on (a restarted server can bind
/// while old connections sit in `TIME_WAIT`), `SO_REUSEPORT` off.
pub struct TcpListenerBuilder<A> {
    addr: A,
    backlog: u32,
    reuse_address: bool,
    reuse_port: bool,
    only_v6: Option<bool>,
}

impl<A: ToSocketAddrs> TcpListenerBuilder<A> {
    pub(super) fn new(addr: A) -> TcpListenerBuilder<A> {
        TcpListenerBuilder {
            addr,
            backlog: DEFAULT_BACKLOG,
            reuse_address: true,
            reuse_port: false,
            only_v6: None,
        }
    }

    /// `IPV6_V6ONLY` for IPv6 addresses: when on, `[::]` does not also take
    /// IPv4 connections, so `0.0.0.0:p` and `[::]:p` can both be bound (what
    /// asyncio's `start_server` does for several addresses). Unset: the
    /// system's default.
    pub fn only_v6(mut self, on: bool) -> Self {
        self.only_v6 = Some(on);
        self
    }

    /// The length of the queue of connections not yet accepted (`listen`'s
    /// backlog). Values above the system's `SOMAXCONN` are capped.
    pub fn backlog(mut self, backlog: u32) -> Self {
        self.backlog = backlog;
        self
    }

    /// `SO_REUSEADDR` (on by default).
    pub fn reuse_address(mut self, on: bool) -> Self {
        self.reuse_address = on;
        self
    }

    /// `SO_REUSEPORT`: several listeners (in this process or others) may
    /// bind the same address and port; the kernel spreads connections over
    /// them. Off by default.
    pub fn reuse_port(mut self, on: bool) -> Self {
        self.reuse_port = on;
        self
    }

    /// Binds and listens, trying each address `addr` resolves to in turn.
    ///
    /// Cancel-safe (dropping it closes any half-made socket).
    ///
    /// # Errors
    /// Resolution errors; the last address's `socket`, `setsockopt`, `bind`
    /// or `listen` error (e.g. `AddrInUse`); an error outside a runtime.
    pub async fn bind(self) -> io::Result<TcpListener> {
        let TcpListenerBuilder {
            addr,
            backlog,
            reuse_address,
            reuse_port,
            only_v6,
        } = self;
        let options = Options {
            backlog,
            reuse_address,
            reuse_port,
            only_v6,
        };
        addr::try_each(addr, |addr| async move {
            let fd = options.listen(addr)?;
            TcpListener::from_listening(std::net::TcpListener::from(fd))
        })
        .await
    }
}

#[derive(Copy, Clone)]
struct Options {
    backlog: u32,
    reuse_address: bool,
    reuse_port: bool,
    only_v6: Option<bool>,
}

impl Options {
    fn listen(self, addr: SocketAddr) -> io::Result<OwnedFd> {
        let fd = sys::socket(sys::family(&addr), SockType::Stream)?;
        if self.reuse_address {
            socket::setsockopt(&fd, sockopt::ReuseAddr, &true)?;
        }
        if self.reuse_port {
            socket::setsockopt(&fd, sockopt::ReusePort, &true)?;
        }
        if let (Some(on), SocketAddr::V6(_)) = (self.only_v6, addr) {
            socket::setsockopt(&fd, sockopt::Ipv6V6Only, &on)?;
        }
        socket::bind(fd.as_raw_fd(), &SockaddrStorage::from(addr))?;
        let max = i32::from(Backlog::MAXCONN);
        let backlog = Backlog::new(i32::try_from(self.backlog).unwrap_or(max).min(max))?;
        socket::listen(&fd, backlog)?;
        Ok(fd)
    }
}

impl<A: fmt::Debug> fmt::Debug for TcpListenerBuilder<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListenerBuilder")
            .field("addr", &self.addr)
            .field("backlog", &self.backlog)
            .field("reuse_address", &self.reuse_address)
            .field("reuse_port", &self.reuse_port)
            .finish()
    }
}
