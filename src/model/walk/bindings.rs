//! Where a call's value is kept: the local a `let` binds (also through an `if` or `match` that
//! gives it on one arm), or the binding of the pattern that takes it apart (`match` arms, `if
//! let`, `let .. else`). A guard kept this way is alive until that name goes out of scope, at
//! the end of its block or at a `break` or `continue` out of its loop; on the paths where the
//! pattern does not match (the call failed), there is none.

use super::events::arm_succeeded;
use super::syntax::{is_just, payload_binding};
use super::*;
use crate::catalog::MethodRole;
use crate::parse::ident_name;

impl<'a, 'ast> Walker<'a, 'ast> {
    /// The call whose value `expr` is, looking through `?`, `.await`, unwraps, defaults
    /// (`unwrap_or_else(|e| panic!(..))` gives the value whenever there is one), methods that
    /// keep it (`ok()`) and error adapters.
    fn value_call<'e>(&self, expr: &'e syn::Expr) -> &'e syn::Expr {
        let mut expr = strip(expr);
        loop {
            expr = match self.strip_error_adapters(expr) {
                syn::Expr::Try(t) => strip(&t.expr),
                syn::Expr::Await(a) => strip(&a.base),
                syn::Expr::MethodCall(m)
                    if self.method_is(
                        &m.method,
                        &[
                            MethodRole::Unwrap,
                            MethodRole::Default,
                            MethodRole::KeepsValue,
                        ],
                    ) =>
                {
                    strip(&m.receiver)
                }
                other => return other,
            };
        }
    }

    /// The local a call event of this level kept its value in, found by the span of `call`.
    fn bound_slot(&mut self, call: &syn::Expr) -> Option<&mut Option<String>> {
        let call_span = self.expr_span(call);
        self.events
            .current()
            .iter_mut()
            .rev()
            .find_map(|event| match event {
                Event::Call { span, bound_to, .. } if *span == call_span => Some(bound_to),
                _ => None,
            })
    }

    /// Keeps the value of the call `expr` is (see [`Self::value_call`]) in `name`, unless
    /// something keeps it already; whether it did.
    fn bind_unbound(&mut self, expr: &syn::Expr, name: &str) -> bool {
        let call = self.value_call(expr);
        match self.bound_slot(call) {
            Some(slot @ None) => {
                *slot = Some(name.to_owned());
                true
            }
            _ => false,
        }
    }

    /// Notes that the value of `init` (a call, through [`Self::value_call`]; a `match` one of
    /// whose arms hands on what its pattern took out; an `if` or `match` an arm of which gives
    /// a call's value) is kept in the local `name`: a guard bound this way lives until its
    /// scope ends.
    pub(super) fn mark_bound(&mut self, name: &str, init: &syn::Expr) {
        match strip(init) {
            syn::Expr::Match(m) => {
                if !self.bind_let_match(name, m) {
                    self.bind_branch_values(name, init, m.match_token.span);
                }
            }
            syn::Expr::If(i) => self.bind_branch_values(name, init, i.if_token.span),
            _ => {
                let call = self.value_call(init);
                if let Some(slot) = self.bound_slot(call) {
                    *slot = Some(name.to_owned());
                }
            }
        }
    }

    /// `let guard = if let Some(path) = path { Some(enter(path)?) } else { None }`: the call
    /// an arm's value is (itself or wrapped in `Some` or `Ok`) gives its value to `name` on
    /// that arm's path. `branch` is the `if` or `match` token: its branch is the last event
    /// of this level, as its walk left it.
    fn bind_branch_values(&mut self, name: &str, init: &syn::Expr, branch: proc_macro2::Span) {
        let mut values = Vec::new();
        branch_values(init, &mut values);
        let spans: Vec<_> = values
            .into_iter()
            .map(|value| self.expr_span(self.value_call(unwrapped(value))))
            .collect();
        let branch_span = self.span(branch);
        let Some(Event::Branch { span, arms, .. }) = self.events.current().last_mut() else {
            return;
        };
        if *span != branch_span {
            return;
        }
        for call_span in &spans {
            if let Some(slot @ None) = call_in_arms(arms, call_span) {
                *slot = Some(name.to_owned());
            }
        }
    }

    /// `let guard = match enter(..) { Ok(g) => g, Err(e) => return Err(e) }`: the arms that
    /// hand on their binding give the call's value to `name`; the others have none. The
    /// `match` is the last event of this level, as its walk left it.
    fn bind_let_match(&mut self, name: &str, m: &syn::ExprMatch) -> bool {
        let handing_on: Vec<usize> = (0..m.arms.len())
            .filter(|&i| {
                let arm = &m.arms[i];
                arm_succeeded(&m.expr, &arm.pat, &m.arms)
                    && payload_binding(&arm.pat).is_some_and(|b| is_just(&arm.body, &b))
            })
            .collect();
        let branch_span = self.span(m.match_token.span);
        let is_this_match = matches!(
            self.events.current().last(),
            Some(Event::Branch { span, .. }) if *span == branch_span
        );
        if handing_on.is_empty() || !is_this_match || !self.bind_unbound(&m.expr, name) {
            return false;
        }
        if let Some(Event::Branch { arms, .. }) = self.events.current().last_mut() {
            for (i, events) in arms.iter_mut().enumerate() {
                if !handing_on.contains(&i) {
                    events.insert(0, drop_of(name));
                }
            }
        }
        true
    }

    /// `match enter(..) { Ok(guard) => { .. } Err(e) => .. }`: the value of the scrutinee's
    /// call lives in the binding of the arm that matches it, to the arm's end; the other arms
    /// have none. An arm that only hands its binding on (`Ok(g) => g`) is the `let`'s to bind
    /// ([`Self::mark_bound`]).
    pub(super) fn bind_arm_payload(&mut self, m: &syn::ExprMatch, arms: &mut [Vec<Event>]) {
        let holders: Vec<(usize, String)> = m
            .arms
            .iter()
            .enumerate()
            .filter(|(_, arm)| arm_succeeded(&m.expr, &arm.pat, &m.arms))
            .filter_map(|(i, arm)| {
                let name = payload_binding(&arm.pat)?;
                (!is_just(&arm.body, &name)).then_some((i, name))
            })
            .collect();
        let Some((_, name)) = holders.first() else {
            return;
        };
        let name = name.clone();
        if holders.iter().any(|(_, other)| *other != name) || !self.bind_unbound(&m.expr, &name) {
            return;
        }
        for (i, events) in arms.iter_mut().enumerate() {
            if holders.iter().any(|(holder, _)| *holder == i) {
                events.push(Event::EndScope {
                    names: vec![name.clone()],
                });
            } else {
                events.insert(0, drop_of(&name));
            }
        }
    }

    /// `if let Ok(guard) = enter(..) { .. } else { .. }`: the call's value lives in the
    /// binding to the end of the `then` block; the `else` has none.
    pub(super) fn bind_if_let_payload(
        &mut self,
        expr: &syn::ExprIf,
        then_events: &mut Vec<Event>,
        else_events: &mut Vec<Event>,
    ) {
        let syn::Expr::Let(test) = &*expr.cond else {
            return;
        };
        let Some(name) = payload_binding(&test.pat) else {
            return;
        };
        let hands_on = matches!(
            expr.then_branch.stmts.as_slice(),
            [syn::Stmt::Expr(tail, None)] if is_just(tail, &name)
        );
        if hands_on
            || !arm_succeeded(&test.expr, &test.pat, &[])
            || !self.bind_unbound(&test.expr, &name)
        {
            return;
        }
        then_events.push(Event::EndScope {
            names: vec![name.clone()],
        });
        else_events.insert(0, drop_of(&name));
    }

    /// `let Ok(guard) = enter(..) else { .. };`: the call's value lives in the binding, which
    /// the enclosing block's end drops; the `else`, whose `failure` events are given, has
    /// none.
    pub(super) fn bind_let_else_payload(
        &mut self,
        pat: &syn::Pat,
        init: &syn::Expr,
        failure: &mut Vec<Event>,
    ) {
        if let Some(name) = payload_binding(pat)
            && self.bind_unbound(init, &name)
        {
            failure.insert(0, drop_of(&name));
        }
    }

    /// Notes that a loop (labelled `label`) starts, outside of which `outside` locals were
    /// declared.
    pub(super) fn enter_loop(&mut self, label: Option<&syn::Label>, outside: usize) {
        let label = label.map(|l| ident_name(&l.name.ident));
        self.loops.push((label, outside));
    }

    /// `break` or `continue` (to the loop labelled `label`, else the innermost): the locals
    /// declared inside that loop are dropped on the way out, as at the end of their blocks.
    pub(super) fn leave_loop(&mut self, label: Option<&syn::Lifetime>) {
        let target = match label {
            Some(label) => {
                let label = ident_name(&label.ident);
                self.loops
                    .iter()
                    .rev()
                    .find(|(l, _)| l.as_deref() == Some(label.as_str()))
            }
            None => self.loops.last(),
        };
        let Some(&(_, outside)) = target else {
            return;
        };
        let names: Vec<String> = self.locals[outside.min(self.locals.len())..]
            .iter()
            .map(|l| l.name.clone())
            .collect();
        if !names.is_empty() {
            self.events.emit(Event::EndScope { names });
        }
    }
}

