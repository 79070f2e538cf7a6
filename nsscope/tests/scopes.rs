//! The scopes, proven with inodes in real namespaces.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::Command;

use common::thread_net;
use nsscope::{Error, NetNs};

#[test]
fn run_enters_and_the_caller_never_moves() {
    require_root!("run_enters_and_the_caller_never_moves");
    let host = thread_net();
    let ns = NetNs::new().expect("new netns");
    assert_ne!(ns.id().inode(), host);
    let local = String::from("abc"); // borrowed by the closure
    let (inside, seen_host, sum) = ns
        .run(|h| (thread_net(), h.id().inode(), local.len()))
        .expect("run");
    assert_eq!(inside, ns.id().inode());
    assert_eq!(seen_host, host);
    assert_eq!(sum, 3);
    assert_eq!(thread_net(), host);

    let err: Result<(), &str> = ns.run(|_| Err("boom")).expect("run");
    assert!(err.is_err());
    assert_eq!(thread_net(), host);

    let panicked = catch_unwind(AssertUnwindSafe(|| ns.run(|_| panic!("inside run"))));
    assert!(panicked.is_err(), "the panic resumes in the caller");
    assert_eq!(thread_net(), host);

    // A thread spawned inside a scope inherits the namespace.
    let child = ns
        .run(|_| std::thread::spawn(thread_net).join().expect("join"))
        .expect("run");
    assert_eq!(child, ns.id().inode());
}

#[test]
fn run_here_restores_after_success_error_and_panic() {
    require_root!("run_here_restores_after_success_error_and_panic");
    let host = thread_net();
    let ns = NetNs::new().expect("new netns");
    let (inside, seen_host) = ns
        .run_here(|h| (thread_net(), h.id().inode()))
        .expect("run_here");
    assert_eq!(inside, ns.id().inode());
    assert_eq!(seen_host, host);
    assert_eq!(thread_net(), host);

    let r: Result<(), String> = ns
        .run_here(|_| Err(format!("failed in {}", thread_net())))
        .expect("run_here");
    assert!(r.is_err());
    assert_eq!(thread_net(), host);

    for _ in 0..3 {
        let panicked = catch_unwind(AssertUnwindSafe(|| {
            ns.run_here(|_| -> () { panic!("inside run_here") })
        }));
        assert!(panicked.is_err());
        assert_eq!(
            thread_net(),
            host,
            "this same thread is back after the panic"
        );
    }

    // Nested scopes restore to the right place at each level.
    let other = NetNs::new().expect("second netns");
    let (outer, inner, back) = ns
        .run_here(|_| {
            let outer = thread_net();
            let inner = other.run_here(|h| (thread_net(), h.id())).expect("nested");
            (outer, inner, thread_net())
        })
        .expect("run_here");
    assert_eq!(outer, ns.id().inode());
    assert_eq!(inner, (other.id().inode(), ns.id()));
    assert_eq!(back, ns.id().inode());
    assert_eq!(thread_net(), host);
}

#[test]
fn run_here_restores_to_where_the_thread_really_was() {
    require_root!("run_here_restores_to_where_the_thread_really_was");
    let host = NetNs::current().expect("host");
    let a = NetNs::new().expect("a");
    let b = NetNs::new().expect("b");
    // Warm the per-thread cache with the host, then move this thread behind nsscope's back.
    b.run_here(|_| ()).expect("warm");
    std::thread::spawn(move || {
        let fd = std::os::fd::AsRawFd::as_raw_fd(&std::os::fd::AsFd::as_fd(&a));
        // nslint: allow(raw_namespace_switch) -- test: a foreign switch on a thread this test owns
        let rc = unsafe { libc::setns(fd, libc::CLONE_NEWNET) };
        assert_eq!(rc, 0);
        b.run_here(|h| assert_eq!(h.id(), a.id()))
            .expect("run_here");
        assert_eq!(
            thread_net(),
            a.id().inode(),
            "restored to a, not to a stale host"
        );
    })
    .join()
    .expect("thread");
    assert_eq!(thread_net(), host.id().inode());
}

