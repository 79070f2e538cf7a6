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
pub fn parse_file(file: &SourceFile) -> Result<syn::File, ParseFailure> {
    let text = blank_shebang(&file.text);
    syn::parse_file(&text).map_err(|error| {
        let start = error.span().start();
        ParseFailure {
            offset: file.offset_of(start.line, start.column),
            message: error.to_string(),
        }
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
