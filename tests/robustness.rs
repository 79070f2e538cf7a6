//! Robustness of discovery, configuration and baselines (issue 8): manifests that do not
//! parse, cargo missing or failing, a workspace of 1 000 crates, configuration with wrong
//! types, baselines that are truncated or garbage. Every failure is an `error:` message with
//! exit status 2 or a diagnostic, never a panic.
//!
//! (There is no cache yet; when `--cache-dir` arrives, a truncated or garbage cache file and
//! two runs sharing one cache directory get their tests here.)

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const SWITCH: &str = "pub fn f() {\n    unsafe { libc::setns(0, libc::CLONE_NEWNET) };\n}\n";

fn nslint(dir: &Path, args: &[&str], env: &[(&str, &str)], remove: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-nslint"));
    command.args(args).current_dir(dir);
    for key in remove {
        command.env_remove(key);
    }
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(dir: &Path, rel: &str, contents: impl AsRef<[u8]>) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(path, contents).expect("write");
}

/// No panic, and one of the documented exit statuses.
fn status(output: &Output) -> i32 {
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let code = output.status.code().unwrap_or(-1);
    assert!((0..=2).contains(&code), "exit {code}: {stderr}");
    code
}

/// (file, line, lint) of each JSON message.
fn findings(output: &Output) -> BTreeSet<(String, u64, String)> {
    text(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            let m = &v["message"];
            let span = &m["spans"][0];
            Some((
                span["file_name"].as_str()?.to_owned(),
                span["line_start"].as_u64()?,
                m["code"]["code"].as_str().unwrap_or("").to_owned(),
            ))
        })
        .collect()
}

fn package(dir: &Path, name: &str) {
    write(
        dir,
        "Cargo.toml",
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
    );
    write(dir, "src/lib.rs", SWITCH);
}

#[test]
fn a_cargo_toml_that_does_not_parse_fails_cargo_mode_clearly_and_path_mode_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "Cargo.toml", "[package\nname = \"broken\"\n");
    write(dir.path(), "src/lib.rs", SWITCH);
    let output = nslint(dir.path(), &[], &[], &[]);
    assert_eq!(status(&output), 2);
    let stderr = text(&output.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("metadata` failed"), "{stderr}");
    assert!(stderr.contains("path mode"), "{stderr}");

    let output = nslint(dir.path(), &["--message-format", "json", "."], &[], &[]);
    assert_eq!(status(&output), 1);
    let stdout = text(&output.stdout);
    assert!(stdout.contains("does not parse"), "{stdout}");
    assert!(
        findings(&output).contains(&(
            "src/lib.rs".to_owned(),
            2,
            "nslint::raw_namespace_switch".to_owned()
        )),
        "{stdout}"
    );
}

#[test]
fn cargo_missing_from_path_is_an_error_that_points_to_path_mode_which_works() {
    let dir = tempfile::tempdir().expect("tempdir");
    package(dir.path(), "nocargo");
    let empty = tempfile::tempdir().expect("tempdir");
    let path = empty.path().to_string_lossy().into_owned();
    let output = nslint(dir.path(), &[], &[("PATH", &path)], &["CARGO"]);
    assert_eq!(status(&output), 2);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("could not run `cargo`: no such program"),
        "{stderr}"
    );
    assert!(
        stderr.contains("path mode: `cargo nslint PATH...`"),
        "{stderr}"
    );

    let output = nslint(
        dir.path(),
        &["--message-format", "json", "."],
        &[("PATH", &path)],
        &["CARGO"],
    );
    assert_eq!(status(&output), 1, "{}", text(&output.stderr));
    assert!(findings(&output).contains(&(
        "src/lib.rs".to_owned(),
        2,
        "nslint::raw_namespace_switch".to_owned()
    )));
}

#[cfg(unix)]
#[test]
fn cargo_metadata_failing_or_printing_garbage_is_an_error_not_a_crash() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    package(dir.path(), "badcargo");
    let bin = tempfile::tempdir().expect("tempdir");
    let fake = |name: &str, script: &str| {
        let path = bin.path().join(name);
        fs::write(&path, script).expect("write");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
        path.to_string_lossy().into_owned()
    };
    let failing = fake(
        "failing",
        "#!/bin/sh\necho 'error: the sky fell' >&2\nexit 101\n",
    );
    let output = nslint(dir.path(), &[], &[("CARGO", &failing)], &[]);
    assert_eq!(status(&output), 2);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("metadata` failed (exit status: 101)"),
        "{stderr}"
    );
    assert!(stderr.contains("the sky fell"), "{stderr}");
    assert!(stderr.contains("path mode"), "{stderr}");

    let garbage = fake("garbage", "#!/bin/sh\nprintf '{\"packages\": [1, 2'\n");
    let output = nslint(dir.path(), &[], &[("CARGO", &garbage)], &[]);
    assert_eq!(status(&output), 2);
    assert!(
        text(&output.stderr).contains("not cargo metadata"),
        "{}",
        text(&output.stderr)
    );

    let not_executable = bin.path().join("plain");
    fs::write(&not_executable, "not a program").expect("write");
    let output = nslint(
        dir.path(),
        &[],
        &[("CARGO", &not_executable.to_string_lossy())],
        &[],
    );
    assert_eq!(status(&output), 2);
    assert!(text(&output.stderr).starts_with("error: "));
}

