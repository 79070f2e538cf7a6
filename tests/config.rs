//! Configuration files end to end: `[workspace.metadata.nslint]`, `nslint.toml`,
//! `[package.metadata.nslint]` and the command line, their precedence, exclusions, extra
//! catalogue entries, and errors that name the file and key (exit 2).

mod common;

use common::{codes, nslint, one_crate, stderr, stdout, write};

const MAIN: &str = "fn main() {\n    let rc = unsafe { libc::setns(3, libc::CLONE_NEWNET) };\n    assert_eq!(rc, 0);\n    my_ns::enter(3);\n}\n";

fn count(out: &str, code: &str) -> usize {
    codes(out).iter().filter(|c| *c == code).count()
}

#[test]
fn levels_follow_the_documented_precedence() {
    // Workspace metadata says deny; nslint.toml says allow and wins.
    let dir = one_crate(
        MAIN,
        "[workspace.metadata.nslint]\nlints = { raw_namespace_switch = \"deny\" }\n",
    );
    let output = nslint(dir.path(), &["--message-format=json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    write(
        dir.path(),
        &[("nslint.toml", "[lints]\nraw_namespace_switch = \"allow\"\n")],
    );
    let output = nslint(dir.path(), &["--message-format=json"]);
    assert_eq!(count(&stdout(&output), "nslint::raw_namespace_switch"), 0);
    assert_eq!(output.status.code(), Some(0));
    // The command line wins over both.
    let output = nslint(
        dir.path(),
        &["--message-format=json", "-W", "raw_namespace_switch"],
    );
    assert_eq!(count(&stdout(&output), "nslint::raw_namespace_switch"), 1);
}

#[test]
fn package_metadata_wins_over_workspace_files() {
    let dir = one_crate(MAIN, "");
    write(
        dir.path(),
        &[(
            "nslint.toml",
            "lints = { raw_namespace_switch = \"allow\" }\n",
        )],
    );
    let manifest = std::fs::read_to_string(dir.path().join("Cargo.toml")).expect("manifest");
    write(
        dir.path(),
        &[(
            "Cargo.toml",
            &format!(
                "{manifest}\n[package.metadata.nslint]\nlints = {{ raw_namespace_switch = \"forbid\" }}\n"
            ),
        )],
    );
    let output = nslint(
        dir.path(),
        &["--message-format=json", "-A", "raw_namespace_switch"],
    );
    assert_eq!(count(&stdout(&output), "nslint::raw_namespace_switch"), 1);
    assert_eq!(output.status.code(), Some(1), "forbid is not lowered by -A");
}

#[test]
fn excluded_paths_report_nothing() {
    let dir = one_crate(
        MAIN,
        "[workspace.metadata.nslint]\nexclude = [\"src/main.rs\"]\n",
    );
    let output = nslint(dir.path(), &["--message-format=json"]);
    assert_eq!(stdout(&output), "");
    assert_eq!(output.status.code(), Some(0));
}

/// How many `code` findings a one-crate workspace whose `main.rs` is `main` has, first
/// without an `nslint.toml`, then with `config` as its `nslint.toml`.
fn without_and_with_config(main: &str, config: &str, code: &str) -> [usize; 2] {
    let dir = one_crate(main, "");
    let output = nslint(dir.path(), &["--message-format=json"]);
    let without = count(&stdout(&output), code);
    write(dir.path(), &[("nslint.toml", config)]);
    let output = nslint(dir.path(), &["--message-format=json"]);
    assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
    [without, count(&stdout(&output), code)]
}

#[test]
fn extra_switches_come_from_configuration() {
    let config = "[[switch]]\npath = \"my_ns::enter\"\nop = \"setns\"\n";
    let counts = without_and_with_config(MAIN, config, "nslint::raw_namespace_switch");
    assert_eq!(counts, [1, 2]);
}

/// A project's own way of swallowing a failure (`.log_failure()`): unknown to nslint, the
/// switch's result counts as used; configured as an ignoring adapter, it is thrown away.
#[test]
fn value_methods_come_from_configuration() {
    let main = "fn main() {\n    unsafe { libc::unshare(libc::CLONE_NEWNET) }.log_failure();\n}\n";
    let config = "[[value_method]]\nrole = \"ignoring_adapter\"\nmethods = [\"log_failure\"]\n";
    let counts = without_and_with_config(main, config, "nslint::unchecked_namespace_switch");
    assert_eq!(counts, [0, 1]);
}

#[test]
fn unknown_keys_and_bad_values_name_file_and_key() {
    let cases = [
        (
            "nslint.toml",
            "stricct = true\n",
            "nslint.toml: key `stricct`",
        ),
        (
            "nslint.toml",
            "[lints]\nraw_namespace_switch = \"loud\"\n",
            "key `lints.raw_namespace_switch`",
        ),
        ("nslint.toml", "strict = 1\n", "key `strict`"),
        (
            "nslint.toml",
            "[[scope]]\nmethod = \"run\"\nkind = \"sometimes\"\n",
            "key `scope`",
        ),
    ];
    for (file, text, expected) in cases {
        let dir = one_crate(MAIN, "");
        write(dir.path(), &[(file, text)]);
        let output = nslint(dir.path(), &[]);
        assert_eq!(output.status.code(), Some(2), "{text}");
        assert!(stderr(&output).contains(expected), "{}", stderr(&output));
    }
    let dir = one_crate(MAIN, "[workspace.metadata.nslint]\nlintz = {}\n");
    let output = nslint(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("Cargo.toml: key `workspace.metadata.nslint.lintz`"),
        "{}",
        stderr(&output)
    );
}
