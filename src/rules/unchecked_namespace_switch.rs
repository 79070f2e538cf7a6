//! `unchecked_namespace_switch`: a raw switch whose result is thrown away.

use super::RuleInput;
use crate::diagnostic::{Diagnostic, Label};
use crate::registry::UNCHECKED_NAMESPACE_SWITCH;

/// Reports raw switches whose failure would go unnoticed.
pub fn check(input: &RuleInput<'_>, out: &mut Vec<Diagnostic>) {
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
