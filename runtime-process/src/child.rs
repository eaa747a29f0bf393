//! `Child`: a running (or finished) subprocess (asyncio `Process`).

use std::fmt;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::{ExitStatus, Output};

use nix::sys::signal::Signal;
use nix::unistd::Pid;
use runtime_io::streams::{StreamReader, StreamWriter};

use crate::pipe::{ChildStderr, ChildStdin, ChildStdout};
use crate::reaper::{self, ExitWatch};

/// A child process started by [`Command::spawn`](crate::Command::spawn).
///
/// Its exit is noticed by the reactor (a pidfd on Linux), never by polling.
/// Dropping a `Child` does not wait for the process: it keeps running (or
/// is killed first, with [`Command::kill_on_drop`](crate::Command::kill_on_drop))
/// and is reaped in the background, so it never stays a zombie.
pub struct Child {
    /// `None` only while being dropped.
    inner: Option<std::process::Child>,
    watch: Option<ExitWatch>,
    status: Option<ExitStatus>,
    kill_on_drop: bool,
    /// The child's stdin, if it was piped, as a [`StreamWriter`] (asyncio's
    /// `write`, `writelines`, `drain`, `close` + `wait_closed`). Closed by
    /// [`wait`](Child::wait).
    pub stdin: Option<StreamWriter<ChildStdin>>,
    /// The child's stdout, if it was piped, as a [`StreamReader`] (`read`,
    /// `readline`, `readexactly`, `readuntil`, `read_to_end`).
    pub stdout: Option<StreamReader<ChildStdout>>,
    /// The child's stderr, if it was piped, as a [`StreamReader`].
    pub stderr: Option<StreamReader<ChildStderr>>,
}

/// asyncio's `returncode` convention for an exit status.
pub trait ReturnCode {
    /// The exit code if the process exited, or `-signum` if a signal
    /// killed it (as asyncio reports it).
    fn returncode(&self) -> i32;
}

impl ReturnCode for ExitStatus {
    fn returncode(&self) -> i32 {
        match (self.code(), self.signal()) {
            (Some(code), _) => code,
            (None, Some(signal)) => -signal,
            // Stopped/continued statuses are never returned by a wait for
            // exit; keep a value that cannot be a real code.
            (None, None) => i32::MIN,
        }
    }
}

impl Child {
    pub(crate) fn new(inner: std::process::Child, watch: ExitWatch, kill_on_drop: bool) -> Child {
        Child {
            inner: Some(inner),
            watch: Some(watch),
            status: None,
            kill_on_drop,
            stdin: None,
            stdout: None,
            stderr: None,
        }
    }

    fn inner(&mut self) -> &mut std::process::Child {
        self.inner.as_mut().expect("Child used while being dropped")
    }

    /// The process id (asyncio `pid`). It stays the same after the child
    /// exits, but then it may name another process: use the signal methods
    /// here, which know when the child is gone, rather than `kill(pid)`.
    pub fn id(&self) -> u32 {
        self.inner.as_ref().map_or(0, std::process::Child::id)
    }

