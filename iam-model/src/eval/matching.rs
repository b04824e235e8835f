//! Policies compiled for matching, and the matching of actions, resources, principals and
//! policy variables.
//!
//! Mirrors the IAM User Guide: "IAM JSON policy elements: Action / NotAction" (action names
//! are case-insensitive, `*` and `?` wildcards), "Resource / NotResource" (ARNs are matched
//! segment by segment, case-sensitively, with wildcards inside each segment; the resource
//! part may hold `:` and `/`), "Principal / NotPrincipal" ("AWS account principals": an
//! account id or its `:root` ARN stands for every principal of the account), and "IAM policy
//! elements: Variables and tags" (`${key}`, `${key, 'default'}`, `${*}`, `${?}`, `${$}`;
//! variables are read only in version `2012-10-17` policies).
use crate::eval::conditions::CompiledCondition;
use crate::eval::request::{IamPrincipal, IamPrincipalKind, Request, RequestPrincipal};
use crate::policy::variable::{self, Piece, Variable};
use crate::policy::{
    ActionClause, AwsPrincipal, Effect, PolicyDocument, Principal, PrincipalClause, Resource,
    ResourceClause, Statement, Version,
};
use crate::wildcard;

/// How strongly a resource-based policy statement names the principal: through its account
/// (a delegation to the account's identity policies), as a role, `*` or a service, or by its
/// exact user or session ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Grant {
    Account,
    Principal,
    Exact,
}

/// A piece of a text with variables.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum VarPiece {
    Text(String),
    Key {
        lower: String,
        default: Option<String>,
    },
    Literal(char),
}

/// A text from a policy that may hold variables.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Template {
    pub(crate) text: String,
    // `Some` when the text holds variables and the policy version reads them.
    pub(crate) pieces: Option<Vec<VarPiece>>,
}

impl Template {
    pub(crate) fn new(text: &str, variables: bool) -> Self {
        let pieces = if variables && variable::has_variables(text) {
            variable::split(text).ok().map(|pieces| {
                pieces
                    .into_iter()
                    .map(|piece| match piece {
                        Piece::Text(t) => VarPiece::Text(t.to_string()),
                        Piece::Variable(Variable::Key { key, default }) => VarPiece::Key {
                            lower: key.to_ascii_lowercase(),
                            default,
                        },
                        Piece::Variable(Variable::Literal(c)) => VarPiece::Literal(c),
                    })
                    .collect()
            })
        } else {
            None
        };
        Self {
            text: text.to_string(),
            pieces,
        }
    }

    /// Substitute the variables from the request context into `out`, with `literal` marking
    /// the bytes that stand for themselves (substituted values and `${*}`-style literals).
    /// `false` when a variable's key is absent (or multivalued) and has no default.
    pub(crate) fn resolve(
        pieces: &[VarPiece],
        request: &Request,
        out: &mut String,
        literal: &mut Vec<bool>,
    ) -> bool {
        out.clear();
        literal.clear();
        for piece in pieces {
            let (text, is_literal): (&str, bool) = match piece {
                VarPiece::Text(t) => (t, false),
                VarPiece::Literal(c) => {
                    out.push(*c);
                    literal.resize(out.len(), true);
                    continue;
                }
                VarPiece::Key { lower, default } => match request.values_lower(lower) {
                    Some([value]) => (value, true),
                    _ => match default {
                        Some(d) => (d, true),
                        None => return false,
                    },
                },
            };
            out.push_str(text);
            literal.resize(out.len(), is_literal);
        }
        true
    }
}

/// Reusable buffers for variable substitution.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    pub(crate) text: String,
    pub(crate) literal: Vec<bool>,
}

#[derive(Debug, Clone, PartialEq)]
enum CompiledAction {
    Any,
    // Lowercase; `exact` when it holds no wildcard.
    Pattern { text: String, exact: bool },
}

#[derive(Debug, Clone, PartialEq)]
enum CompiledResource {
    Any,
    // The six segments `arn`, partition, service, region, account, resource.
    Arn(Box<[Template; 6]>),
}

/// A statement ready for matching.
#[derive(Debug, Clone)]
pub(crate) struct CompiledStatement {
    pub(crate) index: usize,
    pub(crate) sid: Option<String>,
    pub(crate) effect: Effect,
    principal: Option<PrincipalClause>,
    not_action: bool,
    actions: Vec<CompiledAction>,
    not_resource: bool,
    // `None` for statements without `Resource` (role trust policies): the role itself.
    resources: Option<Vec<CompiledResource>>,
    conditions: Vec<CompiledCondition>,
}

