//! The multi-thread, work-stealing scheduler.
//!
//! Each worker owns a "run next" (LIFO) slot and a local FIFO deque
//! (`crossbeam_deque::Worker`); tasks spawned or woken from outside go to one
//! global lock-free `Injector`. A worker takes work in this order: every
//! [`GLOBAL_QUEUE_INTERVAL`]th tick the injector first (so injected tasks run
//! even while every worker is busy), then its own deque, then a batch from
//! the injector, then — as one of at most half the workers allowed to
//! search — a batch stolen from a sibling. See `docs/architecture.md`.

mod idle;
pub(crate) mod worker;

#[cfg(all(test, loom))]
mod loom_tests;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossbeam_deque::{Injector, Steal, Stealer};

use crate::blocking::BlockingSpawner;
use crate::driver::{DriverSlot, Parker};
use crate::scheduler::Schedule;
use crate::task::raw::{Notified, RawTask};
use crate::task::registry::Registry;
use crate::time::driver::TimeDriver;

pub(crate) use idle::Idle;

/// A busy worker looks at the injector first once every this many tasks.
/// (Prime, so it does not beat in step with common loop sizes.)
pub(crate) const GLOBAL_QUEUE_INTERVAL: u32 = 61;

/// While the I/O driver keeps waking tasks onto a busy worker, that worker
/// polls it (without blocking) once every this many tasks rather than once
/// per [`GLOBAL_QUEUE_INTERVAL`]. Measured on the 64-connection TCP echo:
/// 31 and 15 were 4 % and 9 % faster than 61, 7 a little faster again;
/// each poll is one `epoll_wait` that returns at once.
pub(crate) const ACTIVE_DRIVER_POLL_INTERVAL: u32 = 7;

/// After this many of those polls in a row found no I/O for the worker, it
/// goes back to polling once per [`GLOBAL_QUEUE_INTERVAL`] (8 × 7 ticks is
/// about one fairness interval).
pub(crate) const IDLE_DRIVER_POLLS_BEFORE_BACKOFF: u32 = 8;

/// At most this many tasks run back to back from the LIFO slot before the
/// slot's task goes to the back of the local queue (so two tasks that wake
/// each other cannot starve the queue).
pub(crate) const MAX_LIFO_POLLS: u32 = 3;

/// State shared by all workers of one runtime.
pub(crate) struct Shared {
    pub(crate) injector: Injector<Notified>,
    pub(crate) stealers: Box<[Stealer<Notified>]>,
    pub(crate) parkers: Box<[Parker]>,
    pub(crate) idle: Idle,
    pub(crate) registry: Registry,
    pub(crate) blocking: BlockingSpawner,
    pub(crate) time: TimeDriver,
    pub(crate) driver: Arc<DriverSlot>,
    /// Debug mode's slow-poll threshold (`None`: debug mode off).
    pub(crate) slow_poll: Option<Duration>,
    shutdown: AtomicBool,
}

impl Shared {
    /// Builds the shared state and each worker's local deque.
    pub(crate) fn new(
        workers: usize,
        driver: Arc<DriverSlot>,
        blocking: BlockingSpawner,
        time: TimeDriver,
        slow_poll: Option<Duration>,
    ) -> (Arc<Shared>, Vec<crossbeam_deque::Worker<Notified>>) {
        let locals: Vec<_> = (0..workers)
            .map(|_| crossbeam_deque::Worker::new_fifo())
            .collect();
        let shared = Arc::new(Shared {
            injector: Injector::new(),
            stealers: locals.iter().map(|w| w.stealer()).collect(),
            parkers: (0..workers).map(|_| Parker::new(driver.clone())).collect(),
            idle: Idle::new(workers),
            registry: Registry::new(workers),
            blocking,
            time,
            driver,
            slow_poll,
            shutdown: AtomicBool::new(false),
        });
        (shared, locals)
    }

    pub(crate) fn workers(&self) -> usize {
        self.parkers.len()
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.shutdown.load(Ordering::Acquire)
    }

    fn schedule_task(self: &Arc<Self>, task: Notified, is_yield: bool) {
        let task = match worker::schedule_on_current(self, task, is_yield) {
            Ok(()) => return,
            Err(task) => task,
        };
        self.push_remote(task);
    }

    /// From a thread that is not one of our workers: the injector.
    pub(crate) fn push_remote(&self, task: Notified) {
        self.injector.push(task);
        self.notify_parked();
        if self.is_shutdown() {
            // Shutdown may already have drained the injector: do not leave
            // a reference behind in it.
            self.drain_injector();
        }
    }

    /// Wakes one sleeping worker if nobody is searching for work.
    pub(crate) fn notify_parked(&self) {
        if let Some(index) = self.idle.worker_to_notify() {
            self.parkers[index].unpark();
        }
    }

    pub(crate) fn has_pending_work(&self) -> bool {
        !self.injector.is_empty() || self.stealers.iter().any(|s| !s.is_empty())
    }

    fn drain_injector(&self) {
        loop {
            match self.injector.steal() {
                Steal::Success(task) => drop(task),
                Steal::Retry => continue,
                Steal::Empty => break,
            }
        }
    }

    /// Stops the workers (they exit their loops and drop their queues) and
    /// refuses new tasks.
    pub(crate) fn begin_shutdown(&self) {
        if self.shutdown.swap(true, Ordering::AcqRel) {
            return;
        }
        self.registry.close();
        for parker in self.parkers.iter() {
            parker.unpark();
        }
    }

    /// After the workers are joined: drop every unfinished future exactly
    /// once, on this thread. A future's destructor may wake or spawn others;
    /// loop until nothing is left.
    pub(crate) fn finish_shutdown(&self) {
        let mut pending = crate::debug::PendingAtShutdown::new(self.slow_poll.is_some());
        loop {
            self.drain_injector();
            match self.registry.pop() {
                Some(task) => {
                    pending.note(task.header());
                    task.shutdown();
                }
                None if self.injector.is_empty() => break,
                None => {}
            }
        }
    }
}

impl Schedule for Arc<Shared> {
    #[inline]
    fn schedule(&self, task: Notified) {
        self.schedule_task(task, false);
    }

    #[inline]
    fn yield_task(&self, task: Notified) {
        self.schedule_task(task, true);
    }

    #[inline]
    fn release(&self, task: RawTask) -> bool {
        self.registry.remove(task)
    }
}
