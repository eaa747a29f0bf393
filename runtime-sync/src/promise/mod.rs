//! [`Promise<T, E>`]: asyncio's `Future`, a settable, shareable result.
//!
//! One side completes it — [`set_result`](Promise::set_result),
//! [`set_exception`](Promise::set_exception) or
//! [`cancel`](Promise::cancel) — once; any number of clones await it
//! (`promise.await`, or [`wait`](Promise::wait)) or read it
//! ([`result`](Promise::result)), each getting its own clone of the value.
//! Done-callbacks ([`add_done_callback`](Promise::add_done_callback)) run
//! once each, in registration order, never inside the completing call's
//! critical section.
//!
//! ```
//! use futures::executor::{block_on, ThreadPool};
//! use futures::task::SpawnExt;
//! use runtime_sync::Promise;
//!
//! let pool = ThreadPool::builder().pool_size(2).create().unwrap();
//! let answer: Promise<u32> = Promise::new();
//! let readers: Vec<_> = (0..3)
//!     .map(|_| {
//!         let answer = answer.clone();
//!         pool.spawn_with_handle(async move { answer.await.unwrap() * 2 }).unwrap()
//!     })
//!     .collect();
//! answer.set_result(21).unwrap();
//! assert_eq!(block_on(futures::future::join_all(readers)), [42, 42, 42]);
//! assert!(answer.set_result(0).is_err()); // done once
//! ```
//!
//! # Implementation
//! The outcome, the awaiters (a list of the crate's one waiter protocol,
//! `waiters.rs`, all handed the outcome on completion) and the callbacks
//! share one short internal lock; user code (`Clone`, callbacks, the
//! scheduler, `Drop` of what the lock guards) runs outside it. The
//! completion racing an await, and the callbacks' exactly-once order, are
//! model-checked with loom.

mod callbacks;
mod error;
mod future;
mod state;

#[cfg(all(test, not(loom)))]
mod tests;

use std::error::Error;
use std::fmt;
use std::future::IntoFuture;
use std::sync::Arc;

pub use callbacks::{CallbackId, Job, Schedule};
pub use error::{Cancelled, InvalidState, PromiseError};
pub use future::PromiseFuture;

use crate::waiters::WakeList;
use state::{Inner, Outcome};

/// The default error type of a [`Promise`]: any error, shared (asyncio's
/// futures take any exception). `Arc` so that every awaiter gets a clone.
pub type Exception = Arc<dyn Error + Send + Sync + 'static>;

/// asyncio's `Future`: a result set once, awaited from anywhere, with
/// done-callbacks. `Clone` makes another handle to the same promise.
///
/// # Values and errors
/// Every awaiter and reader gets a clone, so reading needs `T: Clone` and
/// `E: Clone`; for a value that is costly to clone (or not `Clone`), use
/// `Promise<Arc<V>>`. The error type defaults to [`Exception`], a shared
/// `dyn Error` (asyncio's any-exception); any `Clone` type will do. A
/// promise's outcome is one of: the value, the error (`set_exception`), or
/// cancellation ([`Cancelled`], with its message) — awaiting returns
/// `Result<T, PromiseError<E>>`.
///
/// # Where callbacks run
/// asyncio runs callbacks with `call_soon` on the future's loop. A promise
/// made with [`bound_to`](Self::bound_to) hands them, as one job, to its
/// [`Schedule`] (e.g. a runtime's spawn), which runs them elsewhere, soon.
/// A promise made with [`new`](Self::new) is bound to nothing: the call
/// that completes it runs them on its own thread, after it has released
/// the promise's lock and before it returns; a callback added after
/// completion runs likewise in the adding call. Either way one runner at a
/// time takes the callbacks in order, so a callback may read the promise
/// or add more callbacks (which run after it) without deadlock or
/// re-entrance. A panicking callback does not keep the later ones from
/// running; the panic then reaches whoever ran them (the completing or
/// adding call, or the scheduler's job).
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use runtime_sync::Promise;
///
/// let log = Arc::new(Mutex::new(Vec::new()));
/// let promise: Promise<&str> = Promise::new();
/// for name in ["first", "second"] {
///     let log = log.clone();
///     promise.add_done_callback(move |done| {
///         // The promise's lock is free: reading it here is fine.
///         log.lock().unwrap().push((name, done.result().unwrap().unwrap()));
///     });
/// }
/// promise.set_result("ok").unwrap(); // unbound: they ran before this returned
/// assert_eq!(*log.lock().unwrap(), [("first", "ok"), ("second", "ok")]);
/// ```
pub struct Promise<T, E = Exception> {
    inner: Arc<Inner<T, E>>,
}

