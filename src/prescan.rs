//! The fast path: a byte scan of every package's source files that decides which packages are
//! analysed at all, before anything is parsed.
//!
//! A package can only produce findings if its code names something in the catalogue that moves
//! threads between namespaces (a raw switch, a scope API), an entry added by configuration, a
//! process-wide namespace path or an `nslint` directive — or if it calls such code in a
//! workspace dependency. Everything else is left out, with three rules that keep the result
//! identical to a full run:
//!
//! - a package that (transitively) depends on a matching package is analysed: it may call a
//!   helper there that switches or returns a guard;
//! - the workspace dependencies of every analysed package are analysed too (transitively):
//!   effects need their summaries (a helper without namespace code may open the socket that
//!   a switched caller reaches, like the demo's `netutil`);
//! - whatever the scan cannot vouch for is analysed: a file that cannot be read as UTF-8, a
//!   `#[path = ..]` attribute (a module may live outside the scanned directories), a directory
//!   reached through a symbolic link, a dependency whose package cannot be identified.
//!
//! Strict mode turns the fast path off for the packages it applies to. The needles are derived
//! from the catalogue ([`Needles::new`]), never written here.

mod early;

pub use early::{EarlyScan, Prescanned};

use crate::catalog::Catalog;
use crate::discover::Workspace;
use aho_corasick::AhoCorasick;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The byte strings whose presence makes a package worth analysing.
pub struct Needles {
    words: Vec<String>,
    /// Crate names that catalogue entries live in (`nsscope`): a workspace member of that
    /// name is the API itself, and its dependents are analysed.
    api_crates: BTreeSet<String>,
    matcher: Option<AhoCorasick>,
}

impl Needles {
    /// The needles of a catalogue (built-in plus configured entries) and of the entries added
    /// by configuration (`configured`, a subset of `catalog`, whose every path segment counts).
    pub fn new(catalog: &Catalog, configured: &Catalog) -> Self {
        // Suppressions are reported when unused, so a package holding a directive is always
        // analysed.
        let mut words = BTreeSet::from([crate::suppress::DIRECTIVE_WORD.to_owned()]);
        let mut api_crates = BTreeSet::new();
        for switch in &catalog.switches {
            let name = switch.syscall.as_deref().unwrap_or(&switch.path);
            words.insert(last_segment(name).to_owned());
            api_crates.insert(first_segment(&switch.path).to_owned());
        }
        for scope in &catalog.scopes {
            for path in [&scope.path, &scope.receiver].into_iter().flatten() {
                words.insert(first_segment(path).to_owned());
                words.insert(last_segment(path).to_owned());
                api_crates.insert(first_segment(path).to_owned());
            }
        }
        for path in &catalog.process_wide_paths {
            words.insert(path.prefix.trim_end_matches('/').to_owned());
        }
        for path in configured_strings(configured) {
            words.insert(first_segment(&path).to_owned());
            words.insert(last_segment(&path).to_owned());
            if path.contains("::") {
                api_crates.insert(first_segment(&path).to_owned());
            }
        }
        words.retain(|w| !w.is_empty());
        // Crates of the standard library are in every program: they are no signal.
        api_crates.retain(|c| !matches!(c.as_str(), "std" | "core" | "alloc" | "libc" | ""));
        let words: Vec<String> = words.into_iter().collect();
        let matcher = AhoCorasick::new(&words).ok();
        Needles {
            words,
            api_crates,
            matcher,
        }
    }

    /// The needles, sorted.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Where needles occur in `text` (overlapping ones included), as offset and length;
    /// without an automaton, everywhere.
    pub fn occurrences<'t>(
        &'t self,
        text: &'t [u8],
    ) -> Box<dyn Iterator<Item = (usize, usize)> + 't> {
        match &self.matcher {
            Some(matcher) => Box::new(
                matcher
                    .find_overlapping_iter(text)
                    .map(|m| (m.start(), m.len())),
            ),
            None => Box::new(std::iter::once((0, text.len().max(1)))),
        }
    }

    /// Whether a text contains any needle.
    pub fn matches(&self, text: &[u8]) -> bool {
        match &self.matcher {
            Some(matcher) => matcher.is_match(text),
            // No automaton could be built: nothing can be ruled out.
            None => true,
        }
    }
}

