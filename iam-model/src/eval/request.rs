//! The request to evaluate: who asks, for which action on which resource, with which
//! context keys.
//!
//! Mirrors "Processing the request context" in the IAM User Guide ("Policy evaluation
//! logic"): the principal, the action, the resource, and the request context keys.
use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;
use crate::policy::{AccountId, Arn, FederatedPrincipal, ServicePrincipal};

/// The kind of IAM principal an ARN names, as `aws:PrincipalType` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IamPrincipalKind {
    /// The account root user: `arn:aws:iam::111122223333:root`.
    Root,
    /// An IAM user: `arn:aws:iam::111122223333:user/path/name`.
    User,
    /// An IAM role, standing for a session of that role: `arn:aws:iam::111122223333:role/path/name`.
    Role,
    /// A role session: `arn:aws:sts::111122223333:assumed-role/RoleName/session`.
    AssumedRole,
    /// A federated user session: `arn:aws:sts::111122223333:federated-user/name`.
    FederatedUser,
}

impl IamPrincipalKind {
    /// The value AWS sets in `aws:PrincipalType` ("AWS global condition context keys":
    /// `Account`, `User`, `FederatedUser`, `AssumedRole`, `Anonymous`).
    pub fn principal_type(self) -> &'static str {
        match self {
            Self::Root => "Account",
            Self::User => "User",
            Self::Role | Self::AssumedRole => "AssumedRole",
            Self::FederatedUser => "FederatedUser",
        }
    }
}

/// An IAM or STS principal that makes a request: the account root, a user, a role (session)
/// or a federated user.
///
/// ```
/// use iam_model::eval::{IamPrincipal, IamPrincipalKind};
/// let p: IamPrincipal = "arn:aws:sts::111122223333:assumed-role/Deploy/ci".parse()?;
/// assert_eq!(p.kind(), IamPrincipalKind::AssumedRole);
/// assert_eq!(p.account().as_str(), "111122223333");
/// assert_eq!(p.name(), "Deploy");
/// assert_eq!(p.role_arn().as_deref(), Some("arn:aws:iam::111122223333:role/Deploy"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IamPrincipal {
    arn: String,
    // INVARIANT: `partition` and `name` are byte ranges of `arn` (they follow from it, so
    // equality and hashing are those of the ARN): one string per principal.
    partition: (usize, usize),
    kind: IamPrincipalKind,
    account: AccountId,
    // The user, role or federated user name (without path); empty for the root.
    name: (usize, usize),
    // Whether the role path is `/aws-service-role/`: a service-linked role.
    service_linked: bool,
}

impl IamPrincipal {
    /// The ARN as written.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// The partition (`aws`, `aws-cn`, …).
    pub fn partition(&self) -> &str {
        self.arn
            .get(self.partition.0..self.partition.1)
            .unwrap_or_default()
    }

    /// What kind of principal it is.
    pub fn kind(&self) -> IamPrincipalKind {
        self.kind
    }

    /// The account the principal belongs to.
    pub fn account(&self) -> AccountId {
        self.account
    }

    /// The user, role or federated user name, without path; empty for the root.
    pub fn name(&self) -> &str {
        self.arn.get(self.name.0..self.name.1).unwrap_or_default()
    }

    /// Whether the principal is a service-linked role (its path is `/aws-service-role/`).
    pub fn is_service_linked(&self) -> bool {
        self.service_linked
    }

    /// The IAM role ARN for a role or a role session. For a session the path of the role is
    /// not part of the STS ARN, so the ARN is written without path.
    pub fn role_arn(&self) -> Option<String> {
        match self.kind {
            IamPrincipalKind::Role => Some(self.arn.clone()),
            IamPrincipalKind::AssumedRole => Some(format!(
                "arn:{}:iam::{}:role/{}",
                self.partition(),
                self.account,
                self.name()
            )),
            _ => None,
        }
    }
}

