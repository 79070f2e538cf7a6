//! One crate modelled on two threads, each walking half of its modules.
//!
//! Both threads load the whole crate, each with the function bodies of the other half's files
//! blanked (`crate::hollow::Halves`), so each has every item and walks only its own modules.
//! What the walk reads across modules comes from bodies too: which functions forward a
//! closure, and what functions return. Each thread scans its own modules for those, the two
//! swap what they found over a [`Link`], and both combine it in module order, as the one-thread
//! walk meets it. The walk's facts are kept per module and joined in module order
//! ([`HalfFacts::join`]), so the result is the one-thread [`super::extract_facts`]'s.

use super::{CrateTables, Forwarders, ReturnedValues, Steps};
use crate::catalog::Catalog;
use crate::model::CrateFacts;
use crate::resolve::{ModuleId, Resolver};
use crate::source::{FileId, SourceDb};
use std::sync::mpsc::{Receiver, Sender, channel};

/// What one half's scan found, by module.
type ByModule<T> = Vec<(ModuleId, T)>;

/// One end of a channel pair: what this half sends, what the other half sends.
struct Ends<T> {
    send: Sender<ByModule<T>>,
    receive: Receiver<ByModule<T>>,
}

impl<T: Clone> Ends<T> {
    /// The two ends: one for each half.
    fn pair() -> (Ends<T>, Ends<T>) {
        let (send_a, receive_b) = channel();
        let (send_b, receive_a) = channel();
        (
            Ends {
                send: send_a,
                receive: receive_a,
            },
            Ends {
                send: send_b,
                receive: receive_b,
            },
        )
    }

    /// What `scan` finds in each of `modules`, with what the other half's scan found in its
    /// own, in module order; `None` when the other half gave up (its end was dropped).
    fn scan_both(&self, modules: &[ModuleId], scan: impl Fn(ModuleId) -> T) -> Option<ByModule<T>> {
        let mine: ByModule<T> = modules.iter().map(|&id| (id, scan(id))).collect();
        self.send.send(mine.clone()).ok()?;
        let mut all = self.receive.recv().ok()?;
        all.extend(mine);
        all.sort_by_key(|(id, _)| id.0);
        Some(all)
    }
}

/// One half's end of the channels between the two halves of a crate, one per scan.
pub struct Link {
    forwarders: Ends<Forwarders>,
    returned: Ends<ReturnedValues>,
}

impl Link {
    /// The two ends: one for each half.
    pub fn pair() -> (Link, Link) {
        let (forwarders_a, forwarders_b) = Ends::pair();
        let (returned_a, returned_b) = Ends::pair();
        (
            Link {
                forwarders: forwarders_a,
                returned: returned_a,
            },
            Link {
                forwarders: forwarders_b,
                returned: returned_b,
            },
        )
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
    let steps = Steps {
        resolver,
        catalog,
        db,
    };
    let tree = resolver.tree();
    let mine: Vec<ModuleId> = tree
        .ids()
        .filter(|&id| owns(tree.module(id).file))
        .collect();
    let mut tables = CrateTables::new(resolver, catalog, db, library);

    let forwarders = link.forwarders.scan_both(&mine, |id| {
        let mut out = Forwarders::new();
        steps.scan_forwarders(&tables, id, &mut out);
        out
    })?;
    let forwarders = tables.take_forwarders(combine_forwarders(forwarders));
    let returned = link.returned.scan_both(&mine, |id| {
        let mut out = ReturnedValues::default();
        steps.scan_returned_values(&tables, id, &mut out);
        out
    })?;
    tables.take_returned_values(combine_returned(returned));

    let modules = mine
        .into_iter()
        .map(|id| {
            let mut facts = CrateFacts::default();
            steps.walk_module(&tables, id, &mut facts);
            (id, facts)
        })
        .collect();
    Some(HalfFacts {
        modules,
        forwarders,
        exports: resolver.exports(),
    })
}

/// Both halves' forwarders, in module order, added as one scan adds them.
fn combine_forwarders(found: ByModule<Forwarders>) -> Forwarders {
    let mut all = Forwarders::new();
    for (_, module) in found {
        for (function, forwarded) in module {
            all.entry(function).or_default().extend(forwarded);
        }
    }
    all
}

/// Both halves' returned values, in module order, added as one scan adds them (a later
/// module's entry replaces an earlier one's).
fn combine_returned(found: ByModule<ReturnedValues>) -> ReturnedValues {
    let mut all = ReturnedValues::default();
    for (_, module) in found {
        all.forks.extend(module.forks);
        all.ns_files.extend(module.ns_files);
        all.strings.extend(module.strings);
        all.fields.extend(module.fields);
        all.joins.extend(module.joins);
    }
    all
}
