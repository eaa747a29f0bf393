//! Spawning and task identity: `run` returns main's value, `spawn` + await returns the task's
//! value, task ids are distinct, `task::current()` names the running task (main and spawned,
//! with `task::Builder` names), the live-task list (`Handle::tasks` / `task::all_tasks`),
//! spawning from a plain thread through a cloned `Handle` and joining it there with a timeout,
//! `Handle::try_current`, the guard against `block_on` inside a task, and many runtimes in one
//! process.

mod common;

use std::collections::HashSet;
use std::future::pending;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::{HANG, current_thread, multi, panic_message, within};
use futures::channel::oneshot;
use runtime::task::{self, BlockingJoinError, Task, TaskId};
use runtime::{Handle, Runtime};

fn listed(id: TaskId) -> bool {
    task::all_tasks().iter().any(|t| t.id() == id)
}

#[test]
fn run_returns_main_value() {
    assert_eq!(within(HANG, || runtime::run(async { 40 + 2 })), 42);
    let owned = within(HANG, || runtime::run(async { String::from("from main") }));
    assert_eq!(owned, "from main");
    let via_method = within(HANG, || multi(2).run(async { 7u8 }));
    assert_eq!(via_method.expect("main task succeeds"), 7);
}

#[test]
fn spawn_and_await_returns_value() {
    let sum = within(HANG, || {
        runtime::run(async {
            let a = runtime::spawn(async { 20 });
            let b = runtime::spawn(async { String::from("22") });
            a.await.expect("task a") + b.await.expect("task b").parse::<i32>().unwrap()
        })
    });
    assert_eq!(sum, 42);

    // Runtime::spawn from outside, awaited inside a later main task.
    let v = within(HANG, || {
        let rt = multi(2);
        let t = rt.spawn(async { vec![1, 2, 3] });
        rt.run(async move { t.await.expect("spawned task") })
            .expect("main task")
    });
    assert_eq!(v, [1, 2, 3]);
}

#[test]
fn spawned_task_ids_are_distinct() {
    let (main_id, ids) = within(HANG, || {
        runtime::run(async {
            let main_id = task::current().expect("main runs as a task").id();
            let tasks: Vec<Task<TaskId>> = (0..500)
                .map(|_| runtime::spawn(async { task::current().expect("inside a task").id() }))
                .collect();
            let mut ids = Vec::new();
            for t in tasks {
                let id = t.id();
                let seen = t.await.expect("task succeeds");
                assert_eq!(seen, id, "task::current() inside a task must be that task");
                ids.push(id);
            }
            (main_id, ids)
        })
    });
    let set: HashSet<TaskId> = ids.iter().copied().collect();
    assert_eq!(set.len(), ids.len(), "spawned task ids must be distinct");
    assert!(
        !set.contains(&main_id),
        "main's id must differ from spawned ids"
    );
    let raw: HashSet<u64> = ids.iter().map(|id| id.as_u64()).collect();
    assert_eq!(raw.len(), ids.len(), "as_u64() must be distinct too");
}

#[test]
fn current_names_the_running_task() {
    within(HANG, || {
        assert!(task::current().is_none(), "no task on a plain thread");
        runtime::run(async {
            let main = task::current().expect("main runs as a task");
            assert!(!main.is_finished(), "main is running, not finished");

            let w = task::Builder::new().name("w-1").spawn(async {
                let me = task::current().expect("spawned task has a current task");
                (me.id(), me.name().map(str::to_owned))
            });
            assert_eq!(w.name(), Some("w-1"), "Task::name");
            let wid = w.id();
            let (id, name) = w.await.expect("named task succeeds");
            assert_eq!(id, wid, "current() inside the task has the handle's id");
            assert_eq!(
                name.as_deref(),
                Some("w-1"),
                "current() inside the task has its name"
            );
            assert_ne!(id, main.id());

            let anon = runtime::spawn(async { task::current().unwrap().name().map(str::to_owned) });
            assert_eq!(anon.name(), None, "unnamed task has no name");
            assert_eq!(anon.await.expect("anonymous task"), None);

            // Still main after having been suspended and resumed.
            runtime::yield_now().await;
            assert_eq!(task::current().expect("main").id(), main.id());
        });
        assert!(task::current().is_none(), "no task after run() returned");
    });
}

