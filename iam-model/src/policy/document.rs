//! Policy documents, their kinds, and canonical JSON.
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use crate::error::{JsonError, ParseError, PolicyError};
use crate::json::OneOrMany;
use crate::policy::statement::Statement;
use crate::raw;

/// The policy language version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// `2012-10-17`, the current version; policy variables need it.
    V2012_10_17,
    /// `2008-10-17`, the original version; variables are read as literal text.
    V2008_10_17,
}

impl Version {
    /// The text AWS writes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V2012_10_17 => "2012-10-17",
            Self::V2008_10_17 => "2008-10-17",
        }
    }
}

impl FromStr for Version {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        match input {
            "2012-10-17" => Ok(Self::V2012_10_17),
            "2008-10-17" => Ok(Self::V2008_10_17),
            _ => Err(ParseError::Version {
                input: input.to_string(),
            }),
        }
    }
}

/// What a policy is for. Each kind has its own rules for which elements a statement may hold
/// and its own size limit; see [`PolicyKind::size_limit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PolicyKind {
    /// An identity-based policy (customer managed or inline on a user, group or role).
    Identity,
    /// A role trust policy (`AssumeRolePolicyDocument`).
    Trust,
    /// A resource-based policy (S3 bucket, KMS key, SQS queue, …).
    Resource,
    /// A service control policy (AWS Organizations).
    Scp,
    /// A resource control policy (AWS Organizations).
    Rcp,
    /// A permissions boundary (a managed policy used as a boundary).
    Boundary,
    /// The inline policy of an IAM Identity Center permission set.
    PermissionSet,
    /// An AWS managed policy: identity rules, but AWS's own size limits do not bind it.
    AwsManaged,
}

impl PolicyKind {
    /// Every kind.
    pub const ALL: [PolicyKind; 8] = [
        Self::Identity,
        Self::Trust,
        Self::Resource,
        Self::Scp,
        Self::Rcp,
        Self::Boundary,
        Self::PermissionSet,
        Self::AwsManaged,
    ];

    /// The name used on the command line and in model files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Trust => "trust",
            Self::Resource => "resource",
            Self::Scp => "scp",
            Self::Rcp => "rcp",
            Self::Boundary => "boundary",
            Self::PermissionSet => "permission-set",
            Self::AwsManaged => "aws-managed",
        }
    }

    /// A description for messages (`an identity policy`, `a trust policy`, …).
    pub fn describe(self) -> &'static str {
        match self {
            Self::Identity => "an identity policy",
            Self::Trust => "a role trust policy",
            Self::Resource => "a resource-based policy",
            Self::Scp => "a service control policy",
            Self::Rcp => "a resource control policy",
            Self::Boundary => "a permissions boundary",
            Self::PermissionSet => "a permission-set inline policy",
            Self::AwsManaged => "an AWS managed policy",
        }
    }

    /// The size limit AWS enforces for one policy of this kind, in characters as
    /// [`crate::policy::size::aws_size`] counts them; `None` where there is no single limit.
    ///
    /// Sources: "IAM and AWS STS quotas" (managed policy 6,144; role trust policy 2,048 by
    /// default, raisable to 4,096, see [`PolicyKind::hard_size_limit`]), "Quotas and service
    /// limits for AWS Organizations" (SCP and RCP 5,120), "IAM Identity Center quotas"
    /// (permission-set inline policy 10,240 non-white-space characters). Inline policies of
    /// users, groups and roles have per-entity aggregate limits, checked on the access model.
    /// Resource-based policies have per-service limits (SQS 8,192 bytes, S3 20 KB).
    pub fn size_limit(self) -> Option<usize> {
        match self {
            Self::Identity | Self::Boundary => Some(6_144),
            Self::Trust => Some(2_048),
            Self::Scp | Self::Rcp => Some(5_120),
            Self::PermissionSet => Some(10_240),
            Self::Resource | Self::AwsManaged => None,
        }
    }

    /// The largest size a quota increase allows; only role trust policies can be raised
    /// (to 4,096). For other kinds this equals [`PolicyKind::size_limit`].
    pub fn hard_size_limit(self) -> Option<usize> {
        match self {
            Self::Trust => Some(4_096),
            other => other.size_limit(),
        }
    }

    /// Whether statements must carry a `Principal` (trust, resource and RCP policies).
    pub fn requires_principal(self) -> bool {
        matches!(self, Self::Trust | Self::Resource | Self::Rcp)
    }

    /// Whether this is one of IAM's own policy kinds, with IAM's rules for `Sid` characters
    /// and the policy character set.
    pub fn is_iam(self) -> bool {
        !matches!(self, Self::Resource)
    }
}

impl FromStr for PolicyKind {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|k| k.as_str() == input).ok_or_else(|| ParseError::Value {
            what: "policy kind",
            input: input.to_string(),
            reason: "expected identity, trust, resource, scp, rcp, boundary, permission-set or aws-managed"
                .to_string(),
        })
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The content of a policy of any kind: version, id and statements.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyDocument {
    pub(crate) version: Option<Version>,
    pub(crate) id: Option<String>,
    // INVARIANT: holds at least one statement.
    pub(crate) statements: OneOrMany<Statement>,
}

