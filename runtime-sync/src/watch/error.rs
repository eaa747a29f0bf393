//! The errors of the [`watch`](crate::watch) channel.

use std::error::Error;
use std::fmt;

/// [`Sender::send`](super::Sender::send) found no receiver: nobody would
/// see the value, so it was not stored and is returned in `.0`. (Use
/// [`send_replace`](super::Sender::send_replace) to store it anyway, for
/// receivers subscribed later.)
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SendError<T>(pub T);

impl<T> SendError<T> {
    /// The value that was not sent.
    pub fn into_inner(self) -> T {
        self.0
    }
}

// Not derived: the value need not be `Debug`.
impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("watch has no receivers")
    }
}

impl<T> Error for SendError<T> {}

/// The [`Sender`](super::Sender) was dropped and this receiver has seen the
/// last value: no change will come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecvError(pub(super) ());

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("watch sender dropped")
    }
}

impl Error for RecvError {}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_went_wrong() {
        assert_eq!(SendError(1).into_inner(), 1);
        assert_eq!(SendError(1).to_string(), "watch has no receivers");
        assert_eq!(format!("{:?}", SendError(1)), "SendError(..)");
        assert_eq!(RecvError(()).to_string(), "watch sender dropped");
    }
}
