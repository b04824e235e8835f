//! `import` blocks for the resources of each module (`<dir>/imports.tf.json`), for a model
//! imported from a live account (`iam-codegen import`): the first `terraform plan` adopts
//! what exists instead of creating it. `import { for_each … }` needs Terraform 1.7 or later.
//!
//! Read from the rendered modules, so it follows whatever resources and names the emitter
//! writes: each IAM resource gets the import id its provider documentation gives (a name,
//! an ARN, or `holder/policy-arn`, `holder:policy`, `user/group1/group2` for attachments,
//! inline policies and memberships). The ids the model does not hold are looked up by name
//! at plan time with data sources this file adds (`import_`-prefixed data sources and
//! locals): OUs (`aws_organizations_organizational_units` of their parent), Identity Center
//! permission sets (`aws_ssoadmin_permission_set`), groups and users
//! (`aws_identitystore_group`/`_user` by `DisplayName`/`UserName`), and from those the
//! permission sets' policy attachments and the account assignments (one `import` with
//! `for_each` over `local.account_assignments`). SCPs/RCPs, their attachments and group
//! memberships are imported by the ids the model keeps (`id` of a policy, `membership_ids`
//! of a user, which `iam-codegen import` reads from the export): no data source of the
//! provider finds a policy or a membership id by name, so one whose id the model lacks gets
//! no block, and [`missing_ids`] names it. Budgets get none. Member accounts get theirs from
//! the Organizations module ([`super::ORGANIZATIONS_DIR`],
//! [`super::TerraformOptions::import_accounts`]).
use std::fmt;

use iam_model::model::names::{EntityKind, terraform_name};
use iam_model::model::{Model, OrgPolicy, Target};
use iam_model::policy::Kind;
use serde_json::{Map, Value, json};

use super::management::{ROOT_ID, attachment_name, membership_key, unit_name};
use super::{IDENTITY_STORE_DIR, ORGANIZATIONS_DIR, unit_id_among};
use crate::emit::{Artifacts, EmitError};

/// A resource that `--import-existing` writes no `import` block for, because the model
/// lacks the id AWS gave it (a model written by hand, or a policy or membership not created
/// yet): the first `terraform plan` creates it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MissingId {
    /// The module directory under `terraform/` (`management/organizations`).
    pub module: String,
    /// The resource address in the module: `aws_organizations_policy.scp_deny_leave`,
    /// `aws_identitystore_group_membership.this["<user>_in_<group>"]`.
    pub address: String,
    /// What has no id, in one line.
    pub what: String,
}

impl fmt::Display for MissingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no import block for `{}` in `terraform/{}`: {}",
            self.address, self.module, self.what
        )
    }
}

/// One SCP/RCP, attachment or membership resource and its import id, if the model has it.
struct Planned {
    module: String,
    ty: &'static str,
    name: String,
    id: Option<String>,
    what: String,
}

