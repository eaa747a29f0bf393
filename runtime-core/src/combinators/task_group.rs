//! `TaskGroup`: structured concurrency (asyncio 3.11 `TaskGroup`).
//!
//! Children are spawned into the group as tasks and start running at once.
//! Awaiting the group ([`join`](TaskGroup::join), or `.await` on the group
//! itself) waits for all of them. The **first failure cancels the rest**;
//! the group then reports **every** error (asyncio's `ExceptionGroup`).
//! Dropping the group, or its unfinished `join`, cancels the children: no
//! child outlives the group unless you let it.
//!
//! Children return `Result<T, E>`:
//! - all return `Ok` → `Ok(values)` in spawn order;
//! - a child returns `Err` → the siblings still running are cancelled and
//!   the group gives `Err(GroupError)` holding every `Err` that happened
//!   (in the order they happened) and the cancelled children's
//!   [`TaskError`]s;
//! - a child panics → the siblings are cancelled, and once they are all
//!   done the panic is resumed in the task awaiting the group (the first
//!   panic, if several);
//! - a child cancelled from outside the group (through its [`TaskRef`])
//!   is not a failure: its siblings run on (as in asyncio), but as it has
//!   no value the group gives `Err(GroupError)` with no errors and that
//!   child in [`GroupError::cancelled`].
//!
//! ```
//! use runtime_core::{TaskGroup, yield_now};
//!
//! runtime_core::run(async {
//!     // All succeed: values in spawn order.
//!     let mut group: TaskGroup<u32, String> = TaskGroup::new();
//!     for i in 1..=3 {
//!         group.spawn(async move { Ok(i * i) });
//!     }
//!     assert_eq!(group.await.unwrap(), [1, 4, 9]);
//!
//!     // One fails: the sleeper is cancelled, the error comes back.
//!     let mut group: TaskGroup<u32, String> = TaskGroup::new();
//!     group.spawn(async {
//!         loop {
//!             yield_now().await;
//!         }
//!     });
//!     group.spawn(async { Err("disk full".to_string()) });
//!     let err = group.join().await.unwrap_err();
//!     assert_eq!(err.errors().collect::<Vec<_>>(), ["disk full"]);
//!     assert_eq!(err.cancelled().len(), 1);
//!
//!     // Children that cannot fail: E defaults to Infallible.
//!     let mut group: TaskGroup<&str> = TaskGroup::new();
//!     group.spawn(async { Ok("done") });
//!     assert_eq!(group.await.unwrap(), ["done"]);
//! });
//! ```

use std::convert::Infallible;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::gather::{Gather, gather};
use crate::primitives::{AtomicBool, Mutex, Ordering};
use crate::runtime::Handle;
use crate::task::{Task, TaskError, TaskId, TaskRef};

/// The cancellation message of the siblings of a failed child.
const SIBLING_FAILED: &str = "a sibling in the TaskGroup failed";
/// The cancellation message of the children of a dropped group.
const GROUP_DROPPED: &str = "the TaskGroup was dropped";
/// The cancellation message of [`TaskGroup::cancel_all`].
const GROUP_CANCELLED: &str = "the TaskGroup was cancelled";

/// A set of child tasks that succeed or fail together (asyncio
/// `TaskGroup`); see the [module docs](crate::combinators::task_group) for the rules and an example.
///
/// `T` is the children's value, `E` their error (`Infallible` by default:
/// write `TaskGroup<T>` for children that cannot fail, and return `Ok(v)`).
///
/// Unlike asyncio, the failure is reported when the group is awaited; the
/// task awaiting it is not interrupted earlier. Children cannot spawn into
/// their own group.
#[must_use = "dropping a TaskGroup cancels its children; await it (or .join()) to wait for them"]
pub struct TaskGroup<T, E = Infallible> {
    shared: Arc<Shared>,
    tasks: Vec<Task<Result<T, E>>>,
}

/// What the children and the group share.
struct Shared {
    /// Set (under `state`'s lock) once a child failed or the group was
    /// cancelled; children that see it stop polling their future.
    aborted: AtomicBool,
    state: Mutex<State>,
}

struct State {
    /// Every child, in spawn order (index = spawn order).
    children: Vec<TaskRef>,
    /// Indices of the children that returned `Err` or panicked, in the order
    /// they did.
    failures: Vec<usize>,
}

impl Shared {
    /// Records a failure of child `failed` (if any), marks the group aborted
    /// and cancels every other child.
    fn abort(&self, failed: Option<usize>, message: &str) {
        let siblings: Vec<TaskRef> = {
            let mut state = self.state.lock();
            if let Some(index) = failed {
                state.failures.push(index);
            }
            self.aborted.store(true, Ordering::Release);
            state
                .children
                .iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != failed)
                .map(|(_, child)| child.clone())
                .collect()
        };
        // Outside the lock: cancelling may run scheduler code.
        for child in siblings {
            child.cancel_with(message);
        }
    }
}

