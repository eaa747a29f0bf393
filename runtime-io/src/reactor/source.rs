//! One registered file descriptor: its cached readiness and the tasks
//! waiting for it.
//!
//! Sources are registered edge-triggered for both directions, once, so the
//! reactor never re-arms anything (no `epoll_ctl` per operation). Instead
//! each source caches what the kernel reported in one atomic word:
//!
//! ```text
//! bit 0  READABLE   an edge said "readable" and no read has hit WouldBlock since
//! bit 1  WRITABLE   the same for writes
//! bit 2  SHUT_DOWN  the runtime is gone: every wait fails from now on
//! bit 3  READ_CLOSED the peer closed its end (EPOLLRDHUP / EPOLLHUP): sticky,
//!                   never cleared, so a read after a short read that
//!                   drained the data still sees the end of the stream
//! 4..    tick       how many event rounds touched this source (wraps)
//! ```
//!
//! An operation tries the syscall while its bit is set; on `WouldBlock` it
//! clears the bit — but only if the tick is the one it read before the
//! syscall ([`Source::clear_readiness`]). If an event arrived in between,
//! the tick moved and the bit stays: that is the protection against the
//! lost wake-up where an edge lands between our failed syscall and our
//! clearing of the flag.

use std::io;
use std::os::fd::RawFd;
use std::task::{Context, Poll, Waker};

// Loom's atomics and mutex under `--cfg loom`, so the models in
// `reactor/loom_tests.rs` explore every interleaving of this protocol.
#[cfg(loom)]
use loom::sync::atomic::{AtomicUsize, Ordering};
#[cfg(not(loom))]
use std::sync::atomic::{AtomicUsize, Ordering};

use super::poller::Event;

const READABLE: usize = 1;
const WRITABLE: usize = 1 << 1;
const SHUT_DOWN: usize = 1 << 2;
const READ_CLOSED: usize = 1 << 3;
const TICK_SHIFT: u32 = 4;
const READINESS_MASK: usize = (1 << TICK_SHIFT) - 1;

/// Which way an operation goes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Read,
    Write,
}

impl Direction {
    /// The bits that let an operation go ahead.
    fn ready_mask(self) -> usize {
        match self {
            Direction::Read => READABLE | READ_CLOSED,
            Direction::Write => WRITABLE,
        }
    }
}

/// Proof that a direction was ready at a given tick; hand it back to
/// [`Source::clear_readiness`] when the syscall says `WouldBlock`.
#[derive(Copy, Clone, Debug)]
pub(crate) struct ReadyEvent {
    tick: usize,
    direction: Direction,
}

/// The tasks waiting on one direction. Usually one (a stream's reader, or
/// its writer); several when tasks share a socket (e.g. a UDP socket in an
/// `Arc`). The vector keeps its capacity across rounds, so waiting again
/// does not allocate.
#[derive(Default)]
struct WaiterList(Vec<Waker>);

impl WaiterList {
    fn register(&mut self, waker: &Waker) {
        // A task re-polled with the same waker must not pile up entries.
        if !self.0.iter().any(|w| w.will_wake(waker)) {
            self.0.push(waker.clone());
        }
    }
}

#[derive(Default)]
struct Waiters {
    readers: WaiterList,
    writers: WaiterList,
}

/// A registered file descriptor, shared by its I/O object and the reactor.
pub(crate) struct Source {
    pub(crate) fd: RawFd,
    /// The slab slot.
    pub(crate) key: usize,
    /// What the poller reports for this source: the slot plus a generation.
    pub(crate) token: usize,
    state: AtomicUsize,
    waiters: WaiterLock,
}

#[cfg(not(loom))]
struct WaiterLock(parking_lot::Mutex<Waiters>);
#[cfg(loom)]
struct WaiterLock(loom::sync::Mutex<Waiters>);

impl WaiterLock {
    fn new() -> WaiterLock {
        #[cfg(not(loom))]
        return WaiterLock(parking_lot::Mutex::new(Waiters::default()));
        #[cfg(loom)]
        return WaiterLock(loom::sync::Mutex::new(Waiters::default()));
    }

    #[cfg(not(loom))]
    fn lock(&self) -> parking_lot::MutexGuard<'_, Waiters> {
        self.0.lock()
    }

    #[cfg(loom)]
    fn lock(&self) -> loom::sync::MutexGuard<'_, Waiters> {
        self.0.lock().unwrap()
    }
}

impl Source {
    pub(crate) fn new(fd: RawFd, key: usize, token: usize) -> Source {
        Source {
            fd,
            key,
            token,
            // Optimistically ready: the first operation tries the syscall at
            // once (a fresh socket is usually writable, an accepted one often
            // has data), and WouldBlock clears the guess.
            state: AtomicUsize::new(READABLE | WRITABLE),
            waiters: WaiterLock::new(),
        }
    }

