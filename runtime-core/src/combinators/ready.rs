//! The ready list: which children of a combinator were woken since it last
//! looked, so that a wake-up costs O(1) instead of a re-poll of every child.
//!
//! One allocation (`Arc<ReadyList>` plus its node array) serves all the
//! children of one combinator. Child `i` is polled with a waker that points
//! at node `i`; waking it pushes `i` onto a lock-free stack (at most once
//! until the parent takes it off) and, if the stack was empty, wakes the
//! parent. The parent takes the whole stack with one swap and polls exactly
//! the children on it.
//!
//! # Protocol
//! - `queued` (per node) is set by the waker that pushes the node and
//!   cleared by the parent, with a read-modify-write, right before it polls
//!   the child. A wake that finds it set does nothing: the node is already
//!   on the stack or about to be polled, and that poll will see whatever the
//!   waker's owner changed (both sides use `AcqRel` swaps on the same atomic,
//!   so one of them observes the other).
//! - `head` is a Treiber stack of node indices linked through `next`. Pushers
//!   CAS it; the parent only ever swaps the whole stack out (and reverses
//!   it, to poll in wake order), so there is no ABA problem.
//! - The parent registers its waker before each swap. A push onto an empty
//!   stack wakes the registered waker; a push onto a non-empty one does not
//!   need to (whoever made it non-empty did). No wake-up is lost: a push
//!   that happens after the swap sees the stack empty and wakes the waker
//!   registered before that swap.

use std::mem::ManuallyDrop;
use std::sync::Arc;
use std::task::{RawWaker, RawWakerVTable, Waker};

use crate::primitives::{AtomicBool, AtomicUsize, Mutex, Ordering};

/// End of the stack / an empty stack.
const EMPTY: usize = usize::MAX;

pub(crate) struct ReadyList {
    /// Top of the stack of woken children, or `EMPTY`.
    head: AtomicUsize,
    /// The waker of the task polling the combinator.
    parent: Mutex<Option<Waker>>,
    nodes: Box<[Node]>,
}

struct Node {
    /// The list this node belongs to (set once, before the list is shared).
    list: *const ReadyList,
    index: usize,
    /// On the stack (or taken off it but not yet polled).
    queued: AtomicBool,
    /// The next index on the stack, valid while the node is on it.
    next: AtomicUsize,
}

// SAFETY: `Node::list` is a read-only back pointer into the `Arc` that owns
// the node; every other field is atomic or behind a mutex.
unsafe impl Send for ReadyList {}
// SAFETY: as above.
unsafe impl Sync for ReadyList {}

/// The children taken off the stack by one [`ReadyList::take`], walked with
/// [`ReadyList::next`]. Holding a batch across polls is fine: its nodes stay
/// marked `queued` until walked, so they are not pushed again meanwhile.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Batch(usize);

impl Batch {
    /// A batch with nothing in it.
    pub(crate) const fn empty() -> Batch {
        Batch(EMPTY)
    }

    #[cfg(all(test, not(loom)))]
    pub(crate) fn is_empty(&self) -> bool {
        self.0 == EMPTY
    }
}

impl ReadyList {
    /// A list of `len` children, all of them initially ready (so the first
    /// `take` returns every child and each is polled once).
    pub(crate) fn new(len: usize) -> Arc<ReadyList> {
        assert!(len < EMPTY, "too many children");
        let nodes = (0..len)
            .map(|index| Node {
                list: std::ptr::null(),
                index,
                queued: AtomicBool::new(true),
                // As if woken in input order: the stack's top is the last
                // child, and each links to the one before it.
                next: AtomicUsize::new(if index == 0 { EMPTY } else { index - 1 }),
            })
            .collect();
        let mut list = Arc::new(ReadyList {
            head: AtomicUsize::new(if len == 0 { EMPTY } else { len - 1 }),
            parent: Mutex::new(None),
            nodes,
        });
        let ptr = Arc::as_ptr(&list);
        let this = Arc::get_mut(&mut list).expect("freshly created");
        for node in this.nodes.iter_mut() {
            node.list = ptr;
        }
        list
    }

