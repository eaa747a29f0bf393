//! Side-by-side scheduler benchmarks: `runtime` vs tokio vs smol (async-executor).
//!
//! The scenarios follow tokio's own `rt_multi_threaded` benchmark with its parameters. Every
//! scenario is written once, generically over [`Rt`] / [`Spawner`], so the three runtimes run the
//! exact same code and the same completion primitive ([`Latch`]); only the scheduler differs.
//! All three get the same number of worker threads (`num_cpus::get()`).

mod common;

use std::fmt::Debug;
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::task::{Context, Poll};
use std::thread;

use common::{
    Group, Latch, RuntimeRt, RuntimeSpawner, SmolRt, SmolSpawner, Timers, TokioRt, TokioSpawner,
    scenario, workers,
};
use criterion::{Criterion, criterion_group, criterion_main};
use futures::channel::oneshot;

const NUM_SPAWN: usize = 10_000;
const NUM_PINGS: usize = 1_000;
const YIELD_TASKS: usize = 200;
const NUM_YIELD: usize = 1_000;
const CHAIN_DEPTH: usize = 1_000;
const NUM_BLOCKING: usize = 1_000;

// ---------------------------------------------------------------------------------------------
// The abstraction the scenarios are written against
// ---------------------------------------------------------------------------------------------

/// A cloneable, thread-safe way to put work on one runtime.
trait Spawner: Clone + Send + Sync + 'static {
    /// Join handle whose output is the task's value (failures panic).
    type Join<T: Send + 'static>: Future<Output = T> + Send + Unpin + 'static;

    /// Spawn from inside a task of this runtime, through the ambient context where the runtime
    /// has one (`runtime::spawn`, `tokio::spawn`), so the task lands on the local queue.
    fn spawn_here<F>(&self, fut: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Spawn through the handle, from any thread.
    fn spawn_remote<F>(&self, fut: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Let the task run on without its handle.
    fn detach<T: Send + 'static>(join: Self::Join<T>);

    /// Run a blocking closure on the runtime's blocking pool (called from inside a task).
    fn spawn_blocking_here<F, T>(&self, f: F) -> Self::Join<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static;

    fn yield_now() -> impl Future<Output = ()> + Send;
}

/// An owned runtime with `workers` worker threads.
trait Rt {
    type S: Spawner;
    fn new(workers: usize) -> Self;
    fn spawner(&self) -> Self::S;
    /// Drive `fut` to completion on the calling (bench) thread.
    fn block_on<F: Future>(&self, fut: F) -> F::Output;
}

/// Adapts a `Future<Output = Result<T, E>>` join handle to `Future<Output = T>`.
struct Unwrapped<J>(J);

impl<J, T, E> Future for Unwrapped<J>
where
    J: Future<Output = Result<T, E>> + Unpin,
    E: Debug,
{
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|r| r.expect("benchmark task failed"))
    }
}

// ---- runtime ---------------------------------------------------------------------------------

impl Rt for RuntimeRt {
    type S = RuntimeSpawner;

    fn new(workers: usize) -> Self {
        RuntimeRt::start(workers)
    }

    fn spawner(&self) -> RuntimeSpawner {
        self.handle()
    }

    fn block_on<F: Future>(&self, fut: F) -> F::Output {
        self.0.block_on(fut)
    }
}

impl Spawner for RuntimeSpawner {
    type Join<T: Send + 'static> = Unwrapped<runtime::task::Task<T>>;

    fn spawn_here<F>(&self, fut: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Unwrapped(runtime::spawn(fut))
    }

    fn spawn_remote<F>(&self, fut: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Unwrapped(self.0.spawn(fut))
    }

    fn detach<T: Send + 'static>(join: Self::Join<T>) {
        join.0.detach();
    }

    fn spawn_blocking_here<F, T>(&self, f: F) -> Self::Join<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        Unwrapped(runtime::spawn_blocking(f))
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        runtime::yield_now()
    }
}

// ---- tokio -----------------------------------------------------------------------------------

impl Rt for TokioRt {
    type S = TokioSpawner;

    fn new(workers: usize) -> Self {
        TokioRt::start(workers, Timers::Off)
    }

    fn spawner(&self) -> TokioSpawner {
        self.handle()
    }

    fn block_on<F: Future>(&self, fut: F) -> F::Output {
        self.0.block_on(fut)
    }
}

impl Spawner for TokioSpawner {
    type Join<T: Send + 'static> = Unwrapped<tokio::task::JoinHandle<T>>;

    fn spawn_here<F>(&self, fut: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Unwrapped(tokio::spawn(fut))
    }

