//! `Wait<P>`: the one future that runs the waiter protocol (arrive, be
//! handed off to, collect, cancel) for any primitive `P: Waitable`.
//!
//! The primitives' public `async fn`s await a `Wait` and turn its value into
//! their result (a permit, a guard, an index). Keeping the protocol in one
//! place keeps the `unsafe` of the intrusive list in one place too: only
//! `Wait` links, polls and unlinks nodes, and its `Drop` always unlinks.

use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::list::{Cancelled, Waiter};
use super::{WaiterList, WakeList};
use crate::primitives::MutexGuard;

/// A primitive's rules for its waiters. Every method runs with the
/// primitive's lock held (`state` is the locked state) and pushes the wakers
/// of any waiter it notifies onto `wakes`, which are woken after the lock is
/// released.
pub(crate) trait Waitable {
    /// The primitive's state behind its lock, holding the waiter list.
    type State;
    /// What a waiter asks for (kept in its node for notifiers to read).
    type Request;
    /// What a waiter is handed, and what `Wait` resolves to.
    type Value;

    /// Whether a waiter that was handed its value collects it without
    /// taking the lock (seeing the node's `notified` flag). That orders the
    /// collection after the hand-off itself (`notify_front_if`) but not
    /// after the rest of the notifier's critical section, so a primitive
    /// opts in only if nothing the waiter relies on afterwards is written
    /// there after the hand-off. Off by default: the queue's `task_done`,
    /// for one, relies on seeing the put count stored after the hand-off.
    const COLLECT_WITHOUT_LOCK: bool = false;

    /// Locks the primitive's state.
    fn lock(&self) -> MutexGuard<'_, Self::State>;

    /// The waiter list inside the state.
    fn waiters(state: &mut Self::State) -> &mut WaiterList<Self::Value, Self::Request>;

    /// On arrival: takes what `request` asks for at once, or returns `None`
    /// to wait. Must refuse if taking now would overtake a queued waiter.
    fn try_now(
        &self,
        state: &mut Self::State,
        request: &mut Self::Request,
        wakes: &mut WakeList,
    ) -> Option<Self::Value>;

    /// A waiter that was handed `value` was dropped before collecting it:
    /// pass `value` on to the next waiter, or back to the primitive.
    fn give_back(
        &self,
        state: &mut Self::State,
        request: Self::Request,
        value: Self::Value,
        wakes: &mut WakeList,
    );

    /// A queued waiter asking for `request` was dropped and unlinked: serve
    /// the waiters it was holding up, if it could (the default: none).
    fn unlinked(&self, state: &mut Self::State, request: Self::Request, wakes: &mut WakeList) {
        let _ = (state, request, wakes);
    }

    /// A waiter was dropped before it collected: still queued (`value` is
    /// `None`) or handed `value` (`Some`). The default passes it to
    /// [`unlinked`](Self::unlinked) or [`give_back`](Self::give_back) and
    /// discards nothing.
    ///
    /// A primitive whose requests or values carry user data that it may have
    /// to throw away (a cancelled put's item) overrides this and returns that
    /// data instead of dropping it: `Wait` drops what comes back only after
    /// releasing the lock, so no user `Drop` code runs under it.
    fn abandoned(
        &self,
        state: &mut Self::State,
        request: Self::Request,
        value: Option<Self::Value>,
        wakes: &mut WakeList,
    ) -> Discarded<Self::Request, Self::Value> {
        match value {
            None => self.unlinked(state, request, wakes),
            Some(value) => self.give_back(state, request, value, wakes),
        }
        Discarded::NOTHING
    }
}

/// What a dropped waiter held that its primitive throws away rather than
/// passes on (see [`Waitable::abandoned`]); dropped after the lock is
/// released.
// Never read: its fields are held only to be dropped at the right moment.
#[allow(dead_code)]
pub(crate) struct Discarded<R, V> {
    /// The waiter's request, or what is left of it.
    pub(crate) request: Option<R>,
    /// The value it had been handed.
    pub(crate) value: Option<V>,
}

impl<R, V> Discarded<R, V> {
    /// Nothing to drop.
    pub(crate) const NOTHING: Self = Self {
        request: None,
        value: None,
    };
}

/// Where a `Wait` is in the protocol.
enum Phase<R> {
    /// Not polled yet; holds the request until it is queued.
    Arriving(R),
    /// Linked into the list (or notified and not yet collected).
    Queued,
    /// Completed (or never to be polled again).
    Done,
}

