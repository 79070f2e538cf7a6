//! Scoped, thread-safe execution in Linux namespaces.
//!
//! `setns(2)` and `unshare(2)` change the namespaces of the *calling thread* only. Code that
//! switches a thread it does not own (the main thread, a pool thread, an async runtime worker)
//! and forgets to switch back — on an early `return`, a `?`, a panic, an `.await` — leaves
//! that thread, and everything that later runs or spawns on it, in the wrong namespace.
//! nsscope is the Rust answer to Go's `ns.Do`: every way in is a *scope*, a closure that runs
//! in the namespace on a thread that is guaranteed to be restored or discarded afterwards.
//!
//! # Handles
//!
//! [`Namespace`] holds any kind ([`NsKind`]); [`NetNs`] is a network namespace, the common
//! case. Both own an `O_CLOEXEC` file descriptor, check the kind with `NS_GET_NSTYPE` when
//! opened (a non-namespace file or the wrong kind is an [`Error`]), and compare and hash by
//! the (device, inode) pair of the namespace ([`NsId`]).
//!
//! ```no_run
//! use nsscope::{Namespace, NetNs, NsKind};
//! # fn main() -> nsscope::Result<()> {
//! let fresh = NetNs::new()?;                         // anonymous, on a throwaway thread
//! let named = NetNs::create_named("blue")?;          // like `ip netns add blue`
//! let same = NetNs::open_named("blue")?;             // /var/run/netns (or /run/netns)
//! assert_eq!(named, same);
//! let of_init = Namespace::of_pid(1, NsKind::Uts)?;  // /proc/1/ns/uts
//! let here = NetNs::current()?;                      // /proc/thread-self/ns/net
//! # drop((fresh, of_init, here));
//! NetNs::remove_named("blue")?;                      // like `ip netns delete blue`
//! # Ok(()) }
//! ```
//!
//! # Scopes, safest first
//!
//! Every closure receives `host`: the namespace its thread came from.
//!
//! **[`run`](NetNs::run)** — a fresh thread that enters, runs the closure and dies. The
//! closure may borrow from the caller; a panic resumes in the caller.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ns = nsscope::NetNs::new()?;
//! let port = 8080;
//! let listener = ns.run(|_host| std::net::TcpListener::bind(("0.0.0.0", port)))??;
//! // `listener` stays in `ns` for its whole life, whichever thread uses it.
//! # drop(listener); Ok(()) }
//! ```
//!
//! **[`run_here`](NetNs::run_here)** — the current thread enters and is put back on every
//! exit, panics included. If putting it back fails, the process **aborts** with a message: a
//! thread in an unknown namespace cannot be recovered, and carrying on would run the caller's
//! later code in the wrong place. Refused for `mnt`.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ns = nsscope::NetNs::open_named("blue")?;
//! // `/proc/thread-self/net` shows the thread's namespace. (`/sys/class/net` would not: sysfs
//! // shows the network namespace it was mounted in, whichever thread reads it.)
//! let dev = ns.run_here(|_host| std::fs::read_to_string("/proc/thread-self/net/dev"))??;
//! let interfaces = dev.lines().skip(2).count();
//! # let _ = interfaces; Ok(()) }
//! ```
//!
//! **[`spawn`](NetNs::spawn)** — a named long-lived thread inside the namespace.
//!
//! ```no_run
//! # fn main() -> nsscope::Result<()> {
//! let ns = nsscope::NetNs::open_named("blue")?;
//! let server = ns.spawn(|_host| {
//!     let listener = std::net::TcpListener::bind("0.0.0.0:7000")?;
//!     for stream in listener.incoming() { drop(stream?); }
//!     std::io::Result::Ok(())
//! })?;
//! # drop(server); Ok(()) }
//! ```
//!
//! **[`worker`](NetNs::worker)** — a persistent thread that enters once and takes many calls
//! ([`Worker::run`]); with feature `tokio` also futures (`Worker::spawn_async`) on a
//! current-thread runtime built after entering. A worker that ever fails to stay in its
//! namespace is poisoned and refuses further calls.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ns = nsscope::NetNs::open_named("blue")?;
//! let worker = ns.worker()?;
//! for _ in 0..1000 {
//!     let n = worker.run(|_host| std::fs::read_to_string("/proc/thread-self/net/dev"))??;
//! #   let _ = n;
//! }
//! # Ok(()) }
//! ```
//!
//! **`run_async`** (feature `tokio`) — a fresh thread with its own current-thread runtime
//! built inside the namespace, so `tokio::spawn`, `spawn_blocking` and DNS inside it stay
//! there.
//!
//! ```no_run
//! # #[cfg(feature = "tokio")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ns = nsscope::NetNs::open_named("blue")?;
//! let addr = ns.run_async(async |_host: &nsscope::NetNs| {
//!     let l = tokio::net::TcpListener::bind("0.0.0.0:0").await?;
//!     let resolved = tokio::net::lookup_host("localhost:80").await?.count();
//!     std::io::Result::Ok((l.local_addr()?, resolved))
//! })??;
//! # let _ = addr; Ok(()) }
//! # #[cfg(not(feature = "tokio"))]
//! # fn main() {}
//! ```
//!
//! **[`command`](NetNs::command)** — a child process that enters before `exec` (an
//! async-signal-safe `setns` in `pre_exec`), as `nsenter` does. The only way into user, pid
//! and time namespaces. It enters the namespace and nothing else: unlike `ip netns exec`, it
//! remounts no `/sys` and binds no `/etc/netns/NAME` files.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ns = nsscope::NetNs::open_named("blue")?;
//! let mut cmd = std::process::Command::new("ip");
//! cmd.args(["link", "set", "lo", "up"]);
//! let status = ns.command(cmd).status()?;
//! # let _ = status; Ok(()) }
//! ```
//!
//! # Kinds
//!
//! | kind | `run`, `spawn`, `worker`, `run_async` | `run_here` | `command` |
//! |---|---|---|---|
//! | net, uts, ipc, cgroup | yes | yes | yes |
//! | mnt | yes (the thread unshares `CLONE_FS` first) | refused | yes |
//! | user, pid, time | refused | refused | yes |
//!
//! The kernel refuses to move a thread of a multithreaded process into a `user` namespace
//! (`EINVAL`) or a `time` namespace (`EUSERS`; `setns` would move the caller's own clocks);
//! `pid` only changes what children get, and a thread whose pid namespace for children
//! differs can no longer create threads. Joining a `mnt` namespace fails while the thread shares its root and working
//! directory (`fs_struct`) with others, so only threads nsscope owns, after
//! `unshare(CLONE_FS)`, enter one; they start at the namespace's root. Refusals are
//! [`Error::UnsupportedKind`], whose message points to `command`.
//!
//! # What threads inherit
//!
//! A new thread starts in the namespaces of the thread that creates it (unlike goroutines).
//! So a thread spawned inside a scope stays in that namespace for its whole life, after the
//! scope ends too. Sockets, netlink sockets and resolvers stay bound to the namespace they were
//! created in, wherever they are used later. `/proc/self/...` names the main thread; inside a
//! scope read `/proc/thread-self/...`.
//!
//! **Thread pools grow from whichever thread asks.** Work handed from inside a scope to a pool
//! thread that already exists (an outer tokio runtime's `spawn` or `spawn_blocking`, rayon, any
//! thread pool) runs in *that* thread's namespace, not the scope's. But a pool with no idle
//! thread creates one from the thread that hands it work: `spawn_blocking` or `block_in_place`
//! of an outer runtime, or rayon's global pool used for the first time, called inside `run` or
//! `run_here`, creates a pool thread *inside* the namespace, and that thread keeps serving the
//! pool's later work, the host's included, from there. Guard such a pool by building it with
//! the host's [`thread_start_hook`](Namespace::thread_start_hook) (tokio's
//! `Builder::on_thread_start`, rayon's `ThreadPoolBuilder::start_handler`): every new thread of
//! the pool then moves back to the host before it takes work. Pools nsscope does not build and
//! nobody guarded cannot be fixed from inside a scope: hand them no work there.
//!
//! The runtimes nsscope builds (`run_async`, `Worker::spawn_async`) guard themselves the other
//! way round: their thread-start hook puts every blocking thread in the namespace, so a `Handle`
//! that leaks out and grows the blocking pool from a host thread still gets a thread inside.
//!
//! # Cost
//!
//! Measured with `cargo bench -p nsscope --bench scopes --all-features` (as root; one run,
//! the same fresh network namespace for every row; best of 7 rounds; a 2-core VM, kernel
//! 6.18). "Idle": nothing else running. "Busy": the same, with the other core kept busy by
//! `sh -c 'while :; do :; done' &` for the whole run; every ratio divides by the figures of
//! its own run. One representative run of each, and the spread of the ratios over three runs
//! of each:
//!
//! | operation | idle | ratio | busy | ratio | target | range idle / busy |
//! |---|---:|---|---:|---|---:|---:|
//! | raw `setns` pair (enter + back) | 1.89 µs | | 1.81 µs | | | |
//! | `run_here` | 3.97 µs | / raw pair = **2.10** | 3.86 µs | **2.14** | ≤ 1.5 | 2.05 – 2.10 / 1.91 – 2.14 |
//! | `Worker::run` | 1.35 µs | / raw pair = **0.72** | 5.10 µs | **2.83** | ≤ 3 | 0.72 – 0.84 / 1.45 – 2.83 |
//! | `run` | 52.1 µs | / (spawn+join + raw pair) = **0.96** | 65.6 µs | **1.17** | ≤ 1.2 | 0.96 – 1.14 / 1.12 – 1.18 |
//! | `std::thread::spawn` + `join` | 52.5 µs | | 54.1 µs | | | |
//!
//! Thread creation on this VM varies by ±15% from run to run, so `run`'s ratio does too.
//!
//! `run_here` misses its target on purpose. Before entering it asks the kernel which
//! namespace the thread is in (one `readlinkat` on a per-thread `O_PATH` handle of
//! `/proc/thread-self/ns/<kind>`, about 1.6–1.9 µs on this VM, as much as a whole raw pair;
//! opening that file would cost 7 µs), so that it restores to where the thread really was
//! even if other code switched it behind nsscope's back; the handle to that namespace is
//! cached per thread and reused while it matches. Trusting the cache without asking would
//! bring the ratio to about 1.05, and would silently "restore" a thread into a stale
//! namespace after a foreign `setns`. The other kernel query, `ioctl(PIDFD_GET_NET_NAMESPACE)`
//! (and its siblings) on a thread pidfd (`pidfd_open(gettid(), PIDFD_THREAD)`, Linux ≥ 6.11),
//! answers correctly but is slower here: it builds a new file each time, and the ioctl plus
//! the `close` cost about 2.1 µs (ioctl + enter + restore + close: 2.25–2.3 × the raw pair,
//! against 2.0 × for `readlinkat` + enter + restore), before the `fstat` that the closure's
//! `host` handle would need. No cheaper kernel query of a thread's namespace exists, so
//! nsscope keeps the procfs one.
//!
//! When the cost matters, use a [`Worker`]: it enters once, and a call costs one `setns` (its
//! restore) plus a hand-off. Each side of the hand-off spins while the other runs on another
//! core, yields its core while the other waits on the same one (what the scheduler arranges
//! when another process keeps the second core busy: a yield is the cheapest switch, about
//! 2.4 µs here against about 3.7 µs for a futex wake-up and sleep), and parks after 20 µs, so
//! an idle worker costs no CPU. Where each thread runs comes from `sched_getcpu` (glibc's
//! rseq area); where that fails, both sides only spin and then park, which stays correct but
//! is slower on a busy machine.
#![cfg(target_os = "linux")]

mod command;
mod current;
mod error;
mod fatal;
mod kind;
mod methods;
mod named;
mod namespace;
mod netns;
mod pool;
mod procfs;
#[cfg(feature = "tokio")]
mod rt;
mod scope;
mod set;
mod sys;
mod target;
mod worker;

pub use error::{Error, Result};
pub use kind::{NsKind, Scope};
pub use named::{NETNS_RUN_DIR, NETNS_VAR_RUN_DIR, NetnsDir};
pub use namespace::{Namespace, NsHandle, NsId};
pub use netns::NetNs;
pub use set::NsSet;
pub use worker::Worker;
