//! Path mode: crates and loose files found on the file system, without cargo.
//!
//! Directories are walked honouring `.gitignore` (inside a git repository or not), skipping
//! hidden directories and every directory named `target`. Each `Cargo.toml` with a `[package]`
//! becomes a crate whose targets are found the way cargo finds them; `.rs` files that belong to
//! no package found are loose files, linted alone.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use ignore::WalkBuilder;
use toml::{Table, Value};

use super::cargo::kind_rank;
use super::{CrateSpec, DiscoveryProblem, TargetSpec, Workspace};

/// Discovers crates and loose `.rs` files under `paths`, without running cargo.
///
/// Directories are walked; a `.rs` file given explicitly is always a loose file (even inside a
/// package: the user asked for that file); a `Cargo.toml` given explicitly is that package.
/// Problems (a missing path, an unreadable directory, a manifest that does not parse, a
/// symbolic-link loop) are collected in [`Workspace::problems`] and never stop discovery.
pub fn discover_paths(paths: &[PathBuf]) -> Workspace {
    let cwd = std::env::current_dir().ok();
    let mut found = Found::default();
    let mut bases = Vec::new();

    for arg in paths {
        let abs = absolutize(arg, cwd.as_deref());
        match fs::metadata(&abs) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                found.problem(&abs, format!("path `{}` does not exist", arg.display()))
            }
            Err(e) => found.problem(&abs, format!("cannot read `{}`: {e}", arg.display())),
            Ok(meta) if meta.is_dir() => {
                walk(&abs, &mut found);
                bases.push(abs);
            }
            Ok(_) => {
                if let Some(parent) = abs.parent() {
                    bases.push(parent.to_path_buf());
                }
                if abs.file_name() == Some(OsStr::new("Cargo.toml")) {
                    found.manifests.insert(abs);
                } else if abs.extension() == Some(OsStr::new("rs")) {
                    found.explicit_files.insert(abs);
                } else {
                    found.problem(
                        &abs,
                        format!(
                            "`{}` is not a directory, a `.rs` file or a `Cargo.toml`; skipped",
                            arg.display()
                        ),
                    );
                }
            }
        }
    }

    let root = common_ancestor(&bases)
        .or_else(|| cwd.clone())
        .unwrap_or_default();
    found.into_workspace(root)
}

/// What the walk found, before manifests are read.
#[derive(Default)]
struct Found {
    manifests: BTreeSet<PathBuf>,
    walked_files: BTreeSet<PathBuf>,
    explicit_files: BTreeSet<PathBuf>,
    problems: Vec<DiscoveryProblem>,
}

impl Found {
    fn problem(&mut self, path: &Path, message: String) {
        self.problems.push(DiscoveryProblem {
            path: path.to_path_buf(),
            message,
        });
    }