#[test]
fn a_workspace_of_1000_tiny_crates_is_linted_in_cargo_and_path_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n",
    );
    for i in 0..1000 {
        let name = format!("c{i:04}");
        package(&dir.path().join("crates").join(&name), &name);
    }
    let expected: BTreeSet<(String, u64, String)> = (0..1000)
        .flat_map(|i| {
            ["raw_namespace_switch", "unchecked_namespace_switch"].map(|lint| {
                (
                    format!("crates/c{i:04}/src/lib.rs"),
                    2,
                    format!("nslint::{lint}"),
                )
            })
        })
        .collect();
    let cargo = nslint(
        dir.path(),
        &["--workspace", "--message-format", "json"],
        &[],
        &[],
    );
    assert_eq!(status(&cargo), 1, "{}", text(&cargo.stderr));
    assert_eq!(findings(&cargo), expected);
    let paths = nslint(dir.path(), &["--message-format", "json", "."], &[], &[]);
    assert_eq!(status(&paths), 1, "{}", text(&paths.stderr));
    assert_eq!(findings(&paths), expected);
}

#[test]
fn configuration_with_wrong_types_or_garbage_is_an_error_naming_file_and_key() {
    let cases: [(&str, &[u8], &str); 9] = [
        ("nslint.toml", b"strict = \"yes\"\n", "key `strict`"),
        ("nslint.toml", b"lints = 3\n", "key `lints`"),
        (
            "nslint.toml",
            b"[lints]\nraw_namespace_switch = 1\n",
            "key `lints.raw_namespace_switch`",
        ),
        ("nslint.toml", b"exclude = 5\n", "key `exclude`"),
        ("nslint.toml", b"exclude = [1, 2]\n", "key `exclude`"),
        ("nslint.toml", b"[[scope]]\npath = 7\n", "scope"),
        (
            "nslint.toml",
            b"command = \"sh -c 'touch x'\"\n",
            "unknown key",
        ),
        ("nslint.toml", b"strict = tru\x00e\xff\n", "nslint.toml"),
        ("nslint.toml", b"[lints\n", "invalid TOML"),
    ];
    for (file, contents, expected) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        package(dir.path(), "cfg");
        write(dir.path(), file, contents);
        for args in [&["."][..], &[][..]] {
            let output = nslint(dir.path(), args, &[], &[]);
            let stderr = text(&output.stderr);
            assert_eq!(status(&output), 2, "{}: {stderr}", text(contents));
            assert!(stderr.starts_with("error: "), "{stderr}");
            assert!(stderr.contains("nslint.toml"), "{stderr}");
            assert!(stderr.contains(expected), "{expected:?} not in {stderr}");
        }
    }
    // The same in Cargo.toml metadata.
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"m\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [package.metadata.nslint]\nstrict = 1\n",
    );
    write(dir.path(), "src/lib.rs", SWITCH);
    let output = nslint(dir.path(), &[], &[], &[]);
    assert_eq!(status(&output), 2);
    assert!(
        text(&output.stderr).contains("key `package.metadata.nslint.strict`"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_baseline_that_is_truncated_garbage_or_not_a_file_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    package(dir.path(), "base");
    let good = dir.path().join("good.json");
    let output = nslint(
        dir.path(),
        &["--write-baseline", &good.to_string_lossy()],
        &[],
        &[],
    );
    assert_eq!(status(&output), 0, "{}", text(&output.stderr));
    let written = fs::read(&good).expect("baseline written");
    let output = nslint(
        dir.path(),
        &["--baseline", &good.to_string_lossy()],
        &[],
        &[],
    );
    assert_eq!(status(&output), 0, "the intact baseline absorbs everything");

    let cases: Vec<(&str, Vec<u8>)> =
        vec![
        ("truncated", written[..written.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("garbage", b"\x00\xff\xfe garbage \x80".to_vec()),
        ("wrong shape", b"{\"version\": \"1\", \"findings\": 3}".to_vec()),
        ("future", b"{\"version\": 99, \"findings\": []}".to_vec()),
        ("array", b"[1, 2, 3]".to_vec()),
        (
            "negative count",
            b"{\"version\": 1, \"findings\": [{\"lint\": \"x\", \"path\": \"y\", \"item\": \"\", \
              \"snippet\": \"0\", \"count\": -1}]}"
                .to_vec(),
        ),
    ];
    for (what, bytes) in cases {
        let path = dir.path().join(format!("{}.json", what.replace(' ', "_")));
        fs::write(&path, bytes).expect("write");
        let output = nslint(
            dir.path(),
            &["--baseline", &path.to_string_lossy()],
            &[],
            &[],
        );
        let stderr = text(&output.stderr);
        assert_eq!(status(&output), 2, "{what}: {stderr}");
        assert!(stderr.starts_with("error: "), "{what}: {stderr}");
        assert!(
            stderr.contains(&*path.to_string_lossy()),
            "{what}: {stderr}"
        );
    }
    let output = nslint(
        dir.path(),
        &["--baseline", &dir.path().join("src").to_string_lossy()],
        &[],
        &[],
    );
    assert_eq!(status(&output), 2, "a directory");
    let output = nslint(
        dir.path(),
        &[
            "--write-baseline",
            &dir.path().join("no/such/dir/b.json").to_string_lossy(),
        ],
        &[],
        &[],
    );
    assert_eq!(status(&output), 2, "an unwritable baseline");
}
