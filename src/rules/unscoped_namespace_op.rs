//! `unscoped_namespace_op`: a namespace-sensitive operation inside a raw switched region.

use super::{RuleInput, region_origin, through_helpers};
use crate::diagnostic::{Diagnostic, Label};
use crate::effects::FindingKind;
use crate::registry::UNSCOPED_NAMESPACE_OP;

/// Reports sensitive operations, direct or through helpers, inside switched regions; in strict
/// mode also every one outside a scope.
pub fn check(input: &RuleInput<'_>, out: &mut Vec<Diagnostic>) {
    if input.strict {
        for (span, what) in input.outside_scope {
            out.push(
                Diagnostic::lint(
                    &UNSCOPED_NAMESPACE_OP,
                    format!("namespace-sensitive operation outside a scope: {what}"),
                    Label {
                        span: (*span).clone(),
                        message: format!("{what} in whatever namespace this thread is in"),
                    },
                )
                .with_note(
                    "strict mode: this crate does namespace-sensitive work only inside scopes, \
                     so that the namespace is always chosen explicitly",
                )
                .with_help(
                    "for host work, use `NetNs::current()?.run(|host| ..)`; for a pod, \
                     `NetNs::open_named(name)?.run(|host| ..)`",
                ),
            );
        }
    }
    for finding in input.regions {
        let FindingKind::Operation { span, what, chain } = &finding.kind else {
            continue;
        };
        let mut diagnostic = through_helpers(
            &UNSCOPED_NAMESPACE_OP,
            format!("namespace-sensitive operation in a raw switched region: {what}"),
            span,
            what,
            chain,
        );
        region_origin(&mut diagnostic, finding, "the thread is switched here");
        out.push(
            diagnostic
                .with_note(
                    "what it creates stays bound to the namespace the thread is in right now; \
                     if a path skips the restore, everything after it talks to the wrong one",
                )
                .with_help(
                    "do it in a scope: `ns.run(|host| ..)` creates it inside the namespace on a \
                     fresh thread, and it keeps working after the scope ends",
                ),
        );
    }
}
