//! `gather` and `try_gather`: wait for many futures of one type, outputs in
//! input order (asyncio `gather`).
//!
//! Each child is polled with its own waker (see `ready.rs`), so a wake-up
//! polls only the child that was woken: gathering 100,000 futures that
//! finish one at a time costs O(n) polls, not O(n²).
//!
//! ```
//! use runtime_core::{gather, spawn, try_gather};
//!
//! runtime_core::run(async {
//!     let lengths = gather(["a", "bb", "ccc"].map(|s| async move { s.len() })).await;
//!     assert_eq!(lengths, [1, 2, 3]);
//!
//!     let parsed: Result<Vec<u8>, _> = try_gather(["1", "x"].map(|s| async move { s.parse::<u8>() })).await;
//!     assert!(parsed.is_err());
//!
//!     let tasks = (0..3).map(|i| spawn(async move { i }));
//!     let results = gather(tasks).await; // one Result<T, TaskError> per task
//!     assert!(results.iter().all(Result::is_ok));
//! });
//! ```

use std::fmt;
use std::future::{Future, IntoFuture};
use std::ops::ControlFlow;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::maybe_done::MaybeDone;
use super::ready::{Batch, ReadyList};
use super::shield::{Shield, shield_task};
use crate::task::Task;

/// Waits for every future and returns their outputs **in input order**,
/// whatever order they finish in (asyncio `gather`).
///
/// The futures run concurrently inside the task that awaits the
/// [`Gather`]; nothing is spawned. A wake-up polls only the child that was
/// woken.
///
/// # Plain futures and tasks
/// - **Plain futures**: dropping the `Gather` (the awaiter was cancelled,
///   timed out or lost a race) drops every unfinished child — cancelling it.
/// - **[`Task`] handles**: the output of a task is `Result<T, TaskError>`,
///   so `gather` over tasks gives `Vec<Result<T, TaskError>>` — asyncio's
///   `gather(..., return_exceptions=True)`: a panicking or cancelled task
///   does not stop the others, and its error takes its place in the
///   vector. The tasks are awaited (polled through `Future::poll`), so
///   dropping the `Gather` before they finish **cancels** them (the
///   "dropped gather cancels" rule). To stop at the first failure, use
///   [`try_gather`] (cancels the rest) or [`try_gather_tasks`] (lets them
///   run on).
///
/// ```
/// use runtime_core::{gather, spawn, yield_now};
///
/// runtime_core::run(async {
///     // Plain futures: the first one finishes last, yet comes out first.
///     let outputs = gather((0..3u32).map(|i| async move {
///         for _ in 0..(3 - i) {
///             yield_now().await;
///         }
///         i * 10
///     }))
///     .await;
///     assert_eq!(outputs, [0, 10, 20]);
///
///     // Tasks: one result per task, failures included.
///     let tasks = vec![spawn(async { 1 }), spawn(async { panic!("boom") }), spawn(async { 3 })];
///     let results = gather(tasks).await;
///     assert_eq!(*results[0].as_ref().unwrap(), 1);
///     assert!(results[1].as_ref().unwrap_err().is_panic());
///     assert_eq!(*results[2].as_ref().unwrap(), 3);
/// });
/// ```
///
/// A child that panics (a plain future, not a task) propagates the panic
/// out of the `Gather`'s poll.
pub fn gather<I>(futures: I) -> Gather<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
{
    Gather {
        children: Children::new(futures),
    }
}

/// Waits for futures of `Result` and returns their `Ok` values in input
/// order, or **the first error as soon as it happens**.
///
/// # Plain futures and tasks
/// On the first `Err` the other children are dropped at once, before the
/// error is returned. For plain futures that cancels them. A [`Task`]'s
/// output is `Result<T, TaskError>`, so `try_gather` accepts tasks too and
/// stops at the first panicked or cancelled one — and the other tasks,
/// being awaited, are **cancelled** by that drop. asyncio's `gather` lets
/// them run on instead: that is [`try_gather_tasks`].
///
/// ```
/// use std::pin::Pin;
/// use runtime_core::try_gather;
///
/// type Job = Pin<Box<dyn Future<Output = Result<u32, String>> + Send>>;
///
/// runtime_core::run(async {
///     let ok: Result<Vec<u32>, String> =
///         try_gather((1..=3u32).map(|i| async move { Ok(i) })).await;
///     assert_eq!(ok.unwrap(), [1, 2, 3]);
///
///     let jobs: Vec<Job> = vec![
///         Box::pin(std::future::pending()), // never finishes: dropped on the error
///         Box::pin(async { Err("bad input".to_string()) }),
///     ];
///     assert_eq!(try_gather(jobs).await.unwrap_err(), "bad input");
/// });
/// ```
pub fn try_gather<I, T, E>(futures: I) -> TryGather<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture<Output = Result<T, E>>,
{
    TryGather {
        children: Children::new(futures),
    }
}

