//! References that must resolve: accounts, OUs, groups, users, roles, policies, permission
//! sets and identity providers named elsewhere in the model.
use std::collections::{BTreeMap, BTreeSet};

use crate::fast_hash::FastSet;
use crate::model::iam::{Iam, ManagedPolicyRef, Permissions};
use crate::model::names::{AccountName, UnitPath};
use crate::model::sso::{AssignmentPrincipal, PermissionSetBoundary};
use crate::model::{AssertionPrincipal, Model, Target};
use crate::policy::{AccountId, AwsPrincipal, FederatedPrincipal, Principal, PrincipalClause};
use crate::validate::Report;

use super::{Context, account_path, at};

fn aws_managed_suggestion(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    iam_catalog::AwsManagedPolicy::all()
        .map(|p| {
            (
                strsim::damerau_levenshtein(&lower, &p.name().to_ascii_lowercase()),
                p.name(),
            )
        })
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, n)| n)
}

/// An attached AWS managed policy: one the catalogue knows, and not deprecated.
fn unknown_aws_managed(name: &str, path: String, report: &mut Report) {
    if let Some(policy) = iam_catalog::AwsManagedPolicy::from_name(name) {
        if policy.is_deprecated() {
            report.error(
                "deprecated-managed-policy",
                path,
                format!("`{name}` is an AWS managed policy that AWS has deprecated"),
                "a deprecated managed policy cannot be attached to new users, groups or roles (IAM User Guide, \"Deprecated AWS managed policies\"); attach the policy that replaced it, or a customer managed policy with the permissions you need",
            );
        }
        return;
    }
    let help = match aws_managed_suggestion(name) {
        Some(s) => format!("did you mean `{s}`? AWS managed policy names are case-sensitive"),
        None => "name an AWS managed policy as IAM lists it (`PowerUserAccess`, `ReadOnlyAccess`), without its path".to_string(),
    };
    report.error(
        "unknown-aws-managed-policy",
        path,
        format!("`{name}` is not an AWS managed policy"),
        help,
    );
}

fn unknown_account(name: &str, path: String, report: &mut Report) {
    report.error(
        "unknown-account",
        path,
        format!("there is no account `{name}` in the model"),
        "name an account under `accounts`",
    );
}

fn unknown_unit(name: &str, path: String, report: &mut Report) {
    report.error(
        "unknown-unit",
        path,
        format!("there is no OU `{name}` in the organization"),
        "write the OU names from the root joined by `/`, as nested under `organization/units`",
    );
}

fn attachments(iam: &Iam, permissions: &Permissions, base: &str, report: &mut Report) {
    for (i, name) in permissions.aws_managed_policies().iter().enumerate() {
        unknown_aws_managed(name, format!("{base}/aws_managed_policies/{i}"), report);
    }
    for (i, name) in permissions.customer_managed_policies().iter().enumerate() {
        if !iam.policies().contains_key(name.as_str()) {
            report.error(
                "unknown-policy",
                format!("{base}/customer_managed_policies/{i}"),
                format!("there is no customer managed policy `{name}` in this account"),
                "define it under `iam/policies` of the same account; customer managed policies cannot be attached across accounts",
            );
        }
    }
}

fn boundary(iam: &Iam, boundary: Option<&ManagedPolicyRef>, base: &str, report: &mut Report) {
    match boundary {
        Some(ManagedPolicyRef::Aws(name)) => {
            unknown_aws_managed(
                name,
                format!("{base}/permissions_boundary/aws_managed"),
                report,
            );
        }
        Some(ManagedPolicyRef::Customer(name)) if !iam.policies().contains_key(name.as_str()) => {
            report.error(
                "unknown-policy",
                format!("{base}/permissions_boundary/customer_managed"),
                format!("there is no customer managed policy `{name}` in this account"),
                "define the boundary policy under `iam/policies` of the same account",
            );
        }
        _ => {}
    }
}

/// The IAM part of a principal or provider ARN in a model account: (account, resource).
fn model_arn<'a>(
    arn: &'a crate::policy::Arn,
    accounts: &'a BTreeMap<AccountId, &'a AccountName>,
) -> Option<(&'a AccountName, &'a str)> {
    if arn.service() != "iam" {
        return None;
    }
    let id = arn.account_id()?;
    accounts.get(&id).map(|name| (*name, arn.resource()))
}

