//! Interpretation of one body's events: where its switched regions start and end, and what
//! happens inside them.
//!
//! The state of the thread is tracked as off, on (switched since a known start) or maybe
//! (switched on some paths only). A `setns` while switched is a restore when its kinds
//! overlap the region's (or are unknown), unless its namespace file names another namespace
//! (`/run/netns/..`: an entry); a `setns` into the thread's own namespace while off is a probe
//! that switches nothing; `unshare` always enters. Guards are tracked beside: alive from their
//! `let` to the end of their block or an explicit `drop`. A guard type's `Drop` starts
//! switched: its `setns` is the restore.
//!
//! Beside the state, the interpreter keeps the tests of `bool` parameters that hold (`if
//! !flag`) and whether threads were started, so that each point sees only the calling
//! contexts that reach it ([`super::contexts`]).
//!
//! "Maybe" states are reported only with a witness — a branch that restores on one arm and not
//! the other after the thread was switched, or a `break` that skips a restore. A switch made on
//! one branch and undone under the same condition later stays quiet: the paths that matter
//! cannot be told apart without the conditions, and precision comes first.
//!
//! What is a finding depends on the contexts at the point: a path out of a region leaks only
//! on a thread other code reuses (or any thread, for code outside callers may run); an
//! `.await` in a region matters only where a multi-thread runtime may poll the code; a
//! sensitive operation in a region is the region's purpose unless the switch may have failed
//! (unchecked), may not have happened on this path (a restore skipped on another), or the task
//! may have moved to another worker since (an `.await` in the region).

use super::contexts::{AtPoint, ContextMap, Witness, arm_constraint};
use super::{Chain, Program, Step, Summary, short_name};
use crate::catalog::{FlagKind, ScopeKind, SwitchOp};
use crate::diagnostic::Span;
use crate::model::ThreadContext;
use crate::model::ir::{Body, BodyOwner, Callee, Event, ExitKind, SwitchTarget};
use std::collections::BTreeSet;

/// The chain of an operation or escape `body` (the program's body `index`) does itself.
fn own_chain(index: usize, body: &Body, what: &str, span: &Span) -> Chain {
    Chain::one(Step {
        body: index,
        function: short_name(body),
        what: what.to_owned(),
        span: span.clone(),
    })
}

/// Where a region starts: the switch, or the call in this body that switched through a helper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionStart {
    /// The switch call or the helper call.
    pub span: Span,
    /// For a helper: the chain down to the switch.
    pub via: Chain,
    /// Whether the region is a guard's lifetime.
    pub guard: bool,
}

impl RegionStart {
    /// The raw switch the region begins with: the call itself, or the switch at the end of
    /// the helper chain.
    pub fn switch_span(&self) -> &Span {
        self.via.last().map_or(&self.span, |step| &step.span)
    }
}

/// How a path leaves a region without switching back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeakWay {
    /// An exit of the body (`?`, `return`, a panic).
    Exit(ExitKind),
    /// The end of a body that hands its thread back (a task, a pool closure).
    EndOfBody,
    /// A branch or `break` after which one path is still switched.
    UnrestoredPath,
}

/// Why a sensitive operation inside a region may run in the wrong namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationRisk {
    /// The task may have resumed on another worker since this `.await`.
    AfterAwait(Span),
    /// The switch's result is thrown away: it may have failed.
    Unchecked,
    /// On another path through here the thread was switched back (or never switched).
    MaybeSwitched(Span),
}

/// What a body does wrong inside a region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingKind {
    /// Paths that leave the region switched.
    Leak {
        /// Each way out, with where it is.
        ways: Vec<(LeakWay, Span)>,
        /// The shared thread context the paths leave switched.
        context: ThreadContext,
        /// Why the code runs there.
        witness: Option<Witness>,
    },
    /// An `.await` inside the region.
    Await {
        /// The `.await`.
        span: Span,
        /// Why a multi-thread runtime may poll the code.
        witness: Option<Witness>,
    },
    /// A call to a function that switches the thread (an `enter` wrapper) whose result is
    /// thrown away: its failure goes unnoticed.
    UncheckedCall {
        /// The call.
        span: Span,
        /// The chain down to the switch.
        chain: Chain,
    },
    /// Work handed to another thread inside a sync scope or a region.
    Escape {
        /// The escaping call, or the call that leads to it.
        span: Span,
        /// What it does.
        what: String,
        /// For a call: the chain down to the escape.
        chain: Chain,
        /// Whether it is inside a sync scope (rather than a raw region).
        in_scope: bool,
    },
    /// A process-wide namespace path used where it names another thread's namespace than the
    /// caller's: inside a region, or as the namespace file of a switch, on a thread that may
    /// not be the main one.
    ProcessWidePath {
        /// Where the path is used.
        span: Span,
        /// The path.
        value: String,
        /// For the namespace file of a switch: the switch.
        switch: Option<Span>,
        /// Why the thread may not be the main one.
        witness: Option<Witness>,
    },
    /// A namespace-sensitive operation inside the region.
    Operation {
        /// The operation, or the call that leads to it.
        span: Span,
        /// What it does.
        what: String,
        /// For a call: the chain down to the operation.
        chain: Chain,
        /// Why it may run in the wrong namespace; `None` when the region is sound and the
        /// operation is its purpose.
        risk: Option<OperationRisk>,
    },
}

