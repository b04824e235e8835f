//! Model principals: who the principals of an access model are, which policies apply to
//! them in an account, and what they may do there.
//!
//! A [`ModelEvaluator`] compiles every policy of a [`Model`] once (AWS managed policies from
//! the catalogue, customer managed and inline policies, trust policies, the SCPs and RCPs of
//! each account's OU path) and resolves a [`ModelPrincipal`] in an account into its
//! [`AccessPath`]s: the IAM user or role itself, or the role that IAM Identity Center
//! creates in the account for each permission set a user or group is assigned there. A
//! [`Query`] (action, resource, context) is then evaluated on every path with
//! [`crate::eval::evaluate`]'s rules; a principal with several paths may do what any one of
//! them allows ([`Outcome`]).
//!
//! # Principal names
//!
//! | Name | Principal | Paths in account `A` |
//! |------|-----------|----------------------|
//! | `user:NAME` | an Identity Center user (by user name) | every permission set assigned in `A` to the user or to one of the user's groups |
//! | `group:NAME` | an Identity Center group (any member) | every permission set assigned in `A` to the group |
//! | `permission-set:NAME` | a permission set | its role in `A`, when an assignment provisions it there |
//! | `iam-user:[ACCOUNT/]NAME` | an IAM user | the user, acting on resources of `A` |
//! | `iam-role:[ACCOUNT/]NAME`, `role:[ACCOUNT/]NAME` | an IAM role (a session of it) | the role session, acting on resources of `A` |
//! | `external-account:ID` | a principal of another AWS account that its own policies allow everything | that principal, acting on resources of `A` |
//! | `oidc:[ACCOUNT/]NAME`, `saml:[ACCOUNT/]NAME` | a web identity (OIDC) or SAML caller of a provider of the model | the caller, asking to assume roles of `A` (see [`federated`](FederatedCaller)) |
//! | `federated:PROVIDER` | a federated caller of a provider ARN or well-known provider name | the same |
//!
//! `ACCOUNT` is an account name or id of the model; without it an IAM user or role is looked
//! up in `A` first, then in every account (an error when several have one). Unknown names
//! are [`ResolveError`]s with a "did you mean".
//!
//! # What the model stands for
//!
//! - Assignments to an OU reach every account in it or below it.
//! - The role of permission set `P` in an account is `AWSReservedSSO_<P>_<hash>` under path
//!   `/aws-reserved/sso.amazonaws.com/` (IAM Identity Center User Guide, "Referencing
//!   permission sets in resource policies, Amazon EKS, and AWS KMS"). AWS picks the 16 hex
//!   digit suffix when it provisions the permission set; we use the FNV-1a 64-bit hash of
//!   `<instance account id>/<P>` ([`sso_role_name`]), so names are stable but not AWS's. Its
//!   policies: the AWS managed policies, the customer managed policies of the account with
//!   the name and path the permission set gives (a missing one is left out, as validation
//!   reports it), the inline policy (named `AwsSSOInlinePolicy`, as AWS names it in the role)
//!   and the permissions boundary. Sessions are named after the user (`user:`), otherwise
//!   `iam-codegen`.
//! - An IAM user has its inline and attached policies and those of its groups, and its
//!   boundary. An IAM role acts as a session `assumed-role/<role>/iam-codegen`, with
//!   `aws:PrincipalArn` set to the role ARN with its path.
//! - SCPs: the levels are the root, each OU on the account's path and the account; AWS
//!   attaches `FullAWSAccess` to every level when SCPs are enabled, and the model cannot
//!   detach it, so every level has it (AWS Organizations API Reference, `DetachPolicy`:
//!   "Every root, OU, and account must have at least one SCP attached"). A model SCP named
//!   `FullAWSAccess` replaces it: then it is attached only where its targets say. The
//!   management account is not governed by SCPs ("SCPs don't affect users or roles in the
//!   management account").
//! - RCPs: the same levels for the resource's account, with `RCPFullAWSAccess` at every
//!   level; RCPs do not apply to resources of the management account.
//! - The resource belongs to the query's account (`A`). The only resource-based policies a
//!   model holds are role trust policies: for `sts:AssumeRole*` on the ARN of a model role,
//!   its trust policy is the resource-based policy.
//!
//! ```
//! use iam_model::eval::Decision;
//! use iam_model::eval::model::{ModelEvaluator, Query};
//! use iam_model::model::Model;
//! let model = Model::from_json(include_str!("../../../tests/models/valid/organization.json"))?;
//! let evaluator = ModelEvaluator::new(&model);
//! let principal = "group:AWS-Developers".parse()?;
//! let paths = evaluator.paths(&principal, "development")?;
//! let query = Query::new("development", "ec2:RunInstances", "*");
//! let outcome = evaluator.evaluate(&paths, &query)?;
//! assert_eq!(outcome.decision(), Decision::Allowed);
//! assert_eq!(outcome.allowed_path().map(|p| p.label()),
//!     Some("permission set `DeveloperAccess`".to_string()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use crate::eval::decision::{decide_layers, evaluate_layers};
use crate::eval::matching::CompiledPolicy;
use crate::eval::{
    Decision, Evaluation, IamPrincipal, Layers, OrgLevel, PolicyList, Request, RequestPrincipal,
};
use crate::model::iam::{ManagedPolicyRef, Permissions};
use crate::model::names::{AccountName, UnitPath};
use crate::model::sso::{AssignmentPrincipal, PermissionSet, PermissionSetBoundary};
use crate::model::{Account, AssertionPrincipal, Environment, Model, Target};
use crate::policy::kind::{AwsManaged, ResourceBased, Scp};
use crate::policy::{AccountId, Action, Policy, PolicyDocument, Principal, Resource, Statement};

mod conditional;
mod federated;
pub use conditional::{FederatedGrantee, RequiredCondition};
pub use federated::{CallerCondition, FederatedCaller, FederationKind};

const FULL_AWS_ACCESS: &str = "FullAWSAccess";
const RCP_FULL_AWS_ACCESS: &str = "RCPFullAWSAccess";
/// The name AWS gives a permission set's inline policy in the role it provisions.
pub const SSO_INLINE_POLICY: &str = "AwsSSOInlinePolicy";
/// The session name of simulated role sessions (other than Identity Center users').
pub const SESSION_NAME: &str = "iam-codegen";
/// The role name that stands for a principal of an external account.
pub const EXTERNAL_ROLE: &str = "ExternalPrincipal";

/// A principal of the model, by name (see the module docs for the forms).
///
/// ```
/// use iam_model::eval::model::ModelPrincipal;
/// let p: ModelPrincipal = "iam-role:production/ci-deploy".parse()?;
/// assert_eq!(p.to_string(), "iam-role:production/ci-deploy");
/// assert_eq!("role:ci-deploy".parse::<ModelPrincipal>()?.to_string(), "iam-role:ci-deploy");
/// assert_eq!("admin".parse::<ModelPrincipal>().unwrap_err().to_string(),
///     "invalid principal `admin`: expected `user:`, `group:`, `permission-set:`, `iam-user:`, `iam-role:`, `role:`, `external-account:`, `oidc:`, `saml:` or `federated:` and a name");
/// assert_eq!("oidc:production/github".parse::<ModelPrincipal>()?.to_string(), "oidc:production/github");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ModelPrincipal {
    /// An Identity Center user, by user name.
    User(String),
    /// An Identity Center group, by display name.
    Group(String),
    /// A permission set, by name.
    PermissionSet(String),
    /// An IAM user, in an account (name or id) or looked up.
    IamUser {
        /// The account, if named.
        account: Option<String>,
        /// The user name.
        name: String,
    },
    /// An IAM role, in an account (name or id) or looked up.
    IamRole {
        /// The account, if named.
        account: Option<String>,
        /// The role name.
        name: String,
    },
    /// A principal of another AWS account, allowed everything by its own account.
    ExternalAccount(AccountId),
    /// A web identity caller of an OIDC provider of the model, in an account (name or id)
    /// or looked up.
    Oidc {
        /// The provider's account, if named.
        account: Option<String>,
        /// The provider's name in the model.
        name: String,
    },
    /// A SAML caller of a SAML provider of the model, in an account or looked up.
    Saml {
        /// The provider's account, if named.
        account: Option<String>,
        /// The provider's name in the model.
        name: String,
    },
    /// A federated caller of a provider ARN or well-known provider name.
    Federated(String),
}

impl FromStr for ModelPrincipal {
    type Err = ResolveError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let syntax = || ResolveError::Syntax {
            input: input.to_string(),
        };
        let (kind, rest) = input.split_once(':').ok_or_else(syntax)?;
        if rest.is_empty() {
            return Err(syntax());
        }
        let scoped = |rest: &str| match rest.split_once('/') {
            Some((account, name)) if !account.is_empty() && !name.is_empty() => {
                Ok((Some(account.to_string()), name.to_string()))
            }
            Some(_) => Err(syntax()),
            None => Ok((None, rest.to_string())),
        };
        match kind {
            "user" => Ok(Self::User(rest.to_string())),
            "group" => Ok(Self::Group(rest.to_string())),
            "permission-set" => Ok(Self::PermissionSet(rest.to_string())),
            "iam-user" => scoped(rest).map(|(account, name)| Self::IamUser { account, name }),
            "iam-role" | "role" => {
                scoped(rest).map(|(account, name)| Self::IamRole { account, name })
            }
            "external-account" => {
                rest.parse()
                    .map(Self::ExternalAccount)
                    .map_err(|_| ResolveError::Syntax {
                        input: input.to_string(),
                    })
            }
            "oidc" => scoped(rest).map(|(account, name)| Self::Oidc { account, name }),
            "saml" => scoped(rest).map(|(account, name)| Self::Saml { account, name }),
            "federated" => RequestPrincipal::federated(rest)
                .map(|_| Self::Federated(rest.to_string()))
                .map_err(|_| syntax()),
            _ => Err(syntax()),
        }
    }
}

impl fmt::Display for ModelPrincipal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scoped = |f: &mut fmt::Formatter<'_>, kind: &str, account: &Option<String>, name| {
            match account {
                Some(a) => write!(f, "{kind}:{a}/{name}"),
                None => write!(f, "{kind}:{name}"),
            }
        };
        match self {
            Self::User(n) => write!(f, "user:{n}"),
            Self::Group(n) => write!(f, "group:{n}"),
            Self::PermissionSet(n) => write!(f, "permission-set:{n}"),
            Self::IamUser { account, name } => scoped(f, "iam-user", account, name),
            Self::IamRole { account, name } => scoped(f, "iam-role", account, name),
            Self::ExternalAccount(id) => write!(f, "external-account:{id}"),
            Self::Oidc { account, name } => scoped(f, "oidc", account, name),
            Self::Saml { account, name } => scoped(f, "saml", account, name),
            Self::Federated(provider) => write!(f, "federated:{provider}"),
        }
    }
}

impl From<&AssertionPrincipal> for ModelPrincipal {
    /// An assertion names IAM users and roles in the assertion's account, so they are looked
    /// up there first.
    fn from(p: &AssertionPrincipal) -> Self {
        match p {
            AssertionPrincipal::Group(n) => Self::Group(n.clone()),
            AssertionPrincipal::User(n) => Self::User(n.clone()),
            AssertionPrincipal::PermissionSet(n) => Self::PermissionSet(n.as_str().to_string()),
            AssertionPrincipal::Role(n) => Self::IamRole {
                account: None,
                name: n.as_str().to_string(),
            },
            AssertionPrincipal::IamUser(n) => Self::IamUser {
                account: None,
                name: n.as_str().to_string(),
            },
            AssertionPrincipal::ExternalAccount(id) => Self::ExternalAccount(*id),
            AssertionPrincipal::Oidc(n) => Self::Oidc {
                account: None,
                name: n.as_str().to_string(),
            },
            AssertionPrincipal::Saml(n) => Self::Saml {
                account: None,
                name: n.as_str().to_string(),
            },
        }
    }
}

/// Errors from resolving principals and accounts of a model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// The principal is not written in one of the known forms.
    #[error(
        "invalid principal `{input}`: expected `user:`, `group:`, `permission-set:`, `iam-user:`, `iam-role:`, `role:`, `external-account:`, `oidc:`, `saml:` or `federated:` and a name"
    )]
    Syntax {
        /// The text.
        input: String,
    },
    /// No account of the model has this name or id.
    #[error(
        "there is no account `{name}` in the model{}",
        did_you_mean(suggestion)
    )]
    UnknownAccount {
        /// The name.
        name: String,
        /// The closest account name.
        suggestion: Option<String>,
    },
    /// No principal of this kind has this name.
    #[error("there is no {what} `{name}` in the model{}", did_you_mean(suggestion))]
    UnknownPrincipal {
        /// What was looked for (`Identity Center group`, `IAM role`, …).
        what: &'static str,
        /// The name.
        name: String,
        /// The closest name of that kind.
        suggestion: Option<String>,
    },
    /// Several accounts have an IAM user or role of this name.
    #[error("{what} `{name}` is in several accounts ({}); name one: `{kind}:ACCOUNT/{name}`", accounts.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", "))]
    Ambiguous {
        /// `IAM user` or `IAM role`.
        what: &'static str,
        /// `iam-user` or `iam-role`.
        kind: &'static str,
        /// The name.
        name: String,
        /// The accounts that have one.
        accounts: Vec<String>,
    },
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    }
}

