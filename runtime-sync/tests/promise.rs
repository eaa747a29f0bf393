//! asyncio `Future` semantics for `Promise`: states, results, exceptions,
//! cancellation and done-callbacks, on `futures::executor` (`LocalPool`,
//! `ThreadPool`, `block_on`), bound to a scheduler or to none.

mod common;

use std::fmt;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common::{Harness, run_all, thread_pool};
use futures::executor::block_on;
use futures::task::SpawnExt;
use runtime_sync::{Exception, Job, Promise, PromiseError};

/// A promise whose error compares, for `assert_eq!`.
type P = Promise<u32, Failure>;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Failure(&'static str);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Failure {}

/// How long a callback run on a pool may take to show up. Not a timing
/// assertion: it only turns a hang into a failure.
const HANG_LIMIT: Duration = Duration::from_secs(120);

/// "result(): If the Future's result isn't yet available, this method
/// raises an InvalidStateError exception." Then: the value.
#[test]
fn result_is_invalid_while_pending_then_the_value() {
    let promise = P::new();
    assert!(!promise.done() && !promise.cancelled());
    assert!(promise.result().unwrap_err().is_pending());
    assert!(promise.exception().unwrap_err().is_pending());
    promise.set_result(3).unwrap();
    assert!(promise.done() && !promise.cancelled());
    assert_eq!(promise.result(), Ok(Ok(3)));
    assert_eq!(promise.exception(), Ok(Ok(None)));
    assert_eq!(block_on(promise.wait()), Ok(3));
}

/// "If the Future is done and has an exception set by set_exception(),
/// this method raises the exception." `exception()` returns it.
#[test]
fn an_exception_is_what_awaiting_returns() {
    let promise = P::new();
    promise.set_exception(Failure("boom")).unwrap();
    assert!(promise.done() && !promise.cancelled());
    let failure = PromiseError::Exception(Failure("boom"));
    assert_eq!(promise.result(), Ok(Err(failure.clone())));
    assert_eq!(block_on(async { (&promise).await }), Err(failure));
    assert_eq!(promise.exception(), Ok(Ok(Some(Failure("boom")))));
}

/// The default error type takes any error.
#[test]
fn the_default_exception_is_any_shared_error() {
    let promise: Promise<u32> = Promise::new();
    let error: Exception = Arc::new(std::io::Error::other("disk on fire"));
    promise.set_exception(error).unwrap();
    let Err(PromiseError::Exception(error)) = block_on(async { promise.clone().await }) else {
        panic!("expected the exception");
    };
    assert_eq!(error.to_string(), "disk on fire");
}

/// "set_result / set_exception: Raises InvalidStateError if the Future is
/// already done." The refused value comes back.
#[test]
fn completing_twice_is_invalid() {
    let promise = P::new();
    promise.set_result(1).unwrap();
    let refused = promise.set_result(2).unwrap_err();
    assert!(!refused.is_pending());
    assert_eq!(refused.into_inner(), 2);
    assert_eq!(
        promise
            .set_exception(Failure("late"))
            .unwrap_err()
            .into_inner(),
        Failure("late")
    );
    assert_eq!(promise.result(), Ok(Ok(1)));
}

/// "cancel(msg=None): If the Future is already done or cancelled, return
/// False. Otherwise, change the Future's state to cancelled, schedule the
/// callbacks, and return True." `result()` then raises CancelledError.
#[test]
fn cancel_semantics() {
    let mut harness = Harness::new();
    let promise = P::new();
    let awaiter = {
        let promise = promise.clone();
        harness.spawn(async move { promise.await })
    };
    assert!(promise.cancel_with("no longer needed"));
    assert!(promise.cancelled() && promise.done());
    assert!(!promise.cancel(), "already cancelled");
    let Err(PromiseError::Cancelled(cancelled)) = harness.finish(awaiter) else {
        panic!("expected cancellation");
    };
    assert_eq!(cancelled.message(), Some("no longer needed"));
    assert!(promise.result().unwrap().unwrap_err().is_cancelled());
    assert_eq!(promise.exception(), Ok(Err(cancelled)));
    assert!(promise.set_result(1).is_err());

    let finished = P::new();
    finished.set_result(1).unwrap();
    assert!(!finished.cancel(), "a done promise cannot be cancelled");
    assert!(!finished.cancelled());
}

/// Awaited from many places at once, on different executors: each gets the
/// value.
#[test]
fn many_awaiters_on_several_executors() {
    let promise = P::new();
    let pool = thread_pool(2);
    let on_pool: Vec<_> = (0..4)
        .map(|_| {
            pool.spawn_with_handle(promise.clone().into_future())
                .unwrap()
        })
        .collect();
    let mut harness = Harness::new();
    let local = {
        let promise = promise.clone();
        harness.spawn(async move { promise.await })
    };
    let blocked = {
        let promise = promise.clone();
        thread::spawn(move || block_on(promise.wait()))
    };
    let setter = {
        let promise = promise.clone();
        thread::spawn(move || promise.set_result(9).unwrap())
    };
    setter.join().unwrap();
    assert_eq!(harness.finish(local), Ok(9));
    assert_eq!(blocked.join().unwrap(), Ok(9));
    for awaiter in on_pool {
        assert_eq!(block_on(awaiter), Ok(9));
    }
}

/// Callbacks "are called with the Future object as its only argument",
/// once each, in registration order; a removed one does not run
/// (`remove_done_callback` "returns the number of callbacks removed").
#[test]
fn callbacks_run_once_in_registration_order() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let promise = P::new();
    let mut ids = Vec::new();
    for name in ["a", "b", "c", "d"] {
        let log = log.clone();
        ids.push(promise.add_done_callback(move |done| {
            let value = done.result().unwrap().unwrap();
            log.lock().unwrap().push(format!("{name}={value}"));
        }));
    }
    assert_eq!(promise.remove_done_callback(ids[2]), 1);
    assert_eq!(promise.remove_done_callback(ids[2]), 0);
    promise.set_result(4).unwrap();
    assert!(promise.set_result(5).is_err()); // no second run
    assert_eq!(*log.lock().unwrap(), ["a=4", "b=4", "d=4"]);
    assert_eq!(promise.remove_done_callback(ids[0]), 0, "already scheduled");
}

