//! Side-by-side networking benchmarks: `runtime::net` on `runtime` vs `tokio::net` on tokio vs
//! `smol::net` (async-io) on smol, each runtime with `num_cpus::get()` worker threads, all on
//! loopback.
//!
//! Issue 5, point 6. Each scenario is written once, generically over [`Net`], which each
//! runtime implements with its own sockets and its own spawn. Per group, each runtime is built,
//! starts its echo server (an accept loop that spawns one echo task per connection) and opens
//! its client connections outside the measurement; an iteration then runs the clients' round
//! trips as tasks, started from inside the runtime (one "driver" task spawns them and waits).
//!
//! - `tcp_echo_{1,64}conn_{64b,16k}`: every client writes a message and reads the echo back,
//!   `ROUND_TRIPS` times per iteration in all (split evenly between the connections).
//! - `tcp_accept_connect_close`: `ACCEPTS` connections per iteration: the client connects and
//!   waits for end-of-stream; the server accepts and closes at once. Both sides close with
//!   `SO_LINGER` 0 (reset, no TIME_WAIT), so the scenario can repeat without running out of
//!   loopback ports.
//! - `udp_ping_pong`: two connected UDP sockets, 64-byte datagrams echoed `ROUND_TRIPS` times.

#[allow(unused)] // Latch, `scenario!` and the spawner handles serve the other benchmarks
mod common;

use std::future::Future;
use std::net::SocketAddr;
use std::os::fd::AsFd;
use std::sync::Arc;

use common::{Group, RuntimeRt, SmolRt, Timers, TokioRt, group, workers};
use criterion::{Criterion, criterion_group, criterion_main};

const ROUND_TRIPS_SMALL: usize = 2_000;
const ROUND_TRIPS_LARGE: usize = 200;
const ACCEPTS: usize = 200;
const ECHO_BUFFER: usize = 64 * 1024;

/// Sets `SO_LINGER` to 0 seconds: closing then resets the connection instead of leaving it in
/// TIME_WAIT.
fn linger_zero(socket: &impl AsFd) {
    let linger = nix::libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    nix::sys::socket::setsockopt(socket, nix::sys::socket::sockopt::Linger, &linger)
        .expect("SO_LINGER");
}

/// What a scenario needs from a runtime and its networking.
trait Net: Send + Sync + 'static {
    type Listener: Send + Sync + 'static;
    type Stream: Send + 'static;
    type Udp: Send + Sync + 'static;

    fn new(workers: usize) -> Self;
    /// Runs `f` as a task and blocks until it finishes.
    fn block_on<F: Future<Output = T> + Send + 'static, T: Send + 'static>(&self, f: F) -> T;
    /// From inside a task: spawns `f` and returns a future of its output.
    fn spawn<F: Future<Output = T> + Send + 'static, T: Send + 'static>(
        &self,
        f: F,
    ) -> impl Future<Output = T> + Send + 'static;

    /// From inside a task: spawns `f` to run on its own (nobody awaits it).
    fn spawn_detached<F: Future<Output = ()> + Send + 'static>(&self, f: F);

    fn bind(&self) -> impl Future<Output = Self::Listener> + Send;
    fn local_addr(listener: &Self::Listener) -> SocketAddr;
    fn accept(listener: &Self::Listener) -> impl Future<Output = Self::Stream> + Send;
    fn connect(addr: SocketAddr) -> impl Future<Output = Self::Stream> + Send;
    /// `connect`, with `None` for a connection the peer already reset.
    fn try_connect(addr: SocketAddr) -> impl Future<Output = Option<Self::Stream>> + Send;
    fn prepare(stream: &Self::Stream);
    fn close_with_reset(stream: Self::Stream);
    /// Reads once; 0 at end of stream or on a reset.
    fn read(stream: &mut Self::Stream, buf: &mut [u8]) -> impl Future<Output = usize> + Send;
    fn read_exact(stream: &mut Self::Stream, buf: &mut [u8]) -> impl Future<Output = ()> + Send;
    fn write_all(stream: &mut Self::Stream, buf: &[u8]) -> impl Future<Output = ()> + Send;

    fn udp_pair(&self) -> impl Future<Output = (Self::Udp, Self::Udp)> + Send;
    fn send(socket: &Self::Udp, buf: &[u8]) -> impl Future<Output = ()> + Send;
    fn recv(socket: &Self::Udp, buf: &mut [u8]) -> impl Future<Output = usize> + Send;
}

