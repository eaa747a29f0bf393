//! Side-by-side synchronisation benchmarks: `runtime::sync` vs `tokio::sync` vs smol's
//! primitives (`smol::channel` = async-channel, `smol::lock` = async-lock).
//!
//! Issue 4, point 7. Unlike `scheduler.rs` and `time.rs`, which compare executors, this compares
//! primitives: every scenario runs on the same executor, `runtime`'s multi-thread runtime with
//! `num_cpus::get()` workers, and only the primitive differs between the group's functions
//! `runtime`, `tokio` and `smol`. Each scenario is written once, generically over a small trait
//! per kind of primitive ([`Chan`], [`Oneshot`], [`Lock`], [`Permits`], [`WorkQueue`]),
//! implemented by the marker types [`Ours`], [`Tokio`] and [`Smol`].
//!
//! Where a peer has no such primitive, the nearest idiomatic equivalent stands in:
//! - `oneshot` on smol: an async-channel `bounded(1)`.
//! - `queue_task_done_join` (our [`runtime::sync::Queue`]: several consumers, `task_done`,
//!   `join`): on tokio, an mpsc channel whose receiver the consumers share behind a
//!   `tokio::sync::Mutex`, plus an unfinished-items counter and a `Notify` for `join`; on smol,
//!   an async-channel (multi-consumer already) plus the same counter and a `bounded(1)` channel
//!   as the notification.

#[allow(unused)] // everything runs on `RuntimeRt`: the peer runtimes and `scenario!` are unused
mod common;

use std::future::Future;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Group, RuntimeRt, group, workers};
use criterion::{Criterion, criterion_group, criterion_main};

/// Messages per iteration in the mpsc scenarios (split evenly between the producers).
const NUM_MESSAGES: usize = 100_000;
/// Capacity of the bounded channels (and of the queue).
const CAPACITY: usize = 1024;
const NUM_ONESHOTS: usize = 10_000;
/// Tasks contending for the mutex and for the semaphore.
const NUM_TASKS: usize = 8;
/// Lock/unlock (acquire/release) rounds per task.
const NUM_ROUNDS: usize = 10_000;
const SEMAPHORE_PERMITS: usize = 4;
const QUEUE_CONSUMERS: usize = 4;
const QUEUE_ITEMS: usize = 100_000;

/// `runtime::sync`.
struct Ours;
/// `tokio::sync`.
struct Tokio;
/// smol's `channel` (async-channel) and `lock` (async-lock).
struct Smol;

// ---------------------------------------------------------------------------------------------
// Multi-producer channels
// ---------------------------------------------------------------------------------------------

/// A multi-producer, single-consumer channel of `usize`.
trait Chan {
    type Tx: Clone + Send + Sync + 'static;
    type Rx: Send + 'static;
    fn bounded(capacity: usize) -> (Self::Tx, Self::Rx);
    fn unbounded() -> (Self::Tx, Self::Rx);
    /// Send, waiting for room; panics if the receiver is gone.
    fn send(tx: &Self::Tx, value: usize) -> impl Future<Output = ()> + Send;
    /// `None` once every sender is gone and the channel is empty.
    fn recv(rx: &mut Self::Rx) -> impl Future<Output = Option<usize>> + Send;
}

impl Chan for Ours {
    type Tx = runtime::sync::mpsc::Sender<usize>;
    type Rx = runtime::sync::mpsc::Receiver<usize>;

    fn bounded(capacity: usize) -> (Self::Tx, Self::Rx) {
        runtime::sync::mpsc::channel(capacity)
    }

    fn unbounded() -> (Self::Tx, Self::Rx) {
        runtime::sync::mpsc::unbounded()
    }

    async fn send(tx: &Self::Tx, value: usize) {
        assert!(tx.send(value).await.is_ok(), "receiver gone");
    }

    async fn recv(rx: &mut Self::Rx) -> Option<usize> {
        rx.recv().await
    }
}

