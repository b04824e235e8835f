//! IAM in one account: users, groups, roles, customer managed policies, identity providers,
//! instance profiles and the account password policy.
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use crate::error::ParseError;
use crate::model::names::{
    GroupName, IamPath, InlinePolicyName, InstanceProfileName, OidcProviderName, PolicyName,
    RoleName, SamlProviderName, UserName,
};
use crate::model::org::Tags;
use crate::policy::Policy;
use crate::policy::kind::{Identity, Trust};

/// The IAM entities of one account.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Iam {
    pub(crate) users: BTreeMap<UserName, User>,
    pub(crate) groups: BTreeMap<GroupName, Group>,
    pub(crate) roles: BTreeMap<RoleName, Role>,
    pub(crate) policies: BTreeMap<PolicyName, ManagedPolicy>,
    pub(crate) oidc_providers: BTreeMap<OidcProviderName, OidcProvider>,
    pub(crate) saml_providers: BTreeMap<SamlProviderName, SamlProvider>,
    pub(crate) instance_profiles: BTreeMap<InstanceProfileName, InstanceProfile>,
    pub(crate) password_policy: Option<PasswordPolicy>,
}

impl Iam {
    /// No entities.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a user.
    pub fn user(mut self, name: UserName, user: User) -> Self {
        self.users.insert(name, user);
        self
    }

    /// Add a group.
    pub fn group(mut self, name: GroupName, group: Group) -> Self {
        self.groups.insert(name, group);
        self
    }

    /// Add a role.
    pub fn role(mut self, name: RoleName, role: Role) -> Self {
        self.roles.insert(name, role);
        self
    }

    /// Add a customer managed policy.
    pub fn policy(mut self, name: PolicyName, policy: ManagedPolicy) -> Self {
        self.policies.insert(name, policy);
        self
    }

    /// Add an OIDC identity provider.
    pub fn oidc_provider(mut self, name: OidcProviderName, provider: OidcProvider) -> Self {
        self.oidc_providers.insert(name, provider);
        self
    }

    /// Add a SAML identity provider.
    pub fn saml_provider(mut self, name: SamlProviderName, provider: SamlProvider) -> Self {
        self.saml_providers.insert(name, provider);
        self
    }

    /// Add an instance profile.
    pub fn instance_profile(mut self, name: InstanceProfileName, profile: InstanceProfile) -> Self {
        self.instance_profiles.insert(name, profile);
        self
    }

    /// Set the account password policy.
    pub fn password_policy(mut self, policy: PasswordPolicy) -> Self {
        self.password_policy = Some(policy);
        self
    }

    /// The users by name.
    pub fn users(&self) -> &BTreeMap<UserName, User> {
        &self.users
    }

    /// The groups by name.
    pub fn groups(&self) -> &BTreeMap<GroupName, Group> {
        &self.groups
    }

    /// The roles by name.
    pub fn roles(&self) -> &BTreeMap<RoleName, Role> {
        &self.roles
    }

    /// The customer managed policies by name.
    pub fn policies(&self) -> &BTreeMap<PolicyName, ManagedPolicy> {
        &self.policies
    }

    /// The OIDC providers by model name.
    pub fn oidc_providers(&self) -> &BTreeMap<OidcProviderName, OidcProvider> {
        &self.oidc_providers
    }

    /// The SAML providers by name.
    pub fn saml_providers(&self) -> &BTreeMap<SamlProviderName, SamlProvider> {
        &self.saml_providers
    }

    /// The instance profiles by name.
    pub fn instance_profiles(&self) -> &BTreeMap<InstanceProfileName, InstanceProfile> {
        &self.instance_profiles
    }

    /// The account password policy.
    pub fn account_password_policy(&self) -> Option<&PasswordPolicy> {
        self.password_policy.as_ref()
    }

    /// Whether the account has no IAM entities and no password policy.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// A managed policy named by an attachment or a permissions boundary.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ManagedPolicyRef {
    /// An AWS managed policy by name (`PowerUserAccess`); its path comes from the catalogue.
    Aws(String),
    /// A customer managed policy of the same account.
    Customer(PolicyName),
}

