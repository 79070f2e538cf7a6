//! Replay (`src/replay/`): after an edit that cannot change what nslint finds, a warm run
//! with JSON output moves the recorded findings instead of analysing, and prints exactly what a
//! run without the cache prints; any other edit is analysed as usual.

mod common;

use common::{nslint, nslint_with_env, stdout, timings_count, write};
use std::fs;
use std::path::Path;

const MAIN: &str = "mod ns;\nmod plain;\n\nfn main() {\n    let _ = ns::enter_and_bind(\"/run/netns/a\");\n    println!(\"{}\", plain::describe(&[1, 2]));\n}\n";

const NS: &str = r#"use std::fs::File;
use std::os::fd::AsRawFd;

/// Sums the values twice over.
pub fn total_twice(values: &[u32]) -> u32 {
    let total: u32 = values.iter().sum();
    total * 2
}

pub fn enter_and_bind(path: &str) -> std::io::Result<()> {
    let target = File::open(path)?;
    unsafe { libc::setns(target.as_raw_fd(), libc::CLONE_NEWNET) };
    let _socket = std::net::UdpSocket::bind("0.0.0.0:0")?;
    Ok(())
}
"#;

const PLAIN: &str = "/// Describes a list.\npub fn describe(values: &[u32]) -> String {\n    format!(\"{} values\", values.len())\n}\n";

/// A package's manifest, depending on libc.
fn manifest(name: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nlibc = \"0.2\"\n"
    )
}

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = format!("{}\n[workspace]\n", manifest("app"));
    write(
        dir.path(),
        &[
            ("Cargo.toml", &manifest),
            ("src/main.rs", MAIN),
            ("src/ns.rs", NS),
            ("src/plain.rs", PLAIN),
        ],
    );
    dir
}

/// The output of a cached run and how many edited files it replayed.
fn cached(dir: &Path) -> (String, usize) {
    let output = nslint(
        dir,
        &["--message-format=json", "--timings", "--cache-dir", "cache"],
    );
    (stdout(&output), timings_count(&output, "files-replayed"))
}

fn uncached(dir: &Path) -> String {
    stdout(&nslint(dir, &["--message-format=json", "--no-cache"]))
}

/// The cache's files whose names start with `prefix`.
fn side_files(dir: &Path, prefix: &str) -> Vec<std::path::PathBuf> {
    fs::read_dir(dir.join("cache"))
        .expect("cache")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .collect()
}

fn edit(dir: &Path, file: &str, change: impl Fn(&str) -> String) {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).expect("read");
    let changed = change(&text);
    assert_ne!(changed, text, "the edit changes {file}");
    fs::write(&path, changed).expect("write");
}

/// Runs with the cache after an edit: the output must equal a run without it, and the edit
/// must (or must not) have been replayed.
fn check(dir: &Path, what: &str, replayed: bool) -> String {
    let (output, count) = cached(dir);
    assert_eq!(
        output,
        uncached(dir),
        "{what}: replay or not, the same output"
    );
    assert_eq!(count > 0, replayed, "{what}: replayed {count} file(s)");
    output
}

