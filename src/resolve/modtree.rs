//! The module tree: from a crate root, follow `mod x;` declarations the way rustc does.
//!
//! `x.rs` or `x/mod.rs` next to a mod-rs file (`lib.rs`, `main.rs`, `mod.rs`), in a directory
//! named after a non-mod-rs parent, inline modules as directories, `#[path]` on file and inline
//! modules, raw identifiers, and every `#[cfg]` alternative (over-approximating): a
//! `cfg_attr(.., path = ..)` on a file module is an alternative file, loaded beside the default
//! one when both exist. Inline
//! modules become modules of their own; their items are moved out of the parent.

use crate::diagnostic::Span;
use crate::diagnostic::{Diagnostic, Label};
use crate::parse::ident_name;
use crate::parse::{SkippedItem, parse_file, range_in};
use crate::registry::{Level, UNANALYZED_CODE};
use crate::source::{FileId, SourceDb, SourceFile, Text, display_name};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Index of a module in a [`CrateTree`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModuleId(pub usize);

/// One module: where it is, its items, and its parent.
#[derive(Debug)]
pub struct Module {
    /// Path from the crate root (empty for the root).
    pub path: Vec<String>,
    /// The file its items are written in.
    pub file: FileId,
    /// Its items (inline child modules' items are moved to the child).
    pub items: Vec<syn::Item>,
    /// The enclosing module.
    pub parent: Option<ModuleId>,
    /// Attributes on the module: its `mod` item's and the file's inner attributes.
    pub attrs: Vec<syn::Attribute>,
    /// Whether its `mod` item is `pub` (the root counts as public).
    pub public: bool,
}

/// A crate's modules, root first.
#[derive(Debug)]
pub struct CrateTree {
    /// The name code uses for the crate's items (`my_crate`).
    pub name: String,
    /// The modules; `ModuleId(0)` is the root.
    pub modules: Vec<Module>,
}

impl CrateTree {
    /// The module with this id.
    pub fn module(&self, id: ModuleId) -> &Module {
        &self.modules[id.0]
    }

    /// Ids of every module.
    pub fn ids(&self) -> impl Iterator<Item = ModuleId> + use<> {
        (0..self.modules.len()).map(ModuleId)
    }

    /// The canonical path of a module (`my_crate::net::link`).
    pub fn canonical(&self, id: ModuleId) -> String {
        std::iter::once(self.name.as_str())
            .chain(self.module(id).path.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("::")
    }
}

/// Reads files into the source database and reports what cannot be read or parsed.
pub struct Loader<'a> {
    /// Where files are kept.
    pub db: &'a mut SourceDb,
    /// Directory that displayed file names are relative to.
    pub root: &'a Path,
    /// Problems met while loading.
    pub diagnostics: &'a mut Vec<Diagnostic>,
    /// What is blanked before parsing: bodies, and functions left out whole.
    pub hollowing: &'a crate::hollow::Hollowing,
    /// Files this run has read already, sorted by path: taken from here, not read again.
    pub read: &'a [(PathBuf, Text)],
    /// Directories of module files with symbolic links resolved (see `system_path`).
    pub real_dirs: HashMap<PathBuf, PathBuf>,
    /// When the crate is loaded by two threads at once, how its files are shared out between
    /// them: the other thread's bodies are blanked too.
    pub halves: Option<crate::hollow::Halves>,
}

impl Loader<'_> {
    /// Reads and parses a file; on failure reports it (at `at` when the file is missing) and
    /// returns `None`.
    pub fn load(&mut self, path: &Path, at: Option<Label>) -> Option<(FileId, syn::File)> {
        inject_fault(path);
        let text = match crate::source::known_or_read(self.read, path) {
            Ok(text) => text,
            Err(error) => {
                let shown = display_name(path, self.root);
                self.diagnostics.push(
                    Diagnostic::input(Level::Deny, format!("couldn't read `{shown}`: {error}"), at)
                        .with_note("nslint skipped this file; findings in it are unknown"),
                );
                return None;
            }
        };
        let file = SourceFile::new(path.to_path_buf(), display_name(path, self.root), text);
        let planned = self.hollowing.of(path);
        let parsed = match &mut self.halves {
            Some(halves) => {
                let ranges =
                    halves.next_file(&file.text, planned.ranges, self.hollowing.bodies_of(path));
                parse_file(
                    &file,
                    crate::hollow::Blanking {
                        ranges: &ranges,
                        docs: planned.docs,
                        // The other half's bodies blanked: groups emptied, never deeper.
                        shallow: planned.shallow,
                    },
                )
            }
            None => parse_file(&file, planned),
        };
        let id = self.db.add(file);
        match parsed {
            Ok(parsed) => {
                for skipped in parsed.skipped {
                    self.diagnostics.push(skipped_item(id, skipped));
                }
                Some((id, parsed.ast))
            }
            Err(failure) => {
                let span = Span::new(id, failure.offset..failure.offset);
                self.diagnostics.push(
                    Diagnostic::lint(
                        &UNANALYZED_CODE,
                        format!("this file was not analysed: {}", failure.message),
                        Label {
                            span,
                            message: failure.message,
                        },
                    )
                    .with_note(
                        "findings in this file, and in the modules it declares, are unknown",
                    ),
                );
                None
            }
        }
    }
}

