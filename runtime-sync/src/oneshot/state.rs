//! What both ends of a oneshot channel share: one atomic state word, the
//! value slot and one waker slot per side.
//!
//! Why not the crate's waiter list (`waiters.rs`): a oneshot has exactly one
//! receiving future — the `Receiver` itself — and at most one task waiting
//! for [`closed`](super::Sender::closed). There is no queue to keep fair, so
//! a list (and the lock around it) buys nothing; and an intrusive node would
//! have to live pinned inside the `Receiver`, which would stop it from being
//! `Unpin`.
//!
//! # The protocol
//! `state` holds five bits; every slot access is guarded by them:
//!
//! - `COMPLETE`: the sender is done: it sent (`VALUE` too) or was dropped.
//!   Until it is set, only the sender touches `value`; once it is set
//!   (observed with `Acquire`), only the receiver does. Setting it is a CAS
//!   that fails if `CLOSED` is set: a send after a close keeps its value.
//! - `VALUE`: set with `COMPLETE` by a send.
//! - `CLOSED`: the receiver was dropped or closed the channel.
//! - `RX_TASK`: `rx_waker` holds the receiver's waker. The receiver writes
//!   the slot only while the bit is clear, then sets it (`Release`); the
//!   sender reads it only after the read-modify-write that sets `COMPLETE`
//!   saw the bit. To replace its waker the receiver clears the bit first;
//!   if that read-modify-write shows `COMPLETE`, the sender may be reading
//!   the slot, so the receiver leaves it alone (the value is there anyway).
//! - `TX_TASK`: the same for `tx_waker` (the task in `Sender::closed`),
//!   with the roles swapped and `CLOSED` in place of `COMPLETE`.
//!
//! No wake-up is lost: the side that registers sets its bit with a
//! read-modify-write and then checks the other side's bit in the value it
//! returns; the other side sets its bit with a read-modify-write and checks
//! the registration bit in its returned value. One of the two comes second
//! in the word's modification order and sees the other.
//!
//! Wakers are woken by reference (`wake_by_ref`) and stay in their slots
//! until the channel is freed: a slot the other side may be reading is
//! never written, and no lock exists for foreign code to run under.

use std::task::{Context, Waker};

use crate::primitives::{AtomicUsize, Ordering, UnsafeCell};

/// The sender is done: it sent (with `VALUE`) or was dropped.
pub(super) const COMPLETE: usize = 1;
/// A value was sent (set together with `COMPLETE`).
pub(super) const VALUE: usize = 1 << 1;
/// The receiver was dropped or closed the channel.
pub(super) const CLOSED: usize = 1 << 2;
/// `rx_waker` holds the receiver's waker.
const RX_TASK: usize = 1 << 3;
/// `tx_waker` holds the waker of the task in `Sender::closed`.
const TX_TASK: usize = 1 << 4;

/// The channel: what the `Sender` and the `Receiver` point to.
pub(super) struct Inner<T> {
    state: AtomicUsize,
    value: UnsafeCell<Option<T>>,
    rx_waker: UnsafeCell<Option<Waker>>,
    tx_waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the slots are only reached under the protocol above, which gives
// each access one owner at a time (or only readers); what crosses threads is
// the value (`T: Send`) and wakers (`Send + Sync`).
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as above: `&Inner` is shared by the two ends, on two threads.
unsafe impl<T: Send> Sync for Inner<T> {}

/// Which waker slot, and the bits that guard it.
#[derive(Clone, Copy)]
pub(super) enum Side {
    /// The receiver's slot; the sender's `COMPLETE` ends the wait.
    Rx,
    /// `Sender::closed`'s slot; the receiver's `CLOSED` ends the wait.
    Tx,
}

impl Side {
    /// (the slot's bit, the bit that means "stop waiting").
    fn bits(self) -> (usize, usize) {
        match self {
            Side::Rx => (RX_TASK, COMPLETE),
            Side::Tx => (TX_TASK, CLOSED),
        }
    }
}

impl<T> Inner<T> {
    pub(super) fn new() -> Self {
        Self {
            state: AtomicUsize::new(0),
            value: UnsafeCell::new(None),
            rx_waker: UnsafeCell::new(None),
            tx_waker: UnsafeCell::new(None),
        }
    }

    /// The state word (`Acquire`: a set `COMPLETE` makes the value ours to
    /// read).
    pub(super) fn state(&self) -> usize {
        self.state.load(Ordering::Acquire)
    }

