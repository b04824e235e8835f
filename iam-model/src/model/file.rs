//! The model file: a serde mirror of the JSON format (names as strings, policies as written)
//! with its JSON Schema, and the conversions to and from [`Model`].
//!
//! Reading a file only checks JSON shapes here; [`decode`] then parses every name and value
//! and decodes every policy by its kind, collecting every problem as a finding with a JSON
//! pointer into the file.
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ParseError;
use crate::json::pointer_token;
use crate::model::account::{Account, Budget};
use crate::model::iam::{
    Group, Iam, InstanceProfile, ManagedPolicy, ManagedPolicyRef, MaxSessionDuration, OidcProvider,
    PasswordPolicy, Permissions, Role, SamlProvider, User,
};
use crate::model::names::{IamPath, UnitPath};
use crate::model::org::{Environment, OrgPolicy, Organization, Tags, Target, Unit};
use crate::model::sso::{
    Assignment, AssignmentPrincipal, CustomerPolicyRef, IdentityCenter, IdentitySource,
    PermissionSet, PermissionSetBoundary, SessionDuration, SsoGroup, SsoSettings, SsoUser,
};
use crate::model::{
    AllowedFinding, Assertion, AssertionPrincipal, FORMAT_VERSION, Model, SCHEMA_URL,
};
use crate::policy::{Kind, Policy};
use crate::raw;
use crate::validate::{Finding, Report};

/// A policy document as written in a model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Document(pub raw::Policy);

impl schemars::JsonSchema for Document {
    fn schema_name() -> Cow<'static, str> {
        "PolicyDocument".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let statement = generator.subschema_for::<StatementSchema>();
        schemars::json_schema!({
            "description": "An IAM policy document (\"Grammar of the IAM JSON policy language\"); checked by its kind when the model is read.",
            "type": "object",
            "properties": {
                "Version": { "enum": ["2012-10-17", "2008-10-17"] },
                "Id": { "type": "string" },
                "Statement": {
                    "anyOf": [statement.clone(), { "type": "array", "items": statement }]
                }
            },
            "required": ["Statement"]
        })
    }
}

/// A statement's schema, referenced by [`Document`]'s.
#[derive(schemars::JsonSchema)]
#[schemars(rename = "PolicyStatement")]
#[expect(dead_code, reason = "only its JSON Schema is used")]
struct StatementSchema {
    #[serde(rename = "Sid")]
    sid: Option<String>,
    #[serde(rename = "Effect")]
    effect: EffectSchema,
    #[serde(rename = "Principal")]
    principal: Option<serde_json::Value>,
    #[serde(rename = "NotPrincipal")]
    not_principal: Option<serde_json::Value>,
    #[serde(rename = "Action")]
    action: Option<StringOrList>,
    #[serde(rename = "NotAction")]
    not_action: Option<StringOrList>,
    #[serde(rename = "Resource")]
    resource: Option<StringOrList>,
    #[serde(rename = "NotResource")]
    not_resource: Option<StringOrList>,
    #[serde(rename = "Condition")]
    condition: Option<BTreeMap<String, BTreeMap<String, serde_json::Value>>>,
}

#[derive(schemars::JsonSchema)]
#[expect(dead_code, reason = "only its JSON Schema is used")]
enum EffectSchema {
    Allow,
    Deny,
}

#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[expect(dead_code, reason = "only its JSON Schema is used")]
enum StringOrList {
    One(String),
    Many(Vec<String>),
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_default_source(source: &IdentitySource) -> bool {
    *source == IdentitySource::default()
}

/// A model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "iam-codegen access model", rename = "Model")]
pub struct ModelFile {
    /// The JSON Schema of the file, for editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The format version: 1.
    pub version: u32,
    /// The organization.
    pub organization: OrganizationFile,
    /// The accounts by name.
    #[serde(default)]
    pub accounts: BTreeMap<String, AccountFile>,
    /// IAM Identity Center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_center: Option<IdentityCenterFile>,
    /// Access assertions for the evaluator.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assertions: Vec<AssertionFile>,
    /// Findings the authors accept, each with its reason: reported as accepted, not as
    /// errors or warnings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_findings: Vec<AllowFindingFile>,
}

/// A finding the model's authors accept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllowFindingFile {
    /// The finding code (`trust-open`).
    pub code: String,
    /// The JSON pointer of the finding, exactly as validation reports it.
    pub path: String,
    /// Why the finding is accepted; required and not empty.
    #[schemars(length(min = 1))]
    pub reason: String,
}

/// The organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationFile {
    /// The management account's name under `accounts`.
    pub management_account: String,
    /// Top-level OUs by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub units: BTreeMap<String, UnitFile>,
    /// Service control policies by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scps: BTreeMap<String, OrgPolicyFile>,
    /// Resource control policies by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rcps: BTreeMap<String, OrgPolicyFile>,
}

/// An OU.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitFile {
    /// Child OUs by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub units: BTreeMap<String, UnitFile>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// IAM every account under the OU gets (deployed as a CloudFormation StackSet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineFile>,
}

/// A per-OU baseline: IAM roles, customer managed policies and OIDC providers that every
/// account under the OU (at any depth) gets. Strings may name the account they are deployed
/// in as `${AWS::AccountId}` (and the partition as `${AWS::Partition}`); validation and the
/// evaluator see the baseline in every account with its own id, CloudFormation deploys it
/// with a StackSet that resolves the placeholders with `Fn::Sub`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    /// Roles by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub roles: BTreeMap<String, RoleFile>,
    /// Customer managed policies by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<String, ManagedPolicyFile>,
    /// OIDC providers by model name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub oidc_providers: BTreeMap<String, OidcProvider>,
}

/// What `${AWS::AccountId}` in a baseline stands for.
pub const ACCOUNT_ID_PLACEHOLDER: &str = "${AWS::AccountId}";
/// What `${AWS::Partition}` in a baseline stands for.
pub const PARTITION_PLACEHOLDER: &str = "${AWS::Partition}";

