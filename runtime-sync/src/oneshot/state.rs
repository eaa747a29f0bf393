//! What both ends of a oneshot channel share: the value slot, two flags and
//! one waker slot per side.
//!
//! Why not the crate's waiter list (`waiters.rs`): a oneshot has exactly one
//! receiving future — the `Receiver` itself — and at most one task waiting
//! for [`closed`](super::Sender::closed). There is no queue to keep fair and
//! nothing to hand over in order, so a list buys nothing; and an intrusive
//! node would have to live pinned inside the `Receiver`, which would stop it
//! from being `Unpin` (polled by `&mut`, moved between polls, put in a
//! `select!`). One waker slot per side, under the same short lock as the
//! value, gives the same guarantees the list gives: the check and the
//! registration happen under the lock the sender takes to store the value,
//! so a wake-up cannot be lost, and wakers are woken (and replaced ones
//! dropped) only after the lock is released.

use std::task::{Context, Waker};

use crate::primitives::{Mutex, MutexGuard};

/// The channel: what the `Sender` and the `Receiver` point to.
pub(super) struct Inner<T> {
    state: Mutex<State<T>>,
}

pub(super) struct State<T> {
    /// The value, once sent and until received.
    pub(super) value: Option<T>,
    /// The sender sent or was dropped: nothing more will be stored.
    pub(super) sender_done: bool,
    /// The receiver was dropped or closed the channel: sends fail.
    pub(super) receiver_closed: bool,
    /// The task awaiting the `Receiver`.
    pub(super) receiver_waker: Option<Waker>,
    /// The task awaiting `Sender::closed`.
    pub(super) sender_waker: Option<Waker>,
}

impl<T> Inner<T> {
    pub(super) fn new() -> Self {
        Self {
            state: Mutex::new(State {
                value: None,
                sender_done: false,
                receiver_closed: false,
                receiver_waker: None,
                sender_waker: None,
            }),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock()
    }
}

/// Stores `cx`'s waker in `slot` unless the one there already wakes the
/// same task; returns the waker it replaces, to be dropped after the lock
/// is released (a waker's `drop` is foreign code).
pub(super) fn register(slot: &mut Option<Waker>, cx: &Context<'_>) -> Option<Waker> {
    match slot {
        Some(current) if current.will_wake(cx.waker()) => None,
        _ => slot.replace(cx.waker().clone()),
    }
}
