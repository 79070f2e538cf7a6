//! The walk over a crate's AST that extracts [`CrateFacts`].

mod bindings;
mod contexts;
mod ends;
mod events;
mod expansion;
mod halves;
mod paths;
mod syntax;
mod traverse;
mod types;

use super::expand::MacroTable;
use super::flags::{FlagEnv, kinds_of};
use super::ir::{
    Body, BodyOwner, Callee, Entry, Event, EventBuilder, ExitKind, ParamTest, SwitchTarget, TypeRef,
};
use super::macros::{MacroBody, parse_macro_body};
use super::{CrateFacts, OuterHandleUse, PathUse, SwitchCall, ThreadContext};
use crate::catalog::{Catalog, FlagKind, ScopeKind, Switch, SwitchOp};
use crate::diagnostic::Span;
use crate::parse::{ident_name, range_between};
use crate::resolve::{ModuleId, Resolver, Scope};
use crate::source::{FileId, SourceDb, SourceFile};
use std::cell::LazyCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

use contexts::{BindsClosure, NamedClosureScan};
use events::{arg_consts, arm_succeeded, checked_status, take_switch};
pub use halves::{HalfFacts, Link, extract_half_facts};
use syntax::{binding_name, collect_bindings, int_pattern, strip};

/// Extracts the facts of every module of the crate `resolver` covers.
/// `db` holds the crate's files (spans are measured in their text). In a `library`, public
/// items can be called by code outside the workspace.
pub fn extract_facts(
    resolver: &Resolver<'_>,
    catalog: &Catalog,
    db: &SourceDb,
    library: bool,
) -> CrateFacts {
    let steps = Steps {
        resolver,
        catalog,
        db,
    };
    let tree = resolver.tree();
    let mut tables = CrateTables::new(resolver, catalog, db, library);
    let mut facts = CrateFacts::default();
    // First the helpers that hand a closure parameter to a thread API, so that closures
    // passed to them are placed on the right thread wherever the helper is declared (this
    // scan only reads; the facts are filled by the walk that follows).
    let mut forwarders = Forwarders::new();
    for id in tree.ids() {
        steps.scan_forwarders(&tables, id, &mut forwarders);
    }
    facts.forwarders = tables.take_forwarders(forwarders);
    // Then the functions that return a fork's result, so that their callers' tests of it
    // (`if my_fork()? == 0`) tell the child apart, and those that return a namespace file.
    let mut returned = ReturnedValues::default();
    for id in tree.ids() {
        steps.scan_returned_values(&tables, id, &mut returned);
    }
    tables.take_returned_values(returned);
    for id in tree.ids() {
        steps.walk_module(&tables, id, &mut facts);
    }
    facts.exports = resolver.exports();
    facts
}

impl<'ast> CrateTables<'ast> {
    /// The tables read from the crate's items, before the two scans of bodies fill the rest
    /// ([`Self::take_forwarders`], [`Self::take_returned_values`]).
    fn new(
        resolver: &Resolver<'ast>,
        catalog: &'ast Catalog,
        db: &'ast SourceDb,
        library: bool,
    ) -> Self {
        let tree = resolver.tree();
        let aliases = type_aliases(resolver);
        CrateTables {
            consts: crate_constants(resolver),
            const_types: const_types(resolver, &aliases, catalog),
            short_names: short_names(resolver),
            trait_methods: trait_methods(tree),
            scope_crates: catalog.scope_crates(),
            macros: MacroTable::collect(tree, db),
            fields: struct_fields(resolver, &aliases, catalog),
            aliases,
            forwarders: BTreeMap::new(),
            fork_wrappers: BTreeMap::new(),
            ns_files: BTreeMap::new(),
            joins: BTreeMap::new(),
            string_values: BTreeMap::new(),
            field_paths: BTreeMap::new(),
            public_modules: public_modules(tree, library),
            diverging_fns: diverging_fns(resolver),
        }
    }

    /// Takes the crate's forwarders in; returns their paths, as [`CrateFacts::forwarders`].
    fn take_forwarders(&mut self, forwarders: Forwarders) -> Vec<String> {
        let paths = forwarders.keys().cloned().collect();
        self.forwarders = forwarders;
        paths
    }

    /// Takes in what the crate's functions return.
    fn take_returned_values(&mut self, returned: ReturnedValues) {
        self.fork_wrappers = returned.forks;
        self.ns_files = returned.ns_files;
        self.joins = returned.joins;
        self.string_values = returned.strings;
        self.field_paths = returned.fields;
    }
}

/// What every step of the extraction reads: the crate, the catalogue and the crate's files.
#[derive(Clone, Copy)]
struct Steps<'r, 'ast> {
    resolver: &'r Resolver<'ast>,
    catalog: &'r Catalog,
    db: &'r SourceDb,
}

