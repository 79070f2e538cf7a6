//! Hollowing: function bodies that cannot matter are blanked before parsing.
//!
//! Most code in a workspace never touches namespaces. A body only contributes to a finding if
//! it holds a switched region or a scope, or if a region reads its summary. A region starts
//! at a word the catalogue knows (a raw switch, a scope, a namespace path, a configured entry,
//! an `nslint` directive) or at a call to a function that returns switched or with a guard;
//! what it reads are the summaries of the functions it calls, and of what those call.
//!
//! So planning goes by rounds ([`Planner::plan`]). The first keeps the bodies that spell a
//! switching word ([`Seeds`]), their direct callers, the callers of a raw switch's bodies
//! however far up through names one function alone defines (the threads a switch runs on are
//! its callers' to decide, and analysis would ask for them a level per round), what those
//! call one level down (in the packages analysed for their own sake), and the helpers a kept
//! body may hand a closure to.
//! Names travel as they can carry what they name: a raw switch through macros, constants,
//! statics and imports (a type or field cannot make a body call anything it does not spell); a
//! scope through types and struct fields too, field by field (a scope is a method of the type
//! a value has). A word that leads a path (`io::Error`) is a word of its own, defined only by
//! modules, crates, types and imports, never by a field or a function. Analysis of what was
//! kept then says which functions return switched, return a guard or forward a closure (their
//! callers are kept next), which functions regions read (their bodies are kept next) and which
//! calls from regions reach nothing loaded yet: a [`Demand`]. Rounds go on until analysis
//! demands nothing new; a package analysed only for its dependents is loaded once a plan keeps
//! one of its bodies, and a warm run starts from the demand the last run kept.
//!
//! A byte-level tokenizer (the fast path's `lexer.rs`, and `items.rs`) finds every item and what it
//! spells, an inverted index (`index.rs`) makes each round linear, and every other body's
//! inside is turned into a block comment of the same length ([`hollow_text`]), so syn skips it
//! and every span stays where it was; doc comments, which syn would turn into attributes and
//! nothing reads, become plain comments the same way. A function whose body is blanked goes
//! whole, signature and outer attributes included (`Index::erasable`), when no code that is not
//! blanked spells a name it defines (every signature, `use` leaf, attribute, macro call and
//! item header counts, and so do the seeds and what analysis demanded), it is not a `Drop`
//! impl's `drop` (which nobody calls by name), and its file spells no `nslint` directive:
//! nothing kept can call or name it. Decisions are by words, never by resolution, so a plan
//! only ever keeps too much: a blanked body's summary is empty, and no region reads it. Strict
//! mode keeps every body that reaches a word with all its callers, in one round.
//!
//! Whatever the scan cannot vouch for turns hollowing off for the run ([`Planner::new`]
//! returns `None`): a file whose brackets do not balance or that ends inside a literal. The
//! files planned are all the loader can read for the packages concerned, `#[path]` modules
//! included ([`crate::prescan::package_files`]); a package whose files the fast path cannot
//! vouch for is not planned, and the loader reads it whole.

mod halves;
mod index;
mod items;
mod seeds;

pub use halves::{Half, Halves};
pub use seeds::{Qualified, Seeds, seed_words};

use crate::prescan::lexer;
use crate::source::Text;
use index::{Index, Seeded, Travel, word_hash};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Which ranges of which files are blanked: function bodies, and functions left out whole.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Hollowing {
    blanks: FxHashMap<PathBuf, Vec<Range<usize>>>,
    /// Where each scanned file's doc comments are: they are made plain comments too (syn
    /// turns doc comments into attributes, a quarter of parsing on ordinary code, and
    /// nothing reads them).
    docs: Arc<FxHashMap<PathBuf, Vec<usize>>>,
    /// The files a plan that blanks only doc comments and bodies measured as shallow
    /// ([`crate::nesting::NestingBound`], with doc comments uncounted).
    shallow: Arc<FxHashSet<PathBuf>>,
    /// How many bodies the plan keeps.
    kept: usize,
    /// The files with a kept body.
    kept_in: FxHashSet<PathBuf>,
    /// Where the comment of each function body of each file goes, in a plan made by
    /// [`Hollowing::docs_only`]: what a unit loaded in halves blanks in the other half's files
    /// ([`Halves`]).
    bodies: Arc<FxHashMap<PathBuf, Vec<Range<usize>>>>,
}

/// What is blanked in one file ([`Hollowing::of`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Blanking<'h> {
    /// Ranges turned into comments, sorted (see [`Planner::plan`]): the inside of a body's
    /// braces, or a whole function item.
    pub ranges: &'h [Range<usize>],
    /// Doc comments made plain: where their third byte is.
    pub docs: &'h [usize],
    /// Whether the file, with its doc comments made plain and any function bodies blanked,
    /// is known to nest within [`crate::nesting::MAX_NESTING`]: it need not be measured again.
    pub shallow: bool,
}

impl Hollowing {
    /// What is blanked in `path` (nothing when it was not scanned).
    pub fn of(&self, path: &Path) -> Blanking<'_> {
        Blanking {
            ranges: self.blanks_of(path),
            docs: self.docs.get(path).map_or(&[], Vec::as_slice),
            shallow: self.shallow.contains(path),
        }
    }

    /// The plan that blanks nothing and makes every doc comment of `files` plain, as
    /// [`Planner::docs_only`] makes it, without the index rounds plan with: for a run that
    /// gives hollowing up before its first plan. `None` when a file cannot be scanned, where
    /// [`Planner::new`] gives no planner.
    pub fn docs_only(files: &[(PathBuf, Text)]) -> Option<Hollowing> {
        use rayon::prelude::*;
        let scanned: Option<Vec<BodyScan>> = files
            .par_iter()
            .map(|(_, text)| scan_bodies(text))
            .collect();
        let mut docs = Vec::with_capacity(files.len());
        let mut shallow = FxHashSet::default();
        let mut kept = 0;
        let mut bodies = FxHashMap::default();
        for ((path, _), scan) in files.iter().zip(scanned?) {
            docs.push(scan.docs);
            if scan.shallow {
                shallow.insert(path.clone());
            }
            kept += scan.bodies;
            bodies.insert(path.clone(), scan.comments);
        }
        Some(Hollowing {
            bodies: Arc::new(bodies),
            shallow: Arc::new(shallow),
            ..Hollowing::keeping_every_body(files, Arc::new(docs_by_path(files, docs)), kept)
        })
    }

    /// The plan that blanks nothing in `files` and keeps their `kept` bodies, with the doc
    /// comments at `docs` made plain.
    fn keeping_every_body(
        files: &[(PathBuf, Text)],
        docs: Arc<FxHashMap<PathBuf, Vec<usize>>>,
        kept: usize,
    ) -> Hollowing {
        Hollowing {
            blanks: FxHashMap::default(),
            docs,
            shallow: Arc::default(),
            kept,
            kept_in: files.iter().map(|(path, _)| path.clone()).collect(),
            bodies: Arc::default(),
        }
    }

    /// Where the comment of each function body of `path` goes, when the plan was made by
    /// [`Hollowing::docs_only`] and scanned the file.
    pub fn bodies_of(&self, path: &Path) -> Option<&[Range<usize>]> {
        self.bodies.get(path).map(Vec::as_slice)
    }

    /// Whether the plan keeps a function body in `path`.
    pub fn keeps_a_body_in(&self, path: &Path) -> bool {
        self.kept_in.contains(path)
    }

    /// How many bodies are kept and how many blanked.
    pub fn counts(&self) -> (usize, usize) {
        (self.kept, self.blanks.values().map(Vec::len).sum())
    }

    /// The ranges blanked in `path` (none when it was not scanned), sorted: bodies, and
    /// functions left out whole.
    pub fn blanks_of(&self, path: &Path) -> &[Range<usize>] {
        self.blanks.get(path).map_or(&[], Vec::as_slice)
    }
}

