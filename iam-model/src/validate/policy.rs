//! Checks of one policy document against the grammar and the rules of its kind.
//!
//! The rules mirror the IAM User Guide ("Grammar of the IAM JSON policy language", "AWS JSON
//! policy elements: Principal / NotPrincipal", "IAM JSON policy elements: Sid / Version /
//! Condition operators", "IAM policy elements: Variables and tags") and the AWS Organizations
//! User Guide ("SCP syntax", "RCP syntax").
use std::collections::BTreeMap;

use crate::error::JsonError;
use crate::json::{OneOrMany, OrderedMap, pointer_token};
use crate::policy::condition::{self, Condition, ConditionKey, ConditionOperator, ValueKind};
use crate::policy::size::aws_size;
use crate::policy::variable;
use crate::policy::{
    Action, ActionClause, AwsPrincipal, Effect, FederatedPrincipal, PolicyDocument, PolicyKind,
    Principal, PrincipalClause, PrincipalMap, Resource, ResourceClause, ServicePrincipal,
    Statement, Version,
};
use crate::raw;
use crate::validate::Report;

/// Check a policy's JSON text as a policy of `kind`: every finding, including the size limit
/// (counted on the text as AWS counts it, without white space outside strings).
///
/// Malformed JSON, or JSON of the wrong shape (an `Effect` that is a number), is an error
/// with line and column rather than a finding.
///
/// ```
/// use iam_model::policy::PolicyKind;
/// use iam_model::validate::check_policy_json;
/// let report = check_policy_json(r#"{"Version":"2012-10-17","Statement":[
///     {"Effect":"Allow","Action":"s3:GetObject"}]}"#, PolicyKind::Identity)?;
/// let codes: Vec<(&str, &str)> = report.findings().iter().map(|f| (f.code, f.path.as_str())).collect();
/// assert_eq!(codes, [("missing-resource", "/Statement/0")]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_policy_json(text: &str, kind: PolicyKind) -> Result<Report, JsonError> {
    check_policy_text(text, kind).map(|(_, report)| report)
}

/// Like [`check_policy_json`], and also the typed document when every statement could be
/// built (`policy fmt` prints it when there is no error).
pub fn check_policy_text(
    text: &str,
    kind: PolicyKind,
) -> Result<(Option<PolicyDocument>, Report), JsonError> {
    let raw = read_raw(text)?;
    let mut report = Report::new();
    let document = checked(&raw, kind, "", &mut report);
    // Counting is a pass over the whole text; kinds without a limit (AWS managed policies,
    // resource-based policies) skip it.
    if kind.hard_size_limit().is_some() {
        check_size(aws_size(text), kind, "", &mut report);
    }
    Ok((document, report))
}

/// Check a raw policy as a policy of `kind`, with paths under `base` (a JSON pointer to the
/// policy inside a larger document; `""` for a policy file): the grammar of its kind, the
/// catalogue checks ([`crate::validate::catalog`]) and the size limit, counted on the
/// compact form of the policy. This is the check every policy of a model gets.
///
/// ```
/// use iam_model::policy::PolicyKind;
/// use iam_model::validate::check_policy;
/// let raw = iam_model::validate::policy::read_raw(
///     r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjet","Resource":"*"}]}"#,
/// )?;
/// let report = check_policy(&raw, PolicyKind::Identity, "/accounts/dev/iam/roles/ci/inline_policies/Deploy");
/// let found: Vec<(&str, &str, &str)> =
///     report.findings().iter().map(|f| (f.code, f.path.as_str(), f.help.as_str())).collect();
/// assert_eq!(found, [(
///     "unknown-action",
///     "/accounts/dev/iam/roles/ci/inline_policies/Deploy/Statement/0/Action",
///     "did you mean `s3:GetObject`?",
/// )]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_policy(raw: &raw::Policy, kind: PolicyKind, base: &str) -> Report {
    let mut report = Report::new();
    checked(raw, kind, base, &mut report);
    if kind.hard_size_limit().is_some() {
        check_size(
            aws_size(&crate::json::to_compact(raw)),
            kind,
            base,
            &mut report,
        );
    }
    report
}

/// The grammar of the kind, then the catalogue checks on every statement that could be built.
fn checked(
    raw: &raw::Policy,
    kind: PolicyKind,
    base: &str,
    report: &mut Report,
) -> Option<PolicyDocument> {
    let (document, statements) = decode_statements(raw, kind, base, report);
    crate::validate::catalog::check_statements(&statements, report);
    if matches!(kind, PolicyKind::Identity | PolicyKind::PermissionSet) {
        allow_with_not(&statements, report);
    }
    document
}

