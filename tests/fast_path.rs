//! The fast path (issue 7): packages that a byte scan rules out are not analysed, and that
//! never changes what is found. Every fixture gives the same diagnostics and suppressions with
//! and without it, and a package that reaches namespace code only through a workspace
//! dependency — or that provides the helper a switched caller reaches — is still analysed.

mod fast_path_support;

use fast_path_support::{Way, rendered, run};
use nslint::discover::{CargoSelection, Workspace, discover_cargo, discover_paths};
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn cargo_workspace(root: &Path) -> Workspace {
    let selection = CargoSelection {
        manifest_path: Some(root.join("Cargo.toml")),
        workspace: true,
        current_dir: root.to_path_buf(),
        ..CargoSelection::default()
    };
    discover_cargo(&selection).expect("cargo metadata")
}

#[test]
fn fast_path_finds_what_a_full_run_finds_on_every_fixture() {
    let mut workspaces = vec![(
        "demo".to_owned(),
        cargo_workspace(&fixtures_dir().join("demo")),
    )];
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures_dir().join("cases"))
        .expect("fixtures/cases exists")
        .map(|e| e.expect("entry").path())
        .collect();
    cases.sort();
    // A file case alone in a directory of its own: a loose file's modules are looked for
    // beside it, and the other cases' code must not keep its bodies for it.
    let isolated = tempfile::tempdir().expect("tempdir");
    for case in cases {
        let name = case.display().to_string();
        let path = match case.file_name().filter(|_| case.is_file()) {
            Some(file) => {
                let dir = isolated.path().join(file);
                std::fs::create_dir_all(&dir).expect("mkdir");
                std::fs::copy(&case, dir.join(file)).expect("copy");
                dir.join(file)
            }
            None => case,
        };
        workspaces.push((name, discover_paths(std::slice::from_ref(&path))));
    }
    let mut compared = 0;
    for (name, workspace) in &workspaces {
        let full = rendered(&run(workspace, Way::Full));
        for way in [Way::Fast, Way::Planned] {
            let fast = rendered(&run(workspace, way));
            assert_eq!(
                fast, full,
                "{name}: the fast path ({way:?}) changed the findings"
            );
        }
        compared += usize::from(!full.is_empty());
    }
    assert!(compared >= 10, "only {compared} fixtures had findings");
}

/// Writes a file, creating its directories.
fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn package(root: &Path, name: &str, deps: &[&str], lib: &str) {
    let mut manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n"
    );
    for dep in deps {
        manifest.push_str(&format!("{dep} = {{ path = \"../{dep}\" }}\n"));
    }
    write(root, &format!("{name}/Cargo.toml"), &manifest);
    write(root, &format!("{name}/src/lib.rs"), lib);
}

/// A workspace where `app` reaches namespace code only through its dependency `nshelp`,
/// which needs `sockutil`'s summaries; `unrelated` has nothing to do with either.
fn reaching_workspace(root: &Path) {
    write(
        root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"nshelp\", \"sockutil\", \"unrelated\"]\nresolver = \"2\"\n",
    );
    // No namespace code: only opens a socket. Needed for the summaries of `nshelp`.
    package(
        root,
        "sockutil",
        &[],
        "pub fn open_probe() -> std::io::Result<std::net::UdpSocket> {\n    \
         std::net::UdpSocket::bind(\"0.0.0.0:0\")\n}\n",
    );
    // Switches, and returns switched: an `enter` wrapper.
    package(
        root,
        "nshelp",
        &["sockutil"],
        "use std::os::fd::RawFd;\n\n\
         pub fn enter(fd: RawFd) -> std::io::Result<()> {\n    \
         if unsafe { libc::setns(fd, libc::CLONE_NEWNET) } == -1 {\n        \
         return Err(std::io::Error::last_os_error());\n    }\n    Ok(())\n}\n\n\
         pub fn probe_inside(fd: RawFd, host: RawFd) -> std::io::Result<()> {\n    \
         enter(fd)?;\n    let _socket = sockutil::open_probe()?;\n    \
         enter(host)\n}\n",
    );
    // No namespace code in its text: reaches it through `nshelp`.
    package(
        root,
        "app",
        &["nshelp"],
        "pub fn configure(fd: i32, host: i32) -> std::io::Result<()> {\n    \
         nshelp::enter(fd)?;\n    route()?;\n    nshelp::enter(host)\n}\n\n\
         fn route() -> std::io::Result<()> {\n    Ok(())\n}\n",
    );
    package(
        root,
        "unrelated",
        &[],
        "pub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n",
    );
}

