//! `MaybeDone`: a child future that is kept in place until it finishes and
//! then replaced, in place, by its output (which `gather` and `join!` hand
//! out once every child is done).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A future, its output once it finished, or nothing once that was taken.
///
/// Used by [`gather`](super::gather) and the [`join!`](crate::join) /
/// [`try_join!`](crate::try_join) macros; public only so the macros can name
/// it.
#[doc(hidden)]
#[derive(Debug)]
pub enum MaybeDone<F: Future> {
    /// Still running.
    Future(F),
    /// Finished; the future has been dropped.
    Done(F::Output),
    /// The output was taken.
    Gone,
}

impl<F: Future> MaybeDone<F> {
    /// Wraps a running future.
    pub fn new(future: F) -> MaybeDone<F> {
        MaybeDone::Future(future)
    }

    /// Polls the future if it is still running; true once it is done.
    pub fn poll_done(self: Pin<&mut Self>, cx: &mut Context<'_>) -> bool {
        // SAFETY: the `Future` variant is structurally pinned: it is never
        // moved, only dropped in place by `set` below. `Done` is not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        match this {
            MaybeDone::Future(future) => {
                // SAFETY: see above.
                match unsafe { Pin::new_unchecked(future) }.poll(cx) {
                    Poll::Ready(output) => {
                        // Dropping the future in place is allowed for a pinned value.
                        *this = MaybeDone::Done(output);
                        true
                    }
                    Poll::Pending => false,
                }
            }
            MaybeDone::Done(_) => true,
            MaybeDone::Gone => panic!("MaybeDone polled after its output was taken"),
        }
    }

    /// Takes the output of a finished future.
    ///
    /// # Panics
    /// If the future has not finished, or its output was already taken.
    pub fn take_output(self: Pin<&mut Self>) -> F::Output {
        // SAFETY: only the unpinned `Done` variant is moved out of; a
        // running future is never touched here.
        let this = unsafe { self.get_unchecked_mut() };
        match this {
            MaybeDone::Done(_) => match std::mem::replace(this, MaybeDone::Gone) {
                MaybeDone::Done(output) => output,
                _ => unreachable!(),
            },
            _ => panic!("MaybeDone::take_output: no output to take"),
        }
    }
}

/// [`MaybeDone`] for futures of `Result`: an `Err` is handed back at once
/// (for `try_join!`) instead of being stored.
#[doc(hidden)]
#[derive(Debug)]
pub enum TryMaybeDone<F, T> {
    /// Still running.
    Future(F),
    /// Finished with `Ok`; the future has been dropped.
    Done(T),
    /// The output was taken, or the future failed.
    Gone,
}

impl<F, T, E> TryMaybeDone<F, T>
where
    F: Future<Output = Result<T, E>>,
{
    /// Wraps a running future.
    pub fn new(future: F) -> TryMaybeDone<F, T> {
        TryMaybeDone::Future(future)
    }

    /// Polls the future if it is still running: `Ok(true)` once it finished
    /// with `Ok`, `Ok(false)` while it runs, `Err(e)` if it just failed.
    pub fn poll_try_done(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Result<bool, E> {
        // SAFETY: as for `MaybeDone::poll_done`.
        let this = unsafe { self.get_unchecked_mut() };
        match this {
            TryMaybeDone::Future(future) => {
                // SAFETY: structurally pinned, see `MaybeDone`.
                match unsafe { Pin::new_unchecked(future) }.poll(cx) {
                    Poll::Ready(Ok(output)) => {
                        *this = TryMaybeDone::Done(output);
                        Ok(true)
                    }
                    Poll::Ready(Err(e)) => {
                        *this = TryMaybeDone::Gone;
                        Err(e)
                    }
                    Poll::Pending => Ok(false),
                }
            }
            TryMaybeDone::Done(_) => Ok(true),
            TryMaybeDone::Gone => panic!("TryMaybeDone polled after it finished"),
        }
    }

    /// Takes the `Ok` output of a finished future.
    ///
    /// # Panics
    /// If the future has not finished with `Ok`, or the output was taken.
    pub fn take_output(self: Pin<&mut Self>) -> T {
        // SAFETY: only the unpinned `Done` variant is moved out of.
        let this = unsafe { self.get_unchecked_mut() };
        match this {
            TryMaybeDone::Done(_) => match std::mem::replace(this, TryMaybeDone::Gone) {
                TryMaybeDone::Done(output) => output,
                _ => unreachable!(),
            },
            _ => panic!("TryMaybeDone::take_output: no output to take"),
        }
    }
}
