//! Loom models of the waiter protocol (`waiters.rs`) and of the primitives
//! built on it: no lost wake-up, no double delivery, FIFO hand-off, and a
//! waiter dropped while a hand-off races it.
//!
//! ```text
//! RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 CARGO_TARGET_DIR=target/loom \
//!     cargo test -p runtime-sync --release --lib loom
//! ```
//!
//! Under `--cfg loom` the primitives' internal lock and the node cells are
//! loom's, so loom explores every interleaving of their critical sections
//! and checks every node access against concurrent ones. Waiting threads use
//! `loom::future::block_on`: a waiter whose wake-up is lost parks forever,
//! which loom reports as a deadlock. To fix the order in which waiters queue,
//! a model polls their futures once on the main thread (with a waker that
//! does nothing) before handing them to threads; `block_on` then installs a
//! real waker on its first poll. Observations (arrival logs, counters) are
//! plain std types read after every thread was joined, so they add no
//! interleavings of their own.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

mod broadcast;
mod condition;
mod event;
mod mpsc;
mod mutex;
mod oneshot;
mod promise;
mod queue;
mod rwlock;
mod semaphore;
mod waiters;
mod watch;

/// A boxed, sendable future, to queue on one thread and finish on another.
type Boxed<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Polls `future` once with a waker that does nothing.
fn poll_once<T>(future: &mut Boxed<T>) -> Poll<T> {
    future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
}

/// Polls `future` once and expects it to wait (it is now queued).
#[track_caller]
fn queue<T>(future: &mut Boxed<T>) {
    assert!(
        poll_once(future).is_pending(),
        "expected the future to wait"
    );
}

/// An arrival log the threads of a model append to.
#[derive(Clone, Default)]
struct Log(std::sync::Arc<std::sync::Mutex<Vec<&'static str>>>);

impl Log {
    fn push(&self, entry: &'static str) {
        self.0.lock().unwrap().push(entry);
    }

    fn entries(&self) -> Vec<&'static str> {
        self.0.lock().unwrap().clone()
    }
}
