//! UdpSocket on loopback, on both runtime flavours.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use runtime_core::Runtime;
use runtime_io::net::UdpSocket;

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

async fn bound() -> (UdpSocket, SocketAddr) {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let addr = socket.local_addr().unwrap();
    (socket, addr)
}

#[test]
fn send_to_and_recv_from() {
    on_each_runtime(|| async {
        let (a, a_addr) = bound().await;
        let (b, b_addr) = bound().await;
        assert_eq!(a.send_to(b"ping", b_addr).await.unwrap(), 4);
        let mut buf = [0u8; 64];
        let (n, from) = b.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"ping"[..], a_addr));
        b.send_to(b"pong", from).await.unwrap();
        let (n, from) = a.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"pong"[..], b_addr));
    });
}

#[test]
fn recv_from_waits_for_a_datagram_from_another_task() {
    on_each_runtime(|| async {
        let (a, a_addr) = bound().await;
        let receiver = runtime_core::spawn(async move {
            let mut buf = [0u8; 16];
            let (n, _) = a.recv_from(&mut buf).await.unwrap();
            buf[..n].to_vec()
        });
        runtime_core::time::sleep(Duration::from_millis(20)).await;
        let (b, _) = bound().await;
        b.send_to(b"late", a_addr).await.unwrap();
        assert_eq!(receiver.await.unwrap(), b"late");
    });
}

#[test]
fn connected_send_and_recv() {
    on_each_runtime(|| async {
        let (a, a_addr) = bound().await;
        let (b, b_addr) = bound().await;
        a.connect(b_addr).await.unwrap();
        b.connect(a_addr).await.unwrap();
        assert_eq!(a.peer_addr().unwrap(), b_addr);
        a.send(b"one").await.unwrap();
        a.send(b"two").await.unwrap();
        let mut buf = [0u8; 16];
        // Datagram boundaries are kept.
        let n = b.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"one");
        let n = b.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"two");
        b.send(b"back").await.unwrap();
        let n = a.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"back");
    });
}

#[test]
fn connect_and_send_to_by_host_name() {
    on_each_runtime(|| async {
        let (a, a_addr) = bound().await;
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        b.send_to(b"by name", ("127.0.0.1", a_addr.port()))
            .await
            .unwrap();
        let mut buf = [0u8; 16];
        let (n, _) = a.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"by name");
        // "localhost" may list ::1 first, which a v4 socket cannot connect
        // to; connect goes on to 127.0.0.1.
        b.connect(format!("localhost:{}", a_addr.port()))
            .await
            .unwrap();
        assert_eq!(b.peer_addr().unwrap(), a_addr);
    });
}

#[test]
fn peek_from_leaves_the_datagram_queued() {
    on_each_runtime(|| async {
        let (a, a_addr) = bound().await;
        let (b, b_addr) = bound().await;
        b.send_to(b"peek me", a_addr).await.unwrap();
        let mut buf = [0u8; 16];
        let (n, from) = a.peek_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"peek me"[..], b_addr));
        let (n, from) = a.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"peek me"[..], b_addr));
    });
}

#[test]
fn try_methods_do_not_wait() {
    on_each_runtime(|| async {
        let (a, a_addr) = bound().await;
        let (b, b_addr) = bound().await;
        let mut buf = [0u8; 16];
        assert_eq!(
            a.try_recv_from(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        b.writable().await.unwrap();
        b.try_send_to(b"now", a_addr).unwrap();
        loop {
            a.readable().await.unwrap();
            match a.try_recv_from(&mut buf) {
                Ok((n, from)) => {
                    assert_eq!((&buf[..n], from), (&b"now"[..], b_addr));
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => panic!("{e}"),
            }
        }
        a.connect(b_addr).await.unwrap();
        a.try_send(b"x").unwrap();
        b.readable().await.unwrap();
        let mut got = None;
        while got.is_none() {
            match b.try_recv(&mut buf) {
                Ok(n) => got = Some(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => b.readable().await.unwrap(),
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(got, Some(1));
    });
}

#[test]
fn a_shared_socket_serves_several_receivers() {
    on_each_runtime(|| async {
        let (a, a_addr) = bound().await;
        let a = Arc::new(a);
        let receivers: Vec<_> = (0..4)
            .map(|_| {
                let a = a.clone();
                runtime_core::spawn(async move {
                    let mut buf = [0u8; 8];
                    let (n, _) = a.recv_from(&mut buf).await.unwrap();
                    buf[0..n].to_vec()
                })
            })
            .collect();
        let (b, _) = bound().await;
        for i in 0..4u8 {
            b.send_to(&[i], a_addr).await.unwrap();
        }
        let mut got: Vec<u8> = Vec::new();
        for r in receivers {
            got.extend(r.await.unwrap());
        }
        got.sort_unstable();
        assert_eq!(got, [0, 1, 2, 3]);
    });
}

#[test]
fn options_and_conversions() {
    on_each_runtime(|| async {
        let (a, a_addr) = bound().await;
        assert!(!a.broadcast().unwrap());
        a.set_broadcast(true).unwrap();
        assert!(a.broadcast().unwrap());
        a.set_ttl(7).unwrap();
        assert_eq!(a.ttl().unwrap(), 7);
        assert_eq!(
            a.peer_addr().unwrap_err().kind(),
            io::ErrorKind::NotConnected
        );
        assert!(format!("{a:?}").contains("UdpSocket"));
        let std_socket = a.into_std().unwrap();
        assert_eq!(std_socket.local_addr().unwrap(), a_addr);
        let a = UdpSocket::from_std(std_socket).unwrap();
        let (b, _) = bound().await;
        b.send_to(b"again", a_addr).await.unwrap();
        let mut buf = [0u8; 8];
        let (n, _) = a.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"again");
    });
}
