//! Scheduling fairness: a task that wakes itself forever cannot starve a task spawned later on a
//! one-worker runtime (injected from outside or spawned locally); two tasks ping-ponging through
//! the LIFO slot cannot starve the local queue; tasks injected from outside run while every
//! worker is busy with always-ready tasks; and on the current-thread flavour `yield_now` gives
//! asyncio's FIFO order (every other ready task runs exactly once).
//!
//! The tests here spin CPU on purpose; they take a file-wide lock so they do not compete with
//! each other for the machine's cores.

mod common;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use common::{HANG, SetOnDrop, current_thread, multi, wait_until, within};
use runtime::task::Task;
use runtime::yield_now;

/// Bound for "the starved-looking task still ran": generous, it normally takes microseconds.
const PROMPT: Duration = Duration::from_secs(2);

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Always ready again: wakes itself and returns `Pending` until `stop` is set. The tests hold a
/// `SetOnDrop` on the flag, so a failing test does not leave tasks spinning.
struct Spinner {
    stop: Arc<AtomicBool>,
    polls: Arc<AtomicUsize>,
}

impl Future for Spinner {
    type Output = usize;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let n = self.polls.fetch_add(1, Ordering::SeqCst) + 1;
        if self.stop.load(Ordering::SeqCst) {
            Poll::Ready(n)
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn spinner(stop: &Arc<AtomicBool>) -> (Spinner, Arc<AtomicUsize>) {
    let polls = Arc::new(AtomicUsize::new(0));
    let s = Spinner {
        stop: Arc::clone(stop),
        polls: Arc::clone(&polls),
    };
    (s, polls)
}

#[test]
fn self_waking_task_cannot_starve_an_injected_task() {
    let _serial = serial();
    within(HANG, || {
        let rt = multi(1);
        let stop = Arc::new(AtomicBool::new(false));
        let _stop = SetOnDrop(Arc::clone(&stop));
        let (spin, polls) = spinner(&stop);
        let mut spin = rt.spawn(spin);
        wait_until(PROMPT, "the spinner to occupy the worker", || {
            polls.load(Ordering::SeqCst) >= 100
        });

        let mut victim = rt.spawn(async { 42 });
        let r = victim.join_timeout(PROMPT);
        stop.store(true, Ordering::SeqCst);
        match r {
            Ok(v) => assert_eq!(v, 42),
            Err(e) => panic!("a self-waking task starved a later task on 1 worker: {e:?}"),
        }
        assert!(spin.join_timeout(PROMPT).is_ok(), "spinner stops");
    });
}

#[test]
fn self_waking_task_cannot_starve_a_locally_spawned_task() {
    let _serial = serial();
    within(HANG, || {
        let rt = multi(1);
        let stop = Arc::new(AtomicBool::new(false));
        let _stop = SetOnDrop(Arc::clone(&stop));
        let stop2 = Arc::clone(&stop);
        let mut outer = rt.spawn(async move {
            let (spin, polls) = spinner(&stop2);
            let spin = runtime::spawn(spin);
            while polls.load(Ordering::SeqCst) < 100 {
                yield_now().await;
            }
            let victim = runtime::spawn(async { 42 });
            let v = victim.await;
            stop2.store(true, Ordering::SeqCst);
            spin.await.expect("spinner stops");
            v
        });
        let r = outer.join_timeout(PROMPT);
        stop.store(true, Ordering::SeqCst);
        match r {
            Ok(v) => assert_eq!(v.expect("victim task"), 42),
            Err(e) => panic!("a self-waking task starved local tasks on 1 worker: {e:?}"),
        }
    });
}

/// Two futures that each wake the other and never themselves: the woken task always lands in
/// the LIFO slot of the one worker.
struct PingPong {
    wakers: Mutex<[Option<Waker>; 2]>,
    stop: AtomicBool,
    rounds: AtomicUsize,
}

struct Player {
    me: usize,
    shared: Arc<PingPong>,
    third: Option<mpsc::Sender<&'static str>>,
}

impl Future for Player {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let me = self.me;
        let shared = Arc::clone(&self.shared);
        let rounds = shared.rounds.fetch_add(1, Ordering::SeqCst) + 1;
        if rounds >= 100 {
            if let Some(tx) = self.third.take() {
                // Spawned from the worker itself: goes to its local queue (or LIFO slot).
                runtime::spawn(async move {
                    let _ = tx.send("third task ran");
                })
                .detach();
            }
        }
        let other = {
            let mut wakers = shared.wakers.lock().unwrap();
            wakers[me] = Some(cx.waker().clone());
            wakers[1 - me].take()
        };
        if let Some(other) = other {
            other.wake();
        }
        if shared.stop.load(Ordering::SeqCst) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

#[test]
fn lifo_ping_pong_cannot_starve_the_local_queue() {
    let _serial = serial();
    within(HANG, || {
        let rt = multi(1);
        let shared = Arc::new(PingPong {
            wakers: Mutex::new([None, None]),
            stop: AtomicBool::new(false),
            rounds: AtomicUsize::new(0),
        });
        let stop_guard = SharedStop(Arc::clone(&shared));
        let (third_tx, third_rx) = mpsc::channel();
        let mut a = rt.spawn(Player {
            me: 0,
            shared: Arc::clone(&shared),
            third: Some(third_tx),
        });
        let mut b = rt.spawn(Player {
            me: 1,
            shared: Arc::clone(&shared),
            third: None,
        });
        wait_until(PROMPT, "the ping-pong to get going", || {
            shared.rounds.load(Ordering::SeqCst) >= 1_000
        });

        let local = third_rx.recv_timeout(PROMPT);
        let mut injected = rt.spawn(async { "injected task ran" });
        let injected = injected.join_timeout(PROMPT);
        drop(stop_guard);
        assert_eq!(
            local,
            Ok("third task ran"),
            "two tasks waking each other through the LIFO slot starved the local queue"
        );
        match injected {
            Ok(s) => assert_eq!(s, "injected task ran"),
            Err(e) => panic!("the LIFO ping-pong starved the injector: {e:?}"),
        }
        assert!(a.join_timeout(PROMPT).is_ok(), "player a stops");
        assert!(b.join_timeout(PROMPT).is_ok(), "player b stops");
    });
}

/// Stops the ping-pong (and wakes both players) when dropped.
struct SharedStop(Arc<PingPong>);

impl Drop for SharedStop {
    fn drop(&mut self) {
        self.0.stop.store(true, Ordering::SeqCst);
        let wakers = std::mem::take(&mut *self.0.wakers.lock().unwrap_or_else(|e| e.into_inner()));
        for w in wakers.into_iter().flatten() {
            w.wake();
        }
    }
}

#[test]
fn injected_tasks_run_while_every_worker_is_busy() {
    let _serial = serial();
    within(HANG, || {
        let rt = multi(2);
        let stop = Arc::new(AtomicBool::new(false));
        let _stop = SetOnDrop(Arc::clone(&stop));
        let mut spinners = Vec::new();
        let mut counters = Vec::new();
        for _ in 0..4 {
            let (spin, polls) = spinner(&stop);
            spinners.push(rt.spawn(spin));
            counters.push(polls);
        }
        wait_until(PROMPT, "all four spinners to be running", || {
            counters.iter().all(|c| c.load(Ordering::SeqCst) >= 50)
        });

        let handle = rt.handle().clone();
        let mut results = Vec::new();
        for i in 0..10u32 {
            let mut t = handle.spawn(async move { i });
            results.push(t.join_timeout(PROMPT).map_err(|e| format!("{e:?}")));
        }
        let burst: Vec<Task<u32>> = (0..100u32)
            .map(|i| handle.spawn(async move { i }))
            .collect();
        let mut burst_results = Vec::new();
        for mut t in burst {
            burst_results.push(t.join_timeout(PROMPT).map_err(|e| format!("{e:?}")));
        }
        stop.store(true, Ordering::SeqCst);
        assert_eq!(
            results,
            (0..10).map(Ok).collect::<Vec<_>>(),
            "tasks injected from outside starved behind always-ready tasks"
        );
        assert_eq!(burst_results, (0..100).map(Ok).collect::<Vec<_>>());
        for mut s in spinners {
            assert!(s.join_timeout(PROMPT).is_ok(), "spinner stops");
        }
    });
}

#[test]
fn current_thread_yield_now_is_fifo_like_asyncio() {
    let _serial = serial();
    let log = within(HANG, || {
        let rt = current_thread();
        rt.run_local(async {
            let log: Rc<RefCell<Vec<String>>> = Rc::new(RefCell::new(Vec::new()));
            let mut tasks = Vec::new();
            for name in ["A", "B", "C"] {
                let log = Rc::clone(&log);
                tasks.push(runtime::spawn_local(async move {
                    log.borrow_mut().push(format!("{name}1"));
                    yield_now().await;
                    log.borrow_mut().push(format!("{name}2"));
                }));
            }
            assert!(
                log.borrow().is_empty(),
                "spawned tasks do not run before main yields"
            );
            yield_now().await;
            assert_eq!(
                *log.borrow(),
                ["A1", "B1", "C1"],
                "one yield_now in main lets every ready task run exactly once, in spawn order"
            );
            for t in tasks {
                t.await.expect("task");
            }
            Rc::try_unwrap(log).expect("tasks are gone").into_inner()
        })
        .expect("main task")
    });
    assert_eq!(log, ["A1", "B1", "C1", "A2", "B2", "C2"]);
}

#[test]
fn current_thread_spawn_shares_the_fifo_queue() {
    let _serial = serial();
    let log = within(HANG, || {
        let rt = current_thread();
        rt.run_local(async {
            let log = Arc::new(Mutex::new(Vec::new()));
            let mut tasks = Vec::new();
            for name in ["A", "B", "C"] {
                let log = Arc::clone(&log);
                tasks.push(runtime::spawn(async move {
                    log.lock().unwrap().push(format!("{name}1"));
                    yield_now().await;
                    log.lock().unwrap().push(format!("{name}2"));
                }));
            }
            yield_now().await;
            assert_eq!(
                *log.lock().unwrap(),
                ["A1", "B1", "C1"],
                "runtime::spawn on the current-thread flavour: main's yield runs each once"
            );
            for t in tasks {
                t.await.expect("task");
            }
            log.lock().unwrap().clone()
        })
        .expect("main task")
    });
    assert_eq!(log, ["A1", "B1", "C1", "A2", "B2", "C2"]);
}

#[test]
fn current_thread_self_waking_task_cannot_starve_others() {
    let _serial = serial();
    within(HANG, || {
        let rt = current_thread();
        let stop = Arc::new(AtomicBool::new(false));
        let _stop = SetOnDrop(Arc::clone(&stop));
        let stop2 = Arc::clone(&stop);
        let v = rt
            .run_local(async move {
                let (spin, polls) = spinner(&stop2);
                let spin = runtime::spawn_local(spin);
                yield_now().await;
                assert!(polls.load(Ordering::SeqCst) >= 1, "spinner ran");
                let v = runtime::spawn_local(async { 42 }).await.expect("victim");
                stop2.store(true, Ordering::SeqCst);
                spin.await.expect("spinner stops");
                v
            })
            .expect("main task");
        assert_eq!(v, 42);
    });
}
