//! Replay: an editor's warm run after an edit that cannot change what nslint finds.
//!
//! Most edits touch ordinary code: a line in a function that has nothing to do with
//! namespaces, a new helper. Such an edit only moves what follows it. A run with the cache and
//! `--message-format json` records what a replay needs (the `record` module); the next run with the
//! same inputs other than source files checks every source file and directory against that
//! record, and when the only changes are [inert](edit) edits, it prints the recorded output
//! with the findings of the edited files moved and rendered again, instead of analysing.
//! Anything it cannot vouch for sends the run down the normal path, so output never differs
//! from a full run (`tests/replay.rs` compares them edit by edit). Edits are checked against
//! a plan and the words it turned on ([`Vouching`]); a run that has none (strict mode) is
//! replayed only when nothing changed.

pub mod edit;
mod record;
mod survey;

use crate::analysis::{Analysis, Read, TargetRef};
use crate::cache::Cache;
use crate::diagnostic::Diagnostic;
use crate::discover::Workspace;
use crate::hash::{ContentHasher, content_hash, fnv1a64};
use crate::hollow::{Blanking, Vouching};
use crate::prescan::{self, Needles};
use crate::source::{FileId, SourceFile, without_bom};
use crate::stamp::{Stamp, nanos};
use rayon::prelude::*;
use record::{Diagnostics, FileRecord, Record};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::SystemTime;
pub use survey::Survey;

/// The cache key of the record.
const KEY: &str = "replay record";

/// The most edited files a replay takes on; more is a checkout, not an edit.
const MAX_EDITED_FILES: usize = 8;

/// What the analysis hands over for a record: what edits are checked against, the texts it
/// read and what the packages held.
#[derive(Debug, Clone)]
pub struct Basis {
    /// The plan edits are checked against and the words it turned on; `None` when the
    /// analysis could vouch for none, and only a run with nothing changed is replayed.
    pub vouching: Option<Vouching>,
    /// The side file the texts were written to.
    pub texts: String,
    /// Each file the planner read: a hash of its text and where the text is.
    pub files: HashMap<PathBuf, (u64, Range<u64>)>,
    /// When the run started (nanoseconds since the epoch).
    pub started: i128,
    /// The packages' files and directories, surveyed once the texts were read.
    pub survey: Survey,
}

impl Basis {
    /// Writes the texts the fast path read to the cache directory `dir` and surveys the
    /// workspace's packages, whose files the fast path listed ([`Survey::take`]); what edits
    /// are checked against is added with [`Basis::with_vouching`]. Runs beside the analysis
    /// ([`crate::analysis::analyze_beside`]), so that the record at the run's end only has to
    /// add what the analysis found.
    pub fn write(dir: &Path, read: Read<'_>) -> Option<Basis> {
        let started = nanos(read.started);
        let (name, ranges) = record::write_texts(dir, read.texts)?;
        let survey = Survey::take(read.workspace, read.package_files, started)?;
        let files = read
            .texts
            .iter()
            .zip(ranges)
            .map(|((path, text), range)| (path.clone(), (content_hash(text.as_bytes()), range)))
            .collect();
        Some(Basis {
            vouching: None,
            texts: name,
            files,
            started,
            survey,
        })
    }

    /// The basis with what edits are checked against.
    pub fn with_vouching(self, vouching: Option<Vouching>) -> Basis {
        Basis { vouching, ..self }
    }
}

/// A run that may be replayed or recorded: where, and under which inputs.
#[derive(Debug, Clone)]
pub struct Replay {
    dir: PathBuf,
    fingerprint: u64,
    ansi: bool,
}

/// What a replay printed and how it ends.
#[derive(Debug)]
pub struct Replayed {
    /// The output, as a full run would print it: a side file of the cache, open at its start
    /// (it stays readable when another run removes it).
    pub output: std::fs::File,
    /// Whether a diagnostic is an error.
    pub has_errors: bool,
}

impl Replay {
    /// A replay in the cache directory `dir` for runs whose inputs other than source files
    /// are described by `inputs` (arguments, environment, configuration, catalogue,
    /// workspace); `ansi` is whether `rendered` texts are colored.
    pub fn new(dir: PathBuf, inputs: &str, ansi: bool) -> Self {
        let fingerprint = fnv1a64(format!("{}\n{inputs}", env!("CARGO_PKG_VERSION")).as_bytes());
        Replay {
            dir,
            fingerprint,
            ansi,
        }
    }