/// The closest candidate to `name`: within a small edit distance (case-insensitively), or
/// else the shortest one that starts with it.
fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let lower = name.to_lowercase();
    let limit = (name.chars().count() / 3).clamp(1, 4);
    let mut close = None;
    let mut prefixed: Option<(usize, &str)> = None;
    for c in candidates {
        let c_lower = c.to_lowercase();
        let d = strsim::damerau_levenshtein(&lower, &c_lower);
        if d <= limit && close.is_none_or(|best| (d, c) < best) {
            close = Some((d, c));
        }
        if lower.len() >= 2
            && c_lower.starts_with(&lower)
            && prefixed.is_none_or(|p| (c.len(), c) < p)
        {
            prefixed = Some((c.len(), c));
        }
    }
    close.or(prefixed).map(|(_, c)| c.to_string())
}

/// The role name IAM Identity Center gives permission set `permission_set` in every account:
/// `AWSReservedSSO_<name>_<16 hex digits>`. AWS's suffix is known only after provisioning;
/// this one is the FNV-1a 64-bit hash of `<instance account id>/<name>`, stable across runs.
///
/// ```
/// use iam_model::eval::model::sso_role_name;
/// use iam_model::policy::AccountId;
/// let name = sso_role_name(AccountId::from_static("111111111111"), "AdminAccess");
/// assert!(name.starts_with("AWSReservedSSO_AdminAccess_"));
/// assert_eq!(name.len(), "AWSReservedSSO_AdminAccess_".len() + 16);
/// ```
pub fn sso_role_name(instance_account: AccountId, permission_set: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in format!("{instance_account}/{permission_set}").bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("AWSReservedSSO_{permission_set}_{hash:016x}")
}

/// The path of the roles IAM Identity Center provisions.
pub const SSO_ROLE_PATH: &str = "/aws-reserved/sso.amazonaws.com/";

/// How a principal reaches an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathKind {
    /// The IAM user itself.
    IamUser {
        /// The user's account.
        account: AccountName,
        /// The user name.
        name: String,
    },
    /// A session of the IAM role.
    IamRole {
        /// The role's account.
        account: AccountName,
        /// The role name.
        name: String,
    },
    /// The role of a permission set in the account.
    PermissionSet {
        /// The permission set.
        name: String,
        /// The assignments that give it: `group NAME` or `user NAME`, sorted.
        via: Vec<String>,
    },
    /// A principal of another account.
    ExternalAccount(AccountId),
    /// A web identity or SAML caller of an identity provider.
    Federated {
        /// The provider ARN (or well-known provider name).
        provider: String,
    },
}

/// One way a principal acts: the request principal and the policies that apply to it.
#[derive(Debug, Clone)]
pub struct AccessPath<'e> {
    kind: PathKind,
    principal: RequestPrincipal,
    principal_arn: String,
    identity: Vec<&'e CompiledPolicy>,
    boundaries: Vec<&'e CompiledPolicy>,
    scps: &'e [OrgLevel],
    // What every request on the path starts from (see `AccessPath::base`), made on first use.
    base: OnceLock<Request>,
}

impl AccessPath<'_> {
    // The request of the path without an action, resource, resource account or query
    // context: the principal's keys and, for a role session, `aws:PrincipalArn` with the
    // role's path (a query that sets the key replaces it).
    fn base(&self) -> &Request {
        self.base.get_or_init(|| {
            let request = Request::new(self.principal.clone(), "", "");
            if self.sets_principal_arn() {
                request.context("aws:PrincipalArn", [self.principal_arn.as_str()])
            } else {
                request
            }
        })
    }

    // Whether requests on the path carry the role ARN with its path as `aws:PrincipalArn`
    // (the request principal of a role session is its STS ARN, which has no path).
    fn sets_principal_arn(&self) -> bool {
        matches!(
            self.kind,
            PathKind::IamRole { .. }
                | PathKind::PermissionSet { .. }
                | PathKind::ExternalAccount(_)
        )
    }

    /// How the principal reaches the account.
    pub fn kind(&self) -> &PathKind {
        &self.kind
    }

    /// A short description: ``permission set `DeveloperAccess` ``, ``IAM role `ci-deploy` in `production` ``.
    pub fn label(&self) -> String {
        match &self.kind {
            PathKind::IamUser { account, name } => format!("IAM user `{name}` in `{account}`"),
            PathKind::IamRole { account, name } => format!("IAM role `{name}` in `{account}`"),
            PathKind::PermissionSet { name, .. } => format!("permission set `{name}`"),
            PathKind::ExternalAccount(id) => format!("a principal of account `{id}`"),
            PathKind::Federated { provider } => format!("a federated caller of `{provider}`"),
        }
    }

    /// The principal that makes requests (a user, or a role session).
    pub fn principal(&self) -> &RequestPrincipal {
        &self.principal
    }

    /// The ARN of the IAM user or role (`aws:PrincipalArn`).
    pub fn principal_arn(&self) -> &str {
        &self.principal_arn
    }

    /// The identity-based policies, by name, in the order evaluated.
    pub fn identity_policies(&self) -> impl Iterator<Item = &str> {
        self.identity.iter().map(|p| p.name.as_str())
    }

    /// The permissions boundaries, by name.
    pub fn boundaries(&self) -> impl Iterator<Item = &str> {
        self.boundaries.iter().map(|p| p.name.as_str())
    }

    /// The SCP levels of the principal's account, root first (none: not governed by SCPs).
    pub fn scp_levels(&self) -> &[OrgLevel] {
        self.scps
    }
}

/// A request to evaluate for model principals: in which account, which action on which
/// resource, with which context values.
///
/// ```
/// use iam_model::eval::model::Query;
/// let q = Query::new("production", "s3:PutObject", "arn:aws:s3:::site/index.html")
///     .context("aws:SecureTransport", "true");
/// assert_eq!(q.account(), "production");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    account: String,
    action: String,
    resource: String,
    context: BTreeMap<String, Vec<String>>,
}

impl Query {
    /// A query in `account` (name or id) for `action` on `resource` (an ARN or `*`).
    pub fn new(
        account: impl Into<String>,
        action: impl Into<String>,
        resource: impl Into<String>,
    ) -> Self {
        Self {
            account: account.into(),
            action: action.into(),
            resource: resource.into(),
            context: BTreeMap::new(),
        }
    }

    /// Add a value to a context key (a key given twice has several values).
    pub fn context(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.context
            .entry(key.into())
            .or_default()
            .push(value.into());
        self
    }

    /// The account, as given.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The action.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The resource.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The context values, by key.
    pub fn context_values(&self) -> &BTreeMap<String, Vec<String>> {
        &self.context
    }
}

/// The decision on one path.
#[derive(Debug, Clone)]
pub struct PathOutcome<'p, 'e> {
    /// The path.
    pub path: &'p AccessPath<'e>,
    /// What the evaluator says.
    pub evaluation: Evaluation<'e>,
}

/// The decision for a principal: allowed when any of its paths allows.
#[derive(Debug, Clone)]
pub struct Outcome<'p, 'e> {
    decision: Decision,
    paths: Vec<PathOutcome<'p, 'e>>,
}

impl<'p, 'e> Outcome<'p, 'e> {
    /// `Allowed` when a path allows; otherwise `ExplicitlyDenied` when every path is
    /// explicitly denied, and `ImplicitlyDenied` when some is not (or there is no path).
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// Every path with its evaluation, in the order of [`ModelEvaluator::paths`].
    pub fn paths(&self) -> &[PathOutcome<'p, 'e>] {
        &self.paths
    }

    /// The first path that allows.
    pub fn allowed_path(&self) -> Option<&'p AccessPath<'e>> {
        self.paths
            .iter()
            .find(|p| p.evaluation.decision().is_allowed())
            .map(|p| p.path)
    }
}

fn combine(decisions: impl Iterator<Item = Decision>) -> Decision {
    let mut any = false;
    let mut all_explicit = true;
    for d in decisions {
        if d.is_allowed() {
            return Decision::Allowed;
        }
        any = true;
        all_explicit &= d == Decision::ExplicitlyDenied;
    }
    if any && all_explicit {
        Decision::ExplicitlyDenied
    } else {
        Decision::ImplicitlyDenied
    }
}

// The policies of one permission set that do not depend on the account.
struct SetPolicies {
    inline: Option<CompiledPolicy>,
}

// One account's resolved parts.
struct AccountParts<'m> {
    name: &'m AccountName,
    account: &'m Account,
    scps: Vec<OrgLevel>,
    rcps: Vec<OrgLevel>,
    // Permission sets provisioned in the account, with the assignments that give them.
    assigned: BTreeMap<&'m str, Vec<&'m AssignmentPrincipal>>,
}

/// A model with every policy compiled, ready to answer questions about its principals.
///
/// Building one compiles each policy once; paths and evaluations borrow from it.
pub struct ModelEvaluator<'m> {
    model: &'m Model,
    instance_id: Option<AccountId>,
    accounts: BTreeMap<&'m str, AccountParts<'m>>,
    by_id: BTreeMap<AccountId, &'m str>,
    aws: BTreeMap<&'m str, CompiledPolicy>,
    // Customer managed policies by (account, name).
    customer: BTreeMap<(&'m str, &'m str), CompiledPolicy>,
    // Inline policies of IAM entities by (account, `user`/`group`/`role`, entity, policy).
    inline: BTreeMap<(&'m str, &'static str, &'m str, &'m str), CompiledPolicy>,
    trust: BTreeMap<(&'m str, &'m str), CompiledPolicy>,
    sets: BTreeMap<&'m str, SetPolicies>,
    external: CompiledPolicy,
}

impl fmt::Debug for ModelEvaluator<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModelEvaluator")
            .field("accounts", &self.accounts.len())
            .field("aws_managed", &self.aws.len())
            .field("customer_managed", &self.customer.len())
            .finish_non_exhaustive()
    }
}

fn compile(name: &str, document: &PolicyDocument) -> CompiledPolicy {
    CompiledPolicy::new(name, document.clone())
}

// `{"Effect": "Allow", "Action": "*", "Resource": "*"}`, with `"Principal": "*"` for a
// resource-based policy.
fn allow_all(name: &str, principal: bool) -> CompiledPolicy {
    let document = if principal {
        Policy::<ResourceBased>::builder()
            .statement(
                Statement::with_principal()
                    .allow()
                    .principal(Principal::Any)
                    .action(Action::any())
                    .resource(Resource::Any)
                    .build(),
            )
            .build()
            .into_document()
    } else {
        Policy::<Scp>::builder()
            .statement(
                Statement::builder()
                    .allow()
                    .action(Action::any())
                    .resource(Resource::Any)
                    .build(),
            )
            .build()
            .into_document()
    };
    CompiledPolicy::new(name, document)
}

