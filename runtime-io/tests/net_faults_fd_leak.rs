//! 10,000 connect/accept/close cycles leak no descriptor. Alone in its own
//! test binary so that no other test opens descriptors while it counts.
#![cfg(target_os = "linux")]

use std::net::Ipv4Addr;
use std::time::Duration;

use runtime_core::Runtime;
use runtime_io::net::{TcpListener, TcpStream, UnixListener, UnixStream};

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// `cycles` TCP connections, each accepted and closed by the server first
/// (the client waits for EOF, then closes).
async fn tcp_cycles(cycles: usize) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = runtime_core::spawn(async move {
        for _ in 0..cycles {
            let (stream, _) = listener.accept().await.unwrap();
            drop(stream);
        }
    });
    for _ in 0..cycles {
        let client = TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 1];
        assert_eq!(client.read(&mut buf).await.unwrap(), 0);
    }
    server.await.unwrap();
}

async fn unix_cycles(cycles: usize) {
    let path = std::env::temp_dir().join(format!("rt-net-leak-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path).unwrap();
    let server = runtime_core::spawn(async move {
        for _ in 0..cycles {
            drop(listener.accept().await.unwrap());
        }
    });
    for _ in 0..cycles {
        let client = UnixStream::connect(&path).await.unwrap();
        let mut buf = [0u8; 1];
        assert_eq!(client.read(&mut buf).await.unwrap(), 0);
    }
    server.await.unwrap();
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn ten_thousand_connect_close_cycles_leak_no_fd() {
    let runtimes = [
        (
            "multi-thread",
            Runtime::builder().worker_threads(2).build().unwrap(),
            10_000,
        ),
        (
            "current-thread",
            Runtime::builder().current_thread().build().unwrap(),
            2_000,
        ),
    ];
    for (name, rt, cycles) in runtimes {
        rt.block_on(async move {
            // Warm up: the first socket installs the reactor (its poller
            // and notifier descriptors stay for the runtime's lifetime).
            tcp_cycles(1).await;
            let before = open_fds();
            let run = async {
                tcp_cycles(cycles).await;
                unix_cycles(cycles / 10).await;
            };
            runtime_core::time::timeout(Duration::from_secs(120), run)
                .await
                .unwrap_or_else(|_| panic!("{name}: cycles did not finish in 120 s"));
            let after = open_fds();
            // A little slack for blocking-pool threads and the like.
            assert!(
                after <= before + 4,
                "{name}: {before} descriptors before {cycles} cycles, {after} after"
            );
        });
    }
}
