//! Artifacts from a model: one module per target. Each takes the model and the options and
//! returns the files it would write, as relative paths and bytes. Nothing here touches the
//! file system; the CLI writes the files (atomically, see `cli::generate`).
//!
//! ```
//! use iam_codegen::emit::{generate, EmitOptions, Target};
//! let model = iam_model::model::synthetic::organization(2, 1, 1, 1, 1);
//! let artifacts = generate(&model, &[Target::Policies], &EmitOptions::default())?;
//! assert!(artifacts.iter().all(|(path, _)| path.starts_with("policies/")));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
pub mod aws_cli;
pub mod aws_config;
pub mod cloudformation;
mod direct;
pub mod docs;
use iam_model::fast_hash;
pub mod policies;
pub mod terraform;

use std::collections::BTreeMap;

use iam_model::model::Model;
use iam_model::validate::Report;

use crate::templates::Templates;

/// The files a target produces: relative paths (with `/`) to bytes, in path order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Artifacts {
    files: BTreeMap<String, Vec<u8>>,
}

impl Artifacts {
    /// No files.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a file. Two artifacts at one path are a bug in the naming rule, never a silent
    /// overwrite.
    pub fn insert(
        &mut self,
        path: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
    ) -> Result<(), EmitError> {
        let path = path.into();
        if !is_safe_relative_path(&path) {
            return Err(EmitError::Path { path });
        }
        if self.files.contains_key(&path) {
            return Err(EmitError::Collision { path });
        }
        // A rendered file's buffer grew by doubling; thousands of them (a user's AWS CLI
        // config each) would otherwise hold up to twice their size until written.
        let mut bytes = bytes.into();
        bytes.shrink_to_fit();
        self.files.insert(path, bytes);
        Ok(())
    }

    /// Add every file of another set.
    pub fn extend(&mut self, other: Artifacts) -> Result<(), EmitError> {
        for (path, bytes) in other.files {
            self.insert(path, bytes)?;
        }
        Ok(())
    }

    /// The files in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, b)| (p.as_str(), b.as_slice()))
    }

    /// One file.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The files, consumed.
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files
    }
}

/// A relative path with `/` separators and no `.`/`..` or empty components.
pub(crate) fn is_safe_relative_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Target {
    /// CloudFormation templates, one per account, and one for the management account.
    Cloudformation,
    /// Terraform JSON root modules, one per account, and one for the management account.
    Terraform,
    /// Every policy as a canonical JSON file.
    Policies,
    /// The AWS CLI `~/.aws/config` SSO profiles.
    AwsConfig,
    /// `ACCESS.md`: the access matrix, manual steps and the verification checklist.
    Docs,
    /// A shell script of `aws iam` commands for the IAM-user fallback.
    AwsCli,
}

impl Target {
    /// Every target, in the order `all` runs them.
    pub const ALL: [Target; 6] = [
        Self::Cloudformation,
        Self::Terraform,
        Self::Policies,
        Self::AwsConfig,
        Self::Docs,
        Self::AwsCli,
    ];

    /// The name on the command line, also the directory its files go to.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cloudformation => "cloudformation",
            Self::Terraform => "terraform",
            Self::Policies => "policies",
            Self::AwsConfig => "aws-config",
            Self::Docs => "docs",
            Self::AwsCli => "aws-cli",
        }
    }
}

/// Options for the emitters. `EmitOptions::default()` gives the documented defaults.
#[derive(Debug, Clone, Default)]
pub struct EmitOptions {
    /// The templates of text artifacts, with the user's overrides.
    pub templates: Templates,
    /// CloudFormation options.
    pub cloudformation: cloudformation::CloudformationOptions,
    /// Terraform options.
    pub terraform: terraform::TerraformOptions,
    /// AWS CLI config options.
    pub aws_config: aws_config::AwsConfigOptions,
}

impl EmitOptions {
    /// The same options with other templates.
    pub fn templates(mut self, templates: Templates) -> Self {
        self.templates = templates;
        self
    }
}

