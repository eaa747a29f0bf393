//! An idle runtime uses no CPU: after a 2-worker runtime has run a task and a blocking job and
//! holds one task parked on a future that never completes, one second of idleness costs the
//! whole process less than 50 ms of CPU time (user + system, from `/proc/self/stat`). This file
//! holds a single test so that no other test adds CPU to the process meanwhile.
#![cfg(target_os = "linux")]

mod common;

use std::fs;
use std::future::pending;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use common::{multi, within};

/// utime + stime of the whole process (all threads, live or exited), in clock ticks.
fn process_cpu_ticks() -> u64 {
    let stat = fs::read_to_string("/proc/self/stat").expect("read /proc/self/stat");
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')').expect("comm field") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state); utime is field 14 and stime field 15.
    let utime: u64 = fields[11].parse().expect("utime");
    let stime: u64 = fields[12].parse().expect("stime");
    utime + stime
}

fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

#[test]
fn idle_runtime_uses_no_cpu() {
    let hz = clock_ticks_per_second();
    within(Duration::from_secs(20), move || {
        let rt = multi(2);
        let mut t = rt.spawn(async { runtime::spawn(async { 1 }).await.expect("inner") });
        assert_eq!(t.join_timeout(Duration::from_secs(5)).expect("task ran"), 1);
        let mut b = rt.spawn_blocking(|| 2);
        assert_eq!(b.join_timeout(Duration::from_secs(5)).expect("job ran"), 2);
        let parked = rt.spawn(pending::<()>());

        let before = process_cpu_ticks();
        let start = Instant::now();
        thread::sleep(Duration::from_secs(1));
        let used_ms = (process_cpu_ticks() - before) * 1000 / hz;
        let slept = start.elapsed();

        assert!(
            used_ms < 50,
            "an idle 2-worker runtime used {used_ms} ms of CPU in {slept:?} (limit 50 ms)"
        );
        assert!(!parked.is_finished());
        let mut after = rt.spawn(async { 3 });
        assert_eq!(
            after
                .join_timeout(Duration::from_secs(5))
                .expect("runtime wakes up"),
            3
        );
    });
}
