//! Namespace handles.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::current::{current_inode, current_ns};
use crate::error::{Error, Result};
use crate::kind::NsKind;
use crate::{procfs, sys};

/// The identity of a namespace: the (device, inode) pair of its nsfs file.
///
/// Two handles name the same namespace exactly when their ids are equal, whatever path or
/// process they were opened through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NsId {
    dev: u64,
    ino: u64,
}

impl NsId {
    /// The device of the nsfs file system.
    pub fn dev(&self) -> u64 {
        self.dev
    }

    /// The namespace's inode number, as in `net:[4026531840]`.
    pub fn inode(&self) -> u64 {
        self.ino
    }
}

impl fmt::Display for NsId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.ino)
    }
}

/// An open handle on a namespace of any kind.
///
/// The handle owns an `O_CLOEXEC` file descriptor (shared by clones), so the namespace stays
/// alive while the handle does, even after every process in it has exited. Equality and
/// hashing go by [`NsId`] (device and inode).
///
/// Scopes ([`run`](Namespace::run), [`run_here`](Namespace::run_here),
/// [`spawn`](Namespace::spawn), [`worker`](Namespace::worker),
/// [`command`](Namespace::command) and, with feature `tokio`, `run_async`) execute code inside
/// the namespace; see the crate documentation for which to pick.
#[derive(Clone)]
pub struct Namespace {
    pub(crate) fd: Arc<OwnedFd>,
    kind: NsKind,
    id: NsId,
    path: Option<Arc<Path>>,
}

impl Namespace {
    /// Opens the namespace file at `path` (`/proc/<pid>/ns/<kind>`, `/var/run/netns/<name>`, any
    /// bind mount of one) and checks with `NS_GET_NSTYPE` that it is a namespace of `kind`.
    ///
    /// Errors: [`Error::NotFound`], [`Error::NotANamespace`], [`Error::WrongKind`],
    /// [`Error::PermissionDenied`].
    pub fn open(path: impl AsRef<Path>, kind: NsKind) -> Result<Namespace> {
        Namespace::open_checked(path.as_ref(), Some(kind))
    }

    /// Opens the namespace file at `path`, whatever its kind (read with `NS_GET_NSTYPE`).
    pub fn open_any(path: impl AsRef<Path>) -> Result<Namespace> {
        Namespace::open_checked(path.as_ref(), None)
    }

    /// The namespace of `kind` that process (or thread) `pid` is in: `/proc/<pid>/ns/<kind>`.
    pub fn of_pid(pid: u32, kind: NsKind) -> Result<Namespace> {
        let path = PathBuf::from(format!("/proc/{pid}/ns/{}", kind.proc_name()));
        Namespace::open_checked(&path, Some(kind))
    }

    /// The namespace of `kind` the *calling thread* is in (`/proc/thread-self/ns/<kind>`, not
    /// `/proc/self`, which names the main thread).
    pub fn current(kind: NsKind) -> Result<Namespace> {
        current_ns(kind)
    }

    /// Wraps an already open namespace file descriptor, checking its kind when `kind` is
    /// given, and sets its `FD_CLOEXEC` flag like every descriptor nsscope holds.
    pub fn from_fd(fd: OwnedFd, kind: Option<NsKind>) -> Result<Namespace> {
        sys::set_cloexec(fd.as_fd())
            .map_err(|e| Error::io("setting FD_CLOEXEC on a namespace descriptor", e))?;
        Namespace::from_fd_checked(fd, kind, None)
    }

    /// The namespace's kind.
    pub fn kind(&self) -> NsKind {
        self.kind
    }

    /// The namespace's identity (device and inode of its nsfs file).
    pub fn id(&self) -> NsId {
        self.id
    }

    /// The path this handle was opened from, when it was opened by path, pid or name. `None`
    /// for [`current`](Namespace::current) and new anonymous namespaces.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Whether the calling thread is in this namespace right now.
    pub fn is_current(&self) -> Result<bool> {
        Ok(current_inode(self.kind)? == self.id.ino)
    }