impl BaselineFile {
    /// The baseline as one account's IAM: every string with the placeholders replaced by the
    /// account id and `aws`.
    pub fn for_account(&self, account_id: &str) -> IamFile {
        fn walk(v: &mut serde_json::Value, id: &str) {
            match v {
                serde_json::Value::String(s) if s.contains("${AWS::") => {
                    *s = s
                        .replace(ACCOUNT_ID_PLACEHOLDER, id)
                        .replace(PARTITION_PLACEHOLDER, "aws");
                }
                serde_json::Value::Array(items) => items.iter_mut().for_each(|i| walk(i, id)),
                serde_json::Value::Object(map) => map.values_mut().for_each(|i| walk(i, id)),
                _ => {}
            }
        }
        let iam = IamFile {
            roles: self.roles.clone(),
            policies: self.policies.clone(),
            oidc_providers: self.oidc_providers.clone(),
            ..IamFile::default()
        };
        let mut value = serde_json::to_value(&iam).unwrap_or(serde_json::Value::Null);
        walk(&mut value, account_id);
        serde_json::from_value(value).unwrap_or(iam)
    }

    /// The file form of a baseline typed with [`crate::model::baseline::TEMPLATE_ACCOUNT_ID`]
    /// for the account's id: its roles, policies and OIDC providers, with that id written
    /// `${AWS::AccountId}` in every string.
    pub(crate) fn from_template(iam: &Iam) -> Self {
        fn walk(v: &mut serde_json::Value) {
            match v {
                serde_json::Value::String(s)
                    if s.contains(crate::model::baseline::TEMPLATE_ACCOUNT_ID) =>
                {
                    *s = s.replace(
                        crate::model::baseline::TEMPLATE_ACCOUNT_ID,
                        ACCOUNT_ID_PLACEHOLDER,
                    );
                }
                serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
                serde_json::Value::Object(map) => map.values_mut().for_each(walk),
                _ => {}
            }
        }
        let file = iam_file(iam);
        let file = Self {
            roles: file.roles,
            policies: file.policies,
            oidc_providers: file.oidc_providers,
        };
        let mut value = serde_json::to_value(&file).unwrap_or(serde_json::Value::Null);
        walk(&mut value);
        serde_json::from_value(value).unwrap_or(file)
    }
}

/// A baseline as the IAM of the account `account_id`; `None` when it does not decode (its
/// findings are reported when the baseline is read with the stand-in id).
pub(crate) fn decode_baseline(file: &BaselineFile, account_id: &str) -> Option<Iam> {
    let mut scratch = Decoder {
        report: Report::new(),
    };
    scratch.iam(&file.for_account(account_id), "")
}

/// An SCP or RCP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgPolicyFile {
    /// The id AWS gave the policy (`p-` and 8 to 128 letters, digits or underscores), when
    /// it exists: `import` keeps it, and `generate --import-existing` imports the policy and
    /// its attachments by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where it is attached: `root`, `unit:PATH` or `account:NAME`.
    #[serde(default)]
    pub targets: Vec<String>,
    /// The policy.
    pub document: Document,
    /// Tags.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// An account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountFile {
    /// The 12-digit account id.
    pub id: String,
    /// The owner (root user) email, unique in the organization.
    pub email: String,
    /// `management`, `security`, `logging`, `sandbox`, `development`, `testing`, `staging`,
    /// `production`, or a name of your own.
    pub environment: String,
    /// The OU path (`Workloads/Prod`); none for the root.
    #[serde(default)]
    pub unit: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// A cost budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Budget>,
    /// IAM entities of the account.
    #[serde(default, skip_serializing_if = "IamFile::is_empty")]
    pub iam: IamFile,
    /// Whether the management template creates the account. Absent or `false`: the account
    /// exists (it has an id) and is adopted, never created.
    #[serde(default, skip_serializing_if = "is_false")]
    pub create: bool,
}

/// IAM in one account.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamFile {
    /// Users by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub users: BTreeMap<String, UserFile>,
    /// Groups by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub groups: BTreeMap<String, GroupFile>,
    /// Roles by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub roles: BTreeMap<String, RoleFile>,
    /// Customer managed policies by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<String, ManagedPolicyFile>,
    /// OIDC providers by model name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub oidc_providers: BTreeMap<String, OidcProvider>,
    /// SAML providers by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub saml_providers: BTreeMap<String, SamlProvider>,
    /// Instance profiles by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub instance_profiles: BTreeMap<String, InstanceProfileFile>,
    /// The account password policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_policy: Option<PasswordPolicy>,
}

impl IamFile {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// A managed policy named as a boundary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PolicyRefFile {
    /// An AWS managed policy by name.
    AwsManaged(String),
    /// A customer managed policy of the same account by name.
    CustomerManaged(String),
}

/// An IAM user.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserFile {
    /// The IAM path; `/` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Groups of the same account.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Whether the user has a console password (never the password itself).
    #[serde(default, skip_serializing_if = "is_false")]
    pub console_access: bool,
    /// Whether the user has access keys (never the keys themselves).
    #[serde(default, skip_serializing_if = "is_false")]
    pub programmatic_access: bool,
    /// Inline policies by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inline_policies: BTreeMap<String, Document>,
    /// Attached AWS managed policies by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aws_managed_policies: Vec<String>,
    /// Attached customer managed policies of the same account by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customer_managed_policies: Vec<String>,
    /// The permissions boundary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<PolicyRefFile>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// An IAM group.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupFile {
    /// The IAM path; `/` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Inline policies by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inline_policies: BTreeMap<String, Document>,
    /// Attached AWS managed policies by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aws_managed_policies: Vec<String>,
    /// Attached customer managed policies of the same account by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customer_managed_policies: Vec<String>,
}

/// An IAM role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleFile {
    /// The IAM path; `/` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What the role is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who may assume the role.
    pub trust_policy: Document,
    /// The longest session in seconds, 3600 to 43200; 3600 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_session_duration: Option<u32>,
    /// The permissions boundary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<PolicyRefFile>,
    /// Inline policies by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inline_policies: BTreeMap<String, Document>,
    /// Attached AWS managed policies by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aws_managed_policies: Vec<String>,
    /// Attached customer managed policies of the same account by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customer_managed_policies: Vec<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// A customer managed policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagedPolicyFile {
    /// The IAM path; `/` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What the policy is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The policy.
    pub document: Document,
    /// Tags.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// An instance profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceProfileFile {
    /// The IAM path; `/` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The role of the same account it carries.
    pub role: String,
}

