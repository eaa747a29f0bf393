//! Address resolution that never blocks a worker: literal addresses are
//! parsed in place, host names go to the blocking pool
//! (`getaddrinfo` through `std::net::ToSocketAddrs`).

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use runtime_core::Handle;

/// Something that names one or more socket addresses: what
/// [`TcpStream::connect`](super::TcpStream::connect),
/// [`TcpListener::bind`](super::TcpListener::bind) and
/// [`UdpSocket::bind`](super::UdpSocket::bind) take.
///
/// Implemented for [`SocketAddr`], [`SocketAddrV4`], [`SocketAddrV6`],
/// `(IpAddr, u16)`, `(Ipv4Addr, u16)`, `(Ipv6Addr, u16)`, `(&str, u16)`,
/// `(String, u16)`, `&str` and `String` (`"host:port"`), `[SocketAddr]`,
/// and references to all of these (so `&[SocketAddr]` works).
///
/// Literal addresses (`"127.0.0.1:8080"`, `("::1", 80)`) resolve at once,
/// with no thread hop. Host names (`"localhost:8080"`) are looked up with
/// the system resolver on the runtime's blocking pool, so a slow DNS server
/// never stalls a worker. The trait is sealed: its method is an
/// implementation detail.
pub trait ToSocketAddrs: sealed::Sealed {}

pub(crate) mod sealed {
    use super::Lookup;

    /// The hidden half of [`ToSocketAddrs`](super::ToSocketAddrs).
    pub trait Sealed {
        /// What is left to do to get the addresses.
        fn lookup(&self) -> Lookup;
    }
}

use sealed::Sealed;

/// What is left to do to turn an address argument into addresses.
pub enum Lookup {
    /// A literal: done without leaving the calling thread.
    Done(Vec<SocketAddr>),
    /// `"host:port"`, for the resolver.
    Str(String),
    /// A host name and port, for the resolver.
    HostPort(String, u16),
}

/// The addresses `addr` names, in the resolver's order.
///
/// # Errors
/// What the system resolver reports for a name that does not resolve (the
/// same `io::Error` std gives), an `InvalidInput` error for a malformed
/// `"host:port"`, or an error outside a runtime (names only: a lookup needs
/// the runtime's blocking pool).
pub(crate) fn resolve<A: ToSocketAddrs>(
    addr: A,
) -> impl Future<Output = io::Result<Vec<SocketAddr>>> + Send + 'static {
    // Decided now, before the first await, so the future owns no borrow of
    // `addr`.
    let lookup = addr.lookup();
    async move {
        let blocking = match lookup {
            Lookup::Done(addrs) => return Ok(addrs),
            Lookup::Str(s) => Blocking::Str(s),
            Lookup::HostPort(host, port) => Blocking::HostPort(host, port),
        };
        let handle = Handle::try_current().map_err(io::Error::other)?;
        handle
            .spawn_blocking(move || blocking.run())
            .await
            .map_err(|e| io::Error::other(format!("address lookup failed: {e}")))?
    }
}

/// A lookup to run on the blocking pool.
enum Blocking {
    Str(String),
    HostPort(String, u16),
}

impl Blocking {
    fn run(self) -> io::Result<Vec<SocketAddr>> {
        use std::net::ToSocketAddrs as _;
        match self {
            Blocking::Str(s) => Ok(s.to_socket_addrs()?.collect()),
            Blocking::HostPort(host, port) => {
                Ok((host.as_str(), port).to_socket_addrs()?.collect())
            }
        }
    }
}

/// Runs `op` on each address `addr` names until one succeeds; otherwise
/// returns the last error (std's rule for `TcpStream::connect`).
///
/// # Errors
/// Resolution errors; the last address's error; `InvalidInput` if the name
/// resolved to no address at all.
pub(crate) async fn try_each<A, F, Fut, R>(addr: A, mut op: F) -> io::Result<R>
where
    A: ToSocketAddrs,
    F: FnMut(SocketAddr) -> Fut,
    Fut: Future<Output = io::Result<R>>,
{
    let mut last = None;
    for addr in resolve(addr).await? {
        match op(addr).await {
            Ok(r) => return Ok(r),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any addresses",
        )
    }))
}

macro_rules! literal {
    ($($ty:ty => |$this:ident| $addr:expr;)*) => {$(
        impl ToSocketAddrs for $ty {}
        impl Sealed for $ty {
            fn lookup(&self) -> Lookup {
                let $this = self;
                Lookup::Done(vec![SocketAddr::from($addr)])
            }
        }
    )*};
}

literal! {
    SocketAddr => |a| *a;
    SocketAddrV4 => |a| *a;
    SocketAddrV6 => |a| *a;
    (IpAddr, u16) => |a| *a;
    (Ipv4Addr, u16) => |a| *a;
    (Ipv6Addr, u16) => |a| *a;
}

impl ToSocketAddrs for [SocketAddr] {}
impl Sealed for [SocketAddr] {
    fn lookup(&self) -> Lookup {
        Lookup::Done(self.to_vec())
    }
}

impl ToSocketAddrs for str {}
impl Sealed for str {
    fn lookup(&self) -> Lookup {
        match self.parse::<SocketAddr>() {
            Ok(addr) => Lookup::Done(vec![addr]),
            Err(_) => Lookup::Str(self.to_owned()),
        }
    }
}

impl ToSocketAddrs for String {}
impl Sealed for String {
    fn lookup(&self) -> Lookup {
        self.as_str().lookup()
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl Sealed for (&str, u16) {
    fn lookup(&self) -> Lookup {
        let (host, port) = *self;
        match host.parse::<IpAddr>() {
            Ok(ip) => Lookup::Done(vec![SocketAddr::new(ip, port)]),
            Err(_) => Lookup::HostPort(host.to_owned(), port),
        }
    }
}

impl ToSocketAddrs for (String, u16) {}
impl Sealed for (String, u16) {
    fn lookup(&self) -> Lookup {
        (self.0.as_str(), self.1).lookup()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: Sealed + ?Sized> Sealed for &T {
    fn lookup(&self) -> Lookup {
        (**self).lookup()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_need_no_lookup_and_names_do() {
        for lookup in [
            "127.0.0.1:80".lookup(),
            ("::1", 80).lookup(),
            (Ipv4Addr::LOCALHOST, 80).lookup(),
            String::from("[::1]:9").lookup(),
        ] {
            assert!(matches!(lookup, Lookup::Done(ref a) if a.len() == 1));
        }
        assert!(matches!("localhost:80".lookup(), Lookup::Str(_)));
        assert!(matches!(("localhost", 80).lookup(), Lookup::HostPort(..)));
    }
}
