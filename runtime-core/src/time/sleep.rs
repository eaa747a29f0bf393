//! `Sleep`: a future that completes at a deadline.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use super::wheel::{REGISTERED, TimerEntry};
use crate::runtime::Handle;

/// Waits until `duration` has passed (asyncio `sleep`). A zero duration
/// completes on the first poll.
///
/// ```
/// use std::time::Duration;
///
/// runtime_core::run(async {
///     let start = runtime_core::time::now();
///     runtime_core::time::sleep(Duration::from_millis(20)).await;
///     assert!(runtime_core::time::now() - start >= Duration::from_millis(20));
/// });
/// ```
///
/// # Panics
/// The returned future panics if polled outside a runtime.
pub fn sleep(duration: Duration) -> Sleep {
    let now = super::now();
    let mut sleep = sleep_until(now.checked_add(duration).unwrap_or_else(far_future));
    // The deadline is in the future as of `now`: the first poll need not
    // read the clock again (one clock read per sleep, not two). If the
    // first poll comes late, the wheel fires the timer on its next pass.
    sleep.done = duration.is_zero();
    sleep.known_future = !sleep.done;
    sleep
}

/// Waits until `deadline` (a past deadline completes on the first poll).
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        entry: TimerEntry::new(deadline),
        deadline,
        registration: None,
        done: false,
        known_future: false,
    }
}

pub(crate) fn far_future() -> Instant {
    // ~30 years: "never" without overflowing Instant arithmetic.
    Instant::now() + Duration::from_secs(86_400 * 365 * 30)
}

/// The future of [`sleep`] and [`sleep_until`]. Registering, resetting and
/// dropping it are O(1); dropping it removes its timer at once.
///
/// It is `!Unpin` (the timer entry lives inside it): pin it with
/// `std::pin::pin!` or `Box::pin` to poll it by hand.
pub struct Sleep {
    entry: TimerEntry,
    deadline: Instant,
    /// The runtime and wheel the entry is registered in.
    registration: Option<(Handle, usize)>,
    /// Completed without registering (deadline already passed).
    done: bool,
    /// The deadline was in the future when the sleep was made (`sleep(d)`
    /// with `d > 0`), so the first poll registers without a clock read.
    known_future: bool,
}

impl Sleep {
    /// The instant this sleep completes at.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// True once the deadline has passed and the sleep fired.
    pub fn is_elapsed(&self) -> bool {
        self.done || self.entry.is_fired()
    }

    /// Moves the deadline (earlier or later), even after the sleep fired. A
    /// task already waiting on it is woken at the new deadline.
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        // SAFETY: we never move `entry` out of the pinned Sleep.
        let this = unsafe { self.get_unchecked_mut() };
        let waker = this.unregister();
        this.deadline = deadline;
        this.done = false;
        this.known_future = false;
        this.entry = TimerEntry::new(deadline);
        if let Some(waker) = waker {
            // Keep the waiting task's wake-up: register at once.
            let mut cx = Context::from_waker(&waker);
            // SAFETY: `this` is still pinned in place.
            let _ = unsafe { Pin::new_unchecked(this) }.poll(&mut cx);
        }
    }

    /// Removes the entry if registered; returns its waker.
    fn unregister(&mut self) -> Option<Waker> {
        let (handle, index) = self.registration.take()?;
        let time = handle.time();
        let mut wheel = time.wheel(index).lock();
        if self.entry.state() != REGISTERED {
            return None;
        }
        let ptr = NonNull::from(&self.entry);
        // SAFETY: registered in this wheel, lock held.
        let waker = unsafe { wheel.take_waker(ptr) };
        // SAFETY: as above.
        unsafe { wheel.remove(ptr) };
        waker
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: `entry` stays in place; we only take `&mut` to fields.
        let this = unsafe { self.get_unchecked_mut() };
        if this.done || this.entry.is_fired() {
            return Poll::Ready(());
        }
        let ptr = NonNull::from(&this.entry);
        if let Some((handle, index)) = &this.registration {
            let time = handle.time();
            let mut wheel = time.wheel(*index).lock();
            if this.entry.state() != REGISTERED {
                return Poll::Ready(());
            }
            // SAFETY: registered in this wheel, lock held.
            unsafe { wheel.set_waker(ptr, cx.waker()) };
            return Poll::Pending;
        }
        let handle = match Handle::try_current() {
            Ok(handle) => handle,
            Err(e) => panic!("time::sleep polled outside a runtime: {e}"),
        };
        let time = handle.time();
        if !this.known_future && this.deadline <= time.clock.now() {
            this.done = true;
            return Poll::Ready(());
        }
        let index = handle.timer_wheel_index();
        {
            let mut wheel = time.wheel(index).lock();
            // SAFETY: the entry is pinned inside `self`, unregistered, and
            // `Drop` removes it before it goes away.
            unsafe { wheel.insert(ptr, this.deadline, cx.waker().clone()) };
        }
        if index == time.remote() {
            // No worker owns this wheel: make sure one re-plans its sleep.
            handle.unpark_for_timer();
        }
        this.registration = Some((handle, index));
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        drop(self.unregister());
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("elapsed", &self.is_elapsed())
            .finish()
    }
}
