//! Output: renders diagnostics for people (human, short) and tools.

mod fix;
mod github;
mod human;
mod json;
mod line_hash;
mod plain;
mod sarif;
mod short;

use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Origin};
use crate::registry::Level;

pub use fix::{Certainty, Edit, Fix, fixes};
pub use github::{escape_data, escape_property, render_github};
pub use human::{render_human, render_one};
pub use json::{compiler_message, render_json, render_json_chunks};
pub use line_hash::{line_hash, line_hashes};
pub use sarif::{SARIF_SCHEMA, render_sarif};
pub use short::render_short;

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageFormat {
    /// rustc-style text with source snippets.
    Human,
    /// One line per diagnostic.
    Short,
    /// cargo's JSON messages, one per line.
    Json,
    /// cargo's JSON messages with ANSI colors in `rendered`.
    JsonRenderedAnsi,
    /// A SARIF 2.1.0 log.
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
}

/// Counts of reported diagnostics by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Diagnostics at deny or forbid level.
    pub errors: usize,
    /// Diagnostics at warn level.
    pub warnings: usize,
}

impl Summary {
    /// Counts the diagnostics of an analysis.
    pub fn of(analysis: &Analysis) -> Self {
        let mut summary = Summary::default();
        for d in &analysis.diagnostics {
            match d.level {
                Level::Deny | Level::Forbid => summary.errors += 1,
                Level::Warn => summary.warnings += 1,
                Level::Allow => {}
            }
        }
        summary
    }

    /// The closing line, rustc-style (`2 errors and 3 warnings emitted`), or `None` when
    /// nothing was reported.
    pub fn line(&self) -> Option<String> {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        match (self.errors, self.warnings) {
            (0, 0) => None,
            (0, w) => Some(format!("{} emitted", plural(w, "warning"))),
            (e, 0) => Some(format!(
                "could not pass nslint due to {}",
                plural(e, "error")
            )),
            (e, w) => Some(format!(
                "could not pass nslint due to {}; {} emitted",
                plural(e, "error"),
                plural(w, "warning")
            )),
        }
    }
}

/// The word rustc prints for a level.
fn severity_word(diagnostic: &Diagnostic) -> &'static str {
    match (diagnostic.level, diagnostic.origin) {
        (Level::Deny | Level::Forbid, _) => "error",
        (_, Origin::Input) | (Level::Warn, _) | (Level::Allow, _) => "warning",
    }
}
