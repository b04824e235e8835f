//! `iam-codegen simulate`: evaluate requests offline.
//!
//! `--cases FILE` evaluates a batch of cases over raw policies, without a model (the format
//! is described in the README, "Batch simulation format").
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use iam_model::eval::{Evaluation, OrgLevel, PolicySet, Request, RequestPrincipal, evaluate};
use iam_model::json::{OneOrMany, pointer_token};
use iam_model::policy::{AccountId, PolicyDocument, PolicyKind};
use iam_model::validate::policy::{check_policy, decode};
use iam_model::{Finding, JsonError, Report, raw};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{CliError, ExitStatus, Format};

/// Arguments of `simulate`: a model and one request (`MODEL --principal P --account A
/// --action X --resource R`), or `--cases FILE`.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(
    after_help = "Exit codes:\n  0  allowed (with --cases: every case is valid)\n  1  the model or case file cannot be read, or the principal or account is unknown\n  3  the model (or a case) has validation errors\n  4  denied"
)]
pub struct SimulateArgs {
    /// Evaluate the cases of a JSON case file (see "Batch simulation format" in the README).
    #[arg(long, value_name = "FILE", required_unless_present = "model", conflicts_with_all = ["model", "principal", "account", "action", "resource", "context"])]
    pub cases: Option<PathBuf>,
    /// The model file (JSON).
    #[arg(value_name = "MODEL", requires_all = ["principal", "account", "action"])]
    pub model: Option<PathBuf>,
    /// The principal: `user:NAME`, `group:NAME`, `permission-set:NAME`,
    /// `iam-user:[ACCOUNT/]NAME`, `iam-role:[ACCOUNT/]NAME` (or `role:`),
    /// `external-account:ID`.
    #[arg(long, requires = "model")]
    pub principal: Option<String>,
    /// The account (name or id) where the principal acts and the resource is.
    #[arg(long, requires = "model")]
    pub account: Option<String>,
    /// The action (`s3:PutObject`).
    #[arg(long, requires = "model")]
    pub action: Option<String>,
    /// The resource: an ARN, or `*` (default).
    #[arg(long, requires = "model")]
    pub resource: Option<String>,
    /// A request context value, `KEY=VALUE` (repeat a key for several values).
    #[arg(long = "context", value_name = "KEY=VALUE", value_parser = super::access::parse_context)]
    pub context: Vec<(String, String)>,
}

