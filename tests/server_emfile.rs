//! A server whose `accept` hits `EMFILE` keeps running, backs off without
//! spinning, and serves the queued client once descriptors are free again.
//!
//! One test in its own binary: it lowers `RLIMIT_NOFILE` for the whole
//! process.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::time::{Duration, Instant};

use common::{HANG, multi, within};
use nix::sys::resource::{Resource, UsageWho, getrlimit, getrusage, setrlimit};
use runtime::io::streams::{StreamReader, StreamWriter, start_server};

/// User + system CPU time of the whole process.
fn cpu_time() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_SELF).unwrap();
    let user = usage.user_time();
    let system = usage.system_time();
    Duration::new(user.tv_sec() as u64, user.tv_usec() as u32 * 1000)
        + Duration::new(system.tv_sec() as u64, system.tv_usec() as u32 * 1000)
}

fn open_fds() -> u64 {
    std::fs::read_dir("/proc/self/fd").unwrap().count() as u64
}

#[test]
fn emfile_backs_off_without_spinning_and_recovers() {
    let rt = multi(2);
    let server = rt
        .block_on(start_server(
            |mut reader: StreamReader, mut writer: StreamWriter| async move {
                if let Ok(line) = reader.readline().await {
                    writer.write(&line);
                    let _ = writer.drain().await;
                }
            },
            "127.0.0.1:0",
        ))
        .unwrap();
    let addr = server.local_addr().unwrap();

    within(Duration::from_secs(30), move || {
        // A low soft limit, then use up every descriptor but one.
        let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
        setrlimit(Resource::RLIMIT_NOFILE, open_fds() + 64, hard).unwrap();
        let mut hogs = Vec::new();
        loop {
            match std::fs::File::open("/dev/null") {
                Ok(f) => hogs.push(f),
                Err(e) => {
                    assert_eq!(e.raw_os_error(), Some(nix::libc::EMFILE), "{e}");
                    break;
                }
            }
        }
        // One descriptor for the client; the server's accept gets EMFILE.
        drop(hogs.pop());
        let mut client = std::net::TcpStream::connect(addr).unwrap();
        client.set_read_timeout(Some(HANG)).unwrap();
        client
            .write_all(b"queued while out of descriptors\n")
            .unwrap();

        // The server keeps running and does not spin.
        std::thread::sleep(Duration::from_millis(100));
        let (cpu_before, wall_before) = (cpu_time(), Instant::now());
        std::thread::sleep(Duration::from_secs(1));
        let (cpu, wall) = (cpu_time() - cpu_before, wall_before.elapsed());
        assert!(
            cpu < Duration::from_millis(500),
            "{cpu:?} of CPU in {wall:?}: spinning"
        );
        assert!(server.is_serving());
        assert_eq!(server.connections(), 0, "accepted without a descriptor?");

        // Free the descriptors: the queued client is served.
        drop(hogs);
        setrlimit(Resource::RLIMIT_NOFILE, soft, hard).unwrap();
        let mut line = String::new();
        BufReader::new(&client).read_line(&mut line).unwrap();
        assert_eq!(line, "queued while out of descriptors\n");

        // And new clients too.
        let mut again = std::net::TcpStream::connect(addr).unwrap();
        again.set_read_timeout(Some(HANG)).unwrap();
        again.write_all(b"after\n").unwrap();
        let mut line = String::new();
        BufReader::new(&again).read_line(&mut line).unwrap();
        assert_eq!(line, "after\n");
        drop(client);
        server.close();
    });
}
