//! Per-OU baselines: IAM roles, customer managed policies and OIDC providers that every
//! account under an OU gets.
//!
//! In a model file a baseline is `organization.units.<name>[.units.<name>…].baseline`
//! ([`BaselineFile`]). Strings in it may name the account they are deployed in as
//! `${AWS::AccountId}` and the partition as `${AWS::Partition}`. When a model is read, every
//! account under the OU (at any depth) gets the baseline's entities with its own id in place
//! of the placeholder ([`crate::model::Account::iam`]), so validation, the access matrix,
//! `who-can` and `check` see them in every account; the account keeps its own IAM apart
//! ([`crate::model::Account::own_iam`]) for its own template, since the baseline is deployed
//! once per OU (a CloudFormation StackSet). An account entity with the name of a baseline
//! entity is the error `baseline-collision`; a finding in a baseline entity is reported once,
//! at its path in the baseline.
//!
//! ```
//! use iam_model::model::Model;
//! let model = Model::from_json(r#"{
//!   "version": 1,
//!   "organization": {"management_account": "management", "units": {"Workloads": {"baseline": {"roles": {
//!     "audit": {"trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
//!       "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]},
//!       "inline_policies": {"Read": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
//!         "Action": "s3:GetObject", "Resource": "arn:${AWS::Partition}:s3:::logs-${AWS::AccountId}/*"}]}}}}}}}},
//!   "accounts": {
//!     "management": {"id": "111111111111", "email": "aws@example.com", "environment": "management"},
//!     "app": {"id": "222222222222", "email": "app@example.com", "environment": "production", "unit": "Workloads"}
//!   }
//! }"#)?;
//! let app = model.account("app").unwrap();
//! assert!(app.iam().roles().contains_key("audit"));
//! assert!(app.own_iam().roles().is_empty());
//! assert!(model.to_json().contains("logs-${AWS::AccountId}"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
use crate::model::file::BaselineFile;
use crate::model::iam::Iam;

pub use crate::model::file::{ACCOUNT_ID_PLACEHOLDER, PARTITION_PLACEHOLDER};

/// The account id a baseline is decoded with to stand for `${AWS::AccountId}`
/// ([`Baseline::template`]); no AWS account has it.
pub const TEMPLATE_ACCOUNT_ID: &str = "000000000000";

/// A per-OU baseline: as written, and decoded with [`TEMPLATE_ACCOUNT_ID`].
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub(crate) file: BaselineFile,
    pub(crate) template: Iam,
}

impl Eq for Baseline {}

impl Baseline {
    /// The baseline as written, placeholders included.
    pub fn file(&self) -> &BaselineFile {
        &self.file
    }

    /// The baseline's IAM with [`TEMPLATE_ACCOUNT_ID`] for `${AWS::AccountId}` and `aws` for
    /// `${AWS::Partition}`: what emitters write, turning the stand-in id back into the
    /// placeholder.
    pub fn template(&self) -> &Iam {
        &self.template
    }
}
