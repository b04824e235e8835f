//! The broken-policy corpus: every file in `tests/policies/broken/` has one defect, and
//! `expected.json` lists the exact findings (code and path, in order) the checker reports for
//! it as a policy of the given kind. Together the files cover every finding code and every
//! policy kind.
//!
//! `UPDATE_GOLDEN=1 cargo test` rewrites the findings in `expected.json` (keeping the kinds);
//! review the change with `git diff`.
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use iam_model::PolicyKind;
use iam_model::validate::check_policy_json;
use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::support::{files, root};

/// Every code `iam_model::validate::policy` emits.
const CODES: [&str; 33] = [
    "unknown-element",
    "missing-version",
    "invalid-version",
    "element-not-allowed",
    "missing-statement",
    "duplicate-sid",
    "variables-need-version",
    "invalid-character",
    "invalid-sid",
    "missing-effect",
    "invalid-effect",
    "effect-not-allowed",
    "conflicting-elements",
    "missing-principal",
    "principal-not-allowed",
    "not-principal-with-allow",
    "invalid-principal",
    "duplicate-key",
    "empty-list",
    "missing-action",
    "invalid-action",
    "trust-action-not-allowed",
    "missing-resource",
    "resource-not-allowed",
    "invalid-arn",
    "invalid-variable",
    "unknown-condition-operator",
    "empty-condition",
    "invalid-condition-key",
    "invalid-condition-value",
    "policy-too-large",
    "allow-with-not-action",
    "allow-with-not-resource",
];

/// One file's expectation.
struct Expected {
    kind: PolicyKind,
    findings: Vec<(String, String)>,
}

fn corpus_dir() -> std::path::PathBuf {
    root().join("tests/policies/broken")
}

fn expectations() -> BTreeMap<String, Expected> {
    let text = std::fs::read_to_string(corpus_dir().join("expected.json")).unwrap();
    let map: BTreeMap<String, Value> = serde_json::from_str(&text).unwrap();
    map.into_iter()
        .map(|(file, entry)| {
            let kind = PolicyKind::from_str(entry["kind"].as_str().unwrap())
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            let findings = entry["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f["code"].as_str().unwrap().to_string(),
                        f["path"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (file, Expected { kind, findings })
        })
        .collect()
}

/// The corpus files, by file name (without `expected.json`).
fn corpus() -> BTreeMap<String, String> {
    files(&corpus_dir(), "json")
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n != "expected.json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

fn actual(text: &str, kind: PolicyKind) -> Vec<(String, String)> {
    check_policy_json(text, kind)
        .unwrap_or_else(|e| panic!("not JSON: {e}"))
        .findings()
        .iter()
        .map(|f| (f.code.to_string(), f.path.clone()))
        .collect()
}

#[test]
fn every_broken_policy_has_exactly_the_expected_findings() {
    let corpus = corpus();
    let mut expected = expectations();

    let files: BTreeSet<&String> = corpus.keys().collect();
    let listed: BTreeSet<&String> = expected.keys().collect();
    let unlisted: Vec<&&String> = files.difference(&listed).collect();
    let missing: Vec<&&String> = listed.difference(&files).collect();
    assert!(
        unlisted.is_empty(),
        "files without an expectation: {unlisted:?}"
    );
    assert!(
        missing.is_empty(),
        "expectations without a file: {missing:?}"
    );

    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        /// One entry of `expected.json`, with `kind` first.
        #[derive(serde::Serialize)]
        struct Entry {
            kind: &'static str,
            findings: Vec<Finding>,
        }
        #[derive(serde::Serialize)]
        struct Finding {
            code: String,
            path: String,
        }
        let mut out = BTreeMap::new();
        for (name, text) in &corpus {
            let kind = expected[name].kind;
            let findings = actual(text, kind);
            out.insert(
                name.clone(),
                Entry {
                    kind: kind.as_str(),
                    findings: findings
                        .iter()
                        .map(|(code, path)| Finding {
                            code: code.clone(),
                            path: path.clone(),
                        })
                        .collect(),
                },
            );
            expected.get_mut(name).unwrap().findings = findings;
        }
        std::fs::write(
            corpus_dir().join("expected.json"),
            iam_model::json::to_pretty(&out),
        )
        .unwrap();
    }

    let mut failures = Vec::new();
    for (name, text) in &corpus {
        let want = &expected[name];
        assert!(
            !want.findings.is_empty(),
            "{name}: a broken policy has findings"
        );
        let got = actual(text, want.kind);
        if got != want.findings {
            failures.push(format!(
                "{name} (as {}):\n  expected {:?}\n  got      {:?}",
                want.kind, want.findings, got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} files differ:\n{}",
        failures.len(),
        corpus.len(),
        failures.join("\n")
    );
}

#[test]
fn the_corpus_covers_every_code_and_every_kind() {
    let expected = expectations();
    assert!(
        expected.len() >= 40,
        "only {} broken policies",
        expected.len()
    );

    let used: BTreeSet<&str> = expected
        .values()
        .flat_map(|e| e.findings.iter().map(|(code, _)| code.as_str()))
        .collect();
    let known: BTreeSet<&str> = CODES.into_iter().collect();
    let uncovered: Vec<&&str> = known.difference(&used).collect();
    let unknown: Vec<&&str> = used.difference(&known).collect();
    assert_eq!(
        uncovered,
        Vec::<&&str>::new(),
        "codes without a broken policy"
    );
    assert_eq!(unknown, Vec::<&&str>::new(), "codes missing from CODES");

    let kinds: BTreeSet<PolicyKind> = expected.values().map(|e| e.kind).collect();
    assert_eq!(kinds, PolicyKind::ALL.into_iter().collect());
}

#[test]
fn the_checker_emits_no_code_outside_the_list() {
    // A code added to the checker must be added to CODES, and so to the corpus.
    let source = std::fs::read_to_string(root().join("iam-model/src/validate/policy.rs")).unwrap();
    let mut emitted = BTreeSet::new();
    for call in [".error(", ".warning("] {
        for (i, _) in source.match_indices(call) {
            let rest = source[i + call.len()..].trim_start();
            if let Some(rest) = rest.strip_prefix('"') {
                let code = &rest[..rest.find('"').unwrap()];
                emitted.insert(code.to_string());
            }
        }
    }
    let known: BTreeSet<String> = CODES.iter().map(|c| c.to_string()).collect();
    assert_eq!(emitted, known);
}

#[test]
fn the_cli_reports_the_same_findings_and_exit_codes() {
    use clap::Parser;
    use iam_codegen::cli::{Cli, run};

    for (name, want) in expectations() {
        let path = corpus_dir().join(&name);
        let path = path.to_str().unwrap();
        let cli = Cli::try_parse_from([
            "iam-codegen",
            "--format",
            "json",
            "policy",
            "check",
            "--kind",
            want.kind.as_str(),
            path,
        ])
        .unwrap();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = run(cli, &mut out, &mut err).unwrap();
        let document: Value = serde_json::from_slice(&out).unwrap();
        let findings = document["files"][0]["findings"].as_array().unwrap();
        let got: Vec<(String, String)> = findings
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap().to_string(),
                    f["path"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(got, want.findings, "{name}");
        let has_error = findings.iter().any(|f| f["severity"] == "error");
        assert_eq!(status.code(), if has_error { 3 } else { 0 }, "{name}");
        assert!(err.is_empty(), "{name}: stderr in JSON mode");
    }
}
