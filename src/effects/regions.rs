//! Interpretation of one body's events: where its switched regions start and end, and what
//! happens inside them.
//!
//! The state of the thread is tracked as off, on (switched since a known start) or maybe
//! (switched on some paths only). A `setns` while switched is a restore when its kinds
//! overlap the region's (or are unknown); `unshare` always enters. Guards are tracked beside:
//! alive from their `let` to the end of their block or an explicit `drop`.
//!
//! "Maybe" states are reported only with a witness — a branch that restores on one arm and not
//! the other after the thread was switched, or a `break` that skips a restore. A switch made on
//! one branch and undone under the same condition later stays quiet: the paths that matter
//! cannot be told apart without the conditions, and precision comes first.

use super::{Chain, Program, Step, Summary, short_name};
use crate::catalog::{FlagKind, ScopeKind, SwitchOp};
use crate::diagnostic::Span;
use crate::model::ThreadContext;
use crate::model::ir::{Body, BodyOwner, Callee, Event, ExitKind};
use std::collections::BTreeSet;

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

/// What a body does wrong inside a region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingKind {
    /// Paths that leave the region switched.
    Leak {
        /// Each way out, with where it is.
        ways: Vec<(LeakWay, Span)>,
        /// The thread context of the body.
        context: ThreadContext,
    },
    /// An `.await` inside the region.
    Await {
        /// The `.await`.
        span: Span,
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
    /// A namespace-sensitive operation inside the region.
    Operation {
        /// The operation, or the call that leads to it.
        span: Span,
        /// What it does.
        what: String,
        /// For a call: the chain down to the operation.
        chain: Chain,
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
    /// The chain to the first sensitive operation it performs.
    pub sensitive: Option<Chain>,
    /// Whether it switches (directly or through a helper) at all.
    pub switches: bool,
    /// When it ends switched into kinds given by one of its parameters, that parameter.
    pub flags_param: Option<usize>,
    /// The chain to the first work it hands to another thread.
    pub escapes: Option<Chain>,
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
struct State {
    raw: Raw,
    guards: Vec<(String, RegionStart)>,
    dead: bool,
}

impl State {
    fn region(&self) -> Option<&RegionStart> {
        match &self.raw {
            Raw::On(region) => Some(&region.start),
            _ => self.guards.last().map(|(_, start)| start),
        }
    }
}

/// Interprets a body with the current summaries.
pub fn interpret(body: &Body, program: &Program<'_>, summaries: &[Summary]) -> Outcome {
    let mut interp = Interp {
        program,
        summaries,
        body,
        exits: Vec::new(),
        loop_breaks: Vec::new(),
        outcome: Outcome::default(),
    };
    let start = State {
        raw: Raw::Off,
        guards: Vec::new(),
        dead: false,
    };
    let end = interp.run(&body.events, start);
    interp.finish(end)
}

struct Interp<'p, 'b> {
    program: &'p Program<'b>,
    summaries: &'p [Summary],
    body: &'p Body,
    /// Exits taken while switched: the region, how, where.
    exits: Vec<(RegionStart, ExitKind, Span)>,
    /// For each enclosing loop, the states at its `break`s.
    loop_breaks: Vec<Vec<(State, Span)>>,
    outcome: Outcome,
}

impl Interp<'_, '_> {
    fn run(&mut self, events: &[Event], mut state: State) -> State {
        for event in events {
            if state.dead {
                break;
            }
            state = self.step(event, state);
        }
        state
    }

    fn step(&mut self, event: &Event, mut state: State) -> State {
        match event {
            Event::Switch {
                op,
                kinds,
                flags_param,
                span,
            } => {
                self.outcome.switches = true;
                let start = RegionStart {
                    span: span.clone(),
                    via: Vec::new(),
                    guard: false,
                };
                state.raw = toggle(state.raw, *op, kinds.clone(), start, *flags_param);
            }
            Event::Call {
                callee,
                span,
                bound_to,
                exit,
                arg_kinds,
            } => {
                let target = self.program.resolve(callee);
                if state.region().is_some() || matches!(self.body.context, ThreadContext::Scope(_))
                {
                    match target {
                        Some(target) => self.outcome.region_calls.push(target),
                        None => self.outcome.region_unresolved.push(callee.clone()),
                    }
                }
                let summary = target.map(|i| &self.summaries[i]);
                // Names are only needed when a chain is built: most calls have no effects.
                let program = self.program;
                let body = self.body;
                let through = |chain: &Chain| {
                    let callee_name = target
                        .map(|i| short_name(program.bodies[i]))
                        .unwrap_or_default();
                    let mut steps = vec![Step {
                        function: short_name(body),
                        what: format!("calls `{callee_name}`"),
                        span: span.clone(),
                    }];
                    steps.extend(chain.iter().cloned());
                    steps
                };
                let guard = summary.and_then(|s| s.returns_guard.as_ref());
                let toggles = summary.and_then(|s| s.returns_switched.as_ref());
                if let Some((kind, exit_span)) = exit
                    && guard.is_none()
                    && toggles.is_none()
                {
                    state = self.exit(state, *kind, exit_span.clone(), false);
                }
                if let Some(chain) = guard {
                    self.outcome.switches = true;
                    if let Some(name) = bound_to {
                        let start = RegionStart {
                            span: span.clone(),
                            via: chain.clone(),
                            guard: true,
                        };
                        state.guards.push((name.clone(), start));
                    }
                } else if let Some(chain) = toggles {
                    self.outcome.switches = true;
                    let start = RegionStart {
                        span: span.clone(),
                        via: chain.clone(),
                        guard: false,
                    };
                    let param = summary.and_then(|s| s.flags_param);
                    let kinds = param.and_then(|p| arg_kinds.get(p).cloned().flatten());
                    state.raw = toggle(state.raw, SwitchOp::Setns, kinds, start, None);
                }
                if let Some(chain) = summary.and_then(|s| s.sensitive.as_ref()) {
                    let what = chain.last().map(|s| s.what.clone()).unwrap_or_default();
                    self.sensitive(&state, span, &what, through(chain), chain.clone());
                }
                if let Some(chain) = summary.and_then(|s| s.escapes.as_ref()) {
                    let what = chain.last().map(|s| s.what.clone()).unwrap_or_default();
                    self.escape(&state, span, &what, through(chain), chain.clone());
                }
            }
            Event::Escape { what, span } => {
                let own = vec![Step {
                    function: short_name(self.body),
                    what: what.clone(),
                    span: span.clone(),
                }];
                self.escape(&state, span, what, own, Vec::new());
            }
            Event::Sensitive { what, span } => {
                self.outcome.operations.push((span.clone(), what.clone()));
                let own = vec![Step {
                    function: short_name(self.body),
                    what: what.clone(),
                    span: span.clone(),
                }];
                self.sensitive(&state, span, what, own, Vec::new());
            }
            Event::Await { span } => {
                if self.body.context == ThreadContext::AsyncTask
                    && let Some(region) = state.region()
                {
                    self.outcome.findings.push(Finding {
                        kind: FindingKind::Await { span: span.clone() },
                        region: region.clone(),
                    });
                }
            }
            Event::Exit {
                kind,
                span,
                diverges,
            } => state = self.exit(state, *kind, span.clone(), *diverges),
            Event::Drop { name } => state.guards.retain(|(n, _)| n != name),
            Event::EndScope { names } => state.guards.retain(|(n, _)| !names.contains(n)),
            Event::Branch { arms, span } => {
                let outs: Vec<(State, Option<Span>)> = arms
                    .iter()
                    .map(|arm| (self.run(arm, state.clone()), None))
                    .collect();
                state = merge(&state, outs, span);
            }
            Event::Loop { body } => {
                self.loop_breaks.push(Vec::new());
                let end = self.run(body, state.clone());
                let breaks = self.loop_breaks.pop().unwrap_or_default();
                let mut outs = vec![(state.clone(), None), (end, None)];
                outs.extend(breaks.into_iter().map(|(s, span)| (s, Some(span))));
                let span = self.body.span.clone();
                state = merge(&state, outs, &span);
            }
        }
        state
    }

    /// Records a sensitive operation: a fact of the body, and a finding inside a region.
    fn sensitive(&mut self, state: &State, span: &Span, what: &str, fact: Chain, chain: Chain) {
        if self.outcome.sensitive.is_none() {
            self.outcome.sensitive = Some(fact);
        }
        if self.body.context.is_shared()
            && let Some(region) = state.region()
        {
            self.outcome.findings.push(Finding {
                kind: FindingKind::Operation {
                    span: span.clone(),
                    what: what.to_owned(),
                    chain,
                },
                region: region.clone(),
            });
        }
    }

    /// Records work handed to another thread: a fact of the body, and a finding inside a sync
    /// scope or a region.
    fn escape(&mut self, state: &State, span: &Span, what: &str, fact: Chain, chain: Chain) {
        if self.outcome.escapes.is_none() {
            self.outcome.escapes = Some(fact);
        }
        let in_scope = self.body.context == ThreadContext::Scope(ScopeKind::Sync);
        let region = match state.region() {
            Some(region) => region.clone(),
            None if in_scope => RegionStart {
                span: self.body.span.clone(),
                via: Vec::new(),
                guard: false,
            },
            None => return,
        };
        self.outcome.findings.push(Finding {
            kind: FindingKind::Escape {
                span: span.clone(),
                what: what.to_owned(),
                chain,
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
            _ => {}
        }
        if let Raw::On(region) = &state.raw {
            self.exits.push((region.start.clone(), kind, span));
        }
        if diverges {
            state.dead = true;
        }
        state
    }

    /// Applies what the body is (a wrapper, a task, a pool closure) to what was seen.
    fn finish(mut self, end: State) -> Outcome {
        let ends_on = match (&end.raw, end.dead) {
            (Raw::On(region), false) => {
                self.outcome.flags_param = region.flags_param;
                Some(region.start.clone())
            }
            _ => None,
        };
        if let Some(start) = &ends_on {
            let mut chain = vec![Step {
                function: short_name(self.body),
                what: if start.via.is_empty() {
                    "switches the thread".to_owned()
                } else {
                    "calls a function that switches the thread".to_owned()
                },
                span: start.span.clone(),
            }];
            chain.extend(start.via.iter().cloned());
            self.outcome.ends_switched = Some(chain);
        }
        let (is_entry, spawned) = match &self.body.owner {
            BodyOwner::Fn { is_entry, .. } => (*is_entry, false),
            BodyOwner::Closure { spawned } | BodyOwner::AsyncBlock { spawned } => (false, *spawned),
        };
        if !self.body.context.is_shared() || is_entry {
            return self.outcome;
        }
        // A function that returns switched on its normal path is an `enter` wrapper: its
        // callers are checked. Only the exits that report failure while switched leak.
        let wrapper = ends_on.is_some() && !spawned;
        let mut leaks: Vec<(RegionStart, LeakWay, Span)> = self
            .exits
            .drain(..)
            .filter(|(_, kind, _)| {
                !wrapper
                    || matches!(
                        kind,
                        ExitKind::Try | ExitKind::Panic | ExitKind::Return { is_err: true }
                    )
            })
            .map(|(start, kind, span)| (start, LeakWay::Exit(kind), span))
            .collect();
        if let (Some(start), true) = (&ends_on, spawned) {
            leaks.push((start.clone(), LeakWay::EndOfBody, self.body.span.clone()));
        }
        if let (
            Raw::Maybe {
                region: Some(region),
                witness: Some(witness),
            },
            false,
        ) = (&end.raw, end.dead)
        {
            leaks.push((
                region.start.clone(),
                LeakWay::UnrestoredPath,
                witness.clone(),
            ));
        }
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
                    context: self.body.context,
                },
                region,
            });
        }
        self.outcome
    }
}

