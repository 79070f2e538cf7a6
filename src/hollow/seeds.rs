//! The words that make a function body matter, derived from the catalogue (never written here).

use crate::catalog::Catalog;
use crate::suppress::DIRECTIVE_WORD;
use std::collections::BTreeSet;

/// The words a [`super::Planner`] starts from, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seeds {
    /// The names of raw switches (functions, and syscall numbers): a body switches only by
    /// spelling one, by calling what does, or through a macro, constant or import that does.
    /// Only their plain spelling counts (never a path's first segment: the `unshare` crate is
    /// no call of `unshare`).
    pub calls: Vec<String>,
    /// Other words of code that names a namespace: process-wide namespace paths and `nslint`
    /// directives (so an unused suppression is reported as it would be anyway).
    pub switching: Vec<String>,
    /// Words of scopes, found through the types that hold them too: the scopes' crates (and
    /// [`Seeds::qualified`] words), and every segment of the entries configuration added.
    pub scoped: Vec<String>,
    /// Words of work that matters when a switched region reaches it: sensitive operations,
    /// escapes, thread and pool APIs and forks (a helper that forwards a closure to one gives
    /// that closure its thread), namespace-dependent paths, and builder types.
    pub reached: Vec<String>,
    /// The words of thread and pool APIs and of forks among `reached`: a helper that spells
    /// one (or a scope) and takes a closure may forward it there, or run it in a child.
    pub contexts: Vec<String>,
    /// Scope words that count only where their crate is (`Worker` of `nsscope`): code
    /// reaches a crate's items only by spelling the crate's name, unless it is that crate.
    /// The crate's name itself is in `scoped`.
    pub qualified: Vec<Qualified>,
}

/// A switching word of a crate's API ([`Seeds::qualified`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualified {
    /// The crate's name (`nsscope`).
    pub krate: String,
    /// The word (`Worker`).
    pub word: String,
}

/// The [`Seeds`] of a catalogue (built-in plus configured entries) and of the entries
/// configuration added (`configured`): for each entry, the word any call to it must spell
/// (see `call_word`). Execs only refine code that already holds a seed; forks count with
/// the thread APIs, since a helper may run a closure parameter in the child.
pub fn seed_words(catalog: &Catalog, configured: &Catalog) -> Seeds {
    // A body holding a directive is kept, so that an unused suppression is reported as it
    // would be without hollowing.
    let mut switching = BTreeSet::from([DIRECTIVE_WORD.to_owned()]);
    let mut calls = BTreeSet::new();
    let mut scoped = BTreeSet::new();
    let mut reached = BTreeSet::new();
    let add = |path: &Option<String>, words: &mut BTreeSet<String>| {
        words.extend(path.as_deref().map(|p| call_word(p).to_owned()));
    };
    for switch in &catalog.switches {
        // Crates declare their own `extern "C" { fn setns(..); }`: the name itself counts.
        // A syscall is a switch only with its number, which the call spells (`syscall` alone
        // is everywhere in a sandbox).
        let name = switch.syscall.as_deref().unwrap_or(&switch.path);
        calls.insert(last_segment(name).to_owned());
    }
    let mut qualified = BTreeSet::new();
    for scope in &catalog.scopes {
        for path in [&scope.path, &scope.receiver].into_iter().flatten() {
            let krate = first_segment(path);
            scoped.insert(krate.to_owned());
            qualified.insert((krate.to_owned(), call_word(path).to_owned()));
        }
    }
    for path in &catalog.process_wide_paths {
        switching.insert(path.prefix.trim_end_matches('/').to_owned());
    }
    // A thread's own path opened on a pool thread is a finding without any switch.
    for path in &catalog.thread_paths {
        switching.insert(path.spelled().to_owned());
    }
    for path in crate::prescan::configured_strings(configured) {
        scoped.extend(path.split("::").map(str::to_owned));
    }
    let mut contexts = BTreeSet::new();
    for context in &catalog.contexts {
        add(&context.path, &mut contexts);
        add(&context.receiver_root, &mut contexts);
        add(&context.receiver_param_of, &mut contexts);
        if context.trait_path.is_some() {
            contexts.extend(context.method.clone());
        }
    }
    for fork in &catalog.forks {
        contexts.insert(call_word(&fork.path).to_owned());
    }
    reached.extend(contexts.iter().cloned());
    for sensitive in &catalog.sensitive {
        add(&sensitive.path, &mut reached);
        reached.extend(sensitive.method.clone());
    }
    for escape in &catalog.escapes {
        add(&escape.path, &mut reached);
        add(&escape.receiver, &mut reached);
        if escape.trait_path.is_some() || escape.receiver.is_none() {
            reached.extend(escape.method.clone());
        }
    }
    for builder in &catalog.builders {
        reached.insert(last_segment(&builder.type_path).to_owned());
    }
    for path in &catalog.sensitive_paths {
        reached.insert(path.prefix.trim_end_matches('/').to_owned());
    }
    let list = |set: BTreeSet<String>| set.into_iter().filter(|w| !w.is_empty()).collect();
    Seeds {
        calls: list(calls),
        switching: list(switching),
        scoped: list(scoped),
        reached: list(reached),
        contexts: list(contexts),
        qualified: qualified
            .into_iter()
            .filter(|(krate, word)| krate != word)
            .map(|(krate, word)| Qualified { krate, word })
            .collect(),
    }
}