#[test]
fn inert_edits_are_replayed_and_others_analysed_with_the_same_output() {
    let ws = workspace();
    let dir = ws.path();
    // Recorded by a run without `--timings`, which changes nothing that is printed.
    let first = stdout(&nslint(
        dir,
        &["--message-format=json", "--cache-dir", "cache"],
    ));
    edit(dir, "src/plain.rs", |t| {
        t.replace("/// Describes", "/// Tells about")
    });
    let commented = check(dir, "a comment, after a run without --timings", true);
    assert_eq!(commented, first, "plain.rs has no findings to move");
    assert!(first.contains("src/ns.rs"), "{first}");
    assert_eq!(check(dir, "nothing changed", false), first);

    edit(dir, "src/ns.rs", |t| {
        t.replace("total * 2", "total * 3 + values.len() as u32")
    });
    let moved = check(dir, "inside a blanked body", true);
    assert_ne!(moved, first, "the findings after the edit moved");

    edit(dir, "src/ns.rs", |t| {
        t.replace(
            "pub fn enter_and_bind",
            "/// A helper.\npub fn helper_added(v: u32) -> u32 {\n    v + 1\n}\n\npub fn enter_and_bind",
        )
    });
    check(dir, "a new function before the findings", true);
    edit(dir, "src/plain.rs", |t| {
        format!("{t}\npub(crate) fn appended(v: &[u8]) -> usize {{\n    v.len()\n}}\n")
    });
    check(dir, "a function appended to another file", true);

    edit(dir, "src/ns.rs", |t| {
        t.replace(
            "    let _socket",
            "    // Bound in the target namespace.\n    let _socket",
        )
    });
    check(dir, "a comment in a body that holds a region", true);

    edit(dir, "src/ns.rs", |t| {
        t.replace(
            "total * 3",
            "unsafe { libc::unshare(libc::CLONE_NEWNET) };\n    total * 3",
        )
    });
    let switched = check(dir, "a raw switch in a blanked body", false);
    assert!(switched.contains("unshare"), "the new switch is found");
    edit(dir, "src/ns.rs", |t| {
        t.replace("unsafe { libc::unshare(libc::CLONE_NEWNET) };\n    ", "")
    });
    check(dir, "the switch removed again", false);

    edit(dir, "src/ns.rs", |t| t.replace("0.0.0.0:0", "127.0.0.1:0"));
    check(dir, "inside a body that holds a region", false);
    edit(dir, "src/plain.rs", |t| format!("use std::io;\n{t}"));
    check(dir, "a new import", false);
    edit(dir, "src/plain.rs", |t| {
        format!("{t}\nfn broken() -> {{}}\n")
    });
    let broken = check(dir, "an item that does not parse", false);
    assert!(broken.contains("plain.rs"), "the parse error is reported");
    edit(dir, "src/plain.rs", |t| {
        t.replace("\nfn broken() -> {}\n", "")
    });
    check(dir, "the broken item removed", false);
    edit(dir, "src/plain.rs", |t| {
        t.replace("values.len()", "values.len() + 1")
    });
    check(dir, "inside a blanked body again, after full runs", true);
}

#[test]
fn a_new_file_or_a_missing_or_damaged_side_file_is_not_replayed() {
    let ws = workspace();
    let dir = ws.path();
    cached(dir);
    write(dir, &[("src/extra.rs", "pub fn extra() -> u32 { 1 }\n")]);
    check(dir, "a new Rust file", false);
    edit(dir, "src/plain.rs", |t| {
        t.replace("values.len()", "values.len() * 2")
    });
    for path in side_files(dir, "replay-texts") {
        fs::remove_file(path).expect("remove");
    }
    check(dir, "the texts are gone", false);
    edit(dir, "src/plain.rs", |t| {
        t.replace("values.len() * 2", "values.len() * 3")
    });
    for path in side_files(dir, "replay-output") {
        let damaged: Vec<u8> = fs::read(&path)
            .expect("read")
            .iter()
            .map(|b| b ^ 1)
            .collect();
        fs::write(path, damaged).expect("damage");
    }
    check(dir, "the recorded output is damaged", false);
}

#[test]
fn a_package_left_out_by_the_fast_path_is_replayed_until_it_names_a_switch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"app\", \"quiet\"]\n",
            ),
            ("app/Cargo.toml", &manifest("app")),
            ("app/src/main.rs", MAIN),
            ("app/src/ns.rs", NS),
            ("app/src/plain.rs", PLAIN),
            ("quiet/Cargo.toml", &manifest("quiet")),
            ("quiet/src/lib.rs", "pub fn quiet() -> u8 {\n    1\n}\n"),
        ],
    );
    let run = |dir: &Path| {
        let output = nslint(
            dir,
            &[
                "--workspace",
                "--message-format=json",
                "--cache-dir",
                "cache",
            ],
        );
        stdout(&output)
    };
    let uncached = |dir: &Path| {
        stdout(&nslint(
            dir,
            &["--workspace", "--message-format=json", "--no-cache"],
        ))
    };
    let first = run(root);
    assert!(!first.contains("quiet/src"), "{first}");
    edit(root, "quiet/src/lib.rs", |t| {
        t.replace("    1\n", "    2\n")
    });
    assert_eq!(
        run(root),
        uncached(root),
        "a file never analysed, still clean"
    );
    edit(root, "quiet/src/lib.rs", |t| {
        format!("{t}pub fn enter(fd: i32) -> i32 {{ unsafe {{ libc::setns(fd, 0) }} }}\n")
    });
    let output = run(root);
    assert_eq!(output, uncached(root), "the package is analysed now");
    assert!(output.contains("quiet/src/lib.rs"), "{output}");
}

