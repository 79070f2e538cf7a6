//! In-source suppressions, each with a reason:
//!
//! - `// nslint: allow(<lint>, ..) -- reason` on the offending line or the line above;
//! - `#[cfg_attr(nslint, allow(nslint::<lint>, reason = "..."))]` on an item, statement or
//!   module (`#![...]`), covering everything inside it.
//!
//! A suppression cannot lower a lint configured as `forbid`.

use crate::diagnostic::{Diagnostic, Origin};
use crate::registry::Level;
use crate::resolve::CrateTree;
use crate::source::{FileId, SourceFile};
use std::ops::Range;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::Visit;

/// One suppression: which lints, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow {
    /// The file it applies in.
    pub file: FileId,
    /// The byte range it covers.
    pub range: Range<usize>,
    /// Lint names, without the `nslint::` prefix.
    pub lints: Vec<String>,
    /// The reason given, if any.
    pub reason: Option<String>,
}

/// Collects the `// nslint: allow(..)` comments of a file.
pub fn comment_allows(id: FileId, file: &SourceFile) -> Vec<Allow> {
    let mut allows = Vec::new();
    for line in 1..=file.line_count() {
        let text = file.line_text(line);
        let Some(at) = text.find("// nslint: allow(") else {
            continue;
        };
        let rest = &text[at + "// nslint: allow(".len()..];
        let Some(close) = rest.find(')') else {
            continue;
        };
        let lints = rest[..close]
            .split(',')
            .map(|l| l.trim().trim_start_matches("nslint::").to_owned())
            .filter(|l| !l.is_empty())
            .collect();
        let reason = rest[close + 1..]
            .trim_start()
            .strip_prefix("--")
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        // The comment's own line, and the next line when the comment stands alone.
        let stands_alone = text[..at].trim().is_empty();
        let last_line = if stands_alone { line + 1 } else { line };
        let start = file.offset_of(line, 0);
        let end = file.offset_of(last_line, usize::MAX);
        allows.push(Allow {
            file: id,
            range: start..end,
            lints,
            reason,
        });
    }
    allows
}

/// Collects the `#[cfg_attr(nslint, allow(..))]` attributes of a crate's modules and items.
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
            collector.add(&module.attrs, range);
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
            if let Some((lints, reason)) = parse_allow_attribute(attr) {
                self.allows.push(Allow {
                    file: self.file,
                    range: range.clone(),
                    lints,
                    reason,
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
        if let Some(attrs) = item_attrs(item) {
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

/// Reads `cfg_attr(nslint, allow(nslint::a, nslint::b, reason = "..."))`.
fn parse_allow_attribute(attr: &syn::Attribute) -> Option<(Vec<String>, Option<String>)> {
    if !attr.path().is_ident("cfg_attr") {
        return None;
    }
    let metas = attr
        .parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
        .ok()?;
    let mut metas = metas.into_iter();
    let condition = metas.next()?;
    if !condition.path().is_ident("nslint") {
        return None;
    }
    let mut lints = Vec::new();
    let mut reason = None;
    for meta in metas {
        let syn::Meta::List(list) = meta else {
            continue;
        };
        if !list.path.is_ident("allow") && !list.path.is_ident("expect") {
            continue;
        }
        let inner = list
            .parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
            .ok()?;
        for item in inner {
            match item {
                syn::Meta::Path(p) => {
                    let segments: Vec<String> =
                        p.segments.iter().map(|s| s.ident.to_string()).collect();
                    if let [tool, lint] = segments.as_slice()
                        && tool == "nslint"
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
                        reason = Some(s.value());
                    }
                }
                _ => {}
            }
        }
    }
    (!lints.is_empty()).then_some((lints, reason))
}

/// Removes the diagnostics that a suppression covers (never those at `forbid`).
pub fn apply(diagnostics: &mut Vec<Diagnostic>, allows: &[Allow]) {
    diagnostics.retain(|d| {
        let (Origin::Lint(lint), Some(primary)) = (d.origin, &d.primary) else {
            return true;
        };
        if d.level == Level::Forbid {
            return true;
        }
        let start = primary.span.range.start;
        !allows.iter().any(|a| {
            a.file == primary.span.file
                && a.range.contains(&start)
                && a.lints.iter().any(|l| l == lint.name)
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn comments_cover_their_line_and_the_next_when_alone() {
        let text = "a();\n// nslint: allow(raw_namespace_switch) -- nsscope owns this\nb();\nc(); // nslint: allow(nslint::x, y)\nd();\n";
        let file = SourceFile::new(PathBuf::from("a.rs"), "a.rs".into(), text.into());
        let allows = comment_allows(FileId(0), &file);
        assert_eq!(allows.len(), 2);
        assert_eq!(allows[0].lints, ["raw_namespace_switch"]);
        assert_eq!(allows[0].reason.as_deref(), Some("nsscope owns this"));
        let b = text.find("b();").expect("b");
        let d = text.find("d();").expect("d");
        assert!(allows[0].range.contains(&b));
        assert_eq!(allows[1].lints, ["x", "y"]);
        assert_eq!(allows[1].reason, None);
        assert!(!allows[1].range.contains(&d));
    }

    #[test]
    fn cfg_attr_allows_are_parsed_with_their_reason() {
        let attr: syn::Attribute = syn::parse_quote!(
            #[cfg_attr(nslint, allow(nslint::raw_namespace_switch, reason = "owned thread"))]
        );
        let (lints, reason) = parse_allow_attribute(&attr).expect("an allow");
        assert_eq!(lints, ["raw_namespace_switch"]);
        assert_eq!(reason.as_deref(), Some("owned thread"));
        let other: syn::Attribute = syn::parse_quote!(#[cfg_attr(test, allow(dead_code))]);
        assert!(parse_allow_attribute(&other).is_none());
    }
}
