//! Every suppression form, end to end through the built binary: line comments (same line and
//! line above), `allow-file`, `cfg_attr` allow/expect on the crate, an item and a statement,
//! `deny` raising a level, missing reasons, unused suppressions and `--show-suppressed`.

mod common;

use common::{codes, nslint, one_crate, stderr, stdout, write};
use serde_json::Value;

const MAIN: &str = r#"//! Every suppression form.
#![cfg_attr(nslint, allow(nslint::process_wide_namespace_path, reason = "crate-wide, test"))]

mod generated;

fn same_line(fd: i32) -> i32 {
    unsafe { libc::setns(fd, libc::CLONE_NEWNET) } // nslint: allow(raw_namespace_switch) -- same line
}

fn line_above(fd: i32) -> i32 {
    // nslint: allow(raw_namespace_switch) -- the line above
    // SAFETY: other comments may sit in between.
    unsafe { libc::setns(fd, libc::CLONE_NEWNET) }
}

#[cfg_attr(nslint, allow(nslint::raw_namespace_switch, reason = "on the item"))]
fn on_item(fd: i32) -> i32 {
    unsafe { libc::setns(fd, libc::CLONE_NEWNET) }
}

fn on_statement(fd: i32) -> i32 {
    #[cfg_attr(nslint, expect(nslint::raw_namespace_switch, reason = "on the statement"))]
    let rc = unsafe { libc::setns(fd, libc::CLONE_NEWNET) };
    rc
}

#[cfg_attr(nslint, deny(nslint::raw_namespace_switch))]
fn raised(fd: i32) -> i32 {
    unsafe { libc::setns(fd, libc::CLONE_NEWNET) }
}

fn reported(fd: i32) -> i32 {
    unsafe { libc::setns(fd, libc::CLONE_NEWNET) }
}

fn no_reason(fd: i32) -> i32 {
    unsafe { libc::setns(fd, libc::CLONE_NEWNET) } // nslint: allow(raw_namespace_switch)
}

// nslint: allow(raw_namespace_switch) -- nothing here to silence
fn unused() {}

#[cfg_attr(nslint, expect(nslint::raw_namespace_switch, reason = "no longer fires"))]
fn unfulfilled() {}

fn main() {
    let s = "// nslint: allow(raw_namespace_switch) -- inside a string, not a comment";
    let _ = (s, same_line(0), line_above(0), on_item(0), on_statement(0), raised(0));
    let _ = (reported(0), no_reason(0), unused(), unfulfilled(), generated::a(0));
}
"#;

const GENERATED: &str = r#"// nslint: allow-file(raw_namespace_switch) -- generated bindings, reviewed as a whole

pub fn a(fd: i32) -> i32 {
    unsafe { libc::setns(fd, libc::CLONE_NEWNET) }
}

pub fn b(fd: i32) -> i32 {
    let rc = unsafe { libc::unshare(libc::CLONE_NEWNET) + fd };
    let _ = std::fs::read_link("/proc/self/ns/net");
    rc
}
"#;

fn fixture() -> tempfile::TempDir {
    let dir = one_crate(MAIN, "");
    write(dir.path(), &[("src/generated.rs", GENERATED)]);
    dir
}

fn messages(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect()
}

fn line_of(m: &Value) -> u64 {
    m["message"]["spans"][0]["line_start"].as_u64().unwrap_or(0)
}

fn line_in_main(needle: &str) -> u64 {
    MAIN.lines()
        .position(|l| l.contains(needle))
        .expect("needle") as u64
        + 1
}

#[test]
fn each_form_silences_raises_or_is_reported() {
    let dir = fixture();
    let output = nslint(dir.path(), &["--message-format=json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let all = messages(&stdout(&output));
    let of = |code: &str| -> Vec<(u64, String, String)> {
        all.iter()
            .filter(|m| m["message"]["code"]["code"] == code)
            .map(|m| {
                (
                    line_of(m),
                    m["message"]["level"].as_str().unwrap_or("").to_owned(),
                    m["message"]["spans"][0]["file_name"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned(),
                )
            })
            .collect()
    };
    let raised = line_in_main("fn raised") + 1;
    let reported = line_in_main("fn reported") + 1;
    assert_eq!(
        of("nslint::raw_namespace_switch"),
        [
            (raised, "error".to_owned(), "src/main.rs".to_owned()),
            (reported, "warning".to_owned(), "src/main.rs".to_owned()),
        ]
    );
    let no_reason = line_in_main("fn no_reason") + 1;
    assert_eq!(
        of("nslint::suppression_without_reason"),
        [(no_reason, "warning".to_owned(), "src/main.rs".to_owned())]
    );
    let unused: Vec<u64> = of("nslint::unused_suppression")
        .into_iter()
        .map(|(l, _, _)| l)
        .collect();
    assert_eq!(
        unused,
        [
            line_in_main("nothing here to silence"),
            line_in_main("no longer fires")
        ]
    );
    assert!(of("nslint::process_wide_namespace_path").is_empty());
}

#[test]
fn show_suppressed_lists_what_was_silenced_with_reasons() {
    let dir = fixture();
    let output = nslint(dir.path(), &["--message-format=short", "--show-suppressed"]);
    let err = stderr(&output);
    let listed: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("suppressed: "))
        .collect();
    // same line, line above, item, statement, no reason, two in generated.rs, the path.
    assert_eq!(listed.len(), 8, "{err}");
    assert!(err.contains("(by src/generated.rs:1: generated bindings, reviewed as a whole)"));
    assert!(err.contains("no reason given"));
    assert!(err.contains("8 findings suppressed in source"));
}

#[test]
fn a_lint_allowed_by_flag_does_not_make_its_suppressions_unused() {
    let dir = fixture();
    let output = nslint(
        dir.path(),
        &["--message-format=json", "-A", "raw_namespace_switch"],
    );
    let found = codes(&stdout(&output));
    // The two genuinely unused ones remain; the `deny` attribute still raises its finding.
    assert_eq!(
        found
            .iter()
            .filter(|c| *c == "nslint::unused_suppression")
            .count(),
        2
    );
    assert_eq!(
        found
            .iter()
            .filter(|c| *c == "nslint::raw_namespace_switch")
            .count(),
        1
    );
}

#[test]
fn forbid_cannot_be_suppressed() {
    let dir = fixture();
    let output = nslint(
        dir.path(),
        &["--message-format=json", "-F", "raw_namespace_switch"],
    );
    let found = codes(&stdout(&output));
    assert_eq!(
        found
            .iter()
            .filter(|c| *c == "nslint::raw_namespace_switch")
            .count(),
        9,
        "seven switches in main.rs and two in generated.rs"
    );
}
