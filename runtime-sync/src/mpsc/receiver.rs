//! The receiving half of an mpsc channel.

use std::collections::VecDeque;
use std::fmt;
use std::mem;
use std::sync::Arc;

use super::chan::{Chan, Received, State};
use super::error::TryRecvError;
use crate::primitives::MutexGuard;
use crate::waiters::{Wait, Waitable, WaiterList, WakeList};

/// The receiving half of an [`mpsc`](super) channel. There is one; dropping
/// it closes the channel (senders get their messages back) and drops the
/// messages still buffered.
pub struct Receiver<T> {
    chan: Arc<Chan<T>>,
    /// Messages taken from the channel in one swap and not yet returned,
    /// oldest first (see `chan.rs`). Older than anything still in the
    /// channel, so received from first.
    batch: VecDeque<T>,
}

impl<T> Receiver<T> {
    pub(super) fn new(chan: Arc<Chan<T>>) -> Self {
        Self {
            chan,
            batch: VecDeque::new(),
        }
    }

    /// Waits for the next message, in the order the channel accepted them.
    /// Returns `None` once the buffer is empty and no message can come any
    /// more: every sender was dropped, or [`close`](Self::close) was
    /// called.
    ///
    /// # Cancel safety
    /// Cancel-safe: dropping the future loses no message. A message handed
    /// to it after it started waiting, but not yet returned, goes back to
    /// the front of the channel for the next receive (a bounded channel may
    /// then hold one message over its capacity until that receive).
    pub async fn recv(&mut self) -> Option<T> {
        // Try first, outside the waiter protocol: the batch (no lock), then
        // one short critical section on the channel. Only an empty channel
        // pays for `Wait` (whose first attempt re-checks under the lock).
        match self.try_recv() {
            Ok(value) => return Some(value),
            Err(TryRecvError::Closed) => return None,
            Err(TryRecvError::Empty) => {}
        }
        let emptied = mem::take(&mut self.batch);
        let received = Wait::new(Receiving(&self.chan), emptied).await?;
        Some(self.unpack(received))
    }

    /// Waits for at least one message, then moves up to `limit` messages
    /// into `buffer` (appended) at once; returns how many. Returns `0` only
    /// when `limit` is `0` or when [`recv`](Self::recv) would return `None`.
    ///
    /// A batch frees its slots in a bounded channel together, so the
    /// senders it unblocks are woken together.
    ///
    /// # Cancel safety
    /// Cancel-safe like [`recv`](Self::recv): each message is either in
    /// `buffer` (when the call completes) or still in the channel.
    pub async fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        let mut taken = self.drain_now(buffer, limit);
        if taken > 0 || limit == 0 {
            return taken;
        }
        // Nothing buffered: wait for the first message, then take what else
        // arrived meanwhile.
        let Some(first) = self.recv().await else {
            return 0;
        };
        buffer.push(first);
        taken = 1;
        taken + self.drain_now(buffer, limit - taken)
    }

    /// Takes the next message if one is there.
    ///
    /// # Errors
    /// [`TryRecvError::Empty`] if none is buffered now;
    /// [`TryRecvError::Closed`] if none is buffered and none can come.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        if let Some(value) = self.pop_batch() {
            return Ok(value);
        }
        let mut wakes = WakeList::new();
        let mut state = self.chan.lock();
        let received = self.chan.try_recv(&mut state, &mut self.batch, &mut wakes);
        drop(state);
        drop(wakes);
        Ok(self.unpack(received?))
    }

    /// Closes the channel without dropping the receiver: every later send
    /// fails, and senders waiting for room get their messages back in
    /// [`SendError`](super::SendError). The messages already sent stay;
    /// receive them as usual, until `recv` returns `None`.
    pub fn close(&mut self) {
        let mut wakes = WakeList::new();
        let mut state = self.chan.lock();
        self.chan.close(&mut state, &mut wakes);
        drop(state);
        drop(wakes);
    }

    /// Whether no more messages can arrive: every sender is gone or the
    /// channel was closed. Messages already sent may still be waiting to be
    /// received. A snapshot; once true it stays true.
    pub fn is_closed(&self) -> bool {
        self.chan.lock().is_closed_for_receiver()
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

    /// The next message of the batch, if any.
    fn pop_batch(&mut self) -> Option<T> {
        let value = self.batch.pop_front()?;
        self.chan.batch_received(1, self.batch.len());
        Some(value)
    }

    /// Returns the first message received and keeps the rest of a batch.
    fn unpack(&mut self, received: Received<T>) -> T {
        match received {
            Received::One(value) => value,
            Received::Batch(first, rest) => {
                self.batch = rest;
                first
            }
        }
    }

    /// Moves up to `limit` messages that are there now into `out`.
    fn drain_now(&mut self, out: &mut Vec<T>, limit: usize) -> usize {
        let from_batch = limit.min(self.batch.len());
        if from_batch > 0 {
            out.extend(self.batch.drain(..from_batch));
            self.chan.batch_received(from_batch, self.batch.len());
        }
        if from_batch == limit {
            return from_batch;
        }
        let mut wakes = WakeList::new();
        let mut state = self.chan.lock();
        let from_chan = self
            .chan
            .drain_into(&mut state, out, limit - from_batch, &mut wakes);
        drop(state);
        drop(wakes);
        from_batch + from_chan
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut wakes = WakeList::new();
        let mut state = self.chan.lock();
        let unreceived = self.chan.receiver_dropped(&mut state, &mut wakes);
        drop(state);
        drop(wakes);
        // User `Drop` code, after the lock is released (the batch follows
        // with the receiver's fields).
        drop(unreceived);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("chan", &*self.chan.lock())
            .field("batched", &self.batch.len())
            .finish()
    }
}

/// The receiver's view of the channel, for `Wait`. The request is the
/// receiver's emptied batch deque, handed in for reuse.
struct Receiving<'a, T>(&'a Chan<T>);

impl<T> Waitable for Receiving<'_, T> {
    type State = State<T>;
    type Request = VecDeque<T>;
    /// What was received, or `None`: closed and drained.
    type Value = Option<Received<T>>;

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.0.lock()
    }

    fn waiters(state: &mut State<T>) -> &mut WaiterList<Self::Value, VecDeque<T>> {
        &mut state.receiver
    }

    fn try_now(
        &self,
        state: &mut State<T>,
        emptied: &mut VecDeque<T>,
        wakes: &mut WakeList,
    ) -> Option<Self::Value> {
        match self.0.try_recv(state, emptied, wakes) {
            Ok(received) => Some(Some(received)),
            Err(TryRecvError::Closed) => Some(None),
            Err(TryRecvError::Empty) => None,
        }
    }

    fn give_back(
        &self,
        state: &mut State<T>,
        _: VecDeque<T>,
        value: Self::Value,
        _: &mut WakeList,
    ) {
        if let Some(received) = value {
            self.0.unreceive(state, received);
        }
    }
}
