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
    // `--format json` still prints one document, with the error.
    let document: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        document,
        serde_json::json!({"version": 1, "exit_code": 1, "error": err})
    );
}

#[test]
fn an_unknown_principal_object_is_an_error_of_its_case_only() {
    let (_, out) = simulate(root().join("tests/eval/cases.json"), Format::Json);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let results = doc["results"].as_array().unwrap();
    let (index, invalid) = results
        .iter()
        .enumerate()
        .find(|(_, r)| r["id"] == "rule9-unknown-principal-object-is-an-error-of-its-case")
        .unwrap();
    let finding = &invalid["error"]["findings"][0];
    assert_eq!(finding["code"], "invalid-request");
    assert_eq!(finding["path"], format!("/cases/{index}/request/principal"));
    assert_eq!(finding["message"], "unknown request principal form");
}

const LEAN: &str = r#"{
  "policies": {
    "read": {"Version": "2012-10-17", "Statement": [
      {"Sid": "Read", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]},
    "no-prod": {"Version": "2012-10-17", "Statement": [
      {"Sid": "NoProd", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::prod/*"}]}
  },
  "cases": [
    {"id": "read", "identity_policies": ["read", "no-prod"],
     "scps": [{"level": "Root", "policies": ["FullAWSAccess"]}],
     "request": {"principal": "arn:aws:iam::111122223333:user/alice",
                 "action": "s3:GetObject", "resource": "arn:aws:s3:::dev/k"}},
    {"id": "prod", "identity_policies": ["read", "no-prod"],
     "request": {"principal": "arn:aws:iam::111122223333:user/alice",
                 "action": "s3:GetObject", "resource": "arn:aws:s3:::prod/k"}},
    {"id": "typo", "identity_policies": ["raed"],
     "request": {"principal": "arn:aws:iam::111122223333:user/alice",
                 "action": "s3:GetObject", "resource": "arn:aws:s3:::dev/k"}}
  ]
}"#;

const LEAN_TEXT: &str = "read: Allowed\n  reason: an identity-based policy allows the request\n  allowed by: Scp `Root` `FullAWSAccess` statement 0\n  allowed by: Identity `read` statement 0 (Read)\nprod: ExplicitlyDenied\n  reason: an explicit deny applies\n  blocked by: Identity\n  denied by: Identity `no-prod` statement 0 (NoProd)\n  allowed by: Identity `read` statement 0 (Read)\n";

#[test]
fn the_lean_format_names_policies_defined_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lean.json");
    std::fs::write(&path, LEAN).unwrap();
    let (status, out) = simulate(path.clone(), Format::Text);
    assert_eq!(status.unwrap(), ExitStatus::Invalid);
    assert_eq!(
        out,
        format!(
            "{LEAN_TEXT}typo: invalid\n  /cases/2/identity_policies/0: error unknown-policy: unknown policy `raed`\n"
        )
    );
}

#[test]
fn an_invalid_definition_is_an_error_of_every_case_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lean.json");
    let case = |id: &str| {
        format!(
            r#"{{"id": "{id}", "identity_policies": ["bad"], "request": {{"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "*"}}}}"#
        )
    };
    std::fs::write(
        &path,
        format!(
            r#"{{"policies": {{"bad": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "s3:GetObject"}}]}}}}, "cases": [{}, {}]}}"#,
            case("a"),
            case("b")
        ),
    )
    .unwrap();
    let (status, out) = simulate(path, Format::Json);
    assert_eq!(status.unwrap(), ExitStatus::Invalid);
    let doc: Value = serde_json::from_str(&out).unwrap();
    for r in doc["results"].as_array().unwrap() {
        let f = &r["error"]["findings"][0];
        assert_eq!(
            (f["code"].as_str(), f["path"].as_str()),
            (Some("missing-resource"), Some("/policies/bad/Statement/0"))
        );
    }
}

#[test]
fn json_lines_answer_one_line_per_case() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("batch.jsonl");
    let doc: Value = serde_json::from_str(LEAN).unwrap();
    let mut lines =
        vec![serde_json::to_string(&serde_json::json!({"policies": doc["policies"]})).unwrap()];
    lines.push(String::new());
    for case in doc["cases"].as_array().unwrap().iter().take(2) {
        lines.push(serde_json::to_string(case).unwrap());
    }
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let (status, out) = simulate(path.clone(), Format::Text);
    assert_eq!(status.unwrap(), ExitStatus::Success);
    assert_eq!(out, LEAN_TEXT);
    let (_, out) = simulate(path.clone(), Format::Json);
    let ids: Vec<(String, String)> = out
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().into(),
                v["decision"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("read".to_string(), "Allowed".to_string()),
            ("prod".to_string(), "ExplicitlyDenied".to_string())
        ]
    );
    // A malformed line stops the batch with its line number.
    std::fs::write(&path, format!("{}\n{{\"id\": \"x\"}}\n", lines[0])).unwrap();
    let (status, _) = simulate(path, Format::Json);
    let err = status.unwrap_err();
    let cause = std::error::Error::source(&err).unwrap().to_string();
    assert_eq!(cause, "line 2 column 11: missing field `request`");
}

mod lean_and_current_agree {
    //! Differential property: a batch written with inline policies, the same batch in the
    //! lean format (policies defined once, named by id) and in JSON Lines give the same
    //! decisions and explanations, but for the policies' names.
    use super::*;
    use proptest::prelude::*;

    const STATEMENTS: [&str; 6] = [
        r#"{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}"#,
        r#"{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::prod/*"}"#,
        r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}"#,
        r#"{"Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs:us-east-1:*"}"#,
        r#"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}}"#,
        r#"{"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:*:*:instance/*"}"#,
    ];
    const ACTIONS: [(&str, &str); 4] = [
        ("s3:GetObject", "arn:aws:s3:::prod/k"),
        ("s3:GetObject", "arn:aws:s3:::dev/k"),
        ("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q"),
        (
            "ec2:StartInstances",
            "arn:aws:ec2:eu-west-1:111122223333:instance/i-1",
        ),
    ];

    fn policy(statements: &[usize]) -> Value {
        let list: Vec<Value> = statements
            .iter()
            .map(|&i| serde_json::from_str(STATEMENTS[i]).unwrap())
            .collect();
        serde_json::json!({"Version": "2012-10-17", "Statement": list})
    }

    #[derive(Debug, Clone)]
    struct Case {
        identity: Vec<usize>,
        boundary: Option<usize>,
        action: usize,
        region: bool,
        tag: bool,
    }

    fn arb_case(policies: usize) -> impl Strategy<Value = Case> {
        (
            prop::collection::vec(0..policies, 0..3),
            prop::option::of(0..policies),
            0..ACTIONS.len(),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(identity, boundary, action, region, tag)| Case {
                identity,
                boundary,
                action,
                region,
                tag,
            })
    }

    fn arb_batch() -> impl Strategy<Value = (Vec<Vec<usize>>, Vec<Case>)> {
        prop::collection::vec(prop::collection::vec(0..STATEMENTS.len(), 1..4), 1..4).prop_flat_map(
            |policies| {
                let n = policies.len();
                (Just(policies), prop::collection::vec(arb_case(n), 1..6))
            },
        )
    }

    fn case_json(i: usize, c: &Case, slot: impl Fn(usize) -> Value) -> Value {
        let (action, resource) = ACTIONS[c.action];
        let mut context = serde_json::Map::new();
        if c.region {
            context.insert("aws:RequestedRegion".into(), "eu-west-1".into());
        }
        if c.tag {
            context.insert("aws:ResourceTag/team".into(), "red".into());
        }
        serde_json::json!({
            "id": format!("c{i}"),
            "identity_policies": c.identity.iter().map(|&p| slot(p)).collect::<Vec<_>>(),
            "permission_boundaries": c.boundary.iter().map(|&p| slot(p)).collect::<Vec<_>>(),
            "request": {"principal": "arn:aws:iam::111122223333:user/alice",
                        "action": action, "resource": resource, "context": context},
        })
    }

    // Decision, reason, blocked layer and the statements that applied, without policy names.
    fn outcomes(results: &[Value]) -> Vec<Value> {
        results
            .iter()
            .map(|r| {
                let e = &r["explanation"];
                let strip = |list: &Value| -> Vec<Value> {
                    list.as_array()
                        .unwrap()
                        .iter()
                        .map(|m| serde_json::json!([m["layer"], m["statement"]]))
                        .collect()
                };
                serde_json::json!([
                    r["id"],
                    r["decision"],
                    e["reason"],
                    e["blocked_by"],
                    strip(&e["denied_by"]),
                    strip(&e["allowed_by"])
                ])
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn lean_current_and_json_lines_decide_alike((policies, cases) in arb_batch()) {
            let dir = tempfile::tempdir().unwrap();
            let inline: Vec<Value> = cases.iter().enumerate()
                .map(|(i, c)| case_json(i, c, |p| policy(&policies[p]))).collect();
            let named: Vec<Value> = cases.iter().enumerate()
                .map(|(i, c)| case_json(i, c, |p| Value::String(format!("p{p}")))).collect();
            let definitions: serde_json::Map<String, Value> = policies.iter().enumerate()
                .map(|(i, p)| (format!("p{i}"), policy(p))).collect();

            let current = dir.path().join("current.json");
            std::fs::write(&current, serde_json::json!({"cases": inline}).to_string()).unwrap();
            let lean = dir.path().join("lean.json");
            std::fs::write(&lean, serde_json::json!({"policies": definitions, "cases": named}).to_string()).unwrap();
            let lines = dir.path().join("lean.jsonl");
            let mut text = serde_json::json!({"policies": definitions}).to_string();
            for case in &named {
                text.push('\n');
                text.push_str(&case.to_string());
            }
            std::fs::write(&lines, text).unwrap();

            let (a, out_a) = simulate(current, Format::Json);
            let (b, out_b) = simulate(lean, Format::Json);
            let (c, out_c) = simulate(lines, Format::Json);
            prop_assert_eq!(a.unwrap(), ExitStatus::Success);
            prop_assert_eq!(b.unwrap(), ExitStatus::Success);
            prop_assert_eq!(c.unwrap(), ExitStatus::Success);
            let doc_a: Value = serde_json::from_str(&out_a).unwrap();
            let doc_b: Value = serde_json::from_str(&out_b).unwrap();
            let doc_c: Vec<Value> = out_c.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
            let a = outcomes(doc_a["results"].as_array().unwrap());
            prop_assert_eq!(&a, &outcomes(doc_b["results"].as_array().unwrap()));
            prop_assert_eq!(&a, &outcomes(&doc_c));
        }
    }
}
