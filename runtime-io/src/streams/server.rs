//! [`start_server`] / [`start_unix_server`] and the [`Server`] they return
//! (asyncio `start_server`, `start_unix_server`, `Server`).

use std::fmt;
use std::future::Future;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;
use runtime_core::Task;

use super::accept::{CloseListener, Listener, ListenerSlot, accept_loop};
use super::addr::SocketAddress;
use super::reader::{DEFAULT_LIMIT, StreamReader};
use super::state::ServerState;
use super::writer::StreamWriter;
use crate::net::tcp::DEFAULT_BACKLOG;
use crate::net::{TcpListener, ToSocketAddrs, UnixListener, unix};

/// Options for [`start_server`] and [`start_unix_server`] (asyncio's
/// keyword arguments `backlog`, `reuse_port`, `limit`).
///
/// ```
/// use runtime_io::streams::{ServerOptions, StreamReader, StreamWriter};
///
/// runtime_core::run(async {
///     let server = ServerOptions::new()
///         .backlog(4096)
///         .limit(1024)
///         .start_server(|_r: StreamReader, _w: StreamWriter| async {}, "127.0.0.1:0")
///         .await?;
///     assert!(server.is_serving());
///     Ok::<(), std::io::Error>(())
/// })
/// .unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct ServerOptions {
    backlog: u32,
    reuse_port: bool,
    limit: usize,
}

impl Default for ServerOptions {
    fn default() -> ServerOptions {
        ServerOptions::new()
    }
}

impl ServerOptions {
    /// The defaults: backlog 1024 (asyncio: 100), no `SO_REUSEPORT`,
    /// reader limit 64 KiB. `SO_REUSEADDR` is always on for TCP, as in
    /// asyncio on Unix.
    pub fn new() -> ServerOptions {
        ServerOptions {
            backlog: DEFAULT_BACKLOG,
            reuse_port: false,
            limit: DEFAULT_LIMIT,
        }
    }

    /// The listen backlog (capped at the system's `SOMAXCONN`).
    pub fn backlog(mut self, backlog: u32) -> ServerOptions {
        self.backlog = backlog;
        self
    }

    /// `SO_REUSEPORT` on the TCP listener: several servers may bind the
    /// same port and the kernel spreads connections over them. Ignored by
    /// Unix servers.
    pub fn reuse_port(mut self, on: bool) -> ServerOptions {
        self.reuse_port = on;
        self
    }

    /// The [`limit`](StreamReader::limit) of every connection's reader.
    ///
    /// # Panics
    /// If `limit` is 0.
    pub fn limit(mut self, limit: usize) -> ServerOptions {
        assert!(limit > 0, "StreamReader limit cannot be 0");
        self.limit = limit;
        self
    }

    /// [`start_server`] with these options.
    ///
    /// # Errors
    /// As [`start_server`].
    pub async fn start_server<H, F, A>(self, handler: H, addr: A) -> io::Result<Server>
    where
        H: Fn(StreamReader, StreamWriter) -> F + Send + Sync + 'static,
        F: Future<Output = ()> + Send + 'static,
        A: ToSocketAddrs,
    {
        // Like asyncio, one listening socket per address the name resolves
        // to (e.g. both 127.0.0.1 and ::1 for "localhost"); any failure to
        // bind fails the whole call.
        let mut listeners = Vec::new();
        let mut addrs = crate::net::resolve(addr).await?;
        // As asyncio: each address once, and with several, IPv6 sockets
        // take IPv6 only (else `[::]:p` would also claim `0.0.0.0:p`).
        let mut seen = std::collections::HashSet::new();
        addrs.retain(|a| seen.insert(*a));
        let several = addrs.len() > 1;
        if addrs.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the address resolved to nothing to listen on",
            ));
        }
        for addr in addrs {
            let mut builder = TcpListener::builder(addr)
                .backlog(self.backlog)
                .reuse_port(self.reuse_port);
            if several {
                builder = builder.only_v6(true);
            }
            let listener = builder.bind().await?;
            let local = SocketAddress::Inet(listener.local_addr()?);
            listeners.push((listener, local));
        }
        Ok(Server::serve(listeners, handler, self.limit, None))
    }

    /// [`start_unix_server`] with these options.
    ///
    /// # Errors
    /// As [`start_unix_server`].
    pub async fn start_unix_server<H, F>(
        self,
        handler: H,
        path: impl AsRef<Path>,
    ) -> io::Result<Server>
    where
        H: Fn(StreamReader<unix::OwnedReadHalf>, StreamWriter<unix::OwnedWriteHalf>) -> F
            + Send
            + Sync
            + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        let path = path.as_ref();
        // asyncio removes a stale socket file (never another kind of file).
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            if meta.file_type().is_socket() {
                std::fs::remove_file(path)?;
            }
        }
        let listener = UnixListener::bind_with_backlog(path, self.backlog)?;
        // From here on, a failure must not leave our socket file behind.
        let described = std::fs::symlink_metadata(path).and_then(|meta| {
            Ok((
                SocketFile {
                    path: path.to_path_buf(),
                    dev: meta.dev(),
                    ino: meta.ino(),
                },
                listener.local_addr()?,
            ))
        });
        let (socket_file, addr) = match described {
            Ok(described) => described,
            Err(e) => {
                drop(listener);
                let _ = std::fs::remove_file(path);
                return Err(e);
            }
        };
        let addr = SocketAddress::Unix(addr);
        Ok(Server::serve(
            vec![(listener, addr)],
            handler,
            self.limit,
            Some(socket_file),
        ))
    }
}

