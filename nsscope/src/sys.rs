//! Thin wrappers over the system calls nsscope needs. Every raw namespace switch of the crate
//! lives here, each with its reason.

use std::ffi::{CStr, CString};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::kind::NsKind;

/// `setns(fd, kind)` on the calling thread.
pub(crate) fn setns(fd: BorrowedFd<'_>, kind: NsKind) -> io::Result<()> {
    // SAFETY: setns takes an fd and a flag; a borrowed fd is open for the duration.
    // nslint: allow(raw_namespace_switch) -- nsscope's scopes are built on this single switch; every caller restores or discards the thread
    let rc = unsafe { libc::setns(fd.as_raw_fd(), kind.clone_flag()) };
    if rc == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// `setns(fd, flags)` on a raw descriptor: a namespace with its `CLONE_NEW*` flag, or a
/// pidfd with the flags of every kind to enter. No allocation: async-signal-safe, for a child
/// between `fork` and `exec` too.
pub(crate) fn setns_flags(fd: RawFd, flags: libc::c_int) -> io::Result<()> {
    // SAFETY: a plain system call; callers keep `fd` open for its duration.
    // nslint: allow(raw_namespace_switch) -- a pidfd entry of a set on a thread nsscope restores or discards, or a child between fork and exec (what nsenter does)
    let rc = unsafe { libc::setns(fd, flags) };
    if rc == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// `pidfd_open(pid, 0)`: a descriptor that names process `pid` for as long as it is open.
pub(crate) fn pidfd_open(pid: u32) -> io::Result<OwnedFd> {
    let pid = libc::pid_t::try_from(pid)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "pid out of range"))?;
    // SAFETY: pidfd_open takes a pid and flags; the result is checked.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd == -1 {
        return Err(io::Error::last_os_error());
    }
    let fd = RawFd::try_from(fd).map_err(|_| io::Error::other("pidfd_open returned no fd"))?;
    // SAFETY: a fresh fd that nothing else owns (pidfds are close-on-exec).
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Whether the process behind `pidfd` is still running (signal 0 through the pidfd).
pub(crate) fn pidfd_is_alive(pidfd: BorrowedFd<'_>) -> io::Result<bool> {
    // SAFETY: signal 0 checks for existence and sends nothing; no siginfo, no flags.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd(),
            0,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
    match rc {
        0 => Ok(true),
        _ if io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH) => Ok(false),
        _ => Err(io::Error::last_os_error()),
    }
}

