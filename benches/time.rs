//! Side-by-side time benchmarks: `runtime` vs tokio vs smol (async-executor + async-io timers).
//!
//! Issue 3, point 9: many concurrent short sleeps, timer churn (timeouts around ready futures),
//! timeouts armed then cancelled (`wait_for` that finishes in time), and gathering many futures.
//! As in `benches/scheduler.rs`, every scenario is written once, generically over [`Rt`] /
//! [`Spawner`], so the three runtimes run the same code; all get the same number of worker
//! threads (`num_cpus::get()`, except the `_1w` group: one worker each).
//!
//! The smol "runtime" is an `async_executor::Executor` run by N threads, each inside
//! `smol::block_on` (async-io's), which also drives the reactor that fires `smol::Timer`s — the
//! way smol's own global executor runs. smol has no `timeout`; [`smol_timeout`] races the future
//! against a `Timer`, the idiomatic equivalent.
//!
//! `gather_10k` has four functions: `runtime` (`runtime::gather`), `tokio` and `smol`
//! (`futures::future::join_all` on that runtime) and `tokio_joinset` (10,000 tasks spawned into
//! a tokio `JoinSet`, then joined).

mod common;

use std::fmt::Debug;
use std::future::Future;
use std::hint::black_box;
use std::time::Duration;

use common::{
    Group, Latch, RuntimeRt, RuntimeSpawner, SmolRt, SmolSpawner, Timers, TokioRt, TokioSpawner,
    group, scenario, workers,
};
use criterion::{Criterion, criterion_group, criterion_main};

/// Futures in the one-at-a-time gather chain.
const NUM_CHAIN: usize = 100_000;
const NUM_SLEEPS: usize = 10_000;
const SLEEP: Duration = Duration::from_millis(1);
const NUM_TIMEOUTS: usize = 100_000;
/// The limit of the timeouts around ready futures (tokio's `time_timeout` bench uses 10 ms).
const CHURN_LIMIT: Duration = Duration::from_millis(10);
/// The limit of the timeouts that are armed and then cancelled: never reached.
const WAIT_FOR_LIMIT: Duration = Duration::from_secs(10);
const NUM_GATHER: usize = 10_000;

// ---------------------------------------------------------------------------------------------
// The abstraction the scenarios are written against
// ---------------------------------------------------------------------------------------------

/// A cloneable, thread-safe way to put work on one runtime, plus that runtime's time API.
trait Spawner: Clone + Send + Sync + 'static {
    /// The error of a timeout that expired.
    type Elapsed: Debug + Send;

    /// Spawn a detached task from inside a task of this runtime, through the ambient context
    /// where the runtime has one (`runtime::spawn`, `tokio::spawn`).
    fn spawn_here<F: Future<Output = ()> + Send + 'static>(&self, fut: F);

    /// Spawn a detached task through the handle, from any thread.
    fn spawn_remote<F: Future<Output = ()> + Send + 'static>(&self, fut: F);

    fn sleep(d: Duration) -> impl Future<Output = ()> + Send;

    /// `fut` with a time limit; `Err` if the limit passed first (the future is then dropped).
    fn timeout<F: Future + Send>(
        d: Duration,
        fut: F,
    ) -> impl Future<Output = Result<F::Output, Self::Elapsed>> + Send;

    fn yield_now() -> impl Future<Output = ()> + Send;
}

/// An owned runtime with `workers` worker threads.
trait Rt {
    type S: Spawner;
    fn new(workers: usize) -> Self;
    fn spawner(&self) -> Self::S;
    /// Run `fut` as a task of the runtime; block the bench thread until it returns.
    fn run<F>(&self, fut: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;
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

    fn run<F>(&self, fut: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.0.run(fut).expect("benchmark task failed")
    }
}

impl Spawner for RuntimeSpawner {
    type Elapsed = runtime::time::Elapsed;

    fn spawn_here<F: Future<Output = ()> + Send + 'static>(&self, fut: F) {
        runtime::spawn(fut).detach();
    }

    fn spawn_remote<F: Future<Output = ()> + Send + 'static>(&self, fut: F) {
        self.0.spawn(fut).detach();
    }

    fn sleep(d: Duration) -> impl Future<Output = ()> + Send {
        runtime::time::sleep(d)
    }

    fn timeout<F: Future + Send>(
        d: Duration,
        fut: F,
    ) -> impl Future<Output = Result<F::Output, Self::Elapsed>> + Send {
        runtime::time::timeout(d, fut)
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        runtime::yield_now()
    }
}

// ---- tokio -----------------------------------------------------------------------------------

impl Rt for TokioRt {
    type S = TokioSpawner;

    fn new(workers: usize) -> Self {
        TokioRt::start(workers, Timers::On)
    }

    fn spawner(&self) -> TokioSpawner {
        self.handle()
    }

    fn run<F>(&self, fut: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.0
            .block_on(self.0.spawn(fut))
            .expect("benchmark task failed")
    }
}

