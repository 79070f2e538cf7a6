//! Parsing: source text to syn's AST, with failures turned into located messages.

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
/// deeper than [`MAX_NESTING`] is refused with a "too deeply nested" failure instead of being
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
        if !shallow_by_bytes(&text) {
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

/// How deeply a file may nest, in the units [`check_nesting`] counts. Analysis threads have
/// [`ANALYSIS_STACK_BYTES`] of stack; with the most expensive construct (nested blocks, about
/// 22 KiB of stack per level in a debug build, parse and walks together) the limit uses less
/// than a fifth of it. Real code stays far below: a brace, bracket or parenthesis counts
/// [`GROUP_WEIGHT`], so the limit allows 2 000 nested groups, or 12 000 chained operators.
pub const MAX_NESTING: usize = 12_000;

/// What one bracket group adds to the nesting measure of its contents.
pub const GROUP_WEIGHT: usize = 6;

/// The stack given to threads that parse and analyse code (see [`MAX_NESTING`]).
pub const ANALYSIS_STACK_BYTES: usize = 256 * 1024 * 1024;

/// Whether a text's bytes alone show that [`check_nesting`] would pass it: every token the
/// measure counts is at least one byte that is not whitespace, and every group starts at a
/// bracket, or at the `/` of a doc comment (which becomes an attribute), each of which is
/// counted as the group's weight and one token. A hollowed file stays far below the limit, and
/// the check itself copies every token.
fn shallow_by_bytes(text: &str) -> bool {
    let mut bound = 0usize;
    for &byte in text.as_bytes() {
        bound += match byte {
            b'(' | b'[' | b'{' | b'/' => GROUP_WEIGHT + 1,
            b' ' | b'\t' | b'\n' | b'\r' => 0,
            _ => 1,
        };
        if bound > MAX_NESTING {
            return false;
        }
    }
    true
}

/// Measures how deeply a token stream nests, without recursion, and fails with "too deeply
/// nested" at the first token past [`MAX_NESTING`].
///
/// The measure is an upper bound on the depth of the syntax tree syn builds (and on the depth
/// of its recursion while building it): each bracket group adds [`GROUP_WEIGHT`] to what is
/// inside it, and inside a group each token of the current *segment* adds one. A segment ends
/// where every construct opened in it is closed: at `;`; at `,` (back to the count at the
/// innermost unclosed `<` or closure `|`, whose lists also use commas); and at an identifier
/// (other than `else` and `as`), literal or `#` that follows a brace group, which can only
/// start a new item, statement or match arm. Attributes' `#` are not counted.
pub fn check_nesting(tokens: &proc_macro2::TokenStream) -> syn::Result<()> {
    use proc_macro2::{Delimiter, Spacing, TokenTree};

    /// An unclosed list whose commas do not close what came before it.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Open {
        /// `<`: generic parameters or arguments (or a comparison: counting it is safe).
        Angle,
        /// `|`: closure parameters (or a bitwise or: counting it is safe).
        Pipe,
    }

    #[derive(Default)]
    struct Frame {
        tokens: Option<proc_macro2::token_stream::IntoIter>,
        /// Nesting of the group itself.
        base: usize,
        /// Tokens counted in the current segment.
        segment: usize,
        /// Unclosed `<` and `|`, with the segment count where each was opened.
        open: Vec<(Open, usize)>,
        /// Whether the previous token was a brace group.
        after_brace: bool,
        /// Whether the previous token was a literal.
        after_literal: bool,
        /// Whether the previous token was `#`.
        after_hash: bool,
        /// The previous token, if it was punctuation joint with this one.
        joint: Option<char>,
    }

    let too_deep = |span: proc_macro2::Span| {
        Err(syn::Error::new(
            span,
            format!(
                "too deeply nested: this file nests more deeply than nslint's limit \
                 ({MAX_NESTING}, where a bracket counts {GROUP_WEIGHT} and an operator 1), so \
                 it is not analysed"
            ),
        ))
    };
    let mut stack = vec![Frame {
        tokens: Some(tokens.clone().into_iter()),
        ..Frame::default()
    }];
    while let Some(frame) = stack.last_mut() {
        let Some(token) = frame.tokens.as_mut().and_then(Iterator::next) else {
            stack.pop();
            continue;
        };
        let after_brace = std::mem::take(&mut frame.after_brace);
        let after_literal = std::mem::take(&mut frame.after_literal);
        let after_hash = std::mem::take(&mut frame.after_hash);
        let joint = frame.joint.take();
        let starts_anew = match &token {
            TokenTree::Ident(ident) => ident != "else" && ident != "as",
            TokenTree::Literal(_) => true,
            TokenTree::Punct(p) => p.as_char() == '#',
            TokenTree::Group(_) => false,
        };
        if after_brace && starts_anew {
            frame.segment = 0;
            frame.open.clear();
        }
        let span = match token {
            TokenTree::Group(group) => {
                frame.segment += 1;
                frame.after_brace = group.delimiter() == Delimiter::Brace;
                let inner = frame.base + frame.segment + GROUP_WEIGHT;
                if inner > MAX_NESTING {
                    return too_deep(group.span_open());
                }
                stack.push(Frame {
                    tokens: Some(group.stream().into_iter()),
                    base: inner,
                    ..Frame::default()
                });
                continue;
            }
            TokenTree::Literal(_) => {
                frame.after_literal = true;
                continue;
            }
            TokenTree::Ident(ident) => {
                frame.segment += 1;
                ident.span()
            }
            TokenTree::Punct(punct) => {
                let c = punct.as_char();
                if punct.spacing() == Spacing::Joint {
                    frame.joint = Some(c);
                }
                match (c, joint) {
                    (';', _) => {
                        frame.segment = 0;
                        frame.open.clear();
                    }
                    (',', _) => frame.segment = frame.open.last().map_or(0, |&(_, at)| at),
                    ('#', _) => frame.after_hash = true,
                    ('!', _) if after_hash => {}
                    _ => {
                        frame.segment += 1;
                        match (c, joint) {
                            // `<=` and `<-` were no lists.
                            ('=' | '-', Some('<'))
                                if frame.open.last().is_some_and(|&(o, _)| o == Open::Angle) =>
                            {
                                frame.open.pop();
                            }
                            // `1 << 2`, `1 < x`: a literal is never generic.
                            ('<', _) if after_literal => {
                                frame.after_literal = punct.spacing() == Spacing::Joint;
                            }
                            ('<', _) => frame.open.push((Open::Angle, frame.segment)),
                            // `->`, `=>`, `>=`: not the end of a list.
                            ('>', Some('-' | '=')) => {}
                            ('>', _) => {
                                if let Some(i) =
                                    frame.open.iter().rposition(|&(o, _)| o == Open::Angle)
                                {
                                    frame.open.truncate(i);
                                }
                            }
                            // `||` (no parameters, or a logical or) and `|=` open nothing.
                            ('|', _) if punct.spacing() == Spacing::Joint || joint == Some('|') => {
                            }
                            ('|', _) => match frame.open.last() {
                                Some((Open::Pipe, _)) => {
                                    frame.open.pop();
                                }
                                _ => frame.open.push((Open::Pipe, frame.segment)),
                            },
                            _ => {}
                        }
                    }
                }
                punct.span()
            }
        };
        if frame.base + frame.segment > MAX_NESTING {
            return too_deep(span);
        }
    }
    Ok(())
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

    /// The byte bound only ever spares the check for texts the check passes: nested groups,
    /// operator chains and doc comments, on both sides of the limit.
    #[test]
    fn the_byte_bound_never_spares_a_text_the_check_refuses() {
        let shapes: [fn(usize) -> String; 4] = [
            |n| format!("fn f() {{ {}x{} }}", "(".repeat(n), ")".repeat(n)),
            |n| format!("fn f() {{ let x = a{}; }}", " + a".repeat(n)),
            |n| format!("{}fn f() {{}}", "/// doc\n".repeat(n)),
            |n| format!("fn f() {{ {}1{} }}", "[&(".repeat(n), ")]".repeat(n)),
        ];
        for shape in shapes {
            let (mut spared, mut refused) = (false, false);
            for n in (1..14_000).step_by(211) {
                let text = shape(n);
                let tokens: proc_macro2::TokenStream = text.parse().expect("lexes");
                let passes = check_nesting(&tokens).is_ok();
                if shallow_by_bytes(&text) {
                    assert!(passes, "spared but refused at {n}");
                    spared = true;
                }
                refused |= !passes;
            }
            assert!(spared && refused, "the shape does not cross the limit");
        }
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
