//! Finds the plain `//` comments of a Rust file without being fooled by string literals, and
//! reads the `// nslint: ...` directives among them.

use std::ops::Range;

/// A `// nslint:` directive as written in a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentDirective {
    /// `allow`, `expect` or `allow-file`.
    pub verb: String,
    /// The lint names, without `nslint::`.
    pub lints: Vec<String>,
    /// The text after `--`, if any.
    pub reason: Option<String>,
    /// The byte range of the comment.
    pub range: Range<usize>,
}

/// What every directive's comment text starts with (after `//` and spaces).
const DIRECTIVE_PREFIX: &str = "nslint:";

/// Every `// nslint: verb(lints) -- reason` directive in `text`.
pub fn directives(text: &str) -> Vec<CommentDirective> {
    // Most files have none: a substring search is much cheaper than finding the comments.
    if !text.contains(DIRECTIVE_PREFIX) {
        return Vec::new();
    }
    line_comments(text)
        .into_iter()
        .filter_map(|range| parse(&text[range.clone()], range))
        .collect()
}

fn parse(comment: &str, range: Range<usize>) -> Option<CommentDirective> {
    let body = comment.strip_prefix("//")?.trim_start();
    let rest = body.strip_prefix(DIRECTIVE_PREFIX)?.trim_start();
    let open = rest.find('(')?;
    let verb = rest[..open].trim();
    if !matches!(verb, "allow" | "expect" | "allow-file") {
        return None;
    }
    let after = &rest[open + 1..];
    let close = after.find(')')?;
    let lints = after[..close]
        .split(',')
        .map(|l| l.trim().trim_start_matches("nslint::").to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    let reason = after[close + 1..]
        .trim_start()
        .strip_prefix("--")
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    Some(CommentDirective {
        verb: verb.to_owned(),
        lints,
        reason,
        range,
    })
}

/// Byte ranges of the `//` comments that are not doc comments (`///`, `//!`), up to the end
/// of their line.
pub fn line_comments(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                let doc = matches!(bytes.get(i + 2), Some(b'!'))
                    || (bytes.get(i + 2) == Some(&b'/') && bytes.get(i + 3) != Some(&b'/'));
                if !doc {
                    out.push(i..end);
                }
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_block_comment(bytes, i),
            b'"' => i = skip_string(bytes, i + 1),
            b'r' | b'b' | b'c' if !ident_before(bytes, i) => i = skip_prefixed(bytes, i),
            b'\'' => i = skip_char(bytes, i),
            _ => i += 1,
        }
    }
    out
}

fn ident_before(bytes: &[u8], i: usize) -> bool {
    i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_')
}