/// A finding and the region it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was found.
    pub kind: FindingKind,
    /// The region.
    pub region: RegionStart,
}

/// The result of interpreting a body.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The chain to the switch, when the body returns with its thread switched.
    pub ends_switched: Option<Chain>,
    /// The chain to the switch, when the body returns with its thread switched on some paths
    /// only (a guard constructor that switches when it was given a namespace).
    pub may_end_switched: Option<Chain>,
    /// Whether the switch it returns with may have failed unnoticed (its result is thrown
    /// away).
    pub ends_unchecked: bool,
    /// The chain to the first sensitive operation it performs.
    pub sensitive: Option<Chain>,
    /// Whether it switches (directly or through a helper) at all.
    pub switches: bool,
    /// The chain to the first guard it makes by calling a function that returns one (a helper
    /// that forwards it: `Ok(Box::new(Guard::new(ns)?))`).
    pub makes_guard: Option<Chain>,
    /// When it ends switched into kinds given by one of its parameters, that parameter.
    pub flags_param: Option<usize>,
    /// The chain to the first work it hands to another thread.
    pub escapes: Option<Chain>,
    /// Whether it starts threads (directly or through callees).
    pub starts_threads: bool,
    /// Whether no path returns to its caller (every one ends the process or execs).
    pub never_returns: bool,
    /// Its own sensitive operations (for strict mode).
    pub operations: Vec<(Span, String)>,
    /// The workspace functions (body indices) called inside a region or a scope, whose
    /// summaries decide what it does.
    pub region_calls: Vec<usize>,
    /// The calls inside a region or a scope that reach no function analysed so far.
    pub region_unresolved: Vec<Callee>,
    /// What it does wrong.
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone)]
struct Region {
    start: RegionStart,
    kinds: Option<BTreeSet<FlagKind>>,
    /// The parameter the kinds come from, in a wrapper.
    flags_param: Option<usize>,
    /// Whether the switch's result was thrown away.
    unchecked: bool,
    /// Whether it began with an `unshare` (the thread is in a namespace of its own).
    by_unshare: bool,
}

#[derive(Debug, Clone)]
enum Raw {
    Off,
    On(Region),
    Maybe {
        region: Option<Region>,
        witness: Option<Span>,
    },
}

#[derive(Debug, Clone)]
struct Guard {
    name: String,
    start: RegionStart,
    unchecked: bool,
}

#[derive(Debug, Clone)]
struct State {
    raw: Raw,
    guards: Vec<Guard>,
    dead: bool,
    /// Tests of `bool` parameters that hold here.
    constraints: Vec<(usize, bool)>,
    /// Whether threads were started on the way here.
    threads_started: bool,
    /// An `.await` since the current region started, where the task may move.
    awaited: Option<Span>,
}

impl State {
    fn region(&self) -> Option<&RegionStart> {
        match &self.raw {
            Raw::On(region) => Some(&region.start),
            _ => self.guards.last().map(|g| &g.start),
        }
    }

    /// Whether the region the thread is in may have failed to switch unnoticed.
    fn unchecked(&self) -> bool {
        match &self.raw {
            Raw::On(region) => region.unchecked,
            _ => self.guards.last().is_some_and(|g| g.unchecked),
        }
    }
}

/// Interprets a body with the current summaries; with `contexts` (after the calling contexts
/// are known), also judges what it finds.
pub fn interpret(
    index: usize,
    program: &Program<'_>,
    summaries: &[Summary],
    contexts: Option<&ContextMap>,
) -> Outcome {
    let body = program.bodies[index];
    let mut interp = Interp {
        program,
        summaries,
        body,
        index,
        contexts,
        exits: Vec::new(),
        loop_breaks: Vec::new(),
        returns: false,
        outcome: Outcome::default(),
    };
    let start = State {
        raw: interp.initial_state(),
        guards: Vec::new(),
        dead: false,
        constraints: Vec::new(),
        threads_started: false,
        awaited: None,
    };
    let end = interp.run(&body.events, start);
    interp.finish(end)
}

/// An exit taken while switched, with the shared context it leaves switched.
struct SwitchedExit {
    region: RegionStart,
    kind: ExitKind,
    span: Span,
    shared: Option<AtPoint>,
}

struct Interp<'p, 'b> {
    program: &'p Program<'b>,
    summaries: &'p [Summary],
    body: &'p Body,
    index: usize,
    contexts: Option<&'p ContextMap>,
    exits: Vec<SwitchedExit>,
    /// For each enclosing loop, the states at its `break`s.
    loop_breaks: Vec<Vec<(State, Span)>>,
    /// Whether some path returns to the caller (`return`, `?`, a panic).
    returns: bool,
    outcome: Outcome,
}

