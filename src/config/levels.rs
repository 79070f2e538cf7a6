//! Lint levels: defaults from the registry, overridden by configuration and command-line flags
//! in order (`-A`, `-W`, `-D`, `-F`), as rustc does. `warnings` names every lint at warn level,
//! so `-D warnings` turns warnings into errors.

use crate::registry::{self, LINTS, Level, Lint};
use std::collections::BTreeMap;

/// The level of every lint for a run.
#[derive(Debug, Clone, Default)]
pub struct LintLevels {
    overrides: BTreeMap<&'static str, Level>,
    warnings: Option<Level>,
}

impl LintLevels {
    /// Applies `(level, lint name)` settings in order; later settings win. A lint set to
    /// `forbid` cannot be lowered by a later setting.
    pub fn from_settings<'s>(
        settings: impl IntoIterator<Item = (Level, &'s str)>,
    ) -> Result<Self, String> {
        let mut levels = LintLevels::default();
        for (level, name) in settings {
            levels.set(name, level)?;
        }
        Ok(levels)
    }

    /// Sets one lint (or `warnings`, or `all`) to a level.
    pub fn set(&mut self, name: &str, level: Level) -> Result<(), String> {
        let bare = name.strip_prefix("nslint::").unwrap_or(name);
        match bare {
            "warnings" => self.warnings = Some(level),
            "all" => {
                for lint in LINTS {
                    self.set_lint(lint, level);
                }
            }
            _ => {
                let lint = registry::find(bare).ok_or_else(|| {
                    format!("unknown lint `{name}`; `cargo nslint --list` shows the lints")
                })?;
                self.set_lint(lint, level);
            }
        }
        Ok(())
    }

    fn set_lint(&mut self, lint: &'static Lint, level: Level) {
        if self.overrides.get(lint.name) != Some(&Level::Forbid) {
            self.overrides.insert(lint.name, level);
        }
    }

    /// The level a lint is reported at.
    pub fn level(&self, lint: &Lint) -> Level {
        let level = self
            .overrides
            .get(lint.name)
            .copied()
            .unwrap_or(lint.default_level);
        match (level, self.warnings) {
            (Level::Warn, Some(warnings)) => warnings,
            _ => level,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{RAW_NAMESPACE_SWITCH, SWITCH_WITHOUT_RESTORE};

    #[test]
    fn later_flags_win_and_forbid_sticks() {
        let levels = LintLevels::from_settings([
            (Level::Deny, "raw_namespace_switch"),
            (Level::Allow, "nslint::raw_namespace_switch"),
            (Level::Forbid, "switch_without_restore"),
            (Level::Allow, "switch_without_restore"),
        ])
        .expect("valid");
        assert_eq!(levels.level(&RAW_NAMESPACE_SWITCH), Level::Allow);
        assert_eq!(levels.level(&SWITCH_WITHOUT_RESTORE), Level::Forbid);
    }

    #[test]
    fn deny_warnings_raises_every_warning() {
        let levels = LintLevels::from_settings([(Level::Deny, "warnings")]).expect("valid");
        assert_eq!(levels.level(&RAW_NAMESPACE_SWITCH), Level::Deny);
    }

    #[test]
    fn unknown_lints_are_errors() {
        let err = LintLevels::from_settings([(Level::Deny, "no_such_lint")]).expect_err("unknown");
        assert!(err.contains("--list"), "{err}");
    }
}
