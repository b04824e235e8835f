//! IAM Identity Center: Identity Store groups and memberships, permission sets, account
//! assignments.
//!
//! Property names follow the CloudFormation template reference:
//! `AWS::IdentityStore::Group` (Description, DisplayName, IdentityStoreId; `GroupId` attribute),
//! `AWS::IdentityStore::GroupMembership` (GroupId, IdentityStoreId, MemberId.UserId),
//! `AWS::SSO::PermissionSet` (CustomerManagedPolicyReferences, Description, InlinePolicy,
//! InstanceArn, ManagedPolicies, Name, PermissionsBoundary, RelayStateType, SessionDuration,
//! Tags; `PermissionSetArn` attribute), `AWS::SSO::Assignment` (InstanceArn,
//! PermissionSetArn, PrincipalId, PrincipalType, TargetId, TargetType)
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sso-assignment.html>
//! and the sibling pages).
//!
//! CloudFormation has no resource type for Identity Store users (the template reference
//! lists only `AWS::IdentityStore::Group` and `AWS::IdentityStore::GroupMembership`, and
//! cfn-lint's schemas have no `AWS::IdentityStore::User`): users are created by hand or by
//! the external identity provider, and each user a template needs is a parameter holding
//! their user id.
use std::rc::Rc;

use iam_model::model::names::{EntityKind, UnitPath, composite_logical_id};
use iam_model::model::{AssignmentPrincipal, Model, PermissionSetBoundary};
use serde_json::Value;

use super::template::{Fallback, Lookup, Param, Params, Resource, Val};
use super::{aws_managed_arn, cfn_id, policy_value, tags};
use crate::emit::fast_hash::{FastMap, FastSet};

/// Parameter: the Identity Center instance ARN.
pub(super) const INSTANCE_ARN: &str = "IdentityCenterInstanceArn";
/// Parameter: the identity store id.
pub(super) const IDENTITY_STORE_ID: &str = "IdentityStoreId";

// Patterns from the template reference (AWS::SSO::Assignment InstanceArn,
// AWS::IdentityStore::Group IdentityStoreId, AWS::IdentityStore::GroupMembership MemberId).
const INSTANCE_ARN_PATTERN: &str =
    "^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$";
const IDENTITY_STORE_PATTERN: &str =
    "^d-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
// User and group ids have one form (the `UserId` of `GetUserId`, the `GroupId` of `GetGroupId`).
const PRINCIPAL_ID_PATTERN: &str =
    "^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$";

/// The most account assignments a template lets CloudFormation create at once: the
/// `CreateAccountAssignment` quota of outstanding asynchronous calls.
pub const MAX_CONCURRENT_ASSIGNMENTS: usize = 10;

const TIER_DEFINITION: u8 = 4;
const TIER_ATTACHMENT: u8 = 5;

/// The logical id of the membership of an Identity Center user in a group:
/// `Membership<Group><User>`.
pub fn membership_id(group: &str, user: &str) -> String {
    composite_logical_id("Membership", &[group, user])
}

/// The logical id of one account assignment:
/// `Assignment<Principal><PermissionSet><Account>` (`AssignmentAwsDevelopersDeveloperAccessDevelopment`).
pub fn assignment_id(principal: &str, permission_set: &str, account: &str) -> String {
    composite_logical_id("Assignment", &[principal, permission_set, account])
}

/// The logical ids that memberships and assignments point at, each computed once: an
/// organization has thousands of memberships and assignments, and they name the same few
/// groups, users and permission sets over and over.
#[derive(Default)]
struct Ids<'a> {
    /// Groups come from an external identity provider: each is a parameter.
    external: bool,
    groups: FastMap<&'a str, Rc<str>>,
    users: FastMap<&'a str, Rc<str>>,
    sets: FastMap<&'a str, Rc<str>>,
}

impl<'a> Ids<'a> {
    /// `Fn::GetAtt` of an Identity Store group's `GroupId` (imported from an earlier part),
    /// or with an external identity provider the parameter holding the group's id, declared
    /// on first use.
    fn group(&mut self, name: &'a str, params: &mut Params) -> Val {
        let external = self.external;
        let id = self.groups.entry(name).or_insert_with(|| {
            let id = cfn_id(EntityKind::SsoGroup, name);
            if external {
                params.entry(id.clone()).or_insert_with(|| Param {
                    description: format!(
                        "Identity Store group id of the Identity Center group `{name}` (parameters.sh looks it up)"
                    ),
                    pattern: Some(PRINCIPAL_ID_PATTERN),
                    min_length: None,
                    placeholder: format!("REPLACE_ME_group_id_{name}"),
                    lookup: Lookup::Group(name.to_string()),
                });
            }
            id.into()
        });
        if external {
            Val::Param(Rc::clone(id))
        } else {
            Val::link(Rc::clone(id), Some("GroupId"), Fallback::Import)
        }
    }

