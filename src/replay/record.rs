//! What a run leaves for the next one to replay from: the files it read (with stamps and, for
//! analysed files, their text), the words its plan turned on, its diagnostics and its output.
//!
//! The texts and the output are kept as plain files beside the cache entry, so that a replay
//! reads only the slice of text it needs and writes the output with one copy.

use crate::diagnostic::{Child, ChildKind, Diagnostic, Label, Origin, Span};
use crate::hollow::Vocabulary;
use crate::registry::Level;
use crate::source::{FileId, Text};
use crate::stamp::{Stamp, nanos};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// One file the run looked at.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileRecord {
    /// Where it is.
    pub path: PathBuf,
    /// Its stamp once the run had read it ([`super::Survey`]).
    pub stamp: Stamp,
    /// For a file the planner read: a hash of its text and where the text is in the texts
    /// file. Other files were only searched for needles.
    pub text: Option<(u64, Range<u64>)>,
    /// The ranges the plan blanked: bodies, and functions left out whole.
    pub blanks: Vec<Range<usize>>,
    /// The package and target the file was analysed for.
    pub owner: Option<(usize, usize)>,
}

/// The recorded diagnostics, in output order, with spans naming files by their index in
/// [`Record::files`] and each distinct text kept once (most notes repeat).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Diagnostics {
    texts: Vec<String>,
    entries: Vec<Compact>,
}

/// One diagnostic, its texts as indices into [`Diagnostics::texts`].
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Compact {
    origin: Origin,
    level: Level,
    message: u32,
    primary: Option<(Span, u32)>,
    secondary: Vec<(Span, u32)>,
    children: Vec<(ChildKind, u32, Option<Span>)>,
    /// Its line in the output file (without the newline).
    line: Range<u64>,
}

impl Compact {
    fn spans(&self) -> impl Iterator<Item = &Span> {
        self.primary
            .iter()
            .map(|(s, _)| s)
            .chain(self.secondary.iter().map(|(s, _)| s))
            .chain(self.children.iter().filter_map(|(_, _, s)| s.as_ref()))
    }

    fn spans_mut(&mut self) -> impl Iterator<Item = &mut Span> {
        self.primary
            .iter_mut()
            .map(|(s, _)| s)
            .chain(self.secondary.iter_mut().map(|(s, _)| s))
            .chain(self.children.iter_mut().filter_map(|(_, _, s)| s.as_mut()))
    }
}

