//! The live-task registry: the runtime owns every task it spawned, detached
//! ones included, so shutdown can drop every unfinished future exactly once
//! and `all_tasks()` can list them.
//!
//! An intrusive doubly linked list per shard (no allocation per task), one
//! mutex per shard (chosen by task id) so that spawns and completions on
//! different workers rarely meet on the same lock.

use std::ptr::NonNull;
use std::time::Instant;

use super::dump::{TaskDump, TaskSnapshot, TaskState};
use super::header::Header;
use super::raw::RawTask;
use super::task_ref::TaskRef;
use crate::primitives::{AtomicBool, AtomicUsize, Mutex, Ordering};

/// A task's place in its shard's list. Guarded by the shard's mutex.
/// (Whether it is in the list at all is `Header::linked`, kept apart so it
/// fills the header's tail padding instead of adding a word here.)
#[derive(Default)]
pub(crate) struct Links {
    prev: Option<NonNull<Header>>,
    next: Option<NonNull<Header>>,
}

#[derive(Default)]
struct Shard {
    head: Option<NonNull<Header>>,
    len: usize,
}

// SAFETY: the raw pointers in a shard are only followed under its mutex, and
// each points at a task the registry holds a reference to.
unsafe impl Send for Shard {}

/// Error from [`Registry::insert`]: the runtime is shutting down.
#[derive(Debug)]
pub(crate) struct Closed;

pub(crate) struct Registry {
    shards: Box<[Mutex<Shard>]>,
    mask: usize,
    closed: AtomicBool,
    /// Where `pop` looks first.
    drain_hint: AtomicUsize,
}

fn links(task: NonNull<Header>) -> *mut Links {
    // SAFETY: callers hold the shard lock and a reference keeps the task alive.
    unsafe { task.as_ref() }.links.with_mut(|l| l)
}

fn linked(task: NonNull<Header>) -> *mut bool {
    // SAFETY: as for `links`.
    unsafe { task.as_ref() }.linked.with_mut(|l| l)
}

impl Registry {
    pub(crate) fn new(workers: usize) -> Registry {
        let n = (workers * 4).next_power_of_two().max(1);
        Registry {
            shards: (0..n).map(|_| Mutex::new(Shard::default())).collect(),
            mask: n - 1,
            closed: AtomicBool::new(false),
            drain_hint: AtomicUsize::new(0),
        }
    }

    fn shard(&self, task: RawTask) -> &Mutex<Shard> {
        // By id block: the tasks a worker spawns in a row share a shard, and
        // (with the LIFO slot) usually complete on the same worker, so the
        // shard's lock stays in that core's cache.
        let block = task.id().as_u64() / super::id::ID_BLOCK;
        &self.shards[block as usize & self.mask]
    }

    /// Adds a task (taking over one of its references), unless the registry
    /// is closed.
    pub(crate) fn insert(&self, task: RawTask) -> Result<(), Closed> {
        let mut shard = self.shard(task).lock();
        // Checked under the lock: `close` sets the flag before draining, so a
        // task inserted here is always seen by the drain.
        if self.closed.load(Ordering::Acquire) {
            return Err(Closed);
        }
        let ptr = task.header_ptr();
        // SAFETY: shard lock held; `ptr` and the old head are live tasks.
        unsafe {
            let l = &mut *links(ptr);
            debug_assert!(!*linked(ptr));
            l.prev = None;
            l.next = shard.head;
            *linked(ptr) = true;
            if let Some(head) = shard.head {
                (*links(head)).prev = Some(ptr);
            }
        }
        shard.head = Some(ptr);
        shard.len += 1;
        Ok(())
    }

    /// Unlinks a task; true if it was linked (its registry reference is then
    /// the caller's to release).
    pub(crate) fn remove(&self, task: RawTask) -> bool {
        let mut shard = self.shard(task).lock();
        // SAFETY: shard lock held.
        unsafe { unlink(&mut shard, task.header_ptr()) }
    }

