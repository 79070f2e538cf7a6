//! Code a crate-local macro writes is reported where the macro is invoked, once per
//! invocation, with a note that points at the line of the macro that wrote it, also when
//! the macro lives in another file.

mod common;

use common::{nslint, one_crate, stdout, write};
use serde_json::Value;

const MAIN: &str = r#"#[macro_use]
mod netns;

fn configure(pod: i32, host: i32) -> i32 {
    in_netns!(pod, host, { 1 })
}

fn configure_again(pod: i32, host: i32) -> i32 {
    let before = 2;
    in_netns!(pod, host, { before })
}

fn main() {
    let _ = (configure(0, 1), configure_again(0, 1));
}
"#;

const NETNS: &str = r#"//! The enter/exit macro, in a file of its own.

macro_rules! in_netns {
    ($target:expr, $origin:expr, $body:block) => {{
        unsafe { libc::setns($target, libc::CLONE_NEWNET) };
        let result = $body;
        unsafe { libc::setns($origin, libc::CLONE_NEWNET) };
        result
    }};
}
"#;

/// `(file, line)` of a JSON span.
fn place(span: &Value) -> (String, u64) {
    (
        span["file_name"].as_str().unwrap_or_default().to_owned(),
        span["line_start"].as_u64().unwrap_or_default(),
    )
}

#[test]
fn findings_in_a_macro_are_reported_at_each_invocation_with_a_note_into_the_macro() {
    let dir = one_crate(MAIN, "");
    write(dir.path(), &[("src/netns.rs", NETNS)]);
    let output = nslint(
        dir.path(),
        &["nslint", "--no-cache", "--message-format", "json"],
    );
    let mut switches = Vec::new();
    for line in stdout(&output).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let diagnostic = &message["message"];
        if diagnostic["code"]["code"] != "nslint::raw_namespace_switch" {
            continue;
        }
        let primary = diagnostic["spans"]
            .as_array()
            .and_then(|spans| spans.iter().find(|s| s["is_primary"] == true))
            .map(place);
        let into_macro: Vec<_> = diagnostic["children"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|child| {
                child["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("expansion of `in_netns!`"))
            })
            .flat_map(|child| child["spans"].as_array().cloned().unwrap_or_default())
            .map(|span| place(&span))
            .collect();
        switches.push((primary, into_macro));
    }
    switches.sort();
    let at = |line: u64| Some(("src/main.rs".to_owned(), line));
    let macro_line = |line: u64| vec![("src/netns.rs".to_owned(), line)];
    assert_eq!(
        switches,
        vec![
            (at(5), macro_line(5)),
            (at(5), macro_line(7)),
            (at(10), macro_line(5)),
            (at(10), macro_line(7)),
        ],
        "{}",
        stdout(&output)
    );
}

const PASSED_IN: &str = r#"macro_rules! best_effort {
    ($e:expr) => {
        let _ = $e;
    };
}

fn main() {
    best_effort!(unsafe { libc::unshare(libc::CLONE_NEWNS) });
}
"#;

/// A switch the invocation passes in, whole, is its own code: reported at its own column, with
/// no note into the macro.
#[test]
fn code_passed_into_a_macro_is_reported_where_it_is_written() {
    let dir = one_crate(PASSED_IN, "");
    let output = nslint(
        dir.path(),
        &["nslint", "--no-cache", "--message-format", "json"],
    );
    let switches: Vec<(u64, u64, usize)> = stdout(&output)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .map(|message| message["message"].clone())
        .filter(|diagnostic| diagnostic["code"]["code"] == "nslint::raw_namespace_switch")
        .filter_map(|diagnostic| {
            let primary = diagnostic["spans"]
                .as_array()?
                .iter()
                .find(|s| s["is_primary"] == true)?
                .clone();
            let notes = diagnostic["children"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|c| {
                    c["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("expansion"))
                })
                .count();
            Some((
                primary["line_start"].as_u64()?,
                primary["column_start"].as_u64()?,
                notes,
            ))
        })
        .collect();
    let column = PASSED_IN
        .lines()
        .nth(7)
        .and_then(|line| line.find("libc::unshare"))
        .map(|at| at as u64 + 1);
    assert_eq!(
        switches,
        vec![(8, column.unwrap_or_default(), 0)],
        "{}",
        stdout(&output)
    );
}