// ---------------------------------------------------------------------------------------------
// runtime
// ---------------------------------------------------------------------------------------------

impl Net for RuntimeRt {
    type Listener = runtime::net::TcpListener;
    type Stream = runtime::net::TcpStream;
    type Udp = runtime::net::UdpSocket;

    fn new(workers: usize) -> Self {
        RuntimeRt::start(workers)
    }

    fn block_on<F: Future<Output = T> + Send + 'static, T: Send + 'static>(&self, f: F) -> T {
        self.0.block_on(self.0.spawn(f)).expect("task")
    }

    fn spawn<F: Future<Output = T> + Send + 'static, T: Send + 'static>(
        &self,
        f: F,
    ) -> impl Future<Output = T> + Send + 'static {
        let task = runtime::spawn(f);
        async move { task.await.expect("task") }
    }

    fn spawn_detached<F: Future<Output = ()> + Send + 'static>(&self, f: F) {
        runtime::spawn(f).detach();
    }

    async fn bind(&self) -> Self::Listener {
        runtime::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind")
    }

    fn local_addr(listener: &Self::Listener) -> SocketAddr {
        listener.local_addr().expect("local_addr")
    }

    async fn accept(listener: &Self::Listener) -> Self::Stream {
        listener.accept().await.expect("accept").0
    }

    async fn try_connect(addr: SocketAddr) -> Option<Self::Stream> {
        match runtime::net::TcpStream::connect(addr).await {
            Ok(stream) => Some(stream),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => None,
            Err(e) => panic!("connect: {e}"),
        }
    }

    async fn connect(addr: SocketAddr) -> Self::Stream {
        runtime::net::TcpStream::connect(addr)
            .await
            .expect("connect")
    }

    fn prepare(stream: &Self::Stream) {
        stream.set_nodelay(true).expect("nodelay");
    }

    fn close_with_reset(stream: Self::Stream) {
        linger_zero(&stream);
    }

    async fn read(stream: &mut Self::Stream, buf: &mut [u8]) -> usize {
        stream.read(buf).await.unwrap_or(0)
    }

    async fn read_exact(stream: &mut Self::Stream, buf: &mut [u8]) {
        stream.read_exact(buf).await.expect("read_exact");
    }

    async fn write_all(stream: &mut Self::Stream, buf: &[u8]) {
        stream.write_all(buf).await.expect("write_all");
    }

    async fn udp_pair(&self) -> (Self::Udp, Self::Udp) {
        let a = runtime::net::UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let b = runtime::net::UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("bind");
        a.connect(b.local_addr().unwrap()).await.expect("connect");
        b.connect(a.local_addr().unwrap()).await.expect("connect");
        (a, b)
    }

    async fn send(socket: &Self::Udp, buf: &[u8]) {
        socket.send(buf).await.expect("send");
    }

    async fn recv(socket: &Self::Udp, buf: &mut [u8]) -> usize {
        socket.recv(buf).await.expect("recv")
    }
}

// ---------------------------------------------------------------------------------------------
// tokio
// ---------------------------------------------------------------------------------------------

impl Net for TokioRt {
    type Listener = tokio::net::TcpListener;
    type Stream = tokio::net::TcpStream;
    type Udp = tokio::net::UdpSocket;

    fn new(workers: usize) -> Self {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(workers).enable_all();
        TokioRt(builder.build().expect("build tokio runtime"))
    }