impl Diagnostics {
    /// Records `diagnostics`, whose output lines are `lines`, with their file ids mapped by
    /// `file`; `None` when a span's file has no record.
    pub fn new<'d>(
        diagnostics: &'d [Diagnostic],
        lines: Vec<Range<u64>>,
        file: impl Fn(FileId) -> Option<FileId>,
    ) -> Option<Diagnostics> {
        let mut texts: Vec<String> = Vec::new();
        let mut numbers: HashMap<&'d str, u32> = HashMap::new();
        let mut text = |t: &'d str| -> u32 {
            *numbers.entry(t).or_insert_with(|| {
                texts.push(t.to_owned());
                (texts.len() - 1) as u32
            })
        };
        let mut entries = Vec::with_capacity(diagnostics.len());
        for (d, line) in diagnostics.iter().zip(lines) {
            // Where a macro wrote the code is a note of its own by now: the place is enough.
            let span = |s: &Span| Some(Span::new(file(s.file)?, s.range.clone()));
            let mut secondary = Vec::with_capacity(d.secondary.len());
            for label in &d.secondary {
                secondary.push((span(&label.span)?, text(&label.message)));
            }
            let mut children = Vec::with_capacity(d.children.len());
            for child in &d.children {
                let at = match &child.span {
                    Some(s) => Some(span(s)?),
                    None => None,
                };
                children.push((child.kind, text(&child.message), at));
            }
            let primary = match &d.primary {
                Some(label) => Some((span(&label.span)?, text(&label.message))),
                None => None,
            };
            entries.push(Compact {
                origin: d.origin,
                level: d.level,
                message: text(&d.message),
                primary,
                secondary,
                children,
                line,
            });
        }
        Some(Diagnostics { texts, entries })
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The `index`th diagnostic in full.
    pub fn get(&self, index: usize) -> Option<Diagnostic> {
        let c = self.entries.get(index)?;
        let text = |i: u32| self.texts.get(i as usize).cloned();
        let label = |(span, message): &(Span, u32)| {
            Some(Label {
                span: span.clone(),
                message: text(*message)?,
            })
        };
        Some(Diagnostic {
            origin: c.origin,
            level: c.level,
            message: text(c.message)?,
            primary: match &c.primary {
                Some(l) => Some(label(l)?),
                None => None,
            },
            secondary: c.secondary.iter().map(label).collect::<Option<_>>()?,
            children: c
                .children
                .iter()
                .map(|(kind, message, span)| {
                    Some(Child {
                        kind: *kind,
                        message: text(*message)?,
                        span: span.clone(),
                    })
                })
                .collect::<Option<_>>()?,
        })
    }

    /// The lint of the `index`th diagnostic, if it is a finding.
    pub fn lint_name(&self, index: usize) -> Option<&'static str> {
        match self.entries.get(index)?.origin {
            Origin::Lint(lint) => Some(lint.name),
            Origin::Input => None,
        }
    }

    /// Whether the `index`th diagnostic points into the file `file`.
    pub fn points_into(&self, index: usize, file: usize) -> bool {
        self.entries
            .get(index)
            .is_some_and(|entry| entry.spans().any(|s| s.file.0 == file))
    }

    /// Moves the spans of the `index`th diagnostic with `shift` (by file index); whether one
    /// moved. `None` when `shift` cannot place one.
    pub fn shift(
        &mut self,
        index: usize,
        shift: impl Fn(usize, &Range<usize>) -> Option<Option<Range<usize>>>,
    ) -> Option<bool> {
        let mut moved = false;
        for span in self.entries.get_mut(index)?.spans_mut() {
            if let Some(range) = shift(span.file.0, &span.range)? {
                span.range = range;
                moved = true;
            }
        }
        Some(moved)
    }

    /// Where the `index`th diagnostic's line is in the output.
    pub fn line(&self, index: usize) -> Range<u64> {
        self.entries[index].line.clone()
    }

    /// Sets where the `index`th diagnostic's line is.
    pub fn set_line(&mut self, index: usize, line: Range<u64>) {
        self.entries[index].line = line;
    }

    /// Whether the lines, each followed by a line break, make up an output of `len` bytes
    /// from its start to its end, in order.
    pub fn fill(&self, len: u64) -> bool {
        let mut at = 0;
        for entry in &self.entries {
            if entry.line.start != at || entry.line.end < at {
                return false;
            }
            at = entry.line.end + 1;
        }
        at == len
    }
}

/// Everything a replay reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    /// What the run's inputs other than source files were ([`super::Replay`]).
    pub fingerprint: u64,
    /// Every directory searched for source files, with a hash of the names of the Rust
    /// files and subdirectories it holds.
    pub dirs: Vec<(PathBuf, u64)>,
    /// Every source file searched, sorted by path.
    pub files: Vec<FileRecord>,
    /// The words the plan turned on; `None` when no edit is vouched for.
    pub vocabulary: Option<Vocabulary>,
    /// The diagnostics, in output order.
    pub diagnostics: Diagnostics,
    /// Whether one is an error (the exit code).
    pub has_errors: bool,
    /// The name of the texts file, beside the entry.
    pub texts: String,
    /// The name of the output file, beside the entry.
    pub output: String,
    /// A [`content_hash`](crate::hash::content_hash) of the output file, so that a damaged
    /// one is never printed.
    pub output_hash: u64,
}

/// A file name for a new side file, unique to this process and moment.
pub fn side_name(kind: &str) -> String {
    let now = nanos(SystemTime::now());
    format!("replay-{kind}-{}-{now}.bin", std::process::id())
}

/// Writes the texts of `files` one after another to a new side file in `dir`; returns its
/// name and where each text is.
pub fn write_texts(dir: &Path, files: &[(PathBuf, Text)]) -> Option<(String, Vec<Range<u64>>)> {
    std::fs::create_dir_all(dir).ok()?;
    let name = side_name("texts");
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join(&name)).ok()?);
    let mut at = 0u64;
    let mut ranges = Vec::with_capacity(files.len());
    for (_, text) in files {
        out.write_all(text.as_bytes()).ok()?;
        let end = at + text.len() as u64;
        ranges.push(at..end);
        at = end;
    }
    out.flush().ok()?;
    Some((name, ranges))
}

