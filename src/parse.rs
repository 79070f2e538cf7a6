//! Parsing: source text to syn's AST, with failures turned into located messages.

use crate::nesting::check_nesting;
use crate::source::SourceFile;

/// A file that syn could not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure {
    /// Byte offset of the error in the file.
    pub offset: usize,
    /// syn's message.
    pub message: String,
}

/// An item of a file that syn could not parse, skipped so that the rest of the file is
/// analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedItem {
    /// The byte range of the item's first token.
    pub start: std::ops::Range<usize>,
    /// Where and why syn stopped.
    pub failure: ParseFailure,
}

/// A parsed file: its AST, without the items syn could not parse.
#[derive(Debug)]
pub struct Parsed {
    /// The file's attributes and the items that parsed.
    pub ast: syn::File,
    /// The items left out, in file order.
    pub skipped: Vec<SkippedItem>,
}

/// Parses a whole file. The AST's spans give byte offsets into `file.text` through [`range_in`].
///
/// The text is tokenized first and its nesting measured (see [`check_nesting`]); a file nested
/// deeper than [`crate::nesting::MAX_NESTING`] is refused with a "too deeply nested" failure instead of being
/// handed to syn, whose recursive descent (and every later walk over the AST) would overflow
/// the stack. A file that tokenizes but does not parse is parsed again item by item: an item
/// syn rejects (nightly syntax such as `impl const Trait for T`) is skipped, the others kept.
///
/// `blanks` are the ranges [`crate::hollow`] turns into comments (bodies that cannot matter).
pub fn parse_file(
    file: &SourceFile,
    blanking: crate::hollow::Blanking<'_>,
) -> Result<Parsed, ParseFailure> {
    let shebangless = blank_shebang(&file.text);
    let text = crate::hollow::hollow_text(&shebangless, blanking);
    let failure = |error: syn::Error| {
        let start = error.span().start();
        ParseFailure {
            offset: file.offset_of(start.line, start.column),
            message: error.to_string(),
        }
    };
    let parsed = crate::timings::time(crate::timings::Stage::Parse, || {
        let tokens: proc_macro2::TokenStream = text.parse().map_err(syn::Error::from)?;
        if !blanking.shallow && crate::nesting::needs_check(&text) {
            check_nesting(&tokens)?;
        }
        match syn::parse2::<syn::File>(tokens.clone()) {
            Ok(ast) => Ok((ast, Vec::new())),
            Err(_) => parse_item_by_item(tokens),
        }
    });
    let (ast, skipped) = parsed.map_err(failure)?;
    let skipped = skipped
        .into_iter()
        .map(|(start, error)| SkippedItem {
            start: range_in(file, start),
            failure: failure(error),
        })
        .collect();
    Ok(Parsed { ast, skipped })
}

/// Parses a file's inner attributes, then its items one at a time: an item syn rejects is
/// skipped to its end (its `;`, or its closing brace and a `;` after it), with the span of its
/// first token and syn's error.
fn parse_item_by_item(
    tokens: proc_macro2::TokenStream,
) -> syn::Result<(syn::File, Vec<(proc_macro2::Span, syn::Error)>)> {
    use syn::parse::Parser;
    use syn::parse::discouraged::Speculative;
    let parser = |input: syn::parse::ParseStream<'_>| {
        let attrs = input.call(syn::Attribute::parse_inner)?;
        let mut items = Vec::new();
        let mut skipped = Vec::new();
        while !input.is_empty() {
            let fork = input.fork();
            match fork.parse::<syn::Item>() {
                Ok(item) => {
                    input.advance_to(&fork);
                    items.push(item);
                }
                Err(error) => {
                    skipped.push((input.span(), error));
                    skip_item(input)?;
                }
            }
        }
        Ok((
            syn::File {
                shebang: None,
                frontmatter: None,
                attrs,
                items,
            },
            skipped,
        ))
    };
    parser.parse2(tokens)
}

/// Consumes the tokens of one item: up to a `;`, or a brace group (and a `;` right after it).
/// Consumes at least one token.
fn skip_item(input: syn::parse::ParseStream<'_>) -> syn::Result<()> {
    use proc_macro2::{Delimiter, TokenTree};
    input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tree, next)) = rest.token_tree() {
            rest = next;
            match tree {
                TokenTree::Punct(p) if p.as_char() == ';' => break,
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                    if let Some((TokenTree::Punct(p), after)) = rest.token_tree()
                        && p.as_char() == ';'
                    {
                        rest = after;
                    }
                    break;
                }
                _ => {}
            }
        }
        Ok(((), rest))
    })
}

