//! Recording what a body does: switches, calls, exits, escapes, handles, and the discarded
//! results that `unchecked_namespace_switch` looks for.

use super::*;
use crate::catalog::MethodRole;
use crate::parse::ident_name;

impl<'a, 'ast> Walker<'a, 'ast> {
    /// Whether the method `name` has one of `roles` in the catalogue (`[[value_method]]`).
    pub(super) fn method_is<N: PartialEq<str> + ?Sized>(
        &self,
        name: &N,
        roles: &[MethodRole],
    ) -> bool {
        roles
            .iter()
            .any(|&role| self.catalog.method_has_role(name, role))
    }

    /// Whether a method is one of `Result`'s/`Option`'s combinators: it reshapes an error or
    /// turns a result into something easy to drop.
    pub(super) fn is_result_combinator<N: PartialEq<str> + ?Sized>(&self, name: &N) -> bool {
        self.method_is(
            name,
            &[MethodRole::ErrorAdapter, MethodRole::IgnoringAdapter],
        )
    }

    /// The call an error-handling chain is about (`f(..).map_err(..).context(..)` → `f(..)`).
    pub(super) fn strip_error_adapters<'e>(&self, expr: &'e syn::Expr) -> &'e syn::Expr {
        match strip(expr) {
            syn::Expr::MethodCall(m) if self.method_is(&m.method, &[MethodRole::ErrorAdapter]) => {
                self.strip_error_adapters(&m.receiver)
            }
            other => other,
        }
    }

    /// Marks the expression whose value a statement or `let _ =` throws away.
    pub(super) fn mark_discarded(&mut self, expr: &syn::Expr) {
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
            syn::Expr::MethodCall(m) if self.is_result_combinator(&m.method) => {
                // `.map_err(|e| { report(e); _exit(1) })`: the failure ends the thread's
                // work, so the result is not ignored.
                let handled = m.args.iter().any(
                    |arg| matches!(strip(arg), syn::Expr::Closure(c) if self.diverges(&c.body)),
                );
                if !handled {
                    self.mark_discarded(&m.receiver);
                }
            }
            _ => {}
        }
    }

    pub(super) fn mark_block_tail(&mut self, block: &syn::Block) {
        if let Some(syn::Stmt::Expr(tail, None)) = block.stmts.last() {
            self.mark_discarded(tail);
        }
    }

    pub(super) fn record_switch(&mut self, call: &'ast syn::ExprCall, switch: &Switch) {
        let args: Vec<&syn::Expr> = call.args.iter().collect();
        let span = self.span_between(ends::call_ends(call));
        let discarded = self.discarded.contains(&address(call));
        self.record_switch_call(&args, span, discarded, switch);
    }

    /// Records a method that is a raw switch (`ns.enter()?` of a namespace crate).
    pub(super) fn record_switch_method(
        &mut self,
        call: &'ast syn::ExprMethodCall,
        switch: &Switch,
    ) {
        let args: Vec<&syn::Expr> = call.args.iter().collect();
        let span = self.span_between(ends::method_call_ends(call));
        let discarded = self.discarded.contains(&address(call));
        self.record_switch_call(&args, span, discarded, switch);
    }

    fn record_switch_call(
        &mut self,
        args: &[&syn::Expr],
        span: crate::diagnostic::Span,
        discarded: bool,
        switch: &Switch,
    ) {
        let flags_arg = switch.flags_arg.and_then(|i| args.get(i).copied());
        let kinds = match &switch.kinds {
            Some(fixed) => Some(fixed.iter().copied().collect()),
            None => flags_arg.and_then(|arg| kinds_of(arg, self)),
        };
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
                let name = ident_name(p.path.get_ident()?);
                self.params.iter().position(|param| *param == name)
            }
            _ => None,
        });
        let (target, target_path) = match (switch.op, &switch.receiver) {
            (SwitchOp::Setns, None) => self.switch_target(args.first().copied()),
            _ => (SwitchTarget::Unknown, None),
        };
        self.events.emit(Event::Switch {
            op: switch.op,
            kinds: kinds.clone(),
            flags_param: flags_param.filter(|_| kinds.is_none()),
            span: span.clone(),
            checked: !(switch.checked_result && discarded),
            target,
            target_path,
        });
        if let Some(body) = self.current_body {
            self.facts.switches.push(SwitchCall {
                api: switch.path.clone(),
                op: switch.op,
                span,
                kinds,
                checked_result: switch.checked_result,
                discarded,
                body,
                fs_unshared_before,
                after_threads_started: self.threads_started,
            });
        }
    }

    pub(super) fn switch_for(&self, path: &str, call: &syn::ExprCall) -> Option<&'a Switch> {
        let catalog = self.catalog;
        catalog.find_switch(path, |s| match &s.syscall {
            None => true,
            Some(number) => match call.args.first() {
                Some(syn::Expr::Path(p)) => self.resolve(&p.path).as_deref() == Some(number),
                _ => false,
            },
        })
    }

    /// Records a call: a sensitive operation, an `exec`, or a call into code that may be the
    /// workspace's.
    pub(super) fn emit_call(
        &mut self,
        callee: Callee,
        span: crate::diagnostic::Span,
        arg_kinds: Vec<Option<BTreeSet<FlagKind>>>,
        arg_consts: Vec<Option<bool>>,
        handed_to: Option<ThreadContext>,
        discarded: bool,
    ) {
        let path = match &callee {
            Callee::Path(p) => Some(p.clone()),
            Callee::Method {
                receiver: TypeRef::Named(ty),
                method,
            } => Some(format!("{ty}::{method}")),
            Callee::Method { .. } | Callee::Dyn { .. } => None,
        };
        if let Some(path) = &path {
            let path = self.catalog_name(path);
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
            arg_consts,
            handed_to,
            discarded,
        });
    }

    /// The switch whose status a condition tests through a local (`ret` in `let ret =
    /// unsafe { libc::unshare(flags) }; if ret != 0 { .. }`), taken out of the events of this
    /// block so that it can be put on the success branch.
    pub(super) fn take_status_switch(&mut self, cond: &syn::Expr) -> Option<Event> {
        let operand = match strip(cond) {
            syn::Expr::Binary(b) => [&*b.left, &*b.right]
                .into_iter()
                .find(|e| matches!(strip(e), syn::Expr::Path(_)))?,
            syn::Expr::Let(l) => &*l.expr,
            tested => &*result_test(tested)?.0.receiver,
        };
        let syn::Expr::Path(p) = strip(operand) else {
            return None;
        };
        let name = ident_name(p.path.get_ident()?);
        let local = self.local(&name)?;
        let at = self.expr_span(strip(local.init?));
        let list = self.events.current();
        let index = list.iter().rposition(|e| {
            matches!(e, Event::Switch { span, .. }
                if span.file == at.file && span.range.start >= at.range.start && span.range.end <= at.range.end)
        })?;
        Some(list.remove(index))
    }

    /// Whether a call hands another thread nothing but a namespace-bound handle made before
    /// (`tokio::spawn(connection)` after `let (connection, handle, _) = new_connection()?`).
    pub(super) fn drives_handle(&self, path: &str, call: &syn::ExprCall) -> bool {
        if self.catalog.escape_what(path).is_none() || call.args.len() != 1 {
            return false;
        }
        let Some(syn::Expr::Path(p)) = call.args.first().map(strip) else {
            return false;
        };
        let Some(ident) = p.path.get_ident() else {
            return false;
        };
        self.local(&ident_name(ident))
            .is_some_and(|l| l.handle.is_some())
    }

    /// Records a path in value position that may name one of the crate's functions or tables
    /// of them (`.map(parse_line)`, `for case in CASES`): where the value goes, they may run.
    /// `canonical` is what the path resolves to (nothing for a local).
    pub(super) fn note_reference(&mut self, expr: &syn::ExprPath, canonical: Option<&str>) {
        let Some(canonical) = canonical else {
            return;
        };
        // Only the crate's own items: a table or callback of another crate is rare, and every
        // path resolved to one would be an event.
        let own = self.resolver.tree().name.as_str();
        if canonical.split("::").next() != Some(own) {
            return;
        }
        let span = self.span_between(ends::expr_ends_of_path(expr));
        self.events.emit(Event::Reference {
            callee: Callee::Path(canonical.to_owned()),
            span,
        });
    }

    /// The way out of a branch that hands a switch's failure back as the function's value.
    pub(super) fn failure_return(&self, at: &dyn Spanned) -> Event {
        Event::Exit {
            kind: ExitKind::Return { is_err: true },
            span: self.span(at.span()),
            diverges: true,
        }
    }

    /// Notes that the body has started a thread or runtime (once).
    pub(super) fn threads_start(&mut self) {
        if !self.threads_started {
            self.threads_started = true;
            self.events.emit(Event::ThreadsStarted);
        }
    }

    /// The kinds each argument selects, for helpers that pass flags on to a switch; empty
    /// when no argument is a flags expression.
    pub(super) fn arg_kinds<'e>(
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
    /// switch it goes before the switch (a failed switch switches nothing); on a call just
    /// recorded it is attached to the call, whose effect decides whether it leaves a region.
    pub(super) fn conditional_exit(
        &mut self,
        kind: ExitKind,
        span: crate::diagnostic::Span,
        operand: &syn::Expr,
    ) {
        let operand_span = self.expr_span(self.strip_error_adapters(operand));
        let list = self.events.current();
        let exit = Event::Exit {
            kind,
            span,
            diverges: false,
        };
        match list.last_mut() {
            Some(Event::Switch { span: at, .. }) if *at == operand_span => {
                // The switch failed, so it switched nothing: the exit is taken in the state
                // before it, and leaves whatever region was open then. Placed before the
                // switch, it spans the switch up to the `?` (an `unwrap` call already does),
                // which tells it apart from an exit in the code before the switch.
                let Event::Exit { kind, span, .. } = exit else {
                    return;
                };
                // The exit and its operand are one expression, in one file.
                let span = crate::diagnostic::Span {
                    range: at.range.start..span.range.end.max(at.range.end),
                    ..span
                };
                let switch = list.pop();
                list.push(Event::Exit {
                    kind,
                    span,
                    diverges: false,
                });
                list.extend(switch);
            }
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
    pub(super) fn is_exec_method(&self, method: &str) -> bool {
        let blocks: Vec<&Scope> = self.blocks.iter().collect();
        self.catalog
            .exec_methods()
            .any(|(m, t)| m == method && self.resolver.trait_in_scope(self.module, &blocks, t))
    }

    /// `panic!`-family macros leave on every path; assertions on some.
    pub(super) fn panic_exit(&mut self, name: &str, mac: &syn::Macro) {
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
            span: self.span(mac.path.span()),
            diverges,
        });
    }

    /// Records work handed to another thread.
    pub(super) fn emit_escape(&mut self, what: &str, span: crate::diagnostic::Span) {
        self.events.emit(Event::Escape {
            what: what.to_owned(),
            span,
        });
    }

    /// Whether a method call hands work to another thread (an outer runtime's handle, a
    /// thread pool, a parallel iterator).
    pub(super) fn method_escape(&self, call: &syn::ExprMethodCall) -> Option<&'a str> {
        let method = ident_name(&call.method);
        // Typed only for an escape of that name: most method calls have none.
        let receiver = LazyCell::new(|| match self.type_of(&call.receiver) {
            Some(TypeRef::Named(ty)) => Some(ty),
            _ => None,
        });
        let catalog = self.catalog;
        catalog
            .escapes
            .iter()
            .filter(|e| e.method.as_deref() == Some(method.as_str()))
            .find(|e| match (&e.receiver, &e.trait_path) {
                (Some(r), _) => receiver.as_deref() == Some(r.as_str()),
                (None, Some(t)) => {
                    let blocks: Vec<&Scope> = self.blocks.iter().collect();
                    self.resolver.trait_in_scope(self.module, &blocks, t)
                }
                (None, None) => false,
            })
            .map(|e| e.what.as_str())
    }

    /// `TcpStream::connect("db.local:5432")`: the runtime resolves the name on its blocking
    /// pool.
    pub(super) fn host_name_escape(&self, path: &str, call: &syn::ExprCall) -> Option<String> {
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

    /// What handle `init` creates, if it is a handle constructor's result (through `?`,
    /// `unwrap`, `expect`, `.await`).
    pub(super) fn handle_constructed_by(&self, init: &syn::Expr) -> Option<String> {
        match self.strip_error_adapters(init) {
            syn::Expr::Try(t) => self.handle_constructed_by(&t.expr),
            syn::Expr::Await(a) => self.handle_constructed_by(&a.base),
            syn::Expr::MethodCall(m) if self.method_is(&m.method, &[MethodRole::Unwrap]) => {
                self.handle_constructed_by(&m.receiver)
            }
            syn::Expr::Call(c) => {
                let path = self.resolve_callee(&c.func)?;
                self.catalog
                    .handle_constructor(self.catalog_name(&path))
                    .map(str::to_owned)
            }
            _ => None,
        }
    }

    /// A use, inside a scope, of a handle bound outside it: reported once per handle.
    pub(super) fn note_outer_handle(&mut self, floor: usize, name: &str, expr: &syn::ExprPath) {
        let Some(index) = self.locals.iter().rposition(|l| l.name == name) else {
            return;
        };
        if index >= floor {
            return;
        }
        let Some((what, binding)) = self.locals[index].handle.clone() else {
            return;
        };
        let span = self.span(expr.span());
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
}

/// The arguments that are `true` or `false` literals; empty when none is.
pub(super) fn arg_consts<'e>(args: impl Iterator<Item = &'e syn::Expr>) -> Vec<Option<bool>> {
    let consts: Vec<Option<bool>> = args
        .map(|arg| match strip(arg) {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Bool(b),
                ..
            }) => Some(b.value),
            _ => None,
        })
        .collect();
    if consts.iter().all(Option::is_none) {
        Vec::new()
    } else {
        consts
    }
}

