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
}

impl Chain {
    /// The chain of one step.
    pub fn one(step: Step) -> Chain {
        Chain::through(step, &Chain::default())
    }

    /// The chain that starts with `first` and goes on down `rest`.
    pub fn through(first: Step, rest: &Chain) -> Chain {
        Chain(Some(Arc::new(Link {
            step: first,
            rest: rest.clone(),
            len: rest.len() + 1,
        })))
    }

    /// The steps, outermost first.
    pub fn iter(&self) -> impl Iterator<Item = &Step> {
        std::iter::successors(self.0.as_deref(), |link| link.rest.0.as_deref())
            .map(|link| &link.step)
    }

    /// The outermost step.
    pub fn first(&self) -> Option<&Step> {
        self.0.as_deref().map(|link| &link.step)
    }

    /// The innermost step: the cause.
    pub fn last(&self) -> Option<&Step> {
        self.iter().last()
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

impl<'c> IntoIterator for &'c Chain {
    type Item = &'c Step;
    type IntoIter = Box<dyn Iterator<Item = &'c Step> + 'c>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
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