/// The state after a switch (or a call that switches).
fn toggle(
    raw: Raw,
    op: SwitchOp,
    kinds: Option<BTreeSet<FlagKind>>,
    start: RegionStart,
    flags_param: Option<usize>,
) -> Raw {
    // `unshare(CLONE_FS)` alone moves the thread into no namespace.
    if kinds
        .as_ref()
        .is_some_and(|k| !k.is_empty() && k.iter().all(|k| *k == FlagKind::Fs))
    {
        return raw;
    }
    let kinds = kinds.filter(|k| !k.is_empty());
    match raw {
        Raw::Off => Raw::On(Region {
            start,
            kinds,
            flags_param,
        }),
        Raw::On(region) => {
            let overlaps = match (&region.kinds, &kinds) {
                (Some(a), Some(b)) => !a.is_disjoint(b),
                _ => true,
            };
            if op == SwitchOp::Setns && overlaps {
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
                })
            }
        }
        Raw::Maybe { region, .. } => {
            let entered = Region {
                start,
                kinds,
                flags_param,
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
    let guards = first
        .guards
        .iter()
        .filter(|(name, _)| {
            live.iter()
                .all(|(s, _)| s.guards.iter().any(|(n, _)| n == name))
        })
        .cloned()
        .collect();
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
    }
}
