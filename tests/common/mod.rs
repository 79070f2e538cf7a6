//! Helpers shared by the integration tests: run the built `cargo-nslint` binary, lay out small
//! crates in temporary directories, and find the registry crates cargo unpacked for this one.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary with `args` in `dir`.
pub fn nslint(dir: &Path, args: &[&str]) -> Output {
    nslint_with_env(dir, args, &[])
}

/// Runs the binary with `args` in `dir`, with `env` set.
pub fn nslint_with_env(dir: &Path, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-nslint"))
        .args(args)
        .current_dir(dir)
        .env_remove("NSLINT_LOG")
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs")
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The count `name` a run with `--timings` printed (`nslint-counts: NAME N`).
pub fn timings_count(output: &Output, name: &str) -> usize {
    let prefix = format!("nslint-counts: {name} ");
    stderr(output)
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()).map(str::to_owned))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("the {name} count"))
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Writes `files` (relative path, contents) under `root`.
pub fn write(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(path, text).expect("write");
    }
}

/// A one-package workspace named `demo` in a temporary directory, with `src/main.rs`.
pub fn one_crate(main: &str, manifest_extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = format!(
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nlibc = \"0.2\"\nnix = \"0.29\"\n\n[workspace]\n{manifest_extra}"
    );
    write(
        dir.path(),
        &[("Cargo.toml", &manifest), ("src/main.rs", main)],
    );
    dir
}

/// Copies a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The lint codes of JSON output, in order.
pub fn codes(json_lines: &str) -> Vec<String> {
    json_lines
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["message"]["code"]["code"].as_str().map(str::to_owned))
        .collect()
}

/// Whether an external tool must be present (CI sets `NSLINT_REQUIRE_TOOLS=1`).
pub fn tools_required() -> bool {
    std::env::var_os("NSLINT_REQUIRE_TOOLS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Finds an executable on `PATH` or in `~/.cargo/bin`.
pub fn find_tool(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(PathBuf::from(home).join("bin"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// Where cargo unpacks registry crates: `$CARGO_HOME/registry/src`.
pub fn registry_sources() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .expect("CARGO_HOME or HOME is set");
    home.join("registry").join("src")
}

/// The unpacked directory of every registry package of this workspace's `Cargo.lock`, sorted.
pub fn unpacked_locked_crates() -> Vec<PathBuf> {
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock");
    let text = std::fs::read_to_string(&lock).expect("Cargo.lock is readable");
    let lock: toml::Table = text.parse().expect("Cargo.lock is TOML");
    let packages = lock
        .get("package")
        .and_then(toml::Value::as_array)
        .expect("Cargo.lock lists packages");
    let registries: Vec<PathBuf> = std::fs::read_dir(registry_sources())
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    let mut found: Vec<PathBuf> = packages
        .iter()
        .filter(|p| {
            p.get("source")
                .and_then(toml::Value::as_str)
                .is_some_and(|s| s.starts_with("registry+"))
        })
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?;
            let version = p.get("version")?.as_str()?;
            registries
                .iter()
                .map(|r| r.join(format!("{name}-{version}")))
                .find(|dir| dir.join("Cargo.toml").is_file())
        })
        .collect();
    found.sort();
    found
}

/// The directories the environment variable `variable` lists (separated by `:`), each
/// checked to be one: trees a test of real code adds to its own.
pub fn extra_trees(variable: &str) -> Vec<PathBuf> {
    let listed = std::env::var_os(variable).unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&listed)
        .filter(|d| !d.as_os_str().is_empty())
        .collect();
    for dir in &dirs {
        assert!(
            dir.is_dir(),
            "{variable}: {} is no directory",
            dir.display()
        );
    }
    dirs
}
