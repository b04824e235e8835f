//! What several presets share: placeholder account ids, the seed's permission sets and
//! custom policies, and the verification checklist written as assertions.
use crate::model::names::{AccountName, PermissionSetName};
use crate::model::org::Environment;
use crate::model::patterns::{allow, known};
use crate::model::sso::{PermissionSet, SessionDuration};
use crate::model::{Account, AccountBuilder, Assertion};
use crate::policy::kind::PermissionSet as PermissionSetKind;
use crate::policy::{AccountId, Policy, Resource, Statement};

pub(crate) const MANAGEMENT: AccountName = AccountName::from_static("management");
pub(crate) const SECURITY: AccountName = AccountName::from_static("security");
pub(crate) const LOGGING: AccountName = AccountName::from_static("logging");
pub(crate) const SANDBOX: AccountName = AccountName::from_static("sandbox");
pub(crate) const DEVELOPMENT: AccountName = AccountName::from_static("development");
pub(crate) const TESTING: AccountName = AccountName::from_static("testing");
pub(crate) const STAGING: AccountName = AccountName::from_static("staging");
pub(crate) const PRODUCTION: AccountName = AccountName::from_static("production");

pub(crate) const MANAGEMENT_ID: AccountId = AccountId::from_static("111111111111");
pub(crate) const SECURITY_ID: AccountId = AccountId::from_static("222222222222");
pub(crate) const LOGGING_ID: AccountId = AccountId::from_static("333333333333");
pub(crate) const SANDBOX_ID: AccountId = AccountId::from_static("444444444444");
pub(crate) const DEVELOPMENT_ID: AccountId = AccountId::from_static("555555555555");
pub(crate) const TESTING_ID: AccountId = AccountId::from_static("666666666666");
pub(crate) const STAGING_ID: AccountId = AccountId::from_static("777777777777");
pub(crate) const PRODUCTION_ID: AccountId = AccountId::from_static("888888888888");
/// A third party's own account, outside the organization.
pub(crate) const THIRD_PARTY_ID: AccountId = AccountId::from_static("999999999999");

pub(crate) const ADMIN_ACCESS: PermissionSetName = PermissionSetName::from_static("AdminAccess");
pub(crate) const EMERGENCY_ADMIN_ACCESS: PermissionSetName =
    PermissionSetName::from_static("EmergencyAdminAccess");
pub(crate) const DEVELOPER_ACCESS: PermissionSetName =
    PermissionSetName::from_static("DeveloperAccess");
pub(crate) const SANDBOX_DEVELOPER_ACCESS: PermissionSetName =
    PermissionSetName::from_static("SandboxDeveloperAccess");
pub(crate) const SANDBOX_TESTER_ACCESS: PermissionSetName =
    PermissionSetName::from_static("SandboxTesterAccess");
pub(crate) const SANDBOX_READ_ONLY_ACCESS: PermissionSetName =
    PermissionSetName::from_static("SandboxReadOnlyAccess");
pub(crate) const TESTER_ACCESS: PermissionSetName = PermissionSetName::from_static("TesterAccess");
pub(crate) const OPERATOR_ACCESS: PermissionSetName =
    PermissionSetName::from_static("OperatorAccess");
pub(crate) const FINANCE_READ_ONLY_ACCESS: PermissionSetName =
    PermissionSetName::from_static("FinanceReadOnlyAccess");
pub(crate) const SECURITY_AUDIT_ACCESS: PermissionSetName =
    PermissionSetName::from_static("SecurityAuditAccess");
pub(crate) const READ_ONLY_ACCESS: PermissionSetName =
    PermissionSetName::from_static("ReadOnlyAccess");

/// An account with the seeds' naming: owner email `aws-NAME@example.com`, tags
/// `Environment` and `ManagedBy`.
pub(crate) fn account(
    id: AccountId,
    name: &AccountName,
    environment: Environment,
    tag: &str,
) -> AccountBuilder {
    Account::builder(id, format!("aws-{name}@example.com"), environment)
        .tag("Environment", tag)
        .tag("ManagedBy", "iam-codegen")
}

/// A permission-set inline policy from statements.
pub(crate) fn inline(first: Statement, rest: Vec<Statement>) -> Policy<PermissionSetKind> {
    Policy::builder().statement(first).statements(rest).build()
}

/// Billing and cost services developers do not get: `PowerUserAccess` allows them (its
/// `NotAction` excludes only `iam:*`, `organizations:*` and `account:*`).
pub(crate) fn deny_billing() -> Statement {
    Statement::builder()
        .sid("DenyBillingAndCost")
        .deny()
        .actions(
            [
                "aws-portal:*",
                "billing:*",
                "ce:*",
                "cur:*",
                "budgets:*",
                "payments:*",
                "invoicing:*",
                "tax:*",
            ]
            .iter()
            .map(|a| known(a)),
        )
        .resource(Resource::Any)
        .build()
}

/// `AdminAccess`: `AdministratorAccess`, one hour (shorter than every other session).
pub(crate) fn admin_access() -> PermissionSet {
    PermissionSet::builder()
        .description("Account administration: IAM, billing setup, organization settings")
        .session_duration(SessionDuration::from_static_hours(1))
        .aws_managed_policy("AdministratorAccess")
        .build()
}

/// `EmergencyAdminAccess`: break-glass `AdministratorAccess`, one hour.
pub(crate) fn emergency_admin_access() -> PermissionSet {
    PermissionSet::builder()
        .description("Break-glass emergency administration")
        .session_duration(SessionDuration::from_static_hours(1))
        .aws_managed_policy("AdministratorAccess")
        .build()
}

