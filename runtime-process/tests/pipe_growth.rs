//! A child's pipes grow from the kernel's default to 256 KiB once they
//! have carried 1 MiB, at most 8 at a time per process, and never when the
//! command says not to. Its own test binary: the budget is process-wide.
#![cfg(target_os = "linux")]

use std::future::Future;
use std::os::fd::{AsFd, BorrowedFd};
use std::process::Stdio;
use std::time::Duration;

use nix::fcntl::{FcntlArg, fcntl};
use runtime_core::Runtime;
use runtime_process::{ChildStdin, ChildStdout, Command};

const GROWN: usize = 256 * 1024;

fn capacity(fd: BorrowedFd<'_>) -> usize {
    fcntl(fd, FcntlArg::F_GETPIPE_SZ).unwrap() as usize
}

/// The size a new pipe gets here (64 KiB unless the system says otherwise).
fn default_capacity() -> usize {
    let (read, _write) = nix::unistd::pipe().unwrap();
    capacity(read.as_fd())
}

/// Starts `cat` with both ends piped, unbuffered on our side.
fn cat(grow: bool) -> (runtime_process::Child, ChildStdin, ChildStdout) {
    let mut child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .grow_pipes(grow)
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap().into_parts().0;
    let stdout = child.stdout.take().unwrap().into_parts().0;
    (child, stdin, stdout)
}

/// Sends `len` patterned bytes through `cat` and checks every one that
/// comes back; the pipes stay open.
async fn pump(stdin: &mut ChildStdin, stdout: &mut ChildStdout, len: usize, seed: usize) {
    let data: Vec<u8> = (0..len).map(|i| ((i * 7 + seed) % 251) as u8).collect();
    let mut back = vec![0u8; len];
    let write = async {
        for chunk in data.chunks(64 * 1024) {
            stdin.write_all(chunk).await.unwrap();
        }
    };
    let read = async {
        let mut filled = 0;
        while filled < len {
            let n = stdout.read(&mut back[filled..]).await.unwrap();
            assert!(n > 0, "cat ended early");
            filled += n;
        }
    };
    futures::join!(write, read);
    assert!(back == data, "bytes changed on the way through cat");
}

/// Runs `test` on a two-worker runtime, failing (not hanging) after a
/// generous bound: a lost wake-up must not stall CI.
fn run(test: impl Future<Output = ()> + Send + 'static) {
    let rt = Runtime::builder().worker_threads(2).build().unwrap();
    rt.block_on(async { runtime_core::time::timeout(Duration::from_secs(60), test).await })
        .expect("the test did not finish in 60 s");
}

/// Whether this kernel surely grows pipes: 6.8 or newer has the resize
/// fix the runtime requires (`pipe/growth.rs` also accepts some stable
/// releases; on those this test only checks that nothing breaks).
fn kernel_grows_pipes() -> bool {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let mut parts = release.trim().split(['.', '-']);
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (major, minor) >= (6, 8)
}

#[test]
fn busy_pipes_grow_within_the_budget() {
    run(async {
        if !kernel_grows_pipes() {
            return;
        }
        let default = default_capacity();
        if default >= GROWN {
            return; // Nothing to grow on this system.
        }
        // One child: nothing grows before 1 MiB, both pipes after.
        let (mut child, mut stdin, mut stdout) = cat(true);
        pump(&mut stdin, &mut stdout, 512 * 1024, 0).await;
        assert_eq!(capacity(stdin.fd().unwrap()), default);
        assert_eq!(capacity(stdout.as_fd()), default);
        pump(&mut stdin, &mut stdout, 3 * 1024 * 1024, 1).await;
        assert_eq!(capacity(stdin.fd().unwrap()), GROWN);
        assert_eq!(capacity(stdout.as_fd()), GROWN);
        drop((stdin, stdout));
        assert!(child.wait().await.unwrap().success());

        // Ten at once: twenty busy pipes, at most eight grown; the others
        // keep the default size and carry the data just as well.
        let mut cats: Vec<_> = (0..10).map(|_| cat(true)).collect();
        for (i, (_, stdin, stdout)) in cats.iter_mut().enumerate() {
            pump(stdin, stdout, 1024 * 1024 + 1, i).await;
        }
        let sizes: Vec<usize> = cats
            .iter()
            .flat_map(|(_, stdin, stdout)| {
                [capacity(stdin.fd().unwrap()), capacity(stdout.as_fd())]
            })
            .collect();
        let grown = sizes.iter().filter(|&&size| size == GROWN).count();
        assert_eq!(grown, 8, "sizes: {sizes:?}");
        assert!(sizes.iter().all(|&size| size == GROWN || size == default));
        for (mut child, stdin, stdout) in cats {
            drop((stdin, stdout));
            assert!(child.wait().await.unwrap().success());
        }

        // Their slots came back: a new busy pipe grows again. Handed on
        // as a plain fd, it shrinks back (the budget would not see it).
        let (mut child, mut stdin, mut stdout) = cat(true);
        pump(&mut stdin, &mut stdout, 1024 * 1024 + 1, 3).await;
        assert_eq!(capacity(stdin.fd().unwrap()), GROWN);
        assert_eq!(capacity(stdout.as_fd()), GROWN);
        let stdout = stdout.into_owned_fd().unwrap();
        assert_eq!(capacity(stdout.as_fd()), default);
        drop((stdin, stdout));
        child.wait().await.unwrap();
    });
}

#[test]
fn grow_pipes_false_keeps_the_default_size() {
    run(async {
        let default = default_capacity();
        let (mut child, mut stdin, mut stdout) = cat(false);
        pump(&mut stdin, &mut stdout, 2 * 1024 * 1024, 0).await;
        assert_eq!(capacity(stdin.fd().unwrap()), default);
        assert_eq!(capacity(stdout.as_fd()), default);
        drop((stdin, stdout));
        assert!(child.wait().await.unwrap().success());
    });
}