impl Interp<'_, '_> {
    /// A guard type's `Drop` starts switched: the guard's region is what it ends. So does the
    /// closure an API runs between an entry and a restore on the calling thread.
    fn initial_state(&self) -> Raw {
        if self.body.context == ThreadContext::Scope(ScopeKind::CallingThread) {
            return Raw::On(Region {
                start: RegionStart {
                    span: self.body.span.clone(),
                    via: Chain::default(),
                    guard: false,
                },
                kinds: None,
                flags_param: None,
                unchecked: false,
                by_unshare: false,
            });
        }
        let is_drop = matches!(
            &self.body.owner,
            BodyOwner::Fn {
                drop_of: Some(_),
                ..
            }
        );
        if !is_drop || !self.switches_somewhere(&self.body.events) {
            return Raw::Off;
        }
        Raw::On(Region {
            start: RegionStart {
                span: self.body.span.clone(),
                via: Chain::default(),
                guard: true,
            },
            kinds: None,
            flags_param: None,
            unchecked: false,
            by_unshare: false,
        })
    }

    fn switches_somewhere(&self, events: &[Event]) -> bool {
        events.iter().any(|event| match event {
            Event::Switch { .. } => true,
            Event::Call { callee, .. } => self
                .program
                .resolve(callee)
                .is_some_and(|t| self.summaries[t].returns_switched.is_some()),
            Event::Branch { arms, .. } => arms.iter().any(|a| self.switches_somewhere(a)),
            Event::Loop { body, .. } => self.switches_somewhere(body),
            _ => false,
        })
    }

    fn run(&mut self, events: &[Event], mut state: State) -> State {
        for (index, event) in events.iter().enumerate() {
            if state.dead {
                break;
            }
            if let Some(next) = events.get(index + 1)
                && failure_of(event, next)
                && restores(&state, next)
            {
                // A failed restore is left to `unchecked_namespace_switch`: the `?` on the way
                // back is no leak of the region it was meant to end.
                continue;
            }
            state = self.step(event, state);
        }
        state
    }

    /// The contexts at a point, when they are known.
    fn at(&self, state: &State) -> Vec<AtPoint> {
        self.contexts
            .map(|c| c.at(self.index, &state.constraints, state.threads_started))
            .unwrap_or_default()
    }

    /// A shared context at a point, the most telling first (a worker or a pool thread rather
    /// than an unknown caller).
    fn shared_at(&self, state: &State) -> Option<AtPoint> {
        let at = self.at(state);
        [
            ThreadContext::AsyncTask,
            ThreadContext::PoolThread,
            ThreadContext::Unknown,
        ]
        .into_iter()
        .find_map(|wanted| at.iter().find(|p| p.context == wanted).copied())
    }

    /// A shared context at a point that the body was handed over in (its end hands that
    /// thread back, as a spawned closure's does).
    fn handed_shared_at(&self, state: &State) -> Option<AtPoint> {
        let contexts = self.contexts?;
        self.at(state)
            .into_iter()
            .find(|p| p.context.is_shared() && contexts.handed_over(self.index, p.incoming))
    }

    /// Whether any context of the body was chosen by a hand-over to a shared thread.
    fn handed_anywhere(&self) -> bool {
        self.contexts.is_some_and(|c| {
            c.incoming(self.index)
                .iter()
                .enumerate()
                .any(|(at, i)| i.context.is_shared() && c.handed_over(self.index, at))
        })
    }

    /// A context at a point on a thread other than the process's main one (where `/proc/self`
    /// names another thread's namespaces).
    fn off_main_at(&self, state: &State) -> Option<AtPoint> {
        self.at(state)
            .into_iter()
            .find(|p| !p.context.is_main_thread())
    }

    /// A context at a point where the code may resume on another thread after an `.await`
    /// (not inside a future that `block_on` drives on its thread).
    fn migrating_at(&self, state: &State) -> Option<AtPoint> {
        let contexts = self.contexts?;
        let incoming = contexts.incoming(self.index);
        self.at(state).into_iter().find(|p| {
            p.context.may_migrate() && !incoming.get(p.incoming).is_some_and(|i| i.blocked_on)
        })
    }

    fn witness(&self, point: AtPoint) -> Option<Witness> {
        self.contexts
            .map(|c| c.witness(self.program, self.index, point.incoming))
    }

