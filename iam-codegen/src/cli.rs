//! The command line: argument types (clap) and [`run`].
use std::io::Write;

use clap::{Parser, Subcommand, ValueEnum};

mod access;
mod catalog;
mod diff;
pub use diff::DiffArgs;
mod drift;
pub use drift::DriftArgs;
mod import;
pub use import::{ImportArgs, ImportCliError};
pub mod generate;
mod init;
pub mod output;
pub mod sarif;
mod simulate;
mod validate;
pub use simulate::{SimulateArgs, simulate_lines};
mod policy;

pub use policy::{CheckArgs, FmtArgs, KindArg, PolicyArgs, PolicyCommand};

pub use init::{InitArgs, InitError};

pub use access::{AccessError, AssertionArgs, WhoCanArgs};

/// Generate CloudFormation, Terraform and IAM policy JSON from an IAM model file.
#[derive(Debug, Parser)]
#[command(name = "iam-codegen", version, about, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Output format for results and diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// The exit codes, listed in `--help`.
const EXIT_CODES: &str = "Exit codes:
  0  success: allowed, or valid
  1  failure: a file cannot be read or is not JSON, or output cannot be written
  2  usage error
  3  invalid: a policy or model has error-severity findings
  4  denied: the request was denied
  5  new access: `diff` found access the new model adds";

/// Output formats of every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for people.
    Text,
    /// One JSON document on stdout.
    Json,
}

/// The `--format` values: [`Format`]s, and SARIF for the commands that check files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Text for people.
    Text,
    /// One JSON document on stdout.
    Json,
    /// A SARIF 2.1.0 log on stdout, for code scanning (`validate` and `policy check` only).
    Sarif,
}

impl From<Format> for OutputFormat {
    fn from(format: Format) -> Self {
        match format {
            Format::Text => Self::Text,
            Format::Json => Self::Json,
        }
    }
}

