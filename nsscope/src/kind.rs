//! Namespace kinds and the kernel rules attached to each.

use std::fmt;

/// The kind of a Linux namespace.
///
/// Each kind has a `CLONE_NEW*` flag (what `setns(2)` and `NS_GET_NSTYPE` speak) and a name
/// under `/proc/<pid>/ns/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NsKind {
    /// Network: interfaces, routes, sockets, `/proc/net`.
    Net,
    /// UTS: host name and domain name.
    Uts,
    /// System V IPC and POSIX message queues.
    Ipc,
    /// Mount table. Entered only by threads that own their filesystem context.
    Mnt,
    /// PID numbering. Affects children only: never entered in-process.
    Pid,
    /// User and group ids, capabilities. Refused for multithreaded processes by the kernel.
    User,
    /// Cgroup root view.
    Cgroup,
    /// Boot and monotonic clock offsets. Refused for multithreaded processes by the kernel.
    Time,
}

impl NsKind {
    /// Every kind, in a fixed order.
    pub const ALL: [NsKind; 8] = [
        NsKind::Net,
        NsKind::Uts,
        NsKind::Ipc,
        NsKind::Mnt,
        NsKind::Pid,
        NsKind::User,
        NsKind::Cgroup,
        NsKind::Time,
    ];

    /// The file name under `/proc/<pid>/ns/` (`"net"`, `"mnt"`, ...).
    pub const fn proc_name(self) -> &'static str {
        match self {
            NsKind::Net => "net",
            NsKind::Uts => "uts",
            NsKind::Ipc => "ipc",
            NsKind::Mnt => "mnt",
            NsKind::Pid => "pid",
            NsKind::User => "user",
            NsKind::Cgroup => "cgroup",
            NsKind::Time => "time",
        }
    }

    /// The `CLONE_NEW*` flag for this kind, as `setns(2)` and `unshare(2)` take it.
    pub const fn clone_flag(self) -> libc::c_int {
        match self {
            NsKind::Net => libc::CLONE_NEWNET,
            NsKind::Uts => libc::CLONE_NEWUTS,
            NsKind::Ipc => libc::CLONE_NEWIPC,
            NsKind::Mnt => libc::CLONE_NEWNS,
            NsKind::Pid => libc::CLONE_NEWPID,
            NsKind::User => libc::CLONE_NEWUSER,
            NsKind::Cgroup => libc::CLONE_NEWCGROUP,
            NsKind::Time => libc::CLONE_NEWTIME,
        }
    }

    /// The kind for a `CLONE_NEW*` flag (as returned by `NS_GET_NSTYPE`), if it is one.
    pub fn from_clone_flag(flag: libc::c_int) -> Option<NsKind> {
        NsKind::ALL.into_iter().find(|k| k.clone_flag() == flag)
    }

    /// Whether a thread of a running process can enter this kind and come back.
    ///
    /// False for `User` and `Time` (the kernel refuses to move a thread of a multithreaded
    /// process into them: `EINVAL` and `EUSERS`) and for `Pid` (it only changes what
    /// *children* get, and a thread whose pid namespace for children differs can no longer
    /// create threads). Those are entered through
    /// [`Namespace::command`](crate::Namespace::command).
    pub const fn in_process(self) -> bool {
        !matches!(self, NsKind::User | NsKind::Pid | NsKind::Time)
    }

    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for NsKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.proc_name())
    }
}

/// The scopes nsscope offers, as named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `run`: a fresh scoped thread that dies afterwards.
    Run,
    /// `run_here`: the current thread, restored afterwards.
    RunHere,
    /// `spawn`: a long-lived thread inside the namespace.
    Spawn,
    /// `worker`: a persistent thread taking many calls.
    Worker,
    /// `run_async`: a fresh thread with its own current-thread runtime.
    RunAsync,
    /// `command`: a child process that enters before `exec`.
    Command,
    /// `thread_start_hook`: the new threads of a thread pool.
    ThreadStartHook,
}

impl Scope {
    /// The method name, as a user would write it.
    pub const fn name(self) -> &'static str {
        match self {
            Scope::Run => "run",
            Scope::RunHere => "run_here",
            Scope::Spawn => "spawn",
            Scope::Worker => "worker",
            Scope::RunAsync => "run_async",
            Scope::Command => "command",
            Scope::ThreadStartHook => "thread_start_hook",
        }
    }

    /// Whether `kind` may be entered by this scope.
    pub const fn allows(self, kind: NsKind) -> bool {
        match self {
            Scope::Command => true,
            Scope::RunHere => kind.in_process() && !matches!(kind, NsKind::Mnt),
            Scope::Run
            | Scope::Spawn
            | Scope::Worker
            | Scope::RunAsync
            | Scope::ThreadStartHook => kind.in_process(),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
