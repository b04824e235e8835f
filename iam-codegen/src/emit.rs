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
/// The model is validated first; a model with error findings is refused.
pub fn generate(
    model: &Model,
    targets: &[Target],
    options: &EmitOptions,
) -> Result<Artifacts, EmitError> {
    let report = iam_model::validate::validate(model);
    if report.has_errors() {
        return Err(EmitError::Invalid(report));
    }
    let mut all = Artifacts::new();
    let mut targets = targets.to_vec();
    targets.sort();
    targets.dedup();
    for target in targets {
        let files = match target {
            Target::Cloudformation => cloudformation::emit(model, options)?,
            Target::Terraform => terraform::emit(model, options)?,
            Target::Policies => policies::emit(model, options)?,
            Target::AwsConfig => aws_config::emit(model, options)?,
            Target::Docs => docs::emit(model, options)?,
            Target::AwsCli => aws_cli::emit(model, options)?,
        };
        for (path, bytes) in files.into_files() {
            all.insert(format!("{}/{path}", target.as_str()), bytes)?;
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

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
