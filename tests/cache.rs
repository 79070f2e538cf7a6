//! The editor cache: a warm run gives exactly what a cold run gives, re-analyses only the
//! targets whose files changed, and survives garbage entries and concurrent runs.

mod common;

use common::{copy_tree, nslint, repo, stdout};
use std::fs;
use std::path::{Path, PathBuf};

fn demo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&repo().join("fixtures/demo"), dir.path());
    let _ = fs::remove_dir_all(dir.path().join("target"));
    dir
}

fn run(dir: &Path, cache: &Path) -> String {
    let cache = cache.to_str().expect("utf-8");
    stdout(&nslint(
        dir,
        &["--workspace", "--message-format=json", "--cache-dir", cache],
    ))
}

fn cold(dir: &Path) -> String {
    stdout(&nslint(
        dir,
        &["--workspace", "--message-format=json", "--no-cache"],
    ))
}

/// Whether a file in the cache is replay's (its record and side files, which every full run
/// with JSON output writes anew; `tests/replay.rs` covers them).
fn is_replays(path: &Path) -> bool {
    let record = format!("{:016x}.entry", nslint::hash::fnv1a64(b"replay record"));
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("replay-") || n == record)
}

/// The cache entries other than replay's and their contents, by file name.
fn entries(cache: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut entries: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(cache)
        .expect("cache dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| !is_replays(p))
        .map(|p| {
            let bytes = fs::read(&p).expect("read entry");
            (p, bytes)
        })
        .collect();
    entries.sort();
    entries
}

#[test]
fn warm_runs_match_cold_runs_and_only_changed_targets_are_redone() {
    let dir = demo_copy();
    let cache = dir.path().join("cache");
    let expected = cold(dir.path());
    assert!(!expected.is_empty());
    assert_eq!(
        run(dir.path(), &cache),
        expected,
        "first run fills the cache"
    );
    let filled = entries(&cache);
    assert_eq!(
        filled.len(),
        3,
        "one entry per target (cni-bridge, netutil) and cargo's metadata: nothing of \
         hollowing's demand, since a package this size gives the rounds up"
    );
    assert_eq!(run(dir.path(), &cache), expected, "warm run");
    assert_eq!(
        entries(&cache),
        filled,
        "a warm run with nothing changed rewrites nothing"
    );

    // Edit one file of netutil: only its entry is made again, and the change is seen.
    let lib = dir.path().join("netutil/src/lib.rs");
    let text = fs::read_to_string(&lib).expect("read");
    fs::write(
        &lib,
        format!(
            "{text}\npub fn probe() -> i32 {{ unsafe {{ libc::unshare(libc::CLONE_NEWNET) }} }}\n"
        ),
    )
    .expect("edit");
    let edited = run(dir.path(), &cache);
    assert_eq!(
        edited,
        cold(dir.path()),
        "warm after an edit equals cold after it"
    );
    assert!(
        edited.contains("netutil/src/lib.rs"),
        "the new switch is found"
    );
    let after = entries(&cache);
    let changed: Vec<&(PathBuf, Vec<u8>)> = after
        .iter()
        .zip(&filled)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a)
        .collect();
    let names = |entry: &(PathBuf, Vec<u8>), needle: &str| {
        entry
            .1
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    };
    assert_eq!(
        changed
            .iter()
            .filter(|e| names(e, "netutil/src/lib.rs"))
            .count(),
        1,
        "the edited target's entry is made again"
    );
    assert!(
        !changed.iter().any(|e| names(e, "cni-bridge/src")),
        "the other target's entry is reused"
    );
}

/// Entries are whole and valid when a further run reuses every one of them unchanged.
fn assert_entries_valid(dir: &Path, cache: &Path, expected: &str) {
    let before = entries(cache);
    assert_eq!(run(dir, cache), expected);
    assert_eq!(entries(cache), before, "every entry was reused as it was");
    for entry in fs::read_dir(cache).expect("cache dir") {
        let path = entry.expect("entry").path();
        assert!(
            path.extension().is_some_and(|e| e == "entry" || e == "bin"),
            "no temporary file left: {}",
            path.display()
        );
    }
}

#[test]
fn garbage_and_truncated_entries_are_ignored_and_rewritten() {
    let dir = demo_copy();
    let cache = dir.path().join("cache");
    let expected = cold(dir.path());
    run(dir.path(), &cache);
    for entry in fs::read_dir(&cache).expect("cache dir") {
        let path = entry.expect("entry").path();
        let bytes = fs::read(&path).expect("read");
        fs::write(&path, &bytes[..bytes.len() / 2]).expect("truncate");
    }
    assert_eq!(run(dir.path(), &cache), expected);
    assert_entries_valid(dir.path(), &cache, &expected);
    for entry in fs::read_dir(&cache).expect("cache dir") {
        let path = entry.expect("entry").path();
        fs::write(&path, b"{\"not\": \"an entry\"}").expect("garbage");
    }
    assert_eq!(run(dir.path(), &cache), expected);
    assert_entries_valid(dir.path(), &cache, &expected);
}

#[test]
fn concurrent_runs_sharing_a_cache_agree() {
    let dir = demo_copy();
    let cache = dir.path().join("cache");
    let expected = cold(dir.path());
    for _ in 0..3 {
        let outputs: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| run(dir.path(), &cache)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("run"))
                .collect()
        });
        for output in outputs {
            assert_eq!(output, expected);
        }
    }
    assert_entries_valid(dir.path(), &cache, &expected);
}
