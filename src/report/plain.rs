//! Plain (uncolored) rendering of the common shape of a diagnostic, written a line at a time.
//!
//! codespan-reporting writes a snippet a character at a time through `fmt`, which made
//! rendering the JSON output's `rendered` texts 7.8% of a cold run's instructions on the
//! 50k-line bench corpus (1 089 findings). Most diagnostics have one simple shape: labels on distinct
//! lines of one file, each within one line of ASCII text without tabs, and notes of one line.
//! [`render`] writes that shape itself and leaves everything else to codespan; a differential
//! test holds the two byte for byte.

use crate::source::{FileId, SourceDb, SourceFile};
use codespan_reporting::diagnostic::{Diagnostic, Label, LabelStyle, Severity};

/// `diagnostic` as codespan renders it without color with the rustc characters of
/// [`super::human`], when it has the shape this renderer handles; `None` otherwise.
pub fn render(db: &SourceDb, diagnostic: &Diagnostic<FileId>) -> Option<String> {
    let severity = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        _ => return None,
    };
    let (primary, others) = diagnostic.labels.split_first()?;
    let secondaries_in_one_file = others
        .iter()
        .all(|l| l.style == LabelStyle::Secondary && l.file_id == primary.file_id);
    let one_line_texts = std::iter::once(&diagnostic.message)
        .chain(&diagnostic.notes)
        .all(|text| !text.contains('\n'));
    if primary.style != LabelStyle::Primary || !secondaries_in_one_file || !one_line_texts {
        return None;
    }
    let file = db.get(primary.file_id);
    let mut lines = diagnostic
        .labels
        .iter()
        .map(|label| LabelLine::of(file, label))
        .collect::<Option<Vec<_>>>()?;
    let locus = lines[0].line;
    let locus_column = lines[0].column + 1;
    lines.sort_by_key(|l| l.line);
    if lines.windows(2).any(|pair| pair[0].line == pair[1].line) {
        return None;
    }
    let last = lines.last()?.line;
    let width = last.to_string().len();
    let gutter = " ".repeat(width + 1);

    let mut out = String::with_capacity(512);
    out.push_str(severity);
    if let Some(code) = &diagnostic.code {
        out.push('[');
        out.push_str(code);
        out.push(']');
    }
    out.push_str(": ");
    out.push_str(&diagnostic.message);
    out.push('\n');
    out.push_str(&gutter);
    out.push_str("--> ");
    out.push_str(&file.display_name);
    out.push_str(&format!(":{locus}:{locus_column}\n"));
    out.push_str(&gutter);
    out.push_str("|\n");
    let mut previous: Option<usize> = None;
    for label in &lines {
        match previous.map(|p| label.line - p) {
            Some(2) => source_line(
                &mut out,
                width,
                label.line - 1,
                file_line(file, label.line - 1)?,
            ),
            Some(gap) if gap > 2 => {
                out.push_str(&gutter);
                out.push_str(".\n");
            }
            _ => {}
        }
        source_line(&mut out, width, label.line, label.text);
        out.push_str(&gutter);
        out.push_str("| ");
        out.push_str(&" ".repeat(label.column));
        let caret = if label.primary { "^" } else { "-" };
        out.push_str(&caret.repeat(label.len));
        if !label.message.is_empty() {
            out.push(' ');
            out.push_str(label.message);
        }
        out.push('\n');
        previous = Some(label.line);
    }
    if !diagnostic.notes.is_empty() {
        out.push_str(&gutter);
        out.push_str("|\n");
    }
    for note in &diagnostic.notes {
        out.push_str(&gutter);
        out.push_str("= ");
        out.push_str(note);
        out.push('\n');
    }
    out.push('\n');
    Some(out)
}

/// A label on one line of plain text.
struct LabelLine<'a> {
    /// Its 1-based line.
    line: usize,
    /// The line's text, without its line ending.
    text: &'a str,
    /// Where the label starts in the line (bytes, which are characters and columns here).
    column: usize,
    /// How long it is.
    len: usize,
    primary: bool,
    message: &'a str,
}

impl<'a> LabelLine<'a> {
    /// The label when it lies within one line of ASCII text without tabs and has a
    /// one-line message.
    fn of(file: &'a SourceFile, label: &'a Label<FileId>) -> Option<LabelLine<'a>> {
        let range = label.range.clone();
        let line = file.position(range.start).line;
        let text = file_line(file, line)?;
        let start = file.line_range(line - 1)?.start;
        let column = range.start.checked_sub(start)?;
        let len = range.len();
        if len == 0 || column + len > text.len() || label.message.contains('\n') {
            return None;
        }
        Some(LabelLine {
            line,
            text,
            column,
            len,
            primary: label.style == LabelStyle::Primary,
            message: &label.message,
        })
    }
}

/// The text of a 1-based line without its `\n`, when it is ASCII without tabs or carriage
/// returns.
fn file_line(file: &SourceFile, line: usize) -> Option<&str> {
    let range = file.line_range(line.checked_sub(1)?)?;
    let text = file.text.get(range)?;
    let text = text.strip_suffix('\n').unwrap_or(text);
    let plain = text
        .bytes()
        .all(|b| b.is_ascii() && b != b'\t' && b != b'\r');
    plain.then_some(text)
}

