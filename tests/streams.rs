//! asyncio streams over real sockets: echo over TCP and Unix on both
//! runtime flavours, many and slow clients, half-close, back-pressure,
//! server close / wait_closed / serve_forever, reader errors over a socket.

mod common;

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use common::{HANG, current_thread, multi, within};
use runtime::io::streams::{
    ConnectOptions, Server, ServerOptions, StreamError, StreamReader, StreamWriter,
    open_connection, open_unix_connection, start_server, start_unix_server,
};
use runtime::sync::Event;
use runtime::time::{sleep, timeout};
use runtime::{Runtime, spawn};

/// Both flavours: a 2-worker multi-thread runtime and a current-thread one.
fn flavours() -> Vec<(&'static str, Runtime)> {
    vec![
        ("multi_thread", multi(2)),
        ("current_thread", current_thread()),
    ]
}

/// asyncio's echo handler, line by line until EOF, generic over the
/// connection's halves (TCP and Unix).
async fn echo_lines<R, W>(mut reader: StreamReader<R>, mut writer: StreamWriter<W>)
where
    R: futures::AsyncRead + Unpin,
    W: futures::AsyncWrite + Unpin,
{
    loop {
        match reader.readline().await {
            Ok(line) if line.is_empty() => break,
            Ok(line) => {
                writer.write(&line);
                if writer.drain().await.is_err() {
                    return;
                }
            }
            Err(_) => return,
        }
    }
    writer.close();
    let _ = writer.wait_closed().await;
}

/// Sends `lines` and checks they come back, then half-closes and expects
/// the server's EOF.
async fn echo_client<R, W>(
    mut reader: StreamReader<R>,
    mut writer: StreamWriter<W>,
    lines: &[&[u8]],
) where
    R: futures::AsyncRead + Unpin,
    W: futures::AsyncWrite + Unpin,
{
    for line in lines {
        writer.write(line);
        writer.drain().await.unwrap();
        assert_eq!(reader.readline().await.unwrap(), *line);
    }
    writer.write_eof().await.unwrap();
    assert_eq!(reader.read_to_end().await.unwrap(), b"");
    assert!(reader.at_eof());
}

fn unix_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "runtime-streams-{}-{name}.sock",
        std::process::id()
    ))
}

#[test]
fn tcp_echo_on_both_flavours() {
    for (flavour, rt) in flavours() {
        within(HANG, move || {
            rt.block_on(async {
                let server = start_server(echo_lines, "127.0.0.1:0").await.unwrap();
                assert!(server.is_serving());
                let addr = server.local_addr().unwrap();
                assert_eq!(server.local_addrs()[0].as_inet(), Some(addr));

                let (reader, writer) = open_connection(addr).await.unwrap();
                assert_eq!(writer.peer_addr().unwrap(), addr);
                assert_eq!(writer.local_addr().unwrap().ip(), addr.ip());
                assert_eq!(reader.limit(), 64 * 1024);
                echo_client(
                    reader,
                    writer,
                    &[b"Hello World!\n", b"second line\n", b"\n"],
                )
                .await;

                server.close();
                assert!(!server.is_serving());
                server.wait_closed().await;
                assert_eq!(server.connections(), 0);
            });
        });
        eprintln!("{flavour}: ok");
    }
}

#[test]
fn a_server_listens_on_every_address_given() {
    within(HANG, move || {
        multi(2).block_on(async {
            // Both are loopback addresses on Linux (all of 127/8 is).
            let addrs: [std::net::SocketAddr; 2] = [
                "127.0.0.1:0".parse().unwrap(),
                "127.0.0.2:0".parse().unwrap(),
            ];
            let server = start_server(echo_lines, &addrs[..]).await.unwrap();
            let bound: Vec<_> = server
                .local_addrs()
                .iter()
                .map(|a| a.as_inet().unwrap())
                .collect();
            assert_eq!(bound.len(), 2);
            assert_eq!(bound[0].ip(), addrs[0].ip());
            assert_eq!(bound[1].ip(), addrs[1].ip());
            for addr in bound {
                let (reader, writer) = open_connection(addr).await.unwrap();
                echo_client(reader, writer, &[b"ping\n"]).await;
            }
            server.close();
            server.wait_closed().await;
        });
    });
}

