//! The `policies` target: every policy of the model as a canonical pretty JSON file, for
//! pipelines that take raw policies, plus the policy a third party attaches on their side to
//! assume one of our roles.
//!
//! Layout (paths relative to the target directory; `generate` puts them under `policies/`):
//!
//! ```text
//! accounts/<account>/managed/<policy>.json                 customer managed policy
//! accounts/<account>/users/<user>/inline/<policy>.json     inline policy of an IAM user
//! accounts/<account>/groups/<group>/inline/<policy>.json   inline policy of an IAM group
//! accounts/<account>/roles/<role>/inline/<policy>.json     inline policy of a role
//! accounts/<account>/roles/<role>/trust.json               the role's trust policy
//! accounts/<account>/roles/<role>/assume-role-policy-for-<account id>.json
//!                                                          for a role trusted by an account
//!                                                          outside the model: the identity
//!                                                          policy that account attaches to
//!                                                          its principals to assume the role
//! organization/scps/<scp>.json                             service control policy
//! organization/rcps/<rcp>.json                             resource control policy
//! identity-center/permission-sets/<set>.json               permission-set inline policy
//! ```
//!
//! For `tests/models/valid/organization.json`:
//!
//! ```text
//! policies/
//! ├── accounts/
//! │   ├── development/managed/TesterPolicy.json
//! │   └── production/roles/
//! │       ├── ci-deploy/inline/Deploy.json
//! │       ├── ci-deploy/trust.json
//! │       ├── partner-access/assume-role-policy-for-999999999999.json
//! │       ├── partner-access/trust.json
//! │       └── web-server/trust.json
//! ├── identity-center/permission-sets/DeveloperAccess.json
//! └── organization/
//!     ├── rcps/DenyExternalS3.json
//!     └── scps/{DenyLeaveOrganization,SandboxRegions}.json
//! ```
//!
//! Permissions boundaries are managed policies in the model (AWS managed, or a customer
//! managed policy that is already under `managed/`), so none is written separately.
//!
//! Account, user, group, role and set directories are in their own namespaces
//! (`accounts/`, `users/`, `inline/`, …), so no model name can collide with a fixed file
//! name. File names are the model names as written (no case conversion), made safe for
//! file systems by [`file_name`]: letters, digits and `+=,.@_-` stay, any other byte is
//! written `%XX`, and `.`/`..` become `%2E`/`%2E%2E`.
//!
//! ```
//! use iam_codegen::emit::{policies, EmitOptions};
//! let model = iam_model::model::synthetic::organization(1, 1, 1, 1, 1);
//! let files = policies::emit(&model, &EmitOptions::default())?;
//! let trust = std::str::from_utf8(files.get("accounts/account-0001/roles/deploy/trust.json").unwrap())?;
//! assert!(trust.starts_with("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
use std::collections::BTreeSet;
use std::fmt::Write as _;

use iam_model::model::Model;
use iam_model::model::iam::{Iam, Role};
use iam_model::policy::kind::Identity;
use iam_model::policy::{
    AccountId, AwsPrincipal, Effect, Kind, Policy, Principal, PrincipalClause, Resource, Statement,
};

use crate::emit::{Artifacts, EmitError, EmitOptions};

/// The longest file name this target writes, in bytes: well under the 255 bytes most file
/// systems allow, leaving room for `.json` and the writer's temporary names.
const MAX_FILE_NAME: usize = 200;

/// The files of this target, relative to its directory.
pub fn emit(model: &Model, _options: &EmitOptions) -> Result<Artifacts, EmitError> {
    let mut files = Artifacts::new();
    let ours: BTreeSet<AccountId> = model.accounts().values().map(|a| a.id()).collect();
    for (account_name, account) in model.accounts() {
        let base = format!("accounts/{}", file_name(account_name.as_str()));
        emit_iam(&mut files, &base, account.id(), account.iam(), &ours)?;
    }
    let org = model.organization();
    for (name, scp) in org.scps() {
        let path = format!("organization/scps/{}.json", file_name(name.as_str()));
        files.insert(path, policy_json(scp.document()))?;
    }
    for (name, rcp) in org.rcps() {
        let path = format!("organization/rcps/{}.json", file_name(name.as_str()));
        files.insert(path, policy_json(rcp.document()))?;
    }
    if let Some(ic) = model.identity_center() {
        for (name, set) in ic.permission_sets() {
            if let Some(policy) = set.inline_policy() {
                let path = format!(
                    "identity-center/permission-sets/{}.json",
                    file_name(name.as_str())
                );
                files.insert(path, policy_json(policy))?;
            }
        }
    }
    Ok(files)
}

