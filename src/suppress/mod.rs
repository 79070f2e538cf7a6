//! In-source suppressions and level changes, each suppression with a reason:
//!
//! - `// nslint: allow(<lint>, ..) -- reason` on the offending line or the line above (also
//!   `expect(..)`, which is reported when it no longer fires);
//! - `// nslint: allow-file(<lint>, ..) -- reason` anywhere in a file, for the whole file;
//! - `#[cfg_attr(nslint, allow(nslint::<lint>, reason = "..."))]` on the crate (`#![...]`), a
//!   module, an item or a statement, covering everything inside it; `expect`, `warn`, `deny`
//!   and `forbid` work the same way, the last three setting the level instead.
//!
//! The innermost directive covering a finding decides. Nothing lowers a lint configured as
//! `forbid`. Suppressions that silence nothing are reported as `nslint::unused_suppression`,
//! suppressions without a reason as `nslint::suppression_without_reason`.

use serde::{Deserialize, Serialize};
mod comments;

/// The word every directive spells: comment directives (`// nslint: ..`), the `cfg_attr`
/// condition and the lints' tool prefix (`nslint::`). A text that does not contain it holds
/// no directive.
pub const DIRECTIVE_WORD: &str = "nslint";

use crate::diagnostic::{Diagnostic, Label, Origin, Span};
use crate::registry::{self, Level, SUPPRESSION_WITHOUT_REASON, UNUSED_SUPPRESSION};
use crate::resolve::CrateTree;
use crate::source::{FileId, SourceFile};
use std::collections::BTreeSet;
use std::ops::Range;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::Visit;

/// What a directive does to the lints it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Silence them.
    Allow,
    /// Silence them, and report when there is nothing to silence.
    Expect,
    /// Report them at this level (`warn`, `deny`, `forbid`).
    Set(Level),
}

/// How a directive was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Form {
    /// `// nslint: allow(..)`.
    LineComment,
    /// `// nslint: allow-file(..)`.
    FileComment,
    /// `#[cfg_attr(nslint, ..)]`.
    Attribute,
}

/// One directive: which lints, what to do with them, where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allow {
    /// The file it applies in.
    pub file: FileId,
    /// The byte range it covers.
    pub range: Range<usize>,
    /// Lint names, without the `nslint::` prefix.
    pub lints: Vec<String>,
    /// The reason given, if any.
    pub reason: Option<String>,
    /// What it does.
    pub action: Action,
    /// How it was written.
    pub form: Form,
    /// Where the comment or attribute itself is.
    pub origin: Span,
}

/// A diagnostic a suppression silenced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    /// The finding.
    pub diagnostic: Diagnostic,
    /// The suppression's reason.
    pub reason: Option<String>,
    /// Where the suppression is.
    pub by: Span,
}

/// What applying the directives produced besides changing the findings.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The findings that were silenced.
    pub suppressed: Vec<Suppressed>,
    /// `unused_suppression` and `suppression_without_reason` findings, at default level.
    pub problems: Vec<Diagnostic>,
}

/// Collects the `// nslint:` comments of a file.
pub fn comment_allows(id: FileId, file: &SourceFile) -> Vec<Allow> {
    let mut allows = Vec::new();
    for directive in comments::directives(&file.text) {
        let pos = file.position(directive.range.start);
        let (range, action, form) = match directive.verb.as_str() {
            "allow-file" => (0..file.text.len(), Action::Allow, Form::FileComment),
            verb => {
                let line_start = file.offset_of(pos.line, 0);
                let stands_alone = file.text[line_start..directive.range.start]
                    .trim()
                    .is_empty();
                let last = if stands_alone {
                    next_code_line(file, pos.line)
                } else {
                    pos.line
                };
                let action = if verb == "expect" {
                    Action::Expect
                } else {
                    Action::Allow
                };
                let end = file.offset_of(last, usize::MAX);
                (line_start..end, action, Form::LineComment)
            }
        };
        allows.push(Allow {
            file: id,
            range,
            lints: directive.lints,
            reason: directive.reason,
            action,
            form,
            origin: Span::new(id, directive.range),
        });
    }
    allows
}