#[test]
fn duplicate_addresses_bind_once_and_ipv4_and_ipv6_wildcards_coexist() {
    within(HANG, move || {
        multi(2).block_on(async {
            let loopback: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
            let server = start_server(echo_lines, &[loopback, loopback][..])
                .await
                .unwrap();
            assert_eq!(server.local_addrs().len(), 1);
            server.close();
            server.wait_closed().await;

            // The same port on 0.0.0.0 and [::]: without IPV6_V6ONLY the
            // second bind would fail with AddrInUse. (Skipped where IPv6 is off.)
            let Ok(probe) = std::net::TcpListener::bind("[::]:0") else {
                return;
            };
            let port = probe.local_addr().unwrap().port();
            drop(probe);
            let v4: std::net::SocketAddr = format!("0.0.0.0:{port}").parse().unwrap();
            let v6: std::net::SocketAddr = format!("[::]:{port}").parse().unwrap();
            let server = start_server(echo_lines, &[v4, v6][..]).await.unwrap();
            assert_eq!(server.local_addrs().len(), 2);
            for target in [format!("127.0.0.1:{port}"), format!("[::1]:{port}")] {
                let (reader, writer) = open_connection(target.as_str()).await.unwrap();
                echo_client(reader, writer, &[b"ping\n"]).await;
            }
            server.close();
            server.wait_closed().await;
        });
    });
}

#[test]
fn unix_echo_on_both_flavours() {
    for (flavour, rt) in flavours() {
        let path = unix_path(flavour);
        within(HANG, move || {
            rt.block_on(async {
                let server = start_unix_server(echo_lines, &path).await.unwrap();
                let local = server.local_addrs()[0].as_unix().unwrap().clone();
                assert_eq!(local.as_pathname(), Some(path.as_path()));

                let (reader, writer) = open_unix_connection(&path).await.unwrap();
                assert_eq!(
                    writer.peer_addr().unwrap().as_pathname(),
                    Some(path.as_path())
                );
                echo_client(reader, writer, &[b"over a unix socket\n"]).await;

                server.close();
                server.wait_closed().await;
                // asyncio 3.13's cleanup_socket: the file is gone.
                assert!(!path.exists());
            });
        });
    }
}

#[test]
fn a_hundred_concurrent_clients() {
    let rt = multi(2);
    within(HANG, move || {
        rt.block_on(async {
            let server = start_server(echo_lines, "127.0.0.1:0").await.unwrap();
            let addr = server.local_addr().unwrap();
            let clients: Vec<_> = (0..100)
                .map(|i| {
                    spawn(async move {
                        let (mut reader, mut writer) = open_connection(addr).await.unwrap();
                        for round in 0..3 {
                            let line = format!("client {i} round {round}\n");
                            writer.write(line.as_bytes());
                            writer.drain().await.unwrap();
                            assert_eq!(reader.readline().await.unwrap(), line.as_bytes());
                        }
                    })
                })
                .collect();
            for client in clients {
                client.await.unwrap();
            }
            server.close();
            server.wait_closed().await;
        });
    });
}

#[test]
fn a_slow_client_does_not_hold_up_the_others() {
    for (_, rt) in flavours() {
        within(HANG, move || {
            rt.block_on(async {
                let server = start_server(echo_lines, "127.0.0.1:0").await.unwrap();
                let addr = server.local_addr().unwrap();
                let slow_done = Arc::new(AtomicBool::new(false));

                // One byte every 100 ms: a 20-byte line takes 2 s.
                let slow = spawn({
                    let slow_done = slow_done.clone();
                    async move {
                        let (mut reader, mut writer) = open_connection(addr).await.unwrap();
                        let line = b"slowly, very slowly\n";
                        for byte in line {
                            writer.write(&[*byte]);
                            writer.drain().await.unwrap();
                            sleep(Duration::from_millis(100)).await;
                        }
                        assert_eq!(reader.readline().await.unwrap(), line);
                        slow_done.store(true, Ordering::SeqCst);
                    }
                });
                sleep(Duration::from_millis(150)).await; // the slow line is under way

                let fast: Vec<_> = (0..20)
                    .map(|i| {
                        spawn(async move {
                            let (reader, writer) = open_connection(addr).await.unwrap();
                            let line = format!("fast {i}\n");
                            echo_client(reader, writer, &[line.as_bytes()]).await;
                        })
                    })
                    .collect();
                for f in fast {
                    f.await.unwrap();
                }
                assert!(
                    !slow_done.load(Ordering::SeqCst),
                    "the 20 fast clients should finish while the slow one is still sending"
                );
                slow.await.unwrap();
                assert!(slow_done.load(Ordering::SeqCst));
            });
        });
    }
}

