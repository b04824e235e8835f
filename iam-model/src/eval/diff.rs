//! The change in access between two models, computed by the evaluator rather than by
//! comparing resources.
//!
//! [`diff`] asks both models the same questions and reports every answer that changes:
//!
//! - for every principal (Identity Center groups through their permission sets, users whose
//!   access is not just their groups' — assignments of their own, a user in one model only,
//!   groups that change —, IAM users and roles in their account) in every account, the access matrix's probes
//!   ([`PROBES`]) and, for every role of the account, `sts:AssumeRole` on the role (who can
//!   newly assume what);
//! - for every external account that a trust policy of either model names, `sts:AssumeRole`
//!   on each role of the account, with each `sts:ExternalId` either model's trust policies
//!   require (and without one);
//! - every action of either model's assertions, with the assertion's resource and context;
//! - for every OIDC provider that a role trusts, the `sub` values either model's trust
//!   policies name (a pattern stands for the subjects it matches): whether a token with
//!   that subject may assume the role;
//! - the SCPs and RCPs that apply to each account (compared in canonical form, so a pure
//!   rename of a policy is no change).
//!
//! A renamed principal (an account with the same id; an Identity Center user with the same
//! attributes and own assignments, else the same email; a group with the same definition and
//! members, or with the same assignments when it has no members; an IAM role or user with the
//! same definition in the same account; one candidate each way; failing these, the most
//! similar definition, see [`Rename`]'s module) is reported in [`AccessDiff::renames`] and
//! renamed in the old model before the questions are asked, so a pure rename is no access
//! change, and what else changed with it ([`Rename::changed`]) is reported under the new
//! name. Permission sets and SCPs are not principals: renaming one changes no answer.
//!
//! Each change has the statements that decide it: those that allow on the side that
//! allows, and the explicit denies on the side that denies. Principals and accounts are
//! matched by name.
//!
//! The OIDC subjects are judged on the trust policies' `StringEquals`/`StringLike`
//! conditions on `<provider>:sub` (other operators on the key are taken to match), until
//! the evaluator takes web-identity callers.
//!
//! ```
//! use iam_model::eval::diff::diff;
//! let old = iam_model::model::Model::from_json(include_str!("../../../tests/models/valid/organization.json"))?;
//! assert!(diff(&old, &old).changes.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::eval::Decision;
use crate::eval::model::{
    AccessPath, DEFAULT_REGION, ModelEvaluator, ModelPrincipal, Outcome, PROBES, ProbeKind, Query,
    trusted_accounts,
};
use crate::model::names::UnitPath;
use crate::model::{Account, AssignmentPrincipal, Model, Target};
use crate::policy::{AccountId, Kind, Policy};

mod renames;
pub use renames::{MAX_SIMILARITY_PAIRS, Rename, SIMILARITY};

/// What a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    /// A probe of the access matrix, of this kind.
    Probe(ProbeKind),
    /// Assuming a role of the account.
    Trust,
    /// An action of an assertion of either model.
    Assertion,
    /// A web identity (OIDC token subject) assuming a role.
    WebIdentity,
}

impl Subject {
    /// `probe read`, `trust`, `assertion`, `web identity`.
    pub fn label(self) -> String {
        match self {
            Self::Probe(kind) => format!("probe {}", kind.as_str()),
            Self::Trust => "trust".to_string(),
            Self::Assertion => "assertion".to_string(),
            Self::WebIdentity => "web identity".to_string(),
        }
    }
}

impl Serialize for Subject {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.label())
    }
}

/// One question whose answer changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// The principal (`group:AWS-Developers`, `iam-role:production/ci-deploy`,
    /// `external-account:999999999999`, `oidc:token.actions.githubusercontent.com sub=…`).
    pub principal: String,
    /// The account, by name.
    pub account: String,
    /// What the question is about.
    pub subject: Subject,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// Context values set on the request.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, String>,
    /// The old model's decision.
    #[serde(serialize_with = "decision_str")]
    pub before: Decision,
    /// The new model's decision.
    #[serde(serialize_with = "decision_str")]
    pub after: Decision,
    /// The statements that allow, on the side that allows (`permission set
    /// `AdminAccess`: Identity `AdministratorAccess` statement 0`).
    pub allowed_by: Vec<String>,
    /// The explicit denies, on the side that denies.
    pub denied_by: Vec<String>,
}

