//! A library loaded and modelled by two threads at once gives the output of one thread
//! (issue 19): `fixtures/halves/netjail`, whose findings in one half rest on what the other
//! half's bodies say (see its README), linted without a cache on one thread and on two.

mod common;

use common::{copy_tree, nslint_with_env, repo, stderr, stdout, timings_count, write};
use std::path::Path;

/// Stdout and stderr of a cold run on `threads` threads, `--timings` lines apart, and the
/// number of units it loaded in halves.
fn lint(dir: &Path, threads: &str) -> (String, String, usize) {
    let output = nslint_with_env(
        dir,
        &[".", "--no-cache", "--timings", "--message-format", "json"],
        &[
            ("NSLINT_THREADS", threads.as_ref()),
            ("RAYON_NUM_THREADS", threads.as_ref()),
        ],
    );
    let err = stderr(&output);
    let halved = timings_count(&output, "units-halved");
    let rest: String = err
        .lines()
        .filter(|l| !l.starts_with("nslint-"))
        .map(|l| format!("{l}\n"))
        .collect();
    (stdout(&output), rest, halved)
}

#[test]
fn a_library_in_halves_gives_the_output_of_one_thread() {
    let dir = repo().join("fixtures/halves/netjail");
    let (one_out, one_err, one_halved) = lint(&dir, "1");
    let (two_out, two_err, two_halved) = lint(&dir, "2");
    assert_eq!(one_halved, 0, "one thread has no second half");
    assert_eq!(
        two_halved, 1,
        "the library was not loaded in halves: the test proves nothing"
    );
    assert_eq!(one_out, two_out);
    assert_eq!(one_err, two_err);
    // The finding that needs the other half's forwarder (`jobs::on_pool` hands the closure to
    // tokio's blocking pool), and the missing module, reported once.
    assert!(
        two_out.contains("switch_without_restore") && two_out.contains("src/netns.rs"),
        "{two_out}"
    );
    let missing = two_out
        .lines()
        .filter(|l| l.contains("file not found for module `generated`"))
        .count();
    assert_eq!(missing, 1, "{two_out}");
}

#[test]
fn an_error_inside_one_halfs_bodies_runs_the_library_on_one_thread() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&repo().join("fixtures/halves/netjail"), dir.path());
    // Only the half that parses `broken.rs`'s bodies meets the error: the halves' problems
    // differ, so they give up and one thread loads the library.
    let lib = std::fs::read_to_string(dir.path().join("src/lib.rs")).expect("lib.rs");
    write(
        dir.path(),
        &[
            ("src/lib.rs", &format!("{lib}pub mod broken;\n")),
            ("src/broken.rs", "pub fn broken() {\n    let x = ;\n}\n"),
        ],
    );
    let (one_out, one_err, _) = lint(dir.path(), "1");
    let (two_out, two_err, two_halved) = lint(dir.path(), "2");
    assert_eq!(two_halved, 0);
    assert_eq!(one_out, two_out);
    assert_eq!(one_err, two_err);
    assert!(two_out.contains("src/broken.rs"), "{two_out}");
}

#[test]
fn a_panic_while_loading_in_halves_is_the_internal_error_of_one_thread() {
    let dir = repo().join("fixtures/halves/netjail");
    let lint_panicking = |threads: &str| {
        let output = nslint_with_env(
            &dir,
            &[".", "--no-cache", "--message-format", "json"],
            &[
                ("NSLINT_THREADS", threads.as_ref()),
                ("RAYON_NUM_THREADS", threads.as_ref()),
                // Both halves load `paths.rs` and panic there; the library is then run on
                // one thread, which reports the panic as one thread does.
                ("NSLINT_INJECT_PANIC", "src/paths.rs".as_ref()),
            ],
        );
        (output.status.code(), stdout(&output))
    };
    let one = lint_panicking("1");
    let two = lint_panicking("2");
    // Debug builds only inject the fault; a release test build lints as usual.
    if cfg!(debug_assertions) {
        assert!(
            two.1.contains("internal error: nslint panicked"),
            "{}",
            two.1
        );
    }
    assert_eq!(one, two);
}
