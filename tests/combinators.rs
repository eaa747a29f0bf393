//! Task combinators (issue 3): `gather` keeps input order whatever the completion order and
//! cancels its tasks when dropped; `try_gather` returns the first error at once and drops the
//! rest, while `try_gather_tasks` lets the other tasks run on; `join!` / `try_join!`; `TaskGroup`
//! cancels the siblings of a failed child, returns every error, resumes a child's panic and
//! cancels its children when dropped; `select` drops the loser; `shield` keeps the work running
//! when the awaiter is cancelled; `as_completed` yields in completion order.

mod common;

use std::future::{Future, pending};
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, mpsc};
use std::task::Poll;
use std::time::Duration;

use common::{
    CountOnDrop, HANG, SetOnDrop, SignalOnDrop, current_thread, multi, panic_message, paused,
    within,
};
use futures::channel::oneshot;
use runtime::combinators::GroupError;
use runtime::task::TaskError;
use runtime::{
    Either, TaskGroup, as_completed, as_completed_timeout, gather, select, shield, shield_task,
    spawn, try_gather, try_gather_tasks, yield_now,
};

const WAIT: Duration = Duration::from_secs(5);

type BoxFut<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Yields `n` times.
async fn yields(n: usize) {
    for _ in 0..n {
        yield_now().await;
    }
}

/// A future that never finishes but keeps yielding (so it is polled again and again).
async fn spin<T>() -> T {
    loop {
        yield_now().await;
    }
}

// ---------------------------------------------------------------------------------------------
// gather

#[test]
fn gather_keeps_input_order_when_completion_order_is_reversed() {
    within(HANG, || {
        runtime::run(async {
            const N: usize = 8;
            let finished = Arc::new(Mutex::new(Vec::new()));
            let started = Arc::new(AtomicUsize::new(0));
            let (txs, rxs): (Vec<_>, Vec<_>) = (0..N).map(|_| oneshot::channel::<usize>()).unzip();
            let children: Vec<_> = rxs
                .into_iter()
                .enumerate()
                .map(|(i, rx)| {
                    let finished = Arc::clone(&finished);
                    let started = Arc::clone(&started);
                    async move {
                        started.fetch_add(1, Ordering::SeqCst);
                        let v = rx.await.expect("sender kept");
                        finished.lock().unwrap().push(i);
                        v
                    }
                })
                .collect();
            // Once every child waits, complete them last to first, one at a time.
            let driver = spawn(async move {
                while started.load(Ordering::SeqCst) < N {
                    yield_now().await;
                }
                for (i, tx) in txs.into_iter().enumerate().rev() {
                    tx.send(i * 100).unwrap();
                    yields(3).await;
                }
            });
            let out = gather(children).await;
            driver.await.unwrap();
            assert_eq!(out, (0..N).map(|i| i * 100).collect::<Vec<_>>());
            assert_eq!(
                *finished.lock().unwrap(),
                (0..N).rev().collect::<Vec<_>>(),
                "they did finish in reverse order"
            );
        });
    });
}

#[test]
fn gather_over_tasks_is_return_exceptions() {
    within(HANG, || {
        runtime::run(async {
            let stuck = spawn(pending::<u32>());
            stuck.cancel_with("not needed");
            let tasks = vec![
                spawn(async { 1u32 }),
                spawn(async { panic!("child failed") }),
                stuck,
                spawn(async {
                    yields(5).await;
                    4u32
                }),
            ];
            let results = gather(tasks).await;
            assert_eq!(results.len(), 4);
            assert_eq!(*results[0].as_ref().unwrap(), 1);
            let panicked = results[1].as_ref().unwrap_err();
            assert!(panicked.is_panic());
            assert_eq!(panicked.panic_message(), Some("child failed"));
            let cancelled = results[2].as_ref().unwrap_err();
            assert!(cancelled.is_cancelled());
            assert_eq!(cancelled.cancel_message(), Some("not needed"));
            assert_eq!(*results[3].as_ref().unwrap(), 4, "a failure stops nothing");
        });
    });
}