impl fmt::Display for ManagedPolicyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Aws(name) => write!(f, "AWS managed policy `{name}`"),
            Self::Customer(name) => write!(f, "customer managed policy `{name}`"),
        }
    }
}

/// What users, groups and roles share: path, inline policies, managed policy attachments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Permissions {
    pub(crate) path: IamPath,
    pub(crate) inline_policies: BTreeMap<InlinePolicyName, Policy<Identity>>,
    pub(crate) aws_managed_policies: Vec<String>,
    pub(crate) customer_managed_policies: Vec<PolicyName>,
}

impl Permissions {
    /// The IAM path.
    pub fn path(&self) -> &IamPath {
        &self.path
    }

    /// The inline policies by name.
    pub fn inline_policies(&self) -> &BTreeMap<InlinePolicyName, Policy<Identity>> {
        &self.inline_policies
    }

    /// The attached AWS managed policies, by name.
    pub fn aws_managed_policies(&self) -> &[String] {
        &self.aws_managed_policies
    }

    /// The attached customer managed policies of the same account.
    pub fn customer_managed_policies(&self) -> &[PolicyName] {
        &self.customer_managed_policies
    }

    /// How many managed policies are attached (AWS and customer managed).
    pub fn managed_policy_count(&self) -> usize {
        self.aws_managed_policies.len() + self.customer_managed_policies.len()
    }
}

macro_rules! permission_setters {
    () => {
        /// Set the IAM path.
        pub fn path(mut self, path: IamPath) -> Self {
            self.0.permissions.path = path;
            self
        }

        /// Add an inline policy.
        pub fn inline_policy(mut self, name: InlinePolicyName, policy: Policy<Identity>) -> Self {
            self.0.permissions.inline_policies.insert(name, policy);
            self
        }

        /// Attach an AWS managed policy by name.
        pub fn aws_managed_policy(mut self, name: impl Into<String>) -> Self {
            self.0.permissions.aws_managed_policies.push(name.into());
            self
        }

        /// Attach a customer managed policy of the same account.
        pub fn customer_managed_policy(mut self, name: PolicyName) -> Self {
            self.0.permissions.customer_managed_policies.push(name);
            self
        }
    };
}

/// An IAM user. The model holds whether the user may sign in to the console and whether it
/// has access keys, never a password or a key.
///
/// ```
/// use iam_model::model::User;
/// use iam_model::model::names::GroupName;
/// let dev = User::builder().group(GroupName::from_static("Developers")).programmatic_access(true).build();
/// assert!(!dev.console_access());
/// assert_eq!(dev.groups().len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct User {
    pub(crate) permissions: Permissions,
    pub(crate) groups: Vec<GroupName>,
    pub(crate) console_access: bool,
    pub(crate) programmatic_access: bool,
    pub(crate) permissions_boundary: Option<ManagedPolicyRef>,
    pub(crate) tags: Tags,
}

impl User {
    /// A builder for a user with no access.
    pub fn builder() -> UserBuilder {
        UserBuilder(Self::default())
    }

    /// Path, inline policies and attachments.
    pub fn permissions(&self) -> &Permissions {
        &self.permissions
    }

    /// The groups the user is in.
    pub fn groups(&self) -> &[GroupName] {
        &self.groups
    }

    /// Whether the user has a console password (login profile).
    pub fn console_access(&self) -> bool {
        self.console_access
    }

    /// Whether the user has access keys.
    pub fn programmatic_access(&self) -> bool {
        self.programmatic_access
    }

    /// The permissions boundary.
    pub fn permissions_boundary(&self) -> Option<&ManagedPolicyRef> {
        self.permissions_boundary.as_ref()
    }

    /// The tags.
    pub fn tags(&self) -> &Tags {
        &self.tags
    }
}

/// Builds a [`User`]; see [`User::builder`].
#[derive(Debug, Clone)]
pub struct UserBuilder(User);

impl UserBuilder {
    permission_setters!();

    /// Add the user to a group of the same account.
    pub fn group(mut self, group: GroupName) -> Self {
        self.0.groups.push(group);
        self
    }

    /// Whether the user has a console password.
    pub fn console_access(mut self, yes: bool) -> Self {
        self.0.console_access = yes;
        self
    }

