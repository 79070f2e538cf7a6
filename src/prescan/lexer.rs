//! A byte-level tokenizer for Rust source that only tells identifiers, brackets and punctuation
//! apart, skipping comments and every kind of literal. The fast path reads its tokens to find
//! module declarations ([`super::modules`]), and hollowing to find item boundaries, without
//! building a syntax tree.

use std::ops::Range;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An identifier or keyword (a raw identifier's range excludes `r#`).
    Ident,
    /// `(`, `[` or `{`.
    Open(u8),
    /// `)`, `]` or `}`.
    Close(u8),
    /// One ASCII punctuation byte (`::` is two `:` tokens next to each other).
    Punct(u8),
}

/// A token and where it is in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// Its byte range.
    pub range: Range<usize>,
}

/// A text with its tokens, as the scanners read them.
#[derive(Debug, Clone, Copy)]
pub struct Tokens<'a> {
    /// The text.
    pub text: &'a str,
    /// Its tokens, in order.
    pub tokens: &'a [Token],
}

impl<'a> Tokens<'a> {
    /// The identifier at token index `index`, if that token is one.
    pub fn ident(&self, index: usize) -> Option<&'a str> {
        let token = self.tokens.get(index)?;
        (token.kind == Kind::Ident).then(|| &self.text[token.range.clone()])
    }

    /// Whether the token at `index` is of `kind`.
    pub fn is(&self, index: usize, kind: Kind) -> bool {
        self.tokens.get(index).is_some_and(|t| t.kind == kind)
    }
}

/// Tokenizes `text`. Literals, lifetimes and comments produce no tokens. `None` when the text
/// ends inside a comment or literal.
#[cfg(test)]
pub fn tokenize(text: &str) -> Option<Vec<Token>> {
    tokenize_noting_docs(text).map(|(tokens, _)| tokens)
}

/// `tokenize`, also returning where each doc comment's third byte is (the `/` of `///`,
/// the `!` of `//!`, the `*` of `/**`, the `!` of `/*!`): a space there makes it a plain
/// comment.
pub fn tokenize_noting_docs(text: &str) -> Option<(Vec<Token>, Vec<usize>)> {
    tokenize_noting_docs_beside(text, &mut ())
}

/// [`tokenize_noting_docs`], telling `beside` everything the tokenizer finds as well.
pub fn tokenize_noting_docs_beside(
    text: &str,
    beside: &mut impl Sink,
) -> Option<(Vec<Token>, Vec<usize>)> {
    let mut both = (Collect::new(text, None), beside);
    lex(text, &mut both)?;
    Some((both.0.tokens, both.0.docs))
}

/// Where `text`'s comments are, in order; `None` as for `tokenize`.
pub fn comments(text: &str) -> Option<Vec<Range<usize>>> {
    let mut comments = Vec::new();
    let mut collect = Collect::new(text, Some(&mut comments));
    lex(text, &mut collect)?;
    Some(comments)
}

/// What the tokenizer reports, in text order: its tokens, and what it skips.
pub trait Sink {
    /// An identifier, bracket or punctuation byte.
    fn token(&mut self, token: Token);
    /// A comment at `range`; `doc` for a doc comment (`///`, `//!`, `/**`, `/*!`).
    fn comment(&mut self, range: Range<usize>, doc: bool);
    /// A string, character or number literal.
    fn literal(&mut self, range: Range<usize>);
    /// A lifetime or label (`'a`).
    fn lifetime(&mut self, range: Range<usize>);
}

/// A sink that keeps nothing.
impl Sink for () {
    fn token(&mut self, _: Token) {}

    fn comment(&mut self, _: Range<usize>, _: bool) {}

    fn literal(&mut self, _: Range<usize>) {}

    fn lifetime(&mut self, _: Range<usize>) {}
}

/// Two sinks told the same.
impl<A: Sink, B: Sink> Sink for (A, &mut B) {
    fn token(&mut self, token: Token) {
        self.1.token(token.clone());
        self.0.token(token);
    }

