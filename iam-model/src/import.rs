//! Import: a model from what the AWS CLI prints about a live organization.
//!
//! [`import`] reads the JSON files that `scripts/export-aws.sh` writes (each one exactly what
//! one `aws` call prints) and builds a [`Model`]: the organization (OUs, accounts, SCPs and
//! RCPs with their targets), IAM Identity Center (users, groups, permission sets,
//! assignments) and the IAM entities of every account that has an export. Names and ids are
//! kept as AWS has them. What the model cannot hold is listed in [`Imported::omissions`],
//! never dropped silently: access keys and console passwords (the model keeps only the
//! flags), service-linked roles and the roles IAM Identity Center provisions (AWS manages
//! them), old versions of managed policies, SAML providers (the model names a metadata
//! file), assignments to principals the identity store does not list, and names the model
//! had to change.
//!
//! The function does no I/O: it takes the files as a map from their path in the export
//! directory (`/`-separated) to their text. The CLI (`iam-codegen import DIR`) reads the
//! directory.
//!
//! # The export directory
//!
//! ```text
//! organizations/organization.json                 aws organizations describe-organization
//! organizations/roots.json                        aws organizations list-roots
//! organizations/units/<parent-id>.json            aws organizations list-organizational-units-for-parent --parent-id ID
//! organizations/accounts/<parent-id>.json         aws organizations list-accounts-for-parent --parent-id ID
//! organizations/policies/<TYPE>.json              aws organizations list-policies --filter TYPE
//!                                                 (SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY)
//! organizations/policy/<policy-id>.json           aws organizations describe-policy --policy-id ID
//! organizations/targets/<policy-id>.json          aws organizations list-targets-for-policy --policy-id ID
//! iam/<account-id>.json                           aws iam get-account-authorization-details
//! iam/<account-id>/roles.json                     aws iam list-roles (descriptions, session durations)
//! iam/<account-id>/oidc-providers.json            aws iam list-open-id-connect-providers
//! iam/<account-id>/oidc-provider/<host>.json      aws iam get-open-id-connect-provider (`/` in the host as `%2F`)
//! iam/<account-id>/saml-providers.json            aws iam list-saml-providers
//! iam/<account-id>/password-policy.json           aws iam get-account-password-policy (absent: none)
//! iam/<account-id>/access-keys/<user>.json        aws iam list-access-keys --user-name NAME
//! iam/<account-id>/login-profile/<user>.json      aws iam get-login-profile --user-name NAME (absent: none)
//! sso-admin/instances.json                        aws sso-admin list-instances
//! sso-admin/settings.json                         {"StartUrl": …, "Region": …} (the script's --start-url, --region)
//! sso-admin/permission-sets.json                  aws sso-admin list-permission-sets
//! sso-admin/permission-set/<ps-id>/describe.json  aws sso-admin describe-permission-set
//!   …/managed-policies.json                       aws sso-admin list-managed-policies-in-permission-set
//!   …/inline-policy.json                          aws sso-admin get-inline-policy-for-permission-set
//!   …/customer-managed-policies.json              aws sso-admin list-customer-managed-policy-references-in-permission-set
//!   …/permissions-boundary.json                   aws sso-admin get-permissions-boundary-for-permission-set (absent: none)
//!   …/tags.json                                   aws sso-admin list-tags-for-resource
//!   …/accounts.json                               aws sso-admin list-accounts-for-provisioned-permission-set
//!   …/assignments/<account-id>.json               aws sso-admin list-account-assignments
//! identitystore/users.json                        aws identitystore list-users
//! identitystore/groups.json                       aws identitystore list-groups
//! identitystore/memberships/<group-id>.json       aws identitystore list-group-memberships --group-id ID
//! ```
//!
//! `<ps-id>` is the last part of the permission set ARN (`ps-…`). Without `organizations/`
//! the export is of one account: `iam/` must hold exactly one account, which becomes the
//! management account of a model without OUs. Without `sso-admin/` the model has no
//! Identity Center.
//!
//! Each account's environment is not stored in AWS: it is read from the account name, then
//! from its OU names (`prod` → production, `stag` → staging, `test`/`qa` → testing, `dev` →
//! development, `sandbox`, `security`/`audit`, `log`); the management account is
//! `management`; otherwise it is `workload`, reported as `environment-guessed`.
//!
//! ```
//! use std::collections::BTreeMap;
//! let mut files = BTreeMap::new();
//! files.insert("iam/123456789012.json".to_string(), r#"{"UserDetailList": [{
//!     "Path": "/", "UserName": "ci", "UserPolicyList": [], "GroupList": [],
//!     "AttachedManagedPolicies": [{"PolicyName": "ReadOnlyAccess",
//!         "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]}]}"#.to_string());
//! files.insert("iam/123456789012/access-keys/ci.json".to_string(),
//!     r#"{"AccessKeyMetadata": [{"UserName": "ci", "AccessKeyId": "AKIAEXAMPLE", "Status": "Active"}]}"#.to_string());
//! let imported = iam_model::import::import(&files)?;
//! let user = &imported.model.account("account-123456789012").unwrap().iam().users()["ci"];
//! assert!(user.programmatic_access());
//! assert_eq!(imported.omissions[0].to_string(),
//!     "iam/123456789012/access-keys/ci.json:/AccessKeyMetadata/0: access-key: user `ci` has access key `AKIAEXAMPLE` (Active); the model records only that the user has keys");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
mod aws;
mod drift;
mod export;

pub use drift::{Drift, DriftItem, drift};
pub use export::export_of;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::JsonError;
use crate::json::pointer_token;
use crate::model::Model;
use crate::model::file::{
    AccountFile, AssignmentFile, CustomerPolicyRefFile, Document, GroupFile, IamFile,
    IdentityCenterFile, InstanceProfileFile, ManagedPolicyFile, ModelFile, OrgPolicyFile,
    OrganizationFile, PermissionSetBoundaryFile, PermissionSetFile, PolicyRefFile, RoleFile,
    UnitFile, UserFile,
};
use crate::model::iam::{OidcProvider, PasswordPolicy};
use crate::model::org::Tags;
use crate::model::sso::{SsoGroup, SsoUser};
use crate::validate::Finding;

/// The files of an export directory: path (relative, `/`-separated) → text.
pub type ExportFiles = BTreeMap<String, String>;

