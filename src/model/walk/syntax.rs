//! Small syntactic helpers shared by the walk.

use crate::parse::ident_name;

/// The single name a `let` pattern binds (`g`, `mut g`, `g: T`), if that is all it does.
pub(super) fn binding_name(pat: &syn::Pat) -> Option<String> {
    match pat {
        syn::Pat::Ident(i) if i.subpat.is_none() => Some(ident_name(&i.ident)),
        syn::Pat::Type(t) => binding_name(&t.pat),
        _ => None,
    }
}

/// The one name a pattern keeps the value it matches in, or the payload of its one-field
/// variant (`g`, `mut g`, `Ok(g)`, `Some(mut g)`), if that is all it binds.
pub(super) fn payload_binding(pat: &syn::Pat) -> Option<String> {
    match pat {
        syn::Pat::TupleStruct(t) if t.elems.len() == 1 => binding_name(&t.elems[0]),
        _ => binding_name(pat),
    }
}

/// Whether an expression is the local `name` alone (`g`, `{ g }`): it hands the value on.
pub(super) fn is_just(expr: &syn::Expr, name: &str) -> bool {
    match strip(expr) {
        syn::Expr::Path(p) => p.qself.is_none() && p.path.get_ident().is_some_and(|i| i == name),
        syn::Expr::Block(b) => matches!(
            b.block.stmts.as_slice(),
            [syn::Stmt::Expr(tail, None)] if is_just(tail, name)
        ),
        _ => false,
    }
}

/// Removes parentheses, groups, references and `unsafe`/plain blocks with a single tail.
pub(super) fn strip(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Paren(p) => strip(&p.expr),
        syn::Expr::Group(g) => strip(&g.expr),
        syn::Expr::Reference(r) => strip(&r.expr),
        syn::Expr::Unsafe(u) if u.block.stmts.len() == 1 => match &u.block.stmts[0] {
            syn::Stmt::Expr(e, None) => strip(e),
            _ => expr,
        },
        _ => expr,
    }
}

/// The value of an integer literal pattern (`0`, `-1`), if `pat` is one.
pub(super) fn int_pattern(pat: &syn::Pat) -> Option<i64> {
    match pat {
        syn::Pat::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.base10_parse::<i64>().ok(),
        _ => None,
    }
}

pub(super) fn collect_bindings(pat: &syn::Pat, out: &mut Vec<String>) {
    match pat {
        syn::Pat::Ident(i) => {
            out.push(ident_name(&i.ident));
            if let Some((_, sub)) = &i.subpat {
                collect_bindings(sub, out);
            }
        }
        syn::Pat::Tuple(t) => t.elems.iter().for_each(|p| collect_bindings(p, out)),
        syn::Pat::TupleStruct(t) => t.elems.iter().for_each(|p| collect_bindings(p, out)),
        syn::Pat::Struct(s) => s.fields.iter().for_each(|f| collect_bindings(&f.pat, out)),
        syn::Pat::Slice(s) => s.elems.iter().for_each(|p| collect_bindings(p, out)),
        syn::Pat::Reference(r) => collect_bindings(&r.pat, out),
        syn::Pat::Type(t) => collect_bindings(&t.pat, out),
        syn::Pat::Paren(p) => collect_bindings(&p.pat, out),
        syn::Pat::Or(o) => {
            if let Some(first) = o.cases.first() {
                collect_bindings(first, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{binding_name, collect_bindings, strip};
    use syn::parse::Parser;

    fn expr(text: &str) -> syn::Expr {
        syn::parse_str(text).expect("an expression")
    }

    fn pat(text: &str) -> syn::Pat {
        syn::Pat::parse_multi_with_leading_vert
            .parse_str(text)
            .expect("a pattern")
    }

    #[test]
    fn every_name_a_pattern_binds_is_collected() {
        for (text, names) in [
            ("Config { setns, flags: (mask) }", &["setns", "mask"][..]),
            ("&(fd, ref mut guard)", &["fd", "guard"]),
            ("Some(pod @ Pod { netns, .. })", &["pod", "netns"]),
            ("[first, rest @ ..]", &["first", "rest"]),
            ("Ok(ns) | Err(ns)", &["ns"]),
        ] {
            let mut found = Vec::new();
            collect_bindings(&pat(text), &mut found);
            assert_eq!(found, names, "{text}");
        }
    }

    #[test]
    fn a_single_binding_is_a_name_alone() {
        assert_eq!(binding_name(&pat("mut guard")).as_deref(), Some("guard"));
        assert_eq!(binding_name(&pat("guard @ Some(_)")), None);
        assert_eq!(binding_name(&pat("(a, b)")), None);
    }

    #[test]
    fn only_an_unsafe_block_of_a_single_tail_is_stripped() {
        assert!(matches!(
            strip(&expr("(unsafe { libc::_exit(0) })")),
            syn::Expr::Call(_)
        ));
        for text in [
            "unsafe {}",
            "unsafe { libc::_exit(0); }",
            "unsafe { if failed { report() } libc::_exit(1) }",
        ] {
            assert!(matches!(strip(&expr(text)), syn::Expr::Unsafe(_)), "{text}");
        }
    }
}
