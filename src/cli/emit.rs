//! Writing a finished analysis in the format asked for: human and short text on stderr,
//! machine formats on stdout.

use super::{Args, ColorArg, FormatArg};
use crate::analysis::Analysis;
use crate::discover::Workspace;
use crate::report::{
    MessageFormat, render_github, render_human, render_json_chunks, render_sarif, render_short,
};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use std::io::{IsTerminal, Write};

/// The output format after `--format` and `--message-format` are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format(pub MessageFormat);

impl Format {
    /// `--format` wins over `--message-format`.
    pub fn of(args: &Args) -> Format {
        Format(match args.format {
            Some(FormatArg::Sarif) => MessageFormat::Sarif,
            Some(FormatArg::Github) => MessageFormat::Github,
            None => args.message_format,
        })
    }
}

/// Writes the diagnostics.
pub fn emit(
    analysis: &Analysis,
    workspace: &Workspace,
    args: &Args,
    format: Format,
) -> std::io::Result<()> {
    let machine = |text: Result<String, String>| -> std::io::Result<()> {
        let text = text.map_err(std::io::Error::other)?;
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()
    };
    match format.0 {
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
        MessageFormat::Json | MessageFormat::JsonRenderedAnsi => {
            let ansi = format.0 == MessageFormat::JsonRenderedAnsi;
            let chunks =
                render_json_chunks(analysis, workspace, ansi).map_err(std::io::Error::other)?;
            write_chunks(&chunks)
        }
        MessageFormat::Sarif => machine(render_sarif(analysis, workspace).map(|mut s| {
            s.push('\n');
            s
        })),
        MessageFormat::Github => machine(Ok(render_github(analysis))),
    }
}

/// Writes pieces of output to stdout, in order.
pub fn write_chunks(chunks: &[String]) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    for chunk in chunks {
        stdout.write_all(chunk.as_bytes())?;
    }
    stdout.flush()
}

/// `--show-suppressed`: one line per silenced finding, with the suppression's reason.
pub fn suppressed_lines(analysis: &Analysis) -> Vec<String> {
    let mut lines = Vec::new();
    for s in &analysis.suppressed {
        let d = &s.diagnostic;
        let code = d.code().unwrap_or_default();
        let place = match &d.primary {
            Some(label) => {
                let file = analysis.db.get(label.span.file);
                let pos = file.position(label.span.range.start);
                format!("{}:{}:{}", file.display_name, pos.line, pos.column)
            }
            None => String::new(),
        };
        let by = {
            let file = analysis.db.get(s.by.file);
            let pos = file.position(s.by.range.start);
            format!("{}:{}", file.display_name, pos.line)
        };
        let reason = s.reason.as_deref().unwrap_or("no reason given");
        lines.push(format!(
            "suppressed: {place}: {}[{code}]: {} (by {by}: {reason})",
            d.level, d.message
        ));
    }
    if !lines.is_empty() {
        let n = lines.len();
        lines.push(format!(
            "{n} finding{} suppressed in source",
            if n == 1 { "" } else { "s" }
        ));
    }
    lines
}
