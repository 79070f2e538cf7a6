//! Several namespaces, one of each kind, entered together.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::current::{self, current_inode, current_ns};
use crate::error::{Error, Result};
use crate::kind::{NsKind, Scope};
use crate::namespace::Namespace;
use crate::scope::{self, abort_unrestored, check, prepare_owned_thread};
use crate::sys;
use crate::target::Target;

/// Several namespaces, one of each kind, entered together: a process's net and mnt, say.
///
/// A set holds a handle on each of its namespaces, as [`Namespace`] does, and entering it
/// moves the thread into exactly those. A set opened from a process
/// ([`of_pid`](NsSet::of_pid)) also holds a pidfd of that process. Where the kernel supports
/// it (Linux 5.8 and later), a thread then enters with one `setns` on the pidfd, which moves
/// it into all of the process's namespaces of the set's kinds or into none, and then checks
/// that they are the set's; if the process has switched since, or exited, or the kernel is
/// older, it enters the set's namespaces one kind at a time.
///
/// The kind rules of single namespaces hold for every member: [`run`](NsSet::run) and
/// [`spawn`](NsSet::spawn) take net, uts, ipc, cgroup and mnt (their threads take a private
/// root and working directory first when mnt is in the set), [`run_here`](NsSet::run_here)
/// the same without mnt, and [`command`](NsSet::command) every kind. The closures receive
/// `host`: the set of the caller's thread's namespaces of the same kinds. Workers and
/// `run_async` take one namespace each.
///
/// Equality and hashing go by the members' [`NsId`](crate::NsId)s.
#[derive(Clone)]
pub struct NsSet {
    /// In the order they are entered: user first (it grants the rights for the others), then
    /// as in [`NsKind::ALL`].
    members: Vec<Namespace>,
    /// The process the members were opened from, while nsscope could get a pidfd for it.
    process: Option<Arc<OwnedFd>>,
}

impl NsSet {
    /// The namespaces of `kinds` that process `pid` is in (`/proc/<pid>/ns/<kind>`), with a
    /// pidfd of the process to enter them in one step.
    ///
    /// The pidfd is opened first and the process checked alive after the namespaces, so they
    /// are that process's even if its pid is reused meanwhile (without pidfds, before Linux
    /// 5.3, they are whatever process has the pid).
    ///
    /// Errors: [`Error::NotFound`] when the process does not exist (or has exited meanwhile).
    pub fn of_pid(pid: u32, kinds: &[NsKind]) -> Result<NsSet> {
        let gone = || Error::NotFound {
            path: PathBuf::from(format!("/proc/{pid}")),
        };
        let process = match sys::pidfd_open(pid) {
            Ok(fd) => Some(fd),
            // Before Linux 5.3, or a thread id that is not a process's (before 6.9).
            Err(e) if matches!(e.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EINVAL)) => None,
            Err(e) if e.raw_os_error() == Some(libc::ESRCH) => return Err(gone()),
            Err(e) => {
                return Err(Error::from_io(
                    format!("opening a pidfd of process {pid}"),
                    None,
                    e,
                ));
            }
        };
        let members = distinct(kinds)
            .map(|kind| Namespace::of_pid(pid, kind))
            .collect::<Result<Vec<_>>>()?;
        if let Some(pidfd) = &process {
            let alive = sys::pidfd_is_alive(pidfd.as_fd()).map_err(|e| {
                Error::io(format!("checking that process {pid} is still running"), e)
            })?;
            if !alive {
                return Err(gone());
            }
        }
        Ok(NsSet::ordered(members, process.map(Arc::new)))
    }

    /// The namespaces of `kinds` the calling thread is in.
    pub fn current(kinds: &[NsKind]) -> Result<NsSet> {
        let members = distinct(kinds)
            .map(current_ns)
            .collect::<Result<Vec<_>>>()?;
        Ok(NsSet::ordered(members, None))
    }

    /// A set of the given namespaces, entered one kind at a time.
    ///
    /// Errors: [`Error::DuplicateKind`] when two of them have the same kind.
    pub fn new(namespaces: impl IntoIterator<Item = Namespace>) -> Result<NsSet> {
        let mut members: Vec<Namespace> = Vec::new();
        for ns in namespaces {
            if members.iter().any(|m| m.kind() == ns.kind()) {
                return Err(Error::DuplicateKind { kind: ns.kind() });
            }
            members.push(ns);
        }
        Ok(NsSet::ordered(members, None))
    }

    /// The member of `kind`, if the set has one.
    pub fn get(&self, kind: NsKind) -> Option<&Namespace> {
        self.members.iter().find(|m| m.kind() == kind)
    }

    /// The members, in the order a thread enters them.
    pub fn iter(&self) -> impl Iterator<Item = &Namespace> {
        self.members.iter()
    }

    /// Whether the calling thread is in every member right now.
    pub fn is_current(&self) -> Result<bool> {
        for m in &self.members {
            if current_inode(m.kind())? != m.id().inode() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Runs `f` inside every member on a fresh thread that dies afterwards, as
    /// [`Namespace::run`] does for one.
    ///
    /// Errors: [`UnsupportedKind`](crate::Error::UnsupportedKind) when the set has a user,
    /// pid or time namespace (use [`command`](NsSet::command)); entry errors.
    pub fn run<F, R>(&self, f: F) -> Result<R>
    where
        F: FnOnce(&NsSet) -> R + Send,
        R: Send,
    {
        scope::run(self, f)
    }

    /// Runs `f` inside every member on the *current* thread, then puts the thread back into
    /// each of its namespaces of the set's kinds, on every exit path; aborts if it cannot, as
    /// [`Namespace::run_here`] does.
    ///
    /// Errors: [`UnsupportedKind`](crate::Error::UnsupportedKind) when the set has a mnt,
    /// user, pid or time namespace; entry errors (after which the thread is where it was).
    pub fn run_here<F, R>(&self, f: F) -> Result<R>
    where
        F: FnOnce(&NsSet) -> R,
    {
        scope::run_here(self, f)
    }

    /// Starts a named long-lived thread inside every member running `f`, as
    /// [`Namespace::spawn`] does for one.
    pub fn spawn<F, R>(&self, f: F) -> Result<JoinHandle<R>>
    where
        F: FnOnce(&NsSet) -> R + Send + 'static,
        R: Send + 'static,
    {
        scope::spawn(self, f)
    }

    /// Makes `cmd` start its child inside every member: the child calls `setns` for each,
    /// user first, between `fork` and `exec`, as [`Namespace::command`] does for one (see
    /// there what that means for `uid` and `current_dir`). Works for every kind.
    pub fn command(&self, cmd: Command) -> Command {
        crate::command::command(&self.members, cmd)
    }

    fn ordered(mut members: Vec<Namespace>, process: Option<Arc<OwnedFd>>) -> NsSet {
        members.sort_by_key(|m| entry_rank(m.kind()));
        NsSet { members, process }
    }

    /// The `CLONE_NEW*` flags of every member.
    fn flags(&self) -> libc::c_int {
        self.members
            .iter()
            .fold(0, |flags, m| flags | m.kind().clone_flag())
    }

    /// Moves the calling thread into every member. On an error, also says how many members
    /// (in entry order) the thread may have been moved into.
    #[cfg_attr(
        nslint,
        allow(
            nslint::switch_without_restore,
            reason = "entering is this function's job: every caller (a scope) restores or discards the thread"
        )
    )]
    fn enter_members(&self) -> std::result::Result<(), (usize, Error)> {
        let mut moved_all = false;
        if let Some(pidfd) = &self.process {
            match sys::setns_flags(pidfd.as_raw_fd(), self.flags()) {
                // One step, all or nothing: done, if the process is still in the members.
                Ok(()) if self.is_current().unwrap_or(false) => return Ok(()),
                Ok(()) => moved_all = true,
                // An older kernel (EINVAL) or an exited process (ESRCH): one kind at a time.
                Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ESRCH)) => {}
                Err(e) => return Err((0, Error::from_io(format!("entering {self}"), None, e))),
            }
        }
        for (entered, m) in self.members.iter().enumerate() {
            if let Err(e) = sys::setns(m.as_fd(), m.kind()) {
                let moved = if moved_all {
                    self.members.len()
                } else {
                    entered
                };
                return Err((moved, Error::from_io(format!("entering {m}"), None, e)));
            }
        }
        Ok(())
    }
}

