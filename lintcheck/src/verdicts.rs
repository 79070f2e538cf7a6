//! The triage: for each finding of a project, whether it is a real hazard
//! (`lintcheck/verdicts/<project>.toml`; `../shared/TRIAGE.md` says how to decide).
//!
//! A verdict names its finding by lint and primary place (`file:line:column`). The corpus
//! pins every project's sources, so places only move when nslint reports a hazard elsewhere,
//! and then the old verdict is listed as no longer matching.

use crate::error::{Context, Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// What a finding is, decided by reading the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// A real hazard, or a violation the maintainer would fix once shown.
    True,
    /// The code is safe, or the lint's documentation says it should not fire there.
    False,
    /// The rule matches, but a reasonable maintainer would decline the change.
    Debatable,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::True => "true",
            Verdict::False => "false",
            Verdict::Debatable => "debatable",
        })
    }
}

/// A triaged finding.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Triaged {
    /// The lint.
    pub lint: String,
    /// The primary place, `file:line:column`.
    pub at: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Why, in one line, naming the entry point that decides which thread runs the code.
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    finding: Vec<Triaged>,
}

/// The verdicts of one project, by (lint, place).
pub type Verdicts = BTreeMap<(String, String), Triaged>;

/// Reads `<dir>/<project>.toml`; a project without a file has no verdicts yet.
pub fn load(dir: &Path, project: &str) -> Result<Verdicts> {
    let path = dir.join(format!("{project}.toml"));
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Verdicts::new()),
        Err(e) => return Err(Error(format!("reading {}: {e}", path.display()))),
    };
    parse(&text).context(|| format!("in {}", path.display()))
}

/// Parses a verdicts file; a finding given two verdicts is refused.
pub fn parse(text: &str) -> Result<Verdicts> {
    let file: File = toml::from_str(text).map_err(|e| Error(e.to_string()))?;
    let mut verdicts = Verdicts::new();
    for triaged in file.finding {
        if triaged.reason.trim().is_empty() {
            return Err(Error(format!(
                "{} at {} has no reason",
                triaged.lint, triaged.at
            )));
        }
        let key = (triaged.lint.clone(), triaged.at.clone());
        if verdicts.insert(key, triaged.clone()).is_some() {
            return Err(Error(format!(
                "{} at {} has two verdicts",
                triaged.lint, triaged.at
            )));
        }
    }
    Ok(verdicts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_are_keyed_by_lint_and_place() {
        let verdicts = parse(
            r#"
            [[finding]]
            lint = "switch_without_restore"
            at = "src/a.rs:3:5"
            verdict = "false"
            reason = "only called from a #[test]"
            "#,
        )
        .expect("valid verdicts");
        let key = (
            "switch_without_restore".to_owned(),
            "src/a.rs:3:5".to_owned(),
        );
        assert_eq!(verdicts[&key].verdict, Verdict::False);
    }

    #[test]
    fn a_verdict_needs_a_reason_and_only_one_per_finding() {
        let entry =
            "[[finding]]\nlint = \"l\"\nat = \"a:1:1\"\nverdict = \"true\"\nreason = \"r\"\n";
        assert!(parse(&entry.repeat(2)).is_err());
        assert!(parse(&entry.replace("\"r\"", "\" \"")).is_err());
        assert!(parse(&entry.replace("\"true\"", "\"maybe\"")).is_err());
    }
}
