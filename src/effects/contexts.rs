//! Calling contexts: the threads each body can run on, propagated top-down over the call
//! graph from entry points (DESIGN.md §1, "Calling context").
//!
//! Roots give a body a context of its own: `main` (the process's only thread until it starts
//! others), attributes the catalogue lists (`#[test]`, `#[tokio::test]`, `#[ctor]`), closures
//! handed to thread APIs, and functions code outside the workspace can call (unknown). Every
//! call, function handed over by name and reference adds the caller's contexts to the callee
//! (an `async fn`'s future handed to `tokio::spawn` runs on a worker instead); a closure runs
//! where the body it is written in runs. A body nothing reaches is unknown.
//!
//! Constant arguments prune: a call `persist(p, false)` reaches only the code of `persist`
//! under `if !flag` (and after an `if flag { ..; return }`), so each context is kept with the
//! constant arguments of the call that brought it, and a point in a body sees only the
//! contexts whose constants agree with the `if`s around it.
//!
//! Each context keeps the call that brought it first, so a finding can show the chain from
//! the entry point (a witness).
//!
//! A function code outside the workspace can call (a library's public API) runs where the
//! workspace's own code runs it: its production callers are its contract. Only when none but
//! tests call it is it taken to run on any thread, as callers outside may run it.

use super::{Program, Step, Summary, short_name};
use crate::catalog::ScopeKind;
use crate::diagnostic::Span;
use crate::model::ThreadContext;
use crate::model::ir::{BodyOwner, Event, ParamTest};

/// More contexts than this per body collapse their constant arguments (they stop pruning), so
/// a pathological call graph stays linear.
const MAX_INCOMING: usize = 24;

/// Why a body has a context without a caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Root {
    /// An entry point: `main`, a test, a constructor (what it is, in words).
    Entry(&'static str),
    /// Code outside the workspace may call it.
    External,
    /// No call of it was found in the workspace.
    NoCallers,
    /// A closure or async block handed to a thread API at its own place.
    Handed,
}

/// How a context reached a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// It is a root.
    Root(Root),
    /// A call (or hand-over, or reference) in `caller`, at `span`; `from` is the caller's
    /// incoming context it came with, `None` when the call itself chose the context (a future
    /// handed to `tokio::spawn`).
    Call {
        /// The calling body.
        caller: usize,
        /// The call.
        span: Span,
        /// The caller's incoming context that flowed here.
        from: Option<usize>,
    },
    /// The body it is written in (a closure), with that body's incoming context.
    Parent {
        /// The enclosing body.
        parent: usize,
        /// Its incoming context.
        from: usize,
    },
}

/// One context a body can run in, with the constant arguments it was called with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// The context.
    pub context: ThreadContext,
    /// The `true`/`false` literals the call passed, by parameter (empty: none known).
    pub consts: Vec<Option<bool>>,
    /// How it came.
    pub via: Via,
    /// Whether it comes from a test (whose use of a function says nothing of its contract).
    pub test: bool,
    /// Whether the code runs inside a future that `block_on` drives on that thread (the root
    /// future, and what it awaits): an `.await` there parks the thread, it does not move the
    /// future to another one.
    pub blocked_on: bool,
}

impl Incoming {
    /// Whether a point under these parameter tests can run with these constant arguments.
    pub fn agrees_with(&self, constraints: &[(usize, bool)]) -> bool {
        constraints.iter().all(|&(param, value)| {
            self.consts
                .get(param)
                .copied()
                .flatten()
                .is_none_or(|c| c == value)
        })
    }
}

/// The contexts of every body of the program.
#[derive(Debug, Default)]
pub struct ContextMap {
    incoming: Vec<Vec<Incoming>>,
}

/// A context at a point of a body, with the incoming context it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtPoint {
    /// The context (`main`'s single-threaded phase becomes the main thread once threads
    /// started).
    pub context: ThreadContext,
    /// The index of the incoming context in the body's list.
    pub incoming: usize,
}

impl ContextMap {
    /// Every context a body can run in.
    pub fn incoming(&self, body: usize) -> &[Incoming] {
        self.incoming.get(body).map_or(&[], Vec::as_slice)
    }

    /// Whether incoming context `incoming` of `body` was chosen by the call that brought it:
    /// the body was handed to a thread API as that thread's work (a function item given by
    /// name, an `async fn`'s future given to a runtime), rather than called on the caller's
    /// thread.
    pub fn handed_over(&self, body: usize, incoming: usize) -> bool {
        self.incoming(body)
            .get(incoming)
            .is_some_and(|i| matches!(i.via, Via::Call { from: None, .. }))
    }