/// tokio's bounded and unbounded channels are different types; this holds either.
enum TokioTx {
    Bounded(tokio::sync::mpsc::Sender<usize>),
    Unbounded(tokio::sync::mpsc::UnboundedSender<usize>),
}

impl Clone for TokioTx {
    fn clone(&self) -> Self {
        match self {
            TokioTx::Bounded(tx) => TokioTx::Bounded(tx.clone()),
            TokioTx::Unbounded(tx) => TokioTx::Unbounded(tx.clone()),
        }
    }
}

enum TokioRx {
    Bounded(tokio::sync::mpsc::Receiver<usize>),
    Unbounded(tokio::sync::mpsc::UnboundedReceiver<usize>),
}

impl Chan for Tokio {
    type Tx = TokioTx;
    type Rx = TokioRx;

    fn bounded(capacity: usize) -> (Self::Tx, Self::Rx) {
        let (tx, rx) = tokio::sync::mpsc::channel(capacity);
        (TokioTx::Bounded(tx), TokioRx::Bounded(rx))
    }

    fn unbounded() -> (Self::Tx, Self::Rx) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        (TokioTx::Unbounded(tx), TokioRx::Unbounded(rx))
    }

    async fn send(tx: &Self::Tx, value: usize) {
        let sent = match tx {
            TokioTx::Bounded(tx) => tx.send(value).await.is_ok(),
            TokioTx::Unbounded(tx) => tx.send(value).is_ok(),
        };
        assert!(sent, "receiver gone");
    }

    async fn recv(rx: &mut Self::Rx) -> Option<usize> {
        match rx {
            TokioRx::Bounded(rx) => rx.recv().await,
            TokioRx::Unbounded(rx) => rx.recv().await,
        }
    }
}

impl Chan for Smol {
    type Tx = smol::channel::Sender<usize>;
    type Rx = smol::channel::Receiver<usize>;

    fn bounded(capacity: usize) -> (Self::Tx, Self::Rx) {
        smol::channel::bounded(capacity)
    }

    fn unbounded() -> (Self::Tx, Self::Rx) {
        smol::channel::unbounded()
    }

    async fn send(tx: &Self::Tx, value: usize) {
        assert!(tx.send(value).await.is_ok(), "receiver gone");
    }

    async fn recv(rx: &mut Self::Rx) -> Option<usize> {
        rx.recv().await.ok()
    }
}

// ---------------------------------------------------------------------------------------------
// Oneshot
// ---------------------------------------------------------------------------------------------

trait Oneshot {
    type Tx: Send + 'static;
    type Rx: Send + 'static;
    fn channel() -> (Self::Tx, Self::Rx);
    /// Send without waiting; panics if the receiver is gone.
    fn send(tx: Self::Tx, value: usize);
    fn recv(rx: Self::Rx) -> impl Future<Output = usize> + Send;
}

impl Oneshot for Ours {
    type Tx = runtime::sync::oneshot::Sender<usize>;
    type Rx = runtime::sync::oneshot::Receiver<usize>;

    fn channel() -> (Self::Tx, Self::Rx) {
        runtime::sync::oneshot::channel()
    }

    fn send(tx: Self::Tx, value: usize) {
        assert!(tx.send(value).is_ok(), "receiver gone");
    }

    async fn recv(rx: Self::Rx) -> usize {
        rx.await.expect("sender gone")
    }
}

impl Oneshot for Tokio {
    type Tx = tokio::sync::oneshot::Sender<usize>;
    type Rx = tokio::sync::oneshot::Receiver<usize>;

    fn channel() -> (Self::Tx, Self::Rx) {
        tokio::sync::oneshot::channel()
    }

    fn send(tx: Self::Tx, value: usize) {
        assert!(tx.send(value).is_ok(), "receiver gone");
    }

    async fn recv(rx: Self::Rx) -> usize {
        rx.await.expect("sender gone")
    }
}

/// async-channel has no oneshot: `bounded(1)` is the nearest.
impl Oneshot for Smol {
    type Tx = smol::channel::Sender<usize>;
    type Rx = smol::channel::Receiver<usize>;

