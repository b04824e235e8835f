//! IAM Identity Center: users, groups, permission sets and account assignments.
use std::borrow::Cow;
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
    pub(crate) sso: SsoSettings,
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
            sso: SsoSettings::default(),
        }
    }

    /// Set how the AWS CLI signs in (start URL, region, profile defaults).
    pub fn sso(mut self, settings: SsoSettings) -> Self {
        self.sso = settings;
        self
    }

    /// How the AWS CLI signs in to this instance.
    pub fn sso_settings(&self) -> &SsoSettings {
        &self.sso
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
    /// The identity store's membership id of each of the user's group memberships that
    /// exists, by group display name (kept by `import`, used for Terraform `import` blocks).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub membership_ids: BTreeMap<String, String>,
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
            membership_ids: BTreeMap::new(),
        }
    }

    /// The same user in one more group.
    pub fn in_group(mut self, group: impl Into<String>) -> Self {
        self.groups.push(group.into());
        self
    }

    /// The same user with the identity store's id of its membership in `group`.
    pub fn membership_id(mut self, group: impl Into<String>, id: impl Into<String>) -> Self {
        self.membership_ids.insert(group.into(), id.into());
        self
    }
}

/// Whether `text` has the form of an identity store id of a user, group or group membership:
/// a UUID (`8-4-4-4-12` hex digits), optionally after 10 lowercase hex digits and `-`.
///
/// Identity Store API reference, `GroupMembership` (`MembershipId`): length 1 to 47,
/// pattern `([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}`.
///
/// ```
/// use iam_model::model::is_membership_id;
/// assert!(is_membership_id("a1b2c3d4-5678-90ab-cdef-000000011111"));
/// assert!(is_membership_id("906798f2b1-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901"));
/// assert!(!is_membership_id("m-1"));
/// ```
pub fn is_membership_id(text: &str) -> bool {
    let uuid = |s: &str| {
        let parts: Vec<&str> = s.split('-').collect();
        parts.len() == 5
            && parts
                .iter()
                .zip([8, 4, 4, 4, 12])
                .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    match text.split_once('-') {
        Some((prefix, rest))
            if prefix.len() == 10
                && prefix
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                && uuid(rest) =>
        {
            true
        }
        _ => uuid(text),
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

/// The regions of every AWS partition, sorted: `partitions.json` of botocore 1.43.11 (the
/// pinned `botocore` of `scripts/requirements-tools.txt`), without the `*-global` pseudo
/// regions. A region outside this list is refused as a setting, so a typo such as
/// `eu-west-7` fails here rather than at `aws sso login`.
pub const REGIONS: [&str; 46] = [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-isoe-west-1",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eusc-de-east-1",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isob-west-1",
    "us-isof-east-1",
    "us-isof-south-1",
    "us-west-1",
    "us-west-2",
];

/// An AWS region of one of the partitions ([`REGIONS`]).
///
/// ```
/// use iam_model::model::Region;
/// assert_eq!("ap-northeast-2".parse::<Region>()?.as_str(), "ap-northeast-2");
/// assert_eq!("eu-west-7".parse::<Region>().unwrap_err().to_string(),
///     "invalid region `eu-west-7`: expected an AWS region such as `eu-west-1` (the regions of botocore's partitions)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region(Cow<'static, str>);

impl Region {
    /// Parse a literal at compile time; a wrong literal is a compile error in a `const`.
    ///
    /// ```compile_fail
    /// const R: iam_model::model::Region = iam_model::model::Region::from_static("eu-west-7");
    /// ```
    #[expect(
        clippy::panic,
        reason = "evaluated in a const, a panic is a compile-time error"
    )]
    #[expect(
        clippy::indexing_slicing,
        reason = "const fn; the index is below the list's length"
    )]
    pub const fn from_static(text: &'static str) -> Self {
        let mut i = 0;
        while i < REGIONS.len() {
            if const_eq(REGIONS[i].as_bytes(), text.as_bytes()) {
                return Self(Cow::Borrowed(text));
            }
            i += 1;
        }
        panic!("invalid region");
    }

    /// The region as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[expect(
    clippy::indexing_slicing,
    reason = "const fn; indices are below the checked lengths"
)]
const fn const_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

