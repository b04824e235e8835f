//! Offline access evaluation: is a request allowed by a set of policies, and why.
//!
//! The evaluator takes policies that are already resolved for one principal and one
//! resource — the principal's identity-based policies, the SCPs on the path from the
//! organization root to the principal's account, the RCPs on the path to the resource's
//! account, the permissions boundary, the resource-based policy and the session policy — as
//! a [`PolicySet`], and one [`Request`]. [`evaluate`] gives an [`Evaluation`]: a [`Decision`]
//! with the statements that applied and the [`Layer`] that blocked a denied request.
//!
//! Policies are compiled once when they are added to a [`PolicySet`] (action patterns
//! lowercased, statements indexed by service prefix, condition values parsed into their
//! types), so that a decision does no allocation unless a statement applies or a policy
//! variable must be substituted.
//!
//! The rules follow the IAM User Guide's "Policy evaluation logic" pages; see
//! [`evaluate`] and the `decision`, `matching` and `conditions` modules.
mod conditions;
mod decision;
pub mod diff;
mod matching;
pub mod model;
mod request;

pub use decision::{Decision, Evaluation, Layer, Reason, StatementMatch, decide, evaluate};
pub use request::{IamPrincipal, IamPrincipalKind, Request, RequestPrincipal};

use std::sync::Arc;

use crate::policy::PolicyDocument;
use matching::CompiledPolicy;

/// One level of an organization's OU path (the root, an OU or the account) with the SCPs or
/// RCPs attached to it. A level without policies allows nothing.
///
/// ```
/// use iam_model::eval::OrgLevel;
/// use iam_model::policy::{Policy, kind::Scp};
/// let full = Policy::<Scp>::from_json(
///     r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#)?;
/// let root = OrgLevel::new("Root").policy("FullAWSAccess", full.into_document());
/// assert_eq!(root.name(), "Root");
/// assert_eq!(root.policies().count(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct OrgLevel {
    name: String,
    policies: Vec<Arc<CompiledPolicy>>,
}

impl OrgLevel {
    /// A level with no policies yet.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            policies: Vec::new(),
        }
    }

    /// Attach a policy.
    pub fn policy(mut self, name: &str, document: PolicyDocument) -> Self {
        self.policies
            .push(Arc::new(CompiledPolicy::new(name, document)));
        self
    }

    /// Attach a policy compiled once and shared with other levels and sets.
    pub fn shared(mut self, policy: &SharedPolicy) -> Self {
        self.policies.push(Arc::clone(&policy.0));
        self
    }

    /// Attach a policy compiled once and shared with other levels and sets.
    pub(crate) fn compiled(mut self, policy: Arc<CompiledPolicy>) -> Self {
        self.policies.push(policy);
        self
    }

    /// The level's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The attached policies, by name, in the order attached.
    pub fn policies(&self) -> impl Iterator<Item = (&str, &PolicyDocument)> {
        self.policies.iter().map(|p| (p.name.as_str(), &p.document))
    }
}

pub(crate) type CompiledLevel = OrgLevel;

/// A policy compiled once and shared by many [`PolicySet`]s and [`OrgLevel`]s: a batch whose
/// cases name the same policies compiles each of them once, not once per case.
///
/// ```
/// use iam_model::eval::{evaluate, Decision, PolicySet, Request, SharedPolicy};
/// use iam_model::policy::{Policy, kind::Identity};
/// let read = Policy::<Identity>::from_json(r#"{"Version":"2012-10-17","Statement":
///     {"Effect":"Allow","Action":"s3:Get*","Resource":"*"}}"#)?;
/// let shared = SharedPolicy::new("read", read.into_document());
/// let set = PolicySet::new().identity_shared(&shared);
/// let request = Request::new("arn:aws:iam::111122223333:user/alice".parse()?,
///     "s3:GetObject", "arn:aws:s3:::reports/q1.csv");
/// assert_eq!(evaluate(&set, &request).decision(), Decision::Allowed);
/// assert_eq!(shared.name(), "read");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SharedPolicy(Arc<CompiledPolicy>);

impl SharedPolicy {
    /// Compile a policy under a name (the name explanations show).
    pub fn new(name: &str, document: PolicyDocument) -> Self {
        Self(Arc::new(CompiledPolicy::new(name, document)))
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The document.
    pub fn document(&self) -> &PolicyDocument {
        &self.0.document
    }
}

/// The policies that take part in decisions for one principal and one resource.
///
/// - identity-based policies: inline and attached (customer or AWS managed) policies of the
///   user or role, and of the user's groups;
/// - SCP levels, root first, for the principal's account; no levels means the account is not
///   governed by SCPs (no organization, or the management account);
/// - RCP levels, root first, for the resource's account; AWS attaches `RCPFullAWSAccess` to
///   every level, so pass it like any other RCP;
/// - permissions boundaries (none means no boundary; several must all allow);
/// - the resource-based policy (bucket policy, key policy, role trust policy, …);
/// - the session policy of a role or federated user session.
///
/// ```
/// use iam_model::eval::{evaluate, Decision, PolicySet, Request};
/// use iam_model::policy::{Policy, kind::Identity};
/// let read = Policy::<Identity>::from_json(r#"{"Version":"2012-10-17","Statement":
///     {"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::reports/*"}}"#)?;
/// let set = PolicySet::new().identity("ReadReports", read.into_document());
/// let request = Request::new("arn:aws:iam::111122223333:user/alice".parse()?,
///     "s3:GetObject", "arn:aws:s3:::reports/q1.csv");
/// assert_eq!(evaluate(&set, &request).decision(), Decision::Allowed);
/// assert_eq!(evaluate(&PolicySet::new(), &request).decision(), Decision::ImplicitlyDenied);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    identity: Vec<Arc<CompiledPolicy>>,
    scps: Vec<OrgLevel>,
    rcps: Vec<OrgLevel>,
    boundaries: Vec<Arc<CompiledPolicy>>,
    resource_policy: Option<Arc<CompiledPolicy>>,
    session_policy: Option<Arc<CompiledPolicy>>,
}

