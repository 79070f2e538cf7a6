//! The region interpreter's state machine: `toggle` (what a switch does to the state),
//! `merge` (where paths meet again) and `interpret` on hand-built event lists, each rule of
//! the module's documentation on its own.

use super::*;
use crate::effects::contexts;
use crate::model::CrateFacts;
use crate::model::ir::{Entry, ParamTest};
use crate::source::FileId;

fn span(at: usize) -> Span {
    Span::new(FileId(0), at..at + 1)
}

fn start(at: usize) -> RegionStart {
    RegionStart {
        span: span(at),
        via: Chain::default(),
        guard: false,
    }
}

fn kinds(list: &[FlagKind]) -> Option<BTreeSet<FlagKind>> {
    Some(list.iter().copied().collect())
}

fn region(at: usize, list: Option<&[FlagKind]>) -> Region {
    Region {
        start: start(at),
        kinds: list.and_then(kinds),
        flags_param: None,
        unchecked: false,
        by_unshare: false,
    }
}

fn entered(op: SwitchOp, list: Option<&[FlagKind]>, at: usize) -> Entered {
    Entered {
        op,
        kinds: list.and_then(kinds),
        start: start(at),
        flags_param: None,
        unchecked: false,
        elsewhere: false,
    }
}

fn state(raw: Raw) -> State {
    State {
        raw,
        guards: Vec::new(),
        dead: false,
        constraints: Vec::new(),
        threads_started: false,
        awaited: None,
    }
}

/// The region's start and kinds, when the state is on.
fn on(raw: &Raw) -> Option<(usize, Option<Vec<FlagKind>>)> {
    match raw {
        Raw::On(region) => Some((
            region.start.span.range.start,
            region.kinds.as_ref().map(|k| k.iter().copied().collect()),
        )),
        _ => None,
    }
}

/// The region's start and the witness, when the state is "maybe".
fn maybe(raw: &Raw) -> Option<(Option<usize>, Option<usize>)> {
    match raw {
        Raw::Maybe { region, witness } => Some((
            region.as_ref().map(|r| r.start.span.range.start),
            witness.as_ref().map(|w| w.range.start),
        )),
        _ => None,
    }
}

const NET: FlagKind = FlagKind::Net;
const UTS: FlagKind = FlagKind::Uts;
const MNT: FlagKind = FlagKind::Mnt;

// `toggle`: what one switch does.

#[test]
fn a_switch_while_off_enters_and_remembers_how() {
    let raw = toggle(Raw::Off, entered(SwitchOp::Setns, Some(&[NET]), 3));
    assert_eq!(on(&raw), Some((3, Some(vec![NET]))));
    let Raw::On(region) = toggle(Raw::Off, entered(SwitchOp::Unshare, Some(&[NET]), 4)) else {
        panic!("unshare enters");
    };
    assert!(region.by_unshare);
    let Raw::On(region) = toggle(Raw::Off, entered(SwitchOp::Setns, None, 5)) else {
        panic!("setns of unknown kinds enters");
    };
    assert!(!region.by_unshare);
    assert_eq!(region.kinds, None);
}

#[test]
fn the_flags_parameter_and_uncheckedness_of_the_entering_switch_are_kept() {
    let mut switch = entered(SwitchOp::Setns, None, 1);
    switch.flags_param = Some(2);
    switch.unchecked = true;
    let Raw::On(region) = toggle(Raw::Off, switch) else {
        panic!("enters");
    };
    assert_eq!(region.flags_param, Some(2));
    assert!(region.unchecked);
}

#[test]
fn a_setns_of_an_overlapping_or_unknown_kind_restores() {
    let net = || Raw::On(region(1, Some(&[NET])));
    assert!(matches!(
        toggle(net(), entered(SwitchOp::Setns, Some(&[NET]), 2)),
        Raw::Off
    ));
    assert!(matches!(
        toggle(net(), entered(SwitchOp::Setns, Some(&[NET, UTS]), 2)),
        Raw::Off
    ));
    assert!(matches!(
        toggle(net(), entered(SwitchOp::Setns, None, 2)),
        Raw::Off
    ));
    // A region of unknown kinds is restored by any setns.
    assert!(matches!(
        toggle(
            Raw::On(region(1, None)),
            entered(SwitchOp::Setns, Some(&[UTS]), 2)
        ),
        Raw::Off
    ));
}

#[test]
fn a_setns_of_another_kind_while_switched_enters_further() {
    let mut first = region(1, Some(&[NET]));
    first.flags_param = Some(0);
    let mut second = entered(SwitchOp::Setns, Some(&[UTS]), 2);
    second.unchecked = true;
    let raw = toggle(Raw::On(first), second);
    // The region still starts at the first switch, now over both kinds.
    assert_eq!(on(&raw), Some((1, Some(vec![NET, UTS]))));
    let Raw::On(region) = raw else { unreachable!() };
    assert_eq!(
        region.flags_param, None,
        "kinds no longer come from one parameter"
    );
    assert!(
        region.unchecked,
        "either switch unchecked makes the region unchecked"
    );
    // Now a setns of the second kind restores.
    assert!(matches!(
        toggle(Raw::On(region), entered(SwitchOp::Setns, Some(&[UTS]), 3)),
        Raw::Off
    ));
}

#[test]
fn kinds_merge_to_unknown_when_either_is_unknown() {
    let raw = toggle(
        Raw::On(region(1, Some(&[NET]))),
        entered(SwitchOp::Unshare, None, 2),
    );
    assert_eq!(on(&raw), Some((1, None)));
    let raw = toggle(
        Raw::On(region(1, None)),
        entered(SwitchOp::Unshare, Some(&[NET]), 2),
    );
    assert_eq!(on(&raw), Some((1, None)));
}

#[test]
fn an_unshare_while_switched_never_restores() {
    let mut first = region(1, Some(&[NET]));
    first.by_unshare = true;
    let raw = toggle(Raw::On(first), entered(SwitchOp::Unshare, Some(&[NET]), 2));
    let Raw::On(region) = raw else {
        panic!("still switched");
    };
    assert_eq!(region.start.span, span(1));
    assert!(region.by_unshare, "the region keeps how it began");
}