    /// Ready in `direction`, or registers `cx`'s waker and returns Pending.
    ///
    /// # Errors
    /// Once the runtime that owns the reactor has shut down.
    pub(crate) fn poll_ready(
        &self,
        direction: Direction,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<ReadyEvent>> {
        // Hot path: one load when the cached readiness says go.
        if let Some(ready) = self.ready_now(direction) {
            return Poll::Ready(ready);
        }
        let mut waiters = self.waiters.lock();
        // Re-check under the lock: the reactor sets the bits before it takes
        // this lock to drain the waiters, so either we see its bits or it
        // sees our waker.
        if let Some(ready) = self.ready_now(direction) {
            return Poll::Ready(ready);
        }
        match direction {
            Direction::Read => waiters.readers.register(cx.waker()),
            Direction::Write => waiters.writers.register(cx.waker()),
        }
        Poll::Pending
    }

    /// The cached readiness, without registering anything.
    pub(crate) fn ready_now(&self, direction: Direction) -> Option<io::Result<ReadyEvent>> {
        let state = self.state.load(Ordering::Acquire);
        if state & SHUT_DOWN != 0 {
            return Some(Err(shut_down_error()));
        }
        (state & direction.ready_mask() != 0).then_some(Ok(ReadyEvent {
            tick: state >> TICK_SHIFT,
            direction,
        }))
    }

    /// The syscall said `WouldBlock`: forget the readiness `event` reported,
    /// unless a newer event round has touched the source since. A read that
    /// blocks also proves READ_CLOSED wrong (a socket that was never
    /// connected reports EPOLLHUP; an event for a reused key may land on a
    /// new source), so it goes too: a sticky bit that never blocks would
    /// make the retry loops spin.
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        // The same bits that made the operation go ahead.
        self.clear_bits(event, event.direction.ready_mask());
    }

    /// A byte-stream operation moved fewer bytes than it offered: a read
    /// drained the kernel's receive buffer, or a write filled its send
    /// buffer (pipe or socket). Forget READABLE or WRITABLE (with the same
    /// tick check as [`clear_readiness`](Source::clear_readiness)), but keep
    /// READ_CLOSED — an end of stream that came with the last data must
    /// still be seen by the next read.
    pub(crate) fn clear_after_short_io(&self, event: ReadyEvent) {
        let bit = match event.direction {
            Direction::Read => READABLE,
            Direction::Write => WRITABLE,
        };
        self.clear_bits(event, bit);
    }

    fn clear_bits(&self, event: ReadyEvent, bit: usize) {
        let _ = self
            .state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |state| {
                (state >> TICK_SHIFT == event.tick).then_some(state & !bit)
            });
    }

    /// Records an event of round `tick` and moves the wakers it satisfies
    /// into `wake` (woken by the caller after every lock is released).
    pub(crate) fn set_readiness(&self, event: &Event, tick: usize, wake: &mut Vec<Waker>) {
        let (readable, writable) = (event.readable || event.read_closed, event.writable);
        let bits = if event.readable { READABLE } else { 0 }
            | if event.read_closed { READ_CLOSED } else { 0 }
            | if writable { WRITABLE } else { 0 };
        if bits == 0 {
            return;
        }
        let _ = self
            .state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |state| {
                Some((tick << TICK_SHIFT) | (state & READINESS_MASK) | bits)
            });
        let mut waiters = self.waiters.lock();
        if readable {
            wake.append(&mut waiters.readers.0);
        }
        if writable {
            wake.append(&mut waiters.writers.0);
        }
    }

    /// The reactor is gone: fail every wait, now and later.
    pub(crate) fn shut_down(&self, wake: &mut Vec<Waker>) {
        self.state.fetch_or(SHUT_DOWN, Ordering::AcqRel);
        let mut waiters = self.waiters.lock();
        wake.append(&mut waiters.readers.0);
        wake.append(&mut waiters.writers.0);
    }
}

