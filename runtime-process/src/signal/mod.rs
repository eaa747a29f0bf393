//! Unix signals as asynchronous events (asyncio `loop.add_signal_handler`,
//! tokio's `signal`).
//!
//! [`signal(kind)`](signal) returns a [`Signal`] listener; every listener of
//! a signal sees every delivery that happens after it was created. Between
//! two `recv` calls deliveries **coalesce**, as POSIX signals do: three
//! `SIGUSR1`s that arrive while nobody is receiving make the next `recv`
//! return once, not three times — but none is ever lost: a delivery after
//! the previous `recv` returned always makes the next one return.
//!
//! ```no_run
//! runtime_core::run(async {
//!     runtime_process::signal::ctrl_c().await.unwrap();
//!     println!("interrupted, shutting down");
//! });
//! ```
//!
//! # How
//! The first listener of a signal installs a process-wide handler (the
//! signal's disposition stays ours from then on, as with asyncio). The
//! handler does only async-signal-safe work: it bumps the signal's delivery
//! counter and writes a byte to every listener's own wake pipe. Each
//! listener registers its pipe with its runtime's reactor (so listeners in
//! different runtimes all hear it), drains only its own pipe, and compares
//! the counter with the value it last saw. At most 1,024 listeners exist at
//! once, process-wide.

mod handler;

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::task::{Context, Poll};

use runtime_io::AsyncFd;

/// Which signal to listen for.
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
pub struct SignalKind(i32);

impl SignalKind {
    /// `SIGINT` (Ctrl-C).
    pub const fn interrupt() -> SignalKind {
        SignalKind(nix::libc::SIGINT)
    }
    /// `SIGTERM` (polite termination request).
    pub const fn terminate() -> SignalKind {
        SignalKind(nix::libc::SIGTERM)
    }
    /// `SIGHUP` (terminal hang-up; often "reload configuration").
    pub const fn hangup() -> SignalKind {
        SignalKind(nix::libc::SIGHUP)
    }
    /// `SIGQUIT`.
    pub const fn quit() -> SignalKind {
        SignalKind(nix::libc::SIGQUIT)
    }
    /// `SIGUSR1`.
    pub const fn user_defined1() -> SignalKind {
        SignalKind(nix::libc::SIGUSR1)
    }
    /// `SIGUSR2`.
    pub const fn user_defined2() -> SignalKind {
        SignalKind(nix::libc::SIGUSR2)
    }
    /// `SIGCHLD` (a child stopped or exited).
    pub const fn child() -> SignalKind {
        SignalKind(nix::libc::SIGCHLD)
    }
    /// `SIGWINCH` (terminal size changed).
    pub const fn window_change() -> SignalKind {
        SignalKind(nix::libc::SIGWINCH)
    }
    /// `SIGALRM`.
    pub const fn alarm() -> SignalKind {
        SignalKind(nix::libc::SIGALRM)
    }
    /// Any signal by number (checked when listening).
    pub const fn from_raw(signum: i32) -> SignalKind {
        SignalKind(signum)
    }
    /// The signal's number.
    pub const fn as_raw(self) -> i32 {
        self.0
    }
}

impl fmt::Debug for SignalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match nix::sys::signal::Signal::try_from(self.0) {
            Ok(signal) => write!(f, "{signal:?}"),
            Err(_) => write!(f, "SignalKind({})", self.0),
        }
    }
}

/// A listener of one signal; see the [module docs](self).
pub struct Signal {
    kind: SignalKind,
    /// The delivery count when `recv` last returned (or at creation).
    seen: u64,
    /// A duplicate of the wake pipe's read end, registered with the
    /// reactor. Declared before `claim`: it is dropped (deregistered and
    /// closed) before the slot is given up.
    pipe: AsyncFd<OwnedFd>,
    /// Held only to keep the slot (released on drop).
    _claim: handler::WakeClaim,
}

/// Starts listening for `kind`. Deliveries from now on are seen.
///
/// # Errors
/// [`io::ErrorKind::InvalidInput`] for a number that is not a signal, or
/// for `SIGKILL`/`SIGSTOP` (which cannot be caught) and `SIGSEGV`, `SIGBUS`,
/// `SIGILL`, `SIGFPE` (which must not be turned into events); outside a
/// runtime; if the handler or the pipe cannot be set up.
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    let counter = handler::install(kind.0)?;
    let claim = handler::WakeClaim::new()?;
    let pipe = AsyncFd::new(claim.read_fd().try_clone_to_owned()?)?;
    Ok(Signal {
        kind,
        seen: counter.load(),
        pipe,
        _claim: claim,
    })
}

/// Waits for the next `SIGINT` (Ctrl-C) after the first poll.
///
/// # Errors
/// As [`signal`], or if the runtime shut down while waiting.
pub async fn ctrl_c() -> io::Result<()> {
    signal(SignalKind::interrupt())?.recv().await
}

impl Signal {
    /// The signal listened for.
    pub fn kind(&self) -> SignalKind {
        self.kind
    }

    /// Waits until the signal has been delivered since the last `recv`
    /// returned (or since the listener was created). Cancel-safe: a
    /// delivery is never consumed by a `recv` that was dropped.
    ///
    /// # Errors
    /// If the runtime whose reactor watches the pipe has shut down.
    pub async fn recv(&mut self) -> io::Result<()> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// The poll form of [`recv`](Signal::recv).
    ///
    /// # Errors
    /// As [`recv`](Signal::recv).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let counter = handler::counter(self.kind.0);
        let seen = &mut self.seen;
        self.pipe.poll_read_with(cx, |pipe| {
            let now = counter.load();
            if now != *seen {
                *seen = now;
                return Ok(());
            }
            // Nothing new: empty the pipe so the next delivery's byte makes
            // a new edge, then look again (a delivery may have slipped in
            // before the drain took its byte).
            handler::drain(pipe.as_fd());
            let now = counter.load();
            if now != *seen {
                *seen = now;
                return Ok(());
            }
            Err(io::ErrorKind::WouldBlock.into())
        })
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal").field("kind", &self.kind).finish()
    }
}