/// A policy ready for matching, with its statements indexed by service prefix.
#[derive(Debug, Clone)]
pub(crate) struct CompiledPolicy {
    pub(crate) name: String,
    pub(crate) document: PolicyDocument,
    pub(crate) statements: Vec<CompiledStatement>,
    // Statements whose actions all name a literal service prefix, by prefix (lowercase,
    // sorted); a statement with actions of several services is in each list.
    by_service: Vec<(String, Vec<usize>)>,
    // The other statements (`NotAction`, `*`, wildcard prefixes), by index.
    generic: Vec<usize>,
}

impl CompiledPolicy {
    pub(crate) fn new(name: &str, document: PolicyDocument) -> Self {
        let variables = document.version() == Some(Version::V2012_10_17);
        let statements: Vec<CompiledStatement> = document
            .statements()
            .iter()
            .enumerate()
            .map(|(index, s)| CompiledStatement::new(index, s, variables))
            .collect();
        let mut by_service: Vec<(String, Vec<usize>)> = Vec::new();
        let mut generic = Vec::new();
        for (index, s) in document.statements().iter().enumerate() {
            match literal_services(s.action()) {
                Some(services) => {
                    for service in services {
                        match by_service.binary_search_by(|(k, _)| k.as_str().cmp(&service)) {
                            Ok(i) => {
                                if let Some((_, list)) = by_service.get_mut(i)
                                    && list.last() != Some(&index)
                                {
                                    list.push(index);
                                }
                            }
                            Err(i) => by_service.insert(i, (service, vec![index])),
                        }
                    }
                }
                None => generic.push(index),
            }
        }
        Self {
            name: name.to_string(),
            document,
            statements,
            by_service,
            generic,
        }
    }

    /// The statements that may match an action of `service` (lowercase), in order.
    #[inline]
    pub(crate) fn candidates<'p>(
        &'p self,
        service: &str,
    ) -> impl Iterator<Item = &'p CompiledStatement> + 'p {
        let specific: &[usize] = self
            .by_service
            .binary_search_by(|(k, _)| k.as_str().cmp(service))
            .ok()
            .and_then(|i| self.by_service.get(i))
            .map_or(&[], |(_, list)| list.as_slice());
        MergeSorted {
            a: specific,
            b: &self.generic,
        }
        .filter_map(|i| self.statements.get(i))
    }
}

// The lowercase service prefixes of an `Action` clause whose every action names a literal
// prefix; `None` when any does not (`*`, `s3*:Get`), or for `NotAction`.
fn literal_services(clause: &ActionClause) -> Option<Vec<String>> {
    let ActionClause::Action(actions) = clause else {
        return None;
    };
    let mut out: Vec<String> = Vec::new();
    for action in actions {
        let service = action.service()?;
        if service.contains(['*', '?']) {
            return None;
        }
        let lower = service.to_ascii_lowercase();
        if !out.contains(&lower) {
            out.push(lower);
        }
    }
    Some(out)
}

struct MergeSorted<'a> {
    a: &'a [usize],
    b: &'a [usize],
}

impl Iterator for MergeSorted<'_> {
    type Item = usize;
    #[inline]
    fn next(&mut self) -> Option<usize> {
        match (self.a.split_first(), self.b.split_first()) {
            (Some((&x, ra)), Some((&y, rb))) => {
                if x <= y {
                    self.a = ra;
                    if x == y {
                        self.b = rb;
                    }
                    Some(x)
                } else {
                    self.b = rb;
                    Some(y)
                }
            }
            (Some((&x, ra)), None) => {
                self.a = ra;
                Some(x)
            }
            (None, Some((&y, rb))) => {
                self.b = rb;
                Some(y)
            }
            (None, None) => None,
        }
    }
}

