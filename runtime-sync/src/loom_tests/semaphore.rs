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
