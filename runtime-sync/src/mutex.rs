//! [`Mutex<T>`]: a FIFO-fair async mutex (asyncio `Lock` is `Mutex<()>`).
//!
//! The lock state is one flag and a waiter list under a short internal lock
//! (`RawMutex`). Unlocking while tasks wait does not clear the flag: the lock
//! passes directly to the oldest waiter, so a task that arrives in between
//! finds it held and queues behind — nobody barges, nobody starves.
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
use crate::primitives::{Mutex as StateMutex, MutexGuard as StateGuard};
use crate::waiters::{Wait, Waitable, WaiterList, WakeList};

/// The lock without the data: who holds it, and who waits, in order.
pub(crate) struct RawMutex {
    state: StateMutex<LockState>,
}

pub(crate) struct LockState {
    locked: bool,
    /// Waiters are handed the lock itself (`()`): when notified, they hold it.
    waiters: WaiterList<(), ()>,
}

impl LockState {
    /// Releases the lock: to the oldest waiter if there is one (the flag
    /// stays set: it is theirs now), else it becomes free.
    fn unlock(&mut self, wakes: &mut WakeList) {
        debug_assert!(self.locked, "unlocking a free mutex");
        if self.waiters.notify_front((), wakes).is_err() {
            self.locked = false;
        }
    }
}

impl RawMutex {
    fn new() -> Self {
        Self {
            state: StateMutex::new(LockState {
                locked: false,
                waiters: WaiterList::new(),
            }),
        }
    }

    /// Waits for the lock (FIFO); on return the caller holds it.
    async fn lock(&self) {
        Wait::new(self, ()).await;
    }

    fn try_lock(&self) -> Result<(), TryLockError> {
        let mut state = self.state.lock();
        // A free lock never has waiters (a release hands it to the head), so
        // checking the flag is enough to respect the queue.
        if state.locked {
            Err(TryLockError(()))
        } else {
            state.locked = true;
            Ok(())
        }
    }

    fn unlock(&self) {
        let mut wakes = WakeList::new();
        self.state.lock().unlock(&mut wakes);
        drop(wakes);
    }

    fn is_locked(&self) -> bool {
        self.state.lock().locked
    }
}

impl Waitable for &RawMutex {
    type State = LockState;
    type Request = ();
    type Value = ();

    fn lock(&self) -> StateGuard<'_, LockState> {
        self.state.lock()
    }

    fn waiters(state: &mut LockState) -> &mut WaiterList<(), ()> {
        &mut state.waiters
    }

    fn try_now(&self, state: &mut LockState, _: &mut (), _: &mut WakeList) -> Option<()> {
        (!state.locked).then(|| state.locked = true)
    }

    fn give_back(&self, state: &mut LockState, _: (), _: (), wakes: &mut WakeList) {
        // It was handed the lock and never used it: pass it on.
        state.unlock(wakes);
    }
}

/// An async mutex protecting a `T`, FIFO-fair: [`lock`](Self::lock) waits
/// in arrival order, and an unlock hands the lock straight to the oldest
/// waiter.
///
/// asyncio's `Lock` is `Mutex<()>`: `async with lock:` is
/// `let _guard = lock.lock().await;`, `lock.locked()` is
/// [`locked`](Self::locked).
///
/// [`lock`](Self::lock) is cancel-safe: dropping the future while it waits
/// leaves the queue; dropping it after the lock was handed to it passes the
/// lock to the next waiter (or frees it).
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

    /// Waits for the lock, behind every older waiter, and returns a guard
    /// that unlocks on drop.
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

    /// Takes the lock if it is free.
    ///
    /// # Errors
    /// [`TryLockError`] if it is held (then it may also have waiters, who
    /// come first).
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
    fn unlock_hands_the_lock_to_the_oldest_waiter() {
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
        assert!(mutex.locked(), "the lock went to `first`, not back");
        assert!(mutex.try_lock().is_err(), "no barging");
        assert_eq!((first.wakes(), second.wakes()), (1, 0));
        first.ready();
        assert_eq!(second.wakes(), 1);
        second.ready();
        drop((first, second));
        assert!(!mutex.locked());
        assert_eq!(mutex.into_inner(), [1, 2]);
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
    fn a_waiter_dropped_after_hand_off_passes_the_lock_on() {
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

        // With nobody behind it, the lock is freed.
        let guard = mutex.try_lock().unwrap();
        let mut only = Probe::new(mutex.lock());
        only.pending();
        drop(guard);
        drop(only);
        assert!(mutex.try_lock().is_ok());
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