    /// Waits for the child to exit and returns its status. Closes the
    /// child's stdin first (a child reading stdin until end of file would
    /// otherwise never exit). Does not read stdout/stderr: a child that
    /// fills a pipe nobody reads blocks forever; use
    /// [`communicate`](Child::communicate) for that. Cancel-safe: dropping
    /// the future loses nothing; wait again later.
    ///
    /// # Errors
    /// From `waitpid`, or if the runtime that watches the child shut down.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
        if let Some(status) = self.status {
            return Ok(status);
        }
        // Both fields are borrowed in place (not taken out for the await),
        // so dropping this future mid-wait leaves the Child whole.
        let (Some(inner), Some(watch)) = (self.inner.as_mut(), self.watch.as_mut()) else {
            return Err(io::Error::other("Child used while being dropped"));
        };
        let status = watch.wait(inner).await?;
        self.status = Some(status);
        Ok(status)
    }

    /// The exit status if the child has exited (reaping it), else `None`.
    /// Never blocks.
    ///
    /// # Errors
    /// From `waitpid`.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if self.status.is_none() {
            self.status = self.inner().try_wait()?;
        }
        Ok(self.status)
    }

    /// asyncio's `returncode`: `None` while the child runs; its exit code,
    /// or `-signum` if a signal killed it (see [`ReturnCode`]). Checks
    /// without blocking.
    pub fn returncode(&mut self) -> Option<i32> {
        self.try_wait().ok().flatten().map(|s| s.returncode())
    }

    /// Sends `signum` (e.g. `nix::libc::SIGUSR1`) to the child. If the child
    /// has already exited and been reaped this does nothing and returns
    /// `Ok(())`: its pid may belong to another process by now, so no signal
    /// is sent (asyncio behaves the same way).
    ///
    /// # Errors
    /// [`io::ErrorKind::InvalidInput`] for a number that is not a signal;
    /// errors of `kill(2)`.
    pub fn send_signal(&mut self, signum: i32) -> io::Result<()> {
        let signal = Signal::try_from(signum)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "not a signal number"))?;
        // Until we reap it, the child (even as a zombie) keeps its pid, so
        // the pid cannot have been recycled while `try_wait` says running.
        if self.try_wait()?.is_some() {
            return Ok(());
        }
        nix::sys::signal::kill(Pid::from_raw(self.id() as i32), signal)?;
        Ok(())
    }

    /// Sends `SIGTERM` (asyncio `terminate`). A no-op once the child is
    /// reaped.
    ///
    /// # Errors
    /// As [`send_signal`](Child::send_signal).
    pub fn terminate(&mut self) -> io::Result<()> {
        self.send_signal(nix::libc::SIGTERM)
    }

    /// Sends `SIGKILL` (asyncio `kill`). A no-op once the child is reaped.
    ///
    /// # Errors
    /// As [`send_signal`](Child::send_signal).
    pub fn kill(&mut self) -> io::Result<()> {
        self.send_signal(nix::libc::SIGKILL)
    }

    /// asyncio `communicate`: writes `input` to stdin (then closes it) while
    /// reading stdout and stderr to their ends, concurrently — so a child
    /// that fills one pipe while we write the other cannot deadlock — then
    /// waits for the exit. Streams that were not piped come back empty.
    /// A child that exits without reading all of `input` is not an error
    /// (as in asyncio, `BrokenPipe` on stdin is ignored).
    ///
    /// # Errors
    /// I/O errors on the pipes, or those of [`wait`](Child::wait).
    pub async fn communicate(&mut self, input: Option<&[u8]>) -> io::Result<Output> {
        let stdin = self.stdin.take();
        let stdout = self.stdout.take();
        let stderr = self.stderr.take();
        let write = async move {
            if let Some(mut stdin) = stdin {
                if let Some(input) = input {
                    stdin.write(input);
                }
                // Flush, then close so the child sees end of file.
                match stdin.wait_closed().await {
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset
                        ) => {}
                    other => other?,
                }
            }
            io::Result::Ok(())
        };
        let (written, out, err) = runtime_core::join!(write, read_all(stdout), read_all(stderr));
        written?;
        let status = self.wait().await?;
        Ok(Output {
            status,
            stdout: out?,
            stderr: err?,
        })
    }
}

async fn read_all<R: futures_io::AsyncRead + Unpin>(
    reader: Option<StreamReader<R>>,
) -> io::Result<Vec<u8>> {
    match reader {
        Some(mut reader) => reader.read_to_end().await,
        None => Ok(Vec::new()),
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let (Some(mut inner), Some(watch)) = (self.inner.take(), self.watch.take()) else {
            return;
        };
        if self.status.is_some() {
            return;
        }
        if self.kill_on_drop && matches!(inner.try_wait(), Ok(None)) {
            // Still unreaped, so the pid is still this child's.
            let _ = inner.kill();
        }
        reaper::adopt(inner, watch);
    }
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child")
            .field("id", &self.id())
            .field("status", &self.status)
            .field("kill_on_drop", &self.kill_on_drop)
            .finish()
    }
}
