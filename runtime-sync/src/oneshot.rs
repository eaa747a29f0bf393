//! A channel for exactly one value: [`Sender::send`] it once, `.await` the
//! [`Receiver`] for it.
//!
//! asyncio's nearest is a bare `Future`: the producer calls `set_result`,
//! the consumer awaits it. Here the two roles are separate types: only the
//! sender can complete it (once: `send` consumes it), only the receiver can
//! take the value, and each side learns when the other is gone — a dropped
//! sender makes the receiver return [`RecvError`], a dropped or
//! [closed](Receiver::close) receiver makes `send` give the value back and
//! wakes [`Sender::closed`]. For a value many tasks await, see the settable
//! future (`Promise`).
//!
//! ```
//! use futures::executor::{block_on, ThreadPool};
//! use futures::task::SpawnExt;
//! use runtime_sync::oneshot;
//!
//! let pool = ThreadPool::new().unwrap();
//! let (tx, rx) = oneshot::channel();
//! pool.spawn(async move {
//!     let answer = 6 * 7;
//!     if let Err(unwanted) = tx.send(answer) {
//!         println!("nobody wanted {unwanted}");
//!     }
//! })
//! .unwrap();
//! assert_eq!(block_on(rx), Ok(42));
//!
//! let (tx, rx) = oneshot::channel::<u32>();
//! drop(tx);
//! assert!(block_on(rx).is_err()); // the sender is gone: RecvError
//! ```

mod error;
mod receiver;
mod sender;
mod state;

use std::sync::Arc;

pub use error::{RecvError, TryRecvError};
pub use receiver::Receiver;
pub use sender::Sender;

/// A oneshot channel: its sender and its receiver.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(state::Inner::new());
    (Sender::new(inner.clone()), Receiver::new(inner))
}
