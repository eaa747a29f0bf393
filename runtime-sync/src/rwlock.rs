//! [`RwLock<T>`]: a FIFO-fair async reader-writer lock.
//!
//! Readers and writers wait in one queue, in arrival order. A release serves
//! the head: a writer once the lock is free, or a run of readers (every
//! reader up to the next queued writer) while no writer holds it. A reader
//! that arrives while a writer waits queues behind the writer, so a stream
//! of readers cannot starve writers, and vice versa.
//!
//! ```
//! use futures::executor::block_on;
//! use runtime_sync::RwLock;
//!
//! let lock = RwLock::new(5);
//! block_on(async {
//!     let (a, b) = (lock.read().await, lock.read().await);
//!     assert_eq!(*a + *b, 10);
//!     assert!(lock.try_write().is_err());
//!     drop((a, b));
//!     *lock.write().await += 1;
//!     assert_eq!(*lock.read().await, 6);
//! });
//! ```

use std::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use crate::error::TryLockError;
use crate::primitives::{AtomicUsize, Mutex as StateMutex, MutexGuard as StateGuard, Ordering};
use crate::waiters::{Wait, Waitable, WaiterList, WakeList};

/// Set while the waiter list is not empty (only changed under the lock).
const WAITERS: usize = 1;
/// A writer holds the lock (or was granted it and has not collected it).
const WRITER: usize = 1 << 1;
/// One reader, in the count above the flag bits.
const ONE_READER: usize = 1 << 2;

/// What a waiter asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    Write,
}

impl Access {
    /// What granting it adds to the state word.
    fn bits(self) -> usize {
        match self {
            Access::Read => ONE_READER,
            Access::Write => WRITER,
        }
    }

    /// Whether it can be granted beside the holders in `state` (ignoring
    /// the queue).
    fn compatible(self, state: usize) -> bool {
        match self {
            Access::Read => state & WRITER == 0,
            Access::Write => state & !WAITERS == 0,
        }
    }
}

/// The lock without the data: one atomic word for its holders, and the
/// queue behind the internal lock.
///
/// The word is the semaphore's design (`semaphore.rs`): the reader count
/// above a `WRITER` and a `WAITERS` bit. `WAITERS` is set exactly while the
/// list is not empty, and only under the lock: an arriving waiter sets it in
/// the CAS that sees it must wait, and queues before unlocking. Fast paths
/// (`try_*`, the first poll of `read`/`write`, every release) are one CAS
/// that succeeds only while `WAITERS` is clear, so while anyone is queued
/// only lock holders change the word, and a release under the lock can
/// grant access to the head waiters in order. No wake-up is lost: a release
/// after the waiter's CAS sees `WAITERS` and takes the lock, which the
/// waiter holds until it is queued. Nobody barges: acquires fail on
/// `WAITERS`.
pub(crate) struct RawRwLock {
    /// Readers `* ONE_READER | WRITER | WAITERS`.
    state: AtomicUsize,
    waiters: StateMutex<WaiterList<(), Access>>,
}

impl RawRwLock {
    fn new() -> Self {
        Self {
            state: AtomicUsize::new(0),
            waiters: StateMutex::new(WaiterList::new()),
        }
    }

    /// Grants `access` in one CAS if nobody waits and it is compatible with
    /// the holders.
    fn try_fast(&self, access: Access) -> bool {
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state & WAITERS != 0 || !access.compatible(state) {
                return false;
            }
            let new = state
                .checked_add(access.bits())
                .expect("RwLock reader count overflowed");
            // Acquire: the last writer's changes to the value are visible.
            match self
                .state
                .compare_exchange_weak(state, new, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return true,
                Err(actual) => state = actual,
            }
        }
    }

    async fn acquire(&self, access: Access) {
        if !self.try_fast(access) {
            Wait::new(self, access).await;
        }
    }

    fn try_acquire(&self, access: Access) -> Result<(), TryLockError> {
        if self.try_fast(access) {
            Ok(())
        } else {
            Err(TryLockError(()))
        }
    }

    fn release(&self, access: Access) {
        // Lock-free while nobody waits: one CAS.
        let mut state = self.state.load(Ordering::Relaxed);
        while state & WAITERS == 0 {
            // Release: our changes to the value reach the next holder.
            match self.state.compare_exchange_weak(
                state,
                state - access.bits(),
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(actual) => state = actual,
            }
        }
        let mut wakes = WakeList::new();
        let mut waiters = self.waiters.lock();
        self.release_locked(&mut waiters, access, &mut wakes);
        drop(waiters);
        drop(wakes);
    }

    /// Under the lock: gives `access` back and serves the head waiters.
    fn release_locked(
        &self,
        waiters: &mut WaiterList<(), Access>,
        access: Access,
        wakes: &mut WakeList,
    ) {
        self.state.fetch_sub(access.bits(), Ordering::AcqRel);
        self.serve(waiters, wakes);
    }

    /// Under the lock: grants access to the head waiters, in order, while
    /// the head's request is compatible with the holders (a run of readers,
    /// or one writer once the lock is free); clears `WAITERS` if that
    /// empties the list. While the list is not empty `WAITERS` is set, so
    /// only lock holders change the word between the load and the add.
    fn serve(&self, waiters: &mut WaiterList<(), Access>, wakes: &mut WakeList) {
        while waiters.notify_front_if(
            |&mut access| {
                let state = self.state.load(Ordering::Acquire);
                access.compatible(state).then(|| {
                    self.state.fetch_add(access.bits(), Ordering::AcqRel);
                })
            },
            wakes,
        ) {}
        if waiters.is_empty() && self.state.load(Ordering::Relaxed) & WAITERS != 0 {
            self.state.fetch_and(!WAITERS, Ordering::AcqRel);
        }
    }
}

