//! Scale benchmark (issue 7): generates deterministic workspaces of N lines and measures, in
//! one run, `cargo-nslint` cold and warm wall time and peak memory against the single-thread
//! parse floor (`syn::parse_file` on every file, in a child process) and the read floor
//! (`grep -r setns`), plus nslint's own stage timings (issue 4's effects-vs-parse figure).
//!
//! Run: `cargo bench --bench scale`. Options (environment variables):
//! - `NSLINT_BENCH_SIZES=50000,200000,1000000` corpus sizes in lines;
//! - `NSLINT_BENCH_RUNS=3` repetitions of each timed command (the median is reported);
//! - `NSLINT_BENCH_PAIR_SECONDS=20`: parse floor / cold pairs go on past `NSLINT_BENCH_RUNS`
//!   until they have taken this long (at most [`MAX_PAIRS`]), so small corpora, whose runs
//!   are short and the noisiest, get more pairs;
//! - `NSLINT_BENCH_SEED=7` corpus seed; `NSLINT_BENCH_SPARSE_PERCENT=5` the share of crates
//!   with namespace code in the sparse corpus;
//! - `NSLINT_BENCH_ONLY=generate` writes the corpora and stops (for profiling);
//! - `NSLINT_BENCH_REAL=tokio,syd` the real corpora to measure ([`real::CORPORA`]; `none` for
//!   none), fetched through cargo at exact versions; `NSLINT_BENCH_SIZES=none` measures only
//!   those.
//!
//! Corpora go to `<target>/nslint-bench/` (real ones to `real/`), the report to
//! `<target>/bench-report.md`. Targets are printed PASS/FAIL; a miss does not fail the process
//! (this is a measurement).

mod corpus;
mod real;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The binary under test, built by cargo with the bench profile.
const BIN: &str = env!("CARGO_BIN_EXE_cargo-nslint");

/// One corpus flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Every crate touches namespaces.
    Full,
    /// A few percent of crates do.
    Sparse,
}

/// Figures of one command run.
#[derive(Debug, Clone, Default)]
struct Run {
    wall: Duration,
    /// Peak resident set of the child, in KiB: its own (`--timings`), else `wait4`'s, which
    /// also holds this process's peak.
    max_rss_kib: u64,
    user: Duration,
    sys: Duration,
    exit: i32,
    /// JSON messages printed.
    messages: usize,
    /// `--timings` lines: (stage, seconds).
    stages: Vec<(String, f64)>,
}

/// Everything measured on one corpus.
#[derive(Debug, Clone, Default)]
struct CorpusResult {
    stats: corpus::Stats,
    parse_floor: Duration,
    /// Median over pairs of a cold run's wall time over its parse floor run, run just before
    /// or just after it: a pair runs back to back, so the machine's drift in speed mostly
    /// cancels.
    cold_to_floor: f64,
    /// How many floor / cold pairs were run.
    pairs: usize,
    parse_failures: usize,
    read_floor: Duration,
    cold: Run,
    /// Peak over all cold runs, in KiB.
    cold_peak_kib: u64,
    warm: Option<Run>,
}

struct Options {
    sizes: Vec<usize>,
    /// The real corpora to measure, by name.
    real: Vec<String>,
    runs: usize,
    /// How long the floor / cold pairs of one corpus go on at least.
    pair_time: Duration,
    seed: u64,
    sparse_percent: u32,
    only_generate: bool,
    target: PathBuf,
}

impl Options {
    fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let sizes = var("NSLINT_BENCH_SIZES")
            .map(|v| {
                v.split(',')
                    .filter(|s| s.trim() != "none")
                    .map(|s| {
                        s.trim()
                            .replace('_', "")
                            .parse()
                            .expect("NSLINT_BENCH_SIZES: comma-separated line counts")
                    })
                    .collect()
            })
            .unwrap_or_else(|| vec![50_000, 200_000, 1_000_000]);
        let number = |name: &str, default: u64| {
            var(name).map_or(default, |v| {
                v.trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("{name}: expected a number, got `{v}`"))
            })
        };
        let target = Path::new(BIN)
            .parent()
            .and_then(Path::parent)
            .expect("the binary lives in <target>/<profile>/")
            .to_path_buf();
        let real = var("NSLINT_BENCH_REAL").map_or_else(
            || real::CORPORA.iter().map(|c| c.name.to_owned()).collect(),
            |v| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty() && s != "none")
                    .collect()
            },
        );
        Options {
            sizes,
            real,
            runs: number("NSLINT_BENCH_RUNS", 3).max(1) as usize,
            pair_time: Duration::from_secs(number("NSLINT_BENCH_PAIR_SECONDS", 20)),
            seed: number("NSLINT_BENCH_SEED", 7),
            sparse_percent: number("NSLINT_BENCH_SPARSE_PERCENT", 5) as u32,
            only_generate: var("NSLINT_BENCH_ONLY").is_some_and(|v| v == "generate"),
            target,
        }
    }
}

