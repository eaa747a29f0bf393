//! Runs the tour example (README's first command) and checks that every
//! section printed what asyncio's documentation says it should.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Builds the tour exactly as the README runs it (release), through the
/// cargo that runs this test, and returns the binary's path.
fn tour_binary() -> PathBuf {
    let cargo = env!("CARGO");
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet", "--example", "tour"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the tour failed");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target
        .join("release")
        .join("examples")
        .join(format!("tour{}", std::env::consts::EXE_SUFFIX))
}

#[test]
fn the_tour_runs_every_section() {
    let binary = tour_binary();
    assert!(
        binary.exists(),
        "{} not built (cargo test builds examples)",
        binary.display()
    );
    let start = Instant::now();
    let output = Command::new(&binary).output().expect("tour runs");
    let elapsed = start.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "tour failed: {}\n{stdout}",
        output.status
    );
    assert!(elapsed < Duration::from_secs(10), "tour took {elapsed:?}");
    for expected in [
        "== create_task + await",
        "hello\nworld\n",
        "gathered in input order: [2, 6, 24]",
        "result after sleeping",
        "timeout! (deadline has elapsed)",
        "1 done, 1 pending",
        "done: fast",
        "completed: the 20 ms job\ncompleted: the 40 ms job\ncompleted: the 60 ms job",
        "blocking_io complete",
        "result computed on the runtime for a plain thread: 42",
        "== streams: start_server + open_connection",
        "Send: \"Hello World!\"",
        "Received \"Hello World!\" from the client",
        "Received: \"Hello World!\"",
        "== subprocess: ls /zzz",
        "[\"ls /zzz\" exited with 2]\n[stderr]\nls: ",
        "[\"sleep 1; echo \\\"hello\\\"\" exited with 0]\n[stdout]\nhello",
        "Current date: ",
        "named Some(\"worker-1\")",
        "== task dump",
        "cancelled: Some(\"shutting down the idle task\")",
        "is_panic = true, message = Some(\"boom\")",
        "group failed",
        "== queue workers",
        "3 workers cancelled after the queue was joined",
        "3 workers slept in parallel for",
        "total expected sleep time:",
        "tour complete",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    // The dump's row for the idle task: its state, age and spawn location.
    assert!(
        stdout.lines().any(|l| l.contains(" idle ")
            && l.contains("s ago")
            && l.contains("examples/tour.rs:")
            && l.ends_with("idle-forever")),
        "no dump row for idle-forever in:\n{stdout}"
    );
}
