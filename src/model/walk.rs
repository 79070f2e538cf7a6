//! The walk over a crate's AST that extracts [`CrateFacts`].

use super::expand::MacroTable;
use super::flags::{FlagEnv, kinds_of};
use super::ir::{Body, BodyOwner, Callee, Event, EventBuilder, ExitKind, TypeRef};
use super::macros::{MacroBody, parse_macro_body};
use super::{CrateFacts, OuterHandleUse, PathLiteral, SwitchCall, ThreadContext};
use crate::catalog::{Catalog, FlagKind, ScopeKind, Switch, SwitchOp};
use crate::parse::span_of;
use crate::resolve::{ModuleId, Resolver, Scope, WrittenPath};
use crate::source::FileId;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// Extracts the facts of every module of the crate `resolver` covers.
pub fn extract_facts(resolver: &Resolver<'_>, catalog: &Catalog) -> CrateFacts {
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
    // passed to them are placed on the right thread wherever the helper is declared.
    let mut forwarders = BTreeMap::new();
    for id in tree.ids() {
        let mut walker = Walker::new(resolver, catalog, &tables, id, &mut facts);
        walker.find_forwarders(&tree.module(id).items, &mut forwarders);
    }
    tables.forwarders = forwarders;
    let mut facts = CrateFacts::default();
    for id in tree.ids() {
        let mut walker = Walker::new(resolver, catalog, &tables, id, &mut facts);
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
                    types.insert(name.unraw().to_string(), canonical);
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

fn address<T>(node: &T) -> usize {
    node as *const T as usize
}

impl<'a, 'ast> Walker<'a, 'ast> {
    fn new(
        resolver: &'a Resolver<'ast>,
        catalog: &'a Catalog,
        tables: &'a CrateTables<'ast>,
        module: ModuleId,
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

    /// Finds the functions among `items` (and in their `impl` blocks) that pass a closure
    /// parameter to a thread API (`fn on_thread(f: impl FnOnce()) { thread::spawn(f) }`).
    fn find_forwarders(&mut self, items: &'ast [syn::Item], out: &mut Forwarders) {
        for item in items {
            match item {
                syn::Item::Fn(f) => self.find_forwarder(&f.sig, &f.block, out),
                syn::Item::Impl(imp) => {
                    self.impl_type = match &*imp.self_ty {
                        syn::Type::Path(p) => self.resolve_type(&p.path),
                        _ => None,
                    };
                    for impl_item in &imp.items {
                        if let syn::ImplItem::Fn(f) = impl_item {
                            self.find_forwarder(&f.sig, &f.block, out);
                        }
                    }
                    self.impl_type = None;
                }
                _ => {}
            }
        }
    }

    fn find_forwarder(&self, sig: &syn::Signature, body: &'ast syn::Block, out: &mut Forwarders) {
        let params: Vec<Option<String>> = sig
            .inputs
            .iter()
            .filter_map(|input| match input {
                syn::FnArg::Typed(t) => Some(binding_name(&t.pat)),
                syn::FnArg::Receiver(_) => None,
            })
            .collect();
        let mut scan = NamedClosureScan {
            walker: self,
            found: Vec::new(),
        };
        scan.visit_block(body);
        for (name, context) in scan.found {
            if let Some(index) = params
                .iter()
                .position(|p| p.as_deref() == Some(name.as_str()))
            {
                out.entry(self.fn_canonical(&sig.ident.unraw().to_string()))
                    .or_default()
                    .push((index, context));
            }
        }
    }

    /// The thread contexts a call gives its closure arguments: a catalogue API's, or those of
    /// a crate helper that forwards them.
    fn call_contexts(&self, path: &str) -> Vec<(usize, ThreadContext)> {
        let mut contexts: Vec<(usize, ThreadContext)> = self
            .catalog
            .context_of_call(path)
            .map(|(arg, kind)| (arg, ThreadContext::from(kind)))
            .into_iter()
            .collect();
        if let Some(scope) = self.catalog.scope_function(path) {
            contexts.push((scope.arg, ThreadContext::Scope(scope.kind)));
        }
        if let Some(forwarded) = self.forwarders.get(path) {
            contexts.extend(forwarded.iter().copied());
        }
        contexts
    }

    fn save(&self) -> Saved {
        Saved {
            context: self.context,
            scope_floor: self.scope_floor,
            fs_unshared: self.fs_unshared,
            locals: self.locals.len(),
            blocks: self.blocks.len(),
            fn_name: self.fn_name.clone(),
        }
    }

    fn restore(&mut self, saved: Saved) {
        self.context = saved.context;
        self.scope_floor = saved.scope_floor;
        self.fs_unshared = saved.fs_unshared;
        self.locals.truncate(saved.locals);
        self.blocks.truncate(saved.blocks);
        self.fn_name = saved.fn_name;
    }

    fn enter_thread(&mut self, context: ThreadContext) {
        self.context = context;
        self.fs_unshared = false;
    }

    fn is_local(&self, name: &str) -> bool {
        self.locals.iter().any(|l| l.name == name)
    }

    /// The canonical name of a path in value position; `None` for locals and unknown names.
    fn resolve(&self, path: &syn::Path) -> Option<String> {
        if path.segments.len() == 1 && path.leading_colon.is_none() {
            let name = path.segments[0].ident.unraw().to_string();
            if self.is_local(&name) {
                return None;
            }
        }
        let blocks: Vec<&Scope> = self.blocks.iter().collect();
        self.resolver
            .resolve(self.module, &blocks, &WrittenPath::from_syn(path))
    }

    fn resolve_callee(&self, func: &syn::Expr) -> Option<String> {
        match func {
            syn::Expr::Path(p) if p.qself.is_none() => self.resolve(&p.path),
            syn::Expr::Paren(p) => self.resolve_callee(&p.expr),
            syn::Expr::Group(g) => self.resolve_callee(&g.expr),
            _ => None,
        }
    }

    fn bind_pattern(&mut self, pat: &'ast syn::Pat, init: Option<&'ast syn::Expr>) {
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

    /// Marks the expression whose value a statement or `let _ =` throws away.
    fn mark_discarded(&mut self, expr: &syn::Expr) {
        match expr {
            syn::Expr::Call(c) => {
                self.discarded.insert(address(c));
                if let syn::Expr::Path(p) = &*c.func
                    && p.path.is_ident("drop")
                    && !self.is_local("drop")
                    && let Some(arg) = c.args.first()
                {
                    self.mark_discarded(arg);
                }
            }
            syn::Expr::Unsafe(u) => self.mark_block_tail(&u.block),
            syn::Expr::Block(b) => self.mark_block_tail(&b.block),
            syn::Expr::Paren(p) => self.mark_discarded(&p.expr),
            syn::Expr::Group(g) => self.mark_discarded(&g.expr),
            syn::Expr::Cast(c) => self.mark_discarded(&c.expr),
            syn::Expr::MethodCall(m)
                if IGNORING_ADAPTERS.contains(&m.method.to_string().as_str()) =>
            {
                self.mark_discarded(&m.receiver)
            }
            _ => {}
        }
    }

    /// Notes that the result of the call `init` evaluates to (through `?`, `unwrap`, `await`)
    /// is kept in the local `name`: a guard bound this way lives until its scope ends.
    fn mark_bound(&mut self, name: &str, init: &syn::Expr) {
        let mut expr = strip(init);
        loop {
            expr = match expr {
                syn::Expr::Try(t) => strip(&t.expr),
                syn::Expr::Await(a) => strip(&a.base),
                syn::Expr::MethodCall(m)
                    if matches!(m.method.to_string().as_str(), "unwrap" | "expect") =>
                {
                    strip(&m.receiver)
                }
                _ => break,
            };
        }
        let call_span = span_of(self.file, expr.span());
        for event in self.events.current().iter_mut().rev() {
            if let Event::Call { span, bound_to, .. } = event
                && *span == call_span
            {
                *bound_to = Some(name.to_owned());
                return;
            }
        }
    }

    fn mark_block_tail(&mut self, block: &syn::Block) {
        if let Some(syn::Stmt::Expr(tail, None)) = block.stmts.last() {
            self.mark_discarded(tail);
        }
    }

    fn record_switch(&mut self, call: &'ast syn::ExprCall, switch: &Switch) {
        let flags_arg = switch.flags_arg.and_then(|i| call.args.iter().nth(i));
        let kinds = flags_arg.and_then(|arg| kinds_of(arg, self));
        let fs_unshared_before = self.fs_unshared;
        if switch.op == SwitchOp::Unshare
            && kinds
                .as_ref()
                .is_some_and(|k| k.contains(&FlagKind::Fs) || k.contains(&FlagKind::Mnt))
        {
            self.fs_unshared = true;
        }
        let flags_param = flags_arg.and_then(|arg| match strip(arg) {
            syn::Expr::Path(p) => {
                let name = p.path.get_ident()?.unraw().to_string();
                self.params.iter().position(|param| *param == name)
            }
            _ => None,
        });
        self.events.emit(Event::Switch {
            op: switch.op,
            kinds: kinds.clone(),
            flags_param: flags_param.filter(|_| kinds.is_none()),
            span: span_of(self.file, call.span()),
        });
        self.facts.switches.push(SwitchCall {
            api: switch.path.clone(),
            op: switch.op,
            span: span_of(self.file, call.span()),
            kinds,
            flags_span: flags_arg.map(|a| span_of(self.file, a.span())),
            checked_result: switch.checked_result,
            discarded: self.discarded.contains(&address(call)),
            context: self.context,
            fs_unshared_before,
            single_threaded: self.single_threaded && self.context == ThreadContext::Caller,
        });
    }

    fn switch_for(&self, path: &str, call: &syn::ExprCall) -> Option<&'a Switch> {
        let catalog = self.catalog;
        catalog.switches_for(path).find(|s| match &s.syscall {
            None => true,
            Some(number) => match call.args.first() {
                Some(syn::Expr::Path(p)) => self.resolve(&p.path).as_deref() == Some(number),
                _ => false,
            },
        })
    }

    /// Records the context of a closure argument of a context API.
    fn set_closure_context(&mut self, arg: Option<&syn::Expr>, context: ThreadContext) {
        if let Some(arg) = arg {
            match strip(arg) {
                syn::Expr::Closure(closure) => {
                    self.pending.insert(address(closure), context);
                }
                syn::Expr::Async(block) => {
                    self.pending.insert(address(block), context);
                }
                syn::Expr::Path(p) => {
                    if let Some(closure) = self.named_closure(&p.path) {
                        self.pending.insert(address(closure), context);
                    }
                }
                _ => {}
            }
        }
    }

    /// The closure a local name is bound to (`let child_setup = move || ..;`).
    fn named_closure(&self, path: &syn::Path) -> Option<&'ast syn::ExprClosure> {
        let name = path.get_ident()?.unraw().to_string();
        let local = self.locals.iter().rev().find(|l| l.name == name)?;
        match strip(local.init?) {
            syn::Expr::Closure(closure) => Some(closure),
            _ => None,
        }
    }

    /// A walker for the nodes parsed out of a macro body, which live shorter than the file's
    /// AST: it shares the facts and sees the enclosing locals and scopes.
    fn macro_walker<'s, 'm>(&'s mut self) -> Walker<'s, 'm>
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

    /// The thread context a method call gives a closure argument: an approved scope on a
    /// receiver of known type, or a catalogue context API.
    fn method_context(&self, call: &syn::ExprMethodCall) -> Option<(usize, ThreadContext)> {
        let method = call.method.to_string();
        if let Some(TypeRef::Named(receiver)) = self.type_of(&call.receiver)
            && let Some(scope) = self.catalog.scope_method(&receiver, &method)
        {
            return Some((scope.arg, ThreadContext::Scope(scope.kind)));
        }
        let blocks: Vec<&Scope> = self.blocks.iter().collect();
        self.catalog
            .contexts
            .iter()
            .filter(|c| c.method.as_deref() == Some(method.as_str()))
            .find(|c| {
                if let Some(t) = &c.trait_path {
                    return self.resolver.trait_in_scope(self.module, &blocks, t);
                }
                if let Some(root) = &c.receiver_root {
                    return self.receiver_root(&call.receiver).as_deref() == Some(root.as_str());
                }
                if c.receiver_param_of.is_some() {
                    return matches!(strip(&call.receiver), syn::Expr::Path(p)
                        if p.path.get_ident().is_some_and(|i| self.thread_scope_handles.contains(&i.unraw().to_string())));
                }
                false
            })
            .map(|c| (c.arg, ThreadContext::from(c.context)))
    }

    /// The canonical function a method chain starts from (`Builder::new().name(..)`).
    fn receiver_root(&self, receiver: &syn::Expr) -> Option<String> {
        match strip(receiver) {
            syn::Expr::MethodCall(m) => self.receiver_root(&m.receiver),
            syn::Expr::Call(c) => self.resolve_callee(&c.func),
            syn::Expr::Try(t) => self.receiver_root(&t.expr),
            syn::Expr::Path(p) => {
                let name = p.path.get_ident()?.unraw().to_string();
                let init = self.locals.iter().rev().find(|l| l.name == name)?.init?;
                self.receiver_root(init)
            }
            _ => None,
        }
    }

    fn is_fork_call(&self, expr: &syn::Expr) -> Option<&'a str> {
        match strip(expr) {
            syn::Expr::Call(c) => {
                let path = self.resolve_callee(&c.func)?;
                let catalog = self.catalog;
                catalog
                    .forks
                    .iter()
                    .find(|f| f.path == path)
                    .map(|f| f.child_pattern.as_str())
            }
            syn::Expr::MethodCall(m)
                if matches!(m.method.to_string().as_str(), "unwrap" | "expect") =>
            {
                self.is_fork_call(&m.receiver)
            }
            syn::Expr::Try(t) => self.is_fork_call(&t.expr),
            _ => None,
        }
    }

    /// The fork child pattern of the value an expression names, if it is a fork result.
    fn fork_pattern_of(&self, expr: &syn::Expr) -> Option<String> {
        if let Some(pattern) = self.is_fork_call(expr) {
            return Some(pattern.to_owned());
        }
        let syn::Expr::Path(p) = strip(expr) else {
            return None;
        };
        let name = p.path.get_ident()?.unraw().to_string();
        self.fork_results
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, pattern)| pattern.clone())
    }

    fn is_child_pattern(&self, pat: &syn::Pat, child: &str) -> bool {
        match pat {
            syn::Pat::Lit(l) => {
                child == "zero"
                    && matches!(&l.lit, syn::Lit::Int(i) if i.base10_parse::<i64>().ok() == Some(0))
            }
            syn::Pat::Path(p) => self.resolve(&p.path).as_deref() == Some(child),
            syn::Pat::Struct(s) => self.resolve(&s.path).as_deref() == Some(child),
            syn::Pat::TupleStruct(t) => {
                self.resolve(&t.path).as_deref() == Some(child)
                    || t.elems.iter().any(|e| self.is_child_pattern(e, child))
            }
            syn::Pat::Ident(i) => i
                .subpat
                .as_ref()
                .is_some_and(|(_, p)| self.is_child_pattern(p, child)),
            syn::Pat::Or(o) => o.cases.iter().any(|c| self.is_child_pattern(c, child)),
            syn::Pat::Paren(p) => self.is_child_pattern(&p.pat, child),
            _ => false,
        }
    }

    fn visit_fn_body(
        &mut self,
        attrs: &[syn::Attribute],
        sig: &'ast syn::Signature,
        body: &'ast syn::Block,
    ) {
        let name = sig.ident.unraw().to_string();
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
        let span = span_of(self.file, sig.ident.span());
        self.in_body(owner, context, span, |w| w.visit_fn_block(&name, sig, body));
    }

    /// The canonical path of a function declared where the walk is.
    fn fn_canonical(&self, name: &str) -> String {
        match (&self.impl_type, &self.fn_name) {
            (Some(ty), _) => format!("{ty}::{name}"),
            (None, Some(outer)) => format!(
                "{}::{outer}::{name}",
                self.resolver.tree().canonical(self.module)
            ),
            (None, None) => format!("{}::{name}", self.resolver.tree().canonical(self.module)),
        }
    }

    /// Canonical paths of the types named in a return type (`io::Result<Guard>` → both).
    fn return_types(&self, output: &syn::ReturnType) -> Vec<String> {
        let syn::ReturnType::Type(_, ty) = output else {
            return Vec::new();
        };
        let mut collector = TypePaths::default();
        collector.visit_type(ty);
        collector
            .paths
            .iter()
            .filter_map(|p| self.resolve_type(p))
            .collect()
    }

    /// Resolves a type path, with `Self` meaning the `impl` block's type.
    fn resolve_type(&self, path: &syn::Path) -> Option<String> {
        if path.is_ident("Self") {
            return self.impl_type.clone();
        }
        if path.segments.first().is_some_and(|s| s.ident == "Self") {
            let rest: Vec<String> = path
                .segments
                .iter()
                .skip(1)
                .map(|s| s.ident.to_string())
                .collect();
            return self
                .impl_type
                .as_ref()
                .map(|t| format!("{t}::{}", rest.join("::")));
        }
        let blocks: Vec<&Scope> = self.blocks.iter().collect();
        self.resolver
            .resolve(self.module, &blocks, &WrittenPath::from_syn(path))
    }

    /// Walks a new body (function, closure, async block) and records it.
    fn in_body(
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

    fn visit_fn_block(&mut self, name: &str, sig: &'ast syn::Signature, body: &'ast syn::Block) {
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

    /// What handle `init` creates, if it is a handle constructor's result (through `?`,
    /// `unwrap`, `expect`, `.await`).
    fn handle_constructed_by(&self, init: &syn::Expr) -> Option<String> {
        match strip(init) {
            syn::Expr::Try(t) => self.handle_constructed_by(&t.expr),
            syn::Expr::Await(a) => self.handle_constructed_by(&a.base),
            syn::Expr::MethodCall(m)
                if matches!(m.method.to_string().as_str(), "unwrap" | "expect") =>
            {
                self.handle_constructed_by(&m.receiver)
            }
            syn::Expr::Call(c) => {
                let path = self.resolve_callee(&c.func)?;
                self.catalog.handle_constructor(&path).map(str::to_owned)
            }
            _ => None,
        }
    }

    /// A use, inside a scope, of a handle bound outside it: reported once per handle.
    fn note_outer_handle(&mut self, floor: usize, name: &str, expr: &syn::ExprPath) {
        let Some(index) = self.locals.iter().rposition(|l| l.name == name) else {
            return;
        };
        if index >= floor {
            return;
        }
        let Some((what, binding)) = self.locals[index].handle.clone() else {
            return;
        };
        let span = span_of(self.file, expr.span());
        let already = self
            .facts
            .outer_handles
            .iter()
            .any(|u| u.binding == binding && u.name == name);
        if !already {
            self.facts.outer_handles.push(OuterHandleUse {
                span,
                binding,
                name: name.to_owned(),
                what,
            });
        }
    }

    /// Whether calling `path` starts threads (a thread API, a runtime).
    fn starts_threads(&self, path: &str) -> bool {
        self.catalog.context_of_call(path).is_some()
            || self.forwarders.contains_key(path)
            || path.starts_with("tokio::runtime::")
    }

    /// `TcpStream::connect("db.local:5432")`: the runtime resolves the name on its blocking
    /// pool.
    fn host_name_escape(&self, path: &str, call: &syn::ExprCall) -> Option<String> {
        let escape = self
            .catalog
            .escapes
            .iter()
            .find(|e| e.when_host_name && e.path.as_deref() == Some(path))?;
        let Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(address),
            ..
        })) = call.args.first().map(strip)
        else {
            return None;
        };
        let address = address.value();
        let host = address
            .rsplit_once(':')
            .map_or(address.as_str(), |(h, _)| h);
        let host = host.trim_start_matches('[').trim_end_matches(']');
        (host.parse::<std::net::IpAddr>().is_err() && !host.is_empty()).then(|| escape.what.clone())
    }

    /// The type a declaration names (`NetNs`, `&NetNs`, `&mut Worker`).
    fn declared_type(&self, ty: &syn::Type) -> Option<TypeRef> {
        match ty {
            syn::Type::Path(p) => self.resolve_type(&p.path).map(TypeRef::Named),
            syn::Type::Reference(r) => self.declared_type(&r.elem),
            syn::Type::Paren(p) => self.declared_type(&p.elem),
            _ => None,
        }
    }

    /// Records work handed to another thread.
    fn emit_escape(&mut self, what: &str, span: crate::diagnostic::Span) {
        self.events.emit(Event::Escape {
            what: what.to_owned(),
            span,
        });
    }

    /// Whether a method call hands work to another thread (an outer runtime's handle, a
    /// thread pool, a parallel iterator).
    fn method_escape(&self, call: &syn::ExprMethodCall) -> Option<&'a str> {
        let method = call.method.unraw().to_string();
        let receiver = match self.type_of(&call.receiver) {
            Some(TypeRef::Named(ty)) => Some(ty),
            _ => None,
        };
        let blocks: Vec<&Scope> = self.blocks.iter().collect();
        let catalog = self.catalog;
        catalog
            .escapes
            .iter()
            .filter(|e| e.method.as_deref() == Some(method.as_str()))
            .find(|e| match (&e.receiver, &e.trait_path) {
                (Some(r), _) => receiver.as_deref() == Some(r.as_str()),
                (None, Some(t)) => self.resolver.trait_in_scope(self.module, &blocks, t),
                (None, None) => false,
            })
            .map(|e| e.what.as_str())
    }

    /// Records a call: a sensitive operation, an `exec`, or a call into code that may be the
    /// workspace's.
    fn emit_call(
        &mut self,
        callee: Callee,
        span: crate::diagnostic::Span,
        arg_kinds: Vec<Option<BTreeSet<FlagKind>>>,
    ) {
        let path = match &callee {
            Callee::Path(p) => Some(p.clone()),
            Callee::Method {
                receiver: TypeRef::Named(ty),
                method,
            } => Some(format!("{ty}::{method}")),
            Callee::Method { .. } => None,
        };
        if let Some(path) = &path {
            if let Some(escape) = self.catalog.escape_what(path) {
                self.emit_escape(&escape.what, span);
                return;
            }
            if let Some(what) = self.catalog.sensitive_what(path) {
                self.events.emit(Event::Sensitive {
                    what: what.to_owned(),
                    span,
                });
                return;
            }
            if self.catalog.is_exec(path) {
                self.events.emit(Event::Exit {
                    kind: ExitKind::Exec,
                    span,
                    diverges: true,
                });
                return;
            }
            if path.starts_with("std::") {
                return;
            }
        }
        self.events.emit(Event::Call {
            callee,
            span,
            bound_to: None,
            exit: None,
            arg_kinds,
        });
    }

    /// The kinds each argument selects, for helpers that pass flags on to a switch; empty
    /// when no argument is a flags expression.
    fn arg_kinds<'e>(
        &self,
        args: impl Iterator<Item = &'e syn::Expr>,
    ) -> Vec<Option<BTreeSet<FlagKind>>> {
        let kinds: Vec<Option<BTreeSet<FlagKind>>> = args
            .map(|arg| kinds_of(arg, self).filter(|k| !k.is_empty()))
            .collect();
        if kinds.iter().all(Option::is_none) {
            Vec::new()
        } else {
            kinds
        }
    }

    /// An exit that happens only on some outcomes of `operand` (`?`, `unwrap`). On a raw
    /// switch it is dropped (a failed switch switches nothing); on a call just recorded it is
    /// attached to the call, whose effect decides whether it leaves a region.
    fn conditional_exit(
        &mut self,
        kind: ExitKind,
        span: crate::diagnostic::Span,
        operand: &syn::Expr,
    ) {
        let operand_span = span_of(self.file, strip(operand).span());
        let list = self.events.current();
        let exit = Event::Exit {
            kind,
            span,
            diverges: false,
        };
        match list.last_mut() {
            Some(Event::Switch { span, .. }) if *span == operand_span => {}
            Some(Event::Call {
                span, exit: slot, ..
            }) if *span == operand_span => {
                if let Event::Exit { kind, span, .. } = exit {
                    *slot = Some((kind, span));
                }
            }
            _ => list.push(exit),
        }
    }

    /// Whether a method call is `exec` from a trait in scope that the catalogue lists.
    fn is_exec_method(&self, method: &str) -> bool {
        let blocks: Vec<&Scope> = self.blocks.iter().collect();
        self.catalog
            .exec_methods()
            .any(|(m, t)| m == method && self.resolver.trait_in_scope(self.module, &blocks, t))
    }

    /// The type of an expression, where a light local inference can tell: `self`, fields of
    /// `self`, annotated or constructed locals, constructor paths, function results.
    fn type_of(&self, expr: &syn::Expr) -> Option<TypeRef> {
        match strip(expr) {
            syn::Expr::Path(p) if p.path.is_ident("self") => {
                self.impl_type.clone().map(TypeRef::Named)
            }
            syn::Expr::Path(p) => {
                let name = p.path.get_ident()?.unraw().to_string();
                self.locals
                    .iter()
                    .rev()
                    .find(|l| l.name == name)?
                    .ty
                    .clone()
            }
            syn::Expr::Field(f) => {
                let syn::Expr::Path(base) = strip(&f.base) else {
                    return None;
                };
                if !base.path.is_ident("self") {
                    return None;
                }
                let syn::Member::Named(field) = &f.member else {
                    return None;
                };
                let owner = self.impl_type.as_ref()?;
                self.fields
                    .get(owner)?
                    .get(&field.unraw().to_string())
                    .cloned()
                    .map(TypeRef::Named)
            }
            syn::Expr::Call(c) => {
                let syn::Expr::Path(callee) = &*c.func else {
                    return None;
                };
                if callee.path.segments.len() >= 2 {
                    let mut ty = callee.path.clone();
                    ty.segments.pop();
                    let ty_path = syn::Path {
                        leading_colon: ty.leading_colon,
                        segments: ty.segments.into_pairs().map(|p| p.into_value()).collect(),
                    };
                    if let Some(named) = self.resolve_type(&ty_path) {
                        return Some(TypeRef::Named(named));
                    }
                }
                self.resolve_callee(&c.func).map(TypeRef::ReturnOf)
            }
            syn::Expr::Struct(st) => self.resolve_type(&st.path).map(TypeRef::Named),
            syn::Expr::Try(t) => self.type_of(&t.expr),
            syn::Expr::MethodCall(m)
                if matches!(m.method.to_string().as_str(), "unwrap" | "expect") =>
            {
                self.type_of(&m.receiver)
            }
            syn::Expr::MethodCall(m) => {
                let TypeRef::Named(ty) = self.type_of(&m.receiver)? else {
                    return None;
                };
                self.catalog
                    .method_returns(&ty, &m.method.to_string())
                    .map(|t| TypeRef::Named(t.to_owned()))
            }
            _ => None,
        }
    }

    /// `panic!`-family macros leave on every path; assertions on some.
    fn panic_exit(&mut self, name: &str, mac: &syn::Macro) {
        let diverges = match name {
            "panic" | "unreachable" | "todo" | "unimplemented" => true,
            "assert" | "assert_eq" | "assert_ne" => false,
            _ => return,
        };
        if !diverges && matches!(self.events.current().last(), Some(Event::Switch { .. })) {
            // `assert_eq!(setns(..), 0)` fails only when the switch did not happen.
            return;
        }
        self.events.emit(Event::Exit {
            kind: ExitKind::Panic,
            span: span_of(self.file, mac.path.span()),
            diverges,
        });
    }

    /// Walks the child branch of a fork as a body of its own: it runs in another process.
    fn child_body(&mut self, at: &dyn Spanned, walk: impl FnOnce(&mut Self)) {
        let span = span_of(self.file, at.span());
        self.in_body(
            BodyOwner::Closure { spawned: true },
            ThreadContext::ChildAfterFork,
            span,
            walk,
        );
    }
}

