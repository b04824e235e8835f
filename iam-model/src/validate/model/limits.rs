//! AWS quotas: attachments, memberships, inline-policy sizes, tags, SCPs and RCPs per
//! target, OU depth, permission-set fields, password policy and budget ranges.
//!
//! Sources: "IAM and AWS STS quotas" (managed policies per user and role 10, raisable to
//! 20; per group 10; groups per user 10; inline policy characters per user 2,048, group
//! 5,120, role 10,240; tags per resource 50), "Tagging IAM resources" (key 1–128, value
//! 0–256, `aws:` reserved), "Quotas and service limits for AWS Organizations" (5 SCPs and 5
//! RCPs per root, OU or account; OUs nest 5 levels below the root), "IAM Identity Center
//! quotas" and `CreatePermissionSet` (description 700, relay state 240, 20 managed policies
//! per permission set), `UpdateAccountPasswordPolicy` (length 6–128, age 1–1,095, reuse
//! 1–24), "Quotas and restrictions" of AWS Budgets (5 notifications per budget, 10 email
//! subscribers per notification), `CreateRole`/`CreatePolicy` (description 1,000).
use std::collections::BTreeMap;

use crate::model::iam::Permissions;
use crate::model::{Model, Target};
use crate::policy::size::aws_size;
use crate::validate::Report;

use super::{account_path, at, tagged, unit_path};

fn tags(model: &Model, report: &mut Report) {
    for (path, tags) in tagged(model) {
        if tags.len() > 50 {
            report.error(
                "too-many-tags",
                path.clone(),
                format!("{} tags; AWS allows 50 per resource", tags.len()),
                "remove tags or move details into fewer tags",
            );
        }
        for (key, value) in tags {
            let p = at(&path, key);
            let klen = key.chars().count();
            let problem = if klen == 0 || klen > 128 {
                Some(format!(
                    "the tag key `{key}` has {klen} characters; keys have 1 to 128"
                ))
            } else if key.to_ascii_lowercase().starts_with("aws:") {
                Some(format!(
                    "the tag key `{key}` uses the reserved prefix `aws:`"
                ))
            } else if value.chars().count() > 256 {
                Some(format!(
                    "the value of tag `{key}` has {} characters; values have at most 256",
                    value.chars().count()
                ))
            } else {
                None
            };
            if let Some(message) = problem {
                report.error(
                    "invalid-tag",
                    p,
                    message,
                    "tag keys are 1 to 128 characters and cannot start with `aws:`; values are at most 256 characters (\"Tagging IAM resources\")",
                );
            }
        }
    }
}

fn inline_size(permissions: &Permissions) -> usize {
    permissions
        .inline_policies()
        .values()
        .map(|p| aws_size(&p.to_json_compact()))
        .sum()
}

fn entity(
    kind: &str,
    permissions: &Permissions,
    base: &str,
    raisable: bool,
    inline_limit: usize,
    report: &mut Report,
) {
    let count = permissions.managed_policy_count();
    if count > 20 || (!raisable && count > 10) {
        report.error(
            "too-many-managed-policies",
            base,
            format!(
                "the {kind} has {count} managed policies attached; IAM allows {}",
                if raisable { "at most 20" } else { "10" }
            ),
            "combine policies into fewer customer managed policies",
        );
    } else if count > 10 {
        report.warning(
            "too-many-managed-policies",
            base,
            format!("the {kind} has {count} managed policies attached; IAM allows 10 unless the quota is raised (up to 20)"),
            "request an increase of \"Managed policies per role\"/\"per user\" in Service Quotas, or combine policies",
        );
    }
    let size = inline_size(permissions);
    if size > inline_limit {
        report.error(
            "inline-policies-too-large",
            format!("{base}/inline_policies"),
            format!("the {kind}'s inline policies have {size} characters together; IAM allows {inline_limit}"),
            "move statements into customer managed policies, which have their own 6,144-character limit each",
        );
    }
}

fn description(text: Option<&str>, max: usize, path: String, report: &mut Report) {
    if let Some(text) = text {
        let len = text.chars().count();
        if len > max {
            report.error(
                "description-too-long",
                path,
                format!("the description has {len} characters; the maximum is {max}"),
                "shorten the description",
            );
        }
    }
}

