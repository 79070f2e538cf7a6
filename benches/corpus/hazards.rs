//! Namespace code for the crates that touch namespaces: every hazard shape nslint knows
//! (modelled on `fixtures/cases`), each in a buggy and a fixed form, with names and spellings
//! varied per crate.
//!
//! Placeholders: `@NS` the namespace module's path (`crate::netns`), `@G` the guard type,
//! `@DEP_OPEN` / `@DEP_LINK` a socket helper of another workspace crate (or of this crate when
//! it has no namespace dependency), `@CRATE` the crate's name.

use super::rng::Rng;

/// What the templates are filled in with.
pub struct NsContext {
    /// The crate's name as code spells it.
    pub crate_name: String,
    /// The namespace module's name (`netns`).
    pub module: String,
    /// A namespace crate this one depends on, with its namespace module's name.
    pub dep: Option<(String, String)>,
}

const MOD_RS: &str = r#"//! Namespace plumbing of @CRATE: enter and leave helpers, sockets and the cases that use them.

use nix::sched::{setns, CloneFlags};
use std::fs::File;
use std::os::fd::AsFd;

@MODS

/// Switches the calling thread into `ns` and returns with the thread switched.
pub fn enter(ns: &File) -> nix::Result<()> {
    setns(ns.as_fd(), CloneFlags::CLONE_NEWNET)
}

/// Switches the calling thread back to `host`.
pub fn leave(host: &File) -> nix::Result<()> {
    setns(host.as_fd(), CloneFlags::CLONE_NEWNET)
}

/// A control socket on the loopback device.
pub fn open_control_socket() -> std::io::Result<std::net::UdpSocket> {
    std::net::UdpSocket::bind("127.0.0.1:0")
}

/// Opens a namespace file by path.
pub fn open_ns(path: &str) -> std::io::Result<File> {
    File::open(path)
}
"#;

const SOCKETS: &str = r#"//! Probing helpers: the socket is two calls deep.

/// A UDP socket for probing links.
pub fn open_probe() -> std::io::Result<std::net::UdpSocket> {
    std::net::UdpSocket::bind("0.0.0.0:0")
}

/// The MTU of a link, found through a probe socket.
pub fn probe_link(name: &str) -> std::io::Result<u32> {
    let socket = open_probe()?;
    let _ = (socket, name);
    Ok(1500)
}

/// A description of a link; pure.
pub fn describe(name: &str) -> String {
    format!("link {name}")
}
"#;

const SPELL_LIBC: &str = r#"//! libc's raw switches in every spelling.

extern crate libc as c;

use libc::{self, setns as join_ns, unshare};
use std::os::fd::{AsRawFd, RawFd};

pub fn direct(fd: RawFd) {
    if unsafe { libc::setns(fd, libc::CLONE_NEWNET) } != 0 {
        panic!("setns");
    }
}

pub fn absolute(fd: RawFd) -> i32 {
    unsafe { ::libc::setns(fd, 0) }
}

pub fn renamed(fd: RawFd) -> i32 {
    unsafe { join_ns(fd, libc::CLONE_NEWUTS) }
}

pub fn imported_unshare() -> i32 {
    unsafe { unshare(libc::CLONE_NEWIPC) }
}

pub fn via_extern_crate_alias(fd: RawFd) -> i32 {
    unsafe { c::setns(fd, c::CLONE_NEWNET) }
}

pub fn via_nix_reexport(fd: RawFd) -> i32 {
    unsafe { nix::libc::setns(fd, nix::libc::CLONE_NEWNET) }
}

pub fn via_syscall(fd: RawFd) -> i64 {
    let joined = unsafe { libc::syscall(libc::SYS_setns, fd, libc::CLONE_NEWNET) };
    let created = unsafe { libc::syscall(libc::SYS_unshare, libc::CLONE_NEWUTS) };
    let pid = unsafe { libc::syscall(libc::SYS_getpid) };
    joined + created + pid
}

mod ffi {
    use std::os::raw::c_int;

