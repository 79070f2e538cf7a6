//! The lints: one file per lint, each a small check over the model's facts.
//!
//! A rule reads [`CrateFacts`] and pushes [`Diagnostic`]s at the lint's default level;
//! configuration and suppressions are applied afterwards. Rules know nothing of output
//! formats.

mod process_wide_namespace_path;
mod raw_namespace_switch;
mod thread_unsafe_namespace_kind;
mod unchecked_namespace_switch;

use crate::catalog::{FlagKind, SwitchOp};
use crate::diagnostic::Diagnostic;
use crate::model::{CrateFacts, SwitchCall};

/// A lint's check.
type Rule = fn(&CrateFacts, &mut Vec<Diagnostic>);

/// Every rule, in registry order. Lints whose analysis lives in a later stage have none yet.
const RULES: &[Rule] = &[
    raw_namespace_switch::check,
    thread_unsafe_namespace_kind::check,
    unchecked_namespace_switch::check,
    process_wide_namespace_path::check,
];

/// Runs every rule over one package's facts.
pub fn check_all(facts: &CrateFacts) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in RULES {
        rule(facts, &mut out);
    }
    out
}

/// Describes what a switch does to the thread, for labels (`switches this thread into the
/// net namespace`).
fn describe_switch(call: &SwitchCall) -> String {
    let kinds = call.kinds.as_ref().map(|k| {
        k.iter()
            .filter(|k| **k != FlagKind::Fs)
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    });
    match (call.op, kinds) {
        (SwitchOp::Setns, Some(k)) if !k.is_empty() => {
            format!(
                "switches this thread into another {} namespace",
                join_kinds(&k)
            )
        }
        (SwitchOp::Setns, _) => "switches this thread into another namespace".to_owned(),
        (SwitchOp::Unshare, Some(k)) if !k.is_empty() => {
            format!("moves this thread into a new {} namespace", join_kinds(&k))
        }
        (SwitchOp::Unshare, _) => "unshares this thread's attributes".to_owned(),
    }
}

fn join_kinds(kinds: &[String]) -> String {
    match kinds {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
