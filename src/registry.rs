//! The lint registry: every lint declared once, with its default level, summary and docs.
//!
//! `--list`, `--explain`, SARIF rules and level configuration all read from here. A lint is
//! added by declaring it in [`LINTS`], writing `lints/<name>.md` and a file under `rules/`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How seriously a finding is taken, as in rustc: `allow` hides it, `warn` reports it,
/// `deny` reports it as an error, `forbid` is `deny` that suppressions cannot lower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as a warning; does not fail the run.
    Warn,
    /// Reported as an error; the run exits with code 1.
    Deny,
    /// Like `deny`, and in-source suppressions cannot lower it.
    Forbid,
}

impl Level {
    /// The level's name as written in configuration and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
            Level::Forbid => "forbid",
        }
    }

    /// Whether findings at this level fail the run.
    pub fn is_error(self) -> bool {
        matches!(self, Level::Deny | Level::Forbid)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "allow" => Ok(Level::Allow),
            "warn" => Ok(Level::Warn),
            "deny" => Ok(Level::Deny),
            "forbid" => Ok(Level::Forbid),
            other => Err(format!(
                "unknown lint level `{other}` (expected allow, warn, deny or forbid)"
            )),
        }
    }
}

/// A lint's declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lint {
    /// The lint's name, as in `nslint::<name>` and in suppressions.
    pub name: &'static str,
    /// The level it has unless configured otherwise.
    pub default_level: Level,
    /// One line saying what it flags.
    pub summary: &'static str,
    /// Full documentation in clippy's sections, from `lints/<name>.md`.
    pub docs: &'static str,
}

impl Lint {
    /// The lint's code as printed in diagnostics (`nslint::raw_namespace_switch`).
    pub fn code(&self) -> String {
        format!("nslint::{}", self.name)
    }

    /// Where the lint's documentation lives online.
    pub fn url(&self) -> String {
        format!("{DOCS_BASE_URL}/{}.md", self.name)
    }
}

/// Base address of the lint documentation (`lints/` in the repository).
pub const DOCS_BASE_URL: &str = "https://github.com/nslint/nslint/blob/main/lints";

/// `raw_namespace_switch`: a raw `setns`/`unshare` call; prefer a scoped nsscope API.
pub static RAW_NAMESPACE_SWITCH: Lint = Lint {
    name: "raw_namespace_switch",
    default_level: Level::Warn,
    summary: "a raw `setns`/`unshare` call; prefer a scoped nsscope API",
    docs: include_str!("../lints/raw_namespace_switch.md"),
};

/// `switch_without_restore`: a raw switch on a shared thread with a path that leaves the thread switched.
pub static SWITCH_WITHOUT_RESTORE: Lint = Lint {
    name: "switch_without_restore",
    default_level: Level::Deny,
    summary: "a raw switch on a shared thread with a path that leaves the thread switched",
    docs: include_str!("../lints/switch_without_restore.md"),
};

/// `await_while_switched`: an `.await` while the runtime worker is switched into another namespace.
pub static AWAIT_WHILE_SWITCHED: Lint = Lint {
    name: "await_while_switched",
    default_level: Level::Deny,
    summary: "an `.await` while the runtime worker is switched into another namespace",
    docs: include_str!("../lints/await_while_switched.md"),
};

/// `unscoped_namespace_op`: a namespace-sensitive operation that may run in the wrong namespace.
pub static UNSCOPED_NAMESPACE_OP: Lint = Lint {
    name: "unscoped_namespace_op",
    default_level: Level::Deny,
    summary: "a namespace-sensitive operation that may run in the wrong namespace (after an `.await`, an unchecked or partial switch)",
    docs: include_str!("../lints/unscoped_namespace_op.md"),
};

/// `work_escapes_scope`: work handed to another thread from inside a scope or switched region.
pub static WORK_ESCAPES_SCOPE: Lint = Lint {
    name: "work_escapes_scope",
    default_level: Level::Deny,
    summary: "work handed to another thread from inside a scope or switched region",
    docs: include_str!("../lints/work_escapes_scope.md"),
};