fn first_segment(path: &str) -> &str {
    path.split("::").next().unwrap_or(path)
}

/// The word that every call of a catalogue path spells, directly or in the `use` that brings
/// the callee into scope (whose leaves [`super::Planner`] follows):
/// - a type's associated function or method: the type (`Socket` for `socket2::Socket::new`;
///   a method call's receiver is typed through a declaration, parameter or constructor that
///   names it);
/// - a free function or module: its parent module (`thread` for `std::thread::spawn`, `rayon`
///   for `rayon::join`, `tokio` for `tokio::fs`), spelled by a qualified call or by the `use`.
/// - a type path (a receiver): the type itself.
fn call_word(path: &str) -> &str {
    let mut segments = path.rsplit("::");
    let last = segments.next().unwrap_or(path);
    match segments.next() {
        _ if is_type(last) => last,
        Some(owner) => owner,
        None => last,
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// Catalogue paths follow Rust's naming: types are capitalised, functions and modules not.
fn is_type(segment: &str) -> bool {
    segment.starts_with(|c: char| c.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_name_what_a_call_must_spell() {
        assert_eq!(call_word("socket2::Socket::new"), "Socket");
        assert_eq!(call_word("std::thread::spawn"), "thread");
        assert_eq!(call_word("tokio::fs"), "tokio");
        assert_eq!(call_word("nsscope::NetNs"), "NetNs");
        let seeds = seed_words(&Catalog::builtin().expect("catalogue"), &Catalog::default());
        let has = |list: &[String], word: &str| list.iter().any(|w| w == word);
        for word in ["setns", "SYS_setns", "unshare"] {
            assert!(has(&seeds.calls, word), "{word}");
        }
        for word in ["/proc/self/ns", "nslint"] {
            assert!(has(&seeds.switching, word), "{word}");
        }
        assert!(has(&seeds.scoped, "nsscope"));
        for word in ["syscall", "Worker", "NetNs"] {
            let all = [&seeds.calls, &seeds.switching, &seeds.scoped];
            assert!(all.iter().all(|list| !has(list, word)), "{word}");
        }
        for word in ["Worker", "NetNs"] {
            assert!(
                seeds
                    .qualified
                    .iter()
                    .any(|q| q.word == word && q.krate == "nsscope"),
                "{word}"
            );
        }
        for word in ["thread", "par_iter", "UdpSocket", "tokio", "Command"] {
            assert!(has(&seeds.reached, word), "{word}");
        }
        for generic in ["new", "run", "spawn", "join", "get"] {
            assert!(!has(&seeds.switching, generic) && !has(&seeds.reached, generic));
        }
    }
}
