//! Debug mode: asyncio's `run(debug=True)` for this runtime.
//!
//! Turned on with [`Builder::debug`](crate::Builder::debug),
//! [`run_debug`](crate::runtime::run_debug), `#[runtime::main(debug)]`, or
//! the environment variable `RUNTIME_DEBUG=1` (read when a runtime is built;
//! an explicit `Builder::debug(false)` wins over it). It reports, through the
//! [`log`] facade with target `runtime::debug`:
//!
//! - **Slow polls** (`warn`): a task whose single poll ran longer than the
//!   threshold — default [`DEFAULT_SLOW_POLL_THRESHOLD`] (100 ms, asyncio's
//!   `slow_callback_duration`), set with
//!   [`Builder::slow_poll_threshold`](crate::Builder::slow_poll_threshold).
//!   Such a poll blocked its worker thread and every task queued behind it;
//!   the report names the task's id, name and spawn location.
//! - **Tasks still pending at shutdown** (`info`, one record listing the
//!   first 20): their futures are dropped when the runtime is, asyncio's
//!   "Task was destroyed but it is pending!". Not a warning: `run` ending
//!   while helper tasks still wait is normal (asyncio's `run` cancels them
//!   too), but when a task should have finished, this says which one.
//!
//! Independently of debug mode, because it costs nothing until it happens
//! (asyncio also logs it always):
//!
//! - **Panics nobody retrieved** (`error`): a task panicked and its handle
//!   was dropped (or had been detached) without the result being taken
//!   (awaited) or looked at ([`Task::peek`](crate::Task::peek)) —
//!   asyncio's "Task exception was never retrieved". A task whose output is
//!   an `Err` value is not reported: to the runtime that is an ordinary
//!   output, which `Result`'s own `#[must_use]` already guards.
//!
//! Why `log` and not `tracing`: every Rust logger (env_logger, and tracing
//! itself through `tracing-log`) reads `log` records, it is one small
//! dependency, and a disabled level costs one atomic load. Without a logger
//! installed nothing is printed.
//!
//! What debug mode costs: outside it, the scheduler stamps each poll with a
//! clock it reads once every 61 polls (for [`Handle::dump`](crate::Handle::dump))
//! and tests one flag; `docs/benchmarks.md` shows the scheduler benchmarks
//! with this compiled in. In it, every poll reads the clock twice.
//!
//! ```
//! use std::time::Duration;
//!
//! let rt = runtime_core::Runtime::builder()
//!     .debug(true)
//!     .slow_poll_threshold(Duration::from_millis(50))
//!     .build()
//!     .unwrap();
//! rt.block_on(async {
//!     // Logged as a slow poll: blocks its worker for 60 ms.
//!     runtime_core::spawn(async { std::thread::sleep(Duration::from_millis(60)) })
//!         .await
//!         .unwrap();
//! });
//! ```

mod report;

pub(crate) use report::{PendingAtShutdown, report_slow_poll, report_unretrieved_panic};

use std::time::Duration;

/// The slow-poll threshold when none is set: 100 ms, asyncio's default
/// `slow_callback_duration`.
pub const DEFAULT_SLOW_POLL_THRESHOLD: Duration = Duration::from_millis(100);

/// The `log` target of every debug report.
pub const LOG_TARGET: &str = "runtime::debug";

/// The environment variable that turns debug mode on (any value but empty
/// or `0`), like asyncio's `PYTHONASYNCIODEBUG`.
pub const ENV_VAR: &str = "RUNTIME_DEBUG";

/// Whether `RUNTIME_DEBUG` asks for debug mode.
pub(crate) fn requested_by_env() -> bool {
    std::env::var_os(ENV_VAR).is_some_and(|v| !v.is_empty() && v != "0")
}
