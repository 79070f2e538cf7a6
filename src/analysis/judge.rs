//! Judging: the rules over each package's facts and its share of the workspace's effects.

use super::INTERNAL_ERROR;
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Label, Span};
use crate::discover::Workspace;
use crate::effects::{Effects, Finding};
use crate::model::CrateFacts;
use crate::registry::Level;
use crate::rules::{RuleInput, check_all};

/// The rules' findings for every package, and internal errors for packages or functions
/// whose analysis panicked (the rest of the run goes on).
pub(super) fn packages(
    workspace: &Workspace,
    config: &Config,
    packages: &[CrateFacts],
    effects: &Effects,
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let mut findings = Vec::new();
    let mut problems = Vec::new();
    // Each package's share of the workspace-wide results, gathered in one pass.
    let mut regions_of: Vec<Vec<&Finding>> = vec![Vec::new(); packages.len()];
    for (package, finding) in &effects.findings {
        if let Some(list) = regions_of.get_mut(*package) {
            list.push(finding);
        }
    }
    let mut outside_scope_of: Vec<Vec<(&Span, &str)>> = vec![Vec::new(); packages.len()];
    for (package, span, what) in &effects.outside_scope {
        if let Some(list) = outside_scope_of.get_mut(*package) {
            list.push((span, what.as_str()));
        }
    }
    for (index, facts) in packages.iter().enumerate() {
        let strict = config.strict_for((index < workspace.crates.len()).then_some(index));
        let input = RuleInput {
            facts,
            regions: &regions_of[index],
            outside_scope: &outside_scope_of[index],
            contexts: effects.contexts.get(index).map_or(&[], Vec::as_slice),
            strict,
        };
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check_all(&input))) {
            Ok(found) => findings.extend(found),
            Err(_) => {
                let package = workspace.crates.get(index).map_or_else(
                    || "a loose file".to_owned(),
                    |c| format!("package `{}`", c.name),
                );
                problems.push(
                    Diagnostic::input(
                        Level::Deny,
                        format!("{INTERNAL_ERROR}: nslint panicked while checking {package}"),
                        None,
                    )
                    .with_note("findings in this package are unknown; the rest of the run went on"),
                );
            }
        }
    }
    for (_, span) in &effects.failed {
        problems.push(
            Diagnostic::input(
                Level::Deny,
                format!("{INTERNAL_ERROR}: nslint panicked while analysing this function"),
                Some(Label {
                    span: span.clone(),
                    message: "its switched regions are unknown".to_owned(),
                }),
            )
            .with_note("the rest of the run went on"),
        );
    }
    (findings, problems)
}
