//! The typed half of a task: polling its future, catching panics, storing the
//! output, cancelling, and handing the output to the `Task<T>` handle. Each
//! function here is instantiated per (future, scheduler) pair and reached
//! through the task's vtable.

use std::future::Future;
use std::mem;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

use super::current::CurrentTaskGuard;
use super::error::TaskError;
use super::header::Header;
use super::raw::{Cell, Notified, RawTask, Stage};
use super::state::{AfterPoll, StartPoll};
use super::waker;
use crate::scheduler::Schedule;

/// # Safety
/// `ptr` points to a live `Cell<F, S>`.
unsafe fn cell<'a, F: Future, S>(ptr: NonNull<Header>) -> &'a Cell<F, S> {
    // SAFETY: by the caller; `Header` is the first field of a repr(C) cell.
    unsafe { ptr.cast::<Cell<F, S>>().as_ref() }
}

/// Runs the task once. The caller hands over its queue reference.
pub(super) unsafe fn poll<F: Future + 'static, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the queue reference keeps the cell alive for this whole call.
    let cell = unsafe { cell::<F, S>(ptr) };
    let raw = RawTask::from_header(ptr);
    match cell.header.state.transition_to_running() {
        StartPoll::Cancel => cancel_and_complete(cell, raw),
        StartPoll::Poll => {
            let ready = poll_future(cell, ptr);
            if ready {
                complete(cell, raw);
                return;
            }
            match cell.header.state.transition_to_idle() {
                AfterPoll::Idle => {}
                // SAFETY: the transition kept NOTIFIED and our reference for the queue.
                AfterPoll::Requeue => cell
                    .scheduler
                    .yield_task(unsafe { Notified::from_raw(raw) }),
                AfterPoll::Cancel => cancel_and_complete(cell, raw),
            }
        }
    }
}

/// Polls the future; on `Ready` or panic stores the result and returns true.
fn poll_future<F: Future, S>(cell: &Cell<F, S>, ptr: NonNull<Header>) -> bool {
    let _current = CurrentTaskGuard::enter(ptr);
    let waker = waker::borrowed(ptr);
    let mut cx = Context::from_waker(&waker);
    let polled = catch_unwind(AssertUnwindSafe(|| {
        cell.stage.with_mut(|stage| {
            // SAFETY: RUNNING gives this thread exclusive access to the stage,
            // and the future never moves out of the heap cell (pinned).
            match unsafe { &mut *stage } {
                Stage::Running(future) => unsafe { Pin::new_unchecked(future) }.poll(&mut cx),
                _ => unreachable!("a task was polled after its future finished"),
            }
        })
    }));
    let result = match polled {
        Ok(Poll::Pending) => return false,
        Ok(Poll::Ready(output)) => Ok(output),
        Err(payload) => Err(TaskError::panic(cell.header.id, payload)),
    };
    let result = match drop_future(cell) {
        Ok(()) => result,
        // The output is lost anyway if the future's destructor panicked.
        Err(payload) => Err(TaskError::panic(cell.header.id, payload)),
    };
    store(cell, Stage::Finished(result));
    true
}

/// Takes the future out of the stage and drops it, catching a panicking drop.
fn drop_future<F: Future, S>(cell: &Cell<F, S>) -> Result<(), Box<dyn std::any::Any + Send>> {
    // SAFETY: the caller has the task RUNNING (exclusive stage access).
    let old = cell
        .stage
        .with_mut(|stage| unsafe { mem::replace(&mut *stage, Stage::Consumed) });
    catch_unwind(AssertUnwindSafe(move || drop(old)))
}

fn store<F: Future, S>(cell: &Cell<F, S>, stage: Stage<F>) {
    // SAFETY: the caller has the task RUNNING; the slot holds `Consumed`
    // (nothing to drop).
    cell.stage.with_mut(|slot| unsafe { *slot = stage });
}

/// Drops the future of a cancelled task and completes it with the
/// cancellation error (or the panic of the future's destructor).
fn cancel_and_complete<F: Future + 'static, S: Schedule>(cell: &Cell<F, S>, raw: RawTask) {
    let dropped = {
        let _current = CurrentTaskGuard::enter(raw.header_ptr());
        drop_future(cell)
    };
    let error = match dropped {
        Ok(()) => TaskError::cancelled(cell.header.id, cell.header.take_cancel_message()),
        Err(payload) => TaskError::panic(cell.header.id, payload),
    };
    store(cell, Stage::Finished(Err(error)));
    complete(cell, raw);
}

/// Publishes the stored result, leaves the registry, wakes the joiner, and
/// releases the runner's reference (plus the registry's).
fn complete<F: Future + 'static, S: Schedule>(cell: &Cell<F, S>, raw: RawTask) {
    let prev = cell.header.state.transition_to_complete();
    let released = cell.scheduler.release(raw);
    if !prev.has_join_interest() {
        // Nobody can read the output: drop it here (the handle is gone).
        // SAFETY: without JOIN_INTEREST the stage is ours after COMPLETE.
        let old = cell
            .stage
            .with_mut(|stage| unsafe { mem::replace(&mut *stage, Stage::Consumed) });
        report_if_unretrieved_panic(&cell.header, &old);
        let _ = catch_unwind(AssertUnwindSafe(move || drop(old)));
    } else if prev.has_join_waker() {
        // SAFETY: JOIN_WAKER gives the completing side read access to the slot.
        cell.header.join_waker.with(|w| {
            if let Some(w) = unsafe { &*w } {
                w.wake_by_ref();
            }
        });
        let after = cell.header.state.unset_waker_after_complete();
        if !after.has_join_interest() {
            // The handle was dropped meanwhile and left the slot to us.
            // SAFETY: as above; the handle no longer exists.
            drop(cell.header.join_waker.with_mut(|w| unsafe { (*w).take() }));
        }
    }
    raw.drop_refs(1 + usize::from(released));
}

