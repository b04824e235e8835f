//! `dev-partner`: a development partner confined to a staging account of the organization,
//! never the organization level (seed `004_0fdacc3d4026ac94.txt`).
use crate::model::names::{AccountName, PermissionSetName};
use crate::model::org::{Environment, Organization, Unit};
use crate::model::patterns::known;
use crate::model::sso::{Assignment, AssignmentPrincipal, IdentityCenter, SsoGroup, SsoUser};
use crate::model::{Account, Budget, BudgetTimeUnit, Model};

use super::common::*;

const PARTNER_ACCESS: PermissionSetName = PermissionSetName::from_static("PartnerDeveloperAccess");
const PARTNER_STAGING: AccountName = AccountName::from_static("partner-staging");

fn group(name: &str) -> AssignmentPrincipal {
    AssignmentPrincipal::Group(name.to_string())
}

/// The development-partner setup; see [`crate::presets`].
pub fn dev_partner() -> Model {
    let identity_center = IdentityCenter::new(MANAGEMENT)
        .sso(sso_settings())
        .group("AWS-Admins", SsoGroup::described("Our administrators"))
        .group(
            "Partner-Developers",
            SsoGroup::described("The development partner's engineers: staging only"),
        )
        .user(
            "alice@example.com",
            SsoUser::new("Alice", "Kim", "alice@example.com").in_group("AWS-Admins"),
        )
        .user(
            "jin@partner.example.com",
            SsoUser::new("Jin", "Seo", "jin@partner.example.com").in_group("Partner-Developers"),
        )
        .permission_set(ADMIN_ACCESS, admin_access())
        .permission_set(
            PARTNER_ACCESS,
            developer_access(
                "PowerUserAccess without billing, in the partner's staging account only",
            ),
        )
        .assignment(
            Assignment::new(group("AWS-Admins"), ADMIN_ACCESS)
                .account(MANAGEMENT)
                .unit(known("Workloads")),
        )
        // One account, never an OU or the root: removing this line removes all their access.
        .assignment(
            Assignment::new(group("Partner-Developers"), PARTNER_ACCESS).account(PARTNER_STAGING),
        );
    // The partner's account gets its own owner email and budget, so its spend is itemized.
    let staging = Account::builder(
        STAGING_ID,
        "companyx-staging@partner.example.com",
        Environment::Staging,
    )
    .unit(known("Workloads"))
    .tag("Environment", "Staging")
    .tag("Partner", "partner.example.com")
    .tag("ManagedBy", "iam-codegen")
    .budget(Budget::new(500, BudgetTimeUnit::Monthly).threshold(80, ["finance@example.com"]))
    .build();
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
        .account(PARTNER_STAGING, staging)
        .account(
            PRODUCTION,
            account(
                PRODUCTION_ID,
                &PRODUCTION,
                Environment::Production,
                "Production",
            )
            .unit(known("Workloads"))
            .build(),
        )
        .identity_center(identity_center)
        .assertion(denies(
            allows(
                check("group:Partner-Developers", &PARTNER_STAGING),
                &[
                    "ec2:RunInstances",
                    "cloudformation:CreateStack",
                    "organizations:DescribeOrganization",
                ],
            ),
            &[
                &IAM_ADMIN[..],
                &BILLING[..],
                &["organizations:CreateAccount"][..],
                &["organizations:InviteAccountToOrganization"][..],
                &["organizations:LeaveOrganization"][..],
            ]
            .concat(),
        ))
        .assertion(denies(
            check("group:Partner-Developers", &PRODUCTION),
            &[&MODIFY[..], &["ec2:DescribeInstances"][..]].concat(),
        ))
        .assertion(denies(
            check("group:Partner-Developers", &MANAGEMENT),
            &[
                &MODIFY[..],
                &BILLING[..],
                &["organizations:DescribeOrganization"][..],
                &["organizations:CreateAccount"][..],
            ]
            .concat(),
        ))
        .build()
}
