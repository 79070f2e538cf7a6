//! `--with-check`: runs `cargo check` or `cargo clippy` with the same package selection and
//! message format, and passes its standard output through line by line, unchanged. Its
//! standard error is inherited. This is the one place where nslint runs a cargo command other
//! than `cargo metadata`, and only when asked: it builds the code.

use super::{Args, CheckTool};
use crate::report::MessageFormat;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

/// Runs the check; `Ok(true)` when it succeeded, `Ok(false)` when it reported failure.
pub fn run(tool: CheckTool, args: &Args) -> Result<bool, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(&cargo);
    command.args(arguments(tool, args));
    command.stdout(Stdio::piped()).stdin(Stdio::null());
    let mut child = command.spawn().map_err(|e| {
        format!(
            "--with-check: cannot run `{}`: {e}",
            cargo.to_string_lossy()
        )
    })?;
    if let Some(stdout) = child.stdout.take() {
        let mut out = std::io::stdout().lock();
        for line in BufReader::new(stdout).split(b'\n') {
            let line = line.map_err(|e| format!("--with-check: reading its output: {e}"))?;
            // A closed stdout (the reader went away) is not our failure to report.
            if out
                .write_all(&line)
                .and_then(|()| out.write_all(b"\n"))
                .is_err()
            {
                break;
            }
            let _ = out.flush();
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("--with-check: waiting for cargo: {e}"))?;
    Ok(status.success())
}

/// The cargo command line: the subcommand, the message format and the selection flags.
pub fn arguments(tool: CheckTool, args: &Args) -> Vec<String> {
    let mut out = vec![
        match tool {
            CheckTool::Check => "check",
            CheckTool::Clippy => "clippy",
        }
        .to_owned(),
    ];
    let format = match args.message_format {
        MessageFormat::Human => "human",
        MessageFormat::Short => "short",
        MessageFormat::JsonRenderedAnsi => "json-diagnostic-rendered-ansi",
        _ => "json",
    };
    out.push(format!("--message-format={format}"));
    if let Some(path) = &args.manifest_path {
        out.push("--manifest-path".to_owned());
        out.push(path.to_string_lossy().into_owned());
    }
    for spec in &args.packages {
        out.push("--package".to_owned());
        out.push(spec.clone());
    }
    if args.workspace {
        out.push("--workspace".to_owned());
    }
    for spec in &args.exclude {
        out.push("--exclude".to_owned());
        out.push(spec.clone());
    }
    for (flag, on) in [
        ("--all-targets", args.all_targets),
        ("--keep-going", args.keep_going),
        ("--all-features", args.all_features),
        ("--no-default-features", args.no_default_features),
        ("--locked", args.locked),
        ("--offline", args.offline),
        ("--frozen", args.frozen),
    ] {
        if on {
            out.push(flag.to_owned());
        }
    }
    for features in &args.features {
        out.push("--features".to_owned());
        out.push(features.clone());
    }
    for target in &args.target {
        out.push("--target".to_owned());
        out.push(target.clone());
    }
    if let Some(dir) = &args.target_dir {
        out.push("--target-dir".to_owned());
        out.push(dir.to_string_lossy().into_owned());
    }
    out
}