#[test]
fn half_close_the_server_still_writes_back() {
    for (_, rt) in flavours() {
        within(HANG, move || {
            rt.block_on(async {
                // Reads everything until the client's EOF, then answers.
                let server = start_server(
                    |mut reader: StreamReader, mut writer: StreamWriter| async move {
                        let request = reader.read_to_end().await.unwrap();
                        writer.write(format!("got {} bytes\n", request.len()).as_bytes());
                        writer.write(&request);
                        writer.close();
                        writer.wait_closed().await.unwrap();
                    },
                    "127.0.0.1:0",
                )
                .await
                .unwrap();
                let (mut reader, mut writer) =
                    open_connection(server.local_addr().unwrap()).await.unwrap();
                assert!(writer.can_write_eof());
                writer.write(b"all of it");
                writer.write_eof().await.unwrap();
                assert_eq!(reader.readline().await.unwrap(), b"got 9 bytes\n");
                assert_eq!(reader.read_to_end().await.unwrap(), b"all of it");
            });
        });
    }
}

#[test]
fn drain_waits_for_a_peer_that_does_not_read() {
    const TOTAL: usize = 32 << 20; // far more than the socket buffers hold
    for (_, rt) in flavours() {
        within(Duration::from_secs(30), move || {
            rt.block_on(async {
                let go = Arc::new(Event::new());
                let received = Arc::new(AtomicUsize::new(0));
                let server = start_server(
                    {
                        let go = go.clone();
                        let received = received.clone();
                        move |mut reader: StreamReader, _writer: StreamWriter| {
                            let go = go.clone();
                            let received = received.clone();
                            async move {
                                go.wait().await;
                                let all = reader.read_to_end().await.unwrap();
                                received.store(all.len(), Ordering::SeqCst);
                            }
                        }
                    },
                    "127.0.0.1:0",
                )
                .await
                .unwrap();
                let (_reader, mut writer) =
                    open_connection(server.local_addr().unwrap()).await.unwrap();
                writer.write(&vec![b'x'; TOTAL]);
                // The peer does not read: drain stays pending (a generous
                // "still pending" check; it is cancel-safe, so we retry).
                assert!(
                    timeout(Duration::from_millis(300), writer.drain())
                        .await
                        .is_err()
                );
                assert!(writer.write_buffer_size() > 0);
                go.set();
                writer.drain().await.unwrap();
                assert_eq!(writer.write_buffer_size(), 0);
                writer.close();
                writer.wait_closed().await.unwrap();
                server.close();
                server.wait_closed().await;
                assert_eq!(received.load(Ordering::SeqCst), TOTAL);
            });
        });
    }
}

#[test]
fn close_stops_accepting_and_wait_closed_waits_for_handlers() {
    for (_, rt) in flavours() {
        within(HANG, move || {
            rt.block_on(async {
                let server = Arc::new(start_server(echo_lines, "127.0.0.1:0").await.unwrap());
                let addr = server.local_addr().unwrap();
                let (mut reader, mut writer) = open_connection(addr).await.unwrap();
                writer.write(b"before close\n");
                writer.drain().await.unwrap();
                assert_eq!(reader.readline().await.unwrap(), b"before close\n");

                server.close();
                server.close(); // idempotent
                assert!(!server.is_serving());
                // The listening socket is closed by close() itself.
                let refused = open_connection(addr).await.map(|_| ()).unwrap_err();
                assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);
                // The connection is still being handled: wait_closed waits.
                assert!(
                    timeout(Duration::from_millis(200), server.wait_closed())
                        .await
                        .is_err()
                );
                assert_eq!(server.connections(), 1);
                // ... and it still works.
                writer.write(b"after close\n");
                writer.drain().await.unwrap();
                assert_eq!(reader.readline().await.unwrap(), b"after close\n");
                // No new connections.
                let refused = open_connection(addr).await.map(|_| ()).unwrap_err();
                assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);

                writer.write_eof().await.unwrap(); // the handler returns
                server.wait_closed().await;
                assert_eq!(server.connections(), 0);
            });
        });
    }
}

