//! Source files held in memory, with the line tables that turn byte offsets into positions.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file's text, shared: the prescan reads each file once, and every unit that loads it and
/// the merged database hold the same bytes rather than copies (the copies were about 40 MB of
/// a 250 MB heap at a million lines).
pub type Text = Arc<str>;

/// Index of a file in a [`SourceDb`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FileId(pub usize);

/// One source file: where it lives, how it is shown, and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Absolute (or as given) path on disk.
    pub path: PathBuf,
    /// The name shown to users: relative to the workspace root where possible.
    pub display_name: String,
    /// The file's text, with a leading byte-order mark removed.
    pub text: Text,
    line_starts: Vec<usize>,
    /// Length of the byte-order mark removed from the start (0 or 3).
    bom_len: usize,
}

/// A position in a file: 1-based line, 1-based character column, and the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column counted in characters (not bytes).
    pub column: usize,
    /// Byte offset from the start of the file.
    pub offset: usize,
}

impl SourceFile {
    /// Builds a file from its text.
    pub fn new(path: PathBuf, display_name: String, text: impl Into<Text>) -> Self {
        let text: Text = text.into();
        let (text, bom_len) = match text.strip_prefix(BOM) {
            Some(rest) => (Text::from(rest), BOM.len_utf8()),
            None => (text, 0),
        };
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path,
            display_name,
            text,
            line_starts,
            bom_len,
        }
    }

    /// The offset in the file on disk of a byte offset into [`SourceFile::text`]: they differ by
    /// the byte-order mark, which `text` leaves out. Tools that read the file themselves (cargo's
    /// JSON `byte_start`, as rustc reports it) want this one.
    pub fn disk_offset(&self, offset: usize) -> usize {
        offset + self.bom_len
    }

    /// Number of lines in the file.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The position of a byte offset (clamped to the file and to a character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = self.line_starts[line_index];
        let column = self.text[line_start..offset].chars().count() + 1;
        Position {
            line: line_index + 1,
            column,
            offset,
        }
    }

    /// The byte offset of a 1-based line and 0-based character column, as proc-macro2 reports.
    ///
    /// Line 0 is what proc-macro2 reports for `Span::call_site()`, which syn uses for "unexpected
    /// end of input": it and lines past the end map to the end of the file.
    pub fn offset_of(&self, line: usize, char_column: usize) -> usize {
        let start = match line.checked_sub(1).and_then(|i| self.line_starts.get(i)) {
            Some(&start) => start,
            None => return self.text.len(),
        };
        let line_text = self.text.get(start..self.line_end(line)).unwrap_or("");
        // Columns count characters: in ASCII text they are bytes.
        if line_text
            .as_bytes()
            .get(..char_column)
            .is_some_and(<[u8]>::is_ascii)
        {
            return start + char_column;
        }
        start
            + line_text
                .char_indices()
                .nth(char_column)
                .map_or(line_text.len(), |(i, _)| i)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        match line.checked_sub(1).and_then(|i| self.line_starts.get(i)) {
            Some(&start) => self
                .text
                .get(start..self.line_end(line))
                .unwrap_or("")
                .trim_end_matches('\r'),
            None => "",
        }
    }

    /// The byte offset where a 1-based line's text ends (before its `\n`).
    fn line_end(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .map_or(self.text.len(), |&next| next.saturating_sub(1))
    }
}

/// The largest source file nslint reads, in bytes. Parsing costs about 170 bytes of memory
/// per byte of source, so a larger file would take gigabytes; generated files that big are
/// refused with a diagnostic instead (and can be left out with `exclude`).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Why a source file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The path is a directory.
    Directory,
    /// The path is not a regular file (a FIFO, socket or device): reading it could block
    /// forever or never end.
    NotAFile,
    /// The file is larger than [`MAX_FILE_BYTES`].
    TooLarge {
        /// Its size, or at least the bytes read before giving up.
        bytes: u64,
    },
    /// The file is not UTF-8.
    NotUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
        /// Its 1-based line.
        line: usize,
    },
    /// The operating system refused (permissions, I/O error, missing file).
    Io(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Directory => write!(f, "it is a directory"),
            ReadError::NotAFile => write!(
                f,
                "it is not a regular file (a FIFO, socket or device), so it is not read"
            ),
            ReadError::TooLarge { bytes } => write!(
                f,
                "it is too large ({bytes} bytes; nslint reads files of up to {MAX_FILE_BYTES} \
                 bytes); leave it out with `exclude` in the configuration"
            ),
            ReadError::NotUtf8 { offset, line } => write!(
                f,
                "stream did not contain valid UTF-8 (invalid byte at offset {offset}, line \
                 {line}); Rust source files must be UTF-8"
            ),
            ReadError::Io(message) => f.write_str(message),
        }
    }
}

