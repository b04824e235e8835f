//! The `docs` target: `ACCESS.md`, the access report of a model.
//!
//! - the access matrix, account (environment) × role, like the seeds' "example access
//!   design" table, but computed: each cell is what the offline evaluator
//!   ([`iam_model::eval`]) says about a few probe requests (see [`PROBES`]) for the
//!   permission sets a group has in the account, with the account's SCPs;
//! - the same flags for the IAM groups, users and roles of each account;
//! - who has what where: accounts, Identity Center groups, users, permission sets and
//!   assignments (with their AWS CLI profile names from the `aws-config` target), and the
//!   IAM entities per account;
//! - the manual steps no engine can do (root MFA, IAM access to billing, enabling Identity
//!   Center and its identity source, MFA enrollment, IAM users' passwords and keys, the
//!   password policy);
//! - the seeds' verification checklist per role, with the commands to run and the outcome
//!   the evaluator expects.
//!
//! Every model gets the document, also one without Identity Center or IAM users.
//!
//! ```
//! use iam_codegen::emit::{docs, EmitOptions};
//! let model = iam_model::model::Model::from_json(include_str!("../../../tests/models/valid/organization.json"))?;
//! let files = docs::emit(&model, &EmitOptions::default())?;
//! let text = String::from_utf8(files.get("ACCESS.md").unwrap_or_default().to_vec())?;
//! assert!(text.starts_with("# Access to the `management` organization\n"));
//! assert!(text.contains("aws iam list-users --profile dev"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
use std::collections::BTreeMap;

use iam_model::eval::{Decision, OrgLevel, PolicySet, Request, RequestPrincipal, evaluate};
use iam_model::model::iam::{ManagedPolicyRef, Permissions};
use iam_model::model::names::{AccountName, UnitPath};
use iam_model::model::{
    Account, AssignmentPrincipal, Environment, Model, PermissionSet, PermissionSetBoundary,
    Target as OrgTarget,
};
use iam_model::policy::kind::{AwsManaged, Scp};
use iam_model::policy::{Policy, PolicyDocument};
use serde_json::{Value, json};

use crate::emit::aws_config::{self, Profiles};
use crate::emit::{Artifacts, EmitError, EmitOptions};

const TEMPLATE: &str = "docs/ACCESS.md.hbs";

/// A probe request behind one flag of the access matrix. `{account}` and `{region}` in the
/// resource are replaced by the account id and the report's region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// The flag it sets: `read`, `write`, `iam` or `billing`.
    pub flag: &'static str,
    /// The action.
    pub action: &'static str,
    /// The resource.
    pub resource: &'static str,
}

/// The probes of the access matrix: a flag is set when the evaluator allows any of its
/// probes.
pub const PROBES: &[Probe] = &[
    Probe {
        flag: "read",
        action: "ec2:DescribeInstances",
        resource: "*",
    },
    Probe {
        flag: "read",
        action: "s3:ListAllMyBuckets",
        resource: "*",
    },
    Probe {
        flag: "write",
        action: "ec2:TerminateInstances",
        resource: "arn:aws:ec2:{region}:{account}:instance/i-0123456789abcdef0",
    },
    Probe {
        flag: "write",
        action: "s3:PutObject",
        resource: "arn:aws:s3:::iam-codegen-probe/object",
    },
    Probe {
        flag: "iam",
        action: "iam:CreateUser",
        resource: "arn:aws:iam::{account}:user/iam-codegen-probe",
    },
    Probe {
        flag: "iam",
        action: "iam:AttachRolePolicy",
        resource: "arn:aws:iam::{account}:role/iam-codegen-probe",
    },
    Probe {
        flag: "billing",
        action: "aws-portal:ViewBilling",
        resource: "*",
    },
    Probe {
        flag: "billing",
        action: "billing:GetBillingData",
        resource: "*",
    },
    Probe {
        flag: "billing",
        action: "ce:GetCostAndUsage",
        resource: "*",
    },
];

const FLAGS: [&str; 4] = ["read", "write", "iam", "billing"];

/// A command of the verification checklist and the request it makes (`None`: needs no
/// permission).
struct Check {
    command: &'static str,
    action: Option<&'static str>,
}

const CHECKS: &[Check] = &[
    Check {
        command: "aws sts get-caller-identity",
        action: None,
    },
    Check {
        command: "aws ec2 describe-instances",
        action: Some("ec2:DescribeInstances"),
    },
    Check {
        command: "aws s3 ls",
        action: Some("s3:ListAllMyBuckets"),
    },
    Check {
        command: "aws iam list-users",
        action: Some("iam:ListUsers"),
    },
    Check {
        command: "aws budgets describe-budgets --account-id {account}",
        action: Some("budgets:ViewBudget"),
    },
    Check {
        command: "aws organizations describe-organization",
        action: Some("organizations:DescribeOrganization"),
    },
];

