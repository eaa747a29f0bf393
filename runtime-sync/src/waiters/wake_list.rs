//! Wakers collected under a primitive's lock, woken after it is released.
//!
//! Waking under the lock would let the woken task (on another worker) run
//! straight into the lock we still hold; and `Waker::wake` is foreign code
//! (an executor's) that must not run inside our critical section. So a
//! notifier pushes wakers here while it holds the lock and drops the list
//! after releasing it: dropping wakes every waker, oldest first.

use std::task::Waker;

/// How many wakers fit without allocating: hand-offs (unlock, release one
/// permit, notify one) wake one or two; only `notify_all`-style calls with
/// many waiters spill into the heap.
const INLINE: usize = 4;

/// Wakers to wake once the lock is released; they are woken on drop, in the
/// order they were pushed.
pub(crate) struct WakeList {
    inline: [Option<Waker>; INLINE],
    len: usize,
    spilled: Vec<Waker>,
}

impl WakeList {
    /// An empty list (no allocation).
    pub(crate) fn new() -> Self {
        Self {
            inline: [const { None }; INLINE],
            len: 0,
            spilled: Vec::new(),
        }
    }

    /// Remembers `waker`, to be woken when the list is dropped.
    pub(crate) fn push(&mut self, waker: Waker) {
        if self.len < INLINE {
            self.inline[self.len] = Some(waker);
            self.len += 1;
        } else {
            self.spilled.push(waker);
        }
    }
}

impl Drop for WakeList {
    fn drop(&mut self) {
        for waker in self.inline[..self.len].iter_mut().filter_map(Option::take) {
            waker.wake();
        }
        for waker in self.spilled.drain(..) {
            waker.wake();
        }
    }
}