#[test]
fn dropping_a_gather_cancels_its_tasks() {
    within(HANG, || {
        let rt = multi(2);
        let (tx, rx) = mpsc::channel();
        rt.block_on(async {
            let tasks: Vec<_> = (0..3)
                .map(|_| {
                    let guard = SignalOnDrop(tx.clone());
                    spawn(async move {
                        let _guard = guard;
                        pending::<()>().await;
                    })
                })
                .collect();
            let mut g = gather(tasks);
            // Poll it once (the tasks are now awaited), then drop it.
            let polled =
                std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut g).poll(cx).is_pending()))
                    .await;
            assert!(polled);
            drop(g);
        });
        for _ in 0..3 {
            rx.recv_timeout(WAIT)
                .expect("a gathered task was cancelled");
        }
    });
}

#[test]
fn dropping_a_gather_of_plain_futures_drops_them() {
    within(HANG, || {
        runtime::run(async {
            let dropped = Arc::new(AtomicUsize::new(0));
            let children: Vec<_> = (0..4)
                .map(|_| {
                    let guard = CountOnDrop(Arc::clone(&dropped));
                    async move {
                        let _guard = guard;
                        spin::<()>().await;
                    }
                })
                .collect();
            let out = select(gather(children), yields(3)).await;
            assert!(out.is_right());
            assert_eq!(dropped.load(Ordering::SeqCst), 4);
        });
    });
}

#[test]
fn gather_of_many_tasks_finishing_in_a_chain() {
    // 10,000 tasks where each one waits for the previous one: completes quickly (O(n)).
    within(HANG, || {
        runtime::run(async {
            const N: usize = 10_000;
            let (first_tx, mut prev_rx) = oneshot::channel::<()>();
            let mut tasks = Vec::with_capacity(N);
            for i in 0..N {
                let (tx, rx) = oneshot::channel::<()>();
                let wait_for = std::mem::replace(&mut prev_rx, rx);
                tasks.push(spawn(async move {
                    wait_for.await.unwrap();
                    let _ = tx.send(());
                    i
                }));
            }
            first_tx.send(()).unwrap();
            let out = gather(tasks).await;
            assert!(out.into_iter().enumerate().all(|(i, r)| r.unwrap() == i));
        });
    });
}

// ---------------------------------------------------------------------------------------------
// try_gather

#[test]
fn try_gather_returns_early_and_drops_the_slow_future() {
    within(HANG, || {
        runtime::run(async {
            let dropped = Arc::new(AtomicBool::new(false));
            let guard = SetOnDrop(Arc::clone(&dropped));
            let slow: BoxFut<Result<u32, String>> = Box::pin(async move {
                let _guard = guard;
                spin::<()>().await;
                Ok(0)
            });
            let failing: BoxFut<Result<u32, String>> = Box::pin(async {
                yields(2).await;
                Err("bad".to_string())
            });
            let ok: BoxFut<Result<u32, String>> = Box::pin(async { Ok(1) });
            let out = try_gather(vec![slow, ok, failing]).await;
            assert_eq!(out, Err("bad".to_string()));
            assert!(
                dropped.load(Ordering::SeqCst),
                "the slow future was dropped before returning"
            );

            let all: Result<Vec<u32>, String> = try_gather((0..5u32).map(|i| async move {
                yields(5 - i as usize).await;
                Ok(i)
            }))
            .await;
            assert_eq!(all.unwrap(), [0, 1, 2, 3, 4]);
        });
    });
}

#[test]
fn try_gather_over_tasks_cancels_the_others() {
    within(HANG, || {
        let rt = multi(2);
        let (tx, rx) = mpsc::channel();
        rt.block_on(async {
            let guard = SignalOnDrop(tx);
            let waiting = spawn(async move {
                let _guard = guard;
                pending::<u32>().await
            });
            let failing = spawn(async {
                yields(3).await;
                panic!("nope")
            });
            let err = try_gather(vec![waiting, failing]).await.unwrap_err();
            assert!(err.is_panic());
        });
        rx.recv_timeout(WAIT)
            .expect("the awaited sibling was cancelled");
    });
}

