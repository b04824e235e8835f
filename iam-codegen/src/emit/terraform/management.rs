//! The management module: Organizations, budgets and IAM Identity Center.
//!
//! Resource types and arguments follow the AWS provider docs under
//! <https://registry.terraform.io/providers/hashicorp/aws/latest/docs/> (one page per resource
//! and data source, cited at each) and are checked against the provider 6.x schema by
//! `tests/e2e/terraform.rs`.
use std::collections::BTreeSet;

use iam_model::model::names::{AccountName, EntityKind, UnitPath, terraform_name};
use iam_model::model::{
    AssignmentPrincipal, IdentityCenter, Model, OrgPolicy, PermissionSetBoundary, Target,
};
use iam_model::policy::Kind;
use serde_json::{Value, json};

use super::{
    IdentityCenterUsers, Module, TerraformOptions, aws_managed_arn, body, literal, policy_string,
    reference, tags,
};
use crate::emit::EmitError;

/// The organization root's id, from the data source.
const ROOT_ID: &str = "${data.aws_organizations_organization.this.roots[0].id}";
/// The Identity Center instance ARN and identity store id, as locals.
const INSTANCE_ARN: &str = "${local.sso_instance_arn}";
const IDENTITY_STORE_ID: &str = "${local.identity_store_id}";

/// OUs, member accounts, SCPs, RCPs with their attachments, and budgets.
pub(super) fn organization(
    module: &mut Module,
    model: &Model,
    options: &TerraformOptions,
) -> Result<(), EmitError> {
    let org = model.organization();
    // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/organizations_organization
    // The organization exists (it is how accounts got their ids); the module reads its root
    // id. Enabling all features and the SCP/RCP policy types is a one-time manual step.
    module.data("aws_organizations_organization", "this", json!({}))?;
    for (path, unit) in org.unit_paths() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/organizations_organizational_unit
        let tf = unit_name(&path);
        let name = path.segments().last().unwrap_or_default();
        module.resource(
            "aws_organizations_organizational_unit",
            &tf,
            body([
                ("name", Some(json!(literal(name)))),
                ("parent_id", Some(json!(parent_id(path.parent().as_ref())))),
                ("tags", tags(unit.tags())),
            ]),
        )?;
        module.output(
            &format!("{tf}_id"),
            reference("aws_organizations_organizational_unit", &tf, "id"),
            format!("Id of the OU `{path}`"),
        )?;
    }
    for (name, account) in model.accounts() {
        if name == org.management_account() {
            // The management account is not a member account: aws_organizations_account
            // cannot create or move it.
            continue;
        }
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/organizations_account
        // The model knows each account's id, so the account exists: it is imported (an
        // `import` block per account, Terraform 1.5+), never created. `role_name` and
        // `iam_user_access_to_billing` cannot be read back after an import, so they are
        // ignored; `prevent_destroy` turns any plan that would close or replace an account
        // (a changed name or email in an older provider) into an error.
        let tf = terraform_name(EntityKind::Account, name.as_str());
        module.resource(
            "aws_organizations_account",
            &tf,
            body([
                ("name", Some(json!(name.as_str()))),
                ("email", Some(json!(literal(account.email())))),
                ("parent_id", Some(json!(parent_id(account.unit())))),
                ("tags", tags(account.tags())),
                (
                    "lifecycle",
                    Some(json!({
                        "prevent_destroy": true,
                        "ignore_changes": ["role_name", "iam_user_access_to_billing"],
                    })),
                ),
            ]),
        )?;
        if options.import_accounts {
            module.import(
                format!("aws_organizations_account.{tf}"),
                account.id().to_string(),
            );
        }
    }
    for (name, policy) in org.scps() {
        org_policy(module, model, EntityKind::Scp, name.as_str(), policy)?;
    }
    for (name, policy) in org.rcps() {
        org_policy(module, model, EntityKind::Rcp, name.as_str(), policy)?;
    }
    for (name, account) in model.accounts() {
        let Some(budget) = account.budget() else {
            continue;
        };
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/budgets_budget
        // Created in the management (payer) account with a LinkedAccount cost filter, so
        // the member account's users cannot change their own budget. Named `<account>-budget`.
        let notifications: Vec<Value> = budget
            .thresholds
            .iter()
            .map(|t| {
                json!({
                    "comparison_operator": "GREATER_THAN",
                    "threshold": t.percent,
                    "threshold_type": "PERCENTAGE",
                    "notification_type": "ACTUAL",
                    "subscriber_email_addresses": t.subscribers.iter().map(|s| literal(s)).collect::<Vec<_>>(),
                })
            })
            .collect();
        let time_unit = serde_json::to_value(budget.time_unit).unwrap_or(Value::Null);
        module.resource(
            "aws_budgets_budget",
            &terraform_name(EntityKind::Budget, name.as_str()),
            body([
                ("name", Some(json!(format!("{name}-budget")))),
                ("budget_type", Some(json!("COST"))),
                // AWS returns amounts with one decimal ("100.0"); writing them so keeps
                // plans quiet on every provider version.
                ("limit_amount", Some(json!(format!("{}.0", budget.amount)))),
                ("limit_unit", Some(json!(literal(&budget.currency)))),
                ("time_unit", Some(time_unit)),
                (
                    "cost_filter",
                    Some(
                        json!([{ "name": "LinkedAccount", "values": [account.id().to_string()] }]),
                    ),
                ),
                (
                    "notification",
                    (!notifications.is_empty()).then(|| json!(notifications)),
                ),
            ]),
        )?;
    }
    Ok(())
}

