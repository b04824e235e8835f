//! Conditional access for `who-can`: principals that are allowed only when the request
//! carries context values the query does not give (an ExternalId, MFA, a source IP range,
//! an OIDC `sub`), with the conditions that must hold.
//!
//! - [`ModelEvaluator::conditional_grant`]: for a principal denied a query, the conditions
//!   of the statements that cover the action on its paths name context keys the request
//!   lacks. Each gets a value that satisfies an `Allow` statement's condition (or makes a
//!   `Deny` statement's negated condition false: `BoolIfExists aws:MultiFactorAuthPresent
//!   false` asks for `true`), the query is evaluated again with them, and if it is then
//!   allowed, the values it does not need are dropped one by one. What remains are the
//!   conditions reported. The evaluator decides every step, so explicit denies, SCPs,
//!   boundaries and trust policies keep their say.
//! - [`ModelEvaluator::who_can_federated`]: the identity providers (OIDC or SAML) that a
//!   role's trust policy lets assume the role, read from its `Federated` principals with
//!   their statements' conditions.
//!
//! Operators for which no value can be chosen (dates, binary, `Null`, negated operators in
//! an `Allow`) are left out: access that needs them is not found.
use std::collections::BTreeSet;
use std::fmt;

use super::{AccessPath, ModelEvaluator, PathOutcome, Query, ResolveError};
use crate::eval::matching::CompiledPolicy;
use crate::eval::{Request, RequestPrincipal};
use crate::model::names::AccountName;
use crate::policy::condition::{ConditionOperator, Operator, SetQualifier};
use crate::policy::{
    AccountId, ConditionValue, Effect, FederatedPrincipal, Principal, PrincipalClause, Statement,
};

/// A condition a request must meet, as a policy states it (`sts:ExternalId` `StringEquals`
/// `acme-7f3b9c2e4d1a`).
///
/// ```
/// use iam_model::eval::model::RequiredCondition;
/// use iam_model::policy::condition::{ConditionOperator, Operator};
/// let c = RequiredCondition {
///     operator: ConditionOperator::new(Operator::StringEquals),
///     key: "sts:ExternalId".to_string(),
///     values: vec!["acme-7f3b9c2e4d1a".to_string()],
/// };
/// assert_eq!(c.to_string(), "sts:ExternalId = \"acme-7f3b9c2e4d1a\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RequiredCondition {
    /// The operator; for a condition read from a `Deny` statement, its negation (what the
    /// request must meet to escape the deny).
    pub operator: ConditionOperator,
    /// The context key, as written.
    pub key: String,
    /// The values; the request must match one of them.
    pub values: Vec<String>,
}

impl fmt::Display for RequiredCondition {
    /// `KEY = "v"`, `KEY like "repo:org/app:*"`, `KEY in 203.0.113.0/24`,
    /// `KEY < 3600`, `KEY = true`; several values joined by ` or `; other operators as
    /// `KEY OPERATOR values`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Operator as O;
        let plain = self.operator.qualifier().is_none() && !self.operator.if_exists();
        let (symbol, quoted) = match self.operator.operator() {
            _ if !plain => (None, true),
            O::StringEquals | O::ArnEquals => (Some("="), true),
            O::StringNotEquals | O::ArnNotEquals => (Some("!="), true),
            O::StringLike | O::ArnLike => (Some("like"), true),
            O::StringNotLike | O::ArnNotLike => (Some("not like"), true),
            O::IpAddress => (Some("in"), false),
            O::NotIpAddress => (Some("not in"), false),
            O::Bool | O::NumericEquals => (Some("="), false),
            O::NumericNotEquals => (Some("!="), false),
            O::NumericLessThan => (Some("<"), false),
            O::NumericLessThanEquals => (Some("<="), false),
            O::NumericGreaterThan => (Some(">"), false),
            O::NumericGreaterThanEquals => (Some(">="), false),
            _ => (None, true),
        };
        let values: Vec<String> = self
            .values
            .iter()
            .map(|v| if quoted { format!("{v:?}") } else { v.clone() })
            .collect();
        match symbol {
            Some(symbol) => write!(f, "{} {symbol} {}", self.key, values.join(" or ")),
            None => write!(f, "{} {} {}", self.key, self.operator, values.join(" or ")),
        }
    }
}

