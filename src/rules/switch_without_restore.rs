//! `switch_without_restore`: a switch on a shared thread with a path that leaves it switched.

use super::{RuleInput, chain_notes, describe_context, witness_notes};
use crate::diagnostic::{Diagnostic, Label};
use crate::effects::FindingKind;
use crate::effects::regions::LeakWay;
use crate::model::ir::ExitKind;
use crate::registry::SWITCH_WITHOUT_RESTORE;

/// Reports regions that some path leaves without switching back.
pub fn check(input: &RuleInput<'_>, out: &mut Vec<Diagnostic>) {
    for finding in input.regions {
        let FindingKind::Leak {
            ways,
            context,
            witness,
        } = &finding.kind
        else {
            continue;
        };
        let region = &finding.region;
        let label = if region.via.is_empty() {
            "the thread is switched here".to_owned()
        } else {
            "this call returns with the thread switched".to_owned()
        };
        let mut diagnostic = Diagnostic::lint(
            &SWITCH_WITHOUT_RESTORE,
            "a path leaves the thread in another namespace",
            Label {
                span: region.span.clone(),
                message: label,
            },
        );
        for (way, span) in ways {
            diagnostic = diagnostic.with_secondary(span.clone(), describe_way(*way));
        }
        chain_notes(&mut diagnostic, &region.via);
        let mut diagnostic = diagnostic.with_note(describe_context(*context));
        if let Some(witness) = witness {
            witness_notes(&mut diagnostic, witness);
        }
        let diagnostic = diagnostic.with_help(
            "switch back on every path (keep the error until the thread is back), or use \
                 `nsscope`: `ns.run_here(|host| ..)` restores on every exit, panics included, and \
                 `ns.run(|host| ..)` never touches this thread",
        );
        out.push(diagnostic);
    }
}

fn describe_way(way: LeakWay) -> &'static str {
    match way {
        LeakWay::Exit(ExitKind::Try) => "returns early here with the thread still switched",
        LeakWay::Exit(ExitKind::Panic) => "a panic here unwinds with the thread still switched",
        LeakWay::Exit(ExitKind::Return { .. }) => "returns here with the thread still switched",
        LeakWay::Exit(ExitKind::Break | ExitKind::Exec) => {
            "leaves here with the thread still switched"
        }
        LeakWay::EndOfBody => "ends here and hands the thread back still switched",
        LeakWay::UnrestoredPath => "on one path through here the thread is not switched back",
    }
}
