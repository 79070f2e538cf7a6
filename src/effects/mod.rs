//! Effects: what each function does to its thread, computed over the workspace's call graph
//! to a fixpoint (facts, in the sense of Go's analysis framework), and the switched regions
//! of every body interpreted with them.
//!
//! A function *returns switched* when it leaves its thread in another namespace on its normal
//! path (an `enter` wrapper); it *returns a guard* when it does so and returns a value whose
//! type's `Drop` switches back; it *performs a sensitive operation* when it or a callee opens
//! a socket, a netlink handle, a resolver, a process. Each fact carries the chain of calls
//! that leads to its cause. Recursion terminates because facts only ever get set, never unset.

mod chain;
pub mod contexts;
pub mod regions;

use crate::diagnostic::Span;
use crate::hollow::Demand;
use crate::model::CrateFacts;
use crate::model::ThreadContext;
use crate::model::ir::{Body, BodyOwner, Callee, Event, TypeRef};
pub use chain::Chain;
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;

pub use contexts::{ContextMap, Root, Witness};
pub use regions::{Finding, FindingKind};

/// Passes over the workspace are bounded: summaries only grow, so this is never reached in
/// practice, but a bound keeps a pathological input from looping.
const MAX_PASSES: usize = 64;

/// One step of a chain: `function` does `what` at `span`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The body the step is in, as an index into the program's bodies: it tells functions of
    /// one name apart.
    pub body: usize,
    /// The function the step is in (its last path segments, for messages).
    pub function: String,
    /// What happens there ("binds a UDP socket", "calls `open_probe`").
    pub what: String,
    /// Where.
    pub span: Span,
}

/// What a function does to its caller's thread.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// It returns with the thread switched (an `enter` wrapper).
    pub returns_switched: Option<Chain>,
    /// When the kinds it switches come from one of its parameters, that parameter's index.
    pub flags_param: Option<usize>,
    /// It switches and returns a guard that switches back when dropped.
    pub returns_guard: Option<Chain>,
    /// It performs a namespace-sensitive operation, directly or through callees.
    pub sensitive: Option<Chain>,
    /// It hands work to another thread, directly or through callees.
    pub escapes: Option<Chain>,
    /// The switch it returns with (or the guard's) may have failed unnoticed.
    pub unchecked: bool,
    /// It starts threads or a runtime, directly or through callees.
    pub starts_threads: bool,
    /// No path returns to the caller: it ends the process or execs on every one.
    pub never_returns: bool,
}

impl Summary {
    /// What either summary says (for alternatives of one function: what any of them does).
    fn union(&self, other: &Summary) -> Summary {
        Summary {
            returns_switched: self
                .returns_switched
                .clone()
                .or_else(|| other.returns_switched.clone()),
            flags_param: self.flags_param.or(other.flags_param),
            returns_guard: self
                .returns_guard
                .clone()
                .or_else(|| other.returns_guard.clone()),
            sensitive: self.sensitive.clone().or_else(|| other.sensitive.clone()),
            escapes: self.escapes.clone().or_else(|| other.escapes.clone()),
            unchecked: self.unchecked || other.unchecked,
            starts_threads: self.starts_threads || other.starts_threads,
            never_returns: self.never_returns && other.never_returns,
        }
    }
}

/// The workspace's functions, indexed for call resolution, with every call resolved once.
pub struct Program<'a> {
    bodies: Vec<&'a Body>,
    /// For each body, the body it is written in (closures and async blocks), as an index
    /// into `bodies`.
    parents: Vec<Option<usize>>,
    /// For each body, the package it belongs to.
    package_of: Vec<usize>,
    /// For each package, the index of its first body: a package's bodies are consecutive.
    first_body: Vec<usize>,
    /// Resolved call targets, keyed by the address of the call's `Callee` in its body.
    targets: FxHashMap<usize, usize>,
    /// The implementations a call of a trait's method through a trait object may reach, keyed
    /// like `targets`.
    dyn_targets: FxHashMap<usize, Vec<usize>>,
    /// For each body, the bodies that call it, hand it over or name it.
    callers: Vec<Vec<usize>>,
}

