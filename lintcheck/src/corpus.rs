//! The corpus: which real projects the lintcheck runs nslint on (`lintcheck/corpus.toml`).

use crate::error::{Context, Error, Result};
use serde::Deserialize;
use std::path::Path;

/// Where a project's sources come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A crate on crates.io at an exact version, fetched through cargo.
    Registry {
        /// The exact version.
        version: String,
    },
    /// A commit of a git repository (for local use: it needs the repository's host).
    Git {
        /// The repository's URL (`https://github.com/owner/name`).
        url: String,
        /// The full commit hash.
        rev: String,
    },
}

/// How nslint is pointed at a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// `--manifest-path <root>/Cargo.toml --workspace`, as a user of cargo runs it.
    #[default]
    Cargo,
    /// `cargo nslint .` in the root: for trees of several workspaces (monorepos).
    Path,
}

/// One project of the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// Its name: the crate's, or the repository's.
    pub name: String,
    /// Where its sources come from.
    pub source: Source,
    /// How nslint is run on it.
    pub mode: Mode,
    /// What it is, in a few words ("container runtime library").
    pub what: String,
}

impl Project {
    /// The name and version (or abbreviated commit) that identify the sources.
    pub fn id(&self) -> String {
        match &self.source {
            Source::Registry { version } => format!("{}@{version}", self.name),
            Source::Git { rev, .. } => format!("{}@{}", self.name, &rev[..rev.len().min(12)]),
        }
    }

    /// Whether the project comes from crates.io (the part of the corpus anyone can fetch).
    pub fn is_registry(&self) -> bool {
        matches!(self.source, Source::Registry { .. })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    project: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    version: Option<String>,
    git: Option<String>,
    rev: Option<String>,
    #[serde(default)]
    mode: Mode,
    what: String,
}

/// Reads and checks the corpus file.
pub fn load(path: &Path) -> Result<Vec<Project>> {
    let text = std::fs::read_to_string(path).context(|| format!("reading {}", path.display()))?;
    parse(&text).context(|| format!("in {}", path.display()))
}

/// Parses a corpus: every project has either an exact `version` or a `git` URL with a full
/// `rev`, and names are unique.
pub fn parse(text: &str) -> Result<Vec<Project>> {
    let file: File = toml::from_str(text).map_err(|e| Error(e.to_string()))?;
    let mut projects: Vec<Project> = Vec::new();
    for entry in file.project {
        let source = match (entry.version, entry.git, entry.rev) {
            (Some(version), None, None) => {
                if version.starts_with(['=', '^', '~']) || version.contains('*') {
                    return Err(Error(format!(
                        "`{}`: `version` must be an exact version such as \"1.2.3\"",
                        entry.name
                    )));
                }
                Source::Registry { version }
            }
            (None, Some(url), Some(rev)) => {
                if rev.len() != 40 || !rev.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(Error(format!(
                        "`{}`: `rev` must be a full 40-digit commit hash",
                        entry.name
                    )));
                }
                Source::Git { url, rev }
            }
            _ => {
                return Err(Error(format!(
                    "`{}`: give either `version`, or `git` and `rev`",
                    entry.name
                )));
            }
        };
        if projects.iter().any(|p| p.name == entry.name) {
            return Err(Error(format!("`{}` is listed twice", entry.name)));
        }
        projects.push(Project {
            name: entry.name,
            source,
            mode: entry.mode,
            what: entry.what,
        });
    }
    Ok(projects)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_and_git_projects_are_read_with_their_ids() {
        let projects = parse(
            r#"
            [[project]]
            name = "netns-rs"
            version = "0.2.0"
            what = "netns library"

            [[project]]
            name = "ztunnel"
            git = "https://github.com/istio/ztunnel"
            rev = "62d826530e5ce85764e309170205b293efcbc80b"
            mode = "path"
            what = "mesh proxy"
            "#,
        )
        .expect("a valid corpus");
        assert_eq!(projects[0].id(), "netns-rs@0.2.0");
        assert!(projects[0].is_registry());
        assert_eq!(projects[0].mode, Mode::Cargo);
        assert_eq!(projects[1].id(), "ztunnel@62d826530e5c");
        assert_eq!(projects[1].mode, Mode::Path);
    }

    #[test]
    fn loose_versions_short_revs_and_duplicates_are_refused() {
        let one = |body: &str| parse(&format!("[[project]]\nname = \"x\"\nwhat = \"w\"\n{body}"));
        assert!(one("version = \"^1.0\"").is_err());
        assert!(one("git = \"u\"\nrev = \"abc123\"").is_err());
        assert!(one("").is_err());
        assert!(one("version = \"1.0.0\"\ngit = \"u\"").is_err());
        let twice = "[[project]]\nname = \"x\"\nversion = \"1.0.0\"\nwhat = \"w\"\n".repeat(2);
        assert!(parse(&twice).is_err());
    }
}