fn trust_principals(
    model: &Model,
    accounts: &BTreeMap<AccountId, &AccountName>,
    clause: &PrincipalClause,
    base: &str,
    report: &mut Report,
) {
    let Principal::Typed(map) = clause.value() else {
        return;
    };
    let base = format!("{base}/{}", clause.element());
    if let Some(aws) = &map.aws {
        for (suffix, p) in aws.iter_with_pointer() {
            let AwsPrincipal::Arn(arn) = p else { continue };
            let Some((account_name, resource)) = model_arn(arn, accounts) else {
                continue;
            };
            let Some(account) = model.account(account_name.as_str()) else {
                continue;
            };
            let path = format!("{base}/AWS{suffix}");
            // The name is the last path segment: `role/path/name`.
            if let Some(rest) = resource.strip_prefix("role/") {
                let name = rest.rsplit('/').next().unwrap_or(rest);
                if !account.iam().roles().contains_key(name) {
                    report.error(
                        "unknown-role",
                        path,
                        format!("account `{account_name}` has no role `{name}` in the model"),
                        "the trust policy names a role of a model account; define the role there or fix the ARN (a principal that does not exist makes IAM reject the policy)",
                    );
                }
            } else if let Some(rest) = resource.strip_prefix("user/") {
                let name = rest.rsplit('/').next().unwrap_or(rest);
                if !account.iam().users().contains_key(name) {
                    report.error(
                        "unknown-user",
                        path,
                        format!("account `{account_name}` has no IAM user `{name}` in the model"),
                        "the trust policy names a user of a model account; define the user there or fix the ARN",
                    );
                }
            }
        }
    }
    if let Some(federated) = &map.federated {
        for (suffix, p) in federated.iter_with_pointer() {
            let FederatedPrincipal::Arn(arn) = p else {
                continue;
            };
            let Some((account_name, resource)) = model_arn(arn, accounts) else {
                continue;
            };
            let Some(account) = model.account(account_name.as_str()) else {
                continue;
            };
            let path = format!("{base}/Federated{suffix}");
            if let Some(host) = resource.strip_prefix("oidc-provider/") {
                if !account
                    .iam()
                    .oidc_providers()
                    .values()
                    .any(|p| p.host().trim_end_matches('/') == host)
                {
                    report.error(
                        "unknown-oidc-provider",
                        path,
                        format!("account `{account_name}` has no OIDC provider for `{host}` in the model"),
                        "add the provider under `iam/oidc_providers` of the same account (e.g. `https://token.actions.githubusercontent.com`)",
                    );
                }
            } else if let Some(name) = resource.strip_prefix("saml-provider/")
                && !account.iam().saml_providers().contains_key(name)
            {
                {
                    report.error(
                        "unknown-saml-provider",
                        path,
                        format!(
                            "account `{account_name}` has no SAML provider `{name}` in the model"
                        ),
                        "add the provider under `iam/saml_providers` of the same account",
                    );
                }
            }
        }
    }
}

fn organization(model: &Model, ctx: &Context<'_>, report: &mut Report) {
    let org = model.organization();
    if model.account(org.management_account().as_str()).is_none() {
        unknown_account(
            org.management_account().as_str(),
            "/organization/management_account".to_string(),
            report,
        );
    }
    let policies = org
        .scps()
        .iter()
        .map(|(n, p)| (at("/organization/scps", n.as_str()), p.targets()))
        .chain(
            org.rcps()
                .iter()
                .map(|(n, p)| (at("/organization/rcps", n.as_str()), p.targets())),
        );
    for (base, targets) in policies {
        for (i, target) in targets.iter().enumerate() {
            let path = format!("{base}/targets/{i}");
            match target {
                Target::Root => {}
                Target::Unit(unit) if !ctx.has_unit(unit) => {
                    unknown_unit(unit.as_str(), path, report);
                }
                Target::Account(name) if model.account(name.as_str()).is_none() => {
                    unknown_account(name.as_str(), path, report);
                }
                _ => {}
            }
        }
    }
}

