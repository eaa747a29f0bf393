//! The raw socket calls the std types do not make the way we need: creation
//! with non-blocking and close-on-exec set atomically, `accept4`, the two
//! halves of a non-blocking `connect`, and sends that never raise `SIGPIPE`.
//!
//! Everything else (addresses, options std already has, `recvfrom`) goes
//! through the std socket types each of our types wraps.

use std::io::{self, IoSlice, IoSliceMut};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use nix::errno::Errno;
use nix::sys::socket::{self, AddressFamily, MsgFlags, SockType, SockaddrLike, SockaddrStorage};

/// Flags for every send: on Linux and the BSDs `MSG_NOSIGNAL` turns the
/// `SIGPIPE` a write to a dead peer would raise into a plain `EPIPE`. The
/// Apple kernels lack the flag; their sockets get `SO_NOSIGPIPE` at
/// creation instead ([`no_sigpipe`]).
#[cfg(not(target_vendor = "apple"))]
const SEND_FLAGS: MsgFlags = MsgFlags::MSG_NOSIGNAL;
#[cfg(target_vendor = "apple")]
const SEND_FLAGS: MsgFlags = MsgFlags::empty();

/// Runs `op` again while it is interrupted by a signal: on a non-blocking
/// socket `EINTR` says nothing about the socket, so it is never worth
/// surfacing to the caller.
pub(crate) fn retry<R>(mut op: impl FnMut() -> nix::Result<R>) -> io::Result<R> {
    loop {
        match op() {
            Err(Errno::EINTR) => continue,
            result => return result.map_err(io::Error::from),
        }
    }
}

/// A new socket, non-blocking and close-on-exec from birth (no window in
/// which a concurrent `fork`+`exec` could inherit it).
#[cfg(not(target_vendor = "apple"))]
pub(crate) fn socket(family: AddressFamily, ty: SockType) -> io::Result<OwnedFd> {
    use nix::sys::socket::SockFlag;
    let flags = SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC;
    socket::socket(family, ty, flags, None).map_err(io::Error::from)
}

/// A new socket, non-blocking and close-on-exec (set right after creation:
/// the Apple kernels have no `SOCK_CLOEXEC`), with `SO_NOSIGPIPE`.
#[cfg(target_vendor = "apple")]
pub(crate) fn socket(family: AddressFamily, ty: SockType) -> io::Result<OwnedFd> {
    use nix::sys::socket::SockFlag;
    let fd = socket::socket(family, ty, SockFlag::empty(), None)?;
    set_cloexec_nonblocking(&fd)?;
    no_sigpipe(&fd)?;
    Ok(fd)
}

/// A connected pair of Unix sockets of type `ty`, non-blocking and
/// close-on-exec.
pub(crate) fn socketpair(ty: SockType) -> io::Result<(OwnedFd, OwnedFd)> {
    #[cfg(not(target_vendor = "apple"))]
    {
        use nix::sys::socket::SockFlag;
        let flags = SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC;
        socket::socketpair(AddressFamily::Unix, ty, None, flags).map_err(io::Error::from)
    }
    #[cfg(target_vendor = "apple")]
    {
        use nix::sys::socket::SockFlag;
        let (a, b) = socket::socketpair(AddressFamily::Unix, ty, None, SockFlag::empty())?;
        for fd in [&a, &b] {
            set_cloexec_nonblocking(fd)?;
            no_sigpipe(fd)?;
        }
        Ok((a, b))
    }
}

#[cfg(target_vendor = "apple")]
fn set_cloexec_nonblocking(fd: &OwnedFd) -> io::Result<()> {
    use nix::fcntl::{FcntlArg, FdFlag, OFlag, fcntl};
    fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC))?;
    let flags = OFlag::from_bits_retain(fcntl(fd, FcntlArg::F_GETFL)?);
    fcntl(fd, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK))?;
    Ok(())
}

/// `SO_NOSIGPIPE` (nix has no wrapper for it).
#[cfg(target_vendor = "apple")]
fn no_sigpipe(fd: &OwnedFd) -> io::Result<()> {
    use nix::libc;
    let one: libc::c_int = 1;
    // SAFETY: `fd` is an open socket; the option value is a c_int that
    // lives across the call, and its size is passed with it.
    let res = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_NOSIGPIPE,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    Errno::result(res).map(drop).map_err(io::Error::from)
}