impl FromStr for Region {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        if REGIONS.binary_search(&input).is_ok() {
            Ok(Self(Cow::Owned(input.to_string())))
        } else {
            Err(ParseError::Value {
                what: "region",
                input: input.to_string(),
                reason: "expected an AWS region such as `eu-west-1` (the regions of botocore's partitions)"
                    .to_string(),
            })
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The AWS access portal URL of an Identity Center instance: `https://d-XXXXXXXXXX.awsapps.com/start`
/// (the identity store's directory id, `d-` and 10 hex digits: the `DirectoryId` pattern
/// `^d-[0-9a-f]{10}$` of Directory Service `CreateAlias`), or the customised
/// `https://ALIAS.awsapps.com/start` ("Signing in to the AWS access portal": `d-xxxxxxxxxx.awsapps.com/start`
/// or `your_subdomain.awsapps.com/start`), where the alias follows `CreateAlias`: 1 to 62
/// letters, digits and hyphens, starting with a letter or digit, ending with one, and not
/// starting with `d-`. A trailing `/` is kept as written.
///
/// ```
/// use iam_model::model::StartUrl;
/// assert!("https://d-1234567890.awsapps.com/start".parse::<StartUrl>().is_ok());
/// assert!("https://my-company.awsapps.com/start".parse::<StartUrl>().is_ok());
/// assert_eq!("https://d-xxxxxxxxxx.awsapps.com/start".parse::<StartUrl>().unwrap_err().to_string(),
///     "invalid start URL `https://d-xxxxxxxxxx.awsapps.com/start`: expected `https://d-XXXXXXXXXX.awsapps.com/start` (10 hex digits) or `https://ALIAS.awsapps.com/start`");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StartUrl(Cow<'static, str>);

const URL_PREFIX: &[u8] = b"https://";
const URL_SUFFIX: &[u8] = b".awsapps.com/start";

impl StartUrl {
    /// Parse a literal at compile time; a wrong literal is a compile error in a `const`.
    ///
    /// ```compile_fail
    /// const U: iam_model::model::StartUrl = iam_model::model::StartUrl::from_static("https://d-xxxxxxxxxx.awsapps.com/start");
    /// ```
    #[expect(
        clippy::panic,
        reason = "evaluated in a const, a panic is a compile-time error"
    )]
    pub const fn from_static(text: &'static str) -> Self {
        if !Self::valid(text.as_bytes()) {
            panic!("invalid start URL");
        }
        Self(Cow::Borrowed(text))
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[expect(
        clippy::indexing_slicing,
        reason = "const fn; indices are below the checked lengths"
    )]
    const fn valid(text: &[u8]) -> bool {
        let mut end = text.len();
        if end > 0 && text[end - 1] == b'/' {
            end -= 1;
        }
        let (p, s) = (URL_PREFIX.len(), URL_SUFFIX.len());
        if end <= p + s {
            return false;
        }
        let mut i = 0;
        while i < p {
            if text[i] != URL_PREFIX[i] {
                return false;
            }
            i += 1;
        }
        let mut i = 0;
        while i < s {
            if text[end - s + i] != URL_SUFFIX[i] {
                return false;
            }
            i += 1;
        }
        // The label between them.
        let (start, stop) = (p, end - s);
        let len = stop - start;
        if len >= 2 && text[start] == b'd' && text[start + 1] == b'-' {
            // The identity store's directory id: `d-` and 10 lowercase hex digits.
            if len != 12 {
                return false;
            }
            let mut i = start + 2;
            while i < stop {
                if !(text[i].is_ascii_digit() || (text[i] >= b'a' && text[i] <= b'f')) {
                    return false;
                }
                i += 1;
            }
            return true;
        }
        if len > 62 || (len >= 2 && text[start] == b'D' && text[start + 1] == b'-') {
            return false;
        }
        if !text[start].is_ascii_alphanumeric() || !text[stop - 1].is_ascii_alphanumeric() {
            return false;
        }
        let mut i = start;
        while i < stop {
            if !(text[i].is_ascii_alphanumeric() || text[i] == b'-') {
                return false;
            }
            i += 1;
        }
        true
    }
}

impl FromStr for StartUrl {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        if Self::valid(input.as_bytes()) {
            Ok(Self(Cow::Owned(input.to_string())))
        } else {
            Err(ParseError::Value {
                what: "start URL",
                input: input.to_string(),
                reason: "expected `https://d-XXXXXXXXXX.awsapps.com/start` (10 hex digits) or `https://ALIAS.awsapps.com/start`".to_string(),
            })
        }
    }
}

impl fmt::Display for StartUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A profile or `sso-session` name of the AWS CLI config: 1 to 64 ASCII letters, digits,
/// `.`, `_`, `-`, `+`, `@` (what fits in `[profile NAME]` without quoting).
///
/// ```
/// use iam_model::model::ConfigName;
/// assert_eq!("sandbox-dev".parse::<ConfigName>()?.as_str(), "sandbox-dev");
/// assert_eq!("my profile".parse::<ConfigName>().unwrap_err().to_string(),
///     "invalid profile name `my profile`: expected 1 to 64 ASCII letters, digits, `.`, `_`, `-`, `+` or `@`");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConfigName(String);

