//! nslint's lintcheck: nslint run over a committed corpus of real projects with namespace
//! code, its findings matched against committed verdicts, and its precision reported.
//!
//! The stages, one module each: [`corpus`] reads the list of projects, [`fetch`] brings each
//! one's sources (registry crates through cargo, pinned git commits from a clone or a local
//! mirror), [`findings`] runs nslint on them, [`verdicts`] reads the triage, and [`report`]
//! joins the two into tables and lists.

pub mod corpus;
pub mod error;
pub mod fetch;
pub mod findings;
pub mod report;
pub mod verdicts;

pub use error::{Error, Result};
