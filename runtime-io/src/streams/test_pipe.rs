//! In-memory test doubles for the reader and writer tests: a bounded pipe
//! (back-pressure, EOF, injected errors) and a scripted reader (exact chunk
//! boundaries, `Pending` between chunks).

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use futures_io::{AsyncRead, AsyncWrite};

#[derive(Default)]
struct PipeState {
    data: VecDeque<u8>,
    capacity: usize,
    write_closed: bool,
    /// Returned by the next write (then cleared).
    write_error: Option<io::ErrorKind>,
    reader: Option<Waker>,
    writer: Option<Waker>,
}

/// The write end of a [`pipe`].
pub(crate) struct PipeWriter(Arc<Mutex<PipeState>>);
/// The read end of a [`pipe`].
pub(crate) struct PipeReader(Arc<Mutex<PipeState>>);

/// A pipe that holds at most `capacity` unread bytes.
pub(crate) fn pipe(capacity: usize) -> (PipeWriter, PipeReader) {
    let state = Arc::new(Mutex::new(PipeState {
        capacity,
        ..PipeState::default()
    }));
    (PipeWriter(state.clone()), PipeReader(state))
}

impl PipeWriter {
    /// Makes the next write fail with `kind`.
    pub(crate) fn fail_next_write(&self, kind: io::ErrorKind) {
        self.0.lock().unwrap().write_error = Some(kind);
    }

    /// Whether the write direction was closed.
    pub(crate) fn is_closed(&self) -> bool {
        self.0.lock().unwrap().write_closed
    }
}

impl PipeReader {
    /// Takes everything unread, without waiting.
    pub(crate) fn take_all(&self) -> Vec<u8> {
        let mut s = self.0.lock().unwrap();
        if let Some(w) = s.writer.take() {
            w.wake();
        }
        s.data.drain(..).collect()
    }
}

impl AsyncWrite for PipeWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut s = self.0.lock().unwrap();
        if let Some(kind) = s.write_error.take() {
            return Poll::Ready(Err(kind.into()));
        }
        if s.write_closed {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        let room = s.capacity - s.data.len();
        if room == 0 {
            s.writer = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = room.min(buf.len());
        s.data.extend(&buf[..n]);
        if let Some(w) = s.reader.take() {
            w.wake();
        }
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut s = self.0.lock().unwrap();
        s.write_closed = true;
        if let Some(w) = s.reader.take() {
            w.wake();
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for PipeReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut s = self.0.lock().unwrap();
        if s.data.is_empty() {
            if s.write_closed {
                return Poll::Ready(Ok(0));
            }
            s.reader = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = buf.len().min(s.data.len());
        for (slot, byte) in buf.iter_mut().zip(s.data.drain(..n)) {
            *slot = byte;
        }
        if let Some(w) = s.writer.take() {
            w.wake();
        }
        Poll::Ready(Ok(n))
    }
}

/// One step of a [`Script`].
pub(crate) enum Step {
    /// The next read returns (a prefix of) these bytes.
    Data(&'static [u8]),
    /// The next read is `Pending` (and wakes itself at once).
    Pending,
    /// The next read fails.
    Error(io::ErrorKind),
}

/// A reader that plays `steps`, then reads EOF. It records how many bytes
/// each read asked for.
pub(crate) struct Script {
    steps: VecDeque<Step>,
    /// Bytes of a `Data` step that did not fit the caller's buffer.
    rest: &'static [u8],
    pub(crate) reads: usize,
}

impl Script {
    pub(crate) fn new(steps: impl IntoIterator<Item = Step>) -> Script {
        Script {
            steps: steps.into_iter().collect(),
            rest: &[],
            reads: 0,
        }
    }
}

impl AsyncRead for Script {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.reads += 1;
        if self.rest.is_empty() {
            match self.steps.pop_front() {
                None => return Poll::Ready(Ok(0)),
                Some(Step::Data(d)) => self.rest = d,
                Some(Step::Pending) => {
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                Some(Step::Error(kind)) => return Poll::Ready(Err(kind.into())),
            }
        }
        let n = buf.len().min(self.rest.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        Poll::Ready(Ok(n))
    }
}

/// An endless stream of `b'a'`.
pub(crate) struct Endless;

impl AsyncRead for Endless {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        buf.fill(b'a');
        Poll::Ready(Ok(buf.len()))
    }
}