/// Crate-local macros are expanded at most this deep (macros that expand to macros).
const MAX_EXPANSION_DEPTH: usize = 8;

/// Methods that turn a result into something that is easy to drop without looking at it.
const IGNORING_ADAPTERS: &[&str] = &[
    "ok",
    "err",
    "is_ok",
    "is_err",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_or_else",
    "map",
    "map_err",
];

/// For a condition that compares a C status (`setns(..) != 0`, `== -1`, `< 0`), whether the
/// `then` branch is the success path.
fn checked_status(cond: &syn::Expr) -> Option<bool> {
    let syn::Expr::Binary(b) = strip(cond) else {
        return None;
    };
    let literal = |e: &syn::Expr| match strip(e) {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.base10_parse::<i64>().ok(),
        syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => match strip(&u.expr) {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(i),
                ..
            }) => i.base10_parse::<i64>().ok().map(|v| -v),
            _ => None,
        },
        _ => None,
    };
    let value = literal(&b.right).or_else(|| literal(&b.left))?;
    match (b.op, value) {
        (syn::BinOp::Eq(_), 0) | (syn::BinOp::Ne(_), -1) | (syn::BinOp::Ge(_), 0) => Some(true),
        (syn::BinOp::Ne(_), 0) | (syn::BinOp::Eq(_), -1) | (syn::BinOp::Lt(_), 0) => Some(false),
        _ => None,
    }
}

