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
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    let deadline = super::now()
        .checked_add(duration)
        .unwrap_or_else(far_future);
    timeout_at(deadline, future)
}

/// [`timeout`] with an absolute deadline (asyncio `timeout_at`).
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        future: Some(future.into_future()),
        sleep: sleep_until(deadline),
        unlimited: false,
    }
}

/// The future of [`timeout`] / [`timeout_at`]. Its deadline can be moved
/// while it runs ([`reschedule`](Timeout::reschedule), asyncio
/// `Timeout.reschedule`), or removed.
pub struct Timeout<F> {
    future: Option<F>,
    sleep: Sleep,
    /// `reschedule(None)`: no deadline.
    unlimited: bool,
}

impl<F> Timeout<F> {
    /// The current deadline (`None` after `reschedule(None)`).
    pub fn deadline(&self) -> Option<Instant> {
        (!self.unlimited).then(|| self.sleep.deadline())
    }

    /// Moves the deadline; `None` removes it (asyncio `reschedule(None)`).
    pub fn reschedule(self: Pin<&mut Self>, deadline: Option<Instant>) {
        // SAFETY: structural pinning of `sleep`; nothing is moved out.
        let this = unsafe { self.get_unchecked_mut() };
        this.unlimited = deadline.is_none();
        let sleep = unsafe { Pin::new_unchecked(&mut this.sleep) };
        sleep.reset(deadline.unwrap_or_else(far_future));
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
        let Some(future) = this.future.as_mut() else {
            return Poll::Ready(Err(Elapsed::new()));
        };
        // SAFETY: as above.
        if let Poll::Ready(output) = unsafe { Pin::new_unchecked(future) }.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        if this.unlimited {
            return Poll::Pending;
        }
        // SAFETY: as above.
        match unsafe { Pin::new_unchecked(&mut this.sleep) }.poll(cx) {
            Poll::Ready(()) => {
                // Cancel the inner future now, not whenever we are dropped.
                this.future = None;
                Poll::Ready(Err(Elapsed::new()))
            }
            Poll::Pending => Poll::Pending,
        }
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
