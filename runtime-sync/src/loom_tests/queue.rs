//! The queue: a put racing a get (no lost wake-up), no double delivery,
//! FIFO hand-off to queued getters, a dropped getter or putter racing the
//! hand-off, a blocked put racing the get that frees its slot, `join`
//! racing `task_done` (lock-free and locked: the atomic unfinished count),
//! two `task_done`s racing for the last item, a put racing `task_done`, a
//! consumer's `task_done` after a get, and `shutdown` racing a put.
//! Every model ends by checking that no item was lost or duplicated.

use loom::future::block_on;
use loom::thread;

// `queue` is the name of every model's queue: the helper gets another.
use super::{Boxed, queue as enqueue};
use crate::queue::{Queue, QueueShutDown, TryGetError};

fn get(queue: &Queue<u32>) -> Boxed<Result<u32, QueueShutDown>> {
    let queue = queue.clone();
    Box::pin(async move { queue.get().await })
}

fn put(queue: &Queue<u32>, item: u32) -> Boxed<Result<(), QueueShutDown<u32>>> {
    let queue = queue.clone();
    Box::pin(async move { queue.put(item).await })
}

/// Everything still queued, in order (once the threads are joined).
fn drain(queue: &Queue<u32>) -> Vec<u32> {
    std::iter::from_fn(|| queue.get_nowait().ok()).collect()
}

/// A put racing a getter's arrival: the getter gets the item whichever
/// comes first, and the item is not also left in the queue.
#[test]
fn loom_queue_put_races_get() {
    loom::model(|| {
        let queue = Queue::new(0);
        let getter = {
            let queue = queue.clone();
            thread::spawn(move || block_on(queue.get()))
        };
        queue.put_nowait(1).unwrap();
        assert_eq!(getter.join().unwrap(), Ok(1));
        assert_eq!(queue.get_nowait(), Err(TryGetError::Empty));
    });
}

/// Two getters and two puts, all concurrent: each item reaches exactly one
/// getter.
#[test]
fn loom_queue_no_double_delivery() {
    loom::model(|| {
        let queue = Queue::new(0);
        let getters: Vec<_> = (0..2)
            .map(|_| {
                let queue = queue.clone();
                thread::spawn(move || block_on(queue.get()).unwrap())
            })
            .collect();
        let putter = {
            let queue = queue.clone();
            thread::spawn(move || queue.put_nowait(1).unwrap())
        };
        queue.put_nowait(2).unwrap();
        putter.join().unwrap();
        let mut got: Vec<_> = getters.into_iter().map(|g| g.join().unwrap()).collect();
        got.sort();
        assert_eq!(got, [1, 2]);
        assert!(drain(&queue).is_empty());
    });
}

/// Getters queued in order A, B get the items in put order, whichever
/// thread finishes them first.
#[test]
fn loom_queue_hand_off_is_fifo() {
    loom::model(|| {
        let queue = Queue::new(0);
        let (mut a, mut b) = (get(&queue), get(&queue));
        enqueue(&mut a);
        enqueue(&mut b);
        let a = thread::spawn(move || block_on(a));
        let b = thread::spawn(move || block_on(b));
        queue.put_nowait(1).unwrap();
        queue.put_nowait(2).unwrap();
        assert_eq!((a.join().unwrap(), b.join().unwrap()), (Ok(1), Ok(2)));
        assert!(drain(&queue).is_empty());
    });
}

/// The head getter is dropped while a put races to hand it the item: the
/// item reaches the next getter either way (directly, or passed on).
#[test]
fn loom_queue_dropped_getter_races_put() {
    loom::model(|| {
        let queue = Queue::new(0);
        let (mut a, mut b) = (get(&queue), get(&queue));
        enqueue(&mut a);
        enqueue(&mut b);
        let dropper = thread::spawn(move || drop(a));
        let b = thread::spawn(move || block_on(b));
        queue.put_nowait(1).unwrap();
        dropper.join().unwrap();
        assert_eq!(b.join().unwrap(), Ok(1));
        assert!(drain(&queue).is_empty());
    });
}

