//! [`Mutex<T>`]: an async mutex (asyncio `Lock` is `Mutex<()>`) whose
//! waiters are served in FIFO order, with bounded barging.
//!
//! # Design
//! The lock is one atomic word, `state`: `LOCKED`, plus three bits that
//! describe the waiter list kept behind the internal lock (`RawMutex`):
//!
//! - `WAITERS`: the list is not empty. Set by an arriving locker in the same
//!   CAS that sees the lock taken (then it queues before releasing the
//!   internal lock), or by a woken waiter going back to the head; cleared by
//!   whoever empties the list. Only changed under the internal lock.
//! - `WOKEN`: the head waiter was woken to *try* the lock and has not run
//!   yet (it is "in flight", unlinked). At most one waiter is in flight; an
//!   unlock that sees it set has nobody to wake. Only changed under the
//!   internal lock.
//! - `HANDOFF`: the head waiter is starving (see below): nobody but it may
//!   take the lock. Only changed under the internal lock.
//!
//! **Fast paths.** `lock`/`try_lock` take a free lock with one CAS that sets
//! `LOCKED` if `LOCKED` and `HANDOFF` are clear: no internal lock, even while
//! waiters are queued (that is the barging). `unlock` is one `fetch_and`
//! clearing `LOCKED`; only if that shows `WAITERS` set and `WOKEN` clear does
//! it take the internal lock, to wake the head waiter.
//!
//! **Why barge.** A strict hand-off (the unlock passes the lock to the head
//! waiter, which must be scheduled before anyone can use it) costs a wake-up
//! and a task switch per contended unlock, and leaves the lock idle while
//! the woken task travels. Here the unlocking task, still running, may take
//! the lock straight back while the woken waiter is in flight; the waiter
//! retries when it runs.
//!
//! **Fairness kept.** Queued waiters are woken only from the head, one at a
//! time, and a woken waiter that finds the lock taken goes back to the
//! *head* of the list (`Waitable::collect`), not the tail: queued waiters
//! acquire in the order they queued. Only tasks that have not queued (their
//! first attempt) can overtake them. No waiter starves: once the head has
//! found the lock taken [`BARGE_LIMIT`] times, or has waited
//! [`PATIENCE`] or more when it finds it taken, it sets `HANDOFF` (in a CAS
//! that sees `LOCKED`, so the holder's unlock will wake it); from then on
//! every fast path fails and the next unlock leaves the lock to it. It
//! clears `HANDOFF` when it takes the lock (or is dropped).
//!
//! **No lost wake-up.** A waiter parks only after a CAS that saw `LOCKED`
//! and set `WAITERS` (and cleared `WOKEN`, for a woken one going back), all
//! under the internal lock, before it is linked. The holder's unlock is a
//! later read-modify-write of the same word, so it sees `WAITERS` without
//! `WOKEN`, takes the internal lock (after the waiter is linked) and wakes
//! the head. A woken waiter dropped before it ran clears `WOKEN` with a
//! `fetch_and` and, if that shows the lock free, wakes the next head itself;
//! if it shows the lock held, the holder's unlock comes later and wakes it.
//!
//! ```
//! use std::sync::Arc;
//! use futures::executor::{block_on, ThreadPool};
//! use futures::task::SpawnExt;
//! use runtime_sync::Mutex;
//!
//! let pool = ThreadPool::builder().pool_size(2).create().unwrap();
//! let counter = Arc::new(Mutex::new(0));
//! let tasks: Vec<_> = (0..4)
//!     .map(|_| {
//!         let counter = counter.clone();
//!         pool.spawn_with_handle(async move {
//!             for _ in 0..100 {
//!                 *counter.lock().await += 1;
//!             }
//!         })
//!         .unwrap()
//!     })
//!     .collect();
//! block_on(futures::future::join_all(tasks));
//! assert_eq!(*block_on(counter.lock()), 400);
//! ```

use std::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
#[cfg(not(loom))]
use std::time::{Duration, Instant};

