//! Every "catches" and "does" of the README's "What you get", through the command line as
//! `main` runs it (`iam_codegen::cli::run`): the exact exit code, finding code and JSON
//! pointer, and the suggestion where the README promises one.
use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::support::{root, run_cli};

/// The six typos of issue 11, with what each must give in a policy file.
const TYPOS: [(&str, &str, &str); 6] = [
    (
        "s3:GetObjet",
        "unknown-action",
        "did you mean `s3:GetObject`?",
    ),
    (
        "dyanmodb:PutItem",
        "unknown-service",
        "did you mean `dynamodb:PutItem`?",
    ),
    (
        "ec2:DescribeInstance",
        "unknown-action",
        "did you mean `ec2:DescribeInstances`?",
    ),
    (
        "iam:CreatUser",
        "unknown-action",
        "did you mean `iam:CreateUser`?",
    ),
    (
        "sts:AssumeRol",
        "unknown-action",
        "did you mean `sts:AssumeRole`?",
    ),
    (
        "lambda:InvokeFuncton",
        "unknown-action",
        "did you mean `lambda:InvokeFunction`?",
    ),
];

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn fixture(name: &str) -> String {
    root()
        .join("tests/models/invalid")
        .join(name)
        .display()
        .to_string()
}

/// `(code, severity, path, help)` of every finding of a `--format json` document.
fn findings(stdout: &str) -> Vec<(String, String, String, String)> {
    let doc: Value = serde_json::from_str(stdout).unwrap();
    doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_string();
            (s("code"), s("severity"), s("path"), s("help"))
        })
        .collect()
}

fn code_paths(stdout: &str) -> Vec<(String, String)> {
    findings(stdout)
        .into_iter()
        .map(|(code, _, path, _)| (code, path))
        .collect()
}

fn policy(statement: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#)
}

#[test]
fn policy_check_catches_each_typo_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    for (action, code, help) in TYPOS {
        let file = write(
            &dir,
            "p.json",
            &policy(&format!(
                r#"{{"Effect":"Allow","Action":"{action}","Resource":"*"}}"#
            )),
        );
        let (status, stdout, _) = run_cli(&["policy", "check", "--format", "json", &file]);
        assert_eq!(status, 3, "{action}");
        assert_eq!(
            findings(&stdout),
            [(
                code.to_string(),
                "error".to_string(),
                "/Statement/0/Action".to_string(),
                help.to_string()
            )],
            "{action}"
        );
    }
}

#[test]
fn the_issue_example_is_an_error_in_text_output() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "p.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjet","Resource":"*"}]}"#,
    );
    let (status, stdout, stderr) = run_cli(&["policy", "check", &file]);
    assert_eq!(status, 3);
    assert_eq!(
        stdout,
        format!(
            "{file}:/Statement/0/Action: error unknown-action: `s3:GetObjet` is not an action of Amazon S3 (`s3`)\n  help: did you mean `s3:GetObject`?\n"
        )
    );
    assert_eq!(stderr, "1 file checked: 1 error, 0 warnings\n");
}

/// A model whose CI role in production has the six typos in one inline policy.
fn typo_model() -> String {
    std::fs::read_to_string(fixture("policy-typos.json")).unwrap()
}

#[test]
fn validate_catches_each_typo_inside_a_model_at_its_model_path() {
    let (status, stdout, _) = run_cli(&[
        "validate",
        "--format",
        "json",
        &fixture("policy-typos.json"),
    ]);
    assert_eq!(status, 3);
    let expected: Vec<(String, String, String, String)> = TYPOS
        .iter()
        .enumerate()
        .map(|(i, (_, code, help))| {
            (
                code.to_string(),
                "error".to_string(),
                format!(
                    "/accounts/production/iam/roles/ci/inline_policies/Deploy/Statement/0/Action/{i}"
                ),
                help.to_string(),
            )
        })
        .collect();
    assert_eq!(findings(&stdout), expected);
}

