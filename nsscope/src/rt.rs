//! Runtimes built inside namespaces (feature `tokio`).

use crate::error::{Error, Result};

/// A current-thread runtime with every driver the enabled tokio features provide.
pub(crate) fn build() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("building a tokio runtime inside the namespace", e))
}
