//! `iam-codegen simulate`: evaluate requests offline.
//!
//! `--cases FILE` evaluates a batch of cases over raw policies, without a model (the format
//! is described in the README, "Batch simulation format"): policies written inline in each
//! case, or defined once under `policies` and named by id. `--cases -` (stdin) or a
//! `.jsonl` file reads JSON Lines, one case per line after an optional `{"policies": …}`
//! line, and answers one line per case, so memory holds the policies and one case.
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use iam_model::eval::{
    Evaluation, OrgLevel, PolicySet, Request, RequestPrincipal, SharedPolicy, evaluate,
};
use iam_model::json::{OneOrMany, pointer_token};
use iam_model::policy::{AccountId, Effect, PolicyKind};
use iam_model::validate::policy::{check_policy, decode};
use iam_model::{Finding, JsonError, Report, raw};
use serde::{Deserialize, Serialize};
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
/// as, and AWS's built-in ones; and the action names known to be in the catalogue.
struct Library {
    definitions: BTreeMap<String, Value>,
    // By name, so that a lookup by `&str` allocates nothing; then by the kind it is used as.
    compiled: BTreeMap<String, Vec<(PolicyKind, Compiled)>>,
    // Action names that passed the catalogue check, so that each distinct name is checked
    // once; bounded, since a batch may name any number of them.
    known_actions: HashSet<String>,
}

/// A policy compiled, or the findings that stop it.
type Compiled = Result<SharedPolicy, Vec<Finding>>;

/// How many distinct action names [`Library`] remembers as checked.
const KNOWN_ACTIONS: usize = 65_536;

impl Library {
    fn new(definitions: BTreeMap<String, Value>) -> Self {
        Self {
            definitions,
            compiled: BTreeMap::new(),
            known_actions: HashSet::new(),
        }
    }

    // Whether an action name is in the catalogue; the findings go to `report` if not.
    fn check_action(&mut self, action: &str, path: impl FnOnce() -> String, report: &mut Report) {
        if self.known_actions.contains(action) {
            return;
        }
        let checked = iam_model::validate::catalog::check_action_name(action, &path());
        if !checked.has_errors() && self.known_actions.len() < KNOWN_ACTIONS {
            self.known_actions.insert(action.to_string());
        }
        report.extend(checked);
    }

