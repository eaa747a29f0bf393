//! [`BoundedSemaphore`]: asyncio's `BoundedSemaphore`, a semaphore whose
//! `release` refuses to raise the count above its initial value.
//!
//! It is a [`Semaphore`] plus its limit. asyncio's API is manual
//! (`acquire()` then `release()`), and catching a release without a matching
//! acquire is the whole point of the type, so `acquire` here returns no guard:
//! the caller releases explicitly. (For guard-based code, use [`Semaphore`],
//! whose permits cannot be released twice.)
//!
//! ```
//! use futures::executor::block_on;
//! use runtime_sync::{BoundedSemaphore, TooManyReleases};
//!
//! let semaphore = BoundedSemaphore::new(2);
//! block_on(semaphore.acquire());
//! assert_eq!(semaphore.release(), Ok(()));
//! assert_eq!(semaphore.release(), Err(TooManyReleases { limit: 2 }));
//! ```

use std::fmt;

use crate::error::{TooManyReleases, TryAcquireError};
use crate::semaphore::Semaphore;

/// A semaphore that cannot be released more times than it was acquired.
///
/// Waiters are served in FIFO order with no barging, and `acquire` is
/// cancel-safe, exactly as with [`Semaphore`] (which it is built on).
///
/// ```
/// use runtime_sync::BoundedSemaphore;
///
/// let semaphore = BoundedSemaphore::new(1);
/// semaphore.try_acquire().unwrap();
/// assert!(semaphore.locked());
/// semaphore.release().unwrap();
/// assert!(semaphore.release().is_err()); // one acquire, one release
/// ```
pub struct BoundedSemaphore {
    semaphore: Semaphore,
    limit: usize,
}

impl BoundedSemaphore {
    /// A semaphore with `value` permits, which is also the most it can hold.
    pub fn new(value: usize) -> Self {
        Self {
            semaphore: Semaphore::new(value),
            limit: value,
        }
    }

    /// Waits for a permit (FIFO); give it back with
    /// [`release`](Self::release).
    ///
    /// # Cancel safety
    /// Dropping the future while it waits gives up its place; dropping it
    /// after a permit was handed to it returns the permit.
    pub async fn acquire(&self) {
        // A bounded semaphore is never closed, so the acquire cannot fail.
        if let Ok(permit) = self.semaphore.acquire().await {
            permit.forget();
        }
    }

    /// Takes a permit if one is free and nobody is waiting.
    ///
    /// # Errors
    /// [`TryAcquireError::NoPermits`] if none is free or older waiters are
    /// queued.
    pub fn try_acquire(&self) -> Result<(), TryAcquireError> {
        self.semaphore.try_acquire().map(|permit| permit.forget())
    }

    /// Returns one permit (to the oldest waiter, if any).
    ///
    /// # Errors
    /// [`TooManyReleases`] if all `limit` permits are already free: this
    /// release has no matching acquire. Nothing changes then.
    pub fn release(&self) -> Result<(), TooManyReleases> {
        self.semaphore.release_bounded(self.limit)
    }

    /// asyncio's `locked()`: whether an acquire would wait now. A snapshot.
    pub fn locked(&self) -> bool {
        self.semaphore.locked()
    }

    /// The number of free permits (a snapshot).
    pub fn available_permits(&self) -> usize {
        self.semaphore.available_permits()
    }

    /// The initial value: the most permits the semaphore can hold.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedSemaphore")
            .field("permits", &self.available_permits())
            .field("limit", &self.limit)
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::test_support::Probe;

    #[test]
    fn release_past_the_initial_value_fails_and_changes_nothing() {
        let semaphore = BoundedSemaphore::new(1);
        assert_eq!(semaphore.release(), Err(TooManyReleases { limit: 1 }));
        assert_eq!(semaphore.available_permits(), 1);
        semaphore.try_acquire().unwrap();
        assert!(semaphore.locked());
        assert_eq!(semaphore.release(), Ok(()));
        assert_eq!(semaphore.release(), Err(TooManyReleases { limit: 1 }));
        assert_eq!(semaphore.available_permits(), 1);
    }

    #[test]
    fn release_hands_the_permit_to_the_oldest_waiter() {
        let semaphore = BoundedSemaphore::new(1);
        semaphore.try_acquire().unwrap();
        let mut first = Probe::new(semaphore.acquire());
        let mut second = Probe::new(semaphore.acquire());
        first.pending();
        second.pending();
        semaphore.release().unwrap();
        assert_eq!((first.wakes(), second.wakes()), (1, 0));
        assert_eq!(semaphore.try_acquire(), Err(TryAcquireError::NoPermits));
        first.ready();
        second.pending();
        semaphore.release().unwrap();
        second.ready();
        semaphore.release().unwrap();
        assert_eq!(semaphore.release(), Err(TooManyReleases { limit: 1 }));
    }

    #[test]
    fn a_dropped_acquire_after_hand_off_returns_the_permit() {
        let semaphore = BoundedSemaphore::new(1);
        semaphore.try_acquire().unwrap();
        let mut waiting = Probe::new(semaphore.acquire());
        waiting.pending();
        semaphore.release().unwrap();
        assert_eq!(semaphore.available_permits(), 0);
        drop(waiting);
        assert_eq!(semaphore.available_permits(), 1);
        assert_eq!(semaphore.limit(), 1);
    }
}
