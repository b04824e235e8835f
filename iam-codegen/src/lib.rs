//! Generate CloudFormation, Terraform and IAM policy JSON from a typed AWS access model.
//!
//! The library is the engine of the `iam-codegen` binary: [`emit`] turns a model into
//! artifacts (paths and bytes, no I/O), [`escape`] has one escaping function per output
//! format (model text is data), [`templates`] holds the text templates, and [`cli`]
//! is the command line, with [`cli::run`] callable from tests and other tools.
pub mod cli;
pub mod emit;
pub mod escape;
pub mod templates;