impl FromStr for IamPrincipal {
    type Err = ParseError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason: &'static str| ParseError::Principal {
            kind: "request",
            input: input.to_string(),
            reason,
        };
        let arn: Arn = input
            .parse()
            .map_err(|_| err("expected an IAM or STS principal ARN"))?;
        if arn.has_wildcard() || input.contains("${") {
            return Err(err("a request principal has no wildcards or variables"));
        }
        let resource = arn.resource();
        let (kind, name, service_linked) = match (arn.service(), resource.split_once('/')) {
            ("iam", None) if resource == "root" => (IamPrincipalKind::Root, "", false),
            ("iam", Some(("user", rest))) => (IamPrincipalKind::User, last_segment(rest), false),
            ("iam", Some(("role", rest))) => (
                IamPrincipalKind::Role,
                last_segment(rest),
                rest.starts_with("aws-service-role/"),
            ),
            ("sts", Some(("assumed-role", rest))) => match rest.split_once('/') {
                Some((role, session)) if !role.is_empty() && !session.is_empty() => {
                    (IamPrincipalKind::AssumedRole, role, false)
                }
                _ => return Err(err("expected `assumed-role/ROLE/SESSION`")),
            },
            ("sts", Some(("federated-user", rest))) => {
                (IamPrincipalKind::FederatedUser, rest, false)
            }
            _ => {
                return Err(err(
                    "expected the root, a user, a role, an assumed-role session or a federated user",
                ));
            }
        };
        let account = arn
            .account_id()
            .ok_or_else(|| err("the account id is not 12 digits"))?;
        if kind != IamPrincipalKind::Root && name.is_empty() {
            return Err(err("the principal name is empty"));
        }
        let partition = span_of(arn.as_str(), arn.partition());
        let name = span_of(arn.as_str(), name);
        Ok(Self {
            arn: arn.into_string(),
            partition,
            kind,
            account,
            name,
            service_linked,
        })
    }
}

impl fmt::Debug for IamPrincipal {
    // The fields as they read, not the byte ranges that hold them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IamPrincipal")
            .field("arn", &self.arn)
            .field("partition", &self.partition())
            .field("kind", &self.kind)
            .field("account", &self.account)
            .field("name", &self.name())
            .field("service_linked", &self.service_linked)
            .finish()
    }
}

// The byte range of `part`, a subslice of `whole`, in `whole`; empty when it is not one.
fn span_of(whole: &str, part: &str) -> (usize, usize) {
    let start = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
    match start.checked_add(part.len()) {
        Some(end) if end <= whole.len() && whole.get(start..end) == Some(part) => (start, end),
        _ => (0, 0),
    }
}

fn last_segment(path_and_name: &str) -> &str {
    path_and_name
        .rsplit_once('/')
        .map_or(path_and_name, |(_, name)| name)
}

impl fmt::Display for IamPrincipal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.arn)
    }
}

/// Who makes a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RequestPrincipal {
    /// An IAM user, role (session), federated user or the account root.
    Iam(IamPrincipal),
    /// An AWS service acting with its service principal (`cloudtrail.amazonaws.com`).
    Service(ServicePrincipal),
    /// An unauthenticated request.
    Anonymous,
    /// A web identity (OIDC) or SAML caller, named by the identity provider that signed its
    /// token or assertion: an IAM OIDC or SAML provider ARN
    /// (`arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com`) or a
    /// well-known web identity provider (`accounts.google.com`). Such a caller has no
    /// identity-based policies; it can only call `sts:AssumeRoleWithWebIdentity` or
    /// `sts:AssumeRoleWithSAML`, which a role trust policy with a matching `Federated`
    /// principal must allow (IAM User Guide, "Create a role for OpenID Connect federation"
    /// and "Create a role for SAML 2.0 federation"). The provider's claims
    /// (`token.actions.githubusercontent.com:sub`, `SAML:aud`, …) are context keys the caller
    /// sets with [`Request::context`].
    Federated(FederatedPrincipal),
}

impl RequestPrincipal {
    /// A federated caller from a provider ARN or a well-known provider name.
    ///
    /// ```
    /// use iam_model::eval::RequestPrincipal;
    /// let p = RequestPrincipal::federated(
    ///     "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com")?;
    /// assert_eq!(p.to_string(),
    ///     "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com");
    /// assert!(RequestPrincipal::federated("arn:aws:iam::111122223333:user/alice").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn federated(provider: &str) -> Result<Self, ParseError> {
        let err = |reason: &'static str| ParseError::Principal {
            kind: "request",
            input: provider.to_string(),
            reason,
        };
        let parsed: FederatedPrincipal = provider.parse().map_err(|_| {
            err("expected an OIDC or SAML provider ARN or a provider name such as `accounts.google.com`")
        })?;
        if let FederatedPrincipal::Arn(arn) = &parsed
            && !is_provider_arn(arn)
        {
            return Err(err(
                "expected `arn:PARTITION:iam::ACCOUNT:oidc-provider/HOST` or `…:saml-provider/NAME`",
            ));
        }
        Ok(Self::Federated(parsed))
    }
}