    fn slot(&self, side: Side) -> &UnsafeCell<Option<Waker>> {
        match side {
            Side::Rx => &self.rx_waker,
            Side::Tx => &self.tx_waker,
        }
    }

    /// Sender: stores `value` and completes the channel, unless the receiver
    /// closed it first (then `value` comes back). Wakes the receiver.
    pub(super) fn send(&self, value: T) -> Result<(), T> {
        // SAFETY: `COMPLETE` is not set (there is one sender, and it sets it
        // only here or when dropped), so the slot is the sender's alone.
        self.value.with_mut(|slot| unsafe { *slot = Some(value) });
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state & CLOSED != 0 {
                // SAFETY: `COMPLETE` is still clear: the slot is still ours.
                let value = self.value.with_mut(|slot| unsafe { (*slot).take() });
                return Err(value.expect("the value was just stored"));
            }
            // Release: the value is published with `COMPLETE`. Acquire: the
            // receiver's waker, if `RX_TASK` is set, is visible.
            match self.state.compare_exchange_weak(
                state,
                state | COMPLETE | VALUE,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        self.wake_if(state, Side::Rx);
        Ok(())
    }

    /// Sender dropped unsent: completes the channel empty; wakes the
    /// receiver.
    pub(super) fn drop_sender(&self) {
        let prior = self.state.fetch_or(COMPLETE, Ordering::AcqRel);
        self.wake_if(prior, Side::Rx);
    }

    /// Receiver closed or dropped: later sends fail; wakes `closed()`.
    /// Returns the state before (with `COMPLETE`, the value is ours).
    pub(super) fn close(&self) -> usize {
        let prior = self.state.fetch_or(CLOSED, Ordering::AcqRel);
        self.wake_if(prior, Side::Tx);
        prior
    }

    /// Wakes `side`'s task if `prior` (the value our read-modify-write
    /// replaced) shows its waker registered.
    fn wake_if(&self, prior: usize, side: Side) {
        let (task, _) = side.bits();
        if prior & task != 0 {
            // The owner checks the finishing bit when it clears its own bit,
            // so it no longer writes the slot (module docs).
            // SAFETY: the bit was set when we set the finishing bit: written before.
            self.slot(side).with(|slot| unsafe {
                if let Some(waker) = &*slot {
                    waker.wake_by_ref();
                }
            });
        }
    }

    /// Receiver: takes the value once `COMPLETE` was observed.
    ///
    /// # Safety
    /// The caller is the receiver and saw `COMPLETE` (with `Acquire`).
    pub(super) unsafe fn take_value(&self) -> Option<T> {
        // SAFETY: after `COMPLETE` only the (single) receiver touches it.
        self.value.with_mut(|slot| unsafe { (*slot).take() })
    }

    /// Registers `cx`'s waker in `side`'s slot, unless `done` (the bit that
    /// ends the wait) is or becomes set. Returns whether it is set, i.e.
    /// whether to stop waiting instead of returning `Pending`.
    ///
    /// Must be called only by the owner of `side` (the receiver for `Rx`,
    /// the sender for `Tx`), which `&mut` on the handle ensures.
    pub(super) fn register(&self, side: Side, cx: &Context<'_>) -> bool {
        let (task, done) = side.bits();
        let slot = self.slot(side);
        let mut state = self.state.load(Ordering::Acquire);
        if state & done != 0 {
            return true;
        }
        if state & task != 0 {
            // SAFETY: the slot is ours to write only while `task` is clear;
            // set, the other side may read it too, and reading is all this
            // does.
            let same = slot.with(|slot| unsafe {
                (*slot)
                    .as_ref()
                    .is_some_and(|waker| waker.will_wake(cx.waker()))
            });
            if same {
                return false;
            }
            // Take the slot back. If the other side finished meanwhile it may
            // be reading the slot: leave it, and stop waiting.
            state = self.state.fetch_and(!task, Ordering::AcqRel);
            if state & done != 0 {
                return true;
            }
        }
        // SAFETY: `task` is clear, and the other side reads the slot only
        // after seeing it set.
        let old = slot.with_mut(|slot| unsafe { (*slot).replace(cx.waker().clone()) });
        // Release: the waker is published with the bit. Acquire: if `done`
        // was set first, what it published (the value) is visible.
        state = self.state.fetch_or(task, Ordering::AcqRel);
        drop(old);
        state & done != 0
    }
}
