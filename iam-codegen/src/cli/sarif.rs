//! SARIF 2.1.0 logs of findings, for GitHub code scanning and other SARIF viewers.
//!
//! [`sarif_log`] turns the outcome of checking files (`validate`, `policy check`, and any
//! command that reports findings with JSON pointers into files) into one SARIF log: one
//! run of the `iam-codegen` tool, one result per finding with the finding's code as rule
//! id, its severity as level, its message, and the line and column of the JSON value its
//! pointer names (found with [`iam_model::json::span::SourceMap`]); the rules used, with
//! their help, in `tool.driver.rules`. A file that is not JSON gives an `invalid-json`
//! result at the line and column of the syntax error; a file that cannot be read gives a
//! tool execution notification and `executionSuccessful: false`. A finding the model accepts
//! (`allow_findings`) is a result with a suppression of kind `inSource` whose justification
//! is the entry's reason, so viewers show it as suppressed rather than lose it. Columns count UTF-16 code
//! units (`columnKind: utf16CodeUnits`). The log has no timestamps, versions or absolute
//! paths beyond the file names given: the same input gives the same bytes.
//!
//! Structure from the OASIS SARIF 2.1.0 standard (errata 01): `sarifLog` §3.13, `run`
//! §3.14, `result` §3.27, `physicalLocation` §3.29, `region` §3.30 (`endColumn` is the
//! column just after the region), `reportingDescriptor` §3.49, `notification` §3.58.
//!
//! ```
//! use iam_codegen::cli::sarif::{CheckedFile, FileOutcome, sarif_log};
//! use iam_model::{Finding, Severity};
//! let text = "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObjet\"}]}";
//! let findings = [Finding {
//!     code: "unknown-action",
//!     severity: Severity::Error,
//!     path: "/Statement/0/Action".to_string(),
//!     message: "unknown action `s3:GetObjet`".to_string(),
//!     help: "did you mean `s3:GetObject`?".to_string(),
//! }];
//! let file = CheckedFile { uri: "policy.json", text: Some(text), outcome: FileOutcome::Findings(&findings) };
//! let log: serde_json::Value = serde_json::from_str(&sarif_log(&[file]))?;
//! let result = &log["runs"][0]["results"][0];
//! assert_eq!(result["ruleId"], "unknown-action");
//! assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startColumn"], 46);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
use std::collections::BTreeMap;

use iam_model::json::span::{Position, SourceMap};
use iam_model::validate::Allowed;
use iam_model::{Finding, JsonError, Report, Severity};
use serde_json::{Map, Value, json};

/// The `$schema` the log names.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The rule id of a file that is not JSON, or not of the shape expected.
pub const INVALID_JSON: &str = "invalid-json";

const INVALID_JSON_HELP: &str = "The file must be one JSON document of the expected shape; fix the text at the line and column given.";

/// One file that was checked, for [`sarif_log`].
#[derive(Debug, Clone, Copy)]
pub struct CheckedFile<'a> {
    /// The file as the user named it; it becomes the artifact URI (percent-encoded, relative
    /// when the name is).
    pub uri: &'a str,
    /// The file's text, to turn pointers into lines and columns; `None` when it could not
    /// be read.
    pub text: Option<&'a str>,
    /// What checking it gave.
    pub outcome: FileOutcome<'a>,
}

