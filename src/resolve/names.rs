//! Name resolution: paths written in code to canonical names (`libc::setns`,
//! `my_crate::net::open_probe`).
//!
//! Handles `use` trees (groups, renames, globs, `self`/`super`/`crate`), `extern crate x as y`,
//! `::x` absolute paths, inline and file modules, items declared in blocks, foreign (`extern
//! "C"`) functions, and local items that shadow imports. A glob from an external crate
//! (`use nix::sched::*`) brings in the names the catalogue knows below it.

use super::modtree::{CrateTree, ModuleId};
use crate::catalog::Catalog;
use crate::parse::ident_name;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

/// Imports are followed at most this deep, which ends cycles such as `use a::*` in both
/// directions.
const MAX_DEPTH: usize = 16;

/// The standard prelude's item a name means where the scope does not declare it (`Box<Pod>`,
/// `Box::new(..)` without an import). Only the names the analysis reads are listed (no crate
/// takes them, so the extern prelude cannot shadow them); the others resolve as written.
fn std_prelude(name: &str) -> Option<&'static str> {
    match name {
        "Box" => Some("std::boxed::Box"),
        _ => None,
    }
}

/// A path as written: segments and whether it starts with `::`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WrittenPath {
    /// `true` for `::libc::setns`.
    pub leading_colon: bool,
    /// The identifiers, raw prefixes removed.
    pub segments: Vec<String>,
}

impl WrittenPath {
    /// Converts the first `len` segments of a syn path, ignoring generic arguments.
    fn from_syn_prefix(path: &syn::Path, len: usize) -> Self {
        WrittenPath {
            leading_colon: path.leading_colon.is_some(),
            segments: path
                .segments
                .iter()
                .take(len)
                .map(|s| ident_name(&s.ident))
                .collect(),
        }
    }
}

/// Writes the memo key of a path's first `len` segments into `key`: the segments joined by
/// `::`, raw prefixes removed, with a leading `::` when the path has one.
fn write_key(path: &syn::Path, len: usize, key: &mut String) {
    use std::fmt::Write;
    key.clear();
    for (index, segment) in path.segments.iter().take(len).enumerate() {
        if index > 0 || path.leading_colon.is_some() {
            key.push_str("::");
        }
        let start = key.len();
        // Writing into a `String` cannot fail.
        let _ = write!(key, "{}", segment.ident);
        if key[start..].starts_with("r#") {
            key.replace_range(start..start + 2, "");
        }
    }
}

/// Where a path is written: a `use` path's single segment may name an external crate
/// (`use nix as n;`); an expression's may not (`drop(x)` is a prelude function).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Use,
    Expr,
}

/// What a name refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A module of the crate being analysed.
    Module(ModuleId),
    /// Anything else, by canonical path.
    Path(String),
}

#[derive(Debug, Clone)]
struct Import {
    path: WrittenPath,
}

/// The names one module or block brings into scope.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    items: BTreeMap<String, Resolved>,
    imports: BTreeMap<String, Import>,
    globs: Vec<WrittenPath>,
    traits: Vec<WrittenPath>,
    extern_crates: BTreeMap<String, String>,
}

impl Scope {
    /// Whether the scope brings no name in (most blocks).
    fn declares_nothing(&self) -> bool {
        self.items.is_empty()
            && self.imports.is_empty()
            && self.globs.is_empty()
            && self.extern_crates.is_empty()
    }

    /// Whether the scope may bring `name` in: it declares or imports it, or has a glob import,
    /// which may.
    fn may_name(&self, name: &str) -> bool {
        !self.globs.is_empty()
            || self.items.contains_key(name)
            || self.imports.contains_key(name)
            || self.extern_crates.contains_key(name)
    }

