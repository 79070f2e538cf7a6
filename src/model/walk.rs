//! The walk over a crate's AST that extracts [`CrateFacts`].

use super::flags::{FlagEnv, kinds_of};
use super::macros::{MacroBody, parse_macro_body};
use super::{CrateFacts, PathLiteral, SwitchCall, ThreadContext};
use crate::catalog::{Catalog, ContextKind, FlagKind, Switch, SwitchOp};
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
    let consts = crate_constants(resolver);
    let scope_crates = catalog.scope_crates();
    let mut facts = CrateFacts::default();
    for id in tree.ids() {
        let module = tree.module(id);
        let mut walker = Walker {
            resolver,
            catalog,
            consts: &consts,
            scope_crates: &scope_crates,
            module: id,
            file: module.file,
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
            facts: &mut facts,
        };
        for item in &module.items {
            walker.visit_item(item);
        }
    }
    facts
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

/// A local binding: its name and, for `let x = expr`, the initializer.
struct Local<'ast> {
    name: String,
    init: Option<&'ast syn::Expr>,
}

struct Walker<'a, 'ast> {
    resolver: &'a Resolver<'ast>,
    catalog: &'a Catalog,
    consts: &'a BTreeMap<String, (ModuleId, &'ast syn::Expr)>,
    scope_crates: &'a BTreeSet<&'a str>,
    module: ModuleId,
    file: FileId,
    fn_name: Option<String>,
    blocks: Vec<Scope>,
    locals: Vec<Local<'ast>>,
    context: ThreadContext,
    /// Whether the current thread body has unshared `CLONE_FS`/`CLONE_NEWNS` so far.
    fs_unshared: bool,
    /// Contexts decided for closures by the call they are passed to, keyed by address.
    pending: HashMap<usize, ContextKind>,
    /// Addresses of expressions whose value is thrown away.
    discarded: BTreeSet<usize>,
    /// Closures bound to a name and later passed to a context API by that name
    /// (`let child_setup = || ..; cmd.pre_exec(child_setup)`), found before the body is walked.
    named_contexts: Vec<(String, ContextKind)>,
    /// Names bound to `std::thread::scope`'s scope handle.
    thread_scope_handles: Vec<String>,
    /// Names bound to the result of a fork.
    fork_results: Vec<(String, String)>,
    facts: &'a mut CrateFacts,
}

/// State saved on entering a new body and restored on leaving it.
struct Saved {
    context: ThreadContext,
    fs_unshared: bool,
    locals: usize,
    blocks: usize,
    fn_name: Option<String>,
}

fn address<T>(node: &T) -> usize {
    node as *const T as usize
}

impl<'a, 'ast> Walker<'a, 'ast> {
    fn save(&self) -> Saved {
        Saved {
            context: self.context,
            fs_unshared: self.fs_unshared,
            locals: self.locals.len(),
            blocks: self.blocks.len(),
            fn_name: self.fn_name.clone(),
        }
    }

    fn restore(&mut self, saved: Saved) {
        self.context = saved.context;
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
    fn set_closure_context(&mut self, arg: Option<&syn::Expr>, context: ContextKind) {
        if let Some(arg) = arg {
            let closure = match strip(arg) {
                syn::Expr::Closure(closure) => Some(closure),
                syn::Expr::Path(p) => self.named_closure(&p.path),
                _ => None,
            };
            if let Some(closure) = closure {
                self.pending.insert(address(closure), context);
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
                })
                .collect(),
            context: self.context,
            fs_unshared: self.fs_unshared,
            pending: HashMap::new(),
            discarded: BTreeSet::new(),
            named_contexts: self.named_contexts.clone(),
            thread_scope_handles: self.thread_scope_handles.clone(),
            fork_results: self.fork_results.clone(),
            facts: self.facts,
        }
    }

    fn method_context(&self, call: &syn::ExprMethodCall) -> Option<(usize, ContextKind)> {
        let method = call.method.to_string();
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
            .map(|c| (c.arg, c.context))
    }

    /// The canonical function a method chain starts from (`Builder::new().name(..)`).
    fn receiver_root(&self, receiver: &syn::Expr) -> Option<String> {
        match strip(receiver) {
            syn::Expr::MethodCall(m) => self.receiver_root(&m.receiver),
            syn::Expr::Call(c) => self.resolve_callee(&c.func),
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
        name: &syn::Ident,
        sig: &'ast syn::Signature,
        body: &'ast syn::Block,
    ) {
        let saved = self.save();
        self.enter_thread(if sig.asyncness.is_some() {
            ThreadContext::AsyncTask
        } else {
            ThreadContext::Caller
        });
        self.fn_name = Some(name.unraw().to_string());
        for input in &sig.inputs {
            if let syn::FnArg::Typed(t) = input {
                self.bind_pattern(&t.pat, None);
            }
        }
        let mut scan = NamedClosureScan {
            walker: self,
            found: Vec::new(),
        };
        scan.visit_block(body);
        let found = scan.found;
        let saved_named = std::mem::replace(&mut self.named_contexts, found);
        self.visit_block(body);
        self.named_contexts = saved_named;
        self.restore(saved);
    }

    fn visit_in_context(&mut self, context: ThreadContext, visit: impl FnOnce(&mut Self)) {
        let saved = self.save();
        self.enter_thread(context);
        visit(self);
        self.restore(saved);
    }
}

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
    found: Vec<(String, ContextKind)>,
}

