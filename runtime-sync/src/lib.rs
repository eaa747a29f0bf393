//! `runtime-sync`: asyncio's synchronisation primitives for any executor.
//!
//! Coming with its issue: `Queue`, `LifoQueue`, `PriorityQueue`, `Mutex`,
//! `RwLock`, `Event`, `Condition`, `Semaphore`, `BoundedSemaphore`,
//! `Barrier`, the settable future `Promise<T>`, and `mpsc` / `oneshot` /
//! `broadcast` / `watch` channels. It depends only on `std::task::Waker`, so
//! it works on `runtime`, tokio, smol or `futures::executor` alike.