impl ConfigName {
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether a character may stand in a profile or session name.
pub fn is_config_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '@')
}

impl FromStr for ConfigName {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        if input.is_empty() || input.len() > 64 || !input.chars().all(is_config_name_char) {
            return Err(ParseError::Value {
                what: "profile name",
                input: input.to_string(),
                reason: "expected 1 to 64 ASCII letters, digits, `.`, `_`, `-`, `+` or `@`"
                    .to_string(),
            });
        }
        Ok(Self(input.to_string()))
    }
}

impl fmt::Display for ConfigName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The AWS CLI `output` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum OutputFormat {
    /// `json`, the seeds' choice and the default.
    #[default]
    Json,
    /// `yaml`.
    Yaml,
    /// `yaml-stream`.
    YamlStream,
    /// `text`.
    Text,
    /// `table`.
    Table,
}

impl OutputFormat {
    /// The value written after `output =`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Yaml => "yaml",
            Self::YamlStream => "yaml-stream",
            Self::Text => "text",
            Self::Table => "table",
        }
    }
}

impl FromStr for OutputFormat {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        [
            Self::Json,
            Self::Yaml,
            Self::YamlStream,
            Self::Text,
            Self::Table,
        ]
        .into_iter()
        .find(|f| f.as_str() == input)
        .ok_or_else(|| ParseError::Value {
            what: "output format",
            input: input.to_string(),
            reason: "expected `json`, `yaml`, `yaml-stream`, `text` or `table`".to_string(),
        })
    }
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the AWS CLI signs in to an Identity Center instance and what its profiles default
/// to: the settings `aws configure sso` asks for. The `aws-config` target needs the start
/// URL and the region; the rest has defaults.
///
/// ```
/// use iam_model::model::SsoSettings;
/// let settings = SsoSettings::default()
///     .start_url("https://d-1234567890.awsapps.com/start".parse()?)
///     .region("eu-west-1".parse()?);
/// assert_eq!(settings.session(), "sso");
/// assert_eq!(settings.region_of_profiles().map(|r| r.as_str()), Some("eu-west-1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SsoSettings {
    /// The AWS access portal URL.
    pub start_url: Option<StartUrl>,
    /// The region of the Identity Center instance.
    pub region: Option<Region>,
    /// The `sso-session` name; `sso` when absent.
    pub session_name: Option<ConfigName>,
    /// The profiles' default region; the instance's region when absent.
    pub profile_region: Option<Region>,
    /// The profiles' output format; `json` when absent.
    pub profile_output: Option<OutputFormat>,
}

impl SsoSettings {
    /// Set the AWS access portal URL.
    pub fn start_url(mut self, url: StartUrl) -> Self {
        self.start_url = Some(url);
        self
    }

    /// Set the region of the Identity Center instance.
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }

    /// Set the `sso-session` name.
    pub fn session_name(mut self, name: ConfigName) -> Self {
        self.session_name = Some(name);
        self
    }

    /// Set the profiles' default region.
    pub fn profile_region(mut self, region: Region) -> Self {
        self.profile_region = Some(region);
        self
    }

    /// Set the profiles' output format.
    pub fn profile_output(mut self, output: OutputFormat) -> Self {
        self.profile_output = Some(output);
        self
    }

    /// The `sso-session` name: the one set, else `sso`.
    pub fn session(&self) -> &str {
        self.session_name.as_ref().map_or("sso", ConfigName::as_str)
    }

    /// The profiles' region: the one set, else the instance's region.
    pub fn region_of_profiles(&self) -> Option<&Region> {
        self.profile_region.as_ref().or(self.region.as_ref())
    }

    /// Each value set in `other` replaces this one's (command-line flags over the model file).
    pub fn overridden_by(mut self, other: &SsoSettings) -> Self {
        if other.start_url.is_some() {
            self.start_url.clone_from(&other.start_url);
        }
        if other.region.is_some() {
            self.region.clone_from(&other.region);
        }
        if other.session_name.is_some() {
            self.session_name.clone_from(&other.session_name);
        }
        if other.profile_region.is_some() {
            self.profile_region.clone_from(&other.profile_region);
        }
        if other.profile_output.is_some() {
            self.profile_output = other.profile_output;
        }
        self
    }
}
