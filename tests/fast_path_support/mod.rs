//! What the fast-path tests share: a run with or without the fast path, and everything it
//! reports as comparable text.

use nslint::analysis::{Analysis, Options, analyze_with_options};
use nslint::catalog::Catalog;
use nslint::config::CommandLine;
use nslint::discover::Workspace;

/// How a test run is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// Without the fast path: everything analysed in full.
    Full,
    /// With the fast path and no cache, as a one-shot run (CI): hollowing may be given up.
    Fast,
    /// With the fast path and a cache, hollowing planned in rounds whatever the workspace's
    /// shape ([`Options::always_plan`]).
    Planned,
}

/// Analyses `workspace` with its configuration, the `way` given.
pub fn run(workspace: &Workspace, way: Way) -> Analysis {
    let config = nslint::config::load(workspace, &CommandLine::default())
        .unwrap_or_else(|e| panic!("configuration: {e}"));
    let mut catalog = Catalog::builtin().expect("catalogue parses");
    catalog.extend(config.catalog.clone());
    let cache = tempfile::tempdir().expect("a cache directory");
    analyze_with_options(
        workspace,
        &catalog,
        &config,
        Options {
            fast_path: way != Way::Full,
            cache_dir: (way == Way::Planned).then(|| cache.path().to_path_buf()),
            // The plan parsed with comes back with its vocabulary.
            record: way == Way::Planned,
            prescanned: Default::default(),
            exits_after: false,
            always_plan: way == Way::Planned,
        },
    )
}

/// Everything a run reports, with file ids turned into names.
pub fn rendered(analysis: &Analysis) -> Vec<String> {
    let name = |id| analysis.db.get(id).display_name.clone();
    let mut out: Vec<String> = analysis
        .diagnostics
        .iter()
        .map(|d| {
            let primary = d
                .primary
                .as_ref()
                .map(|p| (name(p.span.file), p.span.range.clone()));
            let children: Vec<_> = d
                .children
                .iter()
                .map(|c| {
                    (
                        c.message.clone(),
                        c.span.as_ref().map(|s| (name(s.file), s.range.clone())),
                    )
                })
                .collect();
            format!(
                "{:?} {:?} {} {primary:?} {children:?}",
                d.origin, d.level, d.message
            )
        })
        .collect();
    out.extend(analysis.suppressed.iter().map(|s| {
        format!(
            "suppressed {} at {:?} by {}:{:?}",
            s.diagnostic.message,
            s.diagnostic.primary.as_ref().map(|p| p.span.range.clone()),
            name(s.by.file),
            s.by.range
        )
    }));
    out
}
