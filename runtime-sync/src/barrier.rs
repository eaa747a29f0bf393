//! [`Barrier`]: asyncio's `Barrier`, a meeting point for a fixed number of
//! tasks, reusable round after round.
//!
//! Arrivals queue on the barrier's waiter list until the last of `parties`
//! arrives; that arrival releases the whole round at once, handing each
//! waiter its index (0 for the first to arrive, in order) and keeping
//! `parties - 1` for itself, and the barrier is immediately empty for the
//! next round. `abort` hands every waiter a [`BrokenBarrierError`] and makes
//! later arrivals fail too; `reset` breaks only the current round.
//!
//! ```
//! use std::sync::Arc;
//! use futures::executor::{block_on, ThreadPool};
//! use futures::task::SpawnExt;
//! use runtime_sync::Barrier;
//!
//! let pool = ThreadPool::builder().pool_size(2).create().unwrap();
//! let barrier = Arc::new(Barrier::new(3));
//! let tasks: Vec<_> = (0..3)
//!     .map(|_| {
//!         let barrier = barrier.clone();
//!         pool.spawn_with_handle(async move { barrier.wait().await.unwrap().index() })
//!             .unwrap()
//!     })
//!     .collect();
//! let mut indices = block_on(futures::future::join_all(tasks));
//! indices.sort();
//! assert_eq!(indices, [0, 1, 2]);
//! ```

use std::fmt;

use crate::error::BrokenBarrierError;
use crate::primitives::{Mutex, MutexGuard};
use crate::waiters::{Wait, Waitable, WaiterList, WakeList};

/// Lets `parties` tasks wait until all of them have arrived, then releases
/// them together; then the next round starts.
///
/// ```
/// use std::rc::Rc;
/// use futures::executor::LocalPool;
/// use futures::task::LocalSpawnExt;
/// use runtime_sync::Barrier;
///
/// let mut pool = LocalPool::new();
/// let barrier = Rc::new(Barrier::new(2));
/// let first = {
///     let barrier = barrier.clone();
///     pool.spawner().spawn_local_with_handle(async move { barrier.wait().await }).unwrap()
/// };
/// pool.run_until_stalled();
/// assert_eq!(barrier.n_waiting(), 1);
/// let last = pool.run_until(barrier.wait()).unwrap();
/// assert!(last.is_last());
/// assert_eq!(pool.run_until(first).unwrap().index(), 0);
/// ```
pub struct Barrier {
    parties: usize,
    state: Mutex<State>,
}

pub(crate) struct State {
    /// Set by `abort`; cleared by `reset`.
    broken: bool,
    /// This round's arrivals, in order; each is handed its arrival index.
    waiters: WaiterList<Result<usize, BrokenBarrierError>, ()>,
}

impl State {
    /// Fails every waiter of the current round.
    fn break_round(&mut self, wakes: &mut WakeList) {
        self.waiters
            .notify_all(|_| Err(BrokenBarrierError(())), wakes);
    }
}

impl Barrier {
    /// A barrier for `parties` tasks.
    ///
    /// # Panics
    /// If `parties` is 0 (asyncio raises `ValueError`): no round could ever
    /// complete.
    pub fn new(parties: usize) -> Self {
        assert!(parties > 0, "a barrier needs at least one party");
        Self {
            parties,
            state: Mutex::new(State {
                broken: false,
                waiters: WaiterList::new(),
            }),
        }
    }

    /// Waits until `parties` tasks (this one included) have called `wait`
    /// in this round; returns this task's arrival index.
    ///
    /// # Errors
    /// [`BrokenBarrierError`] if the barrier was aborted (before or while
    /// this task waited), or reset while it waited.
    ///
    /// # Cancel safety
    /// Dropped while waiting, the task withdraws its arrival (the round
    /// needs one more). Dropped after its round was released, nothing
    /// changes: the others were released too.
    pub async fn wait(&self) -> Result<BarrierWaitResult, BrokenBarrierError> {
        let index = Wait::new(self, ()).await?;
        Ok(BarrierWaitResult {
            index,
            parties: self.parties(),
        })
    }

    /// Breaks the barrier: every waiting task and every later `wait` fails
    /// with [`BrokenBarrierError`] (until [`reset`](Self::reset)).
    pub fn abort(&self) {
        let mut wakes = WakeList::new();
        let mut state = self.state.lock();
        state.broken = true;
        state.break_round(&mut wakes);
        drop(state);
        drop(wakes);
    }

    /// asyncio's `reset()`: fails the tasks waiting in the current round
    /// with [`BrokenBarrierError`] and returns the barrier to its initial,
    /// empty and unbroken state.
    pub fn reset(&self) {
        let mut wakes = WakeList::new();
        let mut state = self.state.lock();
        state.broken = false;
        state.break_round(&mut wakes);
        drop(state);
        drop(wakes);
    }

