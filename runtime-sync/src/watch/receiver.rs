//! The receiving half of a watch channel.

use std::fmt;
use std::sync::Arc;

use super::Ref;
use super::error::RecvError;
use super::shared::{Shared, State};
use crate::primitives::MutexGuard;
use crate::waiters::{Wait, Waitable, WaiterList, WakeList};

/// Reads the latest value and waits for it to change. Clone it for another
/// task (the clone has seen what this one has seen).
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// The version this receiver has seen.
    seen: usize,
}

impl<T> Receiver<T> {
    pub(super) fn new(shared: Arc<Shared<T>>, seen: usize) -> Self {
        Self { shared, seen }
    }

    /// Borrows the latest value, without marking it seen. Keep the borrow
    /// short: the sender's changes wait for it to end.
    pub fn borrow(&self) -> Ref<'_, T> {
        self.shared.borrow()
    }

    /// Borrows the latest value and marks it seen: [`changed`](Self::changed)
    /// then waits for a newer one.
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let (value, version) = self.shared.borrow_versioned();
        self.seen = version;
        value
    }

    /// Whether a value newer than the one seen was sent.
    ///
    /// # Errors
    /// [`RecvError`] if nothing newer was sent and the sender is gone.
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        // `closed` first: if it is set, the sender's last change is visible
        // to the version load after it.
        let closed = self.shared.is_closed();
        if self.shared.version() != self.seen {
            Ok(true)
        } else if closed {
            Err(RecvError(()))
        } else {
            Ok(false)
        }
    }

    /// Waits until a value newer than the one seen is sent, and marks the
    /// newest as seen; read it with [`borrow`](Self::borrow). Several
    /// changes in between count as one: a watch keeps only the latest
    /// value. Returns at once if a change is already unseen.
    ///
    /// # Errors
    /// [`RecvError`] once the sender is gone and its last value was seen.
    ///
    /// # Cancel safety
    /// Cancel-safe: dropping it marks nothing seen, so the next call still
    /// reports the change.
    pub async fn changed(&mut self) -> Result<(), RecvError> {
        loop {
            let closed = self.shared.is_closed();
            let version = self.shared.version();
            if version != self.seen {
                self.seen = version;
                return Ok(());
            }
            if closed {
                return Err(RecvError(()));
            }
            Wait::new(Watching(&self.shared), self.seen).await;
        }
    }

    /// Marks the latest value as seen without borrowing it.
    pub fn mark_unchanged(&mut self) {
        self.seen = self.shared.version();
    }

    /// Whether `self` and `other` watch the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.add_receiver();
        Self::new(self.shared.clone(), self.seen)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.remove_receiver();
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("seen", &self.seen)
            .field("shared", &*self.shared)
            .finish()
    }
}

/// A receiver waiting for a version other than the one it has seen (the
/// request).
struct Watching<'a, T>(&'a Shared<T>);

impl<T> Waitable for Watching<'_, T> {
    type State = State;
    type Request = usize;
    type Value = ();

    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock()
    }

    fn waiters(state: &mut State) -> &mut WaiterList<(), usize> {
        &mut state.waiting
    }

    fn try_now(&self, _: &mut State, seen: &mut usize, _: &mut WakeList) -> Option<()> {
        // Under the lock a change takes to wake us: see `shared.rs`.
        (self.0.version() != *seen || self.0.is_closed()).then_some(())
    }

    fn give_back(&self, _: &mut State, _: usize, _: (), _: &mut WakeList) {
        // Every waiting receiver got its own wake-up: nothing to pass on.
    }
}
