//! Shutdown: dropping a `Runtime` drops every unfinished task's future exactly once (100,000
//! pending tasks, in the injector, in local queues and parked), leaving `run()` drops main's
//! leftover tasks, a future whose drop spawns on the dying runtime does not hang the drop,
//! spawning on a `Handle` whose runtime is gone reports cancellation instead of hanging,
//! `shutdown_timeout` bounds the wait for a stuck blocking job, and worker and blocking threads
//! are joined (no thread named after `thread_name` survives the drop).

mod common;

use std::fs;
use std::future::pending;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use common::{CountOnDrop, HANG, SetOnDrop, current_thread, multi, within};
use runtime::task::Task;
use runtime::{Handle, Runtime};

fn parked(counter: &Arc<AtomicUsize>) -> impl std::future::Future<Output = ()> + Send + 'static {
    let guard = CountOnDrop(Arc::clone(counter));
    async move {
        let _guard = guard;
        pending::<()>().await;
    }
}

#[test]
fn dropping_the_runtime_drops_every_pending_future_once() {
    within(Duration::from_secs(60), || {
        const N: usize = 100_000;
        let dropped = Arc::new(AtomicUsize::new(0));
        let rt = multi(2);
        // Half from outside (injector), half from inside a task (local queues).
        for _ in 0..N / 2 {
            drop(rt.spawn(parked(&dropped)));
        }
        let inner = Arc::clone(&dropped);
        rt.spawn(async move {
            for _ in 0..N / 2 - 10 {
                drop(runtime::spawn(parked(&inner)));
            }
        })
        .join_blocking()
        .expect("spawner task");
        let kept: Vec<Task<()>> = (0..10).map(|_| rt.spawn(parked(&dropped))).collect();
        assert_eq!(
            dropped.load(Ordering::SeqCst),
            0,
            "pending tasks were dropped before shutdown (unpolled handles must detach)"
        );
        drop(rt);
        assert_eq!(
            dropped.load(Ordering::SeqCst),
            N,
            "dropping the runtime must drop each unfinished future exactly once"
        );
        for t in kept {
            let err = t.join_blocking().expect_err("no value after shutdown");
            assert!(err.is_cancelled(), "expected cancellation, got {err:?}");
        }
    });
}

#[test]
fn leaving_run_drops_leftover_tasks() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let d2 = Arc::clone(&dropped);
    let v = within(HANG, move || {
        runtime::run(async move {
            for _ in 0..100 {
                runtime::spawn(parked(&d2)).detach();
            }
            runtime::yield_now().await;
            5
        })
    });
    assert_eq!(v, 5);
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        100,
        "tasks left pending when main returns are dropped by run()"
    );
}

/// Spawns onto the runtime from its `Drop` — i.e. while that runtime is shutting down.
struct SpawnOnDrop {
    handle: Handle,
    late: Arc<AtomicUsize>,
}

impl Drop for SpawnOnDrop {
    fn drop(&mut self) {
        let guard = CountOnDrop(Arc::clone(&self.late));
        self.handle
            .spawn(async move {
                let _guard = guard;
                pending::<()>().await;
            })
            .detach();
    }
}

#[test]
fn spawning_from_a_drop_during_shutdown_does_not_hang() {
    let late = Arc::new(AtomicUsize::new(0));
    let l2 = Arc::clone(&late);
    within(HANG, move || {
        let rt = multi(2);
        for _ in 0..100 {
            let g = SpawnOnDrop {
                handle: rt.handle().clone(),
                late: Arc::clone(&l2),
            };
            rt.spawn(async move {
                let _g = g;
                pending::<()>().await;
            })
            .detach();
        }
        drop(rt);
    });
    assert_eq!(
        late.load(Ordering::SeqCst),
        100,
        "futures spawned during shutdown must be dropped too (rejected or owned and dropped)"
    );
}

#[test]
fn spawn_on_a_dead_runtime_reports_cancellation() {
    within(HANG, || {
        let rt = multi(2);
        let handle = rt.handle().clone();
        drop(rt);

        let dropped = Arc::new(AtomicBool::new(false));
        let guard = SetOnDrop(Arc::clone(&dropped));
        let t = handle.spawn(async move {
            let _guard = guard;
            1
        });
        let err = t.join_blocking().expect_err("a dead runtime runs nothing");
        assert!(err.is_cancelled(), "expected cancellation, got {err:?}");
        assert!(
            dropped.load(Ordering::SeqCst),
            "the rejected future is dropped"
        );

        // Awaited on another runtime, from a task there.
        let other = multi(1);
        let h2 = handle.clone();
        let err = other
            .run(async move { h2.spawn(async { 2 }).await })
            .expect("main task")
            .expect_err("a dead runtime runs nothing");
        assert!(err.is_cancelled(), "expected cancellation, got {err:?}");
        let fresh = current_thread();
        let err = fresh
            .block_on(handle.spawn(async { 3 }))
            .expect_err("a dead runtime runs nothing");
        assert!(err.is_cancelled());

        let err = handle
            .spawn_blocking(|| 4)
            .join_blocking()
            .expect_err("a dead runtime's blocking pool runs nothing");
        assert!(err.is_cancelled(), "expected cancellation, got {err:?}");
    });
}