impl Spawner for TokioSpawner {
    type Elapsed = tokio::time::error::Elapsed;

    fn spawn_here<F: Future<Output = ()> + Send + 'static>(&self, fut: F) {
        drop(tokio::spawn(fut));
    }

    fn spawn_remote<F: Future<Output = ()> + Send + 'static>(&self, fut: F) {
        drop(self.0.spawn(fut));
    }

    fn sleep(d: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(d)
    }

    fn timeout<F: Future + Send>(
        d: Duration,
        fut: F,
    ) -> impl Future<Output = Result<F::Output, Self::Elapsed>> + Send {
        tokio::time::timeout(d, fut)
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        tokio::task::yield_now()
    }
}

// ---- smol (async-executor driven by N threads, async-io timers) ------------------------------

// Its workers run async-io's `block_on`, which also drives the reactor (timers).
impl Rt for SmolRt {
    type S = SmolSpawner;

    fn new(workers: usize) -> Self {
        SmolRt::start(workers, Timers::On)
    }

    fn spawner(&self) -> SmolSpawner {
        self.handle()
    }

    fn run<F>(&self, fut: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        smol::block_on(self.ex.spawn(fut))
    }
}

/// The error of [`smol_timeout`].
#[derive(Debug)]
struct SmolElapsed;

/// smol's `timeout`: `fut` raced against a `smol::Timer`. `or` polls `fut` first, so a future
/// that is ready at once never creates the timer; otherwise the timer is armed on the first
/// poll and dropped (deregistered) when `fut` wins.
async fn smol_timeout<F: Future>(d: Duration, fut: F) -> Result<F::Output, SmolElapsed> {
    smol::future::or(async { Ok(fut.await) }, async {
        smol::Timer::after(d).await;
        Err(SmolElapsed)
    })
    .await
}

impl Spawner for SmolSpawner {
    type Elapsed = SmolElapsed;

    fn spawn_here<F: Future<Output = ()> + Send + 'static>(&self, fut: F) {
        self.0.spawn(fut).detach();
    }

    fn spawn_remote<F: Future<Output = ()> + Send + 'static>(&self, fut: F) {
        self.0.spawn(fut).detach();
    }

    async fn sleep(d: Duration) {
        smol::Timer::after(d).await;
    }

    fn timeout<F: Future + Send>(
        d: Duration,
        fut: F,
    ) -> impl Future<Output = Result<F::Output, Self::Elapsed>> + Send {
        smol_timeout(d, fut)
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        smol::future::yield_now()
    }
}

// ---------------------------------------------------------------------------------------------
// Scenarios (generic: identical code for all three runtimes)
// ---------------------------------------------------------------------------------------------

/// From inside a task, spawn `NUM_SLEEPS` tasks that each sleep `SLEEP`, then count down the
/// latch; wait until all have woken.
fn sleep_many<R: Rt>(g: &mut Group<'_>, id: &str, rt: &R) {
    let s = rt.spawner();
    let latch = Latch::new();
    g.bench_function(id, |b| {
        b.iter(|| {
            latch.arm(NUM_SLEEPS);
            let l = latch.clone();
            let s2 = s.clone();
            s.spawn_remote(async move {
                for _ in 0..NUM_SLEEPS {
                    let l = l.clone();
                    s2.spawn_here(async move {
                        R::S::sleep(SLEEP).await;
                        l.hit();
                    });
                }
            });
            latch.wait();
        })
    });
}

