//! `Task<T>`: the handle to a spawned task (asyncio `Task`, tokio `JoinHandle`).

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use super::error::TaskError;
use super::id::TaskId;
use super::raw::RawTask;

/// A handle to a spawned task. Awaiting it gives the task's output, or a
/// [`TaskError`] if the task was cancelled or panicked.
///
/// # Dropping a handle
/// - A handle that was **never awaited** (never polled) **detaches** when
///   dropped: the task runs on, fire-and-forget, like asyncio's
///   `create_task` and tokio's `spawn`.
/// - A handle dropped **while it is being awaited** — the future awaiting it
///   was itself cancelled, timed out or lost a race — **cancels** the task.
///   This is asyncio's rule that cancelling a task cancels the task it awaits.
/// - [`detach`](Task::detach) opts out of that explicitly.
///
/// `Task<T>` is `Unpin`, so a combinator can poll `&mut task` and keep the
/// handle. The output can be taken once; polling again after that panics
/// (the `Future` contract allows it).
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// rt.block_on(async {
///     let task = runtime_core::spawn(async { 6 * 7 });
///     assert_eq!(task.await.unwrap(), 42);
///
///     let stuck = runtime_core::spawn(std::future::pending::<()>());
///     assert!(stuck.cancel_with("no longer needed"));
///     let err = stuck.await.unwrap_err();
///     assert!(err.is_cancelled());
///     assert_eq!(err.cancel_message(), Some("no longer needed"));
/// });
/// ```
#[must_use = "a Task handle that is dropped unawaited detaches the task; call .detach() to say so"]
pub struct Task<T> {
    raw: RawTask,
    /// Set by `Future::poll`: from then on, dropping the handle cancels.
    awaited: bool,
    /// Set by `peek` once it handed out the result: a panic the caller has
    /// seen is not reported as never retrieved when the handle drops.
    /// (Atomic because `peek` takes `&self` and the handle is `Sync`; the
    /// drop that reads it has `&mut self`, so it comes after every `peek`.)
    peeked: AtomicBool,
    _output: PhantomData<T>,
}

// SAFETY: the handle only moves `T` out of the task (and only once), so it
// may travel to another thread whenever `T` may.
unsafe impl<T: Send> Send for Task<T> {}
// SAFETY: `&Task<T>` gives access to atomics only (id, state, cancel).
unsafe impl<T: Send> Sync for Task<T> {}

impl<T> Unpin for Task<T> {}

/// Error of [`Task::join_timeout`]: the task did not finish in time, or it
/// finished with a [`TaskError`].
#[derive(Debug)]
pub enum BlockingJoinError {
    /// The timeout passed first; the task runs on and the handle is still valid.
    Timeout,
    /// The task was cancelled or panicked.
    Task(TaskError),
}

impl fmt::Display for BlockingJoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlockingJoinError::Timeout => f.write_str("timed out waiting for the task"),
            BlockingJoinError::Task(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for BlockingJoinError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BlockingJoinError::Timeout => None,
            BlockingJoinError::Task(e) => Some(e),
        }
    }
}

impl<T> Task<T> {
    /// # Safety
    /// `raw` is a task whose output type is `T`; the caller transfers the
    /// handle's reference.
    pub(crate) unsafe fn from_raw(raw: RawTask) -> Task<T> {
        Task {
            raw,
            awaited: false,
            peeked: AtomicBool::new(false),
            _output: PhantomData,
        }
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.raw.id()
    }

    /// The task's name, if it was spawned with one.
    pub fn name(&self) -> Option<&str> {
        self.raw.header().name()
    }

    /// True once the task has finished: returned, panicked or was cancelled
    /// (asyncio `done()`). Never blocks.
    pub fn is_finished(&self) -> bool {
        self.raw.header().state.load().is_complete()
    }

    /// Requests cancellation (asyncio `Task.cancel()`). Returns `false` if the
    /// task had already finished.
    ///
    /// The future is dropped at its next scheduling point — at once (on a
    /// worker) if it is waiting, even if nothing would ever wake it — and
    /// awaiting the handle gives a [`TaskError`] whose `is_cancelled()` is
    /// true. A task already inside its last poll may still finish with its
    /// value, as an asyncio task may.
    pub fn cancel(&self) -> bool {
        self.raw.cancel(None)
    }

    /// [`cancel`](Task::cancel) with a message that comes out through
    /// [`TaskError::cancel_message`] (asyncio `Task.cancel(msg)`).
    pub fn cancel_with(&self, message: impl Into<String>) -> bool {
        self.raw.cancel(Some(message.into()))
    }

    /// Lets the task run on without anyone awaiting it, whatever happened to
    /// this handle before: no cancellation on drop.
    pub fn detach(mut self) {
        self.awaited = false;
    }