/// A developer permission set: `PowerUserAccess` without billing, eight hours.
pub(crate) fn developer_access(description: &str) -> PermissionSet {
    PermissionSet::builder()
        .description(description)
        .session_duration(SessionDuration::from_static_hours(8))
        .aws_managed_policy("PowerUserAccess")
        .inline_policy(inline(deny_billing(), Vec::new()))
        .build()
}

/// The seed's "example tester policy concept": logs, metrics and read access to
/// application resources.
pub(crate) fn tester_statements() -> (Statement, Vec<Statement>) {
    (
        allow(
            "ViewLogsAndMetrics",
            &[
                "cloudwatch:Get*",
                "cloudwatch:List*",
                "logs:Get*",
                "logs:Describe*",
                "logs:FilterLogEvents",
            ],
            &["*"],
        ),
        vec![allow(
            "ReadApplicationResources",
            &[
                "lambda:Get*",
                "lambda:List*",
                "apigateway:GET",
                "s3:GetObject",
                "s3:ListBucket",
                "dynamodb:Describe*",
                "dynamodb:List*",
                "rds:Describe*",
            ],
            &["*"],
        )],
    )
}

/// A tester permission set with the seed's tester policy, eight hours.
pub(crate) fn tester_access(description: &str) -> PermissionSet {
    let (first, rest) = tester_statements();
    PermissionSet::builder()
        .description(description)
        .session_duration(SessionDuration::from_static_hours(8))
        .inline_policy(inline(first, rest))
        .build()
}

/// `OperatorAccess`: the seed's "example operator policy concept" (observe; start, stop
/// and reboot EC2; update ECS services), four hours.
pub(crate) fn operator_access() -> PermissionSet {
    PermissionSet::builder()
        .description("Operate running systems: metrics, logs, EC2 start/stop, ECS deploys")
        .session_duration(SessionDuration::from_static_hours(4))
        .inline_policy(inline(
            allow(
                "Observe",
                &["cloudwatch:*", "logs:*", "xray:Get*", "xray:BatchGet*"],
                &["*"],
            ),
            vec![
                allow(
                    "OperateEC2",
                    &[
                        "ec2:Describe*",
                        "ec2:StartInstances",
                        "ec2:StopInstances",
                        "ec2:RebootInstances",
                    ],
                    &["*"],
                ),
                allow(
                    "OperateECS",
                    &["ecs:Describe*", "ecs:List*", "ecs:UpdateService"],
                    &["*"],
                ),
            ],
        ))
        .build()
}

/// `FinanceReadOnlyAccess`: `AWSBillingReadOnlyAccess`, four hours.
pub(crate) fn finance_read_only_access() -> PermissionSet {
    PermissionSet::builder()
        .description("View bills, Cost Explorer and budgets")
        .session_duration(SessionDuration::from_static_hours(4))
        .aws_managed_policy("AWSBillingReadOnlyAccess")
        .build()
}

/// `SecurityAuditAccess`: `SecurityAudit` and `ReadOnlyAccess`, four hours.
pub(crate) fn security_audit_access() -> PermissionSet {
    PermissionSet::builder()
        .description("Review security configuration, read-only")
        .session_duration(SessionDuration::from_static_hours(4))
        .aws_managed_policy("SecurityAudit")
        .aws_managed_policy("ReadOnlyAccess")
        .build()
}

/// A `ReadOnlyAccess` permission set, eight hours.
pub(crate) fn read_only_access(description: &str) -> PermissionSet {
    PermissionSet::builder()
        .description(description)
        .session_duration(SessionDuration::from_static_hours(8))
        .aws_managed_policy("ReadOnlyAccess")
        .build()
}

/// An assertion for a principal written as in a model file.
pub(crate) fn check(principal: &str, account: &AccountName) -> Assertion {
    Assertion::new(known(principal), account.clone())
}

/// Expect every action of the list to be allowed.
pub(crate) fn allows(assertion: Assertion, actions: &[&str]) -> Assertion {
    actions
        .iter()
        .fold(assertion, |a, action| a.allow(known(action)))
}

/// Expect every action of the list to be denied.
pub(crate) fn denies(assertion: Assertion, actions: &[&str]) -> Assertion {
    actions
        .iter()
        .fold(assertion, |a, action| a.deny(known(action)))
}

/// Managing IAM users and groups (the checklist's "cannot manage IAM users/groups").
pub(crate) const IAM_ADMIN: [&str; 3] =
    ["iam:CreateUser", "iam:CreateGroup", "iam:AttachUserPolicy"];
/// Reaching billing (the checklist's "cannot access billing").
pub(crate) const BILLING: [&str; 2] = ["aws-portal:ViewBilling", "ce:GetCostAndUsage"];
/// Changing infrastructure (the checklist's "cannot modify production / infrastructure").
pub(crate) const MODIFY: [&str; 4] = [
    "ec2:RunInstances",
    "ec2:TerminateInstances",
    "s3:PutObject",
    "rds:DeleteDBInstance",
];

/// The AWS CLI sign-in settings of the presets: an access portal URL of the documented
/// form (a made-up directory id; put yours in the model) and the seeds' region
/// `ap-northeast-2` (the `sso_region` of the seeds' `[sso-session my-aws]`).
pub(super) fn sso_settings() -> crate::model::SsoSettings {
    crate::model::SsoSettings::default()
        .start_url(crate::model::StartUrl::from_static(
            "https://d-9067c0ffee.awsapps.com/start",
        ))
        .region(crate::model::Region::from_static("ap-northeast-2"))
}
