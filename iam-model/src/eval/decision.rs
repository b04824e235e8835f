//! The decision and its explanation, and the evaluation logic that combines the layers.
//!
//! Mirrors the IAM User Guide, "Policy evaluation logic":
//! - "How AWS enforcement code logic evaluates requests to allow or deny access": every
//!   request is implicitly denied unless allowed; an explicit deny in any applicable policy
//!   (SCP, RCP, resource-based, identity-based, permissions boundary, session policy) wins;
//!   then SCPs, RCPs, the resource-based policy, identity-based policies, the permissions
//!   boundary and the session policy are consulted in that order.
//! - "Policy evaluation for requests within a single account": an allow in either the
//!   identity-based or the resource-based policy suffices; "IAM role trust policies and KMS
//!   key policies are exceptions to this logic, because they must explicitly allow access
//!   for principals"; a resource-based policy that names the user or the role session ARN
//!   itself is not limited by the permissions boundary or the session policy ("Permissions
//!   boundaries for IAM entities", "Session policies"), one that names the role is.
//! - "Cross-account policy evaluation logic": the identity-based policy of the requester and
//!   the resource-based policy of the resource must both allow.
//! - "AWS JSON policy elements: Principal" ("AWS account principals"): naming an account (its
//!   id or `:root` ARN) delegates to the account's identity-based policies, so it never
//!   allows on its own.
//! - The account root user has every permission in its account ("By default, all requests
//!   are implicitly denied with the exception of the AWS account root user"); SCPs still
//!   limit a member account's root user.
//! - AWS Organizations User Guide, "SCP evaluation" and "RCP evaluation": a request must be
//!   allowed at every level from the root through each OU to the account; "SCPs don't affect
//!   service-linked roles" and service principals are not principals of the account, so SCPs
//!   apply to IAM principals other than service-linked roles; RCPs "don't affect" actions
//!   taken by service-linked roles and do apply to other principals, including services and
//!   anonymous requests. Neither applies to the management account: callers pass no SCP or
//!   RCP levels for it.
//! - Anonymous requests and service principals have no identity-based policies, boundaries or
//!   session policies: only a resource-based policy can allow them.
use std::fmt;

use crate::eval::CompiledLevel;
use crate::eval::matching::{CompiledPolicy, Grant, Scratch};
use crate::eval::request::{IamPrincipalKind, Request, RequestPrincipal};
use crate::eval::{Layers, PolicySet};
use crate::policy::Effect;

/// The outcome of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Decision {
    /// The request is allowed.
    Allowed,
    /// A `Deny` statement applies.
    ExplicitlyDenied,
    /// Nothing allows the request (or a guardrail does not allow it).
    ImplicitlyDenied,
}

impl Decision {
    /// `Allowed`, `ExplicitlyDenied` or `ImplicitlyDenied`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allowed => "Allowed",
            Self::ExplicitlyDenied => "ExplicitlyDenied",
            Self::ImplicitlyDenied => "ImplicitlyDenied",
        }
    }

    /// Whether the request is allowed.
    pub fn is_allowed(self) -> bool {
        self == Self::Allowed
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kind of policy that takes part in a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// Service control policies of the principal's account.
    Scp,
    /// Resource control policies of the resource's account.
    Rcp,
    /// The resource-based policy (bucket policy, key policy, role trust policy, …).
    Resource,
    /// Identity-based policies of the principal.
    Identity,
    /// The principal's permissions boundary.
    Boundary,
    /// The session policy of a role or federated user session.
    Session,
}

impl Layer {
    /// `Scp`, `Rcp`, `Resource`, `Identity`, `Boundary` or `Session`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scp => "Scp",
            Self::Rcp => "Rcp",
            Self::Resource => "Resource",
            Self::Identity => "Identity",
            Self::Boundary => "Boundary",
            Self::Session => "Session",
        }
    }
}

impl std::fmt::Display for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the decision is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// A `Deny` statement applies.
    ExplicitDeny,
    /// No SCP at one level of the OU path allows the request.
    ScpDoesNotAllow,
    /// No RCP at one level of the OU path allows the request.
    RcpDoesNotAllow,
    /// Neither an identity-based nor the resource-based policy allows the request.
    NoAllow,
    /// Role trust policies and KMS key policies must allow the principal themselves.
    ResourcePolicyRequired,
    /// Cross-account: the resource-based policy does not allow the principal.
    CrossAccountResource,
    /// Cross-account: no identity-based policy allows the request.
    CrossAccountIdentity,
    /// The permissions boundary does not allow the request.
    BoundaryDoesNotAllow,
    /// The session policy does not allow the request.
    SessionDoesNotAllow,
    /// An identity-based policy allows, and every guardrail does.
    AllowedByIdentity,
    /// The resource-based policy allows, and every guardrail that applies does.
    AllowedByResource,
    /// Cross-account: the identity-based and the resource-based policy both allow.
    AllowedCrossAccount,
    /// The account root user has every permission in its account.
    AllowedRoot,
    /// The action needs no permission and cannot be denied (`sts:GetCallerIdentity`).
    NoPermissionRequired,
}

impl Reason {
    /// A one-line explanation.
    pub fn message(self) -> &'static str {
        match self {
            Self::ExplicitDeny => "an explicit deny applies",
            Self::ScpDoesNotAllow => "no service control policy at this level allows the request",
            Self::RcpDoesNotAllow => "no resource control policy at this level allows the request",
            Self::NoAllow => "no identity-based or resource-based policy allows the request",
            Self::ResourcePolicyRequired => {
                "a role trust policy or KMS key policy must allow the principal, and it does not"
            }
            Self::CrossAccountResource => {
                "cross-account request: the resource-based policy does not allow the principal"
            }
            Self::CrossAccountIdentity => {
                "cross-account request: no identity-based policy of the principal allows it"
            }
            Self::BoundaryDoesNotAllow => "the permissions boundary does not allow the request",
            Self::SessionDoesNotAllow => "the session policy does not allow the request",
            Self::AllowedByIdentity => "an identity-based policy allows the request",
            Self::AllowedByResource => "the resource-based policy allows the request",
            Self::AllowedCrossAccount => {
                "cross-account request: the identity-based and the resource-based policy both allow it"
            }
            Self::AllowedRoot => "the account root user has every permission in its account",
            Self::NoPermissionRequired => {
                "the action needs no permission and cannot be denied (sts:GetCallerIdentity)"
            }
        }
    }
}

