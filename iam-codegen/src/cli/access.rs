//! Questions about a model's principals: `simulate MODEL --principal …` (one request),
//! `who-can` (every principal allowed) and `check` (the model's assertions).
//!
//! Each reads the model, validates it (error findings: exit 3, findings on stderr) and
//! answers with [`iam_model::eval::model`].
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use iam_model::eval::model::{
    ActionCheck, AssertionCheck, FederatedGrantee, Grantee, ModelEvaluator, ModelPrincipal,
    Outcome, PathKind, Query, RequiredCondition, ResolveError,
};
use iam_model::eval::{Evaluation, StatementMatch};
use iam_model::model::Model;
use iam_model::{Finding, ModelError};
use serde_json::{Value, json};

use super::{CliError, ExitStatus, Format};
use crate::escape::terminal;

/// Arguments of `who-can`.
#[derive(Debug, Clone, clap::Args)]
pub struct WhoCanArgs {
    /// The model file (JSON).
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,
    /// The action (`s3:PutObject`).
    #[arg(long)]
    pub action: String,
    /// The resource: an ARN, or `*`.
    #[arg(long, default_value = "*")]
    pub resource: String,
    /// The resource's account (name or id); default: the account in the resource ARN, or
    /// every account.
    #[arg(long)]
    pub account: Option<String>,
    /// A request context value, `KEY=VALUE` (repeat a key for several values).
    #[arg(long = "context", value_name = "KEY=VALUE", value_parser = parse_context)]
    pub context: Vec<(String, String)>,
}

/// Arguments of `check`.
#[derive(Debug, Clone, clap::Args)]
pub struct AssertionArgs {
    /// The model file (JSON).
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,
}

/// Parse `KEY=VALUE`.
pub fn parse_context(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected `KEY=VALUE`, got `{text}`")),
    }
}

/// Errors of the model commands.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// The model file is not JSON or not a model file.
    #[error("invalid model file `{}`", path.display())]
    Model {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: ModelError,
    },
    /// A principal or account does not resolve.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// The action asked about is not an AWS action: the answer would prove nothing.
    #[error("invalid `--action`: {message}; {help}")]
    Action {
        /// What is wrong with it.
        message: String,
        /// The closest actions, or where to look.
        help: String,
    },
}

/// A model read and valid, or the exit status already reported.
pub(super) enum Loaded {
    Model(Box<Model>),
    Invalid,
}

pub(super) fn load(
    path: &Path,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Loaded, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let findings: Vec<Finding> = match Model::from_json(&text) {
        Ok(model) => {
            let report = iam_model::validate::validate(&model);
            if !report.has_errors() {
                return Ok(Loaded::Model(Box::new(model)));
            }
            report.errors().cloned().collect()
        }
        Err(ModelError::Invalid(findings)) => findings,
        Err(source) => {
            return Err(CliError::Access(AccessError::Model {
                path: path.to_path_buf(),
                source,
            }));
        }
    };
    let file = path.display();
    let mut text = String::new();
    for f in &findings {
        text.push_str(&format!(
            "{file}:{}: {} {}: {}\n  help: {}\n",
            f.path, f.severity, f.code, f.message, f.help
        ));
    }
    text.push_str(&format!(
        "{file}: the model has {} error(s); fix them with `iam-codegen validate` first\n",
        findings.len()
    ));
    write_or_quiet(err, &text)?;
    if format == Format::Json {
        let doc =
            json!({"version": 1, "error": "the model has validation errors", "findings": findings});
        write_or_quiet(out, &pretty(&doc))?;
    }
    Ok(Loaded::Invalid)
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

fn write_or_quiet(out: &mut dyn Write, text: &str) -> Result<(), CliError> {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Write(e)),
    }
}

/// The statement in JSON, as `simulate --cases` writes it.
pub(crate) fn statement_json(m: &StatementMatch<'_>) -> Value {
    let mut v = json!({"layer": m.layer.as_str(), "policy": m.policy, "statement": m.statement});
    if let Some(obj) = v.as_object_mut() {
        if let Some(level) = m.level {
            obj.insert("level".into(), json!(level));
        }
        if let Some(sid) = m.sid {
            obj.insert("sid".into(), json!(sid));
        }
    }
    v
}

fn explanation_json(e: &Evaluation<'_>) -> Value {
    let mut v = json!({
        "reason": e.reason().message(),
        "blocked_by": e.blocked_by().map(|l| l.as_str()),
        "denied_by": e.denied_by().map(statement_json).collect::<Vec<_>>(),
        "allowed_by": e.allowed_by().map(statement_json).collect::<Vec<_>>(),
    });
    if let (Some(level), Some(obj)) = (e.blocked_level(), v.as_object_mut()) {
        obj.insert("blocked_level".into(), json!(level));
    }
    v
}

