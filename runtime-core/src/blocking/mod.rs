//! The blocking pool: threads for work that would stall a worker
//! (`spawn_blocking`, asyncio `to_thread`).
//!
//! Threads start on demand up to a maximum (default 512) and exit after a
//! keep-alive (default 10 s) without work; beyond the maximum, jobs queue. A
//! job is a task like any other — one allocation, a `Task<T>` handle, panics
//! caught into `TaskError` — whose future runs the closure in one poll. A job
//! cancelled before a thread picks it up never runs.

mod pool;
mod task;

pub(crate) use pool::{BlockingPool, BlockingSpawner, PoolConfig};
