//! [`Semaphore`]: a FIFO-fair counting semaphore (asyncio `Semaphore`), with
//! permits that give themselves back on drop.
//!
//! # Design
//! The free permits live in one atomic word, `state`: the count shifted left
//! by two, a `CLOSED` bit and a `WAITERS` bit. The waiter list sits behind
//! the internal lock. The rules that make the two agree:
//!
//! - `WAITERS` is set exactly while the waiter list is not empty, and it is
//!   only set or cleared with the lock held (an arriving acquire sets it in
//!   the same CAS that sees too few permits, then queues before unlocking;
//!   whoever empties the list clears it before unlocking).
//! - **Fast paths** (`try_acquire*`, the first poll of `acquire*`, a permit
//!   drop, `add_permits`, `release`) are one CAS on `state` that succeeds
//!   only if `WAITERS` is clear: an acquire subtracts, a release adds. They
//!   take no lock. A fast acquire never barges: if anyone is queued it fails.
//! - **Slow paths** take the lock. While the lock is held and `WAITERS` is
//!   set, nobody but the lock holder changes the count (every fast path
//!   fails on the bit), so the holder can hand the free permits to the head
//!   waiters in order (`serve`). While the bit is clear the count is changed
//!   by CAS only, also under the lock, so fast paths can race it freely.
//!
//! No wake-up is lost: an arriving acquire sets `WAITERS` with a CAS that
//! sees the count too low, so a release either came before that CAS (and the
//! CAS sees its permits, and takes them) or comes after it (and sees the bit,
//! and takes the lock, which the acquire holds until it is queued).
//!
//! A release serves the head waiters in order while the free permits cover
//! the head's request, and puts the rest back in the pool; an acquire takes
//! from the pool only when nobody is queued. So a large `acquire_many` at the
//! head makes later small requests wait behind it instead of starving.
//!
//! ```
//! use futures::executor::block_on;
//! use runtime_sync::Semaphore;
//!
//! let semaphore = Semaphore::new(3);
//! block_on(async {
//!     let two = semaphore.acquire_many(2).await.unwrap();
//!     assert_eq!(semaphore.available_permits(), 1);
//!     drop(two);
//!     assert_eq!(semaphore.available_permits(), 3);
//! });
//! ```

use std::fmt;
use std::sync::Arc;

use crate::error::{AcquireError, TooManyReleases, TryAcquireError};
use crate::primitives::{AtomicUsize, Mutex, MutexGuard, Ordering};
use crate::waiters::{Wait, Waitable, WaiterList, WakeList};

/// Set once the semaphore is closed (only under the lock).
const CLOSED: usize = 1;
/// Set while the waiter list is not empty (only changed under the lock).
const WAITERS: usize = 1 << 1;
/// The free-permit count sits above the flag bits.
const SHIFT: usize = 2;

/// The waiters: each asks for a number of permits and is handed `Ok` (they
/// are now its) or `Err(Closed)`.
type Waiters = WaiterList<Result<(), AcquireError>, usize>;

/// A counting semaphore: [`acquire`](Self::acquire) waits for a permit,
/// dropping the [`SemaphorePermit`] returns it (asyncio's `async with sem`).
///
/// Waiters are served strictly in arrival order: a permit released while
/// tasks wait goes to the oldest one (no barging), and a task asking for
/// many permits at once keeps its place — later, smaller requests wait behind
/// it. [`close`](Self::close) fails every pending and future acquire with
/// [`AcquireError::Closed`].
///
/// Every acquire is cancel-safe: dropping the future while it waits leaves
/// the queue; dropping it after permits were handed to it returns them.
///
/// While nobody waits, acquiring and releasing take no lock (one atomic
/// compare-and-swap each).
///
/// ```
/// use std::sync::Arc;
/// use futures::executor::block_on;
/// use runtime_sync::{AcquireError, Semaphore};
///
/// let semaphore = Arc::new(Semaphore::new(1));
/// block_on(async {
///     let permit = semaphore.clone().acquire_owned().await.unwrap();
///     assert!(semaphore.try_acquire().is_err());
///     drop(permit);
///     semaphore.close();
///     assert_eq!(semaphore.acquire().await.unwrap_err(), AcquireError::Closed);
/// });
/// ```
pub struct Semaphore {
    /// Free permits `<< SHIFT`, plus `CLOSED` and `WAITERS` (module docs).
    state: AtomicUsize,
    waiters: Mutex<Waiters>,
}