impl OutputFormat {
    /// The format of a command that has no SARIF output.
    fn plain(self, command: &'static str) -> Result<Format, CliError> {
        match self {
            Self::Text => Ok(Format::Text),
            Self::Json => Ok(Format::Json),
            Self::Sarif => Err(CliError::SarifUnsupported { command }),
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
#[expect(
    clippy::large_enum_variant,
    reason = "one value per process, parsed once; boxing would only complicate the tests that build it"
)]
pub enum Command {
    /// Print the version.
    Version,
    /// Look up actions, resource types and condition keys in the AWS service catalogue.
    Catalog(catalog::CatalogArgs),
    /// Check a model file: every policy by its kind, references, names and AWS quotas.
    ///
    /// Prints every finding as `FILE:PATH: SEVERITY CODE: MESSAGE` with a help line (the
    /// shape of `policy check`) and a summary on stderr; `--format sarif` prints a SARIF
    /// 2.1.0 log instead, each finding at the line and column of the value its path names.
    /// Exit 0 when valid (warnings allowed), 3 with error findings, 1 when the file cannot be
    /// read or is not a model file.
    Validate(validate::ValidateArgs),
    /// Print the JSON Schema of the model file format.
    Schema,
    /// Evaluate requests offline: allowed or denied, and why.
    Simulate(SimulateArgs),
    /// Check or format IAM policy documents.
    Policy(PolicyArgs),
    /// Every principal of a model allowed to do an action on a resource, and through which
    /// path (account, permission set or policy).
    ///
    /// A principal allowed only under conditions the request must meet (an ExternalId, MFA,
    /// a source IP range) is listed with them (`only if:` lines); so are the identity
    /// providers (OIDC, SAML) a role's trust policy lets in, with the claims it requires.
    ///
    /// Exit 0 (also when nobody is allowed), 3 when the model has validation errors, 1 when
    /// it cannot be read or names an unknown account.
    WhoCan(WhoCanArgs),
    /// Check a model's assertions with the evaluator.
    ///
    /// Lists each assertion with the decision for each of its actions; for a failing one,
    /// the explanation and the statement that broke it. Exit 0 when every assertion holds,
    /// 4 when one fails, 3 when the model has validation errors, 1 when it cannot be read.
    #[command(
        after_help = "Exit codes:\n  0  every assertion holds\n  1  the model cannot be read\n  3  the model has validation errors\n  4  an assertion fails"
    )]
    Check(AssertionArgs),
    /// Start a model file from a preset of the seeds' setups.
    ///
    /// `--list` shows the presets; `--preset NAME` prints the model file, or writes it to
    /// `-o FILE` (atomically; an existing file is kept unless `--force`).
    Init(init::InitArgs),
    /// Generate CloudFormation, Terraform, policies, AWS CLI config, docs and scripts.
    ///
    /// Reads and checks the model (findings on stderr; exit 3 with error findings, nothing
    /// written), renders the targets and writes them to `--out DIR` all or nothing, keeping
    /// a manifest `DIR/.iam-codegen-manifest.json` so that files it wrote before and does
    /// not write now are removed and files it never wrote are left alone. `--check` writes
    /// nothing, prints `A`/`M`/`D path` for each difference and exits 1 when there is any.
    /// Without `--out` (or with `-o -`) the files are printed on stdout, each after a
    /// `==> path <==` header. One run per directory at a time (a lock; a second run exits 1);
    /// Ctrl-C or SIGTERM undoes the run, and a run killed outright is undone by the next one
    /// from its journal (`--check` lists its leftovers as `X path`).
    Generate(generate::GenerateArgs),
    /// Import a model from the JSON the AWS CLI printed (`scripts/export-aws.sh`).
    ///
    /// Writes the model to `-o FILE` (or stdout) and lists on stderr what the model cannot
    /// hold (access keys, console passwords, service-linked and Identity Center roles, old
    /// policy versions, …) and the model's validation findings. With `--format json`, stdout
    /// is one document `{"version":1,"omissions":[…],"findings":[…]}` (plus `"model"` when
    /// there is no `-o`). Exit 0, 3 when the imported model has validation errors (it is
    /// written all the same), 1 when the export cannot be read or imported.
    Import(ImportArgs),
    /// The change in access between two models, computed by the evaluator.
    ///
    /// For every principal (Identity Center groups and users, IAM users and roles, external
    /// accounts, OIDC subjects) in every account: the access-matrix probes, assuming each
    /// role, and the actions of either model's assertions that change between denied and
    /// allowed, each with the statements that decide it; then the SCPs/RCPs that change
    /// per account and the principals that newly administer IAM. `--markdown` writes a
    /// pull-request comment. Exit 0 when no access is added, 5 when some is, 3 when a model
    /// has validation errors, 1 when one cannot be read.
    #[command(
        after_help = "Exit codes:\n  0  no access added (some may be removed)\n  1  a model cannot be read\n  3  a model has validation errors\n  5  access added"
    )]
    Diff(DiffArgs),
    /// Compare a model with what is live (an export of `scripts/export-aws.sh`), both ways.
    ///
    /// Entities live but not in the model (`extra`: users, roles, policies attached by hand),
    /// in the model but not live (`missing`), and changed values (`changed`: trust policies
    /// and other policy documents compared in canonical form, not as text), one line each as
    /// `MODEL:PATH: drift CODE: MESSAGE` with a JSON pointer into the model. `--format json`
    /// prints `{"version":1,"drift":[…],"not_compared":[…]}`; `--format sarif` a SARIF log with
    /// one result per difference (`drift-extra`, `drift-missing`, `drift-changed`) at the
    /// model file's line and column. Exit 0 without drift, 1 with drift or when a file cannot
    /// be read, 3 when the model has validation errors.
    #[command(
        after_help = "Exit codes:\n  0  no drift\n  1  drift, or a file cannot be read\n  3  the model has validation errors"
    )]
    Drift(DriftArgs),
}

