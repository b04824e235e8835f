//! The `cloudformation` target: one CloudFormation template per account, JSON, with a
//! parameters file where the template needs values only known at deploy time.
//!
//! # Layout
//!
//! | file | what | deployed in |
//! | --- | --- | --- |
//! | `<account>.json` | the account's IAM: users, groups (memberships are the users' `Groups`), roles, customer managed policies, inline policies, managed policy attachments, OIDC and SAML providers, instance profiles | that account |
//! | `<management>.json` | the management account's own IAM, plus AWS Organizations (OUs, member accounts, SCPs and RCPs with their targets) and every account's AWS Budgets budget | the management account |
//! | `<instance>.json` | the Identity Center instance account's IAM, plus Identity Store groups and memberships, permission sets, account assignments (usually the management account: then it is the same file) | the instance account |
//! | `<stem>.parameters.json` | the template's parameters in the form `aws cloudformation create-stack --parameters file://…` takes, placeholders marked `REPLACE_ME_…` | |
//! | `parameters.sh` | `bash parameters.sh --profile PROFILE` fills every parameters file with values read from AWS (see below) | |
//!
//! Files are named after the account's model name, so names never collide. An account with
//! nothing to deploy gets no template (a template needs at least one resource).
//!
//! # Parameters
//!
//! | parameter | when | value |
//! | --- | --- | --- |
//! | `OrganizationRootId` | an OU or account sits at the root, or a policy targets `root` | `aws organizations list-roots` (`r-…`) |
//! | `IdentityCenterInstanceArn` | permission sets or assignments | `aws sso-admin list-instances` (`arn:aws:sso:::instance/ssoins-…`) |
//! | `IdentityStoreId` | Identity Store groups or memberships | `aws sso-admin list-instances` (`d-…`) |
//! | `SsoUser<Name>` | a membership or assignment names Identity Center user `<name>` | the user's id in the identity store: CloudFormation has no resource type for Identity Store users, so users are created by hand, with the AWS CLI or by the external identity provider |
//! | `SsoGroup<Name>` | with an external identity provider (`identity_center.identity_source`), an assignment names group `<name>` | the group's id in the identity store; the provider creates groups and memberships, so the template has none |
//! | `SamlMetadata<Name>` | SAML provider `<name>` | the metadata XML of the file the model names (CloudFormation limits a parameter value to 4,096 bytes) |
//!
//! Every parameter has an `AllowedPattern` (or `MinLength`) its placeholder does not match,
//! so a stack created with an unedited parameters file fails before it changes anything.
//! `parameters.sh` reads every value but SAML metadata from AWS: `aws organizations
//! list-roots`, `aws sso-admin list-instances`, and `aws identitystore get-user-id` /
//! `get-group-id` by user name / display name, so no template needs hand-filled ids.
//!
//! # Logical ids
//!
//! Entities use [`iam_model::model::names::logical_id`] (`RoleCiDeploy`,
//! `SsoGroupAwsDevelopers`, `UnitWorkloadsProd`). Resources that join entities use
//! [`iam_model::model::names::composite_logical_id`]:
//! `Membership<Group><User>` (`MembershipAwsDevelopersAliceExampleCom`) and
//! `Assignment<Principal><PermissionSet><Account>`
//! (`AssignmentAwsDevelopersDeveloperAccessDevelopment`); budgets are `Budget<Account>`.
//! Ids longer than 255 characters keep 239 and end in a 16-digit hash
//! ([`iam_model::model::names::fit_logical_id`]); validation reports two
//! entities or joins with one id as `name-collision`.
//!
//! # Decisions
//!
//! - **Attachments.** AWS managed policies go in the principal's `ManagedPolicyArns`, as the
//!   catalogue's `arn:aws:iam::aws:policy/<path><name>`: the model is `aws`-partition only
//!   (its policies name `arn:aws:` ARNs). A customer managed policy lists its principals
//!   (`Users`, `Groups`, `Roles`), unless it is someone's permissions boundary: then the
//!   principals list it, since the other way round is a dependency cycle.
//! - **Inline policies** are the principal's `Policies`; documents are canonical JSON objects.
//! - **Users** never get a password (`LoginProfile`) or access keys: `console_access` and
//!   `programmatic_access` in the model are for people, who run
//!   `aws iam create-login-profile --user-name NAME --password-reset-required` and
//!   `aws iam create-access-key --user-name NAME` themselves (the `docs` target lists it).
//! - **The account password policy** has no CloudFormation resource type; it is set with
//!   `aws iam update-account-password-policy` (the `docs` and `aws-cli` targets).
//! - **Accounts.** An account of the model exists (it has an id) and is adopted: it is not
//!   a resource of any template, since `AWS::Organizations::Account` always creates a new
//!   account. Moving an existing account into its OU is
//!   `aws organizations move-account` (or the Terraform Organizations module, which imports
//!   accounts); an existing account could also be brought under the stack with a resource
//!   import (`aws cloudformation create-change-set --change-set-type IMPORT`), which this
//!   target does not prepare. Only an account marked `create` in the model is declared,
//!   with `DeletionPolicy` and `UpdateReplacePolicy` `Retain`, so a stack change never
//!   closes it. The management account is never a resource. Assignments, policy targets
//!   and ARNs use the account ids of the model, never the resource's attribute, so
//!   templates do not reference each other; a created account's id goes back into the model.
//! - **Budgets** live in the management account, which sees every member's costs, with a
//!   `LinkedAccount` cost filter per account; a member cannot delete its own budget.
//! - **Outputs** give the ARNs and ids a pipeline needs (roles, customer managed policies,
//!   instance profiles, identity providers, permission sets, Identity Store groups, OUs,
//!   accounts), with no `Export`: exports lock the exporting stack.
//!
//! # Quotas and splitting
//!
//! A template holds at most 500 resources, 200 outputs and 200 parameters, and its body at
//! most 1,000,000 bytes from S3 or 51,200 bytes inline ("Understand CloudFormation quotas",
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>;
//! cfn-lint's limits agree). A unit over 90% of any of them (cfn-lint flags "approaching the
//! limit" at 90%) is split into `<account>-1.json`, `<account>-2.json`, …, filled in a fixed
//! order (what is referenced first, then by logical id) and deployed in that order. A
//! reference to a resource in an earlier part becomes the value computed from the model
//! (names, ARNs built with `${AWS::AccountId}`); ids only AWS assigns (OU ids, group ids,
//! permission set ARNs) become `Fn::ImportValue` of an export
//! `iam-codegen:<AccountLogicalId>:<LogicalId>:<Attribute>` that the earlier part adds.
//!
//! # Example
//!
//! ```json
//! "RoleCiDeploy": {
//!   "Type": "AWS::IAM::Role",
//!   "Properties": {
//!     "AssumeRolePolicyDocument": { "Statement": [ … ], "Version": "2012-10-17" },
//!     "Description": "GitHub Actions deploys from main",
//!     "MaxSessionDuration": 3600,
//!     "Path": "/",
//!     "Policies": [ { "PolicyDocument": { … }, "PolicyName": "Deploy" } ],
//!     "RoleName": "ci-deploy",
//!     "Tags": [ { "Key": "purpose", "Value": "ci" } ]
//!   },
//!   "DependsOn": [ "OidcProviderGithub" ]
//! }
//! ```
//!
//! and in `management.parameters.json`:
//!
//! ```json
//! [
//!   { "ParameterKey": "IdentityCenterInstanceArn", "ParameterValue": "REPLACE_ME_identity_center_instance_arn" },
//!   { "ParameterKey": "SsoUserAliceExampleCom", "ParameterValue": "REPLACE_ME_user_id_alice@example.com" }
//! ]
//! ```
mod baseline;
mod iam;
mod lookup;
mod org;
mod sso;
mod template;

