//! `command`: children that enter namespaces between `fork` and `exec`, and how that meets
//! what std does in the child before it (uid, gid, working directory).

mod common;

use std::os::unix::process::CommandExt;
use std::process::Command;

use common::{PrivateMountNs, thread_net};
use nsscope::{Namespace, NetNs, NsKind};

#[test]
fn command_child_is_in_the_target_namespace() {
    require_root!("command_child_is_in_the_target_namespace");
    let ns = NetNs::new().expect("new netns");
    let mut cmd = Command::new("readlink");
    cmd.arg("/proc/self/ns/net");
    let out = ns.command(cmd).output().expect("run readlink");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("net:[{}]", ns.id().inode())
    );
    // The parent is untouched.
    assert_eq!(
        NetNs::current().expect("current").id().inode(),
        thread_net()
    );
    assert_ne!(thread_net(), ns.id().inode());
}

#[test]
fn command_enters_kinds_refused_in_process() {
    require_root!("command_enters_kinds_refused_in_process");
    // A user namespace owned by a helper process.
    let mut helper = Command::new("unshare")
        .args(["--user", "--map-root-user", "sleep", "30"])
        .spawn()
        .expect("start unshare --user");
    std::thread::sleep(std::time::Duration::from_millis(200));
    let userns = Namespace::of_pid(helper.id(), NsKind::User).expect("open user ns");
    let mut cmd = Command::new("readlink");
    cmd.arg("/proc/self/ns/user");
    let out = userns.command(cmd).output().expect("run readlink");
    let _ = helper.kill();
    let _ = helper.wait();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("user:[{}]", userns.id().inode())
    );
}

#[test]
fn command_looks_up_current_dir_inside_the_mount_namespace() {
    require_root!("command_looks_up_current_dir_inside_the_mount_namespace");
    let private = PrivateMountNs::new();
    let mnt = private.namespace();
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "pwd && ls"]).current_dir(&private.dir);
    let out = mnt.command(cmd).output().expect("run sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [private.dir.to_str().expect("utf-8 path"), "marker"],
        "the child runs in the namespace's {}, where the tmpfs is",
        private.dir.display()
    );

    // A directory that exists only outside (under the tmpfs's mount point, which hides it
    // inside): the spawn fails instead of running elsewhere.
    let outside_only = private.dir.join("outside-only");
    std::fs::create_dir(&outside_only).expect("mkdir");
    let mut cmd = Command::new("true");
    cmd.current_dir(&outside_only);
    let spawned = mnt.command(cmd).status();
    std::fs::remove_dir(&outside_only).expect("rmdir");
    match spawned {
        Err(e) => assert_eq!(e.raw_os_error(), Some(libc::ENOENT), "{e}"),
        Ok(status) => panic!("the child ran elsewhere: {status}"),
    }
}

#[test]
fn command_cannot_be_combined_with_uid_but_spawning_from_run_can() {
    require_root!("command_cannot_be_combined_with_uid_but_spawning_from_run_can");
    const NOBODY: u32 = 65534;
    let ns = NetNs::new().expect("new netns");
    // std calls setuid before pre_exec hooks: by then the child lacks CAP_SYS_ADMIN.
    let mut cmd = Command::new("true");
    cmd.uid(NOBODY).gid(NOBODY);
    match ns.command(cmd).status() {
        Err(e) => assert_eq!(e.raw_os_error(), Some(libc::EPERM), "{e}"),
        Ok(status) => panic!("documented as impossible, yet the child ran: {status}"),
    }

    // Forking from a thread inside the namespace enters first; std then drops privileges.
    let private = PrivateMountNs::new();
    let mnt = private.namespace();
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "id -u && readlink /proc/self/ns/net && ls"])
        .uid(NOBODY)
        .gid(NOBODY)
        .current_dir(&private.dir);
    let out = mnt
        .run(|_| ns.run(|_| cmd.output()))
        .expect("run")
        .expect("run")
        .expect("spawn from inside the namespaces");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .collect::<Vec<_>>(),
        [
            NOBODY.to_string(),
            format!("net:[{}]", ns.id().inode()),
            "marker".to_owned()
        ]
    );
}