#[test]
fn generate_validates_first_and_writes_nothing_for_a_typo() {
    let dir = tempfile::tempdir().unwrap();
    let model = write(&dir, "model.json", &typo_model());
    let out = dir.path().join("out");
    let (status, stdout, stderr) =
        run_cli(&["generate", &model, "--out", &out.display().to_string()]);
    assert_eq!(status, 3);
    assert_eq!(stdout, "");
    assert!(
        stderr.contains(&format!("{model}:/accounts/production/iam/roles/ci/inline_policies/Deploy/Statement/0/Action/0: error unknown-action: ")),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(&format!("{model}: nothing generated\n")),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn check_simulate_and_who_can_refuse_a_model_with_a_typo() {
    let model = fixture("policy-typos.json");
    for args in [
        vec!["check", model.as_str()],
        vec![
            "simulate",
            model.as_str(),
            "--principal",
            "role:ci",
            "--account",
            "production",
            "--action",
            "s3:GetObject",
        ],
        vec!["who-can", model.as_str(), "--action", "s3:GetObject"],
    ] {
        let (status, _, stderr) = run_cli(&args);
        assert_eq!(status, 3, "{args:?}");
        assert!(
            stderr.contains("error unknown-action"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn arn_mismatches_and_unsupported_condition_keys_are_caught() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        &dir,
        "p.json",
        &policy(
            r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:dynamodb:eu-west-1:111122223333:table/t","Condition":{"IpAddress":{"aws:SourceIpp":"203.0.113.0/24"}}}"#,
        ),
    );
    let (status, stdout, _) = run_cli(&["policy", "check", "--format", "json", &file]);
    assert_eq!(status, 0);
    assert_eq!(
        code_paths(&stdout),
        [
            (
                "resource-type-mismatch".to_string(),
                "/Statement/0/Resource".to_string()
            ),
            (
                "unsupported-condition-key".to_string(),
                "/Statement/0/Condition/IpAddress/aws:SourceIpp".to_string()
            ),
        ]
    );
}

#[test]
fn size_accounting_per_kind() {
    let dir = tempfile::tempdir().unwrap();
    let actions: Vec<String> = iam_catalog::KnownAction::all()
        .filter(|a| a.service().prefix() == "ec2" && !a.is_deprecated())
        .take(400)
        .map(|a| format!("\"{}\"", a.full_name()))
        .collect();
    let file = write(
        &dir,
        "p.json",
        &policy(&format!(
            r#"{{"Effect":"Allow","Action":[{}],"Resource":"*"}}"#,
            actions.join(",")
        )),
    );
    let (status, stdout, _) = run_cli(&["policy", "check", "--format", "json", &file]);
    assert_eq!(status, 3);
    assert_eq!(
        code_paths(&stdout),
        [("policy-too-large".to_string(), String::new())]
    );
    // AWS managed policies have no customer size limit.
    let (status, stdout, _) = run_cli(&[
        "policy",
        "check",
        "--kind",
        "aws-managed",
        "--format",
        "json",
        &file,
    ]);
    assert_eq!(status, 0);
    assert_eq!(code_paths(&stdout), []);
}

/// `(fixture, exit code of validate, severity, (code, path) that must be among the findings)`.
const PRACTICES: [(&str, u8, &str, &str, &str); 12] = [
    (
        "practice-ci-admin.json",
        3,
        "error",
        "ci-admin",
        "/accounts/management/iam/roles/release",
    ),
    (
        "practice-oidc-sub.json",
        3,
        "error",
        "oidc-sub-not-pinned",
        "/accounts/management/iam/roles/deploy-org/trust_policy/Statement/0/Condition",
    ),
    (
        "practice-oidc-aud-not-pinned.json",
        3,
        "error",
        "oidc-aud-not-pinned",
        "/accounts/management/iam/roles/deploy-no-aud/trust_policy/Statement/0/Condition",
    ),
    (
        "practice-cross-account-without-external-id.json",
        3,
        "error",
        "cross-account-without-external-id",
        "/accounts/management/iam/roles/vendor/trust_policy/Statement/0/Principal/AWS",
    ),
    (
        "practice-trust-open-conditioned.json",
        3,
        "error",
        "trust-open",
        "/accounts/management/iam/roles/open-from-ip/trust_policy/Statement/0/Principal/AWS",
    ),
    (
        "practice-admin-in-production.json",
        3,
        "error",
        "admin-in-production",
        "/identity_center/assignments/0/accounts/0",
    ),
    (
        "practice-pass-role-any-resource.json",
        3,
        "error",
        "pass-role-any-resource",
        "/accounts/dev/iam/roles/ci/inline_policies/Deploy/Statement/0/Action/1",
    ),
    (
        "deprecated-managed-policy.json",
        3,
        "error",
        "deprecated-managed-policy",
        "/accounts/dev/iam/roles/ops/aws_managed_policies/0",
    ),
    (
        "practice-console-user-without-mfa.json",
        0,
        "warning",
        "console-user-without-mfa",
        "/accounts/management/iam/users/qa-sarah/console_access",
    ),
    (
        "practice-developer-production-write.json",
        0,
        "warning",
        "developer-production-write",
        "/accounts/production/iam/groups/Developers",
    ),
    (
        "practice-privilege-escalation.json",
        3,
        "warning",
        "privilege-escalation",
        "/accounts/management/iam/users/dev-sam",
    ),
    (
        "practice-sandbox-without-budget.json",
        0,
        "warning",
        "sandbox-without-budget",
        "/accounts/sandbox",
    ),
];

#[test]
fn the_seeds_practices_are_caught_with_their_severity() {
    for (name, exit, severity, code, path) in PRACTICES {
        let (status, stdout, _) = run_cli(&["validate", "--format", "json", &fixture(name)]);
        assert_eq!(status, exit, "{name}");
        let found = findings(&stdout);
        let hit = found
            .iter()
            .find(|(c, _, p, _)| c == code && p == path)
            .unwrap_or_else(|| panic!("{name}: no {code} at {path} in {found:?}"));
        assert_eq!(hit.1, severity, "{name}");
        assert!(
            hit.3.len() > 40,
            "{name}: the help says why and how: {}",
            hit.3
        );
    }
}

#[test]
fn dangling_references_are_caught() {
    let (status, stdout, _) = run_cli(&[
        "validate",
        "--format",
        "json",
        &fixture("unknown-group.json"),
    ]);
    assert_eq!(status, 3);
    assert!(
        code_paths(&stdout).contains(&(
            "unknown-group".to_string(),
            "/accounts/management/iam/users/dev-john/groups/0".to_string()
        )),
        "{stdout}"
    );
}

#[test]
fn an_assertion_on_an_unknown_action_is_an_error_not_a_pass() {
    let (status, stdout, _) = run_cli(&[
        "validate",
        "--format",
        "json",
        &fixture("assertion-unknown-action.json"),
    ]);
    assert_eq!(status, 3);
    let found = findings(&stdout);
    assert_eq!(
        found[0],
        (
            "unknown-action".to_string(),
            "error".to_string(),
            "/assertions/0/denied/0".to_string(),
            "did you mean `iam:CreateUser`?".to_string()
        )
    );
    let (status, _, stderr) = run_cli(&["check", &fixture("assertion-unknown-action.json")]);
    assert_eq!(status, 3);
    assert!(
        stderr.contains("/assertions/0/denied/0: error unknown-action"),
        "{stderr}"
    );
}

#[test]
fn simulate_and_who_can_refuse_an_unknown_action_with_a_suggestion() {
    let model = root()
        .join("examples/small-team.json")
        .display()
        .to_string();
    let (status, stdout, stderr) = run_cli(&[
        "simulate",
        &model,
        "--principal",
        "group:AWS-Developers",
        "--account",
        "production",
        "--action",
        "iam:CreateUsr",
    ]);
    assert_eq!((status, stdout.as_str()), (1, ""));
    assert_eq!(
        stderr,
        "error: invalid `--action`: `iam:CreateUsr` is not an action of AWS Identity and Access Management (IAM) (`iam`); did you mean `iam:CreateUser`?\n"
    );
    let (status, _, stderr) = run_cli(&["who-can", &model, "--action", "s3:GetObjet"]);
    assert_eq!(status, 1);
    assert_eq!(
        stderr,
        "error: invalid `--action`: `s3:GetObjet` is not an action of Amazon S3 (`s3`); did you mean `s3:GetObject`?\n"
    );
}

#[test]
fn simulate_answers_with_exit_0_allowed_and_4_denied() {
    let model = root()
        .join("examples/small-team.json")
        .display()
        .to_string();
    let ask = |principal: &str, action: &str| {
        run_cli(&[
            "simulate",
            &model,
            "--principal",
            principal,
            "--account",
            "production",
            "--action",
            action,
        ])
        .0
    };
    assert_eq!(ask("group:AWS-Developers", "iam:CreateUser"), 4);
    assert_eq!(ask("group:AWS-Admins", "iam:CreateUser"), 0);
}

#[test]
fn an_accepted_finding_is_reported_with_its_reason_and_in_access_md() {
    let file = fixture("allow-findings.json");
    let (status, stdout, stderr) = run_cli(&["validate", &file]);
    // The entry without a reason is an error, so the model is still invalid.
    assert_eq!(status, 3);
    assert!(
        stdout.contains(&format!("{file}:/accounts/management/iam/roles/open/trust_policy/Statement/0/Principal: allowed trust-open: role `open` can be assumed by anyone (`\"Principal\": \"*\"`) in any account\n  reason: a public demo role with no permissions, reviewed by security (TICKET-1)\n")),
        "{stdout}"
    );
    assert_eq!(stderr, format!("{file}: 2 errors, 1 warning, 1 allowed\n"));

    // With a reason for every entry, and no stale one, the model is valid and generates.
    let mut model: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    model["allow_findings"][1]["reason"] = "the partner's account list is not known yet".into();
    model["allow_findings"].as_array_mut().unwrap().truncate(2);
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "model.json", &model.to_string());
    let (status, _, stderr) = run_cli(&["validate", &path]);
    assert_eq!(
        (status, stderr),
        (0, format!("{path}: 0 errors, 0 warnings, 2 allowed\n"))
    );
    let (status, stdout, _) = run_cli(&["generate", &path, "--target", "docs"]);
    assert_eq!(status, 0);
    assert!(
        stdout.contains("## Accepted findings\n\nChecks the model's authors chose to accept (`allow_findings` in the model), with their reasons:\n\n- `trust-open` at `/accounts/management/iam/roles/open/trust_policy/Statement/0/Principal`: a public demo role with no permissions, reviewed by security (TICKET-1)\n- `trust-open` at `/accounts/management/iam/roles/open-aws/trust_policy/Statement/0/Principal/AWS`: the partner's account list is not known yet\n"),
        "{stdout}"
    );
}

#[test]
fn aws_managed_policies_raise_no_false_unknown_action() {
    // The corpus test checks every document; this one asks the command a user would run.
    let dir = root().join("data/iam/managed-policies");
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for name in ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess"] {
        let entry: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        files.push(write(
            &tmp,
            &format!("{name}.json"),
            &entry["Document"].to_string(),
        ));
    }
    let mut args = vec![
        "policy",
        "check",
        "--kind",
        "aws-managed",
        "--format",
        "json",
    ];
    args.extend(files.iter().map(String::as_str));
    let (status, stdout, _) = run_cli(&args);
    assert_eq!(status, 0);
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    for file in doc["files"].as_array().unwrap() {
        assert!(
            file["findings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["severity"] == "warning"),
            "{file}"
        );
    }
}

#[test]
fn a_key_written_twice_in_a_model_is_an_error_with_both_places() {
    let file = fixture("duplicate-key.json");
    let (status, stdout, stderr) = run_cli(&["validate", &file]);
    assert_eq!(status, 3);
    assert_eq!(
        stdout,
        format!(
            "{file}:/identity_center/permission_sets/DeveloperAccess: error duplicate-key: `DeveloperAccess` is written twice: at line 16, column 7 and again at line 20, column 7\n  help: a JSON reader keeps only the last of the two, so the first is silently lost; merge them or rename one\n"
        )
    );
    assert_eq!(stderr, format!("{file}: 1 error, 0 warnings\n"));
}

/// `(path, message)` of the `privilege-escalation` findings of a `--format json` document.
fn escalations(stdout: &str) -> Vec<(String, String)> {
    let doc: Value = serde_json::from_str(stdout).unwrap();
    doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "privilege-escalation")
        .map(|f| {
            assert_eq!(f["severity"], "warning");
            (
                f["path"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn privilege_escalation_is_one_finding_per_principal_with_its_methods() {
    let (status, stdout, _) = run_cli(&[
        "validate",
        "--format",
        "json",
        &fixture("practice-privilege-escalation.json"),
    ]);
    // The group's `iam:PassRole` on `*` is also the `pass-role-any-resource` error.
    assert_eq!(status, 3);
    // Not reported: `self-jo` (access keys of its own user only), `kim` (an admin group),
    // `lee` (a condition on `iam:PermissionsBoundary`), and `OperatorAccess` in `locked`,
    // where an SCP denies `iam:UpdateAssumeRolePolicy`.
    assert_eq!(
        escalations(&stdout),
        [
            (
                "/accounts/management/iam/users/dev-sam".to_string(),
                "IAM user `dev-sam` in `management` is not an admin but can raise its own privileges: `iam:PassRole` + `lambda:CreateFunction` + `lambda:InvokeFunction` (PassExistingRoleToNewLambdaThenInvoke), allowed by Identity `Deploy` statement 0".to_string(),
            ),
            (
                "/accounts/management/iam/roles/app".to_string(),
                "role `app` in `management` is not an admin but can raise its own privileges: `iam:CreatePolicyVersion` (CreateNewPolicyVersion), `iam:PutUserPolicy` (PutUserPolicy), `iam:PutGroupPolicy` (PutGroupPolicy), `iam:PutRolePolicy` (PutRolePolicy), allowed by Identity `Iam` statement 0".to_string(),
            ),
            (
                "/identity_center/permission_sets/OperatorAccess".to_string(),
                "permission set `OperatorAccess` is not an admin but can raise its own privileges: `iam:UpdateAssumeRolePolicy` + `sts:AssumeRole` (UpdateRolePolicyToAssumeIt) in `workload` and `workload-b`, allowed by Identity `AwsSSOInlinePolicy` statement 0".to_string(),
            ),
        ]
    );
}

/// A role in a one-account model with these inline policy statements and boundary.
fn role_model(statements: &str, boundary: &str) -> String {
    format!(
        r#"{{"version": 1, "organization": {{"management_account": "main"}},
  "accounts": {{"main": {{"id": "111111111111", "email": "aws@example.com", "environment": "development",
    "iam": {{"roles": {{"worker": {{
      "trust_policy": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
        "Principal": {{"Service": "lambda.amazonaws.com"}}, "Action": "sts:AssumeRole"}}]}},
      "inline_policies": {{"Work": {{"Version": "2012-10-17", "Statement": [{statements}]}}}}
      {boundary}}}}}}}}}}}}}"#
    )
}

