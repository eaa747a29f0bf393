//! A multi-producer, multi-consumer broadcast channel: every [`Receiver`]
//! sees every message sent after it subscribed, in send order.
//!
//! asyncio has no broadcast; the nearest is one `Queue` per consumer with
//! the producer putting each item into all of them. What this adds: one
//! bounded buffer shared by all receivers, so a slow receiver cannot block
//! the senders or the fast receivers — the channel keeps the newest
//! `capacity` messages, and a receiver that fell further behind is told how
//! many it missed ([`RecvError::Lagged`]) and continues from the oldest one
//! kept. Receivers get clones (`T: Clone`); the last receiver to read a
//! message gets the original. Until then receivers on different threads
//! share the message, so using them across threads needs `T: Send + Sync`.
//!
//! ```
//! use futures::executor::block_on;
//! use runtime_sync::broadcast::{self, RecvError};
//!
//! let (tx, mut fast) = broadcast::channel(2);
//! let mut slow = tx.subscribe();
//! block_on(async {
//!     for n in 1..=3 {
//!         assert_eq!(tx.send(n), Ok(2)); // two receivers
//!         assert_eq!(fast.recv().await, Ok(n));
//!     }
//!     // `slow` read nothing: message 1 was dropped to make room for 3.
//!     assert_eq!(slow.recv().await, Err(RecvError::Lagged(1)));
//!     assert_eq!(slow.recv().await, Ok(2));
//!     assert_eq!(slow.recv().await, Ok(3));
//!     drop(tx);
//!     assert_eq!(slow.recv().await, Err(RecvError::Closed));
//! });
//! ```
//!
//! # Closing
//! Once every [`Sender`] is dropped, receivers read what is left and then
//! get [`RecvError::Closed`]. While no receiver is subscribed,
//! [`Sender::send`] fails and returns the message ([`SendError`]); a
//! receiver subscribed later sees only later messages.
//!
//! # Cancel safety
//! [`Receiver::recv`] is cancel-safe. Sending never waits.

mod error;
mod receiver;
mod sender;
mod shared;

use std::sync::Arc;

pub use error::{RecvError, SendError, TryRecvError};
pub use receiver::Receiver;
pub use sender::Sender;

/// A broadcast channel keeping up to `capacity` messages for receivers that
/// have not read them yet, with one receiver subscribed.
///
/// # Panics
/// If `capacity` is 0.
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "broadcast::channel needs a capacity of at least 1"
    );
    let shared = Arc::new(shared::Shared::new(capacity));
    (Sender::new(shared.clone()), Receiver::new(shared, 0))
}