// `arn:aws:iam::111122223333:oidc-provider/…` or `…:saml-provider/…`, without wildcards.
fn is_provider_arn(arn: &Arn) -> bool {
    arn.service() == "iam"
        && arn.account_id().is_some()
        && !arn.has_wildcard()
        && !arn.as_str().contains("${")
        && ["oidc-provider/", "saml-provider/"].iter().any(|p| {
            arn.resource()
                .strip_prefix(p)
                .is_some_and(|n| !n.is_empty())
        })
}

impl FromStr for RequestPrincipal {
    type Err = ParseError;
    /// An OIDC or SAML provider ARN is a federated caller, another ARN an IAM principal,
    /// `anonymous` or `*` is the anonymous principal, anything else is read as a service
    /// principal.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        if input.starts_with("arn:") {
            if (input.contains(":oidc-provider/") || input.contains(":saml-provider/"))
                && let Ok(arn) = input.parse::<Arn>()
                && is_provider_arn(&arn)
            {
                return Ok(Self::Federated(FederatedPrincipal::Arn(arn)));
            }
            input.parse().map(Self::Iam)
        } else if input == "*" || input.eq_ignore_ascii_case("anonymous") {
            Ok(Self::Anonymous)
        } else {
            input.parse().map(Self::Service)
        }
    }
}

impl fmt::Display for RequestPrincipal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Iam(p) => f.write_str(p.arn()),
            Self::Service(s) => f.write_str(s.as_str()),
            Self::Anonymous => f.write_str("anonymous"),
            Self::Federated(p) => write!(f, "{p}"),
        }
    }
}

/// One request: principal, action, resource, the account that owns the resource, and the
/// request context keys.
///
/// Key names are compared case-insensitively, as AWS does; values keep their case. Some keys
/// are filled from the principal and the resource account unless the caller sets them (see
/// [`Request::new`]).
///
/// ```
/// use iam_model::eval::Request;
/// let request = Request::new(
///     "arn:aws:iam::111122223333:user/alice".parse()?,
///     "s3:GetObject",
///     "arn:aws:s3:::reports/2024/q1.csv",
/// )
/// .resource_account("111122223333".parse()?)
/// .context("aws:SourceIp", ["203.0.113.7"]);
/// assert_eq!(request.values("AWS:USERNAME").map(Iterator::collect), Some(vec!["alice"]));
/// assert_eq!(request.values("aws:PrincipalType").map(Iterator::collect), Some(vec!["User"]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Request {
    principal: RequestPrincipal,
    action: String,
    // The action in lowercase, compared with the lowercased action patterns of policies.
    pub(crate) action_lower: String,
    // Hashes of the statement index keys of the action: `service:x` (the service prefix and
    // the first letter of the action name) and `service:` (see `matching::CompiledPolicy`).
    pub(crate) index_keys: [u64; 2],
    // The byte lengths of those keys in `action_lower`.
    index_lengths: [usize; 2],
    resource: String,
    // Byte offsets of the first five `:` of the resource, when it is an ARN.
    pub(crate) resource_colons: Option<[usize; 5]>,
    resource_account: Option<AccountId>,
    // INVARIANT: sorted by key, keys lowercase and unique. Keys and values are spans of
    // `text`, the values of a key a run of `spans`: the context is three allocations however
    // many keys it has, and the evaluator reads it from contiguous memory.
    context: Vec<ContextEntry>,
    text: String,
    spans: Vec<(usize, usize)>,
    // One bit per key present, at `key_bit(hash)`: most condition keys a policy asks for are
    // absent from a request, and the bit says so without a search.
    key_mask: u64,
}

/// One context key of a [`Request`]: its hash, its text and its values in the request's
/// buffers.
#[derive(Debug, Clone, Copy)]
struct ContextEntry {
    hash: u64,
    key: (usize, usize),
    // The range of the key's values in `Request::spans`.
    values: (usize, usize),
    // Whether the caller set the key, so that derived keys never overwrite it.
    explicit: bool,
}

/// The values of a context key ([`Request::values`]), in order.
#[derive(Debug, Clone)]
pub struct Values<'a> {
    text: &'a str,
    spans: std::slice::Iter<'a, (usize, usize)>,
}

impl<'a> Values<'a> {
    /// Whether the key has no values (present, with an empty set).
    pub fn is_empty(&self) -> bool {
        self.spans.len() == 0
    }

