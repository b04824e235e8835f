//! The `terraform` target: Terraform root modules in JSON syntax (`.tf.json`), one directory
//! per account, for `terraform init && terraform plan` in each.
//!
//! # Layout
//!
//! ```text
//! terraform/
//!   README.md                  what is here and what the operator runs
//!   management/main.tf.json    the management account: Organizations (OUs, member accounts,
//!                              SCPs, RCPs and their attachments), budgets, IAM Identity Center
//!                              (when its instance is in the management account), and the
//!                              management account's own IAM entities
//!   <account>/main.tf.json     every other account that has IAM entities (or holds a
//!                              delegated Identity Center instance)
//! ```
//!
//! The management account's own IAM entities go in `management/`, not in a directory of its
//! own: one account, one set of credentials, one state. Accounts with no IAM entities get no
//! directory (their module would plan nothing).
//!
//! # What each module holds
//!
//! - `terraform.required_providers.aws`: `hashicorp/aws`, version [`TerraformOptions::provider_version`]
//!   (`~> 6.0`).
//! - `provider.aws`: `region = var.region`, `allowed_account_ids = ["<account id>"]` (the
//!   provider refuses to touch any other account), and for member accounts
//!   `assume_role { role_arn = "arn:aws:iam::<account id>:role/${var.assume_role_name}" }`:
//!   the operator runs every module with management-account credentials. The management
//!   module assumes no role unless [`TerraformOptions::management_assume_role`] is set.
//! - `variable`s for what the model cannot know: `region` and `assume_role_name` (with
//!   defaults from the options), and `<saml provider>_metadata_file`, the path of each SAML
//!   provider's metadata XML (no default: the path depends on where Terraform runs).
//! - `output`s for the ARNs a pipeline needs: roles, customer managed policies, instance
//!   profiles, OIDC and SAML providers; in the management module also OU ids, policy ids,
//!   permission set ARNs, Identity Center group ids, the instance ARN and identity store id.
//!
//! # Names and values
//!
//! Resource names come from [`terraform_name`]; resources made of two entities (an
//! attachment, a membership, an assignment) join the names of both, documented at each. All
//! policy documents are written as JSON strings in canonical compact form
//! ([`iam_model::policy::PolicyDocument::canonical`]), so what AWS returns compares equal and
//! plans show no spurious diffs. Every literal string is escaped for Terraform's template
//! syntax (`${` → `$${`, `%{` → `%%{`), so IAM policy variables such as `${aws:username}`
//! reach AWS unchanged. ARNs are literal `arn:aws:` (the partition of the model and of the
//! AWS managed policy catalogue) rather than `data.aws_partition`: every value is known at
//! plan time and the goldens read like what AWS will hold.
//!
//! # Example
//!
//! ```
//! use iam_codegen::emit::{EmitOptions, terraform};
//! let model = iam_model::model::synthetic::organization(2, 1, 1, 1, 1);
//! let files = terraform::emit(&model, &EmitOptions::default())?;
//! let main = String::from_utf8(files.get("management/main.tf.json").unwrap_or_default().to_vec())?;
//! assert!(main.contains("\"source\": \"hashicorp/aws\""));
//! assert!(main.contains("\"version\": \"~> 6.0\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! An account module starts like this (from `tests/models/valid/organization.json`):
//!
//! ```json
//! "provider": {
//!   "aws": {
//!     "allowed_account_ids": ["222222222222"],
//!     "assume_role": {
//!       "role_arn": "arn:aws:iam::222222222222:role/${var.assume_role_name}",
//!       "session_name": "iam-codegen"
//!     },
//!     "region": "${var.region}"
//!   }
//! },
//! "resource": {
//!   "aws_iam_role": {
//!     "role_ci_deploy": {
//!       "assume_role_policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\", ...",
//!       "description": "GitHub Actions deploys from main",
//!       "max_session_duration": 3600,
//!       "name": "ci-deploy",
//!       "path": "/",
//! ```
mod iam;
mod management;

use std::collections::BTreeMap;

use iam_model::model::Model;
use iam_model::model::names::{AccountName, EntityKind, terraform_name};
use iam_model::policy::{Kind, Policy};
use serde::Serialize;
use serde_json::{Value, json};

use crate::emit::{Artifacts, EmitError, EmitOptions};

/// The template of `README.md` at the top of the target directory.
pub const README_TEMPLATE: &str = "terraform/README.md.hbs";

/// The directory of the management account's module.
pub const MANAGEMENT_DIR: &str = "management";

