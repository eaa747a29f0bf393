//! A blocking job as a task: a future that runs its closure on first poll.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::scheduler::Schedule;
use crate::task::raw::{Notified, RawTask};

/// Runs `F` once, when first polled, on the pool thread that polls it.
pub(crate) struct BlockingTask<F>(pub(crate) Option<F>);

// The closure is moved out, never pinned.
impl<F> Unpin for BlockingTask<F> {}

impl<F: FnOnce() -> R, R> Future for BlockingTask<F> {
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let f = self
            .0
            .take()
            .expect("a blocking task is polled exactly once");
        Poll::Ready(f())
    }
}

/// Blocking jobs are queued directly by the pool and finish in one poll, so
/// nothing ever wakes them, and they are not in a runtime's registry.
pub(crate) struct BlockingSchedule;

impl Schedule for BlockingSchedule {
    fn schedule(&self, task: Notified) {
        // Unreachable by construction (a job is never idle, so never woken);
        // dropping the entry only releases its reference.
        drop(task);
    }

    fn yield_task(&self, task: Notified) {
        drop(task);
    }

    fn release(&self, _task: RawTask) -> bool {
        false
    }
}
