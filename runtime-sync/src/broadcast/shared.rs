//! The ring of retained messages that every receiver of a broadcast channel
//! reads from, and the operations on it.
//!
//! Messages are numbered in send order (their *position*). The ring keeps at
//! most `capacity` of the newest ones; each receiver remembers the position
//! it reads next. A receiver whose next position fell off the front lagged:
//! it is told how many it missed and moves to the oldest retained message.
//!
//! Each slot counts the receivers that have yet to read it (those
//! subscribed when it was sent). The last one to read it takes the message
//! out instead of cloning it, and a slot nobody needs any more leaves the
//! ring at once. Slots empty from the front: every receiver reads in order,
//! so when a slot is done so is every older one.
//!
//! Messages are stored as `Arc<T>`: a receiver takes a reference under the
//! lock and clones `T` after releasing it, so user `Clone` code never runs
//! under the lock; messages leaving the ring are dropped after it too.
//!
//! Receivers that have read everything wait on a `WaiterList<(), u64>` (the
//! request is the position they wait for); every
//! send (and the last sender's drop) wakes them all. Only caught-up
//! receivers wait, so a send wakes exactly the receivers it gives news to.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;

use super::error::TryRecvError;
use crate::primitives::{Mutex, MutexGuard};
use crate::waiters::{WaiterList, WakeList};

/// The channel: what every `Sender` and `Receiver` points to.
pub(super) struct Shared<T> {
    state: Mutex<State<T>>,
}

pub(super) struct State<T> {
    /// Retained messages, oldest first; `slots[i]` has position `head + i`.
    slots: VecDeque<Slot<T>>,
    /// The position of `slots[0]` (of the next message, if the ring is
    /// empty).
    head: u64,
    capacity: usize,
    senders: usize,
    receivers: usize,
    /// Receivers that have read everything and wait for the next send.
    pub(super) waiting: WaiterList<(), u64>,
}

struct Slot<T> {
    /// `None` once every receiver that needed it has read it.
    message: Option<Arc<T>>,
    /// Receivers that still have to read it.
    unread: usize,
}

impl<T> Shared<T> {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            state: Mutex::new(State {
                slots: VecDeque::with_capacity(capacity.min(PREALLOCATE)),
                head: 0,
                capacity,
                senders: 1,
                receivers: 1,
                waiting: WaiterList::new(),
            }),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock()
    }
}

/// The ring is allocated up front up to this many slots; a larger capacity
/// grows on demand.
const PREALLOCATE: usize = 1024;

impl<T> State<T> {
    /// The position the next message will get.
    pub(super) fn tail(&self) -> u64 {
        self.head + self.slots.len() as u64
    }

    /// Appends `message` for every current receiver, wakes the waiting
    /// ones, and returns how many receivers there are. A message pushed out
    /// of the ring to make room comes back, for the caller to drop after
    /// releasing the lock.
    pub(super) fn send(
        &mut self,
        message: Arc<T>,
        wakes: &mut WakeList,
    ) -> (usize, Option<Arc<T>>) {
        let evicted = if self.slots.len() == self.capacity {
            self.head += 1;
            self.slots.pop_front().and_then(|slot| slot.message)
        } else {
            None
        };
        self.slots.push_back(Slot {
            message: Some(message),
            unread: self.receivers,
        });
        self.waiting.notify_all(|_| (), wakes);
        (self.receivers, evicted)
    }

    /// Reads the message at `*next` for a receiver and advances it.
    pub(super) fn try_recv(&mut self, next: &mut u64) -> Result<Arc<T>, TryRecvError> {
        if *next < self.head {
            let missed = self.head - *next;
            *next = self.head;
            return Err(TryRecvError::Lagged(missed));
        }
        let index = usize::try_from(*next - self.head).expect("a ring index fits in usize");
        let Some(slot) = self.slots.get_mut(index) else {
            return Err(if self.senders == 0 {
                TryRecvError::Closed
            } else {
                TryRecvError::Empty
            });
        };
        slot.unread -= 1;
        let message = if slot.unread == 0 {
            slot.message.take()
        } else {
            slot.message.clone()
        };
        *next += 1;
        self.trim();
        Ok(message.expect("a slot is kept until its last reader has read it"))
    }

    /// Whether a receiver at `next` has something to learn: a message, a
    /// lag, or the end.
    pub(super) fn has_news(&self, next: u64) -> bool {
        next < self.tail() || self.senders == 0
    }

    /// Unread messages for a receiver at `next` (not counting lost ones).
    pub(super) fn unread(&self, next: u64) -> usize {
        usize::try_from(self.tail() - next.max(self.head)).expect("at most `capacity`")
    }

    /// Registers a new receiver; returns the position it reads from (the
    /// next message sent).
    pub(super) fn subscribe(&mut self) -> u64 {
        self.receivers = self
            .receivers
            .checked_add(1)
            .expect("receiver count overflowed usize");
        self.tail()
    }

    /// A receiver at `next` left: the messages it had not read no longer
    /// wait for it. Those it was the last reader of are returned, for the
    /// caller to drop after releasing the lock.
    pub(super) fn unsubscribe(&mut self, next: u64) -> Vec<Arc<T>> {
        self.receivers -= 1;
        let start = usize::try_from(next.saturating_sub(self.head)).expect("a ring index fits");
        let mut done = Vec::new();
        for slot in self.slots.iter_mut().skip(start) {
            slot.unread -= 1;
            if slot.unread == 0 {
                done.extend(slot.message.take());
            }
        }
        self.trim();
        done
    }

    pub(super) fn add_sender(&mut self) {
        self.senders = self
            .senders
            .checked_add(1)
            .expect("sender count overflowed usize");
    }

    /// A sender was dropped; the last one wakes every waiting receiver to
    /// find the channel closed.
    pub(super) fn remove_sender(&mut self, wakes: &mut WakeList) {
        self.senders -= 1;
        if self.senders == 0 {
            self.waiting.notify_all(|_| (), wakes);
        }
    }

    pub(super) fn receivers(&self) -> usize {
        self.receivers
    }

    pub(super) fn senders(&self) -> usize {
        self.senders
    }

    /// Drops the slots every receiver is done with from the front.
    fn trim(&mut self) {
        while self
            .slots
            .front()
            .is_some_and(|slot| slot.message.is_none())
        {
            self.slots.pop_front();
            self.head += 1;
        }
    }
}

impl<T> fmt::Debug for State<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Broadcast")
            .field("retained", &self.slots.len())
            .field("capacity", &self.capacity)
            .field("senders", &self.senders)
            .field("receivers", &self.receivers)
            .finish()
    }
}