    fn cache(&self) -> Cache {
        Cache::new(self.dir.clone(), "replay")
    }

    /// The output of this run, when the recorded run's output only needs moving.
    pub fn replay(&self, workspace: &Workspace, needles: &Needles) -> Option<Replayed> {
        let started = nanos(SystemTime::now());
        let (_, mut record) = self.cache().load::<Record>(KEY)?;
        if record.fingerprint != self.fingerprint
            || record
                .dirs
                .par_iter()
                .any(|(dir, contents)| prescan::contents_of(dir) != *contents)
        {
            return None;
        }
        let stamps_before: Vec<Stamp> = record.files.iter().map(|f| f.stamp).collect();
        let edits = self.edits(&mut record, needles, started)?;
        let restamped = record
            .files
            .iter()
            .zip(&stamps_before)
            .any(|(f, before)| f.stamp != *before);
        let mut rendered: BTreeMap<usize, String> = BTreeMap::new();
        let edited: HashMap<usize, &Edited> = edits.iter().map(|e| (e.file, e)).collect();
        let firsts = first_of_each_lint(&record.diagnostics);
        let shift = |file: usize, range: &Range<usize>| match edited.get(&file) {
            Some(e) => e.edit.shift_range(range).map(Some),
            None => Some(None),
        };
        for (index, first) in firsts.into_iter().enumerate() {
            if !record.diagnostics.shift(index, shift)? {
                continue;
            }
            let diagnostic = record.diagnostics.get(index)?;
            let line = self.render(&diagnostic, &record.files, &edited, workspace, first)?;
            rendered.insert(index, line);
        }
        let mut recorded = std::fs::File::open(self.dir.join(&record.output)).ok()?;
        let recorded_len = recorded.metadata().ok()?.len();
        if record::hash_from_start(&mut recorded)? != record.output_hash {
            return None;
        }
        for edit in &edits {
            let file = &mut record.files[edit.file];
            let at = record::append_text(&self.dir, &record.texts, &edit.text)?;
            file.text = Some((content_hash(edit.text.as_bytes()), at));
            file.blanks = edit.edit.blanks.clone();
            if let Some(vocabulary) = &mut record.vocabulary {
                vocabulary.note_defined(edit.edit.words.iter().map(String::as_str));
            }
        }
        crate::timings::add(crate::timings::Count::FilesReplayed, edits.len());
        let has_errors = record.has_errors;
        let unchanged = rendered.is_empty() && record.diagnostics.fill(recorded_len);
        let output = if unchanged && !restamped && edits.is_empty() {
            recorded
        } else {
            let (name, hash, output) = self.rewrite_output(&mut record, &rendered, recorded)?;
            self.store_record(record, name, hash);
            output
        };
        Some(Replayed { has_errors, output })
    }

