//! `third-party`: a contractor's cross-account role with an ExternalId and least privilege
//! (seed `003_100fb0b58871ec1a.txt`, "IAM Roles"; seed `002_ad9ce9839d213f3b.txt`, "Example:
//! Lambda developer").
use crate::model::names::{ExternalId, InlinePolicyName, RoleName};
use crate::model::org::{Environment, Organization, Unit};
use crate::model::patterns::{BREAK_GLASS_ROLE, ThirdPartyRole, allow, break_glass_role, known};
use crate::model::sso::{Assignment, AssignmentPrincipal, IdentityCenter, SsoGroup, SsoUser};
use crate::model::{Assertion, Iam, Model};
use crate::policy::Policy;

use super::common::*;

/// The contractor's role in the production account.
pub const CONTRACTOR_ROLE: RoleName = RoleName::from_static("acme-contractor");
/// The ExternalId agreed with the contractor (a placeholder: generate your own).
pub const CONTRACTOR_EXTERNAL_ID: ExternalId = ExternalId::from_static("acme-7f3b9c2e4d1a");

/// The contractor's trust: their account, the ExternalId, MFA.
pub fn contractor() -> ThirdPartyRole {
    ThirdPartyRole::new(THIRD_PARTY_ID, CONTRACTOR_EXTERNAL_ID).require_mfa()
}

/// The third-party setup; see [`crate::presets`].
pub fn third_party() -> Model {
    let role = contractor()
        .role()
        .description("Acme Ltd. maintains the contractor-* Lambda functions")
        .inline_policy(
            InlinePolicyName::from_static("LambdaDevelopment"),
            Policy::builder()
                .statement(allow(
                    "LambdaDevelopment",
                    &[
                        "lambda:Get*",
                        "lambda:List*",
                        "lambda:UpdateFunctionCode",
                        "lambda:UpdateFunctionConfiguration",
                        "lambda:InvokeFunction",
                    ],
                    &["arn:aws:lambda:ap-northeast-2:888888888888:function:contractor-*"],
                ))
                .statement(allow(
                    "ReadLambdaLogs",
                    &["logs:Get*", "logs:Describe*", "logs:FilterLogEvents"],
                    &["*"],
                ))
                .build(),
        )
        .tag("ThirdParty", "acme")
        .build();
    let identity_center = IdentityCenter::new(MANAGEMENT)
        .sso(sso_settings())
        .group("AWS-Admins", SsoGroup::described("Full administration"))
        .user(
            "alice@example.com",
            SsoUser::new("Alice", "Kim", "alice@example.com").in_group("AWS-Admins"),
        )
        .permission_set(ADMIN_ACCESS, admin_access())
        .assignment(
            Assignment::new(
                AssignmentPrincipal::Group("AWS-Admins".to_string()),
                ADMIN_ACCESS,
            )
            .account(MANAGEMENT)
            .account(PRODUCTION),
        );
    let their_role = "arn:aws:iam::888888888888:role/acme-contractor";
    let external =
        |resource: &str| check("external-account:999999999999", &PRODUCTION).on(resource);
    let with_id = |a: Assertion, id: &str| {
        a.with_context(known("sts:ExternalId"), id)
            .with_context(known("aws:MultiFactorAuthPresent"), "true")
    };
    Model::builder(Organization::new(MANAGEMENT).unit("Workloads", Unit::new()))
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
            PRODUCTION,
            account(
                PRODUCTION_ID,
                &PRODUCTION,
                Environment::Production,
                "Production",
            )
            .unit(known("Workloads"))
            .iam(
                Iam::new()
                    .role(CONTRACTOR_ROLE, role)
                    .role(BREAK_GLASS_ROLE, break_glass_role(PRODUCTION_ID)),
            )
            .build(),
        )
        .identity_center(identity_center)
        // The third party can assume its role, only with the ExternalId, and no other role.
        .assertion(allows(
            with_id(external(their_role), CONTRACTOR_EXTERNAL_ID.as_str()),
            &["sts:AssumeRole"],
        ))
        .assertion(denies(external(their_role), &["sts:AssumeRole"]))
        .assertion(denies(
            with_id(external(their_role), "wrong-external-id"),
            &["sts:AssumeRole"],
        ))
        .assertion(denies(
            with_id(
                external("arn:aws:iam::888888888888:role/BreakGlassAdmin"),
                CONTRACTOR_EXTERNAL_ID.as_str(),
            ),
            &["sts:AssumeRole"],
        ))
        // Least privilege inside: its functions and logs, nothing else.
        .assertion(allows(
            check("role:acme-contractor", &PRODUCTION)
                .on("arn:aws:lambda:ap-northeast-2:888888888888:function:contractor-api"),
            &["lambda:UpdateFunctionCode", "lambda:InvokeFunction"],
        ))
        .assertion(denies(
            check("role:acme-contractor", &PRODUCTION)
                .on("arn:aws:lambda:ap-northeast-2:888888888888:function:billing-api"),
            &["lambda:UpdateFunctionCode"],
        ))
        .assertion(denies(
            check("role:acme-contractor", &PRODUCTION),
            &[
                &MODIFY[..],
                &IAM_ADMIN[..],
                &BILLING[..],
                &["lambda:CreateFunction"][..],
                &["iam:PassRole"][..],
            ]
            .concat(),
        ))
        .build()
}