fn accounts(model: &Model, ctx: &Context<'_>, report: &mut Report) {
    let ids: BTreeMap<AccountId, &AccountName> =
        model.accounts().iter().map(|(n, a)| (a.id(), n)).collect();
    for (account_name, account) in model.accounts() {
        let base = account_path(account_name.as_str());
        if let Some(unit) = account.unit()
            && !ctx.has_unit(unit)
        {
            unknown_unit(unit.as_str(), format!("{base}/unit"), report);
        }
        let iam = account.iam();
        let base = format!("{base}/iam");
        for (name, user) in iam.users() {
            let b = at(&format!("{base}/users"), name.as_str());
            for (i, group) in user.groups().iter().enumerate() {
                if !iam.groups().contains_key(group.as_str()) {
                    report.error(
                        "unknown-group",
                        format!("{b}/groups/{i}"),
                        format!("there is no IAM group `{group}` in this account"),
                        "define the group under `iam/groups` of the same account",
                    );
                }
            }
            attachments(iam, user.permissions(), &b, report);
            boundary(iam, user.permissions_boundary(), &b, report);
        }
        for (name, group) in iam.groups() {
            attachments(
                iam,
                group.permissions(),
                &at(&format!("{base}/groups"), name.as_str()),
                report,
            );
        }
        for (name, role) in iam.roles() {
            let b = at(&format!("{base}/roles"), name.as_str());
            attachments(iam, role.permissions(), &b, report);
            boundary(iam, role.permissions_boundary(), &b, report);
            for (suffix, statement) in role
                .trust_policy()
                .document()
                .statement_list()
                .iter_with_pointer()
            {
                if let Some(clause) = statement.principal() {
                    trust_principals(
                        model,
                        &ids,
                        clause,
                        &format!("{b}/trust_policy/Statement{suffix}"),
                        report,
                    );
                }
            }
        }
        for (name, profile) in iam.instance_profiles() {
            if !iam.roles().contains_key(profile.role().as_str()) {
                report.error(
                    "unknown-role",
                    format!("{}/role", at(&format!("{base}/instance_profiles"), name.as_str())),
                    format!("there is no role `{}` in this account", profile.role()),
                    "an instance profile carries a role of the same account; define it under `iam/roles`",
                );
            }
        }
    }
}

fn identity_center(model: &Model, ctx: &Context<'_>, report: &mut Report) {
    let Some(ic) = model.identity_center() else {
        return;
    };
    if model.account(ic.instance_account().as_str()).is_none() {
        unknown_account(
            ic.instance_account().as_str(),
            "/identity_center/instance_account".to_string(),
            report,
        );
    }
    for (name, user) in ic.users() {
        for (i, group) in user.groups.iter().enumerate() {
            if !ic.groups().contains_key(group) {
                report.error(
                    "unknown-group",
                    format!("{}/groups/{i}", at("/identity_center/users", name)),
                    format!("there is no Identity Center group `{group}`"),
                    "define the group under `identity_center/groups`",
                );
            }
        }
    }
    for (name, set) in ic.permission_sets() {
        let base = at("/identity_center/permission_sets", name.as_str());
        for (i, policy) in set.aws_managed_policies().iter().enumerate() {
            unknown_aws_managed(policy, format!("{base}/aws_managed_policies/{i}"), report);
        }
        if let Some(PermissionSetBoundary::Aws(policy)) = set.permissions_boundary() {
            unknown_aws_managed(
                policy,
                format!("{base}/permissions_boundary/aws_managed"),
                report,
            );
        }
    }
    // A customer managed policy named by a permission set must exist in every account the
    // set is provisioned to ("IAM Identity Center: Customer managed policies"); report each
    // (account, permission set, policy) once, at the first assignment that needs it.
    let mut reported: BTreeSet<(&AccountName, &str, String)> = BTreeSet::new();
    let mut expanded: FastSet<(&str, &UnitPath)> = FastSet::default();
    for (i, assignment) in ic.assignments().iter().enumerate() {
        let base = format!("/identity_center/assignments/{i}");
        match assignment.principal() {
            AssignmentPrincipal::Group(g) if !ic.groups().contains_key(g) => report.error(
                "unknown-group",
                format!("{base}/group"),
                format!("there is no Identity Center group `{g}`"),
                "define the group under `identity_center/groups`",
            ),
            AssignmentPrincipal::User(u) if !ic.users().contains_key(u) => report.error(
                "unknown-user",
                format!("{base}/user"),
                format!("there is no Identity Center user `{u}`"),
                "define the user under `identity_center/users`",
            ),
            _ => {}
        }
        let set = ic
            .permission_sets()
            .get(assignment.permission_set().as_str());
        if set.is_none() {
            report.error(
                "unknown-permission-set",
                format!("{base}/permission_set"),
                format!(
                    "there is no permission set `{}`",
                    assignment.permission_set()
                ),
                "define it under `identity_center/permission_sets`",
            );
        }
        if assignment.accounts().is_empty() && assignment.units().is_empty() {
            report.warning(
                "empty-assignment",
                base.clone(),
                "the assignment names no account and no OU, so it gives no access",
                "add `accounts` or `units`, or remove the assignment",
            );
        }
        // Each target account with where the assignment names it (`accounts/<j>` or
        // `units/<j>`); the path is written only for a finding.
        let mut targets: Vec<(&AccountName, &str, usize)> = Vec::new();
        for (j, account) in assignment.accounts().iter().enumerate() {
            if model.account(account.as_str()).is_none() {
                unknown_account(account.as_str(), format!("{base}/accounts/{j}"), report);
            } else {
                targets.push((account, "accounts", j));
            }
        }
        for (j, unit) in assignment.units().iter().enumerate() {
            if !ctx.has_unit(unit) {
                unknown_unit(unit.as_str(), format!("{base}/units/{j}"), report);
            } else if expanded.insert((assignment.permission_set().as_str(), unit)) {
                // A (permission set, OU) seen before reports nothing new: the findings
                // below are once per (account, permission set, policy).
                for account in ctx.accounts_under(unit) {
                    targets.push((account, "units", j));
                }
            }
        }
        let Some(set) = set else { continue };
        let mut needed: Vec<&crate::model::sso::CustomerPolicyRef> =
            set.customer_managed_policies().iter().collect();
        if let Some(PermissionSetBoundary::Customer(r)) = set.permissions_boundary() {
            needed.push(r);
        }
        if needed.is_empty() {
            continue;
        }
        for (account_name, list, j) in targets {
            let Some(account) = model.account(account_name.as_str()) else {
                continue;
            };
            for policy in &needed {
                let found = account
                    .iam()
                    .policies()
                    .get(policy.name.as_str())
                    .is_some_and(|p| p.path() == &policy.path);
                if found {
                    continue;
                }
                let full = format!("{}{}", policy.path, policy.name);
                if reported.insert((
                    account_name,
                    assignment.permission_set().as_str(),
                    full.clone(),
                )) {
                    report.error(
                        "missing-customer-managed-policy",
                        format!("{base}/{list}/{j}"),
                        format!(
                            "permission set `{}` names customer managed policy `{full}`, which account `{account_name}` does not have",
                            assignment.permission_set()
                        ),
                        "IAM Identity Center fails to provision a permission set whose customer managed policies are missing; define the policy with the same name and path under `iam/policies` of every assigned account",
                    );
                }
            }
        }
    }
}

