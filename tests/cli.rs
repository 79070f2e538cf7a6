//! The command line end to end: selection flags, path mode, exit codes, docs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn nslint() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cargo-nslint"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn run(command: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("cargo-nslint runs");
    (
        status.code().expect("exited normally"),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn short(args: &[&str]) -> (i32, String) {
    let (code, _, stderr) = run(nslint().args(args).args(["--message-format", "short"]));
    (code, stderr)
}

#[test]
fn demo_reports_rustc_style_findings_and_exits_1() {
    let manifest = fixtures().join("demo/Cargo.toml");
    let (code, _, stderr) = run(nslint()
        .args(["--manifest-path"])
        .arg(&manifest)
        .args(["--color", "never"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("warning[nslint::raw_namespace_switch]: raw namespace switch"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  --> cni-bridge/src/netns.rs:11:17"),
        "{stderr}"
    );
    assert!(stderr.contains("= help: "), "{stderr}");
    assert!(
        stderr.contains("error[nslint::thread_unsafe_namespace_kind]"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: could not pass nslint due to"),
        "{stderr}"
    );
}

#[test]
fn runs_as_a_cargo_subcommand() {
    let manifest = fixtures().join("demo/Cargo.toml");
    let (code, stderr) = short(&[
        "nslint",
        "--manifest-path",
        manifest.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr
            .contains("cni-bridge/src/setup.rs:57:27: error[nslint::thread_unsafe_namespace_kind]")
    );
}

#[test]
fn crate_without_namespace_code_exits_0_quietly() {
    let manifest = fixtures().join("cases/workspace/Cargo.toml");
    let (code, stderr) = short(&[
        "--manifest-path",
        manifest.to_str().expect("utf-8"),
        "-p",
        "nl-util",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn package_selection_follows_cargo() {
    let manifest = fixtures().join("cases/workspace/Cargo.toml");
    let manifest = manifest.to_str().expect("utf-8");
    // Default members: only `agent`.
    let (code, stderr) = short(&["--manifest-path", manifest]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("agent/src/lib.rs:6:14: warning[nslint::raw_namespace_switch]"),
        "{stderr}"
    );
    // The file shared by the lib and the bin is reported once.
    assert_eq!(
        stderr.matches("agent/src/shared.rs:4:14: warning").count(),
        1,
        "{stderr}"
    );
    // Every target kind is linted.
    for target in [
        "src/bin/probe-tool.rs",
        "tests/roundtrip.rs",
        "examples/enter.rs",
        "benches/switch.rs",
    ] {
        assert!(
            stderr.contains(&format!("agent/{target}:")),
            "{target} missing:\n{stderr}"
        );
    }
    // --workspace --exclude leaves nl-util, which has nothing.
    let (code, stderr) = short(&[
        "--manifest-path",
        manifest,
        "--workspace",
        "--exclude",
        "agent",
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    // A package-id spec with a version.
    let (code, _) = short(&["--manifest-path", manifest, "-p", "agent@0.3.1"]);
    assert_eq!(code, 1);
    // A spec that matches nothing is a usage error.
    let (code, stderr) = short(&["--manifest-path", manifest, "-p", "nope"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did not match any packages"), "{stderr}");
}

#[test]
fn path_mode_lints_loose_files_and_directories_without_cargo() {
    let file = fixtures().join("cases/unchecked.rs");
    let (code, _, stderr) = run(nslint()
        .arg(&file)
        .args(["--message-format", "short"])
        .env("CARGO", "/nonexistent/cargo"));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("unchecked.rs:7:13: error[nslint::unchecked_namespace_switch]"),
        "{stderr}"
    );
    let dir = fixtures().join("cases/modules");
    let (code, stderr) = short(&[dir.to_str().expect("utf-8")]);
    assert_eq!(
        code, 1,
        "the case's user namespace entry is an error: {stderr}"
    );
    assert!(
        stderr.contains(
            "src/lib.rs:15:5: warning[nslint::unanalyzed_code]: file not found for module `gone`"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("src/outer/inner_file.rs:2:14: warning[nslint::raw_namespace_switch]"),
        "{stderr}"
    );
}

#[test]
fn levels_from_the_command_line_apply_in_order() {
    let file = fixtures().join("cases/proc_paths.rs");
    let file = file.to_str().expect("utf-8");
    let (code, stderr) = short(&[file]);
    assert_eq!(code, 0, "warnings only: {stderr}");
    let (code, _) = short(&[file, "-D", "warnings"]);
    assert_eq!(code, 1);
    let (code, stderr) = short(&[
        file,
        "-D",
        "process_wide_namespace_path",
        "-A",
        "nslint::process_wide_namespace_path",
    ]);
    assert_eq!(code, 0);
    assert!(!stderr.contains("process_wide_namespace_path"), "{stderr}");
    let (code, stderr) = short(&[
        file,
        "-A",
        "raw_namespace_switch,process_wide_namespace_path",
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let (code, stderr) = short(&[file, "-W", "no_such_lint"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown lint `no_such_lint`"), "{stderr}");
}

#[test]
fn bad_flags_are_usage_errors() {
    let (code, _, stderr) = run(nslint().arg("--frobnicate"));
    assert_eq!(code, 2);
    assert!(stderr.contains("Usage:"), "{stderr}");
    let (code, _, stderr) = run(nslint().args(["--message-format", "yaml"]));
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = run(nslint().args(["src", "--manifest-path", "Cargo.toml"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot be combined"), "{stderr}");
}

#[test]
fn missing_cargo_is_explained() {
    let manifest = fixtures().join("demo/Cargo.toml");
    let (code, _, stderr) = run(nslint()
        .arg("--manifest-path")
        .arg(&manifest)
        .env("CARGO", "/nonexistent/cargo"));
    assert_eq!(code, 2);
    assert!(stderr.contains("cargo nslint PATH"), "{stderr}");
}

#[test]
fn list_and_explain_come_from_the_registry() {
    let (code, stdout, _) = run(nslint().arg("--list"));
    assert_eq!(code, 0);
    for lint in nslint::registry::LINTS {
        assert!(
            stdout.contains(lint.name),
            "{} missing from --list",
            lint.name
        );
    }
    let (code, stdout, _) = run(nslint().args(["--explain", "nslint::unchecked_namespace_switch"]));
    assert_eq!(code, 0);
    for section in [
        "### What it does",
        "### Why is this bad",
        "### Example",
        "### Use instead",
        "### Known problems",
    ] {
        assert!(stdout.contains(section), "{section} missing");
    }
    let (code, _, stderr) = run(nslint().args(["--explain", "nope"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("--list"), "{stderr}");
}

#[test]
fn this_repository_is_clean_in_path_mode() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, stderr) = short(&[
        root.join("src").to_str().expect("utf-8"),
        root.join("tests").to_str().expect("utf-8"),
    ]);
    assert_eq!((code, stderr.as_str()), (0, ""));
}

#[test]
fn loose_files_find_their_modules_like_non_mod_rs_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("cli")).expect("mkdir");
    std::fs::write(
        src.join("cli.rs"),
        "mod check;\nmod elsewhere;\npub fn a() {}\n",
    )
    .expect("write");
    std::fs::write(
        src.join("cli/check.rs"),
        "pub fn c() -> i32 { unsafe { libc::setns(3, 0) } }\n",
    )
    .expect("write");
    let (code, stderr) = short(&[src.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{stderr}");
    // Found through `cli.rs` (as a module of some crate) and on its own: reported once.
    assert_eq!(
        stderr
            .matches("cli/check.rs:1:30: warning[nslint::raw_namespace_switch]")
            .count(),
        1,
        "{stderr}"
    );
    // A loose file may not be a crate root: its missing modules are not errors.
    assert!(!stderr.contains("elsewhere"), "{stderr}");
}

/// Code nslint cannot read (a module a build script generates, a `cfg_attr` path module, an
/// item in a nightly syntax) is a warning that names it, not a failed run; `-D` makes it one.
/// (The crate uses a scope, so that the fast path does not rule it out unread.)
#[test]
fn code_nslint_cannot_read_is_a_warning_and_exits_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files: [(&str, &str); 4] = [
        (
            "Cargo.toml",
            "[package]\nname = \"agent\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
        ),
        (
            "src/lib.rs",
            "#![feature(const_trait_impl)]\n\
             mod bindings;\n\
             #[cfg_attr(target_os = \"linux\", path = \"sys/linux.rs\")]\n\
             mod sys;\n\
             pub struct Ns;\n\
             impl const Default for Ns { fn default() -> Self { Ns } }\n\
             pub fn ready() -> bool { sys::ready() }\n\
             pub fn configure(pod: &nsscope::NetNs) { let _ = pod.run(|_| ready()); }\n",
        ),
        ("src/sys/linux.rs", "pub fn ready() -> bool { true }\n"),
        ("build.rs", "fn main() {}\n"),
    ];
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    let manifest = dir.path().join("Cargo.toml");
    let manifest = manifest.to_str().expect("utf-8");
    let (code, stderr) = short(&["--manifest-path", manifest, "--no-cache"]);
    assert_eq!(code, 0, "{stderr}");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("warning[nslint::unanalyzed_code]"))
        .collect();
    assert_eq!(warnings.len(), 2, "{stderr}");
    assert!(
        warnings[0].starts_with("src/lib.rs:2:5:")
            && warnings[0].contains("file not found for module `bindings`"),
        "{stderr}"
    );
    assert!(
        warnings[1].starts_with("src/lib.rs:6:")
            && warnings[1].contains("this item was not analysed"),
        "{stderr}"
    );
    assert!(!stderr.contains("error"), "{stderr}");
    let (code, stderr) = short(&[
        "--manifest-path",
        manifest,
        "--no-cache",
        "-D",
        "nslint::unanalyzed_code",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("error[nslint::unanalyzed_code]"),
        "{stderr}"
    );
}
