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

    /// Where the call event for the call `expr` is (see [`Self::value_call`]) among this
    /// level's events, found by its span.
    fn call_at(&mut self, expr: &syn::Expr) -> Option<usize> {
        let call_span = self.expr_span(self.value_call(expr));
        self.events
            .current()
            .iter()
            .rposition(|event| matches!(event, Event::Call { span, .. } if *span == call_span))
    }

    /// [`Self::call_at`], when nothing keeps the call's value yet.
    fn unbound_call_at(&mut self, expr: &syn::Expr) -> Option<usize> {
        let at = self.call_at(expr)?;
        matches!(
            self.events.current()[at],
            Event::Call { bound_to: None, .. }
        )
        .then_some(at)
    }

    /// Keeps the value of the call event at `at` of this level in the local `name`.
    fn bind_call(&mut self, at: usize, name: &str) {
        if let Some(Event::Call { bound_to, .. }) = self.events.current().get_mut(at) {
            *bound_to = Some(name.to_owned());
        }
    }

    /// The arms of the branch made by the `if` or `match` whose token is at `token`, when it is
    /// the last event of this level, as its walk left it.
    fn last_branch(&mut self, token: &Span) -> Option<&mut Vec<Vec<Event>>> {
        match self.events.current().last_mut() {
            Some(Event::Branch { span, arms, .. }) if span == token => Some(arms),
            _ => None,
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
                if let Some(at) = self.call_at(init) {
                    self.bind_call(at, name);
                }
            }
        }
    }

    /// `let guard = if let Some(path) = path { Some(enter(path)?) } else { None }`: the call
    /// an arm's value is (itself or wrapped in `Some` or `Ok`) gives its value to `name` on
    /// that arm's path. `token` is the `if` or `match` token.
    fn bind_branch_values(&mut self, name: &str, init: &syn::Expr, token: proc_macro2::Span) {
        let mut values = Vec::new();
        branch_values(init, &mut values);
        let spans: Vec<_> = values
            .into_iter()
            .map(|value| self.expr_span(self.value_call(unwrapped(value))))
            .collect();
        let token = self.span(token);
        let Some(arms) = self.last_branch(&token) else {
            return;
        };
        for call_span in &spans {
            if let Some(slot @ None) = call_in_arms(arms, call_span) {
                *slot = Some(name.to_owned());
            }
        }
    }

    /// `let guard = match enter(..) { Ok(g) => g, Err(e) => return Err(e) }`: the arms that
    /// hand on their binding give the call's value to `name`; the others have none.
    fn bind_let_match(&mut self, name: &str, m: &syn::ExprMatch) -> bool {
        let handing_on: Vec<usize> = (0..m.arms.len())
            .filter(|&i| {
                let arm = &m.arms[i];
                arm_succeeded(&m.expr, &arm.pat, &m.arms)
                    && payload_binding(&arm.pat).is_some_and(|b| is_just(&arm.body, &b))
            })
            .collect();
        let token = self.span(m.match_token.span);
        if handing_on.is_empty() || self.last_branch(&token).is_none() {
            return false;
        }
        let Some(at) = self.unbound_call_at(&m.expr) else {
            return false;
        };
        self.bind_call(at, name);
        if let Some(arms) = self.last_branch(&token) {
            let arms = arms.iter_mut().enumerate();
            keep_in_arms(arms.map(|(i, a)| (a, handing_on.contains(&i))), name, false);
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
        if holders.iter().any(|(_, other)| other != name) {
            return;
        }
        let Some(at) = self.unbound_call_at(&m.expr) else {
            return;
        };
        self.bind_call(at, name);
        let holds = |i: usize| holders.iter().any(|(holder, _)| *holder == i);
        keep_in_arms(
            arms.iter_mut().enumerate().map(|(i, a)| (a, holds(i))),
            name,
            true,
        );
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
        if hands_on || !arm_succeeded(&test.expr, &test.pat, &[]) {
            return;
        }
        let Some(at) = self.unbound_call_at(&test.expr) else {
            return;
        };
        self.bind_call(at, &name);
        keep_in_arms([(then_events, true), (else_events, false)], &name, true);
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
        let Some(name) = payload_binding(pat) else {
            return;
        };
        if let Some(at) = self.unbound_call_at(init) {
            self.bind_call(at, &name);
            keep_in_arms([(failure, false)], &name, false);
        }
    }

    /// Walks the body of a loop (labelled `label`), outside of which `outside` locals were
    /// declared: what a `break` or `continue` in it leaves ([`Self::leave_loop`]).
    pub(super) fn visit_loop_body(
        &mut self,
        label: Option<&syn::Label>,
        outside: usize,
        body: &'ast syn::Block,
    ) {
        let label = label.map(|l| ident_name(&l.name.ident));
        self.loops.push((label, outside));
        self.visit_block(body);
        self.loops.pop();
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
fn call_in_arms<'e>(arms: &'e mut [Vec<Event>], call: &Span) -> Option<&'e mut Option<String>> {
    arms.iter_mut().flatten().find_map(|event| match event {
        Event::Call { span, bound_to, .. } if span == call => Some(bound_to),
        Event::Branch { arms, .. } => call_in_arms(arms, call),
        _ => None,
    })
}

/// Marks where the value kept in `name` lives on each arm of a branch, given with whether it
/// holds the value: on an arm that does, to the arm's end when `to_arm_end` (the arm's
/// binding keeps it; else the binding outlives the branch); on the others, nowhere.
fn keep_in_arms<'v>(
    arms: impl IntoIterator<Item = (&'v mut Vec<Event>, bool)>,
    name: &str,
    to_arm_end: bool,
) {
    for (events, holds) in arms {
        if !holds {
            events.insert(
                0,
                Event::Drop {
                    name: name.to_owned(),
                },
            );
        } else if to_arm_end {
            events.push(Event::EndScope {
                names: vec![name.to_owned()],
            });
        }
    }
}
