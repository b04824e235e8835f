//! `iam-codegen validate MODEL` and `iam-codegen schema`: check a model file, and print the
//! JSON Schema of the model file format.
use std::io::{self, Write};
use std::path::PathBuf;

use clap::Args;
use iam_model::model::Model;
use iam_model::validate::Allowed;
use iam_model::{Finding, JsonError, ModelError, Report, Severity};

use super::sarif::{CheckedFile, FileOutcome, sarif_log};
use super::{CliError, ExitStatus, OutputFormat};

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The model file (JSON).
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,
}

/// Why the model could not be checked.
pub(super) enum Unreadable {
    Io(io::Error),
    Json(JsonError),
}

/// Read and check a model file: the model when it reads (with the findings of
/// [`iam_model::validate::validate`]), or the findings of reading it.
pub(super) fn load(path: &std::path::Path) -> Result<(Option<Model>, Report), Unreadable> {
    let text = std::fs::read_to_string(path).map_err(Unreadable::Io)?;
    load_text(&text)
}

/// Check the text of a model file, as [`load`] does.
fn load_text(text: &str) -> Result<(Option<Model>, Report), Unreadable> {
    match Model::from_json(text) {
        Ok(model) => {
            let report = iam_model::validate::validate(&model);
            Ok((Some(model), report))
        }
        Err(ModelError::Json(e)) => Err(Unreadable::Json(e)),
        Err(ModelError::Invalid(findings)) => {
            let mut report = Report::new();
            for f in findings {
                report.push(f);
            }
            Ok((None, report))
        }
        Err(e) => Err(Unreadable::Io(io::Error::other(e.to_string()))),
    }
}

/// Run `validate`: findings on stdout in the shape of `policy check`, a summary on stderr.
/// Exit 0 when valid (warnings allowed), 3 with error findings, 1 when the file cannot be
/// read or is not a model file.
pub fn run(
    args: &ValidateArgs,
    format: OutputFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, CliError> {
    match validate(args, format, out, err) {
        Ok(status) => Ok(status),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitStatus::Success),
        Err(e) => Err(CliError::Write(e)),
    }
}

fn validate(
    args: &ValidateArgs,
    format: OutputFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let file = args.model.display().to_string();
    let (text, outcome) = match std::fs::read_to_string(&args.model) {
        Ok(text) => {
            let outcome = load_text(&text).map(|(_, report)| report);
            (Some(text), outcome)
        }
        Err(e) => (None, Err(Unreadable::Io(e))),
    };
    match format {
        OutputFormat::Text => {
            match &outcome {
                Ok(report) => {
                    for finding in report.findings() {
                        write_finding(&file, finding, out)?;
                    }
                    for allowed in report.allowed() {
                        write_allowed(&file, allowed, out)?;
                    }
                }
                Err(Unreadable::Io(e)) => {
                    writeln!(out, "{file}: error: cannot read the file: {e}")?
                }
                Err(Unreadable::Json(e)) => write_json_error(&file, e, out)?,
            }
            writeln!(err, "{}", summary(&file, &outcome))?;
        }
        OutputFormat::Json => {
            let (findings, error) = match &outcome {
                Ok(report) => (Some(report.findings()), None),
                Err(Unreadable::Io(e)) => (None, Some(format!("cannot read the file: {e}"))),
                Err(Unreadable::Json(e)) => (None, Some(e.to_string())),
            };
            let allowed = outcome.as_ref().map_or(&[][..], Report::allowed);
            let document = CheckOutput {
                version: 1,
                files: vec![FileOutput {
                    file: file.clone(),
                    findings,
                    allowed,
                    error,
                }],
            };
            out.write_all(iam_model::json::to_pretty(&document).as_bytes())?;
        }
        OutputFormat::Sarif => {
            let why;
            let file = CheckedFile {
                uri: &file,
                text: text.as_deref(),
                outcome: match &outcome {
                    Ok(report) => FileOutcome::Report(report),
                    Err(Unreadable::Json(e)) => FileOutcome::Json(e),
                    Err(Unreadable::Io(e)) => {
                        why = e.to_string();
                        FileOutcome::Unreadable(&why)
                    }
                },
            };
            out.write_all(sarif_log(&[file]).as_bytes())?;
        }
    }
    out.flush()?;
    Ok(match &outcome {
        Err(_) => ExitStatus::Failure,
        Ok(report) if report.has_errors() => ExitStatus::Invalid,
        Ok(_) => ExitStatus::Success,
    })
}