/// The same allocator as `cargo-nslint`, so the parse floor and nslint pay the same for syn's
/// allocations (the system allocator made the floor about 1.7 times slower); the floor child
/// keeps out of huge pages as `cargo-nslint` does (`nslint::pages`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Set (to a corpus directory) when this binary runs as the parse-floor child.
const FLOOR_DIR: &str = "NSLINT_BENCH_FLOOR_DIR";
/// The most floor / cold pairs `NSLINT_BENCH_PAIR_SECONDS` adds on one corpus.
const MAX_PAIRS: usize = 25;

/// How many times the parse-floor child parses the corpus.
const FLOOR_RUNS: &str = "NSLINT_BENCH_FLOOR_RUNS";

fn main() {
    if let Some(dir) = std::env::var_os(FLOOR_DIR) {
        let runs = std::env::var(FLOOR_RUNS)
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(1);
        parse_floor_here(Path::new(&dir), runs);
        return;
    }
    let options = Options::from_env();
    let bench_dir = options.target.join("nslint-bench");
    let help = Command::new(BIN)
        .arg("--help")
        .output()
        .expect("cargo-nslint --help runs");
    let help = String::from_utf8_lossy(&help.stdout);
    let has_cache = help.contains("--cache-dir");
    let has_timings = help.contains("--timings");
    let machine = machine_info();
    println!("{machine}");
    println!(
        "cargo-nslint: {BIN} (--cache-dir: {}, --timings: {}); runs per figure: {}\n",
        yes_no(has_cache),
        yes_no(has_timings),
        options.runs
    );
    let mut rows: Vec<(usize, CorpusResult, CorpusResult)> = Vec::new();
    for &size in &options.sizes {
        let mut results = Vec::new();
        for mode in [Mode::Full, Mode::Sparse] {
            let percent = match mode {
                Mode::Full => 100,
                Mode::Sparse => options.sparse_percent,
            };
            let dir = bench_dir.join(format!("corpus-{percent}pct-{size}"));
            let config = corpus::Config {
                lines: size,
                ns_percent: percent,
                seed: options.seed,
            };
            let started = Instant::now();
            let stats = corpus::generate(&dir, &config).expect("the corpus is written");
            eprintln!(
                "generated {} ({} crates, {} with namespace code, {} files, {} lines) in {:.1}s",
                dir.display(),
                stats.crates,
                stats.ns_crates,
                stats.files,
                stats.lines,
                started.elapsed().as_secs_f64()
            );
            if options.only_generate {
                continue;
            }
            let cache = bench_dir.join(format!("cache-{percent}pct-{size}"));
            let result = measure(&dir, stats, mode, &cache, has_cache, has_timings, &options);
            results.push(result);
        }
        if let [full, sparse] = &results[..] {
            rows.push((size, full.clone(), sparse.clone()));
        }
    }
    let mut real_rows: Vec<(&real::RealCorpus, CorpusResult)> = Vec::new();
    for corpus in real::CORPORA
        .iter()
        .filter(|c| options.real.iter().any(|r| r == c.name))
    {
        let started = Instant::now();
        let (dir, stats) = match real::assemble(corpus, &bench_dir.join("real")) {
            Ok(found) => found,
            Err(error) => {
                eprintln!("warning: real corpus `{}` skipped: {error}", corpus.name);
                continue;
            }
        };
        eprintln!(
            "assembled {} ({} crates, {} files, {} lines) in {:.1}s",
            dir.display(),
            stats.crates,
            stats.files,
            stats.lines,
            started.elapsed().as_secs_f64()
        );
        if options.only_generate {
            continue;
        }
        // The warm runs edit a file of the fetched sources: it is put back afterwards.
        let edited = std::fs::read(&stats.edit_target).expect("the edit target is readable");
        let target = stats.edit_target.clone();
        let cache = bench_dir.join(format!("cache-real-{}", corpus.name));
        let result = measure(
            &dir,
            stats,
            Mode::Full,
            &cache,
            has_cache,
            has_timings,
            &options,
        );
        std::fs::write(&target, edited).expect("the edit target is restored");
        real_rows.push((corpus, result));
    }
    if options.only_generate {
        return;
    }
    let mut report = render(
        &rows,
        &machine,
        has_cache,
        options.runs,
        options.pair_time,
        options.sparse_percent,
    );
    report.push_str(&render_real(&real_rows));
    let _ = writeln!(report, "\nload average at the end: {}", load_average());
    println!("{report}");
    let path = options.target.join("bench-report.md");
    std::fs::write(&path, &report).expect("the report is written");
    println!("report written to {}", path.display());
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The parse floor, measured in a child process (this binary again): the parsed texts, syn's
/// trees and proc-macro2's source map would otherwise stay in this process, and a child
/// spawned afterwards reports this process's resident size as part of its own peak (the
/// spawn shares the address space until `exec`). Returns the median and the number of files
/// that did not parse.
fn parse_floor_in_child(dir: &Path, runs: usize) -> (Duration, usize) {
    let exe = std::env::current_exe().expect("the bench knows its own path");
    let output = Command::new(exe)
        .env(FLOOR_DIR, dir)
        .env(FLOOR_RUNS, runs.to_string())
        .stderr(Stdio::inherit())
        .output()
        .expect("the parse-floor child runs");
    assert!(output.status.success(), "the parse-floor child failed");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut fields = text.split_whitespace().map(|f| f.parse::<u64>());
    match (fields.next(), fields.next()) {
        (Some(Ok(nanos)), Some(Ok(failures))) => (Duration::from_nanos(nanos), failures as usize),
        _ => panic!("the parse-floor child printed `{text}`"),
    }
}

/// The parse-floor child: `syn::parse_file` on every `.rs` file of `dir`, one thread, texts
/// read beforehand, `runs` times; prints the median in nanoseconds and the number of files
/// that did not parse.
fn parse_floor_here(dir: &Path, runs: usize) {
    // Paged as `cargo-nslint` pages its memory, for the same reason as the allocator.
    nslint::pages::without_huge_pages();
    let texts: Vec<(PathBuf, String)> = rust_files(dir)
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("corpus files are UTF-8");
            (p, text)
        })
        .collect();
    let mut parse_failures = 0;
    let floor = median(
        (0..runs.max(1))
            .map(|_| {
                let started = Instant::now();
                let mut failures = 0;
                for (path, text) in &texts {
                    match syn::parse_file(text) {
                        Ok(ast) => drop(std::hint::black_box(ast)),
                        Err(error) => {
                            if failures == 0 {
                                eprintln!("warning: {} does not parse: {error}", path.display());
                            }
                            failures += 1;
                        }
                    }
                }
                parse_failures = failures;
                started.elapsed()
            })
            .collect(),
    );
    println!("{} {parse_failures}", floor.as_nanos());
}