fn emit_iam(
    files: &mut Artifacts,
    base: &str,
    account_id: AccountId,
    iam: &Iam,
    ours: &BTreeSet<AccountId>,
) -> Result<(), EmitError> {
    for (name, policy) in iam.policies() {
        let path = format!("{base}/managed/{}.json", file_name(name.as_str()));
        files.insert(path, policy_json(policy.document()))?;
    }
    let entities = [
        (
            "users",
            iam.users()
                .iter()
                .map(|(n, u)| (n.as_str(), u.permissions()))
                .collect::<Vec<_>>(),
        ),
        (
            "groups",
            iam.groups()
                .iter()
                .map(|(n, g)| (n.as_str(), g.permissions()))
                .collect(),
        ),
        (
            "roles",
            iam.roles()
                .iter()
                .map(|(n, r)| (n.as_str(), r.permissions()))
                .collect(),
        ),
    ];
    for (kind, list) in entities {
        for (entity, permissions) in list {
            for (name, policy) in permissions.inline_policies() {
                let path = format!(
                    "{base}/{kind}/{}/inline/{}.json",
                    file_name(entity),
                    file_name(name.as_str())
                );
                files.insert(path, policy_json(policy))?;
            }
        }
    }
    for (name, role) in iam.roles() {
        let dir = format!("{base}/roles/{}", file_name(name.as_str()));
        files.insert(
            format!("{dir}/trust.json"),
            policy_json(role.trust_policy()),
        )?;
        for theirs in third_parties(role, ours) {
            let policy = assume_role_policy(account_id, role, name.as_str())?;
            files.insert(
                format!("{dir}/assume-role-policy-for-{}.json", theirs.as_str()),
                policy_json(&policy),
            )?;
        }
    }
    Ok(())
}

/// A policy in canonical form, pretty, with a trailing newline.
fn policy_json<K: Kind>(policy: &Policy<K>) -> String {
    policy.clone().canonical().to_json_pretty()
}

/// The accounts outside the model that an `Allow` statement of the role's trust policy
/// names as `AWS` principals (by id or by an ARN in that account), in order.
fn third_parties(role: &Role, ours: &BTreeSet<AccountId>) -> BTreeSet<AccountId> {
    let mut theirs = BTreeSet::new();
    for statement in role.trust_policy().document().statements() {
        if statement.effect() != Effect::Allow {
            continue;
        }
        let Some(PrincipalClause::Principal(Principal::Typed(map))) = statement.principal() else {
            continue;
        };
        let Some(aws) = &map.aws else { continue };
        for principal in aws.as_slice() {
            let id = match principal {
                AwsPrincipal::Account(id) => Some(*id),
                AwsPrincipal::Arn(arn) => arn.account_id(),
                AwsPrincipal::Any => None,
            };
            if let Some(id) = id.filter(|id| !ours.contains(id)) {
                theirs.insert(id);
            }
        }
    }
    theirs
}

/// The identity policy a third party attaches to the principals that assume our role:
/// `sts:AssumeRole` on the role's ARN (with its path), which is computed from our account id.
/// The ExternalId is not part of it: the third party passes it in the `AssumeRole` call.
fn assume_role_policy(
    account: AccountId,
    role: &Role,
    name: &str,
) -> Result<Policy<Identity>, EmitError> {
    // "IAM identifiers: IAM ARNs": arn:aws:iam::account:role/path/name, the path included.
    let arn_text = format!(
        "arn:aws:iam::{}:role{}{name}",
        account.as_str(),
        role.permissions().path().as_str()
    );
    let bad = |what: String| {
        EmitError::Missing(format!("cannot write the role ARN `{arn_text}`: {what}"))
    };
    let arn = arn_text
        .parse()
        .map_err(|e: iam_model::ParseError| bad(e.to_string()))?;
    let action = "sts:AssumeRole"
        .parse()
        .map_err(|e: iam_model::ParseError| bad(e.to_string()))?;
    Ok(Policy::<Identity>::builder()
        .statement(
            Statement::builder()
                .sid("AssumeRole")
                .allow()
                .action(action)
                .resource(Resource::Arn(arn))
                .build(),
        )
        .build())
}

