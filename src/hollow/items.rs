//! Item boundaries from [`crate::prescan::lexer`] tokens: where each function's body is, and which names
//! every other item defines. Only item positions are looked at (the file, and `mod`, `impl`,
//! `trait` and `extern` blocks); macro invocations and attributes are skipped whole.

use crate::prescan::lexer::{Kind, Token, Tokens};
use std::ops::Range;

/// A function with a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FnItem {
    /// The text from `fn` to the closing brace: what decides whether it matters.
    pub text: Range<usize>,
    /// Inside the braces.
    pub body: Range<usize>,
    /// Its name, and the names of the functions and macros defined inside it (an `impl` in a
    /// body defines methods callable from anywhere).
    pub names: Vec<String>,
    /// Whether a parameter may hold a closure (it is generic, or some parameter's type is
    /// not made of primitives only): only such a function can hand a closure argument to a
    /// thread or scope.
    pub may_take_closure: bool,
    /// Where the whole item starts (its outer attributes, visibility and qualifiers
    /// included) when it could be left out altogether: it has a name, and what stands before
    /// it ends an item, opens a block or is an inner attribute. `None` otherwise.
    pub erasable_from: Option<usize>,
}

/// An item other than a function: a type, constant, static, type alias or macro.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherItem {
    /// Its whole text.
    pub text: Range<usize>,
    /// The names it defines: its own, and a struct's field names (a method call through a
    /// field is typed by the field's declaration).
    pub names: Vec<String>,
    /// A struct's named fields, each from its name to the end of its type.
    pub fields: Vec<Field>,
    /// Whether it is one such field, split from its struct ([`FileItems::with_fields_apart`]):
    /// its name is only ever a field's, never a path's first segment.
    pub is_field: bool,
    /// Whether code that names it may run what it spells: a macro, or a constant or static
    /// (which may hold a function). A type or a field cannot.
    pub hides_calls: bool,
}

/// A named field of a struct or union.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// From its name to the end of its type.
    pub text: Range<usize>,
    /// Its name.
    pub name: String,
}

impl FileItems {
    /// The items with each struct split into its header (its own name) and its fields (each
    /// its own name): a field's name matters to the code that spells it only when the field's
    /// own type does, not when another field's does.
    pub fn with_fields_apart(mut self) -> FileItems {
        let mut others = Vec::with_capacity(self.others.len());
        for item in std::mem::take(&mut self.others) {
            let Some(first) = item.fields.first() else {
                others.push(item);
                continue;
            };
            others.push(OtherItem {
                text: item.text.start..first.text.start,
                names: item.names.into_iter().take(1).collect(),
                fields: Vec::new(),
                is_field: false,
                hides_calls: false,
            });
            others.extend(item.fields.into_iter().map(|field| OtherItem {
                text: field.text,
                names: vec![field.name],
                fields: Vec::new(),
                is_field: true,
                hides_calls: false,
            }));
        }
        self.others = others;
        self
    }
}

/// One imported name of a `use` item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseLeaf {
    /// The path's segments, the last one included (`*` for a glob).
    pub segments: Vec<String>,
    /// The name it brings into scope (its rename, else its last segment); `None` for globs.
    pub local: Option<String>,
}

/// What a file's items are.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileItems {
    /// Functions with bodies.
    pub fns: Vec<FnItem>,
    /// Other named items.
    pub others: Vec<OtherItem>,
    /// Every imported name.
    pub uses: Vec<UseLeaf>,
    /// Where the identifiers that define the names of `fns` and `others` start, in order: the
    /// spelling that defines a name is no mention of it.
    pub definitions: Vec<usize>,
}

/// Finds the items of a tokenized file. `None` when the brackets do not balance.
pub fn items(text: &str, tokens: &[Token]) -> Option<FileItems> {
    let matching = matching_brackets(tokens)?;
    let mut scan = Scan {
        code: Tokens { text, tokens },
        matching: &matching,
        out: FileItems::default(),
        in_drop_impl: false,
    };
    scan.item_list(0, tokens.len());
    scan.out.definitions.sort_unstable();
    Some(scan.out)
}

/// Words that may stand between a function item's start and its `fn` (the path of
/// `pub(in crate::a)` is inside parentheses).
const FN_QUALIFIERS: [&str; 6] = ["pub", "async", "unsafe", "const", "extern", "safe"];

