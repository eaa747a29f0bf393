//! The errors of the [`oneshot`](crate::oneshot) channel. A failed send
//! returns the value itself (`Err(value)`), so it needs no error type.

use std::error::Error;
use std::fmt;

/// The [`Sender`](super::Sender) was dropped without sending: no value will
/// come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecvError(pub(super) ());

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("oneshot sender dropped without sending")
    }
}

impl Error for RecvError {}

/// Why [`Receiver::try_recv`](super::Receiver::try_recv) returned no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TryRecvError {
    /// Nothing was sent yet; the sender may still send.
    Empty,
    /// No value will come: the sender was dropped without sending, or the
    /// value was already received.
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("oneshot value not sent yet"),
            TryRecvError::Closed => f.write_str("oneshot closed: no value will come"),
        }
    }
}

impl Error for TryRecvError {}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_went_wrong() {
        assert_eq!(
            RecvError(()).to_string(),
            "oneshot sender dropped without sending"
        );
        assert_eq!(
            TryRecvError::Empty.to_string(),
            "oneshot value not sent yet"
        );
        assert_eq!(
            TryRecvError::Closed.to_string(),
            "oneshot closed: no value will come"
        );
    }
}
