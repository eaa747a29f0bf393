//! The sending half of a broadcast channel.

use std::fmt;
use std::sync::Arc;

use super::error::SendError;
use super::receiver::Receiver;
use super::shared::Shared;
use crate::waiters::WakeList;

/// Sends to every [`Receiver`] subscribed at the time. Clone it to send
/// from several tasks; receivers see the channel closed once every clone is
/// dropped (after reading what is left).
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    pub(super) fn new(shared: Arc<Shared<T>>) -> Self {
        Self { shared }
    }

    /// Sends `message` to every receiver subscribed now and returns how
    /// many that is. It never waits: if the channel already holds
    /// `capacity` messages, the oldest is dropped, and receivers that had
    /// not read it get [`RecvError::Lagged`](super::RecvError::Lagged) on
    /// their next receive.
    ///
    /// # Errors
    /// [`SendError`] with `message` if no receiver is subscribed.
    pub fn send(&self, message: T) -> Result<usize, SendError<T>> {
        // Allocated before locking, to keep the critical section short.
        let message = Arc::new(message);
        let mut wakes = WakeList::new();
        let mut state = self.shared.lock();
        if state.receivers() == 0 {
            drop(state);
            let message = Arc::into_inner(message).expect("never shared");
            return Err(SendError(message));
        }
        let (receivers, evicted) = state.send(message, &mut wakes);
        drop(state);
        drop(wakes);
        // User `Drop` code, after the lock is released.
        drop(evicted);
        Ok(receivers)
    }

    /// A new receiver that gets every message sent from now on.
    pub fn subscribe(&self) -> Receiver<T> {
        let next = self.shared.lock().subscribe();
        Receiver::new(self.shared.clone(), next)
    }

    /// How many receivers are subscribed (a snapshot).
    pub fn receiver_count(&self) -> usize {
        self.shared.lock().receivers()
    }

    /// Whether `self` and `other` send into the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.lock().add_sender();
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut wakes = WakeList::new();
        self.shared.lock().remove_sender(&mut wakes);
        drop(wakes);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("shared", &*self.shared.lock())
            .finish()
    }
}
