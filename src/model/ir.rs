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
    },
    /// A loop body: runs zero or more times.
    Loop {
        /// The body.
        body: Vec<Event>,
    },
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
        /// `main`, or a test: the thread is owned by the program, not shared.
        is_entry: bool,
        /// For `impl Drop for T { fn drop }`: `T`.
        drop_of: Option<String>,
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
}

/// A function, closure or async block and what it does.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Body {
    /// Whose body it is.
    pub owner: BodyOwner,
    /// The thread it runs on.
    pub context: ThreadContext,
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
