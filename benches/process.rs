//! Side-by-side subprocess benchmarks: `runtime::process` vs `tokio::process` vs smol's
//! `async-process`, each on its own runtime with `num_cpus::get()` workers, plus blocking
//! `std::process` as the floor for the sequential case.
//!
//! Issue 6, point 7.
//! - `spawn_wait_sequential`: spawn `true` and wait for it, `SPAWNS` times one after another.
//! - `spawn_wait_64_at_a_time`: `SPAWNS` spawns of `true`, 64 in flight at once.
//! - `cat_256mib`: 256 MiB written to `cat`'s stdin while its stdout is read back, the writer
//!   and the reader joined in one task (the same shape on all three).

#[allow(unused)] // Latch, `scenario!` and the spawner handles serve the other benchmarks
mod common;

use std::future::Future;
use std::process::Stdio;
use std::time::Duration;

use common::{RuntimeRt, SmolRt, Timers, TokioRt, workers};
use criterion::{Criterion, criterion_group, criterion_main};

const SPAWNS: usize = 128;
const IN_FLIGHT: usize = 64;
const CAT_BYTES: usize = 256 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

trait Proc: Sized {
    fn new(workers: usize) -> Self;
    fn block_on<F: Future<Output = T> + Send + 'static, T: Send + 'static>(&self, f: F) -> T;
    fn spawn<F: Future<Output = T> + Send + 'static, T: Send + 'static>(
        &self,
        f: F,
    ) -> impl Future<Output = T> + Send + 'static;
    /// Spawns `true` and waits for it.
    fn run_true() -> impl Future<Output = ()> + Send + 'static;
    /// Pipes `bytes` through `cat`; returns how many came back.
    fn cat(bytes: usize) -> impl Future<Output = usize> + Send + 'static;
}

impl Proc for RuntimeRt {
    fn new(workers: usize) -> Self {
        RuntimeRt::start(workers)
    }

    fn block_on<F: Future<Output = T> + Send + 'static, T: Send + 'static>(&self, f: F) -> T {
        self.0.block_on(self.0.spawn(f)).expect("task")
    }

    fn spawn<F: Future<Output = T> + Send + 'static, T: Send + 'static>(
        &self,
        f: F,
    ) -> impl Future<Output = T> + Send + 'static {
        let task = runtime::spawn(f);
        async move { task.await.expect("task") }
    }

    async fn run_true() {
        let status = runtime::process::Command::new("true")
            .status()
            .await
            .expect("spawn true");
        assert!(status.success());
    }

    async fn cat(bytes: usize) -> usize {
        let mut child = runtime::process::Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn cat");
        let mut stdin = child.stdin.take().expect("stdin").into_parts().0;
        let mut stdout = child.stdout.take().expect("stdout").into_parts().0;
        let write = async move {
            let chunk = vec![7u8; CHUNK];
            for _ in 0..bytes / CHUNK {
                stdin.write_all(&chunk).await.expect("write");
            }
        };
        let read = async move {
            let mut buf = vec![0u8; CHUNK];
            let mut total = 0;
            loop {
                match stdout.read(&mut buf).await.expect("read") {
                    0 => break,
                    n => total += n,
                }
            }
            total
        };
        let ((), total) = runtime::join!(write, read);
        child.wait().await.expect("wait");
        total
    }
}

impl Proc for TokioRt {
    fn new(workers: usize) -> Self {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(workers).enable_all();
        TokioRt(builder.build().expect("build tokio runtime"))
    }

    fn block_on<F: Future<Output = T> + Send + 'static, T: Send + 'static>(&self, f: F) -> T {
        self.0.block_on(self.0.spawn(f)).expect("task")
    }

    fn spawn<F: Future<Output = T> + Send + 'static, T: Send + 'static>(
        &self,
        f: F,
    ) -> impl Future<Output = T> + Send + 'static {
        let task = tokio::spawn(f);
        async move { task.await.expect("task") }
    }

    async fn run_true() {
        let status = tokio::process::Command::new("true")
            .status()
            .await
            .expect("spawn true");
        assert!(status.success());
    }

    async fn cat(bytes: usize) -> usize {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut child = tokio::process::Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn cat");
        let mut stdin = child.stdin.take().expect("stdin");
        let mut stdout = child.stdout.take().expect("stdout");
        let write = async move {
            let chunk = vec![7u8; CHUNK];
            for _ in 0..bytes / CHUNK {
                stdin.write_all(&chunk).await.expect("write");
            }
        };
        let read = async move {
            let mut buf = vec![0u8; CHUNK];
            let mut total = 0;
            loop {
                match stdout.read(&mut buf).await.expect("read") {
                    0 => break,
                    n => total += n,
                }
            }
            total
        };
        let ((), total) = tokio::join!(write, read);
        child.wait().await.expect("wait");
        total
    }
}

impl Proc for SmolRt {
    fn new(workers: usize) -> Self {
        SmolRt::start(workers, Timers::On)
    }