/// IAM Identity Center.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityCenterFile {
    /// The account of the instance (management or delegated administrator).
    pub instance_account: String,
    /// The AWS access portal URL (IAM Identity Center > Settings > AWS access portal URL):
    /// `https://d-XXXXXXXXXX.awsapps.com/start` or `https://ALIAS.awsapps.com/start`. The
    /// `aws-config` target needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^https://[A-Za-z0-9-]{1,62}\.awsapps\.com/start/?$"))]
    pub start_url: Option<String>,
    /// The region of the instance (`eu-west-1`); the `aws-config` target needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[a-z]{2,4}(-[a-z]+)+-[0-9]+$"))]
    pub region: Option<String>,
    /// The name of the `[sso-session NAME]` section of the AWS CLI config; `sso` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_session: Option<String>,
    /// The default region of the AWS CLI profiles; the instance's `region` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[a-z]{2,4}(-[a-z]+)+-[0-9]+$"))]
    pub profile_region: Option<String>,
    /// The output format of the AWS CLI profiles (`json`, `yaml`, `yaml-stream`, `text`,
    /// `table`); `json` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^(json|yaml|yaml-stream|text|table)$"))]
    pub profile_output: Option<String>,
    /// Where users and groups come from: `identity_center_directory` (the default; the
    /// artifacts create them) or `external_identity_provider` (SCIM from Okta, Entra ID,
    /// Google, …; the artifacts look them up and never create them).
    #[serde(default, skip_serializing_if = "is_default_source")]
    pub identity_source: IdentitySource,
    /// Users by user name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub users: BTreeMap<String, SsoUser>,
    /// Groups by display name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub groups: BTreeMap<String, SsoGroup>,
    /// Permission sets by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub permission_sets: BTreeMap<String, PermissionSetFile>,
    /// Account assignments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assignments: Vec<AssignmentFile>,
}

/// A customer managed policy a permission set names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerPolicyRefFile {
    /// The policy name.
    pub name: String,
    /// The policy path; `/` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// A permission set's boundary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PermissionSetBoundaryFile {
    /// An AWS managed policy by name.
    AwsManaged(String),
    /// A customer managed policy by name and path.
    CustomerManaged(CustomerPolicyRefFile),
}

/// A permission set.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionSetFile {
    /// What it is for (up to 700 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// ISO 8601, `PT1H` to `PT12H`; `PT1H` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_duration: Option<String>,
    /// Where the access portal sends users after sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay_state: Option<String>,
    /// AWS managed policies by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aws_managed_policies: Vec<String>,
    /// Customer managed policies each assigned account must have.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub customer_managed_policies: Vec<CustomerPolicyRefFile>,
    /// The inline policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inline_policy: Option<Document>,
    /// The permissions boundary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<PermissionSetBoundaryFile>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// An account assignment: exactly one of `group` and `user`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentFile {
    /// An Identity Center group by display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// An Identity Center user by user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The permission set.
    pub permission_set: String,
    /// Accounts by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<String>,
    /// OUs by path: every account under them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub units: Vec<String>,
}

/// An access assertion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssertionFile {
    /// `group:NAME`, `user:NAME`, `permission-set:NAME`, `role:NAME`, `iam-user:NAME`,
    /// `external-account:ID`, or a federated caller of a provider of the model: `oidc:NAME`
    /// (web identity) or `saml:NAME`, with its claims in `context`.
    pub principal: String,
    /// The account by name.
    pub account: String,
    /// `*` or an ARN; `*` when absent.
    #[serde(default = "any_resource")]
    pub resource: String,
    /// Request context values by condition key (`{"sts:ExternalId": "…"}`); keys not
    /// listed are absent from the request.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, String>,
    /// Actions that must be denied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub denied: Vec<String>,
    /// Actions that must be allowed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<String>,
}

fn any_resource() -> String {
    "*".to_string()
}

/// The JSON Schema of the model file, pretty-printed with a trailing newline.
///
/// ```
/// let schema = iam_model::model::file::json_schema();
/// assert!(schema.contains("\"title\": \"iam-codegen access model\""));
/// ```
pub fn json_schema() -> String {
    let mut schema = schemars::schema_for!(ModelFile);
    schema.insert("$id".to_string(), serde_json::Value::from(SCHEMA_URL));
    crate::json::to_pretty(&schema)
}

// ---------------------------------------------------------------------------------------
// file → model

struct Decoder {
    report: Report,
}

fn key(base: &str, name: &str) -> String {
    format!("{base}/{}", pointer_token(name))
}

impl Decoder {
    fn parse<T: FromStr<Err = ParseError>>(
        &mut self,
        code: &'static str,
        text: &str,
        path: &str,
        help: &str,
    ) -> Option<T> {
        match text.parse() {
            Ok(v) => Some(v),
            Err(e) => {
                self.report.error(code, path, e.to_string(), help);
                None
            }
        }
    }

    fn name<T: FromStr<Err = ParseError>>(&mut self, text: &str, path: &str) -> Option<T> {
        self.parse(
            "invalid-name",
            text,
            path,
            "see \"IAM and AWS STS quotas\" (IAM name requirements) for the rules of each name",
        )
    }

    fn policy<K: Kind>(&mut self, doc: &Document, path: &str) -> Option<Policy<K>> {
        let mut report = Report::new();
        let decoded = crate::validate::policy::decode(&doc.0, K::KIND, path, &mut report);
        // Warnings are reported again by `validate`, with the size findings.
        let mut failed = false;
        for f in report.into_findings() {
            if f.severity == crate::validate::Severity::Error {
                failed = true;
                self.report.push(f);
            }
        }
        match decoded {
            Some(d) if !failed => Some(Policy::from_document_unchecked(d)),
            _ => None,
        }
    }

    fn iam_path(&mut self, text: Option<&str>, path: &str) -> Option<IamPath> {
        match text {
            None => Some(IamPath::root()),
            Some(t) => self.parse(
                "invalid-path",
                t,
                path,
                "an IAM path is 1 to 512 characters from U+0021 to U+007F that begins and ends with `/`",
            ),
        }
    }