#[test]
fn try_gather_tasks_lets_the_others_run_to_completion() {
    within(HANG, || {
        let rt = multi(2);
        let (done_tx, done_rx) = mpsc::channel::<usize>();
        let err = rt.block_on(async {
            // The three run until released, which happens only after try_gather_tasks returned.
            let mut releases = Vec::new();
            let mut tasks = Vec::new();
            for i in 0..3 {
                let done_tx = done_tx.clone();
                let (release_tx, release_rx) = oneshot::channel::<()>();
                releases.push(release_tx);
                tasks.push(spawn(async move {
                    release_rx.await.unwrap();
                    yields(i).await;
                    done_tx.send(i).unwrap();
                    i
                }));
            }
            tasks.push(spawn(async move {
                yields(3).await;
                panic!("early failure")
            }));
            let err = try_gather_tasks(tasks).await.unwrap_err();
            for release in releases {
                release
                    .send(())
                    .expect("the task is still alive after the early return");
            }
            err
        });
        assert_eq!(err.panic_message(), Some("early failure"));
        let mut finished: Vec<usize> = (0..3)
            .map(|_| done_rx.recv_timeout(WAIT).expect("a detached task ran on"))
            .collect();
        finished.sort_unstable();
        assert_eq!(finished, [0, 1, 2]);
    });
}

#[test]
fn try_gather_tasks_with_result_tasks_stops_at_the_first_err() {
    #[derive(Debug)]
    #[allow(dead_code)] // `Task`'s payload is only there for the `?` conversion
    enum AppError {
        Task(TaskError),
        Invalid(u32),
    }
    impl From<TaskError> for AppError {
        fn from(e: TaskError) -> Self {
            AppError::Task(e)
        }
    }
    within(HANG, || {
        let rt = multi(2);
        let (tx, rx) = mpsc::channel::<()>();
        let out = rt.block_on(async {
            let (release_tx, release_rx) = oneshot::channel::<()>();
            let slow = spawn(async move {
                release_rx.await.unwrap();
                tx.send(()).unwrap();
                Ok::<u32, AppError>(1)
            });
            let bad = spawn(async { Err::<u32, AppError>(AppError::Invalid(7)) });
            let out = try_gather(
                [slow, bad]
                    .into_iter()
                    .map(|t| async move { shield_task(t).await? }),
            )
            .await;
            release_tx.send(()).expect("the slow task is still alive");
            out
        });
        assert!(matches!(out, Err(AppError::Invalid(7))));
        rx.recv_timeout(WAIT)
            .expect("the slow task ran on, detached");
        let ok: Result<Vec<u32>, TaskError> = rt
            .block_on(async { try_gather_tasks((0..4u32).map(|i| spawn(async move { i }))).await });
        assert_eq!(ok.unwrap(), [0, 1, 2, 3]);
    });
}

// ---------------------------------------------------------------------------------------------
// join! / try_join!

#[test]
fn join_returns_a_tuple_of_different_types() {
    within(HANG, || {
        runtime::run(async {
            let order = Arc::new(Mutex::new(Vec::new()));
            let step = |name: &'static str, n: usize| {
                let order = Arc::clone(&order);
                async move {
                    yields(n).await;
                    order.lock().unwrap().push(name);
                    name
                }
            };
            let (a, b, c, d) = runtime::join!(
                step("a", 6),
                async { 2u8 },
                step("c", 0),
                spawn(async { 'd' })
            );
            assert_eq!((a, b, c, d.unwrap()), ("a", 2, "c", 'd'));
            assert_eq!(*order.lock().unwrap(), ["c", "a"]);

            let (one,) = runtime::join!(async { 1 });
            assert_eq!(one, 1);

            let twelve = runtime::join!(
                async { 1 },
                async { 2u16 },
                async { 3u32 },
                async { 4u64 },
                async { "5" },
                async { 6i8 },
                async { 7i16 },
                async { 8i32 },
                async { 9i64 },
                async { 10usize },
                async { '1' },
                yields(12),
            );
            assert_eq!(twelve.0, 1);
            assert_eq!(twelve.4, "5");
            assert_eq!(twelve.9, 10);
            assert_eq!(twelve.10, '1');
        });
    });
}

