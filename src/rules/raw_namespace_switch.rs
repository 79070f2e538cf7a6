//! `raw_namespace_switch`: the inventory of every raw `setns`/`unshare` call, with the
//! namespace-sensitive operations of the region each one opens as notes.

use super::RuleInput;
use super::describe_switch;
use crate::diagnostic::{Child, ChildKind, Diagnostic, Label};
use crate::effects::FindingKind;
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
        let in_child = input.contexts_of(call.body).is_some_and(|c| {
            !c.contexts.is_empty()
                && c.contexts
                    .iter()
                    .all(|&c| c == ThreadContext::ChildAfterFork)
        });
        let help = if in_child {
            "to enter namespaces in a child process, `nsscope::Namespace::command(cmd)` does it \
             before exec without hand-written `pre_exec` code"
        } else {
            "run the work in a scope instead: `NetNs::open(path)?.run(|host| ..)` runs it on a \
             fresh thread and leaves this one untouched"
        };
        let mut diagnostic = Diagnostic::lint(
            &RAW_NAMESPACE_SWITCH,
            format!(
                "raw namespace switch: `{}` changes the namespace of the calling thread only",
                call.api
            ),
            label,
        )
        .with_note(
            "everything that runs on this thread afterwards, and every thread it spawns, runs \
             in the new namespace until it is switched back",
        );
        // What the region does in the namespace: its purpose, sound where no lint says
        // otherwise.
        let mut seen = Vec::new();
        for finding in input.regions {
            let FindingKind::Operation {
                span,
                what,
                risk: None,
                ..
            } = &finding.kind
            else {
                continue;
            };
            if finding.region.switch_span() != &call.span || seen.contains(&span) {
                continue;
            }
            seen.push(span);
            diagnostic.children.push(Child {
                kind: ChildKind::Note,
                message: format!("in the region this switch opens: {what}"),
                span: Some(span.clone()),
            });
        }
        out.push(diagnostic.with_help(help));
    }
}