impl<T, E> TaskGroup<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    /// An empty group.
    pub fn new() -> TaskGroup<T, E> {
        TaskGroup {
            shared: Arc::new(Shared {
                aborted: AtomicBool::new(false),
                state: Mutex::new(State {
                    children: Vec::new(),
                    failures: Vec::new(),
                }),
            }),
            tasks: Vec::new(),
        }
    }

    /// Spawns `future` as a child on the current runtime (asyncio
    /// `TaskGroup.create_task`). It starts running at once. Returns a
    /// reference to the child task (id, name, state, cancel).
    ///
    /// Spawning into a group that has already failed (or was cancelled)
    /// cancels the new child at once.
    ///
    /// # Panics
    /// Outside a runtime; see [`spawn_on`](TaskGroup::spawn_on).
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> TaskRef
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        let child = self.child(future);
        let task = crate::spawn(child);
        self.adopt(task)
    }

    /// [`spawn`](TaskGroup::spawn) on the runtime of `handle`.
    #[track_caller]
    pub fn spawn_on<F>(&mut self, handle: &Handle, future: F) -> TaskRef
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        let child = self.child(future);
        let task = handle.spawn(child);
        self.adopt(task)
    }

    fn child<F>(&self, future: F) -> Child<F> {
        Child {
            future,
            index: self.tasks.len(),
            shared: Arc::clone(&self.shared),
        }
    }

    fn adopt(&mut self, task: Task<Result<T, E>>) -> TaskRef {
        let task_ref = task.task_ref();
        let aborted = {
            let mut state = self.shared.state.lock();
            state.children.push(task_ref.clone());
            self.shared.aborted.load(Ordering::Acquire)
        };
        if aborted {
            task.cancel_with(SIBLING_FAILED);
        }
        self.tasks.push(task);
        task_ref
    }

    /// The number of children spawned so far.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// True if nothing was spawned yet.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Cancels every child (and any child spawned later). Awaiting the
    /// group then gives `Err(GroupError)` listing the cancelled children —
    /// unless they had all finished already.
    pub fn cancel_all(&self) {
        self.shared.abort(None, GROUP_CANCELLED);
    }

    /// Waits for every child: `Ok` with the values in spawn order, or
    /// `Err` with every error if a child failed (see the [module docs](crate::combinators::task_group)).
    /// Dropping the returned future before it finishes cancels the children.
    ///
    /// # Panics
    /// Resumes the panic of a child that panicked, once every child is done.
    pub fn join(mut self) -> GroupJoin<T, E> {
        let tasks = std::mem::take(&mut self.tasks);
        GroupJoin {
            shared: Arc::clone(&self.shared),
            gather: gather(tasks),
            finished: false,
        }
        // `self` is dropped with no tasks left: nothing is cancelled.
    }
}

impl<T, E> Default for TaskGroup<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    fn default() -> Self {
        TaskGroup::new()
    }
}

impl<T, E> IntoFuture for TaskGroup<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    type Output = Result<Vec<T>, GroupError<E>>;
    type IntoFuture = GroupJoin<T, E>;

    /// `group.await` is `group.join().await`.
    fn into_future(self) -> GroupJoin<T, E> {
        self.join()
    }
}

impl<T, E> Drop for TaskGroup<T, E> {
    fn drop(&mut self) {
        if !self.tasks.is_empty() {
            self.shared.abort(None, GROUP_DROPPED);
        }
    }
}

impl<T, E> fmt::Debug for TaskGroup<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroup")
            .field("children", &self.tasks.len())
            .field("aborted", &self.shared.aborted.load(Ordering::Relaxed))
            .finish()
    }
}

/// A child's future: reports a failure to the group at once, so the
/// siblings are cancelled whether or not anyone is awaiting the group yet.
struct Child<F> {
    future: F,
    index: usize,
    shared: Arc<Shared>,
}

