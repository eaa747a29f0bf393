//! The task state word: every transition of a task's life cycle is one
//! compare-and-swap (or one read-modify-write) on this single `usize`.
//!
//! ```text
//!  bit 0  RUNNING        a thread is polling (or cancelling) the future
//!  bit 1  NOTIFIED       the task sits in a run queue, or was woken while RUNNING
//!  bit 2  COMPLETE       the future is gone; the stage holds the output (or the
//!                        handle already took it)
//!  bit 3  CANCELLED      cancellation was requested
//!  bit 4  JOIN_INTEREST  a `Task<T>` handle is alive
//!  bit 5  JOIN_WAKER     the handle has stored a waker in the join slot and gave
//!                        the slot to the task side (see below)
//!  bit 6  GRACEFUL       (set at spawn; cleared only by shutdown) cancellation is only a request
//!  bit 7  LOCAL          (fixed at spawn) a `!Send` future, home thread only
//!  bit 8+ reference count
//! ```
//!
//! Life cycle: spawned `NOTIFIED` → (popped) `RUNNING` → `Pending`: idle, or back
//! to `NOTIFIED` if woken while running → … → `COMPLETE`.
//!
//! Invariants:
//! - `NOTIFIED` without `RUNNING` means exactly one queue entry (a `Notified`
//!   holding one reference) exists, or the task is being cancelled at shutdown.
//! - `NOTIFIED` and `COMPLETE` are never set together by a wake: waking a complete
//!   task does nothing.
//! - While `RUNNING`, the runner holds one reference, so a wake can never free
//!   the task under it.
//! - Join slot: while `JOIN_WAKER` is clear the handle owns the slot; while set,
//!   the task side owns it. The handle sets or clears the bit only by a CAS that
//!   requires `!COMPLETE`. The completing thread only *reads* the slot (to wake
//!   the joiner), then clears the bit; if the handle is gone by then, it drops
//!   the waker, otherwise the slot is the handle's again.
//!
//! References are held by: the runtime's registry of live tasks (until the task
//! completes), the `Task<T>` handle, each queue entry, each `Waker` and each
//! `TaskRef`. The last one to go frees the allocation.

use crate::primitives::{AtomicUsize, Ordering};

pub(crate) const RUNNING: usize = 1 << 0;
pub(crate) const NOTIFIED: usize = 1 << 1;
pub(crate) const COMPLETE: usize = 1 << 2;
pub(crate) const CANCELLED: usize = 1 << 3;
pub(crate) const JOIN_INTEREST: usize = 1 << 4;
pub(crate) const JOIN_WAKER: usize = 1 << 5;
/// Set at spawn, cleared only by shutdown: `cancel()` only *requests* cancellation;
/// the future is not dropped but observes it (`task::cancel_requested`).
pub(crate) const GRACEFUL: usize = 1 << 6;
/// Set at spawn, never changed: a `!Send` future (current-thread
/// `spawn_local`), polled and dropped only on its runtime's home thread.
pub(crate) const LOCAL: usize = 1 << 7;
const REF_SHIFT: usize = 8;
pub(crate) const REF_ONE: usize = 1 << REF_SHIFT;
const FLAGS: usize = REF_ONE - 1;

/// A snapshot of the state word.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) struct Snapshot(pub(crate) usize);

impl Snapshot {
    pub(crate) fn is_running(self) -> bool {
        self.0 & RUNNING != 0
    }
    pub(crate) fn is_notified(self) -> bool {
        self.0 & NOTIFIED != 0
    }
    pub(crate) fn is_complete(self) -> bool {
        self.0 & COMPLETE != 0
    }
    pub(crate) fn is_cancelled(self) -> bool {
        self.0 & CANCELLED != 0
    }
    pub(crate) fn has_join_interest(self) -> bool {
        self.0 & JOIN_INTEREST != 0
    }
    pub(crate) fn has_join_waker(self) -> bool {
        self.0 & JOIN_WAKER != 0
    }
    pub(crate) fn is_graceful(self) -> bool {
        self.0 & GRACEFUL != 0
    }
    pub(crate) fn is_local(self) -> bool {
        self.0 & LOCAL != 0
    }
    /// Cancelled, and the future must be dropped for it.
    fn must_drop(self) -> bool {
        self.is_cancelled() && !self.is_graceful()
    }
    pub(crate) fn ref_count(self) -> usize {
        self.0 >> REF_SHIFT
    }
    fn is_idle(self) -> bool {
        self.0 & (RUNNING | NOTIFIED | COMPLETE) == 0
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("running", &self.is_running())
            .field("notified", &self.is_notified())
            .field("complete", &self.is_complete())
            .field("cancelled", &self.is_cancelled())
            .field("join_interest", &self.has_join_interest())
            .field("join_waker", &self.has_join_waker())
            .field("refs", &self.ref_count())
            .finish()
    }
}

