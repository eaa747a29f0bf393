//! `Event`: `set` racing a waiter, whose fast path reads the flag without
//! the lock.

use std::sync::Arc;

use loom::future::block_on;
use loom::thread;

use crate::event::Event;

/// A waiter racing `set` returns, whether it saw the flag on its fast path,
/// under the lock, or was woken from the queue.
#[test]
fn loom_event_set_races_wait() {
    loom::model(|| {
        let event = Arc::new(Event::new());
        let waiter = {
            let event = event.clone();
            thread::spawn(move || block_on(event.wait()))
        };
        event.set();
        waiter.join().unwrap();
        assert!(event.is_set());
    });
}
