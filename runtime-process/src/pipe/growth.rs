//! Bigger pipes for children that stream a lot.
//!
//! Linux gives a new pipe 64 KiB. A child that streams megabytes (`cat`,
//! a compressor, an encoder) then costs both sides a wake-up per 64 KiB;
//! with 256 KiB the same transfer is quicker (256 MiB through `cat` with a
//! 64 KiB writer and reader: 98 ms → 80 ms here). But pipe memory is
//! charged to the user: past `/proc/sys/fs/pipe-user-pages-soft` (16,384
//! pages, 64 MiB, by default) every new pipe of that user, in any process,
//! gets 8 KiB. So growth is earned and bounded: a pipe grows once it has
//! carried [`GROW_AFTER`] bytes, and at most [`MAX_GROWN`] pipes of this
//! process are grown at a time (256 extra pages at most, under 2 % of the
//! default limit). A pipe that cannot grow (budget spent, `EPERM` past the
//! limit, already bigger) keeps its size; nothing fails because of this.
//!
//! Like TCP's buffer autotuning, this is invisible to both programs: any
//! capacity of at least `PIPE_BUF` bytes is valid, and a write of up to
//! `PIPE_BUF` bytes stays atomic.

// Only Linux can resize a pipe; elsewhere every pipe stays `Settled`.
#![cfg_attr(not(target_os = "linux"), allow(dead_code))]

use std::os::fd::BorrowedFd;
#[cfg(target_os = "linux")]
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bytes a pipe carries at its default size before it may grow.
pub(crate) const GROW_AFTER: usize = 1024 * 1024;
/// The grown capacity.
pub(crate) const GROWN_CAPACITY: usize = 256 * 1024;
/// How many of this process's pipes may be grown at once.
pub(crate) const MAX_GROWN: usize = 8;

/// One pipe end's growth: counting, grown (holding a budget slot), or
/// settled (growth off, refused, or not needed).
pub(crate) enum Growth {
    /// Bytes carried so far at the default size.
    Counting(usize),
    /// Grown; the slot goes back to the budget when this end is dropped
    /// or closed.
    #[cfg(target_os = "linux")]
    Grown {
        _slot: Slot<'static>,
    },
    Settled,
}

impl Growth {
    pub(crate) fn new(enabled: bool) -> Growth {
        if enabled && cfg!(target_os = "linux") {
            Growth::Counting(0)
        } else {
            Growth::Settled
        }
    }

    /// Notes that `n` bytes went through the pipe behind `fd`; grows it
    /// once enough have. One add and compare per read or write.
    #[inline]
    pub(crate) fn record(&mut self, fd: BorrowedFd<'_>, n: usize) {
        if let Growth::Counting(carried) = self {
            *carried += n;
            if *carried >= GROW_AFTER {
                *self = grow(fd);
            }
        }
    }

    /// Whether this end holds one of the budget's slots.
    #[cfg(test)]
    pub(crate) fn is_grown(&self) -> bool {
        #[cfg(target_os = "linux")]
        if let Growth::Grown { .. } = self {
            return true;
        }
        false
    }
}

#[cfg(target_os = "linux")]
#[cold]
fn grow(fd: BorrowedFd<'_>) -> Growth {
    use nix::fcntl::{FcntlArg, fcntl};
    // A pipe someone already enlarged (both ends can) must not shrink.
    match fcntl(fd, FcntlArg::F_GETPIPE_SZ) {
        Ok(size) if (size as usize) < GROWN_CAPACITY => {}
        _ => return Growth::Settled,
    }
    let Some(slot) = BUDGET.claim() else {
        return Growth::Settled;
    };
    match fcntl(fd, FcntlArg::F_SETPIPE_SZ(GROWN_CAPACITY as i32)) {
        Ok(_) => Growth::Grown { _slot: slot },
        // EPERM past the user's limit: keep the default size (the slot is
        // released as it drops).
        Err(_) => Growth::Settled,
    }
}

#[cfg(not(target_os = "linux"))]
fn grow(_fd: BorrowedFd<'_>) -> Growth {
    Growth::Settled
}

/// How many pipes may be grown at once, and how many are.
#[cfg(target_os = "linux")]
pub(crate) struct Budget {
    used: AtomicUsize,
    max: usize,
}

#[cfg(target_os = "linux")]
static BUDGET: Budget = Budget::new(MAX_GROWN);

#[cfg(target_os = "linux")]
impl Budget {
    pub(crate) const fn new(max: usize) -> Budget {
        Budget {
            used: AtomicUsize::new(0),
            max,
        }
    }

    /// A slot, if fewer than `max` are taken; it is given back on drop.
    pub(crate) fn claim(&self) -> Option<Slot<'_>> {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                (used < self.max).then_some(used + 1)
            })
            .ok()
            .map(|_| Slot(self))
    }
}

/// One grown pipe's share of the [`Budget`].
#[cfg(target_os = "linux")]
pub(crate) struct Slot<'a>(&'a Budget);

#[cfg(target_os = "linux")]
impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.used.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn the_budget_hands_out_at_most_max_slots_and_takes_them_back() {
        let budget = Budget::new(2);
        let a = budget.claim().expect("first slot");
        let b = budget.claim().expect("second slot");
        assert!(budget.claim().is_none(), "a third pipe must not grow");
        drop(a);
        let c = budget.claim().expect("a released slot is reusable");
        drop((b, c));
        assert_eq!(budget.used.load(Ordering::Acquire), 0);
    }

    #[test]
    fn a_pipe_grows_once_it_has_carried_enough_and_never_shrinks() {
        use std::os::fd::AsFd;
        let (read, _write) = nix::unistd::pipe().unwrap();
        let size = |fd: &std::os::fd::OwnedFd| {
            nix::fcntl::fcntl(fd.as_fd(), nix::fcntl::FcntlArg::F_GETPIPE_SZ).unwrap() as usize
        };
        let default = size(&read);
        let mut growth = Growth::new(true);
        growth.record(read.as_fd(), GROW_AFTER - 1);
        assert_eq!(size(&read), default, "grew too early");
        growth.record(read.as_fd(), 1);
        // The shared budget may be spent by other tests' children; then the
        // pipe keeps its size, which is the documented fallback.
        if growth.is_grown() {
            assert_eq!(size(&read), GROWN_CAPACITY);
        } else {
            assert_eq!(size(&read), default);
        }
        // A pipe already bigger than the grown size is left alone.
        let (big, _big_write) = nix::unistd::pipe().unwrap();
        nix::fcntl::fcntl(
            big.as_fd(),
            nix::fcntl::FcntlArg::F_SETPIPE_SZ(2 * GROWN_CAPACITY as i32),
        )
        .unwrap();
        let before = size(&big);
        let mut growth = Growth::new(true);
        growth.record(big.as_fd(), GROW_AFTER);
        assert!(!growth.is_grown());
        assert_eq!(size(&big), before);
    }
}
