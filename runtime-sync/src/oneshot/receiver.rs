//! The receiving half of a oneshot channel: a future of the value.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::error::{RecvError, TryRecvError};
use super::state::{CLOSED, COMPLETE, Inner, Side};

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
        let state = inner.state();
        let result = if state & COMPLETE != 0 {
            // SAFETY: we are the receiver and saw `COMPLETE` (`Acquire`).
            unsafe { inner.take_value() }.ok_or(TryRecvError::Closed)
        } else if state & CLOSED != 0 {
            Err(TryRecvError::Closed)
        } else {
            return Err(TryRecvError::Empty);
        };
        self.inner = None;
        result
    }

    /// Closes the channel: a later [`send`](super::Sender::send) fails and
    /// gives its value back, and [`Sender::closed`](super::Sender::closed)
    /// returns. A value sent before the close can still be received.
    pub fn close(&mut self) {
        if let Some(inner) = &self.inner {
            inner.close();
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
        // Registers the waker unless the sender is done (then it is one
        // atomic load, e.g. when the value was sent before the first poll).
        let polled = if inner.register(Side::Rx, cx) {
            // SAFETY: we are the receiver and saw `COMPLETE` (`Acquire`).
            Poll::Ready(unsafe { inner.take_value() }.ok_or(RecvError(())))
        } else if inner.state() & CLOSED != 0 {
            // Closed by the receiver itself: nothing can be sent any more
            // (a value sent before the close would have shown `COMPLETE`).
            Poll::Ready(Err(RecvError(())))
        } else {
            return Poll::Pending;
        };
        self.inner = None;
        polled
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let Some(inner) = self.inner.take() else {
            return;
        };
        if inner.close() & COMPLETE != 0 {
            // SAFETY: we are the receiver and saw `COMPLETE` (the
            // read-modify-write in `close` acquires). Dropped here rather
            // than with the channel, as documented.
            drop(unsafe { inner.take_value() });
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("done", &self.inner.is_none())
            .finish()
    }
}