/// `Allow` with `NotAction` or `NotResource` in a policy that grants: it allows everything
/// not listed, including actions and resources AWS adds later (parliament and IAM Access
/// Analyzer flag both). AWS managed policies, SCPs and boundaries use the form on purpose.
fn allow_with_not(statements: &[(String, Statement)], report: &mut Report) {
    for (path, s) in statements {
        if s.effect() != Effect::Allow {
            continue;
        }
        if matches!(s.action(), ActionClause::NotAction(_)) {
            report.warning(
                "allow-with-not-action",
                format!("{path}/NotAction"),
                "`Allow` with `NotAction` allows every action not listed, including ones AWS adds later",
                "list the actions to allow with `Action`; keep `NotAction` for `Deny` statements (IAM User Guide, \"IAM JSON policy elements: NotAction\")",
            );
        }
        if matches!(s.resource(), Some(ResourceClause::NotResource(_))) {
            report.warning(
                "allow-with-not-resource",
                format!("{path}/NotResource"),
                "`Allow` with `NotResource` allows every resource not listed, in every account and service the actions reach",
                "list the resources to allow with `Resource`; keep `NotResource` for `Deny` statements (IAM User Guide, \"IAM JSON policy elements: NotResource\")",
            );
        }
    }
}

/// Read policy JSON into the raw mirror.
pub fn read_raw(text: &str) -> Result<raw::Policy, JsonError> {
    // Most input is well-formed. Tracking the JSON pointer of every value costs about a third
    // of the reading time, so read without it first, and again with it only to say where an
    // error is.
    serde_json::from_str(text).or_else(|_| crate::policy::read_json(text))
}

/// Check a policy size against the limit of its kind.
pub fn check_size(size: usize, kind: PolicyKind, path: &str, report: &mut Report) {
    let (Some(limit), Some(hard)) = (kind.size_limit(), kind.hard_size_limit()) else {
        return;
    };
    if size > hard {
        report.error(
            "policy-too-large",
            path,
            format!(
                "the policy is {size} characters; {} may have at most {hard}",
                kind.describe()
            ),
            "AWS counts characters without white space outside strings. Split the policy, use \
             wildcards or NotAction where they stay safe, or move statements to another policy",
        );
    } else if size > limit {
        report.warning(
            "policy-too-large",
            path,
            format!("the policy is {size} characters; {} may have {limit} unless the quota is raised (up to {hard})", kind.describe()),
            "request a quota increase for \"Role trust policy length\" in Service Quotas, or shorten the policy",
        );
    }
}

const POLICY_ELEMENTS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// The actions a role trust policy may allow (the `sts:` actions of role assumption and the
/// session options they carry: "Actions, resources, and condition keys for AWS STS").
pub const TRUST_ACTIONS: [&str; 6] = [
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:SetContext",
];

struct Decoder<'r> {
    kind: PolicyKind,
    report: &'r mut Report,
    uses_variables: bool,
}

/// Turn a raw policy into a typed document, reporting every problem under `base`. Returns
/// `None` when a statement could not be built (a finding says why).
pub fn decode(
    raw: &raw::Policy,
    kind: PolicyKind,
    base: &str,
    report: &mut Report,
) -> Option<PolicyDocument> {
    decode_statements(raw, kind, base, report).0
}

