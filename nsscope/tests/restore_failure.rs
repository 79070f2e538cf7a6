//! run_here aborts when it cannot put the thread back (checked in child processes).

mod common;

use std::io::Write;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::{Command, Output, Stdio};

use nsscope::NetNs;

const MODE: &str = "NSSCOPE_TEST_FAULT_MODE";
/// The child's exit code when `run_here` came back (by return or by unwinding).
const CAME_BACK: i32 = 3;

/// The child's side: does nothing unless the parent re-ran this binary with `MODE` set.
#[test]
fn fault_child() {
    if std::env::var(MODE).as_deref() != Ok("run_here") {
        return;
    }
    let ns = NetNs::new().expect("new netns");
    // A caller that catches panics, as servers and test harnesses do: a panic from the failed
    // restore must not bring the thread back here.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        ns.run_here(|_| common::drop_effective_cap_sys_admin())
    }));
    // Not `eprintln!`: it panics when stderr is a closed pipe.
    let _ = writeln!(
        std::io::stderr(),
        "UNREACHABLE: run_here came back after a failed restore"
    );
    std::process::exit(CAME_BACK);
}

/// Re-runs this binary as the fault child, with `stderr` as its standard error.
fn run_fault_child(stderr: Stdio) -> Output {
    let exe = std::env::current_exe().expect("test binary");
    Command::new(exe)
        .args(["--exact", "fault_child", "--nocapture", "--test-threads=1"])
        .env(MODE, "run_here")
        .stdout(Stdio::null())
        .stderr(stderr)
        .output()
        .expect("re-run the test binary")
}

#[test]
fn run_here_aborts_when_restore_fails() {
    require_root!("run_here_aborts_when_restore_fails");
    let out = run_fault_child(Stdio::piped());
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
    assert!(stderr.contains("CAP_SYS_ADMIN"), "{stderr}");
    assert!(stderr.contains("Aborting"), "{stderr}");
    assert!(!stderr.contains("UNREACHABLE"), "{stderr}");
}

#[test]
fn run_here_aborts_when_restore_fails_and_stderr_is_a_closed_pipe() {
    require_root!("run_here_aborts_when_restore_fails_and_stderr_is_a_closed_pipe");
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two fds on success.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2: {}", std::io::Error::last_os_error());
    // SAFETY: fresh fds owned by nobody else.
    let (read_end, write_end) =
        unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // Nobody will ever read: every write to the child's stderr fails with EPIPE.
    drop(read_end);
    let out = run_fault_child(Stdio::from(write_end));
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGABRT),
        "the child must abort even when writing the message fails; status {:?} \
         (exit code {CAME_BACK}: run_here came back)",
        out.status
    );
}
