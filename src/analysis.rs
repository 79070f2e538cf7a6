//! The pipeline for one run: load each discovered crate, resolve, extract facts, run the
//! rules, then apply levels and suppressions and put the results in a stable order.

mod remap;
mod rounds;

use crate::cache::{Cache, FileStamp};
use crate::catalog::Catalog;
use crate::config::{Config, LintLevels};
use crate::diagnostic::{Diagnostic, Origin, Span};
use crate::discover::{CrateSpec, TargetSpec, Workspace};
use crate::effects::{self, Finding};
use crate::hollow::{self, Hollowing};
use crate::model::{CrateFacts, extract_facts};
use crate::prescan;
use crate::registry::Level;
use crate::resolve::{Loader, Resolver, RootKind, load_crate};
use crate::rules::{RuleInput, check_all};
use crate::source::FileId;
use crate::source::SourceDb;
use crate::suppress::{self, Allow, Suppressed};
use crate::timings::{self, Count, Stage};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Which discovered package and target a file was first read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetRef {
    /// Index into [`Workspace::crates`].
    pub crate_index: usize,
    /// Index into that crate's [`CrateSpec::targets`].
    pub target_index: usize,
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Every file read.
    pub db: SourceDb,
    /// The diagnostics to report, sorted by file, position and lint.
    pub diagnostics: Vec<Diagnostic>,
    /// The package and target each file belongs to (loose files belong to none).
    pub owners: BTreeMap<FileId, TargetRef>,
    /// The findings that in-source suppressions silenced, sorted like `diagnostics`.
    pub suppressed: Vec<Suppressed>,
    /// The function bodies that were blanked before parsing ([`crate::hollow`]).
    pub hollowing: Hollowing,
    /// What a later run needs to replay this one, when [`Options::record`] asked for it and
    /// the plan could vouch for edits.
    pub replay_basis: Option<crate::replay::Basis>,
}

impl Analysis {
    /// Whether any diagnostic is at error level.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.level.is_error())
    }
}

/// Analyses every crate and loose file of a workspace.
pub fn analyze(workspace: &Workspace, catalog: &Catalog, levels: &LintLevels) -> Analysis {
    analyze_with(workspace, catalog, &Config::from_levels(levels.clone()))
}

/// How a run is carried out. No option changes what is found, only how fast.
#[derive(Debug, Clone)]
pub struct Options {
    /// Skip packages that the byte scan of [`crate::prescan`] rules out (on by default; the
    /// environment variable `NSLINT_NO_FAST_PATH=1` turns it off for a run).
    pub fast_path: bool,
    /// Keep what each target produced in this directory and reuse it while the target's files
    /// are unchanged ([`crate::cache`]); `None` (the library's default) caches nothing.
    pub cache_dir: Option<PathBuf>,
    /// Keep in the cache directory what a later run needs to replay this one
    /// ([`crate::replay`]): the texts read and the words the plan turned on.
    pub record: bool,
    /// The fast path's verdicts on files scanned while discovery ran
    /// ([`prescan::EarlyScan`]).
    pub prescanned: std::sync::Arc<prescan::Prescanned>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            fast_path: !std::env::var_os("NSLINT_NO_FAST_PATH")
                .is_some_and(|v| !v.is_empty() && v != "0"),
            cache_dir: None,
            record: false,
            prescanned: std::sync::Arc::default(),
        }
    }
}

/// Analyses every crate and loose file of a workspace with a full configuration: levels per
/// package and excluded paths (the catalogue passed in already includes configured entries).
pub fn analyze_with(workspace: &Workspace, catalog: &Catalog, config: &Config) -> Analysis {
    analyze_with_options(workspace, catalog, config, Options::default())
}

