//! Source edits offered with findings, for editors' quick fixes.
//!
//! nslint sees syntax, not types, so it cannot prove that `?` compiles where it suggests it
//! (the enclosing function's error type must accept the switch's error). Edits are therefore
//! offered as "maybe incorrect": editors show them, `cargo fix`-style tools do not apply them
//! blindly.

use crate::diagnostic::Diagnostic;
use crate::registry::UNCHECKED_NAMESPACE_SWITCH;
use crate::source::{FileId, SourceDb};
use std::ops::Range;

/// How sure an edit is, as rustc grades suggestions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certainty {
    /// The edit is what the user wants and compiles.
    MachineApplicable,
    /// The edit is probably right, but may not compile or may change meaning.
    MaybeIncorrect,
}

impl Certainty {
    /// rustc's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Certainty::MachineApplicable => "MachineApplicable",
            Certainty::MaybeIncorrect => "MaybeIncorrect",
        }
    }
}

/// One replacement in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The file.
    pub file: FileId,
    /// The bytes to replace.
    pub range: Range<usize>,
    /// What to put there.
    pub replacement: String,
}

/// A suggested fix: a message and the edits that make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does (`propagate the error with `?``).
    pub message: String,
    /// The edits, applied together.
    pub edits: Vec<Edit>,
    /// How sure it is.
    pub certainty: Certainty,
}

/// The fixes nslint can offer for a diagnostic.
pub fn fixes(diagnostic: &Diagnostic, db: &SourceDb) -> Vec<Fix> {
    match diagnostic.lint_ref() {
        Some(lint) if lint.name == UNCHECKED_NAMESPACE_SWITCH.name => {
            propagate_with_question_mark(diagnostic, db)
                .into_iter()
                .collect()
        }
        _ => Vec::new(),
    }
}

/// `setns(..).ok();` → `setns(..)?;` and `let _ = setns(..);` → `setns(..)?;` for the
/// `Result`-returning switches of nix and rustix.
fn propagate_with_question_mark(diagnostic: &Diagnostic, db: &SourceDb) -> Option<Fix> {
    let api = diagnostic.message.split('`').nth(1)?;
    if !(api.starts_with("nix::") || api.starts_with("rustix::")) {
        return None;
    }
    let span = &diagnostic.primary.as_ref()?.span;
    let text = &db.get(span.file).text;
    let before = text.get(..span.range.start)?;
    let after = text.get(span.range.end..)?;
    let edit = |range: Range<usize>, replacement: &str| Edit {
        file: span.file,
        range,
        replacement: replacement.to_owned(),
    };
    let fix = |edits| Fix {
        message: "propagate the error with `?`".to_owned(),
        edits,
        certainty: Certainty::MaybeIncorrect,
    };
    // `call.ok();`
    if let Some(rest) = after.strip_prefix(".ok()")
        && rest.trim_start().starts_with(';')
    {
        let ok = span.range.end..span.range.end + ".ok()".len();
        return Some(fix(vec![edit(ok, "?")]));
    }
    // `let _ = call;`
    let statement_start = before
        .trim_end()
        .strip_suffix('=')?
        .trim_end()
        .strip_suffix('_')?;
    let statement_start = statement_start.trim_end().strip_suffix("let")?;
    let at_statement = statement_start
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || c == '{' || c == ';');
    if at_statement && after.trim_start().starts_with(';') {
        let let_range = statement_start.len()..span.range.start;
        let end = span.range.end..span.range.end;
        return Some(fix(vec![edit(let_range, ""), edit(end, "?")]));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Label, Span};
    use crate::source::SourceFile;
    use std::path::PathBuf;

    fn fix_for(text: &str, call: &str, api: &str) -> Option<Fix> {
        let mut db = SourceDb::default();
        let file = db.add(SourceFile::new(PathBuf::from("a.rs"), "a.rs".into(), text));
        let start = text.find(call)?;
        let d = Diagnostic::lint(
            &UNCHECKED_NAMESPACE_SWITCH,
            format!("the result of `{api}` is ignored"),
            Label {
                span: Span::new(file, start..start + call.len()),
                message: String::new(),
            },
        );
        fixes(&d, &db).into_iter().next()
    }

    #[test]
    fn ok_statements_and_let_underscore_become_question_marks() {
        let fix = fix_for(
            "fn f() {\n    setns(&h, F).ok();\n}\n",
            "setns(&h, F)",
            "nix::sched::setns",
        )
        .expect("a fix");
        assert_eq!(fix.edits.len(), 1);
        assert_eq!(fix.edits[0].replacement, "?");
        let fix = fix_for(
            "fn f() {\n    let _ = setns(&h, F);\n}\n",
            "setns(&h, F)",
            "nix::sched::setns",
        )
        .expect("a fix");
        assert_eq!(fix.edits.len(), 2);
        assert_eq!(fix.certainty, Certainty::MaybeIncorrect);
    }

    #[test]
    fn libc_calls_and_other_contexts_get_none() {
        assert!(fix_for("let _ = setns(a, b);", "setns(a, b)", "libc::setns").is_none());
        assert!(
            fix_for(
                "foo(setns(&h, F).ok());",
                "setns(&h, F)",
                "nix::sched::setns"
            )
            .is_none()
        );
    }
}
