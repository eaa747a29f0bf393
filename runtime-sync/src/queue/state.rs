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
use crate::waiters::{WaiterList, WakeList};

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

pub(crate) struct State<T, O: Order<T>> {
    /// 0 = unbounded. Fixed at creation.
    pub(super) maxsize: usize,
    pub(super) items: <O as Ordered<T>>::Store,
    /// Items put and not yet marked done (asyncio's `_unfinished_tasks`).
    pub(super) unfinished: usize,
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
            unfinished: 0,
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

    /// Counts one more item put.
    fn count_put(&mut self) {
        self.unfinished = self
            .unfinished
            .checked_add(1)
            .expect("queue's unfinished-task count overflowed usize");
    }

    /// Puts `item` without waiting: to the oldest getter if one waits, else
    /// into the container if there is room and no older putter waits.
    pub(super) fn try_put(&mut self, item: T, wakes: &mut WakeList) -> Result<(), TryPutError<T>> {
        if self.lifecycle != Lifecycle::Open {
            return Err(TryPutError::ShutDown(item));
        }
        // A getter waits only while the container is empty, so handing the
        // item over skips nothing and cannot overfill.
        let item = match self.getters.notify_front(Ok(item), wakes) {
            Ok(()) => {
                self.count_put();
                return Ok(());
            }
            Err(Ok(item)) => item,
            Err(Err(_)) => unreachable!("we offered Ok"),
        };
        if self.is_full() || !self.putters.is_empty() {
            return Err(TryPutError::Full(item));
        }
        self.items.push(item);
        self.count_put();
        Ok(())
    }

    /// Takes the next item without waiting, and lets the oldest putters
    /// fill the slot it frees.
    pub(super) fn try_get(&mut self, wakes: &mut WakeList) -> Result<T, TryGetError> {
        if self.lifecycle == Lifecycle::Closed {
            return Err(TryGetError::ShutDown);
        }
        match self.items.pop() {
            Some(item) => {
                self.admit_putters(wakes);
                Ok(item)
            }
            None if self.lifecycle == Lifecycle::Draining => Err(TryGetError::ShutDown),
            None => Err(TryGetError::Empty),
        }
    }

    /// Moves the items of the oldest putters into the container while it
    /// has room, completing their puts.
    fn admit_putters(&mut self, wakes: &mut WakeList) {
        while !self.is_full() {
            let State {
                items,
                unfinished,
                putters,
                ..
            } = self;
            let admitted = putters.notify_front_if(
                |request| {
                    let item = request.take().expect("a queued put holds its item");
                    items.push(item);
                    *unfinished = unfinished
                        .checked_add(1)
                        .expect("queue's unfinished-task count overflowed usize");
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
    pub(super) fn give_back_got(&mut self, item: T, wakes: &mut WakeList) -> Option<T> {
        if self.lifecycle == Lifecycle::Closed {
            self.finish(1, wakes);
            return Some(item);
        }
        if let Err(Ok(item)) = self.getters.notify_front(Ok(item), wakes) {
            self.items.restore(item);
        }
        None
    }

    /// Marks `n` items done; the joiners return once none is left.
    fn finish(&mut self, n: usize, wakes: &mut WakeList) {
        self.unfinished = self.unfinished.saturating_sub(n);
        if self.unfinished == 0 {
            self.joiners.notify_all(|_| (), wakes);
        }
    }

    /// `task_done()`: one item fewer to wait for.
    pub(super) fn task_done(&mut self, wakes: &mut WakeList) -> Result<(), TooManyTaskDone> {
        if self.unfinished == 0 {
            return Err(TooManyTaskDone(()));
        }
        self.finish(1, wakes);
        Ok(())
    }

    /// `shutdown(immediate)`: fails every waiting put (giving each its item
    /// back) and every waiting get; if `immediate`, also empties the
    /// container, counting its items done. Returns the removed items, for
    /// the caller to drop after releasing the lock.
    pub(super) fn shutdown(
        &mut self,
        immediate: bool,
        wakes: &mut WakeList,
    ) -> <O as Ordered<T>>::Store {
        let mut removed = Default::default();
        if immediate {
            self.lifecycle = Lifecycle::Closed;
            removed = mem::take(&mut self.items);
            self.finish(removed.len(), wakes);
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
