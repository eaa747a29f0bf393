//! A tour of `runtime`, following the examples of asyncio's documentation in
//! order — create_task, gather, sleep, wait_for, wait, as_completed,
//! to_thread, run_coroutine_threadsafe, the streams echo server and client,
//! the three subprocess examples, the queue workers — then what Rust adds:
//! names and the task list, cancellation with a message, panics as errors,
//! TaskGroup.
//!
//! Run it with `cargo run --release --example tour`.

use std::time::{Duration, Instant};

use runtime::io::{StreamReader, StreamWriter, open_connection, start_server};
use runtime::process::{Command, ReturnCode, Stdio};
use runtime::sync::Queue;
use runtime::time::{sleep, timeout};
use runtime::{ReturnWhen, TaskGroup, as_completed, gather, task, wait};

fn heading(title: &str) {
    println!("\n== {title} ==");
}

/// asyncio's `handle_echo`: read up to 100 bytes, print them, echo, close.
async fn handle_echo(mut reader: StreamReader, mut writer: StreamWriter) {
    let data = reader.read(100).await.expect("read");
    let message = String::from_utf8_lossy(&data);
    println!("Received {message:?} from the client");
    writer.write(&data);
    writer.drain().await.expect("echoed");
    println!("Close the connection");
    writer.close();
    writer.wait_closed().await.expect("closed");
}

