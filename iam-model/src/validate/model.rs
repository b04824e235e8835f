//! Checks of a whole [`Model`]: every policy by its kind, references between entities,
//! names and uniqueness, and AWS quotas. Findings carry JSON pointers into the model file.
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
/// references, names, the characters of free text, limits, then the seeds' practices as warnings), each family walking
/// the model in sorted order.
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
    practices::check(model, &ctx, &mut report);
    report
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