/// The region probes and ARNs use when the `aws-config` options give none.
const DEFAULT_REGION: &str = "us-east-1";

/// The policies of model principals, resolved into [`PolicySet`]s for the evaluator:
/// permission sets (AWS managed policies from the catalogue, customer managed policies from
/// the account, the inline policy, the boundary) and IAM users, groups and roles, with the
/// SCPs on the account's path (AWS's `FullAWSAccess` at every level, as long as it stays
/// attached). The management account is not governed by SCPs. RCPs are left out: the probes
/// touch no resource with a resource-based policy.
///
/// This belongs in `iam_model::eval::model` once that exists; it lives here until then.
struct Resolver<'m> {
    model: &'m Model,
    // Permission sets resolved once per (permission set, where it lands): see `place`.
    sets: BTreeMap<(String, String), PolicySet>,
    aws: BTreeMap<String, Option<PolicyDocument>>,
    full_access: Option<PolicyDocument>,
}

impl<'m> Resolver<'m> {
    fn new(model: &'m Model) -> Self {
        let full_access = Policy::<Scp>::from_json(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        )
        .ok()
        .map(Policy::into_document);
        Self {
            model,
            sets: BTreeMap::new(),
            aws: BTreeMap::new(),
            full_access,
        }
    }

    fn aws_managed(&mut self, name: &str) -> Option<PolicyDocument> {
        self.aws
            .entry(name.to_string())
            .or_insert_with(|| {
                iam_catalog::AwsManagedPolicy::from_name(name)
                    .and_then(|p| Policy::<AwsManaged>::from_json(p.document_json()).ok())
                    .map(Policy::into_document)
            })
            .clone()
    }

    fn customer(&self, account: &Account, name: &str) -> Option<PolicyDocument> {
        account
            .iam()
            .policies()
            .get(name)
            .map(|p| p.document().document().clone())
    }

    fn scps(&self, account_name: &str, account: &Account, mut set: PolicySet) -> PolicySet {
        let org = self.model.organization();
        if org.management_account().as_str() == account_name {
            return set;
        }
        let mut targets = vec![("Root".to_string(), OrgTarget::Root)];
        if let Some(unit) = account.unit() {
            let mut path: Option<UnitPath> = None;
            for segment in unit.segments() {
                let next = match &path {
                    Some(p) => p.child(segment),
                    None => UnitPath::top(segment),
                };
                let Ok(next) = next else { break };
                targets.push((next.as_str().to_string(), OrgTarget::Unit(next.clone())));
                path = Some(next);
            }
        }
        if let Ok(name) = account_name.parse::<AccountName>() {
            targets.push((account_name.to_string(), OrgTarget::Account(name)));
        }
        for (level_name, target) in targets {
            let mut level = OrgLevel::new(level_name);
            if let Some(full) = &self.full_access {
                level = level.policy("FullAWSAccess", full.clone());
            }
            for (policy_name, scp) in org.scps() {
                if scp.targets().contains(&target) {
                    level = level.policy(policy_name.as_str(), scp.document().document().clone());
                }
            }
            set = set.scp_level(level);
        }
        set
    }

    /// What decides a permission set's policies in an account besides the set itself: the
    /// account when the set names customer managed policies or an SCP targets the account,
    /// else the OU path (the management account is never governed by SCPs).
    fn place(&self, account_name: &str, account: &Account, ps: &PermissionSet) -> String {
        let org = self.model.organization();
        let account_specific = !ps.customer_managed_policies().is_empty()
            || matches!(
                ps.permissions_boundary(),
                Some(PermissionSetBoundary::Customer(_))
            )
            || org.scps().values().any(|scp| {
                scp.targets()
                    .iter()
                    .any(|t| matches!(t, OrgTarget::Account(a) if a.as_str() == account_name))
            });
        if account_specific || org.management_account().as_str() == account_name {
            format!("account:{account_name}")
        } else {
            account
                .unit()
                .map_or("root".to_string(), |u| format!("unit:{u}"))
        }
    }

