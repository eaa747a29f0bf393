//! The current-thread scheduler: asyncio's own model. One thread drives
//! everything; all ready tasks wait in one FIFO queue, so `yield_now()` lets
//! every other ready task run exactly once. `!Send` futures are allowed
//! (`spawn_local`): they run only on the runtime's *home* thread, the one that
//! built it.

use std::cell::Cell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::ptr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::ThreadId;
use std::time::Duration;

use parking_lot::Mutex;

use crate::blocking::BlockingSpawner;
use crate::driver::{DriverSlot, Parker};
use crate::scheduler::{PollClock, Schedule};
use crate::task::raw::{Notified, RawTask, Spawn};
use crate::task::registry::Registry;
use crate::task::{self, Task};
use crate::time::driver::TimeDriver;

/// How many queued tasks run before the future given to `block_on` is
/// polled again (if it was woken).
const TASKS_PER_TICK: usize = 61;

pub(crate) struct Shared {
    queue: Mutex<VecDeque<Notified>>,
    parker: Parker,
    pub(crate) driver: Arc<DriverSlot>,
    pub(crate) registry: Registry,
    pub(crate) blocking: BlockingSpawner,
    pub(crate) time: TimeDriver,
    home: ThreadId,
    /// Held by the thread inside `block_on`: one driver at a time.
    driving: Mutex<()>,
    /// Debug mode's slow-poll threshold (`None`: debug mode off).
    pub(crate) slow_poll: Option<Duration>,
}

std::thread_local! {
    /// The scheduler this thread is driving, if any (its wakes need no unpark).
    static DRIVING: Cell<*const Shared> = const { Cell::new(ptr::null()) };
}

struct DrivingGuard(*const Shared);

impl DrivingGuard {
    fn enter(shared: &Shared) -> DrivingGuard {
        DrivingGuard(DRIVING.with(|d| d.replace(shared as *const Shared)))
    }
}

impl Drop for DrivingGuard {
    fn drop(&mut self) {
        DRIVING.with(|d| d.set(self.0));
    }
}

/// Wakes the `block_on` future: a flag plus an unpark.
struct MainWaker {
    woken: AtomicBool,
    shared: Arc<Shared>,
}

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.woken.swap(true, Ordering::AcqRel) {
            self.shared.parker.unpark();
        }
    }
}

impl Shared {
    pub(crate) fn new(
        driver: Arc<DriverSlot>,
        blocking: BlockingSpawner,
        time: TimeDriver,
        slow_poll: Option<Duration>,
    ) -> Arc<Shared> {
        Arc::new(Shared {
            queue: Mutex::new(VecDeque::new()),
            parker: Parker::new(driver.clone()),
            driver,
            registry: Registry::new(1),
            blocking,
            time,
            home: std::thread::current().id(),
            driving: Mutex::new(()),
            slow_poll,
        })
    }

    pub(crate) fn is_home_thread(&self) -> bool {
        std::thread::current().id() == self.home
    }

    pub(crate) fn spawn<F>(self: &Arc<Self>, future: F, spawn: Spawn) -> Task<F::Output>
    where
        F: Future + 'static,
    {
        let (task, notified) = task::new_task(future, self.clone(), &self.registry, spawn);
        if let Some(notified) = notified {
            self.push(notified);
        }
        task
    }

    /// Wakes the driving thread (if parked) so it re-plans its sleep.
    pub(crate) fn unpark(&self) {
        if !ptr::eq(DRIVING.with(|d| d.get()), self) {
            self.parker.unpark();
        }
    }

    fn push(&self, task: Notified) {
        self.queue.lock().push_back(task);
        self.unpark();
    }

    /// Drives `future` to completion on this thread, running queued tasks
    /// while it waits.
    pub(crate) fn block_on<F: Future>(self: &Arc<Self>, future: F) -> F::Output {
        let _driving = self.driving.lock();
        let _guard = DrivingGuard::enter(self);
        let on_home = self.is_home_thread();
        let main = Arc::new(MainWaker {
            woken: AtomicBool::new(true),
            shared: self.clone(),
        });
        let waker = Waker::from(main.clone());
        let mut cx = Context::from_waker(&waker);
        let mut future = pin!(future);
        // Local tasks met while driving from another thread wait here for
        // the home thread.
        let mut deferred = Vec::new();
        let timers = self.time.remote();
        let mut since_io_poll = 0;
        let clock = PollClock::new(self.slow_poll);
        let output = loop {
            if main.woken.swap(false, Ordering::AcqRel)
                && let Poll::Ready(output) = future.as_mut().poll(&mut cx)
            {
                break output;
            }
            self.time.process(timers);
            // Every task ready now runs once before the block_on future is
            // polled again (so a yield there lets the others run, as in
            // asyncio); at most TASKS_PER_TICK per round.
            let ready = self.queue.lock().len().min(TASKS_PER_TICK);
            let mut ran = 0;
            for _ in 0..ready {
                let Some(task) = self.queue.lock().pop_front() else {
                    break;
                };
                if !on_home && task.raw().header().is_local() {
                    deferred.push(task);
                    continue;
                }
                clock.run(task);
                ran += 1;
            }
            if ran > 0 {
                // Busy: every TASKS_PER_TICK tasks, let the driver dispatch
                // ready I/O without blocking, so sockets are served even when
                // this thread never idles (as the multi-thread workers do at
                // their fairness tick) — not after every round, which could
                // cost a syscall per task.
                since_io_poll += ran;
                if since_io_poll >= TASKS_PER_TICK {
                    since_io_poll = 0;
                    clock.refresh();
                    self.driver.poll_ready();
                }
            } else if !main.woken.load(Ordering::Acquire) {
                if self.time.clock.is_paused() {
                    // Everything waits: a paused clock jumps to the next timer.
                    if let Some(next) = self.time.next_deadline(timers) {
                        self.time.clock.advance_to(next);
                        continue;
                    }
                }
                self.parker.park(self.time.park_timeout(timers));
                clock.refresh();
            }
        };
        if !deferred.is_empty() {
            let mut queue = self.queue.lock();
            for task in deferred.into_iter().rev() {
                queue.push_front(task);
            }
        }
        output
    }

    /// Drops every unfinished task's future exactly once (on this thread).
    /// Local futures cannot be dropped off their home thread: if this is not
    /// it, they are leaked, and a message says so.
    pub(crate) fn shutdown(&self) {
        self.registry.close();
        let _driving = self.driving.lock();
        let _guard = DrivingGuard::enter(self);
        let on_home = self.is_home_thread();
        let mut leaked = 0usize;
        let mut pending = crate::debug::PendingAtShutdown::new(self.slow_poll.is_some());
        loop {
            let drained: Vec<Notified> = self.queue.lock().drain(..).collect();
            drop(drained);
            match self.registry.pop() {
                Some(task) if !on_home && task.header().is_local() => {
                    // Keep the registry's reference forever: the future stays
                    // alive (never dropped on the wrong thread).
                    leaked += 1;
                }
                Some(task) => {
                    pending.note(task.header());
                    task.shutdown();
                }
                None if self.queue.lock().is_empty() => break,
                None => {}
            }
        }
        if leaked > 0 {
            eprintln!(
                "runtime: {leaked} !Send task(s) leaked: the current-thread runtime was \
                 dropped off the thread that built it, where they cannot be dropped"
            );
        }
    }
}

impl Schedule for Arc<Shared> {
    fn schedule(&self, task: Notified) {
        self.push(task);
    }

    fn yield_task(&self, task: Notified) {
        self.push(task);
    }

    fn release(&self, task: RawTask) -> bool {
        self.registry.remove(task)
    }
}
