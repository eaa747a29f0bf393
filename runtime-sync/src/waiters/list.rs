//! The intrusive FIFO list of waiters and its node.
//!
//! The list owns no memory: each node lives inside the future that waits
//! (pinned, so its address is stable while linked), and the list only links
//! the nodes together. Every access to a linked node, from the list or from
//! its owner, happens while the caller holds the lock that guards the list;
//! holding `&mut WaiterList` is how a method proves that. The one exception
//! is collecting a hand-off: a notifier unlinks the node, assigns its value
//! and, as its very last access, raises the node's `notified` flag; from
//! then on the node is its owner's alone, which `Waiter::take_notified`
//! reads without the lock. `Waiter::enqueue` is the one `unsafe` entry
//! point: it links a node and makes its owner promise to unlink it
//! (`Waiter::cancel`) before the node is freed.

use std::marker::PhantomPinned;
use std::mem;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Poll, Waker};

use super::WakeList;
use crate::primitives::{AtomicBool, Ordering, UnsafeCell};

/// A link to a node, or the end of the list.
type Link<T, R> = Option<NonNull<Waiter<T, R>>>;

/// The waiters of one primitive, oldest first (see the module docs of
/// `waiters`). `R` is what each waiter asks for, `T` what it is handed.
pub(crate) struct WaiterList<T, R = ()> {
    head: Link<T, R>,
    tail: Link<T, R>,
    len: usize,
}

// SAFETY: the list only holds pointers to nodes; every node is accessed under
// the lock that guards the list (the list is reachable only through it), so
// moving the list to, or using it from, another thread moves requests (`R`),
// values (`T`) and wakers between threads, which `Send` on `T` and `R` allows.
unsafe impl<T: Send, R: Send> Send for WaiterList<T, R> {}

impl<T, R> WaiterList<T, R> {
    /// An empty list.
    pub(crate) const fn new() -> Self {
        Self {
            head: None,
            tail: None,
            len: 0,
        }
    }

    /// How many waiters are queued (notified ones are no longer counted).
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether nobody is queued.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// Shows the head waiter's request to `decide`; if it returns a value,
    /// the head is unlinked, the value is assigned to it and its waker is
    /// pushed onto `wakes`. Returns whether a waiter was notified.
    ///
    /// `decide` may change the request (a queue takes a putter's item out of
    /// it) and must then return a value: a waiter left queued must still be
    /// able to get what it asked for.
    pub(crate) fn notify_front_if(
        &mut self,
        decide: impl FnOnce(&mut R) -> Option<T>,
        wakes: &mut WakeList,
    ) -> bool {
        let Some(head) = self.head else {
            return false;
        };
        // SAFETY: `head` is linked into this list, whose lock the caller
        // holds (`&mut self`), so no one else touches the node.
        let woken = unsafe {
            with_node(head, |node| {
                let NodeState::Queued { request, .. } = &mut node.state else {
                    unreachable!("a linked waiter is always queued");
                };
                let value = decide(request)?;
                let NodeState::Queued { request, waker } =
                    mem::replace(&mut node.state, NodeState::Idle)
                else {
                    unreachable!("checked just above");
                };
                node.state = NodeState::Notified { request, value };
                Some(waker)
            })
        };
        match woken {
            Some(waker) => {
                // SAFETY: `head` is linked into this list (checked above).
                unsafe { self.unlink(head) };
                // Release: the value and the unlinking reach the owner,
                // which may now collect (and free the node) without the
                // lock, so this is our last access to the node.
                // SAFETY: the node is alive: its owner frees it only after
                // seeing this flag, or after taking the lock we hold.
                unsafe { head.as_ref() }
                    .notified
                    .store(true, Ordering::Release);
                wakes.push(waker);
                true
            }
            None => false,
        }
    }

    /// Hands `value` to the head waiter; gives it back if nobody waits.
    pub(crate) fn notify_front(&mut self, value: T, wakes: &mut WakeList) -> Result<(), T> {
        let mut value = Some(value);
        self.notify_front_if(|_| value.take(), wakes);
        match value {
            None => Ok(()),
            Some(value) => Err(value),
        }
    }

    /// Notifies every waiter, oldest first, each with the value `value`
    /// makes from its request. Returns how many were notified.
    pub(crate) fn notify_all(
        &mut self,
        mut value: impl FnMut(&mut R) -> T,
        wakes: &mut WakeList,
    ) -> usize {
        let mut notified = 0;
        while self.notify_front_if(|request| Some(value(request)), wakes) {
            notified += 1;
        }
        notified
    }