impl<'m> ModelEvaluator<'m> {
    /// Compile the model's policies. AWS managed policies the catalogue does not know are
    /// left out (validation reports them).
    pub fn new(model: &'m Model) -> Self {
        let org = model.organization();
        let management = org.management_account().as_str();
        let full = Arc::new(allow_all(FULL_AWS_ACCESS, false));
        let rcp_full = Arc::new(allow_all(RCP_FULL_AWS_ACCESS, true));
        let implicit_full = !org.scps().keys().any(|n| n.as_str() == FULL_AWS_ACCESS);
        let scps: Vec<(&Vec<Target>, Arc<CompiledPolicy>)> = org
            .scps()
            .iter()
            .map(|(n, p)| {
                (
                    &p.targets,
                    Arc::new(compile(n.as_str(), p.document().document())),
                )
            })
            .collect();
        let rcps: Vec<(&Vec<Target>, Arc<CompiledPolicy>)> = org
            .rcps()
            .iter()
            .map(|(n, p)| {
                (
                    &p.targets,
                    Arc::new(compile(n.as_str(), p.document().document())),
                )
            })
            .collect();
        let levels = |name: &AccountName,
                      account: &Account,
                      attached: &[(&Vec<Target>, Arc<CompiledPolicy>)],
                      base: Option<&Arc<CompiledPolicy>>| {
            let mut targets = vec![("Root".to_string(), Target::Root)];
            let mut path: Option<UnitPath> = None;
            for segment in account.unit().into_iter().flat_map(UnitPath::segments) {
                let next = match &path {
                    Some(p) => p.child(segment),
                    None => UnitPath::top(segment),
                };
                let Ok(next) = next else { break };
                targets.push((next.as_str().to_string(), Target::Unit(next.clone())));
                path = Some(next);
            }
            targets.push((name.as_str().to_string(), Target::Account(name.clone())));
            targets
                .into_iter()
                .map(|(level_name, target)| {
                    let mut level = OrgLevel::new(level_name);
                    if let Some(base) = base {
                        level = level.compiled(Arc::clone(base));
                    }
                    for (targets, policy) in attached {
                        if targets.contains(&target) {
                            level = level.compiled(Arc::clone(policy));
                        }
                    }
                    level
                })
                .collect::<Vec<_>>()
        };

        let mut accounts = BTreeMap::new();
        let mut by_id = BTreeMap::new();
        for (name, account) in model.accounts() {
            let governed = name.as_str() != management;
            let (scp_levels, rcp_levels) = if governed {
                (
                    levels(name, account, &scps, implicit_full.then_some(&full)),
                    levels(name, account, &rcps, Some(&rcp_full)),
                )
            } else {
                (Vec::new(), Vec::new())
            };
            by_id.insert(account.id(), name.as_str());
            accounts.insert(
                name.as_str(),
                AccountParts {
                    name,
                    account,
                    scps: scp_levels,
                    rcps: rcp_levels,
                    assigned: BTreeMap::new(),
                },
            );
        }

        let mut aws_names: BTreeSet<&'m str> = BTreeSet::new();
        let mut customer = BTreeMap::new();
        let mut inline = BTreeMap::new();
        let mut trust = BTreeMap::new();
        let mut add_permissions =
            |account: &'m str,
             kind: &'static str,
             entity: &'m str,
             permissions: &'m Permissions,
             aws_names: &mut BTreeSet<&'m str>| {
                aws_names.extend(
                    permissions
                        .aws_managed_policies()
                        .iter()
                        .map(String::as_str),
                );
                for (policy, document) in permissions.inline_policies() {
                    inline.insert(
                        (account, kind, entity, policy.as_str()),
                        compile(policy.as_str(), document.document()),
                    );
                }
            };
        for (name, account) in model.accounts() {
            let a = name.as_str();
            let iam = account.iam();
            for (policy, managed) in iam.policies() {
                customer.insert(
                    (a, policy.as_str()),
                    compile(policy.as_str(), managed.document().document()),
                );
            }
            for (user_name, user) in iam.users() {
                add_permissions(
                    a,
                    "user",
                    user_name.as_str(),
                    user.permissions(),
                    &mut aws_names,
                );
                if let Some(ManagedPolicyRef::Aws(n)) = user.permissions_boundary() {
                    aws_names.insert(n);
                }
            }
            for (group_name, group) in iam.groups() {
                add_permissions(
                    a,
                    "group",
                    group_name.as_str(),
                    group.permissions(),
                    &mut aws_names,
                );
            }
            for (role_name, role) in iam.roles() {
                add_permissions(
                    a,
                    "role",
                    role_name.as_str(),
                    role.permissions(),
                    &mut aws_names,
                );
                if let Some(ManagedPolicyRef::Aws(n)) = role.permissions_boundary() {
                    aws_names.insert(n);
                }
                trust.insert(
                    (a, role_name.as_str()),
                    compile(
                        &format!("{role_name} trust policy"),
                        role.trust_policy().document(),
                    ),
                );
            }
        }

        let mut sets = BTreeMap::new();
        let mut instance_id = None;
        if let Some(ic) = model.identity_center() {
            let unit_accounts = model.unit_accounts();
            instance_id = model
                .account(ic.instance_account().as_str())
                .map(Account::id);
            for (name, set) in ic.permission_sets() {
                aws_names.extend(set.aws_managed_policies().iter().map(String::as_str));
                if let Some(PermissionSetBoundary::Aws(n)) = set.permissions_boundary() {
                    aws_names.insert(n);
                }
                sets.insert(
                    name.as_str(),
                    SetPolicies {
                        inline: set
                            .inline_policy()
                            .map(|p| compile(SSO_INLINE_POLICY, p.document())),
                    },
                );
            }
            for assignment in ic.assignments() {
                let set = assignment.permission_set().as_str();
                let mut targets: BTreeSet<&'m str> = assignment
                    .accounts()
                    .iter()
                    .map(AccountName::as_str)
                    .collect();
                for unit in assignment.units() {
                    targets.extend(unit_accounts.under(unit).iter().map(|a| a.as_str()));
                }
                for target in targets {
                    if let Some(parts) = accounts.get_mut(target) {
                        parts
                            .assigned
                            .entry(set)
                            .or_insert_with(Vec::new)
                            .push(assignment.principal());
                    }
                }
            }
        }

        let aws = aws_names
            .into_iter()
            .filter_map(|name| {
                let policy = iam_catalog::AwsManagedPolicy::from_name(name)?;
                let document = Policy::<AwsManaged>::from_json(policy.document_json()).ok()?;
                Some((name, CompiledPolicy::new(name, document.into_document())))
            })
            .collect();

