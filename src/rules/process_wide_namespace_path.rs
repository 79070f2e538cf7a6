//! `process_wide_namespace_path`: `/proc/self/ns/*` and `/proc/net/*` in code that moves
//! threads between namespaces.

use super::RuleInput;
use crate::diagnostic::{Diagnostic, Label};
use crate::model::ThreadContext;
use crate::registry::PROCESS_WIDE_NAMESPACE_PATH;

/// Reports process-wide namespace paths in crates that switch threads.
pub fn check(input: &RuleInput<'_>, out: &mut Vec<Diagnostic>) {
    let facts = input.facts;
    if !facts.switches_threads() {
        return;
    }
    for literal in &facts.path_literals {
        if literal.context == ThreadContext::ChildAfterFork {
            continue;
        }
        let thread_path = literal
            .value
            .replacen("/proc/self/", "/proc/thread-self/", 1)
            .replacen("/proc/net", "/proc/thread-self/net", 1);
        out.push(
            Diagnostic::lint(
                &PROCESS_WIDE_NAMESPACE_PATH,
                format!(
                    "`{}` names the main thread's namespace, not the calling thread's",
                    literal.value
                ),
                Label {
                    span: literal.span.clone(),
                    message: "process-wide path".to_owned(),
                },
            )
            .with_note(
                "`/proc/self` is the thread-group leader and `/proc/net` is `/proc/self/net`; \
                 in a crate that switches threads they can disagree with the thread reading them",
            )
            .with_help(format!("name the calling thread instead: `{thread_path}`")),
        );
    }
}
