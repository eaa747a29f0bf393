//! `Handle`: a cheap, cloneable reference to a runtime, usable from any thread.

use std::fmt;
use std::future::Future;
use std::io;
use std::panic::Location;
use std::sync::Arc;

use super::context;
use crate::driver::{Driver, DriverSlot};
use crate::scheduler::{Schedule, current_thread, multi_thread};
use crate::task::raw::Spawn;
use crate::task::{self, Task, TaskDump, TaskId, TaskRef};
use crate::time::driver::TimeDriver;

/// A reference to a runtime: spawn on it from anywhere — its own tasks,
/// blocking jobs, or threads that belong to no runtime (asyncio
/// `run_coroutine_threadsafe`). `Clone + Send + Sync`.
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// let handle = rt.handle().clone();
/// let answer = std::thread::spawn(move || {
///     // A plain thread: spawn, then wait with a timeout.
///     let mut task = handle.spawn(async { 42 });
///     task.join_timeout(std::time::Duration::from_secs(5)).unwrap()
/// })
/// .join()
/// .unwrap();
/// assert_eq!(answer, 42);
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) scheduler: Scheduler,
}

#[derive(Clone)]
pub(crate) enum Scheduler {
    MultiThread(Arc<multi_thread::Shared>),
    CurrentThread(Arc<current_thread::Shared>),
}

/// Error of [`Handle::try_current`]: this thread is not inside a runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoRuntime;

impl fmt::Display for NoRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "no runtime: this thread is not running inside a runtime \
             (use Runtime::block_on / runtime::run, or a Handle)",
        )
    }
}

impl std::error::Error for NoRuntime {}

/// Which scheduler a runtime uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Work-stealing over several worker threads.
    MultiThread,
    /// One thread, one FIFO queue (asyncio's model).
    CurrentThread,
}

impl Handle {
    /// The handle of the runtime this thread is running in.
    ///
    /// # Panics
    /// Outside a runtime (see [`try_current`](Handle::try_current)).
    #[track_caller]
    pub fn current() -> Handle {
        match context::current() {
            Some(handle) => handle,
            None => panic!("{}", NoRuntime),
        }
    }

    /// The handle of the runtime this thread is running in, if any.
    ///
    /// # Errors
    /// [`NoRuntime`] outside a runtime.
    pub fn try_current() -> Result<Handle, NoRuntime> {
        context::current().ok_or(NoRuntime)
    }