    extern "C" {
        pub fn setns(fd: c_int, nstype: c_int) -> c_int;
    }
}

pub fn own_ffi_binding(file: &std::fs::File) -> i32 {
    unsafe { ffi::setns(file.as_raw_fd(), 0) }
}
"#;

const SPELL_NIX: &str = r#"//! nix's raw switches through globs, groups, renames and crate aliases.

use nix::sched::{self, CloneFlags};
use std::os::fd::BorrowedFd;

mod globbed {
    use nix::sched::*;

    pub fn enter(fd: std::os::fd::BorrowedFd<'_>) -> nix::Result<()> {
        setns(fd, CloneFlags::CLONE_NEWNET)
    }
}

mod grouped {
    use nix::sched::{setns, unshare as detach, CloneFlags};

    pub fn enter(fd: std::os::fd::BorrowedFd<'_>) -> nix::Result<()> {
        detach(CloneFlags::CLONE_NEWUTS)?;
        setns(fd, CloneFlags::empty())
    }
}

mod aliased_crate {
    use nix as n;

    pub fn isolate() -> nix::Result<()> {
        n::sched::unshare(n::sched::CloneFlags::CLONE_NEWIPC)
    }
}

pub fn through_module(fd: BorrowedFd<'_>) -> nix::Result<()> {
    sched::setns(fd, CloneFlags::CLONE_NEWNET)
}

pub fn fully_qualified(fd: BorrowedFd<'_>) -> nix::Result<()> {
    nix::sched::setns(fd, nix::sched::CloneFlags::CLONE_NEWNET)
}

pub fn not_a_switch() -> nix::Result<()> {
    let _cpus = sched::sched_getaffinity(nix::unistd::Pid::from_raw(0))?;
    Ok(())
}
"#;

const SPELL_RUSTIX: &str = r#"//! rustix's thread namespace functions.

use rustix::thread::{self, LinkNameSpaceType, ThreadNameSpaceType, UnshareFlags};
use std::os::fd::BorrowedFd;

pub fn link(fd: BorrowedFd<'_>) -> rustix::io::Result<()> {
    thread::move_into_link_name_space(fd, Some(LinkNameSpaceType::Network))
}

pub fn pidfd(pidfd: BorrowedFd<'_>) -> rustix::io::Result<()> {
    rustix::thread::move_into_thread_name_spaces(pidfd, ThreadNameSpaceType::NETWORK)
}

pub fn fresh() -> rustix::io::Result<()> {
    unsafe { thread::unshare_unsafe(UnshareFlags::NEWNET) }?;
    thread::unshare(UnshareFlags::NEWUTS)
}

pub fn unrelated() -> rustix::io::Result<()> {
    let _tid = thread::gettid();
    Ok(())
}
"#;

const GUARD: &str = r#"//! An RAII guard whose `Drop` switches back, held across `.await` in async setup.

use nix::sched::{setns, CloneFlags};
use std::fs::File;
use std::os::fd::AsFd;

pub struct @G {
    origin: File,
}

impl Drop for @G {
    fn drop(&mut self) {
        if let Err(e) = setns(self.origin.as_fd(), CloneFlags::CLONE_NEWNET) {
            eprintln!("cannot return to the host namespace: {e}");
            std::process::abort();
        }
    }
}

/// Returns with the thread switched; the guard switches it back.
pub fn enter_pod(path: &str) -> std::io::Result<@G> {
    let origin = File::open("/proc/thread-self/ns/net")?;
    let pod = File::open(path)?;
    setns(pod.as_fd(), CloneFlags::CLONE_NEWNET)?;
    Ok(@G { origin })
}

async fn fetch_addresses() -> Vec<String> {
    Vec::new()
}

fn bump_counter() {}

/// Buggy: the guard is alive across the await.
pub async fn configure(path: &str) -> std::io::Result<()> {
    let _in_pod = enter_pod(path)?;
    let listener = std::net::TcpListener::bind("0.0.0.0:9000")?;
    let addrs = fetch_addresses().await;
    drop(listener);
    let _ = addrs;
    Ok(())
}

