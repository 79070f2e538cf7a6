//! The rounds of a run ([`crate::hollow`]): each plans which bodies to blank from what
//! analysis has demanded so far, models again the targets the new plan changes, and asks
//! analysis what it demands next.

use super::units::{Unit, UnitContext, UnitOutput, Unstarted, load_or_run, store_unit};
use crate::cache::Cache;
use crate::discover::{CrateSpec, Workspace};
use crate::effects;
use crate::hollow::{self, Hollowing};
use crate::model::CrateFacts;
use crate::prescan;
use crate::source::Text;
use crate::timings::{self, Count, Stage};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The cache key of what the last run's analysis demanded of hollowing.
const DEMAND_KEY: &str = "hollowing demand";

/// The share of function bodies a first plan must blank for hollowing to go on
/// ([`Rounds::analyse`]).
const MIN_BLANKED: f64 = 1.0 / 3.0;

/// The share of the analysed bytes from which one package makes the rounds cost more than
/// they save in a run without a cache ([`Rounds::analyse`]).
const MAX_PACKAGE_SHARE: f64 = 1.0 / 4.0;

/// Whether a first plan blanks enough bodies for the rounds to pay ([`MIN_BLANKED`]).
fn pays(plan: &Hollowing) -> bool {
    let (kept, blanked) = plan.counts();
    blanked as f64 >= MIN_BLANKED * (kept + blanked) as f64
}

/// How a run's bodies are to be blanked.
pub(super) enum Plans<'p> {
    /// Planned in rounds on what analysis demands; `None` when nothing may be blanked.
    Demanded(Option<Box<hollow::Planner<'p>>>),
    /// One plan for the whole run, made before it: every body kept, doc comments made plain
    /// ([`gives_up_early`]).
    Fixed(Hollowing),
}

/// Makes the planner a run whose plan was fixed before it vouches for edits with
/// ([`Rounds::analyse`]).
pub(super) type MakePlanner<'m, 'p> = &'m (dyn Fn() -> Option<hollow::Planner<'p>> + Sync);

/// What [`Rounds::analyse`] plans its rounds with.
pub(super) struct Rounds<'p> {
    /// The planner of hollowing; `None` when nothing may be blanked, or when the plan is
    /// fixed.
    planner: Option<hollow::Planner<'p>>,
    /// The planner of a run that gave hollowing up, after its first plan or (made beside the
    /// units) before it: it only vouches for edits ([`vouch_for_full_model`]).
    gave_up: Option<hollow::Planner<'p>>,
    /// Whether the rounds go on even when a first plan does not pay
    /// ([`super::Options::always_plan`]).
    always_plan: bool,
    /// The plan of a run that gives hollowing up before it starts ([`Plans::Fixed`]).
    fixed: Option<Hollowing>,
    /// For each package, whether it is analysed for its own sake ([`prescan::Selection`]);
    /// the others only when a plan keeps a body in one of their `package_files`.
    core: &'p [bool],
    /// For each package, its files.
    package_files: &'p [Vec<PathBuf>],
    /// The names the workspace's libraries are used by.
    crate_names: BTreeSet<String>,
    /// Bytes of source below each directory that holds an analysed file: how long a unit
    /// rooted there takes, roughly.
    bytes_below: HashMap<PathBuf, u64>,
    /// The bytes of every file read.
    total_bytes: u64,
    /// Every file read, with its text.
    texts: &'p [(PathBuf, Text)],
    /// Whether the plan was fixed before the run ([`Plans::Fixed`]): one package is a large
    /// share of it, and its units may be loaded in halves ([`Self::in_halves`]).
    halving: bool,
}