/// The parent of an OU or account: another OU or the root.
fn parent_id(unit: Option<&UnitPath>) -> String {
    match unit {
        Some(path) => reference(
            "aws_organizations_organizational_unit",
            &unit_name(path),
            "id",
        ),
        None => ROOT_ID.to_string(),
    }
}

fn unit_name(path: &UnitPath) -> String {
    terraform_name(EntityKind::Unit, path.as_str())
}

/// An SCP or RCP and one attachment per target.
fn org_policy<K: Kind>(
    module: &mut Module,
    model: &Model,
    kind: EntityKind,
    name: &str,
    policy: &OrgPolicy<K>,
) -> Result<(), EmitError> {
    // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/organizations_policy
    let tf = terraform_name(kind, name);
    let ty = if kind == EntityKind::Rcp {
        "RESOURCE_CONTROL_POLICY"
    } else {
        "SERVICE_CONTROL_POLICY"
    };
    module.resource(
        "aws_organizations_policy",
        &tf,
        body([
            ("name", Some(json!(name))),
            (
                "description",
                policy.description().map(|d| json!(literal(d))),
            ),
            ("type", Some(json!(ty))),
            ("content", Some(json!(policy_string(policy.document())))),
            ("tags", tags(policy.tags())),
        ]),
    )?;
    module.output(
        &format!("{tf}_id"),
        reference("aws_organizations_policy", &tf, "id"),
        format!("Id of the policy `{name}`"),
    )?;
    for target in policy.targets() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/organizations_policy_attachment
        // Named `<policy>_<target>`: `scp_deny_leave_organization_root`,
        // `scp_sandbox_regions_unit_sandbox`, `rcp_x_account_production`.
        let (target_tf, target_id) = match target {
            Target::Root => ("root".to_string(), ROOT_ID.to_string()),
            Target::Unit(path) => (unit_name(path), parent_id(Some(path))),
            Target::Account(account) => (
                terraform_name(EntityKind::Account, account.as_str()),
                account_id(model, account)?,
            ),
        };
        module.resource(
            "aws_organizations_policy_attachment",
            &format!("{tf}_{target_tf}"),
            json!({
                "policy_id": reference("aws_organizations_policy", &tf, "id"),
                "target_id": target_id,
            }),
        )?;
    }
    Ok(())
}

fn account_id(model: &Model, name: &AccountName) -> Result<String, EmitError> {
    model
        .account(name.as_str())
        .map(|a| a.id().to_string())
        .ok_or_else(|| EmitError::Missing(format!("there is no account `{name}` in the model")))
}