/// For a condition that checks a switch's result, whether the `then` branch is the success
/// path: a C status compared with a literal (`setns(..) != 0`, `== -1`, `< 0`), or
/// `if let Err(..) = switch(..)` / `if let Ok(..) = ..`, also through `.err()` / `.ok()`
/// (`if let Some(e) = switch(..).err()`), or `switch(..).is_err()` / `.is_ok()`.
pub(super) fn checked_status(cond: &syn::Expr) -> Option<bool> {
    if let Some((_, success_is_then)) = result_test(cond) {
        return Some(success_is_then);
    }
    if let syn::Expr::Let(l) = strip(cond) {
        return match (&*l.pat, some_is_success(&l.expr)) {
            (syn::Pat::TupleStruct(t), None) if t.path.is_ident("Ok") => Some(true),
            (pat, None) if is_err_pattern(pat) => Some(false),
            // An `Option`'s one tuple pattern is `Some(..)`.
            (syn::Pat::TupleStruct(_), Some(success)) => Some(success),
            _ => None,
        };
    }
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
pub(super) fn take_switch(
    events: &mut Vec<Event>,
    within: &crate::diagnostic::Span,
) -> Option<Event> {
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

/// A test of a result by method (`res.is_err()`, `!switch(..).is_ok()`): the call, and
/// whether the `then` branch is the success path.
fn result_test(cond: &syn::Expr) -> Option<(&syn::ExprMethodCall, bool)> {
    match strip(cond) {
        // The one unary operator a `bool` takes is `!`.
        syn::Expr::Unary(u) => {
            result_test(&u.expr).map(|(call, success_is_then)| (call, !success_is_then))
        }
        syn::Expr::MethodCall(m) if m.method == "is_ok" || m.method == "is_err" => {
            Some((m, m.method == "is_ok"))
        }
        _ => None,
    }
}

/// For a switch's result turned into an `Option` (`setns(..).ok()`, `.err()`), whether its
/// `Some(..)` is the success.
fn some_is_success(expr: &syn::Expr) -> Option<bool> {
    match strip(expr) {
        syn::Expr::MethodCall(m) if m.method == "ok" || m.method == "err" => Some(m.method == "ok"),
        _ => None,
    }
}

/// For a `match` on a switch's result, whether the arm with pattern `pat` runs after the
/// switch succeeded: any arm but `Err(..)` on a `Result`; `Some(..)` of `.ok()`, and what is
/// not `Some(..)` of `.err()`; on a C status, `0`, or a catch-all beside a non-zero literal.
pub(super) fn arm_succeeded(scrutinee: &syn::Expr, pat: &syn::Pat, arms: &[syn::Arm]) -> bool {
    if let Some(some_succeeds) = some_is_success(scrutinee) {
        // An `Option`'s one tuple pattern is `Some(..)`.
        return matches!(pat, syn::Pat::TupleStruct(_)) == some_succeeds;
    }
    if arms.iter().any(|arm| int_pattern(&arm.pat).is_some()) {
        return match int_pattern(pat) {
            Some(status) => status == 0,
            // A catch-all takes the values the literals do not: success unless one is `0`.
            None => !arms.iter().any(|arm| int_pattern(&arm.pat) == Some(0)),
        };
    }
    !is_err_pattern(pat)
}

/// Whether a match arm's pattern is the failure case (`Err(..)`).
fn is_err_pattern(pat: &syn::Pat) -> bool {
    match pat {
        syn::Pat::TupleStruct(t) => t.path.is_ident("Err"),
        syn::Pat::Or(o) => o.cases.iter().all(is_err_pattern),
        _ => false,
    }
}