/// Fixed: the guard lives in an inner block that ends before the await.
pub async fn configure_fixed(path: &str) -> std::io::Result<()> {
    {
        let _in_pod = enter_pod(path)?;
        bump_counter();
    }
    let addrs = fetch_addresses().await;
    let _ = addrs;
    Ok(())
}

/// Fixed: the guard is dropped explicitly before the await.
pub async fn configure_dropped(path: &str) -> std::io::Result<()> {
    let in_pod = enter_pod(path)?;
    bump_counter();
    drop(in_pod);
    let _ = fetch_addresses().await;
    Ok(())
}
"#;

const SPAWNED: &str = r#"//! Switches inside work handed to runtime threads.

use nix::sched::{setns, unshare, CloneFlags};
use std::fs::File;
use std::os::fd::AsFd;

async fn serve() {}

fn list_links() -> std::io::Result<Vec<String>> {
    Ok(Vec::new())
}

/// Buggy: the task unshares its worker thread and never comes back.
pub fn start_isolated_server() {
    tokio::spawn(async move {
        unshare(CloneFlags::CLONE_NEWNET).unwrap();
        serve().await;
    });
}

/// Buggy: a blocking-pool closure that enters the pod and returns without leaving.
pub async fn links_in(pod: File) -> std::io::Result<Vec<String>> {
    tokio::task::spawn_blocking(move || {
        setns(pod.as_fd(), CloneFlags::CLONE_NEWNET)?;
        list_links()
    })
    .await?
}

/// Fixed: a dedicated thread owns its namespace and runs its own current-thread runtime.
pub fn start_isolated_server_fixed() -> std::thread::JoinHandle<std::io::Result<()>> {
    std::thread::spawn(|| {
        unshare(CloneFlags::CLONE_NEWNET)?;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
            let _ = listener;
            serve().await;
            Ok(())
        })
    })
}

/// Fixed: the blocking closure switches back on every path before it returns.
pub async fn links_in_fixed(pod: File, host: File) -> std::io::Result<Vec<String>> {
    tokio::task::spawn_blocking(move || {
        setns(pod.as_fd(), CloneFlags::CLONE_NEWNET)?;
        let links = list_links();
        setns(host.as_fd(), CloneFlags::CLONE_NEWNET)?;
        links
    })
    .await?
}
"#;

const OWNED: &str = r#"//! Threads the code owns may stay switched: a dedicated thread, a child before exec.

use nix::sched::{setns, unshare, CloneFlags};
use std::fs::File;
use std::os::fd::AsFd;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// A dedicated thread enters the pod for good and serves from there.
pub fn serve_in_pod(pod: File) -> std::thread::JoinHandle<std::io::Result<()>> {
    std::thread::Builder::new()
        .name("pod-dns".into())
        .spawn(move || {
            setns(pod.as_fd(), CloneFlags::CLONE_NEWNET)?;
            let socket = std::net::UdpSocket::bind("0.0.0.0:53")?;
            let _ = socket;
            Ok(())
        })
        .expect("spawn")
}

/// `spawn_blocking`, a switch and a current-thread runtime on that thread.
pub fn probe_in_pod(pod: File, host: File) -> tokio::task::JoinHandle<std::io::Result<()>> {
    tokio::task::spawn_blocking(move || {
        setns(pod.as_fd(), CloneFlags::CLONE_NEWNET)?;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
        let outcome = match rt {
            Ok(rt) => rt.block_on(async {
                unshare(CloneFlags::CLONE_NEWUTS)?;
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                Ok(())
            }),
            Err(e) => Err(e),
        };
        setns(host.as_fd(), CloneFlags::CLONE_NEWNET)?;
        outcome
    })
}

/// The child enters before exec.
pub fn ip_in_pod(pod: File) -> Command {
    let mut cmd = Command::new("ip");
    unsafe {
        cmd.pre_exec(move || {
            setns(pod.as_fd(), CloneFlags::CLONE_NEWNET)?;
            Ok(())
        });
    }
    cmd
}
"#;

