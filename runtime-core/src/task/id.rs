//! Task identifiers.

use std::fmt;
use std::num::NonZeroU64;

use crate::primitives::{AtomicUsize, Ordering};

/// A task's identifier: unique among all tasks of the process for its
/// lifetime, cheap to copy, hash and compare (asyncio keeps `Task` objects in
/// sets; keep `TaskId`s).
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// let a = rt.spawn(async {});
/// let b = rt.spawn(async {});
/// assert_ne!(a.id(), b.id());
/// ```
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(NonZeroU64);

impl TaskId {
    pub(crate) fn next() -> TaskId {
        // Relaxed: uniqueness needs only atomicity, not ordering.
        #[cfg(not(loom))]
        static NEXT: AtomicUsize = AtomicUsize::new(1);
        #[cfg(loom)]
        loom::lazy_static! { static ref NEXT: AtomicUsize = AtomicUsize::new(1); }
        let id = NEXT.fetch_add(1, Ordering::Relaxed) as u64;
        TaskId(NonZeroU64::new(id).expect("task id counter wrapped"))
    }

    /// The id as a number (never zero).
    pub fn as_u64(self) -> u64 {
        self.0.get()
    }
}

impl fmt::Debug for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TaskId({})", self.0)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}
