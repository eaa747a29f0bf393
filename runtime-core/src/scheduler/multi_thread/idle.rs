//! Who is searching for work and who sleeps: the bookkeeping that wakes one
//! worker at a time and keeps at most about half of them searching.
//!
//! One atomic word counts *searching* workers (low 16 bits) and *unparked*
//! workers (the rest); the list of sleeping workers sits behind a mutex that
//! is only taken on the slow paths (parking, waking a sleeper).
//!
//! Protocol (no lost wake-up): a producer pushes work, then (after a SeqCst
//! fence) wakes a sleeper only if nobody is searching. A searcher that gives
//! up parks with a SeqCst update of the same word and, if it was the last
//! searcher, re-checks every queue before sleeping. So either the producer
//! sees a searcher (who will then see the work), or it sees none and wakes
//! someone.

use crate::primitives::{AtomicUsize, Mutex, Ordering, fence};

const UNPARKED_SHIFT: usize = 16;
const UNPARKED_ONE: usize = 1 << UNPARKED_SHIFT;
const SEARCHING_MASK: usize = UNPARKED_ONE - 1;

pub(crate) struct Idle {
    state: AtomicUsize,
    sleepers: Mutex<Vec<usize>>,
    workers: usize,
}

fn searching(state: usize) -> usize {
    state & SEARCHING_MASK
}

fn unparked(state: usize) -> usize {
    state >> UNPARKED_SHIFT
}

impl Idle {
    pub(crate) fn new(workers: usize) -> Idle {
        assert!(workers < SEARCHING_MASK, "too many workers");
        Idle {
            state: AtomicUsize::new(workers << UNPARKED_SHIFT),
            sleepers: Mutex::new(Vec::with_capacity(workers)),
            workers,
        }
    }

    /// After work was added: the sleeper to wake, if one should be woken. The
    /// woken worker is counted as searching from here on.
    pub(crate) fn worker_to_notify(&self) -> Option<usize> {
        // Orders the caller's push before our read of the counters (pairs
        // with the SeqCst update in `transition_worker_to_parked`).
        fence(Ordering::SeqCst);
        if !self.should_wake() {
            return None;
        }
        let mut sleepers = self.sleepers.lock();
        if !self.should_wake() {
            return None;
        }
        let index = sleepers.pop()?;
        self.state.fetch_add(1 | UNPARKED_ONE, Ordering::SeqCst);
        Some(index)
    }

    fn should_wake(&self) -> bool {
        let state = self.state.load(Ordering::SeqCst);
        searching(state) == 0 && unparked(state) < self.workers
    }

    /// A worker with nothing to do wants to steal. Refused when half of the
    /// workers already search (no thundering herd).
    pub(crate) fn transition_worker_to_searching(&self) -> bool {
        let state = self.state.load(Ordering::SeqCst);
        if 2 * searching(state) >= self.workers {
            return false;
        }
        self.state.fetch_add(1, Ordering::SeqCst);
        true
    }

    /// A searcher found work. True if it was the last searcher: it must then
    /// wake another worker so that searching goes on (wake-ups chain).
    pub(crate) fn transition_worker_from_searching(&self) -> bool {
        let prev = self.state.fetch_sub(1, Ordering::SeqCst);
        debug_assert!(searching(prev) > 0);
        searching(prev) == 1
    }

    /// A worker goes to sleep. True if it was the last searcher: it must then
    /// re-check the queues before sleeping.
    pub(crate) fn transition_worker_to_parked(&self, index: usize, is_searching: bool) -> bool {
        let mut sleepers = self.sleepers.lock();
        let dec = UNPARKED_ONE + usize::from(is_searching);
        let prev = self.state.fetch_sub(dec, Ordering::SeqCst);
        sleepers.push(index);
        is_searching && searching(prev) == 1
    }

    /// Whether `index` is still on the sleeper list (false once a producer
    /// picked it to wake, or `unpark_all` ran).
    pub(crate) fn is_parked(&self, index: usize) -> bool {
        self.sleepers.lock().contains(&index)
    }

    /// Takes a worker off the sleeper list without counting it as searching
    /// (used when a parked worker wakes for its own reasons, e.g. shutdown).
    pub(crate) fn unpark_worker_by_id(&self, index: usize) -> bool {
        let mut sleepers = self.sleepers.lock();
        if let Some(pos) = sleepers.iter().position(|&i| i == index) {
            sleepers.swap_remove(pos);
            self.state.fetch_add(UNPARKED_ONE, Ordering::SeqCst);
            true
        } else {
            false
        }
    }

    /// (searching, unparked), for tests.
    #[cfg(test)]
    pub(crate) fn counts(&self) -> (usize, usize) {
        let state = self.state.load(Ordering::SeqCst);
        (searching(state), unparked(state))
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn at_most_half_of_the_workers_search() {
        let idle = Idle::new(8);
        let admitted = (0..8)
            .filter(|_| idle.transition_worker_to_searching())
            .count();
        assert_eq!(admitted, 4);
        assert_eq!(idle.counts(), (4, 8));
    }

    #[test]
    fn one_worker_may_always_search() {
        let idle = Idle::new(1);
        assert!(idle.transition_worker_to_searching());
        assert!(!idle.transition_worker_to_searching());
    }

    #[test]
    fn producers_wake_one_sleeper_at_a_time() {
        let idle = Idle::new(4);
        for i in 0..4 {
            assert!(!idle.transition_worker_to_parked(i, false));
        }
        assert_eq!(idle.counts(), (0, 0));
        // The first producer wakes one worker, who counts as searching...
        let woken = idle.worker_to_notify().expect("a sleeper is woken");
        assert!(!idle.is_parked(woken));
        // ...so a second producer wakes nobody: the searcher will find both.
        assert_eq!(idle.worker_to_notify(), None);
        assert_eq!(idle.counts(), (1, 1));
        // The searcher finds work and was the last: it hands the search on.
        assert!(idle.transition_worker_from_searching());
        assert!(idle.worker_to_notify().is_some());
    }

    #[test]
    fn last_searcher_is_told_to_recheck() {
        let idle = Idle::new(2);
        assert!(idle.transition_worker_to_searching());
        assert!(idle.transition_worker_to_parked(0, true));
        assert!(!idle.transition_worker_to_parked(1, false));
    }
}
