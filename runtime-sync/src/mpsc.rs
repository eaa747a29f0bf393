//! A multi-producer, single-consumer channel: many [`Sender`]s, one
//! [`Receiver`], messages received in the order they were accepted.
//!
//! asyncio has no channels; the nearest is a `Queue` shared by producers and
//! one consumer. What this adds: the ends are separate types, so the channel
//! *closes* — [`recv`](Receiver::recv) returns `None` once every sender is
//! gone and the buffer is drained, and sends fail (giving the message back)
//! once the receiver is gone or [closed](Receiver::close) it.
//!
//! - [`channel(capacity)`](channel): bounded. [`send`](Sender::send) waits
//!   while `capacity` messages are buffered; blocked senders are served in
//!   the order they started waiting, and a newcomer never overtakes them.
//! - [`unbounded()`](unbounded): `send` never waits;
//!   [`try_send`](Sender::try_send) is its synchronous form.
//!
//! ```
//! use futures::executor::{block_on, ThreadPool};
//! use futures::task::SpawnExt;
//! use runtime_sync::mpsc;
//!
//! let pool = ThreadPool::new().unwrap();
//! let (tx, mut rx) = mpsc::channel(2);
//! for worker in 0..3 {
//!     let tx = tx.clone();
//!     pool.spawn(async move {
//!         for job in 0..4 {
//!             tx.send((worker, job)).await.unwrap();
//!         }
//!     })
//!     .unwrap();
//! }
//! drop(tx); // the channel ends when the workers' clones are gone
//!
//! let mut received = block_on(async {
//!     let mut all = Vec::new();
//!     while let Some(message) = rx.recv().await {
//!         all.push(message);
//!     }
//!     all
//! });
//! assert_eq!(received.len(), 12);
//! // Each worker's messages arrive in the order it sent them.
//! received.sort_by_key(|&(worker, _)| worker);
//! assert!(received.chunks(4).all(|w| w.iter().map(|m| m.1).eq(0..4)));
//! ```
//!
//! # Closing
//! - Every `Sender` dropped: the receiver gets the buffered messages, then
//!   `None` ([`TryRecvError::Closed`] from `try_recv`).
//! - The receiver [closes](Receiver::close) the channel: sends fail from
//!   then on with their message in [`SendError`] / [`TrySendError::Closed`]
//!   (blocked senders too); buffered messages can still be received.
//! - The receiver is dropped: as `close`, and the buffered messages are
//!   dropped.
//!
//! # Cancel safety
//! [`Receiver::recv`] and [`Receiver::recv_many`] are cancel-safe: a dropped
//! receive loses no message. [`Sender::send`] dropped while it waits sends
//! nothing; once the channel has taken its message (which happens as soon
//! as room frees up, before the sender runs again) it has sent it.
//!
//! # Performance
//! One short lock guards the shared buffer and both waiter lists: a send
//! that need not wait takes it once. The receiver takes the whole buffer in
//! one swap whenever it has run out, and receives from that batch without
//! locking, so under load it takes the lock once per batch rather than once
//! per message, and producers and consumer stop bouncing the lock between
//! their cores. Batched messages still count against the capacity until
//! they are received, and a slot freed by receiving one still goes to the
//! oldest blocked sender at once. A send wakes the receiver only when the
//! receiver waits with nothing left (handing it the message directly); a
//! receive wakes a blocked sender only when it frees a slot for it;
//! [`recv_many`](Receiver::recv_many) frees many slots, and wakes their
//! senders, in one go.

mod chan;
mod error;
mod receiver;
mod sender;

use std::sync::Arc;

pub use error::{SendError, TryRecvError, TrySendError};
pub use receiver::Receiver;
pub use sender::Sender;

use chan::Chan;

/// A bounded channel buffering up to `capacity` messages; `send` waits for
/// room beyond that.
///
/// # Panics
/// If `capacity` is 0 (a channel that can hold nothing would block every
/// send forever; use [`unbounded`] for no limit).
///
/// ```
/// use runtime_sync::mpsc::{self, TrySendError};
///
/// let (tx, mut rx) = mpsc::channel(1);
/// tx.try_send("first").unwrap();
/// assert_eq!(tx.try_send("second"), Err(TrySendError::Full("second")));
/// assert_eq!(rx.try_recv(), Ok("first"));
/// ```
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "mpsc::channel needs a capacity of at least 1");
    pair(Some(capacity))
}

/// A channel without a bound: sends never wait, and fail only when the
/// receiver is gone or closed the channel.
///
/// ```
/// use futures::executor::block_on;
/// use runtime_sync::mpsc;
///
/// let (tx, mut rx) = mpsc::unbounded();
/// for n in 0..1000 {
///     tx.try_send(n).unwrap(); // never `Full`
/// }
/// drop(tx);
/// let mut batch = Vec::new();
/// assert_eq!(block_on(rx.recv_many(&mut batch, 600)), 600);
/// assert_eq!(block_on(rx.recv_many(&mut batch, 600)), 400);
/// assert_eq!(block_on(rx.recv_many(&mut batch, 600)), 0); // closed and drained
/// assert!(batch.into_iter().eq(0..1000));
/// ```
pub fn unbounded<T>() -> (Sender<T>, Receiver<T>) {
    pair(None)
}

fn pair<T>(bound: Option<usize>) -> (Sender<T>, Receiver<T>) {
    let chan = Arc::new(Chan::new(bound));
    (Sender::new(chan.clone()), Receiver::new(chan))
}

#[cfg(all(test, not(loom)))]
mod tests;