/// Terraform options. `TerraformOptions::default()` gives the documented defaults; change
/// them with the setters.
///
/// ```
/// use iam_codegen::emit::terraform::{IdentityCenterUsers, TerraformOptions};
/// let options = TerraformOptions::default()
///     .region("eu-west-1")
///     .identity_center_users(IdentityCenterUsers::External);
/// assert_eq!(options.provider_version, "~> 6.0");
/// assert_eq!(options.assume_role_name, "OrganizationAccountAccessRole");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TerraformOptions {
    /// The version constraint of `hashicorp/aws`; default `~> 6.0`.
    pub provider_version: String,
    /// The default of each module's `region` variable; default `us-east-1`.
    pub region: String,
    /// The default of the `assume_role_name` variable: the role the provider assumes in each
    /// member account; default `OrganizationAccountAccessRole` (the role Organizations creates
    /// in accounts it creates).
    pub assume_role_name: String,
    /// Whether the management module assumes `assume_role_name` in the management account
    /// too; default `false` (it runs with the operator's management-account credentials).
    pub management_assume_role: bool,
    /// Whether Identity Center users are created by Terraform or looked up; default
    /// [`IdentityCenterUsers::Managed`].
    pub identity_center_users: IdentityCenterUsers,
    /// Whether the management module has an `import` block per member account; default
    /// `true`: the model names accounts by their ids, so they exist and must be imported,
    /// never created.
    pub import_accounts: bool,
}

impl Default for TerraformOptions {
    fn default() -> Self {
        Self {
            provider_version: "~> 6.0".to_string(),
            region: "us-east-1".to_string(),
            assume_role_name: "OrganizationAccountAccessRole".to_string(),
            management_assume_role: false,
            identity_center_users: IdentityCenterUsers::Managed,
            import_accounts: true,
        }
    }
}

impl TerraformOptions {
    /// Set the `hashicorp/aws` version constraint.
    pub fn provider_version(mut self, constraint: impl Into<String>) -> Self {
        self.provider_version = constraint.into();
        self
    }

    /// Set the default region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Set the default role the provider assumes in member accounts.
    pub fn assume_role_name(mut self, name: impl Into<String>) -> Self {
        self.assume_role_name = name.into();
        self
    }

    /// Set whether the management module assumes the role too.
    pub fn management_assume_role(mut self, yes: bool) -> Self {
        self.management_assume_role = yes;
        self
    }

    /// Set where Identity Center users come from.
    pub fn identity_center_users(mut self, users: IdentityCenterUsers) -> Self {
        self.identity_center_users = users;
        self
    }

    /// Set whether member accounts get `import` blocks.
    pub fn import_accounts(mut self, yes: bool) -> Self {
        self.import_accounts = yes;
        self
    }
}

/// Where Identity Center users come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IdentityCenterUsers {
    /// The Identity Center directory is the identity source: each user is an
    /// `aws_identitystore_user` resource.
    #[default]
    Managed,
    /// An external identity provider provisions users (SCIM): each user is an
    /// `aws_identitystore_user` data source looked up by user name, and Terraform never
    /// creates or deletes one.
    External,
}

/// The files of this target, relative to its directory: `README.md` and one
/// `<dir>/main.tf.json` per module.
pub fn emit(model: &Model, options: &EmitOptions) -> Result<Artifacts, EmitError> {
    let tf = &options.terraform;
    let management = model.organization().management_account();
    let sso_account = model.identity_center().map(|ic| ic.instance_account());
    let mut artifacts = Artifacts::new();
    let mut summaries = Vec::new();
    for (name, account) in model.accounts() {
        let is_management = name == management;
        let holds_sso = sso_account == Some(name);
        if !is_management && !holds_sso && account.iam().is_empty() {
            continue;
        }
        let dir = if is_management {
            MANAGEMENT_DIR.to_string()
        } else {
            name.to_string()
        };
        let mut module = Module::new(&dir, name, account.id().to_string(), is_management, tf);
        if is_management {
            management::organization(&mut module, model, tf)?;
        }
        if holds_sso && let Some(ic) = model.identity_center() {
            management::identity_center(&mut module, model, ic, tf)?;
        }
        iam::account(&mut module, account)?;
        summaries.push(module.summary());
        artifacts.insert(format!("{dir}/main.tf.json"), module.render(tf))?;
    }
    let readme = options.templates.render(
        README_TEMPLATE,
        json!({
            "provider_version": tf.provider_version,
            "region": tf.region,
            "assume_role_name": tf.assume_role_name,
            "management_dir": MANAGEMENT_DIR,
            "modules": summaries,
        }),
    )?;
    artifacts.insert("README.md", readme)?;
    Ok(artifacts)
}