/// What analysis found that a plan must keep, by name: the functions whose callers matter,
/// and the functions whose effects are read where they are called. Names are compared as
/// words (the last segment of a path, a method's name), so a demand only ever keeps more.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demand {
    /// Functions that return with the thread switched or with a guard, or that hand a
    /// closure argument to a thread or scope: their callers hold switched regions or scopes.
    pub callers_of: BTreeSet<String>,
    /// Functions called inside a switched region or a scope: their summaries (and so their
    /// bodies, and those of what they call) decide what the region does.
    pub callees: BTreeSet<String>,
    /// Functions whose return type types the receiver of a method called there: their
    /// signatures must be read, so their packages loaded, whatever their bodies do.
    pub signatures: BTreeSet<String>,
}

impl Demand {
    /// Adds `other`; whether anything was new.
    pub fn absorb(&mut self, other: Demand) -> bool {
        let size = |d: &Demand| (d.callers_of.len(), d.callees.len(), d.signatures.len());
        let before = size(self);
        self.callers_of.extend(other.callers_of);
        self.callees.extend(other.callees);
        self.signatures.extend(other.signatures);
        before != size(self)
    }
}

/// The words a plan's decisions turned on ([`Planner::vocabulary`]). An edit whose words are
/// outside it, and that spells no string seed, leaves every other body's fate as it was:
/// a body matters only by spelling a word of `spelled`, and a new item matters only by
/// defining a word of `defined` (a name code that was not blanked spells, or that analysis
/// demanded). Words are hashes of their text (`word_hash`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vocabulary {
    /// Seeds, names that travel in one of the plan's closures, and the names whose callers
    /// are kept, sorted.
    pub spelled: Vec<u64>,
    /// Everything code that was not blanked spells, what analysis demanded, the spelled
    /// words and what those are imported from under another name, sorted.
    pub defined: Vec<u64>,
    /// Files that matter whole to a closure (a glob import through a known path).
    pub whole_files: Vec<PathBuf>,
    /// Seeds that are not identifiers (paths), looked for in raw text.
    pub strings: Vec<String>,
}

impl Vocabulary {
    /// Whether spelling `word` could change what a plan keeps.
    pub fn spells(&self, word: &str) -> bool {
        self.spelled.binary_search(&word_hash(word)).is_ok()
    }

    /// Whether defining `word` could change what a plan keeps or what kept code calls.
    pub fn defines(&self, word: &str) -> bool {
        self.defined.binary_search(&word_hash(word)).is_ok()
    }

    /// Counts `words` as spelled by unblanked code from now on (the signatures of items a
    /// replayed edit added), as a plan made afresh would.
    pub fn note_defined<'w>(&mut self, words: impl IntoIterator<Item = &'w str>) {
        self.defined.extend(words.into_iter().map(word_hash));
        self.defined.sort_unstable();
        self.defined.dedup();
    }
}

/// What a later run checks an edit against ([`crate::replay`]): a final plan, and the words
/// its decisions turned on.
#[derive(Debug, Clone)]
pub struct Vouching {
    /// The words the plan's decisions turned on.
    pub vocabulary: Vocabulary,
    /// The plan: which bodies an edit may change without changing what is found.
    pub plan: Hollowing,
}

/// Element-wise "or" of two flag lists (a missing flag is false).
fn or(a: &[bool], b: &[bool]) -> Vec<bool> {
    (0..a.len().max(b.len()))
        .map(|i| a.get(i).copied().unwrap_or(false) || b.get(i).copied().unwrap_or(false))
        .collect()
}

/// Where the doc comments of `files` are (`docs`, one list per file, in order), for the files
/// that have any.
fn docs_by_path(
    files: &[(PathBuf, Text)],
    docs: impl IntoIterator<Item = Vec<usize>>,
) -> FxHashMap<PathBuf, Vec<usize>> {
    files
        .iter()
        .zip(docs)
        .filter(|(_, docs)| !docs.is_empty())
        .map(|((path, _), docs)| (path.clone(), docs))
        .collect()
}

