//! asyncio `Event` semantics, on `futures::executor::LocalPool`.

mod common;

use std::rc::Rc;

use common::Harness;
use futures::future::RemoteHandle;
use runtime_sync::Event;

fn waiter(harness: &mut Harness, event: &Rc<Event>, name: &'static str) -> RemoteHandle<()> {
    let (event, log) = (event.clone(), harness.log.clone());
    harness.spawn(async move {
        event.wait().await;
        log.push(name);
    })
}

/// "If the event is set, return True immediately. Otherwise block until
/// another task calls set()."
#[test]
fn wait_blocks_until_set_and_returns_at_once_when_set() {
    let mut harness = Harness::new();
    let event = Rc::new(Event::new());
    assert!(!event.is_set());
    waiter(&mut harness, &event, "early").forget();
    assert!(harness.log.take().is_empty());
    event.set();
    assert!(event.is_set());
    harness.run();
    assert_eq!(harness.log.take(), ["early"]);
    waiter(&mut harness, &event, "late").forget();
    assert_eq!(harness.log.take(), ["late"], "returned without waiting");
}

/// "All tasks waiting for event to be set will be immediately awakened."
#[test]
fn set_wakes_every_waiter() {
    let mut harness = Harness::new();
    let event = Rc::new(Event::new());
    for name in ["a", "b", "c"] {
        waiter(&mut harness, &event, name).forget();
    }
    event.set();
    harness.run();
    let mut log = harness.log.take();
    log.sort();
    assert_eq!(log, ["a", "b", "c"]);
}

/// "Subsequent tasks awaiting on wait() will now block until the set()
/// method is called again." Tasks already woken by the `set` still return
/// (asyncio's `set` completes their futures before any `clear`).
#[test]
fn clear_blocks_later_waiters_but_not_those_already_woken() {
    let mut harness = Harness::new();
    let event = Rc::new(Event::new());
    waiter(&mut harness, &event, "woken").forget();
    event.set();
    event.clear(); // before "woken" ran
    assert!(!event.is_set());
    waiter(&mut harness, &event, "later").forget();
    harness.run();
    assert_eq!(harness.log.take(), ["woken"]);
    event.set();
    harness.run();
    assert_eq!(harness.log.take(), ["later"]);
}

/// A cancelled waiter leaves; the others are still woken by `set`.
#[test]
fn a_cancelled_waiter_does_not_disturb_the_others() {
    let mut harness = Harness::new();
    let event = Rc::new(Event::default());
    let a = waiter(&mut harness, &event, "a");
    waiter(&mut harness, &event, "b").forget();
    drop(a);
    harness.run();
    event.set();
    harness.run();
    assert_eq!(harness.log.take(), ["b"]);
}