/// [`analyze_with`], with [`Options`].
///
/// Packages that the fast path ([`crate::prescan`]) rules out are not read; the targets of the
/// others are loaded and modelled in parallel (see [`thread_count`]), each into a database of
/// its own, and merged in target order, so the result does not depend on the thread count.
pub fn analyze_with_options(
    workspace: &Workspace,
    catalog: &Catalog,
    config: &Config,
    options: Options,
) -> Analysis {
    let known = catalog.known_paths();
    let mut db = SourceDb::default();
    let mut diagnostics = Vec::new();
    let mut allows = Vec::new();
    for problem in &workspace.problems {
        let shown = crate::source::display_name(&problem.path, &workspace.root);
        diagnostics.push(Diagnostic::input(
            Level::Warn,
            format!("{shown}: {}", problem.message),
            None,
        ));
    }
    // The texts analysed may have been read while discovery ran: a record of this run's files
    // counts from then.
    let now = std::time::SystemTime::now();
    let started = options
        .prescanned
        .read_since()
        .map_or(now, |early| early.min(now));
    let units = with_pool(|| {
        let needles = prescan::Needles::new(catalog, &config.catalog);
        let selection = timings::time(Stage::Prescan, || {
            if options.fast_path {
                let forced = |index| config.strict_for(Some(index));
                prescan::select(workspace, &needles, &forced, &options.prescanned)
            } else {
                prescan::Selection::all(workspace.crates.len(), &prescan::Reason::NoFastPath)
            }
        });
        timings::note_kept(kept_packages(workspace, &selection));
        let sources = if options.fast_path {
            prescan::analysed_sources(workspace, &selection, &needles, &options.prescanned)
        } else {
            prescan::Sources::default()
        };
        options.prescanned.forget_texts();
        // Plans are made on the text spans point into: without a byte order mark.
        let planned = crate::source::without_boms(&sources.texts);
        let planner = timings::time(Stage::Prescan, || {
            new_planner(workspace, &planned, catalog, config)
        });
        let units = units_of(workspace, &selection);
        // Entries are only valid for the same catalogue (configuration included) and root.
        let cache = options.cache_dir.as_ref().map(|dir| {
            let salt = format!("{}\n{catalog:?}", workspace.root.display());
            Cache::new(dir.clone(), &salt)
        });
        let context = UnitContext {
            root: &workspace.root,
            catalog,
            known: &known,
            // Each round models with its own plan.
            hollowing: &Hollowing::default(),
            read: &sources.texts,
        };
        let rounds = rounds::Rounds::new(planner, workspace, &selection, &sources);
        let record_in = options.cache_dir.as_ref().filter(|_| options.record);
        // The texts a replay compares edits with are written, and the packages surveyed,
        // while the rounds run.
        let (outputs, hollowing, basis) = std::thread::scope(|scope| {
            let texts = &sources.texts;
            let writer = record_in.map(|dir| {
                let files = &selection.files;
                scope.spawn(move || {
                    crate::replay::Basis::write(dir, texts, workspace, files, started)
                })
            });
            let (outputs, hollowing, vocabulary) =
                rounds.analyse(&units, context, cache.as_ref(), record_in.is_some());
            let written = writer.and_then(|w| w.join().ok()).flatten();
            let basis = written
                .zip(vocabulary)
                .map(|(basis, vocabulary)| basis.with_vocabulary(vocabulary));
            (outputs, hollowing, basis)
        });
        (
            units.into_iter().zip(outputs).collect::<Vec<_>>(),
            hollowing,
            basis,
        )
    });
    let (units, hollowing, replay_basis) = units;
    let mut findings = Vec::new();
    let mut packages: Vec<CrateFacts> = Vec::new();
    packages.resize_with(workspace.crates.len(), CrateFacts::default);
    let mut owners = BTreeMap::new();
    // The units' ids are local: their files get their place in the run's database in unit
    // order (so ids do not depend on the thread count), then each unit is renumbered, in
    // parallel.
    let mut units = units;
    let maps: Vec<Vec<FileId>> = units
        .iter_mut()
        .map(|(_, output)| {
            let local = std::mem::take(&mut output.db);
            local.into_files().into_iter().map(|f| db.add(f)).collect()
        })
        .collect();
    with_pool(|| {
        use rayon::prelude::*;
        units
            .par_iter_mut()
            .zip(&maps)
            .for_each(|((_, output), map)| remap::unit(output, map));
    });
    for (unit, output) in units {
        let UnitOutput {
            db: _,
            facts,
            files,
            allows: unit_allows,
            diagnostics: unit_diagnostics,
        } = output;
        allows.extend(unit_allows);
        diagnostics.extend(unit_diagnostics);
        match unit.owner {
            Some(owner) => {
                for file in files {
                    owners.entry(file).or_insert(owner);
                }
                // A package is one unit for "does this crate switch threads": a bin and its lib.
                packages[owner.crate_index].merge(facts);
            }
            None => packages.push(facts),
        }
    }
    // Effects span the workspace: a helper in one crate switches for a caller in another.
    let effects = timings::time(Stage::Effects, || with_pool(|| effects::analyze(&packages)));
    let rules_started = Instant::now();
    // Each package's share of the workspace-wide results, gathered in one pass.
    let mut regions_of: Vec<Vec<&Finding>> = vec![Vec::new(); packages.len()];
    for (package, finding) in &effects.findings {
        if let Some(list) = regions_of.get_mut(*package) {
            list.push(finding);
        }
    }
    let mut outside_scope_of: Vec<Vec<(&Span, &str)>> = vec![Vec::new(); packages.len()];
    for (package, span, what) in &effects.outside_scope {
        if let Some(list) = outside_scope_of.get_mut(*package) {
            list.push((span, what.as_str()));
        }
    }
    for (index, facts) in packages.iter().enumerate() {
        let strict = config.strict_for((index < workspace.crates.len()).then_some(index));
        let input = RuleInput {
            facts,
            regions: &regions_of[index],
            outside_scope: &outside_scope_of[index],
            strict,
        };
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check_all(&input))) {
            Ok(found) => findings.extend(found),
            Err(_) => {
                let package = workspace.crates.get(index).map_or_else(
                    || "a loose file".to_owned(),
                    |c| format!("package `{}`", c.name),
                );
                diagnostics.push(
                    Diagnostic::input(
                        Level::Deny,
                        format!("{INTERNAL_ERROR}: nslint panicked while checking {package}"),
                        None,
                    )
                    .with_note("findings in this package are unknown; the rest of the run went on"),
                );
            }
        }
    }
    for (_, span) in &effects.failed {
        diagnostics.push(
            Diagnostic::input(
                Level::Deny,
                format!("{INTERNAL_ERROR}: nslint panicked while analysing this function"),
                Some(crate::diagnostic::Label {
                    span: span.clone(),
                    message: "its switched regions are unknown".to_owned(),
                }),
            )
            .with_note("the rest of the run went on"),
        );
    }
    timings::record(Stage::Rules, rules_started.elapsed());
    // The facts are the bulk of the run's memory; the report needs none of them. Freeing
    // millions of events takes a while: both threads share it.
    drop(effects);
    with_pool(|| {
        use rayon::prelude::*;
        packages.into_par_iter().for_each(drop);
    });
    release_freed_memory();
    let suppress_started = Instant::now();
    for (id, file) in db.iter() {
        allows.extend(suppress::comment_allows(id, file));
    }
    set_levels(&mut findings, config, &owners);
    let outcome = suppress::apply(&mut findings, &allows);
    let mut problems = outcome.problems;
    set_levels(&mut problems, config, &owners);
    findings.extend(problems);
    findings.retain(|d| d.level != Level::Allow);
    diagnostics.extend(findings);
    let excluded = |d: &Diagnostic| {
        d.primary
            .as_ref()
            .is_some_and(|p| config.exclude.is_excluded(&db.get(p.span.file).path))
    };
    diagnostics.retain(|d| !excluded(d));
    let mut suppressed = outcome.suppressed;
    suppressed.retain(|s| !excluded(&s.diagnostic));
    sort_and_dedup(&db, &mut diagnostics);
    suppressed.sort_by_cached_key(|s| {
        let primary = s.diagnostic.primary.as_ref();
        (
            primary.map(|p| db.get(p.span.file).display_name.clone()),
            primary.map(|p| p.span.range.start),
            s.diagnostic.lint_ref().map(|l| l.name),
        )
    });
    timings::record(Stage::Suppress, suppress_started.elapsed());
    Analysis {
        db,
        diagnostics,
        owners,
        suppressed,
        hollowing,
        replay_basis,
    }
}