impl PolicySet {
    /// An empty set: every request is implicitly denied (except the account root's).
    pub fn new() -> Self {
        Self::default()
    }

    /// Add an identity-based policy.
    pub fn identity(mut self, name: &str, document: PolicyDocument) -> Self {
        self.identity
            .push(Arc::new(CompiledPolicy::new(name, document)));
        self
    }

    /// Add the next SCP level (root first).
    pub fn scp_level(mut self, level: OrgLevel) -> Self {
        self.scps.push(level);
        self
    }

    /// Add the next RCP level (root first).
    pub fn rcp_level(mut self, level: OrgLevel) -> Self {
        self.rcps.push(level);
        self
    }

    /// Add a permissions boundary.
    pub fn boundary(mut self, name: &str, document: PolicyDocument) -> Self {
        self.boundaries
            .push(Arc::new(CompiledPolicy::new(name, document)));
        self
    }

    /// Set the resource-based policy.
    pub fn resource_policy(mut self, name: &str, document: PolicyDocument) -> Self {
        self.resource_policy = Some(Arc::new(CompiledPolicy::new(name, document)));
        self
    }

    /// Set the session policy.
    pub fn session_policy(mut self, name: &str, document: PolicyDocument) -> Self {
        self.session_policy = Some(Arc::new(CompiledPolicy::new(name, document)));
        self
    }

    /// Add an identity-based policy compiled once (see [`SharedPolicy`]).
    pub fn identity_shared(mut self, policy: &SharedPolicy) -> Self {
        self.identity.push(Arc::clone(&policy.0));
        self
    }

    /// Add a permissions boundary compiled once.
    pub fn boundary_shared(mut self, policy: &SharedPolicy) -> Self {
        self.boundaries.push(Arc::clone(&policy.0));
        self
    }

    /// Set the resource-based policy, compiled once.
    pub fn resource_policy_shared(mut self, policy: &SharedPolicy) -> Self {
        self.resource_policy = Some(Arc::clone(&policy.0));
        self
    }

    /// Set the session policy, compiled once.
    pub fn session_policy_shared(mut self, policy: &SharedPolicy) -> Self {
        self.session_policy = Some(Arc::clone(&policy.0));
        self
    }

    /// The identity-based policies, by name.
    pub fn identity_policies(&self) -> impl Iterator<Item = (&str, &PolicyDocument)> {
        self.identity.iter().map(|p| (p.name.as_str(), &p.document))
    }

    /// The SCP levels, root first.
    pub fn scp_levels(&self) -> &[OrgLevel] {
        &self.scps
    }

    /// The RCP levels, root first.
    pub fn rcp_levels(&self) -> &[OrgLevel] {
        &self.rcps
    }

    /// The permissions boundaries, by name.
    pub fn boundaries(&self) -> impl Iterator<Item = (&str, &PolicyDocument)> {
        self.boundaries
            .iter()
            .map(|p| (p.name.as_str(), &p.document))
    }

    /// The resource-based policy, with its name.
    pub fn resource_policy_document(&self) -> Option<(&str, &PolicyDocument)> {
        self.resource_policy
            .as_ref()
            .map(|p| (p.name.as_str(), &p.document))
    }

    /// The session policy, with its name.
    pub fn session_policy_document(&self) -> Option<(&str, &PolicyDocument)> {
        self.session_policy
            .as_ref()
            .map(|p| (p.name.as_str(), &p.document))
    }

    /// The layers of this set, borrowed for one evaluation.
    pub(crate) fn layers(&self) -> Layers<'_, '_> {
        Layers {
            identity: PolicyList::Shared(&self.identity),
            scps: &self.scps,
            rcps: &self.rcps,
            boundaries: PolicyList::Shared(&self.boundaries),
            resource_policy: self.resource_policy.as_deref(),
            session_policy: self.session_policy.as_deref(),
        }
    }
}

/// The policies of one evaluation, borrowed from wherever they are kept: a [`PolicySet`], or
/// the compiled policies of a model (see [`model`]), so that a request can combine a
/// principal's policies with the resource's without copying either.
/// Explanations borrow from the policies (`'a`), not from the lists that name them (`'s`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layers<'s, 'a> {
    pub(crate) identity: PolicyList<'s, 'a>,
    pub(crate) scps: &'a [OrgLevel],
    pub(crate) rcps: &'a [OrgLevel],
    pub(crate) boundaries: PolicyList<'s, 'a>,
    pub(crate) resource_policy: Option<&'a CompiledPolicy>,
    pub(crate) session_policy: Option<&'a CompiledPolicy>,
}

/// A list of compiled policies: shared ones (a [`PolicySet`]'s) or references.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PolicyList<'s, 'a> {
    Shared(&'a [Arc<CompiledPolicy>]),
    Borrowed(&'s [&'a CompiledPolicy]),
}

impl<'a> PolicyList<'_, 'a> {
    pub(crate) fn iter(self) -> impl Iterator<Item = &'a CompiledPolicy> {
        let (shared, borrowed): (&'a [Arc<CompiledPolicy>], &[&'a CompiledPolicy]) = match self {
            Self::Shared(list) => (list, &[]),
            Self::Borrowed(list) => (&[], list),
        };
        shared.iter().map(|p| &**p).chain(borrowed.iter().copied())
    }
}
