//! The `terraform` target: Terraform root modules in JSON syntax (`.tf.json`), one directory
//! per account, for `terraform init && terraform plan` in each.
//!
//! # Layout
//!
//! ```text
//! terraform/
//!   README.md                              what is here, what the operator runs, in which order
//!   management/organizations/main.tf.json  Organizations: OUs, member accounts, SCPs, RCPs and
//!                                          their attachments; budgets
//!   management/baselines/main.tf.json      OU baselines (StackSets)
//!   management/iam/main.tf.json            the management account's own IAM entities
//!   management/identity-store/main.tf.json Identity Center's users, groups and memberships
//!                                          (built-in directory, instance in the management
//!                                          account)
//!   management/identity-center/main.tf.json
//!                                          IAM Identity Center: permission sets, their
//!                                          policies, account assignments (when its instance
//!                                          is in the management account)
//!   <account>/main.tf.json                 every other account that has IAM entities of its
//!                                          own, besides its OU's baseline (or holds a
//!                                          delegated Identity Center instance)
//! ```
//!
//! The management account's resources are split by stage into root modules, each with its
//! own state ([`MANAGEMENT_MODULES`]): in one state, a 500-account organization was over ten
//! thousand resources, and every plan read all of them even when only a permission set
//! changed. The split is always made, for every model, and a stage with nothing to hold has
//! no module: a directory, and so the state behind it, never moves when the model grows (a
//! model that gains Identity Center or an OU keeps its other states where they are), which
//! splitting only past some size would not give. Later stages read what earlier ones made
//! through data sources looked up by name, never through another module's state
//! (`terraform_remote_state` would assume a backend): the baselines module finds each OU's id
//! among its parent's children (`aws_organizations_organizational_units`, from the root of
//! `aws_organizations_organization`), and the Identity Center module looks the groups and the
//! assigned users up by name (`data.aws_identitystore_group` by `DisplayName`,
//! `data.aws_identitystore_user` by `UserName`, as with an external identity provider; its
//! assignments name accounts by the ids the model holds). With the built-in directory the
//! identity store's users, groups and memberships have a module of their own,
//! [`IDENTITY_STORE_DIR`]: in a 500-account organization they were about 10,200 of Identity
//! Center's 11,530 resources, and a change to a permission set or an assignment now plans
//! without reading them. The apply order, in the generated README: organizations → baselines
//! → the management account's own IAM and every account module → identity-store →
//! identity-center. Account modules come after the baselines because an account's entity may
//! attach a policy of its OU's baseline; the identity store comes before Identity Center
//! because the latter looks its groups and users up; Identity Center comes last because a
//! permission set that names a customer managed policy (or boundary) can only be
//! provisioned into an account that already has the policy, from its module or its
//! baseline.
//!
//! An OU baseline (`organization.units.<OU>.baseline`) is deployed once per OU, not once per
//! account: the baselines module has an `aws_cloudformation_stack_set` (service-managed
//! permissions, automatic deployment to every account that is or later comes under the OU,
//! stacks removed when an account leaves, `CAPABILITY_NAMED_IAM`, 25% of the accounts at once
//! with 10% failures tolerated) and one `aws_cloudformation_stack_set_instance` whose
//! `deployment_targets` is the OU, with the same template as the `cloudformation` target's
//! StackSet (the account id is `${AWS::AccountId}` of the account deployed in). Why a StackSet
//! rather than a shared module instantiated per account: each account module has its own
//! provider and state, so a per-account copy means one module, one plan and one role
//! assumption per account, and an account that joins the OU gets nothing until someone
//! generates and applies again; the StackSet is two resources in one state whatever the
//! number of accounts, and deploys to new accounts by itself. Accounts whose only IAM
//! entities come from baselines get no directory (their module would plan nothing), so an
//! organization whose accounts differ only by baseline is the management account's modules
//! and the README. Service-managed StackSets need trusted access between StackSets and Organizations
//! (`aws organizations enable-aws-service-access --service-principal
//! member.org.stacksets.cloudformation.amazonaws.com`, once) and never deploy to the
//! management account itself.
//!
//! # What each module holds
//!
//! - `terraform.required_providers.aws`: `hashicorp/aws`, version [`TerraformOptions::provider_version`]
//!   (`~> 6.0`).
//! - `provider.aws`: `region = var.region`, `allowed_account_ids = ["<account id>"]` (the
//!   provider refuses to touch any other account), and for member accounts
//!   `assume_role { role_arn = "arn:aws:iam::<account id>:role/${var.assume_role_name}" }`:
//!   the operator runs every module with management-account credentials. The management
//!   account's modules assume no role unless [`TerraformOptions::management_assume_role`] is
//!   set.
//! - `variable`s for what the model cannot know: `region` and `assume_role_name` (with
//!   defaults from the options), and `<saml provider>_metadata_file`, the path of each SAML
//!   provider's metadata XML (no default: the path depends on where Terraform runs).
//! - `output`s for the ARNs a pipeline needs: roles, customer managed policies, instance
//!   profiles, OIDC and SAML providers; in the management account's modules also OU ids,
//!   policy ids, StackSet ids, permission set ARNs, Identity Center group ids, the instance
//!   ARN and identity store id.
//!
//! # Names and values
//!
//! Resource names come from [`terraform_name`]; resources made of two entities (an
//! attachment) join the names of both, documented at each. Group memberships and account
//! assignments, thousands in a large organization, are one resource each with `for_each`
//! over a local map (`local.group_memberships`, `local.account_assignments`) keyed by the
//! joined names (`sso_user_alice_example_com_in_sso_group_aws_admins`,
//! `permission_set_admin_access_sso_group_aws_admins_account_production`), whose values name
//! the principal and permission set by Terraform name; `local.principal_ids` and
//! `local.permission_set_arns` map those names to ids and ARNs. A state made by an earlier
//! version, with one block per assignment, moves with
//! `terraform state mv 'aws_ssoadmin_account_assignment.<key>' 'aws_ssoadmin_account_assignment.this["<key>"]'`. All
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
//! let main = String::from_utf8(files.get("management/organizations/main.tf.json").unwrap_or_default().to_vec())?;
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
pub mod imports;
mod management;
mod readme;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::io;

