//! Helpers shared by nsscope's integration tests.
#![allow(dead_code)]

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::sync::atomic::{AtomicU32, Ordering};

/// Whether this test may run: true as root. Otherwise prints `SKIPPED (needs root): <test>`
/// and returns false, or panics when `NSLINT_REQUIRE_PRIVILEGED=1` (CI) forbids skipping.
pub fn privileged(test: &str) -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        return true;
    }
    if std::env::var("NSLINT_REQUIRE_PRIVILEGED").as_deref() == Ok("1") {
        panic!("{test} needs root, and NSLINT_REQUIRE_PRIVILEGED=1 forbids skipping it");
    }
    // Written to the real stderr (not `eprintln!`, which the test harness captures), so the
    // skip shows in every log.
    let _ = writeln!(std::io::stderr(), "SKIPPED (needs root): {test}");
    false
}

/// Returns from the test unless it may run as root.
#[macro_export]
macro_rules! require_root {
    ($name:expr) => {
        if !common::privileged($name) {
            return;
        }
    };
}

/// The inode of the calling thread's namespace of `kind` ("net", "mnt", ...), read by the
/// kernel's own link, independently of nsscope.
pub fn thread_ns(kind: &str) -> u64 {
    std::fs::metadata(format!("/proc/thread-self/ns/{kind}"))
        .expect("stat /proc/thread-self/ns")
        .ino()
}

/// The calling thread's network namespace inode.
pub fn thread_net() -> u64 {
    thread_ns("net")
}

/// A name unique to this process and call, for named namespaces and paths.
pub fn unique(tag: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "nsscope-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The number of open file descriptors of this process.
pub fn fd_count() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("list /proc/self/fd")
        .count()
}

/// Drops CAP_SYS_ADMIN from the calling thread's effective set (capabilities are per thread).
pub fn drop_effective_cap_sys_admin() {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy, Default)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const VERSION_3: u32 = 0x2008_0522;
    const CAP_SYS_ADMIN: u32 = 21;
    let mut header = Header {
        version: VERSION_3,
        pid: 0,
    };
    let mut data = [Data::default(); 2];
    // SAFETY: capget/capset with a v3 header and two data structs, as the ABI requires.
    unsafe {
        let rc = libc::syscall(
            libc::SYS_capget,
            &mut header as *mut Header,
            data.as_mut_ptr(),
        );
        assert_eq!(rc, 0, "capget: {}", std::io::Error::last_os_error());
        data[0].effective &= !(1 << CAP_SYS_ADMIN);
        let rc = libc::syscall(libc::SYS_capset, &mut header as *mut Header, data.as_ptr());
        assert_eq!(rc, 0, "capset: {}", std::io::Error::last_os_error());
    }
}

/// Runs `ip` with `args`, returning stdout; panics with its stderr on failure.
pub fn ip(args: &[&str]) -> String {
    let out = std::process::Command::new("ip")
        .args(args)
        .output()
        .expect("run ip (iproute2 must be installed)");
    assert!(
        out.status.success(),
        "ip {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
