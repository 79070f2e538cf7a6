//! Units: the targets (and loose files) a run loads and models, each on its own into a
//! source database of its own, with their cache entries ([`crate::cache`]).

use super::{INTERNAL_ERROR, TargetRef};
use crate::cache::{Cache, FileStamp};
use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::discover::{CrateSpec, TargetSpec, Workspace};
use crate::hollow::Hollowing;
use crate::model::{CrateFacts, extract_facts};
use crate::prescan;
use crate::registry::Level;
use crate::resolve::{CrateTree, Loader, Resolver, RootKind, load_crate};
use crate::source::{FileId, SourceDb, Text};
use crate::suppress::{self, Allow};
use crate::timings::{self, Count, Stage};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The name a target's code uses for its own crate (`my_crate` for the lib).
fn target_crate_name(spec: &CrateSpec, target: &TargetSpec) -> String {
    if is_library(target) {
        spec.lib_name()
    } else {
        target.name.replace('-', "_")
    }
}

/// Whether a target is a library other crates link (its public items are their API).
fn is_library(target: &TargetSpec) -> bool {
    target
        .kind
        .iter()
        .any(|k| k.ends_with("lib") || k == "proc-macro")
}

/// One target (or loose file) to load and model.
pub(super) struct Unit {
    /// The package and target, or `None` for a loose file.
    pub(super) owner: Option<TargetRef>,
    /// The name its code uses for its own crate.
    pub(super) name: String,
    /// Whether other crates can call its public items (a library, or a loose file, which
    /// may be any crate's module).
    pub(super) library: bool,
    /// Its root file.
    pub(super) root: PathBuf,
    /// How the root was found.
    pub(super) kind: RootKind,
}

/// What analysing one unit produced, with file ids local to its own database (empty for a
/// unit no round needed: a dependency none of whose bodies a region reads).
#[derive(Default)]
pub(super) struct UnitOutput {
    pub(super) db: SourceDb,
    pub(super) facts: CrateFacts,
    pub(super) files: Vec<FileId>,
    pub(super) allows: Vec<Allow>,
    pub(super) diagnostics: Vec<Diagnostic>,
}

/// The targets to analyse, in package and target order (a root shared by two targets of a
/// package is analysed once), then the loose files.
pub(super) fn units_of(workspace: &Workspace, selection: &prescan::Selection) -> Vec<Unit> {
    let mut units = Vec::new();
    for (crate_index, spec) in workspace.crates.iter().enumerate() {
        if !selection.analysed.get(crate_index).copied().unwrap_or(true) {
            continue;
        }
        let mut seen = BTreeSet::new();
        for (target_index, target) in spec.targets.iter().enumerate() {
            if !seen.insert(target.src_path.clone()) {
                continue;
            }
            units.push(Unit {
                owner: Some(TargetRef {
                    crate_index,
                    target_index,
                }),
                name: target_crate_name(spec, target),
                library: is_library(target),
                root: target.src_path.clone(),
                kind: RootKind::Target,
            });
        }
    }
    for file in &workspace.loose_files {
        units.push(Unit {
            owner: None,
            name: loose_crate_name(file),
            library: true,
            root: file.clone(),
            kind: RootKind::Loose,
        });
    }
    units
}

