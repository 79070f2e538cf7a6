//! Runtimes built inside namespaces (feature `tokio`).

use crate::error::{Error, Result};
use crate::namespace::Namespace;
use crate::pool;

/// A current-thread runtime with every driver the enabled tokio features provide, whose
/// blocking threads are kept in `target` whichever thread makes the pool grow (a `Handle`
/// that leaked out of the namespace included).
pub(crate) fn build(target: &Namespace) -> Result<tokio::runtime::Runtime> {
    let target = target.clone();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .on_thread_start(move || pool::keep_in(&target))
        .build()
        .map_err(|e| Error::io("building a tokio runtime inside the namespace", e))
}
