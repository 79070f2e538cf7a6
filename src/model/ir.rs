//! The per-body event list: what a function, closure or async block does, in program order,
//! with branches and loops kept as structure. The effects stage interprets it.

use super::ThreadContext;
use crate::catalog::{FlagKind, SwitchOp};
use crate::diagnostic::Span;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How a path through a body can leave it (or leave the region).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExitKind {
    /// `?`: returns early on error.
    Try,
    /// `unwrap`, `expect`, `panic!`, failed assertions: unwinds.
    Panic,
    /// `return`; `is_err` when it returns `Err(..)`.
    Return {
        /// Whether the returned value is written as `Err(..)`.
        is_err: bool,
    },
    /// `break` or `continue`: leaves the loop.
    Break,
    /// `exec`: the process image is replaced; nothing after it matters.
    Exec,
}

/// What a call's receiver type is, as far as the walk could tell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TypeRef {
    /// A type by canonical path.
    Named(String),
    /// The return type of a function, looked up once every crate is known.
    ReturnOf(String),
}

/// The function a call reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Callee {
    /// A free or associated function by canonical path.
    Path(String),
    /// A method on a receiver of known type.
    Method {
        /// The receiver's type.
        receiver: TypeRef,
        /// The method's name.
        method: String,
    },
    /// A method of one of the crate's traits on a receiver of unknown type (a trait object,
    /// a generic): any implementation of it may run.
    Dyn {
        /// The method's name.
        method: String,
    },
}

/// One thing a body does.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Event {
    /// A raw switch.
    Switch {
        /// Join or create.
        op: SwitchOp,
        /// The kinds, when known.
        kinds: Option<BTreeSet<FlagKind>>,
        /// When the kinds come from a parameter of the function (a wrapper such as
        /// `fn unshare(flags)`), its index: callers know them.
        flags_param: Option<usize>,
        /// The call.
        span: Span,
        /// Whether the code looks at the result (a discarded result hides a failed switch).
        checked: bool,
        /// For a `setns`: where the namespace file came from, as far as the walk can tell.
        target: SwitchTarget,
        /// For a namespace file opened from a process-wide path: where the path is used, and
        /// what it is.
        target_path: Option<(Span, String)>,
    },
    /// A call to a function that may be defined in the workspace.
    Call {
        /// Who is called.
        callee: Callee,
        /// The call expression.
        span: Span,
        /// The local the result is bound to (`let g = enter()?`).
        bound_to: Option<String>,
        /// An exit taken when the call fails (`enter()?`, `add_route().unwrap()`). Whether it
        /// leaves a region depends on what the call does, known only once it is resolved.
        exit: Option<(ExitKind, Span)>,
        /// The namespace kinds each argument selects, where it is a flags expression.
        arg_kinds: Vec<Option<BTreeSet<FlagKind>>>,
        /// The arguments that are `true` or `false` literals (empty when none is).
        arg_consts: Vec<Option<bool>>,
        /// When the call's value is handed to a thread API (`tokio::spawn(serve(conn))`): the
        /// context the API runs it in. Only an `async fn`'s value is code that runs there.
        handed_to: Option<ThreadContext>,
        /// Whether the call's result is thrown away (`let _ = enter(&ns);`).
        discarded: bool,
    },
    /// A function item handed to a thread API by name (`thread::spawn(worker_main)`): it runs
    /// there, not here.
    Handoff {
        /// The function.
        callee: Callee,
        /// The context the API runs it in.
        context: ThreadContext,
        /// The argument.
        span: Span,
    },
    /// A function or table of functions named as a value (`.map(parse)`, `TESTS`): it may be
    /// called wherever the value goes, which is taken to be where it is named.
    Reference {
        /// What is named.
        callee: Callee,
        /// Where.
        span: Span,
    },
    /// A call that starts threads or a runtime: the process is no longer single-threaded.
    ThreadsStarted,
    /// A process-wide namespace path used (opened, read): it names the main thread's
    /// namespace.
    ProcessWidePath {
        /// Where it is used.
        span: Span,
        /// The path.
        value: String,
        /// When the file opened from it is handed to a function that joins it: that call.
        joined_by: Option<Span>,
    },
    /// A way out of the body.
    Exit {
        /// Which way.
        kind: ExitKind,
        /// Where.
        span: Span,
        /// Whether every path through here leaves (`return`, `panic!`), or only some (`?`).
        diverges: bool,
    },
    /// An `.await`.
    Await {
        /// The `.await`.
        span: Span,
    },
    /// Work handed to another thread.
    Escape {
        /// What it does ("runs the closure on the runtime's blocking pool").
        what: String,
        /// The call.
        span: Span,
    },
    /// A namespace-sensitive operation.
    Sensitive {
        /// What it does ("binds a UDP socket").
        what: String,
        /// The operation.
        span: Span,
    },
    /// `drop(name)`.
    Drop {
        /// The local dropped.
        name: String,
    },
    /// The end of a block: its locals are dropped.
    EndScope {
        /// Locals declared in the block.
        names: Vec<String>,
    },
    /// `if`/`match`: one of the arms runs.
    Branch {
        /// The arms; a missing `else` is an empty arm.
        arms: Vec<Vec<Event>>,
        /// The `if`/`match` expression.
        span: Span,
        /// For `if flag` / `if !flag` on a parameter of the function: which value takes the
        /// first arm (constant arguments at call sites select an arm).
        test: Option<ParamTest>,
    },
    /// A loop body: runs zero or more times (`while`, `for`), or until a `break` (`loop`).
    Loop {
        /// The body.
        body: Vec<Event>,
        /// Whether only a `break` leaves it (`loop { .. }`): without one, nothing after it
        /// runs.
        until_break: bool,
    },
}