/// The order members are entered in: user first, then as in [`NsKind::ALL`].
fn entry_rank(kind: NsKind) -> (bool, usize) {
    (kind != NsKind::User, kind.index())
}

/// `kinds` without repeats.
fn distinct(kinds: &[NsKind]) -> impl Iterator<Item = NsKind> + '_ {
    kinds
        .iter()
        .enumerate()
        .filter(|&(i, kind)| !kinds.get(..i).is_some_and(|seen| seen.contains(kind)))
        .map(|(_, &kind)| kind)
}

impl Target for NsSet {
    type Host = NsSet;

    fn check(&self, scope: Scope) -> Result<()> {
        self.members.iter().try_for_each(|m| check(m.kind(), scope))
    }

    fn host(&self) -> Result<NsSet> {
        let kinds: Vec<NsKind> = self.members.iter().map(Namespace::kind).collect();
        NsSet::current(&kinds)
    }

    fn enter_owned(&self) -> Result<()> {
        if self.get(NsKind::Mnt).is_some() {
            prepare_owned_thread(NsKind::Mnt).map_err(|e| {
                Error::io("taking a private filesystem context (unshare CLONE_FS)", e)
            })?;
        }
        self.enter_members().map_err(|(_, e)| e)
    }

    fn enter_shared(&self, host: &NsSet) -> Result<()> {
        self.enter_members().map_err(|(moved, e)| {
            // Put back what may have moved before reporting; a thread that cannot be put
            // back is given up on, as after the scope.
            for back in host.members.iter().take(moved) {
                match sys::setns(back.as_fd(), back.kind()) {
                    Ok(()) => current::moved_to(back),
                    Err(error) => abort_unrestored(back.kind(), &error, host),
                }
            }
            e
        })
    }

    fn restore(host: &NsSet) -> std::result::Result<(), (NsKind, io::Error)> {
        for back in &host.members {
            sys::setns(back.as_fd(), back.kind()).map_err(|e| (back.kind(), e))?;
            current::moved_to(back);
        }
        Ok(())
    }

    fn thread_name(&self) -> String {
        let kinds: Vec<&str> = self.members.iter().map(|m| m.kind().proc_name()).collect();
        format!("nsscope-{}", kinds.join("+"))
    }
}

impl PartialEq for NsSet {
    fn eq(&self, other: &NsSet) -> bool {
        self.members == other.members
    }
}

impl Eq for NsSet {}

impl Hash for NsSet {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.members.hash(state);
    }
}

impl fmt::Display for NsSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, m) in self.members.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            fmt::Display::fmt(m, f)?;
        }
        Ok(())
    }
}

impl fmt::Debug for NsSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NsSet")
            .field("members", &self.members)
            .field("pidfd", &self.process.is_some())
            .finish()
    }
}