impl<F, T, E> Future for Child<F>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` is structurally pinned; the other fields are
        // never pinned and not moved out of.
        let this = unsafe { self.get_unchecked_mut() };
        if this.shared.aborted.load(Ordering::Acquire) {
            // The group failed: this child's cancellation has been or is
            // about to be requested (`abort` cancels every child it lists,
            // `adopt` every child added later). Run no more of its code.
            return Poll::Pending;
        }
        // SAFETY: see above.
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        match panic::catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(Ok(value))) => Poll::Ready(Ok(value)),
            Ok(Poll::Ready(Err(error))) => {
                this.shared.abort(Some(this.index), SIBLING_FAILED);
                Poll::Ready(Err(error))
            }
            Err(payload) => {
                this.shared.abort(Some(this.index), SIBLING_FAILED);
                // The task reports the panic; the group resumes it later.
                panic::resume_unwind(payload)
            }
        }
    }
}

/// The future of [`TaskGroup::join`] (and of `group.await`). Dropping it
/// before it finishes cancels the children.
#[must_use = "futures do nothing unless awaited; dropping a Join cancels the group's children"]
pub struct GroupJoin<T, E> {
    shared: Arc<Shared>,
    gather: Gather<Task<Result<T, E>>>,
    finished: bool,
}

impl<T, E> Future for GroupJoin<T, E> {
    type Output = Result<Vec<T>, GroupError<E>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let results = match Pin::new(&mut self.gather).poll(cx) {
            Poll::Ready(results) => results,
            Poll::Pending => return Poll::Pending,
        };
        self.finished = true;
        let (ids, failures): (Vec<TaskId>, Vec<usize>) = {
            let state = self.shared.state.lock();
            (
                state.children.iter().map(TaskRef::id).collect(),
                state.failures.clone(),
            )
        };

        let mut slots: Vec<Option<Result<Result<T, E>, TaskError>>> =
            results.into_iter().map(Some).collect();
        // A panic wins: resume the earliest one.
        let panicked = failures
            .iter()
            .copied()
            .find(|&i| matches!(&slots[i], Some(Err(e)) if e.is_panic()))
            .or_else(|| {
                slots
                    .iter()
                    .position(|r| matches!(r, Some(Err(e)) if e.is_panic()))
            });
        if let Some(index) = panicked {
            if let Some(Err(error)) = slots[index].take() {
                drop(slots);
                panic::resume_unwind(error.into_panic());
            }
        }

        // Errors in the order they happened, then everything else.
        let mut errors = Vec::new();
        for &index in &failures {
            if let Some(Ok(Err(error))) = slots[index].take() {
                errors.push((ids[index], error));
            }
        }
        let mut values = Vec::with_capacity(slots.len());
        let mut cancelled = Vec::new();
        for slot in slots.into_iter().flatten() {
            match slot {
                Ok(Ok(value)) => values.push(value),
                Ok(Err(_)) => unreachable!("every Err is listed in failures"),
                Err(error) => cancelled.push(error),
            }
        }
        if errors.is_empty() && cancelled.is_empty() {
            Poll::Ready(Ok(values))
        } else {
            Poll::Ready(Err(GroupError { errors, cancelled }))
        }
    }
}

impl<T, E> Drop for GroupJoin<T, E> {
    fn drop(&mut self) {
        if !self.finished {
            self.shared.abort(None, GROUP_DROPPED);
        }
    }
}

impl<T, E> fmt::Debug for GroupJoin<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupJoin")
            .field("gather", &self.gather)
            .finish()
    }
}

/// Why a [`TaskGroup`] gave no values (asyncio's `ExceptionGroup`): every
/// error a child returned, in the order they happened, with the child's id;
/// and the [`TaskError`] of every child that was cancelled (by the group
/// after the first failure, by [`TaskGroup::cancel_all`], or from outside).
///
/// The values of the children that succeeded are dropped.
pub struct GroupError<E> {
    errors: Vec<(TaskId, E)>,
    cancelled: Vec<TaskError>,
}

impl<E> GroupError<E> {
    /// The errors, in the order they happened.
    pub fn errors(&self) -> impl ExactSizeIterator<Item = &E> {
        self.errors.iter().map(|(_, e)| e)
    }

    /// The errors with the ids of the children that returned them, in the
    /// order they happened.
    pub fn failures(&self) -> &[(TaskId, E)] {
        &self.errors
    }

    /// The first error that happened (the one that cancelled the others),
    /// if a child failed at all.
    pub fn first(&self) -> Option<&E> {
        self.errors.first().map(|(_, e)| e)
    }

    /// Takes the errors with the ids of the children that returned them.
    pub fn into_failures(self) -> Vec<(TaskId, E)> {
        self.errors
    }

    /// The children that were cancelled instead of finishing, in spawn order
    /// (their [`TaskError::cancel_message`] says who cancelled them).
    pub fn cancelled(&self) -> &[TaskError] {
        &self.cancelled
    }
}

impl<E: fmt::Debug> fmt::Debug for GroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupError")
            .field("errors", &self.errors)
            .field("cancelled", &self.cancelled)
            .finish()
    }
}

impl<E: fmt::Display> fmt::Display for GroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.as_slice() {
            [] => write!(
                f,
                "{} task(s) of the group were cancelled",
                self.cancelled.len()
            ),
            [(id, e)] => write!(f, "task {id} of the group failed: {e}"),
            [(id, e), rest @ ..] => write!(
                f,
                "{} tasks of the group failed; first, task {id}: {e}",
                rest.len() + 1
            ),
        }
    }
}

impl<E> std::error::Error for GroupError<E>
where
    E: std::error::Error + 'static,
{
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.first()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
