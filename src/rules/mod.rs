//! The lints: one file per lint, each a small check over the model's facts.
//!
//! A rule reads [`CrateFacts`] and pushes [`Diagnostic`]s at the lint's default level;
//! configuration and suppressions are applied afterwards. Rules know nothing of output
//! formats.

mod await_while_switched;
mod outer_namespace_handle;
mod process_wide_namespace_path;
mod raw_namespace_switch;
mod switch_without_restore;
mod thread_unsafe_namespace_kind;
mod unchecked_namespace_switch;
mod unscoped_namespace_op;
mod work_escapes_scope;

use crate::catalog::{FlagKind, SwitchOp};
use crate::diagnostic::{Child, ChildKind, Diagnostic};
use crate::effects::{BodyContexts, Chain, Finding, Root, Witness};
use crate::model::{CrateFacts, SwitchCall, ThreadContext};

/// What the rules see of one package: its facts and the region findings of its bodies.
pub struct RuleInput<'a> {
    /// The package's facts.
    pub facts: &'a CrateFacts,
    /// What the effects stage found in its switched regions and scopes.
    pub regions: &'a [&'a Finding],
    /// Its sensitive operations outside any scope, with what they do.
    pub outside_scope: &'a [(&'a crate::diagnostic::Span, &'a str)],
    /// For each of its bodies (by index into `facts.bodies`), the threads it runs on.
    pub contexts: &'a [BodyContexts],
    /// Whether the package is in strict mode.
    pub strict: bool,
}

/// A lint's check.
type Rule = fn(&RuleInput<'_>, &mut Vec<Diagnostic>);

/// Every rule, in registry order. Lints whose analysis lives in a later stage have none yet.
const RULES: &[Rule] = &[
    raw_namespace_switch::check,
    switch_without_restore::check,
    await_while_switched::check,
    unscoped_namespace_op::check,
    work_escapes_scope::check,
    outer_namespace_handle::check,
    thread_unsafe_namespace_kind::check,
    unchecked_namespace_switch::check,
    process_wide_namespace_path::check,
];

/// Runs every rule over one package.
pub fn check_all(input: &RuleInput<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in RULES {
        rule(input, &mut out);
    }
    for diagnostic in &mut out {
        macro_notes(diagnostic);
    }
    out
}

/// For each label on code a crate-local macro wrote (reported at the invocation), a note
/// that points at the place in the macro, as rustc's "in this macro invocation" does.
fn macro_notes(diagnostic: &mut Diagnostic) {
    let origins: Vec<_> = diagnostic
        .primary
        .iter()
        .chain(&diagnostic.secondary)
        .filter_map(|label| label.span.expansion.as_deref())
        .cloned()
        .collect();
    let mut seen = Vec::new();
    for origin in origins {
        if seen.contains(&origin) {
            continue;
        }
        diagnostic.children.push(Child {
            kind: ChildKind::Note,
            message: format!("in this expansion of `{}!`, written here", origin.name),
            span: Some(origin.definition.clone()),
        });
        seen.push(origin);
    }
}

/// Notes that lead down a chain of calls: "`open_probe` binds a UDP socket" at its place.
fn chain_notes(diagnostic: &mut Diagnostic, chain: &Chain) {
    for step in chain {
        diagnostic.children.push(Child {
            kind: ChildKind::Note,
            message: format!("`{}` {}", step.function, step.what),
            span: Some(step.span.clone()),
        });
    }
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

/// A finding at a call or operation that may lie in a helper: labelled with what it does, and
/// with notes that lead down the chain of calls to it.
fn through_helpers(
    lint: &'static crate::registry::Lint,
    message: String,
    span: &crate::diagnostic::Span,
    what: &str,
    chain: &Chain,
) -> Diagnostic {
    let label = if chain.is_empty() {
        what.to_owned()
    } else {
        format!("through helpers, this call {what}")
    };
    let mut diagnostic = Diagnostic::lint(
        lint,
        message,
        crate::diagnostic::Label {
            span: span.clone(),
            message: label,
        },
    );
    chain_notes(&mut diagnostic, chain);
    diagnostic
}

/// Where a region starts, for secondary labels and the notes that lead to its switch.
fn region_origin(diagnostic: &mut Diagnostic, finding: &Finding, label: &str) {
    let region = &finding.region;
    diagnostic.secondary.push(crate::diagnostic::Label {
        span: region.span.clone(),
        message: if region.guard {
            "this guard keeps the thread switched until it is dropped".to_owned()
        } else {
            label.to_owned()
        },
    });
    chain_notes(diagnostic, &region.via);
}

impl RuleInput<'_> {
    /// The threads a body of the package runs on (none known for a bad index).
    fn contexts_of(&self, body: u32) -> Option<&BodyContexts> {
        self.contexts.get(body as usize)
    }
}

/// Why staying switched hurts in a thread context.
fn describe_context(context: ThreadContext) -> &'static str {
    match context {
        ThreadContext::AsyncTask => {
            "this task runs on a runtime worker; the worker runs other tasks next, in the \
             wrong namespace"
        }
        ThreadContext::PoolThread => {
            "this closure runs on a pool thread; the pool runs other work on it next, in the \
             wrong namespace"
        }
        ThreadContext::ChildAfterFork => {
            "this is a forked child's branch: a path out of it returns into the caller's code, \
             which the child process then runs in the switched namespace"
        }
        _ => {
            "this code may run on any thread (main, a pool thread, a runtime worker); whatever \
             runs on that thread next runs in the wrong namespace"
        }
    }
}

