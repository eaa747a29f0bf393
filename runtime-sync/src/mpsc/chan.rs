//! The state both ends of an mpsc channel share, and the operations on it.
//!
//! One lock guards the shared buffer, the counters and both waiter lists, so
//! a send that need not wait is one lock acquisition. The lists follow the
//! queue recipe of `waiters.rs`:
//! - the **receiver** waits (`WaiterList<Option<Received<T>>, _>`, at most
//!   one waiter: `recv` takes `&mut Receiver`) only when it has nothing left;
//!   a send that finds it waiting hands the message straight to it. That is
//!   the empty → non-empty edge, and the only time a send wakes anyone.
//! - blocked **senders** (`WaiterList<Result<(), SendError<T>>, Option<T>>`)
//!   carry their message in their request. A receive that frees a slot moves
//!   the head sender's message into the buffer and wakes it with `Ok`: the
//!   message is queued in arrival order at that moment, whether or not the
//!   sender's task has run yet. Closing hands every blocked sender its
//!   message back in `Err`.
//!
//! # The receiver's batch
//! Producers and the consumer usually run on different threads; if the
//! consumer took the lock for every message, the lock (and the state) would
//! bounce between their cores on every message. So when the receiver finds
//! its own batch empty, it takes the *whole* shared buffer in one swap
//! (`Received::Batch`) and then receives from its batch without locking. The
//! two deques trade places (the receiver's emptied one becomes the next
//! buffer), so a steady stream allocates nothing.
//!
//! For capacity, messages in the batch still count as in the channel until
//! the receiver returns them: a slot is freed when its message is received,
//! exactly as if it had been received from the shared buffer. The count
//! lives in the atomic `batch` word (`batched * ONE`) next to a `BLOCKED`
//! bit, set while senders are queued:
//! - a receive from the batch subtracts `ONE`; if the word it replaced had
//!   `BLOCKED`, it takes the lock and admits the head sender at once;
//! - a sender that finds no room sets `BLOCKED` with an RMW (under the
//!   lock) and decides from the count that RMW returned whether it must
//!   queue.
//!
//! Both are read-modify-writes of one word, so they are totally ordered:
//! either the receive came first (the sender sees the freed slot and does
//! not queue) or the sender did (the receive sees `BLOCKED`, and its lock
//! acquisition comes after the sender's, which queued). No wake-up is lost,
//! and admission is as prompt as with a per-message lock.
//!
//! Invariant (under the lock): while senders are queued there is no free
//! slot, except transiently between a batch receive's decrement and the
//! admission it then performs.

use std::collections::VecDeque;
use std::fmt;
use std::mem;

use super::error::{SendError, TryRecvError, TrySendError};
use crate::primitives::{AtomicUsize, Mutex, MutexGuard, Ordering};
use crate::waiters::{WaiterList, WakeList};

/// Set in `Chan::batch` while senders are queued.
const BLOCKED: usize = 1;
/// One message in the receiver's batch, in `Chan::batch`.
const ONE: usize = 2;

/// The channel: what `Sender`s and the `Receiver` point to.
pub(super) struct Chan<T> {
    state: Mutex<State<T>>,
    /// `ONE` × the messages in the receiver's batch, `| BLOCKED` while
    /// senders are queued (see the module docs). The count is changed only
    /// by the receiver; `BLOCKED` only under the lock.
    batch: AtomicUsize,
    /// `State::bound.is_some()`, readable without the lock.
    bounded: bool,
}

/// What one receive takes out of the channel.
pub(super) enum Received<T> {
    /// One message (handed to the waiting receiver by a send).
    One(T),
    /// Every buffered message: the oldest, and the rest for the receiver's
    /// batch (already counted in `Chan::batch`).
    Batch(T, VecDeque<T>),
}

pub(super) struct State<T> {
    buffer: VecDeque<T>,
    /// An empty deque kept for the next batch swap (its allocation reused).
    spare: VecDeque<T>,
    /// The most messages the channel holds (buffer and batch) before
    /// senders wait; `None` for an unbounded channel.
    bound: Option<usize>,
    /// The size of the receiver's batch when it was taken: the count in
    /// `Chan::batch` can only have shrunk since, so `buffer.len()` plus this
    /// is a bound senders can check without touching the atomic word, which
    /// the receiver writes on every receive (reading it on every send would
    /// bounce its cache line between producer and consumer).
    batched_at_most: usize,
    /// Live `Sender`s. Kept under the lock, not in an atomic, so that "the
    /// last sender is gone" and "the receiver starts waiting" are ordered by
    /// the lock: the receiver cannot miss it.
    senders: usize,
    /// The receiver closed the channel or was dropped: sends fail.
    closed: bool,
    /// The receiver, while it waits for a message (`None` = closed); its
    /// request is its emptied batch deque, recycled on arrival.
    pub(super) receiver: WaiterList<Option<Received<T>>, VecDeque<T>>,
    /// Senders waiting for room, each with its message.
    pub(super) blocked: WaiterList<Result<(), SendError<T>>, Option<T>>,
}

