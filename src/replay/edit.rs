//! Whether an edit to one file is *inert*: it changes where later code is, and nothing else
//! the run would find.
//!
//! The edit is the smallest byte range that differs between the old and the new text, widened
//! to whole tokens. It is inert when, in both texts:
//!
//! - the tokens outside it are the same, so every other item keeps its shape;
//! - it changes only comments and whitespace (anywhere: the tokens, and so everything parsed
//!   from them, stay as they were), or it lies inside one function body that the plan
//!   blanked, or it consists of whole items
//!   between items (at the top of the file or in an `impl`, `trait` or `mod` block, with
//!   `pub`, `async` and the like before them, after the end of an item so that no attribute
//!   changes hands), each a function whose body can be blanked or another named item;
//! - no word in it is one the plan's decisions turned on ([`Vocabulary::spells`]), no item
//!   in it defines a name that unblanked code spells or analysis demanded
//!   ([`Vocabulary::defines`]), and no string seed or package needle is near it;
//! - the file holds no `nslint` directive and no part of it matters whole to the plan.
//!
//! Then the plan keeps the same bodies, the new items are blanked, facts only move, and every
//! finding is where it was, shifted by the edit's change in length.

use crate::hollow::{self, ItemScan, Vocabulary};
use crate::prescan::Needles;
use std::ops::Range;

/// How far around an edit the needles and string seeds are looked for: longer than any of
/// them, so that one straddling the edit's edge is seen.
const NEEDLE_REACH: usize = 128;

/// Words that may stand before an item at the top of a file.
const ITEM_PREFIXES: [&str; 8] = [
    "pub", "crate", "super", "self", "in", "async", "unsafe", "const",
];

/// An inert edit: the changed range in the old and the new text, and the new text's blanks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InertEdit {
    /// The replaced bytes of the old text.
    pub old: Range<usize>,
    /// The bytes that replaced them in the new text.
    pub new: Range<usize>,
    /// The ranges the new text has blanked (bodies, and functions left out whole), sorted.
    pub blanks: Vec<Range<usize>>,
    /// The identifiers the new text spells in the edit.
    pub words: Vec<String>,
}

impl InertEdit {
    /// Where an old offset outside the edit is in the new text; `None` inside it.
    pub fn shift(&self, offset: usize) -> Option<usize> {
        if offset <= self.old.start {
            Some(offset)
        } else if offset >= self.old.end {
            Some(offset - self.old.end + self.new.end)
        } else {
            None
        }
    }

    /// Where an old range is in the new text; `None` when it overlaps the edit (a range that
    /// ends where the edit starts, or starts where it ends, does not).
    pub fn shift_range(&self, range: &Range<usize>) -> Option<Range<usize>> {
        if range.end <= self.old.start {
            return Some(range.clone());
        }
        if range.start >= self.old.end {
            return Some(self.shift(range.start)?..self.shift(range.end)?);
        }
        None
    }
}

/// What an inertness check reads besides the two texts.
pub struct Context<'a> {
    /// The words the last plan turned on.
    pub vocabulary: &'a Vocabulary,
    /// The fast path's needles.
    pub needles: &'a Needles,
    /// The ranges the last plan blanked in the old text (bodies, and functions left out
    /// whole), sorted.
    pub old_blanks: &'a [Range<usize>],
    /// Whether the file matters whole to the plan.
    pub whole: bool,
}

/// The edit from `old` to `new`, when it is inert.
pub fn inert_edit(old: &str, new: &str, context: &Context<'_>) -> Option<InertEdit> {
    // A directive, or a `#[path]` attribute (which turns hollowing off), anywhere in the file.
    if context.whole
        || old.contains(crate::suppress::DIRECTIVE_WORD)
        || new.contains(crate::suppress::DIRECTIVE_WORD)
        || crate::prescan::has_path_attribute(new)
    {
        return None;
    }
    let old_scan = hollow::scan_file(old)?;
    let new_scan = hollow::scan_file(new)?;
    let (old_range, new_range) = changed_tokens(old, new, &old_scan, &new_scan)?;
    slides(old, new, old_range, new_range).find_map(|(old_range, new_range)| {
        let scans = (&old_scan, &new_scan);
        inert_at(old, new, scans, old_range, new_range, context)
    })
}

