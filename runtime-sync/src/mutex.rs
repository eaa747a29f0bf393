//! [`Mutex<T>`]: an async mutex (asyncio `Lock` is `Mutex<()>`), strictly
//! FIFO-fair: an unlock with tasks waiting hands the lock to the oldest one.
//!
//! # Why strict
//! asyncio's `Lock` is fair: `acquire` takes the lock at once only if it is
//! free *and* nobody waits for it, and a release goes to the task that
//! started waiting first. The crate promises the same of every primitive
//! (FIFO hand-off, no barging, no lost wake-up) under real parallelism,
//! where asyncio has one thread, and checks it with loom. So the lock never
//! lies free while a task waits for it: a task that did not queue (a first
//! `lock()` attempt, `try_lock`, the unlocking task coming straight back)
//! cannot overtake one that did. The price is a convoy under heavy
//! contention: each contended unlock wakes the next owner, and the lock is
//! idle until that task is scheduled.
//!
//! # Design
//! The lock is one atomic word, `state`; the waiters are the crate's shared
//! FIFO list (`waiters.rs`: nodes inside the waiting futures, so waiting
//! allocates nothing) behind the internal lock.
//!
//! - `LOCKED`: a task owns the lock: a guard, or a waiter that was handed
//!   the lock and has not run yet.
//! - `WAITERS`: the list is not empty. Set and cleared only under the
//!   internal lock. It implies `LOCKED` (nobody queues for a free lock, and
//!   an unlock with waiters keeps `LOCKED` for the one it hands to), so the
//!   word is `0`, `LOCKED` or `LOCKED | WAITERS`.
//!
//! **Fast paths, no internal lock.** `lock` and `try_lock` are one CAS from
//! `0` to `LOCKED`: it succeeds only if the lock is free *and* nobody is
//! queued. `unlock` is one CAS from `LOCKED` to `0`: it succeeds only if
//! nobody is queued.
//!
//! **Slow paths, under the internal lock.** While `WAITERS` is set every
//! fast path fails, so only the internal lock's holder writes the word and
//! plain stores suffice.
//! - *Arrive* (`Waitable::try_now`): if `WAITERS` is set, queue at the tail.
//!   Otherwise one CAS takes a free lock, or turns `LOCKED` into
//!   `LOCKED | WAITERS`; the waiter is linked before the internal lock is
//!   released.
//! - *Hand off* (an unlock whose CAS saw `WAITERS`): unlink the head and
//!   mark it as the owner (`notify_front`); `LOCKED` stays set throughout,
//!   so there is no moment at which anyone else could take the lock. If the
//!   head was the last waiter, clear `WAITERS`; if the list emptied while
//!   the unlock waited for the internal lock (its waiters were cancelled),
//!   store `0`. The new owner is woken after the internal lock is released;
//!   its next poll sees its node's `notified` flag (raised by the hand-off
//!   after the word was settled) and collects the lock without taking the
//!   internal lock.
//! - *Cancel* (`Waitable::unlinked` / `give_back`): a waiter dropped while
//!   queued only leaves the list (clearing `WAITERS` if it was the last); a
//!   waiter dropped after the lock was handed to it owns the lock, so it
//!   hands it on exactly as an unlock would.
//!
//! **No lost wake-up.** An arriving waiter holds the internal lock from the
//! moment it reads or sets `WAITERS` until it is linked. If its CAS (or the
//! CAS that set `WAITERS` for an earlier waiter) precedes the owner's
//! unlock CAS in the word's modification order, that unlock sees `WAITERS`,
//! fails, and must take the internal lock, so it finds the waiter linked
//! and hands it the lock. If the unlock came first, the arriving CAS sees
//! `0` and takes the lock itself. `WAITERS` is cleared only under the
//! internal lock, with the list empty.
//!
//! **Memory ordering.** The fast lock's `Acquire` pairs with the fast
//! unlock's (or the free-storing slow unlock's) `Release`. A hand-off
//! passes the holder's writes with the node's `notified` flag (release by
//! the unlocker, acquire by the new owner), or through the internal lock if
//! the new owner collects under it (a poll racing the hand-off, or a
//! cancelled waiter giving the lock back).
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

