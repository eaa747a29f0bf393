//! The semaphore: no lost wake-up on release, FIFO with `acquire_many`, a
//! waiter dropped while permits are handed to it, and `close` racing a
//! release. Every model ends by checking that no permit was lost or made up.

use std::sync::Arc;

use loom::future::block_on;
use loom::thread;

use super::{Boxed, Log, queue};
use crate::error::AcquireError;
use crate::semaphore::{OwnedSemaphorePermit, Semaphore};

type Acquire = Boxed<Result<OwnedSemaphorePermit, AcquireError>>;

fn acquire(semaphore: &Arc<Semaphore>, n: usize) -> Acquire {
    Box::pin(semaphore.clone().acquire_many_owned(n))
}

/// A release racing an acquire's arrival: the acquire completes whichever
/// comes first, and the permit is back at the end.
#[test]
fn loom_semaphore_release_races_acquire() {
    loom::model(|| {
        let semaphore = Arc::new(Semaphore::new(0));
        let waiter = {
            let semaphore = semaphore.clone();
            thread::spawn(move || drop(block_on(semaphore.acquire()).unwrap()))
        };
        semaphore.add_permits(1);
        waiter.join().unwrap();
        assert_eq!(semaphore.available_permits(), 1);
    });
}

/// A large request queued first is served before a small one queued after
/// it, although the small one could be met first.
#[test]
fn loom_semaphore_acquire_many_keeps_its_place() {
    loom::model(|| {
        let semaphore = Arc::new(Semaphore::new(1));
        let log = Log::default();
        let (mut large, mut small) = (acquire(&semaphore, 2), acquire(&semaphore, 1));
        queue(&mut large);
        queue(&mut small);
        let spawn = |future: Acquire, name| {
            let log = log.clone();
            thread::spawn(move || {
                let permit = block_on(future).unwrap();
                log.push(name);
                drop(permit);
            })
        };
        let (large, small) = (spawn(large, "large"), spawn(small, "small"));
        semaphore.add_permits(1);
        large.join().unwrap();
        small.join().unwrap();
        assert_eq!(log.entries(), ["large", "small"]);
        assert_eq!(semaphore.available_permits(), 2);
    });
}

/// A newcomer's `try_acquire` races the release that hands the permit to a
/// queued waiter: the newcomer only gets it after that waiter had it.
#[test]
fn loom_semaphore_newcomer_cannot_barge() {
    loom::model(|| {
        let semaphore = Arc::new(Semaphore::new(0));
        let log = Log::default();
        let mut queued = acquire(&semaphore, 1);
        queue(&mut queued);
        let queued = {
            let log = log.clone();
            thread::spawn(move || {
                let permit = block_on(queued).unwrap();
                log.push("queued");
                drop(permit);
            })
        };
        let newcomer = {
            let (semaphore, log) = (semaphore.clone(), log.clone());
            thread::spawn(move || {
                if let Ok(permit) = semaphore.try_acquire() {
                    log.push("newcomer");
                    drop(permit);
                }
            })
        };
        semaphore.add_permits(1);
        queued.join().unwrap();
        newcomer.join().unwrap();
        assert_eq!(log.entries()[0], "queued");
        assert_eq!(semaphore.available_permits(), 1);
    });
}

/// The head waiter is dropped while a release hands it its permit: the
/// permit reaches the next waiter, and is back at the end.
#[test]
fn loom_semaphore_drop_races_hand_off() {
    loom::model(|| {
        let semaphore = Arc::new(Semaphore::new(0));
        let (mut a, mut b) = (acquire(&semaphore, 1), acquire(&semaphore, 1));
        queue(&mut a);
        queue(&mut b);
        let dropper = thread::spawn(move || drop(a));
        let b = thread::spawn(move || drop(block_on(b).unwrap()));
        semaphore.add_permits(1);
        dropper.join().unwrap();
        b.join().unwrap();
        assert_eq!(semaphore.available_permits(), 1);
    });
}

/// `close` races a release to a queued waiter: the waiter either gets the
/// permit (granted before the close) or `Closed`, and the permit is back in
/// the pool either way.
#[test]
fn loom_semaphore_close_races_release() {
    loom::model(|| {
        let semaphore = Arc::new(Semaphore::new(0));
        let mut waiter = acquire(&semaphore, 1);
        queue(&mut waiter);
        let waiter = thread::spawn(move || block_on(waiter).map(drop));
        let closer = {
            let semaphore = semaphore.clone();
            thread::spawn(move || semaphore.close())
        };
        semaphore.add_permits(1);
        closer.join().unwrap();
        let result = waiter.join().unwrap();
        assert!(matches!(result, Ok(()) | Err(AcquireError::Closed)));
        assert_eq!(semaphore.available_permits(), 1);
        assert!(semaphore.is_closed());
    });
}