/// Removes and returns the last event if it is a switch within `within` (the condition or
/// scrutinee that checks its result).
fn take_switch(events: &mut Vec<Event>, within: &crate::diagnostic::Span) -> Option<Event> {
    match events.last() {
        Some(Event::Switch { span, .. })
            if span.file == within.file
                && span.range.start >= within.range.start
                && span.range.end <= within.range.end =>
        {
            events.pop()
        }
        _ => None,
    }
}

/// Whether a match arm's pattern is the failure case (`Err(..)`).
fn is_err_pattern(pat: &syn::Pat) -> bool {
    match pat {
        syn::Pat::TupleStruct(t) => t.path.is_ident("Err"),
        syn::Pat::Or(o) => o.cases.iter().all(is_err_pattern),
        _ => false,
    }
}

/// The single name a `let` pattern binds (`g`, `mut g`, `g: T`), if that is all it does.
fn binding_name(pat: &syn::Pat) -> Option<String> {
    match pat {
        syn::Pat::Ident(i) if i.subpat.is_none() => Some(i.ident.unraw().to_string()),
        syn::Pat::Type(t) => binding_name(&t.pat),
        _ => None,
    }
}

/// Collects the type paths in a type (`io::Result<Guard>` → `io::Result`, `Guard`).
#[derive(Default)]
struct TypePaths {
    paths: Vec<syn::Path>,
}