fn decision_str<S: serde::Serializer>(d: &Decision, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(d.as_str())
}

impl Change {
    /// Whether the change grants access (denied before, allowed now).
    pub fn grants(&self) -> bool {
        self.after.is_allowed() && !self.before.is_allowed()
    }
}

/// An SCP or RCP that starts or stops applying to an account, or changes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FenceChange {
    /// The account.
    pub account: String,
    /// `scp` or `rcp`.
    pub kind: &'static str,
    /// The policy, by name in the model that has it.
    pub policy: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
}

/// The change in access from one model to another; see [`diff`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccessDiff {
    /// Every changed answer, sorted by principal, account, subject, action and resource.
    pub changes: Vec<Change>,
    /// SCP and RCP changes per account.
    pub fences: Vec<FenceChange>,
    /// Principals renamed, sorted; [`Rename::changed`] says which changed too.
    pub renames: Vec<Rename>,
}

impl AccessDiff {
    /// Whether any change grants access.
    pub fn grants_access(&self) -> bool {
        self.changes.iter().any(Change::grants)
    }

    /// The principals that newly pass an IAM administration probe in an account:
    /// (principal, account).
    pub fn new_admins(&self) -> Vec<(&str, &str)> {
        let set: BTreeSet<(&str, &str)> = self
            .changes
            .iter()
            .filter(|c| c.grants() && c.subject == Subject::Probe(ProbeKind::IamAdmin))
            .map(|c| (c.principal.as_str(), c.account.as_str()))
            .collect();
        set.into_iter().collect()
    }
}

/// The decision of an outcome and its deciding statements: what allows (first allowing
/// path) or the explicit denies of every path.
struct Answer {
    decision: Decision,
    allowed_by: Vec<String>,
    denied_by: Vec<String>,
}

impl Answer {
    fn none() -> Self {
        Self {
            decision: Decision::ImplicitlyDenied,
            allowed_by: Vec::new(),
            denied_by: Vec::new(),
        }
    }

    fn of(outcome: &Outcome<'_, '_>) -> Self {
        let mut allowed_by = Vec::new();
        let mut denied_by = Vec::new();
        if let Some(p) = outcome
            .paths()
            .iter()
            .find(|p| p.evaluation.decision().is_allowed())
        {
            let label = p.path.label();
            allowed_by.extend(
                p.evaluation
                    .allowed_by()
                    .filter(|m| !m.is_organization_default())
                    .map(|m| format!("{label}: {}", m)),
            );
        } else {
            for p in outcome.paths() {
                let label = p.path.label();
                for m in p.evaluation.denied_by() {
                    let text = format!("{label}: {}", m);
                    if !denied_by.contains(&text) {
                        denied_by.push(text);
                    }
                }
            }
        }
        Self {
            decision: outcome.decision(),
            allowed_by,
            denied_by,
        }
    }
}

/// One question for both models.
struct Question {
    subject: Subject,
    query: Query,
    /// Variants of the query (context values); the answer allows when one does.
    variants: Vec<Query>,
    context: BTreeMap<String, String>,
}

