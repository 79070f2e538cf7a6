//! The crate's error type.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::kind::{NsKind, Scope};

/// A `Result` with nsscope's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, with enough context to act on it.
///
/// Every message says what failed and what to do about it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The namespace file (or process, or named namespace) does not exist.
    NotFound {
        /// The path that was looked up.
        path: PathBuf,
    },
    /// The file exists but is not a namespace (not an nsfs file, or a plain file under
    /// run directory of named namespaces with nothing mounted on it).
    NotANamespace {
        /// The file that was opened.
        path: PathBuf,
    },
    /// The file is a namespace of another kind than the one asked for.
    WrongKind {
        /// The file that was opened, when known.
        path: Option<PathBuf>,
        /// The kind asked for.
        expected: NsKind,
        /// The kind the kernel reports.
        found: NsKind,
    },
    /// The kernel refused for lack of privilege (usually `CAP_SYS_ADMIN`).
    PermissionDenied {
        /// What was being done.
        action: String,
        /// The underlying error.
        source: io::Error,
    },
    /// This scope cannot enter namespaces of this kind.
    UnsupportedKind {
        /// The kind of the target namespace.
        kind: NsKind,
        /// The scope that was asked to enter it.
        scope: Scope,
    },
    /// A set of namespaces was given two of one kind.
    DuplicateKind {
        /// The kind given twice.
        kind: NsKind,
    },
    /// A name for a named namespace is not acceptable.
    InvalidName {
        /// The rejected name.
        name: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A named namespace with this name already exists.
    AlreadyExists {
        /// Its path.
        path: PathBuf,
    },
    /// A worker could not return its thread to its namespace after a call.
    RestoreFailed {
        /// The kind being restored.
        kind: NsKind,
        /// The error from `setns(2)`.
        source: io::Error,
    },
    /// The worker failed to stay in its namespace earlier (or its thread is gone) and refuses
    /// further calls.
    PoisonedWorker {
        /// The kind of the worker's namespace.
        kind: NsKind,
    },
    /// Any other I/O error.
    Io {
        /// What was being done.
        action: String,
        /// The underlying error.
        source: io::Error,
    },
}

impl Error {
    /// Classifies an I/O error from an operation on `path`.
    pub(crate) fn from_io(
        action: impl Into<String>,
        path: Option<&Path>,
        source: io::Error,
    ) -> Self {
        match (source.raw_os_error(), path) {
            (Some(libc::ENOENT), Some(p)) => Error::NotFound {
                path: p.to_path_buf(),
            },
            (Some(libc::EPERM) | Some(libc::EACCES), _) => Error::PermissionDenied {
                action: action.into(),
                source,
            },
            _ => Error::Io {
                action: action.into(),
                source,
            },
        }
    }

    pub(crate) fn io(action: impl Into<String>, source: io::Error) -> Self {
        Error::from_io(action, None, source)
    }
}

