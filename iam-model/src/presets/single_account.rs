//! `single-account`: one account, one person, two access paths (seed
//! `002_ad9ce9839d213f3b.txt`, "Single AWS Account: Admin and Developer CLI Profiles").
use crate::model::Model;
use crate::model::names::AccountName;
use crate::model::org::{Environment, Organization};
use crate::model::sso::{Assignment, AssignmentPrincipal, IdentityCenter, SsoGroup, SsoUser};

use super::common::*;

const MAIN: AccountName = AccountName::from_static("main");

/// The single-account setup; see [`crate::presets`].
pub fn single_account() -> Model {
    let identity_center = IdentityCenter::new(MAIN)
        .sso(sso_settings())
        .group(
            "AWS-Admins",
            SsoGroup::described("Account administration, only when needed (profile `admin`)"),
        )
        .group(
            "AWS-Developers",
            SsoGroup::described("Daily development (profile `dev`)"),
        )
        .user(
            "you@example.com",
            SsoUser::new("Your", "Name", "you@example.com")
                .in_group("AWS-Admins")
                .in_group("AWS-Developers"),
        )
        .permission_set(ADMIN_ACCESS, admin_access())
        .permission_set(
            DEVELOPER_ACCESS,
            developer_access("PowerUserAccess without billing for daily work"),
        )
        .assignment(
            Assignment::new(
                AssignmentPrincipal::Group("AWS-Admins".to_string()),
                ADMIN_ACCESS,
            )
            .account(MAIN),
        )
        .assignment(
            Assignment::new(
                AssignmentPrincipal::Group("AWS-Developers".to_string()),
                DEVELOPER_ACCESS,
            )
            .account(MAIN),
        );
    Model::builder(Organization::new(MAIN))
        .account(
            MAIN,
            account(MANAGEMENT_ID, &MAIN, Environment::Management, "Management").build(),
        )
        .identity_center(identity_center)
        .assertion(allows(
            check("permission-set:AdminAccess", &MAIN),
            &["iam:CreateUser", "aws-portal:ViewBilling"],
        ))
        .assertion(denies(
            allows(
                check("permission-set:DeveloperAccess", &MAIN),
                &[
                    "s3:CreateBucket",
                    "lambda:UpdateFunctionCode",
                    "dynamodb:PutItem",
                ],
            ),
            &[&IAM_ADMIN[..], &BILLING[..]].concat(),
        ))
        .build()
}