    fn block_on<F: Future<Output = T> + Send + 'static, T: Send + 'static>(&self, f: F) -> T {
        self.0.block_on(self.0.spawn(f)).expect("task")
    }

    fn spawn<F: Future<Output = T> + Send + 'static, T: Send + 'static>(
        &self,
        f: F,
    ) -> impl Future<Output = T> + Send + 'static {
        let task = tokio::spawn(f);
        async move { task.await.expect("task") }
    }

    fn spawn_detached<F: Future<Output = ()> + Send + 'static>(&self, f: F) {
        drop(tokio::spawn(f));
    }

    async fn bind(&self) -> Self::Listener {
        tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind")
    }

    fn local_addr(listener: &Self::Listener) -> SocketAddr {
        listener.local_addr().expect("local_addr")
    }

    async fn accept(listener: &Self::Listener) -> Self::Stream {
        listener.accept().await.expect("accept").0
    }

    async fn try_connect(addr: SocketAddr) -> Option<Self::Stream> {
        match tokio::net::TcpStream::connect(addr).await {
            Ok(stream) => Some(stream),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => None,
            Err(e) => panic!("connect: {e}"),
        }
    }

    async fn connect(addr: SocketAddr) -> Self::Stream {
        tokio::net::TcpStream::connect(addr).await.expect("connect")
    }

    fn prepare(stream: &Self::Stream) {
        stream.set_nodelay(true).expect("nodelay");
    }

    fn close_with_reset(stream: Self::Stream) {
        linger_zero(&stream);
    }

    async fn read(stream: &mut Self::Stream, buf: &mut [u8]) -> usize {
        use tokio::io::AsyncReadExt;
        stream.read(buf).await.unwrap_or(0)
    }

    async fn read_exact(stream: &mut Self::Stream, buf: &mut [u8]) {
        use tokio::io::AsyncReadExt;
        stream.read_exact(buf).await.expect("read_exact");
    }

    async fn write_all(stream: &mut Self::Stream, buf: &[u8]) {
        use tokio::io::AsyncWriteExt;
        stream.write_all(buf).await.expect("write_all");
    }

    async fn udp_pair(&self) -> (Self::Udp, Self::Udp) {
        let a = tokio::net::UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let b = tokio::net::UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("bind");
        a.connect(b.local_addr().unwrap()).await.expect("connect");
        b.connect(a.local_addr().unwrap()).await.expect("connect");
        (a, b)
    }

    async fn send(socket: &Self::Udp, buf: &[u8]) {
        socket.send(buf).await.expect("send");
    }

    async fn recv(socket: &Self::Udp, buf: &mut [u8]) -> usize {
        socket.recv(buf).await.expect("recv")
    }
}

// ---------------------------------------------------------------------------------------------
// smol
// ---------------------------------------------------------------------------------------------

impl Net for SmolRt {
    type Listener = smol::net::TcpListener;
    type Stream = smol::net::TcpStream;
    type Udp = smol::net::UdpSocket;

    fn new(workers: usize) -> Self {
        // Workers inside async-io's block_on, which also drives its reactor (smol's own model).
        SmolRt::start(workers, Timers::On)
    }

    fn block_on<F: Future<Output = T> + Send + 'static, T: Send + 'static>(&self, f: F) -> T {
        smol::future::block_on(self.ex.spawn(f))
    }