    /// Stops further inserts.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Unlinks one task and hands its registry reference to the caller.
    /// Shutdown calls this until it returns `None`; it starts from the shard
    /// where the previous call found a task, so draining is linear.
    pub(crate) fn pop(&self) -> Option<RawTask> {
        let first = self.drain_hint.load(Ordering::Relaxed);
        let n = self.shards.len();
        for i in 0..n {
            let index = (first + i) % n;
            let mut shard = self.shards[index].lock();
            if let Some(head) = shard.head {
                // SAFETY: shard lock held; head is linked.
                unsafe { unlink(&mut shard, head) };
                self.drain_hint.store(index, Ordering::Relaxed);
                return Some(RawTask::from_header(head));
            }
        }
        None
    }

    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().len).sum()
    }

    /// Calls `f` with every linked task's header, one shard lock at a time.
    fn for_each_linked(&self, mut f: impl FnMut(&Header)) {
        for shard in self.shards.iter() {
            let shard = shard.lock();
            let mut cur = shard.head;
            while let Some(ptr) = cur {
                // SAFETY: shard lock held, and the registry's reference keeps
                // every linked task alive.
                f(unsafe { ptr.as_ref() });
                // SAFETY: shard lock held.
                cur = unsafe { (*links(ptr)).next };
            }
        }
    }

    /// A counted reference to every live task.
    pub(crate) fn snapshot(&self) -> Vec<TaskRef> {
        let mut out = Vec::new();
        self.for_each_linked(|header| {
            out.push(TaskRef::new(RawTask::from_header(NonNull::from(header))));
        });
        out.sort_by_key(|t| t.id());
        out
    }

    /// A copy of every live task's bookkeeping. Only the shard locks are
    /// taken (one at a time), so this works while every worker is stuck.
    /// A task that has completed but not yet unlinked itself (`complete`
    /// publishes the result before it leaves the registry, so its awaiter
    /// may already have the output) is not live: it is left out.
    pub(crate) fn dump(&self) -> TaskDump {
        let now = Instant::now();
        let mut tasks = Vec::new();
        self.for_each_linked(|header| {
            let state = TaskState::from_flags(header.state.flags());
            if state != TaskState::Finished {
                tasks.push(TaskSnapshot {
                    id: header.id,
                    name: header.name().map(str::to_owned),
                    state,
                    location: header.location,
                    since_last_poll: header.since_last_poll(now),
                });
            }
        });
        tasks.sort_by_key(|t| t.id);
        TaskDump { tasks }
    }
}

/// # Safety
/// The shard's lock is held and `ptr` is a live task hashed to this shard.
unsafe fn unlink(shard: &mut Shard, ptr: NonNull<Header>) -> bool {
    // SAFETY: by the caller.
    unsafe {
        if !*linked(ptr) {
            return false;
        }
        let l = &mut *links(ptr);
        match l.prev {
            Some(prev) => (*links(prev)).next = l.next,
            None => shard.head = l.next,
        }
        if let Some(next) = l.next {
            (*links(next)).prev = l.prev;
        }
        l.prev = None;
        l.next = None;
        *linked(ptr) = false;
    }
    shard.len -= 1;
    true
}

impl Drop for Registry {
    fn drop(&mut self) {
        // Only reachable if a scheduler was dropped without shutting down
        // (e.g. a panic while building it): release what is left.
        while let Some(task) = self.pop() {
            task.shutdown();
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::Arc;

    use super::Registry;
    use crate::scheduler::Schedule;
    use crate::task::raw::{Notified, RawTask, Spawn};
    use crate::task::{TaskDump, TaskId, new_task};

    /// A scheduler that takes a dump at the moment a task leaves the
    /// registry: the task has completed (its handle may already have read
    /// the output) but is still linked.
    struct DumpOnRelease {
        registry: Registry,
        dump: parking_lot::Mutex<Option<TaskDump>>,
    }

    impl Schedule for Arc<DumpOnRelease> {
        fn schedule(&self, task: Notified) {
            drop(task);
        }

        fn yield_task(&self, task: Notified) {
            drop(task);
        }

        fn release(&self, task: RawTask) -> bool {
            *self.dump.lock() = Some(self.registry.dump());
            self.registry.remove(task)
        }
    }

    #[test]
    fn a_completed_task_still_leaving_the_registry_is_not_dumped() {
        let sched = Arc::new(DumpOnRelease {
            registry: Registry::new(1),
            dump: parking_lot::Mutex::new(None),
        });
        let spawn = Spawn {
            id: TaskId::next(),
            name: Some("leaving".into()),
            location: std::panic::Location::caller(),
            local: false,
            graceful: false,
        };
        let (task, notified) = new_task(async { 7 }, sched.clone(), &sched.registry, spawn);
        notified.expect("registry open").run();
        assert!(task.is_finished());
        let dump = sched.dump.lock().take().expect("released once");
        // `TaskState::Finished` is documented as seen only through a
        // `TaskRef`: a finished task is not live, whatever the registry's
        // progress in unlinking it.
        assert!(dump.is_empty(), "{dump}");
        assert!(sched.registry.dump().is_empty());
    }
}