impl PolicyDocument {
    /// The `Version`, if written.
    pub fn version(&self) -> Option<Version> {
        self.version
    }
    /// The `Id`, if written.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    /// The statements, in the order written.
    pub fn statements(&self) -> &[Statement] {
        self.statements.as_slice()
    }
    /// The statements with their form (one object or a list).
    pub fn statement_list(&self) -> &OneOrMany<Statement> {
        &self.statements
    }

    /// The same document in canonical form: `Statement` always a list, one-item lists of
    /// actions, resources, principals and condition values written as single values.
    pub fn canonical(self) -> Self {
        let statements = OneOrMany::Many(
            self.statements
                .into_vec()
                .into_iter()
                .map(Statement::canonical)
                .collect(),
        );
        Self { statements, ..self }
    }

    /// The raw (as-written) form.
    pub fn to_raw(&self) -> raw::Policy {
        raw::Policy::from(self)
    }

    /// Pretty JSON with a trailing newline; keys in AWS's order, statements as written.
    pub fn to_json_pretty(&self) -> String {
        crate::json::to_pretty(&self.to_raw())
    }

    /// Compact JSON, with no white space outside strings: the form AWS counts for size limits.
    pub fn to_json_compact(&self) -> String {
        crate::json::to_compact(&self.to_raw())
    }

    /// The size AWS counts against quotas.
    pub fn size(&self) -> usize {
        self.to_json_compact().chars().count()
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A policy kind as a type, so that a trust policy cannot be passed where an identity policy
/// is expected. Implemented by the marker types in [`kind`].
pub trait Kind:
    sealed::Sealed + fmt::Debug + Clone + Copy + PartialEq + Eq + std::hash::Hash + 'static
{
    /// The kind as a value.
    const KIND: PolicyKind;
    /// The statement type policies of this kind are built from.
    type Statement: Into<Statement>;
}

/// Marker types for [`Kind`].
pub mod kind {
    use super::{Kind, PolicyKind, sealed::Sealed};
    use crate::policy::statement::{PrincipalStatement, Statement, TrustStatement};

    macro_rules! kinds {
        ($($(#[$doc:meta])* $name:ident => $kind:ident, $stmt:ty;)*) => {$(
            $(#[$doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
            pub struct $name;
            impl Sealed for $name {}
            impl Kind for $name {
                const KIND: PolicyKind = PolicyKind::$kind;
                type Statement = $stmt;
            }
        )*};
    }

    kinds! {
        /// Identity-based policies.
        Identity => Identity, Statement;
        /// Role trust policies.
        Trust => Trust, TrustStatement;
        /// Resource-based policies.
        ResourceBased => Resource, PrincipalStatement;
        /// Service control policies.
        Scp => Scp, Statement;
        /// Resource control policies.
        Rcp => Rcp, PrincipalStatement;
        /// Permissions boundaries.
        Boundary => Boundary, Statement;
        /// Permission-set inline policies.
        PermissionSet => PermissionSet, Statement;
        /// AWS managed policies.
        AwsManaged => AwsManaged, Statement;
    }
}

/// A policy of kind `K`: a [`PolicyDocument`] that passed the rules of its kind.
///
/// ```
/// use iam_model::policy::{Policy, kind::Identity};
/// let policy = Policy::<Identity>::from_json(r#"{
///   "Version": "2012-10-17",
///   "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::logs"}]
/// }"#)?;
/// assert_eq!(policy.document().statements().len(), 1);
/// assert_eq!(policy.to_json_compact(),
///     r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::logs"}]}"#);
///
/// // A trust policy is not an identity policy: a Principal is not allowed here.
/// let err = Policy::<Identity>::from_json(r#"{"Version":"2012-10-17","Statement":
///   {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}"#).unwrap_err();
/// assert_eq!(err.to_string(),
///     "an identity policy cannot name a principal (principal-not-allowed) at `/Statement/Principal`");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Policy<K: Kind> {
    document: PolicyDocument,
    _kind: PhantomData<K>,
}

impl<K: Kind> Policy<K> {
    /// Read a policy from JSON text and check it against the rules of its kind. Findings of
    /// warning severity (and size limits) do not stop reading; use
    /// [`crate::validate::check_policy_json`] to see them.
    pub fn from_json(text: &str) -> Result<Self, PolicyError> {
        let raw = crate::validate::policy::read_raw(text).map_err(PolicyError::Json)?;
        Self::from_raw(&raw)
    }

    /// Check a raw policy against the rules of its kind.
    pub fn from_raw(raw: &raw::Policy) -> Result<Self, PolicyError> {
        let mut report = crate::validate::Report::default();
        let document = crate::validate::policy::decode(raw, K::KIND, "", &mut report);
        let errors: Vec<_> = report.errors().cloned().collect();
        match document {
            Some(document) if errors.is_empty() => Ok(Self {
                document,
                _kind: PhantomData,
            }),
            _ => Err(PolicyError::Invalid(errors)),
        }
    }

    /// Wrap a document that was checked elsewhere.
    pub(crate) fn from_document_unchecked(document: PolicyDocument) -> Self {
        Self {
            document,
            _kind: PhantomData,
        }
    }

    /// A builder; `build` exists once a statement is added.
    ///
    /// ```
    /// use iam_model::policy::{Policy, Statement, Resource, kind::Identity};
    /// let policy = Policy::<Identity>::builder()
    ///     .statement(Statement::builder().allow().action("s3:ListAllMyBuckets".parse()?).resource(Resource::Any).build())
    ///     .build();
    /// assert_eq!(policy.document().statements().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// A policy without statements does not compile:
    ///
    /// ```compile_fail
    /// use iam_model::policy::{Policy, kind::Identity};
    /// let policy = Policy::<Identity>::builder().build();
    /// ```
    ///
    /// A trust policy takes only trust statements:
    ///
    /// ```compile_fail
    /// use iam_model::policy::{Policy, Statement, Resource, kind::Trust};
    /// let s = Statement::builder().allow().action("s3:GetObject".parse().unwrap()).resource(Resource::Any).build();
    /// let policy = Policy::<Trust>::builder().statement(s).build();
    /// ```
    pub fn builder() -> PolicyBuilder<K, NoStatement> {
        PolicyBuilder {
            id: None,
            statements: Vec::new(),
            _state: PhantomData,
        }
    }

    /// The document.
    pub fn document(&self) -> &PolicyDocument {
        &self.document
    }

    /// The document, consumed.
    pub fn into_document(self) -> PolicyDocument {
        self.document
    }

    /// The kind.
    pub fn kind(&self) -> PolicyKind {
        K::KIND
    }

    /// The same policy in canonical form (see [`PolicyDocument::canonical`]).
    pub fn canonical(self) -> Self {
        Self {
            document: self.document.canonical(),
            _kind: PhantomData,
        }
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json_pretty(&self) -> String {
        self.document.to_json_pretty()
    }

    /// Compact JSON.
    pub fn to_json_compact(&self) -> String {
        self.document.to_json_compact()
    }
}

impl<K: Kind> serde::Serialize for Policy<K> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.document.to_raw().serialize(serializer)
    }
}

impl<'de, K: Kind> serde::Deserialize<'de> for Policy<K> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = raw::Policy::deserialize(deserializer)?;
        Self::from_raw(&raw).map_err(serde::de::Error::custom)
    }
}

