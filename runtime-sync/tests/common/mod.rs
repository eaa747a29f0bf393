//! Helpers shared by the integration tests: a single-threaded harness on
//! `futures::executor::LocalPool` that runs tasks step by step and records
//! what they do, a bounded wait for `ThreadPool` work, and `yield_now`.
//!
//! Each test crate uses a subset of these helpers.
#![allow(dead_code)]

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::executor::{LocalPool, LocalSpawner, ThreadPool};
use futures::future::RemoteHandle;
use futures::task::{LocalSpawnExt, SpawnExt};

/// A log of events, appended to by tasks.
#[derive(Clone, Default)]
pub struct Log(Rc<RefCell<Vec<String>>>);

impl Log {
    pub fn push(&self, entry: impl Into<String>) {
        self.0.borrow_mut().push(entry.into());
    }

    /// Takes every entry logged so far.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

/// Runs tasks on one thread, only when asked to, until none can progress.
pub struct Harness {
    pool: LocalPool,
    spawner: LocalSpawner,
    pub log: Log,
}

impl Harness {
    pub fn new() -> Self {
        let pool = LocalPool::new();
        let spawner = pool.spawner();
        Self {
            pool,
            spawner,
            log: Log::default(),
        }
    }

    /// Spawns `task` and runs every task until all wait, so that `task` has
    /// reached its first wait (and queued, if it waits on a primitive)
    /// before the next one is spawned. Dropping the handle cancels the task
    /// (asyncio's `task.cancel()`); `forget` it to let the task run on.
    pub fn spawn<T: 'static>(
        &mut self,
        task: impl Future<Output = T> + 'static,
    ) -> RemoteHandle<T> {
        let handle = self
            .spawner
            .spawn_local_with_handle(task)
            .expect("the pool accepts tasks");
        self.run();
        handle
    }

    /// Runs every task until all of them wait (or are done).
    pub fn run(&mut self) {
        self.pool.run_until_stalled();
    }

    /// Runs the pool until `handle`'s task is done; returns its output.
    pub fn finish<T: 'static>(&mut self, handle: RemoteHandle<T>) -> T {
        self.pool.run_until(handle)
    }
}

/// Returns `Pending` once (waking itself first): lets every other ready task
/// run before the caller goes on (asyncio's `await asyncio.sleep(0)`).
pub async fn yield_now() {
    struct YieldNow(bool);
    impl Future for YieldNow {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }
    YieldNow(false).await
}

/// A thread pool of `threads` threads.
pub fn thread_pool(threads: usize) -> ThreadPool {
    ThreadPool::builder()
        .pool_size(threads)
        .create()
        .expect("a thread pool")
}

/// How long a multi-threaded test may take before it is declared hung. Not
/// a timing assertion: it only turns a deadlock into a failure.
const HANG_LIMIT: Duration = Duration::from_secs(120);

/// Runs `tasks` on `pool` and waits (boundedly) for all of them.
pub fn run_all<T: Send + 'static>(
    pool: &ThreadPool,
    tasks: impl IntoIterator<Item = impl Future<Output = T> + Send + 'static>,
) -> Vec<T> {
    let (done, results) = mpsc::channel();
    let mut count = 0;
    for (index, task) in tasks.into_iter().enumerate() {
        let done = done.clone();
        pool.spawn(async move {
            let output = task.await;
            let _ = done.send((index, output));
        })
        .expect("the pool accepts tasks");
        count += 1;
    }
    let mut outputs: Vec<Option<T>> = (0..count).map(|_| None).collect();
    for _ in 0..count {
        let (index, output) = results
            .recv_timeout(HANG_LIMIT)
            .expect("a task hung (deadlock or lost wake-up)");
        outputs[index] = Some(output);
    }
    outputs.into_iter().map(Option::unwrap).collect()
}