impl<'a> Program<'a> {
    /// Indexes the bodies of every package and resolves their calls (in parallel, on the
    /// current rayon pool).
    pub fn new(packages: &[&'a CrateFacts]) -> Self {
        use rayon::prelude::*;
        let bodies: Vec<&Body> = packages
            .iter()
            .copied()
            .flat_map(|p| p.bodies.iter())
            .collect();
        let mut parents = Vec::with_capacity(bodies.len());
        let mut package_of = Vec::with_capacity(bodies.len());
        let mut first_body = Vec::with_capacity(packages.len());
        let mut offset = 0;
        for (index, package) in packages.iter().enumerate() {
            first_body.push(offset);
            parents.extend(
                package
                    .bodies
                    .iter()
                    .map(|b| b.parent.map(|p| offset + p as usize)),
            );
            package_of.extend(std::iter::repeat_n(index, package.bodies.len()));
            offset += package.bodies.len();
        }
        // A file shared by two packages' targets is a body in each: a call goes to its own
        // package's copy first.
        let mut by_name: FxHashMap<&str, Vec<usize>> =
            FxHashMap::with_capacity_and_hasher(bodies.len(), Default::default());
        for (index, body) in bodies.iter().enumerate() {
            if let BodyOwner::Fn { canonical, .. } | BodyOwner::Item { canonical } = &body.owner {
                by_name.entry(canonical.as_str()).or_default().push(index);
            }
        }
        let exports = packages
            .iter()
            .copied()
            .flat_map(|p| p.exports.iter())
            .map(|(alias, target)| (alias.as_str(), target.as_str()))
            .collect();
        let mut by_method: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        for (index, body) in bodies.iter().enumerate() {
            if let BodyOwner::Fn {
                canonical,
                trait_method: true,
                ..
            } = &body.owner
            {
                let method = canonical.rsplit("::").next().unwrap_or(canonical);
                by_method.entry(method).or_default().push(index);
            }
        }
        let names = Names {
            bodies: &bodies,
            by_name,
            exports,
            package_of: &package_of,
        };
        // Each body's resolved calls, hand-overs and references, and its calls through trait
        // objects: (the callee's address, its target or the implementations it may reach).
        let found: Vec<CallsFound<'_>> = bodies
            .par_iter()
            .zip(&package_of)
            .map(|(body, &package)| {
                let mut calls = Vec::new();
                collect_calls(&body.events, &mut calls);
                let mut found = CallsFound::default();
                for callee in calls {
                    let address = callee as *const Callee as usize;
                    if let Some(target) = names.resolve(callee, package) {
                        found.resolved.push((address, target));
                    }
                    if let Callee::Dyn { method } = callee
                        && let Some(implementations) = by_method.get(method.as_str())
                    {
                        found.dynamic.push((address, implementations));
                    }
                }
                found
            })
            .collect();
        let count = found.iter().map(|f| f.resolved.len()).sum();
        let mut targets = FxHashMap::with_capacity_and_hasher(count, Default::default());
        let mut dyn_targets: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
        let mut callers = vec![Vec::new(); bodies.len()];
        for (caller, found) in found.into_iter().enumerate() {
            for (address, target) in found.resolved {
                targets.insert(address, target);
                callers[target].push(caller);
            }
            for (address, implementations) in found.dynamic {
                for &target in implementations {
                    callers[target].push(caller);
                }
                dyn_targets.insert(address, implementations.clone());
            }
        }
        for list in &mut callers {
            list.sort_unstable();
            list.dedup();
        }
        Program {
            bodies,
            parents,
            package_of,
            first_body,
            targets,
            dyn_targets,
            callers,
        }
    }

    /// The implementations a call of a trait's method through a trait object may reach.
    pub fn dyn_targets(&self, callee: &Callee) -> &[usize] {
        self.dyn_targets
            .get(&(callee as *const Callee as usize))
            .map_or(&[], Vec::as_slice)
    }

    /// The function a call reaches, if it is the workspace's.
    pub fn resolve(&self, callee: &Callee) -> Option<usize> {
        self.targets
            .get(&(callee as *const Callee as usize))
            .copied()
    }
}

/// What one body calls, found while the program is indexed: each callee's address with its
/// resolved target, and with the implementations a call through a trait object may reach.
#[derive(Default)]
struct CallsFound<'m> {
    resolved: Vec<(usize, usize)>,
    dynamic: Vec<(usize, &'m Vec<usize>)>,
}

/// Function names for resolution while the program is indexed.
struct Names<'b, 'a> {
    bodies: &'b [&'a Body],
    by_name: FxHashMap<&'a str, Vec<usize>>,
    exports: FxHashMap<&'a str, &'a str>,
    package_of: &'b [usize],
}