/// Errors from generating artifacts.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmitError {
    /// The model has error-severity findings; nothing is generated from an invalid model.
    #[error("the model has {} error(s); run `iam-codegen validate` for the list", .0.errors().count())]
    Invalid(Report),
    /// Two artifacts would be written to one path.
    #[error("two artifacts would be written to `{path}`")]
    Collision {
        /// The path.
        path: String,
    },
    /// An artifact path is not a plain relative path.
    #[error("artifact path `{path}` is not a relative path")]
    Path {
        /// The path.
        path: String,
    },
    /// A template failed to render.
    #[error("template `{name}` failed to render")]
    Template {
        /// The template name.
        name: String,
        /// What went wrong.
        #[source]
        source: Box<handlebars::RenderError>,
    },
    /// A template's output is not what its target needs (e.g. not valid JSON).
    #[error("template `{name}` produced invalid output: {reason}")]
    TemplateOutput {
        /// The template name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A value of the model cannot be written in the artifact's format (e.g. a line break
    /// in an INI value or NUL in a shell word); nothing is written.
    #[error("cannot write a value of the model")]
    Escape(#[from] crate::escape::EscapeError),
    /// A value the target needs is missing from the model or the options.
    #[error("{0}")]
    Missing(String),
}

/// Generate the given targets: files are under `<target>/` (`cloudformation/production.json`).
/// The model is validated first; a model with error findings is refused. A caller that has
/// validated the model already calls [`generate_validated`] with its report.
pub fn generate(
    model: &Model,
    targets: &[Target],
    options: &EmitOptions,
) -> Result<Artifacts, EmitError> {
    let report = iam_model::validate::validate(model);
    generate_validated(model, &report, targets, options)
}

/// [`generate`] with the model's validation report at hand, so that the model is not
/// validated twice: a report with error findings is refused (as [`EmitError::Invalid`]).
/// The report must be the one of this model (`iam_model::validate::validate(model)`,
/// possibly with findings added, as the CLI adds the `aws-config` target's).
///
/// ```
/// use iam_codegen::emit::{generate_validated, EmitError, EmitOptions, Target};
/// let model = iam_model::model::synthetic::organization(2, 1, 1, 1, 1);
/// let report = iam_model::validate::validate(&model);
/// assert!(!report.has_errors());
/// let files = generate_validated(&model, &report, &[Target::Docs], &EmitOptions::default())?;
/// assert!(files.get("docs/ACCESS.md").is_some());
///
/// let mut refused = report.clone();
/// refused.push(iam_model::Finding {
///     code: "example",
///     severity: iam_model::Severity::Error,
///     path: "/".to_string(),
///     message: "refused".to_string(),
///     help: String::new(),
/// });
/// let err = generate_validated(&model, &refused, &[Target::Docs], &EmitOptions::default()).unwrap_err();
/// assert!(matches!(err, EmitError::Invalid(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn generate_validated(
    model: &Model,
    report: &Report,
    targets: &[Target],
    options: &EmitOptions,
) -> Result<Artifacts, EmitError> {
    if report.has_errors() {
        return Err(EmitError::Invalid(report.clone()));
    }
    let shared = Shared::new(model, options);
    let mut all = Artifacts::new();
    let mut targets = targets.to_vec();
    targets.sort();
    targets.dedup();
    for target in targets {
        let files = match target {
            Target::Cloudformation => cloudformation::emit(model, options)?,
            Target::Terraform => terraform::emit(model, options)?,
            Target::Policies => policies::emit(model, options)?,
            Target::AwsConfig => aws_config::emit_shared(&shared)?,
            Target::Docs => docs::emit_shared(&shared)?,
            Target::AwsCli => aws_cli::emit(model, options)?,
        };
        for (path, bytes) in files.into_files() {
            all.insert(format!("{}/{path}", target.as_str()), bytes)?;
        }
    }
    Ok(all)
}

/// What several targets compute from the model: each part computed on first use, once per
/// [`generate_validated`] run instead of once per target.
pub(crate) struct Shared<'m> {
    pub(crate) model: &'m Model,
    pub(crate) options: &'m EmitOptions,
    grants: std::cell::OnceCell<Vec<iam_model::model::Grant<'m>>>,
    profiles: std::cell::OnceCell<aws_config::Profiles>,
}

impl<'m> Shared<'m> {
    pub(crate) fn new(model: &'m Model, options: &'m EmitOptions) -> Self {
        Self {
            model,
            options,
            grants: std::cell::OnceCell::new(),
            profiles: std::cell::OnceCell::new(),
        }
    }