    /// The parameter holding an Identity Center user's id, declared on first use.
    fn user(&mut self, name: &'a str, params: &mut Params) -> Val {
        let id = self.users.entry(name).or_insert_with(|| {
            let id = cfn_id(EntityKind::SsoUser, name);
            params.entry(id.clone()).or_insert_with(|| Param {
                description: format!(
                    "Identity Store user id of the Identity Center user `{name}` (parameters.sh looks it up)"
                ),
                pattern: Some(PRINCIPAL_ID_PATTERN),
                min_length: None,
                placeholder: format!("REPLACE_ME_user_id_{name}"),
                lookup: Lookup::User(name.to_string()),
            });
            id.into()
        });
        Val::Param(Rc::clone(id))
    }

    /// `Fn::GetAtt` of a permission set's ARN (imported from an earlier part).
    fn set(&mut self, name: &'a str) -> Val {
        let id = self
            .sets
            .entry(name)
            .or_insert_with(|| cfn_id(EntityKind::PermissionSet, name).into());
        Val::link(Rc::clone(id), Some("PermissionSetArn"), Fallback::Import)
    }
}

/// Sort by logical id and keep one resource per id, the last one (what inserting them in
/// order into a map keyed by id keeps). Ids of joins are unique in a valid model, but a
/// user can name a group twice.
fn by_id_last_wins<T>(mut items: Vec<(String, T)>) -> Vec<(String, T)> {
    // Stable, so equal ids keep their order and the last is the one inserted last.
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<(String, T)> = Vec::with_capacity(items.len());
    for item in items {
        match out.last_mut() {
            Some(last) if last.0 == item.0 => *last = item,
            _ => out.push(item),
        }
    }
    out
}

