//! Which thread each closure runs on: catalogue context APIs, approved scopes, helpers that
//! forward a closure parameter, named closures, and the child branch of a fork.

use super::*;
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
    pub(super) fn named_closure(&self, path: &syn::Path) -> Option<&'ast syn::ExprClosure> {
        let name = ident_name(path.get_ident()?);
        let local = self.locals.iter().rev().find(|l| l.name == name)?;
        match strip(local.init?) {
            syn::Expr::Closure(closure) => Some(closure),
            _ => None,
        }
    }

    /// The thread context a method call gives a closure argument: an approved scope on a
    /// receiver of known type, or a catalogue context API.
    pub(super) fn method_context(
        &self,
        call: &syn::ExprMethodCall,
    ) -> Option<(usize, ThreadContext)> {
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
                        if p.path.get_ident().is_some_and(|i| self.thread_scope_handles.contains(&ident_name(i))));
                }
                false
            })
            .map(|c| (c.arg, ThreadContext::from(c.context)))
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

    /// The child pattern of the fork a call is (`fork()`, also through `unwrap`, `expect`,
    /// `?` and error adapters such as `map_err`), if it is one.
    pub(super) fn is_fork_call(&self, expr: &syn::Expr) -> Option<&'a str> {
        match events::strip_error_adapters(expr) {
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
    pub(super) fn fork_pattern_of(&self, expr: &syn::Expr) -> Option<String> {
        self.fork_pattern_among(expr, &self.fork_results)
    }

    /// [`Self::fork_pattern_of`] with `locals` as the locals bound to fork results.
    fn fork_pattern_among(&self, expr: &syn::Expr, locals: &[(String, String)]) -> Option<String> {
        if let Some(pattern) = self.is_fork_call(expr) {
            return Some(pattern.to_owned());
        }
        let syn::Expr::Path(p) = strip(expr) else {
            return None;
        };
        let name = ident_name(p.path.get_ident()?);
        locals
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, pattern)| pattern.clone())
    }

    /// Whether `cond` is `pid == 0` (either way round) for a fork whose child gets 0.
    pub(super) fn is_zero_fork_test(&self, cond: &syn::Expr, locals: &[(String, String)]) -> bool {
        let syn::Expr::Binary(b) = strip(cond) else {
            return false;
        };
        let is_zero = |e: &syn::Expr| {
            matches!(strip(e), syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. })
                if i.base10_parse::<i64>().ok() == Some(0))
        };
        let forks = |e: &syn::Expr| self.fork_pattern_among(e, locals).as_deref() == Some("zero");
        matches!(b.op, syn::BinOp::Eq(_))
            && ((forks(&b.left) && is_zero(&b.right)) || (forks(&b.right) && is_zero(&b.left)))
    }

    pub(super) fn is_child_pattern(&self, pat: &syn::Pat, child: &str) -> bool {
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

    /// Walks the child branch of a fork as a body of its own: it runs in another process.
    pub(super) fn child_body(&mut self, at: &dyn Spanned, walk: impl FnOnce(&mut Self)) {
        let span = self.span(at.span());
        self.in_body(
            BodyOwner::Closure { spawned: true },
            ThreadContext::ChildAfterFork,
            span,
            walk,
        );
    }

    /// Whether calling `path` starts threads (a thread API, a runtime).
    pub(super) fn starts_threads(&self, path: &str) -> bool {
        self.catalog.context_of_call(path).is_some()
            || self.forwarders.contains_key(path)
            || path.starts_with("tokio::runtime::")
    }
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
        if !self.walker.is_zero_fork_test(&expr.cond, &self.forks) {
            visit::visit_expr_if(self, expr);
            return;
        }
        self.visit_expr(&expr.cond);
        self.in_child_branch(|uses| uses.visit_block(&expr.then_branch));
        if let Some((_, else_branch)) = &expr.else_branch {
            self.visit_expr(else_branch);
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
        syn::Type::Path(p) if p.qself.is_none() => !p
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
        ] {
            assert!(!holds(ty), "{ty}");
        }
    }
}