/// Starts a TCP server on `addr` (asyncio `start_server`): every accepted
/// connection is split into a [`StreamReader`] and a [`StreamWriter`] and
/// handed to `handler`, whose future runs as its own task. Accepting starts
/// at once (asyncio's `start_serving=True`); the returned [`Server`] stops it.
///
/// `addr` is anything [`ToSocketAddrs`] takes; as in asyncio, the server
/// listens on every address it resolves to (`"localhost:8888"` may give
/// both 127.0.0.1 and ::1), and fails if any of them cannot be bound. Port
/// 0 picks a free port (per address): see [`Server::local_addrs`]. TCP connections get
/// `TCP_NODELAY`, as in asyncio. Options: [`ServerOptions`].
///
/// # Errors
/// Resolution, `bind` and `listen` errors (e.g. `AddrInUse`); an error
/// outside a runtime.
pub async fn start_server<H, F, A>(handler: H, addr: A) -> io::Result<Server>
where
    H: Fn(StreamReader, StreamWriter) -> F + Send + Sync + 'static,
    F: Future<Output = ()> + Send + 'static,
    A: ToSocketAddrs,
{
    ServerOptions::new().start_server(handler, addr).await
}

/// Starts a Unix-domain socket server at `path` (asyncio
/// `start_unix_server`). As [`start_server`]; in addition, a stale socket
/// file at `path` is removed before binding, and the socket file is removed
/// when the server closes if it is still the one the server created
/// (asyncio 3.13's `cleanup_socket`).
///
/// # Errors
/// `AddrInUse` if `path` exists and is not a socket; the path's filesystem
/// errors; an error outside a runtime.
pub async fn start_unix_server<H, F>(handler: H, path: impl AsRef<Path>) -> io::Result<Server>
where
    H: Fn(StreamReader<unix::OwnedReadHalf>, StreamWriter<unix::OwnedWriteHalf>) -> F
        + Send
        + Sync
        + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    ServerOptions::new().start_unix_server(handler, path).await
}

/// The socket file a Unix server created, to remove on close if it is
/// still ours (same device and inode).
struct SocketFile {
    path: PathBuf,
    dev: u64,
    ino: u64,
}

impl SocketFile {
    fn remove_if_ours(&self) {
        if let Ok(meta) = std::fs::symlink_metadata(&self.path) {
            if meta.dev() == self.dev && meta.ino() == self.ino {
                // Someone else may remove it first; nothing to report.
                let _ = std::fs::remove_file(&self.path);
            }
        }
    }
}

/// A running server (asyncio `Server`), from [`start_server`] or
/// [`start_unix_server`].
///
/// Every method takes `&self`: share the server with `Arc<Server>` to close
/// it from another task.
///
/// # Lifecycle
/// - Accepting starts when the server is created ([`is_serving`](Self::is_serving)).
/// - [`close`](Self::close) stops accepting and closes the listening
///   sockets; connections being handled carry on, as in asyncio.
/// - [`wait_closed`](Self::wait_closed) waits until the server is closed
///   *and* every connection handler has returned (asyncio 3.12+).
/// - [`serve_forever`](Self::serve_forever) waits until the server is
///   closed; dropping its future closes the server (asyncio cancels it).
/// - **Dropping the `Server` closes it** (like `close()`); running handlers
///   are not affected. Keep it alive (or await `serve_forever`) for as long
///   as it should accept.
pub struct Server {
    state: Arc<ServerState>,
    listeners: Vec<Arc<dyn CloseListener>>,
    accept_tasks: Mutex<Vec<Task<()>>>,
    addrs: Vec<SocketAddress>,
    socket_file: Option<SocketFile>,
}

