//! Keeping a thread pool's new threads in one namespace, whichever thread creates them.
//!
//! A pool creates threads from the thread that hands it work when it has no idle one, and a
//! new thread starts in its creator's namespaces. So a pool grown from inside a scope gets a
//! thread in the scope's namespace that later serves the pool's other work there, and a pool
//! built inside a namespace gets a thread outside when a leaked handle grows it from outside.
//! The hook here runs first on every new pool thread and moves it where it belongs.

use crate::current::current_inode;
use crate::error::Result;
use crate::fatal;
use crate::kind::Scope;
use crate::namespace::Namespace;
use crate::scope::{check, enter_owned};

/// A thread-start hook that moves each new thread into `target` (see the module docs).
pub(crate) fn thread_start_hook(target: &Namespace) -> Result<impl Fn() + Send + Sync + 'static> {
    check(target.kind(), Scope::ThreadStartHook)?;
    let target = target.clone();
    Ok(move || keep_in(&target))
}

/// Moves the calling thread, a new pool thread, into `target` unless it is there already;
/// aborts if it cannot, since the pool would then run its work in the wrong namespace and
/// offers no way to refuse the thread.
pub(crate) fn keep_in(target: &Namespace) {
    if current_inode(target.kind()).is_ok_and(|ino| ino == target.id().inode()) {
        // Already there: a mnt pool thread keeps sharing its creator's working directory.
        return;
    }
    if let Err(e) = enter_owned(target) {
        fatal::abort_with(format_args!(
            "nsscope: a new thread of a pool kept in {target} could not enter it: {}. \
             Aborting: the pool would run its work in the wrong {} namespace.\n",
            fatal::Errno(e.raw_os_error()),
            target.kind()
        ));
    }
}
