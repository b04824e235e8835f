//! `iam-codegen drift MODEL EXPORT_DIR`: what is live differs from the model, both ways
//! ([`iam_model::import::drift`]).
use std::io::{self, Write};
use std::path::PathBuf;

use clap::Args;

use super::access::{Loaded, load};
use super::import::{ImportCliError, read_export};
use super::sarif::{CheckedFile, FileOutcome, sarif_log};
use super::{CliError, ExitStatus, Format, OutputFormat};
use crate::escape::terminal;
use iam_model::{Finding, Severity};

/// Arguments of `drift`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The model file.
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,
    /// The directory `scripts/export-aws.sh` wrote.
    #[arg(value_name = "EXPORT_DIR")]
    pub export: PathBuf,
}

/// Run `drift`: one line per difference on stdout (`MODEL:PATH: drift CODE: MESSAGE`), what
/// was not compared and a summary on stderr. Exit 0 without drift, 1 with drift or when a
/// file cannot be read, 3 when the model has validation errors.
pub fn run(
    args: &DriftArgs,
    format: OutputFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, CliError> {
    let plain = match format {
        OutputFormat::Json => Format::Json,
        OutputFormat::Text | OutputFormat::Sarif => Format::Text,
    };
    let Loaded::Model(model) = load(&args.model, plain, out, err)? else {
        return Ok(ExitStatus::Invalid);
    };
    let files = read_export(&args.export)?;
    let drift =
        iam_model::import::drift(&model, &files).map_err(|source| ImportCliError::Import {
            dir: args.export.clone(),
            source,
        })?;
    let file = args.model.display();
    let written = (|| -> io::Result<()> {
        match format {
            OutputFormat::Sarif => {
                // One result per difference at the model file's line and column (the path
                // of an `extra` item names where it would be).
                let findings: Vec<Finding> = drift
                    .items
                    .iter()
                    .map(|d| Finding {
                        code: match d.code {
                            "extra" => "drift-extra",
                            "missing" => "drift-missing",
                            _ => "drift-changed",
                        },
                        severity: Severity::Error,
                        path: d.path.clone(),
                        message: d.message.clone(),
                        help: "what is live differs from the model: change the model (`iam-codegen import` shows what is live) or undo the change in AWS".to_string(),
                    })
                    .collect();
                let text = std::fs::read_to_string(&args.model).ok();
                let uri = args.model.display().to_string();
                let file = CheckedFile {
                    uri: &uri,
                    text: text.as_deref(),
                    outcome: FileOutcome::Findings(&findings),
                };
                out.write_all(sarif_log(&[file]).as_bytes())?;
            }
            OutputFormat::Text => {
                for d in &drift.items {
                    writeln!(
                        out,
                        "{file}:{}: drift {}: {}",
                        terminal(&d.path),
                        d.code,
                        terminal(&d.message)
                    )?;
                }
                for n in &drift.not_compared {
                    writeln!(err, "not compared: {}", terminal(n))?;
                }
                writeln!(
                    err,
                    "{file}: {} differences from `{}`",
                    drift.items.len(),
                    args.export.display()
                )?;
            }
            OutputFormat::Json => {
                let doc = serde_json::json!({
                    "version": 1,
                    "drift": drift.items,
                    "not_compared": drift.not_compared,
                });
                out.write_all(iam_model::json::to_pretty(&doc).as_bytes())?;
            }
        }
        out.flush()
    })();
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(CliError::Write(e)),
    }
    Ok(if drift.items.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
