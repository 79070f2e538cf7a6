//! Renumbering file ids: each target is analysed with a source database of its own, and its
//! facts, suppressions and diagnostics are moved into the run's database afterwards.
//!
//! The walks destructure every type exhaustively, so a span added to the model later cannot be
//! forgotten here without a compile error.

use crate::diagnostic::{Diagnostic, Span};
use crate::model::ir::{Body, Event};
use crate::model::{CrateFacts, OuterHandleUse, PathUse, SwitchCall};
use crate::source::FileId;
use crate::suppress::Allow;

/// A renumbering of file ids.
type Map<'a> = &'a dyn Fn(FileId) -> FileId;

fn span(span: &mut Span, map: Map<'_>) {
    span.file = map(span.file);
    if let Some(origin) = &mut span.expansion {
        self::span(&mut origin.definition, map);
    }
}

/// Renumbers everything a unit's analysis produced: `map` gives each local file id its id in
/// the run's database (ids past its end stay as they are).
pub(super) fn unit(output: &mut super::units::UnitOutput, map: &[FileId]) {
    let to_global = |id: FileId| map.get(id.0).copied().unwrap_or(id);
    for file in &mut output.files {
        *file = to_global(*file);
    }
    facts(&mut output.facts, &to_global);
    for allow in &mut output.allows {
        self::allow(allow, &to_global);
    }
    for diagnostic in &mut output.diagnostics {
        self::diagnostic(diagnostic, &to_global);
    }
}

/// Renumbers the files of a target's facts.
fn facts(facts: &mut CrateFacts, map: Map<'_>) {
    let CrateFacts {
        switches,
        path_uses,
        pool_thread_paths,
        uses_scopes: _,
        bodies,
        exports: _,
        outer_handles,
        forwarders: _,
    } = facts;
    for SwitchCall { span: at, .. } in switches {
        span(at, map);
    }
    for PathUse { span: at, .. } in path_uses.iter_mut().chain(pool_thread_paths) {
        span(at, map);
    }
    for OuterHandleUse {
        span: at, binding, ..
    } in outer_handles
    {
        span(at, map);
        span(binding, map);
    }
    for Body {
        owner: _,
        context: _,
        parent: _,
        events,
        span: at,
    } in bodies
    {
        span(at, map);
        self::events(events, map);
    }
}

fn events(events: &mut [Event], map: Map<'_>) {
    for event in events {
        match event {
            Event::Switch {
                span: at,
                target_path,
                ..
            } => {
                span(at, map);
                if let Some((path, _)) = target_path {
                    span(path, map);
                }
            }
            Event::Await { span: at }
            | Event::ProcessWidePath { span: at, .. }
            | Event::Escape { span: at, .. }
            | Event::Sensitive { span: at, .. }
            | Event::Handoff { span: at, .. }
            | Event::Reference { span: at, .. } => span(at, map),
            Event::Call { span: at, exit, .. } => {
                span(at, map);
                if let Some((_, exit)) = exit {
                    span(exit, map);
                }
            }
            Event::Exit { span: at, .. } => span(at, map),
            Event::Drop { .. } | Event::EndScope { .. } | Event::ThreadsStarted => {}
            Event::Branch { arms, span: at, .. } => {
                span(at, map);
                for arm in arms {
                    self::events(arm, map);
                }
            }
            Event::Loop { body, .. } => self::events(body, map),
        }
    }
}

/// Renumbers the files of a suppression.
fn allow(allow: &mut Allow, map: Map<'_>) {
    allow.file = map(allow.file);
    span(&mut allow.origin, map);
}

/// Renumbers the files of a diagnostic.
fn diagnostic(diagnostic: &mut Diagnostic, map: Map<'_>) {
    for at in diagnostic.spans_mut() {
        span(at, map);
    }
}
