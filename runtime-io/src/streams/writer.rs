//! [`StreamWriter`]: asyncio's buffered writer (`write`, `writelines`,
//! `drain`, `write_eof`, `close`, `wait_closed`) over any `futures-io`
//! writer.
//!
//! # No background writer
//! asyncio's transport sends buffered data from the event loop in the
//! background; `drain()` only waits for that buffer to fall to a low-water
//! mark. Here the writer owns its buffer and nothing runs behind the
//! caller's back (no extra task per connection), so the bytes move when the
//! caller awaits:
//! - [`write`](StreamWriter::write) only buffers — except once the buffer
//!   holds the high-water mark (64 KiB by default), when it also offers the
//!   data to the OS *without waiting* (a non-blocking write down to the
//!   low-water mark, 16 KiB by default), so a producer that writes a lot
//!   between drains does not grow the buffer while the socket takes it.
//! - [`drain`](StreamWriter::drain) writes the **whole** buffer and flushes
//!   the underlying writer. (Stopping at the low-water mark, as asyncio's
//!   `drain` may, would leave the tail unsent until the next call, since no
//!   one else would send it.) This is asyncio's back-pressure: `drain` stays
//!   pending while the peer does not read and the OS buffers are full.
//! - [`wait_closed`](StreamWriter::wait_closed) sends what is left and shuts
//!   the write direction down.
//!
//! Bytes still buffered when a `StreamWriter` is dropped are lost: drain, or
//! `close()` + `wait_closed()`, first (asyncio's documented pattern).
//!
//! # Errors
//! `write` is synchronous and never fails (as in asyncio); errors of the
//! underlying writer surface from the next `drain`, `write_eof` or
//! `wait_closed`. After such an error every later `drain` fails too, with
//! the same [`io::ErrorKind`].

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use futures_io::AsyncWrite;

/// The default high-water mark of the write buffer: 64 KiB, as asyncio.
pub const DEFAULT_HIGH_WATER: usize = 64 * 1024;

/// The default low-water mark of the write buffer: a quarter of the
/// high-water mark (16 KiB), as asyncio.
pub const DEFAULT_LOW_WATER: usize = DEFAULT_HIGH_WATER / 4;

/// asyncio's `StreamWriter` over any [`AsyncWrite`] + [`Unpin`] writer: a
/// socket's write half (the default type), a Unix socket half, a subprocess
/// pipe, an in-memory writer. See the module documentation of
/// [`streams`](super) for when bytes actually move.
///
/// It implements [`AsyncWrite`] as well (writes are buffered up to the
/// high-water mark; `poll_flush` drains, `poll_close` drains and shuts the
/// write direction down).
///
/// ```
/// use runtime_io::streams::StreamWriter;
///
/// futures::executor::block_on(async {
///     let mut writer = StreamWriter::new(Vec::new());
///     writer.write(b"hello ");
///     writer.writelines([&b"wor"[..], b"ld\n"]);
///     assert_eq!(writer.write_buffer_size(), 12);
///     writer.drain().await.unwrap();
///     writer.close();
///     writer.wait_closed().await.unwrap();
///     assert_eq!(writer.get_ref(), b"hello world\n");
/// });
/// ```
pub struct StreamWriter<W = crate::net::tcp::OwnedWriteHalf> {
    inner: W,
    /// `buf[sent..]` is waiting to be written.
    buf: Vec<u8>,
    sent: usize,
    high: usize,
    low: usize,
    /// `close()` was called.
    closing: bool,
    /// The write direction was shut down (`poll_close` returned `Ok`).
    shut_down: bool,
    /// An error of the underlying writer not reported yet (from a
    /// write-through in `write`).
    error: Option<io::Error>,
    /// A `write` after `close()`/`write_eof()`, not reported yet. Kept apart
    /// from real failures: it must not stop the data written *before* the
    /// close from being sent (found in review: it did).
    misuse: Option<io::Error>,
    /// The writer failed: later drains fail with this kind.
    failed: Option<io::ErrorKind>,
}

impl<W> StreamWriter<W> {
    /// A writer over `inner` with the default water marks.
    pub fn new(inner: W) -> StreamWriter<W> {
        StreamWriter {
            inner,
            buf: Vec::new(),
            sent: 0,
            high: DEFAULT_HIGH_WATER,
            low: DEFAULT_LOW_WATER,
            closing: false,
            shut_down: false,
            error: None,
            misuse: None,
            failed: None,
        }
    }

    /// How many bytes are buffered and not written yet (asyncio
    /// `transport.get_write_buffer_size()`).
    pub fn write_buffer_size(&self) -> usize {
        self.buf.len() - self.sent
    }