#[test]
fn privilege_escalation_counts_wildcards_not_action_and_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        // `iam:Attach*` covers the three attach methods.
        (
            r#"{"Effect": "Allow", "Action": "iam:Attach*", "Resource": "*"}"#,
            "",
            "role `worker` in `main` is not an admin but can raise its own privileges: `iam:AttachUserPolicy` (AttachUserPolicy), `iam:AttachGroupPolicy` (AttachGroupPolicy), `iam:AttachRolePolicy` (AttachRolePolicy), allowed by Identity `Work` statement 0",
        ),
        // Everything but IAM: the function the model's `worker` role runs as can be taken over.
        (
            r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#,
            "",
            "role `worker` in `main` is not an admin but can raise its own privileges: `lambda:UpdateFunctionCode` (EditExistingLambdaFunctionWithRole), allowed by Identity `Work` statement 0",
        ),
        // The same with a read-only boundary: nothing.
        (
            r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#,
            r#", "permissions_boundary": {"aws_managed": "ReadOnlyAccess"}"#,
            "",
        ),
        // Scoped to the team's own functions: nothing.
        (
            r#"{"Effect": "Allow", "Action": "lambda:UpdateFunctionCode", "Resource": "arn:aws:lambda:*:111111111111:function:dev-*"}"#,
            "",
            "",
        ),
    ];
    for (i, (statements, boundary, message)) in cases.into_iter().enumerate() {
        let path = write(
            &dir,
            &format!("{i}.json"),
            &role_model(statements, boundary),
        );
        let (_, stdout, _) = run_cli(&["validate", "--format", "json", &path]);
        let expected: Vec<(String, String)> = if message.is_empty() {
            Vec::new()
        } else {
            vec![(
                "/accounts/main/iam/roles/worker".to_string(),
                message.to_string(),
            )]
        };
        assert_eq!(
            escalations(&stdout),
            expected,
            "case {i}: {statements} {boundary}"
        );
    }
}
