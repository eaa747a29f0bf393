//! `shield`: await work without tying its fate to the awaiter (asyncio
//! `shield`).
//!
//! Awaiting a [`Task`] directly ties the two: if the awaiter is dropped
//! (cancelled, timed out, lost a race), the task is cancelled. A [`Shield`]
//! observes the task instead — it polls the handle without marking it
//! awaited — so dropping the shield leaves the task running, detached.
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicBool, Ordering};
//! use runtime_core::{select, shield, yield_now, Either};
//!
//! runtime_core::run(async {
//!     let saved = Arc::new(AtomicBool::new(false));
//!     let flag = Arc::clone(&saved);
//!     let save = shield(async move {
//!         for _ in 0..10 {
//!             yield_now().await;
//!         }
//!         flag.store(true, Ordering::SeqCst);
//!     });
//!     let id = save.id();
//!     // The awaiter gives up first; the shielded work is not cancelled.
//!     let winner = select(std::future::ready("gave up"), save).await;
//!     assert!(matches!(winner, Either::Left("gave up")));
//!     while runtime_core::task::all_tasks().iter().any(|t| t.id() == id) {
//!         yield_now().await;
//!     }
//!     assert!(saved.load(Ordering::SeqCst));
//! });
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::runtime::Handle;
use crate::task::{Task, TaskError, TaskId};

/// Spawns `future` as a task on the current runtime and returns a [`Shield`]
/// that awaits it without tying it (asyncio `shield`): if the shield is
/// dropped before the task finishes, the task runs on, detached.
///
/// The output is the task's: `Result<T, TaskError>`.
///
/// # Plain futures and tasks
/// `shield` always spawns. To shield a task you already hold, use
/// [`shield_task`] (passing a `Task` here would spawn a second task that
/// awaits the first, and dropping *that* task's future would cancel it).
///
/// # Panics
/// Outside a runtime (as [`spawn`](crate::spawn)); see [`shield_on`].
#[track_caller]
pub fn shield<F>(future: F) -> Shield<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    shield_task(crate::spawn(future))
}

/// [`shield`] on the runtime of `handle`, from any thread.
#[track_caller]
pub fn shield_on<F>(handle: &Handle, future: F) -> Shield<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    shield_task(handle.spawn(future))
}

/// Awaits an existing task without tying it: dropping the returned
/// [`Shield`] detaches the task instead of cancelling it, even if the shield
/// was polled. This is how [`try_gather_tasks`](super::try_gather_tasks)
/// lets the other tasks run on after a failure.
pub fn shield_task<T>(task: Task<T>) -> Shield<T> {
    Shield { task: Some(task) }
}

/// The future of [`shield`] and [`shield_task`]: resolves to the task's
/// `Result<T, TaskError>`. Dropping it detaches the task.
#[must_use = "futures do nothing unless awaited; dropping a Shield detaches its task"]
pub struct Shield<T> {
    /// `None` once the output was returned or the handle was taken back.
    task: Option<Task<T>>,
}

impl<T> Shield<T> {
    /// The id of the shielded task.
    ///
    /// # Panics
    /// After the shield resolved or gave its handle back.
    pub fn id(&self) -> TaskId {
        self.task().id()
    }

    /// True once the shielded task has finished (see [`Task::is_finished`]).
    ///
    /// # Panics
    /// After the shield resolved or gave its handle back.
    pub fn is_finished(&self) -> bool {
        self.task().is_finished()
    }

    /// Gives the task handle back (never awaited, so dropping it detaches).
    ///
    /// # Panics
    /// After the shield resolved.
    pub fn into_task(mut self) -> Task<T> {
        self.task
            .take()
            .expect("Shield::into_task after the shield resolved")
    }

    fn task(&self) -> &Task<T> {
        self.task.as_ref().expect("the Shield already resolved")
    }
}

impl<T> Future for Shield<T> {
    type Output = Result<T, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let task = self.task.as_mut().expect("Shield polled after completion");
        // `poll_result` does not mark the handle awaited: dropping it
        // later detaches.
        let output = task.poll_result(cx);
        if output.is_ready() {
            self.task = None;
        }
        output
    }
}

impl<T> Drop for Shield<T> {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.detach();
        }
    }
}

impl<T> fmt::Debug for Shield<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shield").field("task", &self.task).finish()
    }
}