/// The text of `path`: from `read` (files this run has read already, sorted by path) when
/// there, else from the disk ([`read_text`]).
pub fn known_or_read(read: &[(PathBuf, Text)], path: &Path) -> Result<Text, ReadError> {
    match read.binary_search_by(|(p, _)| p.as_path().cmp(path)) {
        Ok(index) => Ok(Arc::clone(&read[index].1)),
        Err(_) => read_text(path).map(Text::from),
    }
}

/// The byte order mark [`SourceFile::new`] removes.
const BOM: char = '\u{feff}';

/// `files` with the byte order mark [`SourceFile::new`] removes also removed, so that
/// offsets into them are offsets into [`SourceFile::text`]; borrowed when none has one.
pub fn without_boms(files: &[(PathBuf, Text)]) -> Cow<'_, [(PathBuf, Text)]> {
    if !files.iter().any(|(_, text)| text.starts_with(BOM)) {
        return Cow::Borrowed(files);
    }
    Cow::Owned(
        files
            .iter()
            .map(|(path, text)| (path.clone(), Text::from(without_bom(text))))
            .collect(),
    )
}

/// `text` without the byte order mark [`SourceFile::new`] removes.
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// Reads a source file as text, refusing what is not a regular UTF-8 file of reasonable size
/// without ever blocking on it (FIFOs and devices are not opened).
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| ReadError::Io(e.to_string()))?;
    if meta.is_dir() {
        return Err(ReadError::Directory);
    }
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge { bytes: meta.len() });
    }
    let file = std::fs::File::open(path).map_err(|e| ReadError::Io(e.to_string()))?;
    // The size can change between `metadata` and the read (and /proc files report 0).
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Io(e.to_string()))?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge { bytes: read });
    }
    String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        let line = error.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        ReadError::NotUtf8 { offset, line }
    })
}

/// All files read during a run, addressed by [`FileId`].
///
/// Paths are indexed, so adding and finding a file costs the same however many are loaded.
#[derive(Debug, Default)]
pub struct SourceDb {
    files: Vec<SourceFile>,
    by_path: rustc_hash::FxHashMap<PathBuf, FileId>,
}

impl SourceDb {
    /// Adds a file and returns its id; a path already present returns the existing id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        if let Some(id) = self.find(&file.path) {
            return id;
        }
        let id = FileId(self.files.len());
        self.by_path.insert(file.path.clone(), id);
        self.files.push(file);
        id
    }

    /// The id of a file already loaded from `path`.
    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    /// Number of files held.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no file is held.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Takes every file out, in id order (for merging a per-target database into another).
    pub fn into_files(self) -> Vec<SourceFile> {
        self.files
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0]
    }

    /// All files with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i), f))
    }
}

/// Renders `path` relative to `root` when it lies below it, with `/` separators.
pub fn display_name(path: &Path, root: &Path) -> String {
    let shown = path.strip_prefix(root).unwrap_or(path);
    shown
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

impl SourceFile {
    /// The byte range of a 0-based line, including its line ending.
    pub fn line_range(&self, line_index: usize) -> Option<std::ops::Range<usize>> {
        let start = *self.line_starts.get(line_index)?;
        let end = self
            .line_starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(self.text.len());
        Some(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_and_offsets_round_trip() {
        let file = SourceFile::new("a.rs".into(), "a.rs".into(), "\u{feff}é = 1;\nlet ü = x;\n");
        assert!(file.text.starts_with('é'), "the BOM is removed");
        let offset = file.offset_of(2, 4);
        assert_eq!(
            &file.text[offset..offset + 2],
            "ü".to_string().as_str().get(..2).unwrap_or("")
        );
        let pos = file.position(offset);
        assert_eq!((pos.line, pos.column), (2, 5));
        assert_eq!(file.line_text(2), "let ü = x;");
        assert_eq!(file.position(10_000).line, 3, "offsets past the end clamp");
    }

    #[test]
    fn line_zero_and_lines_past_the_end_do_not_panic() {
        // Found by fuzzing: syn locates "unexpected end of input" at line 0 (the call site).
        let file = SourceFile::new("a.rs".into(), "a.rs".into(), "[x]\ny = 1\n");
        assert_eq!(file.offset_of(0, 0), file.text.len());
        assert_eq!(file.offset_of(0, 7), file.text.len());
        assert_eq!(file.offset_of(99, 3), file.text.len());
        assert_eq!(file.offset_of(2, 99), "[x]\ny = 1".len());
        assert_eq!(file.line_text(0), "");
        assert_eq!(file.line_text(99), "");
    }
}
