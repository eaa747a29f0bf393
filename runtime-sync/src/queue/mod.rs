//! asyncio's queues: [`Queue`] (first in, first out), [`LifoQueue`] and
//! [`PriorityQueue`] (smallest first) — one type, [`GenericQueue<T, O>`],
//! in three [`Order`]s.
//!
//! A queue handle is a cheap `Clone` (an `Arc`); every clone is the same
//! queue. Producers [`put`](GenericQueue::put) items (waiting while a
//! bounded queue is full), consumers [`get`](GenericQueue::get) them
//! (waiting while it is empty) and mark each one
//! [`task_done`](GenericQueue::task_done); [`join`](GenericQueue::join)
//! waits until every item put has been marked done.
//!
//! ```
//! use futures::executor::block_on;
//! use runtime_sync::{Queue, TryPutError};
//!
//! let queue = Queue::new(2);
//! queue.put_nowait("a").unwrap();
//! block_on(queue.put("b")).unwrap();
//! assert_eq!(queue.put_nowait("c"), Err(TryPutError::Full("c")));
//! assert_eq!(block_on(queue.get()), Ok("a"));
//! queue.task_done().unwrap();
//! assert_eq!(queue.get_nowait(), Ok("b"));
//! queue.task_done().unwrap();
//! block_on(queue.join()); // both were marked done
//! ```
//!
//! # Implementation
//! The items and three waiter lists (getters, putters, joiners) share one
//! short internal lock; the unfinished-items count is two atomic counters
//! beside it (items put, written under the lock; items done, written by
//! `task_done`), so that `task_done` is one CAS and takes the lock only when
//! it may be the one to wake waiting joiners (`state.rs`, `Unfinished`; the
//! cache-line layout is `waiting.rs`, `Shared`); the waiting itself is the crate's one
//! waiter protocol (`waiters.rs`), whose hand-off and cancellation rules
//! are model-checked with loom. Items the queue has to drop (a cancelled
//! put's item, an immediate shut-down's leftovers) are dropped after that
//! lock is released, so an item's `Drop` may use the queue.

mod error;
mod order;
mod state;
mod waiting;

#[cfg(all(test, not(loom)))]
mod tests;

use std::fmt;
use std::sync::Arc;

pub use error::{QueueShutDown, TooManyTaskDone, TryGetError, TryPutError};
pub use order::{Fifo, Lifo, Order, Priority};

use crate::primitives::Mutex;
use crate::waiters::{Wait, WakeList};
use order::Store;
use state::{State, Unfinished};
use waiting::{Getters, Joiners, Putters, Shared};

/// asyncio's `Queue`: first in, first out.
///
/// ```
/// use futures::executor::block_on;
/// use runtime_sync::Queue;
///
/// let queue = Queue::new(0); // unbounded
/// for item in ["a", "b", "c"] {
///     queue.put_nowait(item).unwrap();
/// }
/// assert_eq!(block_on(queue.get()), Ok("a"));
/// ```
pub type Queue<T> = GenericQueue<T, Fifo>;

/// asyncio's `LifoQueue`: the most recently put item comes out first.
///
/// ```
/// use runtime_sync::LifoQueue;
///
/// let stack = LifoQueue::new(0);
/// for item in 1..=3 {
///     stack.put_nowait(item).unwrap();
/// }
/// assert_eq!(stack.get_nowait(), Ok(3));
/// ```
pub type LifoQueue<T> = GenericQueue<T, Lifo>;

/// asyncio's `PriorityQueue`: the smallest item (by `Ord`) comes out first,
/// as with asyncio's `heapq`; wrap items in `std::cmp::Reverse` for largest
/// first. Ties come out in no particular order: add a sequence number to
/// the item to make them FIFO.
///
/// ```
/// use runtime_sync::PriorityQueue;
///
/// let jobs = PriorityQueue::new(0);
/// for job in [(3, "low"), (1, "urgent"), (2, "normal")] {
///     jobs.put_nowait(job).unwrap();
/// }
/// assert_eq!(jobs.get_nowait(), Ok((1, "urgent")));
/// ```
pub type PriorityQueue<T> = GenericQueue<T, Priority>;

