//! [`Condition`]: asyncio's `Condition`, a condition variable for the
//! async [`Mutex`].
//!
//! `wait(guard)` queues the task on the condition *before* it unlocks the
//! mutex: a notifier must hold the mutex to change the shared state, so it
//! can only notify after the waiter is queued — no lost wake-up. Once
//! notified, the waiter re-locks the mutex (queuing behind other lockers,
//! FIFO) and returns the guard.
//!
//! A notification handed to a waiter that is dropped before it returns is
//! passed on to the next waiter (Python 3.13 does the same), so a `notify(1)`
//! is never swallowed by a cancelled task; the cost is at most a spurious
//! wake-up, which condition-variable code tolerates by re-checking its
//! predicate ([`wait_for`](Condition::wait_for) does).
//!
//! ```
//! use std::sync::Arc;
//! use futures::executor::{block_on, ThreadPool};
//! use futures::task::SpawnExt;
//! use runtime_sync::{Condition, Mutex};
//!
//! let pool = ThreadPool::builder().pool_size(2).create().unwrap();
//! let shared = Arc::new((Mutex::new(false), Condition::new()));
//! let waiter = {
//!     let shared = shared.clone();
//!     pool.spawn_with_handle(async move {
//!         let (ready, condition) = &*shared;
//!         let guard = condition.wait_for(ready.lock().await, |ready| *ready).await;
//!         *guard
//!     })
//!     .unwrap()
//! };
//! block_on(async {
//!     let (ready, condition) = &*shared;
//!     *ready.lock().await = true;
//!     condition.notify_all();
//! });
//! assert!(block_on(waiter));
//! ```

use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::pin;

use crate::mutex::MutexGuard;
use crate::primitives::{Mutex, MutexGuard as StateGuard};
use crate::waiters::{Wait, Waitable, WaiterList, WakeList};

/// A condition variable: tasks [`wait`](Self::wait) with a [`Mutex`]'s
/// guard until another task [`notify`](Self::notify)-es them.
///
/// Use one condition with one mutex (the one guarding the state the
/// predicate reads), and notify while holding that mutex — asyncio requires
/// the lock for `notify`; here it is the caller's duty, as with
/// `std::sync::Condvar`. Waiters are notified in the order they started
/// waiting; woken together (`notify_all`), they re-lock the mutex in the
/// order their executor runs them.
///
/// ```
/// use std::rc::Rc;
/// use futures::executor::LocalPool;
/// use futures::task::LocalSpawnExt;
/// use runtime_sync::{Condition, Mutex};
///
/// let mut pool = LocalPool::new();
/// let shared = Rc::new((Mutex::new(0), Condition::new()));
/// let waiter = {
///     let shared = shared.clone();
///     pool.spawner()
///         .spawn_local_with_handle(async move {
///             let (count, condition) = &*shared;
///             *condition.wait_for(count.lock().await, |n| *n > 0).await
///         })
///         .unwrap()
/// };
/// pool.run_until_stalled();
/// // The waiter released the mutex while it waits.
/// *shared.0.try_lock().unwrap() = 3;
/// shared.1.notify_all();
/// assert_eq!(pool.run_until(waiter), 3);
/// ```
///
/// [`Mutex`]: crate::Mutex
pub struct Condition {
    waiters: Mutex<WaiterList<(), ()>>,
}

impl Condition {
    /// A condition with no waiters.
    pub fn new() -> Self {
        Self {
            waiters: Mutex::new(WaiterList::new()),
        }
    }

    /// Unlocks `guard`'s mutex, waits until notified, re-locks the mutex
    /// (FIFO among its lockers) and returns the new guard.
    ///
    /// As with every condition variable, re-check the state after waking
    /// (or use [`wait_for`](Self::wait_for)): another task may have changed
    /// it between the notify and the re-lock.
    ///
    /// # Cancel safety
    /// Dropped before it was notified, the future just leaves the queue
    /// (and the mutex stays unlocked). Dropped after a notification reached
    /// it, it passes the notification on to the next waiter.
    pub async fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        let mutex = MutexGuard::mutex(&guard);
        let mut guard = Some(guard);
        let mut notified = pin!(Wait::new(self, ()));
        poll_fn(|cx| {
            let polled = notified.as_mut().poll(cx);
            // The first poll has queued us (under the condition's lock, now
            // released): only now may the mutex go, so that its next
            // holder's notify finds us.
            drop(guard.take());
            polled
        })
        .await;
        // The notification is ours now; if we are dropped before we return,
        // hand it to another waiter instead of losing it.
        let pass_on = PassOnIfDropped(Some(self));
        let guard = mutex.lock().await;
        pass_on.disarm();
        guard
    }

    /// Waits (as [`wait`](Self::wait), repeatedly) until `predicate`, called
    /// with the mutex held, returns `true`; returns the guard. Returns at
    /// once if it is already true.
    pub async fn wait_for<'a, T>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut predicate: impl FnMut(&mut T) -> bool,
    ) -> MutexGuard<'a, T> {
        while !predicate(&mut guard) {
            guard = self.wait(guard).await;
        }
        guard
    }

    /// Wakes up to `n` waiters, oldest first. Waiters that arrive later are
    /// not affected.
    pub fn notify(&self, n: usize) {
        let mut wakes = WakeList::new();
        let mut waiters = self.waiters.lock();
        for _ in 0..n {
            if waiters.notify_front((), &mut wakes).is_err() {
                break;
            }
        }
        drop(waiters);
        drop(wakes);
    }

    /// Wakes the oldest waiter, if any (`notify(1)`).
    pub fn notify_one(&self) {
        self.notify(1);
    }

    /// Wakes every current waiter.
    pub fn notify_all(&self) {
        let mut wakes = WakeList::new();
        self.waiters.lock().notify_all(|_| (), &mut wakes);
        drop(wakes);
    }
}