    /// The number of tasks needed to complete a round.
    pub fn parties(&self) -> usize {
        self.parties
    }

    /// How many tasks wait in the current round (a snapshot).
    pub fn n_waiting(&self) -> usize {
        self.state.lock().waiters.len()
    }

    /// Whether the barrier was aborted (asyncio's `broken`).
    pub fn is_broken(&self) -> bool {
        self.state.lock().broken
    }
}

impl Waitable for &Barrier {
    type State = State;
    type Request = ();
    type Value = Result<usize, BrokenBarrierError>;

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock()
    }

    fn waiters(state: &mut State) -> &mut WaiterList<Self::Value, ()> {
        &mut state.waiters
    }

    fn try_now(&self, state: &mut State, _: &mut (), wakes: &mut WakeList) -> Option<Self::Value> {
        if state.broken {
            return Some(Err(BrokenBarrierError(())));
        }
        let last = self.parties - 1;
        if state.waiters.len() < last {
            return None;
        }
        // The last arrival releases the round; the earlier ones get their
        // arrival order, which is their order in the list.
        let mut index = 0;
        state.waiters.notify_all(
            |_| {
                index += 1;
                Ok(index - 1)
            },
            wakes,
        );
        Some(Ok(last))
    }

    fn give_back(&self, _: &mut State, _: (), _: Self::Value, _: &mut WakeList) {
        // The round was released (or broken) for everyone at once: there is
        // nothing to pass on.
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock();
        f.debug_struct("Barrier")
            .field("parties", &self.parties)
            .field("n_waiting", &state.waiters.len())
            .field("broken", &state.broken)
            .finish()
    }
}

/// What [`Barrier::wait`] returns: this task's place in its round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BarrierWaitResult {
    index: usize,
    parties: usize,
}

impl BarrierWaitResult {
    /// The arrival index in the round, `0..parties` (asyncio's return
    /// value): 0 for the first task to arrive, `parties - 1` for the last.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Whether this task was the last to arrive, the one that released the
    /// round (std's `is_leader`).
    pub fn is_last(&self) -> bool {
        self.index + 1 == self.parties
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::test_support::Probe;

    #[test]
    fn the_last_arrival_releases_the_round_with_arrival_indices() {
        let barrier = Barrier::new(3);
        let mut first = Probe::new(barrier.wait());
        let mut second = Probe::new(barrier.wait());
        first.pending();
        second.pending();
        assert_eq!(barrier.n_waiting(), 2);
        let last = Probe::new(barrier.wait()).ready().unwrap();
        assert_eq!((last.index(), last.is_last()), (2, true));
        assert_eq!(barrier.n_waiting(), 0);
        assert_eq!(first.ready().unwrap().index(), 0);
        let second = second.ready().unwrap();
        assert_eq!((second.index(), second.is_last()), (1, false));
    }

    #[test]
    fn the_barrier_is_reusable() {
        let barrier = Barrier::new(2);
        for _ in 0..3 {
            let mut first = Probe::new(barrier.wait());
            first.pending();
            assert!(Probe::new(barrier.wait()).ready().unwrap().is_last());
            assert_eq!(first.ready().unwrap().index(), 0);
        }
        assert_eq!(
            Probe::new(Barrier::new(1).wait()).ready().unwrap().index(),
            0
        );
    }

    #[test]
    fn abort_breaks_waiters_and_later_callers_until_reset() {
        let barrier = Barrier::new(3);
        let mut waiter = Probe::new(barrier.wait());
        waiter.pending();
        barrier.abort();
        assert!(barrier.is_broken());
        assert_eq!(waiter.ready(), Err(BrokenBarrierError(())));
        assert_eq!(
            Probe::new(barrier.wait()).ready(),
            Err(BrokenBarrierError(()))
        );
        barrier.reset();
        assert!(!barrier.is_broken());
        let mut waiter = Probe::new(barrier.wait());
        waiter.pending();
        assert_eq!(
            format!("{barrier:?}"),
            "Barrier { parties: 3, n_waiting: 1, broken: false }"
        );
        barrier.reset();
        assert_eq!(waiter.ready(), Err(BrokenBarrierError(())));
        assert!(!barrier.is_broken());
    }

    #[test]
    fn a_dropped_waiter_withdraws_its_arrival() {
        let barrier = Barrier::new(2);
        let mut gone = Probe::new(barrier.wait());
        gone.pending();
        drop(gone);
        assert_eq!(barrier.n_waiting(), 0);
        let mut first = Probe::new(barrier.wait());
        first.pending();
        assert_eq!(Probe::new(barrier.wait()).ready().unwrap().index(), 1);
        assert_eq!(first.ready().unwrap().index(), 0);
    }

    #[test]
    #[should_panic(expected = "at least one party")]
    fn zero_parties_is_refused() {
        let _ = Barrier::new(0);
    }
}
