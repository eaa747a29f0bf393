//! `#[runtime::test]` and `#[runtime::main]` at work: each test here is
//! itself written with the macro it checks. Misuse is checked by the
//! compile-fail tests in `tests/ui` (run by `tests/macros_ui.rs`).

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

#[runtime::test]
async fn plain_test_runs_on_a_current_thread_runtime() {
    // The default flavour drives everything on the test's own thread.
    let here = std::thread::current().id();
    let there = runtime::spawn(async { std::thread::current().id() })
        .await
        .unwrap();
    assert_eq!(here, there);
}

#[runtime::test]
async fn body_need_not_be_send() {
    let count = Rc::new(Cell::new(0));
    runtime::yield_now().await;
    count.set(count.get() + 1);
    assert_eq!(count.get(), 1);
}

#[runtime::test]
async fn result_test_uses_question_mark() -> Result<(), std::num::ParseIntError> {
    // `?` needs the body's error type: the macro passes the return type on.
    let n: u32 = "42".parse()?;
    assert_eq!(n, 42);
    Ok(())
}

#[runtime::test]
async fn early_return_leaves_the_test() -> Result<(), String> {
    if runtime::spawn(async { true }).await.unwrap() {
        return Ok(());
    }
    Err("unreachable".to_owned())
}

#[runtime::test(flavor = "multi_thread", worker_threads = 3)]
async fn multi_thread_with_a_worker_count() {
    assert_eq!(runtime::Handle::current().worker_threads(), 3);
    let tasks: Vec<_> = (1..=4).map(|i| runtime::spawn(async move { i })).collect();
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    assert_eq!(total, 10);
}

#[runtime::test(start_paused = true)]
async fn start_paused_sleeps_an_hour_instantly() {
    let start = Instant::now();
    runtime::time::sleep(Duration::from_secs(3600)).await;
    // The paused clock jumped; the wall clock barely moved.
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[runtime::test(flavor = "current_thread", start_paused = false)]
async fn explicit_defaults_are_accepted() {
    runtime::time::sleep(Duration::from_millis(1)).await;
}

#[runtime::test]
#[should_panic(expected = "boom")]
async fn should_panic_is_kept() {
    runtime::yield_now().await;
    panic!("boom");
}

#[runtime::test]
#[ignore = "checks that #[ignore] survives the expansion"]
async fn ignore_is_kept() {
    panic!("an ignored test must not run");
}

#[runtime::test(debug)]
async fn debug_option_turns_debug_mode_on() {
    assert!(runtime::Handle::current().is_debug());
}

#[runtime::test(flavor = "multi_thread", debug = false)]
async fn debug_false_turns_it_off() {
    assert!(!runtime::Handle::current().is_debug());
}

#[runtime::test(crate = "runtime")]
async fn crate_path_override() {
    runtime::yield_now().await;
}

/// `#[runtime::main]` works on any `async fn` without arguments, returns the
/// body's value, and drops its runtime when the body is done.
#[test]
fn main_macro_builds_and_drops_a_runtime() {
    #[runtime::main(flavor = "current_thread")]
    async fn main() -> usize {
        runtime::Handle::current().worker_threads()
    }
    assert_eq!(main(), 1);
    // No runtime is current once the expanded function returned.
    assert!(runtime::Handle::try_current().is_err());
}
