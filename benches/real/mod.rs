//! Real corpora for the scale benchmark (issue 19): the sources of real crates at exact
//! versions, fetched through cargo from the registry at bench time by lintcheck's fetcher
//! (never committed), each corpus laid out as one cargo workspace.

use super::corpus::Stats;
use std::path::{Path, PathBuf};

/// One real corpus: registry crates at exact versions, linted as one workspace.
pub struct RealCorpus {
    /// Its name in the report and its directory under `<target>/nslint-bench/real/`.
    pub name: &'static str,
    /// What it is.
    pub what: &'static str,
    /// The crates, with exact versions.
    pub crates: &'static [(&'static str, &'static str)],
    /// The cold / parse floor ratio issue 19 asks of it.
    pub target: f64,
}

/// The real corpora: tokio's workspace (no namespace code); the registry crates of
/// `lintcheck/corpus.toml` but syd as one workspace (container runtimes, sandboxes, netlink
/// and netns libraries: about 236k lines, namespace code in most crates); and syd alone, a
/// sandbox of about 390k lines with raw switches throughout.
pub const CORPORA: [RealCorpus; 3] = [
    RealCorpus {
        name: "tokio",
        what: "tokio's workspace, no namespace code",
        crates: &[
            ("tokio", "1.54.1"),
            ("tokio-util", "0.7.20"),
            ("tokio-stream", "0.1.19"),
            ("tokio-macros", "2.7.2"),
            ("tokio-test", "0.4.4"),
        ],
        target: 0.25,
    },
    RealCorpus {
        name: "containers",
        what: "lintcheck's registry crates but syd, one workspace",
        crates: &[
            ("libcontainer", "0.7.0"),
            ("hakoniwa", "1.8.0"),
            ("birdcage", "0.8.1"),
            ("gaol", "0.2.1"),
            ("unshare", "0.7.0"),
            ("cntr", "2.0.0"),
            ("boxlite", "0.11.0"),
            ("containerd-shim", "0.12.0"),
            ("virtiofsd", "1.14.0"),
            ("netns-rs", "0.2.0"),
            ("rtnetlink", "0.24.0"),
            ("netavark", "2.1.0"),
            ("bpfman", "0.6.0"),
            ("vopono_core", "1.0.2"),
        ],
        target: 1.0,
    },
    RealCorpus {
        name: "syd",
        what: "syd 3.59.0, a sandbox with many raw switches",
        crates: &[("syd", "3.59.0")],
        target: 1.0,
    },
];

/// The file whose presence says an assembled corpus is complete.
const COMPLETE: &str = ".nslint-bench-real";

/// Fetches `corpus`'s crates (cached under `work/sources/`) and lays them out as one workspace
/// in `work/<name>/`: each crate a member directory, a root manifest listing them. Returns the
/// workspace directory and its figures (`edit_target`: the largest file of the first crate's
/// `src/`, which the warm runs edit).
pub fn assemble(corpus: &RealCorpus, work: &Path) -> Result<(PathBuf, Stats), String> {
    let fetcher = lintcheck::fetch::Fetcher::new(work.to_path_buf(), None);
    let dir = work.join(corpus.name);
    if !dir.join(COMPLETE).exists() {
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let mut members = Vec::new();
        for (name, version) in corpus.crates {
            let fetched = fetcher
                .registry_crate(name, version)
                .map_err(|e| format!("fetching {name} {version}: {e}"))?;
            let member = dir.join(format!("{name}-{version}"));
            copy_sources(&fetched, &member)?;
            members.push(format!("\"{name}-{version}\""));
        }
        let manifest = format!(
            "[workspace]\nmembers = [{}]\nresolver = \"2\"\n",
            members.join(", ")
        );
        write(&dir.join("Cargo.toml"), &manifest)?;
        write(&dir.join(COMPLETE), "")?;
    }
    let files = super::rust_files(&dir);
    let mut stats = Stats {
        crates: corpus.crates.len(),
        files: files.len(),
        ..Stats::default()
    };
    let first = corpus.crates.first().map(|(n, v)| format!("{n}-{v}"));
    let mut largest = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        stats.lines += text.lines().count();
        stats.bytes += text.len();
        let in_first = first
            .as_ref()
            .is_some_and(|f| file.starts_with(dir.join(f).join("src")));
        if in_first && text.len() > largest {
            largest = text.len();
            stats.edit_target = file.clone();
        }
    }
    Ok((dir, stats))
}

/// Copies a fetched crate into a member directory, without the `[workspace]` table the
/// fetcher added to make it a workspace of its own (a member cannot be a root).
fn copy_sources(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries.flatten() {
        let source = entry.path();
        let target = to.join(entry.file_name());
        if source.is_dir() {
            copy_sources(&source, &target)?;
        } else if entry.file_name() == "Cargo.toml" {
            let text = std::fs::read_to_string(&source)
                .map_err(|e| format!("{}: {e}", source.display()))?;
            let member: Vec<&str> = text.lines().filter(|l| l.trim() != "[workspace]").collect();
            write(&target, &(member.join("\n") + "\n"))?;
        } else if source.is_file() {
            std::fs::copy(&source, &target).map_err(|e| format!("{}: {e}", source.display()))?;
        }
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}