    fn step(&mut self, event: &Event, mut state: State) -> State {
        match event {
            Event::Switch {
                op,
                kinds,
                flags_param,
                span,
                checked,
                target,
                target_path,
            } => {
                self.outcome.switches = true;
                if let Some((path, value)) = target_path
                    && let Some(point) = self.off_main_at(&state)
                {
                    let region = state.region().cloned().unwrap_or_else(|| RegionStart {
                        span: span.clone(),
                        via: Chain::default(),
                        guard: false,
                    });
                    self.outcome.findings.push(Finding {
                        kind: FindingKind::ProcessWidePath {
                            span: path.clone(),
                            value: value.clone(),
                            switch: Some(span.clone()),
                            witness: self.witness(point),
                        },
                        region,
                    });
                }
                let probe = *op == SwitchOp::Setns
                    && *target == SwitchTarget::OwnThread
                    && matches!(state.raw, Raw::Off);
                if !probe {
                    let start = RegionStart {
                        span: span.clone(),
                        via: Chain::default(),
                        guard: false,
                    };
                    let entered = Entered {
                        op: *op,
                        kinds: kinds.clone(),
                        start,
                        flags_param: *flags_param,
                        unchecked: !checked,
                        elsewhere: *target == SwitchTarget::Elsewhere,
                    };
                    state = self.toggle(state, entered);
                }
            }
            Event::Call {
                callee,
                span,
                bound_to,
                exit,
                arg_kinds,
                discarded,
                handed_to,
                ..
            } => {
                let call = CallSite {
                    callee,
                    span,
                    bound_to: bound_to.as_deref(),
                    exit,
                    arg_kinds,
                    discarded: *discarded,
                    handed_to: *handed_to,
                };
                state = self.call(state, call);
            }
            Event::Escape { what, span } => {
                let (index, body) = (self.index, self.body);
                self.outcome
                    .escapes
                    .get_or_insert_with(|| own_chain(index, body, what, span));
                self.escape(&state, span, what, &Chain::default());
            }
            Event::Sensitive { what, span } => {
                self.outcome.operations.push((span.clone(), what.clone()));
                let (index, body) = (self.index, self.body);
                self.outcome
                    .sensitive
                    .get_or_insert_with(|| own_chain(index, body, what, span));
                self.sensitive(&state, span, what, &Chain::default());
            }
            Event::Await { span } => {
                if let Some(region) = state.region().cloned()
                    && let Some(point) = self.migrating_at(&state)
                {
                    state.awaited.get_or_insert_with(|| span.clone());
                    self.outcome.findings.push(Finding {
                        kind: FindingKind::Await {
                            span: span.clone(),
                            witness: self.witness(point),
                        },
                        region,
                    });
                }
            }
            Event::Exit {
                kind,
                span,
                diverges,
            } => state = self.exit(state, *kind, span.clone(), *diverges),
            Event::Drop { name } => state.guards.retain(|g| g.name != *name),
            Event::EndScope { names } => state.guards.retain(|g| !names.contains(&g.name)),
            Event::ThreadsStarted => {
                state.threads_started = true;
                self.outcome.starts_threads = true;
            }
            Event::Handoff { .. } | Event::Reference { .. } => {}
            Event::ProcessWidePath {
                span,
                value,
                joined_by,
            } => {
                let in_scope = self.body.context == ThreadContext::Scope(ScopeKind::Sync);
                // Joined by a helper: the helper's switch opens a region, as a `setns` here
                // would.
                let opened_here = joined_by.as_ref().or(in_scope.then_some(&self.body.span));
                let region = state.region().cloned().or_else(|| {
                    opened_here.map(|span| RegionStart {
                        span: span.clone(),
                        via: Chain::default(),
                        guard: false,
                    })
                });
                if let Some(region) = region
                    && let Some(point) = self.off_main_at(&state)
                {
                    self.outcome.findings.push(Finding {
                        kind: FindingKind::ProcessWidePath {
                            span: span.clone(),
                            value: value.clone(),
                            switch: joined_by.clone(),
                            witness: self.witness(point),
                        },
                        region,
                    });
                }
            }
            Event::Branch { arms, span, test } => {
                let outs: Vec<(State, Option<Span>)> = arms
                    .iter()
                    .enumerate()
                    .map(|(index, arm)| {
                        let mut arm_state = state.clone();
                        if let Some(test) = test {
                            arm_state.constraints.push(arm_constraint(test, index));
                        }
                        (self.run(arm, arm_state), None)
                    })
                    .collect();
                state = merge(&state, outs, span);
            }
            Event::Loop { body, until_break } => {
                self.loop_breaks.push(Vec::new());
                let end = self.run(body, state.clone());
                let breaks = self.loop_breaks.pop().unwrap_or_default();
                // `loop` is left only by a `break`; `while` and `for` also by running out.
                let mut outs = if *until_break {
                    Vec::new()
                } else {
                    vec![(state.clone(), None), (end, None)]
                };
                outs.extend(breaks.into_iter().map(|(s, span)| (s, Some(span))));
                let span = self.body.span.clone();
                state = merge(&state, outs, &span);
            }
        }
        state
    }

