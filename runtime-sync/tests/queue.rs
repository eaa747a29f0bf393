//! asyncio `Queue`, `LifoQueue` and `PriorityQueue` semantics (including
//! Python 3.13's `shutdown`), plus cancel-safety and FIFO hand-off, on
//! `futures::executor`.

mod common;

use std::future::Future;
use std::pin::Pin;

use common::{Harness, run_all, thread_pool, yield_now};
use futures::executor::block_on;
use futures::future::RemoteHandle;
use runtime_sync::{
    LifoQueue, PriorityQueue, Queue, QueueShutDown, TooManyTaskDone, TryGetError, TryPutError,
};

/// Spawns a task that gets one item and logs `name: item`.
fn getter(harness: &mut Harness, queue: &Queue<u32>, name: &'static str) -> RemoteHandle<()> {
    let (queue, log) = (queue.clone(), harness.log.clone());
    harness.spawn(async move {
        match queue.get().await {
            Ok(item) => log.push(format!("{name}: {item}")),
            Err(QueueShutDown(())) => log.push(format!("{name}: shut down")),
        }
    })
}

/// Spawns a task that puts `item` and logs `put item`.
fn putter(harness: &mut Harness, queue: &Queue<u32>, item: u32) -> RemoteHandle<()> {
    let (queue, log) = (queue.clone(), harness.log.clone());
    harness.spawn(async move {
        match queue.put(item).await {
            Ok(()) => log.push(format!("put {item}")),
            Err(QueueShutDown(item)) => log.push(format!("put {item}: shut down")),
        }
    })
}

/// "put_nowait: If no free slot is immediately available, raise
/// QueueFull." "get_nowait: Return an item if one is immediately
/// available, else raise QueueEmpty." The refused item comes back.
#[test]
fn nowait_calls_fail_with_full_and_empty() {
    let queue = Queue::new(2);
    assert_eq!(queue.get_nowait(), Err(TryGetError::Empty));
    queue.put_nowait("a").unwrap();
    queue.put_nowait("b").unwrap();
    assert_eq!(queue.put_nowait("c"), Err(TryPutError::Full("c")));
    assert_eq!(queue.get_nowait(), Ok("a"));
    assert_eq!(queue.get_nowait(), Ok("b"));
    assert_eq!(queue.get_nowait(), Err(TryGetError::Empty));
}

/// `qsize`, `empty`, `full`, `maxsize`: "If the queue was initialized with
/// maxsize=0 (the default), then full() never returns True."
#[test]
fn size_queries_follow_the_items() {
    let bounded = Queue::new(2);
    assert_eq!(bounded.maxsize(), 2);
    assert!(bounded.empty() && !bounded.full());
    bounded.put_nowait(1).unwrap();
    assert_eq!(bounded.qsize(), 1);
    bounded.put_nowait(2).unwrap();
    assert!(bounded.full() && !bounded.empty());
    let unbounded: Queue<u32> = Queue::new(0);
    for item in 0..1000 {
        unbounded.put_nowait(item).unwrap();
    }
    assert!(!unbounded.full());
    assert_eq!(unbounded.qsize(), 1000);
}

/// "put: If the queue is full, wait until a free slot is available before
/// adding the item." Blocked putters complete in the order they blocked.
#[test]
fn blocked_puts_complete_in_fifo_order() {
    let mut harness = Harness::new();
    let queue = Queue::new(1);
    queue.put_nowait(0).unwrap();
    for item in [1, 2, 3] {
        putter(&mut harness, &queue, item).forget();
    }
    assert!(harness.log.take().is_empty());
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(queue.get_nowait().unwrap());
        harness.run();
    }
    assert_eq!(got, [0, 1, 2, 3]);
    assert_eq!(harness.log.take(), ["put 1", "put 2", "put 3"]);
}

/// "get: If queue is empty, wait until an item is available." Blocked
/// getters are served in the order they blocked, one item each.
#[test]
fn blocked_gets_are_served_in_fifo_order() {
    let mut harness = Harness::new();
    let queue = Queue::new(0);
    for name in ["a", "b", "c"] {
        getter(&mut harness, &queue, name).forget();
    }
    for item in [10, 20, 30] {
        queue.put_nowait(item).unwrap();
    }
    // A newcomer finds nothing: every item went to a waiting getter.
    assert_eq!(queue.get_nowait(), Err(TryGetError::Empty));
    harness.run();
    // Who got what shows the hand-off order (the executor may run the
    // woken tasks in any order).
    let mut log = harness.log.take();
    log.sort();
    assert_eq!(log, ["a: 10", "b: 20", "c: 30"]);
}

