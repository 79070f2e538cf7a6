//! Paths as values: which string a call is given as a path (a literal, a `format!` template, a
//! `const`, a local, a function that returns a literal), where it is used (as an argument or
//! the receiver of a call, not in a comparison, an allow-list or an existence probe), and what
//! the namespace file of a `setns` is.

use super::*;
use crate::parse::ident_name;

use crate::catalog::MethodRole;

impl<'a, 'ast> Walker<'a, 'ast> {
    /// The file behind a `setns` argument: through the methods that give the same file or
    /// descriptor (`.as_fd()`, `.borrow()`), `.unwrap()` and `?`.
    fn file_of_fd<'e>(&self, fd: &'e syn::Expr) -> &'e syn::Expr {
        let mut expr = strip(fd);
        loop {
            expr = match expr {
                syn::Expr::MethodCall(m)
                    if self.method_is(&m.method, &[MethodRole::SameFile, MethodRole::Unwrap]) =>
                {
                    strip(&m.receiver)
                }
                syn::Expr::Try(t) => strip(&t.expr),
                _ => return expr,
            };
        }
    }

    /// The path a value is, if it is a constant string: a literal, a `format!` template (its
    /// `{}` named after what fills it when that is the thread's or the process's id), a
    /// `const`, a local bound to one, or a crate function that returns a literal; with the
    /// span of where the string is written.
    pub(super) fn path_value(&self, expr: &syn::Expr) -> Option<(String, crate::diagnostic::Span)> {
        self.path_value_within(expr, 0)
    }

    fn path_value_within(
        &self,
        expr: &syn::Expr,
        depth: usize,
    ) -> Option<(String, crate::diagnostic::Span)> {
        if depth > 8 {
            return None;
        }
        let next = |e: &syn::Expr| self.path_value_within(e, depth + 1);
        match strip(expr) {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some((s.value(), self.span(s.span()))),
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::CStr(c),
                ..
            }) => Some((
                c.value().to_string_lossy().into_owned(),
                self.span(c.span()),
            )),
            syn::Expr::Macro(m) if m.mac.path.is_ident("format") => {
                let mut tokens = m.mac.tokens.clone().into_iter();
                let literal: syn::LitStr = syn::parse2(tokens.next()?.into()).ok()?;
                // Which id fills the template matters: the calling thread's, or the process's.
                let rest: String = tokens
                    .map(|t| t.to_string())
                    .collect::<String>()
                    .split_whitespace()
                    .collect();
                let id = if rest.contains("gettid") {
                    "{tid}"
                } else if rest.contains("getpid") || rest.contains("process::id") {
                    "{pid}"
                } else {
                    "{?}"
                };
                Some((
                    literal.value().replacen("{}", id, 1),
                    self.span(literal.span()),
                ))
            }
            syn::Expr::MethodCall(m) if self.method_is(&m.method, &[MethodRole::Conversion]) => {
                next(&m.receiver)
            }
            // `configured.unwrap_or("/proc/self/ns/net")`: the default is a value it takes.
            syn::Expr::MethodCall(m) if self.method_is(&m.method, &[MethodRole::Default]) => {
                next(&m.receiver).or_else(|| match strip(m.args.first()?) {
                    syn::Expr::Closure(c) => next(&c.body),
                    default => next(default),
                })
            }
            syn::Expr::Try(t) => next(&t.expr),
            syn::Expr::Call(c) => {
                let path = self.resolve_callee(&c.func)?;
                if self.catalog.builds_path(&path) && c.args.len() == 1 {
                    return next(&c.args[0]);
                }
                self.string_values.get(&path).cloned()
            }
            syn::Expr::Path(p) => {
                if let Some(ident) = p.path.get_ident()
                    && let Some(local) = self.local(&ident_name(ident))
                {
                    return next(local.init?);
                }
                let canonical = self.resolve(&p.path)?;
                self.string_values.get(&canonical).cloned()
            }
            _ => None,
        }
    }

    /// The path an argument is, reported where it is used: at the literal when it is written
    /// there, else at the argument (a `const`, a local, a function's result).
    fn path_used(&self, arg: &syn::Expr) -> Option<(String, crate::diagnostic::Span)> {
        let (value, written) = self.path_value(arg)?;
        let at = self.expr_span(arg);
        let inside = written.file == at.file
            && written.range.start >= at.range.start
            && written.range.end <= at.range.end;
        Some((value, if inside { written } else { at }))
    }

    /// [`Walker::path_used`], for absolute paths only (not an error message beside them).
    fn absolute_path_used(&self, arg: &syn::Expr) -> Option<(String, crate::diagnostic::Span)> {
        self.path_used(arg)
            .filter(|(value, _)| value.starts_with('/'))
    }

    /// Records the paths a call uses (its arguments, and for a method its receiver), unless
    /// it only compares or probes them: a process-wide namespace path is a fact and an event,
    /// a path whose contents follow the thread's namespace is a sensitive operation.
    pub(super) fn note_path_uses<'e>(
        &mut self,
        method: Option<&str>,
        receiver: Option<&'e syn::Expr>,
        args: impl Iterator<Item = &'e syn::Expr>,
        escapes: bool,
    ) {
        if method.is_some_and(|m| {
            self.method_is(m, &[MethodRole::Probe, MethodRole::Conversion])
                || self.is_result_combinator(m)
        }) {
            return;
        }
        let values: Vec<(String, crate::diagnostic::Span)> = receiver
            .into_iter()
            .chain(args)
            .filter_map(|e| self.path_used(e))
            .collect();
        for (value, span) in values {
            if escapes && self.catalog.calling_thread_part(&value).is_some() {
                self.facts.pool_thread_paths.push(PathUse {
                    span: span.clone(),
                    value: value.clone(),
                    body: self.current_body,
                });
            }
            if let Some(what) = self.catalog.sensitive_path(&value) {
                self.events.emit(Event::Sensitive {
                    what: what.to_owned(),
                    span: span.clone(),
                });
            }
            if self.catalog.is_process_wide_path(&value) {
                self.events.emit(Event::ProcessWidePath {
                    span: span.clone(),
                    value: value.clone(),
                    joined_by: None,
                });
                self.facts.path_uses.push(PathUse {
                    span,
                    value,
                    body: self.current_body,
                });
            }
        }
    }

    /// Where the namespace file a `setns` joins comes from: a local opened from a path
    /// (`File::open("/proc/thread-self/ns/net")`, `format!("/run/netns/{name}")`), or a crate
    /// function that returns such a file, followed through `&`, `.as_fd()`, `.as_raw_fd()`
    /// and `?`; with the path's value and span when it is one.
    pub(super) fn switch_target(
        &self,
        fd: Option<&syn::Expr>,
    ) -> (SwitchTarget, Option<(crate::diagnostic::Span, String)>) {
        let unknown = (SwitchTarget::Unknown, None);
        let Some(fd) = fd else {
            return unknown;
        };
        let expr = self.file_of_fd(fd);
        // `self.origin`: the file a constructor of this type stored in that field.
        if let syn::Expr::Field(f) = expr
            && let syn::Member::Named(field) = &f.member
            && matches!(strip(&f.base), syn::Expr::Path(p) if p.path.is_ident("self"))
            && let Some(ty) = &self.impl_type
        {
            return match self.field_paths.get(&(ty.clone(), ident_name(field))) {
                Some((value, span)) => {
                    let target = classify_namespace_path(self.catalog, value);
                    let used = (target == SwitchTarget::ProcessWide)
                        .then(|| (span.clone(), value.clone()));
                    (target, used)
                }
                None => unknown,
            };
        }
        let init = match expr {
            syn::Expr::Path(p) => p
                .path
                .get_ident()
                .and_then(|i| self.local(&ident_name(i)))
                .and_then(|l| l.init),
            other => Some(other),
        };
        let Some(init) = init else {
            return unknown;
        };
        if let Some((path, span)) = self.opened_path(init) {
            let target = classify_namespace_path(self.catalog, &path);
            let used = (target == SwitchTarget::ProcessWide).then_some((span, path));
            return (target, used);
        }
        if self.opened_from_parameter(init) {
            // A namespace the caller names (`/run/netns/<name>`): joining it enters.
            return (SwitchTarget::Elsewhere, None);
        }
        // A helper that returns the file (`let me = Self::current()?`).
        let mut call = strip(init);
        while let syn::Expr::Try(t) = call {
            call = strip(&t.expr);
        }
        match call {
            syn::Expr::Call(c) => (
                self.resolve_callee(&c.func)
                    .and_then(|path| self.ns_files.get(&path).copied())
                    .unwrap_or(SwitchTarget::Unknown),
                None,
            ),
            _ => unknown,
        }
    }

    /// The index of the parameter a function passes to `setns` as the namespace to join
    /// (`fn join_netns(fd: impl AsFd) { setns(fd.as_fd(), ..) }`), if it does.
    pub(super) fn joined_parameter(
        &self,
        inputs: &syn::punctuated::Punctuated<syn::FnArg, syn::Token![,]>,
        block: &syn::Block,
    ) -> Option<usize> {
        let params: Vec<Option<String>> = inputs
            .iter()
            .map(|input| match input {
                syn::FnArg::Typed(t) => binding_name(&t.pat),
                syn::FnArg::Receiver(_) => None,
            })
            .collect();
        let mut scan = JoinedParameter {
            walker: self,
            params: &params,
            found: None,
        };
        scan.visit_block(block);
        scan.found
    }

    /// The path a file is opened from (`File::open("/run/netns/a")`,
    /// `open(&format!("/proc/self/task/{}/ns/net", gettid()), ..)`): the first path value
    /// among the call's arguments, through `?` and methods that take no path (`unwrap`,
    /// error adapters of any name: `.wrap("open host netns")`).
    pub(super) fn opened_path(
        &self,
        expr: &syn::Expr,
    ) -> Option<(String, crate::diagnostic::Span)> {
        match strip(expr) {
            syn::Expr::Try(t) => self.opened_path(&t.expr),
            syn::Expr::MethodCall(m) => m
                .args
                .iter()
                .find_map(|a| self.absolute_path_used(a))
                .or_else(|| self.opened_path(&m.receiver)),
            syn::Expr::Call(c) => c.args.iter().find_map(|a| self.absolute_path_used(a)),
            _ => None,
        }
    }

    /// Whether a file is opened from a path the function was given (`File::open(netns_path)`).
    fn opened_from_parameter(&self, expr: &syn::Expr) -> bool {
        let call_args: Vec<&syn::Expr> = match self.strip_error_adapters(expr) {
            syn::Expr::Try(t) => return self.opened_from_parameter(&t.expr),
            syn::Expr::MethodCall(m) if self.method_is(&m.method, &[MethodRole::Unwrap]) => {
                return self.opened_from_parameter(&m.receiver);
            }
            syn::Expr::MethodCall(m) => m.args.iter().collect(),
            syn::Expr::Call(c) => c.args.iter().collect(),
            _ => return false,
        };
        call_args.into_iter().any(|arg| {
            let mut arg = strip(arg);
            while let syn::Expr::MethodCall(m) = arg
                && self.method_is(&m.method, &[MethodRole::Conversion])
            {
                arg = strip(&m.receiver);
            }
            matches!(arg, syn::Expr::Path(p) if p.path.get_ident().is_some_and(|i| {
                let name = ident_name(i);
                self.params.contains(&name)
                    && self.locals.iter().filter(|l| l.name == name).count() == 1
            }))
        })
    }

    /// What joining the namespace file a function body returns does: the file is opened from
    /// a path in the tail (through `Ok`, `?`, `.map(..)` and `.into()`), directly or through a
    /// local.
    pub(super) fn returned_namespace_file(&self, body: &syn::Block) -> Option<SwitchTarget> {
        let Some(syn::Stmt::Expr(tail, None)) = body.stmts.last() else {
            return None;
        };
        let mut expr = strip(tail);
        loop {
            expr = match expr {
                syn::Expr::Call(c)
                    if c.args.len() == 1
                        && matches!(&*c.func, syn::Expr::Path(p) if p.path.is_ident("Ok")) =>
                {
                    strip(&c.args[0])
                }
                syn::Expr::Try(t) => strip(&t.expr),
                syn::Expr::MethodCall(m)
                    if matches!(
                        m.method.to_string().as_str(),
                        "map" | "into" | "map_err" | "context" | "with_context"
                    ) =>
                {
                    strip(&m.receiver)
                }
                _ => break,
            };
        }
        let opened = match expr {
            syn::Expr::Path(p) => {
                let name = ident_name(p.path.get_ident()?);
                body.stmts.iter().rev().find_map(|stmt| match stmt {
                    syn::Stmt::Local(local)
                        if binding_name(&local.pat).as_deref() == Some(&name) =>
                    {
                        local.init.as_ref().and_then(|i| self.opened_path(&i.expr))
                    }
                    _ => None,
                })?
            }
            other => self.opened_path(other)?,
        };
        Some(classify_namespace_path(self.catalog, &opened.0))
    }

    /// The string literal an expression is, with its span (the value of a `const`, the tail
    /// of `fn ns_path() -> &'static str { "/proc/self/ns/net" }`).
    pub(super) fn literal_string(
        &self,
        expr: &syn::Expr,
    ) -> Option<(String, crate::diagnostic::Span)> {
        match strip(expr) {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some((s.value(), self.span(s.span()))),
            _ => None,
        }
    }
}

