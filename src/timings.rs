//! Stage timings: the wall time spent in each pipeline stage, printed to stderr with
//! `--timings` (or `NSLINT_TIMINGS=1`) as `nslint-timings: <stage> <seconds>` lines, which the
//! scale benchmark (`benches/scale.rs`) reads, with the process's peak resident memory.
//!
//! Times are accumulated in process-wide counters, so a stage that runs on several threads
//! reports the sum over threads. Recording is always on (an `Instant` pair per file or target,
//! nanoseconds against the work); only printing is opt-in.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A pipeline stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Arguments, `cargo metadata` or the directory walk, configuration and the catalogue.
    Discover,
    /// The fast path's byte scan of every package (see `crate::prescan`).
    Prescan,
    /// Loading module trees: reading files, following `mod` items, and parsing (which is also
    /// counted on its own as [`Stage::Parse`]).
    Load,
    /// `syn` parsing (part of [`Stage::Load`]).
    Parse,
    /// Name resolution: scopes and `use` maps.
    Resolve,
    /// Fact extraction: thread contexts, switches, calls, regions.
    Model,
    /// Dropping syntax trees once their facts are extracted.
    Drop,
    /// The workspace-wide effects fixpoint.
    Effects,
    /// The lints.
    Rules,
    /// Suppressions, levels, exclusions, sorting.
    Suppress,
    /// Rendering and writing the output.
    Report,
}

impl Stage {
    const COUNT: usize = 11;

    fn index(self) -> usize {
        self as usize
    }
}

static NANOS: [AtomicU64; Stage::COUNT] = [const { AtomicU64::new(0) }; Stage::COUNT];

/// A quantity of work, printed beside the timings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Rounds of loading and modelling (hollowing plans tried).
    Rounds,
    /// Targets loaded and modelled, summed over rounds (cache hits excluded).
    UnitsModelled,
    /// Function bodies kept by the final hollowing plan.
    BodiesKept,
    /// Function bodies blanked by the final hollowing plan.
    BodiesBlanked,
    /// Edited files a replay vouched for instead of analysing (`crate::replay`).
    FilesReplayed,
    /// Units loaded and modelled by two threads at once (`analysis/halves.rs`).
    UnitsHalved,
}

impl Count {
    const ALL: [(Count, &'static str); 6] = [
        (Count::Rounds, "rounds"),
        (Count::UnitsModelled, "units-modelled"),
        (Count::BodiesKept, "bodies-kept"),
        (Count::BodiesBlanked, "bodies-blanked"),
        (Count::FilesReplayed, "files-replayed"),
        (Count::UnitsHalved, "units-halved"),
    ];
}

static COUNTS: [AtomicU64; Count::ALL.len()] = [const { AtomicU64::new(0) }; Count::ALL.len()];

/// Each analysed package with why the fast path kept it (`crate::prescan::Reason`).
static KEPT: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Notes why each analysed package is analysed: `<package> <reason>` lines, printed as
/// `nslint-kept:` lines after the counts.
pub fn note_kept(packages: Vec<String>) {
    *KEPT.lock().unwrap_or_else(PoisonError::into_inner) = packages;
}

/// Adds `n` to a count.
pub fn add(count: Count, n: usize) {
    COUNTS[count as usize].fetch_add(n as u64, Ordering::Relaxed);
}

/// Adds `elapsed` to a stage.
pub fn record(stage: Stage, elapsed: Duration) {
    let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
    NANOS[stage.index()].fetch_add(nanos, Ordering::Relaxed);
}

/// Runs `f`, adding its wall time to `stage`.
pub fn time<T>(stage: Stage, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let value = f();
    record(stage, started.elapsed());
    value
}

/// The time accumulated by a stage so far.
pub fn total(stage: Stage) -> Duration {
    Duration::from_nanos(NANOS[stage.index()].load(Ordering::Relaxed))
}

/// Whether `NSLINT_TIMINGS` asks for timings (set, and neither empty nor `0`).
pub fn enabled_by_env() -> bool {
    std::env::var_os("NSLINT_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The report: one `nslint-timings: <stage> <seconds>` line per stage, then the run's total,
/// the counts, an `nslint-kept: <package> <reason>` line per analysed package, and an
/// `nslint-memory: peak-rss-kib <KiB>` line where the system tells the peak.
/// `read+modules` is loading without parsing.
pub fn render(run_total: Duration) -> String {
    let load = total(Stage::Load);
    let parse = total(Stage::Parse);
    let rows = [
        ("discover", total(Stage::Discover)),
        ("prescan", total(Stage::Prescan)),
        ("read+modules", load.saturating_sub(parse)),
        ("parse", parse),
        ("resolve", total(Stage::Resolve)),
        ("model", total(Stage::Model)),
        ("drop-trees", total(Stage::Drop)),
        ("effects", total(Stage::Effects)),
        ("rules", total(Stage::Rules)),
        ("suppress+sort", total(Stage::Suppress)),
        ("report", total(Stage::Report)),
        ("total", run_total),
    ];
    let times = rows
        .iter()
        .map(|(name, d)| format!("nslint-timings: {name:<13} {:>9.4}\n", d.as_secs_f64()));
    let counts = Count::ALL.iter().map(|(count, name)| {
        let n = COUNTS[*count as usize].load(Ordering::Relaxed);
        format!("nslint-counts: {name:<14} {n:>9}\n")
    });
    let kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner);
    let kept = kept.iter().map(|line| format!("nslint-kept: {line}\n"));
    let peak = peak_resident_kib().map(|kib| format!("nslint-memory: peak-rss-kib {kib}\n"));
    times.chain(counts).chain(kept).chain(peak).collect()
}

/// The process's peak resident memory so far, in KiB (`VmHWM` of `/proc/self/status`), where
/// the system tells it. Unlike the `ru_maxrss` a parent gets from `wait4`, it counts this
/// program's memory only: a spawned child's `ru_maxrss` also holds its parent's peak, taken
/// over at `exec` from the address space the spawn shared.
fn peak_resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    line.trim().strip_suffix("kB")?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_accumulate_and_render_one_line_each() {
        record(Stage::Effects, Duration::from_millis(2));
        let value = time(Stage::Effects, || 7);
        assert_eq!(value, 7);
        assert!(total(Stage::Effects) >= Duration::from_millis(2));
        add(Count::Rounds, 2);
        let text = render(Duration::from_secs(1));
        let kept = KEPT.lock().map_or(0, |k| k.len());
        let peak = usize::from(peak_resident_kib().is_some());
        assert_eq!(text.lines().count(), 12 + Count::ALL.len() + kept + peak);
        assert!(text.contains("nslint-counts: rounds"));
        assert!(text.contains("nslint-timings: total"));
        note_kept(vec!["app depends on `nshelp`".to_owned()]);
        assert!(render(Duration::from_secs(1)).contains("nslint-kept: app depends on `nshelp`\n"));
    }

    /// The test process holds at least its own code and stack: a peak of some hundreds of KiB.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_peak_resident_memory_is_read_on_linux() {
        let peak = peak_resident_kib().expect("/proc/self/status has VmHWM");
        assert!(peak > 100, "peak of {peak} KiB");
        assert!(render(Duration::from_secs(1)).contains("nslint-memory: peak-rss-kib "));
    }
}
