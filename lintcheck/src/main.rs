//! `cargo run -p lintcheck --release -- [OPTIONS]`: runs nslint over the corpus of real
//! projects, writes `<work>/report.md`, and prints precision, the findings without a verdict
//! and the verdicts whose finding is gone. See README.md, "Development".

use clap::Parser;
use lintcheck::corpus::{self, Project};
use lintcheck::error::{Context, Error, Result};
use lintcheck::fetch::Fetcher;
use lintcheck::findings::run_nslint;
use lintcheck::report::{self, Outcome, ProjectResult, Tally};
use lintcheck::verdicts;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Runs nslint over real projects with namespace code and measures its precision.
#[derive(Parser, Debug)]
#[command(name = "lintcheck")]
struct Args {
    /// Run only these projects (by name).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Leave out the projects pinned to git commits (they need their host or a mirror).
    #[arg(long)]
    registry_only: bool,
    /// The nslint binary to run; by default `cargo-nslint` is built in release mode.
    #[arg(long)]
    nslint: Option<PathBuf>,
    /// Where sources, the fetch manifests and the report go [default: <target dir>/lintcheck].
    #[arg(long)]
    work: Option<PathBuf>,
    /// A directory of local git copies named `<owner>+<name>/repo`, tried before the network.
    #[arg(long, env = "LINTCHECK_GIT_MIRRORS")]
    git_mirrors: Option<PathBuf>,
    /// Run nslint with `NSLINT_NO_FAST_PATH=1`.
    #[arg(long)]
    no_fast_path: bool,
    /// Only fetch the sources.
    #[arg(long)]
    fetch_only: bool,
    /// Fail (exit status 1) when a finding has no verdict or a true verdict's finding is gone.
    #[arg(long)]
    check: bool,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The repository this tool belongs to.
fn repository() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn lintcheck_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: Args) -> Result<bool> {
    let projects = selected(corpus::load(&lintcheck_dir().join("corpus.toml"))?, &args)?;
    let work = match &args.work {
        Some(work) => work.clone(),
        None => target_dir()?.join("lintcheck"),
    };
    let fetcher = Fetcher::new(work.clone(), args.git_mirrors.clone());
    let nslint = match (&args.nslint, args.fetch_only) {
        (_, true) => None,
        (Some(path), false) => Some(path.clone()),
        (None, false) => Some(build_nslint()?),
    };
    let mut results = Vec::new();
    for project in projects {
        eprintln!("lintcheck: {}", project.id());
        let outcome = match fetcher.sources(&project) {
            Err(e) => Outcome::Failed(e.to_string()),
            Ok(root) => match &nslint {
                None => continue,
                Some(nslint) => match run_nslint(nslint, &root, project.mode, !args.no_fast_path) {
                    Err(e) => Outcome::Failed(e.to_string()),
                    Ok(run) => Outcome::Ran {
                        run,
                        verdicts: verdicts::load(&lintcheck_dir().join("verdicts"), &project.name)?,
                    },
                },
            },
        };
        if let Outcome::Failed(why) = &outcome {
            eprintln!("lintcheck: {}: {why}", project.id());
        }
        results.push(ProjectResult { project, outcome });
    }
    if nslint.is_none() {
        return Ok(true);
    }
    let text = report::markdown(&results, &describe_head());
    let path = work.join("report.md");
    std::fs::write(&path, &text).context(|| format!("writing {}", path.display()))?;
    Ok(print_summary(&results, &path, args.check))
}

/// The projects the arguments select, every `--only` name checked against the corpus.
fn selected(projects: Vec<Project>, args: &Args) -> Result<Vec<Project>> {
    if let Some(unknown) = args
        .only
        .iter()
        .find(|name| !projects.iter().any(|p| &p.name == *name))
    {
        return Err(Error(format!("`{unknown}` is not in the corpus")));
    }
    Ok(projects
        .into_iter()
        .filter(|p| args.only.is_empty() || args.only.contains(&p.name))
        .filter(|p| !args.registry_only || p.is_registry())
        .collect())
}

/// Prints precision, what needs triage and what was lost; returns whether `--check` passes.
fn print_summary(results: &[ProjectResult], report: &Path, check: bool) -> bool {
    let sum: Tally = report::total(results);
    println!(
        "claims: {} (true {}, false {}, debatable {}, no verdict {}); precision {}",
        sum.total(),
        sum.true_,
        sum.false_,
        sum.debatable,
        sum.unjudged,
        report::percent(sum.precision())
    );
    let unjudged = report::unjudged(results);
    for (project, finding) in &unjudged {
        println!(
            "no verdict: {project} {} at {}: {}",
            finding.lint, finding.at, finding.message
        );
    }
    let stale = report::stale(results);
    for (project, triaged) in &stale {
        println!(
            "gone: {project} {} at {} (was {}: {})",
            triaged.lint, triaged.at, triaged.verdict, triaged.reason
        );
    }
    let failed = results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
        .count();
    if failed > 0 {
        println!("failed: {failed} project(s), see above");
    }
    println!("report: {}", report.display());
    let lost = stale
        .iter()
        .any(|(_, t)| t.verdict == verdicts::Verdict::True);
    !check || (unjudged.is_empty() && !lost && failed == 0)
}

/// Builds `cargo-nslint` in release mode and returns the binary's path.
fn build_nslint() -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(repository())
        .args([
            "build",
            "--release",
            "--bin",
            "cargo-nslint",
            "--message-format",
            "json-render-diagnostics",
        ])
        .output()
        .context(|| "running cargo build".to_owned())?;
    if !output.status.success() {
        return Err(Error(format!(
            "building cargo-nslint failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find_map(|m| {
            (m["reason"] == "compiler-artifact" && m["target"]["name"] == "cargo-nslint")
                .then(|| m["executable"].as_str().map(PathBuf::from))
                .flatten()
        })
        .ok_or_else(|| Error("cargo built no cargo-nslint binary".to_owned()))
}

/// The workspace's target directory, as cargo reports it.
fn target_dir() -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(repository())
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .context(|| "running cargo metadata".to_owned())?;
    let value: serde_json::Value = serde_json::from_slice(&output.stdout)
        .context(|| "reading cargo metadata's output".to_owned())?;
    value["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| Error("cargo metadata gave no target directory".to_owned()))
}

/// The commit nslint was built from, marked when the tree has changes.
fn describe_head() -> String {
    Command::new("git")
        .current_dir(repository())
        .args(["describe", "--always", "--dirty"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned())
}
