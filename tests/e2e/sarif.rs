//! `--format sarif` of `validate` and `policy check` through the library entry point
//! (`iam_codegen::cli::run`): exact results and positions, and every log valid against the
//! vendored SARIF 2.1.0 schemas (`tests/sarif/`, checked by the tools venv's `jsonschema`).
//!
//! Paths are relative to the `tests/` package directory, where cargo runs these tests.
use clap::Parser;
use iam_codegen::cli::{Cli, run};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::support::root;
use crate::tools::{text, tool_path};

/// Exit code and stdout of a run; a command error gives its exit code and message.
fn iam_codegen(args: &[&str]) -> (u8, String) {
    let cli = Cli::try_parse_from(std::iter::once("iam-codegen").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("usage error: {e}"));
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    match run(cli, &mut stdout, &mut stderr) {
        Ok(status) => (status.code(), String::from_utf8(stdout).unwrap()),
        Err(e) => (e.exit_code(), e.to_string()),
    }
}

/// Validate a log against both vendored schemas; panics with the violations.
fn assert_valid_sarif(log: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("log.sarif");
    std::fs::write(&file, log).unwrap();
    for schema in ["sarif-schema-2.1.0.json", "sarif-2.1.0-rtm.5.json"] {
        let out = std::process::Command::new(tool_path("python"))
            .arg(root().join("tests/tools/validate_sarif.py"))
            .arg(root().join("tests/sarif").join(schema))
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "not valid against {schema}:\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
}

/// Each result as (rule id, level, artifact URI, region, message, JSON pointer).
fn results(log: &Value) -> Vec<Value> {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"];
            json!([
                r["ruleId"],
                r["level"],
                location["artifactLocation"]["uri"],
                location["region"],
                r["message"]["text"],
                r["properties"]["jsonPointer"],
            ])
        })
        .collect()
}

#[test]
fn validate_points_at_the_offending_value_of_a_model() {
    let (code, log) = iam_codegen(&[
        "validate",
        "--format",
        "sarif",
        "fixtures/sarif/external-id.json",
    ]);
    assert_eq!(code, 3);
    assert_valid_sarif(&log);
    let log: Value = serde_json::from_str(&log).unwrap();
    // Line 25 is `                      "sts:ExternalId": "x"`: the value `"x"` is columns 41-43.
    let pointer = "/accounts/management/iam/roles/partner/trust_policy/Statement/0/Condition/StringEquals/sts:ExternalId";
    let ours: Vec<Value> = results(&log)
        .into_iter()
        .filter(|r| r[0] == "invalid-external-id")
        .collect();
    assert_eq!(
        ours,
        [json!([
            "invalid-external-id",
            "error",
            "fixtures/sarif/external-id.json",
            {"startLine": 25, "startColumn": 41, "endLine": 25, "endColumn": 44},
            "invalid ExternalId `x`: it has 1 characters; the minimum is 2",
            pointer,
        ])]
    );
    let rule = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "invalid-external-id")
        .unwrap()
        .clone();
    let help = "an ExternalId is 2 to 1,224 characters of letters, digits and `+=,.@:/-` (\"IAM and AWS STS quotas\")";
    assert_eq!(
        rule,
        json!({
            "id": "invalid-external-id",
            "fullDescription": {"text": help},
            "help": {"text": help},
            "defaultConfiguration": {"level": "error"},
        })
    );
    assert_eq!(log["runs"][0]["columnKind"], "utf16CodeUnits");
    assert_eq!(
        log["runs"][0]["invocations"],
        json!([{"executionSuccessful": true}])
    );
}

#[test]
fn validate_reports_malformed_json_at_its_line_and_column() {
    let (code, log) = iam_codegen(&[
        "validate",
        "--format",
        "sarif",
        "fixtures/sarif/model-not-json.json",
    ]);
    assert_eq!(code, 1);
    assert_valid_sarif(&log);
    let log: Value = serde_json::from_str(&log).unwrap();
    // Line 2 is `  "$schema": "é" "version": 1`: serde_json says byte column 19, the quote
    // after the space; `é` is two bytes but one UTF-16 code unit, so that is column 18.
    assert_eq!(
        results(&log),
        [json!([
            "invalid-json",
            "error",
            "fixtures/sarif/model-not-json.json",
            {"startLine": 2, "startColumn": 18},
            "expected `,` or `}`",
            "",
        ])]
    );
}

