//! IAM Identity Center: users, groups, permission sets and account assignments.
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;
use crate::model::names::{AccountName, IamPath, PermissionSetName, PolicyName, UnitPath};
use crate::model::org::Tags;
use crate::policy::Policy;
use crate::policy::kind::PermissionSet as PermissionSetKind;

/// How long a permission-set session lasts: 1 to 12 hours, written in ISO 8601 (`PT8H`,
/// `PT1H30M`) in a model file ("IAM Identity Center: Set session duration";
/// `CreatePermissionSet` SessionDuration).
///
/// ```
/// use iam_model::model::SessionDuration;
/// const ADMIN: SessionDuration = SessionDuration::from_static_hours(1);
/// let dev: SessionDuration = "PT8H".parse()?;
/// assert!(ADMIN < dev);
/// assert_eq!("PT1H30M".parse::<SessionDuration>()?.to_string(), "PT1H30M");
/// assert_eq!("PT13H".parse::<SessionDuration>().unwrap_err().to_string(),
///     "invalid session duration `PT13H`: expected 1 to 12 hours, such as `PT1H` or `PT8H`");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// An out-of-range literal does not compile:
///
/// ```compile_fail
/// use iam_model::model::SessionDuration;
/// const TOO_LONG: SessionDuration = SessionDuration::from_static_hours(13);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionDuration {
    // INVARIANT: 60 to 720.
    minutes: u32,
}

impl SessionDuration {
    /// A whole number of hours, checked at compile time in a `const`.
    #[expect(
        clippy::panic,
        reason = "evaluated in a const, a panic is a compile-time error"
    )]
    pub const fn from_static_hours(hours: u32) -> Self {
        if hours < 1 || hours > 12 {
            panic!("a permission-set session duration is 1 to 12 hours");
        }
        Self {
            minutes: hours * 60,
        }
    }

    /// A duration in minutes, 60 to 720.
    pub fn from_minutes(minutes: u32) -> Result<Self, ParseError> {
        if (60..=720).contains(&minutes) {
            Ok(Self { minutes })
        } else {
            Err(Self::error(&format!("{minutes} minutes")))
        }
    }

    /// The duration in minutes.
    pub fn minutes(self) -> u32 {
        self.minutes
    }

    fn error(input: &str) -> ParseError {
        ParseError::Value {
            what: "session duration",
            input: input.to_string(),
            reason: "expected 1 to 12 hours, such as `PT1H` or `PT8H`".to_string(),
        }
    }
}

impl Default for SessionDuration {
    /// One hour, IAM Identity Center's default.
    fn default() -> Self {
        Self::from_static_hours(1)
    }
}

impl FromStr for SessionDuration {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = || Self::error(input);
        let rest = input.strip_prefix("PT").ok_or_else(err)?;
        let (hours, rest) = match rest.split_once('H') {
            Some((h, r)) => (Some(h), r),
            None => (None, rest),
        };
        let minutes = match rest {
            "" => None,
            r => Some(r.strip_suffix('M').ok_or_else(err)?),
        };
        if hours.is_none() && minutes.is_none() {
            return Err(err());
        }
        let number = |text: Option<&str>| -> Result<u32, ParseError> {
            match text {
                None => Ok(0),
                Some(t)
                    if !t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    t.parse().map_err(|_| err())
                }
                Some(_) => Err(err()),
            }
        };
        let total = number(hours)? * 60 + number(minutes)?;
        Self::from_minutes(total).map_err(|_| err())
    }
}

impl fmt::Display for SessionDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m) = (self.minutes / 60, self.minutes % 60);
        match (h, m) {
            (h, 0) => write!(f, "PT{h}H"),
            (0, m) => write!(f, "PT{m}M"),
            (h, m) => write!(f, "PT{h}H{m}M"),
        }
    }
}

