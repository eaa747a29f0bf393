//! asyncio `Condition` semantics, with the crate's `Mutex`, on
//! `futures::executor`.

mod common;

use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;

use common::{Harness, run_all, thread_pool};
use futures::future::RemoteHandle;
use runtime_sync::{Condition, Mutex};

struct Shared {
    value: Mutex<u32>,
    condition: Condition,
}

fn shared() -> Rc<Shared> {
    Rc::new(Shared {
        value: Mutex::new(0),
        condition: Condition::new(),
    })
}

/// Spawns a task that waits once on the condition and logs `name` and
/// whether it holds the lock when `wait` returns.
fn waiter(harness: &mut Harness, shared: &Rc<Shared>, name: &'static str) -> RemoteHandle<()> {
    let (shared, log) = (shared.clone(), harness.log.clone());
    harness.spawn(async move {
        let guard = shared.value.lock().await;
        let guard = shared.condition.wait(guard).await;
        assert!(shared.value.locked(), "wait returns with the lock held");
        log.push(format!("{name} sees {}", *guard));
    })
}

/// "Release the underlying lock, and then block until awakened by a
/// notify() or notify_all() call. Once awakened, the Condition re-acquires
/// its lock and this method returns."
#[test]
fn wait_releases_the_lock_and_reacquires_it_before_returning() {
    let mut harness = Harness::new();
    let shared = shared();
    waiter(&mut harness, &shared, "a").forget();
    assert!(!shared.value.locked(), "the waiter released the lock");
    let mut guard = shared.value.try_lock().unwrap();
    *guard = 5;
    shared.condition.notify(1);
    harness.run();
    assert!(
        harness.log.take().is_empty(),
        "it needs the lock back first"
    );
    drop(guard);
    harness.run();
    assert_eq!(harness.log.take(), ["a sees 5"]);
    assert!(!shared.value.locked());
}

/// "Wake up n tasks (1 by default) waiting on this condition. If fewer than
/// n tasks are waiting they are all awakened." Oldest first.
#[test]
fn notify_wakes_the_n_oldest_waiters() {
    let mut harness = Harness::new();
    let shared = shared();
    for name in ["a", "b", "c"] {
        waiter(&mut harness, &shared, name).forget();
    }
    shared.condition.notify(2);
    harness.run();
    let mut log = harness.log.take();
    log.sort();
    assert_eq!(log, ["a sees 0", "b sees 0"]);
    shared.condition.notify(5);
    harness.run();
    assert_eq!(harness.log.take(), ["c sees 0"]);
}

/// `notify_all` wakes every waiter; notifications are not kept for tasks
/// that start waiting later.
#[test]
fn notify_all_wakes_everyone_and_nothing_is_kept_for_later() {
    let mut harness = Harness::new();
    let shared = shared();
    for name in ["a", "b"] {
        waiter(&mut harness, &shared, name).forget();
    }
    shared.condition.notify_all();
    harness.run();
    // Both woke at once; they re-lock in the order the executor runs them.
    let mut log = harness.log.take();
    log.sort();
    assert_eq!(log, ["a sees 0", "b sees 0"]);
    shared.condition.notify_all(); // nobody waits: lost, as in asyncio
    waiter(&mut harness, &shared, "late").forget();
    assert!(harness.log.take().is_empty());
    shared.condition.notify_one();
    harness.run();
    assert_eq!(harness.log.take(), ["late sees 0"]);
}

/// "The method will repeatedly wait() until the predicate evaluates to
/// true"; it returns at once if the predicate already holds.
#[test]
fn wait_for_rechecks_the_predicate_after_each_wake_up() {
    let mut harness = Harness::new();
    let shared = shared();
    let task = {
        let (shared, log) = (shared.clone(), harness.log.clone());
        harness.spawn(async move {
            let mut checks = 0;
            let guard = shared
                .condition
                .wait_for(shared.value.lock().await, |value| {
                    checks += 1;
                    *value >= 3
                })
                .await;
            log.push(format!("done at {} after {checks} checks", *guard));
        })
    };
    for value in 1..=3 {
        *shared.value.try_lock().unwrap() = value;
        shared.condition.notify_all();
        harness.run();
    }
    harness.finish(task);
    assert_eq!(harness.log.take(), ["done at 3 after 4 checks"]);

    let guard = shared.value.try_lock().unwrap();
    let guard = futures::executor::block_on(shared.condition.wait_for(guard, |value| *value == 3));
    assert_eq!(*guard, 3);
}

/// A waiter cancelled after it was notified passes the notification on to
/// the next waiter (Python 3.13), rather than swallowing it.
#[test]
fn a_notified_waiter_that_is_cancelled_passes_the_notification_on() {
    let mut harness = Harness::new();
    let shared = shared();
    let a = waiter(&mut harness, &shared, "a");
    waiter(&mut harness, &shared, "b").forget();
    shared.condition.notify(1); // to "a"
    drop(a); // cancelled before it ran
    harness.run();
    assert_eq!(harness.log.take(), ["b sees 0"]);
}

/// A waiter cancelled while it waits just leaves: a later notify goes to
/// the next one.
#[test]
fn a_waiting_waiter_that_is_cancelled_just_leaves() {
    let mut harness = Harness::new();
    let shared = shared();
    let a = waiter(&mut harness, &shared, "a");
    waiter(&mut harness, &shared, "b").forget();
    drop(a);
    harness.run();
    shared.condition.notify(1);
    harness.run();
    assert_eq!(harness.log.take(), ["b sees 0"]);
    assert!(!shared.value.locked());
}

/// Producer/consumer across threads: every item produced is consumed once;
/// a 0 tells a consumer to stop.
#[test]
fn producers_and_consumers_on_a_thread_pool() {
    let pool = thread_pool(4);
    let queue = Arc::new((Mutex::new(VecDeque::<u32>::new()), Condition::new()));
    let consumers = (0..3).map(|_| {
        let queue = queue.clone();
        async move {
            let (items, condition) = &*queue;
            let mut sum = 0u64;
            loop {
                let mut guard = condition
                    .wait_for(items.lock().await, |items| !items.is_empty())
                    .await;
                let item = guard.pop_front().unwrap();
                drop(guard);
                if item == 0 {
                    return sum;
                }
                sum += u64::from(item);
            }
        }
    });
    let consumers: Vec<_> = consumers.map(Box::pin).collect();
    let producer = {
        let queue = queue.clone();
        Box::pin(async move {
            let (items, condition) = &*queue;
            for item in (1..=300).chain([0, 0, 0]) {
                items.lock().await.push_back(item);
                condition.notify_one();
            }
            0
        })
    };
    let mut tasks: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = u64> + Send>>> =
        consumers.into_iter().map(|c| c as _).collect();
    tasks.push(producer);
    let sums = run_all(&pool, tasks);
    assert_eq!(sums.iter().sum::<u64>(), (1..=300).sum::<u64>());
}
