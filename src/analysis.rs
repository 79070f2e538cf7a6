//! The pipeline for one run: load each discovered crate, resolve, extract facts, run the
//! rules, then apply levels and suppressions and put the results in a stable order.

use crate::catalog::Catalog;
use crate::config::{Config, LintLevels};
use crate::diagnostic::{Diagnostic, Origin, Span};
use crate::discover::{CrateSpec, TargetSpec, Workspace};
use crate::effects::{self, Finding};
use crate::model::{CrateFacts, extract_facts};
use crate::registry::Level;
use crate::resolve::{Loader, Resolver, RootKind, load_crate};
use crate::rules::{RuleInput, check_all};
use crate::source::FileId;
use crate::source::SourceDb;
use crate::suppress::{self, Allow, Suppressed};
use crate::timings::{self, Stage};
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

/// Analyses every crate and loose file of a workspace with a full configuration: levels per
/// package and excluded paths (the catalogue passed in already includes configured entries).
pub fn analyze_with(workspace: &Workspace, catalog: &Catalog, config: &Config) -> Analysis {
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
    let mut loader = Loader {
        db: &mut db,
        root: &workspace.root,
        diagnostics: &mut diagnostics,
    };
    let mut findings = Vec::new();
    let mut packages = Vec::new();
    let mut owners = BTreeMap::new();
    for (crate_index, spec) in workspace.crates.iter().enumerate() {
        let mut facts = CrateFacts::default();
        let mut seen = BTreeSet::new();
        for (target_index, target) in spec.targets.iter().enumerate() {
            if !seen.insert(target.src_path.clone()) {
                continue;
            }
            let name = target_crate_name(spec, target);
            let (target_facts, files) = target_facts(
                &name,
                &target.src_path,
                RootKind::Target,
                catalog,
                &known,
                &mut loader,
                &mut allows,
            );
            facts.merge(target_facts);
            let owner = TargetRef {
                crate_index,
                target_index,
            };
            for file in files {
                owners.entry(file).or_insert(owner);
            }
        }
        // A package is one unit for "does this crate switch threads": a bin and its lib.
        packages.push(facts);
    }
    for file in &workspace.loose_files {
        let name = loose_crate_name(file);
        let (facts, _) = target_facts(
            &name,
            file,
            RootKind::Loose,
            catalog,
            &known,
            &mut loader,
            &mut allows,
        );
        packages.push(facts);
    }
    // Effects span the workspace: a helper in one crate switches for a caller in another.
    let effects = timings::time(Stage::Effects, || effects::analyze(&packages));
    let rules_started = Instant::now();
    for (index, facts) in packages.iter().enumerate() {
        let regions: Vec<&Finding> = effects
            .findings
            .iter()
            .filter(|(package, _)| *package == index)
            .map(|(_, finding)| finding)
            .collect();
        let outside_scope: Vec<(&Span, &str)> = effects
            .outside_scope
            .iter()
            .filter(|(package, _, _)| *package == index)
            .map(|(_, span, what)| (span, what.as_str()))
            .collect();
        let strict = config.strict_for((index < workspace.crates.len()).then_some(index));
        findings.extend(check_all(&RuleInput {
            facts,
            regions: &regions,
            outside_scope: &outside_scope,
            strict,
        }));
    }
    timings::record(Stage::Rules, rules_started.elapsed());
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

/// Loads one target and extracts its facts; also returns the files it consists of.
///
/// The work runs on a thread with [`crate::parse::ANALYSIS_STACK_BYTES`] of stack, because syn
/// and the walks over its tree recurse as deeply as the code nests (parsing bounds that
/// nesting), and a panic in it becomes an internal-error diagnostic naming the target's root
/// file: the rest of the run goes on.
fn target_facts(
    name: &str,
    root: &Path,
    kind: RootKind,
    catalog: &Catalog,
    known: &BTreeSet<String>,
    loader: &mut Loader<'_>,
    allows: &mut Vec<Allow>,
) -> (CrateFacts, Vec<FileId>) {
    use std::panic::{AssertUnwindSafe, catch_unwind};
    let spawned = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("nslint-target".to_owned())
            .stack_size(crate::parse::ANALYSIS_STACK_BYTES)
            .spawn_scoped(scope, || {
                catch_unwind(AssertUnwindSafe(|| {
                    target_facts_unguarded(name, root, kind, catalog, known, loader, allows)
                }))
            })
            .map(|handle| handle.join())
    });
    let outcome = match spawned {
        Ok(joined) => joined.unwrap_or_else(Err),
        // No thread to be had (resource limits): analyse on this one.
        Err(_) => catch_unwind(AssertUnwindSafe(|| {
            target_facts_unguarded(name, root, kind, catalog, known, loader, allows)
        })),
    };
    outcome.unwrap_or_else(|payload| {
        let shown = crate::source::display_name(root, loader.root);
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_owned());
        loader.diagnostics.push(
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
    })
}

/// How the message of a diagnostic for a caught panic starts; the command line exits with
/// status 2 when one is reported.
pub const INTERNAL_ERROR: &str = "internal error";

/// Loads one target and extracts its facts, on the calling thread; see [`target_facts`].
fn target_facts_unguarded(
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
    allows.extend(timings::time(Stage::Suppress, || {
        suppress::attribute_allows(&tree)
    }));
    let resolver = timings::time(Stage::Resolve, || Resolver::new(&tree, catalog, known));
    let files = tree.modules.iter().map(|m| m.file).collect();
    let facts = timings::time(Stage::Model, || extract_facts(&resolver, catalog));
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
