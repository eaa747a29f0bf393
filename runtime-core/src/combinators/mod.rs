//! Task combinators: waiting on many things at once (asyncio's `gather`,
//! `as_completed`, `TaskGroup`, `shield`, and a two-way race).
//!
//! | asyncio | here |
//! |---|---|
//! | `gather(*aws)` (same type) | [`gather`] → `Vec<T>` in input order |
//! | `gather(*tasks, return_exceptions=True)` | [`gather`] over tasks → `Vec<Result<T, TaskError>>` |
//! | `gather(*aws)` raising the first exception | [`try_gather`] (cancels the rest), [`try_gather_tasks`] (lets them run on) |
//! | `gather(a, b, c)` (different types) | [`join!`](crate::join) → tuple; [`try_join!`](crate::try_join) |
//! | `as_completed(aws, timeout=)` | [`as_completed`], [`as_completed_timeout`] (a `Stream`) |
//! | `TaskGroup` | [`TaskGroup`] → `Result<Vec<T>, GroupError<E>>` |
//! | `wait(aws, return_when=FIRST_COMPLETED)` + cancel the loser | [`select`] → [`Either`] |
//! | `shield(aw)` | [`shield`], [`shield_task`] |
//!
//! # Plain futures and tasks
//! asyncio wraps every coroutine in a task, so a failing `gather` leaves
//! its siblings running. Here the combinators run plain futures inside the
//! awaiting task, and finishing early (or being dropped) **drops the
//! unfinished futures — cancelling them**. Over [`Task`](crate::task::Task)
//! handles the rule of `Task`'s drop applies: a handle that was awaited and
//! is dropped unfinished cancels its task, so a dropped `gather` cancels
//! its tasks, while [`try_gather_tasks`] and [`shield_task`] only observe
//! the tasks and **detach** them when they let go. Each combinator's docs
//! say which applies.
//!
//! ```
//! use runtime_core::{gather, join, select, spawn, yield_now, Either};
//!
//! runtime_core::run(async {
//!     let squares = gather((1..=4u64).map(|i| spawn(async move { i * i }))).await;
//!     let squares: Vec<u64> = squares.into_iter().map(Result::unwrap).collect();
//!     assert_eq!(squares, [1, 4, 9, 16]);
//!
//!     let (a, b) = join!(async { 'a' }, async { "b" });
//!     assert_eq!((a, b), ('a', "b"));
//!
//!     let first = select(async { 1 }, async {
//!         yield_now().await;
//!         2
//!     })
//!     .await;
//!     assert_eq!(first, Either::Left(1));
//! });
//! ```
//!
//! # Implementation
//! `gather`, `try_gather` and `as_completed` give each child its own
//! waker, all of them backed by one allocation (`ready.rs`): waking child
//! `i` pushes `i` onto a lock-free list and wakes the parent only if the
//! list was empty; the parent polls exactly the children on the list. The
//! work per wake-up is O(1), whatever the number of children.

mod as_completed;
mod gather;
mod join;
mod maybe_done;
mod ready;
mod select;
mod shield;
pub mod task_group;
mod wait;

pub use as_completed::{AsCompleted, AsCompletedTimeout, Next, as_completed, as_completed_timeout};
pub use gather::{Gather, TryGather, gather, try_gather, try_gather_tasks};
pub use select::{Either, Select, select};
pub use shield::{Shield, shield, shield_on, shield_task};
pub use task_group::{GroupError, GroupJoin, TaskGroup};
pub use wait::{ReturnWhen, Wait, WaitError, wait};

/// What the [`join!`](crate::join) and [`try_join!`](crate::try_join)
/// macros expand to. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use super::maybe_done::{MaybeDone, TryMaybeDone};
}
