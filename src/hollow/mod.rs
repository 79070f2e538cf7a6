//! Hollowing: function bodies that cannot matter are blanked before parsing.
//!
//! Most code in a workspace never touches namespaces. A function body can only contribute to a
//! finding if it names something the catalogue knows (a switch, a scope, a thread or pool API,
//! a sensitive operation, an escape, a namespace path), an entry added by configuration, an
//! `nslint` directive, or a name defined by code that does — a helper that switches, a type
//! alias or field of a namespace-bound type, a re-export. That closure over names is computed
//! here for the whole selection with a byte-level tokenizer ([`lexer`], [`items`]) before
//! anything is parsed, and every other body's inside is turned into a block comment of the same
//! length ([`hollow_text`]), so syn skips it and every span stays where it was. The decision is
//! by words, never by resolution, so it only ever keeps too much: a blanked body holds none of
//! the words, so it has no events that matter and calls nothing that does, and its summary
//! would have been empty.
//!
//! Whatever the scan cannot vouch for turns hollowing off for the run ([`plan`] returns
//! `None`): a file whose brackets do not balance or that ends inside a literal.

mod index;
mod items;
mod lexer;
mod seeds;

pub use seeds::{Seeds, seed_words};

use index::Index;
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Which body ranges of which files are blanked.
#[derive(Debug, Default, Clone)]
pub struct Hollowing {
    blanks: HashMap<PathBuf, Vec<Range<usize>>>,
}

impl Hollowing {
    /// The ranges blanked in `path` (none when it was not scanned), sorted.
    pub fn blanks_of(&self, path: &Path) -> &[Range<usize>] {
        self.blanks.get(path).map_or(&[], Vec::as_slice)
    }
}

/// Decides which bodies of `files` (path and text) to blank, from the [`Seeds`] of the
/// catalogue. `None` when some file cannot be scanned: then nothing is blanked.
///
/// Kept are the bodies that reach a switching word through calls (they, and their callers,
/// are where switched regions and scopes are), and the bodies that reach a word of work
/// elsewhere (a sensitive operation, an escape, a thread API) and are called from those — the
/// summaries a switched region reads. With `strict`, every sensitive operation is reported on
/// its own and its callers decide whether it is only called from scopes, so both kinds are
/// kept with their callers.
pub fn plan(files: &[(PathBuf, String)], seeds: Seeds, strict: bool) -> Option<Hollowing> {
    let index = Index::build(files)?;
    let relevant = if strict {
        let mut all = seeds.switching;
        all.extend(seeds.reached);
        index.closure(files, &all)
    } else {
        let switching = index.closure(files, &seeds.switching);
        let reaching = index.closure(files, &seeds.reached);
        index.called_from(switching, &reaching)
    };
    let mut blanks: HashMap<PathBuf, Vec<Range<usize>>> = HashMap::new();
    for (candidate, keep) in index.candidates.iter().zip(relevant) {
        if let Some(body) = &candidate.body
            && !keep
            && let Some(comment) = comment_range(&files[candidate.file].1, body)
        {
            blanks
                .entry(files[candidate.file].0.clone())
                .or_default()
                .push(comment);
        }
    }
    for ranges in blanks.values_mut() {
        ranges.sort_by_key(|r| r.start);
    }
    Some(Hollowing { blanks })
}

/// Where a body's comment goes: from its first pair of ASCII bytes that are not line breaks
/// to its last such pair, when only whitespace lies outside that range (so nothing is left as
/// code and no character or line break is cut).
fn comment_range(text: &str, body: &Range<usize>) -> Option<Range<usize>> {
    let bytes = text.as_bytes().get(body.clone())?;
    let plain = |b: &u8| b.is_ascii() && *b != b'\n' && *b != b'\r';
    let first = bytes.windows(2).position(|w| w.iter().all(plain))?;
    let last = bytes.windows(2).rposition(|w| w.iter().all(plain))? + 2;
    let outside_blank = bytes[..first]
        .iter()
        .chain(&bytes[last..])
        .all(u8::is_ascii_whitespace);
    (last >= first + 4 && outside_blank).then(|| body.start + first..body.start + last)
}