/// `chdir(path)`: async-signal-safe, for a child between `fork` and `exec`.
pub(crate) fn chdir(path: &CStr) -> io::Result<()> {
    // SAFETY: a valid C string that outlives the call.
    if unsafe { libc::chdir(path.as_ptr()) } == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// `unshare(flags)` on the calling thread.
pub(crate) fn unshare(flags: libc::c_int) -> io::Result<()> {
    // SAFETY: a plain system call on the calling thread.
    // nslint: allow(raw_namespace_switch) -- only on threads nsscope owns (scope threads, workers, throwaway creators) or a pool thread its start hook is placing
    let rc = unsafe { libc::unshare(flags) };
    if rc == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// The `CLONE_NEW*` type of the namespace behind `fd`, from `NS_GET_NSTYPE`. `Ok(None)` when
/// the file is not a namespace.
pub(crate) fn ns_type(fd: BorrowedFd<'_>) -> io::Result<Option<libc::c_int>> {
    // SAFETY: NS_GET_NSTYPE takes no argument and only reads the file.
    let rc = unsafe { libc::ioctl(fd.as_raw_fd(), libc::NS_GET_NSTYPE) };
    if rc == -1 {
        let e = io::Error::last_os_error();
        return match e.raw_os_error() {
            Some(libc::ENOTTY) | Some(libc::EINVAL) => Ok(None),
            _ => Err(e),
        };
    }
    Ok(Some(rc))
}

/// Sets `FD_CLOEXEC` on `fd`.
pub(crate) fn set_cloexec(fd: BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: F_GETFD and F_SETFD on an open fd take and return plain integers.
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFD) };
    // SAFETY: as above.
    if flags == -1
        || unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, flags | libc::FD_CLOEXEC) } == -1
    {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// (st_dev, st_ino) of an open file.
pub(crate) fn fstat_id(fd: BorrowedFd<'_>) -> io::Result<(u64, u64)> {
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: fstat fills `st` on success.
    let rc = unsafe { libc::fstat(fd.as_raw_fd(), st.as_mut_ptr()) };
    if rc == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: initialised by the successful fstat.
    let st = unsafe { st.assume_init() };
    Ok((st.st_dev, st.st_ino))
}

pub(crate) fn cpath(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte"))
}

/// `open(path, flags | O_CLOEXEC)`.
pub(crate) fn open(path: &Path, flags: libc::c_int, mode: libc::mode_t) -> io::Result<OwnedFd> {
    let c = cpath(path)?;
    // SAFETY: `c` is a valid C string; the result is checked.
    let fd = unsafe { libc::open(c.as_ptr(), flags | libc::O_CLOEXEC, mode as libc::c_uint) };
    if fd == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh fd that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `openat(dir, path, flags | O_CLOEXEC)`.
pub(crate) fn openat(dir: BorrowedFd<'_>, path: &CStr, flags: libc::c_int) -> io::Result<OwnedFd> {
    // SAFETY: a valid C string and an open directory fd; the result is checked.
    let fd = unsafe { libc::openat(dir.as_raw_fd(), path.as_ptr(), flags | libc::O_CLOEXEC) };
    if fd == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh fd that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Whether `fd` is a file of the namespace file system (nsfs).
pub(crate) fn is_nsfs(fd: BorrowedFd<'_>) -> io::Result<bool> {
    Ok(file_system_magic(fd)? == libc::NSFS_MAGIC as u64)
}

/// Whether `fd` is a file of a proc file system.
pub(crate) fn is_procfs(fd: BorrowedFd<'_>) -> io::Result<bool> {
    Ok(file_system_magic(fd)? == libc::PROC_SUPER_MAGIC as u64)
}

/// The magic number of the file system `fd` lives on (`f_type` of `fstatfs`).
#[allow(
    clippy::unnecessary_cast,
    reason = "f_type and the magic constants have types that differ between targets"
)]
fn file_system_magic(fd: BorrowedFd<'_>) -> io::Result<u64> {
    let mut st = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: fstatfs fills `st` on success.
    if unsafe { libc::fstatfs(fd.as_raw_fd(), st.as_mut_ptr()) } == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: initialised by the successful fstatfs.
    let st = unsafe { st.assume_init() };
    Ok(st.f_type as u64)
}

/// The inode number a `/proc/.../ns/<kind>` link points at, read through an `O_PATH` fd of the
/// link itself (no path walk).
pub(crate) fn ns_link_inode(link: BorrowedFd<'_>) -> io::Result<u64> {
    let mut buf = [0u8; 64];
    // SAFETY: empty path with an O_PATH|O_NOFOLLOW fd reads that link; buf is writable.
    let n = unsafe {
        libc::readlinkat(
            link.as_raw_fd(),
            c"".as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let text = buf.get(..n as usize).unwrap_or_default();
    parse_ns_link(text).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "unexpected namespace link {:?}",
                String::from_utf8_lossy(text)
            ),
        )
    })
}

/// Parses `kind:[inode]`.
fn parse_ns_link(text: &[u8]) -> Option<u64> {
    let open = text.iter().position(|&b| b == b'[')?;
    let digits = text.get(open + 1..text.len().checked_sub(1)?)?;
    if text.last() != Some(&b']') || digits.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(n)
}

pub(crate) fn mount(src: &Path, target: &Path, flags: libc::c_ulong) -> io::Result<()> {
    let s = cpath(src)?;
    let t = cpath(target)?;
    // SAFETY: valid C strings, no data argument.
    let rc = unsafe {
        libc::mount(
            s.as_ptr(),
            t.as_ptr(),
            c"none".as_ptr(),
            flags,
            std::ptr::null(),
        )
    };
    if rc == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

pub(crate) fn umount_detach(target: &Path) -> io::Result<()> {
    let t = cpath(target)?;
    // SAFETY: valid C string.
    let rc = unsafe { libc::umount2(t.as_ptr(), libc::MNT_DETACH) };
    if rc == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_ns_link;

    #[test]
    fn parses_links() {
        assert_eq!(parse_ns_link(b"net:[4026531833]"), Some(4026531833));
        assert_eq!(parse_ns_link(b"net:[]"), None);
        assert_eq!(parse_ns_link(b"net:[12"), None);
        assert_eq!(parse_ns_link(b"net:[1x]"), None);
    }
}