/// A model name as a file name: letters, digits and `+=,.@_-` as they are, any other byte
/// as `%XX` (so `%` itself too, which keeps the mapping one to one), `.` and `..` as
/// `%2E` and `%2E%2E`. A result longer than 200 bytes is cut and ends in `~` and 16 hex
/// digits of a hash of the whole name, so it stays unique and fits file systems.
///
/// ```
/// use iam_codegen::emit::policies::file_name;
/// assert_eq!(file_name("DeveloperAccess"), "DeveloperAccess");
/// assert_eq!(file_name("Deny:All<>"), "Deny%3AAll%3C%3E");
/// assert_eq!(file_name(".."), "%2E%2E");
/// assert_eq!(file_name(&":".repeat(128)).len(), 200);
/// ```
pub fn file_name(name: &str) -> String {
    if name == "." || name == ".." {
        return name.replace('.', "%2E");
    }
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'=' | b',' | b'.' | b'@' | b'_' | b'-')
        {
            out.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{b:02X}");
        }
    }
    if out.len() > MAX_FILE_NAME {
        let hash = fnv1a(name.as_bytes());
        // The encoded text is ASCII, so any byte index is a char boundary.
        out.truncate(MAX_FILE_NAME - 17);
        let _ = write!(out, "~{hash:016x}");
    }
    out
}

/// 64-bit FNV-1a: small, stable across platforms and releases.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn organization() -> Model {
        let text = include_str!("../../../tests/models/valid/organization.json");
        Model::from_json(text).unwrap()
    }

    #[test]
    fn every_policy_of_the_model_has_a_file() {
        let files = emit(&organization(), &EmitOptions::default()).unwrap();
        let paths: Vec<&str> = files.iter().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            [
                "accounts/development/managed/TesterPolicy.json",
                "accounts/production/roles/ci-deploy/inline/Deploy.json",
                "accounts/production/roles/ci-deploy/trust.json",
                "accounts/production/roles/partner-access/assume-role-policy-for-999999999999.json",
                "accounts/production/roles/partner-access/trust.json",
                "accounts/production/roles/web-server/trust.json",
                "identity-center/permission-sets/DeveloperAccess.json",
                "organization/rcps/DenyExternalS3.json",
                "organization/scps/DenyLeaveOrganization.json",
                "organization/scps/SandboxRegions.json",
            ]
        );
    }

    #[test]
    fn third_party_policy_assumes_the_role_by_arn() {
        let files = emit(&organization(), &EmitOptions::default()).unwrap();
        let text = files
            .get(
                "accounts/production/roles/partner-access/assume-role-policy-for-999999999999.json",
            )
            .unwrap();
        assert_eq!(
            std::str::from_utf8(text).unwrap(),
            r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AssumeRole",
      "Effect": "Allow",
      "Action": "sts:AssumeRole",
      "Resource": "arn:aws:iam::222222222222:role/partner-access"
    }
  ]
}
"#
        );
    }

    #[test]
    fn policies_are_canonical() {
        let files = emit(&organization(), &EmitOptions::default()).unwrap();
        let text = files
            .get("accounts/development/managed/TesterPolicy.json")
            .unwrap();
        assert_eq!(
            std::str::from_utf8(text).unwrap(),
            r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ViewLogs",
      "Effect": "Allow",
      "Action": [
        "logs:Get*",
        "logs:Describe*"
      ],
      "Resource": "*"
    }
  ]
}
"#
        );
    }

    #[test]
    fn file_names_are_one_to_one_and_short() {
        assert_eq!(file_name("a%b"), "a%25b");
        assert_eq!(file_name("a b"), "a%20b");
        assert_eq!(file_name("."), "%2E");
        assert_eq!(file_name("..."), "...");
        let long_a = file_name(&format!("{}a", ":".repeat(127)));
        let long_b = file_name(&format!("{}b", ":".repeat(127)));
        assert_ne!(long_a, long_b);
        assert_eq!(long_a.len(), 200);
    }
}