    fn spawn_remote<F>(&self, fut: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Unwrapped(self.0.spawn(fut))
    }

    fn detach<T: Send + 'static>(join: Self::Join<T>) {
        drop(join);
    }

    fn spawn_blocking_here<F, T>(&self, f: F) -> Self::Join<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        Unwrapped(tokio::task::spawn_blocking(f))
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        tokio::task::yield_now()
    }
}

// ---- smol (async-executor driven by N threads) -----------------------------------------------

// Its workers run futures-lite's `block_on` (no reactor: nothing here needs timers).
impl Rt for SmolRt {
    type S = SmolSpawner;

    fn new(workers: usize) -> Self {
        SmolRt::start(workers, Timers::Off)
    }

    fn spawner(&self) -> SmolSpawner {
        self.handle()
    }

    fn block_on<F: Future>(&self, fut: F) -> F::Output {
        smol::future::block_on(fut)
    }
}

impl Spawner for SmolSpawner {
    type Join<T: Send + 'static> = smol::Task<T>;

    fn spawn_here<F>(&self, fut: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.0.spawn(fut)
    }

    fn spawn_remote<F>(&self, fut: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.0.spawn(fut)
    }

    fn detach<T: Send + 'static>(join: Self::Join<T>) {
        join.detach();
    }

    fn spawn_blocking_here<F, T>(&self, f: F) -> Self::Join<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        smol::unblock(f)
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        smol::future::yield_now()
    }
}

// ---------------------------------------------------------------------------------------------
// Scenarios (generic: identical code for all three runtimes)
// ---------------------------------------------------------------------------------------------

/// From inside a task, spawn `NUM_SPAWN` trivial tasks; wait until all have run.
fn spawn_many_local<R: Rt>(g: &mut Group<'_>, id: &str, rt: &R) {
    let s = rt.spawner();
    let latch = Latch::new();
    g.bench_function(id, |b| {
        b.iter(|| {
            latch.arm(NUM_SPAWN);
            let s2 = s.clone();
            let l = latch.clone();
            R::S::detach(s.spawn_remote(async move {
                for _ in 0..NUM_SPAWN {
                    let l = l.clone();
                    R::S::detach(s2.spawn_here(async move { l.hit() }));
                }
            }));
            latch.wait();
        })
    });
}

/// Spawn `NUM_SPAWN` empty tasks from the bench thread, then await every handle.
fn spawn_many_remote_idle<R: Rt>(g: &mut Group<'_>, id: &str, rt: &R) {
    let s = rt.spawner();
    let mut handles = Vec::with_capacity(NUM_SPAWN);
    g.bench_function(id, |b| {
        b.iter(|| {
            for _ in 0..NUM_SPAWN {
                handles.push(s.spawn_remote(async {}));
            }
            rt.block_on(async {
                for h in handles.drain(..) {
                    h.await;
                }
            });
        })
    });
}

/// As `spawn_many_remote_idle`, while one always-ready task per worker yields in a loop.
fn spawn_many_remote_busy<R: Rt>(g: &mut Group<'_>, id: &str, rt: &R, workers: usize) {
    let s = rt.spawner();
    let running = Arc::new(AtomicBool::new(true));
    for _ in 0..workers {
        let running = running.clone();
        R::S::detach(s.spawn_remote(async move {
            while running.load(Ordering::Relaxed) {
                R::S::yield_now().await;
                black_box(());
            }
        }));
    }
    let mut handles = Vec::with_capacity(NUM_SPAWN);
    g.bench_function(id, |b| {
        b.iter(|| {
            for _ in 0..NUM_SPAWN {
                handles.push(s.spawn_remote(async {}));
            }
            rt.block_on(async {
                for h in handles.drain(..) {
                    h.await;
                }
            });
        })
    });
    running.store(false, Ordering::Relaxed);
}

/// One outer task spawns `NUM_PINGS` ping tasks; each spawns a pong task and the two exchange
/// a oneshot message each way.
fn ping_pong<R: Rt>(g: &mut Group<'_>, id: &str, rt: &R) {
    let s = rt.spawner();
    let latch = Latch::new();
    g.bench_function(id, |b| {
        b.iter(|| {
            latch.arm(NUM_PINGS);
            let l = latch.clone();
            let s2 = s.clone();
            R::S::detach(s.spawn_remote(async move {
                for _ in 0..NUM_PINGS {
                    let l = l.clone();
                    let s3 = s2.clone();
                    R::S::detach(s2.spawn_here(async move {
                        let (tx1, rx1) = oneshot::channel::<()>();
                        let (tx2, rx2) = oneshot::channel::<()>();
                        R::S::detach(s3.spawn_here(async move {
                            rx1.await.unwrap();
                            tx2.send(()).unwrap();
                        }));
                        tx1.send(()).unwrap();
                        rx2.await.unwrap();
                        l.hit();
                    }));
                }
            }));
            latch.wait();
        })
    });
}