/// Plans which bodies to blank for a selection of files, from the [`Seeds`] of the catalogue
/// and, round by round, from what analysis demands ([`Planner::plan`]).
pub struct Planner<'f> {
    files: &'f [(PathBuf, Text)],
    index: Index,
    strict: bool,
    /// Where the raw-switch seeds are (with strict, every seed).
    switching_seeds: Seeded,
    /// Where the scope seeds are (none with strict: they are among `switching_seeds`).
    scope_seeds: Seeded,
    /// For each candidate, the range its blanking comment covers (`None`: not blankable).
    comments: Vec<Option<Range<usize>>>,
    /// Where each file's doc comments are.
    docs: Arc<FxHashMap<PathBuf, Vec<usize>>>,
    /// Bodies that reach a word of work elsewhere (sensitive operations, escapes, thread
    /// APIs) through the names they spell.
    reaching: Vec<bool>,
    /// Functions that may hand a closure parameter to a thread or scope: they take a closure
    /// and spell a thread API, a scope or another such function.
    forwarders: Vec<bool>,
    /// The names of the functions that spell a switching word: their direct callers are
    /// always kept (most hold the region such a function starts).
    switching_names: Vec<u32>,
    /// The callers of the bodies that spell a raw switch, however far up, through names one
    /// function alone defines ([`Travel::Callers`]): analysis asks for them (the threads a
    /// switch runs on are decided by its callers, up to an entry point), and by demand alone
    /// they came one level per round.
    switching_callers: Vec<bool>,
    /// The names those callers define: analysis asks for their callers by these names, so a
    /// function that defines one is never left out whole, from the first plan on (a plan
    /// that erased it first and kept its item later would model its units twice).
    callers_names: Vec<u32>,
    /// For each file, whether the first guess at what regions read may keep bodies there.
    guessed: Vec<bool>,
    /// For each word, whether spelling it makes a candidate matter to one of the closures
    /// computed up front (switching, reaching work, forwarding closures).
    known_up_front: Vec<bool>,
    /// For each file, whether one of those closures takes it whole.
    whole_up_front: Vec<bool>,
    /// The seeds that are not identifiers, looked for in raw text.
    string_seeds: Vec<String>,
    /// The seeds that are identifiers some file spells: a function that defines one is never
    /// left out whole.
    seed_words: Vec<u32>,
    /// For each file, whether it spells no `nslint` directive: a directive before an item
    /// applies to it, so no item of such a file is left out whole.
    directive_free: Vec<bool>,
}

impl<'f> Planner<'f> {
    /// Scans `files` (path and text); `None` when some file cannot be scanned, and then
    /// nothing may be blanked. A qualified seed ([`Seeds::qualified`]) counts when some file
    /// spells its crate or `members` (the workspace's crate names) holds it.
    ///
    /// With `strict`, every sensitive operation is reported on its own and its callers decide
    /// whether it is only called from scopes, so every body that reaches a word of either
    /// kind is kept with all its callers, and demands change nothing.
    pub fn new(
        files: &'f [(PathBuf, Text)],
        mut seeds: Seeds,
        members: &BTreeSet<String>,
        strict: bool,
    ) -> Option<Self> {
        let index = Index::build(files)?;
        for Qualified { krate, word } in std::mem::take(&mut seeds.qualified) {
            if members.contains(&krate) || !index.known_words([krate.as_str()]).is_empty() {
                seeds.scoped.push(word);
            }
        }
        let every_seed = || {
            [
                &seeds.calls,
                &seeds.switching,
                &seeds.scoped,
                &seeds.reached,
                &seeds.contexts,
            ]
            .into_iter()
            .flatten()
        };
        let seed_words = index.known_words(every_seed().map(String::as_str));
        let directive_free = files
            .iter()
            .map(|(_, text)| !text.contains(crate::suppress::DIRECTIVE_WORD))
            .collect();
        let string_seeds = every_seed()
            .filter(|s| !index::is_identifier(s))
            .cloned()
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect();
        let mut known_up_front = Vec::new();
        let mut whole_up_front = Vec::new();
        let no_seeds = Seeded::default();
        let mut switching_callers = Vec::new();
        let mut callers_names = Vec::new();
        let (switching_seeds, scope_seeds, reaching, forwarders, switching_names) = if strict {
            let mut all = seeds.switching;
            all.extend(seeds.scoped);
            all.extend(seeds.reached);
            let all = index.seeds(files, &all, &seeds.calls);
            (all, no_seeds, Vec::new(), Vec::new(), Vec::new())
        } else {
            let switching_seeds = index.seeds(files, &seeds.switching, &seeds.calls);
            let scope_seeds = index.seeds(files, &seeds.scoped, &[]);
            let switching = switching_reach(&index, &switching_seeds, &scope_seeds, &[]);
            let reached = index.seeds(files, &seeds.reached, &[]);
            let reaching = index.closure_reach(&reached, &[], Travel::AllNames);
            let mut handing = seeds.contexts;
            handing.extend(seeds.switching);
            handing.extend(seeds.scoped);
            let handing = index.seeds(files, &handing, &seeds.calls);
            let forwarders = index.closure_reach(&handing, &[], Travel::ClosureTakers);
            let names = index.function_names(&switching.relevant);
            let callers = index.closure_reach(&switching_seeds, &[], Travel::Callers);
            known_up_front = or(&or(&reaching.known, &forwarders.known), &callers.known);
            whole_up_front = or(
                &or(&reaching.whole_files, &forwarders.whole_files),
                &callers.whole_files,
            );
            callers_names = index.function_names(&callers.relevant);
            switching_callers = callers.relevant;
            (
                switching_seeds,
                scope_seeds,
                reaching.relevant,
                forwarders.relevant,
                names,
            )
        };
        let comments = index
            .candidates
            .iter()
            .map(|c| {
                c.body
                    .as_ref()
                    .and_then(|body| comment_range(&files[c.file].1, body))
            })
            .collect();
        let docs = docs_by_path(files, index.docs.iter().cloned());
        Some(Planner {
            files,
            strict,
            switching_seeds,
            scope_seeds,
            comments,
            docs: Arc::new(docs),
            reaching,
            forwarders,
            switching_names,
            switching_callers,
            callers_names,
            guessed: vec![true; files.len()],
            known_up_front,
            whole_up_front,
            string_seeds,
            seed_words,
            directive_free,
            index,
        })
    }

    /// Limits the guess at what regions read (see [`Planner::plan`]) to the files for which
    /// `allowed` holds: bodies elsewhere are kept only on demand.
    pub fn guess_only_in(&mut self, allowed: impl Fn(&Path) -> bool) {
        self.guessed = self.files.iter().map(|(path, _)| allowed(path)).collect();
    }

    /// `demand` without the names no scanned file spells.
    pub fn known(&self, demand: Demand) -> Demand {
        let spelled = |names: BTreeSet<String>| {
            names
                .into_iter()
                .filter(|n| !self.index.known_words([n.as_str()]).is_empty())
                .collect()
        };
        Demand {
            callers_of: spelled(demand.callers_of),
            callees: spelled(demand.callees),
            signatures: spelled(demand.signatures),
        }
    }

