//! `iam-codegen generate MODEL`: read and check a model, render the chosen targets, and
//! write them into a directory (all or nothing, with a manifest; see [`super::output`]),
//! compare them with it (`--check`), or print them.
//!
//! Output modes:
//!
//! - `--out DIR`: files go to `DIR/<target>/…`. Changes are listed on stderr as `A path`,
//!   `M path`, `D path`, then a summary line.
//! - `--out DIR --check`: nothing is written; the changes a run would make are printed on
//!   stdout in the same form, and the exit code is 1 when there is any (a drift gate for CI).
//! - no `--out`, or `--out -`: every file of the chosen targets is printed on stdout, each
//!   after a `==> path <==` header line and separated by a blank line (the form of `head`
//!   with several files), whatever the number of files.
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use iam_model::Severity;

use super::output::{self, OutputError};
use super::validate::{self as check, Unreadable};
use super::{CliError, ExitStatus, Format};
use crate::emit::{self, EmitError, EmitOptions, Target};
use crate::templates::{TemplateError, Templates};

/// A `--target` value: one target, or all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    /// Every target.
    All,
    /// CloudFormation templates.
    Cloudformation,
    /// Terraform JSON root modules.
    Terraform,
    /// Every policy as a canonical JSON file.
    Policies,
    /// AWS CLI SSO profiles.
    AwsConfig,
    /// `ACCESS.md`.
    Docs,
    /// The `aws iam` shell script for the IAM-user fallback.
    AwsCli,
}

impl TargetArg {
    fn targets(self) -> Vec<Target> {
        match self {
            Self::All => Target::ALL.to_vec(),
            Self::Cloudformation => vec![Target::Cloudformation],
            Self::Terraform => vec![Target::Terraform],
            Self::Policies => vec![Target::Policies],
            Self::AwsConfig => vec![Target::AwsConfig],
            Self::Docs => vec![Target::Docs],
            Self::AwsCli => vec![Target::AwsCli],
        }
    }
}

/// Arguments of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The model file (JSON).
    #[arg(value_name = "MODEL")]
    pub model: PathBuf,
    /// What to generate; repeat the option or separate with commas. Default: all.
    #[arg(long = "target", short = 't', value_enum, value_delimiter = ',')]
    pub targets: Vec<TargetArg>,
    /// The output directory; files go to `DIR/<target>/…`. Without it, or with `-`, the
    /// files are printed on stdout with `==> path <==` headers.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// A directory of handlebars templates that replace the embedded ones by name: each
    /// `*.hbs` file under it, named by its path (`aws-config/config.hbs`).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Write nothing: print what would change (`A`/`M`/`D path`) and exit 1 if anything
    /// would. Needs `--out`.
    #[arg(long)]
    pub check: bool,
    /// Overwrite files in the output directory that iam-codegen did not write.
    #[arg(long)]
    pub force: bool,
    /// Also replace the marked block of profiles inside an existing AWS CLI config file (such
    /// as `~/.aws/config`), keeping everything outside the block byte for byte; the block is
    /// appended when the file has none. With `--check`, only report whether it would change.
    #[arg(long, value_name = "FILE")]
    pub merge: Option<PathBuf>,
    /// Add `terraform/<account>/imports.tf.json`: an `import` block per IAM resource, for a
    /// model imported from live accounts (`iam-codegen import`), so the first `terraform
    /// plan` adopts what exists instead of creating it.
    #[arg(long)]
    pub import_existing: bool,
}

