//! Replay never changes output, on real code: a tree of real packages is linted with the
//! cache, then edited the way an editor's saves edit it (a statement put into a function body,
//! a comment, a helper appended, the file put back), and after each edit the cached run must
//! print exactly what a run without the cache prints. The packages are this repository's
//! runtime crate and demo and the registry crates of this workspace's `Cargo.lock` that spell a
//! raw switch, copied so that they can be edited.
//!
//! `NSLINT_REPLAY_DIRS` (paths separated by `:`) adds trees to edit the same way, each copied
//! and linted alone in path mode: the real-crate bench corpora, lintcheck's sources.

mod common;

use common::{copy_tree, extra_trees, nslint, repo, stdout, timings_count, unpacked_locked_crates};
use std::path::{Path, PathBuf};
use std::process::Output;

/// How many files of a tree are edited.
const FILES_EDITED: usize = 4;

/// The most Rust a registry crate may hold to be edited: the tests run a debug build, and
/// `libc` and `linux-raw-sys` (declarations, 4 and 17 MB) would take minutes.
const MAX_CRATE_BYTES: usize = 3_000_000;

// No edit spells `nslint`: a file that does may hold a directive, and is never replayed.

/// A comment line, put after a file's first line.
const COMMENT: &str = "// An editor's note.\n";

/// A statement, put at the start of a function body.
const STATEMENT: &str = "    let _editor_probe = 0;\n";

/// A helper, appended to a file.
const HELPER: &str = "\npub fn editor_probe_helper(probe: usize) -> usize {\n    probe + 1\n}\n";

#[test]
fn replayed_runs_print_what_full_runs_print_on_real_packages() {
    let repo = repo();
    let mut packages = vec![repo.join("nsscope"), repo.join("fixtures/demo")];
    packages.extend(locked_crates_with_raw_switches());
    assert!(
        packages.len() >= 3,
        "no registry crate of Cargo.lock spelling a raw switch is unpacked: build the \
         workspace first"
    );
    let replayed = edit_and_compare("the runtime crate, the demo and locked crates", &packages);
    assert!(
        replayed > 0,
        "no edit was replayed: the comparison tested nothing"
    );
    for dir in extra_trees("NSLINT_REPLAY_DIRS") {
        edit_and_compare(&dir.display().to_string(), std::slice::from_ref(&dir));
    }
}

/// Copies `packages` into one temporary tree, lints it with the cache, and edits
/// [`FILES_EDITED`] of its files one after another, comparing each cached run with a run
/// without the cache; returns how many edited runs were replayed.
fn edit_and_compare(what: &str, packages: &[PathBuf]) -> usize {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut names = Vec::new();
    for package in packages {
        let name = package
            .file_name()
            .expect("a package directory has a name")
            .to_string_lossy()
            .into_owned();
        let copy = dir.path().join(&name);
        std::fs::create_dir_all(&copy).expect("mkdir");
        copy_tree(package, &copy);
        let _ = std::fs::remove_dir_all(dir.path().join(&name).join("target"));
        names.push(name);
    }
    let tree = Tree {
        root: dir.path(),
        names,
    };
    let first = tree.cached();
    assert_eq!(first.0, tree.uncached(), "{what}: the first run");
    let files = files_to_edit(dir.path(), &first.0);
    assert!(!files.is_empty(), "{what}: no file to edit");
    let mut replayed = 0;
    let mut edits = 0;
    for file in &files {
        let original = std::fs::read_to_string(file).expect("read");
        // Each edit is one change, made and then undone, as an editor's saves make them.
        let edited = [
            ("a statement in a body", at_first_body(&original)),
            ("a comment", Some(after_first_line(&original))),
            ("a helper appended", Some(format!("{original}{HELPER}"))),
        ]
        .into_iter()
        .filter_map(|(edit, text)| Some((edit, text?)))
        .flat_map(|(edit, text)| [(edit, text), ("undone", original.clone())]);
        for (edit, text) in edited {
            std::fs::write(file, &text).expect("write");
            let (cached, was_replayed) = tree.cached();
            let shown = file.strip_prefix(dir.path()).unwrap_or(file).display();
            assert_eq!(
                cached,
                tree.uncached(),
                "{what}: {shown}, {edit}: the cached run's output differs"
            );
            replayed += usize::from(was_replayed);
            edits += 1;
            let how = if was_replayed { "replayed" } else { "analysed" };
            eprintln!("{what}: {shown}, {edit}: {how}");
        }
    }
    eprintln!(
        "{what}: {edits} edits of {} files, {replayed} replayed",
        files.len()
    );
    replayed
}