use iam_model::model::Model;
use iam_model::model::names::{AccountName, EntityKind, terraform_name};
use iam_model::policy::{Kind, Policy};
use serde::{Serialize, Serializer};
use serde_json::ser::{Formatter, PrettyFormatter};
use serde_json::{Value, json};

use crate::emit::{Artifacts, EmitError, EmitOptions};

/// The template of `README.md` at the top of the target directory.
pub const README_TEMPLATE: &str = "terraform/README.md.hbs";

/// The directory of the management account's modules.
pub const MANAGEMENT_DIR: &str = "management";

/// The management account's Organizations module: OUs, member accounts, SCPs and RCPs with
/// their attachments, budgets.
pub const ORGANIZATIONS_DIR: &str = "management/organizations";

/// The management account's module of OU baselines (StackSets).
pub const BASELINES_DIR: &str = "management/baselines";

/// The management account's own IAM entities.
pub const MANAGEMENT_IAM_DIR: &str = "management/iam";

/// The identity store's users, groups and memberships, when Identity Center's instance is in
/// the management account, its identity source is the built-in directory and the model has
/// users or groups.
pub const IDENTITY_STORE_DIR: &str = "management/identity-store";

/// IAM Identity Center (permission sets, their policies, account assignments), when its
/// instance is in the management account.
pub const IDENTITY_CENTER_DIR: &str = "management/identity-center";

