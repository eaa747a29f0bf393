#[runtime::main(flavor = "single_thread")]
async fn main() {}

#[runtime::test(start_paused = "yes")]
async fn paused_as_a_string() {}

#[runtime::test(flavor = "current_thread", flavor = "current_thread")]
async fn flavor_twice() {}

#[runtime::test(debug = "on")]
async fn debug_as_a_string() {}
