//! What every handle of one promise shares: its outcome, its awaiters and
//! its callbacks behind one lock, and the scheduler it is bound to.
//!
//! The outcome is written once, under the lock, into an `Arc`: awaiters
//! and readers clone the `Arc` under the lock and clone the value out of it
//! after releasing it, so a user `Clone` never runs under our lock.

use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use super::Promise;
use super::callbacks::{Callback, Callbacks, Schedule};
use super::error::{Cancelled, PromiseError};
use crate::primitives::Mutex;
use crate::waiters::{WaiterList, WakeList};

/// How a promise finished.
pub(super) enum Outcome<T, E> {
    Value(T),
    Exception(E),
    Cancelled(Cancelled),
}

impl<T: Clone, E: Clone> Outcome<T, E> {
    /// What awaiting the promise, or `result()`, returns.
    pub(super) fn to_result(&self) -> Result<T, PromiseError<E>> {
        match self {
            Outcome::Value(value) => Ok(value.clone()),
            Outcome::Exception(error) => Err(PromiseError::Exception(error.clone())),
            Outcome::Cancelled(cancelled) => Err(PromiseError::Cancelled(cancelled.clone())),
        }
    }
}

pub(super) struct State<T, E> {
    /// Set once; never taken out while the promise lives.
    pub(super) outcome: Option<Arc<Outcome<T, E>>>,
    /// Tasks awaiting the promise, each handed the outcome on completion.
    pub(super) awaiters: WaiterList<Arc<Outcome<T, E>>, ()>,
    pub(super) callbacks: Callbacks<T, E>,
}

pub(super) struct Inner<T, E> {
    /// `None`: callbacks run on the completing thread.
    pub(super) scheduler: Option<Box<dyn Schedule>>,
    pub(super) state: Mutex<State<T, E>>,
}

impl<T, E> Inner<T, E> {
    pub(super) fn new(scheduler: Option<Box<dyn Schedule>>) -> Self {
        Self {
            scheduler,
            state: Mutex::new(State {
                outcome: None,
                awaiters: WaiterList::new(),
                callbacks: Callbacks::new(),
            }),
        }
    }
}

impl<T, E> State<T, E> {
    /// Records `outcome` and hands it to every awaiter, unless the promise
    /// is already done (then `outcome` comes back). `Ok(true)` means the
    /// caller must start a drain of the callbacks.
    pub(super) fn complete(
        &mut self,
        outcome: Outcome<T, E>,
        wakes: &mut WakeList,
    ) -> Result<bool, Outcome<T, E>> {
        if self.outcome.is_some() {
            return Err(outcome);
        }
        let outcome = Arc::new(outcome);
        self.awaiters.notify_all(|_| outcome.clone(), wakes);
        self.outcome = Some(outcome);
        Ok(self.callbacks.complete())
    }
}

impl<T, E> Inner<T, E>
where
    T: Send + Sync + 'static,
    E: Send + Sync + 'static,
{
    /// Runs the due callbacks: here and now if unbound, else as one job on
    /// the scheduler. Call with the lock released, after claiming the drain.
    pub(super) fn start_drain(self: &Arc<Self>) {
        match &self.scheduler {
            None => self.drain(),
            Some(scheduler) => {
                let job = DrainJob(Some(self.clone()));
                scheduler.schedule(Box::new(move || job.run()));
            }
        }
    }

    /// Runs the due callbacks one by one, each outside the lock, until none
    /// is left. A panicking callback does not stop the others: the first
    /// panic is resumed once they all ran.
    fn drain(self: &Arc<Self>) {
        let promise = Promise {
            inner: self.clone(),
        };
        let mut panicked = None;
        loop {
            let next = self.state.lock().callbacks.next();
            let Some(callback) = next else { break };
            if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| callback(&promise))) {
                panicked.get_or_insert(payload);
            }
        }
        if let Some(payload) = panicked {
            panic::resume_unwind(payload);
        }
    }
}

/// The job a bound promise's scheduler runs; dropped unrun, it gives up
/// the drain (see `Callbacks::abandon_drain`).
struct DrainJob<T, E>(Option<Arc<Inner<T, E>>>)
where
    T: Send + Sync + 'static,
    E: Send + Sync + 'static;

impl<T, E> DrainJob<T, E>
where
    T: Send + Sync + 'static,
    E: Send + Sync + 'static,
{
    fn run(mut self) {
        if let Some(inner) = self.0.take() {
            inner.drain();
        }
    }
}

impl<T, E> Drop for DrainJob<T, E>
where
    T: Send + Sync + 'static,
    E: Send + Sync + 'static,
{
    fn drop(&mut self) {
        if let Some(inner) = self.0.take() {
            let dropped: VecDeque<Callback<T, E>> = inner.state.lock().callbacks.abandon_drain();
            drop(dropped);
        }
    }
}
