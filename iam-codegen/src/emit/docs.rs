//! The `docs` target: `ACCESS.md`, the access report of a model.
//!
//! - the access matrix, account (environment) × role, like the seeds' "example access
//!   design" table, but computed: each cell is what the model-level evaluator
//!   ([`iam_model::eval::model`], its [`access matrix`](ModelEvaluator::access_matrix)) says
//!   about its probe requests ([`iam_model::eval::model::PROBES`]) for the permission sets a
//!   group has in the account, with the SCPs and RCPs of the account's OU path;
//! - the same flags for the IAM users (with their groups' policies) and roles of each
//!   account;
//! - who has what where: accounts, Identity Center groups, users, permission sets and
//!   assignments (with their AWS CLI profile names from the `aws-config` target), and the
//!   IAM entities per account;
//! - the manual steps no engine can do (root MFA, IAM access to billing, enabling Identity
//!   Center and its identity source, MFA enrollment, IAM users' passwords and keys, the
//!   password policy);
//! - the seeds' verification checklist per role, with the commands to run and the outcome
//!   the evaluator expects.
//!
//! The region of the probes and checks is the profiles' region (`identity_center.profile_region`,
//! else `identity_center.region`, each overridable in the `aws-config` options; else
//! [`DEFAULT_REGION`], `us-east-1`); requests to global services such as IAM
//! and billing are made in `us-east-1`, as AWS does
//! ([`iam_model::eval::model::requested_region`]). One [`ModelEvaluator`] per document
//! compiles the model's policies once.
//!
//! Every model gets the document, also one without Identity Center or IAM users.
//!
//! Model text is data ([`crate::escape`]): the template writes each value of its context
//! with `{{md x}}` or `{{md_code x}}`; the fields the emitter builds from several values
//! (`cells_text`, `flags`, `probes`, `members`, `groups`, `policies`, `boundary`, `trusted`,
//! `configure`) are already Markdown, and a check's `command` is already shell text.
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
use std::collections::{BTreeMap, BTreeSet, HashMap};

use iam_model::eval::model::{
    AccessPath, DEFAULT_REGION, ModelEvaluator, ModelPrincipal, PROBES, ProbeKind, Query,
    allowed_kinds, requested_region,
};
use iam_model::model::iam::Permissions;
use iam_model::model::names::AccountName;
use iam_model::model::{
    Account, AssignmentPrincipal, Environment, Grant, Model, PermissionSetBoundary,
};
use serde_json::{Value, json};

use crate::emit::aws_config::Profiles;
use crate::emit::{Artifacts, EmitError, EmitOptions, Shared};
use crate::escape::{markdown, markdown_code, shell_word};

mod direct;

const TEMPLATE: &str = "docs/ACCESS.md.hbs";

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

