//! Subprocesses, modelled on asyncio's documented examples and its
//! `Process` semantics, on both runtime flavours where cheap.

use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

mod common;

use common::state_of;
use runtime_core::Runtime;
use runtime_process::{Command, ReturnCode};

fn runtimes() -> Vec<Runtime> {
    vec![
        Runtime::builder().worker_threads(2).build().unwrap(),
        Runtime::builder().current_thread().build().unwrap(),
    ]
}

/// Our fds without FD_CLOEXEC.
fn inheritable_fds() -> Vec<u32> {
    use nix::fcntl::{FcntlArg, FdFlag, fcntl};
    use std::os::fd::BorrowedFd;
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&fd| {
            // SAFETY: only queried; a fd closed meanwhile makes fcntl fail.
            let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
            fcntl(borrowed, FcntlArg::F_GETFD)
                .is_ok_and(|f| !FdFlag::from_bits_truncate(f).contains(FdFlag::FD_CLOEXEC))
        })
        .map(|fd| fd as u32)
        .collect()
}

#[test]
fn ls_of_a_missing_path_reports_its_stderr_and_exit_code() {
    for rt in runtimes() {
        rt.block_on(async {
            let output = Command::shell("ls /zzz")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .output()
                .await
                .unwrap();
            assert!(!output.status.success());
            assert!(output.status.returncode() > 0);
            assert!(output.stdout.is_empty());
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(stderr.contains("/zzz"), "{stderr}");
        });
    }
}

#[test]
fn two_commands_run_concurrently() {
    let rt = Runtime::builder().worker_threads(2).build().unwrap();
    rt.block_on(async {
        let start = Instant::now();
        let a = runtime_core::spawn(async {
            Command::shell("sleep 1; echo hello")
                .stdout(Stdio::piped())
                .output()
                .await
                .unwrap()
        });
        let b = runtime_core::spawn(async {
            Command::shell("sleep 1; echo world")
                .stdout(Stdio::piped())
                .output()
                .await
                .unwrap()
        });
        let (a, b) = runtime_core::join!(a, b);
        assert_eq!(a.unwrap().stdout, b"hello\n");
        assert_eq!(b.unwrap().stdout, b"world\n");
        // 2 s of sleeping, done concurrently.
        assert!(start.elapsed() < Duration::from_millis(1800));
    });
}

#[test]
fn read_one_line_of_output_then_wait() {
    for rt in runtimes() {
        rt.block_on(async {
            let mut child = Command::new("sh")
                .args(["-c", "echo first; echo second"])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let line = child.stdout.as_mut().unwrap().readline().await.unwrap();
            assert_eq!(line, b"first\n");
            let status = child.wait().await.unwrap();
            assert!(status.success());
            assert_eq!(child.returncode(), Some(0));
        });
    }
}

#[test]
fn a_child_reads_stdin_line_by_line() {
    for rt in runtimes() {
        rt.block_on(async {
            let mut child = Command::shell("while read line; do echo \"got $line\"; done")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            for word in ["one", "two", "three"] {
                let stdin = child.stdin.as_mut().unwrap();
                stdin.write(format!("{word}\n").as_bytes());
                stdin.drain().await.unwrap();
                let line = child.stdout.as_mut().unwrap().readline().await.unwrap();
                assert_eq!(line, format!("got {word}\n").as_bytes());
            }
            // asyncio's close + wait_closed: the child reads end of file.
            let stdin = child.stdin.as_mut().unwrap();
            stdin.close();
            stdin.wait_closed().await.unwrap();
            assert!(stdin.is_closing());
            assert!(child.wait().await.unwrap().success());
        });
    }
}

#[test]
fn spawn_errors_are_typed() {
    let rt = Runtime::builder().current_thread().build().unwrap();
    rt.block_on(async {
        let err = Command::new("/definitely/not/a/program")
            .spawn()
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);

        let path = std::env::temp_dir().join(format!("runtime-not-exec-{}", std::process::id()));
        std::fs::write(&path, "#!/bin/sh\necho hi\n").unwrap();
        let err = Command::new(&path).spawn().unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
    });
}

