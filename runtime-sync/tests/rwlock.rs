//! `RwLock`: shared readers, exclusive writers, FIFO fairness (writers are
//! not starved by readers, readers not by writers), cancel-safety.

mod common;

use std::rc::Rc;
use std::sync::Arc;

use common::{Harness, run_all, thread_pool, yield_now};
use futures::future::RemoteHandle;
use runtime_sync::RwLock;

fn reader(harness: &mut Harness, lock: &Rc<RwLock<u32>>, name: &'static str) -> RemoteHandle<()> {
    let (lock, log) = (lock.clone(), harness.log.clone());
    harness.spawn(async move {
        let value = lock.read().await;
        log.push(format!("{name} reads {}", *value));
        yield_now().await;
    })
}

fn writer(harness: &mut Harness, lock: &Rc<RwLock<u32>>, name: &'static str) -> RemoteHandle<()> {
    let (lock, log) = (lock.clone(), harness.log.clone());
    harness.spawn(async move {
        let mut value = lock.write().await;
        *value += 1;
        log.push(format!("{name} writes {}", *value));
        yield_now().await;
    })
}

/// While readers hold the lock, a writer waits; readers arriving after the
/// writer wait behind it, so a stream of readers cannot starve it.
#[test]
fn a_waiting_writer_is_not_starved_by_later_readers() {
    let mut harness = Harness::new();
    let lock = Rc::new(RwLock::new(0));
    let first = lock.try_read().unwrap();
    writer(&mut harness, &lock, "w").forget();
    reader(&mut harness, &lock, "r1").forget();
    reader(&mut harness, &lock, "r2").forget();
    assert!(harness.log.take().is_empty(), "r1 and r2 queued behind w");
    drop(first);
    harness.run();
    let log = harness.log.take();
    assert_eq!(log[0], "w writes 1");
    let mut readers = log[1..].to_vec();
    readers.sort();
    assert_eq!(readers, ["r1 reads 1", "r2 reads 1"]);
}

/// A writer waits for all readers admitted before it, and readers queued
/// behind a writer wait for it to finish.
#[test]
fn access_is_granted_in_arrival_order() {
    let mut harness = Harness::new();
    let lock = Rc::new(RwLock::new(0));
    let held = lock.try_write().unwrap();
    reader(&mut harness, &lock, "r1").forget();
    writer(&mut harness, &lock, "w1").forget();
    reader(&mut harness, &lock, "r2").forget();
    writer(&mut harness, &lock, "w2").forget();
    drop(held);
    harness.run();
    assert_eq!(
        harness.log.take(),
        ["r1 reads 0", "w1 writes 1", "r2 reads 1", "w2 writes 2"]
    );
}

/// Cancelled waiters lose nothing: a cancelled queued writer lets the
/// readers behind it in; one cancelled after it was granted the lock
/// releases it.
#[test]
fn cancelled_waiters_release_what_they_were_given() {
    let mut harness = Harness::new();
    let lock = Rc::new(RwLock::new(0));
    let held = lock.try_read().unwrap();
    let w = writer(&mut harness, &lock, "w");
    reader(&mut harness, &lock, "r").forget();
    drop(w);
    harness.run();
    assert_eq!(harness.log.take(), ["r reads 0"]);
    drop(held);

    let held = lock.try_read().unwrap();
    let w = writer(&mut harness, &lock, "w");
    writer(&mut harness, &lock, "w2").forget();
    drop(held); // granted to "w"
    drop(w); // cancelled before it ran: passed on to "w2"
    harness.run();
    assert_eq!(harness.log.take(), ["w2 writes 1"]);
    assert!(lock.try_write().is_ok());
}

/// Readers and writers on several threads: every write is seen whole.
#[test]
fn readers_and_writers_on_a_thread_pool() {
    let pool = thread_pool(4);
    let lock = Arc::new(RwLock::new((0u32, 0u32)));
    let tasks = (0..8).map(|i| {
        let lock = lock.clone();
        async move {
            for _ in 0..50 {
                if i % 2 == 0 {
                    let mut pair = lock.write().await;
                    pair.0 += 1;
                    yield_now().await;
                    pair.1 += 1;
                } else {
                    let pair = lock.read().await;
                    assert_eq!(pair.0, pair.1, "saw a half-done write");
                    yield_now().await;
                }
            }
        }
    });
    run_all(&pool, tasks);
    assert_eq!(*futures::executor::block_on(lock.read()), (200, 200));
}
