//! The scopes, written once for every handle type.

use std::io;
use std::os::fd::AsFd;
use std::panic::resume_unwind;
use std::thread::JoinHandle;

use crate::current::{self, current_ns};
use crate::error::{Error, Result, restore_failure_hint};
use crate::fatal;
use crate::kind::{NsKind, Scope};
use crate::namespace::{Namespace, NsHandle, wrap};
use crate::{procfs, sys};

/// Refuses kinds this scope cannot enter.
pub(crate) fn check(kind: NsKind, scope: Scope) -> Result<()> {
    if scope.allows(kind) {
        Ok(())
    } else {
        Err(Error::UnsupportedKind { kind, scope })
    }
}

/// Prepares a thread nsscope owns for entering `kind`: mnt needs a private filesystem
/// context (root and working directory, `fs_struct`).
///
/// The kernel refuses to switch the mount namespace of a context other threads share, and a
/// thread shares its creator's until it unshares it; a thread that has been joined may still
/// hold it for a moment (the kernel wakes the joiner before the exiting thread lets go). So
/// every entry and re-entry of a mnt namespace takes a private copy first; when the context
/// is already private that costs one cheap system call.
pub(crate) fn prepare_owned_thread(kind: NsKind) -> io::Result<()> {
    if kind == NsKind::Mnt {
        // While the thread still sees the process's own /proc: see `procfs`.
        procfs::root()?;
        sys::unshare(libc::CLONE_FS)?;
    }
    Ok(())
}

/// Moves a thread nsscope owns into `target`, the first time or again.
pub(crate) fn enter_owned(target: &Namespace) -> io::Result<()> {
    prepare_owned_thread(target.kind())?;
    sys::setns(target.as_fd(), target.kind())
}

/// [`enter_owned`], with an error that says what failed.
fn enter_owned_thread(target: &Namespace) -> Result<()> {
    enter_owned(target).map_err(|e| Error::from_io(format!("entering {target}"), None, e))
}

/// Moves the calling thread into `target`.
pub(crate) fn enter(target: &Namespace) -> Result<()> {
    sys::setns(target.as_fd(), target.kind())
        .map_err(|e| Error::from_io(format!("entering {target}"), None, e))
}

pub(crate) fn run<H, F, R>(target: &Namespace, f: F) -> Result<R>
where
    H: NsHandle,
    F: FnOnce(&H) -> R + Send,
    R: Send,
{
    check(target.kind(), Scope::Run)?;
    // The new thread inherits the caller's namespaces: that is the host.
    let host: H = wrap(current_ns(target.kind())?);
    let host = &host;
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .spawn_scoped(s, move || -> Result<R> {
                enter_owned_thread(target)?;
                Ok(f(host))
                // The thread ends here, still inside the namespace: nothing to restore.
            })
            .map_err(|e| Error::io("spawning the scope thread", e))?;
        match handle.join() {
            Ok(result) => result,
            Err(panic) => resume_unwind(panic),
        }
    })
}

/// Puts the thread back on every exit path; aborts if it cannot.
struct Restore<'a> {
    host: &'a Namespace,
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        match sys::setns(self.host.as_fd(), self.host.kind()) {
            Ok(()) => current::moved_to(self.host),
            Err(e) => {
                let kind = self.host.kind();
                let errno = e.raw_os_error();
                // No panic and no allocation from here on: see `fatal`.
                fatal::abort_with(format_args!(
                    "nsscope: run_here: could not return the thread to its {kind} namespace: {}; \
                 {}. Aborting: a thread left in an unknown {kind} namespace would run all the \
                 caller's later code there (host was {}).\n",
                    fatal::Errno(errno),
                    restore_failure_hint(kind, errno),
                    self.host
                ));
            }
        }
    }
}

pub(crate) fn run_here<H, F, R>(target: &Namespace, f: F) -> Result<R>
where
    H: NsHandle,
    F: FnOnce(&H) -> R,
{
    check(target.kind(), Scope::RunHere)?;
    let host: H = wrap(current_ns(target.kind())?);
    enter(target)?;
    let _restore = Restore {
        host: host.namespace(),
    };
    Ok(f(&host))
}

pub(crate) fn spawn<H, F, R>(target: &Namespace, f: F) -> Result<JoinHandle<R>>
where
    H: NsHandle,
    F: FnOnce(&H) -> R + Send + 'static,
    R: Send + 'static,
{
    check(target.kind(), Scope::Spawn)?;
    let host: H = wrap(current_ns(target.kind())?);
    let target = target.clone();
    let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel::<Result<()>>(1);
    let handle = std::thread::Builder::new()
        .name(format!("nsscope-{}", target.kind()))
        .spawn(move || {
            let entered = enter_owned_thread(&target);
            drop(target);
            let ok = entered.is_ok();
            if ready_tx.send(entered).is_err() || !ok {
                // Nobody will run or join us: leave without running `f` and without a panic
                // message (resume_unwind skips the hook).
                resume_unwind(Box::new(()));
            }
            f(&host)
        })
        .map_err(|e| Error::io("spawning a namespace thread", e))?;
    match ready_rx.recv() {
        Ok(Ok(())) => Ok(handle),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(Error::io(
            "starting a namespace thread",
            std::io::Error::other("the thread exited before entering the namespace"),
        )),
    }
}

#[cfg(feature = "tokio")]
pub(crate) fn run_async<H, F, T>(target: &Namespace, f: F) -> Result<T>
where
    H: NsHandle,
    F: AsyncFnOnce(&H) -> T + Send,
    T: Send,
{
    check(target.kind(), Scope::RunAsync)?;
    let host: H = wrap(current_ns(target.kind())?);
    let host = &host;
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .spawn_scoped(s, move || -> Result<T> {
                enter_owned_thread(target)?;
                // Built after entering: its blocking pool threads are created from here and
                // inherit the namespace.
                let rt = crate::rt::build(target)?;
                Ok(rt.block_on(f(host)))
            })
            .map_err(|e| Error::io("spawning the scope thread", e))?;
        match handle.join() {
            Ok(result) => result,
            Err(panic) => resume_unwind(panic),
        }
    })
}