    // A named policy: a built-in one or a definition, compiled on first use.
    fn named(
        &mut self,
        name: &str,
        kind: PolicyKind,
        base: &dyn Fn() -> String,
        report: &mut Report,
    ) -> Option<SharedPolicy> {
        let requested = kind;
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
            (None, *built_in_kind, base(), Some(owned))
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
                    base(),
                    format!("unknown policy `{name}`"),
                    "define the policy under `policies` at the top of the file, or write it inline; `FullAWSAccess` and `RCPFullAWSAccess` are built in",
                );
            return None;
        };
        let value = value.or(owned.as_ref())?;
        let mut own = Report::new();
        let compiled = compile(value, kind, name, &path, &mut own);
        let result: Compiled = match compiled {
            Some(p) if !own.has_errors() => Ok(p),
            _ => Err(own.errors().cloned().collect()),
        };
        let answer = match &result {
            Ok(p) => Some(p.clone()),
            Err(findings) => {
                for f in findings.iter() {
                    report.push(f.clone());
                }
                None
            }
        };
        // Under the kind asked for, which `compiled_for` looks up (a built-in policy is
        // compiled as its own kind whatever it is asked for as).
        self.compiled
            .entry(name.to_string())
            .or_default()
            .push((requested_kind(requested), result));
        answer
    }

    fn compiled_for(&self, name: &str, kind: PolicyKind) -> Option<&Compiled> {
        let kind = requested_kind(kind);
        self.compiled
            .get(name)?
            .iter()
            .find_map(|(k, result)| (*k == kind).then_some(result))
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

// Read one policy entry of the case at `case` (`/cases/0`, or empty in JSON Lines): a name,
// or a document written inline (named by its JSON pointer inside the case:
// `identity_policies/0`).
fn policy(
    value: &Value,
    kind: PolicyKind,
    case: &str,
    base: &dyn Fn() -> String,
    report: &mut Report,
    library: &mut Library,
) -> Option<SharedPolicy> {
    if let Value::String(name) = value {
        return library.named(name, kind, base, report);
    }
    let base = &base();
    let name = base
        .strip_prefix(case)
        .and_then(|inside| inside.strip_prefix('/'))
        .unwrap_or(base);
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
        let path = || format!("{base}/identity_policies/{i}");
        if let Some(p) = policy(v, PolicyKind::Identity, base, &path, &mut report, library) {
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
                let path = || format!("{base}/{field}/{l}/policies/{i}");
                if let Some(p) = policy(v, kind, base, &path, &mut report, library) {
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
        let path = || format!("{base}/permission_boundaries/{i}");
        if let Some(p) = policy(v, PolicyKind::Boundary, base, &path, &mut report, library) {
            set = set.boundary_shared(&p);
        }
    }
    if let Some(v) = case.resource_policy.as_ref().filter(|v| !v.is_null()) {
        let path = || format!("{base}/resource_policy");
        if let Some(p) = policy(v, resource_kind(v), base, &path, &mut report, library) {
            set = set.resource_policy_shared(&p);
        }
    }
    if let Some(v) = case.session_policy.as_ref().filter(|v| !v.is_null()) {
        let path = || format!("{base}/session_policy");
        if let Some(p) = policy(v, PolicyKind::Identity, base, &path, &mut report, library) {
            set = set.session_policy_shared(&p);
        }
    }
    let request = request(&case.request, base, &mut report, library);
    match request {
        Some(request) if !report.has_errors() => Ok(Built { set, request }),
        _ => Err(report.errors().cloned().collect()),
    }
}

const PRINCIPAL_FORMS: &str = "write an IAM or STS principal ARN, an OIDC or SAML provider ARN, a service principal such as `lambda.amazonaws.com`, `{\"type\": \"Anonymous\"}` or `{\"federated\": \"PROVIDER-ARN-OR-NAME\"}`";

// The request principal: a string, `{"type": "Anonymous"}` or `{"federated": PROVIDER}`.
fn principal(value: &Value, base: &str, report: &mut Report) -> Option<RequestPrincipal> {
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
            let path = format!("{base}/request/principal");
            report.error("invalid-request", path, message, PRINCIPAL_FORMS);
            None
        }
    }
}

// The request of a case at `base` (`/cases/0`, or empty in JSON Lines).
fn request(
    r: &RequestIn,
    base: &str,
    report: &mut Report,
    library: &mut Library,
) -> Option<Request> {
    let principal = principal(&r.principal, base, report);
    let account = match &r.resource_account {
        None => None,
        Some(text) => match text.parse::<AccountId>() {
            Ok(id) => Some(id),
            Err(e) => {
                report.error(
                    "invalid-request",
                    format!("{base}/request/resource_account"),
                    e.to_string(),
                    "write the 12-digit id of the account that owns the resource",
                );
                None
            }
        },
    };
    // An answer about an action that does not exist proves nothing.
    library.check_action(&r.action, || format!("{base}/request/action"), report);
    let mut request = Request::new(principal?, &r.action, &r.resource);
    if let Some(id) = account {
        request = request.resource_account(id);
    }
    for (key, values) in &r.context {
        request = request.context(key, values);
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

/// One statement that applies, as JSON: `layer`, `policy`, `statement`, then `level` and
/// `sid` when there are.
#[derive(Serialize)]
struct StatementOut<'a> {
    layer: &'static str,
    policy: &'a str,
    statement: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sid: Option<&'a str>,
}

/// The statements of one effect that apply, serialized from the evaluation without a copy.
struct MatchesOut<'e, 'a>(&'e Evaluation<'a>, Effect);

impl Serialize for MatchesOut<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.0
                .matches()
                .iter()
                .filter(|m| m.effect == self.1)
                .map(|m| StatementOut {
                    layer: m.layer.as_str(),
                    policy: m.policy,
                    statement: m.statement,
                    level: m.level,
                    sid: m.sid,
                }),
        )
    }
}