/// The management account's modules in the order they are applied; the member accounts'
/// modules go between [`MANAGEMENT_IAM_DIR`] and [`IDENTITY_STORE_DIR`].
pub const MANAGEMENT_MODULES: [&str; 5] = [
    ORGANIZATIONS_DIR,
    BASELINES_DIR,
    MANAGEMENT_IAM_DIR,
    IDENTITY_STORE_DIR,
    IDENTITY_CENTER_DIR,
];

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
    /// Whether the management account's modules assume `assume_role_name` in that account
    /// too; default `false` (it runs with the operator's management-account credentials).
    pub management_assume_role: bool,
    /// Whether Identity Center users are created by Terraform or looked up; default
    /// [`IdentityCenterUsers::Managed`].
    pub identity_center_users: IdentityCenterUsers,
    /// Whether the Organizations module has an `import` block per member account; default
    /// `true`: the model names accounts by their ids, so they exist and must be imported,
    /// never created.
    pub import_accounts: bool,
    /// Whether each module gets `imports.tf.json` with an `import` block per IAM resource,
    /// OU and Identity Center resource ([`imports`]); default `false`. For a model imported from live accounts, where every
    /// resource exists: an import of one that does not exist fails the plan.
    pub import_iam: bool,
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
            import_iam: false,
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

    /// Set whether the management account's modules assume the role too.
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

    /// Set whether IAM resources get `import` blocks.
    pub fn import_iam(mut self, yes: bool) -> Self {
        self.import_iam = yes;
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
        let holds_sso = sso_account == Some(name);
        let id = account.id().to_string();
        let mut modules = Vec::new();
        if name == management {
            // One root module (one state) per stage of the management account, in the
            // order of [`MANAGEMENT_MODULES`]; a stage with nothing to hold has no module.
            let mut organizations = Module::new(ORGANIZATIONS_DIR, name, id.clone(), true, tf);
            management::organization(&mut organizations, model, tf)?;
            let mut baselines = Module::new(BASELINES_DIR, name, id.clone(), true, tf);
            management::baselines(&mut baselines, model)?;
            let mut own = Module::new(MANAGEMENT_IAM_DIR, name, id.clone(), true, tf);
            iam::account(&mut own, account)?;
            modules.extend([organizations, baselines, own]);
            if holds_sso && let Some(ic) = model.identity_center() {
                let store_apart = management::identity_store_apart(model, ic);
                if store_apart {
                    let mut store = Module::new(IDENTITY_STORE_DIR, name, id.clone(), true, tf);
                    management::identity_store(&mut store, ic, tf)?;
                    modules.push(store);
                }
                let mut sso = Module::new(IDENTITY_CENTER_DIR, name, id, true, tf);
                management::identity_center(&mut sso, model, ic, tf, store_apart)?;
                modules.push(sso);
            }
            modules.retain(|m| !m.is_empty());
        } else if holds_sso || !account.own_iam().is_empty() {
            // A delegated administrator's Identity Center stays with that account's IAM.
            let mut module = Module::new(name.as_str(), name, id, false, tf);
            if holds_sso && let Some(ic) = model.identity_center() {
                management::identity_center(&mut module, model, ic, tf, false)?;
            }
            iam::account(&mut module, account)?;
            modules.push(module);
        }
        for module in modules {
            summaries.push(module.summary());
            artifacts.insert(format!("{}/main.tf.json", module.dir), module.render(tf))?;
        }
    }
    let present = |dir: &str| summaries.iter().any(|s| s["dir"] == dir);
    let mut apply_order = Vec::new();
    for (dir, holds) in [
        (
            ORGANIZATIONS_DIR,
            "OUs, member accounts (imported), SCPs and RCPs with their attachments, budgets",
        ),
        (
            BASELINES_DIR,
            "the OU baselines' StackSets; reads the OU ids by name",
        ),
        (
            MANAGEMENT_IAM_DIR,
            "the management account's own IAM entities",
        ),
    ] {
        if present(dir) {
            apply_order.push(json!({"path": format!("{dir}/"), "holds": holds}));
        }
    }
    if summaries.iter().any(|s| s["management"] == false) {
        apply_order.push(json!({
            "path": "<account>/",
            "holds": "each member account's IAM entities",
        }));
    }
    if present(IDENTITY_STORE_DIR) {
        apply_order.push(json!({
            "path": format!("{IDENTITY_STORE_DIR}/"),
            "holds": "Identity Center's users, groups and group memberships (the built-in directory)",
        }));
    }
    if present(IDENTITY_CENTER_DIR) {
        apply_order.push(json!({
            "path": format!("{IDENTITY_CENTER_DIR}/"),
            "holds": "IAM Identity Center; a permission set that names a customer managed policy needs it in every account it is assigned to",
        }));
    }
    for (step, entry) in apply_order.iter_mut().enumerate() {
        entry["step"] = json!(step + 1);
    }
    let readme = readme::render(
        options,
        json!({
            "provider_version": tf.provider_version,
            "region": tf.region,
            "assume_role_name": tf.assume_role_name,
            "management_dir": MANAGEMENT_DIR,
            "baselines_dir": BASELINES_DIR,
            "apply_order": apply_order,
            "modules": summaries,
            "baselines": model
                .organization()
                .unit_paths()
                .into_iter()
                .filter(|(_, unit)| unit.baseline().is_some())
                .map(|(path, _)| json!({
                    "unit": path.as_str(),
                    "stack_set": crate::emit::cloudformation::stack_set_name(&path),
                }))
                .collect::<Vec<_>>(),
        }),
    )?;
    artifacts.insert("README.md", readme)?;
    if tf.import_iam {
        imports::add(&mut artifacts, model)?;
    }
    Ok(artifacts)
}

