//! The queue's hand-off rules, driven step by step (no executor).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::test_support::Probe;

#[test]
fn a_put_hands_its_item_to_the_oldest_getter_not_to_a_newcomer() {
    let queue = Queue::new(0);
    let mut first = Probe::new(queue.get());
    let mut second = Probe::new(queue.get());
    first.pending();
    second.pending();
    queue.put_nowait(1).unwrap();
    assert_eq!((first.wakes(), second.wakes()), (1, 0));
    // The item is `first`'s already: it was never queued.
    assert_eq!(queue.qsize(), 0);
    assert_eq!(queue.get_nowait(), Err(TryGetError::Empty));
    queue.put_nowait(2).unwrap();
    assert_eq!((first.ready(), second.ready()), (Ok(1), Ok(2)));
}

#[test]
fn a_get_moves_the_oldest_putters_item_into_the_freed_slot() {
    let queue = Queue::new(1);
    queue.put_nowait(1).unwrap();
    let mut first = Probe::new(queue.put(2));
    let mut second = Probe::new(queue.put(3));
    first.pending();
    second.pending();
    assert!(queue.full());
    assert_eq!(queue.get_nowait(), Ok(1));
    assert_eq!((first.wakes(), second.wakes()), (1, 0));
    // The slot went to `first`: a newcomer finds the queue full.
    assert_eq!(queue.put_nowait(9), Err(TryPutError::Full(9)));
    assert_eq!(queue.qsize(), 1);
    assert_eq!(first.ready(), Ok(()));
    assert_eq!(queue.get_nowait(), Ok(2));
    assert_eq!(second.ready(), Ok(()));
    assert_eq!(queue.get_nowait(), Ok(3));
}

#[test]
fn a_dropped_getter_passes_its_item_to_the_next_one() {
    let queue = Queue::new(0);
    let mut first = Probe::new(queue.get());
    let mut second = Probe::new(queue.get());
    first.pending();
    second.pending();
    queue.put_nowait(1).unwrap();
    drop(first);
    assert_eq!(second.wakes(), 1);
    assert_eq!(second.ready(), Ok(1));
}

#[test]
fn a_dropped_getter_puts_its_item_back_at_the_front() {
    let queue = Queue::new(2);
    let mut getter = Probe::new(queue.get());
    getter.pending();
    queue.put_nowait(1).unwrap(); // handed to `getter`
    queue.put_nowait(2).unwrap();
    queue.put_nowait(3).unwrap();
    assert!(queue.full());
    drop(getter);
    // Back at the front, ahead of later items, over `maxsize` for now.
    assert_eq!(queue.qsize(), 3);
    assert_eq!(queue.get_nowait(), Ok(1));
    assert!(queue.full());
    assert_eq!(queue.get_nowait(), Ok(2));
    assert!(!queue.full());
}

#[test]
fn a_putter_dropped_while_waiting_inserts_nothing_and_drops_its_item() {
    let drops = Arc::new(AtomicUsize::new(0));
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let queue = Queue::new(1);
    queue.put_nowait(Counted(drops.clone())).ok().unwrap();
    let mut first = Probe::new(queue.put(Counted(drops.clone())));
    let mut second = Probe::new(queue.put(Counted(drops.clone())));
    first.pending();
    second.pending();
    drop(first);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    drop(queue.get_nowait().ok().unwrap());
    assert_eq!(second.ready().ok(), Some(()));
    assert_eq!(queue.qsize(), 1);
}

