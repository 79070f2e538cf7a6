//! The first and last tokens of common expressions, read off the syntax tree. syn's
//! `Spanned::span` prints an expression back into tokens to find them, which costs the size
//! of the expression: a call's span printed the whole closure it was given.

use proc_macro2::Span;
use syn::spanned::Spanned;

/// The spans of the first and last tokens of `expr`, the ends `Spanned::span` joins.
pub(super) fn expr_ends(expr: &syn::Expr) -> (Span, Span) {
    match (first(expr), last(expr)) {
        (Some(first), Some(last)) => (first, last),
        _ => {
            let whole = expr.span();
            (whole, whole)
        }
    }
}

/// [`expr_ends`] of a call.
pub(super) fn call_ends(call: &syn::ExprCall) -> (Span, Span) {
    ends_at_parens(
        &call.attrs,
        &call.func,
        call.paren_token.span.close(),
        || call.span(),
    )
}

/// [`expr_ends`] of a method call.
pub(super) fn method_call_ends(call: &syn::ExprMethodCall) -> (Span, Span) {
    ends_at_parens(
        &call.attrs,
        &call.receiver,
        call.paren_token.span.close(),
        || call.span(),
    )
}

/// [`expr_ends`] of a path expression.
pub(super) fn expr_ends_of_path(expr: &syn::ExprPath) -> (Span, Span) {
    match (path_first(&expr.path), path_last(&expr.path)) {
        (Some(first), Some(last)) if expr.attrs.is_empty() && expr.qself.is_none() => (first, last),
        _ => {
            let whole = expr.span();
            (whole, whole)
        }
    }
}

/// The ends of a call-like expression: from `head`'s first token to the closing parenthesis,
/// or `whole` both ways when the first token is not read here.
fn ends_at_parens(
    attrs: &[syn::Attribute],
    head: &syn::Expr,
    close: Span,
    whole: impl FnOnce() -> Span,
) -> (Span, Span) {
    match first(head).filter(|_| attrs.is_empty()) {
        Some(first) => (first, close),
        None => {
            let whole = whole();
            (whole, whole)
        }
    }
}

/// The first token's span, for the kinds of expression read here (`None` for the others, and
/// for any with attributes, which come first).
fn first(expr: &syn::Expr) -> Option<Span> {
    use syn::Expr;
    match expr {
        Expr::Call(e) if e.attrs.is_empty() => first(&e.func),
        Expr::MethodCall(e) if e.attrs.is_empty() => first(&e.receiver),
        Expr::Field(e) if e.attrs.is_empty() => first(&e.base),
        Expr::Try(e) if e.attrs.is_empty() => first(&e.expr),
        Expr::Await(e) if e.attrs.is_empty() => first(&e.base),
        Expr::Index(e) if e.attrs.is_empty() => first(&e.expr),
        Expr::Path(e) if e.attrs.is_empty() && e.qself.is_none() => path_first(&e.path),
        Expr::Macro(e) if e.attrs.is_empty() => path_first(&e.mac.path),
        Expr::Lit(e) if e.attrs.is_empty() => Some(e.lit.span()),
        Expr::Paren(e) if e.attrs.is_empty() => Some(e.paren_token.span.open()),
        Expr::Reference(e) if e.attrs.is_empty() => Some(e.and_token.span),
        Expr::Binary(e) if e.attrs.is_empty() => first(&e.left),
        Expr::Group(e) if e.attrs.is_empty() => first(&e.expr),
        Expr::Unsafe(e) if e.attrs.is_empty() => Some(e.unsafe_token.span),
        Expr::Unary(e) if e.attrs.is_empty() => Some(match e.op {
            syn::UnOp::Deref(token) => token.span,
            syn::UnOp::Not(token) => token.span,
            syn::UnOp::Neg(token) => token.span,
            _ => return None,
        }),
        _ => None,
    }
}

