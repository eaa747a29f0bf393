//! The watch channel on `futures::executor`: change detection, coalescing,
//! `borrow_and_update`, closing, and the value given back when nobody
//! watches.

mod common;

use std::pin::pin;
use std::task::{Context, Waker};

use common::{Harness, run_all, thread_pool};
use futures::executor::block_on;
use runtime_sync::watch::{self, SendError};

#[test]
fn changed_waits_for_a_send_and_marks_it_seen() {
    let mut harness = Harness::new();
    let (tx, mut rx) = watch::channel(0);
    let log = harness.log.clone();
    harness
        .spawn(async move {
            while rx.changed().await.is_ok() {
                log.push(format!("now {}", *rx.borrow()));
            }
            log.push("sender gone");
        })
        .forget();
    assert!(
        harness.log.take().is_empty(),
        "the initial value counts as seen"
    );
    tx.send(1).unwrap();
    harness.run();
    assert_eq!(harness.log.take(), ["now 1"]);
    tx.send(2).unwrap();
    tx.send(3).unwrap();
    harness.run();
    assert_eq!(harness.log.take(), ["now 3"], "two sends, one change");
    drop(tx);
    harness.run();
    assert_eq!(harness.log.take(), ["sender gone"]);
}

#[test]
fn borrow_and_update_marks_the_value_seen_borrow_does_not() {
    let (tx, mut rx) = watch::channel("a");
    tx.send("b").unwrap();
    assert_eq!(*rx.borrow(), "b");
    assert_eq!(rx.has_changed(), Ok(true));
    assert_eq!(*rx.borrow_and_update(), "b");
    assert_eq!(rx.has_changed(), Ok(false));
    tx.send("c").unwrap();
    rx.mark_unchanged();
    assert_eq!(rx.has_changed(), Ok(false));
    assert_eq!(*tx.borrow(), "c");
}

#[test]
fn a_change_unseen_when_the_sender_goes_is_still_reported() {
    let (tx, mut rx) = watch::channel(1);
    tx.send(2).unwrap();
    drop(tx);
    assert_eq!(rx.has_changed(), Ok(true));
    block_on(async {
        assert_eq!(rx.changed().await, Ok(()));
        assert_eq!(*rx.borrow(), 2);
        assert!(rx.changed().await.is_err());
    });
    assert!(rx.has_changed().is_err());
    assert_eq!(*rx.borrow(), 2, "the last value stays readable");
}

#[test]
fn send_without_receivers_gives_the_value_back_and_send_replace_stores_it() {
    let (tx, rx) = watch::channel(String::from("old"));
    assert!(!tx.is_closed());
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(
        tx.send(String::from("new")),
        Err(SendError(String::from("new")))
    );
    assert_eq!(*tx.borrow(), "old");
    assert_eq!(tx.send_replace(String::from("kept")), "old");
    let rx = tx.subscribe();
    assert_eq!(*rx.borrow(), "kept");
    assert_eq!(
        rx.has_changed(),
        Ok(false),
        "a new receiver has seen the value"
    );
}

#[test]
fn send_modify_and_send_if_modified() {
    let (tx, mut rx) = watch::channel(vec![1]);
    tx.send_modify(|v| v.push(2));
    assert_eq!(rx.has_changed(), Ok(true));
    assert_eq!(*rx.borrow_and_update(), [1, 2]);
    assert!(!tx.send_if_modified(|v| {
        v.push(3);
        false // changed, but not worth announcing
    }));
    assert_eq!(rx.has_changed(), Ok(false));
    assert!(tx.send_if_modified(|v| {
        v.clear();
        true
    }));
    assert_eq!(rx.has_changed(), Ok(true));
    assert!(rx.borrow().is_empty());
}

#[test]
fn clones_share_what_they_have_seen_and_count_as_receivers() {
    let (tx, mut rx) = watch::channel(0);
    tx.send(1).unwrap();
    let clone = rx.clone();
    assert!(clone.same_channel(&rx));
    assert_eq!(tx.receiver_count(), 2);
    rx.mark_unchanged();
    assert_eq!(
        (rx.has_changed(), clone.has_changed()),
        (Ok(false), Ok(true))
    );
    drop(rx);
    drop(clone);
    assert_eq!(tx.receiver_count(), 0);
}

/// A `changed` dropped while it waits marks nothing seen: the next call
/// reports the change.
#[test]
fn an_abandoned_changed_loses_nothing() {
    let (tx, mut rx) = watch::channel(0);
    {
        let mut changed = pin!(rx.changed());
        let mut cx = Context::from_waker(Waker::noop());
        assert!(changed.as_mut().poll(&mut cx).is_pending());
    }
    tx.send(1).unwrap();
    assert_eq!(block_on(rx.changed()), Ok(()));
}

/// Receivers on other threads never miss the last value, however the
/// sends and their wake-ups interleave.
#[test]
fn every_receiver_ends_with_the_last_value() {
    let pool = thread_pool(3);
    let (tx, rx) = watch::channel(0);
    let clones: Vec<_> = (0..4).map(|_| rx.clone()).collect();
    let receivers = clones.into_iter().map(|mut rx| {
        futures::future::Either::Left(async move {
            let mut last = 0;
            while rx.changed().await.is_ok() {
                let now = *rx.borrow();
                assert!(now >= last, "values only grow");
                last = now;
            }
            last
        })
    });
    drop(rx);
    let sender = futures::future::Either::Right(async move {
        for n in 1..=1000 {
            tx.send(n).unwrap();
        }
        1000
    });
    let outputs = run_all(&pool, receivers.chain([sender]));
    assert!(outputs.iter().all(|&last| last == 1000), "{outputs:?}");
}

#[test]
fn debug() {
    let (tx, rx) = watch::channel(5);
    assert_eq!(format!("{:?}", rx.borrow()), "5");
    assert_eq!(
        format!("{tx:?}"),
        "Sender { shared: Watch { version: 0, receivers: 1, closed: false } }"
    );
    assert!(format!("{rx:?}").starts_with("Receiver { seen: 0,"));
}

#[test]
fn futures_and_ends_are_send() {
    fn send<T: Send>(_: &T) {}
    let (tx, mut rx) = watch::channel(String::new());
    send(&tx);
    send(&rx.changed());
    send(&rx);
}
