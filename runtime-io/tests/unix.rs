//! Unix stream and datagram sockets, on both runtime flavours. Socket
//! files live under the temp dir, named with the pid, and are removed.

use std::future::Future;
use std::io;
use std::net::Shutdown;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use runtime_core::Runtime;
use runtime_io::net::{UnixDatagram, UnixListener, UnixStream};

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

/// A unique socket path that is removed when dropped.
struct TempPath(PathBuf);

impl TempPath {
    fn new(tag: &str) -> TempPath {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("rt-net-{tag}-{}-{n}.sock", std::process::id()));
        let _ = std::fs::remove_file(&path);
        TempPath(path)
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn spawn_echo_server(listener: UnixListener) {
    runtime_core::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            runtime_core::spawn(async move {
                let mut buf = vec![0u8; 4096];
                while let Ok(n @ 1..) = stream.read(&mut buf).await {
                    if stream.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            })
            .detach();
        }
    })
    .detach();
}

#[test]
fn stream_echo_round_trip_through_a_listener() {
    on_each_runtime(|| async {
        let path = TempPath::new("echo");
        let listener = UnixListener::bind(&path.0).unwrap();
        assert_eq!(
            listener.local_addr().unwrap().as_pathname(),
            Some(path.0.as_path())
        );
        spawn_echo_server(listener);
        let stream = UnixStream::connect(&path.0).await.unwrap();
        assert_eq!(
            stream.peer_addr().unwrap().as_pathname(),
            Some(path.0.as_path())
        );
        assert!(stream.local_addr().unwrap().is_unnamed());
        let data: Vec<u8> = (0..1_000_000u32).map(|i| i as u8).collect();
        let (reader, writer) = stream.into_split();
        let expected = data.clone();
        let write = runtime_core::spawn(async move {
            writer.write_all(&data).await.unwrap();
            writer
        });
        let mut got = vec![0u8; expected.len()];
        reader.read_exact(&mut got).await.unwrap();
        assert!(got == expected);
        let stream = reader.reunite(write.await.unwrap()).unwrap();
        drop(stream);
    });
}

#[test]
fn accept_hands_back_a_working_stream() {
    on_each_runtime(|| async {
        let path = TempPath::new("accept");
        let listener = UnixListener::bind(&path.0).unwrap();
        let client = UnixStream::connect(&path.0).await.unwrap();
        let (server_side, peer) = listener.accept().await.unwrap();
        assert!(peer.is_unnamed());
        client.write_all(b"hello").await.unwrap();
        let mut buf = [0u8; 5];
        server_side.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hello");
        let mut peeked = [0u8; 2];
        server_side.write_all(b"ok").await.unwrap();
        let mut n = 0;
        while n < 2 {
            n = client.peek(&mut peeked).await.unwrap();
        }
        let mut buf = [0u8; 2];
        client.read_exact(&mut buf).await.unwrap();
        assert_eq!((&peeked, &buf), (b"ok", b"ok"));
    });
}

#[test]
fn stream_pair_half_close_and_futures_copy() {
    use futures::io::{AsyncReadExt, AsyncWriteExt};
    on_each_runtime(|| async {
        let (a, b) = UnixStream::pair().unwrap();
        // b echoes with futures::io::copy until a shuts its write side.
        let echo = runtime_core::spawn(async move {
            let (mut r, mut w) = b.into_split();
            let n = futures::io::copy(&mut r, &mut w).await.unwrap();
            w.close().await.unwrap();
            n
        });
        let mut a = a;
        let (mut r, mut w) = UnixStream::split(&mut a);
        let send = async {
            AsyncWriteExt::write_all(&mut w, b"through copy")
                .await
                .unwrap();
            w.shutdown().unwrap();
        };
        let mut got = Vec::new();
        let recv = async { AsyncReadExt::read_to_end(&mut r, &mut got).await.unwrap() };
        futures::join!(send, recv);
        assert_eq!(got, b"through copy");
        assert_eq!(echo.await.unwrap(), 12);
    });
}

#[test]
fn connect_to_a_missing_path_is_not_found() {
    on_each_runtime(|| async {
        let path = TempPath::new("missing");
        let err = UnixStream::connect(&path.0).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound, "{err}");
    });
}

#[test]
fn binding_an_existing_path_is_addr_in_use() {
    on_each_runtime(|| async {
        let path = TempPath::new("inuse");
        let _first = UnixListener::bind(&path.0).unwrap();
        let err = UnixListener::bind(&path.0).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse, "{err}");
    });
}

#[test]
fn stream_half_close_still_lets_the_other_side_write() {
    on_each_runtime(|| async {
        let (a, b) = UnixStream::pair().unwrap();
        a.shutdown(Shutdown::Write).unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(b.read(&mut buf).await.unwrap(), 0);
        b.write_all(b"reply").await.unwrap();
        let mut reply = Vec::new();
        drop(b);
        a.read_to_end(&mut reply).await.unwrap();
        assert_eq!(reply, b"reply");
    });
}

#[test]
fn datagram_send_to_and_recv_from_paths() {
    on_each_runtime(|| async {
        let server_path = TempPath::new("dgram-server");
        let client_path = TempPath::new("dgram-client");
        let server = UnixDatagram::bind(&server_path.0).unwrap();
        let client = UnixDatagram::bind(&client_path.0).unwrap();
        client.send_to(b"request", &server_path.0).await.unwrap();
        let mut buf = [0u8; 32];
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"request");
        assert_eq!(from.as_pathname(), Some(client_path.0.as_path()));
        server
            .send_to(b"reply", from.as_pathname().unwrap())
            .await
            .unwrap();
        let n = client.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"reply");

        // An unbound socket can send, and connect sets its destination.
        let anon = UnixDatagram::unbound().unwrap();
        anon.connect(&server_path.0).unwrap();
        anon.send(b"anon").await.unwrap();
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"anon");
        assert!(from.is_unnamed());
    });
}

#[test]
fn datagram_pair_keeps_boundaries_and_try_methods_do_not_wait() {
    on_each_runtime(|| async {
        let (a, b) = UnixDatagram::pair().unwrap();
        let mut buf = [0u8; 16];
        assert_eq!(
            b.try_recv(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        a.send(b"first").await.unwrap();
        a.try_send(b"second").unwrap();
        let n = b.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"first");
        let n = b.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"second");
        // A receiver waiting in another task is woken by a later send.
        let waiter = runtime_core::spawn(async move {
            let mut buf = [0u8; 16];
            let n = b.recv(&mut buf).await.unwrap();
            buf[..n].to_vec()
        });
        runtime_core::time::sleep(Duration::from_millis(20)).await;
        a.send(b"later").await.unwrap();
        assert_eq!(waiter.await.unwrap(), b"later");
        assert!(format!("{a:?}").contains("UnixDatagram"));
    });
}

#[test]
fn a_writer_stalled_on_a_full_send_buffer_resumes_for_a_slow_reader() {
    // A Unix socket's send buffer is a couple of hundred KiB, so the 4 MiB
    // write keeps stopping short (buffer full) and must be woken by the
    // edge that the reader's draining produces; the reader takes odd-sized
    // bites and yields between them. A lost edge hangs here.
    on_each_runtime(|| async {
        let (writer, reader) = UnixStream::pair().unwrap();
        let data: Vec<u8> = (0..4usize << 20).map(|i| (i * 31 % 251) as u8).collect();
        let expected = data.clone();
        let write = runtime_core::spawn(async move {
            writer.write_all(&data).await.unwrap();
        });
        let mut got = Vec::with_capacity(expected.len());
        let mut bite = [0u8; 3001];
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
