//! Faults: resets, dead peers (with SIGPIPE at its default, deadly
//! disposition, so a missing MSG_NOSIGNAL would kill this test process),
//! half-closed connections.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, Shutdown};
use std::sync::Once;
use std::time::Duration;

use runtime_core::Runtime;
use runtime_io::net::{TcpListener, TcpStream, UnixListener, UnixStream};

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

/// Rust programs start with SIGPIPE ignored; put back the default (which
/// terminates the process) so that these tests prove our writes never
/// raise it.
fn sigpipe_kills() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: installs the default disposition; no handler code runs.
        let previous = unsafe { nix::libc::signal(nix::libc::SIGPIPE, nix::libc::SIG_DFL) };
        assert_ne!(previous, nix::libc::SIG_ERR);
    });
}

/// A connected (client, server-side) pair over loopback.
async fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let client = runtime_core::spawn(async move { TcpStream::connect(addr).await.unwrap() });
    let (server_side, _) = listener.accept().await.unwrap();
    (client.await.unwrap(), server_side)
}

fn is_dead_peer(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset
    )
}

/// Writes (with `$write`, an expression yielding a write future) until the
/// kernel reports the dead peer: the first writes may still be accepted
/// into the send buffer before the peer's reset comes back.
macro_rules! write_until_error {
    ($write:expr) => {{
        let mut error = None;
        for _ in 0..10_000 {
            if let Err(e) = $write.await {
                error = Some(e);
                break;
            }
            runtime_core::time::sleep(Duration::from_millis(1)).await;
        }
        error.expect("writes to a dead peer kept succeeding")
    }};
}

#[test]
fn peer_reset_mid_read_is_connection_reset() {
    on_each_runtime(|| async {
        let (client, server_side) = tcp_pair().await;
        let reader = runtime_core::spawn(async move {
            let mut buf = [0u8; 64];
            // The first read gets the data, the next one the reset.
            let n = client.read(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"partial");
            client.read(&mut buf).await
        });
        server_side.write_all(b"partial").await.unwrap();
        runtime_core::time::sleep(Duration::from_millis(50)).await;
        // Linger 0: close sends RST instead of FIN.
        server_side.set_linger(Some(Duration::ZERO)).unwrap();
        drop(server_side);
        let err = reader.await.unwrap().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset, "{err}");
    });
}

#[test]
fn peer_reset_mid_write_is_an_error_not_a_signal() {
    sigpipe_kills();
    on_each_runtime(|| async {
        let (client, server_side) = tcp_pair().await;
        // The client writes far more than the buffers hold, so it is
        // waiting for writability when the reset lands.
        let writer = runtime_core::spawn(async move {
            let chunk = vec![7u8; 1 << 20];
            loop {
                if let Err(e) = client.write_all(&chunk).await {
                    return e;
                }
            }
        });
        runtime_core::time::sleep(Duration::from_millis(50)).await;
        server_side.set_linger(Some(Duration::ZERO)).unwrap();
        drop(server_side);
        let err = writer.await.unwrap();
        assert!(is_dead_peer(&err), "{err}");
    });
}

#[test]
fn writing_to_a_closed_tcp_peer_is_broken_pipe_or_reset() {
    sigpipe_kills();
    on_each_runtime(|| async {
        let (client, server_side) = tcp_pair().await;
        drop(server_side);
        let err = write_until_error!(client.write(b"anyone there?"));
        assert!(is_dead_peer(&err), "{err}");
        // And the owned write half, and the vectored path.
        let (client, server_side) = tcp_pair().await;
        drop(server_side);
        let (_r, w) = client.into_split();
        let bufs = [io::IoSlice::new(b"a"), io::IoSlice::new(b"b")];
        let err = write_until_error!(w.write_vectored(&bufs));
        assert!(is_dead_peer(&err), "{err}");
    });
}

#[test]
fn writing_to_a_closed_unix_peer_is_broken_pipe() {
    sigpipe_kills();
    on_each_runtime(|| async {
        let (a, b) = UnixStream::pair().unwrap();
        drop(b);
        let err = a.write(b"anyone there?").await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe, "{err}");
        assert!(a.try_write(b"x").is_err());
    });
}

#[test]
fn connecting_to_a_unix_path_nobody_listens_on_is_refused() {
    on_each_runtime(|| async {
        let path = std::env::temp_dir().join(format!(
            "rt-net-refused-{}-{:?}.sock",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_file(&path);
        // Dropping the listener leaves the socket file behind.
        drop(UnixListener::bind(&path).unwrap());
        let err = UnixStream::connect(&path).await.unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused, "{err}");
    });
}

#[test]
fn tcp_half_close_reads_eof_and_can_still_write() {
    on_each_runtime(|| async {
        let (client, server_side) = tcp_pair().await;
        client.write_all(b"request").await.unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        // The server sees the request, then EOF...
        let mut request = Vec::new();
        server_side.read_to_end(&mut request).await.unwrap();
        assert_eq!(request, b"request");
        // ...and can still answer, which the half-closed client receives.
        server_side.write_all(b"response").await.unwrap();
        drop(server_side);
        let mut response = Vec::new();
        client.read_to_end(&mut response).await.unwrap();
        assert_eq!(response, b"response");
    });
}

#[test]
fn dropping_the_owned_write_half_sends_eof_but_reading_goes_on() {
    on_each_runtime(|| async {
        let (client, server_side) = tcp_pair().await;
        let (reader, writer) = client.into_split();
        writer.write_all(b"bye").await.unwrap();
        drop(writer);
        let mut got = Vec::new();
        server_side.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"bye");
        server_side.write_all(b"still here").await.unwrap();
        let mut buf = [0u8; 10];
        reader.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"still here");
    });
}

#[test]
fn reads_on_both_ends_of_a_reset_connection_fail_cleanly_afterwards() {
    on_each_runtime(|| async {
        let (client, server_side) = tcp_pair().await;
        server_side.set_linger(Some(Duration::ZERO)).unwrap();
        drop(server_side);
        let mut buf = [0u8; 8];
        let first = client.read(&mut buf).await;
        assert_eq!(first.unwrap_err().kind(), io::ErrorKind::ConnectionReset);
        // After the reset the socket reads as closed; no hang, no panic.
        assert_eq!(client.read(&mut buf).await.unwrap(), 0);
        assert!(client.peer_addr().is_err());
        assert!(format!("{client:?}").contains("TcpStream"));
    });
}

/// A fresh socket reports EPOLLHUP before it is connected; if the reactor
/// took that for a permanent "read closed", a read that blocks would retry
/// forever without ever returning Pending, so the timeout below could not
/// fire (found in review: it hung within ~40 connects on 2 workers).
#[test]
fn a_read_on_a_fresh_connection_waits_instead_of_spinning() {
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = Runtime::builder().worker_threads(2).build().unwrap();
        rt.block_on(async {
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
            let addr = listener.local_addr().unwrap();
            let mut accepted = Vec::new();
            for _ in 0..300 {
                let (client, server) =
                    runtime_core::join!(TcpStream::connect(addr), listener.accept());
                let client = client.unwrap();
                accepted.push(server.unwrap().0);
                let mut buf = [0u8; 16];
                // The server side sends nothing: the read must wait.
                let read =
                    runtime_core::time::timeout(Duration::from_millis(2), client.read(&mut buf));
                assert!(
                    read.await.is_err(),
                    "nothing was sent, so the read times out"
                );
            }
        });
        let _ = done_tx.send(());
    });
    done_rx
        .recv_timeout(Duration::from_secs(120))
        .expect("every read timed out instead of spinning");
}
