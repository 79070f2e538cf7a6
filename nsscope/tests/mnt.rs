//! Mount namespaces: entered only by threads nsscope owns, which keep working whatever
//! threads the code in them creates.

mod common;

use common::{PrivateMountNs, thread_ns};
use nsscope::NsKind;

#[test]
fn mnt_is_entered_through_run_spawn_and_worker() {
    require_root!("mnt_is_entered_through_run_spawn_and_worker");
    let private = PrivateMountNs::new();
    let mnt = private.namespace();
    assert_eq!(mnt.kind(), NsKind::Mnt);
    let marker = private.dir.join("marker");
    assert!(!marker.exists(), "the host does not see the private tmpfs");
    let host_mnt = thread_ns("mnt");

    let m = marker.clone();
    let (inside, seen) = mnt
        .run(|_| (thread_ns("mnt"), m.exists()))
        .expect("run in mnt");
    assert_eq!(inside, mnt.id().inode());
    assert!(seen, "the private tmpfs is visible inside");
    assert_eq!(thread_ns("mnt"), host_mnt);

    let m = marker.clone();
    let spawned = mnt
        .spawn(move |_| (thread_ns("mnt"), m.exists()))
        .expect("spawn")
        .join()
        .expect("join");
    assert_eq!(spawned, (mnt.id().inode(), true));

    let worker = mnt.worker().expect("mnt worker");
    for _ in 0..3 {
        let m = marker.clone();
        assert_eq!(
            worker
                .run(move |_| (thread_ns("mnt"), m.exists()))
                .expect("worker"),
            (mnt.id().inode(), true)
        );
    }
    assert!(!marker.exists());
    assert_eq!(thread_ns("mnt"), host_mnt);
}

#[test]
fn mnt_worker_keeps_taking_calls_while_a_thread_it_created_runs() {
    require_root!("mnt_worker_keeps_taking_calls_while_a_thread_it_created_runs");
    let private = PrivateMountNs::new();
    let mnt = private.namespace();
    let worker = mnt.worker().expect("mnt worker");
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    // The thread shares the worker's root and working directory while it runs.
    let background = worker
        .run(move |_| {
            std::thread::spawn(move || {
                let _ = release_rx.recv();
                thread_ns("mnt")
            })
        })
        .expect("a call that leaves a thread running");
    let marker = private.dir.join("marker");
    for _ in 0..3 {
        let m = marker.clone();
        let seen = worker
            .run(move |_| (thread_ns("mnt"), m.exists()))
            .expect("the worker is not poisoned by a thread it created");
        assert_eq!(seen, (mnt.id().inode(), true));
    }
    release_tx.send(()).expect("release");
    assert_eq!(background.join().expect("join"), mnt.id().inode());
    assert!(!worker.is_poisoned());
}

/// Makes the calling thread hold its filesystem context a little longer when it exits, as a
/// thread with many open files does: the kernel wakes its joiner before it closes them, and
/// lets go of the filesystem context only after.
fn exit_slowly() {
    // SAFETY: plain system calls on this thread's own, now private, file table.
    unsafe {
        // nslint: allow(raw_namespace_switch) -- test: CLONE_FILES is no namespace, and this thread exits right after
        assert_eq!(libc::unshare(libc::CLONE_FILES), 0);
        for _ in 0..500 {
            assert!(libc::dup(libc::STDIN_FILENO) >= 0);
        }
    }
}

#[test]
fn mnt_worker_survives_calls_that_spawn_and_join_threads() {
    require_root!("mnt_worker_survives_calls_that_spawn_and_join_threads");
    let private = PrivateMountNs::new();
    let mnt = private.namespace();
    let net = nsscope::NetNs::new().expect("netns");
    let worker = mnt.worker().expect("mnt worker");
    for i in 0..60 {
        let net = net.clone();
        worker
            .run(move |_| {
                if i % 3 == 0 {
                    // nsscope's own scopes create threads too.
                    net.run(|_| ()).expect("run from inside a mnt worker");
                } else {
                    std::thread::spawn(exit_slowly).join().expect("join");
                }
            })
            .unwrap_or_else(|e| panic!("call {i}: {e}"));
    }
    assert_eq!(
        worker.run(|_| thread_ns("mnt")).expect("run"),
        mnt.id().inode()
    );
}

#[test]
fn scopes_nested_in_a_container_s_mount_namespace_find_their_thread() {
    require_root!("scopes_nested_in_a_container_s_mount_namespace_find_their_thread");
    // A container: its own pid namespace, and a /proc mounted for it, where this process's
    // threads do not exist.
    let container = common::Helper::start(&["--pid", "--fork", "--mount-proc"], "true");
    let mnt = nsscope::Namespace::of_pid(container.pid(), NsKind::Mnt).expect("open mnt");
    let net = nsscope::NetNs::new().expect("netns");
    let (inside, host) = mnt
        .run(|_| {
            net.run_here(|host| (net.is_current(), host.clone()))
                .expect("run_here nested in the container's mount namespace")
        })
        .expect("run");
    assert!(inside.expect("is_current"));
    assert_eq!(host, nsscope::NetNs::current().expect("current"));
}