/// Where IAM Identity Center's users and groups come from (its identity source): the
/// built-in directory or an external identity provider that provisions them with SCIM (see
/// [`IdentityCenter::source`]).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IdentitySource {
    /// The Identity Center directory: users and groups are created by the artifacts.
    #[default]
    IdentityCenterDirectory,
    /// An external identity provider provisions users and groups (SCIM): they are looked up.
    ExternalIdentityProvider,
}

impl IdentitySource {
    /// Whether users and groups are provisioned outside the artifacts.
    pub fn is_external(self) -> bool {
        self == Self::ExternalIdentityProvider
    }
}

/// IAM Identity Center: where it runs, its directory, permission sets and assignments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityCenter {
    pub(crate) instance_account: AccountName,
    pub(crate) identity_source: IdentitySource,
    pub(crate) users: BTreeMap<String, SsoUser>,
    pub(crate) groups: BTreeMap<String, SsoGroup>,
    pub(crate) permission_sets: BTreeMap<PermissionSetName, PermissionSet>,
    pub(crate) assignments: Vec<Assignment>,
}

impl IdentityCenter {
    /// An instance in the named account (the management account or a delegated admin).
    pub fn new(instance_account: AccountName) -> Self {
        Self {
            instance_account,
            identity_source: IdentitySource::default(),
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
            permission_sets: BTreeMap::new(),
            assignments: Vec::new(),
        }
    }

    /// Add a user by user name.
    pub fn user(mut self, name: impl Into<String>, user: SsoUser) -> Self {
        self.users.insert(name.into(), user);
        self
    }

    /// Add a group by display name.
    pub fn group(mut self, name: impl Into<String>, group: SsoGroup) -> Self {
        self.groups.insert(name.into(), group);
        self
    }

    /// Add a permission set.
    pub fn permission_set(mut self, name: PermissionSetName, set: PermissionSet) -> Self {
        self.permission_sets.insert(name, set);
        self
    }

    /// Add an assignment.
    pub fn assignment(mut self, assignment: Assignment) -> Self {
        self.assignments.push(assignment);
        self
    }

    /// Set where users and groups come from.
    pub fn identity_source(mut self, source: IdentitySource) -> Self {
        self.identity_source = source;
        self
    }

    /// The account that holds the instance.
    pub fn instance_account(&self) -> &AccountName {
        &self.instance_account
    }

    /// Where users and groups come from (its identity source).
    ///
    /// In a model file `identity_center.identity_source` is `"identity_center_directory"` (the
    /// default) or `"external_identity_provider"`.
    ///
    /// - [`IdentitySource::IdentityCenterDirectory`]: the built-in directory. The generated
    ///   artifacts create the model's users, groups and group memberships.
    /// - [`IdentitySource::ExternalIdentityProvider`]: an external identity provider (Okta,
    ///   Microsoft Entra ID, Google Workspace, …) provisions users, groups and memberships into
    ///   the identity store with SCIM. The artifacts never create, change or delete a user, a
    ///   group or a membership: Terraform looks users and groups up by name
    ///   (`data.aws_identitystore_user` / `data.aws_identitystore_group`), CloudFormation takes
    ///   the ids of the users and groups that assignments name as parameters, which
    ///   `cloudformation/parameters.sh` fills from `aws identitystore get-user-id` /
    ///   `get-group-id`. The model still lists them, so validation and the evaluator know who is
    ///   in which group.
    ///
    /// ```
    /// use iam_model::model::IdentitySource;
    /// assert_eq!(IdentitySource::default(), IdentitySource::IdentityCenterDirectory);
    /// assert!(IdentitySource::ExternalIdentityProvider.is_external());
    /// ```
    pub fn source(&self) -> IdentitySource {
        self.identity_source
    }

    /// The users by user name.
    pub fn users(&self) -> &BTreeMap<String, SsoUser> {
        &self.users
    }

    /// The groups by display name.
    pub fn groups(&self) -> &BTreeMap<String, SsoGroup> {
        &self.groups
    }