impl Names<'_, '_> {
    /// The function a path names from code in `package`, following re-exports: the
    /// package's own copy when it has one.
    fn function(&self, path: &str, package: usize) -> Option<usize> {
        let mut path = path;
        for _ in 0..8 {
            if let Some(candidates) = self.by_name.get(path) {
                return candidates
                    .iter()
                    .copied()
                    .find(|&i| self.package_of[i] == package)
                    .or_else(|| candidates.first().copied());
            }
            path = self.exports.get(path)?;
        }
        None
    }

    fn resolve(&self, callee: &Callee, package: usize) -> Option<usize> {
        match callee {
            Callee::Path(path) => self.function(path, package),
            Callee::Dyn { .. } => None,
            Callee::Method {
                receiver: TypeRef::Named(ty),
                method,
            } => self.function(&format!("{ty}::{method}"), package),
            Callee::Method {
                receiver: TypeRef::ReturnOf(f),
                method,
            } => {
                let BodyOwner::Fn { return_types, .. } =
                    &self.bodies[self.function(f, package)?].owner
                else {
                    return None;
                };
                return_types
                    .iter()
                    .find_map(|ty| self.function(&format!("{ty}::{method}"), package))
            }
        }
    }
}

/// Every function's summary and every body's region findings.
pub struct Effects {
    /// Findings, tagged with the index of the package whose body produced them.
    pub findings: Vec<(usize, Finding)>,
    /// Sensitive operations outside any scope (reported in strict mode), by package: in bodies
    /// one of whose contexts is a thread the code does not own and no scope chose.
    pub outside_scope: Vec<(usize, Span, String)>,
    /// Bodies whose interpretation panicked, by package: their findings are unknown.
    pub failed: Vec<(usize, Span)>,
    /// For each package, for each of its bodies, the contexts it runs in.
    pub contexts: Vec<Vec<BodyContexts>>,
}

/// The contexts a body runs in, with the chain that brings the first shared one (for
/// findings the rules make from facts: a switch's kind, a path literal). Witnesses are
/// built only for the bodies such facts are in (those holding a raw switch or a
/// process-wide path use): another body's are `None` whatever its contexts.
#[derive(Debug, Clone, Default)]
pub struct BodyContexts {
    /// Every context, deduplicated, in the order of [`ThreadContext`].
    pub contexts: Vec<ThreadContext>,
    /// Why the code may run on a thread that is not the main thread, when it may.
    pub off_main: Option<Witness>,
    /// Why it may run on a thread other code reuses (or any thread), when it may.
    pub shared: Option<Witness>,
    /// Why the process may have other threads when it runs, when it may.
    pub multi_threaded: Option<Witness>,
}

impl BodyContexts {
    /// The contexts after threads started in the body (`main`'s single-threaded phase over).
    pub fn after_start(&self, started: bool) -> impl Iterator<Item = ThreadContext> + '_ {
        self.contexts.iter().map(move |&c| {
            if started && c == ThreadContext::SingleThreaded {
                ThreadContext::MainThread
            } else {
                c
            }
        })
    }
}