    /// The same handle, showing `path` as the path it was opened from.
    pub(crate) fn with_path(mut self, path: &Path) -> Namespace {
        self.path = Some(Arc::from(path));
        self
    }

    fn open_checked(path: &Path, kind: Option<NsKind>) -> Result<Namespace> {
        let failed = |e| Error::from_io(format!("opening {}", path.display()), Some(path), e);
        // O_PATH finds the file without opening it: a device node or a FIFO that is not a
        // namespace never sees an open (or an ioctl).
        let located = sys::open(path, libc::O_PATH, 0).map_err(failed)?;
        if !sys::is_nsfs(located.as_fd()).map_err(failed)? {
            return Err(Error::NotANamespace {
                path: path.to_path_buf(),
            });
        }
        let fd = procfs::reopen(located.as_fd(), libc::O_RDONLY).map_err(failed)?;
        Namespace::from_fd_checked(fd, kind, Some(path))
    }

    pub(crate) fn from_fd_checked(
        fd: OwnedFd,
        expected: Option<NsKind>,
        path: Option<&Path>,
    ) -> Result<Namespace> {
        let shown = || path.map_or_else(|| PathBuf::from("<file descriptor>"), Path::to_path_buf);
        // NS_GET_NSTYPE only on nsfs files: another file's driver could act on the request.
        let nsfs = sys::is_nsfs(fd.as_fd())
            .map_err(|e| Error::io(format!("querying the type of {}", shown().display()), e))?;
        if !nsfs {
            return Err(Error::NotANamespace { path: shown() });
        }
        let flag = sys::ns_type(fd.as_fd())
            .map_err(|e| Error::io(format!("querying the type of {}", shown().display()), e))?
            .ok_or_else(|| Error::NotANamespace { path: shown() })?;
        let kind = NsKind::from_clone_flag(flag).ok_or_else(|| Error::Io {
            action: format!("querying the type of {}", shown().display()),
            source: std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                format!("unknown namespace type {flag:#x}"),
            ),
        })?;
        if let Some(expected) = expected {
            if expected != kind {
                return Err(Error::WrongKind {
                    path: path.map(Path::to_path_buf),
                    expected,
                    found: kind,
                });
            }
        }
        let (dev, ino) = sys::fstat_id(fd.as_fd())
            .map_err(|e| Error::io(format!("reading the inode of {}", shown().display()), e))?;
        Ok(Namespace {
            fd: Arc::new(fd),
            kind,
            id: NsId { dev, ino },
            path: path.map(Arc::from),
        })
    }
}

impl AsFd for Namespace {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl PartialEq for Namespace {
    fn eq(&self, other: &Namespace) -> bool {
        self.id == other.id
    }
}

impl Eq for Namespace {}

impl Hash for Namespace {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.id)
    }
}

impl fmt::Debug for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Namespace");
        d.field("kind", &self.kind)
            .field("dev", &self.id.dev)
            .field("inode", &self.id.ino);
        if let Some(p) = &self.path {
            d.field("path", p);
        }
        d.finish()
    }
}

pub(crate) mod sealed {
    /// Seals [`NsHandle`](super::NsHandle).
    pub trait Sealed {
        /// Wraps a handle of the right kind.
        fn wrap(ns: super::Namespace) -> Self;
    }
}

/// A namespace handle type the scopes work with: [`Namespace`] or
/// [`NetNs`](crate::NetNs). Sealed; it only lets [`Worker`](crate::Worker) name its host type.
pub trait NsHandle: sealed::Sealed + Clone + Send + Sync + 'static {
    /// The underlying handle.
    fn namespace(&self) -> &Namespace;
}

impl sealed::Sealed for Namespace {
    fn wrap(ns: Namespace) -> Self {
        ns
    }
}

impl NsHandle for Namespace {
    fn namespace(&self) -> &Namespace {
        self
    }
}

pub(crate) fn wrap<H: NsHandle>(ns: Namespace) -> H {
    <H as sealed::Sealed>::wrap(ns)
}