/// "task_done: Raises ValueError if called more times than there were
/// items placed in the queue."
#[test]
fn task_done_called_too_often_is_an_error() {
    let queue = Queue::new(0);
    assert!(matches!(queue.task_done(), Err(TooManyTaskDone { .. })));
    queue.put_nowait(1).unwrap();
    queue.get_nowait().unwrap();
    queue.task_done().unwrap();
    assert!(queue.task_done().is_err());
}

/// "join: Block until all items in the queue have been received and
/// processed" — at once if nothing was ever put.
#[test]
fn join_returns_at_once_on_a_fresh_queue() {
    let queue: Queue<u32> = Queue::new(0);
    block_on(queue.join());
}

/// "The count of unfinished tasks goes up whenever an item is added to the
/// queue. The count goes down whenever a consumer coroutine calls
/// task_done()... When the count of unfinished tasks drops to zero, join()
/// unblocks."
#[test]
fn join_waits_for_every_item_to_be_marked_done() {
    let mut harness = Harness::new();
    let queue = Queue::new(0);
    for item in 0..3 {
        queue.put_nowait(item).unwrap();
    }
    let joined = {
        let (queue, log) = (queue.clone(), harness.log.clone());
        harness.spawn(async move {
            queue.join().await;
            log.push("joined");
        })
    };
    for _ in 0..3 {
        queue.get_nowait().unwrap();
        harness.run();
        assert!(harness.log.take().is_empty(), "got, but not done");
    }
    queue.task_done().unwrap();
    queue.task_done().unwrap();
    harness.run();
    assert!(harness.log.take().is_empty());
    queue.task_done().unwrap();
    harness.finish(joined);
    assert_eq!(harness.log.take(), ["joined"]);
}

/// 3.13 `shutdown()`: "Future calls to put() raise QueueShutDown. Currently
/// blocked callers of put() will be unblocked and will raise QueueShutDown"
/// — and the item comes back. "The queue can be wound down normally with
/// get() calls... Once the queue is empty, future calls to get() will raise
/// QueueShutDown."
#[test]
fn shutdown_stops_puts_and_drains_gets() {
    let mut harness = Harness::new();
    let queue = Queue::new(2);
    queue.put_nowait(1).unwrap();
    queue.put_nowait(2).unwrap();
    putter(&mut harness, &queue, 3).forget();
    queue.shutdown(false);
    harness.run();
    assert_eq!(harness.log.take(), ["put 3: shut down"]);
    assert!(queue.is_shut_down());
    assert_eq!(queue.put_nowait(4), Err(TryPutError::ShutDown(4)));
    assert_eq!(block_on(queue.put(5)), Err(QueueShutDown(5)));
    assert_eq!(block_on(queue.get()), Ok(1));
    assert_eq!(queue.get_nowait(), Ok(2));
    assert_eq!(block_on(queue.get()), Err(QueueShutDown(())));
    assert_eq!(queue.get_nowait(), Err(TryGetError::ShutDown));
    // "if task_done() is called for each remaining task, a pending join()
    // will be unblocked normally."
    queue.task_done().unwrap();
    queue.task_done().unwrap();
    block_on(queue.join());
}

/// `shutdown()` wakes getters blocked on an empty queue: "blocked callers
/// of get() are unblocked and will raise QueueShutDown".
#[test]
fn shutdown_unblocks_waiting_getters() {
    let mut harness = Harness::new();
    let queue = Queue::new(0);
    getter(&mut harness, &queue, "a").forget();
    getter(&mut harness, &queue, "b").forget();
    queue.shutdown(false);
    harness.run();
    let mut log = harness.log.take();
    log.sort();
    assert_eq!(log, ["a: shut down", "b: shut down"]);
}

/// `shutdown(immediate=True)`: "The queue is drained to be completely empty
/// and the count of unfinished tasks is reduced by the number of tasks
/// drained. If unfinished tasks is zero, callers of join() are unblocked."
/// get() raises QueueShutDown at once.
#[test]
fn immediate_shutdown_empties_the_queue_and_unblocks_join() {
    let mut harness = Harness::new();
    let queue = Queue::new(3);
    for item in 0..3 {
        queue.put_nowait(item).unwrap();
    }
    putter(&mut harness, &queue, 9).forget();
    let joined = {
        let (queue, log) = (queue.clone(), harness.log.clone());
        harness.spawn(async move {
            queue.join().await;
            log.push("joined");
        })
    };
    queue.shutdown(true);
    assert_eq!(queue.qsize(), 0);
    assert_eq!(queue.get_nowait(), Err(TryGetError::ShutDown));
    harness.finish(joined);
    let mut log = harness.log.take();
    log.sort();
    assert_eq!(log, ["joined", "put 9: shut down"]);
    assert!(matches!(queue.task_done(), Err(TooManyTaskDone { .. })));
}

