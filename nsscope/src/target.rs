//! What a scope moves a thread into: one namespace, or a set of them.

use std::fmt;
use std::io;
use std::os::fd::AsFd;

use crate::current::{self, current_ns};
use crate::error::{Error, Result};
use crate::kind::{NsKind, Scope};
use crate::namespace::{NsHandle, wrap};
use crate::scope::{check, enter_owned};
use crate::sys;

/// Something the scopes can move threads into and back out of.
pub(crate) trait Target: Clone + Send + Sync + 'static {
    /// What the closure receives: the namespaces of the same kinds the caller's thread is in.
    type Host: Send + Sync + fmt::Display;

    /// Refuses what `scope` cannot enter.
    fn check(&self, scope: Scope) -> Result<()>;

    /// The calling thread's namespaces of the kinds this target covers.
    fn host(&self) -> Result<Self::Host>;

    /// Moves a thread nsscope owns in (taking a private filesystem context first for mnt).
    fn enter_owned(&self) -> Result<()>;

    /// Moves the calling thread, which nsscope does not own, in. On an error the thread is
    /// back in `host`.
    fn enter_shared(&self, host: &Self::Host) -> Result<()>;

    /// Moves the calling thread back into `host`, or says which kind it could not.
    fn restore(host: &Self::Host) -> std::result::Result<(), (NsKind, io::Error)>;

    /// A name for the threads that live inside (`nsscope-net`).
    fn thread_name(&self) -> String;
}

impl<H: NsHandle + fmt::Display> Target for H {
    type Host = H;

    fn check(&self, scope: Scope) -> Result<()> {
        check(self.namespace().kind(), scope)
    }

    fn host(&self) -> Result<H> {
        Ok(wrap(current_ns(self.namespace().kind())?))
    }

    fn enter_owned(&self) -> Result<()> {
        let target = self.namespace();
        enter_owned(target).map_err(|e| Error::from_io(format!("entering {target}"), None, e))
    }

    fn enter_shared(&self, _host: &H) -> Result<()> {
        let target = self.namespace();
        sys::setns(target.as_fd(), target.kind())
            .map_err(|e| Error::from_io(format!("entering {target}"), None, e))
    }

    fn restore(host: &H) -> std::result::Result<(), (NsKind, io::Error)> {
        let host = host.namespace();
        sys::setns(host.as_fd(), host.kind()).map_err(|e| (host.kind(), e))?;
        current::moved_to(host);
        Ok(())
    }

    fn thread_name(&self) -> String {
        format!("nsscope-{}", self.namespace().kind())
    }
}