    fn channel() -> (Self::Tx, Self::Rx) {
        smol::channel::bounded(1)
    }

    fn send(tx: Self::Tx, value: usize) {
        assert!(tx.try_send(value).is_ok(), "receiver gone");
    }

    async fn recv(rx: Self::Rx) -> usize {
        rx.recv().await.expect("sender gone")
    }
}

// ---------------------------------------------------------------------------------------------
// Mutex and semaphore
// ---------------------------------------------------------------------------------------------

/// An async mutex around a counter.
trait Lock {
    type M: Send + Sync + 'static;
    fn new() -> Self::M;
    /// Lock, add one, unlock.
    fn increment(m: &Self::M) -> impl Future<Output = ()> + Send;
    fn value(m: &Self::M) -> impl Future<Output = usize> + Send;
}

impl Lock for Ours {
    type M = runtime::sync::Mutex<usize>;

    fn new() -> Self::M {
        runtime::sync::Mutex::new(0)
    }

    async fn increment(m: &Self::M) {
        *m.lock().await += 1;
    }

    async fn value(m: &Self::M) -> usize {
        *m.lock().await
    }
}

impl Lock for Tokio {
    type M = tokio::sync::Mutex<usize>;

    fn new() -> Self::M {
        tokio::sync::Mutex::new(0)
    }

    async fn increment(m: &Self::M) {
        *m.lock().await += 1;
    }

    async fn value(m: &Self::M) -> usize {
        *m.lock().await
    }
}

impl Lock for Smol {
    type M = smol::lock::Mutex<usize>;

    fn new() -> Self::M {
        smol::lock::Mutex::new(0)
    }

    async fn increment(m: &Self::M) {
        *m.lock().await += 1;
    }

    async fn value(m: &Self::M) -> usize {
        *m.lock().await
    }
}

/// A counting semaphore.
trait Permits {
    type S: Send + Sync + 'static;
    fn new(permits: usize) -> Self::S;
    /// Acquire one permit and release it.
    fn acquire_release(s: &Self::S) -> impl Future<Output = ()> + Send;
}

impl Permits for Ours {
    type S = runtime::sync::Semaphore;

    fn new(permits: usize) -> Self::S {
        runtime::sync::Semaphore::new(permits)
    }

    async fn acquire_release(s: &Self::S) {
        let permit = s.acquire().await.expect("semaphore closed");
        black_box(&permit);
    }
}

impl Permits for Tokio {
    type S = tokio::sync::Semaphore;

    fn new(permits: usize) -> Self::S {
        tokio::sync::Semaphore::new(permits)
    }

    async fn acquire_release(s: &Self::S) {
        let permit = s.acquire().await.expect("semaphore closed");
        black_box(&permit);
    }
}

impl Permits for Smol {
    type S = smol::lock::Semaphore;

    fn new(permits: usize) -> Self::S {
        smol::lock::Semaphore::new(permits)
    }

    async fn acquire_release(s: &Self::S) {
        let permit = s.acquire().await;
        black_box(&permit);
    }
}

// ---------------------------------------------------------------------------------------------
// Work queue with task_done / join
// ---------------------------------------------------------------------------------------------

/// asyncio's queue protocol: consumers call `task_done` per item; `join` waits until every item
/// put so far is done. The producer's handle can `close` the queue, after which `get` returns
/// `None` once the queue is empty.
trait WorkQueue {
    type P: Send + 'static;
    type C: Clone + Send + Sync + 'static;
    fn new(capacity: usize) -> (Self::P, Self::C);
    fn put(p: &Self::P, value: usize) -> impl Future<Output = ()> + Send;
    fn get(c: &Self::C) -> impl Future<Output = Option<usize>> + Send;
    fn task_done(c: &Self::C);
    fn join(p: &Self::P) -> impl Future<Output = ()> + Send;
    fn close(p: Self::P);
}

impl WorkQueue for Ours {
    type P = Arc<runtime::sync::Queue<usize>>;
    type C = Arc<runtime::sync::Queue<usize>>;