    fn comment(&mut self, range: Range<usize>, doc: bool) {
        self.0.comment(range.clone(), doc);
        self.1.comment(range, doc);
    }

    fn literal(&mut self, range: Range<usize>) {
        self.0.literal(range.clone());
        self.1.literal(range);
    }

    fn lifetime(&mut self, range: Range<usize>) {
        self.0.lifetime(range.clone());
        self.1.lifetime(range);
    }
}

/// The sink of [`tokenize_noting_docs`] and [`comments`].
struct Collect<'c> {
    tokens: Vec<Token>,
    docs: Vec<usize>,
    comments: Option<&'c mut Vec<Range<usize>>>,
}

impl<'c> Collect<'c> {
    fn new(text: &str, comments: Option<&'c mut Vec<Range<usize>>>) -> Self {
        Collect {
            // Code has a token every 4 to 6 bytes (3.9 on the 200k-line bench corpus, 5.5 on
            // nslint's own documented source); growing the vector from a smaller guess copied
            // it over and over.
            tokens: Vec::with_capacity(text.len() / 4),
            docs: Vec::new(),
            comments,
        }
    }
}

impl Sink for Collect<'_> {
    fn token(&mut self, token: Token) {
        self.tokens.push(token);
    }

    fn comment(&mut self, range: Range<usize>, doc: bool) {
        if doc {
            self.docs.push(range.start + 2);
        }
        if let Some(comments) = self.comments.as_deref_mut() {
            comments.push(range);
        }
    }

    fn literal(&mut self, _: Range<usize>) {}

    fn lifetime(&mut self, _: Range<usize>) {}
}

/// The tokenizer: tells `sink` what it finds; `None` when the text ends inside a comment or
/// literal.
pub fn lex(text: &str, sink: &mut impl Sink) -> Option<()> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' => at = blank_end(bytes, at + 1),
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                let end = memchr_or_end(b'\n', bytes, at);
                sink.comment(at..end, is_doc(bytes, at, b'/'));
                at = end;
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                let end = block_comment_end(bytes, at)?;
                sink.comment(at..end, is_doc(bytes, at, b'*'));
                at = end;
            }
            b'"' => {
                let end = quoted_end(bytes, at + 1, b'"')?;
                sink.literal(at..end);
                at = end;
            }
            b'\'' => {
                let end = quote_or_lifetime_end(text, at)?;
                if end - at >= 3 && bytes[end - 1] == b'\'' {
                    sink.literal(at..end);
                } else {
                    sink.lifetime(at..end);
                }
                at = end;
            }
            b'0'..=b'9' => {
                let end = number_end(bytes, at);
                sink.literal(at..end);
                at = end;
            }
            b'(' | b'[' | b'{' => {
                sink.token(token(Kind::Open(byte), at, at + 1));
                at += 1;
            }
            b')' | b']' | b'}' => {
                sink.token(token(Kind::Close(byte), at, at + 1));
                at += 1;
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                if matches!(byte, b'b' | b'c' | b'r')
                    && let Some(end) = prefixed_literal_end(bytes, at)
                {
                    let end = end?;
                    sink.literal(at..end);
                    at = end;
                    continue;
                }
                let start = if bytes[at..].starts_with(b"r#") {
                    at + 2
                } else {
                    at
                };
                let end = ident_end(text, start);
                sink.token(token(Kind::Ident, start, end));
                at = end;
            }
            _ if byte.is_ascii() => {
                sink.token(token(Kind::Punct(byte), at, at + 1));
                at += 1;
            }
            _ if is_ident_start(text, at) => {
                let end = ident_end(text, at);
                sink.token(token(Kind::Ident, at, end));
                at = end;
            }
            // Other non-ASCII characters (Unicode whitespace): skipped.
            _ => at += char_len(text, at),
        }
    }
    Some(())
}

