//! How deeply a file nests: the measure that keeps syn's recursive descent, and every walk
//! over the trees it builds, within the analysis threads' stack ([`check_nesting`]), and the
//! cheaper bounds that spare ordinary files the measure itself, which copies every token.

use crate::prescan::lexer;

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

/// Whether nslint's own tokenizer ([`lexer::lex`]) shows that [`check_nesting`] would pass a
/// text: the same measure, taken so that it can only come out higher ([`NestingBound`]),
/// stays within [`MAX_NESTING`]. A pass over the bytes that keeps nothing, where the check
/// itself copies every token of the stream.
fn shallow_by_tokens(text: &str) -> bool {
    let mut bound = NestingBound::new(text, true);
    lexer::lex(text, &mut bound).is_some() && bound.shallow()
}

/// Whether `text` must be measured by [`check_nesting`] before syn parses it: neither its
/// bytes nor its tokens show that it stays within [`MAX_NESTING`].
pub fn needs_check(text: &str) -> bool {
    !shallow_by_bytes(text) && !shallow_by_tokens(text)
}

/// [`check_nesting`]'s measure over the tokenizer's tokens, never lower than the measure of
/// the token stream proc-macro2 makes of the same text:
///
/// - every token the check counts counts here at least as much: a lifetime two (its `'` and
///   its name), a doc comment two (its `#` and its bracket group, inside which `doc` and `=`
///   count), a number literal one for each byte that is not a letter, digit or `_` (a `.` the
///   tokenizer kept inside it); `#` and `!` count too;
/// - the segment starts anew only where the check's does: at `;`, and at an identifier
///   (other than `else` and `as`), literal or `#` after a brace group;
/// - at `,` it goes back to its count at the latest `<` or `|` of the segment (every one
///   opens a list here, and none closes), never below the check's innermost unclosed one.
pub struct NestingBound<'t> {
    text: &'t str,
    /// Whether doc comments count: not when they are made plain before parsing.
    docs_count: bool,
    /// The groups open at the current token, the outermost (the file) first.
    frames: Vec<BoundFrame>,
    /// Whether the measure went past [`MAX_NESTING`].
    over: bool,
}

/// One open group of a [`NestingBound`].
#[derive(Default)]
struct BoundFrame {
    /// The measure of the group itself.
    base: usize,
    /// Tokens counted in the current segment.
    segment: usize,
    /// The segment's count at its latest `<` or `|`.
    last_open: Option<usize>,
    /// Whether the group is a brace group.
    brace: bool,
    /// Whether the previous token was a brace group.
    after_brace: bool,
}

impl<'t> NestingBound<'t> {
    /// The bound of `text`, to be fed its tokens (by `lexer::lex`); with `docs_count` false,
    /// of the text with its doc comments made plain.
    pub fn new(text: &'t str, docs_count: bool) -> Self {
        NestingBound {
            text,
            docs_count,
            frames: vec![BoundFrame::default()],
            over: false,
        }
    }

    /// Whether the tokens fed so far show that [`check_nesting`] would pass the text, or the
    /// text with some groups emptied (function bodies blanked).
    pub fn shallow(&self) -> bool {
        !self.over && self.frames.len() == 1
    }

    /// The innermost open group.
    fn frame(&mut self) -> &mut BoundFrame {
        let last = self.frames.len() - 1;
        &mut self.frames[last]
    }

    /// Counts a token of weight `weight` that starts a new item or statement after a brace
    /// group when `starts_anew`, then checks the measure (`reach` more inside it).
    fn count(&mut self, weight: usize, starts_anew: bool, reach: usize) {
        let frame = self.frame();
        if std::mem::take(&mut frame.after_brace) && starts_anew {
            frame.segment = 0;
            frame.last_open = None;
        }
        frame.segment += weight;
        let measure = frame.base + frame.segment + reach;
        self.over |= measure > MAX_NESTING;
    }
}

