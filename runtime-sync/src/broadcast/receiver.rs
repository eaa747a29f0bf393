//! The receiving half of a broadcast channel.

use std::fmt;
use std::sync::Arc;

use super::error::{RecvError, TryRecvError};
use super::shared::{Shared, State};
use crate::primitives::MutexGuard;
use crate::waiters::{Wait, Waitable, WaiterList, WakeList};

/// Receives every message sent after it subscribed, in send order. Get one
/// from [`channel`](super::channel), [`Sender::subscribe`](super::Sender::subscribe)
/// or [`resubscribe`](Self::resubscribe).
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// The position of the next message to read.
    next: u64,
}

impl<T> Receiver<T> {
    pub(super) fn new(shared: Arc<Shared<T>>, next: u64) -> Self {
        Self { shared, next }
    }

    /// Waits for the next message and returns a clone of it (the last
    /// receiver to read a message gets the original, without a clone).
    ///
    /// # Errors
    /// - [`RecvError::Lagged(n)`](RecvError::Lagged): this receiver fell
    ///   more than `capacity` messages behind and `n` of them were dropped
    ///   before it read them; the next receive returns the oldest one kept.
    /// - [`RecvError::Closed`]: every sender is gone and every message was
    ///   read.
    ///
    /// # Cancel safety
    /// Cancel-safe: a message is taken only in the poll that returns it, so
    /// dropping the future loses nothing.
    pub async fn recv(&mut self) -> Result<T, RecvError>
    where
        T: Clone,
    {
        loop {
            match self.try_recv() {
                Ok(message) => return Ok(message),
                Err(TryRecvError::Lagged(missed)) => return Err(RecvError::Lagged(missed)),
                Err(TryRecvError::Closed) => return Err(RecvError::Closed),
                Err(TryRecvError::Empty) => {}
            }
            // Re-checked under the lock before queueing, so a send in
            // between is not missed.
            Wait::new(Listening(&self.shared), self.next).await;
        }
    }

    /// Takes the next message if there is one.
    ///
    /// # Errors
    /// [`TryRecvError::Empty`] if this receiver has read everything sent so
    /// far; `Lagged` and `Closed` as for [`recv`](Self::recv).
    pub fn try_recv(&mut self) -> Result<T, TryRecvError>
    where
        T: Clone,
    {
        let message = self.shared.lock().try_recv(&mut self.next)?;
        // Outside the lock: a move if nobody else holds it, else a clone.
        Ok(Arc::unwrap_or_clone(message))
    }

    /// A new receiver on the same channel that gets every message sent from
    /// now on (not the ones this one has yet to read).
    pub fn resubscribe(&self) -> Self {
        let next = self.shared.lock().subscribe();
        Self::new(self.shared.clone(), next)
    }

    /// How many messages this receiver has yet to read (a snapshot; not
    /// counting ones it lost by lagging).
    pub fn len(&self) -> usize {
        self.shared.lock().unread(self.next)
    }

    /// Whether this receiver has read everything sent so far (a snapshot).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every sender is gone (messages may still be unread). A
    /// snapshot; once true it stays true.
    pub fn is_closed(&self) -> bool {
        self.shared.lock().senders() == 0
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let done = self.shared.lock().unsubscribe(self.next);
        // User `Drop` code, after the lock is released.
        drop(done);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("next", &self.next)
            .field("shared", &*self.shared.lock())
            .finish()
    }
}

/// A caught-up receiver waiting for news; the request is its position.
struct Listening<'a, T>(&'a Shared<T>);

impl<T> Waitable for Listening<'_, T> {
    type State = State<T>;
    type Request = u64;
    type Value = ();

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.0.lock()
    }

    fn waiters(state: &mut State<T>) -> &mut WaiterList<(), u64> {
        &mut state.waiting
    }

    fn try_now(&self, state: &mut State<T>, next: &mut u64, _: &mut WakeList) -> Option<()> {
        state.has_news(*next).then_some(())
    }

    fn give_back(&self, _: &mut State<T>, _: u64, _: (), _: &mut WakeList) {
        // Every waiting receiver got its own wake-up: nothing to pass on.
    }
}
