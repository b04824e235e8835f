//! The `aws_config` target (issue 6). Not written yet: emits no files.
use iam_model::model::Model;

use crate::emit::{Artifacts, EmitError, EmitOptions};

/// AWS CLI config options.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct AwsConfigOptions {}

/// The files of this target, relative to its directory.
pub fn emit(_model: &Model, _options: &EmitOptions) -> Result<Artifacts, EmitError> {
    Ok(Artifacts::new())
}