use crate::error::TryLockError;
use crate::primitives::{AtomicUsize, Mutex as StateMutex, MutexGuard as StateGuard, Ordering};
use crate::waiters::{Wait, Waitable, WaiterList, WakeList};

/// A task owns the lock (a guard, or a waiter it was handed to).
const LOCKED: usize = 1;
/// The waiter list is not empty (only changed under the internal lock;
/// implies `LOCKED`).
const WAITERS: usize = 1 << 1;

/// The lock without the data: the state word and the waiter list.
pub(crate) struct RawMutex {
    /// `0`, `LOCKED` or `LOCKED | WAITERS` (module docs).
    state: AtomicUsize,
    /// The queued waiters, oldest first. Each is handed the lock itself
    /// (`()`: "you own it now").
    waiters: StateMutex<Waiters>,
}

type Waiters = WaiterList<(), ()>;

impl RawMutex {
    fn new() -> Self {
        Self {
            state: AtomicUsize::new(0),
            waiters: StateMutex::new(WaiterList::new()),
        }
    }

    /// Takes the lock if it is free and nobody is queued: one CAS, no
    /// internal lock.
    #[inline]
    fn try_lock_fast(&self) -> bool {
        // Acquire: the previous owner's writes to the value (released by
        // its unlock) are visible to us. Any other state fails: held, or
        // waiters queued (then the lock is theirs first).
        self.state
            .compare_exchange(0, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    /// Waits for the lock; on return the caller owns it.
    #[inline]
    async fn lock(&self) {
        if !self.try_lock_fast() {
            Wait::new(self, ()).await;
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
        // Release: our writes to the value reach the next owner that takes
        // the lock by CAS. Fails only if waiters are queued: then the lock
        // goes to the head, under the internal lock.
        if self
            .state
            .compare_exchange(LOCKED, 0, Ordering::Release, Ordering::Relaxed)
            .is_err()
        {
            self.unlock_slow();
        }
    }

    /// The contended half of an unlock, out of line so that the fast path
    /// stays small where guards are dropped.
    #[inline(never)]
    fn unlock_slow(&self) {
        let mut wakes = WakeList::new();
        let mut waiters = self.waiters.lock();
        self.hand_off(&mut waiters, &mut wakes);
        drop(waiters);
        drop(wakes);
    }

    /// Under the internal lock, by the lock's owner: passes ownership to the
    /// head waiter, or frees the lock if nobody waits. The owner's `LOCKED`
    /// becomes the head's without ever being cleared, so a fast path cannot
    /// slip in between.
    fn hand_off(&self, waiters: &mut Waiters, wakes: &mut WakeList) {
        // We own the lock and hold the internal lock: no fast path can
        // change the word (lock fails on `LOCKED`, only we unlock), so
        // plain stores do.
        match waiters.len() {
            0 => {
                // The last waiters were cancelled after our unlock CAS saw
                // them (or a dropped waiter had nobody behind it). Release:
                // as for the fast unlock.
                debug_assert_eq!(self.state.load(Ordering::Relaxed), LOCKED);
                self.state.store(0, Ordering::Release);
            }
            len => {
                if len == 1 {
                    // The head is the last waiter: clear `WAITERS` first,
                    // so that the hand-off publishes it with the lock and
                    // the new owner's unlock is the fast one.
                    debug_assert_eq!(self.state.load(Ordering::Relaxed), LOCKED | WAITERS);
                    self.state.store(LOCKED, Ordering::Relaxed);
                }
                let handed = waiters.notify_front((), wakes);
                debug_assert!(handed.is_ok());
            }
        }
    }

    fn is_locked(&self) -> bool {
        self.state.load(Ordering::Relaxed) & LOCKED != 0
    }
}

impl Waitable for &RawMutex {
    type State = Waiters;
    type Request = ();
    type Value = ();

    /// The new owner needs nothing from the unlocker's critical section
    /// beyond the hand-off: the value's writes came before the unlock, and
    /// `hand_off` settles the word before it notifies. So the woken owner
    /// collects the lock without taking the internal lock, which the next
    /// unlocker (or arriving locker) may be holding on another worker.
    const COLLECT_WITHOUT_LOCK: bool = true;

    fn lock(&self) -> StateGuard<'_, Waiters> {
        self.waiters.lock()
    }

    fn waiters(state: &mut Waiters) -> &mut Waiters {
        state
    }

    fn try_now(&self, waiters: &mut Waiters, (): &mut (), _: &mut WakeList) -> Option<()> {
        // `WAITERS` only changes under the internal lock, which we hold, so
        // this load sees it as it is; `LOCKED` may be stale, which the CAS
        // below catches.
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state & WAITERS != 0 {
                // Behind the queued waiters: no CAS, the word stays.
                debug_assert!(!waiters.is_empty(), "WAITERS set with no waiter");
                return None;
            }
            // Free and nobody queued: take it. Held: record that we are
            // about to queue, in a CAS that saw `LOCKED`, so the owner's
            // unlock CAS fails and hands off to us (module docs).
            let (new, took) = if state == 0 {
                (LOCKED, true)
            } else {
                (LOCKED | WAITERS, false)
            };
            match self
                .state
                .compare_exchange(state, new, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return took.then_some(()),
                Err(actual) => state = actual,
            }
        }
    }

    fn give_back(&self, waiters: &mut Waiters, (): (), (): (), wakes: &mut WakeList) {
        // Handed the lock, then dropped before it ran: it owns the lock, so
        // it passes it on as an unlock would (nobody else can: `LOCKED`
        // stayed set).
        self.hand_off(waiters, wakes);
    }

    fn unlinked(&self, waiters: &mut Waiters, (): (), _: &mut WakeList) {
        // Dropped while queued: it took nothing. If it was the last waiter,
        // clear `WAITERS` (the word was `LOCKED | WAITERS`, which no fast
        // path changes), so the owner's next unlock is the fast one again.
        if waiters.is_empty() {
            debug_assert_eq!(self.state.load(Ordering::Relaxed), LOCKED | WAITERS);
            self.state.store(LOCKED, Ordering::Relaxed);
        }
    }
}

/// An async mutex protecting a `T`, strictly FIFO-fair: tasks get the lock
/// in the order they started waiting for it, and nobody barges in.
///
/// asyncio's `Lock` is `Mutex<()>`: `async with lock:` is
/// `let _guard = lock.lock().await;`, `lock.locked()` is
/// [`locked`](Self::locked).
///
/// # Fairness
/// As asyncio's `Lock` (and tokio's `Mutex`):
/// - **Hand-off.** An unlock while tasks wait passes the lock directly to
///   the one that has waited longest and wakes it. The lock stays held
///   throughout: no other task can take it in between, even before the new
///   owner has run.
/// - **No barging.** [`lock`](Self::lock) takes the lock at once only if it
///   is free *and* nobody waits; otherwise it queues at the back.
///   [`try_lock`](Self::try_lock) succeeds only in that same case. So a
///   task that releases the lock and at once asks for it again goes behind
///   every task already waiting.
/// - **No starvation.** Each unlock serves the oldest waiter.
///
/// Under heavy contention this makes a convoy: every contended unlock wakes
/// the next owner, and the lock is idle until that task runs.
///
/// While nobody waits, locking and unlocking take no internal lock: one
/// atomic compare-and-swap each.
///
/// [`lock`](Self::lock) is cancel-safe: dropping the future while it waits
/// leaves the queue; dropping it after the lock was handed to it (before it
/// ran) passes the lock on to the next waiter, or frees it.
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

