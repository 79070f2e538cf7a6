//! Which thread each closure runs on: catalogue context APIs, approved scopes, helpers that
//! forward a closure parameter, named closures, and the child branch of a fork.

use super::*;
use crate::catalog::MethodRole;
use crate::parse::ident_name;

impl<'a, 'ast> Walker<'a, 'ast> {
    /// Finds the functions among `items` (and in their `impl` blocks) that pass a closure
    /// parameter to a thread API (`fn on_thread(f: impl FnOnce()) { thread::spawn(f) }`).
    pub(super) fn find_forwarders(&mut self, items: &'ast [syn::Item], out: &mut Forwarders) {
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

    pub(super) fn find_forwarder(
        &self,
        sig: &syn::Signature,
        body: &'ast syn::Block,
        out: &mut Forwarders,
    ) {
        let params: Vec<Option<String>> = sig
            .inputs
            .iter()
            .filter_map(|input| match input {
                syn::FnArg::Typed(t) => Some(binding_name(&t.pat)),
                syn::FnArg::Receiver(_) => None,
            })
            .collect();
        let may_forward = sig.inputs.iter().any(|input| match input {
            syn::FnArg::Typed(t) => may_hold_closure(&t.ty),
            syn::FnArg::Receiver(_) => false,
        });
        if !may_forward {
            // Only a parameter can be forwarded, and none of these can be a closure.
            return;
        }
        let mut scan = NamedClosureScan {
            walker: self,
            found: Vec::new(),
        };
        scan.visit_block(body);
        let mut uses = ForkChildUses {
            walker: self,
            forks: Vec::new(),
            in_child: 0,
            inside: BTreeSet::new(),
            outside: BTreeSet::new(),
        };
        uses.visit_block(body);
        // A parameter the body names only in a fork's child branch runs in the child (called
        // there, or handed to `catch_unwind` or anything else in that process).
        let in_child_only = uses
            .inside
            .difference(&uses.outside)
            .map(|name| (name.clone(), ThreadContext::ChildAfterFork));
        scan.found.extend(in_child_only);
        for (name, context) in scan.found {
            if let Some(index) = params
                .iter()
                .position(|p| p.as_deref() == Some(name.as_str()))
            {
                out.entry(self.fn_canonical(&ident_name(&sig.ident)))
                    .or_default()
                    .push((index, context));
            }
        }
    }

    /// The thread contexts a call gives its closure arguments: a catalogue API's, or those of
    /// a crate helper that forwards them.
    pub(super) fn call_contexts(&self, path: &str) -> Vec<(usize, ThreadContext)> {
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

    /// Records the context of a closure argument of a context API.
    pub(super) fn set_closure_context(&mut self, arg: Option<&syn::Expr>, context: ThreadContext) {
        if let Some(arg) = arg {
            match strip(arg) {
                // `Box::new(move || ..)`: the closure is what runs.
                syn::Expr::Call(c)
                    if c.args.len() == 1
                        && self.resolve_callee(&c.func).as_deref()
                            == Some("std::boxed::Box::new") =>
                {
                    self.set_closure_context(c.args.first(), context);
                }
                syn::Expr::Closure(closure) => {
                    self.pending.insert(address(closure), context);
                }
                syn::Expr::Async(block) => {
                    self.pending.insert(address(block), context);
                }
                // A closure handed over by name (`spawn(child_setup)`) was walked at its `let`,
                // before this call: `NamedClosureScan` placed it in its context then.
                _ => {}
            }
        }
    }

    /// The thread context a method call gives a closure argument: an approved scope on a
    /// receiver of known type, a catalogue context API, or a method of the crate's own that
    /// forwards the closure to one (`jobs.run(|| ..)` with `fn run(&self, job: impl FnOnce())
    /// { spawn_blocking(job); }`).
    pub(super) fn method_context(
        &self,
        call: &syn::ExprMethodCall,
    ) -> Option<(usize, ThreadContext)> {
        let method = call.method.to_string();
        // Typed only when a scope, context API or forwarder of that name could match: most
        // method calls meet none.
        let receiver_type = LazyCell::new(|| match self.type_of(&call.receiver) {
            Some(TypeRef::Named(receiver)) => Some(receiver),
            _ => None,
        });
        if self.catalog.has_scope_method(&method)
            && let Some(receiver) = &*receiver_type
            && let Some(scope) = self.catalog.scope_method(receiver, &method)
        {
            return Some((scope.arg, ThreadContext::Scope(scope.kind)));
        }
        self.catalog
            .contexts
            .iter()
            .filter(|c| c.method.as_deref() == Some(method.as_str()))
            .find(|c| {
                if let Some(t) = &c.trait_path {
                    let blocks: Vec<&Scope> = self.blocks.iter().collect();
                    return self.resolver.trait_in_scope(self.module, &blocks, t);
                }
                if let Some(root) = &c.receiver_root {
                    return self.receiver_root(&call.receiver).as_deref() == Some(root.as_str());
                }
                if let Some(receiver) = &c.receiver {
                    return receiver_type.as_ref() == Some(receiver);
                }
                if c.receiver_param_of.is_some() {
                    return matches!(strip(&call.receiver), syn::Expr::Path(p)
                        if p.path.get_ident().is_some_and(|i| self.thread_scope_handles.contains(&ident_name(i))));
                }
                false
            })
            .map(|c| (c.arg, ThreadContext::from(c.context)))
            .or_else(|| {
                if !self.forwards_a_method_named(&method) {
                    return None;
                }
                let receiver = receiver_type.as_ref()?;
                let forwarded = self.forwarders.get(&format!("{receiver}::{method}"))?;
                forwarded.first().copied()
            })
    }

    /// Whether some forwarder of the crate is a method `method` (its path ends in
    /// `::method`).
    fn forwards_a_method_named(&self, method: &str) -> bool {
        self.forwarders.keys().any(|path| {
            path.strip_suffix(method)
                .is_some_and(|rest| rest.ends_with("::"))
        })
    }

    /// The canonical function a method chain starts from (`Builder::new().name(..)`), through
    /// locals (`let b = Builder::new(); let b = b.name(..); b.spawn(..)`).
    pub(super) fn receiver_root(&self, receiver: &syn::Expr) -> Option<String> {
        self.receiver_root_among(receiver, self.locals.len())
    }

    /// [`Self::receiver_root`] seeing only the first `visible` locals: an initializer sees the
    /// locals declared before its own (`let b = b.name(..)` names the earlier `b`).
    fn receiver_root_among(&self, receiver: &syn::Expr, visible: usize) -> Option<String> {
        match strip(receiver) {
            syn::Expr::MethodCall(m) => self.receiver_root_among(&m.receiver, visible),
            syn::Expr::Call(c) => self.resolve_callee(&c.func),
            syn::Expr::Try(t) => self.receiver_root_among(&t.expr, visible),
            syn::Expr::Path(p) => {
                let name = ident_name(p.path.get_ident()?);
                let index = self.locals[..visible.min(self.locals.len())]
                    .iter()
                    .rposition(|l| l.name == name)?;
                self.receiver_root_among(self.locals[index].init?, index)
            }
            _ => None,
        }
    }

    /// The child pattern of the fork a call is (`fork()`, a crate function that returns a
    /// fork's result, also through `unwrap`, `expect`, `?` and error adapters such as
    /// `map_err`), if it is one.
    pub(super) fn is_fork_call(&self, expr: &syn::Expr) -> Option<&'a str> {
        match self.strip_error_adapters(expr) {
            syn::Expr::Call(c) => {
                let path = self.resolve_callee(&c.func)?;
                let catalog = self.catalog;
                let fork = catalog.forks.iter().find(|f| {
                    f.path == path
                        && f.syscall.as_deref().is_none_or(|number| {
                            matches!(c.args.first().map(strip), Some(syn::Expr::Path(p))
                                if self.resolve(&p.path).as_deref() == Some(number))
                        })
                });
                match fork {
                    Some(fork) => Some(fork.child_pattern.as_str()),
                    None => self.fork_wrappers.get(&path).map(String::as_str),
                }
            }
            syn::Expr::MethodCall(m) if self.method_is(&m.method, &[MethodRole::Unwrap]) => {
                self.is_fork_call(&m.receiver)
            }
            syn::Expr::Try(t) => self.is_fork_call(&t.expr),
            syn::Expr::Cast(c) => self.is_fork_call(&c.expr),
            _ => None,
        }
    }

    /// The fork child pattern of the value an expression names, if it is a fork result.
    pub(super) fn fork_pattern_of(&self, expr: &syn::Expr) -> Option<String> {
        self.fork_pattern_among(expr, &self.fork_results)
    }

    /// [`Self::fork_pattern_of`] with `locals` as the locals bound to fork results.
    fn fork_pattern_among(&self, expr: &syn::Expr, locals: &[(String, String)]) -> Option<String> {
        if let Some(pattern) = self.is_fork_call(expr) {
            return Some(pattern.to_owned());
        }
        // `pid.cmp(&0)` (or `0.cmp(&pid)`) on a fork whose child is `0`: the child is where the
        // comparison is `Equal`.
        if let syn::Expr::MethodCall(m) = strip(expr)
            && m.method == "cmp"
            && let Some(arg) = m.args.first()
        {
            let is_fork =
                |e: &syn::Expr| self.fork_pattern_among(e, locals).as_deref() == Some(ZERO_CHILD);
            if (is_fork(&m.receiver) && is_zero_literal(arg))
                || (is_zero_literal(&m.receiver) && is_fork(arg))
            {
                return Some(ORDERING_EQUAL.to_owned());
            }
        }
        // A local bound to the fork's result, through `?`, `unwrap` and error adapters
        // (`match pid.context("fork")? { .. }`).
        let mut expr = strip(expr);
        loop {
            expr = match self.strip_error_adapters(expr) {
                syn::Expr::Try(t) => strip(&t.expr),
                syn::Expr::MethodCall(m) if self.method_is(&m.method, &[MethodRole::Unwrap]) => {
                    strip(&m.receiver)
                }
                other => break expr = other,
            };
        }
        let syn::Expr::Path(p) = expr else {
            return None;
        };
        let name = ident_name(p.path.get_ident()?);
        locals
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, pattern)| pattern.clone())
    }

    /// Finds the functions among `items` (and in their `impl` blocks) whose result is a fork's
    /// result: `fork()` itself, or a local bound to it, in the tail, `Ok(..)` or `return`.
    /// Also finds the functions that return a namespace file opened from a path literal
    /// (`fn current() -> io::Result<File> { File::open("/proc/thread-self/ns/net") }`), with
    /// what joining it does.
    /// And the `const`s and functions whose value is a string literal (a path a call may use).
    pub(super) fn find_returned_values(&self, items: &'ast [syn::Item], out: &mut ReturnedValues) {
        let module = self.resolver.tree().canonical(self.module);
        let mut functions: Vec<(
            String,
            Option<String>,
            &'ast syn::Signature,
            &'ast syn::Block,
        )> = Vec::new();
        for item in items {
            match item {
                syn::Item::Const(c) => {
                    if let Some(value) = self.literal_string(&c.expr) {
                        out.strings
                            .insert(format!("{module}::{}", ident_name(&c.ident)), value);
                    }
                }
                syn::Item::Static(s) => {
                    if let Some(value) = self.literal_string(&s.expr) {
                        out.strings
                            .insert(format!("{module}::{}", ident_name(&s.ident)), value);
                    }
                }
                syn::Item::Fn(f) => {
                    let canonical = format!("{module}::{}", ident_name(&f.sig.ident));
                    functions.push((canonical, None, &f.sig, &f.block));
                }
                syn::Item::Impl(imp) => {
                    let syn::Type::Path(ty) = &*imp.self_ty else {
                        continue;
                    };
                    let Some(ty) = self.resolve_type(&ty.path) else {
                        continue;
                    };
                    for impl_item in &imp.items {
                        if let syn::ImplItem::Fn(f) = impl_item {
                            let canonical = format!("{ty}::{}", ident_name(&f.sig.ident));
                            functions.push((canonical, Some(ty.clone()), &f.sig, &f.block));
                        }
                    }
                }
                _ => {}
            }
        }
        for (canonical, self_type, sig, block) in functions {
            if let Some(param) = self.joined_parameter(&sig.inputs, block) {
                out.joins.insert(canonical.clone(), param);
            }
            let mut fields = super::paths::FieldPaths {
                walker: self,
                opened: Vec::new(),
                found: Vec::new(),
                self_type,
            };
            fields.visit_block(block);
            out.fields.extend(fields.found);
            if let Some(pattern) = self.returned_fork(block) {
                out.forks.insert(canonical.clone(), pattern.to_owned());
            }
            if let Some(target) = self.returned_namespace_file(block) {
                out.ns_files.insert(canonical.clone(), target);
            }
            if let Some(syn::Stmt::Expr(tail, None)) = block.stmts.last()
                && let Some(value) = self.literal_string(tail)
            {
                out.strings.insert(canonical, value);
            }
        }
    }

    /// The child pattern of the fork whose result a function body returns, if it does.
    fn returned_fork(&self, body: &syn::Block) -> Option<&'a str> {
        let mut locals: Vec<(String, &'a str)> = Vec::new();
        for stmt in &body.stmts {
            if let syn::Stmt::Local(local) = stmt
                && let (Some(name), Some(init)) = (binding_name(&local.pat), &local.init)
                && let Some(pattern) = self.is_fork_call(&init.expr)
            {
                locals.push((name, pattern));
            }
        }
        let Some(syn::Stmt::Expr(tail, None)) = body.stmts.last() else {
            return None;
        };
        self.fork_in_value(tail, &locals)
    }

    /// Whether an expression's value is a fork's result: the call, a local bound to it, or
    /// either inside `Ok(..)`, an `unsafe` block or one arm of an `if`.
    fn fork_in_value(&self, expr: &syn::Expr, locals: &[(String, &'a str)]) -> Option<&'a str> {
        if let Some(pattern) = self.is_fork_call(expr) {
            return Some(pattern);
        }
        match strip(expr) {
            syn::Expr::Path(p) => {
                let name = ident_name(p.path.get_ident()?);
                locals
                    .iter()
                    .rev()
                    .find(|(n, _)| *n == name)
                    .map(|(_, p)| *p)
            }
            syn::Expr::Call(c) if matches!(&*c.func, syn::Expr::Path(f) if f.path.is_ident("Ok")) => {
                self.fork_in_value(c.args.first()?, locals)
            }
            syn::Expr::If(i) => {
                let then = match i.then_branch.stmts.last() {
                    Some(syn::Stmt::Expr(e, None)) => self.fork_in_value(e, locals),
                    _ => None,
                };
                then.or_else(|| self.fork_in_value(&i.else_branch.as_ref()?.1, locals))
            }
            syn::Expr::Block(b) => match b.block.stmts.last() {
                Some(syn::Stmt::Expr(e, None)) => self.fork_in_value(e, locals),
                _ => None,
            },
            _ => None,
        }
    }

    /// What a thread API does with an argument that is not a closure: a function handed over
    /// by name runs there (an event to record after the call), and a call's value, when it is
    /// an `async fn`'s future, is polled there (noted on the call).
    pub(super) fn hand_over(
        &mut self,
        arg: Option<&'ast syn::Expr>,
        context: ThreadContext,
    ) -> Option<Event> {
        match strip(arg?) {
            // A local (a closure bound to a name among them) resolves to nothing.
            syn::Expr::Path(p) => {
                let canonical = self.resolve(&p.path)?;
                self.not_values.insert(address(p));
                Some(Event::Handoff {
                    callee: Callee::Path(canonical),
                    context,
                    span: self.span_between(ends::expr_ends(arg?)),
                })
            }
            syn::Expr::Call(c) => {
                self.handed.insert(address(c), context);
                None
            }
            syn::Expr::MethodCall(m) => {
                self.handed.insert(address(m), context);
                None
            }
            _ => None,
        }
    }

    /// `if flag` / `if !flag` on a `bool` parameter of the function that no local shadows.
    pub(super) fn param_test(&self, cond: &syn::Expr) -> Option<ParamTest> {
        let (expr, first_arm_when) = match strip(cond) {
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Not(_)) => (strip(&u.expr), false),
            other => (other, true),
        };
        let syn::Expr::Path(p) = expr else {
            return None;
        };
        let name = ident_name(p.path.get_ident()?);
        let param = self.params.iter().position(|n| *n == name)?;
        let bindings = self.locals.iter().filter(|l| l.name == name).count();
        (bindings == 1).then_some(ParamTest {
            param,
            first_arm_when,
        })
    }

    /// For a test of a fork's result against 0, which branch the child takes: `Some(true)`
    /// for `pid == 0` (the `then` branch), `Some(false)` for `pid != 0` and `pid > 0` (the
    /// `else` branch, and what follows when the `then` branch leaves).
    pub(super) fn zero_fork_test(
        &self,
        cond: &syn::Expr,
        locals: &[(String, String)],
    ) -> Option<bool> {
        let syn::Expr::Binary(b) = strip(cond) else {
            return None;
        };
        let is_zero = is_zero_literal;
        let forks =
            |e: &syn::Expr| self.fork_pattern_among(e, locals).as_deref() == Some(ZERO_CHILD);
        let (fork_left, fork_right) = (
            forks(&b.left) && is_zero(&b.right),
            forks(&b.right) && is_zero(&b.left),
        );
        match b.op {
            syn::BinOp::Eq(_) if fork_left || fork_right => Some(true),
            syn::BinOp::Ne(_) if fork_left || fork_right => Some(false),
            syn::BinOp::Gt(_) if fork_left => Some(false),
            syn::BinOp::Lt(_) if fork_right => Some(false),
            _ => None,
        }
    }

    /// Whether a statement is a fork's test whose parent branches all leave the block, so
    /// that what follows it runs in the child only (`match fork()? { Parent { .. } => return
    /// Ok(()), Child => {} }`, `if pid > 0 { return wait(pid) }`).
    pub(super) fn parent_leaves(&self, stmt: &syn::Stmt) -> bool {
        let syn::Stmt::Expr(expr, _) = stmt else {
            return false;
        };
        match strip(expr) {
            syn::Expr::Match(m) => {
                let Some(child) = self.fork_pattern_of(&m.expr) else {
                    return false;
                };
                let (children, parents): (Vec<&syn::Arm>, Vec<&syn::Arm>) = m
                    .arms
                    .iter()
                    .partition(|arm| self.is_child_pattern(&arm.pat, &child));
                !parents.is_empty()
                    && parents.iter().all(|arm| self.diverges(&arm.body))
                    && children.iter().any(|arm| !self.diverges(&arm.body))
            }
            syn::Expr::If(i) => {
                self.zero_fork_test(&i.cond, &self.fork_results) == Some(false)
                    && self.block_diverges(&i.then_branch)
                    && i.else_branch
                        .as_ref()
                        .is_none_or(|(_, e)| !self.diverges(e))
            }
            _ => false,
        }
    }

    /// Whether an expression never finishes normally: `return`, `break`, `continue`, a
    /// panic, a call that ends the process or execs, or a block that ends in one.
    pub(super) fn diverges(&self, expr: &syn::Expr) -> bool {
        match strip(expr) {
            syn::Expr::Return(_) | syn::Expr::Break(_) | syn::Expr::Continue(_) => true,
            syn::Expr::Block(b) => self.block_diverges(&b.block),
            syn::Expr::Unsafe(u) => self.block_diverges(&u.block),
            syn::Expr::If(i) => {
                self.block_diverges(&i.then_branch)
                    && i.else_branch
                        .as_ref()
                        .is_some_and(|(_, e)| self.diverges(e))
            }
            syn::Expr::Macro(m) => m.mac.path.segments.last().is_some_and(|s| {
                matches!(
                    s.ident.to_string().as_str(),
                    "panic" | "unreachable" | "todo" | "unimplemented" | "bail"
                )
            }),
            syn::Expr::Call(c) => self.resolve_callee(&c.func).is_some_and(|path| {
                self.catalog.is_exec(&path) || self.diverging_fns.contains(&path)
            }),
            syn::Expr::MethodCall(m) => self.is_exec_method(&ident_name(&m.method)),
            _ => false,
        }
    }

    /// Whether a block ends in an expression or statement that never finishes.
    pub(super) fn block_diverges(&self, block: &syn::Block) -> bool {
        match block.stmts.last() {
            Some(syn::Stmt::Expr(e, _)) => self.diverges(e),
            Some(syn::Stmt::Macro(m)) => m.mac.path.segments.last().is_some_and(|s| {
                matches!(
                    s.ident.to_string().as_str(),
                    "panic" | "unreachable" | "todo" | "unimplemented" | "bail"
                )
            }),
            _ => false,
        }
    }

    pub(super) fn is_child_pattern(&self, pat: &syn::Pat, child: &str) -> bool {
        match pat {
            syn::Pat::Lit(_) => child == ZERO_CHILD && int_pattern(pat) == Some(0),
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

    /// Walks the child branch of a fork as a body of its own: it runs in another process.
    pub(super) fn child_body(&mut self, at: &dyn Spanned, walk: impl FnOnce(&mut Self)) {
        let span = self.span(at.span());
        self.in_body(
            BodyOwner::ForkChild,
            ThreadContext::ChildAfterFork,
            span,
            walk,
        );
    }

    /// Whether calling `path` starts threads (a thread API, a runtime).
    pub(super) fn starts_threads(&self, path: &str) -> bool {
        let threads = |context: ThreadContext| {
            !matches!(
                context,
                ThreadContext::ChildAfterFork | ThreadContext::Caller
            )
        };
        self.catalog
            .context_of_call(path)
            .is_some_and(|(_, kind)| threads(ThreadContext::from(kind)))
            || self
                .forwarders
                .get(path)
                .is_some_and(|contexts| contexts.iter().any(|&(_, c)| threads(c)))
            || path.starts_with("tokio::runtime::")
    }
}

/// The child pattern of a fork whose child sees `0` (`libc::fork`), as the catalogue writes it.
const ZERO_CHILD: &str = "zero";

/// What comparing such a fork's result with `0` by `Ord::cmp` gives in the child.
const ORDERING_EQUAL: &str = "std::cmp::Ordering::Equal";

/// Whether an expression is the integer literal `0` (through `&` and parentheses).
fn is_zero_literal(expr: &syn::Expr) -> bool {
    matches!(strip(expr), syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. })
        if i.base10_parse::<i64>().ok() == Some(0))
}

/// Finds context APIs given a closure by name, so the closure's `let` can be placed in that
/// context when it is walked.
pub(super) struct NamedClosureScan<'w, 'a, 'ast> {
    pub(super) walker: &'w Walker<'a, 'ast>,
    pub(super) found: Vec<(String, ThreadContext)>,
}