impl<'ast> Visit<'ast> for TypePaths {
    fn visit_type_path(&mut self, ty: &'ast syn::TypePath) {
        let mut bare = ty.path.clone();
        for segment in &mut bare.segments {
            segment.arguments = syn::PathArguments::None;
        }
        self.paths.push(bare);
        visit::visit_type_path(self, ty);
    }
}

/// Removes parentheses, groups, references and `unsafe`/plain blocks with a single tail.
fn strip(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Paren(p) => strip(&p.expr),
        syn::Expr::Group(g) => strip(&g.expr),
        syn::Expr::Reference(r) => strip(&r.expr),
        syn::Expr::Unsafe(u) if u.block.stmts.len() == 1 => match &u.block.stmts[0] {
            syn::Stmt::Expr(e, None) => strip(e),
            _ => expr,
        },
        _ => expr,
    }
}

fn collect_bindings(pat: &syn::Pat, out: &mut Vec<String>) {
    match pat {
        syn::Pat::Ident(i) => {
            out.push(i.ident.unraw().to_string());
            if let Some((_, sub)) = &i.subpat {
                collect_bindings(sub, out);
            }
        }
        syn::Pat::Tuple(t) => t.elems.iter().for_each(|p| collect_bindings(p, out)),
        syn::Pat::TupleStruct(t) => t.elems.iter().for_each(|p| collect_bindings(p, out)),
        syn::Pat::Struct(s) => s.fields.iter().for_each(|f| collect_bindings(&f.pat, out)),
        syn::Pat::Slice(s) => s.elems.iter().for_each(|p| collect_bindings(p, out)),
        syn::Pat::Reference(r) => collect_bindings(&r.pat, out),
        syn::Pat::Type(t) => collect_bindings(&t.pat, out),
        syn::Pat::Paren(p) => collect_bindings(&p.pat, out),
        syn::Pat::Or(o) => {
            if let Some(first) = o.cases.first() {
                collect_bindings(first, out);
            }
        }
        _ => {}
    }
}