#[test]
fn try_join_returns_the_first_error_and_drops_the_rest() {
    within(HANG, || {
        runtime::run(async {
            let ok: Result<(u8, &str, char), String> =
                runtime::try_join!(async { Ok(1) }, async { Ok("two") }, async {
                    yields(3).await;
                    Ok('3')
                });
            assert_eq!(ok.unwrap(), (1, "two", '3'));

            let dropped = Arc::new(AtomicBool::new(false));
            let guard = SetOnDrop(Arc::clone(&dropped));
            let slow = async move {
                let _guard = guard;
                spin::<()>().await;
                Ok::<u8, String>(0)
            };
            let failing = async {
                yields(2).await;
                Err::<(), String>("broken".into())
            };
            let out = runtime::try_join!(slow, failing);
            assert_eq!(out, Err("broken".to_string()));
            assert!(
                dropped.load(Ordering::SeqCst),
                "the slow future was dropped"
            );
        });
    });
}

// ---------------------------------------------------------------------------------------------
// TaskGroup

#[test]
fn task_group_collects_values_in_spawn_order() {
    within(HANG, || {
        runtime::run(async {
            let mut group: TaskGroup<usize, String> = TaskGroup::new();
            for i in 0..10 {
                group.spawn(async move {
                    yields(10 - i).await;
                    Ok(i)
                });
            }
            assert_eq!(group.len(), 10);
            assert_eq!(group.await.unwrap(), (0..10).collect::<Vec<_>>());

            let empty: TaskGroup<u8> = TaskGroup::new();
            assert!(empty.is_empty());
            assert_eq!(empty.join().await.unwrap(), Vec::<u8>::new());
        });
    });
}

#[test]
fn task_group_failure_cancels_the_siblings() {
    within(HANG, || {
        runtime::run(async {
            let dropped = Arc::new(AtomicUsize::new(0));
            let finished = Arc::new(AtomicUsize::new(0));
            let mut group: TaskGroup<u32, String> = TaskGroup::new();
            for _ in 0..3 {
                let guard = CountOnDrop(Arc::clone(&dropped));
                let finished = Arc::clone(&finished);
                group.spawn(async move {
                    let _guard = guard;
                    spin::<()>().await;
                    finished.fetch_add(1, Ordering::SeqCst);
                    Ok(0)
                });
            }
            let failing = group.spawn(async {
                yields(5).await;
                Err("disk full".to_string())
            });
            let err: GroupError<String> = group.join().await.unwrap_err();
            assert_eq!(err.errors().collect::<Vec<_>>(), ["disk full"]);
            assert_eq!(err.failures()[0].0, failing.id());
            assert_eq!(err.first().map(String::as_str), Some("disk full"));
            assert_eq!(err.cancelled().len(), 3);
            for cancelled in err.cancelled() {
                assert!(cancelled.is_cancelled());
                assert_eq!(
                    cancelled.cancel_message(),
                    Some("a sibling in the TaskGroup failed")
                );
            }
            assert_eq!(
                dropped.load(Ordering::SeqCst),
                3,
                "every sibling's future was dropped"
            );
            assert_eq!(finished.load(Ordering::SeqCst), 0);
            assert!(err.to_string().contains("disk full"));
        });
    });
}

#[test]
fn task_group_returns_every_error() {
    within(HANG, || {
        let rt = multi(2);
        rt.block_on(async {
            // Both children are inside their last poll at the same time, so both fail before
            // either failure can cancel the other.
            let barrier = Arc::new(Barrier::new(2));
            let mut group: TaskGroup<(), String> = TaskGroup::new();
            for name in ["first", "second"] {
                let barrier = Arc::clone(&barrier);
                group.spawn(async move {
                    barrier.wait();
                    Err(name.to_string())
                });
            }
            let err = group.await.unwrap_err();
            let mut errors: Vec<&str> = err.errors().map(String::as_str).collect();
            errors.sort_unstable();
            assert_eq!(errors, ["first", "second"]);
            assert!(err.cancelled().is_empty());
            assert!(err.to_string().starts_with("2 tasks of the group failed"));
        });
    });
}

