//! The management account's modules: Organizations and budgets, OU baselines, IAM Identity
//! Center (the management account's own IAM is [`super::iam`]'s).
//!
//! Resource types and arguments follow the AWS provider docs under
//! <https://registry.terraform.io/providers/hashicorp/aws/latest/docs/> (one page per resource
//! and data source, cited at each) and are checked against the provider 6.x schema by
//! `tests/e2e/terraform.rs`.
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use iam_model::model::names::{AccountName, EntityKind, UnitPath, terraform_name};
use iam_model::model::{
    AssignmentPrincipal, IdentityCenter, Model, OrgPolicy, PermissionSetBoundary, Target,
};
use iam_model::policy::Kind;
use serde_json::Value;

use super::{
    IdentityCenterUsers, Module, TerraformOptions, Val, aws_managed_arn, body, literal, obj,
    policy_string, reference, tags, unit_id_among,
};
use crate::emit::EmitError;
use crate::emit::fast_hash::{FastMap, FastSet};

/// The organization root's id, from the data source.
pub(super) const ROOT_ID: &str = "${data.aws_organizations_organization.this.roots[0].id}";
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
    // id. Enabling all features and the SCP/RCP policy types is a one-time manual step. A
    // model with nothing under the root (one account, no OUs, no policy on the root) reads
    // nothing from Organizations, so its module plans in an account without one.
    if uses_root(model) {
        module.data("aws_organizations_organization", "this", obj([]))?;
    }
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
        // `import` block per account, Terraform 1.5+), never created; only an account marked
        // `create` in the model has no `import` block, so Terraform creates it. `role_name` and
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
        if options.import_accounts && !account.create() {
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
/// Whether anything of the module names the organization's root ([`ROOT_ID`]): an OU (the
/// top ones are under the root), a member account outside any OU, or an SCP or RCP
/// attached to the root.
fn uses_root(model: &Model) -> bool {
    let org = model.organization();
    let root_target = |targets: &[Target]| targets.iter().any(|t| matches!(t, Target::Root));
    !org.unit_paths().is_empty()
        || model
            .accounts()
            .iter()
            .any(|(name, a)| name != org.management_account() && a.unit().is_none())
        || org.scps().values().any(|p| root_target(p.targets()))
        || org.rcps().values().any(|p| root_target(p.targets()))
}

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

/// Each OU baseline as a CloudFormation StackSet deployed to the OU: the same StackSet as
/// the `cloudformation` target's (template, service-managed permissions, automatic deployment
/// to accounts that join the OU later, `CAPABILITY_NAMED_IAM`, 25% of the accounts at once with
/// 10% failures tolerated), so that a baseline is one stack set and one stack set instance
/// whatever the number of accounts, not a copy in every account's module.
///
/// The module has its own state: the OUs are resources of the Organizations module, and
/// each one's id is read here by name ([`unit_id`]), so nothing is copied by hand and no
/// backend (`terraform_remote_state`) is assumed.
pub(super) fn baselines(module: &mut Module, model: &Model) -> Result<(), EmitError> {
    use crate::emit::cloudformation::{
        FAILURE_TOLERANCE_PERCENTAGE, MAX_CONCURRENT_PERCENTAGE, stack_set_name, template_body,
    };
    for (path, unit) in model.organization().unit_paths() {
        let Some(baseline) = unit.baseline() else {
            continue;
        };
        let template = serde_json::to_string(&template_body(&path, baseline)?).map_err(|e| {
            EmitError::TemplateOutput {
                name: format!("{}/main.tf.json", module.dir),
                reason: e.to_string(),
            }
        })?;
        let unit_id = unit_id(module, &path)?;
        let tf = format!("baseline_{}", unit_name(&path));
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudformation_stack_set
        // With `auto_deployment`, AWS fills in `administration_role_arn` (the StackSets
        // service-linked role) and providers without the fix plan to clear it on every run
        // (hashicorp/terraform-provider-aws#23464, fixed by #45992): it is ignored.
        module.resource(
            "aws_cloudformation_stack_set",
            &tf,
            obj([
                ("name", stack_set_name(&path).into()),
                (
                    "description",
                    literal(&format!("iam-codegen baseline of the OU {path}")).into(),
                ),
                ("permission_model", "SERVICE_MANAGED".into()),
                ("call_as", "SELF".into()),
                (
                    "capabilities",
                    Val::List(vec!["CAPABILITY_NAMED_IAM".into()]),
                ),
                (
                    "auto_deployment",
                    obj([
                        ("enabled", true.into()),
                        ("retain_stacks_on_account_removal", false.into()),
                    ]),
                ),
                (
                    "operation_preferences",
                    obj([
                        (
                            "failure_tolerance_percentage",
                            FAILURE_TOLERANCE_PERCENTAGE.into(),
                        ),
                        (
                            "max_concurrent_percentage",
                            MAX_CONCURRENT_PERCENTAGE.into(),
                        ),
                        ("region_concurrency_type", "PARALLEL".into()),
                    ]),
                ),
                ("template_body", literal(&template).into()),
                (
                    "lifecycle",
                    obj([(
                        "ignore_changes",
                        Val::List(vec!["administration_role_arn".into()]),
                    )]),
                ),
            ]),
        )?;
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudformation_stack_set_instance
        // One instance resource for the OU: it deploys to every account under it, in the
        // provider's region (IAM is global).
        module.resource(
            "aws_cloudformation_stack_set_instance",
            &tf,
            obj([
                (
                    "stack_set_name",
                    reference("aws_cloudformation_stack_set", &tf, "name").into(),
                ),
                ("call_as", "SELF".into()),
                (
                    "deployment_targets",
                    obj([("organizational_unit_ids", Val::List(vec![unit_id.into()]))]),
                ),
                (
                    "operation_preferences",
                    obj([
                        ("concurrency_mode", "SOFT_FAILURE_TOLERANCE".into()),
                        (
                            "failure_tolerance_percentage",
                            FAILURE_TOLERANCE_PERCENTAGE.into(),
                        ),
                        (
                            "max_concurrent_percentage",
                            MAX_CONCURRENT_PERCENTAGE.into(),
                        ),
                        ("region_concurrency_type", "PARALLEL".into()),
                    ]),
                ),
            ]),
        )?;
        module.output(
            &format!("{tf}_stack_set_id"),
            reference("aws_cloudformation_stack_set", &tf, "stack_set_id"),
            format!("Id of the StackSet of the OU `{path}`'s baseline"),
        )?;
    }
    Ok(())
}

/// The id of an existing OU, read by name: `local.<OU>_id`, found among its parent's
/// children (`data.aws_organizations_organizational_units.children_of_<parent>`), the
/// parent's id found the same way up to the root. OU names are unique among siblings, so
/// `one(…)` finds one; it is null, and the plan fails, until the Organizations module has
/// created the OU.
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/organizations_organizational_units
fn unit_id(module: &mut Module, path: &UnitPath) -> Result<String, EmitError> {
    let tf = unit_name(path);
    let local = format!("{tf}_id");
    if module.locals.contains_key(&local) {
        return Ok(format!("${{local.{local}}}"));
    }
    let (children, parent_id) = match path.parent() {
        Some(parent) => (
            format!("children_of_{}", unit_name(&parent)),
            unit_id(module, &parent)?,
        ),
        None => {
            if !module.data.contains_key("aws_organizations_organization") {
                module.data("aws_organizations_organization", "this", obj([]))?;
            }
            ("children_of_root".to_string(), ROOT_ID.to_string())
        }
    };
    if !module
        .data
        .get("aws_organizations_organizational_units")
        .is_some_and(|named| named.contains_key(&children))
    {
        module.data(
            "aws_organizations_organizational_units",
            &children,
            obj([("parent_id", parent_id.into())]),
        )?;
    }
    let name = path.segments().last().unwrap_or_default();
    module.local(&local, unit_id_among(&children, &literal(name)).into());
    Ok(format!("${{local.{local}}}"))
}

pub(super) fn unit_name(path: &UnitPath) -> String {
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
        let target_id = match target {
            Target::Root => ROOT_ID.to_string(),
            Target::Unit(path) => parent_id(Some(path)),
            Target::Account(account) => account_id(model, account)?,
        };
        module.resource(
            "aws_organizations_policy_attachment",
            &attachment_name(&tf, target),
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

/// The Terraform name of an SCP's or RCP's attachment: `<policy>_<target>`, the target
/// `root`, an OU's or an account's Terraform name.
pub(super) fn attachment_name(policy_tf: &str, target: &Target) -> String {
    let target_tf = match target {
        Target::Root => "root".to_string(),
        Target::Unit(path) => unit_name(path),
        Target::Account(account) => terraform_name(EntityKind::Account, account.as_str()),
    };
    format!("{policy_tf}_{target_tf}")
}

/// The key of a group membership in `local.group_memberships`: `<user>_in_<group>`, of the
/// user's and the group's Terraform names.
pub(super) fn membership_key(user_tf: &str, group_tf: &str) -> String {
    format!("{user_tf}_in_{group_tf}")
}

fn account_id(model: &Model, name: &AccountName) -> Result<String, EmitError> {
    model
        .account(name.as_str())
        .map(|a| a.id().to_string())
        .ok_or_else(|| EmitError::Missing(format!("there is no account `{name}` in the model")))
}

/// Whether the identity store (users, groups, memberships) has a root module of its own,
/// [`super::IDENTITY_STORE_DIR`], apart from the rest of Identity Center: when the instance
/// is in the management account, the built-in directory is the identity source, and the
/// model has users or groups. In a 500-account organization they were nine in ten of
/// Identity Center's resources, and most changes (a permission set, an assignment) then
/// plan without reading them. A delegated administrator's Identity Center stays whole in
/// that account's module.
pub(super) fn identity_store_apart(model: &Model, ic: &IdentityCenter) -> bool {
    ic.instance_account() == model.organization().management_account()
        && !ic.source().is_external()
        && (!ic.groups().is_empty() || !ic.users().is_empty())
}

/// The instance: its ARN (when `arn`) and identity store id as locals and outputs.
fn instance(module: &mut Module, arn: bool) -> Result<(), EmitError> {
    // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/ssoadmin_instances
    // The instance is enabled by hand, once; its ARN and identity store id are read here.
    module.data("aws_ssoadmin_instances", "this", obj([]))?;
    if arn {
        module.local(
            "sso_instance_arn",
            "${tolist(data.aws_ssoadmin_instances.this.arns)[0]}".into(),
        );
        module.output(
            "sso_instance_arn",
            INSTANCE_ARN.to_string(),
            "ARN of the IAM Identity Center instance".to_string(),
        )?;
    }
    module.local(
        "identity_store_id",
        "${tolist(data.aws_ssoadmin_instances.this.identity_store_ids)[0]}".into(),
    );
    module.output(
        "identity_store_id",
        IDENTITY_STORE_ID.to_string(),
        "Id of the Identity Center identity store".to_string(),
    )
}

/// The identity store's own module ([`identity_store_apart`]): groups, users and
/// memberships of the built-in directory.
pub(super) fn identity_store(
    module: &mut Module,
    ic: &IdentityCenter,
    options: &TerraformOptions,
) -> Result<(), EmitError> {
    instance(module, false)?;
    let principal_ids = directory(module, ic, options.identity_center_users)?;
    principal_ids_local(module, principal_ids);
    Ok(())
}

/// Identity Center: the instance, permission sets with their policies, and account
/// assignments; with the built-in directory in this module (`store_apart` false) also its
/// groups, users and memberships.
pub(super) fn identity_center(
    module: &mut Module,
    model: &Model,
    ic: &IdentityCenter,
    options: &TerraformOptions,
    store_apart: bool,
) -> Result<(), EmitError> {
    instance(module, true)?;
    // With an external identity provider (SCIM), users, groups and memberships are the
    // provider's; with the identity store in a module of its own, they are that module's.
    // Either way this module looks the groups and the assigned users up by name.
    let principal_ids = if ic.source().is_external() || store_apart {
        look_up(module, ic)?
    } else {
        directory(module, ic, options.identity_center_users)?
    };
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
    // (principal, permission set, account), which is one entry. The names of each
    // (principal, permission set) are computed once, each OU's accounts are listed once, and a
    // repeated triple is skipped before anything is built (it would be the same entry).
    let mut pairs: FastMap<(&AssignmentPrincipal, &str), Pair> = FastMap::default();
    let mut set_arns: BTreeMap<String, String> = BTreeMap::new();
    let mut assignments: Vec<(String, Val)> = Vec::new();
    let units = model.unit_accounts();
    for assignment in ic.assignments() {
        // One entry per account: the accounts named and every account under the OUs named
        // (as the model is now; a later account needs a new generate). Keyed
        // `<permission set>_<principal>_<account>`:
        // `permission_set_admin_access_sso_group_aws_admins_account_production`.
        let set = assignment.permission_set().as_str();
        let pair = pairs
            .entry((assignment.principal(), set))
            .or_insert_with(|| Pair::new(assignment.principal(), set));
        set_arns
            .entry(pair.set_tf.clone())
            .or_insert_with(|| reference("aws_ssoadmin_permission_set", &pair.set_tf, "arn"));
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
            assignments.push((
                format!(
                    "{}_{}_{}",
                    pair.set_tf,
                    pair.principal_tf,
                    terraform_name(EntityKind::Account, account.as_str())
                ),
                obj([
                    ("permission_set", pair.set_tf.clone().into()),
                    ("principal", pair.principal_tf.clone().into()),
                    ("principal_type", pair.principal_type.into()),
                    ("account_id", account_id(model, account)?.into()),
                ]),
            ));
        }
    }
    if !assignments.is_empty() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssoadmin_account_assignment
        // One resource with `for_each` over `local.account_assignments`: a plan lists each
        // assignment as `aws_ssoadmin_account_assignment.this["<key>"]`, and the module holds
        // four short values per assignment instead of a block.
        module.local("account_assignments", map(assignments));
        module.local(
            "permission_set_arns",
            Val::Obj(
                set_arns
                    .into_iter()
                    .map(|(k, v)| (Cow::Owned(k), v.into()))
                    .collect(),
            ),
        );
        module.resource(
            "aws_ssoadmin_account_assignment",
            "this",
            obj([
                ("for_each", "${local.account_assignments}".into()),
                ("instance_arn", INSTANCE_ARN.into()),
                (
                    "permission_set_arn",
                    "${local.permission_set_arns[each.value.permission_set]}".into(),
                ),
                (
                    "principal_id",
                    "${local.principal_ids[each.value.principal]}".into(),
                ),
                ("principal_type", "${each.value.principal_type}".into()),
                ("target_id", "${each.value.account_id}".into()),
                ("target_type", "AWS_ACCOUNT".into()),
            ]),
        )?;
    }
    principal_ids_local(module, principal_ids);
    Ok(())
}

/// Groups and users made elsewhere (an external identity provider, or the identity store's
/// own module), looked up by name: every group, and the users that assignments name (every
/// lookup is a read at each plan). The principal ids, by Terraform name.
fn look_up(module: &mut Module, ic: &IdentityCenter) -> Result<Vec<(String, String)>, EmitError> {
    let mut principal_ids = Vec::new();
    for name in ic.groups().keys() {
        let tf = terraform_name(EntityKind::SsoGroup, name);
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/identitystore_group
        // Display names are unique in an identity store (the only unique attribute of a
        // group that `GetGroupId` accepts).
        module.data(
            "aws_identitystore_group",
            &tf,
            unique_attribute("DisplayName", name),
        )?;
        let id = reference("data.aws_identitystore_group", &tf, "group_id");
        module.output(
            &format!("{tf}_id"),
            id.clone(),
            format!("Id of the Identity Center group `{name}`"),
        )?;
        principal_ids.push((tf, id));
    }
    let assigned_users: BTreeSet<&str> = ic
        .assignments()
        .iter()
        .filter_map(|a| match a.principal() {
            AssignmentPrincipal::User(u) => Some(u.as_str()),
            AssignmentPrincipal::Group(_) => None,
        })
        .collect();
    for name in ic.users().keys() {
        if !assigned_users.contains(name.as_str()) {
            continue;
        }
        let tf = terraform_name(EntityKind::SsoUser, name);
        look_up_user(module, &tf, name)?;
        principal_ids.push((tf.clone(), user_id(&tf, IdentityCenterUsers::External)));
    }
    Ok(principal_ids)
}

/// `data.aws_identitystore_user.<tf>`, by user name.
fn look_up_user(module: &mut Module, tf: &str, name: &str) -> Result<(), EmitError> {
    // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/identitystore_user
    module.data(
        "aws_identitystore_user",
        tf,
        unique_attribute("UserName", name),
    )
}

/// A lookup in the identity store by a unique attribute (`alternate_identifier`).
fn unique_attribute(path: &'static str, value: &str) -> Val {
    obj([
        ("identity_store_id", IDENTITY_STORE_ID.into()),
        (
            "alternate_identifier",
            obj([(
                "unique_attribute",
                obj([
                    ("attribute_path", path.into()),
                    ("attribute_value", literal(value).into()),
                ]),
            )]),
        ),
    ])
}

/// The built-in directory's groups, users (resources, or looked up with
/// [`IdentityCenterUsers::External`]) and memberships. The principal ids, by Terraform name.
fn directory(
    module: &mut Module,
    ic: &IdentityCenter,
    users: IdentityCenterUsers,
) -> Result<Vec<(String, String)>, EmitError> {
    // Each group's name and group id reference, computed once for its memberships.
    let mut groups: FastMap<&str, (String, String)> = FastMap::default();
    let group_names = |group: &str| {
        let tf = terraform_name(EntityKind::SsoGroup, group);
        let id = reference("aws_identitystore_group", &tf, "group_id");
        (tf, id)
    };
    for (name, group) in ic.groups() {
        let (tf, id) = groups
            .entry(name.as_str())
            .or_insert_with(|| group_names(name));
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/identitystore_group
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
    // The principal ids assignments and memberships use, by Terraform name.
    let mut principal_ids: Vec<(String, String)> = groups
        .values()
        .map(|(tf, id)| (tf.clone(), id.clone()))
        .collect();
    let mut memberships: Vec<(String, Val)> = Vec::new();
    for (name, user) in ic.users() {
        let tf = terraform_name(EntityKind::SsoUser, name);
        principal_ids.push((tf.clone(), user_id(&tf, users)));
        match users {
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
            IdentityCenterUsers::External => look_up_user(module, &tf, name)?,
        }
        for group in &user.groups {
            // Keyed `<user>_in_<group>`: `sso_user_alice_example_com_in_sso_group_aws_admins`.
            let (group_tf, group_id) = groups
                .entry(group.as_str())
                .or_insert_with(|| group_names(group));
            if !ic.groups().contains_key(group) {
                // A group the model lacks (validation reports it) still gets its id.
                principal_ids.push((group_tf.clone(), group_id.clone()));
            }
            memberships.push((
                membership_key(&tf, group_tf),
                obj([
                    ("group", group_tf.clone().into()),
                    ("user", tf.clone().into()),
                ]),
            ));
        }
    }
    if !memberships.is_empty() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/identitystore_group_membership
        // One resource with `for_each` over `local.group_memberships`: a plan lists each
        // membership as `aws_identitystore_group_membership.this["<user>_in_<group>"]`.
        module.local("group_memberships", map(memberships));
        module.resource(
            "aws_identitystore_group_membership",
            "this",
            obj([
                ("for_each", "${local.group_memberships}".into()),
                ("identity_store_id", IDENTITY_STORE_ID.into()),
                (
                    "group_id",
                    "${local.principal_ids[each.value.group]}".into(),
                ),
                (
                    "member_id",
                    "${local.principal_ids[each.value.user]}".into(),
                ),
            ]),
        )?;
    }
    Ok(principal_ids)
}

/// `local.principal_ids`: the principal ids by Terraform name, when there are any.
fn principal_ids_local(module: &mut Module, mut principal_ids: Vec<(String, String)>) {
    if principal_ids.is_empty() {
        return;
    }
    principal_ids.sort();
    principal_ids.dedup_by(|a, b| a.0 == b.0);
    module.local(
        "principal_ids",
        Val::Obj(
            principal_ids
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k), v.into()))
                .collect(),
        ),
    );
}

