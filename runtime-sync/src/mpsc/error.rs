//! The errors of the [`mpsc`](crate::mpsc) channel. The send errors give the
//! message back, so a failed send loses nothing.

use std::error::Error;
use std::fmt;

/// [`Sender::send`](super::Sender::send) failed because the channel is
/// closed (the receiver was dropped or called
/// [`close`](super::Receiver::close)). The message is returned in `.0`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SendError<T>(pub T);

impl<T> SendError<T> {
    /// The message that could not be sent.
    pub fn into_inner(self) -> T {
        self.0
    }
}

// Not derived: the message need not be `Debug`, and printing it could be
// large; the error says what happened, not what was in it.
impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sending on a closed channel")
    }
}

impl<T> Error for SendError<T> {}

/// Why [`Sender::try_send`](super::Sender::try_send) did not send; either
/// way the message comes back.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrySendError<T> {
    /// The channel is at capacity, or senders that came earlier are still
    /// waiting for room (they go first). Only a bounded channel is ever
    /// full.
    Full(T),
    /// The channel is closed: the receiver was dropped or closed it.
    Closed(T),
}

impl<T> TrySendError<T> {
    /// The message that was not sent.
    pub fn into_inner(self) -> T {
        match self {
            TrySendError::Full(value) | TrySendError::Closed(value) => value,
        }
    }

    /// Whether the channel was full (sending later may succeed).
    pub fn is_full(&self) -> bool {
        matches!(self, TrySendError::Full(_))
    }

    /// Whether the channel was closed (no send will ever succeed).
    pub fn is_closed(&self) -> bool {
        matches!(self, TrySendError::Closed(_))
    }
}

impl<T> From<SendError<T>> for TrySendError<T> {
    fn from(SendError(value): SendError<T>) -> Self {
        TrySendError::Closed(value)
    }
}

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("Full(..)"),
            TrySendError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("channel full"),
            TrySendError::Closed(_) => f.write_str("sending on a closed channel"),
        }
    }
}

impl<T> Error for TrySendError<T> {}

/// Why [`Receiver::try_recv`](super::Receiver::try_recv) returned no
/// message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TryRecvError {
    /// No message is buffered now; one may still come.
    Empty,
    /// No message is buffered and none will come: every sender was dropped,
    /// or the receiver closed the channel.
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("channel empty"),
            TryRecvError::Closed => f.write_str("channel empty and closed"),
        }
    }
}

impl Error for TryRecvError {}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn errors_give_the_message_back_and_say_what_went_wrong() {
        assert_eq!(SendError(1).into_inner(), 1);
        assert_eq!(SendError(1).to_string(), "sending on a closed channel");
        assert_eq!(format!("{:?}", SendError(vec![1])), "SendError(..)");
        let full = TrySendError::Full(2);
        assert!(full.is_full() && !full.is_closed());
        assert_eq!(full.to_string(), "channel full");
        assert_eq!(format!("{full:?}"), "Full(..)");
        assert_eq!(full.into_inner(), 2);
        let closed = TrySendError::from(SendError(3));
        assert!(closed.is_closed());
        assert_eq!(format!("{closed:?}"), "Closed(..)");
        assert_eq!(closed.into_inner(), 3);
        assert_eq!(TryRecvError::Empty.to_string(), "channel empty");
        assert_eq!(TryRecvError::Closed.to_string(), "channel empty and closed");
    }
}