#[test]
fn task_group_resumes_a_child_panic_after_cancelling_the_siblings() {
    within(HANG, || {
        let rt = multi(2);
        let dropped = Arc::new(AtomicBool::new(false));
        let guard = SetOnDrop(Arc::clone(&dropped));
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            rt.block_on(async move {
                let mut group: TaskGroup<(), String> = TaskGroup::new();
                group.spawn(async move {
                    let _guard = guard;
                    pending::<()>().await;
                    Ok(())
                });
                group.spawn(async {
                    yields(3).await;
                    panic!("child exploded")
                });
                let _ = group.await;
            })
        }));
        let payload = result.expect_err("the child's panic is resumed in the parent");
        assert_eq!(panic_message(payload.as_ref()), Some("child exploded"));
        assert!(
            dropped.load(Ordering::SeqCst),
            "the sibling was cancelled before the panic was resumed"
        );
    });
}

#[test]
fn dropping_a_task_group_cancels_its_children() {
    within(HANG, || {
        let rt = multi(2);
        let (tx, rx) = mpsc::channel();
        rt.block_on(async {
            let mut group: TaskGroup<()> = TaskGroup::new();
            for _ in 0..3 {
                let guard = SignalOnDrop(tx.clone());
                group.spawn(async move {
                    let _guard = guard;
                    pending::<()>().await;
                    Ok(())
                });
            }
            drop(group);
        });
        for _ in 0..3 {
            rx.recv_timeout(WAIT)
                .expect("a child of the dropped group was cancelled");
        }

        // Dropping the join future (the awaiter lost a race) cancels them too.
        rt.block_on(async {
            let mut group: TaskGroup<()> = TaskGroup::new();
            let guard = SignalOnDrop(tx.clone());
            group.spawn(async move {
                let _guard = guard;
                pending::<()>().await;
                Ok(())
            });
            let raced = select(group.join(), yields(3)).await;
            assert!(raced.is_right());
        });
        rx.recv_timeout(WAIT)
            .expect("the child of the dropped join was cancelled");
    });
}

#[test]
fn task_group_cancel_all_and_spawn_after_failure() {
    within(HANG, || {
        runtime::run(async {
            let mut group: TaskGroup<u8, String> = TaskGroup::new();
            let first = group.spawn(async { Err("first".to_string()) });
            group.spawn(async { Ok(1) });
            // Let the failure happen.
            while !first.is_finished() {
                yield_now().await;
            }
            let ran = Arc::new(AtomicBool::new(false));
            let flag = Arc::clone(&ran);
            let late = group.spawn(async move {
                flag.store(true, Ordering::SeqCst);
                Ok(2)
            });
            let err = group.await.unwrap_err();
            assert_eq!(err.errors().count(), 1);
            assert!(err.cancelled().iter().any(|e| e.id() == late.id()));
            assert!(
                !ran.load(Ordering::SeqCst),
                "a child spawned into a failed group never runs"
            );

            let mut group: TaskGroup<u8> = TaskGroup::new();
            group.spawn(spin());
            group.spawn(spin());
            group.cancel_all();
            let err = group.await.unwrap_err();
            assert_eq!(err.errors().count(), 0);
            assert_eq!(err.cancelled().len(), 2);
            assert_eq!(
                err.cancelled()[0].cancel_message(),
                Some("the TaskGroup was cancelled")
            );
        });
    });
}

#[test]
fn task_group_child_cancelled_from_outside_is_not_a_failure() {
    within(HANG, || {
        runtime::run(async {
            let mut group: TaskGroup<u8> = TaskGroup::new();
            let (release_tx, release_rx) = oneshot::channel::<()>();
            let sibling = group.spawn(async move {
                release_rx.await.unwrap();
                Ok(1)
            });
            let victim = group.spawn(pending());
            assert!(victim.cancel_with("from outside"));
            while !victim.is_finished() {
                yield_now().await;
            }
            // The sibling was not cancelled: it still finishes.
            release_tx.send(()).unwrap();
            let err = group.await.unwrap_err();
            assert_eq!(err.errors().count(), 0);
            assert_eq!(err.cancelled().len(), 1);
            assert_eq!(err.cancelled()[0].id(), victim.id());
            assert_eq!(err.cancelled()[0].cancel_message(), Some("from outside"));
            assert!(sibling.is_finished());
        });
    });
}