/// The answer of one model to a question on the principal's paths; the deciding
/// statements only when `explain` (they are read only for a changed answer).
fn ask(
    evaluator: Option<&ModelEvaluator<'_>>,
    paths: &[AccessPath<'_>],
    question: &Question,
    explain: bool,
) -> Answer {
    let Some(evaluator) = evaluator.filter(|_| !paths.is_empty()) else {
        return Answer::none();
    };
    let mut last = Answer::none();
    for query in std::iter::once(&question.query).chain(&question.variants) {
        if !explain {
            let Ok(decision) = evaluator.decide(paths, query) else {
                continue;
            };
            if decision.is_allowed() {
                return Answer {
                    decision: Decision::Allowed,
                    ..Answer::none()
                };
            }
            last.decision = decision;
            continue;
        }
        let Ok(outcome) = evaluator.evaluate(paths, query) else {
            continue;
        };
        let answer = Answer::of(&outcome);
        if answer.decision.is_allowed() {
            return answer;
        }
        if last.denied_by.is_empty() {
            last = answer;
        }
    }
    last
}

fn role_arn(id: AccountId, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{id}:role{path}{name}")
}

/// The change in access from `old` to `new`; see the [module docs](self).
pub fn diff(old: &Model, new: &Model) -> AccessDiff {
    let (renames, renamed) = renames::renames(old, new);
    let old = renamed.as_ref().unwrap_or(old);
    let old_eval = ModelEvaluator::new(old);
    let new_eval = ModelEvaluator::new(new);
    let mut changes = Vec::new();

    let account_names: BTreeSet<&str> = old
        .accounts()
        .keys()
        .chain(new.accounts().keys())
        .map(|n| n.as_str())
        .collect();
    // Groups, and the users whose access is not just their groups' in both models: users
    // with assignments of their own, users in one model only, users whose groups change.
    let mut sso: BTreeSet<ModelPrincipal> = BTreeSet::new();
    for model in [old, new] {
        if let Some(ic) = model.identity_center() {
            sso.extend(ic.groups().keys().cloned().map(ModelPrincipal::Group));
            sso.extend(ic.assignments().iter().filter_map(|a| match a.principal() {
                AssignmentPrincipal::User(name) => Some(ModelPrincipal::User(name.clone())),
                AssignmentPrincipal::Group(_) => None,
            }));
        }
    }
    let groups_of = |m: &Model, name: &str| -> Option<BTreeSet<String>> {
        let user = m.identity_center()?.users().get(name)?;
        Some(user.groups.iter().cloned().collect())
    };
    for model in [old, new] {
        if let Some(ic) = model.identity_center() {
            for name in ic.users().keys() {
                if groups_of(old, name) != groups_of(new, name) {
                    sso.insert(ModelPrincipal::User(name.clone()));
                }
            }
        }
    }
    for &account in &account_names {
        let (Some(acct), old_acct) = (
            new.account(account).or_else(|| old.account(account)),
            old.account(account),
        ) else {
            continue;
        };
        let id = acct.id();
        let new_acct = new.account(account);
        let evaluators = (old_acct.map(|_| &old_eval), new_acct.map(|_| &new_eval));
        let mut questions: Vec<Question> = PROBES
            .iter()
            .map(|p| Question {
                subject: Subject::Probe(p.kind),
                query: p.query(account, id, DEFAULT_REGION),
                variants: Vec::new(),
                context: BTreeMap::new(),
            })
            .collect();
        // Roles of the account in either model, and the ExternalIds their trust policies name.
        let mut roles: BTreeMap<String, String> = BTreeMap::new();
        let mut external: BTreeSet<AccountId> = BTreeSet::new();
        let mut external_ids: BTreeSet<String> = BTreeSet::new();
        for a in [old_acct, new_acct].into_iter().flatten() {
            for (name, role) in a.iam().roles() {
                roles.entry(name.as_str().to_string()).or_insert_with(|| {
                    role_arn(id, role.permissions().path().as_str(), name.as_str())
                });
                let document = role.trust_policy().document();
                external.extend(
                    trusted_accounts(document)
                        .into_iter()
                        .filter(|t| !is_model_account(old, *t) && !is_model_account(new, *t)),
                );
                external_ids.extend(external_id_values(role.trust_policy()));
            }
        }
        let trust: Vec<Question> = roles
            .values()
            .map(|arn| Question {
                subject: Subject::Trust,
                query: Query::new(account, "sts:AssumeRole", arn.clone()),
                variants: external_ids
                    .iter()
                    .map(|x| {
                        Query::new(account, "sts:AssumeRole", arn.clone())
                            .context("sts:ExternalId", x.clone())
                    })
                    .collect(),
                context: BTreeMap::new(),
            })
            .collect();
        questions.extend(trust.iter().map(|q| Question {
            subject: q.subject,
            query: q.query.clone(),
            variants: q.variants.clone(),
            context: BTreeMap::new(),
        }));

        let mut principals: Vec<ModelPrincipal> = sso.iter().cloned().collect();
        for a in [old_acct, new_acct].into_iter().flatten() {
            for name in a.iam().users().keys() {
                principals.push(ModelPrincipal::IamUser {
                    account: Some(account.to_string()),
                    name: name.as_str().to_string(),
                });
            }
            for name in a.iam().roles().keys() {
                principals.push(ModelPrincipal::IamRole {
                    account: Some(account.to_string()),
                    name: name.as_str().to_string(),
                });
            }
        }
        principals.sort();
        principals.dedup();
        for principal in &principals {
            compare(&mut changes, evaluators, principal, account, &questions);
        }
        for id in &external {
            compare(
                &mut changes,
                evaluators,
                &ModelPrincipal::ExternalAccount(*id),
                account,
                &trust,
            );
        }
    }

    // Assertions of either model.
    // (principal, account, action, resource, context) already asked.
    type Asked = (String, String, String, String, BTreeMap<String, String>);
    let mut asked: BTreeSet<Asked> = BTreeSet::new();
    for model in [old, new] {
        for assertion in model.assertions() {
            let principal = ModelPrincipal::from(assertion.principal());
            let account = assertion.account().as_str();
            let context: BTreeMap<String, String> = assertion
                .context()
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            for action in assertion.denied().iter().chain(assertion.allowed()) {
                let key = (
                    principal.to_string(),
                    account.to_string(),
                    action.to_string(),
                    assertion.resource().to_string(),
                    context.clone(),
                );
                if !asked.insert(key) {
                    continue;
                }
                let mut query = Query::new(account, action.to_string(), assertion.resource());
                for (k, v) in &context {
                    query = query.context(k.clone(), v.clone());
                }
                let question = Question {
                    subject: Subject::Assertion,
                    query,
                    variants: Vec::new(),
                    context: context.clone(),
                };
                let evaluators = (
                    old.account(account).map(|_| &old_eval),
                    new.account(account).map(|_| &new_eval),
                );
                compare(
                    &mut changes,
                    evaluators,
                    &principal,
                    account,
                    std::slice::from_ref(&question),
                );
            }
        }
    }

    changes.extend(web_identity_changes(old, new));
    changes.sort();
    changes.dedup();
    AccessDiff {
        changes,
        fences: fences(old, new),
        renames,
    }
}

fn is_model_account(model: &Model, id: AccountId) -> bool {
    model.accounts().values().any(|a| a.id() == id)
}

fn compare(
    changes: &mut Vec<Change>,
    (old, new): (Option<&ModelEvaluator<'_>>, Option<&ModelEvaluator<'_>>),
    principal: &ModelPrincipal,
    account: &str,
    questions: &[Question],
) {
    let old_paths = old
        .and_then(|e| e.paths(principal, account).ok())
        .unwrap_or_default();
    let new_paths = new
        .and_then(|e| e.paths(principal, account).ok())
        .unwrap_or_default();
    if old_paths.is_empty() && new_paths.is_empty() {
        return;
    }
    for question in questions {
        let before = ask(old, &old_paths, question, false);
        let after = ask(new, &new_paths, question, false);
        if before.decision.is_allowed() == after.decision.is_allowed() {
            continue;
        }
        let before = ask(old, &old_paths, question, true);
        let after = ask(new, &new_paths, question, true);
        let (allowed, denied) = if after.decision.is_allowed() {
            (&after, &before)
        } else {
            (&before, &after)
        };
        changes.push(Change {
            principal: principal.to_string(),
            account: account.to_string(),
            subject: question.subject,
            action: question.query.action().to_string(),
            resource: question.query.resource().to_string(),
            context: question.context.clone(),
            before: before.decision,
            after: after.decision,
            allowed_by: allowed.allowed_by.clone(),
            denied_by: denied.denied_by.clone(),
        });
    }
}

/// The `sts:ExternalId` values a trust policy's conditions name.
fn external_id_values(policy: &Policy<crate::policy::kind::Trust>) -> Vec<String> {
    let json: Value = serde_json::from_str(&policy.to_json_pretty()).unwrap_or(Value::Null);
    let mut out = Vec::new();
    for statement in statements(&json) {
        for (_, keys) in conditions(statement) {
            for (key, values) in keys {
                if key.eq_ignore_ascii_case("sts:ExternalId") {
                    out.extend(values);
                }
            }
        }
    }
    out
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    }
}

