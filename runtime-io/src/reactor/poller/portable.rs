//! The `polling` crate (kqueue on the BSDs and macOS, event ports on
//! illumos), for every platform but Linux.

use std::io;
use std::os::fd::{BorrowedFd, RawFd};
use std::time::Duration;

use parking_lot::Mutex;
use polling::{Events, PollMode};

use super::Event;

pub(crate) struct Poller {
    poller: polling::Poller,
    events: Mutex<Events>,
}

impl Poller {
    pub(crate) fn new() -> io::Result<Poller> {
        let poller = polling::Poller::new()?;
        if !poller.supports_edge() {
            // Every source is registered edge-triggered, once; level mode
            // would report a ready socket on every round.
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "the OS poller does not support edge-triggered events",
            ));
        }
        Ok(Poller {
            poller,
            events: Mutex::new(Events::new()),
        })
    }

    pub(crate) fn add(&self, fd: RawFd, key: usize) -> io::Result<()> {
        // SAFETY: the reactor keeps `fd` open until `delete`, which removes
        // it from the poller before it is closed.
        unsafe {
            self.poller
                .add_with_mode(fd, polling::Event::all(key), PollMode::Edge)
        }
    }

    pub(crate) fn delete(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        self.poller.delete(fd)
    }

    pub(crate) fn wait(
        &self,
        events: &mut Vec<Event>,
        timeout: Option<Duration>,
    ) -> io::Result<()> {
        let mut raw = self.events.lock();
        raw.clear();
        self.poller.wait(&mut raw, timeout)?;
        events.extend(raw.iter().map(|e| Event {
            key: e.key,
            readable: e.readable,
            writable: e.writable,
            read_closed: false,
        }));
        Ok(())
    }

    pub(crate) fn notify(&self) -> io::Result<()> {
        self.poller.notify()
    }
}
