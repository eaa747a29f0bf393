//! Children whose `Child` was dropped before they were reaped.

use parking_lot::Mutex;

use super::ExitWatch;

/// Children nobody waits for any more and that could not be handed to a
/// runtime task (dropped off any runtime, or their runtime shut down).
/// Reaped without blocking at every later spawn.
static ORPHANS: Mutex<Vec<std::process::Child>> = Mutex::new(Vec::new());

/// Takes over a child whose `Child` is being dropped: reaped now if it has
/// exited, else by a background task on the current runtime that waits for
/// its exit, else (no runtime) at a later spawn.
pub(crate) fn adopt(mut child: std::process::Child, mut watch: ExitWatch) {
    if !matches!(child.try_wait(), Ok(None)) {
        // Reaped now (or waitpid failed, i.e. it is not ours to reap).
        return;
    }
    match runtime_core::Handle::try_current() {
        Ok(handle) => {
            let mut reaping = Reaping { child: Some(child) };
            handle
                .spawn(async move {
                    if let Some(child) = reaping.child.as_mut()
                        && watch.wait(child).await.is_ok()
                    {
                        reaping.done();
                    }
                })
                .detach();
        }
        Err(_) => ORPHANS.lock().push(child),
    }
}

/// A background reap that may be cut short (its runtime shut down): then
/// the child joins the orphans, so it is still reaped later.
struct Reaping {
    child: Option<std::process::Child>,
}

impl Reaping {
    fn done(&mut self) {
        self.child = None;
    }
}

impl Drop for Reaping {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take()
            && matches!(child.try_wait(), Ok(None))
        {
            ORPHANS.lock().push(child);
        }
    }
}

/// Reaps the orphans that have exited (never blocks).
pub(crate) fn reap_orphans() {
    let mut orphans = ORPHANS.lock();
    if orphans.is_empty() {
        return;
    }
    orphans.retain_mut(|child| matches!(child.try_wait(), Ok(None)));
}