use iam_model::model::Model;
use iam_model::model::names::{EntityKind, fit_logical_id, logical_id};
use iam_model::model::org::Tags;
use iam_model::policy::{Kind, Policy};
use serde_json::{Value, json};

use crate::emit::{Artifacts, EmitError, EmitOptions};

pub use baseline::stack_set_id;
pub(crate) use baseline::{
    FAILURE_TOLERANCE_PERCENTAGE, MAX_CONCURRENT_PERCENTAGE, stack_set_name, template_body,
};
pub use lookup::SCRIPT as PARAMETERS_SCRIPT;
pub use sso::{MAX_CONCURRENT_ASSIGNMENTS, assignment_id, membership_id};

/// The largest template body CloudFormation reads from S3, in bytes.
pub const S3_TEMPLATE_BYTES: usize = 1_000_000;
/// The largest template body a `CreateStack` request carries inline, in bytes.
pub const INLINE_TEMPLATE_BYTES: usize = 51_200;
/// The most resources in a template.
pub const MAX_RESOURCES: usize = 500;
/// The most outputs in a template.
pub const MAX_OUTPUTS: usize = 200;
/// The most parameters in a template.
pub const MAX_PARAMETERS: usize = 200;

/// 90% of a quota: cfn-lint reports "approaching the limit" above it.
const fn headroom(quota: usize) -> usize {
    quota / 10 * 9
}

