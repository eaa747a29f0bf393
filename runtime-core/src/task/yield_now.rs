//! `yield_now`: asyncio's `await asyncio.sleep(0)`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Gives every other ready task a turn before this one continues.
///
/// The task is put at the back of its worker's queue (not in the "run next"
/// slot), so on the current-thread flavour every other ready task runs
/// exactly once before it resumes — asyncio's `await asyncio.sleep(0)`.
///
/// ```
/// runtime_core::run(async {
///     runtime_core::yield_now().await;
/// });
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // A task woken while it runs is requeued at the back of the queue.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
