//! `TcpStream`'s socket options: Nagle, keep-alive, linger, TTL.

use std::io;
use std::time::Duration;

use nix::libc;
use nix::sys::socket::{self, sockopt};

use super::TcpStream;

impl TcpStream {
    /// Turns Nagle's algorithm off (`TCP_NODELAY`): small writes go out at
    /// once instead of waiting to be coalesced. Good for request/response
    /// protocols.
    ///
    /// # Errors
    /// `setsockopt`'s error.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.get_ref().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is on.
    ///
    /// # Errors
    /// `getsockopt`'s error.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.get_ref().nodelay()
    }

    /// Turns TCP keep-alive probes on or off (`SO_KEEPALIVE`; the timings
    /// are the system's).
    ///
    /// # Errors
    /// `setsockopt`'s error.
    pub fn set_keepalive(&self, on: bool) -> io::Result<()> {
        Ok(socket::setsockopt(self, sockopt::KeepAlive, &on)?)
    }

    /// Whether `SO_KEEPALIVE` is on.
    ///
    /// # Errors
    /// `getsockopt`'s error.
    pub fn keepalive(&self) -> io::Result<bool> {
        Ok(socket::getsockopt(self, sockopt::KeepAlive)?)
    }

    /// `SO_LINGER`. `None` (the default): close returns at once and the
    /// kernel sends what is queued in the background. `Some(d)`: close
    /// waits up to `d` for queued data to go out. `Some(Duration::ZERO)`:
    /// close discards queued data and resets the connection (the peer gets
    /// `ConnectionReset`) — note that a lingering close blocks the thread
    /// that drops the stream for up to `d`, so prefer zero or `None`.
    ///
    /// # Errors
    /// `setsockopt`'s error.
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        let value = libc::linger {
            l_onoff: linger.is_some().into(),
            l_linger: linger.map_or(0, |d| d.as_secs().try_into().unwrap_or(libc::c_int::MAX)),
        };
        Ok(socket::setsockopt(self, sockopt::Linger, &value)?)
    }

    /// The `SO_LINGER` setting (whole seconds).
    ///
    /// # Errors
    /// `getsockopt`'s error.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        let value = socket::getsockopt(self, sockopt::Linger)?;
        Ok((value.l_onoff != 0).then(|| Duration::from_secs(value.l_linger.max(0) as u64)))
    }

    /// Sets the IP time-to-live.
    ///
    /// # Errors
    /// `setsockopt`'s error.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live.
    ///
    /// # Errors
    /// `getsockopt`'s error.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }
}
