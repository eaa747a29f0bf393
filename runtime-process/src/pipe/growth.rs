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
//! limit, resized by either end, a kernel without the 2024 fix to pipe
//! resizing — see `resize_wakes_writers`) keeps its size;
//! nothing fails because of this.
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
        slot: Slot<'static>,
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

    /// Our end is handed on (`into_owned_fd`): the pipe leaves our
    /// bookkeeping but lives on. Shrinks it back to the default size so
    /// that the budget still bounds what this process grew; if it holds
    /// too much data to shrink, its slot stays taken for good instead.
    pub(crate) fn hand_off(self, fd: BorrowedFd<'_>) {
        #[cfg(target_os = "linux")]
        if let Growth::Grown { slot } = self {
            use nix::fcntl::{FcntlArg, fcntl};
            let shrunk = fcntl(fd, FcntlArg::F_SETPIPE_SZ(default_capacity() as i32)).is_ok();
            if !shrunk {
                std::mem::forget(slot);
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = (self, fd);
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
    if !resize_wakes_writers() {
        return Growth::Settled;
    }
    // Only a pipe at the kernel's default size: one that either end
    // resized (larger, or smaller to bound its latency) is left alone.
    match fcntl(fd, FcntlArg::F_GETPIPE_SZ) {
        Ok(size) if size as usize == default_capacity() => {}
        _ => return Growth::Settled,
    }
    let Some(slot) = BUDGET.claim() else {
        return Growth::Settled;
    };
    match fcntl(fd, FcntlArg::F_SETPIPE_SZ(GROWN_CAPACITY as i32)) {
        Ok(_) => Growth::Grown { slot },
        // EPERM past the user's limit: keep the default size (the slot is
        // released as it drops).
        Err(_) => Growth::Settled,
    }
}

/// The size of a new pipe: 16 pages (`PIPE_DEF_BUFFERS`).
#[cfg(target_os = "linux")]
fn default_capacity() -> usize {
    // SAFETY: sysconf reads a constant of the system; it has no
    // preconditions and touches no memory of ours.
    let page = unsafe { nix::libc::sysconf(nix::libc::_SC_PAGESIZE) };
    16 * usize::try_from(page).unwrap_or(4096)
}

/// Whether growing a pipe is safe on this kernel. Since Linux 5.5 a reader
/// wakes a blocked writer only when it takes data from a *full* pipe, and
/// from 5.8 until the fix "pipe: wakeup wr_wait after setting max_usage"
/// (CVE-2023-52672) a resize woke writers before raising the pipe's limit:
/// a child blocked writing to a full stdout at that moment went back to
/// sleep, and with the larger limit the pipe was never full again to wake
/// it. Fixed in 6.8 and in the stable releases 5.10.210, 5.15.149, 6.1.76,
/// 6.6.15 and 6.7.3; any other kernel (older ones included, and vendor
/// kernels whose numbers say nothing) keeps the default size.
#[cfg(target_os = "linux")]
fn resize_wakes_writers() -> bool {
    static SAFE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SAFE.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .ok()
            .and_then(|release| kernel_version(&release))
            .is_some_and(resize_fix_included)
    })
}

/// Whether kernel `(major, minor, patch)` has the resize wake-up fix.
#[cfg(target_os = "linux")]
fn resize_fix_included((major, minor, patch): (u32, u32, u32)) -> bool {
    const FIXED_STABLE: [((u32, u32), u32); 5] = [
        ((5, 10), 210),
        ((5, 15), 149),
        ((6, 1), 76),
        ((6, 6), 15),
        ((6, 7), 3),
    ];
    (major, minor) >= (6, 8)
        || FIXED_STABLE
            .iter()
            .any(|&(series, fixed)| series == (major, minor) && patch >= fixed)
}

/// `(major, minor, patch)` of a release string such as
/// "6.18.44-fc-v1272" (a missing patch level is 0); `None` if it does not
/// start with two numbers.
#[cfg(target_os = "linux")]
fn kernel_version(release: &str) -> Option<(u32, u32, u32)> {
    let mut parts = release.trim().split(['.', '-', '+', '_']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    Some((major, minor, patch))
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
    fn only_kernels_with_the_resize_fix_grow_pipes() {
        let safe = |release: &str| kernel_version(release).is_some_and(resize_fix_included);
        assert_eq!(kernel_version("6.18.44-fc-v1272\n"), Some((6, 18, 44)));
        assert_eq!(kernel_version("7.0-rc1"), Some((7, 0, 0)));
        assert_eq!(kernel_version("garbage"), None);
        assert!(safe("6.18.44-fc-v1272"));
        assert!(safe("6.8.0-31-generic"));
        assert!(safe("7.0-rc1"));
        assert!(safe("6.1.76"));
        assert!(safe("5.15.150-1-lts"));
        assert!(safe("6.6.15"));
        assert!(!safe("6.1.75"));
        assert!(!safe("6.5.0-14-generic"));
        assert!(!safe("6.6.14"));
        assert!(!safe("5.15.0-91-generic"));
        assert!(!safe("4.18.0-513.el8.x86_64"));
        assert!(!safe("garbage"));
    }

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
        // So is one an end made smaller (to bound its latency).
        let (small, _small_write) = nix::unistd::pipe().unwrap();
        nix::fcntl::fcntl(small.as_fd(), nix::fcntl::FcntlArg::F_SETPIPE_SZ(4096)).unwrap();
        let before = size(&small);
        let mut growth = Growth::new(true);
        growth.record(small.as_fd(), GROW_AFTER);
        assert!(!growth.is_grown());
        assert_eq!(size(&small), before);
    }
}
