//! `--format github`: GitHub Actions workflow commands, one annotation per diagnostic
//! (`::error file=src/a.rs,line=3,col=5,endLine=3,endColumn=9,title=..::message`).
//!
//! Escaping follows the Actions toolkit: in the message, `%`, `\r` and `\n` become `%25`,
//! `%0D` and `%0A`; in property values `:` and `,` are escaped as well (`%3A`, `%2C`).

use super::severity_word;
use crate::analysis::Analysis;
use crate::diagnostic::{ChildKind, Diagnostic};
use std::fmt::Write;

/// Renders every diagnostic as a workflow command line.
pub fn render_github(analysis: &Analysis) -> String {
    let mut out = String::new();
    for d in &analysis.diagnostics {
        let _ = writeln!(out, "{}", annotation(analysis, d));
    }
    out
}

fn annotation(analysis: &Analysis, d: &Diagnostic) -> String {
    let command = match severity_word(d) {
        "error" => "error",
        _ => "warning",
    };
    let mut properties = Vec::new();
    if let Some(primary) = &d.primary {
        let file = analysis.db.get(primary.span.file);
        let start = file.position(primary.span.range.start);
        let end = file.position(primary.span.range.end.max(primary.span.range.start));
        properties.push(format!("file={}", escape_property(&file.display_name)));
        properties.push(format!("line={}", start.line));
        properties.push(format!("col={}", start.column));
        properties.push(format!("endLine={}", end.line));
        properties.push(format!("endColumn={}", end.column));
    }
    let title = match d.code() {
        Some(code) => format!("{code}: {}", d.message),
        None => d.message.clone(),
    };
    properties.push(format!("title={}", escape_property(&title)));
    let mut message = d.message.clone();
    for child in &d.children {
        let kind = match child.kind {
            ChildKind::Note => "note",
            ChildKind::Help => "help",
        };
        message.push_str(&format!("\n{kind}: {}", child.message));
    }
    if let Some(lint) = d.lint_ref() {
        message.push_str(&format!(
            "\nhelp: for further information visit {}",
            lint.url()
        ));
    }
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

/// Escapes a message (the text after `::`).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_actions_toolkit() {
        assert_eq!(escape_data("50%\r\nnext: a,b"), "50%25%0D%0Anext: a,b");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
