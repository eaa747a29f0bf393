//! Awaiting a promise: [`PromiseFuture`], a waiter of the crate's shared
//! protocol (`waiters.rs`) that is handed the outcome on completion.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::error::PromiseError;
use super::state::{Inner, Outcome, State};
use crate::primitives::MutexGuard;
use crate::waiters::{Wait, Waitable, WaiterList, WakeList};

/// The future of [`Promise::wait`](super::Promise::wait) (and of
/// `promise.await`): resolves to the value, or to how the promise failed.
///
/// Any number of them may wait on one promise, on any executors. Dropping
/// one only stops it waiting.
#[must_use = "futures do nothing unless polled"]
pub struct PromiseFuture<T, E> {
    /// Structurally pinned (see `poll`).
    wait: Wait<Awaiting<T, E>>,
}

impl<T, E> PromiseFuture<T, E> {
    pub(super) fn new(inner: Arc<Inner<T, E>>) -> Self {
        Self {
            wait: Wait::new(Awaiting(inner), ()),
        }
    }
}

impl<T: Clone, E: Clone> Future for PromiseFuture<T, E> {
    type Output = Result<T, PromiseError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `wait` is structurally pinned: it is never moved out of
        // `self`, `PromiseFuture` has no `Drop` of its own, and it is not
        // `Unpin` (`Wait` is not), so a pinned `self` pins `wait`.
        let wait = unsafe { self.map_unchecked_mut(|future| &mut future.wait) };
        // The lock is released by the time `Wait` returns: the clone of the
        // value (user code) runs outside it.
        wait.poll(cx).map(|outcome| outcome.to_result())
    }
}

impl<T, E> fmt::Debug for PromiseFuture<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PromiseFuture").finish_non_exhaustive()
    }
}

/// An awaiter of one promise, as the waiter protocol sees it.
pub(super) struct Awaiting<T, E>(Arc<Inner<T, E>>);

impl<T, E> Waitable for Awaiting<T, E> {
    type State = State<T, E>;
    type Request = ();
    type Value = Arc<Outcome<T, E>>;

    fn lock(&self) -> MutexGuard<'_, State<T, E>> {
        self.0.state.lock()
    }

    fn waiters(state: &mut State<T, E>) -> &mut WaiterList<Arc<Outcome<T, E>>, ()> {
        &mut state.awaiters
    }

    fn try_now(
        &self,
        state: &mut State<T, E>,
        _: &mut (),
        _: &mut WakeList,
    ) -> Option<Arc<Outcome<T, E>>> {
        state.outcome.clone()
    }

    fn give_back(&self, _: &mut State<T, E>, _: (), _: Arc<Outcome<T, E>>, _: &mut WakeList) {
        // Every awaiter gets its own reference to the outcome: nothing to
        // pass on. (The state keeps one, so dropping this one here never
        // drops the value under the lock.)
    }
}
