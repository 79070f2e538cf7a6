//! Hostile input (issue 8): files that are not UTF-8, byte-order marks, CRLF, huge and deeply
//! nested files, symbolic-link loops, dangling links, unreadable files and directories, FIFOs,
//! modules that are missing or directories, module paths into `/proc`, and a panic injected
//! into one file. nslint must never crash, hang or stop early: each problem is a diagnostic
//! and the rest of the input is still linted.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A file with one finding of each of two lints, on line 2.
const GOOD: &str = "fn main() {\n    unsafe { libc::setns(0, libc::CLONE_NEWNET) };\n}\n";

/// Runs the binary in `dir` with `args` and extra environment, killing it after `limit`.
fn run(dir: &Path, args: &[&str], env: &[(&str, &str)], limit: Duration) -> Output {
    wait(command(dir, args, env), args, limit)
}

/// The binary in `dir` with `args` and extra environment, its output piped.
fn command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-nslint"));
    command
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("NSLINT_INJECT_PANIC");
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

/// Runs `command` (the binary with `args`), killing it after `limit`.
fn wait(mut command: Command, args: &[&str], limit: Duration) -> Output {
    let mut child = command.spawn().expect("the binary starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("nslint {args:?} did not finish within {limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

fn lint(dir: &Path, args: &[&str]) -> Output {
    run(dir, args, &[], Duration::from_secs(120))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Exit status 0, 1 or 2 (never a signal or a panic's 101), and no panic message.
fn assert_clean_exit(output: &Output) -> i32 {
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("panicked"), "a panic: {stderr}");
    assert!(!stderr.contains("overflow"), "a stack overflow: {stderr}");
    let code = output.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "exit status {:?}; stderr: {stderr}",
        output.status
    );
    code.unwrap_or(-1)
}

/// JSON messages on stdout.
fn messages(output: &Output) -> Vec<serde_json::Value> {
    text(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// (file, line, message) of the primary span of each JSON message with a span.
fn located(output: &Output) -> Vec<(String, u64, String)> {
    messages(output)
        .iter()
        .filter_map(|m| {
            let message = &m["message"];
            let span = message["spans"].as_array()?.first()?.clone();
            Some((
                span["file_name"].as_str()?.to_owned(),
                span["line_start"].as_u64()?,
                message["message"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// Whether the good file `name` was linted: its raw switch on line 2 is reported.
fn linted(output: &Output, name: &str) -> bool {
    located(output)
        .iter()
        .any(|(file, line, message)| file == name && *line == 2 && message.contains("setns"))
}

fn write(dir: &Path, rel: &str, contents: impl AsRef<[u8]>) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(path, contents).expect("write");
}

#[test]
fn a_file_that_is_not_utf8_is_reported_with_its_line_and_the_others_are_linted() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "good.rs", GOOD);
    write(
        dir.path(),
        "latin1.rs",
        b"// caf\xe9\nfn f() {}\n// line 3 \xff\xfe\n".as_slice(),
    );
    let output = lint(dir.path(), &["--message-format", "json", "."]);
    assert_eq!(assert_clean_exit(&output), 1);
    let all = text(&output.stdout);
    assert!(
        all.contains("couldn't read `latin1.rs`")
            && all.contains("invalid byte at offset 6, line 1"),
        "{all}"
    );
    assert!(linted(&output, "good.rs"), "{all}");
}

#[test]
fn a_byte_order_mark_and_crlf_endings_keep_lines_columns_and_offsets_right() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = "\u{feff}fn f() {\r\n    let _x = 1;\r\n    unsafe { libc::setns(0, libc::CLONE_NEWNET) };\r\n}\r\n";
    write(dir.path(), "bom_crlf.rs", source);
    write(dir.path(), "crlf.rs", &source[3..]);
    let output = lint(dir.path(), &["--message-format", "json", "."]);
    assert_eq!(assert_clean_exit(&output), 1);
    let mut seen = 0;
    for message in messages(&output) {
        let span = &message["message"]["spans"][0];
        let file = span["file_name"].as_str().expect("file name");
        assert_eq!(span["line_start"], 3, "{message}");
        assert_eq!(span["line_end"], 3, "{message}");
        assert_eq!(span["column_start"], 14, "{message}");
        assert_eq!(span["column_end"], 48, "{message}");
        let shown = span["text"][0]["text"].as_str().expect("text");
        assert!(
            !shown.contains('\r'),
            "a carriage return is shown: {shown:?}"
        );
        assert_eq!(shown, "    unsafe { libc::setns(0, libc::CLONE_NEWNET) };");
        // Byte offsets are into the file on disk, byte-order mark included, as rustc's are.
        let on_disk = fs::read(dir.path().join(file)).expect("read");
        let start = span["byte_start"].as_u64().expect("byte_start") as usize;
        let end = span["byte_end"].as_u64().expect("byte_end") as usize;
        assert_eq!(
            &on_disk[start..end],
            b"libc::setns(0, libc::CLONE_NEWNET)".as_slice(),
            "{file}: byte offsets into the file on disk"
        );
        seen += 1;
    }
    assert_eq!(seen, 4, "two findings in each file");
    let human = lint(dir.path(), &["--color", "never", "."]);
    let stderr = text(&human.stderr);
    assert!(stderr.contains("--> bom_crlf.rs:3:14"), "{stderr}");
    assert!(stderr.contains("--> crlf.rs:3:14"), "{stderr}");
}

#[test]
fn a_50_mb_file_is_refused_quickly_and_the_rest_is_linted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let line = "fn f0000000(fd: i32) -> i32 { let x = fd + 1; if x > 2 { return x * 2; } x }\n";
    let mut big = String::with_capacity(50 * 1024 * 1024 + line.len());
    let mut i = 0u32;
    while big.len() < 50 * 1024 * 1024 {
        big.push_str(&line.replacen("0000000", &format!("{i:07}"), 1));
        i += 1;
    }
    write(dir.path(), "generated.rs", &big);
    drop(big);
    write(dir.path(), "good.rs", GOOD);
    let started = Instant::now();
    let output = run(
        dir.path(),
        &["--message-format", "json", "."],
        &[],
        Duration::from_secs(60),
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(assert_clean_exit(&output), 1);
    let all = text(&output.stdout);
    assert!(
        all.contains("couldn't read `generated.rs`: it is too large"),
        "{all}"
    );
    assert!(linted(&output, "good.rs"), "{all}");
}

/// Files nested 100 000 deep in every way syn (or a walk over its tree) recurses.
fn deep_files(n: usize) -> Vec<(&'static str, String)> {
    vec![
        (
            "parens.rs",
            format!(
                "fn f() {{ let x = {}1{}; }}\n",
                "(".repeat(n),
                ")".repeat(n)
            ),
        ),
        (
            "blocks.rs",
            format!("fn f() {}{}\n", "{".repeat(n), "}".repeat(n)),
        ),
        (
            "brackets.rs",
            format!(
                "fn f() {{ let x = {}1{}; }}\n",
                "[".repeat(n),
                "]".repeat(n)
            ),
        ),
        (
            "unary.rs",
            format!("fn f() {{ let x = {}y; }}\n", "!".repeat(n)),
        ),
        (
            "binary.rs",
            format!("fn f() {{ let x = {}1; }}\n", "1 + ".repeat(n)),
        ),
        (
            "else_if.rs",
            format!("fn f() {{ if a {{}}{} }}\n", " else if a {}".repeat(n)),
        ),
        (
            "method.rs",
            format!("fn f() {{ y{}; }}\n", ".a()".repeat(n)),
        ),
        (
            "assign.rs",
            format!("fn f() {{ {}1; }}\n", "a = ".repeat(n)),
        ),
        (
            "closures.rs",
            format!("fn f() {{ let c = {}1; }}\n", "|| ".repeat(n)),
        ),
        ("refs.rs", format!("fn f(x: {}u8) {{}}\n", "& ".repeat(n))),
        (
            "generics.rs",
            format!("fn f(x: {}u8{}) {{}}\n", "V<".repeat(n), ">".repeat(n)),
        ),
        (
            "mods.rs",
            format!("{}{}\n", "mod a { ".repeat(n), "}".repeat(n)),
        ),
        ("tries.rs", format!("fn f() {{ y{}; }}\n", "?".repeat(n))),
        (
            "generic_lists.rs",
            format!("fn f(x: {}u8{}) {{}}\n", "X<A, & ".repeat(n), ">".repeat(n)),
        ),
        (
            "closure_lists.rs",
            format!("fn f() {{ let c = {}1; }}\n", "|a, b| !".repeat(n)),
        ),
        (
            "macro.rs",
            format!(
                "fn f() {{ println!(\"{{}}\", {}1{}); }}\n",
                "(".repeat(n),
                ")".repeat(n)
            ),
        ),
    ]
}

#[test]
fn code_nested_100_000_deep_is_too_deeply_nested_not_a_stack_overflow() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = deep_files(100_000);
    for (name, source) in &files {
        write(dir.path(), name, source);
    }
    write(dir.path(), "good.rs", GOOD);
    // Hollowing off, so that the deep bodies (which cannot matter) reach the parser too.
    let output = run(
        dir.path(),
        &["--message-format", "json", "."],
        &[("NSLINT_NO_FAST_PATH", "1")],
        Duration::from_secs(120),
    );
    // good.rs's unchecked switch is an error; the deep files are warnings (`unanalyzed_code`).
    assert_eq!(assert_clean_exit(&output), 1);
    let found = located(&output);
    for (name, _) in &files {
        assert!(
            found
                .iter()
                .any(|(file, _, message)| file == name && message.contains("too deeply nested")),
            "{name} is not reported as too deeply nested: {found:?}"
        );
    }
    assert!(linted(&output, "good.rs"), "{found:?}");
}

/// With hollowing (the default), nesting inside a body that cannot matter never reaches the
/// parser: the rest of the file is analysed instead of the whole file being refused.
#[test]
fn deep_code_in_bodies_that_cannot_matter_is_skipped_and_the_rest_analysed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deep = format!(
        "fn f() {{ let x = {}1{}; }}\n{GOOD}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    write(dir.path(), "mixed.rs", &deep);
    let output = lint(dir.path(), &["--message-format", "json", "."]);
    assert_eq!(assert_clean_exit(&output), 1);
    let found = located(&output);
    assert!(
        !found
            .iter()
            .any(|(_, _, m)| m.contains("too deeply nested")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(file, _, m)| file == "mixed.rs" && m.contains("raw namespace switch")),
        "the switch after the deep body is found: {found:?}"
    );
}

#[test]
fn code_nested_just_within_the_limit_is_analysed_on_a_large_enough_stack() {
    // The most expensive constructs per level of nesting, as deep as the limit lets them go,
    // with a raw switch at the bottom that must be found.
    let switch = "unsafe { libc::setns(0, libc::CLONE_NEWNET) };";
    // A group counts one in its parent and GROUP_WEIGHT for its contents.
    let levels = nslint::nesting::MAX_NESTING / (nslint::nesting::GROUP_WEIGHT + 1) - 5;
    let files = [
        (
            "ifs.rs",
            format!(
                "fn f() {{ {}{switch}{} }}\n",
                "if a { ".repeat(levels / 2),
                "}".repeat(levels / 2)
            ),
        ),
        (
            "blocks.rs",
            format!(
                "fn f() {}{switch}{}\n",
                "{".repeat(levels),
                "}".repeat(levels)
            ),
        ),
        (
            "closures.rs",
            format!(
                "fn f() {{ {}{switch}{} }}\n",
                "std::thread::spawn(move || { ".repeat(levels / 4),
                "});".repeat(levels / 4)
            ),
        ),
        (
            "else_if.rs",
            format!(
                "fn f() {{ if a {{}}{} else {{ {switch} }} }}\n",
                " else if a {}".repeat(nslint::nesting::MAX_NESTING / 8)
            ),
        ),
        (
            "unary.rs",
            format!(
                "fn f() {{ let x = {}y; {switch} }}\n",
                "!".repeat(nslint::nesting::MAX_NESTING - 20)
            ),
        ),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, source) in &files {
        write(dir.path(), name, source);
    }
    let output = lint(dir.path(), &["--message-format", "json", "."]);
    assert_eq!(assert_clean_exit(&output), 1);
    let found = located(&output);
    for (name, _) in &files {
        assert!(
            found.iter().any(|(file, line, message)| file == name
                && *line == 1
                && message.contains("setns")),
            "the switch in {name} is not found: {found:?}"
        );
        assert!(
            !found
                .iter()
                .any(|(file, _, message)| file == name && message.contains("too deeply")),
            "{name} is refused"
        );
    }
}

#[cfg(unix)]
#[test]
fn symbolic_link_loops_and_dangling_links_are_reported_in_path_mode() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "good.rs", GOOD);
    symlink(".", dir.path().join("self_loop")).expect("symlink");
    fs::create_dir(dir.path().join("sub")).expect("mkdir");
    symlink("..", dir.path().join("sub/up")).expect("symlink");
    symlink("b_link", dir.path().join("a_link")).expect("symlink");
    symlink("a_link", dir.path().join("b_link")).expect("symlink");
    symlink("nowhere.rs", dir.path().join("dangling.rs")).expect("symlink");
    let output = lint(dir.path(), &["--message-format", "json", "."]);
    assert_eq!(assert_clean_exit(&output), 1);
    let all = text(&output.stdout);
    assert!(all.contains("self_loop: symbolic link loop"), "{all}");
    assert!(all.contains("sub/up: symbolic link loop"), "{all}");
    assert!(all.contains("dangling.rs: dangling symbolic link"), "{all}");
    assert!(linted(&output, "good.rs"), "{all}");
    // Given explicitly, the dangling link and the two-link cycle are reported too.
    let output = lint(
        dir.path(),
        &["--message-format", "json", "dangling.rs", "a_link"],
    );
    assert_clean_exit(&output);
    let all = text(&output.stdout);
    assert!(all.contains("path `dangling.rs` does not exist"), "{all}");
    assert!(all.contains("cannot read `a_link`"), "{all}");
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// For a child of root: the binary it execs gets no capabilities (`SECBIT_NOROOT`, and no
/// ambient ones), so it is refused mode-000 files as any user is. Runs between fork and exec.
#[cfg(unix)]
fn exec_without_capabilities() -> std::io::Result<()> {
    const SECBIT_NOROOT: libc::c_ulong = 1;
    // SAFETY: prctl with integer arguments only; nothing is allocated after fork.
    unsafe {
        if libc::prctl(libc::PR_SET_SECUREBITS, SECBIT_NOROOT, 0, 0, 0) != 0
            || libc::prctl(
                libc::PR_CAP_AMBIENT,
                libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
                0,
                0,
                0,
            ) != 0
        {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_directories_are_reported_and_skipped() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "good.rs", GOOD);
    // Unreadable even for root: reading /proc/self/mem at address 0 fails with EIO.
    symlink("/proc/self/mem", dir.path().join("eio.rs")).expect("symlink");
    // A path through a file.
    write(dir.path(), "plain.rs", "fn f() {}\n");
    // Unreadable by permissions (root reads these anyway).
    write(dir.path(), "locked.rs", GOOD);
    fs::set_permissions(
        dir.path().join("locked.rs"),
        fs::Permissions::from_mode(0o000),
    )
    .expect("chmod");
    write(dir.path(), "closed/inner.rs", GOOD);
    fs::set_permissions(dir.path().join("closed"), fs::Permissions::from_mode(0o000))
        .expect("chmod");
    let args = ["--message-format", "json", ".", "plain.rs/x.rs"];
    let mut command = command(dir.path(), &args, &[]);
    if is_root() {
        // Root reads mode-000 files through CAP_DAC_OVERRIDE: the binary runs without it, so
        // that the permission checks below run in CI (as root) too.
        use std::os::unix::process::CommandExt;
        // SAFETY: the hook makes only async-signal-safe system calls.
        unsafe { command.pre_exec(exec_without_capabilities) };
    }
    let output = wait(command, &args, Duration::from_secs(120));
    fs::set_permissions(dir.path().join("closed"), fs::Permissions::from_mode(0o755))
        .expect("chmod back");
    assert_eq!(assert_clean_exit(&output), 1);
    let all = text(&output.stdout);
    assert!(all.contains("couldn't read `eio.rs`"), "{all}");
    assert!(all.contains("plain.rs/x.rs"), "{all}");
    assert!(linted(&output, "good.rs"), "{all}");
    assert!(
        all.contains("couldn't read `locked.rs`: Permission denied"),
        "{all}"
    );
    assert!(
        all.lines()
            .any(|l| l.contains("closed: cannot read") && l.contains("Permission denied")),
        "{all}"
    );
    // The directory's own file is not linted, and neither is the locked one.
    assert!(!linted(&output, "locked.rs"), "{all}");
    assert!(!linted(&output, "closed/inner.rs"), "{all}");
}

#[cfg(unix)]
#[test]
fn a_fifo_or_device_given_as_a_source_file_does_not_hang() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "good.rs", GOOD);
    let fifo = dir.path().join("fifo.rs");
    let name = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0, "mkfifo");
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.rs")).expect("symlink");
    write(
        dir.path(),
        "lib/src/lib.rs",
        "#[path = \"../../fifo.rs\"]\nmod fifo;\n#[path = \"/dev/zero\"]\nmod zero;\n",
    );
    let output = run(
        dir.path(),
        &[
            "--message-format",
            "json",
            "good.rs",
            "fifo.rs",
            "zero.rs",
            ".",
        ],
        &[],
        Duration::from_secs(60),
    );
    assert_eq!(assert_clean_exit(&output), 1);
    let all = text(&output.stdout);
    assert!(
        all.contains("couldn't read `fifo.rs`: it is not a regular file"),
        "{all}"
    );
    assert!(
        all.contains("couldn't read `zero.rs`: it is not a regular file"),
        "{all}"
    );
    assert!(linted(&output, "good.rs"), "{all}");
}

#[test]
fn a_mod_whose_file_is_missing_or_a_directory_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"m\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        dir.path(),
        "src/lib.rs",
        "mod gone;\nmod folder;\nmod fine;\n",
    );
    fs::create_dir_all(dir.path().join("src/folder.rs")).expect("mkdir");
    write(dir.path(), "src/fine.rs", GOOD);
    let output = lint(dir.path(), &["--message-format", "json", "."]);
    assert_eq!(assert_clean_exit(&output), 1);
    let all = text(&output.stdout);
    assert!(all.contains("file not found for module `gone`"), "{all}");
    assert!(all.contains("file not found for module `folder`"), "{all}");
    assert!(
        all.contains("`src/folder.rs` exists but is a directory"),
        "{all}"
    );
    assert!(linted(&output, "src/fine.rs"), "{all}");
}

#[test]
fn a_module_path_into_proc_is_not_read_and_nothing_of_it_is_shown() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        dir.path(),
        "src/lib.rs",
        "#[path = \"/proc/self/environ\"]\nmod env;\n\
         #[path = \"proc_link/environ\"]\nmod sneaky;\nmod fine;\n",
    );
    write(dir.path(), "src/fine.rs", GOOD);
    // Only the directory is a link: the file's own path says nothing of `/proc`.
    std::os::unix::fs::symlink("/proc/self", dir.path().join("src/proc_link")).expect("symlink");
    let secret = "nslint-test-secret-4f1c9";
    let output = run(
        dir.path(),
        &["--message-format", "json", "."],
        &[("NSLINT_TEST_SECRET", secret)],
        Duration::from_secs(60),
    );
    assert_eq!(assert_clean_exit(&output), 1);
    let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert!(all.contains("module `env` points into `/proc`"), "{all}");
    assert!(all.contains("module `sneaky` points into `/proc`"), "{all}");
    assert!(
        !all.contains(secret),
        "the environment leaked into the output"
    );
    assert!(linted(&output, "src/fine.rs"), "{all}");
}

