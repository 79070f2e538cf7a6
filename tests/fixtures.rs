//! The fixture runner: every `.rs` file and crate under `fixtures/cases/`, and the demo
//! workspace, is linted; the findings must equal the `//~ <lint> ...` annotations exactly.
//!
//! An annotation lists what is expected on its own line: lint names, or `error`/`warning`
//! for problems reading the code (a file that does not parse, a missing module file).

use nslint::analysis::{Analysis, analyze_with};
use nslint::catalog::Catalog;
use nslint::config::CommandLine;
use nslint::diagnostic::Origin;
use nslint::discover::{CargoSelection, Workspace, discover_cargo, discover_paths};
use nslint::registry::Level;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

type Findings = BTreeMap<(PathBuf, usize, String), usize>;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// The `//~` annotations of every `.rs` file below `root`.
fn expected(root: &Path) -> Findings {
    let mut findings = Findings::new();
    let files: Vec<PathBuf> = if root.is_file() {
        vec![root.to_path_buf()]
    } else {
        walk_rs(root)
    };
    for file in files {
        let text = std::fs::read_to_string(&file).expect("fixture is readable");
        for (index, line) in text.lines().enumerate() {
            let Some((_, names)) = line.split_once("//~") else {
                continue;
            };
            for name in names.split_whitespace() {
                *findings
                    .entry((canonical(&file), index + 1, name.to_owned()))
                    .or_default() += 1;
            }
        }
    }
    findings
}

