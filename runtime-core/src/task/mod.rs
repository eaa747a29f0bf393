//! Tasks: spawning, handles, ids, names, cancellation and the live-task list.
//!
//! A task is one heap allocation holding a header (state word, vtable, id,
//! name), the scheduler it belongs to, and its future — replaced by its
//! output once it finishes. See `state.rs` for the life cycle.
//!
//! ```
//! use runtime_core::task;
//!
//! runtime_core::run(async {
//!     let t = task::Builder::new().name("child").spawn(async {
//!         task::current().unwrap().name().unwrap().to_owned()
//!     });
//!     assert_eq!(t.await.unwrap(), "child");
//! });
//! ```

mod builder;
mod current;
mod dump;
mod error;
pub(crate) mod handle;
mod harness;
pub(crate) mod header;
mod id;
pub(crate) mod last_poll;
pub(crate) mod raw;
pub(crate) mod registry;
pub(crate) mod state;
mod task_ref;
mod waker;
mod yield_now;

#[cfg(all(test, loom))]
mod loom_tests;

pub use builder::Builder;
pub use current::{CancelRequested, cancel_requested, current, is_cancel_requested};
pub use dump::{TaskDump, TaskSnapshot, TaskState};
pub use error::TaskError;
pub use handle::{BlockingJoinError, Task};
pub use id::TaskId;
pub use task_ref::TaskRef;
pub use yield_now::{YieldNow, yield_now};

use std::future::Future;

use raw::{Cell, Notified, Spawn};
use registry::Registry;

use crate::scheduler::Schedule;

/// Every live task of the current runtime (asyncio `all_tasks()`), in id order.
///
/// # Panics
/// Outside a runtime; use `Handle::try_current()?.tasks()` to avoid that.
pub fn all_tasks() -> Vec<TaskRef> {
    crate::runtime::Handle::current().tasks()
}

/// Allocates a task, registers it, and returns its handle and its first
/// queue entry — or no entry if the registry is closed (runtime shut down),
/// in which case the task has already been completed as cancelled.
pub(crate) fn new_task<F, S>(
    future: F,
    scheduler: S,
    registry: &Registry,
    spawn: Spawn,
) -> (Task<F::Output>, Option<Notified>)
where
    F: Future + 'static,
    S: Schedule,
{
    let raw = Cell::allocate(future, scheduler, spawn);
    // SAFETY: the cell was allocated with output type F::Output and three
    // references: one goes to the handle, one to the queue entry, one to the
    // registry.
    let (task, notified) = unsafe { (Task::from_raw(raw), Notified::from_raw(raw)) };
    if registry.insert(raw).is_err() {
        // Not registered: give back the registry's reference, then cancel
        // inline with the queue's one so the handle reports cancellation.
        raw.drop_refs(1);
        notified.into_raw().shutdown();
        return (task, None);
    }
    (task, Some(notified))
}
