//! Property tests (issue 8): the fixture files under `fixtures/cases/`, mutated (ranges
//! deleted or duplicated, brackets, quotes, comment markers, line endings, byte-order marks,
//! raw switches, module declarations and invalid UTF-8 inserted), never make nslint panic;
//! the output is the same on every run; every finding points at a line that exists.

use nslint::analysis::{Analysis, INTERNAL_ERROR, analyze};
use nslint::catalog::Catalog;
use nslint::config::LintLevels;
use nslint::discover::Workspace;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The top-level `.rs` fixtures, read once.
fn fixtures() -> &'static Vec<(String, Vec<u8>)> {
    static FIXTURES: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cases");
        let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .expect("fixtures/cases")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .map(|p| {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                (name.unwrap_or_default(), std::fs::read(&p).expect("read"))
            })
            .collect();
        found.sort();
        assert!(found.len() >= 5, "fixtures: {}", found.len());
        found
    })
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::builtin().expect("catalogue"))
}

/// Text fragments that stress the lexer, the parser and the model.
const SNIPPETS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "<",
    ">",
    "|",
    "!",
    "&",
    "?",
    ";",
    ",",
    "\"",
    "'",
    "r#\"",
    "\"#",
    "/*",
    "*/",
    "//",
    "///",
    "\n",
    "\r\n",
    "\r",
    "\u{feff}",
    "é",
    "\u{1F600}",
    "#!",
    "#[",
    "$",
    "unsafe { libc::setns(0, libc::CLONE_NEWNET) };",
    "nix::sched::unshare(CloneFlags::CLONE_NEWUSER)?;",
    "mod missing;",
    "#[path = \"/proc/self/environ\"] mod env;",
    "#[path = \"..\"] mod up;",
    "// nslint: allow(raw_namespace_switch) -- reason\n",
    "#[cfg_attr(nslint, allow(nslint::raw_namespace_switch, reason = \"x\"))]",
    ".await",
    "async move {",
    "std::thread::spawn(move || {",
    "tokio::spawn(async move {",
    "fn f() {",
    "impl X {",
    "match x {",
    "if a {} else {",
    "loop {",
    "return;",
    "break;",
];

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Duplicate(usize, usize),
    Insert(usize, usize),
    Bytes(usize, Vec<u8>),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0usize..200).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (any::<usize>(), 0usize..400).prop_map(|(at, len)| Mutation::Duplicate(at, len)),
        (any::<usize>(), 0..SNIPPETS.len()).prop_map(|(at, i)| Mutation::Insert(at, i)),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Mutation::Bytes(at, bytes)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len();
        let at = |i: usize| if len == 0 { 0 } else { i % (len + 1) };
        match m {
            Mutation::Delete(i, n) => {
                let start = at(*i);
                let end = (start + n).min(len);
                bytes.drain(start..end);
            }
            Mutation::Duplicate(i, n) => {
                let start = at(*i);
                let end = (start + n).min(len);
                let copy = bytes[start..end].to_vec();
                bytes.splice(end..end, copy);
            }
            Mutation::Insert(i, s) => {
                let pos = at(*i);
                bytes.splice(pos..pos, SNIPPETS[*s].bytes());
            }
            Mutation::Bytes(i, b) => {
                let pos = at(*i);
                bytes.splice(pos..pos, b.iter().copied());
            }
            Mutation::Truncate(i) => bytes.truncate(at(*i)),
        }
    }
    bytes
}

/// Lints `bytes` as a loose file in `dir` and renders it as short text and JSON.
fn lint(dir: &Path, bytes: &[u8]) -> (Analysis, String) {
    let file: PathBuf = dir.join("case.rs");
    std::fs::write(&file, bytes).expect("write");
    let workspace = Workspace {
        root: dir.to_path_buf(),
        loose_files: vec![file],
        ..Workspace::default()
    };
    let analysis = analyze(&workspace, catalog(), &LintLevels::default());
    let mut rendered = nslint::report::render_short(&analysis);
    rendered.push_str(&nslint::report::render_json(&analysis, &workspace, false).expect("json"));
    (analysis, rendered)
}

fn check(bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let (analysis, first) = lint(dir.path(), &bytes);
    let (_, second) = lint(dir.path(), &bytes);
    prop_assert_eq!(&first, &second, "output differs between two runs");
    for d in &analysis.diagnostics {
        prop_assert!(
            !d.message.starts_with(INTERNAL_ERROR),
            "a panic was caught: {}",
            d.message
        );
        for label in d.primary.iter().chain(&d.secondary) {
            let file = analysis.db.get(label.span.file);
            let range = &label.span.range;
            prop_assert!(range.start <= range.end && range.end <= file.text.len());
            let line = file.position(range.start).line;
            prop_assert!(line >= 1 && line <= file.line_count());
            prop_assert!(file.text.is_char_boundary(range.start));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn mutated_fixtures_never_panic_and_give_stable_output_on_existing_lines(
        index in any::<prop::sample::Index>(),
        mutations in proptest::collection::vec(mutation(), 1..8),
    ) {
        let (_, original) = &fixtures()[index.index(fixtures().len())];
        let bytes = apply(original.clone(), &mutations);
        // The rules and reports run on the caller's stack: give the case a large one.
        let outcome = std::thread::Builder::new()
            .stack_size(nslint::nesting::ANALYSIS_STACK_BYTES)
            .spawn(move || check(bytes))
            .expect("thread")
            .join();
        match outcome {
            Ok(result) => result?,
            Err(_) => prop_assert!(false, "nslint panicked"),
        }
    }

    #[test]
    fn unmutated_fixtures_report_the_same_twice(index in any::<prop::sample::Index>()) {
        let (_, original) = &fixtures()[index.index(fixtures().len())];
        check(original.clone())?;
    }
}
