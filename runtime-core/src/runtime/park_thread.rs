//! Driving a future on a plain thread: park until woken (or a deadline).

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::Instant;

use crossbeam_utils::Backoff;

struct ThreadWaker {
    thread: Thread,
    woken: AtomicBool,
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.woken.swap(true, Ordering::AcqRel) {
            self.thread.unpark();
        }
    }
}

/// Polls `future` on this thread until it is ready (`Some`) or `deadline`
/// passes (`None`). Callers check `context::assert_may_block` first.
pub(crate) fn block_on_deadline<F: Future>(
    future: F,
    deadline: Option<Instant>,
) -> Option<F::Output> {
    let state = Arc::new(ThreadWaker {
        thread: std::thread::current(),
        woken: AtomicBool::new(false),
    });
    let waker = Waker::from(state.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Some(output);
        }
        // A thread waiting on a task it just handed to the workers (a
        // `block_on`, or `Task::wait` from a plain thread) is usually woken
        // within microseconds. Spinning and yielding briefly first saves a
        // futex sleep and, worse, the wait for the OS to reschedule this
        // thread when every core is busy (spawn_many_remote_busy in
        // docs/benchmarks.md). The spin is bounded, so an idle wait still
        // costs no CPU.
        let backoff = Backoff::new();
        while !backoff.is_completed() && !state.woken.load(Ordering::Acquire) {
            backoff.snooze();
        }
        // `park` may return spuriously (or for another reason to unpark
        // this thread): only our flag counts.
        while !state.woken.swap(false, Ordering::AcqRel) {
            match deadline {
                None => std::thread::park(),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return None;
                    }
                    std::thread::park_timeout(deadline - now);
                }
            }
        }
    }
}