/// Finds context APIs given a closure by name, so the closure's `let` can be placed in that
/// context when it is walked.
struct NamedClosureScan<'w, 'a, 'ast> {
    walker: &'w Walker<'a, 'ast>,
    found: Vec<(String, ThreadContext)>,
}

impl NamedClosureScan<'_, '_, '_> {
    fn note(&mut self, arg: Option<&syn::Expr>, context: ThreadContext) {
        if let Some(syn::Expr::Path(p)) = arg.map(strip)
            && let Some(ident) = p.path.get_ident()
        {
            self.found.push((ident.unraw().to_string(), context));
        }
    }
}

impl<'ast> Visit<'ast> for NamedClosureScan<'_, '_, '_> {
    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Some(path) = self.walker.resolve_callee(&call.func) {
            for (arg, context) in self.walker.call_contexts(&path) {
                self.note(call.args.iter().nth(arg), context);
            }
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if let Some((arg, context)) = self.walker.method_context(call) {
            self.note(call.args.iter().nth(arg), context);
        }
        visit::visit_expr_method_call(self, call);
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {
        // Nested items are bodies of their own.
    }
}

impl FlagEnv for Walker<'_, '_> {
    fn flag_kind(&self, path: &syn::Path) -> Option<FlagKind> {
        self.resolve(path).and_then(|p| self.catalog.flag_kind(&p))
    }