    fn into_workspace(mut self, root: PathBuf) -> Workspace {
        let mut manifests = ManifestCache::default();
        // Directories of every package found, duplicates (through symlinks) included: they own
        // their subtree. Directories whose Cargo.toml is broken make their files loose.
        let mut package_dirs: HashSet<PathBuf> = HashSet::new();
        let mut broken_dirs: HashSet<PathBuf> = HashSet::new();
        let mut packages: Vec<(PathBuf, PathPackage)> = Vec::new();

        let manifest_paths: Vec<PathBuf> = self.manifests.iter().cloned().collect();
        for manifest in manifest_paths {
            let Some(dir) = manifest.parent().map(Path::to_path_buf) else {
                continue;
            };
            let table = match manifests.load(&manifest) {
                Ok(table) => table,
                Err(message) => {
                    self.problem(&manifest, message);
                    broken_dirs.insert(dir);
                    continue;
                }
            };
            let Some(package) = table.get("package") else {
                continue; // a virtual manifest: owns no files
            };
            match read_package(&manifest, &table, package, &mut manifests) {
                Ok(pkg) => {
                    package_dirs.insert(dir.clone());
                    packages.push((dir, pkg));
                }
                Err(message) => {
                    self.problem(&manifest, message);
                    broken_dirs.insert(dir);
                }
            }
        }

        // Targets, then dependencies between the packages found.
        let mut crates = Vec::new();
        let mut lib_names: HashMap<PathBuf, String> = HashMap::new();
        let mut built = Vec::new();
        for pkg in dedup_by_canonical(packages) {
            let targets = package_targets(&pkg, &mut self.problems);
            let spec = CrateSpec {
                name: pkg.name.clone(),
                package_id: format!(
                    "path+file://{}#{}@{}",
                    pkg.dir.display(),
                    pkg.name,
                    pkg.version
                ),
                version: pkg.version.clone(),
                manifest_path: pkg.manifest.clone(),
                workspace_deps: Vec::new(),
                targets,
            };
            let lib_name = spec.lib_name();
            lib_names.insert(pkg.dir.clone(), lib_name.clone());
            if let Ok(canonical) = fs::canonicalize(&pkg.dir) {
                lib_names.insert(canonical, lib_name);
            }
            built.push((pkg, spec));
        }
        for (pkg, mut spec) in built {
            spec.workspace_deps = path_deps(&pkg, &lib_names, &mut manifests);
            crates.push(spec);
        }
        crates.sort_by(|a, b| (&a.manifest_path, &a.name).cmp(&(&b.manifest_path, &b.name)));

        // Loose files: given explicitly, or walked and owned by no package.
        let walked = std::mem::take(&mut self.walked_files);
        let candidates: BTreeSet<PathBuf> = walked
            .into_iter()
            .filter(|file| !is_owned(file, &package_dirs, &broken_dirs))
            .chain(self.explicit_files.iter().cloned())
            .collect();
        let loose = dedup_by_canonical(candidates.into_iter().map(|f| (f.clone(), f)).collect());

        let mut problems = self.problems;
        problems.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
        problems.dedup();

        Workspace {
            root,
            crates,
            loose_files: loose,
            problems,
        }
    }
}

/// Keeps one item per canonical path (the same file reached through symbolic links), preferring
/// the one reached without links, else the first; the result is sorted by path.
fn dedup_by_canonical<T>(items: Vec<(PathBuf, T)>) -> Vec<T> {
    let mut chosen: BTreeMap<PathBuf, (PathBuf, T)> = BTreeMap::new();
    for (path, item) in items {
        let canonical = fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        match chosen.get(&canonical) {
            Some((kept, _)) if *kept == canonical || path != canonical => {}
            _ => {
                chosen.insert(canonical, (path, item));
            }
        }
    }
    let mut kept: Vec<(PathBuf, T)> = chosen.into_values().collect();
    kept.sort_by(|a, b| a.0.cmp(&b.0));
    kept.into_iter().map(|(_, item)| item).collect()
}

/// Whether the nearest package directory above `file` is a (valid) package.
fn is_owned(file: &Path, packages: &HashSet<PathBuf>, broken: &HashSet<PathBuf>) -> bool {
    for dir in file.ancestors().skip(1) {
        if broken.contains(dir) {
            return false;
        }
        if packages.contains(dir) {
            return true;
        }
    }
    false
}

/// Walks one directory, collecting `Cargo.toml` and `.rs` files.
fn walk(dir: &Path, found: &mut Found) {
    let mut builder = WalkBuilder::new(dir);
    builder
        .standard_filters(true)
        .require_git(false)
        .follow_links(true)
        .filter_entry(|entry| {
            !(entry.depth() > 0
                && entry.file_type().is_some_and(|t| t.is_dir())
                && entry.file_name() == OsStr::new("target"))
        });
    for entry in builder.build() {
        match entry {
            Ok(entry) => {
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    continue;
                }
                let path = normalize(entry.path());
                if entry.file_name() == OsStr::new("Cargo.toml") {
                    found.manifests.insert(path);
                } else if path.extension() == Some(OsStr::new("rs")) {
                    found.walked_files.insert(path);
                }
            }
            Err(err) => {
                let (path, message) = describe_walk_error(&err);
                found.problem(&path.unwrap_or_else(|| dir.to_path_buf()), message);
            }
        }
    }
}