    fn new(capacity: usize) -> (Self::P, Self::C) {
        let q = Arc::new(runtime::sync::Queue::new(capacity));
        (q.clone(), q)
    }

    async fn put(p: &Self::P, value: usize) {
        assert!(p.put(value).await.is_ok(), "queue shut down");
    }

    async fn get(c: &Self::C) -> Option<usize> {
        c.get().await.ok()
    }

    fn task_done(c: &Self::C) {
        c.task_done().expect("task_done called too often");
    }

    async fn join(p: &Self::P) {
        p.join().await;
    }

    fn close(p: Self::P) {
        p.shutdown(false);
    }
}

/// The unfinished-items count of the peers' queues.
struct TokioPending {
    count: AtomicUsize,
    /// `notify_one` when the count drops to zero; it stores a permit if `join` is not waiting
    /// yet, so the wake-up cannot be lost between `join`'s check and its wait.
    zero: tokio::sync::Notify,
}

struct TokioProducer {
    tx: tokio::sync::mpsc::Sender<usize>,
    pending: Arc<TokioPending>,
}

#[derive(Clone)]
struct TokioConsumer {
    rx: Arc<tokio::sync::Mutex<tokio::sync::mpsc::Receiver<usize>>>,
    pending: Arc<TokioPending>,
}

impl WorkQueue for Tokio {
    type P = TokioProducer;
    type C = TokioConsumer;

    fn new(capacity: usize) -> (Self::P, Self::C) {
        let (tx, rx) = tokio::sync::mpsc::channel(capacity);
        let pending = Arc::new(TokioPending {
            count: AtomicUsize::new(0),
            zero: tokio::sync::Notify::new(),
        });
        let consumer = TokioConsumer {
            rx: Arc::new(tokio::sync::Mutex::new(rx)),
            pending: pending.clone(),
        };
        (TokioProducer { tx, pending }, consumer)
    }

    async fn put(p: &Self::P, value: usize) {
        p.pending.count.fetch_add(1, Ordering::AcqRel);
        assert!(p.tx.send(value).await.is_ok(), "consumers gone");
    }

    async fn get(c: &Self::C) -> Option<usize> {
        c.rx.lock().await.recv().await
    }

    fn task_done(c: &Self::C) {
        if c.pending.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            c.pending.zero.notify_one();
        }
    }

    async fn join(p: &Self::P) {
        // A stale permit (the count touched zero earlier) only costs one more check.
        while p.pending.count.load(Ordering::Acquire) != 0 {
            p.pending.zero.notified().await;
        }
    }

    fn close(p: Self::P) {
        drop(p);
    }
}

struct SmolPending {
    count: AtomicUsize,
    /// A `bounded(1)` channel as the notification: `try_send` when the count drops to zero
    /// (a message already waiting is enough), `join` receives.
    zero_tx: smol::channel::Sender<()>,
    zero_rx: smol::channel::Receiver<()>,
}

struct SmolProducer {
    tx: smol::channel::Sender<usize>,
    pending: Arc<SmolPending>,
}

#[derive(Clone)]
struct SmolConsumer {
    rx: smol::channel::Receiver<usize>,
    pending: Arc<SmolPending>,
}

impl WorkQueue for Smol {
    type P = SmolProducer;
    type C = SmolConsumer;

    fn new(capacity: usize) -> (Self::P, Self::C) {
        let (tx, rx) = smol::channel::bounded(capacity);
        let (zero_tx, zero_rx) = smol::channel::bounded(1);
        let pending = Arc::new(SmolPending {
            count: AtomicUsize::new(0),
            zero_tx,
            zero_rx,
        });
        let consumer = SmolConsumer {
            rx,
            pending: pending.clone(),
        };
        (SmolProducer { tx, pending }, consumer)
    }

    async fn put(p: &Self::P, value: usize) {
        p.pending.count.fetch_add(1, Ordering::AcqRel);
        assert!(p.tx.send(value).await.is_ok(), "consumers gone");
    }

    async fn get(c: &Self::C) -> Option<usize> {
        c.rx.recv().await.ok()
    }