    /// The value of a single-valued key; `None` for none or several.
    #[inline]
    pub(crate) fn single(&self) -> Option<&'a str> {
        match self.spans.as_slice() {
            [(start, end)] => self.text.get(*start..*end),
            _ => None,
        }
    }
}

impl<'a> Iterator for Values<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let &(start, end) = self.spans.next()?;
        Some(self.text.get(start..end).unwrap_or_default())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.spans.size_hint()
    }
}

impl ExactSizeIterator for Values<'_> {}

impl PartialEq for Request {
    /// Requests are equal when they ask the same thing with the same context, however their
    /// context was built.
    fn eq(&self, other: &Self) -> bool {
        self.principal == other.principal
            && self.action == other.action
            && self.resource == other.resource
            && self.resource_account == other.resource_account
            && self.context.len() == other.context.len()
            && self.context.iter().zip(&other.context).all(|(a, b)| {
                a.explicit == b.explicit
                    && self.key_text(a) == other.key_text(b)
                    && self.entry_values(a).eq(other.entry_values(b))
            })
    }
}

/// The context keys (and values) a new [`Request`] has room for before it grows.
const INITIAL_KEYS: usize = 16;
/// The bytes of context keys and values a new [`Request`] has room for before it grows.
const INITIAL_TEXT: usize = 640;

impl Request {
    /// A request by `principal` for `action` (`s3:GetObject`) on `resource` (an ARN, or `*`
    /// for actions that do not take a resource).
    ///
    /// These context keys are filled from the principal, as AWS sets them ("AWS global
    /// condition context keys"), unless the caller sets them with [`Request::context`]:
    /// - IAM principals: `aws:PrincipalArn` (for a role session, the role ARN without path,
    ///   since the STS ARN does not carry it), `aws:PrincipalAccount`, `aws:PrincipalType`
    ///   (`Account`, `User`, `AssumedRole`, `FederatedUser`), `aws:PrincipalIsAWSService` =
    ///   `false`; IAM users also `aws:username`; the root also `aws:userid` (the account id).
    ///   `aws:userid` of users and roles is a unique id AWS assigns, so it is not filled.
    /// - Service principals: `aws:PrincipalServiceName` and `aws:PrincipalIsAWSService` = `true`.
    /// - Anonymous requests: `aws:PrincipalType` = `Anonymous`.
    /// - Federated (web identity, SAML) callers: none; set the provider's claims.
    /// - With [`Request::resource_account`]: `aws:ResourceAccount`.
    pub fn new(principal: RequestPrincipal, action: &str, resource: &str) -> Self {
        let action_lower = action.to_ascii_lowercase();
        let (index_keys, index_lengths) = Self::index_of(&action_lower);
        let mut request = Self {
            principal,
            action: action.to_string(),
            action_lower,
            index_keys,
            index_lengths,
            resource: resource.to_string(),
            resource_colons: arn_colons(resource),
            resource_account: None,
            // Room for the principal's keys and a few of the caller's, so that a typical
            // request does not grow its buffers key by key.
            context: Vec::with_capacity(INITIAL_KEYS),
            text: String::with_capacity(INITIAL_TEXT),
            spans: Vec::with_capacity(INITIAL_KEYS),
            key_mask: 0,
        };
        request.fill_principal_keys();
        request
    }

    /// The same request for another action and resource: the principal, the resource
    /// account and the context stay (none of them depends on the action or resource).
    /// Cheaper than building the request again, for callers that ask many questions of one
    /// principal (the access matrix).
    pub(crate) fn retarget(&mut self, action: &str, resource: &str) {
        self.action.clear();
        self.action.push_str(action);
        self.action_lower.clear();
        self.action_lower.push_str(action);
        self.action_lower.make_ascii_lowercase();
        (self.index_keys, self.index_lengths) = Self::index_of(&self.action_lower);
        self.resource.clear();
        self.resource.push_str(resource);
        self.resource_colons = arn_colons(resource);
    }

    /// Make this request a copy of `other`, keeping this one's buffers: a request built
    /// again and again from one template then allocates nothing once the buffers are big
    /// enough (model principals asked question after question).
    pub(crate) fn copy_from(&mut self, other: &Request) {
        // Every field named, so that a new one cannot be left over from an earlier question.
        let Request {
            principal,
            action,
            action_lower,
            index_keys,
            index_lengths,
            resource,
            resource_colons,
            resource_account,
            context,
            text,
            spans,
            key_mask,
        } = other;
        if self.principal != *principal {
            self.principal.clone_from(principal);
        }
        self.action.clone_from(action);
        self.action_lower.clone_from(action_lower);
        self.index_keys = *index_keys;
        self.index_lengths = *index_lengths;
        self.resource.clone_from(resource);
        self.resource_colons = *resource_colons;
        self.resource_account = *resource_account;
        self.context.clone_from(context);
        self.text.clone_from(text);
        self.spans.clone_from(spans);
        self.key_mask = *key_mask;
    }

