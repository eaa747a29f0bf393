//! The driver seam: how an idle worker waits.
//!
//! A worker with nothing to run parks. Core ships a plain parker (a mutex and
//! condvar per worker). An I/O crate installs a [`Driver`] — e.g. an
//! epoll/kqueue reactor — either up front with
//! [`Builder::driver`](crate::runtime::Builder::driver) or on first use with
//! [`Handle::driver_or_install`](crate::Handle::driver_or_install): from then
//! on one parked worker at a time waits inside the driver instead of on its
//! condvar, so the worker that sleeps is also the one that polls I/O, with
//! no dedicated I/O thread. Busy workers also poll the driver without
//! blocking at every fairness tick, so I/O is seen even when nobody idles.
//! Whoever adds work calls `unpark`, which wakes the worker wherever it waits.
//!
//! A runtime that never installs a driver pays nothing for the seam: its
//! workers sleep on their condvars.

use std::any::Any;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

/// Something an idle worker can block in, such as an I/O reactor.
///
/// The runtime guarantees that at most one thread is inside
/// [`park`](Driver::park) at a time.
pub trait Driver: Send + Sync + 'static {
    /// Blocks until [`unpark`](Driver::unpark) is called, the driver has
    /// events to dispatch (which it dispatches before returning), or
    /// `timeout` passes (`None`: no limit; `Some(Duration::ZERO)`: do not
    /// block at all, only dispatch what is ready). An `unpark` that happened
    /// since the previous `park` returned must make this one return promptly.
    fn park(&self, timeout: Option<Duration>);

    /// Wakes the thread inside `park`, or makes the next `park` return at once.
    fn unpark(&self);

    /// The runtime shut down: nobody will call `park` again. A driver should
    /// fail pending and later operations instead of letting them wait
    /// forever. Called once, after every task was dropped.
    fn shutdown(&self) {}
}

/// A runtime's driver, once installed.
struct Installed {
    driver: Arc<dyn Driver>,
    /// The same object, for [`DriverSlot::get`]'s downcast.
    any: Arc<dyn Any + Send + Sync>,
    /// Set while a thread is inside `driver.park` (only one may be).
    busy: AtomicBool,
}

/// Where a runtime keeps its driver: empty until one is installed, then
/// fixed for the runtime's life.
pub(crate) struct DriverSlot {
    installed: OnceLock<Installed>,
    /// Serialises installation, so `init` runs at most once.
    install_lock: Mutex<()>,
}

impl DriverSlot {
    pub(crate) fn new() -> Arc<DriverSlot> {
        Arc::new(DriverSlot {
            installed: OnceLock::new(),
            install_lock: Mutex::new(()),
        })
    }

    /// A slot holding `driver` from the start (`Builder::driver`).
    pub(crate) fn with<D: Driver>(driver: D) -> Arc<DriverSlot> {
        let slot = DriverSlot::new();
        let _ = slot.installed.set(Installed::new(Arc::new(driver)));
        slot
    }

    /// The installed driver if it is a `D`.
    pub(crate) fn get<D: Driver>(&self) -> Option<Arc<D>> {
        let installed = self.installed.get()?;
        installed.any.clone().downcast::<D>().ok()
    }

    /// The installed driver, installing the one `init` makes if there is
    /// none. The flag says whether this call installed it (the caller must
    /// then unpark the workers so that one of them moves into it).
    pub(crate) fn get_or_install<D: Driver>(
        &self,
        init: impl FnOnce() -> io::Result<D>,
    ) -> io::Result<(Arc<D>, bool)> {
        if let Some(installed) = self.installed.get() {
            return downcast(installed).map(|d| (d, false));
        }
        let _lock = self.install_lock.lock();
        if let Some(installed) = self.installed.get() {
            return downcast(installed).map(|d| (d, false));
        }
        let driver = Arc::new(init()?);
        let _ = self.installed.set(Installed::new(driver.clone()));
        Ok((driver, true))
    }

    /// Lets the driver dispatch whatever is ready, without blocking, unless
    /// another thread is already waiting in it. Cheap when none is installed.
    #[inline]
    pub(crate) fn poll_ready(&self) {
        if let Some(installed) = self.installed.get()
            && installed.try_enter()
        {
            installed.driver.park(Some(Duration::ZERO));
            installed.busy.store(false, Ordering::Release);
        }
    }

    /// Tells the driver that the runtime is gone.
    pub(crate) fn shutdown(&self) {
        if let Some(installed) = self.installed.get() {
            installed.driver.shutdown();
        }
    }
}

impl Installed {
    fn new<D: Driver>(driver: Arc<D>) -> Installed {
        Installed {
            driver: driver.clone(),
            any: driver,
            busy: AtomicBool::new(false),
        }
    }

    fn try_enter(&self) -> bool {
        // A plain load first: a busy driver is the common case on a loaded
        // runtime, and a failed CAS would still take the line exclusively.
        !self.busy.load(Ordering::Relaxed)
            && self
                .busy
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
    }
}

fn downcast<D: Driver>(installed: &Installed) -> io::Result<Arc<D>> {
    installed.any.clone().downcast::<D>().map_err(|_| {
        io::Error::other(format!(
            "this runtime already has a driver of another type than {}",
            std::any::type_name::<D>()
        ))
    })
}

const EMPTY: usize = 0;
const PARKED_CONDVAR: usize = 1;
const PARKED_DRIVER: usize = 2;
const NOTIFIED: usize = 3;

/// One worker's way of sleeping. `unpark` from any thread.
pub(crate) struct Parker {
    state: AtomicUsize,
    lock: Mutex<()>,
    condvar: Condvar,
    driver: Arc<DriverSlot>,
}

impl Parker {
    pub(crate) fn new(driver: Arc<DriverSlot>) -> Parker {
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
        if let Some(installed) = self.driver.installed.get()
            && installed.try_enter()
        {
            self.park_driver(installed, timeout);
            installed.busy.store(false, Ordering::Release);
            return;
        }
        self.park_condvar(timeout);
    }

    fn park_driver(&self, installed: &Installed, timeout: Option<Duration>) {
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
        installed.driver.park(timeout);
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
                // Only reachable after `park_driver` saw the driver installed.
                if let Some(installed) = self.driver.installed.get() {
                    installed.driver.unpark();
                }
            }
            other => unreachable!("invalid parker state {other}"),
        }
    }
}