/// The path and a user-facing message of a walk error.
fn describe_walk_error(err: &ignore::Error) -> (Option<PathBuf>, String) {
    match err {
        ignore::Error::WithPath { path, err } => {
            let (inner, message) = describe_walk_error(err);
            (inner.or_else(|| Some(path.clone())), message)
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            describe_walk_error(err)
        }
        ignore::Error::Loop { ancestor, child } => (
            Some(child.clone()),
            format!(
                "symbolic link loop: `{}` points back to `{}`; not followed",
                child.display(),
                ancestor.display()
            ),
        ),
        ignore::Error::Io(e) if e.kind() == io::ErrorKind::NotFound => (
            None,
            "dangling symbolic link (or a file removed during the walk): its target does not \
             exist; skipped"
                .to_owned(),
        ),
        ignore::Error::Io(e) => (None, format!("cannot read: {e}; skipped")),
        ignore::Error::Partial(errs) => match errs.first() {
            Some(first) => describe_walk_error(first),
            None => (None, err.to_string()),
        },
        other => (None, other.to_string()),
    }
}

/// Reads and parses manifests once each.
#[derive(Default)]
struct ManifestCache {
    tables: HashMap<PathBuf, Result<Table, String>>,
}

impl ManifestCache {
    fn load(&mut self, manifest: &Path) -> Result<Table, String> {
        self.tables
            .entry(manifest.to_path_buf())
            .or_insert_with(|| {
                let text = fs::read_to_string(manifest)
                    .map_err(|e| format!("cannot read `{}`: {e}", manifest.display()))?;
                text.parse::<Table>().map_err(|e| {
                    format!(
                        "`{}` does not parse, so its package is not linted (its `.rs` files are \
                         linted as loose files): {}",
                        manifest.display(),
                        e.to_string().trim_end()
                    )
                })
            })
            .clone()
    }

    /// The workspace root manifest for a package: `package.workspace` if given, else the
    /// nearest `Cargo.toml` with a `[workspace]` table upward from the package directory.
    fn workspace_of(&mut self, dir: &Path, package: &Table) -> Option<Table> {
        if let Some(rel) = package.get("workspace").and_then(Value::as_str) {
            let manifest = normalize(&dir.join(rel).join("Cargo.toml"));
            return self
                .load(&manifest)
                .ok()
                .filter(|t| t.contains_key("workspace"));
        }
        for ancestor in dir.ancestors() {
            let manifest = ancestor.join("Cargo.toml");
            if !manifest.is_file() {
                continue;
            }
            if let Ok(table) = self.load(&manifest) {
                if table.contains_key("workspace") {
                    return Some(table);
                }
            }
        }
        None
    }

    /// Directory of the workspace root manifest for a package (see [`Self::workspace_of`]).
    fn workspace_dir_of(&mut self, dir: &Path, package: &Table) -> Option<PathBuf> {
        if let Some(rel) = package.get("workspace").and_then(Value::as_str) {
            return Some(normalize(&dir.join(rel)));
        }
        for ancestor in dir.ancestors() {
            let manifest = ancestor.join("Cargo.toml");
            if manifest.is_file()
                && self
                    .load(&manifest)
                    .is_ok_and(|t| t.contains_key("workspace"))
            {
                return Some(ancestor.to_path_buf());
            }
        }
        None
    }
}

/// A package found in path mode.
struct PathPackage {
    manifest: PathBuf,
    dir: PathBuf,
    name: String,
    version: String,
    edition: String,
    table: Table,
    package: Table,
}

fn read_package(
    manifest: &Path,
    table: &Table,
    package: &Value,
    cache: &mut ManifestCache,
) -> Result<PathPackage, String> {
    let dir = manifest.parent().map(Path::to_path_buf).unwrap_or_default();
    let Some(package) = package.as_table() else {
        return Err(format!(
            "`{}`: `package` is not a table; its `.rs` files are linted as loose files",
            manifest.display()
        ));
    };
    let Some(name) = package.get("name").and_then(Value::as_str) else {
        return Err(format!(
            "`{}`: `package.name` is missing; its `.rs` files are linted as loose files",
            manifest.display()
        ));
    };
    let version = match package.get("version") {
        Some(Value::String(v)) => v.clone(),
        Some(Value::Table(t)) if inherits(t) => {
            inherited(cache, &dir, package, "version").unwrap_or_else(|| "0.0.0".to_owned())
        }
        _ => "0.0.0".to_owned(),
    };
    let edition = match package.get("edition") {
        Some(Value::String(e)) => e.clone(),
        Some(Value::Table(t)) if inherits(t) => {
            inherited(cache, &dir, package, "edition").unwrap_or_else(|| "2021".to_owned())
        }
        Some(_) => "2021".to_owned(),
        None => "2015".to_owned(),
    };
    Ok(PathPackage {
        manifest: manifest.to_path_buf(),
        dir,
        name: name.to_owned(),
        version,
        edition,
        table: table.clone(),
        package: package.clone(),
    })
}