use crate::error::TryLockError;
use crate::primitives::{AtomicUsize, Mutex as StateMutex, MutexGuard as StateGuard, Ordering};
use crate::waiters::{Wait, Waitable, WaiterList, WakeList};

/// A task holds the lock.
const LOCKED: usize = 1;
/// The waiter list is not empty (only changed under the internal lock).
const WAITERS: usize = 1 << 1;
/// A waiter was woken to retry and has not run yet (internal lock only).
const WOKEN: usize = 1 << 2;
/// The head waiter is starving: only it may take the lock (internal lock
/// only).
const HANDOFF: usize = 1 << 3;

/// How many times the head waiter may be woken and find the lock taken by
/// a task that did not queue, before the lock is reserved for it.
#[cfg(not(loom))]
pub(crate) const BARGE_LIMIT: u32 = 64;
/// Small under loom, so that the models reach the starvation hand-off.
#[cfg(loom)]
pub(crate) const BARGE_LIMIT: u32 = 1;

/// How long the head waiter may wait before the lock is reserved for it
/// (checked when it finds the lock taken), as Go's `sync.Mutex` and
/// async-lock do. Not under loom: a model must not depend on the clock.
#[cfg(not(loom))]
pub(crate) const PATIENCE: Duration = Duration::from_micros(500);

/// The lock without the data: the state word and the waiter list.
pub(crate) struct RawMutex {
    /// `LOCKED | WAITERS | WOKEN | HANDOFF` (module docs).
    state: AtomicUsize,
    /// The queued waiters, oldest first. Each is woken (handed `()`) to
    /// retry, never handed the lock itself.
    waiters: StateMutex<Waiters>,
}

type Waiters = WaiterList<(), Patience>;

/// A waiter's request: how long it has been overtaken.
pub(crate) struct Patience {
    /// Times it was woken and found the lock taken.
    passed_over: u32,
    /// When it first queued.
    #[cfg(not(loom))]
    since: Option<Instant>,
    /// It set `HANDOFF`, so it must clear it when it leaves.
    starving: bool,
}

impl Patience {
    fn new() -> Self {
        Self {
            passed_over: 0,
            #[cfg(not(loom))]
            since: None,
            starving: false,
        }
    }

    /// Counts one more time it was passed over; whether it may now claim
    /// the lock.
    fn passed_over(&mut self) -> bool {
        self.passed_over += 1;
        #[cfg(not(loom))]
        if self.since.is_some_and(|since| since.elapsed() >= PATIENCE) {
            return true;
        }
        self.passed_over >= BARGE_LIMIT
    }
}

impl RawMutex {
    fn new() -> Self {
        Self {
            state: AtomicUsize::new(0),
            waiters: StateMutex::new(WaiterList::new()),
        }
    }

