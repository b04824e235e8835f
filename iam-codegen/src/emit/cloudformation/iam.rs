//! IAM in one account: users, groups, roles, customer managed policies, OIDC and SAML
//! providers, instance profiles.
//!
//! Property names follow the CloudFormation template reference:
//! `AWS::IAM::Role` (AssumeRolePolicyDocument, Description, ManagedPolicyArns,
//! MaxSessionDuration, Path, PermissionsBoundary, Policies, RoleName, Tags),
//! `AWS::IAM::User` (Groups, ManagedPolicyArns, Path, PermissionsBoundary, Policies, Tags,
//! UserName), `AWS::IAM::Group` (GroupName, ManagedPolicyArns, Path, Policies),
//! `AWS::IAM::ManagedPolicy` (Description, Groups, ManagedPolicyName, Path, PolicyDocument,
//! Roles, Users), `AWS::IAM::InstanceProfile` (InstanceProfileName, Path, Roles),
//! `AWS::IAM::OIDCProvider` (ClientIdList, Tags, ThumbprintList, Url),
//! `AWS::IAM::SAMLProvider` (Name, SamlMetadataDocument, Tags)
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html>
//! and the sibling pages).
use std::collections::{BTreeMap, BTreeSet};

use iam_model::model::names::{EntityKind, IamPath};
use iam_model::model::{Account, Iam, ManagedPolicyRef, Permissions, Tags};
use serde_json::{Value, json};

use super::template::{Fallback, Lookup, Param, Params, Resource, Val};
use super::{aws_managed_arn, cfn_id, policy_value, tags};

/// Layout tiers: what is referenced comes first.
const TIER_BOUNDARY: u8 = 0;
const TIER_GROUP: u8 = 1;
const TIER_PRINCIPAL: u8 = 2;
const TIER_ATTACHED: u8 = 3;

/// `^.{1000,}`: `SamlMetadataDocument` is 1,000 to 10,000,000 characters.
const SAML_METADATA_MIN: u32 = 1_000;

fn customer_arn(path: &IamPath, name: &str) -> Value {
    // `${AWS::Partition}` rather than `aws` inside `Fn::Sub` (cfn-lint I3042). A path may
    // hold `${` (IAM paths allow U+0021 to U+007F): written `${!`, a literal.
    let path = crate::escape::cloudformation_sub(path.as_str());
    let name = crate::escape::cloudformation_sub(name);
    json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy{path}{name}") })
}

/// The ARN of a managed policy: a `Ref` to a customer managed policy of the template (its
/// computed ARN when in another part), the catalogue's ARN for an AWS managed one.
fn managed_arn(iam: &Iam, r: &ManagedPolicyRef) -> Val {
    match r {
        ManagedPolicyRef::Aws(name) => Val::str(aws_managed_arn(name)),
        ManagedPolicyRef::Customer(name) => {
            let path = iam
                .policies()
                .get(name.as_str())
                .map(|p| p.path().clone())
                .unwrap_or_default();
            Val::link(
                cfn_id(EntityKind::Policy, name.as_str()),
                None,
                Fallback::Value(Box::new(customer_arn(&path, name.as_str()))),
            )
        }
    }
}

fn inline_policies(p: &Permissions) -> Option<Val> {
    (!p.inline_policies().is_empty()).then(|| {
        Val::List(
            p.inline_policies()
                .iter()
                .map(|(name, doc)| {
                    Val::map([
                        ("PolicyDocument", Val::json(policy_value(doc))),
                        ("PolicyName", Val::str(name.as_str())),
                    ])
                })
                .collect(),
        )
    })
}

/// Customer managed policies that are some principal's permissions boundary. They are
/// attached through the principals' `ManagedPolicyArns`; every other customer managed policy
/// lists its principals (`Users`/`Groups`/`Roles`). A boundary policy that also listed its
/// principals would make a dependency cycle (the principal waits for its boundary).
fn boundary_policies(iam: &Iam) -> BTreeSet<String> {
    let users = iam
        .users()
        .values()
        .filter_map(|u| u.permissions_boundary());
    let roles = iam
        .roles()
        .values()
        .filter_map(|r| r.permissions_boundary());
    users
        .chain(roles)
        .filter_map(|b| match b {
            ManagedPolicyRef::Customer(name) => Some(name.as_str().to_string()),
            ManagedPolicyRef::Aws(_) => None,
        })
        .collect()
}

/// The `ManagedPolicyArns` of a principal: AWS managed policies, then the customer managed
/// policies that are boundaries (see [`boundary_policies`]), then those the account has from
/// an OU baseline: its StackSet deploys them, so they are named by their ARN (the path from
/// `all`, the account's IAM with its baselines).
fn principal_arns(
    iam: &Iam,
    all: &Iam,
    p: &Permissions,
    boundaries: &BTreeSet<String>,
) -> Option<Val> {
    let mut arns: Vec<Val> = p
        .aws_managed_policies()
        .iter()
        .map(|n| Val::str(aws_managed_arn(n)))
        .collect();
    arns.extend(
        p.customer_managed_policies()
            .iter()
            .filter(|n| boundaries.contains(n.as_str()))
            .map(|n| managed_arn(all, &ManagedPolicyRef::Customer(n.clone()))),
    );
    arns.extend(
        p.customer_managed_policies()
            .iter()
            .filter(|n| {
                !boundaries.contains(n.as_str()) && !iam.policies().contains_key(n.as_str())
            })
            .filter_map(|n| {
                let policy = all.policies().get(n.as_str())?;
                Some(Val::json(customer_arn(policy.path(), n.as_str())))
            }),
    );
    (!arns.is_empty()).then_some(Val::List(arns))
}

