//! Generate CloudFormation, Terraform and IAM policy JSON from a typed AWS access model.
pub mod cli;