#[test]
fn all_tasks_lists_live_tasks() {
    within(HANG, || {
        runtime::run(async {
            let main_id = task::current().expect("main task").id();
            assert!(listed(main_id), "the running main task is live and listed");

            let parked = task::Builder::new().name("parked").spawn(pending::<()>());
            let pid = parked.id();
            assert!(listed(pid), "a freshly spawned task is listed");

            let via_handle = Handle::current()
                .tasks()
                .into_iter()
                .find(|t| t.id() == pid)
                .expect("Handle::tasks lists the parked task");
            assert_eq!(via_handle.name(), Some("parked"));
            assert!(!via_handle.is_finished());

            // Let it be polled and park on its never-completing future.
            for _ in 0..20 {
                runtime::yield_now().await;
            }
            assert!(
                listed(pid),
                "a task parked on a pending future is still listed"
            );

            let quick = runtime::spawn(async { 1 });
            let qid = quick.id();
            assert_eq!(quick.await.expect("quick task"), 1);
            assert!(!listed(qid), "a finished task is not listed");

            assert!(parked.cancel(), "parked task was pending");
            let err = parked.await.expect_err("cancelled");
            assert!(err.is_cancelled());
            assert!(!listed(pid), "a cancelled task is not listed");
            assert!(
                !Handle::current().tasks().iter().any(|t| t.id() == pid),
                "Handle::tasks agrees"
            );
            assert!(via_handle.is_finished(), "the TaskRef sees it finished");
        });
    });
}

#[test]
fn all_tasks_outside_a_runtime_panics() {
    within(HANG, || {
        let r = panic::catch_unwind(task::all_tasks);
        assert!(r.is_err(), "task::all_tasks() outside a runtime must panic");
    });
}

#[test]
fn spawn_from_plain_thread_via_handle() {
    within(HANG, || {
        let rt = multi(2);
        let handle = rt.handle().clone();
        let outcome = thread::spawn(move || {
            assert!(
                Handle::try_current().is_err(),
                "plain thread has no runtime"
            );
            let mut t = handle
                .spawn(async { (task::current().is_some(), Handle::try_current().is_ok(), 5) });
            let plain = t.join_timeout(Duration::from_secs(5));
            let mut named = task::Builder::new().name("remote").spawn_on(
                async { task::current().and_then(|t| t.name().map(str::to_owned)) },
                &handle,
            );
            let named = named.join_timeout(Duration::from_secs(5));
            let blocking = handle.spawn(async { 6 }).join_blocking();
            (plain, named, blocking)
        })
        .join()
        .expect("plain thread");
        match outcome.0 {
            Ok(v) => assert_eq!(v, (true, true, 5), "task ran as a task, inside the runtime"),
            Err(e) => panic!("join_timeout from a plain thread failed: {e:?}"),
        }
        match outcome.1 {
            Ok(name) => assert_eq!(name.as_deref(), Some("remote")),
            Err(e) => panic!("spawn_on + join_timeout failed: {e:?}"),
        }
        assert_eq!(outcome.2.expect("join_blocking"), 6);
    });
}

#[test]
fn join_timeout_times_out_and_handle_still_works() {
    within(HANG, || {
        let rt = multi(2);
        let (tx, rx) = oneshot::channel::<u32>();
        let mut t = rt.spawn(async move { rx.await.expect("sender kept alive") * 2 });
        let start = Instant::now();
        match t.join_timeout(Duration::from_millis(100)) {
            Err(BlockingJoinError::Timeout) => {}
            other => panic!("expected BlockingJoinError::Timeout, got {other:?}"),
        }
        assert!(
            start.elapsed() >= Duration::from_millis(90),
            "join_timeout returned Timeout early, after {:?}",
            start.elapsed()
        );
        assert!(
            !t.is_finished(),
            "timing out must not finish or cancel the task"
        );
        tx.send(21)
            .expect("task still alive after the timed-out join");
        match t.join_timeout(Duration::from_secs(5)) {
            Ok(v) => assert_eq!(v, 42),
            Err(e) => panic!("second join_timeout failed: {e:?}"),
        }
        assert!(t.is_finished());
    });
}