    /// Waits for the lock and returns a guard that unlocks on drop. Takes
    /// the lock at once only if it is free and nobody waits; otherwise
    /// queues behind every older waiter (see the type's docs).
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

    /// Takes the lock if it is free and nobody waits for it (a waiter comes
    /// first, even right after an unlock: see the type's docs).
    ///
    /// # Errors
    /// [`TryLockError`] if it is held (or was just handed to a waiter), or
    /// tasks are waiting for it.
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

    /// asyncio's `locked()`: whether the lock is held, counting a lock
    /// handed to a waiter that has not run yet (asyncio says `False` there,
    /// though a new `acquire` must wait all the same). A snapshot: another
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

    /// The raw state word.
    fn state<T>(mutex: &Mutex<T>) -> usize {
        mutex.raw.state.load(Ordering::Relaxed)
    }

    /// A holds the lock; B, C, D queue in that order and acquire in that
    /// order, each handed the lock by the previous owner's unlock (asyncio:
    /// "the first coroutine that started waiting on the lock" proceeds).
    #[test]
    fn queued_waiters_acquire_in_the_order_they_queued() {
        let mutex = Mutex::new(Vec::new());
        let a = mutex.try_lock().unwrap();
        let lock = &mutex;
        let mut waiters: Vec<_> = ["B", "C", "D"]
            .into_iter()
            .map(|name| Probe::new(async move { lock.lock().await.push(name) }))
            .collect();
        for waiter in &mut waiters {
            waiter.pending();
        }
        assert_eq!(state(&mutex), LOCKED | WAITERS);
        drop(a);
        for served in 0..3 {
            let wakes: Vec<_> = waiters.iter().map(Probe::wakes).collect();
            let expected: Vec<_> = (0..3).map(|i| usize::from(i <= served)).collect();
            assert_eq!(wakes, expected, "only the head is handed the lock");
            assert!(mutex.locked(), "handed over, never free in between");
            // Completing the head's task unlocks, handing on to the next.
            waiters[served].ready();
        }
        drop(waiters);
        assert_eq!(state(&mutex), 0);
        assert_eq!(mutex.into_inner(), ["B", "C", "D"]);
    }

