//! Pieces shared by the side-by-side benchmarks (`scheduler.rs`, `time.rs`): the countdown
//! [`Latch`] both complete their iterations with, the three runtimes (`runtime`, tokio, and smol
//! as an `async_executor::Executor` run by N threads) with their handles, and the criterion
//! group set-up ([`group`], [`scenario!`]).
//!
//! Each benchmark implements its own `Rt` / `Spawner` traits for the runtime and handle types
//! here, and chooses with [`Timers`] whether the runtimes drive timers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};

// ---------------------------------------------------------------------------------------------
// Shared completion primitive
// ---------------------------------------------------------------------------------------------

/// A re-armable countdown latch: `arm(n)`, then `n` calls to `hit()` release `wait()`.
pub struct Latch {
    remaining: AtomicUsize,
    done: Mutex<bool>,
    cv: Condvar,
}

impl Latch {
    pub fn new() -> Arc<Self> {
        Arc::new(Latch {
            remaining: AtomicUsize::new(0),
            done: Mutex::new(false),
            cv: Condvar::new(),
        })
    }

    pub fn arm(&self, n: usize) {
        *self.done.lock().unwrap() = false;
        self.remaining.store(n, Ordering::Release);
    }

    pub fn hit(&self) {
        if self.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            *self.done.lock().unwrap() = true;
            self.cv.notify_one();
        }
    }

    pub fn wait(&self) {
        let mut done = self.done.lock().unwrap();
        while !*done {
            done = self.cv.wait(done).unwrap();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The three runtimes
// ---------------------------------------------------------------------------------------------

/// Whether a runtime's worker threads also drive timers.
#[allow(dead_code)] // each benchmark uses one of the two
#[derive(Clone, Copy)]
pub enum Timers {
    /// tokio without its time driver; smol workers in futures-lite's `block_on`, which only
    /// polls the executor.
    Off,
    /// tokio with `enable_time`; smol workers in async-io's `block_on`, which also drives the
    /// reactor that fires `smol::Timer`s (the way smol's own global executor runs).
    On,
}

pub struct RuntimeRt(pub runtime::Runtime);

#[derive(Clone)]
pub struct RuntimeSpawner(pub runtime::Handle);

impl RuntimeRt {
    /// A multi-thread runtime with `workers` workers (`runtime` always has its timers).
    pub fn start(workers: usize) -> Self {
        RuntimeRt(
            runtime::Runtime::builder()
                .worker_threads(workers)
                .build()
                .expect("build runtime"),
        )
    }

    pub fn handle(&self) -> RuntimeSpawner {
        RuntimeSpawner(self.0.handle().clone())
    }
}

pub struct TokioRt(pub tokio::runtime::Runtime);

#[derive(Clone)]
pub struct TokioSpawner(pub tokio::runtime::Handle);

impl TokioRt {
    /// A multi-thread tokio runtime with `workers` workers.
    pub fn start(workers: usize, timers: Timers) -> Self {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(workers);
        if let Timers::On = timers {
            builder.enable_time();
        }
        TokioRt(builder.build().expect("build tokio runtime"))
    }

    pub fn handle(&self) -> TokioSpawner {
        TokioSpawner(self.0.handle().clone())
    }
}

/// An `async_executor::Executor` run by `workers` threads; stops and joins them on drop.
pub struct SmolRt {
    pub ex: Arc<async_executor::Executor<'static>>,
    stop: Option<smol::channel::Sender<()>>,
    threads: Vec<JoinHandle<()>>,
}

#[derive(Clone)]
pub struct SmolSpawner(pub Arc<async_executor::Executor<'static>>);

impl SmolRt {
    pub fn start(workers: usize, timers: Timers) -> Self {
        let ex = Arc::new(async_executor::Executor::new());
        let (stop, stopped) = smol::channel::bounded::<()>(1);
        let threads = (0..workers)
            .map(|i| {
                let ex = ex.clone();
                let stopped = stopped.clone();
                thread::Builder::new()
                    .name(format!("smol-worker-{i}"))
                    .spawn(move || {
                        // Returns once the sender is dropped (recv fails).
                        let _ = match timers {
                            Timers::Off => smol::future::block_on(ex.run(stopped.recv())),
                            Timers::On => smol::block_on(ex.run(stopped.recv())),
                        };
                    })
                    .expect("spawn smol worker")
            })
            .collect();
        SmolRt {
            ex,
            stop: Some(stop),
            threads,
        }
    }

    pub fn handle(&self) -> SmolSpawner {
        SmolSpawner(self.ex.clone())
    }
}

impl Drop for SmolRt {
    fn drop(&mut self) {
        drop(self.stop.take());
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------------------------

pub type Group<'a> = BenchmarkGroup<'a, WallTime>;

pub fn workers() -> usize {
    num_cpus::get()
}

/// A criterion group with the settings every scenario uses.
pub fn group(c: &mut Criterion, name: impl Into<String>) -> Group<'_> {
    let mut g = c.benchmark_group(name);
    g.sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    g
}

/// One criterion group per scenario with the functions `runtime`, `tokio`, `smol`. Each runtime
/// (built by the benchmark's `Rt::new` with `$workers` workers) is built once for the group and
/// dropped before the next one is built.
macro_rules! scenario {
    ($c:expr, $name:expr, $workers:expr, $f:ident $(, $arg:expr)*) => {{
        let mut g = $crate::common::group($c, $name);
        {
            let rt = $crate::common::RuntimeRt::new($workers);
            $f(&mut g, "runtime", &rt $(, $arg)*);
        }
        {
            let rt = $crate::common::TokioRt::new($workers);
            $f(&mut g, "tokio", &rt $(, $arg)*);
        }
        {
            let rt = $crate::common::SmolRt::new($workers);
            $f(&mut g, "smol", &rt $(, $arg)*);
        }
        g.finish();
    }};
}

pub(crate) use scenario;