/// What a failed `setns` back into a namespace of `kind` says about the thread, from its
/// error number.
pub(crate) fn restore_failure_hint(kind: NsKind, errno: Option<i32>) -> &'static str {
    match errno {
        Some(libc::EPERM) => {
            "the thread lacks CAP_SYS_ADMIN (did the code in the scope drop it or change \
             credentials?); its namespace is now unknown"
        }
        Some(libc::EINVAL) if kind == NsKind::Mnt => {
            "the thread shares its root and working directory (CLONE_FS) with another thread; \
             its namespace is now unknown"
        }
        _ => "the thread's namespace is now unknown",
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound { path } => write!(
                f,
                "namespace file {} does not exist: check the name (`ip netns list`) or that the \
                 process is still alive",
                path.display()
            ),
            Error::NotANamespace { path } => write!(
                f,
                "{} is not a namespace file: pass a /proc/<pid>/ns/<kind> path or a bind mount of \
                 one (such as /var/run/netns/<name>); a plain file there means nothing is mounted on it",
                path.display()
            ),
            Error::WrongKind {
                path,
                expected,
                found,
            } => {
                match path {
                    Some(p) => write!(f, "{} is a {found} namespace", p.display())?,
                    None => write!(f, "the file descriptor is a {found} namespace")?,
                }
                write!(
                    f,
                    ", not a {expected} namespace: open /proc/<pid>/ns/{expected} instead"
                )
            }
            Error::PermissionDenied { action, source } => write!(
                f,
                "permission denied {action}: {source}; entering or creating namespaces needs \
                 CAP_SYS_ADMIN (run as root or grant the capability)"
            ),
            Error::UnsupportedKind { kind, scope } => match kind {
                NsKind::Mnt => write!(
                    f,
                    "mnt namespaces cannot be entered by `{scope}`: the kernel refuses a thread that \
                     shares its root and working directory with other threads; use `run`, \
                     `spawn` or `worker`, which unshare CLONE_FS first, or `command` for a child \
                     process"
                ),
                NsKind::User => write!(
                    f,
                    "user namespaces cannot be entered by `{scope}`: the kernel refuses \
                     multithreaded processes (EINVAL); use `command` to start a child process \
                     inside it"
                ),
                NsKind::Time => write!(
                    f,
                    "time namespaces cannot be entered by `{scope}`: setns would move the calling \
                     thread's clocks, and the kernel refuses it in a multithreaded process \
                     (EUSERS); use `command` to start a child process inside it"
                ),
                _ => write!(
                    f,
                    "{kind} namespaces cannot be entered by `{scope}`: setns only changes the \
                     namespace of future children, and a thread whose {kind} namespace for \
                     children differs can no longer create threads; use `command` to start a \
                     child process inside it"
                ),
            },
            Error::DuplicateKind { kind } => write!(
                f,
                "a set holds one namespace of each kind, and was given two {kind} namespaces"
            ),
            Error::InvalidName { name, reason } => {
                write!(f, "invalid namespace name {name:?}: {reason}")
            }
            Error::AlreadyExists { path } => write!(
                f,
                "{} already exists: pick another name, open it with `open_named`, or remove it \
                 first (`remove_named` or `ip netns delete`)",
                path.display()
            ),
            Error::RestoreFailed { kind, source } => write!(
                f,
                "could not return the thread to its {kind} namespace: {source}; {}",
                restore_failure_hint(*kind, source.raw_os_error())
            ),
            Error::PoisonedWorker { kind } => write!(
                f,
                "the {kind} worker is poisoned: it failed to stay in its namespace (or its thread \
                 is gone) and refuses calls; create a new worker"
            ),
            Error::Io { action, source } => write!(f, "error {action}: {source}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::PermissionDenied { source, .. }
            | Error::RestoreFailed { source, .. }
            | Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        let kind = match &e {
            Error::NotFound { .. } => io::ErrorKind::NotFound,
            Error::PermissionDenied { .. } => io::ErrorKind::PermissionDenied,
            Error::AlreadyExists { .. } => io::ErrorKind::AlreadyExists,
            Error::InvalidName { .. }
            | Error::DuplicateKind { .. }
            | Error::NotANamespace { .. }
            | Error::WrongKind { .. }
            | Error::UnsupportedKind { .. } => io::ErrorKind::InvalidInput,
            Error::Io { source, .. } => source.kind(),
            _ => io::ErrorKind::Other,
        };
        io::Error::new(kind, e)
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::Error;
    use crate::kind::NsKind;

    fn restore_failed(kind: NsKind, errno: i32) -> String {
        Error::RestoreFailed {
            kind,
            source: io::Error::from_raw_os_error(errno),
        }
        .to_string()
    }

    #[test]
    fn a_failed_restore_names_the_cause_its_error_number_points_to() {
        assert!(restore_failed(NsKind::Net, libc::EPERM).contains("CAP_SYS_ADMIN"));
        let shared_fs = restore_failed(NsKind::Mnt, libc::EINVAL);
        assert!(shared_fs.contains("CLONE_FS"), "{shared_fs}");
        assert!(!shared_fs.contains("CAP_SYS_ADMIN"), "{shared_fs}");
        let other = restore_failed(NsKind::Net, libc::ENOMEM);
        assert!(!other.contains("CAP_SYS_ADMIN"), "{other}");
        assert!(other.contains("unknown"), "{other}");
    }
}