    /// No barging: right after an unlock that handed the lock to a queued
    /// waiter (which has not run yet), `try_lock` fails and a new `lock()`
    /// queues behind it, although no guard exists at that moment.
    #[test]
    fn nobody_takes_a_lock_handed_to_a_waiter_that_has_not_run() {
        let mutex = Mutex::new(Vec::new());
        let guard = mutex.try_lock().unwrap();
        let mut waiter = Probe::new(async { mutex.lock().await.push("waiter") });
        waiter.pending();
        drop(guard);
        assert_eq!(waiter.wakes(), 1);
        assert!(mutex.try_lock().is_err(), "the lock is the waiter's");
        let mut newcomer = Probe::new(async { mutex.lock().await.push("newcomer") });
        newcomer.pending();
        assert_eq!(newcomer.wakes(), 0);
        waiter.ready();
        assert_eq!(newcomer.wakes(), 1);
        assert!(mutex.try_lock().is_err(), "now the newcomer's");
        newcomer.ready();
        drop((waiter, newcomer));
        assert_eq!(state(&mutex), 0);
        assert_eq!(mutex.into_inner(), ["waiter", "newcomer"]);
    }

    /// `try_lock` (and a `lock()` first attempt) fail while anyone is
    /// queued, whoever holds the lock.
    #[test]
    fn try_lock_fails_while_anyone_waits() {
        let mutex = Mutex::new(());
        let guard = mutex.try_lock().unwrap();
        let mut first = Probe::new(mutex.lock());
        let mut second = Probe::new(mutex.lock());
        first.pending();
        second.pending();
        drop(guard);
        assert!(mutex.try_lock().is_err());
        let first_guard = first.ready();
        assert!(mutex.try_lock().is_err(), "held, and `second` waits");
        drop(first_guard);
        assert!(mutex.try_lock().is_err(), "handed to `second`");
        drop(second.ready());
        assert!(mutex.try_lock().is_ok(), "free, nobody waits");
    }

