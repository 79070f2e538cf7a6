//! Expansion of the crate's own `macro_rules!` macros whose transcription is plain token
//! substitution: fragments (`$x:expr`, `$b:block`, `$i:ident`, `$t:tt`, …) without
//! repetitions. Enough to see a `?` or a switch inside an enter/exit macro. Other macros are
//! left alone.

use crate::parse::ident_name;
use crate::resolve::CrateTree;
use crate::source::{FileId, SourceDb, SourceFile};
use proc_macro2::{Delimiter, Group, Ident, Spacing, TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::BTreeMap;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;

/// One `(matcher) => { transcriber }` rule.
#[derive(Debug, Clone)]
struct Rule {
    matcher: Vec<TokenTree>,
    transcriber: TokenStream,
}

/// A crate-local macro: its rules and where it is written.
#[derive(Debug)]
struct Macro<'src> {
    rules: Vec<Rule>,
    definition: Definition<'src>,
}

/// Where a macro is written: its file and the lines of its `macro_rules!` item.
#[derive(Debug, Clone, Copy)]
pub struct Definition<'src> {
    /// The file.
    pub file: FileId,
    /// The file's text, to measure the macro's tokens in.
    pub source: &'src SourceFile,
    /// A token of the item, to tell other tokens of its file apart.
    anchor: proc_macro2::Span,
    first_line: usize,
    last_line: usize,
}

impl Definition<'_> {
    /// Whether the macro's item holds `token`: a token of its file (proc-macro2 joins only
    /// spans of one file) on one of its lines.
    pub fn holds(&self, token: proc_macro2::Span) -> bool {
        token.join(self.anchor).is_some()
            && (self.first_line..=self.last_line).contains(&token.start().line)
    }
}

/// The crate's `macro_rules!` macros by name.
#[derive(Debug, Default)]
pub struct MacroTable<'src> {
    macros: BTreeMap<String, Macro<'src>>,
}

impl<'src> MacroTable<'src> {
    /// Whether the crate defines a macro `name` that [`MacroTable::expand`] may expand.
    pub fn defines(&self, name: &str) -> bool {
        self.macros.contains_key(name)
    }

    /// Collects every `macro_rules!` of the crate whose rules use no repetition; `db` holds
    /// the files they are written in.
    pub fn collect(tree: &CrateTree, db: &'src SourceDb) -> Self {
        let mut table = MacroTable::default();
        for id in tree.ids() {
            let file = tree.module(id).file;
            for item in &tree.module(id).items {
                let syn::Item::Macro(m) = item else {
                    continue;
                };
                if !m.mac.path.is_ident("macro_rules") {
                    continue;
                }
                let (Some(name), Some(rules)) = (&m.ident, parse_rules(&m.mac.tokens)) else {
                    continue;
                };
                let definition = Definition {
                    file,
                    source: db.get(file),
                    anchor: m.mac.path.span(),
                    first_line: m.mac.path.span().start().line,
                    last_line: m.mac.delimiter.span().close().end().line,
                };
                table
                    .macros
                    .insert(ident_name(name), Macro { rules, definition });
            }
        }
        table
    }

    /// Expands an invocation of a crate-local macro with the first rule that matches, and
    /// says where the macro is written.
    pub fn expand(
        &self,
        name: &str,
        input: &TokenStream,
    ) -> Option<(TokenStream, Definition<'src>)> {
        let found = self.macros.get(name)?;
        found.rules.iter().find_map(|rule| {
            let bindings = match_rule(&rule.matcher, input)?;
            Some((
                transcribe(rule.transcriber.clone(), &bindings),
                found.definition,
            ))
        })
    }
}

/// Splits a `macro_rules!` body into rules; `None` when a rule uses repetitions.
fn parse_rules(tokens: &TokenStream) -> Option<Vec<Rule>> {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut rules = Vec::new();
    let mut i = 0;
    while i < trees.len() {
        let TokenTree::Group(matcher) = &trees[i] else {
            return None;
        };
        let arrow = matches!(
            (trees.get(i + 1), trees.get(i + 2)),
            (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b))) if a.as_char() == '=' && b.as_char() == '>'
        );
        let Some(TokenTree::Group(transcriber)) = trees.get(i + 3) else {
            return None;
        };
        if !arrow || has_repetition(&matcher.stream()) || has_repetition(&transcriber.stream()) {
            return None;
        }
        rules.push(Rule {
            matcher: matcher.stream().into_iter().collect(),
            transcriber: transcriber.stream(),
        });
        i += 4;
        if matches!(trees.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ';') {
            i += 1;
        }
    }
    Some(rules)
}

