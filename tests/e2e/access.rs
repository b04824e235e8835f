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
    // The seven presets and the two hand-written examples.
    assert_eq!(examples.len(), 9);
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

fn example(name: &str) -> String {
    root().join("examples").join(name).display().to_string()
}

#[test]
fn who_can_lists_a_third_party_with_the_conditions_of_its_trust() {
    let model = example("third-party.json");
    let role = "arn:aws:iam::888888888888:role/acme-contractor";
    let args = [
        "who-can",
        &model,
        "--action",
        "sts:AssumeRole",
        "--resource",
        role,
    ];
    let (status, out, err) = iam_codegen(&args).unwrap();
    assert_eq!((status, err.as_str()), (ExitStatus::Success, ""));
    assert_eq!(
        out,
        "external-account:999999999999 in `production`: through a principal of account `999999999999`
  only if: sts:ExternalId = \"acme-7f3b9c2e4d1a\"
  only if: aws:MultiFactorAuthPresent = true
  allowed by: Resource `acme-contractor trust policy` statement 0
  allowed by: Identity `external account's own policies` statement 0
"
    );
    let (_, out, _) = iam_codegen(&[&args[..], &["--format", "json"]].concat()).unwrap();
    let doc: Value = serde_json::from_str(&out).unwrap();
    let allowed = doc["allowed"].as_array().unwrap();
    assert_eq!(allowed.len(), 1);
    assert_eq!(allowed[0]["principal"], "external-account:999999999999");
    assert_eq!(
        allowed[0]["conditions"],
        json!([
            {"key": "sts:ExternalId", "operator": "StringEquals", "values": ["acme-7f3b9c2e4d1a"],
             "text": "sts:ExternalId = \"acme-7f3b9c2e4d1a\""},
            {"key": "aws:MultiFactorAuthPresent", "operator": "Bool", "values": ["true"],
             "text": "aws:MultiFactorAuthPresent = true"},
        ])
    );
    assert_eq!(doc["federated"], json!([]));
    // Context values that meet a condition remove it; all of them, every condition.
    let with = |context: &[&str]| {
        let mut all = args.to_vec();
        for c in context {
            all.extend(["--context", c]);
        }
        iam_codegen(&all).unwrap().1
    };
    assert_eq!(
        with(&["sts:ExternalId=acme-7f3b9c2e4d1a"]).lines().nth(1),
        Some("  only if: aws:MultiFactorAuthPresent = true")
    );
    assert_eq!(
        with(&[
            "sts:ExternalId=acme-7f3b9c2e4d1a",
            "aws:MultiFactorAuthPresent=true"
        ])
        .lines()
        .nth(1),
        Some("  allowed by: Resource `acme-contractor trust policy` statement 0")
    );
    // A wrong ExternalId is a request that fails: nobody is listed.
    assert_eq!(
        with(&["sts:ExternalId=guess"]),
        format!("no principal of the model may do sts:AssumeRole on `{role}`\n")
    );
}

#[test]
fn who_can_names_the_oidc_provider_and_its_pinned_sub() {
    let model = example("small-team.json");
    let args = [
        "who-can",
        &model,
        "--action",
        "sts:AssumeRoleWithWebIdentity",
        "--resource",
        "arn:aws:iam::888888888888:role/github-deploy",
    ];
    let (status, out, _) = iam_codegen(&args).unwrap();
    assert_eq!(status, ExitStatus::Success);
    assert_eq!(
        out,
        "identity provider `arn:aws:iam::888888888888:oidc-provider/token.actions.githubusercontent.com` in `production`: through the trust policy of IAM role `github-deploy`, statement 0
  only if: token.actions.githubusercontent.com:aud = \"sts.amazonaws.com\"
  only if: token.actions.githubusercontent.com:sub = \"repo:example/app:environment:production\"
"
    );
    let (_, out, _) = iam_codegen(&[&args[..], &["--format", "json"]].concat()).unwrap();
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["allowed"], json!([]));
    assert_eq!(
        doc["federated"],
        json!([{
            "provider": "arn:aws:iam::888888888888:oidc-provider/token.actions.githubusercontent.com",
            "account": "production",
            "role": "github-deploy",
            "statement": 0,
            "sid": null,
            "conditions": [
                {"key": "token.actions.githubusercontent.com:aud", "operator": "StringEquals",
                 "values": ["sts.amazonaws.com"],
                 "text": "token.actions.githubusercontent.com:aud = \"sts.amazonaws.com\""},
                {"key": "token.actions.githubusercontent.com:sub", "operator": "StringEquals",
                 "values": ["repo:example/app:environment:production"],
                 "text": "token.actions.githubusercontent.com:sub = \"repo:example/app:environment:production\""},
            ],
        }])
    );
    // The OIDC trust does not let anyone call `sts:AssumeRole`.
    let (_, out, _) = iam_codegen(&[
        "who-can",
        &model,
        "--action",
        "sts:AssumeRole",
        "--resource",
        "arn:aws:iam::888888888888:role/github-deploy",
    ])
    .unwrap();
    assert_eq!(
        out,
        "no principal of the model may do sts:AssumeRole on `arn:aws:iam::888888888888:role/github-deploy`\n"
    );
}

#[test]
fn who_can_names_the_mfa_a_deny_statement_requires() {
    // `RequireMfa` denies everything but MFA set-up when `aws:MultiFactorAuthPresent` is
    // false or absent (`BoolIfExists`): the admin can create users only signed in with MFA.
    let model = example("iam-users.json");
    let (status, out, _) = iam_codegen(&[
        "who-can",
        &model,
        "--action",
        "iam:CreateUser",
        "--account",
        "main",
    ])
    .unwrap();
    assert_eq!(status, ExitStatus::Success);
    assert_eq!(
        out,
        "iam-user:main/admin-john in `main`: through IAM user `admin-john` in `main`
  only if: aws:MultiFactorAuthPresent = true
  allowed by: Identity `AdministratorAccess` statement 0
"
    );
}

#[test]
fn who_can_names_the_source_ip_ranges_a_policy_requires() {
    let model = root()
        .join("tests/fixtures/who-can/source-ip.json")
        .display()
        .to_string();
    let args = [
        "who-can",
        &model,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::example-reports/q1.csv",
        "--account",
        "main",
    ];
    let (status, out, _) = iam_codegen(&args).unwrap();
    assert_eq!(status, ExitStatus::Success);
    assert_eq!(
        out,
        "iam-user:main/reporter in `main`: through IAM user `reporter` in `main`
  only if: aws:SourceIp in 203.0.113.0/24 or 2001:db8::/32
  allowed by: Identity `ReadReportsFromTheOffice` statement 0
"
    );
    let outside = iam_codegen(&[&args[..], &["--context", "aws:SourceIp=198.51.100.7"]].concat())
        .unwrap()
        .1;
    assert_eq!(
        outside,
        "no principal of the model may do s3:GetObject on `arn:aws:s3:::example-reports/q1.csv`\n"
    );
}