/// One statement that applies to the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementMatch<'a> {
    /// The layer of the policy.
    pub layer: Layer,
    /// The SCP or RCP level (root, OU or account name), for organization policies.
    pub level: Option<&'a str>,
    /// The policy name.
    pub policy: &'a str,
    /// The statement's index in the policy.
    pub statement: usize,
    /// The statement's `Sid`.
    pub sid: Option<&'a str>,
    /// `Allow` or `Deny`.
    pub effect: Effect,
}

impl StatementMatch<'_> {
    /// Whether the statement is one of AWS's own allow-everything organization policies
    /// (`FullAWSAccess`, `RCPFullAWSAccess`), which explain nothing worth reading.
    pub fn is_organization_default(&self) -> bool {
        matches!(self.layer, Layer::Scp | Layer::Rcp)
            && matches!(self.policy, "FullAWSAccess" | "RCPFullAWSAccess")
    }
}

/// `` Identity `PowerUserAccess` statement 0 (Sid) ``, or with the level of an organization
/// policy `` SCP `Workloads` `DenyLeave` statement 1 ``: how every command names a statement.
impl fmt::Display for StatementMatch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.layer)?;
        if let Some(level) = self.level {
            write!(f, " `{level}`")?;
        }
        write!(f, " `{}` statement {}", self.policy, self.statement)?;
        if let Some(sid) = self.sid {
            write!(f, " ({sid})")?;
        }
        Ok(())
    }
}

/// A decision with its explanation: the statements that applied, and for a denial, the layer
/// that blocked the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation<'a> {
    decision: Decision,
    reason: Reason,
    blocked_by: Option<Layer>,
    blocked_level: Option<&'a str>,
    matches: Vec<StatementMatch<'a>>,
}

impl<'a> Evaluation<'a> {
    /// The decision.
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// Why.
    pub fn reason(&self) -> Reason {
        self.reason
    }

    /// For a denial, the layer that blocked the request.
    pub fn blocked_by(&self) -> Option<Layer> {
        self.blocked_by
    }

    /// For a denial by an SCP or RCP level, the level.
    pub fn blocked_level(&self) -> Option<&'a str> {
        self.blocked_level
    }

    /// Every statement that applies to the request, by layer (SCPs, RCPs, resource,
    /// identity, boundary, session) and in policy and statement order within a layer.
    pub fn matches(&self) -> &[StatementMatch<'a>] {
        &self.matches
    }

    /// The `Deny` statements that apply.
    pub fn denied_by(&self) -> impl Iterator<Item = &StatementMatch<'a>> {
        self.matches.iter().filter(|m| m.effect == Effect::Deny)
    }

    /// The `Allow` statements that apply.
    pub fn allowed_by(&self) -> impl Iterator<Item = &StatementMatch<'a>> {
        self.matches.iter().filter(|m| m.effect == Effect::Allow)
    }
}

struct Scan<'a, 'r> {
    request: &'r Request,
    scratch: &'r mut Scratch,
    // Whether to keep the statements that apply (an explanation), or only decide.
    record: bool,
    matches: Vec<StatementMatch<'a>>,
    denied: bool,
}

impl<'a> Scan<'a, '_> {
    // Record the statements of one policy that apply; the strongest grant of its `Allow`s.
    #[inline]
    fn policy(
        &mut self,
        policy: &'a CompiledPolicy,
        layer: Layer,
        level: Option<&'a str>,
    ) -> Option<Grant> {
        let mut best: Option<Grant> = None;
        for index in policy.candidates(self.request) {
            let Some(grant) = policy.applies(index, self.request, self.scratch) else {
                continue;
            };
            let Some(s) = policy.statements.get(index) else {
                continue;
            };
            if self.record {
                self.matches.push(StatementMatch {
                    layer,
                    level,
                    policy: &policy.name,
                    statement: s.index,
                    sid: s.sid.as_deref(),
                    effect: s.effect,
                });
            }
            match s.effect {
                Effect::Deny => self.denied = true,
                Effect::Allow => {
                    if best.is_none_or(|b| grant > b) {
                        best = Some(grant);
                    }
                }
            }
        }
        best
    }

    // Scan organization levels; the first level that allows nothing.
    fn levels(&mut self, levels: &'a [CompiledLevel], layer: Layer) -> Option<&'a str> {
        let mut failing = None;
        for level in levels {
            let mut allows = false;
            for policy in &level.policies {
                allows |= self.policy(policy, layer, Some(&level.name)).is_some();
            }
            if !allows && failing.is_none() {
                failing = Some(level.name.as_str());
            }
        }
        failing
    }
}

// "IAM role trust policies and KMS key policies are exceptions": their resource-based policy
// must allow the principal even within one account.
fn resource_policy_required(request: &Request) -> bool {
    let action = request.action_lower.as_str();
    if action.starts_with("sts:assumerole") {
        return true;
    }
    // AWS KMS Developer Guide, "Controlling access to aliases": alias operations on an alias
    // ARN (`arn:aws:kms:REGION:ACCOUNT:alias/NAME`) are allowed by IAM policies; only a KMS
    // key (`…:key/ID`) has a key policy that must allow the principal.
    action.starts_with("kms:")
        && request.resource_segment(2) == Some("kms")
        && request
            .resource_segment(5)
            .is_some_and(|r| r.starts_with("key/"))
}

// STS API Reference, `GetCallerIdentity`: "No permissions are required to perform this
// operation. If an administrator attaches a policy to your identity that explicitly denies
// access to the sts:GetCallerIdentity action, you can still perform this operation."
fn needs_no_permission(request: &Request) -> bool {
    request.action_lower == "sts:getcalleridentity"
}

/// Evaluate a request against a set of policies, as AWS does (see the module docs for the
/// rules and the IAM User Guide sections they follow).
///
/// ```
/// use iam_model::eval::{evaluate, Decision, Layer, OrgLevel, PolicySet, Request};
/// use iam_model::policy::{Policy, kind::{Identity, Scp}};
/// let admin = Policy::<Identity>::from_json(
///     r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#)?;
/// let no_iam = Policy::<Scp>::from_json(
///     r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
///        {"Sid":"NoIam","Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#)?;
/// let set = PolicySet::new()
///     .identity("AdministratorAccess", admin.into_document())
///     .scp_level(OrgLevel::new("Root").policy("NoIam", no_iam.into_document()));
/// let alice = "arn:aws:iam::111122223333:user/alice".parse()?;
///
/// let request = Request::new(alice, "iam:CreateUser", "arn:aws:iam::111122223333:user/bob");
/// let evaluation = evaluate(&set, &request);
/// assert_eq!(evaluation.decision(), Decision::ExplicitlyDenied);
/// assert_eq!(evaluation.blocked_by(), Some(Layer::Scp));
/// let deny = evaluation.denied_by().next().unwrap();
/// assert_eq!((deny.policy, deny.statement, deny.sid), ("NoIam", 1, Some("NoIam")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate<'a>(set: &'a PolicySet, request: &Request) -> Evaluation<'a> {
    evaluate_layers(set.layers(), request)
}