pub(crate) fn shut_down_error() -> io::Error {
    io::Error::other("the runtime that drove this I/O object has shut down")
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use std::task::Wake;

    struct CountingWaker(AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn read_event() -> Event {
        Event {
            key: 0,
            readable: true,
            writable: false,
            read_closed: false,
        }
    }

    #[test]
    fn a_read_that_blocks_clears_a_wrong_read_closed() {
        // EPOLLHUP on a socket that was not connected yet, or an event for a
        // reused key: READ_CLOSED is set although reads block.
        let source = Source::new(0, 0, 0);
        let mut wake = Vec::new();
        let closed = Event {
            read_closed: true,
            ..read_event()
        };
        source.set_readiness(&closed, 1, &mut wake);
        let Poll::Ready(Ok(event)) = ready(&source, Direction::Read) else {
            panic!("expected ready");
        };
        source.clear_readiness(event);
        assert!(ready(&source, Direction::Read).is_pending());
    }

    #[test]
    fn read_closed_survives_a_drained_clear() {
        let source = Source::new(0, 0, 0);
        let mut wake = Vec::new();
        let closed = Event {
            read_closed: true,
            ..read_event()
        };
        source.set_readiness(&closed, 1, &mut wake);
        let Poll::Ready(Ok(event)) = ready(&source, Direction::Read) else {
            panic!("expected ready");
        };
        // A short read drained the data; the end of stream is still there.
        source.clear_after_short_io(event);
        assert!(matches!(
            ready(&source, Direction::Read),
            Poll::Ready(Ok(_))
        ));
    }

    #[test]
    fn a_short_write_forgets_write_readiness_unless_an_edge_came_since() {
        let source = Source::new(0, 0, 0);
        let mut wake = Vec::new();
        // The send buffer filled; room freed (an edge of round 1) before
        // the writer cleared: the readiness stays.
        let Poll::Ready(Ok(stale)) = ready(&source, Direction::Write) else {
            panic!("expected ready");
        };
        let room = Event {
            readable: false,
            writable: true,
            ..read_event()
        };
        source.set_readiness(&room, 1, &mut wake);
        source.clear_after_short_io(stale);
        let Poll::Ready(Ok(event)) = ready(&source, Direction::Write) else {
            panic!("a short write with a stale tick must keep the readiness");
        };
        // No edge since: the next write waits for one, and reads are untouched.
        source.clear_after_short_io(event);
        assert!(ready(&source, Direction::Write).is_pending());
        assert!(matches!(
            ready(&source, Direction::Read),
            Poll::Ready(Ok(_))
        ));
    }

    fn ready(source: &Source, direction: Direction) -> Poll<io::Result<ReadyEvent>> {
        let waker = Waker::noop();
        source.poll_ready(direction, &mut Context::from_waker(waker))
    }

    #[test]
    fn a_fresh_source_is_optimistically_ready() {
        let source = Source::new(0, 0, 0);
        assert!(matches!(
            ready(&source, Direction::Read),
            Poll::Ready(Ok(_))
        ));
        assert!(matches!(
            ready(&source, Direction::Write),
            Poll::Ready(Ok(_))
        ));
    }

    #[test]
    fn clearing_with_a_stale_tick_keeps_the_newer_readiness() {
        let source = Source::new(0, 0, 0);
        let Poll::Ready(Ok(event)) = ready(&source, Direction::Read) else {
            panic!("expected ready");
        };
        // An edge arrives between the failed syscall and the clear.
        let mut wake = Vec::new();
        source.set_readiness(&read_event(), 1, &mut wake);
        source.clear_readiness(event);
        assert!(matches!(
            ready(&source, Direction::Read),
            Poll::Ready(Ok(_))
        ));
        // With the current tick the clear takes effect.
        let Poll::Ready(Ok(event)) = ready(&source, Direction::Read) else {
            panic!("expected ready");
        };
        source.clear_readiness(event);
        assert!(ready(&source, Direction::Read).is_pending());
        // Write readiness was never touched.
        assert!(matches!(
            ready(&source, Direction::Write),
            Poll::Ready(Ok(_))
        ));
    }

    #[test]
    fn an_event_wakes_each_waiting_task_once_per_direction() {
        let source = Source::new(0, 0, 0);
        for direction in [Direction::Read, Direction::Write] {
            let Poll::Ready(Ok(event)) = ready(&source, direction) else {
                panic!("expected ready");
            };
            source.clear_readiness(event);
        }
        let reader = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let writer = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let reader_waker = Waker::from(reader.clone());
        let writer_waker = Waker::from(writer.clone());
        for _ in 0..3 {
            // The same task polling again registers once.
            let mut cx = Context::from_waker(&reader_waker);
            assert!(source.poll_ready(Direction::Read, &mut cx).is_pending());
        }
        let mut cx = Context::from_waker(&writer_waker);
        assert!(source.poll_ready(Direction::Write, &mut cx).is_pending());

        let mut wake = Vec::new();
        source.set_readiness(&read_event(), 1, &mut wake);
        assert_eq!(wake.len(), 1, "only the reader is woken by a read event");
        wake.drain(..).for_each(Waker::wake);
        assert_eq!(reader.0.load(Ordering::SeqCst), 1);
        assert_eq!(writer.0.load(Ordering::SeqCst), 0);

        source.shut_down(&mut wake);
        wake.drain(..).for_each(Waker::wake);
        assert_eq!(writer.0.load(Ordering::SeqCst), 1);
        assert!(matches!(
            ready(&source, Direction::Read),
            Poll::Ready(Err(_))
        ));
    }
}
