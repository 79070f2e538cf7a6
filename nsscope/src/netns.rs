//! Network namespaces, including named ones managed as `ip netns` does.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::Path;
use std::sync::Mutex;

use crate::current::open_current_uncached;
use crate::error::{Error, Result};
use crate::kind::NsKind;
use crate::namespace::{Namespace, NsHandle, NsId};
use crate::sys;

/// Where `ip netns add` mounts named namespaces.
pub const NETNS_RUN_DIR: &str = "/run/netns";
/// The historical location, also searched by [`NetNs::open_named`].
pub const NETNS_VAR_RUN_DIR: &str = "/var/run/netns";

/// Serialises the one-time setup of the shared `/run/netns` mount within this process.
static RUN_DIR_SETUP: Mutex<()> = Mutex::new(());

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

    /// Creates a named namespace exactly as `ip netns add NAME` does: makes `/run/netns` a
    /// shared mount point (so unmounts propagate), creates `/run/netns/NAME` exclusively, and
    /// bind-mounts a fresh namespace onto it. `ip netns list` and `ip netns exec` see it.
    ///
    /// Errors: [`Error::InvalidName`], [`Error::AlreadyExists`], [`Error::PermissionDenied`].
    pub fn create_named(name: &str) -> Result<NetNs> {
        validate_name(name)?;
        let dir = Path::new(NETNS_RUN_DIR);
        prepare_run_dir(dir)?;
        let path = dir.join(name);
        let placeholder = sys::open(&path, libc::O_RDONLY | libc::O_CREAT | libc::O_EXCL, 0)
            .map_err(|e| match e.raw_os_error() {
                Some(libc::EEXIST) => Error::AlreadyExists { path: path.clone() },
                _ => Error::from_io(format!("creating {}", path.display()), None, e),
            })?;
        drop(placeholder);
        let mounted = on_throwaway_thread(|| {
            sys::unshare(libc::CLONE_NEWNET)
                .map_err(|e| Error::io("creating a network namespace (unshare CLONE_NEWNET)", e))?;
            sys::mount(Path::new("/proc/thread-self/ns/net"), &path, libc::MS_BIND).map_err(|e| {
                Error::from_io(format!("bind-mounting onto {}", path.display()), None, e)
            })
        });
        if let Err(e) = mounted {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        Namespace::open(&path, NsKind::Net).map(NetNs)
    }

    /// Removes a named namespace as `ip netns delete NAME` does: lazily unmounts and deletes
    /// `/run/netns/NAME`. The namespace itself lives on while handles or processes use it.
    pub fn remove_named(name: &str) -> Result<()> {
        validate_name(name)?;
        let path = Path::new(NETNS_RUN_DIR).join(name);
        if let Err(e) = sys::umount_detach(&path) {
            // EINVAL: not a mount point (a stale placeholder); ENOENT is reported by unlink.
            if !matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOENT)) {
                return Err(Error::from_io(
                    format!("unmounting {}", path.display()),
                    None,
                    e,
                ));
            }
        }
        std::fs::remove_file(&path)
            .map_err(|e| Error::from_io(format!("removing {}", path.display()), Some(&path), e))
    }

    /// Opens the named namespace `NAME` from `/run/netns/NAME`, or `/var/run/netns/NAME`.
    pub fn open_named(name: &str) -> Result<NetNs> {
        validate_name(name)?;
        let mut first_err = None;
        for dir in [NETNS_RUN_DIR, NETNS_VAR_RUN_DIR] {
            match NetNs::open(Path::new(dir).join(name)) {
                Ok(ns) => return Ok(ns),
                Err(Error::NotFound { .. }) => {
                    if first_err.is_none() {
                        first_err = Some(Error::NotFound {
                            path: Path::new(NETNS_RUN_DIR).join(name),
                        });
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Err(first_err.unwrap_or_else(|| Error::NotFound {
            path: Path::new(NETNS_RUN_DIR).join(name),
        }))
    }

    /// The names under `/run/netns` (what `ip netns list` shows), sorted.
    pub fn list_named() -> Result<Vec<String>> {
        let dir = Path::new(NETNS_RUN_DIR);
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(format!("listing {}", dir.display()), e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(format!("listing {}", dir.display()), e))?;
            if let Some(name) = entry.file_name().to_str() {
                names.push(name.to_owned());
            }
        }
        names.sort();
        Ok(names)
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

/// Names as `ip netns` accepts them: one path component.
fn validate_name(name: &str) -> Result<()> {
    let reason = if name.is_empty() {
        Some("it is empty")
    } else if name == "." || name == ".." {
        Some("`.` and `..` are not names")
    } else if name.contains('/') {
        Some("it contains `/`")
    } else if name.contains('\0') {
        Some("it contains a NUL byte")
    } else if name.len() > 255 {
        Some("it is longer than 255 bytes")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Error::InvalidName {
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// Makes `dir` exist and be a shared mount point, so namespace mounts propagate between
/// mount namespaces (and unmounting one frees it everywhere).
fn prepare_run_dir(dir: &Path) -> Result<()> {
    let _serial = RUN_DIR_SETUP.lock().unwrap_or_else(|e| e.into_inner());
    match std::fs::DirBuilder::new().recursive(true).create(dir) {
        Ok(()) => {}
        Err(e) => {
            return Err(Error::from_io(
                format!("creating {}", dir.display()),
                None,
                e,
            ));
        }
    }
    let mut made_mount_point = false;
    loop {
        match sys::mount(Path::new(""), dir, libc::MS_SHARED | libc::MS_REC) {
            Ok(()) => return Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) && !made_mount_point => {
                // Not a mount point yet: bind it onto itself, then try again.
                sys::mount(dir, dir, libc::MS_BIND | libc::MS_REC).map_err(|e| {
                    Error::from_io(
                        format!("bind-mounting {} onto itself", dir.display()),
                        None,
                        e,
                    )
                })?;
                made_mount_point = true;
            }
            Err(e) => {
                return Err(Error::from_io(
                    format!("making {} a shared mount", dir.display()),
                    None,
                    e,
                ));
            }
        }
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