/// Whether the comment at `at` (`//` or `/*`, its second byte `kind`) is a doc comment:
/// `///` but not `////`, `//!`, `/**` but not `/***` or `/**/`, `/*!`.
fn is_doc(bytes: &[u8], at: usize, kind: u8) -> bool {
    match (bytes.get(at + 2), bytes.get(at + 3)) {
        (Some(b'!'), _) => true,
        (Some(&third), fourth) if third == kind => {
            fourth != Some(&kind) && !(kind == b'*' && fourth == Some(&b'/'))
        }
        _ => false,
    }
}

fn token(kind: Kind, start: usize, end: usize) -> Token {
    Token {
        kind,
        range: start..end,
    }
}

/// The end of the run of spaces, tabs and line breaks that continues at `at`.
fn blank_end(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r') {
        at += 1;
    }
    at
}

fn memchr_or_end(needle: u8, bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|b| *b == needle)
        .map_or(bytes.len(), |p| from + p)
}

fn char_len(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(1, char::len_utf8)
}

fn is_ident_start(text: &str, at: usize) -> bool {
    match text.as_bytes().get(at) {
        Some(b) if b.is_ascii() => b.is_ascii_alphabetic() || *b == b'_',
        Some(_) => text[at..].chars().next().is_some_and(char::is_alphabetic),
        None => false,
    }
}

/// Which bytes continue an ASCII identifier.
const IDENT_CONTINUE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || b == b'_';
        byte += 1;
    }
    table
};

fn is_ident_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

fn ident_end(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let mut at = from;
    // ASCII first: nearly every identifier is.
    while at < bytes.len() && IDENT_CONTINUE[usize::from(bytes[at])] {
        at += 1;
    }
    if at < bytes.len() && !bytes[at].is_ascii() {
        return text[at..]
            .char_indices()
            .find(|(_, c)| !is_ident_continue(*c))
            .map_or(text.len(), |(i, _)| at + i);
    }
    at
}

/// The end of a nested block comment starting at `at`.
fn block_comment_end(bytes: &[u8], mut at: usize) -> Option<usize> {
    let mut depth = 0usize;
    while at + 1 < bytes.len() {
        match (bytes[at], bytes[at + 1]) {
            (b'/', b'*') => {
                depth += 1;
                at += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                at += 2;
                if depth == 0 {
                    return Some(at);
                }
            }
            _ => at += 1,
        }
    }
    None
}

/// The end of a literal whose body starts at `at` and ends at an unescaped `close`.
fn quoted_end(bytes: &[u8], mut at: usize, close: u8) -> Option<usize> {
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b if b == close => return Some(at + 1),
            _ => at += 1,
        }
    }
    None
}

/// `'x'`, `'\n'`, `'\u{..}'` (char literals) or `'a` (lifetimes and labels), from the quote.
fn quote_or_lifetime_end(text: &str, at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    match bytes.get(at + 1) {
        Some(b'\\') => quoted_end(bytes, at + 1, b'\''),
        Some(_) => {
            let after = at + 1 + char_len(text, at + 1);
            if bytes.get(after) == Some(&b'\'') {
                Some(after + 1)
            } else if is_ident_start(text, at + 1) {
                // A lifetime or label (possibly `'r#a`): skip its name.
                let start = if bytes[at + 1..].starts_with(b"r#") {
                    at + 3
                } else {
                    at + 1
                };
                Some(ident_end(text, start))
            } else {
                Some(at + 1)
            }
        }
        None => Some(at + 1),
    }
}

fn number_end(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        let b = bytes[at];
        if b.is_ascii_alphanumeric() || b == b'_' {
            at += 1;
        } else if b == b'.' && bytes.get(at + 1).is_some_and(u8::is_ascii_digit) {
            at += 2;
        } else {
            break;
        }
    }
    at
}