/// Like [`decode`], and also every statement that could be built, with its JSON pointer, so
/// that later checks see the good statements of a policy that has a bad one.
pub fn decode_statements(
    raw: &raw::Policy,
    kind: PolicyKind,
    base: &str,
    report: &mut Report,
) -> (Option<PolicyDocument>, Vec<(String, Statement)>) {
    let mut d = Decoder {
        kind,
        report,
        uses_variables: false,
    };
    d.unknown_elements(
        &raw.unknown,
        base,
        &POLICY_ELEMENTS,
        "a policy has `Version`, `Id` and `Statement`",
    );

    let version_path = format!("{base}/Version");
    let version = match &raw.version {
        None => {
            if matches!(kind, PolicyKind::Scp | PolicyKind::Rcp) {
                d.report.error(
                    "missing-version",
                    base,
                    format!(
                        "{} must have `\"Version\": \"2012-10-17\"`",
                        kind.describe()
                    ),
                    "AWS Organizations rejects SCPs and RCPs without a Version",
                );
            } else {
                d.report.warning(
                    "missing-version",
                    base,
                    "the policy has no `Version`, so AWS reads it as `2008-10-17`",
                    "add `\"Version\": \"2012-10-17\"`; without it policy variables are read as literal text",
                );
            }
            None
        }
        Some(text) => match text.parse::<Version>() {
            Ok(Version::V2008_10_17) if matches!(kind, PolicyKind::Scp | PolicyKind::Rcp) => {
                d.report.error(
                    "invalid-version",
                    &version_path,
                    format!("{} must use version `2012-10-17`", kind.describe()),
                    "write `\"Version\": \"2012-10-17\"`",
                );
                None
            }
            Ok(v) => Some(v),
            Err(e) => {
                d.report.error(
                    "invalid-version",
                    &version_path,
                    e.to_string(),
                    "write `\"Version\": \"2012-10-17\"`",
                );
                None
            }
        },
    };

    if raw.id.is_some() && !matches!(kind, PolicyKind::Resource) {
        d.report.warning(
            "element-not-allowed",
            format!("{base}/Id"),
            format!("{} should not have an `Id`", kind.describe()),
            "the IAM policy grammar allows `Id` only in resource-based policies; remove it",
        );
    }

    let statement_path = format!("{base}/Statement");
    let statements = match &raw.statement {
        None => {
            d.report.error(
                "missing-statement",
                base,
                "the policy has no `Statement`",
                "add at least one statement",
            );
            return (None, Vec::new());
        }
        Some(list) if list.is_empty() => {
            d.report.error(
                "missing-statement",
                &statement_path,
                "`Statement` is an empty list",
                "add at least one statement",
            );
            return (None, Vec::new());
        }
        Some(list) => list,
    };

    let mut typed = Vec::with_capacity(statements.len());
    // Sid → the index of the first statement that has it.
    let mut sids: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, statement) in statements.iter().enumerate() {
        let path = item_path(&statement_path, statements.is_list(), i);
        if let Some(sid) = statement.sid.as_deref() {
            if let Some(&first) = sids.get(sid) {
                let first = item_path(&statement_path, statements.is_list(), first);
                d.report.error(
                    "duplicate-sid",
                    format!("{path}/Sid"),
                    format!("the Sid `{sid}` is already used at `{first}/Sid`"),
                    "in IAM, each Sid must be unique within a policy; rename one of the statements",
                );
            } else {
                sids.insert(sid, i);
            }
        }
        typed.push((path.clone(), d.statement(statement, &path)));
    }

    if d.uses_variables && version != Some(Version::V2012_10_17) && version.is_some() {
        d.report.warning(
            "variables-need-version",
            &version_path,
            "the policy uses variables such as `${aws:username}`, which version `2008-10-17` reads as literal text",
            "write `\"Version\": \"2012-10-17\"`",
        );
    } else if d.uses_variables && version.is_none() && raw.version.is_none() {
        d.report.warning(
            "variables-need-version",
            base,
            "the policy uses variables such as `${aws:username}` but has no `Version`, so they are read as literal text",
            "add `\"Version\": \"2012-10-17\"`",
        );
    }

    let complete = typed.iter().all(|(_, s)| s.is_some());
    let good: Vec<(String, Statement)> = typed
        .into_iter()
        .filter_map(|(p, s)| s.map(|s| (p, s)))
        .collect();
    if !complete {
        return (None, good);
    }
    let statements: Vec<Statement> = good.iter().map(|(_, s)| s.clone()).collect();
    let statements = if raw.statement.as_ref().is_some_and(OneOrMany::is_list) {
        OneOrMany::Many(statements)
    } else {
        OneOrMany::Many(statements).canonical()
    };
    let document = PolicyDocument {
        version,
        id: raw.id.clone(),
        statements,
    };
    (Some(document), good)
}