// The case file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    cases: Vec<CaseIn>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseIn {
    id: String,
    #[serde(default)]
    identity_policies: Vec<Value>,
    #[serde(default)]
    scps: Vec<LevelIn>,
    #[serde(default)]
    rcps: Vec<LevelIn>,
    #[serde(default)]
    permission_boundaries: Vec<Value>,
    #[serde(default)]
    resource_policy: Option<Value>,
    #[serde(default)]
    session_policy: Option<Value>,
    request: RequestIn,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelIn {
    level: String,
    #[serde(default)]
    policies: Vec<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestIn {
    principal: PrincipalIn,
    action: String,
    resource: String,
    #[serde(default)]
    resource_account: Option<String>,
    #[serde(default)]
    context: BTreeMap<String, OneOrMany<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum PrincipalIn {
    Text(String),
    Typed {
        #[serde(rename = "type")]
        kind: String,
    },
}

/// AWS Organizations' own policies, which a case may name instead of writing them out:
/// `FullAWSAccess` (SCP) and `RCPFullAWSAccess` (RCP; AWS attaches it to every level and it
/// cannot be written as a customer RCP, which may only deny).
/// They are read as the kind given here, since a customer RCP cannot allow.
const BUILT_IN: [(&str, PolicyKind, &str); 2] = [
    (
        "FullAWSAccess",
        PolicyKind::Scp,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    ),
    (
        "RCPFullAWSAccess",
        PolicyKind::Resource,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
    ),
];

/// The outcome of one case.
#[derive(Debug)]
enum Outcome<'s> {
    Evaluated(Evaluation<'s>),
    Invalid(Vec<Finding>),
}

struct Built {
    set: PolicySet,
    request: Request,
}

// Read one policy entry; findings go to `report` with paths under `base`.
fn policy(
    value: &Value,
    kind: PolicyKind,
    base: &str,
    report: &mut Report,
) -> Option<(String, PolicyDocument)> {
    let owned;
    let mut kind = kind;
    let (value, name) = match value {
        Value::String(name) => match BUILT_IN.iter().find(|(n, _, _)| n == name) {
            Some((n, built_in_kind, text)) => {
                owned = serde_json::from_str::<Value>(text).ok()?;
                kind = *built_in_kind;
                (&owned, (*n).to_string())
            }
            None => {
                report.error(
                    "unknown-policy",
                    base,
                    format!("unknown policy `{name}`"),
                    "write the policy document inline; only `FullAWSAccess` and `RCPFullAWSAccess` can be named",
                );
                return None;
            }
        },
        // Named by its JSON pointer inside the case: `identity_policies/0`.
        other => (
            other,
            base.splitn(4, '/').last().unwrap_or(base).to_string(),
        ),
    };
    let raw: raw::Policy = match serde_json::from_value(value.clone()) {
        Ok(raw) => raw,
        Err(e) => {
            report.error(
                "invalid-policy-json",
                base,
                format!("the policy is not a policy document: {e}"),
                "a policy is an object with `Version` and `Statement`",
            );
            return None;
        }
    };
    let checked = check_policy(&raw, kind, base);
    let failed = checked.has_errors();
    report.extend(checked);
    if failed {
        return None;
    }
    let document = decode(&raw, kind, base, &mut Report::new())?;
    Some((name, document))
}

// A resource-based policy without any `Resource` is a role trust policy.
fn resource_kind(value: &Value) -> PolicyKind {
    let statements: Vec<&Value> = match value.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let has_resource = statements
        .iter()
        .any(|s| s.get("Resource").is_some() || s.get("NotResource").is_some());
    if has_resource || statements.is_empty() {
        PolicyKind::Resource
    } else {
        PolicyKind::Trust
    }
}

fn build(case: &CaseIn, base: &str) -> Result<Built, Vec<Finding>> {
    let mut report = Report::new();
    let mut set = PolicySet::new();
    for (i, v) in case.identity_policies.iter().enumerate() {
        let path = format!("{base}/identity_policies/{i}");
        if let Some((name, doc)) = policy(v, PolicyKind::Identity, &path, &mut report) {
            set = set.identity(&name, doc);
        }
    }
    for (field, levels, kind) in [
        ("scps", &case.scps, PolicyKind::Scp),
        ("rcps", &case.rcps, PolicyKind::Rcp),
    ] {
        for (l, level) in levels.iter().enumerate() {
            let mut org = OrgLevel::new(level.level.clone());
            for (i, v) in level.policies.iter().enumerate() {
                let path = format!("{base}/{field}/{l}/policies/{i}");
                if let Some((name, doc)) = policy(v, kind, &path, &mut report) {
                    org = org.policy(&name, doc);
                }
            }
            set = match kind {
                PolicyKind::Scp => set.scp_level(org),
                _ => set.rcp_level(org),
            };
        }
    }
    for (i, v) in case.permission_boundaries.iter().enumerate() {
        let path = format!("{base}/permission_boundaries/{i}");
        if let Some((name, doc)) = policy(v, PolicyKind::Boundary, &path, &mut report) {
            set = set.boundary(&name, doc);
        }
    }
    if let Some(v) = case.resource_policy.as_ref().filter(|v| !v.is_null()) {
        let path = format!("{base}/resource_policy");
        if let Some((name, doc)) = policy(v, resource_kind(v), &path, &mut report) {
            set = set.resource_policy(&name, doc);
        }
    }
    if let Some(v) = case.session_policy.as_ref().filter(|v| !v.is_null()) {
        let path = format!("{base}/session_policy");
        if let Some((name, doc)) = policy(v, PolicyKind::Identity, &path, &mut report) {
            set = set.session_policy(&name, doc);
        }
    }
    let request = request(&case.request, &format!("{base}/request"), &mut report);
    match request {
        Some(request) if !report.has_errors() => Ok(Built { set, request }),
        _ => Err(report.errors().cloned().collect()),
    }
}

fn request(r: &RequestIn, base: &str, report: &mut Report) -> Option<Request> {
    let principal = match &r.principal {
        PrincipalIn::Typed { kind } if kind == "Anonymous" => Some(RequestPrincipal::Anonymous),
        PrincipalIn::Typed { kind } => {
            report.error(
                "invalid-request",
                format!("{base}/principal/type"),
                format!("unknown principal type `{kind}`"),
                "write an ARN, a service principal, or `{\"type\": \"Anonymous\"}`",
            );
            None
        }
        PrincipalIn::Text(text) => match text.parse::<RequestPrincipal>() {
            Ok(p) => Some(p),
            Err(e) => {
                report.error(
                    "invalid-request",
                    format!("{base}/principal"),
                    e.to_string(),
                    "write an IAM or STS principal ARN, a service principal such as `lambda.amazonaws.com`, or `{\"type\": \"Anonymous\"}`",
                );
                None
            }
        },
    };
    let account = match &r.resource_account {
        None => None,
        Some(text) => match text.parse::<AccountId>() {
            Ok(id) => Some(id),
            Err(e) => {
                report.error(
                    "invalid-request",
                    format!("{base}/resource_account"),
                    e.to_string(),
                    "write the 12-digit id of the account that owns the resource",
                );
                None
            }
        },
    };
    // An answer about an action that does not exist proves nothing.
    report.extend(iam_model::validate::catalog::check_action_name(
        &r.action,
        &format!("{base}/action"),
    ));
    let mut request = Request::new(principal?, &r.action, &r.resource);
    if let Some(id) = account {
        request = request.resource_account(id);
    }
    for (key, values) in &r.context {
        request = request.context(key, values.iter().cloned());
    }
    Some(request)
}

fn read_cases(text: &str) -> Result<CaseFile, JsonError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let file: CaseFile = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let mut pointer = String::new();
        for segment in e.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => {
                    pointer.push_str(&format!("/{index}"));
                }
                serde_path_to_error::Segment::Map { key } => {
                    pointer.push('/');
                    pointer.push_str(&pointer_token(key));
                }
                serde_path_to_error::Segment::Enum { variant } => {
                    pointer.push('/');
                    pointer.push_str(&pointer_token(variant));
                }
                serde_path_to_error::Segment::Unknown => {}
            }
        }
        JsonError::new(e.inner(), pointer)
    })?;
    de.end().map_err(|e| JsonError::new(&e, String::new()))?;
    Ok(file)
}

