//! `timeout`: asyncio's `wait_for` and `asyncio.timeout()`.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::error::Elapsed;
use super::sleep::{Sleep, far_future, sleep_until};

/// Runs `future` with a time limit (asyncio `wait_for`). If it finishes in
/// time its output comes back as `Ok`; otherwise the future is dropped —
/// that is how it is cancelled — and `Err(Elapsed)` is returned. A future
/// that is ready on the first poll returns its value even with a zero
/// duration (it is polled before the deadline is checked).
///
/// ```
/// use std::time::Duration;
/// use runtime_core::time::{sleep, timeout};
///
/// runtime_core::run(async {
///     assert_eq!(timeout(Duration::from_secs(1), async { 7 }).await, Ok(7));
///     let slow = sleep(Duration::from_secs(60));
///     assert!(timeout(Duration::from_millis(10), slow).await.is_err());
/// });
/// ```
///
/// The duration counts from the first poll (when the timeout is awaited),
/// as asyncio's `wait_for` counts from when it starts running.
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        future: Some(future.into_future()),
        limit: Limit::After(duration),
        sleep: None,
    }
}

/// [`timeout`] with an absolute deadline (asyncio `timeout_at`).
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        future: Some(future.into_future()),
        limit: Limit::At(deadline),
        sleep: None,
    }
}

/// The deadline, resolved lazily: a future that finishes on its first poll
/// (the common case in timer churn) never reads the clock or arms a timer.
#[derive(Clone, Copy, Debug)]
enum Limit {
    After(Duration),
    At(Instant),
    Unlimited,
}

/// The future of [`timeout`] / [`timeout_at`]. Its deadline can be moved
/// while it runs ([`reschedule`](Timeout::reschedule), asyncio
/// `Timeout.reschedule`), or removed.
pub struct Timeout<F> {
    future: Option<F>,
    limit: Limit,
    /// Armed on the first `Pending` of the inner future.
    sleep: Option<Sleep>,
}

impl<F> Timeout<F> {
    /// The current deadline (`None` after `reschedule(None)`). Before the
    /// first poll of a relative [`timeout`] it is computed from now.
    pub fn deadline(&self) -> Option<Instant> {
        match (&self.sleep, self.limit) {
            (_, Limit::Unlimited) => None,
            (Some(sleep), _) => Some(sleep.deadline()),
            (None, Limit::At(at)) => Some(at),
            (None, Limit::After(d)) => Some(super::now().checked_add(d).unwrap_or_else(far_future)),
        }
    }

    /// Moves the deadline; `None` removes it (asyncio `reschedule(None)`).
    pub fn reschedule(self: Pin<&mut Self>, deadline: Option<Instant>) {
        // SAFETY: structural pinning of `sleep`; nothing is moved out.
        let this = unsafe { self.get_unchecked_mut() };
        this.limit = match deadline {
            Some(at) => Limit::At(at),
            None => Limit::Unlimited,
        };
        if let (Some(sleep), Some(at)) = (this.sleep.as_mut(), deadline) {
            // SAFETY: as above.
            unsafe { Pin::new_unchecked(sleep) }.reset(at);
        }
    }

    /// True once the deadline passed (the inner future was dropped).
    pub fn expired(&self) -> bool {
        self.future.is_none()
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` and `sleep` are structurally pinned: never moved
        // out; `future` is only dropped in place (set to None).
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: as above.
        if let Some(done) = unsafe { poll_timed(&mut this.future, cx) } {
            return Poll::Ready(done);
        }
        let deadline = match this.limit {
            Limit::Unlimited => return Poll::Pending,
            Limit::At(at) => at,
            Limit::After(d) => super::now().checked_add(d).unwrap_or_else(far_future),
        };
        // Fix the deadline at the first Pending (later polls keep it).
        this.limit = Limit::At(deadline);
        let sleep = this.sleep.get_or_insert_with(|| sleep_until(deadline));
        // SAFETY: as above.
        unsafe { poll_expiry(&mut this.future, sleep, cx) }
    }
}

/// First half of every timeout's poll: the timed future goes first, so one
/// that is ready wins even when the deadline has passed. `Some` when done.
///
/// # Safety
/// `future` is structurally pinned in its owner (never moved out).
pub(super) unsafe fn poll_timed<F: Future>(
    future: &mut Option<F>,
    cx: &mut Context<'_>,
) -> Option<Result<F::Output, Elapsed>> {
    let Some(f) = future.as_mut() else {
        return Some(Err(Elapsed::new()));
    };
    // SAFETY: by the caller.
    match unsafe { Pin::new_unchecked(f) }.poll(cx) {
        Poll::Ready(output) => Some(Ok(output)),
        Poll::Pending => None,
    }
}

/// Second half: the deadline's sleep. On expiry the timed future is dropped
/// at once (that is its cancellation), not whenever the timeout is dropped.
///
/// # Safety
/// `future` and `sleep` are structurally pinned in their owner.
pub(super) unsafe fn poll_expiry<F>(
    future: &mut Option<F>,
    sleep: &mut Sleep,
    cx: &mut Context<'_>,
) -> Poll<Result<F::Output, Elapsed>>
where
    F: Future,
{
    // SAFETY: by the caller.
    match unsafe { Pin::new_unchecked(sleep) }.poll(cx) {
        Poll::Ready(()) => {
            *future = None;
            Poll::Ready(Err(Elapsed::new()))
        }
        Poll::Pending => Poll::Pending,
    }
}

impl<F> fmt::Debug for Timeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("deadline", &self.deadline())
            .field("expired", &self.expired())
            .finish()
    }
}