/// The organization's policies and attachments (in the Organizations module) and the group
/// memberships (in the identity store's module, or a delegated administrator's), with the import
/// ids the model gives them.
// Import ids, from the provider's documentation (registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/…#import):
// organizations_policy `POLICY_ID` (`p-12345678`); organizations_policy_attachment
// `TARGET_ID:POLICY_ID` (`123456789012:p-12345678`); identitystore_group_membership
// `IDENTITY_STORE_ID/MEMBERSHIP_ID` (`d-0000000000/00000000-0000-0000-0000-000000000000`).
fn planned(model: &Model) -> Vec<Planned> {
    fn policies<K: Kind>(
        model: &Model,
        kind: EntityKind,
        label: &str,
        named: &std::collections::BTreeMap<iam_model::model::names::OrgPolicyName, OrgPolicy<K>>,
        out: &mut Vec<Planned>,
    ) {
        for (name, policy) in named {
            let tf = terraform_name(kind, name.as_str());
            let id = policy.id().map(str::to_string);
            let missing = format!("{label} `{name}` has no `id` in the model");
            out.push(Planned {
                module: ORGANIZATIONS_DIR.to_string(),
                ty: "aws_organizations_policy",
                name: tf.clone(),
                id: id.clone(),
                what: missing.clone(),
            });
            for target in policy.targets() {
                let target_id = match target {
                    Target::Root => Some(ROOT_ID.to_string()),
                    Target::Unit(path) => {
                        Some(format!("${{local.import_unit_{}}}", unit_name(path)))
                    }
                    Target::Account(account) => {
                        model.account(account.as_str()).map(|a| a.id().to_string())
                    }
                };
                out.push(Planned {
                    module: ORGANIZATIONS_DIR.to_string(),
                    ty: "aws_organizations_policy_attachment",
                    name: attachment_name(&tf, target),
                    id: id
                        .as_ref()
                        .zip(target_id)
                        .map(|(id, target)| format!("{target}:{id}")),
                    what: format!("{missing} (attached to `{target}`)"),
                });
            }
        }
    }
    let mut out = Vec::new();
    let org = model.organization();
    policies(model, EntityKind::Scp, "SCP", org.scps(), &mut out);
    policies(model, EntityKind::Rcp, "RCP", org.rcps(), &mut out);
    // With an external identity provider the memberships are the provider's, not resources.
    if let Some(ic) = model.identity_center()
        && !ic.source().is_external()
    {
        // The identity store's module (the built-in directory, with users, in the
        // management account), or a delegated administrator's account module.
        let module = if super::management::identity_store_apart(model, ic) {
            IDENTITY_STORE_DIR.to_string()
        } else {
            ic.instance_account().to_string()
        };
        for (user_name, user) in ic.users() {
            let user_tf = terraform_name(EntityKind::SsoUser, user_name);
            for group in &user.groups {
                out.push(Planned {
                    module: module.clone(),
                    ty: "aws_identitystore_group_membership",
                    name: membership_key(&user_tf, &terraform_name(EntityKind::SsoGroup, group)),
                    id: user.membership_ids.get(group).cloned(),
                    what: format!(
                        "user `{user_name}` has no membership id for group `{group}` in the model"
                    ),
                });
            }
        }
    }
    out
}

/// The SCPs/RCPs, attachments and group memberships that `--import-existing` writes no
/// `import` block for, because the model lacks their ids, in module and model order. The
/// CLI prints them as notes.
///
/// ```
/// use iam_model::model::Model;
/// let model = Model::from_json(&std::fs::read_to_string("../examples/organization.json")?)?;
/// let missing = iam_codegen::emit::terraform::imports::missing_ids(&model);
/// assert_eq!(missing[0].to_string(),
///     "no import block for `aws_organizations_policy.scp_deny_leave_organization` in `terraform/management/organizations`: SCP `DenyLeaveOrganization` has no `id` in the model");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn missing_ids(model: &Model) -> Vec<MissingId> {
    planned(model)
        .into_iter()
        .filter(|p| p.id.is_none())
        .map(|p| MissingId {
            address: if p.ty == "aws_identitystore_group_membership" {
                format!("{}.this[\"{}\"]", p.ty, p.name)
            } else {
                format!("{}.{}", p.ty, p.name)
            },
            module: p.module,
            what: p.what,
        })
        .collect()
}

/// The file next to each `main.tf.json`.
pub const FILE: &str = "imports.tf.json";

fn unescape(text: &str) -> String {
    text.replace("$${", "${").replace("%%{", "%{")
}

/// The module's resources: type → name → body.
struct Resources<'a> {
    resources: &'a Map<String, Value>,
    account: String,
}