/// asyncio's subprocess `run(cmd)`: a shell command, both outputs captured.
async fn run_shell(cmd: &'static str) {
    let mut child = Command::shell(cmd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("/bin/sh runs");
    let output = child.communicate(None).await.expect("communicate");
    println!("[{cmd:?} exited with {}]", output.status.returncode());
    if !output.stdout.is_empty() {
        println!(
            "[stdout]\n{}",
            String::from_utf8_lossy(&output.stdout).trim_end()
        );
    }
    if !output.stderr.is_empty() {
        println!(
            "[stderr]\n{}",
            String::from_utf8_lossy(&output.stderr).trim_end()
        );
    }
}

/// asyncio's `say_after(delay, what)`.
async fn say_after(delay: Duration, what: &str) {
    sleep(delay).await;
    println!("{what}");
}

/// asyncio's gather example: factorial with a sleep per step.
async fn factorial(name: &'static str, number: u64) -> u64 {
    let mut f = 1;
    for i in 2..=number {
        println!("Task {name}: Compute factorial({number}), currently i={i}...");
        sleep(Duration::from_millis(20)).await;
        f *= i;
    }
    println!("Task {name}: factorial({number}) = {f}");
    f
}

/// A stand-in for work that blocks its thread (a file read, a C call...).
fn blocking_io(started: Instant) -> String {
    println!("start blocking_io at {:?}", started.elapsed());
    std::thread::sleep(Duration::from_millis(200));
    format!("blocking_io complete at {:?}", started.elapsed())
}

fn main() {
    let started = Instant::now();
    let summary = runtime::run(async move {
        heading("create_task + await (say_after, concurrently)");
        let t0 = Instant::now();
        let task1 = runtime::spawn(say_after(Duration::from_millis(100), "hello"));
        let task2 = runtime::spawn(say_after(Duration::from_millis(200), "world"));
        task1.await.expect("task1");
        task2.await.expect("task2");
        println!(
            "finished in {:?} (not 300 ms: they ran concurrently)",
            t0.elapsed()
        );

        heading("gather");
        let results = gather([
            runtime::spawn(factorial("A", 2)),
            runtime::spawn(factorial("B", 3)),
            runtime::spawn(factorial("C", 4)),
        ])
        .await;
        let values: Vec<u64> = results.into_iter().map(|r| r.expect("ran")).collect();
        println!("gathered in input order: {values:?}");

        heading("sleep with a result");
        let greeting = async {
            sleep(Duration::from_millis(10)).await;
            "result after sleeping"
        }
        .await;
        println!("{greeting}");

        heading("wait_for timing out");
        let eternity = sleep(Duration::from_secs(3600));
        match timeout(Duration::from_millis(50), eternity).await {
            Ok(()) => println!("eternity ended?"),
            Err(elapsed) => println!("timeout! ({elapsed})"),
        }

        heading("wait(FIRST_COMPLETED)");
        let tasks = vec![
            runtime::spawn(async {
                sleep(Duration::from_millis(30)).await;
                "fast"
            }),
            runtime::spawn(async {
                sleep(Duration::from_secs(60)).await;
                "slow"
            }),
        ];
        let (done, pending) = wait(tasks, ReturnWhen::FirstCompleted, None)
            .await
            .expect("non-empty");
        println!(
            "{} done, {} pending (pending tasks are not cancelled)",
            done.len(),
            pending.len()
        );
        for t in done {
            println!("done: {}", t.await.expect("ran"));
        }
        for t in pending {
            t.cancel();
        }

        heading("as_completed");
        let mut stream = as_completed([60u64, 20, 40].map(|ms| async move {
            sleep(Duration::from_millis(ms)).await;
            ms
        }));
        while let Some(ms) = stream.next().await {
            println!("completed: the {ms} ms job");
        }

        heading("to_thread: blocking work overlaps a sleep");
        let t0 = Instant::now();
        let (blocking, ()) = runtime::join!(
            runtime::to_thread(move || blocking_io(t0)),
            sleep(Duration::from_millis(200)),
        );
        println!("{}", blocking.expect("ran"));
        println!(
            "both finished at {:?} (not 400 ms: they overlapped)",
            t0.elapsed()
        );

        heading("run_coroutine_threadsafe: spawn from a plain thread");
        let handle = runtime::Handle::current();
        let from_thread = std::thread::spawn(move || {
            let mut task = handle.spawn(async {
                sleep(Duration::from_millis(10)).await;
                6 * 7
            });
            task.join_timeout(Duration::from_secs(5))
                .expect("finished in time")
        })
        .join()
        .expect("thread ran");
        println!("result computed on the runtime for a plain thread: {from_thread}");

        heading("streams: start_server + open_connection (TCP echo)");
        let server = start_server(handle_echo, "127.0.0.1:0")
            .await
            .expect("bind a free loopback port");
        let addr = server.local_addrs()[0].to_string();
        println!("Serving on a free loopback port");
        let (mut reader, mut writer) = open_connection(addr.as_str())
            .await
            .expect("connect to our own server");
        println!("Send: \"Hello World!\"");
        writer.write(b"Hello World!");
        writer.drain().await.expect("sent");
        let data = reader.read(100).await.expect("echo");
        println!("Received: {:?}", String::from_utf8_lossy(&data));
        writer.close();
        writer.wait_closed().await.expect("closed");
        server.close();
        server.wait_closed().await;

        heading("subprocess: ls /zzz (stderr and exit code)");
        run_shell("ls /zzz").await;

        heading("subprocess: two commands gathered");
        let t0 = Instant::now();
        gather(vec![
            runtime::spawn(run_shell("ls /zzz")),
            runtime::spawn(run_shell("sleep 1; echo \"hello\"")),
        ])
        .await;
        println!("both done in {:.1?} (concurrently)", t0.elapsed());

        heading("subprocess: read one line of a child's output");
        let mut child = Command::new("date")
            .stdout(Stdio::piped())
            .spawn()
            .expect("date runs");
        let line = child
            .stdout
            .as_mut()
            .expect("piped")
            .readline()
            .await
            .expect("a line");
        child.wait().await.expect("date exits");
        println!(
            "Current date: {}",
            String::from_utf8_lossy(&line).trim_end()
        );

        heading("queue workers (20 jobs, 3 workers, join, cancel, gather)");
        let queue: Queue<Duration> = Queue::new(0);
        let mut total_sleep = Duration::ZERO;
        let mut seed = 0x2545_F491_u32;
        for _ in 0..20 {
            // A tiny deterministic PRNG (xorshift): 5..=100 ms per job.
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let sleep_for = Duration::from_millis(5 + u64::from(seed % 96));
            total_sleep += sleep_for;
            queue.put_nowait(sleep_for).expect("unbounded queue");
        }
        let workers: Vec<_> = (0..3)
            .map(|i| {
                let queue = queue.clone();
                runtime::spawn(async move {
                    loop {
                        let sleep_for = queue.get().await.expect("queue open");
                        sleep(sleep_for).await;
                        queue.task_done().expect("one task_done per get");
                        println!("worker-{i} has slept for {sleep_for:?}");
                    }
                })
            })
            .collect();
        let t0 = Instant::now();
        queue.join().await;
        let total_slept_for = t0.elapsed();
        for w in &workers {
            w.cancel();
        }
        let results = gather(workers).await;
        let cancelled = results
            .iter()
            .filter(|r| matches!(r, Err(e) if e.is_cancelled()))
            .count();
        println!("====");
        println!("{cancelled} workers cancelled after the queue was joined");
        println!("3 workers slept in parallel for {total_slept_for:.2?}");
        println!("total expected sleep time: {total_sleep:.2?}");

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

        heading("task dump: what is every task doing? (Handle::dump)");
        runtime::time::sleep(Duration::from_millis(20)).await;
        print!("{}", runtime::Handle::current().dump());

        heading("cancel with a message");
        idle.cancel_with("shutting down the idle task");
        match idle.await {
            Err(e) if e.is_cancelled() => println!("cancelled: {:?}", e.cancel_message()),
            other => println!("unexpected: {other:?}"),
        }

        heading("a panic becomes a TaskError");
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let boom = runtime::spawn(async { panic!("boom") });
        let err = boom.await.expect_err("it panicked");
        std::panic::set_hook(quiet);
        println!(
            "is_panic = {}, message = {:?}",
            err.is_panic(),
            err.panic_message()
        );

        heading("TaskGroup: the first failure cancels the rest");
        let mut group: TaskGroup<u32, String> = TaskGroup::new();
        group.spawn(async {
            sleep(Duration::from_millis(10)).await;
            Err("fetch failed".to_owned())
        });
        group.spawn(async {
            sleep(Duration::from_secs(60)).await;
            Ok(1)
        });
        match group.await {
            Ok(values) => println!("all succeeded: {values:?}"),
            Err(e) => println!("group failed: {e}"),
        }

        "tour complete"
    });
    println!("\n{summary} in {:?}", started.elapsed());
}
