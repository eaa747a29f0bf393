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
use crate::primitives::{Mutex as StateMutex, MutexGuard as StateGuard};
use crate::waiters::{Wait, Waitable, WaiterList, WakeList};

/// What a waiter asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    Write,
}

/// The lock without the data: its holders and its queue.
pub(crate) struct RawRwLock {
    state: StateMutex<RwState>,
}

pub(crate) struct RwState {
    /// How many read guards exist (including granted, uncollected ones).
    readers: usize,
    /// Whether a write guard exists (or was granted and not collected).
    writer: bool,
    /// Waiters are handed the access they asked for.
    waiters: WaiterList<(), Access>,
}

impl RwState {
    /// Whether `access` can be granted now, ignoring the queue.
    fn compatible(&self, access: Access) -> bool {
        match access {
            Access::Read => !self.writer,
            Access::Write => !self.writer && self.readers == 0,
        }
    }

    fn grant(&mut self, access: Access) {
        match access {
            Access::Read => self.readers += 1,
            Access::Write => self.writer = true,
        }
    }

    /// Grants access to the head waiters, in order, while the head's
    /// request is compatible with the current holders.
    fn serve(&mut self, wakes: &mut WakeList) {
        let RwState {
            readers,
            writer,
            waiters,
        } = self;
        while waiters.notify_front_if(
            |&mut access| match access {
                Access::Read if !*writer => {
                    *readers += 1;
                    Some(())
                }
                Access::Write if !*writer && *readers == 0 => {
                    *writer = true;
                    Some(())
                }
                _ => None,
            },
            wakes,
        ) {}
    }

    fn release(&mut self, access: Access, wakes: &mut WakeList) {
        match access {
            Access::Read => self.readers -= 1,
            Access::Write => self.writer = false,
        }
        self.serve(wakes);
    }
}

impl RawRwLock {
    fn new() -> Self {
        Self {
            state: StateMutex::new(RwState {
                readers: 0,
                writer: false,
                waiters: WaiterList::new(),
            }),
        }
    }

    async fn acquire(&self, access: Access) {
        Wait::new(self, access).await;
    }

    fn try_acquire(&self, access: Access) -> Result<(), TryLockError> {
        let mut state = self.state.lock();
        if state.waiters.is_empty() && state.compatible(access) {
            state.grant(access);
            Ok(())
        } else {
            Err(TryLockError(()))
        }
    }

    fn release(&self, access: Access) {
        let mut wakes = WakeList::new();
        self.state.lock().release(access, &mut wakes);
        drop(wakes);
    }
}

impl Waitable for &RawRwLock {
    type State = RwState;
    type Request = Access;
    type Value = ();

    fn lock(&self) -> StateGuard<'_, RwState> {
        self.state.lock()
    }

    fn waiters(state: &mut RwState) -> &mut WaiterList<(), Access> {
        &mut state.waiters
    }

    fn try_now(&self, state: &mut RwState, access: &mut Access, _: &mut WakeList) -> Option<()> {
        // Readers too must queue behind any waiter: that is what keeps a
        // waiting writer from starving.
        (state.waiters.is_empty() && state.compatible(*access)).then(|| state.grant(*access))
    }

    fn give_back(&self, state: &mut RwState, access: Access, _: (), wakes: &mut WakeList) {
        state.release(access, wakes);
    }

    fn unlinked(&self, state: &mut RwState, _: Access, wakes: &mut WakeList) {
        // A writer at the head may have been holding back readers that can
        // share the lock with the current readers.
        state.serve(wakes);
    }
}

/// An async reader-writer lock protecting a `T`: many
/// [`read`](Self::read) guards or one [`write`](Self::write) guard at a
/// time, granted in arrival order.
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
    fn accessors() {
        let mut lock = RwLock::from(1);
        *lock.get_mut() += 1;
        assert_eq!(lock.into_inner(), 2);
        assert_eq!(RwLock::<u8>::default().into_inner(), 0);
    }
}
