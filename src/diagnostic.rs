//! Findings and problems, independent of any output format.

use crate::registry::{Level, Lint};
use crate::source::FileId;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// A byte range in one file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// The file the range lies in.
    pub file: FileId,
    /// Byte range within the file's text.
    pub range: Range<usize>,
    /// For code that a crate-local macro wrote: the range is the invocation, and this is
    /// where in the macro the code is written.
    pub expansion: Option<Box<MacroOrigin>>,
}

impl Span {
    /// The span of `range` in `file`, written there (not by a macro).
    pub fn new(file: FileId, range: Range<usize>) -> Self {
        Span {
            file,
            range,
            expansion: None,
        }
    }
}

/// Where code that a macro's expansion produced is written in the macro.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MacroOrigin {
    /// The macro's name, without the `!`.
    pub name: String,
    /// The code's place in the macro's definition.
    pub definition: Span,
}

/// A span with the text shown beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there (may be empty).
    pub message: String,
}

/// What a diagnostic is about: a lint finding, or a problem that kept nslint from reading code.
/// Stored (in the cache) as the lint's name, or nothing for input problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Option<String>", try_from = "Option<String>")]
pub enum Origin {
    /// A finding of this lint.
    Lint(&'static Lint),
    /// A file could not be read, parsed or found; the analysis of it is incomplete.
    Input,
}

/// A sub-message: a note or a help line, optionally pointing somewhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    /// `note` or `help`.
    pub kind: ChildKind,
    /// The text.
    pub message: String,
    /// Where it points, if anywhere.
    pub span: Option<Span>,
}

/// The kind of a [`Child`] message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChildKind {
    /// Background information (`= note:`).
    Note,
    /// What to do instead (`= help:`).
    Help,
}

/// One reported diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The lint that found it, or [`Origin::Input`].
    pub origin: Origin,
    /// The level it is reported at (after configuration).
    pub level: Level,
    /// The headline.
    pub message: String,
    /// The primary location; `None` for problems with no place in a file.
    pub primary: Option<Label>,
    /// Further labelled locations.
    pub secondary: Vec<Label>,
    /// Notes and help lines, in order.
    pub children: Vec<Child>,
}

impl Diagnostic {
    /// A finding of `lint` at its default level.
    pub fn lint(lint: &'static Lint, message: impl Into<String>, primary: Label) -> Self {
        Diagnostic {
            origin: Origin::Lint(lint),
            level: lint.default_level,
            message: message.into(),
            primary: Some(primary),
            secondary: Vec::new(),
            children: Vec::new(),
        }
    }

    /// A problem with the input (unreadable, unparsable or missing file).
    pub fn input(level: Level, message: impl Into<String>, primary: Option<Label>) -> Self {
        Diagnostic {
            origin: Origin::Input,
            level,
            message: message.into(),
            primary,
            secondary: Vec::new(),
            children: Vec::new(),
        }
    }

    /// Every span: the primary label's, the secondary labels' and the children's.
    pub fn spans(&self) -> impl Iterator<Item = &Span> {
        // Destructured whole, so that a span added to the type later is not missed.
        let Diagnostic {
            origin: _,
            level: _,
            message: _,
            primary,
            secondary,
            children,
        } = self;
        primary
            .iter()
            .chain(secondary)
            .map(|label| &label.span)
            .chain(children.iter().filter_map(|child| child.span.as_ref()))
    }

    /// [`Diagnostic::spans`], to change them.
    pub fn spans_mut(&mut self) -> impl Iterator<Item = &mut Span> {
        let Diagnostic {
            origin: _,
            level: _,
            message: _,
            primary,
            secondary,
            children,
        } = self;
        primary
            .iter_mut()
            .chain(secondary)
            .map(|label| &mut label.span)
            .chain(children.iter_mut().filter_map(|child| child.span.as_mut()))
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, message: impl Into<String>) -> Self {
        self.children.push(Child {
            kind: ChildKind::Note,
            message: message.into(),
            span: None,
        });
        self
    }

    /// Adds a help line.
    pub fn with_help(mut self, message: impl Into<String>) -> Self {
        self.children.push(Child {
            kind: ChildKind::Help,
            message: message.into(),
            span: None,
        });
        self
    }

    /// The lint's code (`nslint::raw_namespace_switch`), or `None` for input problems.
    pub fn code(&self) -> Option<String> {
        match self.origin {
            Origin::Lint(lint) => Some(lint.code()),
            Origin::Input => None,
        }
    }

    /// The lint, if this is a lint finding.
    pub fn lint_ref(&self) -> Option<&'static Lint> {
        match self.origin {
            Origin::Lint(lint) => Some(lint),
            Origin::Input => None,
        }
    }
}

impl From<Origin> for Option<String> {
    fn from(origin: Origin) -> Self {
        match origin {
            Origin::Lint(lint) => Some(lint.name.to_owned()),
            Origin::Input => None,
        }
    }
}

impl TryFrom<Option<String>> for Origin {
    type Error = String;

    fn try_from(name: Option<String>) -> Result<Self, Self::Error> {
        match name {
            None => Ok(Origin::Input),
            Some(name) => crate::registry::find(&name)
                .map(Origin::Lint)
                .ok_or_else(|| format!("unknown lint `{name}`")),
        }
    }
}
