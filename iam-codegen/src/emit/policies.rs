//! The `policies` target (issue 6). Not written yet: emits no files.
use iam_model::model::Model;

use crate::emit::{Artifacts, EmitError, EmitOptions};

/// The files of this target, relative to its directory.
pub fn emit(_model: &Model, _options: &EmitOptions) -> Result<Artifacts, EmitError> {
    Ok(Artifacts::new())
}
