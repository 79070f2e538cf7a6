//! Thread pools grow from whichever thread asks: the runtimes nsscope builds keep their new
//! threads inside, and `thread_start_hook` keeps an outer pool's new threads outside.

#![cfg(feature = "tokio")]

mod common;

use common::thread_net;
use nsscope::NetNs;

/// A thread of the host that, given a runtime's handle, asks that runtime to run
/// `thread_net` on its blocking pool: the pool has no idle thread yet, so it creates one from
/// this host thread.
struct HostThread {
    handles: std::sync::mpsc::Sender<tokio::runtime::Handle>,
    tasks: std::sync::Mutex<std::sync::mpsc::Receiver<tokio::task::JoinHandle<u64>>>,
}

impl HostThread {
    fn start() -> HostThread {
        let (handles, handle_rx) = std::sync::mpsc::channel::<tokio::runtime::Handle>();
        let (task_tx, tasks) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for handle in handle_rx {
                let _ = task_tx.send(handle.spawn_blocking(thread_net));
            }
        });
        HostThread {
            handles,
            tasks: std::sync::Mutex::new(tasks),
        }
    }

    fn spawn_blocking_on(&self, handle: tokio::runtime::Handle) -> tokio::task::JoinHandle<u64> {
        self.handles.send(handle).expect("host thread");
        let tasks = self.tasks.lock().expect("lock");
        tasks.recv().expect("host thread")
    }
}

#[test]
fn run_async_runtime_grows_its_blocking_pool_inside_from_a_leaked_handle() {
    require_root!("run_async_runtime_grows_its_blocking_pool_inside_from_a_leaked_handle");
    let ns = NetNs::new().expect("new netns");
    let host_thread = HostThread::start();
    let seen = ns
        .run_async(async |_: &NetNs| {
            let task = host_thread.spawn_blocking_on(tokio::runtime::Handle::current());
            task.await.expect("blocking task")
        })
        .expect("run_async");
    assert_eq!(seen, ns.id().inode());
}

#[test]
fn worker_runtime_grows_its_blocking_pool_inside_from_a_leaked_handle() {
    require_root!("worker_runtime_grows_its_blocking_pool_inside_from_a_leaked_handle");
    let ns = NetNs::new().expect("new netns");
    let worker = ns.worker().expect("worker");
    let leaked = worker
        .run(|_| tokio::runtime::Handle::current())
        .expect("leak the worker's runtime handle");
    let task = HostThread::start().spawn_blocking_on(leaked);
    let seen = worker.spawn_async(move |_| task).expect("spawn_async");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let seen = rt.block_on(seen).expect("join").expect("blocking task");
    assert_eq!(seen, ns.id().inode());
}

/// An outer multi-thread runtime, as a program has around its scopes; with `guard`, its new
/// threads are kept in `guard`.
fn outer_runtime(guard: Option<&NetNs>) -> tokio::runtime::Runtime {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.worker_threads(1);
    if let Some(host) = guard {
        builder.on_thread_start(host.thread_start_hook().expect("hook"));
    }
    builder.build().expect("outer runtime")
}

#[test]
fn an_outer_pool_grown_inside_a_scope_keeps_a_thread_there_unless_guarded() {
    require_root!("an_outer_pool_grown_inside_a_scope_keeps_a_thread_there_unless_guarded");
    let host = NetNs::current().expect("host");
    let ns = NetNs::new().expect("new netns");
    for guarded in [false, true] {
        let rt = outer_runtime(guarded.then_some(&host));
        let (inside_call, later_host_call) = rt.block_on(async {
            // Once a task has run, the runtime's worker has its thread: no idle one is left.
            tokio::spawn(async {}).await.expect("warm-up task");
            // The pool has no idle blocking thread: it creates one from this thread, which
            // is inside `ns` for the duration of the scope.
            let task = ns
                // nslint: allow(work_escapes_scope) -- test: the hazard itself, unguarded and guarded
                .run_here(|_| tokio::task::spawn_blocking(thread_net))
                .expect("run_here");
            let inside_call = task.await.expect("blocking task");
            // Later host work reuses that thread, once it has gone back to the idle list (a
            // moment after its task's result arrived).
            std::thread::sleep(std::time::Duration::from_millis(100));
            let later = tokio::task::spawn_blocking(thread_net)
                .await
                .expect("blocking task");
            (inside_call, later)
        });
        let want = if guarded { host.id() } else { ns.id() }.inode();
        assert_eq!(
            (inside_call, later_host_call),
            (want, want),
            "guarded: {guarded} (host {}, scope {})",
            host.id(),
            ns.id()
        );
    }
}

#[test]
fn a_guarded_outer_runtime_keeps_the_worker_block_in_place_starts_in_the_host() {
    require_root!("a_guarded_outer_runtime_keeps_the_worker_block_in_place_starts_in_the_host");
    let host = NetNs::current().expect("host");
    let ns = NetNs::new().expect("new netns");
    let rt = outer_runtime(Some(&host));
    let seen = rt.block_on(async move {
        tokio::spawn(async move {
            // block_in_place hands this worker's place to a new thread, created from here:
            // inside `ns`.
            // nslint: allow(work_escapes_scope) -- test: the hazard the guard must catch
            ns.run_here(|_| tokio::task::block_in_place(|| ()))
                .expect("run_here");
        })
        .await
        .expect("task");
        let mut seen = Vec::new();
        for _ in 0..8 {
            seen.push(tokio::spawn(async { thread_net() }).await.expect("task"));
            seen.push(
                tokio::task::spawn_blocking(thread_net)
                    .await
                    .expect("blocking"),
            );
        }
        seen
    });
    assert!(
        seen.iter().all(|&ino| ino == host.id().inode()),
        "host {}: {seen:?}",
        host.id()
    );
}
