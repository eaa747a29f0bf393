//! The broadcast channel on `futures::executor`: every receiver sees every
//! message sent after it subscribed, lag reporting, the closing rules, and
//! the message given back when nobody listens.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Harness, run_all, thread_pool};
use futures::executor::block_on;
use runtime_sync::broadcast::{self, RecvError, SendError, TryRecvError};

#[test]
fn every_receiver_sees_every_message_sent_after_it_subscribed() {
    let (tx, mut early) = broadcast::channel(8);
    tx.send(1).unwrap();
    let mut late = tx.subscribe();
    assert_eq!(tx.send(2), Ok(2));
    assert_eq!(tx.receiver_count(), 2);
    assert_eq!(early.try_recv(), Ok(1));
    assert_eq!(early.try_recv(), Ok(2));
    assert_eq!(late.try_recv(), Ok(2));
    assert_eq!(early.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(late.try_recv(), Err(TryRecvError::Empty));
    let mut again = late.resubscribe();
    tx.send(3).unwrap();
    assert_eq!(again.try_recv(), Ok(3));
    assert_eq!(late.len(), 1);
    assert_eq!(early.len(), 1);
}

#[test]
fn a_lagging_receiver_is_told_how_many_it_missed_and_continues_from_the_oldest_kept() {
    let (tx, mut rx) = broadcast::channel(2);
    for n in 1..=5 {
        tx.send(n).unwrap();
    }
    assert_eq!(rx.len(), 2);
    block_on(async {
        assert_eq!(rx.recv().await, Err(RecvError::Lagged(3)));
        assert_eq!(rx.recv().await, Ok(4));
        assert_eq!(rx.recv().await, Ok(5));
    });
    // Lagging again, after catching up.
    for n in 6..=9 {
        tx.send(n).unwrap();
    }
    assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(2)));
    assert_eq!(rx.try_recv(), Ok(8));
}

#[test]
fn a_slow_receiver_does_not_hold_back_a_fast_one() {
    let (tx, mut fast) = broadcast::channel(1);
    let mut slow = tx.subscribe();
    for n in 0..10 {
        tx.send(n).unwrap();
        assert_eq!(fast.try_recv(), Ok(n));
    }
    assert_eq!(slow.try_recv(), Err(TryRecvError::Lagged(9)));
    assert_eq!(slow.try_recv(), Ok(9));
}

#[test]
fn send_without_receivers_gives_the_message_back() {
    let (tx, rx) = broadcast::channel(4);
    drop(rx);
    assert_eq!(
        tx.send(String::from("lost?")),
        Err(SendError(String::from("lost?")))
    );
    // A new subscriber sees only what is sent after it joined.
    let mut rx = tx.subscribe();
    tx.send(String::from("seen")).unwrap();
    assert_eq!(rx.try_recv().as_deref(), Ok("seen"));
}