    // The statement index keys of a lowercase action and their lengths.
    fn index_of(action_lower: &str) -> ([u64; 2], [usize; 2]) {
        match action_lower.find(':') {
            Some(colon) => {
                let service = action_lower.get(..=colon).unwrap_or_default();
                let first = action_lower
                    .get(colon + 1..)
                    .and_then(|name| name.chars().next())
                    .map_or(0, char::len_utf8);
                let letter = action_lower.get(..=colon + first).unwrap_or(service);
                (
                    [key_hash(letter), key_hash(service)],
                    [letter.len(), service.len()],
                )
            }
            // Not `service:name`: only statements outside the index can match.
            None => ([0, 0], [usize::MAX, usize::MAX]),
        }
    }

    fn fill_principal_keys(&mut self) {
        // The principal is moved out while its keys are written, so that they are written
        // straight from its text: no string per derived value.
        let principal = std::mem::replace(&mut self.principal, RequestPrincipal::Anonymous);
        match &principal {
            RequestPrincipal::Iam(p) => {
                let account = p.account();
                match p.kind() {
                    // The role ARN without path, as `IamPrincipal::role_arn` writes it.
                    IamPrincipalKind::AssumedRole => self.set_derived_parts(
                        PRINCIPAL_ARN,
                        &[
                            "arn:",
                            p.partition(),
                            ":iam::",
                            account.as_str(),
                            ":role/",
                            p.name(),
                        ],
                    ),
                    _ => self.set_derived(PRINCIPAL_ARN, p.arn()),
                }
                self.set_derived(PRINCIPAL_ACCOUNT, account.as_str());
                self.set_derived(PRINCIPAL_TYPE, p.kind().principal_type());
                self.set_derived(PRINCIPAL_IS_AWS_SERVICE, "false");
                match p.kind() {
                    IamPrincipalKind::User => self.set_derived(USERNAME, p.name()),
                    IamPrincipalKind::Root => self.set_derived(USERID, account.as_str()),
                    _ => {}
                }
            }
            RequestPrincipal::Service(s) => {
                self.set_derived(PRINCIPAL_SERVICE_NAME, s.as_str());
                self.set_derived(PRINCIPAL_IS_AWS_SERVICE, "true");
            }
            RequestPrincipal::Anonymous => {
                self.set_derived(PRINCIPAL_TYPE, "Anonymous");
            }
            // The provider's claims are the caller's to set; AWS derives no global key
            // from the provider for `AssumeRoleWithWebIdentity`/`AssumeRoleWithSAML`.
            RequestPrincipal::Federated(_) => {}
        }
        self.principal = principal;
    }

    fn set_derived(&mut self, key: DerivedKey, value: &str) {
        self.set_derived_parts(key, &[value]);
    }

    // A derived key whose one value is `parts` joined.
    fn set_derived_parts(&mut self, key: DerivedKey, parts: &[&str]) {
        let first = self.spans.len();
        let text_mark = self.text.len();
        for part in parts {
            self.text.push_str(part);
        }
        self.spans.push((text_mark, self.text.len()));
        self.insert_hashed(key.lower, key.hash, true, (first, text_mark), false);
    }

    fn key_text(&self, entry: &ContextEntry) -> &str {
        self.text.get(entry.key.0..entry.key.1).unwrap_or_default()
    }

    #[inline]
    fn key_bytes(&self, entry: &ContextEntry) -> &[u8] {
        self.text
            .as_bytes()
            .get(entry.key.0..entry.key.1)
            .unwrap_or_default()
    }