    /// A call: its failure exit, the switch or guard it returns with, and what its summary
    /// says it does. What the callee does is judged against the state before its own switch.
    fn call(&mut self, mut state: State, call: CallSite<'_>) -> State {
        let CallSite {
            callee,
            span,
            bound_to,
            exit,
            arg_kinds,
            discarded,
            handed_to,
        } = call;
        let target = self.program.resolve(callee);
        // `tokio::spawn(serve(conn))`: an `async fn`'s body runs where its future is handed,
        // not here; making the future does nothing to this thread (unless the API drives it
        // right here: `Runtime::block_on`).
        if handed_to.is_some_and(|c| c != ThreadContext::Caller)
            && let Some(target) = target
            && matches!(
                self.program.bodies[target].owner,
                BodyOwner::Fn { is_async: true, .. }
            )
        {
            return state;
        }
        if state.region().is_some() || matches!(self.body.context, ThreadContext::Scope(_)) {
            match target {
                Some(target) => self.outcome.region_calls.push(target),
                None => self.outcome.region_unresolved.push(callee.clone()),
            }
        }
        let Some(target) = target else {
            if let Some((kind, exit_span)) = exit {
                state = self.exit(state, *kind, exit_span.clone(), false);
            }
            return state;
        };
        let summary = &self.summaries[target];
        // Names are only needed when a chain is built: most calls have no effects, and a
        // body keeps only the first chain of each kind.
        let index = self.index;
        let through = |chain: &Chain| {
            let step = Step {
                body: index,
                function: short_name(self.body),
                what: format!("calls `{}`", short_name(self.program.bodies[target])),
                span: span.clone(),
            };
            Chain::through(step, chain)
        };
        let last_what = |chain: &Chain| chain.last().map(|s| s.what.clone()).unwrap_or_default();
        // A body's first chain of each kind is only a witness: one that comes back through the
        // body itself (recursion) is passed over for a later call's, else the witness of a
        // cycle grew by the cycle's length on every pass of the fixpoint, up to its bound (on
        // syd, 88k interpretations of bodies instead of 16k). The fact holds either way: a
        // function that reaches an operation has a witness that does not loop.
        let first_chain = |kept: &mut Option<Chain>, chain: &Chain| {
            if kept.is_none() && !chain.passes_through(index) {
                *kept = Some(through(chain));
            }
        };
        if let Some(chain) = &summary.sensitive {
            first_chain(&mut self.outcome.sensitive, chain);
            self.sensitive(&state, span, &last_what(chain), chain);
        }
        if let Some(chain) = &summary.escapes {
            first_chain(&mut self.outcome.escapes, chain);
            self.escape(&state, span, &last_what(chain), chain);
        }
        let guard = summary.returns_guard.as_ref();
        let toggles = summary.returns_switched.as_ref();
        if let Some((kind, exit_span)) = exit
            && guard.is_none()
            && toggles.is_none()
        {
            state = self.exit(state, *kind, exit_span.clone(), false);
        }
        if let Some(chain) = guard {
            self.outcome.switches = true;
            if self.outcome.makes_guard.is_none() {
                self.outcome.makes_guard = Some(through(chain));
            }
            if let Some(name) = bound_to {
                state.guards.push(Guard {
                    name: name.to_owned(),
                    start: RegionStart {
                        span: span.clone(),
                        via: chain.clone(),
                        guard: true,
                    },
                    unchecked: summary.unchecked,
                });
                state.awaited = None;
            }
        } else if let Some(chain) = toggles {
            self.outcome.switches = true;
            // Its value reports whether the switch happened (a function returning nothing, or
            // one whose switch is unchecked inside, tells the caller nothing).
            let reports = matches!(
                &self.program.bodies[target].owner,
                BodyOwner::Fn { return_types, .. } if !return_types.is_empty()
            ) && !summary.unchecked;
            if discarded && reports && self.contexts.is_some() {
                self.outcome.findings.push(Finding {
                    kind: FindingKind::UncheckedCall {
                        span: span.clone(),
                        chain: chain.clone(),
                    },
                    region: RegionStart {
                        span: span.clone(),
                        via: chain.clone(),
                        guard: false,
                    },
                });
            }
            let kinds = summary
                .flags_param
                .and_then(|p| arg_kinds.get(p).cloned().flatten());
            let entered = Entered {
                op: SwitchOp::Setns,
                kinds,
                start: RegionStart {
                    span: span.clone(),
                    via: chain.clone(),
                    guard: false,
                },
                flags_param: None,
                // A discarded value hides a failure only when it is the one that reports it: a
                // wrapper that returns nothing panics or exits on failure itself.
                unchecked: summary.unchecked || (discarded && reports),
                elsewhere: false,
            };
            state = self.toggle(state, entered);
        }
        if summary.starts_threads {
            state.threads_started = true;
            self.outcome.starts_threads = true;
        }
        if summary.never_returns {
            state.dead = true;
        }
        state
    }

    fn toggle(&mut self, mut state: State, entered: Entered) -> State {
        let was_on = matches!(state.raw, Raw::On(_));
        state.raw = toggle(state.raw, entered);
        if !was_on && matches!(state.raw, Raw::On(_)) {
            state.awaited = None;
        }
        state
    }