impl NamedClosureScan<'_, '_, '_> {
    fn note(&mut self, arg: Option<&syn::Expr>, context: ContextKind) {
        if let Some(syn::Expr::Path(p)) = arg.map(strip)
            && let Some(ident) = p.path.get_ident()
        {
            self.found.push((ident.unraw().to_string(), context));
        }
    }
}

impl<'ast> Visit<'ast> for NamedClosureScan<'_, '_, '_> {
    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Some(path) = self.walker.resolve_callee(&call.func)
            && let Some((arg, context)) = self.walker.catalog.context_of_call(&path)
        {
            self.note(call.args.iter().nth(arg), context);
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
        self.visit_fn_body(&item.sig.ident, &item.sig, &item.block);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.visit_fn_body(&item.sig.ident, &item.sig, &item.block);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        if let Some(body) = &item.default {
            self.visit_fn_body(&item.sig.ident, &item.sig, body);
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
        self.bind_pattern(&local.pat, init);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Some(path) = self.resolve_callee(&call.func) {
            if let Some(switch) = self.switch_for(&path, call) {
                self.record_switch(call, switch);
            }
            if let Some((arg, context)) = self.catalog.context_of_call(&path) {
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
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if let Some((arg, context)) = self.method_context(call) {
            self.set_closure_context(call.args.iter().nth(arg), context);
        }
        visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_path(&mut self, expr: &'ast syn::ExprPath) {
        if !self.facts.uses_scopes
            && let Some(path) = self.resolve(&expr.path)
            && let Some(first) = path.split("::").next()
        {
            self.facts.uses_scopes = self.scope_crates.contains(first);
        }
        visit::visit_expr_path(self, expr);
    }

    fn visit_expr_closure(&mut self, closure: &'ast syn::ExprClosure) {
        let saved = self.save();
        match self.pending.remove(&address(closure)) {
            Some(context) => self.enter_thread(ThreadContext::from(context)),
            None if closure.asyncness.is_some() => self.enter_thread(ThreadContext::AsyncTask),
            None => {}
        }
        for input in &closure.inputs {
            self.bind_pattern(input, None);
        }
        self.visit_expr(&closure.body);
        self.restore(saved);
    }

    fn visit_expr_async(&mut self, expr: &'ast syn::ExprAsync) {
        self.visit_in_context(ThreadContext::AsyncTask, |w| w.visit_block(&expr.block));
    }

    fn visit_expr_match(&mut self, expr: &'ast syn::ExprMatch) {
        self.visit_expr(&expr.expr);
        let child = self.fork_pattern_of(&expr.expr);
        for arm in &expr.arms {
            let is_child = child
                .as_deref()
                .is_some_and(|c| self.is_child_pattern(&arm.pat, c));
            if is_child {
                self.visit_in_context(ThreadContext::ChildAfterFork, |w| visit::visit_arm(w, arm));
            } else {
                self.visit_arm(arm);
            }
        }
    }

    fn visit_expr_if(&mut self, expr: &'ast syn::ExprIf) {
        self.visit_expr(&expr.cond);
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
        if child_branch {
            self.visit_in_context(ThreadContext::ChildAfterFork, |w| {
                w.visit_block(&expr.then_branch)
            });
        } else {
            self.visit_block(&expr.then_branch);
        }
        if let Some((_, else_branch)) = &expr.else_branch {
            self.visit_expr(else_branch);
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if mac.path.is_ident("macro_rules") {
            return;
        }
        let body = parse_macro_body(&mac.tokens);
        let mut inner = self.macro_walker();
        match &body {
            MacroBody::Exprs(exprs) => exprs.iter().for_each(|e| inner.visit_expr(e)),
            MacroBody::Stmts(stmts) => stmts.iter().for_each(|s| inner.visit_stmt(s)),
        }
        let fs_unshared = inner.fs_unshared;
        self.fs_unshared = fs_unshared;
    }

    fn visit_lit(&mut self, lit: &'ast syn::Lit) {
        let value = match lit {
            syn::Lit::Str(s) => s.value(),
            syn::Lit::ByteStr(b) => String::from_utf8_lossy(&b.value()).into_owned(),
            syn::Lit::CStr(c) => c.value().to_string_lossy().into_owned(),
            _ => return,
        };
        if self.catalog.is_process_wide_path(&value) {
            self.facts.path_literals.push(PathLiteral {
                span: span_of(self.file, lit.span()),
                value,
                context: self.context,
            });
        }
    }
}
