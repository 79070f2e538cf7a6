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

pub use walk::{HalfFacts, Link, extract_facts, extract_half_facts};

/// The thread a piece of code runs on (DESIGN.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ThreadContext {
    /// Decided by the code around it: a named function runs where its callers run it, a
    /// closure where the body it is written in runs. Never a result of the analysis.
    Caller,
    /// Code outside the workspace may run it, on any thread.
    Unknown,
    /// A task polled by a multi-thread runtime: it may move to another worker at every
    /// `.await`.
    AsyncTask,
    /// A closure run on a reused pool thread.
    PoolThread,
    /// A closure run on a thread created for it.
    DedicatedThread,
    /// A forked child about to exec (`pre_exec`, the child branch of `fork`).
    ChildAfterFork,
    /// The closure of an approved scope.
    Scope(ScopeKind),
    /// A future run by a current-thread runtime on a thread the code owns: it stays there.
    OwnRuntime,
    /// A thread a test harness made for one test, thrown away afterwards.
    TestThread,
    /// The process's only thread: `main` before it starts others, constructors.
    SingleThreaded,
    /// The main thread after the process started others.
    MainThread,
}

impl ThreadContext {
    /// Whether the code may run on a thread that other code reuses afterwards (or on any
    /// thread at all).
    pub fn is_shared(self) -> bool {
        matches!(
            self,
            ThreadContext::Caller
                | ThreadContext::Unknown
                | ThreadContext::AsyncTask
                | ThreadContext::PoolThread
        )
    }

    /// Whether code here may be polled by a multi-thread runtime, so that it can resume on
    /// another thread after an `.await`.
    pub fn may_migrate(self) -> bool {
        matches!(self, ThreadContext::AsyncTask | ThreadContext::Unknown)
    }

    /// Whether the thread is the process's main thread, the one `/proc/self` names (in a
    /// forked child, the only thread is the child's main thread).
    pub fn is_main_thread(self) -> bool {
        matches!(
            self,
            ThreadContext::SingleThreaded
                | ThreadContext::MainThread
                | ThreadContext::ChildAfterFork
        )
    }

    /// Whether the process has one thread here (the kernel lets only such processes join a
    /// user or time namespace, and a thread that shares no `fs_struct` join a mount one).
    pub fn is_single_threaded(self) -> bool {
        matches!(
            self,
            ThreadContext::SingleThreaded | ThreadContext::ChildAfterFork
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
    /// The body the call is in (an index into [`CrateFacts::bodies`]).
    pub body: u32,
    /// Whether the same thread body unshared `CLONE_FS` or `CLONE_NEWNS` before this call.
    pub fs_unshared_before: bool,
    /// Whether the body started a thread or runtime before this call (in `main`, the
    /// single-threaded phase is over).
    pub after_threads_started: bool,
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

/// A process-wide namespace path a call uses (opens, reads, stats): not one only compared or
/// probed for existence.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PathUse {
    /// The literal, or the argument when the value comes from a `const` or a function.
    pub span: Span,
    /// Its value.
    pub value: String,
    /// The body it is in (an index into [`CrateFacts::bodies`]); `None` outside any body.
    pub body: Option<u32>,
}

/// Everything the model knows about one crate target.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CrateFacts {
    /// Raw switch calls, in source order.
    pub switches: Vec<SwitchCall>,
    /// Process-wide namespace paths used.
    pub path_uses: Vec<PathUse>,
    /// Paths naming the calling thread (`/proc/thread-self/..`) handed to a thread pool
    /// (`tokio::fs`), which opens them on one of its threads.
    pub pool_thread_paths: Vec<PathUse>,
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
    /// Adds another target's facts (the targets of one package are judged together); body
    /// indices of `other` move past this one's bodies.
    pub fn merge(&mut self, other: CrateFacts) {
        let offset = u32::try_from(self.bodies.len()).unwrap_or(u32::MAX);
        self.switches
            .extend(other.switches.into_iter().map(|mut s| {
                s.body = s.body.saturating_add(offset);
                s
            }));
        self.path_uses
            .extend(other.path_uses.into_iter().map(|mut l| {
                l.body = l.body.map(|b| b.saturating_add(offset));
                l
            }));
        self.pool_thread_paths
            .extend(other.pool_thread_paths.into_iter().map(|mut l| {
                l.body = l.body.map(|b| b.saturating_add(offset));
                l
            }));
        self.uses_scopes |= other.uses_scopes;
        self.bodies.extend(other.bodies.into_iter().map(|mut b| {
            b.parent = b.parent.map(|p| p.saturating_add(offset));
            b
        }));
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
            ContextKind::TestThread => ThreadContext::TestThread,
            ContextKind::SingleThreaded => ThreadContext::SingleThreaded,
            ContextKind::MainThread => ThreadContext::MainThread,
            ContextKind::Caller => ThreadContext::Caller,
        }
    }
}