/// Words a type made only of primitives can spell (`&'a mut [u8]`, `*const i32`, `(u8, str)`).
fn is_primitive_type_word(word: &str) -> bool {
    matches!(
        word,
        "bool"
            | "char"
            | "str"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "usize"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "isize"
            | "f32"
            | "f64"
            | "mut"
            | "const"
    )
}

/// For each opening bracket, the index of its closing one (other entries are unused).
fn matching_brackets(tokens: &[Token]) -> Option<Vec<usize>> {
    let mut matching = vec![0; tokens.len()];
    let mut open: Vec<(usize, u8)> = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        match token.kind {
            Kind::Open(b) => open.push((index, b)),
            Kind::Close(b) => {
                let (start, opened) = open.pop()?;
                let expected = match opened {
                    b'(' => b')',
                    b'[' => b']',
                    _ => b'}',
                };
                if b != expected {
                    return None;
                }
                matching[start] = index;
            }
            _ => {}
        }
    }
    open.is_empty().then_some(matching)
}

/// Where an item's header ends (token indices).
enum HeaderEnd {
    /// At the brace group opening here.
    Brace(usize),
    /// At the `;` here.
    Semicolon(usize),
}

struct Scan<'a> {
    code: Tokens<'a>,
    matching: &'a [usize],
    out: FileItems,
    /// Inside `impl Drop for ..`: its `drop` is only ever called by the compiler (explicit
    /// calls are refused, E0040), so the name `drop` elsewhere never reaches it.
    in_drop_impl: bool,
}