/// Measures one corpus: floors, cold runs and (full corpus) warm runs.
fn measure(
    dir: &Path,
    stats: corpus::Stats,
    mode: Mode,
    cache: &Path,
    has_cache: bool,
    has_timings: bool,
    options: &Options,
) -> CorpusResult {
    let runs = options.runs;
    let read_floor = median(
        (0..runs)
            .map(|_| {
                let mut grep = Command::new("grep");
                grep.arg("-r").arg("setns").arg(dir);
                run_measured(&mut grep, None).wall
            })
            .collect(),
    );
    // Cold runs keep no cache (`--no-cache`, issue 19's terms); warm runs keep theirs in
    // `cache`.
    let nslint = |warm: bool| {
        let mut command = Command::new(BIN);
        command
            .arg("nslint")
            .arg("--manifest-path")
            .arg(dir.join("Cargo.toml"))
            .args([
                "--workspace",
                "--message-format",
                "json",
                "--color",
                "never",
            ])
            .current_dir(dir);
        if has_timings {
            command.arg("--timings");
        }
        if warm && has_cache {
            command.arg("--cache-dir").arg(cache);
        } else if has_cache {
            command.arg("--no-cache");
        }
        command
    };
    let out = dir.with_extension("out");
    let mut colds = Vec::new();
    let mut floors = Vec::new();
    let mut parse_failures = 0;
    // The parse floor and the cold runs alternate, so that both medians come from the same
    // stretch of time on a machine whose speed drifts; every other pair runs the cold run
    // first, so that a drift within a pair does not always favour the same side.
    let started = Instant::now();
    let mut pair = 0;
    while pair < runs || (started.elapsed() < options.pair_time && pair < MAX_PAIRS) {
        let mut cold = || {
            let run = run_measured(&mut nslint(false), Some(&out));
            check_exit("cold", dir, &run, &out);
            run
        };
        let cold_first = pair % 2 == 1;
        let early_cold = cold_first.then(&mut cold);
        let (floor, failures) = parse_floor_in_child(dir, 1);
        floors.push(floor);
        parse_failures = failures;
        colds.push(early_cold.unwrap_or_else(cold));
        pair += 1;
    }
    let mut ratios: Vec<f64> = floors
        .iter()
        .zip(&colds)
        .map(|(floor, cold)| secs(cold.wall) / secs(*floor).max(1e-9))
        .collect();
    ratios.sort_by(f64::total_cmp);
    let cold_to_floor = ratios.get(ratios.len() / 2).copied().unwrap_or(f64::NAN);
    let parse_floor = median(floors);
    let cold_peak_kib = colds.iter().map(|r| r.max_rss_kib).max().unwrap_or(0);
    let cold = median_run(colds);
    let warm = (mode == Mode::Full).then(|| {
        if cache.exists() {
            std::fs::remove_dir_all(cache).expect("the old cache is removed");
        }
        // Fills the cache, unmeasured.
        run_measured(&mut nslint(true), Some(&out));
        let mut warms = Vec::new();
        for i in 0..runs {
            edit(&stats.edit_target, i);
            let run = run_measured(&mut nslint(true), Some(&out));
            check_exit("warm", dir, &run, &out);
            warms.push(run);
        }
        median_run(warms)
    });
    CorpusResult {
        stats,
        parse_floor,
        cold_to_floor,
        pairs: pair,
        parse_failures,
        read_floor,
        cold,
        cold_peak_kib,
        warm,
    }
}

