//! The fast path never changes findings, on real code (issue 19): the registry crates this
//! workspace's `Cargo.lock` names, as cargo unpacked them to build it, are linted together in
//! path mode with and without the fast path, and every finding and suppression must be the
//! same. Problems reading code (a missing module file, a parse error) are the documented
//! exception: a package the fast path skips is not read, so the fast run's problems need only
//! be among the full run's. The library is called directly: both runs see the same discovered
//! workspace, and a difference is shown as the findings one run has and the other lacks.
//!
//! `NSLINT_DIFFERENTIAL_DIRS` (paths separated by `:`) adds trees to compare the same way, each
//! linted alone in path mode: the real-crate bench corpora, lintcheck's sources.

mod common;
mod fast_path_support;

use common::{extra_trees, registry_sources, unpacked_locked_crates};
use fast_path_support::{Way, rendered, run};
use nslint::discover::discover_paths;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The fewest unpacked crates the comparison accepts: a machine that built this workspace
/// has every one of its registry dependencies (over a hundred).
const FEWEST_CRATES: usize = 40;

#[test]
fn the_fast_path_finds_what_a_full_run_finds_in_the_crates_this_workspace_builds_with() {
    let crates = unpacked_locked_crates();
    assert!(
        crates.len() >= FEWEST_CRATES,
        "only {} of this workspace's registry dependencies are unpacked under {}: build the \
         workspace first (the comparison must not pass on nothing)",
        crates.len(),
        registry_sources().display()
    );
    // This repository's runtime crate and demo hold namespace code and suppressions: with them
    // the comparison has findings to lose.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = crates;
    paths.extend([repo.join("nsscope"), repo.join("fixtures/demo")]);
    let findings = compare("the locked registry crates, nsscope and the demo", &paths);
    assert!(findings >= 10, "only {findings} findings to compare");
    for dir in extra_trees("NSLINT_DIFFERENTIAL_DIRS") {
        compare(&dir.display().to_string(), std::slice::from_ref(&dir));
    }
}

/// Lints `paths` as one path-mode workspace with and without the fast path; fails on any
/// difference, naming what each run alone reported. Returns the number of findings and
/// suppressions compared.
fn compare(what: &str, paths: &[PathBuf]) -> usize {
    let workspace = discover_paths(paths);
    assert!(!workspace.crates.is_empty(), "{what}: no package found");
    let full = rendered(&run(&workspace, Way::Full));
    let full_set: BTreeSet<&String> = full.iter().collect();
    let is_problem = |d: &&&String| reading_problem(d);
    let mut fast = Vec::new();
    for way in [Way::Fast, Way::Planned] {
        fast = rendered(&run(&workspace, way));
        let fast_set: BTreeSet<&String> = fast.iter().collect();
        let lost: Vec<&&String> = full_set
            .difference(&fast_set)
            .filter(|d| !is_problem(d))
            .collect();
        let added: Vec<&&String> = fast_set.difference(&full_set).collect();
        assert!(
            lost.is_empty() && added.is_empty(),
            "{what}: the fast path ({way:?}) changed the findings ({} packages)\nonly without \
             it: {lost:#?}\nonly with it: {added:#?}",
            workspace.crates.len()
        );
    }
    let findings = |all: &[String]| all.iter().filter(|d| !reading_problem(d)).count();
    assert_eq!(findings(&fast), findings(&full), "{what}: findings repeat");
    eprintln!(
        "{what}: {} packages, {} findings and suppressions the same with and without the fast \
         path ({} of {} problems reading code reported with it)",
        workspace.crates.len(),
        findings(&full),
        fast.len() - findings(&fast),
        full.len() - findings(&full),
    );
    findings(&full)
}

/// Whether a rendered diagnostic is a problem reading code (an input problem, or code nslint
/// could not read): the fast path does not read the packages it rules out, so it does not
/// report theirs.
fn reading_problem(rendered: &str) -> bool {
    rendered.starts_with("Input ") || rendered.starts_with("Lint(Lint { name: \"unanalyzed_code\"")
}
