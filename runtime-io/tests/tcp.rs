//! TcpListener and TcpStream on real loopback sockets, on a 2-worker
//! multi-thread runtime and on the current-thread runtime.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, Shutdown, SocketAddr};
use std::time::Duration;

use runtime_core::Runtime;
use runtime_io::net::{TcpListener, TcpStream};

/// Runs `test` on each flavour, failing (not hanging) after a generous bound.
fn on_each_runtime<F, Fut>(test: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let runtimes = [
        (
            "multi-thread",
            Runtime::builder().worker_threads(2).build().unwrap(),
        ),
        (
            "current-thread",
            Runtime::builder().current_thread().build().unwrap(),
        ),
    ];
    for (name, rt) in runtimes {
        let test = test();
        // The timer is made inside the runtime whose clock it uses.
        rt.block_on(async { runtime_core::time::timeout(Duration::from_secs(30), test).await })
            .unwrap_or_else(|_| panic!("{name}: the test did not finish in 30 s"));
    }
}

/// A listener on a free loopback port and its address.
async fn listener() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// Spawns a server that echoes every connection it accepts until EOF.
fn spawn_echo_server(listener: TcpListener) -> runtime_core::Task<()> {
    runtime_core::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            runtime_core::spawn(async move {
                let mut buf = vec![0u8; 4096];
                loop {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            if stream.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            })
            .detach();
        }
    })
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn echo_round_trip() {
    on_each_runtime(|| async {
        let (listener, addr) = listener().await;
        let _server = spawn_echo_server(listener);
        let client = TcpStream::connect(addr).await.unwrap();
        client.set_nodelay(true).unwrap();
        for message in [&b"hello"[..], b"", b"a somewhat longer line\n"] {
            client.write_all(message).await.unwrap();
            let mut reply = vec![0u8; message.len()];
            client.read_exact(&mut reply).await.unwrap();
            assert_eq!(reply, message);
        }
    });
}

#[test]
fn large_echo_through_owned_halves_in_two_tasks() {
    on_each_runtime(|| async {
        let (listener, addr) = listener().await;
        let _server = spawn_echo_server(listener);
        let (reader, writer) = TcpStream::connect(addr).await.unwrap().into_split();
        // Bigger than the socket buffers: the writer must wait for the
        // reader to drain, in another task, or this deadlocks.
        let data = pattern(4 << 20);
        let expected = data.clone();
        let write = runtime_core::spawn(async move {
            for chunk in data.chunks(100_000) {
                writer.write_all(chunk).await.unwrap();
            }
            writer
        });
        let read = runtime_core::spawn(async move {
            let mut got = vec![0u8; expected.len()];
            reader.read_exact(&mut got).await.unwrap();
            assert!(got == expected, "echoed bytes differ");
            reader
        });
        let writer = write.await.unwrap();
        let reader = read.await.unwrap();
        let stream = reader.reunite(writer).unwrap();
        assert_eq!(stream.peer_addr().unwrap(), addr);
    });
}

#[test]
fn reunite_refuses_halves_of_different_streams() {
    on_each_runtime(|| async {
        let (listener, addr) = listener().await;
        let _server = spawn_echo_server(listener);
        let (r1, w1) = TcpStream::connect(addr).await.unwrap().into_split();
        let (r2, w2) = TcpStream::connect(addr).await.unwrap().into_split();
        let runtime_io::net::tcp::ReuniteError(r1, w2) = r1.reunite(w2).unwrap_err();
        r1.reunite(w1).unwrap();
        r2.reunite(w2).unwrap();
    });
}

#[test]
fn borrowed_halves_read_and_write_concurrently() {
    on_each_runtime(|| async {
        let (listener, addr) = listener().await;
        let _server = spawn_echo_server(listener);
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let (reader, writer) = stream.split();
        let data = pattern(1 << 20);
        let mut got = vec![0u8; data.len()];
        let (w, r) = futures::join!(writer.write_all(&data), reader.read_exact(&mut got));
        w.unwrap();
        r.unwrap();
        assert!(got == data);
    });
}

#[test]
fn vectored_writes_stalled_on_a_full_send_buffer_resume_for_a_slow_reader() {
    // Each `write_vectored` offers two slices; a send that takes only part
    // of them (the buffer filled) must be woken by the reader's draining.
    // The reader takes odd-sized bites and yields between them. A lost
    // edge hangs here (and the 30 s bound fails the test).
    on_each_runtime(|| async {
        let (listener, addr) = listener().await;
        let accept = runtime_core::spawn(async move { listener.accept().await.unwrap().0 });
        let writer = TcpStream::connect(addr).await.unwrap();
        let reader = accept.await.unwrap();
        let data = pattern(16 << 20);
        let expected = data.clone();
        let write = runtime_core::spawn(async move {
            let mut sent = 0;
            while sent < data.len() {
                let rest = &data[sent..];
                let (a, b) = rest.split_at(rest.len() / 2);
                let n = writer
                    .write_vectored(&[io::IoSlice::new(a), io::IoSlice::new(b)])
                    .await
                    .unwrap();
                assert!(n > 0);
                sent += n;
            }
        });
        let mut got = Vec::with_capacity(expected.len());
        let mut bite = vec![0u8; 64 * 1024 + 3];
        while got.len() < expected.len() {
            let n = reader.read(&mut bite).await.unwrap();
            assert!(n > 0, "end of stream after {} bytes", got.len());
            got.extend_from_slice(&bite[..n]);
            runtime_core::yield_now().await;
        }
        write.await.unwrap();
        assert!(got == expected);
    });
}