/// What checking one file gave.
#[derive(Debug, Clone, Copy)]
pub enum FileOutcome<'a> {
    /// The findings, in the order reported; their paths are JSON pointers into the file.
    Findings(&'a [Finding]),
    /// A model's report: its findings, then the findings its `allow_findings` accept, as
    /// results with an `inSource` suppression whose justification is the entry's reason.
    Report(&'a Report),
    /// The file is not JSON, or not of the expected shape.
    Json(&'a JsonError),
    /// The file cannot be read: why.
    Unreadable(&'a str),
}

/// A SARIF 2.1.0 log of checked files, pretty-printed with a final newline (see the module
/// docs).
pub fn sarif_log(files: &[CheckedFile<'_>]) -> String {
    let mut rules: BTreeMap<&str, (Severity, &str)> = BTreeMap::new();
    for file in files {
        match file.outcome {
            FileOutcome::Findings(findings) => {
                for f in findings {
                    rules.entry(f.code).or_insert((f.severity, f.help.as_str()));
                }
            }
            FileOutcome::Report(report) => {
                let allowed = report.allowed().iter().map(|a| &a.finding);
                for f in report.findings().iter().chain(allowed) {
                    rules.entry(f.code).or_insert((f.severity, f.help.as_str()));
                }
            }
            FileOutcome::Json(_) => {
                rules
                    .entry(INVALID_JSON)
                    .or_insert((Severity::Error, INVALID_JSON_HELP));
            }
            FileOutcome::Unreadable(_) => {}
        }
    }
    let rule_index: BTreeMap<&str, usize> =
        rules.keys().enumerate().map(|(i, id)| (*id, i)).collect();

    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for file in files {
        let uri = uri_reference(file.uri);
        let map = file.text.map(SourceMap::new);
        match file.outcome {
            FileOutcome::Findings(findings) => {
                for f in findings {
                    results.push(finding_result(f, &rule_index, map.as_ref(), &uri));
                }
            }
            FileOutcome::Report(report) => {
                for f in report.findings() {
                    results.push(finding_result(f, &rule_index, map.as_ref(), &uri));
                }
                for a in report.allowed() {
                    results.push(suppressed(
                        finding_result(&a.finding, &rule_index, map.as_ref(), &uri),
                        a,
                    ));
                }
            }
            FileOutcome::Json(e) => {
                let start = match &map {
                    Some(m) => m.position_of_byte_column(e.line.max(1), e.column),
                    None => Position {
                        line: e.line.max(1),
                        column: e.column.max(1),
                    },
                };
                let message = if e.path.is_empty() {
                    e.message.clone()
                } else {
                    format!("{} (at `{}`)", e.message, e.path)
                };
                results.push(result(
                    INVALID_JSON,
                    rule_index.get(INVALID_JSON).copied(),
                    Severity::Error,
                    &message,
                    &uri,
                    Some(region(start, None)),
                    json!({"jsonPointer": e.path}),
                ));
            }
            FileOutcome::Unreadable(why) => notifications.push(json!({
                "level": "error",
                "message": {"text": format!("cannot read `{}`: {why}", file.uri)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
            })),
        }
    }

    let rules: Vec<Value> = rules
        .iter()
        .map(|(id, (severity, help))| {
            json!({
                "id": id,
                "fullDescription": {"text": help},
                "help": {"text": help},
                "defaultConfiguration": {"level": level(*severity)},
            })
        })
        .collect();
    let mut invocation = Map::new();
    invocation.insert(
        "executionSuccessful".into(),
        Value::Bool(notifications.is_empty()),
    );
    if !notifications.is_empty() {
        invocation.insert(
            "toolExecutionNotifications".into(),
            Value::Array(notifications),
        );
    }
    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "iam-codegen", "rules": rules}},
            "invocations": [invocation],
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    iam_model::json::to_pretty(&log)
}

/// The result of a finding, at the line and column its pointer names.
fn finding_result(
    f: &Finding,
    rule_index: &BTreeMap<&str, usize>,
    map: Option<&SourceMap<'_>>,
    uri: &str,
) -> Value {
    let span = map.and_then(|m| m.locate(&f.path));
    let region = span.map(|s| region(s.start, Some(s.end)));
    result(
        f.code,
        rule_index.get(f.code).copied(),
        f.severity,
        &f.message,
        uri,
        region,
        json!({"jsonPointer": f.path, "help": f.help}),
    )
}

/// A result with the suppression of an accepted finding (SARIF §3.27.23 `suppressions`,
/// §3.35 `suppression`: `kind` `inSource`, as the model file itself accepts it, and the
/// reason as `justification`).
fn suppressed(mut result: Value, allowed: &Allowed) -> Value {
    if let Value::Object(map) = &mut result {
        map.insert(
            "suppressions".into(),
            json!([{"kind": "inSource", "justification": allowed.reason}]),
        );
    }
    result
}

/// `error` or `warning`: SARIF's levels for our severities.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn region(start: Position, end: Option<Position>) -> Value {
    let mut region = Map::new();
    region.insert("startLine".into(), start.line.into());
    region.insert("startColumn".into(), start.column.into());
    if let Some(end) = end {
        region.insert("endLine".into(), end.line.into());
        region.insert("endColumn".into(), end.column.into());
    }
    Value::Object(region)
}

fn result(
    rule: &str,
    index: Option<usize>,
    severity: Severity,
    message: &str,
    uri: &str,
    region: Option<Value>,
    properties: Value,
) -> Value {
    let mut location = Map::new();
    location.insert("artifactLocation".into(), json!({"uri": uri}));
    if let Some(region) = region {
        location.insert("region".into(), region);
    }
    let mut result = Map::new();
    result.insert("ruleId".into(), rule.into());
    if let Some(index) = index {
        result.insert("ruleIndex".into(), index.into());
    }
    result.insert("level".into(), level(severity).into());
    result.insert("message".into(), json!({"text": message}));
    result.insert(
        "locations".into(),
        json!([{"physicalLocation": Value::Object(location)}]),
    );
    result.insert("properties".into(), properties);
    Value::Object(result)
}

/// A file name as a URI reference (RFC 3986): `/` separates segments, unreserved
/// characters stay, every other byte is percent-encoded (`:` too, so that a relative name
/// is never read as a scheme).
fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn file_names_become_uri_references() {
        assert_eq!(uri_reference("models/prod.json"), "models/prod.json");
        assert_eq!(uri_reference("a b/c:d%é.json"), "a%20b/c%3Ad%25%C3%A9.json");
        assert_eq!(uri_reference("/tmp/x.json"), "/tmp/x.json");
    }

    #[test]
    fn a_log_without_files_is_a_run_without_results() {
        let log: Value = serde_json::from_str(&sarif_log(&[])).unwrap();
        assert_eq!(
            log,
            json!({
                "$schema": SARIF_SCHEMA,
                "version": "2.1.0",
                "runs": [{
                    "tool": {"driver": {"name": "iam-codegen", "rules": []}},
                    "invocations": [{"executionSuccessful": true}],
                    "columnKind": "utf16CodeUnits",
                    "results": [],
                }],
            })
        );
    }

    #[test]
    fn rules_are_sorted_and_results_point_at_them() {
        let finding = |code: &'static str, severity, path: &str| Finding {
            code,
            severity,
            path: path.to_string(),
            message: format!("{code} here"),
            help: format!("fix {code}"),
        };
        let findings = [
            finding("z-rule", Severity::Warning, "/b"),
            finding("a-rule", Severity::Error, "/a/1"),
            finding("z-rule", Severity::Warning, "/missing"),
        ];
        let text = "{\"a\": [1, 2],\n \"b\": true}";
        let error = JsonError {
            message: "EOF while parsing an object".to_string(),
            line: 1,
            column: 3,
            path: String::new(),
        };
        let files = [
            CheckedFile {
                uri: "m.json",
                text: Some(text),
                outcome: FileOutcome::Findings(&findings),
            },
            CheckedFile {
                uri: "bad.json",
                text: Some("{\""),
                outcome: FileOutcome::Json(&error),
            },
            CheckedFile {
                uri: "gone.json",
                text: None,
                outcome: FileOutcome::Unreadable("No such file or directory (os error 2)"),
            },
        ];
        let log: Value = serde_json::from_str(&sarif_log(&files)).unwrap();
        let run = &log["runs"][0];
        let ids: Vec<&str> = run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["a-rule", "invalid-json", "z-rule"]);
        let summary: Vec<(String, u64, String, Value)> = run["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let loc = &r["locations"][0]["physicalLocation"];
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["ruleIndex"].as_u64().unwrap(),
                    loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                    loc["region"].clone(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "z-rule".to_string(),
                    2,
                    "m.json".to_string(),
                    json!({"startLine": 2, "startColumn": 7, "endLine": 2, "endColumn": 11})
                ),
                (
                    "a-rule".to_string(),
                    0,
                    "m.json".to_string(),
                    json!({"startLine": 1, "startColumn": 11, "endLine": 1, "endColumn": 12})
                ),
                (
                    "z-rule".to_string(),
                    2,
                    "m.json".to_string(),
                    json!({"startLine": 1, "startColumn": 1, "endLine": 2, "endColumn": 12})
                ),
                (
                    "invalid-json".to_string(),
                    1,
                    "bad.json".to_string(),
                    json!({"startLine": 1, "startColumn": 3})
                ),
            ]
        );
        assert_eq!(
            run["invocations"],
            json!([{
                "executionSuccessful": false,
                "toolExecutionNotifications": [{
                    "level": "error",
                    "message": {"text": "cannot read `gone.json`: No such file or directory (os error 2)"},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": "gone.json"}}}],
                }],
            }])
        );
    }
}
