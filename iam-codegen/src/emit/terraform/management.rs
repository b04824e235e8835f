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
use serde_json::Value;

use super::{
    IdentityCenterUsers, Module, TerraformOptions, Val, aws_managed_arn, body, literal, obj,
    policy_string, reference, tags,
};
use crate::emit::EmitError;
use crate::emit::fast_hash::{FastMap, FastSet};

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
    module.data("aws_organizations_organization", "this", obj([]))?;
    for (path, unit) in org.unit_paths() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/organizations_organizational_unit
        let tf = unit_name(&path);
        let name = path.segments().last().unwrap_or_default();
        module.resource(
            "aws_organizations_organizational_unit",
            &tf,
            body([
                ("name", Some(literal(name).into())),
                ("parent_id", Some(parent_id(path.parent().as_ref()).into())),
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
                ("name", Some(name.as_str().to_string().into())),
                ("email", Some(literal(account.email()).into())),
                ("parent_id", Some(parent_id(account.unit()).into())),
                ("tags", tags(account.tags())),
                (
                    "lifecycle",
                    Some(obj([
                        ("prevent_destroy", true.into()),
                        (
                            "ignore_changes",
                            Val::List(vec![
                                "role_name".into(),
                                "iam_user_access_to_billing".into(),
                            ]),
                        ),
                    ])),
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
        let notifications: Vec<Val> = budget
            .thresholds
            .iter()
            .map(|t| {
                obj([
                    ("comparison_operator", "GREATER_THAN".into()),
                    ("threshold", t.percent.into()),
                    ("threshold_type", "PERCENTAGE".into()),
                    ("notification_type", "ACTUAL".into()),
                    (
                        "subscriber_email_addresses",
                        Val::List(t.subscribers.iter().map(|s| literal(s).into()).collect()),
                    ),
                ])
            })
            .collect();
        let time_unit = serde_json::to_value(budget.time_unit).unwrap_or(Value::Null);
        module.resource(
            "aws_budgets_budget",
            &terraform_name(EntityKind::Budget, name.as_str()),
            body([
                ("name", Some(format!("{name}-budget").into())),
                ("budget_type", Some("COST".into())),
                // AWS returns amounts with one decimal ("100.0"); writing them so keeps
                // plans quiet on every provider version.
                ("limit_amount", Some(format!("{}.0", budget.amount).into())),
                ("limit_unit", Some(literal(&budget.currency).into())),
                ("time_unit", Some(time_unit.into())),
                (
                    "cost_filter",
                    Some(Val::List(vec![obj([
                        ("name", "LinkedAccount".into()),
                        ("values", Val::List(vec![account.id().to_string().into()])),
                    ])])),
                ),
                (
                    "notification",
                    (!notifications.is_empty()).then(|| Val::List(notifications)),
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
            ("name", Some(name.to_string().into())),
            (
                "description",
                policy.description().map(|d| literal(d).into()),
            ),
            ("type", Some(ty.into())),
            ("content", Some(policy_string(policy.document()).into())),
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
            obj([
                (
                    "policy_id",
                    reference("aws_organizations_policy", &tf, "id").into(),
                ),
                ("target_id", target_id.into()),
            ]),
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
    module.data("aws_ssoadmin_instances", "this", obj([]))?;
    module.local(
        "sso_instance_arn",
        "${tolist(data.aws_ssoadmin_instances.this.arns)[0]}".into(),
    );
    module.local(
        "identity_store_id",
        "${tolist(data.aws_ssoadmin_instances.this.identity_store_ids)[0]}".into(),
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
    // Each group's name and group id reference, computed once for its memberships.
    let mut groups: FastMap<&str, (String, String)> = FastMap::default();
    let group_names = |group: &str| {
        let tf = terraform_name(EntityKind::SsoGroup, group);
        let id = reference("aws_identitystore_group", &tf, "group_id");
        (tf, id)
    };
    for (name, group) in ic.groups() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/identitystore_group
        let (tf, id) = groups
            .entry(name.as_str())
            .or_insert_with(|| group_names(name));
        module.resource(
            "aws_identitystore_group",
            tf,
            body([
                ("identity_store_id", Some(IDENTITY_STORE_ID.into())),
                ("display_name", Some(literal(name).into())),
                (
                    "description",
                    group.description.as_deref().map(|d| literal(d).into()),
                ),
            ]),
        )?;
        module.output(
            &format!("{tf}_id"),
            id.clone(),
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
                    obj([
                        ("identity_store_id", IDENTITY_STORE_ID.into()),
                        ("user_name", literal(name).into()),
                        ("display_name", literal(&user.display_name).into()),
                        (
                            "name",
                            obj([
                                ("given_name", literal(&user.given_name).into()),
                                ("family_name", literal(&user.family_name).into()),
                            ]),
                        ),
                        (
                            "emails",
                            obj([
                                ("value", literal(&user.email).into()),
                                ("primary", true.into()),
                            ]),
                        ),
                    ]),
                )?;
            }
            IdentityCenterUsers::External => {
                // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/identitystore_user
                module.data(
                    "aws_identitystore_user",
                    &tf,
                    obj([
                        ("identity_store_id", IDENTITY_STORE_ID.into()),
                        (
                            "alternate_identifier",
                            obj([(
                                "unique_attribute",
                                obj([
                                    ("attribute_path", "UserName".into()),
                                    ("attribute_value", literal(name).into()),
                                ]),
                            )]),
                        ),
                    ]),
                )?;
            }
        }
        let member_id = user_id(&tf, options);
        for group in &user.groups {
            // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/identitystore_group_membership
            // Named `<user>_in_<group>`: `sso_user_alice_example_com_in_sso_group_aws_admins`.
            let (group_tf, group_id) = groups
                .entry(group.as_str())
                .or_insert_with(|| group_names(group));
            module.resource(
                "aws_identitystore_group_membership",
                &format!("{tf}_in_{group_tf}"),
                obj([
                    ("identity_store_id", IDENTITY_STORE_ID.into()),
                    ("group_id", group_id.clone().into()),
                    ("member_id", member_id.clone().into()),
                ]),
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
                ("instance_arn", Some(INSTANCE_ARN.into())),
                ("name", Some(name.as_str().to_string().into())),
                ("description", set.description().map(|d| literal(d).into())),
                (
                    "session_duration",
                    Some(set.session_duration().to_string().into()),
                ),
                ("relay_state", set.relay_state().map(|r| literal(r).into())),
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
                obj([
                    ("instance_arn", INSTANCE_ARN.into()),
                    ("permission_set_arn", set_arn.clone().into()),
                    ("inline_policy", policy_string(policy).into()),
                ]),
            )?;
        }
        for policy in set.aws_managed_policies() {
            // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssoadmin_managed_policy_attachment
            // Named `<permission set>_aws_policy_<policy>`.
            module.resource(
                "aws_ssoadmin_managed_policy_attachment",
                &format!("{tf}_{}", super::attached_name(true, policy)),
                obj([
                    ("instance_arn", INSTANCE_ARN.into()),
                    ("permission_set_arn", set_arn.clone().into()),
                    ("managed_policy_arn", aws_managed_arn(policy)?.into()),
                ]),
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
                obj([
                    ("instance_arn", INSTANCE_ARN.into()),
                    ("permission_set_arn", set_arn.clone().into()),
                    (
                        "customer_managed_policy_reference",
                        obj([
                            ("name", policy.name.as_str().to_string().into()),
                            ("path", literal(policy.path.as_str()).into()),
                        ]),
                    ),
                ]),
            )?;
        }
        if let Some(boundary) = set.permissions_boundary() {
            // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssoadmin_permissions_boundary_attachment
            // One per permission set, named like it.
            let boundary = match boundary {
                PermissionSetBoundary::Aws(policy) => {
                    obj([("managed_policy_arn", aws_managed_arn(policy)?.into())])
                }
                PermissionSetBoundary::Customer(policy) => obj([(
                    "customer_managed_policy_reference",
                    obj([
                        ("name", policy.name.as_str().to_string().into()),
                        ("path", literal(policy.path.as_str()).into()),
                    ]),
                )]),
            };
            module.resource(
                "aws_ssoadmin_permissions_boundary_attachment",
                &tf,
                obj([
                    ("instance_arn", INSTANCE_ARN.into()),
                    ("permission_set_arn", set_arn.clone().into()),
                    ("permissions_boundary", boundary),
                ]),
            )?;
        }
    }
    // An assignment names its accounts and OUs; thousands of assignments can repeat a
    // (principal, permission set, account), which is one resource. The names of each
    // (principal, permission set) are computed once, each OU's accounts are listed once, and a
    // repeated triple is skipped before anything is built (it would be the same resource).
    let mut pairs: FastMap<(&AssignmentPrincipal, &str), Pair> = FastMap::default();
    let units = model.unit_accounts();
    for assignment in ic.assignments() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssoadmin_account_assignment
        // One per account: the accounts named and every account under the OUs named (as the
        // model is now; a later account needs a new generate). Named
        // `<permission set>_<principal>_<account>`:
        // `permission_set_admin_access_sso_group_aws_admins_account_production`.
        let set = assignment.permission_set().as_str();
        let pair = pairs
            .entry((assignment.principal(), set))
            .or_insert_with(|| Pair::new(assignment.principal(), set, options));
        let mut accounts: BTreeSet<&AccountName> = assignment.accounts().iter().collect();
        for unit in assignment.units() {
            // The accounts of an OU this pair has had are all made already.
            if !pair.units.insert(unit) {
                continue;
            }
            accounts.extend(units.under(unit).iter().copied());
        }
        for account in accounts {
            if !pair.accounts.insert(account) {
                continue;
            }
            module.resource_once(
                "aws_ssoadmin_account_assignment",
                &format!(
                    "{}_{}_{}",
                    pair.set_tf,
                    pair.principal_tf,
                    terraform_name(EntityKind::Account, account.as_str())
                ),
                obj([
                    ("instance_arn", INSTANCE_ARN.into()),
                    ("permission_set_arn", pair.set_arn.clone().into()),
                    ("principal_id", pair.principal_id.clone().into()),
                    ("principal_type", pair.principal_type.into()),
                    ("target_id", account_id(model, account)?.into()),
                    ("target_type", "AWS_ACCOUNT".into()),
                ]),
            )?;
        }
    }
    Ok(())
}

/// The names an account assignment of one (principal, permission set) uses, and the
/// accounts and OUs it has been made for so far.
struct Pair<'a> {
    set_tf: String,
    set_arn: String,
    principal_tf: String,
    principal_id: String,
    principal_type: &'static str,
    accounts: FastSet<&'a AccountName>,
    units: FastSet<&'a UnitPath>,
}

impl Pair<'_> {
    fn new(principal: &AssignmentPrincipal, set: &str, options: &TerraformOptions) -> Self {
        let set_tf = terraform_name(EntityKind::PermissionSet, set);
        let set_arn = reference("aws_ssoadmin_permission_set", &set_tf, "arn");
        let (principal_tf, principal_id, principal_type) = match principal {
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
        Self {
            set_tf,
            set_arn,
            principal_tf,
            principal_id,
            principal_type,
            accounts: FastSet::default(),
            units: FastSet::default(),
        }
    }
}

/// The user id of an Identity Center user: from the resource or the data source.
fn user_id(tf: &str, options: &TerraformOptions) -> String {
    match options.identity_center_users {
        IdentityCenterUsers::Managed => reference("aws_identitystore_user", tf, "user_id"),
        IdentityCenterUsers::External => reference("data.aws_identitystore_user", tf, "user_id"),
    }
}
