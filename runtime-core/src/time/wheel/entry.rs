//! A timer entry: lives inside its `Sleep` (pinned, no allocation of its
//! own) and is linked into one slot list of one wheel.

use std::cell::UnsafeCell;
use std::marker::PhantomPinned;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::Waker;
use std::time::Instant;

pub(crate) const UNREGISTERED: u8 = 0;
pub(crate) const REGISTERED: u8 = 1;
pub(crate) const FIRED: u8 = 2;

/// Everything but `state` is only touched under the lock of the wheel the
/// entry is registered in (or by the owner while it is unregistered).
pub(crate) struct TimerEntry {
    state: AtomicU8,
    pub(super) inner: UnsafeCell<EntryInner>,
    _pinned: PhantomPinned,
}

pub(crate) struct EntryInner {
    pub(super) prev: Option<NonNull<TimerEntry>>,
    pub(super) next: Option<NonNull<TimerEntry>>,
    /// Millisecond tick of the deadline (floor), relative to the wheel start.
    pub(super) tick: u64,
    /// The list the entry is linked in (set by `Wheel::link`).
    pub(super) level: u8,
    pub(super) slot: u8,
    pub(super) deadline: Instant,
    pub(super) waker: Option<Waker>,
}

// SAFETY: the cell's contents are only accessed under the owning wheel's
// mutex (or exclusively by the owner before registration); `state` is atomic.
unsafe impl Send for TimerEntry {}
// SAFETY: as above.
unsafe impl Sync for TimerEntry {}

impl TimerEntry {
    pub(crate) fn new(deadline: Instant) -> TimerEntry {
        TimerEntry {
            state: AtomicU8::new(UNREGISTERED),
            inner: UnsafeCell::new(EntryInner {
                prev: None,
                next: None,
                tick: 0,
                level: 0,
                slot: 0,
                deadline,
                waker: None,
            }),
            _pinned: PhantomPinned,
        }
    }

    /// Lock-free check used by `Sleep::poll`'s fast path.
    pub(crate) fn is_fired(&self) -> bool {
        self.state.load(Ordering::Acquire) == FIRED
    }

    pub(crate) fn state(&self) -> u8 {
        self.state.load(Ordering::Acquire)
    }

    pub(super) fn set_state(&self, state: u8) {
        self.state.store(state, Ordering::Release);
    }

    /// # Safety
    /// The caller holds the owning wheel's lock, or the entry is unregistered
    /// and the caller is its owner.
    #[allow(clippy::mut_from_ref)]
    pub(super) unsafe fn inner(&self) -> &mut EntryInner {
        // SAFETY: by the caller.
        unsafe { &mut *self.inner.get() }
    }
}