/// The explanation of one evaluation, indented.
fn explanation_text(e: &Evaluation<'_>, indent: &str) -> String {
    let mut text = format!("{indent}reason: {}\n", e.reason().message());
    if let Some(layer) = e.blocked_by() {
        match e.blocked_level() {
            Some(level) => {
                text.push_str(&format!("{indent}blocked by: {layer} at level `{level}`\n"))
            }
            None => text.push_str(&format!("{indent}blocked by: {layer}\n")),
        }
    }
    for m in e.denied_by() {
        text.push_str(&format!("{indent}denied by: {}\n", m));
    }
    for m in e.allowed_by().filter(|m| !m.is_organization_default()) {
        text.push_str(&format!("{indent}allowed by: {}\n", m));
    }
    text
}

fn path_json(kind: &PathKind, label: &str, principal_arn: Option<&str>) -> Value {
    let mut v = match kind {
        PathKind::IamUser { account, name } => {
            json!({"kind": "iam-user", "account": account.as_str(), "name": name})
        }
        PathKind::IamRole { account, name } => {
            json!({"kind": "iam-role", "account": account.as_str(), "name": name})
        }
        PathKind::PermissionSet { name, via } => {
            json!({"kind": "permission-set", "name": name, "via": via})
        }
        PathKind::ExternalAccount(id) => {
            json!({"kind": "external-account", "account": id.as_str()})
        }
        PathKind::Federated { provider } => {
            json!({"kind": "federated", "provider": provider})
        }
    };
    if let Some(obj) = v.as_object_mut() {
        obj.insert("label".into(), json!(label));
        if let Some(arn) = principal_arn {
            obj.insert("principal_arn".into(), json!(arn));
        }
    }
    v
}

fn via_text(kind: &PathKind) -> String {
    match kind {
        PathKind::PermissionSet { via, .. } if !via.is_empty() => {
            format!(" (via {})", via.join(", "))
        }
        _ => String::new(),
    }
}

/// `simulate MODEL --principal P --account A --action X --resource R`.
pub(crate) struct SimulateModel<'a> {
    pub model: &'a Path,
    pub principal: &'a str,
    pub account: &'a str,
    pub action: &'a str,
    pub resource: &'a str,
    pub context: &'a [(String, String)],
}

/// The question, once its action is known to the catalogue
/// ([`iam_model::validate::catalog::check_action_name`], the check assertions get).
fn query(
    account: &str,
    action: &str,
    resource: &str,
    context: &[(String, String)],
) -> Result<Query, AccessError> {
    let report = iam_model::validate::catalog::check_action_name(action, "");
    if let Some(f) = report.errors().next() {
        return Err(AccessError::Action {
            message: f.message.clone(),
            help: f.help.clone(),
        });
    }
    Ok(context
        .iter()
        .fold(Query::new(account, action, resource), |q, (k, v)| {
            q.context(k.clone(), v.clone())
        }))
}

/// Run `simulate` on a model: exit 0 allowed, 4 denied.
pub(crate) fn simulate(
    args: &SimulateModel<'_>,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, CliError> {
    let model = match load(args.model, format, out, err)? {
        Loaded::Model(m) => m,
        Loaded::Invalid => return Ok(ExitStatus::Invalid),
    };
    let principal: ModelPrincipal = args.principal.parse().map_err(AccessError::from)?;
    let evaluator = ModelEvaluator::new(&model);
    let account = evaluator
        .account_name(args.account)
        .map_err(AccessError::from)?;
    let paths = evaluator
        .paths(&principal, args.account)
        .map_err(AccessError::from)?;
    let q = query(args.account, args.action, args.resource, args.context)?;
    let outcome = evaluator.evaluate(&paths, &q).map_err(AccessError::from)?;
    let account_id = model
        .account(account.as_str())
        .map(|a| a.id().to_string())
        .unwrap_or_default();
    let text = match format {
        Format::Json => pretty(&simulation_json(
            &principal,
            account.as_str(),
            &account_id,
            &q,
            &outcome,
        )),
        Format::Text => simulation_text(&principal, account.as_str(), &account_id, &q, &outcome),
    };
    write_or_quiet(out, &text)?;
    Ok(if outcome.decision().is_allowed() {
        ExitStatus::Success
    } else {
        ExitStatus::Denied
    })
}

