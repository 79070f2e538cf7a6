//! Test support: source trees written into temporary directories.

use std::path::{Path, PathBuf};

/// Writes `text` to `rel` under `dir`, creating the directories on the way, and returns the
/// file's path.
pub(crate) fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&path, text).expect("write");
    path
}
