//! The driver seam: how an idle worker waits.
//!
//! A worker with nothing to run parks. Core ships a plain parker (a mutex and
//! condvar per worker). An I/O crate can install a [`Driver`] — e.g. an
//! epoll/kqueue reactor — through
//! [`Builder::driver`](crate::runtime::Builder::driver): then one parked worker
//! at a time waits inside the driver instead of on its condvar, so the worker
//! that sleeps is also the one that polls I/O, with no dedicated I/O thread.
//! Whoever adds work calls `unpark`, which wakes the worker wherever it waits.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

/// Something an idle worker can block in, such as an I/O reactor.
///
/// The runtime guarantees that at most one thread is inside
/// [`park`](Driver::park) at a time.
pub trait Driver: Send + Sync + 'static {
    /// Blocks until [`unpark`](Driver::unpark) is called, the driver has
    /// events to dispatch (which it dispatches before returning), or
    /// `timeout` passes (`None`: no limit). An `unpark` that happened since
    /// the previous `park` returned must make this one return promptly.
    fn park(&self, timeout: Option<Duration>);

    /// Wakes the thread inside `park`, or makes the next `park` return at once.
    fn unpark(&self);
}

const EMPTY: usize = 0;
const PARKED_CONDVAR: usize = 1;
const PARKED_DRIVER: usize = 2;
const NOTIFIED: usize = 3;

/// The driver shared by a runtime's workers, with the flag that lets only
/// one of them wait in it.
pub(crate) struct SharedDriver {
    driver: Box<dyn Driver>,
    busy: AtomicBool,
}

impl SharedDriver {
    pub(crate) fn new(driver: Box<dyn Driver>) -> Arc<SharedDriver> {
        Arc::new(SharedDriver {
            driver,
            busy: AtomicBool::new(false),
        })
    }
}

/// One worker's way of sleeping. `unpark` from any thread.
pub(crate) struct Parker {
    state: AtomicUsize,
    lock: Mutex<()>,
    condvar: Condvar,
    driver: Option<Arc<SharedDriver>>,
}

impl Parker {
    pub(crate) fn new(driver: Option<Arc<SharedDriver>>) -> Parker {
        Parker {
            state: AtomicUsize::new(EMPTY),
            lock: Mutex::new(()),
            condvar: Condvar::new(),
            driver,
        }
    }

    /// Sleeps until `unpark` (or `timeout`). Returns at once if `unpark` was
    /// called since the last park.
    pub(crate) fn park(&self, timeout: Option<Duration>) {
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            return;
        }
        if timeout == Some(Duration::ZERO) {
            return;
        }
        if let Some(shared) = &self.driver
            && shared
                .busy
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            self.park_driver(shared, timeout);
            shared.busy.store(false, Ordering::Release);
            return;
        }
        self.park_condvar(timeout);
    }

    fn park_driver(&self, shared: &SharedDriver, timeout: Option<Duration>) {
        match self
            .state
            .compare_exchange(EMPTY, PARKED_DRIVER, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => {}
            Err(_) => {
                // NOTIFIED arrived meanwhile.
                self.state.store(EMPTY, Ordering::Release);
                return;
            }
        }
        shared.driver.park(timeout);
        self.state.store(EMPTY, Ordering::Release);
    }

    fn park_condvar(&self, timeout: Option<Duration>) {
        let mut guard = self.lock.lock();
        match self.state.compare_exchange(
            EMPTY,
            PARKED_CONDVAR,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => {}
            Err(_) => {
                self.state.store(EMPTY, Ordering::Release);
                return;
            }
        }
        let deadline = timeout.and_then(|t| std::time::Instant::now().checked_add(t));
        loop {
            match deadline {
                Some(deadline) => {
                    if self.condvar.wait_until(&mut guard, deadline).timed_out() {
                        break;
                    }
                }
                None => self.condvar.wait(&mut guard),
            }
            if self.state.load(Ordering::Acquire) == NOTIFIED {
                break;
            }
        }
        // Consumes a notification if one arrived (or just leaves PARKED).
        self.state.store(EMPTY, Ordering::Release);
    }

    /// Wakes the parked thread, or makes its next `park` return at once.
    pub(crate) fn unpark(&self) {
        match self.state.swap(NOTIFIED, Ordering::AcqRel) {
            EMPTY | NOTIFIED => {}
            PARKED_CONDVAR => {
                // Taking the lock orders us after the sleeper's check of the
                // state, so the notify cannot slip in before its wait.
                drop(self.lock.lock());
                self.condvar.notify_one();
            }
            PARKED_DRIVER => {
                if let Some(shared) = &self.driver {
                    shared.driver.unpark();
                }
            }
            other => unreachable!("invalid parker state {other}"),
        }
    }
}
