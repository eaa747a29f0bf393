//! `accept` out of descriptors returns `EMFILE` (no panic, no spin inside
//! the listener) and works again once descriptors free up. Alone in its own
//! test binary: it lowers the process's descriptor limit.
#![cfg(target_os = "linux")]

use std::net::Ipv4Addr;
use std::time::Duration;

use nix::libc;
use runtime_core::Runtime;
use runtime_io::net::{TcpListener, TcpStream};

fn open_fds() -> u64 {
    std::fs::read_dir("/proc/self/fd").unwrap().count() as u64
}

fn get_nofile() -> libc::rlimit {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the struct we own.
    let res = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(res, 0, "getrlimit: {}", std::io::Error::last_os_error());
    limit
}

fn set_nofile(limit: libc::rlimit) {
    // SAFETY: setrlimit reads one rlimit from the struct we own.
    let res = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    assert_eq!(res, 0, "setrlimit: {}", std::io::Error::last_os_error());
}

#[test]
fn accept_out_of_descriptors_is_an_error_and_recovers() {
    let rt = Runtime::builder().worker_threads(2).build().unwrap();
    rt.block_on(async {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Queued in the backlog; not accepted yet.
        let client = TcpStream::connect(addr).await.unwrap();

        let original = get_nofile();
        set_nofile(libc::rlimit {
            rlim_cur: open_fds() + 8,
            rlim_max: original.rlim_max,
        });
        let mut hog = Vec::new();
        while let Ok(file) = std::fs::File::open("/dev/null") {
            hog.push(file);
        }

        let err = runtime_core::time::timeout(Duration::from_secs(10), listener.accept())
            .await
            .expect("accept must fail at once, not wait")
            .unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EMFILE), "{err}");

        drop(hog);
        set_nofile(original);
        let (server_side, peer) =
            runtime_core::time::timeout(Duration::from_secs(10), listener.accept())
                .await
                .expect("the queued connection is accepted once descriptors free up")
                .unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        client.write_all(b"ok").await.unwrap();
        let mut buf = [0u8; 2];
        server_side.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ok");
    });
}