    fn spawn<F: Future<Output = T> + Send + 'static, T: Send + 'static>(
        &self,
        f: F,
    ) -> impl Future<Output = T> + Send + 'static {
        self.ex.spawn(f)
    }

    fn spawn_detached<F: Future<Output = ()> + Send + 'static>(&self, f: F) {
        self.ex.spawn(f).detach();
    }

    async fn bind(&self) -> Self::Listener {
        smol::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind")
    }

    fn local_addr(listener: &Self::Listener) -> SocketAddr {
        listener.local_addr().expect("local_addr")
    }

    async fn accept(listener: &Self::Listener) -> Self::Stream {
        listener.accept().await.expect("accept").0
    }

    async fn try_connect(addr: SocketAddr) -> Option<Self::Stream> {
        match smol::net::TcpStream::connect(addr).await {
            Ok(stream) => Some(stream),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => None,
            Err(e) => panic!("connect: {e}"),
        }
    }

    async fn connect(addr: SocketAddr) -> Self::Stream {
        smol::net::TcpStream::connect(addr).await.expect("connect")
    }

    fn prepare(stream: &Self::Stream) {
        stream.set_nodelay(true).expect("nodelay");
    }

    fn close_with_reset(stream: Self::Stream) {
        let std: Arc<smol::Async<std::net::TcpStream>> = stream.into();
        linger_zero(std.get_ref());
    }

    async fn read(stream: &mut Self::Stream, buf: &mut [u8]) -> usize {
        use smol::io::AsyncReadExt;
        stream.read(buf).await.unwrap_or(0)
    }

    async fn read_exact(stream: &mut Self::Stream, buf: &mut [u8]) {
        use smol::io::AsyncReadExt;
        stream.read_exact(buf).await.expect("read_exact");
    }

    async fn write_all(stream: &mut Self::Stream, buf: &[u8]) {
        use smol::io::AsyncWriteExt;
        stream.write_all(buf).await.expect("write_all");
    }

    async fn udp_pair(&self) -> (Self::Udp, Self::Udp) {
        let a = smol::net::UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let b = smol::net::UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("bind");
        a.connect(b.local_addr().unwrap()).await.expect("connect");
        b.connect(a.local_addr().unwrap()).await.expect("connect");
        (a, b)
    }

    async fn send(socket: &Self::Udp, buf: &[u8]) {
        socket.send(buf).await.expect("send");
    }

    async fn recv(socket: &Self::Udp, buf: &mut [u8]) -> usize {
        socket.recv(buf).await.expect("recv")
    }
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

/// Starts an echo server on `net` and returns its address. The accept loop and the echo tasks
/// live until the runtime is dropped.
fn start_echo_server<N: Net>(net: &Arc<N>) -> SocketAddr {
    let spawner = net.clone();
    net.block_on(async move {
        let listener = spawner.bind().await;
        let addr = N::local_addr(&listener);
        let acceptor = spawner.clone();
        spawner.spawn_detached(async move {
            loop {
                let mut stream = N::accept(&listener).await;
                N::prepare(&stream);
                acceptor.spawn_detached(async move {
                    let mut buf = vec![0u8; ECHO_BUFFER];
                    loop {
                        let n = N::read(&mut stream, &mut buf).await;
                        if n == 0 {
                            break;
                        }
                        N::write_all(&mut stream, &buf[..n]).await;
                    }
                });
            }
        });
        addr
    })
}

fn tcp_echo<N: Net>(g: &mut Group<'_>, id: &str, conns: usize, size: usize, round_trips: usize) {
    let net = Arc::new(N::new(workers()));
    let addr = start_echo_server(&net);
    let spawner = net.clone();
    let mut clients = Some(net.block_on(async move {
        let mut clients = Vec::with_capacity(conns);
        for _ in 0..conns {
            let stream = N::connect(addr).await;
            N::prepare(&stream);
            clients.push(stream);
        }
        clients
    }));
    let per_client = round_trips / conns;
    g.bench_function(id, |b| {
        b.iter(|| {
            let taken = clients.take().expect("clients");
            let spawner = spawner.clone();
            let back = net.block_on(async move {
                let tasks: Vec<_> = taken
                    .into_iter()
                    .map(|mut stream| {
                        spawner.spawn(async move {
                            let msg = vec![7u8; size];
                            let mut buf = vec![0u8; size];
                            for _ in 0..per_client {
                                N::write_all(&mut stream, &msg).await;
                                N::read_exact(&mut stream, &mut buf).await;
                            }
                            stream
                        })
                    })
                    .collect();
                let mut back = Vec::with_capacity(tasks.len());
                for task in tasks {
                    back.push(task.await);
                }
                back
            });
            clients = Some(back);
        })
    });
    drop(clients);
    drop(net);
}