/// The values the arms of an `if` or `match` give (each block's tail), into `out`.
fn branch_values<'e>(expr: &'e syn::Expr, out: &mut Vec<&'e syn::Expr>) {
    match strip(expr) {
        syn::Expr::If(i) => {
            block_value(&i.then_branch, out);
            if let Some((_, otherwise)) = &i.else_branch {
                branch_values(otherwise, out);
            }
        }
        syn::Expr::Match(m) => m.arms.iter().for_each(|arm| branch_values(&arm.body, out)),
        syn::Expr::Block(b) => block_value(&b.block, out),
        value => out.push(value),
    }
}

/// The value of a block: its tail, taken apart as [`branch_values`] does.
fn block_value<'e>(block: &'e syn::Block, out: &mut Vec<&'e syn::Expr>) {
    if let Some(syn::Stmt::Expr(tail, None)) = block.stmts.last() {
        branch_values(tail, out);
    }
}

/// What `Some(..)` or `Ok(..)` wraps, or the expression itself.
fn unwrapped(expr: &syn::Expr) -> &syn::Expr {
    match strip(expr) {
        syn::Expr::Call(c)
            if c.args.len() == 1
                && matches!(&*c.func, syn::Expr::Path(p)
                    if p.path.is_ident("Some") || p.path.is_ident("Ok")) =>
        {
            &c.args[0]
        }
        _ => expr,
    }
}

/// Where a call event (at `call`) inside the arms of a branch keeps its value, looking into
/// the branches nested in them.
fn call_in_arms<'e>(
    arms: &'e mut [Vec<Event>],
    call: &crate::diagnostic::Span,
) -> Option<&'e mut Option<String>> {
    arms.iter_mut().flatten().find_map(|event| match event {
        Event::Call { span, bound_to, .. } if span == call => Some(bound_to),
        Event::Branch { arms, .. } => call_in_arms(arms, call),
        _ => None,
    })
}

/// The event that ends the life of the value kept in `name` on a path.
fn drop_of(name: &str) -> Event {
    Event::Drop {
        name: name.to_owned(),
    }
}
