//! Where code that a crate-local macro wrote is reported: at the outermost invocation in the
//! walked file, with the place in the macro that wrote it. Tokens the invocation passed in,
//! and code the walk reads elsewhere (a local's initialiser), keep their own place.

use crate::diagnostic::{MacroOrigin, Span};
use crate::model::expand::Definition;
use crate::parse::range_between;
use crate::source::{FileId, SourceFile};

/// The expansion a walk is inside of.
#[derive(Debug, Clone)]
pub(super) struct Expansion<'src> {
    /// The outermost invocation, in the walked file.
    site: Span,
    /// The macros being expanded, outermost first, by name.
    macros: Vec<(String, Definition<'src>)>,
}

impl<'src> Expansion<'src> {
    /// The expansion of the invocation at `site` of the macro `name` written at `definition`.
    pub(super) fn new(site: Span, name: String, definition: Definition<'src>) -> Self {
        Expansion {
            site,
            macros: vec![(name, definition)],
        }
    }

    /// The expansion of a macro invoked inside this one.
    pub(super) fn nested(mut self, name: String, definition: Definition<'src>) -> Self {
        self.macros.push((name, definition));
        self
    }

    /// The span of the tokens from `first` to `last`: the invocation, with the place in the
    /// macro, when a macro being expanded wrote them; the invocation alone when they mix
    /// tokens it passed in with tokens a macro wrote; else their place in the walked file
    /// (`file`, `source`).
    pub(super) fn span(
        &self,
        (file, source): (FileId, &SourceFile),
        first: proc_macro2::Span,
        last: proc_macro2::Span,
    ) -> Span {
        let writer = self
            .macros
            .iter()
            .rev()
            .find(|(_, d)| d.holds(first) && d.holds(last));
        match writer {
            Some((name, d)) => Span {
                expansion: Some(Box::new(MacroOrigin {
                    name: name.clone(),
                    definition: Span::new(d.file, range_between(d.source, first, last)),
                })),
                ..self.site.clone()
            },
            // Tokens passed in around tokens the macro wrote (`if $status != 0` with
            // `$status` the invocation's): the invocation, which holds both.
            None if self
                .macros
                .iter()
                .any(|(_, d)| d.holds(first) || d.holds(last)) =>
            {
                self.site.clone()
            }
            None => Span::new(file, range_between(source, first, last)),
        }
    }
}