fn has_repetition(tokens: &TokenStream) -> bool {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    trees.windows(2).any(|w| {
        matches!((&w[0], &w[1]), (TokenTree::Punct(p), TokenTree::Group(g))
            if p.as_char() == '$' && g.delimiter() == Delimiter::Parenthesis)
    }) || trees
        .iter()
        .any(|t| matches!(t, TokenTree::Group(g) if has_repetition(&g.stream())))
}

type Bindings = BTreeMap<String, TokenStream>;

/// Matches an invocation against a rule's matcher, capturing fragments.
fn match_rule(matcher: &[TokenTree], input: &TokenStream) -> Option<Bindings> {
    let parser = |stream: ParseStream<'_>| -> syn::Result<Bindings> {
        let mut bindings = Bindings::new();
        match_sequence(matcher, stream, &mut bindings)?;
        if stream.is_empty() {
            Ok(bindings)
        } else {
            Err(stream.error("unexpected tokens"))
        }
    };
    parser.parse2(input.clone()).ok()
}

fn match_sequence(
    matcher: &[TokenTree],
    input: ParseStream<'_>,
    out: &mut Bindings,
) -> syn::Result<()> {
    let mut i = 0;
    while i < matcher.len() {
        match &matcher[i] {
            TokenTree::Punct(p) if p.as_char() == '$' => {
                let (
                    Some(TokenTree::Ident(name)),
                    Some(TokenTree::Punct(colon)),
                    Some(TokenTree::Ident(fragment)),
                ) = (matcher.get(i + 1), matcher.get(i + 2), matcher.get(i + 3))
                else {
                    return Err(input.error("unsupported matcher"));
                };
                if colon.as_char() != ':' {
                    return Err(input.error("unsupported matcher"));
                }
                let captured = parse_fragment(&fragment.to_string(), input)?;
                out.insert(name.to_string(), captured);
                i += 4;
            }
            TokenTree::Group(group) => {
                let content;
                match group.delimiter() {
                    Delimiter::Parenthesis => {
                        syn::parenthesized!(content in input);
                    }
                    Delimiter::Bracket => {
                        syn::bracketed!(content in input);
                    }
                    Delimiter::Brace => {
                        syn::braced!(content in input);
                    }
                    Delimiter::None => return Err(input.error("unsupported group")),
                }
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                match_sequence(&inner, &content, out)?;
                if !content.is_empty() {
                    return Err(content.error("unexpected tokens"));
                }
                i += 1;
            }
            expected => {
                let expected = expected.to_string();
                input.step(|cursor| match cursor.token_tree() {
                    Some((tree, next)) if tree.to_string() == expected => Ok(((), next)),
                    _ => Err(cursor.error("token mismatch")),
                })?;
                i += 1;
            }
        }
    }
    Ok(())
}

fn parse_fragment(fragment: &str, input: ParseStream<'_>) -> syn::Result<TokenStream> {
    Ok(match fragment {
        "expr" => input.parse::<syn::Expr>()?.to_token_stream(),
        "block" => input.parse::<syn::Block>()?.to_token_stream(),
        "ident" => input.call(syn::Ident::parse_any)?.to_token_stream(),
        "ty" => input.parse::<syn::Type>()?.to_token_stream(),
        "path" => input.parse::<syn::Path>()?.to_token_stream(),
        "pat" | "pat_param" => input.call(syn::Pat::parse_single)?.to_token_stream(),
        "literal" => input.parse::<syn::Lit>()?.to_token_stream(),
        "lifetime" => input.parse::<syn::Lifetime>()?.to_token_stream(),
        "stmt" => input.parse::<syn::Stmt>()?.to_token_stream(),
        "tt" => input.parse::<TokenTree>()?.to_token_stream(),
        _ => return Err(input.error("unsupported fragment")),
    })
}