#[test]
fn try_current_outside_and_inside() {
    within(HANG, || {
        assert!(
            Handle::try_current().is_err(),
            "no runtime on a plain thread"
        );
        assert!(
            panic::catch_unwind(Handle::current).is_err(),
            "Handle::current() outside a runtime must panic"
        );

        let rt = multi(3);
        let (main_workers, task_workers) = rt
            .run(async {
                let h = Handle::try_current().expect("inside the main task");
                let inner = runtime::spawn(async {
                    Handle::try_current().map(|h| h.worker_threads()).ok()
                })
                .await
                .expect("spawned task");
                (h.worker_threads(), inner)
            })
            .expect("main task");
        assert_eq!(main_workers, 3);
        assert_eq!(task_workers, Some(3), "inside a spawned task");
        assert!(
            rt.block_on(async { Handle::try_current().is_ok() }),
            "inside block_on"
        );
        assert!(
            Handle::try_current().is_err(),
            "the context is left when run()/block_on() return"
        );
    });
}

fn assert_block_on_message(payload: &(dyn std::any::Any + Send)) {
    let msg = panic_message(payload)
        .expect("panic payload is a message")
        .to_lowercase();
    assert!(
        msg.contains("block_on") || msg.contains("runtime"),
        "the panic should say what went wrong (block_on / runtime), got: {msg:?}"
    );
}

#[test]
fn block_on_inside_a_task_panics_clearly() {
    within(HANG, || {
        let outer = multi(2);
        // Shared so that the unwinding task only drops a reference, never the runtime itself.
        let inner = Arc::new(current_thread());
        let inner2 = Arc::clone(&inner);
        let t = outer.spawn(async move { inner2.block_on(async { 1 }) });
        let err = t
            .join_blocking()
            .expect_err("block_on inside a task must panic");
        assert!(err.is_panic(), "expected a panic, got {err:?}");
        assert_block_on_message(&*err.into_panic());

        // Both runtimes are still usable.
        assert_eq!(inner.block_on(async { 2 }), 2);
        assert_eq!(
            outer
                .spawn(async { 3 })
                .join_blocking()
                .expect("outer runtime alive"),
            3
        );
    });
}

#[test]
fn block_on_inside_block_on_panics_clearly() {
    within(HANG, || {
        let a = Runtime::builder()
            .current_thread()
            .build()
            .expect("runtime a");
        let b = Runtime::builder()
            .current_thread()
            .build()
            .expect("runtime b");
        let r = panic::catch_unwind(AssertUnwindSafe(|| {
            a.block_on(async { b.block_on(async { 1 }) })
        }));
        let payload = r.expect_err("block_on inside block_on must panic");
        assert_block_on_message(&*payload);
        assert_eq!(
            a.block_on(async { 5 }),
            5,
            "runtime a usable after the panic"
        );
        assert_eq!(
            b.block_on(async { 6 }),
            6,
            "runtime b usable after the panic"
        );
    });
}

#[test]
fn many_runtimes_in_one_process() {
    within(Duration::from_secs(30), || {
        for i in 0..100u64 {
            let rt = multi(2);
            let v = rt
                .run(async move { runtime::spawn(async move { i * 2 }).await.expect("task") })
                .expect("main task");
            assert_eq!(v, i * 2);
            drop(rt);
        }

        // Several alive at once: every task sees its own runtime.
        let rts: Vec<(usize, Runtime)> = (1..=6).map(|n| (n, multi(n))).collect();
        let tasks: Vec<(usize, Task<usize>)> = rts
            .iter()
            .map(|(n, rt)| (*n, rt.spawn(async { Handle::current().worker_threads() })))
            .collect();
        for (n, t) in tasks {
            assert_eq!(
                t.join_blocking().expect("task"),
                n,
                "task ran on its own runtime"
            );
        }
        drop(rts);
    });
}
