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
//!   directory reached through a symbolic link, a `#[path]` attribute whose value is no plain
//!   string, a dependency whose package cannot be identified.
//!
//! A package's files are the Rust files below its target roots' directories and the files
//! `#[path]` attributes lead to, followed as the module tree follows them (`modules.rs`).
//! Strict mode turns the fast path off for the packages it applies to. The needles are derived
//! from the catalogue ([`Needles::new`]), never written here. Why each package is analysed is
//! kept in [`Selection::reasons`].

mod early;
pub(crate) mod lexer;
mod modules;

pub use early::{EarlyScan, Prescanned};

use crate::catalog::Catalog;
use crate::discover::Workspace;
use crate::source::Text;
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
            // A method of a crate's type (`netns_rs::NetNs::enter`) is reached through the
            // crate's name; the method's (`enter`) is everywhere.
            let needle = match switch.receiver {
                Some(_) => first_segment(name),
                None => last_segment(name),
            };
            words.insert(needle.to_owned());
            api_crates.insert(first_segment(&switch.path).to_owned());
        }
        // Code reaches a scope only by naming its crate (`nsscope`), unless it is that crate,
        // which is analysed as an API crate: the scope's type (`Worker`) is no needle.
        for scope in &catalog.scopes {
            for path in [&scope.path, &scope.receiver].into_iter().flatten() {
                words.insert(first_segment(path).to_owned());
                api_crates.insert(first_segment(path).to_owned());
            }
        }
        for path in &catalog.process_wide_paths {
            words.insert(path.prefix.trim_end_matches('/').to_owned());
        }
        for path in &catalog.thread_paths {
            words.insert(path.spelled().to_owned());
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

    /// The first needle `text` holds, as an index into [`Needles::words`]; without an
    /// automaton, the first needle.
    pub fn first(&self, text: &[u8]) -> Option<usize> {
        match &self.matcher {
            Some(matcher) => matcher.find(text).map(|m| m.pattern().as_usize()),
            None => Some(0),
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

/// What the byte scan found in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// The first needle it holds, as an index into [`Needles::words`].
    pub needle: Option<usize>,
    /// Whether it may declare a module with a `#[path]` attribute ([`has_path_attribute`]).
    pub path_attribute: bool,
}

impl Verdict {
    /// The verdict on a file's text.
    pub fn of(text: &str, needles: &Needles) -> Verdict {
        Verdict {
            needle: needles.first(text.as_bytes()),
            path_attribute: has_path_attribute(text),
        }
    }
}

/// Why a package is analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The fast path is off.
    NoFastPath,
    /// Strict mode applies to it.
    Strict,
    /// It is a crate catalogue entries live in (`nsscope`).
    ApiCrate,
    /// A file spells a needle.
    Needle {
        /// The needle.
        word: String,
        /// The first file (in path order) that spells it.
        file: PathBuf,
    },
    /// The scan cannot vouch for its files, for this reason.
    Unvouched(String),
    /// It depends on this package, analysed for its own sake.
    DependsOn(String),
    /// This analysed package depends on it (for the summaries of what it calls).
    NeededBy(String),
    /// An analysed package has a dependency that cannot be identified (a renamed one), so
    /// every package is.
    UnknownDependency(String),
}

impl Reason {
    /// The reason in words, with file names shown relative to `root`.
    pub fn describe(&self, root: &Path) -> String {
        match self {
            Reason::NoFastPath => "the fast path is off".to_owned(),
            Reason::Strict => "strict mode".to_owned(),
            Reason::ApiCrate => "a crate the catalogue names".to_owned(),
            Reason::Needle { word, file } => {
                format!("`{word}` in {}", crate::source::display_name(file, root))
            }
            Reason::Unvouched(why) => format!("not vouched for: {why}"),
            Reason::DependsOn(package) => format!("depends on `{package}`"),
            Reason::NeededBy(package) => format!("a dependency of `{package}`"),
            Reason::UnknownDependency(package) => {
                format!("`{package}` has a dependency that cannot be identified")
            }
        }
    }
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
    /// For each package, why it is analysed (`None`: it is left out).
    pub reasons: Vec<Option<Reason>>,
    /// For each package, its files ([`package_files`]); `None` when the scan cannot vouch for
    /// them, or did not look (the fast path off).
    pub files: Vec<Option<Vec<PathBuf>>>,
}

impl Selection {
    /// Every package analysed, for `reason`, without looking at files.
    pub fn all(count: usize, reason: &Reason) -> Self {
        Selection {
            analysed: vec![true; count],
            core: vec![true; count],
            matching: vec![true; count],
            reasons: vec![Some(reason.clone()); count],
            files: vec![None; count],
        }
    }

    /// Number of packages analysed.
    pub fn analysed_count(&self) -> usize {
        self.analysed.iter().filter(|a| **a).count()
    }
}

/// What the scan found in one package.
struct PackageScan {
    /// Its files; `Err` says why they cannot be vouched for.
    files: Result<Vec<PathBuf>, String>,
    /// Why it matches, if it does.
    matched: Option<Reason>,
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
    let scans: Vec<PackageScan> = crates
        .par_iter()
        .enumerate()
        .map(|(index, spec)| {
            let roots: Vec<&Path> = spec.targets.iter().map(|t| t.src_path.as_path()).collect();
            let found = package_files(&roots, needles, prescanned);
            let matched = if forced(index) {
                Some(Reason::Strict)
            } else if needles.api_crates.contains(&spec.lib_name()) {
                Some(Reason::ApiCrate)
            } else {
                match &found {
                    Ok((_, needle)) => needle.clone(),
                    Err(why) => Some(Reason::Unvouched(why.clone())),
                }
            };
            PackageScan {
                files: found.map(|(files, _)| files),
                matched,
            }
        })
        .collect();
    let matching: Vec<bool> = scans.iter().map(|s| s.matched.is_some()).collect();
    let mut reasons: Vec<Option<Reason>> = scans.iter().map(|s| s.matched.clone()).collect();
    let files: Vec<Option<Vec<PathBuf>>> = scans.into_iter().map(|s| s.files.ok()).collect();
    let mut by_lib: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, spec) in crates.iter().enumerate() {
        by_lib.entry(spec.lib_name()).or_default().push(index);
    }
    let mut deps: Vec<Vec<usize>> = Vec::with_capacity(crates.len());
    let mut unknown_dep: Vec<Option<&String>> = vec![None; crates.len()];
    for (index, spec) in crates.iter().enumerate() {
        let mut list = Vec::new();
        for name in &spec.workspace_deps {
            match by_lib.get(name) {
                Some(found) => list.extend(found.iter().copied().filter(|&d| d != index)),
                // A renamed dependency: which package it is cannot be told by its name.
                None => unknown_dep[index] = Some(name),
            }
        }
        deps.push(list);
    }
    let mut analysed = matching.clone();
    for (index, unknown) in unknown_dep.iter().enumerate() {
        if let Some(name) = unknown.filter(|_| !analysed[index]) {
            analysed[index] = true;
            reasons[index] = Some(Reason::Unvouched(format!(
                "its dependency `{name}` cannot be identified"
            )));
        }
    }
    // Dependents of analysed packages: walk the reversed graph.
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); crates.len()];
    for (index, list) in deps.iter().enumerate() {
        for &dep in list {
            dependents[dep].push(index);
        }
    }
    let name = |index: usize| crates[index].name.clone();
    spread(&mut analysed, &mut reasons, &dependents, |from| {
        Reason::DependsOn(name(from))
    });
    if let Some(index) = (0..crates.len()).find(|&i| analysed[i] && unknown_dep[i].is_some()) {
        // An analysed package needs a dependency nobody can name: analyse everything.
        return Selection {
            files,
            ..Selection::all(crates.len(), &Reason::UnknownDependency(name(index)))
        };
    }
    let core = analysed.clone();
    // Their dependencies, for the summaries of the helpers they call.
    spread(&mut analysed, &mut reasons, &deps, |from| {
        Reason::NeededBy(name(from))
    });
    Selection {
        analysed,
        core,
        matching,
        reasons,
        files,
    }
}

