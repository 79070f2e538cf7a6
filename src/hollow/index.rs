//! Which items mention which words: an inverted index over every function and named item of
//! the scanned files, so that the closures of [`super::Planner`] take time linear in the size of
//! the code, however long the chains of names are.

use super::items::{self, FileItems};
use crate::prescan::lexer::{self, Kind};
use crate::source::Text;
use aho_corasick::AhoCorasick;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::path::PathBuf;

/// A function or a named item.
pub struct Candidate {
    /// Index of its file.
    pub file: usize,
    /// Its whole text.
    pub text: Range<usize>,
    /// For functions: the inside of the braces.
    pub body: Option<Range<usize>>,
    /// For functions: whether a parameter may hold a closure (see [`super::items::FnItem`]).
    pub may_take_closure: bool,
    /// For functions: where the item could be left out whole from (see
    /// [`super::items::FnItem::erasable_from`]).
    pub erasable_from: Option<usize>,
    /// For other items: whether naming it may run what it spells (see
    /// [`super::items::OtherItem::hides_calls`]).
    hides_calls: bool,
    /// The words it defines.
    names: Vec<u32>,
    /// The identifiers it spells other than the names it defines (literals and comments
    /// excluded: names are never called from a string), each once.
    mentions: Vec<u32>,
    /// For functions: those of `mentions` spelled before the body (the signature).
    header: Vec<u32>,
}

/// One imported name: the words of its path, and the word it brings (`None` for a glob).
struct Import {
    file: usize,
    segments: Vec<u32>,
    local: Option<u32>,
}

/// The scanned files as words and who mentions them.
pub struct Index {
    /// Every function and named item, in file order.
    pub candidates: Vec<Candidate>,
    imports: Vec<Import>,
    words: WordMap<u32>,
    /// For each word, its [`word_hash`].
    hashes: Vec<u64>,
    /// For each word, the candidates that mention it.
    mentioned_by: Vec<Vec<u32>>,
    /// For each word, the imports whose path holds it.
    imported_through: Vec<Vec<u32>>,
    /// For each word, the candidates that define it.
    defined_by: Vec<Vec<u32>>,
    /// For each word, the words an import brings under that name (`use a::open as go`: for
    /// `go`, `open`).
    renames: Vec<Vec<u32>>,
    /// For each file, its candidates.
    by_file: Vec<Vec<u32>>,
    /// For each file, where its doc comments are ([`lexer::tokenize_noting_docs`]).
    pub docs: Vec<Vec<usize>>,
    /// For each file, whether it nests shallowly once its doc comments are made plain
    /// ([`crate::nesting::NestingBound`]).
    pub shallow: Vec<bool>,
    /// For each word, whether some file spells it outside every candidate (in an import, an
    /// attribute, a macro call, an `impl` or `trait` header, a declaration without body).
    loose: Vec<bool>,
}

/// What one file contributes, before words are numbered.
struct Scanned {
    items: FileItems,
    /// Each candidate's identifiers as [`word_hash`]es, sorted and each once, in the order
    /// of `items.fns` then `items.others`.
    mentions: Vec<Vec<u64>>,
    /// Each function's identifiers before its body, as `mentions` are.
    headers: Vec<Vec<u64>>,
    /// The identifiers outside every candidate, as `mentions` are.
    loose: Vec<u64>,
    /// Where its doc comments are ([`lexer::tokenize_noting_docs`]).
    docs: Vec<usize>,
    /// Whether it nests shallowly once its doc comments are made plain.
    shallow: bool,
}

/// Words are identified by a 64-bit hash of their text: two words with the same hash are one
/// word to the closures, which can only keep more bodies, never fewer.
pub(super) fn word_hash(word: &str) -> u64 {
    crate::hash::fnv1a64(word.as_bytes())
}

