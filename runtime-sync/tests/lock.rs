//! asyncio `Lock` semantics for `Mutex` (asyncio's `Lock` is `Mutex<()>`),
//! on `futures::executor::LocalPool`.

mod common;

use std::rc::Rc;

use common::{Harness, yield_now};
use runtime_sync::Mutex;

/// Spawns a task that locks `lock`, logs `name`, yields while holding the
/// lock, and unlocks.
fn locker(
    harness: &mut Harness,
    lock: &Rc<Mutex<()>>,
    name: &'static str,
) -> futures::future::RemoteHandle<()> {
    let (lock, log) = (lock.clone(), harness.log.clone());
    harness.spawn(async move {
        let _guard = lock.lock().await;
        log.push(name);
        yield_now().await;
    })
}

/// "Acquiring a lock is fair: the coroutine that proceeds will be the first
/// coroutine that started waiting on the lock."
#[test]
fn waiters_acquire_in_the_order_they_started_waiting() {
    let mut harness = Harness::new();
    let lock = Rc::new(Mutex::new(()));
    let held = lock.try_lock().unwrap();
    for name in ["a", "b", "c", "d"] {
        locker(&mut harness, &lock, name).forget();
    }
    assert!(harness.log.take().is_empty());
    drop(held);
    harness.run();
    assert_eq!(harness.log.take(), ["a", "b", "c", "d"]);
    assert!(!lock.locked());
}

/// Bounded barging (documented on `Mutex`): after a release, a task that
/// never queued may take the lock before the woken waiter runs; the waiter
/// then keeps its place at the head, ahead of every later waiter.
#[test]
fn a_barger_may_overtake_the_woken_waiter_but_not_its_place() {
    let mut harness = Harness::new();
    let lock = Rc::new(Mutex::new(()));
    let held = lock.try_lock().unwrap();
    locker(&mut harness, &lock, "waiter").forget();
    harness.run(); // "waiter" queues
    drop(held); // wakes "waiter", which has not run yet
    let barger = lock.try_lock().expect("a free lock can be taken");
    harness.log.push("barger");
    locker(&mut harness, &lock, "later").forget();
    harness.run(); // "waiter" finds the lock taken, back to the head; "later" queues
    drop(barger);
    harness.run();
    assert_eq!(harness.log.take(), ["barger", "waiter", "later"]);
    assert!(!lock.locked());
}

/// No starvation: a waiter passed over by barging tasks again and again
/// gets the lock after a bounded number of unlocks (64 passes, documented
/// on `Mutex`); then the lock is reserved for it.
#[test]
fn a_waiter_passed_over_again_and_again_gets_the_lock() {
    let mut harness = Harness::new();
    let lock = Rc::new(Mutex::new(()));
    let mut held = lock.try_lock().unwrap();
    locker(&mut harness, &lock, "waiter").forget();
    harness.run();
    let mut unlocks = 0;
    loop {
        drop(held);
        unlocks += 1;
        match lock.try_lock() {
            Ok(barger) => held = barger,
            Err(_) => break,
        }
        harness.run(); // the woken waiter finds the lock taken
        assert!(unlocks <= 64, "passed over more than 64 times");
    }
    harness.run();
    assert_eq!(harness.log.take(), ["waiter"]);
}

/// A waiter cancelled while it waits leaves the queue; the others keep
/// their order.
#[test]
fn a_cancelled_waiter_leaves_the_queue() {
    let mut harness = Harness::new();
    let lock = Rc::new(Mutex::new(()));
    let held = lock.try_lock().unwrap();
    locker(&mut harness, &lock, "a").forget();
    let b = locker(&mut harness, &lock, "b");
    locker(&mut harness, &lock, "c").forget();
    drop(b); // cancel
    harness.run();
    drop(held);
    harness.run();
    assert_eq!(harness.log.take(), ["a", "c"]);
    assert!(!lock.locked());
}

/// A waiter cancelled after the unlock woke it, before it ran, passes the
/// wake-up on: the lock is neither lost nor left locked.
#[test]
fn a_waiter_cancelled_after_the_hand_off_passes_the_lock_on() {
    let mut harness = Harness::new();
    let lock = Rc::new(Mutex::new(()));
    let held = lock.try_lock().unwrap();
    let a = locker(&mut harness, &lock, "a");
    locker(&mut harness, &lock, "b").forget();
    drop(held); // wakes "a"
    drop(a); // cancelled before it ran: passes the wake-up to "b"
    harness.run();
    assert_eq!(harness.log.take(), ["b"]);
    assert!(!lock.locked());

    // With nobody behind it, the lock becomes free again.
    let held = lock.try_lock().unwrap();
    let only = locker(&mut harness, &lock, "only");
    drop(held);
    drop(only);
    harness.run();
    assert!(harness.log.take().is_empty());
    assert!(!lock.locked());
}

/// `locked()`: "Return True if the lock is locked."
#[test]
fn locked_tells_whether_the_lock_is_held() {
    let lock = Mutex::new(());
    assert!(!lock.locked());
    let guard = futures::executor::block_on(lock.lock());
    assert!(lock.locked());
    drop(guard);
    assert!(!lock.locked());
}

/// The guard keeps the data to itself across awaits: tasks that yield
/// inside the critical section never see each other's half-done updates.
#[test]
fn the_guard_protects_the_data_across_awaits() {
    let mut harness = Harness::new();
    let pair = Rc::new(Mutex::new((0, 0)));
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let pair = pair.clone();
            harness.spawn(async move {
                for _ in 0..10 {
                    let mut guard = pair.lock().await;
                    guard.0 += 1;
                    yield_now().await;
                    assert_eq!(guard.0, guard.1 + 1, "another task got in");
                    guard.1 += 1;
                }
            })
        })
        .collect();
    for task in tasks {
        harness.finish(task);
    }
    assert_eq!(*pair.try_lock().unwrap(), (50, 50));
}
