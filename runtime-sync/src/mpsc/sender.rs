//! The sending half of an mpsc channel, and the waiting `send`.

use std::fmt;
use std::sync::Arc;

use super::chan::{Chan, State};
use super::error::{SendError, TrySendError};
use crate::primitives::MutexGuard;
use crate::waiters::{Discarded, Wait, Waitable, WaiterList, WakeList};

/// The sending half of an [`mpsc`](super) channel. Clone it to send from
/// several tasks; the channel closes for the receiver once every clone is
/// dropped (and the buffer is drained).
pub struct Sender<T> {
    chan: Arc<Chan<T>>,
}

impl<T> Sender<T> {
    pub(super) fn new(chan: Arc<Chan<T>>) -> Self {
        Self { chan }
    }

    /// Sends `value`, waiting while a bounded channel is full. Blocked
    /// senders are served in the order they started waiting, and a send
    /// never overtakes one that waits (no barging). On an unbounded channel
    /// it completes on its first poll.
    ///
    /// # Errors
    /// [`SendError`] with `value` if the channel is closed (the receiver was
    /// dropped or [closed](super::Receiver::close) it), now or while this
    /// send waited.
    ///
    /// # Cancel safety
    /// Dropping the future while it waits sends nothing: the message is
    /// dropped with it and the send leaves the queue. Once room frees up,
    /// the channel moves the message into the buffer at once, before the
    /// sender's task runs again; from then on the send has happened even if
    /// the future is dropped before it reports `Ok`. So "dropped and not
    /// sent" and "sent" are the only outcomes, never a lost or doubled
    /// message.
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        // Try first, outside the waiter protocol: when there is room (the
        // common case) the send is one short critical section, with no
        // waiter node to set up, no wake list and nothing to wake unless
        // the receiver waits. Only a full channel pays for `Wait`, whose
        // own first attempt re-checks under the lock (room may have freed
        // up in between), so nothing is lost by trying twice.
        let value = match self.try_send(value) {
            Ok(()) => return Ok(()),
            Err(TrySendError::Closed(value)) => return Err(SendError(value)),
            Err(TrySendError::Full(value)) => value,
        };
        Wait::new(Sending(&self.chan), Some(value)).await
    }

    /// Sends `value` if it can go now: handed to the waiting receiver, or
    /// into the buffer if there is room and no earlier send is waiting.
    /// On an unbounded channel this is the plain, never-waiting send.
    ///
    /// # Errors
    /// [`TrySendError::Full`] with `value` if the channel is at capacity or
    /// older sends wait; [`TrySendError::Closed`] with `value` if the
    /// channel is closed.
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let mut wakes = WakeList::new();
        let mut state = self.chan.lock();
        let result = self.chan.try_send(&mut state, value, &mut wakes);
        drop(state);
        drop(wakes);
        result
    }

    /// Whether the channel is closed for sending: the receiver was dropped
    /// or called [`close`](super::Receiver::close). A snapshot; once true it
    /// stays true.
    pub fn is_closed(&self) -> bool {
        self.chan.lock().is_closed()
    }

    /// How many messages were sent and not yet received (a snapshot).
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// Whether every message sent was received (a snapshot).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The channel's bound: `Some(capacity)` for [`channel`](super::channel),
    /// `None` for [`unbounded`](super::unbounded).
    pub fn capacity(&self) -> Option<usize> {
        self.chan.lock().bound()
    }

    /// Whether `self` and `other` send into the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.lock().add_sender();
        Self {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut wakes = WakeList::new();
        self.chan.lock().remove_sender(&mut wakes);
        drop(wakes);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("chan", &*self.chan.lock())
            .finish()
    }
}

/// One `send`'s view of the channel, for `Wait`.
struct Sending<'a, T>(&'a Chan<T>);

impl<T> Waitable for Sending<'_, T> {
    type State = State<T>;
    type Request = Option<T>;
    type Value = Result<(), SendError<T>>;

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.0.lock()
    }

    fn waiters(state: &mut State<T>) -> &mut WaiterList<Self::Value, Option<T>> {
        &mut state.blocked
    }

    fn try_now(
        &self,
        state: &mut State<T>,
        message: &mut Option<T>,
        wakes: &mut WakeList,
    ) -> Option<Self::Value> {
        let value = message.take().expect("a send arrives with its message");
        match self.0.try_send(state, value, wakes) {
            Ok(()) => Some(Ok(())),
            Err(TrySendError::Closed(value)) => Some(Err(SendError(value))),
            Err(TrySendError::Full(value)) => match self.0.block(state, value) {
                Ok(()) => Some(Ok(())),
                Err(value) => {
                    *message = Some(value);
                    None
                }
            },
        }
    }

    fn give_back(
        &self,
        state: &mut State<T>,
        message: Option<T>,
        outcome: Self::Value,
        wakes: &mut WakeList,
    ) {
        // `Wait` calls `abandoned`, which defers the drop; this fallback
        // only keeps the trait's contract.
        drop(self.abandoned(state, message, Some(outcome), wakes));
    }

    fn abandoned(
        &self,
        state: &mut State<T>,
        message: Option<T>,
        outcome: Option<Self::Value>,
        _: &mut WakeList,
    ) -> Discarded<Option<T>, Self::Value> {
        if outcome.is_none() {
            // It left the queue: maybe the last one to.
            self.0.unblock_if_none_wait(state);
        }
        // Nothing to pass on in any case. Still queued: every blocked sender
        // waits for the same thing (one slot) and the head did not get one,
        // so nobody behind it can go now; the message is dropped unsent.
        // Admitted (`Ok`): the message is in the buffer, the send happened.
        // Refused (`Err`): the channel closed on it and nobody will report
        // that; the message is dropped. Dropped by `Wait` after it releases
        // the lock: a message's `Drop` is user code.
        Discarded {
            request: Some(message),
            value: outcome,
        }
    }
}
