//! What the kernel does that nsscope cannot change, pinned as the documentation states it.

mod common;

use std::collections::BTreeSet;
use std::os::fd::{AsFd, AsRawFd};
use std::process::Command;

use common::thread_net;
use nsscope::{Error, Namespace, NetNs, NsKind, Scope};

#[test]
fn refuses_user_pid_time_in_process_and_points_to_command() {
    for kind in [NsKind::User, NsKind::Pid, NsKind::Time] {
        let ns = match Namespace::current(kind) {
            Ok(ns) => ns,
            Err(Error::NotFound { .. }) if kind == NsKind::Time => continue, // no CONFIG_TIME_NS
            Err(e) => panic!("open {kind}: {e}"),
        };
        let refusals = [
            (Scope::Run, ns.run(|_| ()).err()),
            (Scope::RunHere, ns.run_here(|_| ()).err()),
            (Scope::Spawn, ns.spawn(|_| ()).err()),
            (Scope::Worker, ns.worker().err()),
        ];
        for (scope, err) in refusals {
            match err {
                Some(e @ Error::UnsupportedKind { kind: k, scope: s }) => {
                    assert_eq!((k, s), (kind, scope));
                    let message = e.to_string();
                    assert!(message.contains("`command`"), "{message}");
                    if kind == NsKind::Time {
                        assert!(message.contains("EUSERS"), "{message}");
                        assert!(!message.contains("future children"), "{message}");
                    }
                }
                other => panic!("{kind} through {scope}: expected UnsupportedKind, got {other:?}"),
            }
        }
    }
    let mnt = Namespace::current(NsKind::Mnt).expect("current mnt");
    match mnt.run_here(|_| ()) {
        Err(e @ Error::UnsupportedKind { .. }) => assert!(e.to_string().contains("CLONE_FS")),
        other => panic!("mnt run_here: expected UnsupportedKind, got {other:?}"),
    }
}

#[test]
fn entering_a_time_namespace_is_refused_to_a_multithreaded_process() {
    let time = match Namespace::current(NsKind::Time) {
        Ok(ns) => ns,
        Err(Error::NotFound { .. }) => return, // a kernel without time namespaces
        Err(e) => panic!("open time: {e}"),
    };
    // A second thread makes sure this test process is multithreaded whatever the harness does.
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let other = std::thread::spawn(move || stop_rx.recv());
    let fd = time.as_fd().as_raw_fd();
    // SAFETY: a plain system call on an fd `time` keeps open. It fails before moving anything.
    // nslint: allow(raw_namespace_switch) -- test: shows the kernel's refusal that nsscope documents
    // nslint: allow(thread_unsafe_namespace_kind) -- test: the refusal is what it checks
    let rc = unsafe { libc::setns(fd, libc::CLONE_NEWTIME) };
    let err = std::io::Error::last_os_error();
    drop(stop_tx);
    let _ = other.join();
    assert_eq!(
        rc, -1,
        "the kernel let a multithreaded process enter a time namespace"
    );
    assert_eq!(err.raw_os_error(), Some(libc::EUSERS), "{err}");
}

/// The interface names under `/sys/class/net`, as the calling thread sees them.
fn sysfs_interfaces() -> BTreeSet<String> {
    std::fs::read_dir("/sys/class/net")
        .expect("read /sys/class/net")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

/// The interface names in `/proc/<who>/net/dev` text.
fn proc_interfaces(dev: &str) -> BTreeSet<String> {
    dev.lines()
        .skip(2)
        .filter_map(|line| line.split(':').next())
        .map(|name| name.trim().to_owned())
        .collect()
}

#[test]
fn sysfs_shows_the_namespace_it_was_mounted_in_not_the_thread_s() {
    require_root!("sysfs_shows_the_namespace_it_was_mounted_in_not_the_thread_s");
    let host_sysfs = sysfs_interfaces();
    let ns = NetNs::new().expect("new netns");
    let (sysfs, procfs) = ns
        .run_here(|_| {
            let dev = std::fs::read_to_string("/proc/thread-self/net/dev").expect("net/dev");
            (sysfs_interfaces(), proc_interfaces(&dev))
        })
        .expect("run_here");
    assert_eq!(
        procfs,
        BTreeSet::from(["lo".to_owned()]),
        "the thread's namespace"
    );
    assert_eq!(sysfs, host_sysfs, "sysfs still shows where it was mounted");

    // `command` enters the namespace and remounts nothing, unlike `ip netns exec`.
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        "ls /sys/class/net && echo -- && cat /proc/self/net/dev",
    ]);
    let out = ns.command(cmd).output().expect("run sh");
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let (ls, dev) = stdout.split_once("--\n").expect("separator");
    let child_sysfs: BTreeSet<String> = ls.lines().map(str::to_owned).collect();
    assert_eq!(child_sysfs, host_sysfs);
    assert_eq!(proc_interfaces(dev), BTreeSet::from(["lo".to_owned()]));
    assert_ne!(thread_net(), ns.id().inode());
}