/// Computes summaries to a fixpoint, the calling contexts of every body, then interprets every
/// body with them. Resolving calls, reading each body's call edges and the last interpretation
/// run in parallel on the current rayon pool (whose threads need stacks as deep as the code
/// nests); the two fixpoints run on one thread.
pub fn analyze(packages: &[CrateFacts]) -> Effects {
    let all: Vec<&CrateFacts> = packages.iter().collect();
    let program = Program::new(&all);
    let summaries = summarize(&program);
    let contexts = contexts::compute(&program, &summaries);
    let owners = &program.package_of;
    let mut findings = Vec::new();
    let mut outside_scope = Vec::new();
    let mut failed = Vec::new();
    // Bodies are interpreted independently once summaries are known; results are gathered in
    // body order, so the output does not depend on the thread count.
    let outcomes: Vec<Option<regions::Outcome>> = {
        use rayon::prelude::*;
        (0..program.bodies.len())
            .into_par_iter()
            .map(|index| interpret_guarded(index, &program, &summaries, Some(&contexts)))
            .collect()
    };
    for ((index, body), outcome) in program.bodies.iter().enumerate().zip(outcomes) {
        let Some(outcome) = outcome else {
            failed.push((owners[index], body.span.clone()));
            continue;
        };
        findings.extend(outcome.findings.into_iter().map(|f| (owners[index], f)));
        // Strict mode wants every operation in a scope: those on threads the code made for the
        // purpose (a thread, a child, a scope) already are in one in all but name. A function
        // called only from scopes runs in their contexts; one also handed by name elsewhere
        // runs there too, and is reported.
        let unscoped = contexts.incoming(index).iter().any(|i| {
            !matches!(
                i.context,
                ThreadContext::DedicatedThread
                    | ThreadContext::ChildAfterFork
                    | ThreadContext::Scope(_)
                    | ThreadContext::OwnRuntime
            )
        });
        if unscoped {
            outside_scope.extend(
                outcome
                    .operations
                    .into_iter()
                    .map(|(span, what)| (owners[index], span, what)),
            );
        }
    }
    let per_package: Vec<Vec<BodyContexts>> = packages
        .iter()
        .zip(&program.first_body)
        .map(|(facts, &offset)| {
            let mut witnessed = vec![false; facts.bodies.len()];
            for body in fact_bodies(facts) {
                if let Some(slot) = witnessed.get_mut(body as usize) {
                    *slot = true;
                }
            }
            witnessed
                .iter()
                .enumerate()
                .map(|(local, &with_witness)| {
                    body_contexts(&program, &contexts, offset + local, with_witness)
                })
                .collect()
        })
        .collect();
    Effects {
        findings,
        outside_scope,
        failed,
        contexts: per_package,
    }
}

/// The bodies of a package that rules ask the contexts of: those holding a raw switch or a
/// process-wide path use.
fn fact_bodies(facts: &CrateFacts) -> impl Iterator<Item = u32> + '_ {
    let switches = facts.switches.iter().map(|s| s.body);
    let paths = facts.path_uses.iter().chain(&facts.pool_thread_paths);
    switches.chain(paths.filter_map(|p| p.body))
}

/// A body's contexts in the shape rules read them, with witnesses when `with_witness`.
fn body_contexts(
    program: &Program<'_>,
    map: &ContextMap,
    index: usize,
    with_witness: bool,
) -> BodyContexts {
    let incoming = map.incoming(index);
    let mut contexts: Vec<ThreadContext> = incoming.iter().map(|i| i.context).collect();
    contexts.sort_unstable();
    contexts.dedup();
    let witness_where = |wanted: &dyn Fn(ThreadContext) -> bool| {
        incoming
            .iter()
            .position(|i| wanted(i.context))
            .filter(|_| with_witness)
            .map(|at| map.witness(program, index, at))
    };
    BodyContexts {
        contexts,
        off_main: witness_where(&|c| !c.is_main_thread()),
        shared: witness_where(&|c: ThreadContext| c.is_shared()),
        multi_threaded: witness_where(&|c: ThreadContext| !c.is_single_threaded()),
    }
}