/// The word a path's leading segment is (`io` in `io::Error`): a word of its own
/// ([`prefix_form`] of the plain word's hash), since only modules, crates, types, traits and
/// what imports bring can lead a path, never a field or a function. What defines such a name
/// defines both forms; a field or a function only the plain one.
const PREFIX: u64 = 0x9e37_79b9_7f4a_7c15;

/// The hash of `word::` from the hash of `word` (and back).
fn prefix_form(hash: u64) -> u64 {
    hash ^ PREFIX
}

/// A map keyed by [`word_hash`]es, which need no further hashing.
type WordMap<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

impl Index {
    /// Tokenizes and indexes every file; `None` when one cannot be scanned.
    pub fn build(files: &[(PathBuf, Text)]) -> Option<Index> {
        use rayon::prelude::*;
        let scanned: Vec<Option<Scanned>> = files.par_iter().map(|(_, text)| scan(text)).collect();
        let mut index = Index {
            candidates: Vec::new(),
            imports: Vec::new(),
            words: WordMap::default(),
            hashes: Vec::new(),
            mentioned_by: Vec::new(),
            imported_through: Vec::new(),
            defined_by: Vec::new(),
            renames: Vec::new(),
            by_file: vec![Vec::new(); files.len()],
            docs: vec![Vec::new(); files.len()],
            shallow: vec![false; files.len()],
            loose: Vec::new(),
        };
        for (file, scanned) in scanned.into_iter().enumerate() {
            index.add_file(file, scanned?);
        }
        for import in &index.imports {
            if let (Some(local), Some(&last)) = (import.local, import.segments.last())
                && local != last
            {
                index.renames[local as usize].push(last);
            }
        }
        Some(index)
    }

    fn add_file(&mut self, file: usize, scanned: Scanned) {
        let Scanned {
            items,
            mentions,
            headers,
            loose,
            docs,
            shallow,
        } = scanned;
        self.docs[file] = docs;
        self.shallow[file] = shallow;
        for hash in loose {
            let word = self.word(hash);
            self.loose[word as usize] = true;
        }
        let mut mentions = mentions.into_iter();
        let mut headers = headers.into_iter();
        let defined = items
            .fns
            .into_iter()
            .map(|f| {
                let header = headers.next().unwrap_or_default();
                let fun = (Some(f.body), f.may_take_closure, f.erasable_from, header);
                (f.text, f.names, (false, false), fun)
            })
            .chain(items.others.into_iter().map(|o| {
                let kind = (!o.is_field, o.hides_calls);
                (o.text, o.names, kind, (None, false, None, Vec::new()))
            }));
        for (text, names, (leads_paths, hides_calls), fun) in defined {
            let (body, may_take_closure, erasable_from, header) = fun;
            let id = self.candidates.len() as u32;
            let mut hashes: Vec<u64> = names.iter().map(|n| word_hash(n)).collect();
            if leads_paths {
                hashes.extend(names.iter().map(|n| prefix_form(word_hash(n))));
            }
            let names: Vec<u32> = hashes.into_iter().map(|h| self.word(h)).collect();
            let mut numbered = |hashes: Vec<u64>| -> Vec<u32> {
                hashes.into_iter().map(|hash| self.word(hash)).collect()
            };
            let spelled = numbered(mentions.next().unwrap_or_default());
            let header = numbered(header);
            for &word in &spelled {
                self.mentioned_by[word as usize].push(id);
            }
            for &name in &names {
                self.defined_by[name as usize].push(id);
            }
            self.by_file[file].push(id);
            self.candidates.push(Candidate {
                file,
                text,
                body,
                may_take_closure,
                erasable_from,
                hides_calls,
                names,
                mentions: spelled,
                header,
            });
        }
        for leaf in items.uses {
            // `a::b::c`: `a` and `b` lead paths, `c` is what is brought.
            let last = leaf.segments.len().saturating_sub(1);
            let segments: Vec<u32> = leaf
                .segments
                .iter()
                .enumerate()
                .map(|(at, s)| {
                    let hash = word_hash(s);
                    self.word(if at < last { prefix_form(hash) } else { hash })
                })
                .collect();
            // The name brought may be a module or type, which leads paths too.
            for form in [word_hash, |l: &str| prefix_form(word_hash(l))] {
                let id = self.imports.len() as u32;
                for &segment in &segments {
                    self.imported_through[segment as usize].push(id);
                }
                let local = leaf.local.as_deref().map(|l| self.word(form(l)));
                self.imports.push(Import {
                    file,
                    segments: segments.clone(),
                    local,
                });
            }
        }
    }

