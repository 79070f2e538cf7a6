//! Configuration: lint levels, strict mode, excluded paths and extra catalogue entries.
//!
//! Sources, from lowest to highest precedence (later sources override earlier ones, and a lint
//! set to `forbid` anywhere cannot be lowered by a later source):
//!
//! 1. the defaults of the lint registry and the built-in catalogue;
//! 2. `[workspace.metadata.nslint]` in the workspace root's `Cargo.toml`;
//! 3. `nslint.toml` at the workspace root;
//! 4. `[package.metadata.nslint]` in a package's `Cargo.toml`, for that package's files;
//! 5. the command line: `-A/-W/-D/-F` in the order given, and `--strict`.
//!
//! Catalogue entries and `exclude` patterns from every source add up; `exclude` patterns are
//! gitignore-style and relative to the directory of the file that declares them. Unknown keys
//! and bad values are errors that name the file and the key.

mod exclude;
mod levels;
mod table;

pub use exclude::Exclude;
pub use levels::LintLevels;
pub use table::{Settings, parse_settings};

use crate::catalog::Catalog;
use crate::discover::Workspace;
use crate::registry::Level;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The name of the optional configuration file at the workspace root.
pub const CONFIG_FILE: &str = "nslint.toml";

/// A configuration error: which file, which key, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file the key was read from.
    pub file: PathBuf,
    /// The full key (`workspace.metadata.nslint.lints.raw_namespace_switch`).
    pub key: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}: key `{}`: {}",
                self.file.display(),
                self.key,
                self.message
            )
        }
    }
}

impl std::error::Error for ConfigError {}

/// What the command line contributes to the configuration.
#[derive(Debug, Clone, Default)]
pub struct CommandLine {
    /// `-A/-W/-D/-F` settings in the order given.
    pub levels: Vec<(Level, String)>,
    /// `--strict`.
    pub strict: bool,
}

/// The configuration of one run.
#[derive(Debug, Clone, Default)]
pub struct Config {
    levels: LintLevels,
    package_levels: BTreeMap<usize, LintLevels>,
    strict: bool,
    package_strict: BTreeMap<usize, bool>,
    /// Catalogue entries added by configuration.
    pub catalog: Catalog,
    /// Paths whose findings are not reported.
    pub exclude: Exclude,
    /// The configuration files that were read, in precedence order.
    pub files: Vec<PathBuf>,
}

impl Config {
    /// A configuration made of command-line settings only.
    pub fn from_command_line(cli: &CommandLine) -> Result<Self, String> {
        let levels = LintLevels::from_settings(cli.levels.iter().map(|(l, n)| (*l, n.as_str())))?;
        Ok(Config {
            levels,
            strict: cli.strict,
            ..Config::default()
        })
    }

    /// A configuration with these levels and nothing else.
    pub fn from_levels(levels: LintLevels) -> Self {
        Config {
            levels,
            ..Config::default()
        }
    }

    /// The levels for files of a package (by index into [`Workspace::crates`]), or for files
    /// that belong to no package.
    pub fn levels_for(&self, crate_index: Option<usize>) -> &LintLevels {
        crate_index
            .and_then(|i| self.package_levels.get(&i))
            .unwrap_or(&self.levels)
    }

    /// Whether strict mode is on for a package (or for files of no package).
    pub fn strict_for(&self, crate_index: Option<usize>) -> bool {
        crate_index
            .and_then(|i| self.package_strict.get(&i).copied())
            .unwrap_or(self.strict)
    }

    /// Whether strict mode is on for one of the first `packages` packages or for files of no
    /// package.
    pub fn strict_anywhere(&self, packages: usize) -> bool {
        self.strict_for(None) || (0..packages).any(|index| self.strict_for(Some(index)))
    }
}

/// Reads the configuration of a workspace and combines it with the command line.
pub fn load(workspace: &Workspace, cli: &CommandLine) -> Result<Config, ConfigError> {
    let mut layers: Vec<Settings> = Vec::new();
    let mut files = Vec::new();
    let root_manifest = workspace.root.join("Cargo.toml");
    if let Some(settings) = manifest_settings(&root_manifest, "workspace")? {
        files.push(root_manifest.clone());
        layers.push(settings);
    }
    let config_file = workspace.root.join(CONFIG_FILE);
    if config_file.is_file() {
        let table = read_toml(&config_file)?;
        layers.push(parse_settings(&table, &config_file, "", &workspace.root)?);
        files.push(config_file);
    }
    let mut packages = BTreeMap::new();
    for (index, spec) in workspace.crates.iter().enumerate() {
        if let Some(settings) = manifest_settings(&spec.manifest_path, "package")? {
            files.push(spec.manifest_path.clone());
            packages.insert(index, settings);
        }
    }
    combine(&layers, &packages, cli, files)
}