    /// The permission sets by name.
    pub fn permission_sets(&self) -> &BTreeMap<PermissionSetName, PermissionSet> {
        &self.permission_sets
    }

    /// The assignments, in the order written.
    pub fn assignments(&self) -> &[Assignment] {
        &self.assignments
    }
}

/// An Identity Center user.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct SsoUser {
    /// The name shown in the access portal.
    pub display_name: String,
    /// First name.
    pub given_name: String,
    /// Last name.
    pub family_name: String,
    /// Primary email.
    pub email: String,
    /// The groups the user is in, by display name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

impl SsoUser {
    /// A user with a display name built from the given and family names.
    pub fn new(
        given_name: impl Into<String>,
        family_name: impl Into<String>,
        email: impl Into<String>,
    ) -> Self {
        let given_name = given_name.into();
        let family_name = family_name.into();
        Self {
            display_name: format!("{given_name} {family_name}"),
            given_name,
            family_name,
            email: email.into(),
            groups: Vec::new(),
        }
    }

    /// The same user in one more group.
    pub fn in_group(mut self, group: impl Into<String>) -> Self {
        self.groups.push(group.into());
        self
    }
}

/// An Identity Center group.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct SsoGroup {
    /// What the group is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl SsoGroup {
    /// A group with a description.
    pub fn described(text: impl Into<String>) -> Self {
        Self {
            description: Some(text.into()),
        }
    }
}

/// A customer managed policy named by a permission set: it must exist, with this name and
/// path, in every account the permission set is assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerPolicyRef {
    /// The policy name.
    pub name: PolicyName,
    /// The policy path.
    pub path: IamPath,
}

impl CustomerPolicyRef {
    /// A policy at path `/`.
    pub fn new(name: PolicyName) -> Self {
        Self {
            name,
            path: IamPath::root(),
        }
    }
}

/// A permission set's boundary: an AWS managed policy, or a customer managed policy
/// expected in each assigned account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PermissionSetBoundary {
    /// An AWS managed policy by name.
    Aws(String),
    /// A customer managed policy by name and path.
    Customer(CustomerPolicyRef),
}

/// A permission set: the policies an assigned group or user gets in an account.
///
/// ```
/// use iam_model::model::{PermissionSet, SessionDuration};
/// let dev = PermissionSet::builder()
///     .description("Build and deploy in development")
///     .session_duration(SessionDuration::from_static_hours(8))
///     .aws_managed_policy("PowerUserAccess")
///     .build();
/// assert_eq!(dev.session_duration().to_string(), "PT8H");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PermissionSet {
    pub(crate) description: Option<String>,
    pub(crate) session_duration: SessionDuration,
    pub(crate) relay_state: Option<String>,
    pub(crate) aws_managed_policies: Vec<String>,
    pub(crate) customer_managed_policies: Vec<CustomerPolicyRef>,
    pub(crate) inline_policy: Option<Policy<PermissionSetKind>>,
    pub(crate) permissions_boundary: Option<PermissionSetBoundary>,
    pub(crate) tags: Tags,
}

impl PermissionSet {
    /// A builder for a one-hour permission set with no policies.
    pub fn builder() -> PermissionSetBuilder {
        PermissionSetBuilder(Self::default())
    }

    /// The description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The session duration.
    pub fn session_duration(&self) -> SessionDuration {
        self.session_duration
    }

    /// Where the access portal sends users after sign-in.
    pub fn relay_state(&self) -> Option<&str> {
        self.relay_state.as_deref()
    }

    /// The AWS managed policies, by name.
    pub fn aws_managed_policies(&self) -> &[String] {
        &self.aws_managed_policies
    }

    /// The customer managed policies each assigned account must have.
    pub fn customer_managed_policies(&self) -> &[CustomerPolicyRef] {
        &self.customer_managed_policies
    }

    /// The inline policy.
    pub fn inline_policy(&self) -> Option<&Policy<PermissionSetKind>> {
        self.inline_policy.as_ref()
    }