    fn block_on<F: Future<Output = T> + Send + 'static, T: Send + 'static>(&self, f: F) -> T {
        smol::future::block_on(self.ex.spawn(f))
    }

    fn spawn<F: Future<Output = T> + Send + 'static, T: Send + 'static>(
        &self,
        f: F,
    ) -> impl Future<Output = T> + Send + 'static {
        self.ex.spawn(f)
    }

    async fn run_true() {
        let status = smol::process::Command::new("true")
            .status()
            .await
            .expect("spawn true");
        assert!(status.success());
    }

    async fn cat(bytes: usize) -> usize {
        use smol::io::{AsyncReadExt, AsyncWriteExt};
        let mut child = smol::process::Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn cat");
        let mut stdin = child.stdin.take().expect("stdin");
        let mut stdout = child.stdout.take().expect("stdout");
        let write = async move {
            let chunk = vec![7u8; CHUNK];
            for _ in 0..bytes / CHUNK {
                stdin.write_all(&chunk).await.expect("write");
            }
        };
        let read = async move {
            let mut buf = vec![0u8; CHUNK];
            let mut total = 0;
            loop {
                match stdout.read(&mut buf).await.expect("read") {
                    0 => break,
                    n => total += n,
                }
            }
            total
        };
        let ((), total) = smol::future::zip(write, read).await;
        child.status().await.expect("wait");
        total
    }
}

fn sequential<P: Proc + Send + Sync + 'static>(g: &mut common::Group<'_>, id: &str) {
    let rt = P::new(workers());
    g.bench_function(id, |b| {
        b.iter(|| {
            rt.block_on(async {
                for _ in 0..SPAWNS {
                    P::run_true().await;
                }
            })
        })
    });
}

fn concurrent<P: Proc + Send + Sync + Clone + 'static>(g: &mut common::Group<'_>, id: &str, rt: P) {
    let spawner = rt.clone();
    g.bench_function(id, |b| {
        b.iter(|| {
            let spawner = spawner.clone();
            rt.block_on(async move {
                let mut done = 0;
                while done < SPAWNS {
                    let batch: Vec<_> = (0..IN_FLIGHT.min(SPAWNS - done))
                        .map(|_| spawner.spawn(P::run_true()))
                        .collect();
                    done += batch.len();
                    for task in batch {
                        task.await;
                    }
                }
            })
        })
    });
}

fn cat<P: Proc>(g: &mut common::Group<'_>, id: &str) {
    let rt = P::new(workers());
    g.bench_function(id, |b| {
        b.iter(|| assert_eq!(rt.block_on(P::cat(CAT_BYTES)), CAT_BYTES))
    });
}

/// A `Proc` behind an `Arc`, so the concurrent scenario can hand it to its driver task.
struct Shared<P>(std::sync::Arc<P>);

impl<P> Clone for Shared<P> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<P: Proc + Send + Sync + 'static> Proc for Shared<P> {
    fn new(workers: usize) -> Self {
        Shared(std::sync::Arc::new(P::new(workers)))
    }

    fn block_on<F: Future<Output = T> + Send + 'static, T: Send + 'static>(&self, f: F) -> T {
        self.0.block_on(f)
    }

    fn spawn<F: Future<Output = T> + Send + 'static, T: Send + 'static>(
        &self,
        f: F,
    ) -> impl Future<Output = T> + Send + 'static {
        self.0.spawn(f)
    }

    fn run_true() -> impl Future<Output = ()> + Send + 'static {
        P::run_true()
    }

    fn cat(bytes: usize) -> impl Future<Output = usize> + Send + 'static {
        P::cat(bytes)
    }
}

fn group<'a>(c: &'a mut Criterion, name: &str) -> common::Group<'a> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1));
    g
}

fn benches(c: &mut Criterion) {
    let mut g = group(c, "spawn_wait_sequential");
    sequential::<RuntimeRt>(&mut g, "runtime");
    sequential::<TokioRt>(&mut g, "tokio");
    sequential::<SmolRt>(&mut g, "smol");
    g.bench_function("std_blocking", |b| {
        b.iter(|| {
            for _ in 0..SPAWNS {
                let status = std::process::Command::new("true")
                    .status()
                    .expect("spawn true");
                assert!(status.success());
            }
        })
    });
    g.finish();

    let mut g = group(c, "spawn_wait_64_at_a_time");
    concurrent(&mut g, "runtime", Shared::<RuntimeRt>::new(workers()));
    concurrent(&mut g, "tokio", Shared::<TokioRt>::new(workers()));
    concurrent(&mut g, "smol", Shared::<SmolRt>::new(workers()));
    g.finish();

    let mut g = group(c, "cat_256mib");
    g.throughput(criterion::Throughput::Bytes(CAT_BYTES as u64));
    cat::<RuntimeRt>(&mut g, "runtime");
    cat::<TokioRt>(&mut g, "tokio");
    cat::<SmolRt>(&mut g, "smol");
    g.finish();
}

criterion_group!(process, benches);
criterion_main!(process);