/// A tree of copied packages, linted in path mode.
struct Tree<'a> {
    root: &'a Path,
    names: Vec<String>,
}

impl Tree<'_> {
    /// A run with `extra` arguments.
    fn run(&self, extra: &[&str]) -> Output {
        let mut args: Vec<&str> = self.names.iter().map(String::as_str).collect();
        args.extend(["--message-format=json"]);
        args.extend(extra);
        nslint(self.root, &args)
    }

    /// A run with the cache: its output and exit code, and whether it was replayed (no round
    /// of analysis: an edit to a file the fast path never reads counts no replayed file).
    fn cached(&self) -> ((String, Option<i32>), bool) {
        let output = self.run(&["--timings", "--cache-dir", "cache"]);
        let replayed = timings_count(&output, "rounds") == 0;
        ((stdout(&output), output.status.code()), replayed)
    }

    /// A run without the cache: its output and exit code.
    fn uncached(&self) -> (String, Option<i32>) {
        let output = self.run(&["--no-cache"]);
        (stdout(&output), output.status.code())
    }
}

/// The files to edit: those the findings point into first, then others spread over the
/// tree's Rust files, [`FILES_EDITED`] in all.
fn files_to_edit(root: &Path, output: &(String, Option<i32>)) -> Vec<PathBuf> {
    let mut with_findings: Vec<PathBuf> = output
        .0
        .split("\"file_name\":\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|name| root.join(name))
        .filter(|path| path.is_file())
        .collect();
    with_findings.sort();
    with_findings.dedup();
    let mut all = Vec::new();
    rust_files(root, &mut all);
    all.sort();
    let step = (all.len() / FILES_EDITED).max(1);
    let mut files: Vec<PathBuf> = with_findings.into_iter().take(FILES_EDITED / 2).collect();
    for path in all.into_iter().step_by(step) {
        if files.len() == FILES_EDITED {
            break;
        }
        if !files.contains(&path) {
            files.push(path);
        }
    }
    files
}

/// Every `.rs` file below `dir`, the cache aside.
fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && path.file_name().is_none_or(|n| n != "cache") {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// `text` with [`STATEMENT`] after the first line that opens a function body: a line that
/// spells `fn ` and ends with `{` (a guess; an edit that breaks the file is compared too).
fn at_first_body(text: &str) -> Option<String> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        at += line.len();
        if line.contains("fn ") && line.trim_end().ends_with('{') {
            return Some(format!("{}{STATEMENT}{}", &text[..at], &text[at..]));
        }
    }
    None
}

/// `text` with [`COMMENT`] after its first line.
fn after_first_line(text: &str) -> String {
    let at = text.find('\n').map_or(text.len(), |i| i + 1);
    format!("{}{COMMENT}{}", &text[..at], &text[at..])
}

/// The unpacked registry crates of this workspace's `Cargo.lock` whose sources spell a raw
/// switch (`setns` or `unshare`) and hold less than [`MAX_CRATE_BYTES`] of Rust, sorted.
fn locked_crates_with_raw_switches() -> Vec<PathBuf> {
    let mut crates = unpacked_locked_crates();
    crates.retain(|dir| {
        let mut files = Vec::new();
        rust_files(dir, &mut files);
        let texts: Vec<String> = files
            .iter()
            .filter_map(|file| std::fs::read_to_string(file).ok())
            .collect();
        texts.iter().map(String::len).sum::<usize>() < MAX_CRATE_BYTES
            && texts
                .iter()
                .any(|text| text.contains("setns") || text.contains("unshare"))
    });
    crates
}