    /// Spawns a task on this runtime, from any thread. On a runtime that has
    /// shut down, the returned task reports cancellation (it never hangs).
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn_with(future, None, Location::caller())
    }

    pub(crate) fn spawn_with<F>(
        &self,
        future: F,
        name: Option<String>,
        location: &'static Location<'static>,
    ) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn_opts(future, name, false, location)
    }

    pub(crate) fn spawn_opts<F>(
        &self,
        future: F,
        name: Option<String>,
        graceful: bool,
        location: &'static Location<'static>,
    ) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let spawn = Spawn {
            id: TaskId::next(),
            name: name.map(String::into_boxed_str),
            location,
            local: false,
            graceful,
        };
        match &self.scheduler {
            Scheduler::MultiThread(shared) => {
                let (task, notified) =
                    task::new_task(future, shared.clone(), &shared.registry, spawn);
                if let Some(notified) = notified {
                    shared.schedule(notified);
                }
                task
            }
            Scheduler::CurrentThread(shared) => shared.spawn(future, spawn),
        }
    }

    /// Runs a blocking closure on this runtime's blocking pool (asyncio
    /// `to_thread`). See [`crate::spawn_blocking`].
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> Task<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let blocking = match &self.scheduler {
            Scheduler::MultiThread(shared) => &shared.blocking,
            Scheduler::CurrentThread(shared) => &shared.blocking,
        };
        blocking.spawn(f, Location::caller())
    }

    /// The runtime's live tasks, in id order (asyncio `all_tasks()`).
    /// Blocking jobs are not listed.
    pub fn tasks(&self) -> Vec<TaskRef> {
        match &self.scheduler {
            Scheduler::MultiThread(shared) => shared.registry.snapshot(),
            Scheduler::CurrentThread(shared) => shared.registry.snapshot(),
        }
    }

    /// A snapshot of every live task — id, name, state, spawn location and
    /// how long ago it was last polled — for finding out what a hung server
    /// waits on (a task `Running` for seconds is blocking its worker; one
    /// `Idle` since long ago waits on something that never comes). Callable
    /// from any thread, and it works while every worker is stuck: it takes
    /// only the task list's locks. Blocking-pool jobs are not listed.
    ///
    /// ```
    /// let rt = runtime_core::Runtime::new().unwrap();
    /// let _server = rt.spawn(std::future::pending::<()>());
    /// let dump = rt.handle().dump();
    /// assert_eq!(dump.len(), 1);
    /// println!("{dump}");
    /// ```
    pub fn dump(&self) -> TaskDump {
        match &self.scheduler {
            Scheduler::MultiThread(shared) => shared.registry.dump(),
            Scheduler::CurrentThread(shared) => shared.registry.dump(),
        }
    }

    /// How many live tasks the runtime owns (cheaper than `tasks().len()`).
    pub fn task_count(&self) -> usize {
        match &self.scheduler {
            Scheduler::MultiThread(shared) => shared.registry.len(),
            Scheduler::CurrentThread(shared) => shared.registry.len(),
        }
    }

    /// The number of worker threads (1 for the current-thread flavour).
    pub fn worker_threads(&self) -> usize {
        match &self.scheduler {
            Scheduler::MultiThread(shared) => shared.workers(),
            Scheduler::CurrentThread(_) => 1,
        }
    }

    /// True if the runtime runs in debug mode (see [`crate::debug`]).
    pub fn is_debug(&self) -> bool {
        match &self.scheduler {
            Scheduler::MultiThread(shared) => shared.slow_poll.is_some(),
            Scheduler::CurrentThread(shared) => shared.slow_poll.is_some(),
        }
    }

    /// The scheduler flavour.
    pub fn flavor(&self) -> Flavor {
        match &self.scheduler {
            Scheduler::MultiThread(_) => Flavor::MultiThread,
            Scheduler::CurrentThread(_) => Flavor::CurrentThread,
        }
    }

    /// Makes this runtime current on this thread until the guard drops, so
    /// `runtime::spawn` works outside its tasks.
    pub fn enter(&self) -> EnterGuard {
        EnterGuard {
            _guard: context::enter(self.clone()),
        }
    }

    /// This runtime's driver of type `D`, if one is installed.
    pub fn driver<D: Driver>(&self) -> Option<Arc<D>> {
        self.driver_slot().get()
    }

    /// This runtime's driver of type `D`, installing the one `init` makes if
    /// the runtime has none yet (`init` runs at most once per runtime). From
    /// then on idle workers wait in it, one at a time, and busy workers poll
    /// it at every fairness tick. `runtime-io` installs its reactor this way
    /// when a runtime creates its first socket, so runtimes that never touch
    /// I/O keep parking on plain condvars.
    ///
    /// # Errors
    /// `init`'s error; or [`io::ErrorKind::Other`] if the runtime already
    /// has a driver of another type (see [`Builder::driver`](crate::Builder::driver)).
    pub fn driver_or_install<D: Driver>(
        &self,
        init: impl FnOnce() -> io::Result<D>,
    ) -> io::Result<Arc<D>> {
        let (driver, installed) = self.driver_slot().get_or_install(init)?;
        if installed {
            // Sleepers wait on condvars: wake them so that one moves into the
            // driver (the others find nothing to do and park again).
            match &self.scheduler {
                Scheduler::MultiThread(shared) => {
                    for parker in shared.parkers.iter() {
                        parker.unpark();
                    }
                }
                Scheduler::CurrentThread(shared) => shared.unpark(),
            }
        }
        Ok(driver)
    }

    pub(crate) fn driver_slot(&self) -> &DriverSlot {
        match &self.scheduler {
            Scheduler::MultiThread(shared) => &shared.driver,
            Scheduler::CurrentThread(shared) => &shared.driver,
        }
    }

    pub(crate) fn time(&self) -> &TimeDriver {
        match &self.scheduler {
            Scheduler::MultiThread(shared) => &shared.time,
            Scheduler::CurrentThread(shared) => &shared.time,
        }
    }

    /// The wheel a timer registered from this thread goes to: the worker's
    /// own, or the shared remote wheel off the workers.
    pub(crate) fn timer_wheel_index(&self) -> usize {
        match &self.scheduler {
            Scheduler::MultiThread(shared) => {
                multi_thread::worker::current_index(shared).unwrap_or_else(|| shared.time.remote())
            }
            Scheduler::CurrentThread(shared) => shared.time.remote(),
        }
    }

    /// A timer was added to a wheel no worker owns: make a worker re-plan
    /// how long it sleeps.
    pub(crate) fn unpark_for_timer(&self) {
        match &self.scheduler {
            Scheduler::MultiThread(shared) => shared.notify_parked(),
            Scheduler::CurrentThread(shared) => shared.unpark(),
        }
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        match &self.scheduler {
            Scheduler::MultiThread(shared) => shared.registry.is_closed(),
            Scheduler::CurrentThread(shared) => shared.registry.is_closed(),
        }
    }
}

/// Returned by [`Handle::enter`] and [`Runtime::enter`](super::Runtime::enter):
/// the runtime stays current on this thread until it is dropped.
#[must_use = "the runtime is current only while the guard lives"]
pub struct EnterGuard {
    _guard: context::EnterGuard,
}

impl fmt::Debug for EnterGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnterGuard")
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("flavor", &self.flavor())
            .field("worker_threads", &self.worker_threads())
            .field("shut_down", &self.is_shut_down())
            .finish()
    }
}
