//! The evaluator's end-to-end cases: `tests/eval/cases.json` through `simulate --cases`,
//! compared with the exact decisions in `tests/eval/expected.json` (`Invalid` for a case
//! whose policies or request are rejected).
use std::collections::BTreeMap;
use std::path::PathBuf;

use iam_codegen::cli::{Cli, CliError, Command, ExitStatus, Format, SimulateArgs, run};
use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::support::root;

fn simulate(path: PathBuf, format: Format) -> (Result<ExitStatus, CliError>, String) {
    let cli = Cli {
        command: Command::Simulate(SimulateArgs {
            cases: Some(path),
            ..SimulateArgs::default()
        }),
        format: format.into(),
    };
    let mut out = Vec::new();
    let mut err = Vec::new();
    let status = run(cli, &mut out, &mut err);
    (status, String::from_utf8(out).unwrap())
}

#[test]
fn every_case_has_its_expected_decision() {
    let (status, out) = simulate(root().join("tests/eval/cases.json"), Format::Json);
    // Two cases are invalid on purpose, so the run reports invalid input.
    assert_eq!(status.unwrap(), ExitStatus::Invalid);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["version"], 1);
    let actual: BTreeMap<String, String> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let decision = match &r["decision"] {
                Value::String(d) => d.clone(),
                _ => {
                    assert!(
                        r["error"]["findings"]
                            .as_array()
                            .is_some_and(|f| !f.is_empty())
                    );
                    "Invalid".to_string()
                }
            };
            (r["id"].as_str().unwrap().to_string(), decision)
        })
        .collect();
    let expected: BTreeMap<String, String> = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/eval/expected.json")).unwrap(),
    )
    .unwrap();
    assert!(expected.len() >= 40);
    assert_eq!(actual, expected);
}

#[test]
fn explanations_name_the_statements_and_the_layer() {
    let (_, out) = simulate(root().join("tests/eval/cases.json"), Format::Json);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let result = |id: &str| {
        doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        result("scp-root-deny")["explanation"],
        serde_json::json!({
            "reason": "an explicit deny applies",
            "blocked_by": "Scp",
            "blocked_level": "Root",
            "denied_by": [{"layer": "Scp", "level": "Root", "policy": "scps/0/policies/1", "statement": 0, "sid": "NoIam"}],
            "allowed_by": [
                {"layer": "Scp", "level": "Root", "policy": "FullAWSAccess", "statement": 0},
                {"layer": "Scp", "level": "dev", "policy": "FullAWSAccess", "statement": 0},
                {"layer": "Identity", "policy": "identity_policies/0", "statement": 0}
            ]
        })
    );
    assert_eq!(
        result("scp-ou-does-not-allow")["explanation"]["blocked_level"],
        "Workloads"
    );
    assert_eq!(
        result("cross-account-identity-only")["explanation"]["reason"],
        "cross-account request: the resource-based policy does not allow the principal"
    );
    let invalid = result("invalid-identity-policy");
    assert_eq!(invalid["error"]["findings"][0]["code"], "missing-resource");
    assert_eq!(
        invalid["error"]["findings"][0]["path"],
        "/cases/99/identity_policies/0/Statement/0"
    );
}

#[test]
fn text_output_has_one_line_per_case_and_the_explanation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.json");
    std::fs::write(
        &path,
        r#"{"cases": [
          {"id": "read", "identity_policies": [{"Version": "2012-10-17", "Statement": [
             {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}],
           "request": {"principal": "arn:aws:iam::111122223333:user/alice",
                       "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}},
          {"id": "write", "identity_policies": [],
           "request": {"principal": "arn:aws:iam::111122223333:user/alice",
                       "action": "s3:PutObject", "resource": "arn:aws:s3:::b/k"}}
        ]}"#,
    )
    .unwrap();
    let (status, out) = simulate(path, Format::Text);
    assert_eq!(status.unwrap(), ExitStatus::Success);
    assert_eq!(
        out,
        "read: Allowed\n  reason: an identity-based policy allows the request\n  allowed by: Identity `identity_policies/0` statement 0 (Read)\nwrite: ImplicitlyDenied\n  reason: no identity-based or resource-based policy allows the request\n  blocked by: Identity\n"
    );
}

#[test]
fn a_malformed_case_file_is_an_error_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.json");
    std::fs::write(&path, "{\"cases\": [{\"id\": \"a\", \"request\": {}}]}").unwrap();
    let (status, _) = simulate(path, Format::Json);
    let err = status.unwrap_err();
    let mut text = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    assert!(text.starts_with("invalid case file `"), "{text}");
    assert!(
        text.ends_with(
            "cases.json`: line 1 column 36 (at `/cases/0/request`): missing field `principal`"
        ),
        "{text}"
    );
}

#[test]
fn case_ids_are_unique() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("twice.json");
    let case = r#"{"id": "a", "request": {"principal": "arn:aws:iam::111122223333:user/alice",
        "action": "s3:GetObject", "resource": "*"}}"#;
    std::fs::write(&path, format!(r#"{{"cases": [{case}, {case}]}}"#)).unwrap();
    let (status, out) = simulate(path, Format::Json);
    let err = status.unwrap_err().to_string();
    assert!(
        err.ends_with("twice.json`: the case id `a` is used twice"),
        "{err}"
    );
    assert_eq!(out, "");
}
