//! AWS Organizations (OUs, member accounts, SCPs and RCPs) and AWS Budgets.
//!
//! Property names follow the CloudFormation template reference:
//! `AWS::Organizations::OrganizationalUnit` (Name, ParentId, Tags; `Ref` is the OU id),
//! `AWS::Organizations::Account` (AccountName, Email, ParentIds, Tags),
//! `AWS::Organizations::Policy` (Content, Description, Name, Tags, TargetIds, Type
//! `SERVICE_CONTROL_POLICY` or `RESOURCE_CONTROL_POLICY`),
//! `AWS::Budgets::Budget` (Budget: BudgetName, BudgetType, TimeUnit, BudgetLimit, CostFilters;
//! NotificationsWithSubscribers: Notification, Subscribers)
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-organizations-policy.html>
//! and the sibling pages).
use iam_model::model::names::{EntityKind, UnitPath};
use iam_model::model::{Model, OrgPolicy, Target};
use iam_model::policy::Kind;
use serde_json::{Value, json};

use super::template::{Fallback, Lookup, Param, Params, Resource, Val};
use super::{cfn_id, policy_value, tags};

/// Parameter: the organization root id.
pub(super) const ROOT_ID: &str = "OrganizationRootId";
/// `ListRoots` Id: `r-` and 4 to 32 lowercase letters or digits.
const ROOT_PATTERN: &str = "^r-[0-9a-z]{4,32}$";

// OUs nest, so an OU's tier is 10 + its depth: parents are laid out first.
const TIER_UNIT: u8 = 10;
const TIER_ACCOUNT: u8 = 60;
const TIER_POLICY: u8 = 61;
const TIER_BUDGET: u8 = 62;

fn unit_link(path: &UnitPath) -> Val {
    Val::link(
        cfn_id(EntityKind::Unit, path.as_str()),
        None,
        Fallback::Import,
    )
}

fn parent(path: Option<&UnitPath>) -> Val {
    match path {
        Some(p) => unit_link(p),
        None => Val::param(ROOT_ID),
    }
}

fn org_policy<K: Kind>(
    model: &Model,
    kind: EntityKind,
    name: &str,
    policy: &OrgPolicy<K>,
    policy_type: &str,
) -> Resource {
    let targets: Vec<Val> = policy
        .targets()
        .iter()
        .filter_map(|t| match t {
            Target::Root => Some(Val::param(ROOT_ID)),
            Target::Unit(p) => Some(unit_link(p)),
            // Account ids come from the model (see the module docs).
            Target::Account(a) => model
                .account(a.as_str())
                .map(|a| Val::str(a.id().to_string())),
        })
        .collect();
    Resource::new(
        cfn_id(kind, name),
        "AWS::Organizations::Policy",
        TIER_POLICY,
    )
    .prop("Name", Val::str(name))
    .prop("Type", Val::str(policy_type))
    // An object rather than a string, so drift detection works (template reference).
    .prop("Content", Val::json(policy_value(policy.document())))
    .opt("Description", policy.description().map(Val::str))
    .opt(
        "TargetIds",
        (!targets.is_empty()).then_some(Val::List(targets)),
    )
    .opt(
        "Tags",
        (!policy.tags().is_empty()).then(|| Val::json(tags(policy.tags()))),
    )
}