/// A model imported from an export, with what it could not hold.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The model.
    pub model: Model,
    /// What the export has that the model does not hold, in file order.
    pub omissions: Vec<Omission>,
}

/// Something of the export that the model does not hold (or holds changed).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Omission {
    /// The export file.
    pub file: String,
    /// The JSON pointer of the item in the file.
    pub path: String,
    /// A stable code: `access-key`, `login-profile`, `service-linked-role`,
    /// `sso-reserved-role`, `policy-versions`, `saml-provider`, `foreign-policy`,
    /// `unknown-principal`, `renamed`, `environment-guessed`, `account-status`,
    /// `sso-user-incomplete`, `instances`.
    pub code: &'static str,
    /// What was left out or changed, in one line.
    pub message: String,
}

impl fmt::Display for Omission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.path, self.code, self.message
        )
    }
}

/// Why an export cannot be imported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// A file the export must have is missing.
    #[error("the export has no `{file}` ({what})")]
    Missing {
        /// The file.
        file: String,
        /// What writes it.
        what: String,
    },
    /// A file is not JSON of the expected shape.
    #[error("`{file}`")]
    Json {
        /// The file.
        file: String,
        /// Where and what.
        #[source]
        source: JsonError,
    },
    /// A value does not have the form AWS gives it.
    #[error("`{file}` at `{path}`: {message}")]
    Value {
        /// The file.
        file: String,
        /// The JSON pointer.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The export has no organization and not exactly one account.
    #[error("the export has no `organizations/` and {count} accounts under `iam/`: expected one")]
    NoOrganization {
        /// How many accounts `iam/` holds.
        count: usize,
    },
    /// The imported model does not read (a name or policy the model rejects).
    #[error("the imported model does not read: {}", findings.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Model {
        /// The findings, with paths into the model.
        findings: Vec<Finding>,
    },
}

/// Import an export directory's files into a model; see the [module docs](self).
///
/// # Errors
///
/// A missing required file, a file that is not JSON of the shape the CLI prints, or a value
/// of the wrong form (an account id, an ARN) is an [`ImportError`] naming the file and the
/// JSON pointer.
pub fn import(files: &ExportFiles) -> Result<Imported, ImportError> {
    let mut importer = Importer {
        files,
        omissions: Vec::new(),
    };
    let model_file = importer.model()?;
    let model = crate::model::file::decode(&model_file)
        .map_err(|findings| ImportError::Model { findings })?;
    let mut omissions = importer.omissions;
    omissions.sort();
    Ok(Imported { model, omissions })
}

// ---------------------------------------------------------------------------------------

const AWS_POLICY_PREFIX: &str = "arn:aws:iam::aws:policy/";
const SSO_ROLE_PATH: &str = "/aws-reserved/sso.amazonaws.com/";
const SERVICE_ROLE_PATH: &str = "/aws-service-role/";

struct Importer<'f> {
    files: &'f ExportFiles,
    omissions: Vec<Omission>,
}

/// An account of the organization as import sees it.
struct OrgAccount {
    id: String,
    name: String,
    email: String,
    unit: Option<String>,
    file: String,
    pointer: String,
}

fn ptr(base: &str, token: impl fmt::Display) -> String {
    format!("{base}/{}", pointer_token(&token.to_string()))
}

fn tags(list: &[aws::Tag]) -> Tags {
    list.iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

/// `%XX` decoding, for policy documents as the IAM API returns them (URL-encoded, RFC 3986).
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A model name from an AWS name: characters the model does not allow become `-`, cut to
/// `max`.
fn sanitize(text: &str, max: usize, allowed: impl Fn(char) -> bool) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if allowed(c) { c } else { '-' })
        .take(max)
        .collect();
    if out.is_empty() {
        out.push('-');
    }
    out
}

fn account_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

fn iam_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '=' | ',' | '.' | '@' | '_' | '-')
}

/// The environment an account stands for, from its name and OU path; `None` when neither
/// says.
fn environment(name: &str, unit: Option<&str>) -> Option<&'static str> {
    let mut words = vec![name.to_ascii_lowercase()];
    if let Some(unit) = unit {
        words.extend(unit.rsplit('/').map(str::to_ascii_lowercase));
    }
    words.iter().find_map(|w| {
        let w = w.as_str();
        if w.contains("sandbox") {
            Some("sandbox")
        } else if w.contains("stag") {
            Some("staging")
        } else if w.contains("nonprod") || w.contains("non-prod") {
            None
        } else if w.contains("prod") {
            Some("production")
        } else if w.contains("test") || w.split(['-', '_', '.']).any(|p| p == "qa") {
            Some("testing")
        } else if w.contains("dev") {
            Some("development")
        } else if w.contains("security") || w.contains("audit") {
            Some("security")
        } else if w.contains("log") {
            Some("logging")
        } else {
            None
        }
    })
}

impl<'f> Importer<'f> {
    fn omit(&mut self, code: &'static str, file: &str, path: String, message: String) {
        self.omissions.push(Omission {
            file: file.to_string(),
            path,
            code,
            message,
        });
    }

    fn read<T: DeserializeOwned>(&self, file: &str) -> Result<Option<T>, ImportError> {
        match self.files.get(file) {
            None => Ok(None),
            Some(text) => {
                crate::policy::read_json(text)
                    .map(Some)
                    .map_err(|source| ImportError::Json {
                        file: file.to_string(),
                        source,
                    })
            }
        }
    }

    fn require<T: DeserializeOwned>(&self, file: &str, what: &str) -> Result<T, ImportError> {
        self.read(file)?.ok_or_else(|| ImportError::Missing {
            file: file.to_string(),
            what: what.to_string(),
        })
    }

    /// A policy document as the CLI prints it: a JSON object (IAM documents, which the CLI
    /// decodes), or a JSON string (Organizations and Identity Center), possibly URL-encoded.
    fn document(
        &self,
        value: &serde_json::Value,
        file: &str,
        path: &str,
    ) -> Result<Document, ImportError> {
        let bad = |message: String| ImportError::Value {
            file: file.to_string(),
            path: path.to_string(),
            message,
        };
        let value = match value {
            serde_json::Value::String(text) => {
                let text = if text.trim_start().starts_with('{') {
                    text.clone()
                } else {
                    percent_decode(text).ok_or_else(|| {
                        bad("the policy is neither JSON nor URL-encoded JSON".into())
                    })?
                };
                serde_json::from_str(&text)
                    .map_err(|e| bad(format!("the policy is not JSON: {e}")))?
            }
            other => other.clone(),
        };
        serde_json::from_value(value)
            .map(Document)
            .map_err(|e| bad(format!("not a policy document: {e}")))
    }