/// The decision of [`evaluate`], without the explanation: the statements that apply are not
/// collected, so a decision allocates nothing (the buffers for policy variables are kept per
/// thread). For workloads that only need the decision.
///
/// ```
/// use iam_model::eval::{decide, evaluate, Decision, PolicySet, Request};
/// use iam_model::policy::{Policy, kind::Identity};
/// let read = Policy::<Identity>::from_json(r#"{"Version":"2012-10-17","Statement":
///     {"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::home/${aws:username}/*"}}"#)?;
/// let set = PolicySet::new().identity("read", read.into_document());
/// let request = Request::new("arn:aws:iam::111122223333:user/alice".parse()?,
///     "s3:GetObject", "arn:aws:s3:::home/alice/notes.txt");
/// assert_eq!(decide(&set, &request), Decision::Allowed);
/// assert_eq!(decide(&set, &request), evaluate(&set, &request).decision());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decide(set: &PolicySet, request: &Request) -> Decision {
    decide_layers(set.layers(), request)
}

/// [`decide`] over policies borrowed from anywhere (see [`Layers`]).
pub(crate) fn decide_layers(set: Layers<'_, '_>, request: &Request) -> Decision {
    with_scratch(|scratch| run(set, request, scratch, false).decision)
}

/// [`evaluate`] over policies borrowed from anywhere (see [`Layers`]).
pub(crate) fn evaluate_layers<'a>(set: Layers<'_, 'a>, request: &Request) -> Evaluation<'a> {
    with_scratch(|scratch| run(set, request, scratch, true))
}

thread_local! {
    // Buffers for policy variables, kept so that a decision does not allocate them.
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        // Re-entered (not done by the evaluator itself): fresh buffers.
        Err(_) => f(&mut Scratch::default()),
    })
}

fn run<'a>(
    set: Layers<'_, 'a>,
    request: &Request,
    scratch: &mut Scratch,
    record: bool,
) -> Evaluation<'a> {
    let mut scan = Scan {
        request,
        scratch,
        record,
        matches: Vec::new(),
        denied: false,
    };

    let (iam_kind, service_linked) = match request.principal() {
        RequestPrincipal::Iam(p) => (Some(p.kind()), p.is_service_linked()),
        _ => (None, false),
    };
    let is_root = iam_kind == Some(IamPrincipalKind::Root);
    let scps_apply = iam_kind.is_some() && !service_linked;
    let rcps_apply = !service_linked;
    // Identity policies, boundaries and session policies belong to IAM users and roles.
    let principal_policies_apply = iam_kind.is_some() && !is_root;

    // Permissions boundaries page, "Important": a `NotPrincipal` with `Deny` in a
    // resource-based policy always denies an IAM principal with a permissions boundary.
    scan.scratch.boundary = principal_policies_apply && set.boundaries.iter().next().is_some();

    let scp_gap = if scps_apply {
        scan.levels(set.scps, Layer::Scp)
    } else {
        None
    };
    let rcp_gap = if rcps_apply {
        scan.levels(set.rcps, Layer::Rcp)
    } else {
        None
    };
    let grant = set
        .resource_policy
        .and_then(|p| scan.policy(p, Layer::Resource, None));
    let mut identity_allows = false;
    let mut boundary_ok = true;
    let mut session_ok = true;
    if principal_policies_apply {
        for p in set.identity.iter() {
            identity_allows |= scan.policy(p, Layer::Identity, None).is_some();
        }
        for p in set.boundaries.iter() {
            boundary_ok &= scan.policy(p, Layer::Boundary, None).is_some();
        }
        if let Some(p) = set.session_policy {
            session_ok = scan.policy(p, Layer::Session, None).is_some();
        }
    }

    let deny =
        |reason, layer: Option<Layer>, level| (Decision::ImplicitlyDenied, reason, layer, level);
    let (decision, reason, blocked_by, blocked_level) =
        if iam_kind.is_some() && needs_no_permission(request) {
            (Decision::Allowed, Reason::NoPermissionRequired, None, None)
        } else if scan.denied {
            let first = scan.denied_first();
            (
                Decision::ExplicitlyDenied,
                Reason::ExplicitDeny,
                first.map(|m| m.layer),
                first.and_then(|m| m.level),
            )
        } else if let Some(level) = scp_gap {
            deny(Reason::ScpDoesNotAllow, Some(Layer::Scp), Some(level))
        } else if let Some(level) = rcp_gap {
            deny(Reason::RcpDoesNotAllow, Some(Layer::Rcp), Some(level))
        } else {
            let cross_account = matches!(
                (request.principal_account(), request.resource_account_id()),
                (Some(a), Some(b)) if a != b
            );
            let identity = identity_allows || is_root;
            let guard = if !boundary_ok {
                Some((Reason::BoundaryDoesNotAllow, Layer::Boundary))
            } else if !session_ok {
                Some((Reason::SessionDoesNotAllow, Layer::Session))
            } else {
                None
            };
            let allowed_reason = if is_root {
                Reason::AllowedRoot
            } else if identity_allows {
                Reason::AllowedByIdentity
            } else {
                Reason::AllowedByResource
            };
            if cross_account {
                match (grant, identity, guard) {
                    (None, _, _) => deny(Reason::CrossAccountResource, Some(Layer::Resource), None),
                    (Some(_), false, _) => {
                        deny(Reason::CrossAccountIdentity, Some(Layer::Identity), None)
                    }
                    (Some(_), true, Some((reason, layer))) => deny(reason, Some(layer), None),
                    (Some(_), true, None) => {
                        (Decision::Allowed, Reason::AllowedCrossAccount, None, None)
                    }
                }
            } else if grant == Some(Grant::Exact) {
                (Decision::Allowed, Reason::AllowedByResource, None, None)
            } else if grant.is_none() && resource_policy_required(request) {
                deny(Reason::ResourcePolicyRequired, Some(Layer::Resource), None)
            } else if !(identity || grant == Some(Grant::Principal)) {
                deny(Reason::NoAllow, Some(Layer::Identity), None)
            } else if let Some((reason, layer)) = guard {
                deny(reason, Some(layer), None)
            } else {
                (Decision::Allowed, allowed_reason, None, None)
            }
        };
    Evaluation {
        decision,
        reason,
        blocked_by,
        blocked_level,
        matches: scan.matches,
    }
}

