//! Baselines, for adopting nslint in existing code: `--write-baseline FILE` records the
//! current findings, `--baseline FILE` reports only findings that are not in it.
//!
//! A finding is identified without line numbers, so that edits elsewhere in a file do not
//! turn old findings into new ones: by lint, file path (relative to the workspace root), the
//! item it sits in (`impl NetNs::enter`) and a hash of its primary span's text with all
//! whitespace removed. Identical keys are counted: a baseline entry with `count = 2` absorbs
//! two such findings, and a third is new.

mod item;

use crate::analysis::Analysis;
use crate::diagnostic::Diagnostic;
use crate::hash::fnv1a64;
use crate::source::{FileId, SourceDb};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub use item::enclosing_item;

/// The version of the baseline file format.
pub const FORMAT_VERSION: u32 = 1;

/// What identifies a finding across edits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FindingKey {
    /// The lint's name.
    pub lint: String,
    /// The file, relative to the workspace root.
    pub path: String,
    /// The enclosing item (`fn setup`, `impl Guard::drop`), empty at the top level.
    pub item: String,
    /// Hash of the primary span's text with whitespace removed (16 hex digits).
    pub snippet: String,
}

/// Computes finding keys, parsing each file at most once.
#[derive(Debug, Default)]
pub struct KeyMaker {
    items: BTreeMap<FileId, Option<syn::File>>,
}

impl KeyMaker {
    /// The key of a lint finding; `None` for problems that are not lint findings.
    pub fn key(&mut self, db: &SourceDb, diagnostic: &Diagnostic) -> Option<FindingKey> {
        let lint = diagnostic.lint_ref()?;
        let span = &diagnostic.primary.as_ref()?.span;
        let file = db.get(span.file);
        let ast = self.items.entry(span.file).or_insert_with(|| {
            crate::parse::parse_file(file, Default::default())
                .ok()
                .map(|parsed| parsed.ast)
        });
        let item = ast
            .as_ref()
            .map(|ast| enclosing_item(ast, span.range.start))
            .unwrap_or_default();
        let snippet = file.text.get(span.range.clone()).unwrap_or_default();
        let normalised: String = snippet.chars().filter(|c| !c.is_whitespace()).collect();
        Some(FindingKey {
            lint: lint.name.to_owned(),
            path: file.display_name.clone(),
            item,
            snippet: format!("{:016x}", fnv1a64(normalised.as_bytes())),
        })
    }
}

/// One baseline entry: a key and how many findings have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The lint's name.
    pub lint: String,
    /// The file, relative to the workspace root.
    pub path: String,
    /// The enclosing item.
    pub item: String,
    /// The snippet hash.
    pub snippet: String,
    /// How many findings have this key.
    pub count: usize,
}

impl Entry {
    fn key(&self) -> FindingKey {
        FindingKey {
            lint: self.lint.clone(),
            path: self.path.clone(),
            item: self.item.clone(),
            snippet: self.snippet.clone(),
        }
    }
}

/// A baseline file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// [`FORMAT_VERSION`].
    pub version: u32,
    /// The recorded findings, sorted.
    pub findings: Vec<Entry>,
}

impl Baseline {
    /// Records the lint findings of an analysis.
    pub fn of(analysis: &Analysis) -> Baseline {
        let mut keys = KeyMaker::default();
        let mut counts: BTreeMap<FindingKey, usize> = BTreeMap::new();
        for d in &analysis.diagnostics {
            if let Some(key) = keys.key(&analysis.db, d) {
                *counts.entry(key).or_default() += 1;
            }
        }
        Baseline {
            version: FORMAT_VERSION,
            findings: counts
                .into_iter()
                .map(|(k, count)| Entry {
                    lint: k.lint,
                    path: k.path,
                    item: k.item,
                    snippet: k.snippet,
                    count,
                })
                .collect(),
        }
    }

    /// Reads a baseline file.
    pub fn read(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read the baseline: {e}", path.display()))?;
        let baseline: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not an nslint baseline: {e}", path.display()))?;
        if baseline.version != FORMAT_VERSION {
            return Err(format!(
                "{}: baseline format version {} is not supported (expected {FORMAT_VERSION})",
                path.display(),
                baseline.version
            ));
        }
        Ok(baseline)
    }

    /// Writes the baseline as pretty-printed JSON.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        text.push('\n');
        std::fs::write(path, text)
            .map_err(|e| format!("{}: cannot write the baseline: {e}", path.display()))
    }

    /// Removes the findings the baseline records from an analysis.
    pub fn apply(&self, analysis: &mut Analysis) -> Applied {
        let mut remaining: BTreeMap<FindingKey, usize> =
            self.findings.iter().map(|e| (e.key(), e.count)).collect();
        let mut keys = KeyMaker::default();
        let mut baselined = 0;
        let db = &analysis.db;
        analysis.diagnostics.retain(|d| {
            let Some(key) = keys.key(db, d) else {
                return true;
            };
            match remaining.get_mut(&key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    baselined += 1;
                    false
                }
                _ => true,
            }
        });
        let stale = self
            .findings
            .iter()
            .filter_map(|e| {
                let left = remaining.get(&e.key()).copied().unwrap_or(0);
                (left > 0).then(|| Entry {
                    count: left,
                    ..e.clone()
                })
            })
            .collect();
        Applied { baselined, stale }
    }
}

/// What applying a baseline did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// How many findings were in the baseline and are not reported.
    pub baselined: usize,
    /// Entries (with the unmatched count) that no current finding matches: fixed findings, or
    /// findings whose code changed.
    pub stale: Vec<Entry>,
}

impl Applied {
    /// Lines for stderr: how many were baselined, and the stale entries.
    pub fn report(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.baselined > 0 {
            let s = if self.baselined == 1 { "" } else { "s" };
            lines.push(format!(
                "note: {} finding{s} in the baseline not reported",
                self.baselined
            ));
        }
        for e in &self.stale {
            let item = if e.item.is_empty() {
                String::new()
            } else {
                format!(" in `{}`", e.item)
            };
            lines.push(format!(
                "note: stale baseline entry: nslint::{} at {}{item} (snippet {}, {} not found); \
                 rewrite the baseline with --write-baseline",
                e.lint, e.path, e.snippet, e.count
            ));
        }
        lines
    }
}
