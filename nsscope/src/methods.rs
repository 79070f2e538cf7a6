//! The scope methods and the thread-start hook, identical on [`Namespace`] and [`NetNs`]; the
//! closure's `host` has the same type as the receiver.

use std::process::Command;
use std::thread::JoinHandle;

use crate::error::Result;
use crate::namespace::{Namespace, NsHandle};
use crate::netns::NetNs;
use crate::scope;
use crate::worker::Worker;

macro_rules! scope_methods {
    ($handle:ty) => {
        impl $handle {
            /// Runs `f` inside the namespace on a fresh thread that dies afterwards, and
            /// returns its result. The safest scope.
            ///
            /// `f` may borrow from the caller; it receives `host`, the namespace the caller's
            /// thread is in. A panic in `f` resumes in the caller. For `mnt` the thread first
            /// unshares `CLONE_FS`, so it can enter without touching other threads.
            ///
            /// Errors: [`UnsupportedKind`](crate::Error::UnsupportedKind) for user, pid and time
            /// (use [`command`](Self::command)); entry errors such as
            /// [`PermissionDenied`](crate::Error::PermissionDenied).
            pub fn run<F, R>(&self, f: F) -> Result<R>
            where
                F: FnOnce(&$handle) -> R + Send,
                R: Send,
            {
                scope::run(self, f)
            }

            /// Runs `f` inside the namespace on the *current* thread, then puts the thread
            /// back where it was, on every exit path (return or panic).
            ///
            /// Cheaper than [`run`](Self::run), but the thread is shared with the caller: if
            /// the restore fails (for instance because `f` dropped `CAP_SYS_ADMIN`), the
            /// process **aborts** with a message, because a thread stuck in an unknown
            /// namespace would silently run all the caller's later code (and every thread it
            /// spawns) in the wrong place, and nothing can bring it back. The path to that
            /// abort neither panics nor allocates, so a caller's `catch_unwind` cannot stop
            /// it, and a closed or broken stderr only loses the message.
            ///
            /// The restore covers the namespace's kind only: if `f` switches the thread's
            /// namespaces of other kinds, they stay switched.
            ///
            /// Do not hand work to other threads from `f` (they are not in the namespace, and a
            /// pool that grows a thread from `f` grows it inside: see the crate docs), and do
            /// not `.await` inside it. Refused for `mnt` (the current thread shares its root
            /// and working directory with others) and for user, pid and time.
            pub fn run_here<F, R>(&self, f: F) -> Result<R>
            where
                F: FnOnce(&$handle) -> R,
            {
                scope::run_here(self, f)
            }

            /// Starts a named long-lived thread inside the namespace running `f`.
            ///
            /// Returns once the thread has entered (entry errors come back here). Every thread
            /// `f` spawns inherits the namespace.
            pub fn spawn<F, R>(&self, f: F) -> Result<JoinHandle<R>>
            where
                F: FnOnce(&$handle) -> R + Send + 'static,
                R: Send + 'static,
            {
                scope::spawn(self, f)
            }

            /// Starts a [`Worker`]: a persistent thread that enters once and takes many calls.
            pub fn worker(&self) -> Result<Worker<$handle>> {
                Worker::start(self.namespace())
            }

            /// Runs the async closure `f` to completion on a fresh thread with its own
            /// current-thread tokio runtime, built inside the namespace.
            ///
            /// `tokio::spawn`, `spawn_blocking` and DNS (`lookup_host`) inside it stay in the
            /// namespace: tasks run on the entered thread, and the runtime's thread-start hook
            /// puts every blocking thread in the namespace, even one created when a `Handle`
            /// that leaked out grows the pool from another thread. `f` may borrow from the
            /// caller; its future need not be `Send`.
            ///
            /// When `f`'s future is done the runtime shuts down: tasks still pending are
            /// dropped, and this waits for every `spawn_blocking` task that has started, even
            /// one nobody awaits (a blocking task that never returns keeps `run_async` from
            /// returning).
            #[cfg(feature = "tokio")]
            pub fn run_async<F, T>(&self, f: F) -> Result<T>
            where
                F: AsyncFnOnce(&$handle) -> T + Send,
                T: Send,
            {
                scope::run_async(self, f)
            }

            /// A hook for a thread pool's thread-start callback that puts each new thread of
            /// the pool in this namespace, whichever thread made the pool grow.
            ///
            /// A pool creates a thread from the thread that hands it work when it has no idle
            /// one, and a new thread starts in its creator's namespaces. So code in a scope that
            /// calls an outer pool (`tokio::task::spawn_blocking` or `block_in_place` of an
            /// outer runtime, rayon's global pool on first use) can create a pool thread inside
            /// the scope's namespace, which then serves the pool's later work there. Built with
            /// this hook on the host namespace, the pool moves such threads back out: pass it
            /// to tokio's `Builder::on_thread_start`, or call it from rayon's
            /// `ThreadPoolBuilder::start_handler`.
            ///
            /// The hook checks the new thread's namespace (one `readlink`) and enters only when
            /// it differs; for `mnt`, a thread it moves first takes a private root and working
            /// directory, and starts at the namespace's root. If entering fails, the process
            /// aborts with a message: the pool offers no way to refuse a thread.
            ///
            /// Errors: [`UnsupportedKind`](crate::Error::UnsupportedKind) for user, pid and
            /// time.
            pub fn thread_start_hook(&self) -> Result<impl Fn() + Send + Sync + 'static> {
                crate::pool::thread_start_hook(self.namespace())
            }

            /// Makes `cmd` start its child inside the namespace: the child calls `setns`
            /// between `fork` and `exec` (async-signal-safe), as `nsenter` does. Works for
            /// every kind, including user, pid and time.
            ///
            /// It enters the namespace and nothing else. Unlike `ip netns exec`, it does not
            /// remount `/sys` (which keeps showing the interfaces of the network namespace it
            /// was mounted in) nor bind `/etc/netns/NAME` files over `/etc`; read
            /// `/proc/self/net` in the child, or use netlink, to see the namespace's own.
            ///
            /// std applies the `Command`'s `gid`, `uid` and `current_dir` in the child
            /// *before* that `setns`, which has two consequences:
            ///
            /// - A `uid` other than 0 has dropped the capabilities `setns` needs: spawning
            ///   fails with `PermissionDenied` (`EPERM`). For the kinds `run` enters, fork
            ///   from inside the namespace instead, `ns.run(|_| cmd.spawn())`: the child is
            ///   born inside, and std then applies `uid`, `gid` and `current_dir` there. (The
            ///   child's parent thread is then `run`'s, which exits at once: a child that sets
            ///   `PR_SET_PDEATHSIG` gets its signal right away.)
            /// - For `mnt`, `setns` moves the working directory to the namespace's root. The
            ///   `current_dir` set on `cmd` *before* this call is therefore looked up again
            ///   inside the namespace (a relative one from its root), and spawning fails if it
            ///   does not exist there. A `current_dir` set on the returned `Command` is
            ///   applied outside only, and lost.
            ///
            /// For pid the kernel moves only the child's *children*: the program itself keeps
            /// its pid namespace, so a program that must be a member should fork once more (as
            /// `nsenter --fork` does). To enter several namespaces, chain calls; they apply in
            /// order (enter a user namespace first when it grants the rights for the others).
            pub fn command(&self, cmd: Command) -> Command {
                crate::command::command([self.namespace()], cmd)
            }
        }
    };
}

scope_methods!(Namespace);
scope_methods!(NetNs);