/// Replaces `$name` in the transcriber with the captured tokens, each in an invisible group so
/// that `$e * 2` keeps its meaning.
fn transcribe(transcriber: TokenStream, bindings: &Bindings) -> TokenStream {
    let mut out = Vec::new();
    let mut trees = transcriber.into_iter().peekable();
    while let Some(tree) = trees.next() {
        match tree {
            TokenTree::Punct(p) if p.as_char() == '$' && p.spacing() == Spacing::Alone => {
                let replacement = match trees.peek() {
                    // `$crate`: the crate that defines the macro, this one.
                    Some(TokenTree::Ident(name)) if name == "crate" => {
                        Some(TokenTree::Ident(Ident::new("crate", name.span())))
                    }
                    Some(TokenTree::Ident(name)) => bindings
                        .get(&name.to_string())
                        .map(|c| TokenTree::Group(Group::new(Delimiter::None, c.clone()))),
                    _ => None,
                };
                match replacement {
                    Some(tree) => {
                        trees.next();
                        out.push(tree);
                    }
                    None => out.push(TokenTree::Punct(p)),
                }
            }
            TokenTree::Group(g) => {
                let mut group = Group::new(g.delimiter(), transcribe(g.stream(), bindings));
                group.set_span(g.span());
                out.push(TokenTree::Group(group));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(src: &str) -> SourceFile {
        SourceFile::new("lib.rs".into(), "lib.rs".into(), src)
    }

    fn table(source: &SourceFile) -> MacroTable<'_> {
        let file: syn::File = syn::parse_str(&source.text).expect("parses");
        let mut table = MacroTable::default();
        for item in file.items {
            if let syn::Item::Macro(m) = item
                && let (Some(name), Some(rules)) = (m.ident, parse_rules(&m.mac.tokens))
            {
                let definition = Definition {
                    file: FileId(0),
                    source,
                    anchor: m.mac.path.span(),
                    first_line: 1,
                    last_line: 1,
                };
                table
                    .macros
                    .insert(name.to_string(), Macro { rules, definition });
            }
        }
        table
    }

    #[test]
    fn substitutes_fragments_and_picks_the_matching_rule() {
        let source = source(
            "macro_rules! in_ns { ($ns:expr, $body:block) => {{ enter($ns)?; let r = $body; leave()?; r }}; ($ns:expr) => { enter($ns) }; }",
        );
        let t = table(&source);
        let input: TokenStream = "pod, { work()?; Ok(()) }".parse().expect("tokens");
        let expanded = t.expand("in_ns", &input).expect("expands").0.to_string();
        assert!(expanded.contains("enter"), "{expanded}");
        assert!(expanded.contains("work"), "{expanded}");
        let single: TokenStream = "pod".parse().expect("tokens");
        assert!(t.expand("in_ns", &single).is_some());
        let wrong: TokenStream = "pod, 1, 2".parse().expect("tokens");
        assert!(t.expand("in_ns", &wrong).is_none());
    }

    #[test]
    fn dollar_crate_is_the_crate_itself() {
        let source = source("macro_rules! enter { ($ns:expr) => { $crate::ns::enter($ns)? }; }");
        let t = table(&source);
        let input: TokenStream = "pod".parse().expect("tokens");
        let expanded = t.expand("enter", &input).expect("expands").0;
        let parsed: syn::Expr = syn::parse2(expanded.clone()).expect("an expression");
        let shown = expanded.to_string();
        assert!(shown.starts_with("crate :: ns :: enter"), "{shown}");
        assert!(!shown.contains('$'), "{shown}");
        assert!(matches!(parsed, syn::Expr::Try(_)));
    }

    #[test]
    fn macros_with_repetitions_are_not_expanded() {
        let source = source("macro_rules! many { ($($x:expr),*) => { $( f($x); )* }; }");
        let t = table(&source);
        let input: TokenStream = "1, 2".parse().expect("tokens");
        assert!(t.expand("many", &input).is_none());
    }
}