/// Every path, method and prefix string of the entries configuration added.
pub fn configured_strings(c: &Catalog) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: &Option<String>| out.extend(s.iter().cloned());
    for e in &c.switches {
        add(&Some(e.path.clone()));
        add(&e.syscall);
    }
    for e in &c.scopes {
        add(&e.path);
        add(&e.receiver);
        add(&e.method);
    }
    for e in &c.sensitive {
        add(&e.path);
        add(&e.method);
    }
    for e in &c.escapes {
        add(&e.path);
        add(&e.method);
        add(&e.receiver);
        add(&e.trait_path);
    }
    for e in &c.contexts {
        add(&e.path);
        add(&e.method);
        add(&e.trait_path);
    }
    for e in &c.forks {
        add(&Some(e.path.clone()));
    }
    for e in &c.execs {
        add(&e.path);
        add(&e.method);
        add(&e.trait_path);
    }
    for e in &c.builders {
        add(&Some(e.type_path.clone()));
    }
    for e in &c.process_wide_paths {
        add(&Some(e.prefix.trim_end_matches('/').to_owned()));
    }
    for e in &c.sensitive_paths {
        add(&Some(e.prefix.trim_end_matches('/').to_owned()));
    }
    for e in &c.flags {
        out.extend(e.paths.iter().cloned());
    }
    out
}

fn first_segment(path: &str) -> &str {
    path.split("::").next().unwrap_or(path)
}

fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// What the scan decided for each package of a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// For each entry of [`Workspace::crates`], whether it is analysed.
    pub analysed: Vec<bool>,
    /// For each package, whether it is analysed for its own sake (it matches, or depends on
    /// a package that does), rather than only for summaries its dependents may read.
    pub core: Vec<bool>,
    /// For each package, whether its own files matched (or could not be vouched for).
    pub matching: Vec<bool>,
}

impl Selection {
    /// Every package analysed (the fast path off).
    pub fn all(count: usize) -> Self {
        Selection {
            analysed: vec![true; count],
            core: vec![true; count],
            matching: vec![true; count],
        }
    }

    /// Number of packages analysed.
    pub fn analysed_count(&self) -> usize {
        self.analysed.iter().filter(|a| **a).count()
    }
}

/// Scans every package of `workspace` and decides which are analysed. `forced(i)` says that a
/// package is analysed whatever its text (strict mode). The scan runs on the current rayon
/// pool, one package per task.
pub fn select(
    workspace: &Workspace,
    needles: &Needles,
    forced: &(dyn Fn(usize) -> bool + Sync),
    prescanned: &Prescanned,
) -> Selection {
    use rayon::prelude::*;
    let crates = &workspace.crates;
    let matching: Vec<bool> = crates
        .par_iter()
        .enumerate()
        .map(|(index, spec)| {
            forced(index)
                || needles.api_crates.contains(&spec.lib_name())
                || package_matches(
                    spec.targets.iter().map(|t| t.src_path.as_path()),
                    needles,
                    prescanned,
                )
        })
        .collect();
    let mut by_lib: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, spec) in crates.iter().enumerate() {
        by_lib.entry(spec.lib_name()).or_default().push(index);
    }
    let mut deps: Vec<Vec<usize>> = Vec::with_capacity(crates.len());
    let mut unknown_dep = vec![false; crates.len()];
    for (index, spec) in crates.iter().enumerate() {
        let mut list = Vec::new();
        for name in &spec.workspace_deps {
            match by_lib.get(name) {
                Some(found) => list.extend(found.iter().copied().filter(|&d| d != index)),
                // A renamed dependency: which package it is cannot be told by its name.
                None => unknown_dep[index] = true,
            }
        }
        deps.push(list);
    }
    let mut analysed: Vec<bool> = matching
        .iter()
        .zip(&unknown_dep)
        .map(|(m, u)| *m || *u)
        .collect();
    // Dependents of analysed packages: walk the reversed graph.
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); crates.len()];
    for (index, list) in deps.iter().enumerate() {
        for &dep in list {
            dependents[dep].push(index);
        }
    }
    spread(&mut analysed, &dependents);
    if analysed
        .iter()
        .zip(&unknown_dep)
        .any(|(a, unknown)| *a && *unknown)
    {
        // An analysed package needs a dependency nobody can name: analyse everything.
        return Selection::all(crates.len());
    }
    let core = analysed.clone();
    // Their dependencies, for the summaries of the helpers they call.
    spread(&mut analysed, &deps);
    Selection {
        analysed,
        core,
        matching,
    }
}

