//! Cancellation and the task-handle drop rule: `cancel()` drops a pending task's future even
//! though it is never woken again, `cancel_with` carries its message out through `TaskError`,
//! cancelling a finished task returns `false` and keeps its output, a task can cancel itself,
//! a never-polled handle detaches on drop, a handle dropped while awaited cancels its task (also
//! transitively, when the awaiting task is cancelled), `detach()` opts out, `run` refuses a
//! cancelled main, and `Task` is `Unpin` (polled through `&mut`) with `is_finished()` flipping.

mod common;

use std::fmt::{Debug, Display};
use std::future::{Future, pending, poll_fn};
use std::hash::Hash;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::task::Poll;
use std::time::Duration;

use common::{HANG, SetOnDrop, SignalOnDrop, multi, within};
use futures::channel::oneshot;
use runtime::task::{self, Task, TaskError, TaskId, TaskRef};

const WAIT: Duration = Duration::from_secs(5);

#[test]
fn cancel_drops_a_pending_future_that_is_never_woken() {
    within(HANG, || {
        runtime::run(async {
            let dropped = Arc::new(AtomicBool::new(false));
            let guard = SetOnDrop(Arc::clone(&dropped));
            let (started_tx, started_rx) = oneshot::channel::<()>();
            let t = runtime::spawn(async move {
                let _guard = guard;
                let _ = started_tx.send(());
                pending::<()>().await; // nothing ever wakes this again
            });
            started_rx.await.expect("task started");
            assert!(!t.is_finished());
            let id = t.id();
            assert!(t.cancel(), "cancel() on a pending task returns true");
            let err = t.await.expect_err("a cancelled task has no value");
            assert!(err.is_cancelled(), "expected cancellation, got {err:?}");
            assert!(!err.is_panic());
            assert_eq!(err.id(), id, "TaskError carries the task's id");
            assert_eq!(err.cancel_message(), None, "plain cancel() has no message");
            assert!(
                dropped.load(Ordering::SeqCst),
                "the future must be dropped by the time awaiting the cancelled task returns"
            );
        });
    });
}

#[test]
fn cancel_from_outside_before_first_poll() {
    within(HANG, || {
        let rt = multi(2);
        let dropped = Arc::new(AtomicBool::new(false));
        let guard = SetOnDrop(Arc::clone(&dropped));
        let t = rt.spawn(async move {
            let _guard = guard;
            pending::<()>().await;
        });
        assert!(t.cancel(), "not finished yet, so cancel() returns true");
        let err = t.join_blocking().expect_err("cancelled");
        assert!(err.is_cancelled(), "expected cancellation, got {err:?}");
        assert!(
            dropped.load(Ordering::SeqCst),
            "future dropped before join_blocking returned"
        );
    });
}

#[test]
fn cancel_with_message_comes_out_through_task_error() {
    within(HANG, || {
        runtime::run(async {
            let t = runtime::spawn(pending::<u32>());
            assert!(t.cancel_with("msg"));
            let err = t.await.expect_err("cancelled");
            assert!(err.is_cancelled());
            assert_eq!(err.cancel_message(), Some("msg"));

            // Through a TaskRef obtained inside the task.
            let (ref_tx, ref_rx) = oneshot::channel::<TaskRef>();
            let t = runtime::spawn(async move {
                let _ = ref_tx.send(task::current().expect("inside a task"));
                pending::<()>().await;
            });
            let r = ref_rx.await.expect("task sent its TaskRef");
            assert_eq!(r.id(), t.id());
            assert!(r.cancel_with(String::from("by ref")));
            let err = t.await.expect_err("cancelled through its TaskRef");
            assert!(err.is_cancelled());
            assert_eq!(err.cancel_message(), Some("by ref"));
            assert!(r.is_finished());
            assert!(
                !r.cancel(),
                "the TaskRef of a finished task cannot cancel it"
            );
        });
    });
}

#[test]
fn a_task_can_cancel_itself_and_stops_at_its_next_await() {
    within(HANG, || {
        runtime::run(async {
            let dropped = Arc::new(AtomicBool::new(false));
            let resumed = Arc::new(AtomicBool::new(false));
            let guard = SetOnDrop(Arc::clone(&dropped));
            let resumed2 = Arc::clone(&resumed);
            let t = runtime::spawn(async move {
                let _guard = guard;
                let me = task::current().expect("inside a task");
                assert!(me.cancel_with("self"), "cancelling oneself while running");
                runtime::yield_now().await;
                resumed2.store(true, Ordering::SeqCst);
                7
            });
            let err = t.await.expect_err("a self-cancelled task has no value");
            assert!(err.is_cancelled());
            assert_eq!(err.cancel_message(), Some("self"));
            assert!(dropped.load(Ordering::SeqCst), "future dropped");
            assert!(
                !resumed.load(Ordering::SeqCst),
                "the task must not resume past the scheduling point after its cancel"
            );
        });
    });
}

#[test]
fn cancel_on_a_finished_task_returns_false_and_keeps_the_output() {
    within(HANG, || {
        runtime::run(async {
            let mut t = runtime::spawn(async { 5 });
            while !t.is_finished() {
                runtime::yield_now().await;
            }
            assert!(!t.cancel(), "cancel() on a finished task returns false");
            assert!(
                !t.cancel_with("late"),
                "cancel_with() on a finished task returns false"
            );
            assert_eq!((&mut t).await.expect("output survives a refused cancel"), 5);
            assert!(!t.cancel(), "still false after the output was taken");

            // A task that finished by being cancelled is finished too.
            let mut c = runtime::spawn(pending::<()>());
            assert!(c.cancel());
            assert!((&mut c).await.expect_err("cancelled").is_cancelled());
            assert!(c.is_finished());
            assert!(
                !c.cancel(),
                "cancel() after the cancellation completed returns false"
            );
        });
    });
}

