//! `iam-users`: the IAM user fallback of one account (seed `002_ad9ce9839d213f3b.txt`,
//! "Method B: IAM User Fallback Setup", "MFA and Password Policy", "IAM user CLI
//! fallback").
use crate::model::names::{AccountName, GroupName, PolicyName, UserName};
use crate::model::org::{Environment, Organization};
use crate::model::patterns::{allow, mfa_enforcement_policy};
use crate::model::{Group, Iam, ManagedPolicy, Model, PasswordPolicy, User};
use crate::policy::Policy;

use super::common::*;

const MAIN: AccountName = AccountName::from_static("main");
pub(crate) const REQUIRE_MFA: PolicyName = PolicyName::from_static("RequireMfa");

/// A group with the MFA enforcement policy and the given AWS managed policies.
pub(crate) fn group_with_mfa(aws: &[&str]) -> crate::model::GroupBuilder {
    aws.iter().fold(
        Group::builder().customer_managed_policy(REQUIRE_MFA),
        |g, p| g.aws_managed_policy(*p),
    )
}

/// The IAM user fallback; see [`crate::presets`].
pub fn iam_users() -> Model {
    let (tester_first, tester_rest) = tester_statements();
    let tester = ManagedPolicy::builder(
        Policy::builder()
            .statement(tester_first)
            .statements(tester_rest)
            .build(),
    )
    .description("The guide's tester policy: logs, metrics, read application resources")
    .build();
    let operator = ManagedPolicy::builder(
        Policy::builder()
            .statement(allow(
                "Observe",
                &["cloudwatch:*", "logs:*", "xray:Get*", "xray:BatchGet*"],
                &["*"],
            ))
            .statement(allow(
                "OperateEC2",
                &[
                    "ec2:Describe*",
                    "ec2:StartInstances",
                    "ec2:StopInstances",
                    "ec2:RebootInstances",
                ],
                &["*"],
            ))
            .statement(allow(
                "OperateECS",
                &["ecs:Describe*", "ecs:List*", "ecs:UpdateService"],
                &["*"],
            ))
            .build(),
    )
    .description("The guide's operator policy: observe, start/stop EC2, update ECS services")
    .build();
    let deny_billing = ManagedPolicy::builder(Policy::builder().statement(deny_billing()).build())
        .description("Developers do not see billing; PowerUserAccess would allow it")
        .build();
    let iam = Iam::new()
        .policy(REQUIRE_MFA, ManagedPolicy::builder(mfa_enforcement_policy())
            .description("Deny everything but MFA setup until the user signs in with MFA (AWS example policy)")
            .build())
        .policy(PolicyName::from_static("TesterPolicy"), tester)
        .policy(PolicyName::from_static("OperatorPolicy"), operator)
        .policy(PolicyName::from_static("DenyBilling"), deny_billing)
        .group(GroupName::from_static("Admins"), group_with_mfa(&["AdministratorAccess"]).build())
        .group(GroupName::from_static("Developers"), group_with_mfa(&["PowerUserAccess"]).customer_managed_policy(PolicyName::from_static("DenyBilling")).build())
        .group(GroupName::from_static("Testers"), group_with_mfa(&[]).customer_managed_policy(PolicyName::from_static("TesterPolicy")).build())
        .group(GroupName::from_static("Operators"), group_with_mfa(&[]).customer_managed_policy(PolicyName::from_static("OperatorPolicy")).build())
        .group(GroupName::from_static("Finance"), group_with_mfa(&["AWSBillingReadOnlyAccess"]).build())
        .group(GroupName::from_static("SecurityAuditors"), group_with_mfa(&["SecurityAudit", "ReadOnlyAccess"]).build())
        .group(GroupName::from_static("ReadOnlyUsers"), group_with_mfa(&["ReadOnlyAccess"]).build())
        .user(UserName::from_static("admin-john"), User::builder().group(GroupName::from_static("Admins")).console_access(true).build())
        // The guide's CLI-only developer: access keys, no console password.
        .user(UserName::from_static("dev-john"), User::builder().group(GroupName::from_static("Developers")).programmatic_access(true).build())
        .user(UserName::from_static("qa-sarah"), User::builder().group(GroupName::from_static("Testers")).console_access(true).build())
        .user(UserName::from_static("ops-minji"), User::builder().group(GroupName::from_static("Operators")).console_access(true).build())
        .user(UserName::from_static("finance-lee"), User::builder().group(GroupName::from_static("Finance")).console_access(true).build())
        .user(UserName::from_static("audit-kim"), User::builder().group(GroupName::from_static("SecurityAuditors")).console_access(true).build())
        .password_policy(PasswordPolicy::strong());
    let mfa = |a: crate::model::Assertion| {
        a.with_context(
            crate::model::patterns::known("aws:MultiFactorAuthPresent"),
            "true",
        )
    };
    Model::builder(Organization::new(MAIN))
        .account(
            MAIN,
            account(PRODUCTION_ID, &MAIN, Environment::Production, "Production")
                .iam(iam)
                .build(),
        )
        .assertion(allows(
            mfa(check("iam-user:admin-john", &MAIN)),
            &["iam:CreateUser", "ec2:RunInstances"],
        ))
        .assertion(denies(
            check("iam-user:admin-john", &MAIN),
            &["iam:CreateUser", "ec2:RunInstances"],
        ))
        .assertion(denies(
            allows(
                mfa(check("iam-user:dev-john", &MAIN)),
                &["ec2:RunInstances", "lambda:UpdateFunctionCode"],
            ),
            &[&IAM_ADMIN[..], &BILLING[..]].concat(),
        ))
        .assertion(denies(
            allows(
                mfa(check("iam-user:qa-sarah", &MAIN)),
                &["logs:FilterLogEvents", "rds:DescribeDBInstances"],
            ),
            &[&MODIFY[..], &IAM_ADMIN[..], &BILLING[..]].concat(),
        ))
        .assertion(denies(
            allows(
                mfa(check("iam-user:ops-minji", &MAIN)),
                &["ec2:StopInstances", "ecs:UpdateService"],
            ),
            &[
                "iam:CreateUser",
                "iam:AttachRolePolicy",
                "ec2:TerminateInstances",
                "aws-portal:ViewBilling",
            ],
        ))
        .assertion(denies(
            allows(mfa(check("iam-user:finance-lee", &MAIN)), &BILLING),
            &[&MODIFY[..], &IAM_ADMIN[..]].concat(),
        ))
        .assertion(denies(
            allows(
                mfa(check("iam-user:audit-kim", &MAIN)),
                &[
                    "iam:GetAccountAuthorizationDetails",
                    "cloudtrail:DescribeTrails",
                ],
            ),
            &[&MODIFY[..], &IAM_ADMIN[..]].concat(),
        ))
        .build()
}
