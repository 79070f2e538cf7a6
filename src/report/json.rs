//! `--message-format json`: one cargo `compiler-message` per line, as rust-analyzer and
//! `cargo_metadata::Message` read them.
//!
//! Each message is assembled as JSON, then read into `cargo_metadata`'s own types and written
//! back out from them, so a line that does not fit cargo's schema is an error here rather than
//! in the editor. `manifest_path`, which cargo writes but `cargo_metadata` does not model, is
//! added afterwards.

use super::fix::{Fix, fixes};
use super::human::render_one;
use super::severity_word;
use crate::analysis::Analysis;
use crate::diagnostic::{ChildKind, Diagnostic, Span};
use crate::discover::Workspace;
use crate::source::SourceDb;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Renders every diagnostic as one JSON line; `ansi` colors the `rendered` text.
pub fn render_json(
    analysis: &Analysis,
    workspace: &Workspace,
    ansi: bool,
) -> Result<String, String> {
    use rayon::prelude::*;
    let mut lints_seen = BTreeSet::new();
    let firsts: Vec<bool> = analysis
        .diagnostics
        .iter()
        .map(|d| d.lint_ref().is_some_and(|l| lints_seen.insert(l.name)))
        .collect();
    // Each line is rendered on its own (snippets are the costly part), in parallel, and
    // joined in order.
    let lines: Vec<String> = analysis
        .diagnostics
        .par_iter()
        .zip(firsts)
        .map(|(diagnostic, first)| compiler_message(analysis, workspace, diagnostic, first, ansi))
        .collect::<Result<_, _>>()?;
    let mut out = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for line in lines {
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

/// One diagnostic as a `compiler-message` line (without the newline).
pub fn compiler_message(
    analysis: &Analysis,
    workspace: &Workspace,
    diagnostic: &Diagnostic,
    level_note: bool,
    ansi: bool,
) -> Result<String, String> {
    let owner = Owner::of(analysis, workspace, diagnostic);
    let mut shown = diagnostic.clone();
    if let Some(lint) = diagnostic.lint_ref() {
        shown = shown.with_help(format!("for further information visit {}", lint.url()));
    }
    let rendered = render_one(&analysis.db, &shown, level_note, ansi);
    let mut children: Vec<Value> = shown
        .children
        .iter()
        .map(|child| {
            let level = match child.kind {
                ChildKind::Note => "note",
                ChildKind::Help => "help",
            };
            let spans = child
                .span
                .iter()
                .map(|s| span_json(&analysis.db, s, false, None, None))
                .collect();
            sub_diagnostic(&child.message, level, spans)
        })
        .collect();
    for fix in fixes(diagnostic, &analysis.db) {
        children.push(fix_json(&analysis.db, &fix));
    }
    if let Some(lint) = diagnostic.lint_ref().filter(|_| level_note) {
        let note = if diagnostic.level == lint.default_level {
            format!("`#[{}({})]` on by default", diagnostic.level, lint.code())
        } else {
            format!("`{}` is set to `{}`", lint.code(), diagnostic.level)
        };
        children.push(sub_diagnostic(&note, "note", Vec::new()));
    }
    let mut spans = Vec::new();
    if let Some(primary) = &diagnostic.primary {
        spans.push(span_json(
            &analysis.db,
            &primary.span,
            true,
            Some(&primary.message),
            None,
        ));
    }
    for label in &diagnostic.secondary {
        spans.push(span_json(
            &analysis.db,
            &label.span,
            false,
            Some(&label.message),
            None,
        ));
    }
    let message = json!({
        "reason": "compiler-message",
        "package_id": owner.package_id,
        "target": owner.target,
        "message": {
            "message": diagnostic.message,
            "code": diagnostic.code().map(|code| json!({"code": code, "explanation": null})),
            "level": severity_word(diagnostic),
            "spans": spans,
            "children": children,
            "rendered": rendered,
        },
    });
    // Through cargo_metadata's types and back: what it cannot read, we do not print.
    let typed: cargo_metadata::Message = serde_json::from_value(message)
        .map_err(|e| format!("internal error: a JSON message does not fit cargo's schema: {e}"))?;
    let text = serde_json::to_string(&typed).map_err(|e| e.to_string())?;
    let manifest_path =
        serde_json::to_string(&owner.manifest_path.to_string_lossy()).map_err(|e| e.to_string())?;
    // Cargo writes `manifest_path` after `package_id`; keep `reason` first, as cargo does.
    let prefix = "{\"reason\":\"compiler-message\",";
    Ok(match text.strip_prefix(prefix) {
        Some(rest) => format!("{prefix}\"manifest_path\":{manifest_path},{rest}"),
        None => text,
    })
}

fn sub_diagnostic(message: &str, level: &str, spans: Vec<Value>) -> Value {
    json!({
        "message": message,
        "code": null,
        "level": level,
        "spans": spans,
        "children": [],
        "rendered": null,
    })
}

fn fix_json(db: &SourceDb, fix: &Fix) -> Value {
    let spans = fix
        .edits
        .iter()
        .map(|edit| {
            let span = Span {
                file: edit.file,
                range: edit.range.clone(),
            };
            span_json(
                db,
                &span,
                true,
                None,
                Some((&edit.replacement, fix.certainty.as_str())),
            )
        })
        .collect();
    sub_diagnostic(&fix.message, "help", spans)
}

/// A span as rustc writes it: byte offsets, 1-based lines, 1-based character columns (end
/// exclusive), and the text of every covered line with its highlighted columns.
fn span_json(
    db: &SourceDb,
    span: &Span,
    is_primary: bool,
    label: Option<&str>,
    replacement: Option<(&str, &str)>,
) -> Value {
    let file = db.get(span.file);
    let start = file.position(span.range.start);
    let end = file.position(span.range.end.max(span.range.start));
    let text: Vec<Value> = (start.line..=end.line)
        .map(|line| {
            let content = file.line_text(line);
            let highlight_start = if line == start.line { start.column } else { 1 };
            let highlight_end = if line == end.line {
                end.column
            } else {
                content.chars().count() + 1
            };
            json!({
                "text": content,
                "highlight_start": highlight_start,
                "highlight_end": highlight_end,
            })
        })
        .collect();
    json!({
        "file_name": file.display_name,
        "byte_start": file.disk_offset(start.offset),
        "byte_end": file.disk_offset(end.offset),
        "line_start": start.line,
        "line_end": end.line,
        "column_start": start.column,
        "column_end": end.column,
        "is_primary": is_primary,
        "text": text,
        "label": label.filter(|l| !l.is_empty()),
        "suggested_replacement": replacement.map(|(r, _)| r),
        "suggestion_applicability": replacement.map(|(_, a)| a),
        "expansion": null,
    })
}

/// The package and target a message is attributed to.
struct Owner {
    package_id: String,
    manifest_path: PathBuf,
    target: Value,
}

impl Owner {
    /// The package owning the diagnostic's file; for loose files (and problems with no file)
    /// a package named after the file (or the workspace directory) is made up, as cargo would
    /// name a single-file package.
    fn of(analysis: &Analysis, workspace: &Workspace, diagnostic: &Diagnostic) -> Owner {
        let file = diagnostic.primary.as_ref().map(|p| p.span.file);
        let owned = file
            .and_then(|f| analysis.owners.get(&f))
            .and_then(|o| {
                let spec = workspace.crates.get(o.crate_index)?;
                Some((spec, spec.targets.get(o.target_index)?))
            })
            .or_else(|| {
                // A problem with no file: the first package, if there is one.
                file.is_none()
                    .then(|| workspace.crates.first())
                    .flatten()
                    .and_then(|spec| Some((spec, spec.targets.first()?)))
            });
        if let Some((spec, target)) = owned {
            return Owner {
                package_id: spec.package_id.clone(),
                manifest_path: spec.manifest_path.clone(),
                target: target_json(
                    &target.name,
                    &target.kind,
                    &target.crate_types,
                    &target.src_path,
                    &target.edition,
                ),
            };
        }
        let src_path = match file {
            Some(f) => analysis.db.get(f).path.clone(),
            None => workspace.root.clone(),
        };
        loose(&src_path)
    }
}

fn loose(src_path: &Path) -> Owner {
    let name = src_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "main".to_owned());
    let dir = src_path.parent().unwrap_or(src_path);
    let kind = vec!["bin".to_owned()];
    Owner {
        package_id: format!("path+file://{}#{name}@0.0.0", dir.display()),
        manifest_path: dir.join("Cargo.toml"),
        target: target_json(&name, &kind, &kind, src_path, ""),
    }
}

fn target_json(
    name: &str,
    kind: &[String],
    crate_types: &[String],
    src_path: &Path,
    edition: &str,
) -> Value {
    let edition = match edition {
        "2015" | "2018" | "2021" | "2024" => edition,
        _ => "2021",
    };
    json!({
        "name": name,
        "kind": kind,
        "crate_types": crate_types,
        "required-features": [],
        "src_path": src_path.to_string_lossy(),
        "edition": edition,
        "doc": true,
        "doctest": kind.iter().any(|k| k == "lib"),
        "test": true,
    })
}
