//! The cache for editors: what analysing one target produced, stored under a key and stamped
//! with the contents of every file it read, so that a warm run re-analyses only the targets
//! whose files changed.
//!
//! Entries are compact binary files (postcard) named after a hash of their key. They are written to a temporary
//! file and renamed into place, so concurrent runs sharing a directory never see half an
//! entry; an entry that does not parse, belongs to another version or configuration, or
//! names another key is ignored (and replaced by the next store). The cache is best effort:
//! failing to read or write it never fails a run.

use crate::hash::{content_hash, fnv1a64};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Bumped when the stored layout changes.
const FORMAT: u32 = 6;

/// A file as it was when an entry was stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    /// Where it is.
    pub path: PathBuf,
    /// Its length in bytes.
    pub len: u64,
    /// A hash of its contents.
    pub hash: u64,
    /// A hash of the ranges blanked before parsing ([`crate::hollow`]): what was parsed
    /// depends on the whole workspace, not only on the file.
    pub blanks: u64,
}

impl FileStamp {
    /// Stamps a file's text.
    pub fn of(path: &Path, text: &str, blanks: &[Range<usize>]) -> Self {
        let ranges: Vec<u8> = blanks
            .iter()
            .flat_map(|r| [r.start as u64, r.end as u64])
            .flat_map(u64::to_le_bytes)
            .collect();
        FileStamp {
            path: path.to_path_buf(),
            len: text.len() as u64,
            hash: content_hash(text.as_bytes()),
            blanks: fnv1a64(&ranges),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Entry<T> {
    format: u32,
    salt: u64,
    key: String,
    files: Vec<FileStamp>,
    payload: T,
}

/// A cache directory and the salt (nslint's version, the catalogue, the workspace root) that
/// every entry must match.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    salt: u64,
}

impl Cache {
    /// A cache in `dir`; entries made under a different `salt` text are ignored.
    pub fn new(dir: PathBuf, salt: &str) -> Self {
        let salted = format!("{}\n{FORMAT}\n{salt}", env!("CARGO_PKG_VERSION"));
        Cache {
            dir,
            salt: fnv1a64(salted.as_bytes()),
        }
    }

    /// The entry stored under `key`, with the files it was made from, if there is a valid one.
    pub fn load<T: DeserializeOwned>(&self, key: &str) -> Option<(Vec<FileStamp>, T)> {
        let bytes = std::fs::read(self.path_of(key)).ok()?;
        let entry: Entry<T> = postcard::from_bytes(&bytes).ok()?;
        (entry.format == FORMAT && entry.salt == self.salt && entry.key == key)
            .then_some((entry.files, entry.payload))
    }

    /// Stores `payload` under `key`, stamped with `files`. Errors are ignored.
    pub fn store<T: Serialize>(&self, key: &str, files: Vec<FileStamp>, payload: &T) {
        let entry = Entry {
            format: FORMAT,
            salt: self.salt,
            key: key.to_owned(),
            files,
            payload,
        };
        let Ok(bytes) = postcard::to_stdvec(&entry) else {
            return;
        };
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let target = self.path_of(key);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let temporary = target.with_extension(format!(
            "{}.{:?}.{nanos}.tmp",
            std::process::id(),
            std::thread::current().id()
        ));
        if std::fs::write(&temporary, bytes).is_ok()
            && std::fs::rename(&temporary, &target).is_err()
        {
            let _ = std::fs::remove_file(&temporary);
        }
    }

    fn path_of(&self, key: &str) -> PathBuf {
        self.dir
            .join(format!("{:016x}.entry", fnv1a64(key.as_bytes())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_are_refused_under_another_salt_or_when_garbage() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = Cache::new(dir.path().to_path_buf(), "catalogue A");
        let stamp = FileStamp::of(Path::new("a.rs"), "fn main() {}", &[]);
        cache.store("unit", vec![stamp.clone()], &vec![1u32, 2, 3]);
        let (files, payload) = cache.load::<Vec<u32>>("unit").expect("stored");
        assert_eq!((files, payload), (vec![stamp], vec![1, 2, 3]));
        assert!(cache.load::<Vec<u32>>("other").is_none());
        let other = Cache::new(dir.path().to_path_buf(), "catalogue B");
        assert!(other.load::<Vec<u32>>("unit").is_none(), "another salt");
        std::fs::write(cache.path_of("unit"), b"\x01\x07tru").expect("write");
        assert!(cache.load::<Vec<u32>>("unit").is_none(), "truncated");
        cache.store("unit", Vec::new(), &vec![4u32]);
        assert_eq!(
            cache.load::<Vec<u32>>("unit").map(|(_, p)| p),
            Some(vec![4])
        );
    }

    #[test]
    fn stamps_change_with_the_contents() {
        let a = FileStamp::of(Path::new("a.rs"), "fn a() {}", &[]);
        let b = FileStamp::of(Path::new("a.rs"), "fn b() {}", &[]);
        let blanked = std::slice::from_ref(&(8..9));
        let hollowed = FileStamp::of(Path::new("a.rs"), "fn a() {}", blanked);
        assert_ne!(a, hollowed, "what was parsed changed");
        assert_ne!(a.hash, b.hash);
    }
}