impl CompiledStatement {
    fn new(index: usize, s: &Statement, variables: bool) -> Self {
        let (not_action, action_values) = match s.action() {
            ActionClause::Action(v) => (false, v),
            ActionClause::NotAction(v) => (true, v),
        };
        let actions = action_values
            .iter()
            .map(|a| {
                if a.as_str() == "*" {
                    CompiledAction::Any
                } else {
                    let text = a.as_str().to_ascii_lowercase();
                    CompiledAction::Pattern {
                        exact: !a.has_wildcard(),
                        text,
                    }
                }
            })
            .collect();
        let (not_resource, resources) = match s.resource() {
            None => (false, None),
            Some(ResourceClause::Resource(v)) => (false, Some(v)),
            Some(ResourceClause::NotResource(v)) => (true, Some(v)),
        };
        let resources = resources.map(|values| {
            values
                .iter()
                .map(|r| match r {
                    Resource::Any => CompiledResource::Any,
                    Resource::Arn(arn) => CompiledResource::Arn(Box::new([
                        Template::new("arn", false),
                        Template::new(arn.partition(), variables),
                        Template::new(arn.service(), variables),
                        Template::new(arn.region(), variables),
                        Template::new(arn.account(), variables),
                        Template::new(arn.resource(), variables),
                    ])),
                })
                .collect()
        });
        let conditions = s
            .condition()
            .map(|c| CompiledCondition::compile(c, variables))
            .unwrap_or_default();
        Self {
            index,
            sid: s.sid().map(str::to_string),
            effect: s.effect(),
            principal: s.principal().cloned(),
            not_action,
            actions,
            not_resource,
            resources,
            conditions,
        }
    }

    /// Whether the statement applies to the request; for statements with a `Principal`, how
    /// strongly it names the principal. Identity-style statements give [`Grant::Exact`].
    #[inline]
    pub(crate) fn applies(&self, request: &Request, scratch: &mut Scratch) -> Option<Grant> {
        if self.action_matches(request) == self.not_action {
            return None;
        }
        let grant = match &self.principal {
            None => Grant::Exact,
            Some(PrincipalClause::Principal(p)) => principal_grant(p, request.principal())?,
            Some(PrincipalClause::NotPrincipal(p)) => {
                if principal_grant(p, request.principal()).is_some() {
                    return None;
                }
                Grant::Principal
            }
        };
        if let Some(resources) = &self.resources {
            let mut matched = false;
            for r in resources {
                if resource_matches(r, request, scratch)? {
                    matched = true;
                    break;
                }
            }
            if matched == self.not_resource {
                return None;
            }
        }
        for c in &self.conditions {
            if !c.holds(request, scratch)? {
                return None;
            }
        }
        Some(grant)
    }

    #[inline]
    fn action_matches(&self, request: &Request) -> bool {
        let action = request.action_lower.as_str();
        self.actions.iter().any(|a| match a {
            CompiledAction::Any => true,
            CompiledAction::Pattern { text, exact: true } => text == action,
            CompiledAction::Pattern { text, exact: false } => wildcard::matches(text, action),
        })
    }
}

// `Some(matched)`, or `None` when a variable cannot be resolved.
#[inline]
fn resource_matches(
    r: &CompiledResource,
    request: &Request,
    scratch: &mut Scratch,
) -> Option<bool> {
    let segments = match r {
        CompiledResource::Any => return Some(true),
        CompiledResource::Arn(segments) => segments,
    };
    // A request for `*` (an action without a resource type) is matched only by `*`.
    if request.resource_colons.is_none() {
        return Some(false);
    }
    for (i, template) in segments.iter().enumerate().skip(1) {
        let Some(text) = request.resource_segment(i) else {
            return Some(false);
        };
        if !template_matches(template, text, request, scratch)? {
            return Some(false);
        }
    }
    Some(true)
}

/// Match a text against a wildcard template, substituting variables; `None` when a variable
/// cannot be resolved.
#[inline]
pub(crate) fn template_matches(
    template: &Template,
    text: &str,
    request: &Request,
    scratch: &mut Scratch,
) -> Option<bool> {
    match &template.pieces {
        None => Some(wildcard::matches(&template.text, text)),
        Some(pieces) => {
            let Scratch { text: buf, literal } = scratch;
            if !Template::resolve(pieces, request, buf, literal) {
                return None;
            }
            Some(wildcard::matches_with_literals(buf, literal, text))
        }
    }
}

