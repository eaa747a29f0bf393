//! Which runtime the current thread belongs to, and whether it may block.

use std::cell::{Cell, RefCell};

use super::Handle;

/// What kind of thread this is, for the "may this thread block?" check.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Role {
    /// A thread of no runtime (or one that only entered a handle).
    Plain,
    /// A worker, or a thread inside `block_on`: blocking it stalls tasks.
    Driver,
    /// A blocking-pool thread: blocking is what it is for.
    Blocking,
}

std::thread_local! {
    static CURRENT: RefCell<Option<Handle>> = const { RefCell::new(None) };
    static ROLE: Cell<Role> = const { Cell::new(Role::Plain) };
}

/// Restores the previous context when dropped.
pub(crate) struct EnterGuard {
    prev: Option<Handle>,
    prev_role: Role,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        // `try_with`: thread-local destruction order at thread exit is unspecified.
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = prev);
        let _ = ROLE.try_with(|r| r.set(self.prev_role));
    }
}

fn enter_as(handle: Handle, role: Role) -> EnterGuard {
    let prev = CURRENT.with(|c| c.borrow_mut().replace(handle));
    let prev_role = ROLE.with(|r| r.replace(role));
    EnterGuard { prev, prev_role }
}

/// Makes `handle` current without changing whether the thread may block.
pub(crate) fn enter(handle: Handle) -> EnterGuard {
    let role = ROLE.with(|r| r.get());
    enter_as(handle, role)
}

/// A worker thread or a `block_on` caller.
pub(crate) fn enter_driver(handle: Handle) -> EnterGuard {
    enter_as(handle, Role::Driver)
}

pub(crate) fn enter_blocking_thread(handle: Handle) -> EnterGuard {
    enter_as(handle, Role::Blocking)
}

pub(crate) fn is_blocking_thread() -> bool {
    ROLE.with(|r| r.get()) == Role::Blocking
}

/// Runs `f` with the current runtime's handle, without cloning it.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Handle>) -> R) -> R {
    CURRENT.with(|c| f(c.borrow().as_ref()))
}

pub(crate) fn current() -> Option<Handle> {
    CURRENT.try_with(|c| c.borrow().clone()).ok().flatten()
}

/// Panics (with `what` in the message) on a thread where blocking would
/// stall or deadlock the scheduler.
#[track_caller]
pub(crate) fn assert_may_block(what: &str) {
    if ROLE.with(|r| r.get()) == Role::Driver {
        panic!(
            "{what} was called from inside the runtime (on a worker thread or inside \
             block_on); blocking here would stall or deadlock the scheduler. Await the \
             future instead, or move the blocking call into spawn_blocking."
        );
    }
}
