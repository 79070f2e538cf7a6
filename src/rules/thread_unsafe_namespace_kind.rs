//! `thread_unsafe_namespace_kind`: kinds the kernel refuses or mishandles on shared threads.
//!
//! user: a multithreaded process cannot join or create one (EINVAL), whatever the thread.
//! time joined with `setns`: the kernel requires a single-threaded process (EUSERS).
//! pid, and time created with `unshare`: they change only the namespace of future children,
//! and a thread in that state can no longer create threads; harmless on a dedicated thread or
//! in a child.
//! mnt (joined with `setns`): refused while the thread shares `fs_struct`, unless the same
//! thread first unshared `CLONE_FS` or `CLONE_NEWNS`.

use super::{RuleInput, witness_notes};
use crate::catalog::{FlagKind, SwitchOp};
use crate::diagnostic::{Diagnostic, Label};
use crate::model::SwitchCall;
use crate::registry::THREAD_UNSAFE_NAMESPACE_KIND;

/// Reports switches into kinds that cannot be entered safely where they are: the process may
/// have other threads there, or the thread is one other code reuses.
pub fn check(input: &RuleInput<'_>, out: &mut Vec<Diagnostic>) {
    let facts = input.facts;
    for call in &facts.switches {
        let Some(contexts) = input.contexts_of(call.body) else {
            continue;
        };
        let single = contexts
            .after_start(call.after_threads_started)
            .all(|c| c.is_single_threaded());
        if single {
            continue;
        }
        let Some(kinds) = &call.kinds else {
            continue;
        };
        let shared = contexts.shared.as_ref();
        let problem = if kinds.contains(&FlagKind::User) {
            Some(Problem::User)
        } else if call.op == SwitchOp::Setns && kinds.contains(&FlagKind::Time) {
            Some(Problem::JoinTime)
        } else if shared.is_some()
            && let Some(kind) = kinds
                .iter()
                .copied()
                .find(|k| matches!(k, FlagKind::Pid | FlagKind::Time))
        {
            Some(Problem::ChildrenOnly(kind))
        } else if call.op == SwitchOp::Setns
            && kinds.contains(&FlagKind::Mnt)
            && !call.fs_unshared_before
        {
            Some(Problem::SharedFs)
        } else {
            None
        };
        if let Some(problem) = problem {
            let mut diagnostic = problem.diagnostic(call);
            let witness = match problem {
                Problem::ChildrenOnly(_) => shared,
                _ => contexts.multi_threaded.as_ref(),
            };
            if let Some(witness) = witness {
                witness_notes(&mut diagnostic, witness);
            }
            out.push(diagnostic);
        }
    }
}

#[derive(Clone, Copy)]
enum Problem {
    User,
    JoinTime,
    ChildrenOnly(FlagKind),
    SharedFs,
}

impl Problem {
    fn diagnostic(&self, call: &SwitchCall) -> Diagnostic {
        let (message, label, note, help) = match self {
            Problem::User => (
                "entering a user namespace from a multithreaded process fails".to_owned(),
                "fails with EINVAL once the process has more than one thread".to_owned(),
                "the kernel lets only single-threaded processes join or create user namespaces",
                "create the user namespace in a child: `nsscope::Namespace::command(cmd)`, or \
                 `unshare(CLONE_NEWUSER)` in a `pre_exec` closure",
            ),
            Problem::JoinTime => (
                "joining a time namespace from a multithreaded process fails".to_owned(),
                "fails with EUSERS once the process has more than one thread".to_owned(),
                "the kernel lets a process join a time namespace only while it is single-threaded",
                "join it in a child before exec: `nsscope::Namespace::command(cmd)`",
            ),
            Problem::ChildrenOnly(kind) => (
                format!("entering a {kind} namespace on a thread the code does not own"),
                format!("changes the {kind} namespace of this thread's future children"),
                "pid and time namespaces apply to children only, and a thread whose pid \
                 namespace for children differs can no longer create threads",
                "enter it in the child that needs it: `nsscope::Namespace::command(cmd)`",
            ),
            Problem::SharedFs => (
                "joining a mount namespace on a thread that shares its filesystem attributes"
                    .to_owned(),
                "fails with EINVAL while this thread shares `fs_struct` with others".to_owned(),
                "setns(2) refuses CLONE_NEWNS unless the thread first calls \
                 `unshare(CLONE_FS)`, which the code does not do on this thread before",
                "use `Namespace::run`, which unshares `CLONE_FS` on a fresh thread first, or call \
                 `unshare(CLONE_FS)` on this thread before `setns`",
            ),
        };
        Diagnostic::lint(
            &THREAD_UNSAFE_NAMESPACE_KIND,
            message,
            Label {
                span: call.span.clone(),
                message: label,
            },
        )
        .with_note(note)
        .with_help(help)
    }
}