/// Condition values by key, as written under one operator.
type KeyValues = Vec<(String, Vec<String>)>;

/// A statement's conditions: (operator, [(key, values)]).
fn conditions(statement: &Value) -> Vec<(String, KeyValues)> {
    let Some(Value::Object(ops)) = statement.get("Condition") else {
        return Vec::new();
    };
    ops.iter()
        .map(|(op, keys)| {
            let keys = match keys {
                Value::Object(keys) => keys
                    .iter()
                    .map(|(k, v)| (k.clone(), strings(Some(v))))
                    .collect(),
                _ => Vec::new(),
            };
            (op.clone(), keys)
        })
        .collect()
}

// --- web identity (OIDC) subjects: replaceable by the evaluator's web-identity callers ---

/// One trust statement for `sts:AssumeRoleWithWebIdentity` from a federated provider.
struct WebStatement {
    index: usize,
    allow: bool,
    providers: Vec<String>,
    /// (operator, patterns) on the provider's `sub` key.
    sub: Vec<(String, Vec<String>)>,
}

fn web_statements(policy: &Policy<crate::policy::kind::Trust>) -> Vec<WebStatement> {
    let json: Value = serde_json::from_str(&policy.to_json_pretty()).unwrap_or(Value::Null);
    let mut out = Vec::new();
    for (index, s) in statements(&json).into_iter().enumerate() {
        let actions = strings(s.get("Action"));
        if !actions
            .iter()
            .any(|a| crate::wildcard::matches_ignore_case(a, "sts:AssumeRoleWithWebIdentity"))
        {
            continue;
        }
        let providers = strings(s.get("Principal").and_then(|p| p.get("Federated")));
        if providers.is_empty() {
            continue;
        }
        let mut sub = Vec::new();
        for (op, keys) in conditions(s) {
            for (key, values) in keys {
                if key.to_ascii_lowercase().ends_with(":sub") {
                    sub.push((op.clone(), values));
                }
            }
        }
        out.push(WebStatement {
            index,
            allow: s.get("Effect").and_then(Value::as_str) == Some("Allow"),
            providers,
            sub,
        });
    }
    out
}

