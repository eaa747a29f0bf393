//! `TaskRef`: a counted reference to a task that can inspect and cancel it
//! but not read its output (asyncio hands out the `Task` object itself from
//! `current_task()` and `all_tasks()`; this is that object minus the result).

use std::fmt;
use std::time::{Duration, Instant};

use super::dump::TaskState;
use super::id::TaskId;
use super::raw::RawTask;

/// A cheap, cloneable reference to a live or finished task: what
/// [`current()`](super::current) and [`all_tasks()`](super::all_tasks)
/// return. It keeps the task's bookkeeping alive, not its future.
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// let id = rt.block_on(rt.spawn(async { runtime_core::task::current().unwrap().id() })).unwrap();
/// assert!(id.as_u64() > 0);
/// ```
pub struct TaskRef {
    raw: RawTask,
}

impl TaskRef {
    /// Takes a new reference to `raw` (the caller must already hold one).
    pub(crate) fn new(raw: RawTask) -> TaskRef {
        raw.header().state.ref_inc();
        TaskRef { raw }
    }

    pub(crate) fn header(&self) -> &super::header::Header {
        self.raw.header()
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.raw.id()
    }

    /// The name given with [`Builder::name`](super::Builder::name).
    pub fn name(&self) -> Option<&str> {
        self.raw.header().name()
    }

    /// Where the task was spawned.
    pub fn location(&self) -> &'static std::panic::Location<'static> {
        self.raw.header().location
    }

    /// True once the task has finished (value, panic or cancellation).
    pub fn is_finished(&self) -> bool {
        self.raw.header().state.load().is_complete()
    }

    /// Requests cancellation (see [`Task::cancel`](super::Task::cancel)).
    /// Returns false if the task had already finished.
    pub fn cancel(&self) -> bool {
        self.raw.cancel(None)
    }

    /// Requests cancellation with a message that comes out in the task's
    /// [`TaskError`](super::TaskError). Returns false if it had finished.
    pub fn cancel_with(&self, message: impl Into<String>) -> bool {
        self.raw.cancel(Some(message.into()))
    }

    /// What the task is doing now (its `Display` is one word: `running`,
    /// `scheduled`, `idle`, `cancelling` or `finished`).
    pub fn state(&self) -> TaskState {
        TaskState::from_flags(self.raw.header().state.flags())
    }

    /// How long ago the task's last poll started; `None` if it was never
    /// polled. For a [`Running`](TaskState::Running) task that is how long
    /// it has been inside its current poll.
    ///
    /// Millisecond resolution. Outside debug mode the workers stamp polls
    /// with a clock they read once every 61 polls and after each sleep
    /// (reading it per poll would cost a fifth of a small task's poll), so a
    /// stamp can lag by as long as those polls took; in debug mode every
    /// poll is timed and stamps are exact.
    pub fn since_last_poll(&self) -> Option<Duration> {
        self.raw.header().since_last_poll(Instant::now())
    }
}

impl Clone for TaskRef {
    fn clone(&self) -> TaskRef {
        TaskRef::new(self.raw)
    }
}

impl Drop for TaskRef {
    fn drop(&mut self) {
        self.raw.drop_refs(1);
    }
}

impl PartialEq for TaskRef {
    fn eq(&self, other: &TaskRef) -> bool {
        self.id() == other.id()
    }
}

impl Eq for TaskRef {}

impl std::hash::Hash for TaskRef {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id().hash(state)
    }
}

impl fmt::Debug for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskRef")
            .field("id", &self.id())
            .field("name", &self.name())
            .field("state", &self.state())
            .field("location", &format_args!("{}", self.location()))
            .finish()
    }
}
