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
use crate::eval::CompiledLevel;
use crate::eval::PolicySet;
use crate::eval::matching::{CompiledPolicy, Grant, Scratch};
use crate::eval::request::{IamPrincipalKind, Request, RequestPrincipal};
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
    service: &'r str,
    scratch: Scratch,
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
        for s in policy.candidates(self.service) {
            let Some(grant) = s.applies(self.request, &mut self.scratch) else {
                continue;
            };
            self.matches.push(StatementMatch {
                layer,
                level,
                policy: &policy.name,
                statement: s.index,
                sid: s.sid.as_deref(),
                effect: s.effect,
            });
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
    action.starts_with("kms:") && request.resource_segment(2) == Some("kms")
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
    let service = match request.service_end {
        Some(end) => request.action_lower.get(..end).unwrap_or_default(),
        None => request.action_lower.as_str(),
    };
    let mut scan = Scan {
        request,
        service,
        scratch: Scratch::default(),
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

    let scp_gap = if scps_apply {
        scan.levels(&set.scps, Layer::Scp)
    } else {
        None
    };
    let rcp_gap = if rcps_apply {
        scan.levels(&set.rcps, Layer::Rcp)
    } else {
        None
    };
    let grant = set
        .resource_policy
        .as_ref()
        .and_then(|p| scan.policy(p, Layer::Resource, None));
    let mut identity_allows = false;
    let mut boundary_ok = true;
    let mut session_ok = true;
    if principal_policies_apply {
        for p in &set.identity {
            identity_allows |= scan.policy(p, Layer::Identity, None).is_some();
        }
        for p in &set.boundaries {
            boundary_ok &= scan.policy(p, Layer::Boundary, None).is_some();
        }
        if let Some(p) = &set.session_policy {
            session_ok = scan.policy(p, Layer::Session, None).is_some();
        }
    }

    let deny =
        |reason, layer: Option<Layer>, level| (Decision::ImplicitlyDenied, reason, layer, level);
    let (decision, reason, blocked_by, blocked_level) = if scan.denied {
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
