//! 200 threads mixing run, run_here and a shared Worker; afterwards no thread of the process
//! is left in a target namespace. In its own test binary so that the scan sees only its threads.

mod common;

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::thread_net;
use nsscope::NetNs;

const THREADS: usize = 200;
const CALLS_PER_THREAD: usize = 30;

/// Tasks of this process whose network namespace is one of `targets` (tasks that exit during
/// the scan are skipped). The scan must see the calling thread: a scan that reads nothing
/// would find nothing and pass.
fn tasks_in(targets: &HashSet<u64>) -> Vec<String> {
    let mut found = Vec::new();
    let tasks = std::fs::read_dir("/proc/self/task").expect("list /proc/self/task");
    // SAFETY: gettid has no preconditions.
    let me = unsafe { libc::gettid() }.to_string();
    let mut saw_me = false;
    for task in tasks.flatten() {
        let link = task.path().join("ns/net");
        if let Ok(meta) = std::fs::metadata(&link) {
            saw_me |= task.file_name() == me.as_str();
            if targets.contains(&meta.ino()) {
                found.push(task.file_name().to_string_lossy().into_owned());
            }
        }
    }
    assert!(
        saw_me,
        "the scan of /proc/self/task did not see this thread"
    );
    found
}

#[test]
fn storm_leaves_no_thread_in_a_target_namespace() {
    require_root!("storm_leaves_no_thread_in_a_target_namespace");
    let host = thread_net();
    let targets = [
        NetNs::new().expect("netns a"),
        NetNs::new().expect("netns b"),
    ];
    let ids: HashSet<u64> = targets.iter().map(|t| t.id().inode()).collect();
    let worker = Arc::new(targets[0].worker().expect("worker"));
    let want_worker = targets[0].id().inode();

    std::thread::scope(|s| {
        for t in 0..THREADS {
            let targets = &targets;
            let worker = Arc::clone(&worker);
            s.spawn(move || {
                for i in 0..CALLS_PER_THREAD {
                    let target = &targets[(t + i) % 2];
                    let want = target.id().inode();
                    match (t + i) % 3 {
                        0 => {
                            let got = target.run(|h| (thread_net(), h.id().inode())).expect("run");
                            assert_eq!(got, (want, host));
                        }
                        1 => {
                            let got = target
                                .run_here(|h| (thread_net(), h.id().inode()))
                                .expect("run_here");
                            assert_eq!(got, (want, host));
                        }
                        _ => {
                            let got = worker.run(|_| thread_net()).expect("Worker::run");
                            assert_eq!(got, want_worker);
                        }
                    }
                    assert_eq!(thread_net(), host, "thread {t} call {i} left switched");
                }
            });
        }
    });
    assert_eq!(worker.run(|_| thread_net()).expect("run"), want_worker);
    drop(worker);

    // Exiting tasks can show their old namespace for a moment: retry until they are gone.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = tasks_in(&ids);
        if left.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "threads still in a target namespace: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(thread_net(), host);
}
