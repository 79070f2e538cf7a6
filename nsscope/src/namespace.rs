//! Namespace handles and the per-thread cache of "where am I".

use std::cell::RefCell;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once};

use crate::error::{Error, Result};
use crate::kind::NsKind;
use crate::sys;

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
    /// Opens the namespace file at `path` (`/proc/<pid>/ns/<kind>`, `/run/netns/<name>`, any
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

    fn open_checked(path: &Path, kind: Option<NsKind>) -> Result<Namespace> {
        let fd = sys::open(path, libc::O_RDONLY | libc::O_NONBLOCK | libc::O_NOCTTY, 0)
            .map_err(|e| Error::from_io(format!("opening {}", path.display()), Some(path), e))?;
        Namespace::from_fd_checked(fd, kind, Some(path))
    }

    pub(crate) fn from_fd_checked(
        fd: OwnedFd,
        expected: Option<NsKind>,
        path: Option<&Path>,
    ) -> Result<Namespace> {
        let shown = || path.map_or_else(|| PathBuf::from("<file descriptor>"), Path::to_path_buf);
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

    /// Drops the remembered path (for handles whose path names "whoever opens it").
    pub(crate) fn without_path(mut self) -> Namespace {
        self.path = None;
        self
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

// ---------------------------------------------------------------------------------------------
// Where is this thread? A per-thread cache.
//
// Opening /proc/thread-self/ns/<kind> costs about three setns calls, so every thread keeps an
// O_PATH handle on its own ns links and the last namespace handle it opened per kind. Each
// look-up still asks the kernel (readlink on the O_PATH handle, no path walk) which namespace
// the thread is in, so a switch made behind nsscope's back is noticed and never "restored"
// into a stale namespace. After fork the child starts with an empty cache.

static FORK_GENERATION: AtomicU64 = AtomicU64::new(0);
static ATFORK: Once = Once::new();

extern "C" fn after_fork_in_child() {
    FORK_GENERATION.fetch_add(1, Ordering::Relaxed);
}

struct Slot {
    link: OwnedFd,
    ns: Option<Namespace>,
}

struct ThreadCache {
    generation: u64,
    slots: [Option<Slot>; 8],
}

thread_local! {
    static CACHE: RefCell<ThreadCache> = const {
        RefCell::new(ThreadCache { generation: 0, slots: [const { None }; 8] })
    };
}

fn thread_link_path(kind: NsKind) -> PathBuf {
    PathBuf::from(format!("/proc/thread-self/ns/{}", kind.proc_name()))
}

/// Opens the calling thread's namespace of `kind` without the cache.
pub(crate) fn open_current_uncached(kind: NsKind) -> Result<Namespace> {
    Ok(Namespace::open_checked(&thread_link_path(kind), Some(kind))?.without_path())
}

fn with_slot<T>(
    kind: NsKind,
    f: impl FnOnce(&mut Slot) -> Result<T>,
    fallback: impl FnOnce() -> Result<T>,
) -> Result<T> {
    ATFORK.call_once(|| {
        // SAFETY: registers a handler that only bumps an atomic counter.
        unsafe {
            libc::pthread_atfork(None, None, Some(after_fork_in_child));
        }
    });
    let generation = FORK_GENERATION.load(Ordering::Relaxed);
    let attempt = CACHE.try_with(|cache| {
        let Ok(mut cache) = cache.try_borrow_mut() else {
            return None;
        };
        if cache.generation != generation {
            cache.slots = [const { None }; 8];
            cache.generation = generation;
        }
        let slot = cache.slots.get_mut(kind.index())?;
        if slot.is_none() {
            let path = thread_link_path(kind);
            let link = match sys::open(&path, libc::O_PATH | libc::O_NOFOLLOW, 0) {
                Ok(link) => link,
                Err(e) => {
                    return Some(Err(Error::from_io(
                        format!("opening {}", path.display()),
                        Some(&path),
                        e,
                    )));
                }
            };
            *slot = Some(Slot { link, ns: None });
        }
        slot.as_mut().map(f)
    });
    match attempt {
        Ok(Some(result)) => result,
        // Thread-local storage is being torn down, or a re-entrant call: go the slow way.
        _ => fallback(),
    }
}

fn read_link(slot: &Slot, kind: NsKind) -> Result<u64> {
    sys::ns_link_inode(slot.link.as_fd()).map_err(|e| {
        Error::io(
            format!("reading /proc/thread-self/ns/{}", kind.proc_name()),
            e,
        )
    })
}

/// The namespace of `kind` the calling thread is in now.
pub(crate) fn current_ns(kind: NsKind) -> Result<Namespace> {
    with_slot(
        kind,
        |slot| {
            let ino = read_link(slot, kind)?;
            if let Some(ns) = &slot.ns {
                if ns.id.ino == ino {
                    return Ok(ns.clone());
                }
            }
            let ns = open_current_uncached(kind)?;
            slot.ns = Some(ns.clone());
            Ok(ns)
        },
        || open_current_uncached(kind),
    )
}

/// The inode of the calling thread's namespace of `kind`.
pub(crate) fn current_inode(kind: NsKind) -> Result<u64> {
    with_slot(
        kind,
        |slot| read_link(slot, kind),
        || Ok(open_current_uncached(kind)?.id.ino),
    )
}
