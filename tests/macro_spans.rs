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
