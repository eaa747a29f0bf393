//! The async `Mutex`: mutual exclusion, no lost wake-up on unlock, FIFO
//! hand-off, and a waiter dropped while the lock is handed to it.

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

/// A newcomer's `try_lock` races the unlock that hands the lock to a queued
/// waiter: the newcomer can only get the lock after that waiter had it.
#[test]
fn loom_mutex_newcomer_cannot_barge() {
    loom::model(|| {
        let mutex = Arc::new(Mutex::new(0));
        let log = Log::default();
        let held = mutex.try_lock().unwrap();
        let mut queued = lock(&mutex);
        queue(&mut queued);
        let queued = {
            let log = log.clone();
            thread::spawn(move || {
                let guard = block_on(queued);
                log.push("queued");
                drop(guard);
            })
        };
        let newcomer = {
            let (mutex, log) = (mutex.clone(), log.clone());
            thread::spawn(move || {
                if let Ok(guard) = mutex.try_lock() {
                    log.push("newcomer");
                    drop(guard);
                }
            })
        };
        drop(held);
        queued.join().unwrap();
        newcomer.join().unwrap();
        assert_eq!(log.entries()[0], "queued");
        assert!(!mutex.locked());
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