#[test]
fn a_file_with_a_byte_order_mark_is_planned_and_replayed_on_the_text_spans_point_into() {
    let ws = workspace();
    let dir = ws.path();
    edit(dir, "src/ns.rs", |t| format!("\u{feff}{t}"));
    let full = stdout(&nslint_with_env(
        dir,
        &["--message-format=json", "--no-cache"],
        &[("NSLINT_NO_FAST_PATH", std::ffi::OsStr::new("1"))],
    ));
    assert_eq!(uncached(dir), full, "hollowing blanks the right bytes");
    assert!(full.contains("src/ns.rs"), "{full}");
    cached(dir);
    edit(dir, "src/ns.rs", |t| t.replace("total * 2", "total * 5"));
    check(dir, "inside a blanked body of a file with a BOM", true);
    edit(dir, "src/ns.rs", |t| t.replacen('\u{feff}', "", 1));
    check(dir, "the BOM removed", false);
}

/// One of five packages of a workspace whose rounds pay: a function that switches, and plain
/// ones.
fn package_lib(i: usize) -> String {
    format!(
        "pub fn enter_{i}(fd: i32) -> std::io::Result<()> {{\n    \
         unsafe {{ libc::setns(fd, libc::CLONE_NEWNET) }};\n    \
         let _socket = std::net::UdpSocket::bind(\"0.0.0.0:0\")?;\n    Ok(())\n}}\n\n\
         pub fn plain_{i}_a(v: u32) -> u32 {{\n    v * 2\n}}\n\n\
         pub fn plain_{i}_b(v: &[u8]) -> usize {{\n    v.len() + 1\n}}\n\n\
         pub fn plain_{i}_c(v: u64) -> u64 {{\n    v.rotate_left(3)\n}}\n"
    )
}

#[test]
fn a_workspace_planned_in_rounds_is_replayed_against_its_final_plan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let names: Vec<String> = (0..5).map(|i| format!("p{i}")).collect();
    let members: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    let mut files = vec![(
        "Cargo.toml".to_owned(),
        format!("[workspace]\nmembers = [{}]\n", members.join(", ")),
    )];
    for (i, name) in names.iter().enumerate() {
        files.push((format!("{name}/Cargo.toml"), manifest(name)));
        files.push((format!("{name}/src/lib.rs"), package_lib(i)));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    write(root, &files);
    let run = |dir: &Path| {
        nslint(
            dir,
            &[
                "--workspace",
                "--message-format=json",
                "--timings",
                "--cache-dir",
                "cache",
            ],
        )
    };
    let uncached = |dir: &Path| {
        stdout(&nslint(
            dir,
            &["--workspace", "--message-format=json", "--no-cache"],
        ))
    };
    let first = run(root);
    assert!(
        timings_count(&first, "bodies-blanked") > 0,
        "no package is a quarter of the code and the first plan pays: the rounds go on"
    );
    assert!(
        stdout(&first).contains("p2/src/lib.rs"),
        "{}",
        stdout(&first)
    );
    edit(root, "p2/src/lib.rs", |t| t.replace("v * 2", "v * 3 + 1"));
    let replayed = run(root);
    assert_eq!(stdout(&replayed), uncached(root), "inside a blanked body");
    assert_eq!(
        timings_count(&replayed, "files-replayed"),
        1,
        "inside a blanked body"
    );
    edit(root, "p2/src/lib.rs", |t| {
        t.replace(
            "    Ok(())\n",
            "    let _again = std::net::UdpSocket::bind(\"0.0.0.0:0\")?;\n    Ok(())\n",
        )
    });
    let analysed = run(root);
    assert_eq!(stdout(&analysed), uncached(root), "inside a switching body");
    assert_eq!(
        timings_count(&analysed, "files-replayed"),
        0,
        "inside a switching body"
    );
}

#[test]
fn a_run_that_vouches_for_no_edit_is_replayed_only_when_nothing_changed() {
    let ws = workspace();
    let dir = ws.path();
    // Strict mode keeps every body that reaches a switching word: no edit is vouched for.
    let strict = |dir: &Path| {
        nslint(
            dir,
            &[
                "--message-format=json",
                "--timings",
                "--cache-dir",
                "cache",
                "--strict",
            ],
        )
    };
    let first = strict(dir);
    assert_eq!(
        timings_count(&first, "rounds"),
        1,
        "the first run is analysed"
    );
    let again = strict(dir);
    assert_eq!(stdout(&again), stdout(&first), "nothing changed");
    assert_eq!(
        timings_count(&again, "rounds"),
        0,
        "nothing changed: replayed whole"
    );
    edit(dir, "src/plain.rs", |t| {
        t.replace("/// Describes", "/// Tells about")
    });
    let edited = strict(dir);
    assert_eq!(timings_count(&edited, "rounds"), 1, "an edit is analysed");
    assert_eq!(
        stdout(&edited),
        stdout(&nslint(
            dir,
            &["--message-format=json", "--no-cache", "--strict"]
        )),
        "an edit in strict mode"
    );
}
