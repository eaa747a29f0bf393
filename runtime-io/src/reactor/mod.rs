//! The reactor: an OS poller (epoll on Linux, through `nix`; kqueue and
//! others through the `polling` crate — see `poller/`) that a runtime's
//! parked worker waits in.
//!
//! There is no I/O thread. The reactor is a [`runtime_core::Driver`]: when a
//! runtime creates its first socket, the reactor is installed into it
//! ([`Handle::driver_or_install`]); from then on the one worker allowed to
//! wait in the driver blocks in `Poller::wait`, dispatches the events it
//! gets (the woken tasks land in *its own* run queue, so they run on the
//! core that saw the event), and `Poller::notify` wakes it when work arrives
//! from elsewhere. Busy workers also poll without blocking at every
//! fairness tick, so sockets are served while every worker is busy. See
//! `docs/architecture.md`, "The I/O reactor".

mod io_source;
#[cfg(all(test, loom))]
mod loom_tests;
mod poller;
mod source;

pub(crate) use io_source::IoSource;
pub(crate) use source::{Direction, ReadyEvent};

use std::io;
use std::os::fd::RawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::Waker;
use std::time::Duration;

use parking_lot::Mutex;
use runtime_core::{Driver, Handle};
use slab::Slab;

use poller::{Event, Poller};
use source::Source;

/// What one `park` round needs, kept between rounds so that waiting
/// allocates nothing.
struct Round {
    events: Vec<Event>,
    wake: Vec<Waker>,
}

/// One runtime's reactor.
pub(crate) struct Reactor {
    poller: Poller,
    /// Registered sources by key (the key is what the poller reports).
    sources: Mutex<Slab<Arc<Source>>>,
    round: Mutex<Round>,
    /// Event rounds so far; stamped on the sources each round touches.
    ticks: AtomicUsize,
    /// Registrations so far (the generation part of poller tokens).
    generations: AtomicUsize,
    shut_down: AtomicBool,
}

/// Low bits of a poller token: the slab slot (see `Reactor::token_for`).
#[cfg(target_pointer_width = "64")]
const INDEX_BITS: u32 = 32;
#[cfg(not(target_pointer_width = "64"))]
const INDEX_BITS: u32 = usize::BITS;
const INDEX_MASK: usize = if INDEX_BITS == usize::BITS {
    usize::MAX
} else {
    (1 << INDEX_BITS) - 1
};

impl Reactor {
    fn new() -> io::Result<Reactor> {
        let poller = Poller::new()?;
        Ok(Reactor {
            poller,
            sources: Mutex::new(Slab::new()),
            round: Mutex::new(Round {
                events: Vec::new(),
                wake: Vec::new(),
            }),
            ticks: AtomicUsize::new(0),
            generations: AtomicUsize::new(0),
            shut_down: AtomicBool::new(false),
        })
    }

    /// The current runtime's reactor, installed on first use.
    ///
    /// # Errors
    /// Outside a runtime ([`io::ErrorKind::Other`] wrapping
    /// [`runtime_core::NoRuntime`]), if the OS refuses a poller, or if the
    /// runtime was built with a custom driver.
    pub(crate) fn current() -> io::Result<Arc<Reactor>> {
        let handle = Handle::try_current().map_err(io::Error::other)?;
        handle.driver_or_install(Reactor::new)
    }

    /// Registers `fd` (non-blocking, owned by the caller, who must call
    /// [`deregister`](Reactor::deregister) before closing it).
    pub(crate) fn register(&self, fd: RawFd) -> io::Result<Arc<Source>> {
        let mut sources = self.sources.lock();
        let entry = sources.vacant_entry();
        let key = entry.key();
        let token = self.token_for(key);
        let source = Arc::new(Source::new(fd, key, token));
        // The caller keeps `fd` open until `deregister`, which deletes it
        // from the poller first (IoSource's Drop does exactly that), so the
        // poller never refers to a closed or reused fd.
        self.poller.add(fd, token)?;
        entry.insert(source.clone());
        if self.shut_down.load(Ordering::Acquire) {
            let mut wake = Vec::new();
            source.shut_down(&mut wake);
        }
        Ok(source)
    }