fn skip_block_comment(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// Skips a `"..."` body starting after the opening quote; returns the index after the close.
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// `r"..."`, `r#"..."#`, `b"..."`, `br#"..."#`, `c"..."`; anything else (`b'x'` included,
/// whose quote the caller's character rule reads next) is an identifier starting with that
/// letter.
fn skip_prefixed(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    if bytes[start] != b'r' && bytes.get(i) == Some(&b'r') {
        i += 1;
    }
    // The letter before the quote or hashes: `r` itself, or the `r` after `b` or `c`.
    let raw = bytes[i - 1] == b'r';
    if raw {
        let hashes = bytes[i..].iter().take_while(|&&b| b == b'#').count();
        if bytes.get(i + hashes) != Some(&b'"') {
            return start + 1;
        }
        let mut j = i + hashes + 1;
        while j < bytes.len() {
            if bytes[j] == b'"'
                && bytes.len() >= j + 1 + hashes
                && bytes[j + 1..j + 1 + hashes].iter().all(|&b| b == b'#')
            {
                return j + 1 + hashes;
            }
            j += 1;
        }
        return bytes.len();
    }
    match bytes.get(i) {
        Some(b'"') => skip_string(bytes, i + 1),
        _ => start + 1,
    }
}

/// Skips a character literal, or just the quote of a lifetime or label.
fn skip_char(bytes: &[u8], start: usize) -> usize {
    match bytes.get(start + 1) {
        Some(b'\\') => {
            let mut i = start + 2;
            while i < bytes.len() && bytes[i] != b'\'' && bytes[i] != b'\n' {
                i += 1;
            }
            i + 1
        }
        Some(&lead) => {
            // One character (possibly multi-byte) followed by a quote is a literal.
            let len = match lead {
                0xF0.. => 4,
                0xE0.. => 3,
                0xC0.. => 2,
                _ => 1,
            };
            if bytes.get(start + 1 + len) == Some(&b'\'') {
                start + 2 + len
            } else {
                start + 1
            }
        }
        None => start + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_doc_comments_are_not_directives() {
        let text = r##"let s = "// nslint: allow(a) -- no";
let r = r#"// nslint: allow(b)"#;
/// // nslint: allow(c) -- docs
let c = '"'; // nslint: allow(d) -- yes
let l: &'static str = "x"; // nslint: allow-file(e, nslint::f)
/* // nslint: allow(g) */
// nslint: expect(h)
"##;
        let found = directives(text);
        let names: Vec<_> = found
            .iter()
            .map(|d| (d.verb.as_str(), d.lints.join(","), d.reason.clone()))
            .collect();
        assert_eq!(
            names,
            [
                ("allow", "d".to_owned(), Some("yes".to_owned())),
                ("allow-file", "e,f".to_owned(), None),
                ("expect", "h".to_owned(), None),
            ]
        );
    }

    #[test]
    fn literals_that_a_plain_string_scan_misreads_hide_their_text() {
        // Raw strings with a quote inside, with and without a byte prefix; a raw string that
        // ends in a backslash; a byte string with an escaped quote; identifiers ending in the
        // prefix letters; an escaped character literal right before a quote literal; byte and
        // C strings that hold a directive.
        let text = r####"let a = r#"say " // nslint: allow(a)"#;
let b = br#"say " // nslint: allow(b)"#;
let c = r"C:\"; // nslint: allow(c) -- after a raw string ending in a backslash
let d = b"\" // nslint: allow(d)";
let my_r = 1; let x_b = '"'; // nslint: allow(e) -- after identifiers ending in r and b
let f = match ch { '\\'|'"' => 1, _ => 0 }; // nslint: allow(f) -- after an escape
let g = c"\" // nslint: allow(g)"; let h = b'"'; // nslint: allow(h) -- after a byte
let i = b"// nslint: allow(i)"; let j = c"// nslint: allow(j)";
"####;
        let found: Vec<_> = directives(text)
            .into_iter()
            .map(|d| (d.lints.join(","), d.reason.is_some()))
            .collect();
        let want = ["c", "e", "f", "h"].map(|l| (l.to_owned(), true));
        assert_eq!(found, want, "{text}");
    }

    #[test]
    fn a_literal_ends_exactly_at_its_closing_quote() {
        let only = |text: &str| -> Vec<String> {
            directives(text)
                .into_iter()
                .map(|d| d.lints.join(","))
                .collect()
        };
        // An escaped backslash ends the string's escapes; the quote after it closes it.
        assert_eq!(only(r#"let p = "C:\\"; // nslint: allow(a)"#), ["a"]);
        // A comment right after a character literal's closing quote, whatever the width of
        // the character.
        assert_eq!(only("let c = 'x'// nslint: allow(b)"), ["b"]);
        assert_eq!(only("let c = '\u{20ac}'// nslint: allow(e)"), ["e"]);
        // A raw string ends after its closing hashes.
        assert_eq!(only(r##"let r = r#"x"#; // nslint: allow(r)"##), ["r"]);
        // A character of any width is one literal: its closing quote opens nothing (read as
        // an opening, it would take `','` for a literal and open a string at the `"`).
        for c in ['\u{e9}', '\u{20ac}', '\u{1f600}'] {
            let text = format!("let pair = ('{c}','\"'); // nslint: allow(w)");
            assert_eq!(only(&text), ["w"], "{text}");
        }
        // A file may end inside an escape of a character literal, or right after a quote.
        assert_eq!(line_comments("// nslint: allow(c)\nlet c = '\\").len(), 1);
        assert_eq!(line_comments("// nslint: allow(c)\nlet c = '").len(), 1);
    }

    #[test]
    fn a_comment_runs_to_the_end_of_its_line_and_block_comments_nest() {
        let text =
            "/* a /* b */ // nslint: allow(x) */ f(); // nslint: allow(y)\n// nslint: allow(z)";
        let ranges = line_comments(text);
        let comments: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(comments, ["// nslint: allow(y)", "// nslint: allow(z)"]);
        // An unterminated block comment or string hides the rest of the file.
        assert!(line_comments("/* // nslint: allow(x)").is_empty());
        assert!(line_comments("\"// nslint: allow(x)").is_empty());
        assert!(line_comments("r#\"// nslint: allow(x)").is_empty());
        // Closed by fewer hashes than it opened with, at the very end.
        assert!(line_comments("r##\"// nslint: allow(x)\"#").is_empty());
        // A slash or a star alone inside a block comment opens and closes nothing.
        let text = "/* a/b * c */ // nslint: allow(y)";
        assert_eq!(line_comments(text), vec![14..text.len()]);
        // A file may end in an identifier ending in a prefix letter.
        assert_eq!(line_comments("// a\nlet ab").len(), 1);
        assert_eq!(line_comments("// a\nlet ac").len(), 1);
        assert_eq!(line_comments("// a\nlet ar").len(), 1);
        assert_eq!(line_comments("// a\nlet x = b").len(), 1);
    }

    #[test]
    fn four_slashes_make_a_plain_comment_and_three_a_doc_comment() {
        let text = "/// doc\nfn f() {} //// plain\n";
        let plain = text.find("////").expect("plain");
        assert_eq!(line_comments(text), vec![plain..text.len() - 1]);
    }

    #[test]
    fn a_division_opens_no_block_comment() {
        let text = "let q = a / b; // nslint: allow(x)";
        let comment = text.find("//").expect("comment");
        assert_eq!(line_comments(text), vec![comment..text.len()]);
    }

    #[test]
    fn a_multibyte_character_literal_ends_at_its_own_quote() {
        // Its closing quote opens nothing: the string after it stays a string.
        let text = "let pair = ('\u{e9}',\"// nslint: allow(x)\"); // nslint: allow(y)";
        let comment = text.rfind("//").expect("comment");
        assert_eq!(line_comments(text), vec![comment..text.len()]);
    }

    #[test]
    fn a_letter_ending_an_identifier_starts_no_raw_string() {
        // Edition 2015 and 2018 macro input may put an identifier right before a string:
        // `xr` and `x_r` are identifiers, and the string after them keeps its escapes.
        for text in [
            r#"m!(xr"\" // nslint: allow(x)"); // nslint: allow(y)"#,
            r#"m!(x_r"\" // nslint: allow(x)"); // nslint: allow(y)"#,
        ] {
            let comment = text.rfind("//").expect("comment");
            assert_eq!(line_comments(text), vec![comment..text.len()], "{text}");
        }
    }

    #[test]
    fn a_directive_reads_its_verb_lints_and_reason() {
        let parsed = |text: &str| parse(text, 0..text.len()).map(|d| (d.verb, d.lints, d.reason));
        assert_eq!(
            parsed("//nslint:expect( nslint::a ,b,, ) --  why  "),
            Some((
                "expect".into(),
                vec!["a".into(), "b".into()],
                Some("why".into())
            ))
        );
        assert_eq!(
            parsed("// nslint: allow(a) --"),
            Some(("allow".into(), vec!["a".into()], None))
        );
        assert_eq!(
            parsed("// nslint: allow(a) - not a reason"),
            Some(("allow".into(), vec!["a".into()], None))
        );
        assert_eq!(
            parsed("// nslint: deny(a) -- levels are attributes only"),
            None
        );
        assert_eq!(parsed("// nslint: allow a"), None);
        assert_eq!(parsed("// nslint: allow(a"), None);
        assert_eq!(parsed("// nslintx: allow(a)"), None);
        assert_eq!(parsed("// see nslint: allow(a)"), None);
    }
}
