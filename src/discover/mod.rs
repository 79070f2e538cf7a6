//! Discovery: turns cargo metadata or plain paths into the crates, targets and root files to lint.
//!
//! Nothing here builds code, runs build scripts or expands proc macros: cargo is only ever asked
//! for `cargo metadata --no-deps`, and path mode reads the file system alone.

mod cargo;
mod paths;
mod reuse;

use std::path::PathBuf;

pub use cargo::{CargoSelection, DiscoverError, discover_cargo, discover_cargo_reusing};
pub use paths::discover_paths;
pub use reuse::{FreshMetadata, default_lookup_dirs};

/// Everything discovery found: the workspace root and the crates to analyse.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    /// Directory that file names in the output are relative to.
    pub root: PathBuf,
    /// Crates to lint, in a deterministic order (by manifest path, then name).
    pub crates: Vec<CrateSpec>,
    /// Loose `.rs` files given in path mode that belong to no package; each is linted alone.
    pub loose_files: Vec<PathBuf>,
    /// Problems met while discovering (an unreadable directory, a manifest that does not
    /// parse); reported as diagnostics, they never stop the run.
    pub problems: Vec<DiscoveryProblem>,
}

/// A problem found while discovering crates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveryProblem {
    /// The file or directory concerned.
    pub path: PathBuf,
    /// What went wrong, in words fit for a user.
    pub message: String,
}

/// One package: its identity and its targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateSpec {
    /// Package name as written in `Cargo.toml` (`my-crate`).
    pub name: String,
    /// Cargo's package id when discovered through cargo metadata; a synthetic
    /// `path+file://…#name@version` id in path mode.
    pub package_id: String,
    /// The package's version (`0.0.0` when unknown).
    pub version: String,
    /// Absolute path of the package's `Cargo.toml`.
    pub manifest_path: PathBuf,
    /// Names of the package's dependencies that are members of the same workspace, as the
    /// dependent code spells them (`extern` names, hyphens turned into underscores).
    pub workspace_deps: Vec<String>,
    /// The package's targets: lib, bins, tests, examples, benches, build script.
    pub targets: Vec<TargetSpec>,
}

/// One compilation target of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSpec {
    /// Target name (`cargo-nslint`, `integration`).
    pub name: String,
    /// Cargo's target kinds (`lib`, `bin`, `test`, `example`, `bench`, `custom-build`,
    /// `proc-macro`, …).
    pub kind: Vec<String>,
    /// Cargo's crate types (`lib`, `bin`, `rlib`, `proc-macro`, …).
    pub crate_types: Vec<String>,
    /// Absolute path of the target's root file.
    pub src_path: PathBuf,
    /// Rust edition of the target (`2021`).
    pub edition: String,
}

impl CrateSpec {
    /// The name Rust code uses for this package's library (`my-crate` → `my_crate`).
    pub fn lib_name(&self) -> String {
        self.targets
            .iter()
            .find(|t| {
                t.kind
                    .iter()
                    .any(|k| k == "lib" || k.ends_with("lib") || k == "proc-macro")
            })
            .map(|t| t.name.replace('-', "_"))
            .unwrap_or_else(|| self.name.replace('-', "_"))
    }
}