/// What these facts demand of the next hollowing plan ([`crate::hollow::Demand`]): the
/// functions that return switched or with a guard, or forward a closure to a thread or scope
/// (their callers matter), and the functions called inside regions and scopes (their
/// summaries matter). Interprets every body like [`analyze`], without keeping findings.
///
/// A call that reaches no function analysed so far, into one of the `workspace_crates`, is
/// demanded by name too: the package that defines it may not have been loaded yet.
pub fn demand(packages: &[&CrateFacts], workspace_crates: &BTreeSet<String>) -> Demand {
    let program = Program::new(packages);
    let summaries = summarize(&program);
    let own_name = |path: &str| path.rsplit("::").next().unwrap_or(path).to_owned();
    let mut demand = Demand::default();
    for (body, summary) in program.bodies.iter().zip(&summaries) {
        // A `Drop::drop` is only ever called by the compiler (E0040): `drop(x)` is `mem::drop`.
        if let BodyOwner::Fn {
            canonical,
            drop_of: None,
            ..
        } = &body.owner
            && (summary.returns_switched.is_some() || summary.returns_guard.is_some())
        {
            demand.callers_of.insert(own_name(canonical));
        }
    }
    for package in packages {
        demand
            .callers_of
            .extend(package.forwarders.iter().map(|f| own_name(f)));
    }
    let outcomes: Vec<(Vec<usize>, Vec<Callee>, bool)> = {
        use rayon::prelude::*;
        (0..program.bodies.len())
            .into_par_iter()
            .map(|index| {
                interpret_guarded(index, &program, &summaries, None)
                    .map(|outcome| {
                        (
                            outcome.region_calls,
                            outcome.region_unresolved,
                            outcome.switches,
                        )
                    })
                    .unwrap_or_default()
            })
            .collect()
    };
    let mut unresolved: Vec<Callee> = Vec::new();
    let mut calls: Vec<Vec<usize>> = Vec::with_capacity(outcomes.len());
    let mut switching: Vec<usize> = Vec::new();
    for (index, (resolved, missing, switches)) in outcomes.into_iter().enumerate() {
        calls.push(resolved);
        unresolved.extend(missing);
        if switches {
            switching.push(index);
        }
    }
    // Whether a switch is a hazard depends on the threads its function runs on: its callers
    // decide, and theirs, up to an entry point. Each round loads one more level of them.
    for index in upward_closure(&program, switching) {
        // A `Drop::drop` is only ever called by the compiler (E0040): `drop(x)` is `mem::drop`.
        if let BodyOwner::Fn {
            canonical,
            drop_of: None,
            ..
        }
        | BodyOwner::Item { canonical } = &program.bodies[index].owner
        {
            demand.callers_of.insert(own_name(canonical));
        }
    }
    // A summary read in a region is made of the summaries of everything its function calls.
    let callees = callees_of(&program);
    let mut read = vec![false; program.bodies.len()];
    let mut pending: Vec<usize> = calls.into_iter().flatten().collect();
    while let Some(index) = pending.pop() {
        if !std::mem::replace(&mut read[index], true) {
            pending.extend(callees[index].iter().copied().filter(|&c| !read[c]));
        }
    }
    for (body, read) in program.bodies.iter().zip(read) {
        if !read {
            continue;
        }
        if let BodyOwner::Fn { canonical, .. } = &body.owner {
            demand.callees.insert(own_name(canonical));
        }
        let mut made = Vec::new();
        collect_calls(&body.events, &mut made);
        unresolved.extend(
            made.into_iter()
                .filter(|c| program.resolve(c).is_none())
                .cloned(),
        );
    }
    for callee in &unresolved {
        let (function, returning) = names_into(callee, workspace_crates);
        demand.callees.extend(function.map(own_name));
        demand.signatures.extend(returning.map(own_name));
    }
    demand
}