/// Why a lock-free release did not add its permits.
enum AddError {
    /// Waiters are queued: the release must take the lock and serve them.
    Waiters,
    /// A bounded release would raise the count above its limit.
    TooMany(TooManyReleases),
}

impl Semaphore {
    /// The most free permits a semaphore can count:
    /// [`new`](Self::new) and [`add_permits`](Self::add_permits) panic
    /// beyond it.
    pub const MAX_PERMITS: usize = usize::MAX >> SHIFT;

    /// A semaphore with `permits` free permits.
    ///
    /// # Panics
    /// If `permits` exceeds [`MAX_PERMITS`](Self::MAX_PERMITS).
    pub fn new(permits: usize) -> Self {
        assert!(
            permits <= Self::MAX_PERMITS,
            "semaphore permit count overflowed MAX_PERMITS"
        );
        Self {
            state: AtomicUsize::new(permits << SHIFT),
            waiters: Mutex::new(WaiterList::new()),
        }
    }

    /// Waits for one permit. See [`acquire_many`](Self::acquire_many).
    pub async fn acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.acquire_many(1).await
    }

    /// Waits until `n` permits can be granted together, behind every older
    /// waiter, and returns them as one permit guard.
    ///
    /// While it waits at the head of the queue it holds back every later
    /// acquire (that is what keeps it from starving); a request for more
    /// permits than will ever be free therefore blocks the semaphore until
    /// it is dropped or the semaphore is closed.
    ///
    /// # Errors
    /// [`AcquireError::Closed`] if the semaphore is closed before the
    /// permits were granted (including when it already is).
    ///
    /// # Cancel safety
    /// Dropping the future while it waits gives up its place; dropping it
    /// after the permits were granted (before it was polled again) returns
    /// them to the next waiters.
    pub async fn acquire_many(&self, n: usize) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.acquire_inner(n).await?;
        Ok(SemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// [`acquire`](Self::acquire) for a shared semaphore: the permit holds
    /// an `Arc` instead of a borrow, so it can move into a spawned task.
    pub async fn acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many_owned(1).await
    }

    /// [`acquire_many`](Self::acquire_many) for a shared semaphore.
    pub async fn acquire_many_owned(
        self: Arc<Self>,
        n: usize,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_inner(n).await?;
        Ok(OwnedSemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// Takes `n` permits: at once without the lock if nobody waits and they
    /// are free, else through the waiter protocol. The fast path completes
    /// within one poll, so there is nothing to cancel halfway.
    async fn acquire_inner(&self, n: usize) -> Result<(), AcquireError> {
        match self.try_take(n) {
            Ok(()) => Ok(()),
            Err(TryAcquireError::Closed) => Err(AcquireError::Closed),
            Err(TryAcquireError::NoPermits) => Wait::new(self, n).await,
        }
    }

    /// Takes one permit if one is free and nobody is waiting.
    ///
    /// # Errors
    /// [`TryAcquireError::Closed`] if closed; [`TryAcquireError::NoPermits`]
    /// if no permit is free or older waiters are queued (they come first).
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are free and nobody is waiting.
    ///
    /// # Errors
    /// As [`try_acquire`](Self::try_acquire).
    pub fn try_acquire_many(&self, n: usize) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_take(n)?;
        Ok(SemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// [`try_acquire`](Self::try_acquire) for a shared semaphore.
    ///
    /// # Errors
    /// As [`try_acquire`](Self::try_acquire).
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// [`try_acquire_many`](Self::try_acquire_many) for a shared semaphore.
    ///
    /// # Errors
    /// As [`try_acquire`](Self::try_acquire).
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: usize,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_take(n)?;
        Ok(OwnedSemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// The lock-free acquire: takes `n` permits if they are free and nobody
    /// is queued (`WAITERS` clear), in one CAS.
    fn try_take(&self, n: usize) -> Result<(), TryAcquireError> {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if state & CLOSED != 0 {
                return Err(TryAcquireError::Closed);
            }
            if state & WAITERS != 0 || state >> SHIFT < n {
                return Err(TryAcquireError::NoPermits);
            }
            match self.state.compare_exchange_weak(
                state,
                state - (n << SHIFT),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => state = actual,
            }
        }
    }

    /// Adds `n` free permits by CAS, unless that would make more than
    /// `limit` free, or (if `fast`) waiters are queued: then the caller must
    /// take the lock and serve them instead.
    ///
    /// # Panics
    /// If the count would exceed [`MAX_PERMITS`](Self::MAX_PERMITS).
    fn add(&self, n: usize, limit: usize, fast: bool) -> Result<(), AddError> {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if fast && state & WAITERS != 0 {
                return Err(AddError::Waiters);
            }
            let permits = state >> SHIFT;
            if permits >= limit {
                return Err(AddError::TooMany(TooManyReleases { limit }));
            }
            let permits = permits
                .checked_add(n)
                .filter(|&permits| permits <= Self::MAX_PERMITS)
                .expect("semaphore permit count overflowed MAX_PERMITS");
            let new = (permits << SHIFT) | (state & (CLOSED | WAITERS));
            match self
                .state
                .compare_exchange_weak(state, new, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return Ok(()),
                Err(actual) => state = actual,
            }
        }
    }

    /// Returns `n` permits, at most up to `limit` free: lock-free if nobody
    /// waits, else under the lock, to the head waiters first.
    fn release_inner(&self, n: usize, limit: usize) -> Result<(), TooManyReleases> {
        match self.add(n, limit, true) {
            Ok(()) => Ok(()),
            Err(AddError::TooMany(error)) => Err(error),
            Err(AddError::Waiters) => {
                let mut wakes = WakeList::new();
                let mut waiters = self.waiters.lock();
                let added = self.add_and_serve(&mut waiters, n, limit, &mut wakes);
                drop(waiters);
                drop(wakes);
                added
            }
        }
    }

    /// Under the lock: adds `n` permits (up to `limit` free), then hands
    /// what is free to the head waiters.
    fn add_and_serve(
        &self,
        waiters: &mut Waiters,
        n: usize,
        limit: usize,
        wakes: &mut WakeList,
    ) -> Result<(), TooManyReleases> {
        match self.add(n, limit, false) {
            Ok(()) => {
                self.serve(waiters, wakes);
                Ok(())
            }
            Err(AddError::TooMany(error)) => Err(error),
            Err(AddError::Waiters) => unreachable!("a locked add never defers to waiters"),
        }
    }

    /// Under the lock: hands free permits to the head waiters, in order, for
    /// as long as the head's whole request can be met; clears `WAITERS` if
    /// that empties the list.
    fn serve(&self, waiters: &mut Waiters, wakes: &mut WakeList) {
        // While the list is not empty `WAITERS` is set, so only lock holders
        // change the count: it cannot drop between the load and the take.
        while waiters.notify_front_if(
            |&mut wanted| {
                let permits = self.state.load(Ordering::Acquire) >> SHIFT;
                (wanted <= permits).then(|| {
                    self.state.fetch_sub(wanted << SHIFT, Ordering::AcqRel);
                    Ok(())
                })
            },
            wakes,
        ) {}
        if waiters.is_empty() && self.state.load(Ordering::Acquire) & WAITERS != 0 {
            self.state.fetch_and(!WAITERS, Ordering::AcqRel);
        }
    }

    /// Adds `n` permits: they go to the waiters first, oldest first. Works
    /// on a closed semaphore too (the permits only count).
    ///
    /// # Panics
    /// If the number of free permits would exceed
    /// [`MAX_PERMITS`](Self::MAX_PERMITS).
    pub fn add_permits(&self, n: usize) {
        // No limit: the only error is `TooManyReleases`.
        let _ = self.release_inner(n, usize::MAX);
    }

    /// asyncio's `release()`: adds one permit, as
    /// [`add_permits(1)`](Self::add_permits). A [`SemaphorePermit`] releases
    /// itself on drop; this is for code that keeps count by hand, after
    /// [`SemaphorePermit::forget`].
    pub fn release(&self) {
        self.add_permits(1);
    }

    /// The number of free permits (a snapshot: other threads may change it
    /// at any moment).
    pub fn available_permits(&self) -> usize {
        self.state.load(Ordering::Acquire) >> SHIFT
    }

    /// asyncio's `locked()`: whether an acquire of one permit would wait now
    /// (no free permit, or older waiters queued). A snapshot.
    pub fn locked(&self) -> bool {
        let state = self.state.load(Ordering::Acquire);
        state >> SHIFT == 0 || state & WAITERS != 0
    }

    /// Closes the semaphore: every waiting acquire fails with
    /// [`AcquireError::Closed`], and so does every later one. Permits
    /// already granted stay valid and are returned as usual.
    pub fn close(&self) {
        let mut wakes = WakeList::new();
        let mut waiters = self.waiters.lock();
        self.state.fetch_or(CLOSED, Ordering::AcqRel);
        waiters.notify_all(|_| Err(AcquireError::Closed), &mut wakes);
        self.state.fetch_and(!WAITERS, Ordering::AcqRel);
        drop(waiters);
        drop(wakes);
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Returns `n` permits to the pool (a permit guard's drop).
    fn return_permits(&self, n: usize) {
        if n > 0 {
            self.add_permits(n);
        }
    }

    /// `BoundedSemaphore::release`: one permit back, unless that would make
    /// more than `limit` free.
    pub(crate) fn release_bounded(&self, limit: usize) -> Result<(), TooManyReleases> {
        self.release_inner(1, limit)
    }
}

impl Waitable for &Semaphore {
    type State = Waiters;
    type Request = usize;
    type Value = Result<(), AcquireError>;

    fn lock(&self) -> MutexGuard<'_, Waiters> {
        self.waiters.lock()
    }

    fn waiters(waiters: &mut Waiters) -> &mut Waiters {
        waiters
    }

    /// Under the lock, on arrival: takes the permits if nobody is queued and
    /// they are free; otherwise sets `WAITERS` (in the CAS that saw too few
    /// permits) and lets `Wait` queue the waiter before the lock is released.
    fn try_now(
        &self,
        waiters: &mut Waiters,
        n: &mut usize,
        _: &mut WakeList,
    ) -> Option<Self::Value> {
        let n = *n;
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if state & CLOSED != 0 {
                return Some(Err(AcquireError::Closed));
            }
            if state & WAITERS != 0 {
                debug_assert!(!waiters.is_empty(), "WAITERS set with no waiter");
                return None;
            }
            let (new, taken) = if state >> SHIFT >= n {
                (state - (n << SHIFT), Some(Ok(())))
            } else {
                (state | WAITERS, None)
            };
            match self
                .state
                .compare_exchange_weak(state, new, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return taken,
                Err(actual) => state = actual,
            }
        }
    }

    fn give_back(
        &self,
        waiters: &mut Waiters,
        n: usize,
        granted: Self::Value,
        wakes: &mut WakeList,
    ) {
        if granted.is_ok() {
            // No limit: cannot fail.
            let _ = self.add_and_serve(waiters, n, usize::MAX, wakes);
        }
    }

    fn unlinked(&self, waiters: &mut Waiters, _: usize, wakes: &mut WakeList) {
        // It may have been the head, holding back smaller requests that the
        // free permits already cover; or the last waiter (clear `WAITERS`).
        self.serve(waiters, wakes);
    }
}

impl Default for Semaphore {
    /// A semaphore with no permits.
    fn default() -> Self {
        Self::new(0)
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let waiters = self.waiters.lock().len();
        let state = self.state.load(Ordering::Acquire);
        f.debug_struct("Semaphore")
            .field("permits", &(state >> SHIFT))
            .field("waiters", &waiters)
            .field("closed", &(state & CLOSED != 0))
            .finish()
    }
}

/// Permits borrowed from a [`Semaphore`]; dropping it gives them back.
#[must_use = "dropping the permit releases it at once"]
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
    permits: usize,
}

