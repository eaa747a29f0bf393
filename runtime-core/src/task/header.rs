//! The type-erased front of every task allocation, and the table of functions
//! that knows the concrete future and scheduler behind it.

use std::ptr::NonNull;
use std::task::Waker;

use super::id::TaskId;
use super::registry::Links;
use super::state::State;
use crate::primitives::{AtomicPtr, AtomicU32, Ordering, UnsafeCell};

/// First field of every task cell (`#[repr(C)]`), so a `NonNull<Header>` is
/// also a pointer to the whole cell.
#[repr(C)]
pub(crate) struct Header {
    pub(crate) state: State,
    /// When the last poll started (see `last_poll.rs`); written by the
    /// polling thread with a relaxed store, read only by task dumps. Right
    /// after `state`, in the 16 bytes malloc's alignment keeps on one cache
    /// line with it: the poll's store then dirties no line the poll's state
    /// CAS has not already taken.
    pub(crate) last_poll: AtomicU32,
    /// In the registry's list (see `Links`); under the registry shard lock.
    /// Beside `last_poll`, the two fill one word instead of adding padding
    /// (a bigger cell lands in a costlier malloc bin).
    pub(crate) linked: UnsafeCell<bool>,
    pub(crate) vtable: &'static Vtable,
    pub(crate) id: TaskId,
    /// Set once at spawn, read-only afterwards. Double-boxed so an unnamed
    /// task pays one word, not two.
    pub(crate) name: Option<Box<Box<str>>>,
    /// Where `spawn` was called (for task listings and debug reports).
    pub(crate) location: &'static std::panic::Location<'static>,
    /// The registry's intrusive list; only touched under the registry shard lock.
    pub(crate) links: UnsafeCell<Links>,
    /// The join slot: the awaiting handle's waker. Ownership is decided by the
    /// `JOIN_WAKER` bit (see `state.rs`).
    pub(crate) join_waker: UnsafeCell<Option<Waker>>,
    /// The message of `cancel_with`, boxed; taken (swapped out) by whoever
    /// builds the cancellation error. Costs nothing until a task is cancelled.
    pub(crate) cancel_message: AtomicPtr<String>,
}

/// Functions that need the concrete future type `F` and scheduler `S`.
pub(crate) struct Vtable {
    /// Run the task once (consumes the caller's queue reference).
    pub(crate) poll: unsafe fn(NonNull<Header>),
    /// Hand a notified task to its scheduler (consumes one reference).
    pub(crate) schedule: unsafe fn(NonNull<Header>),
    /// Free the allocation (refcount reached zero).
    pub(crate) dealloc: unsafe fn(NonNull<Header>),
    /// Join: move the output into `*dst` (a `Poll<Result<T, TaskError>>`) if
    /// the task is complete, otherwise store the waker.
    pub(crate) try_read_output: unsafe fn(NonNull<Header>, *mut (), &Waker),
    /// A pointer to the stored `Result<T, TaskError>` if the task is
    /// complete and its output not taken yet; null otherwise.
    pub(crate) peek_output: unsafe fn(NonNull<Header>) -> *const (),
    /// Drop the output (handle dropped after completion); the flag says
    /// whether a panic in it goes unretrieved (and is reported).
    pub(crate) drop_output: unsafe fn(NonNull<Header>, bool),
    /// Cancel inline: drop the future on this thread if no one runs it
    /// (runtime shutdown, rejected spawn). Consumes one reference.
    pub(crate) shutdown: unsafe fn(NonNull<Header>),
}

impl Header {
    pub(crate) fn name(&self) -> Option<&str> {
        self.name.as_deref().map(|n| &**n)
    }

    /// A `!Send` task of the current-thread flavour (see `state::LOCAL`).
    pub(crate) fn is_local(&self) -> bool {
        self.state.load().is_local()
    }

    /// How long before `now` the last poll started (`None`: never polled).
    pub(crate) fn since_last_poll(&self, now: std::time::Instant) -> Option<std::time::Duration> {
        super::last_poll::Epoch::get().age(self.last_poll.load(Ordering::Relaxed), now)
    }

    pub(crate) fn set_cancel_message(&self, message: String) {
        let new = Box::into_raw(Box::new(message));
        let old = self.cancel_message.swap(new, Ordering::AcqRel);
        if !old.is_null() {
            // SAFETY: non-null pointers in the slot come from `Box::into_raw`
            // above and the swap made us their only owner.
            drop(unsafe { Box::from_raw(old) });
        }
    }

    pub(crate) fn take_cancel_message(&self) -> Option<String> {
        if self.cancel_message.load(Ordering::Acquire).is_null() {
            return None;
        }
        let old = self
            .cancel_message
            .swap(std::ptr::null_mut(), Ordering::AcqRel);
        if old.is_null() {
            None
        } else {
            // SAFETY: as in `set_cancel_message`: the swap transferred ownership.
            Some(*unsafe { Box::from_raw(old) })
        }
    }
}

impl Drop for Header {
    fn drop(&mut self) {
        drop(self.take_cancel_message());
    }
}

#[cfg(all(test, not(loom), target_pointer_width = "64"))]
mod tests {
    /// The header is on every task allocation: growing it moves small tasks
    /// into a bigger malloc bin (measured: +5 % instructions on a spawn and
    /// yield loop when it grew from 88 to 96 bytes).
    #[test]
    fn the_header_stays_eleven_words() {
        assert_eq!(std::mem::size_of::<super::Header>(), 88);
    }
}
