//! `await_while_switched`: an `.await` while the task's worker thread is switched.

use super::{RuleInput, region_origin, witness_notes};
use crate::diagnostic::{Diagnostic, Label};
use crate::effects::FindingKind;
use crate::registry::AWAIT_WHILE_SWITCHED;

/// Reports awaits inside switched regions of async tasks.
pub fn check(input: &RuleInput<'_>, out: &mut Vec<Diagnostic>) {
    for finding in input.regions {
        let FindingKind::Await { span, witness } = &finding.kind else {
            continue;
        };
        let mut diagnostic = Diagnostic::lint(
            &AWAIT_WHILE_SWITCHED,
            "`.await` while the worker thread is switched into another namespace",
            Label {
                span: span.clone(),
                message: "the task may resume on another worker; this one runs other tasks in \
                          the switched namespace"
                    .to_owned(),
            },
        );
        region_origin(&mut diagnostic, finding, "the thread is switched here");
        if let Some(witness) = witness {
            witness_notes(&mut diagnostic, witness);
        }
        out.push(
            diagnostic
                .with_note(
                    "a multi-thread runtime moves tasks between workers at every `.await`; the \
                     namespace belongs to the thread, not the task",
                )
                .with_help(
                    "switch back (drop the guard) before awaiting, or run the async work with \
                     `ns.run_async(future)`, which drives it on a runtime built inside the \
                     namespace",
                ),
        );
    }
}
