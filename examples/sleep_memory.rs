//! Resident memory per sleeping task: `runtime` vs tokio vs smol (async-executor + async-io).
//!
//! Spawns 1,000,000 tasks that each start a 1-hour sleep (`runtime::time::sleep`,
//! `tokio::time::sleep`, `smol::Timer::after`), so 1,000,000 timers are registered at once, on a
//! runtime with 2 worker threads. Reports how much the process's resident set (`VmRSS` in
//! `/proc/self/status`) grew per sleeping task — the task plus its timer — and how long dropping
//! the runtime (cancelling every sleep) takes. Compare with `idle_memory` for the cost of the
//! timer alone. Each runtime is measured in its own child process (the harness is shared with
//! `idle_memory`: `examples/common/mod.rs`).
//!
//! ```text
//! cargo run --profile bench --example sleep_memory            # all three, as a table
//! cargo run --profile bench --example sleep_memory -- smol    # one runtime, one line
//! ```

mod common;

use std::time::Duration;

const SLEEP: Duration = Duration::from_secs(3600);

struct Sleeping;

impl common::Tasks for Sleeping {
    async fn runtime() {
        common::started();
        runtime::time::sleep(SLEEP).await;
    }

    async fn tokio() {
        common::started();
        tokio::time::sleep(SLEEP).await;
    }

    async fn smol() {
        common::started();
        smol::Timer::after(SLEEP).await;
    }
}

fn main() {
    common::main::<Sleeping>("concurrent 1-hour sleeps (one task each)", "sleeping task");
}