    fn definition(&self, path: &syn::Path) -> Option<&syn::Expr> {
        if let Some(ident) = path.get_ident() {
            let name = ident.unraw().to_string();
            if let Some(local) = self.locals.iter().rev().find(|l| l.name == name) {
                return local.init;
            }
        }
        let canonical = self.resolve(path)?;
        self.consts.get(&canonical).map(|(_, expr)| *expr)
    }
}

impl<'ast> Visit<'ast> for Walker<'_, 'ast> {
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {
        // Attributes (docs, `#[path]`, `#[cfg]`) are not code.
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.visit_fn_body(&item.attrs, &item.sig, &item.block);
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let self_type = match &*item.self_ty {
            syn::Type::Path(p) => self.resolve_type(&p.path),
            _ => None,
        };
        let is_drop = item.trait_.as_ref().is_some_and(|(path, _)| {
            path.is_ident("Drop") || self.resolve_type(path).as_deref() == Some("std::ops::Drop")
        });
        let saved = (self.impl_type.take(), self.impl_is_drop);
        self.impl_type = self_type;
        self.impl_is_drop = is_drop;
        for impl_item in &item.items {
            self.visit_impl_item(impl_item);
        }
        (self.impl_type, self.impl_is_drop) = saved;
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.visit_fn_body(&item.attrs, &item.sig, &item.block);
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        let saved = self.impl_type.take();
        self.impl_type = Some(format!(
            "{}::{}",
            self.resolver.tree().canonical(self.module),
            item.ident.unraw()
        ));
        for trait_item in &item.items {
            self.visit_trait_item(trait_item);
        }
        self.impl_type = saved;
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        if let Some(body) = &item.default {
            self.visit_fn_body(&item.attrs, &item.sig, body);
        }
    }