#[test]
fn a_panic_in_one_file_is_an_internal_error_naming_it_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "good.rs", GOOD);
    write(dir.path(), "boom.rs", GOOD);
    write(dir.path(), "zzz.rs", GOOD);
    let output = run(
        dir.path(),
        &["--message-format", "json", "."],
        &[("NSLINT_INJECT_PANIC", "boom.rs")],
        Duration::from_secs(60),
    );
    // An internal error is exit status 2, but the run completed and reported everything else.
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let all = text(&output.stdout);
    assert!(
        all.contains("internal error: nslint panicked while analysing `boom.rs`"),
        "{all}"
    );
    assert!(all.contains("injected fault"), "{all}");
    assert!(linted(&output, "good.rs"), "{all}");
    assert!(linted(&output, "zzz.rs"), "{all}");
    assert!(!linted(&output, "boom.rs"), "{all}");
}

#[test]
fn inputs_found_by_fuzzing_are_diagnostics_not_panics() {
    // Each once crashed nslint (see docs/robustness.md, "Fuzzing").
    let cases: [(&str, &[u8]); 3] = [
        (
            "workspace_toml.rs",
            b"[workspace]\nmembers = [\"agent\", \"probe\"]\nresolver = \"2\"\n",
        ),
        ("end_of_input.rs", b"fn f()"),
        ("empty_attr.rs", b"#"),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in cases {
        write(dir.path(), name, bytes);
    }
    // Code nslint cannot read is a warning of its own (`unanalyzed_code`), not a failed run.
    let output = lint(dir.path(), &["--message-format", "json", "."]);
    assert_eq!(assert_clean_exit(&output), 0);
    let found = located(&output);
    for (name, _) in cases {
        assert!(
            found
                .iter()
                .any(|(file, _, message)| file == name && message.contains("was not analysed")),
            "{name}: {found:?}"
        );
    }
}
