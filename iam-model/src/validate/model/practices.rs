//! The seeds' practices: each finding says why, citing the access guide (seed
//! `002_ad9ce9839d213f3b.txt`, "Best Practices", "Avoid using", "CI/CD and Automation
//! Access", "Environment-Based Access Design") or AWS's "Security best practices in IAM".
//! What the seeds say to avoid is an error (`admin-in-production`, `ci-admin`,
//! `oidc-aud-not-pinned`, `oidc-sub-not-pinned`, `trust-open`,
//! `cross-account-without-external-id`, `pass-role-any-resource`), which a model accepts
//! only with a reasoned `allow_findings` entry; the rest are warnings.
//!
//! Who is who, in one place:
//!
//! - **Admin names**: a group, permission set, role or user whose name, lower-cased with
//!   everything but letters and digits removed, contains `admin`, `emergency` or
//!   `breakglass` (`AWS-Admins`, `AdminAccess`, `AWS-EmergencyAdmins`, `BreakGlassAdmin`).
//!   `AdministratorAccess` is expected only there (`admin-access-outside-admins`).
//! - **Admins**: an admin name, or anything that holds `AdministratorAccess` (or allows `*`
//!   on `*`); admins are exempt from `privilege-escalation` and `management-account-access`.
//! - **Developers**: a group whose normalized name contains `develop`, or whose name has a
//!   word `dev` or `devs` (words split at `-`, `_`, `.`, `@`, spaces and case changes),
//!   or `partner` or `contractor`.
//! - **Machine users**: IAM users tagged `UserType` = `machine` (any case). Other IAM users
//!   are people. **CI principals**: IAM users and roles whose name has a word `ci`, `cd`,
//!   `cicd`, `deploy`, `deployer`, `pipeline`, `github`, `gitlab`, `jenkins`, `circleci`,
//!   `bitbucket` or `build`, and roles trusted through an OIDC provider.
//! - **Write access**: a policy allows an action whose catalogue access level is Write,
//!   Tagging or Permissions management. AWS's read-only job-function policies
//!   (`ReadOnlyAccess`, `ViewOnlyAccess`, `SecurityAudit`, and any AWS managed policy whose
//!   name ends in `ReadOnlyAccess`) count as read-only as a whole.
//! - **Privilege escalation** (`privilege-escalation`, see `escalation.rs`): an IAM user
//!   (with its groups), an IAM role or a permission set that is not an admin and that the
//!   evaluator allows every step of one of the known escalation methods, in its account (for
//!   a permission set, in any account where it is provisioned). IAM users in an admin group
//!   count as admins.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use iam_catalog::{AccessLevel, AwsManagedPolicy, KnownAction};

use crate::eval::model::ModelPrincipal;
use crate::model::Model;
use crate::model::iam::{Iam, Permissions, Role, User};
use crate::model::names::{AccountName, UnitPath};
use crate::model::org::Environment;
use crate::model::sso::{AssignmentPrincipal, IdentityCenter, PermissionSet};
use crate::policy::kind::AwsManaged;
use crate::policy::{
    ActionClause, AwsPrincipal, Effect, FederatedPrincipal, Policy, Principal, PrincipalClause,
    Resource, ResourceClause, Statement,
};
use crate::validate::Report;
use crate::wildcard::matches_ignore_case;

use super::escalation::{self, Candidate};
use super::{Context, account_path, at};

const GUIDE: &str = "seed 002 (AWS access guide)";

/// Actions that read stored data (Cloudsplaining's data-exfiltration actions): allowed on `*`
/// they reach every bucket, secret, key, parameter and table.
const SENSITIVE: [&str; 11] = [
    "s3:GetObject",
    "secretsmanager:GetSecretValue",
    "kms:Decrypt",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "rds-data:ExecuteStatement",
];

/// Billing and cost services: write access to them in the management account is finance's job.
const BILLING_SERVICES: [&str; 12] = [
    "support",
    "aws-portal",
    "billing",
    "ce",
    "cur",
    "budgets",
    "payments",
    "invoicing",
    "tax",
    "purchase-orders",
    "freetier",
    "consolidatedbilling",
];

const CI_WORDS: [&str; 12] = [
    "ci",
    "cd",
    "cicd",
    "deploy",
    "deployer",
    "pipeline",
    "github",
    "gitlab",
    "jenkins",
    "circleci",
    "bitbucket",
    "build",
];

const GENERIC_WORDS: [&str; 28] = [
    "admin",
    "admins",
    "administrator",
    "root",
    "developer",
    "developers",
    "dev",
    "devs",
    "test",
    "tester",
    "testers",
    "qa",
    "operator",
    "ops",
    "finance",
    "billing",
    "auditor",
    "security",
    "readonly",
    "read",
    "only",
    "guest",
    "shared",
    "team",
    "prod",
    "production",
    "staging",
    "sandbox",
];

