//! Findings joined with verdicts: the summary table, precision, the findings that still need
//! triage, and the verdicts whose finding is gone.

use crate::corpus::Project;
use crate::findings::{Finding, INPUT, Run};
use crate::verdicts::{Triaged, Verdict, Verdicts};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Lints that are inventories rather than claims of a hazard: their findings need no verdict
/// and do not count towards precision.
pub const INVENTORY: &[&str] = &["raw_namespace_switch", INPUT, "unanalyzed_code"];

/// What happened on one project.
#[derive(Debug)]
pub enum Outcome {
    /// nslint ran; its findings and the project's verdicts.
    Ran {
        /// The run.
        run: Run,
        /// The committed verdicts.
        verdicts: Verdicts,
    },
    /// Fetching or running failed; why.
    Failed(String),
}

/// One project's result.
#[derive(Debug)]
pub struct ProjectResult {
    /// The project.
    pub project: Project,
    /// What happened.
    pub outcome: Outcome,
}

/// Counts of findings by verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Real hazards.
    pub true_: usize,
    /// Wrong findings.
    pub false_: usize,
    /// Findings a maintainer would argue with.
    pub debatable: usize,
    /// Findings nobody has triaged yet.
    pub unjudged: usize,
}

impl Tally {
    fn add(&mut self, verdict: Option<Verdict>) {
        match verdict {
            Some(Verdict::True) => self.true_ += 1,
            Some(Verdict::False) => self.false_ += 1,
            Some(Verdict::Debatable) => self.debatable += 1,
            None => self.unjudged += 1,
        }
    }

    fn merge(&mut self, other: Tally) {
        self.true_ += other.true_;
        self.false_ += other.false_;
        self.debatable += other.debatable;
        self.unjudged += other.unjudged;
    }

    /// All findings counted.
    pub fn total(&self) -> usize {
        self.true_ + self.false_ + self.debatable + self.unjudged
    }

    /// True findings among the judged ones (debatable counts against); `None` when none is
    /// judged.
    pub fn precision(&self) -> Option<f64> {
        let judged = self.true_ + self.false_ + self.debatable;
        (judged > 0).then(|| self.true_ as f64 / judged as f64)
    }
}

/// The verdict of a finding, if it has one.
pub fn verdict_of<'v>(verdicts: &'v Verdicts, finding: &Finding) -> Option<&'v Triaged> {
    verdicts.get(&(finding.lint.clone(), finding.at.clone()))
}

/// Whether a finding's lint claims a hazard (so it needs a verdict).
pub fn is_claim(finding: &Finding) -> bool {
    !INVENTORY.contains(&finding.lint.as_str())
}

/// Per project, per lint, the tally of claims; inventories are left out.
pub fn tallies(results: &[ProjectResult]) -> BTreeMap<String, BTreeMap<String, Tally>> {
    let mut out = BTreeMap::new();
    for result in results {
        let Outcome::Ran { run, verdicts } = &result.outcome else {
            continue;
        };
        let lints: &mut BTreeMap<String, Tally> = out.entry(result.project.id()).or_default();
        for finding in run.findings.iter().filter(|f| is_claim(f)) {
            lints
                .entry(finding.lint.clone())
                .or_default()
                .add(verdict_of(verdicts, finding).map(|t| t.verdict));
        }
    }
    out
}

/// The tally over every project and lint.
pub fn total(results: &[ProjectResult]) -> Tally {
    let mut sum = Tally::default();
    for lints in tallies(results).values() {
        for tally in lints.values() {
            sum.merge(*tally);
        }
    }
    sum
}

/// Claims that have no verdict yet: (project, finding).
pub fn unjudged(results: &[ProjectResult]) -> Vec<(String, &Finding)> {
    let mut out = Vec::new();
    for result in results {
        if let Outcome::Ran { run, verdicts } = &result.outcome {
            out.extend(
                run.findings
                    .iter()
                    .filter(|f| is_claim(f) && verdict_of(verdicts, f).is_none())
                    .map(|f| (result.project.id(), f)),
            );
        }
    }
    out
}

/// Verdicts whose finding nslint no longer reports: (project, verdict). A `true` one is a
/// hazard that is no longer found.
pub fn stale(results: &[ProjectResult]) -> Vec<(String, &Triaged)> {
    let mut out = Vec::new();
    for result in results {
        if let Outcome::Ran { run, verdicts } = &result.outcome {
            out.extend(
                verdicts
                    .values()
                    .filter(|t| {
                        !run.findings
                            .iter()
                            .any(|f| f.lint == t.lint && f.at == t.at)
                    })
                    .map(|t| (result.project.id(), t)),
            );
        }
    }
    out
}

