//! The errors of the [`broadcast`](crate::broadcast) channel.

use std::error::Error;
use std::fmt;

/// [`Sender::send`](super::Sender::send) found no receiver subscribed:
/// nobody would ever see the message, so it is returned in `.0` (and not
/// kept for later subscribers, who only see what is sent after they join).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SendError<T>(pub T);

impl<T> SendError<T> {
    /// The message that was not sent.
    pub fn into_inner(self) -> T {
        self.0
    }
}

// Not derived: the message need not be `Debug`.
impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("broadcast has no receivers")
    }
}

impl<T> Error for SendError<T> {}

/// Why [`Receiver::recv`](super::Receiver::recv) returned no message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecvError {
    /// Every sender was dropped and this receiver has seen every message.
    Closed,
    /// This receiver fell behind: the channel dropped this many messages it
    /// had not received yet to make room for new ones. The next receive
    /// returns the oldest message still kept.
    Lagged(u64),
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvError::Closed => f.write_str("broadcast closed"),
            RecvError::Lagged(n) => write!(f, "receiver lagged behind; messages missed: {n}"),
        }
    }
}

impl Error for RecvError {}

/// Why [`Receiver::try_recv`](super::Receiver::try_recv) returned no
/// message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TryRecvError {
    /// This receiver has seen every message sent so far; more may come.
    Empty,
    /// Every sender was dropped and this receiver has seen every message.
    Closed,
    /// This receiver missed this many messages (see [`RecvError::Lagged`]).
    Lagged(u64),
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("broadcast empty"),
            TryRecvError::Closed => f.write_str("broadcast closed"),
            TryRecvError::Lagged(n) => write!(f, "receiver lagged behind; messages missed: {n}"),
        }
    }
}

impl Error for TryRecvError {}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_went_wrong() {
        assert_eq!(SendError(1).into_inner(), 1);
        assert_eq!(SendError(1).to_string(), "broadcast has no receivers");
        assert_eq!(format!("{:?}", SendError(1)), "SendError(..)");
        assert_eq!(RecvError::Closed.to_string(), "broadcast closed");
        assert_eq!(
            RecvError::Lagged(3).to_string(),
            "receiver lagged behind; messages missed: 3"
        );
        assert_eq!(TryRecvError::Empty.to_string(), "broadcast empty");
        assert_eq!(TryRecvError::Closed.to_string(), "broadcast closed");
        assert_eq!(
            TryRecvError::Lagged(1).to_string(),
            "receiver lagged behind; messages missed: 1"
        );
    }
}