/// The first line after `line` that holds code (not blank, not only a comment).
fn next_code_line(file: &SourceFile, line: usize) -> usize {
    let mut next = line + 1;
    while next <= file.line_count() {
        let text = file.line_text(next).trim();
        if !text.is_empty() && !text.starts_with("//") {
            break;
        }
        next += 1;
    }
    next
}

/// Collects the `#[cfg_attr(nslint, ..)]` attributes of a crate's modules and items.
pub fn attribute_allows(tree: &CrateTree) -> Vec<Allow> {
    let mut collector = AttributeCollector {
        file: FileId(0),
        allows: Vec::new(),
    };
    for id in tree.ids() {
        let module = tree.module(id);
        collector.file = module.file;
        if let (Some(first), Some(last)) = (module.items.first(), module.items.last()) {
            let range = first.span().byte_range().start..last.span().byte_range().end;
            collector.add(&module.attrs, range.clone());
            // The directives of enclosing modules written in other files cover this one too,
            // as the outermost (a range wider than any inside the file).
            let mut parent = module.parent;
            while let Some(outer) = parent.map(|p| tree.module(p)) {
                if outer.file != module.file {
                    let origin_file = outer.file;
                    let before = collector.allows.len();
                    collector.add(&outer.attrs, 0..usize::MAX);
                    for allow in &mut collector.allows[before..] {
                        allow.origin.file = origin_file;
                    }
                }
                parent = outer.parent;
            }
        }
        for item in &module.items {
            collector.visit_item(item);
        }
    }
    collector.allows
}

struct AttributeCollector {
    file: FileId,
    allows: Vec<Allow>,
}

impl AttributeCollector {
    fn add(&mut self, attrs: &[syn::Attribute], range: Range<usize>) {
        for attr in attrs {
            for (action, lints, reason) in parse_attribute(attr) {
                self.allows.push(Allow {
                    file: self.file,
                    range: range.clone(),
                    lints,
                    reason,
                    action,
                    form: Form::Attribute,
                    origin: Span::new(self.file, attr.span().byte_range()),
                });
            }
        }
    }

    fn add_node(&mut self, attrs: &[syn::Attribute], node: &dyn Spanned) {
        if !attrs.is_empty() {
            let range = node.span().byte_range();
            self.add(attrs, range);
        }
    }
}

impl<'ast> Visit<'ast> for AttributeCollector {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        // A module's attributes are collected with the module, which may live in another file.
        if !matches!(item, syn::Item::Mod(_))
            && let Some(attrs) = item_attrs(item)
        {
            self.add_node(attrs, item);
        }
        syn::visit::visit_item(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.add_node(&item.attrs, item);
        syn::visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        self.add_node(&item.attrs, item);
        syn::visit::visit_trait_item_fn(self, item);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        self.add_node(&local.attrs, local);
        syn::visit::visit_local(self, local);
    }

    fn visit_stmt_macro(&mut self, mac: &'ast syn::StmtMacro) {
        self.add_node(&mac.attrs, mac);
    }

    fn visit_expr(&mut self, expr: &'ast syn::Expr) {
        let attrs = match expr {
            syn::Expr::Call(e) => &e.attrs,
            syn::Expr::MethodCall(e) => &e.attrs,
            syn::Expr::Unsafe(e) => &e.attrs,
            syn::Expr::Block(e) => &e.attrs,
            syn::Expr::Closure(e) => &e.attrs,
            syn::Expr::Async(e) => &e.attrs,
            syn::Expr::Macro(e) => &e.attrs,
            syn::Expr::Match(e) => &e.attrs,
            syn::Expr::If(e) => &e.attrs,
            syn::Expr::Lit(e) => &e.attrs,
            syn::Expr::Try(e) => &e.attrs,
            syn::Expr::Await(e) => &e.attrs,
            syn::Expr::Let(e) => &e.attrs,
            _ => return syn::visit::visit_expr(self, expr),
        };
        self.add_node(attrs, expr);
        syn::visit::visit_expr(self, expr);
    }
}