/// Whether the edit replacing `old_range` of `old` by `new_range` of `new` is inert.
fn inert_at(
    old: &str,
    new: &str,
    (old_scan, new_scan): (&hollow::FileScan, &hollow::FileScan),
    old_range: Range<usize>,
    new_range: Range<usize>,
    context: &Context<'_>,
) -> Option<InertEdit> {
    for (text, scan, range) in [(old, old_scan, &old_range), (new, new_scan, &new_range)] {
        if near_a_needle(text, range, context) || cuts_a_token(scan, range) {
            return None;
        }
    }
    let edit = InertEdit {
        words: words_in(new, new_scan, &new_range)
            .map(str::to_owned)
            .collect(),
        old: old_range,
        new: new_range,
        blanks: Vec::new(),
    };
    if let Some(edit) = comments_only(old, new, (old_scan, new_scan), &edit, context) {
        return Some(edit);
    }
    let inside_body = old_scan
        .items
        .iter()
        .find(|item| item.body.as_ref().is_some_and(|b| contains(b, &edit.old)));
    match inside_body {
        Some(item) => inside_blanked_body(old, new, old_scan, new_scan, item, edit, context),
        None => whole_items(old, new, old_scan, new_scan, edit, context),
    }
}

/// An edit of comments and whitespace only, anywhere outside blanked bodies (kept code
/// included): the tokens are the same, so is everything parsed from them. `None` when it is
/// not one (other rules may still vouch for it).
fn comments_only(
    old: &str,
    new: &str,
    (old_scan, new_scan): (&hollow::FileScan, &hollow::FileScan),
    edit: &InertEdit,
    context: &Context<'_>,
) -> Option<InertEdit> {
    let trivia = old_scan.is_trivia(old, &edit.old) && new_scan.is_trivia(new, &edit.new);
    if !trivia || context.old_blanks.iter().any(|b| overlaps(b, &edit.old)) {
        return None;
    }
    let blanks = context
        .old_blanks
        .iter()
        .map(|r| edit.shift_range(r))
        .collect::<Option<Vec<_>>>()?;
    Some(InertEdit {
        blanks,
        ..edit.clone()
    })
}

/// Whether two ranges share a byte, or an empty one lies inside the other.
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end.max(b.start + 1) && b.start < a.end
}

/// Whether a token straddles an end of `range` (a placement from [`slides`] may cut one).
fn cuts_a_token(scan: &hollow::FileScan, range: &Range<usize>) -> bool {
    let straddles = |at: usize| {
        let i = scan.tokens.partition_point(|t| t.range.end <= at);
        scan.tokens.get(i).is_some_and(|t| t.range.start < at)
    };
    straddles(range.start) || straddles(range.end)
}

/// The same edit placed differently: a pure insertion (or deletion) whose text ends with what
/// precedes it can equally be placed that many bytes earlier (`fn b() {}\n    fn ` inserted
/// after `fn ` is `fn b() {}\n    ` inserted before it). The first placement is the given one.
fn slides<'t>(
    old: &'t str,
    new: &'t str,
    old_range: Range<usize>,
    new_range: Range<usize>,
) -> impl Iterator<Item = (Range<usize>, Range<usize>)> + 't {
    /// How far an edit is slid at most.
    const MAX_SLIDE: usize = 512;
    let (moved, fixed) = if old_range.is_empty() {
        (new.get(new_range.clone()).unwrap_or(""), old)
    } else if new_range.is_empty() {
        (old.get(old_range.clone()).unwrap_or(""), new)
    } else {
        ("", old)
    };
    let at = old_range.start;
    let slid = (1..=moved.len().min(at).min(MAX_SLIDE))
        .take_while(move |&k| fixed.as_bytes().get(at - k) == moved.as_bytes().get(moved.len() - k))
        .filter(move |&k| old.is_char_boundary(at - k) && new.is_char_boundary(at - k))
        .map(move |k| {
            (
                old_range.start - k..old_range.end - k,
                new_range.start - k..new_range.end - k,
            )
        });
    std::iter::once((old_range, new_range)).chain(slid)
}

