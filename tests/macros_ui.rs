//! Compile-fail tests of `#[runtime::main]` / `#[runtime::test]`: each file
//! in `tests/ui` must fail to build with exactly the errors in its `.stderr`
//! (regenerate with `TRYBUILD=overwrite cargo test --test macros_ui`, then
//! read the diff).

#[test]
fn misuse_is_a_compile_error_at_the_culprit() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
