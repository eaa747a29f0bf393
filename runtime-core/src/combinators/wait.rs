//! `wait`: wait until some or all of a set of tasks are done, without
//! taking their results or cancelling anything (asyncio `wait`).
//!
//! ```
//! use runtime_core::{spawn, wait, yield_now, ReturnWhen};
//!
//! runtime_core::run(async {
//!     let quick = spawn(async { 1 });
//!     let slow = spawn(async {
//!         for _ in 0..1000 {
//!             yield_now().await;
//!         }
//!         2
//!     });
//!     let (done, pending) = wait([quick, slow], ReturnWhen::FirstCompleted, None)
//!         .await
//!         .unwrap();
//!     assert_eq!(done.len(), 1);
//!     assert_eq!(pending.len(), 1);
//!     // The done task still has its result; the pending one still runs.
//!     for task in done {
//!         assert_eq!(task.await.unwrap(), 1);
//!     }
//!     for task in pending {
//!         assert_eq!(task.await.unwrap(), 2);
//!     }
//! });
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use super::ready::ReadyList;
use crate::task::Task;
use crate::time::Sleep;

/// When [`wait`] returns (asyncio's `FIRST_COMPLETED`, `FIRST_EXCEPTION`,
/// `ALL_COMPLETED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReturnWhen {
    /// As soon as any task finishes (or is cancelled).
    FirstCompleted,
    /// As soon as any task finishes by panicking — asyncio's "raises an
    /// exception"; a cancelled task does not count, as in asyncio, and
    /// neither does a task whose *value* is an `Err` (that is a value here).
    /// If no task panics, this is `AllCompleted`.
    FirstException,
    /// When every task has finished.
    #[default]
    AllCompleted,
}

/// Why [`wait`] could not wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitError {
    /// No task was given (asyncio raises `ValueError`): waiting on nothing
    /// would return at once or never, so it is refused.
    Empty,
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Empty => f.write_str("wait() needs at least one task"),
        }
    }
}

impl std::error::Error for WaitError {}

/// Waits on `tasks` until `return_when` holds or `timeout` passes, then
/// returns `(done, pending)`: the tasks that had finished by then and those
/// that had not, each in input order (asyncio `wait`).
///
/// - **Nothing is cancelled**: `wait` observes the tasks without awaiting
///   them, so the pending ones keep running, and dropping them (or
///   dropping the `Wait` future) detaches them. A timeout is not an error:
///   it returns the two lists as they are.
/// - **Nothing is consumed**: the done tasks still hold their results;
///   await them (they are ready at once).
/// - `wait` takes task handles only (DESIGN.md): a plain future has no
///   life of its own to go on with; [`spawn`](crate::spawn) it first.
/// - A timeout of `Duration::ZERO` returns the current state at once.
///
/// # Errors
/// [`WaitError::Empty`] if `tasks` is empty.
///
/// # Panics
/// The returned future panics if polled outside a runtime while a timeout
/// is set (the timer needs one).
pub fn wait<T, I>(tasks: I, return_when: ReturnWhen, timeout: Option<Duration>) -> Wait<T>
where
    I: IntoIterator<Item = Task<T>>,
{
    let tasks: Vec<Task<T>> = tasks.into_iter().collect();
    let len = tasks.len();
    Wait {
        ready: ReadyList::new(len),
        done: vec![false; len],
        finished: 0,
        tasks,
        return_when,
        deadline: timeout.map(|d| Box::pin(crate::time::sleep(d))),
        returned: false,
    }
}

/// The future of [`wait`].
#[must_use = "futures do nothing unless awaited; dropping a Wait detaches its tasks"]
pub struct Wait<T> {
    tasks: Vec<Task<T>>,
    ready: Arc<ReadyList>,
    /// Which tasks were seen finished through their wakers.
    done: Vec<bool>,
    /// How many of `done` are true.
    finished: usize,
    return_when: ReturnWhen,
    deadline: Option<Pin<Box<Sleep>>>,
    returned: bool,
}

impl<T> Wait<T> {
    /// Splits the tasks into `(done, pending)` by their state now.
    fn split(&mut self) -> (Vec<Task<T>>, Vec<Task<T>>) {
        self.returned = true;
        self.ready.unregister();
        std::mem::take(&mut self.tasks)
            .into_iter()
            .partition(Task::is_finished)
    }
}