/// A map of Terraform names to values, sorted by name; a repeated name keeps its last value.
fn map(mut entries: Vec<(String, Val)>) -> Val {
    // Stable: a repeated name keeps the order it was added in, and the last one stays.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<(Cow<'static, str>, Val)> = Vec::with_capacity(entries.len());
    for (k, v) in entries {
        match out.last_mut() {
            Some(last) if last.0 == k.as_str() => last.1 = v,
            _ => out.push((Cow::Owned(k), v)),
        }
    }
    Val::Obj(out)
}

/// The names an account assignment of one (principal, permission set) uses, and the
/// accounts and OUs it has been made for so far.
struct Pair<'a> {
    set_tf: String,
    principal_tf: String,
    principal_type: &'static str,
    accounts: FastSet<&'a AccountName>,
    units: FastSet<&'a UnitPath>,
}

impl Pair<'_> {
    fn new(principal: &AssignmentPrincipal, set: &str) -> Self {
        let (principal_tf, principal_type) = match principal {
            AssignmentPrincipal::Group(group) => {
                (terraform_name(EntityKind::SsoGroup, group), "GROUP")
            }
            AssignmentPrincipal::User(user) => (terraform_name(EntityKind::SsoUser, user), "USER"),
        };
        Self {
            set_tf: terraform_name(EntityKind::PermissionSet, set),
            principal_tf,
            principal_type,
            accounts: FastSet::default(),
            units: FastSet::default(),
        }
    }
}

/// The user id of an Identity Center user: from the resource or the data source.
fn user_id(tf: &str, users: IdentityCenterUsers) -> String {
    match users {
        IdentityCenterUsers::Managed => reference("aws_identitystore_user", tf, "user_id"),
        IdentityCenterUsers::External => reference("data.aws_identitystore_user", tf, "user_id"),
    }
}