/// The only getter is dropped while a put races it: the item ends up in
/// the queue, counted once.
#[test]
fn loom_queue_dropped_last_getter_returns_the_item() {
    loom::model(|| {
        let queue = Queue::new(0);
        let mut a = get(&queue);
        enqueue(&mut a);
        let dropper = thread::spawn(move || drop(a));
        queue.put_nowait(1).unwrap();
        dropper.join().unwrap();
        assert_eq!(drain(&queue), [1]);
        queue.task_done().unwrap();
        assert!(queue.task_done().is_err());
    });
}

/// A put blocked on a full queue races the get that frees its slot: it
/// completes, and its item follows the one taken.
#[test]
fn loom_queue_blocked_put_races_get() {
    loom::model(|| {
        let queue = Queue::new(1);
        queue.put_nowait(1).unwrap();
        let putter = {
            let queue = queue.clone();
            thread::spawn(move || block_on(queue.put(2)))
        };
        assert_eq!(queue.get_nowait(), Ok(1));
        assert_eq!(putter.join().unwrap(), Ok(()));
        assert_eq!(drain(&queue), [2]);
    });
}

/// A queued putter is dropped while a get frees its slot: its item is
/// either in the queue (admitted first) or gone (dropped first) — never
/// both, and the unfinished count matches.
#[test]
fn loom_queue_dropped_putter_races_get() {
    loom::model(|| {
        let queue = Queue::new(1);
        queue.put_nowait(1).unwrap();
        let mut waiting = put(&queue, 2);
        enqueue(&mut waiting);
        let dropper = thread::spawn(move || drop(waiting));
        assert_eq!(queue.get_nowait(), Ok(1));
        dropper.join().unwrap();
        let left = drain(&queue);
        assert!(left.is_empty() || left == [2], "left {left:?}");
        for _ in 0..1 + left.len() {
            queue.task_done().unwrap();
        }
        assert!(queue.task_done().is_err());
    });
}

/// `join` racing the last `task_done`: it returns (no lost wake-up).
#[test]
fn loom_queue_join_races_task_done() {
    loom::model(|| {
        let queue = Queue::new(0);
        queue.put_nowait(1).unwrap();
        assert_eq!(queue.get_nowait(), Ok(1));
        let joiner = {
            let queue = queue.clone();
            thread::spawn(move || block_on(queue.join()))
        };
        queue.task_done().unwrap();
        joiner.join().unwrap();
    });
}

/// `shutdown` races a put and a waiting get: the get has the item exactly
/// when the put succeeded, and fails otherwise; nothing is left behind.
#[test]
fn loom_queue_shutdown_races_put_and_get() {
    loom::model(|| {
        let queue = Queue::new(0);
        let mut waiting = get(&queue);
        enqueue(&mut waiting);
        let getter = thread::spawn(move || block_on(waiting));
        let putter = {
            let queue = queue.clone();
            thread::spawn(move || queue.put_nowait(1).is_ok())
        };
        queue.shutdown(false);
        let put = putter.join().unwrap();
        let got = getter.join().unwrap();
        assert_eq!(got.is_ok(), put);
        assert!(drain(&queue).is_empty());
    });
}

/// Two consumers mark the last two items done at once (one lock-free CAS
/// from two to one, one that may take the lock to wake the joiner) while a
/// `join` arrives: the joiner returns, and the count ends at zero.
#[test]
fn loom_queue_join_races_two_task_dones() {
    loom::model(|| {
        let queue = Queue::new(0);
        queue.put_nowait(1).unwrap();
        queue.put_nowait(2).unwrap();
        assert_eq!(drain(&queue), [1, 2]);
        let joiner = {
            let queue = queue.clone();
            thread::spawn(move || block_on(queue.join()))
        };
        let other = {
            let queue = queue.clone();
            thread::spawn(move || queue.task_done().unwrap())
        };
        queue.task_done().unwrap();
        other.join().unwrap();
        joiner.join().unwrap();
        assert!(queue.task_done().is_err());
    });
}