/// CloudFormation options. The defaults fill a template to 90% of each quota, for bodies
/// uploaded to S3.
///
/// ```
/// use iam_codegen::emit::cloudformation::CloudformationOptions;
/// let inline = CloudformationOptions::default().inline_body();
/// assert_eq!(inline.max_template_bytes, 46_080);
/// assert_eq!(CloudformationOptions::default().max_resources, 450);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CloudformationOptions {
    /// Resources per template; 450.
    pub max_resources: usize,
    /// Outputs per template; 180.
    pub max_outputs: usize,
    /// Parameters per template; 180.
    pub max_parameters: usize,
    /// Bytes per template body; 900,000 (90% of [`S3_TEMPLATE_BYTES`]).
    pub max_template_bytes: usize,
}

impl Default for CloudformationOptions {
    fn default() -> Self {
        Self {
            max_resources: headroom(MAX_RESOURCES),
            max_outputs: headroom(MAX_OUTPUTS),
            max_parameters: headroom(MAX_PARAMETERS),
            max_template_bytes: headroom(S3_TEMPLATE_BYTES),
        }
    }
}

impl CloudformationOptions {
    /// Templates small enough to pass inline (90% of [`INLINE_TEMPLATE_BYTES`]).
    pub fn inline_body(mut self) -> Self {
        self.max_template_bytes = headroom(INLINE_TEMPLATE_BYTES);
        self
    }

    /// At most this many resources per template (capped at 90% of [`MAX_RESOURCES`]).
    pub fn max_resources(mut self, n: usize) -> Self {
        self.max_resources = n.clamp(1, headroom(MAX_RESOURCES));
        self
    }
}

/// The logical id of an entity, fitted to 255 characters.
fn cfn_id(kind: EntityKind, name: &str) -> String {
    fit_logical_id(logical_id(kind, name))
}

/// The ARN of an AWS managed policy from the catalogue (`aws` partition); a name the
/// catalogue lacks (validation reports it) gets the root path.
fn aws_managed_arn(name: &str) -> String {
    iam_catalog::AwsManagedPolicy::from_name(name).map_or_else(
        || format!("arn:aws:iam::aws:policy/{name}"),
        |p| p.arn().to_string(),
    )
}

/// A policy document in canonical form, as a JSON object.
fn policy_value<K: Kind>(policy: &Policy<K>) -> Value {
    serde_json::to_value(policy.clone().canonical()).unwrap_or(Value::Null)
}