impl Waitable for &RawRwLock {
    type State = WaiterList<(), Access>;
    type Request = Access;
    type Value = ();

    fn lock(&self) -> StateGuard<'_, WaiterList<(), Access>> {
        self.waiters.lock()
    }

    fn waiters(state: &mut WaiterList<(), Access>) -> &mut WaiterList<(), Access> {
        state
    }

    fn try_now(
        &self,
        _: &mut WaiterList<(), Access>,
        access: &mut Access,
        _: &mut WakeList,
    ) -> Option<()> {
        // Readers too must queue behind any waiter: that is what keeps a
        // waiting writer from starving. One CAS either grants, or raises
        // `WAITERS` having seen that we must wait.
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            let grant = state & WAITERS == 0 && access.compatible(state);
            let new = if grant {
                state
                    .checked_add(access.bits())
                    .expect("RwLock reader count overflowed")
            } else {
                state | WAITERS
            };
            match self
                .state
                .compare_exchange_weak(state, new, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => return grant.then_some(()),
                Err(actual) => state = actual,
            }
        }
    }

    fn give_back(
        &self,
        waiters: &mut WaiterList<(), Access>,
        access: Access,
        _: (),
        wakes: &mut WakeList,
    ) {
        self.release_locked(waiters, access, wakes);
    }

    fn unlinked(&self, waiters: &mut WaiterList<(), Access>, _: Access, wakes: &mut WakeList) {
        // A writer at the head may have been holding back readers that can
        // share the lock with the current readers; and the last waiter
        // leaving reopens the fast paths.
        self.serve(waiters, wakes);
    }
}

/// An async reader-writer lock protecting a `T`: many
/// [`read`](Self::read) guards or one [`write`](Self::write) guard at a
/// time, granted in arrival order.
///
/// While nobody waits, acquiring and releasing take no internal lock: one
/// atomic compare-and-swap each.
///
/// Both `read` and `write` are cancel-safe: dropping the future while it
/// waits leaves the queue; dropping it after access was granted releases it.
///
/// ```
/// use futures::executor::block_on;
/// use runtime_sync::RwLock;
///
/// let config = RwLock::new(String::from("v1"));
/// block_on(async {
///     config.write().await.push_str("-patched");
///     assert_eq!(*config.read().await, "v1-patched");
/// });
/// ```
pub struct RwLock<T> {
    raw: RawRwLock,
    value: UnsafeCell<T>,
}

// SAFETY: a write guard gives one thread `&mut T` at a time (so `T: Send`);
// read guards give several threads `&T` at once (so `T: Sync`).
unsafe impl<T: Send + Sync> Sync for RwLock<T> {}

impl<T> RwLock<T> {
    /// A new, unlocked lock holding `value`.
    pub fn new(value: T) -> Self {
        Self {
            raw: RawRwLock::new(),
            value: UnsafeCell::new(value),
        }
    }

    /// Waits for shared access, behind every older waiter (readers do not
    /// overtake a queued writer).
    pub async fn read(&self) -> RwLockReadGuard<'_, T> {
        self.raw.acquire(Access::Read).await;
        RwLockReadGuard {
            lock: self,
            _value: PhantomData,
        }
    }

    /// Waits for exclusive access, behind every older waiter.
    pub async fn write(&self) -> RwLockWriteGuard<'_, T> {
        self.raw.acquire(Access::Write).await;
        RwLockWriteGuard {
            lock: self,
            _value: PhantomData,
        }
    }

    /// Takes shared access if no writer holds the lock and nobody waits.
    ///
    /// # Errors
    /// [`TryLockError`] if a writer holds it or waiters are queued.
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        self.raw.try_acquire(Access::Read)?;
        Ok(RwLockReadGuard {
            lock: self,
            _value: PhantomData,
        })
    }

    /// Takes exclusive access if the lock is free.
    ///
    /// # Errors
    /// [`TryLockError`] if anyone holds it or waits for it.
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        self.raw.try_acquire(Access::Write)?;
        Ok(RwLockWriteGuard {
            lock: self,
            _value: PhantomData,
        })
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

    /// Consumes the lock and returns the value.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(guard) => debug.field("value", &&*guard),
            Err(_) => debug.field("value", &format_args!("<locked>")),
        };
        debug.finish()
    }
}