/// Identity Center: the instance, groups, users, memberships, permission sets with their
/// policies, and account assignments.
pub(super) fn identity_center(
    module: &mut Module,
    model: &Model,
    ic: &IdentityCenter,
    options: &TerraformOptions,
) -> Result<(), EmitError> {
    // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/ssoadmin_instances
    // The instance is enabled by hand, once; its ARN and identity store id are read here.
    module.data("aws_ssoadmin_instances", "this", json!({}))?;
    module.local(
        "sso_instance_arn",
        json!("${tolist(data.aws_ssoadmin_instances.this.arns)[0]}"),
    );
    module.local(
        "identity_store_id",
        json!("${tolist(data.aws_ssoadmin_instances.this.identity_store_ids)[0]}"),
    );
    module.output(
        "sso_instance_arn",
        INSTANCE_ARN.to_string(),
        "ARN of the IAM Identity Center instance".to_string(),
    )?;
    module.output(
        "identity_store_id",
        IDENTITY_STORE_ID.to_string(),
        "Id of the Identity Center identity store".to_string(),
    )?;
    for (name, group) in ic.groups() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/identitystore_group
        let tf = terraform_name(EntityKind::SsoGroup, name);
        module.resource(
            "aws_identitystore_group",
            &tf,
            body([
                ("identity_store_id", Some(json!(IDENTITY_STORE_ID))),
                ("display_name", Some(json!(literal(name)))),
                (
                    "description",
                    group.description.as_deref().map(|d| json!(literal(d))),
                ),
            ]),
        )?;
        module.output(
            &format!("{tf}_id"),
            reference("aws_identitystore_group", &tf, "group_id"),
            format!("Id of the Identity Center group `{name}`"),
        )?;
    }
    for (name, user) in ic.users() {
        let tf = terraform_name(EntityKind::SsoUser, name);
        match options.identity_center_users {
            IdentityCenterUsers::Managed => {
                // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/identitystore_user
                module.resource(
                    "aws_identitystore_user",
                    &tf,
                    json!({
                        "identity_store_id": IDENTITY_STORE_ID,
                        "user_name": literal(name),
                        "display_name": literal(&user.display_name),
                        "name": {
                            "given_name": literal(&user.given_name),
                            "family_name": literal(&user.family_name),
                        },
                        "emails": { "value": literal(&user.email), "primary": true },
                    }),
                )?;
            }
            IdentityCenterUsers::External => {
                // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/identitystore_user
                module.data(
                    "aws_identitystore_user",
                    &tf,
                    json!({
                        "identity_store_id": IDENTITY_STORE_ID,
                        "alternate_identifier": {
                            "unique_attribute": {
                                "attribute_path": "UserName",
                                "attribute_value": literal(name),
                            }
                        },
                    }),
                )?;
            }
        }
        for group in &user.groups {
            // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/identitystore_group_membership
            // Named `<user>_in_<group>`: `sso_user_alice_example_com_in_sso_group_aws_admins`.
            let group_tf = terraform_name(EntityKind::SsoGroup, group);
            module.resource(
                "aws_identitystore_group_membership",
                &format!("{tf}_in_{group_tf}"),
                json!({
                    "identity_store_id": IDENTITY_STORE_ID,
                    "group_id": reference("aws_identitystore_group", &group_tf, "group_id"),
                    "member_id": user_id(&tf, options),
                }),
            )?;
        }
    }
    for (name, set) in ic.permission_sets() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssoadmin_permission_set
        let tf = terraform_name(EntityKind::PermissionSet, name.as_str());
        let set_arn = reference("aws_ssoadmin_permission_set", &tf, "arn");
        module.resource(
            "aws_ssoadmin_permission_set",
            &tf,
            body([
                ("instance_arn", Some(json!(INSTANCE_ARN))),
                ("name", Some(json!(name.as_str()))),
                ("description", set.description().map(|d| json!(literal(d)))),
                (
                    "session_duration",
                    Some(json!(set.session_duration().to_string())),
                ),
                ("relay_state", set.relay_state().map(|r| json!(literal(r)))),
                ("tags", tags(set.tags())),
            ]),
        )?;
        module.output(
            &format!("{tf}_arn"),
            set_arn.clone(),
            format!("ARN of the permission set `{name}`"),
        )?;
        if let Some(policy) = set.inline_policy() {
            // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssoadmin_permission_set_inline_policy
            // One per permission set, named like it.
            module.resource(
                "aws_ssoadmin_permission_set_inline_policy",
                &tf,
                json!({
                    "instance_arn": INSTANCE_ARN,
                    "permission_set_arn": set_arn,
                    "inline_policy": policy_string(policy),
                }),
            )?;
        }
        for policy in set.aws_managed_policies() {
            // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssoadmin_managed_policy_attachment
            // Named `<permission set>_aws_policy_<policy>`.
            module.resource(
                "aws_ssoadmin_managed_policy_attachment",
                &format!("{tf}_{}", super::attached_name(true, policy)),
                json!({
                    "instance_arn": INSTANCE_ARN,
                    "permission_set_arn": set_arn,
                    "managed_policy_arn": aws_managed_arn(policy)?,
                }),
            )?;
        }
        for policy in set.customer_managed_policies() {
            // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssoadmin_customer_managed_policy_attachment
            // Named `<permission set>_policy_<policy>`. The policy must exist, with this name
            // and path, in every account the set is assigned to: apply the account modules
            // first.
            module.resource(
                "aws_ssoadmin_customer_managed_policy_attachment",
                &format!("{tf}_{}", super::attached_name(false, policy.name.as_str())),
                json!({
                    "instance_arn": INSTANCE_ARN,
                    "permission_set_arn": set_arn,
                    "customer_managed_policy_reference": {
                        "name": policy.name.as_str(),
                        "path": policy.path.as_str(),
                    },
                }),
            )?;
        }
        if let Some(boundary) = set.permissions_boundary() {
            // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssoadmin_permissions_boundary_attachment
            // One per permission set, named like it.
            let boundary = match boundary {
                PermissionSetBoundary::Aws(policy) => {
                    json!({ "managed_policy_arn": aws_managed_arn(policy)? })
                }
                PermissionSetBoundary::Customer(policy) => json!({
                    "customer_managed_policy_reference": {
                        "name": policy.name.as_str(),
                        "path": policy.path.as_str(),
                    }
                }),
            };
            module.resource(
                "aws_ssoadmin_permissions_boundary_attachment",
                &tf,
                json!({
                    "instance_arn": INSTANCE_ARN,
                    "permission_set_arn": set_arn,
                    "permissions_boundary": boundary,
                }),
            )?;
        }
    }
    for assignment in ic.assignments() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssoadmin_account_assignment
        // One per account: the accounts named and every account under the OUs named (as the
        // model is now; a later account needs a new generate). Named
        // `<permission set>_<principal>_<account>`:
        // `permission_set_admin_access_sso_group_aws_admins_account_production`.
        let set_tf = terraform_name(
            EntityKind::PermissionSet,
            assignment.permission_set().as_str(),
        );
        let (principal_tf, principal_id, principal_type) = match assignment.principal() {
            AssignmentPrincipal::Group(group) => {
                let tf = terraform_name(EntityKind::SsoGroup, group);
                let id = reference("aws_identitystore_group", &tf, "group_id");
                (tf, id, "GROUP")
            }
            AssignmentPrincipal::User(user) => {
                let tf = terraform_name(EntityKind::SsoUser, user);
                let id = user_id(&tf, options);
                (tf, id, "USER")
            }
        };
        let mut accounts: BTreeSet<&AccountName> = assignment.accounts().iter().collect();
        for unit in assignment.units() {
            accounts.extend(model.accounts_under(unit));
        }
        for account in accounts {
            module.resource_once(
                "aws_ssoadmin_account_assignment",
                &format!(
                    "{set_tf}_{principal_tf}_{}",
                    terraform_name(EntityKind::Account, account.as_str())
                ),
                json!({
                    "instance_arn": INSTANCE_ARN,
                    "permission_set_arn": reference("aws_ssoadmin_permission_set", &set_tf, "arn"),
                    "principal_id": principal_id,
                    "principal_type": principal_type,
                    "target_id": account_id(model, account)?,
                    "target_type": "AWS_ACCOUNT",
                }),
            )?;
        }
    }
    Ok(())
}

/// The user id of an Identity Center user: from the resource or the data source.
fn user_id(tf: &str, options: &TerraformOptions) -> String {
    match options.identity_center_users {
        IdentityCenterUsers::Managed => reference("aws_identitystore_user", tf, "user_id"),
        IdentityCenterUsers::External => reference("data.aws_identitystore_user", tf, "user_id"),
    }
}
