//! The pipeline for one run, one call per stage: the fast path decides which packages are
//! analysed and reads their files ([`crate::prescan`]); their targets are loaded, resolved and
//! modelled as units in hollowing's rounds (`rounds.rs`, `units.rs`); the units are merged
//! (`merge.rs`); effects run over the workspace ([`crate::effects`]); the rules judge each
//! package (`judge.rs`); and levels, suppressions and exclusions finish the result
//! (`finish.rs`).

mod finish;
mod halves;
mod judge;
mod merge;
mod remap;
mod rounds;
mod units;

use crate::catalog::Catalog;
use crate::config::{Config, LintLevels};
use crate::diagnostic::{Diagnostic, Origin};
use crate::discover::{CrateSpec, Workspace};
use crate::effects;
use crate::hollow::{self, Hollowing, Vouching};
use crate::prescan;
use crate::registry::Level;
use crate::source::{FileId, SourceDb, Text};
use crate::suppress::Suppressed;
use crate::timings::{self, Stage};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::SystemTime;

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
    /// What a later run checks edits against, when [`Options::record`] asked for it and the
    /// fast path could vouch for edits (what a replay needs besides the texts read).
    pub vouching: Option<Vouching>,
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
    /// Hand over what a later run needs to replay this one (the `replay` module): the plan
    /// edits are checked against and the words it turned on ([`Analysis::vouching`]).
    pub record: bool,
    /// The fast path's verdicts on files scanned while discovery ran
    /// ([`prescan::EarlyScan`]).
    pub prescanned: std::sync::Arc<prescan::Prescanned>,
    /// The process exits once the run is over (the command line does): the units that end
    /// the run leave their syntax trees to the exit instead of freeing them. Off by default,
    /// since a library's caller may run again.
    pub exits_after: bool,
    /// Plan hollowing in rounds whatever the workspace's shape, instead of giving it up where
    /// rounds cost more than they save ([`crate::hollow`]): tests of what hollowing keeps use it.
    pub always_plan: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            fast_path: !std::env::var_os("NSLINT_NO_FAST_PATH")
                .is_some_and(|v| !v.is_empty() && v != "0"),
            cache_dir: None,
            record: false,
            prescanned: std::sync::Arc::default(),
            exits_after: false,
            always_plan: false,
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
    analyze_beside(workspace, catalog, config, options, |_| ()).0
}

/// What the fast path read, handed to work that runs beside the rounds (what a replay records:
/// `crate::replay::Basis::write`).
#[derive(Clone, Copy)]
pub struct Read<'a> {
    /// Every file read for the analysed packages, with its text, sorted by path.
    pub texts: &'a [(PathBuf, Text)],
    /// The workspace.
    pub workspace: &'a Workspace,
    /// For each package, its files ([`prescan::Selection::files`]).
    pub package_files: &'a [Option<Vec<PathBuf>>],
    /// When the texts were read at the earliest.
    pub started: SystemTime,
}

