//! nslint reads code and never executes it (issue 8): linting a crate whose build script and
//! proc macro leave marker files when run leaves no marker, in cargo mode and in path mode;
//! the only command nslint runs is `$CARGO metadata --no-deps`, whatever the configuration
//! says; `--with-check`, the one explicit exception, is visible to the same probe.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hostile/exec-marker")
}

/// A fresh copy of the fixture (markers land next to its manifest).
fn copy_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&fixture(), dir.path());
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if name.to_string_lossy().starts_with("EXECUTED") || name == "target" {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().expect("type").is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Marker files anywhere under `dir`.
fn markers(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(markers(&path));
        } else if entry.file_name().to_string_lossy().starts_with("EXECUTED") {
            found.push(path);
        }
    }
    found
}

fn real_cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn nslint(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-nslint"));
    command.args(args).current_dir(dir);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_fixture_leaves_markers_when_it_is_built() {
    // Proof that the markers mean something: building runs the build script and the macro.
    let dir = copy_fixture();
    let target = tempfile::tempdir().expect("tempdir");
    let output = Command::new(real_cargo())
        .args(["build", "--offline", "--quiet"])
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", target.path())
        .output()
        .expect("cargo runs");
    // The crate itself does not compile (it names `libc` without depending on it), but only
    // after the build script ran and the macro was expanded.
    let found = markers(dir.path());
    let names: Vec<String> = found
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    assert!(
        names.contains(&"EXECUTED-build-script".to_owned())
            && names.contains(&"EXECUTED-proc-macro".to_owned()),
        "building did not leave both markers ({names:?}): {}",
        text(&output.stderr)
    );
}

#[test]
fn linting_in_cargo_and_path_mode_runs_neither_build_script_nor_proc_macro() {
    let dir = copy_fixture();
    for args in [
        &["--workspace", "--message-format", "json"][..],
        &["--message-format", "json"][..],
        &["-p", "marker-macro", "--message-format", "json"][..],
        &["--message-format", "json", "."][..],
        &["--message-format", "json", "build.rs", "marker-macro"][..],
        &["--format", "sarif", "--workspace"][..],
    ] {
        let output = nslint(dir.path(), args, &[]);
        let stderr = text(&output.stderr);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{args:?}: {stderr}"
        );
        assert_eq!(markers(dir.path()), Vec::<PathBuf>::new(), "{args:?}");
        // Nothing was built: target/ holds at most nslint's own cache.
        let built: Vec<String> = std::fs::read_dir(dir.path().join("target"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name != "nslint-cache")
            .collect();
        assert!(built.is_empty(), "{args:?} created {built:?} in target/");
    }
    // And it did read the code.
    let output = nslint(
        dir.path(),
        &["--workspace", "--message-format", "json"],
        &[],
    );
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("nslint::raw_namespace_switch") && stdout.contains("src/lib.rs"),
        "{stdout}"
    );
}

/// A `$CARGO` that logs its arguments, one invocation a line, then runs the real cargo.
#[cfg(unix)]
fn logging_cargo(bin: &Path, log: &Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let script = bin.join("cargo-logger");
    fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            real_cargo()
        ),
    )
    .expect("write");
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).expect("chmod");
    script.to_string_lossy().into_owned()
}

#[cfg(unix)]
#[test]
fn no_configuration_makes_nslint_run_anything_but_cargo_metadata() {
    let dir = copy_fixture();
    let bin = tempfile::tempdir().expect("tempdir");
    let log = bin.path().join("log");
    let cargo = logging_cargo(bin.path(), &log);
    // Every configuration key there is, and keys that would run something if they existed.
    fs::write(
        dir.path().join("nslint.toml"),
        "strict = true\nexclude = [\"marker-macro/\"]\n\n[lints]\nraw_namespace_switch = \
         \"deny\"\n",
    )
    .expect("write");
    let output = nslint(dir.path(), &["--workspace"], &[("CARGO", &cargo)]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    for key in [
        "command = \"touch EXECUTED-config\"",
        "runner = \"touch EXECUTED-config\"",
        "cargo = \"/bin/sh\"",
        "with-check = true",
        "check = \"clippy\"",
        "build = true",
        "hooks = { pre = \"touch EXECUTED-config\" }",
    ] {
        fs::write(dir.path().join("nslint.toml"), key).expect("write");
        let output = nslint(dir.path(), &["--workspace"], &[("CARGO", &cargo)]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{key}: {stderr}");
        assert!(stderr.contains("unknown key"), "{key}: {stderr}");
        let manifest = fs::read_to_string(dir.path().join("Cargo.toml")).expect("read");
        fs::write(
            dir.path().join("Cargo.toml"),
            format!("{manifest}\n[workspace.metadata.nslint]\n{key}\n"),
        )
        .expect("write");
        fs::remove_file(dir.path().join("nslint.toml")).expect("rm");
        let output = nslint(dir.path(), &["--workspace"], &[("CARGO", &cargo)]);
        assert_eq!(output.status.code(), Some(2), "{key} in Cargo.toml");
        fs::write(dir.path().join("Cargo.toml"), manifest).expect("restore");
        fs::write(dir.path().join("nslint.toml"), "").expect("write");
    }
    assert_eq!(markers(dir.path()), Vec::<PathBuf>::new());
    let calls = fs::read_to_string(&log).expect("cargo was run");
    let lines: Vec<&str> = calls.lines().collect();
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(
            line.starts_with("metadata --no-deps --format-version 1"),
            "nslint ran `cargo {line}`"
        );
    }
    // The probe sees other commands: `--with-check` (an explicit flag) runs `cargo check`.
    let output = nslint(
        dir.path(),
        &["--with-check", "--message-format", "json"],
        &[
            ("CARGO", &cargo),
            ("CARGO_TARGET_DIR", &bin.path().join("t").to_string_lossy()),
        ],
    );
    assert!(output.status.code().is_some());
    let calls = fs::read_to_string(&log).expect("log");
    assert!(
        calls.lines().any(|l| l.starts_with("check ")),
        "--with-check ran no `cargo check`: {calls}"
    );
}