    fn account_id(&self, text: &str, file: &str, path: &str) -> Result<String, ImportError> {
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(text.to_string())
        } else {
            Err(ImportError::Value {
                file: file.to_string(),
                path: path.to_string(),
                message: format!("`{text}` is not a 12-digit account id"),
            })
        }
    }

    fn model(&mut self) -> Result<ModelFile, ImportError> {
        let iam_ids: BTreeSet<String> = self
            .files
            .keys()
            .filter_map(|k| k.strip_prefix("iam/")?.strip_suffix(".json"))
            .filter(|id| !id.contains('/'))
            .map(str::to_string)
            .collect();
        let has_org = self.files.contains_key("organizations/organization.json");
        let (organization, org_accounts) = if has_org {
            self.organization()?
        } else {
            let mut ids = iam_ids.iter();
            let (Some(id), None) = (ids.next(), ids.next()) else {
                return Err(ImportError::NoOrganization {
                    count: iam_ids.len(),
                });
            };
            let file = format!("iam/{id}.json");
            let id = self.account_id(id, &file, "")?;
            let name = format!("account-{id}");
            let organization = OrganizationFile {
                management_account: name.clone(),
                units: BTreeMap::new(),
                scps: BTreeMap::new(),
                rcps: BTreeMap::new(),
            };
            let account = OrgAccount {
                id,
                name,
                email: String::new(),
                unit: None,
                file,
                pointer: String::new(),
            };
            (organization, vec![account])
        };

        let mut accounts = BTreeMap::new();
        for account in &org_accounts {
            let environment = if account.name == organization.management_account {
                "management".to_string()
            } else if let Some(env) = environment(&account.name, account.unit.as_deref()) {
                env.to_string()
            } else {
                self.omit(
                    "environment-guessed",
                    &account.file,
                    account.pointer.clone(),
                    format!(
                        "account `{}` ({}): neither its name nor its OU names an environment; set to `workload`",
                        account.name, account.id
                    ),
                );
                "workload".to_string()
            };
            let iam = if iam_ids.contains(&account.id) {
                self.iam(&account.id)?
            } else {
                IamFile::default()
            };
            accounts.insert(
                account.name.clone(),
                AccountFile {
                    id: account.id.clone(),
                    email: account.email.clone(),
                    environment,
                    unit: account.unit.clone(),
                    tags: Tags::new(),
                    budget: None,
                    // Every account of an export exists: adopted, never created.
                    create: false,
                    iam,
                },
            );
        }
        let known: BTreeSet<&str> = org_accounts.iter().map(|a| a.id.as_str()).collect();
        for id in &iam_ids {
            if !known.contains(id.as_str()) {
                self.omit(
                    "foreign-account",
                    &format!("iam/{id}.json"),
                    String::new(),
                    format!("account {id} is not in the organization's account listings; its IAM is not imported"),
                );
            }
        }
        let ids: BTreeMap<String, String> = org_accounts
            .iter()
            .map(|a| (a.id.clone(), a.name.clone()))
            .collect();
        let identity_center = self.identity_center(&ids, &organization.management_account)?;
        Ok(ModelFile {
            schema: Some(crate::model::SCHEMA_URL.to_string()),
            version: crate::model::FORMAT_VERSION,
            organization,
            accounts,
            identity_center,
            assertions: Vec::new(),
            allow_findings: Vec::new(),
        })
    }

    // --- organizations ----------------------------------------------------------------

    fn organization(&mut self) -> Result<(OrganizationFile, Vec<OrgAccount>), ImportError> {
        let org: aws::DescribeOrganization = self.require(
            "organizations/organization.json",
            "aws organizations describe-organization",
        )?;
        let management_id = self.account_id(
            &org.organization.master_account_id,
            "organizations/organization.json",
            "/Organization/MasterAccountId",
        )?;
        let roots: aws::ListRoots =
            self.require("organizations/roots.json", "aws organizations list-roots")?;
        let mut units = BTreeMap::new();
        let mut accounts = Vec::new();
        // OU id → model path; account id → model name.
        let mut unit_paths: BTreeMap<String, String> = BTreeMap::new();
        let mut root_ids = BTreeSet::new();
        for root in &roots.roots {
            root_ids.insert(root.id.clone());
            self.children(&root.id, None, &mut units, &mut accounts, &mut unit_paths)?;
        }
        // Names: unique, in the model's alphabet; the management account first.
        let mut used = BTreeSet::new();
        let mut management = None;
        accounts
            .sort_by(|a, b| (a.id != management_id, &a.id).cmp(&(b.id != management_id, &b.id)));
        for account in &mut accounts {
            let mut name = sanitize(&account.name, 50, account_name_char);
            if account.name.is_empty() {
                name = format!("account-{}", account.id);
            }
            while used.contains(&name) {
                name = format!(
                    "{}-{}",
                    name.chars().take(37).collect::<String>(),
                    account.id
                );
            }
            if name != account.name {
                self.omit(
                    "renamed",
                    &account.file,
                    account.pointer.clone(),
                    format!(
                        "account `{}` ({}) is `{name}` in the model (letters, digits and `._-`, unique)",
                        account.name, account.id
                    ),
                );
            }
            used.insert(name.clone());
            if account.id == management_id {
                management = Some(name.clone());
            }
            account.name = name;
        }
        let management_account = management.ok_or_else(|| ImportError::Value {
            file: "organizations/organization.json".to_string(),
            path: "/Organization/MasterAccountId".to_string(),
            message: format!(
                "the management account {management_id} is in no `organizations/accounts/` listing"
            ),
        })?;
        let names: BTreeMap<String, String> = accounts
            .iter()
            .map(|a| (a.id.clone(), a.name.clone()))
            .collect();
        let scps = self.org_policies("SERVICE_CONTROL_POLICY", &root_ids, &unit_paths, &names)?;
        let rcps = self.org_policies("RESOURCE_CONTROL_POLICY", &root_ids, &unit_paths, &names)?;
        Ok((
            OrganizationFile {
                management_account,
                units,
                scps,
                rcps,
            },
            accounts,
        ))
    }

    fn children(
        &mut self,
        parent: &str,
        path: Option<&str>,
        units: &mut BTreeMap<String, UnitFile>,
        accounts: &mut Vec<OrgAccount>,
        unit_paths: &mut BTreeMap<String, String>,
    ) -> Result<(), ImportError> {
        let file = format!("organizations/accounts/{parent}.json");
        let listed: aws::ListAccounts = self.require(
            &file,
            &format!("aws organizations list-accounts-for-parent --parent-id {parent}"),
        )?;
        for (i, a) in listed.accounts.iter().enumerate() {
            let pointer = format!("/Accounts/{i}");
            let id = self.account_id(&a.id, &file, &ptr(&pointer, "Id"))?;
            if let Some(status) = a.status.as_deref().filter(|s| *s != "ACTIVE") {
                self.omit(
                    "account-status",
                    &file,
                    pointer.clone(),
                    format!(
                        "account `{}` ({id}) is {status}; imported as an account of the model",
                        a.name
                    ),
                );
            }
            accounts.push(OrgAccount {
                id,
                name: a.name.clone(),
                email: a.email.clone(),
                unit: path.map(str::to_string),
                file: file.clone(),
                pointer,
            });
        }
        let file = format!("organizations/units/{parent}.json");
        let listed: aws::ListUnits = self.require(
            &file,
            &format!("aws organizations list-organizational-units-for-parent --parent-id {parent}"),
        )?;
        for (i, ou) in listed.organizational_units.iter().enumerate() {
            let name = sanitize(&ou.name, 128, |c| c != '/' && !c.is_control());
            if name != ou.name {
                self.omit(
                    "renamed",
                    &file,
                    format!("/OrganizationalUnits/{i}"),
                    format!("OU `{}` is `{name}` in the model (no `/`)", ou.name),
                );
            }
            let child_path = match path {
                Some(p) => format!("{p}/{name}"),
                None => name.clone(),
            };
            unit_paths.insert(ou.id.clone(), child_path.clone());
            let mut unit = UnitFile::default();
            self.children(
                &ou.id,
                Some(&child_path),
                &mut unit.units,
                accounts,
                unit_paths,
            )?;
            units.insert(name, unit);
        }
        Ok(())
    }

    fn org_policies(
        &mut self,
        kind: &str,
        root_ids: &BTreeSet<String>,
        unit_paths: &BTreeMap<String, String>,
        account_names: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, OrgPolicyFile>, ImportError> {
        let list_file = format!("organizations/policies/{kind}.json");
        let Some(listed) = self.read::<aws::ListPolicies>(&list_file)? else {
            return Ok(BTreeMap::new());
        };
        let everywhere = root_ids.len() + unit_paths.len() + account_names.len();
        let mut out = BTreeMap::new();
        for (i, summary) in listed.policies.iter().enumerate() {
            let targets_file = format!("organizations/targets/{}.json", summary.id);
            let listed_targets: aws::ListTargets = self.require(
                &targets_file,
                &format!(
                    "aws organizations list-targets-for-policy --policy-id {}",
                    summary.id
                ),
            )?;
            // AWS's own policies: the model has FullAWSAccess and RCPFullAWSAccess at every
            // level unless a model SCP named FullAWSAccess says where it is attached.
            if summary.aws_managed
                && (kind == "RESOURCE_CONTROL_POLICY" || listed_targets.targets.len() == everywhere)
            {
                continue;
            }
            let mut targets = Vec::new();
            for (j, t) in listed_targets.targets.iter().enumerate() {
                let target = match t.kind.as_str() {
                    "ROOT" if root_ids.contains(&t.target_id) => Some("root".to_string()),
                    "ORGANIZATIONAL_UNIT" => {
                        unit_paths.get(&t.target_id).map(|p| format!("unit:{p}"))
                    }
                    "ACCOUNT" => account_names
                        .get(&t.target_id)
                        .map(|n| format!("account:{n}")),
                    _ => None,
                };
                match target {
                    Some(target) => targets.push(target),
                    None => {
                        return Err(ImportError::Value {
                            file: targets_file.clone(),
                            path: format!("/Targets/{j}"),
                            message: format!(
                                "target `{}` ({}) is not in the organization's listings",
                                t.target_id, t.kind
                            ),
                        });
                    }
                }
            }
            targets.sort();
            let policy_file = format!("organizations/policy/{}.json", summary.id);
            let described: aws::DescribePolicy = self.require(
                &policy_file,
                &format!(
                    "aws organizations describe-policy --policy-id {}",
                    summary.id
                ),
            )?;
            let document = self.document(
                &serde_json::Value::String(described.policy.content.clone()),
                &policy_file,
                "/Policy/Content",
            )?;
            let name = sanitize(&summary.name, 128, iam_name_char);
            if name != summary.name {
                self.omit(
                    "renamed",
                    &list_file,
                    format!("/Policies/{i}"),
                    format!("policy `{}` is `{name}` in the model", summary.name),
                );
            }
            out.insert(
                name,
                OrgPolicyFile {
                    id: Some(summary.id.clone()),
                    description: summary.description.clone().filter(|d| !d.is_empty()),
                    targets,
                    document,
                    tags: Tags::new(),
                },
            );
        }
        Ok(out)
    }

    // --- iam --------------------------------------------------------------------------

    fn iam(&mut self, account: &str) -> Result<IamFile, ImportError> {
        let file = format!("iam/{account}.json");
        let details: aws::AuthorizationDetails =
            self.require(&file, "aws iam get-account-authorization-details")?;
        let mut iam = IamFile::default();

        let roles_file = format!("iam/{account}/roles.json");
        let summaries: BTreeMap<String, aws::RoleSummary> = self
            .read::<aws::ListRoles>(&roles_file)?
            .unwrap_or_default()
            .roles
            .into_iter()
            .map(|r| (r.role_name.clone(), r))
            .collect();

        for (i, p) in details.policies.iter().enumerate() {
            let base = format!("/Policies/{i}");
            let Some(policy_name) = p
                .policy_name
                .clone()
                .or_else(|| p.arn.rsplit('/').next().map(str::to_string))
            else {
                continue;
            };
            let Some(default) = p
                .policy_version_list
                .iter()
                .position(|v| v.is_default_version)
            else {
                return Err(ImportError::Value {
                    file,
                    path: base,
                    message: format!("policy `{}` has no default version", policy_name),
                });
            };
            let versions = p.policy_version_list.len();
            if versions > 1 {
                let others: Vec<&str> = p
                    .policy_version_list
                    .iter()
                    .filter(|v| !v.is_default_version)
                    .map(|v| v.version_id.as_str())
                    .collect();
                self.omit(
                    "policy-versions",
                    &file,
                    base.clone(),
                    format!(
                        "policy `{}`: only the default version is imported, not {}",
                        policy_name,
                        others.join(", ")
                    ),
                );
            }
            let document = match p.policy_version_list.get(default) {
                Some(v) => self.document(
                    &v.document,
                    &file,
                    &format!("{base}/PolicyVersionList/{default}/Document"),
                )?,
                None => continue,
            };
            iam.policies.insert(
                policy_name.clone(),
                ManagedPolicyFile {
                    path: p.path.clone().filter(|p| p != "/"),
                    description: p.description.clone().filter(|d| !d.is_empty()),
                    document,
                    tags: Tags::new(),
                },
            );
        }

        for (i, g) in details.group_detail_list.iter().enumerate() {
            let base = format!("/GroupDetailList/{i}");
            let mut group = GroupFile {
                path: g.path.clone().filter(|p| p != "/"),
                ..GroupFile::default()
            };
            for (j, p) in g.group_policy_list.iter().enumerate() {
                let d = self.document(
                    &p.policy_document,
                    &file,
                    &format!("{base}/GroupPolicyList/{j}/PolicyDocument"),
                )?;
                group.inline_policies.insert(p.policy_name.clone(), d);
            }
            let (aws, customer) = self.attachments(
                account,
                &g.attached_managed_policies,
                &file,
                &format!("{base}/AttachedManagedPolicies"),
                &format!("group `{}`", g.group_name),
            );
            group.aws_managed_policies = aws;
            group.customer_managed_policies = customer;
            iam.groups.insert(g.group_name.clone(), group);
        }

        for (i, u) in details.user_detail_list.iter().enumerate() {
            let base = format!("/UserDetailList/{i}");
            let mut user = UserFile {
                path: u.path.clone().filter(|p| p != "/"),
                groups: u.group_list.clone(),
                tags: tags(&u.tags),
                ..UserFile::default()
            };
            for (j, p) in u.user_policy_list.iter().enumerate() {
                let d = self.document(
                    &p.policy_document,
                    &file,
                    &format!("{base}/UserPolicyList/{j}/PolicyDocument"),
                )?;
                user.inline_policies.insert(p.policy_name.clone(), d);
            }
            let what = format!("user `{}`", u.user_name);
            let (aws, customer) = self.attachments(
                account,
                &u.attached_managed_policies,
                &file,
                &format!("{base}/AttachedManagedPolicies"),
                &what,
            );
            user.aws_managed_policies = aws;
            user.customer_managed_policies = customer;
            user.permissions_boundary = self.boundary(
                account,
                u.permissions_boundary.as_ref(),
                &file,
                &format!("{base}/PermissionsBoundary"),
                &what,
            );
            let keys_file = format!("iam/{account}/access-keys/{}.json", u.user_name);
            if let Some(keys) = self.read::<aws::ListAccessKeys>(&keys_file)? {
                for (j, k) in keys.access_key_metadata.iter().enumerate() {
                    user.programmatic_access = true;
                    self.omit(
                        "access-key",
                        &keys_file,
                        format!("/AccessKeyMetadata/{j}"),
                        format!(
                            "user `{}` has access key `{}` ({}); the model records only that the user has keys",
                            u.user_name, k.access_key_id, k.status
                        ),
                    );
                }
            }
            let login_file = format!("iam/{account}/login-profile/{}.json", u.user_name);
            if let Some(profile) = self.read::<aws::GetLoginProfile>(&login_file)? {
                user.console_access = true;
                self.omit(
                    "login-profile",
                    &login_file,
                    "/LoginProfile".to_string(),
                    format!(
                        "user `{}` has a console password{}; the model records only that the user signs in to the console",
                        u.user_name,
                        if profile.login_profile.password_reset_required {
                            " (reset required)"
                        } else {
                            ""
                        }
                    ),
                );
            }
            iam.users.insert(u.user_name.clone(), user);
        }

        for (i, r) in details.role_detail_list.iter().enumerate() {
            let base = format!("/RoleDetailList/{i}");
            let path = r.path.clone().unwrap_or_else(|| "/".to_string());
            if path.starts_with(SERVICE_ROLE_PATH) {
                self.omit(
                    "service-linked-role",
                    &file,
                    base,
                    format!(
                        "role `{}` is a service-linked role (AWS creates and manages it)",
                        r.role_name
                    ),
                );
                continue;
            }
            if path == SSO_ROLE_PATH {
                self.omit(
                    "sso-reserved-role",
                    &file,
                    base,
                    format!(
                        "role `{}` is provisioned by IAM Identity Center from a permission set",
                        r.role_name
                    ),
                );
                continue;
            }
            let what = format!("role `{}`", r.role_name);
            let trust_policy = self.document(
                &r.assume_role_policy_document,
                &file,
                &format!("{base}/AssumeRolePolicyDocument"),
            )?;
            let summary = summaries.get(&r.role_name);
            let mut role = RoleFile {
                path: Some(path).filter(|p| p != "/"),
                description: summary
                    .and_then(|s| s.description.clone())
                    .filter(|d| !d.is_empty()),
                trust_policy,
                max_session_duration: summary.and_then(|s| s.max_session_duration),
                permissions_boundary: None,
                inline_policies: BTreeMap::new(),
                aws_managed_policies: Vec::new(),
                customer_managed_policies: Vec::new(),
                tags: tags(&r.tags),
            };
            for (j, p) in r.role_policy_list.iter().enumerate() {
                let d = self.document(
                    &p.policy_document,
                    &file,
                    &format!("{base}/RolePolicyList/{j}/PolicyDocument"),
                )?;
                role.inline_policies.insert(p.policy_name.clone(), d);
            }
            let (aws, customer) = self.attachments(
                account,
                &r.attached_managed_policies,
                &file,
                &format!("{base}/AttachedManagedPolicies"),
                &what,
            );
            role.aws_managed_policies = aws;
            role.customer_managed_policies = customer;
            role.permissions_boundary = self.boundary(
                account,
                r.permissions_boundary.as_ref(),
                &file,
                &format!("{base}/PermissionsBoundary"),
                &what,
            );
            for profile in &r.instance_profile_list {
                iam.instance_profiles.insert(
                    profile.instance_profile_name.clone(),
                    InstanceProfileFile {
                        path: profile.path.clone().filter(|p| p != "/"),
                        role: r.role_name.clone(),
                    },
                );
            }
            iam.roles.insert(r.role_name.clone(), role);
        }

        let oidc_file = format!("iam/{account}/oidc-providers.json");
        if let Some(list) = self.read::<aws::ListOidcProviders>(&oidc_file)? {
            for (i, p) in list.providers.iter().enumerate() {
                let host = p
                    .arn
                    .split_once(":oidc-provider/")
                    .map(|(_, h)| h)
                    .ok_or_else(|| ImportError::Value {
                        file: oidc_file.clone(),
                        path: format!("/OpenIDConnectProviderList/{i}/Arn"),
                        message: format!("`{}` is not an OIDC provider ARN", p.arn),
                    })?;
                let one_file = format!(
                    "iam/{account}/oidc-provider/{}.json",
                    host.replace('/', "%2F")
                );
                let provider: aws::OidcProvider = self.require(
                    &one_file,
                    &format!(
                        "aws iam get-open-id-connect-provider --open-id-connect-provider-arn {}",
                        p.arn
                    ),
                )?;
                let url = if provider.url.starts_with("https://") {
                    provider.url.clone()
                } else {
                    format!("https://{}", provider.url)
                };
                let name = sanitize(host, 128, account_name_char);
                iam.oidc_providers.insert(
                    name,
                    OidcProvider {
                        url,
                        client_ids: provider.client_ids.clone(),
                        thumbprints: provider.thumbprint_list.clone(),
                        tags: tags(&provider.tags),
                    },
                );
            }
        }
        let saml_file = format!("iam/{account}/saml-providers.json");
        if let Some(list) = self.read::<aws::ListSamlProviders>(&saml_file)? {
            for (i, p) in list.providers.iter().enumerate() {
                self.omit(
                    "saml-provider",
                    &saml_file,
                    format!("/SAMLProviderList/{i}"),
                    format!(
                        "SAML provider `{}`: the model names its metadata XML file; add it by hand with the metadata from `aws iam get-saml-provider`",
                        p.arn
                    ),
                );
            }
        }
        let password_file = format!("iam/{account}/password-policy.json");
        if let Some(p) = self.read::<aws::GetPasswordPolicy>(&password_file)? {
            let p = p.password_policy;
            iam.password_policy = Some(PasswordPolicy {
                minimum_password_length: p.minimum_password_length,
                require_symbols: p.require_symbols,
                require_numbers: p.require_numbers,
                require_uppercase_characters: p.require_uppercase_characters,
                require_lowercase_characters: p.require_lowercase_characters,
                allow_users_to_change_password: p.allow_users_to_change_password,
                max_password_age: p.max_password_age,
                password_reuse_prevention: p.password_reuse_prevention,
                hard_expiry: p.hard_expiry,
            });
        }
        Ok(iam)
    }

    /// AWS managed and customer managed policy names from attachments; a customer policy of
    /// another account is reported.
    fn attachments(
        &mut self,
        account: &str,
        list: &[aws::AttachedPolicy],
        file: &str,
        base: &str,
        what: &str,
    ) -> (Vec<String>, Vec<String>) {
        let mut aws = Vec::new();
        let mut customer = Vec::new();
        for (i, a) in list.iter().enumerate() {
            match self.policy_ref(account, &a.policy_arn) {
                Some(PolicyRefFile::AwsManaged(name)) => aws.push(name),
                Some(PolicyRefFile::CustomerManaged(name)) => customer.push(name),
                None => self.omit(
                    "foreign-policy",
                    file,
                    format!("{base}/{i}"),
                    format!(
                        "{what} has `{}` attached, which is not a policy of AWS or of this account",
                        a.policy_arn
                    ),
                ),
            }
        }
        (aws, customer)
    }

    fn policy_ref(&self, account: &str, arn: &str) -> Option<PolicyRefFile> {
        if let Some(rest) = arn.strip_prefix(AWS_POLICY_PREFIX) {
            return rest
                .rsplit('/')
                .next()
                .map(|n| PolicyRefFile::AwsManaged(n.to_string()));
        }
        let rest = arn.strip_prefix(&format!("arn:aws:iam::{account}:policy/"))?;
        rest.rsplit('/')
            .next()
            .map(|n| PolicyRefFile::CustomerManaged(n.to_string()))
    }

    fn boundary(
        &mut self,
        account: &str,
        boundary: Option<&aws::AttachedBoundary>,
        file: &str,
        path: &str,
        what: &str,
    ) -> Option<PolicyRefFile> {
        let b = boundary?;
        let found = self.policy_ref(account, &b.permissions_boundary_arn);
        if found.is_none() {
            self.omit(
                "foreign-policy",
                file,
                path.to_string(),
                format!(
                    "{what} has the boundary `{}`, which is not a policy of AWS or of this account",
                    b.permissions_boundary_arn
                ),
            );
        }
        found
    }

    // --- identity center ---------------------------------------------------------------

    fn identity_center(
        &mut self,
        account_names: &BTreeMap<String, String>,
        management: &str,
    ) -> Result<Option<IdentityCenterFile>, ImportError> {
        let instances_file = "sso-admin/instances.json";
        let Some(instances) = self.read::<aws::ListInstances>(instances_file)? else {
            return Ok(None);
        };
        let Some(instance) = instances.instances.first() else {
            return Ok(None);
        };
        for (i, other) in instances.instances.iter().enumerate().skip(1) {
            self.omit(
                "instances",
                instances_file,
                format!("/Instances/{i}"),
                format!(
                    "instance `{}`: the model holds one Identity Center instance, the first",
                    other.instance_arn
                ),
            );
        }
        let instance_account = match &instance.owner_account_id {
            Some(id) => account_names
                .get(id)
                .cloned()
                .ok_or_else(|| ImportError::Value {
                    file: instances_file.to_string(),
                    path: "/Instances/0/OwnerAccountId".to_string(),
                    message: format!("account {id} is not in the organization"),
                })?,
            None => management.to_string(),
        };

        // The portal URL and region are in no API response: the export script writes them.
        let settings_file = "sso-admin/settings.json";
        let settings: aws::SsoSettingsExport = self.read(settings_file)?.unwrap_or_default();
        let start_url = settings.start_url.or_else(|| {
            // The default portal URL names the identity store (`d-1234567890`).
            instance
                .identity_store_id
                .as_deref()
                .filter(|id| {
                    id.strip_prefix("d-").is_some_and(|rest| {
                        rest.len() == 10 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
                    })
                })
                .map(|id| format!("https://{id}.awsapps.com/start"))
        });
        let region = settings.region;
        if start_url.is_none() || region.is_none() {
            self.omit(
                "sso-settings",
                settings_file,
                String::new(),
                "the AWS access portal URL or the Identity Center region is not in the export; add `start_url` and `region` to `identity_center` (the `aws-config` target needs them)".to_string(),
            );
        }

        // Users and groups by id.
        let users_file = "identitystore/users.json";
        let users: aws::ListUsers = self.require(users_file, "aws identitystore list-users")?;
        let groups_file = "identitystore/groups.json";
        let groups: aws::ListGroups = self.require(groups_file, "aws identitystore list-groups")?;
        let mut user_names: BTreeMap<&str, &str> = BTreeMap::new();
        let mut sso_users: BTreeMap<String, SsoUser> = BTreeMap::new();
        for (i, u) in users.users.iter().enumerate() {
            user_names.insert(&u.user_id, &u.user_name);
            let name = u.name.clone().unwrap_or_default();
            let email = u
                .emails
                .iter()
                .find(|e| e.primary)
                .or_else(|| u.emails.first())
                .map(|e| e.value.clone());
            let given = name.given_name.clone();
            let family = name.family_name.clone();
            let display = u.display_name.clone();
            if given.is_none() || family.is_none() || email.is_none() || display.is_none() {
                self.omit(
                    "sso-user-incomplete",
                    users_file,
                    format!("/Users/{i}"),
                    format!(
                        "user `{}` lacks a given name, family name, display name or email; the user name stands in for what is missing",
                        u.user_name
                    ),
                );
            }
            let or_name = |v: Option<String>| v.unwrap_or_else(|| u.user_name.clone());
            sso_users.insert(
                u.user_name.clone(),
                SsoUser {
                    display_name: or_name(display),
                    given_name: or_name(given),
                    family_name: or_name(family),
                    email: or_name(email),
                    groups: Vec::new(),
                    membership_ids: BTreeMap::new(),
                },
            );
        }
        let mut group_names: BTreeMap<&str, &str> = BTreeMap::new();
        let mut sso_groups = BTreeMap::new();
        for g in &groups.groups {
            group_names.insert(&g.group_id, &g.display_name);
            sso_groups.insert(
                g.display_name.clone(),
                SsoGroup {
                    description: g.description.clone().filter(|d| !d.is_empty()),
                },
            );
            let file = format!("identitystore/memberships/{}.json", g.group_id);
            let memberships: aws::ListMemberships = self.require(
                &file,
                &format!(
                    "aws identitystore list-group-memberships --group-id {}",
                    g.group_id
                ),
            )?;
            for (i, m) in memberships.group_memberships.iter().enumerate() {
                let user = m
                    .member_id
                    .user_id
                    .as_deref()
                    .and_then(|id| user_names.get(id))
                    .and_then(|n| sso_users.get_mut(*n));
                match user {
                    Some(user) => {
                        user.groups.push(g.display_name.clone());
                        if let Some(id) = &m.membership_id {
                            user.membership_ids
                                .insert(g.display_name.clone(), id.clone());
                        }
                    }
                    None => self.omit(
                        "unknown-principal",
                        &file,
                        format!("/GroupMemberships/{i}"),
                        format!(
                            "a member of group `{}` is not a user of `identitystore/users.json`",
                            g.display_name
                        ),
                    ),
                }
            }
        }
        for user in sso_users.values_mut() {
            user.groups.sort();
            user.groups.dedup();
        }

        let sets_file = "sso-admin/permission-sets.json";
        let sets: aws::ListPermissionSets =
            self.require(sets_file, "aws sso-admin list-permission-sets")?;
        let mut permission_sets = BTreeMap::new();
        // (group or user, name, permission set) → accounts
        let mut grants: BTreeMap<(bool, String, String), BTreeSet<String>> = BTreeMap::new();
        for arn in &sets.permission_sets {
            let id = arn.rsplit('/').next().unwrap_or(arn);
            let dir = format!("sso-admin/permission-set/{id}");
            let cmd = |c: &str| format!("aws sso-admin {c} --permission-set-arn {arn}");
            let described: aws::DescribePermissionSet = self.require(
                &format!("{dir}/describe.json"),
                &cmd("describe-permission-set"),
            )?;
            let ps = described.permission_set;
            let mut set = PermissionSetFile {
                description: ps.description.clone().filter(|d| !d.is_empty()),
                session_duration: ps.session_duration.clone(),
                relay_state: ps.relay_state.clone().filter(|r| !r.is_empty()),
                ..PermissionSetFile::default()
            };
            let managed: aws::ListManagedPolicies = self.require(
                &format!("{dir}/managed-policies.json"),
                &cmd("list-managed-policies-in-permission-set"),
            )?;
            for (i, m) in managed.attached_managed_policies.iter().enumerate() {
                match m
                    .arn
                    .strip_prefix(AWS_POLICY_PREFIX)
                    .and_then(|r| r.rsplit('/').next())
                {
                    Some(name) => set.aws_managed_policies.push(name.to_string()),
                    None => {
                        return Err(ImportError::Value {
                            file: format!("{dir}/managed-policies.json"),
                            path: format!("/AttachedManagedPolicies/{i}/Arn"),
                            message: format!("`{}` is not an AWS managed policy ARN", m.arn),
                        });
                    }
                }
            }
            let inline_file = format!("{dir}/inline-policy.json");
            let inline: aws::GetInlinePolicy =
                self.require(&inline_file, &cmd("get-inline-policy-for-permission-set"))?;
            if let Some(text) = inline.inline_policy.filter(|t| !t.trim().is_empty()) {
                set.inline_policy = Some(self.document(
                    &serde_json::Value::String(text),
                    &inline_file,
                    "/InlinePolicy",
                )?);
            }
            let customer: aws::ListCustomerPolicies = self.require(
                &format!("{dir}/customer-managed-policies.json"),
                &cmd("list-customer-managed-policy-references-in-permission-set"),
            )?;
            set.customer_managed_policies = customer
                .customer_managed_policy_references
                .iter()
                .map(|r| CustomerPolicyRefFile {
                    name: r.name.clone(),
                    path: r.path.clone().filter(|p| p != "/"),
                })
                .collect();
            if let Some(b) =
                self.read::<aws::GetBoundary>(&format!("{dir}/permissions-boundary.json"))?
            {
                let b = b.permissions_boundary;
                set.permissions_boundary =
                    match (b.customer_managed_policy_reference, b.managed_policy_arn) {
                        (Some(r), _) => Some(PermissionSetBoundaryFile::CustomerManaged(
                            CustomerPolicyRefFile {
                                name: r.name,
                                path: r.path.filter(|p| p != "/"),
                            },
                        )),
                        (None, Some(arn)) => arn
                            .strip_prefix(AWS_POLICY_PREFIX)
                            .and_then(|r| r.rsplit('/').next())
                            .map(|n| PermissionSetBoundaryFile::AwsManaged(n.to_string())),
                        (None, None) => None,
                    };
            }
            if let Some(t) = self.read::<aws::ListTags>(&format!("{dir}/tags.json"))? {
                set.tags = tags(&t.tags);
            }
            let provisioned: aws::ListProvisionedAccounts = self
                .read(&format!("{dir}/accounts.json"))?
                .unwrap_or_default();
            for account_id in &provisioned.account_ids {
                let file = format!("{dir}/assignments/{account_id}.json");
                let assignments: aws::ListAssignments = self.require(
                    &file,
                    &format!("aws sso-admin list-account-assignments --account-id {account_id} --permission-set-arn {arn}"),
                )?;
                for (i, a) in assignments.account_assignments.iter().enumerate() {
                    let Some(account) = account_names.get(&a.account_id) else {
                        self.omit(
                            "unknown-principal",
                            &file,
                            format!("/AccountAssignments/{i}"),
                            format!("account {} is not in the organization", a.account_id),
                        );
                        continue;
                    };
                    let principal = match a.principal_type.as_str() {
                        "GROUP" => group_names.get(a.principal_id.as_str()).map(|n| (true, n)),
                        "USER" => user_names.get(a.principal_id.as_str()).map(|n| (false, n)),
                        _ => None,
                    };
                    match principal {
                        Some((group, name)) => {
                            grants
                                .entry((group, name.to_string(), ps.name.clone()))
                                .or_default()
                                .insert(account.clone());
                        }
                        None => self.omit(
                            "unknown-principal",
                            &file,
                            format!("/AccountAssignments/{i}"),
                            format!(
                                "{} `{}` is not in the identity store listings",
                                a.principal_type.to_ascii_lowercase(),
                                a.principal_id
                            ),
                        ),
                    }
                }
            }
            permission_sets.insert(ps.name.clone(), set);
        }
        // Groups first (as a model lists them), then users; each by name and permission set.
        let mut assignments: Vec<AssignmentFile> = Vec::new();
        for group in [true, false] {
            for ((g, name, set), accounts) in &grants {
                if *g != group {
                    continue;
                }
                assignments.push(AssignmentFile {
                    group: group.then(|| name.clone()),
                    user: (!group).then(|| name.clone()),
                    permission_set: set.clone(),
                    accounts: accounts.iter().cloned().collect(),
                    units: Vec::new(),
                });
            }
        }
        // Users that a SCIM provisioner created carry `ExternalIds`.
        let identity_source = if users.users.iter().any(|u| !u.external_ids.is_empty()) {
            crate::model::IdentitySource::ExternalIdentityProvider
        } else {
            crate::model::IdentitySource::IdentityCenterDirectory
        };
        Ok(Some(IdentityCenterFile {
            instance_account,
            start_url,
            region,
            sso_session: None,
            profile_region: None,
            profile_output: None,
            identity_source,
            users: sso_users,
            groups: sso_groups,
            permission_sets,
            assignments,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> Model {
        let text = std::fs::read_to_string(format!("../examples/{name}.json")).unwrap();
        Model::from_json(&text).unwrap()
    }

    #[test]
    fn policy_and_membership_ids_survive_export_and_import() {
        let mut file = crate::model::file::encode(&example("organization"));
        let scp = file.organization.scps.get_mut("SandboxRegions").unwrap();
        scp.id = Some("p-sandbox_regions".to_string());
        let ic = file.identity_center.as_mut().unwrap();
        let alice = ic.users.get_mut("alice@example.com").unwrap();
        alice.membership_ids.insert(
            "AWS-Admins".to_string(),
            "a1b2c3d4-5678-90ab-cdef-000000000001".to_string(),
        );
        let model = Model::from_json(&serde_json::to_string(&file).unwrap()).unwrap();
        let imported = import(&export_of(&model)).unwrap().model;
        let org = imported.organization();
        assert_eq!(org.scps()["SandboxRegions"].id(), Some("p-sandbox_regions"));
        // What the model has no id for gets one of AWS's form, made up from its name.
        let made_up = org.scps()["DenyLeaveOrganization"].id().unwrap();
        assert!(crate::model::is_policy_id(made_up), "{made_up}");
        let alice = &imported.identity_center().unwrap().users()["alice@example.com"];
        assert_eq!(
            alice.membership_ids["AWS-Admins"],
            "a1b2c3d4-5678-90ab-cdef-000000000001"
        );
        let made_up = &alice.membership_ids["AWS-Developers"];
        assert!(crate::model::is_membership_id(made_up), "{made_up}");
    }

    #[test]
    fn import_of_an_export_is_a_fixed_point() {
        for name in [
            "organization",
            "small-team",
            "third-party",
            "iam-users",
            "web-backend",
        ] {
            let first = import(&export_of(&example(name))).unwrap();
            let second = import(&export_of(&first.model)).unwrap();
            assert_eq!(second.model, first.model, "{name}");
            assert_eq!(second.model.to_json(), first.model.to_json(), "{name}");
            // The portal URL, the region and the identity source survive the export.
            let sso = |m: &Model| {
                crate::model::file::encode(m)
                    .identity_center
                    .map(|ic| (ic.start_url, ic.region, ic.identity_source))
            };
            assert_eq!(sso(&first.model), sso(&example(name)), "{name}");
            let report = crate::validate::validate(&first.model);
            assert!(!report.has_errors(), "{name}: {:?}", report.findings());
        }
    }
}
