//! `small-team`: the recommended starting setup of the access guide (seed
//! `002_ad9ce9839d213f3b.txt`, "Recommended Starting Setup" and "Environment-Based Access
//! Design").
use crate::model::names::{InlinePolicyName, RoleName};
use crate::model::org::{Environment, Organization, Unit};
use crate::model::patterns::{
    GITHUB_PROVIDER_NAME, GithubDeployRole, GithubRef, allow, github_oidc_provider, known,
};
use crate::model::sso::{Assignment, AssignmentPrincipal, IdentityCenter, SsoGroup, SsoUser};
use crate::model::{Budget, BudgetTimeUnit, Iam, Model};
use crate::policy::Policy;

use super::common::*;

const GITHUB_DEPLOY: RoleName = RoleName::from_static("github-deploy");

fn group(name: &str) -> AssignmentPrincipal {
    AssignmentPrincipal::Group(name.to_string())
}

fn deploy_role() -> GithubDeployRole {
    GithubDeployRole::new(
        PRODUCTION_ID,
        known("example/app"),
        GithubRef::Environment(known("production")),
    )
}

/// The small-team organization; see [`crate::presets`].
pub fn small_team() -> Model {
    let organization = Organization::new(MANAGEMENT)
        .unit("Security", Unit::new())
        .unit("Sandbox", Unit::new().tag("Environment", "Sandbox"))
        .unit(
            "Workloads",
            Unit::new()
                .unit("NonProd", Unit::new())
                .unit("Prod", Unit::new()),
        );
    let deploy = deploy_role()
        .role()
        .inline_policy(
            InlinePolicyName::from_static("DeploySite"),
            Policy::builder()
                .statement(allow(
                    "ListSiteBucket",
                    &["s3:ListBucket"],
                    &["arn:aws:s3:::example-app-site"],
                ))
                .statements([
                    allow(
                        "WriteSiteObjects",
                        &["s3:PutObject", "s3:DeleteObject"],
                        &["arn:aws:s3:::example-app-site/*"],
                    ),
                    allow(
                        "InvalidateCdn",
                        &["cloudfront:CreateInvalidation"],
                        &["arn:aws:cloudfront::888888888888:distribution/*"],
                    ),
                ])
                .build(),
        )
        .tag("Purpose", "ci")
        .build();
    let everywhere = |a: Assignment| {
        a.account(MANAGEMENT)
            .unit(known("Security"))
            .unit(known("Sandbox"))
            .unit(known("Workloads"))
    };
    let identity_center = IdentityCenter::new(MANAGEMENT)
        .sso(sso_settings())
        .group(
            "AWS-Admins",
            SsoGroup::described("Full administration (AdministratorAccess)"),
        )
        .group(
            "AWS-EmergencyAdmins",
            SsoGroup::described("Break-glass administration; membership reviewed"),
        )
        .group(
            "AWS-SandboxDevelopers",
            SsoGroup::described("Build and modify sandbox resources"),
        )
        .group(
            "AWS-SandboxTesters",
            SsoGroup::described("Run tests and inspect the sandbox"),
        )
        .group(
            "AWS-Developers",
            SsoGroup::described("Build and deploy in development"),
        )
        .group(
            "AWS-Testers",
            SsoGroup::described("Test in the testing account"),
        )
        .group(
            "AWS-Operators",
            SsoGroup::described("Operate staging and production"),
        )
        .group("AWS-Finance", SsoGroup::described("View billing and costs"))
        .group(
            "AWS-SecurityAuditors",
            SsoGroup::described("Review security posture, read-only"),
        )
        .group(
            "AWS-ReadOnly",
            SsoGroup::described("Inspect resources, read-only"),
        )
        .user(
            "alice@example.com",
            SsoUser::new("Alice", "Kim", "alice@example.com")
                .in_group("AWS-Admins")
                .in_group("AWS-EmergencyAdmins"),
        )
        .user(
            "bob@example.com",
            SsoUser::new("Bob", "Lee", "bob@example.com")
                .in_group("AWS-Developers")
                .in_group("AWS-SandboxDevelopers"),
        )
        .user(
            "carol@example.com",
            SsoUser::new("Carol", "Park", "carol@example.com")
                .in_group("AWS-Testers")
                .in_group("AWS-SandboxTesters"),
        )
        .user(
            "dave@example.com",
            SsoUser::new("Dave", "Choi", "dave@example.com").in_group("AWS-Operators"),
        )
        .user(
            "erin@example.com",
            SsoUser::new("Erin", "Jung", "erin@example.com").in_group("AWS-Finance"),
        )
        .user(
            "frank@example.com",
            SsoUser::new("Frank", "Han", "frank@example.com").in_group("AWS-SecurityAuditors"),
        )
        .permission_set(ADMIN_ACCESS, admin_access())
        .permission_set(EMERGENCY_ADMIN_ACCESS, emergency_admin_access())
        .permission_set(
            SANDBOX_DEVELOPER_ACCESS,
            developer_access("PowerUserAccess on the sandbox only, without billing"),
        )
        .permission_set(
            SANDBOX_TESTER_ACCESS,
            tester_access("The tester policy on the sandbox only"),
        )
        .permission_set(
            DEVELOPER_ACCESS,
            developer_access("PowerUserAccess without billing, in development"),
        )
        .permission_set(
            TESTER_ACCESS,
            tester_access("Custom QA policy: logs, metrics, read test resources"),
        )
        .permission_set(OPERATOR_ACCESS, operator_access())
        .permission_set(FINANCE_READ_ONLY_ACCESS, finance_read_only_access())
        .permission_set(SECURITY_AUDIT_ACCESS, security_audit_access())
        .permission_set(
            READ_ONLY_ACCESS,
            read_only_access("Inspect resources without changing them"),
        )
        // The "Example access design" table, row by row of its columns; "Limited" is
        // read-only access.
        .assignment(everywhere(Assignment::new(
            group("AWS-Admins"),
            ADMIN_ACCESS,
        )))
        .assignment(everywhere(Assignment::new(
            group("AWS-EmergencyAdmins"),
            EMERGENCY_ADMIN_ACCESS,
        )))
        .assignment(
            Assignment::new(group("AWS-SandboxDevelopers"), SANDBOX_DEVELOPER_ACCESS)
                .account(SANDBOX),
        )
        .assignment(
            Assignment::new(group("AWS-SandboxTesters"), SANDBOX_TESTER_ACCESS).account(SANDBOX),
        )
        .assignment(Assignment::new(group("AWS-Developers"), DEVELOPER_ACCESS).account(DEVELOPMENT))
        .assignment(
            Assignment::new(group("AWS-Developers"), READ_ONLY_ACCESS)
                .account(TESTING)
                .account(STAGING),
        )
        .assignment(Assignment::new(group("AWS-Testers"), TESTER_ACCESS).account(TESTING))
        .assignment(
            Assignment::new(group("AWS-Testers"), READ_ONLY_ACCESS)
                .account(DEVELOPMENT)
                .account(STAGING),
        )
        .assignment(
            Assignment::new(group("AWS-Operators"), OPERATOR_ACCESS)
                .account(STAGING)
                .account(PRODUCTION),
        )
        .assignment(
            Assignment::new(group("AWS-Operators"), READ_ONLY_ACCESS)
                .account(DEVELOPMENT)
                .account(TESTING),
        )
        .assignment(everywhere(Assignment::new(
            group("AWS-SecurityAuditors"),
            SECURITY_AUDIT_ACCESS,
        )))
        .assignment(
            Assignment::new(group("AWS-Finance"), FINANCE_READ_ONLY_ACCESS).account(MANAGEMENT),
        )
        .assignment(everywhere(Assignment::new(
            group("AWS-ReadOnly"),
            READ_ONLY_ACCESS,
        )));
    let sandbox = account(SANDBOX_ID, &SANDBOX, Environment::Sandbox, "Sandbox")
        .unit(known("Sandbox"))
        .tag("Owner", "platform-team@example.com")
        .tag("Project", "experiments")
        .budget(
            Budget::new(100, BudgetTimeUnit::Monthly)
                .threshold(80, ["platform-team@example.com"])
                .threshold(100, ["platform-team@example.com", "finance@example.com"]),
        )
        .build();
    let model = Model::builder(organization)
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
        .account(
            SECURITY,
            account(SECURITY_ID, &SECURITY, Environment::Security, "Security")
                .unit(known("Security"))
                .build(),
        )
        .account(
            LOGGING,
            account(LOGGING_ID, &LOGGING, Environment::Logging, "Logging")
                .unit(known("Security"))
                .build(),
        )
        .account(SANDBOX, sandbox)
        .account(
            DEVELOPMENT,
            account(
                DEVELOPMENT_ID,
                &DEVELOPMENT,
                Environment::Development,
                "Development",
            )
            .unit(known("Workloads/NonProd"))
            .build(),
        )
        .account(
            TESTING,
            account(TESTING_ID, &TESTING, Environment::Testing, "Testing")
                .unit(known("Workloads/NonProd"))
                .build(),
        )
        .account(
            STAGING,
            account(STAGING_ID, &STAGING, Environment::Staging, "Staging")
                .unit(known("Workloads/NonProd"))
                .build(),
        )
        .account(
            PRODUCTION,
            account(
                PRODUCTION_ID,
                &PRODUCTION,
                Environment::Production,
                "Production",
            )
            .unit(known("Workloads/Prod"))
            .iam(
                Iam::new()
                    .oidc_provider(GITHUB_PROVIDER_NAME, github_oidc_provider())
                    .role(GITHUB_DEPLOY, deploy),
            )
            .build(),
        )
        .identity_center(identity_center);
    // The verification checklist of the guide.
    let model = model
        .assertion(allows(
            check("group:AWS-Admins", &MANAGEMENT),
            &[
                "iam:CreateUser",
                "organizations:DescribeOrganization",
                "aws-portal:ViewBilling",
            ],
        ))
        .assertion(denies(
            allows(
                check("group:AWS-Developers", &DEVELOPMENT),
                &[
                    "ec2:RunInstances",
                    "lambda:UpdateFunctionCode",
                    "organizations:DescribeOrganization",
                ],
            ),
            &[&IAM_ADMIN[..], &BILLING[..]].concat(),
        ))
        .assertion(denies(
            check("group:AWS-Developers", &PRODUCTION),
            &[&MODIFY[..], &IAM_ADMIN[..]].concat(),
        ))
        .assertion(denies(check("group:AWS-Developers", &STAGING), &MODIFY))
        .assertion(denies(
            check("group:AWS-Developers", &MANAGEMENT),
            &[&IAM_ADMIN[..], &BILLING[..]].concat(),
        ))
        .assertion(denies(
            allows(
                check("group:AWS-Testers", &TESTING),
                &[
                    "logs:FilterLogEvents",
                    "cloudwatch:GetMetricData",
                    "rds:DescribeDBInstances",
                ],
            ),
            &[&MODIFY[..], &IAM_ADMIN[..], &BILLING[..]].concat(),
        ))
        .assertion(denies(check("group:AWS-Testers", &PRODUCTION), &MODIFY))
        .assertion(denies(
            allows(
                check("group:AWS-Operators", &PRODUCTION),
                &[
                    "logs:FilterLogEvents",
                    "ec2:RebootInstances",
                    "ecs:UpdateService",
                ],
            ),
            &[
                "iam:CreateUser",
                "iam:AttachRolePolicy",
                "iam:PutRolePolicy",
                "ec2:TerminateInstances",
                "aws-portal:ViewBilling",
            ],
        ))
        .assertion(denies(
            allows(check("group:AWS-Finance", &MANAGEMENT), &BILLING),
            &[&MODIFY[..], &IAM_ADMIN[..]].concat(),
        ))
        .assertion(denies(check("group:AWS-Finance", &PRODUCTION), &MODIFY))
        .assertion(denies(
            allows(
                check("group:AWS-SecurityAuditors", &PRODUCTION),
                &[
                    "iam:GetAccountAuthorizationDetails",
                    "cloudtrail:DescribeTrails",
                    "ec2:DescribeInstances",
                ],
            ),
            &[&MODIFY[..], &IAM_ADMIN[..], &["iam:AttachRolePolicy"][..]].concat(),
        ))
        .assertion(denies(
            check("group:AWS-ReadOnly", &PRODUCTION),
            &[&MODIFY[..], &IAM_ADMIN[..]].concat(),
        ))
        .assertion(denies(
            allows(
                check("group:AWS-SandboxDevelopers", &SANDBOX),
                &["ec2:RunInstances", "s3:PutObject"],
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
            check("group:AWS-SandboxDevelopers", &PRODUCTION),
            &MODIFY,
        ))
        .assertion(denies(
            check("group:AWS-SandboxDevelopers", &DEVELOPMENT),
            &MODIFY,
        ))
        .assertion(denies(
            check("group:AWS-SandboxDevelopers", &MANAGEMENT),
            &[&MODIFY[..], &BILLING[..]].concat(),
        ))
        .assertion(denies(
            check("group:AWS-SandboxTesters", &PRODUCTION),
            &MODIFY,
        ))
        .assertion(denies(
            allows(
                check("role:github-deploy", &PRODUCTION)
                    .on("arn:aws:s3:::example-app-site/index.html"),
                &["s3:PutObject"],
            ),
            &["s3:PutBucketPolicy"],
        ))
        .assertion(denies(
            check("role:github-deploy", &PRODUCTION),
            &["iam:CreateUser", "iam:PassRole", "ec2:RunInstances"],
        ));
    // Only workflow runs of the production environment of `example/app` may assume the
    // deploy role: GitHub's OIDC token carries the audience and the subject.
    let github_caller = |sub: &str| {
        check("oidc:github", &PRODUCTION)
            .on(format!("arn:aws:iam::{PRODUCTION_ID}:role/{GITHUB_DEPLOY}"))
            .with_context(
                known("token.actions.githubusercontent.com:aud"),
                "sts.amazonaws.com",
            )
            .with_context(known("token.actions.githubusercontent.com:sub"), sub)
    };
    let model = model
        .assertion(allows(
            github_caller("repo:example/app:environment:production"),
            &["sts:AssumeRoleWithWebIdentity"],
        ))
        .assertion(denies(
            github_caller("repo:example/app:ref:refs/heads/main"),
            &["sts:AssumeRoleWithWebIdentity"],
        ))
        .assertion(denies(
            github_caller("repo:example/app:pull_request"),
            &["sts:AssumeRoleWithWebIdentity"],
        ))
        .assertion(denies(
            github_caller("repo:example/other:environment:production"),
            &["sts:AssumeRoleWithWebIdentity"],
        ));
    model.build()
}