/// The finding for an item syn could not parse, which the analysis goes without.
fn skipped_item(file: FileId, skipped: SkippedItem) -> Diagnostic {
    let SkippedItem { start, failure } = skipped;
    Diagnostic::lint(
        &UNANALYZED_CODE,
        "this item was not analysed: nslint cannot parse it",
        Label {
            span: Span::new(file, failure.offset..failure.offset),
            message: failure.message,
        },
    )
    .with_secondary(
        Span::new(file, start),
        "skipped from here to the end of the item",
    )
    .with_note(
        "the rest of the file was analysed; syn reads stable Rust, so an item in a nightly \
         syntax is skipped",
    )
}

/// How a tree's root file was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootKind {
    /// A target's root (`src/lib.rs`): modules are where rustc looks, or missing.
    Target,
    /// A loose file linted alone: it may be a crate root or some crate's module, so its
    /// `mod x;` files are looked for in both places and not reported when absent.
    Loose,
}

/// Loads the module tree of the crate rooted at `root_file`.
pub fn load_crate(
    name: &str,
    root_file: &Path,
    kind: RootKind,
    loader: &mut Loader<'_>,
) -> Option<CrateTree> {
    let (file, ast) = loader.load(root_file, None)?;
    let mut tree = CrateTree {
        name: name.to_owned(),
        modules: Vec::new(),
    };
    let dir = root_file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let stem = root_file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned());
    let as_module_dir = match (kind, stem.as_deref()) {
        (RootKind::Loose, Some(stem)) if !matches!(stem, "lib" | "main" | "mod") => {
            Some(dir.join(stem))
        }
        _ => None,
    };
    let mut visited = BTreeSet::from([root_file.to_path_buf()]);
    add_module(
        &mut tree,
        loader,
        &mut visited,
        NewModule {
            path: Vec::new(),
            file,
            items: ast.items,
            parent: None,
            attrs: ast.attrs,
            public: true,
            path_base: dir.clone(),
            dir,
            alternative_dir: as_module_dir,
            report_missing: kind == RootKind::Target,
        },
    );
    Some(tree)
}

struct NewModule {
    path: Vec<String>,
    file: FileId,
    items: Vec<syn::Item>,
    parent: Option<ModuleId>,
    attrs: Vec<syn::Attribute>,
    public: bool,
    /// Directory in which `mod x;` inside this module looks for `x.rs` / `x/mod.rs`.
    dir: PathBuf,
    /// Directory that `#[path]` attributes inside this module are relative to: the file's
    /// directory for a file module, `dir` inside inline modules.
    path_base: PathBuf,
    /// Another directory to look in (a loose file that may be a non-mod-rs module).
    alternative_dir: Option<PathBuf>,
    /// Whether a missing module file is reported (not for loose files).
    report_missing: bool,
}