/// Reports a run that failed (exit 2: usage or internal error); 0 and 1 are normal.
fn check_exit(what: &str, dir: &Path, run: &Run, out: &Path) {
    if run.exit > 1 {
        let stderr = std::fs::read_to_string(out.with_extension("err")).unwrap_or_default();
        eprintln!(
            "warning: {what} run on {} exited with {}:\n{}",
            dir.display(),
            run.exit,
            stderr.lines().take(20).collect::<Vec<_>>().join("\n")
        );
    }
}

/// Appends a function to a file, as an editor save would.
fn edit(path: &Path, i: usize) {
    let mut text = std::fs::read_to_string(path).expect("the edit target is readable");
    let _ = write!(
        text,
        "\n/// Added by the benchmark's warm-run edit {i}.\npub fn warm_edit_{i}(values: &[u64]) -> u64 {{\n    values.iter().sum::<u64>() + {i}\n}}\n"
    );
    std::fs::write(path, text).expect("the edit target is writable");
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("corpus directories are readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Runs a command to completion with `wait4`, so that its own resource usage (CPU time, and
/// peak RSS when the command does not print its own with `--timings`) is known. Standard
/// output goes to `out` (or nowhere), standard error next to it.
fn run_measured(command: &mut Command, out: Option<&Path>) -> Run {
    command.stdin(Stdio::null());
    match out {
        Some(path) => {
            command.stdout(std::fs::File::create(path).expect("output file"));
            command.stderr(std::fs::File::create(path.with_extension("err")).expect("error file"));
        }
        None => {
            command.stdout(Stdio::null()).stderr(Stdio::null());
        }
    }
    let started = Instant::now();
    let child = command.spawn().expect("the command starts");
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our child, not yet reaped (std's `Child` is never waited on);
        // the pointers are to live locals.
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == pid {
            break;
        }
        let error = std::io::Error::last_os_error();
        assert_eq!(
            error.kind(),
            std::io::ErrorKind::Interrupted,
            "wait4 failed: {error}"
        );
    }
    let wall = started.elapsed();
    drop(child);
    let exit = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1_000);
    let mut run = Run {
        wall,
        max_rss_kib: usage.ru_maxrss as u64,
        user: tv(usage.ru_utime),
        sys: tv(usage.ru_stime),
        exit,
        ..Run::default()
    };
    if let Some(path) = out {
        let stdout = std::fs::read_to_string(path).unwrap_or_default();
        run.messages = stdout
            .lines()
            .filter(|l| l.contains("compiler-message"))
            .count();
        let stderr = std::fs::read_to_string(path.with_extension("err")).unwrap_or_default();
        run.stages = parse_timings(&stderr);
        // `ru_maxrss` holds this process's own peak too, taken over through the spawn.
        if let Some(kib) = parse_peak(&stderr) {
            run.max_rss_kib = kib;
        }
    }
    run
}

/// Reads the `nslint-memory: peak-rss-kib <KiB>` line of `--timings`: the child's own peak.
fn parse_peak(stderr: &str) -> Option<u64> {
    stderr
        .lines()
        .find_map(|line| line.strip_prefix("nslint-memory: peak-rss-kib"))?
        .trim()
        .parse()
        .ok()
}

/// Reads `nslint-timings: <stage> <seconds>` lines.
fn parse_timings(stderr: &str) -> Vec<(String, f64)> {
    stderr
        .lines()
        .filter_map(|line| line.strip_prefix("nslint-timings:"))
        .filter_map(|rest| {
            let mut parts = rest.split_whitespace();
            let stage = parts.next()?.to_owned();
            let seconds = parts.next()?.parse().ok()?;
            Some((stage, seconds))
        })
        .collect()
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn median_run(mut runs: Vec<Run>) -> Run {
    runs.sort_by_key(|r| r.wall);
    runs.swap_remove(runs.len() / 2)
}

fn machine_info() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let text = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    let date = text("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let mut commit = text("git", &["rev-parse", "--short", "HEAD"]);
    if !text("git", &["status", "--porcelain", "--", "src", "Cargo.toml"]).is_empty() {
        commit.push_str("+uncommitted");
    }
    let rustc = text(
        &std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned()),
        &["-V"],
    );
    format!(
        "machine: {cpu}, {cores} cores, {mem_gib:.1} GiB, Linux {}; {rustc}; nslint {commit}; \
         {date}; load average at start {}",
        kernel.trim(),
        load_average()
    )
}

/// The 1, 5 and 15 minute load averages: a busy machine makes every figure worse.
fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn lines_per_s(lines: usize, d: Duration) -> String {
    let rate = lines as f64 / secs(d).max(1e-9);
    if rate >= 1e6 {
        format!("{:.2}M", rate / 1e6)
    } else {
        format!("{:.0}k", rate / 1e3)
    }
}

fn timed(lines: usize, d: Duration) -> String {
    format!("{:.3} s ({} l/s)", secs(d), lines_per_s(lines, d))
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn stage(run: &Run, name: &str) -> Option<f64> {
    run.stages.iter().find(|(s, _)| s == name).map(|(_, v)| *v)
}

fn pass(ok: bool) -> &'static str {
    if ok { "PASS" } else { "FAIL" }
}

/// The real corpora's table and targets (issue 19): cold and warm wall time, peak memory and
/// the cold / parse floor ratio, measured in the same run.
fn render_real(rows: &[(&real::RealCorpus, CorpusResult)]) -> String {
    let mut out = String::new();
    if rows.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\n## Real crates (issue 19)\n");
    let _ = writeln!(
        out,
        "Crates fetched through cargo at exact versions, one workspace per corpus; the same \
         pairs of parse floor and cold runs as above.\n"
    );
    let _ = writeln!(
        out,
        "| corpus | crates | files | lines | parse floor | cold | warm (cache, 1 file edited) | peak MiB | cold / parse floor | pairs | target | findings |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (corpus, r) in rows {
        let crates: Vec<String> = corpus
            .crates
            .iter()
            .map(|(n, v)| format!("{n} {v}"))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {:.1} | {:.2} | {} | ≤ {:.2} {} | {} |",
            corpus.name,
            crates.join(", "),
            r.stats.files,
            r.stats.lines,
            timed(r.stats.lines, r.parse_floor),
            timed(r.stats.lines, r.cold.wall),
            r.warm
                .as_ref()
                .map_or("–".to_owned(), |w| timed(r.stats.lines, w.wall)),
            mib(r.cold_peak_kib),
            r.cold_to_floor,
            r.pairs,
            corpus.target,
            pass(r.cold_to_floor <= corpus.target),
            r.cold.messages,
        );
    }
    let _ = writeln!(out, "\n| corpus | what | cold stages (s) |");
    let _ = writeln!(out, "|---|---|---|");
    for (corpus, r) in rows {
        let stages: Vec<String> = r
            .cold
            .stages
            .iter()
            .map(|(name, secs)| format!("{name} {secs:.3}"))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            corpus.name,
            corpus.what,
            stages.join(", ")
        );
    }
    out
}