/// Cancel-safety: a `get()` cancelled after an item was handed to it loses
/// nothing — the item goes to the next blocked getter.
#[test]
fn a_get_cancelled_after_the_hand_off_passes_the_item_on() {
    let mut harness = Harness::new();
    let queue = Queue::new(0);
    let cancelled = getter(&mut harness, &queue, "cancelled");
    getter(&mut harness, &queue, "next").forget();
    queue.put_nowait(1).unwrap(); // handed to "cancelled"...
    drop(cancelled); // ...which is cancelled before it runs
    harness.run();
    assert_eq!(harness.log.take(), ["next: 1"]);
}

/// ...and with no other getter, the item goes back to the front.
#[test]
fn a_get_cancelled_after_the_hand_off_puts_the_item_back_first() {
    let mut harness = Harness::new();
    let queue = Queue::new(0);
    let cancelled = getter(&mut harness, &queue, "cancelled");
    queue.put_nowait(1).unwrap();
    queue.put_nowait(2).unwrap();
    drop(cancelled);
    harness.run();
    assert!(harness.log.take().is_empty());
    assert_eq!(queue.get_nowait(), Ok(1));
    assert_eq!(queue.get_nowait(), Ok(2));
}

/// Cancel-safety: a `put()` cancelled while it waits inserts nothing, and
/// the putters behind it keep their order.
#[test]
fn a_put_cancelled_while_waiting_inserts_nothing() {
    let mut harness = Harness::new();
    let queue = Queue::new(1);
    queue.put_nowait(0).unwrap();
    let cancelled = putter(&mut harness, &queue, 1);
    putter(&mut harness, &queue, 2).forget();
    drop(cancelled);
    harness.run();
    assert_eq!(queue.get_nowait(), Ok(0));
    harness.run();
    assert_eq!(queue.get_nowait(), Ok(2));
    assert_eq!(queue.get_nowait(), Err(TryGetError::Empty));
    assert_eq!(harness.log.take(), ["put 2"]);
}

/// "PriorityQueue: Retrieves entries in priority order (lowest first)";
/// "LifoQueue: Retrieves most recently added entries first".
#[test]
fn priority_and_lifo_orders() {
    let priority = PriorityQueue::new(0);
    for entry in [(3, "c"), (1, "a"), (2, "b")] {
        priority.put_nowait(entry).unwrap();
    }
    let order: Vec<_> = (0..3).map(|_| block_on(priority.get()).unwrap()).collect();
    assert_eq!(order, [(1, "a"), (2, "b"), (3, "c")]);

    let lifo = LifoQueue::new(0);
    for item in 1..=3 {
        lifo.put_nowait(item).unwrap();
    }
    let order: Vec<_> = (0..3).map(|_| lifo.get_nowait().unwrap()).collect();
    assert_eq!(order, [3, 2, 1]);
}

/// Clones are handles to one queue.
#[test]
fn clones_share_the_queue() {
    let queue = Queue::new(0);
    let clone = queue.clone();
    clone.put_nowait(1).unwrap();
    assert_eq!(queue.get_nowait(), Ok(1));
    clone.task_done().unwrap();
    block_on(queue.join());
}

/// Producers and consumers on a thread pool, through a small bounded
/// queue: every item arrives exactly once, and `join` returns once all are
/// done; `shutdown` then stops the consumers.
#[test]
fn producers_and_consumers_on_a_thread_pool() {
    const PRODUCERS: u32 = 4;
    const ITEMS: u32 = 500;
    type Task = Pin<Box<dyn Future<Output = Vec<u32>> + Send>>;
    let pool = thread_pool(4);
    let queue = Queue::new(8);
    let mut tasks: Vec<Task> = (0..3)
        .map(|_| {
            let queue = queue.clone();
            Box::pin(async move {
                let mut got = Vec::new();
                while let Ok(item) = queue.get().await {
                    got.push(item);
                    queue.task_done().unwrap();
                }
                got
            }) as Task
        })
        .collect();
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|producer| {
            let queue = queue.clone();
            async move {
                for item in 0..ITEMS {
                    queue.put(producer * ITEMS + item).await.unwrap();
                    if item % 64 == 0 {
                        yield_now().await;
                    }
                }
            }
        })
        .collect();
    tasks.push(Box::pin(async move {
        futures::future::join_all(producers).await;
        queue.join().await;
        queue.shutdown(false);
        Vec::new()
    }));
    let mut got: Vec<u32> = run_all(&pool, tasks).into_iter().flatten().collect();
    got.sort_unstable();
    assert_eq!(got, (0..PRODUCERS * ITEMS).collect::<Vec<_>>());
}