fn tcp_accept_connect_close<N: Net>(g: &mut Group<'_>, id: &str) {
    let net = Arc::new(N::new(workers()));
    let spawner = net.clone();
    let addr = net.block_on(async move {
        let listener = spawner.bind().await;
        let addr = N::local_addr(&listener);
        spawner.spawn_detached(async move {
            loop {
                N::close_with_reset(N::accept(&listener).await);
            }
        });
        addr
    });
    g.bench_function(id, |b| {
        b.iter(|| {
            net.block_on(async move {
                for _ in 0..ACCEPTS {
                    // The server may reset the connection before the connect's own result
                    // is read (SO_ERROR then says ECONNRESET): that cycle is complete too.
                    let Some(mut stream) = N::try_connect(addr).await else {
                        continue;
                    };
                    let mut buf = [0u8; 1];
                    // End of stream (or reset) once the server has accepted and closed.
                    while N::read(&mut stream, &mut buf).await != 0 {}
                    N::close_with_reset(stream);
                }
            })
        })
    });
    drop(net);
}

fn udp_ping_pong<N: Net>(g: &mut Group<'_>, id: &str) {
    let net = Arc::new(N::new(workers()));
    let spawner = net.clone();
    let pair = net.block_on(async move { spawner.udp_pair().await });
    let (a, b) = (Arc::new(pair.0), Arc::new(pair.1));
    let spawner = net.clone();
    g.bench_function(id, |bench| {
        bench.iter(|| {
            let (a, b) = (a.clone(), b.clone());
            let spawner = spawner.clone();
            net.block_on(async move {
                let echo = spawner.spawn(async move {
                    let mut buf = [0u8; 64];
                    for _ in 0..ROUND_TRIPS_SMALL {
                        let n = N::recv(&b, &mut buf).await;
                        N::send(&b, &buf[..n]).await;
                    }
                });
                let msg = [1u8; 64];
                let mut buf = [0u8; 64];
                for _ in 0..ROUND_TRIPS_SMALL {
                    N::send(&a, &msg).await;
                    N::recv(&a, &mut buf).await;
                }
                echo.await;
            })
        })
    });
    drop(net);
}

macro_rules! side_by_side {
    ($c:expr, $name:expr, $f:ident $(, $arg:expr)*) => {{
        let mut g = group($c, $name);
        $f::<RuntimeRt>(&mut g, "runtime" $(, $arg)*);
        $f::<TokioRt>(&mut g, "tokio" $(, $arg)*);
        $f::<SmolRt>(&mut g, "smol" $(, $arg)*);
        g.finish();
    }};
}

fn benches(c: &mut Criterion) {
    side_by_side!(c, "tcp_echo_1conn_64b", tcp_echo, 1, 64, ROUND_TRIPS_SMALL);
    side_by_side!(
        c,
        "tcp_echo_64conn_64b",
        tcp_echo,
        64,
        64,
        ROUND_TRIPS_SMALL * 4
    );
    side_by_side!(
        c,
        "tcp_echo_1conn_16k",
        tcp_echo,
        1,
        16 * 1024,
        ROUND_TRIPS_LARGE
    );
    side_by_side!(
        c,
        "tcp_echo_64conn_16k",
        tcp_echo,
        64,
        16 * 1024,
        ROUND_TRIPS_LARGE * 4
    );
    side_by_side!(c, "tcp_accept_connect_close", tcp_accept_connect_close);
    side_by_side!(c, "udp_ping_pong", udp_ping_pong);
}

criterion_group!(io, benches);
criterion_main!(io);
