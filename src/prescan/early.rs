//! The fast path's byte scan, started before discovery has finished.
//!
//! `cargo metadata` keeps a run waiting for a tenth of a second or more on a large workspace,
//! and the scan of every file for needles is the first thing the run does once it knows the
//! packages. So the scan starts early, on the directory cargo starts from, with the
//! catalogue's needles: [`EarlyScan::start`] walks it (leaving out `target/` and hidden
//! directories) and judges each `.rs` file as [`Verdict::of`] does, until
//! [`EarlyScan::finish`] stops it. The selection then takes a file's verdict from here when
//! the needles are the same, and scans the files it does not find itself; the texts read are
//! kept, so that the files of the packages analysed are not read twice
//! ([`Prescanned::take_text`]).

use super::{Needles, Verdict, is_rust};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::SystemTime;

/// Verdicts reached before discovery finished, and the texts read for verdicts (by this scan,
/// or by the selection for the files it did not reach).
#[derive(Debug, Default)]
pub struct Prescanned {
    /// The needles the verdicts were reached with.
    needles: Vec<String>,
    /// For each file scanned, what it spells.
    verdicts: HashMap<PathBuf, Verdict>,
    /// The text of each file scanned, until the run takes it or forgets them all.
    texts: Mutex<HashMap<PathBuf, String>>,
    /// When the scan started: the texts are no older.
    started: Option<SystemTime>,
}

impl Prescanned {
    /// The verdict on `file` under `needles`, if it was reached with the same needles.
    pub fn verdict(&self, file: &Path, needles: &Needles) -> Option<Verdict> {
        if self.needles != needles.words() {
            return None;
        }
        self.verdicts.get(file).copied()
    }

    /// The text of `file` as the scan read it (once: it is handed over).
    pub fn take_text(&self, file: &Path) -> Option<String> {
        self.texts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(file)
    }

    /// A copy of the text of `file` as the scan read it, leaving it for
    /// [`Prescanned::take_text`].
    pub fn text(&self, file: &Path) -> Option<String> {
        self.texts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(file)
            .cloned()
    }

    /// Keeps a text the selection read, for [`Prescanned::take_text`].
    pub fn keep_text(&self, file: &Path, text: String) {
        self.texts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(file.to_path_buf(), text);
    }

    /// Drops the texts not taken (the files of packages left out).
    pub fn forget_texts(&self) {
        *self.texts.lock().unwrap_or_else(PoisonError::into_inner) = HashMap::new();
    }

    /// When the texts were read at the earliest: what a record of this run's files must
    /// count as its start.
    pub fn read_since(&self) -> Option<SystemTime> {
        self.started
    }
}

/// A scan running beside discovery.
pub struct EarlyScan {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<Prescanned>,
}

impl EarlyScan {
    /// Starts scanning `dir` with `needles` on a thread of its own.
    pub fn start(dir: PathBuf, needles: Needles) -> Option<EarlyScan> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let handle = std::thread::Builder::new()
            .name("nslint-early-scan".to_owned())
            .spawn(move || scan(&dir, &needles, &stopped))
            .ok()?;
        Some(EarlyScan { stop, handle })
    }

    /// Stops the scan and returns what it judged so far.
    pub fn finish(self) -> Prescanned {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap_or_default()
    }
}

fn scan(dir: &Path, needles: &Needles, stop: &AtomicBool) -> Prescanned {
    let started = Some(SystemTime::now());
    let mut verdicts = HashMap::new();
    let mut texts = HashMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if stop.load(Ordering::Relaxed) {
                return Prescanned {
                    needles: needles.words().to_vec(),
                    verdicts,
                    texts: Mutex::new(texts),
                    started,
                };
            }
            let name = entry.file_name();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                let skipped = name == "target" || name.to_string_lossy().starts_with('.');
                if !skipped {
                    pending.push(path);
                }
            } else if kind.is_file() && is_rust(&path) {
                // A file that cannot be read gets no verdict: the selection reads it again.
                if let Ok(text) = crate::source::read_text(&path) {
                    verdicts.insert(path.clone(), Verdict::of(&text, needles));
                    texts.insert(path, text);
                }
            }
        }
    }
    Prescanned {
        needles: needles.words().to_vec(),
        verdicts,
        texts: Mutex::new(texts),
        started,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn verdicts_are_those_of_the_scan_and_only_under_the_same_needles() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |rel: &str, text: &str| crate::test_files::write(dir.path(), rel, text);
        let switching = write("a/src/lib.rs", "fn f() { unsafe { libc::setns(3, 0) }; }\n");
        let plain = write("b/src/lib.rs", "fn g() -> u8 { 1 }\n");
        let built = write("target/debug/x.rs", "fn h() {}\n");
        let hidden = write(".git/x.rs", "fn i() {}\n");
        let builtin = Catalog::builtin().expect("catalogue");
        let needles = Needles::new(&builtin, &Catalog::default());
        let prescanned = scan(dir.path(), &needles, &AtomicBool::new(false));
        let stopped = EarlyScan::start(dir.path().to_path_buf(), needles).expect("thread");
        let partial = stopped.finish();
        assert!(
            partial
                .verdicts
                .iter()
                .all(|(f, v)| prescanned.verdicts.get(f) == Some(v)),
            "a stopped scan has fewer verdicts, never others"
        );
        let needles = Needles::new(&builtin, &Catalog::default());
        let needle = |file: &Path| {
            prescanned
                .verdict(file, &needles)
                .map(|v| v.needle.is_some())
        };
        assert_eq!(needle(&switching), Some(true));
        assert_eq!(needle(&plain), Some(false));
        assert_eq!(
            prescanned.verdict(&built, &needles),
            None,
            "target/ is left out"
        );
        assert_eq!(
            prescanned.verdict(&hidden, &needles),
            None,
            "hidden directories too"
        );
        let other = Needles::new(&builtin, &builtin);
        assert_eq!(prescanned.verdict(&plain, &other), None, "other needles");
        let on_disk = std::fs::read_to_string(&switching).expect("read");
        assert_eq!(prescanned.take_text(&switching), Some(on_disk));
        assert_eq!(
            prescanned.take_text(&switching),
            None,
            "a text is handed over once"
        );
        assert_eq!(prescanned.take_text(&built), None);
        prescanned.forget_texts();
        assert_eq!(prescanned.take_text(&plain), None, "forgotten");
        assert!(
            prescanned
                .read_since()
                .is_some_and(|t| t <= SystemTime::now())
        );
    }
}