impl Resources<'_> {
    fn body(&self, ty: &str, name: &str) -> Option<&Map<String, Value>> {
        self.resources.get(ty)?.get(name)?.as_object()
    }

    fn attr(&self, body: &Map<String, Value>, key: &str) -> Option<String> {
        self.value(body.get(key)?.as_str()?)
    }

    /// A literal, or the value a `${type.name.attribute}` reference stands for.
    fn value(&self, text: &str) -> Option<String> {
        let Some(inner) = text.strip_prefix("${").and_then(|t| t.strip_suffix('}')) else {
            return Some(unescape(text));
        };
        let mut parts = inner.split('.');
        let (ty, name, attribute) = (parts.next()?, parts.next()?, parts.next()?);
        let body = self.body(ty, name)?;
        match (ty, attribute) {
            (_, "name") => self.attr(body, "name"),
            ("aws_iam_policy", "arn") => Some(self.policy_arn(body)?),
            _ => None,
        }
    }

    fn policy_arn(&self, body: &Map<String, Value>) -> Option<String> {
        let path = self.attr(body, "path").unwrap_or_else(|| "/".to_string());
        let name = self.attr(body, "name")?;
        Some(format!("arn:aws:iam::{}:policy{path}{name}", self.account))
    }

    /// The import id of one resource, if it is an IAM resource.
    fn id(&self, ty: &str, body: &Map<String, Value>) -> Option<String> {
        let attr = |k: &str| self.attr(body, k);
        match ty {
            "aws_iam_role" | "aws_iam_user" | "aws_iam_group" | "aws_iam_instance_profile" => {
                attr("name")
            }
            "aws_iam_policy" => self.policy_arn(body),
            "aws_iam_openid_connect_provider" => {
                let url = attr("url")?;
                let host = url.strip_prefix("https://").unwrap_or(&url).to_string();
                Some(format!(
                    "arn:aws:iam::{}:oidc-provider/{host}",
                    self.account
                ))
            }
            "aws_iam_saml_provider" => Some(format!(
                "arn:aws:iam::{}:saml-provider/{}",
                self.account,
                attr("name")?
            )),
            "aws_iam_role_policy" => Some(format!("{}:{}", attr("role")?, attr("name")?)),
            "aws_iam_user_policy" => Some(format!("{}:{}", attr("user")?, attr("name")?)),
            "aws_iam_group_policy" => Some(format!("{}:{}", attr("group")?, attr("name")?)),
            "aws_iam_role_policy_attachment" => {
                Some(format!("{}/{}", attr("role")?, attr("policy_arn")?))
            }
            "aws_iam_user_policy_attachment" => {
                Some(format!("{}/{}", attr("user")?, attr("policy_arn")?))
            }
            "aws_iam_group_policy_attachment" => {
                Some(format!("{}/{}", attr("group")?, attr("policy_arn")?))
            }
            "aws_iam_user_group_membership" => {
                let mut id = attr("user")?;
                for g in body.get("groups")?.as_array()? {
                    id.push('/');
                    id.push_str(&self.value(g.as_str()?)?);
                }
                Some(id)
            }
            "aws_iam_account_password_policy" => Some("iam-account-password-policy".to_string()),
            _ => None,
        }
    }
}

/// The data sources, locals and import blocks for the resources whose ids are found by name
/// at plan time.
#[derive(Default)]
struct Lookups {
    data: Map<String, Value>,
    locals: Map<String, Value>,
    blocks: Vec<Value>,
}

impl Lookups {
    fn data(&mut self, ty: &str, name: String, body: Value) {
        if let Some(named) = self
            .data
            .entry(ty.to_string())
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
        {
            named.insert(name, body);
        }
    }

    fn import(&mut self, to: String, id: String) {
        self.blocks.push(json!({"to": to, "id": id}));
    }

    /// OUs: each found among its parent's children by name. Per-OU locals (not one map), so
    /// a nested OU's lookup depends on its parent's only.
    // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/organizations_organizational_units
    // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/organizations_organizational_unit#import (the OU id)
    fn units(&mut self, resources: &Map<String, Value>) {
        let Some(units) = resources
            .get("aws_organizations_organizational_unit")
            .and_then(Value::as_object)
        else {
            return;
        };
        for (tf, body) in units {
            let (Some(name), Some(parent)) = (
                body.get("name").and_then(Value::as_str),
                body.get("parent_id").and_then(Value::as_str),
            ) else {
                continue;
            };
            let (children, parent_id) = if let Some(p) = parent
                .strip_prefix("${aws_organizations_organizational_unit.")
                .and_then(|p| p.strip_suffix(".id}"))
            {
                (
                    format!("import_children_of_{p}"),
                    format!("${{local.import_unit_{p}}}"),
                )
            } else {
                ("import_children_of_root".to_string(), parent.to_string())
            };
            self.data(
                "aws_organizations_organizational_units",
                children.clone(),
                json!({"parent_id": parent_id}),
            );
            self.locals.insert(
                format!("import_unit_{tf}"),
                Value::from(unit_id_among(&children, name)),
            );
            self.import(
                format!("aws_organizations_organizational_unit.{tf}"),
                format!("${{local.import_unit_{tf}}}"),
            );
        }
    }