/// Notes that say why code runs where it does: the root (a public function, a task spawned
/// at a place, a test) and the calls from it down, so that a user who disagrees sees what to
/// change.
fn witness_notes(diagnostic: &mut Diagnostic, witness: &Witness) {
    let chain: Vec<&str> = std::iter::once(witness.function.as_str())
        .chain(witness.steps.iter().map(|s| callee_of(&s.what)))
        .collect();
    let path = chain.join(" → ");
    let (message, span) = match &witness.root {
        Root::External => (
            format!(
                "`{}` is public: callers outside the workspace may run it on any thread \
                 (reached as {path})",
                witness.function
            ),
            witness.span.clone(),
        ),
        Root::NoCallers => (
            format!(
                "no caller of `{}` is known in the workspace: it may run on any thread \
                 (reached as {path})",
                witness.function
            ),
            witness.span.clone(),
        ),
        Root::Handed => (
            format!("{} here (reached as {path})", handed_to(witness.context)),
            witness.span.clone(),
        ),
        Root::Entry(what) => (format!("reached from {what}: {path}"), witness.span.clone()),
    };
    diagnostic.children.push(Child {
        kind: ChildKind::Note,
        message,
        span: Some(span),
    });
    for step in &witness.steps {
        diagnostic.children.push(Child {
            kind: ChildKind::Note,
            message: format!("`{}` {}", step.function, step.what),
            span: Some(step.span.clone()),
        });
    }
}

/// The callee a chain step names (`calls `serve`` → `serve`).
fn callee_of(what: &str) -> &str {
    what.strip_prefix("calls `")
        .and_then(|rest| rest.strip_suffix('`'))
        .unwrap_or(what)
}

/// Where a thread API runs what it is handed, in words.
fn handed_to(context: ThreadContext) -> &'static str {
    match context {
        ThreadContext::AsyncTask => "spawned as a task on a multi-thread runtime's workers",
        ThreadContext::PoolThread => "handed to a thread pool",
        ThreadContext::DedicatedThread => "run on a thread of its own",
        ThreadContext::ChildAfterFork => "run in a child process",
        ThreadContext::OwnRuntime => "run on a current-thread runtime",
        _ => "handed to a thread API",
    }
}
