//! Read and write halves of a byte stream, generated for `TcpStream` and
//! `UnixStream` alike: owned halves (`Arc`, for two tasks) and borrowed
//! halves (free, for one scope).
//!
//! Halves are safe because a stream's reads and writes already need only
//! `&self`, and the reactor keeps a waiter list per direction: the reading
//! task and the writing task never overwrite each other's waker.

/// Defines `OwnedReadHalf`, `OwnedWriteHalf`, `ReadHalf`, `WriteHalf` and
/// `ReuniteError` for `$stream`, whose addresses are `$addr`.
macro_rules! split_halves {
    ($stream:ident, $addr:ty) => {
        use std::fmt;
        use std::io;
        use std::net::Shutdown;
        use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
        use std::sync::Arc;

        use $crate::net::stream_methods::{async_read, async_write, read_methods, write_methods};

        #[doc = concat!("The read half of a [`", stringify!($stream), "`], from [`",
            stringify!($stream), "::into_split`]; movable to another task.")]
        pub struct OwnedReadHalf {
            inner: Arc<$stream>,
        }

        #[doc = concat!("The write half of a [`", stringify!($stream), "`], from [`",
            stringify!($stream), "::into_split`]; movable to another task.")]
        ///
        /// Dropping it shuts the write side of the connection down (the peer
        /// reads end of stream) even while the read half lives on; use
        /// [`reunite`](OwnedWriteHalf::reunite) or
        /// [`forget`](OwnedWriteHalf::forget) to avoid that.
        pub struct OwnedWriteHalf {
            inner: Arc<$stream>,
            shutdown_on_drop: bool,
        }

        #[doc = concat!("The read half of a [`", stringify!($stream), "`], borrowed by [`",
            stringify!($stream), "::split`].")]
        pub struct ReadHalf<'a> {
            stream: &'a $stream,
        }

        #[doc = concat!("The write half of a [`", stringify!($stream), "`], borrowed by [`",
            stringify!($stream), "::split`]. Dropping it does nothing.")]
        pub struct WriteHalf<'a> {
            stream: &'a $stream,
        }

        /// [`OwnedReadHalf::reunite`] was given halves of two different
        /// streams; both come back unchanged.
        pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

        impl OwnedReadHalf {
            pub(super) fn pair(stream: $stream) -> (OwnedReadHalf, OwnedWriteHalf) {
                let inner = Arc::new(stream);
                (
                    OwnedReadHalf { inner: inner.clone() },
                    OwnedWriteHalf {
                        inner,
                        shutdown_on_drop: true,
                    },
                )
            }

            #[doc = concat!("Puts the two halves back into one [`", stringify!($stream), "`].")]
            ///
            /// # Errors
            /// [`ReuniteError`] (holding both halves) if they come from
            /// different streams.
            pub fn reunite(self, other: OwnedWriteHalf) -> Result<$stream, ReuniteError> {
                if !Arc::ptr_eq(&self.inner, &other.inner) {
                    return Err(ReuniteError(self, other));
                }
                other.forget();
                // The two halves held the only two references.
                Ok(Arc::try_unwrap(self.inner).expect("both halves of one stream were given"))
            }

            /// The remote address.
            ///
            /// # Errors
            /// As the stream's `peer_addr`.
            pub fn peer_addr(&self) -> io::Result<$addr> {
                self.inner.peer_addr()
            }

            /// The local address.
            ///
            /// # Errors
            /// As the stream's `local_addr`.
            pub fn local_addr(&self) -> io::Result<$addr> {
                self.inner.local_addr()
            }
        }

        impl OwnedWriteHalf {
            /// Puts the two halves back together; see
            /// [`OwnedReadHalf::reunite`].
            ///
            /// # Errors
            /// [`ReuniteError`] if the halves come from different streams.
            pub fn reunite(self, other: OwnedReadHalf) -> Result<$stream, ReuniteError> {
                other.reunite(self)
            }

            /// Drops the half *without* shutting the write side down.
            pub fn forget(mut self) {
                self.shutdown_on_drop = false;
            }

            /// Shuts the write side down now: the peer reads end of stream;
            /// the read half keeps working.
            ///
            /// # Errors
            /// `NotConnected` if the connection is already gone.
            pub fn shutdown(&self) -> io::Result<()> {
                self.inner.shutdown(Shutdown::Write)
            }

            /// The remote address.
            ///
            /// # Errors
            /// As the stream's `peer_addr`.
            pub fn peer_addr(&self) -> io::Result<$addr> {
                self.inner.peer_addr()
            }

            /// The local address.
            ///
            /// # Errors
            /// As the stream's `local_addr`.
            pub fn local_addr(&self) -> io::Result<$addr> {
                self.inner.local_addr()
            }
        }

        impl Drop for OwnedWriteHalf {
            fn drop(&mut self) {
                if self.shutdown_on_drop {
                    // The peer may be gone already; nothing to report to.
                    let _ = self.inner.shutdown(Shutdown::Write);
                }
            }
        }

        impl<'a> ReadHalf<'a> {
            pub(super) fn pair(stream: &'a mut $stream) -> (ReadHalf<'a>, WriteHalf<'a>) {
                let stream = &*stream;
                (ReadHalf { stream }, WriteHalf { stream })
            }

            /// The remote address.
            ///
            /// # Errors
            /// As the stream's `peer_addr`.
            pub fn peer_addr(&self) -> io::Result<$addr> {
                self.stream.peer_addr()
            }

            /// The local address.
            ///
            /// # Errors
            /// As the stream's `local_addr`.
            pub fn local_addr(&self) -> io::Result<$addr> {
                self.stream.local_addr()
            }
        }

        impl WriteHalf<'_> {
            /// Shuts the write side down: the peer reads end of stream.
            ///
            /// # Errors
            /// `NotConnected` if the connection is already gone.
            pub fn shutdown(&self) -> io::Result<()> {
                self.stream.shutdown(Shutdown::Write)
            }

            /// The remote address.
            ///
            /// # Errors
            /// As the stream's `peer_addr`.
            pub fn peer_addr(&self) -> io::Result<$addr> {
                self.stream.peer_addr()
            }

            /// The local address.
            ///
            /// # Errors
            /// As the stream's `local_addr`.
            pub fn local_addr(&self) -> io::Result<$addr> {
                self.stream.local_addr()
            }
        }

        read_methods!(OwnedReadHalf, inner.io);
        async_read!(OwnedReadHalf, inner.io);
        write_methods!(OwnedWriteHalf, inner.io);
        async_write!(OwnedWriteHalf, inner.io);
        read_methods!(ReadHalf<'_>, stream.io);
        async_read!(ReadHalf<'_>, stream.io);
        write_methods!(WriteHalf<'_>, stream.io);
        async_write!(WriteHalf<'_>, stream.io);

        $crate::net::split::split_halves!(@fd OwnedReadHalf, inner);
        $crate::net::split::split_halves!(@fd OwnedWriteHalf, inner);
        $crate::net::split::split_halves!(@fd ReadHalf<'_>, stream);
        $crate::net::split::split_halves!(@fd WriteHalf<'_>, stream);

        impl fmt::Debug for ReuniteError {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple("ReuniteError").finish_non_exhaustive()
            }
        }

        impl fmt::Display for ReuniteError {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("tried to reunite halves of two different streams")
            }
        }

        impl std::error::Error for ReuniteError {}
    };
    (@fd $half:ty, $field:ident) => {
        impl fmt::Debug for $half {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let name = std::any::type_name::<Self>();
                let name = name.rsplit("::").next().unwrap_or(name);
                f.debug_tuple(name).field(&*self.$field).finish()
            }
        }

        impl AsRawFd for $half {
            fn as_raw_fd(&self) -> RawFd {
                self.$field.as_raw_fd()
            }
        }

        impl AsFd for $half {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.$field.as_fd()
            }
        }
    };
}

pub(crate) use split_halves;
