//! The mpsc channel: a send racing the receiver's wait (no lost wake-up, no
//! double delivery), FIFO among blocked senders, a dropped send racing the
//! receive that admits it, a dropped receive racing a hand-off, closing
//! (last sender, `close`) racing waits, and the try-first paths of `send`
//! and `recv` racing each other before they queue.

use std::pin::pin;
use std::task::{Context, Poll, Waker};

use loom::future::block_on;
use loom::thread;

use super::{Boxed, queue};
use crate::mpsc::{self, Receiver, SendError, Sender, TryRecvError};

fn send(tx: &Sender<u32>, value: u32) -> Boxed<Result<(), SendError<u32>>> {
    let tx = tx.clone();
    Box::pin(async move { tx.send(value).await })
}

/// Everything `rx` still holds, without waiting.
fn drain(rx: &mut Receiver<u32>) -> Vec<u32> {
    std::iter::from_fn(|| rx.try_recv().ok()).collect()
}

/// A send racing the receiver's arrival, bounded and unbounded: the
/// receiver gets the message exactly once, whichever comes first.
#[test]
fn loom_mpsc_send_races_recv() {
    for bounded in [true, false] {
        loom::model(move || {
            let (tx, mut rx) = if bounded {
                mpsc::channel(1)
            } else {
                mpsc::unbounded()
            };
            let sender = thread::spawn(move || {
                tx.try_send(1).unwrap();
                tx
            });
            assert_eq!(block_on(rx.recv()), Some(1));
            let _tx = sender.join().unwrap();
            assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        });
    }
}

/// Two sends blocked in order on a full channel are admitted in that order,
/// whatever their threads do, as the receiver frees slots.
#[test]
fn loom_mpsc_blocked_senders_are_fifo() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(0).unwrap();
        let (mut a, mut b) = (send(&tx, 1), send(&tx, 2));
        queue(&mut a);
        queue(&mut b);
        let a = thread::spawn(move || block_on(a));
        let b = thread::spawn(move || block_on(b));
        let received: Vec<_> = (0..3).map(|_| block_on(rx.recv()).unwrap()).collect();
        assert_eq!(received, [0, 1, 2]);
        assert_eq!(a.join().unwrap(), Ok(()));
        assert_eq!(b.join().unwrap(), Ok(()));
    });
}

/// A receive from the receiver's batch (no lock) frees a slot while a send
/// finds the channel full and queues: the send is admitted, although the
/// receiver receives nothing more (a lost admission would hang it).
#[test]
fn loom_mpsc_batch_receive_races_blocking_send() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(2);
        tx.try_send(1).unwrap();
        tx.try_send(2).unwrap();
        assert_eq!(rx.try_recv(), Ok(1)); // 2 stays in the batch
        tx.try_send(3).unwrap(); // full: 2 (batch) and 3
        let sender = thread::spawn(move || block_on(tx.send(4)));
        assert_eq!(rx.try_recv(), Ok(2)); // frees a slot, from the batch
        assert_eq!(sender.join().unwrap(), Ok(()));
        assert_eq!(drain(&mut rx), [3, 4]);
    });
}

/// A blocked send is dropped while a receive frees a slot for it: its
/// message is delivered once or not at all, and the send behind it gets in
/// either way.
#[test]
fn loom_mpsc_dropped_send_races_recv() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(0).unwrap();
        let (mut dropped, mut kept) = (send(&tx, 1), send(&tx, 2));
        queue(&mut dropped);
        queue(&mut kept);
        let dropper = thread::spawn(move || drop(dropped));
        let kept = thread::spawn(move || block_on(kept));
        let mut received = vec![block_on(rx.recv()).unwrap()];
        while received.last() != Some(&2) {
            received.push(block_on(rx.recv()).unwrap());
        }
        dropper.join().unwrap();
        assert_eq!(kept.join().unwrap(), Ok(()));
        received.extend(drain(&mut rx));
        assert!(received == [0, 1, 2] || received == [0, 2], "{received:?}");
    });
}

/// A waiting receive is dropped while a send hands it a message: the
/// message is either returned by it or left in the channel, never lost or
/// doubled.
#[test]
fn loom_mpsc_dropped_recv_races_hand_off() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        let receiver = thread::spawn(move || {
            let got = {
                let mut recv = pin!(rx.recv());
                match recv.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
                    Poll::Ready(got) => got,
                    Poll::Pending => None, // dropped while waiting
                }
            };
            (rx, got)
        });
        tx.try_send(1).unwrap();
        let (mut rx, got) = receiver.join().unwrap();
        let mut seen: Vec<_> = got.into_iter().collect();
        seen.extend(drain(&mut rx));
        assert_eq!(seen, [1]);
    });
}

/// The last sender sends and leaves while the receiver waits: it gets the
/// message, then `None` — the close is not lost.
#[test]
fn loom_mpsc_last_sender_drop_races_recv() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        let sender = thread::spawn(move || {
            tx.try_send(1).unwrap();
            drop(tx);
        });
        assert_eq!(block_on(rx.recv()), Some(1));
        assert_eq!(block_on(rx.recv()), None);
        sender.join().unwrap();
    });
}

/// `close` races a blocked send: the send is either admitted before the
/// close (and its message received) or handed its message back.
#[test]
fn loom_mpsc_close_races_blocked_send() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(0).unwrap();
        let mut blocked = send(&tx, 1);
        queue(&mut blocked);
        let sender = thread::spawn(move || block_on(blocked));
        let first = rx.try_recv();
        rx.close();
        let result = sender.join().unwrap();
        let mut received: Vec<_> = first.into_iter().collect();
        received.extend(drain(&mut rx));
        match result {
            Ok(()) => assert_eq!(received, [0, 1]),
            Err(SendError(value)) => {
                assert_eq!(value, 1);
                assert_eq!(received, [0]);
            }
        }
        assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    });
}

/// The try-first paths of `send` and `recv` (one critical section, then
/// `Wait` only if that failed) racing each other on a full bounded(1)
/// channel: the send's try may fail and the receive's try may find nothing,
/// with the other side acting in between, before either queues. Every
/// message arrives once, in order, and nobody is left waiting.
#[test]
fn loom_mpsc_try_first_send_and_recv_race() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(1).unwrap();
        let sender = thread::spawn(move || {
            block_on(tx.send(2)).unwrap();
            block_on(tx.send(3)).unwrap();
        });
        let got: Vec<_> = (0..3).map(|_| block_on(rx.recv()).unwrap()).collect();
        assert_eq!(got, [1, 2, 3]);
        sender.join().unwrap();
        assert_eq!(block_on(rx.recv()), None);
    });
}
