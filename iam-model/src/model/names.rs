//! Names of model entities, parsed once into newtypes, and the one rule that turns a model
//! name into a CloudFormation logical id or a Terraform resource name.
//!
//! Name rules mirror "IAM and AWS STS quotas" (IAM name requirements: users, groups, roles,
//! policies, instance profiles and paths are alphanumeric plus `+=,.@_-`; paths begin and end
//! with `/`; inline policy names are basic Latin except `\ / * ?` and space; ExternalId 2 to
//! 1,224 characters of `[\w+=,.@:/-]`), the IAM API reference (`CreateUser` UserName 1–64,
//! `CreateGroup` GroupName 1–128, `CreateRole` RoleName 1–64, `CreatePolicy` PolicyName 1–128,
//! `CreateInstanceProfile` 1–128, `CreateSAMLProvider` Name 1–128 of `[\w._-]`, Path 1–512 of
//! U+0021–U+007F) and the IAM Identity Center API reference (`CreatePermissionSet` Name 1–32
//! of `[\w+=,.@-]`).
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::error::ParseError;

const fn is_iam_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'=' | b',' | b'.' | b'@' | b'_' | b'-')
}

const fn is_saml_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')
}

const fn is_inline_name_byte(b: u8) -> bool {
    // Basic Latin without the RFC 3986 reserved characters IAM names: `\ / * ?` and space.
    b > 0x20 && b < 0x7f && !matches!(b, b'\\' | b'/' | b'*' | b'?')
}

const fn is_external_id_byte(b: u8) -> bool {
    is_iam_name_byte(b) || matches!(b, b':' | b'/')
}

const fn is_path_byte(b: u8) -> bool {
    b >= 0x21 && b <= 0x7f
}

const fn is_account_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')
}

/// Which characters a name may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charset {
    Iam,
    Saml,
    Inline,
    ExternalId,
    AccountName,
}

impl Charset {
    const fn allows(self, b: u8) -> bool {
        match self {
            Self::Iam => is_iam_name_byte(b),
            Self::Saml => is_saml_name_byte(b),
            Self::Inline => is_inline_name_byte(b),
            Self::ExternalId => is_external_id_byte(b),
            Self::AccountName => is_account_name_byte(b),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Iam => "letters, digits and `+=,.@_-`",
            Self::Saml => "letters, digits and `._-`",
            Self::Inline => "basic Latin characters other than `\\`, `/`, `*`, `?` and space",
            Self::ExternalId => "letters, digits and `+=,.@_:/-`",
            Self::AccountName => "letters, digits and `._-`",
        }
    }
}

#[expect(
    clippy::indexing_slicing,
    reason = "const fn; the index is below the length"
)]
const fn valid(text: &str, min: usize, max: usize, charset: Charset) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() < min || bytes.len() > max {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if !charset.allows(bytes[i]) {
            return false;
        }
        i += 1;
    }
    true
}

fn check(
    what: &'static str,
    text: &str,
    min: usize,
    max: usize,
    charset: Charset,
) -> Result<(), ParseError> {
    let len = text.chars().count();
    let reason = if len < min {
        Some(if min == 1 {
            "it is empty".to_string()
        } else {
            format!("it has {len} characters; the minimum is {min}")
        })
    } else if len > max {
        Some(format!("it has {len} characters; the maximum is {max}"))
    } else {
        text.chars()
            .find(|c| !c.is_ascii() || !charset.allows(*c as u8))
            .map(|bad| format!("`{bad}` is not allowed; use {}", charset.describe()))
    };
    match reason {
        Some(reason) => Err(ParseError::Value {
            what,
            input: text.to_string(),
            reason,
        }),
        None => Ok(()),
    }
}

macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident, $what:literal, $min:literal, $max:literal, $charset:ident, $example:literal, $bad:literal) => {
        $(#[$doc])*
        ///
        /// ```
        #[doc = concat!("use iam_model::model::names::", stringify!($name), ";")]
        #[doc = concat!("const NAME: ", stringify!($name), " = ", stringify!($name), "::from_static(\"", $example, "\");")]
        #[doc = concat!("assert_eq!(NAME.as_str(), \"", $example, "\");")]
        #[doc = concat!("assert!(\"", $bad, "\".parse::<", stringify!($name), ">().is_err());")]
        /// ```
        ///
        /// A literal that breaks the rules does not compile:
        ///
        /// ```compile_fail
        #[doc = concat!("use iam_model::model::names::", stringify!($name), ";")]
        #[doc = concat!("const BAD: ", stringify!($name), " = ", stringify!($name), "::from_static(\"", $bad, "\");")]
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Cow<'static, str>);

        impl $name {
            /// The fewest characters allowed.
            pub const MIN_LEN: usize = $min;
            /// The most characters allowed.
            pub const MAX_LEN: usize = $max;

            /// Parse a literal at compile time; a wrong literal is a compile error in a `const`.
            /// Outside a `const`, prefer [`str::parse`], which returns an error.
            pub const fn from_static(text: &'static str) -> Self {
                if !valid(text, $min, $max, Charset::$charset) {
                    panic!(concat!("invalid ", $what));
                }
                Self(Cow::Borrowed(text))
            }

            /// The name as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = ParseError;
            fn from_str(input: &str) -> Result<Self, Self::Err> {
                check($what, input, $min, $max, Charset::$charset)?;
                Ok(Self(Cow::Owned(input.to_string())))
            }
        }

        impl TryFrom<&str> for $name {
            type Error = ParseError;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        // Eq, Ord and Hash of the name are those of its text, so maps keyed by names can be
        // searched with a `&str`.
        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

name_type! {
    /// An IAM user name: 1 to 64 characters of `[\w+=,.@-]`.
    UserName, "IAM user name", 1, 64, Iam, "dev-john", "dev john"
}
name_type! {
    /// An IAM group name: 1 to 128 characters of `[\w+=,.@-]`.
    GroupName, "IAM group name", 1, 128, Iam, "Developers", "Dev/ops"
}
name_type! {
    /// An IAM role name: 1 to 64 characters of `[\w+=,.@-]`.
    RoleName, "IAM role name", 1, 64, Iam, "ci-deploy", "ci:deploy"
}
name_type! {
    /// A customer managed policy name: 1 to 128 characters of `[\w+=,.@-]`.
    PolicyName, "policy name", 1, 128, Iam, "TesterPolicy", "Tester Policy"
}
name_type! {
    /// An instance profile name: 1 to 128 characters of `[\w+=,.@-]`.
    InstanceProfileName, "instance profile name", 1, 128, Iam, "web-server", "web server"
}
name_type! {
    /// An IAM Identity Center permission set name: 1 to 32 characters of `[\w+=,.@-]`.
    PermissionSetName, "permission set name", 1, 32, Iam, "DeveloperAccess", "DeveloperAccessWithAVeryLongNameX"
}
name_type! {
    /// A SAML provider name: 1 to 128 characters of `[\w._-]`.
    SamlProviderName, "SAML provider name", 1, 128, Saml, "okta", "okta@corp"
}
name_type! {
    /// An OIDC provider's name in the model (AWS names OIDC providers by their URL; the
    /// model needs a key): 1 to 128 characters of `[\w._-]`.
    OidcProviderName, "OIDC provider name", 1, 128, Saml, "github", "git hub"
}
name_type! {
    /// The name of an inline policy of a user, group or role: 1 to 128 basic Latin
    /// characters other than `\ / * ?` and space.
    InlinePolicyName, "inline policy name", 1, 128, Inline, "DenyWithoutMfa", "Deny/Mfa"
}
name_type! {
    /// An `sts:ExternalId` value a third party passes to assume a role: 2 to 1,224
    /// characters of `[\w+=,.@:/-]`.
    ExternalId, "ExternalId", 2, 1224, ExternalId, "acme-7f3b9c", "x"
}
name_type! {
    /// An account's name in the model (the key under `accounts`): 1 to 50 characters of
    /// letters, digits and `._-`. AWS allows any printable ASCII in account names; the model
    /// is stricter so that the name can be used in logical ids and file names.
    AccountName, "account name", 1, 50, AccountName, "production", "prod account"
}
name_type! {
    /// The name of an SCP or RCP in the model: 1 to 128 characters of `[\w+=,.@-]`.
    OrgPolicyName, "organization policy name", 1, 128, Iam, "DenyLeaveOrganization", "Deny Leave"
}

/// An IAM path: 1 to 512 characters from U+0021 to U+007F that begin and end with `/`.
///
/// ```
/// use iam_model::model::names::IamPath;
/// assert_eq!(IamPath::root().as_str(), "/");
/// assert_eq!("/ci/".parse::<IamPath>()?.as_str(), "/ci/");
/// assert_eq!("ci".parse::<IamPath>().unwrap_err().to_string(),
///     "invalid IAM path `ci`: a path begins and ends with `/`");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IamPath(Cow<'static, str>);

impl IamPath {
    /// The root path `/`, the default.
    pub const fn root() -> Self {
        Self(Cow::Borrowed("/"))
    }

    /// Parse a literal at compile time; a wrong literal is a compile error in a `const`.
    #[expect(
        clippy::panic,
        reason = "evaluated in a const, a panic is a compile-time error"
    )]
    pub const fn from_static(text: &'static str) -> Self {
        if !Self::valid(text) {
            panic!("invalid IAM path");
        }
        Self(Cow::Borrowed(text))
    }

    #[expect(
        clippy::indexing_slicing,
        reason = "const fn; indices are below the checked length"
    )]
    const fn valid(text: &str) -> bool {
        let b = text.as_bytes();
        if b.is_empty() || b.len() > 512 || b[0] != b'/' || b[b.len() - 1] != b'/' {
            return false;
        }
        let mut i = 0;
        while i < b.len() {
            if !is_path_byte(b[i]) {
                return false;
            }
            i += 1;
        }
        true
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the root path `/`.
    pub fn is_root(&self) -> bool {
        self.0 == "/"
    }
}

