//! The mpsc channel on `futures::executor`: ordering, back-pressure, FIFO
//! among blocked senders, the closing rules, values returned on failure,
//! and cancel-safety of `recv` and `send`.

mod common;

use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;

use common::{Harness, run_all, thread_pool};
use futures::executor::{ThreadPool, block_on};
use futures::future::Either;
use runtime_sync::mpsc::{self, SendError, TryRecvError, TrySendError};

/// Runs the producers and the consumer on `pool` (waiting boundedly, see
/// `run_all`) and returns what the consumer returned.
fn pipeline<T: Send + 'static>(
    pool: &ThreadPool,
    producers: impl IntoIterator<Item = impl Future<Output = ()> + Send + 'static>,
    consumer: impl Future<Output = T> + Send + 'static,
) -> T {
    let consumer = Either::Left(async move { Some(consumer.await) });
    let producers = producers.into_iter().map(|producer| {
        Either::Right(async move {
            producer.await;
            None
        })
    });
    let outputs = run_all(pool, std::iter::once(consumer).chain(producers));
    outputs
        .into_iter()
        .next()
        .flatten()
        .expect("the consumer's output")
}

/// One producer: messages arrive in the order they were sent, through a
/// buffer much smaller than the stream.
#[test]
fn messages_arrive_in_send_order() {
    let pool = thread_pool(2);
    let (tx, mut rx) = mpsc::channel(4);
    let producer = async move {
        for n in 0..2000 {
            tx.send(n).await.unwrap();
        }
    };
    let received = pipeline(&pool, [producer], async move {
        let mut got = Vec::new();
        while let Some(n) = rx.recv().await {
            got.push(n);
        }
        got
    });
    assert!(received.into_iter().eq(0..2000));
}

/// Many producers on many threads: nothing lost or doubled, and each
/// producer's messages keep their order.
#[test]
fn many_producers_on_a_thread_pool() {
    const PRODUCERS: usize = 4;
    const EACH: usize = 2500;
    for (tx, mut rx) in [mpsc::channel(8), mpsc::unbounded()] {
        let pool = thread_pool(3);
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let tx = tx.clone();
                async move {
                    for n in 0..EACH {
                        tx.send((p, n)).await.unwrap();
                    }
                }
            })
            .collect();
        drop(tx);
        let total = pipeline(&pool, producers, async move {
            let mut next = HashMap::new();
            let mut batch = Vec::new();
            let mut total = 0;
            while rx.recv_many(&mut batch, 64).await > 0 {
                for (p, n) in batch.drain(..) {
                    let expected = next.entry(p).or_insert(0);
                    assert_eq!(n, *expected, "producer {p} out of order");
                    *expected += 1;
                    total += 1;
                }
            }
            total
        });
        assert_eq!(total, PRODUCERS * EACH);
    }
}

/// `send` waits while `capacity` messages are buffered, and each receive
/// lets one more in.
#[test]
fn send_waits_for_capacity() {
    let mut harness = Harness::new();
    let (tx, mut rx) = mpsc::channel(2);
    let log = harness.log.clone();
    harness
        .spawn(async move {
            for n in 0..4 {
                tx.send(n).await.unwrap();
                log.push(format!("sent {n}"));
            }
        })
        .forget();
    assert_eq!(harness.log.take(), ["sent 0", "sent 1"]);
    assert_eq!(rx.len(), 2);
    assert_eq!(rx.try_recv(), Ok(0));
    harness.run();
    assert_eq!(harness.log.take(), ["sent 2"]);
    assert_eq!(rx.len(), 2);
    assert_eq!(block_on(rx.recv()), Some(1));
    assert_eq!(block_on(rx.recv()), Some(2));
    harness.run();
    assert_eq!(harness.log.take(), ["sent 3"]);
    assert_eq!(block_on(rx.recv()), Some(3));
    assert_eq!(block_on(rx.recv()), None); // the producer finished
}

/// Blocked senders go through in the order they started waiting, and a
/// newcomer does not overtake them.
#[test]
fn blocked_senders_are_served_first_come_first_served() {
    let mut harness = Harness::new();
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send("first").unwrap();
    for name in ["a", "b", "c"] {
        let (tx, log) = (tx.clone(), harness.log.clone());
        harness
            .spawn(async move {
                tx.send(name).await.unwrap();
                log.push(name);
            })
            .forget();
    }
    assert_eq!(tx.try_send("newcomer"), Err(TrySendError::Full("newcomer")));
    let mut received = Vec::new();
    while let Ok(message) = rx.try_recv() {
        received.push(message);
        harness.run();
    }
    assert_eq!(received, ["first", "a", "b", "c"]);
    assert_eq!(harness.log.take(), ["a", "b", "c"]);
}

