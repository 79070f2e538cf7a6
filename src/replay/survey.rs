//! What the workspace's packages held once the run had read them: every file the byte scan
//! reads, with its stamp, and every directory it searches, with a hash of its contents. A
//! replay compares the next run's files and directories with these.

use crate::discover::Workspace;
use crate::prescan;
use crate::stamp::Stamp;
use std::path::PathBuf;

/// The packages' files and directories as the run left them.
#[derive(Debug, Clone)]
pub struct Survey {
    /// Every file the byte scan reads, sorted, with its stamp.
    pub files: Vec<(PathBuf, Stamp)>,
    /// Every directory the byte scan searches, sorted, with [`prescan::contents_of`].
    pub dirs: Vec<prescan::DirContents>,
}

impl Survey {
    /// Surveys `workspace`'s packages; a stamp too recent for a run that started at `started`
    /// ([`Stamp::settled`]) is not trusted. `None` when the walk cannot vouch for a package or
    /// a file is gone.
    pub fn take(workspace: &Workspace, started: i128) -> Option<Survey> {
        let (paths, dirs) = prescan::walk_packages(workspace)?;
        let files = paths
            .into_iter()
            .map(|path| {
                let stamp = Stamp::of(&path)?.settled(started);
                Some((path, stamp))
            })
            .collect::<Option<_>>()?;
        Some(Survey { files, dirs })
    }
}