    /// A plan that blanks nothing and makes every doc comment plain (what a run that gives up
    /// on hollowing still saves); it keeps every body.
    pub fn docs_only(&self) -> Hollowing {
        let kept = self
            .index
            .candidates
            .iter()
            .filter(|c| c.body.is_some())
            .count();
        let mut bodies: FxHashMap<PathBuf, Vec<Range<usize>>> = self
            .files
            .iter()
            .map(|(path, _)| (path.clone(), Vec::new()))
            .collect();
        // Candidates come file by file in source order, as `scan_bodies` finds bodies.
        for (candidate, comment) in self.index.candidates.iter().zip(&self.comments) {
            if let (Some(comment), Some(ranges)) =
                (comment, bodies.get_mut(&self.files[candidate.file].0))
            {
                ranges.push(comment.clone());
            }
        }
        let shallow = self
            .files
            .iter()
            .zip(&self.index.shallow)
            .filter(|(_, shallow)| **shallow)
            .map(|((path, _), _)| path.clone())
            .collect();
        Hollowing {
            bodies: Arc::new(bodies),
            shallow: Arc::new(shallow),
            ..Hollowing::keeping_every_body(self.files, Arc::clone(&self.docs), kept)
        }
    }

    /// Whether [`Planner::plan`] depends on the demand (not in strict mode).
    pub fn is_demand_driven(&self) -> bool {
        !self.strict
    }

    /// The words the plan for `demand` turned on, as [`Vocabulary`] describes them; `None`
    /// in strict mode (no edit is vouched for there).
    pub fn vocabulary(&self, demand: &Demand, hollowing: &Hollowing) -> Option<Vocabulary> {
        if self.strict {
            return None;
        }
        let switching = switching_reach(
            &self.index,
            &self.switching_seeds,
            &self.scope_seeds,
            &self.callers_words(demand),
        );
        let mut spelled = or(&switching.known, &self.known_up_front);
        for word in self.callers_words(demand) {
            spelled[word as usize] = true;
        }
        let whole = or(&switching.whole_files, &self.whole_up_front);
        // Bodies that were parsed, and every item that is not a function.
        let blanked = |id: usize| {
            let candidate = &self.index.candidates[id];
            let blanks = hollowing.blanks_of(&self.files[candidate.file].0);
            let starts_a_blank = |at: usize| blanks.binary_search_by_key(&at, |r| r.start).is_ok();
            self.comments[id]
                .as_ref()
                .is_some_and(|comment| starts_a_blank(comment.start))
                || candidate.erasable_from.is_some_and(starts_a_blank)
        };
        let mut defined = self.index.mentioned_by_any(|id| !blanked(id));
        let demanded = demand
            .callees
            .iter()
            .chain(&demand.signatures)
            .map(String::as_str);
        for word in self.index.known_words(demanded) {
            defined[word as usize] = true;
        }
        let mut defined = or(&defined, &spelled);
        self.index.mark_renamed(&mut defined);
        Some(Vocabulary {
            spelled: self.index.hashes_of(&spelled),
            defined: self.index.hashes_of(&defined),
            whole_files: self
                .files
                .iter()
                .zip(&whole)
                .filter(|(_, whole)| **whole)
                .map(|((path, _), _)| path.clone())
                .collect(),
            strings: self.string_seeds.clone(),
        })
    }

    /// The numbered words a function left out whole must not define, besides what code that
    /// is not blanked spells: the seeds, and every name analysis demanded.
    fn spelled_anyway(&self, demand: &Demand) -> Vec<u32> {
        let mut words = self.callers_words(demand);
        words.extend(&self.seed_words);
        words.extend(&self.callers_names);
        let demanded = demand.callees.iter().chain(&demand.signatures);
        words.extend(self.index.known_words(demanded.map(String::as_str)));
        words
    }

    /// The numbered words whose callers are kept: switching functions' names and demanded ones.
    fn callers_words(&self, demand: &Demand) -> Vec<u32> {
        let mut callers_of = self.switching_names.clone();
        callers_of.extend(
            self.index
                .known_words(demand.callers_of.iter().map(String::as_str)),
        );
        callers_of
    }

    /// Which bodies to blank, given what analysis has demanded so far.
    ///
    /// Kept are the bodies that spell a switching word, their direct callers, the callers of
    /// every function in `demand.callers_of`, and names that travel through types, fields,
    /// constants, macros and imports; then, as a first guess at what their regions read, what
    /// they call one level down (in the files [`Planner::guess_only_in`] allows); the
    /// functions in `demand.callees` (that reach work elsewhere) and `demand.signatures`; and
    /// the helpers a kept body may hand a closure to, with the helpers those hand it to.
    /// Whatever else a body does only matters through those: its summary would not be read.
    /// A blanked function that nothing left spells goes whole (`Index::erasable`).
    pub fn plan(&self, demand: &Demand) -> Hollowing {
        let keep = if self.strict {
            self.index
                .closure(&self.switching_seeds, &[], Travel::AllNames)
        } else {
            let callers_of = self.callers_words(demand);
            let reach = switching_reach(
                &self.index,
                &self.switching_seeds,
                &self.scope_seeds,
                &callers_of,
            );
            let switching = or(&reach.relevant, &self.switching_callers);
            // What the switching bodies call one level down is a guess at what their regions
            // read; analysis demands the rest, round by round.
            let mut read = self.index.mentioned_among(&switching, &self.reaching);
            read.retain(|&id| self.guessed[self.index.candidates[id as usize].file]);
            let callees = self
                .index
                .known_words(demand.callees.iter().map(String::as_str));
            read.extend(
                self.index
                    .definers_among(&callees, |id| self.reaching[id as usize]),
            );
            let signatures = self
                .index
                .known_words(demand.signatures.iter().map(String::as_str));
            read.extend(self.index.definers_among(&signatures, |_| true));
            let mut kept = switching;
            for index in read {
                kept[index as usize] = true;
            }
            let handed = self.index.mentioned_among(&kept, &self.forwarders);
            self.index.called_from(kept, &handed, &self.forwarders)
        };
        let blanked: Vec<bool> = keep
            .iter()
            .zip(&self.comments)
            .map(|(keep, comment)| !keep && comment.is_some())
            .collect();
        let erasable = self.index.erasable(&blanked, &self.spelled_anyway(demand));
        // Gathered by file number, then keyed by path once per file.
        let mut by_file: Vec<Vec<Range<usize>>> = vec![Vec::new(); self.files.len()];
        let mut kept_in_file = vec![false; self.files.len()];
        let mut kept = 0;
        for (id, (candidate, keep)) in self.index.candidates.iter().zip(keep).enumerate() {
            if keep && candidate.body.is_some() {
                kept += 1;
                kept_in_file[candidate.file] = true;
            }
            let Some(comment) = self.comments[id].clone().filter(|_| blanked[id]) else {
                continue;
            };
            let text = &self.files[candidate.file].1;
            let whole = candidate
                .erasable_from
                .filter(|_| erasable[id] && self.directive_free[candidate.file])
                .and_then(|from| item_comment_range(text, from..candidate.text.end));
            by_file[candidate.file].push(whole.unwrap_or(comment));
        }
        let mut blanks = FxHashMap::with_capacity_and_hasher(self.files.len(), Default::default());
        let mut kept_in = FxHashSet::with_capacity_and_hasher(self.files.len(), Default::default());
        for (((path, _), mut ranges), kept_here) in self.files.iter().zip(by_file).zip(kept_in_file)
        {
            if kept_here {
                kept_in.insert(path.clone());
            }
            if !ranges.is_empty() {
                ranges.sort_by_key(|r| r.start);
                blanks.insert(path.clone(), ranges);
            }
        }
        // A plan that leaves functions out whole may join what they separated: its files are
        // measured when they are parsed.
        Hollowing {
            blanks,
            docs: Arc::clone(&self.docs),
            shallow: Arc::default(),
            kept,
            kept_in,
            bodies: Arc::default(),
        }
    }
}

