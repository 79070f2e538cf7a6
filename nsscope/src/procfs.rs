//! The process's own `/proc`, reached the same way from every mount namespace.
//!
//! nsscope asks `/proc/thread-self/...` which namespaces a thread is in. Looked up by path,
//! that goes through the `/proc` of the thread's *current* mount namespace, which inside a
//! mnt scope is the target's: a container's `/proc`, mounted for its own pid namespace, has no
//! entry for this process's threads. So nsscope opens `/proc` once, before any thread it owns
//! enters a mount namespace, and looks everything up under that handle.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::Path;
use std::sync::OnceLock;

use crate::sys;

static PROC: OnceLock<OwnedFd> = OnceLock::new();

/// The handle on this process's `/proc`, opened on first use.
pub(crate) fn root() -> io::Result<BorrowedFd<'static>> {
    if let Some(fd) = PROC.get() {
        return Ok(fd.as_fd());
    }
    let fd = sys::open(Path::new("/proc"), libc::O_PATH | libc::O_DIRECTORY, 0)?;
    if !sys::is_procfs(fd.as_fd())? {
        return Err(io::Error::other("/proc is not a proc file system"));
    }
    // Another thread may have got there first: either handle names the same /proc.
    Ok(PROC.get_or_init(|| fd).as_fd())
}

/// Opens `/proc/thread-self/<rel>` for the calling thread with `flags` (plus `O_CLOEXEC`).
pub(crate) fn open_thread_self(rel: &str, flags: libc::c_int) -> io::Result<OwnedFd> {
    let path = CString::new(format!("thread-self/{rel}"))
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte"))?;
    sys::openat(root()?, &path, flags)
}

/// Opens the file behind `located` (an `O_PATH` descriptor) for real, with `flags`, through
/// its `/proc/thread-self/fd` entry.
pub(crate) fn reopen(located: BorrowedFd<'_>, flags: libc::c_int) -> io::Result<OwnedFd> {
    open_thread_self(&format!("fd/{}", located.as_raw_fd()), flags)
}