fn add_module(
    tree: &mut CrateTree,
    loader: &mut Loader<'_>,
    visited: &mut BTreeSet<PathBuf>,
    module: NewModule,
) {
    let id = ModuleId(tree.modules.len());
    let NewModule {
        path,
        file,
        mut items,
        parent,
        attrs,
        public,
        dir,
        path_base,
        alternative_dir,
        report_missing,
    } = module;
    let mut children = Vec::new();
    for item in &mut items {
        let syn::Item::Mod(item_mod) = item else {
            continue;
        };
        let name = ident_name(&item_mod.ident);
        let mut child_path = path.clone();
        child_path.push(name.clone());
        let path_attr = path_attribute(&item_mod.attrs);
        let child_public = matches!(item_mod.vis, syn::Visibility::Public(_));
        if let Some((_, inline_items)) = &mut item_mod.content {
            let child_dir = match &path_attr {
                Some(p) => path_base.join(p),
                None => dir.join(&name),
            };
            children.push(NewModule {
                path: child_path,
                file,
                items: std::mem::take(inline_items),
                parent: Some(id),
                attrs: item_mod.attrs.clone(),
                public: child_public,
                path_base: child_dir.clone(),
                dir: child_dir,
                alternative_dir: None,
                report_missing,
            });
            continue;
        }
        let label = Label {
            span: Span::new(file, range_in(loader.db.get(file), item_mod.ident.span())),
            message: String::new(),
        };
        // Each `cfg_attr(.., path = ..)` is an alternative, as each `#[cfg]` is; the default
        // (`#[path]`, else `x.rs` or `x/mod.rs`) applies when none holds.
        let conditional: Vec<PathBuf> = conditional_paths(&item_mod.attrs)
            .iter()
            .map(|p| path_base.join(p))
            .collect();
        let defaults: Vec<PathBuf> = match &path_attr {
            Some(p) => vec![path_base.join(p)],
            None => std::iter::once(&dir)
                .chain(alternative_dir.as_ref())
                .flat_map(|d| [d.join(format!("{name}.rs")), d.join(&name).join("mod.rs")])
                .collect(),
        };
        let mut files: Vec<(PathBuf, bool)> = conditional
            .iter()
            .filter(|c| c.is_file())
            .map(|c| (c.clone(), true))
            .collect();
        files.extend(
            defaults
                .iter()
                .find(|c| c.is_file())
                .map(|c| (c.clone(), path_attr.is_some())),
        );
        if files.is_empty() {
            if report_missing {
                let is_cfg = !conditional.is_empty()
                    || item_mod.attrs.iter().any(|a| a.path().is_ident("cfg"));
                let tried: Vec<PathBuf> = conditional.into_iter().chain(defaults).collect();
                self::report_missing(loader, &tried, &name, label, is_cfg);
            }
            continue;
        }
        for (child_file, through_path) in files {
            if !visited.insert(child_file.clone()) {
                continue;
            }
            if let Some(system) = system_path(&child_file, &mut loader.real_dirs) {
                refuse_system_path(loader, &child_file, system, &name, label.clone());
                continue;
            }
            let Some((child_id, ast)) = loader.load(&child_file, Some(label.clone())) else {
                continue;
            };
            let file_dir = child_file.parent().unwrap_or(Path::new(".")).to_path_buf();
            let is_mod_rs = through_path || child_file.file_name().is_some_and(|f| f == "mod.rs");
            let child_dir = if is_mod_rs {
                file_dir.clone()
            } else {
                file_dir.join(&name)
            };
            children.push(NewModule {
                path: child_path.clone(),
                file: child_id,
                items: ast.items,
                parent: Some(id),
                attrs: item_mod.attrs.iter().cloned().chain(ast.attrs).collect(),
                public: child_public,
                dir: child_dir,
                path_base: file_dir,
                alternative_dir: None,
                report_missing,
            });
        }
    }
    tree.modules.push(Module {
        path,
        file,
        items,
        parent,
        attrs,
        public,
    });
    for child in children {
        add_module(tree, loader, visited, child);
    }
}

/// The value of a `#[path = "..."]` attribute.
fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| {
        let syn::Meta::NameValue(nv) = &attr.meta else {
            return None;
        };
        if !nv.path.is_ident("path") {
            return None;
        }
        match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        }
    })
}

/// The values of `path = ".."` inside `#[cfg_attr(..)]` attributes, nested ones included.
fn conditional_paths(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("cfg_attr")) {
        if let syn::Meta::List(list) = &attr.meta {
            cfg_attr_paths(list, &mut out);
        }
    }
    out
}

/// The `path` values among the attributes a `cfg_attr(predicate, attributes..)` applies.
fn cfg_attr_paths(list: &syn::MetaList, out: &mut Vec<String>) {
    use syn::punctuated::Punctuated;
    let Ok(metas) = list.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
    else {
        return;
    };
    for meta in metas.iter().skip(1) {
        match meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("path") => {
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &nv.value
                {
                    out.push(s.value());
                }
            }
            syn::Meta::List(inner) if inner.path.is_ident("cfg_attr") => {
                cfg_attr_paths(inner, out);
            }
            _ => {}
        }
    }
}