fn stuck_job(rt: &Runtime) {
    let (started_tx, started_rx) = mpsc::channel();
    rt.spawn_blocking(move || {
        started_tx.send(()).unwrap();
        thread::sleep(Duration::from_secs(5));
    })
    .detach();
    started_rx
        .recv_timeout(Duration::from_secs(5))
        .expect("blocking job started");
}

#[test]
fn builder_shutdown_timeout_bounds_drop_with_a_stuck_blocking_job() {
    within(HANG, || {
        let rt = Runtime::builder()
            .worker_threads(2)
            .shutdown_timeout(Duration::from_millis(200))
            .build()
            .expect("build runtime");
        stuck_job(&rt);
        let start = Instant::now();
        drop(rt);
        let took = start.elapsed();
        assert!(
            took < Duration::from_secs(3),
            "drop waited {took:?} for a stuck blocking job despite shutdown_timeout(200 ms)"
        );
    });
}

#[test]
fn runtime_shutdown_timeout_bounds_the_wait() {
    within(HANG, || {
        let rt = multi(2);
        stuck_job(&rt);
        let start = Instant::now();
        rt.shutdown_timeout(Duration::from_millis(200));
        let took = start.elapsed();
        assert!(
            took < Duration::from_secs(3),
            "shutdown_timeout(200 ms) took {took:?} with a stuck blocking job"
        );
    });
}

/// Threads of this process whose kernel name (`comm`, at most 15 bytes) starts with `prefix`.
fn threads_named(prefix: &str) -> usize {
    fs::read_dir("/proc/self/task")
        .expect("read /proc/self/task")
        .filter_map(|e| fs::read_to_string(e.ok()?.path().join("comm")).ok())
        .filter(|comm| comm.trim_end().starts_with(prefix))
        .count()
}

/// `/proc/self/task/<tid>` of the calling thread.
fn my_task_dir() -> PathBuf {
    let link = fs::read_link("/proc/thread-self").expect("read /proc/thread-self");
    let tid = link.file_name().expect("tid").to_owned();
    PathBuf::from("/proc/self/task").join(tid)
}

/// A joined thread can linger in `/proc` for a moment after `pthread_join` returns (the kernel
/// reaps it just after waking the joiner), so allow a short grace before calling it leaked.
fn gone_soon(what: &str, mut still_there: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_millis(500);
    while still_there() {
        assert!(
            Instant::now() < deadline,
            "{what} still alive after the runtime was dropped"
        );
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
#[cfg(target_os = "linux")]
fn worker_threads_are_joined_on_drop() {
    within(HANG, || {
        assert_eq!(
            threads_named("rt-test-x"),
            0,
            "no such threads before the runtime"
        );
        let rt = Runtime::builder()
            .worker_threads(2)
            .thread_name("rt-test-x")
            .build()
            .expect("build runtime");
        let tasks: Vec<Task<(Option<String>, PathBuf)>> = (0..100)
            .map(|_| {
                rt.spawn(async {
                    runtime::yield_now().await;
                    (thread::current().name().map(str::to_owned), my_task_dir())
                })
            })
            .collect();
        let mut worker_dirs = Vec::new();
        for t in tasks {
            let (name, dir) = t.join_blocking().expect("task");
            let name = name.expect("worker threads are named");
            assert!(
                name.starts_with("rt-test-x"),
                "worker thread named {name:?}"
            );
            if !worker_dirs.contains(&dir) {
                worker_dirs.push(dir);
            }
        }
        let blocking_dir = rt
            .spawn_blocking(my_task_dir)
            .join_blocking()
            .expect("blocking job");
        let before = threads_named("rt-test-x");
        assert!(
            before >= 1,
            "thread_name(\"rt-test-x\") is applied ({before} found)"
        );
        assert!(
            worker_dirs.len() <= 2,
            "2 workers, tasks ran on {worker_dirs:?}"
        );

        drop(rt);
        gone_soon("a thread named rt-test-x", || {
            threads_named("rt-test-x") > 0
        });
        gone_soon("a worker thread", || worker_dirs.iter().any(|d| d.exists()));
        gone_soon("the idle blocking-pool thread", || blocking_dir.exists());
    });
}

#[test]
#[cfg(target_os = "linux")]
fn many_runtimes_leave_no_threads_behind() {
    within(Duration::from_secs(30), || {
        for i in 0..30 {
            let rt = Runtime::builder()
                .worker_threads(2)
                .thread_name("rt-test-many")
                .build()
                .expect("build runtime");
            let v = rt.spawn(async move { i }).join_blocking().expect("task");
            assert_eq!(v, i);
            rt.spawn_blocking(|| ())
                .join_blocking()
                .expect("blocking job");
        }
        gone_soon("a thread named rt-test-many", || {
            threads_named("rt-test-many") > 0
        });
    });
}