/// `FILE:PATH: SEVERITY CODE: MESSAGE` and an indented help line. Paths and messages can
/// hold model text: control characters are written escaped ([`crate::escape::terminal`]).
pub(super) fn write_finding(file: &str, f: &Finding, out: &mut dyn Write) -> io::Result<()> {
    use crate::escape::terminal;
    let (path, message) = (terminal(&f.path), terminal(&f.message));
    if path.is_empty() {
        writeln!(out, "{file}: {} {}: {message}", f.severity, f.code)?;
    } else {
        writeln!(out, "{file}:{path}: {} {}: {message}", f.severity, f.code)?;
    }
    writeln!(out, "  help: {}", terminal(&f.help))
}

/// `FILE:PATH: allowed CODE: MESSAGE` and an indented line with the model's reason.
pub(super) fn write_allowed(file: &str, a: &Allowed, out: &mut dyn Write) -> io::Result<()> {
    use crate::escape::terminal;
    writeln!(
        out,
        "{file}:{}: allowed {}: {}",
        terminal(&a.finding.path),
        a.finding.code,
        terminal(&a.finding.message)
    )?;
    writeln!(out, "  reason: {}", terminal(&a.reason))
}

/// `FILE:LINE:COLUMN: error: MESSAGE`, with `(at `PATH`)` for a value of the wrong shape.
pub(super) fn write_json_error(file: &str, e: &JsonError, out: &mut dyn Write) -> io::Result<()> {
    if e.path.is_empty() {
        writeln!(out, "{file}:{}:{}: error: {}", e.line, e.column, e.message)
    } else {
        writeln!(
            out,
            "{file}:{}:{}: error: {} (at `{}`)",
            e.line, e.column, e.message, e.path
        )
    }
}

/// The `--format json` document of `validate` and `policy check`; fields serialise in
/// declaration order.
#[derive(serde::Serialize)]
pub(super) struct CheckOutput<'a> {
    pub(super) version: u32,
    pub(super) files: Vec<FileOutput<'a>>,
}

/// One file: its findings, or why it could not be checked.
#[derive(serde::Serialize)]
pub(super) struct FileOutput<'a> {
    pub(super) file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) findings: Option<&'a [Finding]>,
    /// The findings the model accepts (`allow_findings`), each with its reason.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub(super) allowed: &'a [Allowed],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) error: Option<String>,
}

pub(super) fn summary(file: &str, outcome: &Result<Report, Unreadable>) -> String {
    match outcome {
        Err(_) => format!("{file}: not checked: the file is unreadable"),
        Ok(report) => {
            let errors = report
                .findings()
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            let warnings = report.findings().len() - errors;
            let allowed = match report.allowed().len() {
                0 => String::new(),
                n => format!(", {n} allowed"),
            };
            format!(
                "{file}: {}, {}{allowed}",
                count(errors, "error", "errors"),
                count(warnings, "warning", "warnings")
            )
        }
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Run `schema`: print the JSON Schema of the model file.
pub fn schema(out: &mut dyn Write) -> Result<ExitStatus, CliError> {
    match out.write_all(iam_model::model::file::json_schema().as_bytes()) {
        Ok(()) => Ok(ExitStatus::Success),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitStatus::Success),
        Err(e) => Err(CliError::Write(e)),
    }
}