    /// The `(low, high)` water marks, in asyncio's
    /// `get_write_buffer_limits()` order.
    pub fn write_buffer_limits(&self) -> (usize, usize) {
        (self.low, self.high)
    }

    /// Sets the water marks (asyncio `set_write_buffer_limits(high, low)`);
    /// `low` defaults to `high / 4`. Once `write` finds the buffer at or
    /// above `high`, it writes without waiting down towards `low`.
    ///
    /// # Panics
    /// If `low > high`.
    pub fn set_write_buffer_limits(&mut self, high: usize, low: Option<usize>) {
        let low = low.unwrap_or(high / 4);
        assert!(
            low <= high,
            "low-water mark ({low}) must not exceed the high-water mark ({high})"
        );
        self.high = high;
        self.low = low;
    }

    /// Whether `close()` was called (asyncio `is_closing`).
    pub fn is_closing(&self) -> bool {
        self.closing
    }

    /// Whether [`write_eof`](Self::write_eof) is supported: always `true`,
    /// because every [`AsyncWrite`] can signal the end of its data through
    /// `poll_close` (for a socket half that is `shutdown(Write)`).
    pub fn can_write_eof(&self) -> bool {
        true
    }

    /// Starts closing (asyncio `close`): later writes are refused; the
    /// buffered data is sent and the write direction shut down by
    /// [`wait_closed`](Self::wait_closed), which should follow.
    pub fn close(&mut self) {
        self.closing = true;
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// The underlying writer. Writing to it directly bypasses (and may
    /// overtake) the buffered data.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// The underlying writer and the bytes not written yet.
    pub fn into_parts(mut self) -> (W, Vec<u8>) {
        self.buf.drain(..self.sent);
        (self.inner, self.buf)
    }

    /// Records a failure of the underlying writer and hands the error on.
    fn fail(&mut self, e: io::Error) -> io::Error {
        self.failed.get_or_insert(e.kind());
        e
    }

    /// The error a drain must report before doing anything, if any.
    fn pending_error(&mut self) -> Option<io::Error> {
        if let Some(e) = self.error.take() {
            return Some(e);
        }
        self.failed
            .map(|kind| io::Error::new(kind, "the stream writer failed earlier"))
    }
}

impl<W: AsyncWrite + Unpin> StreamWriter<W> {
    /// Buffers `data` (asyncio `write`; synchronous, never fails). Await
    /// [`drain`](Self::drain) to send it and to apply back-pressure.
    ///
    /// After `close()` or `write_eof()` the data is discarded and the next
    /// `drain` reports [`io::ErrorKind::BrokenPipe`] (asyncio raises or
    /// drops, depending on the transport state). After a failure of the
    /// underlying writer the data is discarded too; `drain` reports the
    /// failure.
    pub fn write(&mut self, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        if self.closing || self.shut_down {
            self.misuse.get_or_insert_with(|| {
                io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "StreamWriter::write after close() or write_eof()",
                )
            });
            return;
        }
        if self.failed.is_some() {
            return;
        }
        if self.sent > 0 && self.sent * 2 >= self.buf.len() {
            // Mostly sent: drop the sent prefix rather than growing.
            self.buf.drain(..self.sent);
            self.sent = 0;
        }
        self.buf.extend_from_slice(data);
        if self.write_buffer_size() >= self.high {
            self.write_without_waiting();
        }
    }

