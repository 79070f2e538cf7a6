//! The command line: `cargo nslint [OPTIONS] [PATH]...`.

mod check;
mod emit;

use crate::analysis::{Options, analyze_beside};
use crate::baseline::Baseline;
use crate::catalog::Catalog;
use crate::config::{CommandLine, LintLevels};
use crate::discover::{
    CargoSelection, FreshMetadata, Workspace, default_lookup_dirs, discover_cargo_reusing,
    discover_paths,
};
use crate::prescan::EarlyScan;
use crate::registry::{LINTS, Level, find};
use crate::replay::Replay;
use crate::report::MessageFormat;
use crate::report::render_json_chunks;
use crate::timings::{self, Stage};
use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code: nothing at error level.
pub const EXIT_OK: u8 = 0;
/// Exit code: findings at error level.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage, configuration or internal error.
pub const EXIT_ERROR: u8 = 2;

/// Finds Linux namespace hazards in Rust code: raw setns/unshare switches, threads left in
/// the wrong namespace, work escaping a namespace scope. Never builds or runs the code.
#[derive(Debug, Parser)]
#[command(name = "cargo nslint", bin_name = "cargo nslint", version)]
#[command(
    after_help = "Exit status: 0 when nothing is at error level, 1 when findings are, \
                        2 on usage, configuration or internal errors."
)]
pub struct Args {
    /// Files or directories to lint without cargo (directories are walked, honouring .gitignore).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH", help_heading = "Package Selection")]
    pub manifest_path: Option<PathBuf>,
    /// Package(s) to lint (names or package-id specs).
    #[arg(
        short,
        long = "package",
        value_name = "SPEC",
        help_heading = "Package Selection"
    )]
    pub packages: Vec<String>,
    /// Lint all packages in the workspace.
    #[arg(long, visible_alias = "all", help_heading = "Package Selection")]
    pub workspace: bool,
    /// Exclude packages from --workspace.
    #[arg(long, value_name = "SPEC", help_heading = "Package Selection")]
    pub exclude: Vec<String>,

    /// Set lint(s) to allow.
    #[arg(
        short = 'A',
        long = "allow",
        value_name = "LINT",
        help_heading = "Lint Levels"
    )]
    pub allow: Vec<String>,
    /// Set lint(s) to warn.
    #[arg(
        short = 'W',
        long = "warn",
        value_name = "LINT",
        help_heading = "Lint Levels"
    )]
    pub warn: Vec<String>,
    /// Set lint(s) to deny.
    #[arg(
        short = 'D',
        long = "deny",
        value_name = "LINT",
        help_heading = "Lint Levels"
    )]
    pub deny: Vec<String>,
    /// Set lint(s) to forbid.
    #[arg(
        short = 'F',
        long = "forbid",
        value_name = "LINT",
        help_heading = "Lint Levels"
    )]
    pub forbid: Vec<String>,

    /// Output style: human, short, json or json-diagnostic-rendered-ansi (cargo's
    /// comma-separated forms such as `json,json-diagnostic-rendered-ansi` are accepted).
    /// Human and short go to stderr, JSON to stdout.
    #[arg(
        long,
        value_name = "FMT",
        default_value = "human",
        value_parser = parse_message_format,
        help_heading = "Output"
    )]
    pub message_format: MessageFormat,
    /// Machine-readable report on stdout instead: a SARIF 2.1.0 log, or GitHub Actions
    /// annotations.
    #[arg(long, value_enum, value_name = "FORMAT", help_heading = "Output")]
    pub format: Option<FormatArg>,
    /// Also list the findings that in-source suppressions silenced (on stderr).
    #[arg(long, help_heading = "Output")]
    pub show_suppressed: bool,
    /// Coloring.
    #[arg(long, value_enum, default_value = "auto", help_heading = "Output")]
    pub color: ColorArg,
    /// Print nothing but the diagnostics (no summary line).
    #[arg(short, long, help_heading = "Output")]
    pub quiet: bool,
    /// Print the wall time of each pipeline stage and the peak memory to stderr (also
    /// `NSLINT_TIMINGS=1`).
    #[arg(long, help_heading = "Output")]
    pub timings: bool,

    /// Strict mode: every namespace-sensitive operation must run in a scope (overrides
    /// `strict` in configuration).
    #[arg(long, help_heading = "Lint Levels")]
    pub strict: bool,

    /// Report only findings that are not recorded in this baseline file; stale entries are
    /// listed on stderr.
    #[arg(long, value_name = "FILE", help_heading = "Baselines")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in a baseline file and exit (status 0).
    #[arg(long, value_name = "FILE", help_heading = "Baselines")]
    pub write_baseline: Option<PathBuf>,

    /// Keep what each target produced here and re-analyse only targets whose files changed
    /// (by default `<workspace>/target/nslint-cache` with cargo; none in path mode).
    #[arg(long, value_name = "DIR", help_heading = "Cache")]
    pub cache_dir: Option<PathBuf>,
    /// Use no cache.
    #[arg(long, help_heading = "Cache", conflicts_with = "cache_dir")]
    pub no_cache: bool,

    /// First run `cargo check` (or `cargo clippy`) with the same package selection and
    /// message format, passing its output through unchanged, then print nslint's findings:
    /// one command for an editor's single check slot. This is the only case in which nslint
    /// runs a cargo command other than `cargo metadata`, and it builds the code.
    #[arg(
        long,
        value_enum,
        value_name = "TOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "check",
        help_heading = "Editors"
    )]
    pub with_check: Option<CheckTool>,

    /// List the lints with their default levels.
    #[arg(long, help_heading = "Documentation")]
    pub list: bool,
    /// Print the documentation of a lint.
    #[arg(long, value_name = "LINT", help_heading = "Documentation")]
    pub explain: Option<String>,

    /// Accepted for compatibility with `cargo check` (all targets are always linted).
    #[arg(long, hide = true)]
    pub all_targets: bool,
    /// Accepted for compatibility with `cargo check` (nslint never stops early).
    #[arg(long, hide = true)]
    pub keep_going: bool,
    /// Accepted for compatibility with `cargo check` (every `#[cfg]` is analysed).
    #[arg(long, hide = true, value_name = "FEATURES")]
    pub features: Vec<String>,
    /// Accepted for compatibility with `cargo check`.
    #[arg(long, hide = true)]
    pub all_features: bool,
    /// Accepted for compatibility with `cargo check`.
    #[arg(long, hide = true)]
    pub no_default_features: bool,
    /// Accepted for compatibility with `cargo check` (nslint does not depend on the target).
    #[arg(long, hide = true, value_name = "TRIPLE")]
    pub target: Vec<String>,
    /// Accepted for compatibility with `cargo check`.
    #[arg(long, hide = true, value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Accepted for compatibility with `cargo check`.
    #[arg(long, hide = true)]
    pub locked: bool,
    /// Accepted for compatibility with `cargo check`.
    #[arg(long, hide = true)]
    pub offline: bool,
    /// Accepted for compatibility with `cargo check`.
    #[arg(long, hide = true)]
    pub frozen: bool,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow-command annotations.
    Github,
}

