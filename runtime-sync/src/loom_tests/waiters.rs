//! The bare protocol, on a pool of numbered tokens: each waiter is handed
//! one token, so the models see exactly who got what.

use std::sync::Arc;

use loom::future::block_on;
use loom::thread;

use super::{Boxed, queue};
use crate::primitives::{Mutex, MutexGuard};
use crate::waiters::{Wait, Waitable, WaiterList, WakeList};

struct Tokens {
    state: Mutex<TokenState>,
}

struct TokenState {
    free: Vec<u32>,
    waiters: WaiterList<u32, ()>,
}

impl Tokens {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(TokenState {
                free: Vec::new(),
                waiters: WaiterList::new(),
            }),
        })
    }

    /// Hands `token` to the oldest waiter, or keeps it.
    fn put(&self, token: u32) {
        let mut wakes = WakeList::new();
        let mut state = self.state.lock();
        if let Err(token) = state.waiters.notify_front(token, &mut wakes) {
            state.free.push(token);
        }
        drop(state);
        drop(wakes);
    }

    fn take(self: &Arc<Self>) -> Boxed<u32> {
        Box::pin(Wait::new(self.clone(), ()))
    }

    /// The tokens nobody holds, once the model's threads are done.
    fn free(&self) -> Vec<u32> {
        let state = self.state.lock();
        assert!(state.waiters.is_empty(), "a waiter was left queued");
        state.free.clone()
    }
}

impl Waitable for Arc<Tokens> {
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

/// A put racing a waiter's arrival: the waiter gets the token whichever
/// comes first (no lost wake-up), and the token is not also kept.
#[test]
fn loom_put_races_arrival() {
    loom::model(|| {
        let tokens = Tokens::new();
        let taker = {
            let tokens = tokens.clone();
            thread::spawn(move || block_on(tokens.take()))
        };
        tokens.put(1);
        assert_eq!(taker.join().unwrap(), 1);
        assert!(tokens.free().is_empty());
    });
}

/// Two waiters, two puts, all concurrent: each token is delivered exactly
/// once, to exactly one waiter.
#[test]
fn loom_two_puts_two_waiters_no_double_delivery() {
    loom::model(|| {
        let tokens = Tokens::new();
        let takers: Vec<_> = (0..2)
            .map(|_| {
                let tokens = tokens.clone();
                thread::spawn(move || block_on(tokens.take()))
            })
            .collect();
        tokens.put(1);
        tokens.put(2);
        let mut got: Vec<_> = takers.into_iter().map(|t| t.join().unwrap()).collect();
        got.sort();
        assert_eq!(got, [1, 2]);
        assert!(tokens.free().is_empty());
    });
}

/// Waiters queued in order A, B get the tokens in put order, whatever the
/// threads that finish them do.
#[test]
fn loom_hand_off_is_fifo() {
    loom::model(|| {
        let tokens = Tokens::new();
        let (mut a, mut b) = (tokens.take(), tokens.take());
        queue(&mut a);
        queue(&mut b);
        let a = thread::spawn(move || block_on(a));
        let b = thread::spawn(move || block_on(b));
        tokens.put(1);
        tokens.put(2);
        assert_eq!((a.join().unwrap(), b.join().unwrap()), (1, 2));
        assert!(tokens.free().is_empty());
    });
}

/// The head waiter is dropped while a put races to hand it the token: the
/// token reaches the next waiter either way (directly, or passed on by the
/// dropped waiter), and is never lost or duplicated.
#[test]
fn loom_drop_races_hand_off() {
    loom::model(|| {
        let tokens = Tokens::new();
        let (mut a, mut b) = (tokens.take(), tokens.take());
        queue(&mut a);
        queue(&mut b);
        let dropper = thread::spawn(move || drop(a));
        let b = thread::spawn(move || block_on(b));
        tokens.put(1);
        dropper.join().unwrap();
        assert_eq!(b.join().unwrap(), 1);
        assert!(tokens.free().is_empty());
    });
}

/// The only waiter is dropped while a put races it: the token ends up back
/// in the pool.
#[test]
fn loom_drop_of_the_last_waiter_returns_the_hand_off() {
    loom::model(|| {
        let tokens = Tokens::new();
        let mut a = tokens.take();
        queue(&mut a);
        let dropper = thread::spawn(move || drop(a));
        tokens.put(1);
        dropper.join().unwrap();
        assert_eq!(tokens.free(), [1]);
    });
}
