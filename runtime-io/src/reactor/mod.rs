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
    shut_down: AtomicBool,
}

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
        let source = Arc::new(Source::new(fd, key));
        // The caller keeps `fd` open until `deregister`, which deletes it
        // from the poller first (IoSource's Drop does exactly that), so the
        // poller never refers to a closed or reused fd.
        self.poller.add(fd, key)?;
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
            // A key may be gone (deregistered since the wait returned) or
            // reused by a newer source: readiness is only a hint, so a
            // spurious one costs a WouldBlock, never correctness.
            if let Some(source) = sources.get(event.key) {
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