    /// SCPs/RCPs and their attachments by the policy ids of the model, and the group
    /// memberships by its membership ids (one `import` with `for_each` over
    /// `local.import_membership_ids`, as the memberships are one resource with `for_each`).
    fn by_model_ids(&mut self, dir: &str, resources: &Map<String, Value>, planned: &[Planned]) {
        let exists = |ty: &str, name: &str| resources.get(ty).and_then(|r| r.get(name)).is_some();
        let mut memberships = Map::new();
        for p in planned.iter().filter(|p| p.module == dir) {
            let Some(id) = &p.id else {
                continue;
            };
            if p.ty == "aws_identitystore_group_membership" {
                if exists(p.ty, "this") {
                    memberships.insert(p.name.clone(), Value::from(id.clone()));
                }
            } else if exists(p.ty, &p.name) {
                self.import(format!("{}.{}", p.ty, p.name), id.clone());
            }
        }
        if !memberships.is_empty() {
            self.locals.insert(
                "import_membership_ids".to_string(),
                Value::Object(memberships),
            );
            self.blocks.push(json!({
                "for_each": "${local.import_membership_ids}",
                "to": "aws_identitystore_group_membership.this[each.key]",
                "id": "${local.identity_store_id}/${each.value}",
            }));
        }
    }

    /// Identity Center: permission sets by name, groups by display name, users by user name,
    /// then what refers to them.
    // Import ids, from the provider's documentation (registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/…#import):
    // ssoadmin_permission_set `PERMISSION_SET_ARN,INSTANCE_ARN`; ssoadmin_permission_set_inline_policy
    // and ssoadmin_permissions_boundary_attachment `PERMISSION_SET_ARN,INSTANCE_ARN`;
    // ssoadmin_managed_policy_attachment `MANAGED_POLICY_ARN,PERMISSION_SET_ARN,INSTANCE_ARN`;
    // ssoadmin_customer_managed_policy_attachment `NAME,PATH,PERMISSION_SET_ARN,INSTANCE_ARN`;
    // identitystore_group `IDENTITY_STORE_ID/GROUP_ID`, identitystore_user `IDENTITY_STORE_ID/USER_ID`;
    // ssoadmin_account_assignment `PRINCIPAL_ID,PRINCIPAL_TYPE,TARGET_ID,TARGET_TYPE,PERMISSION_SET_ARN,INSTANCE_ARN`.
    fn identity_center(&mut self, resources: &Map<String, Value>) {
        const INSTANCE: &str = "${local.sso_instance_arn}";
        let named = |ty: &str| resources.get(ty).and_then(Value::as_object);
        let mut set_arns = Map::new();
        for (tf, body) in named("aws_ssoadmin_permission_set").into_iter().flatten() {
            let Some(name) = body.get("name").and_then(Value::as_str) else {
                continue;
            };
            self.data(
                "aws_ssoadmin_permission_set",
                format!("import_{tf}"),
                json!({"instance_arn": INSTANCE, "name": name}),
            );
            let arn = format!("data.aws_ssoadmin_permission_set.import_{tf}.arn");
            set_arns.insert(tf.clone(), Value::from(format!("${{{arn}}}")));
            self.import(
                format!("aws_ssoadmin_permission_set.{tf}"),
                format!("${{{arn}}},{INSTANCE}"),
            );
        }
        // The permission set of an attachment, as its looked-up ARN.
        let set_arn = |body: &Value| -> Option<String> {
            let tf = body
                .get("permission_set_arn")?
                .as_str()?
                .strip_prefix("${aws_ssoadmin_permission_set.")?
                .strip_suffix(".arn}")?;
            Some(format!(
                "${{data.aws_ssoadmin_permission_set.import_{tf}.arn}}"
            ))
        };
        for ty in [
            "aws_ssoadmin_permission_set_inline_policy",
            "aws_ssoadmin_permissions_boundary_attachment",
        ] {
            for (tf, body) in named(ty).into_iter().flatten() {
                if let Some(set) = set_arn(body) {
                    self.import(format!("{ty}.{tf}"), format!("{set},{INSTANCE}"));
                }
            }
        }
        let ty = "aws_ssoadmin_managed_policy_attachment";
        for (tf, body) in named(ty).into_iter().flatten() {
            if let (Some(set), Some(policy)) = (
                set_arn(body),
                body.get("managed_policy_arn").and_then(Value::as_str),
            ) {
                self.import(format!("{ty}.{tf}"), format!("{policy},{set},{INSTANCE}"));
            }
        }
        let ty = "aws_ssoadmin_customer_managed_policy_attachment";
        for (tf, body) in named(ty).into_iter().flatten() {
            let reference = body.get("customer_managed_policy_reference");
            if let (Some(set), Some(name)) = (
                set_arn(body),
                reference
                    .and_then(|r| r.get("name"))
                    .and_then(Value::as_str),
            ) {
                let path = reference
                    .and_then(|r| r.get("path"))
                    .and_then(Value::as_str)
                    .unwrap_or("/");
                self.import(
                    format!("{ty}.{tf}"),
                    format!("{name},{path},{set},{INSTANCE}"),
                );
            }
        }
        // Groups and users made by the module, found by name; with an external identity
        // source they are data sources already, and `local.principal_ids` names those.
        let mut principal_ids = Map::new();
        for (ty, attribute, path, id) in [
            (
                "aws_identitystore_group",
                "display_name",
                "DisplayName",
                "group_id",
            ),
            ("aws_identitystore_user", "user_name", "UserName", "user_id"),
        ] {
            for (tf, body) in named(ty).into_iter().flatten() {
                let Some(value) = body.get(attribute).and_then(Value::as_str) else {
                    continue;
                };
                self.data(
                    ty,
                    format!("import_{tf}"),
                    json!({
                        "identity_store_id": "${local.identity_store_id}",
                        "alternate_identifier": {"unique_attribute": {
                            "attribute_path": path, "attribute_value": value
                        }}
                    }),
                );
                let found = format!("data.{ty}.import_{tf}.{id}");
                principal_ids.insert(tf.clone(), Value::from(format!("${{{found}}}")));
                self.import(
                    format!("{ty}.{tf}"),
                    format!("${{local.identity_store_id}}/${{{found}}}"),
                );
            }
        }
        let assignments = named("aws_ssoadmin_account_assignment")
            .and_then(|a| a.get("this"))
            .and_then(|a| a.get("for_each"))
            .and_then(Value::as_str);
        if assignments == Some("${local.account_assignments}") {
            let principals = if principal_ids.is_empty() {
                "local.principal_ids"
            } else {
                // Not `local.principal_ids`: it names the resources being imported, whose
                // ids are not known when the plan reads the import ids.
                self.locals.insert(
                    "import_principal_ids".to_string(),
                    Value::Object(principal_ids),
                );
                "local.import_principal_ids"
            };
            self.locals.insert(
                "import_permission_set_arns".to_string(),
                Value::Object(set_arns),
            );
            self.blocks.push(json!({
                "for_each": "${local.account_assignments}",
                "to": "aws_ssoadmin_account_assignment.this[each.key]",
                "id": format!(
                    "${{{principals}[each.value.principal]}},${{each.value.principal_type}},${{each.value.account_id}},AWS_ACCOUNT,${{local.import_permission_set_arns[each.value.permission_set]}},{INSTANCE}"
                ),
            }));
        }
    }
}

