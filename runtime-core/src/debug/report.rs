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

/// Debug mode's note of the tasks a runtime shutdown found still pending
/// (asyncio's "Task was destroyed but it is pending!"). One record for the
/// whole shutdown, listing the first few, so a server with thousands of
/// connections does not flood the log.
pub(crate) struct PendingAtShutdown {
    enabled: bool,
    count: usize,
    listed: String,
}

/// How many pending tasks the shutdown record names.
const LISTED: usize = 20;

impl PendingAtShutdown {
    pub(crate) fn new(enabled: bool) -> PendingAtShutdown {
        PendingAtShutdown {
            enabled,
            count: 0,
            listed: String::new(),
        }
    }

    /// `header`'s task is about to have its future dropped by shutdown.
    pub(crate) fn note(&mut self, header: &Header) {
        if !self.enabled {
            return;
        }
        self.count += 1;
        if self.count <= LISTED {
            use std::fmt::Write;
            let _ = write!(
                self.listed,
                "\n  task {} \"{}\" (spawned at {})",
                header.id,
                name(header),
                header.location
            );
        }
    }
}

impl Drop for PendingAtShutdown {
    fn drop(&mut self) {
        if self.count == 0 {
            return;
        }
        let more = self.count.saturating_sub(LISTED);
        let tail = if more > 0 {
            format!("\n  ... and {more} more")
        } else {
            String::new()
        };
        log::info!(
            target: LOG_TARGET,
            "runtime shut down with {} pending task(s); their futures were dropped:{}{}",
            self.count,
            self.listed,
            tail,
        );
    }
}
