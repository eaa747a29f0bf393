//! The reports themselves: one `log` record each, naming the task.

use std::time::Duration;

use super::LOG_TARGET;
use crate::task::TaskError;
use crate::task::header::Header;

/// Shown for a task spawned without a name.
fn name(header: &Header) -> &str {
    header.name().unwrap_or("<unnamed>")
}

/// A poll of `header`'s task took `took`, over `threshold`.
#[cold]
pub(crate) fn report_slow_poll(header: &Header, took: Duration, threshold: Duration) {
    log::warn!(
        target: LOG_TARGET,
        "slow poll: task {} \"{}\" (spawned at {}) ran for {:.3} s in one poll \
         (threshold {:.3} s), blocking its worker thread; move blocking work to \
         spawn_blocking",
        header.id,
        name(header),
        header.location,
        took.as_secs_f64(),
        threshold.as_secs_f64(),
    );
}

/// `header`'s task panicked and its result is being dropped unread.
#[cold]
pub(crate) fn report_unretrieved_panic(header: &Header, error: &TaskError) {
    log::error!(
        target: LOG_TARGET,
        "task panic was never retrieved: task {} \"{}\" (spawned at {}) panicked \
         ({}) and its handle was dropped without taking the result",
        header.id,
        name(header),
        header.location,
        error.panic_message().unwrap_or("a non-string payload"),
    );
}