/// `--with-check` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckTool {
    /// `cargo check`.
    Check,
    /// `cargo clippy`.
    Clippy,
}

/// Reads `--message-format` as cargo does: comma-separated, the last base format wins, and
/// `json-diagnostic-rendered-ansi` asks for colored `rendered` text.
pub fn parse_message_format(value: &str) -> Result<MessageFormat, String> {
    let mut base = None;
    let mut ansi = false;
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part {
            "human" => base = Some(MessageFormat::Human),
            "short" => base = Some(MessageFormat::Short),
            "json" | "json-render-diagnostics" | "json-diagnostic-short" => {
                base = Some(MessageFormat::Json);
            }
            "json-diagnostic-rendered-ansi" => {
                ansi = true;
                base = base.or(Some(MessageFormat::Json));
            }
            other => {
                return Err(format!(
                    "unknown message format `{other}` (expected human, short, json or \
                     json-diagnostic-rendered-ansi)"
                ));
            }
        }
    }
    match (base, ansi) {
        (Some(MessageFormat::Json), true) => Ok(MessageFormat::JsonRenderedAnsi),
        (Some(format), _) => Ok(format),
        (None, _) => Err("an empty message format".to_owned()),
    }
}

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// Color when printing to a terminal.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

/// Runs nslint with the process's arguments (`cargo-nslint nslint ...` when run by cargo) on a
/// thread with a large stack (the walks over deeply nested code recurse; see
/// [`crate::nesting::MAX_NESTING`]), and ends the process from that thread when the run is done
/// (see `exit_with`).
pub fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "nslint") {
        args.remove(1);
    }
    let thread = std::thread::Builder::new()
        .name("nslint".to_owned())
        .stack_size(crate::nesting::ANALYSIS_STACK_BYTES);
    // The arguments go to whichever of the two runs: a failed spawn hands them back unused
    // only through the closure, so keep a copy for running here.
    let copy = args.clone();
    match thread.spawn(move || exit_with(run_guarded(args))) {
        Ok(handle) => match handle.join() {
            Ok(never) => match never {},
            Err(_) => ExitCode::from(EXIT_ERROR),
        },
        Err(_) => ExitCode::from(run_guarded(copy)),
    }
}

