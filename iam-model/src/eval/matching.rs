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
use crate::eval::request::{IamPrincipal, IamPrincipalKind, Request, RequestPrincipal, key_hash};
use crate::policy::variable::{self, Piece, Variable};
use crate::policy::{
    ActionClause, AwsPrincipal, Effect, FederatedPrincipal, PolicyDocument, Principal,
    PrincipalClause, Resource, ResourceClause, Statement, Version,
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
        hash: u64,
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
                            hash: key_hash(&key),
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
                VarPiece::Key {
                    lower,
                    hash,
                    default,
                } => match request.values_hashed(*hash, lower).and_then(|v| v.single()) {
                    Some(value) => (value, true),
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
    // Whether the request's principal has a permissions boundary (see `NotPrincipal`).
    pub(crate) boundary: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum CompiledAction {
    Any,
    // Lowercase patterns: without wildcards, with one trailing `*` (kept without it), other.
    Exact(String),
    Prefix(String),
    Pattern(String),
}

/// An action pattern in a policy's flat action table: its kind and its bytes in the table's
/// text. The table keeps the hot path to two contiguous arrays.
#[derive(Debug, Clone, Copy, PartialEq)]
struct FlatAction {
    kind: FlatKind,
    start: u32,
    end: u32,
    // For `FlatKind::Split`, the offset of the `*` in the pattern.
    star: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum FlatKind {
    Any,
    Exact,
    Prefix,
    // One `*` (not at the end) and no `?`: a head and a tail (`s3:*object`).
    Split,
    Pattern,
}

/// The most patterns a statement's match scans whole rather than searching its sorted
/// patterns by the request's service.
const SCAN_UP_TO: usize = 8;

/// Where a statement's patterns are in [`CompiledPolicy`]'s flat lists.
#[derive(Debug, Clone, Copy)]
struct FlatRange {
    first: u32,
    split: u32,
    end: u32,
    not_action: bool,
}

/// Whether a lowercase action pattern starts with a literal `service:` (no wildcard before
/// the first `:`): only actions of that service can match it.
fn has_literal_service(pattern: &str) -> bool {
    pattern
        .split_once(':')
        .is_some_and(|(service, _)| !service.contains(['*', '?']))
}

/// Byte equality written out eight bytes at a time, faster than a `memcmp` call for the
/// short keys compared here (context keys, index keys, action names).
#[inline]
pub(crate) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (a_words, a_rest) = a.as_chunks::<8>();
    let (b_words, b_rest) = b.as_chunks::<8>();
    a_words
        .iter()
        .zip(b_words)
        .all(|(x, y)| u64::from_ne_bytes(*x) == u64::from_ne_bytes(*y))
        && a_rest.iter().zip(b_rest).all(|(x, y)| x == y)
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

/// A policy ready for matching, with its statements indexed by action.
///
/// The index key of an action pattern is its lowercase service prefix, a `:` and the first
/// letter of the action name (`s3:g` for `s3:GetObject` and `s3:Get*`), or just the prefix
/// and `:` when the name starts with a wildcard (`s3:` for `s3:*`). A request for
/// `s3:GetObject` can only match statements under `s3:g`, under `s3:`, or outside the index.
#[derive(Debug, Clone)]
pub(crate) struct CompiledPolicy {
    pub(crate) name: String,
    pub(crate) document: PolicyDocument,
    pub(crate) statements: Vec<CompiledStatement>,
    // Statements whose actions all have a literal service prefix, by index key (sorted by
    // the key's hash); a statement is in the list of each key of its actions.
    by_key: Vec<(u64, String, Vec<usize>)>,
    // An open-addressing table over `by_key`: the key's hash and `index + 1` of the entry
    // (0 when empty); its length is a power of two at least twice the number of keys.
    table: Vec<(u64, u32)>,
    // The other statements (`NotAction`, `*`, wildcard service prefixes).
    generic: Vec<usize>,
    // The action patterns of every statement, flat: per statement the range of its patterns
    // in `flat_actions` (`first..split`: patterns without a literal service prefix, scanned;
    // `split..end`: the others, sorted by text, searched by the request's `service:`) and
    // whether it is `NotAction`; the pattern bytes in `flat_text`. AWS managed policies
    // list thousands of actions in one statement (`ReadOnlyAccess`); a request looks at the
    // few of its service.
    flat_ranges: Vec<FlatRange>,
    flat_actions: Vec<FlatAction>,
    flat_text: String,
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
        let mut by_key: Vec<(u64, String, Vec<usize>)> = Vec::new();
        let mut generic = Vec::new();
        for (index, s) in document.statements().iter().enumerate() {
            match index_keys(s.action()) {
                Some(keys) => {
                    for key in keys {
                        let hash = key_hash(&key);
                        match by_key.iter_mut().find(|(h, k, _)| *h == hash && *k == key) {
                            Some((_, _, list)) => {
                                if list.last() != Some(&index) {
                                    list.push(index);
                                }
                            }
                            None => by_key.push((hash, key, vec![index])),
                        }
                    }
                }
                None => generic.push(index),
            }
        }
        let size = (by_key.len() * 2).max(1).next_power_of_two();
        let mut table = vec![(0u64, 0u32); size];
        let mask = size - 1;
        for (i, (hash, _, _)) in by_key.iter().enumerate() {
            let mut slot = (*hash as usize) & mask;
            while table.get(slot).is_some_and(|(_, e)| *e != 0) {
                slot = (slot + 1) & mask;
            }
            if let Some(e) = table.get_mut(slot) {
                *e = (*hash, u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
        }
        let mut flat_ranges = Vec::with_capacity(statements.len());
        let mut flat_actions = Vec::new();
        let mut flat_text = String::new();
        let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        for statement in &statements {
            let mut patterns: Vec<(FlatKind, &str)> = statement
                .actions
                .iter()
                .map(|action| match action {
                    CompiledAction::Any => (FlatKind::Any, ""),
                    CompiledAction::Exact(t) => (FlatKind::Exact, t.as_str()),
                    CompiledAction::Prefix(t) => (FlatKind::Prefix, t.as_str()),
                    CompiledAction::Pattern(t) => (FlatKind::Pattern, t.as_str()),
                })
                .collect();
            // Scanned ones first, then the others by text (stable: equal texts keep their
            // order, which does not matter to `any`).
            patterns.sort_by_key(|&(_, text)| (has_literal_service(text), text));
            let first = to_u32(flat_actions.len());
            let mut split = None;
            for (kind, text) in patterns {
                if split.is_none() && has_literal_service(text) {
                    split = Some(to_u32(flat_actions.len()));
                }
                let start = to_u32(flat_text.len());
                flat_text.push_str(text);
                let mut star = 0;
                let kind = match (kind, text.find('*')) {
                    (FlatKind::Pattern, Some(at))
                        if !text.contains('?') && text.rfind('*') == Some(at) =>
                    {
                        star = to_u32(at);
                        FlatKind::Split
                    }
                    (kind, _) => kind,
                };
                flat_actions.push(FlatAction {
                    kind,
                    start,
                    end: to_u32(flat_text.len()),
                    star,
                });
            }
            let end = to_u32(flat_actions.len());
            flat_ranges.push(FlatRange {
                first,
                split: split.unwrap_or(end),
                end,
                not_action: statement.not_action,
            });
        }
        Self {
            flat_ranges,
            flat_actions,
            flat_text,
            table,
            name: name.to_string(),
            document,
            statements,
            by_key,
            generic,
        }
    }

    #[inline]
    fn list(&self, hash: u64, request: &Request, letter: bool) -> &[usize] {
        let mask = self.table.len().wrapping_sub(1);
        let mut slot = (hash as usize) & mask;
        while let Some(&(h, entry)) = self.table.get(slot) {
            if entry == 0 {
                break;
            }
            if h == hash
                && let Some((_, key, list)) = self.by_key.get(entry as usize - 1)
                && request.has_index_key(key, letter)
            {
                return list;
            }
            slot = (slot + 1) & mask;
        }
        &[]
    }

    /// Whether statement `index`'s `Action` or `NotAction` covers the request's action.
    #[inline]
    pub(crate) fn action_applies(&self, index: usize, request: &Request) -> bool {
        let Some(range) = self.flat_ranges.get(index) else {
            return false;
        };
        let action = request.action_lower.as_bytes();
        let text = self.flat_text.as_bytes();
        let matches = |a: &FlatAction| {
            let pattern = text
                .get(a.start as usize..a.end as usize)
                .unwrap_or_default();
            match a.kind {
                FlatKind::Any => true,
                FlatKind::Exact => bytes_eq(pattern, action),
                FlatKind::Prefix => action
                    .get(..pattern.len())
                    .is_some_and(|head| bytes_eq(head, pattern)),
                FlatKind::Split => {
                    let (head, tail) = pattern
                        .split_at_checked(a.star as usize)
                        .unwrap_or_default();
                    let tail = tail.get(1..).unwrap_or_default();
                    action.len() >= head.len() + tail.len()
                        && action.get(..head.len()).is_some_and(|h| bytes_eq(h, head))
                        && action
                            .get(action.len() - tail.len()..)
                            .is_some_and(|t| bytes_eq(t, tail))
                }
                FlatKind::Pattern => self
                    .flat_text
                    .get(a.start as usize..a.end as usize)
                    .is_some_and(|p| wildcard::matches(p, &request.action_lower)),
            }
        };
        let all = self
            .flat_actions
            .get(range.first as usize..range.end as usize)
            .unwrap_or_default();
        let matched = if all.len() <= SCAN_UP_TO {
            // A short list is scanned whole: searching would cost more than it saves.
            all.iter().any(matches)
        } else {
            let pattern_of = |a: &FlatAction| {
                text.get(a.start as usize..a.end as usize)
                    .unwrap_or_default()
            };
            let scanned = self
                .flat_actions
                .get(range.first as usize..range.split as usize)
                .unwrap_or_default();
            // The sorted patterns that start with the request's `service:`: a contiguous run.
            let sorted = self
                .flat_actions
                .get(range.split as usize..range.end as usize)
                .unwrap_or_default();
            let service = match action.iter().position(|&b| b == b':') {
                Some(colon) => action.get(..=colon).unwrap_or_default(),
                None => action,
            };
            let from = sorted.partition_point(|a| pattern_of(a) < service);
            scanned.iter().any(matches)
                || sorted
                    .get(from..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|a| pattern_of(a).starts_with(service))
                    .any(matches)
        };
        matched != range.not_action
    }

    /// Whether statement `index` applies to the request, and how strongly it names the
    /// principal (see [`CompiledStatement::applies_beyond_action`]).
    #[inline]
    pub(crate) fn applies(
        &self,
        index: usize,
        request: &Request,
        scratch: &mut Scratch,
    ) -> Option<Grant> {
        if !self.action_applies(index, request) {
            return None;
        }
        self.statements
            .get(index)?
            .applies_beyond_action(request, scratch)
    }

    /// The effect of statement `index`.
    #[inline]
    pub(crate) fn effect(&self, index: usize) -> Option<Effect> {
        self.statements.get(index).map(|s| s.effect)
    }

    /// The statements that may match the request's action, in order.
    #[inline]
    pub(crate) fn candidates<'p>(&'p self, request: &Request) -> impl Iterator<Item = usize> + 'p {
        let [letter, service] = request.index_keys;
        Merge3 {
            lists: [
                self.list(letter, request, true),
                self.list(service, request, false),
                &self.generic,
            ],
        }
    }
}

// The index keys of an `Action` clause whose every action has a literal service prefix;
// `None` when any does not (`*`, `s3*:Get`), or for `NotAction`.
fn index_keys(clause: &ActionClause) -> Option<Vec<String>> {
    let ActionClause::Action(actions) = clause else {
        return None;
    };
    let mut out: Vec<String> = Vec::new();
    for action in actions {
        let service = action.service()?;
        if service.contains(['*', '?']) {
            return None;
        }
        let mut key = service.to_ascii_lowercase();
        key.push(':');
        if let Some(first) = action
            .name()
            .chars()
            .next()
            .filter(|c| !matches!(c, '*' | '?'))
        {
            key.extend(first.to_lowercase());
        }
        if !out.contains(&key) {
            out.push(key);
        }
    }
    Some(out)
}

// Merge three sorted lists of statement indices, without repeats.
struct Merge3<'a> {
    lists: [&'a [usize]; 3],
}

impl Iterator for Merge3<'_> {
    type Item = usize;
    #[inline]
    fn next(&mut self) -> Option<usize> {
        let next = self.lists.iter().filter_map(|l| l.first()).min().copied()?;
        for list in &mut self.lists {
            if let Some((&first, rest)) = list.split_first()
                && first == next
            {
                *list = rest;
            }
        }
        Some(next)
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
                    match text.strip_suffix('*') {
                        _ if !a.has_wildcard() => CompiledAction::Exact(text),
                        Some(prefix) if !prefix.contains(['*', '?']) => {
                            CompiledAction::Prefix(prefix.to_string())
                        }
                        _ => CompiledAction::Pattern(text),
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
                    // "IAM policy elements: Variables and tags", Where you can use policy
                    // variables: in `Resource`, "only in the resource part of the ARN", the
                    // segment after the fifth colon. Elsewhere `${…}` is not substituted,
                    // so it matches only its own text, never an account id or region.
                    Resource::Arn(arn) => CompiledResource::Arn(Box::new([
                        Template::new("arn", false),
                        Template::new(arn.partition(), false),
                        Template::new(arn.service(), false),
                        Template::new(arn.region(), false),
                        Template::new(arn.account(), false),
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

    /// Whether the statement applies to the request once its action is known to be covered;
    /// for statements with a `Principal`, how strongly it names the principal.
    /// Identity-style statements give [`Grant::Exact`].
    #[inline]
    pub(crate) fn applies_beyond_action(
        &self,
        request: &Request,
        scratch: &mut Scratch,
    ) -> Option<Grant> {
        let grant = match &self.principal {
            None => Grant::Exact,
            Some(PrincipalClause::Principal(p)) => principal_grant(p, request.principal())?,
            Some(PrincipalClause::NotPrincipal(p)) => {
                // "Permissions boundaries for IAM entities", Important: "The NotPrincipal
                // element with a Deny effect will always deny any IAM principal that has a
                // permissions boundary policy attached, regardless of the values specified
                // in the NotPrincipal element."
                let boundary_deny = self.effect == Effect::Deny && scratch.boundary;
                if !boundary_deny && principal_grant(p, request.principal()).is_some() {
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
            if !c.holds(request, scratch) {
                return None;
            }
        }
        Some(grant)
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
            let Scratch {
                text: buf, literal, ..
            } = scratch;
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
        // "AWS JSON policy elements: Principal", "Federated user principals": a trust policy
        // names the identity provider (its IAM provider ARN, or a well-known provider name
        // such as `accounts.google.com`) under `Federated`. ARNs compare exactly (no
        // wildcards in principals), provider names case-insensitively (they are DNS names).
        RequestPrincipal::Federated(caller) => {
            if map.federated.iter().flatten().any(|f| match (f, caller) {
                (FederatedPrincipal::Arn(a), FederatedPrincipal::Arn(b)) => {
                    a.as_str() == b.as_str()
                }
                (FederatedPrincipal::Provider(a), FederatedPrincipal::Provider(b)) => {
                    a.eq_ignore_ascii_case(b)
                }
                _ => false,
            }) {
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

    fn statement(json: &str, resource_based: bool) -> CompiledPolicy {
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
        CompiledPolicy::new("p", doc)
    }

    fn request(principal: &str, action: &str, resource: &str) -> Request {
        Request::new(principal.parse().unwrap(), action, resource)
    }

    const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

    fn applies(s: &CompiledPolicy, r: &Request) -> bool {
        s.applies(0, r, &mut Scratch::default()).is_some()
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
        let s = CompiledPolicy::new("p", doc);
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
                    s.applies(0, &request(who, "s3:GetObject", "*"), &mut scratch),
                    Some(Grant::Account),
                    "{who}"
                );
            }
            assert_eq!(
                s.applies(
                    0,
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
            s.applies(0, &request(who, "s3:GetObject", "*"), scratch)
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
            everyone.applies(0, &request("anonymous", "s3:GetObject", "*"), &mut scratch),
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
              {"Effect":"Allow","Action":["ec2:Run*","s3:*"],"Resource":"*"},
              {"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#,
        )
        .unwrap()
        .into_document();
        let p = CompiledPolicy::new("p", doc);
        let indices = |action: &str| {
            p.candidates(&request(ALICE, action, "*"))
                .collect::<Vec<_>>()
        };
        assert_eq!(indices("s3:GetObject"), [0, 1, 2, 3]);
        assert_eq!(indices("s3:PutObject"), [1, 2, 3]);
        assert_eq!(indices("ec2:RunInstances"), [1, 2, 3]);
        assert_eq!(indices("EC2:runinstances"), [1, 2, 3]);
        assert_eq!(indices("iam:CreateUser"), [1, 3]);
        assert_eq!(indices("sts:AssumeRole"), [1, 3]);
    }

    #[test]
    fn a_statement_with_many_actions_looks_at_the_requests_service() {
        // More than `SCAN_UP_TO` patterns: sorted by text, `s3:` patterns sit between `rds:`
        // and `sns:`.
        let s = statement(
            r#"{"Effect":"Allow","Action":["sns:Publish","s3:Get*","rds:Describe*","s3:ListBucket",
                "sqs:Receive*","sns:GetTopic*","s3:*Tagging","ec2:*","kms:Decrypt","lambda:Invoke*",
                "logs:Get*"],"Resource":"*"}"#,
            false,
        );
        for (action, expected) in [
            ("s3:GetObject", true),
            ("s3:ListBucket", true),
            ("s3:ListBuckets", false),
            ("s3:PutBucketTagging", true),
            ("s3:PutObject", false),
            ("sqs:ReceiveMessage", true),
            ("sns:GetTopicAttributes", true),
            ("sns:Publish", true),
            ("sns:PublishBatch", false),
            ("sns:Subscribe", false),
            ("ec2:RunInstances", true),
            ("ec:RunInstances", false),
            ("rds:DescribeDBInstances", true),
            ("kms:Decrypt", true),
            ("kms:Encrypt", false),
            ("lambda:InvokeFunction", true),
            ("s3", false),
        ] {
            assert_eq!(
                applies(&s, &request(ALICE, action, "*")),
                expected,
                "{action}"
            );
        }
    }

    mod action_index {
        use super::*;
        use proptest::prelude::*;

        fn pattern() -> impl Strategy<Value = String> {
            prop_oneof![
                "[abs]{1,3}:[GgLl*?][a-c*]{0,3}",
                "[abs]{1,2}:\\*",
                Just("*".to_string()),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            /// The per-service search finds what a scan of every pattern finds.
            #[test]
            fn the_service_search_agrees_with_a_scan(
                patterns in proptest::collection::vec(pattern(), 1..24),
                action in "[abs]{1,3}:[GgLl][a-c]{0,3}",
                not_action in any::<bool>(),
            ) {
                let clause = if not_action { "NotAction" } else { "Action" };
                let list = serde_json::to_string(&patterns).unwrap_or_default();
                let s = statement(
                    &format!(r#"{{"Effect":"Allow","{clause}":{list},"Resource":"*"}}"#),
                    false,
                );
                let scan = patterns
                    .iter()
                    .any(|p| crate::wildcard::matches_ignore_case(p, &action));
                prop_assert_eq!(applies(&s, &request(ALICE, &action, "*")), scan != not_action);
            }
        }
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
