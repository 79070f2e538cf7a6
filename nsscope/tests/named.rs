//! Named network namespaces, managed as `ip netns` manages them.

mod common;

use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::thread_net;
use nsscope::{Error, NetNs};

#[test]
fn named_namespaces_interoperate_with_iproute2() {
    require_root!("named_namespaces_interoperate_with_iproute2");
    // nsscope -> ip
    let name = common::unique("named");
    let ns = NetNs::create_named(&name).expect("create_named");
    assert_eq!(
        ns.path(),
        Some(std::path::Path::new(&format!("/var/run/netns/{name}")))
    );
    assert!(
        common::ip(&["netns", "list"])
            .lines()
            .any(|l| l.split_whitespace().next() == Some(name.as_str())),
        "ip netns list shows {name}"
    );
    let inside = common::ip(&["netns", "exec", &name, "readlink", "/proc/self/ns/net"]);
    assert_eq!(inside.trim(), format!("net:[{}]", ns.id().inode()));
    assert!(NetNs::list_named().expect("list").contains(&name));
    assert_eq!(NetNs::open_named(&name).expect("open_named"), ns);
    match NetNs::create_named(&name) {
        Err(Error::AlreadyExists { .. }) => {}
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    NetNs::remove_named(&name).expect("remove_named");
    assert!(!common::ip(&["netns", "list"]).contains(&name));
    match NetNs::open_named(&name) {
        Err(Error::NotFound { .. }) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
    // The handle keeps the namespace alive after removal.
    assert_eq!(ns.run(|_| thread_net()).expect("run"), ns.id().inode());

    // ip -> nsscope
    let name2 = common::unique("ipadd");
    common::ip(&["netns", "add", &name2]);
    let opened = NetNs::open_named(&name2);
    let inside = common::ip(&["netns", "exec", &name2, "readlink", "/proc/self/ns/net"]);
    common::ip(&["netns", "delete", &name2]);
    let opened = opened.expect("open_named on an ip-made namespace");
    assert_eq!(inside.trim(), format!("net:[{}]", opened.id().inode()));
    assert_eq!(
        opened.run(|_| thread_net()).expect("run"),
        opened.id().inode()
    );

    for bad in ["", ".", "..", "a/b"] {
        match NetNs::create_named(bad) {
            Err(Error::InvalidName { .. }) => {}
            other => panic!("{bad:?}: expected InvalidName, got {other:?}"),
        }
    }
}

/// Whether `path` is a namespace file (a mount of one), by the file system's magic number.
fn is_nsfs(path: &Path) -> bool {
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()) else {
        return false;
    };
    let mut st = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: a valid C string; statfs fills `st` on success.
    let rc = unsafe { libc::statfs(c_path.as_ptr(), st.as_mut_ptr()) };
    // SAFETY: initialised by the successful statfs.
    rc == 0 && unsafe { st.assume_init() }.f_type == libc::NSFS_MAGIC
}

/// Replaces whatever is mounted on `path` by a bind mount of `ns`.
fn mount_over(path: &Path, ns: &NetNs) {
    let source = format!("/proc/self/fd/{}", ns.as_fd().as_raw_fd());
    let source = std::ffi::CString::new(source).expect("source");
    let target = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("target");
    // SAFETY: valid C strings.
    unsafe {
        libc::umount2(target.as_ptr(), libc::MNT_DETACH);
        libc::mount(
            source.as_ptr(),
            target.as_ptr(),
            std::ptr::null(),
            libc::MS_BIND,
            std::ptr::null(),
        );
    }
}

#[test]
fn create_named_returns_the_namespace_it_made_whatever_happens_to_the_name() {
    require_root!("create_named_returns_the_namespace_it_made_whatever_happens_to_the_name");
    let other = NetNs::new().expect("another namespace");
    for _ in 0..100 {
        let name = common::unique("race");
        let path = Path::new("/var/run/netns").join(&name);
        // As soon as the new namespace is mounted under the name, another program deletes it
        // and adds another under the same name.
        let racer = {
            let (path, other) = (path.clone(), other.clone());
            std::thread::spawn(move || {
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
                while !is_nsfs(&path) {
                    if std::time::Instant::now() > deadline {
                        return;
                    }
                    std::hint::spin_loop();
                }
                mount_over(&path, &other);
            })
        };
        let created = NetNs::create_named(&name).expect("create_named");
        racer.join().expect("racer");
        NetNs::remove_named(&name).expect("remove_named");
        assert_ne!(
            created.id(),
            other.id(),
            "create_named handed back the namespace someone else put under the name"
        );
        assert_ne!(created.id().inode(), thread_net());
    }
}

#[test]
fn named_namespaces_use_both_run_directories_where_they_differ() {
    require_root!("named_namespaces_use_both_run_directories_where_they_differ");
    // A system whose /var/run is a directory of its own, not a link to /run.
    let system = common::Helper::start(
        &["--mount", "--propagation", "private"],
        "mount -t tmpfs nsscope-run /run && mount -t tmpfs nsscope-var /var && mkdir /var/run",
    );
    let mnt = nsscope::Namespace::of_pid(system.pid(), nsscope::NsKind::Mnt).expect("mnt");
    let (ours, theirs) = (common::unique("ours"), common::unique("theirs"));
    let seen = mnt
        .run(|_| {
            // The umask belongs to the filesystem context, which this thread has to itself.
            // SAFETY: umask has no preconditions.
            unsafe { libc::umask(0) };
            let created = NetNs::create_named(&ours).expect("create_named");
            let in_var_run = is_nsfs(&Path::new("/var/run/netns").join(&ours));
            let mode = std::fs::metadata("/var/run/netns").map(|m| m.permissions().mode() & 0o7777);
            // As iproute2 keeps a name when built with NETNS_RUN_DIR=/run/netns, as most
            // distributions do.
            std::fs::create_dir_all("/run/netns").expect("mkdir /run/netns");
            std::fs::File::create(Path::new("/run/netns").join(&theirs)).expect("placeholder");
            let other = NetNs::new().expect("netns");
            mount_over(&Path::new("/run/netns").join(&theirs), &other);
            let listed = NetNs::list_named().expect("list_named");
            let opened = NetNs::open_named(&theirs).map(|ns| ns == other);
            let removed = (NetNs::remove_named(&ours), NetNs::remove_named(&theirs));
            let left = NetNs::list_named().expect("list_named");
            drop(created);
            (in_var_run, mode, listed, opened, removed, left)
        })
        .expect("run");
    let (in_var_run, mode, listed, opened, removed, left) = seen;
    assert!(
        in_var_run,
        "created under iproute2's default /var/run/netns"
    );
    assert_eq!(
        mode.expect("/var/run/netns exists"),
        0o755,
        "made 0755, as iproute2 does"
    );
    assert!(
        listed.contains(&ours) && listed.contains(&theirs),
        "{listed:?}"
    );
    assert!(
        opened.expect("open_named in /run/netns"),
        "the name opens its namespace"
    );
    removed.0.expect("remove_named in /var/run/netns");
    removed.1.expect("remove_named in /run/netns");
    assert!(!left.contains(&ours) && !left.contains(&theirs), "{left:?}");
}

/// What `ip netns exec NAME readlink /proc/self/ns/net` prints.
fn net_link_seen_by_ip(name: &str) -> String {
    common::ip(&["netns", "exec", name, "readlink", "/proc/self/ns/net"])
        .trim()
        .to_owned()
}

#[test]
fn attach_names_an_existing_namespace_as_ip_netns_attach_does() {
    require_root!("attach_names_an_existing_namespace_as_ip_netns_attach_does");
    // An anonymous namespace of ours.
    let ns = NetNs::new().expect("new netns");
    let name = common::unique("attach");
    let named = ns.attach_named(&name).expect("attach_named");
    assert_eq!(named, ns);
    assert_eq!(
        named.path(),
        Some(Path::new("/var/run/netns").join(&name).as_path())
    );
    assert_eq!(
        net_link_seen_by_ip(&name),
        format!("net:[{}]", ns.id().inode())
    );
    match NetNs::new().expect("another").attach_named(&name) {
        Err(Error::AlreadyExists { .. }) => {}
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    NetNs::remove_named(&name).expect("remove_named");

    // A process's namespace.
    let process = common::Helper::start(&["--net"], "true");
    let theirs = NetNs::of_pid(process.pid()).expect("of_pid");
    let name = common::unique("attach-pid");
    theirs.attach_named(&name).expect("attach_named");
    drop(process);
    assert_eq!(
        net_link_seen_by_ip(&name),
        format!("net:[{}]", theirs.id().inode()),
        "the name keeps the namespace after its process is gone"
    );
    NetNs::remove_named(&name).expect("remove_named");
}

#[test]
fn a_run_directory_of_your_own_keeps_its_names_apart() {
    require_root!("a_run_directory_of_your_own_keeps_its_names_apart");
    let dir = std::env::temp_dir().join(common::unique("rundir"));
    let run_dir = nsscope::NetnsDir::new(&dir);
    assert_eq!(run_dir.path(), dir);
    let (a, b) = (common::unique("a"), common::unique("b"));
    let created = run_dir.create(&a).expect("create");
    let attached = run_dir
        .attach(&b, &NetNs::new().expect("netns"))
        .expect("attach");
    assert_eq!(created.path(), Some(dir.join(&a).as_path()));
    assert_eq!(run_dir.list().expect("list"), [a.clone(), b.clone()]);
    assert_eq!(run_dir.open(&b).expect("open"), attached);
    assert_eq!(
        std::fs::metadata(&dir).expect("dir").permissions().mode() & 0o777,
        0o755 & !current_umask()
    );
    let system = NetNs::list_named().expect("list_named");
    assert!(!system.contains(&a) && !system.contains(&b), "{system:?}");
    for name in [&a, &b] {
        run_dir.remove(name).expect("remove");
    }
    assert_eq!(run_dir.list().expect("list"), Vec::<String>::new());
    match run_dir.open(&a) {
        Err(Error::NotFound { path }) => assert_eq!(path, dir.join(&a)),
        other => panic!("expected NotFound, got {other:?}"),
    }
    // The directory became a mount point, as iproute2's does: unmount it, then delete it.
    let c_dir = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()).expect("c path");
    // SAFETY: a valid C string.
    assert_eq!(
        unsafe { libc::umount2(c_dir.as_ptr(), libc::MNT_DETACH) },
        0
    );
    std::fs::remove_dir(&dir).expect("rmdir");
    // The handles outlive their names.
    assert_ne!(created.id(), attached.id());
    assert_eq!(
        created.run(|_| thread_net()).expect("run"),
        created.id().inode()
    );
}

/// This process's umask, from `/proc/self/status`.
fn current_umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").expect("status");
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix("Umask:"))
        .expect("Umask line");
    u32::from_str_radix(line.trim(), 8).expect("octal umask")
}
