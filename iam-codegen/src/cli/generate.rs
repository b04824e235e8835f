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

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use clap::{Args, ValueEnum};
use iam_model::Severity;
use signal_hook::consts::{SIGINT, SIGTERM};

use super::output::{self, OutputError};
use super::validate::{self as check, Unreadable};
use super::{CliError, ExitStatus, Format};
use crate::emit::aws_config::{AwsConfigOptions, ConfigName, OutputFormat, Region, StartUrl};
use crate::emit::cloudformation::CloudformationOptions;
use crate::emit::terraform::{IdentityCenterUsers, TerraformOptions};
use crate::emit::{self, EmitError, EmitOptions, Target};
use crate::templates::{TemplateError, Templates};
use iam_model::model::SsoSettings;
use iam_model::model::names::{AccountName, PermissionSetName};

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
#[command(group(clap::ArgGroup::new("destination").multiple(true).args(["out", "merge"])))]
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
    /// would. Needs `--out` or `--merge`.
    #[arg(long, requires = "destination")]
    pub check: bool,
    /// Overwrite files in the output directory that iam-codegen did not write.
    #[arg(long)]
    pub force: bool,
    /// Also replace the marked block of profiles inside an existing AWS CLI config file (such
    /// as `~/.aws/config`), keeping everything outside the block byte for byte; the block is
    /// appended when the file has none. The file is read as the AWS CLI reads it: a file it
    /// would refuse, or a section outside the block that the block also defines, is an error
    /// (exit 1, file untouched). A link is written through (its target is replaced); the
    /// file's permissions and line ends are kept. With `--check`, only report whether it
    /// would change.
    #[arg(long, value_name = "FILE")]
    pub merge: Option<PathBuf>,
    /// With `--merge`: sections outside the block that the block also defines
    /// (`[profile dev]`, `[sso-session sso]`) are removed, so the block's are the only ones.
    #[arg(long, requires = "merge")]
    pub merge_adopt: bool,
    /// The AWS access portal URL; overrides the model's `identity_center.start_url`.
    #[arg(long, value_name = "URL", help_heading = "AWS CLI profiles")]
    pub sso_start_url: Option<StartUrl>,
    /// The Identity Center region; overrides the model's `identity_center.region`.
    #[arg(long, value_name = "REGION", help_heading = "AWS CLI profiles")]
    pub sso_region: Option<Region>,
    /// The `[sso-session NAME]` name; overrides `identity_center.sso_session` (default `sso`).
    #[arg(long, value_name = "NAME", help_heading = "AWS CLI profiles")]
    pub sso_session: Option<ConfigName>,
    /// The profiles' `region`; overrides `identity_center.profile_region` (default: the
    /// Identity Center region).
    #[arg(long, value_name = "REGION", help_heading = "AWS CLI profiles")]
    pub profile_region: Option<Region>,
    /// The profiles' `output`; overrides `identity_center.profile_output` (default `json`).
    #[arg(long, value_name = "FORMAT", help_heading = "AWS CLI profiles")]
    pub profile_output: Option<OutputFormat>,
    /// Name one profile: `ACCOUNT/PERMISSION_SET=NAME` (repeatable), in place of the naming
    /// rule's name.
    #[arg(long, value_name = "ACCOUNT/PERMISSION_SET=NAME", value_parser = parse_profile_name, help_heading = "AWS CLI profiles")]
    pub profile_name: Vec<ProfileNameArg>,
    /// Do not write `aws-config/<user>.config` per Identity Center user.
    #[arg(long, help_heading = "AWS CLI profiles")]
    pub no_user_configs: bool,
    /// Terraform: the `hashicorp/aws` version constraint (default `~> 6.0`).
    #[arg(long, value_name = "CONSTRAINT", help_heading = "Terraform")]
    pub tf_provider_version: Option<String>,
    /// Terraform: the default of each module's `region` variable (default `us-east-1`).
    #[arg(long, value_name = "REGION", help_heading = "Terraform")]
    pub tf_region: Option<Region>,
    /// Terraform: the role the provider assumes in member accounts (default
    /// `OrganizationAccountAccessRole`).
    #[arg(long, value_name = "ROLE", help_heading = "Terraform")]
    pub tf_assume_role_name: Option<String>,
    /// Terraform: the management account's modules assume that role too (default: they run
    /// with the operator's management-account credentials).
    #[arg(long, help_heading = "Terraform")]
    pub tf_management_assume_role: bool,
    /// Terraform: Identity Center users come from an external identity provider (SCIM):
    /// they are looked up by user name, never created.
    #[arg(long, help_heading = "Terraform")]
    pub tf_external_users: bool,
    /// Terraform: no `import` block per member account.
    #[arg(long, help_heading = "Terraform")]
    pub tf_no_import_accounts: bool,
    /// CloudFormation: at most this many resources per template (at most 450).
    #[arg(long, value_name = "N", help_heading = "CloudFormation")]
    pub cfn_max_resources: Option<usize>,
    /// CloudFormation: at most this many outputs per template (at most 180).
    #[arg(long, value_name = "N", help_heading = "CloudFormation")]
    pub cfn_max_outputs: Option<usize>,
    /// CloudFormation: at most this many parameters per template (at most 180).
    #[arg(long, value_name = "N", help_heading = "CloudFormation")]
    pub cfn_max_parameters: Option<usize>,
    /// CloudFormation: keep each template under the 51,200-byte limit of a template body
    /// passed inline (default: the 1 MB limit of a template in S3).
    #[arg(long, help_heading = "CloudFormation")]
    pub cfn_inline_body: bool,
    /// Add `terraform/<account>/imports.tf.json`: an `import` block per IAM resource, OU,
    /// SCP/RCP and attachment and Identity Center resource (Terraform >= 1.7), for a model
    /// imported from live accounts (`iam-codegen import`), so the first `terraform plan`
    /// adopts what exists instead of creating it. A policy or group membership whose id the
    /// model lacks gets none; a note on stderr names it.
    #[arg(long)]
    pub import_existing: bool,
}