/// The explanation of an evaluation as JSON; `blocked_level` only for a denial by an SCP or
/// RCP level.
#[derive(Serialize)]
struct ExplanationOut<'e, 'a> {
    reason: &'static str,
    blocked_by: Option<&'static str>,
    denied_by: MatchesOut<'e, 'a>,
    allowed_by: MatchesOut<'e, 'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    blocked_level: Option<&'a str>,
}

/// One case's answer as JSON: `{"id", "decision", "explanation"}` or `{"id", "error"}`.
/// Serialized straight to the output, so a case allocates no JSON tree.
#[derive(Serialize)]
#[serde(untagged)]
enum ResultOut<'e, 'a> {
    Evaluated {
        id: &'e str,
        decision: &'static str,
        explanation: ExplanationOut<'e, 'a>,
    },
    Invalid {
        id: &'e str,
        error: ErrorOut<'e>,
    },
}

#[derive(Serialize)]
struct ErrorOut<'e> {
    findings: &'e [Finding],
}

fn result_json<'e, 'a>(id: &'e str, outcome: &'e Outcome<'a>) -> ResultOut<'e, 'a> {
    match outcome {
        Outcome::Evaluated(e) => ResultOut::Evaluated {
            id,
            decision: e.decision().as_str(),
            explanation: ExplanationOut {
                reason: e.reason().message(),
                blocked_by: e.blocked_by().map(|l| l.as_str()),
                denied_by: MatchesOut(e, Effect::Deny),
                allowed_by: MatchesOut(e, Effect::Allow),
                blocked_level: e.blocked_level(),
            },
        },
        Outcome::Invalid(findings) => ResultOut::Invalid {
            id,
            error: ErrorOut { findings },
        },
    }
}

/// Where `one_case` puts a JSON answer: a tree for the batch document, or a line of bytes.
enum JsonSink {
    Values(Vec<Value>),
    Line(Vec<u8>),
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
    json_out: &mut JsonSink,
    text: &mut String,
) -> bool {
    let built = build(case, base, library);
    let outcome = match &built {
        Ok(b) => Outcome::Evaluated(evaluate(&b.set, &b.request)),
        Err(findings) => Outcome::Invalid(findings.clone()),
    };
    match format {
        Format::Json => {
            let result = result_json(&case.id, &outcome);
            match json_out {
                JsonSink::Values(values) => {
                    values.push(serde_json::to_value(&result).unwrap_or_default())
                }
                JsonSink::Line(line) => {
                    // Writing to memory fails only on a serializer error, which these types
                    // (strings, numbers, findings) cannot raise.
                    let _ = serde_json::to_writer(&mut *line, &result);
                    line.push(b'\n');
                }
            }
        }
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
    let mut lines = Lines {
        path,
        format,
        library: Library::new(BTreeMap::new()),
        number: 0,
        invalid: false,
        seen_case: false,
        pending: JsonSink::Line(Vec::new()),
        text: String::new(),
    };
    let stopped = lines.read_all(input, out);
    if let Err(Stop::Write(e)) = stopped {
        return finish(Err(e), lines.invalid);
    }
    // The answers before a bad line are written before its error.
    if let Err(e) = lines.write_pending(out, true) {
        return finish(Err(e), lines.invalid);
    }
    match stopped {
        Err(Stop::Input(e)) => Err(e),
        _ => finish(Ok(()), lines.invalid),
    }
}

/// How many bytes of answers [`simulate_lines`] holds before it writes them, when the input
/// keeps coming.
const OUTPUT_CHUNK: usize = 64 * 1024;

/// How many bytes of a JSON Lines batch are read at a time.
const INPUT_CHUNK: usize = 64 * 1024;

/// Why [`Lines::read_all`] stopped early.
enum Stop {
    // The input cannot be read, or a line is not a case.
    Input(CliError),
    // The output cannot be written.
    Write(std::io::Error),
}

/// The state of a JSON Lines batch between lines.
struct Lines<'p> {
    path: &'p Path,
    format: Format,
    library: Library,
    // The number of the line read last, from 1.
    number: usize,
    invalid: bool,
    seen_case: bool,
    // The answers not yet written (always `JsonSink::Line`).
    pending: JsonSink,
    text: String,
}