/// A principal denied a query that is allowed when conditions hold.
#[derive(Debug, Clone)]
pub(super) struct ConditionalGrant<'p, 'e> {
    /// The path that allows, evaluated with context values that meet the conditions.
    pub(super) allowed: PathOutcome<'p, 'e>,
    /// The conditions, in the order the policies state them.
    pub(super) conditions: Vec<RequiredCondition>,
}

/// One condition of a statement, with the value chosen to meet it.
#[derive(Debug, Clone)]
struct Clause {
    required: RequiredCondition,
    value: String,
}

impl<'m> ModelEvaluator<'m> {
    /// For paths denied `query`: the conditions under which one of them is allowed, and
    /// that path's evaluation then (see the module docs); `None` when no context values
    /// the query leaves out would allow it.
    pub(super) fn conditional_grant<'p, 'e>(
        &'e self,
        paths: &'p [AccessPath<'e>],
        query: &Query,
    ) -> Result<Option<ConditionalGrant<'p, 'e>>, ResolveError> {
        let clauses = self.open_clauses(paths, query)?;
        if clauses.is_empty() {
            return Ok(None);
        }
        let allowed = |chosen: &[&Clause]| -> Result<Option<PathOutcome<'p, 'e>>, ResolveError> {
            let query = chosen.iter().fold(query.clone(), |q, c| {
                q.context(c.required.key.clone(), c.value.clone())
            });
            self.first_allowed(paths, &query)
        };
        let mut chosen: Vec<&Clause> = clauses.iter().collect();
        let Some(mut best) = allowed(&chosen)? else {
            return Ok(None);
        };
        // Drop the values the access does not need, one at a time, in order.
        let mut i = 0;
        while i < chosen.len() {
            let mut without = chosen.clone();
            without.remove(i);
            match allowed(&without)? {
                Some(outcome) => {
                    chosen = without;
                    best = outcome;
                }
                None => i += 1,
            }
        }
        Ok(Some(ConditionalGrant {
            allowed: best,
            conditions: chosen.into_iter().map(|c| c.required.clone()).collect(),
        }))
    }

    /// The conditions on keys the request lacks, of the statements that cover the query's
    /// action on each path, one per key (the first one stated), each with a value that
    /// meets it.
    fn open_clauses(
        &self,
        paths: &[AccessPath<'_>],
        query: &Query,
    ) -> Result<Vec<Clause>, ResolveError> {
        let resource_account = self.account(&query.account)?;
        let resource_policy = self.resource_policy(&query.action, &query.resource);
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut clauses = Vec::new();
        for path in paths {
            let request = self.request(path, resource_account.account.id(), query);
            let policies = path
                .identity
                .iter()
                .copied()
                .chain(path.boundaries.iter().copied())
                .chain(
                    path.scps
                        .iter()
                        .flat_map(|l| l.policies.iter().map(|p| &**p)),
                )
                .chain(
                    resource_account
                        .rcps
                        .iter()
                        .flat_map(|l| l.policies.iter().map(|p| &**p)),
                )
                .chain(resource_policy);
            for policy in policies {
                for clause in statement_clauses(policy, &request) {
                    if seen.insert(clause.required.key.to_ascii_lowercase()) {
                        clauses.push(clause);
                    }
                }
            }
        }
        Ok(clauses)
    }

    /// The identity providers whose users may assume the model role `query` names by its
    /// ARN (for `sts:AssumeRoleWithWebIdentity`, `sts:AssumeRoleWithSAML` or any action of
    /// the role's trust policy), with the conditions of the trust statement that lets them
    /// in. A provider that a `Deny` statement without conditions names for the action is
    /// left out. Conditions of `Deny` statements and RCPs are not weighed.
    ///
    /// ```
    /// use iam_model::eval::model::{ModelEvaluator, Query};
    /// let model = iam_model::model::Model::from_json(include_str!("../../../../examples/small-team.json"))?;
    /// let evaluator = ModelEvaluator::new(&model);
    /// let query = Query::new("*", "sts:AssumeRoleWithWebIdentity",
    ///     "arn:aws:iam::888888888888:role/github-deploy");
    /// let found = evaluator.who_can_federated(&query);
    /// assert_eq!(found.len(), 1);
    /// assert_eq!(found[0].provider,
    ///     "arn:aws:iam::888888888888:oidc-provider/token.actions.githubusercontent.com");
    /// let conditions: Vec<String> = found[0].conditions.iter().map(|c| c.to_string()).collect();
    /// assert_eq!(conditions, [
    ///     "token.actions.githubusercontent.com:aud = \"sts.amazonaws.com\"",
    ///     "token.actions.githubusercontent.com:sub = \"repo:example/app:environment:production\"",
    /// ]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn who_can_federated(&self, query: &Query) -> Vec<FederatedGrantee> {
        let Some(trust) = self.resource_policy(&query.action, &query.resource) else {
            return Vec::new();
        };
        let Some(account) = query
            .resource
            .split(':')
            .nth(4)
            .and_then(|id| id.parse::<AccountId>().ok())
            .and_then(|id| self.by_id.get(&id).copied())
            .and_then(|name| self.accounts.get(name))
            .map(|parts| parts.name.clone())
        else {
            return Vec::new();
        };
        if query.account != "*"
            && self
                .account_name(&query.account)
                .is_ok_and(|a| *a != account)
        {
            return Vec::new();
        }
        let role = query
            .resource
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let request = Request::new(RequestPrincipal::Anonymous, &query.action, &query.resource);
        let covering = || {
            trust
                .document
                .statements()
                .iter()
                .enumerate()
                .filter(|(i, _)| trust.action_applies(*i, &request))
        };
        let denied: BTreeSet<String> = covering()
            .filter(|(_, s)| s.effect() == Effect::Deny && s.condition().is_none())
            .flat_map(|(_, s)| federated(s))
            .collect();
        let everyone_denied = covering().any(|(_, s)| {
            s.effect() == Effect::Deny
                && s.condition().is_none()
                && matches!(
                    s.principal(),
                    Some(PrincipalClause::Principal(Principal::Any))
                )
        });
        if everyone_denied {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (index, statement) in covering().filter(|(_, s)| s.effect() == Effect::Allow) {
            for provider in federated(statement) {
                if denied.contains(&provider) {
                    continue;
                }
                out.push(FederatedGrantee {
                    provider,
                    account: account.clone(),
                    role: role.clone(),
                    statement: index,
                    sid: statement.sid().map(str::to_string),
                    conditions: written_conditions(statement),
                });
            }
        }
        out
    }
}

