//! Writing to a child that has exited never kills us with `SIGPIPE`, even
//! when the host program left `SIGPIPE` at its default action (Rust
//! programs ignore it at start-up; a C host may not). Its own test binary:
//! it changes a process-wide signal disposition.

use std::io;
use std::process::Stdio;

use nix::sys::signal::{SigHandler, Signal, signal};
use runtime_core::Runtime;
use runtime_process::Command;

#[test]
fn a_default_sigpipe_disposition_does_not_kill_us() {
    // SAFETY: SIG_DFL installs no handler code of ours.
    unsafe { signal(Signal::SIGPIPE, SigHandler::SigDfl) }.unwrap();
    let rt = Runtime::builder().worker_threads(2).build().unwrap();
    rt.block_on(async {
        let mut child = Command::new("true").stdin(Stdio::piped()).spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        child.wait().await.unwrap();
        stdin.write(&vec![0u8; 1 << 20]);
        // Were SIGPIPE still at its default, this write would end the
        // process instead of returning.
        let err = stdin.drain().await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    });
}
