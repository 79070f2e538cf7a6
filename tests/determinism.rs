//! Determinism (issue 8): the same input gives byte-identical output across runs, across
//! thread counts (`NSLINT_THREADS` / `RAYON_NUM_THREADS` = 1 and 4, which keeps its meaning
//! once the analysis runs in parallel) and across the order in which files were created.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// (exit status, stdout, stderr) of one run.
fn run(dir: &Path, args: &[&str], threads: &str) -> (Option<i32>, Vec<u8>, Vec<u8>) {
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-nslint"))
        .args(args)
        .current_dir(dir)
        .env("NSLINT_THREADS", threads)
        .env("RAYON_NUM_THREADS", threads)
        .env_remove("NSLINT_TIMINGS")
        .output()
        .expect("the binary runs");
    (output.status.code(), output.stdout, output.stderr)
}

#[test]
fn output_is_byte_identical_across_runs_and_thread_counts() {
    let cases = repo().join("fixtures/cases");
    let demo = repo().join("fixtures/demo");
    let inputs: [(&Path, &[&str]); 2] = [(&cases, &["."]), (&demo, &["--workspace"])];
    for (dir, selection) in inputs {
        for format in [
            &["--color", "never"][..],
            &["--message-format", "json"][..],
            &["--format", "sarif"][..],
            &["--message-format", "short"][..],
        ] {
            let args: Vec<&str> = selection.iter().chain(format).copied().collect();
            let first = run(dir, &args, "1");
            assert!(
                matches!(first.0, Some(0 | 1)),
                "{args:?}: {}",
                String::from_utf8_lossy(&first.2)
            );
            assert!(
                !first.1.is_empty() || !first.2.is_empty(),
                "{args:?} printed nothing"
            );
            for threads in ["1", "4", "4"] {
                let again = run(dir, &args, threads);
                assert!(
                    again == first,
                    "{} {args:?} with {threads} thread(s) differs from the first run",
                    dir.display()
                );
            }
        }
    }
}

#[test]
fn output_does_not_depend_on_the_order_files_were_created_in() {
    let cases = repo().join("fixtures/cases");
    let mut files = Vec::new();
    collect(&cases, &cases, &mut files);
    files.sort();
    assert!(files.len() > 10, "{files:?}");
    let forward = tempfile::tempdir().expect("tempdir");
    let backward = tempfile::tempdir().expect("tempdir");
    for rel in &files {
        copy(&cases, forward.path(), rel);
    }
    for rel in files.iter().rev() {
        copy(&cases, backward.path(), rel);
    }
    for format in [
        &["--color", "never"][..],
        &["--message-format", "short"][..],
    ] {
        let args: Vec<&str> = ["."].iter().chain(format).copied().collect();
        let a = run(forward.path(), &args, "4");
        let b = run(backward.path(), &args, "1");
        assert!(matches!(a.0, Some(0 | 1)));
        assert!(a == b, "{args:?}: output depends on file creation order");
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_path_buf());
        }
    }
}

fn copy(from: &Path, to: &Path, rel: &Path) {
    let target = to.join(rel);
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::copy(from.join(rel), target).expect("copy");
}