/// Hands a notified task to its scheduler (consumes one reference).
pub(super) unsafe fn schedule<F: Future + 'static, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the reference handed over keeps the cell alive.
    let cell = unsafe { cell::<F, S>(ptr) };
    // SAFETY: the caller's transition set NOTIFIED and took this reference.
    cell.scheduler
        .schedule(unsafe { Notified::from_raw(RawTask::from_header(ptr)) });
}

pub(super) unsafe fn dealloc<F: Future, S>(ptr: NonNull<Header>) {
    // SAFETY: the last reference is gone; the cell came from Box::leak.
    drop(unsafe { Box::from_raw(ptr.cast::<Cell<F, S>>().as_ptr()) });
}

/// The join protocol (see `state.rs`): true once the output may be read.
pub(super) fn can_read_output(header: &Header, waker: &Waker) -> bool {
    let snapshot = header.state.load();
    if snapshot.is_complete() {
        return true;
    }
    if snapshot.has_join_waker() {
        // SAFETY: with JOIN_WAKER set both sides only read the slot.
        let same = header.join_waker.with(|w| {
            unsafe { &*w }
                .as_ref()
                .is_some_and(|stored| stored.will_wake(waker))
        });
        if same {
            return false;
        }
        if header.state.unset_join_waker().is_err() {
            return true;
        }
    }
    // The slot is ours (JOIN_WAKER clear): store, then publish.
    // SAFETY: while JOIN_WAKER is clear only the handle touches the slot.
    header
        .join_waker
        .with_mut(|w| unsafe { *w = Some(waker.clone()) });
    if header.state.set_join_waker().is_err() {
        // Completed meanwhile: take the waker back and read the output.
        // SAFETY: the bit is still clear, so the slot is still ours.
        drop(header.join_waker.with_mut(|w| unsafe { (*w).take() }));
        return true;
    }
    false
}

pub(super) unsafe fn try_read_output<F: Future, S>(
    ptr: NonNull<Header>,
    dst: *mut (),
    waker: &Waker,
) {
    // SAFETY: the handle holds a reference.
    let cell = unsafe { cell::<F, S>(ptr) };
    if !can_read_output(&cell.header, waker) {
        return;
    }
    // SAFETY: COMPLETE with JOIN_INTEREST: the stage belongs to the handle.
    let stage = cell
        .stage
        .with_mut(|stage| unsafe { mem::replace(&mut *stage, Stage::Consumed) });
    let Stage::Finished(result) = stage else {
        panic!("a Task was polled again after it returned its output");
    };
    // SAFETY: `Task<F::Output>` passes a `Poll<Result<F::Output, TaskError>>`.
    unsafe { *(dst as *mut Poll<Result<F::Output, TaskError>>) = Poll::Ready(result) };
}

pub(super) unsafe fn peek_output<F: Future, S>(ptr: NonNull<Header>) -> *const () {
    // SAFETY: the handle holds a reference.
    let cell = unsafe { cell::<F, S>(ptr) };
    if !cell.header.state.load().is_complete() {
        return std::ptr::null();
    }
    // SAFETY: COMPLETE with the handle alive: the stage is the handle's, and
    // the handle only mutates it through `&mut self`, which excludes this read.
    cell.stage.with(|stage| match unsafe { &*stage } {
        Stage::Finished(result) => result as *const Result<F::Output, TaskError> as *const (),
        _ => std::ptr::null(),
    })
}

pub(super) unsafe fn drop_output<F: Future, S>(ptr: NonNull<Header>, report: bool) {
    // SAFETY: the handle holds a reference and saw COMPLETE.
    let cell = unsafe { cell::<F, S>(ptr) };
    // SAFETY: COMPLETE and the handle is the one with join interest.
    let old = cell
        .stage
        .with_mut(|stage| unsafe { mem::replace(&mut *stage, Stage::Consumed) });
    if report {
        report_if_unretrieved_panic(&cell.header, &old);
    }
    let _ = catch_unwind(AssertUnwindSafe(move || drop(old)));
}

/// A result dropped unread: if it is a panic, say so (asyncio's "Task
/// exception was never retrieved"; see `crate::debug`).
#[inline]
fn report_if_unretrieved_panic<F: Future>(header: &Header, stage: &Stage<F>) {
    if let Stage::Finished(Err(error)) = stage
        && error.is_panic()
    {
        crate::debug::report_unretrieved_panic(header, error);
    }
}

/// Cancels inline on the calling thread; consumes one reference.
pub(super) unsafe fn shutdown<F: Future + 'static, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the caller's reference keeps the cell alive.
    let cell = unsafe { cell::<F, S>(ptr) };
    let raw = RawTask::from_header(ptr);
    if cell.header.state.transition_to_shutdown() {
        cancel_and_complete(cell, raw);
    } else {
        raw.drop_refs(1);
    }
}
