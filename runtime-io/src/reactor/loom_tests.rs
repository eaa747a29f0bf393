//! Loom models of the readiness protocol (`source.rs`): an edge that the
//! reactor records while a task registers, or while it clears a readiness
//! it just found stale, is never lost. Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p runtime-io --release --lib loom`.

use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;

use super::poller::Event;
use super::source::{Direction, Source};

struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn readable() -> Event {
    Event {
        key: 0,
        readable: true,
        writable: false,
        read_closed: false,
    }
}

fn writable() -> Event {
    Event {
        readable: false,
        writable: true,
        ..readable()
    }
}

/// The reactor's side: record `event` as an edge of round `tick`, then wake
/// what it collected.
fn edge(source: &Source, event: Event, tick: usize) {
    let mut wake = Vec::new();
    source.set_readiness(&event, tick, &mut wake);
    wake.into_iter().for_each(Waker::wake);
}

/// A source whose read readiness was used up (a read said WouldBlock).
fn drained_source() -> Arc<Source> {
    let source = Arc::new(Source::new(0, 0, 0));
    let Poll::Ready(Ok(event)) =
        source.poll_ready(Direction::Read, &mut Context::from_waker(Waker::noop()))
    else {
        panic!("a fresh source is ready");
    };
    source.clear_readiness(event);
    source
}

#[test]
fn loom_an_edge_during_registration_is_not_lost() {
    loom::model(|| {
        let source = drained_source();
        let reactor = {
            let source = source.clone();
            thread::spawn(move || edge(&source, readable(), 1))
        };
        let flag = Arc::new(Flag(AtomicBool::new(false)));
        let waker = Waker::from(flag.clone());
        let first = source.poll_ready(Direction::Read, &mut Context::from_waker(&waker));
        reactor.join().unwrap();
        // Either the task saw the edge, or the edge woke the task.
        assert!(first.is_ready() || flag.0.load(Ordering::SeqCst));
    });
}

#[test]
fn loom_a_stale_clear_does_not_swallow_a_newer_edge() {
    loom::model(|| {
        let source = Arc::new(Source::new(0, 0, 0));
        // The task found the source ready (tick 0) and its syscall is about
        // to say WouldBlock...
        let Poll::Ready(Ok(event)) =
            source.poll_ready(Direction::Read, &mut Context::from_waker(Waker::noop()))
        else {
            panic!("a fresh source is ready");
        };
        // ...while the reactor records a new edge (tick 1).
        let reactor = {
            let source = source.clone();
            thread::spawn(move || edge(&source, readable(), 1))
        };
        source.clear_readiness(event);
        let flag = Arc::new(Flag(AtomicBool::new(false)));
        let waker = Waker::from(flag.clone());
        let again = source.poll_ready(Direction::Read, &mut Context::from_waker(&waker));
        reactor.join().unwrap();
        assert!(again.is_ready() || flag.0.load(Ordering::SeqCst));
    });
}

#[test]
fn loom_a_short_write_does_not_swallow_a_newer_edge() {
    loom::model(|| {
        let source = Arc::new(Source::new(0, 0, 0));
        // The task's send took fewer bytes than offered (tick 0)...
        let Poll::Ready(Ok(event)) =
            source.poll_ready(Direction::Write, &mut Context::from_waker(Waker::noop()))
        else {
            panic!("a fresh source is ready");
        };
        // ...while the peer drains the buffer and the reactor records the
        // EPOLLOUT edge (tick 1).
        let reactor = {
            let source = source.clone();
            thread::spawn(move || edge(&source, writable(), 1))
        };
        source.clear_after_short_io(event);
        let flag = Arc::new(Flag(AtomicBool::new(false)));
        let waker = Waker::from(flag.clone());
        let again = source.poll_ready(Direction::Write, &mut Context::from_waker(&waker));
        reactor.join().unwrap();
        assert!(again.is_ready() || flag.0.load(Ordering::SeqCst));
    });
}
