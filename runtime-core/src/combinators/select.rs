//! `select`: race two futures; the first to finish wins, the other is
//! dropped (asyncio `wait(..., return_when=FIRST_COMPLETED)` followed by
//! cancelling the loser — what `asyncio.timeout` and friends do inside).
//!
//! ```
//! use runtime_core::{select, yield_now, Either};
//!
//! runtime_core::run(async {
//!     let slow = async {
//!         for _ in 0..100 {
//!             yield_now().await;
//!         }
//!         "slow"
//!     };
//!     let fast = async { 7 };
//!     match select(slow, fast).await {
//!         Either::Left(_) => unreachable!(),
//!         Either::Right(n) => assert_eq!(n, 7),
//!     }
//! });
//! ```

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Races `a` against `b`: resolves to [`Either::Left`] with `a`'s output if
/// `a` finishes first, [`Either::Right`] with `b`'s otherwise. The loser is
/// dropped as soon as the winner is known, before the output is returned.
///
/// The race is **biased**: on every wake-up `a` is polled first, and `b` is
/// not polled at all if `a` is ready. So if both are ready on the same
/// poll, `a` wins — and an `a` that is always ready starves `b`.
///
/// # Plain futures and tasks
/// Dropping the loser cancels a plain future. A [`Task`](crate::task::Task)
/// passed by value is awaited, so losing cancels it too. To keep a losing
/// task running, race [`shield_task`](super::shield_task)`(task)` (the
/// loser is detached), or race `&mut task` (you keep the handle; note that
/// it is then marked awaited, so call [`Task::detach`](crate::task::Task::detach)
/// before dropping it if it should run on).
pub fn select<A, B>(a: A, b: B) -> Select<A::IntoFuture, B::IntoFuture>
where
    A: IntoFuture,
    B: IntoFuture,
{
    Select {
        a: Some(a.into_future()),
        b: Some(b.into_future()),
    }
}

/// The future of [`select`].
#[must_use = "futures do nothing unless awaited"]
pub struct Select<A, B> {
    a: Option<A>,
    b: Option<B>,
}

impl<A: Future, B: Future> Future for Select<A, B> {
    type Output = Either<A::Output, B::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `a` and `b` are structurally pinned: never moved out, only
        // dropped in place through `Pin::set`.
        let (mut a, mut b) = unsafe {
            let this = self.get_unchecked_mut();
            (
                Pin::new_unchecked(&mut this.a),
                Pin::new_unchecked(&mut this.b),
            )
        };
        let fa = a
            .as_mut()
            .as_pin_mut()
            .expect("Select polled after completion");
        if let Poll::Ready(out) = fa.poll(cx) {
            b.set(None);
            a.set(None);
            return Poll::Ready(Either::Left(out));
        }
        let fb = b
            .as_mut()
            .as_pin_mut()
            .expect("Select polled after completion");
        if let Poll::Ready(out) = fb.poll(cx) {
            a.set(None);
            b.set(None);
            return Poll::Ready(Either::Right(out));
        }
        Poll::Pending
    }
}

impl<A, B> fmt::Debug for Select<A, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Select")
            .field("finished", &self.a.is_none())
            .finish()
    }
}

/// One of two values: the output of [`select`] (`Left` for the first
/// future, `Right` for the second).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Either<L, R> {
    /// The first alternative.
    Left(L),
    /// The second alternative.
    Right(R),
}

impl<L, R> Either<L, R> {
    /// True for `Left`.
    pub fn is_left(&self) -> bool {
        matches!(self, Either::Left(_))
    }

    /// True for `Right`.
    pub fn is_right(&self) -> bool {
        matches!(self, Either::Right(_))
    }

    /// The `Left` value, if it is one.
    pub fn left(self) -> Option<L> {
        match self {
            Either::Left(l) => Some(l),
            Either::Right(_) => None,
        }
    }

    /// The `Right` value, if it is one.
    pub fn right(self) -> Option<R> {
        match self {
            Either::Left(_) => None,
            Either::Right(r) => Some(r),
        }
    }

    /// Borrows the value.
    pub fn as_ref(&self) -> Either<&L, &R> {
        match self {
            Either::Left(l) => Either::Left(l),
            Either::Right(r) => Either::Right(r),
        }
    }

    /// Applies `left` or `right` to the value, whichever it is.
    pub fn either<T>(self, left: impl FnOnce(L) -> T, right: impl FnOnce(R) -> T) -> T {
        match self {
            Either::Left(l) => left(l),
            Either::Right(r) => right(r),
        }
    }
}

impl<T> Either<T, T> {
    /// The value, when both sides have the same type.
    pub fn into_inner(self) -> T {
        match self {
            Either::Left(v) | Either::Right(v) => v,
        }
    }
}
