//! The process-wide part: one handler for every signal we listen to, the
//! per-signal delivery counters, and the wake pipes.
//!
//! Every listener owns a *wake slot*: a pipe of its own that the handler
//! writes a byte to on every delivery. (One pipe shared by all listeners
//! does not work: a listener that drains it can swallow the byte before
//! another listener's reactor has looked, and that listener never wakes —
//! found in review.) A slot's pipe is created on its first claim and never
//! closed, so the handler can never write into an fd that was closed and
//! reused for something else; a released slot is drained by its next owner.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, IntoRawFd, OwnedFd};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, AtomicUsize, Ordering};

use nix::fcntl::OFlag;
use nix::libc;
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal};
use parking_lot::Mutex;

/// Signal numbers 1..=64 (Linux has 64; the BSDs and macOS fewer).
const MAX_SIGNAL: usize = 65;

/// Deliveries of one signal.
pub(super) struct Counter(AtomicU64);

impl Counter {
    pub(super) fn load(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
}

struct Slot {
    deliveries: Counter,
    installed: AtomicBool,
}

static SLOTS: [Slot; MAX_SIGNAL] = [const {
    Slot {
        deliveries: Counter(AtomicU64::new(0)),
        installed: AtomicBool::new(false),
    }
}; MAX_SIGNAL];

/// How many listeners may exist at once, process-wide.
const WAKE_SLOTS: usize = 1024;

struct WakeSlot {
    /// The pipe's write end, -1 until the slot is first claimed; never
    /// closed after that (all the handler touches).
    write: AtomicI32,
    /// The pipe's read end, never closed either.
    read: OnceLock<OwnedFd>,
    /// Owned by a listener.
    claimed: AtomicBool,
}

static WAKE: [WakeSlot; WAKE_SLOTS] = [const {
    WakeSlot {
        write: AtomicI32::new(-1),
        read: OnceLock::new(),
        claimed: AtomicBool::new(false),
    }
}; WAKE_SLOTS];
/// One past the highest slot ever claimed: the handler looks no further.
static WAKE_USED: AtomicUsize = AtomicUsize::new(0);
/// Serialises `sigaction` calls (installing twice would be harmless, but
/// this keeps "installed" truthful).
static INSTALL: Mutex<()> = Mutex::new(());

extern "C" fn on_signal(signum: libc::c_int) {
    // Async-signal-safe only: atomics and write(2). errno is saved and
    // restored because the interrupted code may be about to read it.
    let errno = nix::errno::Errno::last_raw();
    if let Some(slot) = usize::try_from(signum).ok().and_then(|i| SLOTS.get(i)) {
        slot.deliveries.0.fetch_add(1, Ordering::AcqRel);
    }
    let used = WAKE_USED.load(Ordering::Acquire);
    for slot in &WAKE[..used.min(WAKE_SLOTS)] {
        if !slot.claimed.load(Ordering::Acquire) {
            continue;
        }
        let fd = slot.write.load(Ordering::Acquire);
        if fd >= 0 {
            let byte = 1u8;
            // A full pipe (EAGAIN) is fine: its reader is already due to wake.
            // SAFETY: `fd` is a wake pipe's write end, open for the life of the
            // process (wake pipes are never closed); the buffer is one byte.
            unsafe {
                libc::write(fd, (&raw const byte).cast(), 1);
            }
        }
    }
    nix::errno::Errno::set_raw(errno);
}

/// A listener's claim on a wake slot; released on drop.
pub(super) struct WakeClaim {
    index: usize,
}

impl WakeClaim {
    /// Claims a free slot (creating its pipe on first use) and empties it.
    pub(super) fn new() -> io::Result<WakeClaim> {
        for (index, slot) in WAKE.iter().enumerate() {
            if slot
                .claimed
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
                .is_err()
            {
                continue;
            }
            let claim = WakeClaim { index };
            if slot.read.get().is_none() {
                // On error `claim` is dropped, which releases the slot.
                let (read, write) = nix::unistd::pipe2(OFlag::O_NONBLOCK | OFlag::O_CLOEXEC)?;
                let _ = slot.read.set(read);
                // Leaked on purpose: the handler may write to it at any time.
                slot.write.store(write.into_raw_fd(), Ordering::Release);
            }
            WAKE_USED.fetch_max(index + 1, Ordering::AcqRel);
            // Bytes left by the previous owner only cost a spurious check,
            // but start clean.
            drain(claim.read_fd());
            return Ok(claim);
        }
        Err(io::Error::other(format!(
            "too many signal listeners (at most {WAKE_SLOTS} at once)"
        )))
    }

    /// The read end of this listener's pipe (never closed).
    pub(super) fn read_fd(&self) -> BorrowedFd<'static> {
        WAKE[self.index]
            .read
            .get()
            .expect("created when claimed")
            .as_fd()
    }
}

impl Drop for WakeClaim {
    fn drop(&mut self) {
        WAKE[self.index].claimed.store(false, Ordering::Release);
    }
}

/// Installs the handler for `signum` (once) and returns its counter.
pub(super) fn install(signum: i32) -> io::Result<&'static Counter> {
    let signal = Signal::try_from(signum)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "not a signal number"))?;
    if matches!(
        signal,
        Signal::SIGKILL
            | Signal::SIGSTOP
            | Signal::SIGSEGV
            | Signal::SIGBUS
            | Signal::SIGILL
            | Signal::SIGFPE
    ) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{signal:?} cannot be listened for"),
        ));
    }
    let slot = SLOTS
        .get(signum as usize)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "signal number too large"))?;
    if !slot.installed.load(Ordering::Acquire) {
        let _lock = INSTALL.lock();
        if !slot.installed.load(Ordering::Acquire) {
            let action = SigAction::new(
                SigHandler::Handler(on_signal),
                SaFlags::SA_RESTART,
                SigSet::empty(),
            );
            // SAFETY: `on_signal` is async-signal-safe (atomics and write).
            unsafe { nix::sys::signal::sigaction(signal, &action)? };
            slot.installed.store(true, Ordering::Release);
        }
    }
    Ok(&slot.deliveries)
}

/// The counter of a signal `install` accepted.
pub(super) fn counter(signum: i32) -> &'static Counter {
    &SLOTS[signum as usize].deliveries
}

/// Empties a wake pipe (non-blocking).
pub(super) fn drain(fd: BorrowedFd<'_>) {
    let mut buf = [0u8; 64];
    while let Ok(n) = nix::unistd::read(fd, &mut buf) {
        if n < buf.len() {
            break;
        }
    }
}
