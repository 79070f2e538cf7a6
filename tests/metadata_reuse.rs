//! `cargo metadata` output is kept in the cache and reused while nothing cargo reads has
//! changed: a new target file, a new member matched by a glob or an edited manifest makes
//! cargo run again, and the findings always match a run without the cache.

mod common;

use common::{nslint_with_env, stdout, write};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const SWITCH: &str = "pub fn enter(fd: i32) -> i32 { unsafe { libc::setns(fd, 0) } }\n";

fn package(name: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nlibc = \"0.2\"\n"
    )
}

/// A `$CARGO` that notes each time it runs in `log`, then runs the real cargo.
fn logging_cargo(dir: &Path, log: &Path) -> PathBuf {
    let real = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let script = dir.join("cargo-logged");
    fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{real}' \"$@\"\n",
            log.display()
        ),
    )
    .expect("write the wrapper");
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).expect("chmod");
    script
}

struct Workspace {
    _dir: tempfile::TempDir,
    root: PathBuf,
    cargo: PathBuf,
    log: PathBuf,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let tools = dir.path().join("tools");
        fs::create_dir_all(&tools).expect("mkdir");
        let log = tools.join("cargo.log");
        let cargo = logging_cargo(&tools, &log);
        let root = dir.path().join("ws");
        write(
            &root,
            &[
                ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n"),
                ("crates/alpha/Cargo.toml", &package("alpha")),
                ("crates/alpha/src/lib.rs", SWITCH),
            ],
        );
        Workspace {
            _dir: dir,
            root,
            cargo,
            log,
        }
    }

    /// The JSON findings of a run with the cache (or without it).
    fn run(&self, cached: bool) -> String {
        let mut args = vec!["--workspace", "--message-format=json"];
        if !cached {
            args.push("--no-cache");
        }
        let output = nslint_with_env(&self.root, &args, &[("CARGO", self.cargo.as_os_str())]);
        stdout(&output)
    }

    /// How many times cargo has run.
    fn cargo_runs(&self) -> usize {
        fs::read_to_string(&self.log).map_or(0, |log| log.lines().count())
    }

    /// A cached run, checked against an uncached one; returns how many times cargo ran
    /// for the cached run.
    fn cached_run_matches_uncached(&self, what: &str) -> (String, usize) {
        let before = self.cargo_runs();
        let cached = self.run(true);
        let ran = self.cargo_runs() - before;
        assert_eq!(
            cached,
            self.run(false),
            "{what}: the cache changes no finding"
        );
        (cached, ran)
    }
}

#[test]
fn cargo_runs_again_only_when_what_it_reads_changed() {
    let ws = Workspace::new();
    let (first, ran) = ws.cached_run_matches_uncached("first run");
    assert_eq!(ran, 1, "nothing kept yet");
    assert!(first.contains("crates/alpha/src/lib.rs"), "{first}");
    let (_, ran) = ws.cached_run_matches_uncached("unchanged");
    assert_eq!(ran, 0, "the kept output is reused");

    write(&ws.root, &[("crates/alpha/src/bin/tool.rs", SWITCH)]);
    let (with_bin, ran) = ws.cached_run_matches_uncached("a new binary target");
    assert_eq!(ran, 1, "a new file in src/bin is a new target");
    assert!(
        with_bin.contains("crates/alpha/src/bin/tool.rs"),
        "{with_bin}"
    );
    assert_eq!(ws.cached_run_matches_uncached("unchanged").1, 0);

    write(
        &ws.root,
        &[
            ("crates/beta/Cargo.toml", &package("beta")),
            ("crates/beta/src/lib.rs", SWITCH),
        ],
    );
    let (with_member, ran) = ws.cached_run_matches_uncached("a new member");
    assert_eq!(
        ran, 1,
        "a new directory under a member glob is a new member"
    );
    assert!(
        with_member.contains("crates/beta/src/lib.rs"),
        "{with_member}"
    );

    let manifest = ws.root.join("crates/beta/Cargo.toml");
    let text = fs::read_to_string(&manifest).expect("read");
    fs::write(
        &manifest,
        text.replace("edition = \"2021\"", "edition = \"2018\""),
    )
    .expect("edit");
    let (_, ran) = ws.cached_run_matches_uncached("an edited manifest");
    assert_eq!(ran, 1, "an edited manifest");
    assert_eq!(ws.cached_run_matches_uncached("unchanged").1, 0);
}

#[test]
fn a_kept_output_that_does_not_parse_is_ignored() {
    let ws = Workspace::new();
    let (expected, _) = ws.cached_run_matches_uncached("first run");
    let cache = ws.root.join("target/nslint-cache");
    for entry in fs::read_dir(&cache).expect("the default cache directory") {
        let path = entry.expect("entry").path();
        let mut bytes = fs::read(&path).expect("read");
        bytes.truncate(bytes.len() / 2);
        fs::write(&path, bytes).expect("truncate");
    }
    let before = ws.cargo_runs();
    assert_eq!(ws.run(true), expected);
    assert_eq!(ws.cargo_runs() - before, 1, "cargo runs again");
}

/// `cargo metadata --no-deps` connects to nothing, so cargo runs with an empty CA bundle
/// (sparing its start-up the parse of the system's); a cargo that fails that way runs again
/// with the environment as it was.
#[test]
fn cargo_runs_without_the_ca_bundle_and_again_with_it_if_that_fails() {
    let ws = Workspace::new();
    let tools = ws.root.parent().expect("a parent").join("tools");
    let real = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let bundles = tools.join("bundles.log");
    // Notes the bundle each run gets, and fails on the empty one while `refuse` exists.
    let refuse = tools.join("refuse-empty-bundle");
    let script = tools.join("cargo-bundle");
    fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"${{SSL_CERT_FILE:-system}}\" >> '{log}'\n\
             if [ \"$SSL_CERT_FILE\" = /dev/null ] && [ -e '{refuse}' ]; then exit 101; fi\n\
             exec '{real}' \"$@\"\n",
            log = bundles.display(),
            refuse = refuse.display(),
        ),
    )
    .expect("write the wrapper");
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).expect("chmod");
    let run = || {
        let args = ["--workspace", "--message-format=json", "--no-cache"];
        stdout(&nslint_with_env(
            &ws.root,
            &args,
            &[("CARGO", script.as_os_str())],
        ))
    };
    let bundles_seen = || fs::read_to_string(&bundles).unwrap_or_default();

    let spared = run();
    assert!(spared.contains("raw_namespace_switch"), "{spared}");
    assert_eq!(bundles_seen(), "/dev/null\n");

    fs::write(&refuse, "").expect("write");
    fs::remove_file(&bundles).expect("remove the log");
    assert_eq!(run(), spared, "the second run finds the same");
    let seen = bundles_seen();
    let runs: Vec<&str> = seen.lines().collect();
    assert_eq!(runs.len(), 2, "{seen}");
    assert_eq!(runs[0], "/dev/null");
    assert_ne!(runs[1], "/dev/null");
}
