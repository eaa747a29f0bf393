//! Debug mode (asyncio `run(debug=True)`): slow polls are reported with the
//! task's id, name and spawn location; panics nobody retrieved are reported
//! (always, as asyncio does); nothing is reported otherwise.

mod common;

use std::thread;
use std::time::Duration;

use common::log_capture::{self, wait_for};
use runtime::task::Builder;
use runtime::{Handle, Runtime};

fn debug_runtime(threshold: Duration) -> Runtime {
    Runtime::builder()
        .worker_threads(2)
        .debug(true)
        .slow_poll_threshold(threshold)
        .build()
        .unwrap()
}

/// A current-thread runtime: a task's report (made right after its poll)
/// has happened by the time `block_on` returns, so absence can be asserted.
fn current_thread(debug: bool, threshold: Duration) -> Runtime {
    Runtime::builder()
        .current_thread()
        .debug(debug)
        .slow_poll_threshold(threshold)
        .build()
        .unwrap()
}

/// Drives the current-thread runtime until `task` has finished, without
/// taking its result (the tests decide what happens to it).
fn run_until_finished<T>(rt: &Runtime, task: &runtime::Task<T>) {
    rt.block_on(async {
        while !task.is_finished() {
            runtime::yield_now().await;
        }
    });
}

async fn blocks_for(d: Duration) {
    thread::sleep(d)
}

#[test]
fn a_slow_poll_is_reported_with_id_name_and_spawn_location() {
    log_capture::install();
    let rt = debug_runtime(Duration::from_millis(50));
    let fut = blocks_for(Duration::from_millis(150));
    let builder = Builder::new().name("slow-poll-victim");
    let line = line!() + 1;
    let task = builder.spawn_on(fut, rt.handle());
    let id = task.id();
    rt.block_on(task).unwrap();
    let record =
        wait_for("slow-poll-victim", Duration::from_secs(10)).expect("the slow poll was reported");
    assert_eq!(record.level, log::Level::Warn);
    assert_eq!(record.target, "runtime::debug");
    assert!(
        record.message.contains(&format!("task {id} ")),
        "{record:?}"
    );
    assert!(
        record.message.contains(&format!("{}:{line}:", file!())),
        "spawn location in {record:?}"
    );
    assert!(record.message.contains("spawn_blocking"), "{record:?}");
}

#[test]
fn a_slow_poll_is_reported_on_the_current_thread_flavour_too() {
    log_capture::install();
    let rt = current_thread(true, Duration::from_millis(50));
    let fut = blocks_for(Duration::from_millis(120));
    let task = Builder::new()
        .name("slow-on-current-thread")
        .spawn_on(fut, rt.handle());
    rt.block_on(task).unwrap();
    assert_eq!(log_capture::mentioning("slow-on-current-thread").len(), 1);
}

#[test]
fn fast_polls_are_not_reported() {
    log_capture::install();
    let rt = current_thread(true, Duration::from_millis(100));
    let task = Builder::new().name("quick-yielder").spawn_on(
        async {
            for _ in 0..100 {
                runtime::yield_now().await;
            }
        },
        rt.handle(),
    );
    rt.block_on(task).unwrap();
    assert!(log_capture::mentioning("quick-yielder").is_empty());
}

#[test]
fn the_threshold_is_configurable() {
    log_capture::install();
    let rt = current_thread(true, Duration::from_secs(5));
    let fut = blocks_for(Duration::from_millis(120));
    let task = Builder::new()
        .name("under-a-high-threshold")
        .spawn_on(fut, rt.handle());
    rt.block_on(task).unwrap();
    assert!(log_capture::mentioning("under-a-high-threshold").is_empty());
}

#[test]
fn without_debug_mode_slow_polls_are_not_reported() {
    log_capture::install();
    let rt = current_thread(false, Duration::from_millis(10));
    assert!(!rt.handle().is_debug());
    let fut = blocks_for(Duration::from_millis(120));
    let task = Builder::new()
        .name("slow-but-not-debugging")
        .spawn_on(fut, rt.handle());
    rt.block_on(task).unwrap();
    assert!(log_capture::mentioning("slow-but-not-debugging").is_empty());
}

#[test]
fn run_debug_runs_in_debug_mode() {
    assert!(runtime::run_debug(async { Handle::current().is_debug() }));
    let rt = Runtime::builder().debug(false).build().unwrap();
    assert!(!rt.handle().is_debug());
}

#[test]
fn a_detached_task_that_panics_is_reported() {
    log_capture::install();
    let rt = common::multi(2);
    let fut = async {
        runtime::yield_now().await;
        panic!("boom-detached");
    };
    let builder = Builder::new().name("detached-panicker");
    let line = line!() + 1;
    let task = builder.spawn_on(fut, rt.handle());
    task.detach();
    let record = wait_for("detached-panicker", Duration::from_secs(10))
        .expect("the unretrieved panic was reported");
    assert_eq!(record.level, log::Level::Error);
    assert_eq!(record.target, "runtime::debug");
    assert!(record.message.contains("never retrieved"), "{record:?}");
    assert!(record.message.contains("boom-detached"), "{record:?}");
    assert!(
        record.message.contains(&format!("{}:{line}:", file!())),
        "{record:?}"
    );
}

