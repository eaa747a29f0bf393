//! The OS poller under the reactor: register an fd once (edge-triggered,
//! both directions), wait for events with a timeout, wake a waiter from
//! another thread.
//!
//! On Linux this is epoll driven directly through `nix` (`epoll.rs`); on
//! every other platform it is the `polling` crate (`portable.rs`: kqueue,
//! event ports). Why not `polling` on Linux too: measured on the one-
//! connection echo benchmark, `polling::Poller::wait` costs four extra
//! syscalls per wait (it re-arms a timerfd and re-registers its notifier
//! with `epoll_ctl` on every call, and reads the notifier every time), which
//! made a round trip ~40% slower than tokio's. Here a wait is one
//! `epoll_wait`, the timeout is epoll's own (1 ms resolution, like the timer
//! wheel), and the eventfd is read only when a notification arrived.

#[cfg(target_os = "linux")]
mod epoll;
#[cfg(target_os = "linux")]
pub(crate) use epoll::Poller;

#[cfg(not(target_os = "linux"))]
mod portable;
#[cfg(not(target_os = "linux"))]
pub(crate) use portable::Poller;

/// One readiness event: which source, and which directions.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Event {
    pub(crate) key: usize,
    pub(crate) readable: bool,
    pub(crate) writable: bool,
    /// The peer closed its writing end (nothing more will ever arrive).
    /// Only reported where the OS says so separately (epoll's RDHUP/HUP).
    pub(crate) read_closed: bool,
}

/// Whether a read that returned fewer bytes than asked for proves the
/// kernel buffer empty *and* any end of stream already reported (as
/// `read_closed`), so the cached readiness may be cleared at once.
pub(crate) const SHORT_READ_DRAINS: bool = cfg!(target_os = "linux");

/// Whether a write to a byte stream (pipe, stream socket) that took fewer
/// bytes than offered proves the kernel buffer full, with the next edge
/// guaranteed once room frees up, so the cached write readiness may be
/// cleared at once. On Linux a non-blocking pipe write stops short only
/// when the pipe is full, and the reader that next takes data from a full
/// pipe wakes its writers (an EPOLLOUT edge); a socket write that stops
/// short has set SOCK_NOSPACE, which makes the kernel wake writers once the
/// send buffer drains.
pub(crate) const SHORT_WRITE_FILLS: bool = cfg!(target_os = "linux");
