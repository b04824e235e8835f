//! `iam-codegen simulate`: evaluate requests offline.
//!
//! `--cases FILE` evaluates a batch of cases over raw policies, without a model (the format
//! is described in the README, "Batch simulation format"): policies written inline in each
//! case, or defined once under `policies` and named by id. `--cases -` (stdin) or a
//! `.jsonl` file reads JSON Lines, one case per line after an optional `{"policies": …}`
//! line, and answers one line per case, so memory holds the policies and one case.
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use iam_model::eval::{
    Evaluation, OrgLevel, PolicySet, Request, RequestPrincipal, SharedPolicy, evaluate,
};
use iam_model::json::{OneOrMany, pointer_token};
use iam_model::policy::{AccountId, PolicyKind};
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
    /// Evaluate the cases of a JSON case file (see "Batch simulation format" in the README);
    /// `-` reads JSON Lines from stdin, as does a file whose name ends in `.jsonl`.
    #[arg(long, value_name = "FILE", required_unless_present = "model", conflicts_with_all = ["model", "principal", "account", "action", "resource", "context"])]
    pub cases: Option<PathBuf>,
    /// The model file (JSON).
    #[arg(value_name = "MODEL", requires_all = ["principal", "account", "action"])]
    pub model: Option<PathBuf>,
    /// The principal: `user:NAME`, `group:NAME`, `permission-set:NAME`,
    /// `iam-user:[ACCOUNT/]NAME`, `iam-role:[ACCOUNT/]NAME` (or `role:`),
    /// `external-account:ID`, `oidc:[ACCOUNT/]PROVIDER`, `saml:[ACCOUNT/]PROVIDER` or
    /// `federated:PROVIDER-ARN` (set the provider's claims with `--context`).
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
    // Policies defined once, by id, that cases name instead of writing them out.
    #[serde(default)]
    policies: BTreeMap<String, Value>,
    cases: Vec<CaseIn>,
}

// The first line of a JSON Lines batch, when it defines policies.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    policies: BTreeMap<String, Value>,
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
    // Read by `principal`, so that an unknown form is an error of its case.
    principal: Value,
    action: String,
    resource: String,
    #[serde(default)]
    resource_account: Option<String>,
    #[serde(default)]
    context: BTreeMap<String, OneOrMany<String>>,
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
        RCP_FULL_AWS_ACCESS,
        PolicyKind::Resource,
        RCP_FULL_AWS_ACCESS_TEXT,
    ),
];

const RCP_FULL_AWS_ACCESS: &str = "RCPFullAWSAccess";
// AWS Organizations User Guide, "RCP syntax": "The effect of Allow is only supported for the
// RCPFullAWSAccess policy", whose document is this one.
const RCP_FULL_AWS_ACCESS_TEXT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

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

/// The policies of a batch defined once (`policies`), compiled once per kind they are used
/// as, and AWS's built-in ones.
struct Library {
    definitions: BTreeMap<String, Value>,
    compiled: BTreeMap<(String, PolicyKind), Result<SharedPolicy, Vec<Finding>>>,
}

impl Library {
    fn new(definitions: BTreeMap<String, Value>) -> Self {
        Self {
            definitions,
            compiled: BTreeMap::new(),
        }
    }

    // A named policy: a built-in one or a definition, compiled on first use.
    fn named(
        &mut self,
        name: &str,
        kind: PolicyKind,
        base: &str,
        report: &mut Report,
    ) -> Option<SharedPolicy> {
        if let Some(built_in) = self.compiled_for(name, kind) {
            return match built_in {
                Ok(p) => Some(p.clone()),
                Err(findings) => {
                    for f in findings {
                        report.push(f.clone());
                    }
                    None
                }
            };
        }
        let (value, kind, path, owned) = if let Some((_, built_in_kind, text)) =
            BUILT_IN.iter().find(|(n, _, _)| *n == name)
        {
            let owned: Value = serde_json::from_str(text).ok()?;
            (None, *built_in_kind, base.to_string(), Some(owned))
        } else if let Some(value) = self.definitions.get(name) {
            let kind = if kind == PolicyKind::Resource {
                resource_kind(value)
            } else {
                kind
            };
            (
                Some(value),
                kind,
                format!("/policies/{}", pointer_token(name)),
                None,
            )
        } else {
            report.error(
                    "unknown-policy",
                    base,
                    format!("unknown policy `{name}`"),
                    "define the policy under `policies` at the top of the file, or write it inline; `FullAWSAccess` and `RCPFullAWSAccess` are built in",
                );
            return None;
        };
        let value = value.or(owned.as_ref())?;
        let mut own = Report::new();
        let compiled = compile(value, kind, name, &path, &mut own);
        let result = match compiled {
            Some(p) if !own.has_errors() => Ok(p),
            _ => Err(own.errors().cloned().collect()),
        };
        let key = (name.to_string(), requested_kind(kind));
        let entry = self.compiled.entry(key).or_insert(result);
        match entry {
            Ok(p) => Some(p.clone()),
            Err(findings) => {
                for f in findings.iter() {
                    report.push(f.clone());
                }
                None
            }
        }
    }