/// `tasks` tasks (spawned from the bench thread, so they spread over the workers) together run
/// `NUM_TIMEOUTS` timeouts of `limit` around `make()`'s futures, one after another each.
fn timeouts<R, F, M>(g: &mut Group<'_>, id: &str, rt: &R, tasks: usize, limit: Duration, make: M)
where
    R: Rt,
    F: Future<Output = usize> + Send,
    M: Fn() -> F + Clone + Send + 'static,
{
    let per_task = NUM_TIMEOUTS / tasks;
    let s = rt.spawner();
    let latch = Latch::new();
    g.bench_function(id, |b| {
        b.iter(|| {
            latch.arm(tasks);
            for _ in 0..tasks {
                let l = latch.clone();
                let make = make.clone();
                s.spawn_remote(async move {
                    for _ in 0..per_task {
                        let out = R::S::timeout(limit, make()).await;
                        assert_eq!(out.expect("timeout expired"), 1);
                    }
                    l.hit();
                });
            }
            latch.wait();
        })
    });
}

/// Timer churn: timeouts around futures that are ready at once (tokio's `time_timeout`).
fn timer_churn<R: Rt>(g: &mut Group<'_>, id: &str, rt: &R, tasks: usize) {
    timeouts(g, id, rt, tasks, CHURN_LIMIT, || async { black_box(1) });
}

/// `wait_for` cancelled in time: the future is pending once (yields), so every timeout's timer
/// is armed, then removed when the future completes on the next poll.
fn wait_for_cancelled<R: Rt>(g: &mut Group<'_>, id: &str, rt: &R, tasks: usize) {
    timeouts(g, id, rt, tasks, WAIT_FOR_LIMIT, || async {
        R::S::yield_now().await;
        black_box(1)
    });
}

/// The futures gathered: each yields once, then returns its index.
fn gather_inputs<S: Spawner>() -> impl Iterator<Item = impl Future<Output = usize> + Send> {
    (0..NUM_GATHER).map(|i| async move {
        S::yield_now().await;
        i
    })
}

fn check_gathered(out: &[usize]) {
    assert_eq!(out.len(), NUM_GATHER);
    assert_eq!(out[NUM_GATHER - 1], NUM_GATHER - 1);
}

/// `futures::future::join_all` inside one task of `rt`.
fn gather_join_all<R: Rt>(g: &mut Group<'_>, id: &str, rt: &R) {
    g.bench_function(id, |b| {
        b.iter(|| {
            let out = rt.run(futures::future::join_all(gather_inputs::<R::S>()));
            check_gathered(&out);
        })
    });
}

/// `runtime::gather` inside one task.
fn gather_runtime(g: &mut Group<'_>, id: &str, rt: &RuntimeRt) {
    g.bench_function(id, |b| {
        b.iter(|| {
            let out = rt.run(runtime::gather(gather_inputs::<RuntimeSpawner>()));
            check_gathered(&out);
        })
    });
}

/// From inside a task, spawn every future into a tokio `JoinSet`, then join them all (outputs
/// put back in input order, as `gather` returns them).
fn gather_tokio_joinset(g: &mut Group<'_>, id: &str, rt: &TokioRt) {
    g.bench_function(id, |b| {
        b.iter(|| {
            let out = rt.run(async {
                let mut set = tokio::task::JoinSet::new();
                for fut in gather_inputs::<TokioSpawner>() {
                    set.spawn(fut);
                }
                let mut out = vec![0; NUM_GATHER];
                while let Some(i) = set.join_next().await {
                    let i = i.expect("benchmark task failed");
                    out[i] = i;
                }
                out
            });
            check_gathered(&out);
        })
    });
}

/// A chain of futures in which each one wakes the next: exactly one child is
/// ready per wake-up, so a gather that re-polls every child is quadratic.
fn chained_inputs(n: usize) -> Vec<impl Future<Output = usize> + Send> {
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..=n)
        .map(|_| futures::channel::oneshot::channel::<()>())
        .unzip();
    let mut txs: Vec<_> = txs.into_iter().map(Some).collect();
    txs[0]
        .take()
        .expect("first")
        .send(())
        .expect("receiver alive");
    rxs.into_iter()
        .take(n)
        .zip(txs.into_iter().skip(1))
        .enumerate()
        .map(|(i, (rx, tx))| async move {
            rx.await.expect("previous link");
            let _ = tx.expect("next").send(());
            i
        })
        .collect()
}

fn gather_chain<R: Rt>(g: &mut Group<'_>, id: &str, rt: &R, use_runtime_gather: bool) {
    g.bench_function(id, |b| {
        b.iter(|| {
            let inputs = chained_inputs(NUM_CHAIN);
            let out = if use_runtime_gather {
                rt.run(runtime::gather(inputs))
            } else {
                rt.run(futures::future::join_all(inputs))
            };
            assert_eq!(out.len(), NUM_CHAIN);
        })
    });
}

// ---------------------------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------------------------

fn time(c: &mut Criterion) {
    let n = workers();
    scenario!(c, "sleep_10k_1ms", n, sleep_many);
    scenario!(c, "timer_churn_1w", 1, timer_churn, 1);
    scenario!(c, "timer_churn_all", n, timer_churn, n);
    scenario!(c, "wait_for_cancelled_100k", n, wait_for_cancelled, n);

    let mut g = group(c, "gather_10k");
    {
        let rt = RuntimeRt::new(n);
        gather_runtime(&mut g, "runtime", &rt);
    }
    {
        let rt = TokioRt::new(n);
        gather_join_all(&mut g, "tokio", &rt);
        gather_tokio_joinset(&mut g, "tokio_joinset", &rt);
    }
    {
        let rt = SmolRt::new(n);
        gather_join_all(&mut g, "smol", &rt);
    }
    g.finish();

    let mut g = group(c, "gather_100k_one_by_one");
    {
        let rt = RuntimeRt::new(n);
        gather_chain(&mut g, "runtime", &rt, true);
    }
    {
        let rt = TokioRt::new(n);
        gather_chain(&mut g, "tokio", &rt, false);
    }
    {
        let rt = SmolRt::new(n);
        gather_chain(&mut g, "smol", &rt, false);
    }
    g.finish();
}

criterion_group!(benches, time);
criterion_main!(benches);
