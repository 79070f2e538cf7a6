//! Merging: the units' outputs, each with a source database of its own, become the run's one
//! database, and their facts one set per package.

use super::TargetRef;
use super::remap;
use super::units::{Unit, UnitOutput};
use crate::diagnostic::Diagnostic;
use crate::model::CrateFacts;
use crate::source::{FileId, SourceDb};
use crate::suppress::Allow;
use std::collections::BTreeMap;

/// The units' outputs put together.
pub(super) struct Merged {
    /// Every file read.
    pub(super) db: SourceDb,
    /// The package and target each file was first read for.
    pub(super) owners: BTreeMap<FileId, TargetRef>,
    /// One set of facts per package, in package order, then one per loose file.
    pub(super) packages: Vec<CrateFacts>,
    /// The suppressions written as attributes.
    pub(super) allows: Vec<Allow>,
    /// Problems met while loading.
    pub(super) diagnostics: Vec<Diagnostic>,
}

/// Merges the units' outputs in unit order, so that file ids do not depend on the thread
/// count; `package_count` is the number of packages in the workspace. Units are renumbered
/// in parallel, on the current rayon pool.
pub(super) fn units(package_count: usize, units: Vec<(Unit, UnitOutput)>) -> Merged {
    let mut units = units;
    let mut db = SourceDb::default();
    let maps: Vec<Vec<FileId>> = units
        .iter_mut()
        .map(|(_, output)| {
            let local = std::mem::take(&mut output.db);
            local.into_files().into_iter().map(|f| db.add(f)).collect()
        })
        .collect();
    {
        use rayon::prelude::*;
        units
            .par_iter_mut()
            .zip(&maps)
            .for_each(|((_, output), map)| remap::unit(output, map));
    }
    let mut merged = Merged {
        db,
        owners: BTreeMap::new(),
        packages: Vec::new(),
        allows: Vec::new(),
        diagnostics: Vec::new(),
    };
    merged
        .packages
        .resize_with(package_count, CrateFacts::default);
    for (unit, output) in units {
        let UnitOutput {
            db: _,
            facts,
            files,
            allows,
            diagnostics,
        } = output;
        merged.allows.extend(allows);
        merged.diagnostics.extend(diagnostics);
        match unit.owner {
            Some(owner) => {
                for file in files {
                    merged.owners.entry(file).or_insert(owner);
                }
                // A package is one unit for "does this crate switch threads": a bin and its lib.
                merged.packages[owner.crate_index].merge(facts);
            }
            None => merged.packages.push(facts),
        }
    }
    merged
}
