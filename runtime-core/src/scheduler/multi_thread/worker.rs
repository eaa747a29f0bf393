//! One worker thread: its queues, its loop, and how it sleeps.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::ptr;
use std::sync::Arc;

use crossbeam_deque::Steal;

use super::{
    ACTIVE_DRIVER_POLL_INTERVAL, GLOBAL_QUEUE_INTERVAL, IDLE_DRIVER_POLLS_BEFORE_BACKOFF,
    MAX_LIFO_POLLS, Shared,
};
use crate::scheduler::PollClock;
use crate::task::raw::Notified;

/// The worker-private half. Lives on its thread's stack; reached through
/// the `CURRENT` thread-local while that thread runs tasks.
pub(crate) struct Worker {
    shared: Arc<Shared>,
    index: usize,
    local: crossbeam_deque::Worker<Notified>,
    /// The task woken last by the running task: it runs next, on this
    /// core, while its data is still in cache (message passing stays local).
    lifo: Cell<Option<Notified>>,
    /// Tasks that yielded (or were woken while running). They wait here,
    /// worker-private and without atomics, until the local queue and the
    /// injector are empty, or the next fairness tick — so a task spinning on
    /// `yield_now` cannot delay queued or injected work, and cannot starve.
    deferred: RefCell<VecDeque<Notified>>,
    /// True while a task is being polled (only then does a wake go to the
    /// LIFO slot).
    in_task: Cell<bool>,
    /// True while this worker runs the I/O driver — asleep in its parker,
    /// or polling it at a fairness tick — and the driver dispatches
    /// wake-ups to it: those tasks are queued without waking a sibling for
    /// each, and the worker decides once the driver returns
    /// (`share_driver_wakeups`).
    driving: Cell<bool>,
    searching: Cell<bool>,
    /// How many non-blocking driver polls in a row found nothing for this
    /// worker. While the driver keeps waking tasks onto it (polled busy, or
    /// asleep in it) a busy worker polls it every
    /// `ACTIVE_DRIVER_POLL_INTERVAL` ticks instead of only at the fairness
    /// tick: replies to what its own tasks just sent are picked up on the
    /// core that sent them, and the worker keeps busy instead of running
    /// dry and sleeping while a sibling is woken for its I/O (64-connection
    /// echo: context switches per iteration 201 -> 15, about 8 % less
    /// time). After `IDLE_DRIVER_POLLS_BEFORE_BACKOFF` empty polls it is
    /// back to the fairness tick, so a runtime doing little I/O pays almost
    /// no extra syscalls. (Turning off at the first empty poll kept only a
    /// third of the gain: with two busy workers polling, many polls find
    /// the other one took the events.)
    idle_driver_polls: Cell<u32>,
    tick: Cell<u32>,
    /// How many tasks since the last fairness tick came from `deferred`
    /// (tasks that yielded). See `next_task`.
    yielded_runs: Cell<u32>,
    rng: Cell<u32>,
    /// Stamps polls for task dumps; times them in debug mode.
    clock: PollClock,
}

#[cfg(not(loom))]
std::thread_local! {
    static CURRENT: Cell<*const Worker> = const { Cell::new(ptr::null()) };
}

// Loom runs all of a model's threads on one OS thread: they need loom's
// thread-locals to tell each other apart.
#[cfg(loom)]
loom::thread_local! {
    static CURRENT: Cell<*const Worker> = Cell::new(ptr::null());
}

/// Queues `task` on the calling worker if the caller is one of `shared`'s
/// workers; gives it back otherwise.
#[inline]
pub(crate) fn schedule_on_current(
    shared: &Arc<Shared>,
    task: Notified,
    is_yield: bool,
) -> Result<(), Notified> {
    let worker = CURRENT.with(|c| c.get());
    // SAFETY: CURRENT points at the Worker on this thread's stack for exactly
    // as long as `Worker::run` executes (it is reset before the Worker dies),
    // and we only use it on this thread.
    match unsafe { worker.as_ref() } {
        Some(worker) if ptr::eq(Arc::as_ptr(&worker.shared), Arc::as_ptr(shared)) => {
            worker.schedule_local(task, is_yield);
            Ok(())
        }
        _ => Err(task),
    }
}

/// The index of the calling worker, if it is one of `shared`'s.
pub(crate) fn current_index(shared: &Arc<Shared>) -> Option<usize> {
    let worker = CURRENT.with(|c| c.get());
    // SAFETY: see `schedule_on_current`.
    match unsafe { worker.as_ref() } {
        Some(worker) if ptr::eq(Arc::as_ptr(&worker.shared), Arc::as_ptr(shared)) => {
            Some(worker.index)
        }
        _ => None,
    }
}