#[test]
fn combinator_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    within(HANG, || {
        runtime::run(async {
            let g = gather(vec![async { 1 }]);
            assert_send(&g);
            let t = try_gather(vec![async { Ok::<u8, ()>(1) }]);
            assert_send(&t);
            let s = select(async { 1 }, async { 2 });
            assert_send(&s);
            let a = as_completed(vec![async { 1 }]);
            assert_send(&a);
            let mut group: TaskGroup<u8> = TaskGroup::new();
            group.spawn(async { Ok(1) });
            let j = group.join();
            assert_send(&j);
            let sh = shield(async { 1 });
            assert_send(&sh);
            // And they work when spawned as tasks themselves.
            let out = spawn(async move { (g.await, t.await, s.await, j.await.unwrap(), sh.await) })
                .await
                .unwrap();
            assert_eq!(out.0, [1]);
            drop(a);
        });
    });
}

#[test]
fn task_group_on_the_current_thread_flavour() {
    within(HANG, || {
        current_thread().block_on(async {
            let mut group: TaskGroup<u32, &'static str> = TaskGroup::new();
            for i in 0..5 {
                group.spawn(async move {
                    yield_now().await;
                    Ok(i)
                });
            }
            assert_eq!(group.await.unwrap(), [0, 1, 2, 3, 4]);
        });
    });
}

// ---------------------------------------------------------------------------------------------
// select

#[test]
fn select_drops_the_loser() {
    within(HANG, || {
        runtime::run(async {
            let dropped = Arc::new(AtomicBool::new(false));
            let guard = SetOnDrop(Arc::clone(&dropped));
            let loser = async move {
                let _guard = guard;
                spin::<u8>().await
            };
            let winner = async {
                yields(3).await;
                "won"
            };
            let out = select(loser, winner).await;
            assert_eq!(out, Either::Right("won"));
            assert!(dropped.load(Ordering::SeqCst), "the loser was dropped");

            // Both ready on the first poll: the first wins.
            let both = select(async { 1 }, async { 2 }).await;
            assert_eq!(both, Either::Left(1));
            assert_eq!(both.left(), Some(1));
            assert_eq!(Either::<u8, u8>::Right(3).into_inner(), 3);
        });
    });
}

#[test]
fn select_over_tasks_cancels_the_losing_task() {
    within(HANG, || {
        let rt = multi(2);
        let (tx, rx) = mpsc::channel();
        rt.block_on(async {
            let guard = SignalOnDrop(tx);
            let slow = spawn(async move {
                let _guard = guard;
                pending::<u8>().await
            });
            let fast = spawn(async { 9u8 });
            let out = select(slow, fast).await;
            assert_eq!(out.right().unwrap().unwrap(), 9);
        });
        rx.recv_timeout(WAIT)
            .expect("the losing task was cancelled");
    });
}

// ---------------------------------------------------------------------------------------------
// shield

#[test]
fn shield_keeps_the_work_running_when_the_awaiter_is_cancelled() {
    within(HANG, || {
        let rt = multi(2);
        let (done_tx, done_rx) = mpsc::channel::<u32>();
        rt.block_on(async {
            let (entered_tx, entered_rx) = oneshot::channel::<()>();
            let (release_tx, release_rx) = oneshot::channel::<()>();
            let awaiter = spawn(async move {
                shield(async move {
                    let _ = entered_tx.send(());
                    release_rx.await.unwrap();
                    done_tx.send(42).unwrap();
                    42u32
                })
                .await
            });
            entered_rx.await.unwrap();
            assert!(awaiter.cancel());
            let err = awaiter.await.unwrap_err();
            assert!(err.is_cancelled());
            // The shielded task is still there; let it finish.
            release_tx.send(()).unwrap();
        });
        assert_eq!(
            done_rx
                .recv_timeout(WAIT)
                .expect("the shielded task finished"),
            42
        );

        // Awaited to the end, a shield gives the task's result.
        let out = rt.block_on(async { shield(async { 5 }).await });
        assert_eq!(out.unwrap(), 5);
        let err = rt.block_on(async { shield(async { panic!("inside") }).await });
        assert!(err.unwrap_err().is_panic());
    });
}

