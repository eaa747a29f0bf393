//! Helpers shared by the root integration tests: runtime builders, a hang guard that turns a
//! stuck test into a failure, drop probes for futures, and panic-payload formatting.
#![allow(dead_code)]

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use runtime::Runtime;

pub mod log_capture;

/// A multi-thread runtime with `workers` worker threads.
pub fn multi(workers: usize) -> Runtime {
    Runtime::builder()
        .worker_threads(workers)
        .build()
        .expect("build multi-thread runtime")
}

/// A current-thread runtime.
pub fn current_thread() -> Runtime {
    Runtime::builder()
        .current_thread()
        .build()
        .expect("build current-thread runtime")
}

/// A current-thread runtime whose clock starts paused (time jumps to the next timer when idle).
pub fn paused() -> Runtime {
    Runtime::builder()
        .current_thread()
        .start_paused(true)
        .build()
        .expect("build paused runtime")
}

/// Upper bound for a test body; reaching it means the runtime hung.
pub const HANG: Duration = Duration::from_secs(10);

/// Runs `f` on a fresh std thread (which belongs to no runtime) and fails the test if it has not
/// finished within `limit`. A panic inside `f` is re-raised on the calling thread.
pub fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let body = thread::Builder::new()
        .name("test-body".into())
        .spawn(move || {
            let _ = tx.send(panic::catch_unwind(AssertUnwindSafe(f)));
        })
        .expect("spawn test body thread");
    match rx.recv_timeout(limit) {
        Ok(Ok(value)) => {
            let _ = body.join();
            value
        }
        Ok(Err(payload)) => panic::resume_unwind(payload),
        Err(_) => panic!("test body did not finish within {limit:?}: the runtime hung"),
    }
}

/// Polls `cond` (sleeping 1 ms between tries) until it holds; panics with `what` after `limit`.
pub fn wait_until(limit: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for: {what}"
        );
        thread::sleep(Duration::from_millis(1));
    }
}

/// Sets a flag when dropped.
pub struct SetOnDrop(pub Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Increments a counter when dropped.
pub struct CountOnDrop(pub Arc<AtomicUsize>);

impl Drop for CountOnDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Sends `()` on a std channel when dropped.
pub struct SignalOnDrop(pub mpsc::Sender<()>);

impl Drop for SignalOnDrop {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

/// The message of a panic payload (`&str` or `String`), if it has one.
pub fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}