fn item_attrs(item: &syn::Item) -> Option<&Vec<syn::Attribute>> {
    Some(match item {
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => return None,
    })
}

type ParsedAttribute = (Action, Vec<String>, Option<String>);

/// Reads `cfg_attr(nslint, allow(nslint::a, nslint::b, reason = "..."), deny(..))`.
fn parse_attribute(attr: &syn::Attribute) -> Vec<ParsedAttribute> {
    let mut out = Vec::new();
    if !attr.path().is_ident("cfg_attr") {
        return out;
    }
    let Ok(metas) = attr.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
    else {
        return out;
    };
    let mut metas = metas.into_iter();
    if !metas
        .next()
        .is_some_and(|c| c.path().is_ident(DIRECTIVE_WORD))
    {
        return out;
    }
    for meta in metas {
        let syn::Meta::List(list) = meta else {
            continue;
        };
        let Some(ident) = list.path.get_ident() else {
            continue;
        };
        let action = match ident.to_string().as_str() {
            "allow" => Action::Allow,
            "expect" => Action::Expect,
            "warn" => Action::Set(Level::Warn),
            "deny" => Action::Set(Level::Deny),
            "forbid" => Action::Set(Level::Forbid),
            _ => continue,
        };
        let Ok(inner) =
            list.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        let mut lints = Vec::new();
        let mut reason = None;
        for item in inner {
            match item {
                syn::Meta::Path(p) => {
                    let segments: Vec<String> =
                        p.segments.iter().map(|s| s.ident.to_string()).collect();
                    if let [tool, lint] = segments.as_slice()
                        && tool == DIRECTIVE_WORD
                    {
                        lints.push(lint.clone());
                    }
                }
                syn::Meta::NameValue(nv) if nv.path.is_ident("reason") => {
                    if let syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) = &nv.value
                    {
                        reason = Some(s.value()).filter(|r| !r.trim().is_empty());
                    }
                }
                _ => {}
            }
        }
        if !lints.is_empty() {
            out.push((action, lints, reason));
        }
    }
    out
}

/// Applies the directives to the findings: silences, re-levels, and reports the directives
/// that silence nothing or give no reason. Findings at `forbid`, from the configuration or a
/// `forbid(..)` around them, are never lowered (as rustc's `forbid`). Findings
/// still at `allow` level are matched (so a lint turned off in configuration does not make
/// its suppressions "unused") but not listed as suppressed.
pub fn apply(diagnostics: &mut Vec<Diagnostic>, allows: &[Allow]) -> Outcome {
    let mut outcome = Outcome::default();
    let mut used: BTreeSet<(FileId, usize, usize, &str)> = BTreeSet::new();
    let mut kept = Vec::with_capacity(diagnostics.len());
    for mut d in std::mem::take(diagnostics) {
        let (Origin::Lint(lint), Some(primary)) = (d.origin, &d.primary) else {
            kept.push(d);
            continue;
        };
        let start = primary.span.range.start;
        let covering = allows.iter().enumerate().filter(|(_, a)| {
            a.file == primary.span.file
                && (a.range.contains(&start) || a.range.start == start)
                && a.lints.iter().any(|l| l == lint.name)
        });
        if let Some((_, forbid)) = covering
            .clone()
            .find(|(_, a)| a.action == Action::Set(Level::Forbid))
        {
            used.insert(origin_key(forbid, lint.name));
            d.level = Level::Forbid;
            kept.push(d);
            continue;
        }
        let decisive = covering
            .min_by_key(|(i, a)| (a.range.len(), std::cmp::Reverse(*i)))
            .map(|(_, a)| a);
        let Some(allow) = decisive else {
            kept.push(d);
            continue;
        };
        used.insert(origin_key(allow, lint.name));
        match allow.action {
            _ if d.level == Level::Forbid => kept.push(d),
            Action::Set(level) => {
                d.level = level;
                kept.push(d);
            }
            Action::Allow | Action::Expect => {
                if d.level != Level::Allow {
                    outcome.suppressed.push(Suppressed {
                        diagnostic: d,
                        reason: allow.reason.clone(),
                        by: allow.origin.clone(),
                    });
                }
            }
        }
    }
    *diagnostics = kept;
    let mut reported = BTreeSet::new();
    for allow in allows {
        if !reported.insert((
            allow.origin.file,
            allow.origin.range.start,
            allow.origin.range.end,
        )) {
            continue;
        }
        check_directive(allow, allows, &used, &mut outcome.problems);
    }
    outcome
}

