//! Resolution: the module tree of each crate and the names its code uses.

pub mod modtree;
pub mod names;

pub use modtree::{CrateTree, Loader, Module, ModuleId, RootKind, load_crate};
pub use names::{Resolved, Resolver, Scope};