/// What a call that did not resolve would need, when it goes into one of the
/// `workspace_crates`: the function it calls, and for a method on a function's return value
/// that function's signature (its return type types the receiver).
fn names_into<'c>(
    callee: &'c Callee,
    workspace_crates: &BTreeSet<String>,
) -> (Option<&'c str>, Option<&'c str>) {
    let in_workspace = |path: &str| {
        path.split("::")
            .next()
            .is_some_and(|first| workspace_crates.contains(first))
    };
    match callee {
        Callee::Path(path) => (in_workspace(path).then_some(path.as_str()), None),
        Callee::Dyn { method } => (Some(method.as_str()), None),
        Callee::Method {
            receiver: TypeRef::Named(ty),
            method,
        } => (in_workspace(ty).then_some(method.as_str()), None),
        Callee::Method {
            receiver: TypeRef::ReturnOf(f),
            method,
        } => {
            let inside = in_workspace(f);
            (
                inside.then_some(method.as_str()),
                inside.then_some(f.as_str()),
            )
        }
    }
}

/// The bodies in `start`, the bodies they are written in, and everything that calls, hands
/// over or names any of them, transitively.
fn upward_closure(program: &Program<'_>, start: Vec<usize>) -> Vec<usize> {
    let mut seen = vec![false; program.bodies.len()];
    let mut pending = start;
    let mut out = Vec::new();
    while let Some(index) = pending.pop() {
        if std::mem::replace(&mut seen[index], true) {
            continue;
        }
        out.push(index);
        pending.extend(program.parents[index]);
        pending.extend(program.callers[index].iter().copied().filter(|&c| !seen[c]));
    }
    out
}

/// For each body, the bodies it calls.
fn callees_of(program: &Program<'_>) -> Vec<Vec<usize>> {
    let mut callees: Vec<Vec<usize>> = vec![Vec::new(); program.bodies.len()];
    for (callee, callers) in program.callers.iter().enumerate() {
        for &caller in callers {
            callees[caller].push(callee);
        }
    }
    callees
}

/// Interprets a body; a panic in the interpreter (a bug of nslint's) gives `None` instead of
/// ending the run, so that the body can be reported as not analysed.
fn interpret_guarded(
    index: usize,
    program: &Program<'_>,
    summaries: &[Summary],
    contexts: Option<&ContextMap>,
) -> Option<regions::Outcome> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        regions::interpret(index, program, summaries, contexts)
    }))
    .ok()
}

