//! Module files the directory walk does not find: those `#[path]` attributes point to, and
//! the modules those declare in turn.
//!
//! The rule is the module tree's (`crate::resolve::modtree`): a `#[path]` on a file's module
//! is relative to that file's directory, one on a module inside inline modules is relative to
//! the directory those give (`a/b/` for `mod a { mod b { .. } }`, in `x/` for a file `x.rs`
//! that is no `mod.rs`), and every `cfg_attr(.., path = ..)` counts as an alternative, as every
//! `#[cfg]` does. A file reached through `#[path]` declares its own modules beside it.
//! Declarations are read from [`super::lexer`] tokens at item level (the file and inline
//! modules), never inside functions or macros, as the module tree reads them.

use super::lexer::{self, Kind, Tokens};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A `mod name;` declaration with a file of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Declared {
    /// The inline modules around it, outermost first, each with its `path` alternatives.
    within: Vec<(String, Vec<String>)>,
    name: String,
    /// Its `path` alternatives.
    paths: Paths,
}

/// The values of a module's `path` attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Paths {
    /// `#[path = ".."]`.
    plain: Option<String>,
    /// `#[cfg_attr(.., path = "..")]`, each an alternative to the default.
    conditional: Vec<String>,
}

impl Paths {
    fn all(&self) -> impl Iterator<Item = &String> {
        self.plain.iter().chain(&self.conditional)
    }
}

/// The files a package's modules live in beyond `walked` (the Rust files below its target
/// roots' directories): the files `#[path]` attributes point to, and their modules, found from
/// the walked files that may declare such modules (`declaring`), `roots` among them or not.
/// `text_of` gives a file's text. `Err` names a file whose modules cannot be told: unreadable,
/// not tokenizable, or with a `path` attribute whose value is not a plain string.
pub fn beyond_walk(
    roots: &[&Path],
    declaring: &[&Path],
    walked: &[PathBuf],
    text_of: &dyn Fn(&Path) -> Option<String>,
) -> Result<Vec<PathBuf>, PathBuf> {
    let in_walk: BTreeSet<&Path> = walked.iter().map(PathBuf::as_path).collect();
    let mut pending: Vec<(PathBuf, bool)> = Vec::new();
    let mut found: BTreeSet<PathBuf> = BTreeSet::new();
    let mut seen: BTreeSet<(PathBuf, bool)> = BTreeSet::new();
    for &file in declaring {
        let is_root = roots.contains(&file);
        pending.push((file.to_path_buf(), is_root || is_mod_rs(file)));
        // A root may also be a loose file that is some crate's module.
        if is_root && !is_mod_rs(file) {
            pending.push((file.to_path_buf(), false));
        }
    }
    while let Some((file, as_mod_rs)) = pending.pop() {
        if !seen.insert((file.clone(), as_mod_rs)) {
            continue;
        }
        let Some(declared) = text_of(&file).and_then(|text| declarations(&text)) else {
            return Err(file);
        };
        for (child, through_path) in candidates(&file, as_mod_rs, &declared) {
            if !child.is_file() || is_system_file(&child) {
                // Missing (the loader reports it) or refused by the loader.
                continue;
            }
            let outside = !in_walk.contains(child.as_path());
            if outside {
                found.insert(child.clone());
            }
            if through_path || outside {
                let child_mod_rs = through_path || is_mod_rs(&child);
                pending.push((child, child_mod_rs));
            }
        }
    }
    Ok(found.into_iter().collect())
}

/// Whether `file` is a `mod.rs`, whose modules live beside it.
fn is_mod_rs(file: &Path) -> bool {
    file.file_name().is_some_and(|name| name == "mod.rs")
}

/// Whether a file lies in the kernel's pseudo-file systems, which the loader refuses to read.
fn is_system_file(file: &Path) -> bool {
    crate::resolve::modtree::system_path(file, &mut Default::default()).is_some()
}

