//! `runtime-process`: asyncio subprocesses and signals.
//!
//! Coming with its issue: `Command` / `Child` (asyncio
//! `create_subprocess_exec` / `_shell` and `Process`), event-driven reaping
//! through pidfd with a SIGCHLD fallback, and `signal::ctrl_c()` /
//! `signal::signal(kind)` streams.
