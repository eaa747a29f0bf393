//! The sending half of a watch channel.

use std::fmt;
use std::mem;
use std::sync::Arc;

use super::Ref;
use super::error::SendError;
use super::receiver::Receiver;
use super::shared::Shared;

/// Publishes new values to every [`Receiver`]. There is one; dropping it
/// closes the channel: receivers keep the last value and `changed` returns
/// [`RecvError`](super::RecvError) once they have seen it.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    pub(super) fn new(shared: Arc<Shared<T>>) -> Self {
        Self { shared }
    }

    /// Replaces the value and tells every receiver it changed.
    ///
    /// # Errors
    /// [`SendError`] with `value` if no receiver exists; the channel keeps
    /// its old value then (see [`send_replace`](Self::send_replace)).
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        // A receiver subscribing right now may miss this check; it then
        // starts from the old value, as if it had subscribed just before.
        if self.shared.receivers() == 0 {
            return Err(SendError(value));
        }
        drop(self.send_replace(value));
        Ok(())
    }

    /// Replaces the value, whether or not anyone receives, tells every
    /// receiver it changed, and returns the old value.
    pub fn send_replace(&self, value: T) -> T {
        let mut value = Some(value);
        let mut old = None;
        self.shared.modify(|current| {
            old = Some(mem::replace(current, value.take().expect("called once")));
            true
        });
        old.expect("modify ran the closure")
    }

    /// Changes the value in place and tells every receiver it changed.
    ///
    /// `modify` runs while the value is write-locked: receivers cannot
    /// borrow it meanwhile, and `modify` must not borrow it either (that
    /// would deadlock). If it panics, the change is not announced.
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        self.shared.modify(|value| {
            modify(value);
            true
        });
    }

    /// Changes the value in place, and tells the receivers only if `modify`
    /// returns `true` (it changed something worth announcing). Returns what
    /// `modify` returned. The same rules as [`send_modify`](Self::send_modify).
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        self.shared.modify(modify)
    }

    /// Borrows the current value. Keep the borrow short: changes wait for
    /// it to end.
    pub fn borrow(&self) -> Ref<'_, T> {
        self.shared.borrow()
    }

    /// A new receiver, which has seen the current value: its `changed`
    /// waits for the next change.
    pub fn subscribe(&self) -> Receiver<T> {
        self.shared.add_receiver();
        Receiver::new(self.shared.clone(), self.shared.version())
    }

    /// How many receivers exist (a snapshot).
    pub fn receiver_count(&self) -> usize {
        self.shared.receivers()
    }

    /// Whether every receiver is gone (a snapshot: [`subscribe`](Self::subscribe)
    /// can add one again).
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.shared.close();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("shared", &*self.shared)
            .finish()
    }
}
