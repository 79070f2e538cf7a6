//! The command line: `cargo nslint [OPTIONS] [PATH]...`.

use crate::analysis::{Analysis, analyze};
use crate::catalog::Catalog;
use crate::config::LintLevels;
use crate::discover::{CargoSelection, Workspace, discover_cargo, discover_paths};
use crate::registry::{LINTS, Level, find};
use crate::report::{MessageFormat, render_human, render_short};
use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use std::io::{IsTerminal, Write};
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

    /// Output style.
    #[arg(long, value_enum, default_value = "human", help_heading = "Output")]
    pub message_format: MessageFormatArg,
    /// Coloring.
    #[arg(long, value_enum, default_value = "auto", help_heading = "Output")]
    pub color: ColorArg,
    /// Print nothing but the diagnostics (no summary line).
    #[arg(short, long, help_heading = "Output")]
    pub quiet: bool,

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

/// `--message-format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MessageFormatArg {
    /// rustc-style text.
    Human,
    /// One line per diagnostic.
    Short,
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

/// Runs nslint with the process's arguments (`cargo-nslint nslint ...` when run by cargo).
pub fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "nslint") {
        args.remove(1);
    }
    ExitCode::from(run(args))
}

/// Runs nslint with explicit arguments (the first is the program name) and returns the exit
/// code.
pub fn run(args: Vec<std::ffi::OsString>) -> u8 {
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
    let levels = match lint_levels(&matches) {
        Ok(levels) => levels,
        Err(message) => return fail(&message),
    };
    let catalog = match Catalog::builtin() {
        Ok(c) => c,
        Err(message) => return fail(&message),
    };
    let workspace = match select(&args) {
        Ok(w) => w,
        Err(message) => return fail(&message),
    };
    if workspace.crates.is_empty()
        && workspace.loose_files.is_empty()
        && workspace.problems.is_empty()
    {
        eprintln!("warning: no Rust crates or files found to lint");
        return EXIT_OK;
    }
    let outcome = std::panic::catch_unwind(|| analyze(&workspace, &catalog, &levels));
    let analysis = match outcome {
        Ok(a) => a,
        Err(_) => {
            return fail("internal error: the analysis panicked; please report this with the input");
        }
    };
    match emit(&analysis, &args) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(error) => return fail(&format!("couldn't write the output: {error}")),
    }
    if analysis.has_errors() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn fail(message: &str) -> u8 {
    eprintln!("error: {message}");
    EXIT_ERROR
}

fn select(args: &Args) -> Result<Workspace, String> {
    if !args.paths.is_empty() {
        if args.manifest_path.is_some() || !args.packages.is_empty() || args.workspace {
            return Err(
                "PATH arguments lint files without cargo; they cannot be combined \
                        with --manifest-path, --package or --workspace"
                    .to_owned(),
            );
        }
        return Ok(discover_paths(&args.paths));
    }
    let selection = CargoSelection {
        manifest_path: args.manifest_path.clone(),
        packages: args.packages.clone(),
        workspace: args.workspace,
        exclude: args.exclude.clone(),
        current_dir: std::env::current_dir().map_err(|e| format!("current directory: {e}"))?,
    };
    discover_cargo(&selection).map_err(|e| e.to_string())
}

/// Levels from `-A/-W/-D/-F`, applied in the order they were given.
fn lint_levels(matches: &clap::ArgMatches) -> Result<LintLevels, String> {
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
    LintLevels::from_settings(settings.iter().map(|(_, l, n)| (*l, n.as_str())))
}

fn emit(analysis: &Analysis, args: &Args) -> std::io::Result<()> {
    let format = match args.message_format {
        MessageFormatArg::Human => MessageFormat::Human,
        MessageFormatArg::Short => MessageFormat::Short,
    };
    match format {
        MessageFormat::Human => {
            let choice = match args.color {
                ColorArg::Always => ColorChoice::Always,
                ColorArg::Never => ColorChoice::Never,
                ColorArg::Auto if std::io::stderr().is_terminal() => ColorChoice::Auto,
                ColorArg::Auto => ColorChoice::Never,
            };
            let stream = StandardStream::stderr(choice);
            let mut lock = stream.lock();
            render_human(analysis, &mut lock, !args.quiet)
        }
        MessageFormat::Short => {
            let mut stderr = std::io::stderr().lock();
            stderr.write_all(render_short(analysis).as_bytes())
        }
    }
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