/// A `--profile-name ACCOUNT/PERMISSION_SET=NAME` value.
#[derive(Debug, Clone)]
pub struct ProfileNameArg {
    /// The account.
    pub account: AccountName,
    /// The permission set.
    pub permission_set: PermissionSetName,
    /// The profile name.
    pub name: ConfigName,
}

fn parse_profile_name(text: &str) -> Result<ProfileNameArg, String> {
    let shape = || format!("expected `ACCOUNT/PERMISSION_SET=NAME`, got `{text}`");
    let (pair, name) = text.split_once('=').ok_or_else(shape)?;
    let (account, set) = pair.split_once('/').ok_or_else(shape)?;
    Ok(ProfileNameArg {
        account: account
            .parse()
            .map_err(|e: iam_model::ParseError| e.to_string())?,
        permission_set: set
            .parse()
            .map_err(|e: iam_model::ParseError| e.to_string())?,
        name: name
            .parse()
            .map_err(|e: iam_model::ParseError| e.to_string())?,
    })
}

impl GenerateArgs {
    /// The emitter options these arguments ask for.
    pub fn emit_options(&self, templates: Templates) -> EmitOptions {
        let mut sso = SsoSettings::default();
        sso.start_url.clone_from(&self.sso_start_url);
        sso.region.clone_from(&self.sso_region);
        sso.session_name.clone_from(&self.sso_session);
        sso.profile_region.clone_from(&self.profile_region);
        sso.profile_output = self.profile_output;
        let mut aws_config = AwsConfigOptions::default()
            .sso(sso)
            .per_user(!self.no_user_configs);
        for p in &self.profile_name {
            aws_config = aws_config.profile_name(
                p.account.clone(),
                p.permission_set.clone(),
                p.name.clone(),
            );
        }
        let mut terraform = TerraformOptions::default()
            .management_assume_role(self.tf_management_assume_role)
            .import_accounts(!self.tf_no_import_accounts);
        if let Some(v) = &self.tf_provider_version {
            terraform = terraform.provider_version(v.clone());
        }
        if let Some(r) = &self.tf_region {
            terraform = terraform.region(r.as_str());
        }
        if let Some(r) = &self.tf_assume_role_name {
            terraform = terraform.assume_role_name(r.clone());
        }
        if self.tf_external_users {
            terraform = terraform.identity_center_users(IdentityCenterUsers::External);
        }
        let mut cloudformation = CloudformationOptions::default();
        if self.cfn_inline_body {
            cloudformation = cloudformation.inline_body();
        }
        if let Some(n) = self.cfn_max_resources {
            cloudformation = cloudformation.max_resources(n);
        }
        // Capped at the defaults: 90% of the quotas, as `max_resources` is.
        let defaults = CloudformationOptions::default();
        if let Some(n) = self.cfn_max_outputs {
            cloudformation.max_outputs = n.clamp(1, defaults.max_outputs);
        }
        if let Some(n) = self.cfn_max_parameters {
            cloudformation.max_parameters = n.clamp(1, defaults.max_parameters);
        }
        let mut options = EmitOptions::default().templates(templates);
        options.aws_config = aws_config;
        options.terraform = terraform;
        options.terraform.import_iam = self.import_existing;
        options.cloudformation = cloudformation;
        options
    }
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
        // clap requires `--out` or `--merge`; `-o -` (stdout) has nothing to compare with.
        writeln!(
            err,
            "error: `--check` compares with an output directory: give `--out DIR` (not `-`) or `--merge FILE`"
        )?;
        return Ok(ExitStatus::Usage);
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
            if format == Format::Json {
                write_findings_document(&file, None, &[], Some(e.to_string()), out)?;
            }
            check::write_json_error(&file, &e, err)?;
            return Ok(ExitStatus::Failure);
        }
    };
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
    let options = args.emit_options(templates);
    // The aws-config target refuses a model without sign-in settings, as a finding of its
    // own (the library's check, so that the CLI and `emit` agree).
    let mut report = report;
    if let Some(model) = &model
        && targets.contains(&Target::AwsConfig)
        && let Some(finding) = emit::aws_config::missing_settings(model, &options.aws_config)
    {
        report.push(finding);
    }
    // Findings go to stderr: stdout carries the artifacts. Warnings do not stop generation.
    for finding in report.findings() {
        check::write_finding(&file, finding, err)?;
    }
    let model = match model {
        Some(model) if !report.has_errors() => model,
        _ => {
            if format == Format::Json {
                write_findings_document(
                    &file,
                    Some(report.findings()),
                    report.allowed(),
                    None,
                    out,
                )?;
            }
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
        writeln!(err, "{}", check::summary(&file, &Ok(report.clone())))?;
    }
    // The model was validated when it was loaded: not again.
    let mut files = emit::generate_validated(&model, &report, &targets, &options)
        .map_err(fail)?
        .into_files();
    if options.terraform.import_iam && targets.contains(&Target::Terraform) {
        // What the first `terraform plan` creates although it may exist: no id, no import.
        for missing in emit::terraform::imports::missing_ids(&model) {
            writeln!(err, "note: {missing}")?;
        }
    }
    let mut merge_differs = false;
    if let Some(path) = &args.merge {
        let block = files
            .get("aws-config/config")
            .ok_or_else(|| fail(GenerateError::NothingToMerge))?;
        let block = String::from_utf8_lossy(block).into_owned();
        let outcome = merge_into(path, &block, args.check, args.merge_adopt).map_err(fail)?;
        let shown = path.display();
        for (header, line) in &outcome.adopted {
            writeln!(
                err,
                "{shown}:{line}: `[{header}]` adopted: the managed block's section replaces it"
            )?;
        }
        match (outcome.changed, args.check) {
            // With `--format json`, stdout is kept for one document (below, or the
            // directory's).
            (true, true) if format == Format::Text => writeln!(out, "M {shown}")?,
            (true, true) => writeln!(err, "M {shown}")?,
            (true, false) => writeln!(err, "{shown}: profiles merged")?,
            (false, _) => writeln!(err, "{shown}: profiles unchanged")?,
        }
        merge_differs = outcome.changed && args.check;
        if !wanted.contains(&Target::AwsConfig) {
            files.retain(|p, _| !p.starts_with("aws-config/"));
        }
        // `generate MODEL --merge FILE` alone only merges.
        if dir.is_none() && args.targets.is_empty() {
            if format == Format::Json {
                let document = serde_json::json!({
                    "version": 1,
                    "check": args.check,
                    "merge": {
                        "file": path.display().to_string(),
                        "changed": outcome.changed,
                        "adopted": outcome.adopted.iter()
                            .map(|(header, line)| serde_json::json!({"section": header, "line": line}))
                            .collect::<Vec<_>>(),
                    },
                });
                out.write_all(iam_model::json::to_pretty(&document).as_bytes())?;
                out.flush()?;
            }
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

/// The `--format json` document of a model that generates nothing: the shape of
/// `validate --format json`.
fn write_findings_document(
    file: &str,
    findings: Option<&[iam_model::Finding]>,
    allowed: &[iam_model::validate::Allowed],
    error: Option<String>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let document = check::CheckOutput {
        version: 1,
        files: vec![check::FileOutput {
            file: file.to_string(),
            findings,
            allowed,
            error,
        }],
    };
    out.write_all(iam_model::json::to_pretty(&document).as_bytes())?;
    out.flush()
}

/// What [`merge_into`] did.
struct MergeOutcome {
    changed: bool,
    adopted: Vec<(String, usize)>,
}

/// Merge the managed block into `path` (an empty file when it does not exist) with
/// [`crate::emit::aws_config::merge_config`], atomically: a temporary file next to the file
/// that is replaced, then a rename. A symbolic link is written through: its target is
/// replaced and the link kept. The file's permissions are kept. With `check`, nothing is
/// written.
fn merge_into(
    path: &Path,
    block: &str,
    check: bool,
    adopt: bool,
) -> Result<MergeOutcome, GenerateError> {
    let io_err = |source| GenerateError::MergeIo {
        path: path.to_path_buf(),
        source,
    };
    // The file that is replaced: the link's target (every level of links resolved), or the
    // path itself when it does not exist yet.
    let target = match std::fs::canonicalize(path) {
        Ok(real) => real,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if std::fs::symlink_metadata(path).is_ok() {
                // A dangling link: its target would be created somewhere the user did not name.
                return Err(io_err(io::Error::new(
                    io::ErrorKind::NotFound,
                    "the link points to a file that does not exist",
                )));
            }
            path.to_path_buf()
        }
        Err(e) => return Err(io_err(e)),
    };
    let existing = match std::fs::read(&target) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
            io_err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the file is not UTF-8 text",
            ))
        })?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io_err(e)),
    };
    let merged =
        crate::emit::aws_config::merge_config(&existing, block, adopt).map_err(|source| {
            GenerateError::Merge {
                path: path.to_path_buf(),
                source,
            }
        })?;
    let changed = merged.text != existing;
    if !changed || check {
        return Ok(MergeOutcome {
            changed,
            adopted: merged.adopted,
        });
    }
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = parent.join(format!(".{name}.iam-codegen-{}.tmp", std::process::id()));
    let write = || -> io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(merged.text.as_bytes())?;
        if let Ok(meta) = std::fs::metadata(&target) {
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        std::fs::rename(&temp, &target)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        io_err(e)
    })?;
    Ok(MergeOutcome {
        changed,
        adopted: merged.adopted,
    })
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
    // SIGINT and SIGTERM roll the run back (a second one ends the process at once; the
    // journal then lets the next run undo it).
    let interrupted = Arc::new(AtomicBool::new(false));
    let mut handlers = Vec::new();
    for signal in [SIGINT, SIGTERM] {
        for id in [
            signal_hook::flag::register_conditional_default(signal, Arc::clone(&interrupted)),
            signal_hook::flag::register(signal, Arc::clone(&interrupted)),
        ] {
            match id {
                Ok(id) => handlers.push(id),
                Err(source) => {
                    for id in handlers {
                        signal_hook::low_level::unregister(id);
                    }
                    return Err(fail(OutputError::Write {
                        path: dir.to_path_buf(),
                        source,
                    }));
                }
            }
        }
    }
    let hooks = output::Hooks {
        interrupted: Some(interrupted),
        pause: output::Pause::from_env(),
    };
    let result = write_dir_locked(dir, files, args, format, out, err, &hooks);
    for id in handlers {
        signal_hook::low_level::unregister(id);
    }
    // Without an action, signal-hook would now ignore the signals: restore their default
    // (ending the process) for the rest of the run.
    for signal in [SIGINT, SIGTERM] {
        let _ = signal_hook::flag::register_conditional_default(
            signal,
            Arc::new(AtomicBool::new(true)),
        );
    }
    result
}