/// Every file the modules declared in `file` may live in, and whether a `path` attribute
/// named it. `as_mod_rs`: whether `file`'s modules live beside it (a crate root, a `mod.rs`,
/// a file reached through `#[path]`) rather than in a directory named after it.
fn candidates(file: &Path, as_mod_rs: bool, declared: &[Declared]) -> Vec<(PathBuf, bool)> {
    let file_dir = file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let dir = match file.file_stem() {
        Some(stem) if !as_mod_rs => file_dir.join(stem),
        _ => file_dir.clone(),
    };
    let mut out = Vec::new();
    for module in declared {
        // (where `mod x;` looks, what `#[path]` is relative to), for each alternative.
        let mut places = vec![(dir.clone(), file_dir.clone())];
        for (name, paths) in &module.within {
            places = places
                .into_iter()
                .flat_map(|(dir, base)| {
                    let inner: Vec<PathBuf> = if paths.is_empty() {
                        vec![dir.join(name)]
                    } else {
                        paths.iter().map(|p| base.join(p)).collect()
                    };
                    inner.into_iter().map(|d| (d.clone(), d))
                })
                .collect();
        }
        for (dir, base) in places {
            out.extend(module.paths.all().map(|p| (base.join(p), true)));
            if module.paths.plain.is_none() {
                out.push((dir.join(format!("{}.rs", module.name)), false));
                out.push((dir.join(&module.name).join("mod.rs"), false));
            }
        }
    }
    out
}

/// The `mod name;` declarations of a file, at item level; `None` when the file cannot be
/// tokenized, its brackets do not balance, or a `path` attribute's value is not a plain
/// string literal.
fn declarations(text: &str) -> Option<Vec<Declared>> {
    let (tokens, _) = lexer::tokenize_noting_docs(text)?;
    let mut reader = Reader {
        code: Tokens {
            text,
            tokens: &tokens,
        },
        out: Vec::new(),
    };
    reader.items(0, tokens.len(), &mut Vec::new())?;
    Some(reader.out)
}

struct Reader<'a> {
    code: Tokens<'a>,
    out: Vec<Declared>,
}

