//! A tour of `runtime`, in the order of asyncio's documentation: run a main
//! task, create tasks and await them, cancel one, name and list them, yield,
//! hand blocking work to a thread, and reach the runtime from a plain thread.
//!
//! Run it with `cargo run --release --example tour`.

use std::time::{Duration, Instant};

use runtime::task;

fn heading(title: &str) {
    println!("\n== {title} ==");
}

/// A stand-in for work that blocks its thread (a file read, a C call...).
fn blocking_io(started: Instant) -> String {
    std::thread::sleep(Duration::from_millis(300));
    format!("blocking_io done at {:?}", started.elapsed())
}

fn main() {
    let started = Instant::now();
    let summary = runtime::run(async move {
        heading("create_task + await");
        let task = runtime::spawn(async { "hello from a task" });
        println!("{}", task.await.expect("the task ran"));

        heading("named tasks, current_task, all_tasks");
        let worker = task::Builder::new().name("worker-1").spawn(async {
            let me = task::current().expect("inside a task");
            format!("I am task {} named {:?}", me.id(), me.name())
        });
        println!("{}", worker.await.expect("the task ran"));
        let idle = task::Builder::new()
            .name("idle-forever")
            .spawn(std::future::pending::<()>());
        for t in task::all_tasks() {
            println!("live task {} {:?} ({})", t.id(), t.name(), t.state());
        }

        heading("cancel with a message");
        idle.cancel_with("shutting down the idle task");
        match idle.await {
            Err(e) if e.is_cancelled() => println!("cancelled: {:?}", e.cancel_message()),
            other => println!("unexpected: {other:?}"),
        }

        heading("a panic becomes a TaskError");
        let boom = runtime::spawn(async { panic!("boom") });
        let err = boom.await.expect_err("it panicked");
        println!(
            "is_panic = {}, message = {:?}",
            err.is_panic(),
            err.panic_message()
        );

        heading("yield_now (asyncio sleep(0))");
        let mut order = Vec::new();
        for round in 0..3 {
            order.push(round);
            runtime::yield_now().await;
        }
        println!("resumed after each yield: {order:?}");

        heading("to_thread overlaps blocking work with async work");
        let t0 = Instant::now();
        let blocking = runtime::to_thread(move || blocking_io(t0));
        let other = runtime::spawn(async move {
            runtime::yield_now().await;
            format!("async work done at {:?}", t0.elapsed())
        });
        println!("{}", other.await.expect("ran"));
        println!("{}", blocking.await.expect("ran"));

        heading("run_coroutine_threadsafe: spawn from a plain thread");
        let handle = runtime::Handle::current();
        let from_thread = std::thread::spawn(move || {
            let mut task = handle.spawn(async { 6 * 7 });
            task.join_timeout(Duration::from_secs(5))
                .expect("finished in time")
        })
        .join()
        .expect("thread ran");
        println!("result computed on the runtime for a plain thread: {from_thread}");

        "tour complete"
    });
    println!("\n{summary} in {:?}", started.elapsed());
}
