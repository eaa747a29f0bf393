//! The queue's state behind its lock, and every rule that changes it.
//!
//! Three waiter lists sit next to the items: getters (handed an item, or
//! the shut-down error), putters (each carrying the item it wants to put;
//! handed `Ok` once the item is in, or the item back on shut-down) and
//! joiners (handed `()` when the last unfinished item is marked done).
//!
//! Invariants, true whenever the lock is free:
//! - getters wait only while no item is queued: a put with a getter waiting
//!   hands its item straight to the oldest one, never to the container;
//! - putters wait only while the queue is full: a get that frees a slot
//!   moves the oldest putter's item in at once;
//! - after an immediate shut-down the container stays empty.
//!
//! So a newcomer never finds an item (or a slot) that an older waiter was
//! promised: the hand-off already happened, under this lock.

use std::mem;

use super::error::{QueueShutDown, TooManyTaskDone, TryGetError, TryPutError};
use super::order::{Order, Ordered, Store};
use crate::primitives::{AtomicUsize, Ordering};
use crate::waiters::{WaiterList, WakeList};

/// Set in `Unfinished` while joiners are queued (only under the lock).
const JOINERS: usize = 1;
/// One unfinished item in `Unfinished`.
const ONE: usize = 2;

/// asyncio's `_unfinished_tasks` as one atomic word, outside the lock:
/// `count * ONE | JOINERS`.
///
/// Why atomic: every item costs a `task_done`, and with several consumers a
/// lock per `task_done` doubles the traffic on the queue's lock. Here a
/// `task_done` is one CAS and takes the lock only when it may be the one
/// that brings the count to zero *while joiners wait* (`JOINERS` set and a
/// count of one): then it decrements under the lock, so that "the count
/// reached zero" and "wake the joiners queued now" are one step, ordered
/// with puts (which count under the lock) and with arriving joiners.
///
/// No lost wake-up: a joiner that finds the count above zero sets `JOINERS`
/// with a CAS that sees that count, under the lock, before it queues. A
/// lock-free `task_done` is a CAS on the same word: if it came first, the
/// joiner's CAS fails and it re-reads (and returns at zero); if it comes
/// after, it sees `JOINERS` and, at a count of one, takes the lock.
///
/// Aligned to a cache line of its own (see `Shared`).
#[repr(align(64))]
pub(crate) struct Unfinished(AtomicUsize);

impl Unfinished {
    pub(super) fn new() -> Self {
        Self(AtomicUsize::new(0))
    }

    /// How many items are unfinished (a snapshot).
    pub(super) fn count(&self) -> usize {
        self.0.load(Ordering::Acquire) / ONE
    }

    /// Under the lock: one more item was put.
    fn add_one(&self) {
        let prior = self.0.fetch_add(ONE, Ordering::Relaxed);
        assert!(
            prior < usize::MAX - ONE,
            "queue's unfinished-task count overflowed usize"
        );
    }

    /// `task_done` without the lock: `Ok(true)` if done, `Ok(false)` if it
    /// may wake joiners and must be done under the lock
    /// ([`finish_locked`](Self::finish_locked)).
    pub(super) fn try_done(&self) -> Result<bool, TooManyTaskDone> {
        let mut word = self.0.load(Ordering::Relaxed);
        loop {
            if word < ONE {
                return Err(TooManyTaskDone(()));
            }
            if word & JOINERS != 0 && word / ONE == 1 {
                return Ok(false);
            }
            // Release: the work done on the item happens before a `join`
            // that sees the count drop (it acquires).
            match self.0.compare_exchange_weak(
                word,
                word - ONE,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Ok(true),
                Err(actual) => word = actual,
            }
        }
    }