/// A module file that is not there: an error, or a warning when the module is behind `#[cfg]`
/// (it may be meant for another platform).
fn report_missing(
    loader: &mut Loader<'_>,
    candidates: &[PathBuf],
    name: &str,
    label: Label,
    is_cfg: bool,
) {
    let tried = candidates
        .iter()
        .map(|c| format!("`{}`", display_name(c, loader.root)))
        .collect::<Vec<_>>()
        .join(" or ");
    let mut diagnostic = Diagnostic::lint(
        &UNANALYZED_CODE,
        format!("file not found for module `{name}`; it was not analysed"),
        label,
    )
    .with_help(format!(
        "to lint the module `{name}`, create {tried} (a file a build script or generator \
         writes: generate it before running nslint)"
    ));
    for candidate in candidates.iter().filter(|c| c.exists()) {
        let what = if candidate.is_dir() {
            "a directory"
        } else {
            "not a regular file"
        };
        diagnostic = diagnostic.with_note(format!(
            "`{}` exists but is {what}",
            display_name(candidate, loader.root)
        ));
    }
    if is_cfg {
        diagnostic = diagnostic
            .with_note("the module is behind `#[cfg]`; nslint looks at every configuration");
    }
    loader.diagnostics.push(diagnostic);
}

/// The kernel's pseudo-file systems: a `#[path]` into them would make nslint read (and show in
/// its output) things such as `/proc/self/environ`, which are no source code.
const SYSTEM_DIRS: [&str; 3] = ["/proc", "/sys", "/dev"];

/// The system directory a module file lies in, once symbolic links are resolved. A file that
/// is no link itself lies where its directory really is; `real_dirs` remembers directories
/// resolved before, so that a crate's files do not each resolve every component again.
pub(crate) fn system_path(
    file: &Path,
    real_dirs: &mut HashMap<PathBuf, PathBuf>,
) -> Option<&'static str> {
    let is_link = std::fs::symlink_metadata(file).is_ok_and(|m| m.file_type().is_symlink());
    let real = match (file.parent(), file.file_name()) {
        (Some(dir), Some(name)) if !is_link => real_dirs
            .entry(dir.to_path_buf())
            .or_insert_with(|| std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()))
            .join(name),
        _ => std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf()),
    };
    SYSTEM_DIRS
        .into_iter()
        .find(|dir| real.starts_with(dir) || file.starts_with(dir))
}

/// Reports a module file under `/proc`, `/sys` or `/dev`, which is not read.
fn refuse_system_path(
    loader: &mut Loader<'_>,
    file: &Path,
    system: &str,
    name: &str,
    label: Label,
) {
    loader.diagnostics.push(
        Diagnostic::input(
            Level::Deny,
            format!(
                "module `{name}` points into `{system}` (`{}`); nslint does not read it",
                file.display()
            ),
            Some(label),
        )
        .with_note(
            "system files are not source code, and their contents could end up in the output",
        ),
    );
}

/// Fault injection for the tests of panic containment (debug builds only): a file whose path
/// ends with `$NSLINT_INJECT_PANIC` panics when it is loaded.
fn inject_fault(path: &Path) {
    if cfg!(debug_assertions)
        && std::env::var_os("NSLINT_INJECT_PANIC")
            .is_some_and(|suffix| !suffix.is_empty() && path.ends_with(suffix))
    {
        panic!(
            "injected fault (NSLINT_INJECT_PANIC) for `{}`",
            path.display()
        );
    }
}

/// Test support: the module tree of a crate whose root file, alone in a directory, holds
/// `text`, with the problems met loading it.
#[cfg(test)]
pub(crate) fn tree_of_text(text: &str) -> (CrateTree, Vec<Diagnostic>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("lib.rs");
    std::fs::write(&root, text).expect("write");
    let (tree, _, diagnostics) = load_tree(&root, RootKind::Target);
    (tree, diagnostics)
}

