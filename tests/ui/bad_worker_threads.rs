#[runtime::main(worker_threads = "four")]
async fn main() {}

#[runtime::test(flavor = "multi_thread", worker_threads = 0)]
async fn zero_workers() {}

#[runtime::test(worker_threads = 2)]
async fn workers_on_current_thread() {}