impl Decoder<'_> {
    fn unknown_elements(
        &mut self,
        unknown: &OrderedMap<String, serde_json::Value>,
        base: &str,
        known: &[&str],
        help: &str,
    ) {
        for (name, _) in unknown.iter() {
            let suggestion = known.iter().find(|k| k.eq_ignore_ascii_case(name));
            let message = match suggestion {
                Some(k) => format!("`{name}` is not a policy element; did you mean `{k}`?"),
                None => format!("`{name}` is not a policy element"),
            };
            self.report.error(
                "unknown-element",
                format!("{base}/{}", pointer_token(name)),
                message,
                format!("{help}; element names are case-sensitive"),
            );
        }
    }

    fn iam_text(&mut self, text: &str, path: impl FnOnce() -> String) {
        // "IAM and AWS STS quotas": policy documents may hold only U+0009, U+000A, U+000D
        // and U+0020 to U+00FF.
        if !self.kind.is_iam() {
            return;
        }
        if let Some(bad) = text
            .chars()
            .find(|&c| !matches!(c, '\t' | '\n' | '\r' | ' '..='\u{ff}'))
        {
            self.report.error(
                "invalid-character",
                path(),
                format!(
                    "`{}` (U+{:04X}) is not allowed in IAM policies",
                    bad,
                    u32::from(bad)
                ),
                "IAM accepts only tab, line breaks and the characters U+0020 to U+00FF in policies",
            );
        }
    }

    fn statement(&mut self, s: &raw::Statement, path: &str) -> Option<Statement> {
        let kind = self.kind;
        self.unknown_elements(
            &s.unknown,
            path,
            &STATEMENT_ELEMENTS,
            "a statement has `Sid`, `Effect`, `Principal`/`NotPrincipal`, `Action`/`NotAction`, \
             `Resource`/`NotResource` and `Condition`",
        );
        let mut ok = true;

        if let Some(sid) = &s.sid {
            let sid_path = || format!("{path}/Sid");
            if kind.is_iam() && !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                self.report.error(
                    "invalid-sid",
                    sid_path(),
                    format!("the Sid `{sid}` has characters other than A-Z, a-z and 0-9"),
                    "IAM accepts only basic alphanumeric characters in a Sid",
                );
            } else {
                self.iam_text(sid, sid_path);
            }
        }

        let effect = match s.effect.as_deref() {
            None => {
                self.report.error(
                    "missing-effect",
                    path,
                    "the statement has no `Effect`",
                    "add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`",
                );
                None
            }
            Some(text) => match text.parse::<Effect>() {
                Ok(e) => Some(e),
                Err(e) => {
                    let help = if text.eq_ignore_ascii_case("allow")
                        || text.eq_ignore_ascii_case("deny")
                    {
                        "the values are case-sensitive: write `Allow` or `Deny`"
                    } else {
                        "write `Allow` or `Deny`"
                    };
                    self.report.error(
                        "invalid-effect",
                        format!("{path}/Effect"),
                        e.to_string(),
                        help,
                    );
                    None
                }
            },
        };
        if kind == PolicyKind::Rcp && effect == Some(Effect::Allow) {
            self.report.error(
                "effect-not-allowed",
                format!("{path}/Effect"),
                "a resource control policy cannot allow; only AWS's `RCPFullAWSAccess` does",
                "RCPs set the most a resource can grant: write `Deny` statements with conditions",
            );
        }

        let principal = self.principal_clause(s, path, effect);
        let principal = match principal {
            Ok(p) => p,
            Err(()) => {
                ok = false;
                None
            }
        };

        let action = self.action_clause(s, path);
        let resource = self.resource_clause(s, path);
        let condition = match &s.condition {
            None => Some(None),
            Some(c) => self.condition(c, &format!("{path}/Condition")).map(Some),
        };

        match (effect, action, resource, condition) {
            (Some(effect), Some(action), Ok(resource), Some(condition)) if ok => Some(Statement {
                sid: s.sid.clone(),
                effect,
                principal,
                action,
                resource,
                condition,
            }),
            _ => None,
        }
    }

    fn principal_clause(
        &mut self,
        s: &raw::Statement,
        path: &str,
        effect: Option<Effect>,
    ) -> Result<Option<PrincipalClause>, ()> {
        let kind = self.kind;
        let clause = match (&s.principal, &s.not_principal) {
            (Some(_), Some(_)) => {
                self.report.error(
                    "conflicting-elements",
                    path,
                    "the statement has both `Principal` and `NotPrincipal`",
                    "use one of them",
                );
                return Err(());
            }
            (None, None) => {
                if kind.requires_principal() {
                    self.report.error(
                        "missing-principal",
                        path,
                        format!("every statement of {} needs a `Principal`", kind.describe()),
                        "name who the statement applies to, e.g. `\"Principal\": {\"AWS\": \"111122223333\"}`",
                    );
                    return Err(());
                }
                return Ok(None);
            }
            (Some(p), None) => ("Principal", p),
            (None, Some(p)) => ("NotPrincipal", p),
        };
        let (element, raw_principal) = clause;
        let element_path = format!("{path}/{element}");
        if !kind.requires_principal() {
            self.report.error(
                "principal-not-allowed",
                &element_path,
                format!("{} cannot name a principal", kind.describe()),
                "the principal of an identity policy is the user, group or role it is attached to; \
                 remove the element",
            );
            return Err(());
        }
        if element == "NotPrincipal" {
            if matches!(kind, PolicyKind::Trust | PolicyKind::Rcp) {
                self.report.error(
                    "principal-not-allowed",
                    &element_path,
                    format!("{} cannot use `NotPrincipal`", kind.describe()),
                    "use `Principal`, and the `aws:PrincipalArn` condition key to exclude principals",
                );
                return Err(());
            }
            if effect == Some(Effect::Allow) {
                self.report.error(
                    "not-principal-with-allow",
                    &element_path,
                    "`NotPrincipal` with `Allow` is not supported",
                    "AWS supports NotPrincipal only with Deny, and recommends `aws:PrincipalArn` with ArnNotLike instead",
                );
                return Err(());
            }
        }
        let principal = self.principal(raw_principal, &element_path).ok_or(())?;
        if kind == PolicyKind::Rcp && principal != Principal::Any {
            self.report.error(
                "invalid-principal",
                &element_path,
                "a resource control policy names `\"Principal\": \"*\"`",
                "RCPs apply to every principal; narrow them with conditions such as `aws:PrincipalOrgID`",
            );
            return Err(());
        }
        Ok(Some(if element == "Principal" {
            PrincipalClause::Principal(principal)
        } else {
            PrincipalClause::NotPrincipal(principal)
        }))
    }

    fn principal(&mut self, p: &raw::Principal, path: &str) -> Option<Principal> {
        let map = match p {
            raw::Principal::Text(t) if t == "*" => return Some(Principal::Any),
            raw::Principal::Text(t) => {
                self.report.error(
                    "invalid-principal",
                    path,
                    format!("`{t}` is not a principal"),
                    "write `\"*\"` or an object such as `{\"AWS\": \"arn:aws:iam::111122223333:root\"}`",
                );
                return None;
            }
            raw::Principal::Map(map) => map,
        };
        if map.is_empty() {
            self.report.error(
                "invalid-principal",
                path,
                "the principal object is empty",
                "name at least one principal",
            );
            return None;
        }
        let mut out = PrincipalMap::default();
        let mut ok = true;
        for name in map.duplicates() {
            self.report.error(
                "duplicate-key",
                format!("{path}/{}", pointer_token(name)),
                format!("`{name}` is written twice"),
                "AWS keeps only one of them; merge the lists",
            );
            ok = false;
        }
        for (name, values) in map.iter() {
            let type_path = format!("{path}/{}", pointer_token(name));
            if values.is_empty() {
                self.report.error(
                    "empty-list",
                    &type_path,
                    format!("`{name}` is an empty list"),
                    "name at least one principal, or remove the key",
                );
                ok = false;
                continue;
            }
            match name.as_str() {
                "AWS" => {
                    out.aws = self.principal_values(values, &type_path, |t| {
                        t.parse::<AwsPrincipal>()
                            .map_err(|e| e.to_string())
                            .and_then(no_wildcard_arn)
                    })
                }
                "Service" => {
                    out.service = self.principal_values(values, &type_path, |t| {
                        t.parse::<ServicePrincipal>().map_err(|e| e.to_string())
                    })
                }
                "Federated" => {
                    out.federated = self.principal_values(values, &type_path, |t| {
                        t.parse::<FederatedPrincipal>().map_err(|e| e.to_string())
                    })
                }
                "CanonicalUser" => out.canonical_user = Some(values.clone()),
                other => {
                    let hint = ["AWS", "Service", "Federated", "CanonicalUser"]
                        .into_iter()
                        .find(|k| k.eq_ignore_ascii_case(other));
                    let message = match hint {
                        Some(k) => {
                            format!("`{other}` is not a principal type; did you mean `{k}`?")
                        }
                        None => format!("`{other}` is not a principal type"),
                    };
                    self.report.error(
                        "invalid-principal",
                        &type_path,
                        message,
                        "principal types are `AWS`, `Service`, `Federated` and `CanonicalUser`",
                    );
                    ok = false;
                    continue;
                }
            }
            let parsed = match name.as_str() {
                "AWS" => out.aws.is_some(),
                "Service" => out.service.is_some(),
                "Federated" => out.federated.is_some(),
                _ => true,
            };
            ok &= parsed;
        }
        ok.then_some(Principal::Typed(out))
    }

    fn principal_values<T>(
        &mut self,
        values: &OneOrMany<String>,
        path: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<OneOrMany<T>> {
        let mut ok = true;
        let mut out = Vec::with_capacity(values.len());
        for (i, value) in values.iter().enumerate() {
            match parse(value) {
                Ok(v) => out.push(v),
                Err(message) => {
                    self.report.error(
                        "invalid-principal",
                        item_path(path, values.is_list(), i),
                        message,
                        "see \"AWS JSON policy elements: Principal\" for the accepted forms",
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        Some(if values.is_list() {
            OneOrMany::Many(out)
        } else {
            OneOrMany::Many(out).canonical()
        })
    }

    fn action_clause(&mut self, s: &raw::Statement, path: &str) -> Option<ActionClause> {
        let kind = self.kind;
        let (element, values) = match (&s.action, &s.not_action) {
            (Some(_), Some(_)) => {
                self.report.error(
                    "conflicting-elements",
                    path,
                    "the statement has both `Action` and `NotAction`",
                    "use one of them",
                );
                return None;
            }
            (None, None) => {
                self.report.error(
                    "missing-action",
                    path,
                    "the statement has no `Action` or `NotAction`",
                    "name the actions the statement allows or denies",
                );
                return None;
            }
            (Some(v), None) => ("Action", v),
            (None, Some(v)) => ("NotAction", v),
        };
        let element_path = || format!("{path}/{element}");
        if element == "NotAction" && matches!(kind, PolicyKind::Trust | PolicyKind::Rcp) {
            self.report.error(
                "element-not-allowed",
                element_path(),
                format!("{} cannot use `NotAction`", kind.describe()),
                "list the actions with `Action`",
            );
            return None;
        }
        if values.is_empty() {
            self.report.error(
                "empty-list",
                element_path(),
                format!("`{element}` is an empty list"),
                "name at least one action",
            );
            return None;
        }
        let mut ok = true;
        let mut out = Vec::with_capacity(values.len());
        for (i, text) in values.iter().enumerate() {
            // Paths are written out only when a finding needs one: most values have none.
            let value_path = || item_path(&element_path(), values.is_list(), i);
            match text.parse::<Action>() {
                Ok(action) => {
                    if kind == PolicyKind::Trust && !trust_action_ok(&action) {
                        self.report.error(
                            "trust-action-not-allowed",
                            value_path(),
                            format!("`{action}` is not an action a role trust policy can allow"),
                            format!(
                                "a trust policy allows {}",
                                TRUST_ACTIONS.map(|a| format!("`{a}`")).join(", ")
                            ),
                        );
                        ok = false;
                    }
                    out.push(action);
                }
                Err(e) => {
                    let help = if text.contains("${") {
                        "policy variables are not replaced in actions"
                    } else {
                        "write `service:ActionName`, e.g. `s3:GetObject`, with `*` and `?` as wildcards"
                    };
                    self.report
                        .error("invalid-action", value_path(), e.to_string(), help);
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        let values = if values.is_list() {
            OneOrMany::Many(out)
        } else {
            OneOrMany::Many(out).canonical()
        };
        Some(if element == "Action" {
            ActionClause::Action(values)
        } else {
            ActionClause::NotAction(values)
        })
    }

    fn resource_clause(
        &mut self,
        s: &raw::Statement,
        path: &str,
    ) -> Result<Option<ResourceClause>, ()> {
        let kind = self.kind;
        let (element, values) = match (&s.resource, &s.not_resource) {
            (Some(_), Some(_)) => {
                self.report.error(
                    "conflicting-elements",
                    path,
                    "the statement has both `Resource` and `NotResource`",
                    "use one of them",
                );
                return Err(());
            }
            (None, None) => {
                if kind == PolicyKind::Trust {
                    return Ok(None);
                }
                self.report.error(
                    "missing-resource",
                    path,
                    "the statement has no `Resource` or `NotResource`",
                    "name the resources, e.g. `\"Resource\": \"arn:aws:s3:::my-bucket/*\"`, or `\"*\"` for all",
                );
                return Err(());
            }
            (Some(v), None) => ("Resource", v),
            (None, Some(v)) => ("NotResource", v),
        };
        let element_path = || format!("{path}/{element}");
        if kind == PolicyKind::Trust {
            self.report.error(
                "resource-not-allowed",
                element_path(),
                format!("a role trust policy cannot have `{element}`"),
                "the resource of a trust policy is the role itself; remove the element (IAM says \"Has prohibited field Resource\")",
            );
            return Err(());
        }
        if values.is_empty() {
            self.report.error(
                "empty-list",
                element_path(),
                format!("`{element}` is an empty list"),
                "name at least one resource, or `\"*\"`",
            );
            return Err(());
        }
        let mut ok = true;
        let mut out = Vec::with_capacity(values.len());
        for (i, text) in values.iter().enumerate() {
            let value_path = || item_path(&element_path(), values.is_list(), i);
            self.iam_text(text, value_path);
            match text.parse::<Resource>() {
                Ok(resource) => {
                    if let Resource::Arn(arn) = &resource {
                        ok &= self.resource_variables(arn.as_str(), value_path);
                    }
                    out.push(resource);
                }
                Err(e) => {
                    self.report.error(
                        "invalid-arn",
                        value_path(),
                        e.to_string(),
                        "write `*` or an ARN `arn:partition:service:region:account-id:resource`",
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            return Err(());
        }
        let values = if values.is_list() {
            OneOrMany::Many(out)
        } else {
            OneOrMany::Many(out).canonical()
        };
        Ok(Some(if element == "Resource" {
            ResourceClause::Resource(values)
        } else {
            ResourceClause::NotResource(values)
        }))
    }

    fn resource_variables(&mut self, text: &str, path: impl FnOnce() -> String) -> bool {
        // The IAM User Guide says variables go only after the fifth colon, but AWS's own
        // AmazonTimestreamInfluxDBServiceRolePolicy puts `${aws:PrincipalAccount}` in the
        // account segment and IAM accepts it, so only the syntax is checked.
        if !variable::has_variables(text) {
            return true;
        }
        self.uses_variables = true;
        if let Err(e) = variable::split(text) {
            self.report.error(
                "invalid-variable",
                path(),
                e.to_string(),
                "write variables as `${aws:username}` or `${aws:PrincipalTag/team, 'default'}`",
            );
            return false;
        }
        true
    }

    fn condition(&mut self, c: &raw::Condition, path: &str) -> Option<Condition> {
        let mut ok = true;
        for name in c.duplicates() {
            self.report.error(
                "duplicate-key",
                format!("{path}/{}", pointer_token(name)),
                format!("the operator `{name}` is written twice"),
                "JSON keeps only the last one; merge the keys into one block",
            );
            ok = false;
        }
        let mut out = Condition::new();
        for (op_text, keys) in c.iter() {
            let op_path = || format!("{path}/{}", pointer_token(op_text));
            let operator = match op_text.parse::<ConditionOperator>() {
                Ok(op) => Some(op),
                Err(e) => {
                    let suggestion = suggest_operator(op_text);
                    let help = match suggestion {
                        Some(s) => format!("did you mean `{s}`? Operator names are case-sensitive"),
                        None => {
                            "see \"IAM JSON policy elements: Condition operators\" for the list"
                                .to_string()
                        }
                    };
                    self.report
                        .error("unknown-condition-operator", op_path(), e.to_string(), help);
                    ok = false;
                    None
                }
            };
            if keys.is_empty() {
                self.report.error(
                    "empty-condition",
                    op_path(),
                    format!("`{op_text}` has no condition keys"),
                    "add a key and its values, or remove the operator",
                );
                ok = false;
                continue;
            }
            for name in keys.duplicates() {
                self.report.error(
                    "duplicate-key",
                    format!("{}/{}", op_path(), pointer_token(name)),
                    format!("the key `{name}` is written twice"),
                    "JSON keeps only the last one; merge the values into one list",
                );
                ok = false;
            }
            let mut typed_keys = OrderedMap::new();
            for (key_text, values) in keys.iter() {
                let key_path = || format!("{}/{}", op_path(), pointer_token(key_text));
                let key = match key_text.parse::<ConditionKey>() {
                    Ok(k) => Some(k),
                    Err(e) => {
                        self.report.error("invalid-condition-key", key_path(), e.to_string(), "condition keys look like `aws:SourceIp`, `s3:prefix` or `aws:RequestTag/team`");
                        ok = false;
                        None
                    }
                };
                if values.is_empty() {
                    self.report.error(
                        "empty-list",
                        key_path(),
                        format!("`{key_text}` has an empty list of values"),
                        "give at least one value",
                    );
                    ok = false;
                    continue;
                }
                if let Some(op) = operator {
                    ok &= self.condition_values(op, values, &key_path);
                }
                if let Some(key) = key {
                    typed_keys.insert(key, values.clone());
                }
            }
            if let Some(op) = operator {
                out.insert(op, typed_keys);
            }
        }
        ok.then_some(out)
    }

    fn condition_values(
        &mut self,
        op: ConditionOperator,
        values: &OneOrMany<condition::ConditionValue>,
        path: &dyn Fn() -> String,
    ) -> bool {
        let kind = op.operator().value_kind();
        let mut ok = true;
        for (i, value) in values.iter().enumerate() {
            let value_path = || item_path(&path(), values.is_list(), i);
            let text = value.as_text();
            self.iam_text(&text, value_path);
            if variable::has_variables(&text) {
                self.uses_variables = true;
                if !matches!(kind, ValueKind::String | ValueKind::Arn | ValueKind::Bool) {
                    self.report.error(
                        "invalid-condition-value",
                        value_path(),
                        format!(
                            "policy variables are not replaced in `{}` conditions",
                            op.operator().as_str()
                        ),
                        "variables work with String, ARN and Bool operators only",
                    );
                    ok = false;
                    continue;
                }
                if let Err(e) = variable::split(&text) {
                    self.report.error(
                        "invalid-variable",
                        value_path(),
                        e.to_string(),
                        "write variables as `${aws:username}`",
                    );
                    ok = false;
                }
                continue;
            }
            if let Err(expected) = condition::check_value(kind, value) {
                self.report.error(
                    "invalid-condition-value",
                    value_path(),
                    format!("`{text}` is not a valid value for `{op}`: {expected}"),
                    "see \"IAM JSON policy elements: Condition operators\" for the value forms",
                );
                ok = false;
            }
        }
        ok
    }
}

/// The JSON pointer of item `index` of a value written as one item (`base`) or as a list
/// (`base/index`).
fn item_path(base: &str, list: bool, index: usize) -> String {
    if list {
        format!("{base}/{index}")
    } else {
        base.to_string()
    }
}

fn no_wildcard_arn(p: AwsPrincipal) -> Result<AwsPrincipal, String> {
    match &p {
        AwsPrincipal::Arn(arn) if arn.as_str().contains(['*', '?']) => Err(format!(
            "invalid AWS principal `{arn}`: principal ARNs cannot hold wildcards; use `\"*\"` with the `aws:PrincipalArn` condition key and ArnLike"
        )),
        _ => Ok(p),
    }
}

fn trust_action_ok(action: &Action) -> bool {
    TRUST_ACTIONS
        .iter()
        .any(|allowed| crate::wildcard::matches_ignore_case(action.as_str(), allowed))
}

fn suggest_operator(text: &str) -> Option<String> {
    let candidates = crate::policy::Operator::all().flat_map(|op| {
        let base = ConditionOperator::new(op);
        let mut v = vec![base.to_string()];
        if op != crate::policy::Operator::Null {
            v.push(base.if_exists_form().to_string());
        }
        v
    });
    let (qualifier, rest) = match text.split_once(':') {
        Some((q, r)) => (format!("{q}:"), r),
        None => (String::new(), text),
    };
    let best = candidates
        .map(|c| {
            (
                strsim::damerau_levenshtein(&rest.to_ascii_lowercase(), &c.to_ascii_lowercase()),
                c,
            )
        })
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)))?;
    let fixed_qualifier = if qualifier.is_empty() {
        String::new()
    } else if qualifier.eq_ignore_ascii_case("ForAllValues:") {
        "ForAllValues:".to_string()
    } else if qualifier.eq_ignore_ascii_case("ForAnyValue:") {
        "ForAnyValue:".to_string()
    } else {
        return None;
    };
    (best.0 <= 3).then(|| format!("{fixed_qualifier}{}", best.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str, kind: PolicyKind) -> Vec<(String, String)> {
        check_policy_json(text, kind)
            .unwrap()
            .findings()
            .iter()
            .map(|f| (f.code.to_string(), f.path.clone()))
            .collect()
    }

    #[test]
    fn a_valid_policy_has_no_findings() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:GetObject"],
            "Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#;
        assert_eq!(codes(text, PolicyKind::Identity), vec![]);
    }

    #[test]
    fn operator_typos_get_a_suggestion() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
            "Condition":{"stringequals":{"aws:RequestedRegion":"eu-west-1"}}}]}"#;
        let report = check_policy_json(text, PolicyKind::Scp).unwrap();
        let f = &report.findings()[0];
        assert_eq!(
            (f.code, f.path.as_str()),
            (
                "unknown-condition-operator",
                "/Statement/0/Condition/stringequals"
            )
        );
        assert_eq!(
            f.help,
            "did you mean `StringEquals`? Operator names are case-sensitive"
        );
    }

    #[test]
    fn trust_policies_take_only_assume_role_actions() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},
            "Action":["sts:AssumeRole","s3:GetObject"]}]}"#;
        assert_eq!(
            codes(text, PolicyKind::Trust),
            vec![(
                "trust-action-not-allowed".into(),
                "/Statement/0/Action/1".into()
            )]
        );
    }

    #[test]
    fn trust_policy_size_between_default_and_maximum_is_a_warning() {
        let mut report = Report::new();
        check_size(3000, PolicyKind::Trust, "", &mut report);
        assert_eq!(report.warnings().count(), 1);
        check_size(5000, PolicyKind::Trust, "", &mut report);
        assert_eq!(report.errors().count(), 1);
    }
}
