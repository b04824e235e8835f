//! Checks of a whole [`Model`]: every policy by its kind, references between entities,
//! names and uniqueness, and AWS quotas. Findings carry JSON pointers into the model file.
mod escalation;
mod ids;
mod limits;
mod names;
mod policies;
mod practices;
mod references;
mod text;

use std::collections::BTreeSet;

use crate::json::pointer_token;
use crate::model::names::{AccountName, UnitPath};
use crate::model::{Model, Tags, UnitAccounts};
use crate::validate::Report;

/// Check a model: every finding of every rule family, in a fixed order (policies,
/// references, names, the characters of free text, limits, AWS ids, then the seeds' practices), each
/// family walking the model in sorted order; then the model's `allow_findings` move the
/// findings they accept to [`Report::allowed`].
///
/// ```
/// use iam_model::model::Model;
/// use iam_model::validate::validate;
/// let model = Model::from_json(r#"{
///   "version": 1,
///   "organization": {"management_account": "management"},
///   "accounts": {
///     "management": {"id": "111111111111", "email": "aws@example.com", "environment": "management",
///       "iam": {"users": {"dev-john": {"groups": ["Developers"]}}}}
///   }
/// }"#)?;
/// let report = validate(&model);
/// let found: Vec<(&str, &str)> = report.findings().iter().map(|f| (f.code, f.path.as_str())).collect();
/// assert_eq!(found, [("unknown-group", "/accounts/management/iam/users/dev-john/groups/0")]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn validate(model: &Model) -> Report {
    let mut report = Report::new();
    let ctx = Context::new(model);
    policies::check(model, &mut report);
    references::check(model, &ctx, &mut report);
    names::check(model, &mut report);
    text::check_model(model, &mut report);
    limits::check(model, &mut report);
    ids::check(model, &mut report);
    practices::check(model, &ctx, &mut report);
    let mut report = in_baselines(model, report);
    allow(model, &mut report);
    report
}

/// Findings in an entity that an OU baseline gave an account, moved to the entity's path in
/// the baseline (`/organization/units/Workloads/baseline/roles/audit/…`) and reported once,
/// not once per account.
fn in_baselines(model: &Model, report: Report) -> Report {
    let has_baselines = model
        .organization()
        .unit_paths()
        .iter()
        .any(|(_, u)| u.baseline().is_some());
    if !has_baselines {
        return report;
    }
    let mut seen = BTreeSet::new();
    let mut out = Report::new();
    for mut finding in report.into_findings() {
        if let Some(path) = baseline_path(model, &finding.path) {
            finding.path = path;
        }
        if seen.insert((finding.code, finding.path.clone(), finding.severity)) {
            out.push(finding);
        }
    }
    out
}

/// The path in a baseline of `/accounts/<a>/iam/<section>/<name>…` when the account has the
/// entity from a baseline, not of its own.
fn baseline_path(model: &Model, path: &str) -> Option<String> {
    let rest = path.strip_prefix("/accounts/")?;
    let mut parts = rest.splitn(5, '/');
    let account = crate::json::unescape_token(parts.next()?);
    if parts.next()? != "iam" {
        return None;
    }
    let section = parts.next()?;
    let entity_token = parts.next()?;
    let tail = parts.next().map(|t| format!("/{t}")).unwrap_or_default();
    let entity = crate::json::unescape_token(entity_token);
    let account = model.account(&account)?;
    let own = account.own_iam();
    let is_own = match section {
        "roles" => own.roles().keys().any(|k| k.as_str() == entity),
        "policies" => own.policies().keys().any(|k| k.as_str() == entity),
        "oidc_providers" => own.oidc_providers().keys().any(|k| k.as_str() == entity),
        _ => return None,
    };
    if is_own {
        return None;
    }
    // The deepest OU above the account whose baseline has the entity.
    let unit = account.unit()?;
    let mut found = None;
    let mut pointer = String::from("/organization/units");
    let mut units = model.organization().units();
    for segment in unit.segments() {
        let u = units.get(segment)?;
        pointer = at(&pointer, segment);
        if let Some(b) = u.baseline() {
            let file = b.file();
            let has = match section {
                "roles" => file.roles.contains_key(&entity),
                "policies" => file.policies.contains_key(&entity),
                _ => file.oidc_providers.contains_key(&entity),
            };
            if has {
                found = Some(format!("{pointer}/baseline/{section}/{entity_token}{tail}"));
            }
        }
        pointer.push_str("/units");
        units = u.units();
    }
    found
}

