//! `Command`: what to run and how (asyncio `create_subprocess_exec` /
//! `create_subprocess_shell`).

use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{ExitStatus, Output, Stdio};
use std::sync::Once;

use runtime_io::streams::{StreamReader, StreamWriter};

use crate::child::Child;
use crate::pipe::{PipeReader, PipeWriter};
use crate::reaper::{self, ExitWatch};

/// A process to spawn. Wraps `std::process::Command` (which does the spawn
/// itself: close-on-exec, `posix_spawn` where it can, errors from the child
/// reported back), and adds asynchronous pipes, event-driven waiting and
/// reaping, and `kill_on_drop`.
///
/// Standard streams default to *inherit* (as in asyncio); choose
/// [`Stdio::piped`] to get a pipe in [`Child::stdin`] / `stdout` / `stderr`,
/// or [`Stdio::null`], or a `File` / `OwnedFd` via `Stdio::from`.
///
/// ```
/// use std::process::Stdio;
/// use runtime_process::Command;
///
/// runtime_core::run(async {
///     let mut child = Command::new("echo")
///         .arg("hello")
///         .stdout(Stdio::piped())
///         .spawn()
///         .unwrap();
///     let line = child.stdout.as_mut().unwrap().readline().await.unwrap();
///     assert_eq!(line, b"hello\n");
///     assert!(child.wait().await.unwrap().success());
/// });
/// ```
pub struct Command {
    std: std::process::Command,
    kill_on_drop: bool,
    grow_pipes: bool,
}