/// Finds, in a function body, the struct fields initialised with a file opened from a path
/// (`let origin = File::open("/proc/self/ns/net")?; Ok(Guard { origin })`).
pub(super) struct FieldPaths<'w, 'a, 'ast> {
    /// The walker (for names and spans).
    pub(super) walker: &'w Walker<'a, 'ast>,
    /// Locals bound to an opened file, with the path.
    pub(super) opened: Vec<(String, (String, crate::diagnostic::Span))>,
    /// (struct, field) → the path.
    pub(super) found: Vec<((String, String), (String, crate::diagnostic::Span))>,
    /// The type `Self` names, in an `impl` block.
    pub(super) self_type: Option<String>,
}

impl<'ast> Visit<'ast> for FieldPaths<'_, '_, 'ast> {
    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let (Some(name), Some(init)) = (binding_name(&local.pat), &local.init)
            && let Some(path) = self.walker.opened_path(&init.expr)
        {
            self.opened.push((name, path));
        }
        visit::visit_local(self, local);
    }

    fn visit_expr_struct(&mut self, expr: &'ast syn::ExprStruct) {
        let ty = if expr.path.is_ident("Self") {
            self.self_type.clone()
        } else {
            self.walker.resolve_type(&expr.path)
        };
        if let Some(ty) = ty {
            for field in &expr.fields {
                let syn::Member::Named(name) = &field.member else {
                    continue;
                };
                let path = match strip(&field.expr) {
                    syn::Expr::Path(p) => p.path.get_ident().and_then(|i| {
                        let local = ident_name(i);
                        self.opened
                            .iter()
                            .rev()
                            .find(|(n, _)| *n == local)
                            .map(|(_, path)| path.clone())
                    }),
                    other => self.walker.opened_path(other),
                };
                if let Some(path) = path {
                    self.found.push(((ty.clone(), ident_name(name)), path));
                }
            }
        }
        visit::visit_expr_struct(self, expr);
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {
        // Nested items are scanned as items of their own.
    }
}