    /// Buffers every chunk of `lines` (asyncio `writelines`; no separators
    /// are added).
    pub fn writelines<I>(&mut self, lines: I)
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        for line in lines {
            self.write(line.as_ref());
        }
    }

    /// Offers the buffer to the underlying writer down to the low-water
    /// mark, without waiting: it is polled with a no-op waker, and a
    /// `Pending` simply leaves the rest buffered (the next `drain` polls
    /// again with its own waker).
    fn write_without_waiting(&mut self) {
        let mut cx = Context::from_waker(Waker::noop());
        if let Poll::Ready(Err(e)) = self.poll_write_buffer(&mut cx, self.low) {
            let e = self.fail(e);
            self.error.get_or_insert(e);
        }
    }

    /// Writes buffered data until at most `target` bytes are left.
    fn poll_write_buffer(&mut self, cx: &mut Context<'_>, target: usize) -> Poll<io::Result<()>> {
        while self.buf.len() - self.sent > target {
            match Pin::new(&mut self.inner).poll_write(cx, &self.buf[self.sent..]) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "the underlying writer accepted no data",
                    )));
                }
                Poll::Ready(Ok(n)) => self.sent += n,
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        if self.sent == self.buf.len() {
            self.buf.clear();
            self.sent = 0;
        }
        Poll::Ready(Ok(()))
    }

    /// Writes the whole buffer and flushes the underlying writer.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Err(e) = std::task::ready!(self.poll_write_buffer(cx, 0)) {
            return Poll::Ready(Err(self.fail(e)));
        }
        if self.shut_down {
            return Poll::Ready(Ok(()));
        }
        match std::task::ready!(Pin::new(&mut self.inner).poll_flush(cx)) {
            Ok(()) => Poll::Ready(Ok(())),
            Err(e) => Poll::Ready(Err(self.fail(e))),
        }
    }

    /// Sends everything buffered and flushes the underlying writer (asyncio
    /// `drain`): pending while the peer does not keep up, which is the
    /// back-pressure a producer should wait on after its writes.
    ///
    /// # Errors
    /// The underlying writer's errors (e.g. `ConnectionReset`, `BrokenPipe`
    /// when the peer went away), including one hit by an earlier `write`;
    /// `BrokenPipe` for data written after `close`/`write_eof`.
    ///
    /// Cancel-safe: what was not written stays buffered.
    pub async fn drain(&mut self) -> io::Result<()> {
        if let Some(e) = self.pending_error() {
            return Err(e);
        }
        poll_fn(|cx| self.poll_drain(cx)).await?;
        match self.misuse.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Sends everything buffered, then shuts the write direction down (the
    /// peer reads EOF), asyncio `write_eof`. Reading from the other half
    /// still works. Further writes are refused (see [`write`](Self::write)).
    ///
    /// asyncio's `write_eof` is synchronous and acts after the buffer is
    /// sent in the background; here the caller awaits it.
    ///
    /// # Errors
    /// As [`drain`](Self::drain), plus errors of the shutdown. Cancel-safe.
    pub async fn write_eof(&mut self) -> io::Result<()> {
        if self.shut_down {
            return Ok(());
        }
        self.drain().await?;
        match poll_fn(|cx| Pin::new(&mut self.inner).poll_close(cx)).await {
            Ok(()) => {
                self.shut_down = true;
                Ok(())
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Finishes a close (asyncio `wait_closed`, after `close`): sends what
    /// is buffered and shuts the write direction down. It implies
    /// [`close`](Self::close) if that was not called (asyncio's would wait
    /// for someone else to close). The socket itself is released when both
    /// the reader and the writer are dropped.
    ///
    /// # Errors
    /// The first error of the flush or of the shutdown. Cancel-safe.
    pub async fn wait_closed(&mut self) -> io::Result<()> {
        self.closing = true;
        let flushed = match self.pending_error() {
            Some(e) => Err(e),
            None => poll_fn(|cx| self.poll_drain(cx)).await,
        };
        if !self.shut_down {
            match poll_fn(|cx| Pin::new(&mut self.inner).poll_close(cx)).await {
                Ok(()) => self.shut_down = true,
                // A failed flush explains a failed shutdown better.
                Err(e) if flushed.is_ok() => return Err(self.fail(e)),
                Err(_) => self.shut_down = true,
            }
        }
        flushed?;
        // Everything written before the close was sent; now report a write
        // that came after it.
        match self.misuse.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for StreamWriter<W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Some(e) = this.pending_error() {
            return Poll::Ready(Err(e));
        }
        if this.closing || this.shut_down {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "StreamWriter::poll_write after close",
            )));
        }
        if this.write_buffer_size() >= this.high {
            // Back-pressure: make room down to the low-water mark first.
            if let Err(e) = std::task::ready!(this.poll_write_buffer(cx, this.low)) {
                return Poll::Ready(Err(this.fail(e)));
            }
        }
        let n = data.len().min(this.high.max(1));
        this.write(&data[..n]);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(e) = this.pending_error() {
            return Poll::Ready(Err(e));
        }
        this.poll_drain(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.closing = true;
        if let Some(e) = this.pending_error() {
            return Poll::Ready(Err(e));
        }
        std::task::ready!(this.poll_drain(cx))?;
        if !this.shut_down {
            if let Err(e) = std::task::ready!(Pin::new(&mut this.inner).poll_close(cx)) {
                return Poll::Ready(Err(this.fail(e)));
            }
            this.shut_down = true;
        }
        match this.misuse.take() {
            Some(e) => Poll::Ready(Err(e)),
            None => Poll::Ready(Ok(())),
        }
    }
}

impl<W> fmt::Debug for StreamWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamWriter")
            .field("buffered", &self.write_buffer_size())
            .field("high_water", &self.high)
            .field("low_water", &self.low)
            .field("closing", &self.closing)
            .field("shut_down", &self.shut_down)
            .finish_non_exhaustive()
    }
}
