//! Done-callbacks: when they run, where, and the bookkeeping that makes
//! each run exactly once, in registration order, never under the lock.
//!
//! asyncio schedules a future's callbacks with `call_soon` on its loop:
//! never inline inside `set_result`, each once, in order. This crate cannot
//! name a runtime, so a promise is bound to a [`Schedule`] (a way to run a
//! job soon, elsewhere) or to none:
//! - **bound**: completion hands one job to the scheduler, which runs the
//!   callbacks, in order, wherever the scheduler runs jobs;
//! - **unbound**: the completing call (`set_result`, `set_exception`,
//!   `cancel`) runs them itself, on its own thread, after it released the
//!   promise's lock and before it returns.
//!
//! Either way one *drain* at a time runs the callbacks that are due, one by
//! one, taking each out under the lock and calling it after releasing it.
//! A callback added after completion joins the due list: the drain that is
//! running picks it up, or, if none is, one is started the same way (by the
//! adding call, for an unbound promise). A callback that adds another, or
//! reads the promise, therefore never deadlocks and never re-enters.

use std::collections::VecDeque;
use std::fmt;

use super::Promise;

/// A unit of work handed to a [`Schedule`]: run it once, soon.
pub type Job = Box<dyn FnOnce() + Send + 'static>;

/// Where a bound promise's done-callbacks run: asyncio's loop and its
/// `call_soon`. Any `Fn(Job) + Send + Sync + 'static` closure is one.
///
/// `schedule` should run the job soon, elsewhere (another task, another
/// thread); it may also run it before returning, since it is called with no
/// lock held. A job dropped without being run drops the callbacks it would
/// have run, unrun.
///
/// On a `futures` thread pool:
///
/// ```
/// use std::sync::mpsc;
/// use futures::executor::ThreadPool;
/// use runtime_sync::{Job, Promise};
///
/// let pool = ThreadPool::new().unwrap();
/// let promise: Promise<u32> = Promise::bound_to(move |job: Job| pool.spawn_ok(async move { job() }));
/// let (sender, ran) = mpsc::channel();
/// promise.add_done_callback(move |done| {
///     let _ = sender.send(done.result().unwrap().unwrap());
/// });
/// promise.set_result(5).unwrap(); // schedules the callback; does not run it
/// assert_eq!(ran.recv().unwrap(), 5); // it ran on the pool
/// ```
///
/// With `runtime`, spawn the job as a task:
///
/// ```text
/// let handle = runtime::Handle::current();
/// let promise: Promise<u32> = Promise::bound_to(move |job: Job| {
///     handle.spawn(async move { job() }).detach();
/// });
/// ```
pub trait Schedule: Send + Sync + 'static {
    /// Runs `job` soon.
    fn schedule(&self, job: Job);
}

impl<F: Fn(Job) + Send + Sync + 'static> Schedule for F {
    fn schedule(&self, job: Job) {
        self(job);
    }
}

/// Names a callback added by
/// [`add_done_callback`](Promise::add_done_callback), to remove it with
/// [`remove_done_callback`](Promise::remove_done_callback).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallbackId(u64);

/// A done-callback; it is given the promise (asyncio passes the future).
pub(super) type Callback<T, E> = Box<dyn FnOnce(&Promise<T, E>) + Send + 'static>;

/// The callbacks of one promise, under its lock.
pub(super) struct Callbacks<T, E> {
    next_id: u64,
    /// Added before completion, in order; the only ones that can be removed
    /// (asyncio clears its list when it schedules them).
    registered: Vec<(CallbackId, Callback<T, E>)>,
    /// Due to run, in order, taken one at a time by the drain.
    due: VecDeque<Callback<T, E>>,
    /// A drain is running or scheduled: it will run everything in `due`.
    draining: bool,
}

impl<T, E> Callbacks<T, E> {
    pub(super) fn new() -> Self {
        Self {
            next_id: 0,
            registered: Vec::new(),
            due: VecDeque::new(),
            draining: false,
        }
    }

    /// Adds `callback`; if the promise is `done`, it is due at once. Returns
    /// its id, and whether the caller must start a drain.
    pub(super) fn add(&mut self, callback: Callback<T, E>, done: bool) -> (CallbackId, bool) {
        let id = CallbackId(self.next_id);
        self.next_id += 1;
        if done {
            self.due.push_back(callback);
            (id, self.claim_drain())
        } else {
            self.registered.push((id, callback));
            (id, false)
        }
    }

    /// Takes out the callback `id` if it is still registered (not yet due),
    /// for the caller to drop after releasing the lock.
    pub(super) fn remove(&mut self, id: CallbackId) -> Option<Callback<T, E>> {
        let index = self.registered.iter().position(|(each, _)| *each == id)?;
        Some(self.registered.remove(index).1)
    }

    /// The promise completed: every registered callback is due. Returns
    /// whether the caller must start a drain.
    pub(super) fn complete(&mut self) -> bool {
        self.due
            .extend(self.registered.drain(..).map(|(_, callback)| callback));
        self.claim_drain()
    }

    /// Claims the one drain, if there is work and nobody runs it yet.
    fn claim_drain(&mut self) -> bool {
        let start = !self.draining && !self.due.is_empty();
        self.draining |= start;
        start
    }

    /// The drain's next callback; `None` ends the drain (the next due
    /// callback will claim a new one).
    pub(super) fn next(&mut self) -> Option<Callback<T, E>> {
        let next = self.due.pop_front();
        self.draining = next.is_some();
        next
    }

    /// A scheduled drain was dropped unrun: its callbacks are dropped too
    /// (returned, to be dropped after the lock), and the next due callback
    /// claims a new drain.
    pub(super) fn abandon_drain(&mut self) -> VecDeque<Callback<T, E>> {
        self.draining = false;
        std::mem::take(&mut self.due)
    }

    /// How many callbacks are registered or due (for `Debug`).
    pub(super) fn len(&self) -> usize {
        self.registered.len() + self.due.len()
    }
}

impl<T, E> fmt::Debug for Callbacks<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callbacks")
            .field("registered", &self.registered.len())
            .field("due", &self.due.len())
            .field("draining", &self.draining)
            .finish()
    }
}