impl<T, E> Promise<T, E> {
    /// A pending promise bound to no scheduler: its callbacks run on the
    /// thread that completes it (or adds them after completion), outside
    /// every lock.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner::new(None)),
        }
    }

    /// A pending promise whose callbacks run as jobs on `scheduler`
    /// (asyncio: a future created on a loop), e.g. spawned on a runtime;
    /// see [`Schedule`].
    pub fn bound_to(scheduler: impl Schedule) -> Self {
        Self {
            inner: Arc::new(Inner::new(Some(Box::new(scheduler)))),
        }
    }

    /// Whether the promise has a scheduler for its callbacks.
    pub fn is_bound(&self) -> bool {
        self.inner.scheduler.is_some()
    }

    /// Whether it is done: it has a value, an error, or was cancelled.
    pub fn done(&self) -> bool {
        self.inner.state.lock().outcome.is_some()
    }

    /// Whether it was cancelled.
    pub fn cancelled(&self) -> bool {
        let state = self.inner.state.lock();
        matches!(state.outcome.as_deref(), Some(Outcome::Cancelled(_)))
    }

    /// Removes the callback `id` if it has not been scheduled yet (the
    /// promise is still pending), and returns how many were removed: 1, or
    /// 0 once the promise is done (asyncio clears its list then, too).
    /// Each registration has its own id: a closure added twice is two
    /// callbacks.
    pub fn remove_done_callback(&self, id: CallbackId) -> usize {
        let removed = self.inner.state.lock().callbacks.remove(id);
        usize::from(removed.is_some())
    }

    /// Whether `self` and `other` are handles to the same promise.
    pub fn ptr_eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl<T, E> Promise<T, E>
where
    T: Send + Sync + 'static,
    E: Send + Sync + 'static,
{
    /// Completes the promise with `value`: every awaiter gets a clone, the
    /// callbacks are scheduled (see
    /// [where callbacks run](Promise#where-callbacks-run)).
    ///
    /// # Errors
    /// [`InvalidState`] with `value` back if the promise is already done.
    pub fn set_result(&self, value: T) -> Result<(), InvalidState<T>> {
        self.complete(Outcome::Value(value))
            .map_err(|outcome| match outcome {
                Outcome::Value(value) => InvalidState::done(value),
                _ => unreachable!("complete gives back what it was given"),
            })
    }

    /// Completes the promise with `error` (asyncio's exception): awaiting
    /// it and `result()` return [`PromiseError::Exception`].
    ///
    /// # Errors
    /// [`InvalidState`] with `error` back if the promise is already done.
    pub fn set_exception(&self, error: E) -> Result<(), InvalidState<E>> {
        self.complete(Outcome::Exception(error))
            .map_err(|outcome| match outcome {
                Outcome::Exception(error) => InvalidState::done(error),
                _ => unreachable!("complete gives back what it was given"),
            })
    }

    /// Cancels the promise: awaiting it returns
    /// [`PromiseError::Cancelled`], and the callbacks are scheduled. Returns
    /// `false` (and does nothing) if it is already done.
    pub fn cancel(&self) -> bool {
        self.complete(Outcome::Cancelled(Cancelled::new(None)))
            .is_ok()
    }

    /// [`cancel`](Self::cancel) with a message (asyncio's `cancel(msg)`),
    /// which [`Cancelled::message`] returns.
    pub fn cancel_with(&self, message: impl Into<String>) -> bool {
        self.complete(Outcome::Cancelled(Cancelled::new(Some(message.into()))))
            .is_ok()
    }

    /// Adds a callback to run once the promise is done, given the promise.
    /// Callbacks run once each, in the order they were added; one added to
    /// a done promise is scheduled the same way (see
    /// [where callbacks run](Promise#where-callbacks-run)) — on an unbound promise it has run by the time
    /// this returns, unless a callback of this promise is running on this
    /// or another thread (then it runs right after the ones before it).
    pub fn add_done_callback(
        &self,
        callback: impl FnOnce(&Promise<T, E>) + Send + 'static,
    ) -> CallbackId {
        let (id, start) = {
            let mut state = self.inner.state.lock();
            let done = state.outcome.is_some();
            state.callbacks.add(Box::new(callback), done)
        };
        if start {
            self.inner.start_drain();
        }
        id
    }

    /// Records `outcome` unless done; wakes the awaiters and starts the
    /// callbacks after releasing the lock. Gives `outcome` back if done.
    fn complete(&self, outcome: Outcome<T, E>) -> Result<(), Outcome<T, E>> {
        let mut wakes = WakeList::new();
        let completed = self.inner.state.lock().complete(outcome, &mut wakes);
        drop(wakes);
        if completed? {
            self.inner.start_drain();
        }
        Ok(())
    }
}

