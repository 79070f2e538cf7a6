//! `--message-format json`: every line is a cargo `compiler-message` that `cargo_metadata`
//! reads, attributed to the right package and target, with paths relative to the workspace
//! root, character columns and the text of every covered line; a third-party consumer
//! (`clippy-sarif`) converts it.

mod common;

use cargo_metadata::Message;
use cargo_metadata::diagnostic::{Applicability, DiagnosticLevel};
use common::{find_tool, nslint, repo, stdout, tools_required};
use std::io::Write;
use std::process::{Command, Stdio};

fn demo_json(format: &str) -> (std::process::Output, Vec<cargo_metadata::CompilerMessage>) {
    let demo = repo().join("fixtures/demo");
    let output = nslint(
        &demo,
        &[
            "--workspace",
            "--message-format",
            format,
            "--color",
            "never",
        ],
    );
    let messages = stdout(&output)
        .lines()
        .map(|line| match serde_json::from_str::<Message>(line) {
            Ok(Message::CompilerMessage(m)) => m,
            other => panic!("not a compiler-message: {other:?}\n{line}"),
        })
        .collect();
    (output, messages)
}

#[test]
fn every_line_is_a_compiler_message_of_the_owning_package() {
    let (output, messages) = demo_json("json");
    assert_eq!(output.status.code(), Some(1), "deny-level findings exit 1");
    assert!(!messages.is_empty());
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(repo().join("fixtures/demo/Cargo.toml"))
        .no_deps()
        .exec()
        .expect("cargo metadata");
    let bridge = metadata
        .packages
        .iter()
        .find(|p| p.name.as_str() == "cni-bridge")
        .expect("cni-bridge");
    for m in &messages {
        let code = m.message.code.as_ref().expect("a lint code");
        assert!(code.code.starts_with("nslint::"), "{}", code.code);
        let span = m
            .message
            .spans
            .iter()
            .find(|s| s.is_primary)
            .expect("a primary span");
        // Relative to the workspace root, member directory included.
        assert!(
            span.file_name.starts_with("cni-bridge/src/"),
            "{}",
            span.file_name
        );
        assert_eq!(m.package_id, bridge.id);
        assert_eq!(m.target.name, "cni-bridge");
        assert!(m.target.src_path.ends_with("cni-bridge/src/main.rs"));
        assert_eq!(span.text.len(), span.line_end - span.line_start + 1);
        let rendered = m.message.rendered.as_deref().expect("rendered");
        assert!(rendered.contains(&format!("[{}]", code.code)), "{rendered}");
        assert!(rendered.contains(&format!(
            "--> {}:{}:{}",
            span.file_name, span.line_start, span.column_start
        )));
        assert!(
            m.message
                .children
                .iter()
                .any(|c| c.level == DiagnosticLevel::Help
                    && c.message
                        .starts_with("for further information visit https://")),
            "the docs link is a help child"
        );
    }
    let levels: Vec<_> = messages.iter().map(|m| m.message.level).collect();
    assert!(levels.contains(&DiagnosticLevel::Error));
    assert!(levels.contains(&DiagnosticLevel::Warning));
}

#[test]
fn spans_match_the_source_bytes_and_lines() {
    let (_, messages) = demo_json("json");
    for m in &messages {
        for span in &m.message.spans {
            let text = std::fs::read_to_string(repo().join("fixtures/demo").join(&span.file_name))
                .expect("source");
            let snippet = &text[span.byte_start as usize..span.byte_end as usize];
            let first = &span.text[0];
            let highlighted: String = first
                .text
                .chars()
                .skip(first.highlight_start - 1)
                .take(first.highlight_end - first.highlight_start)
                .collect();
            assert!(
                snippet.starts_with(&highlighted),
                "{snippet} / {highlighted}"
            );
            let line = text.lines().nth(span.line_start - 1).expect("line");
            assert_eq!(first.text, line);
        }
    }
}

