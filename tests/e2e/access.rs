//! The model commands: `simulate MODEL --principal …`, `who-can` and `check`, with exact
//! output and exit codes; every preset passes `check`, and a preset edited to break a
//! promise fails it with the assertion, the action and the statement that broke it.
use iam_codegen::cli::{Cli, CliError, ExitStatus, run};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::support::{files, root};

const ORGANIZATION: &str = "tests/models/valid/organization.json";

fn iam_codegen(args: &[&str]) -> Result<(ExitStatus, String, String), CliError> {
    use clap::Parser;
    let cli =
        Cli::try_parse_from(std::iter::once("iam-codegen").chain(args.iter().copied())).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = run(cli, &mut out, &mut err)?;
    Ok((
        status,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    ))
}

fn organization() -> String {
    root().join(ORGANIZATION).display().to_string()
}

#[test]
fn simulate_allowed_exits_0_and_names_the_path() {
    let model = organization();
    let (status, out, err) = iam_codegen(&[
        "simulate",
        &model,
        "--principal",
        "group:AWS-Developers",
        "--account",
        "development",
        "--action",
        "ec2:RunInstances",
    ])
    .unwrap();
    assert_eq!((status, err.as_str()), (ExitStatus::Success, ""));
    assert_eq!(
        out,
        "group:AWS-Developers in `development` (444444444444): ec2:RunInstances on `*`: Allowed
  allowed through permission set `DeveloperAccess`
path: permission set `DeveloperAccess` (via group AWS-Developers): Allowed
  principal: arn:aws:iam::444444444444:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DeveloperAccess_e0dd1b2b4cb46e96
  reason: an identity-based policy allows the request
  allowed by: Identity `PowerUserAccess` statement 0
"
    );
}

#[test]
fn simulate_denied_exits_4_and_names_the_layer() {
    let model = organization();
    let (status, out, _) = iam_codegen(&[
        "simulate",
        &model,
        "--principal",
        "group:AWS-Developers",
        "--account",
        "sandbox",
        "--action",
        "ec2:RunInstances",
        "--context",
        "aws:RequestedRegion=us-east-1",
    ])
    .unwrap();
    assert_eq!(status, ExitStatus::Denied);
    assert_eq!(
        out,
        "group:AWS-Developers in `sandbox` (333333333333): ec2:RunInstances on `*`: ExplicitlyDenied
path: permission set `DeveloperAccess` (via group AWS-Developers): ExplicitlyDenied
  principal: arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DeveloperAccess_e0dd1b2b4cb46e96
  reason: an explicit deny applies
  blocked by: Scp at level `Sandbox`
  denied by: Scp `Sandbox` `SandboxRegions` statement 0
  allowed by: Identity `PowerUserAccess` statement 0
"
    );
    // No permission set in the account: no path, denied.
    let (status, out, _) = iam_codegen(&[
        "simulate",
        &model,
        "--principal",
        "group:AWS-Developers",
        "--account",
        "production",
        "--action",
        "iam:CreateUser",
    ])
    .unwrap();
    assert_eq!(status, ExitStatus::Denied);
    assert_eq!(
        out,
        "group:AWS-Developers in `production` (222222222222): iam:CreateUser on `*`: ImplicitlyDenied
  no access path: `group:AWS-Developers` has no permission set in `production`
"
    );
}

#[test]
fn simulate_as_json_is_one_document_with_every_path() {
    let model = organization();
    let (status, out, _) = iam_codegen(&[
        "simulate",
        &model,
        "--principal",
        "user:alice@example.com",
        "--account",
        "development",
        "--action",
        "iam:CreateUser",
        "--format",
        "json",
    ])
    .unwrap();
    assert_eq!(status, ExitStatus::Success);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["decision"], "Allowed");
    assert_eq!(doc["allowed_by_path"], "permission set `AdminAccess`");
    let paths: Vec<(&str, &str)> = doc["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["path"]["name"].as_str().unwrap(),
                p["decision"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        paths,
        [
            ("AdminAccess", "Allowed"),
            ("DeveloperAccess", "ImplicitlyDenied")
        ]
    );
}