    /// [`Model::grants`].
    pub(crate) fn grants(&self) -> &[iam_model::model::Grant<'m>] {
        self.grants.get_or_init(|| self.model.grants())
    }

    /// The profile names of the `aws-config` target ([`aws_config::profiles`]).
    pub(crate) fn profiles(&self) -> &aws_config::Profiles {
        self.profiles.get_or_init(|| {
            aws_config::profiles_of(self.model, self.grants(), &self.options.aws_config)
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::templates::{RENDERED, Templates};

    /// Every example, every valid test model and three synthetic organizations.
    pub(crate) fn models() -> Vec<(String, Model)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut out = Vec::new();
        for dir in ["examples", "tests/models/valid"] {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            paths.sort();
            for path in paths {
                let text = std::fs::read_to_string(&path).unwrap();
                if let Ok(model) = Model::from_json(&text) {
                    out.push((path.display().to_string(), model));
                }
            }
        }
        for (accounts, sets, groups, users, assignments) in
            [(1, 1, 1, 1, 1), (7, 3, 4, 20, 30), (60, 12, 25, 300, 900)]
        {
            out.push((
                format!("synthetic {accounts} accounts"),
                iam_model::model::synthetic::organization(
                    accounts,
                    sets,
                    groups,
                    users,
                    assignments,
                ),
            ));
        }
        out
    }

    /// The artifacts of each target whose templates have a direct writer, or the error.
    fn text_targets(model: &Model, options: &EmitOptions) -> Vec<Result<Artifacts, String>> {
        type Emit = fn(&Model, &EmitOptions) -> Result<Artifacts, EmitError>;
        let emitters: [Emit; 3] = [aws_config::emit, docs::emit, terraform::emit];
        emitters
            .iter()
            .map(|emit| emit(model, options).map_err(|e| format!("{e:?}")))
            .collect()
    }

    #[test]
    fn default_templates_written_directly_give_the_bytes_handlebars_renders() {
        let direct = EmitOptions::default();
        let handlebars = EmitOptions::default().templates(Templates::handlebars_only());
        let models = models();
        assert!(models.len() > 10, "{} models", models.len());
        for (name, model) in &models {
            let ours = text_targets(model, &direct);
            let theirs = text_targets(model, &handlebars);
            for (ours, theirs) in ours.iter().zip(&theirs) {
                match (ours, theirs) {
                    (Ok(ours), Ok(theirs)) => {
                        for ((path, a), (_, b)) in ours.iter().zip(theirs.iter()) {
                            pretty_assertions::assert_eq!(
                                String::from_utf8_lossy(a),
                                String::from_utf8_lossy(b),
                                "{name}: {path}"
                            );
                        }
                        assert_eq!(ours, theirs, "{name}");
                    }
                    (ours, theirs) => assert_eq!(ours.is_ok(), theirs.is_ok(), "{name}"),
                }
            }
        }
    }

    #[test]
    fn every_template_is_written_directly_by_default() {
        for (name, model) in models() {
            RENDERED.with(|r| r.borrow_mut().clear());
            let _ = text_targets(&model, &EmitOptions::default());
            let rendered = RENDERED.with(|r| r.borrow().clone());
            assert_eq!(rendered, Vec::<String>::new(), "{name}");
        }
        // The check sees handlebars when it renders.
        let model = iam_model::model::synthetic::organization(2, 1, 1, 1, 1);
        RENDERED.with(|r| r.borrow_mut().clear());
        let options = EmitOptions::default().templates(Templates::handlebars_only());
        let _ = text_targets(&model, &options);
        assert!(RENDERED.with(|r| !r.borrow().is_empty()));
    }

    #[test]
    fn artifact_paths_are_relative_and_unique() {
        let mut a = Artifacts::new();
        a.insert("x/y.json", "1").unwrap();
        assert_eq!(
            a.insert("x/y.json", "2").unwrap_err().to_string(),
            "two artifacts would be written to `x/y.json`"
        );
        for bad in ["/etc/passwd", "../x", "a//b", "a/./b", ""] {
            assert!(
                matches!(a.insert(bad, ""), Err(EmitError::Path { .. })),
                "{bad}"
            );
        }
    }
}