/// [`try_gather`] over task handles with asyncio's semantics: returns the
/// first [`TaskError`](crate::task::TaskError) (a panicked or cancelled task) as soon as it happens
/// and **detaches** the other tasks, which keep running; otherwise every
/// task's value, in input order.
///
/// The handles are observed through [`shield_task`], never awaited
/// directly, so dropping the returned future at any point detaches the
/// unfinished tasks rather than cancelling them.
///
/// For tasks whose value is itself a `Result<T, E>` — where an `Err`
/// should also end the wait early — wrap each handle so that a task error
/// becomes an `E` (here `E: From<TaskError>`):
///
/// ```
/// use runtime_core::{TaskError, shield_task, spawn, try_gather, try_gather_tasks};
///
/// #[derive(Debug)]
/// enum AppError {
///     Task(TaskError),
///     Invalid(u32),
/// }
/// impl From<TaskError> for AppError {
///     fn from(e: TaskError) -> Self {
///         AppError::Task(e)
///     }
/// }
///
/// runtime_core::run(async {
///     let tasks = (1..=3u32).map(|i| spawn(async move { i * 2 }));
///     assert_eq!(try_gather_tasks(tasks).await.unwrap(), [2, 4, 6]);
///
///     let checks = (1..=3u32).map(|i| {
///         spawn(async move { if i == 2 { Err(AppError::Invalid(i)) } else { Ok(i) } })
///     });
///     let first_error = try_gather(checks.map(|t| async move { shield_task(t).await? }))
///         .await
///         .unwrap_err();
///     assert!(matches!(first_error, AppError::Invalid(2)));
/// });
/// ```
pub fn try_gather_tasks<I, T>(tasks: I) -> TryGather<Shield<T>>
where
    I: IntoIterator<Item = Task<T>>,
{
    try_gather(tasks.into_iter().map(shield_task))
}

/// The future of [`gather`]: resolves to the children's outputs in input
/// order. Dropping it drops the unfinished children.
#[must_use = "futures do nothing unless awaited"]
pub struct Gather<F: Future> {
    children: Children<F>,
}

/// The future of [`try_gather`] and [`try_gather_tasks`]: resolves to the
/// `Ok` values in input order or to the first error. Dropping it drops the
/// unfinished children.
#[must_use = "futures do nothing unless awaited"]
pub struct TryGather<F: Future> {
    children: Children<F>,
}

/// The children of a gather, pinned in one heap slice, and their ready list.
struct Children<F: Future> {
    slots: Pin<Box<[MaybeDone<F>]>>,
    ready: Arc<ReadyList>,
    /// Children still running.
    running: usize,
    /// The output was returned (or the children were dropped early).
    finished: bool,
}

/// Puts the rest of a batch back on the ready list if a child panics, so a
/// caller that catches the panic and polls again loses no wake-up.
struct BatchGuard<'a> {
    ready: &'a ReadyList,
    batch: Batch,
}

impl Drop for BatchGuard<'_> {
    fn drop(&mut self) {
        self.ready.requeue(&mut self.batch);
    }
}

impl<F: Future> Children<F> {
    fn new<I>(futures: I) -> Children<F>
    where
        I: IntoIterator,
        I::Item: IntoFuture<IntoFuture = F>,
    {
        let slots: Box<[MaybeDone<F>]> = futures
            .into_iter()
            .map(|f| MaybeDone::new(f.into_future()))
            .collect();
        let running = slots.len();
        Children {
            ready: ReadyList::new(running),
            slots: Box::into_pin(slots),
            running,
            finished: false,
        }
    }

