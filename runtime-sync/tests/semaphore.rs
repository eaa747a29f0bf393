//! asyncio `Semaphore` and `BoundedSemaphore` semantics, plus this crate's
//! additions (`acquire_many`, `close`, owned permits), on
//! `futures::executor`.

mod common;

use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Harness, run_all, thread_pool, yield_now};
use futures::executor::block_on;
use futures::future::RemoteHandle;
use runtime_sync::{AcquireError, BoundedSemaphore, Semaphore, TooManyReleases, TryAcquireError};

/// Spawns a task that takes `n` permits, logs `name`, yields once holding
/// them, and releases them.
fn taker(
    harness: &mut Harness,
    semaphore: &Rc<Semaphore>,
    n: usize,
    name: &'static str,
) -> RemoteHandle<()> {
    let (semaphore, log) = (semaphore.clone(), harness.log.clone());
    harness.spawn(async move {
        match semaphore.acquire_many(n).await {
            Ok(_permit) => {
                log.push(name);
                yield_now().await;
            }
            Err(AcquireError::Closed) => log.push(format!("{name}: closed")),
            Err(error) => panic!("unexpected {error}"),
        }
    })
}

/// "If the internal counter is greater than zero, decrement it by one and
/// return True immediately. If it is zero, wait until a release() is
/// called."
#[test]
fn acquire_takes_a_free_permit_or_waits_for_a_release() {
    let mut harness = Harness::new();
    let semaphore = Rc::new(Semaphore::new(1));
    let permit = block_on(semaphore.acquire()).unwrap();
    assert_eq!(semaphore.available_permits(), 0);
    taker(&mut harness, &semaphore, 1, "waiter").forget();
    assert!(harness.log.take().is_empty());
    drop(permit);
    harness.run();
    assert_eq!(harness.log.take(), ["waiter"]);
    assert_eq!(semaphore.available_permits(), 1);
}

/// Blocked acquirers are served in the order they started waiting.
#[test]
fn waiters_are_served_first_come_first_served() {
    let mut harness = Harness::new();
    let semaphore = Rc::new(Semaphore::new(0));
    for name in ["a", "b", "c"] {
        taker(&mut harness, &semaphore, 1, name).forget();
    }
    semaphore.add_permits(1);
    harness.run();
    assert_eq!(harness.log.take(), ["a", "b", "c"]);
}

/// A large request keeps its place: smaller, later requests do not
/// overtake it although enough permits for them are free.
#[test]
fn acquire_many_is_not_starved_by_later_small_requests() {
    let mut harness = Harness::new();
    let semaphore = Rc::new(Semaphore::new(1));
    let held = semaphore.try_acquire().unwrap();
    taker(&mut harness, &semaphore, 2, "large").forget();
    for name in ["small-1", "small-2"] {
        taker(&mut harness, &semaphore, 1, name).forget();
    }
    assert!(semaphore.locked());
    drop(held); // 1 free: not enough for "large", and the small ones wait behind it
    harness.run();
    assert!(harness.log.take().is_empty());
    semaphore.add_permits(1);
    harness.run();
    assert_eq!(harness.log.take(), ["large", "small-1", "small-2"]);
    assert_eq!(semaphore.available_permits(), 2);
}

/// `locked()`: "Returns True if semaphore can not be acquired immediately."
#[test]
fn locked_tells_whether_an_acquire_would_wait() {
    let mut harness = Harness::new();
    let semaphore = Rc::new(Semaphore::new(1));
    assert!(!semaphore.locked());
    let permit = semaphore.try_acquire().unwrap();
    assert!(semaphore.locked());
    drop(permit);
    // A free permit, but an older request waits for two: an acquire would
    // queue behind it.
    taker(&mut harness, &semaphore, 2, "large").forget();
    assert!(semaphore.locked());
    assert_eq!(
        semaphore.try_acquire().unwrap_err(),
        TryAcquireError::NoPermits
    );
}

/// "Unlike BoundedSemaphore, Semaphore allows making more release() calls
/// than acquire() calls."
#[test]
fn a_semaphore_may_be_released_more_than_acquired() {
    let semaphore = Semaphore::new(1);
    semaphore.release();
    semaphore.release();
    assert_eq!(semaphore.available_permits(), 3);
}