/// The Organizations and Budgets resources of the management account's template.
pub(super) fn resources(model: &Model, out: &mut Vec<Resource>, params: &mut Params) {
    let org = model.organization();
    let mut uses_root = false;
    for (path, unit) in org.unit_paths() {
        let parent_path = path.parent();
        uses_root |= parent_path.is_none();
        let name = path.segments().last().unwrap_or_default().to_string();
        let depth = u8::try_from(path.depth()).unwrap_or(u8::MAX - TIER_UNIT);
        out.push(
            Resource::new(
                cfn_id(EntityKind::Unit, path.as_str()),
                "AWS::Organizations::OrganizationalUnit",
                TIER_UNIT.saturating_add(depth.min(40)),
            )
            .prop("Name", Val::str(name))
            .prop("ParentId", parent(parent_path.as_ref()))
            .opt(
                "Tags",
                (!unit.tags().is_empty()).then(|| Val::json(tags(unit.tags()))),
            )
            .output(None, "Id", format!("Id of the OU `{path}`")),
        );
    }

    let management = org.management_account().as_str();
    for (name, account) in model.accounts() {
        if name.as_str() == management || !account.create() {
            // The management account exists before the organization does, and every other
            // account of the model exists unless it is marked `create`: a resource for it
            // would create a new account (see `Account` in iam_model), so it is adopted.
            continue;
        }
        uses_root |= account.unit().is_none();
        let mut r = Resource::new(
            cfn_id(EntityKind::Account, name.as_str()),
            "AWS::Organizations::Account",
            TIER_ACCOUNT,
        )
        .prop("AccountName", Val::str(name.as_str()))
        .prop("Email", Val::str(account.email()))
        .prop("ParentIds", Val::List(vec![parent(account.unit())]))
        .opt(
            "Tags",
            (!account.tags().is_empty()).then(|| Val::json(tags(account.tags()))),
        )
        .output(
            Some("AccountId"),
            "Id",
            format!("Id of the account `{name}`"),
        );
        // Deleting the stack or replacing the resource must never close an account.
        r.retain = true;
        out.push(r);
    }

    for (name, scp) in org.scps() {
        uses_root |= scp.targets().contains(&Target::Root);
        out.push(org_policy(
            model,
            EntityKind::Scp,
            name.as_str(),
            scp,
            "SERVICE_CONTROL_POLICY",
        ));
    }
    for (name, rcp) in org.rcps() {
        uses_root |= rcp.targets().contains(&Target::Root);
        out.push(org_policy(
            model,
            EntityKind::Rcp,
            name.as_str(),
            rcp,
            "RESOURCE_CONTROL_POLICY",
        ));
    }

    for (name, account) in model.accounts() {
        let Some(budget) = account.budget() else {
            continue;
        };
        let notifications: Vec<Value> = budget
            .thresholds
            .iter()
            .map(|t| {
                json!({
                    "Notification": {
                        "ComparisonOperator": "GREATER_THAN",
                        "NotificationType": "ACTUAL",
                        "Threshold": t.percent,
                        "ThresholdType": "PERCENTAGE"
                    },
                    "Subscribers": t.subscribers.iter()
                        .map(|s| json!({ "Address": s, "SubscriptionType": "EMAIL" }))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let time_unit = serde_json::to_value(budget.time_unit).unwrap_or(Value::Null);
        out.push(
            Resource::new(
                cfn_id(EntityKind::Budget, name.as_str()),
                "AWS::Budgets::Budget",
                TIER_BUDGET,
            )
            .prop(
                "Budget",
                Val::json(json!({
                    "BudgetName": name.as_str(),
                    "BudgetType": "COST",
                    "TimeUnit": time_unit,
                    "BudgetLimit": { "Amount": budget.amount, "Unit": budget.currency },
                    // The management account sees every member's costs; the filter keeps
                    // this account's.
                    "CostFilters": { "LinkedAccount": [account.id().to_string()] }
                })),
            )
            .opt(
                "NotificationsWithSubscribers",
                (!notifications.is_empty()).then_some(Val::json(Value::Array(notifications))),
            ),
        );
    }

    if uses_root {
        params.insert(
            ROOT_ID.to_string(),
            Param {
                description: "Id of the organization root (aws organizations list-roots)"
                    .to_string(),
                pattern: Some(ROOT_PATTERN),
                min_length: None,
                placeholder: "REPLACE_ME_organization_root_id".to_string(),
                lookup: Lookup::RootId,
            },
        );
    }
}
