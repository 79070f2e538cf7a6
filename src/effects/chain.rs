//! [`Chain`]: how a fact came about, as a list that callers share with their callees.

use super::Step;
use std::sync::Arc;

/// How a fact came about: the calls down to its cause, outermost first. A caller's chain is
/// its own step in front of its callee's chain, which it shares rather than copies: the
/// summaries' fixpoint builds a chain for every body on every pass, and a copy cost the
/// length of the chain (41% of the effects stage on syd).
#[derive(Clone, Default)]
pub struct Chain(Option<Arc<Link>>);

/// One step and the chain below it.
struct Link {
    step: Step,
    rest: Chain,
    len: usize,
    /// The innermost link below this one (`None` when this one is): what [`Chain::last`]
    /// reads on every call into a function with effects, without walking the chain.
    innermost: Option<Arc<Link>>,
}

impl Chain {
    /// The chain of one step.
    pub fn one(step: Step) -> Chain {
        Chain::through(step, &Chain::default())
    }

    /// The chain that starts with `first` and goes on down `rest`.
    pub fn through(first: Step, rest: &Chain) -> Chain {
        let innermost = rest
            .0
            .as_ref()
            .map(|below| below.innermost.as_ref().unwrap_or(below).clone());
        Chain(Some(Arc::new(Link {
            step: first,
            rest: rest.clone(),
            len: rest.len() + 1,
            innermost,
        })))
    }

    /// Whether a step of the chain is in `body` (an index into the program's bodies).
    pub fn passes_through(&self, body: usize) -> bool {
        self.iter().any(|step| step.body == body)
    }

    /// The steps, outermost first.
    pub fn iter(&self) -> Steps<'_> {
        Steps(self.0.as_deref())
    }

    /// The outermost step.
    pub fn first(&self) -> Option<&Step> {
        self.0.as_deref().map(|link| &link.step)
    }

    /// The innermost step: the cause.
    pub fn last(&self) -> Option<&Step> {
        let link = self.0.as_deref()?;
        Some(&link.innermost.as_deref().unwrap_or(link).step)
    }

    /// The number of steps.
    pub fn len(&self) -> usize {
        self.0.as_deref().map_or(0, |link| link.len)
    }

    /// Whether there is no step.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }
}

/// The steps of a [`Chain`], outermost first.
pub struct Steps<'c>(Option<&'c Link>);

impl<'c> Iterator for Steps<'c> {
    type Item = &'c Step;

    fn next(&mut self) -> Option<&'c Step> {
        let link = self.0?;
        self.0 = link.rest.0.as_deref();
        Some(&link.step)
    }
}

impl<'c> IntoIterator for &'c Chain {
    type Item = &'c Step;
    type IntoIter = Steps<'c>;

    fn into_iter(self) -> Steps<'c> {
        self.iter()
    }
}

impl PartialEq for Chain {
    fn eq(&self, other: &Chain) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) if Arc::ptr_eq(a, b) => true,
            _ => self.len() == other.len() && self.iter().eq(other.iter()),
        }
    }
}

impl Eq for Chain {}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Drop for Chain {
    /// Unlinks the steps no other chain shares one by one, so that a long chain is not dropped
    /// by a recursion as deep as it is long.
    fn drop(&mut self) {
        let mut next = self.0.take();
        while let Some(link) = next {
            next = match Arc::try_unwrap(link) {
                Ok(mut link) => link.rest.0.take(),
                Err(_) => None,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Span;
    use crate::source::FileId;

    fn step(what: &str) -> Step {
        Step {
            body: 0,
            function: "f".to_owned(),
            what: what.to_owned(),
            span: Span::new(FileId(0), 0..1),
        }
    }

    fn whats(chain: &Chain) -> Vec<&str> {
        chain.iter().map(|s| s.what.as_str()).collect()
    }

    #[test]
    fn a_step_goes_in_front_of_the_chain_it_shares() {
        let cause = Chain::one(step("binds a socket"));
        let caller = Chain::through(step("calls `bind`"), &cause);
        assert_eq!(whats(&caller), ["calls `bind`", "binds a socket"]);
        assert_eq!(caller.len(), 2);
        assert_eq!(
            caller.first().map(|s| s.what.as_str()),
            Some("calls `bind`")
        );
        assert_eq!(
            caller.last().map(|s| s.what.as_str()),
            Some("binds a socket")
        );
        assert_eq!(
            whats(&cause),
            ["binds a socket"],
            "the callee's chain is unchanged"
        );
        assert!(Chain::default().is_empty() && !cause.is_empty());
        assert_eq!(Chain::default().len(), 0);
    }

    #[test]
    fn the_last_step_is_the_cause_however_deep() {
        let mut chain = Chain::one(step("binds a socket"));
        for depth in 2..=5 {
            chain = Chain::through(step("calls"), &chain);
            assert_eq!(chain.len(), depth);
            assert_eq!(
                chain.last().map(|s| s.what.as_str()),
                Some("binds a socket")
            );
            assert_eq!(chain.last(), chain.iter().last());
        }
        assert_eq!(Chain::default().last(), None);
    }

    #[test]
    fn chains_are_equal_by_their_steps() {
        let a = Chain::through(step("calls `g`"), &Chain::one(step("x")));
        let b = Chain::through(step("calls `g`"), &Chain::one(step("x")));
        assert_eq!(a, b);
        assert_eq!(a, a.clone());
        assert_ne!(a, Chain::one(step("calls `g`")));
        assert_ne!(a, Chain::through(step("calls `g`"), &Chain::one(step("y"))));
        assert_eq!(Chain::default(), Chain::default());
    }

    #[test]
    fn a_long_chain_drops_without_deep_recursion() {
        let mut chain = Chain::default();
        for _ in 0..1_000_000 {
            chain = Chain::through(step("calls"), &chain);
        }
        assert_eq!(chain.len(), 1_000_000);
        drop(chain);
    }
}
