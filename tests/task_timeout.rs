//! asyncio `wait_for` on tasks (`Task::timeout`: cancel, then wait), nested
//! deadlines, an outside cancel during a timeout, and graceful cancellation
//! (`task::Builder::graceful` + `task::cancel_requested`).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{SetOnDrop, multi, paused};
use runtime::task;
use runtime::time::{self, sleep, timeout};

#[test]
fn task_timeout_cancels_and_waits_for_the_task() {
    let rt = paused();
    rt.block_on(async {
        let dropped = Arc::new(AtomicBool::new(false));
        let guard = SetOnDrop(dropped.clone());
        let slow = runtime::spawn(async move {
            let _guard = guard;
            sleep(Duration::from_secs(60)).await;
        });
        let id = slow.id();
        let start = time::now();
        assert!(slow.timeout(Duration::from_secs(5)).await.is_err());
        assert_eq!(time::now() - start, Duration::from_secs(5));
        // Waited for: the future is already dropped and the task is gone.
        assert!(dropped.load(Ordering::SeqCst));
        assert!(task::all_tasks().iter().all(|t| t.id() != id));
    });
}

#[test]
fn task_timeout_passes_results_through() {
    let rt = paused();
    rt.block_on(async {
        let quick = runtime::spawn(async { 3 });
        assert_eq!(
            quick
                .timeout(Duration::from_secs(1))
                .await
                .unwrap()
                .unwrap(),
            3
        );
        let boom = runtime::spawn(async { panic!("inner") });
        let err = boom
            .timeout(Duration::from_secs(1))
            .await
            .expect("in time")
            .expect_err("panicked");
        assert!(err.is_panic());
    });
}

#[test]
fn task_timeout_waits_for_graceful_cleanup() {
    let rt = paused();
    rt.block_on(async {
        let cleaned = Arc::new(AtomicBool::new(false));
        let flag = cleaned.clone();
        let worker = task::Builder::new().graceful().spawn(async move {
            task::cancel_requested().await;
            sleep(Duration::from_secs(2)).await; // clean-up that awaits
            flag.store(true, Ordering::SeqCst);
        });
        let start = time::now();
        assert!(worker.timeout(Duration::from_secs(1)).await.is_err());
        assert!(
            cleaned.load(Ordering::SeqCst),
            "Elapsed only after the clean-up"
        );
        assert_eq!(time::now() - start, Duration::from_secs(3));
    });
}

#[test]
fn graceful_task_is_not_dropped_by_cancel_and_returns_its_value() {
    let rt = multi(2);
    rt.block_on(async {
        let (started_tx, started_rx) = futures::channel::oneshot::channel();
        let worker = task::Builder::new().graceful().spawn(async move {
            let requested_at_start = task::is_cancel_requested();
            started_tx.send(()).expect("test alive");
            assert!(!requested_at_start);
            task::cancel_requested().await;
            assert!(task::is_cancel_requested());
            runtime::yield_now().await;
            "wound down"
        });
        started_rx.await.expect("worker started");
        assert!(worker.cancel());
        assert_eq!(
            worker.await.expect("graceful tasks return normally"),
            "wound down"
        );
    });
}

#[test]
fn graceful_task_is_still_dropped_at_shutdown() {
    let dropped = Arc::new(AtomicBool::new(false));
    {
        let rt = multi(1);
        let guard = SetOnDrop(dropped.clone());
        let _t = rt.handle().clone();
        task::Builder::new()
            .graceful()
            .spawn_on(
                async move {
                    let _guard = guard;
                    std::future::pending::<()>().await
                },
                rt.handle(),
            )
            .detach();
    }
    assert!(dropped.load(Ordering::SeqCst));
}

#[test]
fn nested_timeouts_outer_expiry_drops_the_inner_block() {
    let rt = paused();
    rt.block_on(async {
        let inner_dropped = Arc::new(AtomicBool::new(false));
        let guard = SetOnDrop(inner_dropped.clone());
        let start = time::now();
        let outer = timeout(Duration::from_secs(1), async move {
            timeout(Duration::from_secs(10), async move {
                let _guard = guard;
                sleep(Duration::from_secs(100)).await;
            })
            .await
        })
        .await;
        assert!(outer.is_err(), "the outer deadline is the one that fires");
        assert_eq!(time::now() - start, Duration::from_secs(1));
        assert!(inner_dropped.load(Ordering::SeqCst));
    });
}

#[test]
fn an_outside_cancel_during_a_timeout_reports_cancellation() {
    let rt = paused();
    rt.block_on(async {
        let waiter = runtime::spawn(async {
            timeout(Duration::from_secs(10), sleep(Duration::from_secs(100))).await
        });
        runtime::yield_now().await;
        assert!(waiter.cancel_with("stop waiting"));
        let err = waiter.await.expect_err("cancelled, not Elapsed");
        assert!(err.is_cancelled());
        assert_eq!(err.cancel_message(), Some("stop waiting"));
    });
}