fn sub_matches(constraints: &[(String, Vec<String>)], subject: &str) -> bool {
    constraints.iter().all(|(op, values)| {
        let op = op
            .trim_start_matches("ForAnyValue:")
            .trim_start_matches("ForAllValues:");
        match op {
            "StringEquals" => values.iter().any(|v| v == subject),
            "StringLike" => values.iter().any(|v| crate::wildcard::matches(v, subject)),
            "StringNotEquals" => values.iter().all(|v| v != subject),
            "StringNotLike" => values.iter().all(|v| !crate::wildcard::matches(v, subject)),
            _ => true,
        }
    })
}

/// Whether a token of `provider` with `subject` may assume the role, and the statements.
fn web_answer(statements: &[WebStatement], provider: &str, subject: &str, role: &str) -> Answer {
    let applies = |s: &&WebStatement| {
        s.providers.iter().any(|p| p == provider) && sub_matches(&s.sub, subject)
    };
    let text = |s: &WebStatement| format!("trust policy of role `{role}`: statement {}", s.index);
    let denies: Vec<String> = statements
        .iter()
        .filter(applies)
        .filter(|s| !s.allow)
        .map(text)
        .collect();
    if !denies.is_empty() {
        return Answer {
            decision: Decision::ExplicitlyDenied,
            allowed_by: Vec::new(),
            denied_by: denies,
        };
    }
    let allows: Vec<String> = statements
        .iter()
        .filter(applies)
        .filter(|s| s.allow)
        .map(text)
        .collect();
    Answer {
        decision: if allows.is_empty() {
            Decision::ImplicitlyDenied
        } else {
            Decision::Allowed
        },
        allowed_by: allows,
        denied_by: Vec::new(),
    }
}