/// Writes a source line with its number in the gutter.
fn source_line(out: &mut String, width: usize, line: usize, text: &str) {
    out.push_str(&format!("{line:>width$} | "));
    out.push_str(text);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use codespan_reporting::diagnostic::Label;
    use std::path::PathBuf;

    /// A small deterministic generator (xorshift), so that a failing case can be replayed.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
        fn chance(&mut self, percent: usize) -> bool {
            self.below(100) < percent
        }
    }

    /// A line of code; in a wild case, now and then with a tab, a carriage return or a
    /// character outside ASCII.
    fn line_text(rng: &mut Rng, wild: bool) -> String {
        let pieces = [
            "let x = 1;",
            "    ",
            "enter(pod)?;",
            "",
            "  ",
            "fn f() {",
            "}",
            "\t",
            "é",
            "\r",
            "// note",
            "a",
            "call(&text)",
            " ",
        ];
        let count = rng.below(6);
        (0..count)
            .map(|_| {
                let piece = pieces[rng.below(pieces.len())];
                let rare = matches!(piece, "\t" | "é" | "\r");
                if rare && !(wild && rng.chance(15)) {
                    "x"
                } else {
                    piece
                }
            })
            .collect()
    }

    /// A label's message or a note's text; in a wild case, now and then of two lines.
    fn words(rng: &mut Rng, wild: bool) -> String {
        let pieces = ["this call", "here", "returns early", "`enter`", "a\nb", ""];
        let piece = pieces[rng.below(pieces.len())];
        if piece.contains('\n') && !(wild && rng.chance(20)) {
            return "switched".to_owned();
        }
        piece.to_owned()
    }

    /// A label on a random line; in a wild case it may be empty or run past its line.
    fn label(
        rng: &mut Rng,
        file: &SourceFile,
        id: FileId,
        primary: bool,
        wild: bool,
    ) -> Label<FileId> {
        let line = rng.below(file.line_count());
        let range = file.line_range(line).unwrap_or(0..0);
        let text_end = range.start + file.text[range.clone()].trim_end_matches('\n').len();
        let (start, mut end) = if wild || text_end == range.start {
            let start = range.start + rng.below(range.len() + 1);
            (start, start + rng.below(range.end - start + 1))
        } else {
            let start = range.start + rng.below(text_end - range.start);
            (start, start + 1 + rng.below(text_end - start))
        };
        if wild && rng.chance(5) {
            end = (end + 40).min(file.text.len());
        }
        let label = if primary {
            Label::primary(id, start..end)
        } else {
            Label::secondary(id, start..end)
        };
        label.with_message(words(rng, wild))
    }

    /// A diagnostic: most are of the shapes nslint reports, a third are wild.
    fn case(rng: &mut Rng) -> (SourceDb, Diagnostic<FileId>) {
        let wild = rng.chance(33);
        let mut db = SourceDb::default();
        let mut ids = Vec::new();
        for name in ["src/a.rs", "src/b.rs"] {
            let longest = if rng.chance(30) { 120 } else { 14 };
            let lines = 1 + rng.below(longest);
            let text: String = (0..lines).map(|_| line_text(rng, wild) + "\n").collect();
            let file = SourceFile::new(PathBuf::from(name), name.to_owned(), text);
            ids.push(db.add(file));
        }
        let severities = [Severity::Error, Severity::Warning, Severity::Note];
        let severity = severities[rng.below(if wild { 3 } else { 2 })];
        let mut diagnostic = Diagnostic::new(severity).with_message(if wild && rng.chance(10) {
            "two\nlines".to_owned()
        } else {
            "a path leaves the thread switched".to_owned()
        });
        if rng.chance(80) {
            diagnostic = diagnostic.with_code("nslint::switch_without_restore");
        }
        let mut labels = Vec::new();
        let count = if wild { rng.below(4) } else { 1 + rng.below(3) };
        for index in 0..count {
            let id = if wild && rng.chance(20) {
                ids[1]
            } else {
                ids[0]
            };
            let primary = index == 0 || (wild && rng.chance(10));
            labels.push(label(rng, db.get(id), id, primary, wild));
        }
        let notes = (0..rng.below(4))
            .map(|_| {
                let kind = if rng.chance(50) { "note" } else { "help" };
                format!("{kind}: {}", words(rng, wild))
            })
            .collect();
        (db, diagnostic.with_labels(labels).with_notes(notes))
    }

    fn by_codespan(db: &SourceDb, diagnostic: &Diagnostic<FileId>) -> String {
        super::super::human::render_codespan(db, diagnostic, false)
    }

    #[test]
    fn renders_what_codespan_renders_for_every_shape_it_takes() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut taken, mut left) = (0, 0);
        for round in 0..20_000 {
            let (db, diagnostic) = case(&mut rng);
            match render(&db, &diagnostic) {
                Some(fast) => {
                    taken += 1;
                    let expected = by_codespan(&db, &diagnostic);
                    assert_eq!(fast, expected, "case {round}: {diagnostic:#?}");
                }
                None => left += 1,
            }
        }
        // Both sides must be exercised, or the comparison proves nothing.
        assert!(taken > 5_000 && left > 2_000, "taken {taken}, left {left}");
    }
}
