//! The `RwLock`'s atomic word (reader count, `WRITER`, `WAITERS`): a
//! lock-free release racing a waiter's arrival (no lost wake-up), mutual
//! exclusion between a writer and a reader, and FIFO service (a reader
//! queued behind a writer does not overtake it).

use loom::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use loom::future::block_on;
use loom::thread;

use super::{Boxed, Log, queue};
use crate::rwlock::RwLock;

/// A reader releases (lock-free while nobody waits) while a writer
/// arrives: the writer gets the lock either way.
#[test]
fn loom_rwlock_release_races_writer_arrival() {
    loom::model(|| {
        let lock = Arc::new(RwLock::new(0));
        let reader = lock.try_read().unwrap();
        let writer = {
            let lock = lock.clone();
            thread::spawn(move || *block_on(lock.write()) += 1)
        };
        drop(reader);
        writer.join().unwrap();
        assert_eq!(*lock.try_read().unwrap(), 1);
    });
}

/// A writer and a reader race for a free lock: never inside together,
/// both finish, the word ends clean.
#[test]
fn loom_rwlock_writer_excludes_reader() {
    loom::model(|| {
        let lock = Arc::new(RwLock::new(0));
        let inside = Arc::new(AtomicUsize::new(0));
        let writer = {
            let (lock, inside) = (lock.clone(), inside.clone());
            thread::spawn(move || {
                let mut guard = block_on(lock.write());
                assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "writer not alone");
                *guard += 1;
                inside.fetch_sub(1, Ordering::SeqCst);
            })
        };
        {
            let guard = block_on(lock.read());
            assert_eq!(
                inside.fetch_add(1, Ordering::SeqCst),
                0,
                "reader beside a writer"
            );
            assert!(*guard <= 1);
            inside.fetch_sub(1, Ordering::SeqCst);
        }
        writer.join().unwrap();
        assert_eq!(lock.raw_state(), 0, "no flag or reader left behind");
    });
}

/// A writer then a reader queue behind a held read guard; the holder's
/// release races their threads: the writer goes first (the reader does not
/// overtake it, although it could share with the holder).
#[test]
fn loom_rwlock_queued_reader_does_not_overtake_writer() {
    loom::model(|| {
        let lock = Arc::new(RwLock::new(0));
        let log = Log::default();
        let held = lock.try_read().unwrap();
        let mut writer: Boxed<()> = {
            let (lock, log) = (lock.clone(), log.clone());
            Box::pin(async move {
                let mut guard = lock.write().await;
                log.push("writer");
                *guard += 1;
            })
        };
        queue(&mut writer);
        let mut reader: Boxed<()> = {
            let (lock, log) = (lock.clone(), log.clone());
            Box::pin(async move {
                let guard = lock.read().await;
                log.push("reader");
                assert_eq!(*guard, 1);
            })
        };
        queue(&mut reader);
        let writer = thread::spawn(move || block_on(writer));
        let reader = thread::spawn(move || block_on(reader));
        drop(held);
        writer.join().unwrap();
        reader.join().unwrap();
        assert_eq!(log.entries(), ["writer", "reader"]);
        assert_eq!(lock.raw_state(), 0);
    });
}