/// The bodies that matter for switching: those that spell a raw switch, or reach one through
/// a macro, constant, static or import ([`Travel::Values`]), or call one of `callers_of`; and
/// those that spell a scope word, found through types and fields too
/// ([`Travel::NotFunctions`]), since a scope is a method of the type a value has.
fn switching_reach(
    index: &Index,
    raw: &Seeded,
    scopes: &Seeded,
    callers_of: &[u32],
) -> index::Reach {
    let raw = index.closure_reach(raw, callers_of, Travel::Values);
    let scoped = index.closure_reach(scopes, &[], Travel::NotFunctions);
    raw.or(&scoped)
}

/// A token of [`scan_file`].
pub use crate::prescan::lexer::Token as ScanToken;

/// What a [`ScanToken`] is.
pub use crate::prescan::lexer::Kind as ScanKind;

/// One file as the planner sees it ([`scan_file`]).
#[derive(Debug, Clone)]
pub struct FileScan {
    /// Its tokens, in order.
    pub tokens: Vec<ScanToken>,
    /// Where its doc comments are (see [`Blanking::docs`]).
    pub docs: Vec<usize>,
    /// Its functions and other named items, in the planner's terms.
    pub items: Vec<ItemScan>,
    /// Where its comments are, in order.
    pub comments: Vec<Range<usize>>,
}

/// A function or named item of a [`FileScan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemScan {
    /// Its text (from `fn` or the item's keyword to its end).
    pub text: Range<usize>,
    /// For a function, the inside of its braces.
    pub body: Option<Range<usize>>,
    /// The names it defines.
    pub names: Vec<String>,
}

impl FileScan {
    /// The tokens that lie inside `range`.
    pub fn tokens_in(&self, range: &Range<usize>) -> &[ScanToken] {
        let first = self.tokens.partition_point(|t| t.range.start < range.start);
        let last = self.tokens.partition_point(|t| t.range.end <= range.end);
        &self.tokens[first..last.max(first)]
    }

    /// Whether every byte of `range` is ASCII whitespace or part of a comment.
    pub fn is_trivia(&self, text: &str, range: &Range<usize>) -> bool {
        let bytes = text.as_bytes();
        let mut at = range.start;
        while at < range.end {
            let first = self.comments.partition_point(|c| c.end <= at);
            match self.comments.get(first).filter(|c| c.start <= at) {
                Some(comment) => at = comment.end,
                None if bytes.get(at).is_some_and(u8::is_ascii_whitespace) => at += 1,
                None => return false,
            }
        }
        true
    }
}

/// What [`scan_bodies`] finds in a file.
struct BodyScan {
    /// Where its doc comments are (see [`Blanking::docs`]).
    docs: Vec<usize>,
    /// How many function bodies it has.
    bodies: usize,
    /// Where the comment of each body that can be blanked goes ([`comment_range`]), in
    /// source order.
    comments: Vec<Range<usize>>,
    /// Whether it nests shallowly once its doc comments are made plain.
    shallow: bool,
}

/// Finds a file's doc comments and function bodies; `None` when it cannot be scanned.
fn scan_bodies(text: &str) -> Option<BodyScan> {
    let mut nesting = crate::nesting::NestingBound::new(text, false);
    let (tokens, docs) = lexer::tokenize_noting_docs_beside(text, &mut nesting)?;
    let fns = items::items(text, &tokens)?.fns;
    let comments = fns
        .iter()
        .filter_map(|f| comment_range(text, &f.body))
        .collect();
    Some(BodyScan {
        docs,
        bodies: fns.len(),
        comments,
        shallow: nesting.shallow(),
    })
}

/// Scans one file as the planner does; `None` when it cannot be scanned.
pub fn scan_file(text: &str) -> Option<FileScan> {
    let (tokens, docs) = lexer::tokenize_noting_docs(text)?;
    let found = items::items(text, &tokens)?;
    let comments = lexer::comments(text)?;
    let mut items: Vec<ItemScan> = found
        .fns
        .into_iter()
        .map(|f| ItemScan {
            text: f.text,
            body: Some(f.body),
            names: f.names,
        })
        .chain(found.others.into_iter().map(|o| ItemScan {
            text: o.text,
            body: None,
            names: o.names,
        }))
        .collect();
    items.sort_by_key(|i| i.text.start);
    Some(FileScan {
        tokens,
        docs,
        items,
        comments,
    })
}

/// Where a body's comment goes: from its first pair of ASCII bytes that are not line breaks
/// to its last such pair, when only whitespace lies outside that range (so nothing is left as
/// code and no character or line break is cut).
pub fn comment_range(text: &str, body: &Range<usize>) -> Option<Range<usize>> {
    let bytes = text.as_bytes().get(body.clone())?;
    let first = bytes.windows(2).position(|w| w.iter().all(is_plain))?;
    let last = bytes.windows(2).rposition(|w| w.iter().all(is_plain))? + 2;
    let outside_blank = bytes[..first]
        .iter()
        .chain(&bytes[last..])
        .all(u8::is_ascii_whitespace);
    (last >= first + 4 && outside_blank).then(|| body.start + first..body.start + last)
}

/// Whether a byte may be overwritten by a comment's `/*` or `*/`: ASCII, not a line break.
fn is_plain(byte: &u8) -> bool {
    byte.is_ascii() && *byte != b'\n' && *byte != b'\r'
}