impl NamedClosureScan<'_, '_, '_> {
    fn note(&mut self, arg: Option<&syn::Expr>, context: ThreadContext) {
        if let Some(syn::Expr::Path(p)) = arg.map(strip)
            && let Some(ident) = p.path.get_ident()
        {
            self.found.push((ident_name(ident), context));
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

/// Whether a body binds a closure to a name where the walk would place it in the context of
/// an API it is handed to by name ([`NamedClosureScan`]): a `let name = |..| ..` outside
/// nested items, a macro whose tokens hold a `|` (they may parse into such a `let`), or one of
/// the crate's own macros (its expansion may hold one).
/// Only then is the scan, which resolves every call of the body, worth making.
pub(super) struct BindsClosure<'w, 'a, 'ast> {
    walker: &'w Walker<'a, 'ast>,
    found: bool,
}

impl<'w, 'a, 'ast> BindsClosure<'w, 'a, 'ast> {
    /// Whether the text from `first` to `last` holds a `|` (every closure spells one); `true`
    /// inside a macro expansion, whose spans point into the macro's definition.
    fn text_has_bar(&self, first: proc_macro2::Span, last: proc_macro2::Span) -> bool {
        if self.walker.expansion.is_some() {
            return true;
        }
        let source = self.walker.source;
        source
            .text
            .get(range_between(source, first, last))
            .is_none_or(|text| text.contains('|'))
    }

    /// Whether `body` binds such a closure.
    pub(super) fn in_body(walker: &'w Walker<'a, 'ast>, body: &syn::Block) -> bool {
        let mut visitor = BindsClosure {
            walker,
            found: false,
        };
        visitor.visit_block(body);
        visitor.found
    }
}

impl<'v> Visit<'v> for BindsClosure<'_, '_, '_> {
    fn visit_stmt(&mut self, stmt: &'v syn::Stmt) {
        // Once one is found, the rest of the body need not be read.
        if !self.found {
            visit::visit_stmt(self, stmt);
        }
    }

    fn visit_local(&mut self, local: &'v syn::Local) {
        // As `Walker::visit_local` places a named closure.
        if let (syn::Pat::Ident(_), Some(init)) = (&local.pat, &local.init)
            && matches!(strip(&init.expr), syn::Expr::Closure(_))
        {
            self.found = true;
        } else {
            visit::visit_local(self, local);
        }
    }

    fn visit_macro(&mut self, mac: &'v syn::Macro) {
        // A crate's own macro may expand to such a `let` whatever its arguments spell.
        let own = || {
            mac.path
                .segments
                .last()
                .is_some_and(|s| self.walker.macros.defines(&ident_name(&s.ident)))
        };
        if own() || self.text_has_bar(mac.path.span(), mac.delimiter.span().close()) {
            self.found = true;
        }
    }

    fn visit_item(&mut self, _: &'v syn::Item) {
        // Nested items are bodies of their own.
    }
}

