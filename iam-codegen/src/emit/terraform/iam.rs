//! The IAM resources of one account.
//!
//! Resource types and arguments follow the AWS provider docs, one page per type under
//! <https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/> and are
//! checked against the provider 6.x schema by `tests/e2e/terraform.rs`.
use iam_model::model::names::{EntityKind, terraform_name};
use iam_model::model::{Account, ManagedPolicyRef, Permissions};

use super::{
    Module, Val, attached_name, aws_managed_arn, body, literal, obj, policy_string, reference, tags,
};
use crate::emit::EmitError;

/// Who holds inline policies and attachments: the resource types and the argument naming
/// the holder.
#[derive(Clone, Copy)]
struct Holder {
    /// `aws_iam_role`, `aws_iam_user`, `aws_iam_group`.
    ty: &'static str,
    /// `role`, `user`, `group`: the argument of the policy and attachment resources.
    argument: &'static str,
}

const ROLE: Holder = Holder {
    ty: "aws_iam_role",
    argument: "role",
};
const USER: Holder = Holder {
    ty: "aws_iam_user",
    argument: "user",
};
const GROUP: Holder = Holder {
    ty: "aws_iam_group",
    argument: "group",
};

/// Every IAM entity of the account.
pub(super) fn account(module: &mut Module, account: &Account) -> Result<(), EmitError> {
    // OU baselines are deployed by their StackSets, in the baselines module.
    let iam = account.own_iam();
    for (name, policy) in iam.policies() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_policy
        let tf = terraform_name(EntityKind::Policy, name.as_str());
        module.resource(
            "aws_iam_policy",
            &tf,
            body([
                ("name", Some(name.as_str().to_string().into())),
                ("path", Some(literal(policy.path().as_str()).into())),
                (
                    "description",
                    policy.description().map(|d| literal(d).into()),
                ),
                ("policy", Some(policy_string(policy.document()).into())),
                ("tags", tags(policy.tags())),
            ]),
        )?;
        module.output(
            &format!("{tf}_arn"),
            reference("aws_iam_policy", &tf, "arn"),
            format!("ARN of the customer managed policy `{name}`"),
        )?;
    }
    for (name, group) in iam.groups() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_group
        // (no tags: IAM groups cannot be tagged)
        let tf = terraform_name(EntityKind::Group, name.as_str());
        module.resource(
            "aws_iam_group",
            &tf,
            obj([
                ("name", name.as_str().to_string().into()),
                ("path", literal(group.permissions().path().as_str()).into()),
            ]),
        )?;
        permissions(module, account, GROUP, &tf, group.permissions())?;
    }
    for (name, user) in iam.users() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_user
        // Console passwords (aws_iam_user_login_profile) and access keys (aws_iam_access_key)
        // are secrets; we never create them. The model's `console_access` and
        // `programmatic_access` are for the report and the checks.
        let tf = terraform_name(EntityKind::User, name.as_str());
        module.resource(
            "aws_iam_user",
            &tf,
            body([
                ("name", Some(name.as_str().to_string().into())),
                (
                    "path",
                    Some(literal(user.permissions().path().as_str()).into()),
                ),
                (
                    "permissions_boundary",
                    user.permissions_boundary()
                        .map(|b| boundary_arn(account, b))
                        .transpose()?,
                ),
                ("tags", tags(user.tags())),
            ]),
        )?;
        if !user.groups().is_empty() {
            // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_user_group_membership
            // Non-authoritative: it adds this user to these groups and leaves other members
            // alone. aws_iam_group_membership owns a group's whole member list, removes
            // members added by hand (a break-glass user) and conflicts with itself. Named
            // after the user.
            let groups: Vec<Val> = user
                .groups()
                .iter()
                .map(|g| {
                    reference(
                        "aws_iam_group",
                        &terraform_name(EntityKind::Group, g.as_str()),
                        "name",
                    )
                    .into()
                })
                .collect();
            module.resource(
                "aws_iam_user_group_membership",
                &tf,
                obj([
                    ("user", reference("aws_iam_user", &tf, "name").into()),
                    ("groups", Val::List(groups)),
                ]),
            )?;
        }
        permissions(module, account, USER, &tf, user.permissions())?;
    }
    for (name, role) in iam.roles() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role
        // Inline policies and attachments are separate resources; the role's exclusive
        // `inline_policy` and `managed_policy_arns` arguments (deprecated in 6.x) are not used.
        let tf = terraform_name(EntityKind::Role, name.as_str());
        module.resource(
            "aws_iam_role",
            &tf,
            body([
                ("name", Some(name.as_str().to_string().into())),
                (
                    "path",
                    Some(literal(role.permissions().path().as_str()).into()),
                ),
                ("description", role.description().map(|d| literal(d).into())),
                (
                    "assume_role_policy",
                    Some(policy_string(role.trust_policy()).into()),
                ),
                (
                    "max_session_duration",
                    Some(role.max_session_duration().seconds().into()),
                ),
                (
                    "permissions_boundary",
                    role.permissions_boundary()
                        .map(|b| boundary_arn(account, b))
                        .transpose()?,
                ),
                ("tags", tags(role.tags())),
            ]),
        )?;
        permissions(module, account, ROLE, &tf, role.permissions())?;
        module.output(
            &format!("{tf}_arn"),
            reference("aws_iam_role", &tf, "arn"),
            format!("ARN of the role `{name}`"),
        )?;
    }
    for (name, profile) in iam.instance_profiles() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_instance_profile
        let tf = terraform_name(EntityKind::InstanceProfile, name.as_str());
        let role = terraform_name(EntityKind::Role, profile.role().as_str());
        module.resource(
            "aws_iam_instance_profile",
            &tf,
            obj([
                ("name", name.as_str().to_string().into()),
                ("path", literal(profile.path().as_str()).into()),
                ("role", reference("aws_iam_role", &role, "name").into()),
            ]),
        )?;
        module.output(
            &format!("{tf}_arn"),
            reference("aws_iam_instance_profile", &tf, "arn"),
            format!("ARN of the instance profile `{name}`"),
        )?;
    }
    for (name, provider) in iam.oidc_providers() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_openid_connect_provider
        // `thumbprint_list` is optional since provider 5.x; it is left out when the model
        // has none (IAM trusts the well-known providers' CAs).
        let tf = terraform_name(EntityKind::OidcProvider, name.as_str());
        module.resource(
            "aws_iam_openid_connect_provider",
            &tf,
            body([
                ("url", Some(literal(&provider.url).into())),
                (
                    "client_id_list",
                    Some(Val::List(
                        provider
                            .client_ids
                            .iter()
                            .map(|c| literal(c).into())
                            .collect(),
                    )),
                ),
                (
                    "thumbprint_list",
                    (!provider.thumbprints.is_empty()).then(|| {
                        Val::List(
                            provider
                                .thumbprints
                                .iter()
                                .map(|t| literal(t).into())
                                .collect(),
                        )
                    }),
                ),
                ("tags", tags(&provider.tags)),
            ]),
        )?;
        module.output(
            &format!("{tf}_arn"),
            reference("aws_iam_openid_connect_provider", &tf, "arn"),
            format!("ARN of the OIDC provider `{name}` ({})", provider.url),
        )?;
    }
    for (name, provider) in iam.saml_providers() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_saml_provider
        // The model names the metadata file relative to the model; where it is relative to
        // the directory Terraform runs in only the operator knows: a variable, no default.
        let tf = terraform_name(EntityKind::SamlProvider, name.as_str());
        let variable = format!("{tf}_metadata_file");
        module.variable(
            &variable,
            obj([
                ("type", "string".into()),
                (
                    "description",
                    literal(&format!(
                        "Path of the SAML metadata XML of the provider `{name}` (the model names `{}`, relative to the model file)",
                        provider.metadata_document
                    ))
                    .into(),
                ),
            ]),
        )?;
        module.resource(
            "aws_iam_saml_provider",
            &tf,
            body([
                ("name", Some(name.as_str().to_string().into())),
                (
                    "saml_metadata_document",
                    Some(format!("${{file(var.{variable})}}").into()),
                ),
                ("tags", tags(&provider.tags)),
            ]),
        )?;
        module.output(
            &format!("{tf}_arn"),
            reference("aws_iam_saml_provider", &tf, "arn"),
            format!("ARN of the SAML provider `{name}`"),
        )?;
    }
    if let Some(policy) = iam.account_password_policy() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_account_password_policy
        // One per account, named `account_password_policy`. Booleans are written in full so
        // the model's `false` overrides whatever the account had.
        module.resource(
            "aws_iam_account_password_policy",
            "account_password_policy",
            body([
                (
                    "minimum_password_length",
                    policy.minimum_password_length.map(Val::from),
                ),
                ("require_symbols", Some(policy.require_symbols.into())),
                ("require_numbers", Some(policy.require_numbers.into())),
                (
                    "require_uppercase_characters",
                    Some(policy.require_uppercase_characters.into()),
                ),
                (
                    "require_lowercase_characters",
                    Some(policy.require_lowercase_characters.into()),
                ),
                (
                    "allow_users_to_change_password",
                    Some(policy.allow_users_to_change_password.into()),
                ),
                ("max_password_age", policy.max_password_age.map(Val::from)),
                (
                    "password_reuse_prevention",
                    policy.password_reuse_prevention.map(Val::from),
                ),
                ("hard_expiry", Some(policy.hard_expiry.into())),
            ]),
        )?;
    }
    Ok(())
}

