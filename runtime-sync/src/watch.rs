//! A single-producer, multi-consumer channel that keeps only the latest
//! value: receivers [borrow](Receiver::borrow) it whenever they like and
//! wait for it to [change](Receiver::changed).
//!
//! asyncio has no watch; the nearest is a shared variable plus an `Event`
//! (or a `Condition`) that the writer sets after each update. What this
//! adds: each receiver tracks which version it has seen, so none misses an
//! update or reacts to one twice, however late it wakes; several updates in
//! between count as one (only the latest value matters); and the channel
//! closes when the sender is dropped.
//!
//! ```
//! use futures::executor::block_on;
//! use runtime_sync::watch;
//!
//! let (tx, mut rx) = watch::channel("starting");
//! assert!(!rx.has_changed().unwrap());
//! tx.send("running").unwrap();
//! tx.send("ready").unwrap();
//! block_on(async {
//!     rx.changed().await.unwrap(); // two sends, one change: the latest
//!     assert_eq!(*rx.borrow(), "ready");
//!     drop(tx);
//!     assert!(rx.changed().await.is_err()); // closed, nothing newer
//!     assert_eq!(*rx.borrow(), "ready"); // the last value stays readable
//! });
//! ```
//!
//! # Cancel safety
//! [`Receiver::changed`] is cancel-safe. Sending never waits (except for
//! borrows of the value to end).

mod error;
mod receiver;
mod sender;
mod shared;

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

pub use error::{RecvError, SendError};
pub use receiver::Receiver;
pub use sender::Sender;

use crate::primitives::RwLockReadGuard;

/// A watch channel holding `init`, with one receiver that has seen it.
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(shared::Shared::new(init));
    (Sender::new(shared.clone()), Receiver::new(shared, 0))
}

/// A borrow of a watch channel's value (from [`Receiver::borrow`],
/// [`Receiver::borrow_and_update`] or [`Sender::borrow`]). Other borrows
/// may exist at the same time; the sender's next change waits until every
/// borrow ends, so do not hold one across an `.await`. Nor borrow again on
/// the same thread while holding one: a change waiting to be made holds
/// back new borrows (so that changes are not starved), and the second
/// borrow would wait for the first.
pub struct Ref<'a, T> {
    value: RwLockReadGuard<'a, T>,
}

impl<'a, T> Ref<'a, T> {
    fn new(value: RwLockReadGuard<'a, T>) -> Self {
        Self { value }
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
