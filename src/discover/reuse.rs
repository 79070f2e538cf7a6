//! `cargo metadata` output kept between runs.
//!
//! Running cargo costs about 0.2 s on a large workspace, a large share of an editor's warm
//! run. Its output depends only on files cargo reads and on the environment, so it is kept in
//! the cache directory with a stamp (length and modification time, or absence) of every
//! file and directory that can change it, and reused while all stamps still match:
//!
//! - every member's manifest, the root manifest and the lock file;
//! - the directories cargo searches for targets (`src/`, `src/bin/`, `examples/`, `tests/`,
//!   `benches/` and their subdirectories), and every directory from a member up to the root,
//!   so that a new target or a new member matched by a glob is seen;
//! - in every ancestor of the workspace and of the current directory, the `Cargo.toml` that
//!   cargo could start from, the `.cargo/config` files and the toolchain files; and cargo's
//!   home configuration.
//!
//! The environment (every `CARGO*` and `RUSTUP_TOOLCHAIN` variable), the current directory
//! and `--manifest-path` are part of the key. A path modified after cargo started makes the
//! output unfit to keep, except the directories holding the cache, which the run itself
//! changes.

use crate::cache::Cache;
use crate::stamp::{Stamp, nanos};
use cargo_metadata::Metadata;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::CargoSelection;

/// The directories cargo searches for targets by convention, relative to a package.
const TARGET_DIRS: [&str; 5] = ["src", "src/bin", "examples", "tests", "benches"];

/// Files in each ancestor directory that change what cargo reads or where it starts.
const ANCESTOR_FILES: [&str; 5] = [
    "Cargo.toml",
    ".cargo/config",
    ".cargo/config.toml",
    "rust-toolchain",
    "rust-toolchain.toml",
];

/// A path as it was: absent, or its stamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct PathStamp {
    path: PathBuf,
    state: Option<Stamp>,
}

impl PathStamp {
    fn of(path: PathBuf) -> Self {
        let state = Stamp::of(&path);
        PathStamp { path, state }
    }
}

/// What is stored: the stamps and cargo's output.
#[derive(Serialize, Deserialize)]
struct Kept {
    stamps: Vec<PathStamp>,
    output: Vec<u8>,
}

/// The entry's key: what cargo was asked, where, and under which environment.
fn key(selection: &CargoSelection) -> String {
    let mut key = format!(
        "cargo metadata\n{}\n{:?}\n",
        selection.current_dir.display(),
        selection.manifest_path
    );
    let mut variables: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.to_string_lossy().into_owned())))
        .filter(|(k, _)| k.starts_with("CARGO") || k == "RUSTUP_TOOLCHAIN")
        .collect();
    variables.sort();
    for (name, value) in variables {
        key.push_str(&format!("{name}={value}\n"));
    }
    key
}

fn cache_in(dir: &Path) -> Cache {
    Cache::new(dir.to_path_buf(), "cargo metadata")
}

/// Cargo's kept output for `selection`, from the first of `dirs` that holds a valid entry.
pub(super) fn lookup(selection: &CargoSelection, dirs: &[PathBuf]) -> Option<Vec<u8>> {
    let key = key(selection);
    dirs.iter().find_map(|dir| {
        let (_, kept) = cache_in(dir).load::<Kept>(&key)?;
        kept.stamps
            .iter()
            .all(|stamp| PathStamp::of(stamp.path.clone()) == *stamp)
            .then_some(kept.output)
    })
}

/// The cache directories a run may have kept metadata in when none is named: the
/// `target/nslint-cache` directories that exist above the directory cargo starts from.
pub fn default_lookup_dirs(selection: &CargoSelection) -> Vec<PathBuf> {
    let start = match &selection.manifest_path {
        Some(manifest) => selection
            .current_dir
            .join(manifest)
            .parent()
            .map(Path::to_path_buf),
        None => Some(selection.current_dir.clone()),
    };
    start
        .iter()
        .flat_map(|dir| dir.ancestors())
        .map(|dir| dir.join("target").join("nslint-cache"))
        .filter(|dir| dir.is_dir())
        .collect()
}

/// Cargo's output from this run, with what it depends on, ready to be kept.
#[derive(Debug)]
pub struct FreshMetadata {
    key: String,
    inputs: BTreeSet<PathBuf>,
    output: Vec<u8>,
    started: i128,
}

impl FreshMetadata {
    /// Cargo's `output`, parsed as `metadata`; `started` is when cargo was started.
    pub(super) fn new(
        selection: &CargoSelection,
        metadata: &Metadata,
        output: Vec<u8>,
        started: SystemTime,
    ) -> Self {
        FreshMetadata {
            key: key(selection),
            inputs: inputs(selection, metadata),
            output,
            started: nanos(started),
        }
    }

    /// Keeps the output in the cache directory `dir` (best effort). The stamps are taken
    /// once the directory exists, so that making it does not count as a change; output that
    /// a change made since cargo started may have missed is not kept.
    pub fn store(self, dir: &Path) {
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let stamps: Vec<PathStamp> = self.inputs.into_iter().map(PathStamp::of).collect();
        let ours = |path: &Path| dir.starts_with(path);
        let settled = stamps
            .iter()
            .filter(|s| !ours(&s.path))
            .all(|s| s.state.is_none_or(|state| state.modified < self.started));
        if settled {
            let kept = Kept {
                stamps,
                output: self.output,
            };
            cache_in(dir).store(&self.key, Vec::new(), &kept);
        }
    }
}

/// Every path whose change could change cargo's output.
fn inputs(selection: &CargoSelection, metadata: &Metadata) -> BTreeSet<PathBuf> {
    let root = metadata.workspace_root.as_std_path();
    let mut paths = BTreeSet::new();
    paths.insert(root.join("Cargo.toml"));
    paths.insert(root.join("Cargo.lock"));
    for package in &metadata.packages {
        let manifest = package.manifest_path.as_std_path();
        paths.insert(manifest.to_path_buf());
        let Some(dir) = manifest.parent() else {
            continue;
        };
        for ancestor in dir.ancestors() {
            paths.insert(ancestor.to_path_buf());
            if ancestor == root || !ancestor.starts_with(root) {
                break;
            }
        }
        for searched in TARGET_DIRS.map(|d| dir.join(d)) {
            paths.extend(subdirectories(&searched));
            paths.insert(searched);
        }
        for target in &package.targets {
            if let Some(parent) = target.src_path.as_std_path().parent() {
                paths.insert(parent.to_path_buf());
            }
        }
    }
    let cwd = selection.current_dir.as_path();
    for ancestor in root.ancestors().chain(cwd.ancestors()) {
        paths.extend(ANCESTOR_FILES.map(|f| ancestor.join(f)));
    }
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    if let Some(home) = home {
        paths.insert(home.join("config"));
        paths.insert(home.join("config.toml"));
    }
    paths
}

/// The directories directly inside `dir` (none when it is not a directory).
fn subdirectories(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect()
}
