//! `Handle::dump()`: every live task with id, name, state, spawn location
//! and time since its last poll — and it works while every worker is stuck.

mod common;

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use runtime::task::{Builder, TaskDump, TaskSnapshot, TaskState};
use runtime::{Handle, Runtime};

/// Takes dumps until `pred` holds for the task named `name` (generous
/// deadline: this waits for the scheduler, it does not time it).
fn wait_for_task(
    handle: &Handle,
    name: &str,
    pred: impl Fn(&TaskSnapshot) -> bool,
) -> TaskSnapshot {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let dump = handle.dump();
        if let Some(t) = dump.iter().find(|t| t.name() == Some(name))
            && pred(t)
        {
            return t.clone();
        }
        assert!(
            Instant::now() < deadline,
            "{name} never matched; last dump:\n{dump}"
        );
        thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn an_idle_task_is_listed_with_its_name_location_and_last_poll() {
    let rt = common::multi(2);
    let builder = Builder::new().name("waits-forever");
    let line = line!() + 1;
    let task = builder.spawn_on(std::future::pending::<()>(), rt.handle());
    let snap = wait_for_task(rt.handle(), "waits-forever", |t| {
        t.state() == TaskState::Idle && t.since_last_poll().is_some()
    });
    assert_eq!(snap.id(), task.id());
    assert_eq!(snap.location().file(), file!());
    assert_eq!(snap.location().line(), line);
    assert!(snap.since_last_poll().unwrap() < Duration::from_secs(60));
    // A TaskRef reads the same bookkeeping.
    let r = task.task_ref();
    assert_eq!(r.state(), TaskState::Idle);
    assert!(r.since_last_poll().is_some());
    task.cancel();
}

#[test]
fn a_task_blocking_its_worker_shows_as_running_for_as_long_as_it_blocks() {
    // One worker, blocked by `blocker`: the dump (from this thread) still
    // works, shows how long the poll has lasted, and shows the task queued
    // behind it as scheduled and never polled.
    let rt = common::multi(1);
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let blocker = Builder::new().name("blocker").spawn_on(
        async move {
            release_rx.recv().unwrap();
        },
        rt.handle(),
    );
    wait_for_task(rt.handle(), "blocker", |t| t.state() == TaskState::Running);
    let starved = Builder::new()
        .name("starved")
        .spawn_on(async {}, rt.handle());
    let blocked_since = Instant::now();
    thread::sleep(Duration::from_millis(300));
    // Measured before the dump reads its clock, so the age it reports is at
    // least this (minus the stamps' millisecond truncation) however long
    // this thread is descheduled in between.
    let elapsed = blocked_since.elapsed();
    let dump = rt.handle().dump();
    let find = |name: &str| {
        dump.iter()
            .find(|t| t.name() == Some(name))
            .unwrap()
            .clone()
    };
    let b = find("blocker");
    assert_eq!(b.state(), TaskState::Running);
    // The poll started before `blocked_since`, so its age is at least the
    // time slept (the stamp is never later than the poll's start; 1 ms of
    // slack for the millisecond truncation of both stamps).
    assert!(
        b.since_last_poll().unwrap() >= elapsed - Duration::from_millis(1),
        "{dump}"
    );
    let s = find("starved");
    assert_eq!(s.state(), TaskState::Scheduled);
    assert_eq!(s.since_last_poll(), None);

    let text = dump.to_string();
    assert!(text.starts_with("2 live tasks\n"), "{text}");
    let row = text.lines().find(|l| l.contains("blocker")).unwrap();
    assert!(row.contains("running") && row.contains(file!()), "{row}");
    let row = text.lines().find(|l| l.contains("starved")).unwrap();
    assert!(row.contains("scheduled") && row.contains("never"), "{row}");

    release_tx.send(()).unwrap();
    rt.block_on(async {
        blocker.await.unwrap();
        starved.await.unwrap();
    });
    assert!(rt.handle().dump().is_empty());
}

#[test]
fn a_task_not_yet_run_by_an_undriven_current_thread_runtime_is_scheduled() {
    let rt = Runtime::builder().current_thread().build().unwrap();
    let task = Builder::new()
        .name("queued")
        .spawn_on(async { 5 }, rt.handle());
    let dump: TaskDump = rt.handle().dump();
    assert_eq!(dump.len(), 1);
    let t = &dump.tasks()[0];
    assert_eq!(t.state(), TaskState::Scheduled);
    assert_eq!(t.since_last_poll(), None);
    assert_eq!(rt.block_on(task).unwrap(), 5);
}

#[test]
fn finished_tasks_leave_the_dump_and_their_ref_says_finished() {
    let rt = common::multi(2);
    let task = rt.spawn(async { 1 });
    let r = task.task_ref();
    assert_eq!(rt.block_on(task).unwrap(), 1);
    assert_eq!(r.state(), TaskState::Finished);
    assert_eq!(r.state().to_string(), "finished");
    assert!(rt.handle().dump().iter().all(|t| t.id() != r.id()));
}

#[test]
fn the_main_task_of_run_is_listed_while_it_runs() {
    let dump = runtime::run(async { Handle::current().dump() });
    let main = dump.iter().find(|t| t.name() == Some("main")).unwrap();
    assert_eq!(main.state(), TaskState::Running);
    assert!(main.since_last_poll().is_some());
}
