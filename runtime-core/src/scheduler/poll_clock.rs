//! The one place both schedulers poll a task through: it stamps the task's
//! last poll (for task dumps) and, in debug mode, times the poll.
//!
//! Hot path: outside debug mode this adds one relaxed store into the task
//! header (whose cache line the poll is about to write anyway) and one
//! predictable branch. The stamp comes from a clock the scheduler refreshes
//! at its fairness tick and after each sleep, not per poll: reading the
//! monotonic clock costs about 20 ns, a fifth of a small task's poll.

use std::cell::Cell;
use std::time::{Duration, Instant};

use crate::primitives::Ordering;
use crate::task::TaskRef;
use crate::task::last_poll::Epoch;
use crate::task::raw::Notified;

pub(crate) struct PollClock {
    epoch: Epoch,
    /// The stamp of the last refresh.
    now: Cell<u32>,
    /// Debug mode (a plain flag: testing it is cheaper than matching the
    /// `Option<Duration>` niche on every poll).
    debug: bool,
    threshold: Duration,
}

impl PollClock {
    pub(crate) fn new(slow_poll: Option<Duration>) -> PollClock {
        let clock = PollClock {
            epoch: Epoch::get(),
            now: Cell::new(0),
            debug: slow_poll.is_some(),
            threshold: slow_poll.unwrap_or(Duration::MAX),
        };
        clock.refresh();
        clock
    }

    /// Re-reads the clock (fairness ticks, after a park).
    pub(crate) fn refresh(&self) {
        self.now.set(self.epoch.stamp(Instant::now()));
    }

    /// Polls `task` once.
    #[inline]
    pub(crate) fn run(&self, task: Notified) {
        if self.debug {
            self.run_timed(task);
        } else {
            task.raw()
                .header()
                .last_poll
                .store(self.now.get(), Ordering::Relaxed);
            task.run();
        }
    }

    /// Debug mode: an exact stamp, and a report if the poll was slow.
    #[inline(never)]
    fn run_timed(&self, task: Notified) {
        let threshold = self.threshold;
        // Keeps the header alive for the report: the poll may complete the
        // task and release every other reference.
        let task_ref = TaskRef::new(task.raw());
        let start = Instant::now();
        let stamp = self.epoch.stamp(start);
        task.raw()
            .header()
            .last_poll
            .store(stamp, Ordering::Relaxed);
        task.run();
        let end = Instant::now();
        self.now.set(self.epoch.stamp(end));
        let took = end.saturating_duration_since(start);
        if took >= threshold {
            crate::debug::report_slow_poll(task_ref.header(), took, threshold);
        }
    }
}
