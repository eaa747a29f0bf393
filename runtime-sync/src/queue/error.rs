//! The queue's errors: asyncio's `QueueFull`, `QueueEmpty`, `QueueShutDown`
//! and the `ValueError` of an extra `task_done()`.
//!
//! An error that stops an item from entering the queue carries the item, so
//! a failed put never loses it.
//!
//! ```
//! use runtime_sync::{Queue, TryPutError};
//!
//! let queue = Queue::new(1);
//! queue.put_nowait("first").unwrap();
//! let Err(TryPutError::Full(back)) = queue.put_nowait("second") else { panic!() };
//! assert_eq!(back, "second");
//! ```

use std::error::Error;
use std::fmt;

/// Why [`put_nowait`](super::GenericQueue::put_nowait) did not add the
/// item; either way the item comes back.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum TryPutError<T> {
    /// The queue holds `maxsize` items, or puts are already waiting for a
    /// slot (they come first): asyncio's `QueueFull`.
    Full(T),
    /// The queue was shut down: asyncio's `QueueShutDown`.
    ShutDown(T),
}

impl<T> TryPutError<T> {
    /// The item that was not put.
    pub fn into_inner(self) -> T {
        match self {
            TryPutError::Full(item) | TryPutError::ShutDown(item) => item,
        }
    }

    /// Whether the queue was full (rather than shut down).
    pub fn is_full(&self) -> bool {
        matches!(self, TryPutError::Full(_))
    }

    /// Whether the queue was shut down.
    pub fn is_shut_down(&self) -> bool {
        matches!(self, TryPutError::ShutDown(_))
    }
}

impl<T> fmt::Debug for TryPutError<T> {
    /// Does not print the item (it need not be `Debug`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryPutError::Full(_) => f.write_str("Full(..)"),
            TryPutError::ShutDown(_) => f.write_str("ShutDown(..)"),
        }
    }
}

impl<T> fmt::Display for TryPutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryPutError::Full(_) => f.write_str("queue is full"),
            TryPutError::ShutDown(_) => f.write_str("queue is shut down"),
        }
    }
}

impl<T> Error for TryPutError<T> {}

impl<T> From<QueueShutDown<T>> for TryPutError<T> {
    fn from(QueueShutDown(item): QueueShutDown<T>) -> Self {
        TryPutError::ShutDown(item)
    }
}

/// Why [`get_nowait`](super::GenericQueue::get_nowait) returned no item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TryGetError {
    /// No item is queued: asyncio's `QueueEmpty`.
    Empty,
    /// The queue was shut down and holds no more items: asyncio's
    /// `QueueShutDown`.
    ShutDown,
}

impl fmt::Display for TryGetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryGetError::Empty => f.write_str("queue is empty"),
            TryGetError::ShutDown => f.write_str("queue is shut down"),
        }
    }
}

impl Error for TryGetError {}

impl From<QueueShutDown> for TryGetError {
    fn from(QueueShutDown(()): QueueShutDown) -> Self {
        TryGetError::ShutDown
    }
}

/// The queue was shut down (asyncio's `QueueShutDown`).
///
/// From [`put`](super::GenericQueue::put) it carries the item that was not
/// put (`QueueShutDown<T>`); from [`get`](super::GenericQueue::get) it
/// carries nothing (`QueueShutDown<()>`, the default).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct QueueShutDown<T = ()>(pub T);

impl<T> QueueShutDown<T> {
    /// The item that was not put.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for QueueShutDown<T> {
    /// Does not print the item (it need not be `Debug`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueueShutDown(..)")
    }
}

impl<T> fmt::Display for QueueShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is shut down")
    }
}

impl<T> Error for QueueShutDown<T> {}

/// [`task_done`](super::GenericQueue::task_done) was called more times than
/// items were put (asyncio raises `ValueError`). The call changed nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TooManyTaskDone(pub(crate) ());

impl fmt::Display for TooManyTaskDone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called more times than items were put")
    }
}

impl Error for TooManyTaskDone {}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn errors_say_what_went_wrong_and_give_the_item_back() {
        let full = TryPutError::Full(1);
        assert!(full.is_full() && !full.is_shut_down());
        assert_eq!(full.to_string(), "queue is full");
        assert_eq!(format!("{full:?}"), "Full(..)");
        assert_eq!(full.into_inner(), 1);
        let shut = TryPutError::from(QueueShutDown(2));
        assert!(shut.is_shut_down());
        assert_eq!(shut.to_string(), "queue is shut down");
        assert_eq!(format!("{shut:?}"), "ShutDown(..)");
        assert_eq!(shut.into_inner(), 2);
        assert_eq!(QueueShutDown(3).into_inner(), 3);
        assert_eq!(format!("{:?}", QueueShutDown(4)), "QueueShutDown(..)");
        assert_eq!(TryGetError::from(QueueShutDown(())), TryGetError::ShutDown);
        assert_eq!(TryGetError::Empty.to_string(), "queue is empty");
        assert_eq!(TryGetError::ShutDown.to_string(), "queue is shut down");
        assert_eq!(
            TooManyTaskDone(()).to_string(),
            "task_done() called more times than items were put"
        );
        fn check(_: &dyn Error) {}
        check(&TryPutError::Full(()));
        check(&TryGetError::Empty);
        check(&QueueShutDown(()));
        check(&TooManyTaskDone(()));
    }
}
