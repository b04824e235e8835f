//! A model built in Rust with the typed builders is the same model as its model file: OU
//! baselines (`Baseline::builder`, `Unit::with_baseline`), an account the management template
//! creates, an external identity source and the SSO settings. Same value, same file, same
//! findings, same access matrix and `who-can` answers.
use iam_model::eval::model::{ModelEvaluator, Query, access_matrix};
use iam_model::model::baseline::{Baseline, TEMPLATE_ACCOUNT, TEMPLATE_ACCOUNT_ID};
use iam_model::model::names::{AccountName, PermissionSetName};
use iam_model::model::patterns::{GithubDeployRole, GithubRef, github_oidc_provider};
use iam_model::model::{
    Account, Assertion, AssertionPrincipal, Assignment, AssignmentPrincipal, Environment,
    IdentityCenter, IdentitySource, ManagedPolicy, Model, OrgPolicy, Organization, OutputFormat,
    PermissionSet, Role, SsoGroup, SsoSettings, SsoUser, Target, Unit,
};
use iam_model::policy::kind::{Identity, Scp, Trust};
use iam_model::policy::{AccountId, Policy, Principal, Statement};
use iam_model::validate::validate;
use pretty_assertions::assert_eq;

use crate::support::root;

const FIXTURE: &str = "tests/fixtures/builders-baseline.json";
const MANAGEMENT: AccountName = AccountName::from_static("management");
const MANAGEMENT_ID: AccountId = AccountId::from_static("111111111111");
const READ_ONLY: PermissionSetName = PermissionSetName::from_static("ReadOnlyAccess");

fn allow(action: &str, resource: &str) -> Statement {
    Statement::builder()
        .allow()
        .action(action.parse().unwrap())
        .resource(resource.parse().unwrap())
        .build()
}

/// The management account may assume the role.
fn trust_management() -> Policy<Trust> {
    Policy::builder()
        .statement(
            Statement::trust()
                .allow()
                .principal(Principal::account(MANAGEMENT_ID))
                .action("sts:AssumeRole".parse().unwrap())
                .build(),
        )
        .build()
}