/// Marks everything reachable through `edges` from a marked node.
fn spread(marked: &mut [bool], edges: &[Vec<usize>]) {
    let mut work: Vec<usize> = (0..marked.len()).filter(|&i| marked[i]).collect();
    while let Some(node) = work.pop() {
        for &next in &edges[node] {
            if !marked[next] {
                marked[next] = true;
                work.push(next);
            }
        }
    }
}

/// Whether any `.rs` file below the directories of a package's target roots holds a needle,
/// or cannot be vouched for.
fn package_matches<'a>(
    roots: impl Iterator<Item = &'a Path>,
    needles: &Needles,
    prescanned: &Prescanned,
) -> bool {
    match package_files(roots) {
        Some(files) => files.iter().any(|file| {
            prescanned
                .verdict(file, needles)
                .unwrap_or_else(|| matches!(scan_file(file, needles, prescanned), Scan::Matches))
        }),
        None => true,
    }
}

/// The `.rs` files of a package: its target roots and every `.rs` file below their
/// directories (`target/` left out). `None` when the walk cannot vouch for the list: a
/// directory that cannot be read, or one reached through a symbolic link (followed by the
/// loader, not by the walk, which could loop).
fn package_files<'a>(roots: impl Iterator<Item = &'a Path>) -> Option<Vec<PathBuf>> {
    walk(roots, None)
}

/// A directory with the hash of what it holds ([`contents_of`]).
pub type DirContents = (PathBuf, u64);

/// Every file the byte scan reads in the workspace's packages, and every directory it
/// searches with a hash of what it holds ([`contents_of`]); `None` when the scan cannot vouch
/// for a package (see [`select`]).
pub fn walk_packages(workspace: &Workspace) -> Option<(Vec<PathBuf>, Vec<DirContents>)> {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for spec in &workspace.crates {
        files.extend(walk(
            spec.targets.iter().map(|t| t.src_path.as_path()),
            Some(&mut dirs),
        )?);
    }
    files.sort();
    files.dedup();
    dirs.sort();
    dirs.dedup_by(|a, b| a.0 == b.0);
    Some((files, dirs))
}

