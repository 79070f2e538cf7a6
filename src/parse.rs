//! Parsing: source text to syn's AST, with failures turned into located messages.

use crate::diagnostic::Span;
use crate::source::{FileId, SourceFile};

/// A file that syn could not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure {
    /// Byte offset of the error in the file.
    pub offset: usize,
    /// syn's message.
    pub message: String,
}

/// Parses a whole file. Offsets in the AST's spans are byte offsets into `file.text`.
///
/// The text is tokenized first and its nesting measured (see [`check_nesting`]); a file nested
/// deeper than [`MAX_NESTING`] is refused with a "too deeply nested" failure instead of being
/// handed to syn, whose recursive descent (and every later walk over the AST) would overflow
/// the stack.
pub fn parse_file(file: &SourceFile) -> Result<syn::File, ParseFailure> {
    let text = blank_shebang(&file.text);
    let parsed = crate::timings::time(crate::timings::Stage::Parse, || {
        let tokens: proc_macro2::TokenStream = text.parse().map_err(syn::Error::from)?;
        check_nesting(&tokens)?;
        syn::parse2::<syn::File>(tokens)
    });
    parsed.map_err(|error| {
        let start = error.span().start();
        ParseFailure {
            offset: file.offset_of(start.line, start.column),
            message: error.to_string(),
        }
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

    struct Frame {
        tokens: proc_macro2::token_stream::IntoIter,
        /// Nesting of the group itself.
        base: usize,
        /// Tokens counted in the current segment.
        segment: usize,
        /// The segment count at each unclosed `<` and closure `|`.
        open: Vec<usize>,
        /// Whether the previous token was a brace group.
        after_brace: bool,
        /// The previous punctuation, if the previous token was one and was joint.
        joint: Option<char>,
        /// Whether the previous token was `#`.
        after_hash: bool,
    }

    let too_deep = |span: proc_macro2::Span| {
        Err(syn::Error::new(
            span,
            format!(
                "too deeply nested: this file nests more deeply than nslint's limit \
                 ({MAX_NESTING}; a bracket counts {GROUP_WEIGHT}, an operator 1), so it is not \
                 analysed"
            ),
        ))
    };
    let mut stack = vec![Frame {
        tokens: tokens.clone().into_iter(),
        base: 0,
        segment: 0,
        open: Vec::new(),
        after_brace: false,
        joint: None,
        after_hash: false,
    }];
    while let Some(frame) = stack.last_mut() {
        let Some(token) = frame.tokens.next() else {
            stack.pop();
            continue;
        };
        let after_brace = std::mem::take(&mut frame.after_brace);
        let joint = frame.joint.take();
        let after_hash = std::mem::take(&mut frame.after_hash);
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
        match token {
            TokenTree::Group(group) => {
                frame.segment += 1;
                frame.after_brace = group.delimiter() == Delimiter::Brace;
                let inner = frame.base + frame.segment + GROUP_WEIGHT;
                if inner > MAX_NESTING {
                    return too_deep(group.span_open());
                }
                stack.push(Frame {
                    tokens: group.stream().into_iter(),
                    base: inner,
                    segment: 0,
                    open: Vec::new(),
                    after_brace: false,
                    joint: None,
                    after_hash: false,
                });
                continue;
            }
            TokenTree::Punct(punct) => {
                let c = punct.as_char();
                match c {
                    ';' => {
                        frame.segment = 0;
                        frame.open.clear();
                    }
                    ',' => frame.segment = frame.open.last().copied().unwrap_or(0),
                    '#' => frame.after_hash = true,
                    '!' if after_hash => {}
                    _ => {
                        frame.segment += 1;
                        match (c, joint) {
                            ('<', _) => frame.open.push(frame.segment),
                            // `->`, `=>`, `>=` and `>>=` do not close a generic list.
                            ('>', Some('-' | '=' | '>')) | ('>', None) if false => {}
                            ('>', Some('-' | '=')) => {}
                            ('>', _) => {
                                frame.open.pop();
                            }
                            // `||` is an empty closure list or a logical or: neither opens.
                            ('|', Some('|')) => {}
                            ('|', _) if punct.spacing() == Spacing::Joint => {}
                            ('|', _) => frame.open.push(frame.segment),
                            _ => {}
                        }
                    }
                }
                if punct.spacing() == Spacing::Joint {
                    frame.joint = Some(c);
                }
                if frame.base + frame.segment > MAX_NESTING {
                    return too_deep(punct.span());
                }
            }
            TokenTree::Ident(ident) => {
                frame.segment += 1;
                if frame.base + frame.segment > MAX_NESTING {
                    return too_deep(ident.span());
                }
            }
            TokenTree::Literal(_) => {}
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

/// Converts a proc-macro2 span of a token parsed from `file` into a [`Span`].
pub fn span_of(file: FileId, span: proc_macro2::Span) -> Span {
    Span {
        file,
        range: span.byte_range(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(PathBuf::from("x.rs"), "x.rs".into(), text.into())
    }

    #[test]
    fn spans_are_byte_offsets_even_after_a_shebang_and_non_ascii_text() {
        let f = file("#!/usr/bin/env run\n// é\nfn main() {}\n");
        let ast = parse_file(&f).expect("parses");
        let syn::Item::Fn(item) = &ast.items[0] else {
            panic!("expected a fn")
        };
        let range = span_of(FileId(0), item.sig.ident.span()).range;
        assert_eq!(&f.text[range], "main");
    }

    #[test]
    fn failures_carry_the_location_of_syn_error() {
        let f = file("fn main() {\n    let x = ;\n}\n");
        let failure = parse_file(&f).expect_err("does not parse");
        assert_eq!(f.position(failure.offset).line, 2);
        assert!(!failure.message.is_empty());
    }
}
