//! Which task this thread is polling right now (asyncio `current_task()`).

use std::ptr::NonNull;

use super::header::Header;
#[cfg(not(loom))]
use super::raw::RawTask;
use super::task_ref::TaskRef;

#[cfg(not(loom))]
std::thread_local! {
    static CURRENT: std::cell::Cell<Option<NonNull<Header>>> = const { std::cell::Cell::new(None) };
}

/// Marks a task as current for the duration of a poll (restoring the
/// previous one after, so nested `block_on`-style polls stay correct).
pub(crate) struct CurrentTaskGuard {
    #[cfg(not(loom))]
    prev: Option<NonNull<Header>>,
}

impl CurrentTaskGuard {
    #[inline]
    pub(crate) fn enter(task: NonNull<Header>) -> CurrentTaskGuard {
        #[cfg(not(loom))]
        {
            let prev = CURRENT.with(|c| c.replace(Some(task)));
            CurrentTaskGuard { prev }
        }
        #[cfg(loom)]
        {
            let _ = task;
            CurrentTaskGuard {}
        }
    }
}

impl Drop for CurrentTaskGuard {
    #[inline]
    fn drop(&mut self) {
        #[cfg(not(loom))]
        CURRENT.with(|c| c.set(self.prev));
    }
}

/// The task being polled on this thread (asyncio `current_task()`), or
/// `None` outside a task — including inside a future driven directly by
/// `Runtime::block_on`, which is not a task.
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// let named = runtime_core::task::Builder::new().name("worker-1").spawn_on(
///     async { runtime_core::task::current().unwrap().name().map(str::to_owned) },
///     rt.handle(),
/// );
/// assert_eq!(rt.block_on(named).unwrap().as_deref(), Some("worker-1"));
/// assert!(runtime_core::task::current().is_none());
/// ```
pub fn current() -> Option<TaskRef> {
    #[cfg(not(loom))]
    {
        CURRENT
            .with(|c| c.get())
            .map(|ptr| TaskRef::new(RawTask::from_header(ptr)))
    }
    #[cfg(loom)]
    {
        None
    }
}

/// True if cancellation of the current task was requested (always false
/// outside a task). Useful in graceful tasks between steps.
pub fn is_cancel_requested() -> bool {
    #[cfg(not(loom))]
    {
        CURRENT
            .with(|c| c.get())
            // SAFETY: the pointer is set only while its task is being polled,
            // so the runner's reference keeps the header alive.
            .is_some_and(|ptr| unsafe { ptr.as_ref() }.state.load().is_cancelled())
    }
    #[cfg(loom)]
    {
        false
    }
}

/// Completes once cancellation of the current task has been requested: how
/// a task spawned with [`Builder::graceful`](super::Builder::graceful)
/// learns that it should wind down. (In an ordinary task, cancellation drops
/// the future at its next suspension point, so this never completes there.)
/// Outside a task it never completes.
pub fn cancel_requested() -> CancelRequested {
    CancelRequested { _private: () }
}

/// The future of [`cancel_requested`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct CancelRequested {
    _private: (),
}

impl std::future::Future for CancelRequested {
    type Output = ();

    fn poll(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        // No waker to store: cancelling a graceful task re-polls it.
        if is_cancel_requested() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    }
}