impl SemaphorePermit<'_> {
    /// How many permits this guard holds.
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// Keeps the permits out of the semaphore for good (they are not
    /// returned on drop): the semaphore's capacity shrinks by that many.
    pub fn forget(mut self) {
        self.permits = 0;
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.semaphore.return_permits(self.permits);
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.permits)
            .finish_non_exhaustive()
    }
}

/// Permits from a shared (`Arc`) [`Semaphore`]; dropping it gives them back.
#[must_use = "dropping the permit releases it at once"]
pub struct OwnedSemaphorePermit {
    semaphore: Arc<Semaphore>,
    permits: usize,
}

impl OwnedSemaphorePermit {
    /// How many permits this guard holds.
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// The semaphore the permits came from.
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.semaphore
    }

    /// Keeps the permits out of the semaphore for good (see
    /// [`SemaphorePermit::forget`]).
    pub fn forget(mut self) {
        self.permits = 0;
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.semaphore.return_permits(self.permits);
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.permits)
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::test_support::Probe;

    #[test]
    fn permits_are_taken_and_given_back() {
        let semaphore = Semaphore::new(3);
        let two = semaphore.try_acquire_many(2).unwrap();
        assert_eq!(two.num_permits(), 2);
        assert_eq!(semaphore.available_permits(), 1);
        assert!(!semaphore.locked());
        let one = semaphore.try_acquire().unwrap();
        assert!(semaphore.locked());
        assert_eq!(
            semaphore.try_acquire().unwrap_err(),
            TryAcquireError::NoPermits
        );
        drop((two, one));
        assert_eq!(semaphore.available_permits(), 3);
    }

    #[test]
    fn waiters_are_served_in_arrival_order() {
        let semaphore = Semaphore::new(0);
        let mut probes: Vec<_> = (0..3).map(|_| Probe::new(semaphore.acquire())).collect();
        for probe in &mut probes {
            probe.pending();
        }
        for served in 0..3 {
            semaphore.add_permits(1);
            let wakes: Vec<_> = probes.iter().map(Probe::wakes).collect();
            let expected: Vec<_> = (0..3).map(|i| usize::from(i <= served)).collect();
            assert_eq!(wakes, expected);
            probes[served].ready().unwrap().forget();
        }
    }

    #[test]
    fn a_large_request_at_the_head_is_not_starved_by_small_ones() {
        let semaphore = Semaphore::new(1);
        let mut large = Probe::new(semaphore.acquire_many(3));
        large.pending();
        // One permit is free, but the large request came first.
        assert_eq!(
            semaphore.try_acquire().unwrap_err(),
            TryAcquireError::NoPermits
        );
        let mut small = Probe::new(semaphore.acquire());
        small.pending();
        semaphore.add_permits(1);
        assert_eq!((large.wakes(), small.wakes()), (0, 0));
        semaphore.add_permits(1);
        assert_eq!((large.wakes(), small.wakes()), (1, 0));
        let large = large.ready().unwrap();
        assert_eq!(large.num_permits(), 3);
        drop(large);
        assert_eq!(small.wakes(), 1);
        drop(small.ready().unwrap());
    }

    #[test]
    fn a_queued_large_request_dropped_lets_the_small_ones_behind_it_in() {
        let semaphore = Semaphore::new(1);
        let mut large = Probe::new(semaphore.acquire_many(2));
        let mut small = Probe::new(semaphore.acquire());
        large.pending();
        small.pending();
        drop(large);
        assert_eq!(small.wakes(), 1);
        assert_eq!(small.ready().unwrap().num_permits(), 1);
    }

    #[test]
    fn permits_handed_to_a_dropped_waiter_go_to_the_next_one() {
        let semaphore = Semaphore::new(0);
        let mut first = Probe::new(semaphore.acquire_many(2));
        let mut second = Probe::new(semaphore.acquire());
        first.pending();
        second.pending();
        semaphore.add_permits(2);
        assert_eq!((first.wakes(), second.wakes()), (1, 0));
        assert_eq!(semaphore.available_permits(), 0);
        drop(first);
        assert_eq!(second.wakes(), 1);
        assert_eq!(semaphore.available_permits(), 1);
        drop(second.ready().unwrap());
        assert_eq!(semaphore.available_permits(), 2);
    }

    #[test]
    fn close_fails_waiters_and_later_acquires_but_not_granted_permits() {
        let semaphore = Semaphore::new(1);
        let held = semaphore.try_acquire().unwrap();
        let mut granted = Probe::new(semaphore.acquire());
        let mut waiting = Probe::new(semaphore.acquire());
        granted.pending();
        waiting.pending();
        drop(held); // handed to `granted`
        semaphore.close();
        assert!(semaphore.is_closed());
        assert_eq!(waiting.ready().unwrap_err(), AcquireError::Closed);
        let permit = granted.ready().unwrap();
        assert_eq!(
            Probe::new(semaphore.acquire()).ready().unwrap_err(),
            AcquireError::Closed
        );
        assert_eq!(
            semaphore.try_acquire().unwrap_err(),
            TryAcquireError::Closed
        );
        drop(permit);
        assert_eq!(semaphore.available_permits(), 1);
    }

    #[test]
    fn owned_permits_hold_the_semaphore() {
        let semaphore = Arc::new(Semaphore::new(2));
        let permit = semaphore.clone().try_acquire_owned().unwrap();
        assert!(Arc::ptr_eq(permit.semaphore(), &semaphore));
        let mut waiting = Probe::new(semaphore.clone().acquire_many_owned(2));
        waiting.pending();
        drop(permit);
        let two = waiting.ready().unwrap();
        assert_eq!(two.num_permits(), 2);
        two.forget();
        assert_eq!(semaphore.available_permits(), 0);
        assert_eq!(
            semaphore.clone().try_acquire_many_owned(1).unwrap_err(),
            TryAcquireError::NoPermits
        );
        semaphore.release();
        let one = Probe::new(semaphore.clone().acquire_owned())
            .ready()
            .unwrap();
        assert_eq!(
            format!("{one:?}"),
            "OwnedSemaphorePermit { permits: 1, .. }"
        );
    }

    #[test]
    fn forget_shrinks_the_semaphore() {
        let semaphore = Semaphore::default();
        semaphore.add_permits(2);
        semaphore.try_acquire().unwrap().forget();
        assert_eq!(semaphore.available_permits(), 1);
        let permit = semaphore.try_acquire().unwrap();
        assert_eq!(format!("{permit:?}"), "SemaphorePermit { permits: 1, .. }");
        assert_eq!(
            format!("{semaphore:?}"),
            "Semaphore { permits: 0, waiters: 0, closed: false }"
        );
    }

    #[test]
    fn zero_permit_requests_queue_only_behind_others() {
        let semaphore = Semaphore::new(0);
        assert_eq!(semaphore.try_acquire_many(0).unwrap().num_permits(), 0);
        let mut one = Probe::new(semaphore.acquire());
        one.pending();
        let mut zero = Probe::new(semaphore.acquire_many(0));
        zero.pending();
        semaphore.add_permits(1);
        assert_eq!((one.wakes(), zero.wakes()), (1, 1));
    }

    #[test]
    #[should_panic(expected = "overflowed")]
    fn overflowing_the_permit_count_panics() {
        let semaphore = Semaphore::new(Semaphore::MAX_PERMITS);
        semaphore.add_permits(1);
    }

    #[test]
    #[should_panic(expected = "overflowed")]
    fn more_than_max_permits_at_creation_panics() {
        let _ = Semaphore::new(Semaphore::MAX_PERMITS + 1);
    }

    #[test]
    fn the_last_waiter_leaving_reopens_the_fast_path() {
        let semaphore = Semaphore::new(1);
        let mut large = Probe::new(semaphore.acquire_many(2));
        large.pending();
        assert!(semaphore.locked());
        assert_eq!(
            semaphore.try_acquire().unwrap_err(),
            TryAcquireError::NoPermits
        );
        drop(large);
        assert!(!semaphore.locked());
        let permit = semaphore.try_acquire().unwrap();
        drop(permit);
        assert_eq!(semaphore.available_permits(), 1);
    }

    #[test]
    fn a_hand_off_to_the_last_waiter_reopens_the_fast_path() {
        let semaphore = Semaphore::new(0);
        let mut waiting = Probe::new(semaphore.acquire());
        waiting.pending();
        semaphore.add_permits(2);
        // One permit went to the waiter, the other is free for anyone.
        assert_eq!(semaphore.available_permits(), 1);
        let newcomer = semaphore.try_acquire().unwrap();
        let permit = waiting.ready().unwrap();
        drop((permit, newcomer));
        assert_eq!(semaphore.available_permits(), 2);
    }

    #[test]
    fn close_clears_the_queue_and_keeps_counting() {
        let semaphore = Semaphore::new(0);
        let mut waiting = Probe::new(semaphore.acquire());
        waiting.pending();
        semaphore.close();
        assert_eq!(waiting.ready().unwrap_err(), AcquireError::Closed);
        semaphore.add_permits(2);
        assert_eq!(semaphore.available_permits(), 2);
        assert_eq!(
            semaphore.try_acquire().unwrap_err(),
            TryAcquireError::Closed
        );
        assert_eq!(
            format!("{semaphore:?}"),
            "Semaphore { permits: 2, waiters: 0, closed: true }"
        );
    }

    #[test]
    fn futures_and_permits_are_send() {
        fn send<T: Send>(_: &T) {}
        let semaphore = Arc::new(Semaphore::new(1));
        send(&semaphore.acquire());
        send(&semaphore.try_acquire().unwrap());
        send(&semaphore.clone().acquire_owned());
    }
}
