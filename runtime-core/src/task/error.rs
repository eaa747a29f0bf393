//! `TaskError`: why a task produced no value.

use std::any::Any;
use std::fmt;

use super::id::TaskId;

/// The reason awaiting a [`Task`](super::Task) gave no value: the task was
/// cancelled (asyncio's `CancelledError`), or its future panicked.
///
/// A cancellation carries the message given to
/// [`Task::cancel_with`](super::Task::cancel_with), if any. A panic carries
/// its payload, which [`into_panic`](TaskError::into_panic) returns so it can
/// be inspected or re-raised with `std::panic::resume_unwind`.
///
/// ```
/// let rt = runtime_core::Runtime::new().unwrap();
/// let err = rt.block_on(rt.spawn(async { panic!("boom") })).unwrap_err();
/// assert!(err.is_panic());
/// assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "boom");
/// ```
pub struct TaskError {
    // Boxed: a task's stage holds `Result<T, TaskError>`, so a one-word
    // error keeps every task cell small (the error path can afford a box).
    inner: Box<Inner>,
}

struct Inner {
    id: TaskId,
    kind: Kind,
}

enum Kind {
    Cancelled(Option<String>),
    Panic(Payload),
}

/// A panic payload. `Box<dyn Any + Send>` is not `Sync`; this wrapper never
/// hands out `&` access to the payload (only by value, through `into_panic`),
/// so sharing a `&TaskError` between threads cannot reach it.
struct Payload(Box<dyn Any + Send + 'static>);

// SAFETY: see `Payload`: no method gives shared access to the inner value, so
// `&Payload` is useless across threads and therefore safe to share.
unsafe impl Sync for Payload {}

impl TaskError {
    pub(crate) fn cancelled(id: TaskId, message: Option<String>) -> TaskError {
        TaskError {
            inner: Box::new(Inner {
                id,
                kind: Kind::Cancelled(message),
            }),
        }
    }

    pub(crate) fn panic(id: TaskId, payload: Box<dyn Any + Send + 'static>) -> TaskError {
        TaskError {
            inner: Box::new(Inner {
                id,
                kind: Kind::Panic(Payload(payload)),
            }),
        }
    }

    /// The id of the task that failed.
    pub fn id(&self) -> TaskId {
        self.inner.id
    }

    /// True if the task was cancelled (asyncio `Task.cancelled()`).
    pub fn is_cancelled(&self) -> bool {
        matches!(self.inner.kind, Kind::Cancelled(_))
    }

    /// True if the task's future panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.inner.kind, Kind::Panic(_))
    }

    /// The message passed to `cancel_with`, if the task was cancelled with one.
    pub fn cancel_message(&self) -> Option<&str> {
        match &self.inner.kind {
            Kind::Cancelled(message) => message.as_deref(),
            Kind::Panic(_) => None,
        }
    }

    /// The panic payload.
    ///
    /// # Panics
    /// If the task was cancelled rather than panicked; use
    /// [`try_into_panic`](TaskError::try_into_panic) to check.
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic()
            .expect("TaskError::into_panic called on a cancelled task")
    }

    /// The panic payload, or the error back if the task was cancelled.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, TaskError> {
        if self.is_cancelled() {
            return Err(self);
        }
        match self.inner.kind {
            Kind::Panic(Payload(payload)) => Ok(payload),
            Kind::Cancelled(_) => unreachable!("checked above"),
        }
    }

    /// The panic message, if the payload is a string (as `panic!` makes it).
    pub fn panic_message(&self) -> Option<&str> {
        match &self.inner.kind {
            Kind::Panic(Payload(p)) => panic_text(p.as_ref()),
            Kind::Cancelled(_) => None,
        }
    }
}

fn panic_text(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner.kind {
            Kind::Cancelled(None) => write!(f, "task {} was cancelled", self.inner.id),
            Kind::Cancelled(Some(m)) => write!(f, "task {} was cancelled: {m}", self.inner.id),
            Kind::Panic(_) => match self.panic_message() {
                Some(m) => write!(f, "task {} panicked: {m}", self.inner.id),
                None => write!(f, "task {} panicked", self.inner.id),
            },
        }
    }
}

impl fmt::Debug for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner.kind {
            Kind::Cancelled(m) => f
                .debug_struct("TaskError::Cancelled")
                .field("id", &self.inner.id)
                .field("message", m)
                .finish(),
            Kind::Panic(_) => f
                .debug_struct("TaskError::Panic")
                .field("id", &self.inner.id)
                .field("message", &self.panic_message())
                .finish(),
        }
    }
}

impl std::error::Error for TaskError {}

impl From<TaskError> for std::io::Error {
    fn from(e: TaskError) -> std::io::Error {
        std::io::Error::other(e)
    }
}
