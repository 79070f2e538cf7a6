//! `work_escapes_scope`: work handed to another thread from inside a sync scope or a raw
//! switched region.

use super::{RuleInput, region_origin, through_helpers};
use crate::diagnostic::Diagnostic;
use crate::effects::FindingKind;
use crate::registry::WORK_ESCAPES_SCOPE;

/// Reports escapes, direct or through helpers, inside sync scopes and switched regions.
pub fn check(input: &RuleInput<'_>, out: &mut Vec<Diagnostic>) {
    for finding in input.regions {
        let FindingKind::Escape {
            span,
            what,
            chain,
            in_scope,
        } = &finding.kind
        else {
            continue;
        };
        let mut diagnostic = through_helpers(
            &WORK_ESCAPES_SCOPE,
            format!("work escapes the namespace: {what}"),
            span,
            what,
            chain,
        );
        if *in_scope {
            diagnostic = diagnostic.with_secondary(
                finding.region.span.clone(),
                "this closure runs inside the namespace, on the scope's own thread",
            );
        } else {
            region_origin(&mut diagnostic, finding, "the thread is switched here");
        }
        out.push(
            diagnostic
                .with_note(
                    "only the calling thread is in the namespace: pools and runtimes run the work \
                     on threads that were created outside it",
                )
                .with_help(
                    "do the work on the scope's own thread, spawn a `std::thread` (it inherits \
                     the namespace), or use `ns.run_async(..)`, whose runtime is built inside",
                ),
        );
    }
}
