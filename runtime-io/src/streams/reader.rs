//! [`StreamReader`]: asyncio's buffered reader (`read`, `readline`,
//! `readexactly`, `readuntil`, `at_eof`) over any `futures-io` reader.
//!
//! # Buffer and cancel-safety
//! Every byte taken from the underlying reader goes into the reader's own
//! buffer *before* the call that asked for it can be suspended again, and a
//! method only removes bytes from the buffer in the same poll that returns
//! them. So every method is cancel-safe: dropping its future (a timeout, a
//! lost `select`) loses no data; the next call sees everything that was
//! read so far.
//!
//! # Memory
//! The buffer holds what a call asked for plus at most one read chunk
//! ([`READ_CHUNK`] bytes) of look-ahead. `readuntil` and `readline`, which do
//! not know how much they will need, stop reading once the buffered data
//! passes [`limit`](StreamReader::limit), so they never buffer more than
//! `limit + READ_CHUNK` bytes. `readexactly(n)` and `read_to_end` buffer
//! what they were asked for (`n` bytes, everything until EOF).

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncBufRead, AsyncRead};

use super::error::{IncompleteRead, LimitOverrun, StreamError};

/// The default [`limit`](StreamReader::limit): 64 KiB, as in asyncio.
pub const DEFAULT_LIMIT: usize = 64 * 1024;

/// How many bytes one read from the underlying reader asks for.
pub const READ_CHUNK: usize = 16 * 1024;

/// asyncio's `StreamReader` over any [`AsyncRead`] + [`Unpin`] reader: a
/// socket's read half (the default type), a Unix socket half, a subprocess
/// pipe, an in-memory reader.
///
/// All read methods take `&mut self` and are cancel-safe (see the module
/// documentation of [`streams`](super)). `StreamReader` also implements
/// [`AsyncRead`] and [`AsyncBufRead`], serving buffered bytes first, so it
/// can be handed to code of the futures ecosystem at any point.
///
/// ```
/// use futures::io::Cursor;
/// use runtime_io::streams::StreamReader;
///
/// futures::executor::block_on(async {
///     let mut reader = StreamReader::new(Cursor::new(b"HELO\r\nline two\nrest".to_vec()));
///     assert_eq!(reader.readuntil(b"\r\n").await.unwrap(), b"HELO\r\n");
///     assert_eq!(reader.readline().await.unwrap(), b"line two\n");
///     assert_eq!(reader.readexactly(2).await.unwrap(), b"re");
///     assert_eq!(reader.read_to_end().await.unwrap(), b"st");
///     assert!(reader.at_eof());
/// });
/// ```
pub struct StreamReader<R = crate::net::tcp::OwnedReadHalf> {
    inner: R,
    /// Storage; `buf[start..end]` is the buffered data. The storage stays
    /// initialised (zeroed when it grows) so it can be lent to `poll_read`.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// The underlying reader returned 0: no more data will come.
    eof: bool,
    limit: usize,
}

impl<R> StreamReader<R> {
    /// A reader over `inner` with the default limit ([`DEFAULT_LIMIT`]).
    pub fn new(inner: R) -> StreamReader<R> {
        StreamReader::with_limit(inner, DEFAULT_LIMIT)
    }

    /// A reader over `inner` whose `readuntil`/`readline` give up with
    /// [`LimitOverrun`] on chunks longer than `limit` bytes.
    ///
    /// # Panics
    /// If `limit` is 0 (asyncio raises `ValueError`).
    pub fn with_limit(inner: R, limit: usize) -> StreamReader<R> {
        assert!(limit > 0, "StreamReader limit cannot be 0");
        StreamReader {
            inner,
            buf: Vec::new(),
            start: 0,
            end: 0,
            eof: false,
            limit,
        }
    }

    /// The limit on the chunk `readuntil` and `readline` may return (the
    /// separator excluded), asyncio's `limit` argument.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Whether the underlying reader reached EOF *and* the buffer is empty
    /// (asyncio `at_eof`): every read method will now return no data.
    pub fn at_eof(&self) -> bool {
        self.eof && self.start == self.end
    }

