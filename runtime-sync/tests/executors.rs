//! The primitives need no particular runtime: the same mutex, semaphore,
//! event and barrier work under `futures::executor::block_on`, `LocalPool`
//! and `ThreadPool` — even all three at once, waking each other's tasks.

mod common;

use std::sync::Arc;
use std::sync::mpsc;
use std::thread;

use common::{run_all, thread_pool, yield_now};
use futures::executor::{LocalPool, block_on};
use futures::task::{LocalSpawnExt, SpawnExt};
use runtime_sync::{Barrier, Event, Mutex, Semaphore};

/// The work every executor runs: increments under the mutex, with a
/// semaphore permit, yielding in between.
async fn work(counter: Arc<Mutex<u64>>, semaphore: Arc<Semaphore>, rounds: u64) {
    for _ in 0..rounds {
        let _permit = semaphore.acquire().await.unwrap();
        let mut value = counter.lock().await;
        yield_now().await;
        *value += 1;
    }
}

#[test]
fn block_on_alone() {
    let counter = Arc::new(Mutex::new(0));
    let semaphore = Arc::new(Semaphore::new(1));
    block_on(work(counter.clone(), semaphore, 100));
    assert_eq!(*block_on(counter.lock()), 100);
}

#[test]
fn local_pool_alone() {
    let counter = Arc::new(Mutex::new(0));
    let semaphore = Arc::new(Semaphore::new(2));
    let mut pool = LocalPool::new();
    for _ in 0..5 {
        pool.spawner()
            .spawn_local(work(counter.clone(), semaphore.clone(), 100))
            .unwrap();
    }
    pool.run();
    assert_eq!(*block_on(counter.lock()), 500);
    assert_eq!(semaphore.available_permits(), 2);
}

#[test]
fn thread_pool_alone() {
    let counter = Arc::new(Mutex::new(0));
    let semaphore = Arc::new(Semaphore::new(3));
    let pool = thread_pool(4);
    run_all(
        &pool,
        (0..8).map(|_| work(counter.clone(), semaphore.clone(), 200)),
    );
    assert_eq!(*block_on(counter.lock()), 1600);
    assert_eq!(semaphore.available_permits(), 3);
}

/// Tasks on a `ThreadPool`, on a `LocalPool` and inside `block_on` on
/// plain threads share one mutex and one semaphore: a release on one
/// executor hands off to, and wakes, a task on another.
#[test]
fn three_executors_share_the_same_primitives() {
    let counter = Arc::new(Mutex::new(0));
    let semaphore = Arc::new(Semaphore::new(2));
    let start = Arc::new(Event::new());
    let finish = Arc::new(Barrier::new(4));
    let pool = thread_pool(2);

    let task = |rounds| {
        let (counter, semaphore, start, finish) = (
            counter.clone(),
            semaphore.clone(),
            start.clone(),
            finish.clone(),
        );
        async move {
            start.wait().await;
            work(counter, semaphore, rounds).await;
            finish.wait().await.unwrap().index()
        }
    };

    let (done, results) = mpsc::channel();
    {
        let (task, done) = (task(300), done.clone());
        pool.spawn(async move { done.send(task.await).unwrap() })
            .unwrap();
    }
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (task, done) = (task(300), done.clone());
            thread::spawn(move || done.send(block_on(task)).unwrap())
        })
        .collect();
    let mut local = LocalPool::new();
    let local_task = local.spawner().spawn_local_with_handle(task(300)).unwrap();
    start.set();
    let local_index = local.run_until(local_task);
    for thread in threads {
        thread.join().unwrap();
    }
    let mut indices: Vec<_> = (0..3)
        .map(|_| {
            results
                .recv_timeout(std::time::Duration::from_secs(120))
                .unwrap()
        })
        .collect();
    indices.push(local_index);
    indices.sort();
    assert_eq!(indices, [0, 1, 2, 3]);
    assert_eq!(*block_on(counter.lock()), 1200);
    assert_eq!(semaphore.available_permits(), 2);
}
