//! `--with-check`: cargo's own JSON lines pass through unchanged, then nslint's follow.

mod common;

use cargo_metadata::Message;
use common::{nslint, stdout, write};

#[test]
fn cargo_check_lines_come_first_then_nslint_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"checked\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[workspace]\n",
            ),
            (
                "src/main.rs",
                "extern \"C\" {\n    fn setns(fd: i32, nstype: i32) -> i32;\n}\n\n\
                 mod libc {\n    pub use super::setns;\n}\n\n\
                 fn main() {\n    let unused = 1;\n    let rc = unsafe { libc::setns(3, 0x4000_0000) };\n    assert_eq!(rc, 0);\n}\n",
            ),
        ],
    );
    let output = nslint(
        dir.path(),
        &[
            "--message-format=json",
            "--with-check",
            "--target-dir",
            "target",
        ],
    );
    let text = stdout(&output);
    let messages: Vec<Message> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is a cargo message"))
        .collect();
    let finished = messages
        .iter()
        .position(|m| matches!(m, Message::BuildFinished(_)))
        .expect("cargo check's build-finished line");
    let rustc_warning = messages[..finished].iter().any(|m| {
        matches!(m, Message::CompilerMessage(c) if c.message.message.contains("unused variable"))
    });
    assert!(rustc_warning, "{text}");
    let ours: Vec<_> = messages[finished + 1..]
        .iter()
        .filter_map(|m| match m {
            Message::CompilerMessage(c) => c.message.code.as_ref().map(|c| c.code.clone()),
            _ => None,
        })
        .collect();
    // nslint's own findings follow, every one of them: `all` over none would pass when nslint
    // printed nothing.
    assert_eq!(ours, ["nslint::raw_namespace_switch"], "{text}");
}