fn normalized(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The words of a name: split at separators and lower-to-upper case changes, lower-cased.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        word.push(c.to_ascii_lowercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Whether a name is an admin name (see the module docs).
pub(crate) fn is_admin_name(name: &str) -> bool {
    let n = normalized(name);
    n.contains("admin") || n.contains("emergency") || n.contains("breakglass")
}

fn is_developer_name(name: &str) -> bool {
    normalized(name).contains("develop")
        || words(name)
            .iter()
            .any(|w| matches!(w.as_str(), "dev" | "devs" | "partner" | "contractor"))
}

fn is_ci_name(name: &str) -> bool {
    words(name).iter().any(|w| CI_WORDS.contains(&w.as_str()))
}

/// A shared or generic name: every word (digits at its end removed) is a role or team word
/// (`developer1`, `team-admin`, `admin`, `test`, `shared-prod`).
fn is_generic_name(name: &str) -> bool {
    let local = name.split('@').next().unwrap_or(name);
    let words: Vec<String> = local
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.trim_end_matches(|c: char| c.is_ascii_digit())
                .to_ascii_lowercase()
        })
        .collect();
    !words.is_empty()
        && words
            .iter()
            .all(|w| w.is_empty() || GENERIC_WORDS.contains(&w.as_str()))
}

fn is_machine_user(user: &User) -> bool {
    user.tags()
        .iter()
        .any(|(k, v)| k == "UserType" && v.eq_ignore_ascii_case("machine"))
}

/// What a set of policies allows, as far as the practices care.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Grants {
    /// Allows `*` on `*` without a condition.
    admin: bool,
    /// Services in which some write-level action is allowed.
    write_services: BTreeSet<&'static str>,
    /// Actions of the escalation methods that some `Allow` statement covers, whatever its
    /// resource and condition (what the evaluator may then allow).
    may: BTreeSet<&'static str>,
    /// Holds `AdministratorAccess`.
    administrator_access: bool,
    /// Holds a policy that denies everything without MFA.
    enforces_mfa: bool,
}

impl Grants {
    fn merge(&mut self, other: &Grants) {
        self.admin |= other.admin;
        self.write_services
            .extend(other.write_services.iter().copied());
        self.may.extend(other.may.iter().copied());
        self.administrator_access |= other.administrator_access;
        self.enforces_mfa |= other.enforces_mfa;
    }

    fn is_admin(&self) -> bool {
        self.admin || self.administrator_access
    }

    fn writes(&self) -> bool {
        !self.write_services.is_empty()
    }

    fn writes_outside_billing(&self) -> bool {
        self.write_services
            .iter()
            .any(|s| !BILLING_SERVICES.contains(s))
    }
}

fn is_write(action: KnownAction) -> bool {
    matches!(
        action.access_level(),
        AccessLevel::Write | AccessLevel::Tagging | AccessLevel::PermissionsManagement
    )
}

fn grants_of(statements: &[Statement], read_only: bool) -> Grants {
    let mut g = Grants::default();
    for s in statements {
        if s.effect() == Effect::Deny {
            if s.condition().is_some_and(|c| {
                c.iter().any(|(_, keys)| {
                    keys.iter()
                        .any(|(k, _)| k.eq_ignore_case("aws:MultiFactorAuthPresent"))
                })
            }) {
                g.enforces_mfa = true;
            }
            continue;
        }
        let unconditioned = s.condition().is_none_or(|c| c.is_empty());
        let resource_any = matches!(
            s.resource(),
            Some(ResourceClause::Resource(v)) if v.iter().any(|r| matches!(r, Resource::Any))
        );
        match s.action() {
            ActionClause::Action(actions) => {
                if unconditioned && resource_any && actions.iter().any(|a| a.as_str() == "*") {
                    g.admin = true;
                }
                if !read_only {
                    for a in actions {
                        if let Some(found) = iam_catalog::expand(a.as_str()).find(|k| is_write(*k))
                        {
                            g.write_services.insert(found.service().prefix());
                            for k in iam_catalog::expand(a.as_str()).filter(|k| is_write(*k)) {
                                g.write_services.insert(k.service().prefix());
                            }
                        }
                    }
                }
                for e in escalation::ACTIONS {
                    if actions.iter().any(|a| matches_ignore_case(a.as_str(), e)) {
                        g.may.insert(e);
                    }
                }
            }
            ActionClause::NotAction(excluded) => {
                let kept = |name: &str| {
                    !excluded
                        .iter()
                        .any(|a| matches_ignore_case(a.as_str(), name))
                };
                if !read_only {
                    for k in KnownAction::all() {
                        if is_write(k)
                            && !g.write_services.contains(k.service().prefix())
                            && kept(&k.full_name())
                        {
                            g.write_services.insert(k.service().prefix());
                        }
                    }
                }
                for e in escalation::ACTIONS {
                    if kept(e) {
                        g.may.insert(e);
                    }
                }
            }
        }
    }
    g
}

fn is_read_only_managed(name: &str) -> bool {
    matches!(name, "ReadOnlyAccess" | "ViewOnlyAccess" | "SecurityAudit")
        || name.ends_with("ReadOnlyAccess")
}

/// Grants of AWS managed policies, computed once per name.
#[derive(Default)]
struct Cache {
    aws: BTreeMap<String, Grants>,
}

impl Cache {
    fn aws(&mut self, name: &str) -> Grants {
        if let Some(g) = self.aws.get(name) {
            return g.clone();
        }
        let mut g = AwsManagedPolicy::from_name(name)
            .and_then(|p| Policy::<AwsManaged>::from_json(p.document_json()).ok())
            .map(|p| grants_of(p.document().statements(), is_read_only_managed(name)))
            .unwrap_or_default();
        g.administrator_access = name == "AdministratorAccess";
        self.aws.insert(name.to_string(), g.clone());
        g
    }