impl Command {
    /// Runs `program` (looked up in `PATH` if it has no slash) with no
    /// arguments (asyncio `create_subprocess_exec(program, ...)`).
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command {
            std: std::process::Command::new(program),
            kill_on_drop: false,
            grow_pipes: true,
        }
    }

    /// Runs `cmd` through `/bin/sh -c` (asyncio `create_subprocess_shell`).
    /// The shell interprets `cmd`: never build it from untrusted input.
    pub fn shell(cmd: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new("/bin/sh");
        command.arg("-c").arg(cmd);
        command
    }

    /// Adds an argument.
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.std.arg(arg);
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.std.args(args);
        self
    }

    /// Sets an environment variable for the child.
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Command {
        self.std.env(key, value);
        self
    }

    /// Sets several environment variables.
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.std.envs(vars);
        self
    }

    /// Removes a variable from the child's environment.
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        self.std.env_remove(key);
        self
    }

    /// Starts the child with an empty environment (plus what `env` adds).
    pub fn env_clear(&mut self) -> &mut Command {
        self.std.env_clear();
        self
    }

    /// The child's working directory.
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        self.std.current_dir(dir);
        self
    }

    /// The child's standard input.
    pub fn stdin(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdin(cfg);
        self
    }

    /// The child's standard output.
    pub fn stdout(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdout(cfg);
        self
    }

    /// The child's standard error.
    pub fn stderr(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stderr(cfg);
        self
    }

    /// Kill the child (SIGKILL) when its [`Child`] is dropped before it
    /// exited. Either way a dropped child is reaped in the background: it
    /// never stays a zombie.
    pub fn kill_on_drop(&mut self, kill: bool) -> &mut Command {
        self.kill_on_drop = kill;
        self
    }

    /// Whether the child's piped stdin, stdout and stderr may be enlarged
    /// from the default 64 KiB to 256 KiB once one has carried 1 MiB (on
    /// by default; Linux). A child streaming megabytes then costs fewer
    /// wake-ups on both sides (256 MiB through `cat`: about 18 % less
    /// time). At most 8 of the process's pipes are grown at once, because
    /// pipe memory counts against a per-user limit; a pipe that cannot
    /// grow keeps its size and works as before (so do pipes on kernels
    /// without the fix for CVE-2023-52672, where a resize could strand a
    /// blocked writer, and pipes either end already resized). Turn it off
    /// to keep the kernel's default size, e.g. to test a child's behaviour
    /// when its pipe fills.
    pub fn grow_pipes(&mut self, grow: bool) -> &mut Command {
        self.grow_pipes = grow;
        self
    }

    /// Puts the child in process group `pgid` (0: a new group led by the
    /// child), so that signals sent to our group (e.g. Ctrl-C in a terminal)
    /// do not reach it.
    pub fn process_group(&mut self, pgid: i32) -> &mut Command {
        self.std.process_group(pgid);
        self
    }

    /// Starts the child in a new session (`setsid`), detached from our
    /// controlling terminal (asyncio's `start_new_session=True`).
    pub fn new_session(&mut self) -> &mut Command {
        // SAFETY: the closure runs in the forked child before exec and calls
        // only setsid(2), which is async-signal-safe.
        unsafe {
            self.std.pre_exec(|| {
                nix::unistd::setsid()?;
                Ok(())
            });
        }
        self
    }

    /// The wrapped `std::process::Command`, for options not mirrored here.
    pub fn as_std_mut(&mut self) -> &mut std::process::Command {
        &mut self.std
    }

    /// Starts the child. Must be called inside a runtime: its pipes and its
    /// exit are watched by that runtime's reactor.
    ///
    /// Also makes sure `SIGPIPE` is ignored in this process (Rust programs
    /// ignore it already; a host program may not), so that writing to a
    /// child that has exited fails with `BrokenPipe` instead of killing us.
    ///
    /// # Errors
    /// [`io::ErrorKind::NotFound`] if the program does not exist,
    /// [`io::ErrorKind::PermissionDenied`] if it is not executable, other
    /// `fork`/`exec` errors as `std` reports them; outside a runtime an
    /// error before anything is started.
    pub fn spawn(&mut self) -> io::Result<Child> {
        runtime_core::Handle::try_current().map_err(io::Error::other)?;
        ignore_sigpipe();
        reaper::reap_orphans();
        let mut std_child = self.std.spawn()?;
        let pipes = (
            std_child.stdin.take(),
            std_child.stdout.take(),
            std_child.stderr.take(),
        );
        let watch = match ExitWatch::new(std_child.id()) {
            Ok(watch) => watch,
            Err(e) => {
                // We cannot watch it: do not leave it running unobserved.
                let _ = std_child.kill();
                let _ = std_child.wait();
                return Err(e);
            }
        };
        let mut child = Child::new(std_child, watch, self.kill_on_drop);
        // From here on a failure drops `child`, which kills (if asked) and
        // reaps the process.
        child.stdin = pipes
            .0
            .map(|p| PipeWriter::new(p, self.grow_pipes).map(StreamWriter::new))
            .transpose()?;
        child.stdout = pipes
            .1
            .map(|p| PipeReader::new(p, self.grow_pipes).map(StreamReader::new))
            .transpose()?;
        child.stderr = pipes
            .2
            .map(|p| PipeReader::new(p, self.grow_pipes).map(StreamReader::new))
            .transpose()?;
        Ok(child)
    }

    /// Spawns with stdout and stderr piped (stdin null unless set), collects
    /// both while waiting, and returns them with the exit status.
    ///
    /// # Errors
    /// As [`spawn`](Command::spawn), or an I/O error while reading.
    pub async fn output(&mut self) -> io::Result<Output> {
        self.std.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = self.spawn()?;
        child.communicate(None).await
    }

    /// Spawns and waits for the exit status (streams as configured).
    ///
    /// # Errors
    /// As [`spawn`](Command::spawn).
    pub async fn status(&mut self) -> io::Result<ExitStatus> {
        self.spawn()?.wait().await
    }
}

/// Sets `SIGPIPE` to ignored if it is at its default (terminate) action.
fn ignore_sigpipe() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
        let ignore = SigAction::new(SigHandler::SigIgn, SaFlags::empty(), SigSet::empty());
        // SAFETY: installing SIG_IGN runs no code of ours in signal context.
        // We look at the previous action and put it back unless it was the
        // default, so a handler the host installed is left alone.
        unsafe {
            if let Ok(previous) = sigaction(Signal::SIGPIPE, &ignore)
                && previous.handler() != SigHandler::SigDfl
            {
                let _ = sigaction(Signal::SIGPIPE, &previous);
            }
        }
    });
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Command")
            .field("command", &self.std)
            .field("kill_on_drop", &self.kill_on_drop)
            .finish()
    }
}
