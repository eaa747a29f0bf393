//! When a task was last polled: a coarse stamp in its header, read by task
//! dumps ("polled 12 s ago" is what tells a user which task a hung server
//! waits on, or which one is stuck inside a poll).
//!
//! A stamp is milliseconds since the process-wide [`Epoch`], plus one, in
//! 32 bits: 0 means "never polled", and ages are computed with wrapping
//! arithmetic, so they stay right for 49 days after any poll (then they
//! wrap: a task last polled 50 days ago reads as 0.3 days). One epoch for
//! every runtime lets a `TaskRef` read its age without knowing its runtime.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The instant stamps count from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Epoch(Instant);

impl Epoch {
    /// The process's epoch (fixed by the first call).
    pub(crate) fn get() -> Epoch {
        static EPOCH: OnceLock<Instant> = OnceLock::new();
        Epoch(*EPOCH.get_or_init(Instant::now))
    }

    /// The stamp for `at` (never 0).
    pub(crate) fn stamp(self, at: Instant) -> u32 {
        let millis = at.saturating_duration_since(self.0).as_millis() as u32;
        millis.wrapping_add(1).max(1)
    }

    /// How long before `now` the poll stamped `stamp` happened; `None` for a
    /// task never polled.
    pub(crate) fn age(self, stamp: u32, now: Instant) -> Option<Duration> {
        if stamp == 0 {
            return None;
        }
        let millis = self.stamp(now).wrapping_sub(stamp);
        // A poll that started after `now` was read (a dump reads `now` once,
        // then walks the tasks) has a stamp a little ahead of it: that is
        // "just now", not 49 days. Only the last minute of the 32-bit range
        // means that: the rest are real ages (treating the upper half as
        // "ahead" turned a task idle for 25 days into "polled just now").
        Some(Duration::from_millis(if millis > u32::MAX - AHEAD_MILLIS {
            0
        } else {
            u64::from(millis)
        }))
    }
}

/// How far a stamp may be ahead of the `now` it is compared with and still
/// count as "just now" (a dump walking many tasks takes far less).
const AHEAD_MILLIS: u32 = 60_000;

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_never_zero_and_ages_round_trip() {
        let epoch = Epoch::get();
        let t0 = Instant::now();
        let s = epoch.stamp(t0);
        assert_ne!(s, 0);
        let later = t0 + Duration::from_millis(1500);
        let age = epoch.age(s, later).unwrap();
        assert!(age >= Duration::from_millis(1499) && age <= Duration::from_millis(1501));
        assert_eq!(epoch.age(0, later), None);
    }

    #[test]
    fn a_stamp_slightly_ahead_of_now_is_age_zero() {
        let epoch = Epoch::get();
        let now = Instant::now();
        let ahead = epoch.stamp(now + Duration::from_millis(3));
        assert_eq!(epoch.age(ahead, now), Some(Duration::ZERO));
    }

    #[test]
    fn ages_stay_right_for_weeks() {
        // A task polled once (a shutdown-signal waiter, an idle connection)
        // and dumped a month later must not read "polled just now".
        let epoch = Epoch::get();
        let t0 = Instant::now();
        let s = epoch.stamp(t0);
        for days in [1u64, 24, 25, 30, 49] {
            let age = epoch
                .age(s, t0 + Duration::from_secs(days * 86_400))
                .unwrap();
            let want = Duration::from_secs(days * 86_400);
            assert!(
                age + Duration::from_millis(1) >= want && age <= want + Duration::from_millis(1),
                "{days} days: {age:?}"
            );
        }
    }
}