/// A root module being built: blocks by type and name, every name checked for collisions.
#[derive(Debug)]
pub(crate) struct Module {
    dir: String,
    account: AccountName,
    account_id: String,
    is_management: bool,
    variables: BTreeMap<String, Val>,
    data: Blocks,
    locals: BTreeMap<String, Val>,
    resources: Blocks,
    imports: Vec<Val>,
    outputs: BTreeMap<String, Val>,
    /// Where block bodies are pretty-printed before they are copied into [`Blocks`].
    scratch: Vec<u8>,
    /// The bytes of the block bodies so far.
    block_bytes: usize,
}

/// Blocks by type and name, each body pretty-printed where it goes in the file (see
/// [`Module::block`]).
type Blocks = BTreeMap<String, BTreeMap<String, Box<[u8]>>>;

/// A JSON value of a module. Objects keep the order they are built in (what `json!` gives
/// with serde_json's `preserve_order`, which the workspace enables) and constant strings are
/// borrowed. A large organization's modules (the identity store's above all) have tens of
/// thousands of blocks;
/// as `serde_json::Value`s (an index map per object, an owned string per key) building,
/// writing and dropping them was most of the time of this target.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Str(Cow<'static, str>),
    List(Vec<Val>),
    Obj(Vec<(Cow<'static, str>, Val)>),
    /// Anything else: numbers, booleans, values serde built.
    Json(Value),
}

impl Val {
    /// The value of `key` in an object.
    fn get(&self, key: &str) -> Option<&Val> {
        match self {
            Self::Obj(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

impl Serialize for Val {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Str(text) => s.serialize_str(text),
            Self::List(items) => s.collect_seq(items),
            Self::Obj(entries) => s.collect_map(entries.iter().map(|(k, v)| (k, v))),
            Self::Json(value) => value.serialize(s),
        }
    }
}

impl From<&'static str> for Val {
    fn from(text: &'static str) -> Self {
        Self::Str(Cow::Borrowed(text))
    }
}

impl From<String> for Val {
    fn from(text: String) -> Self {
        Self::Str(Cow::Owned(text))
    }
}

impl From<Value> for Val {
    fn from(value: Value) -> Self {
        Self::Json(value)
    }
}

impl From<Vec<Val>> for Val {
    fn from(items: Vec<Val>) -> Self {
        Self::List(items)
    }
}

impl From<bool> for Val {
    fn from(b: bool) -> Self {
        Self::Json(Value::Bool(b))
    }
}

impl From<u32> for Val {
    fn from(n: u32) -> Self {
        Self::Json(Value::from(n))
    }
}

impl From<u64> for Val {
    fn from(n: u64) -> Self {
        Self::Json(Value::from(n))
    }
}

/// An object of constant keys, in this order.
fn obj<const N: usize>(entries: [(&'static str, Val); N]) -> Val {
    Val::Obj(
        entries
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), v))
            .collect(),
    )
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
            scratch: Vec::new(),
            block_bytes: 0,
        };
        module.variables.insert(
            "region".to_string(),
            obj([
                ("type", "string".into()),
                ("description", "The region of the AWS provider (IAM, Organizations and Identity Center are global or home-region services)".into()),
                ("default", literal(&options.region).into()),
            ]),
        );
        if module.assumes_role(options) {
            module.variables.insert(
                "assume_role_name".to_string(),
                obj([
                    ("type", "string".into()),
                    (
                        "description",
                        format!(
                            "The role Terraform assumes in account {} ({})",
                            module.account_id, module.account
                        )
                        .into(),
                    ),
                    ("default", literal(&options.assume_role_name).into()),
                ]),
            );
        }
        module
    }

    /// Whether the module would plan nothing: no resource, data source, import or output.
    fn is_empty(&self) -> bool {
        self.resources.is_empty()
            && self.data.is_empty()
            && self.imports.is_empty()
            && self.outputs.is_empty()
    }

    fn assumes_role(&self, options: &TerraformOptions) -> bool {
        !self.is_management || options.management_assume_role
    }

    /// Add a resource; a second one with the same type and name is a collision.
    pub(crate) fn resource(
        &mut self,
        ty: &str,
        name: &str,
        body: impl Into<Val>,
    ) -> Result<(), EmitError> {
        let body = self.block(&body.into());
        insert_named(&mut self.resources, &self.dir, "resource", ty, name, body)
    }

    /// Add a data source.
    pub(crate) fn data(&mut self, ty: &str, name: &str, body: Val) -> Result<(), EmitError> {
        let body = self.block(&body);
        insert_named(&mut self.data, &self.dir, "data", ty, name, body)
    }

    /// A block body pretty-printed where blocks go (`resource.<type>.<name>`, three levels
    /// deep), in one allocation of its size; the tree of values is dropped right away.
    fn block(&mut self, body: &Val) -> Box<[u8]> {
        self.scratch.clear();
        write_value(&mut self.scratch, body, 3);
        self.block_bytes += self.scratch.len();
        self.scratch.as_slice().into()
    }

    /// Add a local value.
    pub(crate) fn local(&mut self, name: &str, value: Val) {
        self.locals.insert(name.to_string(), value);
    }

    /// Add a variable.
    pub(crate) fn variable(&mut self, name: &str, body: Val) -> Result<(), EmitError> {
        if self.variables.contains_key(name) {
            return Err(self.collision(&format!("variable/{name}")));
        }
        self.variables.insert(name.to_string(), body);
        Ok(())
    }

    /// Add an `import` block.
    pub(crate) fn import(&mut self, to: String, id: String) {
        self.imports
            .push(obj([("to", to.into()), ("id", id.into())]));
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
            obj([
                ("description", literal(&description).into()),
                ("value", value.into()),
            ]),
        );
        Ok(())
    }

    fn collision(&self, pointer: &str) -> EmitError {
        EmitError::Collision {
            path: format!("{}/main.tf.json#/{pointer}", self.dir),
        }
    }

    fn provider(&self, options: &TerraformOptions) -> Val {
        let mut aws = vec![
            (Cow::Borrowed("region"), "${var.region}".into()),
            (
                Cow::Borrowed("allowed_account_ids"),
                Val::List(vec![self.account_id.clone().into()]),
            ),
        ];
        if self.assumes_role(options) {
            aws.push((
                Cow::Borrowed("assume_role"),
                obj([
                    (
                        "role_arn",
                        format!(
                            "arn:aws:iam::{}:role/${{var.assume_role_name}}",
                            self.account_id
                        )
                        .into(),
                    ),
                    ("session_name", "iam-codegen".into()),
                ]),
            ));
        }
        obj([("aws", Val::Obj(aws))])
    }

    fn summary(&self) -> Value {
        let resources: usize = self.resources.values().map(BTreeMap::len).sum();
        json!({
            "dir": self.dir,
            "path": format!("{}/", self.dir),
            "account": self.account.as_str(),
            "account_id": self.account_id,
            "management": self.is_management,
            "resources": resources,
            "imports": self.imports.len(),
            "variables": self.variables.iter().map(|(name, v)| {
                let field = |key| {
                    v.get(key)
                        .and_then(|f| serde_json::to_value(f).ok())
                        .unwrap_or(Value::Null)
                };
                json!({
                    "name": name,
                    "description": field("description"),
                    "default": field("default"),
                })
            }).collect::<Vec<_>>(),
        })
    }

    /// The file: what `serde_json::to_string_pretty` writes for its top-level object (in the
    /// order people read a module) and a newline.
    fn render(&self, options: &TerraformOptions) -> Vec<u8> {
        let comment = format!(
            "Generated by iam-codegen from the access model: account `{}` ({}). Do not edit; change the model and generate again.",
            self.account, self.account_id
        );
        let terraform = obj([(
            "required_providers",
            obj([(
                "aws",
                obj([
                    ("source", "hashicorp/aws".into()),
                    ("version", literal(&options.provider_version).into()),
                ]),
            )]),
        )]);
        let mut out = Vec::with_capacity(self.block_bytes + 64 * 1024);
        let mut file = Object::open(&mut out, 0);
        // JSON syntax: a `//` property is a comment.
        // https://developer.hashicorp.com/terraform/language/syntax/json#comment-properties
        file.entry("//", &comment);
        file.entry("terraform", &terraform);
        if !self.variables.is_empty() {
            file.entry("variable", &self.variables);
        }
        file.entry("provider", &self.provider(options));
        if !self.data.is_empty() {
            write_blocks(&mut file, "data", &self.data);
        }
        if !self.locals.is_empty() {
            file.entry("locals", &self.locals);
        }
        if !self.resources.is_empty() {
            write_blocks(&mut file, "resource", &self.resources);
        }
        if !self.imports.is_empty() {
            file.entry("import", &self.imports);
        }
        if !self.outputs.is_empty() {
            file.entry("output", &self.outputs);
        }
        file.close();
        out.push(b'\n');
        out
    }
}