fn explanation_json(e: &Evaluation<'_>) -> Value {
    let statement = |m: &iam_model::eval::StatementMatch<'_>| {
        let mut v = json!({
            "layer": m.layer.as_str(),
            "policy": m.policy,
            "statement": m.statement,
        });
        if let Some(obj) = v.as_object_mut() {
            if let Some(level) = m.level {
                obj.insert("level".into(), json!(level));
            }
            if let Some(sid) = m.sid {
                obj.insert("sid".into(), json!(sid));
            }
        }
        v
    };
    let mut v = json!({
        "reason": e.reason().message(),
        "blocked_by": e.blocked_by().map(|l| l.as_str()),
        "denied_by": e.denied_by().map(statement).collect::<Vec<_>>(),
        "allowed_by": e.allowed_by().map(statement).collect::<Vec<_>>(),
    });
    if let (Some(level), Some(obj)) = (e.blocked_level(), v.as_object_mut()) {
        obj.insert("blocked_level".into(), json!(level));
    }
    v
}

fn statement_line(kind: &str, m: &iam_model::eval::StatementMatch<'_>) -> String {
    let mut line = format!("  {kind}: {}", m.layer);
    if let Some(level) = m.level {
        line.push_str(&format!(" `{level}`"));
    }
    line.push_str(&format!(" `{}` statement {}", m.policy, m.statement));
    if let Some(sid) = m.sid {
        line.push_str(&format!(" ({sid})"));
    }
    line
}