    fn entry_values(&self, entry: &ContextEntry) -> Values<'_> {
        Values {
            text: &self.text,
            spans: self
                .spans
                .get(entry.values.0..entry.values.1)
                .unwrap_or_default()
                .iter(),
        }
    }

    // Set a key (any case) to `values`; a derived key (`explicit` false) never replaces one
    // the caller set.
    fn insert<I, S>(&mut self, key: &str, values: I, explicit: bool)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let first = self.spans.len();
        let text_mark = self.text.len();
        for value in values {
            self.push_value(value.as_ref());
        }
        self.insert_hashed(key, key_hash(key), false, (first, text_mark), explicit);
    }

    #[inline]
    fn push_value(&mut self, value: &str) {
        let start = self.text.len();
        self.text.push_str(value);
        self.spans.push((start, self.text.len()));
    }

    // The part of `insert` that does not depend on the values' type: give `key` (with its
    // `key_hash`; `lower` when it is lowercase already) the values pushed since `first`
    // (spans) and `text_mark` (text).
    fn insert_hashed(
        &mut self,
        key: &str,
        hash: u64,
        lower: bool,
        (first, text_mark): (usize, usize),
        explicit: bool,
    ) {
        let range = (first, self.spans.len());
        // Contexts hold a few dozen keys at most: a scan on the hash finds a key set again
        // without comparing text case-insensitively key by key.
        let found = if self.key_mask & key_bit(hash) == 0 {
            None
        } else {
            self.context.iter().position(|e| {
                e.hash == hash
                    && self
                        .key_text(e)
                        .as_bytes()
                        .eq_ignore_ascii_case(key.as_bytes())
            })
        };
        match found {
            Some(i) => {
                let Some(entry) = self.context.get_mut(i) else {
                    return;
                };
                if entry.explicit && !explicit {
                    self.spans.truncate(first);
                    self.text.truncate(text_mark);
                    return;
                }
                entry.values = range;
                entry.explicit |= explicit;
                // The replaced values stay in the buffers until they outweigh the live ones
                // (a request retargeted many times with new context keys keeps its size).
                if self.spans.len() > 2 * self.live_spans() + 16 {
                    self.compact();
                }
            }
            None => {
                let start = self.text.len();
                self.text.push_str(key);
                if !lower && let Some(text) = self.text.get_mut(start..) {
                    text.make_ascii_lowercase();
                }
                let lower = self.text.as_bytes().get(start..).unwrap_or_default();
                // The stored keys are lowercase, so plain byte order is the order of the
                // lowercased keys. Keys often come in order (the principal's do): try the end
                // first.
                let i = match self.context.last() {
                    None => 0,
                    Some(last) if self.key_bytes(last) < lower => self.context.len(),
                    Some(_) => self.context.partition_point(|e| self.key_bytes(e) < lower),
                };
                self.key_mask |= key_bit(hash);
                self.context.insert(
                    i,
                    ContextEntry {
                        hash,
                        key: (start, self.text.len()),
                        values: range,
                        explicit,
                    },
                );
            }
        }
    }

    fn live_spans(&self) -> usize {
        self.context
            .iter()
            .map(|e| e.values.1.saturating_sub(e.values.0))
            .sum()
    }

    // Rewrite the buffers with only the live keys and values.
    fn compact(&mut self) {
        let mut text = String::with_capacity(self.text.len() / 2);
        let mut spans = Vec::with_capacity(self.live_spans());
        let mut context = Vec::with_capacity(self.context.len());
        for entry in &self.context {
            let key_start = text.len();
            text.push_str(self.key_text(entry));
            let key = (key_start, text.len());
            let first = spans.len();
            for value in self.entry_values(entry) {
                let start = text.len();
                text.push_str(value);
                spans.push((start, text.len()));
            }
            context.push(ContextEntry {
                key,
                values: (first, spans.len()),
                ..*entry
            });
        }
        self.text = text;
        self.spans = spans;
        self.context = context;
    }

    /// The account that owns the resource; it decides whether the request is cross-account
    /// and sets `aws:ResourceAccount`. Without it the request is read as same-account.
    pub fn resource_account(mut self, account: AccountId) -> Self {
        self.set_resource_account(account);
        self
    }

    /// [`Request::resource_account`] in place.
    pub(crate) fn set_resource_account(&mut self, account: AccountId) {
        self.resource_account = Some(account);
        self.set_derived(RESOURCE_ACCOUNT, account.as_str());
    }

    /// Set a context key to one or more values (an empty list is a key present with no
    /// values, which `ForAllValues` and `ForAnyValue` treat as an empty set).
    pub fn context<I, S>(mut self, key: &str, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.set_context(key, values);
        self
    }

    /// [`Request::context`] in place.
    pub(crate) fn set_context<I, S>(&mut self, key: &str, values: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.insert(key, values, true);
    }

    /// The principal.
    pub fn principal(&self) -> &RequestPrincipal {
        &self.principal
    }

    /// The account of the principal; `None` for service principals and anonymous requests.
    pub fn principal_account(&self) -> Option<AccountId> {
        match &self.principal {
            RequestPrincipal::Iam(p) => Some(p.account()),
            _ => None,
        }
    }

    /// The action as written.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The resource as written.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The account that owns the resource, if known.
    pub fn resource_account_id(&self) -> Option<AccountId> {
        self.resource_account
    }

    /// The values of a context key (case-insensitive), or `None` when the key is absent.
    pub fn values(&self, key: &str) -> Option<Values<'_>> {
        self.context
            .binary_search_by(|e| cmp_ignore_ascii_case(self.key_text(e), key))
            .ok()
            .and_then(|i| self.context.get(i))
            .map(|e| self.entry_values(e))
    }

    /// Every context key (lowercase) with its values, sorted by key.
    pub fn context_entries(&self) -> impl Iterator<Item = (&str, Values<'_>)> {
        self.context
            .iter()
            .map(|e| (self.key_text(e), self.entry_values(e)))
    }

    /// Whether `key` is the request's index key (with the first letter of the action name,
    /// or without).
    #[inline]
    pub(crate) fn has_index_key(&self, key: &str, letter: bool) -> bool {
        let [with_letter, without] = self.index_lengths;
        let length = if letter { with_letter } else { without };
        self.action_lower
            .as_bytes()
            .get(..length)
            .is_some_and(|head| crate::eval::matching::bytes_eq(head, key.as_bytes()))
    }

    /// The values of a context key given in lowercase with its [`key_hash`]; the hot path of
    /// the evaluator.
    #[inline]
    pub(crate) fn values_hashed(&self, hash: u64, lower: &str) -> Option<Values<'_>> {
        if self.key_mask & key_bit(hash) == 0 {
            return None;
        }
        self.context
            .iter()
            .find(|e| {
                e.hash == hash
                    && crate::eval::matching::bytes_eq(
                        self.key_text(e).as_bytes(),
                        lower.as_bytes(),
                    )
            })
            .map(|e| self.entry_values(e))
    }

    /// The resource segment `index` (0 = `arn` … 5 = the resource part), for ARN resources.
    #[inline]
    pub(crate) fn resource_segment(&self, index: usize) -> Option<&str> {
        let colons = self.resource_colons?;
        let start = match index {
            0 => 0,
            i => colons.get(i - 1)? + 1,
        };
        let end = colons.get(index).copied().unwrap_or(self.resource.len());
        self.resource.get(start..end)
    }
}