/// `text` with every range of `blanks` (from [`plan`]: each starts and ends with two ASCII
/// bytes that are not line breaks) turned into a block comment of the same length: ASCII
/// becomes spaces except line breaks, other characters stay, so byte offsets, lines and
/// columns are unchanged.
pub fn hollow_text<'t>(text: &'t str, blanks: &[Range<usize>]) -> Cow<'t, str> {
    if blanks.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for range in blanks {
        let Some(inside) = bytes.get_mut(range.clone()).filter(|b| b.len() >= 4) else {
            continue;
        };
        for byte in inside.iter_mut() {
            if byte.is_ascii() && *byte != b'\n' && *byte != b'\r' {
                *byte = b' ';
            }
        }
        let last = inside.len() - 2;
        inside[..2].copy_from_slice(b"/*");
        inside[last..].copy_from_slice(b"*/");
    }
    match String::from_utf8(bytes) {
        Ok(hollowed) => Cow::Owned(hollowed),
        // Cannot happen for ranges from [`plan`] (only ASCII bytes change); be safe anyway.
        Err(_) => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(texts: &[&str]) -> Vec<(PathBuf, String)> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| (PathBuf::from(format!("f{i}.rs")), (*t).to_owned()))
            .collect()
    }

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn kept(texts: &[&str], seeds: &[&str]) -> Vec<String> {
        kept_with(texts, seeds, &[], false)
    }

    fn kept_with(
        texts: &[&str],
        switching: &[&str],
        reached: &[&str],
        strict: bool,
    ) -> Vec<String> {
        let files = files(texts);
        let seeds = Seeds {
            switching: words(switching),
            reached: words(reached),
        };
        let plan = plan(&files, seeds, strict).expect("plan");
        files
            .iter()
            .map(|(path, text)| hollow_text(text, plan.blanks_of(path)).into_owned())
            .collect()
    }

    #[test]
    fn bodies_reaching_a_word_through_names_are_kept_and_others_blanked() {
        let out = kept(
            &[
                "fn enter() { setns(3, 0); }\nfn plain() { let x = 1; x }\n",
                "fn caller() { crate::enter(); }\nfn far() { caller() }\nfn other() { plain() }\n",
            ],
            &["setns"],
        );
        assert_eq!(
            out[0],
            "fn enter() { setns(3, 0); }\nfn plain() {/*          */}\n"
        );
        assert_eq!(
            out[1],
            "fn caller() { crate::enter(); }\nfn far() { caller() }\nfn other() {/*     */}\n"
        );
    }

    #[test]
    fn renames_aliases_fields_and_globs_carry_words() {
        let out = kept(
            &[
                "use nix::sched::setns as go;\nfn a() { go() }\n",
                "type Sock = TcpListener;\nfn b() { Sock::bind(x) }\nfn c() { bind_all() }\n",
                "struct Pod { ns: NetNs }\nfn d(p: &Pod) { p.ns.run() }\nfn e() { p.other.stop() }\n",
                "use tokio::fs::*;\nfn f() { read(p) }\n",
            ],
            &["setns", "TcpListener", "NetNs", "fs"],
        );
        assert!(out[0].contains("go()"));
        assert!(out[1].contains("Sock::bind") && !out[1].contains("bind_all"));
        assert!(out[2].contains("p.ns.run()") && !out[2].contains("stop"));
        assert!(out[3].contains("read(p)"));
    }

    #[test]
    fn words_match_whole_identifiers_and_path_strings_anywhere() {
        let out = kept(
            &[
                "fn a() { unsetns() }\nfn b() { open(\"/proc/self/ns/net\") }\n",
                "fn c() { x.setns_count }\nfn d() { nslint_marker() }\n",
            ],
            &["setns", "/proc/self/ns"],
        );
        assert!(!out[0].contains("unsetns") && out[0].contains("/proc/self/ns/net"));
        assert!(!out[1].contains("setns_count") && !out[1].contains("nslint_marker"));
    }

    #[test]
    fn hollowing_keeps_offsets_lines_and_non_ascii_text() {
        let text = "fn a() {\n    let s = \"héllo */\";\n}\nfn b() {}";
        let body = 8..text.find("\n}").expect("end") + 1;
        let comment = comment_range(text, &body).expect("blankable");
        assert_eq!(&text[comment.clone()], "    let s = \"héllo */\";");
        let hollowed = hollow_text(text, &[comment]);
        assert_eq!(hollowed.len(), text.len());
        assert_eq!(hollowed.lines().count(), text.lines().count());
        assert!(syn::parse_file(&hollowed).is_ok(), "{hollowed}");
        assert!(hollowed.contains('é') && !hollowed.contains("let"));
    }

    #[test]
    fn a_file_that_cannot_be_scanned_turns_hollowing_off() {
        let seeds = Seeds {
            switching: words(&["x"]),
            reached: Vec::new(),
        };
        assert!(plan(&files(&["fn a() { \"open }"]), seeds, false).is_none());
    }

    #[test]
    fn work_elsewhere_is_kept_only_where_a_switching_body_calls_it() {
        let texts = [
            "fn enter() { setns(3, 0); probe(); }\nfn probe() { open_socket() }\n",
            "use crate::b::open_udp as open_socket;\nfn unused() { UdpSocket::bind(a) }\n",
            "fn open_udp() { UdpSocket::bind(a) }\nfn caller() { unused() }\n",
        ];
        let out = kept_with(&texts, &["setns"], &["UdpSocket"], false);
        assert!(
            out[0].contains("open_socket()"),
            "called from a switching body"
        );
        assert!(
            out[2].contains("UdpSocket::bind"),
            "reached through a rename"
        );
        assert!(
            !out[1].contains("UdpSocket::bind"),
            "never called from a switching body"
        );
        assert!(!out[2].contains("unused()"));
        let strict = kept_with(&texts, &["setns"], &["UdpSocket"], true);
        assert!(strict[1].contains("UdpSocket::bind") && strict[2].contains("unused()"));
    }
}