impl<'p> Rounds<'p> {
    /// The rounds of a run: its `plans` (a planner's first guesses limited to the packages
    /// analysed for their own sake, and to loose files), the selection and the files read;
    /// `always_plan` keeps the rounds going when a first plan does not pay.
    pub(super) fn new(
        plans: Plans<'p>,
        workspace: &Workspace,
        selection: &'p prescan::Selection,
        sources: &'p prescan::Sources,
        always_plan: bool,
    ) -> Self {
        let (planner, fixed) = match plans {
            Plans::Demanded(planner) => (planner.map(|p| *p), None),
            Plans::Fixed(hollowing) => (None, Some(hollowing)),
        };
        let planner = planner
            .map(|planner| guessing_in_core(planner, &selection.core, &sources.package_files));
        let mut bytes_below: HashMap<PathBuf, u64> = HashMap::new();
        for (path, text) in &sources.texts {
            for dir in path.ancestors().skip(1) {
                *bytes_below.entry(dir.to_path_buf()).or_default() += text.len() as u64;
            }
        }
        Rounds {
            planner,
            gave_up: None,
            always_plan,
            halving: fixed.is_some(),
            fixed,
            core: &selection.core,
            package_files: &sources.package_files,
            crate_names: workspace.crates.iter().map(CrateSpec::lib_name).collect(),
            bytes_below,
            total_bytes: sources.texts.iter().map(|(_, t)| t.len() as u64).sum(),
            texts: &sources.texts,
        }
    }

    /// Roughly how long a unit takes: the bytes below its root's directory.
    fn weight(&self, unit: &Unit) -> u64 {
        self.bytes_below.get(unit_dir(unit)).copied().unwrap_or(0)
    }

    /// Whether a unit is loaded and modelled by two threads at once ([`super::halves`]): in a
    /// run whose plan was fixed before it started, a library whose directory holds more than
    /// a thread's share of the bytes read, so that the other threads would run out of units
    /// while it runs (syd's library, whose directory holds 99% of the bytes; not boxlite's,
    /// 40% of the bench's container corpus, where halving cost 12% more wall time on two
    /// threads), when no file there spells an `nslint` directive (whose attributes one
    /// thread reads for the whole unit).
    fn in_halves(&self, unit: &Unit) -> bool {
        let dir = unit_dir(unit);
        let threads = rayon::current_num_threads() as u64;
        self.halving
            && unit.library
            && threads > 1
            && self.weight(unit) * threads > self.total_bytes
            && !self.texts.iter().any(|(path, text)| {
                path.starts_with(dir) && text.contains(crate::suppress::DIRECTIVE_WORD)
            })
    }

