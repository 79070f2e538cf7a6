//! `command`: a child process that enters namespaces between `fork` and `exec`.
//!
//! std runs `pre_exec` hooks last in the child, after it has applied the `Command`'s
//! `gid`, `uid` and `current_dir`. Two consequences shape this module: a `uid` other than 0
//! has dropped the capabilities `setns` needs (it fails with `EPERM`, nothing here can
//! reorder that), and `setns` into a mount namespace resets the working directory to that
//! namespace's root, so the directory the `Command` asked for is looked up again inside.

use std::ffi::CString;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::Arc;

use crate::kind::NsKind;
use crate::namespace::Namespace;
use crate::sys;

/// Makes `cmd`'s child enter `namespaces`, in order, before `exec`.
pub(crate) fn command<'a>(
    namespaces: impl IntoIterator<Item = &'a Namespace>,
    mut cmd: Command,
) -> Command {
    // Owned by the closure: the descriptors stay open until the `Command` is dropped, and
    // O_CLOEXEC closes them in the child at exec.
    let entries: Vec<(Arc<OwnedFd>, libc::c_int)> = namespaces
        .into_iter()
        .map(|ns| (Arc::clone(&ns.fd), ns.kind().clone_flag()))
        .collect();
    let enters_mnt = entries
        .iter()
        .any(|(_, flag)| *flag == NsKind::Mnt.clone_flag());
    // Prepared here: the child may not allocate. A path with a NUL byte makes std's own
    // spawn fail before the hook runs.
    let dir_inside: Option<CString> = enters_mnt
        .then(|| cmd.get_current_dir().and_then(|dir| sys::cpath(dir).ok()))
        .flatten();
    // SAFETY: the closure only calls setns(2) and chdir(2) and reads errno, all
    // async-signal-safe; it allocates nothing and takes no lock.
    unsafe {
        cmd.pre_exec(move || {
            for (fd, flag) in &entries {
                sys::setns_flags(fd.as_raw_fd(), *flag)?;
            }
            match &dir_inside {
                Some(dir) => sys::chdir(dir),
                None => Ok(()),
            }
        });
    }
    cmd
}
