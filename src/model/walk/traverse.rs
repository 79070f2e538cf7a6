//! The traversal itself: one `visit_*` per construct that matters.

use super::*;
use crate::catalog::MethodRole;
use crate::parse::ident_name;
use expansion::Expansion;

/// Crate-local macros are expanded at most this deep (macros that expand to macros).
pub(super) const MAX_EXPANSION_DEPTH: usize = 8;

impl<'ast> Walker<'_, 'ast> {
    /// A `const` or `static` initializer: a body of its own when it names paths or holds a
    /// closure (a table of functions, a `Lazy` initializer), which run where the item is
    /// named; otherwise walked in place (its literals still count).
    fn visit_item_value(&mut self, ident: &syn::Ident, expr: &'ast syn::Expr) {
        if !names_code(expr) {
            visit::visit_expr(self, expr);
            return;
        }
        let canonical = self.fn_canonical(&ident_name(ident));
        let span = self.span(ident.span());
        self.in_body(
            BodyOwner::Item { canonical },
            ThreadContext::Caller,
            span,
            |w| w.visit_expr(expr),
        );
    }
}

/// Whether an initializer names a path or holds a closure (what a table of functions or a
/// lazy initializer is made of).
fn names_code(expr: &syn::Expr) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_path(&mut self, _: &'ast syn::ExprPath) {
            self.0 = true;
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {
            self.0 = true;
        }
        fn visit_macro(&mut self, _: &'ast syn::Macro) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    finder.visit_expr(expr);
    finder.0
}

impl<'ast> Visit<'ast> for Walker<'_, 'ast> {
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {
        // Attributes (docs, `#[path]`, `#[cfg]`) are not code.
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.visit_fn_body(&item.attrs, Some(&item.vis), &item.sig, &item.block);
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let self_type = match &*item.self_ty {
            syn::Type::Path(p) => self.resolve_type(&p.path),
            _ => None,
        };
        let is_drop = item.trait_.as_ref().is_some_and(|(path, _)| {
            path.is_ident("Drop") || self.resolve_type(path).as_deref() == Some("std::ops::Drop")
        });
        let saved = (
            self.impl_type.take(),
            self.impl_is_drop,
            self.impl_is_trait,
            self.in_test_code,
        );
        self.impl_type = self_type;
        self.impl_is_drop = is_drop;
        self.impl_is_trait = item.trait_.is_some();
        self.in_test_code |= item.attrs.iter().any(super::is_test_cfg);
        for impl_item in &item.items {
            self.visit_impl_item(impl_item);
        }
        (
            self.impl_type,
            self.impl_is_drop,
            self.impl_is_trait,
            self.in_test_code,
        ) = saved;
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.visit_fn_body(&item.attrs, Some(&item.vis), &item.sig, &item.block);
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        let saved = self.impl_type.take();
        self.impl_type = Some(format!(
            "{}::{}",
            self.resolver.tree().canonical(self.module),
            item.ident.unraw()
        ));
        let was_in_trait = std::mem::replace(&mut self.in_trait, true);
        for trait_item in &item.items {
            self.visit_trait_item(trait_item);
        }
        self.in_trait = was_in_trait;
        self.impl_type = saved;
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        if let Some(body) = &item.default {
            self.visit_fn_body(&item.attrs, None, &item.sig, body);
        }
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        self.visit_item_value(&item.ident, &item.expr);
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        self.visit_item_value(&item.ident, &item.expr);
    }

    fn visit_item_mod(&mut self, _: &'ast syn::ItemMod) {
        // Child modules are walked as modules of their own.
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        let items = block.stmts.iter().filter_map(|s| match s {
            syn::Stmt::Item(item) => Some(item),
            _ => None,
        });
        let saved_locals = self.locals.len();
        let saved_forks = self.fork_results.len();
        let pushed = items.clone().next().is_some();
        if pushed {
            let prefix = match &self.fn_name {
                Some(f) => format!("{}::{f}", self.resolver.tree().canonical(self.module)),
                None => self.resolver.tree().canonical(self.module),
            };
            self.blocks
                .push(Scope::from_items(items, &prefix, &|_| None));
        }
        for (index, stmt) in block.stmts.iter().enumerate() {
            self.visit_stmt(stmt);
            let rest = &block.stmts[index + 1..];
            if !rest.is_empty() && self.parent_leaves(stmt) {
                // What follows a fork's test whose parent branches leave runs in the child.
                let at = &rest[0];
                self.child_body(at, |w| rest.iter().for_each(|s| w.visit_stmt(s)));
                break;
            }
        }
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
        self.fork_results.truncate(saved_forks);
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
            let name = ident_name(&ident.ident);
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
                // `let Ok(()) = setns(..) else { fail }`: the `else` runs when the switch did
                // not happen; the switch belongs to the path that goes on.
                let at = self.expr_span(&init.expr);
                let switch = take_switch(self.events.current(), &at);
                self.events.open();
                self.visit_expr(diverge);
                let mut failure = self.events.close();
                self.bind_let_else_payload(&local.pat, &init.expr, &mut failure);
                self.events.emit(Event::Branch {
                    arms: vec![failure, Vec::new()],
                    span: self.expr_span(diverge),
                    test: None,
                });
                if let Some(switch) = switch {
                    self.events.emit(switch);
                }
            }
        }
        let declared = match &local.pat {
            syn::Pat::Type(t) => self.declared_type(&t.ty),
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
            let binding = self.span(local.pat.span());
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
        if let syn::Expr::Path(callee) = strip(&call.func) {
            self.not_values.insert(address(callee));
        }
        let mut handoffs = Vec::new();
        // A scope's handle (`s` in `thread::scope(|s| ..)`) is named only inside the call.
        let scope_handles = self.thread_scope_handles.len();
        if let Some(path) = &path {
            for (arg, context) in self.call_contexts(path) {
                let arg = call.args.iter().nth(arg);
                self.set_closure_context(arg, context);
                handoffs.extend(self.hand_over(arg, context));
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
        self.thread_scope_handles.truncate(scope_handles);
        let span = self.span_between(ends::call_ends(call));
        self.events.current().extend(handoffs);
        let escapes = path
            .as_deref()
            .is_some_and(|p| self.catalog.escape_what(self.catalog_name(p)).is_some());
        if !path.as_deref().is_some_and(|p| self.catalog.builds_path(p)) {
            self.note_path_uses(None, None, call.args.iter(), escapes);
        }
        if let Some(path) = &path {
            if self.starts_threads(path) {
                self.threads_start();
            }
            if let Some(what) = self.host_name_escape(path, call) {
                self.emit_escape(&what, span.clone());
            }
        }
        match path {
            Some(path) => {
                if let Some(switch) = self.switch_for(&path, call) {
                    self.record_switch(call, switch);
                } else if self.drives_handle(&path, call) {
                    // `tokio::spawn(connection)`: the task only drives a handle made already;
                    // where it is polled does not change the namespace it talks to.
                } else {
                    if let Some(&param) = self.joins.get(&path)
                        && let (_, Some((used, value))) =
                            self.switch_target(call.args.iter().nth(param))
                    {
                        self.events.emit(Event::ProcessWidePath {
                            span: used,
                            value,
                            joined_by: Some(span.clone()),
                        });
                    }
                    let arg_kinds = self.arg_kinds(call.args.iter());
                    let arg_consts = arg_consts(call.args.iter());
                    let handed_to = self.handed.remove(&address(call));
                    let discarded = self.discarded.contains(&address(call));
                    self.emit_call(
                        Callee::Path(path),
                        span,
                        arg_kinds,
                        arg_consts,
                        handed_to,
                        discarded,
                    );
                }
            }
            None => {
                if let syn::Expr::Path(p) = &*call.func
                    && p.path.is_ident("drop")
                    && let Some(syn::Expr::Path(arg)) = call.args.first().map(strip)
                    && let Some(name) = arg.path.get_ident()
                {
                    self.events.emit(Event::Drop {
                        name: ident_name(name),
                    });
                }
            }
        }
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        // `Env::new(..).and_then(|env| env.run())`: the closure's parameter is the value.
        if self.method_is(&call.method, &[MethodRole::PassesValue])
            && let Some(receiver) = self.type_of(&call.receiver)
            && let Some(syn::Expr::Closure(closure)) = call.args.last().map(strip)
            && closure.inputs.len() == 1
        {
            self.closure_params.insert(address(closure), receiver);
        }
        let mut handoffs = Vec::new();
        let context = self.method_context(call);
        if let Some((arg, context)) = context {
            let arg = call.args.iter().nth(arg);
            self.set_closure_context(arg, context);
            handoffs.extend(self.hand_over(arg, context));
        }
        visit::visit_expr_method_call(self, call);
        self.events.current().extend(handoffs);
        let method = ident_name(&call.method);
        let escapes = self.method_escape(call).is_some();
        self.note_path_uses(
            Some(&method),
            Some(&call.receiver),
            call.args.iter(),
            escapes,
        );
        // Read off the tree, not printed: long builder chains stay linear.
        let (first, last) = ends::method_call_ends(call);
        let span = self.span_maker();
        let span = || span(first, last);
        if self.method_is(method.as_str(), &[MethodRole::Unwrap]) {
            self.conditional_exit(ExitKind::Panic, span(), &call.receiver);
            return;
        }
        if let Some(what) = self.method_escape(call) {
            self.emit_escape(what, span());
            return;
        }
        // A child process, or a future driven on this very thread, starts no thread here.
        if context.is_some_and(|(_, c)| {
            !matches!(
                c,
                ThreadContext::ChildAfterFork
                    | ThreadContext::Scope(ScopeKind::Child)
                    | ThreadContext::Caller
            )
        }) {
            self.threads_start();
        }
        if self.is_exec_method(&method) {
            self.events.emit(Event::Exit {
                kind: ExitKind::Exec,
                span: span(),
                diverges: true,
            });
            return;
        }
        if self.is_result_combinator(&method) {
            // `map_err`, `ok`, `unwrap_or`: the value's own methods, not workspace code.
            return;
        }
        let receiver = self.type_of(&call.receiver);
        if let Some(TypeRef::Named(ty)) = &receiver
            && let Some(switch) = self.catalog.switch_method(ty, &method)
        {
            self.record_switch_method(call, switch);
            return;
        }
        let callee = match receiver {
            Some(receiver) => Callee::Method { receiver, method },
            // A method of one of the crate's traits on a receiver whose type the walk cannot
            // tell (`Arc<dyn Network>`): whichever implementation runs, it runs here.
            None if self.trait_methods.contains(&method) => Callee::Dyn { method },
            None => return,
        };
        let arg_kinds = self.arg_kinds(call.args.iter());
        let arg_consts = arg_consts(call.args.iter());
        let handed_to = self.handed.remove(&address(call));
        let discarded = self.discarded.contains(&address(call));
        self.emit_call(callee, span(), arg_kinds, arg_consts, handed_to, discarded);
    }

    fn visit_expr_assign(&mut self, expr: &'ast syn::ExprAssign) {
        visit::visit_expr_assign(self, expr);
        // `guard = Guard::new(ns)?;` into a local declared earlier (`let guard;`): the guard
        // lives as long as that local.
        if let syn::Expr::Path(p) = strip(&expr.left)
            && let Some(ident) = p.path.get_ident()
            && self.is_local(&ident_name(ident))
        {
            self.mark_bound(&ident_name(ident), &expr.right);
        }
    }

    fn visit_expr_try(&mut self, expr: &'ast syn::ExprTry) {
        self.visit_expr(&expr.expr);
        let span = self.span(expr.question_token.span);
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
            span: self.span(expr.span()),
            diverges: true,
        });
    }

    fn visit_expr_break(&mut self, expr: &'ast syn::ExprBreak) {
        visit::visit_expr_break(self, expr);
        self.leave_loop(expr.label.as_ref());
        self.events.emit(Event::Exit {
            kind: ExitKind::Break,
            span: self.span(expr.span()),
            diverges: true,
        });
    }

    fn visit_expr_continue(&mut self, expr: &'ast syn::ExprContinue) {
        self.leave_loop(expr.label.as_ref());
        self.events.emit(Event::Exit {
            kind: ExitKind::Break,
            span: self.span(expr.span()),
            diverges: true,
        });
    }

    fn visit_expr_await(&mut self, expr: &'ast syn::ExprAwait) {
        self.visit_expr(&expr.base);
        let await_event = Event::Await {
            span: self.span_between((expr.dot_token.span, expr.await_token.span)),
        };
        // `enter(ns).await`: the call's effect (a switch, a guard) comes with the value the
        // await produces, so the await happens before it.
        let base = self.expr_span(strip(&expr.base));
        let list = self.events.current();
        match list.last() {
            Some(Event::Call { span, .. }) if *span == base => {
                let call = list.pop();
                list.push(await_event);
                list.extend(call);
            }
            _ => list.push(await_event),
        }
    }

    fn visit_expr_while(&mut self, expr: &'ast syn::ExprWhile) {
        self.events.open();
        let saved = self.locals.len();
        self.visit_expr(&expr.cond);
        self.bind_let_patterns(&expr.cond);
        self.visit_loop_body(expr.label.as_ref(), saved, &expr.body);
        self.locals.truncate(saved);
        let body = self.events.close();
        self.events.emit(Event::Loop {
            body,
            until_break: false,
        });
    }

    fn visit_expr_for_loop(&mut self, expr: &'ast syn::ExprForLoop) {
        self.visit_expr(&expr.expr);
        self.events.open();
        let saved = self.locals.len();
        self.bind_pattern(&expr.pat, None);
        self.visit_loop_body(expr.label.as_ref(), saved, &expr.body);
        self.locals.truncate(saved);
        let body = self.events.close();
        self.events.emit(Event::Loop {
            body,
            until_break: false,
        });
    }

    fn visit_expr_loop(&mut self, expr: &'ast syn::ExprLoop) {
        self.events.open();
        self.visit_loop_body(expr.label.as_ref(), self.locals.len(), &expr.body);
        let body = self.events.close();
        self.events.emit(Event::Loop {
            body,
            until_break: true,
        });
    }

    fn visit_expr_path(&mut self, expr: &'ast syn::ExprPath) {
        if let Some(floor) = self.scope_floor
            && let Some(ident) = expr.path.get_ident()
        {
            self.note_outer_handle(floor, &ident_name(ident), expr);
        }
        let references = !self.not_values.remove(&address(expr)) && expr.qself.is_none();
        // Resolved once for both uses below (`resolve` names no local).
        let resolved = (references || !self.facts.uses_scopes)
            .then(|| self.resolve(&expr.path))
            .flatten();
        if references {
            self.note_reference(expr, resolved.as_deref());
        }
        if !self.facts.uses_scopes
            && let Some(first) = resolved.as_deref().and_then(|p| p.split("::").next())
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
        let span = self.span(closure.inputs_begin.span);
        let inherits_fs = decided.is_none();
        let param_type = self.closure_params.remove(&address(closure));
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
            if let (Some(ty), Some(name)) =
                (param_type, closure.inputs.first().and_then(binding_name))
                && let Some(local) = w.locals.iter_mut().rev().find(|l| l.name == name)
            {
                local.ty = Some(ty);
            }
            w.visit_expr(&closure.body);
        });
    }

    fn visit_expr_async(&mut self, expr: &'ast syn::ExprAsync) {
        // Unless a thread API takes it, an async block is polled where the code around it
        // runs (awaited there, or the root future of `block_on` on the calling thread).
        let decided = self.pending.remove(&address(expr));
        let context = decided.unwrap_or(ThreadContext::Caller);
        let owner = BodyOwner::AsyncBlock {
            spawned: decided.is_some(),
        };
        let span = self.span(expr.async_token.span);
        self.in_body(owner, context, span, |w| w.visit_block(&expr.block));
    }

    fn visit_expr_match(&mut self, expr: &'ast syn::ExprMatch) {
        self.visit_expr(&expr.expr);
        // `match setns(..) { Ok(..) => .., Err(..) => .. }`: the switch happened in the arms
        // that match its success (`Ok`, a C status's `0`, `.err()`'s `None`).
        let scrutinee = self.expr_span(strip(&expr.expr));
        let switch = take_switch(self.events.current(), &scrutinee);
        let child = self.fork_pattern_of(&expr.expr);
        let mut arms = Vec::new();
        for arm in &expr.arms {
            let is_child = child
                .as_deref()
                .is_some_and(|c| self.is_child_pattern(&arm.pat, c));
            self.events.open();
            let saved = self.locals.len();
            self.bind_pattern(&arm.pat, None);
            if is_child {
                self.child_body(&arm.pat, |w| visit::visit_arm(w, arm));
            } else {
                self.visit_arm(arm);
            }
            self.locals.truncate(saved);
            let mut events = self.events.close();
            if let Some(switch) = &switch {
                if arm_succeeded(&expr.expr, &arm.pat, &expr.arms) {
                    events.insert(0, switch.clone());
                } else if self.tail_branch == Some(address(expr)) {
                    // The function's value: it reports the switch's failure to its caller, as
                    // `setns(..)?` would.
                    events.push(self.failure_return(&arm.pat));
                }
            }
            arms.push(events);
        }
        self.bind_arm_payload(expr, &mut arms);
        self.events.emit(Event::Branch {
            arms,
            span: self.span(expr.match_token.span),
            test: None,
        });
    }

    fn visit_expr_if(&mut self, expr: &'ast syn::ExprIf) {
        self.events.open();
        self.visit_expr(&expr.cond);
        let mut cond_events = self.events.close();
        // `if setns(..) != 0 { fail }`: the switch happened only on the success branch. The
        // same when the status was bound first (`let ret = unshare(..); if ret != 0 { .. }`).
        let checked = checked_status(&expr.cond).and_then(|success_is_then| {
            let switch = take_switch(&mut cond_events, &self.expr_span(&expr.cond))
                .or_else(|| self.take_status_switch(&expr.cond))?;
            Some((success_is_then, switch))
        });
        self.events.current().extend(cond_events);
        let child_is_then = self.zero_fork_test(&expr.cond, &self.fork_results);
        self.events.open();
        let saved = self.locals.len();
        self.bind_let_patterns(&expr.cond);
        if child_is_then == Some(true) {
            self.child_body(&expr.then_branch, |w| w.visit_block(&expr.then_branch));
        } else {
            self.visit_block(&expr.then_branch);
        }
        self.locals.truncate(saved);
        let mut then_events = self.events.close();
        self.events.open();
        if let Some((_, else_branch)) = &expr.else_branch {
            if child_is_then == Some(false) {
                self.child_body(else_branch, |w| w.visit_expr(else_branch));
            } else {
                self.visit_expr(else_branch);
            }
        }
        let mut else_events = self.events.close();
        self.bind_if_let_payload(expr, &mut then_events, &mut else_events);
        if let Some((success_is_then, switch)) = checked {
            let tail = self.tail_branch == Some(address(expr));
            let (success, failure) = if success_is_then {
                (&mut then_events, &mut else_events)
            } else {
                (&mut else_events, &mut then_events)
            };
            success.insert(0, switch);
            if tail {
                // The function's value: it reports the switch's failure to its caller.
                failure.push(self.failure_return(&expr.cond));
            }
        }
        let test = self.param_test(&expr.cond);
        self.events.emit(Event::Branch {
            arms: vec![then_events, else_events],
            span: self.span(expr.if_token.span),
            test,
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
            .map(|s| ident_name(&s.ident))
            .unwrap_or_default();
        let expanded = (self.expansion_depth < MAX_EXPANSION_DEPTH)
            .then(|| self.macros.expand(&name, &mac.tokens))
            .flatten();
        let body = match &expanded {
            Some((tokens, _)) => parse_macro_body(&quote::quote!({ #tokens })),
            None => parse_macro_body(&mac.tokens),
        };
        let mut inner = self.macro_walker();
        if let Some((_, definition)) = expanded.as_ref() {
            inner.expansion = Some(match inner.expansion.take() {
                Some(outer) => outer.nested(name.clone(), *definition),
                None => {
                    // `inner` measures as `self` does: neither is inside an expansion.
                    let site = inner.span_between((mac.path.span(), mac.delimiter.span().close()));
                    Expansion::new(site, name.clone(), *definition)
                }
            });
        }
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
}
