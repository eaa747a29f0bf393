//! `as_completed`: a stream of outputs in the order the futures finish
//! (asyncio `as_completed`).
//!
//! Like [`gather`](crate::gather), each child has its own waker, so a
//! wake-up polls only the child that was woken.
//!
//! ```
//! use runtime_core::{as_completed, yield_now};
//!
//! runtime_core::run(async {
//!     // Child i yields 3 - i times: they finish in reverse input order.
//!     let mut stream = as_completed((0..3u32).map(|i| async move {
//!         for _ in 0..(3 - i) {
//!             yield_now().await;
//!         }
//!         i
//!     }));
//!     let mut order = Vec::new();
//!     while let Some(i) = stream.next().await {
//!         order.push(i);
//!     }
//!     assert_eq!(order, [2, 1, 0]);
//! });
//! ```

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;

use super::ready::{Batch, ReadyList};
use crate::time::{Elapsed, Sleep};

/// A [`Stream`] of the futures' outputs in **completion order** (asyncio
/// `as_completed`); it ends after the last one. Nothing is spawned: the
/// futures run inside the task that polls the stream.
///
/// # Plain futures and tasks
/// Dropping the stream drops the futures that have not finished: plain
/// futures are cancelled, and so are [`Task`](crate::task::Task) handles
/// (they are awaited). To let unfinished tasks run on when the stream is
/// dropped, pass `tasks.map(shield_task)` (see
/// [`shield_task`](super::shield_task)). Over tasks the items are
/// `Result<T, TaskError>`.
pub fn as_completed<I>(futures: I) -> AsCompleted<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
{
    let slots: Box<[Option<_>]> = futures.into_iter().map(|f| Some(f.into_future())).collect();
    let remaining = slots.len();
    AsCompleted {
        ready: ReadyList::new(remaining),
        slots: Box::into_pin(slots),
        batch: Batch::empty(),
        remaining,
    }
}

/// [`as_completed`] with an overall deadline `timeout` from now (on the
/// runtime's clock, see [`time::now`](crate::time::now)): the outputs that
/// arrive in time come as `Ok`, and once the deadline passes the futures
/// still running are dropped (cancelled) and each of them yields one
/// `Err(Elapsed)` (asyncio raises `TimeoutError` from the next iteration).
/// An output that is ready on the same poll as the deadline still wins.
///
/// ```
/// use std::time::Duration;
/// use runtime_core::as_completed_timeout;
///
/// runtime_core::run(async {
///     let futures: Vec<std::pin::Pin<Box<dyn Future<Output = u8> + Send>>> =
///         vec![Box::pin(std::future::pending()), Box::pin(async { 1 })];
///     let mut stream = as_completed_timeout(futures, Duration::from_millis(10));
///     let mut items = Vec::new();
///     while let Some(item) = stream.next().await {
///         items.push(item);
///     }
///     assert_eq!(items[0], Ok(1));
///     assert!(items[1].is_err());
/// });
/// ```
///
/// # Panics
/// The stream panics if polled outside a runtime (it needs the timer).
pub fn as_completed_timeout<I>(
    futures: I,
    timeout: Duration,
) -> AsCompletedTimeout<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
{
    AsCompletedTimeout {
        inner: as_completed(futures),
        deadline: Box::pin(crate::time::sleep(timeout)),
        expired: false,
    }
}

/// The stream of [`as_completed`]. Dropping it drops the futures that have
/// not finished.
#[must_use = "streams do nothing unless polled"]
pub struct AsCompleted<F> {
    /// The children, pinned in one heap slice; `None` once finished.
    slots: Pin<Box<[Option<F>]>>,
    ready: Arc<ReadyList>,
    /// Woken children taken off the ready list and not polled yet.
    batch: Batch,
    /// Children not finished yet.
    remaining: usize,
}

impl<F> AsCompleted<F> {
    /// The number of futures that have not finished yet.
    pub fn len(&self) -> usize {
        self.remaining
    }

    /// True once every future has finished.
    pub fn is_empty(&self) -> bool {
        self.remaining == 0
    }