/// `YIELD_TASKS` tasks each yield `NUM_YIELD` times.
fn yield_many<R: Rt>(g: &mut Group<'_>, id: &str, rt: &R) {
    let s = rt.spawner();
    let latch = Latch::new();
    g.bench_function(id, |b| {
        b.iter(|| {
            latch.arm(YIELD_TASKS);
            for _ in 0..YIELD_TASKS {
                let l = latch.clone();
                R::S::detach(s.spawn_remote(async move {
                    for _ in 0..NUM_YIELD {
                        R::S::yield_now().await;
                    }
                    l.hit();
                }));
            }
            latch.wait();
        })
    });
}

fn chain<S: Spawner>(s: S, latch: Arc<Latch>, n: usize) {
    if n == 0 {
        latch.hit();
    } else {
        let s2 = s.clone();
        S::detach(s.spawn_here(async move { chain(s2, latch, n - 1) }));
    }
}

/// A task spawns a task that spawns a task ... `CHAIN_DEPTH` deep; the last one signals.
fn chained_spawn<R: Rt>(g: &mut Group<'_>, id: &str, rt: &R) {
    let s = rt.spawner();
    let latch = Latch::new();
    g.bench_function(id, |b| {
        b.iter(|| {
            latch.arm(1);
            let l = latch.clone();
            let s2 = s.clone();
            R::S::detach(s.spawn_remote(async move { chain(s2, l, CHAIN_DEPTH) }));
            latch.wait();
        })
    });
}

/// `spawners` plain threads concurrently spawn `NUM_SPAWN / spawners` tasks each through a
/// cloned handle; wait until all `NUM_SPAWN` tasks have run. The spawner threads live for the
/// whole group and are released per iteration by a barrier, so thread creation is not measured.
fn remote_spawn<R: Rt>(g: &mut Group<'_>, id: &str, rt: &R, spawners: usize) {
    let per_thread = NUM_SPAWN / spawners;
    let total = per_thread * spawners;
    let latch = Latch::new();
    let start = Arc::new(Barrier::new(spawners + 1));
    let stop = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..spawners)
        .map(|_| {
            let s = rt.spawner();
            let latch = latch.clone();
            let start = start.clone();
            let stop = stop.clone();
            thread::spawn(move || {
                loop {
                    start.wait();
                    if stop.load(Ordering::Acquire) {
                        return;
                    }
                    for _ in 0..per_thread {
                        let l = latch.clone();
                        R::S::detach(s.spawn_remote(async move { l.hit() }));
                    }
                }
            })
        })
        .collect();
    g.bench_function(id, |b| {
        b.iter(|| {
            latch.arm(total);
            start.wait();
            latch.wait();
        })
    });
    stop.store(true, Ordering::Release);
    start.wait();
    for t in threads {
        t.join().unwrap();
    }
}

/// From inside a task, start `NUM_BLOCKING` trivial blocking jobs, then await them all.
fn spawn_blocking<R: Rt>(g: &mut Group<'_>, id: &str, rt: &R) {
    let s = rt.spawner();
    let latch = Latch::new();
    g.bench_function(id, |b| {
        b.iter(|| {
            latch.arm(1);
            let l = latch.clone();
            let s2 = s.clone();
            R::S::detach(s.spawn_remote(async move {
                let jobs: Vec<_> = (0..NUM_BLOCKING)
                    .map(|i| s2.spawn_blocking_here(move || black_box(i)))
                    .collect();
                for job in jobs {
                    black_box(job.await);
                }
                l.hit();
            }));
            latch.wait();
        })
    });
}

// ---------------------------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------------------------

fn scheduler(c: &mut Criterion) {
    let w = workers();
    scenario!(c, "spawn_many_local", w, spawn_many_local);
    scenario!(c, "spawn_many_remote_idle", w, spawn_many_remote_idle);
    scenario!(c, "spawn_many_remote_busy", w, spawn_many_remote_busy, w);
    scenario!(c, "ping_pong", w, ping_pong);
    scenario!(c, "yield_many", w, yield_many);
    scenario!(c, "chained_spawn", w, chained_spawn);
    for n in [1, 2, 4, 8] {
        scenario!(c, format!("remote_spawn_{n}"), w, remote_spawn, n);
    }
    scenario!(c, "spawn_blocking", w, spawn_blocking);
}

criterion_group!(benches, scheduler);
criterion_main!(benches);