/// The token ranges that differ: from the first differing token to the last, in each text,
/// with the same bytes before them and the same bytes after them in both. `None` when the
/// tokens after them differ (the edit changed how later text tokenizes).
fn changed_tokens(
    old: &str,
    new: &str,
    old_scan: &hollow::FileScan,
    new_scan: &hollow::FileScan,
) -> Option<(Range<usize>, Range<usize>)> {
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let longest_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(longest_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    // Widen both ranges to the tokens they touch (a changed letter changes its whole word),
    // keeping what lies before and after them the same length in both texts.
    loop {
        let old_range = prefix..old.len() - suffix;
        let new_range = prefix..new.len() - suffix;
        let (old_start, old_end) = widened(&old_scan.tokens, &old_range);
        let (new_start, new_end) = widened(&new_scan.tokens, &new_range);
        let next_prefix = old_start.min(new_start);
        let next_suffix = (old.len() - old_end).min(new.len() - new_end);
        if (next_prefix, next_suffix) == (prefix, suffix) {
            break;
        }
        (prefix, suffix) = (next_prefix, next_suffix);
    }
    let old_range = prefix..old.len() - suffix;
    let new_range = prefix..new.len() - suffix;
    let after = |scan: &'_ hollow::FileScan, at: usize| {
        let first = scan.tokens.partition_point(|t| t.range.start < at);
        scan.tokens[first..].to_vec()
    };
    let old_after = after(old_scan, old_range.end);
    let new_after = after(new_scan, new_range.end);
    let same = |a: &hollow::ScanToken, b: &hollow::ScanToken| {
        a.kind == b.kind && old[a.range.clone()] == new[b.range.clone()]
    };
    (old_after.len() == new_after.len()
        && old_after.iter().zip(&new_after).all(|(a, b)| same(a, b)))
    .then_some((old_range, new_range))
}

/// `range` widened to the tokens that overlap it, as its new start and end.
fn widened(tokens: &[hollow::ScanToken], range: &Range<usize>) -> (usize, usize) {
    let first = tokens.partition_point(|t| t.range.end <= range.start);
    let last = tokens.partition_point(|t| t.range.start < range.end);
    let touching = &tokens[first..last.max(first)];
    let start = touching
        .first()
        .map_or(range.start, |t| t.range.start.min(range.start));
    let end = touching
        .last()
        .map_or(range.end, |t| t.range.end.max(range.end));
    (start, end)
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// Whether a needle or string seed occurs overlapping `range` (one wholly outside it is in
/// both texts alike).
fn near_a_needle(text: &str, range: &Range<usize>, context: &Context<'_>) -> bool {
    let start = floor_char(text, range.start.saturating_sub(NEEDLE_REACH));
    let end = floor_char(text, (range.end + NEEDLE_REACH).min(text.len()));
    let window = &text[start..end];
    let overlaps = |at: usize, len: usize| {
        let found = start + at..start + at + len;
        found.start < range.end.max(range.start + 1) && range.start < found.end
    };
    context
        .needles
        .occurrences(window.as_bytes())
        .any(|(at, len)| overlaps(at, len))
        || context.vocabulary.strings.iter().any(|seed| {
            window
                .match_indices(seed.as_str())
                .any(|(at, found)| overlaps(at, found.len()))
        })
}

fn floor_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// An edit inside one function body: inert when that body was blanked, stays blankable and
/// its change spells no word the plan turned on.
fn inside_blanked_body(
    old: &str,
    new: &str,
    old_scan: &hollow::FileScan,
    new_scan: &hollow::FileScan,
    item: &ItemScan,
    edit: InertEdit,
    context: &Context<'_>,
) -> Option<InertEdit> {
    let body = item.body.as_ref()?;
    let old_blank = blank_of(old, item, context.old_blanks)?;
    let new_item = new_scan
        .items
        .iter()
        .find(|n| n.text.start == item.text.start)?;
    let new_body = new_item.body.as_ref()?;
    if new_body.start != body.start
        || Some(new_body.end) != edit.shift(body.end)
        || !contains(new_body, &edit.new)
    {
        return None;
    }
    let vocabulary = context.vocabulary;
    let spelled = |text: &str, scan: &hollow::FileScan, range: &Range<usize>| {
        words_in(text, scan, range).any(|w| vocabulary.spells(w))
    };
    if spelled(old, old_scan, &edit.old) || spelled(new, new_scan, &edit.new) {
        return None;
    }
    // Functions defined inside the body are names of the item.
    let changed_names = item
        .names
        .iter()
        .filter(|n| !new_item.names.contains(n))
        .chain(new_item.names.iter().filter(|n| !item.names.contains(n)));
    if changed_names.into_iter().any(|n| vocabulary.defines(n)) {
        return None;
    }
    // The body stays blanked as it was: inside its braces, or with the whole item.
    let new_blank = if old_blank.start >= body.start {
        hollow::comment_range(new, new_body)?
    } else {
        hollow::item_comment_range(new, old_blank.start..new_item.text.end)?
    };
    let blanks = context
        .old_blanks
        .iter()
        .map(|r| {
            if r == old_blank {
                Some(new_blank.clone())
            } else {
                edit.shift_range(r)
            }
        })
        .collect::<Option<Vec<_>>>()?;
    Some(InertEdit { blanks, ..edit })
}

/// The blank the last plan gave `item`'s body in `text`: the comment inside its braces, or
/// the whole item's, from before its `fn` to its end (see [`hollow::item_comment_range`]).
fn blank_of<'b>(
    text: &str,
    item: &ItemScan,
    blanks: &'b [Range<usize>],
) -> Option<&'b Range<usize>> {
    let starting_at = |at: usize| {
        blanks
            .binary_search_by_key(&at, |r| r.start)
            .ok()
            .map(|i| &blanks[i])
    };
    let comment = item
        .body
        .as_ref()
        .and_then(|body| hollow::comment_range(text, body));
    comment.and_then(|c| starting_at(c.start)).or_else(|| {
        let before = blanks.partition_point(|r| r.start <= item.text.start);
        let last = &blanks[before.checked_sub(1)?];
        (last.end == item.text.end).then_some(last)
    })
}