    /// Whether the user has access keys.
    pub fn programmatic_access(mut self, yes: bool) -> Self {
        self.0.programmatic_access = yes;
        self
    }

    /// Set the permissions boundary.
    pub fn permissions_boundary(mut self, policy: ManagedPolicyRef) -> Self {
        self.0.permissions_boundary = Some(policy);
        self
    }

    /// Add a tag.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.tags.insert(key.into(), value.into());
        self
    }

    /// The user.
    pub fn build(self) -> User {
        self.0
    }
}

/// An IAM group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Group {
    pub(crate) permissions: Permissions,
}

impl Group {
    /// A builder for a group with no policies.
    pub fn builder() -> GroupBuilder {
        GroupBuilder(Self::default())
    }

    /// Path, inline policies and attachments.
    pub fn permissions(&self) -> &Permissions {
        &self.permissions
    }
}

/// Builds a [`Group`]; see [`Group::builder`].
#[derive(Debug, Clone)]
pub struct GroupBuilder(Group);

impl GroupBuilder {
    permission_setters!();

    /// The group.
    pub fn build(self) -> Group {
        self.0
    }
}

/// The longest session a role allows, 1 to 12 hours (`CreateRole` `MaxSessionDuration`:
/// 3,600 to 43,200 seconds). In a model file, a number of seconds.
///
/// ```
/// use iam_model::model::MaxSessionDuration;
/// const TWO_HOURS: MaxSessionDuration = MaxSessionDuration::from_static_hours(2);
/// assert_eq!(TWO_HOURS.seconds(), 7200);
/// assert_eq!(MaxSessionDuration::try_from(60).unwrap_err().to_string(),
///     "invalid maximum session duration `60`: expected 3600 to 43200 seconds");
/// ```
///
/// An out-of-range literal does not compile:
///
/// ```compile_fail
/// use iam_model::model::MaxSessionDuration;
/// const TOO_LONG: MaxSessionDuration = MaxSessionDuration::from_static_hours(13);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MaxSessionDuration(u32);

impl MaxSessionDuration {
    /// The shortest: one hour, the default.
    pub const MIN: Self = Self(3_600);
    /// The longest: twelve hours.
    pub const MAX: Self = Self(43_200);

    /// A whole number of hours, checked at compile time in a `const`.
    #[expect(
        clippy::panic,
        reason = "evaluated in a const, a panic is a compile-time error"
    )]
    pub const fn from_static_hours(hours: u32) -> Self {
        if hours < 1 || hours > 12 {
            panic!("a maximum session duration is 1 to 12 hours");
        }
        Self(hours * 3_600)
    }

    /// The duration in seconds.
    pub fn seconds(self) -> u32 {
        self.0
    }
}

impl Default for MaxSessionDuration {
    fn default() -> Self {
        Self::MIN
    }
}

impl TryFrom<u32> for MaxSessionDuration {
    type Error = ParseError;
    fn try_from(seconds: u32) -> Result<Self, Self::Error> {
        if (3_600..=43_200).contains(&seconds) {
            Ok(Self(seconds))
        } else {
            Err(ParseError::Value {
                what: "maximum session duration",
                input: seconds.to_string(),
                reason: "expected 3600 to 43200 seconds".to_string(),
            })
        }
    }
}

/// Typestate: the role has no trust policy yet.
#[derive(Debug, Clone, Copy)]
pub struct NoTrustPolicy;

/// An IAM role. A role cannot be built without a trust policy:
///
/// ```
/// use iam_model::model::{Role, MaxSessionDuration};
/// use iam_model::policy::{Policy, Statement, Principal, kind::Trust};
/// let trust = Policy::<Trust>::builder()
///     .statement(Statement::trust().allow().principal(Principal::service("ec2.amazonaws.com".parse()?))
///         .action("sts:AssumeRole".parse()?).build())
///     .build();
/// let role = Role::builder().trust_policy(trust).description("web servers")
///     .max_session_duration(MaxSessionDuration::from_static_hours(2)).build();
/// assert_eq!(role.max_session_duration().seconds(), 7200);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// ```compile_fail
/// use iam_model::model::Role;
/// let role = Role::builder().description("no trust policy").build();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub(crate) permissions: Permissions,
    pub(crate) description: Option<String>,
    pub(crate) trust_policy: Policy<Trust>,
    pub(crate) max_session_duration: MaxSessionDuration,
    pub(crate) permissions_boundary: Option<ManagedPolicyRef>,
    pub(crate) tags: Tags,
}

