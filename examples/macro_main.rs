//! `#[runtime::main]`: asyncio's `asyncio.run(main())`, written as an
//! attribute. Two tasks sleep concurrently; the program takes as long as the
//! longer one, not the sum.
//!
//! ```text
//! cargo run --example macro_main
//! ```

use std::time::{Duration, Instant};

async fn say_after(delay: Duration, what: &str) -> String {
    runtime::time::sleep(delay).await;
    println!("{what}");
    what.to_owned()
}

// `worker_threads` is optional (default: one per CPU); `?` works because the
// macro keeps `main`'s return type.
#[runtime::main(worker_threads = 2)]
async fn main() -> Result<(), runtime::TaskError> {
    let started = Instant::now();
    let hello = runtime::spawn(say_after(Duration::from_millis(100), "hello"));
    let world = runtime::spawn(say_after(Duration::from_millis(200), "world"));
    let words = [hello.await?, world.await?];
    println!(
        "{} in {} ms on {} workers",
        words.join(", "),
        started.elapsed().as_millis(),
        runtime::Handle::current().worker_threads()
    );
    Ok(())
}
