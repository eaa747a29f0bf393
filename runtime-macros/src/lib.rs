//! `#[runtime::main]` and `#[runtime::test]`: run an `async fn` as a
//! program's `main` or as a test, each on a runtime of its own.
//!
//! Use them through the facade (`runtime::main`, `runtime::test`), not from
//! this crate: the expansion names the runtime by the path `::runtime`. If the
//! facade is renamed or re-exported elsewhere, say where it is with
//! `crate = "path"` (e.g. `#[runtime::main(crate = "my_app::rt")]`).
//!
//! ```
//! #[runtime::main]
//! async fn main() {
//!     let task = runtime::spawn(async { 6 * 7 });
//!     assert_eq!(task.await.unwrap(), 42);
//! }
//! ```
//!
//! Misuse — a function that is not `async`, one with arguments, an unknown
//! option or a bad value — is a compile error pointing at the culprit.
//!
//! # Why `block_on`
//! The body runs under `Runtime::block_on`, not as a spawned task: it need
//! not be `Send`, and a panic in it unwinds out of `main` (or the test) as in
//! a synchronous program. Inside it `runtime::task::current()` is `None`;
//! spawn a task when one is needed.
//!
//! # Debug mode
//! `debug` (or `debug = true`) builds the runtime in debug mode, asyncio's
//! `run(debug=True)`: polls of tasks that block a worker longer than 100 ms
//! are reported through `log` (see `runtime::debug`). The body itself is not
//! a task (see above), so its own polls are not timed: on the current-thread
//! flavour a body that blocks stalls every task unreported; move such work
//! into a spawned task to have it named. Without the option the
//! environment variable `RUNTIME_DEBUG=1` decides; `debug = false` forces it
//! off.

mod entry;
mod options;

use proc_macro::TokenStream;

use options::Kind;

/// Runs `async fn main` on a new runtime.
///
/// The function may return anything `main` may (`()`, `Result<(), E>`, ...).
/// The runtime is built before the body runs and dropped after it: tasks
/// still running are cancelled, as when asyncio's `run` returns.
///
/// ```
/// #[runtime::main]
/// async fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let n: u32 = "7".parse()?;
///     runtime::time::sleep(std::time::Duration::from_millis(1)).await;
///     assert_eq!(n, 7);
///     Ok(())
/// }
/// ```
///
/// # Options
/// - `flavor = "multi_thread"` (default): the work-stealing scheduler.
/// - `flavor = "current_thread"`: every task on the main thread, asyncio's
///   model.
/// - `worker_threads = N` (multi-thread only, `N >= 1`): default one per CPU.
/// - `start_paused = true` (current-thread only): the clock starts paused
///   (see `runtime::time::pause`).
/// - `debug` / `debug = true`: debug mode (see `runtime::debug`); default:
///   as the environment variable `RUNTIME_DEBUG` says.
/// - `crate = "path"`: where the `runtime` facade is, if not `::runtime`.
///
/// ```
/// #[runtime::main(flavor = "multi_thread", worker_threads = 2)]
/// async fn main() {
///     assert_eq!(runtime::Handle::current().worker_threads(), 2);
/// }
/// ```
///
/// ```
/// use std::rc::Rc;
///
/// // The body need not be `Send`.
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let shared = Rc::new(5);
///     runtime::yield_now().await;
///     assert_eq!(*shared, 5);
/// }
/// ```
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand(Kind::Main, args.into(), item.into()).into()
}

/// Runs an `async fn` test on a fresh runtime of its own.
///
/// The generated function carries `#[test]`, so write `#[runtime::test]`
/// alone; other attributes (`#[should_panic]`, `#[ignore]`, ...) stay on it.
/// The test may return `()` or `Result<(), E>`.
///
/// ```
/// use std::time::Duration;
///
/// #[runtime::test]
/// async fn adds() {
///     assert_eq!(runtime::spawn(async { 1 + 1 }).await.unwrap(), 2);
/// }
///
/// // The clock starts paused and jumps to the next timer when every task
/// // waits: an hour's sleep takes no time.
/// #[runtime::test(start_paused = true)]
/// async fn sleeps_an_hour() {
///     runtime::time::sleep(Duration::from_secs(3600)).await;
/// }
///
/// #[runtime::test(flavor = "multi_thread", worker_threads = 2)]
/// async fn on_two_workers() -> Result<(), runtime::TaskError> {
///     assert_eq!(runtime::Handle::current().worker_threads(), 2);
///     runtime::spawn(async {}).await
/// }
/// # fn main() {}
/// ```
///
/// # Options
/// - `flavor = "current_thread"` (default, like `tokio::test`): the test and
///   its tasks run on the test's thread, in a deterministic order.
/// - `flavor = "multi_thread"`, with `worker_threads = N` if wanted.
/// - `start_paused = true` (current-thread only): the clock starts paused.
/// - `debug` / `debug = true`: debug mode (see `runtime::debug`).
/// - `crate = "path"`: where the `runtime` facade is, if not `::runtime`.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand(Kind::Test, args.into(), item.into()).into()
}