impl<'r, 'ast> Steps<'r, 'ast> {
    /// A walker over module `id` with `tables`, filling `facts`.
    fn walker<'a>(
        self,
        tables: &'a CrateTables<'ast>,
        id: ModuleId,
        facts: &'a mut CrateFacts,
    ) -> Walker<'a, 'ast>
    where
        'r: 'a,
    {
        let file = self.resolver.tree().module(id).file;
        Walker::new(
            self.resolver,
            self.catalog,
            tables,
            id,
            self.db.get(file),
            facts,
        )
    }

    /// The items of module `id`.
    fn items(self, id: ModuleId) -> &'r [syn::Item] {
        &self.resolver.tree().module(id).items
    }

    /// Adds the forwarders among one module's functions to `out` (a scan that only reads).
    fn scan_forwarders(self, tables: &CrateTables<'ast>, id: ModuleId, out: &mut Forwarders) {
        let mut unused = CrateFacts::default();
        self.walker(tables, id, &mut unused)
            .find_forwarders(self.items(id), out);
    }

    /// Adds what one module's functions and constants return to `out`.
    fn scan_returned_values(
        self,
        tables: &CrateTables<'ast>,
        id: ModuleId,
        out: &mut ReturnedValues,
    ) {
        let mut unused = CrateFacts::default();
        self.walker(tables, id, &mut unused)
            .find_returned_values(self.items(id), out);
    }

    /// Walks one module's items into `facts`.
    fn walk_module(self, tables: &CrateTables<'ast>, id: ModuleId, facts: &mut CrateFacts) {
        let items = self.items(id);
        let mut walker = self.walker(tables, id, facts);
        for item in items {
            walker.visit_item(item);
        }
    }
}

/// Whether a module, or one it is nested in, exists for tests only.
fn test_module(tree: &crate::resolve::CrateTree, module: ModuleId) -> bool {
    let mut current = Some(module);
    while let Some(id) = current {
        let module = tree.module(id);
        if module.attrs.iter().any(is_test_cfg) {
            return true;
        }
        current = module.parent;
    }
    false
}

/// Whether an attribute is a `#[cfg(..)]` (or `cfg_attr` condition) that names `test`: the
/// item exists for tests (`#[cfg(test)]`, `#[cfg(any(test, feature = "testing"))]`).
fn is_test_cfg(attr: &syn::Attribute) -> bool {
    if !attr.path().is_ident("cfg") {
        return false;
    }
    let syn::Meta::List(list) = &attr.meta else {
        return false;
    };
    let mut pending: Vec<proc_macro2::TokenStream> = vec![list.tokens.clone()];
    while let Some(tokens) = pending.pop() {
        for tree in tokens {
            match tree {
                proc_macro2::TokenTree::Ident(ident) if ident == "test" => return true,
                proc_macro2::TokenTree::Group(group) => pending.push(group.stream()),
                _ => {}
            }
        }
    }
    false
}

/// The `flavor = ".."` argument of an attribute (`#[tokio::test(flavor = "multi_thread")]`).
fn attribute_flavor(attr: &syn::Attribute) -> Option<String> {
    let syn::Meta::List(list) = &attr.meta else {
        return None;
    };
    let mut tokens = list.tokens.clone().into_iter();
    while let Some(token) = tokens.next() {
        if matches!(&token, proc_macro2::TokenTree::Ident(i) if i == "flavor")
            && matches!(tokens.next(), Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '=')
            && let Some(proc_macro2::TokenTree::Literal(value)) = tokens.next()
        {
            return Some(value.to_string().trim_matches('"').to_owned());
        }
    }
    None
}

/// Closure arguments of the crate's own functions that end up on a known thread:
/// function canonical path → (argument index, context).
type Forwarders = BTreeMap<String, Vec<(usize, ThreadContext)>>;

/// Crate-wide tables the walk consults.
struct CrateTables<'ast> {
    consts: BTreeMap<String, (ModuleId, &'ast syn::Expr)>,
    /// The declared types of the crate's `const`s and `static`s.
    const_types: BTreeMap<String, String>,
    /// The crate's type aliases.
    aliases: BTreeMap<String, (ModuleId, syn::Type)>,
    /// Items the crate re-exports under a shorter path: definition → shortest path (inside
    /// a crate the catalogue describes, `connection::new_connection` is `new_connection`).
    short_names: BTreeMap<String, String>,
    /// The names of the methods of the crate's own traits.
    trait_methods: BTreeSet<String>,
    scope_crates: BTreeSet<&'ast str>,
    macros: MacroTable<'ast>,
    fields: BTreeMap<String, BTreeMap<String, String>>,
    forwarders: Forwarders,
    /// Functions (canonical paths) whose result is a fork's (`fn my_fork() -> io::Result<i32>`),
    /// with the fork's child pattern.
    fork_wrappers: BTreeMap<String, String>,
    /// Functions that return a namespace file opened from a path, with what joining it does.
    ns_files: BTreeMap<String, SwitchTarget>,
    /// Functions that join the namespace of one of their parameters, with its index.
    joins: BTreeMap<String, usize>,
    /// `const`s, `static`s and functions whose value is a string literal, with its span.
    string_values: BTreeMap<String, (String, crate::diagnostic::Span)>,
    /// Struct fields some constructor fills with a file opened from a path, with the path.
    field_paths: BTreeMap<(String, String), (String, crate::diagnostic::Span)>,
    /// For each module, whether code outside the crate can name its items: the crate is a
    /// library and every module on the way is `pub`.
    public_modules: Vec<bool>,
    /// Functions (canonical paths) declared to never return (`-> !`).
    diverging_fns: BTreeSet<String>,
}