    /// Takes the lock if it is free and not reserved for a starving waiter:
    /// one CAS (usually a single attempt from the guess "free, nobody
    /// queued"), no internal lock.
    #[inline]
    fn try_lock_fast(&self) -> bool {
        let mut state = 0;
        loop {
            // Acquire: the previous holder's writes to the value (released
            // by its unlock) are visible to us.
            match self.state.compare_exchange_weak(
                state,
                state | LOCKED,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) if actual & (LOCKED | HANDOFF) != 0 => return false,
                Err(actual) => state = actual,
            }
        }
    }

    /// Waits for the lock; on return the caller holds it.
    #[inline]
    async fn lock(&self) {
        if !self.try_lock_fast() {
            Wait::new(self, Patience::new()).await;
        }
    }

    fn try_lock(&self) -> Result<(), TryLockError> {
        if self.try_lock_fast() {
            Ok(())
        } else {
            Err(TryLockError(()))
        }
    }

    #[inline]
    fn unlock(&self) {
        // Release: our writes to the value reach the next holder. The bits
        // it returns say whether anyone must be woken.
        let prior = self.state.fetch_and(!LOCKED, Ordering::Release);
        debug_assert!(prior & LOCKED != 0, "unlocking a free mutex");
        if prior & (WAITERS | WOKEN) == WAITERS {
            self.wake_next();
        }
    }

    /// The slow half of an unlock: waiters are queued and none is in
    /// flight, so wake the head.
    #[cold]
    fn wake_next(&self) {
        let mut wakes = WakeList::new();
        let mut waiters = self.waiters.lock();
        self.wake_head(&mut waiters, &mut wakes);
        drop(waiters);
        drop(wakes);
    }

    /// Under the internal lock: wakes the head waiter to retry, unless one
    /// is already in flight or the lock was taken again meanwhile (that
    /// holder's unlock will see `WAITERS` without `WOKEN` and wake it).
    fn wake_head(&self, waiters: &mut Waiters, wakes: &mut WakeList) {
        let state = self.state.load(Ordering::Relaxed);
        if state & (WOKEN | LOCKED) != 0 {
            return;
        }
        if waiters.notify_front((), wakes).is_ok() {
            let empty = waiters.is_empty();
            self.update(|state| {
                let state = state | WOKEN;
                if empty { state & !WAITERS } else { state }
            });
        }
    }

    /// Applies `f` to the state word with a CAS loop; returns the old value.
    /// For the slow paths, which change flag bits under the internal lock
    /// while fast paths may flip `LOCKED`.
    fn update(&self, f: impl Fn(usize) -> usize) -> usize {
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            match self.state.compare_exchange_weak(
                state,
                f(state),
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(old) => return old,
                Err(actual) => state = actual,
            }
        }
    }

    fn is_locked(&self) -> bool {
        self.state.load(Ordering::Relaxed) & LOCKED != 0
    }
}

impl Waitable for &RawMutex {
    type State = Waiters;
    type Request = Patience;
    type Value = ();

    fn lock(&self) -> StateGuard<'_, Waiters> {
        self.waiters.lock()
    }

    fn waiters(state: &mut Waiters) -> &mut Waiters {
        state
    }

    fn try_now(&self, _: &mut Waiters, patience: &mut Patience, _: &mut WakeList) -> Option<()> {
        // One CAS either takes a free lock (barging is allowed until a
        // waiter starves) or records that we are about to queue: the
        // holder's unlock, a later read-modify-write, will see `WAITERS`.
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            let free = state & (LOCKED | HANDOFF) == 0;
            let new = if free {
                state | LOCKED
            } else {
                state | WAITERS
            };
            match self
                .state
                .compare_exchange_weak(state, new, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) if free => return Some(()),
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        #[cfg(not(loom))]
        {
            patience.since = Some(Instant::now());
        }
        #[cfg(loom)]
        let _ = patience;
        None
    }

    fn collect(
        &self,
        _: &mut Waiters,
        patience: &mut Patience,
        (): (),
        _: &mut WakeList,
    ) -> Option<()> {
        // Woken to retry (we are the one in flight: `WOKEN` is ours).
        let mut state = self.state.load(Ordering::Relaxed);
        let mut starving = None;
        loop {
            debug_assert!(state & WOKEN != 0, "a woken waiter is in flight");
            debug_assert!(state & HANDOFF == 0 || patience.starving);
            let (new, took) = if state & LOCKED == 0 {
                // Free (and reserved for us if we are starving): take it;
                // we are no longer in flight, and no longer starving.
                ((state | LOCKED) & !(WOKEN | HANDOFF), true)
            } else {
                // Taken by a task that did not queue: back to the head,
                // and reserve the lock for us if we were passed over too
                // often. The CAS sees `LOCKED`, so the holder's unlock will
                // see `WAITERS` without `WOKEN` and wake us.
                let starving =
                    *starving.get_or_insert_with(|| patience.starving || patience.passed_over());
                let reserve = if starving { HANDOFF } else { 0 };
                ((state | WAITERS | reserve) & !WOKEN, false)
            };
            match self
                .state
                .compare_exchange_weak(state, new, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) if took => return Some(()),
                Ok(_) => {
                    patience.starving = starving == Some(true);
                    return None;
                }
                Err(actual) => state = actual,
            }
        }
    }

    fn give_back(&self, waiters: &mut Waiters, patience: Patience, (): (), wakes: &mut WakeList) {
        // Woken, then dropped before it ran: the wake-up must not be lost.
        // Clearing `WOKEN` with a read-modify-write tells us whether the
        // lock is free now (then wake the next head ourselves) or held (its
        // unlock comes later, sees `WOKEN` clear, and wakes the head).
        let reserve = if patience.starving { HANDOFF } else { 0 };
        let prior = self.state.fetch_and(!(WOKEN | reserve), Ordering::AcqRel);
        if prior & LOCKED == 0 {
            self.wake_head(waiters, wakes);
        }
    }

    fn unlinked(&self, waiters: &mut Waiters, patience: Patience, wakes: &mut WakeList) {
        // Dropped while queued. If it emptied the list, say so; if it was
        // the starving head, lift the reservation. The lock cannot be free
        // with `HANDOFF` set and no wake under way: the unlock that freed it
        // saw `WAITERS` (the starving waiter was queued) and is waiting for
        // the internal lock to wake the head.
        let _ = wakes;
        let mut clear = 0;
        if waiters.is_empty() {
            clear |= WAITERS;
        }
        if patience.starving {
            clear |= HANDOFF;
        }
        if clear != 0 {
            self.state.fetch_and(!clear, Ordering::AcqRel);
        }
    }
}