#[test]
fn serve_forever_returns_on_close_and_closes_when_dropped() {
    let rt = multi(2);
    within(HANG, move || {
        rt.block_on(async {
            let server = Arc::new(start_server(echo_lines, "127.0.0.1:0").await.unwrap());
            let serving = spawn({
                let server = server.clone();
                async move { server.serve_forever().await }
            });
            sleep(Duration::from_millis(50)).await;
            assert!(!serving.is_finished());
            server.close();
            serving.await.unwrap().unwrap();
            // Already closed: returns at once.
            server.serve_forever().await.unwrap();

            // Cancelling serve_forever closes the server, as in asyncio.
            let server = start_server(echo_lines, "127.0.0.1:0").await.unwrap();
            let _ = timeout(Duration::from_millis(50), server.serve_forever()).await;
            assert!(!server.is_serving());
            server.wait_closed().await;
        });
    });
}

#[test]
fn dropping_the_server_closes_it() {
    for (_, rt) in flavours() {
        within(HANG, move || {
            rt.block_on(async {
                let server = start_server(echo_lines, "127.0.0.1:0").await.unwrap();
                let addr = server.local_addr().unwrap();
                drop(server);
                let refused = open_connection(addr).await.map(|_| ()).unwrap_err();
                assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);
            });
        });
    }
}

#[test]
fn limit_overrun_and_incomplete_read_over_a_socket() {
    for (_, rt) in flavours() {
        within(HANG, move || {
            rt.block_on(async {
                let server = start_server(
                    |_reader: StreamReader, mut writer: StreamWriter| async move {
                        writer.write(b"0123456789ABCDEF\nok\nabc");
                        writer.close();
                        let _ = writer.wait_closed().await;
                    },
                    "127.0.0.1:0",
                )
                .await
                .unwrap();
                let (mut reader, _writer) = ConnectOptions::new()
                    .limit(8)
                    .open_connection(server.local_addr().unwrap())
                    .await
                    .unwrap();
                let e = reader.readuntil(b"\n").await.unwrap_err();
                assert!(matches!(e, StreamError::LimitOverrun(_)), "{e:?}");
                // The data was left in the buffer: the stream is usable.
                assert_eq!(reader.readexactly(17).await.unwrap(), b"0123456789ABCDEF\n");
                assert_eq!(reader.readline().await.unwrap(), b"ok\n");
                match reader.readexactly(10).await {
                    Err(StreamError::IncompleteRead(e)) => {
                        assert_eq!(e.partial, b"abc");
                        assert_eq!(e.expected, Some(10));
                    }
                    other => panic!("{other:?}"),
                }
                // `?` into io::Error keeps the kind.
                let as_io: io::Result<Vec<u8>> = async { Ok(reader.readexactly(1).await?) }.await;
                assert_eq!(as_io.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
            });
        });
    }
}

#[test]
fn server_options_limit_reaches_the_handlers() {
    let rt = multi(2);
    within(HANG, move || {
        rt.block_on(async {
            let server: Server = ServerOptions::new()
                .limit(4)
                .backlog(16)
                .start_server(
                    |mut reader: StreamReader, mut writer: StreamWriter| async move {
                        let reply = match reader.readline().await {
                            Err(StreamError::LimitOverrun(e)) => format!("overrun {}\n", e.limit),
                            other => format!("{other:?}\n"),
                        };
                        writer.write(reply.as_bytes());
                        let _ = writer.drain().await;
                    },
                    "127.0.0.1:0",
                )
                .await
                .unwrap();
            let (mut reader, mut writer) =
                open_connection(server.local_addr().unwrap()).await.unwrap();
            writer.write(b"much too long\n");
            writer.drain().await.unwrap();
            assert_eq!(reader.readline().await.unwrap(), b"overrun 4\n");
        });
    });
}

#[test]
fn drain_reports_a_dead_peer() {
    for (_, rt) in flavours() {
        within(HANG, move || {
            rt.block_on(async {
                // The handler drops both halves at once: the socket closes.
                let server =
                    start_server(|_r: StreamReader, _w: StreamWriter| async {}, "127.0.0.1:0")
                        .await
                        .unwrap();
                let (_reader, mut writer) =
                    open_connection(server.local_addr().unwrap()).await.unwrap();
                let err = loop {
                    writer.write(&[0u8; 64 * 1024]);
                    if let Err(e) = writer.drain().await {
                        break e;
                    }
                    sleep(Duration::from_millis(5)).await;
                };
                assert!(
                    matches!(
                        err.kind(),
                        io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset
                    ),
                    "{err:?}"
                );
                // The failure sticks.
                writer.write(b"x");
                assert_eq!(writer.drain().await.unwrap_err().kind(), err.kind());
            });
        });
    }
}