    /// The next output in completion order, or `None` once every future
    /// has finished: `while let Some(v) = stream.next().await { .. }`.
    #[allow(clippy::should_implement_trait)] // the async `StreamExt::next`, not `Iterator::next`
    pub fn next(&mut self) -> Next<'_, Self>
    where
        F: Future,
    {
        Next { stream: self }
    }

    /// Drops every unfinished future; the stream then ends.
    fn drop_all(&mut self) {
        self.slots = Box::into_pin(Box::new([]));
        self.remaining = 0;
    }
}

impl<F> Drop for AsCompleted<F> {
    fn drop(&mut self) {
        self.ready.unregister();
    }
}

impl<F: Future> Stream for AsCompleted<F> {
    type Item = F::Output;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<F::Output>> {
        let this = &mut *self;
        let mut took = false;
        loop {
            if this.remaining == 0 {
                return Poll::Ready(None);
            }
            while let Some(index) = this.ready.next(&mut this.batch) {
                // SAFETY: the slots are pinned in their box and never moved.
                let mut slot = unsafe {
                    let slots = this.slots.as_mut().get_unchecked_mut();
                    Pin::new_unchecked(&mut slots[index])
                };
                let Some(future) = slot.as_mut().as_pin_mut() else {
                    continue; // a stale wake of a finished child
                };
                let waker = this.ready.waker(index);
                if let Poll::Ready(output) = future.poll(&mut Context::from_waker(&waker)) {
                    slot.set(None);
                    this.remaining -= 1;
                    return Poll::Ready(Some(output));
                }
            }
            // One look at the ready list per call: a child that keeps waking
            // itself cannot keep us here.
            if took {
                return Poll::Pending;
            }
            this.ready.register(cx.waker());
            this.batch = this.ready.take();
            took = true;
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<F> fmt::Debug for AsCompleted<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("children", &self.ready.len())
            .field("remaining", &self.remaining)
            .finish()
    }
}

/// The stream of [`as_completed_timeout`].
#[must_use = "streams do nothing unless polled"]
pub struct AsCompletedTimeout<F> {
    inner: AsCompleted<F>,
    deadline: Pin<Box<Sleep>>,
    /// The deadline passed: `inner.remaining` counts the `Elapsed` items
    /// still to yield.
    expired: bool,
}

impl<F> AsCompletedTimeout<F> {
    /// The number of items still to come.
    pub fn len(&self) -> usize {
        self.inner.remaining
    }

    /// True once every item has been yielded.
    pub fn is_empty(&self) -> bool {
        self.inner.remaining == 0
    }
}

impl<F> AsCompletedTimeout<F> {
    /// The next item, or `None` once every future finished or timed out.
    #[allow(clippy::should_implement_trait)] // the async `StreamExt::next`, not `Iterator::next`
    pub fn next(&mut self) -> Next<'_, Self>
    where
        F: Future,
    {
        Next { stream: self }
    }
}

impl<F: Future> Stream for AsCompletedTimeout<F> {
    type Item = Result<F::Output, Elapsed>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if !this.expired {
            match Pin::new(&mut this.inner).poll_next(cx) {
                Poll::Ready(item) => return Poll::Ready(item.map(Ok)),
                Poll::Pending => {}
            }
            if this.deadline.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.expired = true;
            let remaining = this.inner.remaining;
            this.inner.drop_all();
            this.inner.remaining = remaining;
        }
        if this.inner.remaining == 0 {
            return Poll::Ready(None);
        }
        this.inner.remaining -= 1;
        Poll::Ready(Some(Err(Elapsed::new())))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<F> fmt::Debug for AsCompletedTimeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompletedTimeout")
            .field("inner", &self.inner)
            .field("expired", &self.expired)
            .finish()
    }
}

/// The future of [`AsCompleted::next`] and [`AsCompletedTimeout::next`].
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct Next<'a, S> {
    stream: &'a mut S,
}

impl<S: Stream + Unpin> Future for Next<'_, S> {
    type Output = Option<S::Item>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut *self.stream).poll_next(cx)
    }
}
