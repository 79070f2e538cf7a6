//! No file descriptor leaks: the fd count is unchanged after 10 000 scoped calls. In its own
//! test binary so that no other test opens files meanwhile.

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use nsscope::{Namespace, NetNs, NsKind};

#[test]
fn fd_count_is_unchanged_after_ten_thousand_scoped_calls() {
    require_root!("fd_count_is_unchanged_after_ten_thousand_scoped_calls");
    let ns = NetNs::new().expect("new netns");
    let uts = Namespace::current(NsKind::Uts).expect("uts");
    // Warm up: the per-thread cache keeps one handle per kind on this thread.
    ns.run_here(|_| ()).expect("warm run_here");
    uts.run_here(|_| ()).expect("warm run_here");
    let before = common::fd_count();

    let worker = ns.worker().expect("worker");
    // Every closure counts itself: a scope that returned Ok without running it would leak
    // nothing and prove nothing.
    static RAN: AtomicUsize = AtomicUsize::new(0);
    let ran = || {
        RAN.fetch_add(1, Ordering::Relaxed);
    };
    for i in 0..10_000u32 {
        match i % 8 {
            0 => ns.run(|_| ran()).expect("run"),
            1 => worker.run(move |_| ran()).expect("worker"),
            2 => ns
                .spawn(move |_| ran())
                .expect("spawn")
                .join()
                .expect("join"),
            3 => uts.run_here(|_| ran()).expect("uts run_here"),
            4 => {
                let _ = NetNs::current().expect("current");
                ns.run_here(|h| {
                    assert_ne!(h.id(), ns.id());
                    ran();
                })
                .expect("run_here");
            }
            _ => ns.run_here(|_| ran()).expect("run_here"),
        }
    }
    for _ in 0..20 {
        let status = ns.command(Command::new("true")).status().expect("command");
        assert!(status.success());
    }
    drop(worker);
    let after = common::fd_count();
    assert_eq!(
        RAN.load(Ordering::Relaxed),
        10_000,
        "every scope ran its closure"
    );
    assert_eq!(before, after, "fds before {before}, after {after}");
}
