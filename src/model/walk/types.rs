//! A light, local type inference: enough to resolve method calls and recognise scopes.

use super::*;
use crate::parse::ident_name;

/// How many method calls or `?`s of a receiver chain the type inference follows.
const MAX_CHAIN: usize = 16;

impl<'a, 'ast> Walker<'a, 'ast> {
    /// Canonical paths of the types named in a return type (`io::Result<Guard>` → both).
    pub(super) fn return_types(&self, output: &syn::ReturnType) -> Vec<String> {
        let syn::ReturnType::Type(_, ty) = output else {
            return Vec::new();
        };
        let mut collector = TypePaths::default();
        collector.visit_type(ty);
        collector
            .paths
            .iter()
            .filter_map(|p| self.resolve_type(p))
            .collect()
    }

    /// Resolves a type path, with `Self` meaning the `impl` block's type.
    pub(super) fn resolve_type(&self, path: &syn::Path) -> Option<String> {
        self.resolve_type_prefix(path, path.segments.len())
    }

    /// [`Walker::resolve_type`] of the path of the first `len` segments of `path` (the type of
    /// `Kind::open`).
    fn resolve_type_prefix(&self, path: &syn::Path, len: usize) -> Option<String> {
        let mut segments = path.segments.iter().take(len);
        if segments.next().is_some_and(|s| s.ident == "Self") {
            let alone =
                len == 1 && path.leading_colon.is_none() && path.segments[0].arguments.is_none();
            if alone {
                return self.impl_type.clone();
            }
            let rest: Vec<String> = segments.map(|s| s.ident.to_string()).collect();
            return self
                .impl_type
                .as_ref()
                .map(|t| format!("{t}::{}", rest.join("::")));
        }
        self.resolver
            .resolve_prefix(self.module, &self.blocks, path, len)
    }

    /// The type a declaration names (`NetNs`, `&NetNs`, `&mut Worker`).
    pub(super) fn declared_type(&self, ty: &syn::Type) -> Option<TypeRef> {
        match ty {
            syn::Type::Path(p) if p.path.is_ident("Self") => {
                self.impl_type.clone().map(TypeRef::Named)
            }
            _ => super::pointee(
                self.resolver,
                self.aliases,
                self.catalog,
                self.module,
                ty,
                0,
            )
            .map(TypeRef::Named),
        }
    }

    /// The type of an expression, where a light local inference can tell: `self`, fields of
    /// `self`, annotated or constructed locals, constructor paths, function results, and
    /// builder chains (followed at most [`MAX_CHAIN`] calls deep, so a long chain costs linear
    /// time overall).
    pub(super) fn type_of(&self, expr: &syn::Expr) -> Option<TypeRef> {
        self.type_within(expr, 0)
    }

    fn type_within(&self, expr: &syn::Expr, depth: usize) -> Option<TypeRef> {
        if depth > MAX_CHAIN {
            return None;
        }
        match strip(expr) {
            syn::Expr::Path(p) if p.path.is_ident("self") => {
                self.impl_type.clone().map(TypeRef::Named)
            }
            syn::Expr::Path(p) => {
                if let Some(ident) = p.path.get_ident()
                    && let Some(local) = self.local(&ident_name(ident))
                {
                    return local.ty.clone();
                }
                // A `const` or `static` of a declared type (`namespace::MOUNT.open(pid)`).
                let canonical = self.resolve(&p.path)?;
                self.const_types
                    .get(&canonical)
                    .cloned()
                    .map(TypeRef::Named)
            }
            syn::Expr::Field(f) => {
                // `self.ns`, `ctx.ns`, `self.ctx.ns`: the declared type of the field.
                let TypeRef::Named(owner) = self.type_within(&f.base, depth + 1)? else {
                    return None;
                };
                let syn::Member::Named(field) = &f.member else {
                    return None;
                };
                self.fields
                    .get(&owner)?
                    .get(&ident_name(field))
                    .cloned()
                    .map(TypeRef::Named)
            }
            syn::Expr::Call(c) => {
                let syn::Expr::Path(callee) = &*c.func else {
                    return None;
                };
                // A function whose result type the catalogue knows (`[[builder]]` entries of a
                // module: `netns_rs::get_from_current_thread()` returns a `NetNs`).
                let resolved = self.resolve_callee(&c.func);
                if let Some((owner, function)) =
                    resolved.as_deref().and_then(|p| p.rsplit_once("::"))
                    && let Some(returns) = self.catalog.method_returns(owner, function)
                {
                    return Some(TypeRef::Named(returns.to_owned()));
                }
                let segments = callee.path.segments.len();
                if segments >= 2
                    && let Some(named) = self.resolve_type_prefix(&callee.path, segments - 1)
                {
                    return Some(TypeRef::Named(named));
                }
                resolved.map(TypeRef::ReturnOf)
            }
            syn::Expr::Struct(st) => self.resolve_type(&st.path).map(TypeRef::Named),
            syn::Expr::Try(t) => self.type_within(&t.expr, depth + 1),
            syn::Expr::MethodCall(m)
                if [
                    "unwrap",
                    "expect",
                    "context",
                    "with_context",
                    "map_err",
                    "wrap_err",
                ]
                .iter()
                .any(|name| m.method == name) =>
            {
                self.type_within(&m.receiver, depth + 1)
            }
            syn::Expr::MethodCall(m) => {
                let TypeRef::Named(ty) = self.type_within(&m.receiver, depth + 1)? else {
                    return None;
                };
                let method = m.method.to_string();
                match self.catalog.method_returns(&ty, &method) {
                    Some(returns) => Some(TypeRef::Named(returns.to_owned())),
                    // A method of a workspace type: what it returns is known once every crate
                    // is (`Kind::open(..)` returns a `Namespace`).
                    None => Some(TypeRef::ReturnOf(format!("{ty}::{method}"))),
                }
            }
            _ => None,
        }
    }
}

/// Collects the type paths in a type (`io::Result<Guard>` → `io::Result`, `Guard`).
#[derive(Default)]
pub(super) struct TypePaths {
    paths: Vec<syn::Path>,
}

impl<'ast> Visit<'ast> for TypePaths {
    fn visit_type_path(&mut self, ty: &'ast syn::TypePath) {
        let mut bare = ty.path.clone();
        for segment in &mut bare.segments {
            segment.arguments = syn::PathArguments::None;
        }
        self.paths.push(bare);
        visit::visit_type_path(self, ty);
    }
}