/// Waits on `P` for what `request` asks for; resolves to `P::Value`.
///
/// Cancel-safe: dropping it while queued unlinks it, dropping it after a
/// hand-off passes the value on (`Waitable::give_back`).
pub(crate) struct Wait<P: Waitable> {
    primitive: P,
    phase: Phase<P::Request>,
    /// Structurally pinned: linked into the list while `phase` is `Queued`.
    waiter: Waiter<P::Value, P::Request>,
}

impl<P: Waitable> Wait<P> {
    /// A wait on `primitive` for `request`; nothing happens until polled.
    pub(crate) fn new(primitive: P, request: P::Request) -> Self {
        Self {
            primitive,
            phase: Phase::Arriving(request),
            waiter: Waiter::new(),
        }
    }
}

impl<P: Waitable> Future for Wait<P> {
    type Output = P::Value;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<P::Value> {
        // SAFETY: `waiter` is structurally pinned: it is never moved out of
        // `self`, and `Drop` unlinks it before it is freed. `primitive` and
        // `phase` are not pinned; nothing here moves `self` itself.
        let (primitive, phase, waiter) = unsafe {
            let Self {
                primitive,
                phase,
                waiter,
            } = self.get_unchecked_mut();
            (&*primitive, phase, Pin::new_unchecked(&*waiter))
        };
        // Handed off to: collect without the lock (the usual second poll of
        // a waiter that had to wait), where the primitive allows it.
        if P::COLLECT_WITHOUT_LOCK && matches!(phase, Phase::Queued) {
            if let Some((request, value)) = waiter.take_notified() {
                *phase = Phase::Done;
                drop(request);
                return Poll::Ready(value);
            }
        }
        // Filled under the lock, dropped only after it is released: wakers
        // to wake, a replaced waker and a spent request (their `Drop` is
        // foreign code, which must not run under our lock).
        let mut stale = None;
        let mut spent_request = None;
        let mut wakes = WakeList::new();
        let mut state = primitive.lock();
        let polled = match mem::replace(phase, Phase::Done) {
            Phase::Arriving(mut request) => {
                match primitive.try_now(&mut state, &mut request, &mut wakes) {
                    Some(value) => {
                        spent_request = Some(request);
                        Poll::Ready(value)
                    }
                    None => {
                        // SAFETY: the waiter is pinned in this future, is
                        // only ever used with this primitive's list under its
                        // lock, and `Drop` cancels it while `Queued`.
                        unsafe { waiter.enqueue(P::waiters(&mut state), request, cx.waker()) };
                        *phase = Phase::Queued;
                        Poll::Pending
                    }
                }
            }
            Phase::Queued => {
                match waiter.poll_notified(P::waiters(&mut state), cx.waker(), &mut stale) {
                    Poll::Ready((request, value)) => {
                        spent_request = Some(request);
                        Poll::Ready(value)
                    }
                    Poll::Pending => {
                        *phase = Phase::Queued;
                        Poll::Pending
                    }
                }
            }
            Phase::Done => {
                drop(state);
                panic!("a synchronisation future was polled after it completed");
            }
        };
        drop(state);
        drop(wakes);
        drop(spent_request);
        drop(stale);
        polled
    }
}

impl<P: Waitable> Drop for Wait<P> {
    fn drop(&mut self) {
        if !matches!(self.phase, Phase::Queued) {
            // Never queued, or completed: the node was never linked or is
            // already out; no lock needed.
            return;
        }
        // SAFETY: `Queued` means `poll` ran, on a pinned `self`; pinned
        // values stay put until dropped, so the node is where it was linked.
        let waiter = unsafe { Pin::new_unchecked(&self.waiter) };
        let mut stale = None;
        let mut wakes = WakeList::new();
        let mut state = self.primitive.lock();
        let discarded = match waiter.cancel(P::waiters(&mut state), &mut stale) {
            Cancelled::Idle => Discarded::NOTHING,
            Cancelled::Unlinked(request) => self
                .primitive
                .abandoned(&mut state, request, None, &mut wakes),
            Cancelled::Notified(request, value) => {
                self.primitive
                    .abandoned(&mut state, request, Some(value), &mut wakes)
            }
        };
        drop(state);
        drop(wakes);
        drop(discarded);
        drop(stale);
    }
}