#[test]
fn a_setns_elsewhere_after_an_unshare_enters_but_after_a_setns_restores() {
    let mut by_unshare = region(1, Some(&[NET]));
    by_unshare.by_unshare = true;
    let mut into_named = entered(SwitchOp::Setns, Some(&[NET]), 2);
    into_named.elsewhere = true;
    assert!(matches!(
        toggle(Raw::On(by_unshare), into_named),
        Raw::On(_)
    ));
    let mut into_named = entered(SwitchOp::Setns, Some(&[NET]), 2);
    into_named.elsewhere = true;
    assert!(matches!(
        toggle(Raw::On(region(1, Some(&[NET]))), into_named),
        Raw::Off
    ));
}

#[test]
fn switches_of_attributes_only_change_nothing() {
    let fs = || entered(SwitchOp::Unshare, Some(&[FlagKind::Fs]), 2);
    assert!(matches!(toggle(Raw::Off, fs()), Raw::Off));
    assert_eq!(
        on(&toggle(Raw::On(region(1, Some(&[NET]))), fs())),
        Some((1, Some(vec![NET])))
    );
    let both = entered(
        SwitchOp::Setns,
        Some(&[FlagKind::Attributes, FlagKind::Fs]),
        2,
    );
    assert!(matches!(toggle(Raw::Off, both), Raw::Off));
    // A namespace among the flags switches.
    let with_mnt = entered(SwitchOp::Unshare, Some(&[FlagKind::Fs, MNT]), 2);
    assert_eq!(
        on(&toggle(Raw::Off, with_mnt)),
        Some((2, Some(vec![MNT, FlagKind::Fs])))
    );
}

#[test]
fn an_empty_set_of_kinds_is_unknown() {
    let raw = toggle(Raw::Off, entered(SwitchOp::Setns, Some(&[]), 1));
    assert_eq!(on(&raw), Some((1, None)));
    // And so overlaps any region.
    assert!(matches!(
        toggle(
            Raw::On(region(1, Some(&[UTS]))),
            entered(SwitchOp::Setns, Some(&[]), 2)
        ),
        Raw::Off
    ));
}

#[test]
fn from_maybe_an_unshare_is_on_and_a_setns_stays_maybe_without_witness() {
    let from = || Raw::Maybe {
        region: Some(region(1, Some(&[NET]))),
        witness: Some(span(9)),
    };
    assert_eq!(
        on(&toggle(from(), entered(SwitchOp::Unshare, Some(&[UTS]), 2))),
        Some((2, Some(vec![UTS])))
    );
    assert_eq!(
        maybe(&toggle(from(), entered(SwitchOp::Setns, Some(&[NET]), 2))),
        Some((Some(1), None))
    );
    let without_region = Raw::Maybe {
        region: None,
        witness: Some(span(9)),
    };
    assert_eq!(
        maybe(&toggle(
            without_region,
            entered(SwitchOp::Setns, Some(&[NET]), 2)
        )),
        Some((Some(2), None))
    );
}

// `merge`: where paths meet.

fn off() -> State {
    state(Raw::Off)
}

fn switched(at: usize) -> State {
    state(Raw::On(region(at, Some(&[NET]))))
}

fn dead(mut s: State) -> State {
    s.dead = true;
    s
}

#[test]
fn paths_that_all_end_dead_leave_nothing_after_them() {
    let mut before = switched(1);
    before.threads_started = true;
    let merged = merge(&before, vec![(dead(off()), None)], &span(5));
    assert!(merged.dead);
    assert!(on(&merged.raw).is_some(), "the state is the one before");
    assert!(merge(&off(), Vec::new(), &span(5)).dead);
}

#[test]
fn dead_paths_take_no_part_in_the_join() {
    let merged = merge(
        &off(),
        vec![(dead(switched(1)), None), (off(), None)],
        &span(5),
    );
    assert!(!merged.dead);
    assert!(matches!(merged.raw, Raw::Off));
}

#[test]
fn agreeing_paths_keep_their_state() {
    let merged = merge(&switched(1), vec![(off(), None), (off(), None)], &span(5));
    assert!(matches!(merged.raw, Raw::Off));
    let merged = merge(
        &off(),
        vec![(switched(2), None), (switched(3), None)],
        &span(5),
    );
    assert_eq!(
        on(&merged.raw).map(|(at, _)| at),
        Some(2),
        "the first path's"
    );
}

#[test]
fn a_restore_on_one_arm_only_is_witnessed_by_the_branch() {
    let merged = merge(
        &switched(1),
        vec![(off(), None), (switched(1), None)],
        &span(5),
    );
    assert_eq!(maybe(&merged.raw), Some((Some(1), Some(5))));
}

#[test]
fn a_switch_on_one_arm_only_has_no_witness() {
    let merged = merge(&off(), vec![(switched(2), None), (off(), None)], &span(5));
    assert_eq!(maybe(&merged.raw), Some((Some(2), None)));
}

#[test]
fn a_break_while_switched_past_a_restore_is_the_witness() {
    let merged = merge(
        &off(),
        vec![(off(), None), (off(), None), (switched(2), Some(span(7)))],
        &span(5),
    );
    assert_eq!(maybe(&merged.raw), Some((Some(2), Some(7))));
    // A jump while off witnesses nothing; nor does a switched jump when no path is off.
    let merged = merge(
        &off(),
        vec![(switched(2), None), (off(), Some(span(7)))],
        &span(5),
    );
    assert_eq!(maybe(&merged.raw), Some((Some(2), None)));
    // Whichever path comes first.
    let merged = merge(
        &off(),
        vec![(off(), Some(span(7))), (switched(2), None)],
        &span(5),
    );
    assert_eq!(maybe(&merged.raw), Some((Some(2), None)));
}

#[test]
fn a_maybe_path_passes_its_witness_on() {
    let was_maybe = state(Raw::Maybe {
        region: Some(region(2, None)),
        witness: Some(span(8)),
    });
    let merged = merge(&off(), vec![(was_maybe, None), (off(), None)], &span(5));
    assert_eq!(maybe(&merged.raw), Some((Some(2), Some(8))));
    let no_region = state(Raw::Maybe {
        region: None,
        witness: None,
    });
    let merged = merge(&off(), vec![(off(), None), (no_region, None)], &span(5));
    assert_eq!(maybe(&merged.raw), Some((None, None)));
}