/// Hands memory freed so far back to the operating system. glibc keeps freed blocks in its
/// per-thread arenas, where the syntax trees and facts of a large workspace would otherwise
/// stay resident while the report is rendered.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only returns free pages of the allocator's own heaps to the kernel;
    // it takes no pointers and is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Gives each finding the level configured for the package its file belongs to.
fn set_levels(findings: &mut [Diagnostic], config: &Config, owners: &BTreeMap<FileId, TargetRef>) {
    for finding in findings {
        if let Origin::Lint(lint) = finding.origin {
            let package = finding
                .primary
                .as_ref()
                .and_then(|p| owners.get(&p.span.file))
                .map(|o| o.crate_index);
            finding.level = config.levels_for(package).level(lint);
        }
    }
}

/// The name a target's code uses for its own crate (`my_crate` for the lib).
fn target_crate_name(spec: &CrateSpec, target: &TargetSpec) -> String {
    let is_lib = target
        .kind
        .iter()
        .any(|k| k.ends_with("lib") || k == "proc-macro");
    if is_lib {
        spec.lib_name()
    } else {
        target.name.replace('-', "_")
    }
}

/// One target (or loose file) to load and model.
struct Unit {
    /// The package and target, or `None` for a loose file.
    owner: Option<TargetRef>,
    /// The name its code uses for its own crate.
    name: String,
    /// Its root file.
    root: PathBuf,
    /// How the root was found.
    kind: RootKind,
}