fn combine(
    layers: &[Settings],
    packages: &BTreeMap<usize, Settings>,
    cli: &CommandLine,
    files: Vec<PathBuf>,
) -> Result<Config, ConfigError> {
    let mut config = Config {
        files,
        ..Config::default()
    };
    let cli_error = |message: String| ConfigError {
        file: PathBuf::from("<command line>"),
        key: String::new(),
        message,
    };
    let mut base = LintLevels::default();
    for layer in layers {
        apply_layer(&mut config, &mut base, layer)?;
        if let Some(strict) = layer.strict {
            config.strict = strict;
        }
    }
    for (index, package) in packages {
        let mut levels = base.clone();
        apply_layer(&mut config, &mut levels, package)?;
        apply_cli(&mut levels, cli).map_err(cli_error)?;
        config.package_levels.insert(*index, levels);
        let strict = cli.strict || package.strict.unwrap_or(config.strict);
        config.package_strict.insert(*index, strict);
    }
    apply_cli(&mut base, cli).map_err(cli_error)?;
    config.levels = base;
    config.strict |= cli.strict;
    Ok(config)
}

fn apply_layer(
    config: &mut Config,
    levels: &mut LintLevels,
    layer: &Settings,
) -> Result<(), ConfigError> {
    for (level, name) in &layer.lints {
        // Names were checked when the table was read.
        let _ = levels.set(name, *level);
    }
    config.catalog.extend(layer.catalog.clone());
    config
        .exclude
        .add(&layer.base, &layer.exclude)
        .map_err(|message| ConfigError {
            file: layer.base.clone(),
            key: "exclude".to_owned(),
            message,
        })
}

fn apply_cli(levels: &mut LintLevels, cli: &CommandLine) -> Result<(), String> {
    for (level, name) in &cli.levels {
        levels.set(name, *level)?;
    }
    Ok(())
}

/// Reads `[<section>.metadata.nslint]` of a manifest. A manifest that cannot be read or
/// parsed yields nothing: discovery reports those.
fn manifest_settings(manifest: &Path, section: &str) -> Result<Option<Settings>, ConfigError> {
    let Ok(text) = std::fs::read_to_string(manifest) else {
        return Ok(None);
    };
    let Ok(table) = text.parse::<toml::Table>() else {
        return Ok(None);
    };
    let prefix = format!("{section}.metadata.nslint");
    let Some(value) = table
        .get(section)
        .and_then(|s| s.get("metadata"))
        .and_then(|m| m.get("nslint"))
    else {
        return Ok(None);
    };
    let nslint = value.as_table().ok_or_else(|| ConfigError {
        file: manifest.to_path_buf(),
        key: prefix.clone(),
        message: "expected a table".to_owned(),
    })?;
    let base = manifest.parent().unwrap_or(Path::new("."));
    parse_settings(nslint, manifest, &prefix, base).map(Some)
}

fn read_toml(path: &Path) -> Result<toml::Table, ConfigError> {
    let error = |message: String| ConfigError {
        file: path.to_path_buf(),
        key: String::new(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(format!("cannot read: {e}")))?;
    text.parse::<toml::Table>()
        .map_err(|e| error(format!("invalid TOML: {}", e.to_string().trim())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{RAW_NAMESPACE_SWITCH, UNCHECKED_NAMESPACE_SWITCH};

    fn settings(text: &str) -> Settings {
        let table: toml::Table = toml::from_str(text).expect("toml");
        parse_settings(&table, Path::new("x.toml"), "", Path::new("/w")).expect("valid")
    }

    #[test]
    fn later_sources_win_and_the_command_line_wins_last() {
        let workspace = settings("lints = { raw_namespace_switch = \"deny\" }");
        let file = settings("lints = { raw_namespace_switch = \"allow\" }\nstrict = true");
        let package = settings("lints = { raw_namespace_switch = \"warn\" }\nstrict = false");
        let cli = CommandLine {
            levels: vec![(Level::Forbid, "unchecked_namespace_switch".to_owned())],
            strict: false,
        };
        let packages = BTreeMap::from([(1, package)]);
        let config = combine(&[workspace, file], &packages, &cli, Vec::new()).expect("valid");
        assert_eq!(
            config.levels_for(None).level(&RAW_NAMESPACE_SWITCH),
            Level::Allow
        );
        assert_eq!(
            config.levels_for(Some(0)).level(&RAW_NAMESPACE_SWITCH),
            Level::Allow
        );
        assert_eq!(
            config.levels_for(Some(1)).level(&RAW_NAMESPACE_SWITCH),
            Level::Warn
        );
        assert_eq!(
            config
                .levels_for(Some(1))
                .level(&UNCHECKED_NAMESPACE_SWITCH),
            Level::Forbid
        );
        assert!(config.strict_for(None));
        assert!(!config.strict_for(Some(1)));
    }
}
