//! `iam-codegen drift MODEL EXPORT_DIR`: what is live differs from the model, both ways
//! ([`iam_model::import::drift`]).
use std::io::{self, Write};
use std::path::PathBuf;

use clap::Args;

use super::access::{Loaded, load};
use super::import::{ImportCliError, read_export};
use super::{CliError, ExitStatus, Format};
use crate::escape::terminal;

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
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, CliError> {
    let Loaded::Model(model) = load(&args.model, format, out, err)? else {
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
            Format::Text => {
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
            Format::Json => {
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