#[test]
fn packages_reaching_namespace_code_through_dependencies_are_analysed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    reaching_workspace(root);
    let workspace = cargo_workspace(root);
    let fast = run(&workspace, Way::Fast);
    let full = run(&workspace, Way::Full);
    assert_eq!(rendered(&fast), rendered(&full));
    let files: Vec<String> = fast
        .db
        .iter()
        .map(|(_, f)| f.display_name.clone())
        .collect();
    for analysed in ["app/src/lib.rs", "nshelp/src/lib.rs", "sockutil/src/lib.rs"] {
        assert!(
            files.iter().any(|f| f == analysed),
            "{analysed} in {files:?}"
        );
    }
    assert!(
        !files.iter().any(|f| f.starts_with("unrelated/")),
        "the unrelated package is skipped: {files:?}"
    );
    let lints_in = |file: &str| -> Vec<&str> {
        fast.diagnostics
            .iter()
            .filter_map(|d| {
                let p = d.primary.as_ref()?;
                (fast.db.get(p.span.file).display_name == file)
                    .then(|| d.lint_ref().map(|l| l.name))
                    .flatten()
            })
            .collect()
    };
    assert!(
        lints_in("app/src/lib.rs").contains(&"switch_without_restore"),
        "the dependent's leak is found: {:?}",
        rendered(&fast)
    );
    assert!(
        lints_in("nshelp/src/lib.rs").contains(&"switch_without_restore"),
        "the dependency's own leak is found: {:?}",
        rendered(&fast)
    );
    assert!(
        rendered(&fast)
            .iter()
            .any(|d| d.contains("name: \"raw_namespace_switch\"")
                && d.contains("in the region this switch opens: binds a UDP socket")),
        "the dependency's socket is seen through its summary: {:?}",
        rendered(&fast)
    );
}

/// `--timings` says why each package is analysed (issue 19), and leaves out the others.
#[test]
fn timings_say_why_each_package_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    reaching_workspace(root);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-nslint"))
        .args([
            "--workspace",
            "--no-cache",
            "--timings",
            "--message-format=short",
        ])
        .current_dir(root)
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut kept: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("nslint-kept: "))
        .collect();
    kept.sort_unstable();
    assert_eq!(
        kept,
        [
            "app depends on `nshelp`",
            "nshelp `setns` in nshelp/src/lib.rs",
            "sockutil a dependency of `nshelp`",
        ],
        "{stderr}"
    );
}