/// What the runner must do once it has the task in hand.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum StartPoll {
    /// Poll the future.
    Poll,
    /// Cancellation was requested: drop the future instead.
    Cancel,
}

/// What the runner must do after a poll returned `Pending`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum AfterPoll {
    /// Nothing: the task is idle and the runner's reference was released.
    Idle,
    /// The task was woken during the poll: queue it again (the runner's
    /// reference moves to the queue).
    Requeue,
    /// Cancellation was requested during the poll: drop the future now.
    Cancel,
}

/// What a waker must do.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum WakeAction {
    /// Nothing to schedule.
    None,
    /// Push the task to a run queue (a reference for the queue is held).
    Schedule,
    /// The reference released was the last: free the task.
    Dealloc,
}

/// The state word.
pub(crate) struct State {
    word: AtomicUsize,
}

impl State {
    /// A freshly spawned task: queued once, with a handle, and three
    /// references (registry, handle, queue entry).
    #[cfg(all(test, not(loom)))]
    pub(crate) fn new() -> State {
        State::with_flags(0)
    }

    /// A freshly spawned task with extra fixed flags (`GRACEFUL`).
    pub(crate) fn with_flags(flags: usize) -> State {
        debug_assert_eq!(flags & !(GRACEFUL | LOCAL), 0);
        State {
            word: AtomicUsize::new(flags | NOTIFIED | JOIN_INTEREST | (3 * REF_ONE)),
        }
    }

    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.word.load(Ordering::Acquire))
    }

    fn update<T>(&self, mut f: impl FnMut(Snapshot) -> (Option<usize>, T)) -> T {
        let mut cur = self.word.load(Ordering::Acquire);
        loop {
            let (next, out) = f(Snapshot(cur));
            let Some(next) = next else { return out };
            match self
                .word
                .compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return out,
                Err(actual) => cur = actual,
            }
        }
    }

    /// The runner took a `NOTIFIED` task out of a queue (keeping the queue's
    /// reference for the duration of the run).
    pub(crate) fn transition_to_running(&self) -> StartPoll {
        self.update(|s| {
            debug_assert!(
                s.is_notified() && !s.is_running() && !s.is_complete(),
                "{s:?}"
            );
            let next = (s.0 & !NOTIFIED) | RUNNING;
            let action = if s.must_drop() {
                StartPoll::Cancel
            } else {
                StartPoll::Poll
            };
            (Some(next), action)
        })
    }

    /// The poll returned `Pending`.
    pub(crate) fn transition_to_idle(&self) -> AfterPoll {
        self.update(|s| {
            debug_assert!(s.is_running(), "{s:?}");
            if s.must_drop() {
                (None, AfterPoll::Cancel)
            } else if s.is_notified() {
                (Some(s.0 & !RUNNING), AfterPoll::Requeue)
            } else {
                // The registry still holds a reference, so this is never the last.
                debug_assert!(s.ref_count() >= 2, "{s:?}");
                (Some((s.0 & !RUNNING) - REF_ONE), AfterPoll::Idle)
            }
        })
    }

    /// The future finished (or was dropped): publish the output. Returns the
    /// state before the transition.
    pub(crate) fn transition_to_complete(&self) -> Snapshot {
        // A wake during the last poll may have left NOTIFIED set: clear it so
        // a complete task never looks queued.
        self.update(|s| {
            debug_assert!(s.is_running() && !s.is_complete(), "{s:?}");
            (Some((s.0 & !(RUNNING | NOTIFIED)) | COMPLETE), s)
        })
    }

    /// Shutdown or a rejected spawn: claim a task that no worker is running so
    /// the caller can drop its future. Returns false if it is complete or
    /// running elsewhere (in which case it is only marked cancelled).
    pub(crate) fn transition_to_shutdown(&self) -> bool {
        self.update(|s| {
            if s.is_complete() {
                (None, false)
            } else if s.is_running() {
                // Shutdown overrides graceful cancellation: the runner must
                // drop the future after this poll (clearing GRACEFUL makes
                // `transition_to_idle` answer Cancel).
                (Some((s.0 | CANCELLED) & !GRACEFUL), false)
            } else {
                (Some((s.0 & !NOTIFIED) | RUNNING | CANCELLED), true)
            }
        })
    }

    /// `Waker::wake` (consumes the waker's reference).
    pub(crate) fn transition_to_notified_by_val(&self) -> WakeAction {
        self.update(|s| {
            if s.is_running() {
                // The runner holds a reference: dropping ours is never the last.
                (Some((s.0 | NOTIFIED) - REF_ONE), WakeAction::None)
            } else if s.is_notified() || s.is_complete() {
                let next = s.0 - REF_ONE;
                let action = if Snapshot(next).ref_count() == 0 {
                    WakeAction::Dealloc
                } else {
                    WakeAction::None
                };
                (Some(next), action)
            } else {
                // Idle: our reference moves to the queue entry.
                (Some(s.0 | NOTIFIED), WakeAction::Schedule)
            }
        })
    }

    /// `Waker::wake_by_ref`.
    pub(crate) fn transition_to_notified_by_ref(&self) -> WakeAction {
        // Already queued or finished: a single load, no write.
        let s = self.load();
        if s.is_complete() || s.is_notified() {
            return WakeAction::None;
        }
        self.update(|s| {
            if s.is_complete() || s.is_notified() {
                (None, WakeAction::None)
            } else if s.is_running() {
                (Some(s.0 | NOTIFIED), WakeAction::None)
            } else {
                check_ref_overflow(s);
                (Some((s.0 | NOTIFIED) + REF_ONE), WakeAction::Schedule)
            }
        })
    }

    /// Cancellation requested. Returns `(accepted, action)`: `accepted` is
    /// false when the task had already completed; `action` says whether the
    /// caller must queue the task (it was idle; a reference for the queue was
    /// taken) so a runner drops its future promptly.
    pub(crate) fn transition_to_cancelled(&self) -> (bool, WakeAction) {
        self.update(|s| {
            if s.is_complete() {
                (None, (false, WakeAction::None))
            } else if s.is_cancelled() {
                (None, (true, WakeAction::None))
            } else if s.is_idle() {
                check_ref_overflow(s);
                (
                    Some((s.0 | CANCELLED | NOTIFIED) + REF_ONE),
                    (true, WakeAction::Schedule),
                )
            } else if s.is_graceful() && s.is_running() {
                // Poll it once more after this poll so it sees the request.
                (Some(s.0 | CANCELLED | NOTIFIED), (true, WakeAction::None))
            } else {
                (Some(s.0 | CANCELLED), (true, WakeAction::None))
            }
        })
    }

    /// The handle stores its waker: succeeds only if the task has not
    /// completed. On failure returns the completed snapshot.
    pub(crate) fn set_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.update(|s| {
            debug_assert!(s.has_join_interest() && !s.has_join_waker(), "{s:?}");
            if s.is_complete() {
                (None, Err(s))
            } else {
                (Some(s.0 | JOIN_WAKER), Ok(s))
            }
        })
    }

    /// The handle takes the join slot back to replace its waker: succeeds only
    /// if the task has not completed.
    pub(crate) fn unset_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.update(|s| {
            // The completing thread may have cleared JOIN_WAKER after the
            // handle's snapshot: then COMPLETE is set too.
            debug_assert!(
                s.has_join_interest() && (s.has_join_waker() || s.is_complete()),
                "{s:?}"
            );
            if s.is_complete() {
                (None, Err(s))
            } else {
                (Some(s.0 & !JOIN_WAKER), Ok(s))
            }
        })
    }

    /// The completing thread woke the joiner and gives the join slot back to
    /// the handle. Returns the snapshot before: without `JOIN_INTEREST` the
    /// handle is gone and the caller must drop the waker itself.
    pub(crate) fn unset_waker_after_complete(&self) -> Snapshot {
        let prev = Snapshot(self.word.fetch_and(!JOIN_WAKER, Ordering::AcqRel));
        debug_assert!(prev.is_complete() && prev.has_join_waker(), "{prev:?}");
        prev
    }

    /// The handle is dropped. Returns the snapshot before: if it was complete,
    /// the handle must drop the output; if it had `JOIN_WAKER` (and was not
    /// complete) the handle got the slot back and must drop its waker.
    pub(crate) fn drop_join_interest(&self) -> Snapshot {
        self.update(|s| {
            debug_assert!(s.has_join_interest(), "{s:?}");
            let next = if s.is_complete() {
                s.0 & !JOIN_INTEREST
            } else {
                s.0 & !(JOIN_INTEREST | JOIN_WAKER)
            };
            (Some(next), s)
        })
    }

    pub(crate) fn ref_inc(&self) {
        let prev = Snapshot(self.word.fetch_add(REF_ONE, Ordering::Relaxed));
        check_ref_overflow(prev);
    }

    /// Releases `n` references; true if they were the last.
    pub(crate) fn ref_dec(&self, n: usize) -> bool {
        let prev = Snapshot(self.word.fetch_sub(n * REF_ONE, Ordering::AcqRel));
        debug_assert!(prev.ref_count() >= n, "{prev:?}");
        prev.ref_count() == n
    }

    /// Flag bits only (for diagnostics).
    pub(crate) fn flags(&self) -> usize {
        self.word.load(Ordering::Relaxed) & FLAGS
    }
}