impl Reader<'_> {
    /// The index of the bracket closing the one at `open`.
    fn closing(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        for (index, token) in self.code.tokens.iter().enumerate().skip(open) {
            match token.kind {
                Kind::Open(_) => depth += 1,
                Kind::Close(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(index);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Reads the items between two token indices, inside the inline modules `within`.
    fn items(
        &mut self,
        mut index: usize,
        end: usize,
        within: &mut Vec<(String, Vec<String>)>,
    ) -> Option<()> {
        let mut paths = Paths::default();
        while index < end {
            match self.code.tokens[index].kind {
                Kind::Punct(b'#') => {
                    let inner = self.code.is(index + 1, Kind::Punct(b'!'));
                    let open = index + 1 + usize::from(inner);
                    if !self.code.is(open, Kind::Open(b'[')) {
                        index += 1;
                        continue;
                    }
                    let close = self.closing(open)?;
                    let found = self.path_values(open + 1, close)?;
                    if inner && !found.is_empty() {
                        // An inner `path` attribute: no rule to follow.
                        return None;
                    }
                    match self.code.ident(open + 1) {
                        Some("path") => paths.plain = found.into_iter().next(),
                        _ => paths.conditional.extend(found),
                    }
                    index = close + 1;
                    continue;
                }
                Kind::Ident if self.code.ident(index) == Some("mod") => {
                    if let Some(name) = self.code.ident(index + 1) {
                        let name = name.trim_start_matches("r#").to_owned();
                        let taken = std::mem::take(&mut paths);
                        if self.code.is(index + 2, Kind::Punct(b';')) {
                            self.out.push(Declared {
                                within: within.clone(),
                                name,
                                paths: taken,
                            });
                            index += 3;
                            continue;
                        }
                        if self.code.is(index + 2, Kind::Open(b'{')) {
                            let close = self.closing(index + 2)?;
                            within.push((name, taken.all().cloned().collect()));
                            self.items(index + 3, close, within)?;
                            within.pop();
                            index = close + 1;
                            continue;
                        }
                    }
                    index += 1;
                }
                Kind::Open(_) => {
                    index = self.closing(index)? + 1;
                    paths = Paths::default();
                }
                Kind::Punct(b';') => {
                    paths = Paths::default();
                    index += 1;
                }
                _ => index += 1,
            }
        }
        Some(())
    }

    /// The values of `path = ".."` inside an attribute's brackets (token indices); `None` when
    /// one is not a plain string literal.
    fn path_values(&self, start: usize, end: usize) -> Option<Vec<String>> {
        let mut values = Vec::new();
        for index in start..end {
            if self.code.ident(index) == Some("path")
                && self.code.is(index + 1, Kind::Punct(b'='))
                && !self.code.is(index + 2, Kind::Punct(b'='))
            {
                let from = self.code.tokens[index + 1].range.end;
                let to = self
                    .code
                    .tokens
                    .get(index + 2)
                    .map_or(from, |t| t.range.start);
                values.push(string_value(self.code.text[from..to].trim())?);
            }
        }
        Some(values)
    }
}

/// The value of a string literal without escapes (`".."`, `r".."`, `r#".."#`).
fn string_value(literal: &str) -> Option<String> {
    let raw = literal.strip_prefix('r');
    let body = match raw {
        Some(rest) => {
            let hashes = rest.len() - rest.trim_start_matches('#').len();
            let inner = rest.get(hashes..rest.len().checked_sub(hashes)?)?;
            inner.strip_prefix('"')?.strip_suffix('"')?
        }
        None => {
            let inner = literal.strip_prefix('"')?.strip_suffix('"')?;
            if inner.contains('\\') {
                return None;
            }
            inner
        }
    };
    Some(body.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_carry_their_paths_and_inline_modules() {
        let text = "#[path = \"sys/unix.rs\"]\nmod sys;\n\
                    #[cfg_attr(unix, path = r\"u.rs\")]\n#[cfg_attr(windows, path = r#\"w.rs\"#)]\nmod os;\n\
                    mod plain;\nmod inline { #[path = \"x.rs\"] mod x; mod y; }\n\
                    #[path = \"p\"] mod dir { mod z; }\n\
                    fn f() { #[path = \"ignored.rs\"] mod hidden; }\nmod r#type;\n";
        let found = declarations(text).expect("readable");
        let summary: Vec<String> = found
            .into_iter()
            .map(|d| {
                let within: Vec<String> =
                    d.within.iter().map(|(n, p)| format!("{n}{p:?}")).collect();
                format!(
                    "{within:?} {} {:?} {:?}",
                    d.name, d.paths.plain, d.paths.conditional
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                "[] sys Some(\"sys/unix.rs\") []",
                "[] os None [\"u.rs\", \"w.rs\"]",
                "[] plain None []",
                "[\"inline[]\"] x Some(\"x.rs\") []",
                "[\"inline[]\"] y None []",
                "[\"dir[\\\"p\\\"]\"] z None []",
                "[] type None []",
            ]
        );
    }

    #[test]
    fn paths_that_are_no_plain_strings_cannot_be_followed() {
        assert!(declarations("#[path = concat!(\"a\", \".rs\")] mod a;").is_none());
        assert!(declarations("#[path = \"a\\\\b.rs\"] mod a;").is_none());
        assert!(declarations("mod m { #![path = \"x\"] }").is_none());
        assert!(declarations("fn f() { let path = 1; if path == 1 {} }").is_some());
    }

    #[test]
    fn paths_resolve_as_the_module_tree_resolves_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let write = |rel: &str, text: &str| crate::test_files::write(root, rel, text);
        let lib = write(
            "crate/src/lib.rs",
            "#[path = \"../../shared/support.rs\"] mod support;\nmod net;\n\
             #[cfg_attr(unix, path = \"../../plat/unix.rs\")] mod plat;\n",
        );
        let net = write(
            "crate/src/net.rs",
            "mod inner { #[path = \"generated.rs\"] mod generated; }\n",
        );
        write("shared/support.rs", "mod helper;\n");
        write("shared/helper.rs", "");
        write("plat/unix.rs", "");
        write("crate/src/net/inner/generated.rs", "");
        write("unrelated/other.rs", "");
        let walked = vec![lib.clone(), net.clone()];
        let text_of = |p: &Path| std::fs::read_to_string(p).ok();
        let declaring = [lib.as_path(), net.as_path()];
        let found = beyond_walk(&[lib.as_path()], &declaring, &walked, &text_of).expect("followed");
        let mut names: Vec<String> = found
            .iter()
            .map(|p| {
                let shown = p.strip_prefix(root).expect("below").display().to_string();
                shown.replace("crate/src/../../", "")
            })
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "crate/src/net/inner/generated.rs",
                "plat/unix.rs",
                "shared/helper.rs",
                "shared/support.rs"
            ]
        );
        let bad = write("crate/src/bad.rs", "#[path = concat!(\"x\")] mod x;\n");
        assert_eq!(
            beyond_walk(&[lib.as_path()], &[bad.as_path()], &walked, &text_of),
            Err(bad.clone())
        );
    }
}