    /// The permissions boundary.
    pub fn permissions_boundary(&self) -> Option<&PermissionSetBoundary> {
        self.permissions_boundary.as_ref()
    }

    /// The tags.
    pub fn tags(&self) -> &Tags {
        &self.tags
    }
}

/// Builds a [`PermissionSet`]; see [`PermissionSet::builder`].
#[derive(Debug, Clone)]
pub struct PermissionSetBuilder(PermissionSet);

impl PermissionSetBuilder {
    /// Set the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.0.description = Some(text.into());
        self
    }

    /// Set the session duration.
    pub fn session_duration(mut self, duration: SessionDuration) -> Self {
        self.0.session_duration = duration;
        self
    }

    /// Set the relay state URL.
    pub fn relay_state(mut self, url: impl Into<String>) -> Self {
        self.0.relay_state = Some(url.into());
        self
    }

    /// Attach an AWS managed policy by name.
    pub fn aws_managed_policy(mut self, name: impl Into<String>) -> Self {
        self.0.aws_managed_policies.push(name.into());
        self
    }

    /// Name a customer managed policy every assigned account must have.
    pub fn customer_managed_policy(mut self, policy: CustomerPolicyRef) -> Self {
        self.0.customer_managed_policies.push(policy);
        self
    }

    /// Set the inline policy.
    pub fn inline_policy(mut self, policy: Policy<PermissionSetKind>) -> Self {
        self.0.inline_policy = Some(policy);
        self
    }

    /// Set the permissions boundary.
    pub fn permissions_boundary(mut self, boundary: PermissionSetBoundary) -> Self {
        self.0.permissions_boundary = Some(boundary);
        self
    }

    /// Add a tag.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.tags.insert(key.into(), value.into());
        self
    }

    /// The permission set.
    pub fn build(self) -> PermissionSet {
        self.0
    }
}

/// Who an assignment is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AssignmentPrincipal {
    /// An Identity Center group, by display name.
    Group(String),
    /// An Identity Center user, by user name.
    User(String),
}

impl fmt::Display for AssignmentPrincipal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Group(name) => write!(f, "group `{name}`"),
            Self::User(name) => write!(f, "user `{name}`"),
        }
    }
}

/// A group or user gets a permission set in some accounts, and in every account under some
/// OUs.
///
/// ```
/// use iam_model::model::{Assignment, AssignmentPrincipal};
/// use iam_model::model::names::{AccountName, PermissionSetName};
/// let a = Assignment::new(AssignmentPrincipal::Group("AWS-Developers".into()),
///         PermissionSetName::from_static("DeveloperAccess"))
///     .account(AccountName::from_static("development"));
/// assert_eq!(a.accounts().len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub(crate) principal: AssignmentPrincipal,
    pub(crate) permission_set: PermissionSetName,
    pub(crate) accounts: Vec<AccountName>,
    pub(crate) units: Vec<UnitPath>,
}

impl Assignment {
    /// An assignment to no account yet.
    pub fn new(principal: AssignmentPrincipal, permission_set: PermissionSetName) -> Self {
        Self {
            principal,
            permission_set,
            accounts: Vec::new(),
            units: Vec::new(),
        }
    }

    /// Add an account.
    pub fn account(mut self, account: AccountName) -> Self {
        self.accounts.push(account);
        self
    }

    /// Add every account under an OU.
    pub fn unit(mut self, unit: UnitPath) -> Self {
        self.units.push(unit);
        self
    }

    /// Who gets access.
    pub fn principal(&self) -> &AssignmentPrincipal {
        &self.principal
    }

    /// The permission set.
    pub fn permission_set(&self) -> &PermissionSetName {
        &self.permission_set
    }

    /// The accounts named directly.
    pub fn accounts(&self) -> &[AccountName] {
        &self.accounts
    }

    /// The OUs whose accounts are included.
    pub fn units(&self) -> &[UnitPath] {
        &self.units
    }
}
