//! `iam-codegen policy check` and `iam-codegen policy fmt`: check policy files against the
//! rules of their kind, and print a policy in canonical form.
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use iam_model::policy::PolicyKind;
use iam_model::policy::size::aws_size;
use iam_model::validate::policy::{check_size, decode, read_raw};
use iam_model::{JsonError, Report, Severity};

use super::sarif::{CheckedFile, FileOutcome, sarif_log};
use super::validate::{CheckOutput, FileOutput, write_finding, write_json_error};
use super::{CliError, ExitStatus, OutputFormat};

/// Check and format IAM policy documents.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// What to do with the policies.
    #[command(subcommand)]
    pub command: PolicyCommand,
}

/// The `policy` subcommands.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check policy files against the grammar and the rules of their kind.
    ///
    /// Prints every finding as `FILE:PATH: SEVERITY CODE: MESSAGE` with a help line, and a
    /// summary on stderr. With `--format json`, stdout is one JSON document
    /// `{"version":1,"files":[{"file":…,"findings":[…]}]}`; a file that cannot be read or is
    /// not JSON has an `error` instead of `findings`. With `--format sarif`, stdout is one
    /// SARIF 2.1.0 log for code scanning, each finding at the line and column of the value
    /// its path names.
    Check(CheckArgs),
    /// Print a policy in canonical form: AWS's key order, statements in the order written.
    ///
    /// Lists of one item are kept as written unless `--canonical` is given. A policy with
    /// error-severity findings is not printed; the findings go to stderr. `--format` does not
    /// change the output, which is always the policy's JSON.
    Fmt(FmtArgs),
}

/// Arguments of `policy check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The kind of policy the files hold; each kind has its own rules and size limit.
    #[arg(long, value_enum, default_value_t = KindArg::Identity)]
    pub kind: KindArg,
    /// The policy files (JSON).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Arguments of `policy fmt`.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// The kind of policy the file holds.
    #[arg(long, value_enum, default_value_t = KindArg::Identity)]
    pub kind: KindArg,
    /// Write lists of one item as single values and `Statement` always as a list.
    #[arg(long)]
    pub canonical: bool,
    /// The policy file (JSON).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Policy kinds as the command line spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// An identity-based policy of a user, group or role (managed or inline).
    Identity,
    /// A role trust policy (`AssumeRolePolicyDocument`).
    Trust,
    /// A resource-based policy (S3 bucket, KMS key, SQS queue, …).
    Resource,
    /// A service control policy (AWS Organizations).
    Scp,
    /// A resource control policy (AWS Organizations).
    Rcp,
    /// A permissions boundary.
    Boundary,
    /// The inline policy of an IAM Identity Center permission set.
    PermissionSet,
    /// An AWS managed policy: identity rules without the customer size limits.
    AwsManaged,
}

impl From<KindArg> for PolicyKind {
    fn from(kind: KindArg) -> Self {
        match kind {
            KindArg::Identity => Self::Identity,
            KindArg::Trust => Self::Trust,
            KindArg::Resource => Self::Resource,
            KindArg::Scp => Self::Scp,
            KindArg::Rcp => Self::Rcp,
            KindArg::Boundary => Self::Boundary,
            KindArg::PermissionSet => Self::PermissionSet,
            KindArg::AwsManaged => Self::AwsManaged,
        }
    }
}

/// Run a `policy` subcommand. A closed stdout or stderr (broken pipe) ends the command
/// quietly with success, as a reader such as `head` asked for no more.
pub fn run(
    args: PolicyArgs,
    format: OutputFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, CliError> {
    let result = match args.command {
        PolicyCommand::Check(args) => check(&args, format, out, err),
        PolicyCommand::Fmt(args) => fmt(&args, out, err),
    };
    match result {
        Ok(status) => Ok(status),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitStatus::Success),
        Err(e) => Err(CliError::Write(e)),
    }
}

/// Why a file could not be checked.
enum Unreadable {
    Io(io::Error),
    Json(JsonError),
}

/// The outcome of checking one file.
struct Checked {
    file: PathBuf,
    /// The file's text, when it could be read.
    text: Option<String>,
    outcome: Result<Report, Unreadable>,
}

/// Read a file and check it as a policy of `kind`.
fn check_file(path: &Path, kind: PolicyKind) -> Checked {
    let (text, outcome) = match std::fs::read_to_string(path) {
        Ok(text) => {
            let outcome = check_text(&text, kind);
            (Some(text), outcome)
        }
        Err(e) => (None, Err(Unreadable::Io(e))),
    };
    Checked {
        file: path.to_path_buf(),
        text,
        outcome,
    }
}

/// Check a file's text as a policy of `kind`.
fn check_text(text: &str, kind: PolicyKind) -> Result<Report, Unreadable> {
    let raw = read_raw(text).map_err(Unreadable::Json)?;
    let mut report = Report::new();
    decode(&raw, kind, "", &mut report);
    check_size(aws_size(text), kind, "", &mut report);
    Ok(report)
}