    /// A reference that can inspect and cancel the task but not take its
    /// output.
    pub fn task_ref(&self) -> super::TaskRef {
        super::TaskRef::new(self.raw)
    }

    /// Polls for the output without marking the handle as awaited (so
    /// dropping it afterwards still detaches): for combinators such as
    /// `wait` that observe tasks without owning their fate.
    pub fn poll_result(&mut self, cx: &mut Context<'_>) -> Poll<Result<T, TaskError>> {
        let mut out: Poll<Result<T, TaskError>> = Poll::Pending;
        self.raw.try_read_output(
            &mut out as *mut Poll<Result<T, TaskError>> as *mut (),
            cx.waker(),
        );
        out
    }

    /// Registers the waker and returns `Ready` once the task has finished,
    /// without taking its output or marking the handle awaited (for
    /// combinators such as `wait` that report completion but leave the
    /// result to be awaited later).
    pub fn poll_finished(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.raw.poll_complete(cx.waker()) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// The task's result, if it has finished and the result has not been
    /// taken yet (by awaiting the handle); `None` otherwise.
    ///
    /// Like asyncio's `Task.exception()`, this counts as retrieving the
    /// result: a panic seen here is not reported as "never retrieved" (see
    /// [`crate::debug`]) when the handle is dropped afterwards.
    pub fn peek(&self) -> Option<&Result<T, TaskError>> {
        let result = self.peek_unmarked();
        if result.is_some() {
            self.peeked.store(true, Ordering::Relaxed);
        }
        result
    }

    /// [`peek`](Task::peek) for combinators that inspect a result on the
    /// caller's behalf (`wait`'s FIRST_EXCEPTION check) without the caller
    /// having seen it: a panic left unread is still reported.
    pub(crate) fn peek_unmarked(&self) -> Option<&Result<T, TaskError>> {
        let ptr = self.raw.peek_output();
        // SAFETY: non-null means it points at the stored `Result<T,
        // TaskError>` (the cell's output type is T), which only `&mut self`
        // methods can move out, so it lives as long as this borrow.
        (!ptr.is_null()).then(|| unsafe { &*(ptr as *const Result<T, TaskError>) })
    }

    /// Blocks this thread until the task finishes, for threads outside the
    /// runtime (asyncio `run_coroutine_threadsafe(...).result()`).
    ///
    /// # Panics
    /// When called on a runtime worker thread or inside `block_on`, where
    /// blocking could deadlock the scheduler.
    #[track_caller]
    pub fn join_blocking(mut self) -> Result<T, TaskError> {
        crate::runtime::context::assert_may_block("Task::join_blocking");
        crate::runtime::park_thread::block_on_deadline(
            std::future::poll_fn(|cx| self.poll_result(cx)),
            None,
        )
        .expect("no deadline was given")
    }

    /// Blocks this thread until the task finishes or `timeout` passes
    /// (concurrent.futures `Future.result(timeout)`). On timeout the task runs
    /// on and the handle stays valid.
    ///
    /// # Errors
    /// [`BlockingJoinError::Timeout`] if the timeout passed,
    /// [`BlockingJoinError::Task`] if the task was cancelled or panicked.
    ///
    /// # Panics
    /// When called on a runtime worker thread or inside `block_on`.
    #[track_caller]
    pub fn join_timeout(&mut self, timeout: Duration) -> Result<T, BlockingJoinError> {
        crate::runtime::context::assert_may_block("Task::join_timeout");
        let deadline = std::time::Instant::now().checked_add(timeout);
        match crate::runtime::park_thread::block_on_deadline(
            std::future::poll_fn(|cx| self.poll_result(cx)),
            deadline,
        ) {
            Some(Ok(v)) => Ok(v),
            Some(Err(e)) => Err(BlockingJoinError::Task(e)),
            None => Err(BlockingJoinError::Timeout),
        }
    }
}

impl<T> Future for Task<T> {
    type Output = Result<T, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.awaited = true;
        self.poll_result(cx)
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        let raw = self.raw;
        let header = raw.header();
        if self.awaited && !header.state.load().is_complete() {
            // The awaiter went away (cancelled, timed out, lost a race):
            // propagate the cancellation, as asyncio does through `await`.
            raw.cancel(None);
        }
        let prev = header.state.drop_join_interest();
        if prev.is_complete() {
            raw.drop_output(!self.peeked.load(Ordering::Relaxed));
        }
        if !(prev.is_complete() && prev.has_join_waker()) {
            // The join slot is ours (see state.rs): release the waker now so
            // it does not keep the awaiting task alive.
            // SAFETY: JOIN_WAKER is clear (or we cleared it), so the slot is ours.
            drop(header.join_waker.with_mut(|w| unsafe { (*w).take() }));
        }
        raw.drop_refs(1);
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task")
            .field("id", &self.id())
            .field("name", &self.name())
            .field("finished", &self.is_finished())
            .finish()
    }
}