impl Waitable for &Condition {
    type State = WaiterList<(), ()>;
    type Request = ();
    type Value = ();

    fn lock(&self) -> StateGuard<'_, Self::State> {
        self.waiters.lock()
    }

    fn waiters(state: &mut Self::State) -> &mut WaiterList<(), ()> {
        state
    }

    fn try_now(&self, _: &mut Self::State, _: &mut (), _: &mut WakeList) -> Option<()> {
        // A wait always waits for a notify that comes after it.
        None
    }

    fn give_back(&self, waiters: &mut Self::State, _: (), _: (), wakes: &mut WakeList) {
        // Notified but dropped: the notification goes to the next waiter.
        let _ = waiters.notify_front((), wakes);
    }
}

/// Passes one notification on if dropped before `disarm`: a waiter that was
/// notified and then cancelled while re-locking must not swallow it.
struct PassOnIfDropped<'a>(Option<&'a Condition>);

impl PassOnIfDropped<'_> {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for PassOnIfDropped<'_> {
    fn drop(&mut self) {
        if let Some(condition) = self.0 {
            condition.notify(1);
        }
    }
}

impl Default for Condition {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("waiters", &self.waiters.lock().len())
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::Mutex as AsyncMutex;
    use crate::test_support::Probe;

    #[test]
    fn wait_unlocks_and_relocks() {
        let mutex = AsyncMutex::new(0);
        let condition = Condition::new();
        let mut waiter = Probe::new(async {
            let guard = condition.wait(mutex.lock().await).await;
            *guard
        });
        waiter.pending();
        assert!(!mutex.locked(), "waiting released the mutex");
        let mut guard = mutex.try_lock().unwrap();
        *guard = 7;
        condition.notify(1);
        assert_eq!(waiter.wakes(), 1);
        // Notified, but the mutex is still held: it queues for it.
        waiter.pending();
        drop(guard);
        assert_eq!(waiter.ready(), 7);
        assert!(!mutex.locked());
    }

    #[test]
    fn notify_wakes_the_oldest_n() {
        let mutex = AsyncMutex::new(());
        let condition = Condition::new();
        let mut waiters: Vec<_> = (0..3)
            .map(|_| Probe::new(async { drop(condition.wait(mutex.lock().await).await) }))
            .collect();
        for waiter in &mut waiters {
            waiter.pending();
        }
        condition.notify(2);
        let wakes: Vec<_> = waiters.iter().map(Probe::wakes).collect();
        assert_eq!(wakes, [1, 1, 0]);
        condition.notify_one();
        assert_eq!(waiters[2].wakes(), 1);
        for waiter in &mut waiters {
            waiter.ready();
        }
        assert_eq!(format!("{condition:?}"), "Condition { waiters: 0 }");
    }

    #[test]
    fn a_notified_waiter_dropped_passes_the_notification_on() {
        let mutex = AsyncMutex::new(());
        let condition = Condition::default();
        let mut first = Probe::new(async { drop(condition.wait(mutex.lock().await).await) });
        let mut second = Probe::new(async { drop(condition.wait(mutex.lock().await).await) });
        first.pending();
        second.pending();
        condition.notify(1);
        assert_eq!((first.wakes(), second.wakes()), (1, 0));
        drop(first);
        assert_eq!(second.wakes(), 1);
        second.ready();
    }

    #[test]
    fn a_waiter_dropped_while_relocking_passes_the_notification_on() {
        let mutex = AsyncMutex::new(());
        let condition = Condition::new();
        let mut first = Probe::new(async { drop(condition.wait(mutex.lock().await).await) });
        let mut second = Probe::new(async { drop(condition.wait(mutex.lock().await).await) });
        first.pending();
        second.pending();
        let guard = mutex.try_lock().unwrap();
        condition.notify(1);
        first.pending(); // collected the notification, now waits for the mutex
        drop(first);
        assert_eq!(second.wakes(), 1);
        second.pending(); // the mutex is still held
        drop(guard);
        second.ready();
    }

    #[test]
    fn wait_for_returns_at_once_when_true_and_rechecks_after_wakes() {
        let mutex = AsyncMutex::new(0);
        let condition = Condition::new();
        drop(Probe::new(condition.wait_for(mutex.try_lock().unwrap(), |_| true)).ready());
        let mut waiter =
            Probe::new(async { *condition.wait_for(mutex.lock().await, |n| *n >= 2).await });
        waiter.pending();
        *mutex.try_lock().unwrap() = 1;
        condition.notify_all();
        waiter.pending(); // woke, re-checked, waits again
        *mutex.try_lock().unwrap() = 2;
        condition.notify_all();
        assert_eq!(waiter.ready(), 2);
    }

    #[test]
    fn wait_future_is_send() {
        fn send<T: Send>(_: &T) {}
        let mutex = AsyncMutex::new(0u8);
        let condition = Condition::new();
        send(&async { condition.wait(mutex.lock().await).await });
    }
}