/// Hollowing (issue 7) blanks the bodies that cannot matter before parsing. A workspace whose
/// namespace code reaches ordinary code in every way names can travel — a helper chain across
/// crates, a renamed import, a type alias, a struct field, a glob of an escaping module, a
/// forwarder to a thread API, a method in an `impl` inside a function, a crate macro, a guard's
/// `Drop` — gives the same findings with hollowing as without, while ordinary bodies are
/// blanked.
#[test]
fn hollowed_bodies_never_change_what_is_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"nsx\", \"util\"]\nresolver = \"2\"\n",
    );
    package(
        root,
        "util",
        &[],
        "pub fn open_probe() -> std::io::Result<std::net::UdpSocket> {\n    \
         std::net::UdpSocket::bind(\"0.0.0.0:0\")\n}\n\
         pub fn probe_twice() -> std::io::Result<()> {\n    open_probe()?;\n    open_probe().map(drop)\n}\n\
         pub fn in_thread<F: FnOnce() + Send + 'static>(f: F) {\n    std::thread::spawn(f);\n}\n\
         pub fn checksum(data: &[u8]) -> u32 {\n    data.iter().map(|b| u32::from(*b)).sum()\n}\n\
         pub fn unrelated_socket() -> std::io::Result<std::net::TcpListener> {\n    \
         std::net::TcpListener::bind(\"0.0.0.0:0\")\n}\n",
    );
    package(
        root,
        "nsx",
        &["util"],
        "use std::os::fd::RawFd;\nmod child;\n\
         pub type Probe = std::net::UdpSocket;\n\
         pub struct Pod { pub sock: Probe, pub fd: RawFd }\n\
         pub struct Guard(RawFd);\n\
         impl Drop for Guard {\n    fn drop(&mut self) {\n        \
         unsafe { libc::setns(self.0, libc::CLONE_NEWNET) };\n    }\n}\n\
         pub fn enter(fd: RawFd) -> std::io::Result<Guard> {\n    \
         if unsafe { libc::setns(fd, libc::CLONE_NEWNET) } == -1 {\n        \
         return Err(std::io::Error::last_os_error());\n    }\n    Ok(Guard(3))\n}\n\
         pub fn enter_raw(fd: RawFd) -> std::io::Result<()> {\n    \
         if unsafe { libc::setns(fd, libc::CLONE_NEWNET) } == -1 {\n        \
         return Err(std::io::Error::last_os_error());\n    }\n    Ok(())\n}\n\
         pub fn pod_enter(fd: RawFd) -> std::io::Result<()> {\n    enter_raw(fd)\n}\n\
         macro_rules! inside {\n    ($fd:expr, $body:block) => {{\n        \
         let _g = enter($fd)?;\n        $body\n    }};\n}\n\
         pub fn with_macro(fd: RawFd) -> std::io::Result<()> {\n    \
         inside!(fd, { util::probe_twice()?; });\n    Ok(())\n}\n\
         pub fn from_field(pod: &Pod) -> std::io::Result<()> {\n    \
         let _g = enter(pod.fd)?;\n    pod.sock.send(b\"x\")?;\n    Ok(())\n}\n\
         pub fn nested(fd: RawFd) {\n    struct Local;\n    impl Local {\n        \
         pub fn hop(&self, fd: RawFd) { let _ = enter_raw(fd); }\n    }\n    Local.hop(fd);\n}\n\
         pub fn spawned(fd: RawFd) {\n    \
         util::in_thread(move || { let _ = enter_raw(fd); });\n}\n\
         pub fn forked() {\n    \
         child::in_child(|| { unsafe { libc::unshare(libc::CLONE_NEWUSER) }; });\n}\n\
         pub fn ordinary(n: u32) -> u32 {\n    n * 2 + util::checksum(b\"abc\")\n}\n",
    );
    package(
        root,
        "app",
        &["nsx", "util"],
        "use nsx::pod_enter as go_in;\nuse util::open_probe as probe;\n\
         pub fn configure(fd: i32, host: i32) -> std::io::Result<()> {\n    \
         go_in(fd)?;\n    let _s = probe()?;\n    relay()?;\n    go_in(host)\n}\n\
         fn relay() -> std::io::Result<()> {\n    util::probe_twice()\n}\n\
         pub fn balanced(fd: i32) -> std::io::Result<()> {\n    \
         let _g = nsx::enter(fd)?;\n    Ok(())\n}\n\
         pub fn report(n: u32) -> String {\n    format!(\"{}\", nsx::ordinary(n))\n}\n\
         pub fn serve() -> std::io::Result<()> {\n    util::unrelated_socket().map(drop)\n}\n",
    );
    // A helper in another module that runs its closure in a forked child, as container
    // runtimes' test utilities do: its body must be kept for the closure to get the child's
    // context, where a user namespace may be entered.
    write(
        root,
        "nsx/src/child.rs",
        "pub fn in_child<F>(f: F)\nwhere\n    F: FnOnce() + std::panic::UnwindSafe,\n{\n    \
         match unsafe { nix::unistd::fork() } {\n        \
         Ok(nix::unistd::ForkResult::Child) => {\n            \
         let _ = std::panic::catch_unwind(f);\n            std::process::exit(0);\n        }\n        \
         _ => {}\n    }\n}\n",
    );
    let workspace = cargo_workspace(root);
    let hollowed = run(&workspace, Way::Planned);
    let fast = rendered(&hollowed);
    let full = rendered(&run(&workspace, Way::Full));
    assert_eq!(fast, full, "hollowing changed the findings");
    assert!(
        full.iter().filter(|d| d.contains("Lint")).count() >= 4,
        "the workspace has findings to keep: {full:?}"
    );
    assert!(
        !full
            .iter()
            .any(|d| d.contains("\"thread_unsafe_namespace_kind\"")),
        "the forked closure enters its user namespace in the child: {full:?}"
    );
    // And bodies were blanked: the ordinary ones, not the ones the findings go through.
    let files = [
        "util/src/lib.rs",
        "nsx/src/lib.rs",
        "nsx/src/child.rs",
        "app/src/lib.rs",
    ];
    let sources: Vec<(PathBuf, String)> = files
        .iter()
        .map(|p| {
            let path = root.join(p);
            let text = std::fs::read_to_string(&path).expect("read");
            (path, text)
        })
        .collect();
    let plan = &hollowed
        .vouching
        .as_ref()
        .expect("the plan parsed with")
        .plan;
    let blanked: Vec<String> = sources
        .iter()
        .flat_map(|(path, text)| {
            plan.blanks_of(path)
                .iter()
                .map(|r| text[r.clone()].trim().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    for ordinary in ["data.iter()", "n * 2", "format!", "unrelated_socket"] {
        assert!(
            blanked.iter().any(|b| b.contains(ordinary)),
            "`{ordinary}` blanked: {blanked:?}"
        );
    }
    // Only blanked bodies spell `checksum` and `ordinary`: they go whole, signature included.
    for whole in ["pub fn checksum(data: &[u8])", "pub fn ordinary(n: u32)"] {
        assert!(
            blanked.iter().any(|b| b.starts_with(whole)),
            "`{whole}` left out whole: {blanked:?}"
        );
    }
    for kept in [
        "UdpSocket::bind",
        "open_probe()?",
        "std::thread::spawn",
        "nix::unistd::fork()",
        "enter_raw(fd)",
    ] {
        assert!(
            !blanked.iter().any(|b| b.contains(kept)),
            "`{kept}` kept: {blanked:?}"
        );
    }
}

/// Packages analysed only for their dependents' summaries are loaded when a region reads one
/// of their functions, however it is reached: two calls down through a dependency, through a
/// re-export under another name, and through a method on another package's return value.
#[test]
fn dependencies_are_loaded_when_a_region_reads_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"pod\", \"relay\", \"sockets\", \"kinds\", \"idle\"]\nresolver = \"2\"\n",
    );
    package(
        root,
        "sockets",
        &[],
        "pub struct Probe;\n\
         impl Probe {\n    pub fn bind(&self) -> std::io::Result<std::net::UdpSocket> {\n        \
         std::net::UdpSocket::bind(\"0.0.0.0:0\")\n    }\n}\n\
         mod inner {\n    pub fn open() -> std::io::Result<std::net::TcpListener> {\n        \
         std::net::TcpListener::bind(\"0.0.0.0:0\")\n    }\n}\n\
         pub use inner::open as listen;\n",
    );
    package(
        root,
        "kinds",
        &["sockets"],
        "pub fn probe() -> sockets::Probe {\n    sockets::Probe\n}\n",
    );
    package(
        root,
        "relay",
        &["sockets"],
        "pub fn forward() -> std::io::Result<()> {\n    sockets::listen().map(drop)\n}\n",
    );
    package(
        root,
        "idle",
        &[],
        "pub fn unused() -> std::io::Result<std::net::UdpSocket> {\n    \
         std::net::UdpSocket::bind(\"0.0.0.0:0\")\n}\n",
    );
    package(
        root,
        "pod",
        &["relay", "kinds", "idle"],
        "pub fn configure(fd: i32, host: i32) -> std::io::Result<()> {\n    \
         unsafe { libc::setns(fd, libc::CLONE_NEWNET) };\n    relay::forward()?;\n    \
         let _s = kinds::probe().bind()?;\n    \
         unsafe { libc::setns(host, libc::CLONE_NEWNET) };\n    Ok(())\n}\n\
         pub fn elsewhere() -> std::io::Result<()> {\n    idle::unused().map(drop)\n}\n",
    );
    let workspace = cargo_workspace(root);
    let hollowed = run(&workspace, Way::Planned);
    let fast = rendered(&hollowed);
    let full = rendered(&run(&workspace, Way::Full));
    assert_eq!(fast, full, "lazy dependencies changed the findings");
    for what in ["binds a TCP listener", "binds a UDP socket"] {
        assert!(
            full.iter()
                .any(|d| d.contains("name: \"unscoped_namespace_op\"")
                    && d.contains(&format!("after an unchecked switch: {what}"))),
            "the region's call that {what} is seen: {full:?}"
        );
    }
    let read: Vec<String> = hollowed
        .db
        .iter()
        .map(|(_, f)| f.display_name.clone())
        .collect();
    assert!(
        !read.iter().any(|f| f.starts_with("idle/")),
        "no region reads `idle`: {read:?}"
    );
}
