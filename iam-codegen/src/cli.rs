//! The command line: argument types (clap) and [`run`].
use std::io::Write;

use clap::{Parser, Subcommand, ValueEnum};

mod catalog;

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
}

/// How a command ended; the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: success, allowed or valid.
    Success,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => std::process::ExitCode::SUCCESS,
        }
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
}

/// Run a parsed command line, writing the product to `out` and diagnostics to `err`.
pub fn run(cli: Cli, out: &mut dyn Write, _err: &mut dyn Write) -> Result<ExitStatus, CliError> {
    match cli.command {
        Command::Version => {
            writeln!(out, "iam-codegen {}", env!("CARGO_PKG_VERSION")).map_err(CliError::Write)?;
            Ok(ExitStatus::Success)
        }
        Command::Catalog(args) => catalog::run(args, cli.format, out),
    }
}