/// syn drops a leading `#!` line before tokenizing, which would shift every span; blanking
/// it with spaces of the same length keeps offsets aligned with the file.
fn blank_shebang(text: &str) -> std::borrow::Cow<'_, str> {
    let is_shebang = text.starts_with("#!") && !text[2..].trim_start().starts_with('[');
    if !is_shebang {
        return text.into();
    }
    let end = text.find('\n').unwrap_or(text.len());
    let mut blanked = " ".repeat(end);
    blanked.push_str(&text[end..]);
    blanked.into()
}

/// An identifier's name without the `r#` of a raw identifier: what `unraw().to_string()`
/// gives, with one allocation instead of three (the walks name millions of identifiers).
pub fn ident_name(ident: &proc_macro2::Ident) -> String {
    let mut name = ident.to_string();
    if name.starts_with("r#") {
        name.drain(..2);
    }
    name
}

/// The byte range of a span of a token parsed from `file` ([`range_between`] it and itself).
pub fn range_in(file: &SourceFile, span: proc_macro2::Span) -> std::ops::Range<usize> {
    range_between(file, span, span)
}

/// The byte range from the start of `first` to the end of `last`, spans of tokens parsed from
/// `file`, found from their lines and columns. proc-macro2's own `byte_range` counts
/// characters from the offset it last looked up, which costs the length of a whole body for a
/// body's span.
pub fn range_between(
    file: &SourceFile,
    first: proc_macro2::Span,
    last: proc_macro2::Span,
) -> std::ops::Range<usize> {
    let (start, end) = (first.start(), last.end());
    if start.line == 0 || end.line == 0 {
        // Not from the text (`Span::call_site()`): whatever proc-macro2 says.
        return first.byte_range().start..last.byte_range().end;
    }
    file.offset_of(start.line, start.column)..file.offset_of(end.line, end.column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(PathBuf::from("x.rs"), "x.rs".into(), text)
    }

    #[test]
    fn spans_are_byte_offsets_even_after_a_shebang_and_non_ascii_text() {
        let f = file("#!/usr/bin/env run\n// é\nfn main() {}\n");
        let ast = parse_file(&f, Default::default()).expect("parses").ast;
        let syn::Item::Fn(item) = &ast.items[0] else {
            panic!("expected a fn")
        };
        let range = range_in(&f, item.sig.ident.span());
        assert_eq!(&f.text[range], "main");
    }

    #[test]
    fn failures_carry_the_location_of_syn_error() {
        let f = file("fn main() {\n    let x = ;\n}\n");
        let parsed = parse_file(&f, Default::default()).expect("tokenizes");
        let [skipped] = parsed.skipped.as_slice() else {
            panic!("one item skipped: {:?}", parsed.skipped)
        };
        assert_eq!(f.position(skipped.failure.offset).line, 2);
        assert_eq!(&f.text[skipped.start.clone()], "fn");
        assert!(!skipped.failure.message.is_empty());
    }

    #[test]
    fn text_that_does_not_tokenize_fails_whole() {
        let f = file("fn main() {\n    let s = \"unterminated;\n}\n");
        assert!(parse_file(&f, Default::default()).is_err());
    }

    /// Nightly syntax in one item leaves the items around it, and the file's attributes.
    #[test]
    fn items_syn_cannot_parse_are_skipped_and_the_rest_kept() {
        let f = file(
            "#![feature(const_trait_impl)]\n\
             struct Ns;\n\
             impl const Default for Ns { fn default() -> Self { Ns } }\n\
             const LIMITS: Limits = Limits { depth: 3 };\n\
             fn enter() {}\n\
             impl const Clone for Ns { fn clone(&self) -> Self { Ns } };\n\
             fn leave() {}\n",
        );
        let parsed = parse_file(&f, Default::default()).expect("tokenizes");
        let names: Vec<String> = parsed
            .ast
            .items
            .iter()
            .map(|item| match item {
                syn::Item::Fn(f) => f.sig.ident.to_string(),
                syn::Item::Struct(s) => s.ident.to_string(),
                syn::Item::Const(c) => c.ident.to_string(),
                _ => "other".to_owned(),
            })
            .collect();
        assert_eq!(names, ["Ns", "LIMITS", "enter", "leave"]);
        assert_eq!(parsed.ast.attrs.len(), 1);
        let lines: Vec<usize> = parsed
            .skipped
            .iter()
            .map(|s| f.position(s.start.start).line)
            .collect();
        assert_eq!(lines, [3, 6]);
    }
}