        Self {
            model,
            instance_id,
            accounts,
            by_id,
            aws,
            customer,
            inline,
            trust,
            sets,
            external: allow_all("external account's own policies", false),
        }
    }

    /// The model.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    fn account(&self, name: &str) -> Result<&AccountParts<'m>, ResolveError> {
        let key = match self.accounts.get_key_value(name) {
            Some((key, _)) => Some(*key),
            None => name
                .parse::<AccountId>()
                .ok()
                .and_then(|id| self.by_id.get(&id).copied()),
        };
        key.and_then(|k| self.accounts.get(k))
            .ok_or_else(|| ResolveError::UnknownAccount {
                name: name.to_string(),
                suggestion: suggest(name, self.accounts.keys().copied()),
            })
    }

    /// The name of an account given by name or id.
    pub fn account_name(&self, name_or_id: &str) -> Result<&'m AccountName, ResolveError> {
        self.account(name_or_id).map(|a| a.name)
    }

    fn aws_or_customer(
        &self,
        account: &'m str,
        reference: &'m ManagedPolicyRef,
    ) -> Option<&CompiledPolicy> {
        match reference {
            ManagedPolicyRef::Aws(n) => self.aws.get(n.as_str()),
            ManagedPolicyRef::Customer(n) => self.customer.get(&(account, n.as_str())),
        }
    }

    fn permissions<'e>(
        &'e self,
        account: &'m str,
        kind: &'static str,
        entity: &'m str,
        permissions: &'m Permissions,
        out: &mut Vec<&'e CompiledPolicy>,
    ) {
        for name in permissions.aws_managed_policies() {
            out.extend(self.aws.get(name.as_str()));
        }
        for name in permissions.customer_managed_policies() {
            out.extend(self.customer.get(&(account, name.as_str())));
        }
        for name in permissions.inline_policies().keys() {
            out.extend(self.inline.get(&(account, kind, entity, name.as_str())));
        }
    }

    // Find an IAM user (`role` false) or role by name: in `account` if given, else in
    // `fallback`, else in the only account that has one.
    fn find_iam(
        &self,
        role: bool,
        account: Option<&str>,
        name: &str,
        fallback: &'m str,
    ) -> Result<(&AccountParts<'m>, &'m str), ResolveError> {
        let (what, kind) = if role {
            ("IAM role", "iam-role")
        } else {
            ("IAM user", "iam-user")
        };
        let names = |a: &'m Account| -> Vec<&'m str> {
            if role {
                a.iam().roles().keys().map(|k| k.as_str()).collect()
            } else {
                a.iam().users().keys().map(|k| k.as_str()).collect()
            }
        };
        let find = |a: &'m Account| names(a).into_iter().find(|n| *n == name);
        let unknown = |candidates: Vec<&'m str>| ResolveError::UnknownPrincipal {
            what,
            name: name.to_string(),
            suggestion: suggest(name, candidates.into_iter()),
        };
        if let Some(account) = account {
            let parts = self.account(account)?;
            return match find(parts.account) {
                Some(key) => Ok((parts, key)),
                None => Err(unknown(names(parts.account))),
            };
        }
        if let Some(parts) = self.accounts.get(fallback)
            && let Some(key) = find(parts.account)
        {
            return Ok((parts, key));
        }
        let found: Vec<(&AccountParts<'m>, &'m str)> = self
            .accounts
            .values()
            .filter_map(|p| find(p.account).map(|k| (p, k)))
            .collect();
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(unknown(
                self.accounts
                    .values()
                    .flat_map(|p| names(p.account))
                    .collect(),
            )),
            many => Err(ResolveError::Ambiguous {
                what,
                kind,
                name: name.to_string(),
                accounts: many.iter().map(|(p, _)| p.name.to_string()).collect(),
            }),
        }
    }

    fn iam_user_path<'e>(&'e self, parts: &'e AccountParts<'m>, name: &'m str) -> AccessPath<'e> {
        let a = parts.name.as_str();
        let mut identity = Vec::new();
        let mut boundaries = Vec::new();
        let mut arn = String::new();
        if let Some(user) = parts.account.iam().users().get(name) {
            self.permissions(a, "user", name, user.permissions(), &mut identity);
            for group in user.groups() {
                if let Some((key, g)) = parts.account.iam().groups().get_key_value(group) {
                    self.permissions(a, "group", key.as_str(), g.permissions(), &mut identity);
                }
            }
            boundaries.extend(
                user.permissions_boundary()
                    .and_then(|b| self.aws_or_customer(a, b)),
            );
            arn = format!(
                "arn:aws:iam::{}:user{}{name}",
                parts.account.id(),
                user.permissions().path().as_str()
            );
        }
        let principal = arn
            .parse::<IamPrincipal>()
            .map(RequestPrincipal::Iam)
            .unwrap_or(RequestPrincipal::Anonymous);
        AccessPath {
            kind: PathKind::IamUser {
                account: parts.name.clone(),
                name: name.to_string(),
            },
            principal,
            principal_arn: arn,
            identity,
            boundaries,
            scps: &parts.scps,
            base: OnceLock::new(),
        }
    }

    fn iam_role_path<'e>(&'e self, parts: &'e AccountParts<'m>, name: &'m str) -> AccessPath<'e> {
        let a = parts.name.as_str();
        let mut identity = Vec::new();
        let mut boundaries = Vec::new();
        let mut arn = String::new();
        if let Some(role) = parts.account.iam().roles().get(name) {
            self.permissions(a, "role", name, role.permissions(), &mut identity);
            boundaries.extend(
                role.permissions_boundary()
                    .and_then(|b| self.aws_or_customer(a, b)),
            );
            arn = format!(
                "arn:aws:iam::{}:role{}{name}",
                parts.account.id(),
                role.permissions().path().as_str()
            );
        }
        AccessPath {
            kind: PathKind::IamRole {
                account: parts.name.clone(),
                name: name.to_string(),
            },
            principal: session(parts.account.id(), name, SESSION_NAME),
            principal_arn: arn,
            identity,
            boundaries,
            scps: &parts.scps,
            base: OnceLock::new(),
        }
    }

    fn permission_set_path<'e>(
        &'e self,
        parts: &'e AccountParts<'m>,
        name: &str,
        set: &'m PermissionSet,
        via: Vec<String>,
        session_name: &str,
    ) -> AccessPath<'e> {
        let a = parts.name.as_str();
        let iam = parts.account.iam();
        let mut identity = Vec::new();
        for policy in set.aws_managed_policies() {
            identity.extend(self.aws.get(policy.as_str()));
        }
        // A customer managed policy must exist in the account with the same name and path.
        let customer = |name: &'m str, path: &str| {
            iam.policies()
                .get(name)
                .filter(|p| p.path().as_str() == path)
                .and_then(|_| self.customer.get(&(a, name)))
        };
        for policy in set.customer_managed_policies() {
            identity.extend(customer(policy.name.as_str(), policy.path.as_str()));
        }
        identity.extend(self.sets.get(name).and_then(|s| s.inline.as_ref()));
        let boundaries = match set.permissions_boundary() {
            Some(PermissionSetBoundary::Aws(n)) => self.aws.get(n.as_str()).into_iter().collect(),
            Some(PermissionSetBoundary::Customer(p)) => customer(p.name.as_str(), p.path.as_str())
                .into_iter()
                .collect(),
            None => Vec::new(),
        };
        let id = parts.account.id();
        let role = sso_role_name(self.instance_id.unwrap_or(id), name);
        AccessPath {
            kind: PathKind::PermissionSet {
                name: name.to_string(),
                via,
            },
            principal: session(id, &role, session_name),
            principal_arn: format!("arn:aws:iam::{id}:role{SSO_ROLE_PATH}{role}"),
            identity,
            boundaries,
            scps: &parts.scps,
            base: OnceLock::new(),
        }
    }

    // The permission sets provisioned in the account (only `only`, if given) with an
    // assignment the filter accepts, with those assignments.
    fn sso_paths<'e>(
        &'e self,
        parts: &'e AccountParts<'m>,
        only: Option<&str>,
        accept: impl Fn(&AssignmentPrincipal) -> bool,
        session_name: &str,
    ) -> Vec<AccessPath<'e>> {
        let Some(ic) = self.model.identity_center() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let assigned: Vec<(&&'m str, &Vec<&'m AssignmentPrincipal>)> = match only {
            Some(set) => parts.assigned.get_key_value(set).into_iter().collect(),
            None => parts.assigned.iter().collect(),
        };
        for (set_name, principals) in assigned {
            let via: BTreeSet<String> = principals
                .iter()
                .filter(|p| accept(p))
                .map(|p| match p {
                    AssignmentPrincipal::Group(g) => format!("group {g}"),
                    AssignmentPrincipal::User(u) => format!("user {u}"),
                })
                .collect();
            if via.is_empty() {
                continue;
            }
            if let Some(set) = ic.permission_sets().get(*set_name) {
                out.push(self.permission_set_path(
                    parts,
                    set_name,
                    set,
                    via.into_iter().collect(),
                    session_name,
                ));
            }
        }
        out
    }

    /// The ways `principal` acts in `account` (name or id), in a stable order. An Identity
    /// Center principal with no permission set there has none.
    pub fn paths(
        &self,
        principal: &ModelPrincipal,
        account: &str,
    ) -> Result<Vec<AccessPath<'_>>, ResolveError> {
        let parts = self.account(account)?;
        let ic = self.model.identity_center();
        let unknown = |what, name: &str, candidates: Vec<&str>| ResolveError::UnknownPrincipal {
            what,
            name: name.to_string(),
            suggestion: suggest(name, candidates.into_iter()),
        };
        if let Some(path) = self.federated_path(principal, parts.name.as_str()) {
            return path.map(|p| vec![p]);
        }
        match principal {
            ModelPrincipal::User(name) => {
                let Some(user) = ic.and_then(|ic| ic.users().get(name)) else {
                    return Err(unknown(
                        "Identity Center user",
                        name,
                        ic.map(|ic| ic.users().keys().map(String::as_str).collect())
                            .unwrap_or_default(),
                    ));
                };
                Ok(self.sso_paths(
                    parts,
                    None,
                    |p| match p {
                        AssignmentPrincipal::User(u) => u == name,
                        AssignmentPrincipal::Group(g) => user.groups.contains(g),
                    },
                    session_name(name),
                ))
            }
            ModelPrincipal::Group(name) => {
                if !ic.is_some_and(|ic| ic.groups().contains_key(name)) {
                    return Err(unknown(
                        "Identity Center group",
                        name,
                        ic.map(|ic| ic.groups().keys().map(String::as_str).collect())
                            .unwrap_or_default(),
                    ));
                }
                Ok(self.sso_paths(
                    parts,
                    None,
                    |p| matches!(p, AssignmentPrincipal::Group(g) if g == name),
                    SESSION_NAME,
                ))
            }
            ModelPrincipal::PermissionSet(name) => {
                if !ic.is_some_and(|ic| ic.permission_sets().contains_key(name.as_str())) {
                    return Err(unknown(
                        "permission set",
                        name,
                        ic.map(|ic| ic.permission_sets().keys().map(|k| k.as_str()).collect())
                            .unwrap_or_default(),
                    ));
                }
                Ok(self.sso_paths(parts, Some(name), |_| true, SESSION_NAME))
            }
            ModelPrincipal::IamUser { account, name } => {
                let (owner, key) =
                    self.find_iam(false, account.as_deref(), name, parts.name.as_str())?;
                Ok(vec![self.iam_user_path(owner, key)])
            }
            ModelPrincipal::IamRole { account, name } => {
                let (owner, key) =
                    self.find_iam(true, account.as_deref(), name, parts.name.as_str())?;
                Ok(vec![self.iam_role_path(owner, key)])
            }
            ModelPrincipal::ExternalAccount(id) => Ok(vec![AccessPath {
                kind: PathKind::ExternalAccount(*id),
                principal: session(*id, EXTERNAL_ROLE, SESSION_NAME),
                principal_arn: format!("arn:aws:iam::{id}:role/{EXTERNAL_ROLE}"),
                identity: vec![&self.external],
                boundaries: Vec::new(),
                scps: &[],
                base: OnceLock::new(),
            }]),
            // Resolved by `federated_path` above.
            ModelPrincipal::Oidc { .. }
            | ModelPrincipal::Saml { .. }
            | ModelPrincipal::Federated(_) => Ok(Vec::new()),
        }
    }

    /// Evaluate a query on every path (see the module docs for the resource's account and
    /// resource-based policies).
    pub fn evaluate<'p, 'e>(
        &'e self,
        paths: &'p [AccessPath<'e>],
        query: &Query,
    ) -> Result<Outcome<'p, 'e>, ResolveError> {
        let resource_account = self.account(&query.account)?;
        let id = resource_account.account.id();
        let resource_policy = self.resource_policy(&query.action, &query.resource);
        let outcomes: Vec<PathOutcome<'p, 'e>> = paths
            .iter()
            .map(|path| PathOutcome {
                path,
                evaluation: with_request(path, id, query, |request| {
                    self.evaluate_one(path, &resource_account.rcps, resource_policy, request)
                }),
            })
            .collect();
        Ok(Outcome {
            decision: combine(outcomes.iter().map(|o| o.evaluation.decision())),
            paths: outcomes,
        })
    }

    /// The decision of [`ModelEvaluator::evaluate`], without the evaluation of each path:
    /// what `diff` needs for each probe, and several times faster.
    ///
    /// ```
    /// use iam_model::eval::model::{ModelEvaluator, Query};
    /// let model = iam_model::model::Model::from_json(include_str!("../../../tests/models/valid/organization.json"))?;
    /// let evaluator = ModelEvaluator::new(&model);
    /// let paths = evaluator.paths(&"group:AWS-Developers".parse()?, "development")?;
    /// let query = Query::new("development", "ec2:RunInstances", "*");
    /// assert_eq!(evaluator.decide(&paths, &query)?, evaluator.evaluate(&paths, &query)?.decision());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decide(
        &self,
        paths: &[AccessPath<'_>],
        query: &Query,
    ) -> Result<Decision, ResolveError> {
        let resource_account = self.account(&query.account)?;
        let id = resource_account.account.id();
        let resource_policy = self.resource_policy(&query.action, &query.resource);
        // `combine` stops at the first path that allows.
        Ok(combine(paths.iter().map(|path| {
            with_request(path, id, query, |request| {
                self.decide_one(path, &resource_account.rcps, resource_policy, request)
            })
        })))
    }

    /// The first path that allows `query`, with its evaluation: the other paths are only
    /// decided, not explained.
    pub(crate) fn first_allowed<'p, 'e>(
        &'e self,
        paths: &'p [AccessPath<'e>],
        query: &Query,
    ) -> Result<Option<PathOutcome<'p, 'e>>, ResolveError> {
        let resource_account = self.account(&query.account)?;
        let id = resource_account.account.id();
        let rcps = &resource_account.rcps;
        let resource_policy = self.resource_policy(&query.action, &query.resource);
        Ok(paths.iter().find_map(|path| {
            with_request(path, id, query, |request| {
                self.decide_one(path, rcps, resource_policy, request)
                    .is_allowed()
                    .then(|| PathOutcome {
                        path,
                        evaluation: self.evaluate_one(path, rcps, resource_policy, request),
                    })
            })
        }))
    }

    /// [`ModelEvaluator::evaluate`] for each of several queries, in order: the same
    /// outcomes, with one request per path reused from query to query while the account and
    /// the context keys stay the same (a checklist of commands asks one principal many
    /// questions).
    ///
    /// ```
    /// use iam_model::eval::model::{ModelEvaluator, Query};
    /// let model = iam_model::model::Model::from_json(include_str!("../../../tests/models/valid/organization.json"))?;
    /// let evaluator = ModelEvaluator::new(&model);
    /// let paths = evaluator.paths(&"permission-set:DeveloperAccess".parse()?, "development")?;
    /// let queries = [
    ///     Query::new("development", "ec2:DescribeInstances", "*"),
    ///     Query::new("development", "iam:CreateUser", "*"),
    /// ];
    /// let outcomes = evaluator.evaluate_all(&paths, &queries);
    /// for (query, outcome) in queries.iter().zip(&outcomes) {
    ///     let one = evaluator.evaluate(&paths, query)?;
    ///     assert_eq!(outcome.as_ref().map(|o| o.decision()).ok(), Some(one.decision()));
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate_all<'p, 'e>(
        &'e self,
        paths: &'p [AccessPath<'e>],
        queries: &[Query],
    ) -> Vec<Result<Outcome<'p, 'e>, ResolveError>> {
        let mut requests: Vec<ReusedRequest<'_>> =
            paths.iter().map(|_| ReusedRequest::default()).collect();
        queries
            .iter()
            .map(|query| {
                let resource_account = self.account(&query.account)?;
                let id = resource_account.account.id();
                let resource_policy = self.resource_policy(&query.action, &query.resource);
                let outcomes: Vec<PathOutcome<'p, 'e>> = paths
                    .iter()
                    .zip(&mut requests)
                    .map(|(path, reused)| {
                        let request = reused.for_query(query, || self.request(path, id, query));
                        PathOutcome {
                            path,
                            evaluation: self.evaluate_one(
                                path,
                                &resource_account.rcps,
                                resource_policy,
                                request,
                            ),
                        }
                    })
                    .collect();
                Ok(Outcome {
                    decision: combine(outcomes.iter().map(|o| o.evaluation.decision())),
                    paths: outcomes,
                })
            })
            .collect()
    }

    fn request(
        &self,
        path: &AccessPath<'_>,
        resource_account: AccountId,
        query: &Query,
    ) -> Request {
        let mut request = Request::new(path.principal.clone(), &query.action, &query.resource)
            .resource_account(resource_account);
        if path.sets_principal_arn()
            && !query
                .context
                .keys()
                .any(|k| k.eq_ignore_ascii_case("aws:PrincipalArn"))
        {
            request = request.context("aws:PrincipalArn", [path.principal_arn.as_str()]);
        }
        for (key, values) in &query.context {
            request = request.context(key, values.iter().map(String::as_str));
        }
        request
    }

    #[inline]
    fn decide_one<'e>(
        &'e self,
        path: &AccessPath<'e>,
        rcps: &'e [OrgLevel],
        resource_policy: Option<&'e CompiledPolicy>,
        request: &Request,
    ) -> Decision {
        decide_layers(path_layers(path, rcps, resource_policy), request)
    }

    #[inline]
    fn evaluate_one<'e>(
        &'e self,
        path: &AccessPath<'e>,
        rcps: &'e [OrgLevel],
        resource_policy: Option<&'e CompiledPolicy>,
        request: &Request,
    ) -> Evaluation<'e> {
        evaluate_layers(path_layers(path, rcps, resource_policy), request)
    }

    /// The resource-based policy of a request: the trust policy of a model role for
    /// `sts:AssumeRole*` on its ARN.
    fn resource_policy(&self, action: &str, resource: &str) -> Option<&CompiledPolicy> {
        const ASSUME_ROLE: &str = "sts:assumerole";
        if !action
            .get(..ASSUME_ROLE.len())
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(ASSUME_ROLE))
        {
            return None;
        }
        let mut parts = resource.splitn(6, ':');
        let (Some("arn"), Some(_), Some("iam"), Some(""), Some(id), Some(rest)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let role = rest.strip_prefix("role/")?;
        let name = role.rsplit('/').next()?;
        let account = self.by_id.get(&id.parse::<AccountId>().ok()?)?;
        let parts = self.accounts.get(account)?;
        let (key, model_role) = parts.account.iam().roles().get_key_value(name)?;
        // The ARN must carry the role's path.
        let expected = format!("{}{name}", model_role.permissions().path().as_str());
        if format!("/{role}") != expected {
            return None;
        }
        self.trust.get(&(*account, key.as_str()))
    }

    /// Every principal of the model allowed to make the request, with the path that allows
    /// it: Identity Center groups and users (through their permission sets in the account),
    /// IAM users and roles, and the external accounts that role trust policies name. A
    /// principal allowed only when the request carries context values the query does not
    /// give is listed with the [`RequiredCondition`]s those values meet (see
    /// [`Grantee::conditions`]); identity providers that trust policies let in are
    /// [`ModelEvaluator::who_can_federated`]'s.
    ///
    /// The resource's account is `query`'s account; when that is `*`, the account whose id
    /// the resource ARN holds, or else each account in turn (then only principals of that
    /// account and Identity Center principals are asked, since the model holds no
    /// resource-based policy that could let another account in).
    pub fn who_can<'e>(&'e self, query: &Query) -> Result<Vec<Grantee<'e>>, ResolveError> {
        let arn_account = query
            .resource
            .split(':')
            .nth(4)
            .and_then(|id| id.parse::<AccountId>().ok())
            .and_then(|id| self.by_id.get(&id).copied());
        let (accounts, everyone): (Vec<&'m str>, bool) = if query.account != "*" {
            (vec![self.account(&query.account)?.name.as_str()], true)
        } else if let Some(a) = arn_account {
            (vec![a], true)
        } else {
            (self.accounts.keys().copied().collect(), false)
        };
        let ic = self.model.identity_center();
        let mut out = Vec::new();
        for account in accounts {
            let query = Query {
                account: account.to_string(),
                ..query.clone()
            };
            let mut candidates: Vec<ModelPrincipal> = Vec::new();
            if let Some(ic) = ic {
                candidates.extend(ic.groups().keys().cloned().map(ModelPrincipal::Group));
                candidates.extend(ic.users().keys().cloned().map(ModelPrincipal::User));
            }
            for (name, parts) in &self.accounts {
                if !everyone && *name != account {
                    continue;
                }
                let iam = parts.account.iam();
                for user in iam.users().keys() {
                    candidates.push(ModelPrincipal::IamUser {
                        account: Some(name.to_string()),
                        name: user.as_str().to_string(),
                    });
                }
                for role in iam.roles().keys() {
                    candidates.push(ModelPrincipal::IamRole {
                        account: Some(name.to_string()),
                        name: role.as_str().to_string(),
                    });
                }
            }
            if let Some(parts) = self.accounts.get(account) {
                let external: BTreeSet<AccountId> = parts
                    .account
                    .iam()
                    .roles()
                    .values()
                    .flat_map(|r| trusted_accounts(r.trust_policy().document()))
                    .filter(|id| !self.by_id.contains_key(id))
                    .collect();
                candidates.extend(external.into_iter().map(ModelPrincipal::ExternalAccount));
            }
            for principal in candidates {
                let paths = self.paths(&principal, account)?;
                let (allowed, conditions) = match self.first_allowed(&paths, &query)? {
                    Some(allowed) => (allowed, Vec::new()),
                    None => match self.conditional_grant(&paths, &query)? {
                        Some(grant) => (grant.allowed, grant.conditions),
                        None => continue,
                    },
                };
                out.push(Grantee {
                    principal,
                    account: self.account(account)?.name.clone(),
                    path: allowed.path.kind.clone(),
                    label: allowed.path.label(),
                    evaluation: allowed.evaluation,
                    conditions,
                });
            }
        }
        Ok(out)
    }

    /// Check every assertion of the model, in order.
    pub fn check_assertions(&self) -> Vec<AssertionCheck<'_>> {
        self.model
            .assertions()
            .iter()
            .enumerate()
            .map(|(index, assertion)| {
                let principal = ModelPrincipal::from(assertion.principal());
                let account = assertion.account().as_str();
                let paths = self.paths(&principal, account);
                let mut checks = Vec::new();
                if let Ok(paths) = &paths {
                    let expectations = assertion
                        .denied()
                        .iter()
                        .enumerate()
                        .map(|(i, a)| (false, i, a))
                        .chain(
                            assertion
                                .allowed()
                                .iter()
                                .enumerate()
                                .map(|(i, a)| (true, i, a)),
                        );
                    for (allowed, i, action) in expectations {
                        let mut query =
                            Query::new(account, action.to_string(), assertion.resource());
                        for (key, value) in assertion.context() {
                            query = query.context(key.to_string(), value.clone());
                        }
                        let Ok(outcome) = self.evaluate(paths, &query) else {
                            continue;
                        };
                        let pointer = format!(
                            "/assertions/{index}/{}/{i}",
                            if allowed { "allowed" } else { "denied" }
                        );
                        checks.push(ActionCheck {
                            pointer,
                            action: action.clone(),
                            expect_allowed: allowed,
                            decision: outcome.decision,
                            paths: outcome
                                .paths
                                .into_iter()
                                .map(|p| (p.path.kind.clone(), p.path.label(), p.evaluation))
                                .collect(),
                        });
                    }
                }
                AssertionCheck {
                    index,
                    principal,
                    account: assertion.account().clone(),
                    resource: assertion.resource().to_string(),
                    error: paths.err(),
                    checks,
                }
            })
            .collect()
    }
}