    fn permissions(&mut self, iam: &Iam, p: &Permissions) -> Grants {
        let mut g = Grants::default();
        for name in p.aws_managed_policies() {
            g.merge(&self.aws(name));
        }
        for name in p.customer_managed_policies() {
            if let Some(policy) = iam.policies().get(name.as_str()) {
                g.merge(&grants_of(policy.document().document().statements(), false));
            }
        }
        for policy in p.inline_policies().values() {
            g.merge(&grants_of(policy.document().statements(), false));
        }
        g
    }

    fn permission_set(&mut self, model: &Model, set: &PermissionSet) -> Grants {
        let mut g = Grants::default();
        for name in set.aws_managed_policies() {
            g.merge(&self.aws(name));
        }
        if let Some(policy) = set.inline_policy() {
            g.merge(&grants_of(policy.document().statements(), false));
        }
        // A customer managed policy is looked up by name in the first account that has it.
        for r in set.customer_managed_policies() {
            if let Some(policy) = model
                .accounts()
                .values()
                .find_map(|a| a.iam().policies().get(r.name.as_str()))
            {
                g.merge(&grants_of(policy.document().document().statements(), false));
            }
        }
        g
    }
}

/// `AdministratorAccess` (or `*` on `*`) held by something that is not an admin: an error in a
/// production account (`production` names it), a warning elsewhere.
fn admin_outside(
    report: &mut Report,
    base: &str,
    what: &str,
    name: &str,
    p: &Permissions,
    own: &Grants,
    production: Option<&AccountName>,
) {
    if is_admin_name(name) {
        return;
    }
    if let Some(account) = production {
        let attached: Vec<usize> = p
            .aws_managed_policies()
            .iter()
            .enumerate()
            .filter(|(_, policy)| *policy == "AdministratorAccess")
            .map(|(i, _)| i)
            .collect();
        let paths: Vec<String> = if attached.is_empty() && own.admin {
            vec![base.to_string()]
        } else {
            attached
                .iter()
                .map(|i| format!("{base}/aws_managed_policies/{i}"))
                .collect()
        };
        for path in paths {
            admin_in_production(report, path, what, account);
        }
        return;
    }
    for (i, policy) in p.aws_managed_policies().iter().enumerate() {
        if policy == "AdministratorAccess" {
            report.warning(
                "admin-access-outside-admins",
                format!("{base}/aws_managed_policies/{i}"),
                format!("{what} holds `AdministratorAccess` but is not an admin or break-glass group"),
                format!("the guide gives AdministratorAccess only to the admin and emergency (break-glass) groups and warns against \"AdministratorAccess for everyone\" ({GUIDE}, Role Matrix); grant a scoped policy, or name the holder as an admin (`…Admins`, `…EmergencyAdmins`, `BreakGlassAdmin`)"),
            );
        }
    }
}

fn admin_in_production(report: &mut Report, path: String, what: &str, account: &AccountName) {
    report.error(
        "admin-in-production",
        path,
        format!("{what} has administrator access in production account `{account}` but is not an admin or break-glass group"),
        format!("\"Production: operator/admin access only\" and \"Avoid using: AdministratorAccess for everyone\" ({GUIDE}, Separate environments, Best Practices): grant a scoped policy, or give administrator access only to a group marked as admin or break-glass by its name (`…Admins`, `…EmergencyAdmins`, `BreakGlassAdmin`); to keep it, add an `allow_findings` entry with the reason"),
    );
}

