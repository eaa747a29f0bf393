//! The promise: completion racing an await (no lost wake-up), two
//! completions racing (exactly one wins), and done-callbacks — added
//! before, during and after completion, unbound or bound — each running
//! exactly once, in registration order.

use std::sync::Arc;

use loom::future::block_on;
use loom::thread;

use super::Log;
use crate::promise::{Job, Promise, PromiseError};

type P = Promise<u32, u8>;

/// A callback that logs `name`.
fn logs(log: &Log, name: &'static str) -> impl FnOnce(&P) + Send + 'static {
    let log = log.clone();
    move |_| log.push(name)
}

/// `set_result` racing an awaiter's arrival: the awaiter gets the value.
#[test]
fn loom_promise_set_races_await() {
    loom::model(|| {
        let promise = P::new();
        let awaiter = {
            let promise = promise.clone();
            thread::spawn(move || block_on(promise.wait()))
        };
        promise.set_result(1).unwrap();
        assert_eq!(awaiter.join().unwrap(), Ok(1));
    });
}

/// `set_result` racing `cancel`: exactly one completes the promise, and
/// the awaiter sees that one.
#[test]
fn loom_promise_set_races_cancel() {
    loom::model(|| {
        let promise = P::new();
        let canceller = {
            let promise = promise.clone();
            thread::spawn(move || promise.cancel())
        };
        let set = promise.set_result(1).is_ok();
        let cancelled = canceller.join().unwrap();
        assert!(set != cancelled, "exactly one completion wins");
        match block_on(promise.wait()) {
            Ok(1) => assert!(set),
            Err(PromiseError::Cancelled(_)) => assert!(cancelled),
            other => panic!("unexpected {other:?}"),
        }
    });
}

/// Unbound: a callback added while another thread completes the promise
/// runs exactly once, after the one registered before — whether it was
/// registered before completion, picked up by the running drain, or run by
/// the adding thread after the drain ended.
#[test]
fn loom_promise_callbacks_run_once_in_order() {
    loom::model(|| {
        let log = Log::default();
        let promise = P::new();
        promise.add_done_callback(logs(&log, "first"));
        let adder = {
            let (promise, log) = (promise.clone(), log.clone());
            thread::spawn(move || {
                promise.add_done_callback(logs(&log, "second"));
            })
        };
        promise.set_result(1).unwrap();
        adder.join().unwrap();
        assert_eq!(log.entries(), ["first", "second"]);
    });
}

/// Bound: jobs run on their own threads. A callback added while the
/// drain job may be running is run exactly once, in order, by that job or
/// by a new one.
#[test]
fn loom_promise_bound_callbacks_run_once_in_order() {
    loom::model(|| {
        let log = Log::default();
        let jobs = Arc::new(std::sync::Mutex::new(Vec::new()));
        let promise = {
            let jobs = jobs.clone();
            P::bound_to(move |job: Job| jobs.lock().unwrap().push(thread::spawn(job)))
        };
        promise.add_done_callback(logs(&log, "first"));
        let adder = {
            let (promise, log) = (promise.clone(), log.clone());
            thread::spawn(move || {
                promise.add_done_callback(logs(&log, "second"));
            })
        };
        promise.set_result(1).unwrap();
        adder.join().unwrap();
        let spawned = std::mem::take(&mut *jobs.lock().unwrap());
        assert!(!spawned.is_empty() && spawned.len() <= 2);
        for job in spawned {
            job.join().unwrap();
        }
        assert_eq!(log.entries(), ["first", "second"]);
    });
}