    /// Polls the children that were woken. `on_done(slot)` is called for
    /// each child that just finished; returning `Break` stops the round.
    fn poll_ready(
        &mut self,
        cx: &mut Context<'_>,
        mut on_done: impl FnMut(Pin<&mut MaybeDone<F>>) -> ControlFlow<()>,
    ) {
        assert!(!self.finished, "gather polled after completion");
        self.ready.register(cx.waker());
        let mut guard = BatchGuard {
            ready: &self.ready,
            batch: self.ready.take(),
        };
        while let Some(index) = guard.ready.next(&mut guard.batch) {
            // SAFETY: the slots are pinned in their box and never moved; we
            // only hand out a pinned reference to one of them.
            let slot = unsafe {
                let slots = self.slots.as_mut().get_unchecked_mut();
                Pin::new_unchecked(&mut slots[index])
            };
            if !matches!(&*slot, MaybeDone::Future(_)) {
                continue; // a stale wake of a finished child
            }
            let mut slot = slot;
            let waker = guard.ready.waker(index);
            if slot.as_mut().poll_done(&mut Context::from_waker(&waker)) {
                self.running -= 1;
                if on_done(slot).is_break() {
                    return;
                }
            }
        }
    }

    /// Every output in input order (all children must be done).
    fn take_outputs(&mut self) -> Vec<F::Output> {
        self.finished = true;
        let slots = std::mem::replace(&mut self.slots, Box::into_pin(Box::new([])));
        // `MaybeDone::Done` holds no pinned data: the box may be unpinned.
        // SAFETY: every slot is `Done` (no future left), so nothing pinned moves.
        let slots = unsafe { Pin::into_inner_unchecked(slots) };
        slots
            .into_vec()
            .into_iter()
            .map(|slot| match slot {
                MaybeDone::Done(output) => output,
                _ => unreachable!("gather: a child is not done"),
            })
            .collect()
    }

    /// Drops every child now (early return).
    fn drop_all(&mut self) {
        self.finished = true;
        self.slots = Box::into_pin(Box::new([]));
    }
}

impl<F: Future> Drop for Children<F> {
    fn drop(&mut self) {
        self.ready.unregister();
    }
}

impl<F: Future> Future for Gather<F> {
    type Output = Vec<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let children = &mut self.children;
        children.poll_ready(cx, |_| ControlFlow::Continue(()));
        if children.running == 0 {
            Poll::Ready(children.take_outputs())
        } else {
            Poll::Pending
        }
    }
}

impl<F, T, E> Future for TryGather<F>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<Vec<T>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let children = &mut self.children;
        let mut error = None;
        children.poll_ready(cx, |slot| {
            if matches!(&*slot, MaybeDone::Done(Err(_))) {
                if let Err(e) = slot.take_output() {
                    error = Some(e);
                }
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        });
        if let Some(e) = error {
            children.drop_all();
            return Poll::Ready(Err(e));
        }
        if children.running == 0 {
            let values = children
                .take_outputs()
                .into_iter()
                .map(|r| match r {
                    Ok(v) => v,
                    Err(_) => unreachable!("errors return early"),
                })
                .collect();
            Poll::Ready(Ok(values))
        } else {
            Poll::Pending
        }
    }
}

impl<F: Future> fmt::Debug for Children<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gather")
            .field("children", &self.ready.len())
            .field("running", &self.running)
            .finish()
    }
}

impl<F: Future> fmt::Debug for Gather<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.children.fmt(f)
    }
}

