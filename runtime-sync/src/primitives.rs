//! The atomics, cells and locks the crate's concurrency-critical code uses:
//! std's (and parking_lot's) in normal builds, loom's under `--cfg loom` so
//! the model checker can explore every interleaving of the same code.
//!
//! Only the waiter lists' bookkeeping, the atomic state words (semaphore,
//! mutex, rwlock, oneshot, queue counters), whose lock-free fast paths race their
//! locked slow paths, and the oneshot's slots go through this shim. The values a user stores in a `Mutex<T>` or `RwLock<T>` live in
//! a plain
//! `std::cell::UnsafeCell`: handing out `&T` / `&mut T` from a guard needs a
//! reference that outlives any closure, and the loom models check mutual
//! exclusion directly instead (a counter of threads inside the lock).

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// An `UnsafeCell` with loom's closure-based access API, so that loom can
/// check that no two accesses to the same cell race.
#[cfg(not(loom))]
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self(std::cell::UnsafeCell::new(value))
    }

    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    #[inline(always)]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

#[cfg(loom)]
pub(crate) use loom::cell::UnsafeCell;

/// A mutex whose `lock` cannot fail (no poisoning), over parking_lot or loom.
///
/// It guards each primitive's bookkeeping (counters and its waiter list) for
/// a few instructions at a time, never across an `.await`.
#[derive(Debug, Default)]
pub(crate) struct Mutex<T> {
    #[cfg(not(loom))]
    inner: parking_lot::Mutex<T>,
    #[cfg(loom)]
    inner: loom::sync::Mutex<T>,
}

#[cfg(not(loom))]
pub(crate) type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;
#[cfg(loom)]
pub(crate) type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

impl<T> Mutex<T> {
    pub(crate) fn new(value: T) -> Self {
        Self {
            #[cfg(not(loom))]
            inner: parking_lot::Mutex::new(value),
            #[cfg(loom)]
            inner: loom::sync::Mutex::new(value),
        }
    }

    #[inline]
    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        #[cfg(not(loom))]
        {
            self.inner.lock()
        }
        #[cfg(loom)]
        {
            self.inner.lock().unwrap()
        }
    }
}

/// A reader-writer lock whose `read` / `write` cannot fail, over parking_lot
/// or loom: it holds a `watch` channel's value, which receivers borrow.
#[derive(Debug, Default)]
pub(crate) struct RwLock<T> {
    #[cfg(not(loom))]
    inner: parking_lot::RwLock<T>,
    #[cfg(loom)]
    inner: loom::sync::RwLock<T>,
}

#[cfg(not(loom))]
pub(crate) type RwLockReadGuard<'a, T> = parking_lot::RwLockReadGuard<'a, T>;
#[cfg(loom)]
pub(crate) type RwLockReadGuard<'a, T> = loom::sync::RwLockReadGuard<'a, T>;

#[cfg(not(loom))]
pub(crate) type RwLockWriteGuard<'a, T> = parking_lot::RwLockWriteGuard<'a, T>;
#[cfg(loom)]
pub(crate) type RwLockWriteGuard<'a, T> = loom::sync::RwLockWriteGuard<'a, T>;

impl<T> RwLock<T> {
    pub(crate) fn new(value: T) -> Self {
        Self {
            #[cfg(not(loom))]
            inner: parking_lot::RwLock::new(value),
            #[cfg(loom)]
            inner: loom::sync::RwLock::new(value),
        }
    }

    #[inline]
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, T> {
        #[cfg(not(loom))]
        {
            self.inner.read()
        }
        #[cfg(loom)]
        {
            self.inner.read().unwrap()
        }
    }

    #[inline]
    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, T> {
        #[cfg(not(loom))]
        {
            self.inner.write()
        }
        #[cfg(loom)]
        {
            self.inner.write().unwrap()
        }
    }
}
