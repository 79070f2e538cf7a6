//! Named network namespaces, kept as `ip netns` keeps them: a namespace gets a name by being
//! bind-mounted onto an empty file of that name in a run directory.

use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::netns::NetNs;
use crate::sys;

/// iproute2's default run directory (its `NETNS_RUN_DIR`), where nsscope names namespaces;
/// Go's netns package and CNI use it too. A link to `/run/netns` on most systems.
pub const NETNS_VAR_RUN_DIR: &str = "/var/run/netns";
/// The run directory most distributions build iproute2 with. Where it is another directory
/// than [`NETNS_VAR_RUN_DIR`], [`NetnsDir::system`] looks for names in it too.
pub const NETNS_RUN_DIR: &str = "/run/netns";

/// The mode iproute2 creates its run directory with (before the umask).
const RUN_DIR_MODE: u32 = 0o755;

/// Serialises the one-time set-up of run directories within this process.
static RUN_DIR_SETUP: Mutex<()> = Mutex::new(());

/// A run directory of named network namespaces.
///
/// [`system`](NetnsDir::system) is the one `ip netns` uses, and the one
/// [`NetNs::create_named`] and its siblings use. [`new`](NetnsDir::new) makes one anywhere
/// else: for tests, or for rootless set-ups (a process in a user and a mount namespace of its
/// own may bind-mount there).
///
/// Creating a name makes the directory (mode 0755, as iproute2 does) and, as iproute2 does,
/// makes it a shared mount point, so that a name also reaches mount namespaces copied from
/// this one later, and removing it there frees the namespace everywhere. A directory of your
/// own therefore stays a mount point: unmount it (`umount DIR`) before deleting it.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # if unsafe { libc::geteuid() } != 0 {
/// #     // Not root: CI sets NSLINT_REQUIRE_PRIVILEGED=1 and fails here; elsewhere skip.
/// #     assert_ne!(std::env::var("NSLINT_REQUIRE_PRIVILEGED").as_deref(), Ok("1"), "needs root");
/// #     return Ok(());
/// # }
/// use nsscope::NetnsDir;
/// let path = std::env::temp_dir().join(format!("nsscope-doc-dir-{}", std::process::id()));
/// let dir = NetnsDir::new(&path);
/// let blue = dir.create("blue")?;
/// assert_eq!(dir.list()?, ["blue"]);
/// assert_eq!(dir.open("blue")?, blue);
/// // Apart from the system's: `ip netns list` and `NetNs::list_named` do not show it.
/// dir.remove("blue")?;
/// # let c_path = std::ffi::CString::new(path.to_str().expect("utf-8"))?;
/// # // The directory became a mount point: unmount it before deleting it.
/// # assert_eq!(unsafe { libc::umount2(c_path.as_ptr(), libc::MNT_DETACH) }, 0);
/// # std::fs::remove_dir(&path)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetnsDir {
    dir: PathBuf,
    also_searched: Option<PathBuf>,
}

impl NetnsDir {
    /// The system's run directory, as `ip netns` uses it: names are created in
    /// [`NETNS_VAR_RUN_DIR`] (iproute2's default), and looked up, listed and removed there
    /// and in [`NETNS_RUN_DIR`] when that is another directory (distributions build iproute2
    /// with either).
    pub fn system() -> NetnsDir {
        NetnsDir {
            dir: PathBuf::from(NETNS_VAR_RUN_DIR),
            also_searched: Some(PathBuf::from(NETNS_RUN_DIR)),
        }
    }

    /// A run directory of your own at `dir`, created when the first name is.
    pub fn new(dir: impl Into<PathBuf>) -> NetnsDir {
        NetnsDir {
            dir: dir.into(),
            also_searched: None,
        }
    }

    /// The directory names are created in.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Creates a fresh network namespace named `name`, as `ip netns add NAME` does.
    ///
    /// The handle returned is the namespace this call created, whatever another program does
    /// to the name meanwhile.
    ///
    /// Errors: [`Error::InvalidName`], [`Error::AlreadyExists`], [`Error::PermissionDenied`].
    pub fn create(&self, name: &str) -> Result<NetNs> {
        self.attach(name, &NetNs::new()?)
    }