    /// The data read from the underlying reader but not returned yet.
    pub fn buffer(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// The underlying reader.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The underlying reader. Reading from it directly skips the buffer.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// The underlying reader and the buffered data that was not returned
    /// yet (which would otherwise be lost).
    pub fn into_parts(mut self) -> (R, Vec<u8>) {
        let rest = self.take_all();
        (self.inner, rest)
    }

    /// The size of the storage behind the buffer (tests check it shrinks).
    #[cfg(test)]
    pub(super) fn storage_len(&self) -> usize {
        self.buf.capacity()
    }

    /// Removes the first `n` buffered bytes (`n` ≤ the buffered length).
    fn consume_buffered(&mut self, n: usize) {
        debug_assert!(n <= self.end - self.start);
        self.start += n;
        if self.start == self.end {
            // Empty: start over at the front, so reads need no compaction.
            self.start = 0;
            self.end = 0;
            if self.buf.len() > self.limit + 2 * READ_CHUNK {
                // A large `readexactly` grew the storage: give it back
                // rather than keep it for the connection's lifetime.
                self.buf = Vec::new();
            }
        }
    }

    /// Removes and returns the first `n` buffered bytes.
    fn take(&mut self, n: usize) -> Vec<u8> {
        let out = self.buf[self.start..self.start + n].to_vec();
        self.consume_buffered(n);
        out
    }

    /// Removes and returns everything buffered, without copying when the
    /// data starts at the front of the storage (the `read_to_end` case).
    fn take_all(&mut self) -> Vec<u8> {
        if self.start == 0 {
            let mut out = mem::take(&mut self.buf);
            out.truncate(self.end);
            self.end = 0;
            out
        } else {
            let n = self.end - self.start;
            self.take(n)
        }
    }
}

impl<R: AsyncRead + Unpin> StreamReader<R> {
    /// Reads once from the underlying reader, up to `max` bytes, into the
    /// buffer. Ready with the number of bytes added (0 at EOF).
    fn poll_fill(&mut self, cx: &mut Context<'_>, max: usize) -> Poll<io::Result<usize>> {
        if self.eof {
            return Poll::Ready(Ok(0));
        }
        let max = max.max(1);
        if self.buf.len() - self.end < max {
            if self.start > 0 {
                // Slide the buffered data to the front before growing.
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.buf.len() - self.end < max {
                self.buf.resize(self.end + max, 0);
            }
        }
        loop {
            let window = &mut self.buf[self.end..self.end + max];
            match Pin::new(&mut self.inner).poll_read(cx, window) {
                Poll::Ready(Ok(0)) => {
                    self.eof = true;
                    return Poll::Ready(Ok(0));
                }
                Poll::Ready(Ok(n)) => {
                    self.end += n;
                    return Poll::Ready(Ok(n));
                }
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }

    /// One read of up to `max` bytes into the buffer (0 at EOF).
    async fn fill(&mut self, max: usize) -> io::Result<usize> {
        poll_fn(|cx| self.poll_fill(cx, max)).await
    }

    /// Reads up to `n` bytes (asyncio `read(n)`): the buffered data if there
    /// is any, else what one read from the underlying reader returns. An
    /// empty result means EOF (or `n == 0`, which returns at once).
    ///
    /// asyncio's `read(-1)` (everything until EOF) is
    /// [`read_to_end`](Self::read_to_end).
    ///
    /// # Errors
    /// The underlying reader's errors. Cancel-safe.
    pub async fn read(&mut self, n: usize) -> io::Result<Vec<u8>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        if self.start == self.end {
            // One read, at least a chunk (the rest stays buffered), at most
            // the limit even for a large `n`.
            self.fill(n.min(self.limit).max(READ_CHUNK)).await?;
        }
        let take = n.min(self.end - self.start);
        Ok(self.take(take))
    }

    /// Reads until EOF and returns everything (asyncio `read()` /
    /// `read(-1)`). This is the one method that is not bounded by the limit:
    /// it buffers the whole remaining stream.
    ///
    /// # Errors
    /// The underlying reader's errors; the data read so far stays buffered.
    /// Cancel-safe.
    pub async fn read_to_end(&mut self) -> io::Result<Vec<u8>> {
        // Grow by at least a chunk, and by the buffered size as the data
        // grows, so a long stream costs O(log n) reallocations.
        while self.fill(READ_CHUNK.max(self.end - self.start)).await? > 0 {}
        Ok(self.take_all())
    }

    /// Reads exactly `n` bytes (asyncio `readexactly`).
    ///
    /// # Errors
    /// [`StreamError::IncompleteRead`] if EOF comes first: its `partial`
    /// holds the bytes that were available (they are taken out of the
    /// buffer) and `expected` is `Some(n)`. [`StreamError::Io`] for the
    /// underlying reader's errors (the data stays buffered). Cancel-safe.
    pub async fn readexactly(&mut self, n: usize) -> Result<Vec<u8>, StreamError> {
        loop {
            let buffered = self.end - self.start;
            if buffered >= n {
                return Ok(self.take(n));
            }
            if self.eof {
                return Err(IncompleteRead {
                    partial: self.take_all(),
                    expected: Some(n),
                }
                .into());
            }
            // Room for at most a limit's worth per read: the buffer grows
            // with the data that actually arrives, so a peer announcing a
            // huge length and sending nothing cannot make us allocate it
            // (found in review).
            self.fill(
                (n - buffered)
                    .min(self.limit.max(READ_CHUNK))
                    .max(READ_CHUNK),
            )
            .await?;
        }
    }

    /// Reads until `separator` and returns the data *with* the separator at
    /// its end (asyncio `readuntil`).
    ///
    /// # Errors
    /// - [`StreamError::LimitOverrun`] if the data before the separator is
    ///   longer than [`limit`](Self::limit) bytes (whether the separator was
    ///   found beyond the limit or not found in `limit + len(separator)`
    ///   bytes). The data is **left in the buffer**: the stream stays usable
    ///   and another call (`read`, `readexactly(e.consumed)`, ...) can take
    ///   it.
    /// - [`StreamError::IncompleteRead`] if EOF comes before the separator:
    ///   `partial` is the rest of the stream (taken out of the buffer),
    ///   `expected` is `None`.
    /// - [`StreamError::Io`]: the underlying reader's errors (the data stays
    ///   buffered), or [`io::ErrorKind::InvalidInput`] for an empty
    ///   separator (asyncio raises `ValueError`).
    ///
    /// Cancel-safe.
    pub async fn readuntil(&mut self, separator: &[u8]) -> Result<Vec<u8>, StreamError> {
        let seplen = separator.len();
        if seplen == 0 {
            return Err(StreamError::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                "readuntil: the separator must contain at least one byte",
            )));
        }
        // Where the search resumes: the bytes before `offset` were searched
        // already and cannot start a match (asyncio's algorithm).
        let mut offset = 0;
        let found = loop {
            let buffered = self.end - self.start;
            if buffered >= offset + seplen {
                let data = &self.buf[self.start + offset..self.end];
                if let Some(i) = find(data, separator) {
                    break offset + i;
                }
                offset = buffered + 1 - seplen;
                if offset > self.limit {
                    return Err(LimitOverrun {
                        consumed: offset,
                        separator_found: false,
                        limit: self.limit,
                    }
                    .into());
                }
            }
            if self.eof {
                return Err(IncompleteRead {
                    partial: self.take_all(),
                    expected: None,
                }
                .into());
            }
            // Never let the buffer pass limit + one chunk: we only get here
            // while `buffered < limit + seplen`, so this is a full chunk
            // unless the separator itself is longer than a chunk.
            let room = (self.limit + READ_CHUNK).saturating_sub(buffered);
            self.fill(room.min(READ_CHUNK)).await?;
        };
        if found > self.limit {
            return Err(LimitOverrun {
                consumed: found,
                separator_found: true,
                limit: self.limit,
            }
            .into());
        }
        Ok(self.take(found + seplen))
    }