    /// Records a sensitive operation inside a region: a finding (it may run in the wrong
    /// namespace) or the region's purpose. `chain` is the callee's, copied into a finding;
    /// the body's own first chain to an operation is kept by the caller.
    fn sensitive(&mut self, state: &State, span: &Span, what: &str, chain: &Chain) {
        if self.contexts.is_none() {
            return;
        }
        let (region, risk) = match (state.region(), &state.raw) {
            (Some(region), _) => {
                let risk = if state.unchecked() {
                    Some(OperationRisk::Unchecked)
                } else {
                    state.awaited.clone().map(OperationRisk::AfterAwait)
                };
                (region.clone(), risk)
            }
            (
                None,
                Raw::Maybe {
                    region: Some(region),
                    witness: Some(witness),
                },
            ) => (
                region.start.clone(),
                Some(OperationRisk::MaybeSwitched(witness.clone())),
            ),
            _ => return,
        };
        self.outcome.findings.push(Finding {
            kind: FindingKind::Operation {
                span: span.clone(),
                what: what.to_owned(),
                chain: chain.clone(),
                risk,
            },
            region,
        });
    }

    /// Records work handed to another thread: a finding inside a sync scope or a region.
    /// `chain` as for [`Interp::sensitive`].
    fn escape(&mut self, state: &State, span: &Span, what: &str, chain: &Chain) {
        if self.contexts.is_none() {
            return;
        }
        let in_scope = self.body.context == ThreadContext::Scope(ScopeKind::Sync);
        let region = match state.region() {
            Some(region) => region.clone(),
            None if in_scope => RegionStart {
                span: self.body.span.clone(),
                via: Chain::default(),
                guard: false,
            },
            None => return,
        };
        self.outcome.findings.push(Finding {
            kind: FindingKind::Escape {
                span: span.clone(),
                what: what.to_owned(),
                chain: chain.clone(),
                in_scope,
            },
            region,
        });
    }

    fn exit(&mut self, mut state: State, kind: ExitKind, span: Span, diverges: bool) -> State {
        match kind {
            ExitKind::Exec => {
                state.dead = true;
                return state;
            }
            ExitKind::Break => {
                if let Some(frame) = self.loop_breaks.last_mut() {
                    frame.push((state.clone(), span));
                }
                state.dead = true;
                return state;
            }
            _ => self.returns = true,
        }
        if let Raw::On(region) = &state.raw {
            let shared = self.shared_at(&state);
            self.exits.push(SwitchedExit {
                region: region.start.clone(),
                kind,
                span,
                shared,
            });
        }
        if diverges {
            state.dead = true;
        }
        state
    }

    /// Applies what the body is (a wrapper, a task, a pool closure, a fork's child) to what
    /// was seen.
    fn finish(mut self, end: State) -> Outcome {
        self.outcome.never_returns = end.dead && !self.returns;
        let ends_on = match (&end.raw, end.dead) {
            (Raw::On(region), false) => {
                self.outcome.flags_param = region.flags_param;
                self.outcome.ends_unchecked = region.unchecked;
                Some(region.start.clone())
            }
            _ => None,
        };
        let chain_to = |start: &RegionStart| {
            let step = Step {
                body: self.index,
                function: short_name(self.body),
                what: if start.via.is_empty() {
                    "switches the thread".to_owned()
                } else {
                    "calls a function that switches the thread".to_owned()
                },
                span: start.span.clone(),
            };
            Chain::through(step, &start.via)
        };
        self.outcome.ends_switched = ends_on.as_ref().map(chain_to);
        if let (
            Raw::Maybe {
                region: Some(region),
                ..
            },
            false,
        ) = (&end.raw, end.dead)
        {
            self.outcome.ends_unchecked = region.unchecked;
            self.outcome.may_end_switched = Some(chain_to(&region.start));
        }
        if self.contexts.is_none() {
            return self.outcome;
        }
        match &self.body.owner {
            BodyOwner::ForkChild => self.child_leaks(ends_on.as_ref()),
            _ => self.shared_leaks(&end, ends_on.as_ref()),
        }
        self.outcome
    }

    /// A fork's child branch that returns switched hands the caller's code, in the child
    /// process, the switched thread. That matters where the caller may be any code (a library
    /// function's, a server's); the workspace's own owned threads (a test's, `main`'s) return
    /// into code that ends the child.
    fn child_leaks(&mut self, ends_on: Option<&RegionStart>) {
        let parent_shared = self.program.parents[self.index]
            .zip(self.contexts)
            .and_then(|(parent, contexts)| {
                contexts
                    .incoming(parent)
                    .iter()
                    .position(|i| i.context.is_shared())
                    .map(|at| (parent, contexts, at))
            });
        let Some((parent, contexts, at)) = parent_shared else {
            return;
        };
        let witness = Some(contexts.witness(self.program, parent, at));
        let mut leaks: Vec<(RegionStart, LeakWay, Span)> = self
            .exits
            .drain(..)
            .map(|exit| (exit.region, LeakWay::Exit(exit.kind), exit.span))
            .collect();
        if let Some(start) = ends_on {
            leaks.push((start.clone(), LeakWay::EndOfBody, self.body.span.clone()));
        }
        self.report_leaks(leaks, ThreadContext::ChildAfterFork, witness);
    }

