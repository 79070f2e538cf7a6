//! Which namespace the calling thread is in: a per-thread cache, checked against the kernel
//! on every look-up.
//!
//! Opening `/proc/thread-self/ns/<kind>` costs about three `setns` calls, so every thread
//! keeps an `O_PATH` handle on its own ns links and the last namespace handle it opened per
//! kind. Each look-up still asks the kernel (a `readlink` on the `O_PATH` handle, no path
//! walk) which namespace the thread is in, so a switch made behind nsscope's back is noticed
//! and never "restored" into a stale namespace. When nsscope moves a thread back (a restore),
//! it records where the thread now is, so the cache never keeps a namespace alive that the
//! thread has left. After `fork` the child starts with an empty cache.
//!
//! Every path goes through [`procfs`], the process's own `/proc`, which finds the thread
//! whatever mount namespace it is in.

use std::cell::RefCell;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};
use crate::kind::NsKind;
use crate::namespace::Namespace;
use crate::{procfs, sys};

static FORK_GENERATION: AtomicU64 = AtomicU64::new(0);
static ATFORK: Once = Once::new();

extern "C" fn after_fork_in_child() {
    FORK_GENERATION.fetch_add(1, Ordering::Relaxed);
}

struct Slot {
    link: OwnedFd,
    ns: Option<Namespace>,
}

struct ThreadCache {
    generation: u64,
    slots: [Option<Slot>; NsKind::ALL.len()],
}

thread_local! {
    static CACHE: RefCell<ThreadCache> = const {
        RefCell::new(ThreadCache { generation: 0, slots: [const { None }; NsKind::ALL.len()] })
    };
}

/// `ns/<kind>` under `/proc/thread-self`.
fn link_name(kind: NsKind) -> String {
    format!("ns/{}", kind.proc_name())
}

/// The error for a failed look-up of the thread's own link: never "not found, check the
/// name", since the name is the thread's own.
fn own_link_error(what: &str, kind: NsKind, e: std::io::Error) -> Error {
    Error::io(
        format!(
            "{what} /proc/thread-self/ns/{} (the calling thread's own namespace)",
            kind.proc_name()
        ),
        e,
    )
}

/// Opens the calling thread's namespace of `kind` without the cache.
pub(crate) fn open_current_uncached(kind: NsKind) -> Result<Namespace> {
    let fd = procfs::open_thread_self(&link_name(kind), libc::O_RDONLY)
        .map_err(|e| own_link_error("opening", kind, e))?;
    Namespace::from_fd_checked(fd, Some(kind), None)
}

/// Runs `f` on this thread's slot for `kind` (opening its link first if needed), or
/// `fallback` when the thread-local cache is unusable.
fn with_slot<T>(
    kind: NsKind,
    f: impl FnOnce(&mut Slot) -> Result<T>,
    fallback: impl FnOnce() -> Result<T>,
) -> Result<T> {
    ATFORK.call_once(|| {
        // SAFETY: registers a handler that only bumps an atomic counter.
        unsafe {
            libc::pthread_atfork(None, None, Some(after_fork_in_child));
        }
    });
    let generation = FORK_GENERATION.load(Ordering::Relaxed);
    let attempt = CACHE.try_with(|cache| {
        let Ok(mut cache) = cache.try_borrow_mut() else {
            return None;
        };
        if cache.generation != generation {
            cache.slots = [const { None }; NsKind::ALL.len()];
            cache.generation = generation;
        }
        let slot = cache.slots.get_mut(kind.index())?;
        if slot.is_none() {
            let opened =
                procfs::open_thread_self(&link_name(kind), libc::O_PATH | libc::O_NOFOLLOW);
            match opened {
                Ok(link) => *slot = Some(Slot { link, ns: None }),
                Err(e) => return Some(Err(own_link_error("opening", kind, e))),
            }
        }
        slot.as_mut().map(f)
    });
    match attempt {
        Ok(Some(result)) => result,
        // Thread-local storage is being torn down, or a re-entrant call: go the slow way.
        _ => fallback(),
    }
}

fn read_link(slot: &Slot, kind: NsKind) -> Result<u64> {
    sys::ns_link_inode(slot.link.as_fd()).map_err(|e| own_link_error("reading", kind, e))
}

/// The namespace of `kind` the calling thread is in now.
pub(crate) fn current_ns(kind: NsKind) -> Result<Namespace> {
    with_slot(
        kind,
        |slot| {
            let ino = read_link(slot, kind)?;
            if let Some(ns) = &slot.ns {
                if ns.id().inode() == ino {
                    return Ok(ns.clone());
                }
            }
            let ns = open_current_uncached(kind)?;
            slot.ns = Some(ns.clone());
            Ok(ns)
        },
        || open_current_uncached(kind),
    )
}

/// The inode of the calling thread's namespace of `kind`.
pub(crate) fn current_inode(kind: NsKind) -> Result<u64> {
    with_slot(
        kind,
        |slot| read_link(slot, kind),
        || Ok(open_current_uncached(kind)?.id().inode()),
    )
}

/// Records that nsscope has just moved the calling thread into `ns`: the cache now holds
/// `ns` for its kind, and lets go of whatever namespace it held before.
pub(crate) fn moved_to(ns: &Namespace) {
    let _ = CACHE.try_with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            if let Some(Some(slot)) = cache.slots.get_mut(ns.kind().index()) {
                if slot.ns.as_ref() != Some(ns) {
                    slot.ns = Some(ns.clone());
                }
            }
        }
    });
}