/// The crate's functions declared `-> !`, free and associated.
fn diverging_fns(resolver: &Resolver<'_>) -> BTreeSet<String> {
    let tree = resolver.tree();
    let never = |sig: &syn::Signature| matches!(&sig.output, syn::ReturnType::Type(_, ty) if matches!(**ty, syn::Type::Never(_)));
    let mut out = BTreeSet::new();
    for id in tree.ids() {
        let module = tree.canonical(id);
        for item in &tree.module(id).items {
            match item {
                syn::Item::Fn(f) if never(&f.sig) => {
                    out.insert(format!("{module}::{}", f.sig.ident.unraw()));
                }
                syn::Item::Impl(imp) => {
                    let syn::Type::Path(ty) = &*imp.self_ty else {
                        continue;
                    };
                    let Some(ty) = resolver.resolve(id, &[], &ty.path) else {
                        continue;
                    };
                    for impl_item in &imp.items {
                        if let syn::ImplItem::Fn(f) = impl_item
                            && never(&f.sig)
                        {
                            out.insert(format!("{ty}::{}", f.sig.ident.unraw()));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// What the crate's functions and constants return, found before the walk.
#[derive(Default, Clone)]
struct ReturnedValues {
    /// Functions that return a fork's result, with its child pattern.
    forks: BTreeMap<String, String>,
    /// Functions that return a namespace file, with what joining it does.
    ns_files: BTreeMap<String, SwitchTarget>,
    /// Constants and functions whose value is a string literal.
    strings: BTreeMap<String, (String, crate::diagnostic::Span)>,
    /// Struct fields filled with a file opened from a path.
    fields: BTreeMap<(String, String), (String, crate::diagnostic::Span)>,
    /// Functions that join the namespace of one of their parameters, with its index.
    joins: BTreeMap<String, usize>,
}

/// Which modules of the tree code outside the crate can reach (see
/// [`CrateTables::public_modules`]): the root of a library, `pub mod`s inside reachable ones,
/// and private modules that a reachable one re-exports from (`pub use self::imp::*;`).
fn public_modules(tree: &crate::resolve::CrateTree, library: bool) -> Vec<bool> {
    let mut public = vec![false; tree.modules.len()];
    if !library {
        return public;
    }
    let by_path: HashMap<&[String], usize> = tree
        .ids()
        .map(|id| (tree.module(id).path.as_slice(), id.0))
        .collect();
    loop {
        let mut changed = false;
        for id in tree.ids() {
            let module = tree.module(id);
            let reachable = match module.parent {
                None => true,
                Some(parent) => module.public && public[parent.0],
            };
            if reachable && !public[id.0] {
                public[id.0] = true;
                changed = true;
            }
            if !public[id.0] {
                continue;
            }
            for item in &module.items {
                let syn::Item::Use(item_use) = item else {
                    continue;
                };
                if !matches!(item_use.vis, syn::Visibility::Public(_)) {
                    continue;
                }
                let mut prefixes = Vec::new();
                use_prefixes(&item_use.tree, &module.path, &mut Vec::new(), &mut prefixes);
                for prefix in prefixes {
                    if let Some(&target) = by_path.get(prefix.as_slice())
                        && !public[target]
                    {
                        public[target] = true;
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            return public;
        }
    }
}

/// The module paths (from the crate root) a `use` tree written in module `at` takes items
/// from: `self::imp::*` in `a` gives `a::imp`; `crate::x::Y` gives `x`.
fn use_prefixes(
    tree: &syn::UseTree,
    at: &[String],
    written: &mut Vec<String>,
    out: &mut Vec<Vec<String>>,
) {
    let absolute = |written: &[String]| -> Option<Vec<String>> {
        match written.first().map(String::as_str) {
            Some("crate") => Some(written[1..].to_vec()),
            Some("self") => Some(at.iter().chain(&written[1..]).cloned().collect()),
            Some("super") => None,
            _ => Some(at.iter().chain(written).cloned().collect()),
        }
    };
    match tree {
        syn::UseTree::Path(p) => {
            written.push(p.ident.to_string());
            use_prefixes(&p.tree, at, written, out);
            written.pop();
        }
        syn::UseTree::Name(_) | syn::UseTree::Rename(_) | syn::UseTree::Glob(_) => {
            out.extend(absolute(written));
        }
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                use_prefixes(tree, at, written, out);
            }
        }
    }
}

/// Every module-level `const` of the crate, by canonical path.
fn crate_constants<'t>(resolver: &Resolver<'t>) -> BTreeMap<String, (ModuleId, &'t syn::Expr)> {
    let tree = resolver.tree();
    let mut consts = BTreeMap::new();
    for id in tree.ids() {
        for item in &tree.module(id).items {
            if let syn::Item::Const(c) = item {
                let path = format!("{}::{}", tree.canonical(id), c.ident.unraw());
                consts.insert(path, (id, &*c.expr));
            }
        }
    }
    consts
}

/// The names of the methods the crate's traits declare.
fn trait_methods(tree: &crate::resolve::CrateTree) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for id in tree.ids() {
        for item in &tree.module(id).items {
            if let syn::Item::Trait(t) = item {
                for trait_item in &t.items {
                    if let syn::TraitItem::Fn(f) = trait_item {
                        names.insert(ident_name(&f.sig.ident));
                    }
                }
            }
        }
    }
    names
}

/// For each item the crate's imports name under a shorter path, the shortest.
fn short_names(resolver: &Resolver<'_>) -> BTreeMap<String, String> {
    let mut shortest: BTreeMap<String, String> = BTreeMap::new();
    for (alias, target) in resolver.exports() {
        let length = |p: &str| p.matches("::").count();
        if length(&alias) >= length(&target) {
            continue;
        }
        let better = shortest
            .get(&target)
            .is_none_or(|s| length(&alias) < length(s));
        if better {
            shortest.insert(target, alias);
        }
    }
    shortest
}

/// The type whose methods every module-level `const` and `static` has, by canonical path
/// (through references, wrappers and aliases, as [`pointee`] reads them).
fn const_types(
    resolver: &Resolver<'_>,
    aliases: &BTreeMap<String, (ModuleId, syn::Type)>,
    catalog: &Catalog,
) -> BTreeMap<String, String> {
    let tree = resolver.tree();
    let mut types = BTreeMap::new();
    for id in tree.ids() {
        for item in &tree.module(id).items {
            let (ident, ty) = match item {
                syn::Item::Const(c) => (&c.ident, &*c.ty),
                syn::Item::Static(s) => (&s.ident, &*s.ty),
                _ => continue,
            };
            if let Some(canonical) = pointee(resolver, aliases, catalog, id, ty, 0) {
                types.insert(
                    format!("{}::{}", tree.canonical(id), ident.unraw()),
                    canonical,
                );
            }
        }
    }
    types
}

/// The declared field types of the crate's structs: struct canonical path → field → type.
fn struct_fields(
    resolver: &Resolver<'_>,
    aliases: &BTreeMap<String, (ModuleId, syn::Type)>,
    catalog: &Catalog,
) -> BTreeMap<String, BTreeMap<String, String>> {
    let tree = resolver.tree();
    let mut fields = BTreeMap::new();
    for id in tree.ids() {
        for item in &tree.module(id).items {
            let syn::Item::Struct(s) = item else {
                continue;
            };
            let owner = format!("{}::{}", tree.canonical(id), s.ident.unraw());
            let mut types = BTreeMap::new();
            for field in &s.fields {
                if let Some(name) = &field.ident
                    && let Some(canonical) = pointee(resolver, aliases, catalog, id, &field.ty, 0)
                {
                    types.insert(ident_name(name), canonical);
                }
            }
            fields.insert(owner, types);
        }
    }
    fields
}

/// The crate's type aliases (`type Shared = Arc<NetNs>;`), by canonical path.
fn type_aliases(resolver: &Resolver<'_>) -> BTreeMap<String, (ModuleId, syn::Type)> {
    let tree = resolver.tree();
    let mut aliases = BTreeMap::new();
    for id in tree.ids() {
        for item in &tree.module(id).items {
            if let syn::Item::Type(alias) = item {
                aliases.insert(
                    format!("{}::{}", tree.canonical(id), alias.ident.unraw()),
                    (id, (*alias.ty).clone()),
                );
            }
        }
    }
    aliases
}

/// The type whose methods a value of type `ty` (written in `module`) has: through
/// references, the catalogue's wrappers (`Arc`, `Box`, `LazyLock`, ..) and the crate's type
/// aliases.
fn pointee(
    resolver: &Resolver<'_>,
    aliases: &BTreeMap<String, (ModuleId, syn::Type)>,
    catalog: &Catalog,
    module: ModuleId,
    ty: &syn::Type,
    depth: usize,
) -> Option<String> {
    if depth > 8 {
        return None;
    }
    // Only an alias can lead back to itself (`type A = B; type B = A;`): the depth counts
    // aliases; references, parentheses and wrappers only descend into a smaller type.
    match ty {
        syn::Type::Reference(r) => pointee(resolver, aliases, catalog, module, &r.elem, depth),
        syn::Type::Paren(p) => pointee(resolver, aliases, catalog, module, &p.elem, depth),
        syn::Type::Path(p) if p.qself.is_none() => {
            let canonical = resolver.resolve(module, &[], &p.path)?;
            if let Some((alias_module, target)) = aliases.get(&canonical) {
                return pointee(resolver, aliases, catalog, *alias_module, target, depth + 1);
            }
            if catalog.is_wrapper(&canonical)
                && let Some(syn::PathArguments::AngleBracketed(args)) =
                    p.path.segments.last().map(|s| &s.arguments)
                && let Some(syn::GenericArgument::Type(inner)) = args.args.first()
            {
                return pointee(resolver, aliases, catalog, module, inner, depth);
            }
            Some(canonical)
        }
        _ => None,
    }
}

/// A local binding: its name, for `let x = expr` the initializer, its type when known, and
/// for a namespace-bound handle what made it and where.
struct Local<'ast> {
    name: String,
    init: Option<&'ast syn::Expr>,
    ty: Option<TypeRef>,
    handle: Option<(String, crate::diagnostic::Span)>,
}

struct Walker<'a, 'ast> {
    resolver: &'a Resolver<'ast>,
    catalog: &'a Catalog,
    consts: &'a BTreeMap<String, (ModuleId, &'ast syn::Expr)>,
    const_types: &'a BTreeMap<String, String>,
    aliases: &'a BTreeMap<String, (ModuleId, syn::Type)>,
    short_names: &'a BTreeMap<String, String>,
    trait_methods: &'a BTreeSet<String>,
    scope_crates: &'a BTreeSet<&'a str>,
    forwarders: &'a Forwarders,
    module: ModuleId,
    file: FileId,
    /// The text of that file, in which spans are measured.
    source: &'a SourceFile,
    fn_name: Option<String>,
    blocks: Vec<Scope>,
    locals: Vec<Local<'ast>>,
    /// The loops around the code being walked, innermost last: each one's label and how
    /// many locals were declared outside it (a `break` or `continue` drops the others).
    loops: Vec<(Option<String>, usize)>,
    context: ThreadContext,
    /// Whether the current thread body has unshared `CLONE_FS`/`CLONE_NEWNS` so far.
    fs_unshared: bool,
    /// Contexts decided for closures by the call they are passed to, keyed by address.
    pending: HashMap<usize, ThreadContext>,
    /// Addresses of expressions whose value is thrown away.
    discarded: BTreeSet<usize>,
    /// Closures bound to a name and later passed to a context API by that name
    /// (`let child_setup = || ..; cmd.pre_exec(child_setup)`), found before the body is walked.
    named_contexts: Vec<(String, ThreadContext)>,
    /// Names bound to `std::thread::scope`'s scope handle.
    thread_scope_handles: Vec<String>,
    /// Names bound to the result of a fork, in the blocks being walked (a name leaves with
    /// its block and its body).
    fork_results: Vec<(String, String)>,
    /// The events of the body being walked.
    events: EventBuilder,
    /// The canonical self type of the `impl` block being walked.
    impl_type: Option<String>,
    /// Whether that `impl` block is `impl Drop for ..`.
    impl_is_drop: bool,
    /// Whether that `impl` block implements a trait (generic code may call its methods).
    impl_is_trait: bool,
    /// Whether the walk is in a trait's provided methods.
    in_trait: bool,
    /// Whether the walk is in code compiled for tests only (a module or `impl` under a `cfg`
    /// that names `test`).
    in_test_code: bool,
    /// The crate's own `macro_rules!` macros, for expansion.
    macros: &'a MacroTable<'ast>,
    /// Declared field types of the crate's structs.
    fields: &'a BTreeMap<String, BTreeMap<String, String>>,
    /// How many macro expansions deep the walk is.
    expansion_depth: usize,
    /// The parameter names of the function being walked.
    params: Vec<String>,
    /// In a scope's closure: how many locals were bound outside it.
    scope_floor: Option<usize>,
    /// Whether the body being walked has started a thread or runtime so far.
    threads_started: bool,
    /// The index of the body being walked in `facts.bodies`.
    current_body: Option<u32>,
    /// Call expressions whose value a thread API takes (`tokio::spawn(serve(conn))`), by
    /// address, with the context it runs them in.
    handed: HashMap<usize, ThreadContext>,
    /// Path expressions that are not values of their own (a call's callee, a function handed
    /// to a thread API), by address.
    not_values: BTreeSet<usize>,
    /// The type of the one parameter of closures given to a value's combinator, by address.
    closure_params: HashMap<usize, TypeRef>,
    /// The `match` or `if` that is the value of the function being walked, by address.
    tail_branch: Option<usize>,
    /// Inside the expansion of one of the crate's macros: the invocation, where everything
    /// found there is reported (the expanded tokens carry the definition's places).
    expansion: Option<expansion::Expansion<'ast>>,
    /// Functions whose result is a fork's, with the fork's child pattern.
    fork_wrappers: &'a BTreeMap<String, String>,
    /// Functions that return a namespace file, with what joining it does.
    ns_files: &'a BTreeMap<String, SwitchTarget>,
    /// Functions that join the namespace of one of their parameters, with its index.
    joins: &'a BTreeMap<String, usize>,
    /// Constants and functions whose value is a string literal.
    string_values: &'a BTreeMap<String, (String, crate::diagnostic::Span)>,
    /// Struct fields filled with a file opened from a path.
    field_paths: &'a BTreeMap<(String, String), (String, crate::diagnostic::Span)>,
    /// Which modules code outside the crate can reach.
    public_modules: &'a [bool],
    /// Functions declared to never return.
    diverging_fns: &'a BTreeSet<String>,
    facts: &'a mut CrateFacts,
}

/// State saved on entering a new body and restored on leaving it.
struct Saved {
    context: ThreadContext,
    scope_floor: Option<usize>,
    fs_unshared: bool,
    locals: usize,
    fork_results: usize,
    blocks: usize,
    fn_name: Option<String>,
    threads_started: bool,
    current_body: Option<u32>,
    params: Vec<String>,
    tail_branch: Option<usize>,
}

pub(super) fn address<T>(node: &T) -> usize {
    node as *const T as usize
}

impl<'a, 'ast> Walker<'a, 'ast> {
    pub(super) fn new(
        resolver: &'a Resolver<'ast>,
        catalog: &'a Catalog,
        tables: &'a CrateTables<'ast>,
        module: ModuleId,
        source: &'a SourceFile,
        facts: &'a mut CrateFacts,
    ) -> Self
    where
        'ast: 'a,
    {
        Walker {
            resolver,
            catalog,
            consts: &tables.consts,
            const_types: &tables.const_types,
            aliases: &tables.aliases,
            short_names: &tables.short_names,
            trait_methods: &tables.trait_methods,
            scope_crates: &tables.scope_crates,
            forwarders: &tables.forwarders,
            module,
            file: resolver.tree().module(module).file,
            source,
            fn_name: None,
            blocks: Vec::new(),
            locals: Vec::new(),
            loops: Vec::new(),
            context: ThreadContext::Caller,
            fs_unshared: false,
            pending: HashMap::new(),
            discarded: BTreeSet::new(),
            named_contexts: Vec::new(),
            thread_scope_handles: Vec::new(),
            fork_results: Vec::new(),
            events: EventBuilder::default(),
            impl_type: None,
            impl_is_drop: false,
            impl_is_trait: false,
            in_trait: false,
            in_test_code: test_module(resolver.tree(), module),
            macros: &tables.macros,
            fields: &tables.fields,
            expansion_depth: 0,
            params: Vec::new(),
            scope_floor: None,
            threads_started: false,
            current_body: None,
            handed: HashMap::new(),
            not_values: BTreeSet::new(),
            closure_params: HashMap::new(),
            tail_branch: None,
            expansion: None,
            fork_wrappers: &tables.fork_wrappers,
            ns_files: &tables.ns_files,
            joins: &tables.joins,
            string_values: &tables.string_values,
            field_paths: &tables.field_paths,
            public_modules: &tables.public_modules,
            diverging_fns: &tables.diverging_fns,
            facts,
        }
    }

    /// A span of a token of this walk's file.
    pub(super) fn span(&self, span: proc_macro2::Span) -> Span {
        self.span_between((span, span))
    }

    /// The span of an expression of this walk's file.
    pub(super) fn expr_span(&self, expr: &syn::Expr) -> Span {
        self.span_between(ends::expr_ends(expr))
    }

    /// The span from the start of the first token to the end of the last.
    pub(super) fn span_between(
        &self,
        (first, last): (proc_macro2::Span, proc_macro2::Span),
    ) -> Span {
        self.span_maker()(first, last)
    }

    /// What [`Walker::span_between`] does, without holding on to the walker.
    pub(super) fn span_maker(
        &self,
    ) -> impl Fn(proc_macro2::Span, proc_macro2::Span) -> Span + use<'a> {
        let (file, source, expansion) = (self.file, self.source, self.expansion.clone());
        move |first, last| match &expansion {
            Some(expansion) => expansion.span((file, source), first, last),
            None => Span::new(file, range_between(source, first, last)),
        }
    }

    pub(super) fn save(&self) -> Saved {
        Saved {
            context: self.context,
            scope_floor: self.scope_floor,
            fs_unshared: self.fs_unshared,
            locals: self.locals.len(),
            fork_results: self.fork_results.len(),
            blocks: self.blocks.len(),
            fn_name: self.fn_name.clone(),
            threads_started: self.threads_started,
            current_body: self.current_body,
            params: self.params.clone(),
            tail_branch: self.tail_branch,
        }
    }

    pub(super) fn restore(&mut self, saved: Saved) {
        self.context = saved.context;
        self.scope_floor = saved.scope_floor;
        self.fs_unshared = saved.fs_unshared;
        self.locals.truncate(saved.locals);
        self.fork_results.truncate(saved.fork_results);
        self.blocks.truncate(saved.blocks);
        self.fn_name = saved.fn_name;
        self.threads_started = saved.threads_started;
        self.current_body = saved.current_body;
        self.params = saved.params;
        self.tail_branch = saved.tail_branch;
    }

    pub(super) fn enter_thread(&mut self, context: ThreadContext) {
        self.context = context;
        self.fs_unshared = false;
    }

    pub(super) fn is_local(&self, name: &str) -> bool {
        self.locals.iter().any(|l| l.name == name)
    }

    /// The innermost local binding of `name` in scope.
    pub(super) fn local(&self, name: &str) -> Option<&Local<'ast>> {
        self.locals.iter().rev().find(|l| l.name == name)
    }

    /// The canonical name of a path in value position; `None` for locals and unknown names.
    pub(super) fn resolve(&self, path: &syn::Path) -> Option<String> {
        if path.segments.len() == 1 && path.leading_colon.is_none() {
            let name = ident_name(&path.segments[0].ident);
            if self.is_local(&name) {
                return None;
            }
            // A lone `Self` is the `impl` block's type (below).
            if name != "Self" {
                return self
                    .resolver
                    .resolve_named(self.module, &self.blocks, path, &name);
            }
        }
        // `Self::helper` is the `impl` block's type's, as in type position.
        self.resolve_type(path)
    }

    /// The path the catalogue knows an item by: its shortest re-export inside the crate that
    /// defines it.
    pub(super) fn catalog_name<'p>(&'p self, path: &'p str) -> &'p str {
        self.short_names.get(path).map_or(path, String::as_str)
    }

    pub(super) fn resolve_callee(&self, func: &syn::Expr) -> Option<String> {
        match func {
            syn::Expr::Path(p) if p.qself.is_none() => self.resolve(&p.path),
            syn::Expr::Paren(p) => self.resolve_callee(&p.expr),
            syn::Expr::Group(g) => self.resolve_callee(&g.expr),
            _ => None,
        }
    }

    pub(super) fn bind_pattern(&mut self, pat: &'ast syn::Pat, init: Option<&'ast syn::Expr>) {
        let mut names = Vec::new();
        collect_bindings(pat, &mut names);
        let single = names.len() == 1;
        for name in names {
            self.locals.push(Local {
                name,
                init: if single { init } else { None },
                ty: None,
                handle: None,
            });
        }
    }

    /// Binds the names of a condition's `let` patterns (`if let Ok(s) = ..`, let chains) for
    /// the branch they guard: there they shadow outer names.
    pub(super) fn bind_let_patterns(&mut self, cond: &'ast syn::Expr) {
        match cond {
            syn::Expr::Let(l) => self.bind_pattern(&l.pat, None),
            syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
                self.bind_let_patterns(&b.left);
                self.bind_let_patterns(&b.right);
            }
            // No arm for parentheses: rustc accepts `let` only directly in a condition or
            // its `&&` chain, never inside `( )`.
            _ => {}
        }
    }

    /// A walker for the nodes parsed out of a macro body, which live shorter than the file's
    /// AST: it shares the facts and sees the enclosing locals and scopes.
    pub(super) fn macro_walker<'s, 'm>(&'s mut self) -> Walker<'s, 'm>
    where
        'ast: 'm,
    {
        Walker {
            resolver: self.resolver,
            catalog: self.catalog,
            consts: self.consts,
            const_types: self.const_types,
            aliases: self.aliases,
            short_names: self.short_names,
            trait_methods: self.trait_methods,
            scope_crates: self.scope_crates,
            forwarders: self.forwarders,
            module: self.module,
            file: self.file,
            source: self.source,
            fn_name: self.fn_name.clone(),
            blocks: self.blocks.clone(),
            locals: self
                .locals
                .iter()
                .map(|l| Local {
                    name: l.name.clone(),
                    init: l.init,
                    ty: l.ty.clone(),
                    handle: l.handle.clone(),
                })
                .collect(),
            loops: self.loops.clone(),
            context: self.context,
            fs_unshared: self.fs_unshared,
            pending: HashMap::new(),
            discarded: BTreeSet::new(),
            named_contexts: self.named_contexts.clone(),
            thread_scope_handles: self.thread_scope_handles.clone(),
            fork_results: self.fork_results.clone(),
            events: std::mem::take(&mut self.events),
            impl_type: self.impl_type.clone(),
            impl_is_drop: self.impl_is_drop,
            impl_is_trait: self.impl_is_trait,
            in_trait: self.in_trait,
            in_test_code: self.in_test_code,
            macros: self.macros,
            fields: self.fields,
            expansion_depth: self.expansion_depth + 1,
            params: self.params.clone(),
            scope_floor: self.scope_floor,
            threads_started: self.threads_started,
            current_body: self.current_body,
            handed: HashMap::new(),
            not_values: BTreeSet::new(),
            closure_params: HashMap::new(),
            tail_branch: self.tail_branch,
            expansion: self.expansion.clone(),
            fork_wrappers: self.fork_wrappers,
            ns_files: self.ns_files,
            joins: self.joins,
            string_values: self.string_values,
            field_paths: self.field_paths,
            public_modules: self.public_modules,
            diverging_fns: self.diverging_fns,
            facts: self.facts,
        }
    }

    pub(super) fn visit_fn_body(
        &mut self,
        attrs: &[syn::Attribute],
        vis: Option<&syn::Visibility>,
        sig: &'ast syn::Signature,
        body: &'ast syn::Block,
    ) {
        let name = ident_name(&sig.ident);
        let canonical = self.fn_canonical(&name);
        let is_main = name == "main"
            && self.impl_type.is_none()
            && self.fn_name.is_none()
            && self.module == ModuleId(0);
        let entry = self.entry_of(attrs).or(is_main.then_some(Entry::Main));
        let owner = BodyOwner::Fn {
            canonical,
            return_types: self.return_types(&sig.output),
            entry,
            drop_of: self
                .impl_type
                .clone()
                .filter(|_| self.impl_is_drop && name == "drop"),
            is_async: sig.asyncness.is_some(),
            external: self.is_external(attrs, vis),
            diverges: matches!(&sig.output, syn::ReturnType::Type(_, ty) if matches!(**ty, syn::Type::Never(_))),
            trait_method: self.impl_is_trait || self.in_trait,
            test_support: self.in_test_code || attrs.iter().any(is_test_cfg),
        };
        let context = match entry {
            Some(Entry::Root(context)) => context,
            Some(Entry::Main) => ThreadContext::SingleThreaded,
            None => ThreadContext::Caller,
        };
        let span = self.span(sig.ident.span());
        self.in_body(owner, context, span, |w| w.visit_fn_block(&name, sig, body));
    }

    /// The entry point the function's attributes make of it, by the catalogue: the attribute's
    /// path as it resolves (or as written, for the built-in `test`) and its `flavor`.
    fn entry_of(&self, attrs: &[syn::Attribute]) -> Option<Entry> {
        attrs.iter().find_map(|attr| {
            let written = attr
                .path()
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect::<Vec<_>>()
                .join("::");
            let resolved = self.resolve(attr.path());
            let flavor = attribute_flavor(attr);
            let context = resolved
                .as_deref()
                .and_then(|path| self.catalog.entry_of(path, flavor.as_deref()))
                .or_else(|| self.catalog.entry_of(&written, flavor.as_deref()))?;
            Some(match context {
                crate::catalog::EntryContext::Main => Entry::Main,
                crate::catalog::EntryContext::Context(kind) => {
                    Entry::Root(ThreadContext::from(kind))
                }
            })
        })
    }

    /// Whether code outside the workspace may call the function being declared: a public
    /// item of a library reachable through public modules, a method of a trait impl or a
    /// trait's provided method there (generic code calls them), or a function exported under
    /// its symbol name (`#[no_mangle]`).
    fn is_external(&self, attrs: &[syn::Attribute], vis: Option<&syn::Visibility>) -> bool {
        if self.fn_name.is_some() {
            // Declared inside another function: only that function can name it.
            return false;
        }
        let exported = attrs.iter().any(|a| {
            let exports = |p: &syn::Path| p.is_ident("no_mangle") || p.is_ident("export_name");
            exports(a.path())
                || (a.path().is_ident("unsafe")
                    && a.parse_args::<syn::Meta>().is_ok_and(|m| exports(m.path())))
        });
        if exported {
            return true;
        }
        let reachable = self
            .public_modules
            .get(self.module.0)
            .copied()
            .unwrap_or(false);
        reachable
            && (self.impl_is_trait
                || self.in_trait
                || matches!(vis, Some(syn::Visibility::Public(_))))
    }

    /// The canonical path of a function declared where the walk is.
    pub(super) fn fn_canonical(&self, name: &str) -> String {
        match (&self.impl_type, &self.fn_name) {
            (Some(ty), _) => format!("{ty}::{name}"),
            (None, Some(outer)) => format!(
                "{}::{outer}::{name}",
                self.resolver.tree().canonical(self.module)
            ),
            (None, None) => format!("{}::{name}", self.resolver.tree().canonical(self.module)),
        }
    }

    /// Walks a new body (function, closure, async block) and records it; its index is taken
    /// before its closures are walked, so that they can name it as their parent.
    pub(super) fn in_body(
        &mut self,
        owner: BodyOwner,
        context: ThreadContext,
        span: crate::diagnostic::Span,
        walk: impl FnOnce(&mut Self),
    ) {
        let saved = self.save();
        let outer_events = std::mem::take(&mut self.events);
        let index = u32::try_from(self.facts.bodies.len()).unwrap_or(u32::MAX);
        self.facts.bodies.push(Body {
            owner: BodyOwner::Closure { spawned: false },
            context,
            parent: self.current_body,
            events: Vec::new(),
            span: span.clone(),
        });
        self.enter_thread(context);
        self.current_body = Some(index);
        self.threads_started = false;
        self.params = Vec::new();
        self.tail_branch = None;
        walk(self);
        let events = std::mem::replace(&mut self.events, outer_events).finish();
        if let Some(body) = self.facts.bodies.get_mut(index as usize) {
            body.owner = owner;
            body.events = events;
        }
        self.restore(saved);
    }

    pub(super) fn visit_fn_block(
        &mut self,
        name: &str,
        sig: &'ast syn::Signature,
        body: &'ast syn::Block,
    ) {
        self.fn_name = Some(name.to_owned());
        self.tail_branch = match body.stmts.last() {
            Some(syn::Stmt::Expr(syn::Expr::Match(m), None)) => Some(address(m)),
            Some(syn::Stmt::Expr(syn::Expr::If(i), None)) => Some(address(i)),
            _ => None,
        };
        self.params = sig
            .inputs
            .iter()
            .filter_map(|input| match input {
                syn::FnArg::Typed(t) => Some(binding_name(&t.pat).unwrap_or_default()),
                syn::FnArg::Receiver(_) => None,
            })
            .collect();
        for input in &sig.inputs {
            if let syn::FnArg::Typed(t) = input {
                self.bind_pattern(&t.pat, None);
                if let (Some(name), Some(ty)) = (binding_name(&t.pat), self.declared_type(&t.ty))
                    && let Some(local) = self.locals.iter_mut().rev().find(|l| l.name == name)
                {
                    local.ty = Some(ty);
                }
            }
        }
        let mut found = Vec::new();
        if BindsClosure::in_body(self, body) {
            let mut scan = NamedClosureScan {
                walker: self,
                found: Vec::new(),
            };
            scan.visit_block(body);
            found = scan.found;
        }
        let saved_named = std::mem::replace(&mut self.named_contexts, found);
        self.visit_block(body);
        self.named_contexts = saved_named;
    }
}

impl FlagEnv for Walker<'_, '_> {
    fn flag_calls(&self) -> &crate::catalog::FlagCalls {
        &self.catalog.flag_calls
    }

    fn flag_kind(&self, path: &syn::Path) -> Option<FlagKind> {
        self.resolve(path).and_then(|p| self.catalog.flag_kind(&p))
    }

    fn definition(&self, path: &syn::Path) -> Option<&syn::Expr> {
        if let Some(ident) = path.get_ident() {
            let name = ident_name(ident);
            if let Some(local) = self.local(&name) {
                return local.init;
            }
        }
        let canonical = self.resolve(path)?;
        self.consts.get(&canonical).map(|(_, expr)| *expr)
    }
}