    /// Paths that leave a region switched on a thread other code reuses. A guard's `Drop`
    /// restores only what its constructor switched: a path through it that restores nothing
    /// (the guard never switched) is no leak.
    fn shared_leaks(&mut self, end: &State, ends_on: Option<&RegionStart>) {
        let is_drop = matches!(
            &self.body.owner,
            BodyOwner::Fn {
                drop_of: Some(_),
                ..
            }
        );
        let spawned = matches!(
            self.body.owner,
            BodyOwner::Closure { spawned: true } | BodyOwner::AsyncBlock { spawned: true }
        );
        // The API restores when the closure returns, whichever way; only a panic skips it.
        let restored_on_return =
            self.body.context == ThreadContext::Scope(ScopeKind::CallingThread);
        // A function handed to a thread API by name (or an `async fn`'s future handed to a
        // runtime) is that thread's whole work, as a spawned closure is.
        let handed = !spawned && self.handed_anywhere();
        // A function that returns switched on its normal path is an `enter` wrapper: its
        // callers are checked. Only the exits that report failure while switched leak.
        let wrapper = ends_on.is_some() && !spawned && !handed;
        let mut shared = None;
        let mut leaks: Vec<(RegionStart, LeakWay, Span)> = Vec::new();
        for exit in self.exits.drain(..) {
            let fails = matches!(
                exit.kind,
                ExitKind::Try | ExitKind::Panic | ExitKind::Return { is_err: true }
            );
            if (wrapper && !fails)
                || exit.shared.is_none()
                || (restored_on_return && exit.kind != ExitKind::Panic)
            {
                continue;
            }
            shared = shared.or(exit.shared);
            leaks.push((exit.region, LeakWay::Exit(exit.kind), exit.span));
        }
        let end_shared = if end.dead || is_drop || restored_on_return {
            None
        } else {
            self.shared_at(end)
        };
        // The thread it hands back at its end: a spawned closure's, or the one it was handed to.
        let hands_back = match (spawned, handed) {
            (true, _) => end_shared,
            (false, true) if !end.dead => self.handed_shared_at(end),
            _ => None,
        };
        if let (Some(start), Some(point)) = (ends_on, hands_back) {
            shared = shared.or(Some(point));
            leaks.push((start.clone(), LeakWay::EndOfBody, self.body.span.clone()));
        }
        if let (
            Raw::Maybe {
                region: Some(region),
                witness: Some(witness),
            },
            false,
            Some(point),
        ) = (&end.raw, end.dead, end_shared)
        {
            shared = shared.or(Some(point));
            leaks.push((
                region.start.clone(),
                LeakWay::UnrestoredPath,
                witness.clone(),
            ));
        }
        if let Some(point) = shared {
            let witness = self.witness(point);
            self.report_leaks(leaks, point.context, witness);
        }
    }

    fn report_leaks(
        &mut self,
        leaks: Vec<(RegionStart, LeakWay, Span)>,
        context: ThreadContext,
        witness: Option<Witness>,
    ) {
        let mut grouped: Vec<(RegionStart, Vec<(LeakWay, Span)>)> = Vec::new();
        for (start, way, span) in leaks {
            match grouped.iter_mut().find(|(s, _)| s.span == start.span) {
                Some((_, ways)) => ways.push((way, span)),
                None => grouped.push((start, vec![(way, span)])),
            }
        }
        for (region, ways) in grouped {
            self.outcome.findings.push(Finding {
                kind: FindingKind::Leak {
                    ways,
                    context,
                    witness: witness.clone(),
                },
                region,
            });
        }
    }
}

/// A call event's parts, as the interpreter reads them.
struct CallSite<'e> {
    callee: &'e Callee,
    span: &'e Span,
    bound_to: Option<&'e str>,
    exit: &'e Option<(ExitKind, Span)>,
    arg_kinds: &'e [Option<BTreeSet<FlagKind>>],
    discarded: bool,
    /// The context a thread API runs the call's value in (`tokio::spawn(serve(conn))`).
    handed_to: Option<ThreadContext>,
}

/// A switch (or a call that switches) about to be applied to the state.
struct Entered {
    op: SwitchOp,
    kinds: Option<BTreeSet<FlagKind>>,
    start: RegionStart,
    flags_param: Option<usize>,
    unchecked: bool,
    /// Its namespace file names another namespace than the one the thread came from: after an
    /// `unshare`, a `setns` into it enters rather than restores.
    elsewhere: bool,
}

/// Whether `exit` is the exit taken when the raw switch `next` fails (`setns(..)?`): the walk
/// puts it right before the switch, spanning from the switch's start to the `?` (an exit in the
/// code before the switch ends before it starts).
fn failure_of(exit: &Event, next: &Event) -> bool {
    match (exit, next) {
        (
            Event::Exit {
                span: exit,
                diverges: false,
                ..
            },
            Event::Switch { span: switch, .. },
        ) => {
            exit.file == switch.file
                && exit.range.start == switch.range.start
                && exit.range.end >= switch.range.end
        }
        _ => false,
    }
}