impl<T> Future for Wait<T> {
    type Output = Result<(Vec<Task<T>>, Vec<Task<T>>), WaitError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        assert!(!this.returned, "Wait polled after completion");
        if this.tasks.is_empty() {
            this.returned = true;
            return Poll::Ready(Err(WaitError::Empty));
        }
        this.ready.register(cx.waker());
        let mut batch = this.ready.take();
        let mut panicked = false;
        while let Some(index) = this.ready.next(&mut batch) {
            if this.done[index] {
                continue;
            }
            let waker = this.ready.waker(index);
            let task = &mut this.tasks[index];
            // Registers the waker without taking the output or marking the
            // handle awaited.
            if task
                .poll_finished(&mut Context::from_waker(&waker))
                .is_ready()
            {
                this.done[index] = true;
                this.finished += 1;
                panicked |= task_panicked(task);
            }
        }
        let all = this.finished == this.tasks.len();
        let now = match this.return_when {
            ReturnWhen::FirstCompleted => this.finished > 0,
            ReturnWhen::FirstException => panicked || all,
            ReturnWhen::AllCompleted => all,
        };
        if now {
            return Poll::Ready(Ok(this.split()));
        }
        if let Some(deadline) = &mut this.deadline {
            if deadline.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Ok(this.split()));
            }
        }
        Poll::Pending
    }
}

impl<T> Drop for Wait<T> {
    fn drop(&mut self) {
        self.ready.unregister();
    }
}

/// True if `task` (finished) panicked. Its output is left in place, and
/// still counts as unread (the caller has not seen it).
fn task_panicked<T>(task: &Task<T>) -> bool {
    task.peek_unmarked()
        .is_some_and(|result| matches!(result, Err(e) if e.is_panic()))
}