impl Role {
    /// A builder; `build` exists once a trust policy is set.
    pub fn builder() -> RoleBuilder<NoTrustPolicy> {
        RoleBuilder {
            trust: NoTrustPolicy,
            permissions: Permissions::default(),
            description: None,
            max_session_duration: MaxSessionDuration::default(),
            permissions_boundary: None,
            tags: Tags::new(),
            _state: PhantomData,
        }
    }

    /// Path, inline policies and attachments.
    pub fn permissions(&self) -> &Permissions {
        &self.permissions
    }

    /// The description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// Who may assume the role.
    pub fn trust_policy(&self) -> &Policy<Trust> {
        &self.trust_policy
    }

    /// The longest session.
    pub fn max_session_duration(&self) -> MaxSessionDuration {
        self.max_session_duration
    }

    /// The permissions boundary.
    pub fn permissions_boundary(&self) -> Option<&ManagedPolicyRef> {
        self.permissions_boundary.as_ref()
    }

    /// The tags.
    pub fn tags(&self) -> &Tags {
        &self.tags
    }
}

/// Builds a [`Role`]; see [`Role::builder`]. `T` is [`NoTrustPolicy`] until
/// [`RoleBuilder::trust_policy`] is called.
#[derive(Debug, Clone)]
pub struct RoleBuilder<T> {
    trust: T,
    permissions: Permissions,
    description: Option<String>,
    max_session_duration: MaxSessionDuration,
    permissions_boundary: Option<ManagedPolicyRef>,
    tags: Tags,
    _state: PhantomData<T>,
}

impl<T> RoleBuilder<T> {
    /// Set the trust policy.
    pub fn trust_policy(self, policy: Policy<Trust>) -> RoleBuilder<Policy<Trust>> {
        RoleBuilder {
            trust: policy,
            permissions: self.permissions,
            description: self.description,
            max_session_duration: self.max_session_duration,
            permissions_boundary: self.permissions_boundary,
            tags: self.tags,
            _state: PhantomData,
        }
    }

    /// Set the IAM path.
    pub fn path(mut self, path: IamPath) -> Self {
        self.permissions.path = path;
        self
    }

    /// Add an inline policy.
    pub fn inline_policy(mut self, name: InlinePolicyName, policy: Policy<Identity>) -> Self {
        self.permissions.inline_policies.insert(name, policy);
        self
    }

    /// Attach an AWS managed policy by name.
    pub fn aws_managed_policy(mut self, name: impl Into<String>) -> Self {
        self.permissions.aws_managed_policies.push(name.into());
        self
    }

    /// Attach a customer managed policy of the same account.
    pub fn customer_managed_policy(mut self, name: PolicyName) -> Self {
        self.permissions.customer_managed_policies.push(name);
        self
    }

    /// Set the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Set the longest session.
    pub fn max_session_duration(mut self, duration: MaxSessionDuration) -> Self {
        self.max_session_duration = duration;
        self
    }

    /// Set the permissions boundary.
    pub fn permissions_boundary(mut self, policy: ManagedPolicyRef) -> Self {
        self.permissions_boundary = Some(policy);
        self
    }

    /// Add a tag.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.insert(key.into(), value.into());
        self
    }
}

impl RoleBuilder<Policy<Trust>> {
    /// The role.
    pub fn build(self) -> Role {
        Role {
            permissions: self.permissions,
            description: self.description,
            trust_policy: self.trust,
            max_session_duration: self.max_session_duration,
            permissions_boundary: self.permissions_boundary,
            tags: self.tags,
        }
    }
}

/// A customer managed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPolicy {
    pub(crate) path: IamPath,
    pub(crate) description: Option<String>,
    pub(crate) document: Policy<Identity>,
    pub(crate) tags: Tags,
}

impl ManagedPolicy {
    /// A builder for a policy at path `/`.
    pub fn builder(document: Policy<Identity>) -> ManagedPolicyBuilder {
        ManagedPolicyBuilder(Self {
            path: IamPath::root(),
            description: None,
            document,
            tags: Tags::new(),
        })
    }

