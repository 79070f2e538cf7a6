//! `--format sarif` and `--format github`: the SARIF log's rules, regions and fingerprints,
//! and GitHub workflow-command annotations.

mod common;

use common::{copy_tree, nslint, repo, stdout};
use nslint::registry::LINTS;
use serde_json::Value;

fn sarif_of(dir: &std::path::Path) -> Value {
    let output = nslint(dir, &["--workspace", "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(1));
    serde_json::from_str(&stdout(&output)).expect("SARIF is JSON")
}

#[test]
fn rules_come_from_the_registry_and_results_have_regions() {
    let log = sarif_of(&repo().join("fixtures/demo"));
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), LINTS.len());
    for (rule, lint) in rules.iter().zip(LINTS.iter()) {
        assert_eq!(rule["id"], lint.code());
        assert_eq!(rule["helpUri"], lint.url());
        assert_eq!(rule["shortDescription"]["text"], lint.summary);
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .is_some_and(|m| m.contains("### Example"))
        );
        assert!(
            rule["fullDescription"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );
        assert!(rule["defaultConfiguration"]["level"].is_string());
    }
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(result["ruleId"], rules[index]["id"]);
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(uri.starts_with("cni-bridge/src/"), "{uri}");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &location["region"];
        assert!(region["startLine"].as_u64().is_some_and(|l| l >= 1));
        assert!(region["startColumn"].as_u64().is_some_and(|c| c >= 1));
        let fingerprints = &result["partialFingerprints"];
        assert!(fingerprints["primaryLocationLineHash"].is_string());
        assert!(fingerprints["nslint/v1"].is_string());
    }
}

#[test]
fn line_hash_is_the_one_github_computes_for_that_line() {
    let demo = repo().join("fixtures/demo");
    let log = sarif_of(&demo);
    for result in log["runs"][0]["results"].as_array().expect("results") {
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().expect("uri");
        let line = location["region"]["startLine"].as_u64().expect("line") as usize;
        let text = std::fs::read_to_string(demo.join(uri)).expect("source");
        assert_eq!(
            result["partialFingerprints"]["primaryLocationLineHash"].as_str(),
            nslint::report::line_hash(&text, line).as_deref()
        );
    }
}

#[test]
fn nslint_fingerprint_survives_lines_inserted_above() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&repo().join("fixtures/demo"), dir.path());
    let before = sarif_of(dir.path());
    let setup = dir.path().join("cni-bridge/src/setup.rs");
    let text = std::fs::read_to_string(&setup).expect("setup.rs");
    std::fs::write(&setup, format!("// a new header comment\n\n{text}")).expect("write");
    let after = sarif_of(dir.path());
    let prints = |log: &Value| -> Vec<(String, String)> {
        log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["nslint/v1"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"].to_string(),
                )
            })
            .collect()
    };
    let (before, after) = (prints(&before), prints(&after));
    assert_eq!(before.len(), after.len());
    let fingerprints = |v: &[(String, String)]| {
        let mut f: Vec<String> = v.iter().map(|(f, _)| f.clone()).collect();
        f.sort();
        f
    };
    assert_eq!(fingerprints(&before), fingerprints(&after));
    assert_ne!(before, after, "the lines did move");
}

#[test]
fn github_annotations_escape_properties_and_data() {
    let output = nslint(
        &repo().join("fixtures/demo"),
        &["--workspace", "--format", "github"],
    );
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(
            line.starts_with("::error ") || line.starts_with("::warning "),
            "{line}"
        );
        let (props, data) = line
            .split_once(' ')
            .and_then(|(_, rest)| rest.split_once("::"))
            .expect("properties::data");
        assert!(props.contains("file=cni-bridge/src/"), "{props}");
        for key in [
            "line=",
            "col=",
            "endLine=",
            "endColumn=",
            "title=nslint%3A%3A",
        ] {
            assert!(props.contains(key), "{key} in {props}");
        }
        // Property values carry no raw `:` (escaped as %3A), data no raw newlines.
        assert!(!props.contains(':'), "{props}");
        assert!(!data.contains('\n'));
        assert!(
            data.contains("%0Ahelp: for further information visit"),
            "{data}"
        );
    }
    assert!(lines.iter().any(|l| l.starts_with("::error ")));
}