/// Loads one unit into a database of its own and extracts its facts.
///
/// A panic in it becomes an internal-error diagnostic naming the unit's root file: the rest of
/// the run goes on. Afterwards the thread's proc-macro2 source map (a second copy of every text
/// parsed on the thread) is released; no proc-macro2 span outlives the unit, since facts,
/// suppressions and diagnostics hold nslint's own byte-range spans.
fn run_unit(unit: &Unit, context: &UnitContext<'_>) -> UnitOutput {
    let UnitContext {
        root,
        catalog,
        known,
        hollowing,
        read,
        unstarted,
    } = *context;
    use std::panic::{AssertUnwindSafe, catch_unwind};
    let mut db = SourceDb::default();
    let mut diagnostics = Vec::new();
    let mut allows = Vec::new();
    let outcome = {
        let mut loader = Loader {
            db: &mut db,
            root,
            diagnostics: &mut diagnostics,
            hollowing,
            read,
            real_dirs: Default::default(),
            halves: None,
        };
        catch_unwind(AssertUnwindSafe(|| {
            target_facts(unit, catalog, known, &mut loader, &mut allows, unstarted)
        }))
    };
    proc_macro2::extra::invalidate_current_thread_spans();
    let (facts, files) = outcome.unwrap_or_else(|payload| {
        let shown = crate::source::display_name(&unit.root, root);
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_owned());
        diagnostics.push(
            Diagnostic::input(
                Level::Deny,
                format!(
                    "{INTERNAL_ERROR}: nslint panicked while analysing `{shown}` (or one of its \
                     modules): {what}"
                ),
                None,
            )
            .with_note("findings in this target are unknown; the rest of the run went on")
            .with_help("please report this at https://example.invalid/nslint with the file"),
        );
        (CrateFacts::default(), Vec::new())
    });
    UnitOutput {
        db,
        facts,
        files,
        allows,
        diagnostics,
    }
}

/// What every unit of a run shares.
#[derive(Clone, Copy)]
pub(super) struct UnitContext<'a> {
    /// Directory that displayed file names are relative to.
    pub(super) root: &'a Path,
    pub(super) catalog: &'a Catalog,
    /// The catalogue's paths, for name resolution.
    pub(super) known: &'a BTreeSet<String>,
    /// What is blanked before parsing: bodies, and functions left out whole.
    pub(super) hollowing: &'a Hollowing,
    /// Files read already, sorted by path ([`prescan::Sources::texts`]).
    pub(super) read: &'a [(PathBuf, Text)],
    /// The units of the run's last round not started yet, when the process exits after the
    /// run ([`release`]).
    pub(super) unstarted: Option<&'a Unstarted>,
}

/// How many units of a run's last round have not started yet.
#[derive(Debug, Default)]
pub(super) struct Unstarted(AtomicUsize);

impl Unstarted {
    /// Counts `units` units as not started.
    pub(super) fn reset(&self, units: usize) {
        self.0.store(units, Ordering::Relaxed);
    }

    /// Counts one unit as started.
    pub(super) fn start(&self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }

    /// Whether every unit has started.
    fn all_started(&self) -> bool {
        self.0.load(Ordering::Relaxed) == 0
    }
}

/// Frees a unit's syntax trees, unless every unit of the run's last round has started and the
/// process exits after the run (`unstarted` is given): then only units already running could
/// reuse the memory, and the trees are left to the exit. Freeing syd's (392k lines) took
/// 40-50 ms of the run's critical path, at the end of its longest unit.
pub(super) fn release(tree: CrateTree, unstarted: Option<&Unstarted>) {
    if unstarted.is_some_and(Unstarted::all_started) {
        std::mem::forget(tree);
    } else {
        timings::time(Stage::Drop, || drop(tree));
    }
}

/// What a unit's cache entry holds besides the stamps of its files (which give the database).
#[derive(Serialize, Deserialize)]
struct CachedUnit {
    facts: CrateFacts,
    files: Vec<FileId>,
    allows: Vec<Allow>,
}

/// The cache key of a unit.
fn unit_key(unit: &Unit) -> String {
    format!("{}\n{}\n{:?}", unit.name, unit.root.display(), unit.kind)
}