/// Typestate: no statement added yet.
#[derive(Debug, Clone, Copy)]
pub struct NoStatement;
/// Typestate: at least one statement added.
#[derive(Debug, Clone, Copy)]
pub struct HasStatement;

/// Builds a [`Policy`]; see [`Policy::builder`]. The version is always `2012-10-17`.
#[derive(Debug, Clone)]
pub struct PolicyBuilder<K: Kind, S> {
    id: Option<String>,
    statements: Vec<Statement>,
    _state: PhantomData<(K, S)>,
}

impl<K: Kind, S> PolicyBuilder<K, S> {
    /// The `Id` (resource-based policies).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Add a statement.
    pub fn statement(mut self, statement: K::Statement) -> PolicyBuilder<K, HasStatement> {
        self.statements.push(statement.into());
        PolicyBuilder {
            id: self.id,
            statements: self.statements,
            _state: PhantomData,
        }
    }

    /// Add several statements.
    pub fn statements(mut self, statements: impl IntoIterator<Item = K::Statement>) -> Self {
        self.statements
            .extend(statements.into_iter().map(Into::into));
        self
    }
}

impl<K: Kind> PolicyBuilder<K, HasStatement> {
    /// The policy. The type guarantees its parts are present; what they mean (known actions,
    /// size) is checked by [`crate::validate`].
    pub fn build(self) -> Policy<K> {
        Policy::from_document_unchecked(PolicyDocument {
            version: Some(Version::V2012_10_17),
            id: self.id,
            statements: OneOrMany::Many(self.statements),
        })
    }
}

impl From<&PolicyDocument> for raw::Policy {
    fn from(doc: &PolicyDocument) -> Self {
        raw::Policy {
            version: doc.version.map(|v| v.as_str().to_string()),
            id: doc.id.clone(),
            statement: Some(doc.statements.clone().map(|s| raw::Statement::from(&s))),
            unknown: Default::default(),
        }
    }
}

/// Read JSON text into the raw mirror, with line, column and path on failure.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let mut path = String::new();
        for segment in err.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => path.push_str(&format!("/{index}")),
                serde_path_to_error::Segment::Map { key } => {
                    path.push('/');
                    path.push_str(&crate::json::pointer_token(key));
                }
                serde_path_to_error::Segment::Enum { variant } => {
                    path.push('/');
                    path.push_str(&crate::json::pointer_token(variant));
                }
                serde_path_to_error::Segment::Unknown => {}
            }
        }
        JsonError::new(err.inner(), path)
    })?;
    de.end()
        .map_err(|err| JsonError::new(&err, String::new()))?;
    Ok(value)
}
