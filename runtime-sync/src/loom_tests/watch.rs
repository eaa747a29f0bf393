//! The watch channel: `changed` racing a send (no lost wake-up) and racing
//! the sender's drop right after its last send (the last value is not
//! missed).

use loom::future::block_on;
use loom::thread;

use crate::watch;

/// A receiver waits for a change while the sender sends: it sees the new
/// value.
#[test]
fn loom_watch_changed_races_send() {
    loom::model(|| {
        let (tx, mut rx) = watch::channel(0);
        let sender = thread::spawn(move || {
            tx.send(1).unwrap();
            tx
        });
        assert_eq!(block_on(rx.changed()), Ok(()));
        assert_eq!(*rx.borrow_and_update(), 1);
        let _tx = sender.join().unwrap();
        assert_eq!(rx.has_changed(), Ok(false));
    });
}

/// The sender sends and is dropped while a receiver waits: the receiver
/// reports the change before the close, and ends on the last value.
#[test]
fn loom_watch_changed_races_last_send_and_close() {
    loom::model(|| {
        let (tx, mut rx) = watch::channel(0);
        let sender = thread::spawn(move || {
            tx.send(1).unwrap();
            drop(tx);
        });
        assert_eq!(block_on(rx.changed()), Ok(()));
        assert_eq!(*rx.borrow(), 1);
        assert!(block_on(rx.changed()).is_err());
        sender.join().unwrap();
    });
}
