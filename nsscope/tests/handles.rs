//! Namespace handles: opening, identity, kinds, and the file descriptors they own.

mod common;

use std::collections::HashSet;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;

use common::{thread_net, thread_ns};
use nsscope::{Error, Namespace, NetNs, NsKind};

#[test]
fn handles_compare_by_inode_and_check_kind() {
    let a = Namespace::of_pid(std::process::id(), NsKind::Uts).expect("open own uts");
    let b = Namespace::open("/proc/thread-self/ns/uts", NsKind::Uts).expect("open thread uts");
    assert_eq!(a, b);
    assert_eq!(a.id().inode(), thread_ns("uts"));
    let set: HashSet<Namespace> = [
        a.clone(),
        b,
        Namespace::current(NsKind::Uts).expect("current"),
    ]
    .into_iter()
    .collect();
    assert_eq!(set.len(), 1);
    assert_eq!(
        a.path(),
        Some(std::path::Path::new(&format!(
            "/proc/{}/ns/uts",
            std::process::id()
        )))
    );
    assert_eq!(a.kind(), NsKind::Uts);
    assert_eq!(
        Namespace::open_any("/proc/thread-self/ns/ipc")
            .expect("open any")
            .kind(),
        NsKind::Ipc
    );

    match Namespace::open("/proc/thread-self/ns/uts", NsKind::Net) {
        Err(Error::WrongKind {
            expected: NsKind::Net,
            found: NsKind::Uts,
            ..
        }) => {}
        other => panic!("expected WrongKind, got {other:?}"),
    }
    match NetNs::open("/proc/self/status") {
        Err(e @ Error::NotANamespace { .. }) => assert!(e.to_string().contains("not a namespace")),
        other => panic!("expected NotANamespace, got {other:?}"),
    }
    match NetNs::open("/nonexistent/nsscope") {
        Err(Error::NotFound { .. }) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
    match NetNs::try_from(a) {
        Err(Error::WrongKind { .. }) => {}
        other => panic!("expected WrongKind, got {other:?}"),
    }
    let net = NetNs::current().expect("current net");
    assert_eq!(net.id().inode(), thread_net());
    assert!(net.is_current().expect("is_current"));
}

#[test]
fn from_fd_makes_the_descriptor_close_on_exec() {
    let path = c"/proc/thread-self/ns/uts";
    // SAFETY: a valid C string; the result is checked. No O_CLOEXEC on purpose.
    let raw = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY) };
    assert!(raw >= 0, "open: {}", std::io::Error::last_os_error());
    // SAFETY: a fresh fd nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    let ns = Namespace::from_fd(fd, Some(NsKind::Uts)).expect("from_fd");
    let raw = std::os::fd::AsFd::as_fd(&ns).as_raw_fd();
    // SAFETY: F_GETFD on an fd `ns` keeps open.
    let flags = unsafe { libc::fcntl(raw, libc::F_GETFD) };
    assert!(flags >= 0);
    assert_ne!(
        flags & libc::FD_CLOEXEC,
        0,
        "every fd nsscope holds is close-on-exec"
    );
}

#[test]
fn the_thread_cache_lets_go_of_a_namespace_the_thread_left() {
    require_root!("the_thread_cache_lets_go_of_a_namespace_the_thread_left");
    let a = NetNs::new().expect("a");
    let b = NetNs::new().expect("b");
    let a_inode = a.id().inode();
    // Inside `a`, this thread looks itself up: as the host of a nested scope, and directly.
    a.run_here(|_| b.run_here(|_| ()).expect("nested"))
        .expect("run_here");
    let seen = a
        .run_here(|_| NetNs::current().expect("current").id())
        .expect("run_here");
    assert_eq!(seen, a.id());
    drop((a, b));
    assert_eq!(
        common::fds_naming("net", a_inode),
        Vec::<String>::new(),
        "nothing keeps the dropped namespace open"
    );
}

#[test]
fn dropping_every_handle_tears_the_namespace_down_after_scopes() {
    require_root!("dropping_every_handle_tears_the_namespace_down_after_scopes");
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let tag = format!(
        "{}{}",
        std::process::id() % 100_000,
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let (inside, outside) = (format!("nsi{tag}"), format!("nso{tag}"));
    let ns = NetNs::new().expect("new netns");
    // A veth pair between `ns` and the host: it goes away with the namespace.
    let mut add = std::process::Command::new("ip");
    let pid = std::process::id().to_string();
    add.args([
        "link", "add", &inside, "type", "veth", "peer", "name", &outside, "netns", &pid,
    ]);
    assert!(ns.command(add).status().expect("ip link add").success());
    let host_end = std::path::Path::new("/sys/class/net").join(&outside);
    assert!(host_end.exists());
    ns.run_here(|_| NetNs::current().expect("current"))
        .expect("run_here");
    drop(ns);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while host_end.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the namespace outlived every handle: {} is still there",
            host_end.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn open_leaves_files_that_are_not_namespaces_untouched() {
    let dir = std::env::temp_dir().join(common::unique("fifo"));
    std::fs::create_dir(&dir).expect("mkdir");
    let fifo = dir.join("fifo");
    let c_fifo = std::ffi::CString::new(fifo.to_str().expect("utf-8")).expect("c path");
    // SAFETY: a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c_fifo.as_ptr(), 0o600) }, 0);
    // A writer that waits in open(2) for a reader: any open for reading releases it.
    let (tid_tx, tid_rx) = std::sync::mpsc::channel();
    let writer_path = c_fifo.clone();
    let writer = std::thread::spawn(move || {
        // SAFETY: gettid has no preconditions; open gets a valid C string.
        unsafe {
            tid_tx.send(libc::gettid()).expect("send tid");
            let fd = libc::open(writer_path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
            assert!(fd >= 0);
            libc::close(fd);
        }
    });
    let tid = tid_rx.recv().expect("writer tid");
    let syscall = format!("/proc/self/task/{tid}/syscall");
    let blocked_in_open = || {
        std::fs::read_to_string(&syscall)
            .is_ok_and(|s| s.split(' ').next() == Some(&libc::SYS_openat.to_string()))
    };
    // Blocked for 50 ms on end: waiting for a reader, not still looking the path up.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut blocked_since = None;
    loop {
        let now = std::time::Instant::now();
        assert!(now < deadline, "the writer never blocked");
        match (blocked_in_open(), blocked_since) {
            (false, _) => blocked_since = None,
            (true, None) => blocked_since = Some(now),
            (true, Some(since)) if now - since >= std::time::Duration::from_millis(50) => break,
            (true, Some(_)) => {}
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }

    match NetNs::open(&fifo) {
        Err(Error::NotANamespace { .. }) => {}
        other => panic!("expected NotANamespace, got {other:?}"),
    }
    let untouched = blocked_in_open();

    // Release the writer ourselves (if it is still waiting: never block here).
    let reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)
        .expect("open for reading");
    writer.join().expect("writer");
    drop(reader);
    std::fs::remove_dir_all(&dir).expect("cleanup");
    assert!(
        untouched,
        "NetNs::open opened the FIFO and released its writer"
    );
}