fn simulation_json(
    principal: &ModelPrincipal,
    account: &str,
    account_id: &str,
    q: &Query,
    outcome: &Outcome<'_, '_>,
) -> Value {
    json!({
        "version": 1,
        "principal": principal.to_string(),
        "account": account,
        "account_id": account_id,
        "action": q.action(),
        "resource": q.resource(),
        "decision": outcome.decision().as_str(),
        "allowed_by_path": outcome.allowed_path().map(|p| p.label()),
        "paths": outcome.paths().iter().map(|p| json!({
            "path": path_json(p.path.kind(), &p.path.label(), Some(p.path.principal_arn())),
            "decision": p.evaluation.decision().as_str(),
            "explanation": explanation_json(&p.evaluation),
        })).collect::<Vec<_>>(),
    })
}

fn simulation_text(
    principal: &ModelPrincipal,
    account: &str,
    account_id: &str,
    q: &Query,
    outcome: &Outcome<'_, '_>,
) -> String {
    let mut text = format!(
        "{principal} in `{account}` ({account_id}): {} on `{}`: {}\n",
        q.action(),
        q.resource(),
        outcome.decision()
    );
    if outcome.paths().is_empty() {
        text.push_str(&format!(
            "  no access path: `{principal}` has no permission set in `{account}`\n"
        ));
    }
    if let Some(path) = outcome.allowed_path() {
        text.push_str(&format!("  allowed through {}\n", path.label()));
    }
    for p in outcome.paths() {
        text.push_str(&format!(
            "path: {}{}: {}\n  principal: {}\n",
            p.path.label(),
            via_text(p.path.kind()),
            p.evaluation.decision(),
            p.path.principal_arn()
        ));
        text.push_str(&explanation_text(&p.evaluation, "  "));
    }
    text
}