    /// The number of children.
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Registers the parent's waker. Call before [`take`](Self::take).
    pub(crate) fn register(&self, waker: &Waker) {
        let mut slot = self.parent.lock();
        match &*slot {
            Some(old) if old.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }

    /// Forgets the parent's waker (the combinator finished or was dropped):
    /// child wakers that outlive it, such as those left in a task's join
    /// slot by `wait`, then wake nobody and keep no task alive.
    pub(crate) fn unregister(&self) {
        drop(self.parent.lock().take());
    }

    /// Takes every child woken since the last call, in the order they were
    /// woken.
    pub(crate) fn take(&self) -> Batch {
        // The stack holds the latest wake first: reverse it, so children are
        // polled in wake order (as_completed then yields in completion
        // order even when several finish between two polls). The batch's
        // nodes stay `queued`, so nobody else touches their links.
        let mut rest = self.head.swap(EMPTY, Ordering::Acquire);
        let mut reversed = EMPTY;
        while rest != EMPTY {
            let node = &self.nodes[rest];
            let next = node.next.load(Ordering::Relaxed);
            node.next.store(reversed, Ordering::Relaxed);
            reversed = rest;
            rest = next;
        }
        Batch(reversed)
    }

    /// The next child of `batch`, now marked not queued (so a wake from here
    /// on queues it again): poll it right away.
    pub(crate) fn next(&self, batch: &mut Batch) -> Option<usize> {
        if batch.0 == EMPTY {
            return None;
        }
        let node = &self.nodes[batch.0];
        batch.0 = node.next.load(Ordering::Relaxed);
        // A read-modify-write, so that a concurrent waker either sees `false`
        // (and pushes again) or is ordered before us (and we see its effects).
        node.queued.swap(false, Ordering::AcqRel);
        Some(node.index)
    }

    /// Marks every child of `batch` ready again, for a parent that took a
    /// batch and has to stop before walking all of it.
    pub(crate) fn requeue(&self, batch: &mut Batch) {
        while let Some(index) = self.next(batch) {
            self.wake(index);
        }
    }

    /// A waker for child `index`, borrowed from the list: free to create, and
    /// `clone` takes a counted reference to the list.
    pub(crate) fn waker(&self, index: usize) -> ChildWaker<'_> {
        let node: *const Node = &self.nodes[index];
        // The waker is never dropped (ManuallyDrop), so it takes no
        // reference, and it lives no longer than `&self`.
        // SAFETY: the vtable's contract holds for a pointer to a node of a
        // list owned by an `Arc` (every `ReadyList` is created by `new`).
        let waker = unsafe { Waker::from_raw(RawWaker::new(node.cast(), &VTABLE)) };
        ChildWaker {
            waker: ManuallyDrop::new(waker),
            _list: std::marker::PhantomData,
        }
    }

    /// Queues child `index` and wakes the parent if the list was empty.
    fn wake(&self, index: usize) {
        let node = &self.nodes[index];
        if node.queued.swap(true, Ordering::AcqRel) {
            return; // already queued: the parent will poll it
        }
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            node.next.store(head, Ordering::Relaxed);
            match self
                .head
                .compare_exchange_weak(head, index, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => break,
                Err(actual) => head = actual,
            }
        }
        if head == EMPTY {
            let waker = self.parent.lock().clone();
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }
}

impl std::fmt::Debug for ReadyList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadyList")
            .field("children", &self.nodes.len())
            .finish_non_exhaustive()
    }
}

/// A child's waker borrowed from its [`ReadyList`].
pub(crate) struct ChildWaker<'a> {
    waker: ManuallyDrop<Waker>,
    _list: std::marker::PhantomData<&'a ReadyList>,
}

impl std::ops::Deref for ChildWaker<'_> {
    type Target = Waker;

    fn deref(&self) -> &Waker {
        &self.waker
    }
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// # Safety (all four)
/// `data` points at a `Node` of a `ReadyList` owned by an `Arc`, and the
/// waker holds one strong count of that `Arc` (except the borrowed
/// `ChildWaker`, which is never dropped or woken by value).
unsafe fn clone(data: *const ()) -> RawWaker {
    // SAFETY: see above; the list is alive while this waker is.
    unsafe {
        let node = &*data.cast::<Node>();
        Arc::increment_strong_count(node.list);
    }
    RawWaker::new(data, &VTABLE)
}

unsafe fn wake(data: *const ()) {
    // SAFETY: see `clone`; waking by value consumes this waker's count.
    unsafe {
        wake_by_ref(data);
        drop_waker(data);
    }
}

unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: see `clone`.
    unsafe {
        let node = &*data.cast::<Node>();
        (*node.list).wake(node.index);
    }
}

