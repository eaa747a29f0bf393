//! The schedulers: where notified tasks wait and which thread polls them.
//!
//! - [`multi_thread`]: one worker per core, work-stealing.
//! - [`current_thread`]: asyncio's own model, one thread and one FIFO queue,
//!   `!Send` tasks allowed.

pub(crate) mod current_thread;
pub(crate) mod multi_thread;
mod poll_clock;

pub(crate) use poll_clock::PollClock;

use crate::task::raw::{Notified, RawTask};

/// What a task needs from the scheduler it belongs to.
pub(crate) trait Schedule: Send + Sync + 'static {
    /// A task was woken (or spawned): queue it.
    fn schedule(&self, task: Notified);

    /// A task was woken while it was being polled (it yielded, or something
    /// woke it meanwhile): queue it behind the other ready tasks.
    fn yield_task(&self, task: Notified);

    /// The task completed: drop it from the live-task registry. True if it
    /// was registered (its registry reference is then the caller's to drop).
    fn release(&self, task: RawTask) -> bool;
}
