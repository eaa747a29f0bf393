//! The per-runtime timer state: one wheel per worker (plus one for timers
//! registered from threads that are not workers), each behind its own mutex,
//! so workers never contend on a runtime-wide timer lock.
//!
//! A worker fires its own wheel (and the shared "remote" wheel, if it can
//! take its lock without waiting) every fairness tick and before it parks,
//! and parks no longer than until the earliest deadline of those two.

use std::task::Waker;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::clock::Clock;
use super::wheel::Wheel;

pub(crate) struct TimeDriver {
    pub(crate) clock: Clock,
    wheels: Box<[Mutex<Wheel>]>,
}

impl TimeDriver {
    /// `workers` wheels plus the remote one (for the current-thread flavour,
    /// pass 0: its single wheel is the remote one).
    pub(crate) fn new(workers: usize, start_paused: bool) -> TimeDriver {
        let clock = Clock::new(start_paused);
        let start = clock.now();
        TimeDriver {
            clock,
            wheels: (0..=workers)
                .map(|_| Mutex::new(Wheel::new(start)))
                .collect(),
        }
    }

    /// The wheel for timers registered off the workers.
    pub(crate) fn remote(&self) -> usize {
        self.wheels.len() - 1
    }

    pub(crate) fn wheel(&self, index: usize) -> &Mutex<Wheel> {
        &self.wheels[index]
    }

    /// Fires the due timers of wheel `index`; returns how many fired.
    pub(crate) fn process(&self, index: usize) -> usize {
        let mut wakers = Vec::new();
        {
            let mut wheel = self.wheels[index].lock();
            if wheel.len() == 0 {
                return 0;
            }
            wheel.process(self.clock.now(), &mut wakers);
        }
        wake_all(wakers)
    }

    /// `process`, unless another thread holds that wheel's lock right now.
    pub(crate) fn try_process(&self, index: usize) -> usize {
        let mut wakers = Vec::new();
        {
            let Some(mut wheel) = self.wheels[index].try_lock() else {
                return 0;
            };
            if wheel.len() == 0 {
                return 0;
            }
            wheel.process(self.clock.now(), &mut wakers);
        }
        wake_all(wakers)
    }

    pub(crate) fn next_deadline(&self, index: usize) -> Option<Instant> {
        self.wheels[index].lock().next_deadline()
    }

    /// How long a worker owning wheel `index` may sleep: until the earliest
    /// deadline of its wheel and the remote one (`None`: no timers).
    pub(crate) fn park_timeout(&self, index: usize) -> Option<Duration> {
        let own = self.next_deadline(index);
        let remote = if index == self.remote() {
            None
        } else {
            self.next_deadline(self.remote())
        };
        let next = match (own, remote) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        Some(next.saturating_duration_since(self.clock.now()))
    }
}

fn wake_all(wakers: Vec<Waker>) -> usize {
    let n = wakers.len();
    for waker in wakers {
        waker.wake();
    }
    n
}
