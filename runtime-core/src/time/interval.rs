//! `interval`: a periodic tick, with a chosen policy for missed ticks.

use std::fmt;
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::sleep::{Sleep, sleep_until};

/// What an [`Interval`] does when ticks were missed (the task was busy, or
/// the process stalled, past one or more tick instants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// Fire the missed ticks back to back until caught up, keeping the
    /// original schedule (`start + k × period`). The default.
    #[default]
    Burst,
    /// Fire once now, then continue one full period from now (the schedule
    /// shifts).
    Delay,
    /// Fire once now, then continue at the next multiple of the period on
    /// the original schedule (missed ticks are dropped).
    Skip,
}

/// Ticks every `period`, the first tick completing immediately.
///
/// ```
/// use std::time::Duration;
///
/// runtime_core::run(async {
///     let mut every = runtime_core::time::interval(Duration::from_millis(5));
///     let first = every.tick().await;
///     let second = every.tick().await;
///     assert!(second - first >= Duration::from_millis(5));
/// });
/// ```
///
/// # Panics
/// If `period` is zero.
pub fn interval(period: Duration) -> Interval {
    interval_at(super::now(), period)
}

/// Ticks at `start`, then every `period` after it.
///
/// # Panics
/// If `period` is zero.
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(!period.is_zero(), "interval period must be non-zero");
    Interval {
        sleep: Box::pin(sleep_until(start)),
        period,
        missed: MissedTickBehavior::default(),
    }
}

/// A periodic timer: see [`interval`].
pub struct Interval {
    sleep: Pin<Box<Sleep>>,
    period: Duration,
    missed: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns the instant it was scheduled for.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick (for hand-written futures).
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if self.sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        let scheduled = self.sleep.deadline();
        let now = super::now();
        let next = match self.missed {
            MissedTickBehavior::Burst => scheduled + self.period,
            MissedTickBehavior::Delay if now > scheduled + self.period => now + self.period,
            MissedTickBehavior::Delay => scheduled + self.period,
            MissedTickBehavior::Skip => {
                let next = scheduled + self.period;
                if now >= next {
                    let behind = now.duration_since(scheduled).as_nanos();
                    let periods = behind / self.period.as_nanos() + 1;
                    let ahead = self.period.as_nanos().saturating_mul(periods);
                    scheduled + Duration::from_nanos(u64::try_from(ahead).unwrap_or(u64::MAX))
                } else {
                    next
                }
            }
        };
        self.sleep.as_mut().reset(next);
        Poll::Ready(scheduled)
    }

    /// Sets the policy for missed ticks.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed = behavior;
    }

    /// The policy for missed ticks.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed
    }

    /// The period.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// Restarts the schedule: the next tick is one period from now.
    pub fn reset(&mut self) {
        let next = super::now() + self.period;
        self.sleep.as_mut().reset(next);
    }
}

impl fmt::Debug for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interval")
            .field("period", &self.period)
            .field("missed", &self.missed)
            .field("next", &self.sleep.deadline())
            .finish()
    }
}
