//! Time semantics: sleep, Sleep::reset, timeout (asyncio wait_for),
//! reschedulable deadlines, interval's missed-tick policies, and the paused
//! test clock. Real-clock tests only check lower bounds ("never early") and
//! generous "did not hang" bounds.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{SetOnDrop, multi, paused};
use runtime::time::{self, MissedTickBehavior, sleep, sleep_until, timeout, timeout_at};

#[test]
fn sleep_never_returns_early_on_a_multi_thread_runtime() {
    let rt = multi(2);
    rt.block_on(async {
        for ms in [1u64, 5, 20] {
            let start = Instant::now();
            sleep(Duration::from_millis(ms)).await;
            assert!(start.elapsed() >= Duration::from_millis(ms));
        }
    });
    // From inside tasks on the workers, many at once.
    let done = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..1_000u64)
        .map(|i| {
            let done = done.clone();
            rt.spawn(async move {
                let d = Duration::from_millis(1 + i % 10);
                let start = Instant::now();
                sleep(d).await;
                assert!(start.elapsed() >= d);
                done.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    rt.block_on(async {
        for t in tasks {
            t.await.expect("sleeper");
        }
    });
    assert_eq!(done.load(Ordering::SeqCst), 1_000);
}

#[test]
fn an_idle_multi_thread_runtime_still_fires_timers() {
    let rt = multi(2);
    let start = Instant::now();
    let t = rt.spawn(async {
        sleep(Duration::from_millis(50)).await;
        "woke"
    });
    let mut t = t;
    assert_eq!(
        t.join_timeout(Duration::from_secs(10)).expect("fired"),
        "woke"
    );
    assert!(start.elapsed() >= Duration::from_millis(50));
}

#[test]
fn paused_clock_jumps_to_the_next_timer() {
    let rt = paused();
    rt.block_on(async {
        let start = time::now();
        sleep(Duration::from_secs(3600)).await;
        assert_eq!(time::now() - start, Duration::from_secs(3600));
        sleep_until(start + Duration::from_secs(7200)).await;
        assert_eq!(time::now() - start, Duration::from_secs(7200));
    });
}

#[test]
fn zero_and_past_deadlines_complete_at_once() {
    let rt = paused();
    rt.block_on(async {
        let start = time::now();
        sleep(Duration::ZERO).await;
        sleep_until(start - Duration::from_secs(1)).await;
        assert_eq!(time::now(), start);
    });
}

#[test]
fn reset_moves_the_deadline_of_a_waiting_sleep() {
    let rt = paused();
    rt.block_on(async {
        let start = time::now();
        let mut long = std::pin::pin!(sleep(Duration::from_secs(3600)));
        // Register it, then pull the deadline in.
        assert!(futures::poll!(long.as_mut()).is_pending());
        long.as_mut().reset(start + Duration::from_secs(10));
        long.as_mut().await;
        assert_eq!(time::now() - start, Duration::from_secs(10));
        assert!(long.is_elapsed());
        // A fired sleep can be re-armed.
        long.as_mut().reset(time::now() + Duration::from_secs(5));
        assert!(!long.is_elapsed());
        long.as_mut().await;
        assert_eq!(time::now() - start, Duration::from_secs(15));
    });
}

#[test]
fn advance_fires_due_timers_and_runs_their_tasks() {
    let rt = paused();
    rt.block_on(async {
        let fired = Arc::new(AtomicUsize::new(0));
        for secs in [1u64, 2, 3] {
            let fired = fired.clone();
            runtime::spawn(async move {
                sleep(Duration::from_secs(secs)).await;
                fired.fetch_add(1, Ordering::SeqCst);
            })
            .detach();
        }
        runtime::yield_now().await; // let them register
        time::advance(Duration::from_millis(2_500)).await;
        assert_eq!(fired.load(Ordering::SeqCst), 2);
        time::advance(Duration::from_secs(1)).await;
        assert_eq!(fired.load(Ordering::SeqCst), 3);
    });
}

#[test]
fn timeout_returns_the_value_of_a_ready_future_even_with_zero_duration() {
    let rt = paused();
    rt.block_on(async {
        assert_eq!(timeout(Duration::ZERO, async { 5 }).await, Ok(5));
        let past = time::now() - Duration::from_secs(1);
        assert_eq!(timeout_at(past, async { 6 }).await, Ok(6));
    });
}

#[test]
fn timeout_drops_the_inner_future_at_expiry() {
    let rt = paused();
    rt.block_on(async {
        let dropped = Arc::new(AtomicBool::new(false));
        let guard = SetOnDrop(dropped.clone());
        let inner = async move {
            let _guard = guard;
            std::future::pending::<()>().await
        };
        let mut t = std::pin::pin!(timeout(Duration::from_secs(30), inner));
        let start = time::now();
        let result = t.as_mut().await;
        assert!(result.is_err(), "expected Elapsed");
        assert_eq!(time::now() - start, Duration::from_secs(30));
        // Dropped at expiry, while the Timeout itself is still alive.
        assert!(dropped.load(Ordering::SeqCst));
        assert!(t.expired());
        let err: std::io::Error = result.unwrap_err().into();
        assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
    });
}

#[test]
fn timeout_on_a_multi_thread_runtime_elapses_and_passes_values_through() {
    let rt = multi(2);
    rt.block_on(async {
        let slow = timeout(Duration::from_millis(20), sleep(Duration::from_secs(60))).await;
        assert!(slow.is_err());
        let quick = timeout(Duration::from_secs(60), async {
            sleep(Duration::from_millis(1)).await;
            "done"
        })
        .await;
        assert_eq!(quick, Ok("done"));
    });
}

#[test]
fn reschedule_moves_or_removes_the_deadline() {
    let rt = paused();
    rt.block_on(async {
        let start = time::now();
        let mut t = std::pin::pin!(timeout(
            Duration::from_secs(1),
            sleep(Duration::from_secs(10))
        ));
        assert!(futures::poll!(t.as_mut()).is_pending());
        t.as_mut().reschedule(Some(start + Duration::from_secs(20)));
        assert_eq!(t.deadline(), Some(start + Duration::from_secs(20)));
        assert_eq!(t.as_mut().await, Ok(()));
        assert_eq!(time::now() - start, Duration::from_secs(10));

        let mut never = std::pin::pin!(timeout(
            Duration::from_secs(1),
            sleep(Duration::from_secs(100))
        ));
        never.as_mut().reschedule(None);
        assert_eq!(never.deadline(), None);
        assert_eq!(never.as_mut().await, Ok(()));
    });
}

/// Ticks of an interval whose task stalls for `stall` after the first tick.
fn ticks_after_stall(behavior: MissedTickBehavior) -> Vec<u64> {
    let rt = paused();
    rt.block_on(async move {
        let start = time::now();
        let mut every = time::interval(Duration::from_secs(10));
        every.set_missed_tick_behavior(behavior);
        let mut at = vec![every.tick().await]; // t = 0
        // Busy for 35 s: ticks at 10, 20, 30 are missed.
        time::advance(Duration::from_secs(35)).await;
        for _ in 0..4 {
            every.tick().await;
            at.push(time::now());
        }
        at.into_iter().map(|t| (t - start).as_secs()).collect()
    })
}

#[test]
fn interval_missed_tick_policies() {
    // Burst: catch up back to back (at 35 s), then keep the 10 s grid.
    assert_eq!(
        ticks_after_stall(MissedTickBehavior::Burst),
        vec![0, 35, 35, 35, 40]
    );
    // Delay: one tick now, then a full period from now.
    assert_eq!(
        ticks_after_stall(MissedTickBehavior::Delay),
        vec![0, 35, 45, 55, 65]
    );
    // Skip: one tick now, then the next slot of the original grid.
    assert_eq!(
        ticks_after_stall(MissedTickBehavior::Skip),
        vec![0, 35, 40, 50, 60]
    );
}

#[test]
fn a_hundred_thousand_sleeps_on_a_paused_clock() {
    let rt = paused();
    rt.block_on(async {
        let done = Arc::new(AtomicUsize::new(0));
        for i in 0..100_000u64 {
            let done = done.clone();
            runtime::spawn(async move {
                sleep(Duration::from_millis(1 + i % 5_000)).await;
                done.fetch_add(1, Ordering::Relaxed);
            })
            .detach();
        }
        sleep(Duration::from_secs(10)).await;
        assert_eq!(done.load(Ordering::Relaxed), 100_000);
    });
}

#[test]
#[should_panic(expected = "current-thread")]
fn pausing_a_multi_thread_runtime_is_refused() {
    let rt = multi(2);
    rt.block_on(async { time::pause() });
}

#[test]
fn deadline_rescheduled_from_inside_the_timed_code() {
    let rt = paused();
    rt.block_on(async {
        let start = time::now();
        // Extended from inside: finishes.
        let deadline = time::Deadline::after(Duration::from_secs(1));
        let inside = deadline.clone();
        let r = time::timeout_with(&deadline, async move {
            inside.reschedule(Some(time::now() + Duration::from_secs(10)));
            sleep(Duration::from_secs(5)).await;
            7
        })
        .await;
        assert_eq!(r, Ok(7));
        assert_eq!(time::now() - start, Duration::from_secs(5));

        // Shortened from outside while the timed code waits: expires early.
        let deadline = time::Deadline::at(None);
        let outer = deadline.clone();
        let start = time::now();
        let (r, ()) = runtime::join!(
            time::timeout_with(&deadline, sleep(Duration::from_secs(100))),
            async move {
                sleep(Duration::from_secs(2)).await;
                outer.reschedule(Some(time::now() + Duration::from_secs(1)));
            }
        );
        assert!(r.is_err());
        assert_eq!(time::now() - start, Duration::from_secs(3));
        assert_eq!(deadline.when(), Some(start + Duration::from_secs(3)));
    });
}
