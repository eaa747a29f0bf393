//! The free functions: `run`, `spawn`, `spawn_local`, `spawn_blocking`.

use std::future::Future;
use std::panic::Location;

use super::context;
use super::{Handle, Runtime, Scheduler};
use crate::task::raw::Spawn;
use crate::task::{Task, TaskId};

/// Runs `main` as the main task of a new multi-thread runtime and returns
/// its output (asyncio `run`). The runtime is shut down before returning:
/// tasks still pending are cancelled (their futures dropped).
///
/// ```
/// let n = runtime_core::run(async {
///     let a = runtime_core::spawn(async { 20 });
///     let b = runtime_core::spawn(async { 22 });
///     a.await.unwrap() + b.await.unwrap()
/// });
/// assert_eq!(n, 42);
/// ```
///
/// # Panics
/// If the runtime cannot start (the OS refuses threads); if `main` panics
/// (the panic is resumed here, as asyncio re-raises main's exception); if
/// `main` is cancelled; or if called from inside a runtime.
#[track_caller]
pub fn run<F>(main: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    run_on(Runtime::builder(), main)
}

/// [`run`] in debug mode (asyncio `run(main(), debug=True)`): polls that
/// block a worker longer than 100 ms are reported through `log` with the
/// task's id, name and spawn location (see [`crate::debug`]). `run` itself
/// turns debug mode on when the environment variable `RUNTIME_DEBUG=1` is set.
///
/// ```
/// let n = runtime_core::run_debug(async { 6 * 7 });
/// assert_eq!(n, 42);
/// ```
///
/// # Panics
/// As [`run`].
#[track_caller]
pub fn run_debug<F>(main: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    run_on(Runtime::builder().debug(true), main)
}

#[track_caller]
fn run_on<F>(builder: super::Builder, main: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let rt = builder
        .build()
        .expect("runtime::run: could not start the runtime");
    match rt.run(main) {
        Ok(output) => output,
        Err(error) => match error.try_into_panic() {
            Ok(payload) => std::panic::resume_unwind(payload),
            Err(error) => panic!("runtime::run: the main task was cancelled: {error}"),
        },
    }
}

/// Spawns a task on the current runtime (asyncio `create_task`). The task
/// starts running without being awaited; drop the handle to let it run
/// detached, await it for its output.
///
/// # Panics
/// Outside a runtime; use [`Handle::spawn`] from other threads.
#[track_caller]
pub fn spawn<F>(future: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let location = Location::caller();
    let mut future = Some(future);
    let task = context::with_current(|handle| {
        handle.map(|h| h.spawn_with(future.take().expect("taken once"), None, location))
    });
    match task {
        Some(task) => task,
        None => panic!("runtime::spawn: {}", super::NoRuntime),
    }
}

/// Spawns a `!Send` future on the current-thread runtime driving this thread.
///
/// # Panics
/// Outside a current-thread runtime, or on a thread other than the one that
/// built it (`!Send` futures may not move between threads).
#[track_caller]
pub fn spawn_local<F>(future: F) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    spawn_local_with(future, None, Location::caller())
}

#[track_caller]
pub(crate) fn spawn_local_with<F>(
    future: F,
    name: Option<String>,
    location: &'static Location<'static>,
) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let handle = Handle::try_current().unwrap_or_else(|e| panic!("runtime::spawn_local: {e}"));
    match &handle.scheduler {
        Scheduler::CurrentThread(shared) if shared.is_home_thread() => shared.spawn(
            future,
            Spawn {
                id: TaskId::next(),
                name: name.map(String::into_boxed_str),
                location,
                local: true,
                graceful: false,
            },
        ),
        Scheduler::CurrentThread(_) => panic!(
            "runtime::spawn_local: called off the thread that built the current-thread \
             runtime; !Send futures must stay on that thread"
        ),
        Scheduler::MultiThread(_) => panic!(
            "runtime::spawn_local needs the current-thread flavour \
             (Runtime::builder().current_thread()); use spawn for Send futures"
        ),
    }
}

/// Runs a blocking closure on the runtime's blocking pool and returns a
/// task handle for its result (asyncio `to_thread` / `run_in_executor`).
/// A panic in the closure comes back as a [`TaskError`](crate::task::TaskError).
/// Cancelling the handle before a thread picks the job up means it never
/// runs; once it runs it cannot be interrupted.
///
/// ```
/// runtime_core::run(async {
///     let sum = runtime_core::spawn_blocking(|| (1..=10).sum::<u32>()).await.unwrap();
///     assert_eq!(sum, 55);
/// });
/// ```
///
/// # Panics
/// Outside a runtime.
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> Task<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let location = Location::caller();
    let mut f = Some(f);
    let task = context::with_current(|handle| {
        handle.map(|h| {
            let blocking = match &h.scheduler {
                Scheduler::MultiThread(shared) => &shared.blocking,
                Scheduler::CurrentThread(shared) => &shared.blocking,
            };
            blocking.spawn(f.take().expect("taken once"), location)
        })
    });
    match task {
        Some(task) => task,
        None => panic!("runtime::spawn_blocking: {}", super::NoRuntime),
    }
}

/// asyncio's name for [`spawn_blocking`].
#[track_caller]
pub fn to_thread<F, R>(f: F) -> Task<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    spawn_blocking(f)
}