#[test]
fn spawn_runs_a_long_lived_thread_inside() {
    require_root!("spawn_runs_a_long_lived_thread_inside");
    let host = thread_net();
    let ns = NetNs::new().expect("new netns");
    let handle = ns
        .spawn(move |h| {
            let name = std::thread::current().name().map(str::to_owned);
            let grandchild = std::thread::spawn(thread_net).join().expect("join");
            (thread_net(), h.id().inode(), grandchild, name)
        })
        .expect("spawn");
    let (inside, seen_host, grandchild, name) = handle.join().expect("join");
    assert_eq!(inside, ns.id().inode());
    assert_eq!(grandchild, ns.id().inode());
    assert_eq!(seen_host, host);
    assert_eq!(name.as_deref(), Some("nsscope-net"));
    assert_eq!(thread_net(), host);
}

#[test]
fn worker_runs_many_calls_inside_and_survives_panics() {
    require_root!("worker_runs_many_calls_inside_and_survives_panics");
    let host = thread_net();
    let ns = NetNs::new().expect("new netns");
    let worker = ns.worker().expect("worker");
    assert_eq!(worker.namespace().id(), ns.id());
    for i in 0..100u64 {
        let (inside, seen_host, doubled) = worker
            .run(move |h| (thread_net(), h.id().inode(), i * 2))
            .expect("Worker::run");
        assert_eq!(inside, ns.id().inode());
        assert_eq!(seen_host, host);
        assert_eq!(doubled, i * 2);
    }
    let panicked = catch_unwind(AssertUnwindSafe(|| {
        worker.run(|_| -> () { panic!("in worker") })
    }));
    assert!(panicked.is_err());
    // A call that wanders off is put back before the next one.
    let host_ns = NetNs::current().expect("host");
    worker
        .run(move |_| {
            let fd = std::os::fd::AsRawFd::as_raw_fd(&std::os::fd::AsFd::as_fd(&host_ns));
            // nslint: allow(raw_namespace_switch) -- test: a call that leaves the worker's namespace
            let rc = unsafe { libc::setns(fd, libc::CLONE_NEWNET) };
            assert_eq!(rc, 0);
        })
        .expect("wandering call");
    assert_eq!(worker.run(|_| thread_net()).expect("run"), ns.id().inode());
    assert!(!worker.is_poisoned());
    // A call that calls its own worker runs inline instead of waiting for itself.
    let worker = std::sync::Arc::new(worker);
    let again = std::sync::Arc::clone(&worker);
    let nested = worker
        .run(move |_| again.run(|_| thread_net()).expect("nested call"))
        .expect("outer call");
    assert_eq!(nested, ns.id().inode());
    assert_eq!(thread_net(), host);
}

#[test]
fn worker_is_poisoned_when_it_cannot_restore() {
    require_root!("worker_is_poisoned_when_it_cannot_restore");
    let ns = NetNs::new().expect("new netns");
    let worker = ns.worker().expect("worker");
    // Capabilities are per thread: only the worker's thread loses CAP_SYS_ADMIN.
    match worker.run(|_| common::drop_effective_cap_sys_admin()) {
        Err(e @ Error::RestoreFailed { .. }) => assert!(e.to_string().contains("CAP_SYS_ADMIN")),
        other => panic!("expected RestoreFailed, got {other:?}"),
    }
    assert!(worker.is_poisoned());
    match worker.run(|_| ()) {
        Err(e @ Error::PoisonedWorker { .. }) => assert!(e.to_string().contains("new worker")),
        other => panic!("expected PoisonedWorker, got {other:?}"),
    }
    // The rest of the process keeps its privileges.
    assert_eq!(ns.run(|_| thread_net()).expect("run"), ns.id().inode());
}

