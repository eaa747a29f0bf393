//! Wakers are the task pointer itself: cloning one adds a reference, waking
//! one is a single state transition, and waking a task that is already queued
//! or running allocates nothing.

use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::header::Header;
use super::raw::RawTask;
use super::state::WakeAction;

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// A waker borrowing the runner's reference: valid for as long as the poll.
pub(crate) fn borrowed(ptr: NonNull<Header>) -> ManuallyDrop<Waker> {
    // SAFETY: the vtable functions uphold the RawWaker contract for pointers
    // to a task header; ManuallyDrop keeps us from releasing a reference we
    // did not take.
    ManuallyDrop::new(unsafe { Waker::from_raw(RawWaker::new(ptr.as_ptr() as *const (), &VTABLE)) })
}

fn raw(data: *const ()) -> RawTask {
    // SAFETY (for all callers): wakers are only built from non-null headers.
    RawTask::from_header(unsafe { NonNull::new_unchecked(data as *mut Header) })
}

unsafe fn clone(data: *const ()) -> RawWaker {
    raw(data).header().state.ref_inc();
    RawWaker::new(data, &VTABLE)
}

unsafe fn wake(data: *const ()) {
    let task = raw(data);
    match task.header().state.transition_to_notified_by_val() {
        WakeAction::None => {}
        WakeAction::Schedule => task.schedule(),
        // SAFETY: the waker held the last reference.
        WakeAction::Dealloc => unsafe { (task.header().vtable.dealloc)(task.header_ptr()) },
    }
}

unsafe fn wake_by_ref(data: *const ()) {
    let task = raw(data);
    if task.header().state.transition_to_notified_by_ref() == WakeAction::Schedule {
        task.schedule();
    }
}

unsafe fn drop_waker(data: *const ()) {
    raw(data).drop_refs(1);
}