#[test]
fn a_panic_whose_handle_is_dropped_unread_is_reported() {
    log_capture::install();
    let rt = current_thread(false, Duration::from_millis(100));
    let task = Builder::new()
        .name("dropped-after-finishing")
        .spawn_on(async { panic!("boom-unread") }, rt.handle());
    run_until_finished(&rt, &task);
    assert!(log_capture::mentioning("dropped-after-finishing").is_empty());
    drop(task);
    let records = log_capture::mentioning("dropped-after-finishing");
    assert_eq!(records.len(), 1, "{records:?}");
    assert!(records[0].message.contains("boom-unread"));
}

#[test]
fn retrieved_panics_cancellations_and_err_outputs_are_not_reported() {
    log_capture::install();
    let rt = current_thread(false, Duration::from_millis(100));
    let awaited = Builder::new()
        .name("awaited-panicker")
        .spawn_on(async { panic!("seen") }, rt.handle());
    assert!(rt.block_on(awaited).unwrap_err().is_panic());

    let cancelled = Builder::new()
        .name("cancelled-quietly")
        .spawn_on(std::future::pending::<()>(), rt.handle());
    cancelled.cancel();
    run_until_finished(&rt, &cancelled);
    drop(cancelled);

    let failed = Builder::new()
        .name("returned-an-err")
        .spawn_on(async { Err::<(), &str>("an ordinary value") }, rt.handle());
    run_until_finished(&rt, &failed);
    drop(failed);

    for name in ["awaited-panicker", "cancelled-quietly", "returned-an-err"] {
        assert!(log_capture::mentioning(name).is_empty(), "{name} reported");
    }
}

#[test]
fn debug_mode_lists_the_tasks_still_pending_at_shutdown() {
    log_capture::install();
    for (debug, name) in [(true, "left-pending-debug"), (false, "left-pending-quiet")] {
        let rt = Runtime::builder()
            .worker_threads(2)
            .debug(debug)
            .build()
            .unwrap();
        let task = Builder::new()
            .name(name)
            .spawn_on(std::future::pending::<()>(), rt.handle());
        task.detach();
        drop(rt);
    }
    let records = log_capture::mentioning("left-pending-debug");
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].level, log::Level::Info);
    assert!(records[0].message.contains("pending task"), "{records:?}");
    assert!(records[0].message.contains(file!()), "{records:?}");
    assert!(log_capture::mentioning("left-pending-quiet").is_empty());
}

#[test]
fn a_panic_looked_at_through_peek_is_not_reported() {
    // `Task::peek` hands the caller the panic (asyncio's `Task.exception()`,
    // which marks it retrieved): dropping the handle afterwards is not a
    // panic "never retrieved".
    log_capture::install();
    let rt = current_thread(false, Duration::from_millis(100));
    let task = Builder::new()
        .name("peeked-panicker")
        .spawn_on(async { panic!("boom-peeked") }, rt.handle());
    run_until_finished(&rt, &task);
    let seen = task.peek().expect("finished").as_ref().unwrap_err();
    assert!(seen.is_panic());
    drop(task);
    let records = log_capture::mentioning("peeked-panicker");
    assert!(records.is_empty(), "{records:?}");
}

#[test]
fn a_panic_wait_returned_as_done_and_dropped_unread_is_reported() {
    // `wait` looks at the results to decide FIRST_EXCEPTION, but that is not
    // the caller retrieving them.
    log_capture::install();
    let rt = current_thread(false, Duration::from_millis(100));
    let task = Builder::new()
        .name("waited-then-dropped")
        .spawn_on(async { panic!("boom-waited") }, rt.handle());
    let (done, pending) = rt
        .block_on(runtime::wait(
            [task],
            runtime::ReturnWhen::FirstException,
            None,
        ))
        .unwrap();
    assert!(pending.is_empty());
    assert!(log_capture::mentioning("waited-then-dropped").is_empty());
    drop(done);
    assert_eq!(log_capture::mentioning("waited-then-dropped").len(), 1);
}

#[test]
fn a_handle_detached_after_the_panic_is_reported() {
    log_capture::install();
    let rt = current_thread(false, Duration::from_millis(100));
    let task = Builder::new()
        .name("detached-after-finishing")
        .spawn_on(async { panic!("boom-late-detach") }, rt.handle());
    run_until_finished(&rt, &task);
    task.detach();
    assert_eq!(log_capture::mentioning("detached-after-finishing").len(), 1);
}

#[test]
fn a_local_task_and_a_blocking_job_that_panic_unread_are_reported() {
    log_capture::install();
    let rt = current_thread(false, Duration::from_millis(100));
    let local = {
        let _enter = rt.enter();
        Builder::new()
            .name("local-panicker")
            .spawn_local(async { panic!("boom-local") })
    };
    run_until_finished(&rt, &local);
    drop(local);
    assert_eq!(log_capture::mentioning("local-panicker").len(), 1);

    let job = rt.spawn_blocking(|| panic!("boom-blocking-job"));
    while !job.is_finished() {
        thread::sleep(Duration::from_millis(1));
    }
    drop(job);
    assert_eq!(log_capture::mentioning("boom-blocking-job").len(), 1);
}
