//! The model: facts about each crate's code that the lints reason about, extracted from the
//! resolved AST. The model knows nothing of lints or output formats.

use serde::{Deserialize, Serialize};
mod expand;
pub mod flags;
pub mod ir;
pub mod macros;
mod walk;

use crate::catalog::{FlagKind, ScopeKind, SwitchOp};
use crate::diagnostic::Span;
use std::collections::BTreeSet;

pub use walk::extract_facts;

/// The thread a piece of code runs on (DESIGN.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThreadContext {
    /// An ordinary function body: main, a pool thread or a runtime worker.
    Caller,
    /// An `async fn` or `async` block polled by a multi-thread runtime.
    AsyncTask,
    /// A closure run on a reused pool thread.
    PoolThread,
    /// A closure run on a thread created for it.
    DedicatedThread,
    /// A forked child about to exec (`pre_exec`, the child branch of `fork`).
    ChildAfterFork,
    /// The closure of an approved scope.
    Scope(ScopeKind),
    /// A future run by `block_on` of a current-thread runtime: it stays on the calling thread.
    OwnRuntime,
}

impl ThreadContext {
    /// Whether the code may run on a thread that other code reuses afterwards.
    pub fn is_shared(self) -> bool {
        matches!(
            self,
            ThreadContext::Caller | ThreadContext::AsyncTask | ThreadContext::PoolThread
        )
    }
}

/// A call to a raw switch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SwitchCall {
    /// The canonical API called (`libc::setns`).
    pub api: String,
    /// Join (`setns`) or create (`unshare`).
    pub op: SwitchOp,
    /// The whole call expression.
    pub span: Span,
    /// The kinds the flags argument selects; `None` when unknown. An empty set is a
    /// `setns` that accepts any kind (`0`).
    pub kinds: Option<BTreeSet<FlagKind>>,
    /// Whether the API returns a result that reports failure.
    pub checked_result: bool,
    /// Whether the call's result is thrown away (`let _ =`, `.ok();`, a statement).
    pub discarded: bool,
    /// The thread context the call runs in.
    pub context: ThreadContext,
    /// Whether the same thread body unshared `CLONE_FS` or `CLONE_NEWNS` before this call.
    pub fs_unshared_before: bool,
    /// Whether the call is in `main` before the program starts any thread.
    pub single_threaded: bool,
}

/// A namespace-bound handle created outside a scope and used inside it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OuterHandleUse {
    /// The use inside the scope.
    pub span: Span,
    /// Where the handle was bound.
    pub binding: Span,
    /// The handle's name.
    pub name: String,
    /// What made it ("binds a UDP socket").
    pub what: String,
}

/// A string literal naming a process-wide namespace path.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PathLiteral {
    /// The literal.
    pub span: Span,
    /// Its value.
    pub value: String,
    /// The thread context it appears in.
    pub context: ThreadContext,
}

/// Everything the model knows about one crate target.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CrateFacts {
    /// Raw switch calls, in source order.
    pub switches: Vec<SwitchCall>,
    /// Process-wide namespace path literals.
    pub path_literals: Vec<PathLiteral>,
    /// Whether the crate names an approved scope API (nsscope).
    pub uses_scopes: bool,
    /// Every function, closure and async block with its events.
    pub bodies: Vec<ir::Body>,
    /// Paths that re-export an item under another name (`a::open` → `a::util::open`).
    pub exports: Vec<(String, String)>,
    /// Handles used inside a scope that were created outside it.
    pub outer_handles: Vec<OuterHandleUse>,
    /// The functions (canonical paths) that hand a closure parameter to a thread or scope.
    pub forwarders: Vec<String>,
}

impl CrateFacts {
    /// Whether the crate moves threads between namespaces: raw switches or scopes.
    pub fn switches_threads(&self) -> bool {
        !self.switches.is_empty() || self.uses_scopes
    }

    /// Adds another target's facts (the targets of one package are judged together).
    pub fn merge(&mut self, other: CrateFacts) {
        self.switches.extend(other.switches);
        self.path_literals.extend(other.path_literals);
        self.uses_scopes |= other.uses_scopes;
        self.bodies.extend(other.bodies);
        self.exports.extend(other.exports);
        self.outer_handles.extend(other.outer_handles);
        self.forwarders.extend(other.forwarders);
    }
}

impl From<crate::catalog::ContextKind> for ThreadContext {
    fn from(kind: crate::catalog::ContextKind) -> Self {
        use crate::catalog::ContextKind;
        match kind {
            ContextKind::DedicatedThread => ThreadContext::DedicatedThread,
            ContextKind::PoolThread => ThreadContext::PoolThread,
            ContextKind::ChildAfterFork => ThreadContext::ChildAfterFork,
            ContextKind::AsyncTask => ThreadContext::AsyncTask,
            ContextKind::OwnRuntime => ThreadContext::OwnRuntime,
        }
    }
}