impl Lines<'_> {
    // Read the lines of `input` straight from its buffer (a line that spans two reads is
    // copied), answer each, and write the answers whenever `input` has nothing more
    // buffered (so that answers stream while the input trickles in) or a chunk is full.
    fn read_all(&mut self, input: &mut dyn BufRead, out: &mut dyn Write) -> Result<(), Stop> {
        let mut carry = Vec::new();
        loop {
            let available = input.fill_buf().map_err(|e| self.read_error(e))?;
            if available.is_empty() {
                if !carry.is_empty() {
                    self.line(&carry, out)?;
                }
                return Ok(());
            }
            // Each line keeps its line end, as `read_line` does: it is part of the text that
            // the parser's error positions count.
            let (used, drained) = match available.iter().position(|b| *b == b'\n') {
                Some(end) => {
                    let line = available.get(..=end).unwrap_or(available);
                    if carry.is_empty() {
                        self.line(line, out)?;
                    } else {
                        carry.extend_from_slice(line);
                        self.line(&carry, out)?;
                        carry.clear();
                    }
                    (line.len(), line.len() == available.len())
                }
                None => {
                    carry.extend_from_slice(available);
                    (available.len(), true)
                }
            };
            input.consume(used);
            if drained {
                self.write_pending(out, true).map_err(Stop::Write)?;
            }
        }
    }

    fn read_error(&self, source: std::io::Error) -> Stop {
        Stop::Input(CliError::Read {
            path: self.path.to_path_buf(),
            source,
        })
    }

    fn cases_error(&self, mut source: JsonError) -> Stop {
        source.line = self.number;
        Stop::Input(CliError::Cases {
            path: self.path.to_path_buf(),
            source,
        })
    }

    // One line, with its line end.
    fn line(&mut self, bytes: &[u8], out: &mut dyn Write) -> Result<(), Stop> {
        self.number += 1;
        let Ok(line) = std::str::from_utf8(bytes) else {
            // What `BufRead::read_line` says.
            return Err(self.read_error(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            )));
        };
        if line.trim().is_empty() {
            return Ok(());
        }
        if !self.seen_case && line.trim_start().starts_with(r#"{"policies""#) {
            let mut de = serde_json::Deserializer::from_str(line);
            let header: Header = serde_path_to_error::deserialize(&mut de)
                .map_err(|e| self.cases_error(json_error(&e)))?;
            self.library = Library::new(header.policies);
            return Ok(());
        }
        self.seen_case = true;
        let case = self.case(line)?;
        let valid = one_case(
            &case,
            "",
            &mut self.library,
            self.format,
            &mut self.pending,
            &mut self.text,
        );
        self.invalid |= !valid;
        if let JsonSink::Line(pending) = &mut self.pending {
            pending.extend_from_slice(self.text.as_bytes());
            self.text.clear();
        }
        self.write_pending(out, false).map_err(Stop::Write)
    }

    // Parse a case with plain `serde_json`; only a line that fails is parsed again to say
    // where, which costs about as much as the parse itself.
    fn case(&self, line: &str) -> Result<CaseIn, Stop> {
        if let Ok(case) = serde_json::from_str(line) {
            return Ok(case);
        }
        let mut de = serde_json::Deserializer::from_str(line);
        let case: CaseIn = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| self.cases_error(json_error(&e)))?;
        de.end()
            .map_err(|e| self.cases_error(JsonError::new(&e, String::new())))?;
        Ok(case)
    }

    // Write the pending answers: all of them with `all` (and flush `out`), else only a full
    // chunk.
    fn write_pending(&mut self, out: &mut dyn Write, all: bool) -> std::io::Result<()> {
        let JsonSink::Line(pending) = &mut self.pending else {
            return Ok(());
        };
        if !all && pending.len() < OUTPUT_CHUNK {
            return Ok(());
        }
        if !pending.is_empty() {
            out.write_all(pending)?;
            pending.clear();
        }
        if all {
            out.flush()?;
        }
        Ok(())
    }
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
    // Read in chunks of the size a pipe holds: answers are written when the input has nothing
    // more buffered, so a small buffer would mean small writes.
    if path.as_os_str() == "-" {
        let stdin = std::io::stdin();
        let mut reader = std::io::BufReader::with_capacity(INPUT_CHUNK, stdin.lock());
        return simulate_lines(&mut reader, path, format, out);
    }
    if path.extension().is_some_and(|e| e == "jsonl") {
        let file = std::fs::File::open(path).map_err(|source| CliError::Read {
            path: path.clone(),
            source,
        })?;
        let mut reader = std::io::BufReader::with_capacity(INPUT_CHUNK, file);
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
    let mut results = JsonSink::Values(Vec::new());
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
            let results = match results {
                JsonSink::Values(values) => values,
                JsonSink::Line(_) => Vec::new(),
            };
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

    const READ: &str = r#"{"policies": {"read": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}}}"#;
    const GET: &str = r#"{"id": "get", "identity_policies": ["read"], "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}}"#;
    const PUT: &str = r#"{"id": "put", "identity_policies": ["read"], "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:PutObject", "resource": "arn:aws:s3:::b/k"}}"#;

    // The JSON Lines answers to `input` and the error chain of the run, if any.
    fn run_lines(input: &[u8], format: Format) -> (String, Option<String>) {
        let mut out = Vec::new();
        let result = simulate_lines(&mut &input[..], "-".as_ref(), format, &mut out);
        let error = result
            .err()
            .map(|e| super::super::error_chain(&e).to_string());
        (String::from_utf8(out).unwrap(), error)
    }

    #[test]
    fn bad_lines_say_where_after_the_fast_parse() {
        let cases: [(Vec<u8>, &str); 8] = [
            (
                br#"{"id": "a", "request": {"principal": "x", "action": "s3:GetObject"}}"#.to_vec(),
                "invalid case file `-`: line 2 column 67 (at `/request`): missing field `resource`",
            ),
            (
                br#"{"id": "a", "request": {"principal": "x", "action": "s3:GetObject", "resource": "*", "context": {"k": 1}}}"#.to_vec(),
                "invalid case file `-`: line 2 column 103 (at `/request/context/k`): invalid type: integer `1`, expected a string",
            ),
            (
                br#"{"id": "a", "nope": 1}"#.to_vec(),
                "invalid case file `-`: line 2 column 18 (at `/nope`): unknown field `nope`, expected one of `id`, `identity_policies`, `scps`, `rcps`, `permission_boundaries`, `resource_policy`, `session_policy`, `request`",
            ),
            (
                br#"{"id": "a", "request": {"principal": "x""#.to_vec(),
                "invalid case file `-`: line 2 column 0 (at `/request`): EOF while parsing an object",
            ),
            (
                format!("{GET} x").into_bytes(),
                "invalid case file `-`: line 2 column 170: trailing characters",
            ),
            (
                br#"{"id": "a", "request": [}"#.to_vec(),
                "invalid case file `-`: line 2 column 25 (at `/request/0`): expected value",
            ),
            (
                b"[1]".to_vec(),
                "invalid case file `-`: line 2 column 2 (at `/0`): invalid type: integer `1`, expected a string",
            ),
            (
                b"{\"id\": \"\xff\"}".to_vec(),
                "cannot read `-`: stream did not contain valid UTF-8",
            ),
        ];
        for (bad, expected) in cases {
            let mut input = format!("{READ}\n").into_bytes();
            input.extend_from_slice(&bad);
            input.push(b'\n');
            let (out, error) = run_lines(&input, Format::Json);
            assert_eq!(out, "");
            assert_eq!(error.as_deref(), Some(expected));
        }
        // The last line, without a line end.
        let (_, error) = run_lines(
            format!("{READ}\n{GET}\n{{\"id\": \"a\"").as_bytes(),
            Format::Json,
        );
        assert_eq!(
            error.as_deref(),
            Some("invalid case file `-`: line 3 column 10: EOF while parsing an object")
        );
    }

    #[test]
    fn an_inline_policy_of_a_json_lines_case_is_named_by_its_pointer_in_the_case() {
        let case = r#"{"id": "inline", "identity_policies": ["read", {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}}], "scps": [{"level": "root", "policies": ["FullAWSAccess", {"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}}]}], "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:PutObject", "resource": "arn:aws:s3:::b/k"}}"#;
        let (out, error) = run_lines(format!("{READ}\n{case}\n").as_bytes(), Format::Text);
        assert_eq!(error, None);
        assert_eq!(
            out,
            "inline: ExplicitlyDenied\n  reason: an explicit deny applies\n  blocked by: Scp at level `root`\n  denied by: Scp `root` `scps/0/policies/1` statement 0\n  allowed by: Scp `root` `FullAWSAccess` statement 0\n  allowed by: Identity `identity_policies/1` statement 0\n"
        );
    }

    #[test]
    fn answers_before_a_bad_line_are_written() {
        // A blank line, a Windows line end, then a bad line.
        let input = format!("{READ}\n{GET}\n \n{PUT}\r\n{{\"id\": 1}}\n{GET}\n");
        let (out, error) = run_lines(input.as_bytes(), Format::Json);
        assert_eq!(
            out,
            concat!(
                r#"{"id":"get","decision":"Allowed","explanation":{"reason":"an identity-based policy allows the request","blocked_by":null,"denied_by":[],"allowed_by":[{"layer":"Identity","policy":"read","statement":0}]}}"#,
                "\n",
                r#"{"id":"put","decision":"ImplicitlyDenied","explanation":{"reason":"no identity-based or resource-based policy allows the request","blocked_by":"Identity","denied_by":[],"allowed_by":[]}}"#,
                "\n",
            )
        );
        assert_eq!(
            error.as_deref(),
            Some(
                "invalid case file `-`: line 5 column 8 (at `/id`): invalid type: integer `1`, expected a string"
            )
        );
        let (out, error) = run_lines(input.as_bytes(), Format::Text);
        assert_eq!(
            out,
            "get: Allowed\n  reason: an identity-based policy allows the request\n  allowed by: Identity `read` statement 0\nput: ImplicitlyDenied\n  reason: no identity-based or resource-based policy allows the request\n  blocked by: Identity\n"
        );
        assert_eq!(
            error.as_deref(),
            Some(
                "invalid case file `-`: line 5 column 8 (at `/id`): invalid type: integer `1`, expected a string"
            )
        );
    }

    // A pipe that hands over one piece per read.
    struct Pieces(std::collections::VecDeque<Vec<u8>>);

    impl std::io::Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let Some(piece) = self.0.pop_front() else {
                return Ok(0);
            };
            let n = piece.len().min(buf.len());
            buf[..n].copy_from_slice(&piece[..n]);
            if n < piece.len() {
                self.0.push_front(piece[n..].to_vec());
            }
            Ok(n)
        }
    }

    // A writer that keeps each write apart, and counts flushes.
    #[derive(Default)]
    struct Writes(Vec<String>, usize);

    impl Write for Writes {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.push(String::from_utf8(buf.to_vec()).unwrap());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.1 += 1;
            Ok(())
        }
    }

    #[test]
    fn answers_stream_while_the_input_waits() {
        let pieces = [format!("{READ}\n"), format!("{GET}\n"), format!("{PUT}\n")];
        let mut input = std::io::BufReader::with_capacity(
            INPUT_CHUNK,
            Pieces(pieces.iter().map(|p| p.clone().into_bytes()).collect()),
        );
        let mut out = Writes::default();
        let status = simulate_lines(&mut input, "-".as_ref(), Format::Json, &mut out).unwrap();
        assert_eq!(status, ExitStatus::Success);
        assert_eq!(out.0.len(), 2, "one write per answer: {:?}", out.0);
        assert!(out.0[0].starts_with(r#"{"id":"get","#));
        assert!(out.0[1].starts_with(r#"{"id":"put","#));
        assert!(out.1 >= 2);
    }

    #[test]
    fn lines_split_across_reads_answer_alike() {
        let input = format!("{READ}\n{GET}\n\n{PUT}\r\n{GET}");
        let whole = run_lines(input.as_bytes(), Format::Json);
        assert_eq!(whole.0.lines().count(), 3);
        assert_eq!(whole.1, None);
        for capacity in [1, 2, 7, 64, 200] {
            let mut reader = std::io::BufReader::with_capacity(capacity, input.as_bytes());
            let mut out = Vec::new();
            simulate_lines(&mut reader, "-".as_ref(), Format::Json, &mut out).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                whole.0,
                "capacity {capacity}"
            );
        }
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