// Writing. Block bodies are pretty-printed when they are added, each where it goes in the
// file, and the file is put together from them at the end: a large organization's modules
// (the identity store's above all) have tens of thousands of blocks, and keeping each as a tree of values
// until the file was written made dropping them a fifth of this target's time. Every value
// is written by serde_json's pretty printer; only the file's own braces, keys and line
// breaks are written here, the way that printer writes them, and the goldens compare the
// result byte for byte.

/// The indent of one level of serde_json's pretty printer.
const INDENT: &[u8] = b"  ";

/// serde_json's pretty printer writing `depth` levels deeper: every line break it writes
/// is followed by `depth` more levels of indent. Only the four methods below break lines;
/// the rest are `PrettyFormatter`'s or the trait's, so tokens go to the output untouched.
struct Deeper {
    pretty: PrettyFormatter<'static>,
    depth: usize,
}

impl Deeper {
    /// Call `write` with a writer that indents after line breaks.
    fn indenting<W: ?Sized + io::Write>(
        &mut self,
        out: &mut W,
        write: impl FnOnce(&mut PrettyFormatter<'static>, &mut Indented<'_, W>) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut indented = Indented {
            out,
            depth: self.depth,
        };
        write(&mut self.pretty, &mut indented)
    }
}

impl Formatter for Deeper {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_array(w)
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.indenting(w, |p, w| p.end_array(w))
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.indenting(w, |p, w| p.begin_array_value(w, first))
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(w)
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object(w)
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.indenting(w, |p, w| p.end_object(w))
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.indenting(w, |p, w| p.begin_object_key(w, first))
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(w)
    }
}