/// Errors from `generate`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// The model file cannot be read.
    #[error("cannot read `{}`", path.display())]
    ReadModel {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The templates directory cannot be read.
    #[error("cannot read templates from `{}`", path.display())]
    ReadTemplates {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A template override is not usable.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// An emitter failed.
    #[error(transparent)]
    Emit(#[from] EmitError),
    /// The output directory cannot be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// `--check` was given without a directory or a file to merge into.
    #[error("`--check` compares with an output directory: add `--out DIR` (or `--merge FILE`)")]
    CheckWithoutDir,
    /// `--merge` was given, but the model has no Identity Center profiles.
    #[error("`--merge` has nothing to merge: the model has no IAM Identity Center assignments")]
    NothingToMerge,
    /// The AWS CLI config file cannot be merged.
    #[error("cannot merge the profiles into `{}`", path.display())]
    Merge {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: crate::emit::aws_config::MergeError,
    },
    /// The AWS CLI config file cannot be read or written.
    #[error("cannot update `{}`", path.display())]
    MergeIo {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
}

impl From<GenerateError> for CliError {
    fn from(e: GenerateError) -> Self {
        CliError::Generate(Box::new(e))
    }
}

/// Run `generate`.
pub fn run(
    args: &GenerateArgs,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, CliError> {
    match generate(args, format, out, err) {
        Ok(status) => Ok(status),
        Err(Failure::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitStatus::Success),
        Err(Failure::Io(e)) => Err(CliError::Write(e)),
        Err(Failure::Generate(e)) => Err(e.into()),
    }
}

enum Failure {
    Io(io::Error),
    Generate(GenerateError),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

fn fail(e: impl Into<GenerateError>) -> Failure {
    Failure::Generate(e.into())
}

fn generate(
    args: &GenerateArgs,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, Failure> {
    let dir = args.out.as_deref().filter(|d| *d != Path::new("-"));
    if args.check && dir.is_none() && args.merge.is_none() {
        return Err(fail(GenerateError::CheckWithoutDir));
    }
    let file = args.model.display().to_string();
    let (model, report) = match check::load(&args.model) {
        Ok(loaded) => loaded,
        Err(Unreadable::Io(source)) => {
            return Err(fail(GenerateError::ReadModel {
                path: args.model.clone(),
                source,
            }));
        }
        Err(Unreadable::Json(e)) => {
            check::write_json_error(&file, &e, err)?;
            return Ok(ExitStatus::Failure);
        }
    };
    // Findings go to stderr: stdout carries the artifacts. Warnings do not stop generation.
    for finding in report.findings() {
        check::write_finding(&file, finding, err)?;
    }
    let model = match model {
        Some(model) if !report.has_errors() => model,
        _ => {
            writeln!(err, "{}", check::summary(&file, &Ok(report)))?;
            writeln!(err, "{file}: nothing generated")?;
            return Ok(ExitStatus::Invalid);
        }
    };
    if report
        .findings()
        .iter()
        .any(|f| f.severity == Severity::Warning)
    {
        writeln!(err, "{}", check::summary(&file, &Ok(report)))?;
    }
    let templates = match &args.templates {
        Some(path) => {
            Templates::with_overrides(read_templates(path).map_err(fail)?).map_err(fail)?
        }
        None => Templates::default(),
    };
    let mut targets: Vec<Target> =
        if args.targets.is_empty() && args.merge.is_some() && dir.is_none() {
            Vec::new()
        } else if args.targets.is_empty() {
            Target::ALL.to_vec()
        } else {
            args.targets.iter().flat_map(|t| t.targets()).collect()
        };
    targets.sort();
    targets.dedup();
    // `--merge` needs the aws-config block even when that target is not asked for; it is
    // then merged but neither written nor printed.
    let wanted = targets.clone();
    if args.merge.is_some() && !targets.contains(&Target::AwsConfig) {
        targets.push(Target::AwsConfig);
    }
    let mut options = EmitOptions::default().templates(templates);
    options.terraform.import_iam = args.import_existing;
    let mut files = emit::generate(&model, &targets, &options)
        .map_err(fail)?
        .into_files();
    let mut merge_differs = false;
    if let Some(path) = &args.merge {
        let block = files
            .get("aws-config/config")
            .ok_or_else(|| fail(GenerateError::NothingToMerge))?;
        let block = String::from_utf8_lossy(block).into_owned();
        let changed = merge_into(path, &block, args.check).map_err(fail)?;
        let shown = path.display();
        match (changed, args.check) {
            (true, true) => writeln!(out, "M {shown}")?,
            (true, false) => writeln!(err, "{shown}: profiles merged")?,
            (false, _) => writeln!(err, "{shown}: profiles unchanged")?,
        }
        merge_differs = changed && args.check;
        if !wanted.contains(&Target::AwsConfig) {
            files.retain(|p, _| !p.starts_with("aws-config/"));
        }
        // `generate MODEL --merge FILE` alone only merges.
        if dir.is_none() && args.targets.is_empty() {
            return Ok(if merge_differs {
                ExitStatus::Failure
            } else {
                ExitStatus::Success
            });
        }
    }
    let status = match dir {
        None => {
            print_files(&files, format, out)?;
            ExitStatus::Success
        }
        Some(dir) => write_dir(dir, &files, args, format, out, err)?,
    };
    Ok(if merge_differs && status == ExitStatus::Success {
        ExitStatus::Failure
    } else {
        status
    })
}

/// Replace the managed block in `path` (an empty file when it does not exist) with `block`,
/// atomically (a temporary file in the same directory, then a rename; the file's permissions
/// are kept). Returns whether the file changes; with `check`, writes nothing.
fn merge_into(path: &Path, block: &str, check: bool) -> Result<bool, GenerateError> {
    let io_err = |source| GenerateError::MergeIo {
        path: path.to_path_buf(),
        source,
    };
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io_err(e)),
    };
    let merged =
        crate::emit::aws_config::merge_managed_block(&existing, block).map_err(|source| {
            GenerateError::Merge {
                path: path.to_path_buf(),
                source,
            }
        })?;
    if merged == existing {
        return Ok(false);
    }
    if check {
        return Ok(true);
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = parent.join(format!(".{name}.iam-codegen-tmp"));
    std::fs::write(&temp, merged.as_bytes()).map_err(io_err)?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&temp, meta.permissions());
    }
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        io_err(e)
    })?;
    Ok(true)
}

/// Every `*.hbs` file under `dir`, by its relative path with `/`.
fn read_templates(dir: &Path) -> Result<BTreeMap<String, String>, GenerateError> {
    let read_err = |path: &Path, source| GenerateError::ReadTemplates {
        path: path.to_path_buf(),
        source,
    };
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = std::fs::read_dir(&current).map_err(|e| read_err(&current, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| read_err(&current, e))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| read_err(&path, e))?;
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|x| x != "hbs") {
                continue;
            }
            let Some(name) = path
                .strip_prefix(dir)
                .ok()
                .and_then(|rel| {
                    rel.components()
                        .map(|c| c.as_os_str().to_str())
                        .collect::<Option<Vec<_>>>()
                })
                .map(|parts| parts.join("/"))
            else {
                return Err(read_err(
                    &path,
                    io::Error::new(io::ErrorKind::InvalidData, "the file name is not UTF-8"),
                ));
            };
            let text = std::fs::read_to_string(&path).map_err(|e| read_err(&path, e))?;
            found.insert(name, text);
        }
    }
    Ok(found)
}

