//! run_here aborts when it cannot put the thread back (checked in a child process).

mod common;

use std::os::unix::process::ExitStatusExt;
use std::process::Command;

use nsscope::NetNs;

const MODE: &str = "NSSCOPE_TEST_FAULT_MODE";

/// The child's side: does nothing unless the parent re-ran this binary with `MODE` set.
#[test]
fn fault_child() {
    if std::env::var(MODE).as_deref() != Ok("run_here") {
        return;
    }
    let ns = NetNs::new().expect("new netns");
    let _ = ns.run_here(|_| common::drop_effective_cap_sys_admin());
    eprintln!("UNREACHABLE: run_here returned after a failed restore");
    std::process::exit(3);
}

#[test]
fn run_here_aborts_when_restore_fails() {
    require_root!("run_here_aborts_when_restore_fails");
    let exe = std::env::current_exe().expect("test binary");
    let out = Command::new(exe)
        .args(["--exact", "fault_child", "--nocapture", "--test-threads=1"])
        .env(MODE, "run_here")
        .output()
        .expect("re-run the test binary");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGABRT),
        "the child must abort; status {:?}, stderr:\n{stderr}",
        out.status
    );
    assert!(
        stderr.contains("nsscope: run_here: could not return the thread to its net namespace"),
        "documented message missing:\n{stderr}"
    );
    assert!(stderr.contains("Aborting"), "{stderr}");
    assert!(!stderr.contains("UNREACHABLE"), "{stderr}");
}