fn users<'m>(
    model: &'m Model,
    cache: &mut Cache,
    candidates: &mut Vec<Candidate<'m>>,
    report: &mut Report,
) {
    for (account_name, account) in model.accounts() {
        let iam = account.iam();
        let base = format!("{}/iam", account_path(account_name.as_str()));
        let production =
            (account.environment() == &Environment::Production).then_some(account_name);
        for (name, user) in iam.users() {
            let b = at(&format!("{base}/users"), name.as_str());
            let p = user.permissions();
            if !p.inline_policies().is_empty() || p.managed_policy_count() > 0 {
                report.warning(
                    "user-direct-policy",
                    b.clone(),
                    format!("IAM user `{name}` has policies attached directly"),
                    format!("attach policies to a group and add the user to it: User → Group → Policy, not User → Policy ({GUIDE}, \"Avoid attaching policies directly to users\"; AWS best practice: use groups)"),
                );
            }
            let ci = is_ci_name(name.as_str());
            if ci {
                report.warning(
                    "ci-iam-user",
                    b.clone(),
                    format!("IAM user `{name}` looks like a CI/CD identity"),
                    format!("CI/CD should assume an IAM role with short-lived credentials (for GitHub Actions, an OIDC role), not use an IAM user's long-term access key ({GUIDE}, CI/CD and Automation Access: \"Bad model\")"),
                );
            } else if user.programmatic_access() && !is_machine_user(user) {
                report.warning(
                    "human-access-key",
                    format!("{b}/programmatic_access"),
                    format!("IAM user `{name}` is a person with long-term access keys"),
                    format!("people should use IAM Identity Center (`aws configure sso`) or assume a role, not long-term keys ({GUIDE}, \"Avoid … Long-term access keys for humans\"); if this user is a machine, tag it `UserType` = `machine`"),
                );
            }
            if is_generic_name(name.as_str()) {
                report.warning(
                    "shared-user-name",
                    b.clone(),
                    format!("IAM user name `{name}` is generic or shared"),
                    format!("use one named identity per person (`john`, `dev-john`), never shared ones like `developer1` or `team-admin` ({GUIDE}, Best Practices 7: avoid shared accounts)"),
                );
            }
            let mut g = cache.permissions(iam, p);
            for group in user.groups() {
                if let Some(grp) = iam.groups().get(group.as_str()) {
                    g.merge(&cache.permissions(iam, grp.permissions()));
                }
            }
            if user.console_access() && !g.enforces_mfa {
                report.warning(
                    "console-user-without-mfa",
                    format!("{b}/console_access"),
                    format!("IAM user `{name}` can sign in to the console without MFA being enforced"),
                    format!("attach the MFA enforcement policy (`iam_model::model::patterns::mfa_enforcement_policy`, AWS's \"manage own credentials with MFA\" example) to the user's groups ({GUIDE}, MFA and Password Policy)"),
                );
            }
            if ci && g.is_admin() {
                report.error(
                    "ci-admin",
                    b.clone(),
                    format!("CI/CD identity `{name}` has administrator access"),
                    format!("give a pipeline a scoped deployment policy; \"CI/CD server → long-term key → AdministratorAccess\" is the guide's bad model ({GUIDE})"),
                );
            }
            let in_admin_group = user.groups().iter().any(|g| is_admin_name(g.as_str()));
            if !is_admin_name(name.as_str()) && !in_admin_group && !g.is_admin() {
                candidates.push(Candidate {
                    path: b.clone(),
                    what: format!("IAM user `{name}` in `{account_name}`"),
                    principal: ModelPrincipal::IamUser {
                        account: Some(account_name.to_string()),
                        name: name.to_string(),
                    },
                    accounts: vec![account_name],
                    may: g.may.clone(),
                });
            }
            if !ci || !g.is_admin() {
                let own = cache.permissions(iam, p);
                admin_outside(
                    report,
                    &b,
                    &format!("IAM user `{name}`"),
                    name.as_str(),
                    p,
                    &own,
                    production,
                );
            }
        }
        for (name, group) in iam.groups() {
            let b = at(&format!("{base}/groups"), name.as_str());
            let g = cache.permissions(iam, group.permissions());
            admin_outside(
                report,
                &b,
                &format!("IAM group `{name}`"),
                name.as_str(),
                group.permissions(),
                &g,
                production,
            );
            if account.environment() == &Environment::Production
                && is_developer_name(name.as_str())
                && !g.is_admin()
                && g.writes()
            {
                report.warning(
                    "developer-production-write",
                    b,
                    format!("developer group `{name}` can change resources in production account `{account_name}`"),
                    format!("the guide keeps developers out of production (\"Production: operator/admin access only\", {GUIDE}, Separate environments); give them read-only access there, or deploy through a pipeline role"),
                );
            }
        }
    }
}

fn trusts_oidc(role: &Role) -> bool {
    role.trust_policy().document().statements().iter().any(|s| {
        matches!(s.principal(), Some(PrincipalClause::Principal(Principal::Typed(m)))
            if m.federated.as_ref().is_some_and(|f| f.iter().any(|p| matches!(p, FederatedPrincipal::Arn(a) if a.resource().starts_with("oidc-provider/")))))
    })
}

fn has_key(s: &Statement, key: &str) -> bool {
    s.condition().is_some_and(|c| {
        c.iter()
            .any(|(_, keys)| keys.iter().any(|(k, _)| k.eq_ignore_case(key)))
    })
}