/// How a command ended; the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: success, allowed or valid.
    Success,
    /// 1: failure (I/O, unreadable input, template error).
    Failure,
    /// 2: a usage error found after parsing (clap reports the others itself).
    Usage,
    /// 3: the policy or model has validation errors.
    Invalid,
    /// 4: the request was denied.
    Denied,
    /// 5: `diff` found access that the new model adds.
    NewAccess,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Failure => 1,
            Self::Usage => 2,
            Self::Invalid => 3,
            Self::Denied => 4,
            Self::NewAccess => 5,
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status.code())
    }
}

/// Errors that stop a command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// Writing to stdout or stderr failed.
    #[error("cannot write output")]
    Write(#[source] std::io::Error),
    /// A catalogue lookup failed.
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    /// A file could not be read.
    #[error("cannot read `{}`", path.display())]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A case file is malformed.
    #[error("invalid case file `{}`", path.display())]
    Cases {
        /// The file.
        path: std::path::PathBuf,
        /// Where and what.
        #[source]
        source: iam_model::JsonError,
    },
    /// Two cases of a case file have the same id.
    #[error("invalid case file `{}`: the case id `{id}` is used twice", path.display())]
    DuplicateCase {
        /// The file.
        path: std::path::PathBuf,
        /// The id.
        id: String,
    },
    /// A required argument is missing.
    #[error("missing argument `{name}`")]
    MissingArgument {
        /// The argument.
        name: &'static str,
    },
    /// A model command failed.
    #[error(transparent)]
    Access(#[from] access::AccessError),
    /// `init` failed.
    #[error(transparent)]
    Init(#[from] init::InitError),
    /// `import` failed.
    #[error(transparent)]
    Import(#[from] import::ImportCliError),
    /// Generating artifacts failed.
    #[error(transparent)]
    Generate(Box<generate::GenerateError>),
    /// `--format sarif` was given to a command that has no SARIF output.
    #[error(
        "`--format sarif` is for `validate` and `policy check`; `{command}` prints text or json"
    )]
    SarifUnsupported {
        /// The command.
        command: &'static str,
    },
}

impl CliError {
    /// The process exit code of the error: 2 for a usage error, 1 for every other failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::SarifUnsupported { .. } => 2,
            _ => 1,
        }
    }
}

/// Run a parsed command line, writing the product to `out` and diagnostics to `err`.
///
/// With `--format json`, `out` always receives one JSON document: when the command prints
/// none of its own (an error, an exit code without a result, a command whose product is a
/// file), the document is `{"version": 1, "exit_code": N, "error": MESSAGE}` (`error` is
/// `null` unless the command failed with an error).
///
/// ```
/// use clap::Parser as _;
/// use iam_codegen::cli::{run, Cli};
/// let cli = Cli::try_parse_from(["iam-codegen", "--format", "json", "validate", "no-such-file.json"])?;
/// let (mut out, mut err) = (Vec::new(), Vec::new());
/// let status = run(cli, &mut out, &mut err)?;
/// assert_eq!(status.code(), 1);
/// let document: serde_json::Value = serde_json::from_slice(&out)?;
/// assert_eq!(document["version"], 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<ExitStatus, CliError> {
    if cli.format != OutputFormat::Json {
        return dispatch(cli, out, err);
    }
    let mut counted = Counted {
        inner: out,
        written: false,
    };
    let result = dispatch(cli, &mut counted, err);
    if counted.written {
        return result;
    }
    let (exit_code, error) = match &result {
        Ok(status) => (status.code(), None),
        Err(e) => (e.exit_code(), Some(error_chain(e))),
    };
    let document = serde_json::json!({"version": 1, "exit_code": exit_code, "error": error});
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    // The command's own error stays the reason; the document is written when it can be.
    match counted.inner.write_all(text.as_bytes()) {
        Ok(()) => {}
        Err(e) if result.is_ok() => return Err(CliError::Write(e)),
        Err(_) => {}
    }
    result
}

