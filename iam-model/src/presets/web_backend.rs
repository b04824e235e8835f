//! `web-backend`: one account hosting a PHP/MySQL backend on EC2 and RDS, and a developer
//! who may deploy it with only what that needs (seed `000_16ef227fdb2b895b.txt`).
use crate::model::names::{AccountName, GroupName, PolicyName, RoleName, UserName};
use crate::model::org::{Environment, Organization};
use crate::model::patterns::{
    allow, ec2_instance_role, known, mfa_enforcement_policy, with_instance_profile,
};
use crate::model::{Iam, ManagedPolicy, Model, PasswordPolicy, User};
use crate::policy::{ConditionOperator, ConditionValue, Operator, Policy, Statement};

use super::common::*;
use super::iam_users::{REQUIRE_MFA, group_with_mfa};

const MAIN: AccountName = AccountName::from_static("main");
const WEB_SERVER: RoleName = RoleName::from_static("web-server");

fn backend_developer() -> ManagedPolicy {
    let pass_role = Statement::builder()
        .sid("PassOnlyTheWebServerRole")
        .allow()
        .action(known("iam:PassRole"))
        .resource(known("arn:aws:iam::888888888888:role/web-server"))
        .condition(
            ConditionOperator::new(Operator::StringEquals),
            known("iam:PassedToService"),
            [ConditionValue::String("ec2.amazonaws.com".to_string())],
        )
        .build();
    let rds_linked_role = Statement::builder()
        .sid("RdsServiceLinkedRole")
        .allow()
        .action(known("iam:CreateServiceLinkedRole"))
        .resource(known(
            "arn:aws:iam::*:role/aws-service-role/rds.amazonaws.com/*",
        ))
        .condition(
            ConditionOperator::new(Operator::StringEquals),
            known("iam:AWSServiceName"),
            [ConditionValue::String("rds.amazonaws.com".to_string())],
        )
        .build();
    ManagedPolicy::builder(
        Policy::builder()
            .statement(allow("Ec2AndNetworking", &["ec2:*", "elasticloadbalancing:*"], &["*"]))
            .statement(allow("RdsMySql", &["rds:*"], &["*"]))
            .statement(allow("ObserveAndConnect", &["cloudwatch:*", "logs:*", "ssm:StartSession", "ssm:DescribeInstanceInformation", "ssm:DescribeSessions", "ssm:TerminateSession"], &["*"]))
            .statement(allow("SeeInstanceProfiles", &["iam:GetRole", "iam:GetInstanceProfile", "iam:ListInstanceProfiles", "iam:ListRoles"], &["*"]))
            .statement(pass_role)
            .statement(rds_linked_role)
            .build(),
    )
    .description("Deploy the PHP/MySQL backend: EC2, load balancers, RDS, logs, and pass the web-server role")
    .build()
}

/// The web-backend setup; see [`crate::presets`].
pub fn web_backend() -> Model {
    let iam = Iam::new()
        .policy(REQUIRE_MFA, ManagedPolicy::builder(mfa_enforcement_policy()).description("Deny everything but MFA setup until the user signs in with MFA (AWS example policy)").build())
        .policy(PolicyName::from_static("BackendDeveloper"), backend_developer())
        .group(GroupName::from_static("Admins"), group_with_mfa(&["AdministratorAccess"]).build())
        .group(GroupName::from_static("BackendDevelopers"), group_with_mfa(&[]).customer_managed_policy(PolicyName::from_static("BackendDeveloper")).build())
        .user(UserName::from_static("owner-alice"), User::builder().group(GroupName::from_static("Admins")).console_access(true).build())
        .user(UserName::from_static("dev-jane"), User::builder().group(GroupName::from_static("BackendDevelopers")).console_access(true).tag("Contract", "backend-build").build())
        .password_policy(PasswordPolicy::strong());
    // The roles EC2 uses are defined here, by the owner: the developer cannot create roles.
    let iam = with_instance_profile(
        iam,
        WEB_SERVER,
        ec2_instance_role()
            .description("The PHP backend's EC2 instances: Session Manager")
            .aws_managed_policy("AmazonSSMManagedInstanceCore")
            .build(),
    );
    let mfa =
        |a: crate::model::Assertion| a.with_context(known("aws:MultiFactorAuthPresent"), "true");
    Model::builder(Organization::new(MAIN))
        .account(
            MAIN,
            account(PRODUCTION_ID, &MAIN, Environment::Production, "Production")
                .iam(iam)
                .build(),
        )
        .assertion(denies(
            allows(
                mfa(check("iam-user:dev-jane", &MAIN)),
                &[
                    "ec2:RunInstances",
                    "rds:CreateDBInstance",
                    "elasticloadbalancing:CreateLoadBalancer",
                ],
            ),
            &[
                &IAM_ADMIN[..],
                &BILLING[..],
                &["iam:CreateRole"][..],
                &["iam:AttachRolePolicy"][..],
                &["s3:PutObject"][..],
                &["lambda:CreateFunction"][..],
            ]
            .concat(),
        ))
        .assertion(
            allows(
                mfa(check("iam-user:dev-jane", &MAIN)
                    .on("arn:aws:iam::888888888888:role/web-server")),
                &["iam:PassRole"],
            )
            .with_context(known("iam:PassedToService"), "ec2.amazonaws.com"),
        )
        .assertion(denies(
            mfa(check("iam-user:dev-jane", &MAIN)
                .on("arn:aws:iam::888888888888:role/OrganizationAccountAccessRole")),
            &["iam:PassRole"],
        ))
        .assertion(denies(
            check("iam-user:dev-jane", &MAIN),
            &["ec2:RunInstances"],
        ))
        .assertion(allows(
            mfa(check("iam-user:owner-alice", &MAIN)),
            &["iam:CreateUser", "aws-portal:ViewBilling"],
        ))
        .build()
}
