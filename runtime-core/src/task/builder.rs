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
        Handle::current().spawn_with(future, self.name, location)
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
        handle.spawn_with(future, self.name, location)
    }
}
