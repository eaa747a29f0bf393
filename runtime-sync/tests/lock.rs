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

/// A release hands the lock to the oldest waiter at once: before that
/// waiter runs, `try_lock` fails and a newcomer's `lock()` queues behind it
/// (asyncio: `acquire` takes the lock at once only if nobody waits).
#[test]
fn a_newcomer_cannot_barge_in_after_a_release() {
    let mut harness = Harness::new();
    let lock = Rc::new(Mutex::new(()));
    let held = lock.try_lock().unwrap();
    locker(&mut harness, &lock, "waiter").forget();
    drop(held); // handed to "waiter", which has not run yet
    assert!(lock.locked(), "the lock now belongs to the waiter");
    assert!(lock.try_lock().is_err());
    locker(&mut harness, &lock, "newcomer").forget();
    harness.run();
    assert_eq!(harness.log.take(), ["waiter", "newcomer"]);
    assert!(!lock.locked());
}

/// asyncio's fairness: the lock is held and tasks wait for it; the holder
/// releases it and at once asks for it again, in the same step. It goes
/// behind every task that was already waiting.
#[test]
fn a_task_that_releases_and_relocks_goes_behind_the_waiters() {
    let mut harness = Harness::new();
    let lock = Rc::new(Mutex::new(()));
    let (open, gate) = futures::channel::oneshot::channel::<()>();
    {
        let (lock, log) = (lock.clone(), harness.log.clone());
        harness
            .spawn(async move {
                let guard = lock.lock().await;
                log.push("holder");
                gate.await.unwrap();
                drop(guard);
                let _again = lock.lock().await;
                log.push("holder again");
            })
            .forget();
    }
    locker(&mut harness, &lock, "a").forget();
    locker(&mut harness, &lock, "b").forget();
    open.send(()).unwrap();
    harness.run();
    assert_eq!(harness.log.take(), ["holder", "a", "b", "holder again"]);
    assert!(!lock.locked());
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

/// A waiter cancelled after the unlock handed it the lock, before it ran,
/// passes the lock on: it is neither lost nor left locked (asyncio's
/// `test_finished_waiter_cancelled`).
#[test]
fn a_waiter_cancelled_after_the_hand_off_passes_the_lock_on() {
    let mut harness = Harness::new();
    let lock = Rc::new(Mutex::new(()));
    let held = lock.try_lock().unwrap();
    let a = locker(&mut harness, &lock, "a");
    locker(&mut harness, &lock, "b").forget();
    drop(held); // handed to "a"
    drop(a); // cancelled before it ran: passes the lock to "b"
    assert!(lock.locked(), "passed on, not freed");
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