#[test]
fn worker_hand_off_wakes_sleeping_callers_and_a_sleeping_worker() {
    require_root!("worker_hand_off_wakes_sleeping_callers_and_a_sleeping_worker");
    let ns = NetNs::new().expect("new netns");
    let worker = std::sync::Arc::new(ns.worker().expect("worker"));
    let want = ns.id().inode();
    for _ in 0..3 {
        // A call far longer than the caller's spin: the caller sleeps and is woken.
        let slow = worker
            .run(|_| {
                std::thread::sleep(std::time::Duration::from_millis(30));
                thread_net()
            })
            .expect("slow call");
        assert_eq!(slow, want);
        // An idle gap far longer than the worker's spin: the worker sleeps and is woken.
        std::thread::sleep(std::time::Duration::from_millis(30));
        assert_eq!(worker.run(|_| thread_net()).expect("after a gap"), want);
    }

    // Callers queued behind a call that poisons the worker are woken with an error, not left
    // waiting for an answer that never comes.
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let poisoner = {
        let worker = std::sync::Arc::clone(&worker);
        std::thread::spawn(move || {
            worker.run(move |_| {
                started_tx.send(()).expect("signal");
                std::thread::sleep(std::time::Duration::from_millis(50));
                common::drop_effective_cap_sys_admin();
            })
        })
    };
    started_rx.recv().expect("poisoning call started");
    let queued: Vec<_> = (0..4)
        .map(|_| {
            let worker = std::sync::Arc::clone(&worker);
            std::thread::spawn(move || worker.run(|_| thread_net()))
        })
        .collect();
    assert!(matches!(
        poisoner.join().expect("poisoner"),
        Err(Error::RestoreFailed { .. })
    ));
    for caller in queued {
        match caller.join().expect("queued caller") {
            Err(Error::PoisonedWorker { .. }) => {}
            other => panic!("expected PoisonedWorker, got {other:?}"),
        }
    }
    assert!(worker.is_poisoned());
}

#[test]
fn same_port_binds_in_host_and_in_a_fresh_namespace_at_once() {
    require_root!("same_port_binds_in_host_and_in_a_fresh_namespace_at_once");
    let host_listener = TcpListener::bind("0.0.0.0:0").expect("bind in host");
    let port = host_listener.local_addr().expect("addr").port();
    assert!(
        TcpListener::bind(("0.0.0.0", port)).is_err(),
        "control: the port is taken in the host"
    );
    let ns = NetNs::new().expect("new netns");
    let inside = ns
        .run(|_| TcpListener::bind(("0.0.0.0", port)))
        .expect("run")
        .expect("the same port is free in the fresh namespace");
    assert_eq!(inside.local_addr().expect("addr").port(), port);
    drop(host_listener);
}

fn loopback_up(ns: &NetNs) {
    let mut cmd = Command::new("ip");
    cmd.args(["link", "set", "lo", "up"]);
    let status = ns.command(cmd).status().expect("run ip in the namespace");
    assert!(status.success());
}

#[test]
fn listener_created_in_run_keeps_working_after_the_scope() {
    require_root!("listener_created_in_run_keeps_working_after_the_scope");
    let ns = NetNs::new().expect("new netns");
    loopback_up(&ns);
    let listener = ns
        .run(|_| TcpListener::bind("127.0.0.1:0"))
        .expect("run")
        .expect("bind inside");
    let addr = listener.local_addr().expect("addr");
    // The scope is over; connect from inside the namespace and serve from this host thread.
    let client = ns
        .spawn(move |_| {
            let mut s = TcpStream::connect(addr)?;
            s.write_all(b"ping")?;
            let mut reply = [0u8; 4];
            s.read_exact(&mut reply)?;
            std::io::Result::Ok(reply)
        })
        .expect("spawn client");
    let (mut conn, _) = listener.accept().expect("accept on the host thread");
    let mut buf = [0u8; 4];
    conn.read_exact(&mut buf).expect("read");
    assert_eq!(&buf, b"ping");
    conn.write_all(b"pong").expect("write");
    assert_eq!(&client.join().expect("join").expect("client"), b"pong");
}