/// Finds a `setns` call in a function body whose namespace is one of the function's
/// parameters.
struct JoinedParameter<'w, 'a, 'ast> {
    walker: &'w Walker<'a, 'ast>,
    /// The function's parameter names, by position (`None` for `self` and patterns).
    params: &'w [Option<String>],
    found: Option<usize>,
}

impl<'ast> Visit<'ast> for JoinedParameter<'_, '_, 'ast> {
    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        let joined = self
            .walker
            .resolve_callee(&call.func)
            .and_then(|path| self.walker.switch_for(&path, call))
            .filter(|switch| switch.op == SwitchOp::Setns && switch.receiver.is_none())
            .and_then(|_| match self.walker.file_of_fd(call.args.first()?) {
                syn::Expr::Path(p) => p.path.get_ident().map(ident_name),
                _ => None,
            })
            .and_then(|name| {
                self.params
                    .iter()
                    .position(|param| param.as_deref() == Some(&name))
            });
        self.found = self.found.or(joined);
        visit::visit_expr_call(self, call);
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {
        // Nested items are functions of their own.
    }
}

/// What joining the namespace a path names does to the calling thread.
pub(super) fn classify_namespace_path(catalog: &Catalog, path: &str) -> SwitchTarget {
    if catalog
        .calling_thread_part(path)
        .is_some_and(|part| part.starts_with("ns/"))
    {
        SwitchTarget::OwnThread
    } else if path.starts_with("/proc/self/ns/") || path.starts_with("/proc/{pid}/ns/") {
        SwitchTarget::ProcessWide
    } else if path.starts_with('/') && !path.contains("{?}") {
        SwitchTarget::Elsewhere
    } else {
        SwitchTarget::Unknown
    }
}