    fn permission_set(
        &mut self,
        account_name: &str,
        account: &Account,
        ps_name: &str,
        ps: &PermissionSet,
    ) -> PolicySet {
        let key = (ps_name.to_string(), self.place(account_name, account, ps));
        if let Some(set) = self.sets.get(&key) {
            return set.clone();
        }
        let set = self.resolve_permission_set(account_name, account, ps);
        self.sets.insert(key, set.clone());
        set
    }

    fn resolve_permission_set(
        &mut self,
        account_name: &str,
        account: &Account,
        ps: &PermissionSet,
    ) -> PolicySet {
        let mut set = PolicySet::new();
        for name in ps.aws_managed_policies() {
            if let Some(doc) = self.aws_managed(name) {
                set = set.identity(name, doc);
            }
        }
        for policy in ps.customer_managed_policies() {
            if let Some(doc) = self.customer(account, policy.name.as_str()) {
                set = set.identity(policy.name.as_str(), doc);
            }
        }
        if let Some(inline) = ps.inline_policy() {
            set = set.identity("inline", inline.document().clone());
        }
        let boundary = match ps.permissions_boundary() {
            Some(PermissionSetBoundary::Aws(name)) => self.aws_managed(name),
            Some(PermissionSetBoundary::Customer(policy)) => {
                self.customer(account, policy.name.as_str())
            }
            None => None,
        };
        if let Some(boundary) = boundary {
            set = set.boundary("boundary", boundary);
        }
        self.scps(account_name, account, set)
    }

    fn permissions(
        &mut self,
        account: &Account,
        permissions: &Permissions,
        mut set: PolicySet,
    ) -> PolicySet {
        for name in permissions.aws_managed_policies() {
            if let Some(doc) = self.aws_managed(name) {
                set = set.identity(name, doc);
            }
        }
        for name in permissions.customer_managed_policies() {
            if let Some(doc) = self.customer(account, name.as_str()) {
                set = set.identity(name.as_str(), doc);
            }
        }
        for (name, policy) in permissions.inline_policies() {
            set = set.identity(name.as_str(), policy.document().clone());
        }
        set
    }

    fn boundary(
        &mut self,
        account: &Account,
        boundary: Option<&ManagedPolicyRef>,
        set: PolicySet,
    ) -> PolicySet {
        let doc = match boundary {
            Some(ManagedPolicyRef::Aws(name)) => self.aws_managed(name),
            Some(ManagedPolicyRef::Customer(name)) => self.customer(account, name.as_str()),
            None => None,
        };
        match doc {
            Some(doc) => set.boundary("boundary", doc),
            None => set,
        }
    }
}

/// What the evaluator says about one request: allowed, or denied with the layer that blocked.
fn decide(
    set: &PolicySet,
    principal: &RequestPrincipal,
    account: &Account,
    action: &str,
    resource: &str,
) -> (bool, Option<&'static str>) {
    let request = Request::new(principal.clone(), action, resource).resource_account(account.id());
    let evaluation = evaluate(set, &request);
    let layer = evaluation.blocked_by().map(|l| l.as_str());
    (evaluation.decision() == Decision::Allowed, layer)
}

fn flags(
    set: &PolicySet,
    principal: &RequestPrincipal,
    account: &Account,
    region: &str,
) -> [bool; 4] {
    let mut out = [false; 4];
    for probe in PROBES {
        let resource = probe
            .resource
            .replace("{account}", account.id().as_str())
            .replace("{region}", region);
        if let Some(slot) = FLAGS
            .iter()
            .position(|f| *f == probe.flag)
            .and_then(|i| out.get_mut(i))
            && !*slot
        {
            *slot = decide(set, principal, account, probe.action, &resource).0;
        }
    }
    out
}

fn flag_text(flags: [bool; 4]) -> String {
    let on: Vec<&str> = FLAGS
        .iter()
        .zip(flags)
        .filter(|(_, on)| *on)
        .map(|(f, _)| *f)
        .collect();
    if on.is_empty() {
        "none".to_string()
    } else {
        on.join("/")
    }
}

fn sso_principal(account: &Account, permission_set: &str) -> Option<RequestPrincipal> {
    format!(
        "arn:aws:sts::{}:assumed-role/AWSReservedSSO_{permission_set}_0123456789abcdef/probe",
        account.id()
    )
    .parse()
    .ok()
}

fn checks(
    set: &PolicySet,
    principal: &RequestPrincipal,
    account: &Account,
    profile: &str,
) -> Vec<Value> {
    CHECKS
        .iter()
        .map(|check| {
            let command = format!(
                "{} --profile {profile}",
                check.command.replace("{account}", account.id().as_str())
            );
            let expect = match check.action {
                None => "succeeds".to_string(),
                Some(action) => match decide(set, principal, account, action, "*") {
                    (true, _) => "succeeds".to_string(),
                    (false, Some(layer)) => format!("access denied ({layer})"),
                    (false, None) => "access denied".to_string(),
                },
            };
            json!({"command": command, "expect": expect})
        })
        .collect()
}

