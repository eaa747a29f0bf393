//! `runtime-core`: the scheduler, tasks and blocking pool of `runtime`.
//!
//! It gives Rust programs asyncio's core: `run` (asyncio `run`), `spawn`
//! (`create_task`), [`Task`] handles you can await, cancel
//! (with a message) and list, `yield_now` (`sleep(0)`), and `spawn_blocking`
//! (`to_thread`) — on a multi-threaded, work-stealing scheduler, or on a
//! single-threaded one with asyncio's exact FIFO interleaving.
//!
//! ```
//! use runtime_core::task;
//!
//! let total = runtime_core::run(async {
//!     let workers: Vec<_> = (0..4)
//!         .map(|i| task::Builder::new().name(format!("w-{i}")).spawn(async move { i * 10 }))
//!         .collect();
//!     let mut total = 0;
//!     for w in workers {
//!         total += w.await.unwrap();
//!     }
//!     total
//! });
//! assert_eq!(total, 60);
//! ```
//!
//! # Implementation
//! - **Tasks** are one allocation: a header (one atomic state word holding
//!   the life-cycle bits and the reference count, a vtable, id, name), the
//!   scheduler handle and the future, replaced by its output in place. A
//!   waker is a pointer to the header. See `task/state.rs`.
//! - **Multi-thread scheduler**: per worker a LIFO "run next" slot and a
//!   `crossbeam_deque` FIFO deque; one global lock-free injector; at most
//!   half of the workers steal at once; wake-ups chain one worker at a time.
//! - **Current-thread scheduler**: one FIFO queue, asyncio's model.
//! - **Driver seam** ([`driver`]): idle workers park through a [`Driver`]
//!   that an I/O crate can replace with its reactor.
//! - **Cancellation is a drop**: cancelling a task drops its future at its
//!   next scheduling point; `Drop` guards run then.
//!
//! `docs/architecture.md` in the repository describes each part in detail.

#![warn(missing_docs)]

mod blocking;
pub mod combinators;
pub mod debug;
pub mod driver;
mod primitives;
pub mod runtime;
pub(crate) mod scheduler;
pub mod task;
pub mod time;

pub use combinators::{
    Either, GroupError, ReturnWhen, TaskGroup, WaitError, as_completed, as_completed_timeout,
    gather, select, shield, shield_on, shield_task, try_gather, try_gather_tasks, wait,
};
pub use driver::Driver;
pub use runtime::{
    Builder, EnterGuard, Flavor, Handle, NoRuntime, Runtime, run, run_debug, spawn, spawn_blocking,
    spawn_local, to_thread,
};
pub use task::{Task, TaskError, TaskId, yield_now};