/// For a literal with a letter prefix (`b"..."`, `b'x'`, `r"..."`, `r#"..."#`, `br`, `c`,
/// `cr`) starting at `at`: `Some` with the end of the literal (`None` inside when it is not
/// closed); `None` when `at` starts an identifier.
fn prefixed_literal_end(bytes: &[u8], at: usize) -> Option<Option<usize>> {
    let rest = &bytes[at..];
    let prefix = if rest.starts_with(b"br") || rest.starts_with(b"cr") {
        2
    } else if matches!(rest.first(), Some(b'b' | b'c' | b'r')) {
        1
    } else {
        return None;
    };
    let raw = rest[prefix - 1] == b'r';
    let after = at + prefix;
    match bytes.get(after) {
        Some(b'"') if raw => Some(raw_string_end(bytes, after, 0)),
        Some(b'#') if raw => {
            let hashes = bytes[after..].iter().take_while(|b| **b == b'#').count();
            // `r#ident` is a raw identifier, not a string.
            (bytes.get(after + hashes) == Some(&b'"'))
                .then(|| raw_string_end(bytes, after + hashes, hashes))
        }
        Some(b'"') => Some(quoted_end(bytes, after + 1, b'"')),
        Some(b'\'') if prefix == 1 && rest[0] == b'b' => Some(quoted_end(bytes, after + 1, b'\'')),
        _ => None,
    }
}

/// The end of a raw string whose opening quote is at `quote`, closed by `"` and `hashes` `#`.
fn raw_string_end(bytes: &[u8], quote: usize, hashes: usize) -> Option<usize> {
    let mut at = quote + 1;
    while at < bytes.len() {
        if bytes[at] == b'"'
            && bytes.len() >= at + 1 + hashes
            && bytes[at + 1..at + 1 + hashes].iter().all(|b| *b == b'#')
        {
            return Some(at + 1 + hashes);
        }
        at += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(text: &str) -> Vec<&str> {
        tokenize(text)
            .expect("tokenizes")
            .into_iter()
            .filter(|t| t.kind == Kind::Ident)
            .map(|t| &text[t.range])
            .collect()
    }

    #[test]
    fn literals_comments_and_lifetimes_produce_no_identifiers() {
        let text = r####"fn a<'x>(s: &'x str) -> char { /* fn b() { /* nested */ } */
            // fn c() {
            let _ = ("fn d() {", r#"fn "e" {"#, br##"{"##, b'{', '{', '\'', '\u{7b}', c"{");
            'outer: loop { break 'outer; }
            r#match
        }"####;
        assert_eq!(
            idents(text),
            [
                "fn", "a", "s", "str", "char", "let", "_", "loop", "break", "match"
            ]
        );
    }

    #[test]
    fn brackets_are_balanced_through_literals() {
        let text = "fn f() { let s = \"}}\"; let c = '}'; g(1.0e3, x.0.y) }";
        let tokens = tokenize(text).expect("tokenizes");
        let opens = tokens
            .iter()
            .filter(|t| matches!(t.kind, Kind::Open(_)))
            .count();
        let closes = tokens
            .iter()
            .filter(|t| matches!(t.kind, Kind::Close(_)))
            .count();
        assert_eq!((opens, closes), (3, 3));
        assert!(idents(text).contains(&"y"));
    }

    #[test]
    fn doc_comments_are_noted_where_a_space_makes_them_plain() {
        let text = "/// a\n//// b\n//! c\n/** d */\n/*** e */\n/**/\n/*! f */\n// g\nfn x() {}";
        let (_, docs) = tokenize_noting_docs(text).expect("tokenizes");
        let marked: Vec<&str> = docs.iter().map(|&at| &text[at - 2..at + 1]).collect();
        assert_eq!(marked, vec!["///", "//!", "/**", "/*!"]);
    }

    #[test]
    fn unterminated_literals_and_comments_are_refused() {
        assert!(tokenize("fn f() { \"open }").is_none());
        assert!(tokenize("fn f() { /* open }").is_none());
        assert!(tokenize("fn f() { r#\"open\" }").is_none());
    }
}