fn environment_rank(environment: &Environment) -> usize {
    Environment::KNOWN
        .iter()
        .position(|e| e == environment)
        .unwrap_or(Environment::KNOWN.len())
}

/// The accounts in report order: by environment (the seeds' order: management, security,
/// logging, sandbox, development, testing, staging, production, then custom ones by name),
/// then by name.
fn ordered_accounts(model: &Model) -> Vec<(&AccountName, &Account)> {
    let mut accounts: Vec<(&AccountName, &Account)> = model.accounts().iter().collect();
    accounts.sort_by(|(an, a), (bn, b)| {
        (environment_rank(a.environment()), a.environment(), *an).cmp(&(
            environment_rank(b.environment()),
            b.environment(),
            *bn,
        ))
    });
    accounts
}

fn policy_list(permissions: &Permissions) -> String {
    let mut all: Vec<String> = permissions
        .aws_managed_policies()
        .iter()
        .map(|p| format!("`{p}` (AWS)"))
        .collect();
    all.extend(
        permissions
            .customer_managed_policies()
            .iter()
            .map(|p| format!("`{p}`")),
    );
    all.extend(
        permissions
            .inline_policies()
            .keys()
            .map(|p| format!("`{p}` (inline)")),
    );
    if all.is_empty() {
        "none".to_string()
    } else {
        all.join(", ")
    }
}

fn trusted_principals(role: &iam_model::model::Role) -> String {
    let document: Value =
        serde_json::from_str(&role.trust_policy().to_json_compact()).unwrap_or(Value::Null);
    let statements = match document.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    let who: Vec<String> = statements
        .iter()
        .filter_map(|s| s.get("Principal"))
        .map(compact_principal)
        .collect();
    if who.is_empty() {
        "nobody".to_string()
    } else {
        who.join("; ")
    }
}