thread_local! {
    // The request that `with_request` builds again for each path and query, kept so that
    // its buffers are reused.
    static REQUEST: std::cell::RefCell<Option<Request>> = const { std::cell::RefCell::new(None) };
}

/// The policy layers a path is decided by: its identity policies and boundaries, the SCPs on
/// its way, the RCPs and resource policy of the resource's account; no session policy.
fn path_layers<'s, 'e>(
    path: &'s AccessPath<'e>,
    rcps: &'e [OrgLevel],
    resource_policy: Option<&'e CompiledPolicy>,
) -> Layers<'s, 'e> {
    Layers {
        identity: PolicyList::Borrowed(&path.identity),
        scps: path.scps,
        rcps,
        boundaries: PolicyList::Borrowed(&path.boundaries),
        resource_policy,
        session_policy: None,
    }
}

// Call `f` with the request of `query` on `path` in the account `resource_account`: the
// same request as `ModelEvaluator::request` builds, made from the path's base request in a
// buffer kept per thread, so a question allocates nothing for it.
fn with_request<R>(
    path: &AccessPath<'_>,
    resource_account: AccountId,
    query: &Query,
    f: impl FnOnce(&Request) -> R,
) -> R {
    let fill = |request: &mut Request| {
        request.copy_from(path.base());
        request.retarget(&query.action, &query.resource);
        request.set_resource_account(resource_account);
        for (key, values) in &query.context {
            request.set_context(key, values.iter().map(String::as_str));
        }
    };
    REQUEST.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => {
            let request = slot.get_or_insert_with(|| path.base().clone());
            fill(request);
            f(request)
        }
        // Only when `f` asks again on the same thread.
        Err(_) => {
            let mut request = path.base().clone();
            fill(&mut request);
            f(&request)
        }
    })
}

fn session_name(user: &str) -> &str {
    // Session names allow `[\w+=,.@-]`, 2 to 64 characters.
    if (2..=64).contains(&user.len())
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
    {
        user
    } else {
        SESSION_NAME
    }
}

fn session(account: AccountId, role: &str, name: &str) -> RequestPrincipal {
    format!("arn:aws:sts::{account}:assumed-role/{role}/{name}")
        .parse::<IamPrincipal>()
        .map(RequestPrincipal::Iam)
        .unwrap_or(RequestPrincipal::Anonymous)
}

// The account ids a trust policy names in `Principal.AWS` (ids and ARNs).
pub(crate) fn trusted_accounts(document: &PolicyDocument) -> Vec<AccountId> {
    use crate::policy::{AwsPrincipal, Principal, PrincipalClause};
    let mut out = Vec::new();
    for statement in document.statements() {
        let Some(PrincipalClause::Principal(Principal::Typed(map))) = statement.principal() else {
            continue;
        };
        for p in map.aws.iter().flat_map(|list| list.iter()) {
            match p {
                AwsPrincipal::Account(id) => out.push(*id),
                AwsPrincipal::Arn(arn) => out.extend(arn.account_id()),
                AwsPrincipal::Any => {}
            }
        }
    }
    out
}

/// A principal allowed by [`ModelEvaluator::who_can`], and how.
#[derive(Debug, Clone)]
pub struct Grantee<'e> {
    /// Who.
    pub principal: ModelPrincipal,
    /// The resource's account.
    pub account: AccountName,
    /// The path that allows.
    pub path: PathKind,
    /// The path, described.
    pub label: String,
    /// The evaluation on that path (with context values that meet `conditions`).
    pub evaluation: Evaluation<'e>,
    /// The conditions the request must meet for access beyond the query's context values
    /// (an ExternalId, MFA, a source IP range); empty when the query's context suffices.
    pub conditions: Vec<RequiredCondition>,
}

/// One action of an assertion, checked.
#[derive(Debug, Clone)]
pub struct ActionCheck<'e> {
    /// The JSON pointer of the action in the model file (`/assertions/0/denied/1`).
    pub pointer: String,
    /// The action.
    pub action: Action,
    /// Whether the assertion expects it to be allowed (`allowed`) or denied (`denied`).
    pub expect_allowed: bool,
    /// The decision over every path.
    pub decision: Decision,
    /// Each path with its evaluation.
    pub paths: Vec<(PathKind, String, Evaluation<'e>)>,
}

impl ActionCheck<'_> {
    /// Whether the decision is the expected one.
    pub fn holds(&self) -> bool {
        self.decision.is_allowed() == self.expect_allowed
    }
}

/// One assertion of the model, checked.
#[derive(Debug, Clone)]
pub struct AssertionCheck<'e> {
    /// The assertion's index in the model.
    pub index: usize,
    /// Who.
    pub principal: ModelPrincipal,
    /// Where.
    pub account: AccountName,
    /// On what.
    pub resource: String,
    /// The principal or account does not resolve (validation reports it too).
    pub error: Option<ResolveError>,
    /// Every action, `denied` first, in the order written.
    pub checks: Vec<ActionCheck<'e>>,
}

impl AssertionCheck<'_> {
    /// The JSON pointer of the assertion (`/assertions/0`).
    pub fn pointer(&self) -> String {
        format!("/assertions/{}", self.index)
    }

    /// Whether every action has its expected decision (and the principal resolves).
    pub fn holds(&self) -> bool {
        self.error.is_none() && self.checks.iter().all(ActionCheck::holds)
    }
}

/// What a probe of the access matrix tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProbeKind {
    /// Reading data and describing resources.
    Read,
    /// Creating and changing resources.
    Write,
    /// Managing IAM users, roles and policies.
    IamAdmin,
    /// Seeing bills and costs.
    Billing,
}

impl ProbeKind {
    /// `read`, `write`, `iam` or `billing`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::IamAdmin => "iam",
            Self::Billing => "billing",
        }
    }

    /// Every kind, in matrix column order.
    pub const ALL: [ProbeKind; 4] = [Self::Read, Self::Write, Self::IamAdmin, Self::Billing];
}

/// A probe request of the access matrix. `{account}` and `{region}` in the resource are
/// replaced by the account id and the matrix's region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// What it tests.
    pub kind: ProbeKind,
    /// The action.
    pub action: &'static str,
    /// The resource.
    pub resource: &'static str,
}

/// The probes of the access matrix, the one place they are defined: a kind of access is
/// granted in an account when the evaluator allows any of its probes there.
pub const PROBES: [Probe; 9] = [
    Probe {
        kind: ProbeKind::Read,
        action: "s3:GetObject",
        resource: "arn:aws:s3:::iam-codegen-probe-{account}/object",
    },
    Probe {
        kind: ProbeKind::Read,
        action: "ec2:DescribeInstances",
        resource: "*",
    },
    Probe {
        kind: ProbeKind::Write,
        action: "s3:PutObject",
        resource: "arn:aws:s3:::iam-codegen-probe-{account}/object",
    },
    Probe {
        kind: ProbeKind::Write,
        action: "ec2:RunInstances",
        resource: "arn:aws:ec2:{region}:{account}:instance/*",
    },
    Probe {
        kind: ProbeKind::Write,
        action: "lambda:CreateFunction",
        resource: "arn:aws:lambda:{region}:{account}:function:iam-codegen-probe",
    },
    Probe {
        kind: ProbeKind::IamAdmin,
        action: "iam:CreateUser",
        resource: "arn:aws:iam::{account}:user/iam-codegen-probe",
    },
    Probe {
        kind: ProbeKind::IamAdmin,
        action: "iam:AttachRolePolicy",
        resource: "arn:aws:iam::{account}:role/iam-codegen-probe",
    },
    Probe {
        kind: ProbeKind::Billing,
        action: "aws-portal:ViewBilling",
        resource: "*",
    },
    Probe {
        kind: ProbeKind::Billing,
        action: "ce:GetCostAndUsage",
        resource: "*",
    },
];

/// The region of the access matrix's probes unless another is given: it is the value of
/// `aws:RequestedRegion` and the region of regional probe ARNs.
pub const DEFAULT_REGION: &str = "us-east-1";