/// The last token's span (a bracket group counts as one token), as [`first`] reads them.
fn last(expr: &syn::Expr) -> Option<Span> {
    use syn::Expr;
    match expr {
        Expr::Call(e) if e.attrs.is_empty() => Some(e.paren_token.span.close()),
        Expr::MethodCall(e) if e.attrs.is_empty() => Some(e.paren_token.span.close()),
        Expr::Field(e) if e.attrs.is_empty() => Some(match &e.member {
            syn::Member::Named(name) => name.span(),
            syn::Member::Unnamed(index) => index.span,
        }),
        Expr::Try(e) if e.attrs.is_empty() => Some(e.question_token.span),
        Expr::Await(e) if e.attrs.is_empty() => Some(e.await_token.span),
        Expr::Index(e) if e.attrs.is_empty() => Some(e.bracket_token.span.close()),
        Expr::Path(e) if e.attrs.is_empty() && e.qself.is_none() => path_last(&e.path),
        Expr::Macro(e) if e.attrs.is_empty() => Some(match &e.mac.delimiter {
            syn::MacroDelimiter::Paren(group) => group.span.close(),
            syn::MacroDelimiter::Brace(group) => group.span.close(),
            syn::MacroDelimiter::Bracket(group) => group.span.close(),
        }),
        Expr::Lit(e) if e.attrs.is_empty() => Some(e.lit.span()),
        Expr::Paren(e) if e.attrs.is_empty() => Some(e.paren_token.span.close()),
        Expr::Reference(e) if e.attrs.is_empty() => last(&e.expr),
        Expr::Binary(e) if e.attrs.is_empty() => last(&e.right),
        Expr::Group(e) if e.attrs.is_empty() => last(&e.expr),
        Expr::Unsafe(e) if e.attrs.is_empty() => Some(e.block.brace_token.span.close()),
        Expr::Unary(e) if e.attrs.is_empty() => last(&e.expr),
        _ => None,
    }
}

fn path_first(path: &syn::Path) -> Option<Span> {
    match &path.leading_colon {
        Some(colons) => Some(colons.spans[0]),
        None => path.segments.first().map(|s| s.ident.span()),
    }
}

fn path_last(path: &syn::Path) -> Option<Span> {
    let segment = path.segments.last()?;
    match &segment.arguments {
        syn::PathArguments::None => Some(segment.ident.span()),
        syn::PathArguments::AngleBracketed(args) => Some(args.gt_token.span),
        syn::PathArguments::Parenthesized(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ends agree with `Spanned::span` on every kind read here, and on one that is not.
    #[test]
    fn ends_are_those_syn_joins() {
        let exprs = [
            "f(x, |y| { y + 1 })",
            "::std::thread::spawn(move || work())",
            "a.b.c(1)?.await.d[0]",
            "Vec::<u8>::new()",
            "&mut *handle.0",
            "!ready(\"name\")",
            "(-1)",
            "format!(\"{}\", x)",
            "ns.enter()?",
            "x as u8",
            "unsafe { f() } != 0",
            "0 != unsafe { f() }",
            // An attribute is the first token of what it is written on.
            "#[rustfmt::skip] !ready(\"name\")",
            "#[rustfmt::skip] -1",
            "#[rustfmt::skip] &handle",
            "#[rustfmt::skip] (x)",
            "#[rustfmt::skip] 7",
            "#[rustfmt::skip] format!(\"{}\", x)",
            "#[rustfmt::skip] handle",
            "#[rustfmt::skip] ns.enter()?",
            // A qualified path starts at its `<`, before the path's first segment.
            "<Vec<u8> as Default>::default()",
            "<Vec<u8> as Default>::default",
        ];
        for text in exprs {
            let expr: syn::Expr = syn::parse_str(text).expect("an expression");
            let whole = expr.span();
            let (first, last) = expr_ends(&expr);
            assert_eq!(first.start(), whole.start(), "{text}");
            assert_eq!(last.end(), whole.end(), "{text}");
        }
    }

    /// A comparison of a C status, `unsafe` blocks and the invisible group a macro puts around
    /// `$status` are read token by token: inside an expansion, the whole expression's span is
    /// no place in any file.
    #[test]
    fn status_checks_have_ends_of_their_own_in_expansions() {
        let group = |expr: syn::Expr| {
            syn::Expr::Group(syn::ExprGroup {
                attrs: Vec::new(),
                group_token: Default::default(),
                expr: Box::new(expr),
            })
        };
        for text in ["unsafe { f() } != 0", "0 != unsafe { f() }"] {
            let mut expr: syn::Expr = syn::parse_str(text).expect("an expression");
            if let syn::Expr::Binary(b) = &mut expr {
                *b.left = group((*b.left).clone());
                *b.right = group((*b.right).clone());
            }
            assert!(first(&expr).is_some(), "{text}");
            assert!(last(&expr).is_some(), "{text}");
        }
    }

    /// A path expression's ends are its own, also when qualified or under an attribute.
    #[test]
    fn path_ends_are_those_syn_joins() {
        for text in [
            "::std::thread::spawn",
            "Vec::<u8>::new",
            "<Vec<u8> as Default>::default",
            "#[rustfmt::skip] handle",
        ] {
            let expr: syn::Expr = syn::parse_str(text).expect("an expression");
            let syn::Expr::Path(path) = &expr else {
                panic!("{text} is not a path");
            };
            let whole = expr.span();
            let (first, last) = expr_ends_of_path(path);
            assert_eq!(first.start(), whole.start(), "{text}");
            assert_eq!(last.end(), whole.end(), "{text}");
        }
    }
}