/// `{ workspace = true }`
fn inherits(t: &Table) -> bool {
    t.get("workspace").and_then(Value::as_bool) == Some(true)
}

/// A string from the workspace's `[workspace.package]`.
fn inherited(cache: &mut ManifestCache, dir: &Path, package: &Table, key: &str) -> Option<String> {
    let ws = cache.workspace_of(dir, package)?;
    ws.get("workspace")?
        .get("package")?
        .get(key)?
        .as_str()
        .map(str::to_owned)
}

/// The package's targets, found as cargo finds them.
fn package_targets(pkg: &PathPackage, problems: &mut Vec<DiscoveryProblem>) -> Vec<TargetSpec> {
    let mut targets = Vec::new();
    let dir = &pkg.dir;
    let mut problem = |path: &Path, message: String| {
        problems.push(DiscoveryProblem {
            path: path.to_path_buf(),
            message,
        })
    };

    // Library.
    let lib = pkg.table.get("lib").and_then(Value::as_table);
    let autolib = pkg.package.get("autolib").and_then(Value::as_bool) != Some(false);
    let lib_path = match lib.and_then(|l| l.get("path")).and_then(Value::as_str) {
        Some(p) => Some(normalize(&dir.join(p))),
        None => {
            let default = dir.join("src").join("lib.rs");
            (default.is_file() && (autolib || lib.is_some())).then_some(default)
        }
    };
    match lib_path {
        Some(path) if path.is_file() => {
            let lib = lib.cloned().unwrap_or_default();
            let proc_macro = ["proc-macro", "proc_macro"]
                .iter()
                .any(|k| lib.get(*k).and_then(Value::as_bool) == Some(true));
            let crate_types = if proc_macro {
                vec!["proc-macro".to_owned()]
            } else {
                string_list(&lib, &["crate-type", "crate_type"])
                    .unwrap_or_else(|| vec!["lib".to_owned()])
            };
            targets.push(TargetSpec {
                name: lib
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(|| pkg.name.replace('-', "_")),
                kind: crate_types.clone(),
                crate_types,
                src_path: path,
                edition: target_edition(&lib, &pkg.edition),
            });
        }
        Some(path) => problem(
            &pkg.manifest,
            format!(
                "library of package `{}` not found at `{}`",
                pkg.name,
                path.display()
            ),
        ),
        None if lib.is_some() => problem(
            &pkg.manifest,
            format!(
                "package `{}` declares [lib] but `src/lib.rs` does not exist; give it a `path`",
                pkg.name
            ),
        ),
        None => {}
    }

    // Binaries, examples, tests, benches.
    let kinds = [
        ("bin", "autobins", "src/bin", "bin"),
        ("example", "autoexamples", "examples", "example"),
        ("test", "autotests", "tests", "test"),
        ("bench", "autobenches", "benches", "bench"),
    ];
    for (section, auto_key, subdir, kind) in kinds {
        let mut inferred = infer_dir(&dir.join(subdir), &mut problem);
        if kind == "bin" {
            let main = dir.join("src").join("main.rs");
            if main.is_file() {
                inferred.insert(0, (pkg.name.clone(), main));
            }
        }
        let explicit: Vec<&Table> = pkg
            .table
            .get(section)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_table).collect())
            .unwrap_or_default();
        let auto = pkg.package.get(auto_key).and_then(Value::as_bool);

        let mut names = HashSet::new();
        let mut paths = HashSet::new();
        for entry in &explicit {
            let Some(name) = entry.get("name").and_then(Value::as_str) else {
                problem(
                    &pkg.manifest,
                    format!(
                        "a [[{section}]] of package `{}` has no `name`; skipped",
                        pkg.name
                    ),
                );
                continue;
            };
            let path = match entry.get("path").and_then(Value::as_str) {
                Some(p) => Some(normalize(&dir.join(p))),
                None => inferred
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, p)| p.clone())
                    .or_else(|| {
                        let sub = dir.join(subdir);
                        [
                            sub.join(format!("{name}.rs")),
                            sub.join(name).join("main.rs"),
                        ]
                        .into_iter()
                        .find(|p| p.is_file())
                    }),
            };
            let Some(path) = path.filter(|p| p.is_file()) else {
                problem(
                    &pkg.manifest,
                    format!(
                        "cannot find the source of {kind} target `{name}` of package `{}`; give \
                         it a `path`",
                        pkg.name
                    ),
                );
                continue;
            };
            names.insert(name.to_owned());
            paths.insert(path.clone());
            targets.push(TargetSpec {
                name: name.to_owned(),
                kind: vec![kind.to_owned()],
                crate_types: if kind == "example" {
                    string_list(entry, &["crate-type", "crate_type"])
                        .unwrap_or_else(|| vec!["bin".to_owned()])
                } else {
                    vec!["bin".to_owned()]
                },
                src_path: path,
                edition: target_edition(entry, &pkg.edition),
            });
        }
        // Cargo infers targets unless `auto* = false`; in edition 2015 an explicit section
        // without `auto* = true` turns inference off too.
        let infer = auto.unwrap_or(explicit.is_empty() || pkg.edition != "2015");
        if infer {
            for (name, path) in inferred {
                if names.contains(&name) || paths.contains(&path) {
                    continue;
                }
                names.insert(name.clone());
                paths.insert(path.clone());
                targets.push(TargetSpec {
                    name,
                    kind: vec![kind.to_owned()],
                    crate_types: vec!["bin".to_owned()],
                    src_path: path,
                    edition: pkg.edition.clone(),
                });
            }
        }
    }

    // Build script.
    let build = match pkg.package.get("build") {
        Some(Value::String(p)) => Some((normalize(&dir.join(p)), true)),
        Some(Value::Boolean(true)) => Some((dir.join("build.rs"), true)),
        Some(Value::Boolean(false)) => None,
        _ => Some((dir.join("build.rs"), false)),
    };
    if let Some((path, explicit)) = build {
        if path.is_file() {
            targets.push(TargetSpec {
                name: "build-script-build".to_owned(),
                kind: vec!["custom-build".to_owned()],
                crate_types: vec!["bin".to_owned()],
                src_path: path,
                edition: pkg.edition.clone(),
            });
        } else if explicit {
            problem(
                &pkg.manifest,
                format!(
                    "build script of package `{}` not found at `{}`",
                    pkg.name,
                    path.display()
                ),
            );
        }
    }

    targets.sort_by(|a, b| {
        (kind_rank(&a.kind), &a.name, &a.src_path).cmp(&(kind_rank(&b.kind), &b.name, &b.src_path))
    });
    targets
}