    fn task_done(c: &Self::C) {
        if c.pending.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            let _ = c.pending.zero_tx.try_send(());
        }
    }

    async fn join(p: &Self::P) {
        while p.pending.count.load(Ordering::Acquire) != 0 {
            p.pending
                .zero_rx
                .recv()
                .await
                .expect("notification channel open");
        }
    }

    fn close(p: Self::P) {
        p.tx.close();
    }
}

// ---------------------------------------------------------------------------------------------
// Scenarios (generic: identical code for the three primitives, all on `runtime`)
// ---------------------------------------------------------------------------------------------

/// Run `fut` as the main task of `rt`; block the bench thread until it returns.
fn run<F>(rt: &RuntimeRt, fut: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    rt.0.run(fut).expect("benchmark task failed")
}

/// `producers` tasks send `NUM_MESSAGES` in total through one channel to the main task.
fn mpsc_many<C: Chan>(
    g: &mut Group<'_>,
    id: &str,
    rt: &RuntimeRt,
    producers: usize,
    bounded: bool,
) {
    let per_producer = NUM_MESSAGES / producers;
    g.bench_function(id, |b| {
        b.iter(|| {
            let received = run(rt, async move {
                let (tx, mut rx) = if bounded {
                    C::bounded(CAPACITY)
                } else {
                    C::unbounded()
                };
                for _ in 0..producers {
                    let tx = tx.clone();
                    runtime::spawn(async move {
                        for i in 0..per_producer {
                            C::send(&tx, i).await;
                        }
                    })
                    .detach();
                }
                drop(tx);
                let mut received = 0;
                while let Some(v) = C::recv(&mut rx).await {
                    black_box(v);
                    received += 1;
                }
                received
            });
            assert_eq!(received, per_producer * producers);
        })
    });
}

fn mpsc_bounded<C: Chan>(g: &mut Group<'_>, id: &str, rt: &RuntimeRt, producers: usize) {
    mpsc_many::<C>(g, id, rt, producers, true);
}

fn mpsc_unbounded<C: Chan>(g: &mut Group<'_>, id: &str, rt: &RuntimeRt, producers: usize) {
    mpsc_many::<C>(g, id, rt, producers, false);
}

/// One task owns both ends of a bounded channel and sends then receives, `NUM_MESSAGES` times:
/// never a wait, never a wake-up.
fn mpsc_uncontended<C: Chan>(g: &mut Group<'_>, id: &str, rt: &RuntimeRt) {
    g.bench_function(id, |b| {
        b.iter(|| {
            run(rt, async {
                let (tx, mut rx) = C::bounded(CAPACITY);
                for i in 0..NUM_MESSAGES {
                    C::send(&tx, i).await;
                    assert_eq!(C::recv(&mut rx).await, Some(i));
                }
            });
        })
    });
}

/// The main task spawns `NUM_ONESHOTS` tasks, each sending on its own oneshot channel, then
/// receives from every channel in order.
fn oneshot<O: Oneshot>(g: &mut Group<'_>, id: &str, rt: &RuntimeRt) {
    g.bench_function(id, |b| {
        b.iter(|| {
            let sum = run(rt, async {
                let mut rxs = Vec::with_capacity(NUM_ONESHOTS);
                for i in 0..NUM_ONESHOTS {
                    let (tx, rx) = O::channel();
                    runtime::spawn(async move { O::send(tx, i) }).detach();
                    rxs.push(rx);
                }
                let mut sum = 0;
                for rx in rxs {
                    sum += O::recv(rx).await;
                }
                sum
            });
            assert_eq!(sum, NUM_ONESHOTS * (NUM_ONESHOTS - 1) / 2);
        })
    });
}

/// Spawn `NUM_TASKS` copies of `task(i)` and wait for them all.
async fn spawn_all<F, M>(task: M)
where
    F: Future<Output = ()> + Send + 'static,
    M: Fn(usize) -> F,
{
    let tasks: Vec<_> = (0..NUM_TASKS).map(|i| runtime::spawn(task(i))).collect();
    for t in tasks {
        t.await.expect("benchmark task failed");
    }
}

