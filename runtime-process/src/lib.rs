//! `runtime-process`: asyncio subprocesses and signals.
//!
//! [`Command`] builds and spawns a child (asyncio `create_subprocess_exec`,
//! or [`Command::shell`] for `create_subprocess_shell`); [`Child`] is
//! asyncio's `Process`: piped streams with the `StreamReader` methods,
//! `wait`, `communicate`, `returncode`, `send_signal` / `terminate` /
//! `kill`. Exits are noticed by the reactor (a pidfd per child on Linux),
//! never by polling, and every child is reaped, even one whose `Child` was
//! dropped.
//!
//! ```
//! use std::process::Stdio;
//! use runtime_process::{Command, ReturnCode};
//!
//! runtime_core::run(async {
//!     // asyncio's first subprocess example: `ls /zzz`, capturing stderr.
//!     let output = Command::shell("ls /zzz")
//!         .stderr(Stdio::piped())
//!         .output()
//!         .await
//!         .unwrap();
//!     assert_ne!(output.status.returncode(), 0);
//!     assert!(!output.stderr.is_empty());
//! });
//! ```
//!
//! # Implementation
//! The spawn itself is `std::process::Command`'s. Pipes are `runtime-io`
//! [`AsyncFd`](runtime_io::AsyncFd)s; the exit is watched through a pidfd
//! registered with the same reactor, falling back to a blocking-pool thread
//! in `waitid(WNOWAIT)` where pidfds do not exist. See `reaper`.

#![warn(missing_docs)]

mod child;
mod command;
mod pipe;
mod reaper;
pub mod signal;

pub use child::{Child, ReturnCode};
pub use command::Command;
pub use pipe::{ChildStderr, ChildStdin, ChildStdout, PipeReader, PipeWriter};
pub use std::process::{ExitStatus, Output, Stdio};
