//! The receiving half of a oneshot channel: a future of the value.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::error::{RecvError, TryRecvError};
use super::state::{Inner, register};

/// Receives the channel's one value: `.await` it (it is a future of
/// `Result<T, RecvError>`), or poll with [`try_recv`](Self::try_recv).
///
/// It is `Unpin`: await it by `&mut` (`(&mut receiver).await`) to keep it,
/// e.g. inside a `select` loop.
///
/// # Cancel safety
/// Awaiting it is cancel-safe: the value stays in the channel until a poll
/// returns it, so dropping an `.await` on `&mut receiver` loses nothing.
/// Dropping the receiver itself drops a value already sent.
pub struct Receiver<T> {
    /// `None` once it returned its result.
    inner: Option<Arc<Inner<T>>>,
}

impl<T> Receiver<T> {
    pub(super) fn new(inner: Arc<Inner<T>>) -> Self {
        Self { inner: Some(inner) }
    }

    /// Takes the value if it was sent.
    ///
    /// # Errors
    /// [`TryRecvError::Empty`] if not sent yet; [`TryRecvError::Closed`] if
    /// it never will be (the sender was dropped unsent, the channel was
    /// [closed](Self::close) before a send, or the value was already
    /// received).
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let Some(inner) = &self.inner else {
            return Err(TryRecvError::Closed);
        };
        let mut state = inner.lock();
        let result = match state.value.take() {
            Some(value) => Ok(value),
            None if state.sender_done || state.receiver_closed => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        };
        drop(state);
        if !matches!(result, Err(TryRecvError::Empty)) {
            self.inner = None;
        }
        result
    }

    /// Closes the channel: a later [`send`](super::Sender::send) fails and
    /// gives its value back, and [`Sender::closed`](super::Sender::closed)
    /// returns. A value sent before the close can still be received.
    pub fn close(&mut self) {
        let Some(inner) = &self.inner else {
            return;
        };
        let mut state = inner.lock();
        state.receiver_closed = true;
        let sender = state.sender_waker.take();
        drop(state);
        if let Some(sender) = sender {
            sender.wake();
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    /// # Panics
    /// If polled again after it returned its result.
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self
            .inner
            .as_ref()
            .expect("oneshot::Receiver polled after it completed");
        let mut state = inner.lock();
        let mut replaced = None;
        let polled = match state.value.take() {
            Some(value) => Poll::Ready(Ok(value)),
            // Closed by the receiver itself: nothing can be sent any more.
            None if state.sender_done || state.receiver_closed => Poll::Ready(Err(RecvError(()))),
            None => {
                replaced = register(&mut state.receiver_waker, cx);
                Poll::Pending
            }
        };
        drop(state);
        drop(replaced);
        if polled.is_ready() {
            self.inner = None;
        }
        polled
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return;
        };
        let mut state = inner.lock();
        state.receiver_closed = true;
        let unreceived = state.value.take();
        let own = state.receiver_waker.take();
        let sender = state.sender_waker.take();
        drop(state);
        if let Some(sender) = sender {
            sender.wake();
        }
        // User `Drop` code, after the lock is released.
        drop((unreceived, own));
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("done", &self.inner.is_none())
            .finish()
    }
}