impl Scan<'_> {
    /// The index after the group opening at `index`.
    fn skip_group(&self, index: usize) -> usize {
        self.matching[index] + 1
    }

    /// The index of the first `;` at this level from `index` (groups skipped), or of the end.
    fn semicolon_from(&self, mut index: usize, end: usize) -> usize {
        while index < end {
            match self.code.tokens[index].kind {
                Kind::Punct(b';') => return index,
                Kind::Open(_) => index = self.skip_group(index),
                _ => index += 1,
            }
        }
        end
    }

    /// Scans the items between token indices `start` and `end`.
    fn item_list(&mut self, mut index: usize, end: usize) {
        let mut impl_start = None;
        while index < end {
            index = match self.code.tokens[index].kind {
                Kind::Punct(b'#') => self.after_attribute(index),
                Kind::Open(b'{') => {
                    // An `impl`, `trait`, `mod` or `extern` block (or a const argument).
                    let close = self.matching[index];
                    let outer = self.in_drop_impl;
                    self.in_drop_impl = impl_start
                        .take()
                        .is_some_and(|start| self.implements_drop(start, index));
                    self.item_list(index + 1, close);
                    self.in_drop_impl = outer;
                    close + 1
                }
                Kind::Ident if self.code.ident(index) == Some("impl") => {
                    impl_start = Some(index);
                    index + 1
                }
                Kind::Open(_) => self.skip_group(index),
                Kind::Ident => self.item_at(index, end),
                _ => index + 1,
            };
        }
    }

    /// Whether the `impl` header between two token indices is `impl .. Drop for ..`.
    fn implements_drop(&self, start: usize, end: usize) -> bool {
        (start..end)
            .any(|i| self.code.ident(i) == Some("Drop") && self.code.ident(i + 1) == Some("for"))
    }

    fn after_attribute(&self, index: usize) -> usize {
        let mut next = index + 1;
        if self.code.is(next, Kind::Punct(b'!')) {
            next += 1;
        }
        if !self.code.is(next, Kind::Open(b'[')) {
            return next;
        }
        self.skip_group(next)
    }

    /// Scans the item starting with the identifier at `index`; returns where to go on.
    fn item_at(&mut self, index: usize, end: usize) -> usize {
        let word = self.code.ident(index).unwrap_or_default();
        let name = self.code.ident(index + 1).map(str::to_owned);
        match (word, name) {
            ("fn", Some(name)) => self.function(index, &name, end),
            ("macro_rules", _) if self.code.is(index + 1, Kind::Punct(b'!')) => {
                let group = index + 3;
                if !matches!(
                    self.code.tokens.get(group).map(|t| t.kind),
                    Some(Kind::Open(_))
                ) {
                    return index + 1;
                }
                let defined = self.define(&[index + 2]);
                let after = self.skip_group(group);
                self.other(index, after - 1, defined);
                after
            }
            ("use", _) => {
                let semi = self.semicolon_from(index + 1, end);
                let mut leaves = Vec::new();
                self.use_tree(index + 1, semi, &mut Vec::new(), &mut leaves);
                self.out.uses.extend(leaves);
                semi + 1
            }
            ("struct" | "enum" | "union", Some(_)) => self.type_definition(index, end),
            ("type" | "const" | "static", Some(name)) => {
                if name == "fn" || name == "unsafe" || name == "async" || name == "extern" {
                    // `const fn`, `const unsafe fn`: the function comes next.
                    return index + 1;
                }
                let at = if name == "mut" { index + 2 } else { index + 1 };
                let names = self.define(&[at]);
                let semi = self.semicolon_from(index + 2, end);
                self.other(index, semi.min(end.saturating_sub(1)), names);
                semi + 1
            }
            // A macro invocation in item position: its tokens are not items.
            _ if self.code.is(index + 1, Kind::Punct(b'!'))
                && matches!(
                    self.code.tokens.get(index + 2).map(|t| t.kind),
                    Some(Kind::Open(_))
                ) =>
            {
                self.skip_group(index + 2)
            }
            _ => index + 1,
        }
    }

    /// The names the identifiers at token indices `at` define, noting where they are spelled
    /// ([`FileItems::definitions`]).
    fn define(&mut self, at: &[usize]) -> Vec<String> {
        let mut names = Vec::with_capacity(at.len());
        for &index in at {
            if let Some(name) = self.code.ident(index) {
                names.push(name.to_owned());
                self.out
                    .definitions
                    .push(self.code.tokens[index].range.start);
            }
        }
        names
    }

    fn other(&mut self, first: usize, last: usize, names: Vec<String>) {
        let (Some(start), Some(stop)) = (self.code.tokens.get(first), self.code.tokens.get(last))
        else {
            return;
        };
        let hides_calls = matches!(
            self.code.ident(first),
            Some("macro_rules" | "const" | "static")
        );
        self.out.others.push(OtherItem {
            text: start.range.start..stop.range.end,
            names,
            fields: Vec::new(),
            is_field: false,
            hides_calls,
        });
    }

    /// Where an item that started before `from` ends its header: at its first brace group or
    /// at a `;`, at this level (other groups skipped); `None` at `end`.
    fn header_end(&self, mut from: usize, end: usize) -> Option<HeaderEnd> {
        while from < end {
            match self.code.tokens[from].kind {
                Kind::Open(b'{') => return Some(HeaderEnd::Brace(from)),
                Kind::Open(_) => from = self.skip_group(from),
                Kind::Punct(b';') => return Some(HeaderEnd::Semicolon(from)),
                _ => from += 1,
            }
        }
        None
    }

    /// `fn name ... { body }` or `fn name ...;`.
    fn function(&mut self, index: usize, name: &str, end: usize) -> usize {
        match self.header_end(index + 2, end) {
            Some(HeaderEnd::Brace(open)) => {
                let close = self.matching[open];
                let implicit = self.in_drop_impl && name == "drop";
                let mut defining = if implicit {
                    Vec::new()
                } else {
                    vec![index + 1]
                };
                defining.extend(self.nested_names(open + 1, close));
                let names = self.define(&defining);
                let may_take_closure = self.may_take_closure(index + 2, open);
                let erasable_from = (!implicit).then(|| self.item_start(index)).flatten();
                self.out.fns.push(FnItem {
                    text: self.code.tokens[index].range.start..self.code.tokens[close].range.end,
                    body: self.code.tokens[open].range.end..self.code.tokens[close].range.start,
                    names,
                    may_take_closure,
                    erasable_from,
                });
                close + 1
            }
            Some(HeaderEnd::Semicolon(at)) => at + 1,
            None => end,
        }
    }

    /// Where the function item whose `fn` is at token `index` starts, outer attributes,
    /// visibility and qualifiers included, when what stands before them ends an item, opens
    /// a block or is an inner attribute (`None` after anything unexpected).
    fn item_start(&self, index: usize) -> Option<usize> {
        let mut first = index;
        loop {
            let Some(before) = first.checked_sub(1) else {
                return Some(self.code.tokens[first].range.start);
            };
            match self.code.tokens[before].kind {
                Kind::Ident
                    if self
                        .code
                        .ident(before)
                        .is_some_and(|w| FN_QUALIFIERS.contains(&w)) =>
                {
                    first = before;
                }
                Kind::Close(b')') => {
                    // `pub(crate)`, `pub(in a::b)`: no nested group.
                    let open = (0..before).rev().find(|&i| {
                        !matches!(self.code.tokens[i].kind, Kind::Ident | Kind::Punct(b':'))
                    })?;
                    if !self.code.is(open, Kind::Open(b'('))
                        || self.code.ident(open.checked_sub(1)?) != Some("pub")
                    {
                        return None;
                    }
                    first = open - 1;
                }
                Kind::Close(b']') => {
                    let open = self.opening(before)?;
                    match self.code.tokens[open.checked_sub(1)?].kind {
                        // `#[..]`: the item's own attribute.
                        Kind::Punct(b'#') => first = open - 1,
                        // `#![..]`: the enclosing file's or block's, which ends before the item.
                        Kind::Punct(b'!') => return Some(self.code.tokens[first].range.start),
                        _ => return None,
                    }
                }
                Kind::Punct(b';') | Kind::Open(b'{') | Kind::Close(b'}') => {
                    return Some(self.code.tokens[first].range.start);
                }
                _ => return None,
            }
        }
    }

    /// The index of the bracket that the closing one at `close` closes.
    fn opening(&self, close: usize) -> Option<usize> {
        let mut depth = 0usize;
        for index in (0..close).rev() {
            match self.code.tokens[index].kind {
                Kind::Close(_) => depth += 1,
                Kind::Open(_) if depth == 0 => return Some(index),
                Kind::Open(_) => depth -= 1,
                _ => {}
            }
        }
        None
    }

    /// Whether the function header between two token indices (after the name, up to the
    /// body) may take a closure: it has generic parameters, or a parameter's type names
    /// anything but primitives (`impl Fn`, `Box<dyn Fn>`, a struct, an alias).
    fn may_take_closure(&self, start: usize, end: usize) -> bool {
        let Some(open) = (start..end).find(|&i| self.code.is(i, Kind::Open(b'('))) else {
            return true;
        };
        if (start..open).any(|i| self.code.is(i, Kind::Punct(b'<'))) {
            return true;
        }
        let close = self.matching[open];
        // Whether the tokens seen since the last top-level comma are a type (after `name:`).
        let mut in_type = false;
        let mut depth = 0usize;
        for index in open + 1..close {
            match self.code.tokens[index].kind {
                Kind::Open(_) => depth += 1,
                Kind::Close(_) => depth = depth.saturating_sub(1),
                Kind::Punct(b',') if depth == 0 => in_type = false,
                Kind::Punct(b':') if depth == 0 => in_type = true,
                Kind::Ident
                    if in_type && !self.code.ident(index).is_some_and(is_primitive_type_word) =>
                {
                    return true;
                }
                _ => {}
            }
        }
        false
    }

    /// Where the names of functions and macros defined anywhere between two token indices are
    /// (token indices).
    fn nested_names(&self, start: usize, end: usize) -> Vec<usize> {
        let mut names = Vec::new();
        for index in start..end {
            let defines = match self.code.ident(index) {
                Some("fn") => index + 1,
                Some("macro_rules") if self.code.is(index + 1, Kind::Punct(b'!')) => index + 2,
                _ => continue,
            };
            if self.code.ident(defines).is_some() {
                names.push(defines);
            }
        }
        names
    }

    /// `struct`, `enum` or `union`: its name, and a struct's field names.
    fn type_definition(&mut self, index: usize, end: usize) -> usize {
        match self.header_end(index + 2, end) {
            Some(HeaderEnd::Brace(open)) => {
                let close = self.matching[open];
                let fields = self.field_names(open + 1, close);
                let mut defining = vec![index + 1];
                defining.extend(&fields);
                let names = self.define(&defining);
                self.other(index, close, names);
                let apart: Vec<Field> = fields
                    .iter()
                    .map(|&at| Field {
                        text: self.code.tokens[at].range.start
                            ..self.code.tokens[self.field_end(at, close)].range.end,
                        name: self.code.text[self.code.tokens[at].range.clone()].to_owned(),
                    })
                    .collect();
                let is_enum = self.code.ident(index) == Some("enum");
                if let Some(item) = self.out.others.last_mut().filter(|_| !is_enum) {
                    item.fields = apart;
                }
                close + 1
            }
            Some(HeaderEnd::Semicolon(at)) => {
                let names = self.define(&[index + 1]);
                self.other(index, at, names);
                at + 1
            }
            None => end,
        }
    }

    /// The last token of the field whose name is at `at`: before the next `,` at this level,
    /// or before `close`.
    fn field_end(&self, at: usize, close: usize) -> usize {
        let mut index = at;
        while index + 1 < close {
            match self.code.tokens[index + 1].kind {
                Kind::Punct(b',') => break,
                Kind::Open(_) => index = self.matching[index + 1],
                _ => index += 1,
            }
        }
        index
    }

    /// Identifiers followed by a single `:` directly inside a brace group (token indices).
    fn field_names(&self, mut at: usize, end: usize) -> Vec<usize> {
        let mut names = Vec::new();
        while at < end {
            if let Kind::Open(_) = self.code.tokens[at].kind {
                at = self.skip_group(at);
                continue;
            }
            if self.code.ident(at).is_some()
                && self.code.is(at + 1, Kind::Punct(b':'))
                && !self.code.is(at + 2, Kind::Punct(b':'))
            {
                names.push(at);
            }
            at += 1;
        }
        names
    }

    /// Collects the leaves of the use tree between two token indices, under `prefix`.
    fn use_tree(
        &self,
        mut at: usize,
        end: usize,
        prefix: &mut Vec<String>,
        out: &mut Vec<UseLeaf>,
    ) {
        let depth = prefix.len();
        let finish = |prefix: &mut Vec<String>, rename: Option<String>, out: &mut Vec<UseLeaf>| {
            if prefix.len() > depth {
                // `a::{self}` brings `a`.
                let last = prefix.iter().rev().find(|s| *s != "self").cloned();
                out.push(UseLeaf {
                    segments: prefix.clone(),
                    local: rename.or(last),
                });
            }
            prefix.truncate(depth);
        };
        let mut rename = None;
        while at < end {
            match self.code.tokens[at].kind {
                Kind::Ident if self.code.ident(at) == Some("as") => {
                    rename = self.code.ident(at + 1).map(str::to_owned);
                    at += 2;
                    continue;
                }
                Kind::Ident => prefix.extend(self.code.ident(at).map(str::to_owned)),
                Kind::Punct(b'*') => {
                    prefix.push("*".to_owned());
                    let segments = prefix.clone();
                    out.push(UseLeaf {
                        segments,
                        local: None,
                    });
                    prefix.truncate(depth);
                }
                Kind::Open(b'{') => {
                    let close = self.matching[at];
                    self.use_tree(at + 1, close, prefix, out);
                    prefix.truncate(depth);
                    at = close + 1;
                    continue;
                }
                Kind::Punct(b',') => finish(prefix, rename.take(), out),
                _ => {}
            }
            at += 1;
        }
        finish(prefix, rename.take(), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prescan::lexer::tokenize;

    fn scan(text: &str) -> FileItems {
        items(text, &tokenize(text).expect("tokenizes")).expect("balanced")
    }

    #[test]
    fn functions_in_every_item_position_are_found_with_their_bodies() {
        let text = "#![allow(x)]\n#[attr(fn no() {})]\npub(crate) async fn a() -> Result<(), E> { 1 }\n\
                    mod m { impl<T> S<T> where T: Fn() { fn b(&self) { inner(); fn c() {} } } }\n\
                    trait T { fn d(&self); fn e(&self) { } }\n\
                    extern \"C\" { fn f(x: u8); }\n\
                    const fn g() {}\n\
                    m! { fn hidden() {} }\n\
                    impl Drop for Guard { fn drop(&mut self) { leave() } }\n";
        let found = scan(text);
        let names: Vec<Vec<&str>> = found
            .fns
            .iter()
            .map(|f| f.names.iter().map(String::as_str).collect())
            .collect();
        let drop_impl: Vec<&str> = Vec::new();
        assert_eq!(
            names,
            vec![vec!["a"], vec!["b", "c"], vec!["e"], vec!["g"], drop_impl]
        );
        assert_eq!(&text[found.fns[0].body.clone()], " 1 ");
        assert!(text[found.fns[1].text.clone()].starts_with("fn b(&self)"));
    }

    #[test]
    fn functions_know_where_they_could_be_left_out_whole_from() {
        let text = "pub(in crate::a) const unsafe extern \"C\" fn a() {}\n\
                    #![allow(x)]\n#[inline]\n#[cfg(all(unix, feature = \"y\"))]\nfn b() {}\n/// Doc.\nfn c() {}\n\
                    mod m { pub fn d() {} }\nimpl S { fn e() {} }\nimpl T for S { fn f() {} }\n\
                    trait T { fn g() {} }\nimpl Drop for S { fn drop(&mut self) {} }\n\
                    m! {} fn h() {}\nx!(); async fn i() {}\n";
        let found = scan(text);
        let prefixes: Vec<Option<&str>> = found
            .fns
            .iter()
            .map(|f| f.erasable_from.map(|at| &text[at..f.text.start]))
            .collect();
        assert_eq!(
            prefixes,
            vec![
                Some("pub(in crate::a) const unsafe extern \"C\" "),
                Some("#[inline]\n#[cfg(all(unix, feature = \"y\"))]\n"),
                Some(""),
                Some("pub "),
                Some(""),
                Some(""),
                Some(""),
                None,
                Some(""),
                Some("async "),
            ]
        );
    }

    #[test]
    fn functions_that_may_take_a_closure_are_told_apart() {
        let text = "fn a(f: impl FnOnce()) {}\nfn b<F: Fn(u8)>(f: F) {}\nfn c(x: &'a mut [u8], (y, z): (i32, u64)) {}\n\
                    fn d(&self, job: Job) {}\nfn e(&mut self) {}\nfn g(p: std::path::PathBuf) {}\n";
        let found = scan(text);
        let may: Vec<bool> = found.fns.iter().map(|f| f.may_take_closure).collect();
        assert_eq!(may, vec![true, true, false, true, false, true]);
    }

    #[test]
    fn other_items_define_their_names_and_fields() {
        let text = "struct Pod { ns: NetNs, pub(crate) name: String, f: Vec<u8> }\n\
                    struct W(NetNs);\nenum E { A { x: u8 } }\ntype Sock = TcpListener;\n\
                    static mut COUNT: u32 = { 3 };\nconst P: &str = \"/proc/self/ns/net\";\n\
                    macro_rules! enter { () => { setns() }; }\n";
        let found = scan(text);
        let names: Vec<Vec<&str>> = found
            .others
            .iter()
            .map(|o| o.names.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            names,
            vec![
                vec!["Pod", "ns", "name", "f"],
                vec!["W"],
                vec!["E"],
                vec!["Sock"],
                vec!["COUNT"],
                vec!["P"],
                vec!["enter"],
            ]
        );
        assert!(found.fns.is_empty());
    }

    #[test]
    fn use_trees_are_split_into_leaves() {
        let found = scan("use a::{b::c as d, e, f::*}; use g::h; pub use self::i as _;");
        let leaves: Vec<(String, Option<&str>)> = found
            .uses
            .iter()
            .map(|l| (l.segments.join("::"), l.local.as_deref()))
            .collect();
        assert_eq!(
            leaves,
            vec![
                ("a::b::c".to_owned(), Some("d")),
                ("a::e".to_owned(), Some("e")),
                ("a::f::*".to_owned(), None),
                ("g::h".to_owned(), Some("h")),
                ("self::i".to_owned(), Some("_")),
            ]
        );
    }

    #[test]
    fn modules_with_path_attributes_are_scanned_like_any_item() {
        let text =
            "#[cfg_attr(unix, path = \"u.rs\")] mod u;\n#[path = \"x.rs\"]\nmod x;\nfn f() {}\n";
        let found = items(text, &tokenize(text).expect("tokenizes")).expect("balanced");
        assert_eq!(found.fns.len(), 1);
    }

    #[test]
    fn unbalanced_brackets_are_refused() {
        let text = "fn f() { ( }";
        assert!(items(text, &tokenize(text).expect("tokenizes")).is_none());
    }
}
