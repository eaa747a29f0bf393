//! The blocking pool: `spawn_blocking` / `to_thread` return the closure's result and run it off
//! the async workers; 64 jobs sleeping 200 ms overlap (all done in < 2 s); `max_blocking_threads`
//! bounds the concurrency (4 jobs of 200 ms on 2 threads take >= 390 ms); and a blocked job does
//! not stop async tasks from running.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use common::{HANG, multi, within};
use runtime::Runtime;
use runtime::task::Task;

const JOB: Duration = Duration::from_millis(200);

#[test]
fn sixty_four_sleeping_jobs_overlap() {
    within(HANG, || {
        let rt = multi(2);
        let start = Instant::now();
        let jobs: Vec<Task<usize>> = (0..64)
            .map(|i| {
                rt.spawn_blocking(move || {
                    thread::sleep(JOB);
                    i
                })
            })
            .collect();
        for (i, job) in jobs.into_iter().enumerate() {
            assert_eq!(job.join_blocking().expect("blocking job"), i);
        }
        let took = start.elapsed();
        assert!(
            took < Duration::from_secs(2),
            "64 blocking jobs of 200 ms took {took:?}: they did not overlap"
        );
    });
}

#[test]
fn sixty_four_sleeping_jobs_overlap_from_inside_a_task() {
    within(HANG, || {
        let took = runtime::run(async {
            let start = Instant::now();
            let jobs: Vec<Task<()>> = (0..64)
                .map(|_| runtime::spawn_blocking(|| thread::sleep(JOB)))
                .collect();
            for job in jobs {
                job.await.expect("blocking job");
            }
            start.elapsed()
        });
        assert!(
            took < Duration::from_secs(2),
            "64 blocking jobs of 200 ms awaited in a task took {took:?}"
        );
    });
}

#[test]
fn max_blocking_threads_queues_jobs() {
    within(HANG, || {
        let rt = Runtime::builder()
            .worker_threads(1)
            .max_blocking_threads(2)
            .build()
            .expect("build runtime");
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let start = Instant::now();
        let jobs: Vec<Task<()>> = (0..4)
            .map(|_| {
                let running = Arc::clone(&running);
                let peak = Arc::clone(&peak);
                rt.spawn_blocking(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    thread::sleep(JOB);
                    running.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for job in jobs {
            job.join_blocking().expect("blocking job");
        }
        let took = start.elapsed();
        let peak = peak.load(Ordering::SeqCst);
        assert!(
            peak <= 2,
            "{peak} blocking jobs ran at once with max_blocking_threads(2)"
        );
        assert!(
            took >= Duration::from_millis(390),
            "4 jobs of 200 ms on 2 blocking threads took only {took:?}: not queued"
        );
    });
}

#[test]
fn spawn_blocking_returns_the_result_from_another_thread() {
    within(HANG, || {
        let rt = multi(2);
        let (v, same_thread) = rt
            .run(async {
                let here = thread::current().id();
                runtime::spawn_blocking(move || (6 * 7, thread::current().id() == here))
                    .await
                    .expect("blocking job")
            })
            .expect("main task");
        assert_eq!(v, 42);
        assert!(!same_thread, "the job ran on the worker that awaited it");

        let caller = thread::current().id();
        let t = rt.spawn_blocking(move || thread::current().id() != caller);
        assert!(
            t.join_blocking().expect("from outside"),
            "the job ran on the caller's thread"
        );
        let owned = rt
            .handle()
            .spawn_blocking(|| String::from("owned"))
            .join_blocking()
            .expect("via handle");
        assert_eq!(owned, "owned");
    });
}

#[test]
fn to_thread_is_spawn_blocking() {
    within(HANG, || {
        let rt = multi(2);
        let (v, finished_after) = rt
            .run(async {
                let here = thread::current().id();
                let mut t = runtime::to_thread(move || {
                    thread::sleep(Duration::from_millis(20));
                    (thread::current().id() != here, 5)
                });
                let v = (&mut t).await.expect("to_thread job");
                (v, t.is_finished())
            })
            .expect("main task");
        assert_eq!(v, (true, 5), "ran off the worker and returned its value");
        assert!(
            finished_after,
            "a to_thread task is a Task: is_finished() after completion"
        );
    });
}

#[test]
fn a_blocked_job_does_not_block_async_tasks() {
    within(HANG, || {
        let rt = multi(1);
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let (started_tx, started_rx) = mpsc::channel::<()>();
        // Awaited from a task, so the worker is the one that would be stuck if the job ran there.
        let mut waiter = rt.spawn(async move {
            runtime::spawn_blocking(move || {
                started_tx.send(()).unwrap();
                release_rx.recv_timeout(Duration::from_secs(5)).is_ok()
            })
            .await
        });
        started_rx
            .recv_timeout(Duration::from_secs(5))
            .expect("blocking job started");
        let mut other = rt.spawn(async { runtime::spawn(async { 1 }).await.expect("nested") + 1 });
        let other = other.join_timeout(Duration::from_secs(2));
        release_tx.send(()).unwrap();
        match other {
            Ok(v) => assert_eq!(v, 2),
            Err(e) => panic!("an async task could not run while a blocking job was blocked: {e:?}"),
        }
        match waiter.join_timeout(Duration::from_secs(5)) {
            Ok(released) => assert!(released.expect("blocking job"), "job saw the release"),
            Err(e) => panic!("awaiting the blocking job failed: {e:?}"),
        }
    });
}