/// Run `who-can`: every principal allowed, exit 0 (also when none is).
pub fn who_can(
    args: &WhoCanArgs,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, CliError> {
    let model = match load(&args.model, format, out, err)? {
        Loaded::Model(m) => m,
        Loaded::Invalid => return Ok(ExitStatus::Invalid),
    };
    let evaluator = ModelEvaluator::new(&model);
    let account = args.account.as_deref().unwrap_or("*");
    let q = query(account, &args.action, &args.resource, &args.context)?;
    let grantees = evaluator.who_can(&q).map_err(AccessError::from)?;
    let federated = evaluator.who_can_federated(&q);
    let text = match format {
        Format::Json => pretty(&json!({
            "version": 1,
            "action": args.action,
            "resource": args.resource,
            "allowed": grantees.iter().map(grantee_json).collect::<Vec<_>>(),
            "federated": federated.iter().map(federated_json).collect::<Vec<_>>(),
        })),
        Format::Text => {
            let mut text = String::new();
            if grantees.is_empty() && federated.is_empty() {
                text.push_str(&format!(
                    "no principal of the model may do {} on `{}`\n",
                    args.action, args.resource
                ));
            }
            for g in &grantees {
                text.push_str(&format!(
                    "{} in `{}`: through {}{}\n",
                    g.principal,
                    g.account,
                    g.label,
                    via_text(&g.path)
                ));
                text.push_str(&conditions_text(&g.conditions));
                for m in g
                    .evaluation
                    .allowed_by()
                    .filter(|m| !m.is_organization_default())
                {
                    text.push_str(&format!("  allowed by: {}\n", m));
                }
            }
            for f in &federated {
                text.push_str(&federated_text(f));
            }
            text
        }
    };
    write_or_quiet(out, &text)?;
    Ok(ExitStatus::Success)
}

fn grantee_json(g: &Grantee<'_>) -> Value {
    json!({
        "principal": g.principal.to_string(),
        "account": g.account.as_str(),
        "path": path_json(&g.path, &g.label, None),
        "conditions": g.conditions.iter().map(condition_json).collect::<Vec<_>>(),
        "explanation": explanation_json(&g.evaluation),
    })
}

/// `{"key":…,"operator":…,"values":[…],"text":…}`.
fn condition_json(c: &RequiredCondition) -> Value {
    json!({
        "key": c.key,
        "operator": c.operator.to_string(),
        "values": c.values,
        "text": c.to_string(),
    })
}

/// One `  only if: CONDITION` line per condition; model text without control characters
/// ([`crate::escape::terminal`]).
fn conditions_text(conditions: &[RequiredCondition]) -> String {
    conditions
        .iter()
        .map(|c| format!("  only if: {}\n", terminal(&c.to_string())))
        .collect()
}

fn federated_json(f: &FederatedGrantee) -> Value {
    json!({
        "provider": f.provider,
        "account": f.account.as_str(),
        "role": f.role,
        "statement": f.statement,
        "sid": f.sid,
        "conditions": f.conditions.iter().map(condition_json).collect::<Vec<_>>(),
    })
}

fn federated_text(f: &FederatedGrantee) -> String {
    let sid = f
        .sid
        .as_ref()
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    let mut text = format!(
        "identity provider `{}` in `{}`: through the trust policy of IAM role `{}`, statement {}{}\n",
        terminal(&f.provider),
        f.account,
        terminal(&f.role),
        f.statement,
        terminal(&sid)
    );
    if f.conditions.is_empty() {
        text.push_str("  only if: (no condition: any user of the provider)\n");
    }
    text.push_str(&conditions_text(&f.conditions));
    text
}

/// Run `check`: every assertion of the model; exit 0 when all hold, 4 when one fails.
pub fn check(
    args: &AssertionArgs,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, CliError> {
    let model = match load(&args.model, format, out, err)? {
        Loaded::Model(m) => m,
        Loaded::Invalid => return Ok(ExitStatus::Invalid),
    };
    let evaluator = ModelEvaluator::new(&model);
    let checks = evaluator.check_assertions();
    let failed: Vec<&AssertionCheck<'_>> = checks.iter().filter(|c| !c.holds()).collect();
    let text = match format {
        Format::Json => pretty(&json!({
            "version": 1,
            "holds": failed.is_empty(),
            "assertions": checks.iter().map(assertion_json).collect::<Vec<_>>(),
        })),
        Format::Text => {
            let mut text = String::new();
            for c in &checks {
                text.push_str(&assertion_text(c));
            }
            let total = checks.len();
            if failed.is_empty() {
                text.push_str(&format!("all {total} assertions hold\n"));
            } else {
                let list: Vec<String> = failed.iter().map(|c| c.pointer()).collect();
                text.push_str(&format!(
                    "{} of {total} assertions fail: {}\n",
                    failed.len(),
                    list.join(", ")
                ));
            }
            text
        }
    };
    write_or_quiet(out, &text)?;
    Ok(if failed.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Denied
    })
}

fn expected(c: &ActionCheck<'_>) -> &'static str {
    if c.expect_allowed {
        "allowed"
    } else {
        "denied"
    }
}

// The statements that broke an action check: the allows of the path that allowed an action
// expected denied; the denies (or the blocking layer) of each path for one expected allowed.
fn culprits<'a>(c: &'a ActionCheck<'a>) -> Vec<(&'a str, &'a StatementMatch<'a>)> {
    let mut out = Vec::new();
    for (_, label, e) in &c.paths {
        if c.expect_allowed {
            out.extend(e.denied_by().map(|m| (label.as_str(), m)));
        } else if e.decision().is_allowed() {
            out.extend(
                e.allowed_by()
                    .filter(|m| !m.is_organization_default())
                    .map(|m| (label.as_str(), m)),
            );
        }
    }
    out
}

fn assertion_text(a: &AssertionCheck<'_>) -> String {
    let mut text = format!(
        "{} {} in `{}` on `{}`: {}\n",
        a.pointer(),
        a.principal,
        a.account,
        a.resource,
        if a.holds() { "holds" } else { "FAILS" }
    );
    if let Some(e) = &a.error {
        text.push_str(&format!("  error: {e}\n"));
    }
    for c in &a.checks {
        let status = if c.holds() { "ok" } else { "FAIL" };
        text.push_str(&format!(
            "  {status} {} {}: {} (expected {})\n",
            c.pointer,
            c.action,
            c.decision,
            expected(c)
        ));
        if c.holds() {
            continue;
        }
        if c.paths.is_empty() {
            text.push_str(&format!(
                "    no access path: `{}` has no permission set in `{}`\n",
                a.principal, a.account
            ));
        }
        for (kind, label, e) in &c.paths {
            text.push_str(&format!(
                "    path {label}{}: {}\n",
                via_text(kind),
                e.decision()
            ));
            text.push_str(&explanation_text(e, "      "));
        }
        for (label, m) in culprits(c) {
            text.push_str(&format!("    broken by: {} on {label}\n", m));
        }
    }
    text
}

fn assertion_json(a: &AssertionCheck<'_>) -> Value {
    json!({
        "pointer": a.pointer(),
        "principal": a.principal.to_string(),
        "account": a.account.as_str(),
        "resource": a.resource,
        "holds": a.holds(),
        "error": a.error.as_ref().map(ToString::to_string),
        "actions": a.checks.iter().map(|c| json!({
            "pointer": c.pointer,
            "action": c.action.to_string(),
            "expected": expected(c),
            "decision": c.decision.as_str(),
            "holds": c.holds(),
            "broken_by": culprits(c).into_iter().map(|(label, m)| {
                let mut v = statement_json(m);
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("path".into(), json!(label));
                }
                v
            }).collect::<Vec<_>>(),
            "paths": c.paths.iter().map(|(kind, label, e)| json!({
                "path": path_json(kind, label, None),
                "decision": e.decision().as_str(),
                "explanation": explanation_json(e),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
