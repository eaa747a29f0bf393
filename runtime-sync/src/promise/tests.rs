//! The promise's states and callback rules, driven step by step.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::*;
use crate::test_support::Probe;

type Log = Arc<Mutex<Vec<String>>>;

/// A promise whose error type compares (the default `Exception` does not).
type P = Promise<u32, u8>;

fn logger(log: &Log, name: &'static str) -> impl FnOnce(&P) + Send + 'static {
    let log = log.clone();
    move |_| log.lock().unwrap().push(name.to_string())
}

/// A scheduler that keeps its jobs, to run (or drop) them when the test
/// says so.
#[derive(Clone, Default)]
struct Jobs(Arc<Mutex<Vec<Job>>>);

impl Jobs {
    fn scheduler(&self) -> impl Schedule {
        let jobs = self.0.clone();
        move |job: Job| jobs.lock().unwrap().push(job)
    }

    fn take(&self) -> Vec<Job> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

#[test]
fn awaiters_get_the_value_and_late_awaiters_too() {
    let promise: P = Promise::new();
    let mut early = Probe::new(promise.wait());
    let mut other = Probe::new(promise.clone().into_future());
    early.pending();
    other.pending();
    assert_eq!(promise.result(), Err(InvalidState::pending()));
    promise.set_result(7).unwrap();
    assert_eq!((early.wakes(), other.wakes()), (1, 1));
    assert_eq!(early.ready(), Ok(7));
    assert_eq!(other.ready(), Ok(7));
    assert_eq!(Probe::new(promise.wait()).ready(), Ok(7));
    assert_eq!(promise.result(), Ok(Ok(7)));
    assert_eq!(promise.exception(), Ok(Ok(None)));
    assert!(promise.done() && !promise.cancelled());
}

#[test]
fn a_second_completion_is_refused_and_gives_its_value_back() {
    let promise: Promise<String, u8> = Promise::new();
    promise.set_exception(3).unwrap();
    let refused = promise.set_result("late".into()).unwrap_err();
    assert!(!refused.is_pending());
    assert_eq!(refused.into_inner(), "late");
    assert_eq!(promise.set_exception(4).unwrap_err().into_inner(), 4);
    assert!(!promise.cancel());
    assert_eq!(promise.result(), Ok(Err(PromiseError::Exception(3))));
    assert_eq!(promise.exception(), Ok(Ok(Some(3))));
}

#[test]
fn cancel_completes_with_the_message() {
    let promise: P = Promise::new();
    let mut waiting = Probe::new(promise.wait());
    waiting.pending();
    assert!(promise.cancel_with("stop"));
    assert!(!promise.cancel_with("again"));
    assert!(promise.cancelled() && promise.done());
    let Err(PromiseError::Cancelled(cancelled)) = waiting.ready() else {
        panic!("expected cancellation");
    };
    assert_eq!(cancelled.message(), Some("stop"));
    assert_eq!(promise.exception().unwrap().unwrap_err(), cancelled);
    assert!(promise.set_result(1).is_err());
    let plain: P = Promise::new();
    assert!(plain.cancel());
    assert_eq!(plain.exception().unwrap().unwrap_err().message(), None);
}

#[test]
fn unbound_callbacks_run_in_order_once_after_the_lock_is_released() {
    let log = Log::default();
    let promise: P = Promise::new();
    promise.add_done_callback(logger(&log, "a"));
    let removed = promise.add_done_callback(logger(&log, "removed"));
    promise.add_done_callback({
        let log = log.clone();
        move |done| {
            // Reading and adding from inside a callback: the lock is free,
            // and the new callback runs after this one, not inside it.
            let value = done.result().unwrap().unwrap();
            log.lock().unwrap().push(format!("b saw {value}"));
            done.add_done_callback({
                let log = log.clone();
                move |_| log.lock().unwrap().push("added by b".into())
            });
            log.lock().unwrap().push("b returns".into());
        }
    });
    promise.add_done_callback(logger(&log, "c"));
    assert_eq!(promise.remove_done_callback(removed), 1);
    assert_eq!(promise.remove_done_callback(removed), 0);
    assert!(log.lock().unwrap().is_empty());
    promise.set_result(5).unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        ["a", "b saw 5", "b returns", "c", "added by b"]
    );
    // Added after completion: runs (here, in the adding call), once.
    promise.add_done_callback(logger(&log, "late"));
    assert_eq!(log.lock().unwrap().last().unwrap(), "late");
    assert_eq!(log.lock().unwrap().len(), 6);
}

#[test]
fn bound_callbacks_run_only_when_the_scheduler_runs_the_job() {
    let jobs = Jobs::default();
    let log = Log::default();
    let promise: P = Promise::bound_to(jobs.scheduler());
    assert!(promise.is_bound());
    promise.add_done_callback(logger(&log, "a"));
    promise.add_done_callback(logger(&log, "b"));
    promise.set_result(1).unwrap();
    assert!(log.lock().unwrap().is_empty(), "never inline in set_result");
    // Added while the job is pending: the same job runs it, in order.
    let late = promise.add_done_callback(logger(&log, "c"));
    assert_eq!(promise.remove_done_callback(late), 0);
    let pending = jobs.take();
    assert_eq!(pending.len(), 1, "one job runs them all");
    for job in pending {
        job();
    }
    assert_eq!(*log.lock().unwrap(), ["a", "b", "c"]);
    // After the drain ended, a new callback gets a new job.
    promise.add_done_callback(logger(&log, "d"));
    let pending = jobs.take();
    assert_eq!(pending.len(), 1);
    pending.into_iter().for_each(|job| job());
    assert_eq!(log.lock().unwrap().len(), 4);
}

#[test]
fn a_dropped_job_drops_its_callbacks_and_the_next_one_gets_a_new_job() {
    let jobs = Jobs::default();
    let log = Log::default();
    let promise: P = Promise::bound_to(jobs.scheduler());
    promise.add_done_callback(logger(&log, "lost"));
    promise.cancel();
    drop(jobs.take());
    promise.add_done_callback(logger(&log, "kept"));
    jobs.take().into_iter().for_each(|job| job());
    assert_eq!(*log.lock().unwrap(), ["kept"]);
}

#[test]
fn a_panicking_callback_does_not_stop_the_others() {
    let ran = Arc::new(AtomicUsize::new(0));
    let promise: P = Promise::new();
    promise.add_done_callback(|_| panic!("first callback fails"));
    promise.add_done_callback({
        let ran = ran.clone();
        move |_| {
            ran.fetch_add(1, Ordering::SeqCst);
        }
    });
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| promise.set_result(1)));
    assert!(outcome.is_err(), "the panic reaches the completing call");
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    assert_eq!(promise.result(), Ok(Ok(1)));
    // The drain ended cleanly: later callbacks still run.
    promise.add_done_callback({
        let ran = ran.clone();
        move |_| {
            ran.fetch_add(1, Ordering::SeqCst);
        }
    });
    assert_eq!(ran.load(Ordering::SeqCst), 2);
}