/// BoundedSemaphore "raises a ValueError in release() if it increases the
/// internal counter above the initial value".
#[test]
fn a_bounded_semaphore_refuses_to_be_released_too_often() {
    let semaphore = BoundedSemaphore::new(2);
    assert_eq!(semaphore.release(), Err(TooManyReleases { limit: 2 }));
    block_on(semaphore.acquire());
    block_on(semaphore.acquire());
    assert!(semaphore.locked());
    assert_eq!(semaphore.release(), Ok(()));
    assert_eq!(semaphore.release(), Ok(()));
    let error = semaphore.release().unwrap_err();
    assert_eq!(error, TooManyReleases { limit: 2 });
    assert_eq!(
        semaphore.available_permits(),
        2,
        "the failed release changed nothing"
    );
    let _: &dyn std::error::Error = &error;
}

/// A BoundedSemaphore's waiters are served in order, by `release`.
#[test]
fn a_bounded_semaphore_serves_waiters_in_order() {
    let mut harness = Harness::new();
    let semaphore = Rc::new(BoundedSemaphore::new(1));
    semaphore.try_acquire().unwrap();
    for name in ["a", "b"] {
        let (semaphore, log) = (semaphore.clone(), harness.log.clone());
        harness
            .spawn(async move {
                semaphore.acquire().await;
                log.push(name);
                semaphore.release().unwrap();
            })
            .forget();
    }
    semaphore.release().unwrap();
    harness.run();
    assert_eq!(harness.log.take(), ["a", "b"]);
    assert_eq!(semaphore.release(), Err(TooManyReleases { limit: 1 }));
}

/// A waiter cancelled while it waits just leaves; one cancelled after the
/// permits were handed to it passes them on.
#[test]
fn cancelled_waiters_lose_no_permits() {
    let mut harness = Harness::new();
    let semaphore = Rc::new(Semaphore::new(0));
    let a = taker(&mut harness, &semaphore, 1, "a");
    let b = taker(&mut harness, &semaphore, 1, "b");
    taker(&mut harness, &semaphore, 1, "c").forget();
    drop(b); // cancelled while waiting
    harness.run();
    semaphore.add_permits(1); // handed to "a"
    drop(a); // cancelled before it ran: the permit goes on to "c"
    harness.run();
    assert_eq!(harness.log.take(), ["c"]);
    assert_eq!(semaphore.available_permits(), 1);
}

/// `close` fails every waiting and later acquire; permits already held
/// stay valid and come back.
#[test]
fn close_fails_pending_and_later_acquires() {
    let mut harness = Harness::new();
    let semaphore = Rc::new(Semaphore::new(1));
    let held = semaphore.try_acquire().unwrap();
    taker(&mut harness, &semaphore, 1, "a").forget();
    taker(&mut harness, &semaphore, 3, "b").forget();
    semaphore.close();
    harness.run();
    // Both were woken at once; the executor picks which runs first.
    let mut log = harness.log.take();
    log.sort();
    assert_eq!(log, ["a: closed", "b: closed"]);
    assert_eq!(
        block_on(semaphore.acquire()).unwrap_err(),
        AcquireError::Closed
    );
    assert_eq!(
        semaphore.try_acquire().unwrap_err(),
        TryAcquireError::Closed
    );
    drop(held);
    assert_eq!(semaphore.available_permits(), 1);
}

/// `add_permits(n)` serves as many waiters as it can, in order.
#[test]
fn add_permits_wakes_as_many_waiters_as_it_covers() {
    let mut harness = Harness::new();
    let semaphore = Rc::new(Semaphore::new(0));
    for (n, name) in [(1, "one"), (2, "two"), (1, "three")] {
        taker(&mut harness, &semaphore, n, name).forget();
    }
    // Three permits cover "one" and "two"; "three" waits for theirs.
    semaphore.add_permits(3);
    assert_eq!(semaphore.available_permits(), 0);
    harness.run();
    // "one" and "two" were served together (the executor picks which runs
    // first); "three" only once one of them gave a permit back.
    let mut log = harness.log.take();
    log[..2].sort();
    assert_eq!(log, ["one", "two", "three"]);
    assert_eq!(semaphore.available_permits(), 3);
}

/// Owned permits move into tasks on other threads; the semaphore bounds how
/// many run at once.
#[test]
fn owned_permits_bound_concurrency_on_a_thread_pool() {
    let pool = thread_pool(4);
    let semaphore = Arc::new(Semaphore::new(2));
    let (running, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let tasks = (0..16).map(|_| {
        let (semaphore, running, peak) = (semaphore.clone(), running.clone(), peak.clone());
        async move {
            for _ in 0..20 {
                let permit = semaphore.clone().acquire_owned().await.unwrap();
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                yield_now().await;
                running.fetch_sub(1, Ordering::SeqCst);
                drop(permit);
            }
        }
    });
    run_all(&pool, tasks);
    assert!(peak.load(Ordering::SeqCst) <= 2);
    assert_eq!(semaphore.available_permits(), 2);
}