/// What analysing one unit produced, with file ids local to its own database (empty for a
/// unit no round needed: a dependency none of whose bodies a region reads).
#[derive(Default)]
struct UnitOutput {
    db: SourceDb,
    facts: CrateFacts,
    files: Vec<FileId>,
    allows: Vec<Allow>,
    diagnostics: Vec<Diagnostic>,
}

/// The targets to analyse, in package and target order (a root shared by two targets of a
/// package is analysed once), then the loose files.
fn units_of(workspace: &Workspace, selection: &prescan::Selection) -> Vec<Unit> {
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
                root: target.src_path.clone(),
                kind: RootKind::Target,
            });
        }
    }
    for file in &workspace.loose_files {
        units.push(Unit {
            owner: None,
            name: loose_crate_name(file),
            root: file.clone(),
            kind: RootKind::Loose,
        });
    }
    units
}

/// Each analysed package's name with why it is analysed, in package order.
fn kept_packages(workspace: &Workspace, selection: &prescan::Selection) -> Vec<String> {
    workspace
        .crates
        .iter()
        .zip(&selection.reasons)
        .filter_map(|(spec, reason)| {
            let why = reason.as_ref()?.describe(&workspace.root);
            Some(format!("{} {why}", spec.name))
        })
        .collect()
}

/// The planner of which bodies to blank before parsing ([`crate::hollow`]); `None` (blank
/// nothing) when the selection's files cannot all be vouched for.
fn new_planner<'f>(
    workspace: &Workspace,
    sources: &'f [(PathBuf, String)],
    catalog: &Catalog,
    config: &Config,
) -> Option<hollow::Planner<'f>> {
    if sources.is_empty() {
        return None;
    }
    let strict = (0..workspace.crates.len()).any(|index| config.strict_for(Some(index)))
        || config.strict_for(None);
    let seeds = hollow::seed_words(catalog, &config.catalog);
    let members = workspace.crates.iter().map(CrateSpec::lib_name).collect();
    hollow::Planner::new(sources, seeds, &members, strict)
}