    /// asyncio's fairness test: with the lock held and tasks waiting, the
    /// holder releases it and at once asks for it again: it goes behind
    /// every task that was already waiting.
    #[test]
    fn the_releasing_task_goes_behind_the_queued_waiters() {
        let mutex = &Mutex::new(Vec::new());
        let held = mutex.try_lock().unwrap();
        let mut b = Probe::new(async { mutex.lock().await.push("B") });
        let mut c = Probe::new(async { mutex.lock().await.push("C") });
        b.pending();
        c.pending();
        drop(held);
        let mut again = Probe::new(async { mutex.lock().await.push("releaser") });
        again.pending();
        b.ready();
        assert_eq!((c.wakes(), again.wakes()), (1, 0));
        c.ready();
        assert_eq!(again.wakes(), 1);
        again.ready();
        drop((b, c, again));
        assert_eq!(*mutex.try_lock().unwrap(), ["B", "C", "releaser"]);
    }

    /// A waiter cancelled while queued takes nothing and is skipped; when
    /// the last one leaves, the fast unlock works again.
    #[test]
    fn a_waiter_cancelled_while_queued_is_skipped() {
        let mutex = Mutex::new(Vec::new());
        let guard = mutex.try_lock().unwrap();
        let mut a = Probe::new(async { mutex.lock().await.push("a") });
        let mut b = Probe::new(async { mutex.lock().await.push("b") });
        let mut c = Probe::new(async { mutex.lock().await.push("c") });
        a.pending();
        b.pending();
        c.pending();
        drop(b);
        drop(guard);
        assert_eq!((a.wakes(), c.wakes()), (1, 0));
        a.ready();
        assert_eq!(c.wakes(), 1);
        c.ready();
        drop((a, c));
        assert_eq!(mutex.into_inner(), ["a", "c"]);

        let mutex = Mutex::new(());
        let guard = mutex.try_lock().unwrap();
        let mut only = Probe::new(mutex.lock());
        only.pending();
        drop(only);
        assert_eq!(state(&mutex), LOCKED, "WAITERS cleared with the last");
        drop(guard);
        assert_eq!(state(&mutex), 0);
    }

    /// A waiter dropped after the lock was handed to it (woken, not yet
    /// polled) passes the lock to the next waiter; with nobody behind it,
    /// frees it.
    #[test]
    fn a_waiter_dropped_after_the_hand_off_passes_the_lock_on() {
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
        assert!(mutex.try_lock().is_err(), "passed on, not freed");
        drop(second.ready());
        assert_eq!(state(&mutex), 0);

        let guard = mutex.try_lock().unwrap();
        let mut only = Probe::new(mutex.lock());
        only.pending();
        drop(guard);
        assert_eq!(state(&mutex), LOCKED, "the lock is `only`'s");
        drop(only);
        assert_eq!(state(&mutex), 0, "freed, no stale bits");
        assert!(mutex.try_lock().is_ok());
    }

    /// A queued waiter polled again (a spurious wake-up) stays queued, in
    /// its place.
    #[test]
    fn a_queued_waiter_polled_again_keeps_its_place() {
        let mutex = Mutex::new(Vec::new());
        let guard = mutex.try_lock().unwrap();
        let mut a = Probe::new(async { mutex.lock().await.push("a") });
        let mut b = Probe::new(async { mutex.lock().await.push("b") });
        a.pending();
        b.pending();
        b.pending();
        a.pending();
        drop(guard);
        assert_eq!((a.wakes(), b.wakes()), (1, 0));
        a.ready();
        b.ready();
        drop((a, b));
        assert_eq!(mutex.into_inner(), ["a", "b"]);
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
