//! Shared by the memory examples (`idle_memory`, `sleep_memory`): spawn `TASKS` tasks that each
//! get polled once and then wait, on a runtime with `WORKERS` worker threads, and report how much
//! the process's resident set (`VmRSS` in `/proc/self/status`) grew per task, how long spawning
//! took and how long dropping the runtime (with every task still waiting) took.
//!
//! Each runtime is measured in its own child process: the example re-executes itself with the
//! runtime's name as the argument, so the three measurements do not pollute each other.

use std::future::Future;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

pub const TASKS: usize = 1_000_000;
/// Tasks are spawned in batches; each batch is polled before the next is spawned, so the ready
/// queues stay short and the measurement is dominated by the waiting tasks themselves.
const BATCH: usize = 10_000;
pub const WORKERS: usize = 2;
const RUNTIMES: [&str; 3] = ["runtime", "tokio", "smol"];

/// How many tasks have been polled (and are now waiting).
static STARTED: AtomicUsize = AtomicUsize::new(0);

/// Called by each task on its first poll, just before it starts waiting.
pub fn started() {
    STARTED.fetch_add(1, Ordering::Relaxed);
}

/// The task each runtime spawns `TASKS` times: polled once, then waiting.
pub trait Tasks {
    fn runtime() -> impl Future<Output = ()> + Send + 'static;
    fn tokio() -> impl Future<Output = ()> + Send + 'static;
    fn smol() -> impl Future<Output = ()> + Send + 'static;
}

/// Resident set size of this process in bytes.
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .expect("VmRSS in /proc/self/status");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("VmRSS value");
    kib * 1024
}

fn wait_started(n: usize) {
    while STARTED.load(Ordering::Relaxed) < n {
        thread::sleep(Duration::from_micros(200));
    }
}

/// An `async_executor::Executor` run by `workers` threads, each inside `smol::block_on` (which
/// also drives async-io's reactor and its timers, as smol's global executor does); stops and
/// joins them on drop.
struct SmolRt {
    ex: Arc<async_executor::Executor<'static>>,
    stop: Option<smol::channel::Sender<()>>,
    threads: Vec<thread::JoinHandle<()>>,
}

impl SmolRt {
    fn new(workers: usize) -> Self {
        let ex = Arc::new(async_executor::Executor::new());
        let (stop, stopped) = smol::channel::bounded::<()>(1);
        let threads = (0..workers)
            .map(|_| {
                let ex = ex.clone();
                let stopped = stopped.clone();
                thread::spawn(move || {
                    let _ = smol::block_on(ex.run(stopped.recv()));
                })
            })
            .collect();
        SmolRt {
            ex,
            stop: Some(stop),
            threads,
        }
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

/// Spawns `TASKS` tasks with `spawn` (in batches), returns (rss growth in bytes, spawn time).
fn measure(mut spawn: impl FnMut()) -> (u64, Duration) {
    // Warm up: let the runtime make its lazy allocations before the baseline.
    for _ in 0..BATCH {
        spawn();
    }
    wait_started(BATCH);
    let before = rss_bytes();
    let start = Instant::now();
    let mut spawned = BATCH;
    while spawned < BATCH + TASKS {
        for _ in 0..BATCH {
            spawn();
        }
        spawned += BATCH;
        wait_started(spawned);
    }
    let elapsed = start.elapsed();
    let after = rss_bytes();
    (after.saturating_sub(before), elapsed)
}

/// Measures `spawn` on `rt`, then times dropping `rt`: (rss growth, spawn time, drop time).
fn measure_and_drop<R>(rt: R, spawn: impl Fn(&R)) -> (u64, Duration, Duration) {
    let (grown, spawn_time) = measure(|| spawn(&rt));
    let start = Instant::now();
    drop(rt);
    (grown, spawn_time, start.elapsed())
}

/// Child mode: measure one runtime and print `name bytes_per_task spawn_ms drop_ms`.
fn child<T: Tasks>(name: &str) {
    let (grown, spawn_time, drop_time) = match name {
        "runtime" => {
            let rt = runtime::Runtime::builder()
                .worker_threads(WORKERS)
                .build()
                .expect("build runtime");
            measure_and_drop(rt, |rt| rt.spawn(T::runtime()).detach())
        }
        "tokio" => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(WORKERS)
                .enable_time()
                .build()
                .expect("build tokio runtime");
            measure_and_drop(rt, |rt| drop(rt.spawn(T::tokio())))
        }
        "smol" => {
            let rt = SmolRt::new(WORKERS);
            measure_and_drop(rt, |rt| rt.ex.spawn(T::smol()).detach())
        }
        other => panic!("unknown runtime {other:?}; expected one of {RUNTIMES:?}"),
    };
    println!(
        "{name} {:.1} {:.1} {:.1}",
        grown as f64 / TASKS as f64,
        spawn_time.as_secs_f64() * 1e3,
        drop_time.as_secs_f64() * 1e3,
    );
}

/// The examples' `main`: with a runtime name as the argument, measure that runtime (child
/// mode); without, run one child per runtime and print a markdown table. `what` names the tasks
/// ("idle tasks"), `per` one of them ("idle task").
pub fn main<T: Tasks>(what: &str, per: &str) {
    if let Some(name) = std::env::args().nth(1) {
        child::<T>(&name);
        return;
    }
    let exe = std::env::current_exe().expect("current_exe");
    println!("{TASKS} {what}, {WORKERS} workers, one child process per runtime\n");
    println!(
        "| runtime | bytes per {per} | spawn {TASKS} (ms) | drop runtime (ms) |\n|---|---:|---:|---:|"
    );
    for name in RUNTIMES {
        let out = Command::new(&exe)
            .arg(name)
            .output()
            .expect("run child process");
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let why: Vec<&str> = stderr.lines().take(2).collect();
            println!(
                "| {name} | failed ({}): {} | | |",
                out.status,
                why.join(" ")
            );
            continue;
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let fields: Vec<&str> = stdout.split_whitespace().collect();
        match fields.as_slice() {
            [_, bytes, spawn_ms, drop_ms] => {
                println!("| {name} | {bytes} | {spawn_ms} | {drop_ms} |")
            }
            _ => println!("| {name} | unexpected output: {} | | |", stdout.trim()),
        }
    }
}