impl<T> fmt::Debug for Wait<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("tasks", &self.tasks.len())
            .field("finished", &self.finished)
            .field("return_when", &self.return_when)
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::{Runtime, spawn, yield_now};
    use std::sync::mpsc;

    async fn yields(n: usize) {
        for _ in 0..n {
            yield_now().await;
        }
    }

    fn multi() -> Runtime {
        Runtime::builder().worker_threads(2).build().unwrap()
    }

    /// Runs `f` on a thread and fails if it takes longer than 10 s.
    fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
        });
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(Ok(v)) => v,
            Ok(Err(p)) => std::panic::resume_unwind(p),
            Err(_) => panic!("test hung"),
        }
    }

    #[test]
    fn empty_input_is_an_error() {
        within(|| {
            let rt = multi();
            let out = rt.block_on(wait(Vec::<Task<()>>::new(), ReturnWhen::AllCompleted, None));
            assert_eq!(out.unwrap_err(), WaitError::Empty);
            let out = rt.block_on(wait(
                Vec::<Task<()>>::new(),
                ReturnWhen::FirstCompleted,
                Some(Duration::from_secs(1)),
            ));
            assert_eq!(out.unwrap_err(), WaitError::Empty);
        });
    }

    #[test]
    fn first_completed_returns_the_finished_and_leaves_the_rest_running() {
        within(|| {
            let rt = multi();
            let (tx, rx) = mpsc::channel();
            rt.block_on(async move {
                let (release_tx, release_rx) = futures::channel::oneshot::channel::<()>();
                let slow = spawn(async move {
                    release_rx.await.unwrap();
                    tx.send(()).unwrap();
                    "slow"
                });
                let fast = spawn(async { "fast" });
                let (done, pending) = wait([slow, fast], ReturnWhen::FirstCompleted, None)
                    .await
                    .unwrap();
                assert_eq!(done.len(), 1);
                assert_eq!(pending.len(), 1);
                release_tx.send(()).unwrap();
                let pending = pending.into_iter().next().unwrap();
                // Dropping a pending task handle detaches it.
                drop(pending);
                // The done task's result is still there.
                assert_eq!(done.into_iter().next().unwrap().await.unwrap(), "fast");
            });
            rx.recv_timeout(Duration::from_secs(5))
                .expect("the pending task ran on after wait returned");
        });
    }

    #[test]
    fn all_completed_waits_for_every_task() {
        within(|| {
            let rt = multi();
            rt.block_on(async {
                let tasks: Vec<_> = (0..10usize)
                    .map(|i| {
                        spawn(async move {
                            yields(10 - i).await;
                            i
                        })
                    })
                    .collect();
                let (done, pending) = wait(tasks, ReturnWhen::AllCompleted, None).await.unwrap();
                assert!(pending.is_empty());
                let mut values = Vec::new();
                for t in done {
                    values.push(t.await.unwrap());
                }
                assert_eq!(values, (0..10).collect::<Vec<_>>(), "input order kept");
            });
        });
    }

    #[test]
    fn first_exception_returns_at_the_first_panic() {
        within(|| {
            let rt = multi();
            rt.block_on(async {
                let stuck = spawn(std::future::pending::<u32>());
                let ok = spawn(async { 1u32 });
                let failing = spawn(async {
                    yields(5).await;
                    panic!("broken")
                });
                let failing_id = failing.id();
                let (done, pending) = wait([stuck, ok, failing], ReturnWhen::FirstException, None)
                    .await
                    .unwrap();
                assert_eq!(pending.len(), 1, "the stuck task is still pending");
                assert!(done.iter().any(|t| t.id() == failing_id));
                for t in done {
                    if t.id() == failing_id {
                        assert!(t.await.unwrap_err().is_panic(), "the panic is still there");
                    }
                }
                for t in pending {
                    assert!(t.cancel());
                }

                // A cancelled task is not an exception: without panics this is AllCompleted.
                let cancelled = spawn(std::future::pending::<u32>());
                cancelled.cancel();
                let later = spawn(async {
                    yields(5).await;
                    2u32
                });
                let (done, pending) = wait([cancelled, later], ReturnWhen::FirstException, None)
                    .await
                    .unwrap();
                assert_eq!(done.len(), 2);
                assert!(pending.is_empty());
            });
        });
    }

    #[test]
    fn a_timeout_returns_both_lists_and_cancels_nothing() {
        within(|| {
            let rt = Runtime::builder()
                .current_thread()
                .start_paused(true)
                .build()
                .unwrap();
            rt.block_on(async {
                let sleeper = spawn(async {
                    crate::time::sleep(Duration::from_secs(3600)).await;
                    "woke"
                });
                let quick = spawn(async { "quick" });
                let start = crate::time::now();
                let (done, pending) = wait(
                    [sleeper, quick],
                    ReturnWhen::AllCompleted,
                    Some(Duration::from_secs(10)),
                )
                .await
                .unwrap();
                assert_eq!(crate::time::now() - start, Duration::from_secs(10));
                assert_eq!(done.len(), 1);
                assert_eq!(pending.len(), 1);
                let sleeper = pending.into_iter().next().unwrap();
                assert!(!sleeper.is_finished());
                // Still alive: it finishes when its own timer fires.
                assert_eq!(sleeper.await.unwrap(), "woke");

                // A zero timeout reports the current state at once.
                let never = spawn(std::future::pending::<&str>());
                let (done, pending) = wait([never], ReturnWhen::AllCompleted, Some(Duration::ZERO))
                    .await
                    .unwrap();
                assert!(done.is_empty());
                pending.into_iter().for_each(|t| {
                    t.cancel();
                });
            });
        });
    }

    #[test]
    fn many_tasks_one_wake_at_a_time() {
        within(|| {
            let rt = multi();
            rt.block_on(async {
                const N: usize = 5_000;
                let (first_tx, mut prev_rx) = futures::channel::oneshot::channel::<()>();
                let mut tasks = Vec::with_capacity(N);
                for _ in 0..N {
                    let (tx, rx) = futures::channel::oneshot::channel::<()>();
                    let wait_for = std::mem::replace(&mut prev_rx, rx);
                    tasks.push(spawn(async move {
                        wait_for.await.unwrap();
                        let _ = tx.send(());
                    }));
                }
                first_tx.send(()).unwrap();
                let (done, pending) = wait(tasks, ReturnWhen::AllCompleted, None).await.unwrap();
                assert_eq!(done.len(), N);
                assert!(pending.is_empty());
            });
        });
    }
}
