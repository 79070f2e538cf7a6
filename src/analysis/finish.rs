//! Finishing: levels, suppressions and exclusions applied to the findings, and everything put
//! in a stable order.

use super::TargetRef;
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Origin, Span};
use crate::registry::Level;
use crate::source::{FileId, SourceDb};
use crate::suppress::{self, Allow, Suppressed};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The run's diagnostics and the findings suppressions silenced: `findings` get the levels
/// configured for their packages, in-source suppressions (`allows`, and the comments of every
/// file of `db`) and exclusions are applied, and both lists are sorted (duplicates of a file
/// shared by targets dropped). `problems` are reported as they are.
pub(super) fn findings(
    db: &SourceDb,
    owners: &BTreeMap<FileId, TargetRef>,
    config: &Config,
    mut findings: Vec<Diagnostic>,
    problems: Vec<Diagnostic>,
    mut allows: Vec<Allow>,
) -> (Vec<Diagnostic>, Vec<Suppressed>) {
    for (id, file) in db.iter() {
        allows.extend(suppress::comment_allows(id, file));
    }
    set_levels(&mut findings, config, owners);
    let outcome = suppress::apply(&mut findings, &allows);
    let mut unused = outcome.problems;
    set_levels(&mut unused, config, owners);
    findings.extend(unused);
    findings.retain(|d| d.level != Level::Allow);
    let mut diagnostics = problems;
    diagnostics.extend(findings);
    let excluded = |d: &Diagnostic| {
        d.primary
            .as_ref()
            .is_some_and(|p| config.exclude.is_excluded(&db.get(p.span.file).path))
    };
    diagnostics.retain(|d| !excluded(d));
    let mut suppressed = outcome.suppressed;
    suppressed.retain(|s| !excluded(&s.diagnostic));
    sort_and_dedup(db, &mut diagnostics);
    suppressed.sort_by_cached_key(|s| {
        let primary = s.diagnostic.primary.as_ref();
        (
            primary.map(|p| db.get(p.span.file).display_name.clone()),
            primary.map(|p| p.span.range.start),
            s.diagnostic.lint_ref().map(|l| l.name),
        )
    });
    (diagnostics, suppressed)
}

/// Gives each finding the level configured for the package its file belongs to.
fn set_levels(findings: &mut [Diagnostic], config: &Config, owners: &BTreeMap<FileId, TargetRef>) {
    for finding in findings {
        if let Origin::Lint(lint) = finding.origin {
            let package = finding
                .primary
                .as_ref()
                .and_then(|p| owners.get(&p.span.file))
                .map(|o| o.crate_index);
            finding.level = config.levels_for(package).level(lint);
        }
    }
}

/// Orders diagnostics by file name, position, lint and message, and drops duplicates (a file
/// shared by several targets is reported once). Two findings at one macro invocation stay
/// apart when they come from different places in the macro.
fn sort_and_dedup(db: &SourceDb, diagnostics: &mut Vec<Diagnostic>) {
    let place = |span: &Span| {
        (
            PathBuf::from(&db.get(span.file).display_name),
            span.range.start,
            span.range.end,
        )
    };
    let key = |d: &Diagnostic| {
        let primary = d.primary.as_ref().map(|l| &l.span);
        (
            primary.map(place),
            d.lint_ref().map(|l| l.name),
            d.message.clone(),
            primary
                .and_then(|span| span.expansion.as_ref())
                .map(|origin| place(&origin.definition)),
        )
    };
    diagnostics.sort_by_cached_key(key);
    diagnostics.dedup_by(|a, b| key(a) == key(b));
}