unsafe fn drop_waker(data: *const ()) {
    // SAFETY: see `clone`; this gives back the waker's count.
    unsafe {
        let node = &*data.cast::<Node>();
        Arc::decrement_strong_count(node.list);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize as StdAtomicUsize;
    use std::task::Wake;

    struct Counter(StdAtomicUsize);

    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn drain(list: &ReadyList) -> Vec<usize> {
        let mut batch = list.take();
        let mut out = Vec::new();
        while let Some(i) = list.next(&mut batch) {
            out.push(i);
        }
        out
    }

    #[test]
    fn first_batch_is_every_child_in_order() {
        let list = ReadyList::new(4);
        assert_eq!(drain(&list), vec![0, 1, 2, 3]);
        assert!(list.take().is_empty());
        assert!(ReadyList::new(0).take().is_empty());
    }

    #[test]
    fn a_wake_queues_once_and_wakes_the_parent_once_per_batch() {
        let list = ReadyList::new(3);
        let parent = Arc::new(Counter(StdAtomicUsize::new(0)));
        list.register(&Waker::from(Arc::clone(&parent)));
        drain(&list);

        let w1 = list.waker(1).clone();
        let w2 = list.waker(2).clone();
        w1.wake_by_ref();
        w1.wake_by_ref(); // already queued: nothing
        w2.wake_by_ref(); // stack not empty: no parent wake
        assert_eq!(parent.0.load(Ordering::SeqCst), 1);
        assert_eq!(drain(&list), vec![1, 2], "wake order");

        w2.wake();
        assert_eq!(parent.0.load(Ordering::SeqCst), 2);
        assert_eq!(drain(&list), vec![2]);
        drop(w1);
        // Only the list's own reference is left.
        assert_eq!(Arc::strong_count(&list), 1);
    }

    #[test]
    fn requeue_puts_a_partial_batch_back() {
        let list = ReadyList::new(3);
        let mut batch = list.take();
        assert_eq!(list.next(&mut batch), Some(0));
        list.requeue(&mut batch);
        assert_eq!(drain(&list), vec![1, 2]);
    }

    #[test]
    fn wakers_from_other_threads() {
        let list = ReadyList::new(64);
        let parent = Arc::new(Counter(StdAtomicUsize::new(0)));
        list.register(&Waker::from(Arc::clone(&parent)));
        drain(&list);
        let wakers: Vec<Waker> = (0..64).map(|i| list.waker(i).clone()).collect();
        std::thread::scope(|s| {
            for chunk in wakers.chunks(16) {
                s.spawn(move || {
                    for w in chunk {
                        w.wake_by_ref();
                    }
                });
            }
        });
        let mut got = drain(&list);
        got.sort_unstable();
        assert_eq!(got, (0..64).collect::<Vec<_>>());
        assert!(parent.0.load(Ordering::SeqCst) >= 1);
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::sync::atomic::AtomicBool as LoomBool;
    use std::task::Wake;

    struct Flag(LoomBool);

    impl Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    /// A child's owner makes it ready and wakes it while the parent takes a
    /// batch and polls: either that poll sees the change, or the child is
    /// queued again and the parent was woken. No lost wake-up.
    #[test]
    fn a_wake_racing_a_poll_is_never_lost() {
        loom::model(|| {
            let list = ReadyList::new(2);
            let parent = Arc::new(Flag(LoomBool::new(false)));
            list.register(&Waker::from(Arc::clone(&parent)));
            let mut first = list.take();
            while list.next(&mut first).is_some() {}

            let ready = Arc::new(LoomBool::new(false));
            let child = list.waker(1).clone();
            let owner = {
                let ready = Arc::clone(&ready);
                loom::thread::spawn(move || {
                    ready.store(true, Ordering::Release);
                    child.wake();
                })
            };

            // One parent poll round.
            list.register(&Waker::from(Arc::clone(&parent)));
            let mut batch = list.take();
            let mut seen = false;
            while let Some(index) = list.next(&mut batch) {
                assert_eq!(index, 1);
                seen |= ready.load(Ordering::Acquire);
            }
            owner.join().unwrap();

            if !seen {
                assert!(parent.0.load(Ordering::SeqCst), "the parent was woken");
                let mut again = list.take();
                assert_eq!(list.next(&mut again), Some(1), "the child is queued");
            }
        });
    }

    /// Two children woken from two threads while the parent drains: both
    /// end up polled, and each at most once per batch.
    #[test]
    fn concurrent_wakes_are_all_delivered() {
        loom::model(|| {
            let list = ReadyList::new(2);
            let parent = Arc::new(Flag(LoomBool::new(false)));
            list.register(&Waker::from(Arc::clone(&parent)));
            let mut first = list.take();
            while list.next(&mut first).is_some() {}

            let threads: Vec<_> = (0..2)
                .map(|i| {
                    let w = list.waker(i).clone();
                    loom::thread::spawn(move || w.wake())
                })
                .collect();
            let mut polled = [0usize; 2];
            let mut batch = list.take();
            while let Some(i) = list.next(&mut batch) {
                polled[i] += 1;
            }
            for t in threads {
                t.join().unwrap();
            }
            let mut batch = list.take();
            while let Some(i) = list.next(&mut batch) {
                polled[i] += 1;
            }
            assert_eq!(polled, [1, 1]);
        });
    }
}
