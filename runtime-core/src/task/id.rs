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

/// Ids are handed out to each thread in blocks of this many, so spawning
/// touches no shared counter most of the time, and the tasks one thread
/// spawns in a row share a registry shard (see `registry.rs`).
pub(crate) const ID_BLOCK: u64 = 1024;

impl TaskId {
    pub(crate) fn next() -> TaskId {
        #[cfg(not(loom))]
        {
            // Relaxed: uniqueness needs only atomicity, not ordering.
            static NEXT_BLOCK: AtomicUsize = AtomicUsize::new(1);
            std::thread_local! {
                static BLOCK: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) };
            }
            let id = BLOCK.with(|block| {
                let (mut next, mut end) = block.get();
                if next == end {
                    let first = NEXT_BLOCK.fetch_add(ID_BLOCK as usize, Ordering::Relaxed) as u64;
                    (next, end) = (first, first + ID_BLOCK);
                }
                block.set((next + 1, end));
                next
            });
            TaskId(NonZeroU64::new(id).expect("task ids start at 1"))
        }
        #[cfg(loom)]
        {
            loom::lazy_static! { static ref NEXT: AtomicUsize = AtomicUsize::new(1); }
            let id = NEXT.fetch_add(1, Ordering::Relaxed) as u64;
            TaskId(NonZeroU64::new(id).expect("task ids start at 1"))
        }
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
