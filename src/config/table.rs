//! One `nslint` settings table (`[workspace.metadata.nslint]`, `[package.metadata.nslint]` or
//! the top level of `nslint.toml`), checked key by key so that every error names its file and
//! key.

use super::ConfigError;
use crate::catalog::Catalog;
use crate::registry::Level;
use std::path::{Path, PathBuf};

/// The settings read from one table.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `lints = { name = "level" }`, in the order written.
    pub lints: Vec<(Level, String)>,
    /// `strict = true|false`.
    pub strict: Option<bool>,
    /// `exclude = ["pattern", ..]`: gitignore-style patterns, relative to `base`.
    pub exclude: Vec<String>,
    /// The directory `exclude` patterns are relative to.
    pub base: PathBuf,
    /// Extra catalogue entries (`[[scope]]`, `[[switch]]`, `[[sensitive]]`, `[[escape]]`, ...).
    pub catalog: Catalog,
}

/// Reads a settings table. `file` and `prefix` (`workspace.metadata.nslint`, or empty for
/// `nslint.toml`) only serve error messages; `base` is the directory patterns are relative to.
pub fn parse_settings(
    table: &toml::Table,
    file: &Path,
    prefix: &str,
    base: &Path,
) -> Result<Settings, ConfigError> {
    let key_name = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    let error = |key: &str, message: String| ConfigError {
        file: file.to_path_buf(),
        key: key_name(key),
        message,
    };
    let mut settings = Settings {
        base: base.to_path_buf(),
        ..Settings::default()
    };
    for (key, value) in table {
        match key.as_str() {
            "lints" => {
                settings.lints = parse_lints(value).map_err(|(k, m)| {
                    let key = match k {
                        Some(lint) => format!("lints.{lint}"),
                        None => "lints".to_owned(),
                    };
                    error(&key, m)
                })?
            }
            "strict" => {
                settings.strict = Some(
                    value
                        .as_bool()
                        .ok_or_else(|| error(key, "expected `true` or `false`".to_owned()))?,
                );
            }
            "exclude" => settings.exclude = parse_exclude(value).map_err(|m| error(key, m))?,
            _ => {
                // Everything else must be a catalogue section; the catalogue's own schema
                // (with unknown fields refused) decides.
                let mut fragment = toml::Table::new();
                fragment.insert(key.clone(), value.clone());
                let text = toml::to_string(&fragment)
                    .map_err(|e| error(key, format!("cannot be read: {e}")))?;
                let extra = Catalog::parse(&text).map_err(|e| {
                    let message = if e.contains("unknown field") && e.contains(key.as_str()) {
                        format!(
                            "unknown key; expected `lints`, `strict`, `exclude` or a catalogue \
                             section (`scope`, `switch`, `sensitive`, `escape`, ...): {}",
                            first_line(&e)
                        )
                    } else {
                        first_line(&e)
                    };
                    error(key, message)
                })?;
                settings.catalog.extend(extra);
            }
        }
    }
    Ok(settings)
}

fn first_line(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    // toml's messages put the explanation on the last line, after a source excerpt.
    lines.last().copied().unwrap_or(text).to_owned()
}

type LintError = (Option<String>, String);

fn parse_lints(value: &toml::Value) -> Result<Vec<(Level, String)>, LintError> {
    let table = value.as_table().ok_or_else(|| {
        (
            None,
            "expected a table of lint names to levels (`{ raw_namespace_switch = \"allow\" }`)"
                .to_owned(),
        )
    })?;
    let mut out = Vec::new();
    for (name, level) in table {
        let level = level
            .as_str()
            .ok_or_else(|| {
                (
                    Some(name.clone()),
                    "expected a level: \"allow\", \"warn\", \"deny\" or \"forbid\"".to_owned(),
                )
            })?
            .parse::<Level>()
            .map_err(|e| (Some(name.clone()), e))?;
        let mut check = super::LintLevels::default();
        check
            .set(name, level)
            .map_err(|e| (Some(name.clone()), e))?;
        out.push((level, name.clone()));
    }
    Ok(out)
}

fn parse_exclude(value: &toml::Value) -> Result<Vec<String>, String> {
    let items = value
        .as_array()
        .ok_or_else(|| "expected an array of path patterns".to_owned())?;
    items
        .iter()
        .map(|item| {
            item.as_str()
                .map(str::to_owned)
                .ok_or_else(|| "expected an array of strings".to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, ConfigError> {
        let table: toml::Table = toml::from_str(text).expect("valid toml");
        parse_settings(&table, Path::new("nslint.toml"), "", Path::new("/w"))
    }

    #[test]
    fn reads_every_key() {
        let settings = parse(
            "strict = true\nexclude = [\"gen/\"]\n[lints]\nraw_namespace_switch = \"allow\"\n\
             [[scope]]\nreceiver = \"my::Ns\"\nmethod = \"enter_with\"\nkind = \"sync\"\n",
        )
        .expect("valid");
        assert_eq!(settings.strict, Some(true));
        assert_eq!(settings.exclude, ["gen/"]);
        assert_eq!(
            settings.lints,
            [(Level::Allow, "raw_namespace_switch".to_owned())]
        );
        assert_eq!(settings.catalog.scopes.len(), 1);
    }

    #[test]
    fn errors_name_the_key() {
        let err = parse("stric = true\n").expect_err("unknown key");
        assert_eq!(err.key, "stric");
        let err = parse("[lints]\nraw_namespace_switch = \"loud\"\n").expect_err("bad level");
        assert_eq!(err.key, "lints.raw_namespace_switch");
        let err = parse("[lints]\nno_such = \"deny\"\n").expect_err("bad lint");
        assert_eq!(err.key, "lints.no_such");
        let err = parse("strict = \"yes\"\n").expect_err("bad value");
        assert_eq!(err.key, "strict");
        let err = parse("[[scope]]\nmethod = \"x\"\nkind = \"sync\"\nbogus = 1\n")
            .expect_err("bad entry");
        assert_eq!(err.key, "scope");
    }
}