    fn compiled_for(
        &self,
        name: &str,
        kind: PolicyKind,
    ) -> Option<&Result<SharedPolicy, Vec<Finding>>> {
        self.compiled.get(&(name.to_string(), requested_kind(kind)))
    }
}

// Resource-based policies are cached under one kind (trust or not is the document's).
fn requested_kind(kind: PolicyKind) -> PolicyKind {
    match kind {
        PolicyKind::Trust => PolicyKind::Resource,
        other => other,
    }
}

// Check and compile one policy document; findings go to `report` with paths under `base`.
fn compile(
    value: &Value,
    kind: PolicyKind,
    name: &str,
    base: &str,
    report: &mut Report,
) -> Option<SharedPolicy> {
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
    Some(SharedPolicy::new(name, document))
}

// Read one policy entry: a name, or a document written inline (named by its JSON pointer
// inside the case: `identity_policies/0`).
fn policy(
    value: &Value,
    kind: PolicyKind,
    base: &str,
    report: &mut Report,
    library: &mut Library,
) -> Option<SharedPolicy> {
    if let Value::String(name) = value {
        return library.named(name, kind, base, report);
    }
    let name = base.splitn(4, '/').last().unwrap_or(base);
    // The RCPFullAWSAccess document written out in full is AWS's own policy, the only RCP
    // that may allow; any other `Allow` in an RCP stays an error.
    let kind = if kind == PolicyKind::Rcp && is_rcp_full_aws_access(value) {
        PolicyKind::Resource
    } else {
        kind
    };
    compile(value, kind, name, base, report)
}