/// Marks everything reachable through `edges` from a marked node, giving each newly marked
/// node the reason `why` makes of the node it was reached from.
fn spread(
    marked: &mut [bool],
    reasons: &mut [Option<Reason>],
    edges: &[Vec<usize>],
    why: impl Fn(usize) -> Reason,
) {
    let mut work: Vec<usize> = (0..marked.len()).filter(|&i| marked[i]).collect();
    while let Some(node) = work.pop() {
        for &next in &edges[node] {
            if !marked[next] {
                marked[next] = true;
                reasons[next] = Some(why(node));
                work.push(next);
            }
        }
    }
}

/// The `.rs` files of a package with target roots `roots`, sorted: every `.rs` file below the
/// roots' directories (`target/` left out), and the files `#[path]` attributes lead to
/// (`modules.rs`); with the first needle one of them spells. `Err` says why the list cannot be
/// vouched for: a directory that cannot be read or that is reached through a symbolic link
/// (followed by the loader, not by the walk, which could loop), a file that cannot be read as
/// UTF-8, a `path` attribute that cannot be followed. Each file is judged once: from the early
/// scan's verdict, else read here (the text is kept for the loader).
pub fn package_files(
    roots: &[&Path],
    needles: &Needles,
    prescanned: &Prescanned,
) -> Result<(Vec<PathBuf>, Option<Reason>), String> {
    let walked = walk(roots.iter().copied(), None)
        .ok_or("a directory cannot be read, or is reached through a symbolic link")?;
    let judge = |file: &Path| {
        prescanned
            .verdict(file, needles)
            .or_else(|| scan_file(file, needles, prescanned))
            .ok_or_else(|| format!("{} cannot be read as UTF-8 text", file.display()))
    };
    let mut verdicts = Vec::with_capacity(walked.len());
    for file in &walked {
        verdicts.push(judge(file)?);
    }
    let declaring: Vec<&Path> = walked
        .iter()
        .zip(&verdicts)
        .filter(|(_, v)| v.path_attribute)
        .map(|(f, _)| f.as_path())
        .collect();
    let mut files = walked.clone();
    if !declaring.is_empty() {
        let text_of = |file: &Path| {
            prescanned.text(file).or_else(|| {
                let text = crate::source::read_text(file).ok()?;
                prescanned.keep_text(file, text.clone());
                Some(text)
            })
        };
        let beyond = modules::beyond_walk(roots, &declaring, &walked, &text_of)
            .map_err(|file| format!("the modules of {} cannot be followed", file.display()))?;
        for file in beyond {
            verdicts.push(judge(&file)?);
            files.push(file);
        }
    }
    let needle = files
        .iter()
        .zip(&verdicts)
        .filter_map(|(file, v)| Some((file, needles.words.get(v.needle?)?)))
        .min()
        .map(|(file, word)| Reason::Needle {
            word: word.clone(),
            file: file.clone(),
        });
    files.sort();
    Ok((files, needle))
}