#[test]
fn the_join_keeps_guards_of_any_path_and_constraints_of_every_path() {
    let guard = |name: &str, at: usize| Guard {
        name: name.to_owned(),
        start: start(at),
        unchecked: false,
    };
    let mut a = off();
    a.guards = vec![guard("g", 1), guard("h", 2)];
    a.constraints = vec![(0, true), (1, false)];
    a.awaited = Some(span(6));
    let mut b = off();
    b.guards = vec![guard("h", 3), guard("k", 4)];
    b.constraints = vec![(1, false)];
    b.threads_started = true;
    let merged = merge(&off(), vec![(a, None), (b, None)], &span(5));
    let names: Vec<_> = merged.guards.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["g", "h", "k"]);
    assert_eq!(
        merged.guards[1].start.span,
        span(2),
        "the first path's guard"
    );
    assert_eq!(merged.constraints, [(1, false)]);
    assert!(merged.threads_started);
    assert_eq!(merged.awaited, Some(span(6)));
}

// `interpret`: bodies of events, judged in the contexts the program gives them.

fn function(name: &str, events: Vec<Event>) -> Body {
    Body {
        owner: BodyOwner::Fn {
            canonical: format!("t::{name}"),
            return_types: Vec::new(),
            entry: None,
            drop_of: None,
            is_async: false,
            external: true,
            diverges: false,
            trait_method: false,
            test_support: false,
        },
        context: ThreadContext::Caller,
        parent: None,
        events,
        span: span(0),
    }
}

fn closure(parent: u32, context: ThreadContext, events: Vec<Event>) -> Body {
    Body {
        owner: BodyOwner::Closure { spawned: true },
        context,
        parent: Some(parent),
        events,
        span: span(50),
    }
}

fn switch(op: SwitchOp, list: &[FlagKind], at: usize) -> Event {
    Event::Switch {
        op,
        kinds: kinds(list),
        flags_param: None,
        span: span(at),
        checked: true,
        target: SwitchTarget::Unknown,
        target_path: None,
    }
}

fn setns(at: usize) -> Event {
    switch(SwitchOp::Setns, &[NET], at)
}

fn exit(kind: ExitKind, at: usize, diverges: bool) -> Event {
    Event::Exit {
        kind,
        span: span(at),
        diverges,
    }
}

fn call(name: &str, at: usize) -> Event {
    Event::Call {
        callee: Callee::Path(format!("t::{name}")),
        span: span(at),
        bound_to: None,
        exit: None,
        arg_kinds: Vec::new(),
        arg_consts: Vec::new(),
        handed_to: None,
        discarded: false,
    }
}

/// [`call`] with some of its fields changed.
fn call_with(name: &str, at: usize, edit: impl FnOnce(&mut Event)) -> Event {
    let mut call = call(name, at);
    edit(&mut call);
    call
}

fn sensitive(at: usize) -> Event {
    Event::Sensitive {
        what: "binds a socket".into(),
        span: span(at),
    }
}

fn branch(arms: Vec<Vec<Event>>, at: usize) -> Event {
    Event::Branch {
        arms,
        span: span(at),
        test: None,
    }
}

/// Interprets every body with the given summaries (default: none) and the contexts the
/// program gives them.
fn interpret_all(bodies: Vec<Body>, summaries: Option<Vec<Summary>>) -> Vec<Outcome> {
    let count = bodies.len();
    let facts = CrateFacts {
        bodies,
        ..CrateFacts::default()
    };
    let program = Program::new(&[&facts]);
    let summaries = summaries.unwrap_or_else(|| vec![Summary::default(); count]);
    let map = contexts::compute(&program, &summaries);
    (0..count)
        .map(|index| interpret(index, &program, &summaries, Some(&map)))
        .collect()
}

fn one(events: Vec<Event>) -> Outcome {
    interpret_all(vec![function("f", events)], None).remove(0)
}

/// A leak finding: region start, the ways out (kind and where), the context.
type Leak = (usize, Vec<(LeakWay, usize)>, ThreadContext);

/// The leak findings.
fn leaks(outcome: &Outcome) -> Vec<Leak> {
    outcome
        .findings
        .iter()
        .filter_map(|f| match &f.kind {
            FindingKind::Leak { ways, context, .. } => Some((
                f.region.span.range.start,
                ways.iter().map(|(w, s)| (*w, s.range.start)).collect(),
                *context,
            )),
            _ => None,
        })
        .collect()
}