#[test]
fn an_items_drop_may_use_the_queue() {
    // Items the queue discards are dropped after its lock is released: a
    // drop that calls back into the same queue does not deadlock.
    struct Peek(Queue<Peek>, Arc<AtomicUsize>);
    impl Drop for Peek {
        fn drop(&mut self) {
            let _ = self.0.qsize();
            self.1.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let queue = Queue::new(1);
    let item = || Peek(queue.clone(), drops.clone());
    queue.put_nowait(item()).ok().unwrap();
    let mut waiting = Probe::new(queue.put(item()));
    waiting.pending();
    drop(waiting); // a cancelled put's item
    queue.shutdown(true); // the queued item
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}

#[test]
fn task_done_and_join_count_every_put() {
    let queue = Queue::new(0);
    let mut empty = Probe::new(queue.join());
    empty.ready();
    let mut getter = Probe::new(queue.get());
    getter.pending();
    queue.put_nowait(1).unwrap(); // handed over: still counted
    queue.put_nowait(2).unwrap();
    let mut join = Probe::new(queue.join());
    join.pending();
    assert_eq!(getter.ready(), Ok(1));
    queue.task_done().unwrap();
    assert_eq!(join.wakes(), 0);
    queue.task_done().unwrap(); // before even getting it: asyncio allows it
    assert_eq!(join.wakes(), 1);
    join.ready();
    assert_eq!(queue.task_done(), Err(TooManyTaskDone(())));
}

#[test]
fn shutdown_fails_waiting_putters_with_their_items_and_waiting_getters() {
    let queue = Queue::<u8>::new(1);
    let mut getter = Probe::new(queue.get());
    getter.pending();
    queue.shutdown(false);
    assert_eq!(getter.ready(), Err(QueueShutDown(())));

    let queue = Queue::new(1);
    queue.put_nowait(1).unwrap();
    let mut putter = Probe::new(queue.put(2));
    putter.pending();
    queue.shutdown(false);
    assert_eq!(putter.ready(), Err(QueueShutDown(2)));
    assert!(queue.is_shut_down());
    assert_eq!(queue.put_nowait(3), Err(TryPutError::ShutDown(3)));
    // Draining: what is queued still comes out, then gets fail.
    assert_eq!(queue.get_nowait(), Ok(1));
    assert_eq!(queue.get_nowait(), Err(TryGetError::ShutDown));
    assert_eq!(Probe::new(queue.get()).ready(), Err(QueueShutDown(())));
}

#[test]
fn immediate_shutdown_empties_the_queue_and_releases_join() {
    let queue = Queue::new(0);
    for item in 0..3 {
        queue.put_nowait(item).unwrap();
    }
    assert_eq!(queue.get_nowait(), Ok(0)); // taken, not done
    let mut join = Probe::new(queue.join());
    join.pending();
    queue.shutdown(true);
    assert_eq!(queue.qsize(), 0);
    assert_eq!(queue.get_nowait(), Err(TryGetError::ShutDown));
    assert_eq!(join.wakes(), 0, "the item taken is still unfinished");
    queue.task_done().unwrap();
    join.ready();
    queue.shutdown(false); // does not reopen anything
    assert_eq!(queue.get_nowait(), Err(TryGetError::ShutDown));
}

#[test]
fn an_item_given_back_after_an_immediate_shutdown_is_counted_done() {
    let queue = Queue::new(0);
    let mut getter = Probe::new(queue.get());
    getter.pending();
    queue.put_nowait(7).unwrap();
    let mut join = Probe::new(queue.join());
    join.pending();
    queue.shutdown(true);
    drop(getter);
    assert_eq!(queue.qsize(), 0);
    join.ready();
}

#[test]
fn a_putter_handed_the_shutdown_error_and_dropped_drops_its_item() {
    let drops = Arc::new(AtomicUsize::new(0));
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let queue = Queue::new(1);
    queue.put_nowait(Counted(drops.clone())).ok().unwrap();
    let mut putter = Probe::new(queue.put(Counted(drops.clone())));
    putter.pending();
    queue.shutdown(false);
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    drop(putter);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    drop(queue);
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}

#[test]
fn snapshots_and_debug() {
    let queue: Queue<u8> = Queue::default();
    assert_eq!(queue.maxsize(), 0);
    assert!(queue.empty() && !queue.full());
    for item in 0..100 {
        queue.put_nowait(item).unwrap();
    }
    assert!(!queue.full(), "an unbounded queue is never full");
    let clone = queue.clone();
    assert_eq!(clone.get_nowait(), Ok(0));
    assert_eq!(queue.qsize(), 99);
    assert_eq!(
        format!("{queue:?}"),
        "Queue { maxsize: 0, qsize: 99, unfinished: 100, getters: 0, putters: 0, shut_down: false }"
    );
}

#[test]
fn lifo_and_priority_orders_hold_with_waiters_too() {
    let stack = LifoQueue::new(2);
    stack.put_nowait(1).unwrap();
    stack.put_nowait(2).unwrap();
    let mut putter = Probe::new(stack.put(3));
    putter.pending();
    assert_eq!(stack.get_nowait(), Ok(2));
    assert_eq!(putter.ready(), Ok(()));
    assert_eq!(stack.get_nowait(), Ok(3));
    assert_eq!(stack.get_nowait(), Ok(1));

    let heap = PriorityQueue::new(0);
    for item in [5, 1, 4, 2, 3] {
        heap.put_nowait(item).unwrap();
    }
    let order: Vec<_> = std::iter::from_fn(|| heap.get_nowait().ok()).collect();
    assert_eq!(order, [1, 2, 3, 4, 5]);
}

#[test]
fn futures_and_handles_are_send_and_sync() {
    fn send<T: Send>(_: &T) {}
    fn sync<T: Send + Sync>(_: &T) {}
    let queue: Queue<String> = Queue::new(1);
    sync(&queue);
    send(&queue.get());
    send(&queue.put(String::new()));
    send(&queue.join());
    sync(&PriorityQueue::<u8>::new(0));
}

/// `task_done` takes no lock unless it may be the one to wake joiners: it
/// completes while another thread holds the queue's lock (here: this test).
#[test]
fn task_done_is_lock_free_unless_it_may_wake_joiners() {
    let queue = Queue::new(0);
    for item in 0..3 {
        queue.put_nowait(item).unwrap();
    }
    for _ in 0..3 {
        queue.get_nowait().unwrap();
    }
    let mut join = Probe::new(queue.join());
    join.pending();
    {
        let _held = queue.shared.state.lock();
        // Three unfinished, a joiner waits: 3 -> 2 -> 1 need no lock.
        queue.task_done().unwrap();
        queue.task_done().unwrap();
    }
    assert_eq!(join.wakes(), 0);
    // The last one, with a joiner queued, goes through the lock and wakes it.
    queue.task_done().unwrap();
    assert_eq!(join.wakes(), 1);
    join.ready();
    assert!(queue.task_done().is_err());

    // With no joiner, even the last one is lock-free.
    queue.put_nowait(9).unwrap();
    let _held = queue.shared.state.lock();
    queue.task_done().unwrap();
    assert!(queue.task_done().is_err());
}

/// A joiner that leaves lets the last `task_done` skip the lock again.
#[test]
fn a_dropped_joiner_lifts_the_joiners_flag() {
    let queue = Queue::new(0);
    queue.put_nowait(1).unwrap();
    let mut join = Probe::new(queue.join());
    join.pending();
    drop(join);
    let _held = queue.shared.state.lock();
    queue.task_done().unwrap();
}

/// The layout `Shared` documents: the `done` count alone on the first
/// cache line; the `put` count, the lock word and the state's head on the
/// second.
#[test]
fn shared_layout_keeps_task_done_off_the_lock_line() {
    use std::mem::{align_of, offset_of, size_of};
    type S = super::waiting::Shared<u64, super::Fifo>;
    type St = super::state::State<u64, super::Fifo>;
    assert_eq!(align_of::<S>(), 64);
    assert_eq!(offset_of!(S, unfinished), 0);
    let put = super::state::Unfinished::PUT_OFFSET;
    assert_eq!(put, 64);
    let state = offset_of!(S, state);
    assert_eq!(state, put + size_of::<usize>());
    // The lock word comes first in the mutex; the state follows it.
    assert!(state + size_of::<parking_lot::RawMutex>() + offset_of!(St, lifecycle) < 128);
}