/// Runs [`run`], turning a panic that escapes everything else into an `error:` message and
/// exit status 2.
pub fn run_guarded(args: Vec<std::ffi::OsString>) -> u8 {
    std::panic::catch_unwind(move || run(args)).unwrap_or_else(|_| {
        fail("internal error: nslint panicked; please report this with the input")
    })
}

/// Flushes the standard streams and ends the process with `code`, from the calling thread.
///
/// Returning instead would end the run's thread first: the allocator then collects that
/// thread's heap and hands its free pages back to the kernel one range at a time, which took a
/// tenth of a cold run on a 1M-line workspace. The process's end returns all of its memory at
/// once.
fn exit_with(code: u8) -> ! {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    std::process::exit(i32::from(code))
}

/// Runs nslint with explicit arguments (the first is the program name) and returns the exit
/// code. Meant for a process that exits next: the units that end the run leave their syntax
/// trees to the exit ([`Options::exits_after`]).
pub fn run(args: Vec<std::ffi::OsString>) -> u8 {
    let started = std::time::Instant::now();
    let command = Args::command();
    let matches = match command.try_get_matches_from(args) {
        Ok(m) => m,
        Err(error) => {
            let code = if error.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_OK
            };
            let _ = error.print();
            return code;
        }
    };
    let args = match Args::from_arg_matches(&matches) {
        Ok(a) => a,
        Err(error) => {
            let _ = error.print();
            return EXIT_ERROR;
        }
    };
    if args.list {
        print_list();
        return EXIT_OK;
    }
    if let Some(name) = &args.explain {
        return explain(name);
    }
    let cli = match lint_levels(&matches) {
        Ok(levels) => CommandLine {
            levels,
            strict: args.strict,
        },
        Err(message) => return fail(&message),
    };
    let format = emit::Format::of(&args);
    if args.with_check.is_some() && (args.format.is_some() || !args.paths.is_empty()) {
        return fail("--with-check works with cargo package selection and --message-format only");
    }
    let mut catalog = match Catalog::builtin() {
        Ok(c) => c,
        Err(message) => return fail(&message),
    };
    let early = early_scan(&args, &catalog);
    let discovered = select(&args);
    let prescanned = early.map(EarlyScan::finish).unwrap_or_default();
    let (workspace, fresh_metadata) = match discovered {
        Ok(w) => w,
        Err(message) => return fail(&message),
    };
    let config = match crate::config::load(&workspace, &cli) {
        Ok(c) => c,
        Err(error) => return fail(&error.to_string()),
    };
    catalog.extend(config.catalog.clone());
    timings::record(Stage::Discover, started.elapsed());
    let check_failed = match args.with_check {
        Some(tool) => match check::run(tool, &args) {
            Ok(success) => !success,
            Err(message) => return fail(&message),
        },
        None => false,
    };
    if workspace.crates.is_empty()
        && workspace.loose_files.is_empty()
        && workspace.problems.is_empty()
    {
        eprintln!("warning: no Rust crates or files found to lint");
        return if check_failed { EXIT_FINDINGS } else { EXIT_OK };
    }
    let mut options = Options {
        cache_dir: cache_dir(&args, &workspace),
        prescanned: std::sync::Arc::new(prescanned),
        exits_after: true,
        ..Options::default()
    };
    let _keeping = match (&options.cache_dir, fresh_metadata) {
        (Some(dir), Some(fresh)) => Keeping::start(dir.clone(), fresh),
        _ => Keeping(None),
    };
    let replay = replay_for(&args, format, &options, &workspace, &catalog, &config);
    if let Some(replay) = &replay {
        let needles = crate::prescan::Needles::new(&catalog, &config.catalog);
        let replayed = timings::time(Stage::Report, || replay.replay(&workspace, &needles));
        if let Some(mut replayed) = replayed {
            let mut stdout = std::io::stdout().lock();
            match std::io::copy(&mut replayed.output, &mut stdout).and_then(|_| stdout.flush()) {
                Ok(()) => {}
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(error) => return fail(&format!("couldn't write the output: {error}")),
            }
            if args.timings || timings::enabled_by_env() {
                eprint!("{}", timings::render(started.elapsed()));
            }
            return if replayed.has_errors {
                EXIT_FINDINGS
            } else {
                EXIT_OK
            };
        }
        options.record = true;
    }
    // What a replay needs is written while the analysis runs.
    let record_in = options.cache_dir.clone().filter(|_| options.record);
    let outcome = std::panic::catch_unwind(|| {
        analyze_beside(&workspace, &catalog, &config, options, |read| {
            record_in.and_then(|dir| crate::replay::Basis::write(&dir, read))
        })
    });
    let (mut analysis, basis) = match outcome {
        Ok(done) => done,
        Err(_) => {
            return fail(
                "internal error: the analysis panicked; please report this with the input",
            );
        }
    };
    if let Some(path) = &args.write_baseline {
        let baseline = Baseline::of(&analysis);
        if let Err(message) = baseline.write(path) {
            return fail(&message);
        }
        let count: usize = baseline.findings.iter().map(|e| e.count).sum();
        eprintln!(
            "wrote {count} finding(s) in {} entries to {}",
            baseline.findings.len(),
            path.display()
        );
        return EXIT_OK;
    }
    let mut notes = Vec::new();
    if let Some(path) = &args.baseline {
        match Baseline::read(path) {
            Ok(baseline) => notes = baseline.apply(&mut analysis).report(),
            Err(message) => return fail(&message),
        }
    }
    let basis = basis.map(|basis| basis.with_vouching(analysis.vouching.take()));
    let emitted = timings::time(Stage::Report, || match (&replay, basis) {
        (Some(replay), Some(basis)) if !has_internal_error(&analysis) => {
            let ansi = format.0 == MessageFormat::JsonRenderedAnsi;
            let chunks =
                render_json_chunks(&analysis, &workspace, ansi).map_err(std::io::Error::other)?;
            // Recorded while the output is written.
            std::thread::scope(|scope| {
                scope.spawn(|| replay.record(basis, &analysis, &chunks));
                emit::write_chunks(&chunks)
            })
        }
        _ => emit::emit(&analysis, &workspace, &args, format),
    });
    match emitted {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(error) => return fail(&format!("couldn't write the output: {error}")),
    }
    if args.show_suppressed {
        for line in emit::suppressed_lines(&analysis) {
            eprintln!("{line}");
        }
    }
    if !args.quiet {
        for note in notes {
            eprintln!("{note}");
        }
    }
    if args.timings || timings::enabled_by_env() {
        eprint!("{}", timings::render(started.elapsed()));
    }
    if has_internal_error(&analysis) {
        EXIT_ERROR
    } else if analysis.has_errors() || check_failed {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// Cargo's fresh output being kept in the cache ([`FreshMetadata::store`]) on a thread of its
/// own while the run goes on: it stats every file cargo read. Joined when dropped.
struct Keeping(Option<std::thread::JoinHandle<()>>);

impl Keeping {
    fn start(dir: PathBuf, fresh: FreshMetadata) -> Keeping {
        let spawned = std::thread::Builder::new()
            .name("nslint-keep-metadata".to_owned())
            .spawn(move || fresh.store(&dir));
        // Without a thread the output is not kept: the next run asks cargo again.
        Keeping(spawned.ok())
    }
}

impl Drop for Keeping {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            let _ = handle.join();
        }
    }
}