/// Every account under `Workloads`: an audit role reading the account's own log bucket, a
/// policy on the account's log groups, and the GitHub OIDC provider. Under `Workloads/Prod`
/// also a GitHub deploy role trusting the provider of the account deployed in.
fn built() -> Model {
    let read_logs: Policy<Identity> = Policy::builder()
        .statement(allow(
            "logs:GetLogEvents",
            &format!("arn:aws:logs:*:{TEMPLATE_ACCOUNT_ID}:log-group:app:*"),
        ))
        .build();
    let workloads = Baseline::builder()
        .role(
            "audit".parse().unwrap(),
            Role::builder()
                .trust_policy(trust_management())
                .inline_policy(
                    "ReadLogBucket".parse().unwrap(),
                    Policy::builder()
                        .statement(allow(
                            "s3:GetObject",
                            &format!("arn:aws:s3:::logs-{TEMPLATE_ACCOUNT_ID}/*"),
                        ))
                        .build(),
                )
                .customer_managed_policy("ReadLogs".parse().unwrap())
                .build(),
        )
        .policy(
            "ReadLogs".parse().unwrap(),
            ManagedPolicy::builder(read_logs)
                .description("Read the app's log groups")
                .build(),
        )
        .oidc_provider("github".parse().unwrap(), github_oidc_provider())
        .build();
    let prod = Baseline::builder()
        .role(
            "deploy".parse().unwrap(),
            GithubDeployRole::new(
                TEMPLATE_ACCOUNT,
                "example/app".parse().unwrap(),
                GithubRef::environment("production").unwrap(),
            )
            .role()
            .inline_policy(
                "Deploy".parse().unwrap(),
                Policy::builder()
                    .statement(allow("s3:PutObject", "arn:aws:s3:::example-app-site/*"))
                    .build(),
            )
            .build(),
        )
        .build();
    let deny_leaving: Policy<Scp> = Policy::builder()
        .statement(
            Statement::builder()
                .deny()
                .action("organizations:LeaveOrganization".parse().unwrap())
                .resource("*".parse().unwrap())
                .build(),
        )
        .build();
    let organization = Organization::new(MANAGEMENT)
        .unit(
            "Workloads",
            Unit::new()
                .tag("Owner", "platform")
                .with_baseline(workloads)
                .unit("Prod", Unit::new().with_baseline(prod)),
        )
        .scp(
            "DenyLeaving".parse().unwrap(),
            OrgPolicy::builder(deny_leaving)
                .description("Accounts stay in the organization")
                .target(Target::Root)
                .build(),
        );
    let account = |id: &'static str, name: &str, environment: Environment| {
        Account::builder(
            AccountId::from_static(id),
            format!("aws-{name}@example.com"),
            environment,
        )
    };
    let identity_center = IdentityCenter::new(MANAGEMENT)
        .identity_source(IdentitySource::ExternalIdentityProvider)
        .sso(
            SsoSettings::default()
                .start_url("https://d-9067c0ffee.awsapps.com/start".parse().unwrap())
                .region("eu-west-1".parse().unwrap())
                .session_name("example".parse().unwrap())
                .profile_region("eu-central-1".parse().unwrap())
                .profile_output(OutputFormat::Table),
        )
        .group("AWS-ReadOnly", SsoGroup::described("Inspect resources"))
        .user(
            "alice@example.com",
            SsoUser::new("Alice", "Kim", "alice@example.com").in_group("AWS-ReadOnly"),
        )
        .permission_set(
            READ_ONLY,
            PermissionSet::builder()
                .description("Read-only access")
                .aws_managed_policy("ReadOnlyAccess")
                .build(),
        )
        .assignment(
            Assignment::new(AssignmentPrincipal::Group("AWS-ReadOnly".into()), READ_ONLY)
                .unit("Workloads".parse().unwrap()),
        );
    Model::builder(organization)
        .account(
            MANAGEMENT,
            account("111111111111", "management", Environment::Management).build(),
        )
        .account(
            "development".parse().unwrap(),
            account("222222222222", "development", Environment::Development)
                .unit("Workloads".parse().unwrap())
                .build(),
        )
        .account(
            "production".parse().unwrap(),
            account("333333333333", "production", Environment::Production)
                .unit("Workloads/Prod".parse().unwrap())
                .build(),
        )
        .account(
            "staging".parse().unwrap(),
            account("444444444444", "staging", Environment::Staging)
                .unit("Workloads".parse().unwrap())
                .create()
                .build(),
        )
        .identity_center(identity_center)
        .assertion(
            Assertion::new(
                AssertionPrincipal::Role("audit".parse().unwrap()),
                "production".parse().unwrap(),
            )
            .on("arn:aws:s3:::logs-333333333333/2026/01/01.log")
            .allow("s3:GetObject".parse().unwrap())
            .deny("s3:PutObject".parse().unwrap()),
        )
        .build()
}

fn fixture() -> (String, Model) {
    let text = std::fs::read_to_string(root().join(FIXTURE)).unwrap();
    let model = Model::from_json(&text).unwrap();
    (text, model)
}

#[test]
fn a_built_model_with_baselines_is_the_model_its_file_reads_as() {
    let built = built();
    if crate::support::update_golden() {
        std::fs::write(root().join(FIXTURE), built.to_json()).unwrap();
    }
    let (text, read) = fixture();
    assert_eq!(built.to_json(), text);
    assert_eq!(built, read);
    // The baselines reached every account under their OU, with the account's own id.
    let production = built.account("production").unwrap();
    let roles: Vec<&str> = production
        .iam()
        .roles()
        .keys()
        .map(|n| n.as_str())
        .collect();
    assert_eq!(roles, ["audit", "deploy"]);
    assert!(production.own_iam().is_empty());
    let deploy = serde_json::to_string(production.iam().roles()["deploy"].trust_policy()).unwrap();
    assert!(
        deploy.contains(
            "arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com"
        ),
        "{deploy}"
    );
    assert!(text.contains("arn:aws:iam::${AWS::AccountId}:oidc-provider/"));
    let staging = built.account("staging").unwrap();
    assert!(staging.create());
    assert_eq!(staging.iam().roles().len(), 1);
    assert!(built.identity_center().unwrap().source().is_external());
}

