//! Wakers collected under a primitive's lock, woken after it is released.
//!
//! Waking under the lock would let the woken task (on another worker) run
//! straight into the lock we still hold; and `Waker::wake` is foreign code
//! (an executor's) that must not run inside our critical section. So a
//! notifier pushes wakers here while it holds the lock and drops the list
//! after releasing it: dropping wakes every waker, oldest first.

use std::mem::{self, ManuallyDrop};
use std::task::Waker;

/// How many wakers fit without allocating: hand-offs (unlock, release one
/// permit, notify one) wake one or two; only `notify_all`-style calls with
/// many waiters spill into the heap.
const INLINE: usize = 4;

/// Wakers to wake once the lock is released; they are woken on drop, in the
/// order they were pushed.
///
/// Most lists stay empty (a get or put served at once, a poll that finds
/// nothing new), so dropping an empty one must cost next to nothing: the
/// fields are `ManuallyDrop` (no drop glue to run over four empty slots and
/// an empty `Vec`), and `Drop` checks `len` and returns. A non-empty list is
/// emptied by `wake_all`, which takes every waker out (so nothing is left to
/// drop; if a `wake` panics, the wakers not yet woken leak, which is safe).
pub(crate) struct WakeList {
    inline: ManuallyDrop<[Option<Waker>; INLINE]>,
    len: usize,
    /// Used only once `inline` is full.
    spilled: ManuallyDrop<Vec<Waker>>,
}

impl WakeList {
    /// An empty list (no allocation).
    #[inline]
    pub(crate) fn new() -> Self {
        Self {
            inline: ManuallyDrop::new([const { None }; INLINE]),
            len: 0,
            spilled: ManuallyDrop::new(Vec::new()),
        }
    }

    /// Remembers `waker`, to be woken when the list is dropped.
    #[inline]
    pub(crate) fn push(&mut self, waker: Waker) {
        if self.len < INLINE {
            self.inline[self.len] = Some(waker);
            self.len += 1;
        } else {
            self.spilled.push(waker);
        }
    }

    /// Wakes every waker pushed, oldest first. Out of line, so that the
    /// check in `Drop` is all that is inlined at each of the many sites.
    #[inline(never)]
    fn wake_all(&mut self) {
        for waker in self.inline[..self.len].iter_mut().filter_map(Option::take) {
            waker.wake();
        }
        self.len = 0;
        // Taken out, so that its buffer is freed when the loop ends.
        for waker in mem::take(&mut *self.spilled) {
            waker.wake();
        }
    }
}

impl Drop for WakeList {
    #[inline]
    fn drop(&mut self) {
        // `spilled` is used only once `inline` is full: `len == 0` means an
        // empty list, and there is nothing to wake or free.
        if self.len != 0 {
            self.wake_all();
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::task::{Wake, Waker};

    use super::{INLINE, WakeList};

    /// Records its id in a shared log when woken.
    struct Logged(usize, Arc<Mutex<Vec<usize>>>);

    impl Wake for Logged {
        fn wake(self: Arc<Self>) {
            self.1.lock().unwrap().push(self.0);
        }
    }

    #[test]
    fn wakes_every_waker_once_in_push_order_inline_and_spilled() {
        for n in [0, 1, INLINE, INLINE + 1, 3 * INLINE] {
            let log = Arc::new(Mutex::new(Vec::new()));
            let mut wakes = WakeList::new();
            for id in 0..n {
                wakes.push(Waker::from(Arc::new(Logged(id, log.clone()))));
            }
            assert!(log.lock().unwrap().is_empty(), "woken before the drop");
            drop(wakes);
            assert_eq!(*log.lock().unwrap(), (0..n).collect::<Vec<_>>());
            // Every waker was consumed: only our handle is left.
            assert_eq!(Arc::strong_count(&log), 1);
        }
    }
}
