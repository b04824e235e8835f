#![doc = include_str!("../README.md")]

pub mod error;
pub mod eval;
pub mod fast_hash;
pub mod fuzzing;
pub mod import;
pub mod json;
pub mod model;
pub mod policy;
pub mod presets;
pub mod raw;
pub mod validate;
pub mod wildcard;

pub use error::{JsonError, ModelError, ParseError, PolicyError};
pub use model::Model;
pub use policy::{Policy, PolicyDocument, PolicyKind};
pub use validate::{Finding, Report, Severity};