/// A root module being built: blocks by type and name, every name checked for collisions.
#[derive(Debug)]
pub(crate) struct Module {
    dir: String,
    account: AccountName,
    account_id: String,
    is_management: bool,
    variables: BTreeMap<String, Value>,
    data: BTreeMap<String, BTreeMap<String, Value>>,
    locals: BTreeMap<String, Value>,
    resources: BTreeMap<String, BTreeMap<String, Value>>,
    imports: Vec<Value>,
    outputs: BTreeMap<String, Value>,
}

/// The top-level object of a `.tf.json` file, in the order people read a module.
#[derive(Serialize)]
struct File<'a> {
    // JSON syntax: a `//` property is a comment.
    // https://developer.hashicorp.com/terraform/language/syntax/json#comment-properties
    #[serde(rename = "//")]
    comment: String,
    terraform: Value,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    variable: &'a BTreeMap<String, Value>,
    provider: Value,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    data: &'a BTreeMap<String, BTreeMap<String, Value>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    locals: &'a BTreeMap<String, Value>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    resource: &'a BTreeMap<String, BTreeMap<String, Value>>,
    #[serde(skip_serializing_if = "<[Value]>::is_empty")]
    import: &'a [Value],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    output: &'a BTreeMap<String, Value>,
}

impl Module {
    fn new(
        dir: &str,
        account: &AccountName,
        account_id: String,
        is_management: bool,
        options: &TerraformOptions,
    ) -> Self {
        let mut module = Self {
            dir: dir.to_string(),
            account: account.clone(),
            account_id,
            is_management,
            variables: BTreeMap::new(),
            data: BTreeMap::new(),
            locals: BTreeMap::new(),
            resources: BTreeMap::new(),
            imports: Vec::new(),
            outputs: BTreeMap::new(),
        };
        module.variables.insert(
            "region".to_string(),
            json!({
                "type": "string",
                "description": "The region of the AWS provider (IAM, Organizations and Identity Center are global or home-region services)",
                "default": literal(&options.region),
            }),
        );
        if module.assumes_role(options) {
            module.variables.insert(
                "assume_role_name".to_string(),
                json!({
                    "type": "string",
                    "description": format!("The role Terraform assumes in account {} ({})", module.account_id, module.account),
                    "default": literal(&options.assume_role_name),
                }),
            );
        }
        module
    }

    fn assumes_role(&self, options: &TerraformOptions) -> bool {
        !self.is_management || options.management_assume_role
    }

    /// Add a resource; a second one with the same type and name is a collision.
    pub(crate) fn resource(&mut self, ty: &str, name: &str, body: Value) -> Result<(), EmitError> {
        insert_named(&mut self.resources, &self.dir, "resource", ty, name, body)
    }

    /// Add a resource unless an identical one is there (assignments listed twice).
    pub(crate) fn resource_once(
        &mut self,
        ty: &str,
        name: &str,
        body: Value,
    ) -> Result<(), EmitError> {
        if self.resources.get(ty).and_then(|m| m.get(name)) == Some(&body) {
            return Ok(());
        }
        self.resource(ty, name, body)
    }

    /// Add a data source.
    pub(crate) fn data(&mut self, ty: &str, name: &str, body: Value) -> Result<(), EmitError> {
        insert_named(&mut self.data, &self.dir, "data", ty, name, body)
    }

    /// Add a local value.
    pub(crate) fn local(&mut self, name: &str, value: Value) {
        self.locals.insert(name.to_string(), value);
    }

    /// Add a variable.
    pub(crate) fn variable(&mut self, name: &str, body: Value) -> Result<(), EmitError> {
        if self.variables.contains_key(name) {
            return Err(self.collision(&format!("variable/{name}")));
        }
        self.variables.insert(name.to_string(), body);
        Ok(())
    }

    /// Add an `import` block.
    pub(crate) fn import(&mut self, to: String, id: String) {
        self.imports.push(json!({ "to": to, "id": id }));
    }

    /// Add an output.
    pub(crate) fn output(
        &mut self,
        name: &str,
        value: String,
        description: String,
    ) -> Result<(), EmitError> {
        if self.outputs.contains_key(name) {
            return Err(self.collision(&format!("output/{name}")));
        }
        self.outputs.insert(
            name.to_string(),
            json!({ "description": literal(&description), "value": value }),
        );
        Ok(())
    }