    /// The contexts a point of `body` runs in: those whose constant arguments agree with the
    /// parameter tests around it, with the single-threaded phase over once the body (or a
    /// callee) started threads.
    pub fn at(
        &self,
        body: usize,
        constraints: &[(usize, bool)],
        threads_started: bool,
    ) -> Vec<AtPoint> {
        self.incoming(body)
            .iter()
            .enumerate()
            .filter(|(_, i)| i.agrees_with(constraints))
            .map(|(index, i)| AtPoint {
                context: after_start(i.context, threads_started),
                incoming: index,
            })
            .collect()
    }

    /// The chain of calls that brings `incoming` to `body`, from the entry point down: each
    /// step names the function and the call; the root says where the context comes from.
    pub fn witness(&self, program: &Program<'_>, body: usize, incoming: usize) -> Witness {
        let mut steps: Vec<Step> = Vec::new();
        let (mut body, mut incoming) = (body, incoming);
        // Chains are bounded by the number of bodies; the bound guards a cycle of `from`s.
        for _ in 0..=self.incoming.len() {
            let Some(entry) = self.incoming(body).get(incoming) else {
                break;
            };
            match &entry.via {
                Via::Root(root) => {
                    steps.reverse();
                    return Witness {
                        root: root.clone(),
                        context: entry.context,
                        function: short_name(program.bodies[body]),
                        span: program.bodies[body].span.clone(),
                        steps,
                    };
                }
                Via::Call { caller, span, from } => {
                    steps.push(Step {
                        body: *caller,
                        function: short_name(program.bodies[*caller]),
                        what: format!("calls `{}`", short_name(program.bodies[body])),
                        span: span.clone(),
                    });
                    match from {
                        Some(from) => (body, incoming) = (*caller, *from),
                        None => {
                            steps.reverse();
                            return Witness {
                                root: Root::Handed,
                                context: entry.context,
                                function: short_name(program.bodies[*caller]),
                                span: span.clone(),
                                steps,
                            };
                        }
                    }
                }
                Via::Parent { parent, from } => (body, incoming) = (*parent, *from),
            }
        }
        Witness {
            root: Root::NoCallers,
            context: ThreadContext::Unknown,
            function: short_name(program.bodies[body]),
            span: program.bodies[body].span.clone(),
            steps,
        }
    }
}

/// Where a context comes from: the root, and the calls from it down to the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    /// Why the root body has the context.
    pub root: Root,
    /// The context.
    pub context: ThreadContext,
    /// The root body's short name.
    pub function: String,
    /// Where the root is (the function, or the call that handed a future over).
    pub span: Span,
    /// The calls from the root down, outermost first.
    pub steps: Vec<Step>,
}

/// `main`'s single-threaded phase ends when threads start.
fn after_start(context: ThreadContext, threads_started: bool) -> ThreadContext {
    if threads_started && context == ThreadContext::SingleThreaded {
        ThreadContext::MainThread
    } else {
        context
    }
}

/// What flows along one edge of the call graph.
#[derive(Debug, Clone)]
struct Edge {
    target: usize,
    span: Span,
    /// The context the edge itself chooses (a hand-over); `None`: the caller's.
    chosen: Option<ThreadContext>,
    /// Parameter tests around the call.
    constraints: Vec<(usize, bool)>,
    /// Whether threads were started before it.
    threads_started: bool,
    /// Constant arguments.
    consts: Vec<Option<bool>>,
    /// Whether the callee is a future that `block_on` drives on the caller's thread.
    blocked_on: bool,
}

