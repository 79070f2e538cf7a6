//! Cargo mode: crates come from `cargo metadata --no-deps --format-version 1`, selected the way
//! cargo selects packages (`--manifest-path`, `-p`, `--workspace`, `--exclude`, default
//! members).
//!
//! Cargo is asked for metadata only: nothing is built, no build script or proc macro runs.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cargo_metadata::{Metadata, Package, PackageId};

use super::reuse::{self, FreshMetadata};
use super::{CrateSpec, DiscoveryProblem, TargetSpec, Workspace};
use std::time::SystemTime;

/// Which packages to lint, spelled the way cargo's selection flags spell it.
#[derive(Debug, Clone, Default)]
pub struct CargoSelection {
    /// `--manifest-path`: the `Cargo.toml` to start from; relative paths are taken from
    /// [`CargoSelection::current_dir`]. Without it cargo looks upward from the current directory.
    pub manifest_path: Option<PathBuf>,
    /// `-p/--package` specifications: names, `name@version`, `name:version`, package-id specs
    /// (`path+file:///dir#name@0.1.0`) and name globs (`app-*`).
    pub packages: Vec<String>,
    /// `--workspace`: every workspace member (minus [`CargoSelection::exclude`]).
    pub workspace: bool,
    /// `--exclude`: specifications (or globs) of members to leave out; needs `--workspace`.
    pub exclude: Vec<String>,
    /// Directory cargo runs in; empty means the process's current directory.
    pub current_dir: PathBuf,
}

/// Why cargo-mode discovery could not produce a workspace.
#[derive(Debug)]
#[non_exhaustive]
pub enum DiscoverError {
    /// The cargo binary (from `$CARGO`, else `cargo`) does not exist.
    CargoNotFound {
        /// The program that was run.
        program: OsString,
    },
    /// The cargo binary exists but could not be started.
    CargoSpawn {
        /// The program that was run.
        program: OsString,
        /// The error from the operating system.
        source: io::Error,
    },
    /// `cargo metadata` ran and failed.
    CargoFailed {
        /// The program that was run.
        program: OsString,
        /// How it exited (`exit status: 101`).
        status: String,
        /// What cargo wrote on stderr.
        stderr: String,
    },
    /// `cargo metadata` printed something that is not metadata.
    InvalidMetadata {
        /// The program that was run.
        program: OsString,
        /// The parse error.
        source: serde_json::Error,
    },
    /// The directory to run cargo in does not exist.
    NoSuchDirectory {
        /// The directory.
        dir: PathBuf,
    },
    /// `--exclude` given without `--workspace`.
    ExcludeWithoutWorkspace,
    /// A `-p` specification matched no package.
    PackageNotFound {
        /// The specification as given.
        spec: String,
        /// Names of the workspace members, to suggest.
        members: Vec<String>,
    },
}

