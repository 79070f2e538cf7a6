//! `--message-format json`: one cargo `compiler-message` per line, as rust-analyzer and
//! `cargo_metadata::Message` read them.
//!
//! Each message is written from typed records whose fields are cargo's, in cargo's order;
//! `manifest_path`, which cargo writes but `cargo_metadata` does not model, follows `reason`
//! as in cargo's output. The tests read every line back with `cargo_metadata`.

use super::fix::{Fix, fixes};
use super::human::render_one;
use super::severity_word;
use crate::analysis::Analysis;
use crate::diagnostic::{ChildKind, Diagnostic, Span};
use crate::discover::Workspace;
use crate::source::SourceDb;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Renders every diagnostic as one JSON line; `ansi` colors the `rendered` text.
pub fn render_json(
    analysis: &Analysis,
    workspace: &Workspace,
    ansi: bool,
) -> Result<String, String> {
    Ok(render_json_chunks(analysis, workspace, ansi)?.concat())
}

/// [`render_json`] as consecutive pieces of whole lines, so that a large report is written
/// without ever being held twice.
pub fn render_json_chunks(
    analysis: &Analysis,
    workspace: &Workspace,
    ansi: bool,
) -> Result<Vec<String>, String> {
    use rayon::prelude::*;
    /// Lines per piece: enough to spread over threads, few enough to stay small.
    const LINES_PER_CHUNK: usize = 256;
    let mut lints_seen = BTreeSet::new();
    let firsts: Vec<bool> = analysis
        .diagnostics
        .iter()
        .map(|d| d.lint_ref().is_some_and(|l| lints_seen.insert(l.name)))
        .collect();
    // Snippets are the costly part: pieces are rendered in parallel and kept in order.
    analysis
        .diagnostics
        .par_chunks(LINES_PER_CHUNK)
        .zip(firsts.par_chunks(LINES_PER_CHUNK))
        .map(|(diagnostics, firsts)| {
            let mut chunk = String::new();
            for (diagnostic, first) in diagnostics.iter().zip(firsts) {
                chunk.push_str(&compiler_message(
                    analysis, workspace, diagnostic, *first, ansi,
                )?);
                chunk.push('\n');
            }
            Ok(chunk)
        })
        .collect()
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
    let db = &analysis.db;
    let mut children: Vec<Message> = shown
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
                .map(|s| span_json(db, s, false, None, None))
                .collect();
            Message::child(child.message.clone(), level, spans)
        })
        .collect();
    for fix in fixes(diagnostic, db) {
        children.push(fix_json(db, fix));
    }
    if let Some(lint) = diagnostic.lint_ref().filter(|_| level_note) {
        let note = if diagnostic.level == lint.default_level {
            format!("`#[{}({})]` on by default", diagnostic.level, lint.code())
        } else {
            format!("`{}` is set to `{}`", lint.code(), diagnostic.level)
        };
        children.push(Message::child(note, "note", Vec::new()));
    }
    let mut spans = Vec::new();
    if let Some(primary) = &diagnostic.primary {
        spans.push(span_json(
            db,
            &primary.span,
            true,
            Some(&primary.message),
            None,
        ));
    }
    for label in &diagnostic.secondary {
        spans.push(span_json(
            db,
            &label.span,
            false,
            Some(&label.message),
            None,
        ));
    }
    let line = CompilerMessage {
        reason: "compiler-message",
        manifest_path: owner.manifest_path.to_string_lossy(),
        package_id: &owner.package_id,
        target: &owner.target,
        message: Message {
            message: diagnostic.message.clone(),
            code: diagnostic.code().map(|code| Code {
                code,
                explanation: None,
            }),
            level: severity_word(diagnostic),
            spans,
            children,
            rendered: Some(rendered),
        },
    };
    serde_json::to_string(&line).map_err(|e| e.to_string())
}

/// A `compiler-message` line. The fields are cargo's, in cargo's order (`manifest_path`,
/// which `cargo_metadata` does not model, after `reason`); `tests/json.rs` reads every line
/// back with `cargo_metadata`, so a change that leaves cargo's schema fails there.
#[derive(Serialize)]
struct CompilerMessage<'a> {
    reason: &'static str,
    manifest_path: Cow<'a, str>,
    package_id: &'a str,
    target: &'a Target,
    message: Message,
}

