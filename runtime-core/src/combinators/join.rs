//! `join!` and `try_join!`: wait for a fixed set of futures of different
//! types (asyncio `gather(a, b, c)` with a tuple result).
//!
//! The futures are pinned on the awaiting task's stack: no allocation.
//! Every wake-up polls each unfinished future again, in argument order,
//! which is the right trade for a handful of futures; for many futures of
//! one type, [`gather`](crate::gather) polls only the woken one.
//!
//! ```
//! use runtime_core::{join, try_join, yield_now};
//!
//! runtime_core::run(async {
//!     let (n, s, ()) = join!(async { 1 }, async { "two" }, yield_now());
//!     assert_eq!((n, s), (1, "two"));
//!
//!     let ok: Result<(u8, char), String> = try_join!(async { Ok(1) }, async { Ok('c') });
//!     assert_eq!(ok.unwrap(), (1, 'c'));
//! });
//! ```

/// Waits for every future and returns their outputs as a tuple, in
/// argument order (asyncio `gather(a, b, ...)`). Takes one or more
/// futures (anything `IntoFuture`) of any types; use it inside `async`.
///
/// The futures run concurrently in the current task, pinned on its stack
/// (no allocation). Each wake-up polls every unfinished future in argument
/// order.
///
/// # Plain futures and tasks
/// If the enclosing future is dropped, the unfinished futures are dropped
/// with it (cancelled). [`Task`](crate::task::Task) handles are awaited, so
/// they are cancelled too, and their outputs are `Result<T, TaskError>`
/// (nothing stops at a failed task; use [`try_join!`](crate::try_join) for
/// that).
///
/// ```
/// use runtime_core::{join, spawn};
///
/// runtime_core::run(async {
///     let (a, b) = join!(spawn(async { 20 }), async { 22 });
///     assert_eq!(a.unwrap() + b, 42);
/// });
/// ```
#[macro_export]
macro_rules! join {
    // Each step binds one future to a local; macro hygiene keeps the
    // locals of different steps apart although they share one name.
    (@bind [$($bound:ident)*] $head:expr $(, $rest:expr)*) => {{
        let mut fut = ::core::pin::pin!($crate::combinators::__private::MaybeDone::new(
            ::core::future::IntoFuture::into_future($head),
        ));
        $crate::join!(@bind [$($bound)* fut] $($rest),*)
    }};
    (@bind [$($bound:ident)*]) => {
        ::core::future::poll_fn(|cx| {
            let mut done = true;
            $( done &= $bound.as_mut().poll_done(cx); )*
            if done {
                ::core::task::Poll::Ready(($( $bound.as_mut().take_output(), )*))
            } else {
                ::core::task::Poll::Pending
            }
        })
        .await
    };
    ($($fut:expr),+ $(,)?) => {
        $crate::join!(@bind [] $($fut),+)
    };
}

/// Waits for futures of `Result` with one error type and returns their
/// `Ok` values as a tuple — or **the first error as soon as it happens**,
/// after dropping (cancelling) the others. Takes one or more futures of any
/// types; use it inside `async`.
///
/// # Plain futures and tasks
/// A [`Task`](crate::task::Task)'s output is `Result<T, TaskError>`, so
/// tasks can be joined directly (the error type is then `TaskError`); the
/// tasks still running when another fails are cancelled by that drop. Wrap
/// them in [`shield_task`](crate::shield_task) to let them run on instead.
///
/// ```
/// use runtime_core::{try_join, yield_now};
///
/// runtime_core::run(async {
///     let never = async {
///         loop {
///             yield_now().await;
///         }
///         #[allow(unreachable_code)]
///         Ok::<u8, &str>(0)
///     };
///     let failed = try_join!(never, async { Err::<(), _>("no") });
///     assert_eq!(failed, Err("no"));
/// });
/// ```
#[macro_export]
macro_rules! try_join {
    (@bind [$($bound:ident)*] $head:expr $(, $rest:expr)*) => {{
        let mut fut = ::core::pin::pin!($crate::combinators::__private::TryMaybeDone::new(
            ::core::future::IntoFuture::into_future($head),
        ));
        $crate::try_join!(@bind [$($bound)* fut] $($rest),*)
    }};
    (@bind [$($bound:ident)*]) => {
        ::core::future::poll_fn(|cx| {
            let mut done = true;
            $(
                match $bound.as_mut().poll_try_done(cx) {
                    ::core::result::Result::Ok(finished) => done &= finished,
                    ::core::result::Result::Err(e) => {
                        return ::core::task::Poll::Ready(::core::result::Result::Err(e));
                    }
                }
            )*
            if done {
                ::core::task::Poll::Ready(::core::result::Result::Ok((
                    $( $bound.as_mut().take_output(), )*
                )))
            } else {
                ::core::task::Poll::Pending
            }
        })
        .await
    };
    ($($fut:expr),+ $(,)?) => {
        $crate::try_join!(@bind [] $($fut),+)
    };
}