/// An edit of whole items between items: inert when every token it changes belongs
/// to an item inside it (or stands before one), and every such item is blankable and
/// defines and spells nothing the plan turned on.
fn whole_items(
    old: &str,
    new: &str,
    old_scan: &hollow::FileScan,
    new_scan: &hollow::FileScan,
    edit: InertEdit,
    context: &Context<'_>,
) -> Option<InertEdit> {
    let old_items = items_within(old, old_scan, &edit.old, context)?;
    let new_items = items_within(new, new_scan, &edit.new, context)?;
    let mut blanks = Vec::new();
    for range in context.old_blanks {
        match edit.shift_range(range) {
            Some(shifted) => blanks.push(shifted),
            // A blank inside the edit belongs to a removed item.
            None if contains(&edit.old, range) => {}
            None => return None,
        }
    }
    // Every removed body must have been blanked, every added one must be blankable.
    for item in &old_items {
        if item.body.is_some() {
            blank_of(old, item, context.old_blanks)?;
        }
    }
    for item in &new_items {
        if let Some(body) = &item.body {
            blanks.push(hollow::comment_range(new, body)?);
        }
    }
    blanks.sort_by_key(|r| r.start);
    Some(InertEdit { blanks, ..edit })
}

/// The items of `scan` inside `range`, when every token of the range is in one of them or
/// stands before an item, none is inside another item, and none defines or spells a word
/// of the vocabulary.
fn items_within<'s>(
    text: &str,
    scan: &'s hollow::FileScan,
    range: &Range<usize>,
    context: &Context<'_>,
) -> Option<Vec<&'s ItemScan>> {
    let vocabulary = context.vocabulary;
    // Between items: inside none, and after the end of one, or the start of a file or block,
    // so that no attribute or prefix before the edit changes the item it belongs to.
    if scan.items.iter().any(|item| {
        item.text.start < range.start && range.end <= item.text.end && !item.text.is_empty()
    }) {
        return None;
    }
    let before = scan.tokens.partition_point(|t| t.range.end <= range.start);
    let after_an_item = before
        .checked_sub(1)
        .map(|i| &scan.tokens[i])
        .is_none_or(|t| {
            matches!(
                t.kind,
                hollow::ScanKind::Close(b'}')
                    | hollow::ScanKind::Open(b'{')
                    | hollow::ScanKind::Punct(b';')
            )
        });
    if !after_an_item {
        return None;
    }
    let inside: Vec<&ItemScan> = scan
        .items
        .iter()
        .filter(|item| item.text.start < range.end && range.start < item.text.end)
        .collect();
    if inside.iter().any(|item| !contains(range, &item.text)) {
        return None;
    }
    // Prefixes (`pub`, `async`) must belong to an item of the edit, not to the one after it.
    let last_item_start = inside.iter().map(|i| i.text.start).max();
    for token in scan.tokens_in(range) {
        let in_item = inside.iter().any(|item| contains(&item.text, &token.range));
        if in_item {
            continue;
        }
        if last_item_start.is_none_or(|start| token.range.start > start) {
            return None;
        }
        let word = &text[token.range.clone()];
        let allowed = match token.kind {
            hollow::ScanKind::Ident => ITEM_PREFIXES.contains(&word),
            hollow::ScanKind::Open(b'(') | hollow::ScanKind::Close(b')') => true,
            _ => false,
        };
        // Anything else (`mod`, `use`, `impl`, attributes, macro calls) is not vouched for.
        if !allowed {
            return None;
        }
    }
    for item in &inside {
        if item.names.iter().any(|n| vocabulary.defines(n))
            || words_in(text, scan, &item.text).any(|w| vocabulary.spells(w))
        {
            return None;
        }
    }
    Some(inside)
}