/// A multi-producer, multi-consumer async queue of `T`, served in order `O`
/// ([`Fifo`], [`Lifo`] or [`Priority`]); use it through [`Queue`],
/// [`LifoQueue`] or [`PriorityQueue`].
///
/// `Clone` makes another handle to the same queue (an `Arc` clone).
///
/// Three workers process 20 jobs; the producer waits for all of them with
/// `join`, then shuts the queue down, which ends the workers' loops:
///
/// ```
/// use futures::executor::{block_on, ThreadPool};
/// use futures::task::SpawnExt;
/// use runtime_sync::{Mutex, Queue};
/// use std::sync::Arc;
///
/// let pool = ThreadPool::builder().pool_size(2).create().unwrap();
/// let jobs = Queue::new(4);
/// let total = Arc::new(Mutex::new(0));
/// for _ in 0..3 {
///     let (jobs, total) = (jobs.clone(), total.clone());
///     pool.spawn(async move {
///         // Ends when the queue is shut down and drained.
///         while let Ok(job) = jobs.get().await {
///             *total.lock().await += job;
///             jobs.task_done().unwrap();
///         }
///     })
///     .unwrap();
/// }
/// block_on(async {
///     for job in 1..=20 {
///         jobs.put(job).await.unwrap(); // waits while 4 are queued
///     }
///     jobs.join().await; // every job was marked done
///     jobs.shutdown(false); // the workers' next `get` fails: they stop
///     assert_eq!(*total.lock().await, 210);
/// });
/// ```
///
/// # Guarantees
/// - **FIFO waiters, no barging.** Blocked getters are served in the order
///   they started waiting, and so are blocked putters. A put while getters
///   wait hands its item straight to the oldest getter; a get that frees a
///   slot moves the oldest putter's item in at once. What an older waiter
///   was handed cannot be taken by a newcomer (not even by `get_nowait` /
///   `put_nowait`).
/// - **Cancel-safe.** Cancelling is dropping the future. A `get()` dropped
///   after it was handed an item loses nothing: the item goes to the next
///   getter, or back to the front of the queue. A `put()` dropped while it
///   waits inserts nothing (its item is dropped with it).
/// - **Snapshots.** [`qsize`](Self::qsize), [`empty`](Self::empty) and
///   [`full`](Self::full) report a moment that may have passed by the time
///   the caller looks: other threads put and get in between (asyncio code
///   between two awaits is atomic; ours is not).
/// - **Shut-down** (Python 3.13): see [`shutdown`](Self::shutdown).
pub struct GenericQueue<T, O: Order<T> = Fifo> {
    shared: Arc<Shared<T, O>>,
}

impl<T, O: Order<T>> GenericQueue<T, O> {
    /// A queue that holds at most `maxsize` items; `0` means no limit (as
    /// asyncio's `maxsize <= 0`).
    pub fn new(maxsize: usize) -> Self {
        Self {
            shared: Arc::new(Shared {
                maxsize,
                state: Mutex::new(State::new(maxsize)),
                unfinished: Unfinished::new(),
            }),
        }
    }

    /// The capacity given to [`new`](Self::new) (`0`: unbounded).
    pub fn maxsize(&self) -> usize {
        self.shared.maxsize
    }

    /// How many items are queued (a snapshot). Items handed straight to a
    /// waiting getter were never queued.
    pub fn qsize(&self) -> usize {
        self.shared.state.lock().items.len()
    }