/// rustc's diagnostic: the message itself and each of its children.
#[derive(Serialize)]
struct Message {
    message: String,
    code: Option<Code>,
    level: &'static str,
    spans: Vec<SpanJson>,
    children: Vec<Message>,
    rendered: Option<String>,
}

impl Message {
    /// A note or help line under a message.
    fn child(message: String, level: &'static str, spans: Vec<SpanJson>) -> Self {
        Message {
            message,
            code: None,
            level,
            spans,
            children: Vec::new(),
            rendered: None,
        }
    }
}

/// A lint's code.
#[derive(Serialize)]
struct Code {
    code: String,
    explanation: Option<String>,
}

/// A span as rustc writes it.
#[derive(Serialize)]
struct SpanJson {
    file_name: String,
    byte_start: usize,
    byte_end: usize,
    line_start: usize,
    line_end: usize,
    column_start: usize,
    column_end: usize,
    is_primary: bool,
    text: Vec<SpanLine>,
    label: Option<String>,
    suggested_replacement: Option<String>,
    suggestion_applicability: Option<&'static str>,
    expansion: Option<()>,
}

/// One covered line of a span, with its highlighted columns.
#[derive(Serialize)]
struct SpanLine {
    text: String,
    highlight_start: usize,
    highlight_end: usize,
}

fn fix_json(db: &SourceDb, fix: Fix) -> Message {
    let applicability = fix.certainty.as_str();
    let spans = fix
        .edits
        .into_iter()
        .map(|edit| {
            let span = Span::new(edit.file, edit.range);
            span_json(
                db,
                &span,
                true,
                None,
                Some((edit.replacement, applicability)),
            )
        })
        .collect();
    Message::child(fix.message, "help", spans)
}

/// A span as rustc writes it: byte offsets, 1-based lines, 1-based character columns (end
/// exclusive), and the text of every covered line with its highlighted columns.
fn span_json(
    db: &SourceDb,
    span: &Span,
    is_primary: bool,
    label: Option<&str>,
    replacement: Option<(String, &'static str)>,
) -> SpanJson {
    let file = db.get(span.file);
    let start = file.position(span.range.start);
    let end = file.position(span.range.end.max(span.range.start));
    let text = (start.line..=end.line)
        .map(|line| {
            let content = file.line_text(line);
            let highlight_start = if line == start.line { start.column } else { 1 };
            let highlight_end = if line == end.line {
                end.column
            } else {
                content.chars().count() + 1
            };
            SpanLine {
                text: content.to_owned(),
                highlight_start,
                highlight_end,
            }
        })
        .collect();
    let (suggested_replacement, suggestion_applicability) = replacement.unzip();
    SpanJson {
        file_name: file.display_name.clone(),
        byte_start: file.disk_offset(start.offset),
        byte_end: file.disk_offset(end.offset),
        line_start: start.line,
        line_end: end.line,
        column_start: start.column,
        column_end: end.column,
        is_primary,
        text,
        label: label.filter(|l| !l.is_empty()).map(str::to_owned),
        suggested_replacement,
        suggestion_applicability,
        expansion: None,
    }
}

/// The package and target a message is attributed to.
struct Owner {
    package_id: String,
    manifest_path: PathBuf,
    target: Target,
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
) -> Target {
    let edition = match edition {
        "2015" | "2018" | "2021" | "2024" => edition,
        _ => "2021",
    };
    Target {
        name: name.to_owned(),
        kind: kind.to_vec(),
        crate_types: crate_types.to_vec(),
        required_features: Vec::new(),
        src_path: src_path.to_string_lossy().into_owned(),
        edition: edition.to_owned(),
        doctest: kind.iter().any(|k| k == "lib"),
        test: true,
        doc: true,
    }
}

/// A cargo target, as cargo describes it in a message.
#[derive(Serialize)]
struct Target {
    name: String,
    kind: Vec<String>,
    crate_types: Vec<String>,
    #[serde(rename = "required-features")]
    required_features: Vec<String>,
    src_path: String,
    edition: String,
    doctest: bool,
    test: bool,
    doc: bool,
}
