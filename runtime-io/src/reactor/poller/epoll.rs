//! epoll, through `nix`.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};
use nix::sys::eventfd::{EfdFlags, EventFd};
use parking_lot::Mutex;

use super::Event;

/// The key of the wake-up eventfd (sources use slab keys, which start at 0).
const NOTIFY_KEY: u64 = u64::MAX;
/// Events fetched per `epoll_wait`.
const CAPACITY: usize = 1024;

pub(crate) struct Poller {
    epoll: Epoll,
    notifier: EventFd,
    /// Set by `notify` until the waiter consumes the eventfd: a burst of
    /// notifications costs one `write`.
    notified: AtomicBool,
    /// The kernel's output buffer, kept between waits (only one thread
    /// waits at a time, so the lock is never contended).
    buffer: Mutex<Vec<EpollEvent>>,
}

impl Poller {
    pub(crate) fn new() -> io::Result<Poller> {
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
        let notifier = EventFd::from_flags(EfdFlags::EFD_CLOEXEC | EfdFlags::EFD_NONBLOCK)?;
        epoll.add(
            &notifier,
            EpollEvent::new(EpollFlags::EPOLLIN | EpollFlags::EPOLLET, NOTIFY_KEY),
        )?;
        Ok(Poller {
            epoll,
            notifier,
            notified: AtomicBool::new(false),
            buffer: Mutex::new(vec![EpollEvent::empty(); CAPACITY]),
        })
    }

    /// Registers `fd` for both directions, edge-triggered, under `key`.
    pub(crate) fn add(&self, fd: RawFd, key: usize) -> io::Result<()> {
        // SAFETY: the caller (the reactor) keeps `fd` open until `delete`.
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        let flags = EpollFlags::EPOLLIN
            | EpollFlags::EPOLLOUT
            | EpollFlags::EPOLLRDHUP
            | EpollFlags::EPOLLET;
        self.epoll.add(fd, EpollEvent::new(flags, key as u64))?;
        Ok(())
    }

    /// Removes `fd` (still open) from the interest list.
    pub(crate) fn delete(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        self.epoll.delete(fd)?;
        Ok(())
    }

    /// Waits up to `timeout` (`None`: forever; zero: do not block) and
    /// appends what happened to `events`. A notification ends the wait and
    /// adds no event.
    pub(crate) fn wait(
        &self,
        events: &mut Vec<Event>,
        timeout: Option<Duration>,
    ) -> io::Result<()> {
        let mut raw = self.buffer.lock();
        let timeout = match timeout {
            None => EpollTimeout::NONE,
            // Rounded up: waking before the deadline would only make the
            // caller wait again.
            Some(t) => {
                let millis = t.as_nanos().div_ceil(1_000_000);
                EpollTimeout::try_from(millis).unwrap_or(EpollTimeout::MAX)
            }
        };
        let n = match self.epoll.wait(&mut raw, timeout) {
            Ok(n) => n,
            Err(Errno::EINTR) => 0,
            Err(e) => return Err(e.into()),
        };
        for event in &raw[..n] {
            let key = event.data();
            if key == NOTIFY_KEY {
                // Read, then clear the flag. The other order loses wake-ups
                // for good: a notify between the clear and the read would set
                // the flag and write, the read would swallow its write, and
                // with the flag stuck at true every later notify would skip
                // its write (found in review, reproduced with a stress
                // test). In this order a notify that sees the flag still set
                // is absorbed by this wait, which is returning anyway.
                let _ = self.notifier.read();
                self.notified.store(false, Ordering::SeqCst);
                continue;
            }
            let flags = event.events();
            events.push(Event {
                key: key as usize,
                readable: flags
                    .intersects(EpollFlags::EPOLLIN | EpollFlags::EPOLLPRI | EpollFlags::EPOLLERR),
                read_closed: flags.intersects(EpollFlags::EPOLLHUP | EpollFlags::EPOLLRDHUP),
                writable: flags
                    .intersects(EpollFlags::EPOLLOUT | EpollFlags::EPOLLHUP | EpollFlags::EPOLLERR),
            });
        }
        Ok(())
    }

    /// Ends the current `wait`, or makes the next one return at once.
    pub(crate) fn notify(&self) -> io::Result<()> {
        if !self.notified.swap(true, Ordering::SeqCst) {
            self.notifier.write(1)?;
        }
        Ok(())
    }
}

impl AsFd for Poller {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.epoll.0.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use std::time::Instant;

    /// Many notifiers racing one waiter for a while, then one last notify:
    /// it must still end a wait (with the flag cleared before the eventfd
    /// read, the flag eventually stuck at true and this hung).
    #[test]
    fn notifications_are_never_lost_under_contention() {
        let poller = Arc::new(Poller::new().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let rounds = Arc::new(AtomicUsize::new(0));
        let notifiers: Vec<_> = (0..4)
            .map(|_| {
                let (poller, stop) = (poller.clone(), stop.clone());
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        poller.notify().unwrap();
                    }
                })
            })
            .collect();
        let waiter = {
            let (poller, stop, rounds) = (poller.clone(), stop.clone(), rounds.clone());
            std::thread::spawn(move || {
                let mut events = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    poller
                        .wait(&mut events, Some(Duration::from_millis(50)))
                        .unwrap();
                    rounds.fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        std::thread::sleep(Duration::from_millis(1500));
        stop.store(true, Ordering::Relaxed);
        for n in notifiers {
            n.join().unwrap();
        }
        waiter.join().unwrap();
        assert!(rounds.load(Ordering::Relaxed) > 0);
        // Drain whatever the race left, then check one clean notify works.
        let mut events = Vec::new();
        poller.wait(&mut events, Some(Duration::ZERO)).unwrap();
        let waiter = {
            let poller = poller.clone();
            std::thread::spawn(move || {
                let start = Instant::now();
                poller
                    .wait(&mut Vec::new(), Some(Duration::from_secs(10)))
                    .unwrap();
                start.elapsed()
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        poller.notify().unwrap();
        let waited = waiter.join().unwrap();
        assert!(
            waited < Duration::from_secs(5),
            "the notify was lost ({waited:?})"
        );
    }
}