impl lexer::Sink for NestingBound<'_> {
    fn token(&mut self, token: lexer::Token) {
        match token.kind {
            lexer::Kind::Ident => {
                let word = &self.text[token.range];
                self.count(1, word != "else" && word != "as", 0);
            }
            lexer::Kind::Open(byte) => {
                self.count(1, false, GROUP_WEIGHT);
                let frame = self.frame();
                let base = frame.base + frame.segment + GROUP_WEIGHT;
                self.frames.push(BoundFrame {
                    base,
                    brace: byte == b'{',
                    ..BoundFrame::default()
                });
            }
            lexer::Kind::Close(_) => {
                if self.frames.len() > 1
                    && let Some(closed) = self.frames.pop()
                {
                    self.frame().after_brace = closed.brace;
                } else {
                    // Unbalanced: the check decides.
                    self.over = true;
                }
            }
            lexer::Kind::Punct(b';') => {
                let frame = self.frame();
                frame.after_brace = false;
                frame.segment = 0;
                frame.last_open = None;
            }
            lexer::Kind::Punct(b',') => {
                let frame = self.frame();
                frame.after_brace = false;
                frame.segment = frame.last_open.unwrap_or(0);
            }
            lexer::Kind::Punct(byte) => {
                self.count(1, byte == b'#', 0);
                if matches!(byte, b'<' | b'|') {
                    let frame = self.frame();
                    frame.last_open = Some(frame.segment);
                }
            }
        }
    }

    fn comment(&mut self, _: std::ops::Range<usize>, doc: bool) {
        if doc && self.docs_count {
            // `#[doc = ".."]`: the `#`, then a bracket group holding `doc` and `=`.
            self.count(1, true, 0);
            self.count(1, false, GROUP_WEIGHT + 2);
        }
    }

    fn literal(&mut self, range: std::ops::Range<usize>) {
        let bytes = &self.text.as_bytes()[range];
        let weight = if bytes.first().is_some_and(u8::is_ascii_digit) {
            bytes
                .iter()
                .filter(|b| !b.is_ascii_alphanumeric() && **b != b'_')
                .count()
        } else {
            0
        };
        self.count(weight, true, 0);
    }

    fn lifetime(&mut self, _: std::ops::Range<usize>) {
        self.count(2, false, 0);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte and token bounds only ever spare the check for texts the check passes, in
    /// every shape that nests (groups, operator chains, lists, lifetimes, doc comments,
    /// numbers the tokenizer keeps a `.` in), on both sides of the limit; the token bound
    /// spares some text past the byte bound's reach in each.
    #[test]
    fn the_bounds_never_spare_a_text_the_check_refuses() {
        let shapes: [fn(usize) -> String; 14] = [
            |n| format!("fn f() {{ {}x{} }}", "(".repeat(n), ")".repeat(n)),
            |n| format!("fn f() {{ let x = a{}; }}", " + a".repeat(n)),
            |n| format!("{}fn f() {{}}", "/// doc\n".repeat(n)),
            |n| format!("fn f() {{ {}1{} }}", "[&(".repeat(n), ")]".repeat(n)),
            |n| format!("fn f() {{ {}1{} }}", "{".repeat(n), "}".repeat(n)),
            |n| format!("fn f() {{ if a {{}}{} }}", " else if a {}".repeat(n)),
            |n| format!("fn f() {{ let c = {}1; }}", "|a, b| !".repeat(n)),
            |n| format!("fn f(x: {}u8{}) {{}}", "X<A, & ".repeat(n), ">".repeat(n)),
            |n| format!("fn f<'a>(x: {}u8) {{}}", "&'a ".repeat(n)),
            |n| format!("fn f() {{ y{}; }}", ".a()".repeat(n)),
            |n| format!("fn f() {{ x = {}0; }}", "1..2 + 1.5 - ".repeat(n)),
            |n| format!("fn f() {{ {}x{} }}", "{ a } b (".repeat(n), ")".repeat(n)),
            |n| format!("fn f() {{ {} }}", "m!{} \"s\" {} r#as x".repeat(n)),
            |n| {
                format!(
                    "//! top\n{}",
                    "#[a] fn f() { g(1, 2); }\n/** d */\n".repeat(n)
                )
            },
        ];
        let (mut crossing, mut helped) = (0, 0);
        for (index, shape) in shapes.iter().enumerate() {
            let (mut spared_by_tokens, mut refused) = (false, false);
            for n in (1..14_000).step_by(211) {
                let text = shape(n);
                let tokens: proc_macro2::TokenStream = text
                    .parse()
                    .unwrap_or_else(|e| panic!("shape {index} does not lex at {n}: {e}"));
                let passes = check_nesting(&tokens).is_ok();
                if shallow_by_bytes(&text) {
                    assert!(passes, "shape {index}: spared by bytes but refused at {n}");
                }
                if shallow_by_tokens(&text) {
                    assert!(passes, "shape {index}: spared by tokens but refused at {n}");
                    spared_by_tokens |= !shallow_by_bytes(&text);
                }
                refused |= !passes;
            }
            crossing += usize::from(refused);
            helped += usize::from(spared_by_tokens && refused);
        }
        // Most shapes reach the limit, and in them the token bound spares texts below it
        // that the byte bound does not.
        assert!(crossing >= 10, "only {crossing} shapes reach the limit");
        assert!(helped >= 8, "the token bound helps in only {helped} shapes");
    }

    /// Ordinary code, however long, is spared the check: nslint's own sources.
    #[test]
    fn ordinary_files_are_shallow_by_tokens() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).expect("src is readable").flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("sources are UTF-8");
                assert!(shallow_by_tokens(&text), "{} is not", path.display());
                checked += 1;
            }
        }
        assert!(checked > 5, "only {checked} files checked");
    }
}