    /// Links `waiter` at the back.
    ///
    /// # Safety
    /// `waiter` is pinned, not linked, and the caller holds this list's lock.
    unsafe fn push_back(&mut self, waiter: NonNull<Waiter<T, R>>) {
        let tail = self.tail;
        // SAFETY: the caller holds the lock; `waiter` is the caller's node.
        unsafe {
            with_node(waiter, |node| {
                node.prev = tail;
                node.next = None;
            });
        }
        match tail {
            // SAFETY: `tail` is linked into this list, under the lock.
            Some(tail) => unsafe { with_node(tail, |node| node.next = Some(waiter)) },
            None => self.head = Some(waiter),
        }
        self.tail = Some(waiter);
        self.len += 1;
    }

    /// Unlinks `waiter`.
    ///
    /// # Safety
    /// `waiter` is linked into this list and the caller holds its lock.
    unsafe fn unlink(&mut self, waiter: NonNull<Waiter<T, R>>) {
        // SAFETY: the caller's contract.
        let (prev, next) =
            unsafe { with_node(waiter, |node| (node.prev.take(), node.next.take())) };
        match prev {
            // SAFETY: a neighbour of a linked node is linked into the same
            // list, under the same lock.
            Some(prev) => unsafe { with_node(prev, |node| node.next = next) },
            None => self.head = next,
        }
        match next {
            // SAFETY: as above.
            Some(next) => unsafe { with_node(next, |node| node.prev = prev) },
            None => self.tail = prev,
        }
        self.len -= 1;
    }
}

impl<T, R> std::fmt::Debug for WaiterList<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaiterList")
            .field("len", &self.len)
            .finish()
    }
}

/// One waiter: the node a waiting future keeps (pinned) inside itself.
pub(crate) struct Waiter<T, R = ()> {
    node: UnsafeCell<Node<T, R>>,
    /// Raised by the notifier after it unlinked the node and assigned its
    /// value: the node is now the owner's alone (see the module docs).
    notified: AtomicBool,
    /// Linked nodes are pointed to by their neighbours: never move one.
    _pinned: PhantomPinned,
}

// SAFETY: every access to the node goes through the list's lock, or happens
// after the notifier handed the node back through `notified` (see the module
// docs); the node carries requests, values and wakers between the threads
// that wait and notify, which `Send` on `T` and `R` allows.
unsafe impl<T: Send, R: Send> Send for Waiter<T, R> {}
// SAFETY: as above: a shared `&Waiter` gives no access to the node without
// the lock, but to its owner once `notified` says the notifier is done.
unsafe impl<T: Send, R: Send> Sync for Waiter<T, R> {}

struct Node<T, R> {
    prev: Link<T, R>,
    next: Link<T, R>,
    state: NodeState<T, R>,
}

/// Where a waiter stands. Linked ⇔ `Queued`.
enum NodeState<T, R> {
    /// Not queued: not yet arrived, or done.
    Idle,
    /// Linked into the list, waiting.
    Queued { request: R, waker: Waker },
    /// Unlinked by a notifier, which assigned `value`; not yet collected.
    Notified { request: R, value: T },
}

/// What `Waiter::cancel` found.
pub(crate) enum Cancelled<T, R> {
    /// The waiter was not queued and holds nothing.
    Idle,
    /// The waiter was queued and is now unlinked; its request comes back.
    Unlinked(R),
    /// The waiter had been handed `T` but never collected it: the caller
    /// must pass it on or give it back.
    Notified(R, T),
}

/// Runs `f` on the node of `waiter`.
///
/// # Safety
/// The node is alive, and the caller holds the lock of the list it is (or is
/// about to be) linked into, or owns the unlinked node exclusively (its
/// owner, after seeing `notified`).
unsafe fn with_node<T, R, O>(
    waiter: NonNull<Waiter<T, R>>,
    f: impl FnOnce(&mut Node<T, R>) -> O,
) -> O {
    // SAFETY: alive per the contract; the lock makes this the only access,
    // which loom checks through its `UnsafeCell`.
    unsafe { waiter.as_ref().node.with_mut(|node| f(&mut *node)) }
}

impl<T, R> Waiter<T, R> {
    /// A waiter that has not arrived yet.
    pub(crate) fn new() -> Self {
        Self {
            node: UnsafeCell::new(Node {
                prev: None,
                next: None,
                state: NodeState::Idle,
            }),
            notified: AtomicBool::new(false),
            _pinned: PhantomPinned,
        }
    }