/// Growth exponent between the smallest and largest sizes: 1.0 is linear.
fn exponent(x0: f64, y0: f64, x1: f64, y1: f64) -> f64 {
    (y1 / y0).ln() / (x1 / x0).ln()
}

fn render(
    rows: &[(usize, CorpusResult, CorpusResult)],
    machine: &str,
    has_cache: bool,
    runs: usize,
    pair_time: Duration,
    sparse_percent: u32,
) -> String {
    let pair_seconds = pair_time.as_secs();
    let mut out = String::new();
    let warm_label = if has_cache {
        "warm (cache, 1 file edited)"
    } else {
        "warm (NO CACHE: plain re-run after editing 1 file)"
    };
    let _ = writeln!(out, "# nslint scale benchmark\n");
    let _ = writeln!(out, "{machine}  ");
    let _ = writeln!(
        out,
        "Median of {runs} run(s) per figure; parse floor and cold runs come in pairs, at least \
         {runs} and more while a corpus's pairs have taken less than {pair_seconds} s (the \
         \"pairs\" column). \"full\" = every crate touches namespaces, \
         \"{sparse_percent}%\" = {sparse_percent}% of crates do. Parse floor = `syn::parse_file` on \
         every .rs file of the same corpus, one thread, in a child process, files already in memory, \
         mimalloc (nslint's allocator); each cold run (`--no-cache`) is paired with a floor run right before \
         it or, every other pair, right after it, and a cold / parse floor ratio is the median \
         over pairs of cold over floor (the machine's speed drifts; a pair mostly shares it). \
         Read floor = `grep -r setns`. nslint runs with `--workspace --message-format json` \
         (includes `cargo metadata`); cold = no nslint cache, OS page cache warm. Peak = the \
         highest of the cold runs' own peak resident memory (`VmHWM`, printed by `--timings`).\n"
    );
    if rows.is_empty() {
        return out;
    }
    let _ = writeln!(out, "## Wall time (lines/s)\n");
    let _ = writeln!(
        out,
        "| size | corpus | crates (ns) | files | lines | parse floor | read floor | cold | {warm_label} | peak MiB | CPU/wall | findings |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (size, full, sparse) in rows {
        for (name, r) in [("full", full), ("sparse", sparse)] {
            let name = if name == "full" {
                "full".to_owned()
            } else {
                format!("{sparse_percent}%")
            };
            let cpu = secs(r.cold.user + r.cold.sys) / secs(r.cold.wall).max(1e-9);
            let _ = writeln!(
                out,
                "| {size} | {name} | {} ({}) | {} | {} | {} | {} | {} | {} | {:.1} | {:.2} | {} |",
                r.stats.crates,
                r.stats.ns_crates,
                r.stats.files,
                r.stats.lines,
                timed(r.stats.lines, r.parse_floor),
                timed(r.stats.lines, r.read_floor),
                timed(r.stats.lines, r.cold.wall),
                r.warm
                    .as_ref()
                    .map_or("–".to_owned(), |w| timed(r.stats.lines, w.wall)),
                mib(r.cold_peak_kib),
                cpu,
                r.cold.messages,
            );
            if r.parse_failures > 0 {
                let _ = writeln!(
                    out,
                    "\n**{} file(s) of this corpus failed to parse: the generator has a bug.**\n",
                    r.parse_failures
                );
            }
        }
    }
    let _ = writeln!(out, "\n## Ratios\n");
    let _ = writeln!(
        out,
        "| size | cold full / parse floor | cold {sparse_percent}% / parse floor | pairs (full, {sparse_percent}%) | warm / cold (full) | peak full MiB | peak {sparse_percent}% MiB | effects / parse (full) |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for (size, full, sparse) in rows {
        let warm = full
            .warm
            .as_ref()
            .map_or(f64::NAN, |w| secs(w.wall) / secs(full.cold.wall));
        let effects = match (stage(&full.cold, "effects"), stage(&full.cold, "parse")) {
            (Some(e), Some(p)) if p > 0.0 => format!("{:.3} ({e:.3} s / {p:.3} s)", e / p),
            _ => "–".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {size} | {:.2} | {:.2} | {}, {} | {:.2} | {:.1} | {:.1} | {effects} |",
            full.cold_to_floor,
            sparse.cold_to_floor,
            full.pairs,
            sparse.pairs,
            warm,
            mib(full.cold_peak_kib),
            mib(sparse.cold_peak_kib),
        );
    }
    let stage_names: Vec<String> = rows
        .iter()
        .flat_map(|(_, f, s)| f.cold.stages.iter().chain(&s.cold.stages))
        .map(|(n, _)| n.clone())
        .fold(Vec::new(), |mut acc, n| {
            if !acc.contains(&n) {
                acc.push(n);
            }
            acc
        });
    if !stage_names.is_empty() {
        let _ = writeln!(
            out,
            "\n## Stage timings of the cold run (`--timings`, seconds; summed over threads)\n"
        );
        let _ = writeln!(out, "| size | corpus | {} |", stage_names.join(" | "));
        let _ = writeln!(out, "|---|---|{}", "---|".repeat(stage_names.len()));
        for (size, full, sparse) in rows {
            for (name, r) in [("full", full), ("sparse", sparse)] {
                let cells: Vec<String> = stage_names
                    .iter()
                    .map(|n| stage(&r.cold, n).map_or("–".to_owned(), |v| format!("{v:.3}")))
                    .collect();
                let _ = writeln!(out, "| {size} | {name} | {} |", cells.join(" | "));
            }
        }
    }
    let _ = writeln!(out, "\n## Targets (issue 7)\n");
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        let (_, full, sparse) = last;
        let largest = last.0;
        for (size, f, s) in rows {
            let r = f.cold_to_floor;
            let _ = writeln!(
                out,
                "- {} cold full ≤ 1.0× parse floor at {size}: {r:.2}×",
                pass(r <= 1.0)
            );
            let r = s.cold_to_floor;
            let _ = writeln!(
                out,
                "- {} cold {sparse_percent}% ≤ 0.25× parse floor at {size}: {r:.2}×",
                pass(r <= 0.25)
            );
        }
        if let Some(w) = &full.warm {
            let r = secs(w.wall) / secs(full.cold.wall);
            let _ = writeln!(
                out,
                "- {} warm ≤ 0.1× cold at {largest}: {r:.2}×{}",
                pass(r <= 0.1),
                if has_cache {
                    ""
                } else {
                    " (no cache yet: plain re-run)"
                }
            );
        }
        let peak = mib(full.cold_peak_kib.max(sparse.cold_peak_kib));
        let _ = writeln!(
            out,
            "- {} peak ≤ 300 MiB at {largest}: {peak:.1} MiB",
            pass(peak <= 300.0)
        );
        if rows.len() > 1 {
            let (x0, x1) = (first.1.stats.lines as f64, full.stats.lines as f64);
            let growth = |y0: f64, y1: f64| exponent(x0, y0, x1, y1);
            let t = growth(secs(first.1.cold.wall), secs(full.cold.wall));
            let t5 = growth(secs(first.2.cold.wall), secs(sparse.cold.wall));
            let m = growth(mib(first.1.cold_peak_kib), mib(full.cold_peak_kib));
            let p = growth(secs(first.1.parse_floor), secs(full.parse_floor));
            let _ = writeln!(
                out,
                "- {} growth near linear ({}→{} lines; exponent 1.0 = linear, ≤ 1.15 passes): \
                 cold full {t:.2}, cold {sparse_percent}% {t5:.2}, peak memory {m:.2} \
                 (parse floor {p:.2})",
                pass(t <= 1.15 && t5 <= 1.15 && m <= 1.15),
                first.0,
                largest
            );
        }
    }
    out
}