/// A hash of what `dir` holds that a walk looks at: the names of its subdirectories and Rust
/// files. A directory whose hash is unchanged has gained or lost no file a walk would find.
pub fn contents_of(dir: &Path) -> u64 {
    let names = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| is_listed(e.file_type().ok(), &e.path()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    contents_hash(names)
}

/// Whether a directory entry counts for [`contents_of`].
fn is_listed(kind: Option<std::fs::FileType>, path: &Path) -> bool {
    kind.is_some_and(|k| k.is_dir()) || is_rust(path)
}

/// The hash [`contents_of`] gives a directory holding `names`.
fn contents_hash(mut names: Vec<String>) -> u64 {
    names.sort();
    crate::hash::fnv1a64(names.join("\n").as_bytes())
}

/// The Rust files below the directories of `roots` (and the roots), noting each directory
/// searched in `searched`, with the hash [`contents_of`] would give it.
fn walk<'a>(
    roots: impl Iterator<Item = &'a Path>,
    mut searched: Option<&mut Vec<DirContents>>,
) -> Option<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut dirs: Vec<PathBuf> = Vec::new();
    for root in roots {
        // A root file outside its directory tree (unusual) is listed by itself too.
        files.push(root.to_path_buf());
        if let Some(dir) = root.parent() {
            dirs.push(dir.to_path_buf());
        }
    }
    dirs.sort();
    dirs.dedup();
    // Modules live below their root's directory (without `#[path]`, which the scans catch).
    let mut kept: Vec<PathBuf> = Vec::new();
    for dir in dirs {
        if !kept.iter().any(|k| dir.starts_with(k)) {
            kept.push(dir);
        }
    }
    let mut pending = kept;
    while let Some(dir) = pending.pop() {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&dir).ok()? {
            let entry = entry.ok()?;
            let kind = entry.file_type().ok()?;
            let path = entry.path();
            if searched.is_some() && is_listed(Some(kind), &path) {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
            if kind.is_dir() {
                if entry.file_name() != "target" {
                    pending.push(path);
                }
            } else if kind.is_symlink() && path.is_dir() {
                return None;
            } else if is_rust(&path) {
                files.push(path);
            }
        }
        if let Some(searched) = searched.as_deref_mut() {
            searched.push((dir, contents_hash(names)));
        }
    }
    files.sort();
    files.dedup();
    Some(files)
}

/// The `.rs` files of the analysed packages, read.
#[derive(Debug, Default)]
pub struct Sources {
    /// Every file with its text, sorted by path.
    pub texts: Vec<(PathBuf, String)>,
    /// For each entry of [`Workspace::crates`], its files (none when it is not analysed).
    pub package_files: Vec<Vec<PathBuf>>,
}

/// The text of every `.rs` file of the analysed packages and of the loose files' directories,
/// for [`crate::hollow::Planner`] and the loader. `None` when some file cannot be vouched
/// for: the walk failed (see `package_files`) or a file is unreadable or not UTF-8.
/// (`#[path]` attributes are refused by the plan's own scan, which tells them from strings
/// that spell one.) Texts already read for verdicts (by the early scan or the selection) are
/// taken from `prescanned` instead of read again.
pub fn analysed_sources(
    workspace: &Workspace,
    selection: &Selection,
    prescanned: &Prescanned,
) -> Option<Sources> {
    use rayon::prelude::*;
    let read = |path: &Path| {
        prescanned
            .take_text(path)
            .or_else(|| crate::source::read_text(path).ok())
    };
    let per_package: Vec<Option<Vec<(PathBuf, String)>>> = workspace
        .crates
        .par_iter()
        .enumerate()
        .map(|(index, spec)| {
            if !selection.analysed.get(index).copied().unwrap_or(true) {
                return Some(Vec::new());
            }
            let files = package_files(spec.targets.iter().map(|t| t.src_path.as_path()))?;
            files
                .into_iter()
                .map(|path| Some((path.clone(), read(&path)?)))
                .collect()
        })
        .collect();
    // Loose files are crates of their own; their modules live beside them.
    let loose = package_files(workspace.loose_files.iter().map(PathBuf::as_path))?;
    let mut texts: Vec<(PathBuf, String)> = Vec::new();
    let mut package_files = Vec::with_capacity(per_package.len());
    for package in per_package {
        let package = package?;
        package_files.push(package.iter().map(|(path, _)| path.clone()).collect());
        texts.extend(package);
    }
    for path in loose {
        let text = read(&path)?;
        texts.push((path, text));
    }
    texts.sort_by(|a, b| a.0.cmp(&b.0));
    texts.dedup_by(|a, b| a.0 == b.0);
    Some(Sources {
        texts,
        package_files,
    })
}

enum Scan {
    Clean,
    Matches,
}

fn is_rust(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "rs")
}

/// Scans one file: a needle, a `#[path]` attribute, or a file the loader would complain about
/// (unreadable, not UTF-8, too large) all count as a match.
fn scan_file(path: &Path, needles: &Needles, prescanned: &Prescanned) -> Scan {
    let Ok(text) = crate::source::read_text(path) else {
        return Scan::Matches;
    };
    let matches = text_matches(&text, needles);
    // The loader takes it from here if its package is analysed (`analysed_sources`).
    prescanned.keep_text(path, text);
    if matches { Scan::Matches } else { Scan::Clean }
}