/// Writes `pieces` one after another to `path`; returns their
/// [`content_hash`](crate::hash::content_hash).
pub fn write_pieces<T: AsRef<[u8]>>(path: &Path, pieces: &[T]) -> Option<u64> {
    let mut file = std::fs::File::create(path).ok()?;
    let mut hasher = crate::hash::ContentHasher::default();
    for piece in pieces {
        file.write_all(piece.as_ref()).ok()?;
        hasher.write(piece.as_ref());
    }
    Some(hasher.finish())
}

/// The buffer a replay reads and writes its output through: 1 MiB, against std's 8 KiB (the
/// 1M-line bench corpus has 55 MB of output). Measured together with stepping over line breaks
/// inside the buffer (`8c2b4ae`), not apart: a replayed edit of that corpus went from
/// 0.19-0.23 s to 0.14-0.18 s.
pub const STREAM_BUFFER: usize = 1 << 20;

/// The [`content_hash`](crate::hash::content_hash) of what `file` holds from its start, read
/// a piece at a time; leaves the file at its start again.
pub fn hash_from_start(file: &mut std::fs::File) -> Option<u64> {
    use std::io::{Read, Seek, SeekFrom};
    file.seek(SeekFrom::Start(0)).ok()?;
    let mut hasher = crate::hash::ContentHasher::default();
    let mut piece = vec![0; STREAM_BUFFER];
    loop {
        match file.read(&mut piece) {
            Ok(0) => break,
            Ok(read) => hasher.write(&piece[..read]),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    file.seek(SeekFrom::Start(0)).ok()?;
    Some(hasher.finish())
}

/// Appends `text` to the side file `name` in `dir`; returns where it is.
pub fn append_text(dir: &Path, name: &str, text: &str) -> Option<Range<u64>> {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join(name))
        .ok()?;
    let start = file.metadata().ok()?.len();
    file.write_all(text.as_bytes()).ok()?;
    Some(start..start + text.len() as u64)
}

/// Reads `range` of the side file `name` in `dir` as text.
pub fn read_slice(dir: &Path, name: &str, range: &Range<u64>) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(dir.join(name)).ok()?;
    file.seek(SeekFrom::Start(range.start)).ok()?;
    let len = usize::try_from(range.end.checked_sub(range.start)?).ok()?;
    let mut bytes = vec![0; len];
    file.read_exact(&mut bytes).ok()?;
    String::from_utf8(bytes).ok()
}

/// Removes the side files in `dir` other than `keep` (best effort).
pub fn remove_stale(dir: &Path, keep: &[&str]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("replay-") && !keep.contains(&name.as_ref()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Diagnostics without spans whose output lines are `lines`.
    fn on_lines(lines: &[Range<u64>]) -> Diagnostics {
        let found: Vec<Diagnostic> = lines
            .iter()
            .map(|_| Diagnostic::input(Level::Warn, "a file could not be read", None))
            .collect();
        Diagnostics::new(&found, lines.to_vec(), Some).expect("nothing to map")
    }

    #[test]
    fn lines_fill_an_output_only_end_to_end_from_its_start_to_its_end() {
        // "ab\ncde\n": 7 bytes.
        assert!(on_lines(&[0..2, 3..6]).fill(7));
        assert!(on_lines(&[]).fill(0));
        assert!(
            !on_lines(&[0..2, 3..6]).fill(8),
            "a byte after the last line"
        );
        assert!(!on_lines(&[0..2, 4..6]).fill(7), "a gap between lines");
        assert!(
            !on_lines(&[1..2, 3..6]).fill(7),
            "a byte before the first line"
        );
        assert!(!on_lines(&[3..6, 0..2]).fill(7), "lines out of order");
    }

    #[test]
    fn a_file_hashes_as_its_bytes_and_is_left_at_its_start() {
        use std::io::{Read, Seek, SeekFrom};
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("output");
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).expect("written");
        let mut file = std::fs::File::open(&path).expect("opened");
        file.seek(SeekFrom::Start(1234)).expect("moved");
        assert_eq!(
            hash_from_start(&mut file),
            Some(crate::hash::content_hash(&bytes))
        );
        let mut again = Vec::new();
        file.read_to_end(&mut again).expect("read");
        assert_eq!(again, bytes, "read again from the start");
    }
}
