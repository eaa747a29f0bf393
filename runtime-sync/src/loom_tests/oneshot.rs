//! The oneshot channel: a send racing the receiver's wait, the receiver's
//! drop, and the sender's drop racing the wait; `closed` racing the
//! receiver's drop.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

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
