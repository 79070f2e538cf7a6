//! `exclude` patterns: gitignore-style globs, each relative to the directory of the file that
//! declared it.

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::path::Path;

/// A set of exclusion patterns.
#[derive(Debug, Clone, Default)]
pub struct Exclude {
    matchers: Vec<Gitignore>,
}

impl Exclude {
    /// Adds the patterns of one settings table, relative to `base`.
    pub fn add(&mut self, base: &Path, patterns: &[String]) -> Result<(), String> {
        if patterns.is_empty() {
            return Ok(());
        }
        let mut builder = GitignoreBuilder::new(base);
        for pattern in patterns {
            builder
                .add_line(None, pattern)
                .map_err(|e| format!("bad pattern `{pattern}`: {e}"))?;
        }
        let matcher = builder.build().map_err(|e| e.to_string())?;
        self.matchers.push(matcher);
        Ok(())
    }

    /// Whether a file is excluded.
    pub fn is_excluded(&self, path: &Path) -> bool {
        self.matchers.iter().any(|m| {
            // The matcher only answers for paths below its root.
            path.strip_prefix(m.path()).is_ok()
                && m.matched_path_or_any_parents(path, false).is_ignore()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_files_and_directories_below_their_base() {
        let mut exclude = Exclude::default();
        exclude
            .add(
                Path::new("/w"),
                &["generated/".to_owned(), "*.gen.rs".to_owned()],
            )
            .expect("valid");
        assert!(exclude.is_excluded(Path::new("/w/generated/a.rs")));
        assert!(exclude.is_excluded(Path::new("/w/src/x.gen.rs")));
        assert!(!exclude.is_excluded(Path::new("/w/src/lib.rs")));
        assert!(!exclude.is_excluded(Path::new("/elsewhere/generated/a.rs")));
    }
}
