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
/// An instance of the backend, as the assertions ask about it.
const BACKEND_INSTANCE: &str =
    "arn:aws:ec2:ap-northeast-2:888888888888:instance/i-0backend0example0";

/// The value of the `Project` tag that marks the backend's EC2 instances and volumes: the
/// developer launches only instances tagged with it and operates only those.
const PROJECT: &str = "backend";

/// An `Allow` statement whose condition requires `key` to equal `value` (`StringEquals`).
fn allow_when(
    sid: &str,
    actions: &[&str],
    resources: &[&str],
    key: &str,
    value: &str,
) -> Statement {
    Statement::builder()
        .sid(sid)
        .allow()
        .actions(actions.iter().map(|a| known(a)))
        .resources(resources.iter().map(|r| known(r)))
        .condition(
            ConditionOperator::new(Operator::StringEquals),
            known(key),
            [ConditionValue::String(value.to_string())],
        )
        .build()
}

/// What the seed's backend developer needs to put a PHP/MySQL backend on EC2 and RDS, and
/// no more ("I don't want them to have access to anything except what they need", seed
/// `000_16ef227fdb2b895b.txt`): read and describe everything the backend touches; launch,
/// operate and connect to (Session Manager) only EC2 instances tagged `Project` =
/// `backend`; security groups of the account; load balancers, target groups, listeners and
/// alarms named `backend-*`; MySQL instances, subnet groups and snapshots named
/// `backend-*`; pass only the `web-server` role, to EC2 (the owner defines the roles: "the
/// developer will not have permission to create the roles himself"). No write on `*`: the
/// rest of the production account (other instances, databases, IAM, billing) stays out of
/// reach.
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
    let instances = "arn:aws:ec2:*:888888888888:instance/*";
    let volumes = "arn:aws:ec2:*:888888888888:volume/*";
    ManagedPolicy::builder(
        Policy::builder()
            .statement(allow("ReadTheBackend", &["ec2:Describe*", "elasticloadbalancing:Describe*", "rds:Describe*", "rds:ListTagsForResource", "cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*", "logs:Describe*", "logs:Get*", "logs:FilterLogEvents", "ssm:DescribeInstanceInformation", "ssm:DescribeSessions", "ssm:GetConnectionStatus"], &["*"]))
            .statement(allow("LaunchIntoTheAccountNetwork", &["ec2:RunInstances"], &["arn:aws:ec2:*::image/*", "arn:aws:ec2:*:888888888888:subnet/*", "arn:aws:ec2:*:888888888888:security-group/*", "arn:aws:ec2:*:888888888888:key-pair/*", "arn:aws:ec2:*:888888888888:network-interface/*"]))
            .statement(allow_when("LaunchOnlyTaggedBackendInstances", &["ec2:RunInstances"], &[instances, volumes], "aws:RequestTag/Project", PROJECT))
            .statement(allow_when("TagAtLaunch", &["ec2:CreateTags"], &[instances, volumes], "ec2:CreateAction", "RunInstances"))
            .statement(allow_when("OperateBackendInstances", &["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances", "ec2:TerminateInstances", "ec2:ModifyInstanceAttribute"], &[instances], "aws:ResourceTag/Project", PROJECT))
            .statement(allow("SecurityGroups", &["ec2:CreateSecurityGroup", "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress"], &["arn:aws:ec2:*:888888888888:security-group/*", "arn:aws:ec2:*:888888888888:vpc/*"]))
            .statement(allow("BackendLoadBalancer", &["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:CreateListener", "elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:ModifyTargetGroup", "elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:AddTags"], &["arn:aws:elasticloadbalancing:*:888888888888:loadbalancer/app/backend-*", "arn:aws:elasticloadbalancing:*:888888888888:targetgroup/backend-*", "arn:aws:elasticloadbalancing:*:888888888888:listener/app/backend-*"]))
            .statement(allow("BackendMySql", &["rds:CreateDBInstance", "rds:ModifyDBInstance", "rds:RebootDBInstance", "rds:StartDBInstance", "rds:StopDBInstance", "rds:CreateDBSnapshot", "rds:CreateDBSubnetGroup", "rds:ModifyDBSubnetGroup", "rds:AddTagsToResource"], &["arn:aws:rds:*:888888888888:db:backend-*", "arn:aws:rds:*:888888888888:subgrp:backend-*", "arn:aws:rds:*:888888888888:snapshot:backend-*", "arn:aws:rds:*:888888888888:og:default:mysql-*", "arn:aws:rds:*:888888888888:pg:default.mysql*"]))
            .statement(allow("BackendAlarms", &["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms"], &["arn:aws:cloudwatch:*:888888888888:alarm:backend-*"]))
            .statement(allow_when("ConnectToBackendInstances", &["ssm:StartSession"], &[instances], "ssm:resourceTag/Project", PROJECT))
            .statement(allow("SessionManagerShell", &["ssm:StartSession"], &["arn:aws:ssm:*:888888888888:document/SSM-SessionManagerRunShell"]))
            .statement(allow("OwnSessions", &["ssm:TerminateSession", "ssm:ResumeSession"], &["arn:aws:ssm:*:888888888888:session/${aws:username}-*"]))
            .statement(allow("SeeInstanceProfiles", &["iam:GetRole", "iam:GetInstanceProfile", "iam:ListInstanceProfiles", "iam:ListRoles"], &["*"]))
            .statement(pass_role)
            .statement(rds_linked_role)
            .build(),
    )
    .description("Deploy the PHP/MySQL backend: instances tagged Project=backend, backend-* load balancers and MySQL databases, pass the web-server role")
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
        .assertion(
            allows(
                mfa(check("iam-user:dev-jane", &MAIN).on(BACKEND_INSTANCE)),
                &["ec2:RunInstances"],
            )
            .with_context(known("aws:RequestTag/Project"), PROJECT),
        )
        .assertion(denies(
            mfa(check("iam-user:dev-jane", &MAIN).on(BACKEND_INSTANCE)),
            &["ec2:RunInstances"],
        ))
        .assertion(
            allows(
                mfa(check("iam-user:dev-jane", &MAIN).on(BACKEND_INSTANCE)),
                &["ec2:StopInstances", "ec2:TerminateInstances"],
            )
            .with_context(known("aws:ResourceTag/Project"), PROJECT),
        )
        .assertion(
            denies(
                mfa(check("iam-user:dev-jane", &MAIN).on(BACKEND_INSTANCE)),
                &["ec2:StopInstances", "ec2:TerminateInstances"],
            )
            .with_context(known("aws:ResourceTag/Project"), "payroll"),
        )
        .assertion(allows(
            mfa(check("iam-user:dev-jane", &MAIN)
                .on("arn:aws:rds:ap-northeast-2:888888888888:db:backend-mysql")),
            &["rds:CreateDBInstance", "rds:ModifyDBInstance"],
        ))
        .assertion(denies(
            mfa(check("iam-user:dev-jane", &MAIN)
                .on("arn:aws:rds:ap-northeast-2:888888888888:db:payroll")),
            &["rds:CreateDBInstance", "rds:ModifyDBInstance", "rds:DeleteDBInstance"],
        ))
        .assertion(allows(
            mfa(check("iam-user:dev-jane", &MAIN)
                .on("arn:aws:elasticloadbalancing:ap-northeast-2:888888888888:loadbalancer/app/backend-web/50dc6c495c0c9188")),
            &["elasticloadbalancing:CreateLoadBalancer"],
        ))
        .assertion(denies(
            mfa(check("iam-user:dev-jane", &MAIN)),
            &[
                &IAM_ADMIN[..],
                &BILLING[..],
                &["iam:CreateRole"][..],
                &["iam:AttachRolePolicy"][..],
                &["s3:PutObject"][..],
                &["lambda:CreateFunction"][..],
                &["ec2:RunInstances"][..],
                &["rds:CreateDBInstance"][..],
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
        .assertion(
            denies(
                check("iam-user:dev-jane", &MAIN).on(BACKEND_INSTANCE),
                &["ec2:RunInstances"],
            )
            .with_context(known("aws:RequestTag/Project"), PROJECT),
        )
        .assertion(allows(
            mfa(check("iam-user:owner-alice", &MAIN)),
            &["iam:CreateUser", "aws-portal:ViewBilling"],
        ))
        .build()
}