const TRY_BETWEEN: &str = r#"//! Every path between the switch and the restore must restore.

use nix::sched::{setns, CloneFlags};
use std::fs::File;
use std::os::fd::AsFd;

fn add_route(_cidr: &str) -> std::io::Result<()> {
    Ok(())
}

/// Buggy: the `?` on `add_route` returns with the thread still in the pod.
pub fn configure_pod(pod: &File, host: &File) -> std::io::Result<()> {
    setns(pod.as_fd(), CloneFlags::CLONE_NEWNET)?;
    add_route("10.0.0.0/24")?;
    setns(host.as_fd(), CloneFlags::CLONE_NEWNET)?;
    Ok(())
}

/// Buggy: a panic between switch and restore leaves the thread switched.
pub fn configure_pod_or_panic(pod: &File, host: &File) {
    setns(pod.as_fd(), CloneFlags::CLONE_NEWNET).expect("enter pod");
    add_route("10.0.0.0/24").unwrap();
    setns(host.as_fd(), CloneFlags::CLONE_NEWNET).expect("back to host");
}

/// Buggy: one branch forgets to switch back.
pub fn configure_some(pod: &File, host: &File, ipv6: bool) -> std::io::Result<()> {
    setns(pod.as_fd(), CloneFlags::CLONE_NEWNET)?;
    if ipv6 {
        let _ = add_route("fd00::/64");
        setns(host.as_fd(), CloneFlags::CLONE_NEWNET)?;
    } else {
        let _ = add_route("10.0.0.0/24");
    }
    Ok(())
}

/// Buggy: an early return skips the restore.
pub fn configure_unless_present(pod: &File, host: &File, present: bool) -> std::io::Result<()> {
    setns(pod.as_fd(), CloneFlags::CLONE_NEWNET)?;
    if present {
        return Ok(());
    }
    let _ = add_route("10.0.0.0/24");
    setns(host.as_fd(), CloneFlags::CLONE_NEWNET)
}

/// Fixed: the error is held until the thread is back.
pub fn configure_pod_fixed(pod: &File, host: &File) -> std::io::Result<()> {
    setns(pod.as_fd(), CloneFlags::CLONE_NEWNET)?;
    let result = add_route("10.0.0.0/24");
    setns(host.as_fd(), CloneFlags::CLONE_NEWNET)?;
    result
}

/// Fixed: switching only on one path and back on the same condition.
pub fn maybe_in_pod(pod: &File, host: &File, inside: bool) -> std::io::Result<()> {
    if inside {
        setns(pod.as_fd(), CloneFlags::CLONE_NEWNET)?;
    }
    let result = add_route("10.0.0.0/24");
    if inside {
        setns(host.as_fd(), CloneFlags::CLONE_NEWNET)?;
    }
    result
}
"#;

const LINKS: &str = r#"//! Work inside the pod through helpers in another module and another crate.

use super::{enter, leave, open_control_socket};
use std::fs::File;

/// Buggy: sockets are opened through helpers while the thread is switched.
pub fn mtu_in_pod(pod: &File, host: &File) -> std::io::Result<u32> {
    enter(pod)?;
    let mtu = @DEP_LINK("eth0");
    let control = open_control_socket();
    let reexported = @DEP_OPEN();
    leave(host)?;
    let _ = (control, reexported);
    mtu
}

/// Buggy: the `?` leaves the thread in the pod (the switch is in `enter`).
pub fn describe_in_pod(pod: &File, host: &File) -> std::io::Result<String> {
    enter(pod)?;
    let text = super::sockets::describe("eth0");
    check(&text)?;
    leave(host)?;
    Ok(text)
}

fn check(_text: &str) -> std::io::Result<()> {
    Ok(())
}

/// Fixed: only pure work happens in the pod, and every path leaves it.
pub fn describe_in_pod_fixed(pod: &File, host: &File) -> std::io::Result<String> {
    enter(pod)?;
    let text = super::sockets::describe("eth0");
    let checked = check(&text);
    leave(host)?;
    checked.map(|()| text)
}
"#;