    /// Collects the names declared by `items`; item canonical paths start with `prefix`.
    /// `child_module` finds the module a `mod` item became.
    pub fn from_items<'i>(
        items: impl IntoIterator<Item = &'i syn::Item>,
        prefix: &str,
        child_module: &dyn Fn(&str) -> Option<ModuleId>,
    ) -> Self {
        let mut scope = Scope::default();
        for item in items {
            scope.add_item(item, prefix, child_module);
        }
        scope
    }

    fn add_item(
        &mut self,
        item: &syn::Item,
        prefix: &str,
        child_module: &dyn Fn(&str) -> Option<ModuleId>,
    ) {
        let mut define = |ident: &syn::Ident| {
            let name = ident_name(ident);
            let canonical = format!("{prefix}::{name}");
            self.items.insert(name, Resolved::Path(canonical));
        };
        match item {
            syn::Item::Fn(i) => define(&i.sig.ident),
            syn::Item::Const(i) => define(&i.ident),
            syn::Item::Static(i) => define(&i.ident),
            syn::Item::Struct(i) => define(&i.ident),
            syn::Item::Enum(i) => define(&i.ident),
            syn::Item::Union(i) => define(&i.ident),
            syn::Item::Trait(i) => define(&i.ident),
            syn::Item::TraitAlias(i) => define(&i.ident),
            syn::Item::Type(i) => define(&i.ident),
            syn::Item::Mod(i) => {
                let name = ident_name(&i.ident);
                let resolved = match child_module(&name) {
                    Some(id) => Resolved::Module(id),
                    None => Resolved::Path(format!("{prefix}::{name}")),
                };
                self.items.insert(name, resolved);
            }
            syn::Item::ForeignMod(foreign) => {
                // `extern "C" { fn setns(..); }` declares the C library's function itself.
                for foreign_item in &foreign.items {
                    if let syn::ForeignItem::Fn(f) = foreign_item {
                        let name = ident_name(&f.sig.ident);
                        self.items
                            .insert(name.clone(), Resolved::Path(format!("libc::{name}")));
                    }
                }
            }
            syn::Item::ExternCrate(i) => {
                let krate = ident_name(&i.ident);
                let alias = i
                    .rename
                    .as_ref()
                    .map_or(krate.clone(), |(_, alias)| ident_name(alias));
                if krate != "self" {
                    self.extern_crates.insert(alias, krate);
                }
            }
            syn::Item::Use(u) => {
                self.add_use_tree(&u.tree, u.leading_colon.is_some(), &mut Vec::new());
            }
            _ => {}
        }
    }

    fn add_use_tree(&mut self, tree: &syn::UseTree, leading_colon: bool, prefix: &mut Vec<String>) {
        let written = |prefix: &[String], last: Option<String>| WrittenPath {
            leading_colon,
            segments: prefix.iter().cloned().chain(last).collect(),
        };
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(ident_name(&p.ident));
                self.add_use_tree(&p.tree, leading_colon, prefix);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let name = ident_name(&n.ident);
                if name == "self" {
                    if let Some(last) = prefix.last() {
                        let path = written(prefix, None);
                        self.imports.insert(last.clone(), Import { path });
                    }
                } else {
                    let path = written(prefix, Some(name.clone()));
                    self.imports.insert(name, Import { path });
                }
            }
            syn::UseTree::Rename(r) => {
                let name = ident_name(&r.ident);
                let path = if name == "self" {
                    written(prefix, None)
                } else {
                    written(prefix, Some(name))
                };
                let alias = ident_name(&r.rename);
                if alias == "_" {
                    self.traits.push(path);
                } else {
                    self.imports.insert(alias, Import { path });
                }
            }
            syn::UseTree::Glob(_) => self.globs.push(written(prefix, None)),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.add_use_tree(t, leading_colon, prefix);
                }
            }
        }
    }
}

/// Resolves names in one crate.
pub struct Resolver<'a> {
    tree: &'a CrateTree,
    modules: Vec<Scope>,
    extern_prelude: BTreeMap<String, String>,
    catalog: &'a Catalog,
    known: &'a BTreeSet<String>,
    /// Modules whose glob imports are being searched (see `lookup_in_globs`).
    resolving_globs: RefCell<Vec<ModuleId>>,
    /// For each module, what paths written there (outside any block that declares names)
    /// resolved to, by their key ([`write_key`]): a body names the same few
    /// paths again and again.
    memo: RefCell<Vec<FxHashMap<Box<str>, Option<String>>>>,
    /// The key of the path being looked up, kept so that a lookup allocates nothing.
    key: RefCell<String>,
}

