//! The one error type of the lintcheck: a message that says what failed and on what.

use std::fmt;

/// What went wrong, worded for the person running the lintcheck.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

/// A lintcheck result.
pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// Adds what was being done to an error from below.
pub trait Context<T> {
    /// Prefixes the error with `what` (`reading corpus.toml: No such file or directory`).
    fn context(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T, E: fmt::Display> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Error(format!("{}: {e}", what())))
    }
}
