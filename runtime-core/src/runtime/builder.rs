//! `Builder`: configure and start a runtime.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use super::handle::{Flavor, Handle, Scheduler};
use super::{Runtime, context};
use crate::blocking::{BlockingPool, PoolConfig};
use crate::driver::{Driver, DriverSlot};
use crate::scheduler::current_thread;
use crate::scheduler::multi_thread::{self, worker::Worker};
use crate::time::driver::TimeDriver;

/// Default upper bound on blocking-pool threads.
pub const DEFAULT_MAX_BLOCKING_THREADS: usize = 512;
/// Default time an idle blocking thread waits for work before exiting.
pub const DEFAULT_BLOCKING_KEEP_ALIVE: Duration = Duration::from_secs(10);
/// Default time a dropped runtime waits for running blocking jobs.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// Configures a [`Runtime`].
///
/// ```
/// use std::time::Duration;
///
/// let rt = runtime_core::Runtime::builder()
///     .worker_threads(2)
///     .thread_name("my-worker")
///     .max_blocking_threads(16)
///     .shutdown_timeout(Duration::from_secs(1))
///     .build()
///     .unwrap();
/// assert_eq!(rt.handle().worker_threads(), 2);
///
/// let local = runtime_core::Runtime::builder().current_thread().build().unwrap();
/// assert_eq!(local.block_on(async { 1 + 1 }), 2);
/// ```
pub struct Builder {
    flavor: Flavor,
    worker_threads: Option<usize>,
    thread_name: Arc<dyn Fn() -> String + Send + Sync>,
    stack_size: Option<usize>,
    max_blocking_threads: usize,
    blocking_keep_alive: Duration,
    shutdown_timeout: Duration,
    driver: Option<Arc<DriverSlot>>,
    start_paused: bool,
    /// `None`: as `RUNTIME_DEBUG` says.
    debug: Option<bool>,
    slow_poll_threshold: Duration,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("flavor", &self.flavor)
            .field("worker_threads", &self.worker_threads)
            .field("thread_name", &(self.thread_name)())
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("blocking_keep_alive", &self.blocking_keep_alive)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("driver", &self.driver.is_some())
            .field("start_paused", &self.start_paused)
            .field("debug", &self.debug)
            .field("slow_poll_threshold", &self.slow_poll_threshold)
            .finish()
    }
}

impl Builder {
    /// A multi-thread runtime with one worker per CPU.
    pub fn new() -> Builder {
        Builder {
            flavor: Flavor::MultiThread,
            worker_threads: None,
            thread_name: Arc::new(|| "runtime-worker".to_owned()),
            stack_size: None,
            max_blocking_threads: DEFAULT_MAX_BLOCKING_THREADS,
            blocking_keep_alive: DEFAULT_BLOCKING_KEEP_ALIVE,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            driver: None,
            start_paused: false,
            debug: None,
            slow_poll_threshold: crate::debug::DEFAULT_SLOW_POLL_THRESHOLD,
        }
    }

    /// Use the current-thread scheduler: every task runs on the thread that
    /// calls `block_on` / `run_local`, from one FIFO queue, and `!Send`
    /// futures may be spawned with `spawn_local` (asyncio's model).
    pub fn current_thread(mut self) -> Builder {
        self.flavor = Flavor::CurrentThread;
        self
    }

    /// Use the multi-thread, work-stealing scheduler (the default).
    pub fn multi_thread(mut self) -> Builder {
        self.flavor = Flavor::MultiThread;
        self
    }

    /// Number of worker threads (multi-thread flavour). Default: the number
    /// of CPUs. Zero is treated as one.
    pub fn worker_threads(mut self, n: usize) -> Builder {
        self.worker_threads = Some(n.max(1));
        self
    }

    /// Name of worker and blocking threads (default `runtime-worker`).
    pub fn thread_name(mut self, name: impl Into<String>) -> Builder {
        let name = name.into();
        self.thread_name = Arc::new(move || name.clone());
        self
    }

    /// Stack size of the threads the runtime starts.
    pub fn thread_stack_size(mut self, bytes: usize) -> Builder {
        self.stack_size = Some(bytes);
        self
    }

    /// Most threads the blocking pool may run at once (default 512; zero is
    /// treated as one). Further jobs queue.
    pub fn max_blocking_threads(mut self, n: usize) -> Builder {
        self.max_blocking_threads = n.max(1);
        self
    }

    /// How long an idle blocking thread waits for a job before exiting
    /// (default 10 s).
    pub fn blocking_keep_alive(mut self, keep_alive: Duration) -> Builder {
        self.blocking_keep_alive = keep_alive;
        self
    }