/// Run `simulate`.
pub fn run(
    args: &SimulateArgs,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, CliError> {
    let Some(path) = &args.cases else {
        let missing = |name| CliError::MissingArgument { name };
        let model = args.model.as_deref().ok_or(missing("MODEL"))?;
        let request = super::access::SimulateModel {
            model,
            principal: args.principal.as_deref().ok_or(missing("--principal"))?,
            account: args.account.as_deref().ok_or(missing("--account"))?,
            action: args.action.as_deref().ok_or(missing("--action"))?,
            resource: args.resource.as_deref().unwrap_or("*"),
            context: &args.context,
        };
        return super::access::simulate(&request, format, out, err);
    };
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Read {
        path: path.clone(),
        source,
    })?;
    let file = read_cases(&text).map_err(|source| CliError::Cases {
        path: path.clone(),
        source,
    })?;
    let mut seen = std::collections::BTreeSet::new();
    for case in &file.cases {
        if !seen.insert(case.id.as_str()) {
            return Err(CliError::DuplicateCase {
                path: path.clone(),
                id: case.id.clone(),
            });
        }
    }

    let built: Vec<Result<Built, Vec<Finding>>> = file
        .cases
        .iter()
        .enumerate()
        .map(|(i, case)| build(case, &format!("/cases/{i}")))
        .collect();
    let outcomes: Vec<Outcome<'_>> = built
        .iter()
        .map(|b| match b {
            Ok(b) => Outcome::Evaluated(evaluate(&b.set, &b.request)),
            Err(findings) => Outcome::Invalid(findings.clone()),
        })
        .collect();
    let invalid = outcomes.iter().any(|o| matches!(o, Outcome::Invalid(_)));

    let write = |out: &mut dyn Write, text: &str| out.write_all(text.as_bytes());
    let result = match format {
        Format::Json => {
            let results: Vec<Value> = file
                .cases
                .iter()
                .zip(&outcomes)
                .map(|(case, outcome)| match outcome {
                    Outcome::Evaluated(e) => json!({
                        "id": case.id,
                        "decision": e.decision().as_str(),
                        "explanation": explanation_json(e),
                    }),
                    Outcome::Invalid(findings) => json!({
                        "id": case.id,
                        "error": {"findings": findings},
                    }),
                })
                .collect();
            let doc = json!({"version": 1, "results": results});
            let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            text.push('\n');
            write(out, &text)
        }
        Format::Text => {
            let mut text = String::new();
            for (case, outcome) in file.cases.iter().zip(&outcomes) {
                match outcome {
                    Outcome::Evaluated(e) => {
                        text.push_str(&format!("{}: {}\n", case.id, e.decision()));
                        text.push_str(&format!("  reason: {}\n", e.reason().message()));
                        if let Some(layer) = e.blocked_by() {
                            match e.blocked_level() {
                                Some(level) => text.push_str(&format!(
                                    "  blocked by: {layer} at level `{level}`\n"
                                )),
                                None => text.push_str(&format!("  blocked by: {layer}\n")),
                            }
                        }
                        for m in e.denied_by() {
                            text.push_str(&statement_line("denied by", m));
                            text.push('\n');
                        }
                        for m in e.allowed_by() {
                            text.push_str(&statement_line("allowed by", m));
                            text.push('\n');
                        }
                    }
                    Outcome::Invalid(findings) => {
                        text.push_str(&format!("{}: invalid\n", case.id));
                        for f in findings {
                            text.push_str(&format!("  {f}\n"));
                        }
                    }
                }
            }
            write(out, &text)
        }
    };
    match result {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitStatus::Success),
        Err(e) => return Err(CliError::Write(e)),
    }
    Ok(if invalid {
        ExitStatus::Invalid
    } else {
        ExitStatus::Success
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulate_parses_with_cases_and_without_them_fails() {
        use clap::{CommandFactory, Parser};
        super::super::Cli::command().debug_assert();
        let cli = super::super::Cli::try_parse_from([
            "iam-codegen",
            "simulate",
            "--cases",
            "cases.json",
            "--format",
            "json",
        ])
        .unwrap();
        assert!(matches!(cli.command, super::super::Command::Simulate(_)));
        assert!(super::super::Cli::try_parse_from(["iam-codegen", "simulate"]).is_err());
    }

    #[test]
    fn bad_case_files_say_where() {
        let err = read_cases(
            r#"{"cases":[{"id":"a","request":{"principal":"x","action":"s3:GetObject"}}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1 column 71 (at `/cases/0/request`): missing field `resource`"
        );
        let err = read_cases("{\"cases\": [}").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 1 column 12 (at `/cases/0`): expected value"
        );
    }

    #[test]
    fn trust_policies_are_recognised_by_their_missing_resource() {
        let trust: Value = serde_json::from_str(
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}"#,
        )
        .unwrap();
        assert_eq!(resource_kind(&trust), PolicyKind::Trust);
        let bucket: Value = serde_json::from_str(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
        )
        .unwrap();
        assert_eq!(resource_kind(&bucket), PolicyKind::Resource);
    }
}