    /// The IAM path.
    pub fn path(&self) -> &IamPath {
        &self.path
    }

    /// The description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The policy document.
    pub fn document(&self) -> &Policy<Identity> {
        &self.document
    }

    /// The tags.
    pub fn tags(&self) -> &Tags {
        &self.tags
    }
}

/// Builds a [`ManagedPolicy`]; see [`ManagedPolicy::builder`].
#[derive(Debug, Clone)]
pub struct ManagedPolicyBuilder(ManagedPolicy);

impl ManagedPolicyBuilder {
    /// Set the IAM path.
    pub fn path(mut self, path: IamPath) -> Self {
        self.0.path = path;
        self
    }

    /// Set the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.0.description = Some(text.into());
        self
    }

    /// Add a tag.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.tags.insert(key.into(), value.into());
        self
    }

    /// The policy.
    pub fn build(self) -> ManagedPolicy {
        self.0
    }
}

/// An OIDC identity provider (`AWS::IAM::OIDCProvider`).
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct OidcProvider {
    /// The issuer URL, `https://token.actions.githubusercontent.com`.
    pub url: String,
    /// The audiences (client ids), `sts.amazonaws.com` for GitHub Actions.
    pub client_ids: Vec<String>,
    /// Server certificate thumbprints (40 hex digits each); AWS no longer needs them for
    /// well-known providers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thumbprints: Vec<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl OidcProvider {
    /// The provider's host and path, as IAM names it in ARNs (`token.actions.githubusercontent.com`).
    pub fn host(&self) -> &str {
        self.url.strip_prefix("https://").unwrap_or(&self.url)
    }
}

/// A SAML identity provider. The model names the metadata document's file; it never holds
/// the XML.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct SamlProvider {
    /// Path of the SAML metadata XML file, relative to the model file.
    pub metadata_document: String,
    /// Tags.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// An instance profile that carries one role to EC2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceProfile {
    pub(crate) path: IamPath,
    pub(crate) role: RoleName,
}

impl InstanceProfile {
    /// A profile at path `/` for a role of the same account.
    pub fn new(role: RoleName) -> Self {
        Self {
            path: IamPath::root(),
            role,
        }
    }

    /// The same profile at another path.
    pub fn with_path(self, path: IamPath) -> Self {
        Self { path, ..self }
    }

    /// The IAM path.
    pub fn path(&self) -> &IamPath {
        &self.path
    }

    /// The role it carries.
    pub fn role(&self) -> &RoleName {
        &self.role
    }
}

/// The account password policy (`UpdateAccountPasswordPolicy`).
#[derive(
    Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct PasswordPolicy {
    /// 6 to 128; AWS's default is 8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_password_length: Option<u32>,
    /// Require at least one non-alphanumeric character.
    #[serde(default)]
    pub require_symbols: bool,
    /// Require at least one digit.
    #[serde(default)]
    pub require_numbers: bool,
    /// Require at least one uppercase letter.
    #[serde(default)]
    pub require_uppercase_characters: bool,
    /// Require at least one lowercase letter.
    #[serde(default)]
    pub require_lowercase_characters: bool,
    /// Let users change their own password.
    #[serde(default)]
    pub allow_users_to_change_password: bool,
    /// Days a password is valid, 1 to 1,095; none means passwords never expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_password_age: Option<u32>,
    /// How many previous passwords cannot be reused, 1 to 24.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_reuse_prevention: Option<u32>,
    /// Whether an expired password needs an administrator to reset it.
    #[serde(default)]
    pub hard_expiry: bool,
}

impl PasswordPolicy {
    /// The seeds' recommended policy: 14 characters, all character classes, 90 days, 24
    /// remembered, users change their own.
    pub fn strong() -> Self {
        Self {
            minimum_password_length: Some(14),
            require_symbols: true,
            require_numbers: true,
            require_uppercase_characters: true,
            require_lowercase_characters: true,
            allow_users_to_change_password: true,
            max_password_age: Some(90),
            password_reuse_prevention: Some(24),
            hard_expiry: false,
        }
    }
}