    /// How long dropping the runtime waits for blocking jobs that are still
    /// running (default 10 s). Past it, their threads are left behind and a
    /// message is printed to stderr; dropping never hangs forever.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Builder {
        self.shutdown_timeout = timeout;
        self
    }

    /// Installs the driver idle workers wait in (see [`crate::driver`]).
    /// `runtime-io` does not need this: it installs its reactor on the first
    /// socket a runtime creates ([`Handle::driver_or_install`]). A runtime
    /// built with a custom driver cannot use `runtime-io` sockets.
    pub fn driver(mut self, driver: impl Driver) -> Builder {
        self.driver = Some(DriverSlot::with(driver));
        self
    }

    /// Starts the current-thread runtime with its clock paused (see
    /// [`time::pause`](crate::time::pause)): timer tests run instantly.
    /// Ignored by the multi-thread flavour, whose clock cannot pause.
    pub fn start_paused(mut self, paused: bool) -> Builder {
        self.start_paused = paused;
        self
    }

    /// Debug mode on or off (asyncio `run(debug=True)`; see [`crate::debug`]):
    /// polls longer than the [slow-poll
    /// threshold](Builder::slow_poll_threshold) are reported through `log`
    /// with the task's id, name and spawn location. Default: off, unless the
    /// environment variable `RUNTIME_DEBUG` is set to anything but empty or
    /// `0` when the runtime is built. An explicit call wins over the variable.
    pub fn debug(mut self, on: bool) -> Builder {
        self.debug = Some(on);
        self
    }

    /// In debug mode, a poll that runs at least this long is reported
    /// (default 100 ms, asyncio's `slow_callback_duration`). Has no effect
    /// outside debug mode.
    pub fn slow_poll_threshold(mut self, threshold: Duration) -> Builder {
        self.slow_poll_threshold = threshold;
        self
    }

    /// Starts the runtime.
    ///
    /// # Errors
    /// If the operating system refuses to start a worker thread.
    pub fn build(self) -> io::Result<Runtime> {
        let pool = BlockingPool::new(PoolConfig {
            max_threads: self.max_blocking_threads,
            keep_alive: self.blocking_keep_alive,
            thread_name: self.thread_name.clone(),
            stack_size: self.stack_size,
        });
        let driver = self.driver.unwrap_or_else(DriverSlot::new);
        let debug = self.debug.unwrap_or_else(crate::debug::requested_by_env);
        let slow_poll = debug.then_some(self.slow_poll_threshold);
        match self.flavor {
            Flavor::CurrentThread => {
                let time = TimeDriver::new(0, self.start_paused);
                let shared =
                    current_thread::Shared::new(driver, pool.spawner().clone(), time, slow_poll);
                let handle = Handle {
                    scheduler: Scheduler::CurrentThread(shared),
                };
                pool.set_handle(handle.clone());
                Ok(Runtime::assemble(
                    handle,
                    pool,
                    Vec::new(),
                    self.shutdown_timeout,
                ))
            }
            Flavor::MultiThread => {
                let workers = self.worker_threads.unwrap_or_else(num_cpus::get).max(1);
                let time = TimeDriver::new(workers, false);
                let (shared, locals) = multi_thread::Shared::new(
                    workers,
                    driver,
                    pool.spawner().clone(),
                    time,
                    slow_poll,
                );
                let handle = Handle {
                    scheduler: Scheduler::MultiThread(shared.clone()),
                };
                pool.set_handle(handle.clone());
                let mut threads = Vec::with_capacity(workers);
                for (index, local) in locals.into_iter().enumerate() {
                    let mut builder = std::thread::Builder::new().name((self.thread_name)());
                    if let Some(size) = self.stack_size {
                        builder = builder.stack_size(size);
                    }
                    let shared = shared.clone();
                    let worker_handle = handle.clone();
                    let spawned = builder.spawn(move || {
                        let _context = context::enter_driver(worker_handle);
                        Worker::new(shared, index, local).run();
                    });
                    match spawned {
                        Ok(thread) => threads.push(thread),
                        Err(e) => {
                            // Stop the workers already started before failing.
                            drop(Runtime::assemble(
                                handle,
                                pool,
                                threads,
                                self.shutdown_timeout,
                            ));
                            return Err(e);
                        }
                    }
                }
                Ok(Runtime::assemble(
                    handle,
                    pool,
                    threads,
                    self.shutdown_timeout,
                ))
            }
        }
    }
}