/// Computes every body's contexts to a fixpoint (each body's edges are read in parallel on the
/// current rayon pool, then propagated on this thread).
pub fn compute(program: &Program<'_>, summaries: &[Summary]) -> ContextMap {
    use rayon::prelude::*;
    let count = program.bodies.len();
    let edges = (0..count)
        .into_par_iter()
        .map(|body| edges_of(program, summaries, body))
        .collect();
    let mut propagation = Propagation {
        program,
        edges,
        children: vec![Vec::new(); count],
        map: ContextMap {
            incoming: vec![Vec::new(); count],
        },
        pending: Vec::new(),
    };
    for (index, parent) in program.parents.iter().enumerate() {
        if let Some(parent) = parent {
            propagation.children[*parent].push(index);
        }
    }
    let roots: Vec<(usize, Incoming)> = (0..count)
        .filter_map(|index| Some((index, root_of(program, index)?)))
        .collect();
    let (tests, production): (Vec<_>, Vec<_>) = roots.into_iter().partition(|(_, i)| i.test);
    // Production first: what entry points, public API and code nothing calls reach.
    for (body, incoming) in production {
        propagation.push(body, incoming);
    }
    propagation.run();
    // Callers before callees, so that a public function reached from the workspace's own
    // production code gets no root of its own (its callers are its contract), and code that
    // nothing calls gets unknown before what it calls is looked at.
    let is_entry = |b: usize| {
        matches!(
            program.bodies[b].owner,
            BodyOwner::Fn { entry: Some(_), .. }
        )
    };
    for body in callers_first(program, &propagation.children) {
        if !propagation.map.incoming[body].is_empty()
            || program.parents[body].is_some()
            || is_entry(body)
        {
            continue;
        }
        let root = match program.bodies[body].owner {
            // Test support nothing here calls: the tests that call it are elsewhere.
            BodyOwner::Fn {
                test_support: true, ..
            } => continue,
            BodyOwner::Fn { external: true, .. } => Root::External,
            _ if program.callers[body].is_empty() => Root::NoCallers,
            _ => continue,
        };
        propagation.push_unknown(body, root);
        propagation.run();
    }
    // Then tests, whose use of a function says nothing of its contract; test support that
    // nothing here calls runs on the threads of tests elsewhere.
    for (body, incoming) in tests {
        propagation.push(body, incoming);
    }
    for body in 0..count {
        if propagation.map.incoming[body].is_empty()
            && program.parents[body].is_none()
            && program.callers[body].is_empty()
            && matches!(
                program.bodies[body].owner,
                BodyOwner::Fn {
                    test_support: true,
                    entry: None,
                    ..
                }
            )
        {
            propagation.push(
                body,
                Incoming {
                    context: ThreadContext::TestThread,
                    consts: Vec::new(),
                    via: Via::Root(Root::Entry("a test elsewhere")),
                    test: true,
                    blocked_on: false,
                },
            );
        }
    }
    propagation.run();
    // What is left is a cycle nothing enters.
    for body in 0..count {
        if propagation.map.incoming[body].is_empty() && program.parents[body].is_none() {
            propagation.push_unknown(body, Root::NoCallers);
        }
    }
    propagation.run();
    propagation.map
}

/// The state of the propagation to a fixpoint.
struct Propagation<'p, 'a> {
    program: &'p Program<'a>,
    edges: Vec<Vec<Edge>>,
    /// For each body, the closures and async blocks written in it.
    children: Vec<Vec<usize>>,
    map: ContextMap,
    /// Incoming contexts not propagated yet: (body, index).
    pending: Vec<(usize, usize)>,
}

impl Propagation<'_, '_> {
    fn push(&mut self, body: usize, incoming: Incoming) {
        push(&mut self.map, body, incoming, &mut self.pending);
    }

    fn push_unknown(&mut self, body: usize, root: Root) {
        self.push(
            body,
            Incoming {
                context: ThreadContext::Unknown,
                consts: Vec::new(),
                via: Via::Root(root),
                test: false,
                blocked_on: false,
            },
        );
    }

    /// Propagates every pending context along calls and into closures.
    fn run(&mut self) {
        while let Some((body, index)) = self.pending.pop() {
            let source = self.map.incoming[body][index].clone();
            for edge in &self.edges[body] {
                if !source.agrees_with(&edge.constraints) {
                    continue;
                }
                let (context, from, blocked_on) = match edge.chosen {
                    Some(chosen) => (chosen, None, false),
                    None => (
                        after_start(source.context, edge.threads_started),
                        Some(index),
                        source.blocked_on || edge.blocked_on,
                    ),
                };
                let incoming = Incoming {
                    context,
                    consts: edge.consts.clone(),
                    via: Via::Call {
                        caller: body,
                        span: edge.span.clone(),
                        from,
                    },
                    test: source.test,
                    blocked_on,
                };
                push(&mut self.map, edge.target, incoming, &mut self.pending);
            }
            for &child in &self.children[body] {
                if let Some(incoming) = inherited(self.program, &self.map, body, index, child) {
                    push(&mut self.map, child, incoming, &mut self.pending);
                }
            }
        }
    }
}