/// `NUM_TASKS` tasks each lock the shared counter `NUM_ROUNDS` times.
fn mutex_contended<L: Lock>(g: &mut Group<'_>, id: &str, rt: &RuntimeRt) {
    g.bench_function(id, |b| {
        b.iter(|| {
            let total = run(rt, async {
                let m = Arc::new(L::new());
                spawn_all(|_| {
                    let m = m.clone();
                    async move {
                        for _ in 0..NUM_ROUNDS {
                            L::increment(&m).await;
                        }
                    }
                })
                .await;
                L::value(&m).await
            });
            assert_eq!(total, NUM_TASKS * NUM_ROUNDS);
        })
    });
}

/// `NUM_TASKS` tasks each acquire and release a permit `NUM_ROUNDS` times.
fn semaphore<P: Permits>(g: &mut Group<'_>, id: &str, rt: &RuntimeRt) {
    g.bench_function(id, |b| {
        b.iter(|| {
            run(rt, async {
                let s = Arc::new(P::new(SEMAPHORE_PERMITS));
                spawn_all(|_| {
                    let s = s.clone();
                    async move {
                        for _ in 0..NUM_ROUNDS {
                            P::acquire_release(&s).await;
                        }
                    }
                })
                .await;
            });
        })
    });
}

/// The main task puts `QUEUE_ITEMS` into a bounded queue served by `QUEUE_CONSUMERS` tasks
/// that call `task_done` per item, `join`s, then closes the queue and waits for the consumers.
fn queue_task_done_join<Q: WorkQueue>(g: &mut Group<'_>, id: &str, rt: &RuntimeRt) {
    g.bench_function(id, |b| {
        b.iter(|| {
            let consumed = run(rt, async {
                let (p, c) = Q::new(CAPACITY);
                let consumers: Vec<_> = (0..QUEUE_CONSUMERS)
                    .map(|_| {
                        let c = c.clone();
                        runtime::spawn(async move {
                            let mut n = 0;
                            while let Some(v) = Q::get(&c).await {
                                black_box(v);
                                n += 1;
                                Q::task_done(&c);
                            }
                            n
                        })
                    })
                    .collect();
                drop(c);
                for i in 0..QUEUE_ITEMS {
                    Q::put(&p, i).await;
                }
                Q::join(&p).await;
                Q::close(p);
                let mut consumed = 0;
                for t in consumers {
                    consumed += t.await.expect("consumer failed");
                }
                consumed
            });
            assert_eq!(consumed, QUEUE_ITEMS);
        })
    });
}

// ---------------------------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------------------------

/// One criterion group with the functions `runtime`, `tokio` and `smol`: the scenario `$f`
/// instantiated with each primitive, all on one `runtime` multi-thread runtime.
macro_rules! primitives {
    ($c:expr, $name:expr, $f:ident $(, $arg:expr)*) => {{
        let mut g = group($c, $name);
        let rt = RuntimeRt::start(workers());
        $f::<Ours>(&mut g, "runtime", &rt $(, $arg)*);
        $f::<Tokio>(&mut g, "tokio", &rt $(, $arg)*);
        $f::<Smol>(&mut g, "smol", &rt $(, $arg)*);
        g.finish();
    }};
}

fn sync(c: &mut Criterion) {
    primitives!(c, "mpsc_bounded_1p", mpsc_bounded, 1);
    primitives!(c, "mpsc_bounded_4p", mpsc_bounded, 4);
    primitives!(c, "mpsc_unbounded_1p", mpsc_unbounded, 1);
    primitives!(c, "mpsc_unbounded_4p", mpsc_unbounded, 4);
    primitives!(c, "mpsc_uncontended", mpsc_uncontended);
    primitives!(c, "oneshot", oneshot);
    primitives!(c, "mutex_contended", mutex_contended);
    primitives!(c, "semaphore", semaphore);
    primitives!(c, "queue_task_done_join", queue_task_done_join);
}

criterion_group!(benches, sync);
criterion_main!(benches);
