//! asyncio `Barrier` semantics, on `futures::executor`.

mod common;

use std::rc::Rc;
use std::sync::Arc;

use common::{Harness, run_all, thread_pool};
use futures::future::RemoteHandle;
use runtime_sync::{Barrier, BrokenBarrierError};

/// Spawns a task that waits at the barrier and logs its result.
fn arrive(harness: &mut Harness, barrier: &Rc<Barrier>, name: &'static str) -> RemoteHandle<()> {
    let (barrier, log) = (barrier.clone(), harness.log.clone());
    harness.spawn(async move {
        match barrier.wait().await {
            Ok(result) if result.is_last() => {
                log.push(format!("{name}: {} (last)", result.index()))
            }
            Ok(result) => log.push(format!("{name}: {}", result.index())),
            Err(BrokenBarrierError { .. }) => log.push(format!("{name}: broken")),
        }
    })
}

/// "When all the tasks party to the barrier have called this function,
/// they are all unblocked simultaneously." The return value is "an integer
/// in the range of 0 to parties-1, different for each task": here, the
/// arrival order; the last arrival gets `parties - 1`.
#[test]
fn the_last_arrival_releases_everyone_with_distinct_indices() {
    let mut harness = Harness::new();
    let barrier = Rc::new(Barrier::new(3));
    assert_eq!(barrier.parties(), 3);
    arrive(&mut harness, &barrier, "a").forget();
    arrive(&mut harness, &barrier, "b").forget();
    assert!(harness.log.take().is_empty());
    assert_eq!(barrier.n_waiting(), 2);
    arrive(&mut harness, &barrier, "c").forget();
    let mut log = harness.log.take();
    log.sort();
    assert_eq!(log, ["a: 0", "b: 1", "c: 2 (last)"]);
    assert_eq!(barrier.n_waiting(), 0);
}

/// The barrier is reusable: each round needs `parties` new arrivals.
#[test]
fn the_barrier_is_reusable_round_after_round() {
    let mut harness = Harness::new();
    let barrier = Rc::new(Barrier::new(2));
    for _ in 0..3 {
        arrive(&mut harness, &barrier, "a").forget();
        assert!(harness.log.take().is_empty());
        arrive(&mut harness, &barrier, "b").forget();
        let mut log = harness.log.take();
        log.sort();
        assert_eq!(log, ["a: 0", "b: 1 (last)"]);
    }
}

/// "When a waiting or blocked task in the barrier is cancelled, this task
/// exits the barrier which stays in the same state. If the state of the
/// barrier is "filling", the number of waiting task decreases by 1."
#[test]
fn a_cancelled_waiter_exits_the_barrier() {
    let mut harness = Harness::new();
    let barrier = Rc::new(Barrier::new(2));
    let a = arrive(&mut harness, &barrier, "a");
    assert_eq!(barrier.n_waiting(), 1);
    drop(a);
    harness.run();
    assert_eq!(barrier.n_waiting(), 0);
    arrive(&mut harness, &barrier, "b").forget();
    assert!(
        harness.log.take().is_empty(),
        "b is still waiting for a partner"
    );
    arrive(&mut harness, &barrier, "c").forget();
    let mut log = harness.log.take();
    log.sort();
    assert_eq!(log, ["b: 0", "c: 1 (last)"]);
}

/// "Put the barrier into a broken state. This causes any active or future
/// calls to wait() to fail with the BrokenBarrierError."
#[test]
fn abort_breaks_current_and_future_waits() {
    let mut harness = Harness::new();
    let barrier = Rc::new(Barrier::new(3));
    arrive(&mut harness, &barrier, "a").forget();
    arrive(&mut harness, &barrier, "b").forget();
    assert!(!barrier.is_broken());
    barrier.abort();
    assert!(barrier.is_broken());
    harness.run();
    let mut log = harness.log.take();
    log.sort();
    assert_eq!(log, ["a: broken", "b: broken"]);
    arrive(&mut harness, &barrier, "late").forget();
    assert_eq!(harness.log.take(), ["late: broken"]);
    let error = futures::executor::block_on(barrier.wait()).unwrap_err();
    assert_eq!(error.to_string(), "barrier broken");
}

/// "Return the barrier to the default, empty state. Any tasks waiting on it
/// will receive the BrokenBarrierError exception."
#[test]
fn reset_breaks_the_current_round_and_starts_afresh() {
    let mut harness = Harness::new();
    let barrier = Rc::new(Barrier::new(2));
    arrive(&mut harness, &barrier, "a").forget();
    barrier.reset();
    harness.run();
    assert_eq!(harness.log.take(), ["a: broken"]);
    assert!(!barrier.is_broken());
    assert_eq!(barrier.n_waiting(), 0);
    arrive(&mut harness, &barrier, "b").forget();
    arrive(&mut harness, &barrier, "c").forget();
    let mut log = harness.log.take();
    log.sort();
    assert_eq!(log, ["b: 0", "c: 1 (last)"]);

    barrier.abort();
    barrier.reset();
    assert!(
        !barrier.is_broken(),
        "reset also repairs an aborted barrier"
    );
}

/// Many rounds across threads: each round has exactly one last arrival and
/// every index once.
#[test]
fn rounds_on_a_thread_pool() {
    const PARTIES: usize = 4;
    const ROUNDS: usize = 50;
    let pool = thread_pool(4);
    let barrier = Arc::new(Barrier::new(PARTIES));
    let tasks = (0..PARTIES).map(|_| {
        let barrier = barrier.clone();
        async move {
            let mut indices = Vec::new();
            for _ in 0..ROUNDS {
                indices.push(barrier.wait().await.unwrap().index());
            }
            indices
        }
    });
    let per_task = run_all(&pool, tasks);
    for round in 0..ROUNDS {
        let mut indices: Vec<_> = per_task.iter().map(|indices| indices[round]).collect();
        indices.sort();
        assert_eq!(indices, (0..PARTIES).collect::<Vec<_>>(), "round {round}");
    }
}
