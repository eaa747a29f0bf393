//! What the sender and every receiver of a watch channel share: the value,
//! its version, and the receivers waiting for the next version.
//!
//! The value sits behind a reader-writer lock so that receivers can borrow
//! it in place, together. Its *version* counts changes; it is bumped while
//! the value is write-locked, so a receiver holding a read borrow sees the
//! version of exactly the value it reads (`borrow_and_update`). Receivers
//! waiting for a change queue on a `WaiterList<(), usize>` (the request is
//! the version they have seen) under a separate short lock, which a change
//! takes only after bumping the version: a receiver checks the version
//! under that lock before queueing, so it either sees the change or is
//! queued in time to be woken by it.

use std::fmt;

use super::Ref;
use crate::primitives::{AtomicBool, AtomicUsize, Mutex, MutexGuard, Ordering, RwLock};
use crate::waiters::{WaiterList, WakeList};

/// The channel: what the `Sender` and the `Receiver`s point to.
pub(super) struct Shared<T> {
    value: RwLock<T>,
    /// How many changes were announced; bumped under `value`'s write lock.
    version: AtomicUsize,
    /// The sender is gone. Written under `state`'s lock; read without it by
    /// the fast paths.
    closed: AtomicBool,
    state: Mutex<State>,
}

pub(super) struct State {
    receivers: usize,
    /// Receivers waiting for a version other than the one they have seen.
    pub(super) waiting: WaiterList<(), usize>,
}

impl<T> Shared<T> {
    pub(super) fn new(value: T) -> Self {
        Self {
            value: RwLock::new(value),
            version: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            state: Mutex::new(State {
                receivers: 1,
                waiting: WaiterList::new(),
            }),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock()
    }

    /// Borrows the value (shared with other borrows; a change waits).
    pub(super) fn borrow(&self) -> Ref<'_, T> {
        Ref::new(self.value.read())
    }

    /// Borrows the value and returns the version it has.
    pub(super) fn borrow_versioned(&self) -> (Ref<'_, T>, usize) {
        let value = self.value.read();
        // Stable while we hold the read lock: changes bump it under the
        // write lock.
        let version = self.version.load(Ordering::Acquire);
        (Ref::new(value), version)
    }

    /// Runs `modify` on the value; if it reports a change, bumps the version
    /// and wakes the waiting receivers. Returns what `modify` returned.
    pub(super) fn modify(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        let mut value = self.value.write();
        // If `modify` panics, the guard unlocks and the version stays: the
        // (partial) change is not announced.
        let changed = modify(&mut value);
        if changed {
            self.version.fetch_add(1, Ordering::Release);
        }
        drop(value);
        if changed {
            let mut wakes = WakeList::new();
            self.lock().waiting.notify_all(|_| (), &mut wakes);
        }
        changed
    }

    /// The current version.
    pub(super) fn version(&self) -> usize {
        self.version.load(Ordering::Acquire)
    }

    /// Whether the sender is gone.
    pub(super) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// The sender is gone: wakes every waiting receiver to find out.
    pub(super) fn close(&self) {
        let mut wakes = WakeList::new();
        let mut state = self.lock();
        self.closed.store(true, Ordering::Release);
        state.waiting.notify_all(|_| (), &mut wakes);
        drop(state);
        drop(wakes);
    }

    pub(super) fn add_receiver(&self) {
        let mut state = self.lock();
        state.receivers = state
            .receivers
            .checked_add(1)
            .expect("receiver count overflowed usize");
    }

    pub(super) fn remove_receiver(&self) {
        self.lock().receivers -= 1;
    }

    pub(super) fn receivers(&self) -> usize {
        self.lock().receivers
    }
}

impl<T> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watch")
            .field("version", &self.version())
            .field("receivers", &self.receivers())
            .field("closed", &self.is_closed())
            .finish()
    }
}