/// An identity provider allowed to assume a role, by [`ModelEvaluator::who_can_federated`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederatedGrantee {
    /// The `Federated` principal as written: an OIDC or SAML provider ARN, or a web
    /// identity provider name (`cognito-identity.amazonaws.com`).
    pub provider: String,
    /// The role's account.
    pub account: AccountName,
    /// The role name.
    pub role: String,
    /// The index of the trust statement that allows.
    pub statement: usize,
    /// Its `Sid`.
    pub sid: Option<String>,
    /// Its conditions, as written (the claims the provider's token must carry).
    pub conditions: Vec<RequiredCondition>,
}

/// The `Federated` principals a statement names.
fn federated(statement: &Statement) -> Vec<String> {
    match statement.principal() {
        Some(PrincipalClause::Principal(Principal::Typed(map))) => map
            .federated
            .iter()
            .flat_map(|list| list.iter())
            .map(FederatedPrincipal::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// Every condition of a statement as written.
fn written_conditions(statement: &Statement) -> Vec<RequiredCondition> {
    let Some(condition) = statement.condition() else {
        return Vec::new();
    };
    condition
        .iter()
        .flat_map(|(operator, keys)| {
            keys.iter().map(|(key, values)| RequiredCondition {
                operator: *operator,
                key: key.as_str().to_string(),
                values: values.iter().map(|v| v.as_text().into_owned()).collect(),
            })
        })
        .collect()
}

/// The conditions on keys `request` lacks, of the statements of `policy` that cover its
/// action, each with a value that meets it.
fn statement_clauses(policy: &CompiledPolicy, request: &Request) -> Vec<Clause> {
    let mut out = Vec::new();
    for (index, statement) in policy.document.statements().iter().enumerate() {
        let Some(condition) = statement.condition() else {
            continue;
        };
        if !policy.action_applies(index, request) {
            continue;
        }
        for (operator, keys) in condition.iter() {
            for (key, values) in keys.iter() {
                if request.values(key.as_str()).is_some() {
                    continue;
                }
                if let Some(clause) = clause(statement.effect(), *operator, key.as_str(), values) {
                    out.push(clause);
                }
            }
        }
    }
    out
}

/// A condition and a value that meets it: for an `Allow`, one that makes the condition
/// true; for a `Deny`, one that makes it false, with the condition negated.
fn clause<'v>(
    effect: Effect,
    operator: ConditionOperator,
    key: &str,
    values: impl IntoIterator<Item = &'v ConditionValue>,
) -> Option<Clause> {
    use Operator as O;
    let values: Vec<String> = values
        .into_iter()
        .map(|v| v.as_text().into_owned())
        .collect();
    let first = values.first()?;
    // A set qualifier over a key the request lacks: `ForAllValues` holds on an empty set,
    // `ForAnyValue` needs one value that matches, as the plain operator does.
    if operator.qualifier() == Some(SetQualifier::ForAllValues) {
        return None;
    }
    let (required, value) = match effect {
        Effect::Allow => {
            // `…IfExists` holds when the key is absent.
            if operator.if_exists() {
                return None;
            }
            let value = match operator.operator() {
                O::StringEquals
                | O::StringEqualsIgnoreCase
                | O::ArnEquals
                | O::Bool
                | O::NumericEquals
                | O::NumericLessThanEquals
                | O::NumericGreaterThanEquals => first.clone(),
                O::StringLike | O::ArnLike => first.replace('*', "").replace('?', "x"),
                O::IpAddress => first.split('/').next().unwrap_or_default().to_string(),
                O::NumericLessThan => number(first, -1.0)?,
                O::NumericGreaterThan | O::NumericNotEquals => number(first, 1.0)?,
                _ => return None,
            };
            (operator, value)
        }
        Effect::Deny => {
            let (negated, value) = match operator.operator() {
                O::StringNotEquals => (O::StringEquals, first.clone()),
                O::StringNotEqualsIgnoreCase => (O::StringEqualsIgnoreCase, first.clone()),
                O::ArnNotEquals => (O::ArnEquals, first.clone()),
                O::StringNotLike => (O::StringLike, first.replace('*', "").replace('?', "x")),
                O::ArnNotLike => (O::ArnLike, first.replace('*', "").replace('?', "x")),
                O::NotIpAddress => (
                    O::IpAddress,
                    first.split('/').next().unwrap_or_default().to_string(),
                ),
                O::Bool => {
                    let flipped = if first.eq_ignore_ascii_case("true") {
                        "false"
                    } else {
                        "true"
                    };
                    return Some(Clause {
                        required: RequiredCondition {
                            operator: ConditionOperator::new(O::Bool),
                            key: key.to_string(),
                            values: vec![flipped.to_string()],
                        },
                        value: flipped.to_string(),
                    });
                }
                O::NumericGreaterThan => (O::NumericLessThanEquals, first.clone()),
                O::NumericGreaterThanEquals => (O::NumericLessThan, number(first, -1.0)?),
                O::NumericLessThan => (O::NumericGreaterThanEquals, first.clone()),
                O::NumericLessThanEquals => (O::NumericGreaterThan, number(first, 1.0)?),
                _ => return None,
            };
            let mut negated = ConditionOperator::new(negated);
            if let Some(q) = operator.qualifier() {
                negated = negated.qualified(q);
            }
            (negated, value)
        }
    };
    Some(Clause {
        required: RequiredCondition {
            operator: required,
            key: key.to_string(),
            values,
        },
        value,
    })
}

/// A number beside the one written (`3600` and `-1` give `3599`).
fn number(text: &str, delta: f64) -> Option<String> {
    let n = crate::policy::condition::parse_number(text)? + delta;
    Some(if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        n.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn required(op: &str, key: &str, values: &[&str]) -> RequiredCondition {
        RequiredCondition {
            operator: op.parse().unwrap(),
            key: key.to_string(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[test]
    fn conditions_read_as_requirements() {
        let cases = [
            (
                required("StringEquals", "sts:ExternalId", &["a"]),
                "sts:ExternalId = \"a\"",
            ),
            (
                required("Bool", "aws:MultiFactorAuthPresent", &["true"]),
                "aws:MultiFactorAuthPresent = true",
            ),
            (
                required(
                    "IpAddress",
                    "aws:SourceIp",
                    &["203.0.113.0/24", "2001:db8::/32"],
                ),
                "aws:SourceIp in 203.0.113.0/24 or 2001:db8::/32",
            ),
            (
                required("StringLike", "x:sub", &["repo:o/a:*"]),
                "x:sub like \"repo:o/a:*\"",
            ),
            (
                required("NumericLessThan", "aws:MultiFactorAuthAge", &["3600"]),
                "aws:MultiFactorAuthAge < 3600",
            ),
            (
                required("ForAnyValue:StringEquals", "aws:TagKeys", &["team"]),
                "aws:TagKeys ForAnyValue:StringEquals \"team\"",
            ),
            (
                required("DateLessThan", "aws:CurrentTime", &["2030-01-01T00:00:00Z"]),
                "aws:CurrentTime DateLessThan \"2030-01-01T00:00:00Z\"",
            ),
        ];
        for (condition, text) in cases {
            assert_eq!(condition.to_string(), text);
        }
    }

    #[test]
    fn a_deny_asks_for_the_negated_condition() {
        let v = |s: &str| ConditionValue::String(s.to_string());
        let deny = |op: &str, value: &str| {
            clause(Effect::Deny, op.parse().unwrap(), "k", [&v(value)])
                .map(|c| (c.required.to_string(), c.value))
        };
        assert_eq!(
            deny("BoolIfExists", "false"),
            Some(("k = true".to_string(), "true".to_string()))
        );
        assert_eq!(
            deny("NotIpAddress", "203.0.113.0/24"),
            Some(("k in 203.0.113.0/24".to_string(), "203.0.113.0".to_string()))
        );
        assert_eq!(
            deny("NumericGreaterThan", "3600"),
            Some(("k <= 3600".to_string(), "3600".to_string()))
        );
        assert_eq!(deny("StringEquals", "x"), None);
        let allow = |op: &str, value: &str| {
            clause(Effect::Allow, op.parse().unwrap(), "k", [&v(value)]).map(|c| c.value)
        };
        assert_eq!(
            allow("StringLike", "repo:o/*:ref:?"),
            Some("repo:o/:ref:x".into())
        );
        assert_eq!(allow("NumericLessThan", "3600"), Some("3599".into()));
        assert_eq!(allow("StringEqualsIfExists", "x"), None);
        assert_eq!(allow("ForAllValues:StringEquals", "x"), None);
        assert_eq!(allow("DateLessThan", "2030-01-01T00:00:00Z"), None);
    }
}