#[test]
fn run_here_restores_only_the_kind_it_entered() {
    require_root!("run_here_restores_only_the_kind_it_entered");
    let ns = NetNs::new().expect("new netns");
    // On a thread of its own: it ends with a UTS namespace of its own.
    std::thread::spawn(move || {
        let (net, uts) = (thread_net(), common::thread_ns("uts"));
        ns.run_here(|_| {
            // SAFETY: a plain system call; this thread is the test's own.
            // nslint: allow(raw_namespace_switch) -- test: the closure switches a kind run_here did not enter
            let rc = unsafe { libc::unshare(libc::CLONE_NEWUTS) };
            assert_eq!(rc, 0);
        })
        .expect("run_here");
        assert_eq!(thread_net(), net, "the entered kind is restored");
        assert_ne!(
            common::thread_ns("uts"),
            uts,
            "other kinds stay where the closure put them"
        );
    })
    .join()
    .expect("thread");
}

#[cfg(feature = "tokio")]
mod with_tokio {
    use super::*;

    #[test]
    fn run_async_keeps_spawns_and_blocking_inside() {
        require_root!("run_async_keeps_spawns_and_blocking_inside");
        let host = thread_net();
        let ns = NetNs::new().expect("new netns");
        let borrowed = String::from("borrowed");
        let (main, task, blocking, port, len) = ns
            .run_async(async |h: &NetNs| {
                assert_eq!(h.id().inode(), host);
                let listener = tokio::net::TcpListener::bind("0.0.0.0:0")
                    .await
                    .expect("bind");
                let task = tokio::spawn(async { thread_net() }).await.expect("task");
                let blocking = tokio::task::spawn_blocking(thread_net)
                    .await
                    .expect("blocking");
                (
                    thread_net(),
                    task,
                    blocking,
                    listener.local_addr().expect("addr").port(),
                    borrowed.len(),
                )
            })
            .expect("run_async");
        let want = ns.id().inode();
        assert_eq!((main, task, blocking), (want, want, want));
        assert_ne!(port, 0);
        assert_eq!(len, 8);
        assert_eq!(thread_net(), host);
    }

    #[test]
    fn worker_spawn_async_runs_futures_inside() {
        require_root!("worker_spawn_async_runs_futures_inside");
        let ns = NetNs::new().expect("new netns");
        loopback_up(&ns);
        let worker = ns.worker().expect("worker");
        let server = worker
            .spawn_async(|_| async {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
                let addr = listener.local_addr()?;
                std::io::Result::Ok((listener, addr, thread_net()))
            })
            .expect("spawn_async");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let (listener, addr, inside) = rt.block_on(server).expect("join").expect("bind");
        assert_eq!(inside, ns.id().inode());
        // Serve on the worker's runtime; connect from a sync call on the same worker.
        let served = worker
            .spawn_async(move |_| async move {
                use tokio::io::AsyncWriteExt;
                let (mut s, _) = listener.accept().await?;
                s.write_all(b"hi").await?;
                std::io::Result::Ok(thread_net())
            })
            .expect("spawn_async");
        let client = ns
            .spawn(move |_| {
                let mut s = TcpStream::connect(addr)?;
                let mut buf = [0u8; 2];
                s.read_exact(&mut buf)?;
                std::io::Result::Ok(buf)
            })
            .expect("client");
        assert_eq!(&client.join().expect("join").expect("client"), b"hi");
        assert_eq!(
            rt.block_on(served).expect("join").expect("serve"),
            ns.id().inode()
        );
    }

    #[test]
    fn worker_calls_run_inside_after_a_task_moved_the_thread() {
        require_root!("worker_calls_run_inside_after_a_task_moved_the_thread");
        let ns = NetNs::new().expect("new netns");
        let host = NetNs::current().expect("host");
        let worker = ns.worker().expect("worker");
        let wandered = worker
            .spawn_async(move |_| async move {
                let fd = std::os::fd::AsRawFd::as_raw_fd(&std::os::fd::AsFd::as_fd(&host));
                // nslint: allow(raw_namespace_switch) -- test: a task that moves the worker's thread
                let rc = unsafe { libc::setns(fd, libc::CLONE_NEWNET) };
                assert_eq!(rc, 0);
                thread_net()
            })
            .expect("spawn_async");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        assert_ne!(rt.block_on(wandered).expect("task"), ns.id().inode());
        for _ in 0..3 {
            assert_eq!(
                worker.run(|_| thread_net()).expect("run"),
                ns.id().inode(),
                "a call ran where a task had moved the thread"
            );
        }
    }

