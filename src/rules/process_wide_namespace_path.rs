//! `process_wide_namespace_path`: `/proc/self/ns/*` and `/proc/net/*` used where they name
//! another thread's namespace than the caller's: inside a switched region or a scope, or as
//! the namespace file a thread switches to (a restore target), on a thread that may not be
//! the main one. In strict mode, every use in a crate that moves threads between namespaces,
//! outside the main thread.

use super::{RuleInput, witness_notes};
use crate::diagnostic::{Diagnostic, Label, Span};
use crate::effects::FindingKind;
use crate::registry::PROCESS_WIDE_NAMESPACE_PATH;

/// Reports process-wide namespace paths used where the calling thread may be another one.
pub fn check(input: &RuleInput<'_>, out: &mut Vec<Diagnostic>) {
    let mut reported: Vec<&Span> = Vec::new();
    for finding in input.regions {
        let FindingKind::ProcessWidePath {
            span,
            value,
            switch,
            witness,
        } = &finding.kind
        else {
            continue;
        };
        if reported.contains(&span) {
            continue;
        }
        reported.push(span);
        let mut diagnostic = path_diagnostic(span, value);
        diagnostic = match switch {
            Some(at) => diagnostic.with_secondary(
                at.clone(),
                "the thread switches to that namespace here: the main thread's, not the one it came from",
            ),
            None => diagnostic.with_secondary(
                finding.region.span.clone(),
                if finding.region.guard {
                    "this guard keeps the thread switched until it is dropped"
                } else {
                    "the thread is switched here"
                },
            ),
        };
        if let Some(witness) = witness {
            witness_notes(&mut diagnostic, witness);
        }
        out.push(diagnostic);
    }
    // A path naming the calling thread, opened by a pool on one of its own threads: the
    // wrong thread's namespace on every path.
    for used in &input.facts.pool_thread_paths {
        let value = &used.value;
        out.push(
            Diagnostic::lint(
                &PROCESS_WIDE_NAMESPACE_PATH,
                format!("`{value}` is opened on a pool thread: it names that thread's namespace"),
                Label {
                    span: used.span.clone(),
                    message: "opened by the runtime's blocking pool, not by this thread".to_owned(),
                },
            )
            .with_note(
                "`/proc/thread-self` names the thread that opens it: `tokio::fs` opens files on \
                 its blocking pool, whose threads may be in other namespaces than the caller's",
            )
            .with_help("open it on the calling thread with `std::fs`, then hand the file over"),
        );
    }
    if !input.strict {
        return;
    }
    let facts = input.facts;
    let off_main = |body: Option<u32>| {
        body.and_then(|b| input.contexts_of(b))
            .is_none_or(|c| c.off_main.is_some())
    };
    let switches_threads =
        facts.uses_scopes || facts.switches.iter().any(|s| off_main(Some(s.body)));
    if !switches_threads {
        return;
    }
    for used in &facts.path_uses {
        if off_main(used.body) && !reported.contains(&&used.span) {
            out.push(path_diagnostic(&used.span, &used.value).with_note(
                "strict mode: a crate that moves threads between namespaces names them by the \
                 calling thread, everywhere but on the main thread",
            ));
        }
    }
}

fn path_diagnostic(span: &Span, value: &str) -> Diagnostic {
    let thread_path = value
        .replacen("/proc/self/", "/proc/thread-self/", 1)
        .replacen("/proc/net", "/proc/thread-self/net", 1);
    Diagnostic::lint(
        &PROCESS_WIDE_NAMESPACE_PATH,
        format!("`{value}` names the main thread's namespace, not the calling thread's"),
        Label {
            span: span.clone(),
            message: "process-wide path".to_owned(),
        },
    )
    .with_note(
        "`/proc/self` is the thread-group leader and `/proc/net` is `/proc/self/net`; on any \
         other thread they can disagree with the thread reading them",
    )
    .with_help(format!("name the calling thread instead: `{thread_path}`"))
}
