//! Panics inside tasks: a panicking task reports `TaskError::is_panic` and hands back the
//! original payload (`&str`, `String` or any type), `try_into_panic` / `into_panic` on a
//! cancellation, panics in `spawn_blocking` / `to_thread` come back as `TaskError` (also through
//! `join_timeout`), `run` resumes main's panic and `Runtime::run` reports it, and the runtime
//! keeps working afterwards. The bulk case (10,000 panics) is in `panic_many.rs`.

mod common;

use std::future::pending;
use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;

use common::{HANG, multi, panic_message, within};
use runtime::task::BlockingJoinError;

#[test]
fn panicking_task_reports_its_payload() {
    within(HANG, || {
        runtime::run(async {
            let t = runtime::spawn(async { panic!("boom: static") });
            let id = t.id();
            let err = t.await.expect_err("a panicking task has no value");
            assert!(err.is_panic(), "expected a panic, got {err:?}");
            assert!(!err.is_cancelled());
            assert_eq!(err.cancel_message(), None);
            assert_eq!(err.id(), id);
            assert!(!err.to_string().is_empty(), "TaskError displays something");
            let payload = err.into_panic();
            assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom: static"));

            let n = 7;
            let err = runtime::spawn(async move { panic!("boom {n}") })
                .await
                .expect_err("panics");
            let payload = err
                .try_into_panic()
                .expect("a panic converts to its payload");
            assert_eq!(
                payload.downcast_ref::<String>().map(String::as_str),
                Some("boom 7")
            );

            let err = runtime::spawn(async { panic::panic_any(42u32) })
                .await
                .expect_err("panics");
            let payload = err.into_panic();
            assert_eq!(payload.downcast::<u32>().ok().map(|b| *b), Some(42));

            // The runtime keeps going.
            assert_eq!(runtime::spawn(async { 1 }).await.expect("normal task"), 1);
        });
    });
}

#[test]
fn cancellation_is_not_a_panic() {
    within(HANG, || {
        runtime::run(async {
            let t = runtime::spawn(pending::<()>());
            assert!(t.cancel());
            let err = t.await.expect_err("cancelled");
            assert!(!err.is_panic());
            let err = err
                .try_into_panic()
                .expect_err("a cancellation has no panic payload");
            assert!(
                err.is_cancelled(),
                "try_into_panic gives the error back unchanged"
            );
            let r = panic::catch_unwind(AssertUnwindSafe(move || err.into_panic()));
            assert!(r.is_err(), "into_panic() on a cancellation must panic");
        });
    });
}

#[test]
fn panic_in_spawn_blocking_comes_back_as_task_error() {
    within(HANG, || {
        let rt = multi(2);
        let err = rt
            .spawn_blocking(|| -> u32 { panic!("blocking boom") })
            .join_blocking()
            .expect_err("the blocking job panicked");
        assert!(err.is_panic(), "expected a panic, got {err:?}");
        assert_eq!(panic_message(&*err.into_panic()), Some("blocking boom"));

        let mut t = rt
            .handle()
            .spawn_blocking(|| -> u32 { panic!("boom via handle") });
        match t.join_timeout(Duration::from_secs(5)) {
            Err(BlockingJoinError::Task(e)) => {
                assert!(e.is_panic(), "expected a panic, got {e:?}");
                assert_eq!(panic_message(&*e.into_panic()), Some("boom via handle"));
            }
            other => panic!("expected BlockingJoinError::Task(panic), got {other:?}"),
        }

        let from_task = rt
            .run(async {
                let a = runtime::spawn_blocking(|| -> u8 { panic!("inside task") }).await;
                let b = runtime::to_thread(|| -> u8 { panic!("to_thread boom") }).await;
                (a, b)
            })
            .expect("main task");
        let a = from_task.0.expect_err("spawn_blocking panicked");
        let b = from_task.1.expect_err("to_thread panicked");
        assert!(a.is_panic() && b.is_panic());
        assert_eq!(panic_message(&*a.into_panic()), Some("inside task"));
        assert_eq!(panic_message(&*b.into_panic()), Some("to_thread boom"));

        // The pool still works.
        assert_eq!(
            rt.spawn_blocking(|| 3)
                .join_blocking()
                .expect("blocking job"),
            3
        );
    });
}

#[test]
fn run_resumes_main_panic_and_runtime_run_reports_it() {
    within(HANG, || {
        let r = panic::catch_unwind(|| runtime::run(async { panic!("main boom") }));
        let payload = r.expect_err("run() resumes main's panic");
        assert_eq!(
            panic_message(&*payload),
            Some("main boom"),
            "with main's payload"
        );

        let rt = multi(2);
        let err = rt
            .run(async { panic!("main boom 2") })
            .expect_err("Runtime::run reports main's panic");
        assert!(err.is_panic());
        assert_eq!(panic_message(&*err.into_panic()), Some("main boom 2"));
        assert_eq!(rt.run(async { 4 }).expect("runtime still usable"), 4);
    });
}
