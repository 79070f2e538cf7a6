//! One crate modelled on two threads, each walking half of its modules.
//!
//! Both threads load the whole crate, each with the function bodies of the other half's files
//! blanked (`crate::hollow::Halves`), so each has every item and walks only its own modules.
//! What the walk reads across modules comes from bodies too: which functions forward a
//! closure, and what functions return. Each thread scans its own modules for those, the two
//! swap what they found over a [`Link`], and both combine it in module order, as the one-thread
//! walk meets it. The walk's facts are kept per module and joined in module order
//! ([`HalfFacts::join`]), so the result is the one-thread [`super::extract_facts`]'s.

use super::{
    CrateTables, Forwarders, ReturnedValues, scan_forwarders, scan_returned_values, walk_module,
};
use crate::catalog::Catalog;
use crate::model::CrateFacts;
use crate::resolve::{ModuleId, Resolver};
use crate::source::{FileId, SourceDb};
use std::sync::mpsc::{Receiver, Sender, channel};

/// What one half's scans found, by module, for the other half.
enum Found {
    Forwarders(Vec<(ModuleId, Forwarders)>),
    Returned(Vec<(ModuleId, ReturnedValues)>),
}

/// One end of the channel pair between the two halves of a crate.
pub struct Link {
    send: Sender<Found>,
    receive: Receiver<Found>,
}

impl Link {
    /// The two ends: one for each half.
    pub fn pair() -> (Link, Link) {
        let (send_a, receive_b) = channel();
        let (send_b, receive_a) = channel();
        (
            Link {
                send: send_a,
                receive: receive_a,
            },
            Link {
                send: send_b,
                receive: receive_b,
            },
        )
    }

    /// Sends what this half found and waits for the other half's; `None` when the other half
    /// gave up (its end was dropped).
    fn swap(&self, mine: Found) -> Option<Found> {
        self.send.send(mine).ok()?;
        self.receive.recv().ok()
    }
}

/// One half's facts, by module, to be joined with the other half's.
pub struct HalfFacts {
    modules: Vec<(ModuleId, CrateFacts)>,
    forwarders: Vec<String>,
    exports: Vec<(String, String)>,
}

impl HalfFacts {
    /// The crate's facts from both halves, modules in order, as one thread would have made
    /// them.
    pub fn join(self, other: HalfFacts) -> CrateFacts {
        let mut modules = self.modules;
        modules.extend(other.modules);
        modules.sort_by_key(|(id, _)| id.0);
        let mut facts = CrateFacts {
            forwarders: self.forwarders,
            ..CrateFacts::default()
        };
        for (_, module) in modules {
            facts.merge(module);
        }
        facts.exports = self.exports;
        facts
    }
}

/// Extracts the facts of the modules whose files `owns` says are this half's, swapping what
/// the scans of bodies find with the other half over `link`; `None` when the other half gave
/// up. The other half's bodies may be blanked in `db`'s parsed trees: none is read.
pub fn extract_half_facts(
    resolver: &Resolver<'_>,
    catalog: &Catalog,
    db: &SourceDb,
    library: bool,
    owns: &dyn Fn(FileId) -> bool,
    link: Link,
) -> Option<HalfFacts> {
    let tree = resolver.tree();
    let mine: Vec<ModuleId> = tree
        .ids()
        .filter(|&id| owns(tree.module(id).file))
        .collect();
    let mut tables = CrateTables::new(resolver, catalog, db, library);

    let found = mine.iter().map(|&id| {
        let mut out = Forwarders::new();
        scan_forwarders(resolver, catalog, &tables, db, id, &mut out);
        (id, out)
    });
    let found: Vec<(ModuleId, Forwarders)> = found.collect();
    let Found::Forwarders(theirs) = link.swap(Found::Forwarders(found.clone()))? else {
        return None;
    };
    let forwarders = tables.take_forwarders(combine_forwarders(found, theirs));

    let found = mine.iter().map(|&id| {
        let mut out = ReturnedValues::default();
        scan_returned_values(resolver, catalog, &tables, db, id, &mut out);
        (id, out)
    });
    let found: Vec<(ModuleId, ReturnedValues)> = found.collect();
    let Found::Returned(theirs) = link.swap(Found::Returned(found.clone()))? else {
        return None;
    };
    tables.take_returned_values(combine_returned(found, theirs));

    let modules = mine
        .into_iter()
        .map(|id| {
            let mut facts = CrateFacts::default();
            walk_module(resolver, catalog, &tables, db, id, &mut facts);
            (id, facts)
        })
        .collect();
    Some(HalfFacts {
        modules,
        forwarders,
        exports: resolver.exports(),
    })
}

/// Both halves' forwarders, added module by module in order, as one scan adds them.
fn combine_forwarders(
    mine: Vec<(ModuleId, Forwarders)>,
    theirs: Vec<(ModuleId, Forwarders)>,
) -> Forwarders {
    let mut all = Forwarders::new();
    for (_, module) in in_module_order(mine, theirs) {
        for (function, forwarded) in module {
            all.entry(function).or_default().extend(forwarded);
        }
    }
    all
}

/// Both halves' returned values, added module by module in order (a later module's entry
/// replaces an earlier one's, as in one scan).
fn combine_returned(
    mine: Vec<(ModuleId, ReturnedValues)>,
    theirs: Vec<(ModuleId, ReturnedValues)>,
) -> ReturnedValues {
    let mut all = ReturnedValues::default();
    for (_, module) in in_module_order(mine, theirs) {
        all.forks.extend(module.forks);
        all.ns_files.extend(module.ns_files);
        all.strings.extend(module.strings);
        all.fields.extend(module.fields);
        all.joins.extend(module.joins);
    }
    all
}

/// Two halves' per-module results, sorted by module.
fn in_module_order<T>(mine: Vec<(ModuleId, T)>, theirs: Vec<(ModuleId, T)>) -> Vec<(ModuleId, T)> {
    let mut all = mine;
    all.extend(theirs);
    all.sort_by_key(|(id, _)| id.0);
    all
}
