//! Servers under faults: panicking handlers, peers that reset mid-line,
//! many connect/close cycles (no descriptor leak), stale Unix socket files.
//! (`EMFILE` is in `server_emfile.rs`: it lowers the process's fd limit.)

mod common;

use std::io;
use std::time::Duration;

use common::{HANG, current_thread, multi, within};
use runtime::io::streams::{
    StreamError, StreamReader, StreamWriter, open_connection, start_server, start_unix_server,
};
use runtime::net::TcpStream;
use runtime::sync::oneshot;
use runtime::time::sleep;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
fn a_panicking_handler_does_not_stop_the_server() {
    for rt in [multi(2), current_thread()] {
        within(HANG, move || {
            rt.block_on(async {
                let server = start_server(
                    |mut reader: StreamReader, mut writer: StreamWriter| async move {
                        let line = reader.readline().await.unwrap();
                        if line == b"panic\n" {
                            panic!("handler panics on purpose");
                        }
                        writer.write(&line);
                        writer.drain().await.unwrap();
                    },
                    "127.0.0.1:0",
                )
                .await
                .unwrap();
                let addr = server.local_addr().unwrap();
                for _ in 0..3 {
                    let (mut reader, mut writer) = open_connection(addr).await.unwrap();
                    writer.write(b"panic\n");
                    writer.drain().await.unwrap();
                    // The panicking task drops its halves: EOF.
                    assert_eq!(reader.read_to_end().await.unwrap(), b"");
                }
                assert!(server.is_serving());
                let (mut reader, mut writer) = open_connection(addr).await.unwrap();
                writer.write(b"still here\n");
                writer.drain().await.unwrap();
                assert_eq!(reader.readline().await.unwrap(), b"still here\n");
                server.close();
                // Panicked handlers gave their count back.
                server.wait_closed().await;
                assert_eq!(server.connections(), 0);
            });
        });
    }
}

#[test]
fn a_handler_that_panics_before_returning_its_future_loses_only_its_connection() {
    for rt in [multi(2), current_thread()] {
        within(HANG, move || {
            rt.block_on(async {
                let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
                let counter = calls.clone();
                let server = start_server(
                    move |mut reader: StreamReader, mut writer: StreamWriter| {
                        // Synchronous work before the future exists (e.g. an
                        // `unwrap` on the peer's address) panics once.
                        if counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                            panic!("handler panics before returning its future");
                        }
                        async move {
                            let line = reader.readline().await.unwrap();
                            writer.write(&line);
                            writer.drain().await.unwrap();
                        }
                    },
                    "127.0.0.1:0",
                )
                .await
                .unwrap();
                let addr = server.local_addr().unwrap();
                let (mut reader, _writer) = open_connection(addr).await.unwrap();
                assert_eq!(reader.read_to_end().await.unwrap(), b"");
                assert!(server.is_serving());
                let (mut reader, mut writer) = open_connection(addr).await.unwrap();
                writer.write(b"still here\n");
                writer.drain().await.unwrap();
                assert_eq!(reader.readline().await.unwrap(), b"still here\n");
                server.close();
                server.wait_closed().await;
                assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
            });
        });
    }
}

#[test]
fn a_peer_reset_mid_line_is_an_io_error_for_its_handler_only() {
    let rt = multi(2);
    within(HANG, move || {
        rt.block_on(async {
            let (tx, rx) = oneshot::channel::<io::ErrorKind>();
            let tx = std::sync::Mutex::new(Some(tx));
            let server = start_server(
                move |mut reader: StreamReader, mut writer: StreamWriter| {
                    let tx = tx.lock().unwrap().take();
                    async move {
                        match (reader.readline().await, tx) {
                            (Err(StreamError::Io(e)), Some(tx)) => {
                                let _ = tx.send(e.kind());
                            }
                            (Ok(line), _) => {
                                writer.write(&line);
                                let _ = writer.drain().await;
                            }
                            (other, _) => panic!("unexpected {other:?}"),
                        }
                    }
                },
                "127.0.0.1:0",
            )
            .await
            .unwrap();
            let addr = server.local_addr().unwrap();

            // Half a line, then an RST (linger 0).
            let rude = TcpStream::connect(addr).await.unwrap();
            rude.write_all(b"half a li").await.unwrap();
            sleep(Duration::from_millis(50)).await;
            rude.set_linger(Some(Duration::ZERO)).unwrap();
            drop(rude);
            assert_eq!(rx.await.unwrap(), io::ErrorKind::ConnectionReset);

            // Other connections are unaffected.
            let (mut reader, mut writer) = open_connection(addr).await.unwrap();
            writer.write(b"fine\n");
            writer.drain().await.unwrap();
            assert_eq!(reader.readline().await.unwrap(), b"fine\n");
        });
    });
}

#[test]
fn connect_close_cycles_leak_no_descriptors() {
    let rt = multi(2);
    within(Duration::from_secs(60), move || {
        rt.block_on(async {
            let server = start_server(
                |mut reader: StreamReader, mut writer: StreamWriter| async move {
                    if let Ok(line) = reader.readline().await {
                        writer.write(&line);
                        let _ = writer.drain().await;
                    }
                },
                "127.0.0.1:0",
            )
            .await
            .unwrap();
            let addr = server.local_addr().unwrap();
            let cycle = || async {
                let (mut reader, mut writer) = open_connection(addr).await.unwrap();
                writer.write(b"ping\n");
                writer.drain().await.unwrap();
                assert_eq!(reader.readline().await.unwrap(), b"ping\n");
                writer.close();
                writer.wait_closed().await.unwrap();
            };
            // Warm up (the reactor, blocking pool, ...), then count.
            cycle().await;
            let deadline = std::time::Instant::now() + HANG;
            while server.connections() > 0 {
                assert!(std::time::Instant::now() < deadline);
                sleep(Duration::from_millis(1)).await;
            }
            let before = open_fds();
            for _ in 0..1000 {
                cycle().await;
            }
            while server.connections() > 0 {
                assert!(std::time::Instant::now() < deadline + HANG);
                sleep(Duration::from_millis(1)).await;
            }
            let after = open_fds();
            assert!(
                after <= before + 2,
                "descriptors: {before} before, {after} after"
            );
            server.close();
            server.wait_closed().await;
        });
    });
}

#[test]
fn unix_server_replaces_a_stale_socket_but_not_a_regular_file() {
    let rt = current_thread();
    within(HANG, move || {
        rt.block_on(async {
            let dir = std::env::temp_dir();
            let stale = dir.join(format!("runtime-faults-{}-stale.sock", std::process::id()));
            let _ = std::fs::remove_file(&stale);
            // A socket file left behind by a listener that went away.
            drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
            assert!(stale.exists());
            let server = start_unix_server(|_r, _w| async {}, &stale).await.unwrap();
            assert!(server.is_serving());
            server.close();
            server.wait_closed().await;
            assert!(!stale.exists());

            let regular = dir.join(format!("runtime-faults-{}-regular", std::process::id()));
            std::fs::write(&regular, b"precious").unwrap();
            let err = start_unix_server(|_r, _w| async {}, &regular)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
            assert_eq!(std::fs::read(&regular).unwrap(), b"precious");
            std::fs::remove_file(&regular).unwrap();
        });
    });
}
