//! The child's standard streams as asynchronous pipes.

mod growth;

use growth::Growth;

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::pin::Pin;
use std::task::{Context, Poll};

use runtime_io::AsyncFd;

/// The read end of a pipe from a child ([`ChildStdout`], [`ChildStderr`]).
/// Implements `futures_io::AsyncRead`; the inherent async methods need no
/// trait import.
pub struct PipeReader<T: AsRawFd + AsFd> {
    fd: AsyncFd<T>,
    growth: Growth,
}

/// The write end of a pipe to a child ([`ChildStdin`]). Implements
/// `futures_io::AsyncWrite`, whose `poll_close` closes the pipe (the child
/// reads end of file); `Child::stdin` wraps it in a
/// [`StreamWriter`](runtime_io::StreamWriter) for asyncio's `write` /
/// `drain` / `close`. Writing after the child closed its end (or exited),
/// or after `close`, fails with [`io::ErrorKind::BrokenPipe`]; the process
/// is never killed by `SIGPIPE` (see [`crate::Command::spawn`]).
pub struct PipeWriter<T: AsRawFd + AsFd> {
    /// `None` once closed.
    fd: Option<AsyncFd<T>>,
    growth: Growth,
}

/// A child's standard output.
pub type ChildStdout = PipeReader<std::process::ChildStdout>;
/// A child's standard error.
pub type ChildStderr = PipeReader<std::process::ChildStderr>;
/// A child's standard input.
pub type ChildStdin = PipeWriter<std::process::ChildStdin>;

impl<T: AsRawFd + AsFd> PipeReader<T> {
    /// `grow`: whether the pipe may be enlarged once it carried a lot
    /// (`growth.rs`).
    pub(crate) fn new(pipe: T, grow: bool) -> io::Result<PipeReader<T>> {
        Ok(PipeReader {
            fd: AsyncFd::new(pipe)?,
            growth: Growth::new(grow),
        })
    }

    /// Reads what is available (at most `buf.len()` bytes); 0 means the
    /// child closed its end. Cancel-safe: no data is lost if the future is
    /// dropped before it completes.
    ///
    /// # Errors
    /// The `read(2)` error, or the reactor's if the runtime shut down.
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_read_buf(cx, buf)).await
    }

    /// Reads until end of file, appending to `buf`; returns how many bytes
    /// were read. Not cancel-safe in the sense that bytes already appended
    /// stay in `buf` when the future is dropped.
    ///
    /// # Errors
    /// As [`read`](PipeReader::read).
    pub async fn read_to_end(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        let start = buf.len();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match self.read(&mut chunk).await? {
                0 => return Ok(buf.len() - start),
                n => buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Deregisters the pipe and returns its fd in *blocking* mode, ready to
    /// be handed to another process (e.g. as the next command's stdin).
    ///
    /// # Errors
    /// If `fcntl` fails.
    pub fn into_owned_fd(self) -> io::Result<OwnedFd>
    where
        T: Into<OwnedFd>,
    {
        let PipeReader { fd, growth } = self;
        growth.hand_off(fd.get_ref().as_fd());
        Ok(fd.into_blocking()?.into())
    }

    fn poll_read_buf(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let requested = buf.len();
        let result = self.fd.poll_read_stream(cx, requested, |pipe| {
            Ok(nix::unistd::read(pipe.as_fd(), buf)?)
        });
        if let Poll::Ready(Ok(n)) = result {
            self.growth.record(self.fd.get_ref().as_fd(), n);
        }
        result
    }
}

impl<T: AsRawFd + AsFd> PipeWriter<T> {
    /// `grow`: as for [`PipeReader`].
    pub(crate) fn new(pipe: T, grow: bool) -> io::Result<PipeWriter<T>> {
        Ok(PipeWriter {
            fd: Some(AsyncFd::new(pipe)?),
            growth: Growth::new(grow),
        })
    }

    fn open(&self) -> io::Result<&AsyncFd<T>> {
        self.fd.as_ref().ok_or_else(closed_error)
    }

    /// The pipe's fd, for `fstat`, `fcntl` (say `F_SETPIPE_SZ`) and the
    /// like; `None` once [`close`](PipeWriter::close)d. (This is why the
    /// writer has no `AsFd`/`AsRawFd` impl: a closed writer has no fd to
    /// lend.) Do not read or write through it behind the writer's back.
    pub fn fd(&self) -> Option<BorrowedFd<'_>> {
        self.fd.as_ref().map(|fd| fd.get_ref().as_fd())
    }

    /// Closes the pipe now (the child reads end of file); later writes fail
    /// with `BrokenPipe`. Dropping the writer does the same.
    pub fn close(&mut self) {
        self.fd = None;
        self.growth = Growth::Settled;
    }

    /// Writes some of `buf`, waiting while the pipe is full; returns how
    /// many bytes were written. Cancel-safe: when dropped before completing,
    /// nothing was written.
    ///
    /// # Errors
    /// [`io::ErrorKind::BrokenPipe`] once the child closed its end, or the
    /// reactor's error if the runtime shut down.
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_write_buf(cx, buf)).await
    }

    /// Writes all of `buf`. When dropped midway, a prefix of `buf` may have
    /// been written.
    ///
    /// # Errors
    /// As [`write`](PipeWriter::write).
    pub async fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.write(buf).await? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => buf = &buf[n..],
            }
        }
        Ok(())
    }

    /// Deregisters the pipe and returns its fd in blocking mode.
    ///
    /// # Errors
    /// `BrokenPipe` if it was closed; if `fcntl` fails.
    pub fn into_owned_fd(mut self) -> io::Result<OwnedFd>
    where
        T: Into<OwnedFd>,
    {
        self.open()?;
        let fd = self.fd.take().expect("checked open");
        std::mem::replace(&mut self.growth, Growth::Settled).hand_off(fd.get_ref().as_fd());
        Ok(fd.into_blocking()?.into())
    }

    fn poll_write_buf(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        // The field, not `open()`: `growth` is borrowed mutably below.
        let Some(fd) = self.fd.as_ref() else {
            return Poll::Ready(Err(closed_error()));
        };
        let result = fd.poll_write_stream(cx, buf.len(), |pipe| {
            Ok(nix::unistd::write(pipe.as_fd(), buf)?)
        });
        if let Poll::Ready(Ok(n)) = result {
            self.growth.record(fd.get_ref().as_fd(), n);
        }
        result
    }
}

fn closed_error() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the pipe was closed")
}

impl<T: AsRawFd + AsFd + Unpin> futures_io::AsyncRead for PipeReader<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().poll_read_buf(cx, buf)
    }
}

impl<T: AsRawFd + AsFd + Unpin> futures_io::AsyncWrite for PipeWriter<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().poll_write_buf(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Pipes have no user-space buffer here: every write went to the kernel.
        Poll::Ready(Ok(()))
    }

    fn poll_close(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // A pipe has no half-close: closing the fd is how the child gets
        // its end of file.
        self.close();
        Poll::Ready(Ok(()))
    }
}

impl<T: AsRawFd + AsFd> AsRawFd for PipeReader<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl<T: AsRawFd + AsFd> AsFd for PipeReader<T> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.get_ref().as_fd()
    }
}

impl<T: AsRawFd + AsFd> fmt::Debug for PipeReader<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PipeReader")
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}

impl<T: AsRawFd + AsFd> fmt::Debug for PipeWriter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PipeWriter")
            .field("fd", &self.fd.as_ref().map(AsRawFd::as_raw_fd))
            .finish()
    }
}