impl Default for IamPath {
    fn default() -> Self {
        Self::root()
    }
}

impl FromStr for IamPath {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| ParseError::Value {
            what: "IAM path",
            input: input.to_string(),
            reason,
        };
        let len = input.chars().count();
        if len > 512 {
            return Err(err(format!("it has {len} characters; the maximum is 512")));
        }
        if !input.starts_with('/') || !input.ends_with('/') {
            return Err(err("a path begins and ends with `/`".to_string()));
        }
        if let Some(bad) = input.chars().find(|c| !('\u{21}'..='\u{7f}').contains(c)) {
            return Err(err(format!(
                "`{bad}` is not allowed; use the characters U+0021 to U+007F"
            )));
        }
        Ok(Self(Cow::Owned(input.to_string())))
    }
}

impl fmt::Display for IamPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The path of an organizational unit from the root: OU names joined by `/`
/// (`Workloads/Prod`). Each OU name is 1 to 128 characters without `/` or control characters.
///
/// ```
/// use iam_model::model::names::UnitPath;
/// let path: UnitPath = "Workloads/Prod".parse()?;
/// assert_eq!(path.segments().collect::<Vec<_>>(), ["Workloads", "Prod"]);
/// assert_eq!(path.depth(), 2);
/// assert_eq!(path.parent().map(|p| p.to_string()), Some("Workloads".to_string()));
/// assert!("Workloads//Prod".parse::<UnitPath>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitPath(String);

impl UnitPath {
    /// Check one OU name (`CreateOrganizationalUnit` Name: 1 to 128 characters).
    pub fn check_segment(name: &str) -> Result<(), ParseError> {
        let err = |reason: String| ParseError::Value {
            what: "OU name",
            input: name.to_string(),
            reason,
        };
        let len = name.chars().count();
        if len == 0 {
            return Err(err("it is empty".to_string()));
        }
        if len > 128 {
            return Err(err(format!("it has {len} characters; the maximum is 128")));
        }
        if let Some(bad) = name.chars().find(|c| *c == '/' || c.is_control()) {
            return Err(err(format!("`{}` is not allowed", bad.escape_default())));
        }
        Ok(())
    }

    /// The path of a child OU.
    pub fn child(&self, name: &str) -> Result<Self, ParseError> {
        Self::check_segment(name)?;
        Ok(Self(format!("{}/{name}", self.0)))
    }

    /// The path of a top-level OU.
    pub fn top(name: &str) -> Result<Self, ParseError> {
        Self::check_segment(name)?;
        Ok(Self(name.to_string()))
    }

    /// The OU names from the root down.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }

    /// How many OUs deep the path is (a top-level OU is 1).
    pub fn depth(&self) -> usize {
        self.segments().count()
    }

    /// The enclosing OU, or `None` for a top-level OU.
    pub fn parent(&self) -> Option<UnitPath> {
        self.0
            .rsplit_once('/')
            .map(|(parent, _)| Self(parent.to_string()))
    }

