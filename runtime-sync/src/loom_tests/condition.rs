//! `Condition`: a notify that races the waiter's unlock is not lost.

use std::sync::Arc;

use loom::future::block_on;
use loom::thread;

use crate::condition::Condition;
use crate::mutex::Mutex;

/// The classic lost-wake-up window: the waiter checks the flag, then waits
/// (unlocking); the notifier sets the flag under the lock and notifies. The
/// waiter must see the flag in every interleaving.
#[test]
fn loom_condition_notify_is_not_lost() {
    loom::model(|| {
        let shared = Arc::new((Mutex::new(false), Condition::new()));
        let waiter = {
            let shared = shared.clone();
            thread::spawn(move || {
                let (flag, condition) = &*shared;
                block_on(async {
                    let guard = condition.wait_for(flag.lock().await, |set| *set).await;
                    assert!(*guard);
                });
            })
        };
        let (flag, condition) = &*shared;
        block_on(async {
            *flag.lock().await = true;
            condition.notify_one();
        });
        waiter.join().unwrap();
        assert!(!flag.locked());
    });
}