/// The bodies in an order where (outside cycles) every caller, and every body a closure is
/// written in, comes before what it calls or holds: the reverse of a depth-first post-order.
fn callers_first(program: &Program<'_>, children: &[Vec<usize>]) -> Vec<usize> {
    let count = program.bodies.len();
    let mut callees: Vec<Vec<usize>> = children.to_vec();
    for (callee, callers) in program.callers.iter().enumerate() {
        for &caller in callers {
            callees[caller].push(callee);
        }
    }
    let mut visited = vec![false; count];
    let mut order = Vec::with_capacity(count);
    for start in 0..count {
        if visited[start] {
            continue;
        }
        visited[start] = true;
        // (body, index of the next callee to look at)
        let mut stack = vec![(start, 0usize)];
        while let Some((body, next)) = stack.pop() {
            match callees[body].get(next) {
                Some(&callee) => {
                    stack.push((body, next + 1));
                    if !visited[callee] {
                        visited[callee] = true;
                        stack.push((callee, 0));
                    }
                }
                None => order.push(body),
            }
        }
    }
    order.reverse();
    order
}

/// Adds a context to a body unless it has it already (with the same constants), and queues
/// it for propagation.
fn push(
    map: &mut ContextMap,
    body: usize,
    mut incoming: Incoming,
    pending: &mut Vec<(usize, usize)>,
) {
    let list = &mut map.incoming[body];
    if list.len() >= MAX_INCOMING {
        incoming.consts.clear();
    }
    if list.iter().any(|i| {
        i.context == incoming.context
            && i.consts == incoming.consts
            && i.test == incoming.test
            && i.blocked_on == incoming.blocked_on
    }) {
        return;
    }
    list.push(incoming);
    pending.push((body, list.len() - 1));
}

/// The context a body has of its own, if any.
fn root_of(program: &Program<'_>, index: usize) -> Option<Incoming> {
    let body = program.bodies[index];
    match &body.owner {
        BodyOwner::Fn { entry: Some(_), .. } => Some(Incoming {
            context: body.context,
            consts: Vec::new(),
            via: Via::Root(Root::Entry(entry_name(body.context))),
            test: matches!(
                body.context,
                ThreadContext::TestThread | ThreadContext::OwnRuntime
            ),
            blocked_on: false,
        }),
        _ => None,
    }
}

fn entry_name(context: ThreadContext) -> &'static str {
    match context {
        ThreadContext::SingleThreaded => "`main` or a constructor",
        ThreadContext::MainThread => "`main`",
        ThreadContext::TestThread | ThreadContext::OwnRuntime => "a test",
        _ => "an entry point",
    }
}

/// The context a closure or async block gets from its parent's incoming context `from`: the
/// parent's, unless a thread API chose one (a task spawned from a current-thread runtime's
/// own future stays on that thread).
fn inherited(
    program: &Program<'_>,
    map: &ContextMap,
    parent: usize,
    from: usize,
    child: usize,
) -> Option<Incoming> {
    let source = &map.incoming[parent][from];
    let chosen = program.bodies[child].context;
    // A future an API drives on the thread that calls it (`Runtime::block_on`'s root future):
    // the parent's thread, which its awaits park.
    let driven_here = chosen == ThreadContext::Caller
        && matches!(
            program.bodies[child].owner,
            BodyOwner::AsyncBlock { spawned: true } | BodyOwner::Closure { spawned: true }
        );
    let context = match chosen {
        // A region around the closure on the calling thread: it runs where its parent runs.
        ThreadContext::Caller | ThreadContext::Scope(ScopeKind::CallingThread) => source.context,
        ThreadContext::AsyncTask if source.context == ThreadContext::OwnRuntime => {
            ThreadContext::OwnRuntime
        }
        chosen => {
            return Some(Incoming {
                context: chosen,
                consts: Vec::new(),
                via: Via::Root(Root::Handed),
                test: source.test,
                blocked_on: false,
            });
        }
    };
    Some(Incoming {
        context,
        consts: Vec::new(),
        via: Via::Parent { parent, from },
        test: source.test,
        blocked_on: source.blocked_on || driven_here,
    })
}

/// The calls, hand-overs and references of a body, with the parameter tests around each.
fn edges_of(program: &Program<'_>, summaries: &[Summary], body: usize) -> Vec<Edge> {
    let mut out = Vec::new();
    let mut state = Walk::default();
    walk(
        program,
        summaries,
        &program.bodies[body].events,
        &mut state,
        &mut out,
    );
    out
}

#[derive(Debug, Clone, Default)]
struct Walk {
    constraints: Vec<(usize, bool)>,
    threads_started: bool,
}