impl Worker {
    pub(crate) fn new(
        shared: Arc<Shared>,
        index: usize,
        local: crossbeam_deque::Worker<Notified>,
    ) -> Worker {
        Worker {
            index,
            local,
            lifo: Cell::new(None),
            deferred: RefCell::new(VecDeque::new()),
            in_task: Cell::new(false),
            driving: Cell::new(false),
            searching: Cell::new(false),
            idle_driver_polls: Cell::new(IDLE_DRIVER_POLLS_BEFORE_BACKOFF),
            tick: Cell::new(0),
            yielded_runs: Cell::new(0),
            rng: Cell::new(0x9E37_79B9 ^ (index as u32).wrapping_mul(0x85EB_CA6B) | 1),
            clock: PollClock::new(shared.slow_poll),
            shared,
        }
    }

    fn schedule_local(&self, task: Notified, is_yield: bool) {
        if is_yield {
            // The task was running here a moment ago and this worker is
            // awake: no need to pay for waking a sibling (a fence and maybe
            // a syscall per yield) to take it.
            self.deferred.borrow_mut().push_back(task);
            return;
        }
        if !self.in_task.get() {
            self.local.push(task);
            if !self.driving.get() {
                self.shared.notify_parked();
            }
            return;
        }
        if let Some(prev) = self.lifo.replace(Some(task)) {
            self.local.push(prev);
            self.shared.notify_parked();
        }
    }

    /// The worker loop; returns at shutdown.
    pub(crate) fn run(&self) {
        let prev = CURRENT.with(|c| c.replace(self as *const Worker));
        while !self.shared.is_shutdown() {
            let tick = self.tick.get().wrapping_add(1);
            self.tick.set(tick);
            if let Some(task) = self.next_task(tick) {
                self.run_task(task);
                continue;
            }
            if let Some(task) = self.steal_work() {
                self.run_task(task);
                continue;
            }
            self.park();
        }
        // Queue entries only hold references; the futures themselves are
        // dropped by the runtime's shutdown, once, from the registry.
        drop(self.lifo.take());
        self.deferred.borrow_mut().clear();
        while let Some(task) = self.local.pop() {
            drop(task);
        }
        if self.searching.replace(false) {
            self.shared.idle.transition_worker_from_searching();
        }
        CURRENT.with(|c| c.set(prev));
    }

    fn next_task(&self, tick: u32) -> Option<Notified> {
        if tick % GLOBAL_QUEUE_INTERVAL == 0 {
            // Fairness tick: due timers fire, ready I/O is dispatched (unless
            // an idle worker already waits in the driver), yielded tasks
            // rejoin the back of the local queue, and the injector goes
            // first even if the local queue never empties.
            if self.yielded_runs.replace(0) >= GLOBAL_QUEUE_INTERVAL - 1 {
                // Since the last tick this worker ran nothing but tasks that
                // yield in a loop: it is busy-waiting on their behalf. Give
                // the core to another thread of the process once per tick
                // (about a microsecond) — with more busy threads than cores
                // (a thread spawning into the runtime, a blocking job) that
                // thread would otherwise wait out a whole OS time slice.
                std::thread::yield_now();
            }
            self.clock.refresh();
            self.fire_timers();
            self.poll_driver();
            self.flush_deferred();
            if let Some(task) = self.steal_injector_batch() {
                return Some(task);
            }
        } else if self.idle_driver_polls.get() < IDLE_DRIVER_POLLS_BEFORE_BACKOFF
            && tick % ACTIVE_DRIVER_POLL_INTERVAL == 0
        {
            self.poll_driver();
        }
        if let Some(task) = self.local.pop() {
            return Some(task);
        }
        if let Some(task) = self.steal_injector_batch() {
            return Some(task);
        }
        let task = self.deferred.borrow_mut().pop_front();
        if task.is_some() {
            self.yielded_runs.set(self.yielded_runs.get() + 1);
        }
        task
    }

    /// Dispatches ready I/O without blocking (unless a sibling already
    /// waits in the driver); the woken tasks land in the local queue.
    /// Whether any did decides how soon the next such poll comes (see
    /// `idle_driver_polls`).
    fn poll_driver(&self) {
        let queued = self.local.len();
        self.driving.set(true);
        self.shared.driver.poll_ready();
        self.driving.set(false);
        if self.local.len() > queued {
            self.idle_driver_polls.set(0);
        } else {
            self.idle_driver_polls
                .set(self.idle_driver_polls.get().saturating_add(1));
        }
        self.share_driver_wakeups();
    }

    fn flush_deferred(&self) {
        let mut deferred = self.deferred.borrow_mut();
        if deferred.is_empty() {
            return;
        }
        for task in deferred.drain(..) {
            self.local.push(task);
        }
        drop(deferred);
        self.shared.notify_parked();
    }

    fn steal_injector_batch(&self) -> Option<Notified> {
        loop {
            match self.shared.injector.steal_batch_and_pop(&self.local) {
                Steal::Success(task) => return Some(task),
                Steal::Empty => return None,
                Steal::Retry => continue,
            }
        }
    }

    fn next_rand(&self) -> u32 {
        // xorshift32: cheap, good enough to spread victims.
        let mut x = self.rng.get();
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng.set(x);
        x
    }