fn roles<'m>(
    model: &'m Model,
    cache: &mut Cache,
    candidates: &mut Vec<Candidate<'m>>,
    report: &mut Report,
) {
    let model_accounts: BTreeSet<_> = model.accounts().values().map(|a| a.id()).collect();
    let management = model
        .account(model.organization().management_account().as_str())
        .map(|a| a.id());
    for (account_name, account) in model.accounts() {
        let iam = account.iam();
        let base = format!("{}/iam", account_path(account_name.as_str()));
        for (name, role) in iam.roles() {
            let b = at(&format!("{base}/roles"), name.as_str());
            let g = cache.permissions(iam, role.permissions());
            let ci = is_ci_name(name.as_str()) || trusts_oidc(role);
            if ci && g.is_admin() {
                report.error(
                    "ci-admin",
                    b.clone(),
                    format!("CI/CD role `{name}` has administrator access"),
                    format!("a pipeline role gets a scoped deployment policy per environment; the guide says \"AdministratorAccess: Avoid\" for CI/CD ({GUIDE}, CI/CD role recommendations)"),
                );
            } else {
                admin_outside(
                    report,
                    &b,
                    &format!("role `{name}`"),
                    name.as_str(),
                    role.permissions(),
                    &g,
                    None,
                );
            }
            if !is_admin_name(name.as_str()) && !g.is_admin() {
                candidates.push(Candidate {
                    path: b.clone(),
                    what: format!("role `{name}` in `{account_name}`"),
                    principal: ModelPrincipal::IamRole {
                        account: Some(account_name.to_string()),
                        name: name.to_string(),
                    },
                    accounts: vec![account_name],
                    may: g.may.clone(),
                });
            }
            for (suffix, s) in role
                .trust_policy()
                .document()
                .statement_list()
                .iter_with_pointer()
            {
                if s.effect() != Effect::Allow {
                    continue;
                }
                let path = format!("{b}/trust_policy/Statement{suffix}");
                let conditioned = s.condition().is_some_and(|c| !c.is_empty());
                // Only these keys narrow "anyone" to principals of one organization or account.
                let narrowed =
                    has_key(s, "aws:PrincipalOrgID") || has_key(s, "aws:PrincipalAccount");
                let Some(PrincipalClause::Principal(principal)) = s.principal() else {
                    continue;
                };
                let map = match principal {
                    Principal::Any => {
                        if !narrowed {
                            report.error(
                                "trust-open",
                                format!("{path}/Principal"),
                                format!("role `{name}` can be assumed by anyone (`\"Principal\": \"*\"`) in any account"),
                                "name the accounts, roles or services that may assume the role, or narrow it to your organization or an account with an `aws:PrincipalOrgID` or `aws:PrincipalAccount` condition; other conditions still let principals of every AWS account in (AWS best practice: verify public and cross-account access)",
                            );
                        }
                        continue;
                    }
                    Principal::Typed(map) => map,
                };
                if let Some(aws) = &map.aws {
                    for (p_suffix, p) in aws.iter_with_pointer() {
                        let p_path = format!("{path}/Principal/AWS{p_suffix}");
                        let (id, root) = match p {
                            AwsPrincipal::Any => {
                                if !narrowed {
                                    report.error(
                                        "trust-open",
                                        p_path,
                                        format!("role `{name}` can be assumed by any AWS principal (`\"AWS\": \"*\"`) in any account"),
                                        "name the accounts or roles that may assume the role, or narrow it with an `aws:PrincipalOrgID` or `aws:PrincipalAccount` condition; other conditions still let principals of every AWS account in (AWS best practice: verify public and cross-account access)",
                                    );
                                }
                                continue;
                            }
                            AwsPrincipal::Account(id) => (Some(*id), true),
                            AwsPrincipal::Arn(arn) => (arn.account_id(), arn.resource() == "root"),
                        };
                        let Some(id) = id else { continue };
                        if !model_accounts.contains(&id) {
                            if !has_key(s, "sts:ExternalId") {
                                report.error(
                                    "cross-account-without-external-id",
                                    p_path,
                                    format!("role `{name}` trusts account `{}` outside the organization without an `sts:ExternalId` condition", id.as_str()),
                                    "a third party's role needs an ExternalId to prevent the confused-deputy problem (seed 003; IAM User Guide \"Access to AWS accounts owned by third parties\"); build it with `iam_model::model::patterns::ThirdPartyRole`",
                                );
                            }
                        } else if root && !conditioned && Some(id) != management {
                            report.warning(
                                "trust-whole-account",
                                p_path,
                                format!("role `{name}` trusts every principal of account `{}` without a condition", id.as_str()),
                                "trusting an account root lets any of its users and roles with `sts:AssumeRole` permission assume the role; name the role that should, or add a condition (MFA, `aws:PrincipalArn`); the management account root is exempt (AWS Organizations' OrganizationAccountAccessRole)",
                            );
                        }
                    }
                }
                let oidc = map.federated.as_ref().is_some_and(|f| {
                    f.iter().any(|p| matches!(p, FederatedPrincipal::Arn(a) if a.resource().starts_with("oidc-provider/")))
                });
                if oidc {
                    oidc_sub(s, &path, name.as_str(), report);
                }
            }
        }
    }
}

/// Whether the statement compares the provider's `aud` key with `StringEquals` to values
/// without wildcards.
fn aud_pinned(s: &Statement) -> bool {
    s.condition().is_some_and(|c| {
        c.iter().any(|(op, keys)| {
            matches!(
                op.operator(),
                crate::policy::Operator::StringEquals
                    | crate::policy::Operator::StringEqualsIgnoreCase
            ) && !op.if_exists()
                && keys.iter().any(|(key, values)| {
                    key.as_str().to_ascii_lowercase().ends_with(":aud")
                        && values.iter().all(|v| !v.as_text().contains(['*', '?']))
                })
        })
    })
}

