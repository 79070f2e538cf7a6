//! `unchecked_namespace_switch`: a raw switch whose result is thrown away.

use super::{RuleInput, chain_notes};
use crate::diagnostic::{Diagnostic, Label};
use crate::effects::FindingKind;
use crate::registry::UNCHECKED_NAMESPACE_SWITCH;

/// Reports raw switches, and calls of functions that switch, whose failure would go
/// unnoticed.
pub fn check(input: &RuleInput<'_>, out: &mut Vec<Diagnostic>) {
    for finding in input.regions {
        let FindingKind::UncheckedCall { span, chain } = &finding.kind else {
            continue;
        };
        let function = chain
            .first()
            .map_or("the function", |s| s.function.as_str());
        let mut diagnostic = Diagnostic::lint(
            &UNCHECKED_NAMESPACE_SWITCH,
            format!("the result of `{function}` is ignored, and it switches the thread"),
            Label {
                span: span.clone(),
                message:
                    "if the switch inside fails, the code carries on in the original namespace"
                        .to_owned(),
            },
        );
        chain_notes(&mut diagnostic, chain);
        out.push(
            diagnostic
                .with_note(
                    "its result reports whether the switch happened; thrown away, the work that \
                     follows runs in whichever namespace the thread is in",
                )
                .with_help("propagate the error with `?`, or handle it"),
        );
    }
    let facts = input.facts;
    for call in facts
        .switches
        .iter()
        .filter(|c| c.checked_result && c.discarded)
    {
        let help = if call.api.starts_with("libc::") {
            "check the return value: on `-1` the switch did not happen; \
             `std::io::Error::last_os_error()` says why"
        } else {
            "propagate the error with `?`, or handle it"
        };
        out.push(
            Diagnostic::lint(
                &UNCHECKED_NAMESPACE_SWITCH,
                format!("the result of `{}` is ignored", call.api),
                Label {
                    span: call.span.clone(),
                    message: "if this fails, the code carries on in the original namespace"
                        .to_owned(),
                },
            )
            .with_note(
                "setns(2) and unshare(2) fail for ordinary reasons (EPERM, EINVAL for the wrong \
                 fd kind, ENOMEM); the work that follows then runs in the wrong namespace",
            )
            .with_help(help),
        );
    }
}