fn external_ids(model: &Model, report: &mut Report) {
    for (name, account) in model.accounts() {
        for (role_name, role) in account.iam().roles() {
            let base = format!(
                "{}/trust_policy/Statement",
                at(
                    &format!("{}/iam/roles", account_path(name.as_str())),
                    role_name.as_str()
                )
            );
            for (suffix, statement) in role
                .trust_policy()
                .document()
                .statement_list()
                .iter_with_pointer()
            {
                let Some(condition) = statement.condition() else {
                    continue;
                };
                for (op, keys) in condition.iter() {
                    for (key, values) in keys.iter() {
                        if !key.as_str().eq_ignore_ascii_case("sts:ExternalId") {
                            continue;
                        }
                        for (vs, value) in values.iter_with_pointer() {
                            let text = value.as_text();
                            if let Err(e) = text.parse::<crate::model::names::ExternalId>() {
                                report.error(
                                    "invalid-external-id",
                                    format!(
                                        "{base}{suffix}/Condition/{}/{}{vs}",
                                        crate::json::pointer_token(&op.to_string()),
                                        crate::json::pointer_token(key.as_str())
                                    ),
                                    e.to_string(),
                                    "an ExternalId is 2 to 1,224 characters of letters, digits and `+=,.@:/-` (\"IAM and AWS STS quotas\")",
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

fn organization(model: &Model, report: &mut Report) {
    let org = model.organization();
    for (path, _) in org.unit_paths() {
        if path.depth() > 5 {
            report.error(
                "ou-too-deep",
                unit_path(&path),
                format!(
                    "the OU `{path}` is {} levels below the root; AWS Organizations allows 5",
                    path.depth()
                ),
                "flatten the OU tree",
            );
        }
    }
    for (kind, code, policies) in [
        (
            "SCPs",
            "too-many-scps",
            org.scps()
                .iter()
                .map(|(n, p)| (at("/organization/scps", n.as_str()), p.targets()))
                .collect::<Vec<_>>(),
        ),
        (
            "RCPs",
            "too-many-rcps",
            org.rcps()
                .iter()
                .map(|(n, p)| (at("/organization/rcps", n.as_str()), p.targets()))
                .collect(),
        ),
    ] {
        let mut counts: BTreeMap<&Target, usize> = BTreeMap::new();
        for (base, targets) in &policies {
            for (i, target) in targets.iter().enumerate() {
                let count = counts.entry(target).or_default();
                *count += 1;
                if *count == 6 {
                    report.error(
                        code,
                        format!("{base}/targets/{i}"),
                        format!("this is the 6th of the {kind} attached to `{target}`; AWS Organizations allows 5 per root, OU or account"),
                        "merge policies; note that AWS's own FullAWSAccess SCP counts too while it stays attached",
                    );
                }
            }
        }
    }
}

fn accounts(model: &Model, report: &mut Report) {
    for (name, account) in model.accounts() {
        let base = account_path(name.as_str());
        let iam = account.iam();
        let ib = format!("{base}/iam");
        for (n, user) in iam.users() {
            let b = at(&format!("{ib}/users"), n.as_str());
            entity("user", user.permissions(), &b, true, 2_048, report);
            if user.groups().len() > 10 {
                report.error(
                    "too-many-groups",
                    format!("{b}/groups"),
                    format!(
                        "the user is in {} groups; IAM allows 10",
                        user.groups().len()
                    ),
                    "merge groups; a user can be in at most 10 IAM groups",
                );
            }
        }
        for (n, group) in iam.groups() {
            entity(
                "group",
                group.permissions(),
                &at(&format!("{ib}/groups"), n.as_str()),
                false,
                5_120,
                report,
            );
        }
        for (n, role) in iam.roles() {
            let b = at(&format!("{ib}/roles"), n.as_str());
            entity("role", role.permissions(), &b, true, 10_240, report);
            description(
                role.description(),
                1_000,
                format!("{b}/description"),
                report,
            );
        }
        for (n, policy) in iam.policies() {
            description(
                policy.description(),
                1_000,
                format!("{}/description", at(&format!("{ib}/policies"), n.as_str())),
                report,
            );
        }
        for (n, provider) in iam.oidc_providers() {
            let b = at(&format!("{ib}/oidc_providers"), n.as_str());
            if !provider.url.starts_with("https://") || provider.url.len() <= "https://".len() {
                report.error(
                    "invalid-oidc-provider",
                    format!("{b}/url"),
                    format!(
                        "the OIDC provider URL `{}` does not start with `https://`",
                        provider.url
                    ),
                    "IAM accepts only `https://` issuer URLs",
                );
            }
            if provider.client_ids.is_empty() || provider.client_ids.len() > 100 {
                report.error(
                    "invalid-oidc-provider",
                    format!("{b}/client_ids"),
                    format!(
                        "the OIDC provider has {} client ids; IAM needs 1 to 100",
                        provider.client_ids.len()
                    ),
                    "list the audiences, e.g. `sts.amazonaws.com` for GitHub Actions",
                );
            }
            for (i, t) in provider.thumbprints.iter().enumerate() {
                if t.len() != 40 || !t.bytes().all(|b| b.is_ascii_hexdigit()) || i >= 5 {
                    report.error(
                        "invalid-oidc-provider",
                        format!("{b}/thumbprints/{i}"),
                        format!("`{t}` is not a certificate thumbprint, or one too many"),
                        "a thumbprint is 40 hex digits; IAM keeps at most 5",
                    );
                }
            }
        }
        if let Some(p) = iam.account_password_policy() {
            let b = format!("{ib}/password_policy");
            let ranges = [
                ("minimum_password_length", p.minimum_password_length, 6, 128),
                ("max_password_age", p.max_password_age, 1, 1_095),
                (
                    "password_reuse_prevention",
                    p.password_reuse_prevention,
                    1,
                    24,
                ),
            ];
            for (field, value, min, max) in ranges {
                if let Some(v) = value
                    && (v < min || v > max)
                {
                    report.error(
                        "invalid-password-policy",
                        format!("{b}/{field}"),
                        format!("`{field}` is {v}; IAM accepts {min} to {max}"),
                        "see `UpdateAccountPasswordPolicy` in the IAM API reference",
                    );
                }
            }
        }
        if let Some(budget) = account.budget() {
            let b = format!("{base}/budget");
            if budget.amount == 0 {
                report.error(
                    "invalid-budget",
                    format!("{b}/amount"),
                    "the budget amount is 0",
                    "set the amount the account may spend per period",
                );
            }
            if budget.thresholds.len() > 5 {
                report.error(
                    "invalid-budget",
                    format!("{b}/thresholds"),
                    format!(
                        "the budget has {} alerts; AWS Budgets allows 5 notifications per budget",
                        budget.thresholds.len()
                    ),
                    "keep at most 5 thresholds",
                );
            }
            for (i, t) in budget.thresholds.iter().enumerate() {
                if t.percent == 0 || t.percent > 1_000 {
                    report.error(
                        "invalid-budget",
                        format!("{b}/thresholds/{i}/percent"),
                        format!("an alert at {}% of the budget", t.percent),
                        "write a percentage from 1 to 1000",
                    );
                }
                if t.subscribers.is_empty() || t.subscribers.len() > 10 {
                    report.error(
                        "invalid-budget",
                        format!("{b}/thresholds/{i}/subscribers"),
                        format!(
                            "the alert has {} email subscribers; AWS Budgets needs 1 to 10",
                            t.subscribers.len()
                        ),
                        "list 1 to 10 email addresses",
                    );
                }
            }
        }
    }
}

fn identity_center(model: &Model, report: &mut Report) {
    let Some(ic) = model.identity_center() else {
        return;
    };
    for (name, set) in ic.permission_sets() {
        let b = at("/identity_center/permission_sets", name.as_str());
        description(set.description(), 700, format!("{b}/description"), report);
        if let Some(relay) = set.relay_state() {
            let len = relay.chars().count();
            if len == 0 || len > 240 {
                report.error(
                    "relay-state-too-long",
                    format!("{b}/relay_state"),
                    format!(
                        "the relay state has {len} characters; IAM Identity Center accepts 1 to 240"
                    ),
                    "use a shorter console URL",
                );
            }
        }
        let count = set.aws_managed_policies().len() + set.customer_managed_policies().len();
        if count > 20 {
            report.error(
                "too-many-managed-policies",
                b,
                format!("the permission set has {count} managed policies; IAM Identity Center allows 20 (AWS and customer managed together)"),
                "combine policies into fewer customer managed policies or the inline policy",
            );
        }
    }
}

pub(super) fn check(model: &Model, report: &mut Report) {
    tags(model, report);
    organization(model, report);
    accounts(model, report);
    identity_center(model, report);
    external_ids(model, report);
}