    /// Under the lock: marks `n` items done (all that are left if fewer,
    /// unless `strict`, which fails instead when none is left); if that
    /// leaves none, wakes every queued joiner and clears `JOINERS`.
    fn finish_locked(
        &self,
        n: usize,
        strict: bool,
        joiners: &mut WaiterList<(), ()>,
        wakes: &mut WakeList,
    ) -> Result<(), TooManyTaskDone> {
        let mut word = self.0.load(Ordering::Relaxed);
        let left = loop {
            let count = word / ONE;
            if strict && count == 0 {
                return Err(TooManyTaskDone(()));
            }
            let left = count.saturating_sub(n);
            let new = if left == 0 {
                0
            } else {
                (left * ONE) | (word & JOINERS)
            };
            match self
                .0
                .compare_exchange_weak(word, new, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => break left,
                Err(actual) => word = actual,
            }
        };
        if left == 0 {
            // Zero now, and it stays zero until we release the lock (puts
            // count under it): every joiner queued now returns. `JOINERS`
            // was cleared in the same CAS.
            joiners.notify_all(|_| (), wakes);
        }
        Ok(())
    }

    /// Under the lock: a `join` arrives. `true` if nothing is unfinished;
    /// otherwise raises `JOINERS` (in a CAS that sees the count) and returns
    /// `false`: the caller queues before releasing the lock.
    fn join_now(&self) -> bool {
        let mut word = self.0.load(Ordering::Acquire);
        loop {
            if word < ONE {
                return true;
            }
            match self.0.compare_exchange_weak(
                word,
                word | JOINERS,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return false,
                Err(actual) => word = actual,
            }
        }
    }

    /// Under the lock: the last queued joiner left; lock-free `task_done`s
    /// need not come to the lock any more.
    fn no_joiners(&self) {
        self.0.fetch_and(!JOINERS, Ordering::Relaxed);
    }
}

/// What a getter is handed.
pub(crate) type Got<T> = Result<T, QueueShutDown>;
/// What a putter is handed: `Ok` once its item is in the queue.
pub(crate) type Put<T> = Result<(), QueueShutDown<T>>;

/// Whether and how the queue was shut down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lifecycle {
    Open,
    /// `shutdown(false)`: no more puts; gets drain what is left.
    Draining,
    /// `shutdown(true)`: no more puts, nothing left to get.
    Closed,
}

/// `repr(C)`: the fields every put and get touches come first, on the cache
/// line of the lock word (see `Shared`); the waiter lists, read on every
/// operation but written only when someone waits, follow.
#[repr(C)]
pub(crate) struct State<T, O: Order<T>> {
    pub(super) items: <O as Ordered<T>>::Store,
    /// 0 = unbounded. Fixed at creation.
    pub(super) maxsize: usize,
    pub(super) lifecycle: Lifecycle,
    pub(super) getters: WaiterList<Got<T>, ()>,
    /// The request is the item to put; it is taken out when the item moves
    /// into the queue (or back to its owner on shut-down).
    pub(super) putters: WaiterList<Put<T>, Option<T>>,
    pub(super) joiners: WaiterList<(), ()>,
}

impl<T, O: Order<T>> State<T, O> {
    pub(super) fn new(maxsize: usize) -> Self {
        Self {
            maxsize,
            items: Default::default(),
            lifecycle: Lifecycle::Open,
            getters: WaiterList::new(),
            putters: WaiterList::new(),
            joiners: WaiterList::new(),
        }
    }

    /// Whether the container holds `maxsize` items (or more: see
    /// `give_back_got`).
    pub(super) fn is_full(&self) -> bool {
        self.maxsize > 0 && self.items.len() >= self.maxsize
    }

    /// Puts `item` without waiting: to the oldest getter if one waits, else
    /// into the container if there is room and no older putter waits.
    pub(super) fn try_put(
        &mut self,
        unfinished: &Unfinished,
        item: T,
        wakes: &mut WakeList,
    ) -> Result<(), TryPutError<T>> {
        if self.lifecycle != Lifecycle::Open {
            return Err(TryPutError::ShutDown(item));
        }
        // A getter waits only while the container is empty, so handing the
        // item over skips nothing and cannot overfill. (Checked first: this
        // runs under the lock on every put, and usually nobody waits.)
        if !self.getters.is_empty() {
            match self.getters.notify_front(Ok(item), wakes) {
                Ok(()) => {
                    unfinished.add_one();
                    return Ok(());
                }
                Err(_) => unreachable!("a getter is queued"),
            }
        }
        if self.is_full() || !self.putters.is_empty() {
            return Err(TryPutError::Full(item));
        }
        self.items.push(item);
        unfinished.add_one();
        Ok(())
    }