    /// The number of a word (by its [`word_hash`]), adding it when new.
    fn word(&mut self, hash: u64) -> u32 {
        if let Some(&id) = self.words.get(&hash) {
            return id;
        }
        let id = self.mentioned_by.len() as u32;
        self.words.insert(hash, id);
        self.hashes.push(hash);
        self.mentioned_by.push(Vec::new());
        self.imported_through.push(Vec::new());
        self.defined_by.push(Vec::new());
        self.renames.push(Vec::new());
        self.loose.push(false);
        id
    }

    /// The numbers of those `words` that some scanned file spells or defines, in either form
    /// (plain, or leading a path: [`prefix_form`]).
    pub fn known_words<'w>(&self, words: impl IntoIterator<Item = &'w str>) -> Vec<u32> {
        words
            .into_iter()
            .flat_map(|w| {
                let hash = word_hash(w);
                [hash, prefix_form(hash)]
            })
            .filter_map(|hash| self.words.get(&hash).copied())
            .collect()
    }

    /// Where `seeds` are found: the numbers of those that are identifiers some file spells
    /// or defines, and the candidates whose text holds one of the others (`/proc/self/ns`,
    /// looked for in the whole text, literals included); then `calls` (functions and
    /// constants, which never lead a path), in their plain form only.
    pub fn seeds(&self, files: &[(PathBuf, Text)], seeds: &[String], calls: &[String]) -> Seeded {
        let (names, strings): (Vec<&String>, Vec<&String>) =
            seeds.iter().partition(|w| is_identifier(w));
        let mut words = self.known_words(names.into_iter().map(String::as_str));
        words.extend(
            calls
                .iter()
                .filter_map(|call| self.words.get(&word_hash(call)).copied()),
        );
        Seeded {
            words,
            spelling: self.spelling_any(files, &strings),
        }
    }

    /// Which candidates matter for `seeded` (and the numbered words `extra`): those that
    /// mention a word, where the words are the seeds, every name a mattering candidate defines
    /// (with [`Travel::NotFunctions`], only names of items other than functions: a function's
    /// callers are then added on demand) and every name imported through a path holding a
    /// word; a glob import through such a path makes its whole file matter.
    pub fn closure(&self, seeded: &Seeded, extra: &[u32], travel: Travel) -> Vec<bool> {
        self.closure_reach(seeded, extra, travel).relevant
    }

    /// [`Index::closure`], with the words that made a candidate matter and the files that
    /// mattered whole.
    pub fn closure_reach(&self, seeded: &Seeded, extra: &[u32], travel: Travel) -> Reach {
        let mut relevant = vec![false; self.candidates.len()];
        let mut known = vec![false; self.mentioned_by.len()];
        let mut pending: Vec<u32> = Vec::new();
        for &id in seeded.words.iter().chain(extra) {
            if !std::mem::replace(&mut known[id as usize], true) {
                pending.push(id);
            }
        }
        let mut newly: Vec<u32> = seeded.spelling.clone();
        let mut whole_files = vec![false; self.by_file.len()];
        loop {
            for id in newly.drain(..) {
                let candidate = &self.candidates[id as usize];
                if travel == Travel::ClosureTakers && !candidate.may_take_closure {
                    continue;
                }
                if std::mem::replace(&mut relevant[id as usize], true) {
                    continue;
                }
                if travel == Travel::NotFunctions && candidate.body.is_some() {
                    continue;
                }
                if travel == Travel::Values && (candidate.body.is_some() || !candidate.hides_calls)
                {
                    continue;
                }
                if travel == Travel::Callers && candidate.body.is_none() && !candidate.hides_calls {
                    continue;
                }
                for &name in &candidate.names {
                    let shared = travel == Travel::Callers
                        && candidate.body.is_some()
                        && self.defined_by[name as usize].len() > 1;
                    if !shared && !std::mem::replace(&mut known[name as usize], true) {
                        pending.push(name);
                    }
                }
            }
            let Some(word) = pending.pop() else {
                break;
            };
            newly.extend(&self.mentioned_by[word as usize]);
            for &import in &self.imported_through[word as usize] {
                let import = &self.imports[import as usize];
                match import.local {
                    Some(local) => {
                        if !std::mem::replace(&mut known[local as usize], true) {
                            pending.push(local);
                        }
                    }
                    None => {
                        if !std::mem::replace(&mut whole_files[import.file], true) {
                            newly.extend(&self.by_file[import.file]);
                        }
                    }
                }
            }
        }
        Reach {
            relevant,
            known,
            whole_files,
        }
    }

    /// The hashes of the words `words` marks, each in both forms ([`prefix_form`]): what
    /// reads them by text ([`super::Vocabulary`]) cannot tell the forms apart.
    pub fn hashes_of(&self, words: &[bool]) -> Vec<u64> {
        let mut hashes: Vec<u64> = self
            .hashes
            .iter()
            .zip(words)
            .filter(|(_, marked)| **marked)
            .flat_map(|(hash, _)| [*hash, prefix_form(*hash)])
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        hashes
    }

    /// For each word, whether one of the candidates `among` accepts mentions it.
    pub fn mentioned_by_any(&self, among: impl Fn(usize) -> bool) -> Vec<bool> {
        let mut mentioned = vec![false; self.hashes.len()];
        for (id, candidate) in self.candidates.iter().enumerate() {
            if among(id) {
                for &word in &candidate.mentions {
                    mentioned[word as usize] = true;
                }
            }
        }
        mentioned
    }

    /// For each candidate, whether it is a function that can be left out whole once the
    /// `blanked` candidates are: it may be ([`Candidate::erasable_from`]) and no code that is
    /// not blanked spells a name it defines, counting every signature, every word outside
    /// candidates and the words of `spelled`. Nothing kept can then call it or name it, and
    /// its body's summary is empty either way.
    pub fn erasable(&self, blanked: &[bool], spelled: &[u32]) -> Vec<bool> {
        let mut counted = self.loose.clone();
        for &word in spelled {
            counted[word as usize] = true;
        }
        for (candidate, &blanked) in self.candidates.iter().zip(blanked) {
            let words = if blanked {
                &candidate.header
            } else {
                &candidate.mentions
            };
            for &word in words {
                counted[word as usize] = true;
            }
        }
        self.candidates
            .iter()
            .zip(blanked)
            .map(|(candidate, &blanked)| {
                blanked
                    && candidate.erasable_from.is_some()
                    && !candidate.names.is_empty()
                    && candidate.names.iter().all(|&name| !counted[name as usize])
            })
            .collect()
    }

    /// Marks in `words` the words each marked one is imported from under another name: a
    /// definition of those is one of the marked word's definers.
    pub fn mark_renamed(&self, words: &mut [bool]) {
        let marked: Vec<usize> = (0..words.len()).filter(|&w| words[w]).collect();
        for word in marked {
            for &from in &self.renames[word] {
                words[from as usize] = true;
            }
        }
    }

    /// The names the functions among `kept` define.
    pub fn function_names(&self, kept: &[bool]) -> Vec<u32> {
        let mut names: Vec<u32> = self
            .candidates
            .iter()
            .zip(kept)
            .filter(|(c, keep)| **keep && c.body.is_some())
            .flat_map(|(c, _)| c.names.iter().copied())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The candidates that define `word`, also under a name an import gives it.
    fn definers(&self, word: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::once(word)
            .chain(self.renames[word as usize].iter().copied())
            .flat_map(|w| self.defined_by[w as usize].iter().copied())
    }

    /// The `among` candidates that a `kept` one mentions.
    pub fn mentioned_among(&self, kept: &[bool], among: &[bool]) -> Vec<u32> {
        // Each word once: common ones (`new`, `push`) have many definers.
        let mut mentioned = vec![false; self.mentioned_by.len()];
        let mut words = Vec::new();
        for (candidate, _) in self.candidates.iter().zip(kept).filter(|(_, keep)| **keep) {
            for &word in &candidate.mentions {
                if !std::mem::replace(&mut mentioned[word as usize], true) {
                    words.push(word);
                }
            }
        }
        self.definers_among(&words, |id| among[id as usize])
    }

    /// The candidates that define one of `words`, among those `among` accepts.
    pub fn definers_among(&self, words: &[u32], among: impl Fn(u32) -> bool) -> Vec<u32> {
        let mut found: Vec<u32> = words
            .iter()
            .flat_map(|&w| self.definers(w))
            .filter(|&id| among(id))
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    /// The candidates whose text holds one of `strings`.
    fn spelling_any(&self, files: &[(PathBuf, Text)], strings: &[&String]) -> Vec<u32> {
        let Some(automaton) = (!strings.is_empty())
            .then(|| AhoCorasick::new(strings).ok())
            .flatten()
        else {
            return if strings.is_empty() {
                Vec::new()
            } else {
                // No automaton: every candidate may hold one.
                (0..self.candidates.len() as u32).collect()
            };
        };
        (0..self.candidates.len() as u32)
            .filter(|&id| {
                let candidate = &self.candidates[id as usize];
                let text = files[candidate.file]
                    .1
                    .get(candidate.text.clone())
                    .unwrap_or_default();
                automaton.is_match(text)
            })
            .collect()
    }

    /// `kept` extended by `start` and the `within` candidates those call, transitively: every
    /// identifier such a candidate spells is looked up among the names `within` candidates
    /// define (also when imported under another name).
    pub fn called_from(&self, mut kept: Vec<bool>, start: &[u32], within: &[bool]) -> Vec<bool> {
        let mut walked = vec![false; self.candidates.len()];
        let mut pending: Vec<u32> = start.to_vec();
        while let Some(id) = pending.pop() {
            if std::mem::replace(&mut walked[id as usize], true) {
                continue;
            }
            kept[id as usize] = true;
            for &word in &self.candidates[id as usize].mentions {
                pending.extend(
                    self.definers(word)
                        .filter(|&callee| within[callee as usize] && !walked[callee as usize]),
                );
            }
        }
        kept
    }
}

/// What a closure reached ([`Index::closure_reach`]).
pub struct Reach {
    /// For each candidate, whether it matters.
    pub relevant: Vec<bool>,
    /// For each word, whether a candidate that spells it matters.
    pub known: Vec<bool>,
    /// For each file, whether all of it matters (a glob import through a known path).
    pub whole_files: Vec<bool>,
}

impl Reach {
    /// What either of two closures reached.
    pub fn or(self, other: &Reach) -> Reach {
        let or = |a: Vec<bool>, b: &[bool]| -> Vec<bool> {
            a.iter().zip(b).map(|(a, b)| *a || *b).collect()
        };
        Reach {
            relevant: or(self.relevant, &other.relevant),
            known: or(self.known, &other.known),
            whole_files: or(self.whole_files, &other.whole_files),
        }
    }
}

/// Seeds as found in the index ([`Index::seeds`]).
#[derive(Debug, Clone, Default)]
pub struct Seeded {
    /// The seeds that are identifiers, numbered.
    words: Vec<u32>,
    /// The candidates that spell one of the other seeds.
    spelling: Vec<u32>,
}

/// Whether the names a mattering candidate defines make their mentioners matter too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Travel {
    /// Every name: callers of callers of a switching body are kept, however far.
    AllNames,
    /// Names of items other than functions (types, fields, constants, macros, imports): a
    /// function's callers are added only when analysis shows they matter.
    NotFunctions,
    /// Names of macros, constants and statics (and imports): what a call can hide behind. A
    /// type or field cannot make a body call anything it does not spell.
    Values,
    /// Only functions that may take a closure matter, and their names travel: the helpers
    /// that may hand a closure to a thread or scope, directly or through one another.
    ClosureTakers,
    /// Names that one function alone defines, and names of what a call can hide behind
    /// (macros, constants, statics, imports): the callers of a switching body, however far
    /// up, without the users of a type or field, and without the mentioners of a name many
    /// functions share (`new`, `run`), whose callers analysis asks for when they matter.
    Callers,
}

