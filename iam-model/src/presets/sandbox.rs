//! `sandbox`: a management account and a separate sandbox account (seed
//! `002_ad9ce9839d213f3b.txt`, "Sandbox Development and Test Account Setup").
use crate::model::names::OrgPolicyName;
use crate::model::org::{Environment, Organization, ServiceControlPolicy, Target, Unit};
use crate::model::patterns::known;
use crate::model::sso::{Assignment, AssignmentPrincipal, IdentityCenter, SsoGroup, SsoUser};
use crate::model::{Budget, BudgetTimeUnit, Model};
use crate::policy::{ConditionOperator, ConditionValue, Operator, Policy, Resource, Statement};

use super::common::*;

fn group(name: &str) -> AssignmentPrincipal {
    AssignmentPrincipal::Group(name.to_string())
}

/// The Regions sandbox work may use; global services are exempt.
const REGIONS: [&str; 2] = ["ap-northeast-2", "us-east-1"];

fn guardrails() -> ServiceControlPolicy {
    let regions = Statement::builder()
        .sid("DenyOtherRegions")
        .deny()
        .not_action()
        .actions(
            [
                "iam:*",
                "organizations:*",
                "account:*",
                "sts:*",
                "support:*",
                "budgets:*",
                "ce:*",
                "aws-portal:*",
                "billing:*",
                "cloudfront:*",
                "route53:*",
                "health:*",
                "trustedadvisor:*",
            ]
            .iter()
            .map(|a| known(a)),
        )
        .resource(Resource::Any)
        .condition(
            ConditionOperator::new(Operator::StringNotEquals),
            known("aws:RequestedRegion"),
            REGIONS
                .iter()
                .map(|r| ConditionValue::String((*r).to_string())),
        )
        .build();
    let leave = Statement::builder()
        .sid("DenyLeaveOrganization")
        .deny()
        .action(known("organizations:LeaveOrganization"))
        .resource(Resource::Any)
        .build();
    ServiceControlPolicy::builder(
        Policy::builder()
            .statement(regions)
            .statement(leave)
            .build(),
    )
    .description("Sandbox guardrails: two Regions, cannot leave the organization")
    .target(Target::Unit(known("Sandbox")))
    .build()
}

/// The sandbox setup; see [`crate::presets`].
pub fn sandbox() -> Model {
    let identity_center = IdentityCenter::new(MANAGEMENT)
        .sso(sso_settings())
        .group(
            "AWS-Admins",
            SsoGroup::described("Account setup and emergency changes"),
        )
        .group(
            "AWS-SandboxDevelopers",
            SsoGroup::described("Build and modify sandbox resources (profile `sandbox-dev`)"),
        )
        .group(
            "AWS-SandboxTesters",
            SsoGroup::described("Run tests and inspect resources (profile `sandbox-test`)"),
        )
        .group(
            "AWS-SandboxReadOnly",
            SsoGroup::described("Inspect sandbox resources"),
        )
        .user(
            "you@example.com",
            SsoUser::new("Your", "Name", "you@example.com")
                .in_group("AWS-Admins")
                .in_group("AWS-SandboxDevelopers"),
        )
        .permission_set(ADMIN_ACCESS, admin_access())
        .permission_set(
            SANDBOX_DEVELOPER_ACCESS,
            developer_access("PowerUserAccess on the sandbox only, without billing"),
        )
        .permission_set(
            SANDBOX_TESTER_ACCESS,
            tester_access("The tester policy on the sandbox only"),
        )
        .permission_set(
            SANDBOX_READ_ONLY_ACCESS,
            read_only_access("ReadOnlyAccess on the sandbox only"),
        )
        .assignment(
            Assignment::new(group("AWS-Admins"), ADMIN_ACCESS)
                .account(MANAGEMENT)
                .account(SANDBOX),
        )
        .assignment(
            Assignment::new(group("AWS-SandboxDevelopers"), SANDBOX_DEVELOPER_ACCESS)
                .account(SANDBOX),
        )
        .assignment(
            Assignment::new(group("AWS-SandboxTesters"), SANDBOX_TESTER_ACCESS).account(SANDBOX),
        )
        .assignment(
            Assignment::new(group("AWS-SandboxReadOnly"), SANDBOX_READ_ONLY_ACCESS)
                .account(SANDBOX),
        );
    let sandbox = account(SANDBOX_ID, &SANDBOX, Environment::Sandbox, "Sandbox")
        .unit(known("Sandbox"))
        .tag("Owner", "you@example.com")
        .tag("Project", "experiments")
        .tag("NamePrefix", "sandbox-")
        .budget(
            Budget::new(50, BudgetTimeUnit::Monthly)
                .threshold(50, ["you@example.com"])
                .threshold(80, ["you@example.com"])
                .threshold(100, ["you@example.com"]),
        )
        .build();
    let in_region =
        |a: crate::model::Assertion| a.with_context(known("aws:RequestedRegion"), "ap-northeast-2");
    Model::builder(
        Organization::new(MANAGEMENT)
            .unit("Sandbox", Unit::new().tag("Environment", "Sandbox"))
            .scp(
                OrgPolicyName::from_static("SandboxGuardrails"),
                guardrails(),
            ),
    )
    .account(
        MANAGEMENT,
        account(
            MANAGEMENT_ID,
            &MANAGEMENT,
            Environment::Management,
            "Management",
        )
        .build(),
    )
    .account(SANDBOX, sandbox)
    .identity_center(identity_center)
    .assertion(denies(
        allows(
            in_region(check("group:AWS-SandboxDevelopers", &SANDBOX)),
            &["ec2:RunInstances", "s3:PutObject", "lambda:CreateFunction"],
        ),
        &[
            &IAM_ADMIN[..],
            &BILLING[..],
            &["organizations:LeaveOrganization"][..],
            &["account:CloseAccount"][..],
        ]
        .concat(),
    ))
    .assertion(denies(
        check("group:AWS-SandboxDevelopers", &SANDBOX)
            .with_context(known("aws:RequestedRegion"), "eu-west-1"),
        &["ec2:RunInstances"],
    ))
    .assertion(denies(
        check("group:AWS-SandboxDevelopers", &MANAGEMENT),
        &[&MODIFY[..], &IAM_ADMIN[..], &BILLING[..]].concat(),
    ))
    .assertion(denies(
        allows(
            in_region(check("group:AWS-SandboxTesters", &SANDBOX)),
            &["logs:FilterLogEvents", "lambda:GetFunction"],
        ),
        &[&MODIFY[..], &IAM_ADMIN[..], &BILLING[..]].concat(),
    ))
    .assertion(denies(
        check("group:AWS-SandboxTesters", &MANAGEMENT),
        &MODIFY,
    ))
    .assertion(denies(
        allows(
            in_region(check("group:AWS-SandboxReadOnly", &SANDBOX)),
            &["ec2:DescribeInstances"],
        ),
        &[&MODIFY[..], &IAM_ADMIN[..]].concat(),
    ))
    .assertion(denies(
        check("group:AWS-SandboxReadOnly", &MANAGEMENT),
        &["ec2:DescribeInstances", "s3:PutObject"],
    ))
    .assertion(allows(
        check("group:AWS-Admins", &MANAGEMENT),
        &["iam:CreateUser", "budgets:ViewBudget"],
    ))
    .build()
}