/// The identifiers of `scan` inside `range`.
fn words_in<'t>(
    text: &'t str,
    scan: &'t hollow::FileScan,
    range: &Range<usize>,
) -> impl Iterator<Item = &'t str> {
    scan.tokens_in(range)
        .iter()
        .filter(|t| t.kind == hollow::ScanKind::Ident)
        .map(move |t| &text[t.range.clone()])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary(spelled: &[&str], defined: &[&str]) -> Vocabulary {
        let hash = |w: &&str| crate::hash::fnv1a64(w.as_bytes());
        let mut spelled: Vec<u64> = spelled.iter().map(hash).collect();
        spelled.sort_unstable();
        let mut defined: Vec<u64> = defined.iter().map(hash).collect();
        defined.sort_unstable();
        Vocabulary {
            spelled,
            defined,
            whole_files: Vec::new(),
            strings: vec!["/proc/self/ns".to_owned()],
        }
    }

    fn needles() -> Needles {
        let catalog = crate::catalog::Catalog::builtin().expect("catalogue");
        Needles::new(&catalog, &crate::catalog::Catalog::default())
    }

    const OLD: &str = "use std::fs;\n\npub fn kept() -> u32 { helper() + 1 }\n\n\
                       fn helper() -> u32 { let values = [1, 2]; values.len() as u32 }\n";

    /// The blanks of OLD: `helper`'s body.
    fn old_blanks() -> Vec<Range<usize>> {
        let scan = hollow::scan_file(OLD).expect("scannable");
        let helper = scan
            .items
            .iter()
            .find(|i| i.names == ["helper"])
            .expect("helper");
        vec![hollow::comment_range(OLD, helper.body.as_ref().expect("body")).expect("blankable")]
    }

    fn check(new: &str, spelled: &[&str], defined: &[&str]) -> Option<InertEdit> {
        let blanks = old_blanks();
        let needles = needles();
        let vocabulary = vocabulary(spelled, defined);
        let context = Context {
            vocabulary: &vocabulary,
            needles: &needles,
            old_blanks: &blanks,
            whole: false,
        };
        inert_edit(OLD, new, &context)
    }

    #[test]
    fn an_appended_function_is_inert_and_blanked() {
        let new = format!(
            "{OLD}\n/// Doc.\npub fn added(values: &[u64]) -> u64 {{\n    values.iter().sum::<u64>()\n}}\n"
        );
        let edit = check(&new, &["helper"], &["kept", "helper"]).expect("inert");
        assert_eq!(edit.old, OLD.len()..OLD.len());
        assert_eq!(edit.new, OLD.len()..new.len());
        assert_eq!(edit.blanks.len(), 2, "{edit:?}");
        assert_eq!(edit.shift(3), Some(3));
    }

    #[test]
    fn an_edit_inside_a_blanked_body_shifts_what_follows() {
        let new = OLD.replace("[1, 2]", "[1, 2, 3, 4]");
        let edit = check(&new, &["helper"], &["kept", "helper"]).expect("inert");
        assert_eq!(&OLD[edit.old.clone()], "", "an insertion between tokens");
        assert_eq!(edit.shift(OLD.len()), Some(new.len()));
        assert_eq!(edit.blanks.len(), 1);
        let blank = &edit.blanks[0];
        assert!(new[blank.clone()].starts_with("let") || new[blank.clone()].contains("4"));
    }

    #[test]
    fn edits_that_could_matter_are_not_inert() {
        let vocabulary_words = (["helper", "setns_helper"], ["kept", "helper", "used"]);
        let cases = [
            // Inside a kept body.
            OLD.replace("helper() + 1", "helper() + 2"),
            // A word the plan turned on, inside a blanked body.
            OLD.replace("values.len()", "setns_helper(values.len())"),
            // A new item defining a name unblanked code spells.
            format!("{OLD}fn used() {{ let x = 1; }}\n"),
            // A new import or module.
            format!("{OLD}use std::io;\n"),
            format!("{OLD}mod extra;\n"),
            // An attribute or a macro invocation at the top.
            format!("{OLD}#[cfg(test)]\nfn t() {{ let x = 1; }}\n"),
            // A needle near the edit.
            OLD.replace("[1, 2]", "[libc::setns as usize]"),
            // A `#[path]` attribute inside a blanked body.
            OLD.replace("let values", "#[path = \"x.rs\"] mod m; let values"),
            // A directive anywhere in the file.
            format!("// nslint: allow(raw_namespace_switch)\n{OLD}"),
            // Between an attribute and its item: the attribute would change hands.
            OLD.replace("fn helper()", "fn inserted() { let x = 1; }\nfn helper()")
                .replace("\n\nfn inserted", "\n\n#[test]\nfn inserted"),
            // A prefix that would belong to the item after the edit.
            OLD.replace("fn helper()", "async fn helper()"),
            // Unbalanced: the rest of the file changes shape.
            OLD.replace("values.len() as u32 }", "values.len() as u32 } }"),
        ];
        for new in cases {
            assert_eq!(
                check(&new, &vocabulary_words.0, &vocabulary_words.1),
                None,
                "{new}"
            );
        }
    }

    #[test]
    fn a_comment_edited_in_kept_code_is_inert_and_a_literal_is_not() {
        let new = OLD.replace("{ helper() + 1 }", "{ /* one more */ helper() + 1 }");
        let edit = check(&new, &["helper"], &["kept", "helper"]).expect("inert");
        assert_eq!(
            edit.blanks,
            vec![shifted(&old_blanks()[0], new.len() - OLD.len())]
        );
        let literal = OLD.replace("{ helper() + 1 }", "{ helper() + 11 }");
        assert_eq!(check(&literal, &["helper"], &["kept", "helper"]), None);
        let in_string = OLD.replace("use std::fs;", "use std::fs; const S: &str = \"/* a */\";");
        let edited = in_string.replace("/* a */", "/* b */");
        let blanks = vec![shifted(&old_blanks()[0], in_string.len() - OLD.len())];
        let (needles, vocabulary) = (needles(), vocabulary(&["helper"], &["kept", "helper"]));
        let context = Context {
            vocabulary: &vocabulary,
            needles: &needles,
            old_blanks: &blanks,
            whole: false,
        };
        assert_eq!(
            inert_edit(&in_string, &edited, &context),
            None,
            "inside a string"
        );
    }

    fn shifted(range: &Range<usize>, by: usize) -> Range<usize> {
        range.start + by..range.end + by
    }

    #[test]
    fn a_method_added_between_methods_is_inert() {
        let old = "struct S;\n\nimpl S {\n    fn a(&self) -> u32 { let x = 1; x }\n}\n";
        let new = old.replace(
            "    fn a(",
            "    fn b(&self) -> u32 { let y = 2; y }\n\n    fn a(",
        );
        let scan = hollow::scan_file(old).expect("scannable");
        let body = scan
            .items
            .iter()
            .find_map(|i| i.body.clone())
            .expect("a body");
        let blanks = vec![hollow::comment_range(old, &body).expect("blankable")];
        let (needles, vocabulary) = (needles(), vocabulary(&[], &["S"]));
        let context = Context {
            vocabulary: &vocabulary,
            needles: &needles,
            old_blanks: &blanks,
            whole: false,
        };
        let edit = inert_edit(old, &new, &context).expect("inert");
        assert_eq!(edit.blanks.len(), 2);
        assert_eq!(edit.words, ["fn", "b", "self", "u32", "let", "y", "y"]);
    }
}
