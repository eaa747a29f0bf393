//! `runtime`: asyncio's toolbox for Rust, on a multi-threaded, work-stealing
//! scheduler.
//!
//! This facade re-exports the member crates:
//! - [`runtime_core`] (everything at the top level): `run`, `spawn`,
//!   [`Task`], [`Runtime`], [`Handle`], `spawn_blocking` / `to_thread`,
//!   `yield_now`, and the [`task`] module.
//! - [`sync`] (`runtime-sync`), [`io`] (`runtime-io`), [`process`]
//!   (`runtime-process`): growing with their issues.
//! - [`main`] and [`test`] (`runtime-macros`): `#[runtime::main]` runs
//!   `async fn main` on a runtime, `#[runtime::test]` an `async fn` test on a
//!   fresh one.
//!
//! ```
//! let greeting = runtime::run(async {
//!     let name = runtime::spawn(async { "world" });
//!     format!("hello, {}", name.await.unwrap())
//! });
//! assert_eq!(greeting, "hello, world");
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