#[test]
fn unknown_principals_and_accounts_are_errors_with_a_suggestion() {
    let model = organization();
    let err = iam_codegen(&[
        "simulate",
        &model,
        "--principal",
        "group:AWS-Developer",
        "--account",
        "production",
        "--action",
        "iam:CreateUser",
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no Identity Center group `AWS-Developer` in the model (did you mean `AWS-Developers`?)"
    );
    let err = iam_codegen(&[
        "simulate",
        &model,
        "--principal",
        "role:ci-deploy",
        "--account",
        "prod",
        "--action",
        "s3:PutObject",
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no account `prod` in the model (did you mean `production`?)"
    );
}

#[test]
fn simulate_needs_a_model_or_cases_but_not_both() {
    use clap::Parser;
    assert!(Cli::try_parse_from(["iam-codegen", "simulate"]).is_err());
    assert!(
        Cli::try_parse_from([
            "iam-codegen",
            "simulate",
            "m.json",
            "--cases",
            "c.json",
            "--principal",
            "user:a",
            "--account",
            "a",
            "--action",
            "s3:GetObject"
        ])
        .is_err()
    );
    assert!(
        Cli::try_parse_from(["iam-codegen", "simulate", "m.json", "--principal", "user:a"])
            .is_err()
    );
}

#[test]
fn a_model_with_errors_exits_3() {
    let model = root().join("tests/models/invalid/unknown-group.json");
    let (status, out, err) = iam_codegen(&["check", &model.display().to_string()]).unwrap();
    assert_eq!((status, out.as_str()), (ExitStatus::Invalid, ""));
    assert!(err.contains("error unknown-group"), "{err}");
}

#[test]
fn who_can_lists_every_principal_allowed_and_how() {
    let model = organization();
    let (status, out, _) = iam_codegen(&[
        "who-can",
        &model,
        "--action",
        "iam:CreateUser",
        "--account",
        "production",
    ])
    .unwrap();
    assert_eq!(status, ExitStatus::Success);
    assert_eq!(
        out,
        "group:AWS-Admins in `production`: through permission set `AdminAccess` (via group AWS-Admins)
  allowed by: Identity `AdministratorAccess` statement 0
user:alice@example.com in `production`: through permission set `AdminAccess` (via group AWS-Admins)
  allowed by: Identity `AdministratorAccess` statement 0
"
    );
    // The resource ARN names the account; the trust policy lets the third party in with its
    // ExternalId.
    let (_, out, _) = iam_codegen(&[
        "who-can",
        &model,
        "--action",
        "sts:AssumeRole",
        "--resource",
        "arn:aws:iam::222222222222:role/partner-access",
        "--context",
        "sts:ExternalId=acme-7f3b9c",
        "--format",
        "json",
    ])
    .unwrap();
    let doc: Value = serde_json::from_str(&out).unwrap();
    let allowed: Vec<(&str, &str)> = doc["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["principal"].as_str().unwrap(),
                g["path"]["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        allowed,
        [("external-account:999999999999", "external-account")]
    );
}

#[test]
fn check_lists_each_assertion_and_exits_0_when_all_hold() {
    let model = organization();
    let (status, out, _) = iam_codegen(&["check", &model]).unwrap();
    assert_eq!(status, ExitStatus::Success);
    assert_eq!(
        out,
        "/assertions/0 group:AWS-Developers in `production` on `*`: holds
  ok /assertions/0/denied/0 iam:CreateUser: ImplicitlyDenied (expected denied)
/assertions/1 iam-role:ci-deploy in `production` on `arn:aws:s3:::example-site/index.html`: holds
  ok /assertions/1/allowed/0 s3:PutObject: Allowed (expected allowed)
all 2 assertions hold
"
    );
}

#[test]
fn every_preset_passes_check() {
    let examples = files(&root().join("examples"), "json");
    // The seven presets and the three hand-written examples.
    assert_eq!(examples.len(), 10);
    for path in examples {
        let (status, out, _) = iam_codegen(&["check", &path.display().to_string()]).unwrap();
        assert_eq!(status, ExitStatus::Success, "{}: {out}", path.display());
        assert!(out.ends_with(" assertions hold\n"), "{}", path.display());
    }
}

#[test]
fn a_preset_that_breaks_a_promise_fails_check_with_the_statement() {
    // Give the developers AdministratorAccess in production.
    let text = std::fs::read_to_string(root().join("examples/small-team.json")).unwrap();
    let mut model: Value = serde_json::from_str(&text).unwrap();
    model["identity_center"]["assignments"]
        .as_array_mut()
        .unwrap()
        .push(json!({"group": "AWS-Developers", "permission_set": "AdminAccess", "accounts": ["production"]}));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.json");
    std::fs::write(&path, serde_json::to_string_pretty(&model).unwrap()).unwrap();
    let path = path.display().to_string();

    let (status, out, _) = iam_codegen(&["check", &path]).unwrap();
    assert_eq!(status, ExitStatus::Denied);
    assert!(
        out.ends_with("1 of 19 assertions fail: /assertions/2\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "/assertions/2 group:AWS-Developers in `production` on `*`: FAILS
  FAIL /assertions/2/denied/0 ec2:RunInstances: Allowed (expected denied)
"
        ),
        "{out}"
    );
    assert!(out.contains(
        "    broken by: Identity `AdministratorAccess` statement 0 on permission set `AdminAccess`\n"
    ), "{out}");

    let (status, out, _) = iam_codegen(&["check", &path, "--format", "json"]).unwrap();
    assert_eq!(status, ExitStatus::Denied);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["holds"], false);
    let failing: Vec<&Value> = doc["assertions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["holds"] == false)
        .collect();
    assert_eq!(failing.len(), 1);
    let first = &failing[0]["actions"][0];
    assert_eq!(
        (
            &failing[0]["pointer"],
            &first["pointer"],
            &first["action"],
            &first["decision"],
            &first["broken_by"]
        ),
        (
            &json!("/assertions/2"),
            &json!("/assertions/2/denied/0"),
            &json!("ec2:RunInstances"),
            &json!("Allowed"),
            &json!([{"layer": "Identity", "policy": "AdministratorAccess", "statement": 0, "path": "permission set `AdminAccess`"}])
        )
    );
}