    /// Writes this replay's output to a new side file, each diagnostic on its line: from
    /// `rendered`, or else as `recorded` (the recorded output, read from its start) has it;
    /// notes where each line now is. Returns the file's name and
    /// [`content_hash`], and the file, open at its start (it stays readable when a later run
    /// removes it). The output is streamed: a replay of a large run holds none of it.
    fn rewrite_output(
        &self,
        record: &mut Record,
        rendered: &BTreeMap<usize, String>,
        recorded: std::fs::File,
    ) -> Option<(String, u64, std::fs::File)> {
        use std::io::{Seek, SeekFrom};
        let name = record::side_name("output");
        let path = self.dir.join(&name);
        let mut output = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .ok()?;
        match stream_lines(record, rendered, recorded, &output) {
            Some(hash) if output.seek(SeekFrom::Start(0)).is_ok() => Some((name, hash, output)),
            _ => {
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    /// The edited files, checked: `None` when something changed that a replay cannot vouch
    /// for. Stamps of files whose contents did not change are brought up to date.
    fn edits(&self, record: &mut Record, needles: &Needles, started: i128) -> Option<Vec<Edited>> {
        let stamps: Vec<Option<Stamp>> = record
            .files
            .par_iter()
            .map(|file| Stamp::of(&file.path))
            .collect();
        let mut edits = Vec::new();
        for (index, stamp) in stamps.into_iter().enumerate() {
            let file = &record.files[index];
            let stamp = stamp?;
            if stamp == file.stamp && file.stamp.is_settled() {
                continue;
            }
            let text = crate::source::read_text(&file.path).ok()?;
            let settled = stamp.settled(started);
            let Some((hash, at)) = file.text.clone() else {
                // Only searched for needles: still none, still nothing to analyse.
                if prescan::could_matter(&text, needles) {
                    return None;
                }
                record.files[index].stamp = settled;
                continue;
            };
            if content_hash(text.as_bytes()) == hash {
                record.files[index].stamp = settled;
                continue;
            }
            let problem_here = (0..record.diagnostics.len()).any(|d| {
                record.diagnostics.lint_name(d).is_none()
                    && record.diagnostics.points_into(d, index)
            });
            if edits.len() == MAX_EDITED_FILES || problem_here {
                return None;
            }
            let old = record::read_slice(&self.dir, &record.texts, &at)
                .filter(|old| content_hash(old.as_bytes()) == hash)?;
            // Spans do not count a byte order mark; one that comes or goes moves them all.
            let (old_text, new_text) = (without_bom(&old), without_bom(&text));
            if old.len() - old_text.len() != text.len() - new_text.len() {
                return None;
            }
            // Without a vocabulary, no edit is vouched for.
            let vocabulary = record.vocabulary.as_ref()?;
            let whole = vocabulary.whole_files.contains(&file.path);
            let context = edit::Context {
                vocabulary,
                needles,
                old_blanks: &file.blanks,
                whole,
            };
            let inert = edit::inert_edit(old_text, new_text, &context)?;
            parses(&file.path, &text, &inert.blanks)?;
            record.files[index].stamp = settled;
            edits.push(Edited {
                file: index,
                edit: inert,
                text,
            });
        }
        Some(edits)
    }

    /// One diagnostic rendered again from the current texts.
    fn render(
        &self,
        diagnostic: &Diagnostic,
        files: &[FileRecord],
        edited: &HashMap<usize, &Edited>,
        workspace: &Workspace,
        level_note: bool,
    ) -> Option<String> {
        let mut analysis = Analysis::default();
        let mut local: HashMap<usize, FileId> = HashMap::new();
        let referenced: BTreeSet<usize> = diagnostic.spans().map(|s| s.file.0).collect();
        for index in referenced {
            let record = files.get(index)?;
            let text = match edited.get(&index) {
                Some(e) => e.text.clone(),
                None => crate::source::read_text(&record.path).ok()?,
            };
            let shown = crate::source::display_name(&record.path, &workspace.root);
            let id = analysis
                .db
                .add(SourceFile::new(record.path.clone(), shown, text));
            if let Some((crate_index, target_index)) = record.owner {
                analysis.owners.insert(
                    id,
                    TargetRef {
                        crate_index,
                        target_index,
                    },
                );
            }
            local.insert(index, id);
        }
        let mut shown = diagnostic.clone();
        for span in shown.spans_mut() {
            span.file = *local.get(&span.file.0)?;
        }
        crate::report::compiler_message(&analysis, workspace, &shown, level_note, self.ansi).ok()
    }

    /// Records this run for the next one: `output` is what it printed, in pieces.
    pub fn record(&self, basis: Basis, analysis: &Analysis, output: &[String]) {
        if let Some(record) = self.make_record(basis, analysis, output) {
            self.store(record, output);
        }
    }

    fn make_record(&self, basis: Basis, analysis: &Analysis, output: &[String]) -> Option<Record> {
        let Survey { files, dirs } = basis.survey;
        let (vocabulary, plan) = basis.vouching.map(|v| (v.vocabulary, v.plan)).unzip();
        let owners: HashMap<&Path, TargetRef> = analysis
            .owners
            .iter()
            .map(|(id, owner)| (analysis.db.get(*id).path.as_path(), *owner))
            .collect();
        let files: Vec<FileRecord> = files
            .into_iter()
            .map(|(path, stamp)| FileRecord {
                blanks: plan
                    .as_ref()
                    .map(|plan| plan.blanks_of(&path).to_vec())
                    .unwrap_or_default(),
                owner: owners
                    .get(path.as_path())
                    .map(|o| (o.crate_index, o.target_index)),
                text: basis.files.get(&path).cloned(),
                path,
                stamp,
            })
            .collect();
        // Every file analysed must be one the planner read and the walk found.
        let index_of: HashMap<&Path, usize> = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.as_path(), i))
            .collect();
        let mut ids: HashMap<FileId, usize> = HashMap::new();
        for (id, file) in analysis.db.iter() {
            let index = *index_of.get(file.path.as_path())?;
            files[index].text.as_ref()?;
            ids.insert(id, index);
        }
        let lines = line_ranges(output);
        if lines.len() != analysis.diagnostics.len() {
            return None;
        }
        let diagnostics = Diagnostics::new(&analysis.diagnostics, lines, |id| {
            ids.get(&id).copied().map(FileId)
        })?;
        Some(Record {
            fingerprint: self.fingerprint,
            dirs,
            files,
            vocabulary,
            diagnostics,
            has_errors: analysis.has_errors(),
            texts: basis.texts,
            output: String::new(),
            output_hash: 0,
        })
    }

    /// Writes `output` to a new side file and the record naming it, then removes side files
    /// no record names.
    fn store<T: AsRef<[u8]>>(&self, record: Record, output: &[T]) {
        let name = record::side_name("output");
        let Some(hash) = record::write_pieces(&self.dir.join(&name), output) else {
            return;
        };
        self.store_record(record, name, hash);
    }

    /// Writes the record naming the side file `name` as its output, whose
    /// [`content_hash`] is `hash`, then removes side files no record names.
    fn store_record(&self, mut record: Record, name: String, hash: u64) {
        record.output = name;
        record.output_hash = hash;
        self.cache().store(KEY, Vec::new(), &record);
        record::remove_stale(&self.dir, &[&record.output, &record.texts]);
    }
}

/// Writes `record`'s diagnostics to `output`, a line each, from `rendered` or else from
/// `recorded`, and notes where each line now is; returns the [`content_hash`] of what it wrote.
fn stream_lines(
    record: &mut Record,
    rendered: &BTreeMap<usize, String>,
    recorded: std::fs::File,
    output: &std::fs::File,
) -> Option<u64> {
    use std::io::{BufReader, BufWriter, Read, Write};
    let mut reader = BufReader::with_capacity(record::STREAM_BUFFER, recorded);
    let mut writer = BufWriter::with_capacity(record::STREAM_BUFFER, output);
    let mut hasher = ContentHasher::default();
    let (mut read_to, mut at) = (0u64, 0u64);
    let mut kept = Vec::new();
    for index in 0..record.diagnostics.len() {
        let line = match rendered.get(&index) {
            Some(line) => line.as_bytes(),
            None => {
                let range = record.diagnostics.line(index);
                // Past the line break before it: within the buffer, which stays.
                let ahead = i64::try_from(range.start).ok()? - i64::try_from(read_to).ok()?;
                reader.seek_relative(ahead).ok()?;
                kept.resize(
                    usize::try_from(range.end.checked_sub(range.start)?).ok()?,
                    0,
                );
                reader.read_exact(&mut kept).ok()?;
                read_to = range.end;
                kept.as_slice()
            }
        };
        for piece in [line, b"\n"] {
            writer.write_all(piece).ok()?;
            hasher.write(piece);
        }
        let end = at + line.len() as u64;
        record.diagnostics.set_line(index, at..end);
        at = end + 1;
    }
    writer.flush().ok()?;
    Some(hasher.finish())
}

/// An edited file and its inert edit.
struct Edited {
    /// Its index in [`Record::files`].
    file: usize,
    edit: edit::InertEdit,
    text: String,
}

/// Each line's byte range in `output`, given in pieces of whole lines (without its newline).
fn line_ranges(output: &[String]) -> Vec<Range<u64>> {
    let mut ranges = Vec::new();
    let mut start = 0u64;
    for line in output.iter().flat_map(|piece| piece.split_terminator('\n')) {
        let end = start + line.len() as u64;
        ranges.push(start..end);
        start = end + 1;
    }
    ranges
}

/// For each diagnostic, whether it is the first of its lint (rustc notes the lint's level
/// there).
fn first_of_each_lint(diagnostics: &Diagnostics) -> Vec<bool> {
    let mut seen = BTreeSet::new();
    (0..diagnostics.len())
        .map(|d| {
            diagnostics
                .lint_name(d)
                .is_some_and(|name| seen.insert(name))
        })
        .collect()
}

/// Whether the new text parses as the analysis would parse it, every item of it (a skipped
/// item is a finding of its own, which a replay would not report).
fn parses(path: &Path, text: &str, blanks: &[Range<usize>]) -> Option<()> {
    let scan = crate::hollow::scan_file(text)?;
    let file = SourceFile::new(path.to_path_buf(), String::new(), text.to_owned());
    let blanking = Blanking {
        ranges: blanks,
        docs: &scan.docs,
        shallow: false,
    };
    crate::parse::parse_file(&file, blanking)
        .ok()
        .filter(|parsed| parsed.skipped.is_empty())
        .map(|_| ())
}