/// Test support: the module tree of the crate rooted at `root` (its directory is the
/// workspace), the files it read, and the problems met loading it.
#[cfg(test)]
fn load_tree(root: &Path, kind: RootKind) -> (CrateTree, SourceDb, Vec<Diagnostic>) {
    let mut db = SourceDb::default();
    let mut diagnostics = Vec::new();
    let hollowing = crate::hollow::Hollowing::default();
    let mut loader = Loader {
        db: &mut db,
        root: root.parent().unwrap_or(Path::new(".")),
        diagnostics: &mut diagnostics,
        hollowing: &hollowing,
        read: &[],
        real_dirs: HashMap::new(),
        halves: None,
    };
    let tree = load_crate("demo", root, kind, &mut loader).expect("the root loads");
    (tree, db, diagnostics)
}

/// Test support: the files of a module tree, in module order.
#[cfg(test)]
fn module_files(tree: &CrateTree, db: &SourceDb) -> Vec<PathBuf> {
    tree.ids()
        .map(|id| db.get(tree.module(id).file).path.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_file_linked_into_proc_lies_in_proc() {
        let dir = tempfile::tempdir().expect("tempdir");
        let link = dir.path().join("env.rs");
        std::os::unix::fs::symlink("/proc/self/environ", &link).expect("symlink");
        let plain = dir.path().join("plain.rs");
        std::fs::write(&plain, "").expect("write");
        let mut real_dirs = HashMap::new();
        assert_eq!(system_path(&link, &mut real_dirs), Some("/proc"));
        assert_eq!(system_path(&plain, &mut real_dirs), None);
        assert_eq!(
            system_path(Path::new("/sys/kernel/notes.rs"), &mut real_dirs),
            Some("/sys")
        );
    }

    #[test]
    fn a_module_file_in_a_directory_linked_into_proc_lies_in_proc() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::os::unix::fs::symlink("/proc/self", dir.path().join("self")).expect("symlink");
        let file = dir.path().join("self/environ");
        assert_eq!(system_path(&file, &mut HashMap::new()), Some("/proc"));
    }

    #[test]
    fn a_missing_module_behind_cfg_says_so() {
        let (_, diagnostics) = tree_of_text(
            "#[cfg(feature = \"gen\")]\nmod generated;\n#[cfg_attr(unix, path = \"unix.rs\")]\nmod sys;\nmod absent;\n",
        );
        let behind_cfg: Vec<bool> = diagnostics
            .iter()
            .map(|d| {
                d.children
                    .iter()
                    .any(|c| c.message.contains("behind `#[cfg]`"))
            })
            .collect();
        assert_eq!(behind_cfg, [true, true, false]);
    }

    /// Where a loose file's `mod x;` is looked for: beside it, and for a file other than
    /// `lib.rs`, `main.rs` and `mod.rs` (which may be a module file) also in a directory named
    /// after it.
    #[test]
    fn a_loose_file_looks_for_its_modules_where_rustc_would() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |rel: &str, text: &str| crate::test_files::write(dir.path(), rel, text);
        write("main.rs", "mod beside;\nmod inside;\n");
        write("beside.rs", "");
        write("main/inside.rs", "");
        write("tool.rs", "mod part;\n");
        write("tool/part.rs", "");
        for (root, modules) in [
            ("main.rs", &["beside.rs"][..]),
            ("tool.rs", &["tool/part.rs"]),
        ] {
            let root = dir.path().join(root);
            let (tree, db, _) = load_tree(&root, RootKind::Loose);
            let files = module_files(&tree, &db);
            let expected: Vec<_> = std::iter::once(root)
                .chain(modules.iter().map(|m| dir.path().join(m)))
                .collect();
            assert_eq!(files, expected);
        }
    }

    #[test]
    fn a_path_in_a_nested_cfg_attr_is_an_alternative_too() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("lib.rs");
        let text =
            "#[cfg_attr(unix, cfg_attr(target_os = \"linux\", path = \"linux.rs\"))]\nmod sys;\n";
        std::fs::write(&root, text).expect("write");
        std::fs::write(dir.path().join("linux.rs"), "").expect("write");
        let (tree, db, diagnostics) = load_tree(&root, RootKind::Target);
        assert_eq!(
            module_files(&tree, &db),
            [root, dir.path().join("linux.rs")]
        );
        assert!(diagnostics.is_empty());
    }

    #[test]
    fn a_module_path_into_proc_is_refused_with_a_finding() {
        let (tree, diagnostics) = tree_of_text("#[path = \"/proc/self/environ\"]\nmod env;\n");
        assert_eq!(tree.ids().count(), 1, "the module is not read");
        let messages: Vec<_> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].starts_with("module `env` points into `/proc`"),
            "{messages:?}"
        );
    }
}