impl Server {
    /// Starts one accept loop per listener.
    fn serve<L, H, F>(
        listeners: Vec<(L, SocketAddress)>,
        handler: H,
        limit: usize,
        socket_file: Option<SocketFile>,
    ) -> Server
    where
        L: Listener,
        H: Fn(StreamReader<L::Read>, StreamWriter<L::Write>) -> F + Send + Sync + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        let state = Arc::new(ServerState::default());
        let handler = Arc::new(handler);
        let mut accept_tasks = Vec::with_capacity(listeners.len());
        let mut addrs = Vec::with_capacity(listeners.len());
        let mut slots: Vec<Arc<dyn CloseListener>> = Vec::with_capacity(listeners.len());
        for (listener, addr) in listeners {
            let slot = Arc::new(ListenerSlot::new(listener));
            slots.push(slot.clone());
            // The guard is made here, not in the task, so a task cancelled
            // before its first poll still gives its count back.
            let running = state.accept_loop_guard();
            accept_tasks.push(runtime_core::spawn(accept_loop(
                slot,
                handler.clone(),
                limit,
                state.clone(),
                running,
            )));
            addrs.push(addr);
        }
        Server {
            state,
            listeners: slots,
            accept_tasks: Mutex::new(accept_tasks),
            addrs,
            socket_file,
        }
    }

    /// The addresses the server listens on (asyncio
    /// `[s.getsockname() for s in server.sockets]`); still reported after
    /// `close()`.
    pub fn local_addrs(&self) -> &[SocketAddress] {
        &self.addrs
    }

    /// The first TCP address the server listens on: a shortcut for the
    /// common one-listener case (e.g. to learn the port picked for port 0).
    pub fn local_addr(&self) -> Option<std::net::SocketAddr> {
        self.addrs.iter().find_map(SocketAddress::as_inet)
    }

    /// Whether the server accepts connections (asyncio `is_serving`): not
    /// closed, and an accept loop is running.
    pub fn is_serving(&self) -> bool {
        self.state.read(|c| !c.closed && c.accepting > 0)
    }

    /// How many connection handlers are running.
    pub fn connections(&self) -> usize {
        self.state.read(|c| c.connections)
    }

    /// Stops accepting (asyncio `close`): the listening sockets are closed
    /// before it returns (new clients are refused) and the accept loops
    /// cancelled. Connections already accepted are left running.
    /// Idempotent.
    pub fn close(&self) {
        let first = self
            .state
            .update(|c| !std::mem::replace(&mut c.closed, true));
        if !first {
            return;
        }
        // Close the sockets now; cancel the loops, which may be waiting
        // for a readiness event that a closed socket will never send.
        for listener in &self.listeners {
            listener.close();
        }
        for task in self.accept_tasks.lock().drain(..) {
            task.cancel();
        }
        if let Some(file) = &self.socket_file {
            file.remove_if_ours();
        }
    }

    /// Waits until the server is closed and every connection handler has
    /// returned (asyncio 3.12+ `wait_closed`). It does not close the server
    /// itself: without a [`close`](Self::close), it waits for one.
    /// Cancel-safe.
    pub async fn wait_closed(&self) {
        self.state
            .wait_until(|c| (c.closed && c.accepting == 0 && c.connections == 0).then_some(()))
            .await;
    }

    /// Serves until the server is closed (asyncio `serve_forever`), by
    /// [`close`](Self::close) from another task or by a fatal accept error.
    /// Returns at once if the server is already closed.
    ///
    /// Dropping the future (cancelling the task that awaits it) closes the
    /// server, as cancelling asyncio's `serve_forever` does.
    ///
    /// # Errors
    /// The error that stopped accepting, if any (not `EMFILE` and the like:
    /// those only pause the accept loop, see
    /// [`streams`](super#accept-faults)).
    pub async fn serve_forever(&self) -> io::Result<()> {
        struct CloseOnDrop<'a>(Option<&'a Server>);
        impl Drop for CloseOnDrop<'_> {
            fn drop(&mut self) {
                if let Some(server) = self.0 {
                    server.close();
                }
            }
        }
        let mut guard = CloseOnDrop(Some(self));
        let error = self
            .state
            .wait_until(|c| (c.closed || c.accepting == 0).then(|| c.error.take()))
            .await;
        guard.0 = None;
        match error {
            Some(e) => {
                self.close();
                Err(e)
            }
            None => Ok(()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.close();
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (closed, accepting, connections) =
            self.state.read(|c| (c.closed, c.accepting, c.connections));
        f.debug_struct("Server")
            .field("addrs", &self.addrs)
            .field("closed", &closed)
            .field("accepting", &accepting)
            .field("connections", &connections)
            .finish()
    }
}