/// Target roots in a directory as cargo infers them: `<dir>/*.rs` and `<dir>/*/main.rs`,
/// named after the file stem or the subdirectory, sorted by name.
fn infer_dir(dir: &Path, problem: &mut impl FnMut(&Path, String)) -> Vec<(String, PathBuf)> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e)
            if e.kind() == io::ErrorKind::NotFound || e.kind() == io::ErrorKind::NotADirectory =>
        {
            return Vec::new();
        }
        Err(e) => {
            problem(dir, format!("cannot read directory: {e}"));
            return Vec::new();
        }
    };
    let mut found = BTreeMap::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(file_name) = path.file_name().and_then(OsStr::to_str) else {
            continue;
        };
        if file_name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            let main = path.join("main.rs");
            if main.is_file() {
                found.entry(file_name.to_owned()).or_insert(main);
            }
        } else if path.extension() == Some(OsStr::new("rs")) {
            if let Some(stem) = path.file_stem().and_then(OsStr::to_str) {
                found.entry(stem.to_owned()).or_insert(path.clone());
            }
        }
    }
    found.into_iter().collect()
}

fn target_edition(target: &Table, package_edition: &str) -> String {
    target
        .get("edition")
        .and_then(Value::as_str)
        .unwrap_or(package_edition)
        .to_owned()
}