/// One row of the access matrix: a principal in an account, and the probe decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixRow {
    /// An Identity Center group, an Identity Center user with assignments of their own, an
    /// IAM user or an IAM role (with its account).
    pub principal: ModelPrincipal,
    /// The account.
    pub account: AccountName,
    /// The account's environment.
    pub environment: Environment,
    /// The decision for each of [`PROBES`], in order, and the path that allowed it.
    pub results: Vec<(Decision, Option<String>)>,
}

impl MatrixRow {
    /// Whether any probe of the kind is allowed.
    pub fn allows(&self, kind: ProbeKind) -> bool {
        self.kinds().contains(&kind)
    }

    /// The kinds of access allowed, in column order (see [`allowed_kinds`]).
    pub fn kinds(&self) -> Vec<ProbeKind> {
        allowed_kinds(self.results.iter().map(|(d, _)| *d))
    }
}

/// A request asked again for query after query of one path: built for the first query, then
/// retargeted ([`Request::retarget`]) while the account and the context keys stay the same,
/// which is cheaper than building it again (probes and checklists ask one principal many
/// questions).
#[derive(Default)]
struct ReusedRequest<'q> {
    request: Option<Request>,
    // The account and context keys the request was built for.
    shape: Option<(&'q str, Vec<&'q str>)>,
}

impl<'q> ReusedRequest<'q> {
    /// The request for `query`; `build` makes it when it cannot be retargeted.
    fn for_query(&mut self, query: &'q Query, build: impl FnOnce() -> Request) -> &Request {
        let keys: Vec<&str> = query.context.keys().map(String::as_str).collect();
        let same = self
            .shape
            .as_ref()
            .is_some_and(|(account, k)| *account == query.account && *k == keys);
        let reuse = same && self.request.is_some();
        if !reuse {
            self.request = None;
            self.shape = Some((query.account.as_str(), keys));
        }
        let request = self.request.get_or_insert_with(build);
        if reuse {
            request.retarget(&query.action, &query.resource);
            for (key, values) in &query.context {
                request.set_context(key, values.iter().map(String::as_str));
            }
        }
        request
    }
}

/// The access matrix: what each group and IAM principal may do in each account it reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessMatrix {
    /// The region of the probes.
    pub region: String,
    /// Rows: Identity Center groups (then users with assignments of their own) by name, by
    /// account; then IAM users and roles by account and name.
    pub rows: Vec<MatrixRow>,
    /// The decisions behind the Identity Center rows: for each permission set provisioned
    /// in an account, by account then permission set, the decision for each of [`PROBES`].
    pub permission_sets: Vec<PermissionSetProbes>,
}

/// The decisions for [`PROBES`] of one permission set in one account, as computed for the
/// access matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionSetProbes {
    /// The account.
    pub account: AccountName,
    /// The permission set.
    pub permission_set: String,
    /// The decision for each of [`PROBES`], in order.
    pub decisions: Vec<Decision>,
}

impl AccessMatrix {
    /// The decisions for [`PROBES`] of a permission set in an account; `None` when the
    /// set is not assigned there.
    ///
    /// ```
    /// use iam_model::eval::model::{access_matrix, allowed_kinds, ProbeKind};
    /// let model = iam_model::model::Model::from_json(include_str!("../../../tests/models/valid/organization.json"))?;
    /// let matrix = access_matrix(&model);
    /// let decisions = matrix.permission_set("development", "DeveloperAccess").unwrap();
    /// assert_eq!(allowed_kinds(decisions.iter().copied()),
    ///     [ProbeKind::Read, ProbeKind::Write, ProbeKind::Billing]);
    /// assert!(matrix.permission_set("development", "NoSuchSet").is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn permission_set(&self, account: &str, permission_set: &str) -> Option<&[Decision]> {
        // INVARIANT: `permission_sets` is sorted by (account, permission set).
        self.permission_sets
            .binary_search_by(|p| {
                (p.account.as_str(), p.permission_set.as_str()).cmp(&(account, permission_set))
            })
            .ok()
            .and_then(|i| self.permission_sets.get(i))
            .map(|p| p.decisions.as_slice())
    }
}

/// The access matrix of a model in [`DEFAULT_REGION`]; see [`access_matrix_in`].
///
/// ```
/// use iam_model::eval::model::{access_matrix, ProbeKind};
/// let model = iam_model::model::Model::from_json(include_str!("../../../tests/models/valid/organization.json"))?;
/// let matrix = access_matrix(&model);
/// let dev = matrix.rows.iter()
///     .find(|r| r.principal.to_string() == "group:AWS-Developers" && r.account.as_str() == "development")
///     .unwrap();
/// // The inline policy denies `aws-portal:*`, but PowerUserAccess still allows Cost Explorer.
/// assert_eq!(dev.kinds(), [ProbeKind::Read, ProbeKind::Write, ProbeKind::Billing]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn access_matrix(model: &Model) -> AccessMatrix {
    access_matrix_in(model, DEFAULT_REGION)
}

/// The access matrix of a model: for every Identity Center group in every account where it
/// has a permission set (and users with assignments of their own), and every IAM user and
/// role in its account, the decision for each of [`PROBES`] with `aws:RequestedRegion` set
/// to `region` (`us-east-1` for global services, see [`requested_region`]), IAM users signed
/// in with MFA (`aws:MultiFactorAuthPresent` is `true`). Builds a [`ModelEvaluator`]; with one at hand, use
/// [`ModelEvaluator::access_matrix`].
pub fn access_matrix_in(model: &Model, region: &str) -> AccessMatrix {
    ModelEvaluator::new(model).access_matrix(region)
}

// Services with a single endpoint in us-east-1 (IAM User Guide, "AWS: Denies access to AWS
// based on the requested Region": CloudFront, IAM, Route 53, Support, budgets, organizations;
// billing and Cost Explorer are served from us-east-1 too).
const GLOBAL_SERVICES: [&str; 9] = [
    "aws-portal",
    "billing",
    "budgets",
    "ce",
    "cloudfront",
    "iam",
    "organizations",
    "route53",
    "support",
];
const GLOBAL_REGION: &str = "us-east-1";

/// The `aws:RequestedRegion` of `action` made from `region`: `us-east-1` for the global
/// services whose single endpoint is there (IAM, Organizations, Budgets, Billing, Cost
/// Explorer, CloudFront, Route 53, Support), else `region`.
///
/// ```
/// use iam_model::eval::model::requested_region;
/// assert_eq!(requested_region("iam:CreateUser", "eu-west-1"), "us-east-1");
/// assert_eq!(requested_region("ec2:RunInstances", "eu-west-1"), "eu-west-1");
/// ```
pub fn requested_region<'a>(action: &str, region: &'a str) -> &'a str {
    let service = action.split(':').next().unwrap_or_default();
    if GLOBAL_SERVICES
        .iter()
        .any(|g| g.eq_ignore_ascii_case(service))
    {
        GLOBAL_REGION
    } else {
        region
    }
}

impl Probe {
    /// The probe's query in the account with this name and id: `{account}` and `{region}`
    /// in the resource replaced, `aws:RequestedRegion` set to
    /// [`requested_region`]`(action, region)`.
    pub(crate) fn query(&self, account: &str, id: AccountId, region: &str) -> Query {
        Query::new(
            account,
            self.action,
            self.resource
                .replace("{account}", &id.to_string())
                .replace("{region}", region),
        )
        .context("aws:RequestedRegion", requested_region(self.action, region))
    }
}

/// The kinds of access that the decisions for each of [`PROBES`], in order, allow, in
/// column order: a kind is allowed when any of its probes is.
///
/// ```
/// use iam_model::eval::Decision;
/// use iam_model::eval::model::{allowed_kinds, ProbeKind, PROBES};
/// let decisions = PROBES.map(|p| if p.kind == ProbeKind::Read {
///     Decision::Allowed
/// } else {
///     Decision::ImplicitlyDenied
/// });
/// assert_eq!(allowed_kinds(decisions), [ProbeKind::Read]);
/// ```
pub fn allowed_kinds(decisions: impl IntoIterator<Item = Decision>) -> Vec<ProbeKind> {
    let allowed: BTreeSet<ProbeKind> = PROBES
        .iter()
        .zip(decisions)
        .filter(|(_, d)| d.is_allowed())
        .map(|(p, _)| p.kind)
        .collect();
    ProbeKind::ALL
        .into_iter()
        .filter(|k| allowed.contains(k))
        .collect()
}