#[test]
fn a_dropped_awaiter_leaves_no_trace() {
    let promise: P = Promise::new();
    let mut gone = Probe::new(promise.wait());
    gone.pending();
    let mut stays = Probe::new(promise.wait());
    stays.pending();
    drop(gone);
    promise.set_result(2).unwrap();
    assert_eq!(stays.ready(), Ok(2));
    // Dropped after being handed the outcome: nothing to pass on.
    let other: P = Promise::new();
    let mut handed = Probe::new(other.wait());
    handed.pending();
    other.set_result(3).unwrap();
    drop(handed);
    assert_eq!(other.result(), Ok(Ok(3)));
}

#[test]
fn debug_and_identity() {
    let promise: Promise<u32> = Promise::default();
    let clone = promise.clone();
    assert!(promise.ptr_eq(&clone) && !promise.ptr_eq(&Promise::new()));
    promise.add_done_callback(|_| {});
    assert_eq!(
        format!("{promise:?}"),
        "Promise { state: \"pending\", awaiters: 0, callbacks: 1, bound: false }"
    );
    clone
        .set_exception(Arc::new(std::io::Error::other("boom")))
        .unwrap();
    assert_eq!(
        format!("{promise:?}"),
        "Promise { state: \"failed\", awaiters: 0, callbacks: 0, bound: false }"
    );
    let Ok(Err(PromiseError::Exception(error))) = promise.result() else {
        panic!("expected the exception");
    };
    assert_eq!(error.to_string(), "boom");
    assert_eq!(format!("{:?}", promise.wait()), "PromiseFuture { .. }");
}

#[test]
fn promises_and_their_futures_are_send_and_sync() {
    fn sync<T: Send + Sync>(_: &T) {}
    let promise: Promise<String> = Promise::new();
    sync(&promise);
    sync(&promise.wait());
}
