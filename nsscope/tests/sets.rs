//! Sets of namespaces: several kinds entered together, through a pidfd where possible.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::MetadataExt;
use std::process::{Command, Stdio};

use common::{thread_net, thread_ns};
use nsscope::{Error, Namespace, NetNs, NsKind, NsSet, Scope};

#[test]
fn a_set_enters_a_process_s_net_and_mnt_together() {
    require_root!("a_set_enters_a_process_s_net_and_mnt_together");
    let dir = std::env::temp_dir().join(common::unique("set"));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let process = common::Helper::start(
        &["--net", "--mount", "--propagation", "private"],
        &format!(
            "mount -t tmpfs nsscope-set {d} && touch {d}/marker",
            d = dir.display()
        ),
    );
    let set = NsSet::of_pid(process.pid(), &[NsKind::Net, NsKind::Mnt]).expect("of_pid");
    let (net, mnt) = (
        NetNs::of_pid(process.pid()).expect("net"),
        Namespace::of_pid(process.pid(), NsKind::Mnt).expect("mnt"),
    );
    assert_eq!(set.get(NsKind::Net), Some(net.as_namespace()));
    assert_eq!(set.get(NsKind::Mnt), Some(&mnt));
    let want = (net.id().inode(), mnt.id().inode(), true);
    let host = (thread_net(), thread_ns("mnt"));
    let marker = dir.join("marker");

    let (inside, seen_host) = set
        .run(|h| {
            let seen_host = h.iter().map(|m| m.id().inode()).collect::<Vec<_>>();
            ((thread_net(), thread_ns("mnt"), marker.exists()), seen_host)
        })
        .expect("run");
    assert_eq!(inside, want);
    assert_eq!(
        seen_host,
        [host.0, host.1],
        "host: the caller's net and mnt"
    );

    let m = marker.clone();
    let spawned = set
        .spawn(move |_| (thread_net(), thread_ns("mnt"), m.exists()))
        .expect("spawn")
        .join()
        .expect("join");
    assert_eq!(spawned, want);

    match set.run_here(|_| ()) {
        Err(Error::UnsupportedKind {
            kind: NsKind::Mnt,
            scope: Scope::RunHere,
        }) => {}
        other => panic!("expected UnsupportedKind for mnt, got {other:?}"),
    }
    assert_eq!((thread_net(), thread_ns("mnt")), host);
    assert!(!marker.exists());
    drop(process);
    let _ = std::fs::remove_dir(&dir);
}

#[test]
fn run_here_on_a_set_restores_every_kind() {
    require_root!("run_here_on_a_set_restores_every_kind");
    let process = common::Helper::start(&["--net", "--uts"], "hostname nsscope-set");
    let set = NsSet::of_pid(process.pid(), &[NsKind::Uts, NsKind::Net]).expect("of_pid");
    let host = (thread_net(), thread_ns("uts"));
    let inside = set
        .run_here(|h| {
            assert_eq!(
                h,
                &NsSet::of_pid(std::process::id(), &[NsKind::Net, NsKind::Uts]).expect("host")
            );
            (
                thread_net(),
                thread_ns("uts"),
                set.is_current().expect("is_current"),
            )
        })
        .expect("run_here");
    // The set holds the helper's own namespaces, as the kernel's links name them.
    let members = set
        .iter()
        .map(|m| {
            let name = match m.kind() {
                NsKind::Net => "net",
                NsKind::Uts => "uts",
                other => panic!("a kind the set was not asked for: {other:?}"),
            };
            let link = format!("/proc/{}/ns/{name}", process.pid());
            let inode = std::fs::metadata(&link)
                .expect("stat the helper's link")
                .ino();
            assert_eq!(m.id().inode(), inode, "{link}");
            name
        })
        .collect::<Vec<_>>();
    assert!(
        members.len() == 2 && members.contains(&"net") && members.contains(&"uts"),
        "{members:?}"
    );
    assert_eq!(
        (inside.0, inside.1),
        (
            set.get(NsKind::Net).expect("net").id().inode(),
            set.get(NsKind::Uts).expect("uts").id().inode()
        )
    );
    assert!(inside.2);
    assert_eq!(
        (thread_net(), thread_ns("uts")),
        host,
        "both kinds are back"
    );
    assert!(!set.is_current().expect("is_current"));
}

#[test]
fn a_set_enters_what_it_opened_after_its_process_moves_or_exits() {
    require_root!("a_set_enters_what_it_opened_after_its_process_moves_or_exits");
    // A process that, when told, switches to new net and uts namespaces (exec keeps its pid).
    let mut process = Command::new("unshare")
        .args([
            "--net",
            "--uts",
            "sh",
            "-c",
            "echo ready; read _; exec unshare --net --uts sleep 60",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start unshare");
    let mut ready = String::new();
    BufReader::new(process.stdout.as_mut().expect("stdout"))
        .read_line(&mut ready)
        .expect("ready");
    let pid = process.id();
    let set = NsSet::of_pid(pid, &[NsKind::Net, NsKind::Uts]).expect("of_pid");
    let opened = NetNs::of_pid(pid).expect("net").id().inode();
    writeln!(process.stdin.as_mut().expect("stdin")).expect("tell it to move");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while NetNs::of_pid(pid).expect("net").id().inode() == opened {
        assert!(
            std::time::Instant::now() < deadline,
            "the process never moved"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let want = (opened, set.get(NsKind::Uts).expect("uts").id().inode());
    let after_move = set.run(|_| (thread_net(), thread_ns("uts"))).expect("run");
    assert_eq!(
        after_move, want,
        "entered what the set opened, not where the process went"
    );

    let _ = process.kill();
    let _ = process.wait();
    let after_exit = set.run(|_| (thread_net(), thread_ns("uts"))).expect("run");
    assert_eq!(after_exit, want, "the set's handles outlive the process");
}

#[test]
fn command_enters_every_kind_of_a_set_user_first() {
    require_root!("command_enters_every_kind_of_a_set_user_first");
    let process = common::Helper::start(&["--user", "--map-root-user", "--net"], "true");
    let set = NsSet::of_pid(process.pid(), &[NsKind::Net, NsKind::User]).expect("of_pid");
    assert_eq!(
        set.iter().map(Namespace::kind).collect::<Vec<_>>(),
        [NsKind::User, NsKind::Net],
        "user first: it grants the rights for the others"
    );
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "readlink /proc/self/ns/user /proc/self/ns/net"]);
    let out = set.command(cmd).output().expect("run sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want: Vec<String> = set.iter().map(|m| m.to_string()).collect();
    let got: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(got, want);
}

#[test]
fn sets_refuse_kinds_threads_cannot_enter_and_two_of_a_kind() {
    let set = NsSet::current(&[NsKind::Net, NsKind::User, NsKind::Net]).expect("current");
    assert_eq!(set.iter().count(), 2, "kinds are taken once");
    match set.run(|_| ()) {
        Err(
            e @ Error::UnsupportedKind {
                kind: NsKind::User,
                scope: Scope::Run,
            },
        ) => assert!(e.to_string().contains("`command`"), "{e}"),
        other => panic!("expected UnsupportedKind for user, got {other:?}"),
    }
    let uts = Namespace::current(NsKind::Uts).expect("uts");
    match NsSet::new([uts.clone(), uts]) {
        Err(Error::DuplicateKind { kind: NsKind::Uts }) => {}
        other => panic!("expected DuplicateKind, got {other:?}"),
    }
}
