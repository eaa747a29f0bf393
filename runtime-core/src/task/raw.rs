//! The one allocation behind every task, and the untyped pointers the
//! schedulers pass around.
//!
//! Layout (`#[repr(C)]`): `Header` (state word, vtable, id, name, registry
//! links, join slot), the scheduler handle, then the stage: the future while it
//! runs, its output once it is done. Spawning allocates exactly this cell.

use std::future::Future;
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::task::Waker;

use super::error::TaskError;
use super::harness;
use super::header::{Header, Vtable};
use super::id::TaskId;
use super::registry::Links;
use super::state::{State, WakeAction};
use crate::primitives::{AtomicPtr, AtomicU32, UnsafeCell};
use crate::scheduler::Schedule;

/// What the cell holds after the header.
pub(crate) enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, TaskError>),
    Consumed,
}

#[repr(C)]
pub(crate) struct Cell<F: Future, S> {
    pub(crate) header: Header,
    pub(crate) scheduler: S,
    pub(crate) stage: UnsafeCell<Stage<F>>,
}

/// Everything `spawn` knows about a task besides its future.
pub(crate) struct Spawn {
    pub(crate) id: TaskId,
    pub(crate) name: Option<Box<str>>,
    pub(crate) location: &'static std::panic::Location<'static>,
    /// A `!Send` future: may only be polled or dropped on its runtime's home thread.
    pub(crate) local: bool,
    /// `cancel()` only requests cancellation (see `state::GRACEFUL`).
    pub(crate) graceful: bool,
}

impl<F: Future + 'static, S: Schedule> Cell<F, S> {
    /// Allocates a task with three references: one each for the registry,
    /// the `Task<T>` handle and the first queue entry.
    pub(crate) fn allocate(future: F, scheduler: S, spawn: Spawn) -> RawTask {
        let cell = Box::new(Cell {
            header: Header {
                state: State::with_flags(
                    if spawn.graceful {
                        super::state::GRACEFUL
                    } else {
                        0
                    } | if spawn.local { super::state::LOCAL } else { 0 },
                ),
                vtable: vtable::<F, S>(),
                id: spawn.id,
                name: spawn.name.map(Box::new),
                location: spawn.location,
                links: UnsafeCell::new(Links::default()),
                join_waker: UnsafeCell::new(None),
                cancel_message: AtomicPtr::new(std::ptr::null_mut()),
                last_poll: AtomicU32::new(0),
                linked: UnsafeCell::new(false),
            },
            scheduler,
            stage: UnsafeCell::new(Stage::Running(future)),
        });
        let ptr = NonNull::from(Box::leak(cell)).cast::<Header>();
        RawTask { ptr }
    }
}

fn vtable<F: Future + 'static, S: Schedule>() -> &'static Vtable {
    &Vtable {
        poll: harness::poll::<F, S>,
        schedule: harness::schedule::<F, S>,
        dealloc: harness::dealloc::<F, S>,
        try_read_output: harness::try_read_output::<F, S>,
        peek_output: harness::peek_output::<F, S>,
        drop_output: harness::drop_output::<F, S>,
        shutdown: harness::shutdown::<F, S>,
    }
}

/// An untyped, uncounted pointer to a task. Copying it takes no reference;
/// whoever uses it must hold one.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) struct RawTask {
    ptr: NonNull<Header>,
}

// SAFETY: a `RawTask` is only a pointer; every access it allows goes through
// the atomic state word or is guarded by the protocol documented in
// `state.rs`. Local (`!Send`) futures are polled only on their home thread by
// the current-thread scheduler, which is the one place that runs them.
unsafe impl Send for RawTask {}
// SAFETY: as above.
unsafe impl Sync for RawTask {}

impl RawTask {
    pub(crate) fn from_header(ptr: NonNull<Header>) -> RawTask {
        RawTask { ptr }
    }

    pub(crate) fn header_ptr(self) -> NonNull<Header> {
        self.ptr
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: the holder of a RawTask holds a reference, so the cell is live.
        unsafe { self.ptr.as_ref() }
    }

    pub(crate) fn id(self) -> TaskId {
        self.header().id
    }

