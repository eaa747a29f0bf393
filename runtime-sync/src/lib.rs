//! `runtime-sync`: asyncio's synchronisation primitives for any executor.
//!
//! [`Mutex`] (asyncio `Lock` is `Mutex<()>`), [`RwLock`], [`Event`],
//! [`Condition`], [`Semaphore`], [`BoundedSemaphore`] and [`Barrier`], with
//! asyncio's semantics. The crate depends only on `std::task::Waker` (and
//! parking_lot for its internal lock), so the primitives work on `runtime`,
//! tokio, smol or `futures::executor` alike.
//!
//! asyncio's queues, [`Queue`], [`LifoQueue`] and [`PriorityQueue`]
//! (`maxsize`, `task_done` / `join`, Python 3.13's `shutdown`), and its
//! settable `Future`, [`Promise`] (awaited from many places; done-callbacks
//! run once each, in order, on the [`Schedule`] it is bound to or after
//! the completing call releases its lock).
//!
//! Channels, which asyncio does not have (each module says what it maps
//! to): [`mpsc`] (many senders, one receiver, bounded or unbounded),
//! [`oneshot`] (one value), [`broadcast`] (every receiver sees every
//! message) and [`watch`] (the latest value, and waiting for it to change).
//! They close when one side is gone, and a failed send gives its value back.
//!
//! ```
//! use std::sync::Arc;
//! use futures::executor::{block_on, ThreadPool};
//! use futures::task::SpawnExt;
//! use runtime_sync::{Mutex, Semaphore};
//!
//! // At most two of the five jobs run at once; each records itself.
//! let pool = ThreadPool::builder().pool_size(2).create().unwrap();
//! let slots = Arc::new(Semaphore::new(2));
//! let done = Arc::new(Mutex::new(Vec::new()));
//! let jobs: Vec<_> = (0..5)
//!     .map(|job| {
//!         let (slots, done) = (slots.clone(), done.clone());
//!         pool.spawn_with_handle(async move {
//!             let _slot = slots.acquire().await.unwrap();
//!             done.lock().await.push(job);
//!         })
//!         .unwrap()
//!     })
//!     .collect();
//! block_on(futures::future::join_all(jobs));
//! let mut done = block_on(done.lock()).clone();
//! done.sort();
//! assert_eq!(done, [0, 1, 2, 3, 4]);
//! assert_eq!(slots.available_permits(), 2);
//! ```
//!
//! # Guarantees
//! - **FIFO, no barging.** Every primitive serves its waiters in arrival
//!   order. What a release frees (the lock, a permit, a notification, an
//!   item) is handed to the oldest waiter directly, so a task arriving in
//!   between cannot take it, not even the releasing task asking again at
//!   once; a large `acquire_many` is not starved by small ones.
//! - **Cancel-safe.** Cancelling a wait is dropping its future. Dropped
//!   while it waits, it leaves the queue; dropped after something was handed
//!   to it but before it ran, it passes that on to the next waiter (or back
//!   to the primitive). Each method documents its case.
//! - **No allocation per wait.** A waiter is a node inside the waiting
//!   future, linked into the primitive's list.
//! - **Snapshots.** asyncio code between two awaits is atomic; here other
//!   threads run meanwhile, so `locked()`, `available_permits()`,
//!   `is_set()`, `n_waiting()`, `qsize()`, `empty()` and `full()` report a
//!   moment that may have passed.
//!
//! # Implementation
//! Each primitive keeps its counters and a FIFO waiter list behind one short
//! internal lock (never held across an `.await`); the list and the
//! hand-off/cancel protocol live once, in `waiters.rs`, and every
//! primitive's futures run that protocol (all but [`oneshot`], whose single
//! receiver is itself the future: one atomic state word guards its value
//! slot and one waker slot per side, with no lock at all). Wakers
//! are collected under the
//! lock and woken after it is released. The protocol is model-checked with
//! loom (`--cfg loom`): no lost wake-up, no double delivery, FIFO hand-off,
//! and cancellation racing a hand-off.

#![warn(missing_docs)]

mod barrier;
mod bounded_semaphore;
mod condition;
mod error;
mod event;
mod mutex;
mod primitives;
mod promise;
mod queue;
mod rwlock;
mod semaphore;
mod waiters;

pub mod broadcast;
pub mod mpsc;
pub mod oneshot;
pub mod watch;

#[cfg(all(test, not(loom)))]
mod test_support;

#[cfg(all(test, loom))]
mod loom_tests;

pub use barrier::{Barrier, BarrierWaitResult};
pub use bounded_semaphore::BoundedSemaphore;
pub use condition::Condition;
pub use error::{AcquireError, BrokenBarrierError, TooManyReleases, TryAcquireError, TryLockError};
pub use event::Event;
pub use mutex::{Mutex, MutexGuard, OwnedMutexGuard};
pub use promise::{
    CallbackId, Cancelled, Exception, InvalidState, Job, Promise, PromiseError, PromiseFuture,
    Schedule,
};
pub use queue::{
    Fifo, GenericQueue, Lifo, LifoQueue, Order, Priority, PriorityQueue, Queue, QueueShutDown,
    TooManyTaskDone, TryGetError, TryPutError,
};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use semaphore::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};
