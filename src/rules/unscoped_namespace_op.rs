//! `unscoped_namespace_op`: a namespace-sensitive operation that may run in the wrong
//! namespace: after an `.await` in a raw switched region (the task may have moved), in a region
//! whose switch's result is thrown away, or where the thread may or may not be switched. The
//! operations of a sound region are its purpose: they are notes on its `raw_namespace_switch`.
//! In strict mode, every sensitive operation outside a scope.

use super::{RuleInput, region_origin, through_helpers};
use crate::diagnostic::{Diagnostic, Label};
use crate::effects::FindingKind;
use crate::effects::regions::OperationRisk;
use crate::registry::UNSCOPED_NAMESPACE_OP;

/// Reports sensitive operations, direct or through helpers, that may run in the wrong
/// namespace; in strict mode also every one outside a scope.
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
        let FindingKind::Operation {
            span,
            what,
            chain,
            risk: Some(risk),
        } = &finding.kind
        else {
            continue;
        };
        let (message, note) = match risk {
            OperationRisk::AfterAwait(_) => (
                format!(
                    "namespace-sensitive operation after an `.await` in a switched region: {what}"
                ),
                "a multi-thread runtime may resume the task on another worker at the `.await`; \
                 that worker is not in the namespace",
            ),
            OperationRisk::Unchecked => (
                format!("namespace-sensitive operation after an unchecked switch: {what}"),
                "the switch's result is thrown away: when it fails, this runs in the namespace \
                 the thread was already in",
            ),
            OperationRisk::MaybeSwitched(_) => (
                format!(
                    "namespace-sensitive operation where the thread may or may not be switched: {what}"
                ),
                "on one path here the thread was switched back (or never switched): the \
                 operation's namespace depends on the path",
            ),
        };
        let mut diagnostic = through_helpers(&UNSCOPED_NAMESPACE_OP, message, span, what, chain);
        region_origin(&mut diagnostic, finding, "the thread is switched here");
        match risk {
            OperationRisk::AfterAwait(at) => {
                diagnostic = diagnostic
                    .with_secondary(at.clone(), "the task may move to another worker here");
            }
            OperationRisk::MaybeSwitched(at) => {
                diagnostic = diagnostic.with_secondary(
                    at.clone(),
                    "on one path through here the thread is not switched",
                );
            }
            OperationRisk::Unchecked => {}
        }
        out.push(diagnostic.with_note(note).with_help(
            "do it in a scope: `ns.run(|host| ..)` creates it inside the namespace on a \
                 fresh thread, and it keeps working after the scope ends",
        ));
    }
}
