//! The bookkeeping a [`Server`](super::Server) shares with its accept loops
//! and connection tasks: whether it is closed, how many accept loops and
//! connections are alive, and the tasks waiting for one of those to change.
//!
//! Counts move through guards created *before* the task that holds them is
//! spawned, so a task that is cancelled before its first poll, panics, or is
//! dropped at runtime shutdown still gives its count back.

use std::future::poll_fn;
use std::io;
use std::sync::Arc;
use std::task::{Poll, Waker};

use parking_lot::Mutex;

#[derive(Default)]
pub(crate) struct Counts {
    /// `close()` was called (or the `Server` dropped).
    pub(crate) closed: bool,
    /// Accept loops still running.
    pub(crate) accepting: usize,
    /// Connection handlers still running.
    pub(crate) connections: usize,
    /// Connection handlers that finished so far (the accept loop's back-off
    /// wakes up when this moves: a descriptor was probably freed).
    pub(crate) finished: u64,
    /// The error that stopped an accept loop, for `serve_forever`.
    pub(crate) error: Option<io::Error>,
}

#[derive(Default)]
pub(crate) struct ServerState {
    counts: Mutex<Counts>,
    waiters: Mutex<Vec<Waker>>,
}

impl ServerState {
    /// Changes the counts, then wakes every waiter to re-check its
    /// condition.
    pub(crate) fn update<R>(&self, change: impl FnOnce(&mut Counts) -> R) -> R {
        let result = change(&mut self.counts.lock());
        let waiters = std::mem::take(&mut *self.waiters.lock());
        for waker in waiters {
            waker.wake();
        }
        result
    }

    /// Reads the counts.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&Counts) -> R) -> R {
        f(&self.counts.lock())
    }

    /// Waits until `done` holds, and returns what it found. Cancel-safe.
    pub(crate) async fn wait_until<R>(&self, mut done: impl FnMut(&mut Counts) -> Option<R>) -> R {
        poll_fn(|cx| {
            // Register before checking, so an update between the check and
            // the registration cannot be missed.
            {
                let mut waiters = self.waiters.lock();
                if !waiters.iter().any(|w| w.will_wake(cx.waker())) {
                    waiters.push(cx.waker().clone());
                }
            }
            match done(&mut self.counts.lock()) {
                Some(r) => Poll::Ready(r),
                None => Poll::Pending,
            }
        })
        .await
    }

    /// Counts one running accept loop until the guard drops.
    pub(crate) fn accept_loop_guard(self: &Arc<Self>) -> CountGuard {
        self.update(|c| c.accepting += 1);
        CountGuard {
            state: self.clone(),
            connection: false,
        }
    }

    /// Counts one running connection until the guard drops.
    pub(crate) fn connection_guard(self: &Arc<Self>) -> CountGuard {
        self.update(|c| c.connections += 1);
        CountGuard {
            state: self.clone(),
            connection: true,
        }
    }
}

/// Gives back one accept loop or connection when dropped.
pub(crate) struct CountGuard {
    state: Arc<ServerState>,
    connection: bool,
}

impl Drop for CountGuard {
    fn drop(&mut self) {
        self.state.update(|c| {
            if self.connection {
                c.connections -= 1;
                c.finished += 1;
            } else {
                c.accepting -= 1;
            }
        });
    }
}