    /// Reads one line, up to and including `b'\n'` (asyncio `readline`).
    /// At EOF it returns the rest of the stream without a `\n`, and an empty
    /// vector once nothing is left.
    ///
    /// # Errors
    /// - [`StreamError::LimitOverrun`] if the line is longer than
    ///   [`limit`](Self::limit). As in asyncio (which raises `ValueError`
    ///   here), the over-long data is **discarded**: through the `\n` if it
    ///   was buffered, else everything buffered — in that case the next call
    ///   returns the tail of the long line. Use [`readuntil`](Self::readuntil)
    ///   to keep the data instead.
    /// - [`StreamError::Io`]: the underlying reader's errors (the data stays
    ///   buffered).
    ///
    /// Never returns [`StreamError::IncompleteRead`]. Cancel-safe.
    pub async fn readline(&mut self) -> Result<Vec<u8>, StreamError> {
        match self.readuntil(b"\n").await {
            Ok(line) => Ok(line),
            Err(StreamError::IncompleteRead(e)) => Ok(e.partial),
            Err(StreamError::LimitOverrun(e)) => {
                if self.buffer().get(e.consumed) == Some(&b'\n') {
                    self.consume_buffered(e.consumed + 1);
                } else {
                    let all = self.end - self.start;
                    self.consume_buffered(all);
                }
                Err(e.into())
            }
            Err(e) => Err(e),
        }
    }
}

/// The offset of the first occurrence of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    match needle {
        [byte] => haystack.iter().position(|b| b == byte),
        _ => haystack.windows(needle.len()).position(|w| w == needle),
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for StreamReader<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if out.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if this.start == this.end {
            if this.eof {
                return Poll::Ready(Ok(0));
            }
            if out.len() >= READ_CHUNK {
                // A large read with nothing buffered: skip the copy.
                let n = std::task::ready!(Pin::new(&mut this.inner).poll_read(cx, out))?;
                if n == 0 {
                    this.eof = true;
                }
                return Poll::Ready(Ok(n));
            }
            std::task::ready!(this.poll_fill(cx, READ_CHUNK))?;
        }
        let n = out.len().min(this.end - this.start);
        out[..n].copy_from_slice(&this.buf[this.start..this.start + n]);
        this.consume_buffered(n);
        Poll::Ready(Ok(n))
    }
}

impl<R: AsyncRead + Unpin> AsyncBufRead for StreamReader<R> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        if this.start == this.end && !this.eof {
            std::task::ready!(this.poll_fill(cx, READ_CHUNK))?;
        }
        Poll::Ready(Ok(&this.buf[this.start..this.end]))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        let this = self.get_mut();
        let amt = amt.min(this.end - this.start);
        this.consume_buffered(amt);
    }
}

impl<R> fmt::Debug for StreamReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamReader")
            .field("buffered", &(self.end - self.start))
            .field("eof", &self.eof)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}