    /// Runs `work` on the units `which` selects, in parallel, longest first (by the bytes
    /// below their root's directory), so that no long unit is left to run alone at the end;
    /// results come back in unit order. `unstarted` counts the units not started yet.
    fn longest_first<T: Send>(
        &self,
        units: &[Unit],
        which: impl Fn(usize) -> bool + Sync,
        unstarted: Option<&Unstarted>,
        work: impl Fn(usize) -> T + Sync + Send,
    ) -> Vec<Option<T>> {
        use rayon::prelude::*;
        let mut order: Vec<usize> = (0..units.len()).filter(|&i| which(i)).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(self.weight(&units[i])));
        if let Some(unstarted) = unstarted {
            unstarted.reset(order.len());
        }
        // A shared queue in that order: each thread takes the next unit when it is free.
        let done: Vec<(usize, T)> = order
            .into_iter()
            .par_bridge()
            .map(|i| {
                if let Some(unstarted) = unstarted {
                    unstarted.start();
                }
                (i, work(i))
            })
            .collect();
        let mut results: Vec<Option<T>> =
            std::iter::repeat_with(|| None).take(units.len()).collect();
        for (i, result) in done {
            results[i] = Some(result);
        }
        results
    }

    /// The planner, when its plans depend on what analysis demands.
    fn demand_driven(&self) -> Option<&hollow::Planner<'p>> {
        self.planner.as_ref().filter(|p| p.is_demand_driven())
    }

    /// Whether a unit is modelled under `hollowing`: a package analysed only for its
    /// dependents' sake waits until a plan keeps one of its bodies.
    fn needs(&self, unit: &Unit, hollowing: &Hollowing) -> bool {
        let Some(owner) = unit.owner.filter(|_| self.demand_driven().is_some()) else {
            return true;
        };
        let index = owner.crate_index;
        self.core.get(index).copied().unwrap_or(true)
            || self
                .package_files
                .get(index)
                .is_none_or(|files| files.iter().any(|file| hollowing.keeps_a_body_in(file)))
    }

    /// Loads and models every unit, in parallel, in rounds: each round blanks the bodies the
    /// planner rules out given what analysis has demanded so far ([`hollow::Demand`]), and
    /// models again only the units one of whose files is blanked differently than before (and
    /// the packages analysed for their dependents' sake once a plan keeps one of their bodies),
    /// until analysis demands nothing new. A warm run starts from what the last run demanded, so
    /// that its plan, and so its cache entries, are those of the last run.
    ///
    /// A run gives hollowing up when its first plan blanks less than [`MIN_BLANKED`] of the
    /// bodies: on code where namespace work is everywhere, rounds of demand cost more than the
    /// few blanked bodies save (lintcheck's container crates: 14% blanked; the bench's
    /// generated corpora: 74% and 93%). A warm run whose last run went on, and kept its demand,
    /// goes on too, so that its plan is the last run's. A run gives hollowing up before any
    /// plan ([`gives_up_early`], with a [`Plans::Fixed`] plan made without the planner's
    /// index) when one package holds [`MAX_PACKAGE_SHARE`] of the bytes analysed: each round
    /// models again every unit whose plan changed, so each one costs most of a full run when
    /// one unit is most of the code. With rounds, lintcheck's boxlite, netavark, libcontainer,
    /// youki and firecracker took 1.2-2.8 times the wall time of a run without the fast path,
    /// and a first run into an empty cache took 2.2-2.5 times as long on the bench's container
    /// corpus; the bench's generated corpora, whose analysed packages are many and small, keep
    /// their rounds (the smallest sparse one, whose few analysed packages concentrate, loses a
    /// fifth of its 43 ms). A run that gave hollowing up models everything once, with doc
    /// comments made plain, as a full run would.
    ///
    /// With `vouch`, the run also says what a later run checks edits against: the final plan
    /// and its vocabulary, or for a run that gave hollowing up, those of the plan made for what
    /// its full model demands ([`vouch_for_full_model`]; `vouch` makes the planner when the
    /// plan was fixed, while the units are modelled).
    pub(super) fn analyse(
        mut self,
        units: &[Unit],
        context: UnitContext<'_>,
        cache: Option<&Cache>,
        vouch: Option<MakePlanner<'_, 'p>>,
    ) -> (Vec<UnitOutput>, Option<hollow::Vouching>) {
        let stored_demand = self
            .demand_driven()
            .and_then(|_| cache?.load::<hollow::Demand>(DEMAND_KEY))
            .map(|(_, demand)| demand);
        let mut demand = stored_demand.clone().unwrap_or_default();
        // A planner to vouch with is made beside the units when the plan was fixed.
        let must_make = self.fixed.is_some();
        let mut hollowing = self.first_plan(&demand, stored_demand.is_some());
        timings::add(Count::Rounds, 1);
        // Only a demand-driven plan may have rounds after the first.
        let first = UnitContext {
            hollowing: &hollowing,
            unstarted: context.unstarted.filter(|_| self.demand_driven().is_none()),
            ..context
        };
        let model_first = || {
            self.longest_first(
                units,
                |i| self.needs(&units[i], &hollowing),
                first.unstarted,
                |i| load_or_run(&units[i], &first, cache, self.in_halves(&units[i])),
            )
        };
        // `None`: not needed yet; else the output and whether it was made afresh.
        let (mut outputs, made): (Vec<Option<(UnitOutput, bool)>>, _) =
            match vouch.filter(|_| must_make) {
                Some(make) => {
                    let (made, outputs) =
                        rayon::join(|| timings::time(Stage::Prescan, make), model_first);
                    (outputs, made)
                }
                None => (model_first(), None),
            };
        if let Some(made) = made {
            self.gave_up = Some(guessing_in_core(made, self.core, self.package_files));
        }
        while let Some(planner) = self.demand_driven() {
            let facts: Vec<&CrateFacts> = outputs.iter().flatten().map(|(o, _)| &o.facts).collect();
            let found = timings::time(Stage::Effects, || {
                effects::demand(&facts, &self.crate_names)
            });
            let mut next = demand.clone();
            if !next.absorb(found) {
                break;
            }
            let replanned = timings::time(Stage::Prescan, || planner.plan(&next));
            demand = next;
            if replanned == hollowing {
                break;
            }
            let previous = std::mem::replace(&mut hollowing, replanned);
            timings::add(Count::Rounds, 1);
            // Whether this round is the last shows only after it.
            let context = UnitContext {
                hollowing: &hollowing,
                unstarted: None,
                ..context
            };
            let again: Vec<bool> = (0..units.len())
                .map(|i| match &outputs[i] {
                    Some((output, _)) => output.db.iter().any(|(_, file)| {
                        previous.blanks_of(&file.path) != hollowing.blanks_of(&file.path)
                    }),
                    None => self.needs(&units[i], &hollowing),
                })
                .collect();
            // What a round models again is dropped before it runs: old and new facts held
            // together raised the peak by a round's worth of facts.
            for (output, again) in outputs.iter_mut().zip(&again) {
                if *again {
                    *output = None;
                }
            }
            let redone = self.longest_first(
                units,
                |i| again[i],
                None,
                |i| load_or_run(&units[i], &context, cache, self.in_halves(&units[i])),
            );
            for (output, redone) in outputs.iter_mut().zip(redone) {
                if redone.is_some() {
                    *output = redone;
                }
            }
        }
        if let Some(cache) = cache {
            // What made the final plan, so that the next run starts from it (names no file
            // spells any more are dropped).
            if let Some(planner) = self.demand_driven() {
                let known = planner.known(demand.clone());
                if stored_demand.as_ref() != Some(&known) {
                    cache.store(DEMAND_KEY, Vec::new(), &known);
                }
            }
            for (done, unit) in outputs.iter().zip(units) {
                if let Some((output, true)) = done {
                    store_unit(unit, output, &hollowing, cache);
                }
            }
        }
        let (kept, blanked) = hollowing.counts();
        timings::add(Count::BodiesKept, kept);
        timings::add(Count::BodiesBlanked, blanked);
        let vouched = vouch.and_then(|_| self.vouching(&demand, hollowing, &outputs));
        let outputs = outputs
            .into_iter()
            .map(|done| done.map(|(output, _)| output).unwrap_or_default())
            .collect();
        (outputs, vouched)
    }

    /// The plan the units are modelled with first: the fixed one, or the planner's for
    /// `demand`, unless that does not pay ([`MIN_BLANKED`]) and neither [`Self::always_plan`]
    /// nor a demand kept by the last run (`stored`) says to go on; then hollowing is given up,
    /// and the planner only vouches for edits.
    fn first_plan(&mut self, demand: &hollow::Demand, stored: bool) -> Hollowing {
        if let Some(fixed) = self.fixed.take() {
            return fixed;
        }
        let first = timings::time(Stage::Prescan, || {
            self.planner
                .as_ref()
                .map(|p| p.plan(demand))
                .unwrap_or_default()
        });
        if self.always_plan || stored || pays(&first) {
            return first;
        }
        self.gave_up = self.planner.take();
        self.gave_up
            .as_ref()
            .map(|p| p.docs_only())
            .unwrap_or_default()
    }

    /// What a later run checks edits against: the final plan and its vocabulary for a
    /// demand-driven run (with the fast path, not strict), else [`vouch_for_full_model`] with
    /// the planner of a run that gave up.
    fn vouching(
        &self,
        demand: &hollow::Demand,
        hollowing: Hollowing,
        outputs: &[Option<(UnitOutput, bool)>],
    ) -> Option<hollow::Vouching> {
        if let Some(planner) = self.demand_driven() {
            let vocabulary = planner.vocabulary(demand, &hollowing)?;
            return Some(hollow::Vouching {
                vocabulary,
                plan: hollowing,
            });
        }
        vouch_for_full_model(self.gave_up.as_ref()?, outputs, &self.crate_names)
    }
}