/// The files on stdout: `==> path <==` before each, a blank line between them.
fn print_files(
    files: &BTreeMap<String, Vec<u8>>,
    format: Format,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => {
            for (i, (path, bytes)) in files.iter().enumerate() {
                if i > 0 {
                    out.write_all(b"\n")?;
                }
                writeln!(out, "==> {path} <==")?;
                out.write_all(bytes)?;
                if !bytes.ends_with(b"\n") && !bytes.is_empty() {
                    out.write_all(b"\n")?;
                }
            }
        }
        Format::Json => {
            let files: BTreeMap<&str, String> = files
                .iter()
                .map(|(p, b)| (p.as_str(), String::from_utf8_lossy(b).into_owned()))
                .collect();
            #[derive(serde::Serialize)]
            struct Files<'a> {
                version: u32,
                files: BTreeMap<&'a str, String>,
            }
            let document = Files { version: 1, files };
            out.write_all(iam_model::json::to_pretty(&document).as_bytes())?;
        }
    }
    out.flush()
}

fn write_dir(
    dir: &Path,
    files: &BTreeMap<String, Vec<u8>>,
    args: &GenerateArgs,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitStatus, Failure> {
    // `--check` reports overwrites of unmanaged files as changes rather than refusing.
    let plan = output::plan(dir, files, args.force || args.check).map_err(fail)?;
    let changes: Vec<(char, &str)> = plan.changes().map(|(p, c)| (c.letter(), p)).collect();
    let shown = dir.display();
    if format == Format::Json {
        #[derive(serde::Serialize)]
        struct Entry<'a> {
            change: String,
            path: &'a str,
        }
        #[derive(serde::Serialize)]
        struct Changes<'a> {
            version: u32,
            check: bool,
            changes: Vec<Entry<'a>>,
            unchanged: usize,
        }
        let document = Changes {
            version: 1,
            check: args.check,
            changes: changes
                .iter()
                .map(|(c, p)| Entry {
                    change: c.to_string(),
                    path: p,
                })
                .collect(),
            unchanged: plan.unchanged(),
        };
        out.write_all(iam_model::json::to_pretty(&document).as_bytes())?;
    }
    if args.check {
        if format == Format::Text {
            for (c, p) in &changes {
                writeln!(out, "{c} {p}")?;
            }
        }
        out.flush()?;
        if plan.is_clean() {
            writeln!(err, "{shown}: up to date ({} files)", plan.unchanged())?;
            return Ok(ExitStatus::Success);
        }
        writeln!(
            err,
            "{shown}: {} would change; run without `--check` to update",
            count(changes.len(), "file", "files")
        )?;
        return Ok(ExitStatus::Failure);
    }
    output::apply(&plan).map_err(fail)?;
    if format == Format::Text {
        for (c, p) in &changes {
            writeln!(err, "{c} {p}")?;
        }
    }
    let n = |letter| changes.iter().filter(|(c, _)| *c == letter).count();
    writeln!(
        err,
        "{shown}: {} added, {} modified, {} removed, {} unchanged",
        n('A'),
        n('M'),
        n('D'),
        plan.unchanged()
    )?;
    out.flush()?;
    Ok(ExitStatus::Success)
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