impl<F: Future> fmt::Debug for TryGather<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.children.fmt(f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Waker;

    /// `n` children that finish one at a time, last first: child `k` is
    /// ready once `turn == k`, and finishing hands the turn to `k - 1` and
    /// wakes only that child.
    struct Chain {
        turn: Mutex<usize>,
        wakers: Mutex<Vec<Option<Waker>>>,
        polls: Vec<AtomicUsize>,
    }

    struct Step {
        id: usize,
        chain: Arc<Chain>,
    }

    impl Future for Step {
        type Output = usize;

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
            let chain = &self.chain;
            chain.polls[self.id].fetch_add(1, Ordering::Relaxed);
            let mut turn = chain.turn.lock().unwrap();
            if *turn != self.id {
                chain.wakers.lock().unwrap()[self.id] = Some(cx.waker().clone());
                return Poll::Pending;
            }
            if self.id > 0 {
                *turn = self.id - 1;
                drop(turn);
                if let Some(w) = chain.wakers.lock().unwrap()[self.id - 1].take() {
                    w.wake();
                }
            }
            Poll::Ready(self.id)
        }
    }

    fn chain(n: usize) -> (Arc<Chain>, Vec<Step>) {
        let chain = Arc::new(Chain {
            turn: Mutex::new(n - 1),
            wakers: Mutex::new((0..n).map(|_| None).collect()),
            polls: (0..n).map(|_| AtomicUsize::new(0)).collect(),
        });
        let steps = (0..n)
            .map(|id| Step {
                id,
                chain: Arc::clone(&chain),
            })
            .collect();
        (chain, steps)
    }

    #[test]
    fn outputs_in_input_order_whatever_the_completion_order() {
        let (_, steps) = chain(10);
        let out = futures::executor::block_on(gather(steps));
        assert_eq!(out, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn one_wake_at_a_time_costs_linear_polls() {
        const N: usize = 100_000;
        let (chain, steps) = chain(N);
        let parent_polls = AtomicUsize::new(0);
        let mut gathered = gather(steps);
        let out = futures::executor::block_on(std::future::poll_fn(|cx| {
            parent_polls.fetch_add(1, Ordering::Relaxed);
            Pin::new(&mut gathered).poll(cx)
        }));
        assert_eq!(out.len(), N);
        assert!(out.iter().enumerate().all(|(i, &v)| i == v));
        let child_polls: usize = chain.polls.iter().map(|p| p.load(Ordering::Relaxed)).sum();
        // Each child: one poll that registers, one that finishes.
        assert!(
            child_polls < 3 * N,
            "{child_polls} child polls for {N} children: not O(n)"
        );
        assert!(chain.polls.iter().all(|p| p.load(Ordering::Relaxed) <= 2));
        assert!(parent_polls.load(Ordering::Relaxed) <= N + 1);
    }

    #[test]
    fn empty_input_is_ready_at_once() {
        let out: Vec<u8> =
            futures::executor::block_on(gather(Vec::<std::future::Ready<u8>>::new()));
        assert!(out.is_empty());
        let out: Result<Vec<u8>, ()> = futures::executor::block_on(try_gather(Vec::<
            std::future::Ready<Result<u8, ()>>,
        >::new()));
        assert_eq!(out, Ok(vec![]));
    }

    #[test]
    fn try_gather_returns_the_first_error_and_drops_the_rest() {
        struct Guard(Arc<AtomicUsize>);
        impl Drop for Guard {
            fn drop(&mut self) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let dropped = Arc::new(AtomicUsize::new(0));
        let (chain, steps) = chain(3);
        // Child 2 finishes first; turn that into an error.
        let futures: Vec<_> = steps
            .into_iter()
            .map(|s| {
                let guard = Guard(Arc::clone(&dropped));
                async move {
                    let _guard = guard;
                    let id = s.await;
                    if id == 2 { Err(id) } else { Ok(id) }
                }
            })
            .collect();
        let out = futures::executor::block_on(try_gather(futures));
        assert_eq!(out, Err(2));
        assert_eq!(dropped.load(Ordering::SeqCst), 3, "every child dropped");
        // Children 0 and 1 never finished.
        assert_eq!(chain.polls[0].load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_self_waking_child_does_not_spin_the_parent() {
        // A child that wakes itself on every poll and finishes after 5.
        let mut count = 0;
        let busy = std::future::poll_fn(move |cx| {
            count += 1;
            if count == 5 {
                Poll::Ready(count)
            } else {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        });
        let mut g = gather(vec![busy]);
        let mut parent_polls = 0;
        let out = futures::executor::block_on(std::future::poll_fn(|cx| {
            parent_polls += 1;
            Pin::new(&mut g).poll(cx)
        }));
        assert_eq!(out, [5]);
        assert_eq!(parent_polls, 5, "one child poll per parent poll");
    }
}