/// `planner`, guessing what bodies read only in the packages analysed for their own sake, and
/// in loose files: packages analysed only for their dependents' sake are loaded when a
/// region reads one of their bodies, not on a guess.
fn guessing_in_core<'p>(
    mut planner: hollow::Planner<'p>,
    core: &[bool],
    package_files: &[Vec<PathBuf>],
) -> hollow::Planner<'p> {
    let mut owner: HashMap<&Path, bool> = HashMap::new();
    for (files, core) in package_files.iter().zip(core) {
        for file in files {
            *owner.entry(file.as_path()).or_default() |= *core;
        }
    }
    planner.guess_only_in(|path| owner.get(path).copied().unwrap_or(true));
    planner
}

/// What a run that gave hollowing up vouches for edits with: the plan a demand-driven run
/// would end with, had it started from what analysis of every body demands (the way a warm
/// run starts from the demand the last run kept), and that plan's vocabulary. Such a run
/// would stop at its first plan: a model with fewer bodies demands no more than the full
/// model does (a body a plan blanks has an empty summary, and no region reads it). `None`
/// in strict mode, where no edit is vouched for.
fn vouch_for_full_model(
    planner: &hollow::Planner<'_>,
    outputs: &[Option<(UnitOutput, bool)>],
    crate_names: &BTreeSet<String>,
) -> Option<hollow::Vouching> {
    if !planner.is_demand_driven() {
        return None;
    }
    let facts: Vec<&CrateFacts> = outputs.iter().flatten().map(|(o, _)| &o.facts).collect();
    let demand = timings::time(Stage::Effects, || effects::demand(&facts, crate_names));
    let plan = timings::time(Stage::Prescan, || planner.plan(&demand));
    let vocabulary = planner.vocabulary(&demand, &plan)?;
    Some(hollow::Vouching { vocabulary, plan })
}

