//! Unit tests of the waiter protocol on a tiny primitive whose hand-offs are
//! distinct tokens, so each test sees exactly which waiter got what.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use super::{Wait, Waitable, WaiterList, WakeList};
use crate::primitives::{Mutex, MutexGuard};
use crate::test_support::Probe;

/// A pool of numbered tokens; each waiter is handed one.
struct Tokens {
    state: Mutex<TokenState>,
}

struct TokenState {
    free: Vec<u32>,
    waiters: WaiterList<u32, ()>,
}

impl Tokens {
    fn new() -> Self {
        Self {
            state: Mutex::new(TokenState {
                free: Vec::new(),
                waiters: WaiterList::new(),
            }),
        }
    }

    /// Hands `token` to the oldest waiter, or keeps it.
    fn put(&self, token: u32) {
        let mut wakes = WakeList::new();
        let mut state = self.state.lock();
        if let Err(token) = state.waiters.notify_front(token, &mut wakes) {
            state.free.push(token);
        }
    }

    fn take(&self) -> Wait<&Self> {
        Wait::new(self, ())
    }

    fn free(&self) -> Vec<u32> {
        self.state.lock().free.clone()
    }

    fn queued(&self) -> usize {
        self.state.lock().waiters.len()
    }
}

impl Waitable for &Tokens {
    type State = TokenState;
    type Request = ();
    type Value = u32;

    fn lock(&self) -> MutexGuard<'_, TokenState> {
        self.state.lock()
    }

    fn waiters(state: &mut TokenState) -> &mut WaiterList<u32, ()> {
        &mut state.waiters
    }

    fn try_now(&self, state: &mut TokenState, _: &mut (), _: &mut WakeList) -> Option<u32> {
        if state.waiters.is_empty() {
            state.free.pop()
        } else {
            None
        }
    }

    fn give_back(&self, state: &mut TokenState, _: (), token: u32, wakes: &mut WakeList) {
        if let Err(token) = state.waiters.notify_front(token, wakes) {
            state.free.push(token);
        }
    }
}

#[test]
fn hand_offs_go_to_waiters_in_arrival_order() {
    let tokens = Tokens::new();
    let mut waiters: Vec<_> = (0..3).map(|_| Probe::new(tokens.take())).collect();
    for waiter in &mut waiters {
        waiter.pending();
    }
    assert_eq!(tokens.queued(), 3);
    for token in [10, 20, 30] {
        tokens.put(token);
    }
    assert_eq!(tokens.queued(), 0);
    let got: Vec<_> = waiters.iter_mut().map(Probe::ready).collect();
    assert_eq!(got, [10, 20, 30]);
    assert!(tokens.free().is_empty());
}

#[test]
fn a_newcomer_cannot_take_what_was_handed_to_a_waiter() {
    let tokens = Tokens::new();
    let mut old = Probe::new(tokens.take());
    old.pending();
    tokens.put(1);
    let mut newcomer = Probe::new(tokens.take());
    newcomer.pending();
    assert_eq!(old.ready(), 1);
    tokens.put(2);
    assert_eq!(newcomer.ready(), 2);
}

#[test]
fn waiters_dropped_at_the_head_middle_and_tail_unlink_cleanly() {
    let tokens = Tokens::new();
    let mut waiters: Vec<_> = (0..5).map(|_| Some(Probe::new(tokens.take()))).collect();
    for waiter in waiters.iter_mut().flatten() {
        waiter.pending();
    }
    for gone in [2, 0, 4] {
        waiters[gone] = None;
    }
    assert_eq!(tokens.queued(), 2);
    tokens.put(7);
    tokens.put(8);
    let [_, Some(one), _, Some(three), _] = &mut waiters[..] else {
        panic!("the survivors are 1 and 3");
    };
    assert_eq!((one.ready(), three.ready()), (7, 8));
}

