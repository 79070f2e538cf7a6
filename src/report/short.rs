//! `--message-format short`: one line per diagnostic, `file:line:col: level[code]: message`.

use super::severity_word;
use crate::analysis::Analysis;
use std::fmt::Write;

/// Renders every diagnostic on one line.
pub fn render_short(analysis: &Analysis) -> String {
    let mut out = String::new();
    for d in &analysis.diagnostics {
        let code = d.code().map(|c| format!("[{c}]")).unwrap_or_default();
        let word = severity_word(d);
        match &d.primary {
            Some(label) => {
                let file = analysis.db.get(label.span.file);
                let pos = file.position(label.span.range.start);
                let _ = writeln!(
                    out,
                    "{}:{}:{}: {word}{code}: {}",
                    file.display_name, pos.line, pos.column, d.message
                );
            }
            None => {
                let _ = writeln!(out, "{word}{code}: {}", d.message);
            }
        }
    }
    out
}
