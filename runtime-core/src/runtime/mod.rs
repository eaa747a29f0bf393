//! The runtime: building it, entering it, and shutting it down.

mod builder;
pub(crate) mod context;
mod handle;
pub(crate) mod park_thread;
mod spawn;

pub use builder::{
    Builder, DEFAULT_BLOCKING_KEEP_ALIVE, DEFAULT_MAX_BLOCKING_THREADS, DEFAULT_SHUTDOWN_TIMEOUT,
};
pub(crate) use handle::Scheduler;
pub use handle::{EnterGuard, Flavor, Handle, NoRuntime};
pub(crate) use spawn::spawn_local_with;
pub use spawn::{run, run_debug, spawn, spawn_blocking, spawn_local, to_thread};

use std::fmt;
use std::future::Future;
use std::io;
use std::panic::Location;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::blocking::BlockingPool;
use crate::task::{Task, TaskError};

/// A runtime: worker threads (or one driving thread), a blocking pool, and
/// every task spawned on it. Dropping it shuts it all down: every unfinished
/// task's future is dropped exactly once, worker threads are joined, and
/// blocking jobs get [`Builder::shutdown_timeout`] to finish.
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// let task = rt.spawn(async { "hello" });
/// assert_eq!(rt.block_on(task).unwrap(), "hello");
/// ```
pub struct Runtime {
    handle: Handle,
    blocking: BlockingPool,
    workers: Vec<JoinHandle<()>>,
    shutdown_timeout: Duration,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("handle", &self.handle)
            .finish()
    }
}

impl Runtime {
    /// A multi-thread runtime with one worker per CPU.
    ///
    /// # Errors
    /// If the operating system refuses to start a thread.
    pub fn new() -> io::Result<Runtime> {
        Builder::new().build()
    }

    /// A builder to configure a runtime.
    pub fn builder() -> Builder {
        Builder::new()
    }

    fn assemble(
        handle: Handle,
        blocking: BlockingPool,
        workers: Vec<JoinHandle<()>>,
        shutdown_timeout: Duration,
    ) -> Runtime {
        Runtime {
            handle,
            blocking,
            workers,
            shutdown_timeout,
        }
    }

    /// The runtime's handle.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Spawns a task (see [`Handle::spawn`]).
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn_with(future, None, Location::caller())
    }

    /// Spawns a `!Send` future (current-thread flavour only; see
    /// [`crate::spawn_local`]).
    ///
    /// # Panics
    /// On the multi-thread flavour, or off the thread that built the runtime.
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let _enter = self.handle.enter();
        spawn_local_with(future, None, Location::caller())
    }

    /// Runs a blocking closure on the blocking pool.
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> Task<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(f)
    }

    /// Makes this runtime current on this thread until the guard drops.
    pub fn enter(&self) -> EnterGuard {
        self.handle.enter()
    }

    /// Drives `future` to completion on the calling thread and returns its
    /// output. The future is not a task (`task::current()` is `None` in it);
    /// tasks it spawns run on the workers (or, on the current-thread flavour,
    /// on this thread while it waits).
    ///
    /// # Panics
    /// If called on a runtime worker thread or inside another `block_on`:
    /// that would stall or deadlock the scheduler. Await the future instead.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        context::assert_may_block("Runtime::block_on");
        let _enter = context::enter_driver(self.handle.clone());
        match &self.handle.scheduler {
            Scheduler::MultiThread(_) => {
                park_thread::block_on_deadline(future, None).expect("no deadline was given")
            }
            Scheduler::CurrentThread(shared) => shared.block_on(future),
        }
    }

    /// Runs `future` as the runtime's main *task* (asyncio `run`): unlike
    /// `block_on`, `task::current()` works inside it and it is listed among
    /// the tasks. Blocks until it finishes.
    ///
    /// # Errors
    /// The main task's [`TaskError`] if it panicked or was cancelled.
    ///
    /// # Panics
    /// As [`block_on`](Runtime::block_on).
    #[track_caller]
    pub fn run<F>(&self, future: F) -> Result<F::Output, TaskError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let main = crate::task::Builder::new()
            .name("main")
            .spawn_on(future, &self.handle);
        self.block_on(main)
    }

    /// [`run`](Runtime::run) for a `!Send` main future on the current-thread
    /// flavour: main and every task it spawns share one FIFO queue, exactly
    /// as in asyncio.
    ///
    /// # Errors
    /// The main task's [`TaskError`] if it panicked or was cancelled.
    ///
    /// # Panics
    /// On the multi-thread flavour, off the thread that built the runtime,
    /// or as [`block_on`](Runtime::block_on).
    #[track_caller]
    pub fn run_local<F>(&self, future: F) -> Result<F::Output, TaskError>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let main = {
            let _enter = self.handle.enter();
            spawn_local_with(future, Some("main".to_owned()), Location::caller())
        };
        self.block_on(main)
    }

    /// Drops the runtime, waiting at most `timeout` for running blocking jobs
    /// (instead of the builder's bound).
    pub fn shutdown_timeout(mut self, timeout: Duration) {
        self.shutdown_timeout = timeout;
        drop(self);
    }

    /// Drops the runtime without waiting for blocking jobs at all.
    pub fn shutdown_background(self) {
        self.shutdown_timeout(Duration::ZERO);
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // Futures dropped below may spawn or look up the runtime.
        let _enter = context::enter(self.handle.clone());
        match &self.handle.scheduler {
            Scheduler::MultiThread(shared) => {
                shared.begin_shutdown();
                let me = std::thread::current().id();
                for worker in self.workers.drain(..) {
                    // Dropped from inside one of its own tasks: that worker
                    // cannot join itself; it exits on its own.
                    if worker.thread().id() != me {
                        let _ = worker.join();
                    }
                }
                shared.finish_shutdown();
            }
            Scheduler::CurrentThread(shared) => shared.shutdown(),
        }
        self.handle.driver_slot().shutdown();
        self.blocking.shutdown(self.shutdown_timeout);
    }
}