/// [`analyze_with_options`], running `beside` on what the fast path read while the targets are
/// modelled; returns its result too.
pub fn analyze_beside<B: Send>(
    workspace: &Workspace,
    catalog: &Catalog,
    config: &Config,
    options: Options,
    beside: impl FnOnce(Read<'_>) -> B + Send,
) -> (Analysis, B) {
    let (modelled, beside) = with_pool(|| {
        let (selection, sources) = fast_path(workspace, catalog, config, &options);
        model(
            workspace,
            catalog,
            config,
            &options,
            (&selection, &sources),
            beside,
        )
    });
    let merge::Merged {
        db,
        owners,
        packages,
        allows,
        diagnostics: unit_problems,
    } = with_pool(|| merge::units(workspace.crates.len(), modelled.units));
    // Effects span the workspace: a helper in one crate switches for a caller in another.
    let effects = timings::time(Stage::Effects, || with_pool(|| effects::analyze(&packages)));
    let (mut findings, rule_problems) = timings::time(Stage::Rules, || {
        judge::packages(workspace, config, &packages, &effects)
    });
    free(effects, packages);
    // Code the units could not read is a lint's finding: configured and suppressed like any.
    let (unread, unit_problems): (Vec<_>, Vec<_>) = unit_problems
        .into_iter()
        .partition(|d| matches!(d.origin, Origin::Lint(_)));
    findings.extend(unread);
    let mut problems = workspace_problems(workspace);
    problems.extend(unit_problems);
    problems.extend(rule_problems);
    let (diagnostics, suppressed) = timings::time(Stage::Suppress, || {
        finish::findings(&db, &owners, config, findings, problems, allows)
    });
    let analysis = Analysis {
        db,
        diagnostics,
        owners,
        suppressed,
        vouching: modelled.vouching,
    };
    (analysis, beside)
}

/// What modelling the selected packages produced.
struct Modelled {
    /// Each unit with its output, in unit order.
    units: Vec<(units::Unit, units::UnitOutput)>,
    /// What a later run checks edits against, when asked for.
    vouching: Option<Vouching>,
}

/// The fast path: which packages are analysed ([`prescan::select`]), and their files, read
/// ([`prescan::analysed_sources`]; none with the fast path off, and then nothing is blanked).
fn fast_path(
    workspace: &Workspace,
    catalog: &Catalog,
    config: &Config,
    options: &Options,
) -> (prescan::Selection, prescan::Sources) {
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
    (selection, sources)
}

/// Loads and models the selected packages' targets in hollowing's rounds, with `beside`
/// running on what the fast path read.
fn model<B: Send>(
    workspace: &Workspace,
    catalog: &Catalog,
    config: &Config,
    options: &Options,
    (selection, sources): (&prescan::Selection, &prescan::Sources),
    beside: impl FnOnce(Read<'_>) -> B + Send,
) -> (Modelled, B) {
    // Plans are made on the text spans point into: without a byte order mark.
    let planned = crate::source::without_boms(&sources.texts);
    let plans = timings::time(Stage::Prescan, || {
        if !options.always_plan && rounds::gives_up_early(sources) {
            rounds::Plans::Fixed(Hollowing::docs_only(&planned).unwrap_or_default())
        } else {
            rounds::Plans::Demanded(new_planner(workspace, &planned, catalog, config).map(Box::new))
        }
    });
    let units = units::units_of(workspace, selection);
    // Entries are only valid for the same catalogue (configuration included) and root.
    let cache = options.cache_dir.as_ref().map(|dir| {
        let salt = format!("{}\n{catalog:?}", workspace.root.display());
        crate::cache::Cache::new(dir.clone(), &salt)
    });
    let known = catalog.known_paths();
    let unstarted = units::Unstarted::default();
    let context = units::UnitContext {
        root: &workspace.root,
        catalog,
        known: &known,
        // Each round models with its own plan.
        hollowing: &Hollowing::default(),
        read: &sources.texts,
        unstarted: options.exits_after.then_some(&unstarted),
    };
    let rounds = rounds::Rounds::new(plans, workspace, selection, sources, options.always_plan);
    // The texts analysed may have been read while discovery ran: what is handed over counts
    // from then.
    let now = SystemTime::now();
    let started = options
        .prescanned
        .read_since()
        .map_or(now, |early| early.min(now));
    let read = Read {
        texts: &sources.texts,
        workspace,
        package_files: &selection.files,
        started,
    };
    std::thread::scope(|scope| {
        let beside = scope.spawn(move || beside(read));
        // Strict mode vouches for no edit: no planner is made for it.
        let make_planner = || new_planner(workspace, &planned, catalog, config);
        let vouch = (options.record && !config.strict_anywhere(workspace.crates.len()))
            .then_some(&make_planner as rounds::MakePlanner<'_, '_>);
        let (outputs, vouching) = rounds.analyse(&units, context, cache.as_ref(), vouch);
        let modelled = Modelled {
            units: units.into_iter().zip(outputs).collect(),
            vouching,
        };
        let beside = beside
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (modelled, beside)
    })
}

/// The problems discovery met, as warnings.
fn workspace_problems(workspace: &Workspace) -> Vec<Diagnostic> {
    workspace
        .problems
        .iter()
        .map(|problem| {
            let shown = crate::source::display_name(&problem.path, &workspace.root);
            Diagnostic::input(Level::Warn, format!("{shown}: {}", problem.message), None)
        })
        .collect()
}

/// Frees the facts, the bulk of the run's memory, on a thread of its own: nothing after the
/// rules reads them, and freeing millions of events took 2% of a cold run on syd (24 ms
/// of 1.2 s) that the report would otherwise wait for. The command line ends the process
/// without waiting for that thread; when no thread can be had, they are freed here.
fn free(effects: effects::Effects, packages: Vec<crate::model::CrateFacts>) {
    let freeing = move || {
        drop(effects);
        drop(packages);
        release_freed_memory();
    };
    // A failed spawn drops the closure, and with it the facts, on this thread.
    let _detached = std::thread::Builder::new()
        .name("nslint-free".to_owned())
        .spawn(freeing);
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
    sources: &'f [(PathBuf, Text)],
    catalog: &Catalog,
    config: &Config,
) -> Option<hollow::Planner<'f>> {
    if sources.is_empty() {
        return None;
    }
    let strict = config.strict_anywhere(workspace.crates.len());
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

/// Runs `work` on a pool of [`thread_count`] threads with [`crate::nesting::ANALYSIS_STACK_BYTES`]
/// of stack each (syn and the walks over its tree recurse as deeply as the code nests; parsing
/// bounds that nesting). When no pool can be had (resource limits), `work` runs on the calling
/// thread, whose parallel iterators then run on rayon's global pool.
fn with_pool<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(thread_count())
        .stack_size(crate::nesting::ANALYSIS_STACK_BYTES)
        .thread_name(|i| format!("nslint-{i}"))
        .build();
    match pool {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

/// How the message of a diagnostic for a caught panic starts; the command line exits with
/// status 2 when one is reported.
pub const INTERNAL_ERROR: &str = "internal error";
