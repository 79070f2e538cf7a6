//! The walk over a crate's AST that extracts [`CrateFacts`].

mod contexts;
mod ends;
mod events;
mod syntax;
mod traverse;
mod types;

use super::expand::MacroTable;
use super::flags::{FlagEnv, kinds_of};
use super::ir::{Body, BodyOwner, Callee, Event, EventBuilder, ExitKind, TypeRef};
use super::macros::{MacroBody, parse_macro_body};
use super::{CrateFacts, OuterHandleUse, PathLiteral, SwitchCall, ThreadContext};
use crate::catalog::{Catalog, FlagKind, ScopeKind, Switch, SwitchOp};
use crate::diagnostic::Span;
use crate::parse::{ident_name, range_between, range_in};
use crate::resolve::{ModuleId, Resolver, Scope, WrittenPath};
use crate::source::{FileId, SourceDb, SourceFile};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

use contexts::NamedClosureScan;
use events::{checked_status, is_err_pattern, is_result_combinator, take_switch};
use syntax::{binding_name, collect_bindings, strip};

/// Extracts the facts of every module of the crate `resolver` covers.
/// `db` holds the crate's files (spans are measured in their text).
pub fn extract_facts(resolver: &Resolver<'_>, catalog: &Catalog, db: &SourceDb) -> CrateFacts {
    let tree = resolver.tree();
    let mut tables = CrateTables {
        consts: crate_constants(resolver),
        scope_crates: catalog.scope_crates(),
        macros: MacroTable::collect(tree),
        fields: struct_fields(resolver),
        forwarders: BTreeMap::new(),
    };
    let mut facts = CrateFacts::default();
    // First the helpers that hand a closure parameter to a thread API, so that closures
    // passed to them are placed on the right thread wherever the helper is declared (this
    // scan only reads; the facts are filled by the walk that follows).
    let mut forwarders = BTreeMap::new();
    for id in tree.ids() {
        let source = db.get(tree.module(id).file);
        let mut walker = Walker::new(resolver, catalog, &tables, id, source, &mut facts);
        walker.find_forwarders(&tree.module(id).items, &mut forwarders);
    }
    facts.forwarders = forwarders.keys().cloned().collect();
    tables.forwarders = forwarders;
    for id in tree.ids() {
        let source = db.get(tree.module(id).file);
        let mut walker = Walker::new(resolver, catalog, &tables, id, source, &mut facts);
        for item in &tree.module(id).items {
            walker.visit_item(item);
        }
    }
    facts.exports = resolver.exports();
    facts
}

/// Closure arguments of the crate's own functions that end up on a known thread:
/// function canonical path → (argument index, context).
type Forwarders = BTreeMap<String, Vec<(usize, ThreadContext)>>;

/// Crate-wide tables the walk consults.
struct CrateTables<'ast> {
    consts: BTreeMap<String, (ModuleId, &'ast syn::Expr)>,
    scope_crates: BTreeSet<&'ast str>,
    macros: MacroTable,
    fields: BTreeMap<String, BTreeMap<String, String>>,
    forwarders: Forwarders,
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

/// The declared field types of the crate's structs: struct canonical path → field → type.
fn struct_fields(resolver: &Resolver<'_>) -> BTreeMap<String, BTreeMap<String, String>> {
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
                if let (Some(name), syn::Type::Path(ty)) = (&field.ident, &field.ty)
                    && let Some(canonical) =
                        resolver.resolve(id, &[], &WrittenPath::from_syn(&ty.path))
                {
                    types.insert(ident_name(name), canonical);
                }
            }
            fields.insert(owner, types);
        }
    }
    fields
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
    scope_crates: &'a BTreeSet<&'a str>,
    forwarders: &'a Forwarders,
    module: ModuleId,
    file: FileId,
    /// The text of that file, in which spans are measured.
    source: &'a SourceFile,
    fn_name: Option<String>,
    blocks: Vec<Scope>,
    locals: Vec<Local<'ast>>,
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
    /// Names bound to the result of a fork.
    fork_results: Vec<(String, String)>,
    /// The events of the body being walked.
    events: EventBuilder,
    /// The canonical self type of the `impl` block being walked.
    impl_type: Option<String>,
    /// Whether that `impl` block is `impl Drop for ..`.
    impl_is_drop: bool,
    /// The crate's own `macro_rules!` macros, for expansion.
    macros: &'a MacroTable,
    /// Declared field types of the crate's structs.
    fields: &'a BTreeMap<String, BTreeMap<String, String>>,
    /// How many macro expansions deep the walk is.
    expansion_depth: usize,
    /// The parameter names of the function being walked.
    params: Vec<String>,
    /// In a scope's closure: how many locals were bound outside it.
    scope_floor: Option<usize>,
    /// Whether the walk is in `main` before any thread has been started.
    single_threaded: bool,
    facts: &'a mut CrateFacts,
}