/// In cargo mode, the fast path's scan of the directory cargo starts from, begun while cargo
/// runs ([`EarlyScan`]), with the built-in catalogue's needles.
fn early_scan(args: &Args, builtin: &Catalog) -> Option<EarlyScan> {
    if !args.paths.is_empty() {
        return None;
    }
    let cwd = std::env::current_dir().ok()?;
    let start = match &args.manifest_path {
        Some(manifest) => cwd.join(manifest).parent()?.to_path_buf(),
        None => cwd,
    };
    let needles = crate::prescan::Needles::new(builtin, &Catalog::default());
    EarlyScan::start(start, needles)
}

/// Whether nslint itself failed somewhere in the run.
fn has_internal_error(analysis: &crate::analysis::Analysis) -> bool {
    analysis.diagnostics.iter().any(|d| {
        d.origin == crate::diagnostic::Origin::Input
            && d.message.starts_with(crate::analysis::INTERNAL_ERROR)
    })
}

/// The replay of this run ([`crate::replay`]), when it may have one: cargo mode, JSON output
/// and a cache, and nothing that reads more than the analysis (a baseline, suppressed
/// findings, a check tool) or reads no texts to record (no fast path). In strict mode no edit
/// is vouched for, and only a run with nothing changed is replayed.
fn replay_for(
    args: &Args,
    format: emit::Format,
    options: &Options,
    workspace: &Workspace,
    catalog: &Catalog,
    config: &crate::config::Config,
) -> Option<Replay> {
    let json = matches!(
        format.0,
        MessageFormat::Json | MessageFormat::JsonRenderedAnsi
    );
    let plain = args.baseline.is_none()
        && args.write_baseline.is_none()
        && !args.show_suppressed
        && args.with_check.is_none()
        && workspace.loose_files.is_empty();
    if !json || !plain || !options.fast_path {
        return None;
    }
    let dir = options.cache_dir.clone()?;
    // Every argument counts except `--timings`, which changes nothing on stdout.
    let arguments: Vec<_> = std::env::args_os().filter(|a| a != "--timings").collect();
    let mut inputs = format!("{arguments:?}\n");
    let mut variables: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| k.starts_with("NSLINT_"))
        .collect();
    variables.sort();
    inputs.push_str(&format!(
        "{variables:?}\n{:?}\n{workspace:?}\n{catalog:?}\n{config:?}",
        std::env::current_dir().ok()
    ));
    let ansi = format.0 == MessageFormat::JsonRenderedAnsi;
    Some(Replay::new(dir, &inputs, ansi))
}

