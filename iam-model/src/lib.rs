#![doc = include_str!("../README.md")]

pub mod error;
pub mod eval;
pub mod json;
pub mod policy;
pub mod raw;
pub mod validate;
pub mod wildcard;

pub use error::{JsonError, ParseError, PolicyError};
pub use policy::{Policy, PolicyDocument, PolicyKind};
pub use validate::{Finding, Report, Severity};