fn walk_rs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("fixture dir is readable")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(walk_rs(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

fn actual(analysis: &Analysis) -> Findings {
    let mut findings = Findings::new();
    for d in &analysis.diagnostics {
        let name = match d.origin {
            Origin::Lint(lint) => lint.name.to_owned(),
            Origin::Input if d.level == Level::Deny => "error".to_owned(),
            Origin::Input => "warning".to_owned(),
        };
        let Some(primary) = &d.primary else {
            panic!("unexpected diagnostic without a location: {}", d.message);
        };
        let file = analysis.db.get(primary.span.file);
        let line = file.position(primary.span.range.start).line;
        *findings
            .entry((canonical(&file.path), line, name))
            .or_default() += 1;
    }
    findings
}

/// Lints a workspace as the CLI does, configuration included (a case may declare scopes or
/// strict mode in its manifest).
fn run(workspace: &Workspace) -> Analysis {
    let config = nslint::config::load(workspace, &CommandLine::default())
        .unwrap_or_else(|e| panic!("configuration: {e}"));
    let mut catalog = Catalog::builtin().expect("catalogue parses");
    catalog.extend(config.catalog.clone());
    analyze_with(workspace, &catalog, &config)
}

/// Differences between expected and actual findings, one line each.
fn compare(name: &str, expected: &Findings, actual: &Findings) -> Vec<String> {
    let mut problems = Vec::new();
    let keys: std::collections::BTreeSet<_> = expected.keys().chain(actual.keys()).collect();
    for key in keys {
        let want = expected.get(key).copied().unwrap_or(0);
        let got = actual.get(key).copied().unwrap_or(0);
        if want != got {
            let (file, line, lint) = key;
            let kind = if got > want { "unexpected" } else { "missing" };
            problems.push(format!(
                "{name}: {kind} `{lint}` at {}:{line} (expected {want}, found {got})",
                file.display()
            ));
        }
    }
    problems
}

#[test]
fn every_case_matches_its_annotations() {
    let cases_dir = fixtures_dir().join("cases");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&cases_dir)
        .expect("fixtures/cases exists")
        .map(|e| e.expect("entry").path())
        .collect();
    cases.sort();
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut annotations = 0;
    for case in &cases {
        let analysis = run(&discover_paths(std::slice::from_ref(case)));
        let name = case
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let expected = expected(case);
        annotations += expected.values().sum::<usize>();
        problems.extend(compare(&name, &expected, &actual(&analysis)));
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixture cases found");
    assert!(annotations >= 80, "only {annotations} annotations found");
    assert!(
        problems.is_empty(),
        "fixture mismatches:\n{}",
        problems.join("\n")
    );
}

#[test]
fn demo_workspace_matches_its_annotations_through_cargo_metadata() {
    let demo = fixtures_dir().join("demo");
    let selection = CargoSelection {
        manifest_path: Some(demo.join("Cargo.toml")),
        workspace: true,
        current_dir: demo.clone(),
        ..CargoSelection::default()
    };
    let workspace = discover_cargo(&selection).expect("cargo metadata on the demo");
    assert_eq!(workspace.crates.len(), 2, "both demo members are found");
    let analysis = run(&workspace);
    let problems = compare("demo", &expected(&demo), &actual(&analysis));
    assert!(
        problems.is_empty(),
        "demo mismatches:\n{}",
        problems.join("\n")
    );
}

#[test]
fn workspace_fixture_through_cargo_matches_path_mode() {
    let root = fixtures_dir().join("cases").join("workspace");
    let selection = CargoSelection {
        manifest_path: Some(root.join("Cargo.toml")),
        workspace: true,
        current_dir: root.clone(),
        ..CargoSelection::default()
    };
    let through_cargo = run(&discover_cargo(&selection).expect("cargo metadata"));
    let through_paths = run(&discover_paths(std::slice::from_ref(&root)));
    assert_eq!(actual(&through_cargo), actual(&through_paths));
    assert_eq!(actual(&through_cargo), expected(&root));
}

/// A finding's notes say why its code runs on a thread it must hand back unswitched (the
/// witness: the root of its calling context, and the calls from there), and its labels what
/// the code does. Annotations cover neither, so a few of each kind are checked here.
#[test]
fn findings_say_why_their_code_runs_on_a_shared_thread() {
    let cases = fixtures_dir().join("cases");
    let checks: &[(&str, usize, &str)] = &[
        (
            "contexts_public",
            38,
            "`configure_for_callers` is public: callers outside the workspace may run it",
        ),
        (
            "regions_try_between.rs",
            14,
            "no caller of `configure_pod` is known in the workspace",
        ),
        (
            "contexts_flag_arguments.rs",
            53,
            "handed to a thread pool here (reached as closure → configure_pool)",
        ),
        (
            "contexts_flag_arguments.rs",
            53,
            "`closure` calls `configure_pool`",
        ),
        (
            "contexts_public",
            52,
            "`attach` is public: callers outside the workspace may run it",
        ),
        (
            "contexts_public",
            65,
            "`detach` is public: callers outside the workspace may run it",
        ),
        (
            "contexts_library",
            52,
            "`podnet_configure` is public: callers outside the workspace may run it",
        ),
        (
            "contexts_library",
            64,
            "`reset` is public: callers outside the workspace may run it",
        ),
        (
            "contexts_library",
            76,
            "`podnet_flush` is public: callers outside the workspace may run it",
        ),
        (
            "contexts_library",
            88,
            "`refresh` is public: callers outside the workspace may run it",
        ),
        (
            "fork_parent_test.rs",
            32,
            "`spawn_container_wrong_branch` is public",
        ),
        (
            "regions_kinds.rs",
            15,
            "switches this thread into another uts namespace",
        ),
        (
            "thread_kinds.rs",
            15,
            "moves this thread into a new mnt and user namespace",
        ),
    ];
    for (case, line, text) in checks {
        let analysis = run(&discover_paths(&[cases.join(case)]));
        let notes: Vec<&str> = analysis
            .diagnostics
            .iter()
            .filter(|d| {
                d.primary.as_ref().is_some_and(|p| {
                    analysis
                        .db
                        .get(p.span.file)
                        .position(p.span.range.start)
                        .line
                        == *line
                })
            })
            .flat_map(|d| {
                let labels = d
                    .primary
                    .iter()
                    .chain(&d.secondary)
                    .map(|l| l.message.as_str());
                let children = d.children.iter().map(|c| c.message.as_str());
                labels.chain(children)
            })
            .collect();
        assert!(
            notes.iter().any(|n| n.contains(text)),
            "{case}:{line}: no label or note saying {text:?} among {notes:#?}"
        );
    }
}