/// An async mutex protecting a `T`: queued waiters are served in FIFO
/// order, a running task may briefly overtake them (bounded barging), and
/// no waiter starves.
///
/// asyncio's `Lock` is `Mutex<()>`: `async with lock:` is
/// `let _guard = lock.lock().await;`, `lock.locked()` is
/// [`locked`](Self::locked).
///
/// # Fairness
/// Precisely what is guaranteed:
/// - **Waiters are served in FIFO order among themselves.** A
///   [`lock`](Self::lock) that finds the lock taken queues; an unlock wakes
///   only the oldest queued waiter, and if another task took the lock before
///   that waiter ran, it goes back to the *front* of the queue. So queued
///   waiters acquire in the order they queued.
/// - **Barging is bounded.** A task that has not queued — a `lock()` on its
///   first attempt, or [`try_lock`](Self::try_lock) — may take a free lock
///   even while waiters are queued (the unlocking task can re-lock at once,
///   instead of every contended unlock waking a task and waiting for it to
///   be scheduled). But once the oldest waiter has been woken and found the
///   lock taken 64 times, or has waited 0.5 ms or more when it finds it
///   taken, the lock is reserved for it: newcomers (and `try_lock`) fail or
///   queue behind it, and it takes the lock at the next unlock. So no waiter
///   starves.
/// - asyncio's `Lock` is strictly FIFO (a release while tasks wait always
///   goes to the oldest one); this mutex is not, by the bound above. Use a
///   [`Semaphore`](crate::Semaphore) of one permit for strict FIFO hand-off.
///
/// While nobody waits, locking and unlocking take no internal lock: one
/// atomic compare-and-swap and one atomic `fetch_and`.
///
/// [`lock`](Self::lock) is cancel-safe: dropping the future while it waits
/// leaves the queue; dropping it after it was woken passes the wake-up to
/// the next waiter if the lock is free (a woken waiter holds nothing else).
///
/// ```
/// use futures::executor::block_on;
/// use runtime_sync::Mutex;
///
/// let lock = Mutex::new(());
/// block_on(async {
///     let guard = lock.lock().await;
///     assert!(lock.locked());
///     assert!(lock.try_lock().is_err());
///     drop(guard);
///     assert!(!lock.locked());
/// });
/// ```
pub struct Mutex<T> {
    raw: RawMutex,
    value: UnsafeCell<T>,
}

// SAFETY: the value is only reached through a guard, and the raw lock lets
// one guard exist at a time, so sharing the mutex moves `T` between threads
// (hence `T: Send`) but never shares it (no `T: Sync` needed).
unsafe impl<T: Send> Sync for Mutex<T> {}