/// Whether a seed is an identifier (else it is a path or other string).
pub(super) fn is_identifier(word: &str) -> bool {
    word.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || !b.is_ascii())
}

/// Whether the tokens after an identifier make it lead a path: `::` (its colons adjacent)
/// and then no `<` (`collect::<Vec<_>>()` calls `collect`).
fn leads_path(after: &[lexer::Token]) -> bool {
    match after {
        [first, second, rest @ ..] => {
            first.kind == Kind::Punct(b':')
                && second.kind == Kind::Punct(b':')
                && first.range.end == second.range.start
                && rest.first().is_none_or(|t| t.kind != Kind::Punct(b'<'))
        }
        _ => false,
    }
}

/// Tokenizes a file and finds its items and what each spells.
fn scan(text: &str) -> Option<Scanned> {
    let mut nesting = crate::nesting::NestingBound::new(text, false);
    let (tokens, docs) = lexer::tokenize_noting_docs_beside(text, &mut nesting)?;
    let items = items::items(text, &tokens)?.with_fields_apart();
    // Each candidate's text and, for a function, where its body starts; in candidate order.
    let spans: Vec<(Range<usize>, Option<usize>)> = items
        .fns
        .iter()
        .map(|f| (f.text.clone(), Some(f.body.start)))
        .chain(items.others.iter().map(|o| (o.text.clone(), None)))
        .collect();
    let mut by_start: Vec<usize> = (0..spans.len()).collect();
    by_start.sort_by_key(|&k| spans[k].0.start);
    let mut mentions = vec![Vec::new(); spans.len()];
    let mut headers = vec![Vec::new(); items.fns.len()];
    let mut loose = Vec::new();
    let mut next = by_start.iter().copied().peekable();
    // The names an item defines are spelled where it defines them (`fn enter`, a field
    // `routes: ..`): that spelling is no mention. Any other is, the item's own names included
    // (`fn unshare(..) { libc::unshare(..) }` spells a switch).
    let mut definitions = items.definitions.iter().copied().peekable();
    // One pass over the identifiers: each goes to the candidate it is in, else it is loose.
    for (position, token) in tokens.iter().enumerate() {
        if token.kind != Kind::Ident {
            continue;
        }
        let at = token.range.start;
        while definitions.next_if(|&d| d < at).is_some() {}
        if definitions.next_if_eq(&at).is_some() {
            continue;
        }
        while next.next_if(|&k| spans[k].0.end <= at).is_some() {}
        let hash = word_hash(&text[token.range.clone()]);
        let hash = if leads_path(&tokens[position + 1..]) {
            prefix_form(hash)
        } else {
            hash
        };
        match next.peek().copied().filter(|&k| spans[k].0.start <= at) {
            Some(k) => {
                mentions[k].push(hash);
                if spans[k].1.is_some_and(|body| at < body) {
                    headers[k].push(hash);
                }
            }
            None => loose.push(hash),
        }
    }
    for hashes in mentions.iter_mut().chain(&mut headers).chain([&mut loose]) {
        hashes.sort_unstable();
        hashes.dedup();
    }
    Some(Scanned {
        mentions,
        headers,
        loose,
        items,
        docs,
        shallow: nesting.shallow(),
    })
}
