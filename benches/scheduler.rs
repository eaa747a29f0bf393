//! Side-by-side scheduler benchmarks: `runtime` vs tokio vs smol (async-executor).
//!
//! The scenarios follow tokio's own `rt_multi_threaded` benchmark with its parameters. Every
//! scenario is written once, generically over [`Rt`] / [`Spawner`], so the three runtimes run the
//! exact same code and the same completion primitive ([`Latch`]); only the scheduler differs.
//! All three get the same number of worker threads (`num_cpus::get()`).

use std::fmt::Debug;
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::task::{Context, Poll};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use futures::channel::oneshot;

const NUM_SPAWN: usize = 10_000;
const NUM_PINGS: usize = 1_000;
const YIELD_TASKS: usize = 200;
const NUM_YIELD: usize = 1_000;
const CHAIN_DEPTH: usize = 1_000;
const NUM_BLOCKING: usize = 1_000;

// ---------------------------------------------------------------------------------------------
// Shared completion primitive
// ---------------------------------------------------------------------------------------------

/// A re-armable countdown latch: `arm(n)`, then `n` calls to `hit()` release `wait()`.
struct Latch {
    remaining: AtomicUsize,
    done: Mutex<bool>,
    cv: Condvar,
}

impl Latch {
    fn new() -> Arc<Self> {
        Arc::new(Latch {
            remaining: AtomicUsize::new(0),
            done: Mutex::new(false),
            cv: Condvar::new(),
        })
    }

    fn arm(&self, n: usize) {
        *self.done.lock().unwrap() = false;
        self.remaining.store(n, Ordering::Release);
    }

    fn hit(&self) {
        if self.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            *self.done.lock().unwrap() = true;
            self.cv.notify_one();
        }
    }

    fn wait(&self) {
        let mut done = self.done.lock().unwrap();
        while !*done {
            done = self.cv.wait(done).unwrap();
        }
    }
}

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

struct RuntimeRt(runtime::Runtime);

#[derive(Clone)]
struct RuntimeSpawner(runtime::Handle);

impl Rt for RuntimeRt {
    type S = RuntimeSpawner;

    fn new(workers: usize) -> Self {
        RuntimeRt(
            runtime::Runtime::builder()
                .worker_threads(workers)
                .build()
                .expect("build runtime"),
        )
    }

    fn spawner(&self) -> RuntimeSpawner {
        RuntimeSpawner(self.0.handle().clone())
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

struct TokioRt(tokio::runtime::Runtime);

#[derive(Clone)]
struct TokioSpawner(tokio::runtime::Handle);

impl Rt for TokioRt {
    type S = TokioSpawner;

    fn new(workers: usize) -> Self {
        TokioRt(
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .build()
                .expect("build tokio runtime"),
        )
    }

    fn spawner(&self) -> TokioSpawner {
        TokioSpawner(self.0.handle().clone())
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

/// An `async_executor::Executor` run by `workers` threads; stops and joins them on drop.
struct SmolRt {
    ex: Arc<async_executor::Executor<'static>>,
    stop: Option<smol::channel::Sender<()>>,
    threads: Vec<JoinHandle<()>>,
}

#[derive(Clone)]
struct SmolSpawner(Arc<async_executor::Executor<'static>>);

impl Rt for SmolRt {
    type S = SmolSpawner;

    fn new(workers: usize) -> Self {
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
                        let _ = smol::future::block_on(ex.run(stopped.recv()));
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

    fn spawner(&self) -> SmolSpawner {
        SmolSpawner(self.ex.clone())
    }

    fn block_on<F: Future>(&self, fut: F) -> F::Output {
        smol::future::block_on(fut)
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

type Group<'a> = BenchmarkGroup<'a, WallTime>;

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

fn workers() -> usize {
    num_cpus::get()
}

/// One criterion group per scenario with the functions `runtime`, `tokio`, `smol`. Each runtime
/// is built once for the group and dropped before the next one is built.
macro_rules! scenario {
    ($c:expr, $name:expr, $f:ident $(, $arg:expr)*) => {{
        let mut g = $c.benchmark_group($name);
        g.sample_size(20)
            .measurement_time(Duration::from_secs(3))
            .warm_up_time(Duration::from_secs(1));
        {
            let rt = RuntimeRt::new(workers());
            $f(&mut g, "runtime", &rt $(, $arg)*);
        }
        {
            let rt = TokioRt::new(workers());
            $f(&mut g, "tokio", &rt $(, $arg)*);
        }
        {
            let rt = SmolRt::new(workers());
            $f(&mut g, "smol", &rt $(, $arg)*);
        }
        g.finish();
    }};
}

fn scheduler(c: &mut Criterion) {
    scenario!(c, "spawn_many_local", spawn_many_local);
    scenario!(c, "spawn_many_remote_idle", spawn_many_remote_idle);
    scenario!(
        c,
        "spawn_many_remote_busy",
        spawn_many_remote_busy,
        workers()
    );
    scenario!(c, "ping_pong", ping_pong);
    scenario!(c, "yield_many", yield_many);
    scenario!(c, "chained_spawn", chained_spawn);
    for n in [1, 2, 4, 8] {
        scenario!(c, format!("remote_spawn_{n}"), remote_spawn, n);
    }
    scenario!(c, "spawn_blocking", spawn_blocking);
}

criterion_group!(benches, scheduler);
criterion_main!(benches);