    /// Whether `self` is `other` or lies under it.
    pub fn is_within(&self, other: &UnitPath) -> bool {
        self.0 == other.0
            || (self.0.starts_with(&other.0) && self.0.as_bytes().get(other.0.len()) == Some(&b'/'))
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for UnitPath {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        for segment in input.split('/') {
            Self::check_segment(segment).map_err(|e| match e {
                ParseError::Value { reason, .. } => ParseError::Value {
                    what: "OU path",
                    input: input.to_string(),
                    reason: format!("`{segment}`: {reason}"),
                },
                other => other,
            })?;
        }
        Ok(Self(input.to_string()))
    }
}

impl fmt::Display for UnitPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kind of entity a deployable resource stands for; the prefix of its logical id and
/// Terraform name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum EntityKind {
    /// An organizational unit.
    Unit,
    /// A member account.
    Account,
    /// A service control policy.
    Scp,
    /// A resource control policy.
    Rcp,
    /// An IAM user.
    User,
    /// An IAM group.
    Group,
    /// An IAM role.
    Role,
    /// A customer managed policy.
    Policy,
    /// An instance profile.
    InstanceProfile,
    /// An OIDC identity provider.
    OidcProvider,
    /// A SAML identity provider.
    SamlProvider,
    /// An IAM Identity Center user.
    SsoUser,
    /// An IAM Identity Center group.
    SsoGroup,
    /// An IAM Identity Center permission set.
    PermissionSet,
    /// An account budget.
    Budget,
}

impl EntityKind {
    /// The logical-id prefix (`Role`, `SsoGroup`, …).
    pub fn logical_prefix(self) -> &'static str {
        match self {
            Self::Unit => "Unit",
            Self::Account => "Account",
            Self::Scp => "Scp",
            Self::Rcp => "Rcp",
            Self::User => "User",
            Self::Group => "Group",
            Self::Role => "Role",
            Self::Policy => "Policy",
            Self::InstanceProfile => "InstanceProfile",
            Self::OidcProvider => "OidcProvider",
            Self::SamlProvider => "SamlProvider",
            Self::SsoUser => "SsoUser",
            Self::SsoGroup => "SsoGroup",
            Self::PermissionSet => "PermissionSet",
            Self::Budget => "Budget",
        }
    }

    /// A description for messages (`role`, `Identity Center group`, …).
    pub fn describe(self) -> &'static str {
        match self {
            Self::Unit => "OU",
            Self::Account => "account",
            Self::Scp => "SCP",
            Self::Rcp => "RCP",
            Self::User => "user",
            Self::Group => "group",
            Self::Role => "role",
            Self::Policy => "customer managed policy",
            Self::InstanceProfile => "instance profile",
            Self::OidcProvider => "OIDC provider",
            Self::SamlProvider => "SAML provider",
            Self::SsoUser => "Identity Center user",
            Self::SsoGroup => "Identity Center group",
            Self::PermissionSet => "permission set",
            Self::Budget => "budget",
        }
    }
}

/// The CloudFormation logical id of an entity: the kind's prefix followed by the name in
/// `UpperCamelCase` (heck's word splitting) with every character that is not an ASCII
/// letter or digit dropped. OU paths are taken whole, so `Workloads/Prod` becomes
/// `UnitWorkloadsProd`. Two entities of one template with the same id are a `name-collision`.
///
/// ```
/// use iam_model::model::names::{logical_id, EntityKind};
/// assert_eq!(logical_id(EntityKind::Role, "ci-deploy"), "RoleCiDeploy");
/// assert_eq!(logical_id(EntityKind::SsoGroup, "AWS-Developers"), "SsoGroupAwsDevelopers");
/// assert_eq!(logical_id(EntityKind::User, "alice@example.com"), "UserAliceExampleCom");
/// assert_eq!(logical_id(EntityKind::Unit, "Workloads/Prod"), "UnitWorkloadsProd");
/// ```
pub fn logical_id(kind: EntityKind, name: &str) -> String {
    let mut out = String::with_capacity(kind.logical_prefix().len() + name.len());
    out.push_str(kind.logical_prefix());
    push_upper_camel(name, &mut out);
    out
}

