//! nslint: finds Linux namespace hazards in Rust code without compiling it.
//!
//! The pipeline (see ARCHITECTURE.md): [`discover`] → [`parse`] → [`resolve`] → [`model`] →
//! [`rules`] → [`report`], with [`catalog`], [`registry`], [`config`], [`suppress`] and
//! [`baseline`] beside.

pub mod analysis;
pub mod baseline;
pub mod cache;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod effects;
pub mod hash;
pub mod hollow;
pub mod model;
pub mod nesting;
pub mod pages;
pub mod parse;
pub mod prescan;
pub mod registry;
pub mod replay;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod source;
pub mod stamp;
pub mod suppress;
#[cfg(test)]
mod test_files;
pub mod timings;