/// The OIDC `sub` condition: present, and without a wildcard under `StringEquals` (which
/// compares literally) or in the repository part under `StringLike`.
fn oidc_sub(s: &Statement, path: &str, role: &str, report: &mut Report) {
    let mut pinned = false;
    if let Some(c) = s.condition() {
        for (op, keys) in c.iter() {
            for (key, values) in keys.iter() {
                if !key.as_str().to_ascii_lowercase().ends_with(":sub") {
                    continue;
                }
                let op_name = op.operator();
                let key_path = format!(
                    "{path}/Condition/{op}/{}",
                    crate::json::pointer_token(key.as_str())
                );
                use crate::policy::Operator;
                match op_name {
                    Operator::StringEquals | Operator::StringEqualsIgnoreCase => {
                        if values.iter().any(|v| v.as_text().contains(['*', '?'])) {
                            report.warning(
                                "oidc-sub-wildcard-equals",
                                key_path,
                                format!("role `{role}` compares `{key}` with a wildcard under `{op}`, which matches it literally"),
                                "`StringEquals` does not expand `*`; pin the exact subject (`repo:OWNER/REPO:ref:refs/heads/main`), or use `StringLike` deliberately; build the role with `iam_model::model::patterns::GithubDeployRole`",
                            );
                        }
                        pinned = true;
                    }
                    Operator::StringLike => {
                        // `repo:OWNER/NAME:…` pins the repository; a wildcard before the
                        // third `:` opens it to other repositories.
                        let open = values.iter().any(|v| {
                            let text = v.as_text();
                            let repo: String =
                                text.splitn(3, ':').take(2).collect::<Vec<_>>().join(":");
                            repo.contains(['*', '?']) || !text.contains(':')
                        });
                        if !open {
                            pinned = true;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    if !aud_pinned(s) {
        report.error(
            "oidc-aud-not-pinned",
            if s.condition().is_some() {
                format!("{path}/Condition")
            } else {
                path.to_string()
            },
            format!("role `{role}` trusts an OIDC provider without pinning `aud`"),
            "without an `aud` condition, tokens the provider issued for any other audience are accepted; pin `token.actions.githubusercontent.com:aud` to `sts.amazonaws.com` with `StringEquals` (IAM User Guide, \"Configuring a role for GitHub OIDC identity provider\"); build the role with `iam_model::model::patterns::GithubDeployRole`",
        );
    }
    if !pinned {
        report.error(
            "oidc-sub-not-pinned",
            format!("{path}/Condition"),
            format!("role `{role}` trusts an OIDC provider without pinning `sub` to one repository"),
            "without a pinned `sub`, any repository (or any workflow of the provider) can assume the role; pin `token.actions.githubusercontent.com:sub` to `repo:OWNER/REPO:ref:refs/heads/BRANCH` or `…:environment:NAME` with `StringEquals` (GitHub and AWS guidance on OIDC trust); build it with `iam_model::model::patterns::GithubDeployRole`",
        );
    }
}

fn identity_center<'a>(
    model: &'a Model,
    ic: &'a IdentityCenter,
    ctx: &'a Context<'a>,
    cache: &mut Cache,
    candidates: &mut Vec<Candidate<'a>>,
    report: &mut Report,
) {
    let grants: BTreeMap<&str, Grants> = ic
        .permission_sets()
        .iter()
        .map(|(n, s)| (n.as_str(), cache.permission_set(model, s)))
        .collect();
    for (name, set) in ic.permission_sets() {
        let b = at("/identity_center/permission_sets", name.as_str());
        if !is_admin_name(name.as_str()) {
            for (i, policy) in set.aws_managed_policies().iter().enumerate() {
                if policy == "AdministratorAccess" {
                    report.warning(
                        "admin-access-outside-admins",
                        format!("{b}/aws_managed_policies/{i}"),
                        format!("permission set `{name}` holds `AdministratorAccess` but is not an admin or break-glass permission set"),
                        format!("the guide gives AdministratorAccess only to `AdminAccess` and the emergency permission set ({GUIDE}, Role Matrix); grant a scoped policy or name it as an admin set"),
                    );
                }
            }
            if let Some(g) = grants.get(name.as_str()).filter(|g| !g.is_admin()) {
                candidates.push(Candidate {
                    path: b.clone(),
                    what: format!("permission set `{name}`"),
                    principal: ModelPrincipal::PermissionSet(name.to_string()),
                    accounts: model.accounts().keys().collect(),
                    may: g.may.clone(),
                });
            }
        }
    }
    // Sessions: an admin session must not outlast a developer (or any non-admin) session.
    let shortest_other = ic
        .permission_sets()
        .iter()
        .filter(|(n, _)| !is_admin_name(n.as_str()))
        .filter(|(n, _)| is_developer_name(n.as_str()))
        .map(|(_, s)| s.session_duration())
        .min();
    if let Some(dev) = shortest_other {
        for (name, set) in ic.permission_sets() {
            if is_admin_name(name.as_str()) && set.session_duration() > dev {
                report.warning(
                    "admin-session-longer",
                    format!("{}/session_duration", at("/identity_center/permission_sets", name.as_str())),
                    format!("admin permission set `{name}` lasts {}, longer than the developer sessions ({dev})", set.session_duration()),
                    format!("\"Keep admin session duration shorter than developer session duration\" ({GUIDE}, Safety rules): admin credentials are the most valuable; use 1 hour"),
                );
            }
        }
    }
    let management = model.organization().management_account();
    // The accounts of a target that trigger each warning: the first one, by name. Computed
    // once per (principal, permission set, OU): assignments repeat OU targets.
    let mut by_unit: HashMap<(&AssignmentPrincipal, &str, &UnitPath), Triggers<'a>> =
        HashMap::new();
    // Names repeat across assignments; classify each once.
    let mut admin_names: HashMap<&str, bool> = HashMap::new();
    for (i, a) in ic.assignments().iter().enumerate() {
        let set_name = a.permission_set().as_str();
        let Some(g) = grants.get(set_name) else {
            continue;
        };
        let principal_name = match a.principal() {
            AssignmentPrincipal::Group(n) | AssignmentPrincipal::User(n) => n.as_str(),
        };
        let mut admin_name = |name: &'a str| {
            *admin_names
                .entry(name)
                .or_insert_with(|| is_admin_name(name))
        };
        let principal_admin = admin_name(principal_name);
        let admin = admin_name(set_name) || principal_admin || g.is_admin();
        let triggers = |accounts: &mut dyn Iterator<Item = &'a AccountName>| {
            let mut t = Triggers::default();
            for acc in accounts {
                let Some(account) = model.account(acc.as_str()) else {
                    continue;
                };
                if acc == management && !admin && g.writes_outside_billing() {
                    t.management = true;
                }
                if t.admin_production.is_none()
                    && account.environment() == &Environment::Production
                    && g.is_admin()
                    && !principal_admin
                {
                    t.admin_production = Some(acc);
                }
                if t.production.is_none()
                    && account.environment() == &Environment::Production
                    && matches!(a.principal(), AssignmentPrincipal::Group(n) if is_developer_name(n))
                    && !admin
                    && g.writes()
                {
                    t.production = Some(acc);
                }
            }
            t
        };
        // Each target's pointer is written only when it has a finding: most have none.
        let mut targets: Vec<(&str, usize, Triggers<'a>)> = Vec::new();
        for (j, acc) in a.accounts().iter().enumerate() {
            targets.push(("accounts", j, triggers(&mut std::iter::once(acc))));
        }
        for (j, unit) in a.units().iter().enumerate() {
            let t = *by_unit
                .entry((a.principal(), set_name, unit))
                .or_insert_with(|| triggers(&mut ctx.accounts_under(unit).iter().copied()));
            targets.push(("units", j, t));
        }
        for (kind, j, t) in targets {
            if !t.management && t.admin_production.is_none() && t.production.is_none() {
                continue;
            }
            let path = format!("/identity_center/assignments/{i}/{kind}/{j}");
            if t.management {
                report.warning(
                    "management-account-access",
                    path.clone(),
                    format!("permission set `{set_name}` lets {} change resources in the management account", a.principal()),
                    format!("keep the management account for administration and billing: \"Developers should not need normal access to the management account\" ({GUIDE}, Sandbox setup); assign read-only, audit or billing sets there, and work in member accounts"),
                );
            }
            if let Some(acc) = t.admin_production {
                admin_in_production(
                    report,
                    path.clone(),
                    &format!("{} (through `{set_name}`)", a.principal()),
                    acc,
                );
            }
            if let Some(acc) = t.production {
                report.warning(
                    "developer-production-write",
                    path,
                    format!("{} gets write access in production account `{acc}` through `{set_name}`", a.principal()),
                    format!("the guide keeps developers out of production (\"Production: operator/admin access only\", {GUIDE}, Separate environments); assign a read-only set there, or deploy through a pipeline role"),
                );
            }
        }
    }
    for name in ic.users().keys() {
        if is_generic_name(name) {
            report.warning(
                "shared-user-name",
                at("/identity_center/users", name),
                format!("Identity Center user name `{name}` is generic or shared"),
                format!("use one named identity per person (`john@example.com`), never shared ones like `admin@…` or `developer1` ({GUIDE}, Best Practices 7: avoid shared accounts)"),
            );
        }
    }
}

fn budgets(model: &Model, report: &mut Report) {
    for (name, account) in model.accounts() {
        if account.environment() == &Environment::Sandbox && account.budget().is_none() {
            report.warning(
                "sandbox-without-budget",
                account_path(name.as_str()),
                format!("sandbox account `{name}` has no budget"),
                format!("\"Set cost controls before giving broad sandbox access\": create an AWS Budget with email alerts for the sandbox account ({GUIDE}, Sandbox cost controls)"),
            );
        }
    }
}

/// The accounts of an assignment target that trigger the assignment warnings.
#[derive(Debug, Clone, Copy, Default)]
struct Triggers<'a> {
    /// The management account is reached by a non-admin set that writes.
    management: bool,
    /// A production account where a developer group gets write access.
    production: Option<&'a AccountName>,
    /// A production account where a principal that is not an admin gets administrator access.
    admin_production: Option<&'a AccountName>,
}

/// In a policy the model writes (outside the inline policies of admins), unconditioned
/// `Allow` on `*`: `iam:PassRole` (or an `iam:` pattern covering it) is an error, a sensitive
/// data action a warning.
fn pass_role_on_any(
    statements: &crate::json::OneOrMany<Statement>,
    base: &str,
    report: &mut Report,
) {
    for (suffix, s) in statements.iter_with_pointer() {
        if s.effect() != Effect::Allow || s.condition().is_some_and(|c| !c.is_empty()) {
            continue;
        }
        let any = matches!(s.resource(), Some(ResourceClause::Resource(v)) if v.iter().any(|r| matches!(r, Resource::Any)));
        let ActionClause::Action(actions) = s.action() else {
            continue;
        };
        if !any {
            continue;
        }
        for (a_suffix, action) in actions.iter_with_pointer() {
            // `*` and `*:…` are administrator access, reported as such.
            if action.service().is_none_or(|svc| svc.contains(['*', '?'])) {
                continue;
            }
            let sensitive: Vec<String> = SENSITIVE
                .iter()
                .filter(|a| matches_ignore_case(action.as_str(), a))
                .map(|a| format!("`{a}`"))
                .collect();
            if !sensitive.is_empty() {
                report.warning(
                    "sensitive-data-on-any-resource",
                    format!("{base}/Statement{suffix}/Action{a_suffix}"),
                    format!("`{action}` reads data ({}) from every resource (`\"Resource\": \"*\"`)", sensitive.join(", ")),
                    "objects, secrets, keys, parameters and table items of every bucket, secret, key and table of the account, now and later, become readable (Cloudsplaining's data-exfiltration check); name the resources' ARNs",
                );
            }
            let iam = action
                .service()
                .is_some_and(|svc| svc.eq_ignore_ascii_case("iam"));
            if iam && matches_ignore_case(action.as_str(), "iam:PassRole") {
                report.error(
                    "pass-role-any-resource",
                    format!("{base}/Statement{suffix}/Action{a_suffix}"),
                    format!("`{action}` allows `iam:PassRole` on every role (`\"Resource\": \"*\"`)"),
                    format!("passing any role lets the holder hand a service a role with more permissions than its own; the guide allows CI/CD \"Only iam:PassRole if needed\" and \"IAM PassRole for specific execution role\" ({GUIDE}, Role Matrix, CI/CD role recommendations): name the role ARNs, or add an `iam:PassedToService` condition"),
                );
            }
        }
    }
}

fn pass_role(model: &Model, report: &mut Report) {
    let inline = |p: &Permissions, b: &str, report: &mut Report| {
        for (n, policy) in p.inline_policies() {
            pass_role_on_any(
                policy.document().statement_list(),
                &at(&format!("{b}/inline_policies"), n.as_str()),
                report,
            );
        }
    };
    for (account_name, account) in model.accounts() {
        let iam = account.iam();
        let base = format!("{}/iam", account_path(account_name.as_str()));
        for (name, user) in iam.users() {
            if !is_admin_name(name.as_str()) {
                inline(
                    user.permissions(),
                    &at(&format!("{base}/users"), name.as_str()),
                    report,
                );
            }
        }
        for (name, group) in iam.groups() {
            if !is_admin_name(name.as_str()) {
                inline(
                    group.permissions(),
                    &at(&format!("{base}/groups"), name.as_str()),
                    report,
                );
            }
        }
        for (name, role) in iam.roles() {
            if !is_admin_name(name.as_str()) {
                inline(
                    role.permissions(),
                    &at(&format!("{base}/roles"), name.as_str()),
                    report,
                );
            }
        }
        for (name, policy) in iam.policies() {
            pass_role_on_any(
                policy.document().document().statement_list(),
                &format!(
                    "{}/document",
                    at(&format!("{base}/policies"), name.as_str())
                ),
                report,
            );
        }
    }
    if let Some(ic) = model.identity_center() {
        for (name, set) in ic.permission_sets() {
            if let Some(policy) = set
                .inline_policy()
                .filter(|_| !is_admin_name(name.as_str()))
            {
                pass_role_on_any(
                    policy.document().statement_list(),
                    &format!(
                        "{}/inline_policy",
                        at("/identity_center/permission_sets", name.as_str())
                    ),
                    report,
                );
            }
        }
    }
}

pub(super) fn check(model: &Model, ctx: &Context<'_>, report: &mut Report) {
    let mut cache = Cache::default();
    let mut candidates = Vec::new();
    pass_role(model, report);
    users(model, &mut cache, &mut candidates, report);
    roles(model, &mut cache, &mut candidates, report);
    if let Some(ic) = model.identity_center() {
        identity_center(model, ic, ctx, &mut cache, &mut candidates, report);
    }
    escalation::check(model, &candidates, report);
    budgets(model, report);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_classified_as_documented() {
        for n in [
            "AWS-Admins",
            "AdminAccess",
            "AWS-EmergencyAdmins",
            "BreakGlassAdmin",
            "admin-john",
        ] {
            assert!(is_admin_name(n), "{n}");
        }
        for n in [
            "AWS-Developers",
            "DeveloperAccess",
            "SandboxDeveloperAccess",
            "dev-team",
            "Partner-Developers",
            "BackendDevelopers",
        ] {
            assert!(is_developer_name(n), "{n}");
        }
        for n in ["AWS-Operators", "devops-bot", "Testers"] {
            assert!(!is_developer_name(n), "{n}");
        }
        for n in [
            "developer1",
            "team-admin",
            "admin",
            "test",
            "shared-prod",
            "admin@example.com",
            "qa2",
        ] {
            assert!(is_generic_name(n), "{n}");
        }
        for n in ["dev-john", "admin-john", "alice@example.com", "john"] {
            assert!(!is_generic_name(n), "{n}");
        }
        for n in [
            "ci-deploy",
            "github-actions",
            "GitHubDeploy",
            "jenkins",
            "build-bot",
        ] {
            assert!(is_ci_name(n), "{n}");
        }
        assert!(!is_ci_name("circle"));
        assert_eq!(words("GitHubDeploy-role"), ["git", "hub", "deploy", "role"]);
    }

    #[test]
    fn managed_policies_are_summarized() {
        let mut cache = Cache::default();
        let power = cache.aws("PowerUserAccess");
        assert!(!power.is_admin());
        assert!(power.write_services.contains("ec2"));
        // Only `iam:CreateServiceLinkedRole` and `iam:DeleteServiceLinkedRole`.
        assert!(power.write_services.contains("iam"));
        // `NotAction` `iam:*`: the Lambda, Glue, EC2 and CloudFormation steps, never `iam:PassRole`.
        assert!(
            power.may.contains("lambda:UpdateFunctionCode") && !power.may.contains("iam:PassRole"),
            "{:?}",
            power.may
        );
        let admin = cache.aws("AdministratorAccess");
        assert!(admin.is_admin() && admin.may.len() == escalation::ACTIONS.len());
        let ro = cache.aws("ReadOnlyAccess");
        assert!(!ro.writes() && ro.may.is_empty(), "{:?}", ro.may);
        let billing = cache.aws("Billing");
        assert!(
            billing.writes() && !billing.writes_outside_billing(),
            "{:?}",
            billing.write_services
        );
    }
}
