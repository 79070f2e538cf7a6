//! Network namespaces, including named ones managed as `ip netns` does.

use std::fmt;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::Path;

use crate::current::open_current_uncached;
use crate::error::{Error, Result};
use crate::kind::NsKind;
use crate::named::NetnsDir;
use crate::namespace::{Namespace, NsHandle, NsId};
use crate::sys;

/// A network namespace: a [`Namespace`] whose kind is known to be [`NsKind::Net`].
///
/// All scopes of [`Namespace`] exist here too, and hand their closure the host as a `NetNs`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct NetNs(Namespace);

impl NetNs {
    /// Creates a fresh anonymous network namespace (on a throwaway thread, so no thread of
    /// the caller moves). It lives as long as a handle to it (or a thread in it) does.
    ///
    /// Like `ip netns add`, the new namespace has only a loopback interface, which is down.
    pub fn new() -> Result<NetNs> {
        on_throwaway_thread(|| {
            sys::unshare(libc::CLONE_NEWNET)
                .map_err(|e| Error::io("creating a network namespace (unshare CLONE_NEWNET)", e))?;
            Ok(NetNs(open_current_uncached(NsKind::Net)?))
        })
    }

    /// Creates a fresh namespace named `name` in the system's run directory, as
    /// `ip netns add NAME` does: [`NetnsDir::system`]`().create(name)`.
    ///
    /// Errors: [`Error::InvalidName`], [`Error::AlreadyExists`], [`Error::PermissionDenied`].
    pub fn create_named(name: &str) -> Result<NetNs> {
        NetnsDir::system().create(name)
    }

    /// Names this namespace `name` in the system's run directory, as `ip netns attach NAME
    /// PID` does for a process's: [`NetnsDir::system`]`().attach(name, self)`.
    pub fn attach_named(&self, name: &str) -> Result<NetNs> {
        NetnsDir::system().attach(name, self)
    }

    /// Removes the name `name` as `ip netns delete NAME` does:
    /// [`NetnsDir::system`]`().remove(name)`. The namespace itself lives on while handles or
    /// processes use it.
    pub fn remove_named(name: &str) -> Result<()> {
        NetnsDir::system().remove(name)
    }

    /// Opens the namespace named `name`: [`NetnsDir::system`]`().open(name)`.
    pub fn open_named(name: &str) -> Result<NetNs> {
        NetnsDir::system().open(name)
    }

    /// The names `ip netns list` shows, sorted: [`NetnsDir::system`]`().list()`.
    pub fn list_named() -> Result<Vec<String>> {
        NetnsDir::system().list()
    }

    /// Opens the network namespace file at `path`, checking its kind.
    pub fn open(path: impl AsRef<Path>) -> Result<NetNs> {
        Namespace::open(path, NsKind::Net).map(NetNs)
    }

    /// The network namespace of process (or thread) `pid`.
    pub fn of_pid(pid: u32) -> Result<NetNs> {
        Namespace::of_pid(pid, NsKind::Net).map(NetNs)
    }

    /// The network namespace the calling thread is in.
    pub fn current() -> Result<NetNs> {
        Namespace::current(NsKind::Net).map(NetNs)
    }

    /// The namespace's identity (device and inode).
    pub fn id(&self) -> NsId {
        self.0.id()
    }

    /// The path this handle was opened from, when known.
    pub fn path(&self) -> Option<&Path> {
        self.0.path()
    }

    /// Whether the calling thread is in this namespace right now.
    pub fn is_current(&self) -> Result<bool> {
        self.0.is_current()
    }

    /// The same handle, showing `path` as the path it was opened from.
    pub(crate) fn with_path(self, path: &Path) -> NetNs {
        NetNs(self.0.with_path(path))
    }

    /// The underlying [`Namespace`].
    pub fn as_namespace(&self) -> &Namespace {
        &self.0
    }

    /// Converts into the underlying [`Namespace`].
    pub fn into_namespace(self) -> Namespace {
        self.0
    }
}

impl crate::namespace::sealed::Sealed for NetNs {
    fn wrap(ns: Namespace) -> Self {
        NetNs(ns)
    }
}

impl NsHandle for NetNs {
    fn namespace(&self) -> &Namespace {
        &self.0
    }
}

impl TryFrom<Namespace> for NetNs {
    type Error = Error;

    fn try_from(ns: Namespace) -> Result<NetNs> {
        if ns.kind() == NsKind::Net {
            Ok(NetNs(ns))
        } else {
            Err(Error::WrongKind {
                path: ns.path().map(Path::to_path_buf),
                expected: NsKind::Net,
                found: ns.kind(),
            })
        }
    }
}

impl From<NetNs> for Namespace {
    fn from(ns: NetNs) -> Namespace {
        ns.0
    }
}

impl AsFd for NetNs {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

impl fmt::Display for NetNs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for NetNs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("NetNs").field(&self.0).finish()
    }
}

/// Runs `f` on a thread that exits afterwards (it may leave that thread in another
/// namespace).
fn on_throwaway_thread<T: Send>(f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .spawn_scoped(s, f)
            .map_err(|e| Error::io("spawning a helper thread", e))?;
        match handle.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}
