//! The FIFO waiter list that every primitive of this crate waits on.
//!
//! A task that must wait for a primitive (a permit, the lock, an event, a
//! queue slot, a message) becomes a *waiter*: a node that lives inside the
//! waiting future itself, linked into the primitive's list. The list sits in
//! the primitive's state behind the primitive's own lock, next to whatever
//! the primitive counts (permits, readers, items). Waiting allocates nothing.
//!
//! # The pieces
//! - `WaiterList<T, R>` (`waiters/list.rs`): the intrusive doubly linked
//!   list, oldest waiter first. `R` is what a waiter *asks for* (a number of
//!   permits, read or write access, an item it wants to put); `T` is what it
//!   is *handed* (the lock, a permit grant, an item, an error). Releasers call
//!   `notify_front_if` / `notify_front` / `notify_all` on it.
//! - `Waiter<T, R>` (same file): the node. Pinned inside the future; linked
//!   while it waits; it holds the waker, the request and, once notified, the
//!   value handed to it.
//! - `Waitable` and `Wait<P>` (`waiters/wait.rs`): a primitive states its
//!   rules by implementing `Waitable` (how to take what it offers at once,
//!   how to take back a hand-off that was never collected); `Wait<P>` is the
//!   one future that runs the protocol below for every primitive, and the
//!   only place where a node is linked, polled or cancelled.
//! - `WakeList` (`waiters/wake_list.rs`): wakers collected under the lock and
//!   woken after it is released, so a woken task never contends for the lock
//!   its waker still holds, and no foreign code (a waker's `wake` or `drop`)
//!   runs under our lock.
//!
//! # The protocol
//! Every step runs with the primitive's lock held (but the collection of a
//! hand-off, where the primitive allows it); wakes happen after it is
//! released.
//! 1. **Arrive.** The first poll calls `Waitable::try_now`. It may take what
//!    the primitive offers at once only if nobody is waiting for it (the
//!    primitive's rule; see *no barging*). Otherwise the node is linked at
//!    the back of the list with the task's waker.
//! 2. **Hand off.** Whoever makes something available (a permit release, an
//!    unlock, `set`, `notify`, a last barrier arrival, a `put`) does not
//!    put it back into the pool while someone waits for it: it unlinks the
//!    head waiter and *assigns* the thing to it (`notify_front_if`), raises
//!    the node's `notified` flag as its last touch of the node, then wakes
//!    it. From that moment the value belongs to the waiter, even though its
//!    task has not run yet.
//! 3. **No barging.** Because a released thing goes straight to the head,
//!    a newcomer (step 1) never finds it lying in the pool while older
//!    waiters exist; a primitive whose head may wait for *more* than is free
//!    (a semaphore's `acquire_many`) makes `try_now` refuse whenever the list
//!    is not empty, so small late requests cannot starve a large early one.
//! 4. **Collect.** The woken waiter's next poll finds its node notified,
//!    takes the value and completes. Where the primitive allows it
//!    (`Waitable::COLLECT_WITHOUT_LOCK`: the mutex, whose new owner needs
//!    nothing else from the unlocker), it sees the flag with an acquire load
//!    and takes no lock: the node is its own again. A poll while still
//!    queued only refreshes the waker (one clone, only if it changed).
//! 5. **Cancel.** Dropping the future locks and looks at its node:
//!    - still queued: the node is unlinked; `Waitable::unlinked` lets the
//!      primitive serve the waiters behind it (the head of a semaphore may
//!      have been the one blocking them);
//!    - notified but not collected: the value is not lost:
//!      `Waitable::give_back` passes it on to the next waiter or returns it
//!      to the pool (permits, the lock, a queue item, a condition's
//!      notification);
//!    - never queued, or already completed: nothing to do, no lock taken.
//!
//! A node is linked into at most one list, is only touched under that list's
//! lock while linked, and is unlinked by exactly one party (the notifier in step 2, or the
//! owner in step 5): so each wait is delivered at most once, and a wake-up
//! cannot be lost because the check and the enqueue in step 1 happen under
//! the same lock as the release in step 2.
//!
//! The semaphore, the `RwLock` and the mutex add lock-free fast paths on
//! top (an atomic word): they run only while the list is empty, which a bit
//! of that word, set and cleared under the lock, tells them; see
//! `semaphore.rs` and `mutex.rs`.
//!
//! # Building on it (queues, channels, the settable future)
//! - The queue (`queue/`) keeps three lists in its state: getters
//!   (`WaiterList<Result<Item, ShutDown>, ()>`), putters
//!   (`WaiterList<Result<(), ShutDown<Item>>, Option<Item>>`, the request
//!   carrying the item) and joiners. A `put` hands its item directly to the
//!   head getter (`notify_front`); a `get` that frees a slot moves the head
//!   putter's item into the queue (`notify_front_if`, taking it out of the
//!   request) and notifies it with `Ok(())`. A getter dropped after an item
//!   was handed to it gives it back (to the next getter, or to the front of
//!   the queue); a putter dropped while queued inserts nothing. Each side
//!   implements `Waitable` on a small handle type (`Wait` takes the
//!   primitive by value: `&Semaphore`, or a `Getters<'_, T, O>` wrapper).
//! - An mpsc channel's bounded `send` waits exactly like a semaphore
//!   acquire (one slot per message); its receiver and a oneshot receiver are
//!   a list with at most one waiter; broadcast and watch receivers waiting
//!   for the next version are `notify_all` with `()`.
//! - A promise's awaiters (`promise/`) are a
//!   `WaiterList<Arc<Outcome>, ()>`, each handed a reference to the shared
//!   outcome by `notify_all` on completion (the value is cloned out of it
//!   after the lock is released).
//!
//! Hooks run under the lock: anything they drop is dropped there. Values the
//! user supplied (queue items) should be put back or handed on, not dropped,
//! so that user `Drop` code never runs under the primitive's lock; what must
//! be thrown away (a cancelled put's item) is returned from
//! `Waitable::abandoned` as `Discarded`, which `Wait` drops after releasing
//! the lock.
//!
//! The behaviour the protocol guarantees, shown with the public semaphore
//! (a newcomer cannot take the permit handed to an older waiter):
//!
//! ```
//! use std::pin::pin;
//! use std::task::{Context, Poll, Waker};
//! use runtime_sync::Semaphore;
//!
//! let semaphore = Semaphore::new(1);
//! let held = semaphore.try_acquire().unwrap();
//! let mut cx = Context::from_waker(Waker::noop());
//!
//! let mut first = pin!(semaphore.acquire());
//! assert!(first.as_mut().poll(&mut cx).is_pending()); // queued
//! drop(held); // the permit goes to `first`, not back to the pool
//!
//! assert!(semaphore.try_acquire().is_err()); // no barging
//! let Poll::Ready(Ok(permit)) = first.as_mut().poll(&mut cx) else { panic!() };
//! drop(permit);
//! assert_eq!(semaphore.available_permits(), 1);
//! ```

mod list;
mod wait;
mod wake_list;

pub(crate) use list::WaiterList;
pub(crate) use wait::{Discarded, Wait, Waitable};
pub(crate) use wake_list::WakeList;

#[cfg(all(test, not(loom)))]
mod tests;
