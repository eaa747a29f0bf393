//! Resident memory per idle task: `runtime` vs tokio vs smol (async-executor).
//!
//! Spawns 1,000,000 tasks that each get polled once and then wait forever (on
//! `futures::future::pending`), on a runtime with 2 worker threads, and reports how much the
//! process's resident set (`VmRSS` in `/proc/self/status`) grew, per task. Each runtime is
//! measured in its own child process (this program re-executes itself with the runtime's name as
//! the argument), so the three measurements do not pollute each other. The harness is shared
//! with `sleep_memory` (`examples/common/mod.rs`).
//!
//! ```text
//! cargo run --profile bench --example idle_memory            # all three, as a table
//! cargo run --profile bench --example idle_memory -- tokio   # one runtime, one line
//! ```

mod common;

use std::future::Future;

async fn idle_task() {
    common::started();
    futures::future::pending::<()>().await
}

struct Idle;

impl common::Tasks for Idle {
    fn runtime() -> impl Future<Output = ()> + Send + 'static {
        idle_task()
    }

    fn tokio() -> impl Future<Output = ()> + Send + 'static {
        idle_task()
    }

    fn smol() -> impl Future<Output = ()> + Send + 'static {
        idle_task()
    }
}

fn main() {
    common::main::<Idle>("idle tasks", "idle task");
}