/// The whole report in Markdown.
pub fn markdown(results: &[ProjectResult], nslint_version: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# nslint lintcheck\n\nnslint: {nslint_version}\n");
    let sum = total(results);
    let _ = writeln!(
        out,
        "Claims (findings other than {}): {}; true {}, false {}, debatable {}, no verdict {}; \
         precision {}.\n",
        INVENTORY.join(", "),
        sum.total(),
        sum.true_,
        sum.false_,
        sum.debatable,
        sum.unjudged,
        percent(sum.precision())
    );
    let _ = writeln!(
        out,
        "| project | lint | true | false | debatable | no verdict |\n|---|---|---|---|---|---|"
    );
    for (project, lints) in tallies(results) {
        if lints.is_empty() {
            let _ = writeln!(out, "| {project} | – | 0 | 0 | 0 | 0 |");
        }
        for (lint, t) in lints {
            let _ = writeln!(
                out,
                "| {project} | {lint} | {} | {} | {} | {} |",
                t.true_, t.false_, t.debatable, t.unjudged
            );
        }
    }
    let _ = writeln!(
        out,
        "| **all** | | {} | {} | {} | {} |\n",
        sum.true_, sum.false_, sum.debatable, sum.unjudged
    );
    let _ = writeln!(
        out,
        "## Runs\n\n| project | what | seconds | findings | inventory |\n|---|---|---|---|---|"
    );
    for result in results {
        match &result.outcome {
            Outcome::Ran { run, .. } => {
                let inventory = run.findings.iter().filter(|f| !is_claim(f)).count();
                let _ = writeln!(
                    out,
                    "| {} | {} | {:.2} | {} | {inventory} |",
                    result.project.id(),
                    result.project.what,
                    run.seconds,
                    run.findings.len() - inventory
                );
            }
            Outcome::Failed(why) => {
                let first = why.lines().next().unwrap_or("");
                let _ = writeln!(
                    out,
                    "| {} | {} | failed: {first} | | |",
                    result.project.id(),
                    result.project.what
                );
            }
        }
    }
    let stale = stale(results);
    if !stale.is_empty() {
        let _ = writeln!(out, "\n## Verdicts whose finding is gone\n");
        for (project, t) in stale {
            let _ = writeln!(
                out,
                "- {project} `{}` at {}: was {} ({})",
                t.lint, t.at, t.verdict, t.reason
            );
        }
    }
    let _ = writeln!(out, "\n## Findings\n");
    for result in results {
        let Outcome::Ran { run, verdicts } = &result.outcome else {
            continue;
        };
        let _ = writeln!(out, "### {}\n", result.project.id());
        for finding in &run.findings {
            let judged = match verdict_of(verdicts, finding) {
                Some(t) => format!("**{}**: {}", t.verdict, t.reason),
                None if is_claim(finding) => "**no verdict**".to_owned(),
                None => "inventory".to_owned(),
            };
            let _ = writeln!(
                out,
                "- `{}` {} at {}: {} — {judged}",
                finding.lint, finding.level, finding.at, finding.message
            );
            for detail in &finding.details {
                let _ = writeln!(out, "  - {detail}");
            }
        }
        let _ = writeln!(out);
    }
    out
}

/// A ratio as a percentage, or `n/a`.
pub fn percent(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "n/a".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{Mode, Source};

    fn finding(lint: &str, at: &str) -> Finding {
        Finding {
            lint: lint.to_owned(),
            level: "error".to_owned(),
            at: at.to_owned(),
            message: String::new(),
            details: Vec::new(),
        }
    }

    fn result(findings: Vec<Finding>, verdicts: &str) -> ProjectResult {
        ProjectResult {
            project: Project {
                name: "p".to_owned(),
                source: Source::Registry {
                    version: "1.0.0".to_owned(),
                },
                mode: Mode::Cargo,
                what: "w".to_owned(),
            },
            outcome: Outcome::Ran {
                run: Run {
                    findings,
                    seconds: 0.0,
                },
                verdicts: crate::verdicts::parse(verdicts).expect("valid verdicts"),
            },
        }
    }

    #[test]
    fn precision_counts_debatable_against_and_leaves_out_inventories() {
        let verdicts = r#"
            [[finding]]
            lint = "a"
            at = "x:1:1"
            verdict = "true"
            reason = "r"
            [[finding]]
            lint = "a"
            at = "x:2:1"
            verdict = "debatable"
            reason = "r"
            [[finding]]
            lint = "b"
            at = "x:9:1"
            verdict = "true"
            reason = "gone"
        "#;
        let results = [result(
            vec![
                finding("a", "x:1:1"),
                finding("a", "x:2:1"),
                finding("a", "x:3:1"),
                finding("raw_namespace_switch", "x:4:1"),
            ],
            verdicts,
        )];
        let sum = total(&results);
        assert_eq!(
            sum,
            Tally {
                true_: 1,
                false_: 0,
                debatable: 1,
                unjudged: 1
            }
        );
        assert_eq!(sum.precision(), Some(0.5));
        let unjudged = unjudged(&results);
        assert_eq!(unjudged.len(), 1);
        assert_eq!(unjudged[0].1.at, "x:3:1");
        let stale = stale(&results);
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].1.lint, "b");
        let text = markdown(&results, "test");
        assert!(text.contains("| p@1.0.0 | a | 1 | 0 | 1 | 1 |"), "{text}");
    }
}