fn check(
    args: &CheckArgs,
    format: OutputFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let kind = PolicyKind::from(args.kind);
    let results: Vec<Checked> = args
        .files
        .iter()
        .map(|file| check_file(file, kind))
        .collect();

    match format {
        OutputFormat::Text => {
            for checked in &results {
                write_text(checked, out)?;
            }
            writeln!(err, "{}", summary(&results))?;
        }
        OutputFormat::Json => {
            let document = CheckOutput {
                version: 1,
                files: results.iter().map(json_entry).collect(),
            };
            out.write_all(iam_model::json::to_pretty(&document).as_bytes())?;
        }
        OutputFormat::Sarif => write_sarif(&results, out)?,
    }
    out.flush()?;
    Ok(status_of(&results))
}

/// 1 when a file could not be read (it takes precedence: the check is incomplete), 3 when a
/// file has an error-severity finding, 0 otherwise.
fn status_of(results: &[Checked]) -> ExitStatus {
    if results.iter().any(|c| c.outcome.is_err()) {
        ExitStatus::Failure
    } else if results
        .iter()
        .any(|c| c.outcome.as_ref().is_ok_and(Report::has_errors))
    {
        ExitStatus::Invalid
    } else {
        ExitStatus::Success
    }
}

fn write_text(checked: &Checked, out: &mut dyn Write) -> io::Result<()> {
    let file = checked.file.display();
    match &checked.outcome {
        Ok(report) => {
            for finding in report.findings() {
                write_finding(&file.to_string(), finding, out)?;
            }
        }
        Err(Unreadable::Io(e)) => writeln!(out, "{file}: error: cannot read the file: {e}")?,
        Err(Unreadable::Json(e)) => write_json_error(&file.to_string(), e, out)?,
    }
    Ok(())
}

fn json_entry(checked: &Checked) -> FileOutput<'_> {
    let file = checked.file.display().to_string();
    let (findings, error) = match &checked.outcome {
        Ok(report) => (Some(report.findings()), None),
        Err(Unreadable::Io(e)) => (None, Some(format!("cannot read the file: {e}"))),
        Err(Unreadable::Json(e)) => (None, Some(e.to_string())),
    };
    FileOutput {
        file,
        findings,
        error,
    }
}

/// The files as one SARIF log.
fn write_sarif(results: &[Checked], out: &mut dyn Write) -> io::Result<()> {
    let names: Vec<(String, Option<String>)> = results
        .iter()
        .map(|c| {
            let why = match &c.outcome {
                Err(Unreadable::Io(e)) => Some(e.to_string()),
                _ => None,
            };
            (c.file.display().to_string(), why)
        })
        .collect();
    let files: Vec<CheckedFile<'_>> = results
        .iter()
        .zip(&names)
        .map(|(c, (name, why))| CheckedFile {
            uri: name,
            text: c.text.as_deref(),
            outcome: match (&c.outcome, why) {
                (Ok(report), _) => FileOutcome::Findings(report.findings()),
                (Err(Unreadable::Json(e)), _) => FileOutcome::Json(e),
                (Err(Unreadable::Io(_)), why) => {
                    FileOutcome::Unreadable(why.as_deref().unwrap_or_default())
                }
            },
        })
        .collect();
    out.write_all(sarif_log(&files).as_bytes())
}

/// `3 files checked: 2 errors, 1 warning` (and `, 1 file unreadable`).
fn summary(results: &[Checked]) -> String {
    let mut errors = 0;
    let mut warnings = 0;
    let mut unreadable = 0;
    for checked in results {
        match &checked.outcome {
            Ok(report) => {
                for f in report.findings() {
                    match f.severity {
                        Severity::Error => errors += 1,
                        Severity::Warning => warnings += 1,
                    }
                }
            }
            Err(_) => unreadable += 1,
        }
    }
    let mut text = format!(
        "{} checked: {}, {}",
        count(results.len(), "file", "files"),
        count(errors, "error", "errors"),
        count(warnings, "warning", "warnings"),
    );
    if unreadable > 0 {
        text.push_str(&format!(
            ", {} unreadable",
            count(unreadable, "file", "files")
        ));
    }
    text
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn fmt(args: &FmtArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<ExitStatus> {
    let kind = PolicyKind::from(args.kind);
    let file = args.file.display().to_string();
    let text = match std::fs::read_to_string(&args.file) {
        Ok(text) => text,
        Err(e) => {
            writeln!(err, "{file}: error: cannot read the file: {e}")?;
            return Ok(ExitStatus::Failure);
        }
    };
    let raw = match read_raw(&text) {
        Ok(raw) => raw,
        Err(e) => {
            write_json_error(&file, &e, err)?;
            return Ok(ExitStatus::Failure);
        }
    };
    let mut report = Report::new();
    let document = decode(&raw, kind, "", &mut report);
    check_size(aws_size(&text), kind, "", &mut report);
    for finding in report.findings() {
        write_finding(&file, finding, err)?;
    }
    match document {
        Some(document) if !report.has_errors() => {
            let document = if args.canonical {
                document.canonical()
            } else {
                document
            };
            out.write_all(document.to_json_pretty().as_bytes())?;
            out.flush()?;
            Ok(ExitStatus::Success)
        }
        _ => Ok(ExitStatus::Invalid),
    }
}
