//! Web identity (OIDC) and SAML callers at model level: `simulate` with `oidc:`/`federated:`
//! principals, and the library's list of federated callers with their conditions.
use iam_codegen::cli::{Cli, CliError, ExitStatus, run};
use iam_model::eval::model::{FederationKind, ModelEvaluator, ModelPrincipal};
use iam_model::model::Model;
use pretty_assertions::assert_eq;

use crate::support::root;

const ROLE: &str = "arn:aws:iam::888888888888:role/github-deploy";
const PROVIDER: &str =
    "arn:aws:iam::888888888888:oidc-provider/token.actions.githubusercontent.com";

fn iam_codegen(args: &[&str]) -> Result<(ExitStatus, String), CliError> {
    use clap::Parser;
    let cli =
        Cli::try_parse_from(std::iter::once("iam-codegen").chain(args.iter().copied())).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = run(cli, &mut out, &mut err)?;
    Ok((status, String::from_utf8(out).unwrap()))
}

fn small_team() -> String {
    root()
        .join("examples/small-team.json")
        .display()
        .to_string()
}

fn simulate(principal: &str, sub: &str) -> (ExitStatus, String) {
    let model = small_team();
    let aud = "token.actions.githubusercontent.com:aud=sts.amazonaws.com".to_string();
    let sub = format!("token.actions.githubusercontent.com:sub={sub}");
    iam_codegen(&[
        "simulate",
        &model,
        "--principal",
        principal,
        "--account",
        "production",
        "--action",
        "sts:AssumeRoleWithWebIdentity",
        "--resource",
        ROLE,
        "--context",
        &aud,
        "--context",
        &sub,
    ])
    .unwrap()
}

#[test]
fn only_the_production_environment_may_assume_the_deploy_role() {
    let (status, out) = simulate("oidc:github", "repo:example/app:environment:production");
    assert_eq!(status, ExitStatus::Success);
    assert_eq!(
        out,
        format!(
            "oidc:github in `production` (888888888888): sts:AssumeRoleWithWebIdentity on `{ROLE}`: Allowed
  allowed through a federated caller of `{PROVIDER}`
path: a federated caller of `{PROVIDER}`: Allowed
  principal: {PROVIDER}
  reason: the resource-based policy allows the request
  allowed by: Resource `github-deploy trust policy` statement 0
"
        )
    );
    for sub in [
        "repo:example/app:ref:refs/heads/main",
        "repo:example/app:pull_request",
        "repo:example/other:environment:production",
    ] {
        assert_eq!(simulate("oidc:github", sub).0, ExitStatus::Denied, "{sub}");
    }
    // The provider ARN names the same caller.
    let by_arn = format!("federated:{PROVIDER}");
    assert_eq!(
        simulate(&by_arn, "repo:example/app:environment:production").0,
        ExitStatus::Success
    );
    // Another provider is not trusted.
    assert_eq!(
        simulate(
            "federated:arn:aws:iam::888888888888:oidc-provider/gitlab.example.com",
            "repo:example/app:environment:production"
        )
        .0,
        ExitStatus::Denied
    );
}

#[test]
fn an_unknown_provider_is_an_error_with_a_suggestion() {
    let model = small_team();
    let err = iam_codegen(&[
        "simulate",
        &model,
        "--principal",
        "oidc:githb",
        "--account",
        "production",
        "--action",
        "sts:AssumeRoleWithWebIdentity",
        "--resource",
        ROLE,
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no OIDC provider `githb` in the model (did you mean `github`?)"
    );
}

#[test]
fn the_library_lists_federated_callers_with_their_conditions() {
    let model = Model::from_json(&std::fs::read_to_string(small_team()).unwrap()).unwrap();
    let evaluator = ModelEvaluator::new(&model);
    let callers = evaluator.federated_callers();
    assert_eq!(callers.len(), 1);
    let c = &callers[0];
    assert_eq!(
        (
            c.account.as_str(),
            c.role,
            c.role_arn.as_str(),
            c.provider.as_str(),
            c.statement
        ),
        ("production", "github-deploy", ROLE, PROVIDER, 0)
    );
    assert_eq!(
        c.principal,
        ModelPrincipal::Oidc {
            account: Some("production".into()),
            name: "github".into()
        }
    );
    assert_eq!(c.actions, ["sts:AssumeRoleWithWebIdentity"]);
    assert!(!c.not_action);
    let conditions: Vec<(&str, &str, Vec<&str>)> = c
        .conditions
        .iter()
        .map(|x| {
            (
                x.operator.as_str(),
                x.key.as_str(),
                x.values.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        conditions,
        [
            (
                "StringEquals",
                "token.actions.githubusercontent.com:aud",
                vec!["sts.amazonaws.com"]
            ),
            (
                "StringEquals",
                "token.actions.githubusercontent.com:sub",
                vec!["repo:example/app:environment:production"]
            ),
        ]
    );
    assert_eq!(FederationKind::Oidc.as_str(), "oidc");
}