/// Where the namespace file of a `setns` came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SwitchTarget {
    /// Not known (a parameter, a field, a value from elsewhere).
    Unknown,
    /// The calling thread's own namespace (`/proc/thread-self/ns/..`,
    /// `/proc/self/task/<gettid()>/ns/..`): joining it switches nothing new.
    OwnThread,
    /// The main thread's namespace (`/proc/self/ns/..`, `/proc/<getpid()>/ns/..`): the
    /// calling thread's only when it is the main thread.
    ProcessWide,
    /// A namespace named by another path (`/run/netns/..`, another process's
    /// `/proc/<pid>/ns/..`): joining it enters, whatever the thread was in before.
    Elsewhere,
}

/// `if flag` on a `bool` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamTest {
    /// The parameter's index (receivers not counted).
    pub param: usize,
    /// The value for which the first arm runs (`false` for `if !flag`).
    pub first_arm_when: bool,
}

/// Why a function is an entry point: the thread its body starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Entry {
    /// A binary's `main`: the process's only thread until it starts others.
    Main,
    /// An attribute the catalogue lists (`#[test]`, `#[tokio::test]`, `#[ctor]`), with the
    /// context it gives the body.
    Root(ThreadContext),
}

/// Who a body belongs to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum BodyOwner {
    /// A named function or method.
    Fn {
        /// Canonical path (`my_crate::net::enter`, `my_crate::Guard::drop`).
        canonical: String,
        /// Canonical paths named in the return type (`Result<Entered>` → the `Entered` path).
        return_types: Vec<String>,
        /// `main`, a test, a constructor: where its thread comes from.
        entry: Option<Entry>,
        /// For `impl Drop for T { fn drop }`: `T`.
        drop_of: Option<String>,
        /// An `async fn`: its body runs where its future is polled.
        is_async: bool,
        /// Code outside the workspace may call it (a library's public item, a trait method
        /// of a trait defined elsewhere, an `extern` function).
        external: bool,
        /// It never returns (`-> !`).
        diverges: bool,
        /// A method of a trait impl or a trait's provided method: a call through a trait
        /// object or a generic may reach it.
        trait_method: bool,
        /// Declared in code compiled for tests (`#[cfg(test)]`, `#[cfg(any(test, ..))]`):
        /// tests call it, here or in the crates that use it.
        test_support: bool,
    },
    /// The initializer of a `const` or `static` that names functions (a table of test cases):
    /// they run wherever the item is named.
    Item {
        /// Canonical path of the item.
        canonical: String,
    },
    /// A closure; `spawned` when an API runs it on a thread of its choosing (a thread, a
    /// pool, a forked child).
    Closure {
        /// Whether a context API owns it.
        spawned: bool,
    },
    /// An `async` block; `spawned` when handed to an API (`tokio::spawn`, `block_on`).
    AsyncBlock {
        /// Whether a context API owns it.
        spawned: bool,
    },
    /// The child's branch of a fork (`match fork()? { Child => .. }`, `if pid == 0 { .. }`,
    /// or the code after a parent's branch that returns): the child process runs it, and a
    /// path out of it returns into the caller's code in that process.
    ForkChild,
}

/// A function, closure or async block and what it does.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Body {
    /// Whose body it is.
    pub owner: BodyOwner,
    /// The thread it runs on, where the code says so (a closure handed to a thread API, a
    /// test); [`ThreadContext::Caller`] when its callers (or, for a closure, the body it is
    /// written in) decide.
    pub context: ThreadContext,
    /// For a closure or async block: the body it is written in (an index into the same
    /// [`CrateFacts::bodies`](super::CrateFacts::bodies)).
    pub parent: Option<u32>,
    /// Its events.
    pub events: Vec<Event>,
    /// Where it is (the function's name, the closure's `|..|`).
    pub span: Span,
}

/// Builds nested event lists while walking.
#[derive(Debug, Default)]
pub struct EventBuilder {
    stack: Vec<Vec<Event>>,
}

impl EventBuilder {
    /// Appends an event to the innermost list.
    pub fn emit(&mut self, event: Event) {
        match self.stack.last_mut() {
            Some(list) => list.push(event),
            None => self.stack.push(vec![event]),
        }
    }

    /// Starts a nested list (an arm, a loop body).
    pub fn open(&mut self) {
        self.stack.push(Vec::new());
    }

    /// Ends the innermost nested list and returns it.
    pub fn close(&mut self) -> Vec<Event> {
        self.stack.pop().unwrap_or_default()
    }

    /// The innermost list, for adjusting what was just emitted.
    pub fn current(&mut self) -> &mut Vec<Event> {
        if self.stack.is_empty() {
            self.stack.push(Vec::new());
        }
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    /// Everything emitted, for a finished body.
    pub fn finish(mut self) -> Vec<Event> {
        let mut events = Vec::new();
        for list in self.stack.drain(..) {
            events.extend(list);
        }
        events
    }
}
