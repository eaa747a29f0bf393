//! Threads, queue and shutdown of the blocking pool.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use super::task::{BlockingSchedule, BlockingTask};
use crate::runtime::{Handle, context};
use crate::task::raw::{Cell, Notified, Spawn};
use crate::task::{Task, TaskId};

/// Settings from the runtime builder.
#[derive(Clone)]
pub(crate) struct PoolConfig {
    pub(crate) max_threads: usize,
    pub(crate) keep_alive: Duration,
    pub(crate) thread_name: Arc<dyn Fn() -> String + Send + Sync>,
    pub(crate) stack_size: Option<usize>,
}

struct State {
    queue: VecDeque<Notified>,
    threads: usize,
    idle: usize,
    /// Idle threads told to wake that have not yet taken the wake-up.
    notified: usize,
    shutdown: bool,
    handles: HashMap<usize, JoinHandle<()>>,
    next_id: usize,
}

struct Inner {
    state: Mutex<State>,
    work_available: Condvar,
    all_exited: Condvar,
    config: PoolConfig,
    /// The runtime's handle, so `Handle::current()` works inside jobs.
    /// Cleared at shutdown (the handle points back at us).
    handle: Mutex<Option<Handle>>,
}

/// Queues jobs on the pool (cheap to clone; held by the schedulers).
#[derive(Clone)]
pub(crate) struct BlockingSpawner {
    inner: Arc<Inner>,
}

/// The owner: shuts the pool down when the runtime goes.
pub(crate) struct BlockingPool {
    spawner: BlockingSpawner,
}

impl BlockingPool {
    pub(crate) fn new(config: PoolConfig) -> BlockingPool {
        BlockingPool {
            spawner: BlockingSpawner {
                inner: Arc::new(Inner {
                    state: Mutex::new(State {
                        queue: VecDeque::new(),
                        threads: 0,
                        idle: 0,
                        notified: 0,
                        shutdown: false,
                        handles: HashMap::new(),
                        next_id: 0,
                    }),
                    work_available: Condvar::new(),
                    all_exited: Condvar::new(),
                    config,
                    handle: Mutex::new(None),
                }),
            },
        }
    }

    pub(crate) fn spawner(&self) -> &BlockingSpawner {
        &self.spawner
    }

    pub(crate) fn set_handle(&self, handle: Handle) {
        *self.spawner.inner.handle.lock() = Some(handle);
    }

    /// Cancels queued jobs, waits up to `timeout` for running ones, and
    /// leaves behind (with a message on stderr) threads still stuck in a job.
    pub(crate) fn shutdown(&self, timeout: Duration) {
        let inner = &self.spawner.inner;
        let queued: Vec<Notified> = {
            let mut state = inner.state.lock();
            if state.shutdown {
                return;
            }
            state.shutdown = true;
            inner.work_available.notify_all();
            state.queue.drain(..).collect()
        };
        for job in queued {
            job.into_raw().shutdown();
        }
        let on_pool_thread = context::is_blocking_thread();
        let deadline = Instant::now().checked_add(timeout);
        let mut state = inner.state.lock();
        // A job that drops the runtime cannot wait for its own thread.
        let allowed = usize::from(on_pool_thread);
        while state.threads > allowed {
            match deadline {
                Some(deadline) => {
                    if inner
                        .all_exited
                        .wait_until(&mut state, deadline)
                        .timed_out()
                    {
                        break;
                    }
                }
                None => inner.all_exited.wait(&mut state),
            }
        }
        let stuck = state.threads - allowed.min(state.threads);
        let handles: Vec<JoinHandle<()>> = state.handles.drain().map(|(_, h)| h).collect();
        drop(state);
        let me = std::thread::current().id();
        for handle in handles {
            // Exited threads are joined; stuck ones (and our own) detached.
            if handle.is_finished() && handle.thread().id() != me {
                let _ = handle.join();
            }
        }
        if stuck > 0 {
            eprintln!(
                "runtime: {stuck} blocking thread(s) still running a job {timeout:?} after \
                 shutdown began; leaving them behind (see Builder::shutdown_timeout)"
            );
        }
        inner.handle.lock().take();
    }
}

impl Drop for BlockingPool {
    fn drop(&mut self) {
        // The runtime calls `shutdown` with its bound first; this only
        // covers a pool dropped before its runtime was fully built.
        self.shutdown(Duration::ZERO);
    }
}

impl BlockingSpawner {
    /// Queues `f` on the pool and returns its handle.
    pub(crate) fn spawn<F, R>(
        &self,
        f: F,
        location: &'static std::panic::Location<'static>,
    ) -> Task<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let raw = Cell::allocate(
            BlockingTask(Some(f)),
            BlockingSchedule,
            Spawn {
                id: TaskId::next(),
                name: None,
                location,
                local: false,
                graceful: false,
            },
        );
        // Jobs are not registered: give back the registry's reference.
        raw.drop_refs(1);
        // SAFETY: the cell's output type is R; one reference each for the
        // handle and the queue entry remain.
        let (task, job) = unsafe { (Task::from_raw(raw), Notified::from_raw(raw)) };
        if let Err(job) = self.push(job) {
            // Shut down, or no thread could be started: the handle reports
            // cancellation instead of waiting forever.
            job.into_raw().shutdown();
        }
        task
    }

    fn push(&self, job: Notified) -> Result<(), Notified> {
        let inner = &self.inner;
        let mut state = inner.state.lock();
        if state.shutdown {
            return Err(job);
        }
        state.queue.push_back(job);
        if state.idle > 0 {
            state.idle -= 1;
            state.notified += 1;
            inner.work_available.notify_one();
            return Ok(());
        }
        if state.threads >= inner.config.max_threads {
            // Queued: a busy thread takes it when done.
            return Ok(());
        }
        let id = state.next_id;
        state.next_id += 1;
        let mut builder = std::thread::Builder::new().name((inner.config.thread_name)());
        if let Some(size) = inner.config.stack_size {
            builder = builder.stack_size(size);
        }
        let pool = inner.clone();
        match builder.spawn(move || run_thread(pool, id)) {
            Ok(handle) => {
                state.threads += 1;
                state.handles.insert(id, handle);
                Ok(())
            }
            Err(_) if state.threads > 0 => Ok(()),
            Err(_) => Err(state.queue.pop_back().expect("just pushed")),
        }
    }
}

fn run_thread(inner: Arc<Inner>, id: usize) {
    let handle = inner.handle.lock().clone();
    let _context = handle.map(context::enter_blocking_thread);
    let keep_alive = inner.config.keep_alive;
    let mut state = inner.state.lock();
    'work: loop {
        while let Some(job) = state.queue.pop_front() {
            drop(state);
            job.run();
            state = inner.state.lock();
        }
        if state.shutdown {
            break;
        }
        state.idle += 1;
        loop {
            let timed_out = inner
                .work_available
                .wait_for(&mut state, keep_alive)
                .timed_out();
            if state.notified > 0 {
                state.notified -= 1;
                continue 'work;
            }
            if state.shutdown {
                state.idle -= 1;
                break 'work;
            }
            if timed_out {
                // Idle past the keep-alive: exit (detaching our own handle).
                state.idle -= 1;
                state.handles.remove(&id);
                break 'work;
            }
        }
    }
    state.threads -= 1;
    // `shutdown` waits for the count to drop to 0 (or 1, from a pool
    // thread): every exit must tell it.
    inner.all_exited.notify_all();
}
