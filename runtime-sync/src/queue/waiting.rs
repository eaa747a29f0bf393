//! The queue's three kinds of waiters, as `Waitable`s of the shared waiter
//! protocol (`waiters.rs`): `get` waits for an item, `put` for a slot, and
//! `join` for every item to be marked done.
//!
//! Each is a thin handle on the shared queue naming which list it waits in
//! and how it is served at once; the hand-offs themselves happen in
//! `state.rs`, under the lock, when a put, get, `task_done` or shut-down
//! makes something available.

use super::error::{QueueShutDown, TryGetError, TryPutError};
use super::order::Order;
use super::state::{Got, Put, State, Unfinished};
use crate::primitives::{Mutex, MutexGuard};
use crate::waiters::{Discarded, Waitable, WaiterList, WakeList};

/// What every handle of one queue shares.
///
/// Laid out for a producer and consumers on different cores (`repr(C)`,
/// cache-line aligned; `Unfinished` is `repr(C)` too): the first line holds
/// what `task_done` writes (the `done` count and its bound of `put`); the
/// second, what every put and get touches under the lock: the `put` count
/// (the last field of `unfinished`), the lock word and the head of the state
/// (the container, `maxsize` and the lifecycle; see `State`), so that
/// taking the lock brings them along and a `task_done` does not pull that
/// line away from whoever holds or waits for the lock. Measured on 2 cores
/// (1 producer, 4 consumers, interleaved A/B runs): the default field order
/// (lock word, container and one count word on up to three lines) was
/// 10-15% slower.
#[repr(C, align(64))]
pub(super) struct Shared<T, O: Order<T>> {
    /// Items put and not yet marked done, outside the lock (`state.rs`).
    pub(super) unfinished: Unfinished,
    pub(super) state: Mutex<State<T, O>>,
    /// A copy of the state's `maxsize`, readable without the lock.
    pub(super) maxsize: usize,
}

/// `get()` waiting for an item.
pub(super) struct Getters<'a, T, O: Order<T>>(pub(super) &'a Shared<T, O>);

/// `put(item)` waiting for a slot, carrying its item.
pub(super) struct Putters<'a, T, O: Order<T>>(pub(super) &'a Shared<T, O>);

/// `join()` waiting for every item to be done.
pub(super) struct Joiners<'a, T, O: Order<T>>(pub(super) &'a Shared<T, O>);

impl<T, O: Order<T>> Waitable for Getters<'_, T, O> {
    type State = State<T, O>;
    type Request = ();
    type Value = Got<T>;

    fn lock(&self) -> MutexGuard<'_, State<T, O>> {
        self.0.state.lock()
    }

    fn waiters(state: &mut State<T, O>) -> &mut WaiterList<Got<T>, ()> {
        &mut state.getters
    }

    fn try_now(&self, state: &mut State<T, O>, _: &mut (), wakes: &mut WakeList) -> Option<Got<T>> {
        // An item is queued only while no getter waits, so taking it here
        // overtakes nobody.
        match state.try_get(&self.0.unfinished, wakes) {
            Ok(item) => Some(Ok(item)),
            Err(TryGetError::ShutDown) => Some(Err(QueueShutDown(()))),
            Err(TryGetError::Empty) => None,
        }
    }

    fn give_back(&self, state: &mut State<T, O>, _: (), got: Got<T>, wakes: &mut WakeList) {
        // `Wait` calls `abandoned`, which defers the drop; this fallback
        // keeps the same rules.
        drop(self.abandoned(state, (), Some(got), wakes));
    }

    fn abandoned(
        &self,
        state: &mut State<T, O>,
        _: (),
        got: Option<Got<T>>,
        wakes: &mut WakeList,
    ) -> Discarded<(), Got<T>> {
        // Still queued: nothing was taken. Handed an item: it is not lost.
        let value = match got {
            Some(Ok(item)) => state.give_back_got(&self.0.unfinished, item, wakes).map(Ok),
            Some(Err(shut_down)) => Some(Err(shut_down)),
            None => None,
        };
        Discarded {
            request: None,
            value,
        }
    }
}

impl<T, O: Order<T>> Waitable for Putters<'_, T, O> {
    type State = State<T, O>;
    type Request = Option<T>;
    type Value = Put<T>;

    fn lock(&self) -> MutexGuard<'_, State<T, O>> {
        self.0.state.lock()
    }

    fn waiters(state: &mut State<T, O>) -> &mut WaiterList<Put<T>, Option<T>> {
        &mut state.putters
    }

    fn try_now(
        &self,
        state: &mut State<T, O>,
        request: &mut Option<T>,
        wakes: &mut WakeList,
    ) -> Option<Put<T>> {
        let item = request.take().expect("a put arrives with its item");
        match state.try_put(&self.0.unfinished, item, wakes) {
            Ok(()) => Some(Ok(())),
            Err(TryPutError::ShutDown(item)) => Some(Err(QueueShutDown(item))),
            Err(TryPutError::Full(item)) => {
                // Wait for a slot, holding the item in the request.
                *request = Some(item);
                None
            }
        }
    }

    fn give_back(
        &self,
        state: &mut State<T, O>,
        item: Option<T>,
        put: Put<T>,
        wakes: &mut WakeList,
    ) {
        drop(self.abandoned(state, item, Some(put), wakes));
    }

    fn abandoned(
        &self,
        _: &mut State<T, O>,
        item: Option<T>,
        put: Option<Put<T>>,
        _: &mut WakeList,
    ) -> Discarded<Option<T>, Put<T>> {
        // Dropped while queued: its item never went in, and is dropped (a
        // cancelled put inserts nothing). Handed `Ok`: the item is already
        // in the queue. Handed the shut-down error: the item is dropped.
        // Nobody behind it was waiting on it: a slot is never free while
        // putters wait.
        Discarded {
            request: Some(item),
            value: put,
        }
    }
}

impl<T, O: Order<T>> Waitable for Joiners<'_, T, O> {
    type State = State<T, O>;
    type Request = ();
    type Value = ();

    fn lock(&self) -> MutexGuard<'_, State<T, O>> {
        self.0.state.lock()
    }

    fn waiters(state: &mut State<T, O>) -> &mut WaiterList<(), ()> {
        &mut state.joiners
    }

    fn try_now(&self, state: &mut State<T, O>, _: &mut (), _: &mut WakeList) -> Option<()> {
        state.join_now(&self.0.unfinished).then_some(())
    }

    fn give_back(&self, _: &mut State<T, O>, _: (), _: (), _: &mut WakeList) {
        // Every joiner was woken together: there is nothing to pass on.
    }

    fn unlinked(&self, state: &mut State<T, O>, _: (), _: &mut WakeList) {
        state.joiner_left(&self.0.unfinished);
    }
}