#[test]
fn spawning_outside_a_runtime_is_an_error_and_starts_nothing() {
    let err = Command::new("true").spawn().unwrap_err();
    assert!(err.to_string().contains("no runtime"), "{err}");
}

#[test]
fn a_killed_child_reports_the_signal() {
    for rt in runtimes() {
        rt.block_on(async {
            let mut child = Command::new("sleep").arg("30").spawn().unwrap();
            assert_eq!(child.try_wait().unwrap(), None);
            assert_eq!(child.returncode(), None);
            child.kill().unwrap();
            let status = child.wait().await.unwrap();
            assert_eq!(status.signal(), Some(9));
            assert_eq!(status.returncode(), -9);
            assert_eq!(child.returncode(), Some(-9));
            // Signalling a reaped child is a no-op, never a stray signal.
            child.kill().unwrap();
            child.terminate().unwrap();
            assert_eq!(
                child.send_signal(12345).unwrap_err().kind(),
                io::ErrorKind::InvalidInput
            );
        });
    }
}

#[test]
fn terminate_sends_sigterm() {
    let rt = Runtime::builder().worker_threads(2).build().unwrap();
    rt.block_on(async {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        child.terminate().unwrap();
        assert_eq!(child.wait().await.unwrap().signal(), Some(15));
    });
}

#[test]
fn communicate_moves_8_mib_each_way_at_once_without_deadlock() {
    let rt = Runtime::builder().worker_threads(2).build().unwrap();
    rt.block_on(async {
        const SIZE: usize = 8 * 1024 * 1024;
        // stdout and stderr filled at the same time by two writers.
        let mut child = Command::shell(format!(
            "head -c {SIZE} /dev/zero & head -c {SIZE} /dev/zero >&2; wait"
        ))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
        let output = child.communicate(None).await.unwrap();
        assert!(output.status.success());
        assert_eq!(output.stdout.len(), SIZE);
        assert_eq!(output.stderr.len(), SIZE);

        // And 8 MiB in through stdin while 8 MiB come out of stdout.
        let input: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();
        let mut cat = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let output = cat.communicate(Some(&input)).await.unwrap();
        assert!(output.status.success());
        assert!(output.stdout == input, "cat echoed its input");
    });
}

#[test]
fn writing_to_a_dead_child_is_broken_pipe_not_sigpipe() {
    let rt = Runtime::builder().worker_threads(2).build().unwrap();
    rt.block_on(async {
        let mut child = Command::new("true").stdin(Stdio::piped()).spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        child.wait().await.unwrap();
        let big = vec![0u8; 1 << 20];
        stdin.write(&big);
        let err = stdin.drain().await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    });
}

#[test]
fn a_thousand_dropped_children_leave_no_zombie() {
    let rt = Runtime::builder().worker_threads(2).build().unwrap();
    let pids = rt.block_on(async {
        let mut pids = Vec::new();
        for _ in 0..1000 {
            let child = Command::new("true").spawn().unwrap();
            pids.push(child.id());
        }
        // Every Child is dropped: background tasks reap them as they exit.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = pids.iter().filter(|&&p| state_of(p) == Some('Z')).count();
            if left == 0 || Instant::now() > deadline {
                break;
            }
            runtime_core::time::sleep(Duration::from_millis(20)).await;
        }
        pids
    });
    let zombies: Vec<_> = pids.iter().filter(|&&p| state_of(p) == Some('Z')).collect();
    assert!(zombies.is_empty(), "zombies left: {zombies:?}");
}