/// Summaries to a fixpoint with a worklist: a function is looked at again only when a callee's
/// summary (or a guard type it returns) changed. Summaries only grow, and a bound on the
/// number of visits per function keeps a pathological input from looping.
fn summarize(program: &Program<'_>) -> Vec<Summary> {
    let count = program.bodies.len();
    let mut summaries = vec![Summary::default(); count];
    let mut guard_types = BTreeSet::new();
    let mut returning: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (index, body) in program.bodies.iter().enumerate() {
        if let BodyOwner::Fn { return_types, .. } = &body.owner {
            for ty in return_types {
                returning.entry(ty.as_str()).or_default().push(index);
            }
        }
    }
    let alternatives = alternatives(program);
    let mut own = vec![Summary::default(); count];
    let mut queued = vec![false; count];
    let mut visits = vec![0usize; count];
    let mut queue = std::collections::VecDeque::new();
    for (index, body) in program.bodies.iter().enumerate() {
        if matches!(body.owner, BodyOwner::Fn { .. }) {
            queue.push_back(index);
            queued[index] = true;
        }
    }
    while let Some(index) = queue.pop_front() {
        queued[index] = false;
        visits[index] += 1;
        if visits[index] > MAX_PASSES {
            continue;
        }
        let body = program.bodies[index];
        let BodyOwner::Fn {
            drop_of,
            return_types,
            diverges,
            ..
        } = &body.owner
        else {
            continue;
        };
        let Some(outcome) = interpret_guarded(index, program, &summaries, None) else {
            continue;
        };
        let mut wake: Vec<usize> = Vec::new();
        if let Some(ty) = drop_of
            && outcome.switches
            && guard_types.insert(ty.clone())
        {
            wake.extend(returning.get(ty.as_str()).into_iter().flatten().copied());
        }
        let mut next = Summary {
            sensitive: outcome.sensitive,
            escapes: outcome.escapes,
            flags_param: outcome.flags_param,
            unchecked: outcome.ends_unchecked,
            starts_threads: outcome.starts_threads,
            never_returns: *diverges || outcome.never_returns,
            ..Summary::default()
        };
        // A constructor of a guard type returns a guard when it leaves the thread switched
        // on any path; other functions return switched when they do on every path.
        // So does a function returning a guard type that gets one from a constructor (a helper
        // that forwards it).
        let returns_guard_type = return_types.iter().any(|t| guard_types.contains(t));
        match (
            outcome.ends_switched,
            outcome.may_end_switched,
            outcome.makes_guard,
        ) {
            (Some(chain), _, _) | (None, Some(chain), _) | (None, None, Some(chain))
                if returns_guard_type =>
            {
                next.returns_guard = Some(chain);
            }
            (Some(chain), _, _) => next.returns_switched = Some(chain),
            _ => {}
        }
        // Alternatives under `#[cfg]` (a stub and the real thing) share one summary: what
        // any of them does.
        own[index] = next;
        let members = alternatives
            .get(&index)
            .map_or_else(|| vec![index], Clone::clone);
        let merged = members
            .iter()
            .skip(1)
            .fold(own[members[0]].clone(), |acc, &m| acc.union(&own[m]));
        for member in members {
            if merged != summaries[member] {
                summaries[member] = merged.clone();
                wake.extend(program.callers[member].iter().copied());
            }
        }
        for woken in wake {
            if !queued[woken] && matches!(program.bodies[woken].owner, BodyOwner::Fn { .. }) {
                queued[woken] = true;
                queue.push_back(woken);
            }
        }
    }
    summaries
}

/// For each function defined more than once in a package (alternatives under `#[cfg]`), the
/// definitions of its name there.
fn alternatives(program: &Program<'_>) -> FxHashMap<usize, Vec<usize>> {
    let mut by_name: FxHashMap<(usize, &str), Vec<usize>> = FxHashMap::default();
    for (index, body) in program.bodies.iter().enumerate() {
        if let BodyOwner::Fn { canonical, .. } = &body.owner {
            by_name
                .entry((program.package_of[index], canonical.as_str()))
                .or_default()
                .push(index);
        }
    }
    let mut out = FxHashMap::default();
    for members in by_name.into_values().filter(|m| m.len() > 1) {
        for &member in &members {
            out.insert(member, members.clone());
        }
    }
    out
}

/// Every callee a body's events name: calls, functions handed over, references.
fn collect_calls<'e>(events: &'e [Event], out: &mut Vec<&'e Callee>) {
    for event in events {
        match event {
            Event::Call { callee, .. }
            | Event::Handoff { callee, .. }
            | Event::Reference { callee, .. } => out.push(callee),
            Event::Branch { arms, .. } => arms.iter().for_each(|a| collect_calls(a, out)),
            Event::Loop { body, .. } => collect_calls(body, out),
            _ => {}
        }
    }
}

/// A short name for a function in messages: `Type::method` or `function`.
fn short_name(body: &Body) -> String {
    match &body.owner {
        BodyOwner::Fn { canonical, .. } => {
            let parts: Vec<&str> = canonical.rsplit("::").take(2).collect();
            match parts.as_slice() {
                [f, ty] if ty.starts_with(|c: char| c.is_uppercase()) => format!("{ty}::{f}"),
                [f, ..] => (*f).to_owned(),
                [] => canonical.clone(),
            }
        }
        BodyOwner::Item { canonical } => canonical
            .rsplit("::")
            .next()
            .unwrap_or(canonical)
            .to_owned(),
        BodyOwner::Closure { .. } => "closure".to_owned(),
        BodyOwner::AsyncBlock { .. } => "async block".to_owned(),
        BodyOwner::ForkChild => "the fork's child".to_owned(),
    }
}