    /// Whether no item is queued (a snapshot).
    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }

    /// Whether the queue holds `maxsize` items, so that a put would wait (a
    /// snapshot). Never true for an unbounded queue.
    pub fn full(&self) -> bool {
        self.shared.state.lock().is_full()
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    pub fn is_shut_down(&self) -> bool {
        self.shared.state.lock().lifecycle != state::Lifecycle::Open
    }

    /// Puts `item` without waiting: straight to the oldest waiting getter if
    /// there is one, else into the queue if it has room.
    ///
    /// # Errors
    /// The item comes back in the error:
    /// - [`TryPutError::Full`] if the queue holds `maxsize` items, or puts
    ///   are already waiting for a slot (they come first);
    /// - [`TryPutError::ShutDown`] after [`shutdown`](Self::shutdown).
    pub fn put_nowait(&self, item: T) -> Result<(), TryPutError<T>> {
        let mut wakes = WakeList::new();
        let put = self
            .shared
            .state
            .lock()
            .try_put(&self.shared.unfinished, item, &mut wakes);
        drop(wakes);
        put
    }

    /// Puts `item`, waiting while the queue is full. Blocked puts complete
    /// in the order they started waiting.
    ///
    /// # Errors
    /// [`QueueShutDown`] with the item, if the queue is (or, while this
    /// waits, gets) shut down.
    ///
    /// # Cancel safety
    /// Dropping the future while it waits inserts nothing: the item is
    /// dropped with it. Once the item has moved into the queue (the put is
    /// complete, even if the future was not polled since), dropping the
    /// future does not take it out.
    pub async fn put(&self, item: T) -> Result<(), QueueShutDown<T>> {
        Wait::new(Putters(&self.shared), Some(item)).await
    }

    /// Takes the next item without waiting.
    ///
    /// # Errors
    /// [`TryGetError::Empty`] if no item is queued;
    /// [`TryGetError::ShutDown`] if the queue was shut down and nothing is
    /// left to get.
    pub fn get_nowait(&self) -> Result<T, TryGetError> {
        let mut wakes = WakeList::new();
        let got = self
            .shared
            .state
            .lock()
            .try_get(&self.shared.unfinished, &mut wakes);
        drop(wakes);
        got
    }

    /// Takes the next item, waiting while the queue is empty. Blocked gets
    /// are served in the order they started waiting.
    ///
    /// # Errors
    /// [`QueueShutDown`] if the queue is shut down and empty (after
    /// `shutdown(false)` the items left are still handed out first), or was
    /// shut down with `immediate`.
    ///
    /// # Cancel safety
    /// Dropping the future while it waits takes nothing. Dropping it after
    /// an item was handed to it (before it was polled again) passes the
    /// item to the next waiting get, or puts it back at the front of the
    /// queue — which may then briefly hold more than `maxsize` items, if a
    /// put took the freed slot meanwhile. (After an immediate shut-down the
    /// item is dropped and counted done instead.)
    pub async fn get(&self) -> Result<T, QueueShutDown> {
        Wait::new(Getters(&self.shared), ()).await
    }

    /// Marks one item that was taken from the queue as processed, for
    /// [`join`](Self::join): each put counts one unfinished item, each
    /// `task_done` one fewer.
    ///
    /// # Errors
    /// [`TooManyTaskDone`] if there is no unfinished item left (asyncio's
    /// `ValueError`); the call then changes nothing.
    pub fn task_done(&self) -> Result<(), TooManyTaskDone> {
        // One CAS, no lock, unless this may be the last item while joiners
        // wait (see `Unfinished`).
        if self.shared.unfinished.try_done()? {
            return Ok(());
        }
        let mut wakes = WakeList::new();
        let done = self
            .shared
            .state
            .lock()
            .task_done(&self.shared.unfinished, &mut wakes);
        drop(wakes);
        done
    }

    /// Waits until every item put so far has been marked
    /// [`task_done`](Self::task_done) (returns at once if there is none).
    ///
    /// Like asyncio, a joiner woken because the count reached zero returns
    /// even if new items are put before it runs. Cancel-safe: dropping the
    /// future only stops waiting.
    pub async fn join(&self) {
        Wait::new(Joiners(&self.shared), ()).await;
    }

    /// Shuts the queue down (Python 3.13's `Queue.shutdown`).
    ///
    /// Every later put fails with [`QueueShutDown`] (the item comes back),
    /// and so do the puts waiting now. Gets go on handing out the items
    /// still queued, then fail with [`QueueShutDown`]; gets waiting now (on
    /// an empty queue) fail at once.
    ///
    /// With `immediate`, the queue is also emptied at once: the queued
    /// items are dropped (after the internal lock is released) and counted
    /// as done, so a [`join`](Self::join) with no other unfinished items
    /// returns — even though nobody processed them, as asyncio warns. Every
    /// get then fails. A later `shutdown(false)` does not undo `immediate`.
    pub fn shutdown(&self, immediate: bool) {
        let mut wakes = WakeList::new();
        let removed =
            self.shared
                .state
                .lock()
                .shutdown(&self.shared.unfinished, immediate, &mut wakes);
        drop(wakes);
        drop(removed);
    }
}

impl<T, O: Order<T>> Clone for GenericQueue<T, O> {
    /// Another handle to the same queue.
    fn clone(&self) -> Self {
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl<T, O: Order<T>> Default for GenericQueue<T, O> {
    /// An unbounded queue.
    fn default() -> Self {
        Self::new(0)
    }
}

impl<T, O: Order<T>> fmt::Debug for GenericQueue<T, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.state.lock();
        f.debug_struct("Queue")
            .field("maxsize", &state.maxsize)
            .field("qsize", &state.items.len())
            .field("unfinished", &self.shared.unfinished.count())
            .field("getters", &state.getters.len())
            .field("putters", &state.putters.len())
            .field("shut_down", &(state.lifecycle != state::Lifecycle::Open))
            .finish()
    }
}