#[test]
fn accept_reports_the_peer_address() {
    on_each_runtime(|| async {
        let (listener, addr) = listener().await;
        let client = runtime_core::spawn(async move { TcpStream::connect(addr).await.unwrap() });
        let (server_side, peer) = listener.accept().await.unwrap();
        let client = client.await.unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        assert_eq!(
            server_side.peer_addr().unwrap(),
            client.local_addr().unwrap()
        );
        assert_eq!(server_side.local_addr().unwrap(), addr);
    });
}

#[test]
fn connect_to_a_closed_port_is_refused() {
    on_each_runtime(|| async {
        let (listener, addr) = listener().await;
        drop(listener);
        let err = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused, "{err}");
    });
}

#[test]
fn connect_by_host_name() {
    on_each_runtime(|| async {
        let (listener, addr) = listener().await;
        let _server = spawn_echo_server(listener);
        // "localhost" may resolve to ::1 first (refused: we listen on v4
        // only); connect must go on to 127.0.0.1.
        for stream in [
            TcpStream::connect(("localhost", addr.port()))
                .await
                .unwrap(),
            TcpStream::connect(format!("localhost:{}", addr.port()))
                .await
                .unwrap(),
        ] {
            stream.write_all(b"ping").await.unwrap();
            let mut buf = [0u8; 4];
            stream.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"ping");
        }
    });
}

#[test]
fn literal_string_addresses_and_slices_work() {
    on_each_runtime(|| async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let _server = spawn_echo_server(listener);
        let closed = {
            let (l, a) = self::listener().await;
            drop(l);
            a
        };
        // The first address is refused; the second is taken.
        let addrs = [closed, addr];
        let stream = TcpStream::connect(&addrs[..]).await.unwrap();
        assert_eq!(stream.peer_addr().unwrap(), addr);
        let stream = TcpStream::connect(addr.to_string()).await.unwrap();
        assert_eq!(stream.peer_addr().unwrap(), addr);
    });
}

#[test]
fn a_name_that_does_not_resolve_is_an_error() {
    on_each_runtime(|| async {
        // ".invalid" is reserved never to resolve (RFC 2606).
        let err = TcpStream::connect("no-such-host.invalid:80")
            .await
            .unwrap_err();
        assert_ne!(err.kind(), io::ErrorKind::ConnectionRefused, "{err}");
        let err = TcpStream::connect("no port here").await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
    });
}

#[test]
fn connect_respects_a_timeout_wrapper() {
    on_each_runtime(|| async {
        let (listener, addr) = listener().await;
        let _server = spawn_echo_server(listener);
        let stream = runtime_core::time::timeout(Duration::from_secs(10), TcpStream::connect(addr))
            .await
            .expect("loopback connect is quick")
            .unwrap();
        drop(stream);
    });
}

#[test]
fn peek_leaves_bytes_for_read() {
    on_each_runtime(|| async {
        let (listener, addr) = listener().await;
        let _server = spawn_echo_server(listener);
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"abc").await.unwrap();
        let mut buf = [0u8; 3];
        let mut seen = 0;
        while seen < 3 {
            seen = stream.peek(&mut buf).await.unwrap();
        }
        assert_eq!(&buf, b"abc");
        let mut buf = [0u8; 3];
        stream.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"abc");
    });
}

#[test]
fn try_read_and_try_write_do_not_wait() {
    on_each_runtime(|| async {
        let (listener, addr) = listener().await;
        let _server = spawn_echo_server(listener);
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 8];
        let err = stream.try_read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        stream.writable().await.unwrap();
        assert_eq!(stream.try_write(b"xyz").unwrap(), 3);
        let mut got = Vec::new();
        while got.len() < 3 {
            stream.readable().await.unwrap();
            match stream.try_read(&mut buf) {
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(got, b"xyz");
    });
}

#[test]
fn read_to_end_collects_until_the_peer_shuts_down() {
    on_each_runtime(|| async {
        let (listener, addr) = listener().await;
        let data = pattern(300_000);
        let sent = data.clone();
        let server = runtime_core::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            stream.write_all(&sent).await.unwrap();
            stream.shutdown(Shutdown::Write).unwrap();
        });
        let client = TcpStream::connect(addr).await.unwrap();
        let mut got = b"prefix".to_vec();
        let n = client.read_to_end(&mut got).await.unwrap();
        assert_eq!(n, data.len());
        assert_eq!(&got[..6], b"prefix");
        assert!(got[6..] == data[..]);
        server.await.unwrap();
    });
}