/// A bounded channel's buffer is allocated up front up to this many slots
/// (a steady stream then never reallocates); beyond it, it grows on demand
/// so that a huge bound costs nothing until it is used.
const PREALLOCATE: usize = 1024;

impl<T> Chan<T> {
    /// A channel with one sender; `bound` as in `State`.
    pub(super) fn new(bound: Option<usize>) -> Self {
        Self {
            state: Mutex::new(State {
                buffer: VecDeque::with_capacity(bound.unwrap_or(0).min(PREALLOCATE)),
                spare: VecDeque::new(),
                bound,
                batched_at_most: 0,
                senders: 1,
                closed: false,
                receiver: WaiterList::new(),
                blocked: WaiterList::new(),
            }),
            batch: AtomicUsize::new(0),
            bounded: bound.is_some(),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock()
    }

    /// Whether one more message fits, given the batch word `word`.
    fn has_room(state: &State<T>, word: usize) -> bool {
        state
            .bound
            .is_none_or(|bound| state.buffer.len() + word / ONE < bound)
    }

    /// Sends `value` without waiting: to the waiting receiver, or into the
    /// buffer if there is room and no older sender waits for it.
    pub(super) fn try_send(
        &self,
        state: &mut State<T>,
        value: T,
        wakes: &mut WakeList,
    ) -> Result<(), TrySendError<T>> {
        if state.closed {
            return Err(TrySendError::Closed(value));
        }
        // A waiting receiver has nothing: hand the message over.
        let value = match state
            .receiver
            .notify_front(Some(Received::One(value)), wakes)
        {
            Ok(()) => return Ok(()),
            Err(Some(Received::One(value))) => value,
            Err(_) => unreachable!("the message just offered comes back"),
        };
        if !state.blocked.is_empty() {
            return Err(TrySendError::Full(value)); // they come first
        }
        // Usually there is room even counting the batch at its largest; if
        // not, look at the count. It only shrinks without the lock, so the
        // load may see too little room, never too much; `block` decides for
        // sure.
        if !Self::has_room(state, state.batched_at_most * ONE)
            && !Self::has_room(state, self.batch.load(Ordering::Acquire))
        {
            return Err(TrySendError::Full(value));
        }
        state.buffer.push_back(value);
        Ok(())
    }

    /// A send found the channel full and is about to queue: raises
    /// `BLOCKED` so that the receiver's next batch receive comes back to
    /// admit it. If a receive freed a slot meanwhile (and nobody is queued
    /// ahead), the message goes in now instead and comes back `Ok`.
    pub(super) fn block(&self, state: &mut State<T>, value: T) -> Result<(), T> {
        let word = self.batch.fetch_or(BLOCKED, Ordering::AcqRel);
        if state.blocked.is_empty() && Self::has_room(state, word) {
            self.batch.fetch_and(!BLOCKED, Ordering::AcqRel);
            state.buffer.push_back(value);
            return Ok(());
        }
        Err(value)
    }

    /// Receives without waiting (from the shared buffer; the receiver's
    /// batch is empty): takes the whole buffer, returning its first message
    /// and counting the rest as batched. `emptied` is the receiver's empty
    /// batch deque, kept for reuse.
    pub(super) fn try_recv(
        &self,
        state: &mut State<T>,
        emptied: &mut VecDeque<T>,
        wakes: &mut WakeList,
    ) -> Result<Received<T>, TryRecvError> {
        if emptied.capacity() > state.spare.capacity() {
            // Drops an empty deque at most: no user code under the lock.
            state.spare = mem::take(emptied);
        }
        if state.buffer.is_empty() {
            return Err(if state.is_finished() {
                TryRecvError::Closed
            } else {
                TryRecvError::Empty
            });
        }
        let next = mem::take(&mut state.spare);
        let mut rest = mem::replace(&mut state.buffer, next);
        let first = rest.pop_front().expect("checked non-empty");
        // The receiver takes a batch only once its last one is used up.
        state.batched_at_most = rest.len();
        if !rest.is_empty() {
            // The count moves from the buffer to the batch: room unchanged.
            self.batch.fetch_add(rest.len() * ONE, Ordering::AcqRel);
        }
        // `first` is received: its slot is free.
        self.admit_blocked(state, wakes);
        Ok(Received::Batch(first, rest))
    }

    /// The receiver received `n` messages from its batch, which has `left`
    /// more: their slots are free. If senders are queued, admits them at
    /// once.
    pub(super) fn batch_received(&self, n: usize, left: usize) {
        if !self.bounded {
            // Only `len` reads the count, and no sender ever blocks: a plain
            // store (the receiver is the only writer) is enough.
            self.batch.store(left * ONE, Ordering::Release);
            return;
        }
        let word = self.batch.fetch_sub(n * ONE, Ordering::AcqRel);
        if word & BLOCKED != 0 {
            let mut wakes = WakeList::new();
            let mut state = self.lock();
            self.admit_blocked(&mut state, &mut wakes);
            drop(state);
            drop(wakes);
        }
    }

    /// Moves up to `limit` messages from the shared buffer into `out`;
    /// returns how many.
    pub(super) fn drain_into(
        &self,
        state: &mut State<T>,
        out: &mut Vec<T>,
        limit: usize,
        wakes: &mut WakeList,
    ) -> usize {
        let n = limit.min(state.buffer.len());
        out.extend(state.buffer.drain(..n));
        if n > 0 {
            self.admit_blocked(state, wakes);
        }
        n
    }

    /// What was handed to the receiver came back (its `recv` was dropped
    /// before collecting it): it is still the oldest, so it goes in front.
    /// This may put a bounded channel one over its bound until the next
    /// receive; the alternative, dropping the message, would lose it.
    pub(super) fn unreceive(&self, state: &mut State<T>, received: Received<T>) {
        let (first, rest) = match received {
            Received::One(first) => (first, VecDeque::new()),
            Received::Batch(first, rest) => (first, rest),
        };
        if !rest.is_empty() {
            self.batch.fetch_sub(rest.len() * ONE, Ordering::AcqRel);
            state.batched_at_most -= rest.len();
        }
        for value in rest.into_iter().rev() {
            state.buffer.push_front(value);
        }
        state.buffer.push_front(first);
    }

    /// Moves blocked senders' messages into the buffer, oldest first, while
    /// there is room, and wakes those senders: their sends are done. Clears
    /// `BLOCKED` once nobody is queued.
    fn admit_blocked(&self, state: &mut State<T>, wakes: &mut WakeList) {
        if state.blocked.is_empty() {
            return;
        }
        // Only the receiver changes the count, and only the receiver admits
        // (or a lock holder right after the receiver did): this is exact.
        let batched = self.batch.load(Ordering::Acquire) / ONE;
        let State {
            buffer,
            bound,
            blocked,
            ..
        } = state;
        while bound.is_none_or(|bound| buffer.len() + batched < bound)
            && blocked.notify_front_if(
                |message| {
                    buffer.push_back(message.take()?);
                    Some(Ok(()))
                },
                wakes,
            )
        {}
        self.unblock_if_none_wait(state);
    }

    /// Clears `BLOCKED` if no sender is queued (a stale bit would only make
    /// batch receives take the lock for nothing).
    pub(super) fn unblock_if_none_wait(&self, state: &State<T>) {
        if state.blocked.is_empty() {
            self.batch.fetch_and(!BLOCKED, Ordering::AcqRel);
        }
    }

    /// Closes the channel from the receiving side: sends fail from now on,
    /// and every blocked sender is handed its message back. Messages already
    /// buffered stay receivable.
    pub(super) fn close(&self, state: &mut State<T>, wakes: &mut WakeList) {
        state.closed = true;
        state.blocked.notify_all(
            |message| {
                Err(SendError(
                    message.take().expect("a queued sender holds its message"),
                ))
            },
            wakes,
        );
        self.unblock_if_none_wait(state);
    }

    /// The receiver is gone: closes, and takes every buffered message out,
    /// for the caller to drop after releasing the lock.
    pub(super) fn receiver_dropped(
        &self,
        state: &mut State<T>,
        wakes: &mut WakeList,
    ) -> VecDeque<T> {
        self.close(state, wakes);
        // Its batch goes with it.
        self.batch.store(0, Ordering::Release);
        state.batched_at_most = 0;
        mem::take(&mut state.buffer)
    }

    /// Messages not yet received: buffered, or in the receiver's batch.
    pub(super) fn len(&self) -> usize {
        let state = self.lock();
        state.buffer.len() + self.batch.load(Ordering::Acquire) / ONE
    }
}

impl<T> State<T> {
    /// Nothing is buffered and nothing more can arrive.
    fn is_finished(&self) -> bool {
        self.buffer.is_empty() && self.is_closed_for_receiver()
    }

    pub(super) fn add_sender(&mut self) {
        self.senders = self
            .senders
            .checked_add(1)
            .expect("sender count overflowed usize");
    }

    /// A sender was dropped; the last one tells a waiting receiver that no
    /// more messages will come.
    pub(super) fn remove_sender(&mut self, wakes: &mut WakeList) {
        self.senders -= 1;
        if self.senders == 0 {
            // The receiver only waits when it has nothing: it is done.
            let _ = self.receiver.notify_front(None, wakes);
        }
    }

    pub(super) fn bound(&self) -> Option<usize> {
        self.bound
    }

    /// Whether sends fail (the receiving side closed or is gone).
    pub(super) fn is_closed(&self) -> bool {
        self.closed
    }

    /// Whether the receiver can get nothing more once it has drained what
    /// was sent.
    pub(super) fn is_closed_for_receiver(&self) -> bool {
        self.closed || self.senders == 0
    }
}

impl<T> fmt::Debug for State<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chan")
            .field("buffered", &self.buffer.len())
            .field("bound", &self.bound)
            .field("senders", &self.senders)
            .field("blocked_senders", &self.blocked.len())
            .field("closed", &self.closed)
            .finish()
    }
}