#[test]
fn dropping_a_never_polled_handle_detaches() {
    within(HANG, || {
        let rt = multi(2);
        let (go_tx, go_rx) = oneshot::channel::<u32>();
        let (done_tx, done_rx) = mpsc::channel();
        let t = rt.spawn(async move {
            let v = go_rx.await.expect("go signal");
            done_tx.send(v).unwrap();
        });
        drop(t);
        assert!(
            go_tx.send(9).is_ok(),
            "the task was cancelled when its never-polled handle was dropped"
        );
        assert_eq!(
            done_rx.recv_timeout(WAIT),
            Ok(9),
            "a detached task must run to completion"
        );

        // Same from inside a task: fire and forget.
        let (done_tx, done_rx) = mpsc::channel();
        rt.spawn(async move {
            drop(runtime::spawn(async move {
                runtime::yield_now().await;
                done_tx.send("fire and forget").unwrap();
            }));
        })
        .join_blocking()
        .expect("spawner");
        assert_eq!(done_rx.recv_timeout(WAIT), Ok("fire and forget"));
    });
}

#[test]
fn dropping_a_polled_handle_cancels_the_task() {
    within(HANG, || {
        let rt = multi(2);
        let (drop_tx, drop_rx) = mpsc::channel();
        // Built outside the future, so it fires whether or not the task was ever polled.
        let guard = SignalOnDrop(drop_tx);
        rt.spawn(async move {
            let mut inner = runtime::spawn(async move {
                let _guard = guard;
                pending::<()>().await;
            });
            assert!(futures::poll!(&mut inner).is_pending());
            drop(inner); // e.g. the awaiter lost a race
        })
        .join_blocking()
        .expect("awaiting task");
        assert!(
            drop_rx.recv_timeout(WAIT).is_ok(),
            "dropping a handle after it was polled must cancel the task and drop its future"
        );
    });
}

#[test]
fn cancelling_the_awaiter_cancels_the_awaited_task() {
    within(HANG, || {
        let rt = multi(2);
        let (drop_tx, drop_rx) = mpsc::channel();
        let (started_tx, started_rx) = mpsc::channel();
        let guard = SignalOnDrop(drop_tx);
        let outer = rt.spawn(async move {
            let inner = runtime::spawn(async move {
                let _guard = guard;
                pending::<()>().await;
            });
            started_tx.send(()).unwrap();
            inner.await
        });
        started_rx.recv_timeout(WAIT).expect("outer task started");
        assert!(outer.cancel(), "outer is pending on inner");
        let err = outer.join_blocking().expect_err("outer cancelled");
        assert!(err.is_cancelled(), "expected cancellation, got {err:?}");
        assert!(
            drop_rx.recv_timeout(WAIT).is_ok(),
            "cancelling the outer task must cancel the inner task it was awaiting"
        );
    });
}

#[test]
fn detach_keeps_a_polled_task_running() {
    within(HANG, || {
        let rt = multi(2);
        let (go_tx, go_rx) = oneshot::channel::<u32>();
        let (done_tx, done_rx) = mpsc::channel();
        rt.spawn(async move {
            let mut inner = runtime::spawn(async move {
                let v = go_rx.await.expect("go signal");
                done_tx.send(v).unwrap();
            });
            assert!(futures::poll!(&mut inner).is_pending());
            inner.detach();
        })
        .join_blocking()
        .expect("detaching task");
        assert!(go_tx.send(3).is_ok(), "a detached task must stay alive");
        assert_eq!(done_rx.recv_timeout(WAIT), Ok(3));
    });
}

#[test]
fn run_refuses_a_cancelled_main() {
    within(HANG, || {
        let rt = multi(2);
        let r = rt.run(async {
            assert!(task::current().expect("main task").cancel_with("main"));
            runtime::yield_now().await;
            1
        });
        let err = r.expect_err("Runtime::run of a cancelled main is an error");
        assert!(err.is_cancelled());
        assert_eq!(err.cancel_message(), Some("main"));

        let r = panic::catch_unwind(AssertUnwindSafe(|| {
            runtime::run(async {
                assert!(task::current().expect("main task").cancel());
                runtime::yield_now().await;
                1
            })
        }));
        assert!(
            r.is_err(),
            "runtime::run must panic when main was cancelled"
        );
    });
}

fn assert_unpin<T: Unpin>() {}
fn assert_send<T: Send>() {}
fn assert_shared<T: Clone + Send + Sync>() {}
fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
fn assert_id<T: Copy + Eq + Hash + Ord + Debug + Display>() {}

#[test]
fn task_handle_traits() {
    assert_unpin::<Task<u32>>();
    assert_unpin::<Task<String>>();
    assert_send::<Task<u32>>();
    assert_shared::<TaskRef>();
    assert_error::<TaskError>();
    assert_id::<TaskId>();
}

#[test]
fn task_is_polled_through_mut_ref_and_is_finished_flips() {
    within(HANG, || {
        runtime::run(async {
            let (tx, rx) = oneshot::channel::<u32>();
            let mut t = runtime::spawn(async move { rx.await.expect("value") + 1 });
            let first = poll_fn(|cx| Poll::Ready(Pin::new(&mut t).poll(cx))).await;
            assert!(first.is_pending(), "task waits for its channel");
            assert!(!t.is_finished());
            tx.send(41).unwrap();
            let v = poll_fn(|cx| Pin::new(&mut t).poll(cx)).await;
            assert_eq!(v.expect("task succeeds"), 42);
            assert!(t.is_finished(), "is_finished() after completion");
        });
    });
}