/// Accepts one connection: the new socket is non-blocking and close-on-exec
/// from birth, and the peer's address comes back from the same syscall
/// (`None` if the kernel reported none, e.g. an unnamed Unix peer).
#[cfg(not(target_vendor = "apple"))]
pub(crate) fn accept(listener: BorrowedFd<'_>) -> io::Result<(OwnedFd, Option<SockaddrStorage>)> {
    use nix::libc;
    loop {
        // SAFETY: zeroed bytes are a valid (empty) sockaddr_storage.
        let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        // SAFETY: `storage` and `len` outlive the call and `len` holds the
        // size of `storage`, as accept4 requires. (nix's accept4 cannot
        // return the peer address, which would cost a getpeername.)
        let fd = unsafe {
            libc::accept4(
                listener.as_raw_fd(),
                (&mut storage as *mut libc::sockaddr_storage).cast(),
                &mut len,
                libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            )
        };
        match Errno::result(fd) {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
            Ok(fd) => {
                // SAFETY: accept4 succeeded, so `fd` is a new descriptor
                // that nothing else owns.
                let fd = unsafe { OwnedFd::from_raw_fd(fd) };
                // SAFETY: the kernel wrote `len` valid bytes of address
                // into `storage` (at most its size).
                let addr = unsafe {
                    SockaddrStorage::from_raw(
                        (&storage as *const libc::sockaddr_storage).cast(),
                        Some(len),
                    )
                };
                return Ok((fd, addr));
            }
        }
    }
}

/// Accepts one connection, then makes it non-blocking, close-on-exec and
/// `SO_NOSIGPIPE` (the Apple kernels have no `accept4`).
#[cfg(target_vendor = "apple")]
pub(crate) fn accept(listener: BorrowedFd<'_>) -> io::Result<(OwnedFd, Option<SockaddrStorage>)> {
    let fd = retry(|| socket::accept(listener.as_raw_fd()))?;
    // SAFETY: accept succeeded, so `fd` is a new descriptor nothing owns.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    set_cloexec_nonblocking(&fd)?;
    no_sigpipe(&fd)?;
    let addr = socket::getpeername::<SockaddrStorage>(fd.as_raw_fd()).ok();
    Ok((fd, addr))
}

/// Starts a non-blocking connect. `Ok(true)`: in progress, wait until
/// writable and call [`take_connect_error`]. `Ok(false)`: connected already
/// (loopback Unix sockets often are).
pub(crate) fn start_connect(fd: BorrowedFd<'_>, addr: &dyn SockaddrLike) -> io::Result<bool> {
    match socket::connect(fd.as_raw_fd(), addr) {
        Ok(()) => Ok(false),
        // EINTR: the connect carries on asynchronously, as if EINPROGRESS.
        Err(Errno::EINPROGRESS | Errno::EINTR) => Ok(true),
        Err(e) => Err(e.into()),
    }
}

/// After a connect in progress reported writable: the connect's outcome.
/// `WouldBlock` if it is still in progress (the readiness was stale).
pub(crate) fn finish_connect(fd: BorrowedFd<'_>) -> io::Result<()> {
    let error = socket::getsockopt(&fd, socket::sockopt::SocketError)?;
    if error != 0 {
        return Err(io::Error::from_raw_os_error(error));
    }
    // SO_ERROR is 0 both when connected and while still connecting; only
    // the peer name tells them apart.
    match socket::getpeername::<SockaddrStorage>(fd.as_raw_fd()) {
        Ok(_) => Ok(()),
        Err(Errno::ENOTCONN) => Err(io::ErrorKind::WouldBlock.into()),
        Err(e) => Err(e.into()),
    }
}

/// `send(2)` that never raises `SIGPIPE`.
pub(crate) fn send(fd: BorrowedFd<'_>, buf: &[u8]) -> io::Result<usize> {
    retry(|| socket::send(fd.as_raw_fd(), buf, SEND_FLAGS))
}

/// `sendmsg(2)` of several buffers that never raises `SIGPIPE`.
pub(crate) fn send_vectored(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    retry(|| socket::sendmsg::<()>(fd.as_raw_fd(), bufs, &[], SEND_FLAGS, None))
}

/// `recv(2)`.
pub(crate) fn recv(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    retry(|| socket::recv(fd.as_raw_fd(), buf, MsgFlags::empty()))
}

/// `recv(2)` with `MSG_PEEK`: the bytes stay queued.
pub(crate) fn peek(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    retry(|| socket::recv(fd.as_raw_fd(), buf, MsgFlags::MSG_PEEK))
}

/// `readv(2)`.
pub(crate) fn recv_vectored(fd: BorrowedFd<'_>, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
    retry(|| nix::sys::uio::readv(fd, bufs))
}

/// An IPv4 or IPv6 socket address from what the kernel reported.
pub(crate) fn to_socket_addr(addr: Option<&SockaddrStorage>) -> io::Result<SocketAddr> {
    let Some(addr) = addr else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the kernel reported no address for an IP socket",
        ));
    };
    if let Some(v4) = addr.as_sockaddr_in() {
        Ok(SocketAddr::V4((*v4).into()))
    } else if let Some(v6) = addr.as_sockaddr_in6() {
        Ok(SocketAddr::V6((*v6).into()))
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the kernel reported a non-IP address for an IP socket",
        ))
    }
}

/// The address family of `addr`.
pub(crate) fn family(addr: &SocketAddr) -> AddressFamily {
    match addr {
        SocketAddr::V4(_) => AddressFamily::Inet,
        SocketAddr::V6(_) => AddressFamily::Inet6,
    }
}