#[test]
fn a_hand_off_to_a_dropped_waiter_is_passed_on_or_kept() {
    let tokens = Tokens::new();
    let mut first = Probe::new(tokens.take());
    let mut second = Probe::new(tokens.take());
    first.pending();
    second.pending();
    tokens.put(5);
    drop(first);
    assert_eq!(second.wakes(), 1);
    assert_eq!(second.ready(), 5);

    let mut only = Probe::new(tokens.take());
    only.pending();
    tokens.put(6);
    drop(only);
    assert_eq!(tokens.free(), [6]);
    assert_eq!(Probe::new(tokens.take()).ready(), 6);
}

#[test]
fn notify_front_if_can_refuse_and_notify_all_counts() {
    let tokens = Tokens::new();
    let mut a = Probe::new(tokens.take());
    let mut b = Probe::new(tokens.take());
    a.pending();
    b.pending();
    let mut wakes = WakeList::new();
    {
        let mut state = tokens.state.lock();
        assert!(!state.waiters.notify_front_if(|_| None, &mut wakes));
        assert_eq!(state.waiters.len(), 2);
        let mut next = 40;
        let notified = state.waiters.notify_all(
            |_| {
                next += 1;
                next
            },
            &mut wakes,
        );
        assert_eq!(notified, 2);
        assert!(state.waiters.is_empty());
        assert_eq!(state.waiters.notify_front(9, &mut wakes), Err(9));
        assert_eq!(format!("{:?}", state.waiters), "WaiterList { len: 0 }");
    }
    assert_eq!((a.wakes(), b.wakes()), (0, 0), "woken only after the lock");
    drop(wakes);
    assert_eq!((a.wakes(), b.wakes()), (1, 1));
    assert_eq!((a.ready(), b.ready()), (41, 42));
}

/// Counts wakes, for the waker-refresh test.
#[derive(Default)]
struct Flag(AtomicUsize);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn the_latest_waker_is_the_one_woken() {
    let tokens = Tokens::new();
    let mut wait = Box::pin(tokens.take());
    let (old, new) = (Arc::new(Flag::default()), Arc::new(Flag::default()));
    let old_waker = Waker::from(old.clone());
    let new_waker = Waker::from(new.clone());
    let mut cx = Context::from_waker(&old_waker);
    assert!(wait.as_mut().poll(&mut cx).is_pending());
    let mut cx = Context::from_waker(&new_waker);
    assert!(wait.as_mut().poll(&mut cx).is_pending());
    assert_eq!(Arc::strong_count(&old), 2, "the stale waker was dropped");
    tokens.put(3);
    assert_eq!(old.0.load(Ordering::SeqCst), 0);
    assert_eq!(new.0.load(Ordering::SeqCst), 1);
    assert_eq!(wait.as_mut().poll(&mut cx), Poll::Ready(3));
}

#[test]
#[should_panic(expected = "polled after it completed")]
fn polling_after_completion_panics() {
    let tokens = Tokens::new();
    tokens.put(1);
    let mut wait = Probe::new(tokens.take());
    assert_eq!(wait.ready(), 1);
    let _ = wait.poll();
}

#[test]
fn a_wait_dropped_before_its_first_poll_changes_nothing() {
    let tokens = Tokens::new();
    tokens.put(1);
    drop(tokens.take());
    assert_eq!(tokens.free(), [1]);
}

#[test]
fn wake_list_wakes_everything_in_order_past_its_inline_capacity() {
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    struct Record(usize, Arc<std::sync::Mutex<Vec<usize>>>);
    impl Wake for Record {
        fn wake(self: Arc<Self>) {
            self.1.lock().unwrap().push(self.0);
        }
    }
    let mut wakes = WakeList::new();
    for i in 0..10 {
        wakes.push(Waker::from(Arc::new(Record(i, order.clone()))));
    }
    assert!(order.lock().unwrap().is_empty());
    drop(wakes);
    assert_eq!(*order.lock().unwrap(), (0..10).collect::<Vec<_>>());
}