#[test]
fn shield_task_detaches_when_dropped_after_polling() {
    within(HANG, || {
        let rt = multi(2);
        let (done_tx, done_rx) = mpsc::channel::<()>();
        rt.block_on(async {
            let (release_tx, release_rx) = oneshot::channel::<()>();
            let task = spawn(async move {
                release_rx.await.unwrap();
                done_tx.send(()).unwrap();
            });
            let out = select(shield_task(task), yields(1)).await;
            assert!(out.is_right(), "the task is still running");
            release_tx.send(()).unwrap();
        });
        done_rx
            .recv_timeout(WAIT)
            .expect("the dropped shield detached the task");
    });
}

// ---------------------------------------------------------------------------------------------
// as_completed

#[test]
fn as_completed_yields_in_completion_order() {
    within(HANG, || {
        runtime::run(async {
            let started = Arc::new(AtomicUsize::new(0));
            let (txs, rxs): (Vec<_>, Vec<_>) = (0..4).map(|_| oneshot::channel::<usize>()).unzip();
            let mut stream = as_completed(rxs.into_iter().map(|rx| {
                let started = Arc::clone(&started);
                async move {
                    started.fetch_add(1, Ordering::SeqCst);
                    rx.await.unwrap()
                }
            }));
            assert_eq!(stream.len(), 4);
            // Once every child waits, complete them in the order 2, 0, 3, 1.
            let driver = spawn(async move {
                while started.load(Ordering::SeqCst) < 4 {
                    yield_now().await;
                }
                let mut txs: Vec<_> = txs.into_iter().map(Some).collect();
                for i in [2, 0, 3, 1] {
                    txs[i].take().unwrap().send(i).unwrap();
                    yields(3).await;
                }
            });
            let mut order = Vec::new();
            while let Some(i) = stream.next().await {
                order.push(i);
            }
            assert_eq!(order, [2, 0, 3, 1]);
            assert!(stream.is_empty());
            driver.await.unwrap();
        });
    });
}

#[test]
fn as_completed_over_tasks() {
    within(HANG, || {
        runtime::run(async {
            let tasks: Vec<_> = (0..20usize)
                .map(|i| {
                    spawn(async move {
                        yields(i % 5).await;
                        i
                    })
                })
                .collect();
            let mut stream = as_completed(tasks);
            let mut seen = Vec::new();
            while let Some(r) = stream.next().await {
                seen.push(r.unwrap());
            }
            seen.sort_unstable();
            assert_eq!(seen, (0..20).collect::<Vec<_>>());
        });
    });
}

#[test]
fn as_completed_timeout_reports_elapsed_for_the_rest() {
    within(HANG, || {
        let rt = paused();
        rt.block_on(async {
            let dropped = Arc::new(AtomicUsize::new(0));
            let children: Vec<BoxFut<u32>> = vec![
                Box::pin(async { 1 }),
                {
                    let guard = CountOnDrop(Arc::clone(&dropped));
                    Box::pin(async move {
                        let _guard = guard;
                        pending::<u32>().await
                    })
                },
                Box::pin(async {
                    runtime::time::sleep(Duration::from_secs(1)).await;
                    2
                }),
                {
                    let guard = CountOnDrop(Arc::clone(&dropped));
                    Box::pin(async move {
                        let _guard = guard;
                        runtime::time::sleep(Duration::from_secs(3600)).await;
                        3
                    })
                },
            ];
            let mut stream = as_completed_timeout(children, Duration::from_secs(60));
            let mut items = Vec::new();
            while let Some(item) = stream.next().await {
                if item.is_err() {
                    assert_eq!(dropped.load(Ordering::SeqCst), 2, "dropped at the deadline");
                }
                items.push(item);
            }
            assert_eq!(items.len(), 4);
            assert_eq!(items[0], Ok(1));
            assert_eq!(items[1], Ok(2));
            assert!(items[2].is_err() && items[3].is_err());
        });
    });
}

#[test]
fn combinators_wait_without_blocking_a_worker() {
    // Sanity bound: a gather of sleeping tasks on one worker finishes quickly, so nothing in
    // the combinators blocks the thread.
    within(HANG, || {
        let rt = multi(1);
        let start = std::time::Instant::now();
        rt.block_on(async {
            let tasks = (0..100).map(|_| spawn(runtime::time::sleep(Duration::from_millis(20))));
            let out = gather(tasks).await;
            assert!(out.iter().all(Result::is_ok));
        });
        assert!(start.elapsed() < Duration::from_secs(5));
    });
}
