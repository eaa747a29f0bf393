//! Knowing when a child exits, without polling on a timer, and reaping
//! every child exactly once — including children whose `Child` was dropped.
//!
//! - **pidfd** (Linux 5.3+): `pidfd_open(pid)` right after the spawn gives an
//!   fd that becomes readable when the child exits; it is registered with the
//!   reactor like a socket, and `waitpid(pid, WNOHANG)` (std's `try_wait`)
//!   reaps once it fires. A pidfd refers to *this* process, never to a later
//!   one that reuses the pid.
//! - **Fallback** (no pidfd: older kernels, other Unixes): a `SIGCHLD`
//!   listener ([`crate::signal`]: a handler that writes to a self-pipe that
//!   the reactor watches). Each `SIGCHLD` makes every waiting child try
//!   `waitpid(its pid, WNOHANG)`; the listener is created before the first
//!   try, so an exit between the spawn and the wait is not missed.
//!
//! Never `waitpid(-1)`: that would steal other libraries' children.

mod orphans;

pub(crate) use orphans::{adopt, reap_orphans};

use std::future::poll_fn;
use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::ExitStatus;

use runtime_io::AsyncFd;

use crate::signal::{Signal, SignalKind, signal};

/// How one child's exit is noticed.
pub(crate) enum ExitWatch {
    Pidfd(AsyncFd<OwnedFd>),
    Sigchld(Signal),
}

impl ExitWatch {
    /// Watches `pid`, a child of ours that nobody has reaped yet.
    ///
    /// # Errors
    /// Outside a runtime, or if the pidfd cannot be registered.
    pub(crate) fn new(pid: u32) -> io::Result<ExitWatch> {
        match pidfd_open(pid)? {
            Some(fd) => Ok(ExitWatch::Pidfd(AsyncFd::new(fd)?)),
            None => Ok(ExitWatch::Sigchld(signal(SignalKind::child())?)),
        }
    }

    /// Waits for `child` to exit and reaps it. Cancel-safe: dropping the
    /// future leaves the child as it was (running, or exited and unreaped).
    ///
    /// # Errors
    /// From `waitpid`, or the reactor's if the runtime shut down.
    pub(crate) async fn wait(&mut self, child: &mut std::process::Child) -> io::Result<ExitStatus> {
        match self {
            ExitWatch::Pidfd(fd) => {
                // The fd starts out "readable" (the reactor's optimistic
                // guess), so the first round just tries; after that each
                // WouldBlock waits for the pidfd's edge.
                poll_fn(|cx| {
                    fd.poll_read_with(cx, |_| match child.try_wait()? {
                        Some(status) => Ok(status),
                        None => Err(io::ErrorKind::WouldBlock.into()),
                    })
                })
                .await
            }
            ExitWatch::Sigchld(sigchld) => loop {
                if let Some(status) = child.try_wait()? {
                    return Ok(status);
                }
                // The listener existed before this try_wait, so an exit
                // after it shows up as a delivery.
                sigchld.recv().await?;
            },
        }
    }
}

/// `pidfd_open(2)`; `None` where the kernel or OS has no pidfds.
fn pidfd_open(pid: u32) -> io::Result<Option<OwnedFd>> {
    #[cfg(target_os = "linux")]
    {
        // nix has no wrapper for pidfd_open yet; the raw syscall is stable ABI.
        // SAFETY: pidfd_open takes (pid_t, unsigned int flags) and returns a
        // new fd or -1; it touches no memory of ours.
        let fd =
            unsafe { nix::libc::syscall(nix::libc::SYS_pidfd_open, pid as nix::libc::pid_t, 0) };
        if fd >= 0 {
            // SAFETY: the syscall just returned this fd to us; nobody else
            // owns it. (pidfds are always close-on-exec.)
            return Ok(Some(unsafe { OwnedFd::from_raw_fd(fd as i32) }));
        }
        let err = io::Error::last_os_error();
        match err.raw_os_error() {
            Some(nix::libc::ENOSYS) | Some(nix::libc::EPERM) => Ok(None),
            _ => Err(err),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fallback path, forced (this kernel has pidfds).
    #[test]
    fn the_sigchld_fallback_notices_exits_and_reaps() {
        let rt = runtime_core::Runtime::builder()
            .worker_threads(2)
            .build()
            .unwrap();
        rt.block_on(async {
            for args in [["-c", "exit 3"], ["-c", "sleep 0.2; exit 4"]] {
                let mut child = std::process::Command::new("sh").args(args).spawn().unwrap();
                let mut watch = ExitWatch::Sigchld(signal(SignalKind::child()).unwrap());
                let status = watch.wait(&mut child).await.unwrap();
                assert!(status.code() == Some(3) || status.code() == Some(4));
            }
        });
    }
}