/// Passes writes on with `depth` more levels of indent after every line break.
struct Indented<'a, W: ?Sized> {
    out: &'a mut W,
    depth: usize,
}

impl<W: ?Sized + io::Write> io::Write for Indented<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut lines = buf.split(|&b| b == b'\n');
        if let Some(first) = lines.next() {
            self.out.write_all(first)?;
        }
        for line in lines {
            self.out.write_all(b"\n")?;
            for _ in 0..self.depth {
                self.out.write_all(INDENT)?;
            }
            self.out.write_all(line)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Append a value pretty-printed `depth` levels deep.
fn write_value<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T, depth: usize) {
    let formatter = Deeper {
        pretty: PrettyFormatter::new(),
        depth,
    };
    // Writing to memory cannot fail and every key is a string: nothing to report.
    value
        .serialize(&mut serde_json::Serializer::with_formatter(out, formatter))
        .ok();
}

/// A JSON object written entry by entry, `depth` levels deep, as serde_json's pretty printer
/// writes one: `{`, each entry on a line of its own one level deeper, `,` between them, a
/// line break and `}`; `{}` when empty.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    depth: usize,
    empty: bool,
}

impl<'a> Object<'a> {
    fn open(out: &'a mut Vec<u8>, depth: usize) -> Self {
        out.push(b'{');
        Self {
            out,
            depth,
            empty: true,
        }
    }

