//! [`Event`]: asyncio's `Event`, a flag that tasks can wait to become true.
//!
//! `set` raises the flag and hands every current waiter its wake-up (they
//! return even if the flag is cleared again before they run, as in asyncio,
//! where `set` completes their futures). A waiter that arrives while the flag
//! is up returns at once, without touching the lock: the flag is mirrored in
//! an atomic that is only written under the lock.
//!
//! ```
//! use futures::executor::LocalPool;
//! use futures::task::LocalSpawnExt;
//! use std::rc::Rc;
//! use runtime_sync::Event;
//!
//! let mut pool = LocalPool::new();
//! let event = Rc::new(Event::new());
//! let waiter = {
//!     let event = event.clone();
//!     pool.spawner().spawn_local_with_handle(async move { event.wait().await; "woken" }).unwrap()
//! };
//! pool.run_until_stalled(); // the waiter waits
//! event.set();
//! assert_eq!(pool.run_until(waiter), "woken");
//! ```

use std::fmt;

use crate::primitives::{AtomicBool, Mutex, MutexGuard, Ordering};
use crate::waiters::{Wait, Waitable, WaiterList, WakeList};

/// A flag tasks can wait on: [`set`](Self::set) wakes every waiter,
/// [`clear`](Self::clear) lowers it again, [`wait`](Self::wait) returns at
/// once while it is set.
///
/// ```
/// use futures::executor::block_on;
/// use runtime_sync::Event;
///
/// let event = Event::new();
/// event.set();
/// block_on(event.wait()); // set: returns at once
/// event.clear();
/// assert!(!event.is_set());
/// ```
pub struct Event {
    /// The flag; written only under `state`'s lock, read without it by the
    /// fast paths.
    set: AtomicBool,
    state: Mutex<WaiterList<(), ()>>,
}

impl Event {
    /// A new event, not set.
    pub fn new() -> Self {
        Self {
            set: AtomicBool::new(false),
            state: Mutex::new(WaiterList::new()),
        }
    }

    /// Sets the flag and wakes every task waiting for it. Tasks that call
    /// [`wait`](Self::wait) while it stays set return at once.
    pub fn set(&self) {
        let mut wakes = WakeList::new();
        let mut waiters = self.state.lock();
        self.set.store(true, Ordering::Release);
        waiters.notify_all(|_| (), &mut wakes);
        drop(waiters);
        drop(wakes);
    }

    /// Lowers the flag: later [`wait`](Self::wait)s wait for the next
    /// [`set`](Self::set). Tasks already woken by a `set` still return.
    pub fn clear(&self) {
        let _waiters = self.state.lock();
        self.set.store(false, Ordering::Release);
    }

    /// Whether the flag is set (a snapshot).
    pub fn is_set(&self) -> bool {
        self.set.load(Ordering::Acquire)
    }

    /// Waits until the flag is set; returns at once if it is.
    ///
    /// # Cancel safety
    /// Dropping the future while it waits just leaves the queue; a `set`
    /// that already woke it is not needed by anyone else.
    pub async fn wait(&self) {
        // The fast path: the Acquire load pairs with `set`'s Release store,
        // so what the setter wrote before `set` is visible after `wait`.
        if self.is_set() {
            return;
        }
        Wait::new(self, ()).await;
    }
}

impl Waitable for &Event {
    type State = WaiterList<(), ()>;
    type Request = ();
    type Value = ();

    fn lock(&self) -> MutexGuard<'_, Self::State> {
        self.state.lock()
    }

    fn waiters(state: &mut Self::State) -> &mut WaiterList<(), ()> {
        state
    }

    fn try_now(&self, _: &mut Self::State, _: &mut (), _: &mut WakeList) -> Option<()> {
        // Under the lock, so a concurrent `set` either came before (we see
        // the flag) or comes after (it sees us queued).
        self.is_set().then_some(())
    }

    fn give_back(&self, _: &mut Self::State, _: (), _: (), _: &mut WakeList) {
        // Every waiter got its own wake-up: there is nothing to pass on.
    }
}

impl Default for Event {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("set", &self.is_set())
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::test_support::Probe;

    #[test]
    fn set_wakes_every_waiter_and_clear_does_not_take_it_back() {
        let event = Event::new();
        let mut a = Probe::new(event.wait());
        let mut b = Probe::new(event.wait());
        a.pending();
        b.pending();
        event.set();
        assert_eq!((a.wakes(), b.wakes()), (1, 1));
        event.clear();
        assert!(!event.is_set());
        a.ready();
        b.ready();
    }

    #[test]
    fn a_waiter_after_set_returns_at_once_and_after_clear_waits() {
        let event = Event::default();
        event.set();
        assert!(event.is_set());
        Probe::new(event.wait()).ready();
        event.clear();
        let mut late = Probe::new(event.wait());
        late.pending();
        drop(late);
        assert_eq!(format!("{event:?}"), "Event { set: false, .. }");
    }

    #[test]
    fn dropping_a_waiter_does_not_disturb_the_others() {
        let event = Event::new();
        let mut gone = Probe::new(event.wait());
        let mut stays = Probe::new(event.wait());
        gone.pending();
        stays.pending();
        drop(gone);
        event.set();
        assert_eq!(stays.wakes(), 1);
        stays.ready();
    }
}