/// `outer_namespace_handle`: a namespace-bound handle created outside a scope and used inside it.
pub static OUTER_NAMESPACE_HANDLE: Lint = Lint {
    name: "outer_namespace_handle",
    default_level: Level::Warn,
    summary: "a namespace-bound handle created outside a scope and used inside it",
    docs: include_str!("../lints/outer_namespace_handle.md"),
};

/// `thread_unsafe_namespace_kind`: entering user, pid, time or mnt namespaces where the kernel refuses or misbehaves.
pub static THREAD_UNSAFE_NAMESPACE_KIND: Lint = Lint {
    name: "thread_unsafe_namespace_kind",
    default_level: Level::Deny,
    summary: "entering user, pid, time or mnt namespaces where the kernel refuses or misbehaves",
    docs: include_str!("../lints/thread_unsafe_namespace_kind.md"),
};

/// `unchecked_namespace_switch`: a switch, raw or through a wrapper, whose result is discarded.
pub static UNCHECKED_NAMESPACE_SWITCH: Lint = Lint {
    name: "unchecked_namespace_switch",
    default_level: Level::Deny,
    summary: "a switch, raw or through a wrapper, whose result is discarded",
    docs: include_str!("../lints/unchecked_namespace_switch.md"),
};

/// `process_wide_namespace_path`: a `/proc/self` or `/proc/net` path where it names another thread's namespace.
pub static PROCESS_WIDE_NAMESPACE_PATH: Lint = Lint {
    name: "process_wide_namespace_path",
    default_level: Level::Warn,
    summary: "a `/proc/self` or `/proc/net` path where it names another thread's namespace than the caller's",
    docs: include_str!("../lints/process_wide_namespace_path.md"),
};

/// `unused_suppression`: a suppression or `expect` that silences nothing.
pub static UNUSED_SUPPRESSION: Lint = Lint {
    name: "unused_suppression",
    default_level: Level::Warn,
    summary: "a suppression or `expect` that silences nothing",
    docs: include_str!("../lints/unused_suppression.md"),
};

/// `suppression_without_reason`: a suppression that does not say why.
pub static SUPPRESSION_WITHOUT_REASON: Lint = Lint {
    name: "suppression_without_reason",
    default_level: Level::Warn,
    summary: "a suppression that does not say why",
    docs: include_str!("../lints/suppression_without_reason.md"),
};

/// `unanalyzed_code`: code nslint could not read (a missing module file, an item syn cannot
/// parse), so nothing in it was analysed.
pub static UNANALYZED_CODE: Lint = Lint {
    name: "unanalyzed_code",
    default_level: Level::Warn,
    summary: "code nslint could not read, so nothing in it was analysed",
    docs: include_str!("../lints/unanalyzed_code.md"),
};

/// Every lint nslint knows, in documentation order.
pub static LINTS: [&Lint; 12] = [
    &RAW_NAMESPACE_SWITCH,
    &SWITCH_WITHOUT_RESTORE,
    &AWAIT_WHILE_SWITCHED,
    &UNSCOPED_NAMESPACE_OP,
    &WORK_ESCAPES_SCOPE,
    &OUTER_NAMESPACE_HANDLE,
    &THREAD_UNSAFE_NAMESPACE_KIND,
    &UNCHECKED_NAMESPACE_SWITCH,
    &PROCESS_WIDE_NAMESPACE_PATH,
    &UNUSED_SUPPRESSION,
    &SUPPRESSION_WITHOUT_REASON,
    &UNANALYZED_CODE,
];

/// Looks a lint up by name; `nslint::` prefixes are accepted.
pub fn find(name: &str) -> Option<&'static Lint> {
    let name = name.strip_prefix("nslint::").unwrap_or(name);
    LINTS.iter().copied().find(|lint| lint.name == name)
}
