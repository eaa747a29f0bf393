//! `Deadline`: a deadline the timed code itself can move — asyncio's
//! `async with asyncio.timeout(d) as cm: ... cm.reschedule(when)`.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::error::Elapsed;
use super::sleep::{Sleep, far_future, sleep_until};
use super::timeout::{poll_expiry, poll_timed};

/// A shared, movable deadline for [`timeout_with`]. Clone it into the
/// timed future to let that code extend, shorten or remove its own
/// deadline (asyncio `Timeout.reschedule`, `Timeout.when`).
///
/// ```
/// use std::time::Duration;
/// use runtime_core::time::{self, Deadline, timeout_with};
///
/// runtime_core::run(async {
///     let deadline = Deadline::after(Duration::from_millis(10));
///     let inside = deadline.clone();
///     let result = timeout_with(&deadline, async move {
///         // This work needs longer than first planned: push the deadline out.
///         inside.reschedule(Some(time::now() + Duration::from_secs(5)));
///         time::sleep(Duration::from_millis(30)).await;
///         "finished"
///     })
///     .await;
///     assert_eq!(result, Ok("finished"));
/// });
/// ```
#[derive(Clone)]
pub struct Deadline {
    shared: Arc<Mutex<Shared>>,
}

struct Shared {
    /// `None`: no deadline.
    at: Option<Instant>,
    /// Bumped on every reschedule, so a waiting `WithDeadline` notices.
    version: u64,
    waker: Option<Waker>,
}

impl Deadline {
    /// A deadline at `at` (`None`: none yet).
    pub fn at(at: Option<Instant>) -> Deadline {
        Deadline {
            shared: Arc::new(Mutex::new(Shared {
                at,
                version: 0,
                waker: None,
            })),
        }
    }

    /// A deadline `duration` from now.
    pub fn after(duration: Duration) -> Deadline {
        Deadline::at(Some(
            super::now()
                .checked_add(duration)
                .unwrap_or_else(far_future),
        ))
    }

    /// The current deadline (asyncio `Timeout.when()`).
    pub fn when(&self) -> Option<Instant> {
        self.shared.lock().at
    }

    /// Moves the deadline; `None` removes it. Takes effect at once, also
    /// while the timed future is waiting.
    pub fn reschedule(&self, at: Option<Instant>) {
        let waker = {
            let mut shared = self.shared.lock();
            shared.at = at;
            shared.version += 1;
            shared.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl fmt::Debug for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deadline")
            .field("when", &self.when())
            .finish()
    }
}

/// Runs `future` until it finishes or `deadline` passes, whichever comes
/// first; the deadline may be moved meanwhile (see [`Deadline`]). On expiry
/// the future is dropped and `Err(Elapsed)` is returned.
pub fn timeout_with<F: IntoFuture>(deadline: &Deadline, future: F) -> WithDeadline<F::IntoFuture> {
    WithDeadline {
        future: Some(future.into_future()),
        deadline: deadline.clone(),
        seen: None,
        sleep: None,
    }
}

/// The future of [`timeout_with`].
pub struct WithDeadline<F> {
    future: Option<F>,
    deadline: Deadline,
    /// The deadline version the sleep was armed for.
    seen: Option<u64>,
    sleep: Option<Sleep>,
}

impl<F: Future> Future for WithDeadline<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` and `sleep` are structurally pinned: never moved
        // out, only dropped or reset in place.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: as above.
        if let Some(done) = unsafe { poll_timed(&mut this.future, cx) } {
            return Poll::Ready(done);
        }
        {
            let mut shared = this.deadline.shared.lock();
            match &shared.waker {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => shared.waker = Some(cx.waker().clone()),
            }
            if this.seen != Some(shared.version) {
                this.seen = Some(shared.version);
                let at = shared.at;
                drop(shared);
                match (this.sleep.as_mut(), at) {
                    // SAFETY: as above.
                    (Some(sleep), Some(at)) => unsafe { Pin::new_unchecked(sleep) }.reset(at),
                    (None, Some(at)) => this.sleep = Some(sleep_until(at)),
                    (_, None) => this.sleep = None,
                }
            }
        }
        let Some(sleep) = this.sleep.as_mut() else {
            return Poll::Pending;
        };
        // SAFETY: as above.
        unsafe { poll_expiry(&mut this.future, sleep, cx) }
    }
}

impl<F> fmt::Debug for WithDeadline<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WithDeadline")
            .field("deadline", &self.deadline)
            .field("expired", &self.future.is_none())
            .finish()
    }
}