#[test]
fn policy_check_logs_every_file_in_one_run() {
    let args = [
        "policy",
        "check",
        "--kind",
        "scp",
        "--format",
        "sarif",
        "policies/broken/unknown-condition-operator.json",
        "fixtures/sarif/not-json.json",
        "fixtures/sarif/missing file.json",
    ];
    let (code, log) = iam_codegen(&args);
    // An unreadable file makes the check incomplete: exit 1, as with text and json.
    assert_eq!(code, 1);
    assert_valid_sarif(&log);
    assert_eq!(iam_codegen(&args).1, log, "the log is not deterministic");
    let log: Value = serde_json::from_str(&log).unwrap();
    assert_eq!(
        results(&log),
        [
            json!([
                "unknown-condition-operator",
                "error",
                "policies/broken/unknown-condition-operator.json",
                {"startLine": 9, "startColumn": 27, "endLine": 14, "endColumn": 10},
                "unknown condition operator `StringNotEqual`",
                "/Statement/0/Condition/StringNotEqual",
            ]),
            json!([
                "invalid-json",
                "error",
                "fixtures/sarif/not-json.json",
                {"startLine": 4, "startColumn": 50},
                "expected `,` or `}` (at `/Statement/0`)",
                "/Statement/0",
            ]),
        ]
    );
    let rules: Vec<&Value> = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["id"])
        .collect();
    assert_eq!(rules, ["invalid-json", "unknown-condition-operator"]);
    let notification = &log["runs"][0]["invocations"][0];
    assert_eq!(notification["executionSuccessful"], false);
    assert_eq!(
        notification["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"],
        "fixtures/sarif/missing%20file.json"
    );
}

#[test]
fn a_clean_policy_gives_a_log_without_results() {
    let (code, log) = iam_codegen(&[
        "policy",
        "check",
        "--format",
        "sarif",
        "../examples/policies/tester.json",
    ]);
    assert_eq!(code, 0);
    assert_valid_sarif(&log);
    let log: Value = serde_json::from_str(&log).unwrap();
    assert_eq!(log["runs"][0]["results"], json!([]));
    assert_eq!(log["runs"][0]["tool"]["driver"]["rules"], json!([]));
}

#[test]
fn commands_without_sarif_refuse_it_as_a_usage_error() {
    assert_eq!(
        iam_codegen(&[
            "who-can",
            "--format",
            "sarif",
            "--action",
            "s3:GetObject",
            "--resource",
            "*",
            "../examples/small-team.json",
        ]),
        (
            2,
            "`--format sarif` is for `validate` and `policy check`; `who-can` prints text or json"
                .to_string()
        )
    );
}

#[test]
fn accepted_findings_are_suppressed_results_with_their_reason() {
    let file = "models/invalid/allow-findings.json";
    let (code, log) = iam_codegen(&["validate", "--format", "sarif", file]);
    assert_eq!(code, 3);
    assert_valid_sarif(&log);
    let log: Value = serde_json::from_str(&log).unwrap();
    let suppressed: Vec<Value> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"];
            json!([
                r["ruleId"],
                r["level"],
                location["region"]["startLine"],
                r["properties"]["jsonPointer"],
                r["suppressions"],
            ])
        })
        .collect();
    // Line 19 is `                  "Principal": "*",`.
    assert_eq!(
        suppressed,
        [json!([
            "trust-open",
            "error",
            19,
            "/accounts/management/iam/roles/open/trust_policy/Statement/0/Principal",
            [{"kind": "inSource", "justification": "a public demo role with no permissions, reviewed by security (TICKET-1)"}],
        ])]
    );
    // The findings that are not accepted carry no suppression.
    let others = log["runs"][0]["results"].as_array().unwrap().len() - suppressed.len();
    assert_eq!(others, 3);
}
