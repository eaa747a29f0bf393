//! [`SocketAddress`]: a TCP or a Unix socket address, for the places that
//! serve both ([`Server::local_addrs`](super::Server::local_addrs)).

use std::fmt;
use std::net::SocketAddr;
use std::os::unix::net::SocketAddr as UnixSocketAddr;

/// The address of a TCP or of a Unix-domain socket (asyncio's `sockname` /
/// `peername`, which are a tuple or a path depending on the family).
#[derive(Clone)]
pub enum SocketAddress {
    /// An IPv4 or IPv6 address and port.
    Inet(SocketAddr),
    /// A Unix-domain socket address (usually a path).
    Unix(UnixSocketAddr),
}

impl SocketAddress {
    /// The IP address and port, for a TCP socket.
    pub fn as_inet(&self) -> Option<SocketAddr> {
        match self {
            SocketAddress::Inet(addr) => Some(*addr),
            SocketAddress::Unix(_) => None,
        }
    }

    /// The Unix socket address, for a Unix-domain socket.
    pub fn as_unix(&self) -> Option<&UnixSocketAddr> {
        match self {
            SocketAddress::Inet(_) => None,
            SocketAddress::Unix(addr) => Some(addr),
        }
    }
}

impl From<SocketAddr> for SocketAddress {
    fn from(addr: SocketAddr) -> SocketAddress {
        SocketAddress::Inet(addr)
    }
}

impl From<UnixSocketAddr> for SocketAddress {
    fn from(addr: UnixSocketAddr) -> SocketAddress {
        SocketAddress::Unix(addr)
    }
}

impl fmt::Debug for SocketAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SocketAddress::Inet(addr) => fmt::Debug::fmt(addr, f),
            SocketAddress::Unix(addr) => fmt::Debug::fmt(addr, f),
        }
    }
}

impl fmt::Display for SocketAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SocketAddress::Inet(addr) => fmt::Display::fmt(addr, f),
            SocketAddress::Unix(addr) => match addr.as_pathname() {
                Some(path) => write!(f, "{}", path.display()),
                None => f.write_str("(unnamed)"),
            },
        }
    }
}