/// State saved on entering a new body and restored on leaving it.
struct Saved {
    context: ThreadContext,
    scope_floor: Option<usize>,
    fs_unshared: bool,
    locals: usize,
    blocks: usize,
    fn_name: Option<String>,
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
            scope_crates: &tables.scope_crates,
            forwarders: &tables.forwarders,
            module,
            file: resolver.tree().module(module).file,
            source,
            fn_name: None,
            blocks: Vec::new(),
            locals: Vec::new(),
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
            macros: &tables.macros,
            fields: &tables.fields,
            expansion_depth: 0,
            params: Vec::new(),
            scope_floor: None,
            single_threaded: false,
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
        let (file, source) = (self.file, self.source);
        move |first, last| Span {
            file,
            range: range_between(source, first, last),
        }
    }

    pub(super) fn save(&self) -> Saved {
        Saved {
            context: self.context,
            scope_floor: self.scope_floor,
            fs_unshared: self.fs_unshared,
            locals: self.locals.len(),
            blocks: self.blocks.len(),
            fn_name: self.fn_name.clone(),
        }
    }

    pub(super) fn restore(&mut self, saved: Saved) {
        self.context = saved.context;
        self.scope_floor = saved.scope_floor;
        self.fs_unshared = saved.fs_unshared;
        self.locals.truncate(saved.locals);
        self.blocks.truncate(saved.blocks);
        self.fn_name = saved.fn_name;
    }

    pub(super) fn enter_thread(&mut self, context: ThreadContext) {
        self.context = context;
        self.fs_unshared = false;
    }

    pub(super) fn is_local(&self, name: &str) -> bool {
        self.locals.iter().any(|l| l.name == name)
    }

    /// The canonical name of a path in value position; `None` for locals and unknown names.
    pub(super) fn resolve(&self, path: &syn::Path) -> Option<String> {
        if path.segments.len() == 1 && path.leading_colon.is_none() {
            let name = ident_name(&path.segments[0].ident);
            if self.is_local(&name) {
                return None;
            }
        }
        let blocks: Vec<&Scope> = self.blocks.iter().collect();
        self.resolver
            .resolve(self.module, &blocks, &WrittenPath::from_syn(path))
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
            macros: self.macros,
            fields: self.fields,
            expansion_depth: self.expansion_depth + 1,
            params: self.params.clone(),
            scope_floor: self.scope_floor,
            single_threaded: self.single_threaded,
            facts: self.facts,
        }
    }

    pub(super) fn visit_fn_body(
        &mut self,
        attrs: &[syn::Attribute],
        sig: &'ast syn::Signature,
        body: &'ast syn::Block,
    ) {
        let name = ident_name(&sig.ident);
        let canonical = self.fn_canonical(&name);
        let is_entry = (name == "main" && self.impl_type.is_none() && self.fn_name.is_none())
            || attrs
                .iter()
                .any(|a| a.path().segments.last().is_some_and(|s| s.ident == "test"));
        let owner = BodyOwner::Fn {
            canonical,
            return_types: self.return_types(&sig.output),
            is_entry,
            drop_of: self
                .impl_type
                .clone()
                .filter(|_| self.impl_is_drop && name == "drop"),
        };
        let context = if sig.asyncness.is_some() {
            ThreadContext::AsyncTask
        } else {
            ThreadContext::Caller
        };
        let span = self.span(sig.ident.span());
        self.in_body(owner, context, span, |w| w.visit_fn_block(&name, sig, body));
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

    /// Walks a new body (function, closure, async block) and records it.
    pub(super) fn in_body(
        &mut self,
        owner: BodyOwner,
        context: ThreadContext,
        span: crate::diagnostic::Span,
        walk: impl FnOnce(&mut Self),
    ) {
        let saved = self.save();
        let outer_events = std::mem::take(&mut self.events);
        self.enter_thread(context);
        walk(self);
        let events = std::mem::replace(&mut self.events, outer_events).finish();
        self.facts.bodies.push(Body {
            owner,
            context,
            events,
            span,
        });
        self.restore(saved);
    }

    pub(super) fn visit_fn_block(
        &mut self,
        name: &str,
        sig: &'ast syn::Signature,
        body: &'ast syn::Block,
    ) {
        self.fn_name = Some(name.to_owned());
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
        self.single_threaded = name == "main"
            && sig.asyncness.is_none()
            && self.impl_type.is_none()
            && self.module == ModuleId(0);
        let mut scan = NamedClosureScan {
            walker: self,
            found: Vec::new(),
        };
        scan.visit_block(body);
        let found = scan.found;
        let saved_named = std::mem::replace(&mut self.named_contexts, found);
        self.visit_block(body);
        self.named_contexts = saved_named;
    }
}

impl FlagEnv for Walker<'_, '_> {
    fn flag_kind(&self, path: &syn::Path) -> Option<FlagKind> {
        self.resolve(path).and_then(|p| self.catalog.flag_kind(&p))
    }

    fn definition(&self, path: &syn::Path) -> Option<&syn::Expr> {
        if let Some(ident) = path.get_ident() {
            let name = ident_name(ident);
            if let Some(local) = self.locals.iter().rev().find(|l| l.name == name) {
                return local.init;
            }
        }
        let canonical = self.resolve(path)?;
        self.consts.get(&canonical).map(|(_, expr)| *expr)
    }
}
