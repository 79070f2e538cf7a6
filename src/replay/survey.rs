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
    /// Surveys `workspace`'s packages, whose files the fast path listed (`package_files`,
    /// `#[path]` modules included: [`prescan::package_files`]); a stamp too recent for a run
    /// that started at `started` ([`Stamp::settled`]) is not trusted. `None` when the fast path
    /// could not vouch for a package's files or a file is gone.
    pub fn take(
        workspace: &Workspace,
        package_files: &[Option<Vec<PathBuf>>],
        started: i128,
    ) -> Option<Survey> {
        let listed: Option<Vec<&Vec<PathBuf>>> = package_files.iter().map(Option::as_ref).collect();
        let beyond: Vec<PathBuf> = listed?.into_iter().flatten().cloned().collect();
        let (paths, dirs) = prescan::walk_packages(workspace, &beyond)?;
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
