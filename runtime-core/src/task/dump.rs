//! Task dumps: a snapshot of every live task — id, name, state, where it
//! was spawned and how long ago it was last polled — for finding out what a
//! hung server is waiting on. See [`Handle::dump`](crate::Handle::dump).

use std::fmt;
use std::panic::Location;
use std::time::Duration;

use super::id::TaskId;
use super::state;

/// What a task is doing, as [`TaskRef::state`](super::TaskRef::state) and
/// [`Handle::dump`](crate::Handle::dump) report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskState {
    /// Waiting for a wake-up (a timer, a socket, a lock, another task).
    Idle,
    /// Woken and queued, waiting for a worker to poll it.
    Scheduled,
    /// Being polled right now. A task that stays `Running` with a growing
    /// "last poll" age is blocking its worker thread.
    Running,
    /// Cancellation was requested; its future is dropped at its next
    /// scheduling point (or, for a graceful task, when it finishes cleaning up).
    Cancelling,
    /// Finished (returned, panicked or cancelled). Seen only through a
    /// `TaskRef`: finished tasks leave the runtime's task list, and dumps.
    Finished,
}

impl TaskState {
    pub(crate) fn from_flags(flags: usize) -> TaskState {
        if flags & state::COMPLETE != 0 {
            TaskState::Finished
        } else if flags & state::CANCELLED != 0 {
            TaskState::Cancelling
        } else if flags & state::RUNNING != 0 {
            TaskState::Running
        } else if flags & state::NOTIFIED != 0 {
            TaskState::Scheduled
        } else {
            TaskState::Idle
        }
    }

    /// The state as one lower-case word (`idle`, `scheduled`, `running`,
    /// `cancelling`, `finished`).
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Idle => "idle",
            TaskState::Scheduled => "scheduled",
            TaskState::Running => "running",
            TaskState::Cancelling => "cancelling",
            TaskState::Finished => "finished",
        }
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// One task in a [`TaskDump`]: copied out when the dump was taken, so it
/// does not keep the task alive.
#[derive(Clone, Debug)]
pub struct TaskSnapshot {
    pub(crate) id: TaskId,
    pub(crate) name: Option<String>,
    pub(crate) state: TaskState,
    pub(crate) location: &'static Location<'static>,
    pub(crate) since_last_poll: Option<Duration>,
}

impl TaskSnapshot {
    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The task's name, if it was spawned with one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Its state when the dump was taken.
    pub fn state(&self) -> TaskState {
        self.state
    }

    /// Where it was spawned.
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// How long before the dump its last poll *started* (so for a
    /// [`Running`](TaskState::Running) task: how long it has been inside
    /// this poll); `None` if it was never polled. Millisecond resolution;
    /// see [`TaskRef::since_last_poll`](super::TaskRef::since_last_poll)
    /// for how fresh the stamp is.
    pub fn since_last_poll(&self) -> Option<Duration> {
        self.since_last_poll
    }
}

/// Every live task of a runtime, in id order. `Display` prints a table.
///
/// ```
/// use runtime_core::task::{self, TaskState};
///
/// runtime_core::run(async {
///     let _idle = task::Builder::new()
///         .name("waits-forever")
///         .spawn(std::future::pending::<()>());
///     runtime_core::time::sleep(std::time::Duration::from_millis(10)).await;
///     let dump = runtime_core::Handle::current().dump();
///     let idle = dump.iter().find(|t| t.name() == Some("waits-forever")).unwrap();
///     assert_eq!(idle.state(), TaskState::Idle);
///     assert!(idle.since_last_poll().is_some());
///     println!("{dump}");
/// });
/// ```
#[derive(Clone, Debug, Default)]
pub struct TaskDump {
    pub(crate) tasks: Vec<TaskSnapshot>,
}

impl TaskDump {
    /// The tasks, in id order.
    pub fn tasks(&self) -> &[TaskSnapshot] {
        &self.tasks
    }

    /// Iterates over the tasks, in id order.
    pub fn iter(&self) -> std::slice::Iter<'_, TaskSnapshot> {
        self.tasks.iter()
    }

    /// How many tasks were live.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// True if no task was live.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}

impl IntoIterator for TaskDump {
    type Item = TaskSnapshot;
    type IntoIter = std::vec::IntoIter<TaskSnapshot>;

    fn into_iter(self) -> Self::IntoIter {
        self.tasks.into_iter()
    }
}

impl<'a> IntoIterator for &'a TaskDump {
    type Item = &'a TaskSnapshot;
    type IntoIter = std::slice::Iter<'a, TaskSnapshot>;

    fn into_iter(self) -> Self::IntoIter {
        self.tasks.iter()
    }
}

/// `1.5s ago`, `never`.
struct Age(Option<Duration>);

impl fmt::Display for Age {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => f.pad("never"),
            Some(age) => f.pad(&format!("{:.1}s ago", age.as_secs_f64())),
        }
    }
}

impl fmt::Display for TaskDump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.tasks.len() == 1 { "" } else { "s" };
        writeln!(f, "{} live task{plural}", self.tasks.len())?;
        writeln!(
            f,
            "{:>8}  {:<10}  {:>12}  {:<32}  name",
            "id", "state", "last poll", "spawned at"
        )?;
        for t in &self.tasks {
            writeln!(
                f,
                "{:>8}  {:<10}  {:>12}  {:<32}  {}",
                t.id.as_u64(),
                t.state,
                Age(t.since_last_poll),
                t.location.to_string(),
                t.name.as_deref().unwrap_or("-"),
            )?;
        }
        Ok(())
    }
}