/// Two `task_done`s race for one unfinished item, with a joiner waiting:
/// exactly one succeeds (the count never goes below zero) and the joiner
/// returns.
#[test]
fn loom_queue_task_done_over_call_race() {
    loom::model(|| {
        let queue = Queue::new(0);
        queue.put_nowait(1).unwrap();
        assert_eq!(queue.get_nowait(), Ok(1));
        let mut join = {
            let queue = queue.clone();
            Box::pin(async move { queue.join().await }) as Boxed<()>
        };
        enqueue(&mut join);
        let joiner = thread::spawn(move || block_on(join));
        let other = {
            let queue = queue.clone();
            thread::spawn(move || queue.task_done().is_ok())
        };
        let mine = queue.task_done().is_ok();
        let theirs = other.join().unwrap();
        assert!(mine != theirs, "exactly one task_done succeeds");
        joiner.join().unwrap();
        assert!(queue.task_done().is_err());
    });
}

/// A put (which counts under the lock) races a lock-free `task_done` while
/// a joiner waits: the `task_done` never fails, whichever count it reads,
/// and the joiner returns once both items are done.
#[test]
fn loom_queue_put_races_task_done_with_joiner() {
    loom::model(|| {
        let queue = Queue::new(0);
        queue.put_nowait(1).unwrap();
        assert_eq!(queue.get_nowait(), Ok(1));
        let mut join = {
            let queue = queue.clone();
            Box::pin(async move { queue.join().await }) as Boxed<()>
        };
        enqueue(&mut join);
        let joiner = thread::spawn(move || block_on(join));
        let putter = {
            let queue = queue.clone();
            thread::spawn(move || queue.put_nowait(2).unwrap())
        };
        queue.task_done().unwrap();
        putter.join().unwrap();
        assert_eq!(queue.get_nowait(), Ok(2));
        queue.task_done().unwrap();
        joiner.join().unwrap();
        assert!(queue.task_done().is_err());
    });
}

/// A consumer marks done the items it got from another thread's puts: its
/// lock-free `task_done` always sees them counted (the get orders it after
/// the put's count), so it never fails; a `join` afterwards returns.
#[test]
fn loom_queue_task_done_sees_the_put_of_the_item_it_got() {
    loom::model(|| {
        let queue = Queue::new(1);
        let consumer = {
            let queue = queue.clone();
            thread::spawn(move || {
                for _ in 0..2 {
                    block_on(queue.get()).unwrap();
                    queue.task_done().unwrap();
                }
            })
        };
        block_on(queue.put(1)).unwrap();
        block_on(queue.put(2)).unwrap();
        consumer.join().unwrap();
        block_on(queue.join());
        assert!(queue.task_done().is_err());
    });
}

/// `task_done`s race each other and a put: however the lock-free counting
/// interleaves (`task_done` may judge by a stale bound of the put count),
/// exactly as many succeed overall as items were put.
#[test]
fn loom_queue_task_done_never_outnumbers_puts() {
    loom::model(|| {
        let queue = Queue::new(0);
        queue.put_nowait(1).unwrap();
        assert_eq!(queue.get_nowait(), Ok(1));
        let other = {
            let queue = queue.clone();
            thread::spawn(move || {
                usize::from(queue.task_done().is_ok()) + usize::from(queue.task_done().is_ok())
            })
        };
        queue.put_nowait(2).unwrap();
        let mine = usize::from(queue.task_done().is_ok());
        let theirs = other.join().unwrap();
        let rest = usize::from(queue.task_done().is_ok()) + usize::from(queue.task_done().is_ok());
        assert_eq!(mine + theirs + rest, 2, "one success per item put");
        block_on(queue.join());
    });
}