const MACRO_ENTER: &str = r#"//! An enter/exit macro of the crate's own, with a `?` in the wrapped block.

use nix::sched::{setns, CloneFlags};
use std::fs::File;
use std::os::fd::AsFd;

macro_rules! in_netns {
    ($target:expr, $origin:expr, $body:block) => {{
        setns($target.as_fd(), CloneFlags::CLONE_NEWNET)?;
        let result = $body;
        setns($origin.as_fd(), CloneFlags::CLONE_NEWNET)?;
        result
    }};
}

fn set_mtu(_dev: &str, _mtu: u32) -> std::io::Result<()> {
    Ok(())
}

/// Buggy: the `?` inside the wrapped block returns before the macro switches back.
pub fn configure(pod: &File, host: &File) -> std::io::Result<()> {
    in_netns!(pod, host, {
        set_mtu("eth0", 1450)?;
        Ok::<(), std::io::Error>(())
    })
}

/// Fixed: the block hands its error to the macro, which switches back first.
pub fn configure_fixed(pod: &File, host: &File) -> std::io::Result<()> {
    in_netns!(pod, host, { set_mtu("eth0", 1450) })
}
"#;

const PROC_PATHS: &str = r#"//! Process-wide namespace paths in a crate that switches threads.

use std::fs;

pub fn origin() -> std::io::Result<fs::File> {
    fs::File::open("/proc/self/ns/net")
}

pub fn origin_of(kind: &str) -> String {
    format!("/proc/self/ns/{kind}")
}

pub fn routes() -> std::io::Result<String> {
    fs::read_to_string("/proc/net/route")
}

pub fn sockets() -> std::io::Result<Vec<u8>> {
    fs::read(std::path::Path::new(std::str::from_utf8(b"/proc/self/net/tcp").unwrap_or("")))
}

/// Thread-local paths are fine.
pub fn thread_local_paths() -> std::io::Result<String> {
    let _ = fs::read_link("/proc/thread-self/ns/net")?;
    fs::read_to_string("/proc/thread-self/net/route")
}
"#;

const KINDS: &str = r#"//! Kinds that cannot be entered on a shared thread; quiet in children after fork.

use nix::sched::{setns, unshare, CloneFlags};
use nix::unistd::{fork, ForkResult};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::thread;

const ROOTLESS: libc::c_int = libc::CLONE_NEWUSER | libc::CLONE_NEWNS;

pub fn rootless_on_caller() -> i32 {
    unsafe { libc::unshare(ROOTLESS) }
}

pub fn user_on_dedicated_thread() {
    thread::spawn(|| unshare(CloneFlags::CLONE_NEWUSER).is_ok());
}

pub fn pid_on_caller() -> nix::Result<()> {
    let flags = CloneFlags::CLONE_NEWPID | CloneFlags::CLONE_NEWNET;
    unshare(flags)
}

pub fn pid_on_dedicated_threads() {
    thread::Builder::new()
        .name("pid-init".into())
        .spawn(|| unshare(CloneFlags::CLONE_NEWPID))
        .expect("spawn");
    thread::scope(|s| {
        s.spawn(|| unshare(CloneFlags::CLONE_NEWPID));
    });
}

pub fn time_on_caller(fd: BorrowedFd<'_>) -> nix::Result<()> {
    setns(fd, CloneFlags::from_bits_truncate(libc::CLONE_NEWTIME))
}

pub fn mount_without_fs_unshare(fd: BorrowedFd<'_>) -> nix::Result<()> {
    setns(fd, CloneFlags::CLONE_NEWNS)
}

pub fn mount_after_fs_unshare(file: std::fs::File) {
    thread::spawn(move || -> nix::Result<()> {
        unshare(CloneFlags::CLONE_FS)?;
        setns(file.as_fd(), CloneFlags::CLONE_NEWNS)
    });
}

