//! The current-thread flavour: `run_local` returns main's value and runs a `!Send` main,
//! `spawn_local` runs `!Send` futures (holding an `Rc`), everything runs on the driving thread,
//! tasks spawned onto its `Handle` from another thread wait until the runtime is driven and then
//! run (also waking a driver that is parked), and `spawn_local` refuses to run where it cannot.

mod common;

use std::cell::Cell;
use std::panic;
use std::rc::Rc;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::{HANG, current_thread, multi, within};
use futures::channel::oneshot;
use runtime::task;
use runtime::yield_now;

#[test]
fn run_local_returns_the_value() {
    within(HANG, || {
        let rt = current_thread();
        assert_eq!(rt.run_local(async { "hi" }).expect("main task"), "hi");
        let rc = Rc::new(5);
        let v = rt
            .run_local(async move {
                assert!(task::current().is_some(), "main runs as a task");
                yield_now().await;
                *rc + 1 // a !Send main
            })
            .expect("main task");
        assert_eq!(v, 6);
        assert_eq!(rt.block_on(async { 7 }), 7);
        assert_eq!(rt.run(async { 8 }).expect("Send main"), 8);
    });
}

#[test]
fn spawn_local_runs_futures_holding_rc() {
    within(HANG, || {
        let rt = current_thread();
        let here = thread::current().id();
        let v = rt
            .run_local(async move {
                let shared = Rc::new(Cell::new(0));
                let s2 = Rc::clone(&shared);
                let t = runtime::spawn_local(async move {
                    let before = s2.get();
                    yield_now().await;
                    s2.set(before + 10);
                    assert_eq!(thread::current().id(), here, "runs on the driving thread");
                    Rc::new(before)
                });
                let named = task::Builder::new().name("local").spawn_local(async {
                    task::current().and_then(|t| t.name().map(str::to_owned))
                });
                shared.set(1);
                let got = t.await.expect("local task");
                let name = named.await.expect("named local task");
                (*got, shared.get(), name)
            })
            .expect("main task");
        assert_eq!(v.0, 1, "the task first ran after main set the cell (FIFO)");
        assert_eq!(v.1, 11);
        assert_eq!(v.2.as_deref(), Some("local"));
    });
}

#[test]
fn handle_spawn_from_another_thread_runs_when_driven() {
    within(HANG, || {
        let rt = current_thread();
        let handle = rt.handle().clone();
        let (ran_tx, ran_rx) = mpsc::channel();
        let t = thread::spawn(move || {
            handle.spawn(async move {
                ran_tx.send(thread::current().id()).unwrap();
                5
            })
        })
        .join()
        .expect("spawning thread");
        thread::sleep(Duration::from_millis(50));
        assert!(
            ran_rx.try_recv().is_err(),
            "a current-thread runtime must not run tasks while nobody drives it"
        );
        assert_eq!(rt.block_on(t).expect("task"), 5);
        assert_eq!(
            ran_rx.try_recv(),
            Ok(thread::current().id()),
            "the task ran on the driving thread"
        );
    });
}

#[test]
fn handle_spawn_wakes_a_parked_driver() {
    within(HANG, || {
        let rt = current_thread();
        let handle = rt.handle().clone();
        let (tx, rx) = oneshot::channel();
        let spawner = thread::spawn(move || {
            // Give the driver time to run out of work and park (no assertion on it).
            thread::sleep(Duration::from_millis(50));
            handle
                .spawn(async move {
                    let _ = tx.send(thread::current().id());
                })
                .detach();
        });
        let ran_on = rt
            .run_local(async move { rx.await.expect("remote task ran") })
            .expect("main task");
        assert_eq!(ran_on, thread::current().id());
        spawner.join().expect("spawning thread");

        // And join_timeout from the other thread while this one drives the runtime.
        let handle = rt.handle().clone();
        let joiner = thread::spawn(move || {
            let mut t = handle.spawn(async { 9 });
            t.join_timeout(Duration::from_secs(5))
                .map_err(|e| format!("{e:?}"))
        });
        let joiner = rt
            .run_local(async move {
                while !joiner.is_finished() {
                    yield_now().await;
                }
                joiner
            })
            .expect("driver");
        assert_eq!(joiner.join().expect("joining thread"), Ok(9));
    });
}

#[test]
fn spawn_local_outside_a_current_thread_runtime_panics() {
    within(HANG, || {
        let outside = panic::catch_unwind(|| {
            runtime::spawn_local(async {}).detach();
        });
        assert!(outside.is_err(), "spawn_local on a plain thread must panic");

        let rt = multi(1);
        let err = rt
            .spawn(async {
                runtime::spawn_local(async {}).detach();
            })
            .join_blocking()
            .expect_err("spawn_local inside a multi-thread worker must panic");
        assert!(err.is_panic(), "expected a panic, got {err:?}");
    });
}
