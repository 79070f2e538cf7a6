//! Namespace handles: opening, identity, kinds, and the file descriptors they own.

mod common;

use std::collections::HashSet;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

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