/// Add `<dir>/imports.tf.json` next to every `<dir>/main.tf.json` that has resources to
/// import.
///
/// # Errors
///
/// [`EmitError::Collision`] when the module directory already has the file.
pub fn add(artifacts: &mut Artifacts, model: &Model) -> Result<(), EmitError> {
    let planned = planned(model);
    let mut out = Vec::new();
    for (path, bytes) in artifacts.iter() {
        let Some(dir) = path.strip_suffix("/main.tf.json") else {
            continue;
        };
        let Ok(module) = serde_json::from_slice::<Value>(bytes) else {
            continue;
        };
        let account = module
            .pointer("/provider/aws/allowed_account_ids/0")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let Some(resources) = module.get("resource").and_then(Value::as_object) else {
            continue;
        };
        let module = Resources { resources, account };
        let mut lookups = Lookups::default();
        lookups.units(resources);
        lookups.by_model_ids(dir, resources, &planned);
        lookups.identity_center(resources);
        let mut blocks = std::mem::take(&mut lookups.blocks);
        for (ty, named) in resources {
            let Some(named) = named.as_object() else {
                continue;
            };
            for (name, body) in named {
                let Some(body) = body.as_object() else {
                    continue;
                };
                if let Some(id) = module.id(ty, body) {
                    blocks.push(json!({"to": format!("{ty}.{name}"), "id": id}));
                }
            }
        }
        if !blocks.is_empty() {
            let mut file = Map::new();
            if !lookups.data.is_empty() {
                file.insert("data".to_string(), Value::Object(lookups.data));
            }
            if !lookups.locals.is_empty() {
                file.insert("locals".to_string(), Value::Object(lookups.locals));
            }
            file.insert("import".to_string(), Value::Array(blocks));
            out.push((
                format!("{dir}/{FILE}"),
                iam_model::json::to_pretty(&Value::Object(file)),
            ));
        }
    }
    for (path, text) in out {
        artifacts.insert(path, text)?;
    }
    Ok(())
}