impl<T> Mutex<T> {
    /// A new, unlocked mutex holding `value`.
    pub fn new(value: T) -> Self {
        Self {
            raw: RawMutex::new(),
            value: UnsafeCell::new(value),
        }
    }

    /// Waits for the lock and returns a guard that unlocks on drop. Queued
    /// behind every older waiter; see the type's docs for the bounded
    /// barging that lets a first attempt take a free lock.
    pub async fn lock(&self) -> MutexGuard<'_, T> {
        self.raw.lock().await;
        MutexGuard {
            mutex: self,
            _value: PhantomData,
        }
    }

    /// [`lock`](Self::lock) for a shared mutex: the guard holds an `Arc`
    /// instead of a borrow.
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        self.raw.lock().await;
        OwnedMutexGuard {
            mutex: self,
            _value: PhantomData,
        }
    }

    /// Takes the lock if it is free and not reserved for a starving waiter
    /// (see the type's docs): it may overtake queued waiters.
    ///
    /// # Errors
    /// [`TryLockError`] if it is held, or reserved for the oldest waiter.
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        self.raw.try_lock()?;
        Ok(MutexGuard {
            mutex: self,
            _value: PhantomData,
        })
    }

    /// [`try_lock`](Self::try_lock) for a shared mutex.
    ///
    /// # Errors
    /// As [`try_lock`](Self::try_lock).
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        self.raw.try_lock()?;
        Ok(OwnedMutexGuard {
            mutex: self,
            _value: PhantomData,
        })
    }

    /// asyncio's `locked()`: whether the lock is held. A snapshot: another
    /// thread may lock or unlock it at any moment.
    pub fn locked(&self) -> bool {
        self.raw.is_locked()
    }

    /// The raw state word, for the loom models' end-of-run checks.
    #[cfg(all(test, loom))]
    pub(crate) fn raw_state(&self) -> usize {
        self.raw.state.load(Ordering::Relaxed)
    }

    /// The value, through exclusive access (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    /// Consumes the mutex and returns the value.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl<T: fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(guard) => debug.field("value", &&*guard),
            Err(_) => debug.field("value", &format_args!("<locked>")),
        };
        debug.finish()
    }
}

/// Holds a [`Mutex`] locked; gives access to the value; unlocks on drop.
#[must_use = "dropping the guard unlocks the mutex at once"]
pub struct MutexGuard<'a, T> {
    mutex: &'a Mutex<T>,
    /// Makes the guard `Sync` only if `T: Sync` (the guard hands out `&T`);
    /// `&Mutex<T>` alone would be `Sync` for any `T: Send`.
    _value: PhantomData<&'a mut T>,
}

impl<'a, T> MutexGuard<'a, T> {
    /// The mutex this guard holds (an associated function, so it cannot
    /// shadow a method of `T`). `Condition::wait` uses it to re-lock.
    pub fn mutex(guard: &Self) -> &'a Mutex<T> {
        guard.mutex
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock, so no `&mut T` exists elsewhere.
        unsafe { &*self.mutex.value.get() }
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock, and `&mut self` makes this the
        // only reference through it.
        unsafe { &mut *self.mutex.value.get() }
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.mutex.raw.unlock();
    }
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// Holds a shared (`Arc`) [`Mutex`] locked; unlocks on drop.
#[must_use = "dropping the guard unlocks the mutex at once"]
pub struct OwnedMutexGuard<T> {
    mutex: Arc<Mutex<T>>,
    /// As in [`MutexGuard`]: `Sync` only if `T: Sync`.
    _value: PhantomData<T>,
}

impl<T> OwnedMutexGuard<T> {
    /// The mutex this guard holds (an associated function, so it cannot
    /// shadow a method of `T`).
    pub fn mutex(guard: &Self) -> &Arc<Mutex<T>> {
        &guard.mutex
    }
}

impl<T> Deref for OwnedMutexGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock, so no `&mut T` exists elsewhere.
        unsafe { &*self.mutex.value.get() }
    }
}