    #[test]
    fn worker_tasks_progress_under_back_to_back_calls() {
        require_root!("worker_tasks_progress_under_back_to_back_calls");
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        use std::time::{Duration, Instant};
        const CALLERS: usize = 16;
        let ns = NetNs::new().expect("new netns");
        let worker = Arc::new(ns.worker().expect("worker"));
        let (task_ran, stop, calls) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicU64::new(0)),
        );
        // Each caller queues its next call as soon as its last returns; with calls of 5 ms,
        // some 75 ms of calls are always waiting, so the worker is never idle.
        let callers: Vec<_> = (0..CALLERS)
            .map(|_| {
                let (worker, stop, calls) =
                    (Arc::clone(&worker), Arc::clone(&stop), Arc::clone(&calls));
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Acquire) {
                        worker
                            .run(|_| std::thread::sleep(Duration::from_millis(5)))
                            .expect("call");
                        calls.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        while calls.load(Ordering::Relaxed) < 2 * CALLERS as u64 {
            std::thread::sleep(Duration::from_millis(1));
        }
        let flag = Arc::clone(&task_ran);
        let _task = worker
            .spawn_async(move |_| async move { flag.store(true, Ordering::Release) })
            .expect("spawn_async");
        let deadline = Instant::now() + Duration::from_secs(1);
        while !task_ran.load(Ordering::Acquire) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        let ran_while_busy = task_ran.load(Ordering::Acquire);
        stop.store(true, Ordering::Release);
        for caller in callers {
            caller.join().expect("caller");
        }
        assert!(
            ran_while_busy,
            "the task never ran while calls kept the worker busy for a second"
        );
    }

    /// Starts a blocking task that reports when it has started, then sets `done` after a
    /// while; returns once it has started.
    async fn start_slow_blocking_task(done: std::sync::Arc<std::sync::atomic::AtomicBool>) {
        let (started_tx, started_rx) = tokio::sync::oneshot::channel();
        let _unawaited = tokio::task::spawn_blocking(move || {
            let _ = started_tx.send(());
            std::thread::sleep(std::time::Duration::from_millis(100));
            done.store(true, std::sync::atomic::Ordering::Release);
        });
        started_rx.await.expect("blocking task started");
    }

    #[test]
    fn run_async_and_dropping_a_worker_wait_for_started_blocking_tasks() {
        require_root!("run_async_and_dropping_a_worker_wait_for_started_blocking_tasks");
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let ns = NetNs::new().expect("new netns");
        let done = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&done);
        ns.run_async(async move |_: &NetNs| start_slow_blocking_task(flag).await)
            .expect("run_async");
        assert!(done.load(Ordering::Acquire), "run_async returned first");

        let worker = ns.worker().expect("worker");
        let done = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&done);
        let started = worker
            .spawn_async(move |_| start_slow_blocking_task(flag))
            .expect("spawn_async");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        rt.block_on(started).expect("started");
        drop(worker);
        assert!(
            done.load(Ordering::Acquire),
            "the worker's drop returned first"
        );
    }

    #[test]
    fn dropping_a_worker_cancels_its_pending_tasks() {
        require_root!("dropping_a_worker_cancels_its_pending_tasks");
        let ns = NetNs::new().expect("new netns");
        let worker = ns.worker().expect("worker");
        let pending = worker
            .spawn_async(|_| std::future::pending::<()>())
            .expect("spawn_async");
        drop(worker);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        match rt.block_on(pending) {
            Err(e) => assert!(e.is_cancelled(), "{e}"),
            Ok(()) => panic!("a pending future completed"),
        }
    }
}