#[test]
fn futures_io_traits_work_with_futures_copy() {
    use futures::io::{AsyncReadExt, AsyncWriteExt};
    on_each_runtime(|| async {
        let (listener, addr) = listener().await;
        // A server that echoes with futures::io::copy over its owned halves,
        // then closes its write side (poll_close = shutdown(Write)).
        let server = runtime_core::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (mut reader, mut writer) = stream.into_split();
            let n = futures::io::copy(&mut reader, &mut writer).await.unwrap();
            writer.close().await.unwrap();
            n
        });
        let mut client = TcpStream::connect(addr).await.unwrap();
        let data = pattern(200_000);
        // `TcpStream::split`, not `client.split()`: with AsyncReadExt in
        // scope, method syntax picks the trait's by-value `split`.
        let (mut reader, mut writer) = TcpStream::split(&mut client);
        let send = async {
            AsyncWriteExt::write_all(&mut writer, &data).await.unwrap();
            writer.close().await.unwrap();
        };
        let mut got = Vec::new();
        let recv = async {
            AsyncReadExt::read_to_end(&mut reader, &mut got)
                .await
                .unwrap()
        };
        futures::join!(send, recv);
        assert!(got == data);
        assert_eq!(server.await.unwrap(), data.len() as u64);
        // `&TcpStream` implements the traits too.
        let mut shared = &client;
        assert_eq!(AsyncWriteExt::write(&mut shared, b"").await.unwrap(), 0);
    });
}

#[test]
fn socket_options_round_trip() {
    on_each_runtime(|| async {
        let (listener, addr) = listener().await;
        let _server = spawn_echo_server(listener);
        let stream = TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        assert!(stream.nodelay().unwrap());
        stream.set_nodelay(false).unwrap();
        assert!(!stream.nodelay().unwrap());
        stream.set_keepalive(true).unwrap();
        assert!(stream.keepalive().unwrap());
        assert_eq!(stream.linger().unwrap(), None);
        stream.set_linger(Some(Duration::from_secs(3))).unwrap();
        assert_eq!(stream.linger().unwrap(), Some(Duration::from_secs(3)));
        stream.set_linger(None).unwrap();
        assert_eq!(stream.linger().unwrap(), None);
        stream.set_ttl(42).unwrap();
        assert_eq!(stream.ttl().unwrap(), 42);
        assert!(stream.take_error().unwrap().is_none());
        let debug = format!("{stream:?}");
        assert!(
            debug.contains("TcpStream") && debug.contains("peer_addr"),
            "{debug}"
        );
    });
}

#[test]
fn builder_sets_backlog_and_reuse_port() {
    on_each_runtime(|| async {
        let a = TcpListener::builder("127.0.0.1:0")
            .backlog(16)
            .reuse_port(true)
            .bind()
            .await
            .unwrap();
        let addr = a.local_addr().unwrap();
        // A second listener on the same port: only with SO_REUSEPORT.
        let b = TcpListener::builder(addr)
            .reuse_port(true)
            .bind()
            .await
            .unwrap();
        assert_eq!(b.local_addr().unwrap(), addr);
        let err = TcpListener::bind(addr).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse, "{err}");
    });
}

#[test]
fn std_conversions_keep_the_connection() {
    on_each_runtime(|| async {
        let (listener, addr) = listener().await;
        let listener = TcpListener::from_std(listener.into_std().unwrap()).unwrap();
        let _server = spawn_echo_server(listener);
        let std_stream = std::net::TcpStream::connect(addr).unwrap();
        let stream = TcpStream::from_std(std_stream).unwrap();
        stream.write_all(b"via std").await.unwrap();
        let mut buf = [0u8; 7];
        stream.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"via std");
        let std_stream = stream.into_std().unwrap();
        assert_eq!(std_stream.peer_addr().unwrap(), addr);
    });
}

#[test]
fn sockets_are_close_on_exec_and_non_blocking() {
    use std::os::fd::AsRawFd;
    on_each_runtime(|| async {
        let (listener, addr) = listener().await;
        let client = runtime_core::spawn(async move { TcpStream::connect(addr).await.unwrap() });
        let (accepted, _) = listener.accept().await.unwrap();
        let client = client.await.unwrap();
        for fd in [
            listener.as_raw_fd(),
            accepted.as_raw_fd(),
            client.as_raw_fd(),
        ] {
            // SAFETY: fcntl F_GETFD/F_GETFL on open descriptors reads flags only.
            let (fd_flags, fl_flags) = unsafe {
                (
                    nix::libc::fcntl(fd, nix::libc::F_GETFD),
                    nix::libc::fcntl(fd, nix::libc::F_GETFL),
                )
            };
            assert!(
                fd_flags & nix::libc::FD_CLOEXEC != 0,
                "fd {fd} lacks FD_CLOEXEC"
            );
            assert!(
                fl_flags & nix::libc::O_NONBLOCK != 0,
                "fd {fd} lacks O_NONBLOCK"
            );
        }
    });
}

#[test]
fn creating_a_socket_outside_a_runtime_is_an_error_not_a_panic() {
    let err = futures::executor::block_on(TcpListener::bind("127.0.0.1:0")).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::Other, "{err}");
    let err = futures::executor::block_on(TcpStream::connect("localhost:1")).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::Other, "{err}");
}