    /// Names the existing namespace `ns` (a [`NetNs::new`] one, a process's from
    /// [`NetNs::of_pid`], any handle) `name`, as `ip netns attach NAME PID` does. Returns a
    /// handle on `ns` whose [`path`](NetNs::path) is the name's.
    ///
    /// Errors: [`Error::InvalidName`], [`Error::AlreadyExists`], [`Error::PermissionDenied`].
    pub fn attach(&self, name: &str, ns: &NetNs) -> Result<NetNs> {
        validate_name(name)?;
        if let Some(taken) = self.find(name) {
            return Err(Error::AlreadyExists { path: taken });
        }
        prepare_run_dir(&self.dir)?;
        let path = self.dir.join(name);
        let placeholder = sys::open(&path, libc::O_RDONLY | libc::O_CREAT | libc::O_EXCL, 0)
            .map_err(|e| match e.raw_os_error() {
                Some(libc::EEXIST) => Error::AlreadyExists { path: path.clone() },
                _ => Error::from_io(format!("creating {}", path.display()), None, e),
            })?;
        drop(placeholder);
        // The source is this thread's descriptor of `ns` itself, never a path someone could
        // swap: what is mounted is what the handle returned names.
        let source = PathBuf::from(format!("/proc/thread-self/fd/{}", ns.as_fd().as_raw_fd()));
        if let Err(e) = sys::mount(&source, &path, libc::MS_BIND) {
            let _ = std::fs::remove_file(&path);
            return Err(Error::from_io(
                format!("bind-mounting {ns} onto {}", path.display()),
                None,
                e,
            ));
        }
        Ok(ns.clone().with_path(&path))
    }

    /// Opens the namespace named `name`.
    ///
    /// Errors: [`Error::NotFound`] (naming the path in [`path`](NetnsDir::path)),
    /// [`Error::NotANamespace`] for a placeholder with nothing mounted on it.
    pub fn open(&self, name: &str) -> Result<NetNs> {
        validate_name(name)?;
        for dir in self.searched() {
            match NetNs::open(dir.join(name)) {
                Err(Error::NotFound { .. }) => {}
                other => return other,
            }
        }
        Err(Error::NotFound {
            path: self.dir.join(name),
        })
    }

    /// Removes the name `name` as `ip netns delete NAME` does: lazily unmounts and deletes
    /// it. The namespace itself lives on while handles or processes use it.
    pub fn remove(&self, name: &str) -> Result<()> {
        validate_name(name)?;
        let mut removed = false;
        for dir in self.searched() {
            let path = dir.join(name);
            if std::fs::symlink_metadata(&path).is_err() {
                continue;
            }
            if let Err(e) = sys::umount_detach(&path) {
                // EINVAL: not a mount point (a stale placeholder); ENOENT: gone meanwhile.
                if !matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOENT)) {
                    return Err(Error::from_io(
                        format!("unmounting {}", path.display()),
                        None,
                        e,
                    ));
                }
            }
            std::fs::remove_file(&path).map_err(|e| {
                Error::from_io(format!("removing {}", path.display()), Some(&path), e)
            })?;
            removed = true;
        }
        if removed {
            Ok(())
        } else {
            Err(Error::NotFound {
                path: self.dir.join(name),
            })
        }
    }

    /// The names (what `ip netns list` shows), sorted.
    pub fn list(&self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for dir in self.searched() {
            let entries = match std::fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(Error::io(format!("listing {}", dir.display()), e)),
            };
            for entry in entries {
                let entry =
                    entry.map_err(|e| Error::io(format!("listing {}", dir.display()), e))?;
                if let Some(name) = entry.file_name().to_str() {
                    names.push(name.to_owned());
                }
            }
        }
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// The directories names live in: [`path`](NetnsDir::path), and the one also searched
    /// when it exists and is another directory.
    fn searched(&self) -> Vec<PathBuf> {
        let mut dirs = vec![self.dir.clone()];
        if let Some(also) = &self.also_searched {
            let identity = |dir: &Path| std::fs::metadata(dir).map(|m| (m.dev(), m.ino())).ok();
            if let Some(id) = identity(also) {
                if identity(&self.dir) != Some(id) {
                    dirs.push(also.clone());
                }
            }
        }
        dirs
    }

    /// Where `name` already exists, if anywhere.
    fn find(&self, name: &str) -> Option<PathBuf> {
        self.searched()
            .into_iter()
            .map(|dir| dir.join(name))
            .find(|path| std::fs::symlink_metadata(path).is_ok())
    }
}

impl Default for NetnsDir {
    /// [`NetnsDir::system`].
    fn default() -> NetnsDir {
        NetnsDir::system()
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

/// Makes `dir` exist (mode 0755, as iproute2 makes it) and be a shared mount point, so
/// namespace mounts propagate between mount namespaces (and unmounting one frees it
/// everywhere).
fn prepare_run_dir(dir: &Path) -> Result<()> {
    let _serial = RUN_DIR_SETUP.lock().unwrap_or_else(|e| e.into_inner());
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(RUN_DIR_MODE)
        .create(dir)
        .map_err(|e| Error::from_io(format!("creating {}", dir.display()), None, e))?;
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