/// Inline policies and managed policy attachments of a role, user or group.
///
/// Names: inline `<holder>_<terraform_name(Policy, inline name)>` (`role_ci_deploy_policy_deploy`);
/// attachments `<holder>_<policy>` with `policy_<name>` for customer managed and
/// `aws_policy_<name>` for AWS managed policies (`role_web_server_aws_policy_read_only_access`).
fn permissions(
    module: &mut Module,
    account: &Account,
    holder: Holder,
    holder_tf: &str,
    permissions: &Permissions,
) -> Result<(), EmitError> {
    let holder_ref = reference(holder.ty, holder_tf, "name");
    for (name, policy) in permissions.inline_policies() {
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role_policy
        // (iam_user_policy, iam_group_policy)
        let tf = format!(
            "{holder_tf}_{}",
            terraform_name(EntityKind::Policy, name.as_str())
        );
        module.resource(
            &format!("{}_policy", holder.ty),
            &tf,
            obj([
                ("name", name.as_str().to_string().into()),
                (holder.argument, holder_ref.clone().into()),
                ("policy", policy_string(policy).into()),
            ]),
        )?;
    }
    let attachments = permissions
        .aws_managed_policies()
        .iter()
        .map(|name| Ok::<_, EmitError>((attached_name(true, name), aws_managed_arn(name)?)))
        .chain(permissions.customer_managed_policies().iter().map(|name| {
            Ok((
                attached_name(false, name.as_str()),
                customer_policy_arn(account, name.as_str()),
            ))
        }));
    for attachment in attachments {
        let (policy_tf, arn): (String, String) = attachment?;
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role_policy_attachment
        // (iam_user_policy_attachment, iam_group_policy_attachment): non-exclusive, unlike
        // aws_iam_policy_attachment.
        module.resource(
            &format!("{}_policy_attachment", holder.ty),
            &format!("{holder_tf}_{policy_tf}"),
            obj([
                (holder.argument, holder_ref.clone().into()),
                ("policy_arn", arn.into()),
            ]),
        )?;
    }
    Ok(())
}

/// The ARN of a customer managed policy of the account: a reference to the module's
/// `aws_iam_policy`, or, for a policy of the OU's baseline (deployed by its StackSet, not by
/// this module), the literal ARN.
fn customer_policy_arn(account: &Account, name: &str) -> String {
    let baseline = account
        .iam()
        .policies()
        .iter()
        .find(|(n, _)| n.as_str() == name)
        .filter(|(n, _)| !account.own_iam().policies().contains_key(*n));
    match baseline {
        Some((_, policy)) => literal(&format!(
            "arn:aws:iam::{}:policy{}{name}",
            account.id(),
            policy.path().as_str()
        )),
        None => reference(
            "aws_iam_policy",
            &terraform_name(EntityKind::Policy, name),
            "arn",
        ),
    }
}

/// The ARN of a permissions boundary: literal for AWS managed, the customer managed
/// policy's ([`customer_policy_arn`]) otherwise.
fn boundary_arn(account: &Account, policy: &ManagedPolicyRef) -> Result<Val, EmitError> {
    Ok(Val::from(match policy {
        ManagedPolicyRef::Aws(name) => aws_managed_arn(name)?,
        ManagedPolicyRef::Customer(name) => customer_policy_arn(account, name.as_str()),
    }))
}