/// [`write_dir`] with the signal hooks in place: lock, recover, plan, apply.
fn write_dir_locked(
    dir: &Path,
    files: &BTreeMap<String, Vec<u8>>,
    args: &GenerateArgs,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
    hooks: &output::Hooks,
) -> Result<ExitStatus, Failure> {
    let shown = dir.display();
    // One run at a time per directory, for the whole run (`--check` too, so that it never
    // reads a half-written directory). A missing directory is created for the lock, except
    // by `--check`, which writes nothing.
    let _lock = output::lock(dir, !args.check).map_err(fail)?;
    hooks.pause_at("after-lock");
    // A killed run's leftovers: `--check` reports them as drift; a writing run undoes them.
    let leftovers = if args.check {
        output::leftovers(dir).map_err(fail)?
    } else {
        if let Some(recovered) = output::recover(dir).map_err(fail)? {
            writeln!(
                err,
                "{shown}: {} by an interrupted run (pid {})",
                if recovered.rolled_back {
                    "undid the changes left"
                } else {
                    "finished the clean-up left"
                },
                recovered.pid
            )?;
        }
        Vec::new()
    };
    // `--check` reports overwrites of unmanaged files as changes rather than refusing.
    let plan = output::plan(dir, files, args.force || args.check).map_err(fail)?;
    let mut changes: Vec<(char, &str)> = plan.changes().map(|(p, c)| (c.letter(), p)).collect();
    changes.extend(leftovers.iter().map(|p| ('X', p.as_str())));
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
        if changes.is_empty() {
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
    output::apply(&plan, hooks).map_err(fail)?;
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