/// Where a function body names single-segment paths (its parameters among them): inside the
/// child branch of a fork it makes (`match fork()? { Child => .. }`, `if pid == 0 { .. }`), or
/// anywhere else.
struct ForkChildUses<'w, 'a, 'ast> {
    walker: &'w Walker<'a, 'ast>,
    /// Locals bound to a fork's result, with the fork's child pattern.
    forks: Vec<(String, String)>,
    /// How many child branches the visit is inside.
    in_child: usize,
    inside: BTreeSet<String>,
    outside: BTreeSet<String>,
}

impl ForkChildUses<'_, '_, '_> {
    fn note(&mut self, name: String) {
        if self.in_child > 0 {
            self.inside.insert(name);
        } else {
            self.outside.insert(name);
        }
    }

    fn in_child_branch(&mut self, visit: impl FnOnce(&mut Self)) {
        self.in_child += 1;
        visit(self);
        self.in_child -= 1;
    }
}

impl<'ast> Visit<'ast> for ForkChildUses<'_, '_, 'ast> {
    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let (syn::Pat::Ident(binding), Some(init)) = (&local.pat, &local.init)
            && let Some(pattern) = self.walker.is_fork_call(&init.expr)
        {
            self.forks
                .push((ident_name(&binding.ident), pattern.to_owned()));
        }
        visit::visit_local(self, local);
    }

    fn visit_expr_match(&mut self, expr: &'ast syn::ExprMatch) {
        self.visit_expr(&expr.expr);
        let child = self.walker.fork_pattern_among(&expr.expr, &self.forks);
        for arm in &expr.arms {
            let is_child = child
                .as_deref()
                .is_some_and(|c| self.walker.is_child_pattern(&arm.pat, c));
            if is_child {
                self.in_child_branch(|uses| uses.visit_arm(arm));
            } else {
                self.visit_arm(arm);
            }
        }
    }

    fn visit_expr_if(&mut self, expr: &'ast syn::ExprIf) {
        let Some(child_is_then) = self.walker.zero_fork_test(&expr.cond, &self.forks) else {
            visit::visit_expr_if(self, expr);
            return;
        };
        self.visit_expr(&expr.cond);
        if child_is_then {
            self.in_child_branch(|uses| uses.visit_block(&expr.then_branch));
        } else {
            self.visit_block(&expr.then_branch);
        }
        if let Some((_, else_branch)) = &expr.else_branch {
            if child_is_then {
                self.visit_expr(else_branch);
            } else {
                self.in_child_branch(|uses| uses.visit_expr(else_branch));
            }
        }
    }

    fn visit_expr_path(&mut self, path: &'ast syn::ExprPath) {
        if let Some(ident) = path.path.get_ident() {
            self.note(ident_name(ident));
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // A macro's arguments may call the closure too: every name in them counts.
        let mut pending: Vec<proc_macro2::TokenStream> = vec![mac.tokens.clone()];
        while let Some(tokens) = pending.pop() {
            for tree in tokens {
                match tree {
                    proc_macro2::TokenTree::Ident(ident) => self.note(ident_name(&ident)),
                    proc_macro2::TokenTree::Group(group) => pending.push(group.stream()),
                    _ => {}
                }
            }
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {
        // Nested items are bodies of their own.
    }
}

/// Whether a parameter of this type can hold a closure: anything but a primitive scalar or
/// `str`, or a reference, slice, array or tuple of those.
fn may_hold_closure(ty: &syn::Type) -> bool {
    const PRIMITIVES: [&str; 17] = [
        "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32",
        "i64", "i128", "isize", "f32", "f64",
    ];
    match ty {
        // A qualified path (`<T as Tr>::Out`) ends in the associated type's name, never a
        // primitive's.
        syn::Type::Path(p) => !p
            .path
            .get_ident()
            .is_some_and(|ident| PRIMITIVES.iter().any(|name| ident == name)),
        syn::Type::Reference(r) => may_hold_closure(&r.elem),
        syn::Type::Slice(s) => may_hold_closure(&s.elem),
        syn::Type::Array(a) => may_hold_closure(&a.elem),
        syn::Type::Paren(p) => may_hold_closure(&p.elem),
        syn::Type::Tuple(t) => t.elems.iter().any(may_hold_closure),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::may_hold_closure;

    #[test]
    fn only_primitive_parameters_are_ruled_out_as_closures() {
        let holds = |ty: &str| may_hold_closure(&syn::parse_str(ty).expect("a type"));
        for ty in [
            "F",
            "impl FnOnce()",
            "Box<dyn Fn() + Send>",
            "&mut G",
            "(u8, F)",
            "Vec<u64>",
            "<I as Iterator>::Item",
        ] {
            assert!(holds(ty), "{ty}");
        }
        for ty in [
            "&str",
            "usize",
            "&[u8]",
            "[u32; 4]",
            "(bool, char)",
            "&mut f64",
            "&(i32)",
        ] {
            assert!(!holds(ty), "{ty}");
        }
    }
}