/// Two tasks contend for one permit, each acquiring and releasing it twice
/// through the public guards: fast-path acquires and releases race waiter
/// arrivals (which set `WAITERS` under the lock) and hand-offs. No wake-up
/// is lost (a lost one deadlocks), at most one task holds the permit, and
/// the permit is back at the end with the fast path open again.
#[test]
fn loom_semaphore_fast_and_slow_paths_contend() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    loom::model(|| {
        let semaphore = Arc::new(Semaphore::new(1));
        let inside = Arc::new(AtomicUsize::new(0));
        let task = || {
            let (semaphore, inside) = (semaphore.clone(), inside.clone());
            thread::spawn(move || {
                for _ in 0..2 {
                    let permit = block_on(semaphore.acquire()).unwrap();
                    assert_eq!(inside.fetch_add(1, Ordering::Relaxed), 0);
                    inside.fetch_sub(1, Ordering::Relaxed);
                    drop(permit);
                }
            })
        };
        let (a, b) = (task(), task());
        a.join().unwrap();
        b.join().unwrap();
        assert_eq!(semaphore.available_permits(), 1);
        assert!(!semaphore.locked());
        drop(semaphore.try_acquire().unwrap());
    });
}

/// A permit guard dropped (fast-path release) while another task arrives
/// and finds no permit (slow path: sets `WAITERS`, then queues): the
/// arrival either sees the permit or is handed it.
#[test]
fn loom_semaphore_permit_drop_races_enqueue() {
    loom::model(|| {
        let semaphore = Arc::new(Semaphore::new(1));
        let held = semaphore.clone().try_acquire_owned().unwrap();
        let waiter = {
            let semaphore = semaphore.clone();
            thread::spawn(move || drop(block_on(semaphore.acquire_many(1)).unwrap()))
        };
        drop(held);
        waiter.join().unwrap();
        assert_eq!(semaphore.available_permits(), 1);
        assert!(!semaphore.locked());
    });
}

/// The only waiter is dropped (it clears `WAITERS`) while a release arrives
/// (it saw `WAITERS` and takes the lock, or finds it clear and adds
/// lock-free): the permit ends up free and takeable lock-free.
#[test]
fn loom_semaphore_last_waiter_leaves_while_released() {
    loom::model(|| {
        let semaphore = Arc::new(Semaphore::new(0));
        let mut waiter = acquire(&semaphore, 1);
        queue(&mut waiter);
        let dropper = thread::spawn(move || drop(waiter));
        semaphore.add_permits(1);
        dropper.join().unwrap();
        assert_eq!(semaphore.available_permits(), 1);
        assert!(!semaphore.locked());
        drop(semaphore.try_acquire().unwrap());
    });
}

/// A queued large request is dropped while a newcomer tries to take the
/// one free permit lock-free: the newcomer may only succeed once the
/// request has left, and no permit is lost.
#[test]
fn loom_semaphore_try_acquire_races_head_leaving() {
    loom::model(|| {
        let semaphore = Arc::new(Semaphore::new(1));
        let mut large = acquire(&semaphore, 2);
        queue(&mut large);
        let dropper = thread::spawn(move || drop(large));
        let newcomer = {
            let semaphore = semaphore.clone();
            thread::spawn(move || semaphore.try_acquire().map(|permit| permit.forget()))
        };
        dropper.join().unwrap();
        let taken = newcomer.join().unwrap().is_ok();
        assert_eq!(semaphore.available_permits(), usize::from(!taken));
    });
}

/// Bounded releases race a waiter: exactly the matching releases succeed,
/// and the over-release is refused afterwards.
#[test]
fn loom_bounded_semaphore_release_races_acquire() {
    use crate::BoundedSemaphore;
    loom::model(|| {
        let semaphore = Arc::new(BoundedSemaphore::new(1));
        semaphore.try_acquire().unwrap();
        let waiter = {
            let semaphore = semaphore.clone();
            thread::spawn(move || {
                block_on(semaphore.acquire());
                semaphore.release().unwrap();
            })
        };
        semaphore.release().unwrap();
        waiter.join().unwrap();
        assert_eq!(semaphore.available_permits(), 1);
        assert!(semaphore.release().is_err());
    });
}

/// Two releases of the one acquired permit race: exactly one succeeds.
#[test]
fn loom_bounded_semaphore_over_release_races() {
    use crate::BoundedSemaphore;
    loom::model(|| {
        let semaphore = Arc::new(BoundedSemaphore::new(1));
        semaphore.try_acquire().unwrap();
        let other = {
            let semaphore = semaphore.clone();
            thread::spawn(move || semaphore.release().is_ok())
        };
        let mine = semaphore.release().is_ok();
        let theirs = other.join().unwrap();
        assert!(mine ^ theirs);
        assert_eq!(semaphore.available_permits(), 1);
    });
}
