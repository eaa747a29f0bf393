//! The async `Mutex`: mutual exclusion, no lost wake-up on unlock, FIFO
//! order among queued waiters even with a barging task, the starvation
//! reservation (`BARGE_LIMIT` is 1 under loom, so one pass-over reserves the
//! lock), and a woken waiter dropped while the lock is released or taken.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use loom::future::block_on;
use loom::thread;

use super::{Boxed, Log, queue};
use crate::mutex::{Mutex, OwnedMutexGuard};

fn lock(mutex: &Arc<Mutex<usize>>) -> Boxed<OwnedMutexGuard<usize>> {
    Box::pin(mutex.clone().lock_owned())
}

/// Two threads lock and increment: never both inside at once, neither left
/// waiting, and the lock is free at the end.
#[test]
fn loom_mutex_excludes_and_wakes() {
    loom::model(|| {
        let mutex = Arc::new(Mutex::new(0));
        let inside = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let (mutex, inside) = (mutex.clone(), inside.clone());
                thread::spawn(move || {
                    let mut guard = block_on(mutex.lock());
                    assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two holders");
                    *guard += 1;
                    inside.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert!(!mutex.locked());
        assert_eq!(*mutex.try_lock().unwrap(), 2);
    });
}

/// Waiters queued A then B behind a held lock get it in that order, while
/// the holder's unlock races their threads.
#[test]
fn loom_mutex_hand_off_is_fifo() {
    loom::model(|| {
        let mutex = Arc::new(Mutex::new(0));
        let log = Log::default();
        let held = mutex.try_lock().unwrap();
        let (mut a, mut b) = (lock(&mutex), lock(&mutex));
        queue(&mut a);
        queue(&mut b);
        let spawn = |future: Boxed<OwnedMutexGuard<usize>>, name| {
            let log = log.clone();
            thread::spawn(move || {
                let guard = block_on(future);
                log.push(name);
                drop(guard);
            })
        };
        let (a, b) = (spawn(a, "A"), spawn(b, "B"));
        drop(held);
        a.join().unwrap();
        b.join().unwrap();
        assert_eq!(log.entries(), ["A", "B"]);
        assert!(!mutex.locked());
    });
}

/// A newcomer's `try_lock` races the unlock that wakes a queued waiter: the
/// newcomer may get the lock first (bounded barging), but the waiter is
/// never left waiting, and the two never hold it together.
#[test]
fn loom_mutex_barger_races_the_woken_waiter() {
    loom::model(|| {
        let mutex = Arc::new(Mutex::new(0));
        let held = mutex.try_lock().unwrap();
        let mut queued = lock(&mutex);
        queue(&mut queued);
        let queued = thread::spawn(move || *block_on(queued) += 1);
        let newcomer = {
            let mutex = mutex.clone();
            thread::spawn(move || {
                if let Ok(mut guard) = mutex.try_lock() {
                    *guard += 10;
                }
            })
        };
        drop(held);
        queued.join().unwrap();
        newcomer.join().unwrap();
        assert!(!mutex.locked());
        let total = *mutex.try_lock().unwrap();
        assert!(total == 1 || total == 11, "total {total}");
    });
}

/// Two queued waiters and a task that keeps locking (each attempt may
/// barge): the waiters still get the lock in queue order, nobody is left
/// waiting, and there is never more than one holder.
#[test]
fn loom_mutex_queued_waiters_stay_fifo_with_a_barger() {
    loom::model(|| {
        let mutex = Arc::new(Mutex::new(0));
        let log = Log::default();
        let held = mutex.try_lock().unwrap();
        let (mut a, mut b) = (lock(&mutex), lock(&mutex));
        queue(&mut a);
        queue(&mut b);
        let spawn = |future: Boxed<OwnedMutexGuard<usize>>, name| {
            let log = log.clone();
            thread::spawn(move || {
                let mut guard = block_on(future);
                log.push(name);
                *guard += 1;
            })
        };
        let (a, b) = (spawn(a, "A"), spawn(b, "B"));
        let barger = {
            let mutex = mutex.clone();
            thread::spawn(move || *block_on(mutex.lock()) += 1)
        };
        drop(held);
        a.join().unwrap();
        b.join().unwrap();
        barger.join().unwrap();
        assert_eq!(log.entries(), ["A", "B"]);
        assert_eq!(*mutex.try_lock().unwrap(), 3);
    });
}

/// The starvation reservation: a holder unlocks and at once tries to
/// re-lock, twice, while a queued waiter is woken. Once the waiter has
/// found the lock taken (`BARGE_LIMIT` = 1 under loom), the lock is
/// reserved: the holder's next attempts queue behind it. Everyone finishes
/// (no lost wake-up through the reservation) and the state word is clean.
#[test]
fn loom_mutex_passed_over_waiter_gets_the_reservation() {
    loom::model(|| {
        let mutex = Arc::new(Mutex::new(0));
        let held = mutex.clone().try_lock_owned().unwrap();
        let mut waiter = lock(&mutex);
        queue(&mut waiter);
        let waiter = thread::spawn(move || *block_on(waiter) += 100);
        let holder = {
            let mutex = mutex.clone();
            thread::spawn(move || {
                drop(held);
                for _ in 0..2 {
                    *block_on(mutex.lock()) += 1;
                }
            })
        };
        waiter.join().unwrap();
        holder.join().unwrap();
        assert!(!mutex.locked());
        assert_eq!(*mutex.try_lock().unwrap(), 102);
        assert_eq!(mutex.raw_state(), 0, "no flag left behind");
    });
}

/// A woken waiter is dropped while a barger takes and releases the lock:
/// the wake-up is passed on to the next waiter either way.
#[test]
fn loom_mutex_woken_waiter_dropped_races_a_barger() {
    loom::model(|| {
        let mutex = Arc::new(Mutex::new(0));
        let held = mutex.try_lock().unwrap();
        let (mut a, mut b) = (lock(&mutex), lock(&mutex));
        queue(&mut a);
        queue(&mut b);
        drop(held); // wakes `a`
        let dropper = thread::spawn(move || drop(a));
        let barger = {
            let mutex = mutex.clone();
            thread::spawn(move || {
                if let Ok(mut guard) = mutex.try_lock() {
                    *guard += 10;
                }
            })
        };
        *block_on(b) += 1;
        dropper.join().unwrap();
        barger.join().unwrap();
        assert!(!mutex.locked());
        let total = *mutex.try_lock().unwrap();
        assert!(total == 1 || total == 11, "total {total}");
        assert_eq!(mutex.raw_state(), 0, "no flag left behind");
    });
}

/// The head waiter is dropped while the unlock hands it the lock: the next
/// waiter gets the lock either way, and it is free at the end.
#[test]
fn loom_mutex_drop_races_hand_off() {
    loom::model(|| {
        let mutex = Arc::new(Mutex::new(0));
        let held = mutex.try_lock().unwrap();
        let (mut a, mut b) = (lock(&mutex), lock(&mutex));
        queue(&mut a);
        queue(&mut b);
        let dropper = thread::spawn(move || drop(a));
        let b = thread::spawn(move || *block_on(b) += 1);
        drop(held);
        dropper.join().unwrap();
        b.join().unwrap();
        assert!(!mutex.locked());
        assert_eq!(*mutex.try_lock().unwrap(), 1);
    });
}