    /// Steals a batch from the injector or a sibling, as a searcher.
    fn steal_work(&self) -> Option<Notified> {
        if !self.searching.get() {
            if !self.shared.idle.transition_worker_to_searching() {
                return None;
            }
            self.searching.set(true);
        }
        let stealers = &self.shared.stealers;
        let n = stealers.len();
        loop {
            let mut retry = false;
            match self.shared.injector.steal_batch_and_pop(&self.local) {
                Steal::Success(task) => return Some(task),
                Steal::Retry => retry = true,
                Steal::Empty => {}
            }
            let start = self.next_rand() as usize % n;
            for i in 0..n {
                let victim = (start + i) % n;
                if victim == self.index {
                    continue;
                }
                match stealers[victim].steal_batch_and_pop(&self.local) {
                    Steal::Success(task) => return Some(task),
                    Steal::Retry => retry = true,
                    Steal::Empty => {}
                }
            }
            if !retry {
                return None;
            }
        }
    }

    fn run_task(&self, task: Notified) {
        if self.searching.replace(false) && self.shared.idle.transition_worker_from_searching() {
            // We were the last searcher: hand the search on (wake-ups chain).
            self.shared.notify_parked();
        }
        self.in_task.set(true);
        self.clock.run(task);
        let mut lifo_polls = 0;
        while let Some(next) = self.lifo.take() {
            if lifo_polls == MAX_LIFO_POLLS {
                self.local.push(next);
                self.shared.notify_parked();
                break;
            }
            lifo_polls += 1;
            self.clock.run(next);
        }
        self.in_task.set(false);
    }

    /// After the I/O driver ran here (`driving`), wakes a sibling only if
    /// it queued two or more tasks: the sibling steals some and, once it
    /// finds nothing more, takes over the driver. For a single task a
    /// wake-up per I/O event costs more than the event (a futex call and a
    /// steal race per message; on the one-connection TCP echo, waking for
    /// each event found at a fairness tick made 130 futex calls per 2,000
    /// round trips, tokio 2), so the driver waits until this worker parks
    /// again or reaches its next fairness tick.
    fn share_driver_wakeups(&self) {
        if self.local.len() > 1 {
            self.shared.notify_parked();
        }
    }

    /// Fires the due timers of this worker's wheel and of the remote wheel
    /// (woken tasks land in the local queue). Returns how many fired.
    fn fire_timers(&self) -> usize {
        let time = &self.shared.time;
        time.process(self.index) + time.try_process(time.remote())
    }

    fn park(&self) {
        if self.fire_timers() > 0 {
            return;
        }
        let was_searching = self.searching.replace(false);
        if self
            .shared
            .idle
            .transition_worker_to_parked(self.index, was_searching)
            && self.shared.has_pending_work()
        {
            // Work arrived while we were the last searcher: someone must
            // look (possibly us — then the park below returns at once).
            self.shared.notify_parked();
        }
        loop {
            let timeout = self.shared.time.park_timeout(self.index);
            self.driving.set(true);
            self.shared.parkers[self.index].park(timeout);
            self.driving.set(false);
            self.clock.refresh();
            if self.fire_timers() > 0 {
                // Timers woke tasks (now in our queue): back to work.
                if !self.shared.idle.unpark_worker_by_id(self.index) {
                    // A producer picked us meanwhile and counted us searching.
                    self.searching.set(true);
                }
                return;
            }
            if self.shared.is_shutdown() {
                self.shared.idle.unpark_worker_by_id(self.index);
                return;
            }
            if !self.local.is_empty() {
                // We waited in the I/O driver and it woke tasks: they are in
                // our own queue, still hot in this core's cache. Run them
                // here rather than hop to a sibling.
                if !self.shared.idle.unpark_worker_by_id(self.index) {
                    self.searching.set(true);
                }
                self.idle_driver_polls.set(0);
                self.share_driver_wakeups();
                return;
            }
            if !self.shared.idle.is_parked(self.index) {
                // A producer picked us and counted us as searching.
                self.searching.set(true);
                return;
            }
        }
    }
}

/// Test hook for the loom models (`loom_tests.rs`): the worker loop minus
/// parking and shutdown. Runs `first` (if any), then takes work — own
/// queues and the injector, then stealing as a searcher — until none is
/// left. Returns how many times it ran a task (LIFO runs not counted).
#[cfg(all(test, loom))]
impl Worker {
    pub(crate) fn run_until_idle(&self, first: Option<Notified>) -> usize {
        let prev = CURRENT.with(|c| c.replace(self as *const Worker));
        let mut ran = 0;
        if let Some(task) = first {
            self.run_task(task);
            ran += 1;
        }
        loop {
            let tick = self.tick.get().wrapping_add(1);
            self.tick.set(tick);
            match self.next_task(tick).or_else(|| self.steal_work()) {
                Some(task) => {
                    self.run_task(task);
                    ran += 1;
                }
                None => break,
            }
        }
        if self.searching.replace(false) {
            self.shared.idle.transition_worker_from_searching();
        }
        CURRENT.with(|c| c.set(prev));
        ran
    }
}
