//! Baselines: findings recorded with `--write-baseline` are not reported with `--baseline`,
//! edits elsewhere keep them baselined, new findings are reported and fixed ones are listed
//! as stale.

mod common;

use common::{codes, copy_tree, nslint, repo, stderr, stdout};
use std::fs;

#[test]
fn baselined_findings_stay_baselined_across_unrelated_edits() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&repo().join("fixtures/demo"), dir.path());
    let baseline = dir.path().join("nslint-baseline.json");
    let baseline_arg = baseline.to_string_lossy().into_owned();
    let against_baseline = || {
        nslint(
            dir.path(),
            &[
                "--workspace",
                "--message-format=json",
                "--baseline",
                &baseline_arg,
            ],
        )
    };
    let output = nslint(
        dir.path(),
        &["--workspace", "--write-baseline", &baseline_arg],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let recorded: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&baseline).expect("written")).expect("json");
    assert_eq!(recorded["version"], 1);
    let entry = &recorded["findings"][0];
    for key in ["lint", "path", "item", "snippet", "count"] {
        assert!(!entry[key].is_null(), "{key}");
    }

    let output = against_baseline();
    assert_eq!(stdout(&output), "");
    assert_eq!(output.status.code(), Some(0));
    let total: u64 = recorded["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["count"].as_u64().expect("count"))
        .sum();
    assert!(
        total >= 13,
        "the demo has at least 13 findings, got {total}"
    );
    assert!(
        stderr(&output).contains(&format!("{total} findings in the baseline not reported")),
        "{}",
        stderr(&output)
    );

    // Unrelated lines above the findings: still baselined.
    let setup = dir.path().join("cni-bridge/src/setup.rs");
    let text = fs::read_to_string(&setup).expect("setup.rs");
    let edited = text.replacen(
        "use ",
        "// Imports, reordered.\nuse std::fmt as _;\n\nuse ",
        1,
    );
    assert_ne!(edited, text);
    fs::write(&setup, edited).expect("edit");
    let output = against_baseline();
    assert_eq!(stdout(&output), "", "{}", stderr(&output));
    assert_eq!(output.status.code(), Some(0));

    // A new finding is reported; the baseline absorbs only as many as it recorded.
    let text = fs::read_to_string(&setup).expect("setup.rs");
    let line = "    let addrs6 = fs::read_to_string(\"/proc/net/if_inet6\")?;";
    let added = text.replacen(line, &format!("{line}\n{line}"), 1);
    assert_ne!(added, text);
    fs::write(&setup, added).expect("edit");
    let output = against_baseline();
    assert_eq!(
        codes(&stdout(&output)),
        ["nslint::process_wide_namespace_path"]
    );

    // A fixed finding leaves a stale entry.
    let netns = dir.path().join("cni-bridge/src/netns.rs");
    let text = fs::read_to_string(&netns).expect("netns.rs");
    let fixed = text.replace("/proc/self/ns/net", "/proc/thread-self/ns/net");
    fs::write(&netns, fixed).expect("edit");
    let output = against_baseline();
    let err = stderr(&output);
    assert!(
        err.contains(
            "stale baseline entry: nslint::process_wide_namespace_path at cni-bridge/src/netns.rs"
        ),
        "{err}"
    );
}

#[test]
fn a_broken_baseline_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("b.json");
    fs::write(&path, "{\"version\": 7, \"findings\": []}").expect("write");
    let output = nslint(
        &repo().join("fixtures/demo"),
        &["--workspace", "--baseline", &path.to_string_lossy()],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("version 7"));
}