/// Split an ASCII text into words exactly as heck 0.5's `transform` does (the function
/// behind every case of heck): words are separated by what is not a letter or digit, and
/// within one a word ends before an uppercase letter that follows a lowercase one
/// (`fooBar`), and before the last of a run of uppercase letters when a lowercase one
/// follows (`HTTPServer`: `HTTP`, `Server`); digits take the case of what came before.
/// `word` is called in the places heck calls its word writer, so heck's separators go
/// before every word but the first. Names are converted tens of thousands of times for a
/// large organization, and heck formats every character through `fmt`; the equivalence is
/// a property test in this module.
fn ascii_words<'a>(text: &'a str, mut word: impl FnMut(&'a str)) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Boundary,
        Lowercase,
        Uppercase,
    }
    for part in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        let bytes = part.as_bytes();
        let mut init = 0;
        let mut mode = Mode::Boundary;
        for (i, &c) in bytes.iter().enumerate() {
            let Some(&next) = bytes.get(i + 1) else {
                word(part.get(init..).unwrap_or_default());
                break;
            };
            let next_mode = if c.is_ascii_lowercase() {
                Mode::Lowercase
            } else if c.is_ascii_uppercase() {
                Mode::Uppercase
            } else {
                mode
            };
            if next_mode == Mode::Lowercase && next.is_ascii_uppercase() {
                word(part.get(init..=i).unwrap_or_default());
                init = i + 1;
                mode = Mode::Boundary;
            } else if mode == Mode::Uppercase && c.is_ascii_uppercase() && next.is_ascii_lowercase()
            {
                word(part.get(init..i).unwrap_or_default());
                init = i;
                mode = Mode::Boundary;
            } else {
                mode = next_mode;
            }
        }
    }
}

/// Append `name` in `UpperCamelCase` (heck's) with every character that is not an ASCII
/// letter or digit dropped.
fn push_upper_camel(name: &str, out: &mut String) {
    if name.is_ascii() {
        ascii_words(name, |word| {
            let mut bytes = word.bytes();
            if let Some(first) = bytes.next() {
                out.push(char::from(first.to_ascii_uppercase()));
                out.extend(bytes.map(|b| char::from(b.to_ascii_lowercase())));
            }
        });
    } else {
        out.extend(
            name.to_upper_camel_case()
                .chars()
                .filter(char::is_ascii_alphanumeric),
        );
    }
}

/// Append `name` in `snake_case` (heck's) with every character other than ASCII lowercase
/// letters, digits and `_` dropped.
fn push_snake(name: &str, out: &mut String) {
    if name.is_ascii() {
        let mut first = true;
        ascii_words(name, |word| {
            if !first {
                out.push('_');
            }
            first = false;
            out.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        });
    } else {
        out.extend(
            name.to_snake_case()
                .chars()
                .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'),
        );
    }
}

/// The most characters in a CloudFormation logical id ("Understand CloudFormation quotas":
/// resource name, 255 characters).
pub const MAX_LOGICAL_ID_LEN: usize = 255;

/// A logical id that fits [`MAX_LOGICAL_ID_LEN`]: a longer one keeps its first 239
/// characters and ends in 16 hex digits of the FNV-1a 64 hash of the whole id, so it stays
/// stable and distinct. Ids are ASCII, so characters are bytes.
///
/// ```
/// use iam_model::model::names::{fit_logical_id, MAX_LOGICAL_ID_LEN};
/// assert_eq!(fit_logical_id("RoleCiDeploy".to_string()), "RoleCiDeploy");
/// let long = fit_logical_id("SsoGroup".to_string() + &"A".repeat(300));
/// assert_eq!(long.len(), MAX_LOGICAL_ID_LEN);
/// assert!(long.starts_with("SsoGroupAAA"));
/// ```
pub fn fit_logical_id(id: String) -> String {
    if id.len() <= MAX_LOGICAL_ID_LEN {
        return id;
    }
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let mut out: String = id.chars().take(MAX_LOGICAL_ID_LEN - 16).collect();
    out.push_str(&format!("{hash:016x}"));
    out
}

/// The logical id of a resource that joins entities (a membership, an account assignment):
/// the prefix, then each name in `UpperCamelCase` with non-alphanumerics dropped as in
/// [`logical_id`], fitted to [`MAX_LOGICAL_ID_LEN`]. Names run together, so two different
/// tuples can give one id; validation reports that as a `name-collision`.
///
/// ```
/// use iam_model::model::names::composite_logical_id;
/// assert_eq!(
///     composite_logical_id("Assignment", &["AWS-Developers", "DeveloperAccess", "development"]),
///     "AssignmentAwsDevelopersDeveloperAccessDevelopment"
/// );
/// ```
pub fn composite_logical_id(prefix: &str, names: &[&str]) -> String {
    let mut out = prefix.to_string();
    for name in names {
        push_upper_camel(name, &mut out);
    }
    fit_logical_id(out)
}

