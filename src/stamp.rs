//! Stamps: what a file or directory was (kind, length, modification time), to tell later
//! whether it may have changed without reading it. Used by the cache of `cargo metadata`
//! (`discover::reuse`) and by replay's record (`crate::replay`).

use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::SystemTime;

/// How long before a run started a modification must be for a stamp taken after it to be
/// trusted without a look at the contents: file systems stamp with a clock that may lag the
/// one the run reads.
const SETTLE_NANOS: i128 = 100_000_000;

/// A file or directory as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// Whether it is a directory.
    pub is_dir: bool,
    /// Length in bytes.
    pub len: u64,
    /// Modification time in nanoseconds since the epoch ([`nanos`]); 0 when unknown or, after
    /// [`Stamp::settled`], too recent to trust.
    pub modified: i128,
}

impl Stamp {
    /// The stamp of `path` now, if it exists.
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Stamp {
            is_dir: meta.is_dir(),
            len: meta.len(),
            modified: meta.modified().map_or(0, nanos),
        })
    }

    /// The stamp with its time forgotten when it may be too recent to tell a later change from
    /// the one it shows, so that the next run looks at the contents. `started` is when the run
    /// began ([`nanos`]).
    pub fn settled(self, started: i128) -> Stamp {
        if self.modified >= started - SETTLE_NANOS {
            Stamp {
                modified: 0,
                ..self
            }
        } else {
            self
        }
    }

    /// Whether the stamp can be trusted without a look at the contents.
    pub fn is_settled(self) -> bool {
        self.modified != 0
    }
}

/// Nanoseconds since the epoch (negative before it).
pub fn nanos(time: SystemTime) -> i128 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => after.as_nanos() as i128,
        Err(before) => -(before.duration().as_nanos() as i128),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_stamps_are_not_trusted_and_older_ones_are() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a.rs");
        std::fs::write(&file, "fn a() {}\n").expect("write");
        let stamp = Stamp::of(&file).expect("exists");
        assert_eq!((stamp.is_dir, stamp.len), (false, 10));
        let now = nanos(SystemTime::now());
        assert!(!stamp.settled(now).is_settled(), "just written");
        assert!(stamp.settled(now + 10 * SETTLE_NANOS).is_settled());
        assert!(Stamp::of(dir.path()).expect("exists").is_dir);
        assert_eq!(Stamp::of(&dir.path().join("missing")), None);
    }
}