fn assertions(model: &Model, report: &mut Report) {
    let ic = model.identity_center();
    for (i, assertion) in model.assertions().iter().enumerate() {
        let base = format!("/assertions/{i}");
        let account = model.account(assertion.account().as_str());
        if account.is_none() {
            unknown_account(
                assertion.account().as_str(),
                format!("{base}/account"),
                report,
            );
        }
        let exists = match assertion.principal() {
            AssertionPrincipal::Group(g) => ic.is_some_and(|ic| ic.groups().contains_key(g)),
            AssertionPrincipal::User(u) => ic.is_some_and(|ic| ic.users().contains_key(u)),
            AssertionPrincipal::PermissionSet(p) => {
                ic.is_some_and(|ic| ic.permission_sets().contains_key(p.as_str()))
            }
            AssertionPrincipal::Role(r) => {
                account.is_none_or(|a| a.iam().roles().contains_key(r.as_str()))
            }
            AssertionPrincipal::IamUser(u) => {
                account.is_none_or(|a| a.iam().users().contains_key(u.as_str()))
            }
            // Any account outside the model may be named.
            AssertionPrincipal::ExternalAccount(_) => true,
            // The provider may live in another account of the model.
            AssertionPrincipal::Oidc(n) => model
                .accounts()
                .values()
                .any(|a| a.iam().oidc_providers().contains_key(n)),
            AssertionPrincipal::Saml(n) => model
                .accounts()
                .values()
                .any(|a| a.iam().saml_providers().contains_key(n)),
        };
        if !exists {
            report.error(
                "unknown-principal",
                format!("{base}/principal"),
                format!("`{}` does not name an entity of the model", assertion.principal()),
                "Identity Center groups, users and permission sets are looked up under `identity_center`; roles and IAM users in the assertion's account",
            );
        }
        // An assertion on an action that does not exist holds trivially and proves nothing.
        for (list, actions) in [
            ("denied", assertion.denied()),
            ("allowed", assertion.allowed()),
        ] {
            for (j, action) in actions.iter().enumerate() {
                report.extend(crate::validate::catalog::check_action_name(
                    action.as_str(),
                    &format!("{base}/{list}/{j}"),
                ));
            }
        }
    }
}

pub(super) fn check(model: &Model, ctx: &Context<'_>, report: &mut Report) {
    organization(model, ctx, report);
    accounts(model, ctx, report);
    identity_center(model, ctx, report);
    assertions(model, report);
}
