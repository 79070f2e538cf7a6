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

/// A process that `unshare`d some namespaces, ran a set-up script inside them and now sleeps
/// there until dropped: namespaces to open by pid.
pub struct Helper {
    child: std::process::Child,
}

impl Helper {
    /// Runs `unshare ARGS sh -c SCRIPT`, and waits until the script has finished.
    pub fn start(unshare_args: &[&str], script: &str) -> Helper {
        use std::io::Read;
        let script = format!("{script} && echo ready && exec sleep 60");
        let mut child = std::process::Command::new("unshare")
            .args(unshare_args)
            .args(["sh", "-c", &script])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start unshare");
        let mut ready = [0u8; 6];
        child
            .stdout
            .as_mut()
            .expect("stdout")
            .read_exact(&mut ready)
            .expect("helper ready");
        assert_eq!(&ready, b"ready\n");
        Helper { child }
    }

    /// The pid of the `unshare` process, which is in every namespace it made except a pid
    /// namespace (that one is for its children).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private mount namespace made for the test, with a tmpfs on `dir` (holding a file
/// `marker`) that only it can see.
pub struct PrivateMountNs {
    helper: Helper,
    /// The directory the tmpfs is mounted on (empty outside the namespace).
    pub dir: std::path::PathBuf,
}

impl PrivateMountNs {
    /// Starts the helper process that holds the namespace.
    pub fn new() -> PrivateMountNs {
        let dir = std::env::temp_dir().join(unique("mnt"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let helper = Helper::start(
            &["--mount", "--propagation", "private"],
            &format!(
                "mount -t tmpfs nsscope-test {d} && touch {d}/marker",
                d = dir.display()
            ),
        );
        PrivateMountNs { helper, dir }
    }

    /// The namespace.
    pub fn namespace(&self) -> nsscope::Namespace {
        nsscope::Namespace::of_pid(self.helper.pid(), nsscope::NsKind::Mnt).expect("open mnt ns")
    }
}

impl Drop for PrivateMountNs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// The descriptors of this process that name the namespace `kind:[inode]`.
pub fn fds_naming(kind: &str, inode: u64) -> Vec<String> {
    let want = format!("{kind}:[{inode}]");
    std::fs::read_dir("/proc/self/fd")
        .expect("list /proc/self/fd")
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let target = std::fs::read_link(entry.path()).ok()?;
            (target.to_str() == Some(want.as_str()))
                .then(|| entry.file_name().to_string_lossy().into_owned())
        })
        .collect()
}
