//! The async `Mutex`: mutual exclusion, no lost wake-up on unlock, strict
//! FIFO hand-off (nobody barges in: not a `try_lock`, not a new `lock()`,
//! not the unlocking task coming straight back), and waiters dropped while
//! queued or after the lock was handed to them.

use std::sync::Arc;

use loom::future::block_on;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;

use super::{Boxed, Log, queue};
use crate::mutex::{Mutex, OwnedMutexGuard};

fn lock(mutex: &Arc<Mutex<usize>>) -> Boxed<OwnedMutexGuard<usize>> {
    Box::pin(mutex.clone().lock_owned())
}

/// Two threads lock and increment twice each: never both inside at once
/// (also when one unlocks into a hand-off and at once locks again), neither
/// left waiting, and the lock is free at the end.
///
/// The count of threads inside is a loom atomic, unlike the models' other
/// observations: its two operations are the points inside the critical
/// section where loom can switch to the other thread, so a second holder
/// would be seen; with a std counter loom never preempts a holder there.
#[test]
fn loom_mutex_excludes_and_wakes() {
    loom::model(|| {
        let mutex = Arc::new(Mutex::new(0));
        let inside = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let (mutex, inside) = (mutex.clone(), inside.clone());
                thread::spawn(move || {
                    for _ in 0..2 {
                        let mut guard = block_on(mutex.lock());
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two holders");
                        *guard += 1;
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert!(!mutex.locked());
        assert_eq!(*mutex.try_lock().unwrap(), 4);
        assert_eq!(mutex.raw_state(), 0, "no flag left behind");
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

/// No barging: a `try_lock` racing the unlock that hands the lock to a
/// queued waiter never succeeds, neither before the unlock (held) nor after
/// it (the waiter's, whose thread keeps it until the end), not even while
/// the waiter has not run yet.
#[test]
fn loom_mutex_try_lock_never_takes_a_handed_off_lock() {
    loom::model(|| {
        let mutex = Arc::new(Mutex::new(0));
        let held = mutex.try_lock().unwrap();
        let mut queued = lock(&mutex);
        queue(&mut queued);
        let waiter = thread::spawn(move || block_on(queued));
        let newcomer = {
            let mutex = mutex.clone();
            thread::spawn(move || assert!(mutex.try_lock().is_err(), "barged in"))
        };
        drop(held);
        newcomer.join().unwrap();
        let guard = waiter.join().unwrap();
        drop(guard);
        assert_eq!(mutex.raw_state(), 0, "no flag left behind");
    });
}

/// asyncio's fairness, in parallel: the holder releases the lock while a
/// waiter is queued and at once locks again; it gets the lock only after the
/// waiter. The re-lock's queueing races the waiter's unlock (the lost
/// wake-up window: it must be handed the lock, not left queued), and the
/// two never hold it together.
#[test]
fn loom_mutex_releaser_relocks_behind_the_waiter() {
    loom::model(|| {
        let mutex = Arc::new(Mutex::new(0));
        let log = Log::default();
        let held = mutex.clone().try_lock_owned().unwrap();
        let mut queued = lock(&mutex);
        queue(&mut queued);
        let waiter = {
            let log = log.clone();
            thread::spawn(move || {
                let mut guard = block_on(queued);
                log.push("waiter");
                *guard += 1;
            })
        };
        let holder = {
            let (mutex, log) = (mutex.clone(), log.clone());
            thread::spawn(move || {
                drop(held);
                let mut guard = block_on(mutex.lock());
                log.push("holder");
                assert_eq!(*guard, 1, "the waiter's update is visible");
                *guard += 1;
            })
        };
        waiter.join().unwrap();
        holder.join().unwrap();
        assert_eq!(log.entries(), ["waiter", "holder"]);
        assert_eq!(*mutex.try_lock().unwrap(), 2);
        assert_eq!(mutex.raw_state(), 0, "no flag left behind");
    });
}

/// The lock is handed to A (queued before B); A is dropped before it runs,
/// racing a `try_lock`: A passes the lock straight to B (no moment where
/// the `try_lock` could take it), and B, waiting on the main thread, is
/// woken.
#[test]
fn loom_mutex_dropped_after_hand_off_passes_it_on() {
    loom::model(|| {
        let mutex = Arc::new(Mutex::new(0));
        let held = mutex.try_lock().unwrap();
        let (mut a, mut b) = (lock(&mutex), lock(&mutex));
        queue(&mut a);
        queue(&mut b);
        drop(held); // handed to `a`
        let dropper = thread::spawn(move || drop(a));
        let newcomer = {
            let mutex = mutex.clone();
            thread::spawn(move || assert!(mutex.try_lock().is_err(), "barged in"))
        };
        let guard = block_on(b);
        dropper.join().unwrap();
        newcomer.join().unwrap();
        drop(guard);
        assert_eq!(mutex.raw_state(), 0, "no flag left behind");
    });
}

/// The head waiter is dropped while the unlock hands it the lock (it is
/// either unlinked first, or handed the lock and passes it on): the next
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

/// The only waiter is dropped while the holder unlocks: whether the unlock
/// sees it queued (and hands it the lock, which it gives back) or not, or
/// it leaves after the unlock's CAS saw it, the lock ends free, with no
/// flag left behind, and the fast path works again.
#[test]
fn loom_mutex_last_waiter_dropped_races_unlock() {
    loom::model(|| {
        let mutex = Arc::new(Mutex::new(0));
        let held = mutex.try_lock().unwrap();
        let mut only = lock(&mutex);
        queue(&mut only);
        let dropper = thread::spawn(move || drop(only));
        drop(held);
        dropper.join().unwrap();
        assert_eq!(mutex.raw_state(), 0, "no flag left behind");
        assert!(mutex.try_lock().is_ok());
    });
}
