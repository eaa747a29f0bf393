//! The promise's errors: asyncio's `InvalidStateError` and
//! `CancelledError`, and how a finished promise failed.
//!
//! ```
//! use runtime_sync::{InvalidState, Promise};
//!
//! let promise: Promise<u32> = Promise::new();
//! assert!(promise.result().unwrap_err().is_pending());
//! promise.set_result(1).unwrap();
//! let refused: InvalidState<u32> = promise.set_result(2).unwrap_err();
//! assert_eq!(refused.into_inner(), 2); // the value is not lost
//! ```

use std::error::Error;
use std::fmt;

/// The promise was not in the state a call needs (asyncio's
/// `InvalidStateError`): still pending for `result()` / `exception()`, or
/// already done for `set_result` / `set_exception`. A refused `set_*`
/// gives its value back (`InvalidState<T>` / `InvalidState<E>`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct InvalidState<V = ()> {
    value: V,
    done: bool,
}

impl<V> InvalidState<V> {
    /// A refused `set_*`: the promise was already done.
    pub(crate) fn done(value: V) -> Self {
        Self { value, done: true }
    }

    /// Whether the promise was still pending (a read too early), rather
    /// than already done (a second `set_*`).
    pub fn is_pending(&self) -> bool {
        !self.done
    }

    /// The value a refused `set_*` was given (`()` for a read).
    pub fn into_inner(self) -> V {
        self.value
    }
}

impl InvalidState {
    /// A read (`result()`, `exception()`) of a pending promise.
    pub(crate) fn pending() -> Self {
        Self {
            value: (),
            done: false,
        }
    }
}

impl<V> fmt::Debug for InvalidState<V> {
    /// Does not print the value (it need not be `Debug`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InvalidState")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<V> fmt::Display for InvalidState<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.done {
            f.write_str("invalid state: the promise is already done")
        } else {
            f.write_str("invalid state: the promise is not done yet")
        }
    }
}

impl<V> Error for InvalidState<V> {}

/// The promise was cancelled (asyncio's `CancelledError`), with the message
/// given to [`cancel_with`](super::Promise::cancel_with), if any.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cancelled {
    message: Option<String>,
}

impl Cancelled {
    pub(crate) fn new(message: Option<String>) -> Self {
        Self { message }
    }

    /// The cancellation message, if one was given.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some(message) => write!(f, "promise cancelled: {message}"),
            None => f.write_str("promise cancelled"),
        }
    }
}

impl Error for Cancelled {}

/// How a finished promise failed: the error it was given
/// ([`set_exception`](super::Promise::set_exception)), or cancellation.
/// What awaiting it, or `result()`, returns instead of a value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PromiseError<E> {
    /// The error passed to `set_exception` (asyncio re-raises it).
    Exception(E),
    /// The promise was cancelled (asyncio raises `CancelledError`).
    Cancelled(Cancelled),
}

impl<E> PromiseError<E> {
    /// Whether the promise was cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, PromiseError::Cancelled(_))
    }

    /// The error set with `set_exception`, if that is how it failed.
    pub fn into_exception(self) -> Option<E> {
        match self {
            PromiseError::Exception(error) => Some(error),
            PromiseError::Cancelled(_) => None,
        }
    }
}

impl<E: fmt::Display> fmt::Display for PromiseError<E> {
    /// Transparent: the exception's own message, or the cancellation's.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PromiseError::Exception(error) => error.fmt(f),
            PromiseError::Cancelled(cancelled) => cancelled.fmt(f),
        }
    }
}

impl<E: Error> Error for PromiseError<E> {
    /// Transparent: the exception's source (its message is this error's).
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            PromiseError::Exception(error) => error.source(),
            PromiseError::Cancelled(_) => None,
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn messages_say_what_went_wrong() {
        assert_eq!(
            InvalidState::pending().to_string(),
            "invalid state: the promise is not done yet"
        );
        let done = InvalidState::done(5);
        assert!(!done.is_pending());
        assert_eq!(
            done.to_string(),
            "invalid state: the promise is already done"
        );
        assert_eq!(format!("{done:?}"), "InvalidState { done: true, .. }");
        assert_eq!(done.into_inner(), 5);
        assert_eq!(Cancelled::new(None).to_string(), "promise cancelled");
        let why = Cancelled::new(Some("shutting down".into()));
        assert_eq!(why.message(), Some("shutting down"));
        assert_eq!(why.to_string(), "promise cancelled: shutting down");
    }

    /// An error with a source, to check that `PromiseError` passes both on.
    #[derive(Debug)]
    struct Outer(io::Error);

    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("outer")
        }
    }

    impl Error for Outer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn promise_errors_are_transparent() {
        let error = PromiseError::Exception(Outer(io::Error::other("root")));
        assert_eq!(error.to_string(), "outer");
        assert_eq!(error.source().unwrap().to_string(), "root");
        assert!(!error.is_cancelled());
        assert!(error.into_exception().is_some());
        let cancelled: PromiseError<Outer> = PromiseError::Cancelled(Cancelled::new(None));
        assert!(cancelled.is_cancelled());
        assert!(cancelled.source().is_none());
        assert_eq!(cancelled.to_string(), "promise cancelled");
        assert!(cancelled.into_exception().is_none());
    }
}
