//! The sending half of a oneshot channel.

use std::fmt;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::state::{CLOSED, Inner, Side};

/// Sends the channel's one value: [`send`](Self::send) consumes it.
/// Dropping it unsent makes the receiver return [`RecvError`](super::RecvError).
pub struct Sender<T> {
    /// `None` once sent (so that `Drop` knows there is nothing to do).
    inner: Option<Arc<Inner<T>>>,
}

impl<T> Sender<T> {
    pub(super) fn new(inner: Arc<Inner<T>>) -> Self {
        Self { inner: Some(inner) }
    }

    /// Sends `value` and wakes the receiver: one compare-and-swap, no lock.
    ///
    /// # Errors
    /// `Err(value)` if the receiver was dropped or
    /// [closed](super::Receiver::close) the channel: nobody can receive it.
    pub fn send(mut self, value: T) -> Result<(), T> {
        let inner = self.inner.take().expect("an unsent sender has its channel");
        inner.send(value)
    }

    /// Whether the receiver was dropped or closed the channel, so that a
    /// send would fail. A snapshot; once true it stays true.
    pub fn is_closed(&self) -> bool {
        self.inner().state() & CLOSED != 0
    }

    /// Waits until the receiver is dropped or closes the channel: the value
    /// is no longer wanted (e.g. stop computing it).
    ///
    /// # Cancel safety
    /// Cancel-safe: it only watches.
    pub async fn closed(&mut self) {
        poll_fn(|cx| self.poll_closed(cx)).await;
    }

    /// [`closed`](Self::closed) as a poll function: `Ready` once the
    /// receiver is gone or closed; otherwise registers `cx`'s waker (only
    /// the last task to poll is woken).
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.inner().register(Side::Tx, cx) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    fn inner(&self) -> &Inner<T> {
        self.inner
            .as_ref()
            .expect("an unsent sender has its channel")
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            inner.drop_sender();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}