/// Bound to a thread pool (asyncio: the future's loop), callbacks run there,
/// not inside `set_result`, in order, exactly once — including one added
/// after completion ("the callback is scheduled with loop.call_soon()").
#[test]
fn bound_callbacks_run_on_the_scheduler_in_order() {
    let pool = thread_pool(2);
    let scheduler = {
        let pool = pool.clone();
        move |job: Job| pool.spawn_ok(async move { job() })
    };
    let promise = Promise::<u32, Failure>::bound_to(scheduler);
    let (sender, received) = mpsc::channel();
    let on_setter = thread::current().id();
    for index in 0..5 {
        let sender = sender.clone();
        promise.add_done_callback(move |_| {
            let _ = sender.send((index, thread::current().id()));
        });
    }
    promise.set_result(1).unwrap();
    promise.add_done_callback(move |_| {
        let _ = sender.send((5, thread::current().id()));
    });
    for expected in 0..6 {
        let (index, ran_on) = received.recv_timeout(HANG_LIMIT).expect("callback ran");
        assert_eq!(index, expected);
        assert_ne!(ran_on, on_setter, "never inline in the completing thread");
    }
    // Every callback ran and was dropped with its sender: nothing more.
    assert_eq!(
        received.recv_timeout(HANG_LIMIT),
        Err(mpsc::RecvTimeoutError::Disconnected)
    );
}

/// A callback may read the promise and add callbacks to it: no deadlock
/// (it never runs while the promise's lock is held), and what it adds runs
/// after it, not inside it.
#[test]
fn callbacks_may_use_the_promise() {
    for bound in [false, true] {
        let pool = thread_pool(1);
        let promise = if bound {
            let pool = pool.clone();
            P::bound_to(move |job: Job| pool.spawn_ok(async move { job() }))
        } else {
            P::new()
        };
        let (sender, received) = mpsc::channel();
        promise.add_done_callback({
            let sender = sender.clone();
            move |done| {
                let sender_inner = sender.clone();
                done.add_done_callback(move |again| {
                    let _ = sender_inner.send(format!("inner sees {:?}", again.result()));
                });
                assert!(!done.cancel());
                let _ = sender.send(format!("outer sees {:?}", done.result()));
            }
        });
        promise.set_result(2).unwrap();
        let first = received.recv_timeout(HANG_LIMIT).unwrap();
        let second = received.recv_timeout(HANG_LIMIT).unwrap();
        assert_eq!(first, "outer sees Ok(Ok(2))");
        assert_eq!(second, "inner sees Ok(Ok(2))");
    }
}

/// Unbound: the callbacks have run, on the completing thread, by the time
/// `set_result` returns — after it released the promise's lock (a callback
/// that awaits the same promise completes at once).
#[test]
fn unbound_callbacks_run_on_the_completing_thread() {
    let promise = P::new();
    let ran_on = Arc::new(Mutex::new(None));
    promise.add_done_callback({
        let ran_on = ran_on.clone();
        move |done| {
            assert_eq!(block_on(done.wait()), Ok(8));
            *ran_on.lock().unwrap() = Some(thread::current().id());
        }
    });
    let setter = thread::spawn(move || {
        promise.set_result(8).unwrap();
        thread::current().id()
    });
    let setter_id = setter.join().unwrap();
    assert_eq!(*ran_on.lock().unwrap(), Some(setter_id));
}

/// Completion from a pool while tasks await it on the same pool.
#[test]
fn completion_and_awaits_on_one_pool() {
    let pool = thread_pool(3);
    let promise = P::new();
    let mut tasks: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = u32> + Send>>> = (0..6)
        .map(|_| {
            let promise = promise.clone();
            Box::pin(async move { promise.await.unwrap() }) as _
        })
        .collect();
    tasks.push(Box::pin(async move {
        promise.set_result(6).unwrap();
        0
    }));
    let results = run_all(&pool, tasks);
    assert_eq!(results, [6, 6, 6, 6, 6, 6, 0]);
}
