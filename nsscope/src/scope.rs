//! The scopes, written once for every [`Target`]: single namespaces of any handle type, and
//! sets.

use std::fmt;
use std::io;
use std::os::fd::AsFd;
use std::panic::resume_unwind;
use std::thread::JoinHandle;

use crate::error::{Error, Result, restore_failure_hint};
use crate::fatal;
use crate::kind::{NsKind, Scope};
use crate::namespace::Namespace;
#[cfg(feature = "tokio")]
use crate::namespace::NsHandle;
use crate::target::Target;
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

/// Gives up on a thread that could not be put back into `host`: see [`fatal`].
pub(crate) fn abort_unrestored(kind: NsKind, error: &io::Error, host: &dyn fmt::Display) -> ! {
    let errno = error.raw_os_error();
    fatal::abort_with(format_args!(
        "nsscope: run_here: could not return the thread to its {kind} namespace: {}; {}. \
         Aborting: a thread left in an unknown {kind} namespace would run all the caller's \
         later code there (host was {host}).\n",
        fatal::Errno(errno),
        restore_failure_hint(kind, errno),
    ))
}

pub(crate) fn run<T, F, R>(target: &T, f: F) -> Result<R>
where
    T: Target,
    F: FnOnce(&T::Host) -> R + Send,
    R: Send,
{
    target.check(Scope::Run)?;
    // The new thread inherits the caller's namespaces: that is the host.
    let host = target.host()?;
    let host = &host;
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .spawn_scoped(s, move || -> Result<R> {
                target.enter_owned()?;
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
struct Restore<'a, T: Target> {
    host: &'a T::Host,
}

impl<T: Target> Drop for Restore<'_, T> {
    fn drop(&mut self) {
        if let Err((kind, error)) = T::restore(self.host) {
            // No panic and no allocation from here on: see `fatal`.
            abort_unrestored(kind, &error, self.host);
        }
    }
}

pub(crate) fn run_here<T, F, R>(target: &T, f: F) -> Result<R>
where
    T: Target,
    F: FnOnce(&T::Host) -> R,
{
    target.check(Scope::RunHere)?;
    let host = target.host()?;
    target.enter_shared(&host)?;
    let _restore = Restore::<T> { host: &host };
    Ok(f(&host))
}

pub(crate) fn spawn<T, F, R>(target: &T, f: F) -> Result<JoinHandle<R>>
where
    T: Target,
    F: FnOnce(&T::Host) -> R + Send + 'static,
    R: Send + 'static,
{
    target.check(Scope::Spawn)?;
    let host = target.host()?;
    let target = target.clone();
    let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel::<Result<()>>(1);
    let handle = std::thread::Builder::new()
        .name(target.thread_name())
        .spawn(move || {
            let entered = target.enter_owned();
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
pub(crate) fn run_async<H, F, T>(target: &H, f: F) -> Result<T>
where
    H: NsHandle + fmt::Display,
    F: AsyncFnOnce(&H) -> T + Send,
    T: Send,
{
    target.check(Scope::RunAsync)?;
    let host = target.host()?;
    let host = &host;
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .spawn_scoped(s, move || -> Result<T> {
                target.enter_owned()?;
                // Built after entering; its thread-start hook keeps every blocking thread in
                // the namespace.
                let rt = crate::rt::build(target.namespace())?;
                Ok(rt.block_on(f(host)))
            })
            .map_err(|e| Error::io("spawning the scope thread", e))?;
        match handle.join() {
            Ok(result) => result,
            Err(panic) => resume_unwind(panic),
        }
    })
}