impl ModelEvaluator<'_> {
    // The request of a probe on a path. IAM users are taken to have signed in with MFA
    // (`aws:MultiFactorAuthPresent` true): every user enrolls a device, and a policy that
    // denies all but MFA setup without one (AWS's example, in the `iam-users` preset) would
    // otherwise hide what they may do.
    fn probe_request(
        &self,
        path: &AccessPath<'_>,
        resource_account: AccountId,
        query: &Query,
    ) -> Request {
        let request = self.request(path, resource_account, query);
        if matches!(path.kind, PathKind::IamUser { .. }) {
            request.context("aws:MultiFactorAuthPresent", ["true"])
        } else {
            request
        }
    }

    /// The decision for each of [`PROBES`], in order, for a principal with these `paths`
    /// in `account` (name or id), with `aws:RequestedRegion` set to `region`: allowed when
    /// any path allows, as in [`ModelEvaluator::evaluate`]. IAM users are taken to have
    /// signed in with MFA (`aws:MultiFactorAuthPresent` is `true`). [`allowed_kinds`] turns
    /// them into kinds of access; the access matrix asks the same probes.
    ///
    /// ```
    /// use iam_model::eval::model::{allowed_kinds, ModelEvaluator, ProbeKind};
    /// let model = iam_model::model::Model::from_json(include_str!("../../../tests/models/valid/organization.json"))?;
    /// let evaluator = ModelEvaluator::new(&model);
    /// let paths = evaluator.paths(&"permission-set:DeveloperAccess".parse()?, "development")?;
    /// let decisions = evaluator.probe(&paths, "development", "us-east-1")?;
    /// assert_eq!(allowed_kinds(decisions),
    ///     [ProbeKind::Read, ProbeKind::Write, ProbeKind::Billing]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn probe(
        &self,
        paths: &[AccessPath<'_>],
        account: &str,
        region: &str,
    ) -> Result<Vec<Decision>, ResolveError> {
        let parts = self.account(account)?;
        let queries = self.probe_queries(parts, region);
        let per_path: Vec<Vec<Decision>> = paths
            .iter()
            .map(|path| self.probe_decisions(path, parts, &queries))
            .collect();
        Ok((0..queries.len())
            .map(|i| combine(per_path.iter().filter_map(|d| d.get(i).copied())))
            .collect())
    }

    /// The queries of [`PROBES`] in an account.
    fn probe_queries(&self, parts: &AccountParts<'_>, region: &str) -> Vec<Query> {
        PROBES
            .iter()
            .map(|p| p.query(parts.name.as_str(), parts.account.id(), region))
            .collect()
    }

    /// The decision of one path for each probe query of its account, with one request
    /// retargeted from probe to probe.
    fn probe_decisions(
        &self,
        path: &AccessPath<'_>,
        parts: &AccountParts<'_>,
        queries: &[Query],
    ) -> Vec<Decision> {
        let id = parts.account.id();
        let mut reused = ReusedRequest::default();
        queries
            .iter()
            .map(|q| {
                let request = reused.for_query(q, || self.probe_request(path, id, q));
                self.decide_one(path, &parts.rcps, None, request)
            })
            .collect()
    }

    /// The access matrix (see [`access_matrix_in`]) with this evaluator's compiled
    /// policies. Decisions are computed once per permission set and account and shared by
    /// every group that has it.
    ///
    /// ```
    /// use iam_model::eval::model::ModelEvaluator;
    /// let model = iam_model::model::Model::from_json(include_str!("../../../tests/models/valid/organization.json"))?;
    /// let evaluator = ModelEvaluator::new(&model);
    /// let matrix = evaluator.access_matrix("eu-west-1");
    /// assert_eq!(matrix.region, "eu-west-1");
    /// assert_eq!(matrix, iam_model::eval::model::access_matrix_in(&model, "eu-west-1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[expect(
        clippy::too_many_lines,
        reason = "one loop over accounts: Identity Center rows, then IAM rows"
    )]
    pub fn access_matrix(&self, region: &str) -> AccessMatrix {
        let evaluator = self;
        let model = self.model;
        let mut rows = Vec::new();
        let mut cache: BTreeMap<(&str, &str), Vec<Decision>> = BTreeMap::new();
        for (account_name, parts) in &evaluator.accounts {
            let queries = evaluator.probe_queries(parts, region);
            let decide = |path: &AccessPath<'_>| evaluator.probe_decisions(path, parts, &queries);
            // Identity Center: one path per permission set provisioned here.
            let mut by_principal: BTreeMap<(u8, &str), Vec<&str>> = BTreeMap::new();
            for (set, principals) in &parts.assigned {
                for p in principals {
                    let key = match p {
                        AssignmentPrincipal::Group(g) => (0, g.as_str()),
                        AssignmentPrincipal::User(u) => (1, u.as_str()),
                    };
                    let list = by_principal.entry(key).or_default();
                    if !list.contains(set) {
                        list.push(set);
                    }
                }
            }
            if let Some(ic) = model.identity_center() {
                for ((kind, name), sets) in by_principal {
                    let mut results: Vec<(Decision, Option<String>)> =
                        vec![(Decision::ImplicitlyDenied, None); PROBES.len()];
                    let mut decided: Vec<Vec<Decision>> = Vec::with_capacity(sets.len());
                    for set in &sets {
                        let decisions = match cache.get(&(*account_name, *set)) {
                            Some(d) => d.clone(),
                            None => {
                                let d = ic
                                    .permission_sets()
                                    .get(*set)
                                    .map(|ps| {
                                        decide(&evaluator.permission_set_path(
                                            parts,
                                            set,
                                            ps,
                                            Vec::new(),
                                            SESSION_NAME,
                                        ))
                                    })
                                    .unwrap_or_default();
                                cache.insert((account_name, set), d.clone());
                                d
                            }
                        };
                        decided.push(decisions);
                    }
                    for (i, slot) in results.iter_mut().enumerate() {
                        let column = decided.iter().filter_map(|d| d.get(i).copied());
                        slot.0 = combine(column);
                        slot.1 = sets
                            .iter()
                            .zip(&decided)
                            .find(|(_, d)| d.get(i).is_some_and(|d| d.is_allowed()))
                            .map(|(s, _)| format!("permission set `{s}`"));
                    }
                    rows.push(MatrixRow {
                        principal: if kind == 0 {
                            ModelPrincipal::Group(name.to_string())
                        } else {
                            ModelPrincipal::User(name.to_string())
                        },
                        account: parts.name.clone(),
                        environment: parts.account.environment().clone(),
                        results,
                    });
                }
            }
            let iam = parts.account.iam();
            let mut iam_paths = Vec::new();
            for user in iam.users().keys() {
                iam_paths.push(evaluator.iam_user_path(parts, user.as_str()));
            }
            for role in iam.roles().keys() {
                iam_paths.push(evaluator.iam_role_path(parts, role.as_str()));
            }
            for path in iam_paths {
                let label = path.label();
                let principal = match &path.kind {
                    PathKind::IamUser { name, .. } => ModelPrincipal::IamUser {
                        account: Some(account_name.to_string()),
                        name: name.clone(),
                    },
                    PathKind::IamRole { name, .. } => ModelPrincipal::IamRole {
                        account: Some(account_name.to_string()),
                        name: name.clone(),
                    },
                    _ => continue,
                };
                let results = decide(&path)
                    .into_iter()
                    .map(|d| (d, d.is_allowed().then(|| label.clone())))
                    .collect();
                rows.push(MatrixRow {
                    principal,
                    account: parts.name.clone(),
                    environment: parts.account.environment().clone(),
                    results,
                });
            }
        }
        // Groups and users first, by name then account; IAM principals by account then name.
        // Keys computed once per row, not per comparison.
        rows.sort_by_cached_key(|r| {
            let (rank, first, second) = match &r.principal {
                ModelPrincipal::Group(n) | ModelPrincipal::User(n) => {
                    (0, n.clone(), r.account.to_string())
                }
                other => (1, r.account.to_string(), other.to_string()),
            };
            (rank, first, second, r.principal.clone())
        });
        // By (account, permission set): the cache's key order.
        let permission_sets = cache
            .into_iter()
            .filter_map(|((account, set), decisions)| {
                Some(PermissionSetProbes {
                    account: evaluator.accounts.get(account)?.name.clone(),
                    permission_set: set.to_string(),
                    decisions,
                })
            })
            .collect();
        AccessMatrix {
            region: region.to_string(),
            rows,
            permission_sets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Layer;

    type Answer = (
        Decision,
        Option<Layer>,
        Option<String>,
        Vec<(Layer, String, usize)>,
    );

    fn organization() -> Model {
        Model::from_json(include_str!(
            "../../../tests/models/valid/organization.json"
        ))
        .unwrap()
    }

    #[test]
    fn evaluating_queries_together_gives_what_each_gives_alone() {
        let model = organization();
        let evaluator = ModelEvaluator::new(&model);
        let queries = [
            Query::new("development", "ec2:DescribeInstances", "*")
                .context("aws:RequestedRegion", "eu-west-1"),
            Query::new("development", "iam:CreateUser", "*")
                .context("aws:RequestedRegion", "us-east-1"),
            Query::new("development", "s3:GetObject", "arn:aws:s3:::bucket/key"),
            Query::new(
                "development",
                "iam:PassRole",
                "arn:aws:iam::444444444444:role/x",
            ),
            Query::new("production", "s3:GetObject", "arn:aws:s3:::bucket/key"),
            // Same account and keys, another resource: the web server may write only here.
            Query::new(
                "production",
                "s3:PutObject",
                "arn:aws:s3:::example-site/index.html",
            ),
            Query::new(
                "production",
                "s3:PutObject",
                "arn:aws:s3:::other/index.html",
            ),
            Query::new(
                "production",
                "sts:AssumeRole",
                "arn:aws:iam::222222222222:role/ci-deploy",
            ),
            Query::new(
                "production",
                "sts:AssumeRole",
                "arn:aws:iam::222222222222:role/nope",
            ),
            Query::new("nowhere", "s3:GetObject", "*"),
            Query::new("management", "organizations:DescribeOrganization", "*")
                .context("aws:RequestedRegion", "us-east-1"),
        ];
        for principal in [
            "permission-set:DeveloperAccess",
            "permission-set:AdminAccess",
            "group:AWS-Testers",
            "role:ci-deploy",
        ] {
            for account in ["development", "production", "management", "sandbox"] {
                let Ok(paths) = evaluator.paths(&principal.parse().unwrap(), account) else {
                    continue;
                };
                let together = evaluator.evaluate_all(&paths, &queries);
                assert_eq!(together.len(), queries.len());
                for (query, outcome) in queries.iter().zip(together) {
                    let alone = evaluator.evaluate(&paths, query);
                    let summary = |o: &Outcome<'_, '_>| {
                        (
                            o.decision(),
                            o.paths()
                                .iter()
                                .map(|p| (p.evaluation.decision(), p.evaluation.blocked_by()))
                                .collect::<Vec<_>>(),
                        )
                    };
                    assert_eq!(
                        outcome.as_ref().map(summary).map_err(ToString::to_string),
                        alone.as_ref().map(summary).map_err(ToString::to_string),
                        "{principal} in {account}: {query:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn requests_from_the_path_template_are_the_requests_built_afresh() {
        let model = organization();
        let evaluator = ModelEvaluator::new(&model);
        let queries = [
            Query::new("development", "ec2:DescribeInstances", "*")
                .context("aws:RequestedRegion", "eu-west-1"),
            Query::new("development", "s3:GetObject", "arn:aws:s3:::bucket/key")
                .context("aws:PrincipalArn", "arn:aws:iam::111111111111:role/other")
                .context("AWS:ResourceAccount", "999999999999"),
            Query::new(
                "production",
                "STS:AssumeRole",
                "arn:aws:iam::222222222222:role/ci-deploy",
            ),
            Query::new("production", "sts:AssumeRoleWithWebIdentity", "*")
                .context(
                    "token.actions.githubusercontent.com:sub",
                    "repo:example/app:ref:x",
                )
                .context("token.actions.githubusercontent.com:sub", "two"),
            Query::new("nowhere", "s3:GetObject", "*"),
            Query::new("management", "sts", "*"),
        ];
        let mut compared = BTreeSet::new();
        for principal in [
            "permission-set:DeveloperAccess",
            "group:AWS-Testers",
            "role:ci-deploy",
            "external-account:999999999999",
            "federated:token.actions.githubusercontent.com",
        ] {
            for account in ["development", "production", "management"] {
                let Ok(paths) = evaluator.paths(&principal.parse().unwrap(), account) else {
                    continue;
                };
                for query in &queries {
                    let what = format!("{principal} in {account}: {query:?}");
                    for path in &paths {
                        let id = AccountId::from_static("123456789012");
                        let afresh = evaluator.request(path, id, query);
                        with_request(path, id, query, |r| assert!(*r == afresh, "{what}"));
                        compared.insert(principal);
                    }
                    let evaluated = evaluator.evaluate(&paths, query);
                    let decided = evaluator.decide(&paths, query);
                    assert_eq!(
                        decided.map_err(|e| e.to_string()),
                        evaluated
                            .as_ref()
                            .map(|o| o.decision())
                            .map_err(|e| e.to_string()),
                        "{what}"
                    );
                    let first = evaluator.first_allowed(&paths, query);
                    let expected = evaluated.as_ref().ok().and_then(|o| {
                        o.paths()
                            .iter()
                            .find(|p| p.evaluation.decision().is_allowed())
                            .map(|p| (p.path.label(), format!("{:?}", p.evaluation)))
                    });
                    let found = first.ok().flatten();
                    assert_eq!(
                        found.map(|p| (p.path.label(), format!("{:?}", p.evaluation))),
                        expected,
                        "{what}"
                    );
                }
            }
        }
        assert_eq!(compared.len(), 5, "{compared:?}");
    }

    // The decision, the blocking layer and level, and the (layer, policy, statement) of every
    // statement that applied outside AWS's full-access policies, on the first path.
    fn ask(
        model: &Model,
        principal: &str,
        account: &str,
        action: &str,
        resource: &str,
        context: &[(&str, &str)],
    ) -> Answer {
        let evaluator = ModelEvaluator::new(model);
        let paths = evaluator
            .paths(&principal.parse().unwrap(), account)
            .unwrap();
        let mut query = Query::new(account, action, resource);
        for (k, v) in context {
            query = query.context(*k, *v);
        }
        let outcome = evaluator.evaluate(&paths, &query).unwrap();
        let Some(first) = outcome.paths().first() else {
            return (outcome.decision(), None, None, Vec::new());
        };
        let e = &first.evaluation;
        (
            outcome.decision(),
            e.blocked_by(),
            e.blocked_level().map(str::to_string),
            e.matches()
                .iter()
                .filter(|m| !matches!(m.policy, "FullAWSAccess" | "RCPFullAWSAccess"))
                .map(|m| (m.layer, m.policy.to_string(), m.statement))
                .collect(),
        )
    }

    use Decision::{Allowed, ExplicitlyDenied, ImplicitlyDenied};

    #[test]
    fn an_iam_user_has_its_groups_policies() {
        let m = organization();
        assert_eq!(
            ask(
                &m,
                "iam-user:dev-john",
                "production",
                "ec2:DescribeInstances",
                "*",
                &[]
            ),
            (
                Allowed,
                None,
                None,
                vec![(Layer::Identity, "ReadOnlyAccess".into(), 0)]
            )
        );
        assert_eq!(
            ask(
                &m,
                "iam-user:production/dev-john",
                "production",
                "ec2:RunInstances",
                "*",
                &[]
            )
            .0,
            ImplicitlyDenied
        );
    }

    #[test]
    fn a_role_has_its_inline_policy_on_its_resources_only() {
        let m = organization();
        let site = "arn:aws:s3:::example-site/index.html";
        assert_eq!(
            ask(
                &m,
                "role:ci-deploy",
                "production",
                "s3:PutObject",
                site,
                &[]
            ),
            (
                Allowed,
                None,
                None,
                vec![(Layer::Identity, "Deploy".into(), 0)]
            )
        );
        assert_eq!(
            ask(
                &m,
                "role:ci-deploy",
                "production",
                "s3:PutObject",
                "arn:aws:s3:::other/x",
                &[]
            )
            .1,
            Some(Layer::Identity)
        );
    }

    #[test]
    fn rcps_of_the_resource_account_deny() {
        let m = organization();
        let site = "arn:aws:s3:::example-site/index.html";
        assert_eq!(
            ask(
                &m,
                "role:ci-deploy",
                "production",
                "s3:PutObject",
                site,
                &[("aws:SecureTransport", "false")]
            ),
            (
                ExplicitlyDenied,
                Some(Layer::Rcp),
                Some("Workloads/Prod".into()),
                vec![
                    (Layer::Rcp, "DenyExternalS3".into(), 0),
                    (Layer::Identity, "Deploy".into(), 0)
                ]
            )
        );
    }

    #[test]
    fn a_group_acts_through_its_permission_sets() {
        let m = organization();
        assert_eq!(
            ask(
                &m,
                "group:AWS-Developers",
                "development",
                "ec2:RunInstances",
                "*",
                &[]
            ),
            (
                Allowed,
                None,
                None,
                vec![(Layer::Identity, "PowerUserAccess".into(), 0)]
            )
        );
        assert_eq!(
            ask(
                &m,
                "group:AWS-Developers",
                "development",
                "aws-portal:ViewBilling",
                "*",
                &[]
            ),
            (
                ExplicitlyDenied,
                Some(Layer::Identity),
                None,
                vec![
                    (Layer::Identity, "PowerUserAccess".into(), 0),
                    (Layer::Identity, SSO_INLINE_POLICY.into(), 0)
                ]
            )
        );
        // No permission set in production: no path, implicitly denied.
        assert_eq!(
            ask(
                &m,
                "group:AWS-Developers",
                "production",
                "iam:CreateUser",
                "*",
                &[]
            ),
            (ImplicitlyDenied, None, None, vec![])
        );
        // OU assignments reach the accounts below: testers in development (Workloads/NonProd),
        // through the customer managed policy with its path.
        assert_eq!(
            ask(
                &m,
                "group:AWS-Testers",
                "development",
                "logs:GetLogEvents",
                "*",
                &[]
            ),
            (
                Allowed,
                None,
                None,
                vec![(Layer::Identity, "TesterPolicy".into(), 0)]
            )
        );
    }

    #[test]
    fn an_scp_on_an_ou_denies_and_the_management_account_is_not_governed() {
        let m = organization();
        assert_eq!(
            ask(
                &m,
                "user:alice@example.com",
                "sandbox",
                "ec2:RunInstances",
                "*",
                &[("aws:RequestedRegion", "us-east-1")]
            ),
            (
                ExplicitlyDenied,
                Some(Layer::Scp),
                Some("Sandbox".into()),
                vec![
                    (Layer::Scp, "SandboxRegions".into(), 0),
                    (Layer::Identity, "PowerUserAccess".into(), 0)
                ]
            )
        );
        assert_eq!(
            ask(
                &m,
                "user:alice@example.com",
                "sandbox",
                "ec2:RunInstances",
                "*",
                &[("aws:RequestedRegion", "eu-west-1")]
            )
            .0,
            Allowed
        );
        assert_eq!(
            ask(
                &m,
                "group:AWS-Admins",
                "production",
                "organizations:LeaveOrganization",
                "*",
                &[]
            ),
            (
                ExplicitlyDenied,
                Some(Layer::Scp),
                Some("Root".into()),
                vec![
                    (Layer::Scp, "DenyLeaveOrganization".into(), 0),
                    (Layer::Identity, "AdministratorAccess".into(), 0)
                ]
            )
        );
        assert_eq!(
            ask(
                &m,
                "group:AWS-Admins",
                "management",
                "organizations:LeaveOrganization",
                "*",
                &[]
            ),
            (
                Allowed,
                None,
                None,
                vec![(Layer::Identity, "AdministratorAccess".into(), 0)]
            )
        );
    }

    #[test]
    fn trust_policies_decide_who_assumes_a_role() {
        let m = organization();
        let role = "arn:aws:iam::222222222222:role/partner-access";
        let with_id = [("sts:ExternalId", "acme-7f3b9c")];
        assert_eq!(
            ask(
                &m,
                "external-account:999999999999",
                "production",
                "sts:AssumeRole",
                role,
                &with_id
            ),
            (
                Allowed,
                None,
                None,
                vec![
                    (Layer::Resource, "partner-access trust policy".into(), 0),
                    (Layer::Identity, "external account's own policies".into(), 0)
                ]
            )
        );
        assert_eq!(
            ask(
                &m,
                "external-account:999999999999",
                "production",
                "sts:AssumeRole",
                role,
                &[]
            )
            .1,
            Some(Layer::Resource)
        );
        // Admins of the organization are not named by the trust policy.
        assert_eq!(
            ask(
                &m,
                "group:AWS-Admins",
                "production",
                "sts:AssumeRole",
                role,
                &[]
            )
            .1,
            Some(Layer::Resource)
        );
    }

    #[test]
    fn a_user_has_every_path_of_their_groups() {
        let m = organization();
        let evaluator = ModelEvaluator::new(&m);
        let paths = evaluator
            .paths(&"user:alice@example.com".parse().unwrap(), "development")
            .unwrap();
        let kinds: Vec<&PathKind> = paths.iter().map(AccessPath::kind).collect();
        assert_eq!(
            kinds,
            [
                &PathKind::PermissionSet {
                    name: "AdminAccess".into(),
                    via: vec!["group AWS-Admins".into()]
                },
                &PathKind::PermissionSet {
                    name: "DeveloperAccess".into(),
                    via: vec!["group AWS-Developers".into()]
                },
            ]
        );
        let outcome = evaluator
            .evaluate(&paths, &Query::new("development", "iam:CreateUser", "*"))
            .unwrap();
        assert_eq!(outcome.decision(), Allowed);
        assert_eq!(
            outcome.allowed_path().map(AccessPath::label),
            Some("permission set `AdminAccess`".to_string())
        );
        assert_eq!(
            paths.first().map(|p| p.principal().to_string()),
            Some(format!(
                "arn:aws:sts::444444444444:assumed-role/{}/alice@example.com",
                sso_role_name(AccountId::from_static("111111111111"), "AdminAccess")
            ))
        );
    }

    #[test]
    fn unknown_names_suggest_the_closest() {
        let m = organization();
        let evaluator = ModelEvaluator::new(&m);
        let err = |p: &str, a: &str| {
            evaluator
                .paths(&p.parse().unwrap(), a)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("group:aws-developers", "production"),
            "there is no Identity Center group `aws-developers` in the model (did you mean `AWS-Developers`?)"
        );
        assert_eq!(
            err("role:ci-deplo", "production"),
            "there is no IAM role `ci-deplo` in the model (did you mean `ci-deploy`?)"
        );
        assert_eq!(
            err("role:ci-deploy", "prod"),
            "there is no account `prod` in the model (did you mean `production`?)"
        );
        assert_eq!(
            err("permission-set:Nothing", "production"),
            "there is no permission set `Nothing` in the model"
        );
    }

    #[test]
    fn roles_in_several_accounts_must_be_qualified() {
        let m = crate::model::synthetic::organization(2, 1, 1, 1, 1);
        let evaluator = ModelEvaluator::new(&m);
        assert_eq!(
            evaluator
                .paths(&"role:deploy".parse().unwrap(), "management")
                .unwrap_err()
                .to_string(),
            "IAM role `deploy` is in several accounts (`account-0001`, `account-0002`); name one: `iam-role:ACCOUNT/deploy`"
        );
        assert!(
            evaluator
                .paths(&"role:deploy".parse().unwrap(), "account-0002")
                .is_ok()
        );
    }

    #[test]
    fn every_preset_keeps_its_promises() {
        for preset in &crate::presets::ALL {
            let model = (preset.build)();
            let evaluator = ModelEvaluator::new(&model);
            let checks = evaluator.check_assertions();
            assert!(!checks.is_empty(), "{}", preset.name);
            for a in &checks {
                assert!(a.holds(), "{} {}: {:?}", preset.name, a.pointer(), a);
            }
        }
    }

    #[test]
    fn probes_of_a_principal_agree_with_its_matrix_row() {
        let m = organization();
        let evaluator = ModelEvaluator::new(&m);
        let matrix = evaluator.access_matrix(DEFAULT_REGION);
        for (principal, account) in [
            ("group:AWS-Developers", "development"),
            ("group:AWS-Admins", "production"),
            ("iam-user:production/dev-john", "production"),
            ("iam-role:production/partner-access", "production"),
        ] {
            let paths = evaluator
                .paths(&principal.parse().unwrap(), account)
                .unwrap();
            let decisions = evaluator.probe(&paths, account, DEFAULT_REGION).unwrap();
            let row = matrix
                .rows
                .iter()
                .find(|r| r.principal.to_string() == principal && r.account.as_str() == account)
                .unwrap();
            let expected: Vec<Decision> = row.results.iter().map(|(d, _)| *d).collect();
            assert_eq!(decisions, expected, "{principal} in {account}");
        }
        // One permission set on its own: the developers' only one in development.
        let paths = evaluator
            .paths(
                &"permission-set:DeveloperAccess".parse().unwrap(),
                "development",
            )
            .unwrap();
        let decisions = evaluator
            .probe(&paths, "444444444444", DEFAULT_REGION)
            .unwrap();
        assert_eq!(
            allowed_kinds(decisions),
            [ProbeKind::Read, ProbeKind::Write, ProbeKind::Billing]
        );
        // No path: nothing allowed; an unknown account is an error.
        assert_eq!(
            evaluator.probe(&[], "development", DEFAULT_REGION).unwrap(),
            vec![ImplicitlyDenied; PROBES.len()]
        );
        assert_eq!(
            evaluator
                .probe(&[], "prod", DEFAULT_REGION)
                .unwrap_err()
                .to_string(),
            "there is no account `prod` in the model (did you mean `production`?)"
        );
    }

    #[test]
    fn iam_users_are_probed_signed_in_with_mfa() {
        let preset = crate::presets::ALL
            .iter()
            .find(|p| p.name == "iam-users")
            .unwrap();
        let m = (preset.build)();
        let evaluator = ModelEvaluator::new(&m);
        let matrix = evaluator.access_matrix(DEFAULT_REGION);
        let kinds = |user: &str| {
            matrix
                .rows
                .iter()
                .find(|r| r.principal.to_string() == format!("iam-user:main/{user}"))
                .map(MatrixRow::kinds)
                .unwrap()
        };
        use ProbeKind::{Billing, IamAdmin, Read, Write};
        assert_eq!(kinds("admin-john"), [Read, Write, IamAdmin, Billing]);
        assert_eq!(kinds("dev-john"), [Read, Write]);
        assert_eq!(kinds("finance-lee"), [Billing]);
        // Without MFA, the group's `RequireMfa` policy denies.
        let paths = evaluator
            .paths(&"iam-user:admin-john".parse().unwrap(), "main")
            .unwrap();
        let query = Query::new("main", "ec2:DescribeInstances", "*");
        assert_eq!(
            evaluator.evaluate(&paths, &query).unwrap().decision(),
            ExplicitlyDenied
        );
    }

    #[test]
    fn the_matrix_has_groups_then_iam_principals() {
        let m = organization();
        let matrix = access_matrix(&m);
        let rows: Vec<(String, &str, Vec<ProbeKind>)> = matrix
            .rows
            .iter()
            .map(|r| (r.principal.to_string(), r.account.as_str(), r.kinds()))
            .collect();
        use ProbeKind::{Billing, IamAdmin, Read, Write};
        let all = vec![Read, Write, IamAdmin, Billing];
        let dev = vec![Read, Write, Billing];
        assert_eq!(
            rows,
            vec![
                ("group:AWS-Admins".to_string(), "development", all.clone()),
                ("group:AWS-Admins".to_string(), "management", all.clone()),
                ("group:AWS-Admins".to_string(), "production", all.clone()),
                (
                    "group:AWS-Developers".to_string(),
                    "development",
                    dev.clone()
                ),
                // The sandbox SCP denies every region but eu-west-1, and the probes ask in us-east-1.
                ("group:AWS-Developers".to_string(), "sandbox", vec![]),
                ("group:AWS-Testers".to_string(), "development", vec![]),
                (
                    "iam-role:production/ci-deploy".to_string(),
                    "production",
                    vec![]
                ),
                // ReadOnlyAccess reads Cost Explorer too (`ce:Get*`).
                (
                    "iam-role:production/partner-access".to_string(),
                    "production",
                    vec![Read, Billing]
                ),
                (
                    "iam-role:production/web-server".to_string(),
                    "production",
                    vec![]
                ),
                (
                    "iam-user:production/dev-john".to_string(),
                    "production",
                    vec![Read, Billing]
                ),
            ]
        );
        // In eu-west-1 the sandbox SCP lets developers read and write; Cost Explorer is
        // served from us-east-1 only, so the SCP still denies billing there.
        let sandbox = access_matrix_in(&m, "eu-west-1");
        let row = sandbox
            .rows
            .iter()
            .find(|r| {
                r.principal.to_string() == "group:AWS-Developers" && r.account.as_str() == "sandbox"
            })
            .unwrap();
        assert_eq!(row.kinds(), [Read, Write]);
        let billing = PROBES
            .iter()
            .position(|p| p.action == "ce:GetCostAndUsage")
            .unwrap();
        assert_eq!(row.results[billing].0, ExplicitlyDenied);
    }
}