impl fmt::Display for DiscoverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiscoverError::CargoNotFound { program } => write!(
                f,
                "could not run `{}`: no such program. Install cargo (https://rustup.rs) or point \
                 $CARGO at it, or lint without cargo in path mode: `cargo nslint PATH...`",
                program.to_string_lossy()
            ),
            DiscoverError::CargoSpawn { program, source } => write!(
                f,
                "could not run `{} metadata`: {source}. Check $CARGO, or lint without cargo in \
                 path mode: `cargo nslint PATH...`",
                program.to_string_lossy()
            ),
            DiscoverError::CargoFailed {
                program,
                status,
                stderr,
            } => {
                write!(
                    f,
                    "`{} metadata` failed ({status})",
                    program.to_string_lossy()
                )?;
                let stderr = stderr.trim();
                if stderr.is_empty() {
                    write!(f, " without saying why")?;
                } else {
                    write!(f, ":\n{stderr}")?;
                }
                write!(
                    f,
                    "\nfix the manifest (or --manifest-path), or lint without cargo in path mode: \
                     `cargo nslint PATH...`"
                )
            }
            DiscoverError::InvalidMetadata { program, source } => write!(
                f,
                "`{} metadata` printed something that is not cargo metadata ({source}); check \
                 that $CARGO points at cargo",
                program.to_string_lossy()
            ),
            DiscoverError::NoSuchDirectory { dir } => write!(
                f,
                "cannot run cargo in `{}`: no such directory",
                dir.display()
            ),
            DiscoverError::ExcludeWithoutWorkspace => {
                write!(f, "--exclude can only be used together with --workspace")
            }
            DiscoverError::PackageNotFound { spec, members } => {
                write!(
                    f,
                    "package ID specification `{spec}` did not match any packages"
                )?;
                if !members.is_empty() {
                    write!(f, "; workspace members are: {}", members.join(", "))?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for DiscoverError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DiscoverError::CargoSpawn { source, .. } => Some(source),
            DiscoverError::InvalidMetadata { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Runs `$CARGO metadata --no-deps --format-version 1` and selects packages as cargo would.
///
/// Only cargo metadata is ever run: nothing is built and no build script runs.
pub fn discover_cargo(sel: &CargoSelection) -> Result<Workspace, DiscoverError> {
    discover_cargo_reusing(sel, &[]).map(|(workspace, _)| workspace)
}

/// [`discover_cargo`], reusing cargo's output kept in one of `cache_dirs` while nothing it
/// depends on has changed (see the `reuse` module). When cargo had to run, its output is returned
/// too, for the caller to keep with [`FreshMetadata::store`].
pub fn discover_cargo_reusing(
    sel: &CargoSelection,
    cache_dirs: &[PathBuf],
) -> Result<(Workspace, Option<FreshMetadata>), DiscoverError> {
    if !sel.exclude.is_empty() && !sel.workspace {
        return Err(DiscoverError::ExcludeWithoutWorkspace);
    }
    let kept = reuse::lookup(sel, cache_dirs)
        .and_then(|output| serde_json::from_slice::<Metadata>(&output).ok());
    if let Some(metadata) = kept {
        return Ok((workspace_from_metadata(&metadata, sel)?, None));
    }
    let started = SystemTime::now();
    let output = run_metadata(sel)?;
    let program = cargo_program();
    let metadata = serde_json::from_slice::<Metadata>(&output)
        .map_err(|source| DiscoverError::InvalidMetadata { program, source })?;
    let workspace = workspace_from_metadata(&metadata, sel)?;
    let fresh = FreshMetadata::new(sel, &metadata, output, started);
    Ok((workspace, Some(fresh)))
}

/// The cargo program to run: `$CARGO` when set and not empty, else `cargo`.
fn cargo_program() -> OsString {
    match std::env::var_os("CARGO") {
        Some(p) if !p.is_empty() => p,
        _ => OsString::from("cargo"),
    }
}

/// Runs cargo and returns what it printed.
fn run_metadata(sel: &CargoSelection) -> Result<Vec<u8>, DiscoverError> {
    let program = cargo_program();
    let command = |skip_ca_bundle: bool| {
        let mut cmd = Command::new(&program);
        cmd.args(["metadata", "--no-deps", "--format-version", "1"]);
        if let Some(manifest) = &sel.manifest_path {
            cmd.arg("--manifest-path").arg(manifest);
        }
        if !sel.current_dir.as_os_str().is_empty() {
            cmd.current_dir(&sel.current_dir);
        }
        if skip_ca_bundle {
            // cargo sets up libgit2 when it starts, and libgit2 has OpenSSL parse the
            // system's CA bundle: a third of `cargo metadata --no-deps` on a small workspace,
            // which connects to nothing. An empty bundle skips that work.
            cmd.env("SSL_CERT_FILE", "/dev/null")
                .env("SSL_CERT_DIR", "/dev/null");
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    };
    // Only a cargo binary named by $CARGO (nslint run by cargo) gets the empty bundle: a
    // rustup proxy may download a toolchain first. Should cargo fail even so, it runs again
    // as it would have.
    let direct = std::env::var_os("CARGO").is_some_and(|p| !p.is_empty());
    let output = match command(direct).output() {
        Ok(output) if direct && !output.status.success() => command(false).output(),
        other => other,
    };
    let output = match output {
        Ok(output) => output,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // A missing current directory is reported as NotFound too.
            if !sel.current_dir.as_os_str().is_empty() && !sel.current_dir.is_dir() {
                return Err(DiscoverError::NoSuchDirectory {
                    dir: sel.current_dir.clone(),
                });
            }
            return Err(DiscoverError::CargoNotFound { program });
        }
        Err(source) => return Err(DiscoverError::CargoSpawn { program, source }),
    };
    if !output.status.success() {
        return Err(DiscoverError::CargoFailed {
            program,
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    Ok(output.stdout)
}

/// Turns parsed metadata into the selected crates.
fn workspace_from_metadata(
    metadata: &Metadata,
    sel: &CargoSelection,
) -> Result<Workspace, DiscoverError> {
    let root = metadata.workspace_root.clone().into_std_path_buf();
    let members: Vec<&Package> = metadata
        .packages
        .iter()
        .filter(|p| metadata.workspace_members.contains(&p.id))
        .collect();
    let mut problems = Vec::new();

    let selected: Vec<&Package> = if sel.workspace {
        let mut excluded = BTreeSet::new();
        for spec in &sel.exclude {
            let matched: Vec<&PackageId> = members
                .iter()
                .filter(|p| spec_matches(spec, p))
                .map(|p| &p.id)
                .collect();
            if matched.is_empty() {
                problems.push(DiscoveryProblem {
                    path: root.join("Cargo.toml"),
                    message: format!("excluded package `{spec}` not found in workspace"),
                });
            }
            excluded.extend(matched);
        }
        members
            .iter()
            .copied()
            .filter(|p| !excluded.contains(&p.id))
            .collect()
    } else if !sel.packages.is_empty() {
        let mut chosen = BTreeSet::new();
        for spec in &sel.packages {
            let matched: Vec<&PackageId> = members
                .iter()
                .filter(|p| spec_matches(spec, p))
                .map(|p| &p.id)
                .collect();
            if matched.is_empty() {
                let mut names: Vec<String> = members.iter().map(|p| p.name.to_string()).collect();
                names.sort();
                return Err(DiscoverError::PackageNotFound {
                    spec: spec.clone(),
                    members: names,
                });
            }
            chosen.extend(matched);
        }
        members
            .iter()
            .copied()
            .filter(|p| chosen.contains(&p.id))
            .collect()
    } else {
        default_selection(metadata, &members, sel)
    };

    let mut crates: Vec<CrateSpec> = selected.iter().map(|p| crate_spec(p, &members)).collect();
    crates.sort_by(|a, b| {
        (&a.manifest_path, &a.name, &a.package_id).cmp(&(&b.manifest_path, &b.name, &b.package_id))
    });
    Ok(Workspace {
        root,
        crates,
        loose_files: Vec::new(),
        problems,
    })
}

/// Cargo's default selection with neither `-p` nor `--workspace`.
///
/// Cargo ≥ 1.71 reports it as `workspace_default_members`, computed from the manifest it
/// started from (the package in the current directory, or the workspace's default members).
/// Older cargos don't: then the package whose manifest is the nearest `Cargo.toml` (from
/// `--manifest-path` or upward from the current directory) is chosen, else all members.
fn default_selection<'a>(
    metadata: &Metadata,
    members: &[&'a Package],
    sel: &CargoSelection,
) -> Vec<&'a Package> {
    if metadata.workspace_default_members.is_available() {
        let defaults: &[PackageId] = &metadata.workspace_default_members;
        return members
            .iter()
            .copied()
            .filter(|p| defaults.contains(&p.id))
            .collect();
    }
    if let Some(manifest) = starting_manifest(sel) {
        if let Some(pkg) = members
            .iter()
            .copied()
            .find(|p| same_path(p.manifest_path.as_std_path(), &manifest))
        {
            return vec![pkg];
        }
    }
    members.to_vec()
}

/// The manifest cargo starts from: `--manifest-path`, or the nearest `Cargo.toml` upward from
/// the current directory.
fn starting_manifest(sel: &CargoSelection) -> Option<PathBuf> {
    let cwd = if sel.current_dir.as_os_str().is_empty() {
        std::env::current_dir().ok()?
    } else {
        std::path::absolute(&sel.current_dir).ok()?
    };
    if let Some(manifest) = &sel.manifest_path {
        return Some(cwd.join(manifest));
    }
    cwd.ancestors()
        .map(|dir| dir.join("Cargo.toml"))
        .find(|candidate| candidate.is_file())
}

fn same_path(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Builds the crate description of one package.
fn crate_spec(pkg: &Package, members: &[&Package]) -> CrateSpec {
    let mut workspace_deps = BTreeSet::new();
    for dep in &pkg.dependencies {
        if dep.source.is_some() {
            continue; // a registry or git dependency is never a workspace member
        }
        let Some(member) = members.iter().find(|m| {
            m.name.as_str() == dep.name
                && dep.path.as_ref().is_none_or(|dir| {
                    m.manifest_path
                        .parent()
                        .is_some_and(|mdir| same_path(mdir.as_std_path(), dir.as_std_path()))
                })
        }) else {
            continue;
        };
        let spelled = match &dep.rename {
            Some(rename) => rename.replace('-', "_"),
            None => member_lib_name(member),
        };
        workspace_deps.insert(spelled);
    }

    let mut targets: Vec<TargetSpec> = pkg
        .targets
        .iter()
        .map(|t| TargetSpec {
            name: t.name.clone(),
            kind: t.kind.iter().map(|k| k.to_string()).collect(),
            crate_types: t.crate_types.iter().map(|c| c.to_string()).collect(),
            src_path: t.src_path.clone().into_std_path_buf(),
            edition: t.edition.as_str().to_owned(),
        })
        .collect();
    targets.sort_by(|a, b| {
        (kind_rank(&a.kind), &a.name, &a.src_path).cmp(&(kind_rank(&b.kind), &b.name, &b.src_path))
    });

    CrateSpec {
        name: pkg.name.to_string(),
        package_id: pkg.id.repr.clone(),
        version: pkg.version.to_string(),
        manifest_path: pkg.manifest_path.clone().into_std_path_buf(),
        workspace_deps: workspace_deps.into_iter().collect(),
        targets,
    }
}

/// The name code uses for a member's library: its lib target's name, else the package name.
fn member_lib_name(pkg: &Package) -> String {
    pkg.targets
        .iter()
        .find(|t| t.is_lib() || t.is_proc_macro() || t.kind.iter().any(is_lib_kind))
        .map(|t| t.name.replace('-', "_"))
        .unwrap_or_else(|| pkg.name.replace('-', "_"))
}

fn is_lib_kind(kind: &cargo_metadata::TargetKind) -> bool {
    use cargo_metadata::TargetKind as K;
    matches!(
        kind,
        K::Lib | K::RLib | K::DyLib | K::CDyLib | K::StaticLib | K::ProcMacro
    )
}

/// Sort order of targets: libraries, binaries, examples, tests, benches, build scripts.
pub(crate) fn kind_rank(kind: &[String]) -> u8 {
    let first = kind.first().map(String::as_str).unwrap_or("");
    match first {
        "lib" | "rlib" | "dylib" | "cdylib" | "staticlib" | "proc-macro" => 0,
        "bin" => 1,
        "example" => 2,
        "test" => 3,
        "bench" => 4,
        "custom-build" => 5,
        _ => 6,
    }
}

/// A parsed package-id specification (`name`, `name@1.2`, `path+file:///dir#name@0.1.0`).
#[derive(Debug, PartialEq, Eq)]
struct PkgIdSpec {
    name: String,
    version: Option<String>,
    /// Source kind (`path`, `git`, `registry`) when the spec names one.
    kind: Option<String>,
    /// Source URL without its kind prefix.
    url: Option<String>,
}

impl PkgIdSpec {
    fn parse(spec: &str) -> PkgIdSpec {
        if let Some((kind, url, fragment)) = split_url(spec) {
            let last_segment = url
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_owned();
            let (name, version) = match fragment {
                None => (last_segment, None),
                Some(frag) => {
                    if let Some((n, v)) = frag.split_once('@') {
                        (n.to_owned(), Some(v.to_owned()))
                    } else if let Some((n, v)) = frag.split_once(':') {
                        (n.to_owned(), Some(v.to_owned()))
                    } else if frag.starts_with(|c: char| c.is_ascii_digit()) {
                        (last_segment, Some(frag.to_owned()))
                    } else {
                        (frag.to_owned(), None)
                    }
                }
            };
            return PkgIdSpec {
                name,
                version,
                kind,
                url: Some(url),
            };
        }
        let (name, version) = match spec.split_once('@').or_else(|| spec.split_once(':')) {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (spec.to_owned(), None),
        };
        PkgIdSpec {
            name,
            version,
            kind: None,
            url: None,
        }
    }
}

/// Splits `kind+scheme://rest#fragment` into (kind, `scheme://rest`, fragment).
fn split_url(spec: &str) -> Option<(Option<String>, String, Option<String>)> {
    let scheme_end = spec.find("://")?;
    let (url_part, fragment) = match spec.split_once('#') {
        Some((u, f)) => (u, Some(f.to_owned())),
        None => (spec, None),
    };
    let scheme = &spec[..scheme_end];
    let (kind, url) = match scheme.split_once('+') {
        Some((kind, _)) => (Some(kind.to_owned()), url_part[kind.len() + 1..].to_owned()),
        None => (None, url_part.to_owned()),
    };
    Some((kind, url, fragment))
}

/// Source kind and URL of a package from its id repr, in either the current
/// (`path+file:///dir#name@1.0.0`) or the old (`name 1.0.0 (path+file:///dir)`) format.
fn package_source(id: &PackageId) -> Option<(Option<String>, String)> {
    let repr = id.repr.as_str();
    if let Some(open) = repr.find(" (") {
        let inner = repr[open + 2..].trim_end_matches(')');
        let (kind, url, _) = split_url(inner)?;
        return Some((kind, url));
    }
    let (kind, url, _) = split_url(repr)?;
    Some((kind, url))
}

/// Whether a `-p`/`--exclude` specification selects this package.
fn spec_matches(spec: &str, pkg: &Package) -> bool {
    let spec = spec.trim();
    if spec == pkg.id.repr {
        return true;
    }
    if is_glob(spec) {
        return glob_match(spec, pkg.name.as_str());
    }
    let parsed = PkgIdSpec::parse(spec);
    if parsed.name != pkg.name.as_str() {
        return false;
    }
    if let Some(v) = &parsed.version {
        if !version_matches(v, &pkg.version) {
            return false;
        }
    }
    if let Some(url) = &parsed.url {
        let Some((kind, pkg_url)) = package_source(&pkg.id) else {
            return false;
        };
        if normalize_url(url) != normalize_url(&pkg_url) {
            return false;
        }
        if let (Some(want), Some(have)) = (&parsed.kind, &kind) {
            if want != have {
                return false;
            }
        }
    }
    true
}

fn is_glob(spec: &str) -> bool {
    !spec.contains("://") && spec.contains(['*', '?'])
}

/// Matches `*` (any run of characters) and `?` (one character); everything else is literal.
fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Partial version match as in package-id specs: `1` matches `1.x.y`, `1.2` matches `1.2.y`.
fn version_matches(spec: &str, version: &cargo_metadata::semver::Version) -> bool {
    let (core, pre) = match spec.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (spec, None),
    };
    let core = core.split('+').next().unwrap_or(core);
    let want = [version.major, version.minor, version.patch];
    for (i, part) in core.split('.').enumerate() {
        let Ok(n) = part.parse::<u64>() else {
            return false;
        };
        if i >= 3 || want[i] != n {
            return false;
        }
    }
    match pre {
        Some(pre) => version.pre.as_str() == pre.split('+').next().unwrap_or(pre),
        None => true,
    }
}

/// Compares URLs loosely: no trailing slash, percent escapes decoded.
fn normalize_url(url: &str) -> String {
    percent_decode(url.trim_end_matches('/'))
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(hi * 16 + lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        let s = PkgIdSpec::parse("path+file:///a/b#name@0.1.0");
        assert_eq!(s.name, "name");
        assert_eq!(s.version.as_deref(), Some("0.1.0"));
        assert_eq!(s.kind.as_deref(), Some("path"));
        assert_eq!(s.url.as_deref(), Some("file:///a/b"));
        let s = PkgIdSpec::parse("file:///a/b#0.1.0");
        assert_eq!(
            (s.name.as_str(), s.version.as_deref()),
            ("b", Some("0.1.0"))
        );
        let s = PkgIdSpec::parse("foo:1.2");
        assert_eq!(
            (s.name.as_str(), s.version.as_deref()),
            ("foo", Some("1.2"))
        );
        let s = PkgIdSpec::parse("file:///a/b");
        assert_eq!((s.name.as_str(), s.version.as_deref()), ("b", None));
    }

    #[test]
    fn globs() {
        assert!(glob_match("app-*", "app-core"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match("*core*", "my-core-lib"));
        assert!(!glob_match("app-*", "lib-app"));
    }

    #[test]
    fn versions() {
        let v = cargo_metadata::semver::Version::new(1, 2, 3);
        assert!(version_matches("1", &v));
        assert!(version_matches("1.2", &v));
        assert!(version_matches("1.2.3", &v));
        assert!(!version_matches("1.3", &v));
        assert!(!version_matches("x", &v));
    }

    #[test]
    fn decodes_urls() {
        assert_eq!(normalize_url("file:///a%20b/"), "file:///a b");
        assert_eq!(normalize_url("file:///a%2"), "file:///a%2");
    }
}