/// The Terraform resource name of an entity: the kind's prefix in `snake_case`, `_`, and the
/// name in `snake_case` (heck's word splitting) with every character other than ASCII
/// lowercase letters, digits and `_` dropped.
///
/// ```
/// use iam_model::model::names::{terraform_name, EntityKind};
/// assert_eq!(terraform_name(EntityKind::Role, "ci-deploy"), "role_ci_deploy");
/// assert_eq!(terraform_name(EntityKind::PermissionSet, "DeveloperAccess"), "permission_set_developer_access");
/// assert_eq!(terraform_name(EntityKind::Unit, "Workloads/Prod"), "unit_workloads_prod");
/// ```
pub fn terraform_name(kind: EntityKind, name: &str) -> String {
    let mut out = String::with_capacity(kind.logical_prefix().len() + name.len() + 8);
    push_snake(kind.logical_prefix(), &mut out);
    out.push('_');
    push_snake(name, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_errors_say_what_is_wrong() {
        assert_eq!(
            "".parse::<RoleName>().unwrap_err().to_string(),
            "invalid IAM role name ``: it is empty"
        );
        assert_eq!(
            "a".repeat(65).parse::<RoleName>().unwrap_err().to_string(),
            format!(
                "invalid IAM role name `{}`: it has 65 characters; the maximum is 64",
                "a".repeat(65)
            )
        );
        assert_eq!(
            "ci deploy".parse::<RoleName>().unwrap_err().to_string(),
            "invalid IAM role name `ci deploy`: ` ` is not allowed; use letters, digits and `+=,.@_-`"
        );
        assert!("a".repeat(128).parse::<GroupName>().is_ok());
        assert!("x".parse::<ExternalId>().is_err());
        assert!("arn:aws:x/y".parse::<ExternalId>().is_ok());
    }

    #[test]
    fn unit_paths_nest() {
        let prod: UnitPath = "Workloads/Prod".parse().unwrap();
        let workloads: UnitPath = "Workloads".parse().unwrap();
        let work: UnitPath = "Work".parse().unwrap();
        assert!(prod.is_within(&workloads));
        assert!(!prod.is_within(&work));
        assert_eq!(workloads.child("Prod").unwrap(), prod);
    }

    #[test]
    fn logical_ids_drop_punctuation() {
        assert_eq!(logical_id(EntityKind::Role, "ci_deploy"), "RoleCiDeploy");
        assert_eq!(logical_id(EntityKind::Role, "CiDeploy"), "RoleCiDeploy");
        assert_eq!(
            terraform_name(EntityKind::Role, "CiDeploy"),
            "role_ci_deploy"
        );
    }

    mod heck_equivalence {
        use super::super::{push_snake, push_upper_camel};
        use heck::{ToSnakeCase, ToUpperCamelCase};
        use proptest::prelude::*;

        fn heck_camel(name: &str) -> String {
            name.to_upper_camel_case()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect()
        }

        fn heck_snake(name: &str) -> String {
            name.to_snake_case()
                .chars()
                .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect()
        }

        fn ours(name: &str) -> (String, String) {
            let (mut camel, mut snake) = (String::new(), String::new());
            push_upper_camel(name, &mut camel);
            push_snake(name, &mut snake);
            (camel, snake)
        }

        #[test]
        fn the_tricky_cases_convert_as_heck_does() {
            for name in [
                "",
                "-",
                "--a--",
                "HTTPServer",
                "fooBar",
                "A1Bc",
                "a1B",
                "AB",
                "ABc",
                "aB1c",
                "x__y",
                "AWS-Developers",
                "alice@example.com",
                "Workloads/Prod",
                "9lives",
                "ci-deploy",
                "DeveloperAccess",
                "ÄrgerGroup",
                "straße-X",
                "Σ-ΣA",
            ] {
                assert_eq!(ours(name), (heck_camel(name), heck_snake(name)), "{name:?}");
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2048))]
            #[test]
            fn ascii_names_convert_as_heck_does(name in "[aAzZbB09_ ./@+=,-]{0,16}") {
                prop_assert_eq!(ours(&name), (heck_camel(&name), heck_snake(&name)));
            }

            #[test]
            fn any_text_converts_as_heck_does(name in any::<String>()) {
                prop_assert_eq!(ours(&name), (heck_camel(&name), heck_snake(&name)));
            }
        }
    }
}
