//! The command line: argument types (clap) and [`run`].
use std::io::Write;

use clap::{Parser, Subcommand, ValueEnum};

mod catalog;
mod simulate;
mod validate;
pub use simulate::SimulateArgs;

/// Generate CloudFormation, Terraform and IAM policy JSON from an IAM model file.
#[derive(Debug, Parser)]
#[command(name = "iam-codegen", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Output format for results and diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for people.
    Text,
    /// One JSON document on stdout.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the version.
    Version,
    /// Look up actions, resource types and condition keys in the AWS service catalogue.
    Catalog(catalog::CatalogArgs),
    /// Check a model file: every policy by its kind, references, names and AWS quotas.
    ///
    /// Prints every finding as `FILE:PATH: SEVERITY CODE: MESSAGE` with a help line (the
    /// shape of `policy check`) and a summary on stderr. Exit 0 when valid (warnings
    /// allowed), 3 with error findings, 1 when the file cannot be read or is not a model file.
    Validate(validate::ValidateArgs),
    /// Print the JSON Schema of the model file format.
    Schema,
    /// Evaluate requests offline: allowed or denied, and why.
    Simulate(SimulateArgs),
}

/// How a command ended; the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: success, allowed or valid.
    Success,
    /// 1: failure (I/O, unreadable input, template error).
    Failure,
    /// 3: the policy or model has validation errors.
    Invalid,
    /// 4: the request was denied.
    Denied,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Failure => 1,
            Self::Invalid => 3,
            Self::Denied => 4,
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
}

/// Run a parsed command line, writing the product to `out` and diagnostics to `err`.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<ExitStatus, CliError> {
    match cli.command {
        Command::Version => {
            writeln!(out, "iam-codegen {}", env!("CARGO_PKG_VERSION")).map_err(CliError::Write)?;
            Ok(ExitStatus::Success)
        }
        Command::Catalog(args) => catalog::run(args, cli.format, out),
        Command::Validate(args) => validate::run(&args, cli.format, out, err),
        Command::Schema => validate::schema(out),
        Command::Simulate(args) => simulate::run(&args, cli.format, out, err),
    }
}
