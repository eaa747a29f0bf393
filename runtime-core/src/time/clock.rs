//! The runtime's clock: real time, or a paused test clock that only moves
//! when told to (or, on an idle current-thread runtime, jumps to the next
//! timer so sleeping tests finish instantly).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

pub(crate) struct Clock {
    /// Fast path: real time needs no lock.
    is_paused: AtomicBool,
    /// `Some(now)` while paused.
    paused: Mutex<Option<Instant>>,
}

impl Clock {
    pub(crate) fn new(start_paused: bool) -> Clock {
        Clock {
            is_paused: AtomicBool::new(start_paused),
            paused: Mutex::new(start_paused.then(Instant::now)),
        }
    }

    pub(crate) fn now(&self) -> Instant {
        if !self.is_paused.load(Ordering::Acquire) {
            return Instant::now();
        }
        match *self.paused.lock() {
            Some(now) => now,
            None => Instant::now(),
        }
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.is_paused.load(Ordering::Acquire)
    }

    pub(crate) fn pause(&self) {
        let mut paused = self.paused.lock();
        if paused.is_none() {
            *paused = Some(Instant::now());
        }
        self.is_paused.store(true, Ordering::Release);
    }

    pub(crate) fn resume(&self) {
        let mut paused = self.paused.lock();
        *paused = None;
        self.is_paused.store(false, Ordering::Release);
    }

    /// Moves a paused clock forward; false if it is not paused.
    pub(crate) fn advance(&self, by: Duration) -> bool {
        match &mut *self.paused.lock() {
            Some(now) => {
                *now += by;
                true
            }
            None => false,
        }
    }

    /// Moves a paused clock forward to `to` (never backwards).
    pub(crate) fn advance_to(&self, to: Instant) {
        if let Some(now) = &mut *self.paused.lock()
            && to > *now
        {
            *now = to;
        }
    }
}