    /// Start an entry (the separator, a line break, the indent, the key and `": "`); the
    /// value goes into what this returns.
    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        self.out.push(b'\n');
        for _ in 0..=self.depth {
            self.out.extend_from_slice(INDENT);
        }
        write_value(self.out, key, 0);
        self.out.extend_from_slice(b": ");
        self.out
    }

    fn entry<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        let depth = self.depth + 1;
        write_value(self.key(key), value, depth);
    }

    fn close(self) {
        if !self.empty {
            self.out.push(b'\n');
            for _ in 0..self.depth {
                self.out.extend_from_slice(INDENT);
            }
        }
        self.out.push(b'}');
    }
}

/// `"resource": { "<type>": { "<name>": <body>, … }, … }` (or `"data"`), bodies as
/// [`Module::block`] wrote them.
fn write_blocks(file: &mut Object, section: &str, blocks: &Blocks) {
    let mut types = Object::open(file.key(section), 1);
    for (ty, named) in blocks {
        let mut names = Object::open(types.key(ty), 2);
        for (name, body) in named {
            names.key(name).extend_from_slice(body);
        }
        names.close();
    }
    types.close();
}

fn insert_named(
    blocks: &mut Blocks,
    dir: &str,
    section: &str,
    ty: &str,
    name: &str,
    body: Box<[u8]>,
) -> Result<(), EmitError> {
    // Look the type up before making a key of it: it is almost always there.
    let named = match blocks.get_mut(ty) {
        Some(named) => named,
        None => blocks.entry(ty.to_string()).or_default(),
    };
    match named.entry(name.to_string()) {
        Entry::Occupied(_) => Err(EmitError::Collision {
            path: format!("{dir}/main.tf.json#/{section}/{ty}/{name}"),
        }),
        Entry::Vacant(slot) => {
            slot.insert(body);
            Ok(())
        }
    }
}

/// A literal string for a Terraform JSON string value: [`crate::escape::terraform`].
pub fn literal(text: &str) -> String {
    crate::escape::terraform(text)
}

/// An HCL string literal, for use inside `${…}`, of a string already escaped for
/// Terraform's template syntax ([`literal`]).
fn hcl_string(literal: &str) -> String {
    format!("\"{}\"", literal.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The id of the OU named `name` (already escaped as a [`literal`]) among the children that
/// `data.aws_organizations_organizational_units.<children>` lists: OU names are unique among
/// siblings, so `one(…)` finds one (null until the OU exists).
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/organizations_organizational_units
pub(super) fn unit_id_among(children: &str, name: &str) -> String {
    format!(
        "${{one([for u in data.aws_organizations_organizational_units.{children}.children : u.id if u.name == {}])}}",
        hcl_string(name)
    )
}

/// A policy as Terraform wants it: the canonical compact JSON, escaped as a literal.
pub fn policy_string<K: Kind>(policy: &Policy<K>) -> String {
    literal(&policy.clone().canonical().to_json_compact())
}

/// Tags as a literal map, or `None` when there are none.
fn tags(tags: &BTreeMap<String, String>) -> Option<Val> {
    (!tags.is_empty()).then(|| {
        Val::Obj(
            tags.iter()
                .map(|(k, v)| (Cow::Owned(literal(k)), literal(v).into()))
                .collect(),
        )
    })
}

/// A resource body from `(argument, value)` pairs, leaving out the `None`s.
fn body<const N: usize>(args: [(&'static str, Option<Val>); N]) -> Val {
    Val::Obj(
        args.into_iter()
            .filter_map(|(k, v)| v.map(|v| (Cow::Borrowed(k), v)))
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
