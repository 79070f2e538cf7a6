//! `outer_namespace_handle`: a namespace-bound handle made outside a scope and used in it.

use super::RuleInput;
use crate::diagnostic::{Diagnostic, Label};
use crate::registry::OUTER_NAMESPACE_HANDLE;

/// Reports uses inside scopes of handles created outside them.
pub fn check(input: &RuleInput<'_>, out: &mut Vec<Diagnostic>) {
    for handle in &input.facts.outer_handles {
        out.push(
            Diagnostic::lint(
                &OUTER_NAMESPACE_HANDLE,
                format!(
                    "`{}` was created outside this scope and still talks to that namespace",
                    handle.name
                ),
                Label {
                    span: handle.span.clone(),
                    message: "used inside the scope".to_owned(),
                },
            )
            .with_secondary(
                handle.binding.clone(),
                format!("created here, outside the scope ({})", handle.what),
            )
            .with_note(
                "sockets, netlink handles and resolvers stay bound to the namespace they were \
                 created in; entering another one later does not move them",
            )
            .with_help(
                "create it inside the scope (`let h = ns.run(|_| make())?;`): made inside, it \
                 keeps working in the namespace after the scope ends",
            ),
        );
    }
}