fn origin_key<'a>(allow: &Allow, lint: &'a str) -> (FileId, usize, usize, &'a str) {
    (
        allow.origin.file,
        allow.origin.range.start,
        allow.origin.range.end,
        lint,
    )
}

/// Reports unknown lints, silencing directives that silenced nothing, and missing reasons.
fn check_directive(
    allow: &Allow,
    all: &[Allow],
    used: &BTreeSet<(FileId, usize, usize, &str)>,
    out: &mut Vec<Diagnostic>,
) {
    let silences = matches!(allow.action, Action::Allow | Action::Expect);
    let label = |message: &str| Label {
        span: allow.origin.clone(),
        message: message.to_owned(),
    };
    for name in &allow.lints {
        let Some(lint) = registry::find(name) else {
            out.push(
                Diagnostic::lint(
                    &UNUSED_SUPPRESSION,
                    format!("unknown lint `nslint::{name}` in a suppression"),
                    label("names no lint, so it suppresses nothing"),
                )
                .with_help("`cargo nslint --list` shows the lint names"),
            );
            continue;
        };
        // Attributes of a module written in another file appear once per place; any use counts.
        let was_used = all
            .iter()
            .filter(|a| a.origin == allow.origin)
            .any(|a| used.contains(&origin_key(a, lint.name)));
        if silences && !was_used {
            let (message, what) = match allow.action {
                Action::Expect => (
                    format!(
                        "this `expect(nslint::{})` is unfulfilled: the lint finds nothing here",
                        lint.name
                    ),
                    "expected a finding",
                ),
                _ => (
                    format!(
                        "unused suppression: `nslint::{}` finds nothing here",
                        lint.name
                    ),
                    "suppresses nothing",
                ),
            };
            out.push(
                Diagnostic::lint(&UNUSED_SUPPRESSION, message, label(what))
                    .with_help("remove it, or move it to the code it is about"),
            );
        }
    }
    if silences && allow.reason.is_none() {
        let help = match allow.form {
            Form::Attribute => "add `reason = \"...\"` saying why the hazard does not apply here",
            Form::LineComment | Form::FileComment => {
                "add `-- <reason>` after it saying why the hazard does not apply here"
            }
        };
        out.push(
            Diagnostic::lint(
                &SUPPRESSION_WITHOUT_REASON,
                "suppression without a reason",
                label("gives no reason"),
            )
            .with_help(help),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::RAW_NAMESPACE_SWITCH;
    use std::path::PathBuf;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(PathBuf::from("a.rs"), "a.rs".into(), text)
    }

    #[test]
    fn comments_cover_their_line_and_the_next_code_line_when_alone() {
        let text = "a();\n// nslint: allow(raw_namespace_switch) -- nsscope owns this\n// SAFETY: x\nb();\nc(); // nslint: allow(nslint::x, y)\nd();\n";
        let allows = comment_allows(FileId(0), &file(text));
        assert_eq!(allows.len(), 2);
        assert_eq!(allows[0].lints, ["raw_namespace_switch"]);
        assert_eq!(allows[0].reason.as_deref(), Some("nsscope owns this"));
        let b = text.find("b();").expect("b");
        let d = text.find("d();").expect("d");
        assert!(allows[0].range.contains(&b));
        let c = text.find("c();").expect("c");
        assert!(!allows[0].range.contains(&c), "only the next code line");
        assert_eq!(allows[1].lints, ["x", "y"]);
        assert_eq!(allows[1].reason, None);
        assert!(!allows[1].range.contains(&d));
    }

    #[test]
    fn cfg_attr_directives_are_parsed_with_their_reason() {
        let attr: syn::Attribute = syn::parse_quote!(
            #[cfg_attr(nslint, allow(nslint::raw_namespace_switch, reason = "owned thread"), deny(nslint::x))]
        );
        let parsed = parse_attribute(&attr);
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].0, Action::Allow);
        assert_eq!(parsed[0].1, ["raw_namespace_switch"]);
        assert_eq!(parsed[0].2.as_deref(), Some("owned thread"));
        assert_eq!(parsed[1].0, Action::Set(Level::Deny));
        let other: syn::Attribute = syn::parse_quote!(#[cfg_attr(test, allow(dead_code))]);
        assert!(parse_attribute(&other).is_empty());
        // Only `reason` gives one; a blank one is none.
        let attr: syn::Attribute = syn::parse_quote!(
            #[cfg_attr(nslint, allow(nslint::a, note = "not a reason"), expect(nslint::b, reason = " "))]
        );
        let reasons: Vec<_> = parse_attribute(&attr).into_iter().map(|p| p.2).collect();
        assert_eq!(reasons, [None, None]);
    }

    /// The attribute directives of a file's items, each with the text it covers.
    fn attribute_directives(text: &str) -> Vec<(Action, Vec<String>, String)> {
        let file: syn::File = syn::parse_str(text).expect("parses");
        let mut collector = AttributeCollector {
            file: FileId(0),
            allows: Vec::new(),
        };
        for item in &file.items {
            collector.visit_item(item);
        }
        collector
            .allows
            .into_iter()
            .map(|a| (a.action, a.lints, text[a.range].to_owned()))
            .collect()
    }

    #[test]
    fn an_attribute_on_a_statement_covers_that_statement() {
        let text = r#"fn f() {
    #[cfg_attr(nslint, expect(nslint::a, reason = "r"))]
    enter(fd);
    #[cfg_attr(nslint, allow(nslint::b, reason = "r"))]
    log!("entered");
    leave(fd);
}"#;
        let found = attribute_directives(text);
        // Each covers its attribute and its statement, nothing after it.
        let covered: Vec<_> = found
            .iter()
            .map(|(_, _, t)| t.rsplit_once(")]").map_or("", |(_, s)| s.trim()))
            .map(|s| s.trim_end_matches(';'))
            .collect();
        assert_eq!(covered, ["enter(fd)", r#"log!("entered")"#]);
        assert_eq!(found[0].0, Action::Expect);
        assert_eq!(found[0].1, ["a"]);
        assert_eq!(found[1].0, Action::Allow);
    }

    /// The code each directive of `text` covers, after its attribute.
    fn covered_code(text: &str) -> Vec<String> {
        attribute_directives(text)
            .iter()
            .map(|(_, _, t)| t.rsplit_once(")]").map_or("", |(_, s)| s.trim()).to_owned())
            .collect()
    }

    #[test]
    fn an_attribute_covers_every_kind_of_expression_statement_it_may_stand_on() {
        let attr = r#"#[cfg_attr(nslint, allow(nslint::a, reason = "r"))]"#;
        let statements = [
            "enter(fd);",
            "ns.enter();",
            "unsafe { setns(fd, 0) };",
            "{ enter(fd) };",
            "move || enter(fd);",
            "async { enter(fd) };",
            "match fd { _ => enter(fd) };",
            "if fd > 0 { enter(fd) };",
            "0;",
            "enter(fd)?;",
            "task.await;",
            "let guard = enter(fd);",
        ];
        let body: Vec<String> = statements.iter().map(|s| format!("{attr} {s}")).collect();
        let text = format!("async fn f() {{\n{}\nleave(fd);\n}}", body.join("\n"));
        let covered = covered_code(&text);
        let mut expected: Vec<&str> = statements.iter().map(|s| s.trim_end_matches(';')).collect();
        // A `let` statement's span takes in its semicolon.
        if let Some(local) = expected.last_mut() {
            *local = "let guard = enter(fd);";
        }
        assert_eq!(covered, expected);
        // A macro in expression position: the block's value.
        let text = format!("fn f() -> u8 {{ {attr} enter!(fd) }}");
        assert_eq!(covered_code(&text), ["enter!(fd)"]);
        // A `let` in a condition carries attributes of its own.
        let text = format!("fn f() {{ if {attr} let Some(fd) = open() {{ enter(fd) }} }}");
        assert_eq!(covered_code(&text), ["let Some(fd) = open()"]);
    }

    /// A module's attributes are read with the module, which may live in another file.
    #[test]
    fn an_attribute_covers_every_kind_of_item_it_may_stand_on() {
        let attr = r#"#[cfg_attr(nslint, allow(nslint::a, reason = "r"))]"#;
        let items = [
            "fn a() {}",
            "impl S {}",
            "const C: u8 = 0;",
            "static S: u8 = 0;",
            "struct S;",
            "enum E {}",
            "trait T {}",
            r#"extern "C" {}"#,
            "m! {}",
            "use a::b;",
        ];
        let text: Vec<String> = items.iter().map(|i| format!("{attr} {i}")).collect();
        assert_eq!(covered_code(&text.join("\n")), items);
        // Methods, in an `impl` and with a default body in a trait.
        let text = format!("impl S {{ {attr} fn a() {{}} }}\ntrait T {{ {attr} fn b() {{}} }}");
        assert_eq!(covered_code(&text), ["fn a() {}", "fn b() {}"]);
    }

    #[test]
    fn unused_and_reasonless_suppressions_are_reported() {
        let text = "x(); // nslint: allow(raw_namespace_switch)\ny(); // nslint: expect(raw_namespace_switch) -- r\n";
        let src = file(text);
        let allows = comment_allows(FileId(0), &src);
        let at = text.find("x()").expect("x");
        let mut findings = vec![Diagnostic::lint(
            &RAW_NAMESPACE_SWITCH,
            "m",
            Label {
                span: Span::new(FileId(0), at..at + 3),
                message: String::new(),
            },
        )];
        let outcome = apply(&mut findings, &allows);
        assert!(findings.is_empty());
        assert_eq!(outcome.suppressed.len(), 1);
        let names: Vec<_> = outcome
            .problems
            .iter()
            .map(|p| p.lint_ref().map(|l| l.name))
            .collect();
        assert_eq!(
            names,
            [
                Some("suppression_without_reason"),
                Some("unused_suppression")
            ]
        );
        // The unfulfilled `expect` says so; an unused `allow` says it is unused.
        assert!(
            outcome.problems[1]
                .message
                .contains("`expect(nslint::raw_namespace_switch)` is unfulfilled"),
            "{}",
            outcome.problems[1].message
        );
        assert_eq!(allows[0].action, Action::Allow);
        assert_eq!(allows[1].action, Action::Expect);
    }

    /// A finding the configuration forbids stays, at `forbid`, under any directive.
    #[test]
    fn a_forbidden_finding_is_neither_silenced_nor_relevelled() {
        let text = "x(); // nslint: allow(raw_namespace_switch) -- r
";
        let allows = comment_allows(FileId(0), &file(text));
        let mut findings = vec![Diagnostic::lint(
            &RAW_NAMESPACE_SWITCH,
            "m",
            Label {
                span: Span::new(FileId(0), 0..3),
                message: String::new(),
            },
        )];
        findings[0].level = Level::Forbid;
        let outcome = apply(&mut findings, &allows);
        assert!(outcome.suppressed.is_empty());
        let levels: Vec<Level> = findings.iter().map(|d| d.level).collect();
        assert_eq!(levels, [Level::Forbid]);
    }
}