#[test]
fn kill_on_drop_kills_and_reaps() {
    let rt = Runtime::builder().worker_threads(2).build().unwrap();
    rt.block_on(async {
        let child = Command::new("sleep")
            .arg("30")
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let pid = child.id();
        drop(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while state_of(pid).is_some() && Instant::now() < deadline {
            runtime_core::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(state_of(pid), None, "the child was killed and reaped");
    });
}

#[test]
fn only_the_standard_fds_are_inherited() {
    let rt = Runtime::builder().worker_threads(2).build().unwrap();
    rt.block_on(async {
        // Make sure we hold sockets and pipes the child could inherit.
        let _keep = std::os::unix::net::UnixStream::pair().unwrap();
        let output = Command::new("ls")
            .arg("/proc/self/fd")
            .stdout(Stdio::piped())
            .output()
            .await
            .unwrap();
        let fds: Vec<u32> = String::from_utf8(output.stdout)
            .unwrap()
            .split_whitespace()
            .map(|s| s.parse().unwrap())
            .collect();
        // 0-2 are stdio; 3 is the directory ls itself opened to list; the
        // others must be fds this test process itself inherited without
        // close-on-exec (from whoever started it), never ones we opened.
        let ours_inheritable = inheritable_fds();
        let unexpected: Vec<_> = fds
            .iter()
            .filter(|&&fd| fd > 3 && !ours_inheritable.contains(&fd))
            .collect();
        assert!(
            unexpected.is_empty(),
            "leaked fds: {unexpected:?} of {fds:?}"
        );
    });
}

#[test]
fn process_group_and_environment_and_cwd() {
    let rt = Runtime::builder().current_thread().build().unwrap();
    rt.block_on(async {
        let output = Command::shell("echo $GREETING; pwd; cut -d' ' -f5 /proc/$$/stat; echo $$")
            .env("GREETING", "hi")
            .current_dir("/")
            .process_group(0)
            .stdout(Stdio::piped())
            .output()
            .await
            .unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "hi");
        assert_eq!(lines[1], "/");
        // A new group led by the child: its group id is its pid.
        assert_eq!(lines[2], lines[3]);
    });
}

#[test]
fn a_cancelled_wait_loses_nothing() {
    let rt = Runtime::builder().worker_threads(2).build().unwrap();
    rt.block_on(async {
        // asyncio's `wait_for(proc.wait(), t)` pattern: the wait times out.
        let mut child = Command::new("sleep").arg("0.3").spawn().unwrap();
        let first = runtime_core::time::timeout(Duration::from_millis(20), child.wait()).await;
        assert!(first.is_err(), "still running");
        // Waiting again works and sees the exit.
        assert!(child.wait().await.unwrap().success());

        // And a child dropped after a cancelled wait is still killed and reaped.
        let mut child = Command::new("sleep")
            .arg("30")
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let pid = child.id();
        let _ = runtime_core::time::timeout(Duration::from_millis(20), child.wait()).await;
        drop(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while state_of(pid).is_some() && Instant::now() < deadline {
            runtime_core::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(state_of(pid), None, "killed and reaped");
    });
}

#[test]
fn one_childs_stdout_feeds_another_childs_stdin() {
    let rt = Runtime::builder().worker_threads(2).build().unwrap();
    rt.block_on(async {
        // `echo | tr`: the first child's stdout pipe, handed back in blocking
        // mode, becomes the second child's stdin.
        let mut first = Command::new("echo")
            .arg("hello")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let pipe = first.stdout.take().unwrap().into_parts().0;
        let fd = pipe.into_owned_fd().unwrap();
        let output = Command::new("tr")
            .args(["a-z", "A-Z"])
            .stdin(Stdio::from(fd))
            .stdout(Stdio::piped())
            .output()
            .await
            .unwrap();
        assert_eq!(output.stdout, b"HELLO\n");
        assert!(first.wait().await.unwrap().success());
    });
}

#[test]
fn a_stdin_pipe_lends_its_fd_until_closed() {
    use std::os::fd::AsRawFd;
    for rt in runtimes() {
        rt.block_on(async {
            let mut child = Command::new("cat")
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .spawn()
                .unwrap();
            let mut stdin = child.stdin.take().unwrap().into_parts().0;
            let raw = stdin.fd().expect("open pipe").as_raw_fd();
            // It is a pipe (a FIFO), and it is ours.
            let st = nix::sys::stat::fstat(stdin.fd().unwrap()).unwrap();
            assert_eq!(
                nix::sys::stat::SFlag::from_bits_truncate(st.st_mode)
                    & nix::sys::stat::SFlag::S_IFMT,
                nix::sys::stat::SFlag::S_IFIFO,
                "fd {raw}"
            );
            stdin.close();
            assert!(stdin.fd().is_none());
            assert!(child.wait().await.unwrap().success());
        });
    }
}