pub fn unknown_kind(fd: BorrowedFd<'_>, flags: CloneFlags) -> nix::Result<()> {
    setns(fd, flags)
}

pub fn in_pre_exec(mut cmd: Command, mnt: std::fs::File) -> Command {
    unsafe {
        cmd.pre_exec(move || {
            unshare(CloneFlags::CLONE_NEWUSER)?;
            setns(mnt.as_fd(), CloneFlags::CLONE_NEWNS)?;
            Ok(())
        });
    }
    cmd
}

pub fn in_named_pre_exec_closure(mut cmd: Command) -> Command {
    let enter_pid_ns = || unshare(CloneFlags::CLONE_NEWPID).map_err(std::io::Error::from);
    unsafe { cmd.pre_exec(enter_pid_ns) };
    cmd
}

pub fn in_fork_child() {
    match unsafe { fork() }.expect("fork") {
        ForkResult::Child => {
            unshare(CloneFlags::CLONE_NEWUSER).expect("unshare");
            std::process::exit(0);
        }
        ForkResult::Parent { .. } => {
            unshare(CloneFlags::CLONE_NEWUSER).expect("unshare");
        }
    }
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        unsafe { libc::unshare(libc::CLONE_NEWPID) };
    }
}
"#;

const UNCHECKED: &str = r#"//! Results of raw switches: discarded ones and checked ones.

use nix::sched::{setns, unshare, CloneFlags};
use std::os::fd::BorrowedFd;

pub fn discarded(fd: BorrowedFd<'_>, raw: i32) {
    let _ = setns(fd, CloneFlags::CLONE_NEWNET);
    setns(fd, CloneFlags::CLONE_NEWNET).ok();
    unsafe { libc::setns(raw, libc::CLONE_NEWNET) };
    drop(unshare(CloneFlags::CLONE_NEWIPC));
    unshare(CloneFlags::CLONE_NEWUTS).unwrap_or_default();
    let _ = unsafe { libc::syscall(libc::SYS_setns, raw, 0) };
}

pub fn checked(fd: BorrowedFd<'_>, raw: i32) -> nix::Result<i32> {
    setns(fd, CloneFlags::CLONE_NEWNET)?;
    if unsafe { libc::setns(raw, libc::CLONE_NEWNET) } == -1 {
        return Err(nix::Error::last());
    }
    let rc = unsafe { libc::unshare(libc::CLONE_NEWUTS) };
    assert_eq!(rc, 0);
    match unshare(CloneFlags::CLONE_NEWIPC) {
        Ok(()) => {}
        Err(e) => return Err(e),
    }
    Ok(unsafe { libc::setns(raw, 0) })
}
"#;

const IN_MACROS: &str = r#"//! Switches inside macro invocations.

use nix::sched::{setns, CloneFlags};
use std::os::fd::BorrowedFd;

pub fn logged(fd: BorrowedFd<'_>) {
    log::info!("entered: {:?}", setns(fd, CloneFlags::CLONE_NEWNET));
}

pub fn asserted(fd: i32) {
    assert_eq!(unsafe { libc::setns(fd, libc::CLONE_NEWNET) }, 0, "setns failed");
}

pub fn collected(fd: i32) -> Vec<i32> {
    vec![unsafe { libc::setns(fd, 0) }, 1]
}

pub async fn selected(fd: BorrowedFd<'_>) {
    tokio::select! {
        res = async { setns(fd, CloneFlags::CLONE_NEWNET) } => { res.expect("setns") }
        _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
    }
    let (a, b) = tokio::join!(async { 1 }, async { nix::sched::unshare(CloneFlags::CLONE_NEWUTS) });
    let _ = (a, b.is_ok());
}
"#;

const SCOPES: &str = r#"//! Work in approved scopes: correct use, an escape, and an outer handle used inside.

use nsscope::NetNs;

/// Correct: the socket is created inside the scope.
pub fn bind_in(path: &str) -> nsscope::Result<std::io::Result<std::net::UdpSocket>> {
    let ns = NetNs::from_path(path)?;
    ns.run(|_host| std::net::UdpSocket::bind("0.0.0.0:0"))
}

