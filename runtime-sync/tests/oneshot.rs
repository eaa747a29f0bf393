//! The oneshot channel on `futures::executor`: delivery across threads, the
//! closing rules from both sides, values returned on failure, and
//! cancel-safety of awaiting the receiver.

mod common;

use std::pin::pin;
use std::task::{Context, Poll, Waker};

use common::{Harness, run_all, thread_pool};
use futures::executor::block_on;
use runtime_sync::oneshot::{self, RecvError, TryRecvError};

#[test]
fn a_value_crosses_threads() {
    let pool = thread_pool(2);
    let pairs: Vec<_> = (0..100).map(|_| oneshot::channel()).collect();
    let (senders, receivers): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
    let sends = senders.into_iter().enumerate().map(|(n, tx)| async move {
        tx.send(n).unwrap();
        None
    });
    let receives = receivers
        .into_iter()
        .map(|rx| async move { Some(rx.await.unwrap()) });
    let outputs = run_all(
        &pool,
        receives
            .map(futures::future::Either::Left)
            .chain(sends.map(futures::future::Either::Right)),
    );
    let received: Vec<_> = outputs.into_iter().flatten().collect();
    assert!(received.into_iter().eq(0..100));
}

#[test]
fn the_receiver_waits_until_the_value_is_sent() {
    let mut harness = Harness::new();
    let (tx, rx) = oneshot::channel();
    let log = harness.log.clone();
    let receiving = harness.spawn(async move {
        let value = rx.await;
        log.push("received");
        value
    });
    assert!(harness.log.take().is_empty());
    tx.send("hello").unwrap();
    assert_eq!(harness.finish(receiving), Ok("hello"));
    assert_eq!(harness.log.take(), ["received"]);
}

#[test]
fn a_sender_dropped_unsent_fails_the_receiver() {
    let mut harness = Harness::new();
    let (tx, rx) = oneshot::channel::<u8>();
    let receiving = harness.spawn(rx);
    drop(tx);
    assert_eq!(
        harness.finish(receiving).unwrap_err().to_string(),
        "oneshot sender dropped without sending"
    );
}

#[test]
fn send_gives_the_value_back_when_the_receiver_is_gone() {
    let (tx, rx) = oneshot::channel();
    assert!(!tx.is_closed());
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(vec![1, 2]), Err(vec![1, 2]));
}

#[test]
fn close_refuses_later_sends_but_keeps_an_earlier_value() {
    let (tx, mut rx) = oneshot::channel();
    rx.close();
    assert_eq!(tx.send(1), Err(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));

    let (tx, mut rx) = oneshot::channel();
    tx.send(2).unwrap();
    rx.close();
    assert_eq!(block_on(rx), Ok(2));

    // Closed with the sender still alive: awaiting does not hang.
    let (_tx, mut rx) = oneshot::channel::<u8>();
    rx.close();
    assert!(block_on(rx).is_err());
}

#[test]
fn closed_wakes_the_sender_when_the_receiver_goes() {
    let mut harness = Harness::new();
    let (mut tx, rx) = oneshot::channel::<u8>();
    let log = harness.log.clone();
    let watching = harness.spawn(async move {
        tx.closed().await;
        log.push("receiver gone");
        tx.is_closed()
    });
    assert!(harness.log.take().is_empty());
    drop(rx);
    assert!(harness.finish(watching));
    assert_eq!(harness.log.take(), ["receiver gone"]);
}

#[test]
fn try_recv_reports_empty_then_the_value_then_closed() {
    let (tx, mut rx) = oneshot::channel();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    tx.send('x').unwrap();
    assert_eq!(rx.try_recv(), Ok('x'));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));

    let (tx, mut rx) = oneshot::channel::<char>();
    drop(tx);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

/// Awaiting `&mut receiver` and dropping that await (a lost `select`
/// branch) loses nothing: the value is still there for the next await.
#[test]
fn an_abandoned_await_loses_nothing() {
    let (tx, mut rx) = oneshot::channel();
    let mut cx = Context::from_waker(Waker::noop());
    {
        let mut waiting = pin!(&mut rx);
        assert!(waiting.as_mut().poll(&mut cx).is_pending());
    }
    tx.send(7).unwrap();
    {
        let mut waiting = pin!(&mut rx);
        assert!(matches!(waiting.as_mut().poll(&mut cx), Poll::Ready(Ok(7))));
    }
}

#[test]
fn errors_and_debug() {
    let (tx, rx) = oneshot::channel::<u8>();
    assert_eq!(format!("{tx:?}"), "Sender { closed: false }");
    assert_eq!(format!("{rx:?}"), "Receiver { done: false }");
    drop(tx);
    let error: RecvError = block_on(rx).unwrap_err();
    let _: &dyn std::error::Error = &error;
}

#[test]
#[should_panic(expected = "polled after it completed")]
fn polling_a_completed_receiver_panics() {
    let (tx, mut rx) = oneshot::channel();
    tx.send(()).unwrap();
    let mut cx = Context::from_waker(Waker::noop());
    let mut rx = pin!(&mut rx);
    assert!(rx.as_mut().poll(&mut cx).is_ready());
    let _ = rx.as_mut().poll(&mut cx);
}

#[test]
fn futures_and_ends_are_send() {
    fn send<T: Send>(_: &T) {}
    let (mut tx, rx) = oneshot::channel::<String>();
    send(&tx.closed());
    send(&tx);
    send(&rx);
}