/// Match an ARN value against an ARN pattern segment by segment, as `ArnLike` does; `false`
/// when either is not an ARN.
pub(crate) fn arn_like(pattern: &str, literal: Option<&[bool]>, value: &str) -> bool {
    let (Some(p), Some(v)) = (split_arn(pattern), split_arn(value)) else {
        return false;
    };
    p.iter().zip(v.iter()).all(|(&(ps, pe), &(vs, ve))| {
        let (Some(pat), Some(val)) = (pattern.get(ps..pe), value.get(vs..ve)) else {
            return false;
        };
        match literal.and_then(|l| l.get(ps..pe)) {
            Some(mask) => wildcard::matches_with_literals(pat, mask, val),
            None => wildcard::matches(pat, val),
        }
    })
}

// Byte ranges of the six segments of an ARN.
fn split_arn(text: &str) -> Option<[(usize, usize); 6]> {
    if !text.starts_with("arn:") {
        return None;
    }
    let mut out = [(0usize, 0usize); 6];
    let mut start = 0;
    let mut found = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b':' && found < 5 {
            if let Some(slot) = out.get_mut(found) {
                *slot = (start, i);
            }
            start = i + 1;
            found += 1;
        }
    }
    if found < 5 {
        return None;
    }
    if let Some(slot) = out.get_mut(5) {
        *slot = (start, text.len());
    }
    Some(out)
}

/// How a `Principal` names the request's principal, if it does.
pub(crate) fn principal_grant(principal: &Principal, request: &RequestPrincipal) -> Option<Grant> {
    let map = match principal {
        // `"Principal": "*"`: everyone, including anonymous requests and services.
        Principal::Any => return Some(Grant::Principal),
        Principal::Typed(map) => map,
    };
    let mut best: Option<Grant> = None;
    let mut raise = |g: Grant| {
        if best.is_none_or(|b| g > b) {
            best = Some(g);
        }
    };
    match request {
        RequestPrincipal::Iam(p) => {
            for aws in map.aws.iter().flatten() {
                if let Some(g) = aws_grant(aws, p) {
                    raise(g);
                }
            }
        }
        RequestPrincipal::Anonymous => {
            if map
                .aws
                .iter()
                .flatten()
                .any(|a| matches!(a, AwsPrincipal::Any))
            {
                raise(Grant::Principal);
            }
        }
        RequestPrincipal::Service(s) => {
            if map
                .service
                .iter()
                .flatten()
                .any(|x| x.as_str().eq_ignore_ascii_case(s.as_str()))
            {
                raise(Grant::Principal);
            }
        }
    }
    best
}

