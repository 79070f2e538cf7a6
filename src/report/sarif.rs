//! `--format sarif`: a SARIF 2.1.0 log for code scanning (GitHub, Azure DevOps, IDE viewers).
//!
//! Rules come from the lint registry. Each result carries its region in character columns
//! (`columnKind: unicodeCodePoints`), the `primaryLocationLineHash` GitHub would compute, and
//! an `nslint/v1` fingerprint that does not depend on line numbers (the baseline key plus an
//! occurrence number). Problems that are not lint findings (unreadable or unparsable files)
//! become tool execution notifications.

use super::line_hash::line_hashes;
use crate::analysis::Analysis;
use crate::baseline::KeyMaker;
use crate::diagnostic::{ChildKind, Diagnostic, Span};
use crate::discover::Workspace;
use crate::hash::fnv1a64;
use crate::registry::{LINTS, Level, Lint};
use crate::source::{FileId, SourceDb};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The SARIF schema nslint's output follows.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Renders the analysis as a SARIF log (pretty-printed JSON).
pub fn render_sarif(analysis: &Analysis, workspace: &Workspace) -> Result<String, String> {
    let mut line_hashes_of: BTreeMap<FileId, Vec<String>> = BTreeMap::new();
    let mut keys = KeyMaker::default();
    let mut occurrences: BTreeMap<String, usize> = BTreeMap::new();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for d in &analysis.diagnostics {
        let Some(lint) = d.lint_ref() else {
            notifications.push(notification(&analysis.db, d));
            continue;
        };
        let mut fingerprints = serde_json::Map::new();
        if let Some(primary) = &d.primary {
            let file = analysis.db.get(primary.span.file);
            let hashes = line_hashes_of
                .entry(primary.span.file)
                .or_insert_with(|| line_hashes(&file.text));
            let line = file.position(primary.span.range.start).line;
            if let Some(hash) = hashes.get(line - 1).filter(|h| !h.is_empty()) {
                fingerprints.insert("primaryLocationLineHash".into(), json!(hash));
            }
        }
        if let Some(key) = keys.key(&analysis.db, d) {
            let identity = format!("{}\0{}\0{}\0{}", key.lint, key.path, key.item, key.snippet);
            let n = occurrences.entry(identity.clone()).or_insert(0);
            *n += 1;
            fingerprints.insert(
                "nslint/v1".into(),
                json!(format!("{:016x}:{n}", fnv1a64(identity.as_bytes()))),
            );
        }
        let mut result = json!({
            "ruleId": lint.code(),
            "ruleIndex": LINTS.iter().position(|l| l.name == lint.name),
            "level": sarif_level(d.level),
            "message": {"text": message_text(d)},
            "locations": d.primary.iter().map(|p| location(&analysis.db, &p.span, None)).collect::<Vec<_>>(),
            "partialFingerprints": fingerprints,
        });
        let related: Vec<Value> = d
            .secondary
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let mut loc = location(&analysis.db, &label.span, Some(&label.message));
                loc["id"] = json!(i + 1);
                loc
            })
            .collect();
        if !related.is_empty() {
            result["relatedLocations"] = json!(related);
        }
        results.push(result);
    }
    let root = file_uri(&workspace.root);
    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver()},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root}},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
        }],
    });
    serde_json::to_string_pretty(&log).map_err(|e| e.to_string())
}

fn driver() -> Value {
    json!({
        "name": "nslint",
        "fullName": "nslint: static analysis for Linux namespace switches in Rust code",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "informationUri": crate::registry::DOCS_BASE_URL,
        "rules": LINTS.iter().map(|l| rule(l)).collect::<Vec<_>>(),
    })
}

fn rule(lint: &Lint) -> Value {
    json!({
        "id": lint.code(),
        "name": pascal_case(lint.name),
        "shortDescription": {"text": lint.summary},
        "fullDescription": {"text": what_it_does(lint.docs)},
        "help": {"text": lint.docs, "markdown": lint.docs},
        "helpUri": lint.url(),
        "defaultConfiguration": {"level": sarif_level(lint.default_level)},
        "properties": {"tags": ["namespaces", "concurrency"]},
    })
}

/// The first paragraph under `### What it does`, on one line.
fn what_it_does(docs: &str) -> String {
    let section = docs
        .split("### What it does")
        .nth(1)
        .unwrap_or(docs)
        .trim_start();
    let paragraph = section.split("\n\n").next().unwrap_or(section);
    paragraph.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pascal_case(name: &str) -> String {
    name.split('_')
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Allow => "none",
        Level::Warn => "warning",
        Level::Deny | Level::Forbid => "error",
    }
}

/// The headline, then the notes and help lines as rustc prints them.
fn message_text(d: &Diagnostic) -> String {
    let mut text = d.message.clone();
    for child in &d.children {
        let kind = match child.kind {
            ChildKind::Note => "note",
            ChildKind::Help => "help",
        };
        text.push_str(&format!("\n{kind}: {}", child.message));
    }
    text
}

fn location(db: &SourceDb, span: &Span, message: Option<&str>) -> Value {
    let file = db.get(span.file);
    let start = file.position(span.range.start);
    let end = file.position(span.range.end.max(span.range.start));
    let snippet = file.text.get(start.offset..end.offset).unwrap_or_default();
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri_path(&file.display_name), "uriBaseId": "%SRCROOT%"},
            "region": {
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
                // The byte-order mark, left out of `text`, is a character of the file.
                "charOffset": file.text[..start.offset].chars().count()
                    + usize::from(file.disk_offset(0) > 0),
                "charLength": snippet.chars().count(),
                "snippet": {"text": snippet},
            },
        },
    });
    if let Some(message) = message.filter(|m| !m.is_empty()) {
        loc["message"] = json!({"text": message});
    }
    loc
}

fn notification(db: &SourceDb, d: &Diagnostic) -> Value {
    let mut n = json!({
        "level": if d.level.is_error() { "error" } else { "warning" },
        "message": {"text": message_text(d)},
    });
    if let Some(primary) = &d.primary {
        n["locations"] = json!([location(db, &primary.span, None)]);
    }
    n
}

/// Percent-encodes a relative path for a URI reference (keeps `/`).
fn uri_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `file:///abs/dir/` for a directory.
fn file_uri(dir: &std::path::Path) -> String {
    let path = dir.to_string_lossy().replace('\\', "/");
    let mut uri = format!("file://{}", uri_path(&path));
    if !path.starts_with('/') {
        uri = format!("file:///{}", uri_path(&path));
    }
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_texts_come_from_the_docs() {
        let text = what_it_does(crate::registry::RAW_NAMESPACE_SWITCH.docs);
        assert!(text.starts_with("Reports every place"), "{text}");
        assert_eq!(pascal_case("raw_namespace_switch"), "RawNamespaceSwitch");
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(uri_path("a b/ü.rs"), "a%20b/%C3%BC.rs");
        assert_eq!(file_uri(std::path::Path::new("/work/x")), "file:///work/x/");
    }
}