fn web_identity_changes(old: &Model, new: &Model) -> Vec<Change> {
    let mut out = Vec::new();
    let names: BTreeSet<&str> = old
        .accounts()
        .keys()
        .chain(new.accounts().keys())
        .map(|n| n.as_str())
        .collect();
    for account in names {
        let (old_acct, new_acct) = (old.account(account), new.account(account));
        let Some(id) = new_acct.or(old_acct).map(Account::id) else {
            continue;
        };
        let role_names: BTreeSet<&str> = [old_acct, new_acct]
            .into_iter()
            .flatten()
            .flat_map(|a| a.iam().roles().keys().map(|n| n.as_str()))
            .collect();
        for role in role_names {
            let get = |a: Option<&Account>| {
                a.and_then(|a| a.iam().roles().get(role)).map(|r| {
                    (
                        web_statements(r.trust_policy()),
                        r.permissions().path().as_str().to_string(),
                    )
                })
            };
            let (before, after) = (get(old_acct), get(new_acct));
            let Some(path) = after.as_ref().or(before.as_ref()).map(|(_, p)| p.clone()) else {
                continue;
            };
            let before = before.map(|(s, _)| s).unwrap_or_default();
            let after = after.map(|(s, _)| s).unwrap_or_default();
            let mut candidates: BTreeSet<(String, String)> = BTreeSet::new();
            for s in before.iter().chain(&after) {
                for provider in &s.providers {
                    let mut any = true;
                    for (_, values) in &s.sub {
                        any = false;
                        candidates.extend(values.iter().map(|v| (provider.clone(), v.clone())));
                    }
                    if any {
                        candidates.insert((provider.clone(), "*".to_string()));
                    }
                }
            }
            for (provider, subject) in candidates {
                let b = web_answer(&before, &provider, &subject, role);
                let a = web_answer(&after, &provider, &subject, role);
                if b.decision.is_allowed() == a.decision.is_allowed() {
                    continue;
                }
                let host = provider
                    .split_once(":oidc-provider/")
                    .map_or(provider.as_str(), |(_, h)| h);
                let (allowed, denied) = if a.decision.is_allowed() {
                    (&a, &b)
                } else {
                    (&b, &a)
                };
                out.push(Change {
                    principal: format!("oidc:{host} sub={subject}"),
                    account: account.to_string(),
                    subject: Subject::WebIdentity,
                    action: "sts:AssumeRoleWithWebIdentity".to_string(),
                    resource: role_arn(id, &path, role),
                    context: BTreeMap::new(),
                    before: b.decision,
                    after: a.decision,
                    allowed_by: allowed.allowed_by.clone(),
                    denied_by: denied.denied_by.clone(),
                });
            }
        }
    }
    out
}

// --- fences ------------------------------------------------------------------------------

/// The policies of one kind that apply to an account: name → canonical document.
fn applying<K: Kind>(
    model: &Model,
    account: &str,
    policies: &BTreeMap<crate::model::names::OrgPolicyName, crate::model::OrgPolicy<K>>,
) -> BTreeMap<String, Policy<K>> {
    let Some(a) = model.account(account) else {
        return BTreeMap::new();
    };
    let unit: Option<&UnitPath> = a.unit();
    policies
        .iter()
        .filter(|(_, p)| {
            p.targets().iter().any(|t| match t {
                Target::Root => true,
                Target::Unit(u) => unit.is_some_and(|mine| mine.is_within(u)),
                Target::Account(name) => name.as_str() == account,
            })
        })
        .map(|(name, p)| (name.as_str().to_string(), p.document().clone().canonical()))
        .collect()
}

fn fence_changes<K: Kind>(
    out: &mut Vec<FenceChange>,
    kind: &'static str,
    account: &str,
    before: &BTreeMap<String, Policy<K>>,
    after: &BTreeMap<String, Policy<K>>,
) {
    // Matched by document, so a renamed policy is no change; then by name for edits.
    let unmatched =
        |a: &BTreeMap<String, Policy<K>>, b: &BTreeMap<String, Policy<K>>| -> Vec<String> {
            a.iter()
                .filter(|(_, d)| !b.values().any(|other| other == *d))
                .map(|(n, _)| n.clone())
                .collect()
        };
    let removed = unmatched(before, after);
    let added = unmatched(after, before);
    for name in &removed {
        let change = if added.contains(name) {
            "changed"
        } else {
            "removed"
        };
        out.push(FenceChange {
            account: account.to_string(),
            kind,
            policy: name.clone(),
            change,
        });
    }
    for name in added.iter().filter(|n| !removed.contains(n)) {
        out.push(FenceChange {
            account: account.to_string(),
            kind,
            policy: name.clone(),
            change: "added",
        });
    }
}

fn fences(old: &Model, new: &Model) -> Vec<FenceChange> {
    let mut out = Vec::new();
    let names: BTreeSet<&str> = old
        .accounts()
        .keys()
        .chain(new.accounts().keys())
        .map(|n| n.as_str())
        .collect();
    for account in names {
        fence_changes(
            &mut out,
            "scp",
            account,
            &applying(old, account, old.organization().scps()),
            &applying(new, account, new.organization().scps()),
        );
        fence_changes(
            &mut out,
            "rcp",
            account,
            &applying(old, account, old.organization().rcps()),
            &applying(new, account, new.organization().rcps()),
        );
    }
    out.sort();
    out
}
