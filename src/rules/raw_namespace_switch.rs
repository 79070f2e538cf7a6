//! `raw_namespace_switch`: the inventory of every raw `setns`/`unshare` call.

use super::RuleInput;
use super::describe_switch;
use crate::diagnostic::{Diagnostic, Label};
use crate::model::ThreadContext;
use crate::registry::RAW_NAMESPACE_SWITCH;

/// Reports every raw switch call, with help pointing to the nsscope API.
pub fn check(input: &RuleInput<'_>, out: &mut Vec<Diagnostic>) {
    let facts = input.facts;
    for call in &facts.switches {
        let label = Label {
            span: call.span.clone(),
            message: describe_switch(call),
        };
        let help = if call.context == ThreadContext::ChildAfterFork {
            "to enter namespaces in a child process, `nsscope::Namespace::command(cmd)` does it \
             before exec without hand-written `pre_exec` code"
        } else {
            "run the work in a scope instead: `NetNs::open(path)?.run(|host| ..)` runs it on a \
             fresh thread and leaves this one untouched"
        };
        out.push(
            Diagnostic::lint(
                &RAW_NAMESPACE_SWITCH,
                format!(
                    "raw namespace switch: `{}` changes the namespace of the calling thread only",
                    call.api
                ),
                label,
            )
            .with_note(
                "everything that runs on this thread afterwards, and every thread it spawns, \
                 runs in the new namespace until it is switched back",
            )
            .with_help(help),
        );
    }
}