/// The number of threads analysis uses: `NSLINT_THREADS`, else `RAYON_NUM_THREADS`, else
/// the number of cores. Output does not depend on it.
pub fn thread_count() -> usize {
    ["NSLINT_THREADS", "RAYON_NUM_THREADS"]
        .iter()
        .find_map(|var| {
            std::env::var(var)
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .filter(|n| *n > 0)
        })
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// Runs `work` on a pool of [`thread_count`] threads with [`crate::parse::ANALYSIS_STACK_BYTES`]
/// of stack each (syn and the walks over its tree recurse as deeply as the code nests; parsing
/// bounds that nesting). When no pool can be had (resource limits), `work` runs on the calling
/// thread, whose parallel iterators then run on rayon's global pool.
fn with_pool<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(thread_count())
        .stack_size(crate::parse::ANALYSIS_STACK_BYTES)
        .thread_name(|i| format!("nslint-{i}"))
        .build();
    match pool {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
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
        };
        catch_unwind(AssertUnwindSafe(|| {
            target_facts(
                &unit.name,
                &unit.root,
                unit.kind,
                catalog,
                known,
                &mut loader,
                &mut allows,
            )
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
struct UnitContext<'a> {
    /// Directory that displayed file names are relative to.
    root: &'a Path,
    catalog: &'a Catalog,
    /// The catalogue's paths, for name resolution.
    known: &'a BTreeSet<String>,
    /// What is blanked before parsing: bodies, and functions left out whole.
    hollowing: &'a Hollowing,
    /// Files read already, sorted by path ([`prescan::Sources::texts`]).
    read: &'a [(PathBuf, String)],
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
/// output was made afresh.
fn load_or_run(
    unit: &Unit,
    context: &UnitContext<'_>,
    cache: Option<&Cache>,
) -> (UnitOutput, bool) {
    let hit = cache.and_then(|cache| {
        let (stamps, cached) = cache.load::<CachedUnit>(&unit_key(unit))?;
        reuse(&stamps, cached, context)
    });
    match hit {
        Some(output) => (output, false),
        None => {
            timings::add(Count::UnitsModelled, 1);
            (run_unit(unit, context), true)
        }
    }
}

/// Stores a unit's output, made with `hollowing`. Only units that read and parsed cleanly are
/// stored: a problem report must be made afresh.
fn store_unit(unit: &Unit, output: &UnitOutput, hollowing: &Hollowing, cache: &Cache) {
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

/// How the message of a diagnostic for a caught panic starts; the command line exits with
/// status 2 when one is reported.
pub const INTERNAL_ERROR: &str = "internal error";

/// Loads one target and extracts its facts, on the calling thread; also returns the files it
/// consists of. The syntax trees are dropped before it returns.
fn target_facts(
    name: &str,
    root: &Path,
    kind: RootKind,
    catalog: &Catalog,
    known: &BTreeSet<String>,
    loader: &mut Loader<'_>,
    allows: &mut Vec<Allow>,
) -> (CrateFacts, Vec<FileId>) {
    let tree = timings::time(Stage::Load, || load_crate(name, root, kind, loader));
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
        extract_facts(&resolver, catalog, loader.db)
    });
    drop(resolver);
    timings::time(Stage::Drop, || drop(tree));
    (facts, files)
}

fn loose_crate_name(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().replace('-', "_"))
        .unwrap_or_else(|| "main".to_owned())
}

/// Orders diagnostics by file name, position, lint and message, and drops duplicates (a file
/// shared by several targets is reported once).
fn sort_and_dedup(db: &SourceDb, diagnostics: &mut Vec<Diagnostic>) {
    let key = |d: &Diagnostic| {
        let (file, start, end): (Option<PathBuf>, usize, usize) = match &d.primary {
            Some(l) => (
                Some(PathBuf::from(&db.get(l.span.file).display_name)),
                l.span.range.start,
                l.span.range.end,
            ),
            None => (None, 0, 0),
        };
        (
            file,
            start,
            end,
            d.lint_ref().map(|l| l.name),
            d.message.clone(),
        )
    };
    diagnostics.sort_by_cached_key(key);
    diagnostics.dedup_by(|a, b| key(a) == key(b));
}