fn aws_grant(aws: &AwsPrincipal, p: &IamPrincipal) -> Option<Grant> {
    match aws {
        AwsPrincipal::Any => Some(Grant::Principal),
        AwsPrincipal::Account(id) => (*id == p.account()).then_some(Grant::Account),
        AwsPrincipal::Arn(arn) => {
            if arn.partition() != p.partition() || arn.account_id() != Some(p.account()) {
                return None;
            }
            let resource = arn.resource();
            if arn.service() == "iam" && resource == "root" {
                return Some(Grant::Account);
            }
            if arn.as_str() == p.arn() {
                // Naming a role (not one of its sessions) is not an exact grant to a session.
                return Some(if p.kind() == IamPrincipalKind::Role {
                    Grant::Principal
                } else {
                    Grant::Exact
                });
            }
            // A role ARN names every session of the role; the STS session ARN has no path.
            if p.kind() == IamPrincipalKind::AssumedRole
                && arn.service() == "iam"
                && let Some(path_and_name) = resource.strip_prefix("role/")
            {
                let name = path_and_name
                    .rsplit_once('/')
                    .map_or(path_and_name, |(_, n)| n);
                if name == p.name() {
                    return Some(Grant::Principal);
                }
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Policy, kind};

    fn statement(json: &str, resource_based: bool) -> CompiledStatement {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":{json}}}"#);
        let doc = if resource_based {
            Policy::<kind::ResourceBased>::from_json(&text)
                .unwrap()
                .into_document()
        } else {
            Policy::<kind::Identity>::from_json(&text)
                .unwrap()
                .into_document()
        };
        CompiledPolicy::new("p", doc).statements.remove(0)
    }

    fn request(principal: &str, action: &str, resource: &str) -> Request {
        Request::new(principal.parse().unwrap(), action, resource)
    }

    const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

    fn applies(s: &CompiledStatement, r: &Request) -> bool {
        s.applies(r, &mut Scratch::default()).is_some()
    }

    #[test]
    fn actions_match_case_insensitively_with_wildcards() {
        let s = statement(
            r#"{"Effect":"Allow","Action":["s3:Get*","ec2:Describe?pcs"],"Resource":"*"}"#,
            false,
        );
        for (action, expected) in [
            ("s3:GetObject", true),
            ("S3:GETOBJECT", true),
            ("s3:PutObject", false),
            ("ec2:DescribeVpcs", true),
            ("ec2:DescribeVVpcs", false),
            ("s3x:GetObject", false),
        ] {
            assert_eq!(
                applies(&s, &request(ALICE, action, "*")),
                expected,
                "{action}"
            );
        }
    }

    #[test]
    fn not_action_matches_every_other_action() {
        let s = statement(
            r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#,
            false,
        );
        assert!(applies(&s, &request(ALICE, "s3:GetObject", "*")));
        assert!(!applies(&s, &request(ALICE, "IAM:CreateUser", "*")));
    }

    #[test]
    fn arns_match_segment_by_segment_and_case_sensitively() {
        let s = statement(
            r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}"#,
            false,
        );
        for (resource, expected) in [
            ("arn:aws:s3:::reports/a/b:c", true),
            ("arn:aws:s3:::Reports/a", false),
            ("arn:aws:s3:::reportsx", false),
            ("arn:aws:s3:us-east-1::reports/a", false),
            ("*", false),
            ("reports/a", false),
        ] {
            assert_eq!(
                applies(&s, &request(ALICE, "s3:GetObject", resource)),
                expected,
                "{resource}"
            );
        }
        let region = statement(
            r#"{"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:*:111122223333:instance/*"}"#,
            false,
        );
        assert!(applies(
            &region,
            &request(
                ALICE,
                "ec2:StartInstances",
                "arn:aws:ec2:eu-west-1:111122223333:instance/i-1"
            )
        ));
        // A wildcard in one segment does not reach into the next one.
        assert!(!applies(
            &region,
            &request(
                ALICE,
                "ec2:StartInstances",
                "arn:aws:ec2:eu:west:111122223333:instance/i-1"
            )
        ));
    }

    #[test]
    fn not_resource_matches_every_other_resource() {
        let s = statement(
            r#"{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::public/*"}"#,
            false,
        );
        assert!(!applies(
            &s,
            &request(ALICE, "s3:GetObject", "arn:aws:s3:::public/x")
        ));
        assert!(applies(
            &s,
            &request(ALICE, "s3:GetObject", "arn:aws:s3:::private/x")
        ));
        assert!(applies(&s, &request(ALICE, "s3:ListAllMyBuckets", "*")));
    }

    #[test]
    fn variables_in_resources_come_from_the_request() {
        let s = statement(
            r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}"#,
            false,
        );
        assert!(applies(
            &s,
            &request(ALICE, "s3:GetObject", "arn:aws:s3:::home/alice/x")
        ));
        assert!(!applies(
            &s,
            &request(ALICE, "s3:GetObject", "arn:aws:s3:::home/bob/x")
        ));
        // A role session has no aws:username: the statement does not apply.
        let role = "arn:aws:sts::111122223333:assumed-role/R/s";
        assert!(!applies(
            &s,
            &request(role, "s3:GetObject", "arn:aws:s3:::home/alice/x")
        ));
        let default = statement(
            r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username,'shared'}/*"}"#,
            false,
        );
        assert!(applies(
            &default,
            &request(role, "s3:GetObject", "arn:aws:s3:::home/shared/x")
        ));
        let literal = statement(
            r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${*}"}"#,
            false,
        );
        assert!(applies(
            &literal,
            &request(ALICE, "s3:GetObject", "arn:aws:s3:::b/*")
        ));
        assert!(!applies(
            &literal,
            &request(ALICE, "s3:GetObject", "arn:aws:s3:::b/x")
        ));
    }

    #[test]
    fn variables_are_literal_text_before_version_2012() {
        let doc = Policy::<kind::Identity>::from_json(
            r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}"}}"#,
        )
        .unwrap()
        .into_document();
        let s = CompiledPolicy::new("p", doc).statements.remove(0);
        assert!(applies(
            &s,
            &request(ALICE, "s3:GetObject", "arn:aws:s3:::home/${aws:username}")
        ));
        assert!(!applies(
            &s,
            &request(ALICE, "s3:GetObject", "arn:aws:s3:::home/alice")
        ));
    }

    #[test]
    fn account_principals_cover_the_account() {
        for principal in [r#""111122223333""#, r#""arn:aws:iam::111122223333:root""#] {
            let s = statement(
                &format!(
                    r#"{{"Effect":"Allow","Principal":{{"AWS":{principal}}},"Action":"s3:*","Resource":"*"}}"#
                ),
                true,
            );
            let mut scratch = Scratch::default();
            for who in [
                ALICE,
                "arn:aws:iam::111122223333:root",
                "arn:aws:sts::111122223333:assumed-role/R/s",
            ] {
                assert_eq!(
                    s.applies(&request(who, "s3:GetObject", "*"), &mut scratch),
                    Some(Grant::Account),
                    "{who}"
                );
            }
            assert_eq!(
                s.applies(
                    &request("arn:aws:iam::444455556666:user/alice", "s3:GetObject", "*"),
                    &mut scratch
                ),
                None
            );
        }
    }

    #[test]
    fn principals_by_arn_anonymous_and_service() {
        let s = statement(
            r#"{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:role/team/Deploy"],"Service":"lambda.amazonaws.com"},"Action":"s3:*","Resource":"*"}"#,
            true,
        );
        let mut scratch = Scratch::default();
        let grant = |who: &str, scratch: &mut Scratch| {
            s.applies(&request(who, "s3:GetObject", "*"), scratch)
        };
        assert_eq!(grant(ALICE, &mut scratch), Some(Grant::Exact));
        assert_eq!(
            grant(
                "arn:aws:sts::111122223333:assumed-role/Deploy/s",
                &mut scratch
            ),
            Some(Grant::Principal)
        );
        assert_eq!(
            grant("arn:aws:iam::111122223333:user/bob", &mut scratch),
            None
        );
        assert_eq!(
            grant("lambda.amazonaws.com", &mut scratch),
            Some(Grant::Principal)
        );
        assert_eq!(grant("sns.amazonaws.com", &mut scratch), None);
        assert_eq!(grant("anonymous", &mut scratch), None);
        let everyone = statement(
            r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}"#,
            true,
        );
        assert_eq!(
            everyone.applies(&request("anonymous", "s3:GetObject", "*"), &mut scratch),
            Some(Grant::Principal)
        );
    }

    #[test]
    fn not_principal_applies_to_everyone_else() {
        let s = statement(
            r#"{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:*","Resource":"*"}"#,
            true,
        );
        assert!(!applies(&s, &request(ALICE, "s3:GetObject", "*")));
        assert!(applies(
            &s,
            &request("arn:aws:iam::111122223333:user/bob", "s3:GetObject", "*")
        ));
        assert!(applies(&s, &request("anonymous", "s3:GetObject", "*")));
    }

    #[test]
    fn statements_are_indexed_by_service() {
        let doc = Policy::<kind::Identity>::from_json(
            r#"{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
              {"Effect":"Allow","Action":"*","Resource":"*"},
              {"Effect":"Allow","Action":["ec2:RunInstances","s3:PutObject"],"Resource":"*"},
              {"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#,
        )
        .unwrap()
        .into_document();
        let p = CompiledPolicy::new("p", doc);
        let indices = |service: &str| p.candidates(service).map(|s| s.index).collect::<Vec<_>>();
        assert_eq!(indices("s3"), [0, 1, 2, 3]);
        assert_eq!(indices("ec2"), [1, 2, 3]);
        assert_eq!(indices("iam"), [1, 3]);
    }

    #[test]
    fn arn_like_compares_segments() {
        assert!(arn_like(
            "arn:aws:iam::*:role/Admin*",
            None,
            "arn:aws:iam::111122223333:role/AdminX"
        ));
        assert!(!arn_like(
            "arn:aws:iam::*:role/Admin*",
            None,
            "arn:aws:iam::111122223333:user/Admin"
        ));
        assert!(!arn_like("arn:aws:iam::*:role/*", None, "not-an-arn"));
        // A pattern with fewer than six segments is not an ARN pattern.
        assert!(!arn_like(
            "arn:aws:sqs:*",
            None,
            "arn:aws:sqs:eu-west-1:1:q"
        ));
    }
}