    fn collision(&self, pointer: &str) -> EmitError {
        EmitError::Collision {
            path: format!("{}/main.tf.json#/{pointer}", self.dir),
        }
    }

    fn provider(&self, options: &TerraformOptions) -> Value {
        let mut aws = serde_json::Map::new();
        aws.insert("region".to_string(), json!("${var.region}"));
        aws.insert("allowed_account_ids".to_string(), json!([self.account_id]));
        if self.assumes_role(options) {
            aws.insert(
                "assume_role".to_string(),
                json!({
                    "role_arn": format!("arn:aws:iam::{}:role/${{var.assume_role_name}}", self.account_id),
                    "session_name": "iam-codegen",
                }),
            );
        }
        json!({ "aws": aws })
    }

    fn summary(&self) -> Value {
        let resources: usize = self.resources.values().map(BTreeMap::len).sum();
        json!({
            "dir": self.dir,
            "account": self.account.as_str(),
            "account_id": self.account_id,
            "management": self.is_management,
            "resources": resources,
            "imports": self.imports.len(),
            "variables": self.variables.iter().map(|(name, v)| json!({
                "name": name,
                "description": v.get("description").cloned().unwrap_or(Value::Null),
                "default": v.get("default").cloned().unwrap_or(Value::Null),
            })).collect::<Vec<_>>(),
        })
    }

    fn render(&self, options: &TerraformOptions) -> String {
        let file = File {
            comment: format!(
                "Generated by iam-codegen from the access model: account `{}` ({}). Do not edit; change the model and generate again.",
                self.account, self.account_id
            ),
            terraform: json!({
                "required_providers": {
                    "aws": { "source": "hashicorp/aws", "version": literal(&options.provider_version) }
                }
            }),
            variable: &self.variables,
            provider: self.provider(options),
            data: &self.data,
            locals: &self.locals,
            resource: &self.resources,
            import: &self.imports,
            output: &self.outputs,
        };
        iam_model::json::to_pretty(&file)
    }
}

fn insert_named(
    blocks: &mut BTreeMap<String, BTreeMap<String, Value>>,
    dir: &str,
    section: &str,
    ty: &str,
    name: &str,
    body: Value,
) -> Result<(), EmitError> {
    let named = blocks.entry(ty.to_string()).or_default();
    if named.contains_key(name) {
        return Err(EmitError::Collision {
            path: format!("{dir}/main.tf.json#/{section}/{ty}/{name}"),
        });
    }
    named.insert(name.to_string(), body);
    Ok(())
}

/// A literal string for a Terraform JSON string value: in JSON syntax every string is a
/// template, so `${` and `%{` are escaped as `$${` and `%%{`
/// (<https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences-1>).
pub fn literal(text: &str) -> String {
    text.replace("${", "$${").replace("%{", "%%{")
}

/// A policy as Terraform wants it: the canonical compact JSON, escaped as a literal.
pub fn policy_string<K: Kind>(policy: &Policy<K>) -> String {
    literal(&policy.clone().canonical().to_json_compact())
}

/// Tags as a literal map, or `None` when there are none.
fn tags(tags: &BTreeMap<String, String>) -> Option<Value> {
    (!tags.is_empty()).then(|| {
        Value::Object(
            tags.iter()
                .map(|(k, v)| (literal(k), Value::String(literal(v))))
                .collect(),
        )
    })
}

/// A resource body from `(argument, value)` pairs, leaving out the `None`s.
fn body<const N: usize>(args: [(&str, Option<Value>); N]) -> Value {
    Value::Object(
        args.into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
            .collect(),
    )
}

/// `${TYPE.NAME.ATTRIBUTE}`.
fn reference(ty: &str, name: &str, attribute: &str) -> String {
    format!("${{{ty}.{name}.{attribute}}}")
}

/// The ARN of an AWS managed policy from the catalogue.
fn aws_managed_arn(name: &str) -> Result<String, EmitError> {
    iam_catalog::AwsManagedPolicy::from_name(name)
        .map(|p| p.arn().to_string())
        .ok_or_else(|| EmitError::Missing(format!("there is no AWS managed policy `{name}`")))
}

/// The name part of an attached managed policy in a composite resource name:
/// `policy_<name>` for a customer managed policy, `aws_policy_<name>` for an AWS managed one,
/// so the two never collide.
fn attached_name(aws: bool, name: &str) -> String {
    let policy = terraform_name(EntityKind::Policy, name);
    if aws { format!("aws_{policy}") } else { policy }
}

#[cfg(test)]
mod tests;