/// Whether the raw switch `switch` switches the thread back in `state` (it ends the region).
fn restores(state: &State, switch: &Event) -> bool {
    let Event::Switch {
        op,
        kinds,
        target,
        span,
        ..
    } = switch
    else {
        return false;
    };
    if !matches!(state.raw, Raw::On(_)) {
        return false;
    }
    let entered = Entered {
        op: *op,
        kinds: kinds.clone(),
        start: RegionStart {
            span: span.clone(),
            via: Chain::default(),
            guard: false,
        },
        flags_param: None,
        unchecked: false,
        elsewhere: *target == SwitchTarget::Elsewhere,
    };
    matches!(toggle(state.raw.clone(), entered), Raw::Off)
}

/// The state after a switch (or a call that switches).
fn toggle(raw: Raw, entered: Entered) -> Raw {
    let Entered {
        op,
        kinds,
        start,
        flags_param,
        unchecked,
        elsewhere,
    } = entered;
    // `unshare(CLONE_FS)` alone (or other attributes) moves the thread into no namespace.
    if kinds
        .as_ref()
        .is_some_and(|k| !k.is_empty() && k.iter().all(|k| !k.is_namespace()))
    {
        return raw;
    }
    let kinds = kinds.filter(|k| !k.is_empty());
    let by_unshare = op == SwitchOp::Unshare;
    match raw {
        Raw::Off => Raw::On(Region {
            start,
            kinds,
            flags_param,
            unchecked,
            by_unshare,
        }),
        Raw::On(region) => {
            let overlaps = match (&region.kinds, &kinds) {
                (Some(a), Some(b)) => !a.is_disjoint(b),
                _ => true,
            };
            let enters = elsewhere && region.by_unshare;
            if op == SwitchOp::Setns && overlaps && !enters {
                Raw::Off
            } else {
                let kinds = match (region.kinds, kinds) {
                    (Some(mut a), Some(b)) => {
                        a.extend(b);
                        Some(a)
                    }
                    _ => None,
                };
                Raw::On(Region {
                    start: region.start,
                    kinds,
                    flags_param: None,
                    unchecked: region.unchecked || unchecked,
                    by_unshare: region.by_unshare,
                })
            }
        }
        Raw::Maybe { region, .. } => {
            let entered = Region {
                start,
                kinds,
                flags_param,
                unchecked,
                by_unshare,
            };
            match op {
                SwitchOp::Unshare => Raw::On(entered),
                SwitchOp::Setns => Raw::Maybe {
                    region: region.or(Some(entered)),
                    witness: None,
                },
            }
        }
    }
}

/// Joins the states of paths that meet again (after a branch or a loop). `witness` spans on
/// the outs mark jumps (`break`); `span` stands for the branch itself.
fn merge(before: &State, outs: Vec<(State, Option<Span>)>, span: &Span) -> State {
    let live: Vec<(State, Option<Span>)> = outs.into_iter().filter(|(s, _)| !s.dead).collect();
    let Some((first, _)) = live.first() else {
        let mut dead = before.clone();
        dead.dead = true;
        return dead;
    };
    // A guard alive on some path is a region on that path.
    let mut guards: Vec<Guard> = Vec::new();
    for (state, _) in &live {
        for guard in &state.guards {
            if !guards.iter().any(|g| g.name == guard.name) {
                guards.push(guard.clone());
            }
        }
    }
    let constraints = first
        .constraints
        .iter()
        .filter(|c| live.iter().all(|(s, _)| s.constraints.contains(c)))
        .copied()
        .collect();
    let threads_started = live.iter().any(|(s, _)| s.threads_started);
    let awaited = live.iter().find_map(|(s, _)| s.awaited.clone());
    let all_off = live.iter().all(|(s, _)| matches!(s.raw, Raw::Off));
    let all_on = live.iter().all(|(s, _)| matches!(s.raw, Raw::On(_)));
    let raw = if all_off {
        Raw::Off
    } else if all_on {
        first.raw.clone()
    } else {
        let region = live.iter().find_map(|(s, _)| match &s.raw {
            Raw::On(r) => Some(r.clone()),
            Raw::Maybe { region, .. } => region.clone(),
            Raw::Off => None,
        });
        let some_off = live.iter().any(|(s, _)| matches!(s.raw, Raw::Off));
        let on_jump = live
            .iter()
            .find(|(s, jump)| jump.is_some() && matches!(s.raw, Raw::On(_)))
            .and_then(|(_, jump)| jump.clone());
        let inherited = live.iter().find_map(|(s, _)| match &s.raw {
            Raw::Maybe { witness, .. } => witness.clone(),
            _ => None,
        });
        let witness = if let Some(jump) = on_jump.filter(|_| some_off) {
            Some(jump)
        } else if matches!(before.raw, Raw::On(_)) && some_off {
            Some(span.clone())
        } else {
            inherited
        };
        Raw::Maybe { region, witness }
    };
    State {
        raw,
        guards,
        dead: false,
        constraints,
        threads_started,
        awaited,
    }
}

#[cfg(test)]
#[path = "regions_tests.rs"]
mod tests;