/// Where a function item left out whole goes: all of `item` (from its first qualifier to its
/// closing brace) becomes a comment when it starts with two ASCII bytes that are not line
/// breaks and only ASCII follows its last such pair ([`hollow_text`] ends the comment there
/// and makes what follows spaces), so that nothing is left as code and no character or line
/// break is cut.
pub fn item_comment_range(text: &str, item: Range<usize>) -> Option<Range<usize>> {
    let bytes = text.as_bytes().get(item.clone())?;
    let last = bytes.windows(2).rposition(|w| w.iter().all(is_plain))?;
    let starts_plain = bytes.get(..2).is_some_and(|b| b.iter().all(is_plain));
    (starts_plain && last >= 2 && bytes[last + 2..].is_ascii()).then_some(item)
}

/// `text` with what `blanking` says blanked: every doc comment made plain (a space for its
/// third byte), and every range (from [`Planner::plan`]: each starts with two ASCII bytes
/// that are not line breaks, and only ASCII follows its last such pair) turned into a block
/// comment of the same length, from its start to its last such pair: ASCII becomes spaces
/// except line breaks, other characters stay, so byte offsets, lines and columns are
/// unchanged.
pub fn hollow_text<'t>(text: &'t str, blanking: Blanking<'_>) -> Cow<'t, str> {
    if blanking.ranges.is_empty() && blanking.docs.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for &at in blanking.docs {
        if let Some(byte) = bytes
            .get_mut(at)
            .filter(|b| matches!(b, b'/' | b'*' | b'!'))
        {
            *byte = b' ';
        }
    }
    for range in blanking.ranges {
        let Some(inside) = bytes.get_mut(range.clone()).filter(|b| b.len() >= 4) else {
            continue;
        };
        let Some(last) = inside
            .windows(2)
            .rposition(|pair| pair.iter().all(is_plain))
        else {
            continue;
        };
        for byte in inside.iter_mut() {
            if is_plain(byte) {
                *byte = b' ';
            }
        }
        inside[..2].copy_from_slice(b"/*");
        inside[last..last + 2].copy_from_slice(b"*/");
    }
    match String::from_utf8(bytes) {
        Ok(hollowed) => Cow::Owned(hollowed),
        // Cannot happen for what [`Planner::plan`] gives (only ASCII bytes change); be safe.
        Err(_) => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(texts: &[&str]) -> Vec<(PathBuf, Text)> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| (PathBuf::from(format!("f{i}.rs")), Text::from(*t)))
            .collect()
    }

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn kept(texts: &[&str], seeds: &[&str]) -> Vec<String> {
        kept_with(texts, seeds, &[], false)
    }

    fn kept_with(
        texts: &[&str],
        switching: &[&str],
        reached: &[&str],
        strict: bool,
    ) -> Vec<String> {
        kept_on_demand(texts, switching, reached, strict, &Demand::default())
    }

    fn kept_on_demand(
        texts: &[&str],
        switching: &[&str],
        reached: &[&str],
        strict: bool,
        demand: &Demand,
    ) -> Vec<String> {
        let seeds = Seeds {
            calls: Vec::new(),
            switching: words(switching),
            scoped: Vec::new(),
            reached: words(reached),
            contexts: words(reached),
            qualified: Vec::new(),
        };
        kept_with_seeds(texts, seeds, strict, demand)
    }

    fn kept_with_seeds(texts: &[&str], seeds: Seeds, strict: bool, demand: &Demand) -> Vec<String> {
        let files = files(texts);
        let plan = Planner::new(&files, seeds, &BTreeSet::new(), strict)
            .expect("scannable")
            .plan(demand);
        files
            .iter()
            .map(|(path, text)| hollow_text(text, plan.of(path)).into_owned())
            .collect()
    }

    #[test]
    fn switching_bodies_and_their_callers_are_kept_however_far_up_through_unshared_names() {
        let texts = [
            "fn enter() { setns(3, 0); }\nfn plain() { let x = 1; x }\n",
            "fn caller() { crate::enter(); }\nfn far() { caller() }\nfn other() { plain() }\n",
        ];
        let out = kept(&texts, &["setns"]);
        // Nothing that is kept names `plain` or `other`: they go whole.
        assert_eq!(
            out[0],
            format!("fn enter() {{ setns(3, 0); }}\n{}\n", comment_of(27))
        );
        assert_eq!(
            out[1],
            format!(
                "fn caller() {{ crate::enter(); }}\nfn far() {{ caller() }}\n{}\n",
                comment_of(22)
            )
        );
        // When two functions define `caller`, a mention of it may call either: its callers
        // are kept when analysis asks for them.
        let shared = [texts[0], texts[1], "fn caller() { let y = 2; y }\n"];
        let out = kept(&shared, &["setns"]);
        assert!(!out[1].contains("caller() }"), "{}", out[1]);
        let demand = Demand {
            callers_of: BTreeSet::from(["caller".to_owned()]),
            ..Demand::default()
        };
        let out = kept_on_demand(&shared, &["setns"], &[], false, &demand);
        assert!(out[1].contains("fn far() { caller() }"), "{}", out[1]);
        assert!(!out[1].contains("other"), "{}", out[1]);
        // Kept code names `plain` now: its signature stays, its body is still blanked.
        let texts = [texts[0], "fn caller() { crate::enter(); plain() }\n"];
        let out = kept(&texts, &["setns"]);
        assert!(
            out[0].ends_with("fn plain() {/*          */}\n"),
            "{}",
            out[0]
        );
    }

    /// A block comment of `len` bytes, as a whole item of that length on one line becomes.
    fn comment_of(len: usize) -> String {
        format!("/*{}*/", " ".repeat(len - 4))
    }

    #[test]
    fn functions_nothing_unblanked_names_are_left_out_whole() {
        let text = "use crate::imported;\n\
                    fn enter() { setns(3, 0); helper(); sized(); }\n\
                    fn sized() -> [u8; width()] { [0; 4] }\n\
                    const fn width() -> usize { 2 + 2 }\n\
                    pub(crate) async fn helper() -> u8 { 1 + 1 }\n\
                    /// Documented.\npub fn unnamed(v: &[u8]) -> usize { v.len() }\n\
                    #[inline]\nfn attributed() { let _ = 1; }\n\
                    fn imported() { let _ = 1; }\n\
                    struct S;\nimpl S {\n    pub fn method(&self) -> u8 { 2 + 2 }\n}\n\
                    impl Clone for S {\n    fn clone(&self) -> S { Self }\n}\n\
                    trait T {\n    fn provided(&self) { let _ = 1; }\n}\n\
                    fn calls_unnamed() -> char { unnamed(&[]); '\u{e9}' }\n";
        let out = kept(&[text], &["setns"]).remove(0);
        for stays in [
            "fn enter() { setns(3, 0); helper(); sized(); }",
            "const fn width() -> usize {/*",
            "pub(crate) async fn helper() -> u8 {/*",
            "fn imported() {/*",
            "impl S {",
            "impl Clone for S {",
            "trait T {",
        ] {
            assert!(out.contains(stays), "`{stays}` stays:\n{out}");
        }
        for goes in [
            "unnamed",
            "method",
            "calls_unnamed",
            "v: &[u8]",
            "inline",
            "attributed",
            "fn clone",
            "provided",
        ] {
            assert!(!out.contains(goes), "`{goes}` goes:\n{out}");
        }
        // Only spaces replace code: offsets, lines, columns and wide characters stay.
        assert_eq!(out.len(), text.len());
        assert_eq!(out.lines().count(), text.lines().count());
        assert!(
            out.contains("//  Documented.") && out.contains("\u{e9} */"),
            "{out}"
        );
        syn::parse_file(&out).expect("the hollowed text parses");
    }

    #[test]
    fn a_body_that_spells_its_own_functions_name_mentions_it() {
        let text = "fn unshare(f: i32) -> i32 { unsafe { libc::unshare(f) } }\n\
                    struct List { next: Option<Box<List>> }\n\
                    fn other(x: i32) -> i32 { x + 1 }\n";
        let out = kept(&[text], &["unshare"]).remove(0);
        assert!(out.contains("libc::unshare(f)"), "{out}");
        assert!(!out.contains("x + 1"), "{out}");
    }

    #[test]
    fn no_function_is_left_out_whole_where_a_directive_or_a_seed_could_reach_it() {
        let texts = [
            "fn enter() { setns(3, 0); }\n// nslint: allow(switch_without_restore)\nfn quiet() { let _ = 1; }\n",
            "fn enter_too() { setns(3, 0); }\nfn spawn() { let _ = 1; }\n",
        ];
        let out = kept_with(&texts, &["setns"], &["spawn"], false);
        assert!(out[0].contains("fn quiet() {/*"), "{}", out[0]);
        assert!(out[1].contains("fn spawn() {/*"), "{}", out[1]);
    }

    #[test]
    fn a_whole_item_becomes_a_comment_only_when_no_character_is_left_outside_it() {
        let text = "fn a() { x }\nfn b() { 'x'\n}\nfn c() { '\u{e9}'\n}\n";
        let at = |name: &str| {
            let start = text.find(name).expect("present");
            start..start + text[start..].find('}').expect("closed") + 1
        };
        assert_eq!(item_comment_range(text, at("fn a")), Some(at("fn a")));
        assert_eq!(item_comment_range(text, at("fn b")), Some(at("fn b")));
        assert_eq!(item_comment_range(text, at("fn c")), None);
        let blanking = Blanking {
            ranges: &[at("fn a"), at("fn b")],
            docs: &[],
            shallow: false,
        };
        assert_eq!(
            hollow_text(text, blanking),
            format!(
                "{}\n/*        */\n \n{}",
                comment_of(12),
                &text[at("fn c").start..]
            )
        );
    }

    #[test]
    fn renames_aliases_fields_and_globs_carry_words() {
        let seeds = Seeds {
            calls: words(&["setns"]),
            scoped: words(&["TcpListener", "NetNs", "fs"]),
            ..Seeds::default()
        };
        let out = kept_with_seeds(
            &[
                "use nix::sched::setns as go;\nfn a() { go() }\n",
                "type Sock = TcpListener;\nfn b() { Sock::bind(x) }\nfn c() { bind_all() }\n",
                "struct Pod { ns: NetNs, name: String }\nfn d(p: &Pod) { p.ns.run() }\n\
                 fn e() { p.other.stop() }\nfn g(p: &Pod) { p.name.len() }\n",
                "use tokio::fs::*;\nfn f() { read(p) }\n",
            ],
            seeds,
            false,
            &Demand::default(),
        );
        assert!(out[0].contains("go()"));
        assert!(out[1].contains("Sock::bind") && !out[1].contains("bind_all"));
        assert!(out[2].contains("p.ns.run()") && !out[2].contains("stop"));
        assert!(
            !out[2].contains("p.name.len()"),
            "a field beside a scope's is no scope"
        );
        assert!(out[3].contains("read(p)"));
    }

    #[test]
    fn raw_switches_travel_through_macros_constants_and_imports_not_types() {
        let seeds = Seeds {
            calls: words(&["setns", "unshare"]),
            ..Seeds::default()
        };
        let text = "const ENTER: unsafe fn(i32, i32) -> i32 = libc::setns;\n\
                    fn via_const() { unsafe { ENTER(3, 0) }; }\n\
                    macro_rules! enter { () => { setns(3, 0) } }\n\
                    fn via_macro() { enter!() }\n\
                    struct Failure { during: Step<setns>, code: i32 }\n\
                    fn typed() -> Failure { make_failure() }\n\
                    fn coded(f: &Failure) -> i32 { f.code + f.during.id() }\n\
                    use unshare::Command;\n\
                    fn spawned() { Command::new(\"x\").status() }\n\
                    fn calls() { libc::unshare(0) }\n";
        let out = kept_with_seeds(&[text], seeds, false, &Demand::default()).remove(0);
        for kept in ["ENTER(3, 0)", "enter!()", "libc::unshare(0)"] {
            assert!(out.contains(kept), "{kept} kept:\n{out}");
        }
        for blanked in ["make_failure()", "f.code", "Command::new"] {
            assert!(!out.contains(blanked), "{blanked} blanked:\n{out}");
        }
    }

    #[test]
    fn words_match_whole_identifiers_and_path_strings_anywhere() {
        let out = kept(
            &[
                "fn a() { unsetns() }\nfn b() { open(\"/proc/self/ns/net\") }\n",
                "fn c() { x.setns_count }\nfn d() { nslint_marker() }\n",
            ],
            &["setns", "/proc/self/ns"],
        );
        assert!(!out[0].contains("unsetns") && out[0].contains("/proc/self/ns/net"));
        assert!(!out[1].contains("setns_count") && !out[1].contains("nslint_marker"));
    }

    #[test]
    fn hollowing_keeps_offsets_lines_and_non_ascii_text() {
        let text = "fn a() {\n    let s = \"héllo */\";\n}\nfn b() {}";
        let body = 8..text.find("\n}").expect("end") + 1;
        let comment = comment_range(text, &body).expect("blankable");
        assert_eq!(&text[comment.clone()], "    let s = \"héllo */\";");
        let blanking = Blanking {
            ranges: &[comment],
            docs: &[],
            shallow: false,
        };
        let hollowed = hollow_text(text, blanking);
        assert_eq!(hollowed.len(), text.len());
        assert_eq!(hollowed.lines().count(), text.lines().count());
        assert!(syn::parse_file(&hollowed).is_ok(), "{hollowed}");
        assert!(hollowed.contains('é') && !hollowed.contains("let"));
    }

    #[test]
    fn a_file_that_cannot_be_scanned_turns_hollowing_off() {
        let seeds = Seeds {
            switching: words(&["x"]),
            ..Seeds::default()
        };
        assert!(
            Planner::new(
                &files(&["fn a() { \"open }"]),
                seeds,
                &BTreeSet::new(),
                false
            )
            .is_none()
        );
    }

    #[test]
    fn work_elsewhere_is_kept_where_analysis_reads_it_and_forwarders_where_called() {
        let texts = [
            "fn enter() { setns(3, 0); probe(); on_thread(|| ()); }\nfn probe() { open_socket() }\n",
            "use crate::b::open_udp as open_socket;\nfn unused() { UdpSocket::bind(a) }\n",
            "fn open_udp() { UdpSocket::bind(a) }\nfn caller() { unused() }\n",
            "fn on_thread<F: FnOnce()>(f: F) { thread::spawn(f); }\n\
             fn count(n: &[u8]) { thread::spawn(n); }\nfn far<F>(f: F) { thread::spawn(f); }\n",
        ];
        let reached = ["UdpSocket", "thread"];
        let out = kept_with(&texts, &["setns"], &reached, false);
        assert!(out[0].contains("open_socket()"), "one call down: a guess");
        assert!(
            !out[2].contains("UdpSocket::bind"),
            "two calls down: on demand"
        );
        assert!(
            out[3].contains("on_thread<F: FnOnce()>(f: F) { thread"),
            "{}",
            out[3]
        );
        assert!(!out[3].contains("spawn(n)") && !out[3].contains("far<F>(f: F) { thread"));
        let demand = Demand {
            callees: BTreeSet::from(["open_socket".to_owned()]),
            ..Demand::default()
        };
        let out = kept_on_demand(&texts, &["setns"], &reached, false, &demand);
        assert!(
            out[2].contains("UdpSocket::bind"),
            "reached through a rename"
        );
        assert!(
            !out[1].contains("UdpSocket::bind"),
            "never called from where it is read"
        );
        assert!(!out[2].contains("unused()"));
        let strict = kept_with(&texts, &["setns"], &reached, true);
        assert!(strict[1].contains("UdpSocket::bind") && strict[2].contains("unused()"));
    }

    #[test]
    fn the_vocabulary_holds_what_decided_the_plan_and_nothing_blanked_bodies_alone_spell() {
        let files = files(&[
            "fn enter() { setns(3, 0); }\nfn caller() { enter(); tally(); }\n",
            "fn tally() -> u32 { let counted = 2; counted }\nfn idle() { let lonely = 1; }\n",
        ]);
        let seeds = Seeds {
            switching: words(&["setns"]),
            ..Seeds::default()
        };
        let planner = Planner::new(&files, seeds, &BTreeSet::new(), false).expect("scannable");
        let demand = Demand::default();
        let plan = planner.plan(&demand);
        let vocabulary = planner.vocabulary(&demand, &plan).expect("not strict");
        for word in ["setns", "enter"] {
            assert!(vocabulary.spells(word), "{word}: a seed, a switching name");
        }
        for word in ["tally", "enter"] {
            assert!(vocabulary.defines(word), "{word}: kept code spells it");
        }
        for word in ["counted", "lonely", "idle"] {
            assert!(
                !vocabulary.spells(word) && !vocabulary.defines(word),
                "{word}"
            );
        }
        let strict =
            Planner::new(&files, Seeds::default(), &BTreeSet::new(), true).expect("scannable");
        assert_eq!(strict.vocabulary(&demand, &strict.plan(&demand)), None);
    }

    /// A file a docs-only plan measured as shallow is not measured again when it is parsed;
    /// a deep one is, and a plan that may leave functions out whole vouches for none.
    #[test]
    fn docs_only_plans_vouch_for_the_nesting_of_shallow_files() {
        let deep = format!(
            "fn f() {{ let x = {}1{}; }}\n",
            "(".repeat(3000),
            ")".repeat(3000)
        );
        let files = files(&["/// Enters.\nfn enter() { libc::setns(3, 0); }\n", &deep]);
        let planner =
            Planner::new(&files, Seeds::default(), &BTreeSet::new(), false).expect("scannable");
        for plan in [
            Hollowing::docs_only(&files).expect("scannable"),
            planner.docs_only(),
        ] {
            assert!(plan.of(Path::new("f0.rs")).shallow);
            assert!(!plan.of(Path::new("f1.rs")).shallow);
        }
        let planned = planner.plan(&Demand::default());
        assert!(!planned.of(Path::new("f0.rs")).shallow);
    }

    #[test]
    fn the_docs_only_plan_without_a_planner_is_the_planners() {
        let files = files(&[
            "/// Enters.\nfn enter() { libc::setns(3, 0); }\n//! inner\nstruct S;\n",
            "impl S {\n    /// Runs.\n    fn run(&self) {}\n    fn stop(&self) {}\n}\n",
            "const N: u8 = 1;\n",
        ]);
        let planner =
            Planner::new(&files, Seeds::default(), &BTreeSet::new(), false).expect("scannable");
        let made = Hollowing::docs_only(&files).expect("scannable");
        assert_eq!(made, planner.docs_only());
        assert_eq!(made.counts(), (3, 0));
        assert!(!made.of(Path::new("f0.rs")).docs.is_empty());
        // Where a unit loaded in halves blanks the other half's bodies (empty ones stay).
        let body = made.bodies_of(Path::new("f0.rs")).expect("scanned");
        assert_eq!(body.len(), 1);
        assert_eq!(&files[0].1[body[0].clone()], " libc::setns(3, 0); ");
        assert_eq!(made.bodies_of(Path::new("f1.rs")), Some(&[][..]));
    }

    #[test]
    fn no_docs_only_plan_when_a_file_cannot_be_scanned() {
        let files = files(&["fn ok() {}\n", "fn broken() { ( }\n"]);
        assert!(Planner::new(&files, Seeds::default(), &BTreeSet::new(), false).is_none());
        assert_eq!(Hollowing::docs_only(&files), None);
    }
}