/// Shared access to an [`RwLock`]'s value; released on drop.
#[must_use = "dropping the guard releases the lock at once"]
pub struct RwLockReadGuard<'a, T> {
    lock: &'a RwLock<T>,
    /// `Send`/`Sync` only if `T: Sync`, as `&T` is.
    _value: PhantomData<&'a T>,
}

impl<T> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: a read guard exists, so no writer does: nobody holds `&mut T`.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.raw.release(Access::Read);
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Exclusive access to an [`RwLock`]'s value; released on drop.
#[must_use = "dropping the guard releases the lock at once"]
pub struct RwLockWriteGuard<'a, T> {
    lock: &'a RwLock<T>,
    /// `Send` only if `T: Send`, `Sync` only if `T: Sync`, as `&mut T` is.
    _value: PhantomData<&'a mut T>,
}

impl<T> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: this is the only guard: nobody else reads or writes.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this is the only guard, and `&mut self` makes this the
        // only reference through it.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.raw.release(Access::Write);
    }
}

impl<T: fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::test_support::Probe;

    #[test]
    fn readers_share_and_writers_exclude() {
        let lock = RwLock::new(1);
        let a = lock.try_read().unwrap();
        let b = lock.try_read().unwrap();
        assert_eq!(*a + *b, 2);
        assert!(lock.try_write().is_err());
        drop((a, b));
        let mut w = lock.try_write().unwrap();
        *w = 3;
        assert!(lock.try_read().is_err());
        assert_eq!(format!("{lock:?}"), "RwLock { value: <locked> }");
        drop(w);
        assert_eq!(format!("{lock:?}"), "RwLock { value: 3 }");
    }

    #[test]
    fn a_queued_writer_blocks_later_readers() {
        let lock = RwLock::new(());
        let reader = lock.try_read().unwrap();
        let mut writer = Probe::new(lock.write());
        writer.pending();
        // A new reader could share with `reader`, but the writer came first.
        assert!(lock.try_read().is_err());
        let mut late_reader = Probe::new(lock.read());
        late_reader.pending();
        drop(reader);
        assert_eq!((writer.wakes(), late_reader.wakes()), (1, 0));
        let w = writer.ready();
        late_reader.pending();
        drop(w);
        assert_eq!(late_reader.wakes(), 1);
        drop(late_reader.ready());
        assert!(lock.try_write().is_ok());
    }

    #[test]
    fn a_writer_release_admits_the_run_of_readers_up_to_the_next_writer() {
        let lock = RwLock::new(());
        let w = lock.try_write().unwrap();
        let mut r1 = Probe::new(lock.read());
        let mut r2 = Probe::new(lock.read());
        let mut w2 = Probe::new(lock.write());
        let mut r3 = Probe::new(lock.read());
        for probe in [&mut r1, &mut r2] {
            probe.pending();
        }
        w2.pending();
        r3.pending();
        drop(w);
        assert_eq!(
            (r1.wakes(), r2.wakes(), w2.wakes(), r3.wakes()),
            (1, 1, 0, 0)
        );
        let (g1, g2) = (r1.ready(), r2.ready());
        drop(g1);
        assert_eq!(w2.wakes(), 0);
        drop(g2);
        assert_eq!(w2.wakes(), 1);
        drop(w2.ready());
        drop(r3.ready());
    }

    #[test]
    fn dropping_a_queued_writer_lets_readers_behind_it_in() {
        let lock = RwLock::new(());
        let reader = lock.try_read().unwrap();
        let mut writer = Probe::new(lock.write());
        let mut late_reader = Probe::new(lock.read());
        writer.pending();
        late_reader.pending();
        drop(writer);
        assert_eq!(late_reader.wakes(), 1);
        drop(late_reader.ready());
        drop(reader);
        assert!(lock.try_write().is_ok());
    }

    #[test]
    fn dropping_a_granted_writer_passes_the_lock_on() {
        let lock = RwLock::new(());
        let reader = lock.try_read().unwrap();
        let mut writer = Probe::new(lock.write());
        let mut late_reader = Probe::new(lock.read());
        writer.pending();
        late_reader.pending();
        drop(reader);
        assert_eq!(writer.wakes(), 1);
        drop(writer);
        assert_eq!(late_reader.wakes(), 1);
        drop(late_reader.ready());
        assert!(lock.try_write().is_ok());
    }

    #[test]
    fn the_last_waiter_leaving_reopens_the_fast_paths() {
        let lock = RwLock::new(0);
        let reader = lock.try_read().unwrap();
        let mut writer = Probe::new(lock.write());
        writer.pending();
        assert!(
            lock.try_read().is_err(),
            "a queued writer holds back readers"
        );
        drop(writer);
        assert_eq!(lock.raw.state.load(Ordering::Relaxed), ONE_READER);
        drop((reader, lock.try_read().unwrap()));
        drop(lock.try_write().unwrap());
        assert_eq!(lock.raw.state.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn accessors() {
        let mut lock = RwLock::from(1);
        *lock.get_mut() += 1;
        assert_eq!(lock.into_inner(), 2);
        assert_eq!(RwLock::<u8>::default().into_inner(), 0);
    }
}