#[test]
fn a_built_model_has_the_findings_access_matrix_and_who_can_of_its_file() {
    let (built, (_, read)) = (built(), fixture());
    let findings = |m: &Model| {
        validate(m)
            .findings()
            .iter()
            .map(|f| format!("{} {} {:?}", f.code, f.path, f.severity))
            .collect::<Vec<_>>()
    };
    assert_eq!(findings(&built), findings(&read));
    assert_eq!(access_matrix(&built), access_matrix(&read));
    let (b, r) = (ModelEvaluator::new(&built), ModelEvaluator::new(&read));
    for query in [
        Query::new(
            "production",
            "s3:GetObject",
            "arn:aws:s3:::logs-333333333333/x",
        ),
        Query::new("development", "logs:GetLogEvents", "*"),
        Query::new(
            "production",
            "s3:PutObject",
            "arn:aws:s3:::example-app-site/index.html",
        ),
    ] {
        let who = |e: &ModelEvaluator<'_>| {
            let mut found: Vec<String> = e
                .who_can(&query)
                .unwrap()
                .iter()
                .map(|g| format!("{:?}", g.principal))
                .collect();
            found.sort();
            found
        };
        let answer = who(&b);
        assert!(!answer.is_empty(), "{query:?}");
        assert_eq!(answer, who(&r), "{query:?}");
    }
    let checks = |e: &ModelEvaluator<'_>| {
        e.check_assertions()
            .iter()
            .map(|c| c.holds())
            .collect::<Vec<_>>()
    };
    assert_eq!(checks(&b), [true]);
    assert_eq!(checks(&b), checks(&r));
}

#[test]
fn an_account_entity_with_a_baseline_entity_s_name_is_a_finding_in_a_built_model() {
    let mut model = built();
    let development = model.account("development").unwrap();
    let own = iam_model::model::Iam::new().role(
        "audit".parse().unwrap(),
        Role::builder().trust_policy(trust_management()).build(),
    );
    let replaced = Account::builder(
        development.id(),
        development.email(),
        Environment::Development,
    )
    .unit("Workloads".parse().unwrap())
    .iam(own)
    .build();
    model
        .accounts_mut()
        .insert("development".parse().unwrap(), replaced);
    model.apply_baselines();
    let found: Vec<(&str, String, String)> = validate(&model)
        .findings()
        .iter()
        .filter(|f| f.code == "baseline-collision")
        .map(|f| (f.code, f.path.clone(), f.message.clone()))
        .collect();
    assert_eq!(
        found,
        [(
            "baseline-collision",
            "/accounts/development/iam/roles/audit".to_string(),
            "`audit` is also in the baseline of OU `Workloads`, which every account under it gets"
                .to_string()
        )]
    );
    // The same model as a file is rejected with the same finding.
    let Err(iam_model::ModelError::Invalid(findings)) = Model::from_json(&model.to_json()) else {
        panic!("expected findings");
    };
    let codes: Vec<(&str, &str)> = findings.iter().map(|f| (f.code, f.path.as_str())).collect();
    assert_eq!(
        codes,
        [(
            "baseline-collision",
            "/accounts/development/iam/roles/audit"
        )]
    );
}

#[test]
fn applying_baselines_again_changes_nothing() {
    let once = built();
    let mut twice = once.clone();
    twice.apply_baselines();
    twice.apply_baselines();
    assert_eq!(twice, once);
}

/// A change through `iam_mut` is to the account's own IAM (what its template deploys), and
/// survives `apply_baselines`, which then adds the OU's baselines to it again.
#[test]
fn an_account_s_own_iam_changed_in_place_keeps_the_change_and_its_baselines() {
    let mut model = built();
    let roles = |iam: &iam_model::model::Iam| {
        iam.roles()
            .keys()
            .map(|r| r.as_str().to_string())
            .collect::<Vec<_>>()
    };
    let development = model.account("development").unwrap();
    let (own_before, all_before) = (roles(development.own_iam()), roles(development.iam()));
    // The OU's baseline adds roles of its own.
    assert!(all_before.len() > own_before.len(), "{all_before:?}");
    let account = model.accounts_mut().get_mut("development").unwrap();
    let iam = std::mem::take(account.iam_mut());
    *account.iam_mut() = iam.role(
        "app-runner".parse().unwrap(),
        Role::builder().trust_policy(trust_management()).build(),
    );
    model.apply_baselines();
    let development = model.account("development").unwrap();
    let with = |mut names: Vec<String>| {
        names.push("app-runner".to_string());
        names.sort();
        names
    };
    assert_eq!(roles(development.own_iam()), with(own_before));
    assert_eq!(roles(development.iam()), with(all_before));
}