/// A directory with the hash of what it holds ([`contents_of`]).
pub type DirContents = (PathBuf, u64);

/// Every file the byte scan reads in the workspace's packages (those below their target
/// roots' directories, and `beyond`: the files `#[path]` attributes lead to), and every
/// directory it searches with a hash of what it holds ([`contents_of`]); `None` when the walk
/// cannot vouch for a package (see [`package_files`]).
pub fn walk_packages(
    workspace: &Workspace,
    beyond: &[PathBuf],
) -> Option<(Vec<PathBuf>, Vec<DirContents>)> {
    let mut files = beyond.to_vec();
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
    pub texts: Vec<(PathBuf, Text)>,
    /// For each entry of [`Workspace::crates`], its files (none when it is not analysed, or
    /// when the scan cannot vouch for them).
    pub package_files: Vec<Vec<PathBuf>>,
}

/// The text of every `.rs` file of the analysed packages and of the loose files' modules,
/// for [`crate::hollow::Planner`] and the loader. A package whose files the scan cannot vouch
/// for has none here: the loader reads them, and nothing in them is blanked. Texts already
/// read for verdicts (by the early scan or the selection) are taken from `prescanned` instead
/// of read again.
pub fn analysed_sources(
    workspace: &Workspace,
    selection: &Selection,
    needles: &Needles,
    prescanned: &Prescanned,
) -> Sources {
    use rayon::prelude::*;
    let read = |path: &Path| {
        prescanned
            .take_text(path)
            .or_else(|| crate::source::read_text(path).ok())
    };
    let texts_of = |files: &[PathBuf]| -> Option<Vec<(PathBuf, Text)>> {
        files
            .iter()
            .map(|path| Some((path.clone(), Text::from(read(path)?))))
            .collect()
    };
    let per_package: Vec<Vec<(PathBuf, Text)>> = selection
        .files
        .par_iter()
        .enumerate()
        .map(|(index, files)| {
            let analysed = selection.analysed.get(index).copied().unwrap_or(true);
            files
                .as_deref()
                .filter(|_| analysed)
                .and_then(texts_of)
                .unwrap_or_default()
        })
        .collect();
    // Loose files are crates of their own; their modules live beside them.
    let loose: Vec<&Path> = workspace.loose_files.iter().map(PathBuf::as_path).collect();
    let loose = package_files(&loose, needles, prescanned)
        .ok()
        .and_then(|(files, _)| texts_of(&files))
        .unwrap_or_default();
    let mut texts: Vec<(PathBuf, Text)> = Vec::new();
    let mut package_files = Vec::with_capacity(per_package.len());
    for package in per_package {
        package_files.push(package.iter().map(|(path, _)| path.clone()).collect());
        texts.extend(package);
    }
    texts.extend(loose);
    texts.sort_by(|a, b| a.0.cmp(&b.0));
    texts.dedup_by(|a, b| a.0 == b.0);
    Sources {
        texts,
        package_files,
    }
}

fn is_rust(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "rs")
}

/// Reads and judges one file; `None` when it cannot be read as the loader would read it
/// (unreadable, not UTF-8, too large). The text is kept for the loader.
fn scan_file(path: &Path, needles: &Needles, prescanned: &Prescanned) -> Option<Verdict> {
    let text = crate::source::read_text(path).ok()?;
    let verdict = Verdict::of(&text, needles);
    prescanned.keep_text(path, text);
    Some(verdict)
}

/// Whether an edit that leaves a file as `text` could change what the fast path decides: the
/// text holds a needle, or a `#[path]` attribute (which may lead to files of its own).
pub fn could_matter(text: &str, needles: &Needles) -> bool {
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
            crate::test_files::write(&src, file, "");
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
