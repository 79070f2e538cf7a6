//! Running nslint on a project as its users do, and reading its JSON messages.

use crate::corpus::Mode;
use crate::error::{Context, Error, Result};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The name under which diagnostics without a lint code (a file that cannot be read) are
/// counted.
pub const INPUT: &str = "input";

/// One diagnostic nslint reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The lint's name without the `nslint::` prefix, or [`INPUT`].
    pub lint: String,
    /// `error` or `warning`.
    pub level: String,
    /// The primary span's place, `file:line:column`, relative to the project's root.
    pub at: String,
    /// The message.
    pub message: String,
    /// Secondary labels (`file:line: label`) and the notes and help that explain this finding
    /// (without the lines every finding of a lint carries).
    pub details: Vec<String>,
}

/// What one run of nslint on a project gave.
#[derive(Debug, Clone)]
pub struct Run {
    /// Its findings, in nslint's order.
    pub findings: Vec<Finding>,
    /// Wall time of the run.
    pub seconds: f64,
}

/// Runs `nslint` on the project in `root` with JSON output and no cache; `fast_path: false`
/// sets `NSLINT_NO_FAST_PATH=1`.
pub fn run_nslint(nslint: &Path, root: &Path, mode: Mode, fast_path: bool) -> Result<Run> {
    let mut command = Command::new(nslint);
    command.arg("nslint").current_dir(root);
    match mode {
        Mode::Cargo => {
            command
                .arg("--manifest-path")
                .arg(root.join("Cargo.toml"))
                .arg("--workspace");
        }
        Mode::Path => {
            command.arg(".");
        }
    }
    command.args(["--message-format", "json", "--no-cache", "-q"]);
    if !fast_path {
        command.env("NSLINT_NO_FAST_PATH", "1");
    }
    let start = Instant::now();
    let output = command
        .output()
        .context(|| format!("running {}", nslint.display()))?;
    let seconds = start.elapsed().as_secs_f64();
    match output.status.code() {
        Some(0 | 1) => {}
        _ => {
            return Err(Error(format!(
                "nslint failed on {} ({}):\n{}",
                root.display(),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )));
        }
    }
    let findings = parse_messages(&String::from_utf8_lossy(&output.stdout))?;
    Ok(Run { findings, seconds })
}

/// Reads nslint's cargo-style JSON messages, one per line.
pub fn parse_messages(stdout: &str) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
        let value: serde_json::Value =
            serde_json::from_str(line).context(|| format!("a line of nslint's JSON: {line}"))?;
        if value["reason"] != "compiler-message" {
            continue;
        }
        let message = &value["message"];
        let lint = message["code"]["code"]
            .as_str()
            .map_or(INPUT, |code| code.trim_start_matches("nslint::"));
        let spans = message["spans"].as_array().cloned().unwrap_or_default();
        let place = |span: &serde_json::Value| {
            format!(
                "{}:{}:{}",
                span["file_name"].as_str().unwrap_or("?"),
                span["line_start"],
                span["column_start"]
            )
        };
        let at = spans
            .iter()
            .find(|s| s["is_primary"] == true)
            .map(place)
            .unwrap_or_default();
        let mut details: Vec<String> = spans
            .iter()
            .filter(|s| s["is_primary"] != true)
            .map(|s| format!("{}: {}", place(s), s["label"].as_str().unwrap_or("")))
            .collect();
        for child in message["children"].as_array().into_iter().flatten() {
            let text = child["message"].as_str().unwrap_or("");
            if text.starts_with("for further information") || text.ends_with("on by default") {
                continue;
            }
            let span = child["spans"].as_array().and_then(|s| s.first()).map(place);
            details.push(match span {
                Some(span) => format!("{}: {text} ({span})", child["level"].as_str().unwrap_or("")),
                None => format!("{}: {text}", child["level"].as_str().unwrap_or("")),
            });
        }
        findings.push(Finding {
            lint: lint.to_owned(),
            level: message["level"].as_str().unwrap_or("").to_owned(),
            at,
            message: message["message"].as_str().unwrap_or("").to_owned(),
            details,
        });
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_become_findings_with_their_primary_place_and_details() {
        let line = r#"{"reason":"compiler-message","message":{"message":"m","level":"error",
            "code":{"code":"nslint::switch_without_restore"},
            "spans":[{"file_name":"src/a.rs","line_start":3,"column_start":5,"is_primary":true,"label":"here"},
                     {"file_name":"src/a.rs","line_start":9,"column_start":2,"is_primary":false,"label":"exits"}],
            "children":[{"message":"why","level":"note","spans":[]},
                        {"message":"for further information visit x","level":"help","spans":[]}]}}"#
            .replace('\n', " ");
        let other = r#"{"reason":"build-finished","success":true}"#;
        let findings = parse_messages(&format!("{line}\n{other}\n")).expect("valid JSON");
        assert_eq!(findings.len(), 1);
        let finding = &findings[0];
        assert_eq!(finding.lint, "switch_without_restore");
        assert_eq!(finding.at, "src/a.rs:3:5");
        assert_eq!(finding.details, ["src/a.rs:9:2: exits", "note: why"]);
    }

    #[test]
    fn a_message_without_a_code_is_an_input_problem() {
        let line = r#"{"reason":"compiler-message","message":{"message":"file not found","level":"warning","code":null,"spans":[],"children":[]}}"#;
        let findings = parse_messages(line).expect("valid JSON");
        assert_eq!(findings[0].lint, INPUT);
        assert_eq!(findings[0].at, "");
    }
}
