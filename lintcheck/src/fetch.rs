//! Bringing a project's sources to disk: a crate at an exact version through cargo (the
//! registry's own download and checksum), or a git commit's source files.
//!
//! Sources land in `<work>/sources/<name>-<version or commit>/`, written completely before a
//! marker file says they can be reused. Nothing fetched is ever built or run.

use crate::corpus::{Project, Source};
use crate::error::{Context, Error, Result};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The file whose presence says a sources directory is complete.
const COMPLETE: &str = ".lintcheck-complete";

/// The files of a git commit that nslint reads: Rust sources and cargo's manifests and lock
/// files (never toolchain files, which would make cargo install a toolchain).
fn is_source_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.ends_with(".rs")
        || matches!(
            name,
            "Cargo.toml" | "Cargo.lock" | ".gitignore" | "nslint.toml"
        )
}

/// Fetches sources into a work directory.
#[derive(Debug, Clone)]
pub struct Fetcher {
    cargo: OsString,
    work: PathBuf,
    git_mirrors: Option<PathBuf>,
}

impl Fetcher {
    /// A fetcher that writes below `work`, running `$CARGO` (or `cargo`). `git_mirrors` is a
    /// directory of local repository copies named `<owner>+<name>/repo`, tried before the
    /// network.
    pub fn new(work: PathBuf, git_mirrors: Option<PathBuf>) -> Self {
        Fetcher {
            cargo: std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()),
            work,
            git_mirrors,
        }
    }

    /// The directory holding a project's sources, fetched if they are not there yet.
    pub fn sources(&self, project: &Project) -> Result<PathBuf> {
        match &project.source {
            Source::Registry { version } => self.registry_crate(&project.name, version),
            Source::Git { url, rev } => self.git_commit(&project.name, url, rev),
        }
    }

    /// A crate's sources at an exact version, fetched by cargo into its registry cache and
    /// copied out, with an empty `[workspace]` table added to the manifest so that cargo
    /// treats the copy as a workspace of its own.
    pub fn registry_crate(&self, name: &str, version: &str) -> Result<PathBuf> {
        let dest = self.work.join("sources").join(format!("{name}-{version}"));
        if dest.join(COMPLETE).exists() {
            return Ok(dest);
        }
        let probe = self.work.join("fetch").join(format!("{name}-{version}"));
        std::fs::create_dir_all(&probe).context(|| format!("creating {}", probe.display()))?;
        let manifest = probe.join("Cargo.toml");
        let text = format!(
            "[package]\nname = \"lintcheck-fetch\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             publish = false\n\n[lib]\npath = \"lib.rs\"\n\n[dependencies]\n\
             {name} = \"={version}\"\n\n[workspace]\n"
        );
        std::fs::write(&manifest, text).context(|| format!("writing {}", manifest.display()))?;
        std::fs::write(probe.join("lib.rs"), "").context(|| "writing lib.rs".to_owned())?;
        self.cargo(&["fetch", "--manifest-path"], &manifest)?;
        let metadata = self.cargo(
            &["metadata", "--format-version", "1", "--manifest-path"],
            &manifest,
        )?;
        let source = package_dir(&metadata, name, version)?;
        if dest.exists() {
            std::fs::remove_dir_all(&dest).context(|| format!("removing {}", dest.display()))?;
        }
        copy_tree(&source, &dest)?;
        make_workspace_root(&dest.join("Cargo.toml"))?;
        mark_complete(&dest)
    }

    /// The source files of a git commit (see [`is_source_file`]), from a local mirror when
    /// one is configured and holds the repository, else from a shallow fetch of the commit;
    /// a root manifest gets an empty `[workspace]` table when it has none, as a crate does.
    fn git_commit(&self, name: &str, url: &str, rev: &str) -> Result<PathBuf> {
        let dest = self
            .work
            .join("sources")
            .join(format!("{name}-{}", &rev[..12]));
        if dest.join(COMPLETE).exists() {
            return Ok(dest);
        }
        let repo = match self.mirror_of(url) {
            Some(mirror) => mirror,
            None => self.shallow_fetch(url, rev)?,
        };
        if dest.exists() {
            std::fs::remove_dir_all(&dest).context(|| format!("removing {}", dest.display()))?;
        }
        export_commit(&repo, rev, &dest)?;
        let manifest = dest.join("Cargo.toml");
        if manifest.exists() {
            make_workspace_root(&manifest)?;
        }
        mark_complete(&dest)
    }

    /// The local copy of `https://host/owner/name` in the mirror directory, if there is one.
    fn mirror_of(&self, url: &str) -> Option<PathBuf> {
        let mut parts = url
            .trim_end_matches('/')
            .trim_end_matches(".git")
            .rsplit('/');
        let name = parts.next()?;
        let owner = parts.next()?;
        let repo = self
            .git_mirrors
            .as_ref()?
            .join(format!("{owner}+{name}/repo"));
        repo.exists().then_some(repo)
    }

    /// A bare repository holding `rev`, fetched at depth one from `url`.
    fn shallow_fetch(&self, url: &str, rev: &str) -> Result<PathBuf> {
        let key: String = url
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let repo = self.work.join("git").join(key);
        if !repo.exists() {
            std::fs::create_dir_all(&repo).context(|| format!("creating {}", repo.display()))?;
            git(&repo, &["init", "--bare", "--quiet"])?;
        }
        git(&repo, &["fetch", "--quiet", "--depth", "1", url, rev])?;
        Ok(repo)
    }

    /// Runs cargo with `args` followed by `manifest`, and returns its standard output.
    fn cargo(&self, args: &[&str], manifest: &Path) -> Result<Vec<u8>> {
        let output = Command::new(&self.cargo)
            .args(args)
            .arg(manifest)
            .stderr(Stdio::piped())
            .output()
            .context(|| "running cargo".to_owned())?;
        if !output.status.success() {
            return Err(Error(format!(
                "`cargo {}` failed:\n{}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        Ok(output.stdout)
    }
}

/// The directory of the package `name`@`version` in `cargo metadata`'s output.
fn package_dir(metadata: &[u8], name: &str, version: &str) -> Result<PathBuf> {
    let value: serde_json::Value = serde_json::from_slice(metadata)
        .context(|| "reading cargo metadata's output".to_owned())?;
    let manifest = value["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == name && p["version"] == version)
        .and_then(|p| p["manifest_path"].as_str())
        .ok_or_else(|| {
            Error(format!(
                "cargo resolved no package {name}@{version} (a crate without a library cannot \
                 be fetched as a dependency)"
            ))
        })?;
    Path::new(manifest)
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| Error(format!("{manifest} has no directory")))
}

/// Copies a directory tree (regular files and directories; links are followed).
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).context(|| format!("creating {}", to.display()))?;
    let entries = std::fs::read_dir(from).context(|| format!("listing {}", from.display()))?;
    for entry in entries {
        let entry = entry.context(|| format!("listing {}", from.display()))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        if source.is_dir() {
            copy_tree(&source, &target)?;
        } else if source.is_file() {
            std::fs::copy(&source, &target).context(|| format!("copying {}", source.display()))?;
        }
    }
    Ok(())
}

/// Appends an empty `[workspace]` table to a manifest that has none.
fn make_workspace_root(manifest: &Path) -> Result<()> {
    let text =
        std::fs::read_to_string(manifest).context(|| format!("reading {}", manifest.display()))?;
    if text.lines().any(|l| l.trim() == "[workspace]") {
        return Ok(());
    }
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(manifest)
        .context(|| format!("opening {}", manifest.display()))?;
    file.write_all(b"\n[workspace]\n")
        .context(|| format!("writing {}", manifest.display()))
}

fn mark_complete(dest: &Path) -> Result<PathBuf> {
    std::fs::write(dest.join(COMPLETE), "").context(|| format!("marking {}", dest.display()))?;
    Ok(dest.to_path_buf())
}

/// Runs git in `repo`.
fn git(repo: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .context(|| "running git".to_owned())?;
    if !output.status.success() {
        return Err(Error(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(output.stdout)
}

/// Writes the source files of commit `rev` of `repo` below `dest`. Blobs the repository does
/// not hold (a snapshot without its large files) are left out.
fn export_commit(repo: &Path, rev: &str, dest: &Path) -> Result<()> {
    let listing = git(repo, &["ls-tree", "-r", "-z", "--full-tree", rev])?;
    let mut wanted: Vec<(String, String)> = Vec::new();
    for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let fields: Vec<&str> = meta.split(' ').collect();
        if let [mode, "blob", id] = fields.as_slice()
            && *mode != "120000"
            && is_source_file(path)
            && !path.split('/').any(|c| c == ".." || c.is_empty())
        {
            wanted.push(((*id).to_owned(), path.to_owned()));
        }
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context(|| "running git cat-file".to_owned())?;
    let (Some(mut input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(Error("git cat-file has no pipes".to_owned()));
    };
    let ids: String = wanted.iter().map(|(id, _)| format!("{id}\n")).collect();
    let writer = std::thread::spawn(move || input.write_all(ids.as_bytes()));
    let mut output = BufReader::new(output);
    for (_, path) in &wanted {
        let mut header = String::new();
        output
            .read_line(&mut header)
            .context(|| "reading git cat-file".to_owned())?;
        let size = match header.split_whitespace().collect::<Vec<_>>().as_slice() {
            [_, "missing"] => continue,
            [_, _, size] => size
                .parse::<usize>()
                .context(|| format!("git cat-file header `{}`", header.trim()))?,
            _ => return Err(Error(format!("git cat-file header `{}`", header.trim()))),
        };
        let mut data = vec![0; size + 1];
        output
            .read_exact(&mut data)
            .context(|| format!("reading {path} from git"))?;
        data.pop();
        let file = dest.join(path);
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir).context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&file, data).context(|| format!("writing {}", file.display()))?;
    }
    writer
        .join()
        .map_err(|_| Error("git cat-file's writer panicked".to_owned()))?
        .context(|| "writing to git cat-file".to_owned())?;
    child.wait().context(|| "waiting for git".to_owned())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sources_and_manifests_are_taken_from_a_commit() {
        for path in [
            "src/lib.rs",
            "Cargo.toml",
            "crates/a/Cargo.lock",
            "build.rs",
        ] {
            assert!(is_source_file(path), "{path}");
        }
        for path in [
            "rust-toolchain.toml",
            "README.md",
            "src/data.bin",
            "Cargo.toml.orig",
        ] {
            assert!(!is_source_file(path), "{path}");
        }
    }

    #[test]
    fn the_package_is_found_in_metadata_by_name_and_version() {
        let metadata = br#"{"packages":[
            {"name":"a","version":"1.0.0","manifest_path":"/r/a-1.0.0/Cargo.toml"},
            {"name":"a","version":"2.0.0","manifest_path":"/r/a-2.0.0/Cargo.toml"}]}"#;
        assert_eq!(
            package_dir(metadata, "a", "2.0.0"),
            Ok(PathBuf::from("/r/a-2.0.0"))
        );
        assert!(package_dir(metadata, "a", "3.0.0").is_err());
    }

    #[test]
    fn a_mirror_is_named_after_owner_and_repository() {
        let dir = std::env::temp_dir().join(format!("lintcheck-mirror-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("istio+ztunnel/repo")).expect("a temporary directory");
        let fetcher = Fetcher::new(dir.clone(), Some(dir.clone()));
        assert_eq!(
            fetcher.mirror_of("https://github.com/istio/ztunnel.git"),
            Some(dir.join("istio+ztunnel/repo"))
        );
        assert_eq!(fetcher.mirror_of("https://github.com/other/ztunnel"), None);
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
