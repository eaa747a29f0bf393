//! `RUNTIME_DEBUG=1` turns debug mode on (asyncio's `PYTHONASYNCIODEBUG`);
//! an explicit `Builder::debug` wins over it. Alone in its test binary
//! because it changes the process environment.

use runtime::Runtime;

fn set(value: Option<&str>) {
    // SAFETY: this is the only test in this binary, so no other thread of
    // this process reads or writes the environment concurrently (runtime
    // threads read it only while a runtime is built, on this thread).
    unsafe {
        match value {
            Some(v) => std::env::set_var("RUNTIME_DEBUG", v),
            None => std::env::remove_var("RUNTIME_DEBUG"),
        }
    }
}

fn debug_of(builder: runtime::Builder) -> bool {
    builder.build().unwrap().handle().is_debug()
}

#[test]
fn runtime_debug_turns_debug_mode_on_unless_the_builder_says_otherwise() {
    set(None);
    assert!(!debug_of(Runtime::builder()));
    set(Some("1"));
    assert!(debug_of(Runtime::builder()));
    assert!(debug_of(Runtime::builder().current_thread()));
    assert!(!debug_of(Runtime::builder().debug(false)));
    set(Some("0"));
    assert!(!debug_of(Runtime::builder()));
    set(Some(""));
    assert!(!debug_of(Runtime::builder()));
    assert!(debug_of(Runtime::builder().debug(true)));
    set(None);
}
