//! `Task::timeout`: asyncio `wait_for` on a task, exactly — on expiry the
//! task is cancelled and *waited for* before `Elapsed` is returned.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::error::Elapsed;
use super::sleep::{Sleep, far_future, sleep_until};
use crate::task::{Task, TaskError};

impl<T> Task<T> {
    /// Waits for the task at most `duration` (asyncio `wait_for(task, t)`).
    /// On expiry the task is cancelled and this waits until it has actually
    /// finished (its future dropped, or — for a graceful task — its clean-up
    /// done) before returning `Err(Elapsed)`. The output has the same shape
    /// as `time::timeout(d, task)`, which cancels on expiry without waiting.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// runtime_core::run(async {
    ///     let slow = runtime_core::spawn(runtime_core::time::sleep(Duration::from_secs(60)));
    ///     let id = slow.id();
    ///     assert!(slow.timeout(Duration::from_millis(5)).await.is_err());
    ///     // Already finished (cancelled), so no longer listed.
    ///     assert!(runtime_core::task::all_tasks().iter().all(|t| t.id() != id));
    /// });
    /// ```
    pub fn timeout(self, duration: Duration) -> TaskTimeout<T> {
        let deadline = super::now()
            .checked_add(duration)
            .unwrap_or_else(far_future);
        self.timeout_at(deadline)
    }

    /// [`Task::timeout`] with an absolute deadline.
    pub fn timeout_at(self, deadline: Instant) -> TaskTimeout<T> {
        TaskTimeout {
            task: self,
            sleep: sleep_until(deadline),
            expired: false,
        }
    }
}

/// The future of [`Task::timeout`]. Dropping it while it waits cancels the
/// task (like dropping an awaited `Task`).
pub struct TaskTimeout<T> {
    task: Task<T>,
    sleep: Sleep,
    expired: bool,
}

impl<T> Future for TaskTimeout<T> {
    type Output = Result<Result<T, TaskError>, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `sleep` is structurally pinned and never moved out; `task`
        // is Unpin.
        let this = unsafe { self.get_unchecked_mut() };
        if let Poll::Ready(result) = Pin::new(&mut this.task).poll(cx) {
            return Poll::Ready(if this.expired {
                Err(Elapsed::new())
            } else {
                Ok(result)
            });
        }
        if !this.expired {
            // SAFETY: see above.
            if unsafe { Pin::new_unchecked(&mut this.sleep) }
                .poll(cx)
                .is_pending()
            {
                return Poll::Pending;
            }
            this.expired = true;
            this.task.cancel();
            // Its completion wakes us through the waker registered above.
        }
        Poll::Pending
    }
}

impl<T> fmt::Debug for TaskTimeout<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskTimeout")
            .field("task", &self.task)
            .field("deadline", &self.sleep.deadline())
            .field("expired", &self.expired)
            .finish()
    }
}
