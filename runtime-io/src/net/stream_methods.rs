//! The read and write methods every byte-stream type has (TCP and Unix
//! streams and their halves), generated once so that the types stay in step.
//! Each macro takes the type and the field path to its `IoSource`.

/// Inherent read methods: `poll_read`, `poll_peek`, `readable`, `try_read`,
/// `read`, `peek`, `read_exact`, `read_to_end`.
macro_rules! read_methods {
    ($ty:ty, $($field:ident).+) => {
        impl $ty {
            /// Polls for a read into `buf`: `Ready(Ok(n))` with `n` bytes read
            /// (`0` means end of stream, or an empty `buf`), or `Pending` with
            /// the task's waker registered for readiness.
            ///
            /// # Errors
            /// The socket's error (e.g. `ConnectionReset`), or an error once
            /// the runtime has shut down.
            pub fn poll_read(
                &self,
                cx: &mut ::std::task::Context<'_>,
                buf: &mut [u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                $crate::net::stream_io::poll_read(&self.$($field).+, cx, buf)
            }

            /// Polls for a peek: like [`poll_read`](Self::poll_read) but the
            /// bytes stay queued for the next read.
            ///
            /// # Errors
            /// As [`poll_read`](Self::poll_read).
            pub fn poll_peek(
                &self,
                cx: &mut ::std::task::Context<'_>,
                buf: &mut [u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                $crate::net::stream_io::poll_peek(&self.$($field).+, cx, buf)
            }

            /// Waits until the socket may be readable (a hint: the next read
            /// can still return `WouldBlock`, which `try_read` then reports).
            ///
            /// Cancel-safe.
            ///
            /// # Errors
            /// Once the runtime that drives the socket has shut down.
            pub async fn readable(&self) -> ::std::io::Result<()> {
                self.$($field).+.ready($crate::reactor::Direction::Read).await
            }

            /// Reads what is queued now, without waiting.
            ///
            /// # Errors
            /// `WouldBlock` if nothing is queued; otherwise the socket's error.
            pub fn try_read(&self, buf: &mut [u8]) -> ::std::io::Result<usize> {
                use ::std::os::fd::AsFd as _;
                self.$($field).+.try_io($crate::reactor::Direction::Read, |s| {
                    $crate::net::sys::recv(s.as_fd(), buf)
                })
            }

            /// Reads some bytes into `buf` and returns how many; `0` means the
            /// peer closed its sending side (or `buf` is empty).
            ///
            /// Cancel-safe: dropping the future before it completes loses no
            /// data (nothing was read).
            ///
            /// # Errors
            /// The socket's error, e.g. `ConnectionReset` when the peer reset
            /// the connection.
            pub async fn read(&self, buf: &mut [u8]) -> ::std::io::Result<usize> {
                ::std::future::poll_fn(|cx| self.poll_read(cx, buf)).await
            }

            /// Copies queued bytes into `buf` without consuming them; waits
            /// until at least one byte (or end of stream) is there.
            ///
            /// Cancel-safe.
            ///
            /// # Errors
            /// As [`read`](Self::read).
            pub async fn peek(&self, buf: &mut [u8]) -> ::std::io::Result<usize> {
                ::std::future::poll_fn(|cx| self.poll_peek(cx, buf)).await
            }

            /// Reads exactly `buf.len()` bytes.
            ///
            /// Not cancel-safe: if the future is dropped part-way, the bytes
            /// read so far are in `buf` but how many is not reported.
            ///
            /// # Errors
            /// `UnexpectedEof` if the stream ends first; the socket's error.
            pub async fn read_exact(&self, buf: &mut [u8]) -> ::std::io::Result<()> {
                $crate::net::stream_io::read_exact(&self.$($field).+, buf).await
            }

            /// Reads until end of stream, appending to `buf`; returns the
            /// number of bytes appended.
            ///
            /// Cancel-safe in the sense that no byte is lost: if the future is
            /// dropped, the bytes read so far stay appended to `buf`.
            ///
            /// # Errors
            /// The socket's error (the bytes read before it stay in `buf`).
            pub async fn read_to_end(&self, buf: &mut ::std::vec::Vec<u8>) -> ::std::io::Result<usize> {
                $crate::net::stream_io::read_to_end(&self.$($field).+, buf).await
            }
        }
    };
}

/// Inherent write methods: `poll_write`, `poll_write_vectored`, `writable`,
/// `try_write`, `write`, `write_vectored`, `write_all`, `flush`.
macro_rules! write_methods {
    ($ty:ty, $($field:ident).+) => {
        impl $ty {
            /// Polls for a write from `buf`: `Ready(Ok(n))` with `n` bytes
            /// queued to the kernel, or `Pending` with the waker registered.
            /// Never raises `SIGPIPE`.
            ///
            /// # Errors
            /// `BrokenPipe` or `ConnectionReset` if the peer is gone; the
            /// socket's other errors.
            pub fn poll_write(
                &self,
                cx: &mut ::std::task::Context<'_>,
                buf: &[u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                $crate::net::stream_io::poll_write(&self.$($field).+, cx, buf)
            }

            /// Polls for a write of several buffers in one `sendmsg`.
            ///
            /// # Errors
            /// As [`poll_write`](Self::poll_write).
            pub fn poll_write_vectored(
                &self,
                cx: &mut ::std::task::Context<'_>,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                $crate::net::stream_io::poll_write_vectored(&self.$($field).+, cx, bufs)
            }

            /// Waits until the socket may be writable (a hint, as with
            /// `readable`).
            ///
            /// Cancel-safe.
            ///
            /// # Errors
            /// Once the runtime that drives the socket has shut down.
            pub async fn writable(&self) -> ::std::io::Result<()> {
                self.$($field).+.ready($crate::reactor::Direction::Write).await
            }

            /// Writes what the kernel takes now, without waiting.
            ///
            /// # Errors
            /// `WouldBlock` if the send buffer is full; otherwise as
            /// [`write`](Self::write).
            pub fn try_write(&self, buf: &[u8]) -> ::std::io::Result<usize> {
                use ::std::os::fd::AsFd as _;
                self.$($field).+.try_io($crate::reactor::Direction::Write, |s| {
                    $crate::net::sys::send(s.as_fd(), buf)
                })
            }

            /// Writes some of `buf` and returns how many bytes were taken.
            ///
            /// Cancel-safe: if the future is dropped, nothing was written.
            ///
            /// # Errors
            /// `BrokenPipe` or `ConnectionReset` if the peer is gone (never a
            /// `SIGPIPE`); the socket's other errors.
            pub async fn write(&self, buf: &[u8]) -> ::std::io::Result<usize> {
                ::std::future::poll_fn(|cx| self.poll_write(cx, buf)).await
            }

            /// Writes some bytes from several buffers (one `sendmsg`).
            ///
            /// Cancel-safe, as [`write`](Self::write).
            ///
            /// # Errors
            /// As [`write`](Self::write).
            pub async fn write_vectored(&self, bufs: &[::std::io::IoSlice<'_>]) -> ::std::io::Result<usize> {
                ::std::future::poll_fn(|cx| self.poll_write_vectored(cx, bufs)).await
            }

            /// Writes all of `buf`.
            ///
            /// Not cancel-safe: if the future is dropped part-way, a prefix of
            /// `buf` may have been sent and how much is not reported.
            ///
            /// # Errors
            /// As [`write`](Self::write); `WriteZero` if the kernel takes
            /// nothing.
            pub async fn write_all(&self, buf: &[u8]) -> ::std::io::Result<()> {
                $crate::net::stream_io::write_all(&self.$($field).+, buf).await
            }

            /// Does nothing and succeeds: writes go straight to the kernel,
            /// there is no user-space buffer to flush. Here so that code
            /// written against buffered writers reads the same.
            ///
            /// # Errors
            /// None.
            pub async fn flush(&self) -> ::std::io::Result<()> {
                Ok(())
            }
        }
    };
}

/// `futures_io::AsyncRead` for `$ty` (which may be `&Stream`).
macro_rules! async_read {
    ($ty:ty, $($field:ident).+) => {
        impl ::futures_io::AsyncRead for $ty {
            fn poll_read(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &mut [u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                $crate::net::stream_io::poll_read(&self.$($field).+, cx, buf)
            }

            fn poll_read_vectored(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                bufs: &mut [::std::io::IoSliceMut<'_>],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                $crate::net::stream_io::poll_read_vectored(&self.$($field).+, cx, bufs)
            }
        }
    };
}

/// `futures_io::AsyncWrite` for `$ty` (which may be `&Stream`): flush is a
/// no-op, close shuts the write direction down (the peer reads EOF).
macro_rules! async_write {
    ($ty:ty, $($field:ident).+) => {
        impl ::futures_io::AsyncWrite for $ty {
            fn poll_write(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &[u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                $crate::net::stream_io::poll_write(&self.$($field).+, cx, buf)
            }

            fn poll_write_vectored(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                $crate::net::stream_io::poll_write_vectored(&self.$($field).+, cx, bufs)
            }

            fn poll_flush(
                self: ::std::pin::Pin<&mut Self>,
                _cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                ::std::task::Poll::Ready(Ok(()))
            }

            fn poll_close(
                self: ::std::pin::Pin<&mut Self>,
                _cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                $crate::net::stream_io::close_write(
                    self.$($field).+.get_ref().shutdown(::std::net::Shutdown::Write),
                )
            }
        }
    };
}

pub(crate) use {async_read, async_write, read_methods, write_methods};
