//! Expressions inside macro invocations.
//!
//! Macros are not expanded; their arguments are parsed the way most macros use them: as
//! comma-separated expressions (`format!`, `assert!`, `vec!`, `log::info!`), as statements
//! (block-like macros), or, for `tokio::select!`/`join!`-like syntax, split at top-level
//! `,`, `;` and `=>` with `pattern = expr` branches reduced to their expression.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::parse::Parser;
use syn::punctuated::Punctuated;

/// The expressions and statements found in a macro's tokens.
pub enum MacroBody {
    /// Comma-separated expressions.
    Exprs(Vec<syn::Expr>),
    /// A statement list.
    Stmts(Vec<syn::Stmt>),
}

/// Parses a macro's tokens into expressions or statements, best effort.
pub fn parse_macro_body(tokens: &TokenStream) -> MacroBody {
    let exprs = Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated.parse2(tokens.clone());
    if let Ok(exprs) = exprs {
        return MacroBody::Exprs(exprs.into_iter().collect());
    }
    if let Ok(stmts) = syn::Block::parse_within.parse2(tokens.clone()) {
        return MacroBody::Stmts(stmts);
    }
    MacroBody::Exprs(split_chunks(tokens))
}

/// Splits tokens at top-level separators and keeps every chunk that parses as an expression.
fn split_chunks(tokens: &TokenStream) -> Vec<syn::Expr> {
    let mut exprs = Vec::new();
    let mut chunk: Vec<TokenTree> = Vec::new();
    let mut trees = tokens.clone().into_iter().peekable();
    while let Some(tree) = trees.next() {
        let separator = match &tree {
            TokenTree::Punct(p) if p.as_char() == ',' || p.as_char() == ';' => true,
            TokenTree::Punct(p)
                if p.as_char() == '=' && p.spacing() == proc_macro2::Spacing::Joint =>
            {
                matches!(trees.peek(), Some(TokenTree::Punct(next)) if next.as_char() == '>')
            }
            _ => false,
        };
        if separator {
            if matches!(&tree, TokenTree::Punct(p) if p.as_char() == '=') {
                trees.next();
            }
            parse_chunk(std::mem::take(&mut chunk), &mut exprs);
        } else {
            chunk.push(tree);
        }
    }
    parse_chunk(chunk, &mut exprs);
    exprs
}

fn parse_chunk(chunk: Vec<TokenTree>, exprs: &mut Vec<syn::Expr>) {
    if chunk.is_empty() {
        return;
    }
    let stream: TokenStream = chunk.iter().cloned().collect();
    if let Ok(expr) = syn::parse2::<syn::Expr>(stream) {
        exprs.push(expr);
        return;
    }
    // `pattern = expr` (a select! branch): keep what follows the first top-level `=`.
    let eq = chunk.iter().position(|t| {
        matches!(t, TokenTree::Punct(p) if p.as_char() == '=' && p.spacing() == proc_macro2::Spacing::Alone)
    });
    if let Some(eq) = eq {
        let rest: TokenStream = chunk[eq + 1..].iter().cloned().collect();
        if let Ok(expr) = syn::parse2::<syn::Expr>(rest) {
            exprs.push(expr);
            return;
        }
    }
    // A lone braced group is a block body.
    if let [TokenTree::Group(g)] = chunk.as_slice()
        && g.delimiter() == Delimiter::Brace
        && let Ok(stmts) = syn::Block::parse_within.parse2(g.stream())
    {
        exprs.push(syn::Expr::Block(syn::ExprBlock {
            attrs: Vec::new(),
            label: None,
            block: syn::Block {
                brace_token: syn::token::Brace(g.delim_span()),
                stmts,
            },
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count_exprs(src: &str) -> usize {
        let tokens: TokenStream = src.parse().expect("tokens");
        match parse_macro_body(&tokens) {
            MacroBody::Exprs(e) => e.len(),
            MacroBody::Stmts(s) => s.len(),
        }
    }

    #[test]
    fn format_like_arguments_are_expressions() {
        assert_eq!(count_exprs(r#""{} {}", a(), b(1)"#), 3);
    }

    #[test]
    fn select_branches_keep_their_futures_and_bodies() {
        let src = "v = read(x) => { handle(v) }, _ = sleep(d) => { stop() }";
        assert_eq!(count_exprs(src), 4);
    }

    #[test]
    fn statement_bodies_parse_as_statements() {
        assert_eq!(count_exprs("let a = f(); g(a);"), 2);
    }
}