    /// Takes the next item without waiting, and lets the oldest putters
    /// fill the slot it frees.
    pub(super) fn try_get(
        &mut self,
        unfinished: &Unfinished,
        wakes: &mut WakeList,
    ) -> Result<T, TryGetError> {
        if self.lifecycle == Lifecycle::Closed {
            return Err(TryGetError::ShutDown);
        }
        match self.items.pop() {
            Some(item) => {
                self.admit_putters(unfinished, wakes);
                Ok(item)
            }
            None if self.lifecycle == Lifecycle::Draining => Err(TryGetError::ShutDown),
            None => Err(TryGetError::Empty),
        }
    }

    /// Moves the items of the oldest putters into the container while it
    /// has room, completing their puts.
    fn admit_putters(&mut self, unfinished: &Unfinished, wakes: &mut WakeList) {
        while !self.putters.is_empty() && !self.is_full() {
            let State { items, putters, .. } = self;
            let admitted = putters.notify_front_if(
                |request| {
                    let item = request.take().expect("a queued put holds its item");
                    items.push(item);
                    unfinished.add_one();
                    Some(Ok(()))
                },
                wakes,
            );
            if !admitted {
                break;
            }
        }
    }

    /// A getter handed `item` was dropped before it collected it: the item
    /// goes to the next getter, or back where it was taken from (so the
    /// queue may briefly hold more than `maxsize`: a put that came in
    /// meanwhile took the slot). After an immediate shut-down, it is
    /// discarded and counted done instead; the caller drops what this
    /// returns after releasing the lock.
    pub(super) fn give_back_got(
        &mut self,
        unfinished: &Unfinished,
        item: T,
        wakes: &mut WakeList,
    ) -> Option<T> {
        if self.lifecycle == Lifecycle::Closed {
            let _ = unfinished.finish_locked(1, false, &mut self.joiners, wakes);
            return Some(item);
        }
        if let Err(Ok(item)) = self.getters.notify_front(Ok(item), wakes) {
            self.items.restore(item);
        }
        None
    }

    /// `task_done()` under the lock (the lock-free attempt said joiners may
    /// have to be woken): one item fewer to wait for.
    pub(super) fn task_done(
        &mut self,
        unfinished: &Unfinished,
        wakes: &mut WakeList,
    ) -> Result<(), TooManyTaskDone> {
        unfinished.finish_locked(1, true, &mut self.joiners, wakes)
    }

    /// A `join` arrives: whether it returns at once (else it queues).
    pub(super) fn join_now(&mut self, unfinished: &Unfinished) -> bool {
        unfinished.join_now()
    }

    /// A queued joiner was dropped.
    pub(super) fn joiner_left(&mut self, unfinished: &Unfinished) {
        if self.joiners.is_empty() {
            unfinished.no_joiners();
        }
    }

    /// `shutdown(immediate)`: fails every waiting put (giving each its item
    /// back) and every waiting get; if `immediate`, also empties the
    /// container, counting its items done. Returns the removed items, for
    /// the caller to drop after releasing the lock.
    pub(super) fn shutdown(
        &mut self,
        unfinished: &Unfinished,
        immediate: bool,
        wakes: &mut WakeList,
    ) -> <O as Ordered<T>>::Store {
        let mut removed = Default::default();
        if immediate {
            self.lifecycle = Lifecycle::Closed;
            removed = mem::take(&mut self.items);
            let _ = unfinished.finish_locked(removed.len(), false, &mut self.joiners, wakes);
        } else if self.lifecycle == Lifecycle::Open {
            self.lifecycle = Lifecycle::Draining;
        }
        // Getters wait only on an empty container: each would now fail.
        self.getters.notify_all(|_| Err(QueueShutDown(())), wakes);
        self.putters.notify_all(
            |request| {
                Err(QueueShutDown(
                    request.take().expect("a queued put holds its item"),
                ))
            },
            wakes,
        );
        removed
    }
}
