//! Every policy of the model, checked by its kind with the model path as its base: the
//! warnings of the policy checker and the size limits appear with their place in the file.
use crate::model::Model;
use crate::model::iam::Permissions;
use crate::policy::{Kind, Policy};
use crate::validate::Report;
use crate::validate::policy::check_policy;

use super::{account_path, at};

fn one<K: Kind>(policy: &Policy<K>, path: &str, report: &mut Report) {
    // Errors that decoding rejects cannot occur in a model read from a file; a model built
    // in Rust is checked in full, so the same findings appear either way.
    report.extend(check_policy(&policy.document().to_raw(), K::KIND, path));
}

fn inline(permissions: &Permissions, base: &str, report: &mut Report) {
    for (name, policy) in permissions.inline_policies() {
        one(
            policy,
            &at(&format!("{base}/inline_policies"), name.as_str()),
            report,
        );
    }
}

pub(super) fn check(model: &Model, report: &mut Report) {
    let org = model.organization();
    for (name, p) in org.scps() {
        one(
            p.document(),
            &format!("{}/document", at("/organization/scps", name.as_str())),
            report,
        );
    }
    for (name, p) in org.rcps() {
        one(
            p.document(),
            &format!("{}/document", at("/organization/rcps", name.as_str())),
            report,
        );
    }
    for (account_name, account) in model.accounts() {
        let base = format!("{}/iam", account_path(account_name.as_str()));
        let iam = account.iam();
        for (name, user) in iam.users() {
            inline(
                user.permissions(),
                &at(&format!("{base}/users"), name.as_str()),
                report,
            );
        }
        for (name, group) in iam.groups() {
            inline(
                group.permissions(),
                &at(&format!("{base}/groups"), name.as_str()),
                report,
            );
        }
        for (name, role) in iam.roles() {
            let role_base = at(&format!("{base}/roles"), name.as_str());
            one(
                role.trust_policy(),
                &format!("{role_base}/trust_policy"),
                report,
            );
            inline(role.permissions(), &role_base, report);
        }
        for (name, policy) in iam.policies() {
            one(
                policy.document(),
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
            if let Some(policy) = set.inline_policy() {
                one(
                    policy,
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