    /// Removes `source` from the poller. Must run before its fd closes.
    pub(crate) fn deregister(&self, source: &Source) {
        let mut sources = self.sources.lock();
        // SAFETY: the fd is still open (see `register`).
        let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(source.fd) };
        // An error here means the fd was never (or is no longer) in the
        // poller; either way it is out of it now.
        let _ = self.poller.delete(fd);
        if sources
            .get(source.key)
            .is_some_and(|s| std::ptr::eq(Arc::as_ptr(s), source))
        {
            sources.remove(source.key);
        }
    }

    /// The poller key of a source in slab slot `index`: the slot in the low
    /// bits, a registration count in the high bits (64-bit targets), so an
    /// event collected for a source that was deregistered meanwhile is not
    /// applied to the next source given the same slot.
    fn token_for(&self, index: usize) -> usize {
        assert!(index <= INDEX_MASK, "more than 2^32 registered sources");
        let generation = self.generations.fetch_add(1, Ordering::Relaxed);
        // No room for a generation on 32-bit targets: the slot alone.
        generation.checked_shl(INDEX_BITS).unwrap_or(0) & !INDEX_MASK | index
    }

    /// How many sources are registered (tests).
    #[cfg(test)]
    pub(crate) fn source_count(&self) -> usize {
        self.sources.lock().len()
    }

    fn dispatch(&self, round: &mut Round) {
        if round.events.is_empty() {
            return;
        }
        let tick = self.ticks.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
        let sources = self.sources.lock();
        for event in &round.events {
            // The slab slot may be empty (deregistered since the wait
            // returned) or hold a newer source: the token's generation tells
            // the event of an old fd from one of the source now there.
            if let Some(source) = sources.get(event.key & INDEX_MASK)
                && source.token == event.key
            {
                source.set_readiness(event, tick, &mut round.wake);
            }
        }
        drop(sources);
        round.events.clear();
    }
}

impl Driver for Reactor {
    fn park(&self, timeout: Option<Duration>) {
        let mut wake = {
            let mut round = self.round.lock();
            let round = &mut *round;
            round.events.clear();
            // Errors (other than EINTR, which counts as an empty round) leave
            // nothing to dispatch; the worker goes back to its loop.
            let _ = self.poller.wait(&mut round.events, timeout);
            self.dispatch(round);
            std::mem::take(&mut round.wake)
        };
        if wake.is_empty() {
            return;
        }
        // Woken outside every reactor lock: a waker may run scheduler code
        // (or drop a task) that takes its own locks.
        wake.drain(..).for_each(Waker::wake);
        // Hand the (empty) vector back so the next round reuses its capacity.
        self.round.lock().wake = wake;
    }

    fn unpark(&self) {
        // Fails only if the eventfd cannot be written (its counter would
        // overflow), which cannot happen: it is read on every notification.
        let _ = self.poller.notify();
    }

    fn shutdown(&self) {
        self.shut_down.store(true, Ordering::Release);
        let mut wake = Vec::new();
        for (_, source) in self.sources.lock().iter() {
            source.shut_down(&mut wake);
        }
        wake.into_iter().for_each(Waker::wake);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;
    use std::task::{Context, Poll};

    #[test]
    fn an_event_for_a_deregistered_source_does_not_reach_its_slot_successor() {
        let reactor = Reactor::new().unwrap();
        let (a, _a_peer) = UnixStream::pair().unwrap();
        let (b, _b_peer) = UnixStream::pair().unwrap();
        let old = reactor.register(a.as_raw_fd()).unwrap();
        let old_token = old.token;
        reactor.deregister(&old);
        let new = reactor.register(b.as_raw_fd()).unwrap();
        assert_eq!(new.key, old.key, "the slab slot is reused");
        assert_ne!(new.token, old_token, "but the token is not");
        // Use up the new source's optimistic readiness.
        let cx = &mut Context::from_waker(Waker::noop());
        let Poll::Ready(Ok(event)) = new.poll_ready(Direction::Read, cx) else {
            panic!("a fresh source is ready");
        };
        new.clear_readiness(event);
        // A hang-up collected for the old fd arrives late.
        let mut round = Round {
            events: vec![Event {
                key: old_token,
                readable: true,
                writable: true,
                read_closed: true,
            }],
            wake: Vec::new(),
        };
        reactor.dispatch(&mut round);
        assert!(new.poll_ready(Direction::Read, cx).is_pending());
        reactor.deregister(&new);
    }
}