impl<'a> Scan<'a, '_> {
    fn denied_first(&self) -> Option<StatementMatch<'a>> {
        self.matches
            .iter()
            .find(|m| m.effect == Effect::Deny)
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::OrgLevel;
    use crate::policy::{Policy, PolicyDocument, kind};
    use proptest::prelude::*;

    const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
    const OTHER: &str = "arn:aws:iam::444455556666:user/olga";
    const BUCKET: &str = "arn:aws:s3:::reports/q1.csv";

    fn statements(list: &str) -> String {
        format!(r#"{{"Version":"2012-10-17","Statement":[{list}]}}"#)
    }
    fn identity(list: &str) -> PolicyDocument {
        Policy::<kind::Identity>::from_json(&statements(list))
            .unwrap()
            .into_document()
    }
    fn scp(list: &str) -> PolicyDocument {
        Policy::<kind::Scp>::from_json(&statements(list))
            .unwrap()
            .into_document()
    }
    fn resource(list: &str) -> PolicyDocument {
        Policy::<kind::ResourceBased>::from_json(&statements(list))
            .unwrap()
            .into_document()
    }
    fn trust(list: &str) -> PolicyDocument {
        Policy::<kind::Trust>::from_json(&statements(list))
            .unwrap()
            .into_document()
    }
    fn rcp_deny(list: &str) -> PolicyDocument {
        Policy::<kind::Rcp>::from_json(&statements(list))
            .unwrap()
            .into_document()
    }
    // RCPFullAWSAccess cannot be written as a customer RCP; read it as a resource policy.
    fn rcp_full() -> PolicyDocument {
        resource(r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}"#)
    }

    const ALLOW_ALL: &str = r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#;
    const ALLOW_S3: &str = r#"{"Sid":"S3","Effect":"Allow","Action":"s3:*","Resource":"*"}"#;

    fn request(principal: &str, action: &str, resource: &str) -> Request {
        Request::new(principal.parse().unwrap(), action, resource)
    }

    fn outcome(set: &PolicySet, r: &Request) -> (Decision, Option<Layer>, Option<String>) {
        let e = evaluate(set, r);
        (
            e.decision(),
            e.blocked_by(),
            e.blocked_level().map(str::to_string),
        )
    }

    use Decision::{Allowed, ExplicitlyDenied, ImplicitlyDenied};

    #[test]
    fn no_policies_deny_implicitly() {
        let r = request(ALICE, "s3:GetObject", BUCKET);
        let empty = PolicySet::new();
        let e = evaluate(&empty, &r);
        assert_eq!(e.decision(), ImplicitlyDenied);
        assert_eq!(e.reason(), Reason::NoAllow);
        assert_eq!(e.blocked_by(), Some(Layer::Identity));
        assert!(e.matches().is_empty());
    }

    #[test]
    fn explicit_deny_beats_allow() {
        let set = PolicySet::new()
            .identity("admin", identity(ALLOW_ALL))
            .identity(
                "no-delete",
                identity(
                    r#"{"Sid":"NoDelete","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}"#,
                ),
            );
        let e = evaluate(&set, &request(ALICE, "s3:DeleteObject", BUCKET));
        assert_eq!(e.decision(), ExplicitlyDenied);
        assert_eq!(e.blocked_by(), Some(Layer::Identity));
        let denied: Vec<_> = e
            .denied_by()
            .map(|m| (m.policy, m.statement, m.sid))
            .collect();
        assert_eq!(denied, [("no-delete", 0, Some("NoDelete"))]);
        let allowed: Vec<_> = e.allowed_by().map(|m| (m.policy, m.statement)).collect();
        assert_eq!(allowed, [("admin", 0)]);
        assert_eq!(
            evaluate(&set, &request(ALICE, "s3:GetObject", BUCKET)).decision(),
            Allowed
        );
    }

    #[test]
    fn scps_must_allow_at_every_level() {
        let set = |ou: &str| {
            PolicySet::new()
                .identity("admin", identity(ALLOW_ALL))
                .scp_level(OrgLevel::new("Root").policy("Full", scp(ALLOW_ALL)))
                .scp_level(OrgLevel::new("Workloads").policy("OU", scp(ou)))
                .scp_level(OrgLevel::new("prod").policy("Full", scp(ALLOW_ALL)))
        };
        let s3 = request(ALICE, "s3:GetObject", BUCKET);
        let ec2 = request(ALICE, "ec2:RunInstances", "*");
        assert_eq!(outcome(&set(ALLOW_S3), &s3), (Allowed, None, None));
        assert_eq!(
            outcome(&set(ALLOW_S3), &ec2),
            (ImplicitlyDenied, Some(Layer::Scp), Some("Workloads".into()))
        );
        // A level with no policies allows nothing.
        let empty = PolicySet::new()
            .identity("admin", identity(ALLOW_ALL))
            .scp_level(OrgLevel::new("Root").policy("Full", scp(ALLOW_ALL)))
            .scp_level(OrgLevel::new("acct"));
        assert_eq!(
            outcome(&empty, &s3),
            (ImplicitlyDenied, Some(Layer::Scp), Some("acct".into()))
        );
        // A deny at the root wins over allows everywhere.
        let deny = PolicySet::new()
            .identity("admin", identity(ALLOW_ALL))
            .scp_level(OrgLevel::new("Root").policy(
                "NoS3",
                scp(&format!(
                    r#"{ALLOW_ALL},{{"Effect":"Deny","Action":"s3:*","Resource":"*"}}"#
                )),
            ));
        assert_eq!(
            outcome(&deny, &s3),
            (ExplicitlyDenied, Some(Layer::Scp), Some("Root".into()))
        );
    }

    #[test]
    fn scps_do_not_limit_service_linked_roles_or_services() {
        let set = PolicySet::new()
            .identity("admin", identity(ALLOW_ALL))
            .scp_level(OrgLevel::new("Root"))
            .resource_policy(
                "bucket",
                resource(r#"{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"*"}"#),
            );
        let slr = "arn:aws:iam::111122223333:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing";
        assert_eq!(
            outcome(&set, &request(slr, "s3:GetObject", BUCKET)).0,
            Allowed
        );
        assert_eq!(
            outcome(&set, &request(ALICE, "s3:GetObject", BUCKET)).1,
            Some(Layer::Scp)
        );
        assert_eq!(
            outcome(
                &set,
                &request("cloudtrail.amazonaws.com", "s3:PutObject", BUCKET)
            )
            .0,
            Allowed
        );
    }

    #[test]
    fn rcps_limit_every_principal_but_service_linked_roles() {
        let set = PolicySet::new()
            .identity("admin", identity(ALLOW_ALL))
            .rcp_level(
                OrgLevel::new("Root").policy("RCPFullAWSAccess", rcp_full()).policy(
                    "TLS",
                    rcp_deny(r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}"#),
                ),
            );
        let plain =
            request(ALICE, "s3:GetObject", BUCKET).context("aws:SecureTransport", ["false"]);
        let tls = request(ALICE, "s3:GetObject", BUCKET).context("aws:SecureTransport", ["true"]);
        assert_eq!(
            outcome(&set, &plain),
            (ExplicitlyDenied, Some(Layer::Rcp), Some("Root".into()))
        );
        assert_eq!(outcome(&set, &tls).0, Allowed);
        let slr =
            "arn:aws:iam::111122223333:role/aws-service-role/s3.amazonaws.com/AWSServiceRoleForS3";
        let slr_plain =
            request(slr, "s3:GetObject", BUCKET).context("aws:SecureTransport", ["false"]);
        assert_eq!(outcome(&set, &slr_plain), (Allowed, None, None));
        let no_full = PolicySet::new()
            .identity("admin", identity(ALLOW_ALL))
            .rcp_level(OrgLevel::new("Root"));
        assert_eq!(
            outcome(&no_full, &tls),
            (ImplicitlyDenied, Some(Layer::Rcp), Some("Root".into()))
        );
    }

    #[test]
    fn boundaries_and_session_policies_cap_identity_policies() {
        let set = PolicySet::new()
            .identity("admin", identity(ALLOW_ALL))
            .boundary("s3-only", identity(ALLOW_S3));
        assert_eq!(
            outcome(&set, &request(ALICE, "s3:GetObject", BUCKET)).0,
            Allowed
        );
        assert_eq!(
            outcome(&set, &request(ALICE, "ec2:RunInstances", "*")).1,
            Some(Layer::Boundary)
        );
        let session = "arn:aws:sts::111122223333:assumed-role/Admin/alice";
        let set = PolicySet::new()
            .identity("admin", identity(ALLOW_ALL))
            .session_policy("s3-only", identity(ALLOW_S3));
        assert_eq!(
            outcome(&set, &request(session, "s3:GetObject", BUCKET)).0,
            Allowed
        );
        assert_eq!(
            outcome(&set, &request(session, "ec2:RunInstances", "*")),
            (ImplicitlyDenied, Some(Layer::Session), None)
        );
    }

    #[test]
    fn same_account_resource_grants() {
        let named = |principal: &str| {
            PolicySet::new()
                .boundary("ec2-only", identity(r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*"}"#))
                .resource_policy(
                    "bucket",
                    resource(&format!(
                        r#"{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"s3:GetObject","Resource":"*"}}"#
                    )),
                )
        };
        let r = request(ALICE, "s3:GetObject", BUCKET).resource_account(AccountIdConst::ID);
        // Naming the user: the boundary does not limit the grant.
        assert_eq!(outcome(&named(ALICE), &r).0, Allowed);
        // Naming the account delegates to identity policies, and there are none.
        assert_eq!(
            outcome(&named("111122223333"), &r),
            (ImplicitlyDenied, Some(Layer::Identity), None)
        );
        // A role ARN names the role's sessions, which the boundary still limits.
        let session = request(
            "arn:aws:sts::111122223333:assumed-role/App/s1",
            "s3:GetObject",
            BUCKET,
        );
        assert_eq!(
            outcome(&named("arn:aws:iam::111122223333:role/App"), &session),
            (ImplicitlyDenied, Some(Layer::Boundary), None)
        );
        let no_boundary = PolicySet::new().resource_policy(
            "bucket",
            resource(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/App"},"Action":"s3:GetObject","Resource":"*"}"#),
        );
        assert_eq!(outcome(&no_boundary, &session).0, Allowed);
    }

    struct AccountIdConst;
    impl AccountIdConst {
        const ID: crate::policy::AccountId = crate::policy::AccountId::from_static("111122223333");
        const OTHER: crate::policy::AccountId =
            crate::policy::AccountId::from_static("444455556666");
    }

    #[test]
    fn cross_account_needs_both_sides() {
        let bucket_policy = resource(&format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"{OTHER}"}},"Action":"s3:GetObject","Resource":"*"}}"#
        ));
        let r = request(OTHER, "s3:GetObject", BUCKET).resource_account(AccountIdConst::ID);
        let identity_only = PolicySet::new().identity("s3", identity(ALLOW_S3));
        assert_eq!(
            outcome(&identity_only, &r),
            (ImplicitlyDenied, Some(Layer::Resource), None)
        );
        let resource_only = PolicySet::new().resource_policy("bucket", bucket_policy.clone());
        assert_eq!(
            outcome(&resource_only, &r),
            (ImplicitlyDenied, Some(Layer::Identity), None)
        );
        let both = PolicySet::new()
            .identity("s3", identity(ALLOW_S3))
            .resource_policy("bucket", bucket_policy);
        let e = evaluate(&both, &r);
        assert_eq!(
            (e.decision(), e.reason()),
            (Allowed, Reason::AllowedCrossAccount)
        );
        // The same request within the owner's account needs only one side.
        let same = request(OTHER, "s3:GetObject", BUCKET).resource_account(AccountIdConst::OTHER);
        assert_eq!(outcome(&identity_only, &same).0, Allowed);
    }

    #[test]
    fn role_trust_policies_must_allow_even_in_one_account() {
        let role = "arn:aws:iam::111122223333:role/Deploy";
        let r = request(ALICE, "sts:AssumeRole", role).resource_account(AccountIdConst::ID);
        let identity_only = PolicySet::new().identity("admin", identity(ALLOW_ALL));
        assert_eq!(
            outcome(&identity_only, &r),
            (ImplicitlyDenied, Some(Layer::Resource), None)
        );
        let account_trust = identity_only.clone().resource_policy(
            "trust",
            trust(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}"#),
        );
        assert_eq!(outcome(&account_trust, &r).0, Allowed);
        let trust_only = PolicySet::new().resource_policy(
            "trust",
            trust(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}"#),
        );
        assert_eq!(outcome(&trust_only, &r).1, Some(Layer::Identity));
    }

    #[test]
    fn the_root_user_has_every_permission_in_its_account() {
        let root = "arn:aws:iam::111122223333:root";
        let r = request(root, "s3:GetObject", BUCKET).resource_account(AccountIdConst::ID);
        let empty = PolicySet::new();
        let e = evaluate(&empty, &r);
        assert_eq!((e.decision(), e.reason()), (Allowed, Reason::AllowedRoot));
        let limited = PolicySet::new().scp_level(OrgLevel::new("Root").policy("S3", scp(ALLOW_S3)));
        assert_eq!(
            outcome(&limited, &request(root, "ec2:RunInstances", "*")).1,
            Some(Layer::Scp)
        );
        let elsewhere =
            request(root, "s3:GetObject", BUCKET).resource_account(AccountIdConst::OTHER);
        assert_eq!(
            outcome(&PolicySet::new(), &elsewhere).1,
            Some(Layer::Resource)
        );
    }

    #[test]
    fn only_resource_policies_allow_anonymous_requests() {
        let anonymous = Request::new(RequestPrincipal::Anonymous, "s3:GetObject", BUCKET);
        let identity_only = PolicySet::new()
            .identity("admin", identity(ALLOW_ALL))
            .scp_level(OrgLevel::new("Root"));
        assert_eq!(outcome(&identity_only, &anonymous).0, ImplicitlyDenied);
        let public = PolicySet::new().scp_level(OrgLevel::new("Root")).resource_policy(
            "public",
            resource(r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}"#),
        );
        assert_eq!(outcome(&public, &anonymous).0, Allowed);
        assert_eq!(
            evaluate(&public, &anonymous).values_for_test(),
            vec![(Layer::Resource, "public", 0)]
        );
    }

    // Rule fixes of issue 13, each with the page it follows (cited in the code).

    #[test]
    fn a_resource_pattern_cut_short_after_a_wildcard_matches_the_rest() {
        let set = |pattern: &str| {
            PolicySet::new().identity(
                "p",
                identity(&format!(
                    r#"{{"Effect":"Allow","Action":"*","Resource":"{pattern}"}}"#
                )),
            )
        };
        let queue = request(
            ALICE,
            "sqs:SendMessage",
            "arn:aws:sqs:us-east-1:111122223333:jobs",
        );
        assert_eq!(outcome(&set("arn:aws:sqs:us-east-1:*"), &queue).0, Allowed);
        assert_eq!(outcome(&set("arn:aws:*"), &queue).0, Allowed);
        assert_eq!(
            outcome(&set("arn:aws:sqs:eu-west-1:*"), &queue).0,
            ImplicitlyDenied
        );
        assert_eq!(
            outcome(
                &set("arn:aws:s3:::*"),
                &request(ALICE, "s3:GetObject", BUCKET)
            )
            .0,
            Allowed
        );
    }

    const GITHUB: &str =
        "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
    const DEPLOY: &str = "arn:aws:iam::111122223333:role/deploy";

    fn github_trust() -> PolicySet {
        PolicySet::new().resource_policy(
            "trust",
            trust(&format!(
                r#"{{"Effect":"Allow","Principal":{{"Federated":"{GITHUB}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:example/app:environment:production"}}}}}}"#
            )),
        )
    }

    fn web_identity(provider: &str, sub: &str) -> Request {
        Request::new(
            RequestPrincipal::federated(provider).unwrap(),
            "sts:AssumeRoleWithWebIdentity",
            DEPLOY,
        )
        .resource_account(AccountIdConst::ID)
        .context(
            "token.actions.githubusercontent.com:aud",
            ["sts.amazonaws.com"],
        )
        .context("token.actions.githubusercontent.com:sub", [sub])
    }

    #[test]
    fn web_identity_callers_are_allowed_by_a_federated_trust_policy_only() {
        let set = github_trust();
        let e = evaluate(
            &set,
            &web_identity(GITHUB, "repo:example/app:environment:production"),
        );
        assert_eq!(
            (e.decision(), e.reason()),
            (Allowed, Reason::AllowedByResource)
        );
        assert_eq!(
            outcome(
                &set,
                &web_identity(GITHUB, "repo:example/app:ref:refs/heads/feature")
            ),
            (ImplicitlyDenied, Some(Layer::Resource), None)
        );
        let other = "arn:aws:iam::111122223333:oidc-provider/gitlab.example.com";
        assert_eq!(
            outcome(
                &set,
                &web_identity(other, "repo:example/app:environment:production")
            )
            .0,
            ImplicitlyDenied
        );
        // Identity policies and SCPs are not the caller's: an admin policy adds nothing,
        // an empty SCP level takes nothing away.
        let no_trust = PolicySet::new()
            .identity("admin", identity(ALLOW_ALL))
            .scp_level(OrgLevel::new("Root"));
        assert_eq!(
            outcome(
                &no_trust,
                &web_identity(GITHUB, "repo:example/app:environment:production")
            ),
            (ImplicitlyDenied, Some(Layer::Resource), None)
        );
    }

    #[test]
    fn saml_callers_match_their_provider() {
        let saml = "arn:aws:iam::111122223333:saml-provider/Okta";
        let set = PolicySet::new().resource_policy(
            "trust",
            trust(&format!(
                r#"{{"Effect":"Allow","Principal":{{"Federated":"{saml}"}},"Action":"sts:AssumeRoleWithSAML","Condition":{{"StringEquals":{{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}}}}"#
            )),
        );
        let r = |aud: &str| {
            Request::new(saml.parse().unwrap(), "sts:AssumeRoleWithSAML", DEPLOY)
                .context("SAML:aud", [aud])
        };
        assert_eq!(
            outcome(&set, &r("https://signin.aws.amazon.com/saml")).0,
            Allowed
        );
        assert_eq!(outcome(&set, &r("https://example.com")).0, ImplicitlyDenied);
    }

    #[test]
    fn kms_aliases_need_no_key_policy() {
        let set = PolicySet::new().identity(
            "aliases",
            identity(
                r#"{"Effect":"Allow","Action":["kms:CreateAlias","kms:Decrypt"],"Resource":"*"}"#,
            ),
        );
        let alias = "arn:aws:kms:eu-west-1:111122223333:alias/app";
        let key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let r = |action, resource| {
            request(ALICE, action, resource).resource_account(AccountIdConst::ID)
        };
        assert_eq!(outcome(&set, &r("kms:CreateAlias", alias)).0, Allowed);
        assert_eq!(
            outcome(&set, &r("kms:Decrypt", key)),
            (ImplicitlyDenied, Some(Layer::Resource), None)
        );
    }

    #[test]
    fn get_caller_identity_needs_no_permission_and_cannot_be_denied() {
        let set = PolicySet::new()
            .identity(
                "deny",
                identity(r#"{"Effect":"Deny","Action":"sts:GetCallerIdentity","Resource":"*"}"#),
            )
            .scp_level(OrgLevel::new("Root"));
        let e = evaluate(&set, &request(ALICE, "sts:GetCallerIdentity", "*"));
        assert_eq!(
            (e.decision(), e.reason(), e.blocked_by()),
            (Allowed, Reason::NoPermissionRequired, None)
        );
        // The deny still shows in the explanation.
        assert_eq!(e.denied_by().count(), 1);
        let anonymous = Request::new(RequestPrincipal::Anonymous, "sts:GetCallerIdentity", "*");
        assert_eq!(evaluate(&set, &anonymous).decision(), ImplicitlyDenied);
    }

    #[test]
    fn variables_are_substituted_only_in_the_resource_part() {
        let set = |resource: &str| {
            PolicySet::new().identity(
                "p",
                identity(&format!(
                    r#"{{"Effect":"Allow","Action":"sqs:*","Resource":"{resource}"}}"#
                )),
            )
        };
        let r = request(
            ALICE,
            "sqs:SendMessage",
            "arn:aws:sqs:eu-west-1:111122223333:alice",
        )
        .context("aws:PrincipalAccount", ["111122223333"]);
        assert_eq!(
            outcome(
                &set("arn:aws:sqs:eu-west-1:111122223333:${aws:username}"),
                &r
            )
            .0,
            Allowed
        );
        assert_eq!(
            outcome(
                &set("arn:aws:sqs:eu-west-1:${aws:PrincipalAccount}:alice"),
                &r
            )
            .0,
            ImplicitlyDenied
        );
        assert_eq!(
            outcome(
                &set("arn:aws:sqs:${aws:RequestedRegion}:111122223333:alice"),
                &r.context("aws:RequestedRegion", ["eu-west-1"])
            )
            .0,
            ImplicitlyDenied
        );
    }

    #[test]
    fn not_principal_deny_always_denies_a_principal_with_a_boundary() {
        let bucket = |boundary: bool| {
            let set = PolicySet::new()
                .identity("s3", identity(ALLOW_S3))
                .resource_policy(
                    "bucket",
                    resource(&format!(
                        r#"{{"Effect":"Deny","NotPrincipal":{{"AWS":"{ALICE}"}},"Action":"s3:*","Resource":"*"}}"#
                    )),
                );
            if boundary {
                set.boundary("s3-only", identity(ALLOW_S3))
            } else {
                set
            }
        };
        let r = request(ALICE, "s3:GetObject", BUCKET).resource_account(AccountIdConst::ID);
        assert_eq!(outcome(&bucket(false), &r).0, Allowed);
        assert_eq!(
            outcome(&bucket(true), &r),
            (ExplicitlyDenied, Some(Layer::Resource), None)
        );
    }

    #[test]
    fn a_boundary_limits_a_wildcard_grant_but_not_one_naming_the_user() {
        // "Permissions boundaries for IAM entities", Resource-based policies: within an
        // account, a grant to the IAM user's ARN is not limited by an implicit deny in its
        // boundary; `"Principal": "*"` does not name the user's ARN, so the boundary limits it.
        let set = |principal: &str| {
            PolicySet::new()
                .boundary("ec2-only", identity(r#"{"Effect":"Allow","Action":"ec2:*","Resource":"*"}"#))
                .resource_policy(
                    "bucket",
                    resource(&format!(
                        r#"{{"Effect":"Allow","Principal":{principal},"Action":"s3:GetObject","Resource":"*"}}"#
                    )),
                )
        };
        let r = request(ALICE, "s3:GetObject", BUCKET).resource_account(AccountIdConst::ID);
        assert_eq!(
            outcome(&set(r#""*""#), &r),
            (ImplicitlyDenied, Some(Layer::Boundary), None)
        );
        assert_eq!(
            outcome(&set(&format!(r#"{{"AWS":"{ALICE}"}}"#)), &r),
            (Allowed, None, None)
        );
    }

    impl Evaluation<'_> {
        fn values_for_test(&self) -> Vec<(Layer, &str, usize)> {
            self.matches
                .iter()
                .map(|m| (m.layer, m.policy, m.statement))
                .collect()
        }
    }

    // Property tests: small pools of actions, resources and conditions, so that statements
    // often apply.
    const ACTIONS: [&str; 6] = [
        "s3:GetObject",
        "s3:*",
        "s3:Get*",
        "ec2:*",
        "*",
        "iam:CreateUser",
    ];
    const RESOURCES: [&str; 4] = [
        "*",
        "arn:aws:s3:::reports/*",
        "arn:aws:s3:::other/*",
        "arn:aws:ec2:*:*:instance/*",
    ];
    const CONDITIONS: [&str; 4] = [
        "",
        r#","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}"#,
        r#","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"team"}}"#,
        r#","Condition":{"BoolIfExists":{"aws:SecureTransport":"true"}}"#,
    ];

    #[derive(Debug, Clone)]
    struct Stmt {
        allow: bool,
        not_action: bool,
        action: usize,
        resource: usize,
        condition: usize,
    }

    impl Stmt {
        fn json(&self, principal: bool) -> String {
            format!(
                r#"{{"Effect":"{}"{},"{}":"{}","Resource":"{}"{}}}"#,
                if self.allow { "Allow" } else { "Deny" },
                if principal { r#","Principal":"*""# } else { "" },
                if self.not_action {
                    "NotAction"
                } else {
                    "Action"
                },
                ACTIONS[self.action],
                RESOURCES[self.resource],
                CONDITIONS[self.condition],
            )
        }
    }

    fn arb_stmt() -> impl Strategy<Value = Stmt> {
        (
            any::<bool>(),
            prop::bool::weighted(0.15),
            0..ACTIONS.len(),
            0..RESOURCES.len(),
            0..CONDITIONS.len(),
        )
            .prop_map(|(allow, not_action, action, resource, condition)| Stmt {
                allow,
                not_action,
                action,
                resource,
                condition,
            })
    }

    fn arb_policy() -> impl Strategy<Value = Vec<Stmt>> {
        prop::collection::vec(arb_stmt(), 1..5)
    }

    #[derive(Debug, Clone)]
    struct Spec {
        identity: Vec<Vec<Stmt>>,
        scps: Vec<Vec<Vec<Stmt>>>,
        boundary: Option<Vec<Stmt>>,
        resource: Option<Vec<Stmt>>,
        session: Option<Vec<Stmt>>,
    }

    fn arb_spec() -> impl Strategy<Value = Spec> {
        (
            prop::collection::vec(arb_policy(), 0..4),
            prop::collection::vec(prop::collection::vec(arb_policy(), 0..3), 0..3),
            prop::option::weighted(0.3, arb_policy()),
            prop::option::weighted(0.3, arb_policy()),
            prop::option::weighted(0.2, arb_policy()),
        )
            .prop_map(|(identity, scps, boundary, resource, session)| Spec {
                identity,
                scps,
                boundary,
                resource,
                session,
            })
    }

    fn doc(stmts: &[Stmt], principal: bool) -> PolicyDocument {
        let list: Vec<String> = stmts.iter().map(|s| s.json(principal)).collect();
        if principal {
            resource(&list.join(","))
        } else {
            // SCPs accept everything identity policies do in this pool.
            scp(&list.join(","))
        }
    }

    impl Spec {
        fn set(&self) -> PolicySet {
            let mut set = PolicySet::new();
            for (i, p) in self.identity.iter().enumerate() {
                set = set.identity(&format!("id{i}"), doc(p, false));
            }
            for (l, level) in self.scps.iter().enumerate() {
                let mut org = OrgLevel::new(format!("L{l}"));
                for (i, p) in level.iter().enumerate() {
                    org = org.policy(&format!("scp{i}"), doc(p, false));
                }
                set = set.scp_level(org);
            }
            if let Some(p) = &self.boundary {
                set = set.boundary("boundary", doc(p, false));
            }
            if let Some(p) = &self.resource {
                set = set.resource_policy("resource", doc(p, true));
            }
            if let Some(p) = &self.session {
                set = set.session_policy("session", doc(p, false));
            }
            set
        }

        // The same policies with statements, policies and levels in another order.
        fn permuted(&self, k: usize) -> Spec {
            fn turn<T: Clone>(v: &[T], k: usize) -> Vec<T> {
                let mut out: Vec<T> = v.iter().rev().cloned().collect();
                if !out.is_empty() {
                    let n = k % out.len();
                    out.rotate_left(n);
                }
                out
            }
            let p = |s: &Vec<Stmt>| turn(s, k);
            Spec {
                identity: turn(&self.identity.iter().map(p).collect::<Vec<_>>(), k + 1),
                scps: turn(
                    &self
                        .scps
                        .iter()
                        .map(|l| turn(&l.iter().map(p).collect::<Vec<_>>(), k))
                        .collect::<Vec<_>>(),
                    k,
                ),
                boundary: self.boundary.as_ref().map(p),
                resource: self.resource.as_ref().map(p),
                session: self.session.as_ref().map(p),
            }
        }
    }

    fn arb_request() -> impl Strategy<Value = Request> {
        (
            prop::sample::select(vec![ALICE, "arn:aws:sts::111122223333:assumed-role/App/s"]),
            prop::sample::select(vec![
                "s3:GetObject",
                "s3:PutObject",
                "ec2:RunInstances",
                "iam:CreateUser",
            ]),
            prop::sample::select(vec![
                BUCKET,
                "arn:aws:s3:::other/x",
                "*",
                "arn:aws:ec2:eu-west-1:111122223333:instance/i-1",
            ]),
            prop::option::of(prop::sample::select(vec!["eu-west-1", "us-east-1"])),
            prop::option::of(prop::collection::vec(
                prop::sample::select(vec!["team", "env"]),
                0..3,
            )),
            prop::option::of(any::<bool>()),
        )
            .prop_map(|(principal, action, resource, region, tags, tls)| {
                let mut r = request(principal, action, resource);
                if let Some(region) = region {
                    r = r.context("aws:RequestedRegion", [region]);
                }
                if let Some(tags) = tags {
                    r = r.context("aws:TagKeys", tags);
                }
                if let Some(tls) = tls {
                    r = r.context("aws:SecureTransport", [tls.to_string()]);
                }
                r
            })
    }

    const DENY_ALL: Stmt = Stmt {
        allow: false,
        not_action: false,
        action: 4,
        resource: 0,
        condition: 0,
    };

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn explicit_deny_anywhere_wins(spec in arb_spec(), req in arb_request(), layer in 0usize..5) {
            let mut spec = spec;
            match layer {
                0 => spec.identity.push(vec![DENY_ALL]),
                1 => match spec.scps.first_mut() {
                    Some(level) => level.push(vec![DENY_ALL]),
                    None => spec.scps.push(vec![vec![DENY_ALL]]),
                },
                2 => spec.boundary.get_or_insert_with(Vec::new).push(DENY_ALL),
                3 => spec.resource.get_or_insert_with(Vec::new).push(DENY_ALL),
                _ => spec.session.get_or_insert_with(Vec::new).push(DENY_ALL),
            }
            let set = spec.set();
            prop_assert_eq!(evaluate(&set, &req).decision(), ExplicitlyDenied);
        }

        #[test]
        fn order_never_changes_a_decision(spec in arb_spec(), req in arb_request(), k in 0usize..7) {
            let a = spec.set();
            let b = spec.permuted(k).set();
            prop_assert_eq!(evaluate(&a, &req).decision(), evaluate(&b, &req).decision());
        }

        #[test]
        fn decide_is_the_decision_of_evaluate(spec in arb_spec(), req in arb_request()) {
            let set = spec.set();
            prop_assert_eq!(decide(&set, &req), evaluate(&set, &req).decision());
        }

        #[test]
        fn no_policies_deny_implicitly_for_any_request(req in arb_request()) {
            prop_assert_eq!(evaluate(&PolicySet::new(), &req).decision(), ImplicitlyDenied);
        }

        #[test]
        fn adding_an_allow_never_denies_what_was_allowed(
            spec in arb_spec(), req in arb_request(), extra in arb_stmt(), target in 0usize..4
        ) {
            let before = evaluate(&spec.set(), &req).decision();
            let extra = Stmt { allow: true, ..extra };
            let mut more = spec.clone();
            match more.identity.get_mut(target) {
                Some(p) => p.push(extra),
                None => more.identity.push(vec![extra]),
            }
            let after = evaluate(&more.set(), &req).decision();
            if before == Allowed {
                prop_assert_eq!(after, Allowed);
            }
        }
    }
}
