//! `sync::Promise` bound to a `runtime::Handle`: its done-callbacks run as
//! tasks on that runtime (asyncio: `call_soon` on the future's loop), in
//! order, after `set_result` returned — never inside it.

mod common;

use std::sync::{Arc, Mutex};

use common::{HANG, current_thread, multi, within};
use runtime::sync::{Job, Promise};
use runtime::{Handle, task};

/// What the callbacks saw: whether each ran inside a task, and the value.
type Seen = Vec<(bool, u32)>;

/// Binds a promise to the current runtime, adds two callbacks (one before,
/// one after completion) that report into `seen`, and returns whether any
/// had run by the time `set_result` returned, and what they reported.
async fn callbacks_on_the_runtime() -> (bool, Seen) {
    let handle = Handle::current();
    let promise: Promise<u32> = Promise::bound_to(move |job: Job| {
        handle.spawn(async move { job() }).detach();
    });
    let seen: Promise<Seen> = Promise::new();
    let shared = Arc::new(Mutex::new(Vec::new()));
    let record = |last: bool| {
        let (seen, shared) = (seen.clone(), shared.clone());
        move |done: &Promise<u32>| {
            let mut log = shared.lock().unwrap();
            log.push((task::current().is_some(), done.result().unwrap().unwrap()));
            if last {
                let _ = seen.set_result(log.clone());
            }
        }
    };
    promise.add_done_callback(record(false));
    promise.set_result(7).unwrap();
    let ran_inline = !shared.lock().unwrap().is_empty();
    promise.add_done_callback(record(true));
    (ran_inline, seen.await.unwrap())
}

#[test]
fn callbacks_run_as_tasks_on_a_current_thread_runtime() {
    let (ran_inline, seen) = within(HANG, || {
        current_thread().block_on(callbacks_on_the_runtime())
    });
    assert!(!ran_inline, "scheduled, not run inside set_result");
    assert_eq!(seen, [(true, 7), (true, 7)]);
}

#[test]
fn callbacks_run_as_tasks_on_a_multi_thread_runtime() {
    let (_, seen) = within(HANG, || multi(2).block_on(callbacks_on_the_runtime()));
    assert_eq!(seen, [(true, 7), (true, 7)]);
}