/// Whether a file's text makes its package worth analysing: a needle, or a `#[path]`
/// attribute (a module whose file may lie outside the scanned directories).
pub fn text_matches(text: &str, needles: &Needles) -> bool {
    needles.matches(text.as_bytes()) || has_path_attribute(text)
}

/// Whether a text may hold a `#[path = ".."]` attribute (also inside `cfg_attr(..)`): the word
/// `path` after `[`, `(` or `,` and before `=` (not `==`), whitespace allowed between.
pub fn has_path_attribute(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = text[from..].find("path") {
        let at = from + found;
        from = at + 4;
        let before = bytes[..at]
            .iter()
            .rev()
            .find(|b| !b.is_ascii_whitespace())
            .copied();
        if !matches!(before, Some(b'[' | b'(' | b',')) {
            continue;
        }
        let after: Vec<u8> = bytes[at + 4..]
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .take(2)
            .collect();
        if after.first() == Some(&b'=') && after.get(1) != Some(&b'=') {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_attributes_are_recognised_and_ordinary_paths_are_not() {
        assert!(has_path_attribute("#[path = \"x.rs\"]\nmod x;"));
        assert!(has_path_attribute(
            "#[cfg_attr(unix, path = \"u.rs\")] mod u;"
        ));
        assert!(has_path_attribute("#[ path= \"x.rs\" ] mod x;"));
        assert!(!has_path_attribute("fn f(path: &Path) {}"));
        assert!(!has_path_attribute("let path = 3; if (path == 3) {}"));
        assert!(!has_path_attribute("use std::path::Path;"));
    }

    #[test]
    fn needles_come_from_the_catalogue() {
        let catalog = Catalog::builtin().expect("built-in catalogue");
        let needles = Needles::new(&catalog, &Catalog::default());
        for word in ["setns", "unshare", "nsscope", "nslint", "/proc/self/ns"] {
            assert!(needles.words().iter().any(|w| w == word), "{word}");
        }
        assert!(needles.matches(b"fn f() { unsafe { libc::setns(3, 0) }; }"));
        assert!(!needles.matches(b"fn f() -> u32 { 3 }"));
        let configured =
            Catalog::parse("[[switch]]\npath = \"my_ffi::enter_netns\"\nop = \"setns\"\n")
                .expect("configured catalogue");
        let mut full = catalog.clone();
        full.extend(configured.clone());
        let needles = Needles::new(&full, &configured);
        assert!(needles.matches(b"use my_ffi::enter_netns as go;"));
    }

    #[test]
    fn the_walk_notes_each_directory_with_the_hash_a_later_look_gives() {
        let dir = tempfile::tempdir().expect("tempdir");
        let src = dir.path().join("src");
        for file in ["lib.rs", "a/mod.rs", "notes.txt", "target/x.rs"] {
            let path = src.join(file);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(&path, "").expect("write");
        }
        let mut searched = Vec::new();
        let root = src.join("lib.rs");
        let files = walk(std::iter::once(root.as_path()), Some(&mut searched)).expect("walk");
        assert_eq!(files, [src.join("a/mod.rs"), src.join("lib.rs")]);
        searched.sort();
        let dirs: Vec<&Path> = searched.iter().map(|(d, _)| d.as_path()).collect();
        assert_eq!(dirs, [src.as_path(), src.join("a").as_path()]);
        for (dir, contents) in &searched {
            assert_eq!(*contents, contents_of(dir), "{}", dir.display());
        }
        let before = contents_of(&src);
        std::fs::write(src.join("more-notes.txt"), "").expect("write");
        assert_eq!(contents_of(&src), before, "a file no walk reads");
        std::fs::write(src.join("b.rs"), "").expect("write");
        assert_ne!(contents_of(&src), before, "a new Rust file");
    }
}