/// The flags of a cell: the kinds of access, `read/write/iam/billing`, or `none`.
fn flag_text(kinds: &[ProbeKind]) -> String {
    if kinds.is_empty() {
        "none".to_string()
    } else {
        kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// The checklist of a principal with these paths in `account`: each command of [`CHECKS`]
/// with what the evaluator expects (`succeeds`, or `access denied` and the layer that
/// blocked it on the first path).
fn checks(
    evaluator: &ModelEvaluator<'_>,
    paths: &[AccessPath<'_>],
    (name, account): (&AccountName, &Account),
    profile: &str,
    region: &str,
) -> Vec<Value> {
    // The checks that make a request, asked together (one request per path, retargeted).
    let queries: Vec<Query> = CHECKS
        .iter()
        .filter_map(|check| check.action)
        .map(|action| {
            Query::new(name.as_str(), action, "*")
                .context("aws:RequestedRegion", requested_region(action, region))
        })
        .collect();
    let mut outcomes = evaluator.evaluate_all(paths, &queries).into_iter();
    CHECKS
        .iter()
        .map(|check| {
            let command = format!(
                "{} --profile {profile}",
                check.command.replace("{account}", account.id().as_str())
            );
            let expect = match check.action.and_then(|_| outcomes.next()) {
                None => "succeeds".to_string(),
                Some(Ok(outcome)) if outcome.decision().is_allowed() => "succeeds".to_string(),
                Some(Ok(outcome)) => match outcome
                    .paths()
                    .first()
                    .and_then(|p| p.evaluation.blocked_by())
                {
                    Some(layer) => format!("access denied ({})", layer.as_str()),
                    None => "access denied".to_string(),
                },
                Some(Err(_)) => "access denied".to_string(),
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
        .map(|p| format!("{} (AWS)", markdown_code(p)))
        .collect();
    all.extend(
        permissions
            .customer_managed_policies()
            .iter()
            .map(|p| markdown_code(p.as_str()).into_owned()),
    );
    all.extend(
        permissions
            .inline_policies()
            .keys()
            .map(|p| format!("{} (inline)", markdown_code(p.as_str()))),
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
        Value::String(s) => markdown_code(s).into_owned(),
        Value::Array(items) => items
            .iter()
            .map(compact_principal)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{}: {}", markdown(k), compact_principal(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// The files of this target, relative to its directory: `ACCESS.md`.
pub fn emit(model: &Model, options: &EmitOptions) -> Result<Artifacts, EmitError> {
    emit_shared(&Shared::new(model, options))
}

/// [`emit`] with what other targets compute too.
pub(crate) fn emit_shared(shared: &Shared<'_>) -> Result<Artifacts, EmitError> {
    let options = shared.options;
    let mut direct = None;
    if options.templates.is_default(TEMPLATE) {
        let (context, checks) = context(shared, false)?;
        direct = direct::access_md(&context, &checks);
    }
    // Anything unusual: the template renders it (from a context built again, with the
    // checks in place).
    let text = match direct {
        Some(text) => text,
        None => options
            .templates
            .render(TEMPLATE, context(shared, true)?.0)?,
    };
    // Sections that render empty leave runs of blank lines; one blank line is enough.
    let text = single_blank_lines(&text);
    let mut files = Artifacts::new();
    files.insert("ACCESS.md", text)?;
    Ok(files)
}

/// `text` with every run of three or more line feeds cut to two, in one pass.
fn single_blank_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\n\n\n") {
        let (before, run) = rest.split_at(at);
        out.push_str(before);
        out.push_str("\n\n");
        rest = run.trim_start_matches('\n');
    }
    out.push_str(rest);
    out
}

#[expect(
    clippy::too_many_lines,
    reason = "one document context, section by section"
)]
/// The template's context, and the checks of the pairs that assignments name by
/// `checks_at` instead of holding a copy (`for_template: false`, for [`direct::access_md`]).
fn context(shared: &Shared<'_>, for_template: bool) -> Result<(Value, Vec<Vec<Value>>), EmitError> {
    let (model, options) = (shared.model, shared.options);
    let sso = options.aws_config.settings(model);
    let region = sso
        .region_of_profiles()
        .map_or(DEFAULT_REGION, |r| r.as_str())
        .to_string();
    let evaluator = ModelEvaluator::new(model);
    let matrix = evaluator.access_matrix(&region);
    let grants = shared.grants();
    let profiles: &Profiles = shared.profiles();
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
    let mut grants_of: BTreeMap<&AssignmentPrincipal, Vec<&Grant<'_>>> = BTreeMap::new();
    for grant in grants {
        grants_of.entry(grant.principal).or_default().push(grant);
    }
    // Then every other assigned principal (users), in the order of the grants.
    let mut seen: BTreeSet<&AssignmentPrincipal> = columns.iter().collect();
    let mut more = Vec::new();
    for grant in grants {
        if seen.insert(grant.principal) {
            more.push(grant.principal.clone());
        }
    }
    columns.extend(more);
    // The matrix's cells: a row per account (report order), a column per principal; IAM
    // rows by account; accounts where some principal sees billing.
    let column_of: HashMap<ModelPrincipal, usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let principal = match c {
                AssignmentPrincipal::Group(g) => ModelPrincipal::Group(g.clone()),
                AssignmentPrincipal::User(u) => ModelPrincipal::User(u.clone()),
            };
            (principal, i)
        })
        .collect();
    let row_of: HashMap<&str, usize> = accounts
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (name.as_str(), i))
        .collect();
    let mut cells: Vec<Vec<Option<String>>> = vec![vec![None; columns.len()]; accounts.len()];
    let mut iam_by_account: BTreeMap<&str, Vec<(&'static str, &str, String)>> = BTreeMap::new();
    let mut billing_accounts: Vec<String> = Vec::new();
    for row in &matrix.rows {
        let kinds = row.kinds();
        if kinds.contains(&ProbeKind::Billing) {
            billing_accounts.push(row.account.as_str().to_string());
        }
        let flags = flag_text(&kinds);
        match &row.principal {
            ModelPrincipal::IamUser { name, .. } => iam_by_account
                .entry(row.account.as_str())
                .or_default()
                .push(("user", name, flags)),
            ModelPrincipal::IamRole { name, .. } => iam_by_account
                .entry(row.account.as_str())
                .or_default()
                .push(("role", name, flags)),
            principal => {
                if let (Some(&c), Some(&r)) =
                    (column_of.get(principal), row_of.get(row.account.as_str()))
                    && let Some(cell) = cells.get_mut(r).and_then(|row| row.get_mut(c))
                {
                    *cell = Some(flags);
                }
            }
        }
    }
    billing_accounts.sort();
    billing_accounts.dedup();
    // Each row's cells joined as the default template writes them (` read | — |`): a
    // 500 × 200 table is 100,000 cells, too many to iterate in the template or to hold as
    // a list of strings.
    let matrix_rows: Vec<Value> = accounts
        .iter()
        .zip(cells)
        .map(|((name, account), row)| {
            let mut text = String::new();
            for cell in row {
                text.push(' ');
                text.push_str(cell.as_deref().unwrap_or("—"));
                text.push_str(" |");
            }
            let mut out = serde_json::Map::new();
            out.insert("environment".into(), account.environment().as_str().into());
            out.insert("account".into(), name.as_str().into());
            out.insert("cells_text".into(), text.into());
            Value::Object(out)
        })
        .collect();
    let column_names: Vec<String> = columns
        .iter()
        .map(|c| match c {
            AssignmentPrincipal::Group(g) => g.clone(),
            AssignmentPrincipal::User(u) => format!("user {u}"),
        })
        .collect();

    // (account, permission set) -> flags and checks, computed once.
    // The checks are held once per pair; the template gets a copy in each assignment.
    let mut by_pair: BTreeMap<(&str, &str), (String, usize)> = BTreeMap::new();
    let mut pair_checks: Vec<Vec<Value>> = Vec::new();
    for grant in grants {
        let key = (grant.account.as_str(), grant.permission_set.as_str());
        if by_pair.contains_key(&key) {
            continue;
        }
        let Some(account) = model.account(grant.account.as_str()) else {
            continue;
        };
        let principal = ModelPrincipal::PermissionSet(grant.permission_set.as_str().to_string());
        let Ok(paths) = evaluator.paths(&principal, grant.account.as_str()) else {
            continue;
        };
        // The matrix has probed every permission set where it is assigned.
        let flags = matrix
            .permission_set(grant.account.as_str(), grant.permission_set.as_str())
            .map_or_else(Vec::new, |d| allowed_kinds(d.iter().copied()));
        let profile = profiles
            .name_of(grant.account.as_str(), grant.permission_set.as_str())
            .unwrap_or_default();
        by_pair.insert(key, (flag_text(&flags), pair_checks.len()));
        pair_checks.push(checks(
            &evaluator,
            &paths,
            (grant.account, account),
            profile,
            &region,
        ));
    }

    // IAM principals per account.
    let mut iam_rows = Vec::new();
    let mut iam_accounts = Vec::new();
    let mut iam_checks = Vec::new();
    for (name, account) in &accounts {
        let iam = account.iam();
        // Users, then roles, by name.
        let mut rows = iam_by_account.remove(name.as_str()).unwrap_or_default();
        rows.sort_by(|a, b| (a.0 != "user", a.1).cmp(&(b.0 != "user", b.1)));
        for (kind, entity, flags) in rows {
            iam_rows.push(
                json!({"account": name.as_str(), "kind": kind, "name": entity, "flags": flags}),
            );
        }
        for (user_name, user) in iam.users() {
            if !user.programmatic_access() {
                continue;
            }
            let principal = ModelPrincipal::IamUser {
                account: Some(name.as_str().to_string()),
                name: user_name.as_str().to_string(),
            };
            if let Ok(paths) = evaluator.paths(&principal, name.as_str()) {
                iam_checks.push(json!({"user": user_name.as_str(), "account": name.as_str(),
                    "configure": markdown_code(&format!("aws configure --profile {}", shell_word(user_name.as_str())?)),
                    "checks": checks(&evaluator, &paths, (name, account), user_name.as_str(), &region)}));
            }
        }
        if iam.users().is_empty() && iam.groups().is_empty() && iam.roles().is_empty() {
            continue;
        }
        let users: Vec<Value> = iam.users().iter().map(|(n, u)| json!({
            "name": n.as_str(),
            "groups": if u.groups().is_empty() { "none".to_string() } else { u.groups().iter().map(|g| markdown_code(g.as_str()).into_owned()).collect::<Vec<_>>().join(", ") },
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

    // Who has what where, and the checklist per role.
    let mut groups = Vec::new();
    if let Some(ic) = ic {
        let mut members_of: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (n, u) in ic.users() {
            for g in &u.groups {
                members_of.entry(g.as_str()).or_default().push(format!(
                    "{} ({})",
                    markdown(&u.display_name),
                    markdown_code(n)
                ));
            }
        }
        for column in &columns {
            let (title, members, description) = match column {
                AssignmentPrincipal::Group(g) => {
                    let members = members_of.remove(g.as_str()).unwrap_or_default();
                    (
                        g.clone(),
                        members,
                        ic.groups().get(g).and_then(|d| d.description.clone()),
                    )
                }
                AssignmentPrincipal::User(u) => {
                    let shown = ic.users().get(u).map_or_else(
                        || markdown_code(u).into_owned(),
                        |d| format!("{} ({})", markdown(&d.display_name), markdown_code(u)),
                    );
                    (format!("user {u}"), vec![shown], None)
                }
            };
            let assignments: Vec<Value> = grants_of
                .get(column)
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .map(|g| {
                    let key = (g.account.as_str(), g.permission_set.as_str());
                    let profile = profiles.name_of(g.account.as_str(), g.permission_set.as_str()).unwrap_or_default();
                    let account = model.account(g.account.as_str());
                    let mut out = json!({
                        "account": g.account.as_str(),
                        "account_id": account.map(|a| a.id().to_string()).unwrap_or_default(),
                        "environment": account.map(|a| a.environment().as_str().to_string()).unwrap_or_default(),
                        "permission_set": g.permission_set.as_str(),
                        "profile": profile,
                        "flags": by_pair.get(&key).map_or("none", |(f, _)| f.as_str()),
                    });
                    let at = by_pair.get(&key).map(|(_, at)| *at);
                    if let Value::Object(fields) = &mut out {
                        match at {
                            Some(at) if !for_template => {
                                fields.insert("checks_at".into(), at.into());
                            }
                            _ => {
                                let checks = at.and_then(|at| pair_checks.get(at)).cloned().unwrap_or_default();
                                fields.insert("checks".into(), checks.into());
                            }
                        }
                    }
                    out
                })
                .collect();
            let mut group = serde_json::Map::new();
            group.insert("name".into(), title.into());
            group.insert("description".into(), description.into());
            group.insert(
                "members".into(),
                if members.is_empty() {
                    "nobody".to_string()
                } else {
                    members.join(", ")
                }
                .into(),
            );
            // The checklist section lists the groups with assignments again: the template
            // walks `groups` twice rather than the context holding every assignment twice.
            group.insert("assignments".into(), assignments.into());
            groups.push(Value::Object(group));
        }
    }
    let users: Vec<Value> = ic.map_or(Vec::new(), |ic| {
        ic.users()
            .iter()
            .map(|(n, u)| json!({"name": n, "display_name": u.display_name, "email": u.email,
                "groups": if u.groups.is_empty() { "none".to_string() } else { u.groups.iter().map(|g| markdown_code(g).into_owned()).collect::<Vec<_>>().join(", ") }}))
            .collect()
    });
    let permission_sets: Vec<Value> = ic.map_or(Vec::new(), |ic| {
        ic.permission_sets()
            .iter()
            .map(|(n, ps)| {
                let mut policies: Vec<String> = ps.aws_managed_policies().iter().map(|p| format!("{} (AWS)", markdown_code(p))).collect();
                policies.extend(ps.customer_managed_policies().iter().map(|p| markdown_code(&format!("{}{}", p.path.as_str(), p.name)).into_owned()));
                if ps.inline_policy().is_some() {
                    policies.push("inline".to_string());
                }
                let boundary = match ps.permissions_boundary() {
                    Some(PermissionSetBoundary::Aws(b)) => format!("{} (AWS)", markdown_code(b)),
                    Some(PermissionSetBoundary::Customer(b)) => markdown_code(&format!("{}{}", b.path.as_str(), b.name)).into_owned(),
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
    let probes: Vec<Value> = ProbeKind::ALL
        .iter()
        .map(|kind| {
            let list: Vec<String> = PROBES
                .iter()
                .filter(|p| p.kind == *kind)
                .map(|p| {
                    format!(
                        "{} on {}",
                        markdown_code(p.action),
                        markdown_code(p.resource)
                    )
                })
                .collect();
            json!({"flag": kind.as_str(), "probes": list.join(", ")})
        })
        .collect();
    let has_iam_users = model
        .accounts()
        .values()
        .any(|a| !a.iam().users().is_empty());
    // Built by moving the parts in: `json!` would serialise a copy of every list.
    let mut context = serde_json::Map::new();
    let mut put = |key: &str, value: Value| {
        context.insert(key.to_string(), value);
    };
    put(
        "organization",
        model.organization().management_account().as_str().into(),
    );
    put(
        "management_account",
        model.organization().management_account().as_str().into(),
    );
    put("region", region.into());
    put(
        "start_url",
        sso.start_url
            .as_ref()
            .map(|u| u.as_str().to_string())
            .into(),
    );
    put("accounts", account_rows.into());
    put(
        "identity_center",
        ic.map(|ic| json!({"instance_account": ic.instance_account().as_str()}))
            .unwrap_or_default(),
    );
    put("has_matrix", (!column_names.is_empty()).into());
    put("columns", column_names.into());
    put("matrix", matrix_rows.into());
    put("probes", probes.into());
    put("iam_rows", iam_rows.into());
    put("groups", groups.into());
    put("users", users.into());
    put("permission_sets", permission_sets.into());
    put("iam_accounts", iam_accounts.into());
    put("billing_accounts", billing_accounts.into());
    put("has_iam_users", has_iam_users.into());
    put("iam_checks", iam_checks.into());
    // The reason is free text: one line, so that it stays one list item (the template
    // escapes it as Markdown text).
    let allowed: Vec<Value> = model
        .allowed_findings()
        .iter()
        .map(|a| {
            let reason = a.reason().split_whitespace().collect::<Vec<_>>().join(" ");
            json!({"code": a.code(), "path": a.path(), "reason": reason})
        })
        .collect();
    put("allowed_findings", allowed.into());
    Ok((Value::Object(context), pair_checks))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn the_direct_document_is_the_template_rendering_before_blank_lines_are_cut() {
        // `emit` cuts runs of blank lines afterwards, which could hide a difference.
        let templates = crate::templates::Templates::default();
        for (name, model) in crate::emit::tests::models() {
            let options = EmitOptions::default();
            let shared = Shared::new(&model, &options);
            let (values, checks) = context(&shared, false).unwrap();
            let ours = direct::access_md(&values, &checks).unwrap();
            let theirs = templates
                .render(TEMPLATE, context(&shared, true).unwrap().0)
                .unwrap();
            assert_eq!(ours, theirs, "{name}");
        }
    }

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
    fn runs_of_blank_lines_become_one_blank_line() {
        assert_eq!(
            single_blank_lines("a\n\n\n\nb\n\nc\n\n\nd\n\n\n"),
            "a\n\nb\n\nc\n\nd\n\n"
        );
        assert_eq!(single_blank_lines("\n\n\nx\ny"), "\n\nx\ny");
        assert_eq!(single_blank_lines(""), "");
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
`{account}` is the account's id, `{region}` the region above; requests to global services
such as IAM and billing are made in `us-east-1`).

- **read**: `s3:GetObject` on `arn:aws:s3:::iam-codegen-probe-{account}/object`, `ec2:DescribeInstances` on `*`
- **write**: `s3:PutObject` on `arn:aws:s3:::iam-codegen-probe-{account}/object`, `ec2:RunInstances` on `arn:aws:ec2:{region}:{account}:instance/*`, `lambda:CreateFunction` on `arn:aws:lambda:{region}:{account}:function:iam-codegen-probe`
- **iam**: `iam:CreateUser` on `arn:aws:iam::{account}:user/iam-codegen-probe`, `iam:AttachRolePolicy` on `arn:aws:iam::{account}:role/iam-codegen-probe`
- **billing**: `aws-portal:ViewBilling` on `*`, `ce:GetCostAndUsage` on `*`

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
            section(&text, "IAM users (with"),
            "IAM users (with their groups' policies) and roles of the accounts:

| Account | Kind | Name | Access |
|---|---|---|---|
| `main` | user | `dev-john` | read/write/billing |
| `main` | user | `fin-kim` | billing |

Legend: a flag is set when the evaluator allows any of its probe requests (`none`: no flag;
`{account}` is the account's id, `{region}` the region above; requests to global services
such as IAM and billing are made in `us-east-1`).

- **read**: `s3:GetObject` on `arn:aws:s3:::iam-codegen-probe-{account}/object`, `ec2:DescribeInstances` on `*`
- **write**: `s3:PutObject` on `arn:aws:s3:::iam-codegen-probe-{account}/object`, `ec2:RunInstances` on `arn:aws:ec2:{region}:{account}:instance/*`, `lambda:CreateFunction` on `arn:aws:lambda:{region}:{account}:function:iam-codegen-probe`
- **iam**: `iam:CreateUser` on `arn:aws:iam::{account}:user/iam-codegen-probe`, `iam:AttachRolePolicy` on `arn:aws:iam::{account}:role/iam-codegen-probe`
- **billing**: `aws-portal:ViewBilling` on `*`, `ce:GetCostAndUsage` on `*`

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