/// CloudFormation `Tags`: `[{"Key", "Value"}]`, sorted by key.
fn tags(t: &Tags) -> Value {
    Value::Array(
        t.iter()
            .map(|(k, v)| json!({ "Key": k, "Value": v }))
            .collect(),
    )
}

/// The units to deploy: one per account with something in it; the baseline templates go to
/// `files`.
fn units(
    model: &Model,
    files: &mut Vec<(String, Vec<u8>)>,
) -> Result<Vec<template::Unit>, EmitError> {
    let management = model.organization().management_account().as_str();
    let instance = model
        .identity_center()
        .map(|ic| ic.instance_account().as_str());
    let mut out = Vec::new();
    for (name, account) in model.accounts() {
        let mut resources = Vec::new();
        let mut params = template::Params::default();
        let mut parts = Vec::new();
        if name.as_str() == management {
            org::resources(model, &mut resources, &mut params);
            parts.push("AWS Organizations, budgets");
            let before = resources.len();
            files.extend(baseline::stack_sets(model, &mut resources)?);
            if resources.len() > before {
                parts.push("OU baselines (StackSets)");
            }
        }
        if Some(name.as_str()) == instance {
            let before = resources.len();
            sso::resources(model, &mut resources, &mut params);
            if resources.len() > before {
                parts.push("IAM Identity Center");
            }
        }
        let before = resources.len();
        iam::resources(account, &mut resources, &mut params);
        if resources.len() > before || parts.is_empty() {
            parts.push("IAM");
        }
        if resources.is_empty() {
            continue;
        }
        out.push(template::Unit {
            stem: name.as_str().to_string(),
            description: format!(
                "{} of account {name} ({}). Generated by iam-codegen from the access model; edit the model, not this file.",
                parts.join(", "),
                account.id()
            ),
            export_prefix: format!("iam-codegen:{}", cfn_id(EntityKind::Account, name.as_str())),
            resources,
            params,
        });
    }
    Ok(out)
}

/// The files of this target, relative to its directory: `<account>.json` and
/// `<account>.parameters.json` per account (see the module docs).
///
/// ```
/// use iam_codegen::emit::{cloudformation, EmitOptions};
/// let model = iam_model::model::synthetic::organization(2, 1, 1, 1, 1);
/// let files = cloudformation::emit(&model, &EmitOptions::default())?;
/// let management = model.organization().management_account().as_str();
/// let template: serde_json::Value =
///     serde_json::from_slice(files.get(&format!("{management}.json")).unwrap())?;
/// assert_eq!(template["AWSTemplateFormatVersion"], "2010-09-09");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn emit(model: &Model, options: &EmitOptions) -> Result<Artifacts, EmitError> {
    let o = &options.cloudformation;
    let limits = template::Limits {
        resources: o.max_resources.clamp(1, MAX_RESOURCES),
        outputs: o.max_outputs.clamp(1, MAX_OUTPUTS),
        params: o.max_parameters.clamp(1, MAX_PARAMETERS),
        bytes: o.max_template_bytes.clamp(4_096, S3_TEMPLATE_BYTES),
    };
    let mut files = Artifacts::new();
    let mut all = Vec::new();
    let mut baselines = Vec::new();
    for unit in units(model, &mut baselines)? {
        all.extend(template::lay_out(unit, limits)?);
    }
    if let Some(script) = lookup::script(&all)? {
        files.insert(PARAMETERS_SCRIPT, script)?;
    }
    for (path, body) in baselines {
        files.insert(path, body)?;
    }
    for laid in all {
        let body = laid.template;
        let path = format!("{}.json", laid.file_stem);
        if body.len() > limits.bytes {
            return Err(EmitError::TemplateOutput {
                name: path,
                reason: format!(
                    "the template is {} bytes; the limit is {}",
                    body.len(),
                    limits.bytes
                ),
            });
        }
        files.insert(path, body)?;
        if let Some(params) = laid.parameters {
            files.insert(format!("{}.parameters.json", laid.file_stem), params)?;
        }
    }
    Ok(files)
}