fn tag_val(t: &Tags) -> Option<Val> {
    (!t.is_empty()).then(|| Val::json(tags(t)))
}

fn path_val(path: &IamPath) -> Val {
    Val::str(path.as_str())
}

/// The parameter that carries a SAML provider's metadata XML.
pub(super) fn saml_param_id(name: &str) -> String {
    format!(
        "SamlMetadata{}",
        cfn_id(EntityKind::SamlProvider, name).trim_start_matches("SamlProvider")
    )
}

/// The resources and parameters of one account's IAM.
pub(super) fn resources(account: &Account, out: &mut Vec<Resource>, params: &mut Params) {
    // OU baselines are deployed by their StackSets (see `baseline`); the account's own
    // entities may attach the baselines' policies.
    of(
        &account.id().to_string(),
        account.own_iam(),
        account.iam(),
        out,
        params,
    );
}

/// The resources of the IAM entities `iam` deployed in the account `account_id`, whose IAM
/// with what its OU baselines deploy is `all`.
pub(super) fn of(
    account_id: &str,
    iam: &Iam,
    all: &Iam,
    out: &mut Vec<Resource>,
    params: &mut Params,
) {
    let boundaries = boundary_policies(iam);

    // Which principals each customer managed policy lists.
    let mut attached: BTreeMap<String, [Vec<Val>; 3]> = BTreeMap::new();
    let mut attach = |policy: &str, slot: usize, id: String, name: &str| {
        if boundaries.contains(policy) {
            return;
        }
        if let Some(list) = attached
            .entry(policy.to_string())
            .or_default()
            .get_mut(slot)
        {
            list.push(Val::link(id, None, Fallback::Text(name.to_string())));
        }
    };
    for (name, u) in iam.users() {
        for p in u.permissions().customer_managed_policies() {
            attach(
                p.as_str(),
                0,
                cfn_id(EntityKind::User, name.as_str()),
                name.as_str(),
            );
        }
    }
    for (name, g) in iam.groups() {
        for p in g.permissions().customer_managed_policies() {
            attach(
                p.as_str(),
                1,
                cfn_id(EntityKind::Group, name.as_str()),
                name.as_str(),
            );
        }
    }
    for (name, r) in iam.roles() {
        for p in r.permissions().customer_managed_policies() {
            attach(
                p.as_str(),
                2,
                cfn_id(EntityKind::Role, name.as_str()),
                name.as_str(),
            );
        }
    }

    for (name, policy) in iam.policies() {
        let id = cfn_id(EntityKind::Policy, name.as_str());
        let is_boundary = boundaries.contains(name.as_str());
        let mut r = Resource::new(
            id,
            "AWS::IAM::ManagedPolicy",
            if is_boundary {
                TIER_BOUNDARY
            } else {
                TIER_ATTACHED
            },
        )
        .prop("ManagedPolicyName", Val::str(name.as_str()))
        .prop("Path", path_val(policy.path()))
        .prop("PolicyDocument", Val::json(policy_value(policy.document())))
        .opt("Description", policy.description().map(Val::str))
        .output(
            None,
            "Arn",
            format!("ARN of the customer managed policy `{name}`"),
        );
        if let Some([users, groups, roles]) = attached.remove(name.as_str()) {
            for (prop, list) in [("Users", users), ("Groups", groups), ("Roles", roles)] {
                if !list.is_empty() {
                    r = r.prop(prop, Val::List(list));
                }
            }
        }
        // AWS::IAM::ManagedPolicy has no Tags property; the model's tags are not deployed.
        out.push(r);
    }

    for (name, g) in iam.groups() {
        let p = g.permissions();
        out.push(
            Resource::new(
                cfn_id(EntityKind::Group, name.as_str()),
                "AWS::IAM::Group",
                TIER_GROUP,
            )
            .prop("GroupName", Val::str(name.as_str()))
            .prop("Path", path_val(p.path()))
            .opt(
                "ManagedPolicyArns",
                principal_arns(iam, all, p, &boundaries),
            )
            .opt("Policies", inline_policies(p)),
        );
    }

    for (name, u) in iam.users() {
        let p = u.permissions();
        let groups: Vec<Val> = u
            .groups()
            .iter()
            .map(|g| {
                Val::link(
                    cfn_id(EntityKind::Group, g.as_str()),
                    None,
                    Fallback::Text(g.as_str().to_string()),
                )
            })
            .collect();
        // Console passwords and access keys are never generated: the operator creates them
        // (see the module docs).
        out.push(
            Resource::new(
                cfn_id(EntityKind::User, name.as_str()),
                "AWS::IAM::User",
                TIER_PRINCIPAL,
            )
            .prop("UserName", Val::str(name.as_str()))
            .prop("Path", path_val(p.path()))
            .opt("Groups", (!groups.is_empty()).then_some(Val::List(groups)))
            .opt(
                "ManagedPolicyArns",
                principal_arns(iam, all, p, &boundaries),
            )
            .opt("Policies", inline_policies(p))
            .opt(
                "PermissionsBoundary",
                u.permissions_boundary().map(|b| managed_arn(all, b)),
            )
            .opt("Tags", tag_val(u.tags())),
        );
    }

    // Providers: tier 0, and roles whose trust policy names them wait for them.
    let mut providers: Vec<(String, String)> = Vec::new();
    for (name, provider) in iam.oidc_providers() {
        let id = cfn_id(EntityKind::OidcProvider, name.as_str());
        providers.push((id.clone(), format!(":oidc-provider/{}\"", provider.host())));
        out.push(
            Resource::new(id, "AWS::IAM::OIDCProvider", TIER_BOUNDARY)
                .prop("Url", Val::str(provider.url.as_str()))
                .prop(
                    "ClientIdList",
                    Val::json(Value::from(provider.client_ids.clone())),
                )
                .opt(
                    "ThumbprintList",
                    (!provider.thumbprints.is_empty())
                        .then(|| Val::json(Value::from(provider.thumbprints.clone()))),
                )
                .opt("Tags", tag_val(&provider.tags))
                .output(
                    None,
                    "Arn",
                    format!("ARN of the OIDC provider `{name}` ({})", provider.url),
                ),
        );
    }
    for (name, provider) in iam.saml_providers() {
        let id = cfn_id(EntityKind::SamlProvider, name.as_str());
        let param = saml_param_id(name.as_str());
        providers.push((id.clone(), format!(":saml-provider/{name}\"")));
        params.insert(
            param.clone(),
            Param {
                description: format!(
                    "SAML metadata XML of provider `{name}` (the file `{}` named in the model)",
                    provider.metadata_document
                ),
                pattern: None,
                min_length: Some(SAML_METADATA_MIN),
                placeholder: format!("REPLACE_ME_saml_metadata_{name}"),
                lookup: Lookup::Manual,
            },
        );
        out.push(
            Resource::new(id, "AWS::IAM::SAMLProvider", TIER_BOUNDARY)
                .prop("Name", Val::str(name.as_str()))
                .prop("SamlMetadataDocument", Val::param(param))
                .opt("Tags", tag_val(&provider.tags))
                .output(None, "Arn", format!("ARN of the SAML provider `{name}`")),
        );
    }

    for (name, role) in iam.roles() {
        let p = role.permissions();
        let trust = policy_value(role.trust_policy());
        let trust_text = trust.to_string();
        let mut r = Resource::new(
            cfn_id(EntityKind::Role, name.as_str()),
            "AWS::IAM::Role",
            TIER_PRINCIPAL,
        )
        .prop("RoleName", Val::str(name.as_str()))
        .prop("Path", path_val(p.path()))
        .prop("AssumeRolePolicyDocument", Val::json(trust))
        .prop(
            "MaxSessionDuration",
            Val::json(Value::from(role.max_session_duration().seconds())),
        )
        .opt("Description", role.description().map(Val::str))
        .opt(
            "ManagedPolicyArns",
            principal_arns(iam, all, p, &boundaries),
        )
        .opt("Policies", inline_policies(p))
        .opt(
            "PermissionsBoundary",
            role.permissions_boundary().map(|b| managed_arn(all, b)),
        )
        .opt("Tags", tag_val(role.tags()))
        .output(Some("Arn"), "Arn", format!("ARN of the role `{name}`"));
        // IAM checks that a federated principal exists when the role is created.
        for (id, needle) in &providers {
            if trust_text.contains(&format!("{account_id}{needle}")) {
                r.depends_on.insert(id.clone());
            }
        }
        out.push(r);
    }

    for (name, profile) in iam.instance_profiles() {
        let role = profile.role().as_str();
        out.push(
            Resource::new(
                cfn_id(EntityKind::InstanceProfile, name.as_str()),
                "AWS::IAM::InstanceProfile",
                TIER_ATTACHED,
            )
            .prop("InstanceProfileName", Val::str(name.as_str()))
            .prop("Path", path_val(profile.path()))
            .prop(
                "Roles",
                Val::List(vec![Val::link(
                    cfn_id(EntityKind::Role, role),
                    None,
                    Fallback::Text(role.to_string()),
                )]),
            )
            .output(
                Some("Arn"),
                "Arn",
                format!("ARN of the instance profile `{name}`"),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_with_a_substitution_stays_literal_in_fn_sub() {
        let path: IamPath = "/${AWS::Region}/".parse().unwrap();
        assert_eq!(
            customer_arn(&path, "p"),
            json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/${!AWS::Region}/p"})
        );
    }
}