    fn names<T: FromStr<Err = ParseError>>(
        &mut self,
        list: &[String],
        base: &str,
    ) -> Option<Vec<T>> {
        let mut out = Vec::with_capacity(list.len());
        let mut ok = true;
        for (i, text) in list.iter().enumerate() {
            match self.name(text, &format!("{base}/{i}")) {
                Some(v) => out.push(v),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn units(&mut self, units: &BTreeMap<String, UnitFile>, base: &str) -> BTreeMap<String, Unit> {
        // OU names are checked by `validate`, which walks the tree with paths.
        units
            .iter()
            .map(|(name, u)| {
                let path = key(base, name);
                let baseline = u.baseline.as_ref().and_then(|b| {
                    // Decoded once with a stand-in id, so its findings point into the OU.
                    let iam = b.for_account(crate::model::baseline::TEMPLATE_ACCOUNT_ID);
                    let template = self.iam(&iam, &format!("{path}/baseline"))?;
                    Some(crate::model::baseline::Baseline {
                        file: b.clone(),
                        template,
                    })
                });
                (
                    name.clone(),
                    Unit {
                        units: self.units(&u.units, &format!("{path}/units")),
                        tags: u.tags.clone(),
                        baseline,
                    },
                )
            })
            .collect()
    }

    fn org_policy<K: Kind>(&mut self, p: &OrgPolicyFile, base: &str) -> Option<OrgPolicy<K>> {
        let mut targets = Vec::new();
        let mut ok = true;
        for (i, t) in p.targets.iter().enumerate() {
            match self.parse::<Target>(
                "invalid-target",
                t,
                &format!("{base}/targets/{i}"),
                "write `root`, `unit:Workloads/Prod` or `account:production`",
            ) {
                Some(t) => targets.push(t),
                None => ok = false,
            }
        }
        let document = self.policy::<K>(&p.document, &format!("{base}/document"));
        Some(OrgPolicy {
            id: p.id.clone(),
            description: p.description.clone(),
            targets: ok.then_some(targets)?,
            document: document?,
            tags: p.tags.clone(),
        })
    }

    fn organization(&mut self, o: &OrganizationFile) -> Option<Organization> {
        let management_account =
            self.name(&o.management_account, "/organization/management_account");
        let units = self.units(&o.units, "/organization/units");
        let mut scps = BTreeMap::new();
        let mut rcps = BTreeMap::new();
        let mut ok = true;
        for (name, p) in &o.scps {
            let base = key("/organization/scps", name);
            let n = self.name(name, &base);
            match (n, self.org_policy(p, &base)) {
                (Some(n), Some(p)) => {
                    scps.insert(n, p);
                }
                _ => ok = false,
            }
        }
        for (name, p) in &o.rcps {
            let base = key("/organization/rcps", name);
            let n = self.name(name, &base);
            match (n, self.org_policy(p, &base)) {
                (Some(n), Some(p)) => {
                    rcps.insert(n, p);
                }
                _ => ok = false,
            }
        }
        Some(Organization {
            management_account: management_account?,
            units,
            scps: ok.then_some(scps)?,
            rcps,
        })
    }

    fn inline_policies<T>(
        &mut self,
        map: &BTreeMap<String, Document>,
        base: &str,
    ) -> Option<BTreeMap<T, Policy<crate::policy::kind::Identity>>>
    where
        T: FromStr<Err = ParseError> + Ord,
    {
        let mut out = BTreeMap::new();
        let mut ok = true;
        for (name, doc) in map {
            let path = key(base, name);
            let n = self.name::<T>(name, &path);
            let p = self.policy(doc, &path);
            match (n, p) {
                (Some(n), Some(p)) => {
                    out.insert(n, p);
                }
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn permissions(
        &mut self,
        path: Option<&str>,
        inline: &BTreeMap<String, Document>,
        aws: &[String],
        customer: &[String],
        base: &str,
    ) -> Option<Permissions> {
        let path = self.iam_path(path, &format!("{base}/path"));
        let inline = self.inline_policies(inline, &format!("{base}/inline_policies"));
        let customer = self.names(customer, &format!("{base}/customer_managed_policies"));
        Some(Permissions {
            path: path?,
            inline_policies: inline?,
            aws_managed_policies: aws.to_vec(),
            customer_managed_policies: customer?,
        })
    }

    fn policy_ref(
        &mut self,
        r: Option<&PolicyRefFile>,
        base: &str,
    ) -> Option<Option<ManagedPolicyRef>> {
        match r {
            None => Some(None),
            Some(PolicyRefFile::AwsManaged(name)) => {
                Some(Some(ManagedPolicyRef::Aws(name.clone())))
            }
            Some(PolicyRefFile::CustomerManaged(name)) => self
                .name(name, &format!("{base}/customer_managed"))
                .map(|n| Some(ManagedPolicyRef::Customer(n))),
        }
    }

    fn iam(&mut self, f: &IamFile, base: &str) -> Option<Iam> {
        let mut iam = Iam::default();
        let mut ok = true;
        for (name, u) in &f.users {
            let b = key(&format!("{base}/users"), name);
            let n = self.name(name, &b);
            let permissions = self.permissions(
                u.path.as_deref(),
                &u.inline_policies,
                &u.aws_managed_policies,
                &u.customer_managed_policies,
                &b,
            );
            let groups = self.names(&u.groups, &format!("{b}/groups"));
            let boundary = self.policy_ref(
                u.permissions_boundary.as_ref(),
                &format!("{b}/permissions_boundary"),
            );
            match (n, permissions, groups, boundary) {
                (Some(n), Some(permissions), Some(groups), Some(permissions_boundary)) => {
                    iam.users.insert(
                        n,
                        User {
                            permissions,
                            groups,
                            console_access: u.console_access,
                            programmatic_access: u.programmatic_access,
                            permissions_boundary,
                            tags: u.tags.clone(),
                        },
                    );
                }
                _ => ok = false,
            }
        }
        for (name, g) in &f.groups {
            let b = key(&format!("{base}/groups"), name);
            let n = self.name(name, &b);
            let permissions = self.permissions(
                g.path.as_deref(),
                &g.inline_policies,
                &g.aws_managed_policies,
                &g.customer_managed_policies,
                &b,
            );
            match (n, permissions) {
                (Some(n), Some(permissions)) => {
                    iam.groups.insert(n, Group { permissions });
                }
                _ => ok = false,
            }
        }
        for (name, r) in &f.roles {
            let b = key(&format!("{base}/roles"), name);
            let n = self.name(name, &b);
            let permissions = self.permissions(
                r.path.as_deref(),
                &r.inline_policies,
                &r.aws_managed_policies,
                &r.customer_managed_policies,
                &b,
            );
            let trust = self.policy(&r.trust_policy, &format!("{b}/trust_policy"));
            let duration = match r.max_session_duration {
                None => Some(MaxSessionDuration::default()),
                Some(s) => match MaxSessionDuration::try_from(s) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        self.report.error(
                            "invalid-max-session-duration",
                            format!("{b}/max_session_duration"),
                            e.to_string(),
                            "a role's maximum session duration is 3600 (1 hour) to 43200 (12 hours) seconds",
                        );
                        None
                    }
                },
            };
            let boundary = self.policy_ref(
                r.permissions_boundary.as_ref(),
                &format!("{b}/permissions_boundary"),
            );
            match (n, permissions, trust, duration, boundary) {
                (
                    Some(n),
                    Some(permissions),
                    Some(trust_policy),
                    Some(max_session_duration),
                    Some(permissions_boundary),
                ) => {
                    iam.roles.insert(
                        n,
                        Role {
                            permissions,
                            description: r.description.clone(),
                            trust_policy,
                            max_session_duration,
                            permissions_boundary,
                            tags: r.tags.clone(),
                        },
                    );
                }
                _ => ok = false,
            }
        }
        for (name, p) in &f.policies {
            let b = key(&format!("{base}/policies"), name);
            let n = self.name(name, &b);
            let path = self.iam_path(p.path.as_deref(), &format!("{b}/path"));
            let document = self.policy(&p.document, &format!("{b}/document"));
            match (n, path, document) {
                (Some(n), Some(path), Some(document)) => {
                    iam.policies.insert(
                        n,
                        ManagedPolicy {
                            path,
                            description: p.description.clone(),
                            document,
                            tags: p.tags.clone(),
                        },
                    );
                }
                _ => ok = false,
            }
        }
        for (name, p) in &f.oidc_providers {
            match self.name(name, &key(&format!("{base}/oidc_providers"), name)) {
                Some(n) => {
                    iam.oidc_providers.insert(n, p.clone());
                }
                None => ok = false,
            }
        }
        for (name, p) in &f.saml_providers {
            match self.name(name, &key(&format!("{base}/saml_providers"), name)) {
                Some(n) => {
                    iam.saml_providers.insert(n, p.clone());
                }
                None => ok = false,
            }
        }
        for (name, p) in &f.instance_profiles {
            let b = key(&format!("{base}/instance_profiles"), name);
            let n = self.name(name, &b);
            let path = self.iam_path(p.path.as_deref(), &format!("{b}/path"));
            let role = self.name(&p.role, &format!("{b}/role"));
            match (n, path, role) {
                (Some(n), Some(path), Some(role)) => {
                    iam.instance_profiles
                        .insert(n, InstanceProfile { path, role });
                }
                _ => ok = false,
            }
        }
        iam.password_policy = f.password_policy.clone();
        ok.then_some(iam)
    }

    fn account(&mut self, a: &AccountFile, base: &str) -> Option<Account> {
        let id = self.parse(
            "invalid-account-id",
            &a.id,
            &format!("{base}/id"),
            "an AWS account id is exactly 12 digits, written as a string",
        );
        let environment = self.parse::<Environment>(
            "invalid-environment",
            &a.environment,
            &format!("{base}/environment"),
            "write `management`, `security`, `logging`, `sandbox`, `development`, `testing`, `staging`, `production` or a name of your own",
        );
        let unit = match &a.unit {
            None => Some(None),
            Some(u) => self
                .parse(
                    "invalid-unit-path",
                    u,
                    &format!("{base}/unit"),
                    "write the OU names from the root joined by `/`, e.g. `Workloads/Prod`",
                )
                .map(Some),
        };
        let iam = self.iam(&a.iam, &format!("{base}/iam"));
        Some(Account {
            id: id?,
            email: a.email.clone(),
            environment: environment?,
            unit: unit?,
            tags: a.tags.clone(),
            budget: a.budget.clone(),
            iam: iam?,
            create: a.create,
            own: None,
        })
    }

    fn customer_ref(&mut self, r: &CustomerPolicyRefFile, base: &str) -> Option<CustomerPolicyRef> {
        let name = self.name(&r.name, &format!("{base}/name"));
        let path = self.iam_path(r.path.as_deref(), &format!("{base}/path"));
        Some(CustomerPolicyRef {
            name: name?,
            path: path?,
        })
    }

    fn permission_set(&mut self, p: &PermissionSetFile, base: &str) -> Option<PermissionSet> {
        let session_duration = match &p.session_duration {
            None => Some(SessionDuration::default()),
            Some(text) => self.parse(
                "invalid-session-duration",
                text,
                &format!("{base}/session_duration"),
                "IAM Identity Center sessions last 1 to 12 hours, written in ISO 8601 (`PT1H`, `PT8H`, `PT1H30M`)",
            ),
        };
        let mut customer = Vec::new();
        let mut ok = true;
        for (i, r) in p.customer_managed_policies.iter().enumerate() {
            match self.customer_ref(r, &format!("{base}/customer_managed_policies/{i}")) {
                Some(r) => customer.push(r),
                None => ok = false,
            }
        }
        let inline_policy = match &p.inline_policy {
            None => Some(None),
            Some(doc) => self.policy(doc, &format!("{base}/inline_policy")).map(Some),
        };
        let boundary = match &p.permissions_boundary {
            None => Some(None),
            Some(PermissionSetBoundaryFile::AwsManaged(n)) => {
                Some(Some(PermissionSetBoundary::Aws(n.clone())))
            }
            Some(PermissionSetBoundaryFile::CustomerManaged(r)) => self
                .customer_ref(r, &format!("{base}/permissions_boundary/customer_managed"))
                .map(|r| Some(PermissionSetBoundary::Customer(r))),
        };
        Some(PermissionSet {
            description: p.description.clone(),
            session_duration: session_duration?,
            relay_state: p.relay_state.clone(),
            aws_managed_policies: p.aws_managed_policies.clone(),
            customer_managed_policies: ok.then_some(customer)?,
            inline_policy: inline_policy?,
            permissions_boundary: boundary?,
            tags: p.tags.clone(),
        })
    }

    fn assignment(&mut self, a: &AssignmentFile, base: &str) -> Option<Assignment> {
        let principal = match (&a.group, &a.user) {
            (Some(g), None) => Some(AssignmentPrincipal::Group(g.clone())),
            (None, Some(u)) => Some(AssignmentPrincipal::User(u.clone())),
            (both, _) => {
                self.report.error(
                    "invalid-assignment",
                    base,
                    if both.is_some() {
                        "the assignment names both a `group` and a `user`"
                    } else {
                        "the assignment names neither a `group` nor a `user`"
                    },
                    "an assignment is for exactly one group or one user; write two assignments for both",
                );
                None
            }
        };
        let permission_set = self.name(&a.permission_set, &format!("{base}/permission_set"));
        let accounts = self.names(&a.accounts, &format!("{base}/accounts"));
        let mut units = Vec::new();
        let mut ok = true;
        for (i, u) in a.units.iter().enumerate() {
            match self.parse(
                "invalid-unit-path",
                u,
                &format!("{base}/units/{i}"),
                "write the OU names from the root joined by `/`, e.g. `Workloads/Prod`",
            ) {
                Some(u) => units.push(u),
                None => ok = false,
            }
        }
        Some(Assignment {
            principal: principal?,
            permission_set: permission_set?,
            accounts: accounts?,
            units: ok.then_some(units)?,
        })
    }

    fn identity_center(&mut self, f: &IdentityCenterFile) -> Option<IdentityCenter> {
        let base = "/identity_center";
        let instance_account = self.name(&f.instance_account, &format!("{base}/instance_account"));
        let mut permission_sets = BTreeMap::new();
        let mut ok = true;
        for (name, p) in &f.permission_sets {
            let b = key(&format!("{base}/permission_sets"), name);
            let n = self.name(name, &b);
            match (n, self.permission_set(p, &b)) {
                (Some(n), Some(p)) => {
                    permission_sets.insert(n, p);
                }
                _ => ok = false,
            }
        }
        let mut assignments = Vec::with_capacity(f.assignments.len());
        for (i, a) in f.assignments.iter().enumerate() {
            match self.assignment(a, &format!("{base}/assignments/{i}")) {
                Some(a) => assignments.push(a),
                None => ok = false,
            }
        }
        let sso = self.sso_settings(f, base);
        Some(IdentityCenter {
            instance_account: instance_account?,
            sso: sso?,
            identity_source: f.identity_source,
            users: f.users.clone(),
            groups: f.groups.clone(),
            permission_sets: ok.then_some(permission_sets)?,
            assignments: ok.then_some(assignments)?,
        })
    }

    /// The AWS CLI sign-in settings; `None` when one of them is invalid (each a finding).
    fn sso_settings(&mut self, f: &IdentityCenterFile, base: &str) -> Option<SsoSettings> {
        let mut ok = true;
        let mut settings = SsoSettings::default();
        if let Some(text) = &f.start_url {
            settings.start_url = self.parse(
                "invalid-start-url",
                text,
                &format!("{base}/start_url"),
                "copy the AWS access portal URL from IAM Identity Center > Settings, such as `https://d-1234567890.awsapps.com/start`",
            );
            ok &= settings.start_url.is_some();
        }
        for (field, text, slot) in [
            ("region", &f.region, &mut settings.region),
            (
                "profile_region",
                &f.profile_region,
                &mut settings.profile_region,
            ),
        ] {
            if let Some(text) = text {
                *slot = self.parse(
                    "invalid-region",
                    text,
                    &format!("{base}/{field}"),
                    "write the region code, such as `eu-west-1` or `us-east-1`",
                );
                ok &= slot.is_some();
            }
        }
        if let Some(text) = &f.sso_session {
            settings.session_name = self.parse(
                "invalid-sso-session",
                text,
                &format!("{base}/sso_session"),
                "use ASCII letters, digits, `.`, `_`, `-`, `+` or `@`, such as `my-sso`",
            );
            ok &= settings.session_name.is_some();
        }
        if let Some(text) = &f.profile_output {
            settings.profile_output = self.parse(
                "invalid-output-format",
                text,
                &format!("{base}/profile_output"),
                "write `json`, `yaml`, `yaml-stream`, `text` or `table`",
            );
            ok &= settings.profile_output.is_some();
        }
        ok.then_some(settings)
    }

    fn assertion(&mut self, a: &AssertionFile, base: &str) -> Option<Assertion> {
        let principal = self.parse::<AssertionPrincipal>(
            "invalid-principal",
            &a.principal,
            &format!("{base}/principal"),
            "write `group:NAME`, `user:NAME`, `permission-set:NAME`, `role:NAME`, `iam-user:NAME`, `external-account:ID`, `oidc:NAME` or `saml:NAME`",
        );
        let account = self.name(&a.account, &format!("{base}/account"));
        let mut context = BTreeMap::new();
        let mut context_ok = true;
        for (key, value) in &a.context {
            match self.parse::<crate::policy::ConditionKey>(
                "invalid-condition-key",
                key,
                &format!("{base}/context/{}", pointer_token(key)),
                "write a condition key `prefix:name`, such as `sts:ExternalId`",
            ) {
                Some(k) => {
                    context.insert(k, value.clone());
                }
                None => context_ok = false,
            }
        }
        let mut actions = |list: &[String], field: &str| {
            let mut out = Vec::new();
            let mut ok = true;
            for (i, text) in list.iter().enumerate() {
                match self.parse(
                    "invalid-action",
                    text,
                    &format!("{base}/{field}/{i}"),
                    "write `service:ActionName`, e.g. `iam:CreateUser`",
                ) {
                    Some(a) => out.push(a),
                    None => ok = false,
                }
            }
            ok.then_some(out)
        };
        let denied = actions(&a.denied, "denied");
        let allowed = actions(&a.allowed, "allowed");
        Some(Assertion {
            principal: principal?,
            account: account?,
            resource: a.resource.clone(),
            context: context_ok.then_some(context)?,
            denied: denied?,
            allowed: allowed?,
        })
    }
}

/// Turn a model file into a [`Model`], collecting every problem (bad names, values,
/// references that cannot even be parsed, policies that break the rules of their kind).
pub fn decode(f: &ModelFile) -> Result<Model, Vec<Finding>> {
    let mut d = Decoder {
        report: Report::new(),
    };
    if f.version != FORMAT_VERSION {
        d.report.error(
            "unsupported-version",
            "/version",
            format!(
                "model file version {} is not supported; this tool reads version {FORMAT_VERSION}",
                f.version
            ),
            "write `\"version\": 1`",
        );
    }
    let organization = d.organization(&f.organization);
    let mut accounts = BTreeMap::new();
    let mut ok = true;
    for (name, a) in &f.accounts {
        let base = key("/accounts", name);
        let n = d.name(name, &base);
        match (n, d.account(a, &base)) {
            (Some(n), Some(a)) => {
                accounts.insert(n, a);
            }
            _ => ok = false,
        }
    }
    if let Some(org) = &organization {
        apply_baselines(org, &mut accounts);
        baseline_collisions(org, &accounts, &mut d.report);
    }
    let identity_center = match &f.identity_center {
        None => Some(None),
        Some(ic) => d.identity_center(ic).map(Some),
    };
    let mut assertions = Vec::new();
    for (i, a) in f.assertions.iter().enumerate() {
        match d.assertion(a, &format!("/assertions/{i}")) {
            Some(a) => assertions.push(a),
            None => ok = false,
        }
    }
    match (organization, identity_center) {
        (Some(organization), Some(identity_center)) if ok && !d.report.has_errors() => Ok(Model {
            organization,
            accounts,
            identity_center,
            assertions,
            allowed_findings: f
                .allow_findings
                .iter()
                .map(|a| AllowedFinding::new(&a.code, &a.path, &a.reason))
                .collect(),
        }),
        _ => Err(d.report.into_findings()),
    }
}

/// The OUs that have a baseline, parents before children.
fn baselines(org: &Organization) -> Vec<(UnitPath, &crate::model::baseline::Baseline)> {
    org.unit_paths()
        .into_iter()
        .filter_map(|(path, unit)| unit.baseline.as_ref().map(|b| (path, b)))
        .collect()
}

/// Give every account under an OU with a baseline the baseline's entities, with its own id
/// for the placeholders; the account's own IAM is kept apart for emitters and the file form
/// ([`Account::own_iam`]). Reading a model file and [`crate::model::ModelBuilder::build`] both
/// call it. Idempotent: it starts again from each account's own IAM, so it may run after any
/// change to the accounts. An entity of a baseline with the name of one the account has
/// already (its own, or an outer OU's baseline's) replaces it; [`baseline_collisions`]
/// reports that.
pub(crate) fn apply_baselines(
    org: &Organization,
    accounts: &mut BTreeMap<crate::model::names::AccountName, Account>,
) {
    let baselines = baselines(org);
    for account in accounts.values_mut() {
        if let Some(own) = account.own.take() {
            account.iam = own;
        }
        let Some(unit) = &account.unit else {
            continue;
        };
        let id = account.id.to_string();
        let mut effective: Option<Iam> = None;
        for (path, baseline) in &baselines {
            if !unit.is_within(path) {
                continue;
            }
            // The baseline decoded cleanly with the stand-in id; a real id decodes the same.
            let Some(iam) = decode_baseline(&baseline.file, &id) else {
                continue;
            };
            let target = effective.get_or_insert_with(|| account.iam.clone());
            target.roles.extend(iam.roles);
            target.policies.extend(iam.policies);
            target.oidc_providers.extend(iam.oidc_providers);
        }
        if let Some(effective) = effective {
            account.own = Some(std::mem::replace(&mut account.iam, effective));
        }
    }
}

/// The error `baseline-collision` for every entity that an OU baseline gives an account
/// which already has one of that name, of its own or from the baseline of an OU above.
/// Reading a model file reports them; [`crate::validate::validate`] does for built models.
pub(crate) fn baseline_collisions(
    org: &Organization,
    accounts: &BTreeMap<crate::model::names::AccountName, Account>,
    report: &mut Report,
) {
    let baselines = baselines(org);
    if baselines.is_empty() {
        return;
    }
    for (name, account) in accounts {
        let Some(unit) = &account.unit else {
            continue;
        };
        let own = account.own_iam();
        let mut seen: [std::collections::BTreeSet<&str>; 3] = [
            own.roles.keys().map(|n| n.as_str()).collect(),
            own.policies.keys().map(|n| n.as_str()).collect(),
            own.oidc_providers.keys().map(|n| n.as_str()).collect(),
        ];
        let base = format!("{}/iam", key("/accounts", name.as_str()));
        for (path, baseline) in &baselines {
            if !unit.is_within(path) {
                continue;
            }
            let file = &baseline.file;
            let sections = [
                ("roles", file.roles.keys().collect::<Vec<_>>()),
                ("policies", file.policies.keys().collect()),
                ("oidc_providers", file.oidc_providers.keys().collect()),
            ];
            for ((section, entities), seen) in sections.into_iter().zip(seen.iter_mut()) {
                for entity in entities {
                    if !seen.insert(entity.as_str()) {
                        report.error(
                            "baseline-collision",
                            key(&format!("{base}/{section}"), entity),
                            format!(
                                "`{entity}` is also in the baseline of OU `{path}`, which every account under it gets"
                            ),
                            "rename one of them, or remove it from the account and keep the baseline's",
                        );
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// model → file

fn path_field(path: &IamPath) -> Option<String> {
    (!path.is_root()).then(|| path.as_str().to_string())
}

fn document<K: Kind>(p: &Policy<K>) -> Document {
    Document(p.document().to_raw())
}

fn inline(
    map: &BTreeMap<crate::model::names::InlinePolicyName, Policy<crate::policy::kind::Identity>>,
) -> BTreeMap<String, Document> {
    map.iter()
        .map(|(n, p)| (n.to_string(), document(p)))
        .collect()
}

fn names<T: ToString>(list: &[T]) -> Vec<String> {
    list.iter().map(ToString::to_string).collect()
}

fn policy_ref(r: Option<&ManagedPolicyRef>) -> Option<PolicyRefFile> {
    r.map(|r| match r {
        ManagedPolicyRef::Aws(n) => PolicyRefFile::AwsManaged(n.clone()),
        ManagedPolicyRef::Customer(n) => PolicyRefFile::CustomerManaged(n.to_string()),
    })
}

fn unit_file(u: &Unit) -> UnitFile {
    UnitFile {
        units: u
            .units
            .iter()
            .map(|(n, u)| (n.clone(), unit_file(u)))
            .collect(),
        tags: u.tags.clone(),
        baseline: u.baseline.as_ref().map(|b| b.file.clone()),
    }
}

fn org_policy<K: Kind>(p: &OrgPolicy<K>) -> OrgPolicyFile {
    OrgPolicyFile {
        id: p.id.clone(),
        description: p.description.clone(),
        targets: names(&p.targets),
        document: document(&p.document),
        tags: p.tags.clone(),
    }
}

fn customer_ref(r: &CustomerPolicyRef) -> CustomerPolicyRefFile {
    CustomerPolicyRefFile {
        name: r.name.to_string(),
        path: path_field(&r.path),
    }
}

pub(crate) fn iam_file(iam: &Iam) -> IamFile {
    IamFile {
        users: iam
            .users
            .iter()
            .map(|(n, u)| {
                (
                    n.to_string(),
                    UserFile {
                        path: path_field(&u.permissions.path),
                        groups: names(&u.groups),
                        console_access: u.console_access,
                        programmatic_access: u.programmatic_access,
                        inline_policies: inline(&u.permissions.inline_policies),
                        aws_managed_policies: u.permissions.aws_managed_policies.clone(),
                        customer_managed_policies: names(&u.permissions.customer_managed_policies),
                        permissions_boundary: policy_ref(u.permissions_boundary.as_ref()),
                        tags: u.tags.clone(),
                    },
                )
            })
            .collect(),
        groups: iam
            .groups
            .iter()
            .map(|(n, g)| {
                (
                    n.to_string(),
                    GroupFile {
                        path: path_field(&g.permissions.path),
                        inline_policies: inline(&g.permissions.inline_policies),
                        aws_managed_policies: g.permissions.aws_managed_policies.clone(),
                        customer_managed_policies: names(&g.permissions.customer_managed_policies),
                    },
                )
            })
            .collect(),
        roles: iam
            .roles
            .iter()
            .map(|(n, r)| {
                (
                    n.to_string(),
                    RoleFile {
                        path: path_field(&r.permissions.path),
                        description: r.description.clone(),
                        trust_policy: document(&r.trust_policy),
                        max_session_duration: (r.max_session_duration
                            != MaxSessionDuration::default())
                        .then(|| r.max_session_duration.seconds()),
                        permissions_boundary: policy_ref(r.permissions_boundary.as_ref()),
                        inline_policies: inline(&r.permissions.inline_policies),
                        aws_managed_policies: r.permissions.aws_managed_policies.clone(),
                        customer_managed_policies: names(&r.permissions.customer_managed_policies),
                        tags: r.tags.clone(),
                    },
                )
            })
            .collect(),
        policies: iam
            .policies
            .iter()
            .map(|(n, p)| {
                (
                    n.to_string(),
                    ManagedPolicyFile {
                        path: path_field(&p.path),
                        description: p.description.clone(),
                        document: document(&p.document),
                        tags: p.tags.clone(),
                    },
                )
            })
            .collect(),
        oidc_providers: iam
            .oidc_providers
            .iter()
            .map(|(n, p)| (n.to_string(), p.clone()))
            .collect(),
        saml_providers: iam
            .saml_providers
            .iter()
            .map(|(n, p)| (n.to_string(), p.clone()))
            .collect(),
        instance_profiles: iam
            .instance_profiles
            .iter()
            .map(|(n, p)| {
                (
                    n.to_string(),
                    InstanceProfileFile {
                        path: path_field(&p.path),
                        role: p.role.to_string(),
                    },
                )
            })
            .collect(),
        password_policy: iam.password_policy.clone(),
    }
}

/// Turn a [`Model`] into its file form.
pub fn encode(model: &Model) -> ModelFile {
    let o = &model.organization;
    ModelFile {
        schema: Some(SCHEMA_URL.to_string()),
        version: FORMAT_VERSION,
        organization: OrganizationFile {
            management_account: o.management_account.to_string(),
            units: o
                .units
                .iter()
                .map(|(n, u)| (n.clone(), unit_file(u)))
                .collect(),
            scps: o
                .scps
                .iter()
                .map(|(n, p)| (n.to_string(), org_policy(p)))
                .collect(),
            rcps: o
                .rcps
                .iter()
                .map(|(n, p)| (n.to_string(), org_policy(p)))
                .collect(),
        },
        accounts: model
            .accounts
            .iter()
            .map(|(n, a)| {
                (
                    n.to_string(),
                    AccountFile {
                        id: a.id.to_string(),
                        email: a.email.clone(),
                        environment: a.environment.to_string(),
                        unit: a.unit.as_ref().map(ToString::to_string),
                        tags: a.tags.clone(),
                        budget: a.budget.clone(),
                        iam: iam_file(a.own_iam()),
                        create: a.create,
                    },
                )
            })
            .collect(),
        identity_center: model.identity_center.as_ref().map(|ic| IdentityCenterFile {
            instance_account: ic.instance_account.to_string(),
            start_url: ic.sso.start_url.as_ref().map(ToString::to_string),
            region: ic.sso.region.as_ref().map(ToString::to_string),
            sso_session: ic.sso.session_name.as_ref().map(ToString::to_string),
            profile_region: ic.sso.profile_region.as_ref().map(ToString::to_string),
            profile_output: ic.sso.profile_output.map(|o| o.to_string()),
            identity_source: ic.identity_source,
            users: ic.users.clone(),
            groups: ic.groups.clone(),
            permission_sets: ic
                .permission_sets
                .iter()
                .map(|(n, p)| {
                    (
                        n.to_string(),
                        PermissionSetFile {
                            description: p.description.clone(),
                            session_duration: Some(p.session_duration.to_string()),
                            relay_state: p.relay_state.clone(),
                            aws_managed_policies: p.aws_managed_policies.clone(),
                            customer_managed_policies: p
                                .customer_managed_policies
                                .iter()
                                .map(customer_ref)
                                .collect(),
                            inline_policy: p.inline_policy.as_ref().map(document),
                            permissions_boundary: p.permissions_boundary.as_ref().map(
                                |b| match b {
                                    PermissionSetBoundary::Aws(n) => {
                                        PermissionSetBoundaryFile::AwsManaged(n.clone())
                                    }
                                    PermissionSetBoundary::Customer(r) => {
                                        PermissionSetBoundaryFile::CustomerManaged(customer_ref(r))
                                    }
                                },
                            ),
                            tags: p.tags.clone(),
                        },
                    )
                })
                .collect(),
            assignments: ic
                .assignments
                .iter()
                .map(|a| {
                    let (group, user) = match &a.principal {
                        AssignmentPrincipal::Group(g) => (Some(g.clone()), None),
                        AssignmentPrincipal::User(u) => (None, Some(u.clone())),
                    };
                    AssignmentFile {
                        group,
                        user,
                        permission_set: a.permission_set.to_string(),
                        accounts: names(&a.accounts),
                        units: names(&a.units),
                    }
                })
                .collect(),
        }),
        assertions: model
            .assertions
            .iter()
            .map(|a| AssertionFile {
                principal: a.principal.to_string(),
                account: a.account.to_string(),
                resource: a.resource.clone(),
                context: a
                    .context
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
                denied: names(&a.denied),
                allowed: names(&a.allowed),
            })
            .collect(),
        allow_findings: model
            .allowed_findings
            .iter()
            .map(|a| AllowFindingFile {
                code: a.code().to_string(),
                path: a.path().to_string(),
                reason: a.reason().to_string(),
            })
            .collect(),
    }
}