impl<T> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock, and `&mut self` makes this the
        // only reference through it.
        unsafe { &mut *self.mutex.value.get() }
    }
}

impl<T> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.mutex.raw.unlock();
    }
}

impl<T: fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Display> fmt::Display for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::test_support::Probe;

    #[test]
    fn unlock_wakes_the_oldest_waiter_and_waiters_keep_their_order() {
        let mutex = Mutex::new(Vec::new());
        let guard = mutex.try_lock().unwrap();
        let mut first = Probe::new(async {
            mutex.lock().await.push(1);
        });
        let mut second = Probe::new(async {
            mutex.lock().await.push(2);
        });
        first.pending();
        second.pending();
        drop(guard);
        assert_eq!((first.wakes(), second.wakes()), (1, 0));
        first.ready();
        assert_eq!(second.wakes(), 1);
        second.ready();
        drop((first, second));
        assert!(!mutex.locked());
        assert_eq!(mutex.into_inner(), [1, 2]);
    }

    #[test]
    fn a_barger_sends_the_woken_waiter_back_to_the_head() {
        let mutex = Mutex::new(Vec::new());
        let guard = mutex.try_lock().unwrap();
        let mut first = Probe::new(async {
            mutex.lock().await.push(1);
        });
        let mut second = Probe::new(async {
            mutex.lock().await.push(2);
        });
        first.pending();
        second.pending();
        drop(guard);
        assert_eq!(first.wakes(), 1);
        // Before `first` runs, a task that never queued takes the lock.
        let mut barger = mutex.try_lock().expect("barging is allowed");
        barger.push(0);
        first.pending();
        drop(barger);
        // `first` is still the head: it is woken again, `second` is not.
        assert_eq!((first.wakes(), second.wakes()), (2, 0));
        first.ready();
        second.ready();
        drop((first, second));
        assert_eq!(mutex.into_inner(), [0, 1, 2]);
    }

    /// No starvation, counted in unlocks rather than time: a waiter passed
    /// over by barging tasks gets the lock at the latest at the unlock
    /// after its `BARGE_LIMIT`-th disappointment.
    #[test]
    fn a_waiter_cannot_starve_behind_barging_lockers() {
        let mutex = Mutex::new(0);
        let mut guard = mutex.try_lock().unwrap();
        let mut waiter = Probe::new(async {
            *mutex.lock().await += 1000;
        });
        waiter.pending();
        let mut unlocks = 0;
        loop {
            drop(guard);
            unlocks += 1;
            assert_eq!(waiter.wakes(), unlocks, "each unlock wakes the head");
            // A barger takes the lock before the woken waiter runs, unless
            // the lock is now reserved for the waiter.
            match mutex.try_lock() {
                Ok(barger) => {
                    guard = barger;
                    *guard += 1;
                    waiter.pending();
                }
                Err(_) => break,
            }
            assert!(
                unlocks <= BARGE_LIMIT as usize,
                "passed over more than BARGE_LIMIT times"
            );
        }
        // Reserved: newcomers queue behind the waiter, which gets the lock.
        let mut newcomer = Probe::new(mutex.lock());
        newcomer.pending();
        waiter.ready();
        assert_eq!(newcomer.wakes(), 1);
        drop(newcomer.ready());
        assert!(unlocks <= BARGE_LIMIT as usize + 1);
        drop((waiter, newcomer));
        assert_eq!(mutex.into_inner(), 1000 + unlocks - 1);
    }

    #[test]
    fn a_starving_waiter_dropped_lifts_the_reservation() {
        let mutex = Mutex::new(());
        let mut guard = mutex.try_lock().unwrap();
        let mut starving = Probe::new(mutex.lock());
        let mut behind = Probe::new(mutex.lock());
        starving.pending();
        behind.pending();
        loop {
            drop(guard);
            match mutex.try_lock() {
                Ok(barger) => guard = barger,
                Err(_) => break,
            }
            starving.pending();
        }
        // Reserved for `starving`, which is woken; it gives up instead.
        assert!(mutex.try_lock().is_err());
        drop(starving);
        assert_eq!(behind.wakes(), 1, "the wake-up was passed on");
        let barger = mutex.try_lock().expect("no reservation left");
        behind.pending();
        drop(barger);
        drop(behind.ready());
        assert!(!mutex.locked());
        assert!(mutex.try_lock().is_ok());
    }

    #[test]
    fn a_waiter_dropped_while_queued_just_leaves() {
        let mutex = Mutex::new(());
        let guard = mutex.try_lock().unwrap();
        let mut first = Probe::new(mutex.lock());
        let mut second = Probe::new(mutex.lock());
        first.pending();
        second.pending();
        drop(first);
        drop(guard);
        assert_eq!(second.wakes(), 1);
        drop(second.ready());
        assert!(!mutex.locked());
    }

    #[test]
    fn a_waiter_dropped_after_its_wake_up_passes_it_on() {
        let mutex = Mutex::new(());
        let guard = mutex.try_lock().unwrap();
        let mut first = Probe::new(mutex.lock());
        let mut second = Probe::new(mutex.lock());
        first.pending();
        second.pending();
        drop(guard);
        assert_eq!(first.wakes(), 1);
        drop(first);
        assert_eq!(second.wakes(), 1);
        let guard = second.ready();
        drop(guard);
        assert!(!mutex.locked());

        // With nobody behind it, the lock stays free; the fast path works.
        let guard = mutex.try_lock().unwrap();
        let mut only = Probe::new(mutex.lock());
        only.pending();
        drop(guard);
        drop(only);
        assert_eq!(mutex.raw.state.load(Ordering::Relaxed), 0, "no stale bits");
        assert!(mutex.try_lock().is_ok());
    }

    #[test]
    fn a_woken_waiter_dropped_while_the_lock_is_held_lets_the_unlock_wake_the_next() {
        let mutex = Mutex::new(());
        let guard = mutex.try_lock().unwrap();
        let mut first = Probe::new(mutex.lock());
        let mut second = Probe::new(mutex.lock());
        first.pending();
        second.pending();
        drop(guard);
        let barger = mutex.try_lock().unwrap();
        drop(first);
        assert_eq!(second.wakes(), 0, "the lock is held: nothing to try yet");
        drop(barger);
        assert_eq!(second.wakes(), 1);
        drop(second.ready());
        assert_eq!(mutex.raw.state.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn owned_guards_and_accessors() {
        let mutex = Arc::new(Mutex::new(5));
        let mut guard = mutex.clone().try_lock_owned().unwrap();
        *guard += 1;
        assert!(Arc::ptr_eq(OwnedMutexGuard::mutex(&guard), &mutex));
        assert_eq!(format!("{guard:?} {guard}"), "6 6");
        assert_eq!(format!("{mutex:?}"), "Mutex { value: <locked> }");
        let mut waiting = Probe::new(mutex.clone().lock_owned());
        waiting.pending();
        drop(guard);
        let guard = waiting.ready();
        assert_eq!(*guard, 6);
        drop(guard);
        assert_eq!(format!("{mutex:?}"), "Mutex { value: 6 }");
        let mut mutex = Arc::into_inner(mutex).unwrap();
        *mutex.get_mut() = 7;
        assert_eq!(*Mutex::from(7).get_mut(), mutex.into_inner());
    }

    #[test]
    fn guard_knows_its_mutex() {
        let mutex = Mutex::<u8>::default();
        let guard = mutex.try_lock().unwrap();
        assert!(std::ptr::eq(MutexGuard::mutex(&guard), &mutex));
    }

    #[test]
    fn futures_and_guards_are_send() {
        fn send<T: Send>(_: &T) {}
        let mutex = Mutex::new(0u8);
        send(&mutex.lock());
        send(&mutex.try_lock().unwrap());
        send(&Arc::new(Mutex::new(0u8)).lock_owned());
    }
}
