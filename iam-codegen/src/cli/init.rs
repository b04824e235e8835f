//! `iam-codegen init --preset NAME [-o FILE]` and `iam-codegen init --list`: start a model
//! file from one of the seeds' setups ([`iam_model::presets`]).
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;

use super::{CliError, ExitStatus, Format};

/// Arguments of `init`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["preset", "list"])))]
pub struct InitArgs {
    /// The preset to write (see `--list`); another name is a usage error (exit 2).
    #[arg(long, value_name = "NAME", value_parser = preset_names())]
    pub preset: Option<String>,
    /// List the presets.
    #[arg(long)]
    pub list: bool,
    /// Write the model file here instead of stdout (`-` is stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE", requires = "preset")]
    pub output: Option<PathBuf>,
    /// Replace the output file if it exists.
    #[arg(long, requires = "output")]
    pub force: bool,
}

/// The preset names, as clap's possible values.
fn preset_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(iam_model::presets::ALL.map(|p| p.name))
}

/// Why `init` failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InitError {
    /// No preset has the name.
    #[error("there is no preset `{name}`; the presets are {known}")]
    UnknownPreset {
        /// The name given.
        name: String,
        /// The preset names, listed.
        known: String,
    },
    /// The output file exists and `--force` was not given.
    #[error("`{}` exists; pass --force to replace it", path.display())]
    Exists {
        /// The output file.
        path: PathBuf,
    },
    /// Writing the output file failed.
    #[error("cannot write `{}`", path.display())]
    Write {
        /// The output file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// Write `text` to `path` atomically: a temporary file in the same directory, then a rename
/// (or a hard link when the file must not be replaced, so a file created meanwhile is never
/// overwritten).
pub(super) fn write_atomically(path: &Path, text: &str, force: bool) -> Result<(), InitError> {
    let write_err = |source: io::Error| InitError::Write {
        path: path.to_path_buf(),
        source,
    };
    if !force && path.exists() {
        return Err(InitError::Exists {
            path: path.to_path_buf(),
        });
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model.json".to_string());
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create_new(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        if force {
            std::fs::rename(&tmp, path)
        } else {
            std::fs::hard_link(&tmp, path).and_then(|()| std::fs::remove_file(&tmp))
        }
    })();
    match result {
        Ok(()) => Ok(()),
        Err(e) => {
            // Leave nothing half-written behind; the temporary file may not exist.
            let _ = std::fs::remove_file(&tmp);
            if e.kind() == io::ErrorKind::AlreadyExists {
                Err(InitError::Exists {
                    path: path.to_path_buf(),
                })
            } else {
                Err(write_err(e))
            }
        }
    }
}

/// Run `init`.
pub fn run(
    args: &InitArgs,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, CliError> {
    let written = (|| -> io::Result<Option<ExitStatus>> {
        if args.list {
            match format {
                Format::Text => {
                    for p in &iam_model::presets::ALL {
                        writeln!(out, "{:<15} {}", p.name, p.summary)?;
                    }
                }
                Format::Json => {
                    let presets: Vec<serde_json::Value> = iam_model::presets::ALL
                        .iter()
                        .map(|p| serde_json::json!({"name": p.name, "summary": p.summary}))
                        .collect();
                    let document = serde_json::json!({"version": 1, "presets": presets});
                    out.write_all(iam_model::json::to_pretty(&document).as_bytes())?;
                }
            }
            return Ok(Some(ExitStatus::Success));
        }
        Ok(None)
    })();
    match written {
        Ok(Some(status)) => return Ok(status),
        Ok(None) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitStatus::Success),
        Err(e) => return Err(CliError::Write(e)),
    }
    let name = args.preset.as_deref().unwrap_or_default();
    let Some(preset) = iam_model::presets::find(name) else {
        let known = iam_model::presets::ALL
            .iter()
            .map(|p| format!("`{}`", p.name))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(InitError::UnknownPreset {
            name: name.to_string(),
            known,
        }
        .into());
    };
    let text = (preset.build)().to_json();
    match &args.output {
        Some(path) if path.as_os_str() != "-" => {
            write_atomically(path, &text, args.force)?;
            writeln!(
                err,
                "wrote `{}` (preset `{}`); check it with `iam-codegen validate {}`",
                path.display(),
                preset.name,
                path.display()
            )
            .map_err(CliError::Write)?;
        }
        _ => match out.write_all(text.as_bytes()) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
            Err(e) => return Err(CliError::Write(e)),
        },
    }
    Ok(ExitStatus::Success)
}