fn fail(message: &str) -> u8 {
    eprintln!("error: {message}");
    EXIT_ERROR
}

fn select(args: &Args) -> Result<(Workspace, Option<FreshMetadata>), String> {
    if !args.paths.is_empty() {
        if args.manifest_path.is_some() || !args.packages.is_empty() || args.workspace {
            return Err(
                "PATH arguments lint files without cargo; they cannot be combined \
                        with --manifest-path, --package or --workspace"
                    .to_owned(),
            );
        }
        return Ok((discover_paths(&args.paths), None));
    }
    let selection = CargoSelection {
        manifest_path: args.manifest_path.clone(),
        packages: args.packages.clone(),
        workspace: args.workspace,
        exclude: args.exclude.clone(),
        current_dir: std::env::current_dir().map_err(|e| format!("current directory: {e}"))?,
    };
    // Where an earlier run may have kept cargo's output: the cache directory it used.
    let kept_in = match (&args.cache_dir, &args.target_dir) {
        _ if args.no_cache => Vec::new(),
        (Some(dir), _) => vec![dir.clone()],
        (None, Some(target)) => vec![target.join("nslint-cache")],
        (None, None) => default_lookup_dirs(&selection),
    };
    discover_cargo_reusing(&selection, &kept_in).map_err(|e| e.to_string())
}

/// Levels from `-A/-W/-D/-F`, checked, in the order they were given.
fn lint_levels(matches: &clap::ArgMatches) -> Result<Vec<(Level, String)>, String> {
    let mut settings: Vec<(usize, Level, String)> = Vec::new();
    for (id, level) in [
        ("allow", Level::Allow),
        ("warn", Level::Warn),
        ("deny", Level::Deny),
        ("forbid", Level::Forbid),
    ] {
        let (Some(values), Some(indices)) =
            (matches.get_many::<String>(id), matches.indices_of(id))
        else {
            continue;
        };
        for (value, index) in values.zip(indices) {
            for name in value.split(',').filter(|n| !n.is_empty()) {
                settings.push((index, level, name.trim().to_owned()));
            }
        }
    }
    settings.sort_by_key(|(index, _, _)| *index);
    LintLevels::from_settings(settings.iter().map(|(_, l, n)| (*l, n.as_str())))?;
    Ok(settings.into_iter().map(|(_, l, n)| (l, n)).collect())
}

fn print_list() {
    let width = LINTS.iter().map(|l| l.name.len()).max().unwrap_or(0);
    println!("{:width$}  {:7}  summary", "lint", "default");
    for lint in LINTS {
        println!(
            "{:width$}  {:7}  {}",
            lint.name,
            lint.default_level.as_str(),
            lint.summary
        );
    }
}

fn explain(name: &str) -> u8 {
    match find(name) {
        Some(lint) => {
            println!("{}", lint.docs.trim_end());
            EXIT_OK
        }
        None => fail(&format!(
            "no lint named `{name}`; `cargo nslint --list` shows the lints"
        )),
    }
}

/// Where the cache lives: `--cache-dir`, else with cargo `<target dir>/nslint-cache` (the
/// `--target-dir` given, or the workspace's `target/`); in path mode, none unless asked for.
fn cache_dir(args: &Args, workspace: &Workspace) -> Option<PathBuf> {
    if args.no_cache {
        return None;
    }
    if let Some(dir) = &args.cache_dir {
        return Some(dir.clone());
    }
    if !args.paths.is_empty() {
        return None;
    }
    let target = args
        .target_dir
        .clone()
        .unwrap_or_else(|| workspace.root.join("target"));
    Some(target.join("nslint-cache"))
}
