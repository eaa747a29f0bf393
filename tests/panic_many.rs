//! The runtime survives a flood of panicking tasks: 10,000 panics (spawned from outside and from
//! inside a task) plus panicking blocking jobs all come back as `TaskError::is_panic` with their
//! payload, and normal tasks and blocking jobs still work afterwards. Lives in its own test binary
//! because it replaces the process-wide panic hook to keep the expected panics quiet.

mod common;

use std::panic::{self, PanicHookInfo};
use std::sync::Arc;
use std::time::Duration;

use common::{multi, within};
use runtime::task::Task;

const MARK: &str = "panic_many: expected panic";

fn is_marked(payload: &(dyn std::any::Any + Send)) -> bool {
    payload.downcast_ref::<&str>() == Some(&MARK)
}

#[test]
fn runtime_survives_ten_thousand_panicking_tasks() {
    // Silence only our own panics; anything else (an assertion failing) still reaches the
    // original hook.
    let original: Arc<dyn Fn(&PanicHookInfo<'_>) + Send + Sync> = Arc::from(panic::take_hook());
    let forward = Arc::clone(&original);
    panic::set_hook(Box::new(move |info| {
        if !is_marked(info.payload()) {
            forward(info);
        }
    }));

    let result = panic::catch_unwind(|| within(Duration::from_secs(60), body));

    let _ = panic::take_hook();
    panic::set_hook(Box::new(move |info| original(info)));
    if let Err(payload) = result {
        panic::resume_unwind(payload);
    }
}

fn body() {
    let rt = multi(2);

    let tasks: Vec<Task<()>> = (0..9_000)
        .map(|_| rt.spawn(async { panic::panic_any(MARK) }))
        .collect();
    let mut panics = 0;
    for t in tasks {
        let err = t.join_blocking().expect_err("the task panicked");
        assert!(err.is_panic(), "expected a panic, got {err:?}");
        assert!(is_marked(&*err.into_panic()), "payload survives");
        panics += 1;
    }

    // 1,000 more spawned from inside a task (local queues rather than the injector).
    panics += rt
        .run(async {
            let tasks: Vec<Task<()>> = (0..1_000)
                .map(|_| runtime::spawn(async { panic::panic_any(MARK) }))
                .collect();
            let mut n = 0;
            for t in tasks {
                let err = t.await.expect_err("the task panicked");
                assert!(err.is_panic(), "expected a panic, got {err:?}");
                n += 1;
            }
            n
        })
        .expect("main task");
    assert_eq!(panics, 10_000);

    for _ in 0..100 {
        let err = rt
            .spawn_blocking(|| panic::panic_any(MARK))
            .join_blocking()
            .expect_err("the blocking job panicked");
        assert!(err.is_panic());
    }

    // Still healthy.
    assert_eq!(
        rt.spawn(async { 1 }).join_blocking().expect("normal task"),
        1
    );
    assert_eq!(
        rt.spawn_blocking(|| 2)
            .join_blocking()
            .expect("blocking job"),
        2
    );
    assert_eq!(
        rt.run(async { runtime::spawn(async { 3 }).await.expect("task") })
            .expect("main task"),
        3
    );
    assert_eq!(rt.handle().worker_threads(), 2);
}