fn is_rcp_full_aws_access(value: &Value) -> bool {
    serde_json::from_str::<Value>(RCP_FULL_AWS_ACCESS_TEXT).is_ok_and(|full| *value == full)
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

fn build(case: &CaseIn, base: &str, library: &mut Library) -> Result<Built, Vec<Finding>> {
    let mut report = Report::new();
    let mut set = PolicySet::new();
    for (i, v) in case.identity_policies.iter().enumerate() {
        let path = format!("{base}/identity_policies/{i}");
        if let Some(p) = policy(v, PolicyKind::Identity, &path, &mut report, library) {
            set = set.identity_shared(&p);
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
                if let Some(p) = policy(v, kind, &path, &mut report, library) {
                    org = org.shared(&p);
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
        if let Some(p) = policy(v, PolicyKind::Boundary, &path, &mut report, library) {
            set = set.boundary_shared(&p);
        }
    }
    if let Some(v) = case.resource_policy.as_ref().filter(|v| !v.is_null()) {
        let path = format!("{base}/resource_policy");
        if let Some(p) = policy(v, resource_kind(v), &path, &mut report, library) {
            set = set.resource_policy_shared(&p);
        }
    }
    if let Some(v) = case.session_policy.as_ref().filter(|v| !v.is_null()) {
        let path = format!("{base}/session_policy");
        if let Some(p) = policy(v, PolicyKind::Identity, &path, &mut report, library) {
            set = set.session_policy_shared(&p);
        }
    }
    let request = request(&case.request, &format!("{base}/request"), &mut report);
    match request {
        Some(request) if !report.has_errors() => Ok(Built { set, request }),
        _ => Err(report.errors().cloned().collect()),
    }
}

const PRINCIPAL_FORMS: &str = "write an IAM or STS principal ARN, an OIDC or SAML provider ARN, a service principal such as `lambda.amazonaws.com`, `{\"type\": \"Anonymous\"}` or `{\"federated\": \"PROVIDER-ARN-OR-NAME\"}`";

// The request principal: a string, `{"type": "Anonymous"}` or `{"federated": PROVIDER}`.
fn principal(value: &Value, base: &str, report: &mut Report) -> Option<RequestPrincipal> {
    let path = format!("{base}/principal");
    let parsed = match value {
        Value::String(text) => text.parse::<RequestPrincipal>().map_err(|e| e.to_string()),
        Value::Object(map) if map.len() == 1 => match map.iter().next() {
            Some((key, Value::String(kind))) if key == "type" => {
                if kind == "Anonymous" {
                    Ok(RequestPrincipal::Anonymous)
                } else {
                    Err(format!("unknown principal type `{kind}`"))
                }
            }
            Some((key, Value::String(provider))) if key == "federated" => {
                RequestPrincipal::federated(provider).map_err(|e| e.to_string())
            }
            _ => Err("unknown request principal form".to_string()),
        },
        _ => Err("unknown request principal form".to_string()),
    };
    match parsed {
        Ok(p) => Some(p),
        Err(message) => {
            report.error("invalid-request", path, message, PRINCIPAL_FORMS);
            None
        }
    }
}

fn request(r: &RequestIn, base: &str, report: &mut Report) -> Option<Request> {
    let principal = principal(&r.principal, base, report);
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

fn json_error(e: &serde_path_to_error::Error<serde_json::Error>) -> JsonError {
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
}

fn read_cases(text: &str) -> Result<CaseFile, JsonError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let file: CaseFile = serde_path_to_error::deserialize(&mut de).map_err(|e| json_error(&e))?;
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

fn result_json(id: &str, outcome: &Outcome<'_>) -> Value {
    match outcome {
        Outcome::Evaluated(e) => json!({
            "id": id,
            "decision": e.decision().as_str(),
            "explanation": explanation_json(e),
        }),
        Outcome::Invalid(findings) => json!({
            "id": id,
            "error": {"findings": findings},
        }),
    }
}

fn result_text(id: &str, outcome: &Outcome<'_>, text: &mut String) {
    match outcome {
        Outcome::Evaluated(e) => {
            text.push_str(&format!("{id}: {}\n", e.decision()));
            text.push_str(&format!("  reason: {}\n", e.reason().message()));
            if let Some(layer) = e.blocked_by() {
                match e.blocked_level() {
                    Some(level) => {
                        text.push_str(&format!("  blocked by: {layer} at level `{level}`\n"))
                    }
                    None => text.push_str(&format!("  blocked by: {layer}\n")),
                }
            }
            for m in e.denied_by() {
                text.push_str(&format!("  denied by: {m}"));
                text.push('\n');
            }
            for m in e.allowed_by() {
                text.push_str(&format!("  allowed by: {m}"));
                text.push('\n');
            }
        }
        Outcome::Invalid(findings) => {
            text.push_str(&format!("{id}: invalid\n"));
            for f in findings {
                text.push_str(&format!("  {f}\n"));
            }
        }
    }
}

// Build, evaluate and render one case; whether it was valid.
fn one_case(
    case: &CaseIn,
    base: &str,
    library: &mut Library,
    format: Format,
    json_out: &mut Vec<Value>,
    text: &mut String,
) -> bool {
    let built = build(case, base, library);
    let outcome = match &built {
        Ok(b) => Outcome::Evaluated(evaluate(&b.set, &b.request)),
        Err(findings) => Outcome::Invalid(findings.clone()),
    };
    match format {
        Format::Json => json_out.push(result_json(&case.id, &outcome)),
        Format::Text => result_text(&case.id, &outcome, text),
    }
    matches!(outcome, Outcome::Evaluated(_))
}

fn finish(result: std::io::Result<()>, invalid: bool) -> Result<ExitStatus, CliError> {
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

/// Evaluate a batch in JSON Lines: an optional first line `{"policies": {ID: POLICY, …}}`,
/// then one case per line (blank lines are skipped). Each case is answered as soon as it is
/// read, one line per case with `--format json` (`{"id", "decision", "explanation"}` or
/// `{"id", "error"}`), so memory holds the policies and one case. `path` names the input
/// in errors. Case ids are not checked for repeats, which would need every id in memory.
///
/// ```
/// use iam_codegen::cli::{ExitStatus, Format};
/// use iam_codegen::cli::simulate_lines;
/// let input = concat!(
///     r#"{"policies": {"read": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}}}"#, "\n",
///     r#"{"id": "get", "identity_policies": ["read"], "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}}"#, "\n",
/// );
/// let mut out = Vec::new();
/// let status = simulate_lines(&mut input.as_bytes(), "-".as_ref(), Format::Json, &mut out)?;
/// assert_eq!(status, ExitStatus::Success);
/// assert!(String::from_utf8(out)?.starts_with(r#"{"id":"get","decision":"Allowed","#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn simulate_lines(
    input: &mut dyn BufRead,
    path: &Path,
    format: Format,
    out: &mut dyn Write,
) -> Result<ExitStatus, CliError> {
    let cases_error = |source: JsonError| CliError::Cases {
        path: path.to_path_buf(),
        source,
    };
    let read_error = |source| CliError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut library = Library::new(BTreeMap::new());
    let mut line = String::new();
    let mut number = 0usize;
    let mut invalid = false;
    let mut seen_case = false;
    let mut json_out = Vec::with_capacity(1);
    let mut text = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line).map_err(read_error)? == 0 {
            break;
        }
        number += 1;
        if line.trim().is_empty() {
            continue;
        }
        let at_line = |e: serde_json::Error, pointer: String| {
            let mut err = JsonError::new(&e, pointer);
            err.line = number;
            cases_error(err)
        };
        if !seen_case && line.trim_start().starts_with(r#"{"policies""#) {
            let mut de = serde_json::Deserializer::from_str(&line);
            let header: Header = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let mut err = json_error(&e);
                err.line = number;
                cases_error(err)
            })?;
            library = Library::new(header.policies);
            continue;
        }
        seen_case = true;
        let mut de = serde_json::Deserializer::from_str(&line);
        let case: CaseIn = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let mut err = json_error(&e);
            err.line = number;
            cases_error(err)
        })?;
        de.end().map_err(|e| at_line(e, String::new()))?;
        invalid |= !one_case(&case, "", &mut library, format, &mut json_out, &mut text);
        let written = match format {
            Format::Json => json_out.drain(..).try_for_each(|v| {
                let mut s = serde_json::to_string(&v).unwrap_or_default();
                s.push('\n');
                out.write_all(s.as_bytes())
            }),
            Format::Text => {
                let r = out.write_all(text.as_bytes());
                text.clear();
                r
            }
        };
        if let Err(e) = written {
            return finish(Err(e), invalid);
        }
    }
    finish(Ok(()), invalid)
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
    if path.as_os_str() == "-" {
        let stdin = std::io::stdin();
        let mut lock = stdin.lock();
        return simulate_lines(&mut lock, path, format, out);
    }
    if path.extension().is_some_and(|e| e == "jsonl") {
        let file = std::fs::File::open(path).map_err(|source| CliError::Read {
            path: path.clone(),
            source,
        })?;
        let mut reader = std::io::BufReader::new(file);
        return simulate_lines(&mut reader, path, format, out);
    }
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Read {
        path: path.clone(),
        source,
    })?;
    let mut file = read_cases(&text).map_err(|source| CliError::Cases {
        path: path.clone(),
        source,
    })?;
    drop(text);
    let mut seen = BTreeSet::new();
    for case in &file.cases {
        if !seen.insert(case.id.as_str()) {
            return Err(CliError::DuplicateCase {
                path: path.clone(),
                id: case.id.clone(),
            });
        }
    }
    let mut library = Library::new(std::mem::take(&mut file.policies));
    let mut invalid = false;
    let mut results = Vec::new();
    let mut text = String::new();
    for (i, case) in file.cases.iter().enumerate() {
        invalid |= !one_case(
            case,
            &format!("/cases/{i}"),
            &mut library,
            format,
            &mut results,
            &mut text,
        );
    }
    let result = match format {
        Format::Json => {
            let doc = json!({"version": 1, "results": results});
            let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            text.push('\n');
            out.write_all(text.as_bytes())
        }
        Format::Text => out.write_all(text.as_bytes()),
    };
    finish(result, invalid)
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