#[test]
fn unchecked_nix_switch_offers_a_question_mark() {
    let (_, messages) = demo_json("json");
    let fix = messages
        .iter()
        .filter(|m| {
            m.message.code.as_ref().map(|c| c.code.as_str())
                == Some("nslint::unchecked_namespace_switch")
        })
        .flat_map(|m| &m.message.children)
        .flat_map(|c| &c.spans)
        .find(|s| s.suggested_replacement.is_some())
        .expect("a suggestion");
    assert_eq!(fix.suggested_replacement.as_deref(), Some("?"));
    assert_eq!(
        fix.suggestion_applicability,
        Some(Applicability::MaybeIncorrect)
    );
    assert_eq!(fix.file_name, "cni-bridge/src/setup.rs");
}

#[test]
fn ansi_rendering_is_colored_and_cargo_style_lists_are_accepted() {
    let (_, plain) = demo_json("json");
    let (_, colored) = demo_json("json,json-diagnostic-rendered-ansi");
    assert_eq!(plain.len(), colored.len());
    let rendered = colored[0].message.rendered.as_deref().expect("rendered");
    assert!(rendered.contains("\u{1b}["), "{rendered:?}");
    let rendered = plain[0].message.rendered.as_deref().expect("rendered");
    assert!(!rendered.contains("\u{1b}["), "{rendered:?}");
}

#[test]
fn columns_count_characters_on_non_ascii_lines() {
    let dir = repo().join("fixtures/outputs/unicode");
    let output = nslint(&dir, &["--message-format=json"]);
    let line = stdout(&output);
    let Ok(Message::CompilerMessage(m)) =
        serde_json::from_str::<Message>(line.lines().next().expect("a message"))
    else {
        panic!("not a compiler message: {line}");
    };
    let span = &m.message.spans[0];
    let source = std::fs::read_to_string(dir.join("src/main.rs")).expect("source");
    let line_text = source.lines().nth(span.line_start - 1).expect("line");
    let chars_before = line_text
        .find("libc::setns")
        .map(|b| line_text[..b].chars().count())
        .expect("call");
    assert_eq!(span.column_start, chars_before + 1);
    assert_eq!(span.text[0].highlight_start, chars_before + 1);
    assert_eq!(
        &source[span.byte_start as usize..span.byte_start as usize + 11],
        "libc::setns"
    );
    assert_eq!(span.file_name, "src/main.rs");
    assert_eq!(m.target.name, "unicode-columns");
}

#[test]
fn clippy_sarif_converts_the_output() {
    let Some(tool) = find_tool("clippy-sarif") else {
        assert!(
            !tools_required(),
            "clippy-sarif is required (NSLINT_REQUIRE_TOOLS is set); install it with \
             `cargo install clippy-sarif --locked`"
        );
        println!("SKIPPED (clippy-sarif not installed): cargo install clippy-sarif --locked");
        return;
    };
    let (output, messages) = demo_json("json");
    let mut child = Command::new(tool)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("clippy-sarif runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&output.stdout)
        .expect("write");
    let converted = child.wait_with_output().expect("clippy-sarif finishes");
    assert!(converted.status.success());
    let sarif: serde_json::Value =
        serde_json::from_slice(&converted.stdout).expect("clippy-sarif writes JSON");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(results.iter().all(|r| {
        r["ruleId"]
            .as_str()
            .is_some_and(|id| id.starts_with("nslint::"))
    }));
    // clippy-sarif turns every span (secondary labels too) into a result: each message's
    // primary location must be among them.
    let converted: std::collections::BTreeSet<(String, u64)> = results
        .iter()
        .filter_map(|r| {
            let rule = r["ruleId"].as_str()?.to_owned();
            let line = r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64()?;
            Some((rule, line))
        })
        .collect();
    for m in &messages {
        let code = m.message.code.as_ref().expect("code").code.clone();
        let primary = m
            .message
            .spans
            .iter()
            .find(|s| s.is_primary)
            .expect("primary");
        assert!(
            converted.contains(&(code.clone(), primary.line_start as u64)),
            "{code} at line {} missing from clippy-sarif's output",
            primary.line_start
        );
    }
}