/// FNV-1a over the ASCII-lowercased bytes of `text`: a cheap first comparison of keys.
#[inline]
pub(crate) const fn key_hash(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut bytes = text.as_bytes();
    while let [b, rest @ ..] = bytes {
        hash ^= b.to_ascii_lowercase() as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        bytes = rest;
    }
    hash
}

/// A context key the request fills itself, in lowercase and hashed at compile time: the
/// principal's keys cost no hashing or lowercasing per request.
#[derive(Clone, Copy)]
struct DerivedKey {
    lower: &'static str,
    hash: u64,
}

impl DerivedKey {
    const fn new(lower: &'static str) -> Self {
        Self {
            lower,
            hash: key_hash(lower),
        }
    }
}

const PRINCIPAL_ARN: DerivedKey = DerivedKey::new("aws:principalarn");
const PRINCIPAL_ACCOUNT: DerivedKey = DerivedKey::new("aws:principalaccount");
const PRINCIPAL_TYPE: DerivedKey = DerivedKey::new("aws:principaltype");
const PRINCIPAL_IS_AWS_SERVICE: DerivedKey = DerivedKey::new("aws:principalisawsservice");
const PRINCIPAL_SERVICE_NAME: DerivedKey = DerivedKey::new("aws:principalservicename");
const USERNAME: DerivedKey = DerivedKey::new("aws:username");
const USERID: DerivedKey = DerivedKey::new("aws:userid");
const RESOURCE_ACCOUNT: DerivedKey = DerivedKey::new("aws:resourceaccount");

// The bit of a key hash in `Request::key_mask`: its top six bits (FNV-1a's low bits mix
// less).
#[inline]
fn key_bit(hash: u64) -> u64 {
    1 << (hash >> 58)
}

// Compare `stored` (lowercase) with `key` as if `key` were lowercased.
fn cmp_ignore_ascii_case(stored: &str, key: &str) -> std::cmp::Ordering {
    stored
        .bytes()
        .cmp(key.bytes().map(|b| b.to_ascii_lowercase()))
}