    fn ptr(self: Pin<&Self>) -> NonNull<Self> {
        NonNull::from(self.get_ref())
    }

    /// Links this waiter at the back of `list`, asking for `request`.
    ///
    /// # Safety
    /// - `list` is locked by the caller, and every later call on this waiter
    ///   passes the same list, under the same lock;
    /// - the waiter is not dropped while linked: its owner calls `cancel`
    ///   (under the lock) before dropping it. Pinning guarantees the rest:
    ///   the node cannot move, and its memory lives until it is dropped.
    pub(crate) unsafe fn enqueue(
        self: Pin<&Self>,
        list: &mut WaiterList<T, R>,
        request: R,
        waker: &Waker,
    ) {
        let ptr = self.ptr();
        // SAFETY: the caller holds `list`'s lock; the node is not linked yet.
        unsafe {
            with_node(ptr, |node| {
                assert!(
                    matches!(node.state, NodeState::Idle),
                    "a waiter queued twice"
                );
                node.state = NodeState::Queued {
                    request,
                    waker: waker.clone(),
                };
            });
            list.push_back(ptr);
        }
    }

    /// Collects the value without the lock if a notifier has handed it
    /// over (`None`: not notified yet, or not that we can see; then poll
    /// under the lock). A waiter's value is collected once: by this, by
    /// `poll_notified` or by `cancel`.
    #[inline]
    pub(crate) fn take_notified(self: Pin<&Self>) -> Option<(R, T)> {
        // Acquire: pairs with the notifier's release; the node's new state
        // and its unlinking are visible.
        if !self.notified.load(Ordering::Acquire) {
            return None;
        }
        // SAFETY: the notifier unlinked the node and raised the flag as its
        // last access: nobody else touches the node any more.
        let state = unsafe {
            with_node(self.ptr(), |node| {
                mem::replace(&mut node.state, NodeState::Idle)
            })
        };
        match state {
            NodeState::Notified { request, value } => Some((request, value)),
            _ => unreachable!("a notified waiter is collected once"),
        }
    }

    /// Collects the value if this waiter was notified; otherwise keeps it
    /// queued with `waker` as the waker to wake (the one it replaces goes to
    /// `stale`, to be dropped after the lock is released).
    ///
    /// Must be called under `list`'s lock, on a waiter queued by `enqueue`.
    pub(crate) fn poll_notified(
        self: Pin<&Self>,
        _list: &mut WaiterList<T, R>,
        waker: &Waker,
        stale: &mut Option<Waker>,
    ) -> Poll<(R, T)> {
        // SAFETY: the caller holds the lock (`_list`), per `enqueue`'s
        // contract the same list this waiter was queued on.
        unsafe {
            with_node(self.ptr(), |node| match &mut node.state {
                NodeState::Queued { waker: current, .. } => {
                    if !current.will_wake(waker) {
                        *stale = Some(mem::replace(current, waker.clone()));
                    }
                    Poll::Pending
                }
                NodeState::Notified { .. } => {
                    let NodeState::Notified { request, value } =
                        mem::replace(&mut node.state, NodeState::Idle)
                    else {
                        unreachable!("matched just above");
                    };
                    Poll::Ready((request, value))
                }
                NodeState::Idle => panic!("a waiter polled before it was queued"),
            })
        }
    }

    /// Takes this waiter out of the game: unlinks it if it is queued, or
    /// returns what it was handed if it was notified. The waker it held goes
    /// to `stale`, to be dropped after the lock is released.
    ///
    /// Must be called under `list`'s lock, with the list `enqueue` used.
    pub(crate) fn cancel(
        self: Pin<&Self>,
        list: &mut WaiterList<T, R>,
        stale: &mut Option<Waker>,
    ) -> Cancelled<T, R> {
        let ptr = self.ptr();
        // SAFETY: the caller holds the lock of the list this waiter was
        // queued on.
        let state =
            unsafe { with_node(ptr, |node| mem::replace(&mut node.state, NodeState::Idle)) };
        match state {
            NodeState::Idle => Cancelled::Idle,
            NodeState::Queued { request, waker } => {
                // SAFETY: a queued node is linked into `list`, whose lock the
                // caller holds.
                unsafe { list.unlink(ptr) };
                *stale = Some(waker);
                Cancelled::Unlinked(request)
            }
            NodeState::Notified { request, value } => Cancelled::Notified(request, value),
        }
    }
}