#[test]
fn receivers_drain_then_see_the_channel_closed() {
    let (tx, mut rx) = broadcast::channel(4);
    let tx2 = tx.clone();
    tx.send(1).unwrap();
    drop(tx);
    assert!(!rx.is_closed());
    tx2.send(2).unwrap();
    drop(tx2);
    assert!(rx.is_closed());
    block_on(async {
        assert_eq!(rx.recv().await, Ok(1));
        assert_eq!(rx.recv().await, Ok(2));
        assert_eq!(rx.recv().await, Err(RecvError::Closed));
    });
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn a_send_wakes_every_waiting_receiver() {
    let mut harness = Harness::new();
    let (tx, rx) = broadcast::channel(4);
    let mut receivers = vec![rx];
    receivers.push(tx.subscribe());
    receivers.push(tx.subscribe());
    for (name, mut rx) in ["a", "b", "c"].into_iter().zip(receivers) {
        let log = harness.log.clone();
        harness
            .spawn(async move {
                while let Ok(n) = rx.recv().await {
                    log.push(format!("{name}{n}"));
                }
                log.push(format!("{name} closed"));
            })
            .forget();
    }
    assert!(harness.log.take().is_empty());
    // The order the woken tasks run in is the executor's business.
    let sorted = |mut log: Vec<String>| {
        log.sort();
        log
    };
    tx.send(1).unwrap();
    harness.run();
    assert_eq!(sorted(harness.log.take()), ["a1", "b1", "c1"]);
    drop(tx);
    harness.run();
    assert_eq!(
        sorted(harness.log.take()),
        ["a closed", "b closed", "c closed"]
    );
}

#[test]
fn many_senders_and_receivers_on_a_thread_pool() {
    const EACH: usize = 500;
    let pool = thread_pool(3);
    let (tx, rx) = broadcast::channel(EACH * 2); // large enough: nobody lags
    let receivers: Vec<_> = (0..3).map(|_| tx.subscribe()).chain([rx]).collect();
    let senders: Vec<_> = (0..2).map(|_| tx.clone()).collect();
    drop(tx);
    let receive = receivers.into_iter().map(|mut rx| {
        futures::future::Either::Left(async move {
            let mut got = Vec::new();
            loop {
                match rx.recv().await {
                    Ok(message) => got.push(message),
                    Err(RecvError::Closed) => break got,
                    Err(RecvError::Lagged(n)) => panic!("lagged by {n}"),
                }
            }
        })
    });
    let send = senders.into_iter().enumerate().map(|(s, tx)| {
        futures::future::Either::Right(async move {
            for n in 0..EACH {
                tx.send((s, n)).unwrap();
            }
            Vec::new()
        })
    });
    let outputs = run_all(&pool, receive.chain(send));
    for got in &outputs[..4] {
        assert_eq!(got.len(), 2 * EACH);
        for s in 0..2 {
            let own: Vec<_> = got.iter().filter(|m| m.0 == s).map(|m| m.1).collect();
            assert!(own.into_iter().eq(0..EACH), "sender {s}'s order");
        }
    }
    assert!(
        outputs[1..4].iter().all(|got| *got == outputs[0]),
        "one order for all"
    );
}

/// Counts clones and drops, to see what the channel copies and when it
/// lets go of a message.
#[derive(Debug)]
struct Counted {
    clones: Arc<AtomicUsize>,
    drops: Arc<AtomicUsize>,
}

impl Clone for Counted {
    fn clone(&self) -> Self {
        self.clones.fetch_add(1, Ordering::SeqCst);
        Self {
            clones: self.clones.clone(),
            drops: self.drops.clone(),
        }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn the_last_reader_gets_the_original_and_a_leaving_receiver_frees_its_unread() {
    let (clones, drops) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (tx, mut a) = broadcast::channel(4);
    let b = tx.subscribe();
    tx.send(Counted {
        clones: clones.clone(),
        drops: drops.clone(),
    })
    .unwrap();
    drop(a.try_recv().unwrap()); // a clone: `b` has not read it
    assert_eq!(clones.load(Ordering::SeqCst), 1);
    drop(b); // `b` leaves: nobody needs the message any more
    assert_eq!(drops.load(Ordering::SeqCst), 2);

    let mut b = tx.subscribe();
    tx.send(Counted {
        clones: clones.clone(),
        drops: drops.clone(),
    })
    .unwrap();
    drop(a.try_recv().unwrap()); // a clone
    drop(b.try_recv().unwrap()); // the last reader: the original
    assert_eq!(clones.load(Ordering::SeqCst), 2);
    assert_eq!(drops.load(Ordering::SeqCst), 4);
}

#[test]
fn debug_and_snapshots() {
    let (tx, rx) = broadcast::channel::<u8>(3);
    assert!(tx.same_channel(&tx.clone()));
    assert!(rx.is_empty());
    assert_eq!(
        format!("{tx:?}"),
        "Sender { shared: Broadcast { retained: 0, capacity: 3, senders: 1, receivers: 1 } }"
    );
    assert!(format!("{rx:?}").starts_with("Receiver { next: 0,"));
}

#[test]
#[should_panic(expected = "capacity of at least 1")]
fn a_zero_capacity_panics() {
    let _ = broadcast::channel::<()>(0);
}

#[test]
fn futures_and_ends_are_send() {
    fn send<T: Send>(_: &T) {}
    let (tx, mut rx) = broadcast::channel::<String>(1);
    send(&tx);
    send(&rx.recv());
    send(&rx);
}