fn arn_colons(text: &str) -> Option<[usize; 5]> {
    if !text.starts_with("arn:") {
        return None;
    }
    let mut colons = [0usize; 5];
    let mut found = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b':' {
            if let Some(slot) = colons.get_mut(found) {
                *slot = i;
            }
            found += 1;
            if found == 5 {
                return Some(colons);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(text: &str) -> RequestPrincipal {
        text.parse().unwrap()
    }

    #[test]
    fn principals_parse_by_form() {
        let cases = [
            ("arn:aws:iam::111122223333:root", IamPrincipalKind::Root, ""),
            (
                "arn:aws:iam::111122223333:user/team/alice",
                IamPrincipalKind::User,
                "alice",
            ),
            (
                "arn:aws:iam::111122223333:role/Deploy",
                IamPrincipalKind::Role,
                "Deploy",
            ),
            (
                "arn:aws:sts::111122223333:assumed-role/Deploy/ci",
                IamPrincipalKind::AssumedRole,
                "Deploy",
            ),
            (
                "arn:aws:sts::111122223333:federated-user/bob",
                IamPrincipalKind::FederatedUser,
                "bob",
            ),
        ];
        for (text, kind, name) in cases {
            let RequestPrincipal::Iam(p) = principal(text) else {
                panic!("{text} is an IAM principal")
            };
            assert_eq!((p.kind(), p.name()), (kind, name), "{text}");
        }
        assert_eq!(principal("anonymous"), RequestPrincipal::Anonymous);
        assert!(matches!(
            principal("lambda.amazonaws.com"),
            RequestPrincipal::Service(_)
        ));
    }

    #[test]
    fn malformed_principals_are_errors() {
        assert_eq!(
            "arn:aws:s3:::bucket"
                .parse::<RequestPrincipal>()
                .unwrap_err()
                .to_string(),
            "invalid request principal `arn:aws:s3:::bucket`: expected the root, a user, a role, an assumed-role session or a federated user"
        );
        assert_eq!(
            "arn:aws:iam::111122223333:user/*"
                .parse::<RequestPrincipal>()
                .unwrap_err()
                .to_string(),
            "invalid request principal `arn:aws:iam::111122223333:user/*`: a request principal has no wildcards or variables"
        );
        assert!("lambda".parse::<RequestPrincipal>().is_err());
    }

    #[test]
    fn service_linked_roles_are_recognised_by_path() {
        let RequestPrincipal::Iam(p) = principal(
            "arn:aws:iam::111122223333:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing",
        ) else {
            panic!()
        };
        assert!(p.is_service_linked());
    }

    #[test]
    fn derived_keys_yield_to_explicit_ones() {
        let r = Request::new(
            principal("arn:aws:sts::111122223333:assumed-role/Deploy/ci"),
            "S3:GetObject",
            "arn:aws:s3:::b/k",
        )
        .context(
            "aws:PrincipalArn",
            ["arn:aws:iam::111122223333:role/ci/Deploy"],
        )
        .resource_account(AccountId::from_static("444455556666"));
        assert_eq!(
            r.values("aws:principalarn").map(Iterator::collect),
            Some(vec!["arn:aws:iam::111122223333:role/ci/Deploy"])
        );
        assert_eq!(
            r.values("aws:PrincipalType").map(Iterator::collect),
            Some(vec!["AssumedRole"])
        );
        assert_eq!(
            r.values("aws:ResourceAccount").map(Iterator::collect),
            Some(vec!["444455556666"])
        );
        assert!(r.values("aws:username").is_none());
        assert_eq!(r.action_lower, "s3:getobject");
        assert_eq!(r.resource_segment(2), Some("s3"));
        assert_eq!(r.resource_segment(5), Some("b/k"));
    }

    #[test]
    fn a_retargeted_request_is_the_request_built_for_its_target() {
        let principal = || {
            "arn:aws:iam::111122223333:user/alice"
                .parse::<RequestPrincipal>()
                .unwrap()
        };
        let account = AccountId::from_static("444455556666");
        let mut r = Request::new(principal(), "S3:GetObject", "arn:aws:s3:::b/k")
            .resource_account(account)
            .context("aws:RequestedRegion", ["eu-west-1"]);
        r.retarget("iam:ListUsers", "*");
        r.set_context("aws:RequestedRegion", ["us-east-1"]);
        let built = Request::new(principal(), "iam:ListUsers", "*")
            .resource_account(account)
            .context("aws:RequestedRegion", ["us-east-1"]);
        assert_eq!(r, built);
    }
}