impl<T: Clone, E: Clone> Promise<T, E> {
    /// The outcome, if the promise is done: the value, or how it failed (the
    /// error from `set_exception`, or the cancellation).
    ///
    /// # Errors
    /// [`InvalidState`] while the promise is pending.
    pub fn result(&self) -> Result<Result<T, PromiseError<E>>, InvalidState> {
        let outcome = self.inner.state.lock().outcome.clone();
        // The clone of the value (user code) runs after the lock is freed.
        outcome
            .map(|outcome| outcome.to_result())
            .ok_or_else(InvalidState::pending)
    }

    /// The error set with `set_exception`, `None` if a value was set, or
    /// [`Cancelled`] if it was cancelled (asyncio raises `CancelledError`).
    ///
    /// # Errors
    /// [`InvalidState`] while the promise is pending.
    pub fn exception(&self) -> Result<Result<Option<E>, Cancelled>, InvalidState> {
        let outcome = self.inner.state.lock().outcome.clone();
        let outcome = outcome.ok_or_else(InvalidState::pending)?;
        Ok(match &*outcome {
            Outcome::Value(_) => Ok(None),
            Outcome::Exception(error) => Ok(Some(error.clone())),
            Outcome::Cancelled(cancelled) => Err(cancelled.clone()),
        })
    }

    /// Waits for the outcome (what `promise.await` does, without consuming
    /// the handle).
    ///
    /// As in asyncio, a promise nobody completes is awaited forever: the
    /// waiting future holds the promise too, so dropping every other handle
    /// does not complete it. Dropping the future only stops it waiting.
    pub fn wait(&self) -> PromiseFuture<T, E> {
        PromiseFuture::new(self.inner.clone())
    }
}

impl<T: Clone, E: Clone> IntoFuture for Promise<T, E> {
    type Output = Result<T, PromiseError<E>>;
    type IntoFuture = PromiseFuture<T, E>;

    /// `promise.await`: waits for the outcome.
    fn into_future(self) -> PromiseFuture<T, E> {
        PromiseFuture::new(self.inner)
    }
}

impl<T: Clone, E: Clone> IntoFuture for &Promise<T, E> {
    type Output = Result<T, PromiseError<E>>;
    type IntoFuture = PromiseFuture<T, E>;

    /// `(&promise).await`: waits for the outcome, keeping the handle.
    fn into_future(self) -> PromiseFuture<T, E> {
        self.wait()
    }
}

impl<T, E> Clone for Promise<T, E> {
    /// Another handle to the same promise.
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<T, E> Default for Promise<T, E> {
    /// A pending, unbound promise ([`new`](Self::new)).
    fn default() -> Self {
        Self::new()
    }
}

impl<T, E> fmt::Debug for Promise<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.inner.state.lock();
        let outcome = match state.outcome.as_deref() {
            None => "pending",
            Some(Outcome::Value(_)) => "finished",
            Some(Outcome::Exception(_)) => "failed",
            Some(Outcome::Cancelled(_)) => "cancelled",
        };
        f.debug_struct("Promise")
            .field("state", &outcome)
            .field("awaiters", &state.awaiters.len())
            .field("callbacks", &state.callbacks.len())
            .field("bound", &self.inner.scheduler.is_some())
            .finish()
    }
}