    fn visit_item_mod(&mut self, _: &'ast syn::ItemMod) {
        // Child modules are walked as modules of their own.
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        let items: Vec<syn::Item> = block
            .stmts
            .iter()
            .filter_map(|s| match s {
                syn::Stmt::Item(item) => Some(item.clone()),
                _ => None,
            })
            .collect();
        let saved_locals = self.locals.len();
        let pushed = !items.is_empty();
        if pushed {
            let prefix = match &self.fn_name {
                Some(f) => format!("{}::{f}", self.resolver.tree().canonical(self.module)),
                None => self.resolver.tree().canonical(self.module),
            };
            self.blocks
                .push(Scope::from_items(&items, &prefix, &|_| None));
        }
        visit::visit_block(self, block);
        if pushed {
            self.blocks.pop();
        }
        let names: Vec<String> = self.locals[saved_locals..]
            .iter()
            .map(|l| l.name.clone())
            .collect();
        if !names.is_empty() {
            self.events.emit(Event::EndScope { names });
        }
        self.locals.truncate(saved_locals);
    }

    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        match stmt {
            syn::Stmt::Expr(e, Some(_)) => self.mark_discarded(e),
            syn::Stmt::Local(local) if matches!(local.pat, syn::Pat::Wild(_)) => {
                if let Some(init) = &local.init {
                    self.mark_discarded(&init.expr);
                }
            }
            _ => {}
        }
        visit::visit_stmt(self, stmt);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        let init = local.init.as_ref().map(|i| &*i.expr);
        if let (syn::Pat::Ident(ident), Some(init)) = (&local.pat, init) {
            let name = ident.ident.unraw().to_string();
            if let Some(pattern) = self.fork_pattern_of(init) {
                self.fork_results.push((name.clone(), pattern));
            }
            let context = self
                .named_contexts
                .iter()
                .rev()
                .find(|(n, _)| *n == name)
                .map(|(_, c)| *c);
            if let (Some(context), syn::Expr::Closure(closure)) = (context, strip(init)) {
                self.pending.insert(address(closure), context);
            }
        }
        if let Some(init) = &local.init {
            self.visit_expr(&init.expr);
            if let Some((_, diverge)) = &init.diverge {
                self.visit_expr(diverge);
            }
        }
        let declared = match &local.pat {
            syn::Pat::Type(t) => match &*t.ty {
                syn::Type::Path(p) => self.resolve_type(&p.path).map(TypeRef::Named),
                _ => None,
            },
            _ => None,
        };
        let ty = declared.or_else(|| init.and_then(|e| self.type_of(e)));
        let bound = binding_name(&local.pat);
        if let (Some(name), Some(init)) = (&bound, init) {
            self.mark_bound(name, init);
        }
        let first_new = self.locals.len();
        self.bind_pattern(&local.pat, init);
        if let Some(what) = init.and_then(|e| self.handle_constructed_by(e)) {
            let binding = span_of(self.file, local.pat.span());
            for new in &mut self.locals[first_new..] {
                new.handle = Some((what.clone(), binding.clone()));
            }
        }
        if let (Some(name), Some(ty)) = (bound, ty)
            && let Some(local) = self.locals.iter_mut().rev().find(|l| l.name == name)
        {
            local.ty = Some(ty);
        }
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        let path = self.resolve_callee(&call.func);
        if let Some(path) = &path {
            for (arg, context) in self.call_contexts(path) {
                self.set_closure_context(call.args.iter().nth(arg), context);
            }
            let scope_handle_api = self
                .catalog
                .contexts
                .iter()
                .any(|c| c.receiver_param_of.as_deref() == Some(path.as_str()));
            if scope_handle_api && let Some(syn::Expr::Closure(c)) = call.args.first().map(strip) {
                for input in &c.inputs {
                    let mut names = Vec::new();
                    collect_bindings(input, &mut names);
                    self.thread_scope_handles.extend(names);
                }
            }
        }
        visit::visit_expr_call(self, call);
        let span = span_of(self.file, call.span());
        if let Some(path) = &path {
            if self.single_threaded && self.starts_threads(path) {
                self.single_threaded = false;
            }
            if let Some(what) = self.host_name_escape(path, call) {
                self.emit_escape(&what, span.clone());
            }
        }
        match path {
            Some(path) => {
                if let Some(switch) = self.switch_for(&path, call) {
                    self.record_switch(call, switch);
                } else {
                    let arg_kinds = self.arg_kinds(call.args.iter());
                    self.emit_call(Callee::Path(path), span, arg_kinds);
                }
            }
            None => {
                if let syn::Expr::Path(p) = &*call.func
                    && p.path.is_ident("drop")
                    && let Some(syn::Expr::Path(arg)) = call.args.first().map(strip)
                    && let Some(name) = arg.path.get_ident()
                {
                    self.events.emit(Event::Drop {
                        name: name.unraw().to_string(),
                    });
                }
            }
        }
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if let Some((arg, context)) = self.method_context(call) {
            self.set_closure_context(call.args.iter().nth(arg), context);
        }
        visit::visit_expr_method_call(self, call);
        let method = call.method.unraw().to_string();
        let span = span_of(self.file, call.span());
        if matches!(method.as_str(), "unwrap" | "expect") {
            self.conditional_exit(ExitKind::Panic, span, &call.receiver);
            return;
        }
        if let Some(what) = self.method_escape(call) {
            self.emit_escape(what, span);
            return;
        }
        if self.single_threaded && self.method_context(call).is_some() {
            self.single_threaded = false;
        }
        if self.is_exec_method(&method) {
            self.events.emit(Event::Exit {
                kind: ExitKind::Exec,
                span,
                diverges: true,
            });
            return;
        }
        if let Some(receiver) = self.type_of(&call.receiver) {
            let arg_kinds = self.arg_kinds(call.args.iter());
            self.emit_call(Callee::Method { receiver, method }, span, arg_kinds);
        }
    }

    fn visit_expr_try(&mut self, expr: &'ast syn::ExprTry) {
        self.visit_expr(&expr.expr);
        let span = span_of(self.file, expr.question_token.span);
        self.conditional_exit(ExitKind::Try, span, &expr.expr);
    }

    fn visit_expr_return(&mut self, expr: &'ast syn::ExprReturn) {
        if let Some(value) = &expr.expr {
            self.visit_expr(value);
        }
        let is_err = matches!(expr.expr.as_deref().map(strip), Some(syn::Expr::Call(c))
            if matches!(&*c.func, syn::Expr::Path(p) if p.path.is_ident("Err")));
        self.events.emit(Event::Exit {
            kind: ExitKind::Return { is_err },
            span: span_of(self.file, expr.span()),
            diverges: true,
        });
    }

    fn visit_expr_break(&mut self, expr: &'ast syn::ExprBreak) {
        visit::visit_expr_break(self, expr);
        self.events.emit(Event::Exit {
            kind: ExitKind::Break,
            span: span_of(self.file, expr.span()),
            diverges: true,
        });
    }

    fn visit_expr_continue(&mut self, expr: &'ast syn::ExprContinue) {
        self.events.emit(Event::Exit {
            kind: ExitKind::Break,
            span: span_of(self.file, expr.span()),
            diverges: true,
        });
    }

    fn visit_expr_await(&mut self, expr: &'ast syn::ExprAwait) {
        self.visit_expr(&expr.base);
        let start = expr.dot_token.span.byte_range().start;
        let end = expr.await_token.span.byte_range().end;
        self.events.emit(Event::Await {
            span: crate::diagnostic::Span {
                file: self.file,
                range: start..end.max(start),
            },
        });
    }

    fn visit_expr_while(&mut self, expr: &'ast syn::ExprWhile) {
        self.events.open();
        self.visit_expr(&expr.cond);
        self.visit_block(&expr.body);
        let body = self.events.close();
        self.events.emit(Event::Loop { body });
    }

    fn visit_expr_for_loop(&mut self, expr: &'ast syn::ExprForLoop) {
        self.visit_expr(&expr.expr);
        self.events.open();
        let saved = self.locals.len();
        self.bind_pattern(&expr.pat, None);
        self.visit_block(&expr.body);
        self.locals.truncate(saved);
        let body = self.events.close();
        self.events.emit(Event::Loop { body });
    }

    fn visit_expr_loop(&mut self, expr: &'ast syn::ExprLoop) {
        self.events.open();
        self.visit_block(&expr.body);
        let body = self.events.close();
        self.events.emit(Event::Loop { body });
    }

    fn visit_expr_path(&mut self, expr: &'ast syn::ExprPath) {
        if let Some(floor) = self.scope_floor
            && let Some(ident) = expr.path.get_ident()
        {
            self.note_outer_handle(floor, &ident.unraw().to_string(), expr);
        }
        if !self.facts.uses_scopes
            && let Some(path) = self.resolve(&expr.path)
            && let Some(first) = path.split("::").next()
        {
            self.facts.uses_scopes = self.scope_crates.contains(first);
        }
        visit::visit_expr_path(self, expr);
    }

    fn visit_expr_closure(&mut self, closure: &'ast syn::ExprClosure) {
        let decided = self.pending.remove(&address(closure));
        let context = match decided {
            Some(context) => context,
            None if closure.asyncness.is_some() => ThreadContext::AsyncTask,
            None => self.context,
        };
        let owner = BodyOwner::Closure {
            spawned: decided.is_some(),
        };
        let span = span_of(self.file, closure.inputs_begin.span);
        let inherits_fs = decided.is_none();
        let fs_unshared = self.fs_unshared;
        let opens_scope = decided.is_some_and(|c| matches!(c, ThreadContext::Scope(_)));
        self.in_body(owner, context, span, |w| {
            if inherits_fs {
                w.fs_unshared = fs_unshared;
            }
            if opens_scope {
                // nsscope's scope threads unshare `CLONE_FS` before they enter.
                w.fs_unshared = context == ThreadContext::Scope(ScopeKind::Sync);
                w.scope_floor = Some(w.locals.len());
            }
            for input in &closure.inputs {
                w.bind_pattern(input, None);
            }
            w.visit_expr(&closure.body);
        });
    }

    fn visit_expr_async(&mut self, expr: &'ast syn::ExprAsync) {
        let decided = self.pending.remove(&address(expr));
        // An async block inside a future that stays on its thread stays there too.
        let inherited = matches!(
            self.context,
            ThreadContext::OwnRuntime | ThreadContext::Scope(ScopeKind::AsyncOwned)
        )
        .then_some(self.context);
        let context = decided.or(inherited).unwrap_or(ThreadContext::AsyncTask);
        let owner = BodyOwner::AsyncBlock {
            spawned: decided.is_some(),
        };
        let span = span_of(self.file, expr.async_token.span);
        self.in_body(owner, context, span, |w| w.visit_block(&expr.block));
    }

    fn visit_expr_match(&mut self, expr: &'ast syn::ExprMatch) {
        self.visit_expr(&expr.expr);
        // `match setns(..) { Ok(..) => .., Err(..) => .. }`: the switch happened in `Ok` arms.
        let scrutinee = span_of(self.file, strip(&expr.expr).span());
        let switch = take_switch(self.events.current(), &scrutinee);
        let child = self.fork_pattern_of(&expr.expr);
        let mut arms = Vec::new();
        for arm in &expr.arms {
            let is_child = child
                .as_deref()
                .is_some_and(|c| self.is_child_pattern(&arm.pat, c));
            self.events.open();
            if is_child {
                self.child_body(&arm.pat, |w| visit::visit_arm(w, arm));
            } else {
                self.visit_arm(arm);
            }
            let mut events = self.events.close();
            if let Some(switch) = &switch
                && !is_err_pattern(&arm.pat)
            {
                events.insert(0, switch.clone());
            }
            arms.push(events);
        }
        self.events.emit(Event::Branch {
            arms,
            span: span_of(self.file, expr.match_token.span),
        });
    }

    fn visit_expr_if(&mut self, expr: &'ast syn::ExprIf) {
        self.events.open();
        self.visit_expr(&expr.cond);
        let mut cond_events = self.events.close();
        // `if setns(..) != 0 { fail }`: the switch happened only on the success branch.
        let checked = checked_status(&expr.cond).and_then(|success_is_then| {
            let switch = take_switch(&mut cond_events, &span_of(self.file, expr.cond.span()))?;
            Some((success_is_then, switch))
        });
        self.events.current().extend(cond_events);
        let child_branch = match strip(&expr.cond) {
            syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::Eq(_)) => {
                let is_zero = |e: &syn::Expr| {
                    matches!(strip(e), syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. })
                        if i.base10_parse::<i64>().ok() == Some(0))
                };
                let forks = |e: &syn::Expr| self.fork_pattern_of(e).as_deref() == Some("zero");
                (forks(&b.left) && is_zero(&b.right)) || (forks(&b.right) && is_zero(&b.left))
            }
            _ => false,
        };
        self.events.open();
        if child_branch {
            self.child_body(&expr.then_branch, |w| w.visit_block(&expr.then_branch));
        } else {
            self.visit_block(&expr.then_branch);
        }
        let mut then_events = self.events.close();
        self.events.open();
        if let Some((_, else_branch)) = &expr.else_branch {
            self.visit_expr(else_branch);
        }
        let mut else_events = self.events.close();
        if let Some((success_is_then, switch)) = checked {
            let success = if success_is_then {
                &mut then_events
            } else {
                &mut else_events
            };
            success.insert(0, switch);
        }
        self.events.emit(Event::Branch {
            arms: vec![then_events, else_events],
            span: span_of(self.file, expr.if_token.span),
        });
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if mac.path.is_ident("macro_rules") {
            return;
        }
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.unraw().to_string())
            .unwrap_or_default();
        let expanded = (self.expansion_depth < MAX_EXPANSION_DEPTH)
            .then(|| self.macros.expand(&name, &mac.tokens))
            .flatten();
        let body = match &expanded {
            Some(tokens) => parse_macro_body(&quote::quote!({ #tokens })),
            None => parse_macro_body(&mac.tokens),
        };
        let mut inner = self.macro_walker();
        match &body {
            MacroBody::Exprs(exprs) => exprs.iter().for_each(|e| inner.visit_expr(e)),
            MacroBody::Stmts(stmts) => stmts.iter().for_each(|s| inner.visit_stmt(s)),
        }
        let fs_unshared = inner.fs_unshared;
        let events = std::mem::take(&mut inner.events);
        drop(inner);
        self.fs_unshared = fs_unshared;
        self.events = events;
        if expanded.is_none() {
            self.panic_exit(&name, mac);
        }
    }

    fn visit_lit(&mut self, lit: &'ast syn::Lit) {
        let value = match lit {
            syn::Lit::Str(s) => s.value(),
            syn::Lit::ByteStr(b) => String::from_utf8_lossy(&b.value()).into_owned(),
            syn::Lit::CStr(c) => c.value().to_string_lossy().into_owned(),
            _ => return,
        };
        if let Some(what) = self.catalog.sensitive_path(&value) {
            self.events.emit(Event::Sensitive {
                what: what.to_owned(),
                span: span_of(self.file, lit.span()),
            });
        }
        if self.catalog.is_process_wide_path(&value) {
            self.facts.path_literals.push(PathLiteral {
                span: span_of(self.file, lit.span()),
                value,
                context: self.context,
            });
        }
    }
}
