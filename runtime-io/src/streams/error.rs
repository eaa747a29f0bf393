//! The errors of [`StreamReader`](super::StreamReader): asyncio's
//! `IncompleteReadError` and `LimitOverrunError`, and the enum that carries
//! them next to plain I/O errors.
//!
//! Both errors convert into [`io::Error`] (with [`io::ErrorKind::UnexpectedEof`]
//! and [`io::ErrorKind::InvalidData`]), keeping the typed error inside, so `?`
//! works in functions that return `io::Result` and the details can still be
//! recovered with [`io::Error::get_ref`] + `downcast_ref`.

use std::error::Error;
use std::fmt;
use std::io;

/// EOF came before the requested amount of data (asyncio
/// `IncompleteReadError`), from [`readexactly`](super::StreamReader::readexactly)
/// and [`readuntil`](super::StreamReader::readuntil).
///
/// The bytes read before EOF are handed back in `partial` (they have been
/// removed from the reader's buffer, as in asyncio).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncompleteRead {
    /// The bytes that were read before EOF.
    pub partial: Vec<u8>,
    /// How many bytes were expected: `Some(n)` from `readexactly(n)`, `None`
    /// from `readuntil` (which expected a separator, not a length).
    pub expected: Option<usize>,
}

impl fmt::Display for IncompleteRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.expected {
            Some(n) => write!(
                f,
                "{} bytes read on a total of {} expected bytes",
                self.partial.len(),
                n
            ),
            None => write!(
                f,
                "{} bytes read on a total of undefined expected bytes",
                self.partial.len()
            ),
        }
    }
}

impl Error for IncompleteRead {}

impl From<IncompleteRead> for io::Error {
    fn from(e: IncompleteRead) -> io::Error {
        io::Error::new(io::ErrorKind::UnexpectedEof, e)
    }
}

/// The separator was not found within the reader's limit (asyncio
/// `LimitOverrunError`), from [`readuntil`](super::StreamReader::readuntil)
/// and [`readline`](super::StreamReader::readline).
///
/// After `readuntil`, the data is still in the reader's buffer and can be
/// taken by another call (for instance [`read`](super::StreamReader::read)
/// or `readexactly(consumed)`); `readline` discards it as asyncio does
/// (see its documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitOverrun {
    /// asyncio's `consumed`: how many bytes have to be consumed to get past
    /// the over-long chunk. If the separator was found (beyond the limit),
    /// the offset where it starts; if not, how far the search got (the
    /// buffered length minus the separator length plus one).
    pub consumed: usize,
    /// Whether the separator was found (beyond the limit) in the buffered
    /// data.
    pub separator_found: bool,
    /// The reader's limit at the time of the call.
    pub limit: usize,
}

impl fmt::Display for LimitOverrun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.separator_found {
            write!(
                f,
                "separator is found, but chunk is longer than limit ({} > {})",
                self.consumed, self.limit
            )
        } else {
            write!(
                f,
                "separator is not found, and chunk exceeds the limit ({} > {})",
                self.consumed, self.limit
            )
        }
    }
}

impl Error for LimitOverrun {}

impl From<LimitOverrun> for io::Error {
    fn from(e: LimitOverrun) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, e)
    }
}

/// The error of the [`StreamReader`](super::StreamReader) methods that can
/// fail for more than an I/O reason (`readexactly`, `readuntil`, `readline`).
///
/// Match on it directly, or use `?` to turn it into an [`io::Error`]
/// (`Io` unwraps, the others wrap with the kinds documented on them).
///
/// ```
/// use runtime_io::streams::{IncompleteRead, StreamError};
///
/// fn describe(e: &StreamError) -> String {
///     match e {
///         StreamError::IncompleteRead(IncompleteRead { partial, .. }) => {
///             format!("EOF after {} bytes", partial.len())
///         }
///         StreamError::LimitOverrun(e) => format!("too long: {}", e.consumed),
///         StreamError::Io(e) => format!("I/O: {e}"),
///     }
/// }
/// let e = StreamError::IncompleteRead(IncompleteRead { partial: b"ab".to_vec(), expected: Some(4) });
/// assert_eq!(describe(&e), "EOF after 2 bytes");
/// let io: std::io::Error = e.into();
/// assert_eq!(io.kind(), std::io::ErrorKind::UnexpectedEof);
/// ```
#[derive(Debug)]
pub enum StreamError {
    /// EOF before the requested data (asyncio `IncompleteReadError`).
    IncompleteRead(IncompleteRead),
    /// The limit was hit before the separator (asyncio `LimitOverrunError`).
    LimitOverrun(LimitOverrun),
    /// The underlying reader failed.
    Io(io::Error),
}

impl StreamError {
    /// The [`IncompleteRead`] inside, if that is what this is.
    pub fn as_incomplete_read(&self) -> Option<&IncompleteRead> {
        match self {
            StreamError::IncompleteRead(e) => Some(e),
            _ => None,
        }
    }

    /// The [`LimitOverrun`] inside, if that is what this is.
    pub fn as_limit_overrun(&self) -> Option<&LimitOverrun> {
        match self {
            StreamError::LimitOverrun(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::IncompleteRead(e) => fmt::Display::fmt(e, f),
            StreamError::LimitOverrun(e) => fmt::Display::fmt(e, f),
            StreamError::Io(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl Error for StreamError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            StreamError::IncompleteRead(e) => Some(e),
            StreamError::LimitOverrun(e) => Some(e),
            StreamError::Io(e) => Some(e),
        }
    }
}

impl From<io::Error> for StreamError {
    fn from(e: io::Error) -> StreamError {
        StreamError::Io(e)
    }
}

impl From<IncompleteRead> for StreamError {
    fn from(e: IncompleteRead) -> StreamError {
        StreamError::IncompleteRead(e)
    }
}

impl From<LimitOverrun> for StreamError {
    fn from(e: LimitOverrun) -> StreamError {
        StreamError::LimitOverrun(e)
    }
}

impl From<StreamError> for io::Error {
    fn from(e: StreamError) -> io::Error {
        match e {
            StreamError::IncompleteRead(e) => e.into(),
            StreamError::LimitOverrun(e) => e.into(),
            StreamError::Io(e) => e,
        }
    }
}