/// The first of `keys` that holds an array of strings.
fn string_list(table: &Table, keys: &[&str]) -> Option<Vec<String>> {
    keys.iter().find_map(|k| {
        table.get(*k).and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
    })
}

/// Path dependencies of `pkg` on other packages found, as code spells them.
fn path_deps(
    pkg: &PathPackage,
    lib_names: &HashMap<PathBuf, String>,
    cache: &mut ManifestCache,
) -> Vec<String> {
    let sections = [
        "dependencies",
        "dev-dependencies",
        "dev_dependencies",
        "build-dependencies",
        "build_dependencies",
    ];
    let mut tables: Vec<&Table> = sections
        .iter()
        .filter_map(|s| pkg.table.get(*s).and_then(Value::as_table))
        .collect();
    if let Some(platforms) = pkg.table.get("target").and_then(Value::as_table) {
        for platform in platforms.values().filter_map(Value::as_table) {
            tables.extend(
                sections
                    .iter()
                    .filter_map(|s| platform.get(*s).and_then(Value::as_table)),
            );
        }
    }

    let mut deps = BTreeSet::new();
    for table in tables {
        for (key, value) in table {
            let Some(spec) = value.as_table() else {
                continue; // `name = "1.0"`: a registry dependency
            };
            let renamed = spec.contains_key("package");
            let (path, renamed) = if inherits(spec) {
                let Some(ws_dir) = cache.workspace_dir_of(&pkg.dir, &pkg.package) else {
                    continue;
                };
                let ws_manifest = ws_dir.join("Cargo.toml");
                let Ok(ws) = cache.load(&ws_manifest) else {
                    continue;
                };
                let Some(ws_spec) = ws
                    .get("workspace")
                    .and_then(|w| w.get("dependencies"))
                    .and_then(|d| d.get(key))
                    .and_then(Value::as_table)
                else {
                    continue;
                };
                let Some(p) = ws_spec.get("path").and_then(Value::as_str) else {
                    continue;
                };
                (
                    normalize(&ws_dir.join(p)),
                    renamed || ws_spec.contains_key("package"),
                )
            } else {
                let Some(p) = spec.get("path").and_then(Value::as_str) else {
                    continue;
                };
                (normalize(&pkg.dir.join(p)), renamed)
            };
            let lib_name = lib_names.get(&path).or_else(|| {
                fs::canonicalize(&path)
                    .ok()
                    .and_then(|canonical| lib_names.get(&canonical))
            });
            if let Some(lib_name) = lib_name {
                deps.insert(if renamed {
                    key.replace('-', "_")
                } else {
                    lib_name.clone()
                });
            }
        }
    }
    deps.into_iter().collect()
}

/// Makes a path absolute (against `cwd`) and removes `.` and `..` components lexically.
fn absolutize(path: &Path, cwd: Option<&Path>) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        match cwd {
            Some(cwd) => cwd.join(path),
            None => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
        }
    };
    normalize(&abs)
}

/// Removes `.` and `..` components lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(component),
            },
            other => out.push(other),
        }
    }
    out
}

/// The deepest directory containing every path in `dirs`.
fn common_ancestor(dirs: &[PathBuf]) -> Option<PathBuf> {
    let (first, rest) = dirs.split_first()?;
    let mut common = first.clone();
    for dir in rest {
        while !dir.starts_with(&common) {
            if !common.pop() {
                return None;
            }
        }
    }
    Some(common)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(normalize(Path::new("/..")), PathBuf::from("/"));
    }

    #[test]
    fn common() {
        let dirs = [PathBuf::from("/a/b/c"), PathBuf::from("/a/b/d/e")];
        assert_eq!(common_ancestor(&dirs), Some(PathBuf::from("/a/b")));
        assert_eq!(common_ancestor(&[]), None);
    }
}