/// Walks events in order, keeping the parameter tests that hold; returns whether every path
/// through them ends the body (so what follows runs only on the other paths).
fn walk(
    program: &Program<'_>,
    summaries: &[Summary],
    events: &[Event],
    state: &mut Walk,
    out: &mut Vec<Edge>,
) -> bool {
    for event in events {
        match event {
            Event::Call {
                callee,
                span,
                arg_consts,
                handed_to,
                ..
            } => {
                // Through a trait object every implementation may run here; a future handed
                // over runs where the API puts it.
                let resolved = program.resolve(callee);
                for &target in program.dyn_targets(callee).iter().chain(&resolved) {
                    let is_async = matches!(
                        program.bodies[target].owner,
                        BodyOwner::Fn { is_async: true, .. }
                    );
                    let (chosen, blocked_on) = handed_future(*handed_to, is_async);
                    out.push(Edge {
                        target,
                        span: span.clone(),
                        chosen,
                        constraints: state.constraints.clone(),
                        threads_started: state.threads_started,
                        consts: arg_consts.clone(),
                        blocked_on,
                    });
                }
                let Some(target) = resolved else {
                    continue;
                };
                let summary = &summaries[target];
                state.threads_started |= summary.starts_threads;
                if summary.never_returns {
                    return true;
                }
            }
            Event::Handoff {
                callee,
                context,
                span,
            } => {
                if let Some(target) = program.resolve(callee) {
                    let driven_here = *context == ThreadContext::Caller;
                    out.push(Edge {
                        target,
                        span: span.clone(),
                        chosen: (!driven_here).then_some(*context),
                        constraints: state.constraints.clone(),
                        threads_started: state.threads_started,
                        consts: Vec::new(),
                        blocked_on: driven_here,
                    });
                }
            }
            Event::Reference { callee, span } => {
                if let Some(target) = program.resolve(callee) {
                    out.push(Edge {
                        target,
                        span: span.clone(),
                        chosen: None,
                        constraints: state.constraints.clone(),
                        threads_started: state.threads_started,
                        consts: Vec::new(),
                        blocked_on: false,
                    });
                }
            }
            Event::ThreadsStarted => state.threads_started = true,
            Event::Exit { diverges: true, .. } => return true,
            Event::Branch { arms, test, .. } => {
                let mut live: Vec<Walk> = Vec::new();
                for (index, arm) in arms.iter().enumerate() {
                    let mut arm_state = state.clone();
                    if let Some(test) = test {
                        arm_state.constraints.push(arm_constraint(test, index));
                    }
                    if !walk(program, summaries, arm, &mut arm_state, out) {
                        live.push(arm_state);
                    }
                }
                let Some(first) = live.first() else {
                    return true;
                };
                let constraints = first
                    .constraints
                    .iter()
                    .filter(|c| live.iter().all(|s| s.constraints.contains(c)))
                    .copied()
                    .collect();
                state.threads_started = live.iter().any(|s| s.threads_started);
                state.constraints = constraints;
            }
            Event::Loop { body, until_break } => {
                let mut inner = state.clone();
                walk(program, summaries, body, &mut inner, out);
                state.threads_started |= inner.threads_started;
                if *until_break && !breaks(body) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// What a call whose value is handed to a thread API does to the callee's context: an
/// `async fn`'s future runs in the context the API chose, or, for an API that drives it on the
/// calling thread (`Runtime::block_on`), in the caller's, with its awaits parking that thread.
/// Any other call runs its callee here.
fn handed_future(
    handed_to: Option<ThreadContext>,
    is_async: bool,
) -> (Option<ThreadContext>, bool) {
    match handed_to {
        Some(ThreadContext::Caller) if is_async => (None, true),
        Some(context) if is_async => (Some(context), false),
        _ => (None, false),
    }
}

/// Whether a loop body can leave the loop (a `break` or `continue` outside inner loops).
fn breaks(events: &[Event]) -> bool {
    events.iter().any(|event| match event {
        Event::Exit {
            kind: crate::model::ir::ExitKind::Break,
            ..
        } => true,
        Event::Branch { arms, .. } => arms.iter().any(|arm| breaks(arm)),
        _ => false,
    })
}

/// The test that holds in arm `index` of a branch on a parameter.
pub fn arm_constraint(test: &ParamTest, index: usize) -> (usize, bool) {
    let value = if index == 0 {
        test.first_arm_when
    } else {
        !test.first_arm_when
    };
    (test.param, value)
}
