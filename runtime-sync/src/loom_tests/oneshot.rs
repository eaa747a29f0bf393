//! The oneshot channel's atomic state word: a send racing the receiver's
//! wait (first registration and waker replacement), the receiver's drop and
//! `close`; the sender's drop racing the wait; `closed` racing the
//! receiver's drop (with a replaced waker too). No lost wake-up, the value
//! delivered (or dropped) exactly once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Waker};

use loom::future::block_on;
use loom::thread;

use crate::oneshot;

/// Counts its drops, to check a value is dropped exactly once.
struct Tracked(Arc<AtomicUsize>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// The receiver waits while the value is sent: it gets it.
#[test]
fn loom_oneshot_send_races_recv() {
    loom::model(|| {
        let (tx, rx) = oneshot::channel();
        let sender = thread::spawn(move || tx.send(7).unwrap());
        assert_eq!(block_on(rx), Ok(7));
        sender.join().unwrap();
    });
}

/// The receiver is dropped while the value is sent: either the send fails
/// and gives the value back, or it succeeds and the receiver's drop drops
/// it — exactly once either way.
#[test]
fn loom_oneshot_send_races_receiver_drop() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = oneshot::channel();
        let value = Tracked(drops.clone());
        let sender = thread::spawn(move || tx.send(value).is_err());
        drop(rx);
        let returned = sender.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1, "returned: {returned}");
    });
}

/// The sender is dropped unsent while the receiver waits: the receiver
/// learns it (no lost wake-up).
#[test]
fn loom_oneshot_sender_drop_races_recv() {
    loom::model(|| {
        let (tx, rx) = oneshot::channel::<u8>();
        let sender = thread::spawn(move || drop(tx));
        assert!(block_on(rx).is_err());
        sender.join().unwrap();
    });
}

/// `closed` waits while the receiver is dropped: it returns.
#[test]
fn loom_oneshot_closed_races_receiver_drop() {
    loom::model(|| {
        let (mut tx, rx) = oneshot::channel::<u8>();
        let watcher = thread::spawn(move || {
            block_on(tx.closed());
            tx.is_closed()
        });
        drop(rx);
        assert!(watcher.join().unwrap());
    });
}

/// The receiver was polled once with another waker (registered), then
/// waits with a new one while the value is sent: the replacement races the
/// sender's read of the slot, and the value still arrives.
#[test]
fn loom_oneshot_send_races_waker_replacement() {
    loom::model(|| {
        let (tx, mut rx) = oneshot::channel();
        let mut cx = Context::from_waker(Waker::noop());
        assert!(Pin::new(&mut rx).poll(&mut cx).is_pending());
        let sender = thread::spawn(move || tx.send(7).unwrap());
        assert_eq!(block_on(rx), Ok(7));
        sender.join().unwrap();
    });
}

/// The same, with the sender dropped unsent: the receiver learns it.
#[test]
fn loom_oneshot_sender_drop_races_waker_replacement() {
    loom::model(|| {
        let (tx, mut rx) = oneshot::channel::<u8>();
        let mut cx = Context::from_waker(Waker::noop());
        assert!(Pin::new(&mut rx).poll(&mut cx).is_pending());
        let sender = thread::spawn(move || drop(tx));
        assert!(block_on(rx).is_err());
        sender.join().unwrap();
    });
}

/// `close` races a send: either the send fails and gives the value back,
/// or it went in first and the receiver still gets it; the value is
/// dropped exactly once.
#[test]
fn loom_oneshot_close_races_send() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, mut rx) = oneshot::channel();
        let value = Tracked(drops.clone());
        let sender = thread::spawn(move || tx.send(value).is_err());
        rx.close();
        let received = block_on(&mut rx).is_ok();
        let returned = sender.join().unwrap();
        assert!(received != returned, "exactly one of the two");
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

/// `closed` registered once with another waker, then waits with a new one
/// while the receiver is dropped: it returns.
#[test]
fn loom_oneshot_closed_waker_replacement_races_receiver_drop() {
    loom::model(|| {
        let (mut tx, rx) = oneshot::channel::<u8>();
        let mut cx = Context::from_waker(Waker::noop());
        assert!(tx.poll_closed(&mut cx).is_pending());
        let watcher = thread::spawn(move || {
            block_on(tx.closed());
            tx.is_closed()
        });
        drop(rx);
        assert!(watcher.join().unwrap());
    });
}