fn operations(outcome: &Outcome) -> Vec<(usize, usize, Option<OperationRisk>)> {
    outcome
        .findings
        .iter()
        .filter_map(|f| match &f.kind {
            FindingKind::Operation { span, risk, .. } => {
                Some((f.region.span.range.start, span.range.start, risk.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn an_exit_between_switch_and_restore_leaks_on_a_callers_thread() {
    let outcome = one(vec![setns(1), exit(ExitKind::Try, 2, false), setns(3)]);
    assert_eq!(
        leaks(&outcome),
        [(
            1,
            vec![(LeakWay::Exit(ExitKind::Try), 2)],
            ThreadContext::Unknown
        )]
    );
    assert!(outcome.switches);
    assert!(outcome.ends_switched.is_none());
    assert!(!outcome.never_returns);
    // The finding says why the code runs on a shared thread.
    assert!(outcome.findings.iter().all(|f| match &f.kind {
        FindingKind::Leak { witness, .. } => witness.is_some(),
        _ => true,
    }));
}

#[test]
fn exits_before_the_switch_or_after_the_restore_do_not_leak() {
    let outcome = one(vec![
        exit(ExitKind::Try, 1, false),
        setns(2),
        setns(3),
        exit(ExitKind::Panic, 4, false),
    ]);
    assert!(leaks(&outcome).is_empty());
}

#[test]
fn a_wrapper_that_returns_switched_leaks_only_through_failure_exits() {
    let outcome = one(vec![
        setns(1),
        exit(ExitKind::Try, 2, false),
        branch(
            vec![
                vec![exit(ExitKind::Return { is_err: false }, 3, true)],
                vec![],
            ],
            9,
        ),
        branch(
            vec![
                vec![exit(ExitKind::Return { is_err: true }, 4, true)],
                vec![],
            ],
            10,
        ),
        exit(ExitKind::Panic, 5, false),
    ]);
    let chain = outcome.ends_switched.as_ref().expect("an enter wrapper");
    let first = chain.first().expect("a step");
    assert_eq!(first.span, span(1));
    assert_eq!(first.what, "switches the thread");
    assert_eq!(
        leaks(&outcome),
        [(
            1,
            vec![
                (LeakWay::Exit(ExitKind::Try), 2),
                (LeakWay::Exit(ExitKind::Return { is_err: true }), 4),
                (LeakWay::Exit(ExitKind::Panic), 5)
            ],
            ThreadContext::Unknown
        )]
    );
}

#[test]
fn an_unchecked_switch_and_its_parameter_reach_the_outcome() {
    let outcome = one(vec![Event::Switch {
        op: SwitchOp::Setns,
        kinds: None,
        flags_param: Some(1),
        span: span(1),
        checked: false,
        target: SwitchTarget::Unknown,
        target_path: None,
    }]);
    assert!(outcome.ends_switched.is_some());
    assert!(outcome.ends_unchecked);
    assert_eq!(outcome.flags_param, Some(1));
    let checked = one(vec![setns(1)]);
    assert!(!checked.ends_unchecked);
    assert_eq!(checked.flags_param, None);
}

#[test]
fn a_probe_of_the_threads_own_namespace_switches_nothing() {
    let probe = |at| Event::Switch {
        op: SwitchOp::Setns,
        kinds: kinds(&[NET]),
        flags_param: None,
        span: span(at),
        checked: true,
        target: SwitchTarget::OwnThread,
        target_path: None,
    };
    let outcome = one(vec![probe(1), exit(ExitKind::Try, 2, false)]);
    assert!(outcome.switches, "it is still a switch call");
    assert!(outcome.ends_switched.is_none());
    assert!(leaks(&outcome).is_empty());
    // Into its own namespace while switched, it is a restore.
    let outcome = one(vec![setns(1), probe(2), exit(ExitKind::Try, 3, false)]);
    assert!(outcome.ends_switched.is_none());
    assert!(leaks(&outcome).is_empty());
}

#[test]
fn a_spawned_pool_closure_must_end_unswitched() {
    let bodies = vec![
        function("f", Vec::new()),
        closure(0, ThreadContext::PoolThread, vec![setns(51)]),
    ];
    let outcomes = interpret_all(bodies, None);
    assert_eq!(
        leaks(&outcomes[1]),
        [(
            51,
            vec![(LeakWay::EndOfBody, 50)],
            ThreadContext::PoolThread
        )]
    );
}

#[test]
fn a_dedicated_thread_may_stay_switched() {
    let bodies = vec![
        function("f", Vec::new()),
        closure(
            0,
            ThreadContext::DedicatedThread,
            vec![setns(51), exit(ExitKind::Try, 52, false)],
        ),
    ];
    let outcomes = interpret_all(bodies, None);
    assert!(leaks(&outcomes[1]).is_empty());
    assert!(outcomes[1].ends_switched.is_some());
}

#[test]
fn a_break_past_the_restore_leaves_the_loop_maybe_switched() {
    let body = vec![Event::Loop {
        body: vec![
            setns(1),
            branch(vec![vec![exit(ExitKind::Break, 2, true)], vec![]], 9),
            setns(3),
        ],
        until_break: false,
    }];
    let outcome = one(body);
    assert_eq!(
        leaks(&outcome),
        [(
            1,
            vec![(LeakWay::UnrestoredPath, 2)],
            ThreadContext::Unknown
        )]
    );
    assert!(outcome.ends_switched.is_none());
    assert_eq!(
        outcome
            .may_end_switched
            .as_ref()
            .and_then(|c| c.first())
            .map(|s| s.span.clone()),
        Some(span(1))
    );
}

#[test]
fn a_loop_left_only_by_break_continues_in_the_breaks_state() {
    // `loop { setns; break; }`: switched after the loop.
    let outcome = one(vec![Event::Loop {
        body: vec![setns(1), exit(ExitKind::Break, 2, true)],
        until_break: true,
    }]);
    assert!(outcome.ends_switched.is_some());
    // Without a break nothing after it runs.
    let outcome = one(vec![
        Event::Loop {
            body: vec![setns(1)],
            until_break: true,
        },
        setns(2),
    ]);
    assert!(outcome.never_returns);
    assert!(outcome.ends_switched.is_none());
    // `while`: the body may not run at all.
    let outcome = one(vec![Event::Loop {
        body: vec![setns(1)],
        until_break: false,
    }]);
    assert!(outcome.ends_switched.is_none());
    assert!(outcome.may_end_switched.is_some());
}

#[test]
fn a_break_in_an_inner_loop_belongs_to_it() {
    // The inner loop's break leaves it switched; the outer loop restores after it.
    let outcome = one(vec![Event::Loop {
        body: vec![
            Event::Loop {
                body: vec![setns(1), exit(ExitKind::Break, 2, true)],
                until_break: true,
            },
            setns(3),
        ],
        until_break: false,
    }]);
    assert!(leaks(&outcome).is_empty());
    assert!(outcome.ends_switched.is_none());
    assert!(outcome.may_end_switched.is_none());
}

#[test]
fn exec_and_diverging_exits_end_the_path() {
    let outcome = one(vec![setns(1), exit(ExitKind::Exec, 2, true), setns(3)]);
    assert!(outcome.never_returns);
    assert!(outcome.ends_switched.is_none());
    assert!(leaks(&outcome).is_empty());
    let outcome = one(vec![
        setns(1),
        exit(ExitKind::Return { is_err: true }, 2, true),
        exit(ExitKind::Try, 3, false),
    ]);
    assert!(!outcome.never_returns, "it returns to its caller");
    assert_eq!(
        leaks(&outcome),
        [(
            1,
            vec![(LeakWay::Exit(ExitKind::Return { is_err: true }), 2)],
            ThreadContext::Unknown
        )]
    );
    // A `?` does not end the path.
    let outcome = one(vec![setns(1), exit(ExitKind::Try, 2, false)]);
    assert!(outcome.ends_switched.is_some());
}

#[test]
fn a_restore_on_one_arm_leaks_through_the_other_with_the_branch_as_witness() {
    let outcome = one(vec![
        setns(1),
        branch(vec![vec![setns(2)], vec![]], 9),
        sensitive(4),
    ]);
    assert_eq!(
        leaks(&outcome),
        [(
            1,
            vec![(LeakWay::UnrestoredPath, 9)],
            ThreadContext::Unknown
        )]
    );
    assert_eq!(
        operations(&outcome),
        [(1, 4, Some(OperationRisk::MaybeSwitched(span(9))))]
    );
}

#[test]
fn a_switch_undone_under_the_same_condition_is_quiet() {
    let outcome = one(vec![
        branch(vec![vec![setns(1)], vec![]], 8),
        sensitive(4),
        branch(vec![vec![setns(2)], vec![]], 9),
    ]);
    assert!(leaks(&outcome).is_empty());
    assert!(operations(&outcome).is_empty());
}

#[test]
fn operations_in_a_sound_region_are_its_purpose_and_risky_ones_say_why() {
    let outcome = one(vec![setns(1), sensitive(2), setns(3), sensitive(4)]);
    assert_eq!(operations(&outcome), [(1, 2, None)]);
    assert_eq!(
        outcome
            .operations
            .iter()
            .map(|(s, _)| s.range.start)
            .collect::<Vec<_>>(),
        [2, 4],
        "every operation is a fact of the body"
    );
    assert_eq!(
        outcome
            .sensitive
            .as_ref()
            .and_then(|c| c.first())
            .map(|s| s.span.clone()),
        Some(span(2))
    );
    let unchecked = one(vec![
        Event::Switch {
            op: SwitchOp::Setns,
            kinds: kinds(&[NET]),
            flags_param: None,
            span: span(1),
            checked: false,
            target: SwitchTarget::Unknown,
            target_path: None,
        },
        sensitive(2),
    ]);
    assert_eq!(
        operations(&unchecked),
        [(1, 2, Some(OperationRisk::Unchecked))]
    );
}

#[test]
fn an_await_in_a_region_on_a_task_is_reported_and_taints_what_follows() {
    let bodies = vec![
        function("f", Vec::new()),
        Body {
            owner: BodyOwner::AsyncBlock { spawned: true },
            context: ThreadContext::AsyncTask,
            parent: Some(0),
            events: vec![
                Event::Await { span: span(50) },
                setns(51),
                Event::Await { span: span(52) },
                Event::Await { span: span(53) },
                sensitive(54),
                setns(55),
                setns(56),
                sensitive(57),
                setns(58),
            ],
            span: span(49),
        },
    ];
    let outcomes = interpret_all(bodies, None);
    let awaits: Vec<_> = outcomes[1]
        .findings
        .iter()
        .filter_map(|f| match &f.kind {
            FindingKind::Await { span, .. } => Some((f.region.span.range.start, span.range.start)),
            _ => None,
        })
        .collect();
    assert_eq!(awaits, [(51, 52), (51, 53)]);
    assert!(outcomes[1].findings.iter().all(|f| match &f.kind {
        FindingKind::Await { witness, .. } => witness.is_some(),
        _ => true,
    }));
    // The first `.await` of the region is the one named; a new region starts clean.
    assert_eq!(
        operations(&outcomes[1]),
        [
            (51, 54, Some(OperationRisk::AfterAwait(span(52)))),
            (56, 57, None)
        ]
    );
}

#[test]
fn an_await_on_an_owned_thread_is_no_finding() {
    let bodies = vec![
        function("f", Vec::new()),
        closure(
            0,
            ThreadContext::DedicatedThread,
            vec![setns(51), Event::Await { span: span(52) }, sensitive(53)],
        ),
    ];
    let outcomes = interpret_all(bodies, None);
    assert!(
        outcomes[1]
            .findings
            .iter()
            .all(|f| !matches!(f.kind, FindingKind::Await { .. }))
    );
    assert_eq!(operations(&outcomes[1]), [(51, 53, None)]);
}

#[test]
fn a_guard_is_a_region_from_its_let_to_its_drop_or_scope_end() {
    let guard_summary = Summary {
        returns_guard: Some(Chain::one(Step {
            body: usize::MAX,
            function: "enter".into(),
            what: "switches the thread".into(),
            span: span(90),
        })),
        ..Summary::default()
    };
    let bound = |at, name: &str| {
        call_with("enter", at, |call| {
            if let Event::Call { bound_to, .. } = call {
                *bound_to = Some(name.to_owned());
            }
        })
    };
    let bodies = vec![
        function(
            "f",
            vec![
                sensitive(1),
                bound(2, "g"),
                sensitive(3),
                call("work", 11),
                Event::Drop { name: "g".into() },
                sensitive(4),
                bound(5, "h"),
                Event::EndScope {
                    names: vec!["h".into()],
                },
                sensitive(6),
                call("enter", 7),
                sensitive(8),
            ],
        ),
        function("enter", Vec::new()),
        function("work", vec![call("elsewhere", 12)]),
    ];
    let summaries = vec![Summary::default(), guard_summary, Summary::default()];
    let outcomes = interpret_all(bodies, Some(summaries));
    let f = &outcomes[0];
    assert_eq!(
        operations(f),
        [(2, 3, None)],
        "only inside the guard's life"
    );
    assert!(f.switches);
    let made = f.makes_guard.as_ref().expect("makes a guard");
    let spans: Vec<_> = made.iter().map(|s| s.span.clone()).collect();
    assert_eq!(spans, [span(2), span(90)]);
    assert!(f.ends_switched.is_none(), "a guard is no switched return");
    assert_eq!(f.region_calls, [2], "only `work` is called inside a region");
    assert!(f.region_unresolved.is_empty());
}

#[test]
fn a_call_to_an_enter_wrapper_toggles_and_a_discarded_one_is_unchecked() {
    let enter = Summary {
        returns_switched: Some(Chain::one(Step {
            body: usize::MAX,
            function: "enter".into(),
            what: "switches the thread".into(),
            span: span(90),
        })),
        ..Summary::default()
    };
    let discarded = |at| {
        call_with("enter", at, |call| {
            if let Event::Call { discarded, .. } = call {
                *discarded = true;
            }
        })
    };
    let mut enter_body = function("enter", Vec::new());
    if let BodyOwner::Fn { return_types, .. } = &mut enter_body.owner {
        return_types.push("std::io::Error".into());
    }
    let bodies = vec![
        function(
            "f",
            vec![
                call("enter", 1),
                sensitive(2),
                call("enter", 3),
                discarded(4),
            ],
        ),
        enter_body,
    ];
    let outcomes = interpret_all(bodies, Some(vec![Summary::default(), enter.clone()]));
    let f = &outcomes[0];
    // The second call restores (unknown kinds overlap), the discarded one enters unchecked.
    assert_eq!(operations(f), [(1, 2, None)]);
    let unchecked: Vec<_> = f
        .findings
        .iter()
        .filter_map(|x| match &x.kind {
            FindingKind::UncheckedCall { span, chain } => Some((span.clone(), chain.len())),
            _ => None,
        })
        .collect();
    assert_eq!(unchecked, [(span(4), 1)]);
    let ends = f.ends_switched.as_ref().expect("returns switched");
    let steps: Vec<_> = ends.iter().collect();
    assert_eq!(steps[0].what, "calls a function that switches the thread");
    assert_eq!(steps[0].span, span(4));
    assert_eq!(steps[1].span, span(90));
    assert!(f.ends_unchecked);
}

#[test]
fn the_failure_exit_of_a_call_is_taken_before_its_switch() {
    let enter = Summary {
        returns_switched: Some(Chain::default()),
        ..Summary::default()
    };
    let tried = |name: &str, at| {
        call_with(name, at, |call| {
            if let Event::Call { exit, .. } = call {
                *exit = Some((ExitKind::Try, self::span(at + 100)));
            }
        })
    };
    let bodies = vec![
        // enter()? then work()? while switched, then enter()? back.
        function(
            "f",
            vec![
                tried("enter", 1),
                tried("work", 2),
                tried("enter", 3),
                tried("nowhere", 4),
            ],
        ),
        function("enter", Vec::new()),
        function("work", Vec::new()),
    ];
    let summaries = vec![Summary::default(), enter, Summary::default()];
    let outcomes = interpret_all(bodies, Some(summaries));
    assert_eq!(
        leaks(&outcomes[0]),
        [(
            1,
            vec![(LeakWay::Exit(ExitKind::Try), 102)],
            ThreadContext::Unknown
        )]
    );
}

#[test]
fn a_call_that_never_returns_ends_the_path_and_one_that_starts_threads_is_noted() {
    let bodies = vec![
        function(
            "f",
            vec![call("spawn", 1), setns(2), call("exit", 3), setns(4)],
        ),
        function("spawn", Vec::new()),
        function("exit", Vec::new()),
    ];
    let summaries = vec![
        Summary::default(),
        Summary {
            starts_threads: true,
            ..Summary::default()
        },
        Summary {
            never_returns: true,
            ..Summary::default()
        },
    ];
    let outcomes = interpret_all(bodies, Some(summaries));
    assert!(outcomes[0].starts_threads);
    assert!(outcomes[0].never_returns);
    assert!(outcomes[0].ends_switched.is_none());
    let own = one(vec![Event::ThreadsStarted]);
    assert!(own.starts_threads);
}

#[test]
fn a_drop_of_a_guard_type_starts_switched_and_its_setns_restores() {
    let mut drop_body = function("Guard::drop", vec![setns(1)]);
    if let BodyOwner::Fn { drop_of, .. } = &mut drop_body.owner {
        *drop_of = Some("t::Guard".into());
    }
    let outcome = interpret_all(vec![drop_body.clone()], None).remove(0);
    assert!(outcome.ends_switched.is_none(), "the setns restores");
    // A drop that switches nothing starts off.
    if let BodyOwner::Fn { drop_of, .. } = &mut drop_body.owner {
        *drop_of = Some("t::Other".into());
    }
    drop_body.events = vec![sensitive(2)];
    let outcome = interpret_all(vec![drop_body], None).remove(0);
    assert!(operations(&outcome).is_empty());
}

#[test]
fn a_closure_run_between_an_entry_and_a_restore_starts_switched() {
    let bodies = vec![
        function("f", Vec::new()),
        Body {
            owner: BodyOwner::Closure { spawned: true },
            context: ThreadContext::Scope(ScopeKind::CallingThread),
            parent: Some(0),
            events: vec![
                sensitive(51),
                exit(ExitKind::Try, 52, false),
                exit(ExitKind::Panic, 53, false),
            ],
            span: span(50),
        },
    ];
    let outcomes = interpret_all(bodies, None);
    assert_eq!(operations(&outcomes[1]), [(50, 51, None)]);
    // The API restores on return, whichever way; a panic skips it.
    assert_eq!(
        leaks(&outcomes[1]),
        [(
            50,
            vec![(LeakWay::Exit(ExitKind::Panic), 53)],
            ThreadContext::Unknown
        )]
    );
}

#[test]
fn escapes_are_findings_in_a_region_or_a_sync_scope_only() {
    let escape = |at| Event::Escape {
        what: "spawns a task".into(),
        span: span(at),
    };
    let outcome = one(vec![escape(1), setns(2), escape(3), setns(4)]);
    let found: Vec<_> = outcome
        .findings
        .iter()
        .filter_map(|f| match &f.kind {
            FindingKind::Escape { span, in_scope, .. } => {
                Some((f.region.span.range.start, span.range.start, *in_scope))
            }
            _ => None,
        })
        .collect();
    assert_eq!(found, [(2, 3, false)]);
    assert_eq!(
        outcome
            .escapes
            .as_ref()
            .and_then(|c| c.first())
            .map(|s| s.span.clone()),
        Some(span(1))
    );
    let bodies = vec![
        function("f", Vec::new()),
        closure(0, ThreadContext::Scope(ScopeKind::Sync), vec![escape(51)]),
    ];
    let outcomes = interpret_all(bodies, None);
    assert!(outcomes[1].findings.iter().any(|f| matches!(
        f.kind,
        FindingKind::Escape { in_scope: true, .. }
    ) && f.region.span == span(50)));
}

#[test]
fn a_parameter_test_sends_each_arm_only_the_contexts_that_agree() {
    // `fn g(inside: bool) { if inside { setns; work()?; setns } }`, called only with `false`:
    // the arm that leaks is never reached.
    let body = function(
        "g",
        vec![Event::Branch {
            arms: vec![
                vec![setns(1), exit(ExitKind::Try, 2, false), setns(3)],
                vec![],
            ],
            span: span(9),
            test: Some(ParamTest {
                param: 0,
                first_arm_when: true,
            }),
        }],
    );
    let mut caller = call("g", 40);
    if let Event::Call { arg_consts, .. } = &mut caller {
        *arg_consts = vec![Some(false)];
    }
    let mut g = body;
    if let BodyOwner::Fn { external, .. } = &mut g.owner {
        *external = false;
    }
    let bodies = vec![function("f", vec![caller]), g];
    let outcomes = interpret_all(bodies, None);
    assert!(leaks(&outcomes[1]).is_empty());
    // Called with `true`, the arm runs and leaks.
    let mut caller = call("g", 40);
    if let Event::Call { arg_consts, .. } = &mut caller {
        *arg_consts = vec![Some(true)];
    }
    let mut g = function(
        "g",
        vec![Event::Branch {
            arms: vec![
                vec![setns(1), exit(ExitKind::Try, 2, false), setns(3)],
                vec![],
            ],
            span: span(9),
            test: Some(ParamTest {
                param: 0,
                first_arm_when: true,
            }),
        }],
    );
    if let BodyOwner::Fn { external, .. } = &mut g.owner {
        *external = false;
    }
    let outcomes = interpret_all(vec![function("f", vec![caller]), g], None);
    assert_eq!(leaks(&outcomes[1]).len(), 1);
}

#[test]
fn without_contexts_only_facts_are_recorded() {
    let facts = CrateFacts {
        bodies: vec![function(
            "f",
            vec![setns(1), sensitive(2), exit(ExitKind::Try, 3, false)],
        )],
        ..CrateFacts::default()
    };
    let program = Program::new(&[&facts]);
    let outcome = interpret(0, &program, &[Summary::default()], None);
    assert!(outcome.findings.is_empty());
    assert!(outcome.sensitive.is_some());
    assert!(outcome.ends_switched.is_some());
}

// The contexts the interpreter judges with, and the witnesses its findings carry.

fn roots(bodies: Vec<Body>) -> Vec<Vec<(ThreadContext, contexts::Root)>> {
    let count = bodies.len();
    let facts = CrateFacts {
        bodies,
        ..CrateFacts::default()
    };
    let program = Program::new(&[&facts]);
    let summaries = vec![Summary::default(); count];
    let map = contexts::compute(&program, &summaries);
    (0..count)
        .map(|body| {
            (0..map.incoming(body).len())
                .map(|at| {
                    let witness = map.witness(&program, body, at);
                    (witness.context, witness.root)
                })
                .collect()
        })
        .collect()
}

fn with_owner(mut body: Body, edit: impl FnOnce(&mut BodyOwner)) -> Body {
    edit(&mut body.owner);
    body
}

#[test]
fn a_body_without_callers_says_why_it_may_run_anywhere() {
    let external = function("api", Vec::new());
    let private = with_owner(function("helper", Vec::new()), |o| {
        if let BodyOwner::Fn { external, .. } = o {
            *external = false;
        }
    });
    let test_support = with_owner(function("fixture", Vec::new()), |o| {
        if let BodyOwner::Fn {
            external,
            test_support,
            ..
        } = o
        {
            *external = false;
            *test_support = true;
        }
    });
    let found = roots(vec![external, private, test_support]);
    assert_eq!(
        found[0],
        [(ThreadContext::Unknown, contexts::Root::External)]
    );
    assert_eq!(
        found[1],
        [(ThreadContext::Unknown, contexts::Root::NoCallers)]
    );
    // Test support that nothing here calls runs on the threads of tests elsewhere.
    assert_eq!(
        found[2],
        [(
            ThreadContext::TestThread,
            contexts::Root::Entry("a test elsewhere")
        )]
    );
}

#[test]
fn entry_points_name_themselves() {
    let entry = |name: &str, context: ThreadContext, kind: Entry| {
        let mut body = with_owner(function(name, Vec::new()), |o| {
            if let BodyOwner::Fn {
                entry, external, ..
            } = o
            {
                *entry = Some(kind);
                *external = false;
            }
        });
        body.context = context;
        body
    };
    let found = roots(vec![
        entry("main", ThreadContext::SingleThreaded, Entry::Main),
        entry(
            "ctor",
            ThreadContext::MainThread,
            Entry::Root(ThreadContext::MainThread),
        ),
        entry(
            "t",
            ThreadContext::TestThread,
            Entry::Root(ThreadContext::TestThread),
        ),
        entry(
            "w",
            ThreadContext::DedicatedThread,
            Entry::Root(ThreadContext::DedicatedThread),
        ),
    ]);
    let names: Vec<_> = found
        .iter()
        .map(|r| match &r[0].1 {
            contexts::Root::Entry(name) => *name,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        names,
        [
            "`main` or a constructor",
            "`main`",
            "a test",
            "an entry point"
        ]
    );
}

fn private(name: &str, events: Vec<Event>) -> Body {
    with_owner(function(name, events), |o| {
        if let BodyOwner::Fn { external, .. } = o {
            *external = false;
        }
    })
}

/// `main`, as the walk records it: an entry point in the single-threaded phase.
fn main_fn(events: Vec<Event>) -> Body {
    let mut body = with_owner(private("main", events), |o| {
        if let BodyOwner::Fn { entry, .. } = o {
            *entry = Some(Entry::Main);
        }
    });
    body.context = ThreadContext::SingleThreaded;
    body
}

fn from_main() -> Vec<(ThreadContext, contexts::Root)> {
    vec![(
        ThreadContext::SingleThreaded,
        contexts::Root::Entry("`main` or a constructor"),
    )]
}

fn unreached() -> Vec<(ThreadContext, contexts::Root)> {
    vec![(ThreadContext::Unknown, contexts::Root::NoCallers)]
}

#[test]
fn calls_in_branches_and_loops_bring_the_callers_context() {
    let found = roots(vec![
        main_fn(vec![
            branch(vec![vec![call("in_branch", 1)], vec![]], 2),
            Event::Loop {
                body: vec![call("in_loop", 3)],
                until_break: false,
            },
        ]),
        private("in_branch", Vec::new()),
        private("in_loop", Vec::new()),
    ]);
    assert_eq!(found[1], from_main());
    assert_eq!(found[2], from_main());
}

#[test]
fn calls_after_a_return_or_an_endless_loop_bring_no_context() {
    let found = roots(vec![
        main_fn(vec![
            exit(ExitKind::Return { is_err: false }, 1, true),
            call("after_return", 2),
        ]),
        private("after_return", Vec::new()),
    ]);
    assert_eq!(found[1], unreached());
    let endless = |leaves: bool| {
        let body = if leaves {
            vec![call("serve", 1), exit(ExitKind::Break, 2, false)]
        } else {
            vec![call("serve", 1)]
        };
        roots(vec![
            main_fn(vec![
                Event::Loop {
                    body,
                    until_break: true,
                },
                call("after_loop", 3),
            ]),
            private("serve", Vec::new()),
            private("after_loop", Vec::new()),
        ])
    };
    assert_eq!(endless(false)[2], unreached());
    // A `break` leaves the loop: what follows it runs.
    assert_eq!(endless(true)[2], from_main());
}

#[test]
fn a_cycle_nothing_enters_may_run_anywhere() {
    let found = roots(vec![
        private("ping", vec![call("pong", 1)]),
        private("pong", vec![call("ping", 2)]),
    ]);
    assert_eq!(found[0], unreached());
    assert!(
        found[1]
            .iter()
            .all(|(context, _)| *context == ThreadContext::Unknown),
        "{found:?}"
    );
}

/// Whether each context of each body runs inside a future `block_on` drives.
fn blocked_on(bodies: Vec<Body>) -> Vec<Vec<bool>> {
    let count = bodies.len();
    let facts = CrateFacts {
        bodies,
        ..CrateFacts::default()
    };
    let program = Program::new(&[&facts]);
    let map = contexts::compute(&program, &vec![Summary::default(); count]);
    (0..count)
        .map(|body| map.incoming(body).iter().map(|i| i.blocked_on).collect())
        .collect()
}

#[test]
fn only_a_future_an_api_drives_here_is_blocked_on() {
    let plain = Body {
        owner: BodyOwner::Closure { spawned: false },
        ..closure(0, ThreadContext::Caller, Vec::new())
    };
    let driven = Body {
        owner: BodyOwner::AsyncBlock { spawned: true },
        ..closure(0, ThreadContext::Caller, Vec::new())
    };
    let found = blocked_on(vec![main_fn(Vec::new()), plain, driven]);
    assert_eq!(found[1], [false]);
    assert_eq!(found[2], [true]);
}

/// A call whose value is handed to a thread API that chose `context`.
fn handed_call(name: &str, at: usize, context: ThreadContext) -> Event {
    call_with(name, at, |c| {
        if let Event::Call { handed_to, .. } = c {
            *handed_to = Some(context);
        }
    })
}

/// A private `async fn`.
fn async_fn(name: &str) -> Body {
    with_owner(private(name, Vec::new()), |o| {
        if let BodyOwner::Fn { is_async, .. } = o {
            *is_async = true;
        }
    })
}

/// `main` handing an `async fn`'s future (`serve`) and a plain call's value (`make_future`)
/// to an API that chose `context`.
fn handing_futures(context: ThreadContext) -> Vec<Body> {
    vec![
        main_fn(vec![
            handed_call("serve", 1, context),
            handed_call("make_future", 2, context),
        ]),
        async_fn("serve"),
        private("make_future", Vec::new()),
    ]
}

#[test]
fn a_call_handed_to_block_on_drives_only_an_async_fns_future_here() {
    // `block_on(make_future())`: `make_future` itself runs here, like any call.
    let found = blocked_on(handing_futures(ThreadContext::Caller));
    assert_eq!(found[1], [true]);
    assert_eq!(found[2], [false]);
}

#[test]
fn a_call_goes_to_its_own_packages_copy_of_a_shared_function() {
    // A file shared by two packages' targets is a body in each.
    let first = CrateFacts {
        bodies: vec![private("shared", Vec::new())],
        ..CrateFacts::default()
    };
    let second = CrateFacts {
        bodies: vec![
            private("shared", Vec::new()),
            private("caller", vec![call("shared", 1)]),
        ],
        ..CrateFacts::default()
    };
    let program = Program::new(&[&first, &second]);
    let Event::Call { callee, .. } = &second.bodies[1].events[0] else {
        panic!("a call");
    };
    assert_eq!(program.resolve(callee), Some(1));
}

#[test]
fn messages_name_a_method_with_its_type_and_a_function_alone() {
    assert_eq!(
        short_name(&function("Pod::enter", Vec::new())),
        "Pod::enter"
    );
    assert_eq!(short_name(&function("netns::enter", Vec::new())), "enter");
    assert_eq!(short_name(&function("enter", Vec::new())), "enter");
    let in_closure = closure(0, ThreadContext::Caller, Vec::new());
    assert_eq!(short_name(&in_closure), "closure");
}

#[test]
fn public_api_that_uncalled_code_calls_runs_where_that_code_runs() {
    let found = roots(vec![
        private("leftover", vec![call("api", 1)]),
        function("api", Vec::new()),
    ]);
    assert_eq!(found[0], unreached());
    // Its one context comes through the code nothing calls, not as a root of its own.
    assert_eq!(found[1], unreached());
}

#[test]
fn test_support_that_production_code_calls_runs_where_that_code_runs() {
    let support = with_owner(private("fixture", Vec::new()), |o| {
        if let BodyOwner::Fn { test_support, .. } = o {
            *test_support = true;
        }
    });
    let found = roots(vec![main_fn(vec![call("fixture", 1)]), support]);
    assert_eq!(found[1], from_main());
}

#[test]
fn a_call_handed_to_a_worker_runs_there_only_as_an_async_fns_future() {
    // `tokio::spawn(make_future())`: `make_future` runs here to make the future.
    let found = roots(handing_futures(ThreadContext::AsyncTask));
    let contexts =
        |at: usize| -> Vec<ThreadContext> { found[at].iter().map(|(c, _)| *c).collect() };
    assert_eq!(contexts(1), [ThreadContext::AsyncTask]);
    assert_eq!(found[2], from_main());
}

// The summaries' fixpoint (`summarize`) through recursion.

/// The bodies each function's witness of a sensitive operation passes through, in order.
fn sensitive_witnesses(bodies: Vec<Body>) -> Vec<Option<Vec<usize>>> {
    let facts = CrateFacts {
        bodies,
        ..CrateFacts::default()
    };
    let program = Program::new(&[&facts]);
    crate::effects::summarize(&program)
        .iter()
        .map(|s| {
            s.sensitive
                .as_ref()
                .map(|chain| chain.iter().map(|step| step.body).collect())
        })
        .collect()
}

#[test]
fn a_witness_never_comes_back_through_its_own_function() {
    // `f` calls `g` (which calls `f` back) before it does the operation itself: its witness
    // is the operation, not a loop through `g`.
    let witnesses = sensitive_witnesses(vec![
        function("f", vec![call("g", 1), sensitive(2)]),
        function("g", vec![call("f", 3)]),
    ]);
    assert_eq!(witnesses, [Some(vec![0]), Some(vec![1, 0])]);
}

#[test]
fn a_function_reaching_an_operation_only_through_a_cycle_keeps_its_witness() {
    // `f` reaches the operation only through `g`, whose first call goes back to `f`.
    let witnesses = sensitive_witnesses(vec![
        function("f", vec![call("g", 1)]),
        function("g", vec![call("f", 2), call("h", 3)]),
        function("h", vec![sensitive(4)]),
    ]);
    assert_eq!(
        witnesses,
        [Some(vec![0, 1, 2]), Some(vec![1, 2]), Some(vec![2])]
    );
}
