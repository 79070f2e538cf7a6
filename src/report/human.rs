//! Human output: rustc-style diagnostics rendered with codespan-reporting, or by [`super::plain`]
//! when they have its shape and no color is wanted.

use super::{Summary, severity_word};
use crate::analysis::Analysis;
use crate::diagnostic::{ChildKind, Diagnostic};
use crate::source::{FileId, SourceDb};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::termcolor::{Buffer, WriteColor};
use codespan_reporting::term::{self, Chars, Config};
use std::ops::Range;

/// Writes every diagnostic, and the summary line when `summary` is set, to `out`.
pub fn render_human(
    analysis: &Analysis,
    out: &mut dyn WriteColor,
    summary: bool,
) -> std::io::Result<()> {
    let config = Config {
        chars: rustc_chars(),
        ..Config::default()
    };
    let files = DbFiles(&analysis.db);
    let mut lints_seen = std::collections::BTreeSet::new();
    for diagnostic in &analysis.diagnostics {
        // Like rustc, say where a lint's level comes from on its first finding only.
        let first_of_lint = diagnostic
            .lint_ref()
            .is_some_and(|l| lints_seen.insert(l.name));
        let rendered = to_codespan(&analysis.db, diagnostic, first_of_lint);
        let plain = (!out.supports_color())
            .then(|| super::plain::render(&analysis.db, &rendered))
            .flatten();
        match plain {
            Some(text) => out.write_all(text.as_bytes())?,
            None => term::emit_to_write_style(out, &config, &files, &rendered)
                .map_err(std::io::Error::other)?,
        }
    }
    let counts = Summary::of(analysis);
    if let Some(line) = counts.line().filter(|_| summary) {
        let severity = if counts.errors > 0 {
            cs::Severity::Error
        } else {
            cs::Severity::Warning
        };
        let summary = cs::Diagnostic::<FileId>::new(severity).with_message(line);
        term::emit_to_write_style(out, &config, &files, &summary).map_err(std::io::Error::other)?;
    }
    Ok(())
}

/// Renders one diagnostic as [`render_human`] does, into a string; with `ansi`, colored with
/// ANSI escape codes. `level_note` adds the "on by default" note rustc prints on a lint's first
/// finding.
pub fn render_one(db: &SourceDb, diagnostic: &Diagnostic, level_note: bool, ansi: bool) -> String {
    let rendered = to_codespan(db, diagnostic, level_note);
    let plain = (!ansi)
        .then(|| super::plain::render(db, &rendered))
        .flatten();
    plain.unwrap_or_else(|| render_codespan(db, &rendered, ansi))
}

/// `rendered` as codespan writes it, with the rustc characters; with `ansi`, colored with
/// ANSI escape codes.
pub(super) fn render_codespan(
    db: &SourceDb,
    rendered: &cs::Diagnostic<FileId>,
    ansi: bool,
) -> String {
    let config = Config {
        chars: rustc_chars(),
        ..Config::default()
    };
    let mut buffer = if ansi {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    if term::emit_to_write_style(&mut buffer, &config, &DbFiles(db), rendered).is_err() {
        return rendered.message.clone();
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

/// Box characters as rustc draws them (`-->`, `|`, `=`).
fn rustc_chars() -> Chars {
    Chars {
        snippet_start: "-->".into(),
        source_border_left: '|',
        source_border_left_break: '.',
        note_bullet: '=',
        single_primary_caret: '^',
        single_secondary_caret: '-',
        multi_primary_caret_start: '^',
        multi_primary_caret_end: '^',
        multi_secondary_caret_start: '\'',
        multi_secondary_caret_end: '\'',
        multi_top_left: '/',
        multi_top: '-',
        multi_bottom_left: '|',
        multi_bottom: '_',
        multi_left: '|',
        pointer_left: '|',
    }
}

fn to_codespan(db: &SourceDb, d: &Diagnostic, level_note: bool) -> cs::Diagnostic<FileId> {
    let severity = match severity_word(d) {
        "error" => cs::Severity::Error,
        _ => cs::Severity::Warning,
    };
    let mut out = cs::Diagnostic::new(severity).with_message(&d.message);
    if let Some(code) = d.code() {
        out = out.with_code(code);
    }
    let mut labels = Vec::new();
    if let Some(primary) = &d.primary {
        labels.push(
            cs::Label::primary(primary.span.file, primary.span.range.clone())
                .with_message(&primary.message),
        );
    }
    for secondary in &d.secondary {
        labels.push(
            cs::Label::secondary(secondary.span.file, secondary.span.range.clone())
                .with_message(&secondary.message),
        );
    }
    let mut notes: Vec<String> = d
        .children
        .iter()
        .map(|c| {
            let place = c.span.as_ref().map_or_else(String::new, |span| {
                let file = db.get(span.file);
                let pos = file.position(span.range.start);
                format!(" at {}:{}:{}", file.display_name, pos.line, pos.column)
            });
            match c.kind {
                ChildKind::Note => format!("note: {}{place}", c.message),
                ChildKind::Help => format!("help: {}{place}", c.message),
            }
        })
        .collect();
    if let Some(lint) = d.lint_ref().filter(|_| level_note) {
        notes.push(if d.level == lint.default_level {
            format!("note: `#[{}({})]` on by default", d.level, lint.code())
        } else {
            format!("note: `{}` is set to `{}`", lint.code(), d.level)
        });
    }
    out.with_labels(labels).with_notes(notes)
}

/// The source database seen through codespan's file interface.
struct DbFiles<'a>(&'a SourceDb);

impl<'a> Files<'a> for DbFiles<'a> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.0.get(id).display_name)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.0.get(id).text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        Ok(self.0.get(id).position(byte_index).line - 1)
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let file = self.0.get(id);
        file.line_range(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: file.line_count().saturating_sub(1),
        })
    }
}