    /// Releases `n` references, freeing the task if they were the last.
    pub(crate) fn drop_refs(self, n: usize) {
        if self.header().state.ref_dec(n) {
            // SAFETY: that was the last reference; nothing else can reach it.
            unsafe { (self.header().vtable.dealloc)(self.ptr) }
        }
    }

    pub(crate) fn try_read_output(self, dst: *mut (), waker: &Waker) {
        // SAFETY: the handle holds a reference; dst has the type the vtable expects
        // (guaranteed by `Task<T>` being created from a cell with output T).
        unsafe { (self.header().vtable.try_read_output)(self.ptr, dst, waker) }
    }

    /// See `Vtable::peek_output`.
    pub(crate) fn peek_output(self) -> *const () {
        // SAFETY: the handle holds a reference.
        unsafe { (self.header().vtable.peek_output)(self.ptr) }
    }

    /// The join protocol without reading the output: true once complete
    /// (otherwise the waker is stored).
    pub(crate) fn poll_complete(self, waker: &Waker) -> bool {
        harness::can_read_output(self.header(), waker)
    }

    /// Drops the unread output; `report`: say so if it is a panic (false
    /// when the handle's owner has seen it through `Task::peek`).
    pub(crate) fn drop_output(self, report: bool) {
        // SAFETY: the handle holds a reference and saw COMPLETE.
        unsafe { (self.header().vtable.drop_output)(self.ptr, report) }
    }

    /// Cancel inline (see `Vtable::shutdown`); consumes one reference.
    pub(crate) fn shutdown(self) {
        // SAFETY: the caller transfers one reference.
        unsafe { (self.header().vtable.shutdown)(self.ptr) }
    }

    /// Requests cancellation; false if the task had already finished. An idle
    /// task is queued so a runner drops its future promptly.
    pub(crate) fn cancel(self, message: Option<String>) -> bool {
        let header = self.header();
        if header.state.load().is_complete() {
            return false;
        }
        if let Some(message) = message {
            header.set_cancel_message(message);
        }
        let (accepted, action) = header.state.transition_to_cancelled();
        if action == WakeAction::Schedule {
            self.schedule();
        }
        accepted
    }

    /// Queue the task after a successful wake/cancel transition that took a
    /// reference for the queue; consumes that reference.
    pub(crate) fn schedule(self) {
        // SAFETY: the caller transfers one reference.
        unsafe { (self.header().vtable.schedule)(self.ptr) }
    }
}

/// A task sitting in a run queue: owns the queue's reference.
pub(crate) struct Notified {
    raw: RawTask,
    // Not Sync: a queue entry is moved between threads, never shared.
    _not_sync: PhantomData<std::cell::Cell<()>>,
}

impl Notified {
    /// # Safety
    /// The caller transfers one reference that stands for a queue entry of a
    /// task whose state has `NOTIFIED`.
    pub(crate) unsafe fn from_raw(raw: RawTask) -> Notified {
        Notified {
            raw,
            _not_sync: PhantomData,
        }
    }

    pub(crate) fn raw(&self) -> RawTask {
        self.raw
    }

    pub(crate) fn id(&self) -> TaskId {
        self.raw.id()
    }

    /// Polls the task once (or drops its future if it was cancelled).
    #[inline]
    pub(crate) fn run(self) {
        let raw = self.raw;
        std::mem::forget(self);
        // SAFETY: our queue reference is handed to the poll function.
        unsafe { (raw.header().vtable.poll)(raw.ptr) }
    }

    /// Gives up the queue reference without running the task (shutdown).
    pub(crate) fn into_raw(self) -> RawTask {
        let raw = self.raw;
        std::mem::forget(self);
        raw
    }
}

// SAFETY: see `RawTask`: moving a queue entry to another thread moves only a
// counted pointer; local tasks' entries are only ever run on their home thread.
unsafe impl Send for Notified {}

impl Drop for Notified {
    fn drop(&mut self) {
        // A queue entry discarded unrun (shutdown): just its reference.
        self.raw.drop_refs(1);
    }
}

impl std::fmt::Debug for Notified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Notified({})", self.id())
    }
}
