//! The process-wide part: one handler for every signal we listen to, the
//! per-signal delivery counters, and the self-pipe.

use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};

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

/// The self-pipe; the write end's number is also kept in an atomic, which is
/// all the handler may touch.
static PIPE: OnceLock<(OwnedFd, OwnedFd)> = OnceLock::new();
static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);
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
    let fd = PIPE_WRITE.load(Ordering::Acquire);
    if fd >= 0 {
        let byte = 1u8;
        // SAFETY: `fd` is the pipe's write end, open for the life of the
        // process (the pipe is never closed); the buffer is one valid byte.
        // A full pipe (EAGAIN) is fine: readers are already due to wake.
        unsafe {
            libc::write(fd, (&raw const byte).cast(), 1);
        }
    }
    nix::errno::Errno::set_raw(errno);
}

fn pipe() -> io::Result<&'static (OwnedFd, OwnedFd)> {
    if let Some(pipe) = PIPE.get() {
        return Ok(pipe);
    }
    let _lock = INSTALL.lock();
    if let Some(pipe) = PIPE.get() {
        return Ok(pipe);
    }
    let (read, write) = nix::unistd::pipe2(OFlag::O_NONBLOCK | OFlag::O_CLOEXEC)?;
    PIPE_WRITE.store(write.as_raw_fd(), Ordering::Release);
    Ok(PIPE.get_or_init(|| (read, write)))
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
    pipe()?;
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

/// A new fd on the pipe's read end for one listener (a duplicate, so every
/// listener's registration sees every write; close-on-exec).
pub(super) fn listen_fd() -> io::Result<OwnedFd> {
    pipe()?.0.as_fd().try_clone_to_owned()
}

/// Empties the pipe (non-blocking).
pub(super) fn drain(fd: &OwnedFd) {
    let mut buf = [0u8; 64];
    while let Ok(n) = nix::unistd::read(fd.as_fd(), &mut buf) {
        if n < buf.len() {
            break;
        }
    }
}