/// An error with its causes, joined by `: ` as `main` prints it.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A writer that remembers whether anything was written.
struct Counted<'a> {
    inner: &'a mut dyn Write,
    written: bool,
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written |= n > 0;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// What a usage error found by clap prints with `--format json`: one document on stdout,
/// `{"version": 1, "exit_code": 2, "error": "MESSAGE"}` (clap's message on one line,
/// without `error: `, the usage and the `--help` hint). `None` for `--help` and `--version`, which are not errors.
///
/// ```
/// use clap::Parser as _;
/// let err = iam_codegen::cli::Cli::try_parse_from(["iam-codegen", "nope"]).unwrap_err();
/// let document = iam_codegen::cli::usage_error_document(&err).unwrap_or_default();
/// assert!(document.starts_with("{\n  \"version\": 1,\n  \"exit_code\": 2,"));
/// ```
pub fn usage_error_document(err: &clap::Error) -> Option<String> {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        return None;
    }
    // clap's message without `error: `, the usage and the `--help` hint, on one line.
    let rendered = err.render().to_string();
    let message = rendered
        .lines()
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    let document = serde_json::json!({"version": 1, "exit_code": 2, "error": message});
    let mut text = serde_json::to_string_pretty(&document).ok()?;
    text.push('\n');
    Some(text)
}

/// Whether a command line asks for `--format json` (for errors found before it is parsed).
pub fn wants_json<I: AsRef<std::ffi::OsStr>>(args: impl IntoIterator<Item = I>) -> bool {
    let mut previous_was_format = false;
    for arg in args {
        let arg = arg.as_ref();
        if arg == "--" {
            return false;
        }
        if (previous_was_format && arg == "json") || arg == "--format=json" {
            return true;
        }
        previous_was_format = arg == "--format";
    }
    false
}

fn dispatch(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<ExitStatus, CliError> {
    match cli.command {
        Command::Version => {
            let version = env!("CARGO_PKG_VERSION");
            match cli.format.plain("version")? {
                Format::Text => writeln!(out, "iam-codegen {version}"),
                Format::Json => writeln!(
                    out,
                    "{{\n  \"version\": 1,\n  \"iam_codegen\": \"{version}\"\n}}"
                ),
            }
            .map_err(CliError::Write)?;
            Ok(ExitStatus::Success)
        }
        Command::Catalog(args) => catalog::run(args, cli.format.plain("catalog")?, out),
        Command::Validate(args) => validate::run(&args, cli.format, out, err),
        Command::Schema => validate::schema(out),
        Command::Simulate(args) => simulate::run(&args, cli.format.plain("simulate")?, out, err),
        Command::Policy(args) => policy::run(args, cli.format, out, err),
        Command::Init(args) => init::run(&args, cli.format.plain("init")?, out, err),
        Command::Generate(args) => generate::run(&args, cli.format.plain("generate")?, out, err),
        Command::WhoCan(args) => access::who_can(&args, cli.format.plain("who-can")?, out, err),
        Command::Check(args) => access::check(&args, cli.format.plain("check")?, out, err),
        Command::Import(args) => import::run(&args, cli.format.plain("import")?, out, err),
        Command::Diff(args) => diff::run(&args, cli.format.plain("diff")?, out, err),
        Command::Drift(args) => drift::run(&args, cli.format, out, err),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn exit_codes_follow_the_style_guide() {
        let codes = [
            ExitStatus::Success,
            ExitStatus::Failure,
            ExitStatus::Usage,
            ExitStatus::Invalid,
            ExitStatus::Denied,
            ExitStatus::NewAccess,
        ]
        .map(ExitStatus::code);
        assert_eq!(codes, [0, 1, 2, 3, 4, 5]);
    }
}
