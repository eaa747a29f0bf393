//! The broadcast channel: a receiver racing two sends into a one-slot ring
//! sees both messages or is told exactly how many it missed; the last
//! sender's drop racing a wait.

use loom::future::block_on;
use loom::thread;

use crate::broadcast::{self, RecvError};

/// Two sends into a one-message ring race a waiting receiver: it sees both,
/// or learns it missed the first and then sees the second. Nothing is seen
/// twice, and nothing disappears unreported.
#[test]
fn loom_broadcast_lag_is_reported_exactly() {
    loom::model(|| {
        let (tx, mut rx) = broadcast::channel(1);
        let receiver = thread::spawn(move || {
            let mut seen = Vec::new();
            let mut accounted = 0;
            while accounted < 2 {
                match block_on(rx.recv()) {
                    Ok(n) => {
                        seen.push(Ok(n));
                        accounted += 1;
                    }
                    Err(RecvError::Lagged(missed)) => {
                        seen.push(Err(missed));
                        accounted += missed;
                    }
                    Err(RecvError::Closed) => panic!("closed early"),
                }
            }
            seen
        });
        tx.send(1).unwrap();
        tx.send(2).unwrap();
        let seen = receiver.join().unwrap();
        assert!(
            seen == [Ok(1), Ok(2)] || seen == [Err(1), Ok(2)],
            "{seen:?}"
        );
    });
}

/// The last sender sends and leaves while the receiver waits: it gets the
/// message, then `Closed`.
#[test]
fn loom_broadcast_close_races_recv() {
    loom::model(|| {
        let (tx, mut rx) = broadcast::channel(2);
        let sender = thread::spawn(move || {
            tx.send(1).unwrap();
            drop(tx);
        });
        assert_eq!(block_on(rx.recv()), Ok(1));
        assert_eq!(block_on(rx.recv()), Err(RecvError::Closed));
        sender.join().unwrap();
    });
}