impl<'a> Resolver<'a> {
    /// Builds the scopes of every module. `known` lists the external paths that globs from
    /// external crates may bring in (the catalogue's [`Catalog::known_paths`]).
    pub fn new(tree: &'a CrateTree, catalog: &'a Catalog, known: &'a BTreeSet<String>) -> Self {
        let modules: Vec<Scope> = tree
            .ids()
            .map(|id| {
                let prefix = tree.canonical(id);
                let find_child = |name: &str| {
                    tree.ids().find(|&c| {
                        let m = tree.module(c);
                        m.parent == Some(id) && m.path.last().is_some_and(|n| n == name)
                    })
                };
                Scope::from_items(&tree.module(id).items, &prefix, &find_child)
            })
            .collect();
        let extern_prelude = modules
            .first()
            .map(|root| root.extern_crates.clone())
            .unwrap_or_default();
        Resolver {
            tree,
            modules,
            extern_prelude,
            catalog,
            known,
            resolving_globs: RefCell::new(Vec::new()),
            memo: RefCell::new(vec![FxHashMap::default(); tree.modules.len()]),
            key: RefCell::new(String::new()),
        }
    }

    /// The crate tree.
    pub fn tree(&self) -> &'a CrateTree {
        self.tree
    }

    /// Resolves a path written in module `module` inside the given block scopes (innermost
    /// last) to a canonical name. `None` for single names that are not items or imports
    /// (locals, prelude names) and for paths through `Self`. A path the module's memo knows
    /// costs no allocation but its answer.
    pub fn resolve(&self, module: ModuleId, blocks: &[Scope], path: &syn::Path) -> Option<String> {
        self.resolve_prefix(module, blocks, path, path.segments.len())
    }

    /// [`Resolver::resolve`] of the path of the first `len` segments of `path` (`Kind` of
    /// `Kind::open`).
    pub fn resolve_prefix(
        &self,
        module: ModuleId,
        blocks: &[Scope],
        path: &syn::Path,
        len: usize,
    ) -> Option<String> {
        self.resolve_keyed(module, blocks, path, len, None)
    }

    /// [`Resolver::resolve`] of a path of one segment, whose name (without `r#`) the caller
    /// already has.
    pub fn resolve_named(
        &self,
        module: ModuleId,
        blocks: &[Scope],
        path: &syn::Path,
        name: &str,
    ) -> Option<String> {
        self.resolve_keyed(module, blocks, path, 1, Some(name))
    }

    /// [`Resolver::resolve_prefix`], with the memo's key for the path when the caller has it
    /// (the string [`write_key`] would make).
    fn resolve_keyed(
        &self,
        module: ModuleId,
        blocks: &[Scope],
        path: &syn::Path,
        len: usize,
        known_key: Option<&str>,
    ) -> Option<String> {
        let key = {
            let mut key = self.key.borrow_mut();
            match known_key {
                Some(known) => known.clone_into(&mut key),
                None => write_key(path, len, &mut key),
            }
            // Blocks only say what a path's first segment names: one no block can name means
            // what it means in the module, and the module's memo holds it. Most blocks declare
            // nothing at all.
            let named_in_a_block = path.leading_colon.is_none()
                && blocks.iter().any(|block| !block.declares_nothing())
                && {
                    let first = &key[..key.find(':').unwrap_or(key.len())];
                    blocks.iter().any(|block| block.may_name(first))
                };
            if named_in_a_block {
                drop(key);
                let blocks: Vec<&Scope> = blocks.iter().collect();
                let written = WrittenPath::from_syn_prefix(path, len);
                return self.resolve_afresh(module, &blocks, &written);
            }
            if let Some(found) = self
                .memo
                .borrow()
                .get(module.0)
                .and_then(|m| m.get(key.as_str()))
            {
                return found.clone();
            }
            Box::<str>::from(key.as_str())
        };
        let found = self.resolve_afresh(module, &[], &WrittenPath::from_syn_prefix(path, len));
        if let Some(memo) = self.memo.borrow_mut().get_mut(module.0) {
            memo.insert(key, found.clone());
        }
        found
    }

    /// Resolves a path without the memo.
    fn resolve_afresh(
        &self,
        module: ModuleId,
        blocks: &[&Scope],
        path: &WrittenPath,
    ) -> Option<String> {
        self.resolve_segments(module, blocks, path, Role::Expr, 0)
            .map(|r| self.catalog.canonical(&self.render(r)))
    }

    /// Whether a trait is in scope in `module` and `blocks` (imported by name, as `_`, or
    /// through a glob).
    pub fn trait_in_scope(&self, module: ModuleId, blocks: &[&Scope], trait_path: &str) -> bool {
        let Some(name) = trait_path.rsplit("::").next() else {
            return false;
        };
        let scopes = blocks
            .iter()
            .rev()
            .copied()
            .chain(std::iter::once(&self.modules[module.0]));
        for scope in scopes {
            let candidates = scope
                .imports
                .values()
                .map(|i| i.path.clone())
                .chain(scope.traits.iter().cloned())
                .chain(scope.globs.iter().map(|g| {
                    let mut g = g.clone();
                    g.segments.push(name.to_owned());
                    g
                }));
            for candidate in candidates {
                if self
                    .resolve_segments(module, &[], &candidate, Role::Use, 0)
                    .is_some_and(|r| self.catalog.canonical(&self.render(r)) == trait_path)
                {
                    return true;
                }
            }
        }
        false
    }

    /// Every module-level import as `(the path it can be named by, what it names)`:
    /// `pub use util::sockets::open_probe;` in the root gives
    /// `("probe::open_probe", "probe::util::sockets::open_probe")`. Other crates call through
    /// these paths.
    pub fn exports(&self) -> Vec<(String, String)> {
        let mut exports = Vec::new();
        for id in self.tree.ids() {
            let prefix = self.tree.canonical(id);
            for (name, import) in &self.modules[id.0].imports {
                if let Some(target) = self.resolve_segments(id, &[], &import.path, Role::Use, 0) {
                    let target = self.catalog.canonical(&self.render(target));
                    exports.push((format!("{prefix}::{name}"), target));
                }
            }
        }
        exports
    }

    fn render(&self, resolved: Resolved) -> String {
        match resolved {
            Resolved::Module(id) => self.tree.canonical(id),
            Resolved::Path(p) => p,
        }
    }

    fn resolve_segments(
        &self,
        module: ModuleId,
        blocks: &[&Scope],
        path: &WrittenPath,
        role: Role,
        depth: usize,
    ) -> Option<Resolved> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (first, rest) = path.segments.split_first()?;
        if path.leading_colon {
            return Some(self.walk(Resolved::Path(self.extern_name(first)), rest, depth));
        }
        let start = match first.as_str() {
            "crate" => Resolved::Module(ModuleId(0)),
            "self" => Resolved::Module(module),
            "super" => {
                let mut current = module;
                let mut rest = path.segments.as_slice();
                while let Some((seg, tail)) = rest.split_first() {
                    if seg == "super" {
                        current = self.tree.module(current).parent?;
                        rest = tail;
                    } else {
                        break;
                    }
                }
                return Some(self.walk(Resolved::Module(current), rest, depth));
            }
            "Self" => return None,
            name => match self.lookup(module, blocks, name, depth) {
                Some(found) => found,
                None => match std_prelude(name) {
                    Some(item) => Resolved::Path(item.to_owned()),
                    None if rest.is_empty() && role == Role::Expr => return None,
                    None => Resolved::Path(self.extern_name(name)),
                },
            },
        };
        Some(self.walk(start, rest, depth))
    }

    fn extern_name(&self, name: &str) -> String {
        self.extern_prelude
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_owned())
    }

    fn walk(&self, mut current: Resolved, rest: &[String], depth: usize) -> Resolved {
        for seg in rest {
            current = match current {
                Resolved::Module(id) => self
                    .lookup_in_scope(id, &self.modules[id.0], seg, depth + 1)
                    .unwrap_or_else(|| {
                        Resolved::Path(format!("{}::{seg}", self.tree.canonical(id)))
                    }),
                Resolved::Path(p) => Resolved::Path(format!("{p}::{seg}")),
            };
        }
        current
    }

    /// Looks a name up in the blocks (innermost first), then the module.
    fn lookup(
        &self,
        module: ModuleId,
        blocks: &[&Scope],
        name: &str,
        depth: usize,
    ) -> Option<Resolved> {
        for (i, block) in blocks.iter().enumerate().rev() {
            if let Some(found) = self.lookup_in_block(module, &blocks[..=i], block, name, depth) {
                return Some(found);
            }
        }
        self.lookup_in_scope(module, &self.modules[module.0], name, depth)
    }

    fn lookup_in_block(
        &self,
        module: ModuleId,
        blocks: &[&Scope],
        block: &Scope,
        name: &str,
        depth: usize,
    ) -> Option<Resolved> {
        if let Some(found) = block.items.get(name) {
            return Some(found.clone());
        }
        if let Some(import) = block.imports.get(name) {
            let outer = &blocks[..blocks.len().saturating_sub(1)];
            return self.resolve_segments(module, outer, &import.path, Role::Use, depth + 1);
        }
        if let Some(krate) = block.extern_crates.get(name) {
            return Some(Resolved::Path(krate.clone()));
        }
        self.lookup_in_globs(module, &block.globs, name, depth)
    }

    fn lookup_in_scope(
        &self,
        module: ModuleId,
        scope: &Scope,
        name: &str,
        depth: usize,
    ) -> Option<Resolved> {
        if depth > MAX_DEPTH {
            return None;
        }
        if let Some(found) = scope.items.get(name) {
            return Some(found.clone());
        }
        if let Some(import) = scope.imports.get(name) {
            return self.resolve_segments(module, &[], &import.path, Role::Use, depth + 1);
        }
        if let Some(krate) = scope.extern_crates.get(name) {
            return Some(Resolved::Path(krate.clone()));
        }
        self.lookup_in_globs(module, &scope.globs, name, depth)
    }

    fn lookup_in_globs(
        &self,
        module: ModuleId,
        globs: &[WrittenPath],
        name: &str,
        depth: usize,
    ) -> Option<Resolved> {
        if globs.is_empty() {
            return None;
        }
        // A glob's own path is resolved without the globs of the module it is written in:
        // otherwise every segment of every glob path would search every glob again, which
        // grows as (number of globs)^depth (a module with three globs took seconds).
        if self.resolving_globs.borrow().contains(&module) {
            return None;
        }
        self.resolving_globs.borrow_mut().push(module);
        let found = self.lookup_in_glob_targets(module, globs, name, depth);
        self.resolving_globs.borrow_mut().pop();
        found
    }

    fn lookup_in_glob_targets(
        &self,
        module: ModuleId,
        globs: &[WrittenPath],
        name: &str,
        depth: usize,
    ) -> Option<Resolved> {
        for glob in globs {
            match self.resolve_segments(module, &[], glob, Role::Use, depth + 1) {
                Some(Resolved::Module(id)) => {
                    if let Some(found) =
                        self.lookup_in_scope(id, &self.modules[id.0], name, depth + 1)
                    {
                        return Some(found);
                    }
                }
                Some(Resolved::Path(base)) => {
                    let candidate = format!("{base}::{name}");
                    if self.is_known(&candidate) {
                        return Some(Resolved::Path(candidate));
                    }
                }
                None => {}
            }
        }
        None
    }

    fn is_known(&self, candidate: &str) -> bool {
        let candidate = self.catalog.canonical(candidate);
        let candidate = candidate.as_str();
        let below = format!("{candidate}::");
        self.known.contains(candidate)
            || self
                .known
                .range(below.clone()..)
                .next()
                .is_some_and(|k| k.starts_with(&below))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::modtree::Module;
    use crate::source::FileId;

    fn crate_of(text: &str) -> CrateTree {
        let file = syn::parse_file(text).expect("parses");
        CrateTree {
            name: "demo".to_owned(),
            modules: vec![Module {
                path: Vec::new(),
                file: FileId(0),
                items: file.items,
                parent: None,
                attrs: Vec::new(),
                public: true,
            }],
        }
    }

    fn written(path: &str) -> syn::Path {
        syn::parse_str(path).expect("a path")
    }

    /// The scope of a block of `fn f` holding `items`.
    fn block_scope(items: &str) -> Scope {
        let body: syn::Block = syn::parse_str(&format!("{{ {items} }}")).expect("a block");
        let items: Vec<syn::Item> = body
            .stmts
            .into_iter()
            .filter_map(|s| match s {
                syn::Stmt::Item(item) => Some(item),
                _ => None,
            })
            .collect();
        Scope::from_items(&items, "demo::f", &|_| None)
    }

    #[test]
    fn blocks_that_declare_names_are_not_answered_from_the_module_memo() {
        let tree = crate_of("use libc::setns;\nfn f() {}\n");
        let catalog = Catalog::builtin().expect("the built-in catalogue loads");
        let known = BTreeSet::new();
        let resolver = Resolver::new(&tree, &catalog, &known);
        let setns = written("setns");
        let module = ModuleId(0);
        assert_eq!(
            resolver.resolve(module, &[], &setns).as_deref(),
            Some("libc::setns")
        );
        let shadowing = block_scope("fn setns() {}");
        assert_eq!(
            resolver
                .resolve(module, std::slice::from_ref(&shadowing), &setns)
                .as_deref(),
            Some("demo::f::setns")
        );
        assert_eq!(
            resolver
                .resolve(module, &[Scope::default()], &setns)
                .as_deref(),
            Some("libc::setns")
        );
    }

    /// A block is asked about a path's first segment only: a path whose first segment no block
    /// may bring in means what it means in the module (its memo answers), while a block that
    /// names that segment, or has a glob import, is asked.
    #[test]
    fn blocks_are_asked_only_about_the_names_they_may_bring_in() {
        let tree = crate_of("use libc::setns;\nmod sched { pub fn setns() {} }\nfn f() {}\n");
        let catalog = Catalog::builtin().expect("the built-in catalogue loads");
        let known = BTreeSet::from(["nix::sched::setns".to_owned()]);
        let resolver = Resolver::new(&tree, &catalog, &known);
        let module = ModuleId(0);
        let resolve =
            |blocks: &[Scope], path: &str| resolver.resolve(module, blocks, &written(path));
        let unrelated = block_scope("fn other() {}\nuse std::fs::File;");
        assert_eq!(
            resolve(std::slice::from_ref(&unrelated), "setns").as_deref(),
            Some("libc::setns")
        );
        let renamed = block_scope("use nix::sched as sched;");
        assert_eq!(
            resolve(std::slice::from_ref(&renamed), "sched::setns").as_deref(),
            Some("nix::sched::setns")
        );
        assert_eq!(
            resolve(&[], "sched::setns").as_deref(),
            Some("demo::sched::setns")
        );
        let glob = block_scope("use nix::sched::*;");
        assert_eq!(
            resolve(&[unrelated, glob], "setns").as_deref(),
            Some("nix::sched::setns")
        );
        assert_eq!(resolve(&[], "setns").as_deref(), Some("libc::setns"));
    }

    /// A crate whose inline modules are modules of their own, as the module tree makes them.
    fn tree_of(text: &str) -> CrateTree {
        crate::resolve::modtree::tree_of_text(text).0
    }

    /// `a0` renamed from `a1`, and so on: `imports` renames in all, the last from `libc::setns`.
    fn renames(imports: usize) -> CrateTree {
        let mut text = String::new();
        for i in 0..imports - 1 {
            text += &format!("use a{} as a{i};\n", i + 1);
        }
        text += &format!("use libc::setns as a{};\n", imports - 1);
        crate_of(&text)
    }

    /// Modules nested `imports - 1` deep, each bringing in the next one's names with a glob,
    /// the innermost `libc`'s: `imports` globs in all.
    fn globs(imports: usize) -> CrateTree {
        let mut text = String::new();
        for i in 0..imports - 1 {
            text += &format!("pub use m{i}::*;\npub mod m{i} {{\n");
        }
        text += "pub use libc::*;\n";
        text += &"}\n".repeat(imports - 1);
        tree_of(&text)
    }

    #[test]
    fn every_kind_of_item_defines_its_name() {
        let tree = crate_of(
            "fn a() {}\nconst B: u8 = 0;\nstatic C: u8 = 0;\nstruct D;\nenum E {}\n\
             union F { x: u8 }\ntrait G {}\ntype H = u8;\ntrait I = G;\n",
        );
        let catalog = Catalog::builtin().expect("the built-in catalogue loads");
        let known = BTreeSet::new();
        let resolver = Resolver::new(&tree, &catalog, &known);
        for name in ["a", "B", "C", "D", "E", "F", "G", "H", "I"] {
            let found = resolver.resolve(ModuleId(0), &[], &written(name));
            assert_eq!(found, Some(format!("demo::{name}")), "{name}");
        }
    }

    #[test]
    fn an_import_in_a_block_counts_toward_the_depth() {
        let catalog = Catalog::builtin().expect("the built-in catalogue loads");
        let known = BTreeSet::from(["libc::setns".to_owned()]);
        let tree = renames(MAX_DEPTH);
        let resolver = Resolver::new(&tree, &catalog, &known);
        let in_block = |import: &str| {
            let block = block_scope(import);
            resolver.resolve(ModuleId(0), &[block], &written("b"))
        };
        // `a1` is `MAX_DEPTH - 1` renames from `libc::setns`, `a0` one more.
        assert_eq!(in_block("use a1 as b;").as_deref(), Some("libc::setns"));
        assert_ne!(in_block("use a0 as b;").as_deref(), Some("libc::setns"));
    }

    #[test]
    fn imports_are_followed_max_depth_deep_and_no_deeper() {
        let catalog = Catalog::builtin().expect("the built-in catalogue loads");
        let known = BTreeSet::from(["libc::setns".to_owned()]);
        let resolve = |tree: &CrateTree, name: &str| {
            Resolver::new(tree, &catalog, &known).resolve(ModuleId(0), &[], &written(name))
        };
        let setns = Some("libc::setns".to_owned());
        assert_eq!(resolve(&renames(MAX_DEPTH), "a0"), setns);
        assert_ne!(resolve(&renames(MAX_DEPTH + 1), "a0"), setns);
        assert_eq!(resolve(&globs(MAX_DEPTH), "setns"), setns);
        assert_ne!(resolve(&globs(MAX_DEPTH + 1), "setns"), setns);
    }

    #[test]
    fn the_memo_tells_a_leading_colon_apart_and_reads_raw_names_as_plain() {
        let tree = crate_of("mod libc { pub fn setns() {} }\n");
        let catalog = Catalog::builtin().expect("the built-in catalogue loads");
        let known = BTreeSet::new();
        let resolver = Resolver::new(&tree, &catalog, &known);
        let module = ModuleId(0);
        let resolve = |path: &str| resolver.resolve(module, &[], &written(path));
        // Asked twice each, so that the second answer of each comes from the memo.
        for _ in 0..2 {
            assert_eq!(resolve("libc::setns").as_deref(), Some("demo::libc::setns"));
            assert_eq!(resolve("::libc::setns").as_deref(), Some("libc::setns"));
            assert_eq!(
                resolve("r#libc::r#setns").as_deref(),
                Some("demo::libc::setns")
            );
        }
    }
}
