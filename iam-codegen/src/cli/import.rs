//! `iam-codegen import EXPORT_DIR [-o FILE]`: a model file from the JSON the AWS CLI
//! printed about a live organization ([`iam_model::import`]).
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use iam_model::import::{ExportFiles, ImportError, Omission};
use iam_model::{Finding, Severity};

use super::init::write_atomically;
use super::{CliError, ExitStatus, Format};
use crate::escape::terminal;

/// Arguments of `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The directory `scripts/export-aws.sh` wrote.
    #[arg(value_name = "EXPORT_DIR")]
    pub export: PathBuf,
    /// Write the model file here instead of stdout (`-` is stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace the output file if it exists.
    #[arg(long, requires = "output")]
    pub force: bool,
}

/// Why `import` failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportCliError {
    /// The export directory cannot be read.
    #[error("cannot read the export directory `{}`", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The export cannot be imported.
    #[error("cannot import `{}`", dir.display())]
    Import {
        /// The export directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: ImportError,
    },
}

/// Every `.json` file under `dir`, by its `/`-separated path relative to `dir`, in sorted
/// order.
pub(super) fn read_export(dir: &Path) -> Result<ExportFiles, ImportCliError> {
    let mut files = ExportFiles::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, prefix)) = pending.pop() {
        let read_err = |source| ImportCliError::Read {
            path: path.clone(),
            source,
        };
        for entry in std::fs::read_dir(&path).map_err(read_err)? {
            let entry = entry.map_err(read_err)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = format!("{prefix}{name}");
            let kind = entry.file_type().map_err(read_err)?;
            if kind.is_dir() {
                pending.push((entry.path(), format!("{relative}/")));
            } else if kind.is_file() && name.ends_with(".json") {
                let text = std::fs::read_to_string(entry.path()).map_err(|source| {
                    ImportCliError::Read {
                        path: entry.path(),
                        source,
                    }
                })?;
                files.insert(relative, text);
            }
        }
    }
    Ok(files)
}

#[derive(serde::Serialize)]
struct ImportOutput<'a> {
    version: u32,
    omissions: &'a [Omission],
    findings: &'a [Finding],
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<serde_json::Value>,
}

/// Run `import`: the model to `-o FILE` (or stdout), what it cannot hold and the model's
/// validation findings on stderr (with `--format json`, one document on stdout). Exit 0,
/// 3 when the imported model has validation errors (it is written all the same: it
/// describes what is live), 1 when the export cannot be read or imported.
pub fn run(
    args: &ImportArgs,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, CliError> {
    let files = read_export(&args.export)?;
    let imported = iam_model::import::import(&files).map_err(|source| ImportCliError::Import {
        dir: args.export.clone(),
        source,
    })?;
    let report = iam_model::validate::validate(&imported.model);
    let text = imported.model.to_json();
    let to_file = args.output.as_ref().filter(|p| p.as_os_str() != "-");
    if let Some(path) = to_file {
        write_atomically(path, &text, args.force)?;
    }
    let model_name = to_file.map_or_else(|| "<stdout>".to_string(), |p| p.display().to_string());
    let written = (|| -> io::Result<()> {
        match format {
            Format::Text => {
                if to_file.is_none() {
                    out.write_all(text.as_bytes())?;
                }
                let dir = args.export.display();
                for o in &imported.omissions {
                    writeln!(
                        err,
                        "{dir}/{}:{}: not imported {}: {}",
                        terminal(&o.file),
                        terminal(&o.path),
                        o.code,
                        terminal(&o.message)
                    )?;
                }
                for f in report.findings() {
                    writeln!(
                        err,
                        "{model_name}:{}: {} {}: {}",
                        terminal(&f.path),
                        f.severity,
                        f.code,
                        terminal(&f.message)
                    )?;
                }
                let errors = report
                    .findings()
                    .iter()
                    .filter(|f| f.severity == Severity::Error)
                    .count();
                writeln!(
                    err,
                    "imported {} accounts into {model_name}; {} items the model does not hold; {} validation errors, {} warnings",
                    imported.model.accounts().len(),
                    imported.omissions.len(),
                    errors,
                    report.findings().len() - errors
                )?;
            }
            Format::Json => {
                let model = if to_file.is_none() {
                    serde_json::from_str(&text).ok()
                } else {
                    None
                };
                let document = ImportOutput {
                    version: 1,
                    omissions: &imported.omissions,
                    findings: report.findings(),
                    model,
                };
                out.write_all(iam_model::json::to_pretty(&document).as_bytes())?;
            }
        }
        out.flush()
    })();
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(CliError::Write(e)),
    }
    Ok(if report.has_errors() {
        ExitStatus::Invalid
    } else {
        ExitStatus::Success
    })
}
