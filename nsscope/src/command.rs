//! `command`: a child process that enters a namespace between `fork` and `exec`.
//!
//! std runs `pre_exec` hooks last in the child, after it has applied the `Command`'s
//! `gid`, `uid` and `current_dir`. Two consequences shape this module: a `uid` other than 0
//! has dropped the capabilities `setns` needs (it fails with `EPERM`, nothing here can
//! reorder that), and `setns` into a mount namespace resets the working directory to that
//! namespace's root, so the directory the `Command` asked for is looked up again inside.

use std::ffi::CString;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::Arc;

use crate::kind::NsKind;
use crate::namespace::Namespace;
use crate::sys;

pub(crate) fn command(target: &Namespace, mut cmd: Command) -> Command {
    let fd = Arc::clone(&target.fd);
    let flag = target.kind().clone_flag();
    // Prepared here: the child may not allocate. A path with a NUL byte makes std's own
    // spawn fail before the hook runs.
    let dir_inside: Option<CString> = match target.kind() {
        NsKind::Mnt => cmd.get_current_dir().and_then(|dir| sys::cpath(dir).ok()),
        _ => None,
    };
    // SAFETY: the closure only calls setns(2) and chdir(2) and reads errno, all
    // async-signal-safe; it allocates nothing and takes no lock. The fd stays open because
    // the closure owns an Arc of it; O_CLOEXEC closes it in the child at exec.
    unsafe {
        cmd.pre_exec(move || {
            sys::setns_raw(fd.as_raw_fd(), flag)?;
            match &dir_inside {
                Some(dir) => sys::chdir(dir),
                None => Ok(()),
            }
        });
    }
    cmd
}
