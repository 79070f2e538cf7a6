//! Which namespace kinds a flags argument selects, understood through constants, `|`
//! combinations, bitflags methods, casts and simple local bindings.

use crate::catalog::{FlagCalls, FlagKind};
use std::collections::BTreeSet;

/// Constant folding is followed at most this deep (constants defined through constants).
const MAX_DEPTH: usize = 8;

/// The kinds a flags expression selects; `None` when it cannot be known statically.
pub type Kinds = Option<BTreeSet<FlagKind>>;

/// What flag evaluation needs to know about names.
pub trait FlagEnv {
    /// The kind a path names, when it is a flag constant of the catalogue.
    fn flag_kind(&self, path: &syn::Path) -> Option<FlagKind>;
    /// The initializer of a constant or local binding the path names.
    fn definition(&self, path: &syn::Path) -> Option<&syn::Expr>;
    /// How flags are followed through calls (the catalogue's `[flag_calls]`).
    fn flag_calls(&self) -> &FlagCalls;
}

/// Evaluates a flags expression to the kinds it selects.
pub fn kinds_of(expr: &syn::Expr, env: &dyn FlagEnv) -> Kinds {
    eval(expr, env, 0)
}

fn eval(expr: &syn::Expr, env: &dyn FlagEnv, depth: usize) -> Kinds {
    if depth > MAX_DEPTH {
        return None;
    }
    let recurse = |e: &syn::Expr| eval(e, env, depth + 1);
    match expr {
        syn::Expr::Path(p) => {
            if let Some(kind) = env.flag_kind(&p.path) {
                return Some(BTreeSet::from([kind]));
            }
            if p.path.is_ident("None") {
                return Some(BTreeSet::new());
            }
            env.definition(&p.path).and_then(recurse)
        }
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) if i.base10_parse::<u64>().ok() == Some(0) => Some(BTreeSet::new()),
        syn::Expr::Binary(b) if matches!(b.op, syn::BinOp::BitOr(_)) => {
            union(recurse(&b.left), recurse(&b.right))
        }
        syn::Expr::Paren(p) => recurse(&p.expr),
        syn::Expr::Group(g) => recurse(&g.expr),
        syn::Expr::Cast(c) => recurse(&c.expr),
        syn::Expr::Reference(r) => recurse(&r.expr),
        syn::Expr::Unsafe(u) => block_tail(&u.block).and_then(recurse),
        syn::Expr::Block(b) => block_tail(&b.block).and_then(recurse),
        syn::Expr::MethodCall(m) => {
            let calls = env.flag_calls();
            if is_among(&m.method, &calls.union_methods) {
                union(recurse(&m.receiver), m.args.first().and_then(recurse))
            } else if is_among(&m.method, &calls.same_methods) {
                recurse(&m.receiver)
            } else {
                None
            }
        }
        syn::Expr::Call(c) => {
            let syn::Expr::Path(callee) = &*c.func else {
                return None;
            };
            let name = &callee.path.segments.last()?.ident;
            let calls = env.flag_calls();
            if is_among(name, &calls.same_functions) {
                c.args.first().and_then(recurse)
            } else if is_among(name, &calls.empty_functions) {
                Some(BTreeSet::new())
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Whether `ident` is one of `names` (`[flag_calls]`).
fn is_among(ident: &syn::Ident, names: &[String]) -> bool {
    names.iter().any(|name| ident == name)
}

fn block_tail(block: &syn::Block) -> Option<&syn::Expr> {
    match block.stmts.last() {
        Some(syn::Stmt::Expr(e, None)) => Some(e),
        _ => None,
    }
}

fn union(a: Kinds, b: Kinds) -> Kinds {
    let mut a = a?;
    a.extend(b?);
    Some(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Env(crate::catalog::Catalog);

    impl FlagEnv for Env {
        fn flag_kind(&self, path: &syn::Path) -> Option<FlagKind> {
            match path.segments.last()?.ident.to_string().as_str() {
                "CLONE_NEWNET" => Some(FlagKind::Net),
                "CLONE_NEWNS" => Some(FlagKind::Mnt),
                "CLONE_NEWUSER" => Some(FlagKind::User),
                _ => None,
            }
        }
        fn definition(&self, _: &syn::Path) -> Option<&syn::Expr> {
            None
        }
        fn flag_calls(&self) -> &FlagCalls {
            &self.0.flag_calls
        }
    }

    fn kinds(src: &str) -> Kinds {
        let env = Env(crate::catalog::Catalog::builtin().expect("built-in catalogue parses"));
        kinds_of(&syn::parse_str(src).expect("expr"), &env)
    }

    #[test]
    fn combinations_casts_and_bitflags_methods_are_understood() {
        let both = Some(BTreeSet::from([FlagKind::Net, FlagKind::Mnt]));
        assert_eq!(kinds("libc::CLONE_NEWNET | libc::CLONE_NEWNS"), both);
        assert_eq!(kinds("(CLONE_NEWNET | CLONE_NEWNS) as i32"), both);
        assert_eq!(
            kinds("CloneFlags::CLONE_NEWNET.union(CloneFlags::CLONE_NEWNS)"),
            both
        );
        assert_eq!(
            kinds("CloneFlags::from_bits_truncate(libc::CLONE_NEWUSER)"),
            Some(BTreeSet::from([FlagKind::User]))
        );
        assert_eq!(kinds("0"), Some(BTreeSet::new()));
        assert_eq!(kinds("flags_from_config()"), None);
        assert_eq!(kinds("CLONE_NEWNET | mystery"), None);
    }
}
