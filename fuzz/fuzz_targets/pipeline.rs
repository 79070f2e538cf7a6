//! The whole pipeline from bytes: the input is written to a file and linted as a loose file,
//! then every report format is rendered and a baseline computed. A panic anywhere (including
//! one that nslint catches and reports as an internal error), a span outside its file or a
//! report that fails to render is a finding.

#![no_main]

use codespan_reporting::term::termcolor::NoColor;
use libfuzzer_sys::fuzz_target;
use nslint::analysis::{INTERNAL_ERROR, analyze};
use nslint::baseline::Baseline;
use nslint::catalog::Catalog;
use nslint::config::LintLevels;
use nslint::discover::Workspace;
use std::path::PathBuf;
use std::sync::OnceLock;

/// A directory of this process's own, reused for every input.
fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("nslint-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        dir
    })
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::builtin().expect("the built-in catalogue loads"))
}

fuzz_target!(|data: &[u8]| {
    let root = scratch().clone();
    let file = root.join("input.rs");
    std::fs::write(&file, data).expect("write the input");
    let workspace = Workspace {
        root,
        loose_files: vec![file],
        ..Workspace::default()
    };
    let analysis = analyze(&workspace, catalog(), &LintLevels::default());
    for diagnostic in &analysis.diagnostics {
        assert!(
            !diagnostic.message.starts_with(INTERNAL_ERROR),
            "{}",
            diagnostic.message
        );
        for label in diagnostic.primary.iter().chain(&diagnostic.secondary) {
            let text = &analysis.db.get(label.span.file).text;
            assert!(label.span.range.start <= label.span.range.end);
            assert!(label.span.range.end <= text.len(), "span past the end");
        }
    }
    let mut human = NoColor::new(Vec::new());
    nslint::report::render_human(&analysis, &mut human, true).expect("human");
    nslint::report::render_json(&analysis, &workspace, false).expect("json");
    nslint::report::render_sarif(&analysis, &workspace).expect("sarif");
    let _ = nslint::report::render_github(&analysis);
    let _ = nslint::report::render_short(&analysis);
    let _ = Baseline::of(&analysis);
});