fn check_ref_overflow(s: Snapshot) {
    if s.0 > isize::MAX as usize {
        // Like `Arc`: a count this large means references are being leaked in a
        // loop; continuing would wrap into a use-after-free.
        std::process::abort();
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn spawn_poll_idle_wake_complete() {
        let s = State::new();
        assert_eq!(s.load().ref_count(), 3);
        assert_eq!(s.transition_to_running(), StartPoll::Poll);
        assert_eq!(s.transition_to_idle(), AfterPoll::Idle);
        assert_eq!(s.load().ref_count(), 2);
        assert_eq!(s.transition_to_notified_by_ref(), WakeAction::Schedule);
        assert_eq!(s.load().ref_count(), 3);
        // A second wake while queued does nothing.
        assert_eq!(s.transition_to_notified_by_ref(), WakeAction::None);
        assert_eq!(s.transition_to_running(), StartPoll::Poll);
        let prev = s.transition_to_complete();
        assert!(prev.has_join_interest());
        let now = s.load();
        assert!(now.is_complete() && !now.is_running());
    }

    #[test]
    fn wake_while_running_requeues() {
        let s = State::new();
        s.transition_to_running();
        assert_eq!(s.transition_to_notified_by_ref(), WakeAction::None);
        assert_eq!(s.transition_to_idle(), AfterPoll::Requeue);
        assert!(s.load().is_notified());
    }

    #[test]
    fn cancel_idle_schedules_and_cancel_complete_is_refused() {
        let s = State::new();
        s.transition_to_running();
        s.transition_to_idle();
        assert_eq!(s.transition_to_cancelled(), (true, WakeAction::Schedule));
        assert_eq!(s.transition_to_cancelled(), (true, WakeAction::None));
        assert_eq!(s.transition_to_running(), StartPoll::Cancel);
        s.transition_to_complete();
        assert_eq!(s.transition_to_cancelled(), (false, WakeAction::None));
    }

    #[test]
    fn shutdown_of_a_running_graceful_task_drops_it_after_the_poll() {
        let s = State::with_flags(GRACEFUL);
        s.transition_to_running();
        assert!(!s.transition_to_shutdown());
        assert_eq!(s.transition_to_idle(), AfterPoll::Cancel);
    }

    #[test]
    fn wake_by_val_on_complete_releases_last_ref() {
        let s = State::new();
        s.transition_to_running();
        s.transition_to_complete();
        s.drop_join_interest();
        assert!(!s.ref_dec(1)); // handle
        assert!(!s.ref_dec(1)); // registry
        assert_eq!(s.transition_to_notified_by_val(), WakeAction::Dealloc);
    }
}