fn compact_principal(value: &Value) -> String {
    match value {
        Value::String(s) => format!("`{s}`"),
        Value::Array(items) => items
            .iter()
            .map(compact_principal)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", compact_principal(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// The files of this target, relative to its directory: `ACCESS.md`.
pub fn emit(model: &Model, options: &EmitOptions) -> Result<Artifacts, EmitError> {
    let mut text = options
        .templates
        .render(TEMPLATE, &context(model, options))?;
    // Sections that render empty leave runs of blank lines; one blank line is enough.
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    let mut files = Artifacts::new();
    files.insert("ACCESS.md", text)?;
    Ok(files)
}

#[expect(
    clippy::too_many_lines,
    reason = "one document context, section by section"
)]
fn context(model: &Model, options: &EmitOptions) -> Value {
    let region = options
        .aws_config
        .region_or_sso()
        .unwrap_or(DEFAULT_REGION)
        .to_string();
    let mut resolver = Resolver::new(model);
    let profiles: Profiles = aws_config::profiles(model, &options.aws_config);
    let grants = aws_config::grants(model);
    let accounts = ordered_accounts(model);
    let ic = model.identity_center();

    // Identity Center matrix: one column per group (and per directly assigned user).
    let mut columns: Vec<AssignmentPrincipal> = Vec::new();
    if let Some(ic) = ic {
        columns.extend(
            ic.groups()
                .keys()
                .map(|g| AssignmentPrincipal::Group(g.clone())),
        );
    }
    for grant in &grants {
        if !columns.contains(grant.principal) {
            columns.push(grant.principal.clone());
        }
    }
    // (account, permission set) -> flags and checks, computed once.
    let mut by_pair: BTreeMap<(String, String), ([bool; 4], Vec<Value>)> = BTreeMap::new();
    for grant in &grants {
        let key = (
            grant.account.as_str().to_string(),
            grant.permission_set.as_str().to_string(),
        );
        if by_pair.contains_key(&key) {
            continue;
        }
        let (Some(account), Some(ps)) = (
            model.account(grant.account.as_str()),
            ic.and_then(|ic| ic.permission_sets().get(grant.permission_set)),
        ) else {
            continue;
        };
        let Some(principal) = sso_principal(account, grant.permission_set.as_str()) else {
            continue;
        };
        let set = resolver.permission_set(
            grant.account.as_str(),
            account,
            grant.permission_set.as_str(),
            ps,
        );
        let profile = profiles
            .name_of(grant.account.as_str(), grant.permission_set.as_str())
            .unwrap_or_default();
        by_pair.insert(
            key,
            (
                flags(&set, &principal, account, &region),
                checks(&set, &principal, account, profile),
            ),
        );
    }
    let mut by_cell: BTreeMap<(&AssignmentPrincipal, &str), Vec<&str>> = BTreeMap::new();
    for grant in &grants {
        by_cell
            .entry((grant.principal, grant.account.as_str()))
            .or_default()
            .push(grant.permission_set.as_str());
    }
    let matrix_rows: Vec<Value> = accounts
        .iter()
        .map(|(name, account)| {
            let cells: Vec<String> = columns
                .iter()
                .map(|column| {
                    let mut any = false;
                    let mut union = [false; 4];
                    let sets = by_cell.get(&(column, name.as_str())).map_or(&[][..], Vec::as_slice);
                    for set in sets {
                        if let Some((f, _)) = by_pair.get(&(name.as_str().to_string(), (*set).to_string())) {
                            any = true;
                            for (u, v) in union.iter_mut().zip(f) {
                                *u |= *v;
                            }
                        }
                    }
                    if any { flag_text(union) } else { "—".to_string() }
                })
                .collect();
            json!({"environment": account.environment().as_str(), "account": name.as_str(), "cells": cells})
        })
        .collect();
    let column_names: Vec<String> = columns
        .iter()
        .map(|c| match c {
            AssignmentPrincipal::Group(g) => g.clone(),
            AssignmentPrincipal::User(u) => format!("user {u}"),
        })
        .collect();

    // IAM principals per account.
    let mut iam_rows = Vec::new();
    let mut iam_accounts = Vec::new();
    let mut iam_checks = Vec::new();
    let mut billing_accounts: Vec<String> = Vec::new();
    for (name, account) in &accounts {
        let iam = account.iam();
        for (group_name, group) in iam.groups() {
            let set = resolver.permissions(account, group.permissions(), PolicySet::new());
            let set = resolver.scps(name.as_str(), account, set);
            let principal = format!("arn:aws:iam::{}:user/member-of-{group_name}", account.id())
                .parse::<RequestPrincipal>();
            if let Ok(principal) = principal {
                let f = flags(&set, &principal, account, &region);
                iam_rows.push(json!({"account": name.as_str(), "kind": "group", "name": group_name.as_str(), "flags": flag_text(f)}));
                if f[3] {
                    billing_accounts.push(name.as_str().to_string());
                }
            }
        }
        for (user_name, user) in iam.users() {
            let mut set = resolver.permissions(account, user.permissions(), PolicySet::new());
            for group in user.groups() {
                if let Some(g) = iam.groups().get(group.as_str()) {
                    set = resolver.permissions(account, g.permissions(), set);
                }
            }
            let set = resolver.boundary(account, user.permissions_boundary(), set);
            let set = resolver.scps(name.as_str(), account, set);
            let arn = format!(
                "arn:aws:iam::{}:user{}{user_name}",
                account.id(),
                user.permissions().path().as_str()
            );
            if let Ok(principal) = arn.parse::<RequestPrincipal>() {
                let f = flags(&set, &principal, account, &region);
                iam_rows.push(json!({"account": name.as_str(), "kind": "user", "name": user_name.as_str(), "flags": flag_text(f)}));
                if f[3] {
                    billing_accounts.push(name.as_str().to_string());
                }
                if user.programmatic_access() {
                    iam_checks.push(json!({"user": user_name.as_str(), "account": name.as_str(),
                        "checks": checks(&set, &principal, account, user_name.as_str())}));
                }
            }
        }
        for (role_name, role) in iam.roles() {
            let set = resolver.permissions(account, role.permissions(), PolicySet::new());
            let set = resolver.boundary(account, role.permissions_boundary(), set);
            let set = resolver.scps(name.as_str(), account, set);
            let arn = format!(
                "arn:aws:sts::{}:assumed-role/{role_name}/probe",
                account.id()
            );
            if let Ok(principal) = arn.parse::<RequestPrincipal>() {
                let f = flags(&set, &principal, account, &region);
                iam_rows.push(json!({"account": name.as_str(), "kind": "role", "name": role_name.as_str(), "flags": flag_text(f)}));
                if f[3] {
                    billing_accounts.push(name.as_str().to_string());
                }
            }
        }
        if iam.users().is_empty() && iam.groups().is_empty() && iam.roles().is_empty() {
            continue;
        }
        let users: Vec<Value> = iam.users().iter().map(|(n, u)| json!({
            "name": n.as_str(),
            "groups": if u.groups().is_empty() { "none".to_string() } else { u.groups().iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", ") },
            "console": if u.console_access() { "yes" } else { "no" },
            "programmatic": if u.programmatic_access() { "yes" } else { "no" },
            "policies": policy_list(u.permissions()),
            "is_console": u.console_access(),
            "is_programmatic": u.programmatic_access(),
        })).collect();
        let groups: Vec<Value> = iam
            .groups()
            .iter()
            .map(|(n, g)| json!({"name": n.as_str(), "policies": policy_list(g.permissions())}))
            .collect();
        let roles: Vec<Value> = iam.roles().iter().map(|(n, r)| json!({
            "name": n.as_str(), "trusted": trusted_principals(r), "policies": policy_list(r.permissions()),
            "description": r.description(),
        })).collect();
        iam_accounts.push(json!({
            "name": name.as_str(), "id": account.id().to_string(),
            "users": users, "groups": groups, "roles": roles,
            "has_users": !iam.users().is_empty(),
            "password_policy": iam.account_password_policy().is_some(),
        }));
    }
    for ((account, _), (f, _)) in &by_pair {
        if f[3] {
            billing_accounts.push(account.clone());
        }
    }
    billing_accounts.sort();
    billing_accounts.dedup();

    // Who has what where, and the checklist per role.
    let mut groups = Vec::new();
    let mut checklist = Vec::new();
    if let Some(ic) = ic {
        for column in &columns {
            let (title, members, description) = match column {
                AssignmentPrincipal::Group(g) => {
                    let members: Vec<String> = ic
                        .users()
                        .iter()
                        .filter(|(_, u)| u.groups.contains(g))
                        .map(|(n, u)| format!("{} (`{n}`)", u.display_name))
                        .collect();
                    (
                        g.clone(),
                        members,
                        ic.groups().get(g).and_then(|d| d.description.clone()),
                    )
                }
                AssignmentPrincipal::User(u) => {
                    let shown = ic
                        .users()
                        .get(u)
                        .map_or(u.clone(), |d| format!("{} (`{u}`)", d.display_name));
                    (format!("user {u}"), vec![shown], None)
                }
            };
            let assignments: Vec<Value> = grants
                .iter()
                .filter(|g| g.principal == column)
                .map(|g| {
                    let key = (g.account.as_str().to_string(), g.permission_set.as_str().to_string());
                    let profile = profiles.name_of(g.account.as_str(), g.permission_set.as_str()).unwrap_or_default();
                    let account = model.account(g.account.as_str());
                    json!({
                        "account": g.account.as_str(),
                        "account_id": account.map(|a| a.id().to_string()).unwrap_or_default(),
                        "environment": account.map(|a| a.environment().as_str().to_string()).unwrap_or_default(),
                        "permission_set": g.permission_set.as_str(),
                        "profile": profile,
                        "flags": by_pair.get(&key).map_or("none".to_string(), |(f, _)| flag_text(*f)),
                        "checks": by_pair.get(&key).map_or(Vec::new(), |(_, c)| c.clone()),
                    })
                })
                .collect();
            groups.push(json!({
                "name": title,
                "description": description,
                "members": if members.is_empty() { "nobody".to_string() } else { members.join(", ") },
                "assignments": assignments.clone(),
            }));
            if !assignments.is_empty() {
                checklist.push(json!({"role": title, "assignments": assignments}));
            }
        }
    }
    let users: Vec<Value> = ic.map_or(Vec::new(), |ic| {
        ic.users()
            .iter()
            .map(|(n, u)| json!({"name": n, "display_name": u.display_name, "email": u.email,
                "groups": if u.groups.is_empty() { "none".to_string() } else { u.groups.iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", ") }}))
            .collect()
    });
    let permission_sets: Vec<Value> = ic.map_or(Vec::new(), |ic| {
        ic.permission_sets()
            .iter()
            .map(|(n, ps)| {
                let mut policies: Vec<String> = ps.aws_managed_policies().iter().map(|p| format!("`{p}` (AWS)")).collect();
                policies.extend(ps.customer_managed_policies().iter().map(|p| format!("`{}{}`", p.path.as_str(), p.name)));
                if ps.inline_policy().is_some() {
                    policies.push("inline".to_string());
                }
                let boundary = match ps.permissions_boundary() {
                    Some(PermissionSetBoundary::Aws(b)) => format!("`{b}` (AWS)"),
                    Some(PermissionSetBoundary::Customer(b)) => format!("`{}{}`", b.path.as_str(), b.name),
                    None => "none".to_string(),
                };
                json!({"name": n.as_str(), "description": ps.description(), "session": ps.session_duration().to_string(),
                    "policies": if policies.is_empty() { "none".to_string() } else { policies.join(", ") }, "boundary": boundary})
            })
            .collect()
    });
    let account_rows: Vec<Value> = accounts
        .iter()
        .map(|(n, a)| json!({"name": n.as_str(), "id": a.id().to_string(), "environment": a.environment().as_str(),
            "unit": a.unit().map_or("root".to_string(), |u| u.as_str().to_string()), "email": a.email()}))
        .collect();
    let probes: Vec<Value> = FLAGS
        .iter()
        .map(|flag| {
            let list: Vec<String> = PROBES
                .iter()
                .filter(|p| p.flag == *flag)
                .map(|p| format!("`{}` on `{}`", p.action, p.resource))
                .collect();
            json!({"flag": flag, "probes": list.join(", ")})
        })
        .collect();
    let has_iam_users = model
        .accounts()
        .values()
        .any(|a| !a.iam().users().is_empty());
    json!({
        "organization": model.organization().management_account().as_str(),
        "management_account": model.organization().management_account().as_str(),
        "region": region,
        "accounts": account_rows,
        "identity_center": ic.map(|ic| json!({"instance_account": ic.instance_account().as_str()})),
        "columns": column_names,
        "matrix": matrix_rows,
        "has_matrix": !column_names.is_empty(),
        "probes": probes,
        "iam_rows": iam_rows,
        "groups": groups,
        "users": users,
        "permission_sets": permission_sets,
        "iam_accounts": iam_accounts,
        "billing_accounts": billing_accounts,
        "has_iam_users": has_iam_users,
        "checklist": checklist,
        "iam_checks": iam_checks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn render(text: &str) -> String {
        let model = Model::from_json(text).unwrap();
        let files = emit(&model, &EmitOptions::default()).unwrap();
        String::from_utf8(files.get("ACCESS.md").unwrap().to_vec()).unwrap()
    }

    const SINGLE: &str = r#"{"version": 1, "organization": {"management_account": "main"},
        "accounts": {"main": {"id": "123456789012", "email": "root@example.com", "environment": "development"}},
        "identity_center": {"instance_account": "main",
          "users": {"you@example.com": {"display_name": "You", "given_name": "Y", "family_name": "O",
             "email": "you@example.com", "groups": ["AWS-Admins", "AWS-Developers"]}},
          "groups": {"AWS-Admins": {}, "AWS-Developers": {}},
          "permission_sets": {"AdminAccess": {"aws_managed_policies": ["AdministratorAccess"]},
            "DeveloperAccess": {"session_duration": "PT8H", "aws_managed_policies": ["PowerUserAccess"],
              "inline_policy": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Deny", "Action": ["aws-portal:*", "billing:*", "ce:*"], "Resource": "*"}]}}},
          "assignments": [
            {"group": "AWS-Admins", "permission_set": "AdminAccess", "accounts": ["main"]},
            {"group": "AWS-Developers", "permission_set": "DeveloperAccess", "accounts": ["main"]}]}}"#;

    fn section<'a>(text: &'a str, heading: &str) -> &'a str {
        let start = text.find(heading).unwrap();
        let rest = &text[start..];
        let end = rest[heading.len()..]
            .find("\n## ")
            .map_or(rest.len(), |i| i + heading.len() + 1);
        &rest[..end]
    }

    #[test]
    fn the_single_account_setup_renders_the_seeds_matrix_and_checklist() {
        let text = render(SINGLE);
        assert_eq!(
            section(&text, "## Access matrix"),
            "## Access matrix

What each Identity Center group can do in each account, through every permission set it is
assigned there (`—`: no assignment).

| Environment | Account | AWS-Admins | AWS-Developers |
|---|---|---|---|
| development | `main` | read/write/iam/billing | read/write |

Legend: a flag is set when the evaluator allows any of its probe requests (`none`: no flag;
`{account}` is the account's id, `{region}` the region above).

- **read**: `ec2:DescribeInstances` on `*`, `s3:ListAllMyBuckets` on `*`
- **write**: `ec2:TerminateInstances` on `arn:aws:ec2:{region}:{account}:instance/i-0123456789abcdef0`, `s3:PutObject` on `arn:aws:s3:::iam-codegen-probe/object`
- **iam**: `iam:CreateUser` on `arn:aws:iam::{account}:user/iam-codegen-probe`, `iam:AttachRolePolicy` on `arn:aws:iam::{account}:role/iam-codegen-probe`
- **billing**: `aws-portal:ViewBilling` on `*`, `billing:GetBillingData` on `*`, `ce:GetCostAndUsage` on `*`

"
        );
        assert_eq!(
            section(&text, "### AWS-Developers\n"),
            "### AWS-Developers

`DeveloperAccess` in `main` (development, 123456789012), expected read/write:

```sh
aws sso login --profile dev
aws sts get-caller-identity --profile dev    # expect: succeeds
aws ec2 describe-instances --profile dev    # expect: succeeds
aws s3 ls --profile dev    # expect: succeeds
aws iam list-users --profile dev    # expect: access denied (Identity)
aws budgets describe-budgets --account-id 123456789012 --profile dev    # expect: succeeds
aws organizations describe-organization --profile dev    # expect: succeeds
```
"
        );
        assert!(text.contains(
            "2. **IAM access to billing.** Some principals are allowed billing actions;"
        ));
        assert!(text.contains("5. **IAM users**: the model has none, so no passwords, access keys or password policy to set.\n"));
        assert!(!text.contains("\n\n\n"));
        assert!(text.ends_with("```\n"), "{text}");
    }

    #[test]
    fn a_model_without_identity_center_or_iam_users_gets_a_short_document() {
        let text = render(
            r#"{"version": 1, "organization": {"management_account": "main"},
            "accounts": {"main": {"id": "123456789012", "email": "root@example.com", "environment": "management"}}}"#,
        );
        assert!(text.contains("The model has no Identity Center groups or assignments.\n"));
        assert!(text.contains("The model does not use IAM Identity Center.\n"));
        assert!(text.contains(
            "2. **IAM access to billing.** No principal of the model is allowed billing actions;"
        ));
        assert!(text.contains(
            "3. **IAM Identity Center** is not used by this model: nothing to enable.\n"
        ));
        assert!(!text.contains("### "), "{text}");
    }

    #[test]
    fn iam_only_models_get_the_iam_matrix_and_checks() {
        let text = render(
            r#"{"version": 1, "organization": {"management_account": "main"},
            "accounts": {"main": {"id": "123456789012", "email": "root@example.com", "environment": "management",
              "iam": {"groups": {"Developers": {"aws_managed_policies": ["PowerUserAccess"]},
                                 "Finance": {"aws_managed_policies": ["AWSBillingReadOnlyAccess"]}},
                      "users": {"dev-john": {"groups": ["Developers"], "programmatic_access": true},
                                "fin-kim": {"groups": ["Finance"], "console_access": true}}}}}}"#,
        );
        assert_eq!(
            section(&text, "IAM groups, users and roles"),
            "IAM groups, users and roles of the accounts:

| Account | Kind | Name | Access |
|---|---|---|---|
| `main` | group | `Developers` | read/write/billing |
| `main` | group | `Finance` | billing |
| `main` | user | `dev-john` | read/write/billing |
| `main` | user | `fin-kim` | billing |

Legend: a flag is set when the evaluator allows any of its probe requests (`none`: no flag;
`{account}` is the account's id, `{region}` the region above).

- **read**: `ec2:DescribeInstances` on `*`, `s3:ListAllMyBuckets` on `*`
- **write**: `ec2:TerminateInstances` on `arn:aws:ec2:{region}:{account}:instance/i-0123456789abcdef0`, `s3:PutObject` on `arn:aws:s3:::iam-codegen-probe/object`
- **iam**: `iam:CreateUser` on `arn:aws:iam::{account}:user/iam-codegen-probe`, `iam:AttachRolePolicy` on `arn:aws:iam::{account}:role/iam-codegen-probe`
- **billing**: `aws-portal:ViewBilling` on `*`, `billing:GetBillingData` on `*`, `ce:GetCostAndUsage` on `*`

"
        );
        assert!(
            text.contains("   - [ ] `fin-kim` in `main`: console password, MFA\n"),
            "{text}"
        );
        assert!(text.contains("`main`: the model sets none; set one"));
        assert!(text.contains(
            "aws iam list-users --profile dev-john    # expect: access denied (Identity)\n"
        ));
    }

    #[test]
    fn scps_show_in_the_checklist() {
        let text = render(include_str!(
            "../../../tests/models/valid/organization.json"
        ));
        assert!(text.contains(
            "aws ec2 describe-instances --profile sandbox-dev    # expect: access denied (Scp)\n"
        ));
    }
}