/// [`run_unit`], reusing a cache entry when every file the unit read is unchanged; whether the
/// output was made afresh. A unit made afresh `in_halves` is loaded and modelled by this
/// thread and one more ([`super::halves`]), or by this one alone when a half gives up.
pub(super) fn load_or_run(
    unit: &Unit,
    context: &UnitContext<'_>,
    cache: Option<&Cache>,
    in_halves: bool,
) -> (UnitOutput, bool) {
    let hit = cache.and_then(|cache| {
        let (stamps, cached) = cache.load::<CachedUnit>(&unit_key(unit))?;
        reuse(&stamps, cached, context)
    });
    match hit {
        Some(output) => (output, false),
        None => {
            timings::add(Count::UnitsModelled, 1);
            let halved = in_halves
                .then(|| super::halves::run_in_halves(unit, context))
                .flatten();
            (halved.unwrap_or_else(|| run_unit(unit, context)), true)
        }
    }
}

/// Stores a unit's output, made with `hollowing`. Only units that read and parsed cleanly are
/// stored: a problem report must be made afresh.
pub(super) fn store_unit(unit: &Unit, output: &UnitOutput, hollowing: &Hollowing, cache: &Cache) {
    if !output.diagnostics.is_empty() {
        return;
    }
    let stamps = output
        .db
        .iter()
        .map(|(_, file)| FileStamp::of(&file.path, &file.text, hollowing.blanks_of(&file.path)))
        .collect();
    let cached = CachedUnit {
        facts: output.facts.clone(),
        files: output.files.clone(),
        allows: output.allows.clone(),
    };
    cache.store(&unit_key(unit), stamps, &cached);
}

/// A unit's output from its cache entry, if every stamped file still has the same contents;
/// the files are read again in id order, so the entry's file ids hold.
fn reuse(
    stamps: &[FileStamp],
    cached: CachedUnit,
    context: &UnitContext<'_>,
) -> Option<UnitOutput> {
    let mut db = SourceDb::default();
    for (index, stamp) in stamps.iter().enumerate() {
        let text = crate::source::known_or_read(context.read, &stamp.path).ok()?;
        let blanks = context.hollowing.blanks_of(&stamp.path);
        if FileStamp::of(&stamp.path, &text, blanks) != *stamp {
            return None;
        }
        let shown = crate::source::display_name(&stamp.path, context.root);
        let id = db.add(crate::source::SourceFile::new(
            stamp.path.clone(),
            shown,
            text,
        ));
        if id != FileId(index) {
            return None;
        }
    }
    Some(UnitOutput {
        db,
        facts: cached.facts,
        files: cached.files,
        allows: cached.allows,
        diagnostics: Vec::new(),
    })
}

/// Loads one target and extracts its facts, on the calling thread; also returns the files it
/// consists of. The syntax trees are released ([`release`]) before it returns.
fn target_facts(
    unit: &Unit,
    catalog: &Catalog,
    known: &BTreeSet<String>,
    loader: &mut Loader<'_>,
    allows: &mut Vec<Allow>,
    unstarted: Option<&Unstarted>,
) -> (CrateFacts, Vec<FileId>) {
    let tree = timings::time(Stage::Load, || {
        load_crate(&unit.name, &unit.root, unit.kind, loader)
    });
    let Some(tree) = tree else {
        return (CrateFacts::default(), Vec::new());
    };
    // Attributes are only looked at in trees whose text names nslint at all.
    let directives = tree
        .modules
        .iter()
        .map(|m| m.file)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .any(|file| loader.db.get(file).text.contains(suppress::DIRECTIVE_WORD));
    if directives {
        allows.extend(timings::time(Stage::Suppress, || {
            suppress::attribute_allows(&tree)
        }));
    }
    let resolver = timings::time(Stage::Resolve, || Resolver::new(&tree, catalog, known));
    let files = tree.modules.iter().map(|m| m.file).collect();
    let facts = timings::time(Stage::Model, || {
        extract_facts(&resolver, catalog, loader.db, unit.library)
    });
    drop(resolver);
    release(tree, unstarted);
    (facts, files)
}

fn loose_crate_name(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().replace('-', "_"))
        .unwrap_or_else(|| "main".to_owned())
}