/// Apply the model's `allow_findings`: matched findings move to [`Report::allowed`]; an entry
/// without a reason is an error, one that matches nothing a warning.
fn allow(model: &Model, report: &mut Report) {
    let entries = model.allowed_findings();
    if entries.is_empty() {
        return;
    }
    let used = report.allow(
        entries
            .iter()
            .filter(|a| !a.reason().trim().is_empty())
            .map(|a| (a.code(), a.path(), a.reason())),
    );
    let mut used = used.into_iter();
    for (i, a) in entries.iter().enumerate() {
        if a.reason().trim().is_empty() {
            report.error(
                "allow-finding-without-reason",
                format!("/allow_findings/{i}/reason"),
                format!("accepting `{}` at `{}` needs a reason", a.code(), a.path()),
                "say why the finding is acceptable here; the reason is shown in `validate` output and in ACCESS.md for reviewers",
            );
        } else if used.next() == Some(false) {
            report.warning(
                "unused-allow-finding",
                format!("/allow_findings/{i}"),
                format!("no finding `{}` at `{}` to accept", a.code(), a.path()),
                "remove the entry, or correct its code and path to those `iam-codegen validate` reports",
            );
        }
    }
}

/// What several checks need: the OUs that exist and the accounts under each.
pub(crate) struct Context<'a> {
    units: BTreeSet<UnitPath>,
    accounts: UnitAccounts<'a>,
}

impl<'a> Context<'a> {
    fn new(model: &'a Model) -> Self {
        Self {
            units: model
                .organization()
                .unit_paths()
                .into_iter()
                .map(|(p, _)| p)
                .collect(),
            accounts: model.unit_accounts(),
        }
    }

    fn has_unit(&self, path: &UnitPath) -> bool {
        self.units.contains(path)
    }

    /// The accounts in an OU or below it, by name.
    fn accounts_under(&self, path: &UnitPath) -> &[&'a AccountName] {
        self.accounts.under(path)
    }
}

/// `base/name` with the name escaped as a JSON-pointer token.
pub(crate) fn at(base: &str, name: &str) -> String {
    format!("{base}/{}", pointer_token(name))
}

/// The pointer of an account.
pub(crate) fn account_path(name: &str) -> String {
    at("/accounts", name)
}

/// The pointer of an OU in the `units` tree.
pub(crate) fn unit_path(path: &UnitPath) -> String {
    let mut out = String::from("/organization");
    for segment in path.segments() {
        out.push_str("/units/");
        out.push_str(&pointer_token(segment));
    }
    out
}

/// Every entity with tags, with the pointer of its `tags` member.
pub(crate) fn tagged(model: &Model) -> Vec<(String, &Tags)> {
    let mut out = Vec::new();
    for (path, unit) in model.organization().unit_paths() {
        out.push((format!("{}/tags", unit_path(&path)), unit.tags()));
    }
    for (name, p) in model.organization().scps() {
        out.push((
            format!("{}/tags", at("/organization/scps", name.as_str())),
            p.tags(),
        ));
    }
    for (name, p) in model.organization().rcps() {
        out.push((
            format!("{}/tags", at("/organization/rcps", name.as_str())),
            p.tags(),
        ));
    }
    for (name, account) in model.accounts() {
        let base = account_path(name.as_str());
        out.push((format!("{base}/tags"), account.tags()));
        let iam = account.iam();
        for (n, u) in iam.users() {
            out.push((
                format!("{}/tags", at(&format!("{base}/iam/users"), n.as_str())),
                u.tags(),
            ));
        }
        for (n, r) in iam.roles() {
            out.push((
                format!("{}/tags", at(&format!("{base}/iam/roles"), n.as_str())),
                r.tags(),
            ));
        }
        for (n, p) in iam.policies() {
            out.push((
                format!("{}/tags", at(&format!("{base}/iam/policies"), n.as_str())),
                p.tags(),
            ));
        }
        for (n, p) in iam.oidc_providers() {
            out.push((
                format!(
                    "{}/tags",
                    at(&format!("{base}/iam/oidc_providers"), n.as_str())
                ),
                &p.tags,
            ));
        }
        for (n, p) in iam.saml_providers() {
            out.push((
                format!(
                    "{}/tags",
                    at(&format!("{base}/iam/saml_providers"), n.as_str())
                ),
                &p.tags,
            ));
        }
    }
    if let Some(ic) = model.identity_center() {
        for (n, p) in ic.permission_sets() {
            out.push((
                format!(
                    "{}/tags",
                    at("/identity_center/permission_sets", n.as_str())
                ),
                p.tags(),
            ));
        }
    }
    out
}

/// Whether an email address is well formed: one `@`, a local part of 1 to 64 printable
/// characters, and a domain with a dot, no white space.
pub(crate) fn email_ok(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let printable = |s: &str| s.chars().all(|c| c.is_ascii_graphic() && c != '@');
    !local.is_empty()
        && local.len() <= 64
        && printable(local)
        && printable(domain)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}