/// The directory of a unit's root file.
fn unit_dir(unit: &Unit) -> &Path {
    unit.root.parent().unwrap_or(&unit.root)
}

/// Whether a run gives hollowing up before any plan, keeping every body: one package's files
/// hold [`MAX_PACKAGE_SHARE`] or more of the bytes read for analysis (loose files count in the
/// whole, never as a package; see [`Rounds::analyse`]).
pub(super) fn gives_up_early(sources: &prescan::Sources) -> bool {
    let length: HashMap<&Path, u64> = sources
        .texts
        .iter()
        .map(|(path, text)| (path.as_path(), text.len() as u64))
        .collect();
    let total: u64 = length.values().sum();
    let largest = sources
        .package_files
        .iter()
        .map(|files| {
            files
                .iter()
                .filter_map(|file| length.get(file.as_path()))
                .sum::<u64>()
        })
        .max()
        .unwrap_or(0);
    total > 0 && largest as f64 >= MAX_PACKAGE_SHARE * total as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Text;

    /// Sources with packages of files of the given sizes, and loose files besides.
    fn sources(packages: &[&[usize]], loose: &[usize]) -> prescan::Sources {
        let mut texts = Vec::new();
        let mut package_files = Vec::new();
        for (p, sizes) in packages.iter().enumerate() {
            let mut files = Vec::new();
            for (f, &size) in sizes.iter().enumerate() {
                let path = PathBuf::from(format!("p{p}/f{f}.rs"));
                texts.push((path.clone(), Text::from(" ".repeat(size))));
                files.push(path);
            }
            package_files.push(files);
        }
        for (f, &size) in loose.iter().enumerate() {
            texts.push((
                PathBuf::from(format!("loose{f}.rs")),
                Text::from(" ".repeat(size)),
            ));
        }
        texts.sort_by(|a, b| a.0.cmp(&b.0));
        prescan::Sources {
            texts,
            package_files,
        }
    }

    #[test]
    fn a_package_with_a_quarter_of_the_bytes_concentrates_them() {
        assert!(gives_up_early(&sources(&[&[100, 200]], &[])));
        assert!(gives_up_early(&sources(
            &[&[30, 20], &[50], &[50], &[50]],
            &[]
        )));
    }

    #[test]
    fn many_packages_of_less_than_a_quarter_do_not() {
        assert!(!gives_up_early(&sources(
            &[&[20, 20], &[40], &[40], &[40], &[40]],
            &[]
        )));
        // Loose files count in the whole, never as a package.
        assert!(!gives_up_early(&sources(&[&[10]], &[100])));
        assert!(!gives_up_early(&sources(&[], &[100])));
        assert!(!gives_up_early(&sources(&[], &[])));
    }
}
