//! Time: sleeps, timeouts, intervals, and a test clock.
//!
//! | asyncio | here |
//! |---|---|
//! | `await asyncio.sleep(d)` | [`sleep(d)`](sleep)`.await` |
//! | `asyncio.wait_for(aw, t)` | [`timeout(t, fut)`](timeout)`.await` → `Result<T, Elapsed>` |
//! | `asyncio.timeout_at(when)` | [`timeout_at`] |
//! | `async with asyncio.timeout(d) as cm: cm.reschedule(when)` | [`timeout_with`] + [`Deadline::reschedule`] |
//! | `Timeout.reschedule(when)` from outside | [`Timeout::reschedule`] |
//! | `loop.time()` | [`now()`](now) |
//!
//! Timers live in a hierarchical timing wheel per worker (6 levels × 64
//! slots, 1 ms resolution, bitmaps for the next expiry): registering and
//! cancelling are O(1), there is no runtime-wide timer lock, and a timer
//! fires at its exact deadline rather than rounded up to the next tick.
//!
//! ```
//! use std::time::Duration;
//! use runtime_core::time::{self, timeout};
//!
//! runtime_core::run(async {
//!     let quick = timeout(Duration::from_secs(5), time::sleep(Duration::from_millis(1))).await;
//!     assert!(quick.is_ok());
//! });
//! ```
//!
//! # A paused test clock
//! On a current-thread runtime, [`pause`] freezes [`now`]; the clock then
//! moves only through [`advance`], or — when every task is waiting — by
//! jumping straight to the next timer. Timer tests run instantly and
//! deterministically:
//!
//! ```
//! use std::time::Duration;
//!
//! let rt = runtime_core::Runtime::builder().current_thread().start_paused(true).build().unwrap();
//! rt.block_on(async {
//!     let before = runtime_core::time::now();
//!     runtime_core::time::sleep(Duration::from_secs(3600)).await; // returns at once
//!     assert_eq!(runtime_core::time::now() - before, Duration::from_secs(3600));
//! });
//! ```

mod clock;
mod deadline;
pub(crate) mod driver;
mod error;
mod interval;
mod sleep;
mod task_timeout;
mod timeout;
pub(crate) mod wheel;

pub use deadline::{Deadline, WithDeadline, timeout_with};
pub use error::Elapsed;
pub use interval::{Interval, MissedTickBehavior, interval, interval_at};
pub use sleep::{Sleep, sleep, sleep_until};
pub use task_timeout::TaskTimeout;
pub use timeout::{Timeout, timeout, timeout_at};

use std::time::{Duration, Instant};

use crate::runtime::{Flavor, Handle, context};

/// The current time on the current runtime's clock (asyncio `loop.time()`):
/// the real time, or the paused test clock's. Outside a runtime, the real
/// time.
pub fn now() -> Instant {
    context::with_current(|handle| match handle {
        Some(handle) => handle.time().clock.now(),
        None => Instant::now(),
    })
}

#[track_caller]
fn current_thread_handle(what: &str) -> Handle {
    let handle = Handle::try_current().unwrap_or_else(|e| panic!("time::{what}: {e}"));
    if handle.flavor() != Flavor::CurrentThread {
        panic!(
            "time::{what} needs a current-thread runtime (Runtime::builder().current_thread()); \
             a paused clock cannot be shared by parallel workers"
        );
    }
    handle
}

/// Freezes the current runtime's clock (see the module docs).
///
/// # Panics
/// Outside a runtime, or on the multi-thread flavour.
#[track_caller]
pub fn pause() {
    current_thread_handle("pause").time().clock.pause();
}

/// Lets a paused clock follow real time again.
///
/// # Panics
/// Outside a runtime, or on the multi-thread flavour.
#[track_caller]
pub fn resume() {
    current_thread_handle("resume").time().clock.resume();
}

/// Moves a paused clock forward by `duration`, fires the timers that became
/// due, and lets the woken tasks run before returning.
///
/// # Panics
/// Outside a runtime, on the multi-thread flavour, or if the clock is not
/// paused.
pub async fn advance(duration: Duration) {
    let handle = current_thread_handle("advance");
    let time = handle.time();
    assert!(
        time.clock.advance(duration),
        "time::advance needs a paused clock (call time::pause() first)"
    );
    time.process(time.remote());
    crate::task::yield_now().await;
}
