//! The errors of the locks, semaphores and barriers.
//!
//! Each is a small `Copy` type implementing `std::error::Error`; each says
//! exactly what went wrong and carries what the caller needs to act on it.
//!
//! ```
//! use runtime_sync::{BoundedSemaphore, TooManyReleases};
//!
//! let semaphore = BoundedSemaphore::new(1);
//! assert_eq!(semaphore.release(), Err(TooManyReleases { limit: 1 }));
//! ```

use std::error::Error;
use std::fmt;

/// A semaphore acquire failed because the semaphore was closed
/// ([`Semaphore::close`](crate::Semaphore::close)) before permits could be
/// granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AcquireError {
    /// The semaphore is closed: no more permits will be granted.
    Closed,
}

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AcquireError::Closed => f.write_str("semaphore closed"),
        }
    }
}

impl Error for AcquireError {}

/// Why a `try_acquire` on a semaphore returned without permits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TryAcquireError {
    /// The semaphore is closed.
    Closed,
    /// Not enough permits are free, or older waiters come first.
    NoPermits,
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::Closed => f.write_str("semaphore closed"),
            TryAcquireError::NoPermits => f.write_str("no permits available"),
        }
    }
}

impl Error for TryAcquireError {}

impl From<AcquireError> for TryAcquireError {
    fn from(error: AcquireError) -> Self {
        match error {
            AcquireError::Closed => TryAcquireError::Closed,
        }
    }
}

/// A [`BoundedSemaphore`](crate::BoundedSemaphore) was released more times
/// than it was acquired: the release would have raised its counter above
/// `limit`, its initial value (asyncio raises `ValueError`). The release did
/// nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TooManyReleases {
    /// The semaphore's initial (and maximum) number of permits.
    pub limit: usize,
}

impl fmt::Display for TooManyReleases {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bounded semaphore released too many times (limit {})",
            self.limit
        )
    }
}

impl Error for TooManyReleases {}

/// A `try_lock`, `try_read` or `try_write` found the lock held (or older
/// waiters queued for it, who come first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TryLockError(pub(crate) ());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("lock is held or has waiters")
    }
}

impl Error for TryLockError {}

/// A [`Barrier`](crate::Barrier) was aborted (or reset) while a task waited
/// on it, or a task arrived at an aborted barrier (asyncio's
/// `BrokenBarrierError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BrokenBarrierError(pub(crate) ());

impl fmt::Display for BrokenBarrierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("barrier broken")
    }
}

impl Error for BrokenBarrierError {}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_went_wrong() {
        assert_eq!(AcquireError::Closed.to_string(), "semaphore closed");
        assert_eq!(
            TryAcquireError::NoPermits.to_string(),
            "no permits available"
        );
        assert_eq!(
            TryAcquireError::from(AcquireError::Closed),
            TryAcquireError::Closed
        );
        assert_eq!(
            TooManyReleases { limit: 3 }.to_string(),
            "bounded semaphore released too many times (limit 3)"
        );
        assert_eq!(TryLockError(()).to_string(), "lock is held or has waiters");
        assert_eq!(BrokenBarrierError(()).to_string(), "barrier broken");
    }

    #[test]
    fn errors_are_std_errors() {
        fn check(_: &dyn Error) {}
        check(&AcquireError::Closed);
        check(&TryAcquireError::Closed);
        check(&TooManyReleases { limit: 1 });
        check(&TryLockError(()));
        check(&BrokenBarrierError(()));
    }
}