/// Buggy: work handed to the outer runtime escapes the scope.
pub fn escape_in(path: &str) -> nsscope::Result<()> {
    let ns = NetNs::from_path(path)?;
    ns.run(|_host| {
        tokio::spawn(async {
            let _ = tokio::net::TcpStream::connect("10.0.0.1:80").await;
        });
    })
}

/// Buggy: a socket created outside the scope is used inside it.
pub fn outer_handle(path: &str) -> nsscope::Result<usize> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").map_err(nsscope::Error::from)?;
    let ns = NetNs::from_path(path)?;
    ns.run(move |_host| socket.send_to(b"ping", "10.0.0.1:7").unwrap_or(0))
}
"#;

/// Every shape, by module name.
const SHAPES: &[(&str, &str)] = &[
    ("spell_libc", SPELL_LIBC),
    ("spell_nix", SPELL_NIX),
    ("spell_rustix", SPELL_RUSTIX),
    ("guard", GUARD),
    ("spawned", SPAWNED),
    ("owned", OWNED),
    ("try_between", TRY_BETWEEN),
    ("links", LINKS),
    ("macro_enter", MACRO_ENTER),
    ("proc_paths", PROC_PATHS),
    ("kinds", KINDS),
    ("unchecked", UNCHECKED),
    ("in_macros", IN_MACROS),
    ("scopes", SCOPES),
];

const GUARD_NAMES: &[&str] = &[
    "InPod",
    "NsGuard",
    "Entered",
    "NetnsGuard",
    "PodScope",
    "Restore",
];

/// The namespace module's files (relative to the module's directory, `mod.rs` first). With
/// `all`, every shape is included; otherwise each with probability 60%.
pub fn ns_module(ctx: &NsContext, rng: &mut Rng, all: bool) -> Vec<(String, String)> {
    let chosen: Vec<&(&str, &str)> = SHAPES
        .iter()
        .filter(|(name, _)| all || *name == "links" || rng.chance(60))
        .collect();
    let guard = format!("{}{}", rng.pick(GUARD_NAMES), rng.below(100));
    let (dep_link, dep_open) = match &ctx.dep {
        Some((krate, module)) => (
            format!("{krate}::{module}::sockets::probe_link"),
            format!("{krate}::open_probe"),
        ),
        None => (
            "super::sockets::probe_link".to_owned(),
            "super::sockets::open_probe".to_owned(),
        ),
    };
    let fill = |text: &str| {
        text.replace("@G", &guard)
            .replace("@DEP_LINK", &dep_link)
            .replace("@DEP_OPEN", &dep_open)
            .replace("@CRATE", &ctx.crate_name)
            .replace("@NS", &format!("crate::{}", ctx.module))
    };
    let mut mods = String::from("pub mod sockets;\n");
    for (name, _) in &chosen {
        mods.push_str(&format!("pub mod {name};\n"));
    }
    let mut files = vec![(
        "mod.rs".to_owned(),
        fill(&MOD_RS.replace("@MODS", mods.trim_end())),
    )];
    files.push(("sockets.rs".to_owned(), fill(SOCKETS)));
    for (name, text) in chosen {
        files.push((format!("{name}.rs"), fill(text)));
    }
    files
}

/// A `main.rs` for a namespace crate's binary: single-threaded, switches, then execs.
pub fn ns_main(crate_name: &str) -> String {
    format!(
        r#"//! The {crate_name} launcher: moves itself into fresh namespaces and execs the payload.

use nix::sched::{{unshare, CloneFlags}};
use std::os::unix::process::CommandExt;
use std::process::Command;

fn main() {{
    let _ = {crate_name}::version();
    unshare(CloneFlags::CLONE_NEWNET | CloneFlags::CLONE_NEWNS).expect("unshare");
    let err = Command::new("/bin/sh").exec();
    panic!("exec failed: {{err}}");
}}
"#
    )
}
