//! Unit tests of the mpsc channel's waiting rules, driving the futures by
//! hand: who is woken, when, and what each gets.

use std::sync::mpsc as std_mpsc;
use std::thread;
use std::time::Duration;

use super::{Receiver, SendError, Sender, TryRecvError, TrySendError, channel, unbounded};
use crate::test_support::Probe;

#[test]
fn a_waiting_receiver_is_woken_once_per_empty_to_non_empty_edge() {
    let (tx, mut rx) = channel(4);
    let mut recv = Probe::new(rx.recv());
    recv.pending();
    for n in 0..3 {
        tx.try_send(n).unwrap();
    }
    // The first send handed its message over and woke the receiver; the
    // others found it no longer waiting and only buffered.
    assert_eq!(recv.wakes(), 1);
    assert_eq!(recv.ready(), Some(0));
    drop(recv);
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn blocked_senders_are_admitted_one_per_freed_slot_in_arrival_order() {
    let (tx, mut rx) = channel(1);
    tx.try_send("held").unwrap();
    let mut sends: Vec<_> = ["a", "b", "c"]
        .into_iter()
        .map(|message| Probe::new(tx.send(message)))
        .collect();
    for send in &mut sends {
        send.pending();
    }
    // No barging: a newcomer cannot slip in ahead of them.
    assert_eq!(tx.try_send("late"), Err(TrySendError::Full("late")));
    for (freed, expected) in ["held", "a", "b"].into_iter().enumerate() {
        assert_eq!(rx.try_recv(), Ok(expected));
        let wakes: Vec<_> = sends.iter().map(Probe::wakes).collect();
        let admitted: Vec<_> = (0..3).map(|i| usize::from(i <= freed)).collect();
        assert_eq!(wakes, admitted, "after freeing slot {freed}");
        assert_eq!(sends[freed].ready(), Ok(()));
    }
    assert_eq!(rx.try_recv(), Ok("c"));
}

#[test]
fn a_send_dropped_while_waiting_sends_nothing() {
    let (tx, mut rx) = channel(1);
    tx.try_send(1).unwrap();
    let mut first = Probe::new(tx.send(2));
    let mut second = Probe::new(tx.send(3));
    first.pending();
    second.pending();
    drop(first);
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(second.wakes(), 1, "the slot goes to the next sender");
    assert_eq!(second.ready(), Ok(()));
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn a_send_dropped_after_it_was_admitted_has_sent() {
    let (tx, mut rx) = channel(1);
    tx.try_send(1).unwrap();
    let mut send = Probe::new(tx.send(2));
    send.pending();
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(send.wakes(), 1);
    drop(send); // never polled again
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn a_recv_dropped_after_a_hand_off_puts_the_message_back_in_front() {
    let (tx, mut rx) = channel(1);
    let mut recv = Probe::new(rx.recv());
    recv.pending();
    tx.try_send("handed").unwrap();
    tx.try_send("buffered").unwrap();
    assert_eq!(recv.wakes(), 1);
    drop(recv); // cancelled before it collected "handed"
    assert_eq!(rx.len(), 2, "one over the bound until the next receive");
    assert_eq!(rx.try_recv(), Ok("handed"));
    assert_eq!(rx.try_recv(), Ok("buffered"));
}

#[test]
fn the_last_sender_dropped_wakes_the_waiting_receiver_with_none() {
    let (tx, mut rx) = channel::<u8>(1);
    let tx2 = tx.clone();
    let mut recv = Probe::new(rx.recv());
    recv.pending();
    drop(tx);
    assert_eq!(recv.wakes(), 0, "a sender is left");
    drop(tx2);
    assert_eq!(recv.wakes(), 1);
    assert_eq!(recv.ready(), None);
}

#[test]
fn close_hands_blocked_senders_their_messages_back_and_keeps_the_buffer() {
    let (tx, mut rx) = channel(1);
    tx.try_send(1).unwrap();
    let mut blocked = Probe::new(tx.send(2));
    blocked.pending();
    rx.close();
    assert_eq!(blocked.wakes(), 1);
    assert_eq!(blocked.ready(), Err(SendError(2)));
    assert_eq!(tx.try_send(3), Err(TrySendError::Closed(3)));
    assert!(tx.is_closed());
    assert!(rx.is_closed());
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    assert_eq!(Probe::new(rx.recv()).ready(), None);
}

#[test]
fn recv_many_frees_a_batch_of_slots_and_wakes_their_senders_together() {
    let (tx, mut rx) = channel(2);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    let mut sends: Vec<_> = [3, 4].into_iter().map(|n| Probe::new(tx.send(n))).collect();
    for send in &mut sends {
        send.pending();
    }
    let mut got = Vec::new();
    assert_eq!(Probe::new(rx.recv_many(&mut got, 10)).ready(), 2);
    assert_eq!(got, [1, 2]);
    assert_eq!(sends.iter().map(Probe::wakes).collect::<Vec<_>>(), [1, 1]);
    assert_eq!(Probe::new(rx.recv_many(&mut got, 1)).ready(), 1);
    assert_eq!(Probe::new(rx.recv_many(&mut got, 0)).ready(), 0);
    assert_eq!(got, [1, 2, 3]);
}

#[test]
fn recv_many_waits_for_the_first_message_then_takes_the_rest() {
    let (tx, mut rx) = channel(4);
    let mut got = Vec::new();
    let mut many = Probe::new(rx.recv_many(&mut got, 3));
    many.pending();
    tx.try_send('a').unwrap();
    tx.try_send('b').unwrap();
    assert_eq!(many.ready(), 2);
    drop(many);
    assert_eq!(got, ['a', 'b']);
}

#[test]
fn an_unbounded_receiver_takes_a_batch_and_len_still_counts_it() {
    let (tx, mut rx) = unbounded();
    for n in 0..5 {
        tx.try_send(n).unwrap();
    }
    assert_eq!(rx.try_recv(), Ok(0)); // takes all five, returns the first
    assert_eq!((tx.len(), rx.len()), (4, 4));
    tx.try_send(5).unwrap();
    assert_eq!(tx.len(), 5);
    let mut got = Vec::new();
    assert_eq!(Probe::new(rx.recv_many(&mut got, 2)).ready(), 2);
    assert_eq!(got, [1, 2]);
    assert_eq!(Probe::new(rx.recv()).ready(), Some(3));
    assert_eq!(Probe::new(rx.recv()).ready(), Some(4));
    assert_eq!(Probe::new(rx.recv()).ready(), Some(5));
    assert!(tx.is_empty() && rx.is_empty());
    assert_eq!((tx.capacity(), rx.capacity()), (None, None));
}

#[test]
fn messages_in_the_receivers_batch_still_take_up_capacity() {
    let (tx, mut rx) = channel(3);
    for n in 0..3 {
        tx.try_send(n).unwrap();
    }
    assert_eq!(rx.try_recv(), Ok(0)); // takes all three, returns the first
    assert_eq!((tx.len(), rx.len()), (2, 2));
    tx.try_send(3).unwrap();
    assert_eq!(
        tx.try_send(4),
        Err(TrySendError::Full(4)),
        "1 and 2 still count"
    );
    assert_eq!(rx.try_recv(), Ok(1)); // from the batch: frees a slot
    tx.try_send(4).unwrap();
    let received: Vec<_> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
    assert_eq!(received, [2, 3, 4]);
}

#[test]
fn a_receive_from_the_batch_admits_a_blocked_sender_at_once() {
    let (tx, mut rx) = channel(2);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    assert_eq!(rx.try_recv(), Ok(1)); // 2 stays in the receiver's batch
    tx.try_send(3).unwrap(); // full again: 2 (batch) and 3
    let mut blocked = Probe::new(tx.send(4));
    blocked.pending();
    assert_eq!(rx.try_recv(), Ok(2)); // from the batch, without the lock...
    assert_eq!(blocked.wakes(), 1, "...but the blocked sender is admitted");
    assert_eq!(blocked.ready(), Ok(()));
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(rx.try_recv(), Ok(4));
}

#[test]
fn snapshots_and_debug() {
    let (tx, rx) = channel::<u8>(3);
    assert_eq!((tx.capacity(), rx.capacity()), (Some(3), Some(3)));
    tx.try_send(1).unwrap();
    assert_eq!((tx.len(), rx.len()), (1, 1));
    assert!(!rx.is_empty() && !tx.is_closed() && !rx.is_closed());
    assert!(tx.same_channel(&tx.clone()));
    assert!(!tx.same_channel(&channel::<u8>(1).0));
    assert_eq!(
        format!("{tx:?}"),
        "Sender { chan: Chan { buffered: 1, bound: Some(3), senders: 1, \
         blocked_senders: 0, closed: false } }"
    );
    assert!(format!("{rx:?}").starts_with("Receiver { chan: Chan {"));
}

#[test]
#[should_panic(expected = "capacity of at least 1")]
fn a_zero_capacity_panics() {
    let _ = channel::<()>(0);
}

/// A message that holds a sender of its own channel: its `Drop` locks the
/// channel, so dropping it under the channel's lock would deadlock.
struct Loopback(#[allow(dead_code)] Sender<Loopback>);

/// Runs `f` on another thread and fails (instead of hanging) if it does not
/// finish: a deadlock shows up as a failure.
fn finishes(f: impl FnOnce() + Send + 'static) {
    let (done, finished) = std_mpsc::channel();
    thread::spawn(move || {
        f();
        done.send(()).unwrap();
    });
    finished
        .recv_timeout(Duration::from_secs(60))
        .expect("deadlock: a message was dropped under the channel's lock");
}

#[test]
fn messages_the_channel_throws_away_are_dropped_outside_its_lock() {
    finishes(|| {
        // Buffered messages dropped with the receiver.
        let (tx, rx) = channel(2);
        tx.try_send(Loopback(tx.clone())).unwrap();
        drop(rx);

        // A send cancelled while it waits.
        let (tx, rx): (Sender<Loopback>, Receiver<Loopback>) = channel(1);
        tx.try_send(Loopback(tx.clone())).unwrap();
        let mut send = Probe::new(tx.send(Loopback(tx.clone())));
        send.pending();
        drop(send);

        // A send the channel closed on, dropped before it reported it.
        let mut send = Probe::new(tx.send(Loopback(tx.clone())));
        send.pending();
        drop(rx);
        drop(send);
    });
}

#[test]
fn futures_and_ends_are_send() {
    fn send<T: Send>(_: &T) {}
    let (tx, mut rx) = channel::<String>(1);
    send(&tx.send(String::new()));
    send(&tx);
    send(&rx.recv());
    let mut buffer = Vec::new();
    send(&rx.recv_many(&mut buffer, 1));
    send(&rx);
}
