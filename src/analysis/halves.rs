//! A unit loaded and modelled by two threads at once, when it alone is a large share of the
//! run: without it, one thread parses and walks it while the other has nothing left to do.
//!
//! Each thread loads the whole unit with the other half's function bodies blanked
//! ([`crate::hollow::Halves`]) and models its own half ([`crate::model::extract_half_facts`]);
//! the facts are joined in module order. Problems met while loading (a missing module file,
//! an item syn rejects) are reported once, when both halves met the same ones: each file's
//! problems are those of a one-thread load in the half that parses its bodies, so equal lists
//! are that load's list. Anything else the join cannot vouch for makes the halves give up:
//! different problems (an error inside a body only one half parsed), an `nslint` attribute,
//! or a panic. The unit is then run on one thread as any other, so the output is always the
//! one-thread run's.

use super::units::{Unit, UnitContext, UnitOutput, release};
use crate::diagnostic::Diagnostic;
use crate::hollow::{Half, Halves};
use crate::model::{HalfFacts, Link, extract_half_facts};
use crate::resolve::{Loader, Resolver, load_crate};
use crate::source::{FileId, SourceDb};
use crate::suppress;
use crate::timings::{self, Count, Stage};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// What one half made: its database, the unit's files, its half of the facts and the
/// problems it met while loading.
struct HalfOutput {
    db: SourceDb,
    files: Vec<FileId>,
    facts: HalfFacts,
    diagnostics: Vec<Diagnostic>,
}

/// Loads and models `unit` on this thread and one more; `None` when a half gave up (see the
/// module docs), and the unit is to be run on one thread.
pub(super) fn run_in_halves(unit: &Unit, context: &UnitContext<'_>) -> Option<UnitOutput> {
    let (first_link, second_link) = Link::pair();
    std::thread::scope(|scope| {
        let second = std::thread::Builder::new()
            .stack_size(crate::nesting::ANALYSIS_STACK_BYTES)
            .spawn_scoped(scope, || half(unit, context, Half::Second, second_link))
            .ok()?;
        let first = half(unit, context, Half::First, first_link);
        let second = second.join().ok().flatten();
        join(first?, second?)
    })
}

/// One thread's half of `unit`; `None` when it gives up. Its end of `link` is dropped when it
/// does, so that the other half, waiting for what this one found, gives up too.
fn half(unit: &Unit, context: &UnitContext<'_>, me: Half, link: Link) -> Option<HalfOutput> {
    let mut db = SourceDb::default();
    let mut diagnostics = Vec::new();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut loader = Loader {
            db: &mut db,
            root: context.root,
            diagnostics: &mut diagnostics,
            hollowing: context.hollowing,
            read: context.read,
            real_dirs: Default::default(),
            halves: Some(Halves::new(me)),
        };
        let tree = timings::time(Stage::Load, || {
            load_crate(&unit.name, &unit.root, unit.kind, &mut loader)
        })?;
        let halves = loader.halves.take()?;
        drop(loader);
        let directives = tree
            .modules
            .iter()
            .any(|m| db.get(m.file).text.contains(suppress::DIRECTIVE_WORD));
        if directives {
            return None;
        }
        let resolver = timings::time(Stage::Resolve, || {
            Resolver::new(&tree, context.catalog, context.known)
        });
        let files = tree.modules.iter().map(|m| m.file).collect();
        let owns = |file: FileId| halves.owns(file.0);
        let facts = timings::time(Stage::Model, || {
            extract_half_facts(&resolver, context.catalog, &db, unit.library, &owns, link)
        })?;
        drop(resolver);
        release(tree, context.unstarted);
        Some((files, facts))
    }));
    proc_macro2::extra::invalidate_current_thread_spans();
    let (files, facts) = outcome.ok()??;
    Some(HalfOutput {
        db,
        files,
        facts,
        diagnostics,
    })
}

/// The unit's output from its two halves, when both loaded the same files and met the same
/// problems.
fn join(first: HalfOutput, second: HalfOutput) -> Option<UnitOutput> {
    let paths = |db: &SourceDb| db.iter().map(|(_, f)| f.path.clone()).collect::<Vec<_>>();
    if first.files != second.files
        || first.diagnostics != second.diagnostics
        || paths(&first.db) != paths(&second.db)
    {
        return None;
    }
    timings::add(Count::UnitsHalved, 1);
    Some(UnitOutput {
        db: first.db,
        facts: first.facts.join(second.facts),
        files: first.files,
        allows: Vec::new(),
        diagnostics: first.diagnostics,
    })
}