/// Every sender dropped: the receiver drains the buffer, then gets `None`.
#[test]
fn the_channel_ends_when_every_sender_is_dropped() {
    let (tx, mut rx) = mpsc::channel(4);
    let tx2 = tx.clone();
    tx.try_send(1).unwrap();
    tx2.try_send(2).unwrap();
    drop(tx);
    assert!(!rx.is_closed());
    drop(tx2);
    assert!(rx.is_closed());
    block_on(async {
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.recv().await, Some(2));
        assert_eq!(rx.recv().await, None);
        assert_eq!(rx.recv().await, None);
    });
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

/// The receiver dropped: every send fails and gives its message back,
/// including sends that were waiting for room.
#[test]
fn sends_give_their_message_back_once_the_receiver_is_gone() {
    let mut harness = Harness::new();
    let (tx, rx) = mpsc::channel(1);
    tx.try_send(String::from("buffered")).unwrap();
    let blocked = {
        let tx = tx.clone();
        harness.spawn(async move { tx.send(String::from("blocked")).await })
    };
    drop(rx);
    assert_eq!(
        harness.finish(blocked),
        Err(SendError(String::from("blocked")))
    );
    assert!(tx.is_closed());
    assert_eq!(
        block_on(tx.send(String::from("later")))
            .unwrap_err()
            .into_inner(),
        "later"
    );
    assert_eq!(
        tx.try_send(String::from("try")),
        Err(TrySendError::Closed(String::from("try")))
    );
}

/// `close` stops new sends but keeps what was already sent.
#[test]
fn close_keeps_the_buffered_messages() {
    let (tx, mut rx) = mpsc::unbounded();
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    rx.close();
    assert_eq!(tx.try_send(3), Err(TrySendError::Closed(3)));
    assert!(rx.is_closed());
    let mut all = Vec::new();
    while let Some(n) = block_on(rx.recv()) {
        all.push(n);
    }
    assert_eq!(all, [1, 2]);
}

/// `recv` is cancel-safe: a receiving task cancelled after a message was
/// handed to it, but before it ran, loses nothing.
#[test]
fn a_cancelled_recv_loses_no_message() {
    let mut harness = Harness::new();
    let (tx, rx) = mpsc::channel(4);
    let rx = Rc::new(futures::lock::Mutex::new(rx));
    let receiving = {
        let rx = rx.clone();
        harness.spawn(async move { rx.lock().await.recv().await })
    };
    tx.try_send("handed over").unwrap(); // to the waiting receive
    tx.try_send("buffered").unwrap();
    drop(receiving); // cancel the task before it runs again
    harness.run();
    let mut rx = block_on(rx.lock());
    assert_eq!(rx.try_recv(), Ok("handed over"));
    assert_eq!(rx.try_recv(), Ok("buffered"));
}

/// `send` dropped while it waits sends nothing; the sends behind it move
/// up.
#[test]
fn a_cancelled_send_sends_nothing() {
    let mut harness = Harness::new();
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let cancelled = {
        let tx = tx.clone();
        harness.spawn(async move { tx.send(1).await })
    };
    let kept = {
        let tx = tx.clone();
        harness.spawn(async move { tx.send(2).await })
    };
    drop(cancelled);
    harness.run();
    assert_eq!(rx.try_recv(), Ok(0));
    assert_eq!(harness.finish(kept), Ok(()));
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

/// An unbounded channel never makes a sender wait.
#[test]
fn unbounded_sends_never_wait() {
    let (tx, mut rx) = mpsc::unbounded();
    block_on(async {
        for n in 0..10_000 {
            tx.send(n).await.unwrap();
        }
    });
    assert_eq!(tx.len(), 10_000);
    drop(tx);
    let mut batch = Vec::new();
    let mut total = 0;
    while block_on(rx.recv_many(&mut batch, 1000)) > 0 {
        assert!(batch.iter().copied().eq(total..total + batch.len()));
        total += batch.len();
        batch.clear();
    }
    assert_eq!(total, 10_000);
}
