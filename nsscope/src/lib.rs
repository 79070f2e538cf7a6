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
//! case; [`NsSet`] holds several of different kinds. Each owns `O_CLOEXEC` file descriptors,
//! checks the kind with `NS_GET_NSTYPE` when opened (after checking that the file is on nsfs: a
//! non-namespace file or the wrong kind is an [`Error`]), and compares and hashes by the
//! (device, inode) pair of the namespace ([`NsId`]). Named network namespaces live in a run
//! directory ([`NetnsDir`]) as `ip netns` keeps them.
//!
//! The examples here need root (`CAP_SYS_ADMIN`), and run in CI.
//!
//! ```
//! use nsscope::{Namespace, NetNs, NsKind};
//! # fn main() -> nsscope::Result<()> {
//! # if unsafe { libc::geteuid() } != 0 {
//! #     // Not root: CI sets NSLINT_REQUIRE_PRIVILEGED=1 and fails here; elsewhere skip.
//! #     assert_ne!(std::env::var("NSLINT_REQUIRE_PRIVILEGED").as_deref(), Ok("1"), "needs root");
//! #     return Ok(());
//! # }
//! let name = format!("nsscope-doc-handles-{}", std::process::id());
//! let fresh = NetNs::new()?;                          // anonymous, on a throwaway thread
//! let named = NetNs::create_named(&name)?;            // like `ip netns add NAME`
//! let same = NetNs::open_named(&name)?;               // /var/run/netns/NAME (or /run/netns)
//! assert_eq!(named, same);
//! let alias = fresh.attach_named(&format!("{name}-b"))?; // like `ip netns attach NAME PID`
//! assert_eq!(alias, fresh);
//! let mine = Namespace::of_pid(std::process::id(), NsKind::Uts)?; // /proc/<pid>/ns/uts
//! let here = NetNs::current()?;                       // /proc/thread-self/ns/net
//! assert_ne!(here, fresh);
//! # drop(mine);
//! NetNs::remove_named(&name)?;                        // like `ip netns delete NAME`
//! NetNs::remove_named(&format!("{name}-b"))?;
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
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # if unsafe { libc::geteuid() } != 0 {
//! #     // Not root: CI sets NSLINT_REQUIRE_PRIVILEGED=1 and fails here; elsewhere skip.
//! #     assert_ne!(std::env::var("NSLINT_REQUIRE_PRIVILEGED").as_deref(), Ok("1"), "needs root");
//! #     return Ok(());
//! # }
//! let ns = nsscope::NetNs::new()?;
//! let port = 8080;
//! let listener = ns.run(|_host| std::net::TcpListener::bind(("0.0.0.0", port)))??;
//! // `listener` stays in `ns` for its whole life, whichever thread uses it.
//! assert_eq!(listener.local_addr()?.port(), port);
//! # Ok(()) }
//! ```
//!
//! **[`run_here`](NetNs::run_here)** — the current thread enters and is put back on every
//! exit, panics included. If putting it back fails, the process **aborts** with a message: a
//! thread in an unknown namespace cannot be recovered, and carrying on would run the caller's
//! later code in the wrong place. Refused for `mnt`.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # if unsafe { libc::geteuid() } != 0 {
//! #     // Not root: CI sets NSLINT_REQUIRE_PRIVILEGED=1 and fails here; elsewhere skip.
//! #     assert_ne!(std::env::var("NSLINT_REQUIRE_PRIVILEGED").as_deref(), Ok("1"), "needs root");
//! #     return Ok(());
//! # }
//! let ns = nsscope::NetNs::new()?;
//! // `/proc/thread-self/net` shows the thread's namespace. (`/sys/class/net` would not: sysfs
//! // shows the network namespace it was mounted in, whichever thread reads it.)
//! let dev = ns.run_here(|_host| std::fs::read_to_string("/proc/thread-self/net/dev"))??;
//! let interfaces: Vec<&str> = dev.lines().skip(2).filter_map(|l| l.split(':').next()).collect();
//! assert_eq!(interfaces, ["    lo"]); // a fresh namespace has a loopback interface only
//! # Ok(()) }
//! ```
//!
//! **[`spawn`](NetNs::spawn)** — a named long-lived thread inside the namespace.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # if unsafe { libc::geteuid() } != 0 {
//! #     // Not root: CI sets NSLINT_REQUIRE_PRIVILEGED=1 and fails here; elsewhere skip.
//! #     assert_ne!(std::env::var("NSLINT_REQUIRE_PRIVILEGED").as_deref(), Ok("1"), "needs root");
//! #     return Ok(());
//! # }
//! let ns = nsscope::NetNs::new()?;
//! let (requests, inbox) = std::sync::mpsc::channel::<&str>();
//! // Serves until `requests` is dropped, inside `ns` (and so is every thread it spawns).
//! let server = ns.spawn(move |_host| {
//!     inbox.into_iter().map(|path| std::fs::read_to_string(path).map(|text| text.len())).count()
//! })?;
//! requests.send("/proc/thread-self/net/dev")?;
//! drop(requests);
//! assert_eq!(server.join().expect("server thread"), 1);
//! # Ok(()) }
//! ```
//!
//! **[`worker`](NetNs::worker)** — a persistent thread that enters once and takes many calls
//! ([`Worker::run`]); with feature `tokio` also futures (`Worker::spawn_async`) on a
//! current-thread runtime built after entering. A worker that ever fails to stay in its
//! namespace is poisoned and refuses further calls.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # if unsafe { libc::geteuid() } != 0 {
//! #     // Not root: CI sets NSLINT_REQUIRE_PRIVILEGED=1 and fails here; elsewhere skip.
//! #     assert_ne!(std::env::var("NSLINT_REQUIRE_PRIVILEGED").as_deref(), Ok("1"), "needs root");
//! #     return Ok(());
//! # }
//! let ns = nsscope::NetNs::new()?;
//! let worker = ns.worker()?;
//! for _ in 0..1000 {
//!     let dev = worker.run(|_host| std::fs::read_to_string("/proc/thread-self/net/dev"))??;
//!     assert_eq!(dev.lines().count(), 3); // two header lines, then `lo`
//! }
//! # Ok(()) }
//! ```
//!
//! **`run_async`** (feature `tokio`) — a fresh thread with its own current-thread runtime
//! built inside the namespace, so `tokio::spawn`, `spawn_blocking` and DNS inside it stay
//! there.
//!
//! ```
//! # #[cfg(feature = "tokio")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # if unsafe { libc::geteuid() } != 0 {
//! #     // Not root: CI sets NSLINT_REQUIRE_PRIVILEGED=1 and fails here; elsewhere skip.
//! #     assert_ne!(std::env::var("NSLINT_REQUIRE_PRIVILEGED").as_deref(), Ok("1"), "needs root");
//! #     return Ok(());
//! # }
//! use nsscope::NetNs;
//! let ns = NetNs::new()?;
//! let (addr, blocking_ran_in) = ns.run_async(async |_host: &NetNs| {
//!     let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await?;
//!     let ran_in = tokio::task::spawn_blocking(NetNs::current).await??;
//!     std::io::Result::Ok((listener.local_addr()?, ran_in))
//! })??;
//! assert_eq!(blocking_ran_in, ns);
//! assert_ne!(addr.port(), 0);
//! # Ok(()) }
//! # #[cfg(not(feature = "tokio"))]
//! # fn main() {}
//! ```
//!
//! **[`command`](NetNs::command)** — a child process that enters before `exec` (an
//! async-signal-safe `setns` in `pre_exec`), as `nsenter` does. The only way into user, pid
//! and time namespaces. It enters the namespace and nothing else: unlike `ip netns exec`, it
//! remounts no `/sys` and binds no `/etc/netns/NAME` files. std applies a `Command`'s `uid`
//! before that `setns` (which then fails) and its `current_dir` before it too (nsscope looks
//! a `mnt` namespace's up again inside): see [`command`](Namespace::command).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # if unsafe { libc::geteuid() } != 0 {
//! #     // Not root: CI sets NSLINT_REQUIRE_PRIVILEGED=1 and fails here; elsewhere skip.
//! #     assert_ne!(std::env::var("NSLINT_REQUIRE_PRIVILEGED").as_deref(), Ok("1"), "needs root");
//! #     return Ok(());
//! # }
//! let ns = nsscope::NetNs::new()?;
//! let mut cmd = std::process::Command::new("ip");
//! cmd.args(["link", "set", "lo", "up"]);
//! assert!(ns.command(cmd).status()?.success());
//! # Ok(()) }
//! ```
//!
//! **Several kinds at once** — an [`NsSet`] enters a process's net and mnt (or any set) in one
//! step: one `setns` on a pidfd of the process where the kernel supports it (Linux 5.8 and
//! later), else one kind at a time; through `run`, `run_here` (no mnt), `spawn` and `command`.
//!
//! ```
//! # use std::io::BufRead;
//! use nsscope::{NsKind, NsSet};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # if unsafe { libc::geteuid() } != 0 {
//! #     // Not root: CI sets NSLINT_REQUIRE_PRIVILEGED=1 and fails here; elsewhere skip.
//! #     assert_ne!(std::env::var("NSLINT_REQUIRE_PRIVILEGED").as_deref(), Ok("1"), "needs root");
//! #     return Ok(());
//! # }
//! # let mut container = std::process::Command::new("unshare")
//! #     .args(["--net", "--uts", "sh", "-c", "hostname box && echo ready && exec sleep 30"])
//! #     .stdout(std::process::Stdio::piped())
//! #     .spawn()?;
//! # let mut ready = String::new();
//! # std::io::BufReader::new(container.stdout.take().expect("piped")).read_line(&mut ready)?;
//! // A process with network and UTS namespaces of its own (`unshare --net --uts`).
//! let pid = container.id();
//! let set = NsSet::of_pid(pid, &[NsKind::Net, NsKind::Uts])?;
//! let hostname = set.run(|_host| std::fs::read_to_string("/proc/sys/kernel/hostname"))??;
//! assert_eq!(hostname.trim(), "box");
//! # container.kill()?;
//! # container.wait()?;
//! # Ok(()) }
//! ```
//!
//! # Kinds
//!
//! | kind | `run`, `spawn`, `worker`, `run_async`, `thread_start_hook` | `run_here` | `command` |
//! |---|---|---|---|
//! | net, uts, ipc, cgroup | yes | yes | yes |
//! | mnt | yes (the thread takes a private root and working directory first) | refused | yes |
//! | user, pid, time | refused | refused | yes |
//!
//! The same rules hold for every member of an [`NsSet`]. The kernel refuses to move a thread of
//! a multithreaded process into a `user` namespace (`EINVAL`) or a `time` namespace (`EUSERS`;
//! `setns` would move the caller's own clocks); `pid` only changes what children get, and a
//! thread whose pid namespace for children differs can no longer create threads. Joining a
//! `mnt` namespace fails while the thread shares its root and working directory (`fs_struct`)
//! with others, so only threads nsscope owns enter one, each time after `unshare(CLONE_FS)`
//! (threads the code in a scope created, even joined ones, may still share it); they start at
//! the namespace's root. A restore puts back the kind it entered only. Refusals are
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
//! ```
//! # #[cfg(feature = "tokio")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # if unsafe { libc::geteuid() } != 0 {
//! #     // Not root: CI sets NSLINT_REQUIRE_PRIVILEGED=1 and fails here; elsewhere skip.
//! #     assert_ne!(std::env::var("NSLINT_REQUIRE_PRIVILEGED").as_deref(), Ok("1"), "needs root");
//! #     return Ok(());
//! # }
//! use nsscope::NetNs;
//! let host = NetNs::current()?;
//! let runtime = tokio::runtime::Builder::new_multi_thread()
//!     .on_thread_start(host.thread_start_hook()?)
//!     .build()?;
//! let ns = NetNs::new()?;
//! runtime.block_on(async {
//!     // The pool grows a blocking thread from this thread, inside `ns` for the moment...
//!     let task = ns.run_here(|_| tokio::task::spawn_blocking(NetNs::current))?;
//!     // ...and the hook moved it back to the host before it ran anything.
//!     assert_eq!(task.await??, host);
//!     Ok::<_, Box<dyn std::error::Error>>(())
//! })?;
//! # Ok(()) }
//! # #[cfg(not(feature = "tokio"))]
//! # fn main() {}
//! ```
//!
//! The runtimes nsscope builds (`run_async`, `Worker::spawn_async`) guard themselves the other
//! way round: their thread-start hook puts every blocking thread in the namespace, so a `Handle`
//! that leaks out and grows the blocking pool from a host thread still gets a thread inside.
//!
//! # Cost
//!
//! Measured with `cargo bench -p nsscope --bench scopes --all-features` (as root; the same
//! fresh network namespace for every row of a run; times are the best of 15 rounds, ratios the
//! median over those rounds of each round's ratio to a baseline measured beside it; a 2-core
//! VM, kernel 6.18). "Idle": nothing else running. "Busy": the other core kept busy by
//! `sh -c 'while :; do :; done' &` for the whole run. One run of each, and the spread of the
//! ratios over six idle runs and three busy ones:
//!
//! | operation | idle | ratio | busy | ratio | bound | range idle / busy |
//! |---|---:|---|---:|---|---:|---:|
//! | raw `setns` pair (enter + back) | 0.81 µs | | 0.79 µs | | | |
//! | `run_here` | 1.38 µs | / raw pair = **1.68** | 1.36 µs | **1.60** | ≤ 2.2 | 1.68 – 1.69 / 1.58 – 1.60 |
//! | `Worker::run` | 1.15 µs | / raw pair = **1.47** | 1.78 µs | **2.11** | ≤ 3 | 1.46 – 1.66 / 2.09 – 2.11 |
//! | `run` | 44.4 µs | / (spawn+join + raw pair) = **1.11** | 14.1 µs | **1.42** | ≤ 1.2 | 1.06 – 1.11 / 0.86 – 1.42 |
//! | `std::thread::spawn` + `join` | 41.5 µs | | 13.1 µs | | | |
//!
//! Thread creation on this VM is slow and erratic while the second core idles (a new thread
//! starts on it: 25–45 µs) and fast with that core busy (the new thread stays on the caller's:
//! 12–13 µs), so `run`'s ratio swings with it. With the other core busy `run` scatters around
//! its bound, as the code before the changes of issue 20 did, and a bare thread that enters a
//! namespace before it exits costs only 2–10% more than one that does not.
//!
//! `run_here` stays within 2.2 times the raw pair, the bound accepted for its verified restore.
//! Before entering it asks the kernel which namespace the thread is in (one `readlinkat` on a
//! per-thread `O_PATH` handle of `/proc/thread-self/ns/<kind>`: about half a raw pair here;
//! opening and closing that file instead costs about 1.6 raw pairs, before any check on it),
//! so that it restores to where the thread really was even if other code switched it behind
//! nsscope's back; the handle to that namespace is cached per thread and reused while it
//! matches. Trusting the cache without asking would bring `run_here` to about 1.25 times the
//! raw pair, and would silently "restore" a thread into a stale namespace after a foreign
//! `setns`. The other kernel query, `ioctl(PIDFD_GET_NET_NAMESPACE)` (and its siblings)
//! on a thread pidfd (`pidfd_open(gettid(), PIDFD_THREAD)`, Linux ≥ 6.11), answers correctly
//! but was slower when measured (with a raw pair of 1.9 µs then: ioctl + enter + restore +
//! close, 2.25–2.3 × the raw pair, against 2.0 × for `readlinkat` + enter + restore): it builds
//! a new file each time, before the `fstat` that the closure's `host` handle would need. No
//! cheaper kernel query of a thread's namespace exists, so nsscope keeps the procfs one.
//!
//! When the cost matters, use a [`Worker`]: it enters once, and a call costs one `setns` (its
//! restore) plus a hand-off. Each side of the hand-off spins while the other runs on another
//! core, yields its core while the other waits on the same one (what the scheduler arranges
//! when another process keeps the second core busy: a yield is the cheapest switch), and parks
//! after 20 µs, so an idle worker costs no CPU. Where each thread runs comes from
//! `sched_getcpu` (glibc's rseq area); where that fails, both sides only spin and then park,
//! which stays correct but is slower on a busy machine. With feature `tokio`, a call also reads
//! the clock when the worker has tasks, to give them their turn.
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
