//! `task::Builder`: spawn with options (a name, for now).

use std::future::Future;

use super::handle::Task;
use crate::runtime::Handle;

/// Spawns a task with options, like asyncio's `create_task(coro, name=...)`.
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// let task = runtime_core::task::Builder::new()
///     .name("fetch-1")
///     .spawn_on(async { 1 }, rt.handle());
/// assert_eq!(task.name(), Some("fetch-1"));
/// assert_eq!(rt.block_on(task).unwrap(), 1);
/// ```
#[derive(Debug, Default, Clone)]
pub struct Builder {
    name: Option<String>,
    graceful: bool,
}

impl Builder {
    /// A builder with no options set.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Names the task (shown by `Task::name`, `TaskRef::name`, task listings
    /// and debug reports).
    pub fn name(mut self, name: impl Into<String>) -> Builder {
        self.name = Some(name.into());
        self
    }

    /// Graceful cancellation (opt-in): `cancel()` does not drop this task's
    /// future; it only raises a request the task observes with
    /// [`cancel_requested`](super::cancel_requested) — then it may clean up,
    /// with awaits, and return whatever it decides (its own value, not a
    /// cancellation error). What asyncio code does with
    /// `except CancelledError: ...cleanup...; raise`. Runtime shutdown still
    /// drops the future.
    ///
    /// ```
    /// use runtime_core::task;
    ///
    /// runtime_core::run(async {
    ///     let worker = task::Builder::new().graceful().spawn(async {
    ///         task::cancel_requested().await;
    ///         runtime_core::yield_now().await; // async clean-up
    ///         "cleaned up"
    ///     });
    ///     runtime_core::yield_now().await;
    ///     worker.cancel();
    ///     assert_eq!(worker.await.unwrap(), "cleaned up");
    /// });
    /// ```
    pub fn graceful(mut self) -> Builder {
        self.graceful = true;
        self
    }

    /// Spawns on the current runtime (see [`crate::spawn`]).
    ///
    /// # Panics
    /// Outside a runtime.
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let location = std::panic::Location::caller();
        Handle::current().spawn_opts(future, self.name, self.graceful, location)
    }

    /// Spawns a `!Send` future on the current-thread runtime driving this
    /// thread (see [`crate::spawn_local`]).
    ///
    /// # Panics
    /// Outside a current-thread runtime's own thread.
    #[track_caller]
    pub fn spawn_local<F>(self, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let location = std::panic::Location::caller();
        crate::runtime::spawn_local_with(future, self.name, location)
    }

    /// Spawns on the runtime behind `handle`, from any thread.
    #[track_caller]
    pub fn spawn_on<F>(self, future: F, handle: &Handle) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let location = std::panic::Location::caller();
        handle.spawn_opts(future, self.name, self.graceful, location)
    }
}