/// The Identity Center resources and the parameters they need.
pub(super) fn resources(model: &Model, out: &mut Vec<Resource>, params: &mut Params) {
    let Some(ic) = model.identity_center() else {
        return;
    };
    let instance_arn: Rc<str> = INSTANCE_ARN.into();
    let store_id: Rc<str> = IDENTITY_STORE_ID.into();
    let instance = || Val::Param(Rc::clone(&instance_arn));
    let store = || Val::Param(Rc::clone(&store_id));
    let external = ic.source().is_external();
    let mut ids = Ids {
        external,
        ..Ids::default()
    };
    let mut needs_store = false;
    let mut needs_instance = false;

    // With an external identity provider, groups and memberships are provisioned by it
    // (SCIM): the template only reads group and user ids, as parameters.
    let own_groups = if external { None } else { Some(ic.groups()) };
    for (name, group) in own_groups.into_iter().flatten() {
        needs_store = true;
        out.push(
            Resource::new(
                cfn_id(EntityKind::SsoGroup, name),
                "AWS::IdentityStore::Group",
                TIER_DEFINITION,
            )
            .prop("DisplayName", Val::str(name.as_str()))
            .prop("IdentityStoreId", store())
            .opt("Description", group.description.as_deref().map(Val::str))
            .output(
                Some("GroupId"),
                "Id",
                format!("Identity Store group id of `{name}`"),
            ),
        );
    }

    // Memberships: each user's groups, deduplicated.
    let mut memberships: Vec<(String, (&str, &str))> = Vec::new();
    let own_users = if external { None } else { Some(ic.users()) };
    for (user, u) in own_users.into_iter().flatten() {
        for group in &u.groups {
            if ic.groups().contains_key(group) {
                memberships.push((membership_id(group, user), (group.as_str(), user.as_str())));
            }
        }
    }
    for (id, (group, user)) in by_id_last_wins(memberships) {
        needs_store = true;
        let member = ids.user(user, params);
        out.push(
            Resource::new(id, "AWS::IdentityStore::GroupMembership", TIER_ATTACHMENT)
                .prop("GroupId", ids.group(group, params))
                .prop("IdentityStoreId", store())
                .prop("MemberId", Val::map([("UserId", member)])),
        );
    }

    for (name, set) in ic.permission_sets() {
        needs_instance = true;
        let managed: Vec<Value> = set
            .aws_managed_policies()
            .iter()
            .map(|n| Value::String(aws_managed_arn(n)))
            .collect();
        let customer: Vec<Value> = set
            .customer_managed_policies()
            .iter()
            .map(|c| serde_json::json!({ "Name": c.name.as_str(), "Path": c.path.as_str() }))
            .collect();
        let boundary = set.permissions_boundary().map(|b| match b {
            PermissionSetBoundary::Aws(n) => {
                serde_json::json!({ "ManagedPolicyArn": aws_managed_arn(n) })
            }
            PermissionSetBoundary::Customer(c) => serde_json::json!({
                "CustomerManagedPolicyReference": { "Name": c.name.as_str(), "Path": c.path.as_str() }
            }),
        });
        out.push(
            Resource::new(
                cfn_id(EntityKind::PermissionSet, name.as_str()),
                "AWS::SSO::PermissionSet",
                TIER_DEFINITION,
            )
            .prop("Name", Val::str(name.as_str()))
            .prop("InstanceArn", instance())
            .prop(
                "SessionDuration",
                Val::str(set.session_duration().to_string()),
            )
            .opt("Description", set.description().map(Val::str))
            .opt("RelayStateType", set.relay_state().map(Val::str))
            .opt(
                "ManagedPolicies",
                (!managed.is_empty()).then(|| Val::json(Value::Array(managed))),
            )
            .opt(
                "CustomerManagedPolicyReferences",
                (!customer.is_empty()).then(|| Val::json(Value::Array(customer))),
            )
            .opt(
                "InlinePolicy",
                set.inline_policy().map(|p| Val::json(policy_value(p))),
            )
            .opt("PermissionsBoundary", boundary.map(Val::json))
            .opt(
                "Tags",
                (!set.tags().is_empty()).then(|| Val::json(tags(set.tags()))),
            )
            .output(
                Some("PermissionSetArn"),
                "Arn",
                format!("ARN of the permission set `{name}`"),
            ),
        );
    }

    // Assignments: every (principal, permission set, account), OUs expanded to the accounts
    // under them, each triple once, in sorted order. Thousands of assignments name the same
    // principal and permission set, so the accounts are gathered per pair first, and an OU
    // that many assignments of a pair name is expanded once.
    #[derive(Default)]
    struct Targets<'a> {
        accounts: Vec<&'a str>,
        units: FastSet<&'a UnitPath>,
    }
    let units = model.unit_accounts();
    let mut pairs: FastMap<(&AssignmentPrincipal, &str), Targets> = FastMap::default();
    for a in ic.assignments() {
        let targets = pairs
            .entry((a.principal(), a.permission_set().as_str()))
            .or_default();
        targets
            .accounts
            .extend(a.accounts().iter().map(|n| n.as_str()));
        for unit in a.units() {
            if !targets.units.insert(unit) {
                continue;
            }
            targets
                .accounts
                .extend(units.under(unit).iter().map(|n| n.as_str()));
        }
    }
    let mut pairs: Vec<_> = pairs.into_iter().collect();
    pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut assignments: Vec<(String, Resource)> = Vec::new();
    for ((principal, set), Targets { mut accounts, .. }) in pairs {
        accounts.sort_unstable();
        accounts.dedup();
        for account in accounts {
            let Some(target) = model.account(account) else {
                continue;
            };
            needs_instance = true;
            let (principal_name, principal_type, principal_id) = match principal {
                AssignmentPrincipal::Group(g) => (g.as_str(), "GROUP", ids.group(g, params)),
                AssignmentPrincipal::User(u) => (u.as_str(), "USER", ids.user(u, params)),
            };
            let id = assignment_id(principal_name, set, account);
            let r = Resource::new(id.clone(), "AWS::SSO::Assignment", TIER_ATTACHMENT)
                .prop("InstanceArn", instance())
                .prop("PermissionSetArn", ids.set(set))
                .prop("PrincipalId", principal_id)
                .prop("PrincipalType", Val::fixed(principal_type))
                .prop("TargetId", Val::str(target.id().to_string()))
                .prop("TargetType", Val::fixed("AWS_ACCOUNT"));
            assignments.push((id, r));
        }
    }
    // CreateAccountAssignment has at most 10 outstanding asynchronous calls ("AWS IAM
    // Identity Center quotas", Throttle limits,
    // <https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html>); CloudFormation
    // would start every assignment of a template at once and be throttled. Assignments are
    // laid out in this (sorted) order and each waits for the one `MAX_CONCURRENT_ASSIGNMENTS`
    // before it: at most that many chains, so at most that many in flight. A split template
    // keeps the bound: a part holds a contiguous run, and a dependency on an earlier part is
    // dropped (that part is deployed before).
    let mut assignments: Vec<Resource> = by_id_last_wins(assignments)
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let ids: Vec<String> = assignments.iter().map(|r| r.id.clone()).collect();
    for (r, before) in assignments
        .iter_mut()
        .skip(MAX_CONCURRENT_ASSIGNMENTS)
        .zip(ids)
    {
        r.depends_on.insert(before);
    }
    out.extend(assignments);

    if needs_instance {
        params.insert(
            INSTANCE_ARN.to_string(),
            Param {
                description:
                    "ARN of the IAM Identity Center instance (aws sso-admin list-instances)"
                        .to_string(),
                pattern: Some(INSTANCE_ARN_PATTERN),
                min_length: None,
                placeholder: "REPLACE_ME_identity_center_instance_arn".to_string(),
                lookup: Lookup::InstanceArn,
            },
        );
    }
    if needs_store {
        params.insert(
            IDENTITY_STORE_ID.to_string(),
            Param {
                description:
                    "Id of the Identity Center identity store (aws sso-admin list-instances)"
                        .to_string(),
                pattern: Some(IDENTITY_STORE_PATTERN),
                min_length: None,
                placeholder: "REPLACE_ME_identity_store_id".to_string(),
                lookup: Lookup::IdentityStoreId,
            },
        );
    }
}
