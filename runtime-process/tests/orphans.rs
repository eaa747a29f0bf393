//! A child whose runtime shut down before it exited is still reaped. Its
//! own test binary: any spawn reaps orphans, so parallel tests would race.

use std::time::Duration;

mod common;

use common::state_of;
use runtime_core::Runtime;
use runtime_process::Command;

#[test]
fn children_dropped_when_the_runtime_shuts_down_are_reaped_later() {
    let rt = Runtime::builder().worker_threads(1).build().unwrap();
    let pid = rt.block_on(async {
        let child = Command::new("sleep").arg("0.2").spawn().unwrap();
        child.id()
    });
    // The background reaper task dies with the runtime; the child becomes
    // an orphan that the next spawn reaps.
    drop(rt);
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(state_of(pid), Some('Z'));
    let rt = Runtime::builder().current_thread().build().unwrap();
    rt.block_on(async {
        Command::new("true").status().await.unwrap();
    });
    assert_eq!(state_of(pid), None);
}
