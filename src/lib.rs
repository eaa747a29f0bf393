//! `runtime`: asyncio's toolbox for Rust, on a multi-threaded, work-stealing
//! scheduler.
//!
//! Each asyncio function has a counterpart under the name a Python developer
//! looks for (`docs/asyncio.md` in the repository has the whole table, with
//! the differences spelled out). The pieces come from the member crates:
//! - [`runtime_core`], re-exported at the top level: [`run`], [`spawn`],
//!   [`Task`], [`Runtime`], [`Handle`], [`to_thread`] / [`spawn_blocking`],
//!   [`gather`], [`wait`], [`as_completed`], [`TaskGroup`], [`time`], the
//!   [`task`] module, and [`debug`] mode.
//! - [`sync`] (`runtime-sync`): queues, locks, events, semaphores, barriers,
//!   channels, the settable [`Promise`](sync::Promise). They work on any
//!   executor.
//! - [`net`] and [`io`] (`runtime-io`): sockets, and asyncio's streams
//!   ([`open_connection`], [`start_server`]).
//! - [`process`] and [`signal`] (`runtime-process`): subprocesses and
//!   Unix signals.
//! - [`main`] and [`test`] (`runtime-macros`): `#[runtime::main]` and
//!   `#[runtime::test]`.
//!
//! # Tasks (asyncio `run`, `create_task`, `gather`)
//! ```
//! let total = runtime::run(async {
//!     let a = runtime::spawn(async { 20 });
//!     let b = runtime::to_thread(|| 22); // a blocking call, off the workers
//!     let both = runtime::gather([a, b]).await;
//!     both.into_iter().map(|r| r.unwrap()).sum::<i32>()
//! });
//! assert_eq!(total, 42);
//! ```
//! Cancelling a task drops its future at its next await ([`Task::cancel`]);
//! dropping a handle that is being awaited cancels the task, as asyncio's
//! cancellation propagates through `await`.
//!
//! # Time (asyncio `sleep`, `wait_for`)
//! ```
//! use std::time::Duration;
//! use runtime::time::{sleep, timeout};
//!
//! runtime::run(async {
//!     let slow = sleep(Duration::from_secs(3600));
//!     assert!(timeout(Duration::from_millis(10), slow).await.is_err());
//! });
//! ```
//!
//! # Queues and locks (asyncio `Queue`, `Lock`)
//! ```
//! use runtime::sync::{Mutex, Queue};
//! use std::sync::Arc;
//!
//! runtime::run(async {
//!     let jobs: Queue<u32> = Queue::new(0);
//!     let done = Arc::new(Mutex::new(0));
//!     let worker = {
//!         let (jobs, done) = (jobs.clone(), done.clone());
//!         runtime::spawn(async move {
//!             while let Ok(n) = jobs.get().await {
//!                 *done.lock().await += n;
//!                 jobs.task_done().unwrap();
//!             }
//!         })
//!     };
//!     for n in 1..=4 {
//!         jobs.put(n).await.unwrap();
//!     }
//!     jobs.join().await; // every item marked done
//!     worker.cancel();
//!     assert_eq!(*done.lock().await, 10);
//! });
//! ```
//!
//! # Streams (asyncio `start_server`, `open_connection`)
//! ```
//! runtime::run(async {
//!     let server = runtime::start_server(
//!         |mut reader: runtime::io::StreamReader, mut writer: runtime::io::StreamWriter| async move {
//!             let line = reader.readline().await.unwrap();
//!             writer.write(&line);
//!             writer.drain().await.unwrap();
//!         },
//!         "127.0.0.1:0",
//!     )
//!     .await
//!     .unwrap();
//!     let addr = server.local_addrs()[0].to_string();
//!     let (mut reader, mut writer) = runtime::open_connection(addr.as_str()).await.unwrap();
//!     writer.write(b"ping\n");
//!     writer.drain().await.unwrap();
//!     assert_eq!(reader.readline().await.unwrap(), b"ping\n");
//!     server.close();
//! });
//! ```
//!
//! # Subprocesses (asyncio `create_subprocess_exec`)
//! ```
//! runtime::run(async {
//!     let out = runtime::process::Command::new("echo")
//!         .arg("hello")
//!         .output()
//!         .await
//!         .unwrap();
//!     assert_eq!(out.stdout, b"hello\n");
//! });
//! ```
//!
//! # When something hangs (asyncio debug mode)
//! `RUNTIME_DEBUG=1` (or [`run_debug`], [`Builder::debug`]) reports every poll
//! that blocks a worker for over 100 ms through the `log` crate, with the
//! task's name and spawn location; [`Handle::dump`] lists every live task's
//! state and how long ago it was last polled, from any thread:
//! ```
//! runtime::run(async {
//!     let _stuck = runtime::task::Builder::new()
//!         .name("waits-for-nothing")
//!         .spawn(std::future::pending::<()>());
//!     runtime::yield_now().await;
//!     let dump = runtime::Handle::current().dump();
//!     assert!(dump.iter().any(|t| t.name() == Some("waits-for-nothing")));
//!     print!("{dump}");
//! });
//! ```

pub use runtime_core::*;

// Explicit, so they win over anything the glob above might bring.
pub use runtime_macros::{main, test};

/// Queues, locks, events, channels and the settable future (`runtime-sync`).
pub use runtime_sync as sync;

/// Sockets, streams and servers (`runtime-io`).
pub use runtime_io as io;

/// TCP, UDP and Unix sockets (`runtime_io::net`).
pub use runtime_io::net;

/// asyncio's stream functions, under asyncio's top-level names
/// (`asyncio.open_connection` → `runtime::open_connection`, ...).
pub use runtime_io::{open_connection, open_unix_connection, start_server, start_unix_server};

/// Subprocesses and signals (`runtime-process`).
pub use runtime_process as process;

/// Unix signals as events (`runtime_process::signal`): `ctrl_c`, `signal(kind)`.
pub use runtime_process::signal;
